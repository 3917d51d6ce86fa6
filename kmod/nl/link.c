// SPDX-License-Identifier: GPL-2.0
/*
 * Links over netlink: the (virtual, real) pair and its port, create and
 * delete, and the attributes a dump writes for one.
 */
#include "nl.h"

/* The ends of the link LDIR_A_LINK names, into *@vp and *@rp. Caller holds
 * ln->lock.
 */
int ldir_nl_link_lookup(struct ldir_net *ln, struct genl_info *info,
			struct ldir_virtual **vp, struct ldir_real **rp)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *rtb[LDIR_REAL_A_MAX + 1];
	struct nlattr *lnest = info->attrs[LDIR_A_LINK];
	struct nlattr *ltb[LDIR_LINK_A_MAX + 1];
	union nf_inet_addr addr;
	u16 family;
	__be16 port;
	int ret;

	lockdep_assert_held(&ln->lock);
	ret = ldir_nl_parse_nest(info, LDIR_A_LINK, ltb, LDIR_LINK_A_MAX,
				 ldir_nl_link_policy);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, lnest, ltb, LDIR_LINK_A_VIRTUAL) ||
	    NL_REQ_ATTR_CHECK(extack, lnest, ltb, LDIR_LINK_A_REAL))
		return -EINVAL;
	*vp = ldir_nl_virtual_lookup(ln, extack, ltb[LDIR_LINK_A_VIRTUAL]);
	if (IS_ERR(*vp))
		return PTR_ERR(*vp);

	ret = nla_parse_nested(rtb, LDIR_REAL_A_MAX, ltb[LDIR_LINK_A_REAL],
			       ldir_nl_real_key_policy, extack);
	if (ret)
		return ret;
	ret = ldir_nl_parse_addr(extack, ltb[LDIR_LINK_A_REAL], rtb,
				 LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR, &family,
				 &addr, true);
	if (ret)
		return ret;
	port = rtb[LDIR_REAL_A_PORT] ? nla_get_be16(rtb[LDIR_REAL_A_PORT]) : 0;
	/* the real (addr, port) if there is one, else the machine (addr, 0) */
	*rp = ldir_real_find(ln, family, &addr, port);
	if (!*rp && port)
		*rp = ldir_real_find(ln, family, &addr, 0);
	if (!*rp) {
		NL_SET_ERR_MSG_ATTR(extack, ltb[LDIR_LINK_A_REAL],
				    "real not found");
		return -ENOENT;
	}
	return 0;
}

/* LINK_A_PORT, 0 if absent */
static __be16 link_port(struct genl_info *info, struct nlattr **ltb)
{
	int ret;

	ret = nla_parse_nested(ltb, LDIR_LINK_A_MAX, info->attrs[LDIR_A_LINK],
			       ldir_nl_link_policy, info->extack);
	if (ret || !ltb[LDIR_LINK_A_PORT])
		return 0;
	return nla_get_be16(ltb[LDIR_LINK_A_PORT]);
}

int ldir_nl_link_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_virtual *v = info->user_ptr[0];
	struct ldir_real *r = info->user_ptr[1];
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *ltb[LDIR_LINK_A_MAX + 1];
	struct ldir_link *l;
	__be16 port;
	int ret;

	if (ldir_link_find(ln, v, r)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_LINK],
				    "link already exists");
		return -EEXIST;
	}
	if (r->family != v->family) {
		/* no translation between IPv4 and IPv6 headers */
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_LINK],
				    "real and virtual must have the same address family");
		return -EAFNOSUPPORT;
	}
	port = link_port(info, ltb);
	if (!v->port && port && !r->port) {
		/* a port-0 virtual maps each port to the same port */
		NL_SET_ERR_MSG_ATTR(info->extack, ltb[LDIR_LINK_A_PORT],
				    "a virtual covering every port needs link port 0");
		return -EINVAL;
	}
	ret = ldir_stateless_link_check(ln, v, r, port, info->extack);
	if (ret)
		return ret;
	l = ldir_link_create(ln, v, r, port);
	if (IS_ERR(l)) {
		ret = PTR_ERR(l);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many links");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create link");
		return ret;
	}
	ret = ldir_stateless_link_add(ln, l);
	if (ret) {
		NL_SET_ERR_MSG_MOD(info->extack, "cannot create link");
		ldir_link_unlink(ln, l, false);
	}
	ldir_hash_refresh_virtual(ln, v);
	return ret;
}

int ldir_nl_link_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_virtual *v = info->user_ptr[0];
	struct ldir_real *r = info->user_ptr[1];
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *ltb[LDIR_LINK_A_MAX + 1];
	struct ldir_link *l;
	__be16 port;

	l = ldir_link_find(ln, v, r);
	port = link_port(info, ltb);
	/* a port names the link exactly; none (or 0) matches any */
	if (!l || (port && port != l->port)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_LINK],
				    "link not found");
		return -ENOENT;
	}
	ldir_link_unlink(ln, l, nla_get_flag(info->attrs[LDIR_A_FLUSH]));
	ldir_hash_refresh_virtual(ln, v);
	return 0;
}

static int put_link_stats(struct sk_buff *skb, const struct ldir_link *l)
{
	u64 sum[LDIR_OS_MAX] = {};

	ldir_link_totals(l, sum);
	return ldir_nl_put_totals(skb, LDIR_LINK_A_STATS, sum);
}

static int fill(struct sk_buff *skb, struct ldir_net *ln,
		const struct list_head *node)
{
	const struct ldir_link *l = list_entry(node, struct ldir_link, node);
	struct nlattr *nest;

	nest = nla_nest_start(skb, LDIR_A_LINK);
	if (!nest ||
	    ldir_nl_put_virtual(skb, LDIR_LINK_A_VIRTUAL, ln, l->virt,
				LDIR_NL_KEY) ||
	    ldir_nl_put_real(skb, LDIR_LINK_A_REAL, ln, l->real, LDIR_NL_KEY) ||
	    nla_put_be16(skb, LDIR_LINK_A_PORT, l->port) ||
	    nla_put_u32(skb, LDIR_LINK_A_ACTIVE, atomic_read(&l->active)) ||
	    nla_put_u32(skb, LDIR_LINK_A_CONNS, atomic_read(&l->conns)) ||
	    put_link_stats(skb, l))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const struct ldir_nl_list links = {
	.cmd	= LDIR_CMD_LINK_GET,
	.head	= offsetof(struct ldir_net, links),
	.fill	= fill,
};

int ldir_nl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ldir_nl_list_dump(skb, cb, &links);
}
