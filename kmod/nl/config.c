// SPDX-License-Identifier: GPL-2.0
/*
 * The instance's settings, caps and global counters over netlink, and the
 * flush of everything.
 */
#include "nl.h"
#include "fastpath.h"

static const int timeout_attr_state[][2] = {
	{ LDIR_CONFIG_A_TIMEOUT_SYN, LDIR_CONN_S_SYN_SENT },
	{ LDIR_CONFIG_A_TIMEOUT_SYN, LDIR_CONN_S_SYN_RECV },
	{ LDIR_CONFIG_A_TIMEOUT_EST, LDIR_CONN_S_ESTABLISHED },
	{ LDIR_CONFIG_A_TIMEOUT_FIN, LDIR_CONN_S_FIN_WAIT },
	{ LDIR_CONFIG_A_TIMEOUT_TIME_WAIT, LDIR_CONN_S_TIME_WAIT },
	{ LDIR_CONFIG_A_TIMEOUT_CLOSE, LDIR_CONN_S_CLOSE },
	{ LDIR_CONFIG_A_TIMEOUT_UDP, LDIR_CONN_S_UDP },
};

/* The caps a user namespace may lower but not raise past the module's
 * defaults: only the host admin may (trust.c).
 */
static int caps_check(struct sk_buff *skb, struct genl_info *info,
		      struct nlattr **tb)
{
	const struct {
		int type;
		u32 def;
	} caps[] = {
		{ LDIR_CONFIG_A_CONN_MAX, ldir_conn_max_default() },
		{ LDIR_CONFIG_A_FPA_MAX, ldir_fpa_max_default() },
		{ LDIR_CONFIG_A_VIRTUAL_MAX, LDIR_VIRTUALS_MAX },
		{ LDIR_CONFIG_A_REAL_MAX, LDIR_REALS_MAX },
		{ LDIR_CONFIG_A_LINK_MAX, LDIR_LINKS_MAX },
		{ LDIR_CONFIG_A_BIND_MAX, LDIR_BINDS_MAX },
		/* 0, half of conn-max, is below any cap */
		{ LDIR_CONFIG_A_EMBRYONIC_MAX, ldir_conn_max_default() / 2 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		struct nlattr *a = tb[caps[i].type];

		if (a && nla_get_u32(a) > caps[i].def &&
		    !ldir_trust_is_admin(skb)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "only the host admin may raise a cap above the module's default");
			return -EPERM;
		}
	}
	return 0;
}

int ldir_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_CONFIG_A_MAX + 1];
	int i, ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_CONFIG, tb, LDIR_CONFIG_A_MAX,
				 ldir_nl_config_policy);
	if (ret)
		return ret;
	ret = caps_check(skb, info, tb);
	if (ret)
		return ret;
	if (tb[LDIR_CONFIG_A_CONN_MAX])
		WRITE_ONCE(ln->conn_max, nla_get_u32(tb[LDIR_CONFIG_A_CONN_MAX]));
	if (tb[LDIR_CONFIG_A_FPA_MAX])
		WRITE_ONCE(ln->fpa.max, nla_get_u32(tb[LDIR_CONFIG_A_FPA_MAX]));
	if (tb[LDIR_CONFIG_A_VIRTUAL_MAX])
		WRITE_ONCE(ln->virtual_max, nla_get_u32(tb[LDIR_CONFIG_A_VIRTUAL_MAX]));
	if (tb[LDIR_CONFIG_A_REAL_MAX])
		WRITE_ONCE(ln->real_max, nla_get_u32(tb[LDIR_CONFIG_A_REAL_MAX]));
	if (tb[LDIR_CONFIG_A_LINK_MAX])
		WRITE_ONCE(ln->link_max, nla_get_u32(tb[LDIR_CONFIG_A_LINK_MAX]));
	if (tb[LDIR_CONFIG_A_BIND_MAX])
		WRITE_ONCE(ln->bind_max, nla_get_u32(tb[LDIR_CONFIG_A_BIND_MAX]));
	if (tb[LDIR_CONFIG_A_EMBRYONIC_MAX])
		WRITE_ONCE(ln->embryonic_max,
			   nla_get_u32(tb[LDIR_CONFIG_A_EMBRYONIC_MAX]));
	if (tb[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE])
		WRITE_ONCE(ln->timeout_syn_pressure,
			   nla_get_u32(tb[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE]) * HZ);
	for (i = 0; i < ARRAY_SIZE(timeout_attr_state); i++) {
		struct nlattr *a = tb[timeout_attr_state[i][0]];

		if (a)
			WRITE_ONCE(ln->timeout[timeout_attr_state[i][1]],
				   nla_get_u32(a) * HZ);
	}
	if (tb[LDIR_CONFIG_A_SYN_RESENDS])
		WRITE_ONCE(ln->syn_resends,
			   nla_get_u32(tb[LDIR_CONFIG_A_SYN_RESENDS]));
	if (tb[LDIR_CONFIG_A_SYN_RESEND_GAP_MS])
		WRITE_ONCE(ln->syn_resend_gap_ms,
			   nla_get_u32(tb[LDIR_CONFIG_A_SYN_RESEND_GAP_MS]));
	if (tb[LDIR_CONFIG_A_RETRY_INTERVAL])
		WRITE_ONCE(ln->retry_interval,
			   nla_get_u32(tb[LDIR_CONFIG_A_RETRY_INTERVAL]) * HZ);
	if (tb[LDIR_CONFIG_A_PR_AGE_DIV]) {
		struct ldir_real *r;

		WRITE_ONCE(ln->pr_age_div,
			   nla_get_u32(tb[LDIR_CONFIG_A_PR_AGE_DIV]));
		/* every pr key is made with k: all are to be placed again */
		list_for_each_entry(r, &ln->reals, node)
			ldir_real_changed(r);
	}
	if (tb[LDIR_CONFIG_A_PR_CLAMP_PCT])
		WRITE_ONCE(ln->pr_clamp_pct,
			   nla_get_u32(tb[LDIR_CONFIG_A_PR_CLAMP_PCT]));
	ldir_net_changed(ln);
	return 0;
}

static int put_config(struct sk_buff *skb, struct ldir_net *ln)
{
	struct nlattr *nest = nla_nest_start(skb, LDIR_A_CONFIG);
	int i;

	if (!nest ||
	    nla_put_u32(skb, LDIR_CONFIG_A_CONN_MAX, READ_ONCE(ln->conn_max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_CONN_COUNT,
			atomic_read(&ln->conns.count)))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(timeout_attr_state); i++) {
		/* SYN_RECV shares the SYN attribute: put it once */
		if (i && timeout_attr_state[i][0] == timeout_attr_state[i - 1][0])
			continue;
		if (nla_put_u32(skb, timeout_attr_state[i][0],
				READ_ONCE(ln->timeout[timeout_attr_state[i][1]]) /
				HZ))
			return -EMSGSIZE;
	}
	if (nla_put_u32(skb, LDIR_CONFIG_A_SYN_RESENDS,
			READ_ONCE(ln->syn_resends)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_RETRY_INTERVAL,
			READ_ONCE(ln->retry_interval) / HZ) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_PR_AGE_DIV,
			READ_ONCE(ln->pr_age_div)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_PR_CLAMP_PCT,
			READ_ONCE(ln->pr_clamp_pct)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_FPA_MAX, READ_ONCE(ln->fpa.max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_VIRTUAL_MAX,
			READ_ONCE(ln->virtual_max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_REAL_MAX, READ_ONCE(ln->real_max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_LINK_MAX, READ_ONCE(ln->link_max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_BIND_MAX, READ_ONCE(ln->bind_max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_SYN_RESEND_GAP_MS,
			READ_ONCE(ln->syn_resend_gap_ms)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_EMBRYONIC_MAX,
			READ_ONCE(ln->embryonic_max)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_EMBRYONIC_COUNT,
			atomic_read(&ln->conns.embryonic)) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE,
			READ_ONCE(ln->timeout_syn_pressure) / HZ) ||
	    nla_put_u32(skb, LDIR_CONFIG_A_PRESSURE, ldir_conn_pressure(ln)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Reads settings and counters; the lock only for the sums over objects. */
int ldir_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	u64 cnt[__LDIR_STATS_A_MAX], sum[LDIR_OS_MAX] = {};
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ldir_nl_family, 0,
				LDIR_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	ldir_stats_sum(ln->stats, cnt);
	mutex_lock(&ln->lock);
	ldir_net_totals(ln, sum);
	mutex_unlock(&ln->lock);
	ldir_totals_to_attrs(sum, cnt);
	if (ldir_nl_put_stats(msg, LDIR_A_STATS, cnt) || put_config(msg, ln))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Everything goes, the fast path's devices too (a save lists them, and
 * a restore after a flush adds them again); with CONNS_ONLY the conns.
 * The device set is under RTNL, which comes before ln->lock: taken here,
 * not by pre_doit().
 */
int ldir_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	bool conns_only = nla_get_flag(info->attrs[LDIR_A_FLUSH_CONNS_ONLY]);

	if (!conns_only)
		ldir_fastpath_dev_flush(ln);
	mutex_lock(&ln->lock);
	if (conns_only)
		ldir_conn_flush(ln, NULL, NULL, NULL);
	else
		ldir_objects_flush(ln);
	ldir_net_changed(ln);
	mutex_unlock(&ln->lock);
	return 0;
}
