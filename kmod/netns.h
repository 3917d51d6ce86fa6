/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: the object tables, the conn table, the
 * settings and the global counters of one ldir instance.
 */
#ifndef _LDIR_NETNS_H
#define _LDIR_NETNS_H

#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/siphash.h>
#include <linux/hash.h>
#include <linux/atomic.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/ldir.h>

#include "compat.h"
#include "fpa.h"
#include "bind.h"

struct mem_cgroup;

/* Objects are bounded like every table on the router. */
#define LDIR_VIRTUALS_MAX	4096
#define LDIR_REALS_MAX		65536
#define LDIR_LINKS_MAX		65536
#define LDIR_VTAB_BITS		8

/* Per-CPU counters; indexed by enum ldir_stats_attrs. */
struct ldir_stats {
	u64 cnt[__LDIR_STATS_A_MAX];
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
	siphash_key_t key;
	atomic_t count;
	/* TCP conns whose handshake is not done: created and answered in
	 * softirq, so an atomic; exact enough to compare with a bound
	 */
	atomic_t embryonic;
	/* SYN pressure: 0 off, else the jiffies (| 1) it started */
	unsigned long pressure;
	unsigned int gc_next;		/* next bucket the GC looks at */
	struct delayed_work gc_work;
};

/* Stateless virtuals: (real address, port) -> link, see stateless.c. */
#define LDIR_SMAP_BITS		8

/* A counting filter over addresses: a packet whose address hashes to a
 * zero count is none of ldir's, and costs the hooks one load instead of a
 * table lookup. The return half of every flow passes both hooks, and a
 * forwarded packet to a real passes POST_ROUTING, where no conn can match
 * it. Collisions only cost the lookup the filter would have saved.
 *
 * Counts change synchronously, never from an RCU callback: a VIP counts
 * while its virtual is in the table; a real's address counts while the
 * real is in the table and once for every live conn sent to it, so the
 * replies of a deleted real's draining conns are still translated.
 */
#define LDIR_AFILTER_BITS	10

struct ldir_afilter {
	atomic_t cnt[1 << LDIR_AFILTER_BITS];
};

static inline u32 ldir_afilter_hash4(__be32 ip)
{
	return hash_32((__force u32)ip, LDIR_AFILTER_BITS);
}

/* an IPv4 address folds to itself: the packet path hashes just that */
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
	struct ldir_afilter real_filter;

	/* settings, read locklessly by the packet path */
	u32 conn_max;
	u32 timeout[__LDIR_CONN_S_MAX];	/* jiffies, by enum ldir_conn_state */
	u32 syn_resends;		/* K: SYN resends before a ditch */
	u32 syn_resend_gap_ms;		/* a SYN sooner is not a resend */
	u32 retry_interval;		/* jiffies between probes of a failed real */
	u32 pr_age_div;			/* k of eq. 474 */
	u32 pr_clamp_pct;		/* claims 9-12: most one sample moves R */
	u32 embryonic_max;		/* 0: half of conn_max; a cap, as below */
	u32 timeout_syn_pressure;	/* jiffies: embryonic, under pressure */
	/* caps, under lock, read locklessly; a user namespace may lower
	 * them, not raise them (nl/config.c)
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

	struct ldir_stats __percpu *stats;

	/* hashing schemes and stateless virtuals (sched_hash.c, stateless.c) */
	struct hlist_head smap[1 << LDIR_SMAP_BITS];	/* under lock, RCU */
	unsigned int nsmap;		/* under lock, read locklessly */
	struct delayed_work hash_work;	/* rebuilds stale hash tables */
	struct ldir_fpa_table fpa;	/* FPAs (seed 001 Fig. 3D) */
	struct ldir_bind_table binds;	/* binds (seed 002 Fig. 3D) */

	/* the instance of a user namespace: the memory cgroup charged for
	 * what the packet path and the workers allocate (trust.c); NULL
	 * otherwise
	 */
	struct mem_cgroup *memcg;
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

#define LDIR_STATS_INC(s, i)	this_cpu_inc((s)->cnt[i])
#define LDIR_STATS_ADD(s, i, v)	this_cpu_add((s)->cnt[i], v)

void ldir_stats_sum(struct ldir_stats __percpu *s, u64 *out);
void ldir_net_changed(struct ldir_net *ln);
u32 ldir_conn_max_default(void);
void ldir_event_kick(struct ldir_net *ln);
void ldir_event_work(struct work_struct *work);	/* nl/event.c */

struct ldir_net *ldir_net_create(struct net *net);
int ldir_netns_init(void);
void ldir_netns_uninit(void);

#endif /* _LDIR_NETNS_H */
