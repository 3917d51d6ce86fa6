/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may run ldir in a netns (the init namespace's CAP_NET_ADMIN, or a
 * user namespace the host admin delegated to) and whom its memory is charged.
 */
#ifndef _LDIR_TRUST_H
#define _LDIR_TRUST_H

#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

#include "ldir.h"

int ldir_trust_check(const struct sk_buff *skb, struct net *net,
		     struct netlink_ext_ack *extack);
bool ldir_trust_is_admin(const struct sk_buff *skb);
void ldir_trust_owner_set(struct ldir_net *ln);
void ldir_trust_owner_put(struct ldir_net *ln);

/* What the packet path and the workers allocate for an instance that a
 * user namespace runs is charged to its owner's memory cgroup (NULL for
 * the others: nothing changes). Pair with ldir_charge_end().
 */
static inline struct mem_cgroup *ldir_charge_begin(const struct ldir_net *ln)
{
	return set_active_memcg(READ_ONCE(ln->memcg));
}

static inline void ldir_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

/* Allocation flags in softirq: a charged instance gets no access to the
 * atomic reserves and no forced charge past its memory.max (which
 * __GFP_HIGH would give it); an uncharged one keeps GFP_ATOMIC.
 */
static inline gfp_t ldir_atomic_gfp(const struct ldir_net *ln)
{
	return READ_ONCE(ln->memcg) ? GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT :
				      GFP_ATOMIC;
}

#endif /* _LDIR_TRUST_H */
