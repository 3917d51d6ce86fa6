// SPDX-License-Identifier: GPL-2.0
/*
 * Reals over netlink: the key, the settings, create/change/delete and the
 * attributes a dump or an event writes for one.
 */
#include <linux/jiffies.h>

#include "nl.h"

/* The key of the real in LDIR_A_REAL; the nest is parsed into @tb. */
static int parse_real(struct genl_info *info, struct nlattr **tb,
		      u16 *family, union nf_inet_addr *addr, __be16 *port)
{
	int ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_REAL, tb, LDIR_REAL_A_MAX,
				 ldir_nl_real_policy);
	if (ret)
		return ret;
	ret = ldir_nl_parse_addr(info->extack, info->attrs[LDIR_A_REAL], tb,
				 LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR, family,
				 addr, true);
	if (ret)
		return ret;
	*port = tb[LDIR_REAL_A_PORT] ? nla_get_be16(tb[LDIR_REAL_A_PORT]) : 0;
	return 0;
}

/* The real LDIR_A_REAL names. Caller holds ln->lock. */
struct ldir_real *ldir_nl_real_lookup(struct ldir_net *ln,
				      struct genl_info *info)
{
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	union nf_inet_addr addr;
	struct ldir_real *r;
	u16 family;
	__be16 port;
	int ret;

	lockdep_assert_held(&ln->lock);
	ret = parse_real(info, tb, &family, &addr, &port);
	if (ret)
		return ERR_PTR(ret);
	r = ldir_real_find(ln, family, &addr, port);
	if (!r) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_REAL],
				    "real not found");
		return ERR_PTR(-ENOENT);
	}
	return r;
}

/* A BACKUP nest: a real key, or empty for none. @self may not back
 * itself up; the backup has @family, @self's. Sets *@out (NULL = none).
 */
static int parse_backup(struct ldir_net *ln, struct netlink_ext_ack *extack,
			struct nlattr *attr, const struct ldir_real *self,
			u16 family, struct ldir_real **out)
{
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	union nf_inet_addr addr;
	struct ldir_real *b;
	u16 bfamily;
	__be16 port;
	int ret;

	*out = NULL;
	if (!nla_len(attr))
		return 0;
	ret = nla_parse_nested(tb, LDIR_REAL_A_MAX, attr,
			       ldir_nl_real_key_policy, extack);
	if (ret)
		return ret;
	ret = ldir_nl_parse_addr(extack, attr, tb, LDIR_REAL_A_FAMILY,
				 LDIR_REAL_A_ADDR, &bfamily, &addr, true);
	if (ret)
		return ret;
	port = tb[LDIR_REAL_A_PORT] ? nla_get_be16(tb[LDIR_REAL_A_PORT]) : 0;
	b = ldir_real_find(ln, bfamily, &addr, port);
	if (!b) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "backup real not found");
		return -ENOENT;
	}
	if (b == self) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a real cannot be its own backup");
		return -EINVAL;
	}
	if (bfamily != family) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "backup real must have the same address family");
		return -EINVAL;
	}
	*out = b;
	return 0;
}

/* Applies the settings of a real, once they are all known to be valid. */
static void real_apply(struct ldir_net *ln, struct ldir_real *r,
		       struct nlattr **tb, struct ldir_real *backup)
{
	if (tb[LDIR_REAL_A_WEIGHT]) {
		WRITE_ONCE(r->weight, nla_get_u32(tb[LDIR_REAL_A_WEIGHT]));
		/* a bigger weight is a smaller load per weight for wlc */
		ldir_real_changed(r);
	}
	if (tb[LDIR_REAL_A_MAX_CONNS])
		WRITE_ONCE(r->max_conns, nla_get_u32(tb[LDIR_REAL_A_MAX_CONNS]));
	if (tb[LDIR_REAL_A_SYN_THRESHOLD])
		WRITE_ONCE(r->syn_threshold,
			   nla_get_u32(tb[LDIR_REAL_A_SYN_THRESHOLD]));
	if (tb[LDIR_REAL_A_FAIL_THRESHOLD])
		WRITE_ONCE(r->fail_threshold,
			   nla_get_u32(tb[LDIR_REAL_A_FAIL_THRESHOLD]));
	if (tb[LDIR_REAL_A_IDLE_TIMEOUT])
		WRITE_ONCE(r->idle_timeout,
			   nla_get_u32(tb[LDIR_REAL_A_IDLE_TIMEOUT]) * HZ);
	if (tb[LDIR_REAL_A_BACKUP])
		ldir_real_set_backup(ln, r, backup);
	if (tb[LDIR_REAL_A_STATE])
		ldir_real_set_state(ln, r, nla_get_u8(tb[LDIR_REAL_A_STATE]));
	ldir_event_kick(ln);
}

int ldir_nl_real_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	struct ldir_real *r, *backup = NULL;
	union nf_inet_addr addr;
	u16 family;
	__be16 port;
	int ret;

	ret = parse_real(info, tb, &family, &addr, &port);
	if (ret)
		return ret;
	if (ldir_real_find(ln, family, &addr, port)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_REAL],
				    "real already exists");
		return -EEXIST;
	}
	if (tb[LDIR_REAL_A_BACKUP]) {
		ret = parse_backup(ln, info->extack, tb[LDIR_REAL_A_BACKUP],
				   NULL, family, &backup);
		if (ret)
			return ret;
	}
	r = ldir_real_create(ln, family, &addr, port);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many reals");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create real");
		return ret;
	}
	real_apply(ln, r, tb, backup);
	return 0;
}

int ldir_nl_real_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	struct ldir_real *r = info->user_ptr[0];
	struct ldir_real *backup = NULL;
	int ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_REAL, tb, LDIR_REAL_A_MAX,
				 ldir_nl_real_policy);
	if (ret)
		return ret;
	if (tb[LDIR_REAL_A_BACKUP]) {
		ret = parse_backup(ln, info->extack, tb[LDIR_REAL_A_BACKUP], r,
				   r->family, &backup);
		if (ret)
			return ret;
	}
	real_apply(ln, r, tb, backup);
	ldir_net_changed(ln);
	ldir_hash_refresh(ln);
	return 0;
}

int ldir_nl_real_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	struct ldir_real *r = info->user_ptr[0];

	ldir_real_destroy(ln, r);
	if (nla_get_flag(info->attrs[LDIR_A_FLUSH])) {
		/* conns being created for @r right now come first; then
		 * every conn it serves, as another real's backup too
		 */
		synchronize_net();
		ldir_conn_flush(ln, NULL, NULL, r);
	}
	ldir_hash_refresh(ln);
	return 0;
}

static int put_rkey(struct sk_buff *skb, const struct ldir_real *r)
{
	if (nla_put_u16(skb, LDIR_REAL_A_FAMILY, r->family) ||
	    ldir_nl_put_addr(skb, LDIR_REAL_A_ADDR, &r->addr) ||
	    nla_put_be16(skb, LDIR_REAL_A_PORT, r->port))
		return -EMSGSIZE;
	return 0;
}

static int put_settings(struct sk_buff *skb, struct ldir_net *ln,
			struct ldir_real *r, u8 state)
{
	u64 now = ldir_now_us(), age = now - READ_ONCE(r->agestamp_us);
	u64 sum[LDIR_OS_MAX] = {};
	long retry = (long)(READ_ONCE(r->retry_at) - jiffies);
	struct ldir_real *backup;

	if (nla_put_u32(skb, LDIR_REAL_A_WEIGHT, r->weight) ||
	    nla_put_u32(skb, LDIR_REAL_A_MAX_CONNS, r->max_conns) ||
	    nla_put_u8(skb, LDIR_REAL_A_STATE, state) ||
	    nla_put_u32(skb, LDIR_REAL_A_ACTIVE, atomic_read(&r->active)) ||
	    nla_put_u32(skb, LDIR_REAL_A_CONNS, atomic_read(&r->conns)) ||
	    nla_put_u32(skb, LDIR_REAL_A_NLINKS, r->nlinks) ||
	    nla_put_u32(skb, LDIR_REAL_A_SYN_THRESHOLD, r->syn_threshold) ||
	    nla_put_u32(skb, LDIR_REAL_A_FAIL_THRESHOLD, r->fail_threshold) ||
	    nla_put_u32(skb, LDIR_REAL_A_IDLE_TIMEOUT, r->idle_timeout / HZ) ||
	    nla_put_u32(skb, LDIR_REAL_A_UNANSWERED,
			atomic_read(&r->unanswered)) ||
	    nla_put_u32(skb, LDIR_REAL_A_DITCHED, atomic_read(&r->ditched)) ||
	    nla_put_u32(skb, LDIR_REAL_A_DITCH_CONSEC,
			atomic_read(&r->ditch_consec)) ||
	    nla_put_u32(skb, LDIR_REAL_A_RESPONSE_US, ldir_real_resp_us(r)) ||
	    nla_put_u32(skb, LDIR_REAL_A_AGE_MS,
			min_t(u64, div_u64(age, USEC_PER_MSEC), U32_MAX)) ||
	    nla_put_s64(skb, LDIR_REAL_A_PR,
			ldir_real_pr(r, now, READ_ONCE(ln->pr_age_div)),
			LDIR_REAL_A_PAD))
		return -EMSGSIZE;
	if (state == LDIR_STATE_FAILED &&
	    nla_put_u32(skb, LDIR_REAL_A_RETRY_MS,
			retry > 0 ? jiffies_to_msecs(retry) : 0))
		return -EMSGSIZE;
	backup = rcu_dereference_protected(r->backup,
					   lockdep_is_held(&ln->lock));
	if (backup &&
	    ldir_nl_put_real(skb, LDIR_REAL_A_BACKUP, ln, backup, LDIR_NL_KEY))
		return -EMSGSIZE;
	ldir_real_totals(r, sum);
	return ldir_nl_put_totals(skb, LDIR_REAL_A_STATS, sum);
}

/* The nest @type describing @r: its key; for an event also its state and
 * ditched count; with LDIR_NL_FULL everything, and the caller holds
 * ln->lock (@ln is unused for the key alone).
 */
int ldir_nl_put_real(struct sk_buff *skb, int type, struct ldir_net *ln,
		     struct ldir_real *r, enum ldir_nl_detail detail)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	u8 state = READ_ONCE(r->state);

	if (!nest || put_rkey(skb, r))
		return -EMSGSIZE;
	if (detail == LDIR_NL_EVENT &&
	    (nla_put_u8(skb, LDIR_REAL_A_STATE, state) ||
	     nla_put_u32(skb, LDIR_REAL_A_DITCHED, atomic_read(&r->ditched))))
		return -EMSGSIZE;
	if (detail == LDIR_NL_FULL && put_settings(skb, ln, r, state))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill(struct sk_buff *skb, struct ldir_net *ln,
		const struct list_head *node)
{
	return ldir_nl_put_real(skb, LDIR_A_REAL, ln,
				list_entry(node, struct ldir_real, node),
				LDIR_NL_FULL);
}

static const struct ldir_nl_list reals = {
	.cmd	= LDIR_CMD_REAL_GET,
	.head	= offsetof(struct ldir_net, reals),
	.fill	= fill,
};

int ldir_nl_real_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ldir_nl_list_dump(skb, cb, &reals);
}
