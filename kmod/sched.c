// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of session distribution schemes and the selection entry
 * point used for every new connection (seed 001 Fig. 7A/7B).
 */
#include <linux/spinlock.h>
#include <linux/string.h>

#include "sched.h"
#include "sched_hash.h"

static LIST_HEAD(sched_list);
static DEFINE_MUTEX(sched_mutex);

int ldir_sched_register(struct ldir_sched_ops *ops)
{
	mutex_lock(&sched_mutex);
	list_add_tail(&ops->list, &sched_list);
	mutex_unlock(&sched_mutex);
	return 0;
}

void ldir_sched_unregister(struct ldir_sched_ops *ops)
{
	mutex_lock(&sched_mutex);
	list_del(&ops->list);
	mutex_unlock(&sched_mutex);
}

/* The schemes live in this module, so a name lookup needs no module ref. */
const struct ldir_sched_ops *ldir_sched_find(const char *name)
{
	struct ldir_sched_ops *ops, *found = NULL;

	mutex_lock(&sched_mutex);
	list_for_each_entry(ops, &sched_list, list)
		if (!strcmp(ops->name, name)) {
			found = ops;
			break;
		}
	mutex_unlock(&sched_mutex);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_find);

/* Picks the link for a new conn of @v: the desired scheme over usable
 * reals (in service, weight > 0, under max conns). Caller holds
 * rcu_read_lock(); runs in softirq.
 */
struct ldir_link *ldir_sched_pick(struct ldir_virtual *v,
				  const struct ldir_tuple *t)
{
	const struct ldir_sched_ops *ops;
	struct ldir_link *l;

	ops = rcu_dereference(v->sched);
	spin_lock(&v->sched_lock);
	l = ops->schedule(v, t);
	spin_unlock(&v->sched_lock);
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_pick);

static struct ldir_sched_ops *const builtin[] = {
	&ldir_sched_rr, &ldir_sched_wrr, &ldir_sched_lc, &ldir_sched_wlc,
	&ldir_sched_hash3, &ldir_sched_hash5, &ldir_sched_maglev,
};

int ldir_sched_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(builtin); i++)
		ldir_sched_register(builtin[i]);
	return 0;
}

void ldir_sched_uninit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(builtin); i++)
		ldir_sched_unregister(builtin[i]);
}
