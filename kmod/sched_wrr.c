// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted round robin by stride scheduling: each link has a finish tag,
 * the smallest tag is picked and moves on by S / weight, so weights 1,2,3
 * give c,b,c,a,b,c: interleaved, in proportion, O(log n) a pick.
 */
#include "select.h"

/* The stride of weight 1. Weights are below 2^16: the stride of any
 * weight keeps 16 bits of precision, and the tags of 2^30 picks fit.
 */
#define WRR_S		BIT_ULL(32)
/* past this the tags are moved back to 0 before they could overflow */
#define WRR_REBASE	BIT_ULL(62)

/* Rounded up, so that a link whose stride is inexact never overtakes one
 * whose stride is exact on the tag they share in exact arithmetic (a tie
 * goes to link order, as with weights 1,2,3 above).
 */
static u64 wrr_stride(u32 w)
{
	return w ? DIV_ROUND_UP_ULL(WRR_S, w) : WRR_S;
}

/* A link not in the tree yet starts one stride after the virtual time,
 * as though it had just been picked: it does not jump ahead of the rest.
 */
static void wrr_key(const struct ldir_virtual *v, const struct ldir_link *l,
		    u32 age_div, struct ldir_sched_key *k)
{
	if (RB_EMPTY_NODE(&l->tnode)) {
		k->k1 = v->vtime + wrr_stride(READ_ONCE(l->real->weight));
		k->k2 = 0;
	} else {
		*k = l->key;
	}
}

/* Every tag minus the same base keeps the order; the lagging ones, below
 * it, all start from 0 again. Rare: once in 2^30 picks at least.
 */
static void wrr_rebase(struct ldir_virtual *v)
{
	u64 base = v->vtime;
	struct ldir_sched_key k = {};
	struct ldir_link *l;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		if (RB_EMPTY_NODE(&l->tnode))
			continue;
		k.k1 = l->key.k1 > base ? l->key.k1 - base : 0;
		ldir_sched_requeue(v, l, &k);
	}
	v->vtime = 0;
}

/* @l was picked: its next tag is one stride of the real it sends to on.
 * A link that was not usable for a while kept its old tag; starting from
 * the virtual time rather than from it stops it taking a burst of conns
 * when it comes back.
 */
static void wrr_charge(struct ldir_virtual *v, struct ldir_link *l,
		       const struct ldir_real *avoid)
{
	struct ldir_real *r = ldir_link_target(l, avoid);
	struct ldir_sched_key k = {};
	u64 cur = max(l->key.k1, v->vtime);

	v->vtime = cur;
	k.k1 = cur + wrr_stride(r ? READ_ONCE(r->weight) : 0);
	ldir_sched_requeue(v, l, &k);
	if (unlikely(v->vtime >= WRR_REBASE))
		wrr_rebase(v);
}

/* Among reals under their SYN threshold, else among those over it. */
static struct ldir_link *wrr_schedule(struct ldir_virtual *v,
				      const struct ldir_tuple *t,
				      const struct ldir_real *avoid)
{
	struct ldir_link *l = ldir_sched_tree(v, &ldir_sched_wrr, avoid);

	if (l)
		wrr_charge(v, l, avoid);
	return l;
}

struct ldir_sched_ops ldir_sched_wrr = {
	.name = "wrr",
	.schedule = wrr_schedule,
	.key = wrr_key,
};
