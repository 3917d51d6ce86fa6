// SPDX-License-Identifier: GPL-2.0
/*
 * Predicted response: the
 * real with the smallest PR = NC * R - (t_now - t_agestamp) / k. R is the
 * measured response time per connection, so a slow real gets fewer new
 * conns; the aging term lets a real that has not been measured for a
 * while win conns back and so be measured again. Failed reals are not
 * candidates however good their last PR was.
 */
#include <linux/overflow.h>

#include "select.h"
#include "health.h"

static bool pr_better(const struct ldir_real *a, const struct ldir_real *b,
		      u64 now_us, u32 age_div)
{
	s64 pa = ldir_real_pr(a, now_us, age_div);
	s64 pb = ldir_real_pr(b, now_us, age_div);

	/* equal PRs (reals not measured yet, R = 0): fewer conns first, so
	 * that a burst does not all go to the first real of the list
	 */
	if (pa != pb)
		return pa < pb;
	return ldir_real_load(a) < ldir_real_load(b);
}

/* PR = NC * R - (t_now - t_agestamp) / k orders the reals
 * as NC * R + t_agestamp / k does, and that only moves when a conn opens
 * or closes or R is sampled, not as time passes: a key for the tree.
 * The floors of the two divisions may differ by one us between reals.
 */
static void pr_key(const struct ldir_virtual *v, const struct ldir_link *l,
		   u32 age_div, struct ldir_sched_key *k)
{
	const struct ldir_real *r = l->real;

	if (check_add_overflow(ldir_real_nc_r(r),
			       div_u64(READ_ONCE(r->agestamp_us), age_div ?: 1),
			       &k->k1))
		k->k1 = U64_MAX;
	/* the tie-break of pr_better() */
	k->k2 = ldir_real_load(r);
}

static struct ldir_link *pr_schedule(struct ldir_virtual *v,
				     const struct ldir_tuple *t,
				     const struct ldir_real *avoid)
{
	return ldir_sched_tree(v, &ldir_sched_pr, avoid);
}

struct ldir_sched_ops ldir_sched_pr = {
	.name = "pr",
	.schedule = pr_schedule,
	.key = pr_key,
	.better = pr_better,
	.flags = LDIR_SCHED_F_NOTIFY,
};
