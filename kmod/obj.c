// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetimes of virtuals, links and reals, and the instance's slot in
 * a netns: every layer that holds a reference drops it here, so this sits
 * below them all. The last put
 * frees the object a grace period later; a link's free drops its
 * virtual and real in turn.
 */
#include <linux/slab.h>

#include "ldir.h"

/* the slot of an instance in each netns (ldir_pernet()) */
unsigned int ldir_net_id __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(ldir_net_id);

static void real_free_rcu(struct rcu_head *head)
{
	struct ldir_real *r = container_of(head, struct ldir_real, rcu);

	free_percpu(r->stats);
	kfree(r);
}

void ldir_real_put(struct ldir_real *r)
{
	if (refcount_dec_and_test(&r->refcnt))
		call_rcu(&r->rcu, real_free_rcu);
}

/* @l is about to be freed, a grace period after it left r->links: no
 * ldir_real_changed() can add it to v->dirty any more, but one may have
 * done so before. Take it off; the others stay marked for the next pick
 * (which, unlike this RCU callback, may still read v->ln).
 */
static void link_dirty_del(struct ldir_link *l)
{
	struct ldir_virtual *v = l->virt;
	struct llist_node *list;
	struct ldir_link *o, *tmp;

	if (!test_bit(LDIR_LINK_B_DIRTY, &l->tflags))
		return;
	spin_lock_bh(&v->sched_lock);
	list = llist_del_all(&v->dirty);
	llist_for_each_entry_safe(o, tmp, list, dnode)
		if (o != l)
			llist_add(&o->dnode, &v->dirty);
	clear_bit(LDIR_LINK_B_DIRTY, &l->tflags);
	spin_unlock_bh(&v->sched_lock);
}

static void virtual_free_rcu(struct rcu_head *head)
{
	struct ldir_virtual *v = container_of(head, struct ldir_virtual, rcu);

	free_percpu(v->stats);
	kfree(v);
}

void ldir_virtual_put(struct ldir_virtual *v)
{
	if (refcount_dec_and_test(&v->refcnt))
		call_rcu(&v->rcu, virtual_free_rcu);
}

static void link_free_rcu(struct rcu_head *head)
{
	struct ldir_link *l = container_of(head, struct ldir_link, rcu);

	link_dirty_del(l);
	ldir_virtual_put(l->virt);
	ldir_real_put(l->real);
	free_percpu(l->stats);
	kfree(l);
}

void ldir_link_put(struct ldir_link *l)
{
	if (refcount_dec_and_test(&l->refcnt))
		call_rcu(&l->rcu, link_free_rcu);
}
