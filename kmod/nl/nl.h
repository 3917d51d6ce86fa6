/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ldir" generic netlink family, inside: the policies and the request
 * context pre_doit() resolves, shared by the per-object files.
 */
#ifndef _LDIR_NL_H
#define _LDIR_NL_H

#include <net/genetlink.h>
#include <net/netlink.h>

#include "ldir.h"
#include "model.h"
#include "select.h"
#include "conntab.h"
#include "health.h"
#include "trust.h"

struct ldir_virtual;
struct ldir_real;

extern struct genl_family ldir_nl_family;

extern const struct nla_policy ldir_nl_virtual_key_policy[LDIR_VIRTUAL_A_MAX + 1];
extern const struct nla_policy ldir_nl_real_key_policy[LDIR_REAL_A_MAX + 1];
extern const struct nla_policy ldir_nl_virtual_policy[LDIR_VIRTUAL_A_MAX + 1];
extern const struct nla_policy ldir_nl_real_policy[LDIR_REAL_A_MAX + 1];
extern const struct nla_policy ldir_nl_link_policy[LDIR_LINK_A_MAX + 1];
extern const struct nla_policy ldir_nl_bind_policy[LDIR_BIND_A_MAX + 1];
extern const struct nla_policy ldir_nl_config_policy[LDIR_CONFIG_A_MAX + 1];
extern const struct nla_policy ldir_nl_conn_policy[LDIR_CONN_A_MAX + 1];

/* the family's multicast groups, by index */
enum {
	LDIR_NL_MCGRP_EVENTS,
	LDIR_NL_MCGRP_SYNC,
};

/* What pre_doit() does for an operation (its internal_flags): with
 * NL_F_LOCK it takes ln->lock, which post_doit() releases; the others
 * also resolve the object the request names, so that the handler only
 * validates the settings, applies them and notifies.
 */
enum {
	NL_F_LOCK		= BIT(0),
	/* LDIR_A_VIRTUAL names a virtual: user_ptr[0] */
	NL_F_VIRTUAL		= BIT(1),
	/* as NL_F_VIRTUAL if LDIR_A_VIRTUAL is there, else user_ptr[0] NULL */
	NL_F_VIRTUAL_OPT	= BIT(2),
	/* LDIR_A_REAL names a real: user_ptr[0] */
	NL_F_REAL		= BIT(3),
	/* LDIR_A_LINK's ends: the virtual in user_ptr[0], the real in [1] */
	NL_F_LINK		= BIT(4),
	/* LDIR_A_BIND's client prefix and instance: the virtual in [0] */
	NL_F_BIND		= BIT(5),
};

static inline struct ldir_net *ldir_nl_ln(struct genl_info *info)
{
	return ldir_pernet(genl_info_net(info));
}

/* attr.c: attributes every object uses */
int ldir_nl_parse_nest(struct genl_info *info, int type, struct nlattr **tb,
		       int maxtype, const struct nla_policy *policy);
int ldir_nl_parse_addr(struct netlink_ext_ack *extack, struct nlattr *nest,
		       struct nlattr **tb, int fam_type, int addr_type,
		       u16 *family, union nf_inet_addr *addr, bool unicast);
int ldir_nl_put_addr(struct sk_buff *skb, int type,
		     const union nf_inet_addr *a);
int ldir_nl_put_stats(struct sk_buff *skb, int type, const u64 *cnt);
int ldir_nl_put_totals(struct sk_buff *skb, int type, const u64 *sum);

/* What of an object ldir_nl_put_virtual()/_real() write. */
enum ldir_nl_detail {
	LDIR_NL_KEY,		/* the key: inside another object */
	LDIR_NL_EVENT,		/* the key and the state an event reports */
	LDIR_NL_FULL,		/* everything: a dump */
};

/* virtual.c */
struct ldir_nl_vkey {
	u16 family;
	union nf_inet_addr addr;
	__be16 port;
	u8 protocol;
	u32 bind_id;
};

int ldir_nl_parse_vkey(struct netlink_ext_ack *extack, struct nlattr *nest,
		       struct nlattr **tb, struct ldir_nl_vkey *k);
struct ldir_virtual *ldir_nl_virtual_lookup(struct ldir_net *ln,
					    struct netlink_ext_ack *extack,
					    struct nlattr *nest);
int ldir_nl_put_virtual(struct sk_buff *skb, int type, struct ldir_net *ln,
			struct ldir_virtual *v,
			enum ldir_nl_detail detail);
int ldir_nl_virtual_new(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_virtual_set(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_virtual_del(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_virtual_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* real.c */
struct ldir_real *ldir_nl_real_lookup(struct ldir_net *ln,
				      struct genl_info *info);
int ldir_nl_put_real(struct sk_buff *skb, int type, struct ldir_net *ln,
		     struct ldir_real *r, enum ldir_nl_detail detail);
int ldir_nl_real_new(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_real_set(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_real_del(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_real_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* link.c */
int ldir_nl_link_lookup(struct ldir_net *ln, struct genl_info *info,
			struct ldir_virtual **vp, struct ldir_real **rp);
int ldir_nl_link_new(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_link_del(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_link_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* bind.c */
struct ldir_virtual *ldir_nl_bind_lookup(struct ldir_net *ln,
					 struct genl_info *info);
int ldir_nl_bind_new(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_bind_del(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_bind_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* fpa.c */
int ldir_nl_fpa_flush(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_fpa_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* conn.c */
int ldir_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb);
int ldir_nl_conn_new(struct sk_buff *skb, struct genl_info *info);
struct ldir_sync_rec;
int ldir_nl_put_conn_rec(struct sk_buff *skb, int type,
			 const struct ldir_sync_rec *rec);
int ldir_nl_conn_del(struct sk_buff *skb, struct genl_info *info);

/* sync.c */
void ldir_nl_sync_start(void);
void ldir_nl_sync_stop(void);

/* config.c */
int ldir_nl_config_set(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_stats_get(struct sk_buff *skb, struct genl_info *info);
int ldir_nl_flush(struct sk_buff *skb, struct genl_info *info);

/* dump.c: the two ways to dump a list of objects, one message each */

/* A config list (virtuals, reals, links, binds): under ln->lock, the
 * index to resume at in cb->args[0], consistent by ln->gen.
 */
struct ldir_nl_list {
	u8 cmd;
	size_t head;		/* offsetof() the list_head in ldir_net */
	int (*fill)(struct sk_buff *skb, struct ldir_net *ln,
		    const struct list_head *node);
};

int ldir_nl_list_dump(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct ldir_nl_list *list);

/* A live table (conns, FPAs): under RCU, the cursor (bucket, position)
 * in cb->args[0..1]; its objects come and go with the traffic, so there
 * is no generation check. next() returns the object at the cursor and
 * moves the cursor on.
 */
struct ldir_nl_table {
	u8 cmd;
	const void *(*next)(struct ldir_net *ln, unsigned int *bucket,
			    unsigned int *idx);
	int (*fill)(struct sk_buff *skb, const void *obj);
};

int ldir_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct ldir_nl_table *table);

#endif /* _LDIR_NL_H */
