// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path's devices over netlink: add, delete, dump. Not under the
 * instance lock: the set is the RTNL's (fastpath.c).
 */
#include <linux/netdevice.h>

#include "nl.h"
#include "fastpath.h"

static int parse(struct genl_info *info, char *name)
{
	struct nlattr *tb[LDIR_FASTPATH_A_MAX + 1];
	int ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_FASTPATH, tb, LDIR_FASTPATH_A_MAX,
				 ldir_nl_fastpath_policy);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[LDIR_A_FASTPATH], tb,
			      LDIR_FASTPATH_A_IFNAME))
		return -EINVAL;
	BUILD_BUG_ON(IFNAMSIZ != 16);
	nla_strscpy(name, tb[LDIR_FASTPATH_A_IFNAME], IFNAMSIZ);
	return 0;
}

int ldir_nl_fastpath_new(struct sk_buff *skb, struct genl_info *info)
{
	char name[IFNAMSIZ];
	int ret = parse(info, name);

	return ret ?: ldir_fastpath_dev_add(ldir_nl_ln(info), name,
					    info->extack);
}

int ldir_nl_fastpath_del(struct sk_buff *skb, struct genl_info *info)
{
	char name[IFNAMSIZ];
	int ret = parse(info, name);

	return ret ?: ldir_fastpath_dev_del(ldir_nl_ln(info), name,
					    info->extack);
}

/* One message per device, resuming at the index in cb->args[0]. */
int ldir_nl_fastpath_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ldir_net *ln = ldir_pernet(sock_net(cb->skb->sk));
	const struct ldir_fp_dev *fd;
	const struct net_device *dev;
	struct nlattr *nest;
	long i = 0;
	void *hdr;

	rcu_read_lock();
	list_for_each_entry_rcu(fd, &ln->fp.devs, node) {
		if (i++ < cb->args[0])
			continue;
		dev = fd->ops.dev;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ldir_nl_family,
				  NLM_F_MULTI, LDIR_CMD_FASTPATH_GET);
		if (!hdr)
			break;
		nest = nla_nest_start(skb, LDIR_A_FASTPATH);
		if (!nest ||
		    nla_put_string(skb, LDIR_FASTPATH_A_IFNAME, dev->name) ||
		    nla_put_u32(skb, LDIR_FASTPATH_A_IFINDEX, dev->ifindex)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		cb->args[0] = i;
	}
	rcu_read_unlock();
	return skb->len;
}
