// SPDX-License-Identifier: GPL-2.0
/*
 * Least connections: the real with the smallest load, where load counts
 * an active conn (NC) 256 times as much as a closing one, as IPVS does,
 * so that reals serving short requests in TIME_WAIT still rotate.
 */
#include "select.h"

static bool lc_better(const struct ldir_real *a, const struct ldir_real *b,
		      u64 now_us, u32 age_div)
{
	return ldir_real_load(a) < ldir_real_load(b);
}

static void lc_key(const struct ldir_virtual *v, const struct ldir_link *l,
		   u32 age_div, struct ldir_sched_key *k)
{
	k->k1 = ldir_real_load(l->real);
	k->k2 = 0;
}

static struct ldir_link *lc_schedule(struct ldir_virtual *v,
				     const struct ldir_tuple *t,
				     const struct ldir_real *avoid)
{
	return ldir_sched_tree(v, &ldir_sched_lc, avoid);
}

struct ldir_sched_ops ldir_sched_lc = {
	.name = "lc",
	.schedule = lc_schedule,
	.key = lc_key,
	.better = lc_better,
	.flags = LDIR_SCHED_F_NOTIFY,
};
