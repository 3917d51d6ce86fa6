// SPDX-License-Identifier: GPL-2.0
/*
 * Binds over netlink: a client prefix assigned to a virtual's instance,
 * create and delete, and the attributes a dump writes for one.
 */
#include <linux/in.h>

#include "nl.h"

/* The client prefix of LDIR_A_BIND, already checked by
 * ldir_nl_bind_lookup().
 */
static void bind_prefix(struct genl_info *info, union nf_inet_addr *caddr,
			u8 *plen)
{
	struct nlattr *tb[LDIR_BIND_A_MAX + 1];

	memset(caddr, 0, sizeof(*caddr));
	*plen = 0;
	if (nla_parse_nested(tb, LDIR_BIND_A_MAX, info->attrs[LDIR_A_BIND],
			     ldir_nl_bind_policy, info->extack))
		return;
	nla_memcpy(caddr, tb[LDIR_BIND_A_ADDR], sizeof(*caddr));
	*plen = nla_get_u8(tb[LDIR_BIND_A_PREFIX_LEN]);
}

/* Checks the instance, client prefix and length of a bind request; the
 * instance must exist. Caller holds ln->lock.
 */
struct ldir_virtual *ldir_nl_bind_lookup(struct ldir_net *ln,
					 struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *vtb[LDIR_VIRTUAL_A_MAX + 1];
	struct nlattr *tb[LDIR_BIND_A_MAX + 1];
	struct nlattr *nest = info->attrs[LDIR_A_BIND];
	union nf_inet_addr caddr, masked;
	struct ldir_virtual *v;
	struct ldir_nl_vkey k;
	u16 family;
	u8 plen;
	int ret;

	lockdep_assert_held(&ln->lock);
	ret = ldir_nl_parse_nest(info, LDIR_A_BIND, tb, LDIR_BIND_A_MAX,
				 ldir_nl_bind_policy);
	if (ret)
		return ERR_PTR(ret);
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_BIND_A_VIRTUAL) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_BIND_A_PREFIX_LEN))
		return ERR_PTR(-EINVAL);
	ret = nla_parse_nested(vtb, LDIR_VIRTUAL_A_MAX, tb[LDIR_BIND_A_VIRTUAL],
			       ldir_nl_virtual_key_policy, extack);
	if (ret)
		return ERR_PTR(ret);
	ret = ldir_nl_parse_vkey(extack, tb[LDIR_BIND_A_VIRTUAL], vtb, &k);
	if (ret)
		return ERR_PTR(ret);
	ret = ldir_nl_parse_addr(extack, nest, tb, LDIR_BIND_A_FAMILY,
				 LDIR_BIND_A_ADDR, &family, &caddr, false);
	if (ret)
		return ERR_PTR(ret);
	plen = nla_get_u8(tb[LDIR_BIND_A_PREFIX_LEN]);
	if (plen > (family == AF_INET ? 32 : 128)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_PREFIX_LEN],
				    "prefix length is longer than the address");
		return ERR_PTR(-EINVAL);
	}
	ldir_addr_mask(&masked, &caddr, family, plen);
	if (!nf_inet_addr_cmp(&masked, &caddr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_ADDR],
				    "client address has bits set past the prefix length");
		return ERR_PTR(-EINVAL);
	}
	if (!k.bind_id) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_VIRTUAL],
				    "Bind ID 0 is the general instance: it already serves every client without a bind");
		return ERR_PTR(-EINVAL);
	}
	if (family != k.family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_FAMILY],
				    "client and virtual address families differ");
		return ERR_PTR(-EINVAL);
	}
	v = ldir_virtual_find(ln, k.family, &k.addr, k.port, k.protocol,
			      k.bind_id);
	if (!v) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_VIRTUAL],
				    "no virtual instance with this Bind ID (create it first)");
		return ERR_PTR(-ENOENT);
	}
	return v;
}

int ldir_nl_bind_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_virtual *v = info->user_ptr[0];
	struct ldir_net *ln = ldir_nl_ln(info);
	union nf_inet_addr caddr;
	struct ldir_bind *b;
	int ret;
	u8 plen;

	bind_prefix(info, &caddr, &plen);
	b = ldir_bind_create(ln, v, &caddr, plen);
	if (!IS_ERR(b))
		return 0;
	ret = PTR_ERR(b);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_BIND],
				    "client prefix already assigned to an instance of this virtual");
	else if (ret == -ENOSPC)
		NL_SET_ERR_MSG_MOD(info->extack, "too many binds");
	else
		NL_SET_ERR_MSG_MOD(info->extack, "cannot create bind");
	return ret;
}

int ldir_nl_bind_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_virtual *v = info->user_ptr[0];
	struct ldir_net *ln = ldir_nl_ln(info);
	union nf_inet_addr caddr;
	struct ldir_bind *b;
	u8 plen;

	bind_prefix(info, &caddr, &plen);
	b = ldir_bind_find(ln, v->family, &v->addr, v->port, v->protocol,
			   &caddr, plen);
	if (!b || b->virt != v) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_BIND],
				    "bind not found");
		return -ENOENT;
	}
	ldir_bind_destroy(ln, b);
	return 0;
}

static int fill(struct sk_buff *skb, struct ldir_net *ln,
		const struct list_head *node)
{
	const struct ldir_bind *b = list_entry(node, struct ldir_bind, node);
	struct nlattr *nest;

	nest = nla_nest_start(skb, LDIR_A_BIND);
	if (!nest ||
	    ldir_nl_put_virtual(skb, LDIR_BIND_A_VIRTUAL, ln, b->virt,
				LDIR_NL_KEY) ||
	    nla_put_u16(skb, LDIR_BIND_A_FAMILY, b->virt->family) ||
	    ldir_nl_put_addr(skb, LDIR_BIND_A_ADDR, &b->caddr) ||
	    nla_put_u8(skb, LDIR_BIND_A_PREFIX_LEN, b->plen))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const struct ldir_nl_list binds = {
	.cmd	= LDIR_CMD_BIND_GET,
	.head	= offsetof(struct ldir_net, binds.list),
	.fill	= fill,
};

int ldir_nl_bind_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ldir_nl_list_dump(skb, cb, &binds);
}
