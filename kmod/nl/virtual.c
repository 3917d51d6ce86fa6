// SPDX-License-Identifier: GPL-2.0
/*
 * Virtuals over netlink: the key, the settings, create/change/delete and
 * the attributes a dump or an event writes for one.
 */
#include <linux/in.h>

#include "nl.h"

int ldir_nl_parse_vkey(struct netlink_ext_ack *extack, struct nlattr *nest,
		       struct nlattr **tb, struct ldir_nl_vkey *k)
{
	int ret;

	ret = ldir_nl_parse_addr(extack, nest, tb, LDIR_VIRTUAL_A_FAMILY,
				 LDIR_VIRTUAL_A_ADDR, &k->family, &k->addr,
				 true);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_VIRTUAL_A_PORT) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_VIRTUAL_A_PROTOCOL))
		return -EINVAL;
	k->port = nla_get_be16(tb[LDIR_VIRTUAL_A_PORT]);
	k->protocol = nla_get_u8(tb[LDIR_VIRTUAL_A_PROTOCOL]);
	if (k->protocol != IPPROTO_TCP && k->protocol != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_VIRTUAL_A_PROTOCOL],
				    "protocol must be TCP or UDP");
		return -EPROTONOSUPPORT;
	}
	k->bind_id = 0;
	if (tb[LDIR_VIRTUAL_A_BIND_ID])
		k->bind_id = nla_get_u32(tb[LDIR_VIRTUAL_A_BIND_ID]);
	return 0;
}

static struct ldir_virtual *find_virtual(struct ldir_net *ln,
					 struct netlink_ext_ack *extack,
					 struct nlattr *nest, struct nlattr **tb)
{
	struct ldir_nl_vkey k;
	struct ldir_virtual *v;
	int ret;

	ret = ldir_nl_parse_vkey(extack, nest, tb, &k);
	if (ret)
		return ERR_PTR(ret);
	v = ldir_virtual_find(ln, k.family, &k.addr, k.port, k.protocol,
			      k.bind_id);
	if (!v) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "virtual not found");
		return ERR_PTR(-ENOENT);
	}
	return v;
}

/* The virtual the key in @nest names (the nest may hold settings too:
 * they are the caller's). Caller holds ln->lock.
 */
struct ldir_virtual *ldir_nl_virtual_lookup(struct ldir_net *ln,
					    struct netlink_ext_ack *extack,
					    struct nlattr *nest)
{
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	int ret;

	lockdep_assert_held(&ln->lock);
	ret = nla_parse_nested(tb, LDIR_VIRTUAL_A_MAX, nest,
			       ldir_nl_virtual_policy, extack);
	if (ret)
		return ERR_PTR(ret);
	return find_virtual(ln, extack, nest, tb);
}

static const struct ldir_sched_ops *parse_sched(struct netlink_ext_ack *extack,
						struct nlattr *attr)
{
	char name[LDIR_SCHED_NAME_MAX];
	const struct ldir_sched_ops *ops;

	nla_strscpy(name, attr, sizeof(name));
	ops = ldir_sched_find(name);
	if (!ops)
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "unknown scheduler (rr, wrr, lc, wlc, pr, hash3, hash5, maglev)");
	return ops;
}

/* A BACKUP nest: a virtual key, or empty for none. @self may not back
 * itself up. Sets *@out (NULL = none).
 */
static int parse_backup(struct ldir_net *ln, struct netlink_ext_ack *extack,
			struct nlattr *attr, const struct ldir_nl_vkey *self,
			struct ldir_virtual **out)
{
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	struct ldir_virtual *b;
	int ret;

	*out = NULL;
	if (!nla_len(attr))
		return 0;
	ret = nla_parse_nested(tb, LDIR_VIRTUAL_A_MAX, attr,
			       ldir_nl_virtual_key_policy, extack);
	if (ret)
		return ret;
	b = find_virtual(ln, extack, attr, tb);
	if (IS_ERR(b)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "backup virtual not found");
		return PTR_ERR(b);
	}
	if (b->protocol != self->protocol) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "backup virtual must have the same protocol");
		return -EINVAL;
	}
	if (b->family != self->family) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "backup virtual must have the same address family");
		return -EINVAL;
	}
	if (b->family == self->family && b->port == self->port &&
	    b->bind_id == self->bind_id &&
	    nf_inet_addr_cmp(&b->addr, &self->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a virtual cannot be its own backup");
		return -EINVAL;
	}
	*out = b;
	return 0;
}

/* Checks the settings in @tb for a virtual with key @k, and makes room
 * for FPAs: nothing changes if this fails. Sets *@backup.
 */
static int virtual_check(struct ldir_net *ln, struct netlink_ext_ack *extack,
			 struct nlattr **tb, const struct ldir_nl_vkey *k,
			 struct ldir_virtual **backup)
{
	struct nlattr *a;
	int ret;

	*backup = NULL;
	a = tb[LDIR_VIRTUAL_A_BACKUP];
	if (a) {
		ret = parse_backup(ln, extack, a, k, backup);
		if (ret)
			return ret;
	}
	/* the policy bounds it by an IPv6 address, 0..128 */
	a = tb[LDIR_VIRTUAL_A_FPA_MASK];
	if (a && k->family == AF_INET && nla_get_u8(a) > 32) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "FPA mask of an IPv4 virtual must be 0..32");
		return -EINVAL;
	}
	a = tb[LDIR_VIRTUAL_A_OVERFLOW];
	if (a && nla_get_u8(a) && !k->bind_id) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "overflow is for an instance with a non-zero Bind ID (it overflows to Bind ID 0)");
		return -EINVAL;
	}
	a = tb[LDIR_VIRTUAL_A_FPA_INTERVAL];
	if (a && nla_get_u32(a) && ldir_fpa_table_alloc(ln)) {
		NL_SET_ERR_MSG_MOD(extack, "cannot allocate the FPA table");
		return -ENOMEM;
	}
	return 0;
}

/* Applies the optional settings of a virtual, once they are all known to
 * be valid.
 */
static void virtual_apply(struct ldir_net *ln, struct ldir_virtual *v,
			  struct nlattr **tb, struct ldir_virtual *backup)
{
	bool startup = false;
	struct nlattr *a;

	if (tb[LDIR_VIRTUAL_A_STATE])
		WRITE_ONCE(v->state, nla_get_u8(tb[LDIR_VIRTUAL_A_STATE]));
	if (tb[LDIR_VIRTUAL_A_BACKUP])
		rcu_assign_pointer(v->backup, backup);
	spin_lock_bh(&v->sched_lock);
	if (tb[LDIR_VIRTUAL_A_STARTUP]) {
		v->startup = nla_get_u8(tb[LDIR_VIRTUAL_A_STARTUP]);
		startup = true;
	}
	if (tb[LDIR_VIRTUAL_A_STARTUP_PCT])
		v->startup_pct = nla_get_u8(tb[LDIR_VIRTUAL_A_STARTUP_PCT]);
	if (tb[LDIR_VIRTUAL_A_STARTUP_WINDOW]) {
		v->startup_window =
			nla_get_u16(tb[LDIR_VIRTUAL_A_STARTUP_WINDOW]);
		startup = true;
	}
	/* a new window or scheme starts with an empty history */
	if (startup) {
		v->hist_len = 0;
		v->hist_next = 0;
	}
	spin_unlock_bh(&v->sched_lock);
	ldir_event_kick(ln);

	a = tb[LDIR_VIRTUAL_A_FPA_INTERVAL];
	if (a)
		WRITE_ONCE(v->fpa_interval, nla_get_u32(a));
	a = tb[LDIR_VIRTUAL_A_FPA_MASK];
	if (a && nla_get_u8(a) != v->fpa_mask) {
		WRITE_ONCE(v->fpa_mask, nla_get_u8(a));
		/* the FPAs were kept for other client prefixes */
		ldir_fpa_flush(ln, v, NULL);
	}
	a = tb[LDIR_VIRTUAL_A_OVERFLOW];
	if (a)
		WRITE_ONCE(v->overflow, nla_get_u8(a));
}

static bool sched_fits(struct netlink_ext_ack *extack, struct nlattr **tb,
		       const struct ldir_sched_ops *sched, u32 flags)
{
	if ((flags & LDIR_VIRTUAL_F_STATELESS) && !ldir_sched_is_hash(sched)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_VIRTUAL_A_SCHED],
				    "a stateless virtual needs a hashing scheduler (hash3, hash5, maglev)");
		return false;
	}
	return true;
}

int ldir_nl_virtual_new(struct sk_buff *skb, struct genl_info *info)
{
	const struct ldir_sched_ops *sched = &ldir_sched_wlc;
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	struct nlattr *nest = info->attrs[LDIR_A_VIRTUAL];
	struct ldir_virtual *v, *backup;
	struct ldir_nl_vkey k;
	u32 flags = 0;
	int ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_VIRTUAL, tb, LDIR_VIRTUAL_A_MAX,
				 ldir_nl_virtual_policy);
	if (ret)
		return ret;
	ret = ldir_nl_parse_vkey(info->extack, nest, tb, &k);
	if (ret)
		return ret;
	if (tb[LDIR_VIRTUAL_A_FLAGS])
		flags = nla_get_u32(tb[LDIR_VIRTUAL_A_FLAGS]);
	if (flags & LDIR_VIRTUAL_F_STATELESS)
		sched = &ldir_sched_maglev;
	if (tb[LDIR_VIRTUAL_A_SCHED]) {
		sched = parse_sched(info->extack, tb[LDIR_VIRTUAL_A_SCHED]);
		if (!sched)
			return -ENOENT;
	}
	if (!sched_fits(info->extack, tb, sched, flags))
		return -EINVAL;
	if (ldir_virtual_find(ln, k.family, &k.addr, k.port, k.protocol,
			      k.bind_id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "virtual already exists");
		return -EEXIST;
	}
	ret = virtual_check(ln, info->extack, tb, &k, &backup);
	if (ret)
		return ret;
	v = ldir_virtual_create(ln, k.family, &k.addr, k.port, k.protocol,
				k.bind_id, flags, sched);
	if (IS_ERR(v)) {
		ret = PTR_ERR(v);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many virtuals");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create virtual");
		return ret;
	}
	virtual_apply(ln, v, tb, backup);
	return 0;
}

int ldir_nl_virtual_set(struct sk_buff *skb, struct genl_info *info)
{
	const struct ldir_sched_ops *sched = NULL;
	struct ldir_virtual *v = info->user_ptr[0];
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	struct ldir_nl_vkey k = {
		.family = v->family, .addr = v->addr, .port = v->port,
		.protocol = v->protocol, .bind_id = v->bind_id,
	};
	struct ldir_virtual *backup;
	int ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_VIRTUAL, tb, LDIR_VIRTUAL_A_MAX,
				 ldir_nl_virtual_policy);
	if (ret)
		return ret;
	if (tb[LDIR_VIRTUAL_A_SCHED]) {
		sched = parse_sched(info->extack, tb[LDIR_VIRTUAL_A_SCHED]);
		if (!sched)
			return -ENOENT;
	}
	if (tb[LDIR_VIRTUAL_A_FLAGS] &&
	    nla_get_u32(tb[LDIR_VIRTUAL_A_FLAGS]) != v->flags) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[LDIR_VIRTUAL_A_FLAGS],
				    "flags are fixed at creation: delete and add the virtual");
		return -EINVAL;
	}
	if (sched && !sched_fits(info->extack, tb, sched, v->flags))
		return -EINVAL;
	ret = virtual_check(ln, info->extack, tb, &k, &backup);
	if (ret)
		return ret;
	if (sched) {
		spin_lock_bh(&v->sched_lock);
		rcu_assign_pointer(v->sched, sched);
		v->rr_last = NULL;
		/* the next pick orders the links for the new scheme */
		v->tree_ops = NULL;
		spin_unlock_bh(&v->sched_lock);
		ldir_virtual_digest_update(v);
	}
	virtual_apply(ln, v, tb, backup);
	ldir_net_changed(ln);
	ldir_hash_refresh_virtual(ln, v);
	return 0;
}

int ldir_nl_virtual_del(struct sk_buff *skb, struct genl_info *info)
{
	ldir_virtual_destroy(ldir_nl_ln(info), info->user_ptr[0]);
	return 0;
}

static int put_vkey(struct sk_buff *skb, const struct ldir_virtual *v)
{
	if (nla_put_u16(skb, LDIR_VIRTUAL_A_FAMILY, v->family) ||
	    ldir_nl_put_addr(skb, LDIR_VIRTUAL_A_ADDR, &v->addr) ||
	    nla_put_be16(skb, LDIR_VIRTUAL_A_PORT, v->port) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_PROTOCOL, v->protocol) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_BIND_ID, v->bind_id))
		return -EMSGSIZE;
	return 0;
}

static int put_settings(struct sk_buff *skb, struct ldir_net *ln,
			struct ldir_virtual *v)
{
	u64 sum[LDIR_OS_MAX] = {};
	struct ldir_virtual *backup;

	if (nla_put_string(skb, LDIR_VIRTUAL_A_SCHED,
			   rcu_dereference_protected(v->sched,
						     lockdep_is_held(&ln->lock))->name) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_STATE, v->state) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_STARTUP, v->startup) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_STARTUP_PCT, v->startup_pct) ||
	    nla_put_u16(skb, LDIR_VIRTUAL_A_STARTUP_WINDOW, v->startup_window) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_NLINKS, v->nlinks) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_CONNS, atomic_read(&v->conns)) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_FLAGS, v->flags) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_FPA_INTERVAL, v->fpa_interval) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_FPA_MASK, v->fpa_mask) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_OVERFLOW, v->overflow) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_NBINDS, v->nbinds))
		return -EMSGSIZE;
	if (ldir_virtual_failed(v) && nla_put_flag(skb, LDIR_VIRTUAL_A_FAILED))
		return -EMSGSIZE;
	backup = rcu_dereference_protected(v->backup,
					   lockdep_is_held(&ln->lock));
	if (backup &&
	    ldir_nl_put_virtual(skb, LDIR_VIRTUAL_A_BACKUP, ln, backup,
				LDIR_NL_KEY))
		return -EMSGSIZE;
	ldir_virtual_totals(v, sum);
	return ldir_nl_put_totals(skb, LDIR_VIRTUAL_A_STATS, sum);
}

/* The nest @type describing @v: its key, and with LDIR_NL_FULL all the
 * rest, the caller holding ln->lock (an event reports no more than the
 * key of a virtual; @ln is unused for the key alone).
 */
int ldir_nl_put_virtual(struct sk_buff *skb, int type, struct ldir_net *ln,
			struct ldir_virtual *v,
			enum ldir_nl_detail detail)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || put_vkey(skb, v))
		return -EMSGSIZE;
	if (detail == LDIR_NL_FULL && put_settings(skb, ln, v))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill(struct sk_buff *skb, struct ldir_net *ln,
		const struct list_head *node)
{
	return ldir_nl_put_virtual(skb, LDIR_A_VIRTUAL, ln,
				   list_entry(node, struct ldir_virtual, node),
				   LDIR_NL_FULL);
}

static const struct ldir_nl_list virtuals = {
	.cmd	= LDIR_CMD_VIRTUAL_GET,
	.head	= offsetof(struct ldir_net, virtuals),
	.fill	= fill,
};

int ldir_nl_virtual_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ldir_nl_list_dump(skb, cb, &virtuals);
}
