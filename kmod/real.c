// SPDX-License-Identifier: GPL-2.0
/*
 * Real objects: created, found and destroyed under the
 * per-netns config lock; freed after the last conn and link let go.
 */
#include <linux/slab.h>

#include "model.h"
#include "health.h"

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
	if (ln->nreals >= ln->real_max)
		return ERR_PTR(-ENOSPC);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->bstats = alloc_percpu_gfp(struct ldir_ostats, GFP_KERNEL_ACCOUNT);
	if (!r->bstats) {
		kfree(r);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&r->refcnt, 1);
	r->family = family;
	r->addr = *addr;
	r->port = port;
	r->weight = 1;
	r->state = LDIR_STATE_IN;
	r->reported_state = LDIR_STATE_IN;
	r->syn_threshold = 5;
	r->fail_threshold = 3;
	r->agestamp_us = ldir_now_us();
	INIT_LIST_HEAD(&r->links);
	spin_lock_init(&r->stats_lock);
	INIT_LIST_HEAD(&r->retiring);
	list_add_tail(&r->node, &ln->reals);
	ldir_afilter_add(&ln->real_filter, addr);
	ln->nreals++;
	ldir_net_changed(ln);
	return r;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_create);

/* Unlinks @r from every virtual (live conns go on unless flushed by the
 * caller) and drops the table's reference. Reals it backs up forget it;
 * a packet that still sees the pointer finds a real that cannot take a
 * conn (refcount_inc_not_zero() fails once it is freed).
 */
void ldir_real_destroy(struct ldir_net *ln, struct ldir_real *r)
{
	struct ldir_real *o;

	lockdep_assert_held(&ln->lock);
	/* none when the whole table goes: ldir_objects_flush() */
	if (ln->nbackups)
		list_for_each_entry(o, &ln->reals, node)
			if (rcu_access_pointer(o->backup) == r)
				ldir_real_set_backup(ln, o, NULL);
	ldir_real_set_backup(ln, r, NULL);
	ldir_real_set_state(ln, r, LDIR_STATE_OUT);
	ldir_link_unlink_real(ln, r, false);
	list_del(&r->node);
	/* its live conns keep the address in the filter while they drain */
	ldir_afilter_del(&ln->real_filter, &r->addr);
	/* out of the table, it no longer counts as a real that is out */
	WRITE_ONCE(ln->nout, ln->nout - 1);
	ln->nreals--;
	ldir_net_changed(ln);
	ldir_real_put(r);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_destroy);

/* Sets or clears (@backup NULL) the backup of @r, counting the
 * reals that have one for the schedulers. Under ln->lock.
 */
void ldir_real_set_backup(struct ldir_net *ln, struct ldir_real *r,
			  struct ldir_real *backup)
{
	bool had = rcu_access_pointer(r->backup);

	rcu_assign_pointer(r->backup, backup);
	if (had != !!backup)
		WRITE_ONCE(ln->nbackups, ln->nbackups + (backup ? 1 : -1));
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_set_backup);
