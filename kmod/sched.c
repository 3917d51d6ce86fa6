// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of session distribution schemes and the selection entry
 * point used for every new connection.
 */
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/rbtree.h>
#include <linux/llist.h>

#include "select.h"
#include "health.h"

static LIST_HEAD(sched_list);
static DEFINE_MUTEX(sched_mutex);

int ldir_sched_register(struct ldir_sched_ops *ops)
{
	mutex_lock(&sched_mutex);
	list_add_tail(&ops->list, &sched_list);
	mutex_unlock(&sched_mutex);
	return 0;
}

void ldir_sched_unregister(struct ldir_sched_ops *ops)
{
	mutex_lock(&sched_mutex);
	list_del(&ops->list);
	mutex_unlock(&sched_mutex);
}

/* The schemes live in this module, so a name lookup needs no module ref. */
const struct ldir_sched_ops *ldir_sched_find(const char *name)
{
	struct ldir_sched_ops *ops, *found = NULL;

	mutex_lock(&sched_mutex);
	list_for_each_entry(ops, &sched_list, list)
		if (!strcmp(ops->name, name)) {
			found = ops;
			break;
		}
	mutex_unlock(&sched_mutex);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_find);

/* The best candidate by @better, among those under their unanswered SYN
 * threshold if there is one, else the best "bad" one.
 */
struct ldir_link *ldir_sched_best(struct ldir_virtual *v, ldir_better_t better,
				  const struct ldir_real *avoid)
{
	struct ldir_link *l, *best[3] = {};
	struct ldir_real *r, *bestr[3] = {};
	struct ldir_net *ln = v->ln;
	u64 now = ldir_now_us();
	u32 div = READ_ONCE(ln->pr_age_div);
	int c;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		c = ldir_sched_class(l, avoid, &r);
		if (c == LDIR_CAND_NONE)
			continue;
		if (!best[c] || better(r, bestr[c], now, div)) {
			best[c] = l;
			bestr[c] = r;
		}
	}
	return best[LDIR_CAND_GOOD] ?: best[LDIR_CAND_BAD];
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_best);

/*
 * Ordered schemes (lc, wlc, pr, wrr) keep the links of a virtual in a tree
 * by key, so that a pick costs O(log n) rather than a scan of every link.
 *
 * A stored key may be stale, but only upwards: a conn opening raises a
 * real's load without telling anyone, and the walk of a pick repairs
 * what it meets. Whatever lowers a key is told (ldir_real_changed()) and
 * the link waits on v->dirty until the next pick places it again. So the
 * first usable link whose stored key is still its actual key has the
 * smallest actual key of all: the links after it are at least as big.
 */
static int key_cmp(const struct ldir_sched_key *a,
		   const struct ldir_sched_key *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	return 0;
}

static bool key_less(const struct ldir_link *a, const struct ldir_link *b)
{
	int c = key_cmp(&a->key, &b->key);

	return c ? c < 0 : a->seq < b->seq;
}

static void tree_insert(struct ldir_virtual *v, struct ldir_link *l)
{
	struct rb_node **p = &v->tree.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*p) {
		parent = *p;
		if (key_less(l, rb_entry(parent, struct ldir_link, tnode))) {
			p = &parent->rb_left;
		} else {
			p = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&l->tnode, parent, p);
	rb_insert_color_cached(&l->tnode, &v->tree, leftmost);
}

static void tree_erase(struct ldir_virtual *v, struct ldir_link *l)
{
	if (RB_EMPTY_NODE(&l->tnode))
		return;
	rb_erase_cached(&l->tnode, &v->tree);
	RB_CLEAR_NODE(&l->tnode);
}

/* Moves @l to key @k. Under v->sched_lock. */
void ldir_sched_requeue(struct ldir_virtual *v, struct ldir_link *l,
			const struct ldir_sched_key *k)
{
	lockdep_assert_held(&v->sched_lock);
	tree_erase(v, l);
	l->key = *k;
	tree_insert(v, l);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_requeue);

/* Puts @l where its actual key says; false if it was there already. */
static bool tree_place(struct ldir_virtual *v, struct ldir_link *l, u32 div)
{
	struct ldir_sched_key k;

	v->tree_ops->key(v, l, div, &k);
	if (!RB_EMPTY_NODE(&l->tnode) && !key_cmp(&k, &l->key))
		return false;
	ldir_sched_requeue(v, l, &k);
	return true;
}

/* Places the links told about since the last pick. */
static void dirty_drain(struct ldir_virtual *v, u32 div)
{
	struct llist_node *list = llist_del_all(&v->dirty);
	struct ldir_link *l, *tmp;

	llist_for_each_entry_safe(l, tmp, list, dnode) {
		clear_bit(LDIR_LINK_B_DIRTY, &l->tflags);
		/* read the counters after the bit is clear: a decrease
		 * after the read sets it again and comes back here
		 */
		smp_mb__after_atomic();
		if (v->tree_ops && !l->unlinked)
			tree_place(v, l, div);
	}
}

static void tree_build(struct ldir_virtual *v,
		       const struct ldir_sched_ops *ops, u32 div)
{
	struct ldir_link *l;

	v->tree_ops = NULL;
	dirty_drain(v, div);
	v->tree = RB_ROOT_CACHED;
	v->vtime = 0;
	v->tree_ops = ops;
	list_for_each_entry_rcu(l, &v->links, vnode) {
		RB_CLEAR_NODE(&l->tnode);
		tree_place(v, l, div);
	}
}

/* A backup real stands in for a link's real while that one is failed or
 * out (ldir_link_target()), and the tree is ordered by the link's own
 * real: then only a scan of every link can compare the reals the links
 * really send to. Rare: some real has a backup, and some real is down.
 */
static bool backup_may_stand_in(struct ldir_net *ln)
{
	return READ_ONCE(ln->nbackups) &&
	       (atomic_read(&ln->nfailed) || READ_ONCE(ln->nout));
}

/* The full scan for a scheme without a comparator on reals: the smallest
 * link key, good candidates first, ties to link order (= seq order).
 */
static struct ldir_link *scan_keys(struct ldir_virtual *v, u32 div,
				   const struct ldir_real *avoid)
{
	struct ldir_link *l, *best[3] = {};
	struct ldir_sched_key k[3] = {}, lk;
	struct ldir_real *r;
	int c;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		c = ldir_sched_class(l, avoid, &r);
		if (c == LDIR_CAND_NONE)
			continue;
		v->tree_ops->key(v, l, div, &lk);
		if (!best[c] || key_cmp(&lk, &k[c]) < 0) {
			best[c] = l;
			k[c] = lk;
		}
	}
	return best[LDIR_CAND_GOOD] ?: best[LDIR_CAND_BAD];
}

/* The pick of an ordered scheme: the same link as a scan of every link
 * by @ops->better would find,
 * from the left of the tree. Under rcu_read_lock() and v->sched_lock.
 */
struct ldir_link *ldir_sched_tree(struct ldir_virtual *v,
				  const struct ldir_sched_ops *ops,
				  const struct ldir_real *avoid)
{
	u32 div = READ_ONCE(v->ln->pr_age_div);
	struct ldir_link *l, *bad = NULL;
	struct rb_node *node, *next;
	struct ldir_real *r;
	int c;

	if (unlikely(v->tree_ops != ops))
		tree_build(v, ops, div);
	else if (!llist_empty(&v->dirty))
		dirty_drain(v, div);
	if (unlikely(backup_may_stand_in(v->ln)))
		return ops->better ? ldir_sched_best(v, ops->better, avoid) :
				     scan_keys(v, div, avoid);

	for (node = rb_first_cached(&v->tree); node; node = next) {
		l = rb_entry(node, struct ldir_link, tnode);
		next = rb_next(node);
		/* a key that grew moves right; unless it stays before
		 * @next, it is met again further on
		 */
		if (tree_place(v, l, div) && rb_next(node) != next)
			continue;
		c = ldir_sched_class(l, avoid, &r);
		if (c == LDIR_CAND_GOOD)
			return l;
		if (c == LDIR_CAND_BAD && !bad)
			bad = l;
	}
	return bad;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_tree);

/* Publishes a new link @l of @v to the schemes. Under ln->lock. */
void ldir_sched_link_add(struct ldir_virtual *v, struct ldir_link *l)
{
	RB_CLEAR_NODE(&l->tnode);
	spin_lock_bh(&v->sched_lock);
	/* links are appended: seq order is link order, the scan's tie-break */
	l->seq = v->link_seq++;
	list_add_tail_rcu(&l->vnode, &v->links);
	if (v->tree_ops)
		tree_place(v, l, READ_ONCE(v->ln->pr_age_div));
	spin_unlock_bh(&v->sched_lock);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_link_add);

/* Takes @l away from the schemes of @v: no new conns. Under ln->lock. */
void ldir_sched_link_del(struct ldir_virtual *v, struct ldir_link *l)
{
	spin_lock_bh(&v->sched_lock);
	list_del_rcu(&l->vnode);
	tree_erase(v, l);
	/* rr resumes after the removed link's predecessor, never a stale one */
	if (v->rr_last == l)
		v->rr_last = NULL;
	/* under sched_lock too: the drain skips it from now on */
	WRITE_ONCE(l->unlinked, true);
	spin_unlock_bh(&v->sched_lock);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_link_del);

/* The load or PR of @r may have gone down: every link to it whose
 * virtual orders by it gets placed again by the next pick. Lockless and
 * softirq-safe: the packet path calls it when a conn closes.
 */
void ldir_real_changed(struct ldir_real *r)
{
	const struct ldir_sched_ops *ops;
	struct ldir_link *l;

	rcu_read_lock();
	list_for_each_entry_rcu(l, &r->links, rnode) {
		ops = rcu_dereference(l->virt->sched);
		if (!ops || !(ops->flags & LDIR_SCHED_F_NOTIFY))
			continue;
		/* the change before the bit: the drain reads after it */
		smp_mb__before_atomic();
		if (!test_and_set_bit(LDIR_LINK_B_DIRTY, &l->tflags))
			llist_add(&l->dnode, &l->virt->dirty);
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_changed);

/* A failed real whose retest is due gets this conn as its probe. */
static struct ldir_link *pick_probe(struct ldir_net *ln, struct ldir_virtual *v,
				    const struct ldir_real *avoid)
{
	struct ldir_link *l;

	list_for_each_entry_rcu(l, &v->links, vnode)
		if (l->real != avoid && ldir_real_probe_due(ln, l->real))
			return l;
	return NULL;
}

/* The startup condition: has the real the desired scheme chose
 * received at least P% of the last W new conns of @v?
 */
static bool startup_condition(const struct ldir_virtual *v,
			      const struct ldir_real *r)
{
	unsigned int i, n = 0, len = v->hist_len;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		n += v->hist[i] == r;
	return n * 100 >= (unsigned int)READ_ONCE(v->startup_pct) * len;
}

static void startup_record(struct ldir_virtual *v, const struct ldir_real *r)
{
	unsigned int w = clamp_t(unsigned int, READ_ONCE(v->startup_window),
				 1, LDIR_STARTUP_WINDOW_MAX);

	if (v->hist_next >= w)
		v->hist_next = 0;
	v->hist[v->hist_next++] = r;
	if (v->hist_len < w)
		v->hist_len++;
	else if (v->hist_len > w)
		v->hist_len = w;
}

/* Picks the link and real for a new conn of @v: a
 * probe of a failed real if one is due, else the desired scheme over the
 * usable reals, overridden by round robin while the startup
 * condition holds. @avoid is a real the conn is moving away from. Caller
 * holds rcu_read_lock(); runs in softirq.
 */
struct ldir_link *ldir_sched_pick(struct ldir_net *ln, struct ldir_virtual *v,
				  const struct ldir_tuple *t,
				  struct ldir_real *avoid, struct ldir_pick *pick)
{
	const struct ldir_sched_ops *ops;
	struct ldir_link *l = NULL;

	pick->real = NULL;
	pick->probe = false;
	spin_lock(&v->sched_lock);
	/* under the lock: a scheme change (which resets the tree and rr's
	 * cursor under it) is either wholly before this pick or after it
	 */
	ops = rcu_dereference(v->sched);
	if (unlikely(atomic_read(&ln->nfailed))) {
		l = pick_probe(ln, v, avoid);
		if (l) {
			pick->real = l->real;
			pick->probe = true;
			goto out;
		}
	}
	l = ops->schedule(v, t, avoid);
	if (!l)
		goto out;
	pick->real = ldir_link_target(l, avoid);
	if (READ_ONCE(v->startup) == LDIR_STARTUP_RR && pick->real &&
	    startup_condition(v, pick->real)) {
		struct ldir_link *rr = ldir_sched_rr.schedule(v, t, avoid);

		if (rr) {
			l = rr;
			pick->real = ldir_link_target(l, avoid);
		}
	}
	if (!pick->real)
		l = NULL;	/* the real changed state under us */
	else if (READ_ONCE(v->startup) == LDIR_STARTUP_RR)
		startup_record(v, pick->real);
out:
	spin_unlock(&v->sched_lock);
	return l;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sched_pick);

static struct ldir_sched_ops *const builtin[] = {
	&ldir_sched_rr, &ldir_sched_wrr, &ldir_sched_lc, &ldir_sched_wlc,
	&ldir_sched_pr,
	&ldir_sched_hash3, &ldir_sched_hash5, &ldir_sched_maglev,
};

int ldir_sched_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(builtin); i++)
		ldir_sched_register(builtin[i]);
	return 0;
}

void ldir_sched_uninit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(builtin); i++)
		ldir_sched_unregister(builtin[i]);
}
