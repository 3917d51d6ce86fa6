/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet rewriting: an address and port of a TCP or UDP packet, or of the
 * packet an ICMP error quotes, with the checksums updated to match. No
 * state: the callers say what becomes what.
 */
#ifndef _LDIR_XLATE_H
#define _LDIR_XLATE_H

#include <linux/skbuff.h>

#include "ldir.h"

int ldir_xlate4(struct sk_buff *skb, unsigned int thoff, u8 protocol, bool src,
		__be32 naddr, __be16 nport);
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

void ldir_xlate_l4_replace(struct sk_buff *skb, u8 protocol, void *l4h,
			   __be32 oaddr, __be32 naddr, __be16 *port,
			   __be16 nport);
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
