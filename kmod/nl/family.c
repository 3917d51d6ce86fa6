// SPDX-License-Identifier: GPL-2.0
/*
 * The "ldir" generic netlink family: strict policies per operation, the
 * operations, and pre_doit()/post_doit(), which take the instance lock and
 * resolve the object a request names.
 */
#include <net/sock.h>

#include "nl.h"
#include "netlink.h"

/* not const: 6.1 policies point to a mutable range; and the u32 limits
 * do not fit the s16 of NLA_POLICY_RANGE/MAX
 */
static struct netlink_range_validation weight_range = {
	.min = 0,
	.max = LDIR_WEIGHT_MAX,
};

static struct netlink_range_validation timeout_range = {
	.min = 1,
	.max = LDIR_TIMEOUT_MAX,
};

/* the GC compares ages in u32 microseconds */
static struct netlink_range_validation syn_pressure_range = {
	.min = 1,
	.max = 3600,
};

static struct netlink_range_validation idle_range = {
	.min = 0,
	.max = LDIR_TIMEOUT_MAX,
};

static struct netlink_range_validation syn_thr_range = {
	.min = 1,
	.max = 65535,
};

static struct netlink_range_validation fail_thr_range = {
	.min = 0,
	.max = 65535,
};

static struct netlink_range_validation resends_range = {
	.min = 1,
	.max = 255,
};

static struct netlink_range_validation resend_gap_range = {
	.min = 0,
	.max = 60000,
};

static struct netlink_range_validation age_div_range = {
	.min = 1,
	.max = 1000000,
};

static struct netlink_range_validation pct_range = {
	.min = 1,
	.max = 100,
};

static struct netlink_range_validation fpa_interval_range = {
	.min = 0,
	.max = LDIR_TIMEOUT_MAX,
};

/* A virtual or a real named inside another object (a link's, a bind's,
 * a backup, the FPAs to flush) is a key: strict parsing refuses any other
 * attribute there ("Unsupported attribute"), rather than ignore a
 * setting the sender thought would apply.
 */
const struct nla_policy ldir_nl_virtual_key_policy[LDIR_VIRTUAL_A_MAX + 1] = {
	[LDIR_VIRTUAL_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_VIRTUAL_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_VIRTUAL_A_PORT]		= { .type = NLA_BE16 },
	[LDIR_VIRTUAL_A_PROTOCOL]	= { .type = NLA_U8 },
	[LDIR_VIRTUAL_A_BIND_ID]	= { .type = NLA_U32 },
};

const struct nla_policy ldir_nl_real_key_policy[LDIR_REAL_A_MAX + 1] = {
	[LDIR_REAL_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_REAL_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_REAL_A_PORT]		= { .type = NLA_BE16 },
};

const struct nla_policy ldir_nl_virtual_policy[LDIR_VIRTUAL_A_MAX + 1] = {
	[LDIR_VIRTUAL_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_VIRTUAL_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_VIRTUAL_A_PORT]		= { .type = NLA_BE16 },
	[LDIR_VIRTUAL_A_PROTOCOL]	= { .type = NLA_U8 },
	[LDIR_VIRTUAL_A_BIND_ID]	= { .type = NLA_U32 },
	[LDIR_VIRTUAL_A_SCHED]		= { .type = NLA_STRING,
					    .len = LDIR_SCHED_NAME_MAX - 1 },
	[LDIR_VIRTUAL_A_STATE]		= NLA_POLICY_RANGE(NLA_U8,
							   LDIR_STATE_IN,
							   LDIR_STATE_OUT),
	[LDIR_VIRTUAL_A_NLINKS]		= { .type = NLA_REJECT },
	[LDIR_VIRTUAL_A_CONNS]		= { .type = NLA_REJECT },
	[LDIR_VIRTUAL_A_STATS]		= { .type = NLA_REJECT },
	[LDIR_VIRTUAL_A_STARTUP]	= NLA_POLICY_MAX(NLA_U8, LDIR_STARTUP_MAX),
	[LDIR_VIRTUAL_A_STARTUP_PCT]	= NLA_POLICY_RANGE(NLA_U8, 1, 100),
	[LDIR_VIRTUAL_A_STARTUP_WINDOW]	= NLA_POLICY_RANGE(NLA_U16, 1,
							   LDIR_STARTUP_WINDOW_MAX),
	/* a key (virtual.c); empty = none */
	[LDIR_VIRTUAL_A_BACKUP]		= NLA_POLICY_NESTED(ldir_nl_virtual_key_policy),
	[LDIR_VIRTUAL_A_FAILED]		= { .type = NLA_REJECT },
	[LDIR_VIRTUAL_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32,
							  LDIR_VIRTUAL_F_ALL),
	[LDIR_VIRTUAL_A_FPA_INTERVAL]	= NLA_POLICY_FULL_RANGE(NLA_U32,
								&fpa_interval_range),
	[LDIR_VIRTUAL_A_FPA_MASK]	= NLA_POLICY_MAX(NLA_U8,
							 LDIR_PREFIX_LEN_MAX),
	[LDIR_VIRTUAL_A_OVERFLOW]	= NLA_POLICY_MAX(NLA_U8, 1),
	[LDIR_VIRTUAL_A_NBINDS]		= { .type = NLA_REJECT },
};

const struct nla_policy ldir_nl_real_policy[LDIR_REAL_A_MAX + 1] = {
	[LDIR_REAL_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_REAL_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_REAL_A_PORT]		= { .type = NLA_BE16 },
	[LDIR_REAL_A_WEIGHT]		= NLA_POLICY_FULL_RANGE(NLA_U32,
								&weight_range),
	[LDIR_REAL_A_MAX_CONNS]		= { .type = NLA_U32 },
	[LDIR_REAL_A_STATE]		= NLA_POLICY_RANGE(NLA_U8,
							   LDIR_STATE_IN,
							   LDIR_STATE_OUT),
	[LDIR_REAL_A_ACTIVE]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_CONNS]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_NLINKS]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_STATS]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_SYN_THRESHOLD]	= NLA_POLICY_FULL_RANGE(NLA_U32,
								&syn_thr_range),
	[LDIR_REAL_A_FAIL_THRESHOLD]	= NLA_POLICY_FULL_RANGE(NLA_U32,
								&fail_thr_range),
	[LDIR_REAL_A_IDLE_TIMEOUT]	= NLA_POLICY_FULL_RANGE(NLA_U32,
								&idle_range),
	/* a key (real.c); empty = none */
	[LDIR_REAL_A_BACKUP]		= NLA_POLICY_NESTED(ldir_nl_real_key_policy),
	[LDIR_REAL_A_UNANSWERED]	= { .type = NLA_REJECT },
	[LDIR_REAL_A_DITCHED]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_DITCH_CONSEC]	= { .type = NLA_REJECT },
	[LDIR_REAL_A_RESPONSE_US]	= { .type = NLA_REJECT },
	[LDIR_REAL_A_AGE_MS]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_PR]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_RETRY_MS]		= { .type = NLA_REJECT },
};

const struct nla_policy ldir_nl_link_policy[LDIR_LINK_A_MAX + 1] = {
	[LDIR_LINK_A_VIRTUAL]		= NLA_POLICY_NESTED(ldir_nl_virtual_key_policy),
	[LDIR_LINK_A_REAL]		= NLA_POLICY_NESTED(ldir_nl_real_key_policy),
	[LDIR_LINK_A_PORT]		= { .type = NLA_BE16 },
	[LDIR_LINK_A_ACTIVE]		= { .type = NLA_REJECT },
	[LDIR_LINK_A_CONNS]		= { .type = NLA_REJECT },
	[LDIR_LINK_A_STATS]		= { .type = NLA_REJECT },
};

const struct nla_policy ldir_nl_bind_policy[LDIR_BIND_A_MAX + 1] = {
	[LDIR_BIND_A_VIRTUAL]		= NLA_POLICY_NESTED(ldir_nl_virtual_key_policy),
	[LDIR_BIND_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_BIND_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_BIND_A_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U8,
							 LDIR_PREFIX_LEN_MAX),
};

const struct nla_policy ldir_nl_config_policy[LDIR_CONFIG_A_MAX + 1] = {
	[LDIR_CONFIG_A_CONN_MAX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[LDIR_CONFIG_A_CONN_COUNT]	= { .type = NLA_REJECT },
	[LDIR_CONFIG_A_TIMEOUT_SYN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_TIMEOUT_EST]	= NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_TIMEOUT_FIN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_TIMEOUT_TIME_WAIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_TIMEOUT_CLOSE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_TIMEOUT_UDP]	= NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_SYN_RESENDS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &resends_range),
	[LDIR_CONFIG_A_RETRY_INTERVAL]	= NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[LDIR_CONFIG_A_PR_AGE_DIV]	= NLA_POLICY_FULL_RANGE(NLA_U32, &age_div_range),
	[LDIR_CONFIG_A_PR_CLAMP_PCT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &pct_range),
	[LDIR_CONFIG_A_FPA_MAX]		= { .type = NLA_U32 },
	[LDIR_CONFIG_A_VIRTUAL_MAX]	= { .type = NLA_U32 },
	[LDIR_CONFIG_A_REAL_MAX]	= { .type = NLA_U32 },
	[LDIR_CONFIG_A_LINK_MAX]	= { .type = NLA_U32 },
	[LDIR_CONFIG_A_BIND_MAX]	= { .type = NLA_U32 },
	[LDIR_CONFIG_A_SYN_RESEND_GAP_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &resend_gap_range),
	[LDIR_CONFIG_A_EMBRYONIC_MAX]	= { .type = NLA_U32 },
	[LDIR_CONFIG_A_EMBRYONIC_COUNT]	= { .type = NLA_REJECT },
	[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&syn_pressure_range),
	[LDIR_CONFIG_A_PRESSURE]	= { .type = NLA_REJECT },
};

const struct nla_policy ldir_nl_fastpath_policy[LDIR_FASTPATH_A_MAX + 1] = {
	/* IFNAMSIZ - 1, spelled out for the spec check */
	[LDIR_FASTPATH_A_IFNAME]	= { .type = NLA_STRING, .len = 15 },
	[LDIR_FASTPATH_A_IFINDEX]	= { .type = NLA_REJECT },
};

/* A conn: a sync record to insert (CONN_NEW) or a tuple to remove
 * (CONN_DEL); nl/conn.c says which attributes each requires.
 */
const struct nla_policy ldir_nl_conn_policy[LDIR_CONN_A_MAX + 1] = {
	[LDIR_CONN_A_PROTOCOL]		= { .type = NLA_U8 },
	[LDIR_CONN_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_CONN_A_CLIENT_ADDR]	= NLA_POLICY_EXACT_LEN(16),
	[LDIR_CONN_A_CLIENT_PORT]	= { .type = NLA_BE16 },
	[LDIR_CONN_A_VIRTUAL_ADDR]	= NLA_POLICY_EXACT_LEN(16),
	[LDIR_CONN_A_VIRTUAL_PORT]	= { .type = NLA_BE16 },
	[LDIR_CONN_A_REAL_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_CONN_A_REAL_PORT]		= { .type = NLA_BE16 },
	[LDIR_CONN_A_STATE]		= NLA_POLICY_MAX(NLA_U8, LDIR_CONN_S_MAX),
	[LDIR_CONN_A_EXPIRES_MS]	= { .type = NLA_U32 },
	[LDIR_CONN_A_VIRTUAL]		= NLA_POLICY_NESTED(ldir_nl_virtual_key_policy),
	[LDIR_CONN_A_REAL]		= NLA_POLICY_NESTED(ldir_nl_real_key_policy),
	[LDIR_CONN_A_DIGEST]		= { .type = NLA_U64 },
	[LDIR_CONN_A_REMOVED]		= { .type = NLA_FLAG },
};

/* Each operation accepts only the attributes it uses. */
static const struct nla_policy virtual_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_VIRTUAL]	= NLA_POLICY_NESTED(ldir_nl_virtual_policy),
};

static const struct nla_policy real_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_REAL]		= NLA_POLICY_NESTED(ldir_nl_real_policy),
};

/* only a deletion has live conns to drop */
static const struct nla_policy real_del_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_REAL]		= NLA_POLICY_NESTED(ldir_nl_real_policy),
	[LDIR_A_FLUSH]		= { .type = NLA_FLAG },
};

static const struct nla_policy link_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_LINK]		= NLA_POLICY_NESTED(ldir_nl_link_policy),
};

static const struct nla_policy link_del_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_LINK]		= NLA_POLICY_NESTED(ldir_nl_link_policy),
	[LDIR_A_FLUSH]		= { .type = NLA_FLAG },
};

static const struct nla_policy config_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_CONFIG]		= NLA_POLICY_NESTED(ldir_nl_config_policy),
};

static const struct nla_policy flush_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_FLUSH_CONNS_ONLY] = { .type = NLA_FLAG },
};

static const struct nla_policy bind_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_BIND]		= NLA_POLICY_NESTED(ldir_nl_bind_policy),
};

/* FPA_FLUSH: the virtual is optional */
static const struct nla_policy fpa_flush_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_VIRTUAL]	= NLA_POLICY_NESTED(ldir_nl_virtual_key_policy),
};

static const struct nla_policy fastpath_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_FASTPATH]	= NLA_POLICY_NESTED(ldir_nl_fastpath_policy),
};

static const struct nla_policy conn_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_CONN]		= NLA_POLICY_NESTED(ldir_nl_conn_policy),
};

static const struct nla_policy conn_get_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_SYNCABLE]	= { .type = NLA_FLAG },
};

static const struct nla_policy none_op_policy[LDIR_A_MAX + 1] = {
};

/* ---- requests -------------------------------------------------------- */

/* Who may: the ops' GENL_UNS_ADMIN_PERM keeps out whoever lacks
 * CAP_NET_ADMIN over the netns's owner; ldir_trust_check() then asks for
 * it in the initial user namespace, unless the host admin delegated.
 */
static int request_begin(const struct sk_buff *skb, struct net *net,
			 struct netlink_ext_ack *extack)
{
	int ret;

	ret = ldir_trust_check(skb, net, extack);
	if (ret)
		return ret;
	/* the first request in a netns makes its instance */
	if (!ldir_net_create(net)) {
		NL_SET_ERR_MSG_MOD(extack, "cannot allocate the netns's instance");
		return -ENOMEM;
	}
	return 0;
}

/* The object the request names, per the op's internal_flags, into
 * info->user_ptr[]. Caller holds ln->lock.
 */
static int resolve(struct ldir_net *ln, u8 flags, struct genl_info *info)
{
	struct nlattr *vnest = info->attrs[LDIR_A_VIRTUAL];
	struct ldir_virtual *v = NULL;
	struct ldir_real *r = NULL;
	int ret;

	if (flags & NL_F_VIRTUAL && GENL_REQ_ATTR_CHECK(info, LDIR_A_VIRTUAL))
		return -EINVAL;
	if (flags & (NL_F_VIRTUAL | NL_F_VIRTUAL_OPT) && vnest) {
		v = ldir_nl_virtual_lookup(ln, info->extack, vnest);
		if (IS_ERR(v))
			return PTR_ERR(v);
	} else if (flags & NL_F_BIND) {
		v = ldir_nl_bind_lookup(ln, info);
		if (IS_ERR(v))
			return PTR_ERR(v);
	} else if (flags & NL_F_REAL) {
		r = ldir_nl_real_lookup(ln, info);
		if (IS_ERR(r))
			return PTR_ERR(r);
		info->user_ptr[0] = r;
		return 0;
	} else if (flags & NL_F_LINK) {
		ret = ldir_nl_link_lookup(ln, info, &v, &r);
		if (ret)
			return ret;
	}
	info->user_ptr[0] = v;
	info->user_ptr[1] = r;
	return 0;
}

static int pre_doit(const struct LDIR_GENL_OPS *ops, struct sk_buff *skb,
		    struct genl_info *info)
{
	struct ldir_net *ln;
	int ret;

	ret = request_begin(skb, genl_info_net(info), info->extack);
	if (ret || !(ops->internal_flags & NL_F_LOCK))
		return ret;
	ln = ldir_nl_ln(info);
	mutex_lock(&ln->lock);
	ret = resolve(ln, ops->internal_flags, info);
	/* no post_doit() after a failed pre_doit() */
	if (ret)
		mutex_unlock(&ln->lock);
	return ret;
}

static void post_doit(const struct LDIR_GENL_OPS *ops, struct sk_buff *skb,
		      struct genl_info *info)
{
	if (ops->internal_flags & NL_F_LOCK)
		mutex_unlock(&ldir_nl_ln(info)->lock);
}

/* A dump's pre_doit(): genetlink calls .start for dumps only and
 * pre_doit() for doit only (6.1 gives .start no extack: the refusal
 * carries no message there). Each dump takes the lock it needs itself.
 */
static int dump_start(struct netlink_callback *cb)
{
	return request_begin(cb->skb, sock_net(cb->skb->sk), cb->extack);
}

/* ---- family ---------------------------------------------------------- */

#define LDIR_DO(_cmd, _doit, _policy, _flags) {				\
	.cmd = _cmd, .doit = _doit,					\
	.policy = _policy, .maxattr = LDIR_A_MAX,			\
	.internal_flags = _flags,					\
	.flags = GENL_UNS_ADMIN_PERM,					\
}

#define LDIR_DUMP_P(_cmd, _dumpit, _policy) {				\
	.cmd = _cmd, .dumpit = _dumpit, .start = dump_start,		\
	.policy = _policy, .maxattr = LDIR_A_MAX,			\
	.flags = GENL_UNS_ADMIN_PERM,					\
}

#define LDIR_DUMP(_cmd, _dumpit) LDIR_DUMP_P(_cmd, _dumpit, none_op_policy)

static const struct genl_ops ldir_ops[] = {
	LDIR_DO(LDIR_CMD_VIRTUAL_NEW, ldir_nl_virtual_new, virtual_op_policy,
		NL_F_LOCK),
	LDIR_DO(LDIR_CMD_VIRTUAL_SET, ldir_nl_virtual_set, virtual_op_policy,
		NL_F_LOCK | NL_F_VIRTUAL),
	LDIR_DO(LDIR_CMD_VIRTUAL_DEL, ldir_nl_virtual_del, virtual_op_policy,
		NL_F_LOCK | NL_F_VIRTUAL),
	LDIR_DUMP(LDIR_CMD_VIRTUAL_GET, ldir_nl_virtual_dump),
	LDIR_DO(LDIR_CMD_REAL_NEW, ldir_nl_real_new, real_op_policy,
		NL_F_LOCK),
	LDIR_DO(LDIR_CMD_REAL_SET, ldir_nl_real_set, real_op_policy,
		NL_F_LOCK | NL_F_REAL),
	LDIR_DO(LDIR_CMD_REAL_DEL, ldir_nl_real_del, real_del_op_policy,
		NL_F_LOCK | NL_F_REAL),
	LDIR_DUMP(LDIR_CMD_REAL_GET, ldir_nl_real_dump),
	LDIR_DO(LDIR_CMD_LINK_NEW, ldir_nl_link_new, link_op_policy,
		NL_F_LOCK | NL_F_LINK),
	LDIR_DO(LDIR_CMD_LINK_DEL, ldir_nl_link_del, link_del_op_policy,
		NL_F_LOCK | NL_F_LINK),
	LDIR_DUMP(LDIR_CMD_LINK_GET, ldir_nl_link_dump),
	LDIR_DUMP_P(LDIR_CMD_CONN_GET, ldir_nl_conn_dump, conn_get_op_policy),
	/* settings and counters, read without the lock */
	LDIR_DO(LDIR_CMD_STATS_GET, ldir_nl_stats_get, none_op_policy, 0),
	LDIR_DO(LDIR_CMD_CONFIG_SET, ldir_nl_config_set, config_op_policy,
		NL_F_LOCK),
	/* the fast path's devices too: RTNL before ln->lock, in the op */
	LDIR_DO(LDIR_CMD_FLUSH, ldir_nl_flush, flush_op_policy, 0),
	LDIR_DO(LDIR_CMD_BIND_NEW, ldir_nl_bind_new, bind_op_policy,
		NL_F_LOCK | NL_F_BIND),
	LDIR_DO(LDIR_CMD_BIND_DEL, ldir_nl_bind_del, bind_op_policy,
		NL_F_LOCK | NL_F_BIND),
	LDIR_DUMP(LDIR_CMD_BIND_GET, ldir_nl_bind_dump),
	LDIR_DUMP(LDIR_CMD_FPA_GET, ldir_nl_fpa_dump),
	LDIR_DO(LDIR_CMD_FPA_FLUSH, ldir_nl_fpa_flush, fpa_flush_op_policy,
		NL_F_LOCK | NL_F_VIRTUAL_OPT),
	/* the device set is under RTNL (fastpath.c), not ln->lock */
	LDIR_DO(LDIR_CMD_FASTPATH_NEW, ldir_nl_fastpath_new, fastpath_op_policy,
		0),
	LDIR_DO(LDIR_CMD_FASTPATH_DEL, ldir_nl_fastpath_del, fastpath_op_policy,
		0),
	LDIR_DUMP(LDIR_CMD_FASTPATH_GET, ldir_nl_fastpath_dump),
	/* conns learned from a peer: checked against the model */
	LDIR_DO(LDIR_CMD_CONN_NEW, ldir_nl_conn_new, conn_op_policy,
		NL_F_LOCK),
	LDIR_DO(LDIR_CMD_CONN_DEL, ldir_nl_conn_del, conn_op_policy,
		NL_F_LOCK),
};

static const struct genl_multicast_group ldir_mcgrps[] = {
	[LDIR_NL_MCGRP_EVENTS] = { .name = LDIR_GENL_MCGRP_EVENTS,
				   .flags = LDIR_MCGRP_F_ADMIN },
	/* the conns themselves: no less than the events */
	[LDIR_NL_MCGRP_SYNC] = { .name = LDIR_GENL_MCGRP_SYNC,
				 .flags = LDIR_MCGRP_F_ADMIN },
};

struct genl_family ldir_nl_family __ro_after_init = {
	.name = LDIR_GENL_NAME,
	.version = LDIR_GENL_VERSION,
	.maxattr = LDIR_A_MAX,
	.netnsok = true,
	/* no genl_mutex, which every non-parallel family on the host
	 * shares: each operation takes its netns's ln->lock, and only
	 * stats and the conn and FPA dumps (RCU) do without
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.pre_doit = pre_doit,
	.post_doit = post_doit,
	.ops = ldir_ops,
	.n_ops = ARRAY_SIZE(ldir_ops),
	/* no resv_start_op: every command is validated strictly (no
	 * reserved header byte, no nlmsg_flags but REQUEST, ACK, ECHO and
	 * DUMP, no unknown attribute, no trailing data)
	 */
	.mcgrps = ldir_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ldir_mcgrps),
};

int __init ldir_netlink_init(void)
{
	int ret = genl_register_family(&ldir_nl_family);

	if (!ret)
		ldir_nl_sync_start();
	return ret;
}

void ldir_netlink_uninit(void)
{
	ldir_nl_sync_stop();
	genl_unregister_family(&ldir_nl_family);
}
