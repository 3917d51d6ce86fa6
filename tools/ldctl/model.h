/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The objects ldctl talks about, independent of netlink and of printing:
 * msg.c converts them to and from attributes, print.c shows them.
 */
#ifndef LDCTL_MODEL_H
#define LDCTL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/ldir.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* "[" INET6_ADDRSTRLEN "]:" port ":" bind */
#define LD_EP_STRLEN	(INET6_ADDRSTRLEN + 20)

struct ld_addr {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes, rest zero */
};

/* Counters, indexed by enum ldir_stats_attrs. */
struct ld_stats {
	uint64_t v[LDIR_STATS_A_MAX + 1];
};

/* Which optional fields a request carries. */
enum {
	LD_HAS_SCHED	= 1 << 0,
	LD_HAS_STATE	= 1 << 1,
	LD_HAS_BIND	= 1 << 2,
	LD_HAS_PORT	= 1 << 3,
	LD_HAS_WEIGHT	= 1 << 4,
	LD_HAS_MAXCONNS	= 1 << 5,
	LD_HAS_PROTO	= 1 << 6,
	LD_HAS_STARTUP	= 1 << 7,	/* virtual */
	LD_HAS_SPCT	= 1 << 8,	/* virtual: startup-pct */
	LD_HAS_SWIN	= 1 << 9,	/* virtual: startup-window */
	LD_HAS_BACKUP	= 1 << 10,	/* virtual, real; none: family 0 */
	LD_HAS_SYNTHR	= 1 << 11,	/* real: syn-threshold */
	LD_HAS_FAILTHR	= 1 << 12,	/* real: fail-threshold */
	LD_HAS_IDLE	= 1 << 13,	/* real: idle-timeout */
	LD_HAS_RETRY	= 1 << 14,	/* real: retry-ms (read only) */
	LD_HAS_FLAGS	= 1 << 15,	/* virtual: LDIR_VIRTUAL_F_* */
	LD_HAS_FPA	= 1 << 16,
	LD_HAS_FPAMASK	= 1 << 17,
	LD_HAS_OVERFLOW	= 1 << 18,
};

/*
 * The key of a backup: a real (addr, port) or a virtual (addr, port; the
 * protocol is the virtual's own, bind ID 0). family 0: no backup.
 */
struct ld_backup {
	struct ld_addr addr;
	uint16_t port;
};

struct ld_virtual {
	struct ld_addr addr;
	uint16_t port;
	uint8_t protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t bind_id;
	char sched[LDIR_SCHED_NAME_MAX];
	uint8_t state;			/* enum ldir_state */
	uint32_t nlinks;
	uint32_t conns;
	uint8_t startup;		/* enum ldir_startup */
	uint8_t startup_pct;
	uint16_t startup_window;
	struct ld_backup backup;
	bool failed;			/* read only: every real failed */
	bool ext;			/* the kernel reported the settings
					 * of the scheduling settings (startup, backup, ...)
					 */
	struct ld_stats stats;
	uint32_t fpa_interval;		/* s, 0 = no FPA */
	uint8_t fpa_mask;		/* prefix length */
	uint8_t overflow;		/* 0 or 1 */
	uint32_t nbinds;
	unsigned int has;
	uint32_t flags;			/* LDIR_VIRTUAL_F_* */
};

struct ld_real {
	struct ld_addr addr;
	uint16_t port;
	uint32_t weight;
	uint32_t max_conns;
	uint8_t state;
	uint32_t active;
	uint32_t conns;
	uint32_t nlinks;
	uint32_t syn_threshold;
	uint32_t fail_threshold;
	uint32_t idle_timeout;		/* s, 0: the global timeouts */
	struct ld_backup backup;
	/* read only */
	uint32_t unanswered;		/* SYNs without a SYN-ACK */
	uint32_t ditched;
	uint32_t ditch_consec;
	uint32_t response_us;		/* R */
	uint32_t age_ms;
	int64_t pr;			/* PR, us */
	uint32_t retry_ms;		/* with LD_HAS_RETRY: while failed */
	bool ext;			/* the kernel reported them */
	struct ld_stats stats;
	unsigned int has;
};

struct ld_link {
	struct ld_virtual virt;		/* key fields only */
	struct ld_real real;		/* key fields only */
	uint16_t port;			/* the real's port for this virtual */
	uint32_t active;
	uint32_t conns;
	struct ld_stats stats;
};

struct ld_conn {
	uint8_t protocol;
	struct ld_addr client;
	uint16_t client_port;
	struct ld_addr virt;
	uint16_t virt_port;
	struct ld_addr real;
	uint16_t real_port;
	uint8_t state;			/* enum ldir_conn_state */
	uint32_t expires_ms;
	bool fastpath;			/* on the fast path */
};

/* A client prefix assigned to an instance (seed 002 "assign"). */
struct ld_bind {
	struct ld_virtual virt;		/* key fields only, bind_id != 0 */
	struct ld_addr client;		/* host bits zero */
	uint8_t plen;
};

/* A foreign physical association: client (masked) -> real. */
struct ld_fpa {
	struct ld_virtual virt;		/* key fields only */
	struct ld_addr client;
	uint8_t plen;
	struct ld_real real;		/* key fields only */
	uint32_t age_ms;
};

/* Settings, indexed by enum ldir_config_attrs; has: bit per index. */
struct ld_config {
	uint32_t v[LDIR_CONFIG_A_MAX + 1];
	unsigned int has;
};

struct ld_global {
	struct ld_stats stats;
	struct ld_config config;
};

/* A growable array of one object type. */
struct ld_list {
	void *v;
	size_t n;
	size_t cap;
	size_t size;
};

#define LD_LIST_INIT(type)	{ .size = sizeof(type) }
#define ld_list_at(l, type, i)	(&((type *)(l)->v)[i])

void *ld_list_add(struct ld_list *l);
void ld_list_clear(struct ld_list *l);
/* Empties the list, keeps its memory: the reset of a retried dump. */
void ld_list_reset(void *list);

void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);

/* Names: NULL when the value has none. */
const char *ld_proto_name(uint8_t proto);
const char *ld_state_name(uint8_t state);
const char *ld_conn_state_name(uint8_t state);	/* lower case */
const char *ld_startup_name(uint8_t startup);
const char *ld_event_name(uint8_t type);
extern const char *const ld_stats_names[LDIR_STATS_A_MAX + 1];
/*
 * The schemes the module has (its scheduler ops), NULL-terminated: the one
 * list help, completion (through help) and the docs' check read.
 */
extern const char *const ld_sched_names[];
extern const char *const ld_config_names[LDIR_CONFIG_A_MAX + 1];

bool ld_addr_eq(const struct ld_addr *a, const struct ld_addr *b);
/* "192.0.2.1" or "2001:db8::1"; buf has INET6_ADDRSTRLEN bytes */
const char *ld_addr_str(const struct ld_addr *a, char *buf);
/* "192.0.2.1:80" or "[2001:db8::1]:80"; buf has LD_EP_STRLEN bytes */
const char *ld_ep_str(const struct ld_addr *a, uint16_t port, char *buf);
/* "198.51.100.0/24"; buf has LD_EP_STRLEN bytes */
const char *ld_prefix_str(const struct ld_addr *a, uint8_t plen, char *buf);
/*
 * The key of a virtual instance as the commands take it:
 * "tcp 192.0.2.10:80 bind 1" (" bind ID" if not 0); buf has LD_VKEY_STRLEN
 * bytes.
 */
#define LD_VKEY_STRLEN	(LD_EP_STRLEN + 20)
const char *ld_vkey_str(const struct ld_virtual *v, char *buf);

bool ld_virtual_key_eq(const struct ld_virtual *a, const struct ld_virtual *b);
bool ld_real_key_eq(const struct ld_real *a, const struct ld_real *b);

#endif /* LDCTL_MODEL_H */
