/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Selection: the whole decision for a new conn, in softirq. The virtual
 * a packet is for (by Bind ID prefix, then exact port, then port 0), its
 * FPA, the scheme over its usable reals, overflow, backups, probes and
 * the startup scheme; the schemes as pluggable ops, the ordered tree,
 * hashing and Maglev; and the map of stateless reals' replies.
 */
#ifndef _LDIR_SELECT_H
#define _LDIR_SELECT_H

#include <linux/list.h>
#include <net/netlink.h>

#include "ldir.h"

/* Is real @a a better choice than @b? For ldir_sched_best(). */
typedef bool (*ldir_better_t)(const struct ldir_real *a,
			      const struct ldir_real *b, u64 now_us,
			      u32 age_div);

/* The key of an ordered scheme follows a real's conn counters or R: it
 * grows on its own as conns open (the pick repairs that lazily) but a
 * decrease must be told with ldir_real_changed().
 */
#define LDIR_SCHED_F_NOTIFY	BIT(0)

struct ldir_sched_ops {
	const char *name;
	/* Picks a usable link of @v for a new conn, or NULL. @t is the
	 * conn's first packet (client -> VIP), for schemes that hash it.
	 * Called under rcu_read_lock() and v->sched_lock, from softirq.
	 */
	struct ldir_link *(*schedule)(struct ldir_virtual *v,
				      const struct ldir_tuple *t,
				      const struct ldir_real *avoid);
	/* Ordered schemes (ldir_sched_tree()): the key of @l, smaller is
	 * better, ties to the older link. Under v->sched_lock.
	 */
	void (*key)(const struct ldir_virtual *v, const struct ldir_link *l,
		    u32 age_div, struct ldir_sched_key *k);
	/* the same order on the real a link sends to, for the full scan
	 * while a backup may stand in; NULL: compare the links' keys
	 */
	ldir_better_t better;
	u32 flags;			/* LDIR_SCHED_F_* */
	struct list_head list;
};

/* What a pick returns besides the link. */
struct ldir_pick {
	struct ldir_real *real;		/* the link's real or its backup */
	bool probe;			/* a failed real being retested */
	bool backup;			/* through the virtual's backup virtual */
};

/* Candidate classes: a real over its SYN threshold is a bad one. */
enum {
	LDIR_CAND_NONE,			/* cannot take the conn */
	LDIR_CAND_GOOD,			/* under its unanswered SYN threshold */
	LDIR_CAND_BAD,			/* at or above it: only if none is good */
};

/* The real that would take a new conn through @l: the link's own if
 * usable, else its backup while the real is failed or out of service,
 * never @avoid, the real the conn is being moved away from. Called under
 * rcu_read_lock().
 */
static inline struct ldir_real *ldir_link_target(const struct ldir_link *l,
						 const struct ldir_real *avoid)
{
	struct ldir_real *r = l->real, *b;

	if (ldir_real_usable(r))
		return r != avoid ? r : NULL;
	if (READ_ONCE(r->state) == LDIR_STATE_IN)
		return NULL;	/* quiesced or full: not a failure */
	b = rcu_dereference(r->backup);
	if (b && b != avoid && ldir_real_usable(b))
		return b;
	return NULL;
}

static inline int ldir_sched_class(const struct ldir_link *l,
				   const struct ldir_real *avoid,
				   struct ldir_real **rp)
{
	struct ldir_real *r = ldir_link_target(l, avoid);

	*rp = r;
	if (!r)
		return LDIR_CAND_NONE;
	return ldir_real_syn_full(r) ? LDIR_CAND_BAD : LDIR_CAND_GOOD;
}

struct ldir_link *ldir_sched_best(struct ldir_virtual *v, ldir_better_t better,
				  const struct ldir_real *avoid);
struct ldir_link *ldir_sched_tree(struct ldir_virtual *v,
				  const struct ldir_sched_ops *ops,
				  const struct ldir_real *avoid);
void ldir_sched_requeue(struct ldir_virtual *v, struct ldir_link *l,
			const struct ldir_sched_key *k);
void ldir_sched_link_add(struct ldir_virtual *v, struct ldir_link *l);
void ldir_sched_link_del(struct ldir_virtual *v, struct ldir_link *l);

int ldir_sched_register(struct ldir_sched_ops *ops);
void ldir_sched_unregister(struct ldir_sched_ops *ops);
const struct ldir_sched_ops *ldir_sched_find(const char *name);
struct ldir_link *ldir_sched_pick(struct ldir_net *ln, struct ldir_virtual *v,
				  const struct ldir_tuple *t,
				  struct ldir_real *avoid, struct ldir_pick *pick);

int ldir_sched_init(void);
void ldir_sched_uninit(void);

extern struct ldir_sched_ops ldir_sched_rr;
extern struct ldir_sched_ops ldir_sched_wrr;
extern struct ldir_sched_ops ldir_sched_lc;
extern struct ldir_sched_ops ldir_sched_wlc;
extern struct ldir_sched_ops ldir_sched_pr;

/* the virtual a packet is for, and the new conn's pick */
struct ldir_virtual *ldir_virtual_lookup_rcu(struct ldir_net *ln, u16 family,
					     const union nf_inet_addr *addr,
					     __be16 port, u8 protocol,
					     const union nf_inet_addr *caddr);
struct ldir_virtual *ldir_virtual_general_rcu(struct ldir_net *ln,
					      const struct ldir_virtual *v);
struct ldir_virtual *ldir_vtab_lookup(struct ldir_net *ln, u16 family,
				      const union nf_inet_addr *addr,
				      __be16 port, u8 protocol);
u32 ldir_vtab_hash(const struct ldir_net *ln, const union nf_inet_addr *addr,
		   __be16 port, u8 protocol);
struct ldir_link *ldir_select(struct ldir_net *ln, struct ldir_virtual *v,
			      const struct ldir_tuple *t,
			      struct ldir_real *avoid, struct ldir_pick *pick);
void ldir_real_changed(struct ldir_real *r);

/* binds, read side */
u32 ldir_bind_hash(const struct ldir_bind_table *bt, u16 family,
		   const union nf_inet_addr *vaddr, __be16 vport,
		   u8 protocol, const union nf_inet_addr *caddr, u8 plen);
struct ldir_bind *ldir_bind_probe(struct ldir_net *ln,
				  struct hlist_head *buckets, u16 family,
				  const union nf_inet_addr *vaddr,
				  __be16 vport, u8 protocol,
				  const union nf_inet_addr *caddr, u8 plen);
struct ldir_virtual *ldir_bind_lookup_rcu(struct ldir_net *ln, u16 family,
					  const union nf_inet_addr *vaddr,
					  __be16 vport, u8 protocol,
					  const union nf_inet_addr *caddr);
struct ldir_link *ldir_bind_overflow(struct ldir_net *ln,
				     struct ldir_virtual *v,
				     const struct ldir_tuple *t,
				     struct ldir_real *avoid,
				     struct ldir_pick *pick);

/* FPAs */
struct ldir_link *ldir_fpa_pick(struct ldir_net *ln, struct ldir_virtual *v,
				const struct ldir_tuple *t,
				struct ldir_real *avoid, struct ldir_pick *pick);
struct ldir_fpa *ldir_fpa_lookup_rcu(struct ldir_net *ln,
				     const struct ldir_virtual *v,
				     const union nf_inet_addr *caddr);
void ldir_fpa_learn(struct ldir_net *ln, struct ldir_virtual *v, u16 family,
		    const union nf_inet_addr *caddr, struct ldir_link *l);
void ldir_fpa_flush(struct ldir_net *ln, const struct ldir_virtual *v,
		    const struct ldir_link *l);
void ldir_fpa_flush_unlinked(struct ldir_net *ln);
unsigned int ldir_fpa_gc_scan(struct ldir_net *ln);
unsigned int ldir_fpa_count(struct ldir_net *ln);
struct ldir_fpa *ldir_fpa_dump_next(struct ldir_net *ln, unsigned int *bucket,
				    unsigned int *idx);
u32 ldir_fpa_max_default(void);
void ldir_fpa_table_init(struct ldir_net *ln);
int ldir_fpa_table_alloc(struct ldir_net *ln);
void ldir_fpa_table_uninit(struct ldir_net *ln);

/* hashing schemes */
u32 ldir_hash3(u32 saddr, u32 daddr, u16 dport, u32 n);
u32 ldir_hash5(u32 saddr, u16 sport, u32 daddr, u16 dport, u8 protocol,
	       u32 n);
u32 ldir_hash3_v6(const struct in6_addr *saddr, const struct in6_addr *daddr,
		  u16 dport, u32 n);
u32 ldir_hash5_v6(const struct in6_addr *saddr, u16 sport,
		  const struct in6_addr *daddr, u16 dport, u8 protocol, u32 n);
bool ldir_sched_is_hash(const struct ldir_sched_ops *ops);
struct ldir_link *ldir_hash_pick(struct ldir_virtual *v,
				 const struct ldir_tuple *t);
__be16 ldir_link_rport(const struct ldir_link *l);
int ldir_virtual_hash_changed(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_hash_refresh(struct ldir_net *ln);
void ldir_hash_refresh_virtual(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_hash_kick(struct ldir_net *ln);
void ldir_hash_release(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_hash_net_init(struct ldir_net *ln);
void ldir_hash_net_exit(struct ldir_net *ln);

extern struct ldir_sched_ops ldir_sched_hash3;
extern struct ldir_sched_ops ldir_sched_hash5;
extern struct ldir_sched_ops ldir_sched_maglev;

/* the replies of stateless virtuals' reals */
int ldir_stateless_link_check(struct ldir_net *ln, struct ldir_virtual *v,
			      struct ldir_real *r, __be16 port,
			      struct netlink_ext_ack *extack);
int ldir_stateless_link_add(struct ldir_net *ln, struct ldir_link *l);
void ldir_stateless_link_del(struct ldir_net *ln, struct ldir_link *l);
struct ldir_smap_entry *ldir_smap_lookup_rcu(struct ldir_net *ln,
					     const union nf_inet_addr *addr,
					     __be16 port, u8 protocol);

#endif /* _LDIR_SELECT_H */
