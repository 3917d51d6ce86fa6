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

	/* the fast path's cache (fastpath.c): no reader is left */
	kfree(rcu_access_pointer(r->fp_port));
	free_percpu(r->bstats);
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

	kfree(v);
}

void ldir_virtual_put(struct ldir_virtual *v)
{
	if (refcount_dec_and_test(&v->refcnt))
		call_rcu(&v->rcu, virtual_free_rcu);
}

static void ostats_add(u64 *sum, const struct ldir_ostats __percpu *s)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct ldir_ostats *p = per_cpu_ptr(s, cpu);

		for (i = 0; i < LDIR_OS_MAX; i++)
			sum[i] += READ_ONCE(p->cnt[i]);
	}
}

/* the share of @l's counts that went to its own real */
static void link_own_add(u64 *sum, const struct ldir_link *l)
{
	u64 all[LDIR_OS_MAX] = {}, backup[LDIR_OS_MAX] = {};
	int i;

	ostats_add(all, l->stats);
	ostats_add(backup, l->bstats);
	for (i = 0; i < LDIR_OS_MAX; i++)
		sum[i] += all[i] - backup[i];
}

void ldir_link_totals(const struct ldir_link *l, u64 *sum)
{
	ostats_add(sum, l->stats);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_link_totals);

/* Adds @v's totals to @sum: its links, those unlinked and still
 * draining, and those gone. Under the instance lock (links do not move
 * from v->links to v->retiring meanwhile).
 */
void ldir_virtual_totals(struct ldir_virtual *v, u64 *sum)
{
	struct ldir_link *l;
	int i;

	list_for_each_entry_rcu(l, &v->links, vnode, true)
		ostats_add(sum, l->stats);
	spin_lock_bh(&v->stats_lock);
	list_for_each_entry(l, &v->retiring, vretire)
		ostats_add(sum, l->stats);
	for (i = 0; i < LDIR_OS_MAX; i++)
		sum[i] += v->retired[i];
	spin_unlock_bh(&v->stats_lock);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_totals);

/* Adds @r's totals to @sum: what its links sent to it, and what it took
 * as another real's backup. Under the instance lock.
 */
void ldir_real_totals(struct ldir_real *r, u64 *sum)
{
	struct ldir_link *l;
	int i;

	list_for_each_entry_rcu(l, &r->links, rnode, true)
		link_own_add(sum, l);
	spin_lock_bh(&r->stats_lock);
	list_for_each_entry(l, &r->retiring, rretire)
		link_own_add(sum, l);
	for (i = 0; i < LDIR_OS_MAX; i++)
		sum[i] += r->retired[i];
	spin_unlock_bh(&r->stats_lock);
	ostats_add(sum, r->bstats);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_totals);

/* Adds the instance's totals to @sum: its virtuals' and those gone.
 * Under the instance lock.
 */
void ldir_net_totals(struct ldir_net *ln, u64 *sum)
{
	struct ldir_virtual *v;
	int i;

	list_for_each_entry(v, &ln->virtuals, node)
		ldir_virtual_totals(v, sum);
	for (i = 0; i < LDIR_OS_MAX; i++)
		sum[i] += ln->retired[i];
}
EXPORT_SYMBOL_IF_KUNIT(ldir_net_totals);

/* Spreads totals into counters indexed by enum ldir_stats_attrs. */
void ldir_totals_to_attrs(const u64 *sum, u64 *cnt)
{
	static const int attr[LDIR_OS_MAX] = {
		[LDIR_OS_CONNS]		= LDIR_STATS_A_CONNS,
		[LDIR_OS_PKTS_IN]	= LDIR_STATS_A_PKTS_IN,
		[LDIR_OS_PKTS_OUT]	= LDIR_STATS_A_PKTS_OUT,
		[LDIR_OS_BYTES_IN]	= LDIR_STATS_A_BYTES_IN,
		[LDIR_OS_BYTES_OUT]	= LDIR_STATS_A_BYTES_OUT,
	};
	int i;

	for (i = 0; i < LDIR_OS_MAX; i++)
		cnt[attr[i]] = sum[i];
}
EXPORT_SYMBOL_IF_KUNIT(ldir_totals_to_attrs);

/* A link's last put: its counts are final, and go to its virtual's and
 * its real's totals.
 */
static void link_retire(struct ldir_link *l)
{
	u64 all[LDIR_OS_MAX] = {}, own[LDIR_OS_MAX] = {};
	struct ldir_virtual *v = l->virt;
	struct ldir_real *r = l->real;
	int i;

	ostats_add(all, l->stats);
	link_own_add(own, l);
	spin_lock_bh(&v->stats_lock);
	list_del(&l->vretire);
	for (i = 0; i < LDIR_OS_MAX; i++)
		v->retired[i] += all[i];
	spin_unlock_bh(&v->stats_lock);
	spin_lock_bh(&r->stats_lock);
	list_del(&l->rretire);
	for (i = 0; i < LDIR_OS_MAX; i++)
		r->retired[i] += own[i];
	spin_unlock_bh(&r->stats_lock);
}

static void link_free_rcu(struct rcu_head *head)
{
	struct ldir_link *l = container_of(head, struct ldir_link, rcu);

	link_dirty_del(l);
	link_retire(l);
	ldir_virtual_put(l->virt);
	ldir_real_put(l->real);
	free_percpu(l->stats);
	free_percpu(l->bstats);
	kfree(l);
}

void ldir_link_put(struct ldir_link *l)
{
	if (refcount_dec_and_test(&l->refcnt))
		call_rcu(&l->rcu, link_free_rcu);
}
