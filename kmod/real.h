/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real: a physical machine behind the director (seed 001 Fig. 3B), with the
 * counters scheduling needs (NC) shared by every virtual it serves.
 */
#ifndef _LDIR_REAL_H
#define _LDIR_REAL_H

#include <linux/refcount.h>
#include <linux/netfilter.h>

#include "netns.h"

struct ldir_real {
	struct list_head node;		/* ln->reals, under ln->lock */
	refcount_t refcnt;
	struct rcu_head rcu;

	union nf_inet_addr addr;
	u16 family;
	__be16 port;			/* 0 = all ports */

	/* changed under ln->lock, read locklessly (READ_ONCE) */
	u32 weight;
	u32 max_conns;			/* 0 = unlimited; seed 001 var 373 */
	u8 state;			/* enum ldir_state */

	atomic_t active;		/* NC: live conns not closing */
	atomic_t conns;			/* all live conns */
	unsigned int nlinks;		/* under ln->lock */
};

/* Can the real take a new connection? */
static inline bool ldir_real_usable(const struct ldir_real *r)
{
	u32 max = READ_ONCE(r->max_conns);

	if (READ_ONCE(r->state) != LDIR_STATE_IN || !READ_ONCE(r->weight))
		return false;
	return !max || atomic_read(&r->active) < max;
}

/* Load for lc/wlc: active conns weigh 256 closing ones (IPVS overhead). */
static inline u64 ldir_real_load(const struct ldir_real *r)
{
	u32 active = atomic_read(&r->active);
	u32 conns = atomic_read(&r->conns);

	return ((u64)active << 8) + (conns > active ? conns - active : 0);
}

struct ldir_real *ldir_real_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *addr, __be16 port);
struct ldir_real *ldir_real_create(struct ldir_net *ln, u16 family,
				   const union nf_inet_addr *addr,
				   __be16 port);
void ldir_real_destroy(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_put(struct ldir_real *r);

#endif /* _LDIR_REAL_H */
