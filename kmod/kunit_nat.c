// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: DNAT, SNAT and ICMP error translation update checksums
 * incrementally; each result must equal, byte for byte, the translated
 * packet built from scratch with full checksums. The packets and checks
 * of both families, and the IPv4 suites (kunit_nat6.c: the IPv6 ones).
 */
#include <linux/bottom_half.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "hooks.h"
#include "model.h"
#include "select.h"
#include "conntab.h"
#include "kunit.h"
#include "kunit_nat.h"

#define NAT_ROUNDS	4096
#define NAT_SEED	0x6c646972	/* "ldir" */

#define IP4(a, b, c, d)	cpu_to_be32((a) << 24 | (b) << 16 | (c) << 8 | (d))

/* The addresses of the fixed cases and the ICMP fixture. */
struct nat_addrs {
	union nf_inet_addr c, v, r;
	union nf_inet_addr crouter;	/* a router on the client's side */
	union nf_inet_addr rrouter;	/* and one behind the real */
};

/* IPv4: 203.0.113.7 -> 192.0.2.1, to 198.51.100.11; IPv6: 2001:db8:1::7
 * -> 2001:db8::1, to 2001:db8:2::11.
 */
static void nat_addrs(u8 family, struct nat_addrs *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		a->c = ldir_kunit_ip6(1, 7);
		a->v = ldir_kunit_ip6(0, 1);
		a->r = ldir_kunit_ip6(2, 0x11);
		a->crouter = ldir_kunit_ip6(1, 0xfe);
		a->rrouter = ldir_kunit_ip6(2, 1);
		return;
	}
	a->c.ip = IP4(203, 0, 113, 7);
	a->v.ip = IP4(192, 0, 2, 1);
	a->r.ip = IP4(198, 51, 100, 11);
	a->crouter.ip = IP4(192, 0, 2, 254);
	a->rrouter.ip = IP4(198, 51, 100, 1);
}

static unsigned int l4_hlen(u8 proto)
{
	return proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
				      sizeof(struct udphdr);
}

static unsigned int l4_check_off(u8 proto)
{
	return proto == IPPROTO_TCP ? offsetof(struct tcphdr, check) :
				      offsetof(struct udphdr, check);
}

/* the offset of the L4 header */
static unsigned int pkt_thoff(const struct nat_pkt *p)
{
	if (p->family == AF_INET)
		return sizeof(struct iphdr);
	return sizeof(struct ipv6hdr) + (p->ext == NAT_EXT_NONE ? 0 : 8);
}

static unsigned int pkt_len(const struct nat_pkt *p)
{
	return pkt_thoff(p) + l4_hlen(p->proto) + p->plen;
}

unsigned int ldir_knat_len(const struct nat_pkt *p)
{
	return pkt_len(p);
}

/* The L4 checksum of @p over @sum of its @len bytes: the pseudo-header's
 * of either family.
 */
static __sum16 l4_magic(const struct nat_pkt *p, unsigned int len,
			__wsum sum)
{
	if (p->family == AF_INET)
		return csum_tcpudp_magic(p->saddr.ip, p->daddr.ip, len,
					 p->proto, sum);
	return csum_ipv6_magic(&p->saddr.in6, &p->daddr.in6, len, p->proto,
			       sum);
}

static void ip4_write(const struct nat_pkt *p, struct iphdr *iph,
		      unsigned int l4len)
{
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->id = p->id;
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = p->proto;
	iph->saddr = p->saddr.ip;
	iph->daddr = p->daddr.ip;
	iph->check = ip_fast_csum(iph, iph->ihl);
}

/* The IPv6 header and the extension header @p->ext says. */
static void ip6_write(const struct nat_pkt *p, struct ipv6hdr *ip6h,
		      unsigned int l4len)
{
	unsigned int elen = pkt_thoff(p) - sizeof(*ip6h);
	u8 *ext = (u8 *)(ip6h + 1);

	memset(ip6h, 0, pkt_thoff(p));
	ip6h->version = 6;
	memcpy(&ip6h->flow_lbl[1], &p->id, sizeof(p->id));
	ip6h->payload_len = htons(elen + l4len);
	ip6h->nexthdr = p->proto;
	ip6h->hop_limit = 64;
	ip6h->saddr = p->saddr.in6;
	ip6h->daddr = p->daddr.in6;
	if (p->ext == NAT_EXT_DSTOPTS) {
		ip6h->nexthdr = NEXTHDR_DEST;
		/* one PadN option over the header's 6 bytes of options */
		ext[0] = p->proto;
		ext[2] = IPV6_TLV_PADN;
		ext[3] = 4;
	} else if (p->ext == NAT_EXT_FRAG) {
		struct frag_hdr *fh = (struct frag_hdr *)ext;

		ip6h->nexthdr = NEXTHDR_FRAGMENT;
		fh->nexthdr = p->proto;
		fh->frag_off = p->frag_off;
		fh->identification = htonl(0x6c64);
	}
}

/* The L4 header and payload of @p at @l4h; returns where its checksum
 * goes.
 */
static __sum16 *l4_write(const struct nat_pkt *p, void *l4h)
{
	struct tcphdr *th = l4h;
	struct udphdr *uh = l4h;

	memset(l4h, 0, l4_hlen(p->proto));
	memcpy(l4h + l4_hlen(p->proto), p->payload, p->plen);
	/* TCP and UDP ports sit at the same offsets */
	uh->source = p->sport;
	uh->dest = p->dport;
	if (p->proto == IPPROTO_UDP) {
		uh->len = htons(sizeof(*uh) + p->plen);
		return &uh->check;
	}
	th->seq = p->seq;
	th->ack_seq = p->ack_seq;
	th->doff = sizeof(*th) / 4;
	tcp_flag_byte(th) = p->tcp_flags;
	th->window = htons(29200);
	return &th->check;
}

/* Writes @p to @buf with checksums computed from scratch, as the sender
 * does: the full L4 sum (a zero UDP result goes out as CSUM_MANGLED_0), 0
 * for UDP without checksum, or, for CHECKSUM_PARTIAL, the pseudo-header
 * sum that the device completes.
 */
static void pkt_write(const struct nat_pkt *p, void *buf)
{
	unsigned int l4len = l4_hlen(p->proto) + p->plen;
	void *l4h = buf + pkt_thoff(p);
	__sum16 *check;

	if (p->family == AF_INET)
		ip4_write(p, buf, l4len);
	else
		ip6_write(p, buf, l4len);
	check = l4_write(p, l4h);
	if (p->ip_summed == CHECKSUM_PARTIAL) {
		*check = ~l4_magic(p, l4len, 0);
	} else if (!p->no_csum) {
		*check = l4_magic(p, l4len, csum_partial(l4h, l4len, 0));
		if (p->proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
}

static u16 l4_check_of(const void *buf, const struct nat_pkt *p)
{
	__sum16 check;

	memcpy(&check, buf + pkt_thoff(p) + l4_check_off(p->proto),
	       sizeof(check));
	return (__force u16)check;
}

/* An skb of @len bytes of @family as PRE_ROUTING or POST_ROUTING sees
 * it: data at the network header, the transport one @thoff on. The
 * caller writes the bytes.
 */
static struct sk_buff *nat_skb(u8 family, unsigned int len,
			       unsigned int thoff)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + len, GFP_KERNEL);

	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_HEADER);
	skb_put(skb, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	skb->protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	return skb;
}

/* An skb holding @p; with CHECKSUM_COMPLETE, skb->csum sums it all. */
static struct sk_buff *pkt_skb(const struct nat_pkt *p)
{
	unsigned int thoff = pkt_thoff(p);
	struct sk_buff *skb;

	skb = nat_skb(p->family, pkt_len(p), thoff);
	if (!skb)
		return NULL;
	pkt_write(p, skb->data);
	if (p->ip_summed == CHECKSUM_COMPLETE) {
		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = skb_checksum(skb, 0, skb->len, 0);
	} else if (p->ip_summed == CHECKSUM_PARTIAL) {
		if (!skb_partial_csum_set(skb, thoff, l4_check_off(p->proto))) {
			kfree_skb(skb);
			return NULL;
		}
	}
	return skb;
}

static const char *const summed_name[] = {
	[CHECKSUM_NONE] = "none",
	[CHECKSUM_UNNECESSARY] = "unnecessary",
	[CHECKSUM_COMPLETE] = "complete",
	[CHECKSUM_PARTIAL] = "partial",
};

/* DNAT (@dnat) or SNAT of @skb, holding @p, by @cp, as the hooks do it. */
static int conn_nat(struct sk_buff *skb, const struct nat_pkt *p,
		    const struct ldir_conn *cp, bool dnat)
{
	if (dnat)
		return ldir_conn_dnat(skb, pkt_thoff(p), cp);
	return ldir_conn_snat(skb, pkt_thoff(p), cp);
}

/* Translates @p by @cp (DNAT or SNAT) and compares the result with @want
 * built from scratch, in @wbuf. Returns false, saying why, on a
 * difference.
 */
static bool nat_check(struct kunit *test, const struct nat_pkt *p,
		      const struct nat_pkt *want, const struct ldir_conn *cp,
		      bool dnat, u8 *wbuf)
{
	unsigned int len = pkt_len(p);
	struct sk_buff *skb;
	bool ok;
	int ret;

	skb = pkt_skb(p);
	if (!skb) {
		KUNIT_FAIL(test, "no skb");
		return false;
	}
	ret = conn_nat(skb, p, cp, dnat);
	pkt_write(want, wbuf);

	ok = !ret && skb->len == len && skb->ip_summed == p->ip_summed &&
	     !memcmp(skb->data, wbuf, len);
	if (!ok) {
		KUNIT_FAIL(test, "%s IPv%u %s %s%s ext %u plen %u: ret %d, ip_summed %u",
			   dnat ? "dnat" : "snat",
			   p->family == AF_INET ? 4 : 6,
			   p->proto == IPPROTO_TCP ? "tcp" : "udp",
			   summed_name[p->ip_summed],
			   p->no_csum ? " no-csum" : "", p->ext, p->plen, ret,
			   skb->ip_summed);
		/* which bytes differ */
		KUNIT_EXPECT_MEMEQ(test, skb->data, wbuf, min(skb->len, len));
	}

	/* CHECKSUM_COMPLETE: skb->csum must still sum the packet, or the
	 * stack reports a "hw csum failure" on it
	 */
	if (ok && skb->ip_summed == CHECKSUM_COMPLETE &&
	    csum_fold(skb->csum) != csum_fold(skb_checksum(skb, 0, len, 0))) {
		KUNIT_FAIL(test, "%s IPv%u %s complete plen %u: skb->csum %08x stale",
			   dnat ? "dnat" : "snat",
			   p->family == AF_INET ? 4 : 6,
			   p->proto == IPPROTO_TCP ? "tcp" : "udp", p->plen,
			   (__force u32)skb->csum);
		ok = false;
	}
	kfree_skb(skb);
	return ok;
}

/* A conn with the addresses and ports of a DNAT/SNAT: all the translation
 * reads of it. No table needed.
 */
static void conn_fill(struct ldir_conn *cp, u8 family, u8 proto,
		      const struct nat_addrs *a, __be16 cport, __be16 vport,
		      __be16 rport)
{
	memset(cp, 0, sizeof(*cp));
	cp->family = family;
	cp->protocol = proto;
	if (family == AF_INET) {
		cp->caddr.ip = a->c.ip;
		cp->vaddr.ip = a->v.ip;
		cp->raddr.ip = a->r.ip;
	} else {
		cp->caddr6 = a->c.in6;
		cp->vaddr6 = a->v.in6;
		cp->raddr6 = a->r.in6;
	}
	cp->cport = cport;
	cp->vport = vport;
	cp->rport = rport;
}

/* The packet of @cp's flow in one direction before translation (@p) and
 * after (@want): client -> VIP becomes client -> real (DNAT), real ->
 * client becomes VIP -> client (SNAT). The rest of @p is kept.
 */
static void flow_pkts(const struct ldir_conn *cp, bool dnat,
		      struct nat_pkt *p, struct nat_pkt *want)
{
	p->family = cp->family;
	p->proto = cp->protocol;
	if (dnat) {
		ldir_conn_caddr(&p->saddr, cp);
		p->sport = cp->cport;
		ldir_conn_vaddr(&p->daddr, cp);
		p->dport = cp->vport;
		*want = *p;
		ldir_conn_raddr(&want->daddr, cp);
		want->dport = cp->rport;
	} else {
		ldir_conn_raddr(&p->saddr, cp);
		p->sport = cp->rport;
		ldir_conn_caddr(&p->daddr, cp);
		p->dport = cp->cport;
		*want = *p;
		ldir_conn_vaddr(&want->saddr, cp);
		want->sport = cp->vport;
	}
}

struct nat_fx {
	struct nat_pkt p, want;
	struct ldir_conn cp;
	u8 wbuf[256 + NAT_PLEN_MAX];
};

static struct nat_fx *nat_fx(struct kunit *test)
{
	struct nat_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	return fx;
}

static void rand_addr(struct rnd_state *rs, u8 family, union nf_inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	prandom_bytes_state(rs, a, family == AF_INET ? sizeof(a->ip) :
						       sizeof(a->in6));
}

/* Thousands of random packets and conns, for each checksum state; over
 * IPv6, a quarter of them with a destination options header before the
 * L4 one.
 */
void ldir_knat_random(struct kunit *test, u8 family, bool dnat)
{
	static const u8 summed[] = {
		CHECKSUM_NONE, CHECKSUM_COMPLETE, CHECKSUM_PARTIAL,
	};
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p;
	unsigned int i, bad = 0, nocsum = 0, ext = 0;
	struct rnd_state rs;
	struct nat_addrs a;

	prandom_seed_state(&rs, NAT_SEED + dnat + (family == AF_INET6) * 2);
	for (i = 0; i < NAT_ROUNDS && bad < 5; i++) {
		u8 proto = prandom_u32_state(&rs) & 1 ? IPPROTO_TCP :
							IPPROTO_UDP;
		u32 port = prandom_u32_state(&rs);

		rand_addr(&rs, family, &a.c);
		rand_addr(&rs, family, &a.v);
		rand_addr(&rs, family, &a.r);
		conn_fill(&fx->cp, family, proto, &a,
			  (__force __be16)(u16)port,
			  (__force __be16)(u16)(port >> 16),
			  (__force __be16)(u16)prandom_u32_state(&rs));
		memset(p, 0, sizeof(*p));
		p->ip_summed = summed[i % ARRAY_SIZE(summed)];
		/* not with CHECKSUM_COMPLETE: the port rewrite leaves
		 * skb->csum stale, as nf_nat's does, harmless since a UDP
		 * datagram without checksum is never verified against it
		 */
		p->no_csum = proto == IPPROTO_UDP &&
			     p->ip_summed == CHECKSUM_NONE &&
			     !(prandom_u32_state(&rs) & 7);
		nocsum += p->no_csum;
		if (family == AF_INET6 && !(prandom_u32_state(&rs) & 3))
			p->ext = NAT_EXT_DSTOPTS;
		ext += p->ext != NAT_EXT_NONE;
		p->id = (__force __be16)(u16)prandom_u32_state(&rs);
		p->seq = (__force __be32)prandom_u32_state(&rs);
		p->ack_seq = (__force __be32)prandom_u32_state(&rs);
		p->tcp_flags = prandom_u32_state(&rs) & 0x3f;
		p->plen = prandom_u32_state(&rs) % (NAT_PLEN_MAX + 1);
		prandom_bytes_state(&rs, p->payload, p->plen);
		flow_pkts(&fx->cp, dnat, p, &fx->want);
		if (!nat_check(test, p, &fx->want, &fx->cp, dnat, fx->wbuf))
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	/* the seed gives every kind of packet */
	if (i == NAT_ROUNDS) {
		KUNIT_EXPECT_GT(test, nocsum, 0);
		KUNIT_EXPECT_EQ(test, !!ext, family == AF_INET6);
	}
}

/* The conn of the fixed cases: client:40000 -> VIP:80, to real:8080. */
static void fixed_conn(struct ldir_conn *cp, u8 family, u8 proto)
{
	struct nat_addrs a;

	nat_addrs(family, &a);
	conn_fill(cp, family, proto, &a, htons(40000), htons(80),
		  htons(8080));
}

static void fixed_payload(struct nat_pkt *p, unsigned int plen)
{
	unsigned int i;

	p->plen = plen;
	for (i = 0; i < plen; i++)
		p->payload[i] = i * 7 + 3;
}

/* @fx's packet of the fixed conn's flow, @plen bytes of payload, and
 * what it becomes.
 */
static void fixed_pkts(struct nat_fx *fx, u8 family, u8 proto, bool dnat,
		       unsigned int plen)
{
	fixed_conn(&fx->cp, family, proto);
	memset(&fx->p, 0, sizeof(fx->p));
	fixed_payload(&fx->p, plen);
	flow_pkts(&fx->cp, dnat, &fx->p, &fx->want);
}

/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum; after the
 * rewrite, the sum of the new addresses (the ports are in the data the
 * device sums), still from the L4 header; and what the device then
 * computes is the full checksum of the translated packet.
 */
void ldir_knat_partial(struct kunit *test, u8 family)
{
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p, *want = &fx->want;
	int i, dnat;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		for (dnat = 0; dnat < 2; dnat++) {
			unsigned int len, l4len;
			struct sk_buff *skb;

			fixed_pkts(fx, family, protos[i], dnat, 100);
			p->ip_summed = CHECKSUM_PARTIAL;
			want->ip_summed = CHECKSUM_PARTIAL;
			len = pkt_len(p);
			l4len = len - pkt_thoff(p);
			skb = pkt_skb(p);
			KUNIT_ASSERT_NOT_NULL(test, skb);
			KUNIT_EXPECT_EQ(test, conn_nat(skb, p, &fx->cp, dnat), 0);
			KUNIT_EXPECT_EQ(test, l4_check_of(skb->data, p),
					(__force u16)~l4_magic(want, l4len, 0));
			KUNIT_EXPECT_EQ(test, (int)skb->ip_summed,
					CHECKSUM_PARTIAL);
			KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb),
					(int)pkt_thoff(p));
			KUNIT_EXPECT_EQ(test, skb->csum_offset,
					l4_check_off(p->proto));
			pkt_write(want, fx->wbuf);
			KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, len);

			/* the device's part */
			KUNIT_EXPECT_EQ(test, skb_checksum_help(skb), 0);
			want->ip_summed = CHECKSUM_NONE;
			pkt_write(want, fx->wbuf);
			KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, len);
			kfree_skb(skb);
		}
	}
}

/* A UDP checksum of 0 means "none": it stays 0, whatever the addresses
 * (an IPv6 receiver drops such a datagram, rewritten or not).
 */
void ldir_knat_udp_no_csum(struct kunit *test, u8 family)
{
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p;
	int dnat;

	for (dnat = 0; dnat < 2; dnat++) {
		struct sk_buff *skb;

		fixed_pkts(fx, family, IPPROTO_UDP, dnat, 33);
		p->no_csum = true;
		fx->want.no_csum = true;
		skb = pkt_skb(p);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_EQ(test, conn_nat(skb, p, &fx->cp, dnat), 0);
		KUNIT_EXPECT_EQ(test, l4_check_of(skb->data, p), 0);
		KUNIT_EXPECT_EQ(test, ntohs(udp_hdr(skb)->source),
				ntohs(fx->want.sport));
		KUNIT_EXPECT_EQ(test, ntohs(udp_hdr(skb)->dest),
				ntohs(fx->want.dport));
		kfree_skb(skb);

		KUNIT_EXPECT_TRUE(test, nat_check(test, p, &fx->want, &fx->cp,
						  dnat, fx->wbuf));
	}
}

/* A UDP checksum that comes out 0 after the update is sent as 0xffff: 0
 * would say "no checksum". The payload is chosen so that the translated
 * datagram sums to exactly zero.
 */
void ldir_knat_udp_mangled_0(struct kunit *test, u8 family)
{
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p, *want = &fx->want;
	int dnat;

	for (dnat = 0; dnat < 2; dnat++) {
		unsigned int l4len = sizeof(struct udphdr) + 32;
		struct sk_buff *skb;
		__sum16 sum;

		fixed_pkts(fx, family, IPPROTO_UDP, dnat, 32);
		p->payload[0] = 0;
		p->payload[1] = 0;
		want->payload[0] = 0;
		want->payload[1] = 0;

		/* the translated datagram's sum with a zero first word; that
		 * word set to the result cancels it out
		 */
		want->no_csum = true;
		pkt_write(want, fx->wbuf);
		want->no_csum = false;
		sum = l4_magic(want, l4len,
			       csum_partial(fx->wbuf + pkt_thoff(want), l4len,
					    0));
		memcpy(want->payload, &sum, sizeof(sum));
		memcpy(p->payload, &sum, sizeof(sum));
		pkt_write(want, fx->wbuf);
		KUNIT_ASSERT_EQ(test, l4_check_of(fx->wbuf, want),
				(__force u16)CSUM_MANGLED_0);
		/* the original's checksum is an ordinary one */
		pkt_write(p, fx->wbuf);
		KUNIT_ASSERT_NE(test, l4_check_of(fx->wbuf, p),
				(__force u16)CSUM_MANGLED_0);
		KUNIT_ASSERT_NE(test, l4_check_of(fx->wbuf, p), 0);

		skb = pkt_skb(p);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_EQ(test, conn_nat(skb, p, &fx->cp, dnat), 0);
		KUNIT_EXPECT_EQ(test, l4_check_of(skb->data, p),
				(__force u16)CSUM_MANGLED_0);
		kfree_skb(skb);

		KUNIT_EXPECT_TRUE(test, nat_check(test, p, want, &fx->cp, dnat,
						  fx->wbuf));
	}
}

/* A clone shares its data: the rewrite goes to a private copy, and the
 * clone's owner (a tap, say) still sees the packet untouched.
 */
void ldir_knat_cloned(struct kunit *test, u8 family)
{
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct nat_fx *fx = nat_fx(test);
	struct sk_buff *skb, *clone;
	unsigned int len;
	int i, dnat;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		for (dnat = 0; dnat < 2; dnat++) {
			fixed_pkts(fx, family, protos[i], dnat, 50);
			len = pkt_len(&fx->p);
			skb = pkt_skb(&fx->p);
			KUNIT_ASSERT_NOT_NULL(test, skb);
			clone = skb_clone(skb, GFP_KERNEL);
			if (!clone)
				kfree_skb(skb);
			KUNIT_ASSERT_NOT_NULL(test, clone);

			KUNIT_EXPECT_EQ(test, conn_nat(clone, &fx->p, &fx->cp,
						       dnat), 0);
			pkt_write(&fx->want, fx->wbuf);
			KUNIT_EXPECT_EQ(test, clone->len, len);
			KUNIT_EXPECT_MEMEQ(test, clone->data, fx->wbuf, len);
			pkt_write(&fx->p, fx->wbuf);
			KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, len);
			kfree_skb(clone);
			kfree_skb(skb);
		}
	}
}

static void nat_dnat_random(struct kunit *test)
{
	ldir_knat_random(test, AF_INET, true);
}

static void nat_snat_random(struct kunit *test)
{
	ldir_knat_random(test, AF_INET, false);
}

static void nat_partial(struct kunit *test)
{
	ldir_knat_partial(test, AF_INET);
}

static void nat_udp_no_csum(struct kunit *test)
{
	ldir_knat_udp_no_csum(test, AF_INET);
}

static void nat_udp_mangled_0(struct kunit *test)
{
	ldir_knat_udp_mangled_0(test, AF_INET);
}

static void nat_cloned(struct kunit *test)
{
	ldir_knat_cloned(test, AF_INET);
}

/* ICMP errors: the message's family is its quoted packet's. */

static unsigned int icmp_ihl(const struct icmp_pkt *p)
{
	return p->in.family == AF_INET ? sizeof(struct iphdr) :
					 sizeof(struct ipv6hdr);
}

static unsigned int icmp_len(const struct icmp_pkt *p)
{
	return icmp_ihl(p) + sizeof(struct icmphdr) + p->quote;
}

static void icmp_write(const struct icmp_pkt *p, void *buf)
{
	unsigned int ihl = icmp_ihl(p), ilen = sizeof(struct icmphdr) + p->quote;
	/* ICMPv6's header has the same layout */
	struct icmphdr *ih = buf + ihl;
	struct ipv6hdr *ip6h = buf;
	struct iphdr *iph = buf;
	__wsum sum;

	/* all of the offending packet, of which the message has the head */
	pkt_write(&p->in, ih + 1);
	memset(buf, 0, ihl + sizeof(*ih));
	ih->type = p->type;
	ih->code = p->code;
	ih->un.gateway = p->rest;
	sum = csum_partial(ih, ilen, 0);
	if (p->in.family == AF_INET) {
		ih->checksum = csum_fold(sum);
	} else {
		/* the pseudo-header is in the sum */
		ih->checksum = csum_ipv6_magic(&p->saddr.in6, &p->daddr.in6,
					       ilen, IPPROTO_ICMPV6, sum);
	}
	if (p->bad_csum)
		ih->checksum = (__force __sum16)((__force u16)ih->checksum ^ 1);

	if (p->in.family == AF_INET6) {
		ip6h->version = 6;
		ip6h->payload_len = htons(ilen);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = 64;
		ip6h->saddr = p->saddr.in6;
		ip6h->daddr = p->daddr.in6;
		if (p->forged)
			ip6h->saddr.s6_addr32[3] ^= htonl(1);
		return;
	}
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(sizeof(*iph) + ilen);
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->frag_off = p->frag_off;
	iph->saddr = p->saddr.ip;
	iph->daddr = p->daddr.ip;
	iph->check = ip_fast_csum(iph, iph->ihl);
}

/* Runs @p through ldir_icmp_xlate() or ldir_icmp6_xlate() as the hook on
 * @in (PRE_ROUTING) or out, and returns what it returned. The packet it
 * leaves is *@skbp, for the caller to check and free; fx->wbuf still
 * holds @p as written.
 */
static int icmp_run(struct kunit *test, const struct icmp_pkt *p, bool in,
		    struct sk_buff **skbp)
{
	struct icmp_fx *fx = test->priv;
	unsigned int len = icmp_len(p);
	struct sk_buff *skb;
	int ret;

	skb = nat_skb(p->in.family, len, icmp_ihl(p));
	KUNIT_ASSERT_NOT_NULL(test, skb);
	icmp_write(p, fx->wbuf);
	memcpy(skb->data, fx->wbuf, len);

	local_bh_disable();
	rcu_read_lock();
	if (p->in.family == AF_INET)
		ret = ldir_icmp_xlate(fx->ln, skb, in);
	else
		ret = ldir_icmp6_xlate(fx->ln, skb, icmp_ihl(p), in);
	rcu_read_unlock();
	local_bh_enable();
	*skbp = skb;
	return ret;
}

/* Is the message in @skb valid as a whole: its IPv4 header checksum, and
 * the ICMP one (ICMPv6's with the pseudo-header)?
 */
static bool icmp_valid(struct sk_buff *skb, const struct icmp_pkt *p)
{
	unsigned int ihl = icmp_ihl(p), len = skb->len - ihl;
	__wsum sum = skb_checksum(skb, ihl, len, 0);

	if (p->in.family == AF_INET)
		return !ip_fast_csum(skb->data, 5) && !csum_fold(sum);
	return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
				len, IPPROTO_ICMPV6, sum);
}

/* The translation of @p must be @want (NULL: @p unchanged). */
void ldir_knat_icmp_check(struct kunit *test, const struct icmp_pkt *p,
			  const struct icmp_pkt *want, bool in)
{
	struct icmp_fx *fx = test->priv;
	unsigned int len = icmp_len(p);
	struct sk_buff *skb;

	KUNIT_EXPECT_EQ(test, icmp_run(test, p, in, &skb), want ? 1 : 0);
	icmp_write(want ?: p, fx->wbuf);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, len);
	KUNIT_EXPECT_TRUE(test, icmp_valid(skb, p));
	kfree_skb(skb);
}

/* The hook must return @ret for @p and leave the packet as it was. */
void ldir_knat_icmp_untouched(struct kunit *test, const struct icmp_pkt *p,
			      bool in, int ret)
{
	struct icmp_fx *fx = test->priv;
	struct sk_buff *skb;

	KUNIT_EXPECT_EQ(test, icmp_run(test, p, in, &skb), ret);
	KUNIT_EXPECT_EQ(test, skb->len, icmp_len(p));
	KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, icmp_len(p));
	kfree_skb(skb);
}

/* The ICMP fixture (kunit_nat.h) in @family, at nat_addrs()'. */
int ldir_knat_icmp_init(struct kunit *test, u8 family)
{
	const struct ldir_sched_ops *rr = ldir_sched_find("rr");
	static const struct { u8 proto; u16 vport, rport, cport; } flows[] = {
		{ IPPROTO_TCP, 80, 8080, 40000 },
		{ IPPROTO_UDP, 53, 5353, 40001 },
	};
	struct ldir_link *l[2] = {};
	struct icmp_fx *fx;
	struct ldir_net *ln;
	struct nat_addrs a;
	int i, ret = 0;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx || !rr)
		return -ENOMEM;
	test->priv = fx;
	ln = ldir_net_create(&init_net);
	if (!ln)
		return -ENOMEM;
	fx->ln = ln;
	nat_addrs(family, &a);

	mutex_lock(&ln->lock);
	fx->r = ldir_real_create(ln, family, &a.r, 0);
	if (IS_ERR(fx->r)) {
		ret = PTR_ERR(fx->r);
		fx->r = NULL;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		fx->v[i] = ldir_virtual_create(ln, family, &a.v,
					       htons(flows[i].vport),
					       flows[i].proto, 0, 0, rr);
		if (IS_ERR(fx->v[i])) {
			ret = PTR_ERR(fx->v[i]);
			fx->v[i] = NULL;
			goto out;
		}
		l[i] = ldir_link_create(ln, fx->v[i], fx->r,
					htons(flows[i].rport));
		if (IS_ERR(l[i])) {
			ret = PTR_ERR(l[i]);
			goto out;
		}
	}
out:
	mutex_unlock(&ln->lock);
	if (ret)
		return ret;

	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		struct ldir_tuple t = {
			.saddr = a.c, .daddr = a.v,
			.sport = htons(flows[i].cport),
			.dport = htons(flows[i].vport),
			.protocol = flows[i].proto, .family = family,
		};

		local_bh_disable();
		rcu_read_lock();
		fx->cp[i] = ldir_conn_create(ln, &t, l[i], NULL,
					     htons(flows[i].rport),
					     flows[i].proto == IPPROTO_TCP ?
					     LDIR_CONN_S_ESTABLISHED :
					     LDIR_CONN_S_UDP);
		rcu_read_unlock();
		local_bh_enable();
		if (IS_ERR(fx->cp[i]))
			return PTR_ERR(fx->cp[i]);
	}
	return 0;
}

void ldir_knat_icmp_exit(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	int i;

	if (!fx)
		return;
	mutex_lock(&fx->ln->lock);
	/* flushes their conns */
	for (i = 0; i < ARRAY_SIZE(fx->v); i++)
		if (fx->v[i])
			ldir_virtual_destroy(fx->ln, fx->v[i]);
	if (fx->r)
		ldir_real_destroy(fx->ln, fx->r);
	mutex_unlock(&fx->ln->lock);
	/* conns go in RCU callbacks, which put their links: a link's own
	 * callback is posted by its last conn's, hence the second barrier
	 */
	rcu_barrier();
	rcu_barrier();
}

/* The quoted packet of an error about a reply we sent: VIP -> client;
 * a router on the client's side says it is too big (IPv4: fragmentation
 * needed).
 */
static void icmp_about_reply(struct icmp_pkt *p, const struct ldir_conn *cp,
			     unsigned int plen)
{
	struct nat_addrs a;

	nat_addrs(cp->family, &a);
	memset(p, 0, sizeof(*p));
	p->in.family = cp->family;
	p->in.proto = cp->protocol;
	ldir_conn_vaddr(&p->in.saddr, cp);
	p->in.sport = cp->vport;
	ldir_conn_caddr(&p->in.daddr, cp);
	p->in.dport = cp->cport;
	p->in.id = htons(0x1234);
	p->in.seq = htonl(1000);
	p->in.ack_seq = htonl(2000);
	p->in.tcp_flags = TCPHDR_PSH | TCPHDR_ACK;
	fixed_payload(&p->in, plen);
	p->quote = pkt_len(&p->in);
	p->saddr = a.crouter;
	p->daddr = p->in.saddr;
	p->type = cp->family == AF_INET ? ICMP_DEST_UNREACH : ICMPV6_PKT_TOOBIG;
	p->code = cp->family == AF_INET ? ICMP_FRAG_NEEDED : 0;
	p->rest = htonl(cp->family == AF_INET ? 1400 : 1280);
}

/* The quoted packet of an error about a forwarded one: client -> real,
 * whose port is closed.
 */
static void icmp_about_fwd(struct icmp_pkt *p, const struct ldir_conn *cp,
			   unsigned int plen)
{
	memset(p, 0, sizeof(*p));
	p->in.family = cp->family;
	p->in.proto = cp->protocol;
	ldir_conn_caddr(&p->in.saddr, cp);
	p->in.sport = cp->cport;
	ldir_conn_raddr(&p->in.daddr, cp);
	p->in.dport = cp->rport;
	p->in.id = htons(0x4321);
	p->in.seq = htonl(3000);
	p->in.tcp_flags = TCPHDR_SYN;
	fixed_payload(&p->in, plen);
	p->quote = pkt_len(&p->in);
	p->saddr = p->in.daddr;		/* the real itself */
	p->daddr = p->in.saddr;
	p->type = cp->family == AF_INET ? ICMP_DEST_UNREACH :
					  ICMPV6_DEST_UNREACH;
	p->code = cp->family == AF_INET ? ICMP_PORT_UNREACH :
					  ICMPV6_PORT_UNREACH;
}

/* An error about @cp's flow as the hook on @in meets it. */
void ldir_knat_icmp_about(struct icmp_pkt *p, const struct ldir_conn *cp,
			  bool in, unsigned int plen)
{
	if (in)
		icmp_about_reply(p, cp, plen);
	else
		icmp_about_fwd(p, cp, plen);
}

/* @want: @p translated the way @in says (see ldir_xlate_icmp()): in, the
 * quoted source becomes real:rport, and the outer destination the real
 * if it was the quoted source; out, the quoted destination becomes
 * VIP:vport, and the outer source the VIP if it was the real.
 */
static void icmp_want(struct icmp_pkt *want, const struct icmp_pkt *p,
		      const struct ldir_conn *cp, bool in)
{
	*want = *p;
	if (in) {
		ldir_conn_raddr(&want->in.saddr, cp);
		want->in.sport = cp->rport;
		if (nf_inet_addr_cmp(&p->daddr, &p->in.saddr))
			want->daddr = want->in.saddr;
	} else {
		ldir_conn_vaddr(&want->in.daddr, cp);
		want->in.dport = cp->vport;
		if (nf_inet_addr_cmp(&p->saddr, &p->in.daddr))
			want->saddr = want->in.daddr;
	}
}

/* Another error than icmp_about_*()'s: IPv4, time exceeded; IPv6,
 * destination unreachable inbound, too big outbound. Out, it comes from
 * a router behind the real, whose address stays.
 */
static void icmp_other(struct icmp_pkt *p, bool in)
{
	struct nat_addrs a;

	nat_addrs(p->in.family, &a);
	if (!in)
		p->saddr = a.rrouter;
	p->code = 0;
	p->rest = 0;
	if (p->in.family == AF_INET) {
		p->type = ICMP_TIME_EXCEEDED;
		p->code = ICMP_EXC_TTL;
	} else if (in) {
		p->type = ICMPV6_DEST_UNREACH;
		p->code = ICMPV6_ADDR_UNREACH;
	} else {
		p->type = ICMPV6_PKT_TOOBIG;
		p->rest = htonl(1400);
	}
}

/* For each conn: the error icmp_about_*() make, then icmp_other()'s,
 * then, for UDP, one quoting a datagram without checksum, which keeps
 * none.
 */
void ldir_knat_icmp_both(struct kunit *test, bool in)
{
	struct icmp_pair *k = icmp_pair(test);
	struct icmp_pkt *p = &k->p, *want = &k->want;
	struct icmp_fx *fx = test->priv;
	union nf_inet_addr ra, va;
	int i;

	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		const struct ldir_conn *cp = fx->cp[i];

		ldir_conn_raddr(&ra, cp);
		ldir_conn_vaddr(&va, cp);
		ldir_knat_icmp_about(p, cp, in, in ? 24 : 17);
		icmp_want(want, p, cp, in);
		/* the outer address that was the quoted one goes with it */
		KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(in ? &want->daddr :
							 &want->saddr,
							 in ? &ra : &va));
		ldir_knat_icmp_check(test, p, want, in);

		icmp_other(p, in);
		icmp_want(want, p, cp, in);
		KUNIT_EXPECT_TRUE(test, in || nf_inet_addr_cmp(&want->saddr,
							       &p->saddr));
		ldir_knat_icmp_check(test, p, want, in);

		if (cp->protocol == IPPROTO_UDP) {
			p->in.no_csum = true;
			want->in.no_csum = true;
			ldir_knat_icmp_check(test, p, want, in);
		}
	}
}

static void icmp_in(struct kunit *test)
{
	ldir_knat_icmp_both(test, true);
}

static void icmp_out(struct kunit *test)
{
	ldir_knat_icmp_both(test, false);
}

/* Each way and for each conn, an error whose quote @quote shapes is
 * translated like any other.
 */
void ldir_knat_icmp_each(struct kunit *test, unsigned int plen,
			 void (*quote)(struct icmp_pkt *p))
{
	struct icmp_pair *k = icmp_pair(test);
	struct icmp_pkt *p = &k->p, *want = &k->want;
	struct icmp_fx *fx = test->priv;
	int i, in;

	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		for (in = 0; in < 2; in++) {
			ldir_knat_icmp_about(p, fx->cp[i], in, plen);
			quote(p);
			icmp_want(want, p, fx->cp[i], in);
			ldir_knat_icmp_check(test, p, want, in);
		}
	}
}

/* Quotes are usually cut short: with only the ports of the TCP header
 * quoted, its checksum is not there to update, the rest is (UDP's is in
 * the 8 bytes).
 */
static void quote_ports(struct icmp_pkt *p)
{
	p->quote = pkt_thoff(&p->in) + 8;
}

void ldir_knat_icmp_truncated(struct kunit *test)
{
	ldir_knat_icmp_each(test, 100, quote_ports);
}

/* Not ours: other flows, the wrong way, and ICMP that is no error. */
void ldir_knat_icmp_not_ours(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	const struct ldir_conn *cp = fx->cp[0];
	struct icmp_pkt *p = &icmp_pair(test)->p;
	int i;

	icmp_about_reply(p, cp, 8);
	p->in.dport = htons(40002);
	ldir_knat_icmp_check(test, p, NULL, true);
	/* another client: one bit of each address word in turn */
	for (i = 0; i < (cp->family == AF_INET ? 1 : 4); i++) {
		icmp_about_reply(p, cp, 8);
		p->in.daddr.all[i] ^= htonl(1);
		ldir_knat_icmp_check(test, p, NULL, true);
	}

	/* an error about client -> real seen inbound: not a flow we know */
	icmp_about_fwd(p, cp, 8);
	ldir_knat_icmp_check(test, p, NULL, true);
	icmp_about_reply(p, cp, 8);
	ldir_knat_icmp_check(test, p, NULL, false);

	/* echo requests and replies quote nothing */
	icmp_about_reply(p, cp, 8);
	p->code = 0;
	p->rest = htonl(0x10001);
	p->type = cp->family == AF_INET ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
	ldir_knat_icmp_check(test, p, NULL, true);
	p->type = cp->family == AF_INET ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY;
	ldir_knat_icmp_check(test, p, NULL, true);
}

/* An error about a live conn with a wrong checksum is refused, both ways,
 * not passed on with a good one made up for it.
 */
void ldir_knat_icmp_bad_csum(struct kunit *test)
{
	struct icmp_pkt *p = &icmp_pair(test)->p;
	struct icmp_fx *fx = test->priv;
	int i, in;

	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		for (in = 0; in < 2; in++) {
			ldir_knat_icmp_about(p, fx->cp[i], in, in ? 24 : 17);
			p->bad_csum = true;
			ldir_knat_icmp_untouched(test, p, in, -EBADMSG);
		}
	}
}

/* A fragment is no whole message: left alone, first or not. */
static void icmp_fragment(struct kunit *test)
{
	struct icmp_pkt *p = &icmp_pair(test)->p;
	struct icmp_fx *fx = test->priv;

	icmp_about_reply(p, fx->cp[0], 24);
	p->frag_off = htons(IP_MF);
	ldir_knat_icmp_untouched(test, p, true, 0);
	p->frag_off = htons(8);
	ldir_knat_icmp_untouched(test, p, true, 0);
	icmp_about_fwd(p, fx->cp[1], 17);
	p->frag_off = htons(IP_MF | 16);
	ldir_knat_icmp_untouched(test, p, false, 0);
}

static void icmp_truncated(struct kunit *test)
{
	ldir_knat_icmp_truncated(test);
}

static void icmp_not_ours(struct kunit *test)
{
	ldir_knat_icmp_not_ours(test);
}

static void icmp_bad_csum(struct kunit *test)
{
	ldir_knat_icmp_bad_csum(test);
}

static int icmp_init(struct kunit *test)
{
	return ldir_knat_icmp_init(test, AF_INET);
}

static struct kunit_case ldir_nat_cases[] = {
	KUNIT_CASE_SLOW(nat_dnat_random),
	KUNIT_CASE_SLOW(nat_snat_random),
	KUNIT_CASE(nat_partial),
	KUNIT_CASE(nat_udp_no_csum),
	KUNIT_CASE(nat_udp_mangled_0),
	KUNIT_CASE(nat_cloned),
	{}
};

static struct kunit_suite ldir_nat_suite = {
	.name = "ldir_nat",
	.test_cases = ldir_nat_cases,
};

static struct kunit_case ldir_nat_icmp_cases[] = {
	KUNIT_CASE(icmp_in),
	KUNIT_CASE(icmp_out),
	KUNIT_CASE(icmp_truncated),
	KUNIT_CASE(icmp_not_ours),
	KUNIT_CASE(icmp_bad_csum),
	KUNIT_CASE(icmp_fragment),
	{}
};

static struct kunit_suite ldir_nat_icmp_suite = {
	.name = "ldir_nat_icmp",
	.init = icmp_init,
	.exit = ldir_knat_icmp_exit,
	.test_cases = ldir_nat_icmp_cases,
};

kunit_test_suites(&ldir_nat_suite, &ldir_nat_icmp_suite);
