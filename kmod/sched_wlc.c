// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted least connections (seed 001 Fig. 4C, seed 000 claim 20): the
 * real with the smallest load / weight, compared without division:
 * load_a * w_b < load_b * w_a.
 */
#include "sched.h"

static struct ldir_link *wlc_schedule(struct ldir_virtual *v,
					 const struct ldir_tuple *t)
{
	struct ldir_link *l, *best = NULL;
	u64 bload = 0, bweight = 1;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		u64 load, w;

		if (!ldir_real_usable(l->real))
			continue;
		load = ldir_real_load(l->real);
		w = READ_ONCE(l->real->weight);
		if (!best || load * bweight < bload * w) {
			best = l;
			bload = load;
			bweight = w;
		}
	}
	return best;
}

struct ldir_sched_ops ldir_sched_wlc = {
	.name = "wlc",
	.schedule = wlc_schedule,
};
