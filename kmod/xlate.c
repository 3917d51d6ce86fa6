// SPDX-License-Identifier: GPL-2.0
/*
 * Packet rewriting: the address and port of TCP/UDP packets with
 * incremental checksum updates, and of the packets ICMP errors quote.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "xlate.h"

/* Rewrites one address and port of the L4 header at @l4h and adjusts its
 * checksum, whatever the skb's checksum state: CHECKSUM_PARTIAL keeps the
 * pseudo-header sum in the field, and a zero UDP checksum means "none".
 */
void ldir_xlate_l4_replace(struct sk_buff *skb, u8 protocol, void *l4h,
			   __be32 oaddr, __be32 naddr, __be16 *port,
			   __be16 nport)
{
	__sum16 *check;

	if (protocol == IPPROTO_TCP) {
		check = &((struct tcphdr *)l4h)->check;
	} else {
		check = &((struct udphdr *)l4h)->check;
		if (!*check && skb->ip_summed != CHECKSUM_PARTIAL) {
			*port = nport;
			return;
		}
	}
	inet_proto_csum_replace4(check, skb, oaddr, naddr, true);
	inet_proto_csum_replace2(check, skb, *port, nport, false);
	*port = nport;
	if (protocol == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate_l4_replace);

/* ldir_xlate() for IPv4. */
int ldir_xlate4(struct sk_buff *skb, unsigned int thoff, u8 protocol, bool src,
		__be32 naddr, __be16 nport)
{
	unsigned int len = protocol == IPPROTO_TCP ? sizeof(struct tcphdr) :
						     sizeof(struct udphdr);
	struct udphdr *uh;
	struct iphdr *iph;
	__be32 *addr;

	if (skb_ensure_writable(skb, thoff + len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	/* TCP and UDP ports sit at the same offsets */
	uh = (struct udphdr *)(skb->data + thoff);
	addr = src ? &iph->saddr : &iph->daddr;
	ldir_xlate_l4_replace(skb, protocol, uh, *addr, naddr,
			      src ? &uh->source : &uh->dest, nport);
	csum_replace4(&iph->check, *addr, naddr);
	*addr = naddr;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate4);

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

/* Translates an ICMP error about a translated flow, @q from
 * ldir_xlate_icmp_parse(). @in (PRE_ROUTING): an error about a packet
 * that left as VIP -> client: its quoted source becomes @naddr:@nport,
 * and so does the outer destination if it was the quoted source. Else
 * (POST_ROUTING), an error about client -> real going to the client: the
 * quoted destination becomes @naddr:@nport, and the outer source too if
 * it was the quoted destination. An error with a bad checksum is not
 * passed on with a good one. Returns 0, -EBADMSG or -ENOMEM (drop).
 */
int ldir_xlate_icmp(struct sk_buff *skb, const struct ldir_icmp_quote *q,
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
EXPORT_SYMBOL_IF_KUNIT(ldir_xlate_icmp);
