// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which packets of a conn may take the fast path
 * (ldir_fastpath_eligible(), and for IPv6 ldir_fastpath_ipv6()), and when
 * `ldctl conns` shows a conn on it.
 */
#include <linux/if_vlan.h>
#include <net/ipv6.h>
#include <kunit/test.h>

#include "fastpath.h"
#include "hooks.h"

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

kunit_test_suites(&ldir_fastpath_suite);
