// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which packets of a conn may take the fast path
 * (ldir_fastpath_eligible(), and for IPv6 ldir_fastpath_ipv6()), when
 * `ldctl conns` shows a conn on it, and that a conn's route ref never
 * names another flow's route.
 */
#include <linux/bottom_half.h>
#include <linux/if_vlan.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <net/dst.h>
#include <net/ipv6.h>
#include <kunit/test.h>

#include "conntab.h"
#include "fastpath.h"
#include "hooks.h"
#include "model.h"
#include "select.h"

static void conn_init_family(struct ldir_conn *cp, u8 family, u8 protocol,
			     u8 state, bool timing)
{
	memset(cp, 0, sizeof(*cp));
	cp->family = family;
	cp->protocol = protocol;
	cp->state = state;
	if (timing)
		__set_bit(LDIR_CONN_B_TIMING, &cp->flags);
}

static void conn_init(struct ldir_conn *cp, u8 protocol, u8 state,
		      bool timing)
{
	conn_init_family(cp, AF_INET, protocol, state, timing);
}

static void fp_tcp(struct kunit *test)
{
	struct tcphdr th = { .ack = 1 };
	struct ldir_conn cp;
	u8 s;

	conn_init(&cp, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED, false);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.psh = 1;
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	/* the flags that move the state go the slow way */
	th.fin = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.fin = 0;
	th.rst = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.rst = 0;
	th.syn = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.syn = 0;
	/* every other state: the slow path */
	for (s = 0; s < __LDIR_CONN_S_MAX; s++) {
		cp.state = s;
		KUNIT_EXPECT_EQ(test, ldir_fastpath_eligible(&cp, &th, true, true),
				s == LDIR_CONN_S_ESTABLISHED);
	}
	cp.state = LDIR_CONN_S_ESTABLISHED;
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, false, true));
	/* pr still times the real: its packets take the slow path until
	 * it answered; the client's once its first data started the clock
	 */
	conn_init(&cp, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED, true);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, false, true));
	/* a bare ACK moves no clock: either way */
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, false));
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, false, false));
	set_bit(LDIR_CONN_B_CDATA, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, false, true));
}

static void fp_udp(struct kunit *test)
{
	struct ldir_conn cp;

	/* made, its first datagram not through yet (no clock moved) */
	conn_init(&cp, IPPROTO_UDP, LDIR_CONN_S_UDP, true);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, false, true));
	/* the first datagram passed: the client's go fast, one-way too */
	set_bit(LDIR_CONN_B_CDATA, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, false, true));
	/* the real answered: both ways */
	clear_bit(LDIR_CONN_B_TIMING, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, false, true));
}

static void fp_offloaded(struct kunit *test)
{
	struct ldir_conn cp;

	conn_init(&cp, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED, false);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_offloaded(&cp));
	set_bit(LDIR_CONN_B_FASTPATH, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_offloaded(&cp));
	/* a FIN or an RST ends it */
	cp.state = LDIR_CONN_S_FIN_WAIT;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_offloaded(&cp));
	cp.state = LDIR_CONN_S_CLOSE;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_offloaded(&cp));
	conn_init(&cp, IPPROTO_UDP, LDIR_CONN_S_UDP, false);
	set_bit(LDIR_CONN_B_FASTPATH, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_offloaded(&cp));
}

/* An IPv6 packet as a fast-path device's ingress hands it over: the
 * fixed header (next header @nexthdr, hop limit @hops) and 32 bytes of
 * whatever follows, the network header at skb->data.
 */
static struct sk_buff *pkt6(struct kunit *test, u8 nexthdr, u8 hops)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	struct ipv6hdr *ip6h;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	ip6h = skb_put_zero(skb, sizeof(*ip6h) + 32);
	ip6h->version = 6;
	ip6h->payload_len = htons(32);
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = hops;
	ip6h->saddr.s6_addr[0] = 0x20;
	ip6h->daddr.s6_addr[0] = 0x20;
	skb->protocol = htons(ETH_P_IPV6);
	skb->pkt_type = PACKET_HOST;
	return skb;
}

/* ldir_fastpath_ipv6() on a packet with @nexthdr and @hops, after @mangle */
static u8 fast6(struct kunit *test, u8 nexthdr, u8 hops,
		void (*mangle)(struct sk_buff *skb))
{
	struct sk_buff *skb = pkt6(test, nexthdr, hops);
	u8 ret;

	if (mangle)
		mangle(skb);
	ret = ldir_fastpath_ipv6(skb);
	kfree_skb(skb);
	return ret;
}

static void padded(struct sk_buff *skb)
{
	ipv6_hdr(skb)->payload_len = htons(31);
}

static void version4(struct sk_buff *skb)
{
	ipv6_hdr(skb)->version = 4;
}

static void ethertype4(struct sk_buff *skb)
{
	skb->protocol = htons(ETH_P_IP);
}

static void broadcast(struct sk_buff *skb)
{
	skb->pkt_type = PACKET_BROADCAST;
}

static void vlan(struct sk_buff *skb)
{
	__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), 5);
}

static void truncated(struct sk_buff *skb)
{
	skb_trim(skb, sizeof(struct ipv6hdr) - 8);
}

/* IPv6 as IPv4: TCP and UDP right after the fixed header, hop limit
 * above 1, the length the header says; an extension header of any kind
 * sends the packet the slow way, as does anything not TCP or UDP. Past
 * the header, an IPv6 conn follows the same rules as an IPv4 one.
 */
static void fp_ipv6(struct kunit *test)
{
	static const u8 slow[] = {
		NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_FRAGMENT, NEXTHDR_DEST,
		NEXTHDR_AUTH, NEXTHDR_ESP, NEXTHDR_NONE, IPPROTO_ICMPV6,
		IPPROTO_SCTP, IPPROTO_IPIP,
	};
	struct tcphdr th = { .ack = 1 };
	struct ldir_conn cp;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_TCP, 64, NULL), IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_UDP, 2, NULL), IPPROTO_UDP);
	/* the hop limit: 1 expires here (the slow path sends Time Exceeded) */
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_TCP, 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_UDP, 0, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(slow); i++)
		KUNIT_EXPECT_EQ_MSG(test, fast6(test, slow[i], 64, NULL), 0,
				    "next header %u", slow[i]);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_TCP, 64, padded), 0);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_TCP, 64, version4), 0);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_TCP, 64, ethertype4), 0);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_UDP, 64, broadcast), 0);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_UDP, 64, vlan), 0);
	KUNIT_EXPECT_EQ(test, fast6(test, IPPROTO_UDP, 64, truncated), 0);

	conn_init_family(&cp, AF_INET6, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED,
			 false);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, false, true));
	th.fin = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, false, true));
	th.fin = 0;
	cp.state = LDIR_CONN_S_SYN_SENT;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	conn_init_family(&cp, AF_INET6, IPPROTO_UDP, LDIR_CONN_S_UDP, true);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	set_bit(LDIR_CONN_B_CDATA, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	set_bit(LDIR_CONN_B_FASTPATH, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_offloaded(&cp));
}

/* The conn stays two cache lines for IPv4 with the fast path's route. */
static void fp_conn_size(struct kunit *test)
{
	KUNIT_EXPECT_LE(test, LDIR_CONN4_SIZE, 128);
	/* an IPv6 conn names its route by the same u16: still 160 */
	KUNIT_EXPECT_LE(test, sizeof(struct ldir_conn), 160);
	KUNIT_EXPECT_LT(test, offsetof(struct ldir_conn, fp_route),
			offsetof(struct ldir_conn, flags));
}

static struct kunit_case ldir_fastpath_cases[] = {
	KUNIT_CASE(fp_tcp),
	KUNIT_CASE(fp_udp),
	KUNIT_CASE(fp_offloaded),
	KUNIT_CASE(fp_ipv6),
	KUNIT_CASE(fp_conn_size),
	{}
};

static struct kunit_suite ldir_fastpath_suite = {
	.name = "ldir_fastpath",
	.test_cases = ldir_fastpath_cases,
};

/* ---- route refs: init_net's instance, a conn, and routes of dsts made
 * here, which the test invalidates itself (what a FIB change does to
 * every IPv4 dst of the netns)
 */

#define IP4(a, b, c, d)	cpu_to_be32((a) << 24 | (b) << 16 | (c) << 8 | (d))

struct ref_fx {
	struct ldir_net *ln;
	struct ldir_virtual *v;
	struct ldir_real *r;
	struct ldir_conn *cp;
};

static struct dst_entry *dead_check(struct dst_entry *dst, u32 cookie)
{
	return NULL;
}

/* the fast path checks an IPv4 route itself; dst_check() of one would
 * ask this, which says it is gone
 */
static struct dst_ops fake_dst_ops = {
	.family = AF_INET,
	.check = dead_check,
};

/* An IPv4 route the test holds to the end, freed by KUnit after the
 * routes that hold it too are gone (ref_exit()): valid as the fast path
 * checks an IPv4 route (never obsolete, of the netns' current routing
 * generation) until the test marks it dead. Its device is init_net's
 * loopback, which outlives the test, so no reference is taken.
 */
static struct dst_entry *fake_dst(struct kunit *test)
{
	struct rtable *rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rt);
	dst_init(&rt->dst, &fake_dst_ops, NULL, DST_OBSOLETE_FORCE_CHK,
		 DST_NOCOUNT);
	rt->dst.dev = init_net.loopback_dev;
	rt->rt_genid = rt_genid_ipv4(&init_net);
	return &rt->dst;
}

static void learn(struct ldir_net *ln, struct dst_entry *dst,
		  unsigned int slot, u16 *ref)
{
	local_bh_disable();
	rcu_read_lock();
	ldir_fastpath_learn_at(ln, dst, 0, slot, ref);
	rcu_read_unlock();
	local_bh_enable();
}

/* The dst @ref resolves to by @find, NULL for none. */
static const struct dst_entry *
resolve_by(struct ldir_net *ln, u16 ref,
	   const struct ldir_fp_route *(*find)(struct ldir_net *, u16))
{
	const struct ldir_fp_route *r;
	const struct dst_entry *dst;

	rcu_read_lock();
	r = find(ln, ref);
	dst = r ? r->dst : NULL;
	rcu_read_unlock();
	return dst;
}

static const struct dst_entry *resolve(struct ldir_net *ln, u16 ref)
{
	return resolve_by(ln, ref, ldir_fastpath_route_rcu);
}

static int ref_init(struct kunit *test)
{
	struct ldir_net *ln = ldir_net_create(&init_net);
	union nf_inet_addr vip = { .ip = IP4(192, 0, 2, 77) };
	union nf_inet_addr rip = { .ip = IP4(198, 51, 100, 77) };
	struct ldir_tuple t = {
		.saddr.ip = IP4(203, 0, 113, 77), .sport = htons(40000),
		.daddr.ip = vip.ip, .dport = htons(80),
		.protocol = IPPROTO_TCP, .family = AF_INET,
	};
	struct ldir_link *l;
	struct ref_fx *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx || !ln)
		return -ENOMEM;
	fx->ln = ln;
	test->priv = fx;
	mutex_lock(&ln->lock);
	fx->v = ldir_virtual_create(ln, AF_INET, &vip, htons(80), IPPROTO_TCP,
				    0, 0, ldir_sched_find("rr"));
	if (IS_ERR(fx->v))
		fx->v = NULL;
	fx->r = ldir_real_create(ln, AF_INET, &rip, 0);
	if (IS_ERR(fx->r))
		fx->r = NULL;
	l = fx->v && fx->r ? ldir_link_create(ln, fx->v, fx->r, htons(8080)) :
			     NULL;
	mutex_unlock(&ln->lock);
	if (IS_ERR_OR_NULL(l))
		return -ENOMEM;
	local_bh_disable();
	rcu_read_lock();
	fx->cp = ldir_conn_create(ln, &t, l, NULL, htons(8080),
				  LDIR_CONN_S_ESTABLISHED);
	rcu_read_unlock();
	local_bh_enable();
	if (IS_ERR_OR_NULL(fx->cp))
		return -ENOMEM;
	return 0;
}

static void ref_exit(struct kunit *test)
{
	struct ref_fx *fx = test->priv;
	struct ldir_net *ln;

	if (!fx)
		return;
	ln = fx->ln;
	/* the routes drop their dsts in RCU callbacks: before KUnit frees
	 * the dsts, after the sweep is done with the conn
	 */
	flush_work(&ln->fp.sweep);
	ldir_fastpath_dev_flush(ln);
	mutex_lock(&ln->lock);
	if (fx->v)
		ldir_virtual_destroy(ln, fx->v);
	if (fx->r)
		ldir_real_destroy(ln, fx->r);
	mutex_unlock(&ln->lock);
	rcu_barrier();
	rcu_barrier();
}

#define WRAP_ROUNDS	300

/* A conn and its real learn a route in slot @h and go idle; the route
 * dies (a FIB change) and other flows' routes take the slot, one after
 * the other, more than a gen's 256 times, the sweep running as it would
 * between them. Neither the conn's ref nor the real's may ever resolve
 * to one of them: they would send by another flow's next hop. The flows
 * that learned meanwhile still resolve to their own route.
 */
static void fp_ref_wrap(struct kunit *test)
{
	struct ref_fx *fx = test->priv;
	struct ldir_net *ln = fx->ln;
	struct ldir_conn *cp = fx->cp;
	struct dst_entry *idle = fake_dst(test), *prev = idle, *dst = NULL;
	unsigned int h = 17, i, in_h = 0, aliased = 0;
	u16 ref = 0;

	learn(ln, idle, h, &cp->fp_route);
	learn(ln, idle, h, &cp->real->fp_route);
	KUNIT_ASSERT_NE(test, READ_ONCE(cp->fp_route), 0);
	KUNIT_ASSERT_EQ(test, ldir_fp_ref_slot(cp->fp_route), h);
	KUNIT_ASSERT_EQ(test, READ_ONCE(cp->real->fp_route), cp->fp_route);
	KUNIT_ASSERT_PTR_EQ(test, resolve(ln, cp->fp_route), idle);
	for (i = 0; i < WRAP_ROUNDS; i++) {
		WRITE_ONCE(prev->obsolete, DST_OBSOLETE_DEAD);
		dst = fake_dst(test);
		learn(ln, dst, h, &ref);
		KUNIT_ASSERT_PTR_EQ(test, resolve(ln, ref), dst);
		in_h += ldir_fp_ref_slot(ref) == h;
		aliased += !!resolve(ln, READ_ONCE(cp->fp_route));
		aliased += !!resolve(ln, READ_ONCE(cp->real->fp_route));
		/* as the work would run now and then */
		flush_work(&ln->fp.sweep);
		prev = dst;
	}
	KUNIT_EXPECT_EQ(test, aliased, 0);
	/* the slot came round: more routes than gens */
	KUNIT_EXPECT_GT(test, in_h, 256);
	KUNIT_EXPECT_PTR_EQ(test, resolve(ln, ref), dst);
}

/* A spent slot takes no route until the sweep: the next flow goes to
 * the next slot of its window; after the sweep the slot serves again.
 */
static void fp_ref_spent(struct kunit *test)
{
	struct ref_fx *fx = test->priv;
	struct ldir_net *ln = fx->ln;
	struct dst_entry *prev = NULL, *dst;
	unsigned int h = 40, i, spent_at = 0;
	u16 ref = 0;

	/* no sweep between: the 256th route of the slot goes elsewhere */
	for (i = 0; i < 256 && !spent_at; i++) {
		if (prev)
			WRITE_ONCE(prev->obsolete, DST_OBSOLETE_DEAD);
		dst = fake_dst(test);
		learn(ln, dst, h, &ref);
		KUNIT_ASSERT_PTR_EQ(test, resolve(ln, ref), dst);
		if (ldir_fp_ref_slot(ref) != h)
			spent_at = i + 1;
		prev = dst;
	}
	KUNIT_EXPECT_GT(test, spent_at, 0);
	KUNIT_EXPECT_LE(test, spent_at, 256);
	flush_work(&ln->fp.sweep);
	WRITE_ONCE(prev->obsolete, DST_OBSOLETE_DEAD);
	dst = fake_dst(test);
	learn(ln, dst, h, &ref);
	KUNIT_EXPECT_EQ(test, ldir_fp_ref_slot(ref), h);
	KUNIT_EXPECT_PTR_EQ(test, resolve(ln, ref), dst);
}

static unsigned int fake6_checks;
static bool fake6_alive;

static struct dst_entry *fake6_check(struct dst_entry *dst, u32 cookie)
{
	fake6_checks++;
	return fake6_alive ? dst : NULL;
}

/* what ip6_dst_check() would say of the fake IPv6 route: fake6_alive */
static struct dst_ops fake_dst6_ops = {
	.family = AF_INET6,
	.check = fake6_check,
};

static const struct dst_entry *resolve6(struct ldir_net *ln, u16 ref)
{
	return resolve_by(ln, ref, ldir_fastpath_route6_rcu);
}

/* An IPv6 route is checked whole (dst_check()) by the first packet after
 * it is learned, after any routing change of the netns (its fib serial
 * number moves) and once a second; in between a pass stands. A dead
 * route (obsolete) never does, and one the check refuses is not used.
 */
static void fp_route6_check(struct kunit *test)
{
	struct ref_fx *fx = test->priv;
	struct ldir_net *ln = fx->ln;
	struct dst_entry *dst = kunit_kzalloc(test, sizeof(*dst), GFP_KERNEL);
	struct ldir_fp_route *r;
	u16 ref = 0;

	KUNIT_ASSERT_NOT_NULL(test, dst);
	dst_init(dst, &fake_dst6_ops, NULL, DST_OBSOLETE_FORCE_CHK,
		 DST_NOCOUNT);
	dst->dev = init_net.loopback_dev;
	fake6_alive = true;
	learn(ln, dst, 60, &ref);
	KUNIT_ASSERT_NE(test, ref, 0);

	fake6_checks = 0;
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), dst);
	KUNIT_EXPECT_EQ(test, fake6_checks, 1);
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), dst);
	KUNIT_EXPECT_EQ(test, fake6_checks, 1);

	/* a routing change: every IPv6 route of the netns is asked again
	 * (the flush a routing change would do moves the number)
	 */
	fake6_alive = false;
	rt_genid_bump_ipv6(ln->net);
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), NULL);
	KUNIT_EXPECT_EQ(test, fake6_checks, 2);
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), NULL);
	KUNIT_EXPECT_EQ(test, fake6_checks, 3);
	fake6_alive = true;
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), dst);
	KUNIT_EXPECT_EQ(test, fake6_checks, 4);

	/* the second a pass stands for is over */
	rcu_read_lock();
	r = ldir_fastpath_slot_rcu(ln, ref);
	KUNIT_ASSERT_NOT_NULL(test, r);
	WRITE_ONCE(r->until, jiffies);
	rcu_read_unlock();
	fake6_alive = false;
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), NULL);
	KUNIT_EXPECT_EQ(test, fake6_checks, 5);

	/* dead: refused without asking */
	fake6_alive = true;
	WRITE_ONCE(dst->obsolete, DST_OBSOLETE_DEAD);
	KUNIT_EXPECT_PTR_EQ(test, resolve6(ln, ref), NULL);
	KUNIT_EXPECT_EQ(test, fake6_checks, 5);
}

static struct kunit_case ldir_fastpath_ref_cases[] = {
	KUNIT_CASE(fp_ref_wrap),
	KUNIT_CASE(fp_ref_spent),
	KUNIT_CASE(fp_route6_check),
	{}
};

static struct kunit_suite ldir_fastpath_ref_suite = {
	.name = "ldir_fastpath_ref",
	.init = ref_init,
	.exit = ref_exit,
	.test_cases = ldir_fastpath_ref_cases,
};

kunit_test_suites(&ldir_fastpath_suite, &ldir_fastpath_ref_suite);
