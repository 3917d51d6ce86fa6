/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection objects (seed 001 Fig. 3C): one client connection through a
 * virtual to a real, hashed by both directions in an RCU table.
 */
#ifndef _LDIR_CONN_H
#define _LDIR_CONN_H

#include <linux/netfilter.h>
#include <linux/tcp.h>

#include "netns.h"
#include "virtual.h"

/* Both directions of a conn, as seen on the wire. */
enum {
	LDIR_DIR_ORIG,		/* client -> VIP */
	LDIR_DIR_REPLY,		/* real -> client */
	LDIR_DIR_MAX,
};

/* An IPv4 address in a conn. The conn is the object there are a million
 * of, so it holds 4 bytes, not a 16-byte union nf_inet_addr: 112 bytes a
 * conn instead of 144 (the bound is 128). IPv6 conns, when their datapath
 * lands, get a struct and a cache of their own.
 */
struct ldir_addr4 {
	__be32 ip;
};

struct ldir_conn {
	struct hlist_node hnode[LDIR_DIR_MAX];
	unsigned long expires;		/* jiffies */
	struct ldir_link *link;		/* holds a reference */
	struct ldir_real *real;		/* link's real or its backup; holds a ref */
	/* the virtual the client addressed: the link's, or one whose backup
	 * the link belongs to; only compared, never dereferenced (a virtual
	 * flushes its conns before it goes)
	 */
	const struct ldir_virtual *virt;
	struct rcu_head rcu;
	unsigned long flags;		/* atomic bitops: LDIR_CONN_B_* */

	struct ldir_addr4 caddr;	/* client */
	struct ldir_addr4 vaddr;	/* virtual */
	struct ldir_addr4 raddr;	/* real */
	u32 tstamp;			/* us: multipurpose timer, var 333 */
	__be16 cport, vport, rport;
	u8 protocol;
	u8 family;			/* AF_INET */
	u8 state;			/* enum ldir_conn_state */
	u8 syns;			/* client SYN resends, no SYN-ACK yet */
	u32 syn_stamp;			/* jiffies: the client SYN last counted */
	/* the sequence number each side sends next, as far as the director
	 * can vouch for it (LDIR_CONN_B_SEQ + dir says whether it knows)
	 */
	u32 seq_next[LDIR_DIR_MAX];
};

enum {
	LDIR_CONN_B_ACTIVE,		/* counted in NC */
	LDIR_CONN_B_DEAD,		/* unhashed */
	LDIR_CONN_B_UNANSWERED,		/* counted in real->unanswered */
	LDIR_CONN_B_TIMING,		/* tstamp runs: no R sample yet */
	LDIR_CONN_B_CDATA,		/* tstamp moved to the client's data */
	LDIR_CONN_B_PROBE,		/* sent to a failed real as a probe */
	LDIR_CONN_B_SEQ,		/* seq_next[LDIR_DIR_ORIG] is known */
	LDIR_CONN_B_SEQ_REPLY,		/* seq_next[LDIR_DIR_REPLY] is known */
	LDIR_CONN_B_EMBRYONIC,		/* counted in conns.embryonic */
};

/* How far a segment's sequence or acknowledgment number may be from what
 * the director expects for it to move the conn on: more than the data in
 * flight one way on most paths, 1/1024 of the sequence space.
 */
#define LDIR_SEQ_WINDOW		(4U << 20)

/* Lookup key: the packet's addresses and ports as seen on the wire. */
struct ldir_tuple {
	union nf_inet_addr saddr, daddr;
	__be16 sport, dport;
	u8 protocol;
	u8 family;
};

struct ldir_conn *ldir_conn_lookup_rcu(struct ldir_net *ln,
				       const struct ldir_tuple *t, int dir);
struct ldir_conn *ldir_conn_create(struct ldir_net *ln,
				   const struct ldir_tuple *t,
				   struct ldir_link *link,
				   struct ldir_real *real, __be16 rport,
				   u8 state);
bool ldir_conn_kill(struct ldir_net *ln, struct ldir_conn *cp);
void ldir_conn_update_state(struct ldir_net *ln, struct ldir_conn *cp,
			    int dir, const struct tcphdr *th,
			    unsigned int payload);
void ldir_conn_timing(struct ldir_net *ln, struct ldir_conn *cp, int dir);
typedef bool (*ldir_conn_match_t)(const struct ldir_conn *cp, const void *arg);
unsigned int ldir_conn_flush_match(struct ldir_net *ln, ldir_conn_match_t match,
				   const void *arg);
unsigned int ldir_conn_flush(struct ldir_net *ln, const struct ldir_link *link,
			     const struct ldir_virtual *virt,
			     const struct ldir_real *real);
unsigned int ldir_conn_gc_scan(struct ldir_net *ln, unsigned int n);
u32 ldir_conn_embryonic_max(const struct ldir_net *ln);
bool ldir_conn_evict(struct ldir_net *ln, const struct ldir_tuple *t);

/* Under SYN pressure (see conn.c)? Lockless. */
static inline bool ldir_conn_pressure(const struct ldir_net *ln)
{
	return READ_ONCE(ln->conns.pressure);
}

int ldir_conn_cache_init(void);
void ldir_conn_cache_uninit(void);
void ldir_conn_table_init(struct ldir_net *ln);
int ldir_conn_table_alloc(struct ldir_net *ln);
void ldir_conn_table_uninit(struct ldir_net *ln);

u8 ldir_tcp_next_state(u8 state, int dir, bool syn, bool ack, bool fin,
		       bool rst);

/* Walks the table for dumps: returns the conn at (*bucket, *idx) and moves
 * the cursor on; NULL at the end. Caller holds rcu_read_lock().
 */
struct ldir_conn *ldir_conn_dump_next(struct ldir_net *ln,
				      unsigned int *bucket, unsigned int *idx);

#endif /* _LDIR_CONN_H */
