// SPDX-License-Identifier: GPL-2.0
/*
 * The decision for a new conn: which virtual a packet is for (the longest
 * bind prefix of the client, then the general instance; an exact port,
 * then port 0), and which link and real take it (the client's FPA, the
 * virtual's scheme, overflow to the general instance, then the virtual's
 * backup). Softirq, under rcu_read_lock().
 */
#include "select.h"
#include "health.h"

#define BIND_HASH_BITS	12

/* The vtab bucket of a general instance. */
u32 ldir_vtab_hash(const struct ldir_net *ln, const union nf_inet_addr *addr,
		   __be16 port, u8 protocol)
{
	return ldir_key_hash(ln, addr, port, protocol) >> (32 - LDIR_VTAB_BITS);
}

/* The general instance (Bind ID 0) of addr:port:protocol, or NULL. Under
 * rcu_read_lock() or ln->lock.
 */
struct ldir_virtual *ldir_vtab_lookup(struct ldir_net *ln, u16 family,
				      const union nf_inet_addr *addr,
				      __be16 port, u8 protocol)
{
	struct ldir_virtual *v;
	u32 h = ldir_vtab_hash(ln, addr, port, protocol);

	hlist_for_each_entry_rcu(v, &ln->vtab[h], hnode,
				 lockdep_is_held(&ln->lock))
		if (v->port == port && v->protocol == protocol &&
		    v->family == family && !v->bind_id &&
		    nf_inet_addr_cmp(&v->addr, addr))
			return v;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_vtab_lookup);

/*
 * The virtual a new conn from @caddr to @addr:@port belongs to: an exact
 * port first, then a port-0 virtual covering every port. For each, the
 * instance of the longest bind prefix containing @caddr if it is in
 * service, else the general instance. An
 * instance out of service with no general one to fall back to, on either
 * port, is still returned, for its live conns. Caller holds rcu_read_lock().
 */
struct ldir_virtual *ldir_virtual_lookup_rcu(struct ldir_net *ln, u16 family,
					     const union nf_inet_addr *addr,
					     __be16 port, u8 protocol,
					     const union nf_inet_addr *caddr)
{
	struct ldir_virtual *v, *b, *out = NULL;

	for (;;) {
		b = ldir_bind_lookup_rcu(ln, family, addr, port, protocol,
					 caddr);
		if (b && READ_ONCE(b->state) == LDIR_STATE_IN)
			return b;
		v = ldir_vtab_lookup(ln, family, addr, port, protocol);
		if (v)
			return v;
		if (!out)
			out = b;
		if (!port)
			return out;
		port = 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_lookup_rcu);

/* The general instance (Bind ID 0) of @v's VIP:port:protocol, or NULL. */
struct ldir_virtual *ldir_virtual_general_rcu(struct ldir_net *ln,
					      const struct ldir_virtual *v)
{
	return ldir_vtab_lookup(ln, v->family, &v->addr, v->port, v->protocol);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_general_rcu);

/* The bucket of a bind of VIP:port:protocol and client prefix. */
u32 ldir_bind_hash(const struct ldir_bind_table *bt, u16 family,
		   const union nf_inet_addr *vaddr, __be16 vport,
		   u8 protocol, const union nf_inet_addr *caddr, u8 plen)
{
	struct {
		union nf_inet_addr vaddr;
		union nf_inet_addr caddr;
		__be16 vport;
		u16 family;
		u8 protocol;
		u8 plen;
		u8 pad[2];
	} k = {
		.vaddr = *vaddr, .caddr = *caddr, .vport = vport,
		.family = family, .protocol = protocol, .plen = plen,
	};

	return (u32)siphash(&k, sizeof(k), &bt->key) >> (32 - BIND_HASH_BITS);
}

static bool bind_match(const struct ldir_bind *b, u16 family,
		       const union nf_inet_addr *vaddr, __be16 vport,
		       u8 protocol, const union nf_inet_addr *caddr, u8 plen)
{
	const struct ldir_virtual *v = b->virt;

	return b->plen == plen && v->port == vport &&
	       v->protocol == protocol && v->family == family &&
	       nf_inet_addr_cmp(&b->caddr, caddr) &&
	       nf_inet_addr_cmp(&v->addr, vaddr);
}

/* The bind of exactly @caddr/@plen, under rcu_read_lock() or ln->lock. */
struct ldir_bind *ldir_bind_probe(struct ldir_net *ln,
				  struct hlist_head *buckets, u16 family,
				  const union nf_inet_addr *vaddr,
				  __be16 vport, u8 protocol,
				  const union nf_inet_addr *caddr, u8 plen)
{
	struct ldir_bind_table *bt = &ln->binds;
	struct ldir_bind *b;
	u32 h = ldir_bind_hash(bt, family, vaddr, vport, protocol, caddr, plen);

	hlist_for_each_entry_rcu(b, &buckets[h], hnode,
				 lockdep_is_held(&ln->lock))
		if (bind_match(b, family, vaddr, vport, protocol, caddr, plen))
			return b;
	return NULL;
}

/*
 * The instance of VIP:port:protocol the
 * longest bind prefix containing @caddr points to, or NULL. One probe per
 * prefix length in use, longest first. Caller holds rcu_read_lock().
 */
struct ldir_virtual *ldir_bind_lookup_rcu(struct ldir_net *ln, u16 family,
					  const union nf_inet_addr *vaddr,
					  __be16 vport, u8 protocol,
					  const union nf_inet_addr *caddr)
{
	struct ldir_bind_table *bt = &ln->binds;
	/* pairs with smp_store_release() in ldir_bind_create() */
	struct hlist_head *buckets = smp_load_acquire(&bt->buckets);
	int len = family == AF_INET ? 32 : 128;
	union nf_inet_addr masked;
	struct ldir_bind *b;

	if (!buckets || !caddr)
		return NULL;
	for (; len >= 0; len--) {
		if (!test_bit(len, bt->lens))
			continue;
		ldir_addr_mask(&masked, caddr, family, len);
		b = ldir_bind_probe(ln, buckets, family, vaddr, vport,
				    protocol, &masked, len);
		if (b)
			return b->virt;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_lookup_rcu);

/*
 * Preferred users keep service when their instance has
 * no real that can take the conn (all busy or failed): the general
 * instance of the same VIP:port:protocol picks one. Caller holds
 * rcu_read_lock(); softirq.
 */
struct ldir_link *ldir_bind_overflow(struct ldir_net *ln,
				     struct ldir_virtual *v,
				     const struct ldir_tuple *t,
				     struct ldir_real *avoid,
				     struct ldir_pick *pick)
{
	struct ldir_virtual *v0;

	v0 = ldir_virtual_general_rcu(ln, v);
	if (!v0 || READ_ONCE(v0->state) != LDIR_STATE_IN)
		return NULL;
	return ldir_fpa_pick(ln, v0, t, avoid, pick);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_overflow);

/*
 * Picks the link and real for a new conn of @v: @v's own reals (the
 * client's FPA first, then the scheme); for a client of a Bind ID whose
 * instance overflows, the general instance's; else, one level only,
 * @v's backup virtual's (a "sorry" server, say). @avoid: a real the
 * client's SYN is being moved away from. NULL if no real can take it.
 */
struct ldir_link *ldir_select(struct ldir_net *ln, struct ldir_virtual *v,
			      const struct ldir_tuple *t,
			      struct ldir_real *avoid, struct ldir_pick *pick)
{
	struct ldir_virtual *b;
	struct ldir_link *l = NULL;

	pick->backup = false;
	if (READ_ONCE(v->state) == LDIR_STATE_IN)
		l = ldir_fpa_pick(ln, v, t, avoid, pick);
	if (!l && v->bind_id && READ_ONCE(v->overflow))
		l = ldir_bind_overflow(ln, v, t, avoid, pick);
	if (l)
		return l;
	b = rcu_dereference(v->backup);
	if (!b || READ_ONCE(b->state) != LDIR_STATE_IN)
		return NULL;
	l = ldir_sched_pick(ln, b, t, avoid, pick);
	pick->backup = !!l;
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_select);
