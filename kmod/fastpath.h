/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast path: the set of devices whose ingress ldir hooks, and the
 * cache of routes the slow path learned that the fast path sends by.
 */
#ifndef _LDIR_FASTPATH_H
#define _LDIR_FASTPATH_H

#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/version.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
/* skb_gso_validate_network_len() moved there in 6.5 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

#include "ldir.h"

/* At most this many fast-path devices per netns. */
#define LDIR_FP_DEVS_MAX	64

/* One device of the set: its ingress hook. */
struct ldir_fp_dev {
	struct list_head node;		/* ln->fp.devs: RTNL, RCU */
	struct nf_hook_ops ops;		/* .dev: the device, gone before it */
	struct rcu_head rcu;
};

/* May a packet of @cp with TCP header @th (NULL for UDP), from the client
 * (@in) or from the real, carrying data or not (@data; a UDP datagram
 * always does), take the fast path? TCP once established, without SYN,
 * FIN or RST (they go the slow way, where FIN and RST end the conn's stay
 * on the fast path); UDP once its first datagram passed (conntrack's
 * "confirmed"). The response time clock stays on the slow path: while it
 * runs, a packet that would move it goes the slow way (the client's first
 * data starts it, the real's first data stops it and pr samples R), any
 * other may go fast.
 */
static inline bool ldir_fastpath_eligible(const struct ldir_conn *cp,
					  const struct tcphdr *th, bool in,
					  bool data)
{
	if (test_bit(LDIR_CONN_B_TIMING, &cp->flags) && data &&
	    (!in || !test_bit(LDIR_CONN_B_CDATA, &cp->flags)))
		return false;
	if (!th)
		return READ_ONCE(cp->state) == LDIR_CONN_S_UDP;
	return READ_ONCE(cp->state) == LDIR_CONN_S_ESTABLISHED &&
	       !th->syn && !th->fin && !th->rst;
}

/* Is @cp on the fast path now, as `ldctl conns` shows it? */
static inline bool ldir_fastpath_offloaded(const struct ldir_conn *cp)
{
	u8 state = READ_ONCE(cp->state);

	return test_bit(LDIR_CONN_B_FASTPATH, &cp->flags) &&
	       (state == LDIR_CONN_S_ESTABLISHED || state == LDIR_CONN_S_UDP);
}

/* Is the fast path on in @ln (learning costs the slow path a lookup)? */
static inline bool ldir_fastpath_on(const struct ldir_net *ln)
{
	return READ_ONCE(ln->fp.ndevs);
}

/* The slot a route's name @ref (not 0) points at. */
static inline unsigned int ldir_fp_ref_slot(u16 ref)
{
	return (ref >> 8) - 1;
}

/* The route in the slot @ref names, if the slot still holds that one
 * (valid or not); NULL for none. Caller holds RCU.
 */
static inline struct ldir_fp_route *ldir_fastpath_slot_rcu(struct ldir_net *ln,
							   u16 ref)
{
	struct ldir_fp_route *r;

	if (!ref)
		return NULL;
	r = rcu_dereference(ln->fp.slot[ldir_fp_ref_slot(ref)]);
	return r && r->gen == (u8)ref ? r : NULL;
}

const struct ldir_fp_route *ldir_fastpath_route_rcu(struct ldir_net *ln,
						    u16 ref);
void ldir_fastpath_learn(struct ldir_net *ln, struct sk_buff *skb, u16 *ref);
/* the slot table, for ldir_fastpath_learn6() (fastpath6.c) and KUnit */
void ldir_fastpath_learn_at(struct ldir_net *ln, struct dst_entry *dst,
			    u32 cookie, unsigned int h, u16 *ref);
void ldir_fastpath_xmit(struct ldir_net *ln, struct sk_buff *skb,
			const struct ldir_fp_route *r, struct ldir_real *real);
const struct ldir_fp_route *ldir_fastpath_route6_rcu(struct ldir_net *ln,
						     u16 ref);
/* the bridge ports and kept headers, for the IPv6 half (fastpath6.c) */
struct net_device *ldir_fastpath_bridge_port6(struct ldir_net *ln,
					      struct ldir_real *real,
					      struct net_device *br,
					      struct neighbour *neigh,
					      const struct in6_addr *nexthop,
					      u8 *ha);
void ldir_fastpath_xmit_port(struct sk_buff *skb, struct net_device *port,
			     const struct net_device *dev, u16 proto,
			     const u8 *ha);
void ldir_fastpath_learn6(struct ldir_net *ln, struct sk_buff *skb, u16 *ref);
void ldir_fastpath_xmit6(struct ldir_net *ln, struct sk_buff *skb,
			 const struct ldir_fp_route *r, struct ldir_real *real);
bool ldir_fastpath_fits6(const struct sk_buff *skb,
			 const struct ldir_fp_route *r);

/* Does @skb fit the route's MTU, as forwarding would send it (a GSO
 * packet: each of its segments)? A bigger one goes the slow way, which
 * fragments it or sends the ICMP error path MTU discovery needs. Inline:
 * every packet of the fast path asks.
 */
static inline bool ldir_fastpath_fits(const struct sk_buff *skb,
				      const struct ldir_fp_route *r)
{
	const struct dst_entry *dst = r->dst;
	unsigned int mtu;

	/* as ip_dst_mtu_maybe_forward(dst, true) finds it, without its own
	 * RCU section (the hook runs in one) in the usual case: the route's
	 * MTU, else its device's
	 */
	if (likely(!READ_ONCE(dev_net(dst->dev)->ipv4.sysctl_ip_fwd_use_pmtu) &&
		   !ip_mtu_locked(dst) && !dst->lwtstate)) {
		mtu = dst_metric_raw(dst, RTAX_MTU) ?: READ_ONCE(dst->dev->mtu);
		mtu = min_t(unsigned int, mtu, IP_MAX_MTU);
	} else {
		mtu = ip_dst_mtu_maybe_forward(dst, true);
	}
	if (skb->len <= mtu)
		return true;
	return skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu);
}

/* How long a bridge port resolved for a real is trusted: the bridge's
 * forwarding database may move the real's address to another port, which
 * the fast path sees at most this late (the slow path at once).
 */
#define LDIR_FP_PORT_TTL	HZ

/* Is @a the next hop @b, of the family @proto (ETH_P_IP or ETH_P_IPV6)? */
static __always_inline bool ldir_nexthop_equal(const union nf_inet_addr *a,
					       const union nf_inet_addr *b,
					       __be16 proto)
{
	if (proto == htons(ETH_P_IP))
		return a->ip == b->ip;
	return ipv6_addr_equal(&a->in6, &b->in6);
}

/* The header kept for the real, if it is still the one to send: nothing
 * in the netns changed since (no neighbour, no device), and the route
 * still goes by the same device @via to the same neighbour @nexthop, of
 * the family @proto.
 */
static __always_inline const struct ldir_fp_port *
ldir_fastpath_port_cached(struct ldir_net *ln, struct ldir_real *real,
			  const struct net_device *via,
			  const union nf_inet_addr *nexthop, __be16 proto)
{
	const struct ldir_fp_port *p = rcu_dereference(real->fp_port);

	if (!p || !p->hh || p->gen != (u32)atomic_read(&ln->fp.l2_gen) ||
	    p->via != via || p->hdr.h_proto != proto ||
	    !ldir_nexthop_equal(&p->nexthop, nexthop, proto) ||
	    !time_before(jiffies, p->stamp + LDIR_FP_PORT_TTL))
		return NULL;
	return p;
}

/* Sends @skb with the header kept for @real, if there is one to send by
 * device @via to @nexthop (ldir_fastpath_port_cached()); false: it was
 * not sent. Inline in both families' halves: most packets towards a real
 * go this way.
 */
static __always_inline bool ldir_fastpath_xmit_cached(struct ldir_net *ln,
						      struct sk_buff *skb,
						      struct ldir_real *real,
						      const struct net_device *via,
						      const union nf_inet_addr *nexthop,
						      __be16 proto)
{
	const struct ldir_fp_port *p;

	p = ldir_fastpath_port_cached(ln, real, via, nexthop, proto);
	if (!p || unlikely(skb_headroom(skb) < ETH_HLEN))
		return false;
	skb_dst_drop(skb);
	memcpy(__skb_push(skb, ETH_HLEN), &p->hdr, ETH_HLEN);
	skb->dev = p->port;
	dev_queue_xmit(skb);
	return true;
}

int ldir_fastpath_dev_add(struct ldir_net *ln, const char *name,
			  struct netlink_ext_ack *extack);
int ldir_fastpath_dev_del(struct ldir_net *ln, const char *name,
			  struct netlink_ext_ack *extack);

void ldir_fastpath_dev_flush(struct ldir_net *ln);

void ldir_fastpath_net_init(struct ldir_net *ln);
void ldir_fastpath_net_exit(struct ldir_net *ln);
void ldir_fastpath_net_uninit(struct ldir_net *ln);
int ldir_fastpath_init(void);
void ldir_fastpath_uninit(void);

#endif /* _LDIR_FASTPATH_H */
