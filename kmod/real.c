// SPDX-License-Identifier: GPL-2.0
/*
 * Real objects (seed 001 Fig. 3B): created, found and destroyed under the
 * per-netns config lock; freed after the last conn and link let go.
 */
#include <linux/slab.h>

#include "real.h"
#include "virtual.h"

struct ldir_real *ldir_real_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *addr, __be16 port)
{
	struct ldir_real *r;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry(r, &ln->reals, node)
		if (r->family == family && r->port == port &&
		    nf_inet_addr_cmp(&r->addr, addr))
			return r;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_find);

struct ldir_real *ldir_real_create(struct ldir_net *ln, u16 family,
				   const union nf_inet_addr *addr, __be16 port)
{
	struct ldir_real *r;

	lockdep_assert_held(&ln->lock);
	if (ln->nreals >= ln->real_max)
		return ERR_PTR(-ENOSPC);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->stats = alloc_percpu_gfp(struct ldir_stats, GFP_KERNEL_ACCOUNT);
	if (!r->stats) {
		kfree(r);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&r->refcnt, 1);
	r->family = family;
	r->addr = *addr;
	r->port = port;
	r->weight = 1;
	r->state = LDIR_STATE_IN;
	r->reported_state = LDIR_STATE_IN;
	r->syn_threshold = 5;		/* seed 001 var 364 */
	r->fail_threshold = 3;
	r->agestamp_us = ldir_now_us();
	INIT_LIST_HEAD(&r->links);
	list_add_tail(&r->node, &ln->reals);
	ldir_afilter_add(&ln->real_filter, addr);
	ln->nreals++;
	ldir_net_changed(ln);
	return r;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_create);

static void real_free_rcu(struct rcu_head *head)
{
	struct ldir_real *r = container_of(head, struct ldir_real, rcu);

	free_percpu(r->stats);
	kfree(r);
}

void ldir_real_put(struct ldir_real *r)
{
	if (refcount_dec_and_test(&r->refcnt))
		call_rcu(&r->rcu, real_free_rcu);
}

/* Unlinks @r from every virtual (live conns go on unless flushed by the
 * caller) and drops the table's reference. Reals it backs up forget it;
 * a packet that still sees the pointer finds a real that cannot take a
 * conn (refcount_inc_not_zero() fails once it is freed).
 */
void ldir_real_destroy(struct ldir_net *ln, struct ldir_real *r)
{
	struct ldir_real *o;

	lockdep_assert_held(&ln->lock);
	/* none when the whole table goes: ldir_objects_flush() */
	if (ln->nbackups)
		list_for_each_entry(o, &ln->reals, node)
			if (rcu_access_pointer(o->backup) == r)
				ldir_real_set_backup(ln, o, NULL);
	ldir_real_set_backup(ln, r, NULL);
	ldir_real_set_state(ln, r, LDIR_STATE_OUT);
	ldir_link_unlink_real(ln, r, false);
	list_del(&r->node);
	/* its live conns keep the address in the filter while they drain */
	ldir_afilter_del(&ln->real_filter, &r->addr);
	/* out of the table, it no longer counts as a real that is out */
	WRITE_ONCE(ln->nout, ln->nout - 1);
	ln->nreals--;
	ldir_net_changed(ln);
	ldir_real_put(r);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_destroy);

/* NC * R in microseconds: NC < 2^32 and R < 2^32 fit in u64 before the
 * shift, and the result in s64 after it.
 */
u64 ldir_real_nc_r(const struct ldir_real *r)
{
	return ((u64)(u32)atomic_read(&r->active) * READ_ONCE(r->resp)) >>
	       LDIR_RESP_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_nc_r);

/* Predicted response, seed 001 Fig. 9 and eq. 472/474:
 * PR = NC * R - (t_now - t_agestamp) / k, in microseconds; smaller is
 * better. A real without a sample has R = 0.
 */
s64 ldir_real_pr(const struct ldir_real *r, u64 now_us, u32 age_div)
{
	u64 age = now_us - READ_ONCE(r->agestamp_us);

	if ((s64)age < 0)
		age = 0;
	return (s64)ldir_real_nc_r(r) - (s64)div_u64(age, age_div ?: 1);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_pr);

/* A response time sample I (Fig. 4B) for one conn: R = I / NC (eq. 470),
 * moved by at most @clamp_pct percent of the old R at once (seed 000
 * claims 9-12), so that one slow answer does not condemn a real; but by
 * at least one unit (1/256 us) toward the sample, so that no R freezes.
 * The first sample is taken as is. NC counts the sampled conn itself,
 * so it is at least 1.
 */
void ldir_real_sample(struct ldir_real *r, u32 interval_us, u64 now_us,
		      u32 clamp_pct)
{
	u32 nc = max(atomic_read(&r->active), 1);
	u64 sample = div_u64((u64)interval_us << LDIR_RESP_SHIFT, nc);
	u32 old, new;

	old = READ_ONCE(r->resp);
	do {
		u64 step;

		new = min_t(u64, sample, U32_MAX);
		if (READ_ONCE(r->resp_sampled)) {
			step = max_t(u64, div_u64((u64)old * clamp_pct, 100), 1);
			if (sample > (u64)old + step)
				new = min_t(u64, (u64)old + step, U32_MAX);
			else if (sample + step < old)
				new = old - step;
		}
	} while (!try_cmpxchg(&r->resp, &old, new));
	WRITE_ONCE(r->resp_sampled, true);
	WRITE_ONCE(r->agestamp_us, now_us);
	if (new < old)
		ldir_real_changed(r);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_sample);

/* A conn to @r was ditched: its SYN went unanswered (seed 001 var 368).
 * Enough in a row fail the real (var 370): no new conns until a probe
 * gets through. A real a probe brought back is held in service for one
 * retry interval: ditches fail a real at most once per two intervals,
 * whoever makes its SYNs go unanswered. Softirq-safe, lockless.
 */
void ldir_real_ditch(struct ldir_net *ln, struct ldir_real *r)
{
	u32 thr = READ_ONCE(r->fail_threshold);
	unsigned long hold;
	int consec;

	atomic_inc(&r->ditched);
	consec = atomic_inc_return(&r->ditch_consec);
	if (!thr || consec < thr)
		return;
	hold = READ_ONCE(r->hold_until);
	if (hold && READ_ONCE(r->state) == LDIR_STATE_IN &&
	    time_before(jiffies, hold))
		return;
	if (cmpxchg(&r->state, LDIR_STATE_IN, LDIR_STATE_FAILED) ==
	    LDIR_STATE_IN) {
		WRITE_ONCE(r->retry_at,
			   jiffies + READ_ONCE(ln->retry_interval));
		atomic_inc(&ln->nfailed);
		ldir_event_kick(ln);
	} else if (READ_ONCE(r->state) == LDIR_STATE_FAILED) {
		/* a probe failed: wait a full interval again */
		WRITE_ONCE(r->retry_at,
			   jiffies + READ_ONCE(ln->retry_interval));
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_ditch);

/* @r answered a SYN: the ditches in a row are over, and a failed real
 * whose probe got through is back in service (seed 003).
 */
void ldir_real_answered(struct ldir_net *ln, struct ldir_real *r)
{
	if (atomic_read(&r->ditch_consec))
		atomic_set(&r->ditch_consec, 0);
	if (unlikely(READ_ONCE(r->state) == LDIR_STATE_FAILED) &&
	    cmpxchg(&r->state, LDIR_STATE_FAILED, LDIR_STATE_IN) ==
	    LDIR_STATE_FAILED) {
		WRITE_ONCE(r->hold_until,
			   jiffies + READ_ONCE(ln->retry_interval));
		atomic_dec(&ln->nfailed);
		ldir_event_kick(ln);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_answered);

/* Is a probe of failed @r due? Claims it: one conn per retry interval
 * (seed 003: failed machines are tested to see if they can be placed on
 * line again).
 */
bool ldir_real_probe_due(struct ldir_net *ln, struct ldir_real *r)
{
	unsigned long at = READ_ONCE(r->retry_at);

	if (READ_ONCE(r->state) != LDIR_STATE_FAILED ||
	    time_before(jiffies, at))
		return false;
	return cmpxchg(&r->retry_at, at,
		       jiffies + READ_ONCE(ln->retry_interval)) == at;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_probe_due);

/* A state set by hand (under ln->lock) overrides a failure. */
void ldir_real_set_state(struct ldir_net *ln, struct ldir_real *r, u8 state)
{
	u8 old = xchg(&r->state, state);

	/* only here does a real go OUT or come back from it */
	if (old != LDIR_STATE_OUT && state == LDIR_STATE_OUT)
		WRITE_ONCE(ln->nout, ln->nout + 1);
	else if (old == LDIR_STATE_OUT && state != LDIR_STATE_OUT)
		WRITE_ONCE(ln->nout, ln->nout - 1);
	if (old == LDIR_STATE_FAILED && state != LDIR_STATE_FAILED)
		atomic_dec(&ln->nfailed);
	if (state == LDIR_STATE_IN)
		atomic_set(&r->ditch_consec, 0);
	if (old != state)
		ldir_event_kick(ln);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_set_state);

/* Sets or clears (@backup NULL) the backup of @r (var 375), counting the
 * reals that have one for the schedulers. Under ln->lock.
 */
void ldir_real_set_backup(struct ldir_net *ln, struct ldir_real *r,
			  struct ldir_real *backup)
{
	bool had = rcu_access_pointer(r->backup);

	rcu_assign_pointer(r->backup, backup);
	if (had != !!backup)
		WRITE_ONCE(ln->nbackups, ln->nbackups + (backup ? 1 : -1));
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_set_backup);
