/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks: PRE_ROUTING (DNAT) and POST_ROUTING (SNAT),
 * registered while a virtual exists.
 */
#ifndef _LDIR_HOOKS_H
#define _LDIR_HOOKS_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

#include "ldir.h"

int ldir_hooks_register(struct ldir_net *ln);
/* the fast path's ingress hook (fastpath.c registers it per device) */
unsigned int ldir_fastpath_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state);
void ldir_hooks_unregister(struct ldir_net *ln);
#if IS_ENABLED(CONFIG_KUNIT)
u8 ldir_fastpath_ipv6(struct sk_buff *skb);
#endif

/* the rewriting of one packet, for the tests */
int ldir_conn_dnat(struct sk_buff *skb, unsigned int thoff,
		   const struct ldir_conn *cp);
int ldir_conn_snat(struct sk_buff *skb, unsigned int thoff,
		   const struct ldir_conn *cp);
int ldir_icmp_xlate(struct ldir_net *ln, struct sk_buff *skb, bool in);
int ldir_icmp6_xlate(struct ldir_net *ln, struct sk_buff *skb,
		     unsigned int ihl, bool in);

#endif /* _LDIR_HOOKS_H */
