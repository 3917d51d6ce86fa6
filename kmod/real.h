/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real: a physical machine behind the director (seed 001 Fig. 3B), with the
 * counters scheduling needs (NC) shared by every virtual it serves.
 */
#ifndef _LDIR_REAL_H
#define _LDIR_REAL_H

#include <linux/refcount.h>
#include <linux/netfilter.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include "netns.h"

struct ldir_real {
	struct list_head node;		/* ln->reals, under ln->lock */
	refcount_t refcnt;
	struct rcu_head rcu;

	union nf_inet_addr addr;
	u16 family;
	__be16 port;			/* 0 = all ports */

	/* changed under ln->lock, read locklessly (READ_ONCE) */
	u32 weight;
	u32 max_conns;			/* 0 = unlimited; seed 001 var 373 */
	u32 idle_timeout;		/* jiffies, 0 = global; var 374 */
	u32 syn_threshold;		/* var 364: "five unanswered SYNs" */
	u32 fail_threshold;		/* var 370, 0 = never fail */
	struct ldir_real __rcu *backup;	/* var 375; cleared before it goes */
	/* enum ldir_state: IN and OUT set under ln->lock; the packet path
	 * moves IN <-> FAILED with cmpxchg
	 */
	u8 state;
	u8 reported_state;		/* last event sent, under ln->lock */

	atomic_t active;		/* NC: live conns not closing */
	atomic_t conns;			/* all live conns */
	atomic_t unanswered;		/* SYNs forwarded, no SYN-ACK yet */
	atomic_t ditched;		/* var 368 */
	atomic_t ditch_consec;		/* ditched in a row */
	unsigned long retry_at;		/* jiffies: next probe while FAILED */
	unsigned long hold_until;	/* jiffies, 0 = none: ditches fail it
					 * no sooner
					 */
	unsigned int nlinks;		/* under ln->lock */
	/* struct ldir_link by rnode: whom to tell when the load goes down
	 * (ldir_real_changed()); RCU, written under ln->lock
	 */
	struct list_head links;

	/* every conn to this real, whether through its own links or as a
	 * backup through another real's
	 */
	struct ldir_stats __percpu *stats;

	/* response time (vars 354-360), set once per conn, lockless */
	u32 resp;			/* R: us per conn << LDIR_RESP_SHIFT (eq. 470) */
	bool resp_sampled;		/* R holds a sample (R = 0 may be one) */
	u64 agestamp_us;		/* when R was last set */
};

/* R is fixed point, 1/256 us: a fast real's R still moves by a percent
 * of itself, and R saturates at about 16.7 s per conn.
 */
#define LDIR_RESP_SHIFT		8

/* R in whole microseconds, rounded, as the netlink API shows it. */
static inline u32 ldir_real_resp_us(const struct ldir_real *r)
{
	u32 resp = READ_ONCE(r->resp);

	return (resp >> LDIR_RESP_SHIFT) +
	       ((resp >> (LDIR_RESP_SHIFT - 1)) & 1);
}

/* Can the real take a new connection? */
static inline bool ldir_real_usable(const struct ldir_real *r)
{
	u32 max = READ_ONCE(r->max_conns);

	if (READ_ONCE(r->state) != LDIR_STATE_IN || !READ_ONCE(r->weight))
		return false;
	return !max || atomic_read(&r->active) < max;
}

/* A real that may not answer: at or above its unanswered SYN threshold
 * it is only a "bad" candidate (seed 001 Fig. 7B steps 756-760).
 */
static inline bool ldir_real_syn_full(const struct ldir_real *r)
{
	return atomic_read(&r->unanswered) >= READ_ONCE(r->syn_threshold);
}

/* Load for lc/wlc: active conns weigh 256 closing ones (IPVS overhead). */
static inline u64 ldir_real_load(const struct ldir_real *r)
{
	u32 active = atomic_read(&r->active);
	u32 conns = atomic_read(&r->conns);

	return ((u64)active << 8) + (conns > active ? conns - active : 0);
}

/* Microseconds on the monotonic clock: the unit of R and PR. */
static inline u64 ldir_now_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

u64 ldir_real_nc_r(const struct ldir_real *r);
s64 ldir_real_pr(const struct ldir_real *r, u64 now_us, u32 age_div);
void ldir_real_sample(struct ldir_real *r, u32 interval_us, u64 now_us,
		      u32 clamp_pct);
void ldir_real_ditch(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_answered(struct ldir_net *ln, struct ldir_real *r);
bool ldir_real_probe_due(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_set_state(struct ldir_net *ln, struct ldir_real *r, u8 state);
void ldir_real_set_backup(struct ldir_net *ln, struct ldir_real *r,
			  struct ldir_real *backup);
void ldir_real_changed(struct ldir_real *r);

struct ldir_real *ldir_real_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *addr, __be16 port);
struct ldir_real *ldir_real_create(struct ldir_net *ln, u16 family,
				   const union nf_inet_addr *addr,
				   __be16 port);
void ldir_real_destroy(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_put(struct ldir_real *r);

#endif /* _LDIR_REAL_H */
