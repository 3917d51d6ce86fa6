// SPDX-License-Identifier: GPL-2.0
/*
 * Predicted response (seed 001 Fig. 4B, 9; seed 000 claims 5-12): the
 * real with the smallest PR = NC * R - (t_now - t_agestamp) / k. R is the
 * measured response time per connection, so a slow real gets fewer new
 * conns; the aging term lets a real that has not been measured for a
 * while win conns back and so be measured again. Failed reals are not
 * candidates however good their last PR was (seed 003).
 */
#include "sched.h"

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

static struct ldir_link *pr_schedule(struct ldir_virtual *v,
				     const struct ldir_tuple *t)
{
	return ldir_sched_best(v, pr_better);
}

struct ldir_sched_ops ldir_sched_pr = {
	.name = "pr",
	.schedule = pr_schedule,
};
