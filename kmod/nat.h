/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address translation: rewrite the destination (DNAT) on the way in and the
 * source (SNAT) on the way out, with incremental checksum updates (seed 000
 * claim 13), and the translation of ICMP errors about a NATed flow.
 */
#ifndef _LDIR_NAT_H
#define _LDIR_NAT_H

#include <linux/skbuff.h>

#include "conn.h"

int ldir_nat_dnat(struct sk_buff *skb, unsigned int thoff,
		  const struct ldir_conn *cp);
int ldir_nat_snat(struct sk_buff *skb, unsigned int thoff,
		  const struct ldir_conn *cp);
int ldir_nat_icmp(struct ldir_net *ln, struct sk_buff *skb, bool in);

void ldir_nat_l4_replace(struct sk_buff *skb, u8 protocol, void *l4h,
			 __be32 oaddr, __be32 naddr, __be16 *port,
			 __be16 nport);

#endif /* _LDIR_NAT_H */
