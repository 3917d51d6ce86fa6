// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of session distribution schemes and the selection entry
 * point used for every new connection (seed 001 Fig. 7A/7B).
 */
#include <linux/spinlock.h>
#include <linux/string.h>

#include "sched.h"
#include "sched_hash.h"

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
 * threshold if there is one, else the best "bad" one (seed 001 Fig. 7B:
 * a real that would drop the SYN is worse than a slower one).
 */
struct ldir_link *ldir_sched_best(struct ldir_virtual *v, ldir_better_t better)
{
	struct ldir_link *l, *best[3] = {};
	struct ldir_real *r, *bestr[3] = {};
	struct ldir_net *ln = v->ln;
	u64 now = ldir_now_us();
	u32 div = READ_ONCE(ln->pr_age_div);
	int c;

	list_for_each_entry_rcu(l, &v->links, vnode) {
		c = ldir_sched_class(v, l, &r);
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

/* A failed real whose retest is due gets this conn as its probe. */
static struct ldir_link *pick_probe(struct ldir_net *ln, struct ldir_virtual *v)
{
	struct ldir_link *l;

	list_for_each_entry_rcu(l, &v->links, vnode)
		if (l->real != v->avoid && ldir_real_probe_due(ln, l->real))
			return l;
	return NULL;
}

/* Seed 001 Fig. 7A steps 732-739: has the real the desired scheme chose
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

/* Picks the link and real for a new conn of @v (seed 001 Fig. 7A): a
 * probe of a failed real if one is due, else the desired scheme over the
 * usable reals (Fig. 7B), overridden by round robin while the startup
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
	ops = rcu_dereference(v->sched);
	spin_lock(&v->sched_lock);
	v->avoid = avoid;
	if (unlikely(atomic_read(&ln->nfailed))) {
		l = pick_probe(ln, v);
		if (l) {
			pick->real = l->real;
			pick->probe = true;
			goto out;
		}
	}
	l = ops->schedule(v, t);
	if (!l)
		goto out;
	pick->real = ldir_link_target(v, l);
	if (READ_ONCE(v->startup) == LDIR_STARTUP_RR && pick->real &&
	    startup_condition(v, pick->real)) {
		struct ldir_link *rr = ldir_sched_rr.schedule(v, t);

		if (rr) {
			l = rr;
			pick->real = ldir_link_target(v, l);
		}
	}
	if (!pick->real)
		l = NULL;	/* the real changed state under us */
	else if (READ_ONCE(v->startup) == LDIR_STARTUP_RR)
		startup_record(v, pick->real);
out:
	v->avoid = NULL;
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
