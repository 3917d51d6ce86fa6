// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hash3/hash5 (IPv4 and IPv6) against hand-computed vectors, Maglev
 * tables (balance, weights, disruption), the flow hashes and the
 * per-virtual hash tables.
 */
#include <linux/bottom_half.h>
#include <linux/inet.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <kunit/test.h>

#include "maglev.h"
#include "model.h"
#include "select.h"

#define IP4(a, b, c, d)	((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (d))

/* hash3: (SRC_IP_ADDR + DEST_IP_ADDR + DEST_PORT) % N, worked by hand:
 * 10.0.1.2 = 167772418, 192.0.2.10 = 3221225994, + 80 = 3388998492.
 */
static void hash3_vectors(struct kunit *test)
{
	u32 c = IP4(10, 0, 1, 2), vip = IP4(192, 0, 2, 10);

	KUNIT_EXPECT_EQ(test, c, 167772418U);
	KUNIT_EXPECT_EQ(test, vip, 3221225994U);
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 80, 3), 0U);	/* 3 * 1129666164 */
	KUNIT_EXPECT_EQ(test, ldir_hash3(c + 1, vip, 80, 3), 1U);
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 81, 3), 1U);
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 82, 3), 2U);
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 80, 1), 0U);
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 80, 7), 3388998492U % 7);
	/* an N above the sum gives the sum itself */
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 80, 3388998493U), 3388998492U);
	/* no 32-bit wrap: (2^32-1) * 2 + 65535 = 8590000125, % 7 = 0
	 * (a wrapped sum, 65533, would give 6)
	 */
	KUNIT_EXPECT_EQ(test, ldir_hash3(U32_MAX, U32_MAX, 65535, 7), 0U);
	/* N = 0 (no usable real): 0, not a division by zero */
	KUNIT_EXPECT_EQ(test, ldir_hash3(c, vip, 80, 0), 0U);
}

/* hash5: (SRC_IP_ADDR + SRC_PORT + DEST_IP_ADDR + DEST_PORT + PROTOCOL)
 * % N: 167772418 + 40000 + 3221225994 + 7 + 17 = 3388998436 + 40000 =
 * 3389038436, % 3 = 2.
 */
static void hash5_vectors(struct kunit *test)
{
	u32 c = IP4(10, 0, 1, 2), vip = IP4(192, 0, 2, 10);

	KUNIT_EXPECT_EQ(test, ldir_hash5(c, 40000, vip, 7, IPPROTO_UDP, 3), 2U);
	KUNIT_EXPECT_EQ(test, ldir_hash5(c, 40001, vip, 7, IPPROTO_UDP, 3), 0U);
	KUNIT_EXPECT_EQ(test, ldir_hash5(c, 40002, vip, 7, IPPROTO_UDP, 3), 1U);
	/* TCP 6 instead of UDP 17: 11 less */
	KUNIT_EXPECT_EQ(test, ldir_hash5(c, 40000, vip, 80, IPPROTO_TCP, 3), 1U);
	KUNIT_EXPECT_EQ(test, ldir_hash5(c, 40000, vip, 7, IPPROTO_UDP, 4000000000U),
			3389038436U);
	/* 2 * (2^32-1) + 2 * 65535 + 255 = 8590065915, % 7 = 4 (wrapped: 3) */
	KUNIT_EXPECT_EQ(test, ldir_hash5(U32_MAX, 65535, U32_MAX, 65535, 255, 7),
			4U);
}

/* An IPv6 address from its text form. */
static struct in6_addr a6(struct kunit *test, const char *s)
{
	struct in6_addr a;

	KUNIT_ASSERT_EQ_MSG(test, in6_pton(s, -1, a.s6_addr, -1, NULL), 1,
			    "%s", s);
	return a;
}

#define A6_ONES	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"

/* hash3 of IPv6: the addresses as unsigned 128-bit numbers, summed
 * exactly, % N. The expected values are python's big ints; with
 *   from ipaddress import ip_address as ip; a = lambda s: int(ip(s))
 *   N = (3, 7, 65521, 65536, 4294967291)
 * these hold (and those below):
 *   [(a("2001:db8:1::2") + a("2001:db8::10") + 80) % n for n in N] ==
 *    [1, 5, 33273, 98, 1092642477]
 *   [(a(c) + a("2001:db8::10") + p) % 3 for c, p in (("2001:db8:1::3", 80),
 *    ("2001:db8:1::2", 81), ("2001:db8:1::2", 82))] == [2, 2, 0]
 */
static void hash3_v6_vectors(struct kunit *test)
{
	struct in6_addr c = a6(test, "2001:db8:1::2");
	struct in6_addr vip = a6(test, "2001:db8::10");
	struct in6_addr c1 = a6(test, "2001:db8:1::3");
	struct in6_addr f = a6(test, A6_ONES), s, d;

	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 3), 1U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 7), 5U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 65521), 33273U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 65536), 98U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 4294967291U),
			1092642477U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c1, &vip, 80, 3), 2U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 81, 3), 2U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 82, 3), 0U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 1), 0U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&c, &vip, 80, 0), 0U);

	/* carries across words, 2^32 and 2^96 (word by word without
	 * carries, both sums would be 0):
	 *   [(a(s) + a("::1")) % n for s, n in (("::ffff:ffff", 7),
	 *    ("::ffff:ffff:ffff:ffff:ffff:ffff", 7),
	 *    ("::ffff:ffff:ffff:ffff:ffff:ffff", 65521))] == [4, 1, 55492]
	 */
	s = a6(test, "::ffff:ffff");
	d = a6(test, "::1");
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&s, &d, 0, 7), 4U);
	s = a6(test, "::ffff:ffff:ffff:ffff:ffff:ffff");
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&s, &d, 0, 7), 1U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&s, &d, 0, 65521), 55492U);

	/* the sum above 2^128: 2 * (2^128 - 1) + 65535 = 2^129 + 65533;
	 * with f = 2**128 - 1; M = (7, 65521, 4294967291):
	 *   [(f + f + 65535) % n for n in M] == [0, 7911, 66783]
	 * and a sum cut to 128 bits would give the wrong
	 *   [(f + f + 65535) % 2**128 % n for n in M] == [6, 12, 65533]
	 */
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&f, &f, 65535, 7), 0U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&f, &f, 65535, 65521), 7911U);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&f, &f, 65535, 4294967291U),
			66783U);

	/* addresses below 2^32 are the IPv4 numbers: the IPv4 result */
	s = a6(test, "::10.0.1.2");
	d = a6(test, "::192.0.2.10");
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&s, &d, 80, 7), 3388998492U % 7);
	KUNIT_EXPECT_EQ(test, ldir_hash3_v6(&s, &d, 80, 3388998493U),
			3388998492U);
}

/* hash5 of IPv6, likewise (a, f and M as above):
 *   [(a("2001:db8:1::2") + sp + a("2001:db8::10") + dp + pr) % n
 *    for sp, dp, pr, n in ((40000, 7, 17, 3), (40001, 7, 17, 3),
 *    (40002, 7, 17, 3), (40000, 80, 6, 3), (40000, 7, 17, 7),
 *    (40000, 7, 17, 65521), (40000, 7, 17, 65536),
 *    (40000, 7, 17, 4294967291))] ==
 *    [0, 1, 2, 2, 0, 7696, 40042, 1092682421]
 */
static void hash5_v6_vectors(struct kunit *test)
{
	struct in6_addr c = a6(test, "2001:db8:1::2");
	struct in6_addr vip = a6(test, "2001:db8::10");
	struct in6_addr f = a6(test, A6_ONES), s, d;

	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 7, IPPROTO_UDP, 3),
			0U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40001, &vip, 7, IPPROTO_UDP, 3),
			1U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40002, &vip, 7, IPPROTO_UDP, 3),
			2U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 80, IPPROTO_TCP, 3),
			2U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 7, IPPROTO_UDP, 7),
			0U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 7, IPPROTO_UDP,
					    65521), 7696U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 7, IPPROTO_UDP,
					    65536), 40042U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 7, IPPROTO_UDP,
					    4294967291U), 1092682421U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&c, 40000, &vip, 7, IPPROTO_UDP, 0),
			0U);

	/* a port carries into the address's second word:
	 *   (a("::ffff:ffff") + 1) % 7 == 4
	 */
	s = a6(test, "::ffff:ffff");
	d = a6(test, "::");
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&s, 1, &d, 0, 0, 7), 4U);

	/* the largest sum, 2 * (2^128 - 1) + 2 * 65535 + 255:
	 *   [(f + 65535 + f + 65535 + 255) % n for n in M] == [4, 8180, 132573]
	 * (cut to 128 bits: [3, 281, 131323])
	 */
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&f, 65535, &f, 65535, 255, 7), 4U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&f, 65535, &f, 65535, 255, 65521),
			8180U);
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&f, 65535, &f, 65535, 255,
					    4294967291U), 132573U);

	/* addresses below 2^32: the IPv4 vector */
	s = a6(test, "::10.0.1.2");
	d = a6(test, "::192.0.2.10");
	KUNIT_EXPECT_EQ(test, ldir_hash5_v6(&s, 40000, &d, 7, IPPROTO_UDP,
					    4000000000U), 3389038436U);
}

/* The flow hashes are part of what directors agree on: pinned to values
 * from an independent SipHash-2-4 (the reference algorithm in python,
 * checked against the paper's test vector; key maglev_flow_key, the
 * u64s 0x6c64697220202020 and 0x6d61676c65762066): IPv4 over
 * the 16 bytes of saddr, daddr, sport << 16 | dport, protocol as
 * little-endian u32s; IPv6 over the 40 bytes of saddr high, low, daddr
 * high, low (64-bit halves of the 128-bit numbers) and sport << 24 |
 * dport << 8 | protocol as little-endian u64s; the low 32 bits.
 */
static void maglev_flow_vectors(struct kunit *test)
{
	struct in6_addr c = a6(test, "2001:db8:1::2");
	struct in6_addr vip = a6(test, "2001:db8::10");

	KUNIT_EXPECT_EQ(test, ldir_maglev_flow_hash(IP4(10, 0, 1, 2),
						    IP4(192, 0, 2, 10), 40000,
						    80, IPPROTO_TCP),
			0x7e32941bU);
	KUNIT_EXPECT_EQ(test, ldir_maglev_flow_hash_v6(&c, &vip, 40000, 80,
						       IPPROTO_TCP),
			0xc3926104U);
}

/* @n backends named 10.0.2.(11 + i):80, with @w weights (NULL: all 1). */
static struct ldir_maglev_backend *backends(struct kunit *test, u32 n,
					    const u32 *w, u32 first)
{
	struct ldir_maglev_backend *b;
	u32 i;

	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		union nf_inet_addr a = {
			.ip = htonl(IP4(10, 0, 2, 11 + first + i)),
		};

		ldir_maglev_backend_init(&b[i], AF_INET, &a, htons(80),
					 w ? w[i] : 1, LDIR_MAGLEV_SIZE);
	}
	return b;
}

static u32 *table(struct kunit *test, const struct ldir_maglev_backend *b,
		  u32 n)
{
	u32 *t = kunit_kmalloc_array(test, LDIR_MAGLEV_SIZE, sizeof(*t),
				     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, ldir_maglev_build(t, LDIR_MAGLEV_SIZE, b, n), 0);
	return t;
}

static void count(const u32 *t, u32 *cnt, u32 n)
{
	u32 i;

	memset(cnt, 0, n * sizeof(*cnt));
	for (i = 0; i < LDIR_MAGLEV_SIZE; i++)
		if (t[i] < n)
			cnt[t[i]]++;
}

/* Equal weights: every round each backend takes one slot, so the shares
 * differ by at most one entry; and the table is full.
 */
static void maglev_balance(struct kunit *test)
{
	const u32 n = 7, m = LDIR_MAGLEV_SIZE;
	struct ldir_maglev_backend *b = backends(test, n, NULL, 0);
	u32 *t = table(test, b, n), cnt[7], i, sum = 0;

	count(t, cnt, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_GE(test, cnt[i], m / n);
		KUNIT_EXPECT_LE(test, cnt[i], m / n + 1);
		sum += cnt[i];
	}
	KUNIT_EXPECT_EQ(test, sum, m);

	KUNIT_EXPECT_EQ(test, ldir_maglev_build(t, m, b, 0), -EINVAL);
	b[0].weight = 0;
	KUNIT_EXPECT_EQ(test, ldir_maglev_build(t, m, b, n), -EINVAL);
}

/* Weights 1 2 3 4: shares within two entries of M * w / 10. */
static void maglev_weights(struct kunit *test)
{
	static const u32 w[] = { 1, 2, 3, 4 };
	const u32 n = ARRAY_SIZE(w), m = LDIR_MAGLEV_SIZE;
	u32 *t = table(test, backends(test, n, w, 0), n), cnt[4], i;

	count(t, cnt, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_GE_MSG(test, cnt[i] * 10 + 20, m * w[i], "w %u", w[i]);
		KUNIT_EXPECT_LE_MSG(test, cnt[i] * 10, m * w[i] + 20, "w %u", w[i]);
	}
}

/* Minimal disruption: removing one of 10 backends moves its entries and
 * fewer than 1% of the others' (the paper's figure is a few tenths of a
 * percent at this size); adding an 11th takes M/11 entries and moves
 * fewer than 1% of the rest between old backends.
 */
static void maglev_disruption(struct kunit *test)
{
	const u32 m = LDIR_MAGLEV_SIZE;
	struct ldir_maglev_backend *b = backends(test, 11, NULL, 0);
	u32 *t10 = table(test, b, 10), *t9 = table(test, b, 9);
	u32 *t11 = table(test, b, 11);
	u32 i, moved = 0, to_new = 0, between = 0;

	for (i = 0; i < m; i++) {
		if (t10[i] != 9 && t10[i] != t9[i])
			moved++;
		if (t11[i] == 10)
			to_new++;
		else if (t11[i] != t10[i])
			between++;
	}
	KUNIT_EXPECT_LT(test, moved, m / 100);
	KUNIT_EXPECT_GE(test, to_new, m / 11);
	KUNIT_EXPECT_LE(test, to_new, m / 11 + 1);
	KUNIT_EXPECT_LT(test, between, m / 100);

	/* the same backends give the same table: no per-boot randomness */
	KUNIT_EXPECT_EQ(test, memcmp(t10, table(test, b, 10), m * sizeof(u32)), 0);
}

/* The build as it was before the heap, one pass over every backend per
 * round: the reference for the tables the heap must keep filling.
 */
static void maglev_passes(u32 *lookup, u32 size,
			  const struct ldir_maglev_backend *b, u32 n)
{
	u32 pos[64], credit[64] = {}, wmax = 0, filled = 0, i;

	for (i = 0; i < n; i++) {
		pos[i] = b[i].offset;
		wmax = max(wmax, b[i].weight);
	}
	for (i = 0; i < size; i++)
		lookup[i] = LDIR_MAGLEV_EMPTY;
	for (;;) {
		for (i = 0; i < n; i++) {
			credit[i] += b[i].weight;
			if (credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			while (lookup[pos[i]] != LDIR_MAGLEV_EMPTY) {
				pos[i] += b[i].skip;
				if (pos[i] >= size)
					pos[i] -= size;
			}
			lookup[pos[i]] = i;
			if (++filled == size)
				return;
		}
	}
}

/* The heap takes the turns in the order the passes did: the same table
 * for equal weights (so directors on either build agree), and for skewed
 * ones too.
 */
static void maglev_same_tables(struct kunit *test)
{
	static const u32 w4[] = { 1, 2, 3, 4 }, w2[] = { 65535, 1 };
	const u32 m = LDIR_MAGLEV_SIZE;
	u32 *ref = kunit_kmalloc_array(test, m, sizeof(*ref), GFP_KERNEL);
	u32 w50[50], i;
	struct {
		u32 n;
		const u32 *w;
	} sets[] = { { 1, NULL }, { 7, NULL }, { 10, NULL }, { 4, w4 },
		     { 2, w2 }, { 50, w50 } };

	KUNIT_ASSERT_NOT_NULL(test, ref);
	for (i = 0; i < ARRAY_SIZE(w50); i++)
		w50[i] = 1 + (i * 37 + 11) % 100;
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		struct ldir_maglev_backend *b;

		b = backends(test, sets[i].n, sets[i].w, 0);
		maglev_passes(ref, m, b, sets[i].n);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(table(test, b, sets[i].n), ref,
						 m * sizeof(*ref)), 0,
				    "set %u (%u backends)", i, sets[i].n);
	}
}

/* One real of weight 65535 and 4095 of weight 1: the passes took one
 * turn per round and looked at all 4096 backends each time, 2.7e8 steps.
 * The build takes one step per slot plus its probes: about M ln M
 * probes in all for a full table (ln 65537 < 12), whatever the weights.
 * The turns are the passes' turns: the light ones' first come in round
 * 65535, when the heavy one has filled all but two slots.
 */
static void maglev_skew_bounded(struct kunit *test)
{
	const u32 n = 4096, m = LDIR_MAGLEV_SIZE;
	u32 *t = kunit_kmalloc_array(test, m, sizeof(*t), GFP_KERNEL);
	u32 *cnt = kunit_kcalloc(test, n, sizeof(*cnt), GFP_KERNEL);
	struct ldir_maglev_backend *b;
	u64 steps = 0;
	u32 i;

	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, cnt);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		union nf_inet_addr a = {
			.ip = htonl(IP4(10, 1 + i / 256, i % 256, 1)),
		};

		ldir_maglev_backend_init(&b[i], AF_INET, &a, htons(80),
					 i ? 1 : 65535, m);
	}
	KUNIT_ASSERT_EQ(test, ldir_maglev_build_steps(t, m, b, n, &steps), 0);
	KUNIT_EXPECT_GE(test, steps, (u64)m);
	KUNIT_EXPECT_LE(test, steps, (u64)m * 32);
	count(t, cnt, n);
	KUNIT_EXPECT_EQ(test, cnt[0], 65535U);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_LE(test, cnt[i], 1U);

	/* equal weights: every backend a turn per round, the same bound */
	for (i = 0; i < n; i++)
		b[i].weight = 7;
	KUNIT_ASSERT_EQ(test, ldir_maglev_build_steps(t, m, b, n, &steps), 0);
	KUNIT_EXPECT_LE(test, steps, (u64)m * 32);
	count(t, cnt, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_GE(test, cnt[i], m / n);
		KUNIT_EXPECT_LE(test, cnt[i], m / n + 1);
	}
}

/* ---- per-virtual tables ------------------------------------------------ */

#define HX_REALS	4

struct hash_fx {
	struct ldir_net ln;
	struct ldir_virtual v;
	struct ldir_real r[HX_REALS];
	struct ldir_link l[HX_REALS];
};

/* A virtual of @family under scheme @name linked to 10.0.2.(10 + last[i])
 * or 2001:db8:(10 - last[i])::(10 + last[i]) (as numbers, the IPv6 reals
 * go the other way from their last bytes) in the order given, all weight
 * 1; its table built as the config path does.
 */
static struct hash_fx *hash_fx_family(struct kunit *test, const char *name,
				      u16 family, int n, const u8 *last)
{
	const struct ldir_sched_ops *ops = ldir_sched_find(name);
	struct hash_fx *fx;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ops);
	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	mutex_init(&fx->ln.lock);
	INIT_LIST_HEAD(&fx->ln.virtuals);
	ldir_hash_net_init(&fx->ln);
	refcount_set(&fx->v.refcnt, 1);
	fx->v.ln = &fx->ln;
	fx->v.family = family;
	fx->v.state = LDIR_STATE_IN;
	INIT_LIST_HEAD(&fx->v.links);
	spin_lock_init(&fx->v.sched_lock);
	RCU_INIT_POINTER(fx->v.sched, ops);
	for (i = 0; i < n; i++) {
		struct ldir_real *r = &fx->r[i];
		struct ldir_link *l = &fx->l[i];

		refcount_set(&r->refcnt, 1);
		r->family = family;
		if (family == AF_INET) {
			r->addr.ip = htonl(IP4(10, 0, 2, 10 + last[i]));
		} else {
			r->addr.in6.s6_addr32[0] = htonl(0x20010db8);
			r->addr.in6.s6_addr16[2] = htons(10 - last[i]);
			r->addr.in6.s6_addr[15] = 10 + last[i];
		}
		r->weight = 1;
		r->state = LDIR_STATE_IN;
		r->syn_threshold = 5;
		INIT_LIST_HEAD(&r->links);
		refcount_set(&l->refcnt, 1);
		l->virt = &fx->v;
		l->real = r;
		list_add_tail_rcu(&l->rnode, &r->links);
		list_add_tail_rcu(&l->vnode, &fx->v.links);
		fx->v.nlinks++;
	}
	mutex_lock(&fx->ln.lock);
	KUNIT_EXPECT_EQ(test, ldir_virtual_hash_changed(&fx->ln, &fx->v), 0);
	mutex_unlock(&fx->ln.lock);
	return fx;
}

static struct hash_fx *hash_fx(struct kunit *test, const char *name, int n,
			       const u8 *last)
{
	return hash_fx_family(test, name, AF_INET, n, last);
}

static void hash_fx_done(struct hash_fx *fx)
{
	mutex_lock(&fx->ln.lock);
	ldir_hash_release(&fx->ln, &fx->v);
	mutex_unlock(&fx->ln.lock);
	ldir_hash_net_exit(&fx->ln);
	rcu_barrier();
}

/* The last byte of the real the packet @t goes to, 0 for none. */
static int pick_tuple(struct hash_fx *fx, const struct ldir_tuple *t,
		      bool stateful)
{
	struct ldir_link *l;
	struct ldir_pick pk;
	int ret = 0;

	local_bh_disable();
	rcu_read_lock();
	l = stateful ? ldir_sched_pick(&fx->ln, &fx->v, t, NULL, &pk) :
		       ldir_hash_pick(&fx->v, t);
	if (l)
		ret = l->real->family == AF_INET ?
		      ntohl(l->real->addr.ip) & 0xff :
		      l->real->addr.in6.s6_addr[15];
	rcu_read_unlock();
	local_bh_enable();
	return ret;
}

/* The last byte of the real the packet saddr:sport -> 192.0.2.10:dport
 * goes to, 0 for none.
 */
static int pick(struct hash_fx *fx, u32 saddr, u16 sport, u16 dport, u8 proto,
		bool stateful)
{
	struct ldir_tuple t = {
		.family = AF_INET, .protocol = proto,
		.saddr.ip = htonl(saddr), .daddr.ip = htonl(IP4(192, 0, 2, 10)),
		.sport = htons(sport), .dport = htons(dport),
	};

	return pick_tuple(fx, &t, stateful);
}

/* The same for saddr:sport -> daddr:dport over IPv6. */
static int pick6(struct hash_fx *fx, const struct in6_addr *saddr, u16 sport,
		 const struct in6_addr *daddr, u16 dport, u8 proto,
		 bool stateful)
{
	struct ldir_tuple t = {
		.family = AF_INET6, .protocol = proto,
		.saddr.in6 = *saddr, .daddr.in6 = *daddr,
		.sport = htons(sport), .dport = htons(dport),
	};

	return pick_tuple(fx, &t, stateful);
}

/* N counts usable reals sorted by address, whatever the link order:
 * hash3 index 0 is .11 even with links .13 .11 .12.
 */
static void hash_table_order(struct kunit *test)
{
	struct hash_fx *fx = hash_fx(test, "hash3", 3, (const u8[]){ 3, 1, 2 });
	u32 c = IP4(10, 0, 1, 2);

	KUNIT_EXPECT_EQ(test, pick(fx, c, 1234, 80, IPPROTO_TCP, false), 11);
	KUNIT_EXPECT_EQ(test, pick(fx, c, 4321, 80, IPPROTO_TCP, false), 11);
	KUNIT_EXPECT_EQ(test, pick(fx, c + 1, 1234, 80, IPPROTO_TCP, false), 12);
	KUNIT_EXPECT_EQ(test, pick(fx, c, 1234, 82, IPPROTO_TCP, false), 13);
	/* the scheduler ops: the same choice for a new conn */
	KUNIT_EXPECT_EQ(test, pick(fx, c, 1234, 82, IPPROTO_TCP, true), 13);
	hash_fx_done(fx);

	fx = hash_fx(test, "hash5", 3, (const u8[]){ 2, 3, 1 });
	KUNIT_EXPECT_EQ(test, pick(fx, c, 40000, 7, IPPROTO_UDP, false), 13);
	KUNIT_EXPECT_EQ(test, pick(fx, c, 40001, 7, IPPROTO_UDP, false), 11);
	KUNIT_EXPECT_EQ(test, pick(fx, c, 40002, 7, IPPROTO_UDP, false), 12);
	hash_fx_done(fx);
}

/* A real that fails before the table is rebuilt: its flows go to the
 * next member in table order; the rebuilt table has one member less.
 */
static void hash_table_stale(struct kunit *test)
{
	struct hash_fx *fx = hash_fx(test, "hash3", 3, (const u8[]){ 1, 2, 3 });
	u32 c = IP4(10, 0, 1, 2);

	WRITE_ONCE(fx->r[0].state, LDIR_STATE_OUT);
	KUNIT_EXPECT_EQ(test, pick(fx, c, 1, 80, IPPROTO_TCP, false), 12);
	KUNIT_EXPECT_EQ(test, pick(fx, c + 1, 1, 80, IPPROTO_TCP, false), 12);
	KUNIT_EXPECT_EQ(test, pick(fx, c + 2, 1, 80, IPPROTO_TCP, false), 13);
	mutex_lock(&fx->ln.lock);
	KUNIT_EXPECT_EQ(test, ldir_virtual_hash_changed(&fx->ln, &fx->v), 0);
	mutex_unlock(&fx->ln.lock);
	/* now N = 2: 3388998492 % 2 = 0 -> .12, +1 -> .13 */
	KUNIT_EXPECT_EQ(test, pick(fx, c, 1, 80, IPPROTO_TCP, false), 12);
	KUNIT_EXPECT_EQ(test, pick(fx, c + 1, 1, 80, IPPROTO_TCP, false), 13);

	/* none usable: no table, no pick */
	WRITE_ONCE(fx->r[1].weight, 0);
	WRITE_ONCE(fx->r[2].state, LDIR_STATE_OUT);
	mutex_lock(&fx->ln.lock);
	KUNIT_EXPECT_EQ(test, ldir_virtual_hash_changed(&fx->ln, &fx->v), 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(fx->v.hash));
	mutex_unlock(&fx->ln.lock);
	KUNIT_EXPECT_EQ(test, pick(fx, c, 1, 80, IPPROTO_TCP, false), 0);
	hash_fx_done(fx);
}

/* A stateful virtual whose hashed real is at its max conns drops the new
 * conn (the caller counts it) rather than send it to a real no other
 * director would pick; the flows of the other reals are untouched, and a
 * stateless pick ignores max conns.
 */
static void hash_full_real(struct kunit *test)
{
	static const char *const names[] = { "hash3", "hash5", "maglev" };
	u32 c = IP4(10, 0, 1, 2);
	struct hash_fx *fx;
	int i, k, want, full = 0, other = 0;

	for (k = 0; k < ARRAY_SIZE(names); k++) {
		fx = hash_fx(test, names[k], 3, (const u8[]){ 1, 2, 3 });
		fx->r[0].max_conns = 2;
		atomic_set(&fx->r[0].active, 2);
		for (i = 0; i < 48; i++) {
			want = pick(fx, c + i, 2000 + i, 80, IPPROTO_TCP,
				    false);
			KUNIT_EXPECT_GE(test, want, 11);
			if (want == 11)
				full++;
			else
				other++;
			KUNIT_EXPECT_EQ_MSG(test,
					    pick(fx, c + i, 2000 + i, 80,
						 IPPROTO_TCP, true),
					    want == 11 ? 0 : want,
					    "%s flow %d", names[k], i);
		}
		/* room again: the same real as before */
		atomic_set(&fx->r[0].active, 1);
		KUNIT_EXPECT_EQ(test, pick(fx, c, 2000, 80, IPPROTO_TCP, true),
				pick(fx, c, 2000, 80, IPPROTO_TCP, false));
		hash_fx_done(fx);
	}
	/* both cases were met */
	KUNIT_EXPECT_GT(test, full, 0);
	KUNIT_EXPECT_GT(test, other, 0);
}

/* Two directors configured in a different order build the same Maglev
 * table: the same real for every flow.
 */
static void maglev_directors_agree(struct kunit *test)
{
	struct hash_fx *a = hash_fx(test, "maglev", 4, (const u8[]){ 1, 2, 3, 4 });
	struct hash_fx *b = hash_fx(test, "maglev", 4, (const u8[]){ 4, 2, 1, 3 });
	int i, hits[15] = { 0 };

	for (i = 0; i < 2000; i++) {
		int x = pick(a, IP4(10, 0, 1, 2), 1024 + i, 80, IPPROTO_TCP, false);

		KUNIT_EXPECT_EQ(test, x,
				pick(b, IP4(10, 0, 1, 2), 1024 + i, 80, IPPROTO_TCP,
				     false));
		KUNIT_ASSERT_GE(test, x, 11);
		KUNIT_ASSERT_LE(test, x, 14);
		hits[x]++;
	}
	/* and the flows spread: 500 expected each */
	for (i = 11; i <= 14; i++)
		KUNIT_EXPECT_GT(test, hits[i], 350);
	hash_fx_done(a);
	hash_fx_done(b);
}

/* IPv6 reals are ordered by their 128-bit numbers, 2001:db8:7::13 <
 * 2001:db8:8::12 < 2001:db8:9::11, whatever the link order and their
 * last bytes; the indexes are those of the IPv6 vectors above.
 */
static void hash_table_order_v6(struct kunit *test)
{
	struct hash_fx *fx = hash_fx_family(test, "hash3", AF_INET6, 3,
					    (const u8[]){ 1, 3, 2 });
	struct in6_addr c = a6(test, "2001:db8:1::2");
	struct in6_addr c1 = a6(test, "2001:db8:1::3");
	struct in6_addr vip = a6(test, "2001:db8::10");

	KUNIT_EXPECT_EQ(test, pick6(fx, &c, 1234, &vip, 80, IPPROTO_TCP, false),
			12);
	KUNIT_EXPECT_EQ(test, pick6(fx, &c1, 1234, &vip, 80, IPPROTO_TCP, false),
			11);
	KUNIT_EXPECT_EQ(test, pick6(fx, &c, 1234, &vip, 82, IPPROTO_TCP, false),
			13);
	KUNIT_EXPECT_EQ(test, pick6(fx, &c, 1234, &vip, 82, IPPROTO_TCP, true),
			13);
	hash_fx_done(fx);

	fx = hash_fx_family(test, "hash5", AF_INET6, 3, (const u8[]){ 2, 1, 3 });
	KUNIT_EXPECT_EQ(test, pick6(fx, &c, 40000, &vip, 7, IPPROTO_UDP, false),
			13);
	KUNIT_EXPECT_EQ(test, pick6(fx, &c, 40001, &vip, 7, IPPROTO_UDP, false),
			12);
	KUNIT_EXPECT_EQ(test, pick6(fx, &c, 40002, &vip, 7, IPPROTO_UDP, false),
			11);
	hash_fx_done(fx);
}

/* Maglev over IPv6: two directors configured in a different order agree
 * on every flow, the flows spread, and every word of either address
 * counts: flipping the lowest bit of any one changes the flow hash of
 * each of 64 flows, and with it the real of some.
 */
static void maglev_v6(struct kunit *test)
{
	struct hash_fx *a = hash_fx_family(test, "maglev", AF_INET6, 4,
					   (const u8[]){ 1, 2, 3, 4 });
	struct hash_fx *b = hash_fx_family(test, "maglev", AF_INET6, 4,
					   (const u8[]){ 4, 2, 1, 3 });
	struct in6_addr c = a6(test, "2001:db8:1::2");
	struct in6_addr vip = a6(test, "2001:db8::10");
	int i, w, hits[15] = { 0 }, hash_moved, real_moved;

	for (i = 0; i < 2000; i++) {
		int x = pick6(a, &c, 1024 + i, &vip, 80, IPPROTO_TCP, false);

		KUNIT_EXPECT_EQ(test, x, pick6(b, &c, 1024 + i, &vip, 80,
					       IPPROTO_TCP, false));
		KUNIT_ASSERT_GE(test, x, 11);
		KUNIT_ASSERT_LE(test, x, 14);
		hits[x]++;
	}
	for (i = 11; i <= 14; i++)
		KUNIT_EXPECT_GT(test, hits[i], 350);

	for (w = 0; w < 8; w++) {
		struct in6_addr s = c, d = vip;
		__be32 *word = w < 4 ? &s.s6_addr32[w] : &d.s6_addr32[w - 4];

		*word ^= htonl(1);
		hash_moved = 0;
		real_moved = 0;
		for (i = 0; i < 64; i++) {
			hash_moved += ldir_maglev_flow_hash_v6(&c, &vip, 1024 + i,
							       80, IPPROTO_TCP) !=
				      ldir_maglev_flow_hash_v6(&s, &d, 1024 + i,
							       80, IPPROTO_TCP);
			real_moved += pick6(a, &c, 1024 + i, &vip, 80,
					    IPPROTO_TCP, false) !=
				      pick6(a, &s, 1024 + i, &d, 80,
					    IPPROTO_TCP, false);
		}
		/* 48 of 64 expected to move to another of 4 reals */
		KUNIT_EXPECT_EQ_MSG(test, hash_moved, 64, "word %d", w);
		KUNIT_EXPECT_GT_MSG(test, real_moved, 24, "word %d", w);
	}
	hash_fx_done(a);
	hash_fx_done(b);
}

static struct kunit_case ldir_hash_cases[] = {
	KUNIT_CASE(hash3_vectors),
	KUNIT_CASE(hash5_vectors),
	KUNIT_CASE(hash3_v6_vectors),
	KUNIT_CASE(hash5_v6_vectors),
	KUNIT_CASE(maglev_flow_vectors),
	KUNIT_CASE(maglev_balance),
	KUNIT_CASE(maglev_weights),
	KUNIT_CASE(maglev_disruption),
	KUNIT_CASE(maglev_same_tables),
	KUNIT_CASE(maglev_skew_bounded),
	KUNIT_CASE(hash_table_order),
	KUNIT_CASE(hash_table_stale),
	KUNIT_CASE(hash_full_real),
	KUNIT_CASE(maglev_directors_agree),
	KUNIT_CASE(hash_table_order_v6),
	KUNIT_CASE(maglev_v6),
	{}
};

static struct kunit_suite ldir_hash_suite = {
	.name = "ldir_hash",
	.test_cases = ldir_hash_cases,
};

kunit_test_suite(ldir_hash_suite);
