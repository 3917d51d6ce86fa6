// SPDX-License-Identifier: GPL-2.0
/*
 * Real objects (seed 001 Fig. 3B): created, found and destroyed under the
 * per-netns config lock; freed after the last conn and link let go.
 */
#include <linux/slab.h>

#include "real.h"
#include "virtual.h"

struct ldir_real *ldir_real_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *addr, __be16 port)
{
	struct ldir_real *r;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry(r, &ln->reals, node)
		if (r->family == family && r->port == port &&
		    nf_inet_addr_cmp(&r->addr, addr))
			return r;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_find);

struct ldir_real *ldir_real_create(struct ldir_net *ln, u16 family,
				   const union nf_inet_addr *addr, __be16 port)
{
	struct ldir_real *r;

	lockdep_assert_held(&ln->lock);
	if (ln->nreals >= LDIR_REALS_MAX)
		return ERR_PTR(-ENOSPC);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	refcount_set(&r->refcnt, 1);
	r->family = family;
	r->addr = *addr;
	r->port = port;
	r->weight = 1;
	r->state = LDIR_STATE_IN;
	atomic_set(&r->active, 0);
	atomic_set(&r->conns, 0);
	list_add_tail(&r->node, &ln->reals);
	ln->nreals++;
	ldir_net_changed(ln);
	return r;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_create);

void ldir_real_put(struct ldir_real *r)
{
	if (refcount_dec_and_test(&r->refcnt))
		kfree_rcu(r, rcu);
}

/* Unlinks @r from every virtual (live conns go on unless flushed by the
 * caller) and drops the table's reference.
 */
void ldir_real_destroy(struct ldir_net *ln, struct ldir_real *r)
{
	struct ldir_link *l, *tmp;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry_safe(l, tmp, &ln->links, node)
		if (l->real == r)
			ldir_link_unlink(ln, l, false);
	list_del(&r->node);
	ln->nreals--;
	ldir_net_changed(ln);
	ldir_real_put(r);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_destroy);
