// SPDX-License-Identifier: GPL-2.0
/*
 * Conns over netlink: the dump of the live table.
 */
#include <linux/jiffies.h>

#include "nl.h"

/* A conn's address (ldir_conn_caddr(), ...) as the ABI's 16 bytes. */
static int put_conn_addr(struct sk_buff *skb, int type,
			 const struct ldir_conn *cp,
			 void (*get)(union nf_inet_addr *a,
				     const struct ldir_conn *cp))
{
	union nf_inet_addr a;

	get(&a, cp);
	return ldir_nl_put_addr(skb, type, &a);
}

static int fill(struct sk_buff *skb, const void *obj)
{
	const struct ldir_conn *cp = obj;
	s32 left = (s32)(READ_ONCE(cp->expires) - (u32)jiffies);
	struct nlattr *nest = nla_nest_start(skb, LDIR_A_CONN);

	if (!nest ||
	    nla_put_u8(skb, LDIR_CONN_A_PROTOCOL, cp->protocol) ||
	    nla_put_u16(skb, LDIR_CONN_A_FAMILY, cp->family) ||
	    put_conn_addr(skb, LDIR_CONN_A_CLIENT_ADDR, cp, ldir_conn_caddr) ||
	    nla_put_be16(skb, LDIR_CONN_A_CLIENT_PORT, cp->cport) ||
	    put_conn_addr(skb, LDIR_CONN_A_VIRTUAL_ADDR, cp, ldir_conn_vaddr) ||
	    nla_put_be16(skb, LDIR_CONN_A_VIRTUAL_PORT, cp->vport) ||
	    put_conn_addr(skb, LDIR_CONN_A_REAL_ADDR, cp, ldir_conn_raddr) ||
	    nla_put_be16(skb, LDIR_CONN_A_REAL_PORT, cp->rport) ||
	    nla_put_u8(skb, LDIR_CONN_A_STATE, READ_ONCE(cp->state)) ||
	    nla_put_u32(skb, LDIR_CONN_A_EXPIRES_MS,
			left > 0 ? jiffies_to_msecs(left) : 0))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const void *next(struct ldir_net *ln, unsigned int *bucket,
			unsigned int *idx)
{
	return ldir_conn_dump_next(ln, bucket, idx);
}

static const struct ldir_nl_table conns = {
	.cmd	= LDIR_CMD_CONN_GET,
	.next	= next,
	.fill	= fill,
};

int ldir_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ldir_nl_table_dump(skb, cb, &conns);
}

int ldir_nl_conn_new(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG_MOD(info->extack, "conn-new: not yet");
	return -EOPNOTSUPP;
}

int ldir_nl_conn_del(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG_MOD(info->extack, "conn-del: not yet");
	return -EOPNOTSUPP;
}
