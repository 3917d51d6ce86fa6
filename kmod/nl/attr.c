// SPDX-License-Identifier: GPL-2.0
/*
 * Attributes every ldir object uses: required nests, addresses, and the
 * counter block (LDIR_STATS_A_*).
 */
#include <linux/in.h>

#include <net/ipv6.h>

#include "nl.h"

/* Parses the nested object @type of the request into @tb; the nest is
 * required.
 */
int ldir_nl_parse_nest(struct genl_info *info, int type, struct nlattr **tb,
		       int maxtype, const struct nla_policy *policy)
{
	if (GENL_REQ_ATTR_CHECK(info, type))
		return -EINVAL;
	return nla_parse_nested(tb, maxtype, info->attrs[type], policy,
				info->extack);
}

/* Whether @a is an IPv6 address a virtual or real may have: one that
 * routes; the message says why not.
 */
static bool addr6_ok(const struct in6_addr *a, struct netlink_ext_ack *extack,
		     const struct nlattr *attr)
{
	int type = ipv6_addr_type(a);

	/* ::ffff:0:0/96, and ::/96 (IPv4-compatible; ::, ::1 come below) */
	if (ipv6_addr_v4mapped(a) ||
	    (!a->s6_addr32[0] && !a->s6_addr32[1] && !a->s6_addr32[2] &&
	     ntohl(a->s6_addr32[3]) > 1)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an IPv4-mapped or -compatible address is an IPv4 address: use AF_INET");
		return false;
	}
	if (type & (IPV6_ADDR_ANY | IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address must be a unicast address");
		return false;
	}
	if (type & IPV6_ADDR_LINKLOCAL) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a link-local address has no scope here: use a global one");
		return false;
	}
	return true;
}

/* An address: FAMILY + ADDR, both required, AF_INET or AF_INET6. An IPv4
 * address is the first 4 bytes of ADDR, the rest zero. @unicast: it is a
 * virtual's or a real's, not a client prefix.
 */
int ldir_nl_parse_addr(struct netlink_ext_ack *extack, struct nlattr *nest,
		       struct nlattr **tb, int fam_type, int addr_type,
		       u16 *family, union nf_inet_addr *addr, bool unicast)
{
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, fam_type) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, addr_type))
		return -EINVAL;
	*family = nla_get_u16(tb[fam_type]);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[fam_type],
				    "address family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, tb[addr_type], sizeof(*addr));
	if (*family == AF_INET6)
		return !unicast || addr6_ok(&addr->in6, extack, tb[addr_type]) ?
		       0 : -EINVAL;
	if (addr->all[1] || addr->all[2] || addr->all[3]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[addr_type],
				    "IPv4 address must occupy the first 4 bytes, the rest zero");
		return -EINVAL;
	}
	if (unicast && (ipv4_is_zeronet(addr->ip) || ipv4_is_lbcast(addr->ip) ||
			ipv4_is_multicast(addr->ip) ||
			ipv4_is_loopback(addr->ip))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[addr_type],
				    "address must be a unicast address");
		return -EINVAL;
	}
	return 0;
}

int ldir_nl_put_addr(struct sk_buff *skb, int type,
		     const union nf_inet_addr *a)
{
	return nla_put(skb, type, sizeof(*a), a);
}

/* The nest @type with the counters @cnt, by enum ldir_stats_attrs. */
int ldir_nl_put_stats(struct sk_buff *skb, int type, const u64 *cnt)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = LDIR_STATS_A_CONNS; i <= LDIR_STATS_A_MAX; i++)
		if (i != LDIR_STATS_A_PAD &&
		    nla_put_u64_64bit(skb, i, cnt[i], LDIR_STATS_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The nest @type with an object's totals (LDIR_OS_*). */
int ldir_nl_put_totals(struct sk_buff *skb, int type, const u64 *sum)
{
	u64 cnt[__LDIR_STATS_A_MAX] = {};

	ldir_totals_to_attrs(sum, cnt);
	return ldir_nl_put_stats(skb, type, cnt);
}
