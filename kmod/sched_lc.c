// SPDX-License-Identifier: GPL-2.0
/*
 * Least connections: the real with the smallest load, where load counts
 * an active conn (NC) 256 times as much as a closing one, as IPVS does,
 * so that reals serving short requests in TIME_WAIT still rotate.
 */
#include "sched.h"

static struct ldir_link *lc_schedule(struct ldir_virtual *v,
					 const struct ldir_tuple *t)
{
	struct ldir_link *l, *best = NULL;
	u64 min = 0;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		u64 load;

		if (!ldir_real_usable(l->real))
			continue;
		load = ldir_real_load(l->real);
		if (!best || load < min) {
			best = l;
			min = load;
		}
	}
	return best;
}

struct ldir_sched_ops ldir_sched_lc = {
	.name = "lc",
	.schedule = lc_schedule,
};
