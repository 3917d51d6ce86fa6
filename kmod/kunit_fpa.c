// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: FPAs and binds.
 */
#include <linux/bottom_half.h>
#include <linux/inet.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <kunit/test.h>

#include "model.h"
#include "select.h"
#include "conntab.h"

#define IP4(a, b, c, d)	cpu_to_be32((a) << 24 | (b) << 16 | (c) << 8 | (d))
#define VIP		IP4(192, 0, 2, 77)
#define RIP(n)		IP4(198, 18, 0, n)

#define FX_OBJS		4

/* Virtuals and reals of a test in init_net; exit destroys them. */
struct fpa_fx {
	struct ldir_net *ln;
	struct ldir_virtual *v[FX_OBJS];
	struct ldir_real *r[FX_OBJS];
	unsigned int max;
};

static union nf_inet_addr ip4(__be32 a)
{
	union nf_inet_addr u = { .ip = a };

	return u;
}

static union nf_inet_addr ip6(struct kunit *test, const char *s)
{
	union nf_inet_addr u = {};

	KUNIT_ASSERT_EQ_MSG(test, in6_pton(s, -1, u.in6.s6_addr, -1, NULL), 1,
			    "%s", s);
	return u;
}

static struct ldir_virtual *fx_virtual_at(struct kunit *test, u16 family,
					  const union nf_inet_addr *a,
					  __be16 port, u32 bind_id)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v;
	int i;

	for (i = 0; i < FX_OBJS && fx->v[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, FX_OBJS);
	mutex_lock(&fx->ln->lock);
	v = ldir_virtual_create(fx->ln, family, a, port, IPPROTO_TCP,
				bind_id, 0, ldir_sched_find("rr"));
	if (!IS_ERR(v))
		fx->v[i] = v;
	mutex_unlock(&fx->ln->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v);
	return v;
}

static struct ldir_virtual *fx_virtual(struct kunit *test, __be16 port,
				       u32 bind_id)
{
	union nf_inet_addr a = ip4(VIP);

	return fx_virtual_at(test, AF_INET, &a, port, bind_id);
}

/* Links @v to real number @rn (< FX_OBJS), of @v's family: RIP(rn) or
 * 2001:db8:2::rn.
 */
static struct ldir_link *fx_link(struct kunit *test, struct ldir_virtual *v,
				 int rn)
{
	struct fpa_fx *fx = test->priv;
	union nf_inet_addr a = ip4(RIP(rn));
	struct ldir_real *r;
	struct ldir_link *l;

	if (v->family == AF_INET6) {
		a.in6.s6_addr32[0] = htonl(0x20010db8);
		a.in6.s6_addr32[1] = htonl(0x00020000);
		a.in6.s6_addr32[3] = htonl(rn);
	}
	mutex_lock(&fx->ln->lock);
	r = ldir_real_find(fx->ln, v->family, &a, 0);
	if (!r) {
		r = ldir_real_create(fx->ln, v->family, &a, 0);
		if (!IS_ERR(r))
			fx->r[rn] = r;
	}
	l = IS_ERR(r) ? ERR_CAST(r) : ldir_link_create(fx->ln, v, r, 0);
	mutex_unlock(&fx->ln->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l);
	return l;
}

static struct ldir_tuple tuple(__be32 client)
{
	struct ldir_tuple t = {
		.saddr.ip = client, .sport = htons(40000),
		.daddr.ip = VIP, .dport = htons(80),
		.protocol = IPPROTO_TCP, .family = AF_INET,
	};

	return t;
}

/* A new conn's pick, as the packet path makes it (softirq, RCU). */
static struct ldir_link *pick(struct ldir_virtual *v, __be32 client)
{
	struct ldir_tuple t = tuple(client);
	struct ldir_link *l;
	struct ldir_pick pk;

	local_bh_disable();
	rcu_read_lock();
	l = ldir_fpa_pick(ldir_pernet(&init_net), v, &t, NULL, &pk);
	rcu_read_unlock();
	local_bh_enable();
	return l;
}

/* The same for an IPv6 client of VIP @vip. */
static struct ldir_link *pick6(struct ldir_virtual *v,
			       const union nf_inet_addr *client,
			       const union nf_inet_addr *vip)
{
	struct ldir_tuple t = {
		.saddr = *client, .sport = htons(40000),
		.daddr = *vip, .dport = htons(80),
		.protocol = IPPROTO_TCP, .family = AF_INET6,
	};
	struct ldir_link *l;
	struct ldir_pick pk;

	local_bh_disable();
	rcu_read_lock();
	l = ldir_fpa_pick(ldir_pernet(&init_net), v, &t, NULL, &pk);
	rcu_read_unlock();
	local_bh_enable();
	return l;
}

/* The FPA of @client (masked by @v's mask), or NULL; no reference. */
static struct ldir_fpa *fpa_of(struct ldir_virtual *v, __be32 client)
{
	union nf_inet_addr c = ip4(client), m;
	struct ldir_fpa *f;

	ldir_addr_mask(&m, &c, AF_INET, v->fpa_mask);
	rcu_read_lock();
	f = ldir_fpa_lookup_rcu(ldir_pernet(&init_net), v, &m);
	rcu_read_unlock();
	return f;
}

static int fpa_init(struct kunit *test)
{
	struct fpa_fx *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->ln = ldir_net_create(&init_net);
	KUNIT_ASSERT_NOT_NULL(test, fx->ln);
	fx->max = fx->ln->fpa.max;
	test->priv = fx;
	mutex_lock(&fx->ln->lock);
	KUNIT_ASSERT_EQ(test, ldir_fpa_table_alloc(fx->ln), 0);
	mutex_unlock(&fx->ln->lock);
	/* FPAs go only when a test says so */
	cancel_delayed_work_sync(&fx->ln->fpa.gc_work);
	return 0;
}

static void fpa_exit(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	int i;

	mutex_lock(&fx->ln->lock);
	for (i = FX_OBJS - 1; i >= 0; i--)
		if (fx->v[i])
			ldir_virtual_destroy(fx->ln, fx->v[i]);
	for (i = 0; i < FX_OBJS; i++)
		if (fx->r[i])
			ldir_real_destroy(fx->ln, fx->r[i]);
	ldir_fpa_flush(fx->ln, NULL, NULL);
	fx->ln->fpa.max = fx->max;
	mutex_unlock(&fx->ln->lock);
	queue_delayed_work(system_power_efficient_wq, &fx->ln->fpa.gc_work, HZ);
	rcu_barrier();
}

/* A client keeps its real; another is scheduled. */
static void fpa_sticky(struct kunit *test)
{
	struct ldir_virtual *v = fx_virtual(test, htons(80), 0);
	struct ldir_link *l1 = fx_link(test, v, 1);
	struct ldir_link *l2 = fx_link(test, v, 2);
	__be32 a = IP4(203, 0, 113, 1), b = IP4(203, 0, 113, 2);
	int i;

	/* no interval: rr, no FPA */
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l2);
	KUNIT_EXPECT_NULL(test, fpa_of(v, a));

	WRITE_ONCE(v->fpa_interval, 60);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, b), l2);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, b), l2);
	KUNIT_ASSERT_NOT_NULL(test, fpa_of(v, a));
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(fpa_of(v, a)->link), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(ldir_pernet(&init_net)), 2U);
	/* the FPA holds a reference on its link */
	KUNIT_EXPECT_EQ(test, refcount_read(&l1->refcnt), 2U);
}

/* An FPA older than the interval is not followed but
 * rewritten; the GC reclaims the expired ones.
 */
static void fpa_expiry(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v = fx_virtual(test, htons(80), 0);
	struct ldir_link *l1 = fx_link(test, v, 1);
	struct ldir_link *l2 = fx_link(test, v, 2);
	__be32 a = IP4(203, 0, 113, 1), b = IP4(203, 0, 113, 2);
	struct ldir_fpa *f;

	WRITE_ONCE(v->fpa_interval, 10);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, b), l2);
	f = fpa_of(v, a);
	KUNIT_ASSERT_NOT_NULL(test, f);

	/* just inside the interval: followed */
	WRITE_ONCE(f->stamp, jiffies - 10 * HZ + HZ);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	KUNIT_EXPECT_TRUE(test, time_after_eq(READ_ONCE(f->stamp),
					      jiffies - HZ / 2));
	/* past it: the scheme picks (rr after l2: l1) and a's FPA follows */
	WRITE_ONCE(f->stamp, jiffies - 10 * HZ - 1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	WRITE_ONCE(f->stamp, jiffies - 10 * HZ - 1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l2);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(fpa_of(v, a)->link), l2);
	KUNIT_EXPECT_EQ(test, refcount_read(&l1->refcnt), 1U);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l2);

	/* GC: only the expired one goes */
	WRITE_ONCE(fpa_of(v, b)->stamp, jiffies - 10 * HZ - 1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_gc_scan(fx->ln), 1U);
	KUNIT_EXPECT_NULL(test, fpa_of(v, b));
	KUNIT_EXPECT_NOT_NULL(test, fpa_of(v, a));
	/* interval 0: FPAs off, the GC reclaims the rest */
	WRITE_ONCE(v->fpa_interval, 0);
	KUNIT_EXPECT_EQ(test, ldir_fpa_gc_scan(fx->ln), 1U);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 0U);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&l2->refcnt), 1U);
}

/* An FPA is followed only to a real that can take the conn, still linked. */
static void fpa_unusable(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v = fx_virtual(test, htons(80), 0);
	struct ldir_link *l1 = fx_link(test, v, 1);
	struct ldir_link *l2 = fx_link(test, v, 2);
	__be32 a = IP4(203, 0, 113, 1);

	WRITE_ONCE(v->fpa_interval, 60);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
	WRITE_ONCE(l1->real->state, LDIR_STATE_OUT);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l2);
	WRITE_ONCE(l1->real->state, LDIR_STATE_IN);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l2);

	/* unlinking l2 drops the FPAs that point to it */
	mutex_lock(&fx->ln->lock);
	ldir_link_unlink(fx->ln, l2, false);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_NULL(test, fpa_of(v, a));
	KUNIT_EXPECT_PTR_EQ(test, pick(v, a), l1);
}

/* The bound: the least recently used FPA makes room. */
static void fpa_lru(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v = fx_virtual(test, htons(80), 0);
	struct ldir_link *l1 = fx_link(test, v, 1);
	__be32 c[5];
	int i;

	for (i = 0; i < 5; i++)
		c[i] = IP4(203, 0, 113, 10 + i);
	fx->ln->fpa.max = 3;
	WRITE_ONCE(v->fpa_interval, 60);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, pick(v, c[i]), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 3U);

	/* c0 used again (its last move long enough ago): c1 is the LRU */
	WRITE_ONCE(fpa_of(v, c[0])->lru_stamp, jiffies - 2 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, c[0]), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, c[3]), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 3U);
	KUNIT_EXPECT_NULL(test, fpa_of(v, c[1]));
	KUNIT_EXPECT_NOT_NULL(test, fpa_of(v, c[0]));
	KUNIT_EXPECT_NOT_NULL(test, fpa_of(v, c[2]));
	KUNIT_EXPECT_NOT_NULL(test, fpa_of(v, c[3]));
	/* then c2 */
	KUNIT_EXPECT_PTR_EQ(test, pick(v, c[4]), l1);
	KUNIT_EXPECT_NULL(test, fpa_of(v, c[2]));
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 3U);

	/* a bound of 0 keeps none, and the conns still get a real */
	fx->ln->fpa.max = 0;
	mutex_lock(&fx->ln->lock);
	ldir_fpa_flush(fx->ln, v, NULL);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, c[1]), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 0U);
}

/* The mask: one FPA per client prefix (a proxy farm in one /24). */
static void fpa_mask(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v = fx_virtual(test, htons(80), 0);
	struct ldir_link *l1 = fx_link(test, v, 1);
	struct ldir_link *l2 = fx_link(test, v, 2);

	WRITE_ONCE(v->fpa_interval, 60);
	WRITE_ONCE(v->fpa_mask, 24);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, IP4(203, 0, 113, 1)), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, IP4(203, 0, 113, 200)), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick(v, IP4(203, 0, 114, 1)), l2);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 2U);
	KUNIT_EXPECT_NOT_NULL(test, fpa_of(v, IP4(203, 0, 113, 99)));
}

/* IPv6 clients: the mask goes up to 128 bits; here one FPA per /64, then
 * per client, then one for all.
 */
static void fpa_mask_v6(struct kunit *test)
{
	union nf_inet_addr vip = ip6(test, "2001:db8::77");
	/* a and b share a /64 (they differ in words 2 and 3), c does not
	 * (word 1)
	 */
	union nf_inet_addr a = ip6(test, "2001:db8:1:2::a");
	union nf_inet_addr b = ip6(test, "2001:db8:1:2:ffff::b");
	union nf_inet_addr c = ip6(test, "2001:db8:1:3::a");
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v = fx_virtual_at(test, AF_INET6, &vip, htons(80),
					       0);
	struct ldir_link *l1 = fx_link(test, v, 1);
	struct ldir_link *l2 = fx_link(test, v, 2);
	union nf_inet_addr m, p64;
	struct ldir_fpa *f;

	/* an IPv6 virtual's FPAs are per client address by default */
	KUNIT_EXPECT_EQ(test, v->fpa_mask, 128);
	WRITE_ONCE(v->fpa_interval, 60);
	WRITE_ONCE(v->fpa_mask, 64);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &a, &vip), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &b, &vip), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &c, &vip), l2);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &b, &vip), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 2U);
	/* the key is the /64: host bits zero */
	ldir_addr_mask(&m, &b, AF_INET6, 64);
	p64 = ip6(test, "2001:db8:1:2::");
	KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&m, &p64));
	rcu_read_lock();
	f = ldir_fpa_lookup_rcu(fx->ln, v, &m);
	KUNIT_EXPECT_NOT_NULL(test, f);
	if (f)
		KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&f->caddr, &m));
	rcu_read_unlock();

	/* 128: one per client (a new mask drops the FPAs, as the
	 * netlink path does); rr goes on from l2: a l1, b l2
	 */
	mutex_lock(&fx->ln->lock);
	WRITE_ONCE(v->fpa_mask, 128);
	ldir_fpa_flush(fx->ln, v, NULL);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &a, &vip), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &b, &vip), l2);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &a, &vip), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 2U);

	/* 0: every client one FPA */
	mutex_lock(&fx->ln->lock);
	WRITE_ONCE(v->fpa_mask, 0);
	ldir_fpa_flush(fx->ln, v, NULL);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &c, &vip), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &a, &vip), l1);
	KUNIT_EXPECT_PTR_EQ(test, pick6(v, &b, &vip), l1);
	KUNIT_EXPECT_EQ(test, ldir_fpa_count(fx->ln), 1U);
}

static struct ldir_virtual *lookup(__be16 port, __be32 client)
{
	union nf_inet_addr vip = ip4(VIP), c = ip4(client);
	struct ldir_virtual *v;

	rcu_read_lock();
	v = ldir_virtual_lookup_rcu(ldir_pernet(&init_net), AF_INET, &vip,
				    port, IPPROTO_TCP, &c);
	rcu_read_unlock();
	return v;
}

static void fx_bind(struct kunit *test, struct ldir_virtual *v, __be32 prefix,
		    u8 plen, int want)
{
	struct fpa_fx *fx = test->priv;
	union nf_inet_addr c = ip4(prefix);
	struct ldir_bind *b;

	mutex_lock(&fx->ln->lock);
	b = ldir_bind_create(fx->ln, v, &c, plen);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, IS_ERR(b) ? PTR_ERR(b) : 0L, (long)want);
}

/* Binds: longest prefix, out-of-service fallback, no match. */
static void bind_longest_prefix(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v0 = fx_virtual(test, htons(80), 0);
	struct ldir_virtual *v1 = fx_virtual(test, htons(80), 1);
	struct ldir_virtual *v2 = fx_virtual(test, htons(80), 2);
	struct ldir_virtual *p0 = fx_virtual(test, 0, 0);
	unsigned int before = fx->ln->binds.count;

	fx_bind(test, v1, IP4(198, 51, 100, 0), 24, 0);
	fx_bind(test, v2, IP4(198, 51, 100, 7), 32, 0);
	fx_bind(test, v2, IP4(198, 51, 0, 0), 16, 0);
	/* a prefix goes to one instance of a VIP:port only */
	fx_bind(test, v1, IP4(198, 51, 100, 7), 32, -EEXIST);
	KUNIT_EXPECT_EQ(test, fx->ln->binds.count, before + 3);
	KUNIT_EXPECT_EQ(test, v2->nbinds, 2U);

	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 100, 7)), v2);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 100, 8)), v1);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 7, 8)), v2);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(203, 0, 113, 1)), v0);
	/* binds are per port: port 81 has none and falls to the port-0 one */
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(81), IP4(198, 51, 100, 7)), p0);

	/* an instance out of service: its clients go to Bind ID 0 */
	WRITE_ONCE(v1->state, LDIR_STATE_OUT);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 100, 8)), v0);
	WRITE_ONCE(v1->state, LDIR_STATE_IN);

	/* a deleted instance takes its binds; the /16 of v2 then matches */
	mutex_lock(&fx->ln->lock);
	ldir_virtual_destroy(fx->ln, v1);
	fx->v[1] = NULL;
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, fx->ln->binds.count, before + 2);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 100, 8)), v2);
	KUNIT_EXPECT_FALSE(test, test_bit(24, fx->ln->binds.lens));
}

/* Without a general instance: a matching instance even out of service (its
 * live conns), else nothing; and overflow picks from Bind ID 0.
 */
static void bind_fallback_overflow(struct kunit *test)
{
	struct fpa_fx *fx = test->priv;
	struct ldir_virtual *v1 = fx_virtual(test, htons(80), 1);
	struct ldir_virtual *v0;
	struct ldir_tuple t = tuple(IP4(198, 51, 100, 8));
	struct ldir_pick pk;
	struct ldir_link *l0, *l;

	fx_link(test, v1, 1);
	fx_bind(test, v1, IP4(198, 51, 100, 0), 24, 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 100, 8)), v1);
	KUNIT_EXPECT_NULL(test, lookup(htons(80), IP4(203, 0, 113, 1)));
	WRITE_ONCE(v1->state, LDIR_STATE_OUT);
	KUNIT_EXPECT_PTR_EQ(test, lookup(htons(80), IP4(198, 51, 100, 8)), v1);
	WRITE_ONCE(v1->state, LDIR_STATE_IN);

	/* no general instance: nothing to overflow to */
	local_bh_disable();
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, ldir_bind_overflow(fx->ln, v1, &t, NULL, &pk));
	rcu_read_unlock();
	local_bh_enable();

	v0 = fx_virtual(test, htons(80), 0);
	l0 = fx_link(test, v0, 2);
	local_bh_disable();
	rcu_read_lock();
	l = ldir_bind_overflow(fx->ln, v1, &t, NULL, &pk);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_PTR_EQ(test, l, l0);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, ldir_virtual_general_rcu(fx->ln, v1), v0);
	rcu_read_unlock();
}

static void addr_mask(struct kunit *test)
{
	union nf_inet_addr a = ip4(IP4(198, 51, 100, 77)), m;
	union nf_inet_addr a6 = { .all = { htonl(0x20010db8), htonl(0x12345678),
					   htonl(0xffffffff), 1 } };

	ldir_addr_mask(&m, &a, AF_INET, 32);
	KUNIT_EXPECT_EQ(test, m.ip, a.ip);
	ldir_addr_mask(&m, &a, AF_INET, 24);
	KUNIT_EXPECT_EQ(test, m.ip, IP4(198, 51, 100, 0));
	ldir_addr_mask(&m, &a, AF_INET, 1);
	KUNIT_EXPECT_EQ(test, m.ip, IP4(128, 0, 0, 0));
	ldir_addr_mask(&m, &a, AF_INET, 0);
	KUNIT_EXPECT_EQ(test, m.ip, 0U);
	ldir_addr_mask(&m, &a6, AF_INET6, 40);
	KUNIT_EXPECT_EQ(test, m.all[0], htonl(0x20010db8));
	KUNIT_EXPECT_EQ(test, m.all[1], htonl(0x12000000));
	KUNIT_EXPECT_EQ(test, m.all[2] | m.all[3], 0U);
	ldir_addr_mask(&m, &a6, AF_INET6, 128);
	KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&m, &a6));
}

static struct kunit_case ldir_fpa_cases[] = {
	KUNIT_CASE(fpa_sticky),
	KUNIT_CASE(fpa_expiry),
	KUNIT_CASE(fpa_unusable),
	KUNIT_CASE(fpa_lru),
	KUNIT_CASE(fpa_mask),
	KUNIT_CASE(fpa_mask_v6),
	KUNIT_CASE(bind_longest_prefix),
	KUNIT_CASE(bind_fallback_overflow),
	KUNIT_CASE(addr_mask),
	{}
};

static struct kunit_suite ldir_fpa_suite = {
	.name = "ldir_fpa",
	.init = fpa_init,
	.exit = fpa_exit,
	.test_cases = ldir_fpa_cases,
};

kunit_test_suite(ldir_fpa_suite);
