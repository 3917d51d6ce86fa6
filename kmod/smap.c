// SPDX-License-Identifier: GPL-2.0
/*
 * The map from a real's (address, port, protocol) to whom its replies
 * belong: the link of a stateless virtual, whose replies have no conn to
 * be translated by, or the stateful virtuals, whose replies without a
 * conn are dropped. Written by the model under ln->lock, read by the
 * packet path under RCU.
 */
#include <linux/slab.h>

#include "select.h"

static struct hlist_head *smap_head(struct ldir_net *ln,
				    const union nf_inet_addr *addr,
				    __be16 port, u8 protocol)
{
	return &ln->smap[ldir_key_hash(ln, addr, port, protocol) &
			 ((1 << LDIR_SMAP_BITS) - 1)];
}

/* The real port replies of @l come from; 0 = the client's port, kept. */
static __be16 smap_port(const struct ldir_virtual *v, const struct ldir_real *r,
			__be16 link_port)
{
	return link_port ?: r->port ?: v->port;
}

/*
 * A stateless virtual has no conn to translate a reply with, only the
 * real's address and port: refuse a link after which one (address, port,
 * protocol) would answer for two virtuals. Caller holds ln->lock.
 */
int ldir_stateless_link_check(struct ldir_net *ln, struct ldir_virtual *v,
			      struct ldir_real *r, __be16 port,
			      struct netlink_ext_ack *extack)
{
	__be16 rport = smap_port(v, r, port);
	struct ldir_smap_entry *e;
	int i;

	lockdep_assert_held(&ln->lock);
	if (!(v->flags & LDIR_VIRTUAL_F_STATELESS))
		return 0;
	if (!v->port && rport) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a stateless virtual covering every port needs links that keep the port (link port 0 to a real of port 0)");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(ln->smap); i++)
		hlist_for_each_entry(e, &ln->smap[i], node) {
			if (!e->link || e->family != r->family ||
			    e->protocol != v->protocol ||
			    !nf_inet_addr_cmp(&e->raddr, &r->addr))
				continue;
			if (e->rport && rport && e->rport != rport)
				continue;
			NL_SET_ERR_MSG_MOD(extack,
					   "ambiguous: this real address and port already answer for a stateless virtual, replies could not be told apart");
			return -EEXIST;
		}
	return 0;
}

/* The entry of a stateful link's key, if any. Caller holds ln->lock. */
static struct ldir_smap_entry *smap_stateful(struct ldir_net *ln,
					     const struct ldir_link *l,
					     __be16 rport)
{
	const struct ldir_real *r = l->real;
	struct ldir_smap_entry *e;

	hlist_for_each_entry(e, smap_head(ln, &r->addr, rport,
					  l->virt->protocol), node)
		if (!e->link && e->rport == rport &&
		    e->protocol == l->virt->protocol &&
		    e->family == r->family && nf_inet_addr_cmp(&e->raddr, &r->addr))
			return e;
	return NULL;
}

/* A stateful link: replies from its real's (address, port) without a conn
 * are to be dropped (the hooks). One entry per key, counted:
 * no walk longer than the bucket. A link that keeps the client's port (a
 * virtual of port 0) has no port to tell its replies by: none.
 */
static int stateful_add(struct ldir_net *ln, struct ldir_link *l)
{
	__be16 rport = smap_port(l->virt, l->real, l->port);
	struct ldir_smap_entry *e;

	if (!rport)
		return 0;
	e = smap_stateful(ln, l, rport);
	if (e) {
		e->refs++;
		WRITE_ONCE(e->adopt, NULL);
		return 0;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->raddr = l->real->addr;
	e->family = l->real->family;
	e->rport = rport;
	e->protocol = l->virt->protocol;
	e->refs = 1;
	e->adopt = l;
	hlist_add_head_rcu(&e->node, smap_head(ln, &e->raddr, e->rport,
					       e->protocol));
	return 0;
}

/* The link of @e's key other than @gone, which has left ln->links. */
static struct ldir_link *stateful_other(struct ldir_net *ln,
					const struct ldir_smap_entry *e,
					const struct ldir_link *gone)
{
	struct ldir_link *l;

	list_for_each_entry(l, &ln->links, node)
		if (l != gone && !(l->virt->flags & LDIR_VIRTUAL_F_STATELESS) &&
		    l->virt->protocol == e->protocol &&
		    l->real->family == e->family &&
		    smap_port(l->virt, l->real, l->port) == e->rport &&
		    nf_inet_addr_cmp(&l->real->addr, &e->raddr))
			return l;
	return NULL;
}

/* Undoes stateful_add(); also after it failed, when no link has the key. */
static void stateful_del(struct ldir_net *ln, struct ldir_link *l)
{
	__be16 rport = smap_port(l->virt, l->real, l->port);
	struct ldir_smap_entry *e;

	if (!rport)
		return;
	e = smap_stateful(ln, l, rport);
	if (!e)
		return;
	if (!--e->refs) {
		hlist_del_rcu(&e->node);
		kfree_rcu(e, rcu);
	} else if (e->refs == 1) {
		WRITE_ONCE(e->adopt, stateful_other(ln, e, l));
	}
}

int ldir_stateless_link_add(struct ldir_net *ln, struct ldir_link *l)
{
	struct ldir_virtual *v = l->virt;
	struct ldir_smap_entry *e;

	lockdep_assert_held(&ln->lock);
	if (!(v->flags & LDIR_VIRTUAL_F_STATELESS))
		return stateful_add(ln, l);
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->raddr = l->real->addr;
	e->family = l->real->family;
	e->rport = smap_port(v, l->real, l->port);
	e->protocol = v->protocol;
	e->link = l;
	hlist_add_head_rcu(&e->node, smap_head(ln, &e->raddr, e->rport,
					       e->protocol));
	WRITE_ONCE(ln->nsmap, ln->nsmap + 1);
	return 0;
}

void ldir_stateless_link_del(struct ldir_net *ln, struct ldir_link *l)
{
	struct ldir_smap_entry *e;
	struct hlist_node *tmp;
	int i;

	lockdep_assert_held(&ln->lock);
	if (!(l->virt->flags & LDIR_VIRTUAL_F_STATELESS)) {
		stateful_del(ln, l);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(ln->smap); i++)
		hlist_for_each_entry_safe(e, tmp, &ln->smap[i], node)
			if (e->link == l) {
				hlist_del_rcu(&e->node);
				kfree_rcu(e, rcu);
				WRITE_ONCE(ln->nsmap, ln->nsmap - 1);
				return;
			}
}

/* The entry of a stateless link for the key if there is one, else the
 * stateful entry, else NULL.
 */
struct ldir_smap_entry *ldir_smap_lookup_rcu(struct ldir_net *ln,
					     const union nf_inet_addr *addr,
					     __be16 port, u8 protocol)
{
	struct ldir_smap_entry *e, *stateful = NULL;

	hlist_for_each_entry_rcu(e, smap_head(ln, addr, port, protocol), node)
		if (e->rport == port && e->protocol == protocol &&
		    nf_inet_addr_cmp(&e->raddr, addr)) {
			if (e->link)
				return e;
			stateful = e;
		}
	return stateful;
}
