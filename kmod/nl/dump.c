// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps: one message per object, resumable across skbs; config lists are
 * consistent by a generation, live tables are not (they change with the
 * traffic).
 */
#include <net/sock.h>

#include "nl.h"

static void *dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &ldir_nl_family, NLM_F_MULTI, cmd);
}

int ldir_nl_list_dump(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct ldir_nl_list *list)
{
	struct ldir_net *ln = ldir_pernet(sock_net(cb->skb->sk));
	struct list_head *head = (void *)ln + list->head;
	long idx = 0, start = cb->args[0];
	struct list_head *pos;
	int ret = 0;

	mutex_lock(&ln->lock);
	cb->seq = ln->gen;
	list_for_each(pos, head) {
		void *hdr;

		if (idx++ < start)
			continue;
		hdr = dump_put(skb, cb, list->cmd);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		ret = list->fill(skb, ln, pos);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&ln->lock);
	if (ret && idx - 1 == start)
		return ret;	/* one object does not fit an empty skb */
	cb->args[0] = ret ? idx - 1 : idx;
	return skb->len;
}

int ldir_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct ldir_nl_table *table)
{
	struct ldir_net *ln = ldir_pernet(sock_net(cb->skb->sk));
	unsigned int bucket = cb->args[0], idx = cb->args[1];
	const void *obj;
	int n = 0;

	rcu_read_lock();
	for (;;) {
		unsigned int b = bucket, i = idx;
		void *hdr;

		obj = table->next(ln, &bucket, &idx);
		if (!obj)
			break;
		hdr = dump_put(skb, cb, table->cmd);
		if (!hdr || table->fill(skb, obj)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			bucket = b;
			idx = i;
			break;
		}
		genlmsg_end(skb, hdr);
		n++;
	}
	rcu_read_unlock();
	cb->args[0] = bucket;
	cb->args[1] = idx;
	return n || !obj ? skb->len : -EMSGSIZE;
}
