// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path's IPv6 half: the IPv6 routes the slow path learns, and the
 * sending by them (its own object, so that the IPv4 half compiles as it did).
 */
#include <linux/hash.h>
#include <linux/netdevice.h>
#include <linux/version.h>
#include <net/dst.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/route.h>
/* skb_gso_validate_network_len() moved there in 6.5 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

#include "fastpath.h"

/* ldir_fastpath_route_rcu() for an IPv6 conn or real: an IPv6 route
 * only (a slot's generation wraps after 256 routes, and a name that old
 * may find a route of the other family there).
 *
 * dst_check() of an IPv6 route (ip6_dst_check(), an indirect call) asks
 * its fib node whether anything changed there since the cookie was taken.
 * Any routing change of the netns also moves the netns' fib serial number
 * first, so while that number is the one of the last check that passed,
 * and the route is not dead, the answer is the same, and the packet pays
 * two loads instead. The number moves before the fib nodes do: a check
 * in that instant may pass a route about to change, so a pass stands for
 * a second at most (as does a route's expiry by lifetime, which moves
 * no number).
 */
const struct ldir_fp_route *ldir_fastpath_route6_rcu(struct ldir_net *ln,
						     u16 ref)
{
	struct ldir_fp_route *r = ldir_fastpath_slot_rcu(ln, ref);
	struct dst_entry *dst;
	int sernum;

	if (!r)
		return NULL;
	dst = r->dst;
	if (dst->ops->family != AF_INET6 ||
	    READ_ONCE(dst->obsolete) != DST_OBSOLETE_FORCE_CHK)
		return NULL;
	sernum = rt_genid_ipv6(ln->net);
	if (likely(READ_ONCE(r->sernum) == sernum &&
		   time_before(jiffies, READ_ONCE(r->until))))
		return r;
	if (!dst_check(dst, r->cookie))
		return NULL;
	WRITE_ONCE(r->sernum, sernum);
	WRITE_ONCE(r->until, jiffies + HZ);
	return r;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fastpath_route6_rcu);

/* An IPv6 dst the fast path can stand in for. IPv6 has no input routes of
 * their own (a fib entry's per-CPU copy serves the host's packets and the
 * forwarded ones alike): one of a packet that matched a conn at
 * POST_ROUTING forwarded it; no local, anycast or reject route, no tunnel
 * or transform on the way out.
 */
static bool dst_usable6(const struct dst_entry *dst)
{
	const struct rt6_info *rt = dst_rt6_info(dst);

	return !(rt->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST | RTF_REJECT)) &&
	       !dst_xfrm(dst) && !dst->lwtstate && dst->dev &&
	       !(dst->dev->flags & IFF_LOOPBACK);
}

/* The route of @skb, an IPv6 packet leaving by the slow path at
 * POST_ROUTING, into *@ref, with its cookie (read after the packet's own
 * route lookup, as a socket stores its dst: a change between the two is
 * missed until the next one).
 */
void ldir_fastpath_learn6(struct ldir_net *ln, struct sk_buff *skb, u16 *ref)
{
	struct dst_entry *dst = skb_dst(skb);

	if (dst && dst_usable6(dst))
		ldir_fastpath_learn_at(ln, dst,
				       rt6_get_cookie(dst_rt6_info(dst)),
				       hash_ptr(dst, 16) % LDIR_FP_SLOTS, ref);
}

/* ldir_fastpath_fits() for IPv6: a bigger packet goes the slow way, which
 * sends Packet Too Big (IPv6 routers do not fragment). The MTU as
 * ip6_dst_mtu_maybe_forward(dst, true) finds it, without its own RCU
 * section (the hook runs in one) and its tunnel headroom (a learned route
 * has none, dst_usable6()): a locked route MTU, else the device's IPv6 one.
 */
bool ldir_fastpath_fits6(const struct sk_buff *skb,
			 const struct ldir_fp_route *r)
{
	const struct dst_entry *dst = r->dst;
	const struct inet6_dev *idev;
	unsigned int mtu = 0;

	if (unlikely(dst_metric_locked(dst, RTAX_MTU)))
		mtu = dst_metric_raw(dst, RTAX_MTU);
	if (likely(!mtu)) {
		idev = __in6_dev_get(dst->dev);
		mtu = idev ? READ_ONCE(idev->cnf.mtu6) : IPV6_MIN_MTU;
	}
	mtu = min_t(unsigned int, mtu, IP6_MAX_MTU);

	if (skb->len <= mtu)
		return true;
	return skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu);
}

/* Sends @skb as ldir_fastpath_xmit() does, the way ip6_finish_output2()
 * would: to the neighbour of the route's next hop (rt6_nexthop(): the
 * gateway, or the destination). Towards a real whose way is kept, with the
 * header kept for it while no neighbour or device of the netns changes;
 * else the neighbour is looked up, and towards a real behind a bridge the
 * packet goes straight to the bridge's port, the way kept for the next
 * packets.
 */
void ldir_fastpath_xmit6(struct ldir_net *ln, struct sk_buff *skb,
			 const struct ldir_fp_route *r, struct ldir_real *real)
{
	struct net_device *dev = r->dst->dev, *port;
	const struct in6_addr *nexthop;
	struct neighbour *neigh;
	u8 ha[MAX_ADDR_LEN];

	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	nexthop = rt6_nexthop(dst_rt6_info(r->dst), &ipv6_hdr(skb)->daddr);
	if (real && ldir_fastpath_xmit_cached(ln, skb, real, dev,
					      (const union nf_inet_addr *)nexthop,
					      htons(ETH_P_IPV6)))
		return;
	skb_dst_set_noref(skb, r->dst);
	neigh = ip_neigh_gw6(dev, nexthop);
	if (IS_ERR(neigh)) {
		kfree_skb(skb);
		return;
	}
	if (real) {
		port = ldir_fastpath_bridge_port6(ln, real, dev, neigh, nexthop,
						  ha);
		if (port) {
			ldir_fastpath_xmit_port(skb, port, dev, ETH_P_IPV6, ha);
			return;
		}
	}
	skb->dev = dev;
	neigh_output(neigh, skb, false);
}
