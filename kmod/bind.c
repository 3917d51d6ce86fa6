// SPDX-License-Identifier: GPL-2.0
/*
 * Bind objects: created and deleted under the
 * config lock; the packet path finds the longest matching prefix under RCU.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "model.h"
#include "select.h"

#define BIND_HASH_BITS	12

struct ldir_bind *ldir_bind_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *vaddr, __be16 vport,
				 u8 protocol, const union nf_inet_addr *caddr,
				 u8 plen)
{
	lockdep_assert_held(&ln->lock);
	if (!ln->binds.buckets)
		return NULL;
	return ldir_bind_probe(ln, ln->binds.buckets, family, vaddr, vport,
			       protocol, caddr, plen);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_bind_find);

/*
 * A bind of @caddr/@plen (host bits zero;
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
			   &buckets[ldir_bind_hash(bt, v->family, &v->addr, v->port,
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

/* Live conns of the bind's clients are not touched.
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
