// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path: the devices whose ingress the operator gave to ldir, and
 * the routes the slow path learned, which the fast path sends packets by.
 * The packets themselves go through the pipeline's hook (hooks.c).
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/hash.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/netevent.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/route.h>

#include "conntab.h"
#include "fastpath.h"
#include "hooks.h"

/* learned routes are looked for at a hash of the dst and the slots after */
#define FP_PROBES		8

static u16 mkref(unsigned int slot, u8 gen)
{
	return (slot + 1) << 8 | gen;
}

/* A route the fast path may still send by: routing has not changed since
 * it was learned (a change ages every IPv4 dst of the netns, and moves the
 * serial number of the IPv6 fib nodes above the change: the cookie), and
 * it forwards as the slow path does.
 */
static bool route_valid(const struct ldir_fp_route *r)
{
	const struct dst_entry *dst = r->dst;

	/* an IPv4 route's check, ipv4_dst_check(), without the call: it
	 * neither went obsolete nor aged with the netns' routing
	 */
	if (dst->ops->family == AF_INET)
		return READ_ONCE(dst->obsolete) == DST_OBSOLETE_FORCE_CHK &&
		       container_of(dst, struct rtable, dst)->rt_genid ==
		       rt_genid_ipv4(dev_net(dst->dev));
	return dst_check(r->dst, r->cookie);
}

/* The route @ref names, if it is still the one that was learned and still
 * valid; NULL sends the packet the slow way. Caller holds RCU.
 */
const struct ldir_fp_route *ldir_fastpath_route_rcu(struct ldir_net *ln,
						    u16 ref)
{
	const struct ldir_fp_route *r = ldir_fastpath_slot_rcu(ln, ref);

	return r && route_valid(r) ? r : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fastpath_route_rcu);

static void route_free_rcu(struct rcu_head *head)
{
	struct ldir_fp_route *r = container_of(head, struct ldir_fp_route, rcu);

	dst_release(r->dst);
	kfree(r);
}

/* A dst the fast path can stand in for: a forwarded packet's, with no
 * tunnel or transform on the way out.
 */
static bool dst_usable(const struct dst_entry *dst)
{
	const struct rtable *rt = container_of(dst, struct rtable, dst);

	return rt_is_input_route(rt) && !dst_xfrm(dst) && !dst->lwtstate &&
	       dst->dev && !(dst->dev->flags & IFF_LOOPBACK);
}

/* Has slot @s given out every gen a ref may not still name? Its next
 * route must wait for the sweep. Under fp->lock.
 */
static bool slot_spent(const struct ldir_fastpath *fp, unsigned int s)
{
	return (u8)(fp->gen[s] + 1) == fp->base[s];
}

/* Clears *@ref unless it names the route now in its slot (or nothing).
 * Caller holds RCU.
 */
static void ref_sweep(struct ldir_net *ln, u16 *ref)
{
	const struct ldir_fp_route *r;
	u16 v = READ_ONCE(*ref);

	if (!v)
		return;
	r = rcu_dereference(ln->fp.slot[ldir_fp_ref_slot(v)]);
	if (!r || r->gen != (u8)v)
		WRITE_ONCE(*ref, 0);
}

static void conn_sweep(struct ldir_conn *cp, void *arg)
{
	struct ldir_net *ln = arg;

	ref_sweep(ln, &cp->fp_route);
	/* a real gone from ln->reals lives on while its conns do */
	ref_sweep(ln, &cp->real->fp_route);
}

/* The sweep: a slot spent (slot_spent()) may take routes again once no
 * ref names a gen it is about to give. After the snapshot of the gens
 * and a grace period, no learner writes a ref to a route older than the
 * snapshot; the walk then clears every ref that does not name the route
 * in its slot at that moment, which is one of the snapshot or younger.
 * So the refs that are left name gens from snap[s] on, and each slot may
 * give the 255 after its snapshot's. Clearing a ref a learner has just
 * written costs that flow one more slow-path packet, never a wrong route.
 */
static void routes_sweep(struct work_struct *work)
{
	struct ldir_fastpath *fp = container_of(work, struct ldir_fastpath,
						sweep);
	struct ldir_net *ln = container_of(fp, struct ldir_net, fp);
	struct ldir_real *real;

	spin_lock_bh(&fp->lock);
	memcpy(fp->snap, fp->gen, sizeof(fp->snap));
	spin_unlock_bh(&fp->lock);
	synchronize_rcu();
	ldir_conn_for_each(ln, conn_sweep, ln);
	mutex_lock(&ln->lock);
	rcu_read_lock();
	list_for_each_entry(real, &ln->reals, node)
		ref_sweep(ln, &real->fp_route);
	rcu_read_unlock();
	mutex_unlock(&ln->lock);
	spin_lock_bh(&fp->lock);
	memcpy(fp->base, fp->snap, sizeof(fp->base));
	spin_unlock_bh(&fp->lock);
}

/* Learns @dst (checked with dst_check(@dst, @cookie)) for *@ref, looking
 * for it or a free slot from slot @h on (ldir_fastpath_learn(),
 * ldir_fastpath_learn6(): the slots hold the routes of both families);
 * KUnit picks @h. Caller holds RCU.
 */
void ldir_fastpath_learn_at(struct ldir_net *ln, struct dst_entry *dst,
			    u32 cookie, unsigned int h, u16 *ref)
{
	struct ldir_fastpath *fp = &ln->fp;
	const struct ldir_fp_route *cur;
	struct ldir_fp_route *r, *old;
	unsigned int i, s, pick = LDIR_FP_SLOTS;

	cur = ldir_fastpath_route_rcu(ln, READ_ONCE(*ref));
	if (cur && cur->dst == dst)
		return;
	for (i = 0; i < FP_PROBES; i++) {
		s = (h + i) % LDIR_FP_SLOTS;
		r = rcu_dereference(fp->slot[s]);
		if (r && r->dst == dst && route_valid(r)) {
			WRITE_ONCE(*ref, mkref(s, r->gen));
			return;
		}
	}
	/* _bh: POST_ROUTING may run in process context (a queued packet's
	 * reinjection)
	 */
	spin_lock_bh(&fp->lock);
	for (i = 0; i < FP_PROBES; i++) {
		s = (h + i) % LDIR_FP_SLOTS;
		old = rcu_dereference_protected(fp->slot[s],
						lockdep_is_held(&fp->lock));
		if (!old || !route_valid(old)) {
			if (!slot_spent(fp, s)) {
				pick = s;
				break;
			}
			/* out of gens until the sweep: not picked, and its
			 * stale route (with its dst) goes now
			 */
			if (old) {
				RCU_INIT_POINTER(fp->slot[s], NULL);
				call_rcu(&old->rcu, route_free_rcu);
			}
			queue_work(system_unbound_wq, &fp->sweep);
			continue;
		}
		/* another CPU learned it meanwhile */
		if (old->dst == dst) {
			WRITE_ONCE(*ref, mkref(s, old->gen));
			goto out;
		}
	}
	if (pick == LDIR_FP_SLOTS)
		goto out;
	r = kmalloc(sizeof(*r), GFP_ATOMIC);
	if (!r)
		goto out;
	/* the packet may hold its dst without a reference (an input route,
	 * under RCU): one going away is not learned
	 */
	if (!dst_hold_safe(dst)) {
		kfree(r);
		goto out;
	}
	r->dst = dst;
	r->cookie = cookie;
	/* the first packet's IPv6 check is a whole dst_check() */
	r->sernum = 0;
	r->until = jiffies;
	r->gen = ++fp->gen[pick];
	old = rcu_replace_pointer(fp->slot[pick], r, lockdep_is_held(&fp->lock));
	if (old)
		call_rcu(&old->rcu, route_free_rcu);
	WRITE_ONCE(*ref, mkref(pick, r->gen));
out:
	spin_unlock_bh(&fp->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fastpath_learn_at);

/* Puts the route of @skb, an IPv4 packet leaving by the slow path at
 * POST_ROUTING, into a slot and its name into *@ref: the fast path sends
 * the packets of the same flow that way from now on. A route already
 * learned costs a few loads. With every slot of the probe window taken by
 * a valid route (or spent), nothing is learned and the flow stays on the
 * slow path.
 */
void ldir_fastpath_learn(struct ldir_net *ln, struct sk_buff *skb, u16 *ref)
{
	struct dst_entry *dst = skb_dst(skb);

	if (!dst || !dst_usable(dst))
		return;
	ldir_fastpath_learn_at(ln, dst, 0, hash_ptr(dst, 16) % LDIR_FP_SLOTS,
			       ref);
}

/* Drops every learned route: the flows learn theirs again on the slow
 * path. Devices going away, and the namespace's exit.
 */
static void routes_flush(struct ldir_net *ln)
{
	struct ldir_fastpath *fp = &ln->fp;
	struct ldir_fp_route *old;
	unsigned int s;

	spin_lock_bh(&fp->lock);
	for (s = 0; s < LDIR_FP_SLOTS; s++) {
		old = rcu_replace_pointer(fp->slot[s], NULL,
					  lockdep_is_held(&fp->lock));
		if (old)
			call_rcu(&old->rcu, route_free_rcu);
	}
	spin_unlock_bh(&fp->lock);
}

/* Can the fast path write an Ethernet header for @dev itself, as
 * eth_header() would?
 */
static bool dev_is_ether(const struct net_device *dev)
{
	return dev->type == ARPHRD_ETHER && dev->addr_len == ETH_ALEN &&
	       dev->header_ops && dev->header_ops->create == eth_header;
}

/* A new way to the real by @port, resolved at @stamp, the neighbour's
 * address @ha then; with the header to send (@hh) if the neighbour asked
 * nothing of the packets when @gen was the generation (bridge_port()).
 */
static void port_set(struct ldir_real *real, struct net_device *port,
		     unsigned long stamp, const u8 *ha, bool hh, u32 gen,
		     const union nf_inet_addr *nexthop, __be16 proto,
		     const struct net_device *via)
{
	struct ldir_fp_port *p, *old;

	p = kmalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return;
	p->stamp = stamp;
	p->ifindex = port->ifindex;
	p->hh = hh;
	p->gen = gen;
	p->nexthop = *nexthop;
	p->via = via;
	p->port = port;
	ether_addr_copy(p->hdr.h_dest, ha);
	ether_addr_copy(p->hdr.h_source, via->dev_addr);
	p->hdr.h_proto = proto;
	old = unrcu_pointer(xchg(&real->fp_port, RCU_INITIALIZER(p)));
	if (old)
		kfree_rcu(old, rcu);
}

/* The port of bridge @br that the real's neighbour @neigh (next hop
 * @nexthop, of the family @proto) is behind, as the bridge would forward
 * to it (dev_fill_forward_path(), the walk nf_flow_table makes): a bridge
 * without VLAN filtering, straight to an Ethernet port. Kept per real for
 * LDIR_FP_PORT_TTL while the neighbour's address stays; NULL: send through the
 * bridge. Towards a real on Ethernet device @br itself (not a bridge),
 * @br. Caller holds RCU.
 */
static struct net_device *bridge_port(struct ldir_net *ln,
				      struct ldir_real *real,
				      struct net_device *br,
				      struct neighbour *neigh,
				      const union nf_inet_addr *nexthop,
				      __be16 proto, u8 *ha)
{
	struct net_device_path_stack stack;
	u32 gen = atomic_read(&ln->fp.l2_gen);
	struct ldir_fp_port *p;
	struct net_device *port;
	bool hh;
	u8 nud;

	/* the generation before the neighbour: a change after this moves
	 * it (pairs with the barrier in l2_changed())
	 */
	smp_rmb();
	nud = READ_ONCE(neigh->nud_state);
	if (!(nud & NUD_VALID))
		return NULL;
	/* a neighbour to confirm is confirmed as neigh_output() would: the
	 * entry goes to DELAY, then PROBE; one that fails stops this
	 */
	if (!(nud & NUD_CONNECTED)) {
		neigh_event_send(neigh, NULL);
		nud = READ_ONCE(neigh->nud_state);
	}
	/* A header may be kept for the next packets while the neighbour is
	 * in a state that asks nothing of them: connected, or DELAY and
	 * PROBE, where neigh_event_send() only notes the time of use, which
	 * no timer of theirs reads. Every way out of these that loses the
	 * address (STALE, FAILED, a new address) is an event.
	 */
	hh = nud & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE);
	neigh_ha_snapshot(ha, neigh, br);
	if (!netif_is_bridge_master(br)) {
		if (!dev_is_ether(br))
			return NULL;
		/* the header is worth keeping only if it can be sent */
		if (hh)
			port_set(real, br, jiffies, ha, true, gen, nexthop,
				 proto, br);
		return br;
	}
	p = rcu_dereference(real->fp_port);
	if (p && ether_addr_equal(p->hdr.h_dest, ha) &&
	    time_before(jiffies, p->stamp + LDIR_FP_PORT_TTL)) {
		port = dev_get_by_index_rcu(dev_net(br), p->ifindex);
		if (port && netdev_master_upper_dev_get_rcu(port) == br &&
		    netif_running(port)) {
			/* the header for the next packets, on the port the
			 * bridge had then: it is walked again as soon
			 */
			if (hh && dev_is_ether(port))
				port_set(real, port, p->stamp, ha, true, gen,
					 nexthop, proto, br);
			return port;
		}
	}
	if (dev_fill_forward_path(br, ha, &stack) < 0 || stack.num_paths != 2 ||
	    stack.path[0].type != DEV_PATH_BRIDGE ||
	    stack.path[0].bridge.vlan_mode != DEV_PATH_BR_VLAN_KEEP ||
	    stack.path[0].bridge.vlan_id ||
	    stack.path[1].type != DEV_PATH_ETHERNET)
		return NULL;
	port = (struct net_device *)stack.path[1].dev;
	port_set(real, port, jiffies, ha,
		 hh && dev_is_ether(port), gen, nexthop, proto, br);
	return port;
}

/* bridge_port(), for the IPv6 half (fastpath6.c) */
struct net_device *ldir_fastpath_bridge_port6(struct ldir_net *ln,
					      struct ldir_real *real,
					      struct net_device *br,
					      struct neighbour *neigh,
					      const struct in6_addr *nexthop,
					      u8 *ha)
{
	return bridge_port(ln, real, br, neigh,
			   (const union nf_inet_addr *)nexthop,
			   htons(ETH_P_IPV6), ha);
}

/* Sends @skb on @port (bridge_port()'s) to the neighbour's address @ha,
 * from the address of @dev, the route's device, with the header of
 * protocol @proto: what the bridge above @port would send.
 */
void ldir_fastpath_xmit_port(struct sk_buff *skb, struct net_device *port,
			     const struct net_device *dev, u16 proto,
			     const u8 *ha)
{
	skb_dst_drop(skb);
	skb->dev = port;
	if (dev_hard_header(skb, port, proto, ha, dev->dev_addr,
			    skb->len) < 0) {
		kfree_skb(skb);
		return;
	}
	dev_queue_xmit(skb);
}

/* Sends @skb to the next hop of @r as ip_finish_output2() would: the
 * neighbour is looked up, so a neighbour that changes its address or
 * fails is followed as on the slow path. Towards @real (NULL: towards a
 * client) behind a bridge, straight to the bridge's port, with the header
 * the bridge would send; the way is kept for the next packets
 * (bridge_port()). @nexthop: the neighbour's address, towards a real.
 */
static noinline void xmit_neigh(struct ldir_net *ln, struct sk_buff *skb,
				const struct ldir_fp_route *r,
				struct ldir_real *real,
				const union nf_inet_addr *nexthop)
{
	struct rtable *rt = container_of(r->dst, struct rtable, dst);
	struct net_device *dev = r->dst->dev, *port;
	struct neighbour *neigh;
	bool is_v6gw = false;
	u8 ha[MAX_ADDR_LEN];

	/* under RCU until it is queued; a neighbour that queues it while it
	 * resolves takes a reference (skb_dst_force())
	 */
	skb_dst_set_noref(skb, r->dst);
	/* the gateway, of either family (RFC 5549), or the destination */
	neigh = ip_neigh_for_gw(rt, skb, &is_v6gw);
	if (IS_ERR(neigh)) {
		kfree_skb(skb);
		return;
	}
	if (real && !is_v6gw) {
		port = bridge_port(ln, real, dev, neigh, nexthop,
				   htons(ETH_P_IP), ha);
		if (port) {
			ldir_fastpath_xmit_port(skb, port, dev, ETH_P_IP, ha);
			return;
		}
	}
	skb->dev = dev;
	neigh_output(neigh, skb, is_v6gw);
}

/* Sends @skb, rewritten, to the next hop of @r. Towards @real (NULL:
 * towards a client) whose way is kept, with the header kept for it while
 * no neighbour or device of the netns changes (l2_changed()), without
 * looking the neighbour up; else by the neighbour (xmit_neigh()).
 */
void ldir_fastpath_xmit(struct ldir_net *ln, struct sk_buff *skb,
			const struct ldir_fp_route *r, struct ldir_real *real)
{
	const struct rtable *rt = container_of(r->dst, struct rtable, dst);
	union nf_inet_addr nexthop = {};

	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	if (real && rt->rt_gw_family != AF_INET6) {
		nexthop.ip = rt_nexthop(rt, ip_hdr(skb)->daddr);
		if (ldir_fastpath_xmit_cached(ln, skb, real, rt->dst.dev,
					      &nexthop, htons(ETH_P_IP)))
			return;
	}
	xmit_neigh(ln, skb, r, real, &nexthop);
}

static struct ldir_fp_dev *dev_find(struct ldir_net *ln,
				    const struct net_device *dev)
{
	struct ldir_fp_dev *fd;

	ASSERT_RTNL();
	list_for_each_entry(fd, &ln->fp.devs, node)
		if (fd->ops.dev == dev)
			return fd;
	return NULL;
}

static void dev_remove(struct ldir_net *ln, struct ldir_fp_dev *fd)
{
	ASSERT_RTNL();
	nf_unregister_net_hook(ln->net, &fd->ops);
	list_del_rcu(&fd->node);
	WRITE_ONCE(ln->fp.ndevs, ln->fp.ndevs - 1);
	kfree_rcu(fd, rcu);
}

/* Hooks the ingress of device @name. Under RTNL, not ln->lock: the
 * notifier that removes a device runs under RTNL.
 */
int ldir_fastpath_dev_add(struct ldir_net *ln, const char *name,
			  struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct ldir_fp_dev *fd;
	int ret = 0;

	rtnl_lock();
	dev = __dev_get_by_name(ln->net, name);
	if (!dev) {
		NL_SET_ERR_MSG_MOD(extack, "no such device in the namespace");
		ret = -ENODEV;
		goto out;
	}
	if (dev_find(ln, dev)) {
		NL_SET_ERR_MSG_MOD(extack, "the device is in the fast path already");
		ret = -EEXIST;
		goto out;
	}
	if (ln->fp.ndevs >= LDIR_FP_DEVS_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "too many fast-path devices");
		ret = -ENOSPC;
		goto out;
	}
	fd = kzalloc(sizeof(*fd), GFP_KERNEL_ACCOUNT);
	if (!fd) {
		ret = -ENOMEM;
		goto out;
	}
	fd->ops.hook = ldir_fastpath_hook;
	fd->ops.pf = NFPROTO_NETDEV;
	fd->ops.hooknum = NF_NETDEV_INGRESS;
	/* after nftables netdev chains of the usual priorities (filter 0) */
	fd->ops.priority = 10;
	fd->ops.dev = dev;
	fd->ops.priv = ln;
	ret = nf_register_net_hook(ln->net, &fd->ops);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "cannot hook the device's ingress");
		kfree(fd);
		goto out;
	}
	list_add_tail_rcu(&fd->node, &ln->fp.devs);
	WRITE_ONCE(ln->fp.ndevs, ln->fp.ndevs + 1);
out:
	rtnl_unlock();
	return ret;
}

int ldir_fastpath_dev_del(struct ldir_net *ln, const char *name,
			  struct netlink_ext_ack *extack)
{
	struct ldir_fp_dev *fd = NULL;
	struct net_device *dev;
	int ret = 0;

	rtnl_lock();
	dev = __dev_get_by_name(ln->net, name);
	if (dev)
		fd = dev_find(ln, dev);
	if (!fd) {
		NL_SET_ERR_MSG_MOD(extack, "the device is not in the fast path");
		ret = -ENOENT;
		goto out;
	}
	dev_remove(ln, fd);
	if (!ln->fp.ndevs)
		routes_flush(ln);
out:
	rtnl_unlock();
	return ret;
}

/* Every device leaves the set, and the routes go with them: a flush
 * (LDIR_CMD_FLUSH) and the namespace's exit. Not under ln->lock (RTNL
 * comes first).
 */
void ldir_fastpath_dev_flush(struct ldir_net *ln)
{
	struct ldir_fp_dev *fd, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(fd, tmp, &ln->fp.devs, node)
		dev_remove(ln, fd);
	rtnl_unlock();
	routes_flush(ln);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fastpath_dev_flush);

void ldir_fastpath_net_init(struct ldir_net *ln)
{
	INIT_LIST_HEAD(&ln->fp.devs);
	atomic_set(&ln->fp.l2_gen, 0);
	spin_lock_init(&ln->fp.lock);
	INIT_WORK(&ln->fp.sweep, routes_sweep);
}

/* The namespace goes: its hooks before the grace period pre_exit waits
 * for, and the routes with them.
 */
void ldir_fastpath_net_exit(struct ldir_net *ln)
{
	ldir_fastpath_dev_flush(ln);
}

/* After that grace period no packet is left to queue the sweep, which
 * walks the conns and takes ln->lock: before the conn table goes, not
 * under ln->lock.
 */
void ldir_fastpath_net_uninit(struct ldir_net *ln)
{
	cancel_work_sync(&ln->fp.sweep);
}

/* A neighbour or a device of @ln changed: no header kept for a real is
 * sent any more, each is made again from the neighbour (bridge_port()).
 */
static void l2_changed(struct ldir_net *ln)
{
	/* the change before the generation: pairs with bridge_port() */
	smp_mb__before_atomic();
	atomic_inc(&ln->fp.l2_gen);
}

/* A device that leaves the namespace, or goes, leaves the set; the routes
 * go too, whichever device they send by (they are learned again). Any
 * event of a device (down, out of its bridge, a new address, going)
 * ages the headers kept for the reals.
 */
static int fp_netdev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct ldir_net *ln;
	struct ldir_fp_dev *fd;

	ln = ldir_pernet(dev_net(dev));
	if (!ln)
		return NOTIFY_DONE;
	l2_changed(ln);
	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	fd = dev_find(ln, dev);
	if (fd)
		dev_remove(ln, fd);
	routes_flush(ln);
	return NOTIFY_DONE;
}

static struct notifier_block fp_netdev_notifier = {
	.notifier_call = fp_netdev_event,
};

/* A neighbour that changed its address or state, or went: the headers
 * kept for the reals age. Every change that takes a connected neighbour's
 * address away comes here (a new address, STALE, FAILED, deletion); one
 * that goes to DELAY keeps its address. Atomic context, under RCU.
 */
static int fp_netevent(struct notifier_block *nb, unsigned long event,
		       void *ptr)
{
	struct neighbour *n = ptr;
	struct ldir_net *ln;

	if (event != NETEVENT_NEIGH_UPDATE)
		return NOTIFY_DONE;
	ln = ldir_pernet(dev_net(n->dev));
	if (ln)
		l2_changed(ln);
	return NOTIFY_DONE;
}

static struct notifier_block fp_netevent_notifier = {
	.notifier_call = fp_netevent,
};

int ldir_fastpath_init(void)
{
	int ret;

	ret = register_netevent_notifier(&fp_netevent_notifier);
	if (ret)
		return ret;
	ret = register_netdevice_notifier(&fp_netdev_notifier);
	if (ret)
		unregister_netevent_notifier(&fp_netevent_notifier);
	return ret;
}

/* The routes' RCU callbacks are ours: the rcu_barrier() before the conn
 * caches go (ldir_conn_cache_uninit(), last on unload) waits for them.
 */
void ldir_fastpath_uninit(void)
{
	unregister_netdevice_notifier(&fp_netdev_notifier);
	unregister_netevent_notifier(&fp_netevent_notifier);
}
