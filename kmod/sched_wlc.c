// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted least connections (seed 001 Fig. 4C, seed 000 claim 20): the
 * real with the smallest load / weight, compared without division:
 * load_a * w_b < load_b * w_a.
 */
#include "sched.h"

static bool wlc_better(const struct ldir_real *a, const struct ldir_real *b,
		       u64 now_us, u32 age_div)
{
	/* load and weight < 2^40 and 2^16: the products fit in u64 */
	return ldir_real_load(a) * READ_ONCE(b->weight) <
	       ldir_real_load(b) * READ_ONCE(a->weight);
}

static struct ldir_link *wlc_schedule(struct ldir_virtual *v,
				      const struct ldir_tuple *t)
{
	return ldir_sched_best(v, wlc_better);
}

struct ldir_sched_ops ldir_sched_wlc = {
	.name = "wlc",
	.schedule = wlc_schedule,
};
