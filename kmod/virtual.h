/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual (seed 001 Fig. 3A): a VIP:port:protocol clients connect to, and
 * links (Fig. 3E/3F) that bind a real, on a port, to a virtual.
 */
#ifndef _LDIR_VIRTUAL_H
#define _LDIR_VIRTUAL_H

#include <linux/refcount.h>
#include <linux/netfilter.h>
#include <linux/rbtree.h>
#include <linux/llist.h>

#include "netns.h"
#include "real.h"

struct ldir_sched_ops;
struct ldir_hash_table;

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
	/* startup scheme, seed 001 Fig. 7A; set under ln->lock */
	u8 startup;			/* enum ldir_startup */
	u8 startup_pct;			/* P */
	u16 startup_window;		/* W */
	struct ldir_virtual __rcu *backup; /* cleared before it goes */
	bool reported_failed;		/* last event sent, under ln->lock */

	struct list_head links;		/* struct ldir_link, RCU */
	unsigned int nlinks;		/* under ln->lock */
	atomic_t conns;
	/* every conn through its links, those deleted since too: totals
	 * that never go backwards
	 */
	struct ldir_stats __percpu *stats;

	/* scheduler state: new conns only, never an established flow */
	spinlock_t sched_lock;
	struct ldir_link *rr_last;	/* under sched_lock */
	struct ldir_real *avoid;	/* under sched_lock: see ldir_sched_pick */
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
	struct ldir_hash_table __rcu *hash;	/* hashing schemes, sched_hash.c */

	/* changed under ln->lock, read locklessly (READ_ONCE) */
	u32 fpa_interval;		/* s, 0 = no FPA (seed 001 var 314) */
	u8 fpa_mask;			/* FPA client prefix length */
	bool overflow;			/* to Bind ID 0 (seed 002 para. 10) */
	unsigned int nbinds;		/* binds to this instance, ln->lock */
};

/* A link's place in its virtual's tree: (k1, k2, then link seq). */
struct ldir_sched_key {
	u64 k1, k2;
};

enum {
	LDIR_LINK_B_DIRTY,		/* on virt->dirty */
};

struct ldir_link {
	struct list_head vnode;		/* virtual->links, RCU */
	struct list_head node;		/* ln->links, under ln->lock */
	refcount_t refcnt;
	struct rcu_head rcu;

	struct ldir_virtual *virt;	/* holds a reference */
	struct ldir_real *real;		/* holds a reference */
	__be16 port;			/* the real's port, 0 = client's */
	bool unlinked;			/* under ln->lock and virt->sched_lock */

	atomic_t active;
	atomic_t conns;

	struct list_head rnode;		/* real->links, RCU */
	/* ordered schemes: under virt->sched_lock */
	struct rb_node tnode;		/* virt->tree; RB_EMPTY_NODE: not in */
	struct ldir_sched_key key;	/* as stored in the tree */
	u64 seq;			/* ties go to the older link */
	unsigned long tflags;		/* LDIR_LINK_B_* */
	struct llist_node dnode;	/* virt->dirty */

	struct ldir_stats __percpu *stats;
};

struct ldir_virtual *ldir_virtual_lookup_rcu(struct ldir_net *ln, u16 family,
					     const union nf_inet_addr *addr,
					     __be16 port, u8 protocol,
					     const union nf_inet_addr *caddr);
struct ldir_virtual *ldir_virtual_general_rcu(struct ldir_net *ln,
					      const struct ldir_virtual *v);
struct ldir_virtual *ldir_virtual_find(struct ldir_net *ln, u16 family,
				       const union nf_inet_addr *addr,
				       __be16 port, u8 protocol, u32 bind_id);
struct ldir_virtual *ldir_virtual_create(struct ldir_net *ln, u16 family,
					 const union nf_inet_addr *addr,
					 __be16 port, u8 protocol, u32 bind_id,
					 const struct ldir_sched_ops *sched);
void ldir_virtual_destroy(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_virtual_put(struct ldir_virtual *v);

struct ldir_link *ldir_link_find(struct ldir_net *ln, struct ldir_virtual *v,
				 struct ldir_real *r);
struct ldir_link *ldir_link_create(struct ldir_net *ln, struct ldir_virtual *v,
				   struct ldir_real *r, __be16 port);
void ldir_link_unlink(struct ldir_net *ln, struct ldir_link *l, bool flush);
void ldir_link_unlink_real(struct ldir_net *ln, struct ldir_real *r,
			   bool flush);
void ldir_link_put(struct ldir_link *l);

/* Returns a strong reference on @l, or false if it is being freed. */
static inline bool ldir_link_get(struct ldir_link *l)
{
	return refcount_inc_not_zero(&l->refcnt);
}

void ldir_objects_flush(struct ldir_net *ln);
bool ldir_virtual_failed(const struct ldir_virtual *v);

#endif /* _LDIR_VIRTUAL_H */
