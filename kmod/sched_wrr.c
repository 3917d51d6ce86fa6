// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted round robin, smooth variant: every pick adds each usable link's
 * weight to its credit, takes the link with the most credit and charges it
 * the total, so weights 5,1,1 give a,a,b,a,c,a,a rather than bursts.
 */
#include "sched.h"

static struct ldir_link *wrr_pass(struct ldir_virtual *v, int class)
{
	struct ldir_link *l, *best = NULL;
	struct ldir_real *r;
	s64 total = 0;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		u32 w;

		if (ldir_sched_class(v, l, &r) != class)
			continue;
		w = READ_ONCE(r->weight);
		l->wrr_current += w;
		total += w;
		if (!best || l->wrr_current > best->wrr_current)
			best = l;
	}
	if (best)
		best->wrr_current -= total;
	return best;
}

/* Among reals under their SYN threshold, else among those over it. */
static struct ldir_link *wrr_schedule(struct ldir_virtual *v,
				      const struct ldir_tuple *t)
{
	return wrr_pass(v, LDIR_CAND_GOOD) ?: wrr_pass(v, LDIR_CAND_BAD);
}

struct ldir_sched_ops ldir_sched_wrr = {
	.name = "wrr",
	.schedule = wrr_schedule,
};
