// SPDX-License-Identifier: GPL-2.0
/*
 * FPA table: per netns, an
 * RCU hash keyed by (virtual, masked client), bounded with LRU eviction.
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "select.h"
#include "trust.h"

#define FPA_HASH_BITS	12
#define FPA_GC_INTERVAL	HZ

static unsigned int fpa_max = 65536;
module_param(fpa_max, uint, 0444);
MODULE_PARM_DESC(fpa_max, "FPAs per netns (0: none); the least recently used goes first");

/* A user namespace may lower its FPA bound, not raise it past this. */
u32 ldir_fpa_max_default(void)
{
	return fpa_max;
}

static u32 fpa_hash(const struct ldir_fpa_table *ft,
		    const struct ldir_virtual *v,
		    const union nf_inet_addr *caddr)
{
	struct {
		union nf_inet_addr addr;
		unsigned long virt;
	} k = { .addr = *caddr, .virt = (unsigned long)v };

	return (u32)siphash(&k, sizeof(k), &ft->key) >> (32 - FPA_HASH_BITS);
}

/* The buckets, or NULL before the first virtual with FPAs. */
static struct hlist_head *fpa_buckets(struct ldir_net *ln)
{
	/* pairs with smp_store_release() in ldir_fpa_table_alloc() */
	return smp_load_acquire(&ln->fpa.buckets);
}

static struct ldir_fpa *lookup(struct ldir_fpa_table *ft,
			       struct hlist_head *buckets,
			       const struct ldir_virtual *v,
			       const union nf_inet_addr *caddr)
{
	struct ldir_fpa *f;

	hlist_for_each_entry_rcu(f, &buckets[fpa_hash(ft, v, caddr)], hnode,
				 lockdep_is_held(&ft->lock))
		if (f->virt == v && nf_inet_addr_cmp(&f->caddr, caddr))
			return f;
	return NULL;
}

/* The FPA of @caddr (already masked) on @v. Caller holds rcu_read_lock(). */
struct ldir_fpa *ldir_fpa_lookup_rcu(struct ldir_net *ln,
				     const struct ldir_virtual *v,
				     const union nf_inet_addr *caddr)
{
	struct hlist_head *buckets = fpa_buckets(ln);

	return buckets ? lookup(&ln->fpa, buckets, v, caddr) : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_lookup_rcu);

static void fpa_free_rcu(struct rcu_head *head)
{
	struct ldir_fpa *f = container_of(head, struct ldir_fpa, rcu);

	ldir_link_put(rcu_dereference_protected(f->link, 1));
	kfree(f);
}

/* Caller holds ft->lock. */
static void fpa_unhash(struct ldir_fpa_table *ft, struct ldir_fpa *f)
{
	hlist_del_rcu(&f->hnode);
	list_del(&f->lru);
	f->dead = true;
	ft->count--;
	call_rcu(&f->rcu, fpa_free_rcu);
}

/*
 * LRU order, lazily: an FPA in use moves to the front at most once a
 * second, so that a client opening many conns takes the lock once a second
 * rather than per conn. Eviction is then exact to within that second.
 */
static void fpa_touch(struct ldir_fpa_table *ft, struct ldir_fpa *f,
		      unsigned long now)
{
	if (time_before(now, READ_ONCE(f->lru_stamp) + HZ))
		return;
	spin_lock(&ft->lock);
	if (!f->dead) {
		list_move(&f->lru, &ft->lru);
		WRITE_ONCE(f->lru_stamp, now);
	}
	spin_unlock(&ft->lock);
}

/* Points @f at @l (a reference is taken) and refreshes its time. */
static void fpa_set(struct ldir_fpa *f, struct ldir_link *l, unsigned long now)
{
	struct ldir_link *old;

	if (rcu_access_pointer(f->link) != l && ldir_link_get(l)) {
		/* whoever swaps a link out owns its reference; the last one
		 * is put when the FPA is freed
		 */
		old = unrcu_pointer(xchg(&f->link, RCU_INITIALIZER(l)));
		ldir_link_put(old);
	}
	WRITE_ONCE(f->stamp, now);
}

/* Records that @caddr (masked) was sent to @l of @v. */
static void fpa_insert(struct ldir_net *ln, struct hlist_head *buckets,
		       struct ldir_virtual *v, const union nf_inet_addr *caddr,
		       struct ldir_link *l, unsigned long now)
{
	struct ldir_fpa_table *ft = &ln->fpa;
	struct ldir_fpa *f, *other;
	unsigned int max = READ_ONCE(ft->max);
	struct mem_cgroup *old;

	if (!max)
		return;
	old = ldir_charge_begin(ln);
	f = kzalloc(sizeof(*f), ldir_atomic_gfp(ln));
	ldir_charge_end(old);
	if (!f)
		return;	/* affinity is best effort; the conn goes on */
	if (!ldir_link_get(l)) {
		kfree(f);
		return;
	}
	f->virt = v;
	f->caddr = *caddr;
	RCU_INIT_POINTER(f->link, l);
	f->stamp = now;
	f->lru_stamp = now;

	spin_lock(&ft->lock);
	other = lookup(ft, buckets, v, caddr);
	if (other) {
		/* another CPU won the race: the later pick wins */
		spin_unlock(&ft->lock);
		fpa_set(other, l, now);
		ldir_link_put(l);
		kfree(f);
		return;
	}
	while (ft->count >= max && !list_empty(&ft->lru))
		fpa_unhash(ft, list_last_entry(&ft->lru, struct ldir_fpa, lru));
	hlist_add_head_rcu(&f->hnode, &buckets[fpa_hash(ft, v, caddr)]);
	list_add(&f->lru, &ft->lru);
	ft->count++;
	spin_unlock(&ft->lock);
}

static unsigned long fpa_interval(const struct ldir_virtual *v)
{
	return (unsigned long)READ_ONCE(v->fpa_interval) * HZ;
}

/*
 * Picks the link for a new conn of @v: a valid FPA of the client (younger
 * than the virtual's interval, its real still able to take a conn through
 * this virtual) names the real; otherwise the scheme picks and the FPA is
 * created or pointed at the new real. Either way its time is refreshed.
 * Caller holds rcu_read_lock(); softirq.
 */
struct ldir_link *ldir_fpa_pick(struct ldir_net *ln, struct ldir_virtual *v,
				const struct ldir_tuple *t,
				struct ldir_real *avoid, struct ldir_pick *pick)
{
	unsigned long interval = fpa_interval(v), now = jiffies;
	struct hlist_head *buckets;
	union nf_inet_addr caddr;
	struct ldir_link *l;
	struct ldir_fpa *f;

	buckets = fpa_buckets(ln);
	if (!interval || !buckets)
		return ldir_sched_pick(ln, v, t, avoid, pick);

	ldir_addr_mask(&caddr, &t->saddr, t->family, READ_ONCE(v->fpa_mask));
	f = lookup(&ln->fpa, buckets, v, &caddr);
	if (f) {
		l = rcu_dereference(f->link);
		if (time_before(now, READ_ONCE(f->stamp) + interval) &&
		    !READ_ONCE(l->unlinked) && ldir_real_usable(l->real) &&
		    l->real != avoid) {
			WRITE_ONCE(f->stamp, now);
			fpa_touch(&ln->fpa, f, now);
			pick->real = l->real;
			pick->probe = false;
			return l;
		}
	}
	l = ldir_sched_pick(ln, v, t, avoid, pick);
	if (!l)
		return NULL;
	if (f) {
		fpa_set(f, l, now);
		fpa_touch(&ln->fpa, f, now);
	} else {
		fpa_insert(ln, buckets, v, &caddr, l, now);
	}
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_pick);

/*
 * A conn of @v from @caddr to @l that a peer director made (conn sync):
 * the peer's FPA, now here too, so that the client's next conn goes to the
 * same real when this director takes the VIP over (a scheme of its own
 * would pick by this director's loads). Process context.
 */
void ldir_fpa_learn(struct ldir_net *ln, struct ldir_virtual *v, u16 family,
		    const union nf_inet_addr *caddr, struct ldir_link *l)
{
	unsigned long now = jiffies;
	struct hlist_head *buckets;
	union nf_inet_addr masked;
	struct ldir_fpa *f;

	if (!fpa_interval(v))
		return;
	/* the packet path's locking: softirq, under RCU */
	local_bh_disable();
	rcu_read_lock();
	buckets = fpa_buckets(ln);
	if (buckets) {
		ldir_addr_mask(&masked, caddr, family, READ_ONCE(v->fpa_mask));
		f = lookup(&ln->fpa, buckets, v, &masked);
		if (f) {
			fpa_set(f, l, now);
			fpa_touch(&ln->fpa, f, now);
		} else {
			fpa_insert(ln, buckets, v, &masked, l, now);
		}
	}
	rcu_read_unlock();
	local_bh_enable();
}

static bool fpa_expired(const struct ldir_fpa *f, unsigned long now)
{
	return !time_before(now, READ_ONCE(f->stamp) + fpa_interval(f->virt));
}

/* Drops FPAs: all of them, those of @v, or those that point to @l. */
void ldir_fpa_flush(struct ldir_net *ln, const struct ldir_virtual *v,
		    const struct ldir_link *l)
{
	struct ldir_fpa_table *ft = &ln->fpa;
	struct ldir_fpa *f, *tmp;

	lockdep_assert_held(&ln->lock);
	if (!ft->buckets)
		return;
	spin_lock_bh(&ft->lock);
	list_for_each_entry_safe(f, tmp, &ft->lru, lru)
		if ((!v || f->virt == v) &&
		    (!l || rcu_access_pointer(f->link) == l))
			fpa_unhash(ft, f);
	spin_unlock_bh(&ft->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_flush);

/* Drops the FPAs that point to a link out of service: no pick follows
 * them any more, and they hold the link.
 */
void ldir_fpa_flush_unlinked(struct ldir_net *ln)
{
	struct ldir_fpa_table *ft = &ln->fpa;
	struct ldir_fpa *f, *tmp;

	lockdep_assert_held(&ln->lock);
	if (!ft->buckets)
		return;
	spin_lock_bh(&ft->lock);
	/* with BHs off, a link that fpa_set() swaps out meanwhile is not
	 * freed under us
	 */
	list_for_each_entry_safe(f, tmp, &ft->lru, lru)
		if (READ_ONCE(rcu_dereference_bh(f->link)->unlinked))
			fpa_unhash(ft, f);
	spin_unlock_bh(&ft->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_flush_unlinked);

/* Reclaims the FPAs older than their virtual's interval. Returns how many. */
unsigned int ldir_fpa_gc_scan(struct ldir_net *ln)
{
	struct ldir_fpa_table *ft = &ln->fpa;
	struct hlist_head *buckets = fpa_buckets(ln);
	unsigned long now = jiffies;
	unsigned int i, n = 0;

	if (!buckets)
		return 0;
	for (i = 0; i < (1U << FPA_HASH_BITS); i++) {
		struct ldir_fpa *f;

		if (hlist_empty(&buckets[i]))
			continue;
		rcu_read_lock();
		hlist_for_each_entry_rcu(f, &buckets[i], hnode) {
			if (!fpa_expired(f, now))
				continue;
			spin_lock_bh(&ft->lock);
			/* a conn may have refreshed it meanwhile */
			if (!f->dead && fpa_expired(f, jiffies)) {
				fpa_unhash(ft, f);
				n++;
			}
			spin_unlock_bh(&ft->lock);
		}
		rcu_read_unlock();
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_gc_scan);

unsigned int ldir_fpa_count(struct ldir_net *ln)
{
	return READ_ONCE(ln->fpa.count);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_count);

static void fpa_gc(struct work_struct *work)
{
	struct ldir_fpa_table *ft = container_of(to_delayed_work(work),
						 struct ldir_fpa_table,
						 gc_work);
	struct ldir_net *ln = container_of(ft, struct ldir_net, fpa);

	if (READ_ONCE(ft->count))
		ldir_fpa_gc_scan(ln);
	queue_delayed_work(system_power_efficient_wq, &ft->gc_work,
			   FPA_GC_INTERVAL);
}

/* For dumps: the FPA at (*bucket, *idx), and moves the cursor on; NULL at
 * the end. Caller holds rcu_read_lock().
 */
struct ldir_fpa *ldir_fpa_dump_next(struct ldir_net *ln, unsigned int *bucket,
				    unsigned int *idx)
{
	struct hlist_head *buckets = fpa_buckets(ln);
	struct ldir_fpa *f;

	if (!buckets)
		return NULL;
	for (; *bucket < (1U << FPA_HASH_BITS); (*bucket)++, *idx = 0) {
		unsigned int i = 0;

		hlist_for_each_entry_rcu(f, &buckets[*bucket], hnode)
			if (i++ == *idx) {
				(*idx)++;
				return f;
			}
	}
	return NULL;
}

/* The buckets come with the first virtual that keeps FPAs. */
int ldir_fpa_table_alloc(struct ldir_net *ln)
{
	struct ldir_fpa_table *ft = &ln->fpa;
	struct hlist_head *buckets;

	lockdep_assert_held(&ln->lock);
	if (ft->buckets)
		return 0;
	buckets = kvcalloc(1U << FPA_HASH_BITS, sizeof(*buckets), GFP_KERNEL_ACCOUNT);
	if (!buckets)
		return -ENOMEM;
	/* the packet path sees initialised buckets or none: pairs with
	 * smp_load_acquire() in fpa_buckets()
	 */
	smp_store_release(&ft->buckets, buckets);
	queue_delayed_work(system_power_efficient_wq, &ft->gc_work,
			   FPA_GC_INTERVAL);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_fpa_table_alloc);

void ldir_fpa_table_init(struct ldir_net *ln)
{
	struct ldir_fpa_table *ft = &ln->fpa;

	spin_lock_init(&ft->lock);
	INIT_LIST_HEAD(&ft->lru);
	ft->max = fpa_max;
	get_random_bytes(&ft->key, sizeof(ft->key));
	INIT_DELAYED_WORK(&ft->gc_work, fpa_gc);
}

/* After the hooks are gone: no reader is left. */
void ldir_fpa_table_uninit(struct ldir_net *ln)
{
	struct ldir_fpa_table *ft = &ln->fpa;

	cancel_delayed_work_sync(&ft->gc_work);
	mutex_lock(&ln->lock);
	ldir_fpa_flush(ln, NULL, NULL);
	mutex_unlock(&ln->lock);
	kvfree(ft->buckets);
	ft->buckets = NULL;
}
