// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the choice sequence of each session distribution scheme (rr, wrr,
 * lc, wlc) for given weights, states and conn counts, on a bare virtual.
 */
#include <linux/bottom_half.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <kunit/test.h>

#include "sched.h"

#define SCHED_REALS	4

/* A virtual with up to SCHED_REALS links, built by hand: no netns, no
 * table, only what ldir_sched_pick() and the schemes read.
 */
struct sched_fx {
	struct ldir_virtual v;
	struct ldir_real r[SCHED_REALS];
	struct ldir_link l[SCHED_REALS];
	int n;
};

/* A virtual under scheme @name with one link per weight, in order: the
 * reals are a, b, c, ... in service with no conns.
 */
static struct sched_fx *sched_fx(struct kunit *test, const char *name,
				 int n, const u32 *weights)
{
	const struct ldir_sched_ops *ops = ldir_sched_find(name);
	struct sched_fx *fx;
	int i;

	KUNIT_ASSERT_NOT_NULL_MSG(test, ops, "scheduler %s", name);
	KUNIT_ASSERT_LE(test, n, SCHED_REALS);
	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->n = n;
	refcount_set(&fx->v.refcnt, 1);
	fx->v.family = AF_INET;
	fx->v.state = LDIR_STATE_IN;
	INIT_LIST_HEAD(&fx->v.links);
	spin_lock_init(&fx->v.sched_lock);
	RCU_INIT_POINTER(fx->v.sched, ops);
	for (i = 0; i < n; i++) {
		struct ldir_real *r = &fx->r[i];
		struct ldir_link *l = &fx->l[i];

		refcount_set(&r->refcnt, 1);
		r->family = AF_INET;
		r->weight = weights[i];
		r->state = LDIR_STATE_IN;
		atomic_set(&r->active, 0);
		atomic_set(&r->conns, 0);
		refcount_set(&l->refcnt, 1);
		l->virt = &fx->v;
		l->real = r;
		list_add_tail_rcu(&l->vnode, &fx->v.links);
	}
	return fx;
}

static void set_conns(struct sched_fx *fx, int i, int active, int conns)
{
	atomic_set(&fx->r[i].active, active);
	atomic_set(&fx->r[i].conns, conns);
}

/* One pick as the packet path makes it: 'a' + the link's index, '-' for
 * none. With @charge, the pick opens an active conn on the real, as
 * ldir_conn_create() would, so that lc and wlc see it on the next pick.
 */
static char pick(struct sched_fx *fx, bool charge)
{
	struct ldir_link *l;
	char c = '-';

	local_bh_disable();
	rcu_read_lock();
	l = ldir_sched_pick(&fx->v, NULL);
	if (l) {
		c = 'a' + (l - fx->l);
		if (charge) {
			atomic_inc(&l->real->active);
			atomic_inc(&l->real->conns);
		}
	}
	rcu_read_unlock();
	local_bh_enable();
	return c;
}

/* @n picks as a string, e.g. "abcabc". */
static const char *picks(struct kunit *test, struct sched_fx *fx, int n,
			 bool charge)
{
	char *s = kunit_kzalloc(test, n + 1, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < n; i++)
		s[i] = pick(fx, charge);
	return s;
}

static void rr_in_turn(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1 };
	struct sched_fx *fx = sched_fx(test, "rr", 3, w);

	KUNIT_EXPECT_STREQ(test, picks(test, fx, 9, false), "abcabcabc");

	/* weights do not matter to rr, only whether the real is usable */
	fx = sched_fx(test, "rr", 3, (const u32[]){ 5, 1, 2 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 6, false), "abcabc");
}

static void rr_skips_unusable(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1 };
	struct sched_fx *fx;

	/* weight 0 quiesces */
	fx = sched_fx(test, "rr", 3, w);
	fx->r[1].weight = 0;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 5, false), "acaca");

	/* out of service, or failed */
	fx = sched_fx(test, "rr", 3, w);
	fx->r[0].state = LDIR_STATE_OUT;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, false), "bcbc");
	fx->r[2].state = LDIR_STATE_FAILED;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, false), "bbb");

	/* at max conns (counted in active conns), then below it again */
	fx = sched_fx(test, "rr", 3, w);
	fx->r[1].max_conns = 2;
	set_conns(fx, 1, 2, 5);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, false), "acac");
	set_conns(fx, 1, 1, 5);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, false), "abca");

	/* the pick after an unusable last pick continues after it */
	fx = sched_fx(test, "rr", 3, w);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 2, false), "ab");
	fx->r[1].weight = 0;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, false), "cac");
}

static void wrr_smooth(struct kunit *test)
{
	struct sched_fx *fx;

	/* weights 1,2,3: counts 1,2,3 per 6 picks, interleaved; the tie at
	 * the third pick (a and c both at credit 3) goes to a, first in link
	 * order
	 */
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 1, 2, 3 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 12, false), "cbacbccbacbc");

	/* the example of sched_wrr.c: 5,1,1 gives a,a,b,a,c,a,a */
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 5, 1, 1 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 14, false),
			   "aabacaaaabacaa");

	/* equal weights: round robin */
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 2, 2, 2 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 6, false), "abcabc");

	/* conns do not matter to wrr */
	fx = sched_fx(test, "wrr", 2, (const u32[]){ 1, 1 });
	set_conns(fx, 0, 100, 100);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, true), "abab");
}

static void wrr_skips_unusable(struct kunit *test)
{
	struct sched_fx *fx;

	/* weight 0 takes no share and no credit */
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 1, 0, 1 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, false), "acac");

	fx = sched_fx(test, "wrr", 3, (const u32[]){ 1, 2, 3 });
	fx->r[2].state = LDIR_STATE_OUT;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 6, false), "babbab");

	fx = sched_fx(test, "wrr", 2, (const u32[]){ 3, 1 });
	fx->r[0].max_conns = 7;
	set_conns(fx, 0, 7, 7);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, false), "bbb");
}

static void lc_least_load(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1 };
	struct sched_fx *fx;

	/* load = 256 * active + inactive: 512, 265, 258 */
	fx = sched_fx(test, "lc", 3, w);
	set_conns(fx, 0, 2, 2);
	set_conns(fx, 1, 1, 10);
	set_conns(fx, 2, 1, 3);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "c");

	/* 255 closing conns weigh less than an active one, 256 as much
	 * (a tie: the first link), 257 more
	 */
	fx = sched_fx(test, "lc", 2, w);
	set_conns(fx, 0, 1, 1);
	set_conns(fx, 1, 0, 255);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "b");
	set_conns(fx, 1, 0, 256);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");
	set_conns(fx, 1, 0, 257);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");

	/* weights other than 0 do not matter to lc (wlc would take b) */
	fx = sched_fx(test, "lc", 2, (const u32[]){ 1, 100 });
	set_conns(fx, 0, 1, 1);
	set_conns(fx, 1, 2, 2);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");

	/* each pick opens a conn: the least loaded in turn, ties first */
	fx = sched_fx(test, "lc", 3, w);
	set_conns(fx, 0, 2, 2);
	set_conns(fx, 2, 1, 1);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 6, true), "bbcabc");

	/* the least loaded real is quiesced: the next one */
	fx = sched_fx(test, "lc", 3, w);
	set_conns(fx, 0, 1, 1);
	set_conns(fx, 2, 2, 2);
	fx->r[1].weight = 0;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");
}

static void wlc_least_load_per_weight(struct kunit *test)
{
	struct sched_fx *fx;

	/* 256/1 against 768/4 = 192: the second */
	fx = sched_fx(test, "wlc", 2, (const u32[]){ 1, 4 });
	set_conns(fx, 0, 1, 1);
	set_conns(fx, 1, 3, 3);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "b");

	/* 256/1 against 512/2: a tie, the first */
	fx = sched_fx(test, "wlc", 2, (const u32[]){ 1, 2 });
	set_conns(fx, 0, 1, 1);
	set_conns(fx, 1, 2, 2);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");
	/* 768/2, 768/2 and 1024/3 = 341.3: the third */
	fx = sched_fx(test, "wlc", 3, (const u32[]){ 2, 2, 3 });
	set_conns(fx, 0, 3, 3);
	set_conns(fx, 1, 3, 3);
	set_conns(fx, 2, 4, 4);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "c");

	/* 3/2 against 1/1: integer division would call it a tie */
	fx = sched_fx(test, "wlc", 2, (const u32[]){ 2, 1 });
	set_conns(fx, 0, 0, 3);
	set_conns(fx, 1, 0, 1);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "b");

	/* each pick opens a conn: weights 1,2,3 share out 1,2,3 per six */
	fx = sched_fx(test, "wlc", 3, (const u32[]){ 1, 2, 3 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 12, true), "abccbcabccbc");

	/* no load anywhere: the first usable link */
	fx = sched_fx(test, "wlc", 3, (const u32[]){ 1, 5, 9 });
	fx->r[0].state = LDIR_STATE_OUT;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "b");
}

/* Every scheme: no usable real, or no link at all, means no pick. */
static void sched_none_usable(struct kunit *test)
{
	static const char *const names[] = { "rr", "wrr", "lc", "wlc" };
	static const u32 w[] = { 1, 1, 1 };
	struct sched_fx *fx;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fx = sched_fx(test, names[i], 3, w);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 2, true), "ab",
				       "%s", names[i]);
		fx->r[0].weight = 0;
		fx->r[1].state = LDIR_STATE_OUT;
		fx->r[2].max_conns = 1;
		set_conns(fx, 2, 1, 1);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 3, false), "---",
				       "%s", names[i]);

		fx = sched_fx(test, names[i], 0, w);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 2, false), "--",
				       "%s", names[i]);
	}
	KUNIT_EXPECT_NULL(test, ldir_sched_find("nope"));
}

static struct kunit_case ldir_sched_cases[] = {
	KUNIT_CASE(rr_in_turn),
	KUNIT_CASE(rr_skips_unusable),
	KUNIT_CASE(wrr_smooth),
	KUNIT_CASE(wrr_skips_unusable),
	KUNIT_CASE(lc_least_load),
	KUNIT_CASE(wlc_least_load_per_weight),
	KUNIT_CASE(sched_none_usable),
	{}
};

static struct kunit_suite ldir_sched_suite = {
	.name = "ldir_sched",
	.test_cases = ldir_sched_cases,
};

kunit_test_suite(ldir_sched_suite);
