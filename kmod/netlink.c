// SPDX-License-Identifier: GPL-2.0
/*
 * The "ldir" generic netlink family: strict per-operation policies, every
 * rejection explained through extack, consistent dumps.
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "netlink.h"
#include "model.h"
#include "select.h"
#include "conntab.h"
#include "health.h"
#include "trust.h"

static struct genl_family ldir_family;

/* ---- policies ---------------------------------------------------------- */

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
static const struct nla_policy virtual_key_policy[LDIR_VIRTUAL_A_MAX + 1] = {
	[LDIR_VIRTUAL_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_VIRTUAL_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_VIRTUAL_A_PORT]		= { .type = NLA_BE16 },
	[LDIR_VIRTUAL_A_PROTOCOL]	= { .type = NLA_U8 },
	[LDIR_VIRTUAL_A_BIND_ID]	= { .type = NLA_U32 },
};

static const struct nla_policy real_key_policy[LDIR_REAL_A_MAX + 1] = {
	[LDIR_REAL_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_REAL_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_REAL_A_PORT]		= { .type = NLA_BE16 },
};

static const struct nla_policy virtual_policy[LDIR_VIRTUAL_A_MAX + 1] = {
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
	/* a key (parse_backup_virtual()); empty = none */
	[LDIR_VIRTUAL_A_BACKUP]		= NLA_POLICY_NESTED(virtual_key_policy),
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

static const struct nla_policy real_policy[LDIR_REAL_A_MAX + 1] = {
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
	/* a key (parse_backup_real()); empty = none */
	[LDIR_REAL_A_BACKUP]		= NLA_POLICY_NESTED(real_key_policy),
	[LDIR_REAL_A_UNANSWERED]	= { .type = NLA_REJECT },
	[LDIR_REAL_A_DITCHED]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_DITCH_CONSEC]	= { .type = NLA_REJECT },
	[LDIR_REAL_A_RESPONSE_US]	= { .type = NLA_REJECT },
	[LDIR_REAL_A_AGE_MS]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_PR]		= { .type = NLA_REJECT },
	[LDIR_REAL_A_RETRY_MS]		= { .type = NLA_REJECT },
};

static const struct nla_policy link_policy[LDIR_LINK_A_MAX + 1] = {
	[LDIR_LINK_A_VIRTUAL]		= NLA_POLICY_NESTED(virtual_key_policy),
	[LDIR_LINK_A_REAL]		= NLA_POLICY_NESTED(real_key_policy),
	[LDIR_LINK_A_PORT]		= { .type = NLA_BE16 },
	[LDIR_LINK_A_ACTIVE]		= { .type = NLA_REJECT },
	[LDIR_LINK_A_CONNS]		= { .type = NLA_REJECT },
	[LDIR_LINK_A_STATS]		= { .type = NLA_REJECT },
};

static const struct nla_policy bind_policy[LDIR_BIND_A_MAX + 1] = {
	[LDIR_BIND_A_VIRTUAL]		= NLA_POLICY_NESTED(virtual_key_policy),
	[LDIR_BIND_A_FAMILY]		= { .type = NLA_U16 },
	[LDIR_BIND_A_ADDR]		= NLA_POLICY_EXACT_LEN(16),
	[LDIR_BIND_A_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U8,
							 LDIR_PREFIX_LEN_MAX),
};

static const struct nla_policy config_policy[LDIR_CONFIG_A_MAX + 1] = {
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

/* Each operation accepts only the attributes it uses. */
static const struct nla_policy virtual_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_VIRTUAL]	= NLA_POLICY_NESTED(virtual_policy),
};

static const struct nla_policy real_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_REAL]		= NLA_POLICY_NESTED(real_policy),
	[LDIR_A_FLUSH]		= { .type = NLA_FLAG },
};

static const struct nla_policy link_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_LINK]		= NLA_POLICY_NESTED(link_policy),
	[LDIR_A_FLUSH]		= { .type = NLA_FLAG },
};

static const struct nla_policy config_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_CONFIG]		= NLA_POLICY_NESTED(config_policy),
};

static const struct nla_policy flush_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_FLUSH_CONNS_ONLY] = { .type = NLA_FLAG },
};

static const struct nla_policy bind_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_BIND]		= NLA_POLICY_NESTED(bind_policy),
};

/* FPA_FLUSH: the virtual is optional */
static const struct nla_policy fpa_flush_op_policy[LDIR_A_MAX + 1] = {
	[LDIR_A_VIRTUAL]	= NLA_POLICY_NESTED(virtual_key_policy),
};

static const struct nla_policy none_op_policy[LDIR_A_MAX + 1] = {
};

/* ---- parsing helpers --------------------------------------------------- */

static struct ldir_net *info_ln(struct genl_info *info)
{
	return ldir_pernet(genl_info_net(info));
}

/* Parses a nested object of @maxtype under @policy into @tb; the nest is
 * required.
 */
static int parse_nest(struct genl_info *info, int type, struct nlattr **tb,
		      int maxtype, const struct nla_policy *policy)
{
	if (GENL_REQ_ATTR_CHECK(info, type))
		return -EINVAL;
	return nla_parse_nested(tb, maxtype, info->attrs[type], policy,
				info->extack);
}

/* An address: FAMILY + ADDR, both required. Only IPv4 has a datapath so
 * far; IPv6 is refused rather than silently ignored.
 */
static int parse_addr(struct netlink_ext_ack *extack, struct nlattr *nest,
		      struct nlattr **tb, int fam_type, int addr_type,
		      u16 *family, union nf_inet_addr *addr, bool unicast)
{
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, fam_type) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, addr_type))
		return -EINVAL;
	*family = nla_get_u16(tb[fam_type]);
	if (*family != AF_INET) {
		if (*family == AF_INET6)
			NL_SET_ERR_MSG_ATTR(extack, tb[fam_type],
					    "IPv6 is not supported yet");
		else
			NL_SET_ERR_MSG_ATTR(extack, tb[fam_type],
					    "address family must be AF_INET");
		return -EAFNOSUPPORT;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, tb[addr_type], sizeof(*addr));
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

struct vkey {
	u16 family;
	union nf_inet_addr addr;
	__be16 port;
	u8 protocol;
	u32 bind_id;
};

static int parse_vkey(struct netlink_ext_ack *extack, struct nlattr *nest,
		      struct nlattr **tb, struct vkey *k)
{
	int ret;

	ret = parse_addr(extack, nest, tb, LDIR_VIRTUAL_A_FAMILY,
			 LDIR_VIRTUAL_A_ADDR, &k->family, &k->addr, true);
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
	struct ldir_virtual *v;
	struct vkey k;
	int ret;

	ret = parse_vkey(extack, nest, tb, &k);
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
static int parse_backup_virtual(struct ldir_net *ln,
				struct netlink_ext_ack *extack,
				struct nlattr *attr,
				const struct vkey *self,
				struct ldir_virtual **out)
{
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	struct ldir_virtual *b;
	int ret;

	*out = NULL;
	if (!nla_len(attr))
		return 0;
	ret = nla_parse_nested(tb, LDIR_VIRTUAL_A_MAX, attr, virtual_key_policy,
			       extack);
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

/* As parse_backup_virtual(), for a real's BACKUP nest. */
static int parse_backup_real(struct ldir_net *ln,
			     struct netlink_ext_ack *extack,
			     struct nlattr *attr, const struct ldir_real *self,
			     struct ldir_real **out)
{
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	union nf_inet_addr addr;
	struct ldir_real *b;
	u16 family;
	__be16 port;
	int ret;

	*out = NULL;
	if (!nla_len(attr))
		return 0;
	ret = nla_parse_nested(tb, LDIR_REAL_A_MAX, attr, real_key_policy,
			       extack);
	if (ret)
		return ret;
	ret = parse_addr(extack, attr, tb, LDIR_REAL_A_FAMILY,
			 LDIR_REAL_A_ADDR, &family, &addr, true);
	if (ret)
		return ret;
	port = tb[LDIR_REAL_A_PORT] ? nla_get_be16(tb[LDIR_REAL_A_PORT]) : 0;
	b = ldir_real_find(ln, family, &addr, port);
	if (!b) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "backup real not found");
		return -ENOENT;
	}
	if (b == self) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a real cannot be its own backup");
		return -EINVAL;
	}
	*out = b;
	return 0;
}

/* Applies the optional settings of a virtual, once they are all known to
 * be valid.
 */
static void virtual_apply(struct ldir_net *ln, struct ldir_virtual *v,
			  struct nlattr **tb, struct ldir_virtual *backup)
{
	bool startup = false;

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
}

/* ---- virtuals ---------------------------------------------------------- */

/* Checks the FPA and overflow settings in @tb for a virtual of @family and
 * @bind_id, and makes room for FPAs: nothing changes if this fails.
 */
static int virtual_opts_check(struct ldir_net *ln,
			      struct netlink_ext_ack *extack,
			      struct nlattr **tb, u16 family, u32 bind_id)
{
	struct nlattr *a;

	a = tb[LDIR_VIRTUAL_A_FPA_MASK];
	if (a && nla_get_u8(a) > (family == AF_INET ? 32 : 128)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "FPA mask is longer than the address");
		return -EINVAL;
	}
	a = tb[LDIR_VIRTUAL_A_OVERFLOW];
	if (a && nla_get_u8(a) && !bind_id) {
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

static void virtual_opts_apply(struct ldir_net *ln, struct ldir_virtual *v,
			       struct nlattr **tb)
{
	struct nlattr *a;

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

static int virtual_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	const struct ldir_sched_ops *sched = &ldir_sched_wlc;
	struct ldir_virtual *v, *backup = NULL;
	struct vkey k;
	u32 flags = 0;
	int ret;

	ret = parse_nest(info, LDIR_A_VIRTUAL, tb, LDIR_VIRTUAL_A_MAX,
			 virtual_policy);
	if (ret)
		return ret;
	ret = parse_vkey(info->extack, info->attrs[LDIR_A_VIRTUAL], tb, &k);
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
	if ((flags & LDIR_VIRTUAL_F_STATELESS) && !ldir_sched_is_hash(sched)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[LDIR_VIRTUAL_A_SCHED],
				    "a stateless virtual needs a hashing scheduler (hash3, hash5, maglev)");
		return -EINVAL;
	}

	mutex_lock(&ln->lock);
	if (ldir_virtual_find(ln, k.family, &k.addr, k.port, k.protocol,
			      k.bind_id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_VIRTUAL],
				    "virtual already exists");
		ret = -EEXIST;
		goto out;
	}
	ret = virtual_opts_check(ln, info->extack, tb, k.family, k.bind_id);
	if (ret)
		goto out;
	if (tb[LDIR_VIRTUAL_A_BACKUP]) {
		ret = parse_backup_virtual(ln, info->extack,
					   tb[LDIR_VIRTUAL_A_BACKUP], &k,
					   &backup);
		if (ret)
			goto out;
	}
	v = ldir_virtual_create(ln, k.family, &k.addr, k.port, k.protocol,
				k.bind_id, flags, sched);
	if (IS_ERR(v)) {
		ret = PTR_ERR(v);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many virtuals");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create virtual");
		goto out;
	}
	virtual_apply(ln, v, tb, backup);
	virtual_opts_apply(ln, v, tb);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static int virtual_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	const struct ldir_sched_ops *sched = NULL;
	struct ldir_virtual *v, *backup = NULL;
	struct vkey k;
	int ret;

	ret = parse_nest(info, LDIR_A_VIRTUAL, tb, LDIR_VIRTUAL_A_MAX,
			 virtual_policy);
	if (ret)
		return ret;
	if (tb[LDIR_VIRTUAL_A_SCHED]) {
		sched = parse_sched(info->extack, tb[LDIR_VIRTUAL_A_SCHED]);
		if (!sched)
			return -ENOENT;
	}
	mutex_lock(&ln->lock);
	v = find_virtual(ln, info->extack, info->attrs[LDIR_A_VIRTUAL], tb);
	if (IS_ERR(v)) {
		ret = PTR_ERR(v);
		goto out;
	}
	if (tb[LDIR_VIRTUAL_A_FLAGS] &&
	    nla_get_u32(tb[LDIR_VIRTUAL_A_FLAGS]) != v->flags) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[LDIR_VIRTUAL_A_FLAGS],
				    "flags are fixed at creation: delete and add the virtual");
		ret = -EINVAL;
		goto out;
	}
	if (sched && (v->flags & LDIR_VIRTUAL_F_STATELESS) &&
	    !ldir_sched_is_hash(sched)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[LDIR_VIRTUAL_A_SCHED],
				    "a stateless virtual needs a hashing scheduler (hash3, hash5, maglev)");
		ret = -EINVAL;
		goto out;
	}
	if (tb[LDIR_VIRTUAL_A_BACKUP]) {
		k.family = v->family;
		k.addr = v->addr;
		k.port = v->port;
		k.protocol = v->protocol;
		k.bind_id = v->bind_id;
		ret = parse_backup_virtual(ln, info->extack,
					   tb[LDIR_VIRTUAL_A_BACKUP], &k,
					   &backup);
		if (ret)
			goto out;
	}
	ret = virtual_opts_check(ln, info->extack, tb, v->family, v->bind_id);
	if (ret)
		goto out;
	if (sched) {
		spin_lock_bh(&v->sched_lock);
		rcu_assign_pointer(v->sched, sched);
		v->rr_last = NULL;
		/* the next pick orders the links for the new scheme */
		v->tree_ops = NULL;
		spin_unlock_bh(&v->sched_lock);
	}
	virtual_apply(ln, v, tb, backup);
	virtual_opts_apply(ln, v, tb);
	ldir_net_changed(ln);
	ldir_hash_refresh_virtual(ln, v);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static int virtual_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	struct ldir_virtual *v;
	int ret;

	ret = parse_nest(info, LDIR_A_VIRTUAL, tb, LDIR_VIRTUAL_A_MAX,
			 virtual_policy);
	if (ret)
		return ret;
	mutex_lock(&ln->lock);
	v = find_virtual(ln, info->extack, info->attrs[LDIR_A_VIRTUAL], tb);
	if (IS_ERR(v))
		ret = PTR_ERR(v);
	else
		ldir_virtual_destroy(ln, v);
	mutex_unlock(&ln->lock);
	return ret;
}

/* ---- reals ------------------------------------------------------------- */

static int parse_real(struct genl_info *info, struct nlattr **tb, u16 *family,
		      union nf_inet_addr *addr, __be16 *port)
{
	int ret;

	ret = parse_nest(info, LDIR_A_REAL, tb, LDIR_REAL_A_MAX, real_policy);
	if (ret)
		return ret;
	ret = parse_addr(info->extack, info->attrs[LDIR_A_REAL], tb,
			 LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR, family, addr,
			 true);
	if (ret)
		return ret;
	*port = tb[LDIR_REAL_A_PORT] ? nla_get_be16(tb[LDIR_REAL_A_PORT]) : 0;
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

static int real_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	struct ldir_real *r, *backup = NULL;
	union nf_inet_addr addr;
	u16 family;
	__be16 port;
	int ret;

	ret = parse_real(info, tb, &family, &addr, &port);
	if (ret)
		return ret;
	mutex_lock(&ln->lock);
	if (ldir_real_find(ln, family, &addr, port)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_REAL],
				    "real already exists");
		ret = -EEXIST;
		goto out;
	}
	if (tb[LDIR_REAL_A_BACKUP]) {
		ret = parse_backup_real(ln, info->extack, tb[LDIR_REAL_A_BACKUP],
					NULL, &backup);
		if (ret)
			goto out;
	}
	r = ldir_real_create(ln, family, &addr, port);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many reals");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create real");
		goto out;
	}
	real_apply(ln, r, tb, backup);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static struct ldir_real *find_real(struct ldir_net *ln, struct genl_info *info,
				   struct nlattr **tb)
{
	union nf_inet_addr addr;
	struct ldir_real *r;
	u16 family;
	__be16 port;
	int ret;

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

static int real_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	struct ldir_real *r, *backup = NULL;
	int ret = 0;

	mutex_lock(&ln->lock);
	r = find_real(ln, info, tb);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		goto out;
	}
	if (tb[LDIR_REAL_A_BACKUP]) {
		ret = parse_backup_real(ln, info->extack, tb[LDIR_REAL_A_BACKUP],
					r, &backup);
		if (ret)
			goto out;
	}
	real_apply(ln, r, tb, backup);
	ldir_net_changed(ln);
	ldir_hash_refresh(ln);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static int real_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	struct ldir_real *r;
	int ret = 0;

	mutex_lock(&ln->lock);
	r = find_real(ln, info, tb);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		goto out;
	}
	ldir_real_destroy(ln, r);
	if (nla_get_flag(info->attrs[LDIR_A_FLUSH])) {
		/* conns being created for @r right now come first; then
		 * every conn it serves, as another real's backup too
		 */
		synchronize_net();
		ldir_conn_flush(ln, NULL, NULL, r);
	}
	ldir_hash_refresh(ln);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

/* ---- links ------------------------------------------------------------- */

static int find_link_ends(struct ldir_net *ln, struct genl_info *info,
			  struct nlattr **ltb, struct ldir_virtual **vp,
			  struct ldir_real **rp)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *vtb[LDIR_VIRTUAL_A_MAX + 1];
	struct nlattr *rtb[LDIR_REAL_A_MAX + 1];
	struct nlattr *lnest = info->attrs[LDIR_A_LINK];
	union nf_inet_addr addr;
	u16 family;
	__be16 port;
	int ret;

	ret = parse_nest(info, LDIR_A_LINK, ltb, LDIR_LINK_A_MAX, link_policy);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, lnest, ltb, LDIR_LINK_A_VIRTUAL) ||
	    NL_REQ_ATTR_CHECK(extack, lnest, ltb, LDIR_LINK_A_REAL))
		return -EINVAL;
	ret = nla_parse_nested(vtb, LDIR_VIRTUAL_A_MAX,
			       ltb[LDIR_LINK_A_VIRTUAL], virtual_key_policy,
			       extack);
	if (ret)
		return ret;
	*vp = find_virtual(ln, extack, ltb[LDIR_LINK_A_VIRTUAL], vtb);
	if (IS_ERR(*vp))
		return PTR_ERR(*vp);

	ret = nla_parse_nested(rtb, LDIR_REAL_A_MAX, ltb[LDIR_LINK_A_REAL],
			       real_key_policy, extack);
	if (ret)
		return ret;
	ret = parse_addr(extack, ltb[LDIR_LINK_A_REAL], rtb,
			 LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR, &family, &addr,
			 true);
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

static int link_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *ltb[LDIR_LINK_A_MAX + 1];
	struct ldir_virtual *v;
	struct ldir_link *l;
	struct ldir_real *r;
	__be16 port;
	int ret;

	mutex_lock(&ln->lock);
	ret = find_link_ends(ln, info, ltb, &v, &r);
	if (ret)
		goto out;
	if (ldir_link_find(ln, v, r)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_LINK],
				    "link already exists");
		ret = -EEXIST;
		goto out;
	}
	port = ltb[LDIR_LINK_A_PORT] ? nla_get_be16(ltb[LDIR_LINK_A_PORT]) : 0;
	if (!v->port && port && !r->port) {
		/* a port-0 virtual maps each port to the same port */
		NL_SET_ERR_MSG_ATTR(info->extack, ltb[LDIR_LINK_A_PORT],
				    "a virtual covering every port needs link port 0");
		ret = -EINVAL;
		goto out;
	}
	ret = ldir_stateless_link_check(ln, v, r, port, info->extack);
	if (ret)
		goto out;
	l = ldir_link_create(ln, v, r, port);
	if (IS_ERR(l)) {
		ret = PTR_ERR(l);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many links");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create link");
		goto out;
	}
	ret = ldir_stateless_link_add(ln, l);
	if (ret) {
		NL_SET_ERR_MSG_MOD(info->extack, "cannot create link");
		ldir_link_unlink(ln, l, false);
	}
	ldir_hash_refresh_virtual(ln, v);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static int link_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *ltb[LDIR_LINK_A_MAX + 1];
	struct ldir_virtual *v;
	struct ldir_link *l;
	struct ldir_real *r;
	__be16 port;
	int ret;

	mutex_lock(&ln->lock);
	ret = find_link_ends(ln, info, ltb, &v, &r);
	if (ret)
		goto out;
	l = ldir_link_find(ln, v, r);
	port = ltb[LDIR_LINK_A_PORT] ? nla_get_be16(ltb[LDIR_LINK_A_PORT]) : 0;
	/* a port names the link exactly; none (or 0) matches any */
	if (!l || (port && port != l->port)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_LINK],
				    "link not found");
		ret = -ENOENT;
		goto out;
	}
	ldir_link_unlink(ln, l, nla_get_flag(info->attrs[LDIR_A_FLUSH]));
	ldir_hash_refresh_virtual(ln, v);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

/* ---- config, stats, flush ---------------------------------------------- */

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

static int config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_CONFIG_A_MAX + 1];
	int i, ret;

	ret = parse_nest(info, LDIR_A_CONFIG, tb, LDIR_CONFIG_A_MAX,
			 config_policy);
	if (ret)
		return ret;
	ret = caps_check(skb, info, tb);
	if (ret)
		return ret;
	mutex_lock(&ln->lock);
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
	mutex_unlock(&ln->lock);
	return 0;
}

static int put_stats(struct sk_buff *skb, int type, const u64 *cnt)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = LDIR_STATS_A_CONNS; i <= LDIR_STATS_A_MAX; i++)
		if (i != LDIR_STATS_A_PAD &&
		    nla_put_u64_64bit(skb, i, cnt[i], LDIR_STATS_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
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

static int stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	u64 cnt[__LDIR_STATS_A_MAX] = {};
	u64 sum[LDIR_OS_MAX] = {};
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ldir_family, 0, LDIR_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	ldir_stats_sum(ln->stats, cnt);
	mutex_lock(&ln->lock);
	ldir_net_totals(ln, sum);
	mutex_unlock(&ln->lock);
	ldir_totals_to_attrs(sum, cnt);
	if (put_stats(msg, LDIR_A_STATS, cnt) || put_config(msg, ln))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);

	mutex_lock(&ln->lock);
	if (nla_get_flag(info->attrs[LDIR_A_FLUSH_CONNS_ONLY]))
		ldir_conn_flush(ln, NULL, NULL, NULL);
	else
		ldir_objects_flush(ln);
	ldir_net_changed(ln);
	mutex_unlock(&ln->lock);
	return 0;
}

/* ---- dumps ------------------------------------------------------------- */

static int put_addr(struct sk_buff *skb, int type, const union nf_inet_addr *a)
{
	return nla_put(skb, type, sizeof(*a), a);
}

static int put_vkey(struct sk_buff *skb, const struct ldir_virtual *v)
{
	if (nla_put_u16(skb, LDIR_VIRTUAL_A_FAMILY, v->family) ||
	    put_addr(skb, LDIR_VIRTUAL_A_ADDR, &v->addr) ||
	    nla_put_be16(skb, LDIR_VIRTUAL_A_PORT, v->port) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_PROTOCOL, v->protocol) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_BIND_ID, v->bind_id))
		return -EMSGSIZE;
	return 0;
}

static int put_rkey(struct sk_buff *skb, const struct ldir_real *r)
{
	if (nla_put_u16(skb, LDIR_REAL_A_FAMILY, r->family) ||
	    put_addr(skb, LDIR_REAL_A_ADDR, &r->addr) ||
	    nla_put_be16(skb, LDIR_REAL_A_PORT, r->port))
		return -EMSGSIZE;
	return 0;
}

static int fill_virtual(struct sk_buff *skb, struct ldir_net *ln,
			struct ldir_virtual *v)
{
	u64 cnt[__LDIR_STATS_A_MAX] = {};
	u64 sum[LDIR_OS_MAX] = {};
	struct ldir_virtual *backup;
	struct nlattr *nest;

	nest = nla_nest_start(skb, LDIR_A_VIRTUAL);
	if (!nest || put_vkey(skb, v) ||
	    nla_put_string(skb, LDIR_VIRTUAL_A_SCHED,
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
	if (backup) {
		struct nlattr *b = nla_nest_start(skb, LDIR_VIRTUAL_A_BACKUP);

		if (!b || put_vkey(skb, backup))
			return -EMSGSIZE;
		nla_nest_end(skb, b);
	}
	ldir_virtual_totals(v, sum);
	ldir_totals_to_attrs(sum, cnt);
	if (put_stats(skb, LDIR_VIRTUAL_A_STATS, cnt))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_real(struct sk_buff *skb, struct ldir_net *ln,
		     struct ldir_real *r)
{
	u64 now = ldir_now_us(), age = now - READ_ONCE(r->agestamp_us);
	long retry = (long)(READ_ONCE(r->retry_at) - jiffies);
	u8 state = READ_ONCE(r->state);
	u64 cnt[__LDIR_STATS_A_MAX] = {};
	u64 sum[LDIR_OS_MAX] = {};
	struct ldir_real *backup;
	struct nlattr *nest;

	nest = nla_nest_start(skb, LDIR_A_REAL);
	if (!nest || put_rkey(skb, r) ||
	    nla_put_u32(skb, LDIR_REAL_A_WEIGHT, r->weight) ||
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
	if (backup) {
		struct nlattr *b = nla_nest_start(skb, LDIR_REAL_A_BACKUP);

		if (!b || put_rkey(skb, backup))
			return -EMSGSIZE;
		nla_nest_end(skb, b);
	}
	ldir_real_totals(r, sum);
	ldir_totals_to_attrs(sum, cnt);
	if (put_stats(skb, LDIR_REAL_A_STATS, cnt))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_link(struct sk_buff *skb, struct ldir_net *ln,
		     const struct ldir_link *l)
{
	u64 cnt[__LDIR_STATS_A_MAX] = {};
	u64 sum[LDIR_OS_MAX] = {};
	struct nlattr *nest, *n;

	nest = nla_nest_start(skb, LDIR_A_LINK);
	if (!nest)
		return -EMSGSIZE;
	n = nla_nest_start(skb, LDIR_LINK_A_VIRTUAL);
	if (!n || put_vkey(skb, l->virt))
		return -EMSGSIZE;
	nla_nest_end(skb, n);
	n = nla_nest_start(skb, LDIR_LINK_A_REAL);
	if (!n || put_rkey(skb, l->real))
		return -EMSGSIZE;
	nla_nest_end(skb, n);
	if (nla_put_be16(skb, LDIR_LINK_A_PORT, l->port) ||
	    nla_put_u32(skb, LDIR_LINK_A_ACTIVE, atomic_read(&l->active)) ||
	    nla_put_u32(skb, LDIR_LINK_A_CONNS, atomic_read(&l->conns)))
		return -EMSGSIZE;
	ldir_link_totals(l, sum);
	ldir_totals_to_attrs(sum, cnt);
	if (put_stats(skb, LDIR_LINK_A_STATS, cnt))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

enum dump_kind { DUMP_VIRTUALS, DUMP_REALS, DUMP_LINKS };

/* Dumps one list of objects under the config lock; cb->args[0] is the
 * index to resume at, cb->seq the generation that dump_check compares.
 */
static int dump_objects(struct sk_buff *skb, struct netlink_callback *cb,
			enum dump_kind kind)
{
	struct ldir_net *ln = ldir_pernet(sock_net(cb->skb->sk));
	static const u8 cmds[] = { LDIR_CMD_VIRTUAL_GET, LDIR_CMD_REAL_GET,
				   LDIR_CMD_LINK_GET };
	struct list_head *head, *pos;
	long idx = 0, start = cb->args[0];
	int ret = 0;

	mutex_lock(&ln->lock);
	cb->seq = ln->gen;
	head = kind == DUMP_VIRTUALS ? &ln->virtuals :
	       kind == DUMP_REALS ? &ln->reals : &ln->links;
	list_for_each(pos, head) {
		void *hdr;

		if (idx++ < start)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ldir_family, NLM_F_MULTI,
				  cmds[kind]);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		if (kind == DUMP_VIRTUALS)
			ret = fill_virtual(skb, ln, list_entry(pos, struct ldir_virtual, node));
		else if (kind == DUMP_REALS)
			ret = fill_real(skb, ln, list_entry(pos, struct ldir_real, node));
		else
			ret = fill_link(skb, ln, list_entry(pos, struct ldir_link, node));
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

static int virtual_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, DUMP_VIRTUALS);
}

static int real_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, DUMP_REALS);
}

static int link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, DUMP_LINKS);
}

static int put_addr4(struct sk_buff *skb, int type, __be32 ip)
{
	union nf_inet_addr a = { .ip = ip };

	return put_addr(skb, type, &a);
}

static int fill_conn(struct sk_buff *skb, const struct ldir_conn *cp)
{
	long left = (long)(READ_ONCE(cp->expires) - jiffies);
	struct nlattr *nest = nla_nest_start(skb, LDIR_A_CONN);

	if (!nest ||
	    nla_put_u8(skb, LDIR_CONN_A_PROTOCOL, cp->protocol) ||
	    nla_put_u16(skb, LDIR_CONN_A_FAMILY, cp->family) ||
	    put_addr4(skb, LDIR_CONN_A_CLIENT_ADDR, cp->caddr.ip) ||
	    nla_put_be16(skb, LDIR_CONN_A_CLIENT_PORT, cp->cport) ||
	    put_addr4(skb, LDIR_CONN_A_VIRTUAL_ADDR, cp->vaddr.ip) ||
	    nla_put_be16(skb, LDIR_CONN_A_VIRTUAL_PORT, cp->vport) ||
	    put_addr4(skb, LDIR_CONN_A_REAL_ADDR, cp->raddr.ip) ||
	    nla_put_be16(skb, LDIR_CONN_A_REAL_PORT, cp->rport) ||
	    nla_put_u8(skb, LDIR_CONN_A_STATE, READ_ONCE(cp->state)) ||
	    nla_put_u32(skb, LDIR_CONN_A_EXPIRES_MS,
			left > 0 ? jiffies_to_msecs(left) : 0))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Dumps a live table (conns, FPAs) from the cursor (bucket, position) in
 * cb->args: its objects come and go with the traffic, so there is no
 * generation check. @next returns the object at the cursor and moves it
 * on; @fill writes it.
 */
static int cursor_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 cmd,
		       const void *(*next)(struct ldir_net *ln,
					   unsigned int *bucket,
					   unsigned int *idx),
		       int (*fill)(struct sk_buff *skb, const void *obj))
{
	struct ldir_net *ln = ldir_pernet(sock_net(cb->skb->sk));
	unsigned int bucket = cb->args[0], idx = cb->args[1];
	const void *obj;
	int n = 0;

	rcu_read_lock();
	for (;;) {
		unsigned int b = bucket, i = idx;
		void *hdr;

		obj = next(ln, &bucket, &idx);
		if (!obj)
			break;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ldir_family, NLM_F_MULTI,
				  cmd);
		if (!hdr || fill(skb, obj)) {
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

static const void *conn_next(struct ldir_net *ln, unsigned int *bucket,
			     unsigned int *idx)
{
	return ldir_conn_dump_next(ln, bucket, idx);
}

static int conn_fill(struct sk_buff *skb, const void *obj)
{
	return fill_conn(skb, obj);
}

static int conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return cursor_dump(skb, cb, LDIR_CMD_CONN_GET, conn_next, conn_fill);
}

/* ---- events ------------------------------------------------------------ */

static void event_send(struct ldir_net *ln, u8 type,
		       const struct ldir_virtual *v, const struct ldir_real *r)
{
	struct nlattr *ev, *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ldir_family, 0, LDIR_CMD_EVENT);
	if (!hdr)
		goto nospace;
	ev = nla_nest_start(msg, LDIR_A_EVENT);
	if (!ev || nla_put_u8(msg, LDIR_EVENT_A_TYPE, type))
		goto nospace;
	if (r) {
		nest = nla_nest_start(msg, LDIR_EVENT_A_REAL);
		if (!nest || put_rkey(msg, r) ||
		    nla_put_u8(msg, LDIR_REAL_A_STATE, READ_ONCE(r->state)) ||
		    nla_put_u32(msg, LDIR_REAL_A_DITCHED,
				atomic_read(&r->ditched)))
			goto nospace;
		nla_nest_end(msg, nest);
	}
	if (v) {
		nest = nla_nest_start(msg, LDIR_EVENT_A_VIRTUAL);
		if (!nest || put_vkey(msg, v))
			goto nospace;
		nla_nest_end(msg, nest);
	}
	if ((type == LDIR_EVENT_PRESSURE_START ||
	     type == LDIR_EVENT_PRESSURE_END) &&
	    (nla_put_u32(msg, LDIR_EVENT_A_CONN_COUNT,
			 atomic_read(&ln->conns.count)) ||
	     nla_put_u32(msg, LDIR_EVENT_A_EMBRYONIC,
			 atomic_read(&ln->conns.embryonic))))
		goto nospace;
	nla_nest_end(msg, ev);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ldir_family, ln->net, msg, 0, 0, GFP_KERNEL);
	return;
nospace:
	nlmsg_free(msg);
}

/* Reports what changed since the last run: reals failed by the packet
 * path or recovered by a probe, states set by hand, virtuals whose reals
 * all failed. Comparing with the last reported state, rather than
 * queueing each change, coalesces a burst into one event per object.
 */
void ldir_event_work(struct work_struct *work)
{
	struct ldir_net *ln = container_of(work, struct ldir_net, event_work);
	struct ldir_virtual *v;
	struct mem_cgroup *prev_memcg;
	bool changed = false;
	struct ldir_real *r;

	prev_memcg = ldir_charge_begin(ln);
	mutex_lock(&ln->lock);
	list_for_each_entry(r, &ln->reals, node) {
		u8 state = READ_ONCE(r->state), old = r->reported_state;
		u8 type;

		if (state == old)
			continue;
		r->reported_state = state;
		changed = true;
		if (state == LDIR_STATE_FAILED) {
			type = LDIR_EVENT_REAL_FAILED;
			pr_warn_ratelimited("ldir: real %pI4:%u failed: %d connections ditched in a row\n",
					    &r->addr.ip, ntohs(r->port),
					    atomic_read(&r->ditch_consec));
		} else if (old == LDIR_STATE_FAILED &&
			   state == LDIR_STATE_IN) {
			type = LDIR_EVENT_REAL_RECOVERED;
			pr_info_ratelimited("ldir: real %pI4:%u recovered\n",
					    &r->addr.ip, ntohs(r->port));
		} else {
			type = LDIR_EVENT_REAL_STATE;
		}
		event_send(ln, type, NULL, r);
	}
	list_for_each_entry(v, &ln->virtuals, node) {
		bool failed = ldir_virtual_failed(v);

		if (failed == v->reported_failed)
			continue;
		v->reported_failed = failed;
		if (failed)
			pr_warn_ratelimited("ldir: virtual %pI4:%u failed: all its reals failed\n",
					    &v->addr.ip, ntohs(v->port));
		event_send(ln, failed ? LDIR_EVENT_VIRTUAL_FAILED :
			   LDIR_EVENT_VIRTUAL_RECOVERED, v, NULL);
	}
	/* SYN pressure: on and off at most once a second each (conn.c) */
	if (ldir_conn_pressure(ln) != ln->reported_pressure) {
		ln->reported_pressure = !ln->reported_pressure;
		if (ln->reported_pressure)
			pr_info_ratelimited("ldir: SYN pressure: %d embryonic conns (bound %u), %d conns (max %u); embryonic conns evicted, their timeout %u s\n",
					    atomic_read(&ln->conns.embryonic),
					    ldir_conn_embryonic_max(ln),
					    atomic_read(&ln->conns.count),
					    READ_ONCE(ln->conn_max),
					    READ_ONCE(ln->timeout_syn_pressure) / HZ);
		else
			pr_info_ratelimited("ldir: SYN pressure over\n");
		event_send(ln, ln->reported_pressure ?
			   LDIR_EVENT_PRESSURE_START : LDIR_EVENT_PRESSURE_END,
			   NULL, NULL);
	}
	/* the hashing schemes' tables list the usable reals */
	if (changed)
		ldir_hash_refresh(ln);
	mutex_unlock(&ln->lock);
	ldir_charge_end(prev_memcg);
}

/* ---- binds and FPAs ---------------------------------------------------- */

/* The instance, client prefix and length of a bind request (seed 002
 * Fig. 4 steps 402-406: the instance must exist).
 */
static int parse_bind(struct ldir_net *ln, struct genl_info *info,
		      struct ldir_virtual **vp, union nf_inet_addr *caddr,
		      u8 *plen)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *vtb[LDIR_VIRTUAL_A_MAX + 1];
	struct nlattr *tb[LDIR_BIND_A_MAX + 1];
	struct nlattr *nest = info->attrs[LDIR_A_BIND];
	union nf_inet_addr masked;
	struct ldir_virtual *v;
	struct vkey k;
	u16 family;
	int ret;

	ret = parse_nest(info, LDIR_A_BIND, tb, LDIR_BIND_A_MAX, bind_policy);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_BIND_A_VIRTUAL) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_BIND_A_PREFIX_LEN))
		return -EINVAL;
	ret = nla_parse_nested(vtb, LDIR_VIRTUAL_A_MAX, tb[LDIR_BIND_A_VIRTUAL],
			       virtual_key_policy, extack);
	if (ret)
		return ret;
	ret = parse_vkey(extack, tb[LDIR_BIND_A_VIRTUAL], vtb, &k);
	if (ret)
		return ret;
	ret = parse_addr(extack, nest, tb, LDIR_BIND_A_FAMILY, LDIR_BIND_A_ADDR,
			 &family, caddr, false);
	if (ret)
		return ret;
	*plen = nla_get_u8(tb[LDIR_BIND_A_PREFIX_LEN]);
	if (*plen > (family == AF_INET ? 32 : 128)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_PREFIX_LEN],
				    "prefix length is longer than the address");
		return -EINVAL;
	}
	ldir_addr_mask(&masked, caddr, family, *plen);
	if (!nf_inet_addr_cmp(&masked, caddr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_ADDR],
				    "client address has bits set past the prefix length");
		return -EINVAL;
	}
	if (!k.bind_id) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_VIRTUAL],
				    "Bind ID 0 is the general instance: it already serves every client without a bind");
		return -EINVAL;
	}
	if (family != k.family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_FAMILY],
				    "client and virtual address families differ");
		return -EINVAL;
	}
	v = ldir_virtual_find(ln, k.family, &k.addr, k.port, k.protocol,
			      k.bind_id);
	if (!v) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_BIND_A_VIRTUAL],
				    "no virtual instance with this Bind ID (create it first)");
		return -ENOENT;
	}
	*vp = v;
	return 0;
}

static int bind_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	union nf_inet_addr caddr;
	struct ldir_virtual *v;
	struct ldir_bind *b;
	u8 plen;
	int ret;

	mutex_lock(&ln->lock);
	ret = parse_bind(ln, info, &v, &caddr, &plen);
	if (ret)
		goto out;
	b = ldir_bind_create(ln, v, &caddr, plen);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_BIND],
					    "client prefix already assigned to an instance of this virtual");
		else if (ret == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack, "too many binds");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "cannot create bind");
	}
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static int bind_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	union nf_inet_addr caddr;
	struct ldir_virtual *v;
	struct ldir_bind *b;
	u8 plen;
	int ret;

	mutex_lock(&ln->lock);
	ret = parse_bind(ln, info, &v, &caddr, &plen);
	if (ret)
		goto out;
	b = ldir_bind_find(ln, v->family, &v->addr, v->port, v->protocol,
			   &caddr, plen);
	if (!b || b->virt != v) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LDIR_A_BIND],
				    "bind not found");
		ret = -ENOENT;
		goto out;
	}
	ldir_bind_destroy(ln, b);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

static int fill_bind(struct sk_buff *skb, const struct ldir_bind *b)
{
	struct nlattr *nest, *n;

	nest = nla_nest_start(skb, LDIR_A_BIND);
	if (!nest)
		return -EMSGSIZE;
	n = nla_nest_start(skb, LDIR_BIND_A_VIRTUAL);
	if (!n || put_vkey(skb, b->virt))
		return -EMSGSIZE;
	nla_nest_end(skb, n);
	if (nla_put_u16(skb, LDIR_BIND_A_FAMILY, b->virt->family) ||
	    put_addr(skb, LDIR_BIND_A_ADDR, &b->caddr) ||
	    nla_put_u8(skb, LDIR_BIND_A_PREFIX_LEN, b->plen))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* As dump_objects(), for the binds. */
static int bind_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ldir_net *ln = ldir_pernet(sock_net(cb->skb->sk));
	long idx = 0, start = cb->args[0];
	struct ldir_bind *b;
	int ret = 0;

	mutex_lock(&ln->lock);
	cb->seq = ln->gen;
	list_for_each_entry(b, &ln->binds.list, node) {
		void *hdr;

		if (idx++ < start)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ldir_family, NLM_F_MULTI,
				  LDIR_CMD_BIND_GET);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		ret = fill_bind(skb, b);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&ln->lock);
	if (ret && idx - 1 == start)
		return ret;
	cb->args[0] = ret ? idx - 1 : idx;
	return skb->len;
}

/* Caller holds rcu_read_lock(): the FPA, its link and virtual stay. */
static int fill_fpa(struct sk_buff *skb, const struct ldir_fpa *f)
{
	const struct ldir_virtual *v = f->virt;
	const struct ldir_link *l = rcu_dereference(f->link);
	long age = (long)(jiffies - READ_ONCE(f->stamp));
	struct nlattr *nest, *n;

	nest = nla_nest_start(skb, LDIR_A_FPA);
	if (!nest)
		return -EMSGSIZE;
	n = nla_nest_start(skb, LDIR_FPA_A_VIRTUAL);
	if (!n || put_vkey(skb, v))
		return -EMSGSIZE;
	nla_nest_end(skb, n);
	if (nla_put_u16(skb, LDIR_FPA_A_FAMILY, v->family) ||
	    put_addr(skb, LDIR_FPA_A_CLIENT_ADDR, &f->caddr) ||
	    nla_put_u8(skb, LDIR_FPA_A_PREFIX_LEN, READ_ONCE(v->fpa_mask)))
		return -EMSGSIZE;
	n = nla_nest_start(skb, LDIR_FPA_A_REAL);
	if (!n || put_rkey(skb, l->real))
		return -EMSGSIZE;
	nla_nest_end(skb, n);
	if (nla_put_u32(skb, LDIR_FPA_A_AGE_MS,
			age > 0 ? jiffies_to_msecs(age) : 0))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const void *fpa_next(struct ldir_net *ln, unsigned int *bucket,
			    unsigned int *idx)
{
	return ldir_fpa_dump_next(ln, bucket, idx);
}

static int fpa_fill(struct sk_buff *skb, const void *obj)
{
	return fill_fpa(skb, obj);
}

/* FPAs come and go with the traffic, like conns. */
static int fpa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return cursor_dump(skb, cb, LDIR_CMD_FPA_GET, fpa_next, fpa_fill);
}

static int fpa_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = info_ln(info);
	struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	struct ldir_virtual *v = NULL;
	int ret = 0;

	if (info->attrs[LDIR_A_VIRTUAL]) {
		ret = parse_nest(info, LDIR_A_VIRTUAL, tb, LDIR_VIRTUAL_A_MAX,
				 virtual_key_policy);
		if (ret)
			return ret;
	}
	mutex_lock(&ln->lock);
	if (info->attrs[LDIR_A_VIRTUAL]) {
		v = find_virtual(ln, info->extack, info->attrs[LDIR_A_VIRTUAL],
				 tb);
		if (IS_ERR(v)) {
			ret = PTR_ERR(v);
			goto out;
		}
	}
	ldir_fpa_flush(ln, v, NULL);
out:
	mutex_unlock(&ln->lock);
	return ret;
}

/* ---- family ------------------------------------------------------------ */

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

static int pre_doit(const struct LDIR_GENL_OPS *ops, struct sk_buff *skb,
		    struct genl_info *info)
{
	return request_begin(skb, genl_info_net(info), info->extack);
}

/* a dump's pre_doit(); genetlink calls it for dumps only (6.1 gives it no
 * extack: the refusal carries no message there)
 */
static int dump_start(struct netlink_callback *cb)
{
	return request_begin(cb->skb, sock_net(cb->skb->sk), cb->extack);
}

#define LDIR_OP(_cmd, _doit, _dumpit, _policy) {			\
	.cmd = _cmd, .doit = _doit, .dumpit = _dumpit,			\
	.start = dump_start,						\
	.policy = _policy, .maxattr = LDIR_A_MAX,			\
	.flags = GENL_UNS_ADMIN_PERM,					\
}

static const struct genl_ops ldir_ops[] = {
	LDIR_OP(LDIR_CMD_VIRTUAL_NEW, virtual_new, NULL, virtual_op_policy),
	LDIR_OP(LDIR_CMD_VIRTUAL_SET, virtual_set, NULL, virtual_op_policy),
	LDIR_OP(LDIR_CMD_VIRTUAL_DEL, virtual_del, NULL, virtual_op_policy),
	LDIR_OP(LDIR_CMD_VIRTUAL_GET, NULL, virtual_dump, none_op_policy),
	LDIR_OP(LDIR_CMD_REAL_NEW, real_new, NULL, real_op_policy),
	LDIR_OP(LDIR_CMD_REAL_SET, real_set, NULL, real_op_policy),
	LDIR_OP(LDIR_CMD_REAL_DEL, real_del, NULL, real_op_policy),
	LDIR_OP(LDIR_CMD_REAL_GET, NULL, real_dump, none_op_policy),
	LDIR_OP(LDIR_CMD_LINK_NEW, link_new, NULL, link_op_policy),
	LDIR_OP(LDIR_CMD_LINK_DEL, link_del, NULL, link_op_policy),
	LDIR_OP(LDIR_CMD_LINK_GET, NULL, link_dump, none_op_policy),
	LDIR_OP(LDIR_CMD_CONN_GET, NULL, conn_dump, none_op_policy),
	LDIR_OP(LDIR_CMD_STATS_GET, stats_get, NULL, none_op_policy),
	LDIR_OP(LDIR_CMD_CONFIG_SET, config_set, NULL, config_op_policy),
	LDIR_OP(LDIR_CMD_FLUSH, flush, NULL, flush_op_policy),
	LDIR_OP(LDIR_CMD_BIND_NEW, bind_new, NULL, bind_op_policy),
	LDIR_OP(LDIR_CMD_BIND_DEL, bind_del, NULL, bind_op_policy),
	LDIR_OP(LDIR_CMD_BIND_GET, NULL, bind_dump, none_op_policy),
	LDIR_OP(LDIR_CMD_FPA_GET, NULL, fpa_dump, none_op_policy),
	LDIR_OP(LDIR_CMD_FPA_FLUSH, fpa_flush, NULL, fpa_flush_op_policy),
};

static const struct genl_multicast_group ldir_mcgrps[] = {
	{ .name = LDIR_GENL_MCGRP_EVENTS, .flags = LDIR_MCGRP_F_ADMIN },
};

static struct genl_family ldir_family __ro_after_init = {
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
	.ops = ldir_ops,
	.n_ops = ARRAY_SIZE(ldir_ops),
	.resv_start_op = LDIR_CMD_FLUSH + 1,
	.mcgrps = ldir_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ldir_mcgrps),
};

int __init ldir_netlink_init(void)
{
	return genl_register_family(&ldir_family);
}

void ldir_netlink_uninit(void)
{
	genl_unregister_family(&ldir_family);
}
