// SPDX-License-Identifier: GPL-2.0
/*
 * Conns over netlink: the dump of the live table, the records of conn
 * sync (a dump message and a sync record carry the same attributes), and
 * the inserts and removals a sync daemon makes for a peer director.
 */
#include <linux/jiffies.h>

#include "nl.h"
#include "fastpath.h"
#include "sync.h"

/* A key nest (virtual or real) from a record's fields. */
static int put_vkey(struct sk_buff *skb, const struct ldir_sync_rec *rec)
{
	struct nlattr *nest = nla_nest_start(skb, LDIR_CONN_A_VIRTUAL);

	if (!nest ||
	    nla_put_u16(skb, LDIR_VIRTUAL_A_FAMILY, rec->family) ||
	    ldir_nl_put_addr(skb, LDIR_VIRTUAL_A_ADDR, &rec->vkaddr) ||
	    nla_put_be16(skb, LDIR_VIRTUAL_A_PORT, rec->vkport) ||
	    nla_put_u8(skb, LDIR_VIRTUAL_A_PROTOCOL, rec->protocol) ||
	    nla_put_u32(skb, LDIR_VIRTUAL_A_BIND_ID, rec->bind_id))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_rkey(struct sk_buff *skb, const struct ldir_sync_rec *rec)
{
	struct nlattr *nest = nla_nest_start(skb, LDIR_CONN_A_REAL);

	if (!nest ||
	    nla_put_u16(skb, LDIR_REAL_A_FAMILY, rec->family) ||
	    ldir_nl_put_addr(skb, LDIR_REAL_A_ADDR, &rec->rkaddr) ||
	    nla_put_be16(skb, LDIR_REAL_A_PORT, rec->rkport))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One conn, as the nest @type (LDIR_A_CONN in a dump, LDIR_SYNC_A_CONN
 * in a sync message): everything CONN_NEW takes back.
 */
int ldir_nl_put_conn_rec(struct sk_buff *skb, int type,
			 const struct ldir_sync_rec *rec)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u8(skb, LDIR_CONN_A_PROTOCOL, rec->protocol) ||
	    nla_put_u16(skb, LDIR_CONN_A_FAMILY, rec->family) ||
	    ldir_nl_put_addr(skb, LDIR_CONN_A_CLIENT_ADDR, &rec->caddr) ||
	    nla_put_be16(skb, LDIR_CONN_A_CLIENT_PORT, rec->cport) ||
	    ldir_nl_put_addr(skb, LDIR_CONN_A_VIRTUAL_ADDR, &rec->vaddr) ||
	    nla_put_be16(skb, LDIR_CONN_A_VIRTUAL_PORT, rec->vport) ||
	    ldir_nl_put_addr(skb, LDIR_CONN_A_REAL_ADDR, &rec->raddr) ||
	    nla_put_be16(skb, LDIR_CONN_A_REAL_PORT, rec->rport) ||
	    nla_put_u8(skb, LDIR_CONN_A_STATE, rec->state) ||
	    nla_put_u32(skb, LDIR_CONN_A_EXPIRES_MS, rec->expires_ms) ||
	    put_vkey(skb, rec) || put_rkey(skb, rec) ||
	    nla_put_u64_64bit(skb, LDIR_CONN_A_DIGEST, rec->digest,
			      LDIR_CONN_A_PAD) ||
	    (rec->removed && nla_put_flag(skb, LDIR_CONN_A_REMOVED)) ||
	    (rec->fastpath && nla_put_flag(skb, LDIR_CONN_A_FASTPATH))) {
		/* what was put must go: a sync message that is full is sent
		 * as it is, and a partial record's attributes would be read
		 * as the message's own (its PROTOCOL as SEQ, FAMILY as LOST)
		 */
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fill(struct sk_buff *skb, const void *obj)
{
	struct ldir_sync_rec rec;

	ldir_sync_rec_fill(&rec, obj, false);
	rec.fastpath = ldir_fastpath_offloaded(obj);
	return ldir_nl_put_conn_rec(skb, LDIR_A_CONN, &rec);
}

static const void *next(struct ldir_net *ln, unsigned int *bucket,
			unsigned int *idx)
{
	return ldir_conn_dump_next(ln, bucket, idx);
}

/* The conns a peer would take: none embryonic. */
static const void *next_syncable(struct ldir_net *ln, unsigned int *bucket,
				 unsigned int *idx)
{
	const struct ldir_conn *cp;

	do
		cp = ldir_conn_dump_next(ln, bucket, idx);
	while (cp && !ldir_sync_state(READ_ONCE(cp->state)));
	return cp;
}

static const struct ldir_nl_table conns = {
	.cmd	= LDIR_CMD_CONN_GET,
	.next	= next,
	.fill	= fill,
};

static const struct ldir_nl_table conns_syncable = {
	.cmd	= LDIR_CMD_CONN_GET,
	.next	= next_syncable,
	.fill	= fill,
};

int ldir_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = LDIR_DUMP_ATTRS(cb);

	if (!attrs[LDIR_A_SYNCABLE])
		return ldir_nl_table_dump(skb, cb, &conns);
	/* a daemon's bulk resync: no record is lost for want of a queue
	 * from now on
	 */
	if (!cb->args[0] && !cb->args[1])
		ldir_sync_prepare(ldir_pernet(sock_net(cb->skb->sk)));
	return ldir_nl_table_dump(skb, cb, &conns_syncable);
}

/* ---- inserts and removals from a peer ---------------------------------- */

/* What a CONN_NEW or CONN_DEL names. */
struct conn_req {
	struct ldir_tuple t;		/* client -> VIP */
	union nf_inet_addr raddr;
	__be16 rport;
	bool has_real;
};

/* Counts a refusal; @ret passes through. */
static int reject(struct ldir_net *ln, int ret)
{
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_SYNC_REJECTED);
	return ret;
}

/* An address of the tuple: @family's, as attr.c takes a virtual's or a
 * real's (a client's may be any unicast one).
 */
static int parse_conn_addr(struct netlink_ext_ack *extack, struct nlattr *nest,
			   struct nlattr **tb, int type, u16 family,
			   union nf_inet_addr *a)
{
	u16 fam;
	int ret;

	ret = ldir_nl_parse_addr(extack, nest, tb, LDIR_CONN_A_FAMILY, type,
				 &fam, a, true);
	if (ret)
		return ret;
	if (family == AF_INET && !a->ip) {
		NL_SET_ERR_MSG_ATTR(extack, tb[type], "address must not be 0.0.0.0");
		return -EINVAL;
	}
	return 0;
}

/* The tuple (and the real if @need_real, else if given) of LDIR_A_CONN. */
static int parse_conn(struct genl_info *info, struct nlattr **tb,
		      struct conn_req *req, bool need_real)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest;
	int ret;

	ret = ldir_nl_parse_nest(info, LDIR_A_CONN, tb, LDIR_CONN_A_MAX,
				 ldir_nl_conn_policy);
	if (ret)
		return ret;
	nest = info->attrs[LDIR_A_CONN];
	memset(req, 0, sizeof(*req));
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_PROTOCOL) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_CLIENT_PORT) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_VIRTUAL_PORT))
		return -EINVAL;
	req->t.protocol = nla_get_u8(tb[LDIR_CONN_A_PROTOCOL]);
	if (req->t.protocol != IPPROTO_TCP && req->t.protocol != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_PROTOCOL],
				    "protocol must be TCP or UDP");
		return -EPROTONOSUPPORT;
	}
	req->t.family = nla_get_u16(tb[LDIR_CONN_A_FAMILY]);
	ret = parse_conn_addr(extack, nest, tb, LDIR_CONN_A_CLIENT_ADDR,
			      req->t.family, &req->t.saddr);
	if (!ret)
		ret = parse_conn_addr(extack, nest, tb,
				      LDIR_CONN_A_VIRTUAL_ADDR, req->t.family,
				      &req->t.daddr);
	if (ret)
		return ret;
	req->t.sport = nla_get_be16(tb[LDIR_CONN_A_CLIENT_PORT]);
	req->t.dport = nla_get_be16(tb[LDIR_CONN_A_VIRTUAL_PORT]);
	if (!req->t.sport || !req->t.dport) {
		NL_SET_ERR_MSG_ATTR(extack, tb[req->t.sport ?
					       LDIR_CONN_A_VIRTUAL_PORT :
					       LDIR_CONN_A_CLIENT_PORT],
				    "a conn's port is not 0");
		return -EINVAL;
	}
	if (!need_real && !tb[LDIR_CONN_A_REAL_ADDR] &&
	    !tb[LDIR_CONN_A_REAL_PORT])
		return 0;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_REAL_PORT))
		return -EINVAL;
	ret = parse_conn_addr(extack, nest, tb, LDIR_CONN_A_REAL_ADDR,
			      req->t.family, &req->raddr);
	if (ret)
		return ret;
	req->rport = nla_get_be16(tb[LDIR_CONN_A_REAL_PORT]);
	req->has_real = true;
	return 0;
}

/* Is @cp the conn @req names, down to the real? */
static bool conn_is(const struct ldir_conn *cp, const struct conn_req *req)
{
	union nf_inet_addr a;

	ldir_conn_raddr(&a, cp);
	return nf_inet_addr_cmp(&a, &req->raddr) && cp->rport == req->rport;
}

/* The virtual the client addressed: @v itself, or a virtual of the
 * tuple's VIP:port whose backup @v is. Caller holds ln->lock.
 */
static struct ldir_virtual *client_virtual(struct ldir_net *ln,
					   struct ldir_virtual *v,
					   const struct ldir_tuple *t)
{
	struct ldir_virtual *c;

	if (nf_inet_addr_cmp(&v->addr, &t->daddr) &&
	    (!v->port || v->port == t->dport))
		return v;
	list_for_each_entry(c, &ln->virtuals, node)
		if (c->family == t->family && c->protocol == t->protocol &&
		    nf_inet_addr_cmp(&c->addr, &t->daddr) &&
		    (!c->port || c->port == t->dport) &&
		    rcu_dereference_protected(c->backup,
					      lockdep_is_held(&ln->lock)) == v)
			return c;
	return NULL;
}

/* The link's real, or its backup, at @req's real address. */
static struct ldir_real *conn_real(struct ldir_net *ln, struct ldir_link *l,
				   const struct conn_req *req)
{
	struct ldir_real *r = l->real, *b;

	if (nf_inet_addr_cmp(&r->addr, &req->raddr))
		return r;
	b = rcu_dereference_protected(r->backup, lockdep_is_held(&ln->lock));
	return b && nf_inet_addr_cmp(&b->addr, &req->raddr) ? b : NULL;
}

/* Inserts the checked conn of @t, or updates the one there; one of the
 * same flow to another real is replaced. Caller holds rcu_read_lock().
 */
static int conn_insert(struct ldir_net *ln, const struct ldir_tuple *t,
		       struct ldir_link *l, struct ldir_real *real,
		       __be16 rport, u8 state, u32 timeout,
		       const struct ldir_virtual *cv)
{
	struct ldir_conn *cp;

	cp = ldir_conn_lookup_rcu(ln, t, LDIR_DIR_ORIG);
	if (cp && cp->link == l && cp->real == real && cp->rport == rport) {
		ldir_conn_peer_update(ln, cp, state, timeout);
		return 0;
	}
	if (cp) {
		/* the peer's word is the newer: sent back to no one */
		set_bit(LDIR_CONN_B_PEER, &cp->flags);
		ldir_conn_kill(ln, cp);
	}
	cp = ldir_conn_peer_create(ln, t, l, real, rport, state, timeout);
	if (IS_ERR(cp))
		return PTR_ERR(cp);
	/* a packet made it meanwhile: that one stands */
	if (cp->link != l || cp->real != real)
		return -EBUSY;
	/* a backup virtual's conn goes with the virtual the client named */
	WRITE_ONCE(cp->virt, cv);
	return 0;
}

static int conn_new(struct ldir_net *ln, struct genl_info *info,
		    struct nlattr **tb, const struct conn_req *req)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[LDIR_A_CONN];
	struct nlattr *ktb[LDIR_VIRTUAL_A_MAX + 1];
	struct nlattr *rtb[LDIR_REAL_A_MAX + 1];
	struct ldir_virtual *v, *cv;
	struct ldir_real *r, *real;
	struct ldir_nl_vkey k;
	struct ldir_link *l;
	union nf_inet_addr raddr;
	__be16 rkport, rport;
	u32 ms, timeout;
	u16 family;
	u8 state;
	int ret;

	if (tb[LDIR_CONN_A_REMOVED]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REMOVED],
				    "a removal: send it with conn-del");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_STATE) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_EXPIRES_MS) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_VIRTUAL) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_REAL) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LDIR_CONN_A_DIGEST))
		return -EINVAL;
	state = nla_get_u8(tb[LDIR_CONN_A_STATE]);
	if (req->t.protocol == IPPROTO_UDP ? state != LDIR_CONN_S_UDP :
	    !ldir_sync_state(state) || state == LDIR_CONN_S_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_STATE],
				    "state must be established, fin-wait, time-wait or close (TCP), udp (UDP)");
		return -EINVAL;
	}
	ms = nla_get_u32(tb[LDIR_CONN_A_EXPIRES_MS]);
	if (!ms || ms / MSEC_PER_SEC >= LDIR_TIMEOUT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_EXPIRES_MS],
				    "expires-ms must be 1 ms .. 7 days");
		return -EINVAL;
	}
	timeout = max(msecs_to_jiffies(ms), 1UL);

	/* the virtual, by its key */
	ret = nla_parse_nested(ktb, LDIR_VIRTUAL_A_MAX, tb[LDIR_CONN_A_VIRTUAL],
			       ldir_nl_virtual_key_policy, extack);
	if (!ret)
		ret = ldir_nl_parse_vkey(extack, tb[LDIR_CONN_A_VIRTUAL], ktb,
					 &k);
	if (ret)
		return ret;
	if (k.family != req->t.family || k.protocol != req->t.protocol) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_VIRTUAL],
				    "the virtual's family and protocol must be the conn's");
		return -EINVAL;
	}
	v = ldir_virtual_find(ln, k.family, &k.addr, k.port, k.protocol,
			      k.bind_id);
	if (!v) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_VIRTUAL],
				    "virtual not found");
		return -ENOENT;
	}
	if (v->flags & LDIR_VIRTUAL_F_STATELESS) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_VIRTUAL],
				    "a stateless virtual keeps no conns");
		return -EINVAL;
	}
	cv = client_virtual(ln, v, &req->t);
	if (!cv) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_VIRTUAL_ADDR],
				    "virtual-addr:port is neither the virtual's nor one it backs up");
		return -EINVAL;
	}

	/* the real, by its key, and the link */
	ret = nla_parse_nested(rtb, LDIR_REAL_A_MAX, tb[LDIR_CONN_A_REAL],
			       ldir_nl_real_key_policy, extack);
	if (!ret)
		ret = ldir_nl_parse_addr(extack, tb[LDIR_CONN_A_REAL], rtb,
					 LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR,
					 &family, &raddr, true);
	if (ret)
		return ret;
	if (family != req->t.family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REAL],
				    "the real's family must be the conn's");
		return -EINVAL;
	}
	rkport = rtb[LDIR_REAL_A_PORT] ? nla_get_be16(rtb[LDIR_REAL_A_PORT]) : 0;
	r = ldir_real_find(ln, family, &raddr, rkport);
	if (!r) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REAL], "real not found");
		return -ENOENT;
	}
	l = ldir_link_find(ln, v, r);
	if (!l) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REAL],
				    "the real is not linked to the virtual");
		return -ENOENT;
	}
	real = conn_real(ln, l, req);
	if (!real) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REAL_ADDR],
				    "real-addr is neither the linked real's nor its backup's");
		return -EINVAL;
	}
	/* as conn_new() in hooks.c picks it */
	rport = l->port ?: (real->port ?: req->t.dport);
	if (rport != req->rport) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REAL_PORT],
				    "real-port is not the link's");
		return -EINVAL;
	}
	if (nla_get_u64(tb[LDIR_CONN_A_DIGEST]) != READ_ONCE(v->digest)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_DIGEST],
				    "the virtual's configuration differs here (digest)");
		return -ESTALE;
	}

	/* in place, or replaced if it goes elsewhere */
	rcu_read_lock();
	ret = conn_insert(ln, &req->t, l, real, rport, state, timeout, cv);
	rcu_read_unlock();
	switch (ret) {
	case 0:
		/* the peer's client affinity comes with its conn */
		ldir_fpa_learn(ln, v, req->t.family, &req->t.saddr, l);
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG_MOD(extack, "the conn table is full");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG_ATTR(extack, tb[LDIR_CONN_A_REAL_ADDR],
				    "another conn has this reply tuple");
		break;
	case -EBUSY:
		NL_SET_ERR_MSG_MOD(extack, "a packet made this conn meanwhile");
		break;
	default:
		NL_SET_ERR_MSG_MOD(extack, "cannot allocate the conn");
	}
	return ret;
}

int ldir_nl_conn_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_CONN_A_MAX + 1];
	struct conn_req req;
	int ret;

	ret = parse_conn(info, tb, &req, true);
	if (!ret)
		ret = conn_new(ln, info, tb, &req);
	if (ret)
		return reject(ln, ret);
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_SYNC_RECEIVED);
	return 0;
}

int ldir_nl_conn_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ldir_net *ln = ldir_nl_ln(info);
	struct nlattr *tb[LDIR_CONN_A_MAX + 1];
	struct ldir_conn *cp;
	struct conn_req req;
	int ret;

	ret = parse_conn(info, tb, &req, false);
	if (ret)
		return reject(ln, ret);
	rcu_read_lock();
	/* the buckets come with the first virtual: before it, no conn */
	cp = ln->conns.buckets ?
	     ldir_conn_lookup_rcu(ln, &req.t, LDIR_DIR_ORIG) : NULL;
	if (!cp) {
		ret = -ENOENT;
		NL_SET_ERR_MSG_MOD(info->extack, "no such conn");
	} else if (req.has_real && !conn_is(cp, &req)) {
		ret = -ESRCH;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[LDIR_CONN_A_REAL_ADDR],
				    "the conn goes to another real here");
	} else {
		/* removed at the peer's word: not sent back */
		set_bit(LDIR_CONN_B_PEER, &cp->flags);
		ldir_conn_kill(ln, cp);
	}
	rcu_read_unlock();
	if (ret)
		return reject(ln, ret);
	LDIR_STATS_INC(ln->stats, LDIR_STATS_A_SYNC_RECEIVED);
	return 0;
}
