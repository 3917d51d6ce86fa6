// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: PRE_ROUTING finds or creates the conn of a packet to a
 * virtual and DNATs it; POST_ROUTING SNATs replies. Only the pipeline:
 * classify, then the conn table or selection, then rewrite and count.
 * IPv4 and IPv6 have a front each, which finds the L4 header and fills
 * the tuple; the rest is one pipeline.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "hooks.h"
#include "conntab.h"
#include "fastpath.h"
#include "health.h"
#include "select.h"
#include "xlate.h"

/* One per-CPU block per packet: @s, a link's or a real's. */
static __always_inline void count_block(struct ldir_ostats __percpu *s,
					struct sk_buff *skb, bool in)
{
	LDIR_STATS_INC(s, in ? LDIR_OS_PKTS_IN : LDIR_OS_PKTS_OUT);
	LDIR_STATS_ADD(s, in ? LDIR_OS_BYTES_IN : LDIR_OS_BYTES_OUT, skb->len);
}

/* A packet of a conn counts in its link's block; one a backup real took
 * also counts for that real (and apart in the link's, to tell its own
 * real's share).
 */
static __always_inline void count_pkt(struct ldir_conn *cp,
				      struct sk_buff *skb, bool in)
{
	struct ldir_link *l = cp->link;

	count_block(l->stats, skb, in);
	if (unlikely(cp->real != l->real)) {
		count_block(l->bstats, skb, in);
		count_block(cp->real->bstats, skb, in);
	}
}

static unsigned int drop(struct ldir_net *ln, int counter)
{
	LDIR_STATS_INC(ln->stats, counter);
	return NF_DROP;
}

static int icmp_drop_counter(int err)
{
	return err == -EBADMSG ? LDIR_STATS_A_DROP_ICMP_CSUM :
				 LDIR_STATS_A_DROP_NOMEM;
}

/* Pulls the TCP/UDP header at @thoff into the linear area. Returns
 * @thoff, 0 if the packet is neither, < 0 if malformed.
 */
static __always_inline int l4_pull_at(struct sk_buff *skb, unsigned int thoff,
				      u8 protocol)
{
	if (protocol == IPPROTO_TCP) {
		const struct tcphdr *th;

		/* may move the head: nothing from before is used after */
		if (!pskb_may_pull(skb, thoff + sizeof(*th)))
			return -EINVAL;
		th = (const struct tcphdr *)(skb->data + thoff);
		if (th->doff < 5)
			return -EINVAL;
	} else if (protocol == IPPROTO_UDP) {
		if (!pskb_may_pull(skb, thoff + sizeof(struct udphdr)))
			return -EINVAL;
	} else {
		return 0;
	}
	return thoff;
}

/* The L4 header of an unfragmented IPv4 TCP/UDP packet: its offset, 0
 * if the packet is not one, < 0 if malformed.
 */
static int l4_pull(struct sk_buff *skb)
{
	/* what reassembly left (it failed, or none ran): not ours, the
	 * ports are in the first fragment only
	 */
	if (unlikely(ip_is_fragment(ip_hdr(skb))))
		return 0;
	return l4_pull_at(skb, ip_hdrlen(skb), ip_hdr(skb)->protocol);
}

/* The upper-layer header of an IPv6 packet past its extension headers,
 * walked as the kernel walks them: its offset and *@protocol; 0 for a
 * fragment (what reassembly left), < 0 if the chain is malformed or
 * routes the packet on (a routing header with segments left: the
 * destination is not the last one, and must not be rewritten).
 */
static int l4_find6(struct sk_buff *skb, u8 *protocol)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	unsigned int rhoff = 0;
	struct ipv6_rt_hdr _rh;
	const struct ipv6_rt_hdr *rh;
	__be16 frag_off;
	int thoff;

	if (likely(nexthdr == IPPROTO_TCP || nexthdr == IPPROTO_UDP ||
		   nexthdr == IPPROTO_ICMPV6)) {
		*protocol = nexthdr;
		return sizeof(struct ipv6hdr);
	}
	thoff = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr,
				 &frag_off);
	if (thoff < 0)
		return nexthdr == NEXTHDR_NONE ? 0 : -EINVAL;
	if (frag_off)
		return 0;
	if (ipv6_find_hdr(skb, &rhoff, NEXTHDR_ROUTING, NULL, NULL) >= 0) {
		rh = skb_header_pointer(skb, rhoff, sizeof(_rh), &_rh);
		if (!rh || rh->segments_left)
			return -EINVAL;
	}
	*protocol = nexthdr;
	return thoff;
}

static __always_inline void tuple_fill(struct ldir_tuple *t,
				       const struct sk_buff *skb,
				       unsigned int thoff)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct udphdr *uh = (const struct udphdr *)(skb->data + thoff);

	memset(t, 0, sizeof(*t));
	t->family = AF_INET;
	t->protocol = iph->protocol;
	t->saddr.ip = iph->saddr;
	t->daddr.ip = iph->daddr;
	/* TCP and UDP ports sit at the same offsets */
	t->sport = uh->source;
	t->dport = uh->dest;
}

static void tuple_fill6(struct ldir_tuple *t, const struct sk_buff *skb,
			unsigned int thoff, u8 protocol)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct udphdr *uh = (const struct udphdr *)(skb->data + thoff);

	t->family = AF_INET6;
	t->protocol = protocol;
	t->saddr.in6 = ip6h->saddr;
	t->daddr.in6 = ip6h->daddr;
	t->sport = uh->source;
	t->dport = uh->dest;
}

/* A debug line about the flow @t, of either family. */
static void tuple_dbg(const char *what, const struct ldir_tuple *t)
{
	if (t->family == AF_INET)
		net_dbg_ratelimited("ldir: %s %pI4:%u -> %pI4:%u\n", what,
				    &t->saddr.ip, ntohs(t->sport),
				    &t->daddr.ip, ntohs(t->dport));
	else
		net_dbg_ratelimited("ldir: %s [%pI6c]:%u -> [%pI6c]:%u\n", what,
				    &t->saddr.in6, ntohs(t->sport),
				    &t->daddr.in6, ntohs(t->dport));
}

/* Where a packet of @cp is rewritten to: the real's address (into @a)
 * and port on the way in, the VIP's on the way out.
 */
static __always_inline __be16 conn_end(const struct ldir_conn *cp, bool in,
				       union nf_inet_addr *a)
{
	if (in) {
		ldir_conn_raddr(a, cp);
		return cp->rport;
	}
	ldir_conn_vaddr(a, cp);
	return cp->vport;
}

/* client -> VIP:vport becomes client -> real:rport; @in false: real:rport
 * -> client becomes VIP:vport -> client
 */
static __always_inline int conn_xlate(struct sk_buff *skb, unsigned int thoff,
				      const struct ldir_conn *cp, bool in)
{
	union nf_inet_addr a;
	__be16 port = conn_end(cp, in, &a);

	return ldir_xlate(skb, thoff, cp->family, cp->protocol, !in, &a, port);
}

int ldir_conn_dnat(struct sk_buff *skb, unsigned int thoff,
		   const struct ldir_conn *cp)
{
	return conn_xlate(skb, thoff, cp, true);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_dnat);

int ldir_conn_snat(struct sk_buff *skb, unsigned int thoff,
		   const struct ldir_conn *cp)
{
	return conn_xlate(skb, thoff, cp, false);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_snat);

/* The conn of the flow an ICMP or ICMPv6 error quotes, and the error
 * translated: see ldir_icmp_xlate().
 */
static int icmp_quote_xlate(struct ldir_net *ln, struct sk_buff *skb,
			    const struct ldir_icmp_quote *q, bool in)
{
	union nf_inet_addr a;
	struct ldir_conn *cp;
	__be16 port;
	int ret;

	cp = ldir_conn_lookup_rcu(ln, &q->t, in ? LDIR_DIR_ORIG : LDIR_DIR_REPLY);
	if (!cp)
		return 0;
	port = conn_end(cp, in, &a);
	ret = ldir_xlate_icmp(skb, q, in, &a, port);
	return ret ?: 1;
}

/* An ICMP error about a translated flow, both ways. @in: PRE_ROUTING, an
 * error about a reply that left as VIP -> client, addressed to the VIP;
 * else POST_ROUTING, an error about client -> real sent towards the
 * client. Returns 1 if translated, 0 if not ours, -ENOMEM or -EBADMSG
 * to drop.
 */
int ldir_icmp_xlate(struct ldir_net *ln, struct sk_buff *skb, bool in)
{
	struct ldir_icmp_quote q;

	if (!ldir_xlate_icmp_parse(skb, &q))
		return 0;
	return icmp_quote_xlate(ln, skb, &q, in);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_icmp_xlate);

/* ldir_icmp_xlate() for the ICMPv6 message at @ihl: above all Packet Too
 * Big, without which path MTU discovery through the director breaks.
 */
int ldir_icmp6_xlate(struct ldir_net *ln, struct sk_buff *skb,
		     unsigned int ihl, bool in)
{
	struct ldir_icmp_quote q;

	if (!ldir_xlate_icmp6_parse(skb, ihl, &q))
		return 0;
	return icmp_quote_xlate(ln, skb, &q, in);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_icmp6_xlate);

/* The outcome of an ICMP error for the hooks: counted either way. */
static unsigned int icmp_verdict(struct ldir_net *ln, int ret, bool in)
{
	if (unlikely(ret < 0))
		return drop(ln, icmp_drop_counter(ret));
	if (ret)
		LDIR_STATS_INC(ln->stats, in ? LDIR_STATS_A_ICMP_IN :
					       LDIR_STATS_A_ICMP_OUT);
	return NF_ACCEPT;
}

/* Client -> VIP: every packet, not only a SYN, goes to the real the hash
 * picks, so a flow that ECMP moves from another director keeps its
 * real.
 */
static noinline unsigned int stateless_in(struct ldir_net *ln,
					  struct ldir_virtual *v,
					  struct sk_buff *skb,
					  unsigned int thoff,
					  const struct ldir_tuple *t)
{
	struct ldir_link *l = NULL;

	if (likely(READ_ONCE(v->state) == LDIR_STATE_IN))
		l = ldir_hash_pick(v, t);
	if (unlikely(!l)) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NO_REAL);
		return NF_DROP;
	}
	if (unlikely(ldir_xlate(skb, thoff, t->family, t->protocol, false,
				&l->real->addr,
				ldir_link_rport(l) ?: t->dport))) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NOMEM);
		return NF_DROP;
	}
	count_block(l->stats, skb, true);
	return NF_ACCEPT;
}

/* A packet from a stateful virtual's real (address, port) with no conn.
 * A SYN without ACK is the real opening a connection of its own, and no
 * reply. If the key is one virtual's, scheduled by a hash, the flow may
 * be one another director carried (the reals' return route need not be
 * the clients' one, and a director that took over sees the real first
 * when the real speaks first): every director would have picked this
 * real, so the reply leaves from the VIP as a stateless one would, and
 * the client's next segment adopts the flow. Else its conn was flushed,
 * ditched or expired, and the packet would leave with the real's own
 * address: dropped.
 */
static unsigned int conn_less_reply(struct ldir_net *ln, struct sk_buff *skb,
				    unsigned int thoff,
				    const struct ldir_tuple *t,
				    const struct ldir_smap_entry *e)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);
	struct ldir_link *l = READ_ONCE(e->adopt);
	struct ldir_virtual *v;

	if (t->protocol == IPPROTO_TCP && th->syn && !th->ack)
		return NF_ACCEPT;
	if (!l || !ldir_sched_is_hash(rcu_dereference(l->virt->sched))) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_REPLY_NO_CONN);
		tuple_dbg("no conn for reply", t);
		return NF_DROP;
	}
	v = l->virt;
	if (unlikely(ldir_xlate(skb, thoff, t->family, t->protocol, true,
				&v->addr, v->port ?: t->sport)))
		return drop(ln, LDIR_STATS_A_DROP_NOMEM);
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_REPLY_ADOPTED);
	count_block(l->stats, skb, false);
	return NF_ACCEPT;
}

/* Real -> client without a conn: if (real address, port) serves a
 * stateless virtual, the reply leaves as VIP:vport -> client; if it
 * serves only stateful ones, it is dropped.
 */
static noinline unsigned int stateless_out(struct ldir_net *ln,
					   struct sk_buff *skb,
					   unsigned int thoff,
					   const struct ldir_tuple *t)
{
	struct ldir_smap_entry *e, *any;
	struct ldir_virtual *v;

	e = ldir_smap_lookup_rcu(ln, &t->saddr, t->sport, t->protocol);
	if ((!e || !e->link) && READ_ONCE(ln->nsmap)) {
		/* stateful entries have a port: this finds stateless ones */
		any = ldir_smap_lookup_rcu(ln, &t->saddr, 0, t->protocol);
		if (any)
			e = any;
	}
	if (!e)
		return NF_ACCEPT;
	if (!e->link)
		return conn_less_reply(ln, skb, thoff, t, e);
	v = e->link->virt;
	if (unlikely(ldir_xlate(skb, thoff, t->family, t->protocol, true,
				&v->addr, v->port ?: t->sport))) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NOMEM);
		return NF_DROP;
	}
	count_block(e->link->stats, skb, false);
	return NF_ACCEPT;
}

/* Does @v take a TCP segment of a flow it has no conn for? A virtual
 * scheduled by a hash picks the same real on every director from the
 * packet alone, so a flow that routing moved here from another director
 * (or that outlived its conn) keeps its real: the conn is made from any
 * segment but a SYN-ACK or an RST, and waits for the real's answer
 * before it counts as established (LDIR_CONN_S_NONE, embryonic).
 */
static bool adopts(const struct ldir_virtual *v, const struct tcphdr *th)
{
	return !th->syn && !th->rst &&
	       ldir_sched_is_hash(rcu_dereference(v->sched));
}

/* A new connection to @v: its pick, and its conn. @avoid: a real the
 * client's SYN is being moved away from. Returns the conn or NULL;
 * counters say why not.
 */
static struct ldir_conn *conn_new(struct ldir_net *ln, struct ldir_virtual *v,
				  const struct ldir_tuple *t,
				  const struct tcphdr *th,
				  struct ldir_real *avoid)
{
	u8 state = th ? LDIR_CONN_S_SYN_SENT : LDIR_CONN_S_UDP;
	struct ldir_pick pick;
	struct ldir_conn *cp;
	struct ldir_link *l;
	__be16 rport;

	/* only a SYN opens a TCP connection, but for an adopted flow */
	if (th && (!th->syn || th->ack || th->rst)) {
		if (!adopts(v, th)) {
			LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NO_CONN);
			tuple_dbg("no conn for", t);
			return NULL;
		}
		state = LDIR_CONN_S_NONE;
	}
	l = ldir_select(ln, v, t, avoid, &pick);
	if (!l) {
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NO_REAL);
		return NULL;
	}
	if (pick.backup || pick.real != l->real)
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_BACKUP);
	rport = l->port ?: (pick.real->port ?: t->dport);
	cp = ldir_conn_create(ln, t, l, pick.real, rport, state);
	if (IS_ERR(cp))
		return NULL;
	if (state == LDIR_CONN_S_NONE)
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_ADOPTED);
	/* through the backup, it is still a conn of @v: it goes with @v */
	if (pick.backup)
		WRITE_ONCE(cp->virt, v);
	if (pick.probe) {
		set_bit(LDIR_CONN_B_PROBE, &cp->flags);
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_PROBES);
	}
	return cp;
}

/* A client reusing its port after a close opens a new connection (as
 * IPVS's conn_reuse_mode=1): the old conn goes, and the SYN is scheduled
 * and counted like any other. FPA still applies in the scheduling.
 */
static bool port_reused(const struct ldir_conn *cp, const struct tcphdr *th)
{
	u8 state = READ_ONCE(cp->state);

	return th->syn && !th->ack &&
	       (state == LDIR_CONN_S_TIME_WAIT || state == LDIR_CONN_S_CLOSE);
}

/* The client resent its SYN and the real has not answered: after
 * SYN_RESENDS resends the conn is ditched, and this resend is scheduled
 * again, away from that real. Returns true if ditched.
 * A resend is a SYN that comes SYN_RESEND_GAP_MS after the one counted
 * before it (the first included): a client resends after its
 * retransmission timeout, while copies of one SYN in a burst (spoofed,
 * or duplicated on the way) come together and count once. The stamp is
 * claimed with cmpxchg: of two SYNs on two CPUs, one counts.
 */
static bool syn_resend_ditch(struct ldir_net *ln, struct ldir_conn *cp,
			     const struct tcphdr *th)
{
	u32 now = (u32)jiffies, last;
	u8 syns;

	if (!th->syn || th->ack || READ_ONCE(cp->state) != LDIR_CONN_S_SYN_SENT ||
	    !test_bit(LDIR_CONN_B_UNANSWERED, &cp->flags))
		return false;
	last = READ_ONCE(cp->syn_stamp);
	if (now - last <
	    msecs_to_jiffies(READ_ONCE(ln->syn_resend_gap_ms)) ||
	    cmpxchg(&cp->syn_stamp, last, now) != last)
		return false;
	syns = READ_ONCE(cp->syns);
	if (syns < READ_ONCE(ln->syn_resends)) {
		WRITE_ONCE(cp->syns, syns + 1);
		return false;
	}
	ldir_real_ditch(ln, cp->real);
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DITCHED);
	ldir_conn_kill(ln, cp);
	return true;
}

/* Does TCP segment @th open or end its conn (SYN, FIN or RST)? Such a
 * segment never takes the fast path, nor teaches it anything.
 */
static __always_inline bool tcp_ends(const struct tcphdr *th)
{
	return tcp_flag_word(th) & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST);
}

/* The bytes of data a TCP segment carries (0 for UDP: no sequence). */
static unsigned int tcp_payload(const struct sk_buff *skb, unsigned int thoff,
				const struct tcphdr *th)
{
	unsigned int hl;

	if (!th)
		return 0;
	hl = thoff + th->doff * 4;
	return skb->len > hl ? skb->len - hl : 0;
}

/* What every packet of a conn does, on the slow path and the fast one
 * alike: the state and expiry move on, the response time clock, the
 * rewrite (@in: DNAT, else SNAT) and the count in its link. @fast (a
 * constant in each caller): a packet ldir_fastpath_eligible() let by,
 * which changes no state and stops no clock.
 */
static __always_inline int conn_pass(struct ldir_net *ln, struct sk_buff *skb,
				     unsigned int thoff, struct ldir_conn *cp,
				     const struct tcphdr *th, bool in,
				     bool fast)
{
	int dir = in ? LDIR_DIR_ORIG : LDIR_DIR_REPLY;
	unsigned int payload = tcp_payload(skb, thoff, th);

	if (fast) {
		ldir_conn_refresh(ln, cp, dir, th, payload);
		goto xlate;
	}
	/* the fast-path hook lets a SYN, FIN or RST by without looking for
	 * its conn: a fast-path conn's is counted here (the fast path
	 * itself never passes one)
	 */
	if (unlikely(th && tcp_ends(th)) &&
	    test_bit(LDIR_CONN_B_FASTPATH, &cp->flags))
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_FASTPATH_SLOW);
	ldir_conn_update_state(ln, cp, dir, th, payload);
	/* the response time clock runs on data; a UDP datagram is data.
	 * The client's data after its first leaves it alone (a one-way flow
	 * the real never answers is timed all its life). Never on the fast
	 * path: a packet the clock would stop is not eligible, and the
	 * clock's bits only ever move towards eligible
	 */
	if (test_bit(LDIR_CONN_B_TIMING, &cp->flags) && (!th || payload) &&
	    !(in && test_bit(LDIR_CONN_B_CDATA, &cp->flags)))
		ldir_conn_timing(ln, cp, dir);
xlate:
	if (unlikely(conn_xlate(skb, thoff, cp, in)))
		return -ENOMEM;
	count_pkt(cp, skb, in);
	return 0;
}

/* Client -> VIP, past the front: the conn, or a new one, then DNAT.
 * @stateful: the VIP may have conns (stateful_filter).
 */
static __always_inline unsigned int conn_in(struct ldir_net *ln,
					    struct sk_buff *skb,
					    unsigned int thoff,
					    const struct ldir_tuple *t,
					    bool stateful)
{
	const struct tcphdr *th = NULL;
	struct ldir_real *avoid = NULL;
	struct ldir_virtual *v;
	struct ldir_conn *cp;

	if (t->protocol == IPPROTO_TCP)
		th = (const struct tcphdr *)(skb->data + thoff);

	/* The conn first: an established flow needs nothing else, neither
	 * the virtual lookup nor the client's Bind ID prefixes, which only
	 * choose the virtual of a new conn. A conn matches only a packet to
	 * its own VIP:port, so the order changes no outcome. A VIP of
	 * stateless virtuals only has none to look for.
	 */
	cp = stateful ? ldir_conn_lookup_rcu(ln, t, LDIR_DIR_ORIG) : NULL;
	if (cp && th && unlikely(th->syn)) {
		if (port_reused(cp, th)) {
			ldir_conn_kill(ln, cp);
			cp = NULL;
		} else if (syn_resend_ditch(ln, cp, th)) {
			avoid = cp->real;
			cp = NULL;
		}
	}
	if (!cp) {
		v = ldir_virtual_lookup_rcu(ln, t->family, &t->daddr, t->dport,
					    t->protocol, &t->saddr);
		if (!v)
			return NF_ACCEPT;
		if (v->flags & LDIR_VIRTUAL_F_STATELESS)
			return stateless_in(ln, v, skb, thoff, t);
		cp = conn_new(ln, v, t, th, avoid);
		if (!cp)
			return NF_DROP;
	}
	if (unlikely(conn_pass(ln, skb, thoff, cp, th, true, false)))
		return drop(ln, LDIR_STATS_A_DROP_NOMEM);
	return NF_ACCEPT;
}

/* Real -> client, past the front: SNAT by the conn, or as a stateless
 * reply. @conns: the source may have conns (conn_filter).
 */
static __always_inline unsigned int conn_out(struct ldir_net *ln,
					     struct sk_buff *skb,
					     unsigned int thoff,
					     const struct ldir_tuple *t,
					     bool conns)
{
	const struct tcphdr *th = NULL;
	struct ldir_conn *cp;

	cp = conns ? ldir_conn_lookup_rcu(ln, t, LDIR_DIR_REPLY) : NULL;
	if (!cp)
		return stateless_out(ln, skb, thoff, t);
	if (t->protocol == IPPROTO_TCP)
		th = (const struct tcphdr *)(skb->data + thoff);
	if (unlikely(conn_pass(ln, skb, thoff, cp, th, false, false)))
		return drop(ln, LDIR_STATS_A_DROP_NOMEM);
	/* the way to the client, for the fast path (the front's family: a
	 * constant once inlined), from the SYN-ACK on (the real's next
	 * segment may take it: an ACK while the response timer runs); after
	 * a FIN or RST none does
	 */
	if (unlikely(ldir_fastpath_on(ln)) && !(th && (th->fin || th->rst))) {
		if (t->family == AF_INET)
			ldir_fastpath_learn(ln, skb, &cp->fp_route);
		else
			ldir_fastpath_learn6(ln, skb, &cp->fp_route);
	}
	return NF_ACCEPT;
}

/* The packet the fast-path hook last sent the slow way on this CPU after
 * looking for its conn, so that two later passes of the same packet need
 * not look again: the hook at the bridge above the port it came in by,
 * and POST_ROUTING's learning when its conn had nothing left to learn
 * (@learned). A match by chance (that packet freed, another at its
 * address) only sends a packet the slow way or skips one learning, never
 * a wrong one: the slow path stays correct, and the next packet learns.
 */
struct fast_judged {
	const struct sk_buff *skb;
	const struct ldir_net *ln;
	bool learned;
};

static DEFINE_PER_CPU(struct fast_judged, fast_judged);

static __always_inline void fast_judged_set(const struct ldir_net *ln,
					    const struct sk_buff *skb,
					    bool learned)
{
	this_cpu_write(fast_judged.skb, skb);
	this_cpu_write(fast_judged.ln, ln);
	this_cpu_write(fast_judged.learned, learned);
}

/* Did the hook send @skb the slow way (and, with @learned, had its conn
 * nothing to learn)? Forgets it once asked.
 */
static __always_inline bool fast_judged_take(const struct ldir_net *ln,
					     const struct sk_buff *skb,
					     bool learned)
{
	if (likely(this_cpu_read(fast_judged.skb) != skb) ||
	    this_cpu_read(fast_judged.ln) != ln)
		return false;
	this_cpu_write(fast_judged.skb, NULL);
	return !learned || this_cpu_read(fast_judged.learned);
}

/* A packet the fast path never takes and learns nothing from, whatever
 * its conn: a TCP SYN, FIN or RST (the L4 header pulled at @thoff). The
 * hooks leave it before hashing its tuple.
 */
static __always_inline bool fast_never(const struct sk_buff *skb,
				       unsigned int thoff, u8 protocol)
{
	return protocol == IPPROTO_TCP &&
	       tcp_ends((const struct tcphdr *)(skb->data + thoff));
}

/* The conn of a packet DNATed to a real (@t its tuple), found by the
 * reply tuple turned round: its own packet passed towards the real, and
 * the real's route is learned. @v6 is a constant in each caller.
 */
static __always_inline void fast_learn_conn(struct ldir_net *ln,
					    struct sk_buff *skb,
					    struct ldir_tuple *t, bool v6)
{
	struct ldir_conn *cp;

	swap(t->saddr, t->daddr);
	swap(t->sport, t->dport);
	cp = ldir_conn_lookup_rcu(ln, t, LDIR_DIR_REPLY);
	if (!cp)
		return;
	if (!test_bit(LDIR_CONN_B_FP_IN, &cp->flags))
		set_bit(LDIR_CONN_B_FP_IN, &cp->flags);
	if (v6)
		ldir_fastpath_learn6(ln, skb, &cp->real->fp_route);
	else
		ldir_fastpath_learn(ln, skb, &cp->real->fp_route);
}

/* A packet DNATed to a real, leaving by the slow path: the way to the
 * real, for the fast path.
 */
static noinline void fast_learn_in(struct ldir_net *ln, struct sk_buff *skb)
{
	struct ldir_tuple t;
	int thoff;

	if (!ldir_afilter_maybe4(&ln->conn_filter, ip_hdr(skb)->daddr) ||
	    fast_judged_take(ln, skb, true))
		return;
	thoff = l4_pull(skb);
	if (thoff <= 0 || fast_never(skb, thoff, ip_hdr(skb)->protocol))
		return;
	tuple_fill(&t, skb, thoff);
	fast_learn_conn(ln, skb, &t, false);
}

/* fast_learn_in() for IPv6: @thoff and @protocol from l4_find6(). */
static noinline void fast_learn_in6(struct ldir_net *ln, struct sk_buff *skb,
				    int thoff, u8 protocol)
{
	struct ldir_tuple t;

	if (!ldir_afilter_maybe6(&ln->conn_filter, &ipv6_hdr(skb)->daddr) ||
	    fast_judged_take(ln, skb, true))
		return;
	thoff = l4_pull_at(skb, thoff, protocol);
	if (thoff <= 0 || fast_never(skb, thoff, protocol))
		return;
	tuple_fill6(&t, skb, thoff, protocol);
	fast_learn_conn(ln, skb, &t, true);
}

/* Is a frame that reached a fast-path device addressed to this host: to
 * the device, or, on a bridge port, to the bridge above it?
 */
static __always_inline bool fast_to_us(const struct sk_buff *skb)
{
	const struct net_device *br;

	if (skb->pkt_type == PACKET_HOST)
		return true;
	if (skb->pkt_type != PACKET_OTHERHOST || !netif_is_bridge_port(skb->dev) ||
	    !skb_mac_header_was_set(skb))
		return false;
	br = netdev_master_upper_dev_get_rcu(skb->dev);
	return br && ether_addr_equal(eth_hdr(skb)->h_dest, br->dev_addr);
}

/* The IPv4 packet at a fast-path device's ingress that the fast path can
 * forward: no options, no fragment, TTL > 1, a good header checksum and
 * no padding. Returns its protocol, 0 for any other.
 */
static u8 fast_ipv4(struct sk_buff *skb)
{
	const struct iphdr *iph;

	if (skb->protocol != htons(ETH_P_IP) || skb_vlan_tag_present(skb) ||
	    !fast_to_us(skb) || !pskb_may_pull(skb, sizeof(*iph)))
		return 0;
	iph = ip_hdr(skb);
	if (iph->ihl != 5 || iph->version != 4 || iph->ttl <= 1 ||
	    ip_is_fragment(iph) || ntohs(iph->tot_len) != skb->len ||
	    (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP) ||
	    unlikely(ip_fast_csum(iph, iph->ihl)))
		return 0;
	return iph->protocol;
}

/* The IPv6 packet at a fast-path device's ingress that the fast path can
 * forward: TCP or UDP right after the fixed header (an extension header,
 * a fragment's included, sends it the slow way), hop limit > 1 and no
 * padding. Returns its protocol, 0 for any other.
 */
VISIBLE_IF_KUNIT u8 ldir_fastpath_ipv6(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h;

	if (skb->protocol != htons(ETH_P_IPV6) || skb_vlan_tag_present(skb) ||
	    !fast_to_us(skb) || !pskb_may_pull(skb, sizeof(*ip6h)))
		return 0;
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6 || ip6h->hop_limit <= 1 ||
	    ntohs(ip6h->payload_len) + sizeof(*ip6h) != skb->len ||
	    (ip6h->nexthdr != IPPROTO_TCP && ip6h->nexthdr != IPPROTO_UDP))
		return 0;
	return ip6h->nexthdr;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fastpath_ipv6);

/* The fast path past the front end (@t filled, the L4 header at @thoff):
 * a packet of an established conn is rewritten and counted as the slow
 * path would, its TTL or hop limit decremented, and sent to the next hop
 * the slow path learned. @in: from the client. @v6 is a constant in each
 * caller, so each family compiles to its own code.
 */
static __always_inline unsigned int fast_conn(struct ldir_net *ln,
					      struct sk_buff *skb, int thoff,
					      const struct ldir_tuple *t,
					      bool in, bool v6)
{
	const struct ldir_fp_route *r = NULL;
	const struct tcphdr *th = NULL;
	struct ldir_conn *cp;
	bool learned;
	u16 ref;

	cp = ldir_conn_lookup_rcu(ln, t, in ? LDIR_DIR_ORIG : LDIR_DIR_REPLY);
	if (!cp) {
		fast_judged_set(ln, skb, false);
		return NF_ACCEPT;
	}
	if (t->protocol == IPPROTO_TCP)
		th = (const struct tcphdr *)(skb->data + thoff);
	if (!ldir_fastpath_eligible(cp, th, in,
				    !th || tcp_payload(skb, thoff, th)))
		goto slow;
	/* towards the real: the route is the real's, learned by any of
	 * its conns; this one's own packets must have passed the slow way
	 * (the forward chain let the flow through) first
	 */
	if (in && !test_bit(LDIR_CONN_B_FP_IN, &cp->flags))
		goto slow;
	ref = in ? READ_ONCE(cp->real->fp_route) : READ_ONCE(cp->fp_route);
	r = v6 ? ldir_fastpath_route6_rcu(ln, ref) :
		 ldir_fastpath_route_rcu(ln, ref);
	if (!r || !(v6 ? ldir_fastpath_fits6(skb, r) :
			 ldir_fastpath_fits(skb, r)))
		goto slow;
	/* room for the link-layer header. The headers are made writable
	 * where they are rewritten (the IP and L4 headers, by conn_pass()),
	 * so a clone whose header is its own (a TCP segment of the
	 * sender's) is not copied
	 */
	if (skb_cow_head(skb, LL_RESERVED_SPACE(r->dst->dev)))
		goto slow;
	/* skb_cow_head() may have moved the headers */
	if (th)
		th = (const struct tcphdr *)(skb->data + thoff);
	if (unlikely(conn_pass(ln, skb, thoff, cp, th, in, true) < 0))
		return drop(ln, LDIR_STATS_A_DROP_NOMEM);
	if (v6)
		ipv6_hdr(skb)->hop_limit--;
	else
		ip_decrease_ttl(ip_hdr(skb));
	if (!test_bit(LDIR_CONN_B_FASTPATH, &cp->flags))
		set_bit(LDIR_CONN_B_FASTPATH, &cp->flags);
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_FASTPATH);
	if (v6)
		ldir_fastpath_xmit6(ln, skb, r, in ? cp->real : NULL);
	else
		ldir_fastpath_xmit(ln, skb, r, in ? cp->real : NULL);
	return NF_STOLEN;

slow:
	if (test_bit(LDIR_CONN_B_FASTPATH, &cp->flags))
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_FASTPATH_SLOW);
	/* towards the real, POST_ROUTING would learn what the conn has:
	 * its pass through the forward chain, the real's route still valid
	 */
	learned = false;
	if (in && test_bit(LDIR_CONN_B_FP_IN, &cp->flags)) {
		if (!r) {
			ref = READ_ONCE(cp->real->fp_route);
			r = v6 ? ldir_fastpath_route6_rcu(ln, ref) :
				 ldir_fastpath_route_rcu(ln, ref);
		}
		learned = r;
	}
	fast_judged_set(ln, skb, learned);
	return NF_ACCEPT;
}

/* ldir_fastpath_hook() for IPv6: the same, the hop limit for the TTL. */
static noinline unsigned int fast_hook6(struct ldir_net *ln,
					struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h;
	struct ldir_tuple t;
	int thoff;
	bool in;
	u8 protocol;

	protocol = ldir_fastpath_ipv6(skb);
	if (!protocol)
		return NF_ACCEPT;
	ip6h = ipv6_hdr(skb);
	if (ldir_afilter_maybe6(&ln->stateful_filter, &ip6h->daddr))
		in = true;
	else if (ldir_afilter_maybe6(&ln->conn_filter, &ip6h->saddr))
		in = false;
	else
		return NF_ACCEPT;
	thoff = l4_pull_at(skb, sizeof(struct ipv6hdr), protocol);
	if (thoff <= 0 || fast_never(skb, thoff, protocol))
		return NF_ACCEPT;
	tuple_fill6(&t, skb, thoff, protocol);
	return fast_conn(ln, skb, thoff, &t, in, true);
}

/* ldir_fastpath_hook() for IPv4. */
static noinline unsigned int fast_hook4(struct ldir_net *ln,
					struct sk_buff *skb)
{
	const struct iphdr *iph;
	struct ldir_tuple t;
	int thoff;
	bool in;
	u8 protocol;

	protocol = fast_ipv4(skb);
	if (!protocol)
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (ldir_afilter_maybe4(&ln->stateful_filter, iph->daddr))
		in = true;
	else if (ldir_afilter_maybe4(&ln->conn_filter, iph->saddr))
		in = false;
	else
		return NF_ACCEPT;
	thoff = l4_pull_at(skb, sizeof(struct iphdr), protocol);
	if (thoff <= 0 || fast_never(skb, thoff, protocol))
		return NF_ACCEPT;
	tuple_fill(&t, skb, thoff);
	return fast_conn(ln, skb, thoff, &t, in, false);
}

/* The fast path, at the ingress of the devices the operator named: a
 * packet of an established conn is rewritten and counted as the slow path
 * would, its TTL decremented, and sent to the next hop the slow path
 * learned, skipping routing, the forward chain and conntrack. Anything
 * else, and anything it cannot vouch for, goes on the slow way. Each
 * family's half has its own frame, which this one tail-calls.
 */
unsigned int ldir_fastpath_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct ldir_net *ln = priv;

	/* up from a port of this bridge whose hook sent it the slow way */
	if (netif_is_bridge_master(skb->dev) && fast_judged_take(ln, skb, false))
		return NF_ACCEPT;
	if (skb->protocol == htons(ETH_P_IPV6))
		return fast_hook6(ln, skb);
	return fast_hook4(ln, skb);
}

static unsigned int ldir_pre_routing(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct ldir_net *ln = ldir_pernet(state->net);
	struct ldir_tuple t;
	int thoff;

	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return icmp_verdict(ln, ldir_icmp_xlate(ln, skb, true), true);
	/* not to a VIP: the return half of a flow, or none of ours */
	if (!ldir_afilter_maybe4(&ln->vip_filter, ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	thoff = l4_pull(skb);
	if (!thoff)
		return NF_ACCEPT;
	/* malformed, to what the filter says may be a VIP: no receiver
	 * would take a truncated TCP/UDP header, so a collision costs none
	 */
	if (unlikely(thoff < 0))
		return drop(ln, LDIR_STATS_A_DROP_INVALID);
	tuple_fill(&t, skb, thoff);
	return conn_in(ln, skb, thoff, &t,
		       ldir_afilter_maybe4(&ln->stateful_filter, t.daddr.ip));
}

static unsigned int ldir_post_routing(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct ldir_net *ln = ldir_pernet(state->net);
	struct ldir_tuple t;
	int thoff;
	bool conns;

	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return icmp_verdict(ln, ldir_icmp_xlate(ln, skb, false), false);
	/* not from a real: no reply to SNAT (every packet DNATed to a real
	 * passes here too); from a real with no live conn: none to look up
	 */
	conns = ldir_afilter_maybe4(&ln->conn_filter, ip_hdr(skb)->saddr);
	if (!conns && !ldir_afilter_maybe4(&ln->real_filter, ip_hdr(skb)->saddr)) {
		if (unlikely(ldir_fastpath_on(ln)))
			fast_learn_in(ln, skb);
		return NF_ACCEPT;
	}
	thoff = l4_pull(skb);
	if (thoff <= 0)
		return NF_ACCEPT;
	tuple_fill(&t, skb, thoff);
	return conn_out(ln, skb, thoff, &t, conns);
}

/* The IPv6 front of PRE_ROUTING. An ICMPv6 error about a reply is
 * addressed to the VIP the reply left from, so the VIP filter goes first.
 */
static unsigned int ldir_pre_routing6(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct ldir_net *ln = ldir_pernet(state->net);
	struct ldir_tuple t;
	u8 protocol;
	int thoff;

	if (!ldir_afilter_maybe6(&ln->vip_filter, &ipv6_hdr(skb)->daddr))
		return NF_ACCEPT;
	thoff = l4_find6(skb, &protocol);
	if (thoff > 0 && protocol == IPPROTO_ICMPV6)
		return icmp_verdict(ln, ldir_icmp6_xlate(ln, skb, thoff, true),
				    true);
	if (thoff > 0)
		thoff = l4_pull_at(skb, thoff, protocol);
	if (!thoff)
		return NF_ACCEPT;
	if (unlikely(thoff < 0))
		return drop(ln, LDIR_STATS_A_DROP_INVALID);
	tuple_fill6(&t, skb, thoff, protocol);
	return conn_in(ln, skb, thoff, &t,
		       ldir_afilter_maybe6(&ln->stateful_filter, &t.daddr.in6));
}

/* The IPv6 front of POST_ROUTING: an ICMPv6 error towards a client may
 * come from any router, so every one is looked at.
 */
static unsigned int ldir_post_routing6(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct ldir_net *ln = ldir_pernet(state->net);
	const struct in6_addr *saddr;
	struct ldir_tuple t;
	u8 protocol;
	int thoff;
	bool conns;

	thoff = l4_find6(skb, &protocol);
	if (thoff > 0 && protocol == IPPROTO_ICMPV6)
		return icmp_verdict(ln, ldir_icmp6_xlate(ln, skb, thoff, false),
				    false);
	if (!thoff)
		return NF_ACCEPT;
	saddr = &ipv6_hdr(skb)->saddr;
	conns = ldir_afilter_maybe6(&ln->conn_filter, saddr);
	if (!conns && !ldir_afilter_maybe6(&ln->real_filter, saddr)) {
		if (unlikely(ldir_fastpath_on(ln)) && thoff > 0)
			fast_learn_in6(ln, skb, thoff, protocol);
		return NF_ACCEPT;
	}
	/* from a real, and no L4 header ldir may rewrite: it would leave
	 * with the real's own address
	 */
	if (unlikely(thoff < 0))
		return drop(ln, LDIR_STATS_A_DROP_INVALID);
	thoff = l4_pull_at(skb, thoff, protocol);
	if (thoff <= 0)
		return NF_ACCEPT;
	tuple_fill6(&t, skb, thoff, protocol);
	return conn_out(ln, skb, thoff, &t, conns);
}

/* DNAT before conntrack, so that conntrack and the filter tables see the
 * flow as client <-> real in both directions, whether or not they run.
 */
static const struct nf_hook_ops ldir_hook_ops[] = {
	{
		.hook		= ldir_pre_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK - 10,
	},
	{
		.hook		= ldir_post_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_NAT_SRC + 10,
	},
	{
		.hook		= ldir_pre_routing6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK - 10,
	},
	{
		.hook		= ldir_post_routing6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_NAT_SRC + 10,
	},
};

/* Fragments are reassembled before the hooks, by the defrag conntrack
 * uses (in its own queues, so IPVS's are not shared), IPv4 and IPv6:
 * ports, ICMP errors and checksums are only looked at in whole
 * datagrams. Forwarding fragments them again to the size they came in.
 */
int ldir_hooks_register(struct ldir_net *ln)
{
	int ret;

	lockdep_assert_held(&ln->lock);
	if (ln->hooks_registered)
		return 0;
	ret = nf_defrag_ipv4_enable(ln->net);
	if (ret)
		return ret;
	ret = nf_defrag_ipv6_enable(ln->net);
	if (ret)
		goto err_v4;
	ret = nf_register_net_hooks(ln->net, ldir_hook_ops,
				    ARRAY_SIZE(ldir_hook_ops));
	if (ret)
		goto err_v6;
	ln->hooks_registered = true;
	return 0;

err_v6:
	nf_defrag_ipv6_disable(ln->net);
err_v4:
	nf_defrag_ipv4_disable(ln->net);
	return ret;
}

void ldir_hooks_unregister(struct ldir_net *ln)
{
	lockdep_assert_held(&ln->lock);
	if (!ln->hooks_registered)
		return;
	nf_unregister_net_hooks(ln->net, ldir_hook_ops,
				ARRAY_SIZE(ldir_hook_ops));
	nf_defrag_ipv6_disable(ln->net);
	nf_defrag_ipv4_disable(ln->net);
	ln->hooks_registered = false;
}
