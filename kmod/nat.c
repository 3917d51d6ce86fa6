// SPDX-License-Identifier: GPL-2.0
/*
 * Address translation (seed 000 claim 13, seed 001 Fig. 10/11): DNAT and
 * SNAT of TCP/UDP with incremental checksum updates, and ICMP errors.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "nat.h"

/* Rewrites one address and port of the L4 header at @l4h and adjusts its
 * checksum, whatever the skb's checksum state: CHECKSUM_PARTIAL keeps the
 * pseudo-header sum in the field, and a zero UDP checksum means "none".
 */
void ldir_nat_l4_replace(struct sk_buff *skb, u8 protocol, void *l4h,
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
EXPORT_SYMBOL_IF_KUNIT(ldir_nat_l4_replace);

static int l4_writable(struct sk_buff *skb, unsigned int thoff, u8 protocol)
{
	unsigned int len = protocol == IPPROTO_TCP ? sizeof(struct tcphdr) :
						     sizeof(struct udphdr);

	return skb_ensure_writable(skb, thoff + len);
}

/* client -> VIP:vport becomes client -> real:rport */
int ldir_nat_dnat(struct sk_buff *skb, unsigned int thoff,
		  const struct ldir_conn *cp)
{
	struct iphdr *iph;
	void *l4h;

	if (l4_writable(skb, thoff, cp->protocol))
		return -ENOMEM;
	iph = ip_hdr(skb);
	l4h = skb->data + thoff;
	ldir_nat_l4_replace(skb, cp->protocol, l4h, iph->daddr, cp->raddr.ip,
			    &((struct udphdr *)l4h)->dest, cp->rport);
	csum_replace4(&iph->check, iph->daddr, cp->raddr.ip);
	iph->daddr = cp->raddr.ip;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_nat_dnat);

/* real:rport -> client becomes VIP:vport -> client */
int ldir_nat_snat(struct sk_buff *skb, unsigned int thoff,
		  const struct ldir_conn *cp)
{
	struct iphdr *iph;
	void *l4h;

	if (l4_writable(skb, thoff, cp->protocol))
		return -ENOMEM;
	iph = ip_hdr(skb);
	l4h = skb->data + thoff;
	ldir_nat_l4_replace(skb, cp->protocol, l4h, iph->saddr, cp->vaddr.ip,
			    &((struct udphdr *)l4h)->source, cp->vport);
	csum_replace4(&iph->check, iph->saddr, cp->vaddr.ip);
	iph->saddr = cp->vaddr.ip;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_nat_snat);

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

/* ICMP errors about a NATed flow, both ways. @in: PRE_ROUTING, an error
 * about a reply we sent as VIP -> client, addressed to the VIP; else
 * POST_ROUTING, an error about client -> real sent towards the client.
 * Fragments are left alone: reassembly runs before the hooks, and what
 * it left is no whole message. An error with a bad checksum is dropped,
 * not passed on with a good one. Returns 1 if translated, 0 if not ours,
 * -ENOMEM or -EBADMSG to drop.
 */
int ldir_nat_icmp(struct ldir_net *ln, struct sk_buff *skb, bool in)
{
	unsigned int ihl = ip_hdrlen(skb), ioff, l4off, l4len;
	struct iphdr *iph = ip_hdr(skb), *inner;
	struct ldir_conn *cp;
	struct ldir_tuple t = { .family = AF_INET };
	struct icmphdr *icmph;
	void *l4h;

	if (ip_is_fragment(iph) || !pskb_may_pull(skb, ihl + sizeof(*icmph)))
		return 0;
	icmph = (struct icmphdr *)(skb->data + ihl);
	if (!icmp_is_error(icmph->type))
		return 0;
	ioff = ihl + sizeof(*icmph);
	if (!pskb_may_pull(skb, ioff + sizeof(*inner)))
		return 0;
	inner = (struct iphdr *)(skb->data + ioff);
	if (inner->ihl < 5 || inner->version != 4 ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP) ||
	    (ntohs(inner->frag_off) & IP_OFFSET))
		return 0;
	l4off = ioff + inner->ihl * 4;
	/* the ports: the first 8 bytes of the quoted L4 header */
	if (!pskb_may_pull(skb, l4off + 8))
		return 0;
	inner = (struct iphdr *)(skb->data + ioff);
	l4h = skb->data + l4off;
	t.protocol = inner->protocol;
	/* the quoted packet went the other way: swap to get our tuple */
	t.saddr.ip = inner->daddr;
	t.daddr.ip = inner->saddr;
	t.sport = ((struct udphdr *)l4h)->dest;
	t.dport = ((struct udphdr *)l4h)->source;
	cp = ldir_conn_lookup_rcu(ln, &t, in ? LDIR_DIR_ORIG : LDIR_DIR_REPLY);
	if (!cp)
		return 0;
	if (!icmp_csum_ok(skb, ihl))
		return -EBADMSG;

	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	inner = (struct iphdr *)(skb->data + ioff);
	l4h = skb->data + l4off;
	l4len = skb->len - l4off;
	if (in) {
		/* quoted VIP:vport -> client: make it real:rport -> client */
		icmp_inner_replace(inner, l4h, l4len, true, cp->raddr.ip,
				   cp->rport);
		if (iph->daddr == cp->vaddr.ip) {
			csum_replace4(&iph->check, iph->daddr, cp->raddr.ip);
			iph->daddr = cp->raddr.ip;
		}
	} else {
		/* quoted client -> real:rport: make it client -> VIP:vport */
		icmp_inner_replace(inner, l4h, l4len, false, cp->vaddr.ip,
				   cp->vport);
		if (iph->saddr == cp->raddr.ip) {
			csum_replace4(&iph->check, iph->saddr, cp->vaddr.ip);
			iph->saddr = cp->vaddr.ip;
		}
	}
	/* the ICMP checksum covers the whole (short) message: recompute it */
	icmph = (struct icmphdr *)(skb->data + ihl);
	icmph->checksum = 0;
	icmph->checksum = csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 1;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_nat_icmp);
