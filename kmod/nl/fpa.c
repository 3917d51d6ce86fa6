// SPDX-License-Identifier: GPL-2.0
/*
 * FPAs over netlink: the dump of the live table and the flush, of every
 * virtual or of one.
 */
#include <linux/jiffies.h>

#include "nl.h"

/* Caller holds rcu_read_lock(): the FPA, its link and virtual stay. The
 * instance lock is not held: the keys written are fixed for an object's
 * life.
 */
static int fill(struct sk_buff *skb, const void *obj)
{
	const struct ldir_fpa *f = obj;
	const struct ldir_link *l = rcu_dereference(f->link);
	/* the FPA's virtual: its link is one of it */
	struct ldir_virtual *v = l->virt;
	long age = (long)(jiffies - READ_ONCE(f->stamp));
	struct nlattr *nest;

	nest = nla_nest_start(skb, LDIR_A_FPA);
	if (!nest ||
	    ldir_nl_put_virtual(skb, LDIR_FPA_A_VIRTUAL, NULL, v, LDIR_NL_KEY) ||
	    nla_put_u16(skb, LDIR_FPA_A_FAMILY, v->family) ||
	    ldir_nl_put_addr(skb, LDIR_FPA_A_CLIENT_ADDR, &f->caddr) ||
	    nla_put_u8(skb, LDIR_FPA_A_PREFIX_LEN, READ_ONCE(v->fpa_mask)) ||
	    ldir_nl_put_real(skb, LDIR_FPA_A_REAL, NULL, l->real, LDIR_NL_KEY) ||
	    nla_put_u32(skb, LDIR_FPA_A_AGE_MS,
			age > 0 ? jiffies_to_msecs(age) : 0))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const void *next(struct ldir_net *ln, unsigned int *bucket,
			unsigned int *idx)
{
	return ldir_fpa_dump_next(ln, bucket, idx);
}

/* FPAs come and go with the traffic, like conns. */
static const struct ldir_nl_table fpas = {
	.cmd	= LDIR_CMD_FPA_GET,
	.next	= next,
	.fill	= fill,
};

int ldir_nl_fpa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ldir_nl_table_dump(skb, cb, &fpas);
}

/* pre_doit() found the virtual, if the request names one */
int ldir_nl_fpa_flush(struct sk_buff *skb, struct genl_info *info)
{
	ldir_fpa_flush(ldir_nl_ln(info), info->user_ptr[0], NULL);
	return 0;
}
