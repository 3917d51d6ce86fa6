// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the choice sequence of each session distribution scheme (rr, wrr,
 * lc, wlc, pr) for given weights, states and conn counts, on a bare
 * virtual; the selection rules around them (unanswered SYN threshold,
 * startup scheme, backups) and passive failure detection.
 */
#include <linux/bottom_half.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <kunit/test.h>

#include "model.h"
#include "select.h"
#include "health.h"
#include "conntab.h"

#define SCHED_REALS	80

/* A virtual with up to SCHED_REALS links, built by hand: no netns, no
 * table, only what ldir_sched_pick() and the schemes read.
 */
struct sched_fx {
	struct ldir_net ln;
	struct ldir_virtual v;
	struct ldir_real r[SCHED_REALS];
	struct ldir_link l[SCHED_REALS];
	int n;
};

static void noop_work(struct work_struct *work)
{
}

/* Links real @i to the virtual as ldir_link_create() does: on the real's
 * list, for ldir_real_changed(), and into the schemes, last.
 */
static void fx_link(struct sched_fx *fx, int i)
{
	struct ldir_link *l = &fx->l[i];

	refcount_set(&l->refcnt, 1);
	l->virt = &fx->v;
	l->real = &fx->r[i];
	list_add_tail_rcu(&l->rnode, &fx->r[i].links);
	ldir_sched_link_add(&fx->v, l);
}

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
	fx->ln.pr_age_div = 4;
	fx->ln.retry_interval = 30 * HZ;
	INIT_WORK(&fx->ln.event_work, noop_work);
	fx->v.ln = &fx->ln;
	fx->v.startup_pct = 50;
	fx->v.startup_window = 20;
	refcount_set(&fx->v.refcnt, 1);
	fx->v.family = AF_INET;
	fx->v.state = LDIR_STATE_IN;
	INIT_LIST_HEAD(&fx->v.links);
	spin_lock_init(&fx->v.sched_lock);
	RCU_INIT_POINTER(fx->v.sched, ops);
	for (i = 0; i < n; i++) {
		struct ldir_real *r = &fx->r[i];

		refcount_set(&r->refcnt, 1);
		r->family = AF_INET;
		r->weight = weights[i];
		r->state = LDIR_STATE_IN;
		r->syn_threshold = 5;
		r->fail_threshold = 3;
		atomic_set(&r->active, 0);
		atomic_set(&r->conns, 0);
		INIT_LIST_HEAD(&r->links);
		fx_link(fx, i);
	}
	for (; i < SCHED_REALS; i++)
		INIT_LIST_HEAD(&fx->r[i].links);
	return fx;
}

/* Sets the counters of real @i; when they go down, that models conns
 * closing, which tell the schemes as the conn code does.
 */
static void set_conns(struct sched_fx *fx, int i, int active, int conns)
{
	atomic_set(&fx->r[i].active, active);
	atomic_set(&fx->r[i].conns, conns);
	ldir_real_changed(&fx->r[i]);
}

/* Gives @r a measured R of @us microseconds. */
static void set_resp(struct ldir_real *r, u32 us)
{
	r->resp = us << LDIR_RESP_SHIFT;
	r->resp_sampled = true;
}

/* One pick as the packet path makes it: 'a' + the link's index, '-' for
 * none. With @charge, the pick opens an active conn on the real, as
 * ldir_conn_create() would, so that lc and wlc see it on the next pick.
 */
static char pick_ex(struct sched_fx *fx, bool charge, struct ldir_pick *pk)
{
	struct ldir_link *l;
	char c = '-';

	local_bh_disable();
	rcu_read_lock();
	l = ldir_sched_pick(&fx->ln, &fx->v, NULL, NULL, pk);
	if (l) {
		c = 'a' + (l - fx->l);
		if (charge) {
			atomic_inc(&pk->real->active);
			atomic_inc(&pk->real->conns);
		}
	}
	rcu_read_unlock();
	local_bh_enable();
	return c;
}

static char pick(struct sched_fx *fx, bool charge)
{
	struct ldir_pick pk;

	return pick_ex(fx, charge, &pk);
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

/* How many of @s are @c. */
static int count(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void wrr_stride(struct kunit *test)
{
	struct sched_fx *fx;
	const char *s;
	int i;

	/* weights 1,2,3, strides 6,3,2 (S = 6): tags a 6; b 3,6; c 2,4,6;
	 * the tie at 6 goes to link order: a, b, c
	 */
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 1, 2, 3 });
	s = picks(test, fx, 12, false);
	KUNIT_EXPECT_STREQ(test, s, "cbcabccbcabc");
	KUNIT_EXPECT_EQ(test, count(s, 'a'), 2);
	KUNIT_EXPECT_EQ(test, count(s, 'b'), 4);
	KUNIT_EXPECT_EQ(test, count(s, 'c'), 6);

	/* 5,1,1: exactly 5, 1 and 1 of every 7 */
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 5, 1, 1 });
	for (i = 0; i < 3; i++) {
		s = picks(test, fx, 7, false);
		KUNIT_EXPECT_EQ_MSG(test, count(s, 'a'), 5, "%s", s);
		KUNIT_EXPECT_EQ_MSG(test, count(s, 'b'), 1, "%s", s);
		KUNIT_EXPECT_EQ_MSG(test, count(s, 'c'), 1, "%s", s);
	}

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
	static const char *const names[] = { "rr", "wrr", "lc", "wlc", "pr" };
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

/* PR = NC * R - age / k, with a fake clock. */
static void pr_value_and_aging(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "pr", 1, (const u32[]){ 1 });
	struct ldir_real *r = &fx->r[0];

	set_resp(r, 1000);
	r->agestamp_us = 5000000;
	set_conns(fx, 0, 3, 3);
	KUNIT_EXPECT_EQ(test, ldir_real_pr(r, 5000000, 4), 3000);
	/* 4 ms later, k = 4: 1000 us better */
	KUNIT_EXPECT_EQ(test, ldir_real_pr(r, 5004000, 4), 2000);
	KUNIT_EXPECT_EQ(test, ldir_real_pr(r, 5004000, 1), -1000);
	/* long unmeasured: negative, it wins conns back to be measured */
	KUNIT_EXPECT_EQ(test, ldir_real_pr(r, 5000000 + 40000, 4), -7000);
	/* a clock behind the stamp does not age it backwards */
	KUNIT_EXPECT_EQ(test, ldir_real_pr(r, 4000000, 4), 3000);
}

/* The smallest PR wins; aging moves a slow real back into favour. */
static void pr_picks_smallest(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "pr", 3, (const u32[]){ 1, 1, 1 });
	u64 now = ldir_now_us();
	int i;

	for (i = 0; i < 3; i++)
		fx->r[i].agestamp_us = now;
	set_resp(&fx->r[0], 1000);	/* 2 conns: 2000 */
	set_conns(fx, 0, 2, 2);
	set_resp(&fx->r[1], 3000);	/* 1 conn: 3000 */
	set_conns(fx, 1, 1, 1);
	set_resp(&fx->r[2], 100);	/* 4 conns: 400 */
	set_conns(fx, 2, 4, 4);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "c");
	/* c at 8 conns: 800; at 25: 2500 > a's 2000 */
	set_conns(fx, 2, 25, 25);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");
	/* b unmeasured for 40 ms: 3000 - 10000; an older stamp lowers the
	 * key, which must be told as the conn table does
	 */
	fx->r[1].agestamp_us = now - 40000;
	ldir_real_changed(&fx->r[1]);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "b");
	/* a failed real loses whatever its PR */
	fx->r[1].state = LDIR_STATE_FAILED;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");
}

/* R = I / NC, clamped to +-P% of the old R. */
static void pr_sample_clamp(struct kunit *test)
{
	static const u32 pct[] = { 10, 25, 50 };
	struct sched_fx *fx = sched_fx(test, "pr", 1, (const u32[]){ 1 });
	struct ldir_real *r = &fx->r[0];
	int i;

	/* first sample: taken as is, divided by NC */
	KUNIT_EXPECT_FALSE(test, r->resp_sampled);
	set_conns(fx, 0, 4, 4);
	ldir_real_sample(r, 4000, 777, 25);
	KUNIT_EXPECT_TRUE(test, r->resp_sampled);
	KUNIT_EXPECT_EQ(test, ldir_real_resp_us(r), 1000);
	KUNIT_EXPECT_EQ(test, r->resp, 1000 << LDIR_RESP_SHIFT);
	KUNIT_EXPECT_EQ(test, r->agestamp_us, 777);
	set_conns(fx, 0, 1, 1);
	for (i = 0; i < ARRAY_SIZE(pct); i++) {
		set_resp(r, 1000);
		ldir_real_sample(r, 100000, 1, pct[i]);
		KUNIT_EXPECT_EQ_MSG(test, ldir_real_resp_us(r),
				    1000 + 10 * pct[i], "up, %u%%", pct[i]);
		set_resp(r, 1000);
		ldir_real_sample(r, 0, 1, pct[i]);
		KUNIT_EXPECT_EQ_MSG(test, ldir_real_resp_us(r),
				    1000 - 10 * pct[i], "down, %u%%", pct[i]);
		set_resp(r, 1000);
		ldir_real_sample(r, 1040, 1, pct[i]);
		KUNIT_EXPECT_EQ_MSG(test, ldir_real_resp_us(r), 1040,
				    "inside, %u%%", pct[i]);
	}
	/* NC of 0 counts as 1: the sampled conn itself */
	set_conns(fx, 0, 0, 0);
	r->resp = 0;
	r->resp_sampled = false;
	ldir_real_sample(r, 500, 1, 25);
	KUNIT_EXPECT_EQ(test, ldir_real_resp_us(r), 500);
}

/* R is finer than a microsecond: a fast real's R is not stuck where
 * P% of it rounds to nothing, and R = 0 is a sample like any other.
 */
static void pr_sample_precision(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "pr", 1, (const u32[]){ 1 });
	struct ldir_real *r = &fx->r[0];
	u32 prev;
	int i;

	/* 3 us, answering in 300 ms: 25% of 3 us is 0.75 us, and R climbs */
	set_conns(fx, 0, 1, 1);
	set_resp(r, 3);
	for (i = 0; i < 10; i++) {
		prev = r->resp;
		ldir_real_sample(r, 300000, 1, 25);
		KUNIT_EXPECT_EQ_MSG(test, r->resp, prev + prev / 4,
				    "sample %d", i);
	}
	KUNIT_EXPECT_GT(test, ldir_real_resp_us(r), 3);
	/* and down again by 25% a sample, toward 0 */
	prev = r->resp;
	ldir_real_sample(r, 0, 1, 25);
	KUNIT_EXPECT_EQ(test, r->resp, prev - prev / 4);

	/* the smallest R moves by one unit at least, up and down */
	r->resp = 1;
	ldir_real_sample(r, 300000, 1, 25);
	KUNIT_EXPECT_EQ(test, r->resp, 2);
	ldir_real_sample(r, 0, 1, 25);
	KUNIT_EXPECT_EQ(test, r->resp, 1);
	ldir_real_sample(r, 0, 1, 25);
	KUNIT_EXPECT_EQ(test, r->resp, 0);

	/* a first sample of 0 (an answer within the us) is kept as R = 0,
	 * measured: the next one moves it by the clamp, it does not replace it
	 */
	r->resp = 0;
	r->resp_sampled = false;
	ldir_real_sample(r, 0, 1, 25);
	KUNIT_EXPECT_TRUE(test, r->resp_sampled);
	KUNIT_EXPECT_EQ(test, r->resp, 0);
	ldir_real_sample(r, 1000, 1, 25);
	KUNIT_EXPECT_EQ(test, r->resp, 1);

	/* an unmeasured real: R = 0 in PR, and the first sample sets R */
	r->resp = 0;
	r->resp_sampled = false;
	ldir_real_sample(r, 300000, 1, 25);
	KUNIT_EXPECT_EQ(test, ldir_real_resp_us(r), 300000);

	/* R saturates rather than wraps: 20 s for one conn */
	r->resp_sampled = false;
	ldir_real_sample(r, 20000000, 1, 25);
	KUNIT_EXPECT_EQ(test, r->resp, U32_MAX);
	/* NC * R stays in range: 2^31 - 1 conns at the largest R */
	atomic_set(&r->active, INT_MAX);
	KUNIT_EXPECT_EQ(test, ldir_real_nc_r(r),
			((u64)INT_MAX * U32_MAX) >> LDIR_RESP_SHIFT);
	atomic_set(&r->active, 1);
}

/* A real at its unanswered SYN threshold is chosen only
 * when every other one is too: the best of the "bad" ones.
 */
static void syn_threshold_best_bad(struct kunit *test)
{
	static const char *const names[] = { "lc", "wlc", "pr" };
	struct sched_fx *fx;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fx = sched_fx(test, names[i], 3, (const u32[]){ 1, 1, 1 });
		set_conns(fx, 0, 1, 1);
		set_conns(fx, 1, 3, 3);
		set_conns(fx, 2, 5, 5);
		set_resp(&fx->r[0], 100);
		set_resp(&fx->r[1], 100);
		set_resp(&fx->r[2], 100);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "a",
				       "%s", names[i]);
		atomic_set(&fx->r[0].unanswered, 5);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "b",
				       "%s", names[i]);
		atomic_set(&fx->r[1].unanswered, 7);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "c",
				       "%s", names[i]);
		/* all bad: the best bad one */
		atomic_set(&fx->r[2].unanswered, 5);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "a",
				       "%s", names[i]);
		/* the threshold is per real */
		fx->r[2].syn_threshold = 6;
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "c",
				       "%s", names[i]);
	}

	/* rr and wrr skip bad reals in turn, and use them if all are bad */
	fx = sched_fx(test, "rr", 3, (const u32[]){ 1, 1, 1 });
	atomic_set(&fx->r[1].unanswered, 5);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, false), "acac");
	atomic_set(&fx->r[0].unanswered, 5);
	atomic_set(&fx->r[2].unanswered, 5);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, false), "abc");
	fx = sched_fx(test, "wrr", 3, (const u32[]){ 2, 1, 1 });
	atomic_set(&fx->r[0].unanswered, 5);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, false), "bcbc");
}

/* Slow start: a real added to a busy wlc virtual takes every new
 * conn; with the startup scheme, no more than about P% of the window.
 */
static void startup_rr(struct kunit *test)
{
	struct sched_fx *fx;
	const char *s;
	int i, n;

	fx = sched_fx(test, "wlc", 3, (const u32[]){ 1, 1, 1 });
	set_conns(fx, 0, 20, 20);
	set_conns(fx, 1, 20, 20);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 10, true), "cccccccccc");

	fx = sched_fx(test, "wlc", 3, (const u32[]){ 1, 1, 1 });
	set_conns(fx, 0, 20, 20);
	set_conns(fx, 1, 20, 20);
	fx->v.startup = LDIR_STARTUP_RR;
	fx->v.startup_pct = 50;
	fx->v.startup_window = 10;
	s = picks(test, fx, 40, true);
	for (i = n = 0; i < 40; i++)
		n += s[i] == 'c';
	/* c got at most half of any window, plus one: 20 of 40 + 1 */
	KUNIT_EXPECT_LE_MSG(test, n, 21, "%s", s);
	KUNIT_EXPECT_GE_MSG(test, n, 14, "%s", s);
	/* no window of 10 in a row is more than 6 c's */
	for (i = 0; i + 10 <= 40; i++) {
		int j, w = 0;

		for (j = i; j < i + 10; j++)
			w += s[j] == 'c';
		KUNIT_EXPECT_LE_MSG(test, w, 6, "%s at %d", s, i);
	}

	/* P = 100: only a real with every one of the last W is overruled */
	fx = sched_fx(test, "wlc", 2, (const u32[]){ 1, 1 });
	set_conns(fx, 0, 20, 20);
	fx->v.startup = LDIR_STARTUP_RR;
	fx->v.startup_pct = 100;
	fx->v.startup_window = 4;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, true), "bab");
}

/* A real's backup takes its new conns while it is failed or out, not
 * while it is merely full or quiesced.
 */
static void backup_real(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "rr", 2, (const u32[]){ 1, 1 });
	struct ldir_real *x = &fx->r[3];
	struct ldir_pick pk;

	refcount_set(&x->refcnt, 1);
	x->weight = 1;
	x->state = LDIR_STATE_IN;
	x->syn_threshold = 5;
	rcu_assign_pointer(fx->r[0].backup, x);
	fx->r[0].state = LDIR_STATE_OUT;
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, x);
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'b');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, &fx->r[1]);
	fx->r[0].state = LDIR_STATE_FAILED;
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, x);
	/* the backup itself out: no stand-in */
	x->state = LDIR_STATE_OUT;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 2, false), "bb");
	/* quiesced: weight 0 is a choice, not a failure */
	x->state = LDIR_STATE_IN;
	fx->r[0].state = LDIR_STATE_IN;
	fx->r[0].weight = 0;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 2, false), "bb");
}

/* Ditched conns in a row fail a real, a
 * SYN-ACK resets the count; a failed real gets one probe per retry
 * interval and a probe's SYN-ACK puts it back in service, where ditches
 * cannot fail it again for one retry interval.
 */
static void ditch_fail_retest(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "lc", 2, (const u32[]){ 1, 1 });
	struct ldir_real *a = &fx->r[0];
	struct ldir_net *ln = &fx->ln;
	struct ldir_pick pk;

	set_conns(fx, 1, 3, 3);
	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_IN);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ditch_consec), 2);
	ldir_real_answered(ln, a);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ditch_consec), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ditched), 2);

	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_IN);
	ldir_real_ditch(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_FAILED);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nfailed), 1);
	/* failed: lc would prefer a (no conns), but it gets none */
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 2, false), "bb");
	KUNIT_EXPECT_FALSE(test, ldir_real_probe_due(ln, a));

	/* the retry interval is over: exactly one probe */
	a->retry_at = jiffies - 1;
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	KUNIT_EXPECT_TRUE(test, pk.probe);
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'b');
	KUNIT_EXPECT_FALSE(test, pk.probe);
	KUNIT_EXPECT_TRUE(test, time_after(a->retry_at, jiffies));

	/* the probe ditched too: still failed, the next probe a full
	 * interval later
	 */
	ldir_real_ditch(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_FAILED);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nfailed), 1);
	KUNIT_EXPECT_FALSE(test, ldir_real_probe_due(ln, a));

	/* a probe answered: back in service */
	a->retry_at = jiffies - 1;
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	ldir_real_answered(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_IN);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nfailed), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ditch_consec), 0);

	/* back by a probe, it is held in service for a retry interval:
	 * the ditches count, but do not fail it until the hold is over
	 */
	KUNIT_EXPECT_TRUE(test, time_after(a->hold_until, jiffies));
	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_IN);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ditch_consec), 3);
	a->hold_until = jiffies - 1;
	ldir_real_ditch(ln, a);
	/* fail again, then set in by hand: overrides */
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_FAILED);
	ldir_real_set_state(ln, a, LDIR_STATE_IN);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nfailed), 0);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 1, false), "a");

	/* fail threshold 0: never failed */
	a->fail_threshold = 0;
	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	ldir_real_ditch(ln, a);
	KUNIT_EXPECT_EQ(test, a->state, LDIR_STATE_IN);
	cancel_work_sync(&ln->event_work);
}

/* The conn being moved off a real is never scheduled back to it. */
static void pick_avoids(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "lc", 2, (const u32[]){ 1, 1 });
	struct ldir_link *l;
	struct ldir_pick pk;

	set_conns(fx, 1, 3, 3);
	local_bh_disable();
	rcu_read_lock();
	l = ldir_sched_pick(&fx->ln, &fx->v, NULL, &fx->r[0], &pk);
	KUNIT_EXPECT_PTR_EQ(test, l, &fx->l[1]);
	l = ldir_sched_pick(&fx->ln, &fx->v, NULL, &fx->r[1], &pk);
	KUNIT_EXPECT_PTR_EQ(test, l, &fx->l[0]);
	rcu_read_unlock();
	local_bh_enable();
}

/* The old full scan of every link by the scheme's comparator: what the
 * tree must agree with.
 */
static char scan_pick(struct sched_fx *fx)
{
	const struct ldir_sched_ops *ops = rcu_access_pointer(fx->v.sched);
	struct ldir_link *l;

	local_bh_disable();
	rcu_read_lock();
	l = ldir_sched_best(&fx->v, ops->better, NULL);
	rcu_read_unlock();
	local_bh_enable();
	return l ? 'a' + (l - fx->l) : '-';
}

/* Random loads on SCHED_REALS reals, conns opening and closing (closes
 * told): every pick of the tree is the pick of the full scan.
 */
static void tree_matches_scan(struct kunit *test)
{
	static const char *const names[] = { "lc", "wlc", "pr" };
	u32 w[SCHED_REALS];
	struct rnd_state rs;
	struct sched_fx *fx;
	int i, j, n;

	prandom_seed_state(&rs, 6);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		u32 k = 4;
		u64 base = ldir_now_us() / k - 100000;

		for (j = 0; j < SCHED_REALS; j++)
			w[j] = 1 + prandom_u32_state(&rs) % 8;
		fx = sched_fx(test, names[i], SCHED_REALS, w);
		fx->ln.pr_age_div = k;
		for (j = 0; j < SCHED_REALS; j++) {
			int a = prandom_u32_state(&rs) % 16;

			set_conns(fx, j, a, a + prandom_u32_state(&rs) % 4);
			set_resp(&fx->r[j], prandom_u32_state(&rs) % 4 * 250);
			/* stamps on multiples of k: floor(stamp / k) is then
			 * exact and the two forms of PR agree to the us
			 */
			fx->r[j].agestamp_us =
				(base - prandom_u32_state(&rs) % 64) * k;
		}
		for (n = 0; n < 400; n++) {
			struct ldir_real *r;
			char want = scan_pick(fx), got;

			got = pick(fx, true);
			KUNIT_EXPECT_EQ_MSG(test, got, want, "%s pick %d",
					    names[i], n);
			if (got != want)
				break;
			j = prandom_u32_state(&rs) % SCHED_REALS;
			r = &fx->r[j];
			switch (prandom_u32_state(&rs) % 6) {
			case 0:
			case 1:		/* an active conn closes */
				if (atomic_read(&r->active))
					set_conns(fx, j,
						  atomic_read(&r->active) - 1,
						  atomic_read(&r->conns) - 1);
				break;
			case 2:		/* it moves to TIME_WAIT */
				if (atomic_read(&r->active))
					set_conns(fx, j,
						  atomic_read(&r->active) - 1,
						  atomic_read(&r->conns));
				break;
			case 3:		/* a conn of another virtual opens */
				atomic_inc(&r->active);
				atomic_inc(&r->conns);
				break;
			case 4:		/* R is sampled, up or down */
				if (ldir_real_sample(r, prandom_u32_state(&rs) %
						     4000, ldir_now_us() / k * k,
						     25))
					ldir_real_changed(r);
				break;
			case 5:		/* a real fills up its SYN threshold */
				atomic_set(&r->unanswered,
					   atomic_read(&r->unanswered) ? 0 : 5);
				break;
			}
		}
	}
}

/* A told decrease is seen by the very next pick. */
static void tree_sees_decrease(struct kunit *test)
{
	static const char *const names[] = { "lc", "wlc", "pr" };
	struct sched_fx *fx;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fx = sched_fx(test, names[i], 3, (const u32[]){ 1, 1, 1 });
		set_conns(fx, 0, 5, 5);
		set_conns(fx, 1, 3, 3);
		set_conns(fx, 2, 4, 4);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "b",
				       "%s", names[i]);
		set_conns(fx, 0, 1, 1);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "a",
				       "%s", names[i]);
		set_conns(fx, 2, 0, 0);
		KUNIT_EXPECT_STREQ_MSG(test, picks(test, fx, 1, false), "c",
				       "%s", names[i]);
	}
}

/* A link added once the tree is built is scheduled; an unlinked one is
 * not.
 */
static void tree_link_add_del(struct kunit *test)
{
	struct sched_fx *fx;
	const char *s;

	fx = sched_fx(test, "lc", 2, (const u32[]){ 1, 1 });
	set_conns(fx, 0, 2, 2);
	set_conns(fx, 1, 2, 2);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 2, true), "ab");
	fx->r[2].weight = 1;
	fx->r[2].state = LDIR_STATE_IN;
	fx->r[2].syn_threshold = 5;
	fx_link(fx, 2);
	/* 0, 256, 512: then a tie with a and b at 768 */
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 4, true), "ccca");
	ldir_sched_link_del(&fx->v, &fx->l[2]);
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, true), "bab");

	/* wrr: the new link joins the rotation, not ahead of it */
	fx = sched_fx(test, "wrr", 2, (const u32[]){ 1, 1 });
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 8, false), "abababab");
	fx->r[2].weight = 1;
	fx->r[2].state = LDIR_STATE_IN;
	fx->r[2].syn_threshold = 5;
	fx_link(fx, 2);
	s = picks(test, fx, 6, false);
	KUNIT_EXPECT_EQ_MSG(test, count(s, 'a'), 2, "%s", s);
	KUNIT_EXPECT_EQ_MSG(test, count(s, 'b'), 2, "%s", s);
	KUNIT_EXPECT_EQ_MSG(test, count(s, 'c'), 2, "%s", s);
	ldir_sched_link_del(&fx->v, &fx->l[0]);
	KUNIT_EXPECT_EQ(test, count(picks(test, fx, 6, false), 'a'), 0);
}

/* A real back in service after many picks without it takes its share
 * from then on, not a burst to catch up.
 */
static void wrr_no_burst(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "wrr", 3,
				       (const u32[]){ 1, 1, 1 });
	const char *s;

	KUNIT_EXPECT_STREQ(test, picks(test, fx, 3, false), "abc");
	fx->r[2].state = LDIR_STATE_OUT;
	KUNIT_EXPECT_STREQ(test, picks(test, fx, 30, false),
			   "ababababababababababababababab");
	fx->r[2].state = LDIR_STATE_IN;
	s = picks(test, fx, 3, false);
	KUNIT_EXPECT_EQ_MSG(test, count(s, 'c'), 1, "%s", s);
	s = picks(test, fx, 30, false);
	KUNIT_EXPECT_EQ_MSG(test, count(s, 'c'), 10, "%s", s);
}

/* Under lc with the tree, a backup standing in is compared by its own
 * load, not by the failed real's (the full scan takes over).
 */
static void backup_real_lc(struct kunit *test)
{
	struct sched_fx *fx = sched_fx(test, "lc", 3, (const u32[]){ 1, 1, 1 });
	struct ldir_real *a = &fx->r[0], *x = &fx->r[3];
	struct ldir_net *ln = &fx->ln;
	struct ldir_pick pk;

	refcount_set(&x->refcnt, 1);
	x->weight = 1;
	x->state = LDIR_STATE_IN;
	x->syn_threshold = 5;
	set_conns(fx, 1, 3, 3);
	set_conns(fx, 2, 5, 5);
	set_conns(fx, 3, 1, 1);
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, a);

	ldir_real_set_backup(ln, a, x);
	ldir_real_set_state(ln, a, LDIR_STATE_OUT);
	KUNIT_EXPECT_EQ(test, ln->nbackups, 1);
	KUNIT_EXPECT_EQ(test, ln->nout, 1);
	/* x at 256 beats b at 768: through a's link */
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, x);
	/* x at 1024: b, though a's own load (0) is the smallest */
	set_conns(fx, 3, 4, 4);
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'b');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, &fx->r[1]);

	/* back in: a itself again, from the tree */
	ldir_real_set_state(ln, a, LDIR_STATE_IN);
	KUNIT_EXPECT_EQ(test, ln->nout, 0);
	KUNIT_EXPECT_EQ(test, pick_ex(fx, false, &pk), 'a');
	KUNIT_EXPECT_PTR_EQ(test, pk.real, a);
	ldir_real_set_backup(ln, a, NULL);
	KUNIT_EXPECT_EQ(test, ln->nbackups, 0);
	cancel_work_sync(&ln->event_work);
}

static struct kunit_case ldir_sched_cases[] = {
	KUNIT_CASE(rr_in_turn),
	KUNIT_CASE(rr_skips_unusable),
	KUNIT_CASE(wrr_stride),
	KUNIT_CASE(wrr_skips_unusable),
	KUNIT_CASE(lc_least_load),
	KUNIT_CASE(wlc_least_load_per_weight),
	KUNIT_CASE(sched_none_usable),
	KUNIT_CASE(pr_value_and_aging),
	KUNIT_CASE(pr_picks_smallest),
	KUNIT_CASE(pr_sample_clamp),
	KUNIT_CASE(pr_sample_precision),
	KUNIT_CASE(syn_threshold_best_bad),
	KUNIT_CASE(startup_rr),
	KUNIT_CASE(backup_real),
	KUNIT_CASE(ditch_fail_retest),
	KUNIT_CASE(pick_avoids),
	KUNIT_CASE(tree_matches_scan),
	KUNIT_CASE(tree_sees_decrease),
	KUNIT_CASE(tree_link_add_del),
	KUNIT_CASE(wrr_no_burst),
	KUNIT_CASE(backup_real_lc),
	{}
};

static struct kunit_suite ldir_sched_suite = {
	.name = "ldir_sched",
	.test_cases = ldir_sched_cases,
};

kunit_test_suite(ldir_sched_suite);
