/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stateless virtuals (seed 004 claims 1-10): no conn objects; each packet is
 * DNATed to the real its hash picks, and replies SNATed by the real's port.
 */
#ifndef _LDIR_STATELESS_H
#define _LDIR_STATELESS_H

#include <linux/skbuff.h>
#include <net/netlink.h>

#include "conn.h"

int ldir_stateless_link_check(struct ldir_net *ln, struct ldir_virtual *v,
			      struct ldir_real *r, __be16 port,
			      struct netlink_ext_ack *extack);
int ldir_stateless_link_add(struct ldir_net *ln, struct ldir_link *l);
void ldir_stateless_link_del(struct ldir_net *ln, struct ldir_link *l);

unsigned int ldir_stateless_in(struct ldir_net *ln, struct ldir_virtual *v,
			       struct sk_buff *skb, unsigned int thoff,
			       const struct ldir_tuple *t);
unsigned int ldir_stateless_out(struct ldir_net *ln, struct sk_buff *skb,
				unsigned int thoff,
				const struct ldir_tuple *t);

#endif /* _LDIR_STATELESS_H */
