/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet rewriting: an address and port of a TCP or UDP packet, or of the
 * packet an ICMP error quotes, with the checksums updated to match. No
 * state: the callers say what becomes what.
 */
#ifndef _LDIR_XLATE_H
#define _LDIR_XLATE_H

#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>

#include "ldir.h"

/* The checksum of the L4 header at @l4h that a rewrite must update, or
 * NULL: a zero UDP checksum means "none" (IPv4; an IPv6 receiver drops
 * the datagram, rewritten or not), but under CHECKSUM_PARTIAL, where the
 * field holds the pseudo-header sum.
 */
static inline __sum16 *ldir_xlate_l4_check(struct sk_buff *skb, u8 protocol,
					   void *l4h)
{
	__sum16 *check;

	if (protocol == IPPROTO_TCP)
		return &((struct tcphdr *)l4h)->check;
	check = &((struct udphdr *)l4h)->check;
	if (!*check && skb->ip_summed != CHECKSUM_PARTIAL)
		return NULL;
	return check;
}

/* Rewrites one address and port of the L4 header at @l4h and adjusts its
 * checksum, whatever the skb's checksum state: CHECKSUM_PARTIAL keeps the
 * pseudo-header sum in the field.
 */
static __always_inline void ldir_xlate_l4_replace(struct sk_buff *skb,
						  u8 protocol, void *l4h,
						  __be32 oaddr, __be32 naddr,
						  __be16 *port, __be16 nport)
{
	__sum16 *check = ldir_xlate_l4_check(skb, protocol, l4h);

	if (check) {
		inet_proto_csum_replace4(check, skb, oaddr, naddr, true);
		inet_proto_csum_replace2(check, skb, *port, nport, false);
		if (protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	*port = nport;
}

/* ldir_xlate() for IPv4. Inline, as every packet of a flow takes it:
 * headers already in the skb's own head are written in place, without
 * a call.
 */
static __always_inline int ldir_xlate4(struct sk_buff *skb, unsigned int thoff,
				       u8 protocol, bool src, __be32 naddr,
				       __be16 nport)
{
	unsigned int len = thoff + (protocol == IPPROTO_TCP ?
				    sizeof(struct tcphdr) :
				    sizeof(struct udphdr));
	struct udphdr *uh;
	struct iphdr *iph;
	__be32 *addr;

	if (unlikely(len > skb_headlen(skb) || skb_cloned(skb)) &&
	    skb_ensure_writable(skb, len))
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

int ldir_xlate6(struct sk_buff *skb, unsigned int thoff, u8 protocol, bool src,
		const struct in6_addr *naddr, __be16 nport);

/* Rewrites the source (@src) or the destination address and port of the
 * TCP or UDP packet of @family whose L4 header is at @thoff. Returns
 * -ENOMEM if the headers cannot be made writable. Inline: the packet
 * path's caller passes a family and an address the compiler sees whole,
 * and one call is made.
 */
static __always_inline int ldir_xlate(struct sk_buff *skb, unsigned int thoff,
				      u8 family, u8 protocol, bool src,
				      const union nf_inet_addr *naddr,
				      __be16 nport)
{
	if (family == AF_INET)
		return ldir_xlate4(skb, thoff, protocol, src, naddr->ip, nport);
	return ldir_xlate6(skb, thoff, protocol, src, &naddr->in6, nport);
}

void ldir_xlate_l4_replace6(struct sk_buff *skb, u8 protocol, void *l4h,
			    const struct in6_addr *oaddr,
			    const struct in6_addr *naddr, __be16 *port,
			    __be16 nport);

/* Where an ICMP error's quoted packet is, and the flow it belongs to. */
struct ldir_icmp_quote {
	struct ldir_tuple t;	/* the quoted packet's flow, turned round */
	unsigned int ihl;	/* offset of the ICMP/ICMPv6 header */
	unsigned int ioff;	/* of the quoted IP header */
	unsigned int l4off;	/* of the quoted TCP/UDP header */
};

bool ldir_xlate_icmp_parse(struct sk_buff *skb, struct ldir_icmp_quote *q);
bool ldir_xlate_icmp6_parse(struct sk_buff *skb, unsigned int ihl,
			    struct ldir_icmp_quote *q);
int ldir_xlate_icmp(struct sk_buff *skb, const struct ldir_icmp_quote *q,
		    bool in, const union nf_inet_addr *naddr, __be16 nport);

#endif /* _LDIR_XLATE_H */
