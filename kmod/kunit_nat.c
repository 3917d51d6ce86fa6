// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: DNAT, SNAT and ICMP error translation update checksums
 * incrementally; each result must equal, byte for byte,
 * the translated packet built from scratch with full checksums.
 */
#include <linux/bottom_half.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <kunit/test.h>

#include "hooks.h"
#include "xlate.h"
#include "model.h"
#include "select.h"
#include "conntab.h"

#define NAT_ROUNDS	4096
#define NAT_PLEN_MAX	200
#define NAT_SEED	0x6c646972	/* "ldir" */
/* room for a packet and, for ICMP, the headers quoting it */
#define NAT_BUF_MAX	(2 * sizeof(struct iphdr) + sizeof(struct icmphdr) + \
			 sizeof(struct tcphdr) + NAT_PLEN_MAX)

#define IP4(a, b, c, d)	cpu_to_be32((a) << 24 | (b) << 16 | (c) << 8 | (d))

/* A TCP or UDP packet over IPv4, field by field. */
struct nat_pkt {
	u8 proto;
	u8 ip_summed;		/* CHECKSUM_NONE, _COMPLETE or _PARTIAL */
	bool no_csum;		/* a UDP datagram without checksum */
	__be32 saddr, daddr;
	__be16 sport, dport;
	__be16 id;
	__be32 seq, ack_seq;
	u8 tcp_flags;
	unsigned int plen;
	u8 payload[NAT_PLEN_MAX];
};

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

static unsigned int pkt_len(const struct nat_pkt *p)
{
	return sizeof(struct iphdr) + l4_hlen(p->proto) + p->plen;
}

/* Writes @p to @buf with checksums computed from scratch, as the sender
 * does: the full L4 sum (a zero UDP result goes out as CSUM_MANGLED_0), 0
 * for UDP without checksum, or, for CHECKSUM_PARTIAL, the pseudo-header
 * sum that the device completes.
 */
static void pkt_write(const struct nat_pkt *p, void *buf)
{
	unsigned int l4len = l4_hlen(p->proto) + p->plen;
	struct iphdr *iph = buf;
	void *l4h = iph + 1;
	__sum16 *check;

	memset(buf, 0, sizeof(*iph) + l4_hlen(p->proto));
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->id = p->id;
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = p->proto;
	iph->saddr = p->saddr;
	iph->daddr = p->daddr;
	iph->check = ip_fast_csum(iph, iph->ihl);

	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4h;

		th->source = p->sport;
		th->dest = p->dport;
		th->seq = p->seq;
		th->ack_seq = p->ack_seq;
		th->doff = sizeof(*th) / 4;
		tcp_flag_byte(th) = p->tcp_flags;
		th->window = htons(29200);
		check = &th->check;
	} else {
		struct udphdr *uh = l4h;

		uh->source = p->sport;
		uh->dest = p->dport;
		uh->len = htons(l4len);
		check = &uh->check;
	}
	memcpy(l4h + l4_hlen(p->proto), p->payload, p->plen);

	if (p->ip_summed == CHECKSUM_PARTIAL) {
		*check = ~csum_tcpudp_magic(p->saddr, p->daddr, l4len,
					    p->proto, 0);
	} else if (!p->no_csum) {
		*check = csum_tcpudp_magic(p->saddr, p->daddr, l4len, p->proto,
					   csum_partial(l4h, l4len, 0));
		if (p->proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
}

static u16 ip_check_of(const void *buf)
{
	return (__force u16)((const struct iphdr *)buf)->check;
}

static u16 l4_check_of(const void *buf, u8 proto)
{
	__sum16 check;

	memcpy(&check, buf + sizeof(struct iphdr) + l4_check_off(proto),
	       sizeof(check));
	return (__force u16)check;
}

/* An skb holding @p as PRE_ROUTING or POST_ROUTING sees it: data at the
 * IP header; with CHECKSUM_COMPLETE, skb->csum sums it all.
 */
static struct sk_buff *pkt_skb(const struct nat_pkt *p)
{
	unsigned int len = pkt_len(p), thoff = sizeof(struct iphdr);
	struct sk_buff *skb;

	skb = alloc_skb(MAX_HEADER + len, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_HEADER);
	pkt_write(p, skb_put(skb, len));
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	skb->protocol = htons(ETH_P_IP);
	if (p->ip_summed == CHECKSUM_COMPLETE) {
		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = skb_checksum(skb, 0, len, 0);
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

/* Translates @p by @cp (DNAT or SNAT) and compares the result with @want
 * built from scratch, in @wbuf. Returns false, saying why, on a difference.
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
	if (dnat)
		ret = ldir_conn_dnat(skb, sizeof(struct iphdr), cp);
	else
		ret = ldir_conn_snat(skb, sizeof(struct iphdr), cp);
	pkt_write(want, wbuf);

	ok = !ret && skb->len == len && skb->ip_summed == p->ip_summed &&
	     !memcmp(skb->data, wbuf, len);
	if (!ok)
		KUNIT_FAIL(test,
			   "%s %s %s%s plen %u: ret %d, got %pI4:%u -> %pI4:%u check ip %04x l4 %04x, want %pI4:%u -> %pI4:%u check ip %04x l4 %04x",
			   dnat ? "dnat" : "snat",
			   p->proto == IPPROTO_TCP ? "tcp" : "udp",
			   summed_name[p->ip_summed],
			   p->no_csum ? " no-csum" : "", p->plen, ret,
			   &ip_hdr(skb)->saddr,
			   ntohs(udp_hdr(skb)->source), &ip_hdr(skb)->daddr,
			   ntohs(udp_hdr(skb)->dest), ip_check_of(skb->data),
			   l4_check_of(skb->data, p->proto), &want->saddr,
			   ntohs(want->sport), &want->daddr, ntohs(want->dport),
			   ip_check_of(wbuf), l4_check_of(wbuf, p->proto));

	/* CHECKSUM_COMPLETE: skb->csum must still sum the packet, or the
	 * stack reports a "hw csum failure" on it
	 */
	if (ok && skb->ip_summed == CHECKSUM_COMPLETE &&
	    csum_fold(skb->csum) != csum_fold(skb_checksum(skb, 0, len, 0))) {
		KUNIT_FAIL(test, "%s %s complete plen %u: skb->csum %08x stale",
			   dnat ? "dnat" : "snat",
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
static void conn_fill(struct ldir_conn *cp, u8 proto, __be32 c, __be16 cport,
		      __be32 v, __be16 vport, __be32 r, __be16 rport)
{
	memset(cp, 0, sizeof(*cp));
	cp->family = AF_INET;
	cp->protocol = proto;
	cp->caddr.ip = c;
	cp->cport = cport;
	cp->vaddr.ip = v;
	cp->vport = vport;
	cp->raddr.ip = r;
	cp->rport = rport;
}

/* The packet of @cp's flow in one direction before translation (@p) and
 * after (@want): client -> VIP becomes client -> real (DNAT), real ->
 * client becomes VIP -> client (SNAT). The rest of @p is kept.
 */
static void flow_pkts(const struct ldir_conn *cp, bool dnat,
		      struct nat_pkt *p, struct nat_pkt *want)
{
	p->proto = cp->protocol;
	if (dnat) {
		p->saddr = cp->caddr.ip;
		p->sport = cp->cport;
		p->daddr = cp->vaddr.ip;
		p->dport = cp->vport;
		*want = *p;
		want->daddr = cp->raddr.ip;
		want->dport = cp->rport;
	} else {
		p->saddr = cp->raddr.ip;
		p->sport = cp->rport;
		p->daddr = cp->caddr.ip;
		p->dport = cp->cport;
		*want = *p;
		want->saddr = cp->vaddr.ip;
		want->sport = cp->vport;
	}
}

struct nat_fx {
	struct nat_pkt p, want;
	struct ldir_conn cp;
	u8 wbuf[NAT_BUF_MAX];
};

static struct nat_fx *nat_fx(struct kunit *test)
{
	struct nat_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	return fx;
}

/* Thousands of random packets and conns, for each checksum state. */
static void nat_random(struct kunit *test, bool dnat)
{
	static const u8 summed[] = {
		CHECKSUM_NONE, CHECKSUM_COMPLETE, CHECKSUM_PARTIAL,
	};
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p;
	unsigned int i, bad = 0, nocsum = 0;
	struct rnd_state rs;

	prandom_seed_state(&rs, NAT_SEED + dnat);
	for (i = 0; i < NAT_ROUNDS && bad < 5; i++) {
		u8 proto = prandom_u32_state(&rs) & 1 ? IPPROTO_TCP :
							IPPROTO_UDP;
		u32 port = prandom_u32_state(&rs);

		conn_fill(&fx->cp, proto,
			  (__force __be32)prandom_u32_state(&rs),
			  (__force __be16)(u16)port,
			  (__force __be32)prandom_u32_state(&rs),
			  (__force __be16)(u16)(port >> 16),
			  (__force __be32)prandom_u32_state(&rs),
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
	if (i == NAT_ROUNDS)
		KUNIT_EXPECT_GT(test, nocsum, 0);
}

static void nat_dnat_random(struct kunit *test)
{
	nat_random(test, true);
}

static void nat_snat_random(struct kunit *test)
{
	nat_random(test, false);
}

/* The conn of the fixed cases: 203.0.113.7:40000 -> 192.0.2.1:80, to
 * 198.51.100.11:8080.
 */
static void fixed_conn(struct ldir_conn *cp, u8 proto)
{
	conn_fill(cp, proto, IP4(203, 0, 113, 7), htons(40000),
		  IP4(192, 0, 2, 1), htons(80), IP4(198, 51, 100, 11),
		  htons(8080));
}

static void fixed_payload(struct nat_pkt *p, unsigned int plen)
{
	unsigned int i;

	p->plen = plen;
	for (i = 0; i < plen; i++)
		p->payload[i] = i * 7 + 3;
}

/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum; after the
 * rewrite, the sum of the new addresses (the ports are in the data the
 * device sums).
 */
static void nat_partial(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p;
	int i, dnat;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		for (dnat = 0; dnat < 2; dnat++) {
			unsigned int l4len = l4_hlen(protos[i]) + 100;
			__be32 saddr, daddr;
			struct sk_buff *skb;
			__sum16 pseudo;

			fixed_conn(&fx->cp, protos[i]);
			memset(p, 0, sizeof(*p));
			p->ip_summed = CHECKSUM_PARTIAL;
			fixed_payload(p, 100);
			flow_pkts(&fx->cp, dnat, p, &fx->want);
			skb = pkt_skb(p);
			KUNIT_ASSERT_NOT_NULL(test, skb);
			if (dnat)
				KUNIT_EXPECT_EQ(test, ldir_conn_dnat(skb, 20, &fx->cp), 0);
			else
				KUNIT_EXPECT_EQ(test, ldir_conn_snat(skb, 20, &fx->cp), 0);
			saddr = dnat ? fx->cp.caddr.ip : fx->cp.vaddr.ip;
			daddr = dnat ? fx->cp.raddr.ip : fx->cp.caddr.ip;
			pseudo = ~csum_tcpudp_magic(saddr, daddr, l4len,
						    protos[i], 0);
			KUNIT_EXPECT_EQ(test, ntohl(ip_hdr(skb)->saddr),
					ntohl(saddr));
			KUNIT_EXPECT_EQ(test, ntohl(ip_hdr(skb)->daddr),
					ntohl(daddr));
			KUNIT_EXPECT_EQ(test, l4_check_of(skb->data, protos[i]),
					(__force u16)pseudo);
			KUNIT_EXPECT_EQ(test, (int)skb->ip_summed,
					CHECKSUM_PARTIAL);
			kfree_skb(skb);

			KUNIT_EXPECT_TRUE(test, nat_check(test, p, &fx->want,
							  &fx->cp, dnat,
							  fx->wbuf));
		}
	}
}

/* A UDP checksum of 0 means "none": it stays 0, whatever the addresses. */
static void nat_udp_no_csum(struct kunit *test)
{
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p;
	int dnat;

	for (dnat = 0; dnat < 2; dnat++) {
		struct sk_buff *skb;

		fixed_conn(&fx->cp, IPPROTO_UDP);
		memset(p, 0, sizeof(*p));
		p->no_csum = true;
		fixed_payload(p, 33);
		flow_pkts(&fx->cp, dnat, p, &fx->want);
		skb = pkt_skb(p);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		if (dnat)
			KUNIT_EXPECT_EQ(test, ldir_conn_dnat(skb, 20, &fx->cp), 0);
		else
			KUNIT_EXPECT_EQ(test, ldir_conn_snat(skb, 20, &fx->cp), 0);
		KUNIT_EXPECT_EQ(test, (__force u16)udp_hdr(skb)->check, 0);
		KUNIT_EXPECT_EQ(test, ntohs(udp_hdr(skb)->source),
				ntohs(fx->want.sport));
		KUNIT_EXPECT_EQ(test, ntohs(udp_hdr(skb)->dest),
				ntohs(fx->want.dport));
		KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(skb->data, 5), 0);
		kfree_skb(skb);

		KUNIT_EXPECT_TRUE(test, nat_check(test, p, &fx->want, &fx->cp,
						  dnat, fx->wbuf));
	}
}

/* A UDP checksum that comes out 0 after the update is sent as 0xffff: 0
 * would say "no checksum". The payload is chosen so that the translated
 * datagram sums to exactly zero.
 */
static void nat_udp_mangled_0(struct kunit *test)
{
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p, *want = &fx->want;
	int dnat;

	for (dnat = 0; dnat < 2; dnat++) {
		unsigned int l4len = sizeof(struct udphdr) + 32;
		struct sk_buff *skb;
		__sum16 sum;

		fixed_conn(&fx->cp, IPPROTO_UDP);
		memset(p, 0, sizeof(*p));
		fixed_payload(p, 32);
		p->payload[0] = 0;
		p->payload[1] = 0;
		flow_pkts(&fx->cp, dnat, p, want);

		/* the translated datagram's sum with a zero first word; that
		 * word set to the result cancels it out
		 */
		want->no_csum = true;
		pkt_write(want, fx->wbuf);
		want->no_csum = false;
		sum = csum_tcpudp_magic(want->saddr, want->daddr, l4len,
					IPPROTO_UDP,
					csum_partial(fx->wbuf + 20, l4len, 0));
		memcpy(want->payload, &sum, sizeof(sum));
		memcpy(p->payload, &sum, sizeof(sum));
		pkt_write(want, fx->wbuf);
		KUNIT_ASSERT_EQ(test, l4_check_of(fx->wbuf, IPPROTO_UDP),
				(__force u16)CSUM_MANGLED_0);
		/* the original's checksum is an ordinary one */
		pkt_write(p, fx->wbuf);
		KUNIT_ASSERT_NE(test, l4_check_of(fx->wbuf, IPPROTO_UDP),
				(__force u16)CSUM_MANGLED_0);
		KUNIT_ASSERT_NE(test, l4_check_of(fx->wbuf, IPPROTO_UDP), 0);

		skb = pkt_skb(p);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		if (dnat)
			KUNIT_EXPECT_EQ(test, ldir_conn_dnat(skb, 20, &fx->cp), 0);
		else
			KUNIT_EXPECT_EQ(test, ldir_conn_snat(skb, 20, &fx->cp), 0);
		KUNIT_EXPECT_EQ(test, l4_check_of(skb->data, IPPROTO_UDP),
				(__force u16)CSUM_MANGLED_0);
		kfree_skb(skb);

		KUNIT_EXPECT_TRUE(test, nat_check(test, p, want, &fx->cp, dnat,
						  fx->wbuf));
	}
}

/* A clone shares its data: the rewrite goes to a private copy, and the
 * clone's owner (a tap, say) still sees the packet untouched.
 */
static void nat_cloned(struct kunit *test)
{
	struct nat_fx *fx = nat_fx(test);
	struct nat_pkt *p = &fx->p;
	struct sk_buff *skb, *clone;
	unsigned int len;

	fixed_conn(&fx->cp, IPPROTO_TCP);
	memset(p, 0, sizeof(*p));
	fixed_payload(p, 50);
	flow_pkts(&fx->cp, true, p, &fx->want);
	len = pkt_len(p);
	skb = pkt_skb(p);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	clone = skb_clone(skb, GFP_KERNEL);
	if (!clone)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, clone);

	KUNIT_EXPECT_EQ(test, ldir_conn_dnat(clone, 20, &fx->cp), 0);
	pkt_write(&fx->want, fx->wbuf);
	KUNIT_EXPECT_EQ(test, clone->len, len);
	KUNIT_EXPECT_MEMEQ(test, clone->data, fx->wbuf, len);
	pkt_write(p, fx->wbuf);
	KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, len);
	kfree_skb(clone);
	kfree_skb(skb);
}

/* ICMP errors need the conn in a table: the suite works in init_net's,
 * with a TCP virtual 192.0.2.1:80 and a UDP virtual 192.0.2.1:53, both to
 * the real 198.51.100.11 (ports 8080 and 5353), and one conn on each from
 * 203.0.113.7 (ports 40000 and 40001).
 */
struct icmp_fx {
	struct ldir_net *ln;
	struct ldir_virtual *v[2];
	struct ldir_real *r;
	struct ldir_conn *cp[2];	/* TCP, UDP */
	u8 wbuf[NAT_BUF_MAX];
};

/* An ICMP error (IPv4) quoting @quote bytes of the packet @in. */
struct icmp_pkt {
	__be32 saddr, daddr;
	u8 type, code;
	__be32 rest;			/* the header's second word */
	unsigned int quote;
	struct nat_pkt in;
	__be16 frag_off;		/* of the outer header */
	bool bad_csum;			/* the ICMP checksum is off by one */
};

static unsigned int icmp_len(const struct icmp_pkt *p)
{
	return sizeof(struct iphdr) + sizeof(struct icmphdr) + p->quote;
}

static void icmp_write(const struct icmp_pkt *p, void *buf)
{
	unsigned int ilen = sizeof(struct icmphdr) + p->quote;
	struct iphdr *iph = buf;
	struct icmphdr *ih = (struct icmphdr *)(iph + 1);

	/* all of the offending packet, of which the message has the head */
	pkt_write(&p->in, ih + 1);
	memset(iph, 0, sizeof(*iph) + sizeof(*ih));
	ih->type = p->type;
	ih->code = p->code;
	ih->un.gateway = p->rest;
	ih->checksum = csum_fold(csum_partial(ih, ilen, 0));
	if (p->bad_csum)
		ih->checksum = (__force __sum16)((__force u16)ih->checksum ^ 1);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(sizeof(*iph) + ilen);
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->frag_off = p->frag_off;
	iph->saddr = p->saddr;
	iph->daddr = p->daddr;
	iph->check = ip_fast_csum(iph, iph->ihl);
}

/* Runs @p through ldir_icmp_xlate() as the hook on @in (PRE_ROUTING) or
 * out, and returns what it returned. The packet it leaves is *@skbp, for
 * the caller to check and free; fx->wbuf still holds @p as written.
 */
static int icmp_run(struct kunit *test, const struct icmp_pkt *p, bool in,
		    struct sk_buff **skbp)
{
	struct icmp_fx *fx = test->priv;
	unsigned int len = icmp_len(p);
	struct sk_buff *skb;
	int ret;

	skb = alloc_skb(MAX_HEADER + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);
	icmp_write(p, fx->wbuf);
	skb_put_data(skb, fx->wbuf, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, sizeof(struct iphdr));
	skb->protocol = htons(ETH_P_IP);

	local_bh_disable();
	rcu_read_lock();
	ret = ldir_icmp_xlate(fx->ln, skb, in);
	rcu_read_unlock();
	local_bh_enable();
	*skbp = skb;
	return ret;
}

/* The translation of @p must be @want (NULL: @p unchanged). */
static void icmp_check(struct kunit *test, const struct icmp_pkt *p,
		       const struct icmp_pkt *want, bool in)
{
	struct icmp_fx *fx = test->priv;
	unsigned int len = icmp_len(p);
	struct sk_buff *skb;

	KUNIT_EXPECT_EQ(test, icmp_run(test, p, in, &skb), want ? 1 : 0);
	icmp_write(want ?: p, fx->wbuf);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, len);
	/* and the message is valid as a whole */
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(skb->data, 5), 0);
	KUNIT_EXPECT_EQ(test, (__force u16)csum_fold(skb_checksum(skb, 20,
								  len - 20, 0)),
			0);
	kfree_skb(skb);
}

/* ldir_icmp_xlate() must return @ret for @p and leave the packet as it was. */
static void icmp_check_untouched(struct kunit *test, const struct icmp_pkt *p,
				 bool in, int ret)
{
	struct icmp_fx *fx = test->priv;
	struct sk_buff *skb;

	KUNIT_EXPECT_EQ(test, icmp_run(test, p, in, &skb), ret);
	KUNIT_EXPECT_MEMEQ(test, skb->data, fx->wbuf, icmp_len(p));
	kfree_skb(skb);
}

static int icmp_init(struct kunit *test)
{
	const struct ldir_sched_ops *rr = ldir_sched_find("rr");
	union nf_inet_addr vip = { .ip = IP4(192, 0, 2, 1) };
	union nf_inet_addr rip = { .ip = IP4(198, 51, 100, 11) };
	static const struct { u8 proto; u16 vport, rport, cport; } flows[] = {
		{ IPPROTO_TCP, 80, 8080, 40000 },
		{ IPPROTO_UDP, 53, 5353, 40001 },
	};
	struct ldir_link *l[2] = {};
	struct icmp_fx *fx;
	struct ldir_net *ln;
	int i, ret = 0;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx || !rr)
		return -ENOMEM;
	test->priv = fx;
	ln = ldir_net_create(&init_net);
	if (!ln)
		return -ENOMEM;
	fx->ln = ln;

	mutex_lock(&ln->lock);
	fx->r = ldir_real_create(ln, AF_INET, &rip, 0);
	if (IS_ERR(fx->r)) {
		ret = PTR_ERR(fx->r);
		fx->r = NULL;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		fx->v[i] = ldir_virtual_create(ln, AF_INET, &vip,
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
			.saddr.ip = IP4(203, 0, 113, 7), .daddr = vip,
			.sport = htons(flows[i].cport),
			.dport = htons(flows[i].vport),
			.protocol = flows[i].proto, .family = AF_INET,
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

static void icmp_exit(struct kunit *test)
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

/* The quoted packet of an error about a reply we sent: VIP -> client. */
static void icmp_about_reply(struct icmp_pkt *p, const struct ldir_conn *cp,
			     unsigned int plen)
{
	memset(p, 0, sizeof(*p));
	p->in.proto = cp->protocol;
	p->in.saddr = cp->vaddr.ip;
	p->in.sport = cp->vport;
	p->in.daddr = cp->caddr.ip;
	p->in.dport = cp->cport;
	p->in.id = htons(0x1234);
	p->in.seq = htonl(1000);
	p->in.ack_seq = htonl(2000);
	p->in.tcp_flags = TCPHDR_PSH | TCPHDR_ACK;
	fixed_payload(&p->in, plen);
	p->quote = pkt_len(&p->in);
	p->saddr = IP4(192, 0, 2, 254);	/* a router on the client's side */
	p->daddr = cp->vaddr.ip;
	p->type = ICMP_DEST_UNREACH;
	p->code = ICMP_FRAG_NEEDED;
	p->rest = htonl(1400);
}

/* The quoted packet of an error about a forwarded one: client -> real. */
static void icmp_about_fwd(struct icmp_pkt *p, const struct ldir_conn *cp,
			   unsigned int plen)
{
	memset(p, 0, sizeof(*p));
	p->in.proto = cp->protocol;
	p->in.saddr = cp->caddr.ip;
	p->in.sport = cp->cport;
	p->in.daddr = cp->raddr.ip;
	p->in.dport = cp->rport;
	p->in.id = htons(0x4321);
	p->in.seq = htonl(3000);
	p->in.tcp_flags = TCPHDR_SYN;
	fixed_payload(&p->in, plen);
	p->quote = pkt_len(&p->in);
	p->saddr = cp->raddr.ip;	/* the real itself */
	p->daddr = cp->caddr.ip;
	p->type = ICMP_DEST_UNREACH;
	p->code = ICMP_PORT_UNREACH;
}

/* Inbound: the quoted VIP:vport -> client becomes real:rport -> client
 * (with its IP and L4 checksums), the outer destination the real.
 */
static void icmp_in(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	struct icmp_pkt *p, *want;
	int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		const struct ldir_conn *cp = fx->cp[i];

		icmp_about_reply(p, cp, 24);
		*want = *p;
		want->daddr = cp->raddr.ip;
		want->in.saddr = cp->raddr.ip;
		want->in.sport = cp->rport;
		icmp_check(test, p, want, true);

		/* a UDP datagram without checksum keeps none */
		if (cp->protocol == IPPROTO_UDP) {
			p->in.no_csum = true;
			want->in.no_csum = true;
			icmp_check(test, p, want, true);
		}
	}
}

/* Outbound: the quoted client -> real:rport becomes client -> VIP:vport,
 * and the outer source the VIP if it was the real; a router's stays.
 */
static void icmp_out(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	struct icmp_pkt *p, *want;
	int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		const struct ldir_conn *cp = fx->cp[i];

		icmp_about_fwd(p, cp, 17);
		*want = *p;
		want->saddr = cp->vaddr.ip;
		want->in.daddr = cp->vaddr.ip;
		want->in.dport = cp->vport;
		icmp_check(test, p, want, false);

		p->saddr = IP4(198, 51, 100, 1);
		p->type = ICMP_TIME_EXCEEDED;
		p->code = ICMP_EXC_TTL;
		want->saddr = p->saddr;
		want->type = p->type;
		want->code = p->code;
		icmp_check(test, p, want, false);
	}
}

/* Quotes are usually cut short: with only the ports of the TCP header
 * quoted, its checksum is not there to update, the rest is.
 */
static void icmp_truncated(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	const struct ldir_conn *cp = fx->cp[0];
	struct icmp_pkt *p, *want;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	want = kunit_kzalloc(test, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, want);

	icmp_about_reply(p, cp, 100);
	p->quote = sizeof(struct iphdr) + 8;
	*want = *p;
	want->daddr = cp->raddr.ip;
	want->in.saddr = cp->raddr.ip;
	want->in.sport = cp->rport;
	icmp_check(test, p, want, true);

	icmp_about_fwd(p, cp, 100);
	p->quote = sizeof(struct iphdr) + 8;
	*want = *p;
	want->saddr = cp->vaddr.ip;
	want->in.daddr = cp->vaddr.ip;
	want->in.dport = cp->vport;
	icmp_check(test, p, want, false);
}

/* Not ours: other flows, the wrong way, and ICMP that is no error. */
static void icmp_not_ours(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	const struct ldir_conn *cp = fx->cp[0];
	struct icmp_pkt *p;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);

	icmp_about_reply(p, cp, 8);
	p->in.dport = htons(40002);
	icmp_check(test, p, NULL, true);

	/* an error about client -> real seen inbound: not a flow we know */
	icmp_about_fwd(p, cp, 8);
	icmp_check(test, p, NULL, true);
	icmp_about_reply(p, cp, 8);
	icmp_check(test, p, NULL, false);

	icmp_about_reply(p, cp, 8);
	p->type = ICMP_ECHO;
	p->code = 0;
	icmp_check(test, p, NULL, true);
}

/* An error about a live conn with a wrong checksum is refused, both ways,
 * not passed on with a good one made up for it.
 */
static void icmp_bad_csum(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	struct icmp_pkt *p;
	int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		icmp_about_reply(p, fx->cp[i], 24);
		p->bad_csum = true;
		icmp_check_untouched(test, p, true, -EBADMSG);
		icmp_about_fwd(p, fx->cp[i], 17);
		p->bad_csum = true;
		icmp_check_untouched(test, p, false, -EBADMSG);
	}
}

/* A fragment is no whole message: left alone, first or not. */
static void icmp_fragment(struct kunit *test)
{
	struct icmp_fx *fx = test->priv;
	struct icmp_pkt *p;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	icmp_about_reply(p, fx->cp[0], 24);
	p->frag_off = htons(IP_MF);
	icmp_check_untouched(test, p, true, 0);
	p->frag_off = htons(8);
	icmp_check_untouched(test, p, true, 0);
	icmp_about_fwd(p, fx->cp[1], 17);
	p->frag_off = htons(IP_MF | 16);
	icmp_check_untouched(test, p, false, 0);
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
	.exit = icmp_exit,
	.test_cases = ldir_nat_icmp_cases,
};

kunit_test_suites(&ldir_nat_suite, &ldir_nat_icmp_suite);
