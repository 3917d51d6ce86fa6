// SPDX-License-Identifier: GPL-2.0
/*
 * Model <-> attributes. One table per attribute set of ldir.h gives each
 * attribute its name (for error messages) and type (to validate replies).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "msg.h"

enum { F_BE16 = 1, F_FAMILY = 2, F_ADDR = 4 };

struct attr_set;

struct attr_desc {
	const char *name;
	enum mnl_attr_data_type type;
	unsigned int flags;
	const struct attr_set *nest;
};

struct attr_set {
	unsigned int max;
	const struct attr_desc *a;
};

#define SET(tbl) { .max = ARRAY_SIZE(tbl) - 1, .a = tbl }

static const struct attr_desc stats_attrs[LDIR_STATS_A_MAX + 1] = {
	[LDIR_STATS_A_CONNS] = { "conns", MNL_TYPE_U64 },
	[LDIR_STATS_A_PKTS_IN] = { "pkts-in", MNL_TYPE_U64 },
	[LDIR_STATS_A_PKTS_OUT] = { "pkts-out", MNL_TYPE_U64 },
	[LDIR_STATS_A_BYTES_IN] = { "bytes-in", MNL_TYPE_U64 },
	[LDIR_STATS_A_BYTES_OUT] = { "bytes-out", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_NO_CONN] = { "drop-no-conn", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_NO_REAL] = { "drop-no-real", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_CONN_LIMIT] = { "drop-conn-limit", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_INVALID] = { "drop-invalid", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_NOMEM] = { "drop-nomem", MNL_TYPE_U64 },
	[LDIR_STATS_A_ICMP_IN] = { "icmp-in", MNL_TYPE_U64 },
	[LDIR_STATS_A_ICMP_OUT] = { "icmp-out", MNL_TYPE_U64 },
	[LDIR_STATS_A_CONNS_EXPIRED] = { "conns-expired", MNL_TYPE_U64 },
	[LDIR_STATS_A_PAD] = { "pad", MNL_TYPE_UNSPEC },
	[LDIR_STATS_A_DITCHED] = { "ditched", MNL_TYPE_U64 },
	[LDIR_STATS_A_PROBES] = { "probes", MNL_TYPE_U64 },
	[LDIR_STATS_A_BACKUP] = { "backup", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_REPLY_CLASH] = { "drop-reply-clash", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_REMOVED] = { "drop-removed", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_ICMP_CSUM] = { "drop-icmp-csum", MNL_TYPE_U64 },
	[LDIR_STATS_A_RST_IGNORED] = { "rst-ignored", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_REPLY_NO_CONN] = { "drop-reply-no-conn", MNL_TYPE_U64 },
	[LDIR_STATS_A_EMBRYONIC_EVICTED] = { "embryonic-evicted", MNL_TYPE_U64 },
	[LDIR_STATS_A_DROP_SYN_PRESSURE] = { "drop-syn-pressure", MNL_TYPE_U64 },
	[LDIR_STATS_A_PRESSURE_STARTS] = { "pressure-starts", MNL_TYPE_U64 },
	[LDIR_STATS_A_ADOPTED] = { "adopted", MNL_TYPE_U64 },
	[LDIR_STATS_A_REPLY_ADOPTED] = { "reply-adopted", MNL_TYPE_U64 },
	[LDIR_STATS_A_SYNC_SENT] = { "sync-sent", MNL_TYPE_U64 },
	[LDIR_STATS_A_SYNC_RECEIVED] = { "sync-received", MNL_TYPE_U64 },
	[LDIR_STATS_A_SYNC_REJECTED] = { "sync-rejected", MNL_TYPE_U64 },
	[LDIR_STATS_A_SYNC_QUEUE_DROP] = { "sync-queue-drop", MNL_TYPE_U64 },
};
static const struct attr_set stats_set = SET(stats_attrs);

/* BACKUP nests a key of the set it is in */
static const struct attr_set virtual_set;
static const struct attr_set real_set;

static const struct attr_desc virtual_attrs[LDIR_VIRTUAL_A_MAX + 1] = {
	[LDIR_VIRTUAL_A_FAMILY] = { "family", MNL_TYPE_U16, F_FAMILY },
	[LDIR_VIRTUAL_A_ADDR] = { "addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_VIRTUAL_A_PORT] = { "port", MNL_TYPE_U16, F_BE16 },
	[LDIR_VIRTUAL_A_PROTOCOL] = { "protocol", MNL_TYPE_U8 },
	[LDIR_VIRTUAL_A_BIND_ID] = { "bind-id", MNL_TYPE_U32 },
	[LDIR_VIRTUAL_A_SCHED] = { "sched", MNL_TYPE_STRING },
	[LDIR_VIRTUAL_A_STATE] = { "state", MNL_TYPE_U8 },
	[LDIR_VIRTUAL_A_NLINKS] = { "nlinks", MNL_TYPE_U32 },
	[LDIR_VIRTUAL_A_CONNS] = { "conns", MNL_TYPE_U32 },
	[LDIR_VIRTUAL_A_STATS] = { "stats", MNL_TYPE_NESTED, 0, &stats_set },
	[LDIR_VIRTUAL_A_PAD] = { "pad", MNL_TYPE_UNSPEC },
	[LDIR_VIRTUAL_A_STARTUP] = { "startup", MNL_TYPE_U8 },
	[LDIR_VIRTUAL_A_STARTUP_PCT] = { "startup-pct", MNL_TYPE_U8 },
	[LDIR_VIRTUAL_A_STARTUP_WINDOW] = { "startup-window", MNL_TYPE_U16 },
	[LDIR_VIRTUAL_A_BACKUP] = { "backup", MNL_TYPE_NESTED, 0, &virtual_set },
	[LDIR_VIRTUAL_A_FAILED] = { "failed", MNL_TYPE_FLAG },
	[LDIR_VIRTUAL_A_FLAGS] = { "flags", MNL_TYPE_U32 },
	[LDIR_VIRTUAL_A_FPA_INTERVAL] = { "fpa", MNL_TYPE_U32 },
	[LDIR_VIRTUAL_A_FPA_MASK] = { "fpa-mask", MNL_TYPE_U8 },
	[LDIR_VIRTUAL_A_OVERFLOW] = { "overflow", MNL_TYPE_U8 },
	[LDIR_VIRTUAL_A_NBINDS] = { "binds", MNL_TYPE_U32 },
};
static const struct attr_set virtual_set = SET(virtual_attrs);

static const struct attr_desc real_attrs[LDIR_REAL_A_MAX + 1] = {
	[LDIR_REAL_A_FAMILY] = { "family", MNL_TYPE_U16, F_FAMILY },
	[LDIR_REAL_A_ADDR] = { "addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_REAL_A_PORT] = { "port", MNL_TYPE_U16, F_BE16 },
	[LDIR_REAL_A_WEIGHT] = { "weight", MNL_TYPE_U32 },
	[LDIR_REAL_A_MAX_CONNS] = { "max-conns", MNL_TYPE_U32 },
	[LDIR_REAL_A_STATE] = { "state", MNL_TYPE_U8 },
	[LDIR_REAL_A_ACTIVE] = { "active", MNL_TYPE_U32 },
	[LDIR_REAL_A_CONNS] = { "conns", MNL_TYPE_U32 },
	[LDIR_REAL_A_NLINKS] = { "nlinks", MNL_TYPE_U32 },
	[LDIR_REAL_A_STATS] = { "stats", MNL_TYPE_NESTED, 0, &stats_set },
	[LDIR_REAL_A_PAD] = { "pad", MNL_TYPE_UNSPEC },
	[LDIR_REAL_A_SYN_THRESHOLD] = { "syn-threshold", MNL_TYPE_U32 },
	[LDIR_REAL_A_FAIL_THRESHOLD] = { "fail-threshold", MNL_TYPE_U32 },
	[LDIR_REAL_A_IDLE_TIMEOUT] = { "idle-timeout", MNL_TYPE_U32 },
	[LDIR_REAL_A_BACKUP] = { "backup", MNL_TYPE_NESTED, 0, &real_set },
	[LDIR_REAL_A_UNANSWERED] = { "unanswered", MNL_TYPE_U32 },
	[LDIR_REAL_A_DITCHED] = { "ditched", MNL_TYPE_U32 },
	[LDIR_REAL_A_DITCH_CONSEC] = { "ditch-consec", MNL_TYPE_U32 },
	[LDIR_REAL_A_RESPONSE_US] = { "response-us", MNL_TYPE_U32 },
	[LDIR_REAL_A_AGE_MS] = { "age-ms", MNL_TYPE_U32 },
	[LDIR_REAL_A_PR] = { "pr", MNL_TYPE_U64 },
	[LDIR_REAL_A_RETRY_MS] = { "retry-ms", MNL_TYPE_U32 },
};
static const struct attr_set real_set = SET(real_attrs);

static const struct attr_desc link_attrs[LDIR_LINK_A_MAX + 1] = {
	[LDIR_LINK_A_VIRTUAL] = { "virtual", MNL_TYPE_NESTED, 0, &virtual_set },
	[LDIR_LINK_A_REAL] = { "real", MNL_TYPE_NESTED, 0, &real_set },
	[LDIR_LINK_A_PORT] = { "port", MNL_TYPE_U16, F_BE16 },
	[LDIR_LINK_A_ACTIVE] = { "active", MNL_TYPE_U32 },
	[LDIR_LINK_A_CONNS] = { "conns", MNL_TYPE_U32 },
	[LDIR_LINK_A_STATS] = { "stats", MNL_TYPE_NESTED, 0, &stats_set },
	[LDIR_LINK_A_PAD] = { "pad", MNL_TYPE_UNSPEC },
};
static const struct attr_set link_set = SET(link_attrs);

static const struct attr_desc conn_attrs[LDIR_CONN_A_MAX + 1] = {
	[LDIR_CONN_A_PROTOCOL] = { "protocol", MNL_TYPE_U8 },
	[LDIR_CONN_A_FAMILY] = { "family", MNL_TYPE_U16, F_FAMILY },
	[LDIR_CONN_A_CLIENT_ADDR] = { "client-addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_CONN_A_CLIENT_PORT] = { "client-port", MNL_TYPE_U16, F_BE16 },
	[LDIR_CONN_A_VIRTUAL_ADDR] = { "virtual-addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_CONN_A_VIRTUAL_PORT] = { "virtual-port", MNL_TYPE_U16, F_BE16 },
	[LDIR_CONN_A_REAL_ADDR] = { "real-addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_CONN_A_REAL_PORT] = { "real-port", MNL_TYPE_U16, F_BE16 },
	[LDIR_CONN_A_STATE] = { "state", MNL_TYPE_U8 },
	[LDIR_CONN_A_EXPIRES_MS] = { "expires-ms", MNL_TYPE_U32 },
};
static const struct attr_set conn_set = SET(conn_attrs);

static const struct attr_desc bind_attrs[LDIR_BIND_A_MAX + 1] = {
	[LDIR_BIND_A_VIRTUAL] = { "virtual", MNL_TYPE_NESTED, 0, &virtual_set },
	[LDIR_BIND_A_FAMILY] = { "family", MNL_TYPE_U16, F_FAMILY },
	[LDIR_BIND_A_ADDR] = { "addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_BIND_A_PREFIX_LEN] = { "prefix-len", MNL_TYPE_U8 },
};
static const struct attr_set bind_set = SET(bind_attrs);

static const struct attr_desc fpa_attrs[LDIR_FPA_A_MAX + 1] = {
	[LDIR_FPA_A_VIRTUAL] = { "virtual", MNL_TYPE_NESTED, 0, &virtual_set },
	[LDIR_FPA_A_FAMILY] = { "family", MNL_TYPE_U16, F_FAMILY },
	[LDIR_FPA_A_CLIENT_ADDR] = { "client-addr", MNL_TYPE_BINARY, F_ADDR },
	[LDIR_FPA_A_PREFIX_LEN] = { "prefix-len", MNL_TYPE_U8 },
	[LDIR_FPA_A_REAL] = { "real", MNL_TYPE_NESTED, 0, &real_set },
	[LDIR_FPA_A_AGE_MS] = { "age-ms", MNL_TYPE_U32 },
};
static const struct attr_set fpa_set = SET(fpa_attrs);

static const struct attr_desc config_attrs[LDIR_CONFIG_A_MAX + 1] = {
	[LDIR_CONFIG_A_CONN_MAX] = { "conn-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_CONN_COUNT] = { "conn-count", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_SYN] = { "timeout-syn", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_EST] = { "timeout-est", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_FIN] = { "timeout-fin", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_TIME_WAIT] = { "timeout-time-wait", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_CLOSE] = { "timeout-close", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_UDP] = { "timeout-udp", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_SYN_RESENDS] = { "syn-resends", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_RETRY_INTERVAL] = { "retry-interval", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_PR_AGE_DIV] = { "pr-age-div", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_PR_CLAMP_PCT] = { "pr-clamp", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_FPA_MAX] = { "fpa-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_VIRTUAL_MAX] = { "virtual-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_REAL_MAX] = { "real-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_LINK_MAX] = { "link-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_BIND_MAX] = { "bind-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_SYN_RESEND_GAP_MS] = { "syn-resend-gap", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_EMBRYONIC_MAX] = { "embryonic-max", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_EMBRYONIC_COUNT] = { "embryonic-count", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE] = { "timeout-syn-pressure", MNL_TYPE_U32 },
	[LDIR_CONFIG_A_PRESSURE] = { "pressure", MNL_TYPE_U32 },
};
static const struct attr_set config_set = SET(config_attrs);

static const struct attr_desc event_attrs[LDIR_EVENT_A_MAX + 1] = {
	[LDIR_EVENT_A_TYPE] = { "type", MNL_TYPE_U8 },
	[LDIR_EVENT_A_REAL] = { "real", MNL_TYPE_NESTED, 0, &real_set },
	[LDIR_EVENT_A_VIRTUAL] = { "virtual", MNL_TYPE_NESTED, 0, &virtual_set },
	[LDIR_EVENT_A_CONN_COUNT] = { "conn-count", MNL_TYPE_U32 },
	[LDIR_EVENT_A_EMBRYONIC] = { "embryonic", MNL_TYPE_U32 },
};
static const struct attr_set event_set = SET(event_attrs);

static const struct attr_desc top_attrs[LDIR_A_MAX + 1] = {
	[LDIR_A_VIRTUAL] = { "virtual", MNL_TYPE_NESTED, 0, &virtual_set },
	[LDIR_A_REAL] = { "real", MNL_TYPE_NESTED, 0, &real_set },
	[LDIR_A_LINK] = { "link", MNL_TYPE_NESTED, 0, &link_set },
	[LDIR_A_CONN] = { "conn", MNL_TYPE_NESTED, 0, &conn_set },
	[LDIR_A_STATS] = { "stats", MNL_TYPE_NESTED, 0, &stats_set },
	[LDIR_A_CONFIG] = { "config", MNL_TYPE_NESTED, 0, &config_set },
	[LDIR_A_FLUSH] = { "flush", MNL_TYPE_FLAG },
	[LDIR_A_FLUSH_CONNS_ONLY] = { "flush-conns-only", MNL_TYPE_FLAG },
	[LDIR_A_EVENT] = { "event", MNL_TYPE_NESTED, 0, &event_set },
	[LDIR_A_BIND] = { "bind", MNL_TYPE_NESTED, 0, &bind_set },
	[LDIR_A_FPA] = { "fpa", MNL_TYPE_NESTED, 0, &fpa_set },
};
static const struct attr_set top_set = SET(top_attrs);

/* Requests */

static void put_addr(struct nlmsghdr *nlh, uint16_t family_type,
		     uint16_t addr_type, const struct ld_addr *a)
{
	mnl_attr_put_u16(nlh, family_type, a->family);
	mnl_attr_put(nlh, addr_type, sizeof(a->addr), a->addr);
}

void msg_put_virtual(struct nlmsghdr *nlh, uint16_t type,
		     const struct ld_virtual *v, bool key_only)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	put_addr(nlh, LDIR_VIRTUAL_A_FAMILY, LDIR_VIRTUAL_A_ADDR, &v->addr);
	mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_PORT, htons(v->port));
	mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_PROTOCOL, v->protocol);
	mnl_attr_put_u32(nlh, LDIR_VIRTUAL_A_BIND_ID, v->bind_id);
	if (!key_only && (v->has & LD_HAS_SCHED))
		mnl_attr_put_strz(nlh, LDIR_VIRTUAL_A_SCHED, v->sched);
	if (!key_only && (v->has & LD_HAS_STATE))
		mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_STATE, v->state);
	if (!key_only && (v->has & LD_HAS_STARTUP))
		mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_STARTUP, v->startup);
	if (!key_only && (v->has & LD_HAS_SPCT))
		mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_STARTUP_PCT,
				v->startup_pct);
	if (!key_only && (v->has & LD_HAS_SWIN))
		mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_STARTUP_WINDOW,
				 v->startup_window);
	if (!key_only && (v->has & LD_HAS_BACKUP)) {
		/* the backup's key: our protocol, bind ID 0; empty: none */
		struct nlattr *b = mnl_attr_nest_start(nlh,
						       LDIR_VIRTUAL_A_BACKUP);

		if (v->backup.addr.family) {
			put_addr(nlh, LDIR_VIRTUAL_A_FAMILY,
				 LDIR_VIRTUAL_A_ADDR, &v->backup.addr);
			mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_PORT,
					 htons(v->backup.port));
			mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_PROTOCOL,
					v->protocol);
			mnl_attr_put_u32(nlh, LDIR_VIRTUAL_A_BIND_ID, 0);
		}
		mnl_attr_nest_end(nlh, b);
	}
	if (!key_only && (v->has & LD_HAS_FLAGS))
		mnl_attr_put_u32(nlh, LDIR_VIRTUAL_A_FLAGS, v->flags);
	if (!key_only && (v->has & LD_HAS_FPA))
		mnl_attr_put_u32(nlh, LDIR_VIRTUAL_A_FPA_INTERVAL,
				 v->fpa_interval);
	if (!key_only && (v->has & LD_HAS_FPAMASK))
		mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_FPA_MASK, v->fpa_mask);
	if (!key_only && (v->has & LD_HAS_OVERFLOW))
		mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_OVERFLOW, v->overflow);
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_real(struct nlmsghdr *nlh, uint16_t type,
		  const struct ld_real *r, bool key_only)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	put_addr(nlh, LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR, &r->addr);
	mnl_attr_put_u16(nlh, LDIR_REAL_A_PORT, htons(r->port));
	if (!key_only && (r->has & LD_HAS_WEIGHT))
		mnl_attr_put_u32(nlh, LDIR_REAL_A_WEIGHT, r->weight);
	if (!key_only && (r->has & LD_HAS_MAXCONNS))
		mnl_attr_put_u32(nlh, LDIR_REAL_A_MAX_CONNS, r->max_conns);
	if (!key_only && (r->has & LD_HAS_STATE))
		mnl_attr_put_u8(nlh, LDIR_REAL_A_STATE, r->state);
	if (!key_only && (r->has & LD_HAS_SYNTHR))
		mnl_attr_put_u32(nlh, LDIR_REAL_A_SYN_THRESHOLD,
				 r->syn_threshold);
	if (!key_only && (r->has & LD_HAS_FAILTHR))
		mnl_attr_put_u32(nlh, LDIR_REAL_A_FAIL_THRESHOLD,
				 r->fail_threshold);
	if (!key_only && (r->has & LD_HAS_IDLE))
		mnl_attr_put_u32(nlh, LDIR_REAL_A_IDLE_TIMEOUT,
				 r->idle_timeout);
	if (!key_only && (r->has & LD_HAS_BACKUP)) {
		/* empty: no backup */
		struct nlattr *b = mnl_attr_nest_start(nlh, LDIR_REAL_A_BACKUP);

		if (r->backup.addr.family) {
			put_addr(nlh, LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR,
				 &r->backup.addr);
			mnl_attr_put_u16(nlh, LDIR_REAL_A_PORT,
					 htons(r->backup.port));
		}
		mnl_attr_nest_end(nlh, b);
	}
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_link(struct nlmsghdr *nlh, const struct ld_link *l)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, LDIR_A_LINK);

	msg_put_virtual(nlh, LDIR_LINK_A_VIRTUAL, &l->virt, true);
	msg_put_real(nlh, LDIR_LINK_A_REAL, &l->real, true);
	mnl_attr_put_u16(nlh, LDIR_LINK_A_PORT, htons(l->port));
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_bind(struct nlmsghdr *nlh, const struct ld_bind *b)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, LDIR_A_BIND);

	msg_put_virtual(nlh, LDIR_BIND_A_VIRTUAL, &b->virt, true);
	put_addr(nlh, LDIR_BIND_A_FAMILY, LDIR_BIND_A_ADDR, &b->client);
	mnl_attr_put_u8(nlh, LDIR_BIND_A_PREFIX_LEN, b->plen);
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_config(struct nlmsghdr *nlh, const struct ld_config *c)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, LDIR_A_CONFIG);
	unsigned int i;

	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++)
		if (c->has & (1u << i))
			mnl_attr_put_u32(nlh, i, c->v[i]);
	mnl_attr_nest_end(nlh, nest);
}

/* Replies */

static int check_attr(const struct nlattr *a, const struct attr_set *set)
{
	uint16_t type = mnl_attr_get_type(a);
	const struct attr_desc *d;

	if (type > set->max || !set->a[type].name)
		return 0;	/* newer than us: ignore */
	d = &set->a[type];
	if (d->flags & F_ADDR)
		return mnl_attr_get_payload_len(a) == 16 ? 1 : -EINVAL;
	if (d->type == MNL_TYPE_UNSPEC)
		return 0;
	return mnl_attr_validate(a, d->type) < 0 ? -EINVAL : 1;
}

static int parse_nest(const struct nlattr *nest, const struct attr_set *set,
		      const struct nlattr **tb)
{
	const struct nlattr *a;
	int ret;

	memset(tb, 0, (set->max + 1) * sizeof(*tb));
	if (!nest)
		return -EINVAL;
	mnl_attr_for_each_nested(a, nest) {
		ret = check_attr(a, set);
		if (ret < 0)
			return ret;
		if (ret)
			tb[mnl_attr_get_type(a)] = a;
	}
	return 0;
}

int msg_parse_top(const struct nlmsghdr *nlh,
		  const struct nlattr *tb[LDIR_A_MAX + 1])
{
	const struct nlattr *a;
	int ret;

	memset(tb, 0, (LDIR_A_MAX + 1) * sizeof(*tb));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		ret = check_attr(a, &top_set);
		if (ret < 0)
			return ret;
		if (ret)
			tb[mnl_attr_get_type(a)] = a;
	}
	return 0;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

static uint16_t get_u16(const struct nlattr *a)
{
	return a ? mnl_attr_get_u16(a) : 0;
}

static uint16_t get_be16(const struct nlattr *a)
{
	return a ? ntohs(mnl_attr_get_u16(a)) : 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static void get_addr(const struct nlattr *a, uint16_t family,
		     struct ld_addr *addr)
{
	addr->family = family;
	memset(addr->addr, 0, sizeof(addr->addr));
	if (a)
		memcpy(addr->addr, mnl_attr_get_payload(a), 16);
}

int msg_parse_stats(const struct nlattr *nest, struct ld_stats *s)
{
	const struct nlattr *tb[LDIR_STATS_A_MAX + 1];
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	if (!nest)
		return 0;
	ret = parse_nest(nest, &stats_set, tb);
	if (ret)
		return ret;
	for (i = 1; i <= LDIR_STATS_A_MAX; i++)
		if (tb[i] && i != LDIR_STATS_A_PAD)
			s->v[i] = mnl_attr_get_u64(tb[i]);
	return 0;
}

int msg_parse_config(const struct nlattr *nest, struct ld_config *c)
{
	const struct nlattr *tb[LDIR_CONFIG_A_MAX + 1];
	unsigned int i;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!nest)
		return 0;
	ret = parse_nest(nest, &config_set, tb);
	if (ret)
		return ret;
	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++) {
		if (tb[i]) {
			c->v[i] = mnl_attr_get_u32(tb[i]);
			c->has |= 1u << i;
		}
	}
	return 0;
}

/*
 * The key in a BACKUP nest of a virtual or real (the FAMILY, ADDR, PORT
 * types are the same number in both sets); absent or empty: no backup.
 */
static int parse_backup_key(const struct nlattr *nest,
			    const struct attr_set *set, struct ld_backup *b)
{
	const struct nlattr *tb[LDIR_VIRTUAL_A_MAX + LDIR_REAL_A_MAX + 2];
	int ret;

	memset(b, 0, sizeof(*b));
	if (!nest || !mnl_attr_get_payload_len(nest))
		return 0;
	ret = parse_nest(nest, set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_REAL_A_FAMILY] || !tb[LDIR_REAL_A_ADDR])
		return -EINVAL;
	get_addr(tb[LDIR_REAL_A_ADDR], get_u16(tb[LDIR_REAL_A_FAMILY]),
		 &b->addr);
	b->port = get_be16(tb[LDIR_REAL_A_PORT]);
	return 0;
}

int msg_parse_virtual(const struct nlattr *nest, struct ld_virtual *v)
{
	const struct nlattr *tb[LDIR_VIRTUAL_A_MAX + 1];
	int ret;

	memset(v, 0, sizeof(*v));
	ret = parse_nest(nest, &virtual_set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_VIRTUAL_A_FAMILY] || !tb[LDIR_VIRTUAL_A_ADDR])
		return -EINVAL;
	get_addr(tb[LDIR_VIRTUAL_A_ADDR], get_u16(tb[LDIR_VIRTUAL_A_FAMILY]),
		 &v->addr);
	v->port = get_be16(tb[LDIR_VIRTUAL_A_PORT]);
	v->protocol = get_u8(tb[LDIR_VIRTUAL_A_PROTOCOL]);
	v->bind_id = get_u32(tb[LDIR_VIRTUAL_A_BIND_ID]);
	if (tb[LDIR_VIRTUAL_A_SCHED]) {
		const struct nlattr *a = tb[LDIR_VIRTUAL_A_SCHED];

		snprintf(v->sched, sizeof(v->sched), "%.*s",
			 (int)strnlen(mnl_attr_get_payload(a),
				      mnl_attr_get_payload_len(a)),
			 (const char *)mnl_attr_get_payload(a));
		v->has |= LD_HAS_SCHED;
	}
	v->state = get_u8(tb[LDIR_VIRTUAL_A_STATE]);
	v->nlinks = get_u32(tb[LDIR_VIRTUAL_A_NLINKS]);
	v->conns = get_u32(tb[LDIR_VIRTUAL_A_CONNS]);
	v->ext = tb[LDIR_VIRTUAL_A_STARTUP] || tb[LDIR_VIRTUAL_A_STARTUP_PCT] ||
		 tb[LDIR_VIRTUAL_A_STARTUP_WINDOW] ||
		 tb[LDIR_VIRTUAL_A_BACKUP] || tb[LDIR_VIRTUAL_A_FAILED];
	v->startup = get_u8(tb[LDIR_VIRTUAL_A_STARTUP]);
	v->startup_pct = get_u8(tb[LDIR_VIRTUAL_A_STARTUP_PCT]);
	v->startup_window = get_u16(tb[LDIR_VIRTUAL_A_STARTUP_WINDOW]);
	v->failed = tb[LDIR_VIRTUAL_A_FAILED];
	ret = parse_backup_key(tb[LDIR_VIRTUAL_A_BACKUP], &virtual_set,
			       &v->backup);
	if (ret)
		return ret;
	if (tb[LDIR_VIRTUAL_A_FLAGS]) {
		v->flags = get_u32(tb[LDIR_VIRTUAL_A_FLAGS]);
		v->has |= LD_HAS_FLAGS;
	}
	v->fpa_interval = get_u32(tb[LDIR_VIRTUAL_A_FPA_INTERVAL]);
	v->fpa_mask = get_u8(tb[LDIR_VIRTUAL_A_FPA_MASK]);
	v->overflow = get_u8(tb[LDIR_VIRTUAL_A_OVERFLOW]);
	v->nbinds = get_u32(tb[LDIR_VIRTUAL_A_NBINDS]);
	return msg_parse_stats(tb[LDIR_VIRTUAL_A_STATS], &v->stats);
}

int msg_parse_real(const struct nlattr *nest, struct ld_real *r)
{
	const struct nlattr *tb[LDIR_REAL_A_MAX + 1];
	int ret;

	memset(r, 0, sizeof(*r));
	ret = parse_nest(nest, &real_set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_REAL_A_FAMILY] || !tb[LDIR_REAL_A_ADDR])
		return -EINVAL;
	get_addr(tb[LDIR_REAL_A_ADDR], get_u16(tb[LDIR_REAL_A_FAMILY]),
		 &r->addr);
	r->port = get_be16(tb[LDIR_REAL_A_PORT]);
	r->weight = get_u32(tb[LDIR_REAL_A_WEIGHT]);
	r->max_conns = get_u32(tb[LDIR_REAL_A_MAX_CONNS]);
	r->state = get_u8(tb[LDIR_REAL_A_STATE]);
	r->active = get_u32(tb[LDIR_REAL_A_ACTIVE]);
	r->conns = get_u32(tb[LDIR_REAL_A_CONNS]);
	r->nlinks = get_u32(tb[LDIR_REAL_A_NLINKS]);
	r->ext = tb[LDIR_REAL_A_SYN_THRESHOLD] || tb[LDIR_REAL_A_UNANSWERED] ||
		 tb[LDIR_REAL_A_RESPONSE_US] || tb[LDIR_REAL_A_PR];
	r->syn_threshold = get_u32(tb[LDIR_REAL_A_SYN_THRESHOLD]);
	r->fail_threshold = get_u32(tb[LDIR_REAL_A_FAIL_THRESHOLD]);
	r->idle_timeout = get_u32(tb[LDIR_REAL_A_IDLE_TIMEOUT]);
	r->unanswered = get_u32(tb[LDIR_REAL_A_UNANSWERED]);
	r->ditched = get_u32(tb[LDIR_REAL_A_DITCHED]);
	r->ditch_consec = get_u32(tb[LDIR_REAL_A_DITCH_CONSEC]);
	r->response_us = get_u32(tb[LDIR_REAL_A_RESPONSE_US]);
	r->age_ms = get_u32(tb[LDIR_REAL_A_AGE_MS]);
	if (tb[LDIR_REAL_A_PR])
		r->pr = (int64_t)mnl_attr_get_u64(tb[LDIR_REAL_A_PR]);
	if (tb[LDIR_REAL_A_RETRY_MS]) {
		r->retry_ms = get_u32(tb[LDIR_REAL_A_RETRY_MS]);
		r->has |= LD_HAS_RETRY;
	}
	ret = parse_backup_key(tb[LDIR_REAL_A_BACKUP], &real_set, &r->backup);
	if (ret)
		return ret;
	return msg_parse_stats(tb[LDIR_REAL_A_STATS], &r->stats);
}

int msg_parse_link(const struct nlattr *nest, struct ld_link *l)
{
	const struct nlattr *tb[LDIR_LINK_A_MAX + 1];
	int ret;

	memset(l, 0, sizeof(*l));
	ret = parse_nest(nest, &link_set, tb);
	if (ret)
		return ret;
	ret = msg_parse_virtual(tb[LDIR_LINK_A_VIRTUAL], &l->virt);
	if (ret)
		return ret;
	ret = msg_parse_real(tb[LDIR_LINK_A_REAL], &l->real);
	if (ret)
		return ret;
	l->port = get_be16(tb[LDIR_LINK_A_PORT]);
	l->active = get_u32(tb[LDIR_LINK_A_ACTIVE]);
	l->conns = get_u32(tb[LDIR_LINK_A_CONNS]);
	return msg_parse_stats(tb[LDIR_LINK_A_STATS], &l->stats);
}

int msg_parse_bind(const struct nlattr *nest, struct ld_bind *b)
{
	const struct nlattr *tb[LDIR_BIND_A_MAX + 1];
	int ret;

	memset(b, 0, sizeof(*b));
	ret = parse_nest(nest, &bind_set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_BIND_A_FAMILY] || !tb[LDIR_BIND_A_ADDR])
		return -EINVAL;
	ret = msg_parse_virtual(tb[LDIR_BIND_A_VIRTUAL], &b->virt);
	if (ret)
		return ret;
	get_addr(tb[LDIR_BIND_A_ADDR], get_u16(tb[LDIR_BIND_A_FAMILY]),
		 &b->client);
	b->plen = get_u8(tb[LDIR_BIND_A_PREFIX_LEN]);
	return 0;
}

int msg_parse_fpa(const struct nlattr *nest, struct ld_fpa *f)
{
	const struct nlattr *tb[LDIR_FPA_A_MAX + 1];
	int ret;

	memset(f, 0, sizeof(*f));
	ret = parse_nest(nest, &fpa_set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_FPA_A_FAMILY] || !tb[LDIR_FPA_A_CLIENT_ADDR])
		return -EINVAL;
	ret = msg_parse_virtual(tb[LDIR_FPA_A_VIRTUAL], &f->virt);
	if (ret)
		return ret;
	ret = msg_parse_real(tb[LDIR_FPA_A_REAL], &f->real);
	if (ret)
		return ret;
	get_addr(tb[LDIR_FPA_A_CLIENT_ADDR], get_u16(tb[LDIR_FPA_A_FAMILY]),
		 &f->client);
	f->plen = get_u8(tb[LDIR_FPA_A_PREFIX_LEN]);
	f->age_ms = get_u32(tb[LDIR_FPA_A_AGE_MS]);
	return 0;
}

int msg_parse_conn(const struct nlattr *nest, struct ld_conn *c)
{
	const struct nlattr *tb[LDIR_CONN_A_MAX + 1];
	uint16_t family;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = parse_nest(nest, &conn_set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_CONN_A_FAMILY])
		return -EINVAL;
	family = get_u16(tb[LDIR_CONN_A_FAMILY]);
	c->protocol = get_u8(tb[LDIR_CONN_A_PROTOCOL]);
	get_addr(tb[LDIR_CONN_A_CLIENT_ADDR], family, &c->client);
	c->client_port = get_be16(tb[LDIR_CONN_A_CLIENT_PORT]);
	get_addr(tb[LDIR_CONN_A_VIRTUAL_ADDR], family, &c->virt);
	c->virt_port = get_be16(tb[LDIR_CONN_A_VIRTUAL_PORT]);
	get_addr(tb[LDIR_CONN_A_REAL_ADDR], family, &c->real);
	c->real_port = get_be16(tb[LDIR_CONN_A_REAL_PORT]);
	c->state = get_u8(tb[LDIR_CONN_A_STATE]);
	c->expires_ms = get_u32(tb[LDIR_CONN_A_EXPIRES_MS]);
	return 0;
}

int msg_parse_event(const struct nlattr *nest, struct ld_event *e)
{
	const struct nlattr *tb[LDIR_EVENT_A_MAX + 1];
	int ret;

	memset(e, 0, sizeof(*e));
	ret = parse_nest(nest, &event_set, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_EVENT_A_TYPE])
		return -EINVAL;
	e->type = get_u8(tb[LDIR_EVENT_A_TYPE]);
	if (tb[LDIR_EVENT_A_REAL]) {
		ret = msg_parse_real(tb[LDIR_EVENT_A_REAL], &e->real);
		if (ret)
			return ret;
		e->has_real = true;
	}
	if (tb[LDIR_EVENT_A_VIRTUAL]) {
		ret = msg_parse_virtual(tb[LDIR_EVENT_A_VIRTUAL], &e->virt);
		if (ret)
			return ret;
		e->has_virtual = true;
	}
	if (tb[LDIR_EVENT_A_CONN_COUNT] && tb[LDIR_EVENT_A_EMBRYONIC]) {
		e->conn_count = get_u32(tb[LDIR_EVENT_A_CONN_COUNT]);
		e->embryonic = get_u32(tb[LDIR_EVENT_A_EMBRYONIC]);
		e->has_pressure = true;
	}
	return 0;
}

/* Error messages */

/*
 * As the commands write them: " tcp 192.0.2.10:80", " 10.0.2.11:0",
 * " tcp 192.0.2.10:80 real 10.0.2.11:0 port 8080"
 */
static void describe_vkey(const struct ld_virtual *v, char *buf, size_t len)
{
	const char *proto = ld_proto_name(v->protocol);
	char ep[LD_EP_STRLEN];

	snprintf(buf, len, " %s %s", proto ? proto : "?",
		 ld_ep_str(&v->addr, v->port, ep));
	if (v->bind_id)
		snprintf(buf + strlen(buf), len - strlen(buf), " bind %u",
			 v->bind_id);
}

static void describe_object(const struct nlattr *a, const struct attr_set *set,
			    char *buf, size_t len)
{
	char ep[LD_EP_STRLEN];
	struct ld_virtual v;
	struct ld_real r;
	struct ld_link l;

	if (set == &virtual_set && !msg_parse_virtual(a, &v)) {
		describe_vkey(&v, buf, len);
	} else if (set == &real_set && !msg_parse_real(a, &r)) {
		snprintf(buf, len, " %s", ld_ep_str(&r.addr, r.port, ep));
	} else if (set == &link_set && !msg_parse_link(a, &l)) {
		describe_vkey(&l.virt, buf, len);
		snprintf(buf + strlen(buf), len - strlen(buf), " real %s",
			 ld_ep_str(&l.real.addr, l.real.port, ep));
		if (l.port)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " port %u", l.port);
	}
}

static void describe_value(const struct nlattr *a, const struct attr_desc *d,
			   uint16_t family, char *buf, size_t len)
{
	size_t plen = mnl_attr_get_payload_len(a);
	const void *p = mnl_attr_get_payload(a);
	char addr[INET6_ADDRSTRLEN];

	if (d->nest == &virtual_set || d->nest == &real_set ||
	    d->nest == &link_set) {
		describe_object(a, d->nest, buf, len);
	} else if (d->flags & F_ADDR) {
		if (plen == 16 && inet_ntop(family, p, addr, sizeof(addr)))
			snprintf(buf, len, " %s", addr);
	} else if (d->type == MNL_TYPE_STRING) {
		snprintf(buf, len, " \"%.*s\"", (int)strnlen(p, plen),
			 (const char *)p);
	} else if (d->type == MNL_TYPE_U8 && plen == 1) {
		snprintf(buf, len, " %u", mnl_attr_get_u8(a));
	} else if (d->type == MNL_TYPE_U16 && plen == 2) {
		uint16_t v = mnl_attr_get_u16(a);

		snprintf(buf, len, " %u", d->flags & F_BE16 ? ntohs(v) : v);
	} else if (d->type == MNL_TYPE_U32 && plen == 4) {
		snprintf(buf, len, " %u", mnl_attr_get_u32(a));
	}
}

static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s", s);
}

bool msg_describe(const struct nlmsghdr *req, uint32_t off, int miss_type,
		  char *buf, size_t len)
{
	const struct attr_set *set = &top_set;
	const char *start = (const char *)req;
	const char *p = start + NLMSG_HDRLEN + GENL_HDRLEN;
	const char *end = start + req->nlmsg_len;
	uint16_t family = 0;

	buf[0] = '\0';
	if (miss_type >= 0 && !off)
		goto missing;
	while (p + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const void *)p;
		uint16_t type = mnl_attr_get_type(a);
		const struct attr_desc *d;
		uint32_t aoff = p - start;

		if (a->nla_len < sizeof(*a) || p + a->nla_len > end)
			return false;
		d = type <= set->max && set->a[type].name ? &set->a[type] : NULL;
		if (d && (d->flags & F_FAMILY) && mnl_attr_get_payload_len(a) == 2)
			family = mnl_attr_get_u16(a);
		if (off < aoff || off >= aoff + a->nla_len) {
			p += MNL_ALIGN(a->nla_len);
			continue;
		}
		if (buf[0])
			append(buf, len, ".");
		if (d) {
			append(buf, len, d->name);
		} else {
			char num[16];

			snprintf(num, sizeof(num), "%u", type);
			append(buf, len, num);
		}
		if (off == aoff) {
			if (miss_type >= 0) {
				set = d ? d->nest : NULL;
				goto missing;
			}
			if (d) {
				char val[160] = "";

				describe_value(a, d, family, val, sizeof(val));
				append(buf, len, val);
			}
			return true;
		}
		if (!d || !d->nest)
			return false;
		/* inside this nest */
		set = d->nest;
		family = 0;
		p += MNL_ATTR_HDRLEN;
		end = (const char *)a + a->nla_len;
	}
	return false;

missing:
	if (buf[0])
		append(buf, len, ".");
	if (set && miss_type <= (int)set->max && set->a[miss_type].name) {
		append(buf, len, set->a[miss_type].name);
	} else {
		char num[16];

		snprintf(num, sizeof(num), "%d", miss_type);
		append(buf, len, num);
	}
	return true;
}
