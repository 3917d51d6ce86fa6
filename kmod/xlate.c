// SPDX-License-Identifier: GPL-2.0
/*
 * Packet rewriting: the address and port of TCP/UDP packets over IPv4
 * and IPv6 with incremental checksum updates, and of the packets ICMP and
 * ICMPv6 errors quote.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>

#include "xlate.h"

/* @sum plus the difference @from -> @to of @n 32-bit words (~from + to,
 * as csum_partial() of the two would add them), without the call and the
 * buffer: the words are added in 64 bits and the carries folded back in
 * at the end. Zero only when @sum and every word are.
 */
static __always_inline __wsum xlate_csum_diff(__wsum sum, const __be32 *from,
					      const __be32 *to, unsigned int n)
{
	u64 s = (__force u32)sum;
	unsigned int i;

	for (i = 0; i < n; i++)
		s += (u32)~(__force u32)from[i] + (u64)(__force u32)to[i];
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (__force __wsum)(u32)s;
}

/* ldir_xlate_l4_replace() for IPv6 addresses, in one sum: the address's
 * and the port's differences together, as inet_proto_csum_replace16() and
 * inet_proto_csum_replace2() would leave the field one after the other
 * (only the address's where CHECKSUM_PARTIAL keeps the pseudo-header sum
 * there). A CHECKSUM_COMPLETE skb's sum stays: the address and the field
 * move it by opposite amounts.
 */
void ldir_xlate_l4_replace6(struct sk_buff *skb, u8 protocol, void *l4h,
			    const struct in6_addr *oaddr,
			    const struct in6_addr *naddr, __be16 *port,
			    __be16 nport)
{
	__sum16 *check = ldir_xlate_l4_check(skb, protocol, l4h);
	const __be32 oport = (__force __be32)*port;
	const __be32 nport32 = (__force __be32)nport;
	__wsum sum;

	if (!check)
		goto out;
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		sum = xlate_csum_diff(csum_unfold(*check), oaddr->s6_addr32,
				      naddr->s6_addr32, 4);
		*check = ~csum_fold(sum);
	} else {
		sum = xlate_csum_diff(~csum_unfold(*check), oaddr->s6_addr32,
				      naddr->s6_addr32, 4);
		*check = csum_fold(xlate_csum_diff(sum, &oport, &nport32, 1));
	}
	if (protocol == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
out:
	*port = nport;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate_l4_replace6);

/* ldir_xlate() for IPv6: no header checksum, the pseudo-header's is in
 * the L4 one.
 */
int ldir_xlate6(struct sk_buff *skb, unsigned int thoff, u8 protocol, bool src,
		const struct in6_addr *naddr, __be16 nport)
{
	unsigned int len = protocol == IPPROTO_TCP ? sizeof(struct tcphdr) :
						     sizeof(struct udphdr);
	struct ipv6hdr *ip6h;
	struct in6_addr *addr;
	struct udphdr *uh;

	if (skb_ensure_writable(skb, thoff + len))
		return -ENOMEM;
	ip6h = ipv6_hdr(skb);
	uh = (struct udphdr *)(skb->data + thoff);
	addr = src ? &ip6h->saddr : &ip6h->daddr;
	ldir_xlate_l4_replace6(skb, protocol, uh, addr, naddr,
			       src ? &uh->source : &uh->dest, nport);
	*addr = *naddr;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate6);

static bool icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_SOURCE_QUENCH || type == ICMP_PARAMETERPROB;
}

/* Rewrites an address and port of the packet embedded in an ICMP error,
 * with its IP checksum and, when the L4 checksum is inside the quoted
 * bytes, that one too (incrementally: the quote is usually truncated).
 */
static void icmp_inner_replace(struct iphdr *ip, void *l4h, unsigned int l4len,
			       bool src, __be32 naddr, __be16 nport)
{
	__be32 *addr = src ? &ip->saddr : &ip->daddr;
	__be16 *port = src ? &((struct udphdr *)l4h)->source :
			     &((struct udphdr *)l4h)->dest;
	__sum16 *check = NULL;

	if (ip->protocol == IPPROTO_TCP &&
	    l4len >= offsetofend(struct tcphdr, check))
		check = &((struct tcphdr *)l4h)->check;
	else if (ip->protocol == IPPROTO_UDP && ((struct udphdr *)l4h)->check)
		check = &((struct udphdr *)l4h)->check;
	if (check) {
		csum_replace4(check, *addr, naddr);
		csum_replace2(check, *port, nport);
		if (ip->protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	csum_replace4(&ip->check, *addr, naddr);
	*addr = naddr;
	*port = nport;
}

/* Is the checksum of the ICMP message at @ihl right? It covers the whole
 * message, so it is summed whole: only errors about a live conn get here.
 */
static bool icmp_csum_ok(struct sk_buff *skb, unsigned int ihl)
{
	if (skb_csum_unnecessary(skb))
		return true;
	return !csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0));
}

/* Finds the TCP/UDP packet an ICMP error quotes, and its flow turned
 * round (the quoted packet went the other way). Fragments are left alone:
 * reassembly runs before the hooks, and what it left is no whole message.
 * Returns false for anything else.
 */
bool ldir_xlate_icmp_parse(struct sk_buff *skb, struct ldir_icmp_quote *q)
{
	unsigned int ihl = ip_hdrlen(skb);
	struct iphdr *iph = ip_hdr(skb), *inner;
	struct icmphdr *icmph;
	struct udphdr *uh;

	if (ip_is_fragment(iph) || !pskb_may_pull(skb, ihl + sizeof(*icmph)))
		return false;
	icmph = (struct icmphdr *)(skb->data + ihl);
	if (!icmp_is_error(icmph->type))
		return false;
	q->ihl = ihl;
	q->ioff = ihl + sizeof(*icmph);
	if (!pskb_may_pull(skb, q->ioff + sizeof(*inner)))
		return false;
	inner = (struct iphdr *)(skb->data + q->ioff);
	if (inner->ihl < 5 || inner->version != 4 ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP) ||
	    (ntohs(inner->frag_off) & IP_OFFSET))
		return false;
	q->l4off = q->ioff + inner->ihl * 4;
	/* the ports: the first 8 bytes of the quoted L4 header */
	if (!pskb_may_pull(skb, q->l4off + 8))
		return false;
	inner = (struct iphdr *)(skb->data + q->ioff);
	uh = (struct udphdr *)(skb->data + q->l4off);
	memset(&q->t, 0, sizeof(q->t));
	q->t.family = AF_INET;
	q->t.protocol = inner->protocol;
	q->t.saddr.ip = inner->daddr;
	q->t.daddr.ip = inner->saddr;
	q->t.sport = uh->dest;
	q->t.dport = uh->source;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate_icmp_parse);

/* ldir_xlate_icmp_parse() for an ICMPv6 message at @ihl, past the
 * extension headers. The quoted packet's own extension headers are
 * walked the way the kernel walks them; a quoted non-first fragment has
 * no ports and is left alone.
 */
bool ldir_xlate_icmp6_parse(struct sk_buff *skb, unsigned int ihl,
			    struct ldir_icmp_quote *q)
{
	const struct ipv6hdr *inner;
	struct icmp6hdr *icmp6h;
	__be16 frag_off;
	struct udphdr *uh;
	u8 nexthdr;
	int l4off;

	if (!pskb_may_pull(skb, ihl + sizeof(*icmp6h)))
		return false;
	icmp6h = (struct icmp6hdr *)(skb->data + ihl);
	if (icmp6h->icmp6_type & ICMPV6_INFOMSG_MASK)
		return false;
	q->ihl = ihl;
	q->ioff = ihl + sizeof(*icmp6h);
	if (!pskb_may_pull(skb, q->ioff + sizeof(*inner)))
		return false;
	inner = (const struct ipv6hdr *)(skb->data + q->ioff);
	if (inner->version != 6)
		return false;
	nexthdr = inner->nexthdr;
	l4off = ipv6_skip_exthdr(skb, q->ioff + sizeof(*inner), &nexthdr,
				 &frag_off);
	if (l4off < 0 || (frag_off & htons(IP6_OFFSET)) ||
	    (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP))
		return false;
	q->l4off = l4off;
	if (!pskb_may_pull(skb, q->l4off + 8))
		return false;
	inner = (const struct ipv6hdr *)(skb->data + q->ioff);
	uh = (struct udphdr *)(skb->data + q->l4off);
	memset(&q->t, 0, sizeof(q->t));
	q->t.family = AF_INET6;
	q->t.protocol = nexthdr;
	q->t.saddr.in6 = inner->daddr;
	q->t.daddr.in6 = inner->saddr;
	q->t.sport = uh->dest;
	q->t.dport = uh->source;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate_icmp6_parse);

/* ldir_xlate_icmp() for IPv4: the IP checksums change too. */
static int xlate_icmp4(struct sk_buff *skb, const struct ldir_icmp_quote *q,
		       bool in, const union nf_inet_addr *naddr, __be16 nport)
{
	struct iphdr *iph, *inner;
	struct icmphdr *icmph;
	__be32 *outer, old;
	void *l4h;

	if (!icmp_csum_ok(skb, q->ihl))
		return -EBADMSG;
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	inner = (struct iphdr *)(skb->data + q->ioff);
	l4h = skb->data + q->l4off;
	old = in ? inner->saddr : inner->daddr;
	icmp_inner_replace(inner, l4h, skb->len - q->l4off, in, naddr->ip,
			   nport);
	outer = in ? &iph->daddr : &iph->saddr;
	if (*outer == old) {
		csum_replace4(&iph->check, old, naddr->ip);
		*outer = naddr->ip;
	}
	/* the ICMP checksum covers the whole (short) message: recompute it */
	icmph = (struct icmphdr *)(skb->data + q->ihl);
	icmph->checksum = 0;
	icmph->checksum = csum_fold(skb_checksum(skb, q->ihl,
						 skb->len - q->ihl, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* The ICMPv6 message at @ihl summed with its pseudo-header: 0 if right. */
static __sum16 icmp6_csum(struct sk_buff *skb, unsigned int ihl)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int len = skb->len - ihl;

	return csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len, IPPROTO_ICMPV6,
			       skb_checksum(skb, ihl, len, 0));
}

/* An address and port of the packet an ICMPv6 error quotes, and its L4
 * checksum when the quote holds it; IPv6 headers have no checksum.
 */
static void icmp6_inner_replace(struct ipv6hdr *ip6, u8 protocol, void *l4h,
				unsigned int l4len, bool src,
				const struct in6_addr *naddr, __be16 nport)
{
	struct in6_addr *addr = src ? &ip6->saddr : &ip6->daddr;
	__be16 *port = src ? &((struct udphdr *)l4h)->source :
			     &((struct udphdr *)l4h)->dest;
	__sum16 *check = NULL;
	int i;

	if (protocol == IPPROTO_TCP &&
	    l4len >= offsetofend(struct tcphdr, check))
		check = &((struct tcphdr *)l4h)->check;
	else if (protocol == IPPROTO_UDP && ((struct udphdr *)l4h)->check)
		check = &((struct udphdr *)l4h)->check;
	if (check) {
		for (i = 0; i < 4; i++)
			csum_replace4(check, addr->s6_addr32[i],
				      naddr->s6_addr32[i]);
		csum_replace2(check, *port, nport);
		if (protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	*addr = *naddr;
	*port = nport;
}

static int xlate_icmp6(struct sk_buff *skb, const struct ldir_icmp_quote *q,
		       bool in, const struct in6_addr *naddr, __be16 nport)
{
	struct ipv6hdr *ip6h, *inner;
	struct icmp6hdr *icmp6h;
	struct in6_addr *outer, old;

	/* the checksum covers the pseudo-header: an error whose addresses
	 * were forged in flight must not leave with a good one
	 */
	if (!skb_csum_unnecessary(skb) && icmp6_csum(skb, q->ihl))
		return -EBADMSG;
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	ip6h = ipv6_hdr(skb);
	inner = (struct ipv6hdr *)(skb->data + q->ioff);
	old = in ? inner->saddr : inner->daddr;
	icmp6_inner_replace(inner, q->t.protocol, skb->data + q->l4off,
			    skb->len - q->l4off, in, naddr, nport);
	outer = in ? &ip6h->daddr : &ip6h->saddr;
	if (ipv6_addr_equal(outer, &old))
		*outer = *naddr;
	icmp6h = (struct icmp6hdr *)(skb->data + q->ihl);
	icmp6h->icmp6_cksum = 0;
	icmp6h->icmp6_cksum = icmp6_csum(skb, q->ihl);
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* Translates an ICMP or ICMPv6 error about a translated flow, @q from
 * ldir_xlate_icmp_parse() or ldir_xlate_icmp6_parse(). @in (PRE_ROUTING):
 * an error about a packet that left as VIP -> client: its quoted source
 * becomes @naddr:@nport, and so does the outer destination if it was the
 * quoted source. Else (POST_ROUTING), an error about client -> real going
 * to the client: the quoted destination becomes @naddr:@nport, and the
 * outer source too if it was the quoted destination. An error with a bad
 * checksum is not passed on with a good one. Returns 0, -EBADMSG or
 * -ENOMEM (drop).
 */
int ldir_xlate_icmp(struct sk_buff *skb, const struct ldir_icmp_quote *q,
		    bool in, const union nf_inet_addr *naddr, __be16 nport)
{
	if (q->t.family == AF_INET)
		return xlate_icmp4(skb, q, in, naddr, nport);
	return xlate_icmp6(skb, q, in, &naddr->in6, nport);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate_icmp);
