/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldir's internal types, shared by every layer, and what protects them.
 *
 * The layers, each calling only those below it (kmod/layers.txt, checked
 * by "make style"):
 *
 *   nl/      genetlink ops, dumps, events         process, ln->lock
 *   model    virtuals, reals, links, binds        process, ln->lock
 *   hooks    the pipeline: classify -> conntab or select -> xlate -> count
 *   select   the new-conn decision, schedulers    softirq, v->sched_lock
 *   conntab  conn lookup/insert/kill/flush/GC     softirq, bucket locks
 *   health   ditch / answered / probe, R, events  softirq, lockless
 *   xlate    packet rewriting, checksums          softirq, no state
 *
 * Who protects what (R: read by; W: written by; F: freed by):
 *
 * ldir_net          per netns; W: model under ->lock; settings and caps
 *                   R: packet path with READ_ONCE. F: netns exit, after
 *                   the hooks are gone and one grace period.
 * ->vtab, ->smap    RCU hash lists; W: model under ->lock.
 * ->conns           conntab: buckets RCU, writers under the bucket lock,
 *                   count/embryonic atomic; F: a conn by call_rcu().
 * ->fpa             select: RCU buckets, writers under fpa.lock.
 * ->binds           model writes under ->lock; select reads under RCU.
 * ldir_virtual      refcounted (table, links, binds); W: model under
 *                   ->lock; scheduler state under ->sched_lock; F: RCU
 *                   after the last put, which the last link does.
 * ldir_link         refcounted (its virtual's list, each conn, each FPA);
 *                   on v->links and r->links (RCU, written under ->lock);
 *                   tree node and key under v->sched_lock; F: RCU after
 *                   the last put, dropping its virtual and real.
 * ldir_real         refcounted (table, links, conns); settings under
 *                   ->lock, read with READ_ONCE; state IN/OUT under ->lock,
 *                   IN <-> FAILED by health with cmpxchg; counters atomic
 *                   (conntab); R and stamps lockless (health); F: RCU.
 * ldir_conn         conntab: keys fixed once hashed; state, expiry and
 *                   flags lockless (cmpxchg, atomic bitops); holds a
 *                   reference on its link and real, dropped through the
 *                   conntab callbacks a grace period after it is unhashed.
 * ldir_fpa          select: holds its link; F: RCU, under fpa.lock.
 * ldir_bind         model: holds its virtual; F: RCU.
 * ldir_hash_table   select: immutable once published, holds its links;
 *                   F: RCU, replaced by the hash worker.
 * ->fp.devs         fastpath: W: under RTNL (netlink, the netdevice
 *                   notifier); R: dumps under RCU. F: kfree_rcu().
 * ->fp.slot         fastpath: routes learned by the slow path; W: packet
 *                   path and the notifier under fp.lock; R: the fast path
 *                   under RCU; F: call_rcu(), which drops the dst.
 *                   The refs to them (conn and real fp_route): W: the
 *                   slow path, lockless; cleared by fp.sweep (a work,
 *                   cancelled at netns exit).
 */
#ifndef _LDIR_H
#define _LDIR_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/if_ether.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/time.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/ldir.h>

#include "compat.h"

struct mem_cgroup;
struct ldir_sched_ops;
struct ldir_sync_cpu;
struct ldir_sync_rec;

/* Objects are bounded like every table on the router. */
#define LDIR_VIRTUALS_MAX	4096
#define LDIR_REALS_MAX		65536
#define LDIR_LINKS_MAX		65536
#define LDIR_VTAB_BITS		8

/* Per-CPU counters; indexed by enum ldir_stats_attrs. */
struct ldir_stats {
	u64 cnt[__LDIR_STATS_A_MAX];
};

/* What is counted per object: conns, and packets and bytes each way. A
 * packet adds to one per-CPU block, its link's; the totals of virtuals,
 * reals and the instance are sums taken when they are read.
 */
enum {
	LDIR_OS_CONNS,
	LDIR_OS_PKTS_IN,
	LDIR_OS_PKTS_OUT,
	LDIR_OS_BYTES_IN,
	LDIR_OS_BYTES_OUT,
	LDIR_OS_MAX,
};

struct ldir_ostats {
	u64 cnt[LDIR_OS_MAX];
};

struct ldir_conn_table {
	struct hlist_head *buckets;	/* ORIG table, then REPLY table */
	/* a bit per ORIG bucket, set while it holds a conn (changed under
	 * its bucket lock): the GC and flushes skip 64 empty buckets a
	 * word, so a big, sparse table costs them next to nothing
	 */
	unsigned long *used;
	spinlock_t *locks;		/* bucket locks, writers only */
	unsigned int hash_bits;
	unsigned int lock_mask;
	hsiphash_key_t key;		/* tuple_hash()'s */
	/* what every conn opened or closed on any CPU writes, on a line of
	 * its own: a lookup reads only the fields above
	 */
	atomic_t count ____cacheline_aligned_in_smp;
	/* TCP conns whose handshake is not done: created and answered in
	 * softirq, so an atomic; exact enough to compare with a bound
	 */
	atomic_t embryonic;
	/* SYN pressure: 0 off, else the jiffies (| 1) it started */
	unsigned long pressure;
	unsigned int gc_next;		/* next bucket the GC looks at */
	struct delayed_work gc_work;
};

/* Stateless virtuals: (real address, port) -> link, see smap.c. */
#define LDIR_SMAP_BITS		8

/* A counting filter over addresses: a packet whose address hashes to a
 * zero count is none of ldir's, and costs the hooks one load instead of a
 * table lookup. The return half of every flow passes both hooks, and a
 * forwarded packet to a real passes POST_ROUTING, where no conn can match
 * it. Collisions only cost the lookup the filter would have saved.
 *
 * Counts change synchronously, never from an RCU callback. Four filters:
 * a VIP counts in vip_filter while its virtual is in the table, and in
 * stateful_filter too if the virtual keeps conns: a packet to a VIP of
 * stateless virtuals only skips the conn lookup. A real's address counts
 * in real_filter while the real is in the table, and in conn_filter once
 * for every live conn sent to it: a reply looks for a conn only where
 * conn_filter says one may be, which includes the draining conns of a
 * deleted real.
 */
#define LDIR_AFILTER_BITS	10

struct ldir_afilter {
	atomic_t cnt[1 << LDIR_AFILTER_BITS];
};

static inline u32 ldir_afilter_hash4(__be32 ip)
{
	return hash_32((__force u32)ip, LDIR_AFILTER_BITS);
}

/* an IPv4 address folds to itself: the packet path hashes just that; an
 * IPv6 one folds its four words
 */
static inline u32 ldir_afilter_hash(const union nf_inet_addr *a)
{
	return ldir_afilter_hash4((__force __be32)(a->all[0] ^ a->all[1] ^
						   a->all[2] ^ a->all[3]));
}

static inline bool ldir_afilter_maybe4(const struct ldir_afilter *f,
				       __be32 ip)
{
	return atomic_read(&f->cnt[ldir_afilter_hash4(ip)]);
}

static inline bool ldir_afilter_maybe6(const struct ldir_afilter *f,
				       const struct in6_addr *a)
{
	return atomic_read(&f->cnt[ldir_afilter_hash4((__force __be32)
		(a->s6_addr32[0] ^ a->s6_addr32[1] ^ a->s6_addr32[2] ^
		 a->s6_addr32[3]))]);
}

static inline void ldir_afilter_add(struct ldir_afilter *f,
				    const union nf_inet_addr *a)
{
	atomic_inc(&f->cnt[ldir_afilter_hash(a)]);
}

static inline void ldir_afilter_del(struct ldir_afilter *f,
				    const union nf_inet_addr *a)
{
	atomic_dec(&f->cnt[ldir_afilter_hash(a)]);
}

static inline void ldir_afilter_add4(struct ldir_afilter *f, __be32 ip)
{
	atomic_inc(&f->cnt[ldir_afilter_hash4(ip)]);
}

static inline void ldir_afilter_del4(struct ldir_afilter *f, __be32 ip)
{
	atomic_dec(&f->cnt[ldir_afilter_hash4(ip)]);
}

/* Who a reply from (real address, real port, protocol) is from: the
 * link of a stateless virtual, or (link NULL) @refs links of stateful
 * virtuals, whose replies have a conn, but those of a flow another
 * director carried: when one link has the key (@adopt), a reply of a
 * hash-scheduled virtual is translated without a conn.
 */
struct ldir_smap_entry {
	struct hlist_node node;		/* ln->smap, RCU */
	struct rcu_head rcu;
	union nf_inet_addr raddr;
	__be16 rport;			/* 0: every port, kept as is */
	u8 protocol;
	u16 family;
	struct ldir_link *link;		/* unhashed before the link goes */
	unsigned int refs;		/* stateful: links, under ln->lock */
	/* stateful: the link if refs == 1, else NULL; W: under ln->lock,
	 * read under RCU (a link is freed a grace period after it goes)
	 */
	struct ldir_link *adopt;
};

/* Per netns; the buckets come with the first virtual that keeps FPAs. */
struct ldir_fpa_table {
	struct hlist_head *buckets;	/* RCU; set once, smp_store_release */
	spinlock_t lock;		/* writers: buckets, lru, count */
	struct list_head lru;		/* most recently used first */
	unsigned int count;		/* under lock */
	unsigned int max;		/* bound; fpa_max, or CONFIG_SET */
	siphash_key_t key;
	struct delayed_work gc_work;
};

struct ldir_fpa {
	struct hlist_node hnode;	/* table bucket, RCU */
	struct list_head lru;		/* table->lru, under table->lock */
	struct rcu_head rcu;

	/* key; the virtual outlives the FPA: the link it holds pins it */
	const struct ldir_virtual *virt;
	union nf_inet_addr caddr;	/* client, masked by virt->fpa_mask */

	struct ldir_link __rcu *link;	/* holds a reference; a link of virt */
	unsigned long stamp;		/* jiffies of the last assignment */
	unsigned long lru_stamp;	/* jiffies of the last LRU move */
	bool dead;			/* unhashed; under table->lock */
};

#define LDIR_BINDS_MAX		65536
#define LDIR_PREFIX_LEN_MAX	128

/*
 * One RCU hash over (VIP, port, protocol, masked client, prefix length),
 * and the set of prefix lengths in use: a lookup probes each length in use,
 * longest first, so its cost is bounded by the number of distinct lengths
 * (at most 33 for IPv4), not by the number of binds.
 */
struct ldir_bind_table {
	struct hlist_head *buckets;	/* RCU; set once, smp_store_release */
	siphash_key_t key;
	struct list_head list;		/* every bind, under ln->lock */
	unsigned int count;		/* under ln->lock */
	unsigned int nlen[LDIR_PREFIX_LEN_MAX + 1];	/* under ln->lock */
	DECLARE_BITMAP(lens, LDIR_PREFIX_LEN_MAX + 1);	/* nlen[i] != 0 */
};

struct ldir_bind {
	struct hlist_node hnode;	/* table bucket, RCU */
	struct list_head node;		/* table->list, under ln->lock */
	struct rcu_head rcu;
	struct ldir_virtual *virt;	/* the instance; holds a reference */
	union nf_inet_addr caddr;	/* client prefix, host bits zero */
	u8 plen;
};

/* @out = @in with only the first @plen bits kept. */
static inline void ldir_addr_mask(union nf_inet_addr *out,
				  const union nf_inet_addr *in, u16 family,
				  unsigned int plen)
{
	int i;

	if (family == AF_INET) {
		memset(out, 0, sizeof(*out));
		out->ip = plen ? in->ip & htonl(~0U << (32 - min(plen, 32U))) :
			  0;
		return;
	}
	for (i = 0; i < 4; i++, plen = plen > 32 ? plen - 32 : 0)
		out->all[i] = plen >= 32 ? in->all[i] : !plen ? 0 :
			      in->all[i] &
			      (__force u32)htonl(~0U << (32 - plen));
}

enum {
	LDIR_HASH3,
	LDIR_HASH5,
	LDIR_HASH_MAGLEV,
};

/* The usable links of a virtual in a stable order, and for Maglev the
 * lookup table. Immutable once published; holds a reference on each link,
 * so that a stale table is always safe to read.
 */
struct ldir_hash_table {
	struct rcu_head rcu;
	struct ldir_net *ln;		/* whose worker rebuilds it */
	unsigned long stale;		/* bit 0: rebuild asked for */
	u8 kind;			/* LDIR_HASH* */
	u32 size;			/* lookup entries (Maglev) */
	u32 *lookup;			/* Maglev: index into m[] */
	u32 n;
	struct ldir_hash_member {
		struct ldir_link *link;
		u32 weight;
	} m[];
};

/* The fast path (fastpath.c): the devices whose ingress it hooks, and the
 * routes the slow path learned. A conn (towards its client) and a real
 * (towards the real) name a route by a u16, (slot + 1) << 8 | gen, 0 for
 * none: a slot that takes another route changes gen, so whoever still
 * names the old one goes the slow way and learns again. A gen never comes
 * round to one a ref may still name: a slot that has taken 255 routes
 * since the last sweep takes no more until the sweep (fastpath.c) has
 * cleared the refs that name none of its routes. The routes of both
 * families live here, not in the conn, which stays 128 bytes for IPv4
 * and 160 for IPv6 (the same u16 in both).
 */
#define LDIR_FP_SLOTS		255

struct ldir_fp_route {
	struct dst_entry *dst;		/* holds a reference */
	struct rcu_head rcu;
	u8 gen;
	/* what dst_check() is given: an IPv6 route's rt6_get_cookie() when
	 * learned (its fib node's serial number, which a routing change
	 * moves), 0 for IPv4 (whose routes age by a generation of their own)
	 */
	u32 cookie;
	/* IPv6: the netns' fib serial number (rt_genid_ipv6(), which every
	 * routing change moves) when dst_check() last passed, and until
	 * when (jiffies) that check stands while the number stays; written
	 * by the packet path, racily: any pair it reads passed a check
	 */
	int sernum;
	unsigned long until;
};

/* The way to a real's neighbour: the device a frame leaves by (a bridge's
 * port, as the bridge's forwarding database had it for the neighbour's
 * address, or the route's device) and, if the neighbour asked nothing of
 * the packets then (connected, DELAY or PROBE), the Ethernet header to
 * send them with. Replaced whole, never changed.
 */
struct ldir_fp_port {
	struct rcu_head rcu;
	unsigned long stamp;		/* jiffies: resolved then */
	int ifindex;			/* the port */
	/* the header is good while ln->fp.l2_gen stays @gen (every
	 * neighbour and device change of the netns moves it), for a route
	 * by @via to @nexthop, of the family hdr.h_proto says; @port is
	 * only used then (a device that goes moves the generation a grace
	 * period before it is freed)
	 */
	bool hh;			/* the header may be sent */
	u32 gen;
	union nf_inet_addr nexthop;
	const struct net_device *via;	/* compared, never dereferenced */
	struct net_device *port;
	struct ethhdr hdr;		/* the neighbour's address, the source */
};

struct ldir_fastpath {
	struct list_head devs;		/* struct ldir_fp_dev; RTNL, RCU */
	unsigned int ndevs;		/* RTNL; read locklessly: learn? */
	atomic_t l2_gen;		/* moved by neighbour and device events */
	spinlock_t lock;		/* slot writers */
	u8 gen[LDIR_FP_SLOTS];		/* under lock: the last one given */
	/* under lock: the oldest gen a ref to the slot may name; the slot
	 * is spent when its next gen would be this one
	 */
	u8 base[LDIR_FP_SLOTS];
	u8 snap[LDIR_FP_SLOTS];		/* the sweep's copy of gen */
	struct work_struct sweep;	/* clears stale refs; queued when spent */
	struct ldir_fp_route __rcu *slot[LDIR_FP_SLOTS];
};

struct ldir_net {
	struct net *net;
	struct mutex lock;		/* config writers */
	u32 gen;			/* config generation, for dumps */

	struct hlist_head vtab[1 << LDIR_VTAB_BITS];	/* virtuals, RCU */
	siphash_key_t vkey;
	struct list_head virtuals;	/* under lock */
	struct list_head reals;		/* under lock */
	struct list_head links;		/* under lock */
	unsigned int nvirtuals, nreals, nlinks;
	bool hooks_registered;

	struct ldir_conn_table conns;
	struct ldir_afilter vip_filter;
	struct ldir_afilter stateful_filter;
	struct ldir_afilter real_filter;
	struct ldir_afilter conn_filter;

	/* settings, read locklessly by the packet path */
	u32 conn_max;
	u32 timeout[__LDIR_CONN_S_MAX];	/* jiffies, by enum ldir_conn_state */
	u32 syn_resends;		/* K: SYN resends before a ditch */
	u32 syn_resend_gap_ms;		/* a SYN sooner is not a resend */
	u32 retry_interval;		/* jiffies between probes of a failed real */
	u32 pr_age_div;			/* k: PR ages by 1/k of the time */
	u32 pr_clamp_pct;		/* most one sample moves R, % */
	u32 embryonic_max;		/* 0: half of conn_max; a cap, as below */
	u32 timeout_syn_pressure;	/* jiffies: embryonic, under pressure */
	/* caps, under lock, read locklessly; a user namespace may lower
	 * them, not raise them (netlink.c)
	 */
	u32 virtual_max, real_max, link_max, bind_max;

	/* state changes made by the packet path, reported from process
	 * context: events and log lines
	 */
	struct work_struct event_work;
	bool reported_pressure;		/* event_work's, under lock */
	atomic_t nfailed;		/* reals FAILED: probes to look for */
	/* with nfailed, whether a backup real may be standing in for a
	 * real (sched.c): under lock, read locklessly
	 */
	unsigned int nbackups;		/* reals with a backup set */
	unsigned int nout;		/* reals OUT of service */

	/* global counters; the per-object ones are summed from the links */
	struct ldir_stats __percpu *stats;
	/* the totals of virtuals gone, under lock */
	u64 retired[LDIR_OS_MAX];

	/* hashing schemes and stateless virtuals (sched_hash.c, stateless.c) */
	struct hlist_head smap[1 << LDIR_SMAP_BITS];	/* under lock, RCU */
	unsigned int nsmap;		/* under lock, read locklessly */
	struct delayed_work hash_work;	/* rebuilds stale hash tables */
	struct ldir_fpa_table fpa;	/* FPAs */
	struct ldir_bind_table binds;	/* binds */
	struct ldir_fastpath fp;	/* the fast path */

	/* the instance of a user namespace: the memory cgroup charged for
	 * what the packet path and the workers allocate (trust.c); NULL
	 * otherwise
	 */
	struct mem_cgroup *memcg;

	/* conn sync (sync.c): per-CPU queues, made by the work when a
	 * listener first wants a record (smp_store_release), then kept
	 */
	struct {
		struct ldir_sync_cpu __percpu *cpu;
		struct ldir_sync_rec *recs;	/* the queues' buffers */
		struct ldir_sync_rec **order;	/* the work's merge */
		struct delayed_work work;	/* the only drainer */
		u32 seq;			/* the work's: messages sent */
	} sync;
};

extern unsigned int ldir_net_id;

/* The instance of @net, or NULL while nothing configured ldir there: a
 * netns costs a pointer until then (ldir_net_create()). The hooks, and
 * netlink after its pre_doit, always find one.
 */
static inline struct ldir_net *ldir_pernet(const struct net *net)
{
	struct ldir_net **slot = net_generic(net, ldir_net_id);

	/* pairs with smp_store_release() in ldir_net_create() */
	return smp_load_acquire(slot);
}

/* The instance's keyed hash of (address, port, protocol): the VIP table
 * and the stateless reply map take their buckets from it.
 */
static inline u32 ldir_key_hash(const struct ldir_net *ln,
				const union nf_inet_addr *addr, __be16 port,
				u8 protocol)
{
	struct {
		union nf_inet_addr addr;
		__be16 port;
		u8 protocol;
		u8 pad;
	} k = { .addr = *addr, .port = port, .protocol = protocol };

	return siphash(&k, sizeof(k), &ln->vkey);
}

#define LDIR_STATS_INC(s, i)	this_cpu_inc((s)->cnt[i])
#define LDIR_STATS_ADD(s, i, v)	this_cpu_add((s)->cnt[i], v)

struct ldir_virtual {
	struct hlist_node hnode;	/* ln->vtab, RCU */
	struct list_head node;		/* ln->virtuals, under ln->lock */
	refcount_t refcnt;
	struct rcu_head rcu;

	union nf_inet_addr addr;
	u16 family;
	__be16 port;			/* 0 = every port */
	u8 protocol;
	u32 bind_id;

	struct ldir_net *ln;
	u8 state;			/* enum ldir_state */
	const struct ldir_sched_ops __rcu *sched;
	/* startup scheme; set under ln->lock */
	u8 startup;			/* enum ldir_startup */
	u8 startup_pct;			/* P */
	u16 startup_window;		/* W */
	struct ldir_virtual __rcu *backup; /* cleared before it goes */
	bool reported_failed;		/* last event sent, under ln->lock */

	struct list_head links;		/* struct ldir_link, RCU */
	unsigned int nlinks;		/* under ln->lock */
	atomic_t conns;
	/* its totals: every conn through its links, those deleted since
	 * too, so that they never go backwards. Links unlinked but still
	 * carrying conns are on retiring; a link's last put adds its counts
	 * to retired. Both under stats_lock.
	 */
	spinlock_t stats_lock;
	struct list_head retiring;	/* struct ldir_link by vretire */
	u64 retired[LDIR_OS_MAX];

	/* scheduler state: new conns only, never an established flow */
	spinlock_t sched_lock;
	struct ldir_link *rr_last;	/* under sched_lock */
	u16 hist_next, hist_len;	/* under sched_lock */
	/* the reals of the last W new conns, compared, never dereferenced */
	const struct ldir_real *hist[LDIR_STARTUP_WINDOW_MAX];
	/* ordered schemes (sched.c): the links by key, under sched_lock */
	struct rb_root_cached tree;
	const struct ldir_sched_ops *tree_ops;	/* built for; NULL: rebuild */
	u64 link_seq;			/* creation order of the links */
	u64 vtime;			/* wrr: the last finish tag picked */
	struct llist_head dirty;	/* links whose key may have gone down */

	u32 flags;			/* LDIR_VIRTUAL_F_*, fixed at creation */
	/* configuration digest for conn sync (sync.c): scheme and flags
	 * plus each link's part, kept up to date under ln->lock; read
	 * locklessly
	 */
	u64 digest;
	u64 digest_links;		/* the links' parts, under ln->lock */
	struct ldir_hash_table __rcu *hash;	/* hashing schemes, sched_hash.c */

	/* changed under ln->lock, read locklessly (READ_ONCE) */
	u32 fpa_interval;		/* s, 0 = no FPA */
	u8 fpa_mask;			/* FPA client prefix length */
	bool overflow;			/* to Bind ID 0 */
	unsigned int nbinds;		/* binds to this instance, ln->lock */
};

/* A link's place in its virtual's tree: (k1, k2, then link seq). */
struct ldir_sched_key {
	u64 k1, k2;
};

enum {
	LDIR_LINK_B_DIRTY,		/* on virt->dirty */
};

/* Read-mostly fields first (the packet path reads them for every packet
 * of every conn), then what each new conn writes, then the control plane.
 */
struct ldir_link {
	struct list_head vnode;		/* virtual->links, RCU */
	struct ldir_virtual *virt;	/* holds a reference */
	struct ldir_real *real;		/* holds a reference */
	/* every conn through the link; those sent to a backup of its real
	 * are in bstats as well
	 */
	struct ldir_ostats __percpu *stats;
	struct ldir_ostats __percpu *bstats;
	struct list_head rnode;		/* real->links, RCU */
	__be16 port;			/* the real's port, 0 = client's */
	bool unlinked;			/* under ln->lock and virt->sched_lock */

	/* written by every conn opened or closed through the link */
	refcount_t refcnt ____cacheline_aligned_in_smp;
	atomic_t active;
	atomic_t conns;
	/* ordered schemes: under virt->sched_lock */
	unsigned long tflags;		/* LDIR_LINK_B_* */
	struct llist_node dnode;	/* virt->dirty */
	u64 seq;			/* ties go to the older link */
	struct ldir_sched_key key;	/* as stored in the tree */
	struct rb_node tnode;		/* virt->tree; RB_EMPTY_NODE: not in */

	struct list_head node;		/* ln->links, under ln->lock */
	/* once unlinked, on virt->retiring and real->retiring */
	struct list_head vretire, rretire;
	struct rcu_head rcu;
};

/* Returns a strong reference on @l, or false if it is being freed. */
static inline bool ldir_link_get(struct ldir_link *l)
{
	return refcount_inc_not_zero(&l->refcnt);
}

/* Read-mostly fields first, then the counters every conn opened or
 * closed writes, on a line of their own, then the control plane.
 */
struct ldir_real {
	union nf_inet_addr addr;
	u16 family;
	__be16 port;			/* 0 = all ports */
	/* changed under ln->lock, read locklessly (READ_ONCE) */
	u32 weight;
	u32 max_conns;			/* 0 = unlimited */
	u32 idle_timeout;		/* jiffies, 0 = global */
	u32 syn_threshold;		/* unanswered SYNs: a "bad" candidate */
	u32 fail_threshold;		/* ditches in a row, 0 = never fail */
	struct ldir_real __rcu *backup;	/* cleared before it goes */
	/* conns sent to this real as the backup of another real's link; the
	 * rest of its totals is its links', summed like a virtual's
	 */
	struct ldir_ostats __percpu *bstats;
	/* enum ldir_state: IN and OUT set under ln->lock; the packet path
	 * moves IN <-> FAILED with cmpxchg
	 */
	u8 state;
	u8 reported_state;		/* last event sent, under ln->lock */
	u16 fp_route;			/* the fast path's route to it, lockless */
	unsigned int nlinks;		/* under ln->lock */
	/* the fast path's bridge port to it: RCU, swapped whole by the
	 * packet path (xchg), freed with the real
	 */
	struct ldir_fp_port __rcu *fp_port;

	refcount_t refcnt ____cacheline_aligned_in_smp;
	atomic_t active;		/* NC: live conns not closing */
	atomic_t conns;			/* all live conns */
	atomic_t unanswered;		/* SYNs forwarded, no SYN-ACK yet */
	atomic_t ditched;		/* conns whose SYN went unanswered */
	atomic_t ditch_consec;		/* ditched in a row */
	/* response time, set once per conn, lockless */
	u32 resp;			/* R: us per conn << LDIR_RESP_SHIFT */
	bool resp_sampled;		/* R holds a sample (R = 0 may be one) */
	u64 agestamp_us;		/* when R was last set */
	unsigned long retry_at;		/* jiffies: next probe while FAILED */
	unsigned long hold_until;	/* jiffies, 0 = none: ditches fail it
					 * no sooner
					 */

	/* struct ldir_link by rnode: whom to tell when the load goes down
	 * (ldir_real_changed()); RCU, written under ln->lock
	 */
	struct list_head links;
	struct list_head node;		/* ln->reals, under ln->lock */
	spinlock_t stats_lock;
	struct list_head retiring;	/* struct ldir_link by rretire */
	u64 retired[LDIR_OS_MAX];
	struct rcu_head rcu;
};

/* R is fixed point, 1/256 us: a fast real's R still moves by a percent
 * of itself, and R saturates at about 16.7 s per conn.
 */
#define LDIR_RESP_SHIFT		8

/* R in whole microseconds, rounded, as the netlink API shows it. */
static inline u32 ldir_real_resp_us(const struct ldir_real *r)
{
	u32 resp = READ_ONCE(r->resp);

	return (resp >> LDIR_RESP_SHIFT) +
	       ((resp >> (LDIR_RESP_SHIFT - 1)) & 1);
}

/* Can the real take a new connection? */
static inline bool ldir_real_usable(const struct ldir_real *r)
{
	u32 max = READ_ONCE(r->max_conns);

	if (READ_ONCE(r->state) != LDIR_STATE_IN || !READ_ONCE(r->weight))
		return false;
	return !max || atomic_read(&r->active) < max;
}

/* A real that may not answer: at or above its unanswered SYN threshold
 * it is only a "bad" candidate.
 */
static inline bool ldir_real_syn_full(const struct ldir_real *r)
{
	return atomic_read(&r->unanswered) >= READ_ONCE(r->syn_threshold);
}

/* Load for lc/wlc: active conns weigh 256 closing ones (IPVS overhead). */
static inline u64 ldir_real_load(const struct ldir_real *r)
{
	u32 active = atomic_read(&r->active);
	u32 conns = atomic_read(&r->conns);

	return ((u64)active << 8) + (conns > active ? conns - active : 0);
}

/* Microseconds on the monotonic clock: the unit of R and PR. */
static inline u64 ldir_now_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/* Both directions of a conn, as seen on the wire. */
enum {
	LDIR_DIR_ORIG,		/* client -> VIP */
	LDIR_DIR_REPLY,		/* real -> client */
	LDIR_DIR_MAX,
};

/* An IPv4 address in a conn. The conn is the object there are a million
 * of, so an IPv4 conn holds 4 bytes, not a 16-byte union nf_inet_addr.
 */
struct ldir_addr4 {
	__be32 ip;
};

/* Two cache lines, 128 bytes for IPv4, from a cache of its own: the
 * addresses come last, 12 bytes of them, and an IPv6 conn is the same
 * struct with 48, 160 bytes from another cache (conntab.c). The first
 * line holds what a lookup compares before the addresses, and nothing
 * written per packet; the second what a hit reads and writes (expiry,
 * sequence numbers, state), then the addresses, which a hit reads too.
 */
struct ldir_conn {
	struct hlist_node hnode[LDIR_DIR_MAX];
	__be16 cport, vport, rport;
	u8 protocol;
	u8 family;			/* AF_INET or AF_INET6 */
	struct ldir_link *link;		/* holds a reference */
	struct ldir_real *real;		/* link's real or its backup; holds a ref */
	/* the virtual the client addressed: the link's, or one whose backup
	 * the link belongs to; only compared, never dereferenced (a virtual
	 * flushes its conns before it goes)
	 */
	const struct ldir_virtual *virt;

	/* second line */
	u32 tstamp;			/* us: the response time clock */
	u32 expires;			/* jiffies, low 32 bits: time_after32() */
	u32 syn_stamp;			/* jiffies: the client SYN last counted;
					 * once confirmed, the last sync record
					 */
	u8 state;			/* enum ldir_conn_state */
	u8 syns;			/* client SYN resends, no SYN-ACK yet */
	u16 fp_route;			/* the fast path's route to the client */
	unsigned long flags;		/* atomic bitops: LDIR_CONN_B_* */
	struct rcu_head rcu;
	/* the sequence number each side sends next, as far as the director
	 * can vouch for it (LDIR_CONN_B_SEQ + dir says whether it knows)
	 */
	u32 seq_next[LDIR_DIR_MAX];
	/* last: an IPv4 conn's object ends after raddr */
	union {
		struct {
			struct ldir_addr4 caddr;	/* client */
			struct ldir_addr4 vaddr;	/* virtual */
			struct ldir_addr4 raddr;	/* real */
		};
		struct {
			struct in6_addr caddr6;
			struct in6_addr vaddr6;
			struct in6_addr raddr6;
		};
	};
};

/* The size of an IPv4 conn's object. */
#define LDIR_CONN4_SIZE	(offsetof(struct ldir_conn, raddr) + \
			 sizeof(struct ldir_addr4))

/* A conn's address as a union nf_inet_addr: @a4 and @a6 are the same
 * member (caddr and caddr6, ...) of @cp, only one of which is read.
 */
static __always_inline void ldir_conn_addr(union nf_inet_addr *a,
					   const struct ldir_conn *cp,
					   const struct ldir_addr4 *a4,
					   const struct in6_addr *a6)
{
	if (cp->family == AF_INET) {
		memset(a, 0, sizeof(*a));
		a->ip = a4->ip;
	} else {
		a->in6 = *a6;
	}
}

static __always_inline void ldir_conn_caddr(union nf_inet_addr *a,
					    const struct ldir_conn *cp)
{
	ldir_conn_addr(a, cp, &cp->caddr, &cp->caddr6);
}

static __always_inline void ldir_conn_vaddr(union nf_inet_addr *a,
					    const struct ldir_conn *cp)
{
	ldir_conn_addr(a, cp, &cp->vaddr, &cp->vaddr6);
}

static __always_inline void ldir_conn_raddr(union nf_inet_addr *a,
					    const struct ldir_conn *cp)
{
	ldir_conn_addr(a, cp, &cp->raddr, &cp->raddr6);
}

/* Is the conn's time up at jiffies @now? */
static inline bool ldir_conn_expired(const struct ldir_conn *cp,
				     unsigned long now)
{
	return !time_after32(READ_ONCE(cp->expires), (u32)now);
}

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
	LDIR_CONN_B_FASTPATH,		/* a packet took the fast path */
	/* conn sync: confirmed (established, or a UDP flow the real
	 * answered): its changes and removal are sent to peers
	 */
	LDIR_CONN_B_CONFIRMED,
	/* learned from a peer (CONN_NEW), no packet of it here since:
	 * nothing of it is sent back
	 */
	LDIR_CONN_B_PEER,
	/* a packet to the real passed POST_ROUTING (the forward chain let
	 * the flow through): the fast path may send towards the real
	 */
	LDIR_CONN_B_FP_IN,
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

/* Lifetimes (obj.c): the last put frees, a grace period later. */
void ldir_virtual_put(struct ldir_virtual *v);
void ldir_link_put(struct ldir_link *l);
void ldir_real_put(struct ldir_real *r);

/* Totals (obj.c), indexed by LDIR_OS_*: added to @sum. */
void ldir_link_totals(const struct ldir_link *l, u64 *sum);
void ldir_virtual_totals(struct ldir_virtual *v, u64 *sum);
void ldir_real_totals(struct ldir_real *r, u64 *sum);
void ldir_net_totals(struct ldir_net *ln, u64 *sum);
void ldir_totals_to_attrs(const u64 *sum, u64 *cnt);

#endif /* _LDIR_H */
