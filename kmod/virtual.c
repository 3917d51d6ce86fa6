// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual and link objects: the VIP table the
 * packet path looks up under RCU, and the per-virtual RCU list of links.
 */
#include <linux/slab.h>
#include <linux/netdevice.h>

#include "model.h"
#include "conntab.h"
#include "hooks.h"
#include "select.h"
#include "sync.h"

/* The configuration digest conn sync compares (sync.c): the scheme and
 * flags, and the parts of the links. Under ln->lock, after each change.
 */
void ldir_virtual_digest_update(struct ldir_virtual *v)
{
	const struct ldir_sched_ops *s;

	s = rcu_dereference_protected(v->sched, lockdep_is_held(&v->ln->lock));
	WRITE_ONCE(v->digest,
		   ldir_sync_digest_base(s->name, v->flags) + v->digest_links);
}

static u64 link_digest(const struct ldir_link *l)
{
	return ldir_sync_digest_link(l->real->family, &l->real->addr,
				     l->real->port, l->port);
}

struct ldir_virtual *ldir_virtual_find(struct ldir_net *ln, u16 family,
				       const union nf_inet_addr *addr,
				       __be16 port, u8 protocol, u32 bind_id)
{
	struct ldir_virtual *v;

	lockdep_assert_held(&ln->lock);
	/* the general instances are hashed: every link added looks one up */
	if (!bind_id)
		return ldir_vtab_lookup(ln, family, addr, port, protocol);
	list_for_each_entry(v, &ln->virtuals, node)
		if (v->family == family && v->port == port &&
		    v->protocol == protocol && v->bind_id == bind_id &&
		    nf_inet_addr_cmp(&v->addr, addr))
			return v;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_find);

struct ldir_virtual *ldir_virtual_create(struct ldir_net *ln, u16 family,
					 const union nf_inet_addr *addr,
					 __be16 port, u8 protocol, u32 bind_id,
					 u32 flags,
					 const struct ldir_sched_ops *sched)
{
	struct ldir_virtual *v;
	int ret;

	lockdep_assert_held(&ln->lock);
	if (ln->nvirtuals >= ln->virtual_max)
		return ERR_PTR(-ENOSPC);
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return ERR_PTR(-ENOMEM);
	refcount_set(&v->refcnt, 1);
	v->family = family;
	v->addr = *addr;
	v->port = port;
	v->protocol = protocol;
	v->bind_id = bind_id;
	v->flags = flags;
	v->ln = ln;
	v->state = LDIR_STATE_IN;
	v->startup_pct = 50;
	v->startup_window = 20;
	v->fpa_mask = family == AF_INET ? 32 : 128;
	RCU_INIT_POINTER(v->sched, sched);
	INIT_LIST_HEAD(&v->links);
	spin_lock_init(&v->sched_lock);
	spin_lock_init(&v->stats_lock);
	INIT_LIST_HEAD(&v->retiring);
	atomic_set(&v->conns, 0);
	ldir_virtual_digest_update(v);

	ret = ldir_conn_table_alloc(ln);
	if (ret) {
		kfree(v);
		return ERR_PTR(ret);
	}
	if (!ln->nvirtuals) {
		ret = ldir_hooks_register(ln);
		if (ret) {
			kfree(v);
			return ERR_PTR(ret);
		}
	}
	list_add_tail(&v->node, &ln->virtuals);
	ldir_afilter_add(&ln->vip_filter, addr);
	if (!(v->flags & LDIR_VIRTUAL_F_STATELESS))
		ldir_afilter_add(&ln->stateful_filter, addr);
	hlist_add_head_rcu(&v->hnode,
			   &ln->vtab[ldir_vtab_hash(ln, addr, port, protocol)]);
	ln->nvirtuals++;
	ldir_net_changed(ln);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_create);

/*
 * Removing objects (WireGuard's peer removal): make them dead, wait for
 * one grace period for the whole batch, then finish. A grace period costs
 * milliseconds, and the config lock is held meanwhile: a flush or a netns
 * exit of n objects waits once, not n times.
 */

/* The first half of removing @l: no new conn picks it from now on (the
 * packet path may still hold it). The caller drops its FPAs, waits if
 * its conns are to go, and puts it.
 */
static void link_unpublish(struct ldir_net *ln, struct ldir_link *l)
{
	struct ldir_virtual *v = l->virt;

	lockdep_assert_held(&ln->lock);
	ldir_sched_link_del(v, l);
	list_del_rcu(&l->rnode);
	list_del(&l->node);
	/* its counts stay in the totals while its conns drain */
	spin_lock_bh(&v->stats_lock);
	list_add_tail(&l->vretire, &v->retiring);
	spin_unlock_bh(&v->stats_lock);
	spin_lock_bh(&l->real->stats_lock);
	list_add_tail(&l->rretire, &l->real->retiring);
	spin_unlock_bh(&l->real->stats_lock);
	ldir_stateless_link_del(ln, l);
	v->digest_links -= link_digest(l);
	ldir_virtual_digest_update(v);
	v->nlinks--;
	l->real->nlinks--;
	ln->nlinks--;
	ldir_net_changed(ln);
}

/* The first half of removing @v: no packet finds it, or any of its links,
 * from now on; its conns are still there. Takes it off ln->virtuals.
 */
static void virtual_unpublish(struct ldir_net *ln, struct ldir_virtual *v)
{
	struct ldir_link *l, *tmp;

	ldir_bind_del_virtual(ln, v);
	hlist_del_rcu(&v->hnode);
	list_del(&v->node);
	ldir_afilter_del(&ln->vip_filter, &v->addr);
	if (!(v->flags & LDIR_VIRTUAL_F_STATELESS))
		ldir_afilter_del(&ln->stateful_filter, &v->addr);
	/* its FPAs point to its own links only */
	ldir_fpa_flush(ln, v, NULL);
	list_for_each_entry_safe(l, tmp, &v->links, vnode) {
		link_unpublish(ln, l);
		ldir_link_put(l);
	}
	ldir_hash_release(ln, v);
	/* the hooks go with the last virtual; in flight, they are waited
	 * for with the rest
	 */
	if (!--ln->nvirtuals)
		ldir_hooks_unregister(ln);
	ldir_net_changed(ln);
}

/* A virtual gone from ln->virtuals, its conns flushed: its totals stay in
 * the instance's.
 */
static void virtual_retire(struct ldir_net *ln, struct ldir_virtual *v)
{
	u64 sum[LDIR_OS_MAX] = {};
	int i;

	ldir_virtual_totals(v, sum);
	for (i = 0; i < LDIR_OS_MAX; i++)
		ln->retired[i] += sum[i];
}

/* Deleting a virtual flushes its conns: with the virtual gone, replies
 * could no longer be translated back to its address.
 */
void ldir_virtual_destroy(struct ldir_net *ln, struct ldir_virtual *v)
{
	struct ldir_virtual *o;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry(o, &ln->virtuals, node)
		if (rcu_access_pointer(o->backup) == v)
			RCU_INIT_POINTER(o->backup, NULL);
	virtual_unpublish(ln, v);
	/* a packet that found @v before it was unhashed may still be
	 * creating a conn: let it finish, then flush
	 */
	synchronize_net();
	ldir_conn_flush(ln, NULL, v, NULL);
	virtual_retire(ln, v);
	ldir_virtual_put(v);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_destroy);

/* A virtual is failed when every one of its reals is
 * (and no backup real stands in for it) and it has no backup virtual
 * to send its clients to. Under ln->lock or rcu_read_lock().
 */
bool ldir_virtual_failed(const struct ldir_virtual *v)
{
	const struct ldir_link *l;
	bool any = false;

	if (rcu_access_pointer(v->backup))
		return false;
	list_for_each_entry_rcu(l, &v->links, vnode, true) {
		struct ldir_real *b;

		if (READ_ONCE(l->real->state) != LDIR_STATE_FAILED)
			return false;
		b = rcu_dereference_check(l->real->backup, true);
		if (b && ldir_real_usable(b))
			return false;
		any = true;
	}
	return any;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_failed);

struct ldir_link *ldir_link_find(struct ldir_net *ln, struct ldir_virtual *v,
				 struct ldir_real *r)
{
	struct ldir_link *l;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry_rcu(l, &v->links, vnode, lockdep_is_held(&ln->lock))
		if (l->real == r)
			return l;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_link_find);

struct ldir_link *ldir_link_create(struct ldir_net *ln, struct ldir_virtual *v,
				   struct ldir_real *r, __be16 port)
{
	struct ldir_link *l;

	lockdep_assert_held(&ln->lock);
	if (ln->nlinks >= ln->link_max)
		return ERR_PTR(-ENOSPC);
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return ERR_PTR(-ENOMEM);
	l->stats = alloc_percpu_gfp(struct ldir_ostats, GFP_KERNEL_ACCOUNT);
	l->bstats = alloc_percpu_gfp(struct ldir_ostats, GFP_KERNEL_ACCOUNT);
	if (!l->stats || !l->bstats) {
		free_percpu(l->stats);
		free_percpu(l->bstats);
		kfree(l);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&l->vretire);
	INIT_LIST_HEAD(&l->rretire);
	refcount_set(&l->refcnt, 1);
	refcount_inc(&v->refcnt);
	refcount_inc(&r->refcnt);
	l->virt = v;
	l->real = r;
	l->port = port;
	atomic_set(&l->active, 0);
	atomic_set(&l->conns, 0);
	list_add_tail(&l->node, &ln->links);
	list_add_tail_rcu(&l->rnode, &r->links);
	/* publishes the initialised link to the packet path */
	ldir_sched_link_add(v, l);
	v->digest_links += link_digest(l);
	ldir_virtual_digest_update(v);
	v->nlinks++;
	r->nlinks++;
	ln->nlinks++;
	ldir_net_changed(ln);
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_link_create);

/* Takes @l out of service: no new conns from now on. Its live conns keep
 * their reference and finish, unless @flush.
 */
void ldir_link_unlink(struct ldir_net *ln, struct ldir_link *l, bool flush)
{
	link_unpublish(ln, l);
	ldir_fpa_flush(ln, l->virt, l);
	if (flush) {
		/* conns being created for @l right now come first */
		synchronize_net();
		ldir_conn_flush(ln, l, NULL, NULL);
	}
	ldir_link_put(l);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_link_unlink);

static bool conn_of_real(const struct ldir_conn *cp, const void *r)
{
	return cp->link->real == r || cp->real == r;
}

/* Takes every link of @r out of service. With @flush, the conns of @r's
 * links go too, after one grace period for all of them.
 */
void ldir_link_unlink_real(struct ldir_net *ln, struct ldir_real *r, bool flush)
{
	bool any = !list_empty(&r->links);
	struct ldir_link *l, *tmp;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry_safe(l, tmp, &r->links, rnode) {
		link_unpublish(ln, l);
		ldir_link_put(l);
	}
	if (any)
		ldir_fpa_flush_unlinked(ln);
	if (flush) {
		/* conns being created for them right now come first; and
		 * those of links unlinked before go as well
		 */
		synchronize_net();
		ldir_conn_flush_match(ln, conn_of_real, r);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_link_unlink_real);

/* Removes every virtual, conn and real: one grace period for them all. */
void ldir_objects_flush(struct ldir_net *ln)
{
	/* without hooks no packet can be on the way to a virtual: either
	 * there is none, or the netns exits and its core waited a grace
	 * period since ldir_net_pre_exit() took the hooks away
	 */
	bool wait = ln->hooks_registered;
	struct ldir_virtual *v, *vtmp;
	struct ldir_real *r, *rtmp;
	LIST_HEAD(dead);

	lockdep_assert_held(&ln->lock);
	ldir_fpa_flush(ln, NULL, NULL);
	list_for_each_entry(v, &ln->virtuals, node)
		RCU_INIT_POINTER(v->backup, NULL);
	list_for_each_entry_safe(v, vtmp, &ln->virtuals, node) {
		virtual_unpublish(ln, v);
		list_add(&v->node, &dead);
		cond_resched();
	}
	if (wait)
		synchronize_net();
	/* after the links left their reals: a conn that goes has no
	 * scheduler to tell
	 */
	ldir_conn_flush(ln, NULL, NULL, NULL);
	list_for_each_entry_safe(v, vtmp, &dead, node) {
		virtual_retire(ln, v);
		ldir_virtual_put(v);
	}

	list_for_each_entry(r, &ln->reals, node)
		ldir_real_set_backup(ln, r, NULL);
	list_for_each_entry_safe(r, rtmp, &ln->reals, node) {
		ldir_real_destroy(ln, r);
		cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_objects_flush);
