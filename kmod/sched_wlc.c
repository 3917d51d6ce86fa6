// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted least connections: the
 * real with the smallest load / weight, compared without division:
 * load_a * w_b < load_b * w_a.
 */
#include "select.h"

static bool wlc_better(const struct ldir_real *a, const struct ldir_real *b,
		       u64 now_us, u32 age_div)
{
	/* load and weight < 2^40 and 2^16: the products fit in u64 */
	return ldir_real_load(a) * READ_ONCE(b->weight) <
	       ldir_real_load(b) * READ_ONCE(a->weight);
}

/* load / weight in 32.32 fixed point. Exact as an order: two different
 * fractions with weights below 2^16 differ by more than 2^-32, so their
 * floors differ too, and equal ones stay equal.
 */
static void wlc_key(const struct ldir_virtual *v, const struct ldir_link *l,
		    u32 age_div, struct ldir_sched_key *k)
{
	u64 load = min_t(u64, ldir_real_load(l->real), U32_MAX);
	u32 w = READ_ONCE(l->real->weight);

	k->k1 = w ? div64_u64(load << 32, w) : U64_MAX;
	k->k2 = 0;
}

static struct ldir_link *wlc_schedule(struct ldir_virtual *v,
				      const struct ldir_tuple *t,
				      const struct ldir_real *avoid)
{
	return ldir_sched_tree(v, &ldir_sched_wlc, avoid);
}

struct ldir_sched_ops ldir_sched_wlc = {
	.name = "wlc",
	.schedule = wlc_schedule,
	.key = wlc_key,
	.better = wlc_better,
	.flags = LDIR_SCHED_F_NOTIFY,
};
