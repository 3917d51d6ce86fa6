// SPDX-License-Identifier: GPL-2.0
/*
 * Bind objects (seed 002 Fig. 3D, 4, 5): created and deleted under the
 * config lock; the packet path finds the longest matching prefix under RCU.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bind.h"
#include "fpa.h"
#include "netns.h"
#include "virtual.h"

#define BIND_HASH_BITS	12

static u32 bind_hash(const struct ldir_bind_table *bt, u16 family,
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

static struct ldir_bind *probe(struct ldir_net *ln, struct hlist_head *buckets,
			       u16 family, const union nf_inet_addr *vaddr,
			       __be16 vport, u8 protocol,
			       const union nf_inet_addr *caddr, u8 plen)
{
	struct ldir_bind_table *bt = &ln->binds;
	struct ldir_bind *b;
	u32 h = bind_hash(bt, family, vaddr, vport, protocol, caddr, plen);

	hlist_for_each_entry_rcu(b, &buckets[h], hnode,
				 lockdep_is_held(&ln->lock))
		if (bind_match(b, family, vaddr, vport, protocol, caddr, plen))
			return b;
	return NULL;
}

/*
 * Seed 002 Fig. 5 steps 510-514: the instance of VIP:port:protocol the
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
		b = probe(ln, buckets, family, vaddr, vport, protocol, &masked,
			  len);
		if (b)
			return b->virt;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_lookup_rcu);

struct ldir_bind *ldir_bind_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *vaddr, __be16 vport,
				 u8 protocol, const union nf_inet_addr *caddr,
				 u8 plen)
{
	lockdep_assert_held(&ln->lock);
	if (!ln->binds.buckets)
		return NULL;
	return probe(ln, ln->binds.buckets, family, vaddr, vport, protocol,
		     caddr, plen);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_find);

/*
 * Seed 002 Fig. 4 steps 408-412: a bind of @caddr/@plen (host bits zero;
 * the caller checked) to the instance @v. -EEXIST if the prefix is already
 * assigned to an instance of the same VIP:port:protocol.
 */
struct ldir_bind *ldir_bind_create(struct ldir_net *ln, struct ldir_virtual *v,
				   const union nf_inet_addr *caddr, u8 plen)
{
	struct ldir_bind_table *bt = &ln->binds;
	struct hlist_head *buckets = bt->buckets;
	struct ldir_bind *b;

	lockdep_assert_held(&ln->lock);
	if (WARN_ON_ONCE(!v->bind_id || plen > LDIR_PREFIX_LEN_MAX))
		return ERR_PTR(-EINVAL);
	if (ldir_bind_find(ln, v->family, &v->addr, v->port, v->protocol,
			   caddr, plen))
		return ERR_PTR(-EEXIST);
	if (bt->count >= ln->bind_max)
		return ERR_PTR(-ENOSPC);
	if (!buckets) {
		buckets = kvcalloc(1U << BIND_HASH_BITS, sizeof(*buckets),
				   GFP_KERNEL_ACCOUNT);
		if (!buckets)
			return ERR_PTR(-ENOMEM);
		/* zeroed before seen: pairs with smp_load_acquire() in
		 * ldir_bind_lookup_rcu()
		 */
		smp_store_release(&bt->buckets, buckets);
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return ERR_PTR(-ENOMEM);
	refcount_inc(&v->refcnt);
	b->virt = v;
	b->caddr = *caddr;
	b->plen = plen;
	list_add_tail(&b->node, &bt->list);
	hlist_add_head_rcu(&b->hnode,
			   &buckets[bind_hash(bt, v->family, &v->addr, v->port,
					      v->protocol, caddr, plen)]);
	if (!bt->nlen[plen]++)
		set_bit(plen, bt->lens);
	bt->count++;
	v->nbinds++;
	ldir_net_changed(ln);
	return b;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_create);

static void bind_free_rcu(struct rcu_head *head)
{
	struct ldir_bind *b = container_of(head, struct ldir_bind, rcu);

	ldir_virtual_put(b->virt);
	kfree(b);
}

/* Live conns of the bind's clients are not touched (seed 002 Fig. 5: only
 * a SYN looks at binds).
 */
void ldir_bind_destroy(struct ldir_net *ln, struct ldir_bind *b)
{
	struct ldir_bind_table *bt = &ln->binds;

	lockdep_assert_held(&ln->lock);
	hlist_del_rcu(&b->hnode);
	list_del(&b->node);
	if (!--bt->nlen[b->plen])
		clear_bit(b->plen, bt->lens);
	bt->count--;
	b->virt->nbinds--;
	ldir_net_changed(ln);
	call_rcu(&b->rcu, bind_free_rcu);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_destroy);

/* An instance that goes takes its binds with it. */
void ldir_bind_del_virtual(struct ldir_net *ln, struct ldir_virtual *v)
{
	struct ldir_bind *b, *tmp;

	lockdep_assert_held(&ln->lock);
	if (!v->nbinds)
		return;
	list_for_each_entry_safe(b, tmp, &ln->binds.list, node)
		if (b->virt == v)
			ldir_bind_destroy(ln, b);
}

/*
 * Seed 002 para. 10: preferred users keep service when their instance has
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

void ldir_bind_table_init(struct ldir_net *ln)
{
	struct ldir_bind_table *bt = &ln->binds;

	INIT_LIST_HEAD(&bt->list);
	get_random_bytes(&bt->key, sizeof(bt->key));
}

/* After the objects are gone: every bind went with its instance. */
void ldir_bind_table_uninit(struct ldir_net *ln)
{
	WARN_ON(ln->binds.count);
	kvfree(ln->binds.buckets);
	ln->binds.buckets = NULL;
}
