// SPDX-License-Identifier: GPL-2.0
/*
 * ldfuzz-nl: a generic-netlink fuzzer for the "ldir" family.
 *
 *   ldfuzz-nl [-m chaos|reject] [-s SEED] [-n MSGS] [-t SECS] [-u]
 *
 * Sends MSGS requests (or for SECS seconds, whichever ends first) on the
 * namespace of the calling process, built from every command and attribute
 * of uapi/linux/ldir.h: well-formed requests on a small pool of keys (so
 * that NEW, SET, DEL, LINK and BIND meet each other's objects and the
 * handlers run to the end), mixed with mutated ones: wrong attribute types,
 * sizes and values, duplicated and dropped attributes, nests full of
 * garbage or nested deep, lies in nla_len and nlmsg_len, truncated
 * messages, odd header fields; several requests in one sendmsg(); dumps
 * left half read on a socket that is then closed, and batches whose
 * replies are never read.
 *
 * -m chaos   (default) anything goes, FLUSH and CONFIG_SET included: run
 *            it in a namespace whose configuration does not matter.
 * -m reject  every request that could change the configuration carries a
 *            defect the kernel must refuse (an unknown or read-only
 *            attribute, a lie in nla_len, a key of a wrong family, a
 *            backup or scheduler that does not exist, an object that
 *            already exists or does not, a prefix with host bits set ...),
 *            placed after valid changes to objects that exist, so that a
 *            handler that applies part of a request before it refuses the
 *            rest is caught: the configuration must be byte for byte what
 *            it was (the caller compares), and every such request must
 *            get an error (this tool checks: exit 1 otherwise). The keys
 *            come from dumps of the namespace's own configuration.
 * -u         the sender has no right to change anything (run it as an
 *            unprivileged user): every request that could change the
 *            configuration must be refused (exit 1 otherwise).
 *
 * Prints the seed first (the same seed sends the same requests), and at
 * the end a histogram of the replies by command and errno and the
 * kernel's extack messages by count, which shows how deep the requests
 * got (a fuzzer that only hears "attribute type invalid" is useless).
 * Exit: 0, or 1 on a finding (reject mode: a defective request accepted)
 * or a netlink error of the tool itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ldir.h>

#ifndef NLA_ALIGN
#define NLA_ALIGN(len) (((len) + 3) & ~3)
#endif

#define BUF_SZ		65536
#define MAX_BATCH	8
#define NCMD		(LDIR_CMD_MAX + 2)	/* and one for "out of range" */

static const char *const cmd_names[NCMD] = {
	[LDIR_CMD_UNSPEC] = "UNSPEC",
	[LDIR_CMD_VIRTUAL_NEW] = "VIRTUAL_NEW",
	[LDIR_CMD_VIRTUAL_SET] = "VIRTUAL_SET",
	[LDIR_CMD_VIRTUAL_DEL] = "VIRTUAL_DEL",
	[LDIR_CMD_VIRTUAL_GET] = "VIRTUAL_GET",
	[LDIR_CMD_REAL_NEW] = "REAL_NEW",
	[LDIR_CMD_REAL_SET] = "REAL_SET",
	[LDIR_CMD_REAL_DEL] = "REAL_DEL",
	[LDIR_CMD_REAL_GET] = "REAL_GET",
	[LDIR_CMD_LINK_NEW] = "LINK_NEW",
	[LDIR_CMD_LINK_DEL] = "LINK_DEL",
	[LDIR_CMD_LINK_GET] = "LINK_GET",
	[LDIR_CMD_CONN_GET] = "CONN_GET",
	[LDIR_CMD_STATS_GET] = "STATS_GET",
	[LDIR_CMD_CONFIG_SET] = "CONFIG_SET",
	[LDIR_CMD_FLUSH] = "FLUSH",
	[LDIR_CMD_EVENT] = "EVENT",
	[LDIR_CMD_BIND_NEW] = "BIND_NEW",
	[LDIR_CMD_BIND_DEL] = "BIND_DEL",
	[LDIR_CMD_BIND_GET] = "BIND_GET",
	[LDIR_CMD_FPA_GET] = "FPA_GET",
	[LDIR_CMD_FPA_FLUSH] = "FPA_FLUSH",
	[LDIR_CMD_FASTPATH_NEW] = "FASTPATH_NEW",
	[LDIR_CMD_FASTPATH_DEL] = "FASTPATH_DEL",
	[LDIR_CMD_FASTPATH_GET] = "FASTPATH_GET",
	[LDIR_CMD_CONN_NEW] = "CONN_NEW",
	[LDIR_CMD_CONN_DEL] = "CONN_DEL",
	[LDIR_CMD_SYNC] = "SYNC",
	[LDIR_CMD_MAX + 1] = "OUT_OF_RANGE",
};

static int is_dump(int cmd)
{
	return cmd == LDIR_CMD_VIRTUAL_GET || cmd == LDIR_CMD_REAL_GET ||
	       cmd == LDIR_CMD_LINK_GET || cmd == LDIR_CMD_CONN_GET ||
	       cmd == LDIR_CMD_BIND_GET || cmd == LDIR_CMD_FPA_GET ||
	       cmd == LDIR_CMD_FASTPATH_GET;
}

static int is_read(int cmd)
{
	return is_dump(cmd) || cmd == LDIR_CMD_STATS_GET;
}

/* ---- the random source: xorshift64*, reproducible from the seed -------- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* one chance in n */
static int one_in(uint32_t n)
{
	return rnd(n) == 0;
}

/* ---- the message being built ------------------------------------------ */

struct msg {
	uint8_t d[BUF_SZ];
	size_t len;
	int mut;		/* 0: well-formed; else 1 in mut attributes mutated */
	int protect;		/* > 0: no mutation (keys, poisons in reject mode) */
};

static void put_raw(struct msg *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->d))
		n = sizeof(m->d) - m->len;
	memcpy(m->d + m->len, p, n);
	m->len += n;
}

static void pad(struct msg *m)
{
	static const uint8_t z[4];

	put_raw(m, z, NLA_ALIGN(m->len) - m->len);
}

static void put_random(struct msg *m, size_t n)
{
	uint8_t b[256];
	size_t i;

	if (n > sizeof(b))
		n = sizeof(b);
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd64();
	put_raw(m, b, n);
}

static int mutating(struct msg *m)
{
	return m->mut && !m->protect && one_in(m->mut);
}

/* a random attribute type, near the real ones mostly */
static uint16_t rnd_type(void)
{
	switch (rnd(6)) {
	case 0: return (uint16_t)rnd(65536);
	case 1: return (uint16_t)(rnd(40) | NLA_F_NESTED);
	case 2: return (uint16_t)(rnd(40) | NLA_F_NET_BYTEORDER);
	default: return (uint16_t)rnd(30);
	}
}

static size_t hdr_at(struct msg *m, uint16_t type)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN, .nla_type = type };
	size_t off = m->len;

	put_raw(m, &a, sizeof(a));
	return off;
}

static void set_len(struct msg *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->d + off);

	a->nla_len = (uint16_t)(m->len - off);
}

/* a lie in nla_len: past the end, shorter than the header, odd, 0 */
static void lie_len(struct msg *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->d + off);

	switch (rnd(5)) {
	case 0: a->nla_len = (uint16_t)(a->nla_len + 4 + rnd(200)); break;
	case 1: a->nla_len = (uint16_t)rnd(NLA_HDRLEN); break;
	case 2: a->nla_len = (uint16_t)(a->nla_len - 1 - rnd(a->nla_len)); break;
	case 3: a->nla_len = (uint16_t)(a->nla_len + 1 + rnd(3)); break;
	default: a->nla_len = 0xffff; break;
	}
}

/* put: an attribute of @type with @n bytes of @p, mutated in one of many
 * ways with the message's probability.
 */
static void put(struct msg *m, uint16_t type, const void *p, size_t n)
{
	size_t off;

	if (mutating(m)) {
		switch (rnd(9)) {
		case 0:		/* dropped */
			return;
		case 1:		/* twice */
			off = hdr_at(m, type);
			put_raw(m, p, n);
			set_len(m, off);
			pad(m);
			break;
		case 2:		/* another type */
			type = rnd_type();
			break;
		case 3:		/* shorter */
			n = rnd((uint32_t)n + 1);
			break;
		case 4:		/* longer */
			off = hdr_at(m, type);
			put_raw(m, p, n);
			put_random(m, 1 + rnd(20));
			set_len(m, off);
			pad(m);
			return;
		case 5:		/* other bytes */
			off = hdr_at(m, type);
			put_random(m, n);
			set_len(m, off);
			pad(m);
			return;
		case 6:		/* a lie in its length */
			off = hdr_at(m, type);
			put_raw(m, p, n);
			set_len(m, off);
			lie_len(m, off);
			pad(m);
			return;
		case 7:		/* extreme values of the same size */
			off = hdr_at(m, type);
			if (one_in(2)) {
				static const uint8_t ff[16] = {
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
				put_raw(m, ff, n > 16 ? 16 : n);
			} else {
				static const uint8_t z[16];

				put_raw(m, z, n > 16 ? 16 : n);
			}
			set_len(m, off);
			pad(m);
			return;
		default:	/* a stray attribute beside it */
			off = hdr_at(m, rnd_type());
			put_random(m, rnd(24));
			set_len(m, off);
			pad(m);
			break;
		}
	}
	off = hdr_at(m, type);
	put_raw(m, p, n);
	set_len(m, off);
	pad(m);
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v) { put(m, t, &v, 1); }
static void put_u16(struct msg *m, uint16_t t, uint16_t v) { put(m, t, &v, 2); }
static void put_u32(struct msg *m, uint16_t t, uint32_t v) { put(m, t, &v, 4); }
static void put_flag(struct msg *m, uint16_t t) { put(m, t, NULL, 0); }

static void put_str(struct msg *m, uint16_t t, const char *s)
{
	put(m, t, s, strlen(s) + 1);
}

/* a nest: nest_end() closes it, or fills it with garbage, or lies in its
 * length, or wraps it in more nests
 */
static size_t nest_start(struct msg *m, uint16_t type)
{
	if (mutating(m) && one_in(3))
		type = rnd_type();
	/* strict validation wants NLA_F_NESTED: without it now and then */
	return hdr_at(m, type | (mutating(m) && one_in(2) ? 0 : NLA_F_NESTED));
}

static void nest_end(struct msg *m, size_t off)
{
	set_len(m, off);
	if (mutating(m)) {
		switch (rnd(4)) {
		case 0:		/* garbage inside */
			put_random(m, 1 + rnd(64));
			set_len(m, off);
			break;
		case 1:		/* emptied */
			m->len = off + NLA_HDRLEN;
			set_len(m, off);
			break;
		case 2:
			lie_len(m, off);
			break;
		default: {	/* garbage attributes inside */
			int i, n = 1 + rnd(6);

			for (i = 0; i < n; i++) {
				size_t a = hdr_at(m, rnd_type());

				put_random(m, rnd(20));
				set_len(m, a);
				pad(m);
			}
			set_len(m, off);
			break;
		}
		}
	}
	pad(m);
}

/* a deep tower of nests around garbage */
static void put_deep(struct msg *m, uint16_t type)
{
	size_t offs[64];
	int i, depth = 1 + rnd(64);

	for (i = 0; i < depth; i++)
		offs[i] = hdr_at(m, (i ? rnd_type() : type) | NLA_F_NESTED);
	put_random(m, rnd(16));
	pad(m);
	while (i--)
		set_len(m, offs[i]);
}

/* ---- keys -------------------------------------------------------------- */

struct vkey {
	uint16_t family;
	uint8_t addr[16];
	uint16_t port;		/* network order */
	uint8_t proto;
	uint32_t bind_id;
};

struct rkey {
	uint16_t family;
	uint8_t addr[16];
	uint16_t port;
};

#define MAXKEYS 256
static struct vkey vkeys[MAXKEYS];
static int nvkeys;
static struct rkey rkeys[MAXKEYS];
static int nrkeys;
/* links seen in a dump (reject mode): indexes into the key tables */
static struct { struct vkey v; struct rkey r; uint16_t port; } lkeys[MAXKEYS];
static int nlkeys;

static void ip4(uint8_t *a, uint32_t host)
{
	uint32_t be = htonl(host);

	memset(a, 0, 16);
	memcpy(a, &be, 4);
}

/* chaos: a small pool, so that requests meet each other's objects */
static void chaos_vkey(struct vkey *k)
{
	static const uint16_t ports[] = { 0, 80, 53, 8080 };

	k->family = AF_INET;
	ip4(k->addr, 0xc6336401 + rnd(4));	/* 198.51.100.1-4 */
	k->port = htons(ports[rnd(4)]);
	k->proto = one_in(2) ? 6 : 17;
	k->bind_id = one_in(3) ? 1 + rnd(2) : 0;
}

static void chaos_rkey(struct rkey *k)
{
	static const uint16_t ports[] = { 0, 80, 8080 };

	k->family = AF_INET;
	ip4(k->addr, 0x0a090001 + rnd(24));	/* 10.9.0.1-24 */
	k->port = htons(ports[rnd(3)]);
}

static void put_vkey(struct msg *m, const struct vkey *k)
{
	put_u16(m, LDIR_VIRTUAL_A_FAMILY, k->family);
	put(m, LDIR_VIRTUAL_A_ADDR, k->addr, 16);
	put(m, LDIR_VIRTUAL_A_PORT, &k->port, 2);
	put_u8(m, LDIR_VIRTUAL_A_PROTOCOL, k->proto);
	if (k->bind_id || one_in(4))
		put_u32(m, LDIR_VIRTUAL_A_BIND_ID, k->bind_id);
}

static void put_rkey(struct msg *m, const struct rkey *k)
{
	put_u16(m, LDIR_REAL_A_FAMILY, k->family);
	put(m, LDIR_REAL_A_ADDR, k->addr, 16);
	if (k->port || one_in(3))
		put(m, LDIR_REAL_A_PORT, &k->port, 2);
}

/* ---- well-formed (mostly) requests ------------------------------------- */

static const char *const scheds[] = {
	"rr", "wrr", "lc", "wlc", "pr", "hash3", "hash5", "maglev",
	"", "nosuch", "rrrrrrrrrrrrrrr",
};

static void virtual_opts(struct msg *m, int nopt)
{
	struct vkey b;
	size_t n;
	int i;

	for (i = 0; i < nopt; i++) {
		switch (rnd(10)) {
		case 0:
			put_str(m, LDIR_VIRTUAL_A_SCHED,
				scheds[one_in(8) ? rnd(11) : rnd(8)]);
			break;
		case 1: put_u8(m, LDIR_VIRTUAL_A_STATE, 1 + rnd(2)); break;
		case 2: put_u8(m, LDIR_VIRTUAL_A_STARTUP, rnd(2)); break;
		case 3: put_u8(m, LDIR_VIRTUAL_A_STARTUP_PCT, 1 + rnd(100)); break;
		case 4: put_u16(m, LDIR_VIRTUAL_A_STARTUP_WINDOW, 1 + rnd(256)); break;
		case 5:
			n = nest_start(m, LDIR_VIRTUAL_A_BACKUP);
			if (!one_in(4)) {
				if (nvkeys && one_in(2))
					b = vkeys[rnd(nvkeys)];
				else
					chaos_vkey(&b);
				put_vkey(m, &b);
			}
			nest_end(m, n);
			break;
		case 6: put_u32(m, LDIR_VIRTUAL_A_FLAGS, one_in(4)); break;
		case 7: put_u32(m, LDIR_VIRTUAL_A_FPA_INTERVAL, rnd(3) * rnd(600)); break;
		case 8: put_u8(m, LDIR_VIRTUAL_A_FPA_MASK, rnd(33)); break;
		default: put_u8(m, LDIR_VIRTUAL_A_OVERFLOW, rnd(2)); break;
		}
	}
}

static void real_opts(struct msg *m, int nopt)
{
	struct rkey b;
	size_t n;
	int i;

	for (i = 0; i < nopt; i++) {
		switch (rnd(8)) {
		case 0: put_u32(m, LDIR_REAL_A_WEIGHT, one_in(4) ? 0 : rnd(65536)); break;
		case 1: put_u32(m, LDIR_REAL_A_MAX_CONNS, rnd(3) * rnd(100000)); break;
		case 2: put_u8(m, LDIR_REAL_A_STATE, 1 + rnd(2)); break;
		case 3: put_u32(m, LDIR_REAL_A_SYN_THRESHOLD, 1 + rnd(65535)); break;
		case 4: put_u32(m, LDIR_REAL_A_FAIL_THRESHOLD, rnd(65536)); break;
		case 5: put_u32(m, LDIR_REAL_A_IDLE_TIMEOUT, rnd(2) * rnd(3600)); break;
		default:
			n = nest_start(m, LDIR_REAL_A_BACKUP);
			if (!one_in(4)) {
				if (nrkeys && one_in(2))
					b = rkeys[rnd(nrkeys)];
				else
					chaos_rkey(&b);
				put_rkey(m, &b);
			}
			nest_end(m, n);
			break;
		}
	}
}

static void config_opts(struct msg *m, int nopt)
{
	int i, t;

	for (i = 0; i < nopt; i++) {
		t = LDIR_CONFIG_A_CONN_MAX + rnd(LDIR_CONFIG_A_MAX);
		switch (t) {
		case LDIR_CONFIG_A_CONN_MAX:
			put_u32(m, t, 1 + rnd(200000));
			break;
		case LDIR_CONFIG_A_CONN_COUNT:
			break;
		case LDIR_CONFIG_A_SYN_RESENDS:
			put_u32(m, t, 1 + rnd(255));
			break;
		case LDIR_CONFIG_A_PR_AGE_DIV:
			put_u32(m, t, 1 + rnd(1000000));
			break;
		case LDIR_CONFIG_A_PR_CLAMP_PCT:
			put_u32(m, t, 1 + rnd(100));
			break;
		case LDIR_CONFIG_A_FPA_MAX:
		case LDIR_CONFIG_A_VIRTUAL_MAX:
		case LDIR_CONFIG_A_REAL_MAX:
		case LDIR_CONFIG_A_LINK_MAX:
		case LDIR_CONFIG_A_BIND_MAX:
			put_u32(m, t, one_in(4) ? rnd(8) : 1000 + rnd(100000));
			break;
		default:	/* timeouts */
			put_u32(m, t, 1 + rnd(one_in(8) ? LDIR_TIMEOUT_MAX : 600));
			break;
		}
	}
}

static void pick_vkey(struct vkey *k)
{
	if (nvkeys && !one_in(4))
		*k = vkeys[rnd(nvkeys)];
	else
		chaos_vkey(k);
}

static void pick_rkey(struct rkey *k)
{
	if (nrkeys && !one_in(4))
		*k = rkeys[rnd(nrkeys)];
	else
		chaos_rkey(k);
}

static void remember_v(const struct vkey *k)
{
	if (nvkeys < MAXKEYS)
		vkeys[nvkeys++] = *k;
	else
		vkeys[rnd(MAXKEYS)] = *k;
}

static void remember_r(const struct rkey *k)
{
	if (nrkeys < MAXKEYS)
		rkeys[nrkeys++] = *k;
	else
		rkeys[rnd(MAXKEYS)] = *k;
}

static void put_link(struct msg *m, const struct vkey *v, const struct rkey *r,
		     int port)
{
	size_t n, a;

	n = nest_start(m, LDIR_A_LINK);
	a = nest_start(m, LDIR_LINK_A_VIRTUAL);
	put_vkey(m, v);
	nest_end(m, a);
	a = nest_start(m, LDIR_LINK_A_REAL);
	put_rkey(m, r);
	nest_end(m, a);
	if (port >= 0) {
		uint16_t p = htons((uint16_t)port);

		put(m, LDIR_LINK_A_PORT, &p, 2);
	}
	nest_end(m, n);
}

static void put_bind(struct msg *m, const struct vkey *v, uint32_t prefix,
		     int plen)
{
	uint8_t a16[16];
	size_t n, a;

	n = nest_start(m, LDIR_A_BIND);
	a = nest_start(m, LDIR_BIND_A_VIRTUAL);
	put_vkey(m, v);
	nest_end(m, a);
	put_u16(m, LDIR_BIND_A_FAMILY, AF_INET);
	ip4(a16, prefix);
	put(m, LDIR_BIND_A_ADDR, a16, 16);
	put_u8(m, LDIR_BIND_A_PREFIX_LEN, (uint8_t)plen);
	nest_end(m, n);
}

/* a client prefix: host bits zero, mostly */
static void rnd_prefix(uint32_t *p, int *plen)
{
	*plen = one_in(8) ? (int)rnd(40) : 8 + (int)rnd(25);
	*p = 0x0a000000 | (rnd(4) << 8);	/* 10.0.0-3.0 */
	if (*plen > 0 && *plen < 32)
		*p &= ~0U << (32 - *plen);
	else if (*plen == 0)
		*p = 0;
}

/* ---- fast-path devices and conn records -------------------------------- */

/* the namespace's devices (if_nameindex()), and those in the fast path
 * (reject mode: from a dump; chaos does not keep track)
 */
#define MAXDEVS 32
static char devs[MAXDEVS][IFNAMSIZ];
static int ndevs;
static char fpdevs[MAXDEVS][IFNAMSIZ];
static int nfpdevs;

static void learn_devs(void)
{
	struct if_nameindex *ni = if_nameindex(), *p;

	if (!ni)
		return;
	for (p = ni; p->if_index && ndevs < MAXDEVS; p++)
		snprintf(devs[ndevs++], IFNAMSIZ, "%s", p->if_name);
	if_freenameindex(ni);
}

static int in_fastpath(const char *name)
{
	int i;

	for (i = 0; i < nfpdevs; i++)
		if (!strcmp(fpdevs[i], name))
			return 1;
	return 0;
}

/* a device of the namespace mostly; else one that does not exist, an
 * empty name, names of the longest length and one past it
 */
static const char *chaos_dev(void)
{
	static const char *const odd[] = {
		"nosuchdev0", "", "lo ", "0123456789abcde", "0123456789abcdef",
		"../lo", "*",
	};

	if (ndevs && !one_in(3))
		return devs[rnd(ndevs)];
	return odd[rnd(7)];
}

/* conn records as CONN_GET dumps them (the LDIR_A_CONN nest's payload):
 * a CONN_NEW of one is a sync record that may well be taken
 */
#define MAXRECS 64
static struct { uint8_t d[512]; uint16_t n; } recs[MAXRECS];
static int nrecs;

static void learn_rec(const uint8_t *p, size_t n)
{
	int i = nrecs < MAXRECS ? nrecs++ : (int)rnd(MAXRECS);

	if (n > sizeof(recs[i].d))
		n = sizeof(recs[i].d);
	memcpy(recs[i].d, p, n);
	recs[i].n = (uint16_t)n;
}

/* a record's attributes again, each through put() (chaos mutates them),
 * but for what a dump gives and a request may not (PAD, FASTPATH); with
 * @tuple_only the tuple alone (CONN_DEL)
 */
static void put_rec(struct msg *m, const uint8_t *p, size_t n, int tuple_only)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= n) {
		const struct nlattr *a = (const void *)(p + off);
		uint16_t t = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > n)
			break;
		if (t != LDIR_CONN_A_PAD && t != LDIR_CONN_A_FASTPATH &&
		    (!tuple_only || t <= LDIR_CONN_A_REAL_PORT))
			put(m, a->nla_type, p + off + NLA_HDRLEN,
			    a->nla_len - NLA_HDRLEN);
		off += NLA_ALIGN(a->nla_len);
	}
}

/* a conn record made up from the key pools: a client of 203.0.113.0/24
 * to a virtual's VIP:port, sent to a real; its digest is a guess
 */
static void synth_rec(struct msg *m, int full)
{
	struct vkey v;
	struct rkey r;
	uint8_t a[16];
	uint16_t port;
	uint64_t digest = rnd64();
	size_t n;

	pick_vkey(&v);
	pick_rkey(&r);
	put_u8(m, LDIR_CONN_A_PROTOCOL, v.proto);
	put_u16(m, LDIR_CONN_A_FAMILY, AF_INET);
	ip4(a, 0xcb007100 + rnd(256));
	put(m, LDIR_CONN_A_CLIENT_ADDR, a, 16);
	port = htons((uint16_t)(1024 + rnd(60000)));
	put(m, LDIR_CONN_A_CLIENT_PORT, &port, 2);
	put(m, LDIR_CONN_A_VIRTUAL_ADDR, v.addr, 16);
	port = v.port ? v.port : htons(80);
	put(m, LDIR_CONN_A_VIRTUAL_PORT, &port, 2);
	put(m, LDIR_CONN_A_REAL_ADDR, r.addr, 16);
	port = r.port ? r.port : htons(one_in(2) ? 80 : 8080);
	put(m, LDIR_CONN_A_REAL_PORT, &port, 2);
	if (!full)
		return;
	put_u8(m, LDIR_CONN_A_STATE, v.proto == 17 ? LDIR_CONN_S_UDP :
		(uint8_t)(LDIR_CONN_S_ESTABLISHED + rnd(4)));
	put_u32(m, LDIR_CONN_A_EXPIRES_MS, 1 + rnd(600000));
	n = nest_start(m, LDIR_CONN_A_VIRTUAL);
	put_vkey(m, &v);
	nest_end(m, n);
	n = nest_start(m, LDIR_CONN_A_REAL);
	put_rkey(m, &r);
	nest_end(m, n);
	put(m, LDIR_CONN_A_DIGEST, &digest, 8);
}

/* the body of a CONN_NEW or CONN_DEL: a learned record or a made-up
 * one, and now and then something that spoils it, last (the last
 * attribute of a type counts)
 */
static void conn_body(struct msg *m, int cmd)
{
	int del = cmd == LDIR_CMD_CONN_DEL;
	uint8_t a[16];
	uint16_t port;
	uint64_t digest;
	struct vkey v;
	struct rkey r;
	size_t n, k;

	n = nest_start(m, LDIR_A_CONN);
	if (nrecs && !one_in(3)) {
		k = rnd(nrecs);
		put_rec(m, recs[k].d, recs[k].n, del && !one_in(3));
	} else {
		synth_rec(m, !del || one_in(4));
	}
	if (one_in(3)) {
		switch (rnd(9)) {
		case 0:		/* another digest */
			digest = rnd64();
			put(m, LDIR_CONN_A_DIGEST, &digest, 8);
			break;
		case 1:		/* a virtual that may not be there */
			chaos_vkey(&v);
			k = nest_start(m, LDIR_CONN_A_VIRTUAL);
			put_vkey(m, &v);
			nest_end(m, k);
			break;
		case 2:		/* a real that may not be linked */
			chaos_rkey(&r);
			k = nest_start(m, LDIR_CONN_A_REAL);
			put_rkey(m, &r);
			nest_end(m, k);
			put(m, LDIR_CONN_A_REAL_ADDR, r.addr, 16);
			break;
		case 3:		/* any state */
			put_u8(m, LDIR_CONN_A_STATE, (uint8_t)rnd(LDIR_CONN_S_MAX + 2));
			break;
		case 4:		/* no time left, or more than the most */
			put_u32(m, LDIR_CONN_A_EXPIRES_MS,
				one_in(2) ? 0 : 7 * 86400 * 1000U + rnd(1000));
			break;
		case 5:		/* a removal */
			put_flag(m, LDIR_CONN_A_REMOVED);
			break;
		case 6:		/* port 0 */
			port = 0;
			put(m, one_in(2) ? LDIR_CONN_A_CLIENT_PORT :
					   LDIR_CONN_A_VIRTUAL_PORT, &port, 2);
			break;
		case 7:		/* 0.0.0.0, or IPv6 addresses on an IPv4 record */
			memset(a, 0, sizeof(a));
			if (one_in(2)) {
				a[0] = 0x20;
				a[1] = 0x01;
				a[15] = (uint8_t)rnd(256);
				put_u16(m, LDIR_CONN_A_FAMILY, AF_INET6);
			}
			put(m, LDIR_CONN_A_CLIENT_ADDR, a, 16);
			break;
		default:	/* another protocol */
			put_u8(m, LDIR_CONN_A_PROTOCOL, (uint8_t)rnd(256));
			break;
		}
	}
	nest_end(m, n);
}

/* body: the attributes of a chaos request for @cmd */
static void chaos_body(struct msg *m, int cmd)
{
	struct vkey v;
	struct rkey r;
	uint32_t p;
	int plen;
	size_t n;

	switch (cmd) {
	case LDIR_CMD_VIRTUAL_NEW:
	case LDIR_CMD_VIRTUAL_SET:
	case LDIR_CMD_VIRTUAL_DEL:
		if (cmd == LDIR_CMD_VIRTUAL_NEW)
			chaos_vkey(&v);
		else
			pick_vkey(&v);
		n = nest_start(m, LDIR_A_VIRTUAL);
		put_vkey(m, &v);
		if (cmd != LDIR_CMD_VIRTUAL_DEL)
			virtual_opts(m, rnd(6));
		nest_end(m, n);
		if (cmd == LDIR_CMD_VIRTUAL_NEW)
			remember_v(&v);
		break;
	case LDIR_CMD_REAL_NEW:
	case LDIR_CMD_REAL_SET:
	case LDIR_CMD_REAL_DEL:
		if (cmd == LDIR_CMD_REAL_NEW)
			chaos_rkey(&r);
		else
			pick_rkey(&r);
		n = nest_start(m, LDIR_A_REAL);
		put_rkey(m, &r);
		if (cmd != LDIR_CMD_REAL_DEL)
			real_opts(m, rnd(6));
		nest_end(m, n);
		if (cmd == LDIR_CMD_REAL_DEL && one_in(3))
			put_flag(m, LDIR_A_FLUSH);
		if (cmd == LDIR_CMD_REAL_NEW)
			remember_r(&r);
		break;
	case LDIR_CMD_LINK_NEW:
	case LDIR_CMD_LINK_DEL:
		pick_vkey(&v);
		pick_rkey(&r);
		put_link(m, &v, &r, one_in(2) ? -1 : (int)(one_in(2) ? 80 : rnd(65536)));
		if (cmd == LDIR_CMD_LINK_DEL && one_in(3))
			put_flag(m, LDIR_A_FLUSH);
		break;
	case LDIR_CMD_CONFIG_SET:
		n = nest_start(m, LDIR_A_CONFIG);
		config_opts(m, rnd(5));
		nest_end(m, n);
		break;
	case LDIR_CMD_FLUSH:
		if (one_in(2))
			put_flag(m, LDIR_A_FLUSH_CONNS_ONLY);
		break;
	case LDIR_CMD_BIND_NEW:
	case LDIR_CMD_BIND_DEL:
		pick_vkey(&v);
		if (!one_in(6) && !v.bind_id)
			v.bind_id = 1 + rnd(2);
		rnd_prefix(&p, &plen);
		put_bind(m, &v, p, plen);
		break;
	case LDIR_CMD_FPA_FLUSH:
		if (one_in(2)) {
			pick_vkey(&v);
			n = nest_start(m, LDIR_A_VIRTUAL);
			put_vkey(m, &v);
			nest_end(m, n);
		}
		break;
	case LDIR_CMD_FASTPATH_NEW:
	case LDIR_CMD_FASTPATH_DEL:
		n = nest_start(m, LDIR_A_FASTPATH);
		put_str(m, LDIR_FASTPATH_A_IFNAME, chaos_dev());
		if (one_in(10))		/* read only */
			put_u32(m, LDIR_FASTPATH_A_IFINDEX, 1 + rnd(8));
		nest_end(m, n);
		break;
	case LDIR_CMD_CONN_NEW:
	case LDIR_CMD_CONN_DEL:
		conn_body(m, cmd);
		break;
	default:
		/* reads take no attributes: give them some now and then */
		if (m->mut && one_in(4)) {
			n = hdr_at(m, rnd_type());
			put_random(m, rnd(32));
			set_len(m, n);
			pad(m);
		}
		break;
	}
	if (m->mut && one_in(6))	/* a tower of nests at the top level */
		put_deep(m, (uint16_t)(1 + rnd(LDIR_A_MAX)));
	if (m->mut && one_in(10))	/* a read-only nest given in a request */
		put_deep(m, one_in(2) ? LDIR_A_STATS : LDIR_A_EVENT);
}

/* ---- reject mode: valid changes to objects that exist, then a defect --- */

enum poison {
	P_UNKNOWN_ATTR,		/* a top-level attribute the op does not take */
	P_READONLY,		/* a read-only attribute in the object's nest */
	P_LEN_LIE,		/* the last attribute runs past the message */
	P_BAD_FAMILY,		/* the key's family is neither AF_INET nor AF_INET6 */
	P_SEMANTIC,		/* what only the handler can know */
	P_NOPERM,		/* -u: the sender may not change anything */
	__P_MAX
};

static const char *const poison_names[__P_MAX] = {
	"unknown-attr", "read-only", "len-lie", "bad-family", "semantic",
	"no-permission",
};

/* AF_INET6 is no defect: an IPv4 key made AF_INET6 is a valid IPv6
 * address (192.0.2.10 becomes c000:20a::), which VIRTUAL_NEW creates
 */
static uint16_t bad_family(void)
{
	static const uint16_t f[] = { AF_INET6 + 1, 0, 1, 3, 0xffff, AF_PACKET };

	return f[rnd(6)];
}

/* a key that no object has: a VIP, real or port outside the pools */
static void absent_vkey(struct vkey *k)
{
	if (nvkeys && one_in(2)) {
		*k = vkeys[rnd(nvkeys)];
		k->bind_id = 1000 + rnd(1000);	/* an instance nobody made */
	} else {
		k->family = AF_INET;
		ip4(k->addr, 0xcb007100 + rnd(256));	/* 203.0.113.x */
		k->port = htons((uint16_t)(1 + rnd(65535)));
		k->proto = one_in(2) ? 6 : 17;
		k->bind_id = 0;
	}
}

static void absent_rkey(struct rkey *k)
{
	k->family = AF_INET;
	ip4(k->addr, 0xcb007100 + rnd(256));
	k->port = htons((uint16_t)rnd(65536));
}

/* builds, into @m after the genl header, a request for @cmd that must be
 * refused; returns the poison used
 */
static int reject_body(struct msg *m, int cmd)
{
	int poison = rnd(P_NOPERM), sem = rnd(4), plen;
	struct vkey v;
	struct rkey r;
	size_t n, a;
	uint32_t p;

	/* keys and defects are never mutated: only the changes around them */
	switch (cmd) {
	case LDIR_CMD_VIRTUAL_NEW:
	case LDIR_CMD_VIRTUAL_SET:
	case LDIR_CMD_VIRTUAL_DEL:
		if (poison == P_SEMANTIC && (cmd == LDIR_CMD_VIRTUAL_DEL ||
					     sem == 0 || !nvkeys))
			absent_vkey(&v);	/* DEL/SET: ENOENT; NEW: below */
		else if (nvkeys)
			v = vkeys[rnd(nvkeys)];
		else
			absent_vkey(&v);
		if (poison == P_BAD_FAMILY)
			v.family = bad_family();
		/* the changes first, mutated maybe; then the key and the
		 * defect, which nothing mutates: a stray key attribute
		 * among the changes is overridden (the last one counts)
		 */
		m->protect++;
		n = nest_start(m, LDIR_A_VIRTUAL);
		m->protect--;
		if (cmd != LDIR_CMD_VIRTUAL_DEL)
			virtual_opts(m, 1 + rnd(6));
		m->protect++;
		put_vkey(m, &v);
		if (poison == P_READONLY)
			put_u32(m, LDIR_VIRTUAL_A_NLINKS + rnd(3), 0);
		if (poison == P_SEMANTIC && cmd != LDIR_CMD_VIRTUAL_DEL) {
			if (cmd == LDIR_CMD_VIRTUAL_NEW && sem == 0) {
				/* a fresh key: the defect is the sched */
				put_str(m, LDIR_VIRTUAL_A_SCHED, "no-such-sched");
			} else if (sem == 1 || !nvkeys) {
				put_str(m, LDIR_VIRTUAL_A_SCHED, "no-such-sched");
			} else if (sem == 2) {
				struct vkey b;

				absent_vkey(&b);
				a = nest_start(m, LDIR_VIRTUAL_A_BACKUP);
				put_vkey(m, &b);
				nest_end(m, a);
			} else if (cmd == LDIR_CMD_VIRTUAL_SET) {
				/* FLAGS are fixed at creation: the fixed
				 * configuration has no stateless virtual
				 */
				put_u32(m, LDIR_VIRTUAL_A_FLAGS, LDIR_VIRTUAL_F_STATELESS);
			}
			/* else: NEW of a key that exists */
		}
		nest_end(m, n);
		m->protect--;
		break;
	case LDIR_CMD_REAL_NEW:
	case LDIR_CMD_REAL_SET:
	case LDIR_CMD_REAL_DEL:
		if (poison == P_SEMANTIC && (cmd != LDIR_CMD_REAL_NEW) &&
		    (sem < 2 || cmd == LDIR_CMD_REAL_DEL || !nrkeys))
			absent_rkey(&r);
		else if (nrkeys)
			r = rkeys[rnd(nrkeys)];
		else
			absent_rkey(&r);
		if (poison == P_BAD_FAMILY)
			r.family = bad_family();
		m->protect++;
		n = nest_start(m, LDIR_A_REAL);
		m->protect--;
		if (cmd != LDIR_CMD_REAL_DEL)
			real_opts(m, 1 + rnd(6));
		m->protect++;
		put_rkey(m, &r);
		if (poison == P_READONLY)
			put_u32(m, LDIR_REAL_A_ACTIVE + rnd(3), 0);
		if (poison == P_SEMANTIC && cmd != LDIR_CMD_REAL_DEL &&
		    (cmd == LDIR_CMD_REAL_SET ? sem >= 2 : (sem < 2 || !nrkeys))) {
			struct rkey b;

			absent_rkey(&b);
			a = nest_start(m, LDIR_REAL_A_BACKUP);
			put_rkey(m, &b);
			nest_end(m, a);
		}
		/* REAL_NEW otherwise: a real that exists */
		nest_end(m, n);
		m->protect--;
		break;
	case LDIR_CMD_LINK_NEW:
	case LDIR_CMD_LINK_DEL:
		m->protect++;
		if (nlkeys && (cmd == LDIR_CMD_LINK_NEW || sem < 2)) {
			int i = rnd(nlkeys);

			v = lkeys[i].v;
			r = lkeys[i].r;
			p = lkeys[i].port;
		} else {
			if (nvkeys)
				v = vkeys[rnd(nvkeys)];
			else
				absent_vkey(&v);
			absent_rkey(&r);
			p = 80;
		}
		if (poison == P_BAD_FAMILY) {
			if (one_in(2))
				v.family = bad_family();
			else
				r.family = bad_family();
		}
		n = nest_start(m, LDIR_A_LINK);
		a = nest_start(m, LDIR_LINK_A_VIRTUAL);
		put_vkey(m, &v);
		if (poison == P_READONLY)
			put_u32(m, LDIR_VIRTUAL_A_NLINKS, 0);
		nest_end(m, a);
		a = nest_start(m, LDIR_LINK_A_REAL);
		put_rkey(m, &r);
		nest_end(m, a);
		if (cmd == LDIR_CMD_LINK_DEL && poison == P_SEMANTIC && sem < 2 &&
		    nlkeys) {
			/* a link that exists, with the wrong port */
			uint16_t wrong = htons((uint16_t)(p == 9 ? 10 : 9));

			put(m, LDIR_LINK_A_PORT, &wrong, 2);
		}
		/* LINK_NEW with an existing link: EEXIST whatever the port */
		else if (cmd == LDIR_CMD_LINK_NEW && one_in(2)) {
			uint16_t pp = htons((uint16_t)p);

			put(m, LDIR_LINK_A_PORT, &pp, 2);
		}
		nest_end(m, n);
		m->protect--;
		if (cmd == LDIR_CMD_LINK_DEL && one_in(2))
			put_flag(m, LDIR_A_FLUSH);
		break;
	case LDIR_CMD_CONFIG_SET:
		m->protect++;
		n = nest_start(m, LDIR_A_CONFIG);
		m->protect--;
		config_opts(m, 1 + rnd(5));
		m->protect++;
		if (poison == P_READONLY || poison == P_BAD_FAMILY ||
		    poison == P_SEMANTIC) {
			/* out of range, or read only */
			switch (rnd(4)) {
			case 0: put_u32(m, LDIR_CONFIG_A_CONN_MAX, 0); break;
			case 1: put_u32(m, LDIR_CONFIG_A_SYN_RESENDS, 256 + rnd(1000)); break;
			case 2: put_u32(m, LDIR_CONFIG_A_PR_CLAMP_PCT, 101 + rnd(1000)); break;
			default: put_u32(m, LDIR_CONFIG_A_CONN_COUNT, 5); break;
			}
		}
		nest_end(m, n);
		m->protect--;
		break;
	case LDIR_CMD_BIND_NEW:
	case LDIR_CMD_BIND_DEL:
		m->protect++;
		if (nvkeys)
			v = vkeys[rnd(nvkeys)];
		else
			absent_vkey(&v);
		rnd_prefix(&p, &plen);
		if (plen > 32)
			plen = 24;
		if (poison == P_BAD_FAMILY)
			v.family = bad_family();
		if (poison == P_SEMANTIC || poison == P_READONLY) {
			switch (sem) {
			case 0:		/* host bits */
				plen = 24;
				p = 0x0a000001 + (rnd(250) << 0);
				break;
			case 1:		/* bind id 0 */
				v.bind_id = 0;
				break;
			default:	/* no such instance */
				v.bind_id = 5000 + rnd(1000);
				break;
			}
		} else if (!v.bind_id) {
			v.bind_id = 5000 + rnd(1000);
		}
		put_bind(m, &v, p, plen);
		m->protect--;
		break;
	case LDIR_CMD_FLUSH:
		if (one_in(2))
			put_flag(m, LDIR_A_FLUSH_CONNS_ONLY);
		if (poison != P_LEN_LIE)
			poison = P_UNKNOWN_ATTR;
		break;
	case LDIR_CMD_FASTPATH_NEW:
	case LDIR_CMD_FASTPATH_DEL: {
		const char *name = NULL;
		char absent[IFNAMSIZ];
		int i;

		/* a name no device has, or for DEL one not in the set */
		snprintf(absent, sizeof(absent), "nosuchdev%u", rnd(100000));
		if (cmd == LDIR_CMD_FASTPATH_DEL && ndevs && one_in(2)) {
			i = rnd(ndevs);
			if (!in_fastpath(devs[i]))
				name = devs[i];
		} else if (cmd == LDIR_CMD_FASTPATH_NEW && nfpdevs && one_in(2)) {
			name = fpdevs[rnd(nfpdevs)];	/* EEXIST */
		}
		if (!name)
			name = absent;
		/* the unknown attribute and the lie go after a name that
		 * would do: any device for NEW
		 */
		if ((poison == P_UNKNOWN_ATTR || poison == P_LEN_LIE) &&
		    cmd == LDIR_CMD_FASTPATH_NEW && ndevs)
			name = devs[rnd(ndevs)];
		if (poison == P_BAD_FAMILY)	/* no family here */
			poison = P_SEMANTIC;
		m->protect++;
		n = nest_start(m, LDIR_A_FASTPATH);
		put_str(m, LDIR_FASTPATH_A_IFNAME,
			poison == P_READONLY && ndevs ? devs[rnd(ndevs)] : name);
		if (poison == P_READONLY)
			put_u32(m, LDIR_FASTPATH_A_IFINDEX, 1);
		nest_end(m, n);
		m->protect--;
		break;
	}
	case LDIR_CMD_CONN_NEW:
	case LDIR_CMD_CONN_DEL:
		m->protect++;
		n = nest_start(m, LDIR_A_CONN);
		if (nrecs && one_in(2)) {
			a = rnd(nrecs);
			put_rec(m, recs[a].d, recs[a].n,
				cmd == LDIR_CMD_CONN_DEL && one_in(2));
		} else {
			synth_rec(m, cmd == LDIR_CMD_CONN_NEW || one_in(2));
		}
		if (poison == P_READONLY) {
			put_flag(m, LDIR_CONN_A_FASTPATH);
		} else if (poison == P_BAD_FAMILY) {
			put_u16(m, LDIR_CONN_A_FAMILY, bad_family());
		} else if (poison == P_SEMANTIC && cmd == LDIR_CMD_CONN_NEW) {
			switch (sem) {
			case 0:		/* a removal, in a CONN_NEW */
				put_flag(m, LDIR_CONN_A_REMOVED);
				break;
			case 1:		/* no time left */
				put_u32(m, LDIR_CONN_A_EXPIRES_MS, 0);
				break;
			case 2:		/* no state a peer sends */
				put_u8(m, LDIR_CONN_A_STATE, LDIR_CONN_S_NONE);
				break;
			default: {	/* a virtual nobody made */
				absent_vkey(&v);
				a = nest_start(m, LDIR_CONN_A_VIRTUAL);
				put_vkey(m, &v);
				nest_end(m, a);
				break;
			}
			}
		} else if (poison == P_SEMANTIC) {
			uint8_t addr[16];
			uint16_t port = 0;

			switch (sem) {
			case 0:		/* a client nobody is: ENOENT */
				ip4(addr, 0xc6120000 + rnd(65536));	/* 198.18/16 */
				put(m, LDIR_CONN_A_CLIENT_ADDR, addr, 16);
				break;
			case 1:		/* another real: ESRCH, or ENOENT */
				absent_rkey(&r);
				port = htons(1 + rnd(65535));
				put(m, LDIR_CONN_A_REAL_ADDR, r.addr, 16);
				put(m, LDIR_CONN_A_REAL_PORT, &port, 2);
				break;
			case 2:		/* port 0 */
				put(m, LDIR_CONN_A_CLIENT_PORT, &port, 2);
				break;
			default:	/* neither TCP nor UDP */
				put_u8(m, LDIR_CONN_A_PROTOCOL, 1);
				break;
			}
		}
		nest_end(m, n);
		m->protect--;
		break;
	case LDIR_CMD_FPA_FLUSH:
		/* FPAs are no configuration: a plain request is fine */
		chaos_body(m, cmd);
		return -1;
	default:
		return -1;
	}
	m->protect++;
	if (poison == P_UNKNOWN_ATTR) {
		/* one the op's policy does not list (strict validation) */
		static const uint16_t t[] = { LDIR_A_STATS, LDIR_A_CONN,
					      LDIR_A_EVENT, LDIR_A_FPA,
					      LDIR_A_MAX + 1, 0x7fff };
		uint16_t type = t[rnd(6)];

		/* FLUSH: taken by REAL_DEL and LINK_DEL only */
		if (cmd != LDIR_CMD_REAL_DEL && cmd != LDIR_CMD_LINK_DEL &&
		    one_in(3))
			type = LDIR_A_FLUSH;
		n = hdr_at(m, type);
		put_random(m, 4 * rnd(4));
		set_len(m, n);
		pad(m);
	} else if (poison == P_LEN_LIE) {
		struct nlattr hdr = {
			.nla_len = (uint16_t)(NLA_HDRLEN + 8 + rnd(400)),
			.nla_type = LDIR_A_FLUSH,
		};

		/* a last attribute that claims more than the message has */
		put_raw(m, &hdr, sizeof(hdr));
		put_random(m, 4);
	}
	m->protect--;
	return poison;
}

/* ---- sending and receiving -------------------------------------------- */

static int family_id;
static uint32_t seq = 1;

struct slot {
	int cmd;
	int poison;		/* reject mode: the defect, -1 none */
	int want_reply;
};

#define NSLOT 4096
static struct slot slots[NSLOT];

/* counts[cmd][errno]: errno 0 = ack/done; 1..133; 134 "dump data" */
#define NERR 136
#define E_DUMP 134
static unsigned long counts[NCMD][NERR];
static unsigned long total_sent, total_batches, abandoned, unread, findings;
static unsigned long dump_intr;	/* dump messages flagged NLM_F_DUMP_INTR */
static unsigned long poison_sent[__P_MAX];

#define NMSG 256
static struct { char text[96]; unsigned long n; } msgs[NMSG];
static int nmsgs;

static void count_msg(const char *s, size_t len)
{
	int i;

	if (len > 95)
		len = 95;
	for (i = 0; i < nmsgs; i++)
		if (!strncmp(msgs[i].text, s, len) && msgs[i].text[len] == '\0') {
			msgs[i].n++;
			return;
		}
	if (nmsgs == NMSG)
		return;
	memcpy(msgs[nmsgs].text, s, len);
	msgs[nmsgs].text[len] = '\0';
	msgs[nmsgs++].n = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "ldfuzz-nl: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1, rcv = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	return fd;
}

static void hexdump(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x%s", p[i], (i % 32 == 31) ? "\n" : "");
	fprintf(stderr, "\n");
}

/* the kept copy of each request, for a finding's report */
static uint8_t sent_copy[NSLOT][512];
static uint16_t sent_len[NSLOT];

static void handle_error(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	struct slot *s = &slots[h->nlmsg_seq % NSLOT];
	int err = -e->error, cmd = s->cmd;
	size_t off;

	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(*e) || h->nlmsg_seq == 0)
		return;
	if (err < 0 || err >= E_DUMP)
		err = NERR - 1;
	counts[cmd][err]++;
	if (err == 0 && s->poison >= 0) {
		findings++;
		fprintf(stderr, "FINDING: %s with a defect (%s) was accepted, seq %u:\n",
			cmd_names[cmd], poison_names[s->poison], h->nlmsg_seq);
		hexdump(sent_copy[h->nlmsg_seq % NSLOT],
			sent_len[h->nlmsg_seq % NSLOT]);
	}
	s->want_reply = 0;
	/* extack TLVs: after the header the error echoes (CAP_ACK: no
	 * payload)
	 */
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a = (const void *)((const uint8_t *)h + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN)
			count_msg((const char *)a + NLA_HDRLEN,
				  strnlen((const char *)a + NLA_HDRLEN,
					  a->nla_len - NLA_HDRLEN));
		off += NLA_ALIGN(a->nla_len);
	}
}

/* key attributes out of a dump message (reject mode learns the config) */
static void learn_vkey(const uint8_t *p, size_t n, struct vkey *k)
{
	size_t off = 0;

	memset(k, 0, sizeof(*k));
	while (off + NLA_HDRLEN <= n) {
		const struct nlattr *a = (const void *)(p + off);
		const uint8_t *d = p + off + NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > n)
			break;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case LDIR_VIRTUAL_A_FAMILY: memcpy(&k->family, d, 2); break;
		case LDIR_VIRTUAL_A_ADDR: memcpy(k->addr, d, 16); break;
		case LDIR_VIRTUAL_A_PORT: memcpy(&k->port, d, 2); break;
		case LDIR_VIRTUAL_A_PROTOCOL: k->proto = *d; break;
		case LDIR_VIRTUAL_A_BIND_ID: memcpy(&k->bind_id, d, 4); break;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static void learn_rkey(const uint8_t *p, size_t n, struct rkey *k)
{
	size_t off = 0;

	memset(k, 0, sizeof(*k));
	while (off + NLA_HDRLEN <= n) {
		const struct nlattr *a = (const void *)(p + off);
		const uint8_t *d = p + off + NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > n)
			break;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case LDIR_REAL_A_FAMILY: memcpy(&k->family, d, 2); break;
		case LDIR_REAL_A_ADDR: memcpy(k->addr, d, 16); break;
		case LDIR_REAL_A_PORT: memcpy(&k->port, d, 2); break;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static int learning;

/* the conn records of a CONN_GET dump message */
static void learn_conn(const struct nlmsghdr *h)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;
	size_t n, off = 0;

	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	n = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	while (off + NLA_HDRLEN <= n) {
		const struct nlattr *a = (const void *)(p + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > n)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == LDIR_A_CONN)
			learn_rec(p + off + NLA_HDRLEN, a->nla_len - NLA_HDRLEN);
		off += NLA_ALIGN(a->nla_len);
	}
}

static void learn(const struct nlmsghdr *h)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;
	size_t n = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, off = 0;
	while (off + NLA_HDRLEN <= n) {
		const struct nlattr *a = (const void *)(p + off);
		const uint8_t *d = p + off + NLA_HDRLEN;
		size_t dl = a->nla_len - NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > n)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == LDIR_A_FASTPATH &&
		    nfpdevs < MAXDEVS) {
			size_t o2 = 0;

			while (o2 + NLA_HDRLEN <= dl) {
				const struct nlattr *b = (const void *)(d + o2);

				if (b->nla_len < NLA_HDRLEN || o2 + b->nla_len > dl)
					break;
				if ((b->nla_type & NLA_TYPE_MASK) == LDIR_FASTPATH_A_IFNAME)
					snprintf(fpdevs[nfpdevs++], IFNAMSIZ, "%.*s",
						 (int)(b->nla_len - NLA_HDRLEN),
						 (const char *)(d + o2 + NLA_HDRLEN));
				o2 += NLA_ALIGN(b->nla_len);
			}
		}
		if ((a->nla_type & NLA_TYPE_MASK) == LDIR_A_VIRTUAL &&
		    nvkeys < MAXKEYS)
			learn_vkey(d, dl, &vkeys[nvkeys++]);
		if ((a->nla_type & NLA_TYPE_MASK) == LDIR_A_REAL &&
		    nrkeys < MAXKEYS)
			learn_rkey(d, dl, &rkeys[nrkeys++]);
		if ((a->nla_type & NLA_TYPE_MASK) == LDIR_A_LINK &&
		    nlkeys < MAXKEYS) {
			size_t o2 = 0;

			while (o2 + NLA_HDRLEN <= dl) {
				const struct nlattr *b = (const void *)(d + o2);

				if (b->nla_len < NLA_HDRLEN || o2 + b->nla_len > dl)
					break;
				if ((b->nla_type & NLA_TYPE_MASK) == LDIR_LINK_A_VIRTUAL)
					learn_vkey(d + o2 + NLA_HDRLEN,
						   b->nla_len - NLA_HDRLEN,
						   &lkeys[nlkeys].v);
				if ((b->nla_type & NLA_TYPE_MASK) == LDIR_LINK_A_REAL)
					learn_rkey(d + o2 + NLA_HDRLEN,
						   b->nla_len - NLA_HDRLEN,
						   &lkeys[nlkeys].r);
				if ((b->nla_type & NLA_TYPE_MASK) == LDIR_LINK_A_PORT)
					lkeys[nlkeys].port = ntohs(*(const uint16_t *)
						(d + o2 + NLA_HDRLEN));
				o2 += NLA_ALIGN(b->nla_len);
			}
			nlkeys++;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/* drain: reads every reply that is there (dumps go on as they are read);
 * with @max_reads > 0 stops after that many reads (a dump left half read)
 */
static void drain(int fd, int max_reads)
{
	static uint8_t buf[BUF_SZ];
	int reads = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ENOBUFS || errno == EINTR)
				continue;
			die("recv");
		}
		if (n == 0)
			return;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct slot *s = &slots[h->nlmsg_seq % NSLOT];

			if (h->nlmsg_type == NLMSG_ERROR) {
				handle_error(h);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&err, NLMSG_DATA(h), sizeof(int));
				err = -err;
				if (err < 0 || err >= E_DUMP)
					err = NERR - 1;
				counts[s->cmd][err]++;
				s->want_reply = 0;
			} else if (h->nlmsg_type == family_id) {
				counts[s->cmd][E_DUMP]++;
				if (h->nlmsg_flags & NLM_F_DUMP_INTR)
					dump_intr++;
				if (learning)
					learn(h);
				if (s->cmd == LDIR_CMD_CONN_GET)
					learn_conn(h);
			}
		}
		if (max_reads && ++reads >= max_reads)
			return;
	}
}

static int resolve_family(int fd)
{
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
		uint8_t attrs[64];
	} req;
	static uint8_t buf[8192];
	struct nlattr *a;
	struct nlmsghdr *h;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_type = GENL_ID_CTRL;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 1;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a = (struct nlattr *)req.attrs;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(LDIR_GENL_NAME);
	memcpy((uint8_t *)a + NLA_HDRLEN, LDIR_GENL_NAME, sizeof(LDIR_GENL_NAME));
	req.h.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(a->nla_len);
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		die("send GETFAMILY");
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		die("recv GETFAMILY");
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type == NLMSG_ERROR) {
		fprintf(stderr, "ldfuzz-nl: no \"%s\" genetlink family (is ldir loaded?)\n",
			LDIR_GENL_NAME);
		exit(2);
	}
	n = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	a = (struct nlattr *)((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN);
	while (n >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((uint8_t *)a + NLA_HDRLEN);
		n -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	fprintf(stderr, "ldfuzz-nl: GETFAMILY gave no id\n");
	exit(2);
}

/* ---- one request ------------------------------------------------------- */

enum mode { M_CHAOS, M_REJECT };
static enum mode mode = M_CHAOS;
static int unpriv;

static int pick_cmd(void)
{
	/* weights: the object commands most, reads often, FLUSH rarely */
	static const uint8_t w[NCMD] = {
		[LDIR_CMD_UNSPEC] = 1,
		[LDIR_CMD_VIRTUAL_NEW] = 10, [LDIR_CMD_VIRTUAL_SET] = 8,
		[LDIR_CMD_VIRTUAL_DEL] = 4, [LDIR_CMD_VIRTUAL_GET] = 3,
		[LDIR_CMD_REAL_NEW] = 10, [LDIR_CMD_REAL_SET] = 8,
		[LDIR_CMD_REAL_DEL] = 3, [LDIR_CMD_REAL_GET] = 3,
		[LDIR_CMD_LINK_NEW] = 12, [LDIR_CMD_LINK_DEL] = 4,
		[LDIR_CMD_LINK_GET] = 3, [LDIR_CMD_CONN_GET] = 2,
		[LDIR_CMD_STATS_GET] = 2, [LDIR_CMD_CONFIG_SET] = 3,
		[LDIR_CMD_FLUSH] = 1, [LDIR_CMD_EVENT] = 1,
		[LDIR_CMD_BIND_NEW] = 6, [LDIR_CMD_BIND_DEL] = 3,
		[LDIR_CMD_BIND_GET] = 2, [LDIR_CMD_FPA_GET] = 2,
		[LDIR_CMD_FPA_FLUSH] = 2,
		[LDIR_CMD_FASTPATH_NEW] = 3, [LDIR_CMD_FASTPATH_DEL] = 3,
		[LDIR_CMD_FASTPATH_GET] = 2,
		[LDIR_CMD_CONN_NEW] = 5, [LDIR_CMD_CONN_DEL] = 3,
		[LDIR_CMD_MAX + 1] = 1,
	};
	int i, sum = 0, x;

	for (i = 0; i < NCMD; i++)
		sum += w[i];
	x = rnd(sum);
	for (i = 0; i < NCMD; i++) {
		if (x < w[i])
			break;
		x -= w[i];
	}
	/* FLUSH in chaos: not so often that nothing ever builds up */
	if (i == LDIR_CMD_FLUSH && !one_in(4))
		i = LDIR_CMD_LINK_NEW;
	return i;
}

/* appends one request to @m (which may hold others); returns its slot */
static void build_one(struct msg *m, int cmd, int mutate)
{
	size_t start = m->len;
	struct nlmsghdr *h;
	struct genlmsghdr *g;
	struct slot *s;
	uint32_t sq = seq++;
	int wire_cmd = cmd, poison = -1;

	if (sq % NSLOT == 0)
		sq = seq++;
	m->mut = mutate ? 2 + rnd(12) : 0;
	put_raw(m, &(struct nlmsghdr){ 0 }, sizeof(*h));
	put_raw(m, &(struct genlmsghdr){ 0 }, sizeof(*g));
	if (cmd == LDIR_CMD_MAX + 1)
		wire_cmd = LDIR_CMD_MAX + 1 + rnd(200);
	if (mode == M_REJECT && !is_read(cmd))
		poison = reject_body(m, cmd);
	else
		chaos_body(m, cmd);
	if (unpriv && !is_read(cmd))
		poison = P_NOPERM;

	h = (struct nlmsghdr *)(m->d + start);
	g = (struct genlmsghdr *)(h + 1);
	h->nlmsg_len = (uint32_t)(m->len - start);
	h->nlmsg_type = (uint16_t)family_id;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (is_dump(cmd))
		h->nlmsg_flags |= NLM_F_DUMP;
	h->nlmsg_seq = sq;
	g->cmd = (uint8_t)wire_cmd;
	g->version = LDIR_GENL_VERSION;

	/* the header's own defects: never in reject mode for requests
	 * that could change something (another cmd could be a valid one)
	 */
	if (mutate && one_in(8) && (mode == M_CHAOS || is_read(cmd))) {
		switch (rnd(8)) {
		case 0: g->version = (uint8_t)rnd(256); break;
		case 1: g->reserved = (uint16_t)rnd(65536); break;
		case 2: h->nlmsg_flags ^= (uint16_t)(1 << rnd(16)); break;
		case 3:
			if (mode == M_CHAOS)
				g->cmd = (uint8_t)rnd(LDIR_CMD_MAX + 4);
			break;
		case 4: {	/* control messages, nlctrl: never another family */
			static const uint16_t t[] = { 0, NLMSG_NOOP, NLMSG_ERROR,
						      NLMSG_DONE, GENL_ID_CTRL };

			h->nlmsg_type = t[rnd(5)];
			break;
		}
		case 5:		/* a dump of a do, a do of a dump */
			h->nlmsg_flags ^= NLM_F_DUMP;
			break;
		case 6:		/* no ack asked */
			h->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
			break;
		default:
			h->nlmsg_flags |= NLM_F_ECHO;
			break;
		}
	}
	/* a lie in nlmsg_len (reject mode: a shorter one could cut off the
	 * defect at the end)
	 */
	if (mutate && one_in(20) && (mode == M_CHAOS || is_read(cmd))) {
		switch (rnd(3)) {
		case 0: h->nlmsg_len += 4 + rnd(100); break;
		case 1: h->nlmsg_len = rnd(NLMSG_HDRLEN + GENL_HDRLEN + 1); break;
		default:
			if (h->nlmsg_len > NLMSG_HDRLEN + GENL_HDRLEN)
				h->nlmsg_len -= 1 + rnd(h->nlmsg_len -
							 NLMSG_HDRLEN - GENL_HDRLEN);
			break;
		}
	}
	/* a control message, or one that is no request, is acked by
	 * netlink itself without reaching ldir: no defect can be checked
	 */
	if (h->nlmsg_type != family_id || !(h->nlmsg_flags & NLM_F_REQUEST))
		poison = -1;
	s = &slots[sq % NSLOT];
	s->cmd = cmd;
	s->poison = poison;
	s->want_reply = 1;
	if (poison >= 0)
		poison_sent[poison]++;
	sent_len[sq % NSLOT] = (uint16_t)((m->len - start) > 512 ? 512 : m->len - start);
	memcpy(sent_copy[sq % NSLOT], m->d + start, sent_len[sq % NSLOT]);
	/* the next request starts at an aligned offset, as netlink wants */
	pad(m);
	total_sent++;
}

static void send_msg(int fd, struct msg *m, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, m->d, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINVAL && errno != ENOBUFS && errno != EPERM &&
	    errno != ENOMEM && errno != EMSGSIZE)
		die("sendto");
}

/* chaos mode starts from a populated instance: deeper code, bigger dumps */
static void populate(int fd)
{
	static struct msg m;
	int i;

	for (i = 0; i < 240; i++) {
		m.len = 0;
		build_one(&m, (int[]){ LDIR_CMD_VIRTUAL_NEW, LDIR_CMD_REAL_NEW,
				       LDIR_CMD_REAL_NEW, LDIR_CMD_LINK_NEW,
				       LDIR_CMD_LINK_NEW, LDIR_CMD_BIND_NEW }[i % 6], 0);
		send_msg(fd, &m, m.len);
		drain(fd, 0);
	}
}

static void learn_config(int fd)
{
	static const int cmds[] = { LDIR_CMD_VIRTUAL_GET, LDIR_CMD_REAL_GET,
				    LDIR_CMD_LINK_GET, LDIR_CMD_FASTPATH_GET,
				    LDIR_CMD_CONN_GET };
	static struct msg m;
	unsigned int i;

	learning = 1;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		m.len = 0;
		build_one(&m, cmds[i], 0);
		send_msg(fd, &m, m.len);
		drain(fd, 0);
	}
	learning = 0;
	printf("ldfuzz-nl: the configuration has %d virtuals, %d reals, %d links, %d fast-path devices (of %d), %d conns\n",
	       nvkeys, nrkeys, nlkeys, nfpdevs, ndevs, nrecs);
}

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

static void report(void)
{
	unsigned long tot[NERR] = { 0 };
	int c, e, i, j;

	printf("ldfuzz-nl: %lu requests in %lu sendmsg calls, %lu sockets closed after one read or none (%lu never read), %lu dump messages flagged DUMP_INTR\n",
	       total_sent, total_batches, abandoned, unread, dump_intr);
	if (mode == M_REJECT || unpriv)
		printf("ldfuzz-nl: defects: unknown-attr %lu, read-only %lu, len-lie %lu, bad-family %lu, semantic %lu, no-permission %lu\n",
		       poison_sent[P_UNKNOWN_ATTR], poison_sent[P_READONLY],
		       poison_sent[P_LEN_LIE], poison_sent[P_BAD_FAMILY],
		       poison_sent[P_SEMANTIC], poison_sent[P_NOPERM]);
	printf("ldfuzz-nl: replies by command (ok = ack or dump done; dump = dump messages):\n");
	for (c = 0; c < NCMD; c++) {
		char line[1024];
		int n = 0;

		for (e = 0; e < NERR; e++)
			if (counts[c][e]) {
				const char *name = e == 0 ? "ok" : e == E_DUMP ? "dump" :
					e == NERR - 1 ? "other" : strerrorname_np(e);

				n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      name ? name : "?", counts[c][e]);
				tot[e] += counts[c][e];
			}
		if (n)
			printf("  %-13s%s\n", cmd_names[c], line);
	}
	printf("ldfuzz-nl: replies by errno:");
	for (e = 0; e < NERR; e++)
		if (tot[e]) {
			const char *name = e == 0 ? "ok" : e == E_DUMP ? "dump" :
				e == NERR - 1 ? "other" : strerrorname_np(e);

			printf(" %s=%lu", name ? name : "?", tot[e]);
		}
	printf("\n");
	/* the extack messages, most frequent first */
	for (i = 0; i < nmsgs; i++)
		for (j = i + 1; j < nmsgs; j++)
			if (msgs[j].n > msgs[i].n) {
				char t[96];
				unsigned long n = msgs[i].n;

				memcpy(t, msgs[i].text, 96);
				memcpy(msgs[i].text, msgs[j].text, 96);
				msgs[i].n = msgs[j].n;
				memcpy(msgs[j].text, t, 96);
				msgs[j].n = n;
			}
	printf("ldfuzz-nl: %d distinct extack messages:\n", nmsgs);
	for (i = 0; i < nmsgs; i++)
		printf("  %7lu  %s\n", msgs[i].n, msgs[i].text);
}

static void usage(void)
{
	fprintf(stderr, "usage: ldfuzz-nl [-m chaos|reject] [-s SEED] [-n MSGS] [-t SECS] [-u]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long nmax = 10000, i;
	static struct msg m;
	uint64_t seed = 0;
	int opt, fd, secs = 0, have_seed = 0;

	while ((opt = getopt(argc, argv, "m:s:n:t:u")) != -1) {
		switch (opt) {
		case 'm':
			if (!strcmp(optarg, "chaos"))
				mode = M_CHAOS;
			else if (!strcmp(optarg, "reject"))
				mode = M_REJECT;
			else
				usage();
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = 1;
			break;
		case 'n': nmax = strtoul(optarg, NULL, 0); break;
		case 't': secs = atoi(optarg); break;
		case 'u': unpriv = 1; break;
		default: usage();
		}
	}
	if (!have_seed) {
		int r = open("/dev/urandom", O_RDONLY);

		if (r < 0 || read(r, &seed, sizeof(seed)) != sizeof(seed))
			seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		if (r >= 0)
			close(r);
		seed &= 0xffffffffffffULL;
	}
	printf("ldfuzz-nl: seed %llu mode %s messages %lu (replay: ldfuzz-nl -m %s -s %llu -n %lu)\n",
	       (unsigned long long)seed, mode == M_CHAOS ? "chaos" : "reject",
	       nmax, mode == M_CHAOS ? "chaos" : "reject",
	       (unsigned long long)seed, nmax);
	if (secs)
		printf("ldfuzz-nl: time budget %d s\n", secs);
	fflush(stdout);
	rng_state = seed * 2 + 0x9E3779B97F4A7C15ULL;
	if (!rng_state)
		rng_state = 1;
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	if (secs)
		alarm((unsigned int)secs);

	fd = nl_open();
	family_id = resolve_family(fd);
	learn_devs();
	if (mode == M_CHAOS)
		populate(fd);
	else
		learn_config(fd);

	for (i = 0; i < nmax && !stop;) {
		int nb = one_in(4) ? 1 + rnd(MAX_BATCH) : 1, k, what = rnd(100);
		size_t cut;

		m.len = 0;
		for (k = 0; k < nb && i < nmax; k++, i++) {
			int cmd = pick_cmd();

			/* about a third well-formed: the rest mutated */
			build_one(&m, cmd, mode == M_REJECT ? !one_in(3) : !one_in(3));
		}
		cut = m.len;
		if (what < 3 && m.len > 4)	/* truncated anywhere */
			cut = 1 + rnd((uint32_t)m.len - 1);
		total_batches++;
		if (what >= 3 && what < 9) {
			/* a fresh socket: the dumps started are read once
			 * (or not at all), then it is closed
			 */
			int fd2 = nl_open();

			send_msg(fd2, &m, cut);
			if (!one_in(3))
				drain(fd2, 1);
			else
				unread++;
			close(fd2);
			abandoned++;
			continue;
		}
		send_msg(fd, &m, cut);
		drain(fd, 0);
	}
	drain(fd, 0);
	close(fd);
	report();
	if (findings) {
		printf("ldfuzz-nl: %lu FINDINGS (seed %llu)\n", findings,
		       (unsigned long long)seed);
		return 1;
	}
	printf("ldfuzz-nl: done, no findings (seed %llu)\n", (unsigned long long)seed);
	return 0;
}
