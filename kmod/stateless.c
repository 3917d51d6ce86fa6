// SPDX-License-Identifier: GPL-2.0
/*
 * Stateless virtuals (seed 004 claims 1-10, 34-48): the packet path without
 * conns, and the map from a real's (address, port) back to its virtual, or
 * to the stateful virtuals whose replies without a conn are dropped.
 */
#include <linux/ip.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>

#include "stateless.h"
#include "sched_hash.h"
#include "nat.h"

/* Who a reply from (real address, real port, protocol) is from: the
 * link of a stateless virtual, or (link NULL) @refs links of stateful
 * virtuals, whose replies all have a conn.
 */
struct ldir_smap_entry {
	struct hlist_node node;		/* ln->smap, RCU */
	struct rcu_head rcu;
	union nf_inet_addr raddr;
	__be16 rport;			/* 0: every port, kept as is */
	u8 protocol;
	u16 family;
	struct ldir_link *link;		/* unhashed before the link goes */
	unsigned int refs;		/* stateful: links, under ln->lock */
};

static struct hlist_head *smap_head(struct ldir_net *ln,
				    const union nf_inet_addr *addr,
				    __be16 port, u8 protocol)
{
	struct {
		union nf_inet_addr addr;
		__be16 port;
		u8 protocol;
		u8 pad;
	} k = { .addr = *addr, .port = port, .protocol = protocol };

	return &ln->smap[siphash(&k, sizeof(k), &ln->vkey) &
			 ((1 << LDIR_SMAP_BITS) - 1)];
}

/* The real port replies of @l come from; 0 = the client's port, kept. */
static __be16 smap_port(const struct ldir_virtual *v, const struct ldir_real *r,
			__be16 link_port)
{
	return link_port ?: r->port ?: v->port;
}

/*
 * A stateless virtual has no conn to translate a reply with, only the
 * real's address and port: refuse a link after which one (address, port,
 * protocol) would answer for two virtuals. Caller holds ln->lock.
 */
int ldir_stateless_link_check(struct ldir_net *ln, struct ldir_virtual *v,
			      struct ldir_real *r, __be16 port,
			      struct netlink_ext_ack *extack)
{
	__be16 rport = smap_port(v, r, port);
	struct ldir_smap_entry *e;
	int i;

	lockdep_assert_held(&ln->lock);
	if (!(v->flags & LDIR_VIRTUAL_F_STATELESS))
		return 0;
	if (!v->port && rport) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a stateless virtual covering every port needs links that keep the port (link port 0 to a real of port 0)");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(ln->smap); i++)
		hlist_for_each_entry(e, &ln->smap[i], node) {
			if (!e->link || e->family != r->family ||
			    e->protocol != v->protocol ||
			    !nf_inet_addr_cmp(&e->raddr, &r->addr))
				continue;
			if (e->rport && rport && e->rport != rport)
				continue;
			NL_SET_ERR_MSG_MOD(extack,
					   "ambiguous: this real address and port already answer for a stateless virtual, replies could not be told apart");
			return -EEXIST;
		}
	return 0;
}

/* The entry of a stateful link's key, if any. Caller holds ln->lock. */
static struct ldir_smap_entry *smap_stateful(struct ldir_net *ln,
					     const struct ldir_link *l,
					     __be16 rport)
{
	const struct ldir_real *r = l->real;
	struct ldir_smap_entry *e;

	hlist_for_each_entry(e, smap_head(ln, &r->addr, rport,
					  l->virt->protocol), node)
		if (!e->link && e->rport == rport &&
		    e->protocol == l->virt->protocol &&
		    e->family == r->family && nf_inet_addr_cmp(&e->raddr, &r->addr))
			return e;
	return NULL;
}

/* A stateful link: replies from its real's (address, port) without a conn
 * are to be dropped (ldir_stateless_out()). One entry per key, counted:
 * no walk longer than the bucket. A link that keeps the client's port (a
 * virtual of port 0) has no port to tell its replies by: none.
 */
static int stateful_add(struct ldir_net *ln, struct ldir_link *l)
{
	__be16 rport = smap_port(l->virt, l->real, l->port);
	struct ldir_smap_entry *e;

	if (!rport)
		return 0;
	e = smap_stateful(ln, l, rport);
	if (e) {
		e->refs++;
		return 0;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->raddr = l->real->addr;
	e->family = l->real->family;
	e->rport = rport;
	e->protocol = l->virt->protocol;
	e->refs = 1;
	hlist_add_head_rcu(&e->node, smap_head(ln, &e->raddr, e->rport,
					       e->protocol));
	return 0;
}

/* Undoes stateful_add(); also after it failed, when no link has the key. */
static void stateful_del(struct ldir_net *ln, struct ldir_link *l)
{
	__be16 rport = smap_port(l->virt, l->real, l->port);
	struct ldir_smap_entry *e;

	if (!rport)
		return;
	e = smap_stateful(ln, l, rport);
	if (e && !--e->refs) {
		hlist_del_rcu(&e->node);
		kfree_rcu(e, rcu);
	}
}

int ldir_stateless_link_add(struct ldir_net *ln, struct ldir_link *l)
{
	struct ldir_virtual *v = l->virt;
	struct ldir_smap_entry *e;

	lockdep_assert_held(&ln->lock);
	if (!(v->flags & LDIR_VIRTUAL_F_STATELESS))
		return stateful_add(ln, l);
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->raddr = l->real->addr;
	e->family = l->real->family;
	e->rport = smap_port(v, l->real, l->port);
	e->protocol = v->protocol;
	e->link = l;
	hlist_add_head_rcu(&e->node, smap_head(ln, &e->raddr, e->rport,
					       e->protocol));
	WRITE_ONCE(ln->nsmap, ln->nsmap + 1);
	return 0;
}

void ldir_stateless_link_del(struct ldir_net *ln, struct ldir_link *l)
{
	struct ldir_smap_entry *e;
	struct hlist_node *tmp;
	int i;

	lockdep_assert_held(&ln->lock);
	if (!(l->virt->flags & LDIR_VIRTUAL_F_STATELESS)) {
		stateful_del(ln, l);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(ln->smap); i++)
		hlist_for_each_entry_safe(e, tmp, &ln->smap[i], node)
			if (e->link == l) {
				hlist_del_rcu(&e->node);
				kfree_rcu(e, rcu);
				WRITE_ONCE(ln->nsmap, ln->nsmap - 1);
				return;
			}
}

/* The entry of a stateless link for the key if there is one, else the
 * stateful entry, else NULL.
 */
static struct ldir_smap_entry *smap_lookup(struct ldir_net *ln,
					   const union nf_inet_addr *addr,
					   __be16 port, u8 protocol)
{
	struct ldir_smap_entry *e, *stateful = NULL;

	hlist_for_each_entry_rcu(e, smap_head(ln, addr, port, protocol), node)
		if (e->rport == port && e->protocol == protocol &&
		    nf_inet_addr_cmp(&e->raddr, addr)) {
			if (e->link)
				return e;
			stateful = e;
		}
	return stateful;
}

static void count(struct ldir_net *ln, struct ldir_link *l,
		  struct sk_buff *skb, bool in)
{
	int p = in ? LDIR_STATS_A_PKTS_IN : LDIR_STATS_A_PKTS_OUT;
	int b = in ? LDIR_STATS_A_BYTES_IN : LDIR_STATS_A_BYTES_OUT;

	LDIR_STATS_INC(ln->stats, p);
	LDIR_STATS_ADD(ln->stats, b, skb->len);
	LDIR_STATS_INC(l->stats, p);
	LDIR_STATS_ADD(l->stats, b, skb->len);
	LDIR_STATS_INC(l->virt->stats, p);
	LDIR_STATS_ADD(l->virt->stats, b, skb->len);
}

/* Rewrites the source (@src) or destination address and port. */
static int rewrite(struct sk_buff *skb, unsigned int thoff, u8 protocol,
		   bool src, __be32 naddr, __be16 nport)
{
	unsigned int len = protocol == IPPROTO_TCP ? sizeof(struct tcphdr) :
						     sizeof(struct udphdr);
	struct udphdr *uh;
	struct iphdr *iph;
	__be32 *addr;

	if (skb_ensure_writable(skb, thoff + len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	uh = (struct udphdr *)(skb->data + thoff);
	addr = src ? &iph->saddr : &iph->daddr;
	ldir_nat_l4_replace(skb, protocol, uh, *addr, naddr,
			    src ? &uh->source : &uh->dest, nport);
	csum_replace4(&iph->check, *addr, naddr);
	*addr = naddr;
	return 0;
}

/* Client -> VIP: every packet, not only a SYN, goes to the real the hash
 * picks (claim 2: each packet of a session goes to the same server), so a
 * flow that ECMP moves from another director keeps its real.
 */
unsigned int ldir_stateless_in(struct ldir_net *ln, struct ldir_virtual *v,
			       struct sk_buff *skb, unsigned int thoff,
			       const struct ldir_tuple *t)
{
	struct ldir_link *l = NULL;

	if (likely(READ_ONCE(v->state) == LDIR_STATE_IN))
		l = ldir_hash_pick(v, t);
	if (unlikely(!l)) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NO_REAL);
		return NF_DROP;
	}
	if (unlikely(rewrite(skb, thoff, t->protocol, false, l->real->addr.ip,
			     ldir_link_rport(l) ?: t->dport))) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NOMEM);
		return NF_DROP;
	}
	count(ln, l, skb, true);
	return NF_ACCEPT;
}

/* A packet from a stateful virtual's real (address, port) with no conn:
 * its conn was flushed, ditched or expired, and the packet would leave
 * with the real's own address. Dropped, but for a SYN without ACK, which
 * is the real opening a connection of its own and no reply.
 */
static unsigned int conn_less_reply(struct ldir_net *ln, struct sk_buff *skb,
				    unsigned int thoff,
				    const struct ldir_tuple *t)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);

	if (t->protocol == IPPROTO_TCP && th->syn && !th->ack)
		return NF_ACCEPT;
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_REPLY_NO_CONN);
	net_dbg_ratelimited("ldir: no conn for reply %pI4:%u -> %pI4:%u\n",
			    &t->saddr.ip, ntohs(t->sport),
			    &t->daddr.ip, ntohs(t->dport));
	return NF_DROP;
}

/* Real -> client without a conn: if (real address, port) serves a
 * stateless virtual, the reply leaves as VIP:vport -> client; if it
 * serves only stateful ones, it is dropped.
 */
unsigned int ldir_stateless_out(struct ldir_net *ln, struct sk_buff *skb,
				unsigned int thoff, const struct ldir_tuple *t)
{
	struct ldir_smap_entry *e, *any;
	struct ldir_virtual *v;

	e = smap_lookup(ln, &t->saddr, t->sport, t->protocol);
	if ((!e || !e->link) && READ_ONCE(ln->nsmap)) {
		/* stateful entries have a port: this finds stateless ones */
		any = smap_lookup(ln, &t->saddr, 0, t->protocol);
		if (any)
			e = any;
	}
	if (!e)
		return NF_ACCEPT;
	if (!e->link)
		return conn_less_reply(ln, skb, thoff, t);
	v = e->link->virt;
	if (unlikely(rewrite(skb, thoff, t->protocol, true, v->addr.ip,
			     v->port ?: t->sport))) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NOMEM);
		return NF_DROP;
	}
	count(ln, e->link, skb, false);
	return NF_ACCEPT;
}
