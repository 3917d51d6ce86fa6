// SPDX-License-Identifier: GPL-2.0
/*
 * The health of reals as the packet path sees it: a real whose SYNs go
 * unanswered is ditched, enough ditches in a row fail it, a failed real
 * is probed with a conn once per retry interval and comes back when a
 * probe is answered. Its response time R is sampled from conns, and PR
 * predicts the next one. State changes are queued for process context to
 * report. Lockless, softirq-safe; no netlink here.
 */
#include "health.h"

/* Reports the instance's queued state changes; set once at module init. */
static work_func_t event_report;

void ldir_event_register(work_func_t report)
{
	event_report = report;
}

static void event_work(struct work_struct *work)
{
	if (event_report)
		event_report(work);
}

void ldir_event_net_init(struct ldir_net *ln)
{
	INIT_WORK(&ln->event_work, event_work);
}

/* Something the packet path changed needs reporting (an event, a log
 * line); softirq-safe.
 */
void ldir_event_kick(struct ldir_net *ln)
{
	schedule_work(&ln->event_work);
}

/* NC * R in microseconds: NC < 2^32 and R < 2^32 fit in u64 before the
 * shift, and the result in s64 after it.
 */
u64 ldir_real_nc_r(const struct ldir_real *r)
{
	return ((u64)(u32)atomic_read(&r->active) * READ_ONCE(r->resp)) >>
	       LDIR_RESP_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_nc_r);

/* Predicted response:
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

/* A response time sample I for one conn: R = I / NC, moved by at most
 * @clamp_pct percent of the old R at once, so that one slow answer does
 * not condemn a real; but by at least one unit (1/256 us) toward the sample, so that no R freezes.
 * The first sample is taken as is. NC counts the sampled conn itself,
 * so it is at least 1. Returns true if R went down: the ordered schemes
 * must hear of it.
 */
bool ldir_real_sample(struct ldir_real *r, u32 interval_us, u64 now_us,
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
	return new < old;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_real_sample);

/* A conn to @r was ditched: its SYN went unanswered.
 * Enough in a row fail the real: no new conns until a probe
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
 * whose probe got through is back in service.
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
 * tests whether a failed real can be put back in service.
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
