/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session distribution schemes (seed 001 Fig. 4C, 7A/7B) as pluggable ops,
 * and the selection framework shared by every scheme.
 */
#ifndef _LDIR_SCHED_H
#define _LDIR_SCHED_H

#include <linux/list.h>

#include "conn.h"

/* Is real @a a better choice than @b? For ldir_sched_best(). */
typedef bool (*ldir_better_t)(const struct ldir_real *a,
			      const struct ldir_real *b, u64 now_us,
			      u32 age_div);

/* The key of an ordered scheme follows a real's conn counters or R: it
 * grows on its own as conns open (the pick repairs that lazily) but a
 * decrease must be told with ldir_real_changed().
 */
#define LDIR_SCHED_F_NOTIFY	BIT(0)

struct ldir_sched_ops {
	const char *name;
	/* Picks a usable link of @v for a new conn, or NULL. @t is the
	 * conn's first packet (client -> VIP), for schemes that hash it.
	 * Called under rcu_read_lock() and v->sched_lock, from softirq.
	 */
	struct ldir_link *(*schedule)(struct ldir_virtual *v,
				      const struct ldir_tuple *t);
	/* Ordered schemes (ldir_sched_tree()): the key of @l, smaller is
	 * better, ties to the older link. Under v->sched_lock.
	 */
	void (*key)(const struct ldir_virtual *v, const struct ldir_link *l,
		    u32 age_div, struct ldir_sched_key *k);
	/* the same order on the real a link sends to, for the full scan
	 * while a backup may stand in; NULL: compare the links' keys
	 */
	ldir_better_t better;
	u32 flags;			/* LDIR_SCHED_F_* */
	struct list_head list;
};

/* What a pick returns besides the link. */
struct ldir_pick {
	struct ldir_real *real;		/* the link's real or its backup */
	bool probe;			/* a failed real being retested */
};

/* Candidate classes of seed 001 Fig. 7B. */
enum {
	LDIR_CAND_NONE,			/* cannot take the conn */
	LDIR_CAND_GOOD,			/* under its unanswered SYN threshold */
	LDIR_CAND_BAD,			/* at or above it: only if none is good */
};

/* The real that would take a new conn of @v through @l: the link's own if
 * usable, else its backup while the real is failed or out of service
 * (var 375), never the real the conn is being moved away from. Called
 * under v->sched_lock.
 */
static inline struct ldir_real *ldir_link_target(const struct ldir_virtual *v,
						 const struct ldir_link *l)
{
	struct ldir_real *r = l->real, *b;

	if (ldir_real_usable(r))
		return r != v->avoid ? r : NULL;
	if (READ_ONCE(r->state) == LDIR_STATE_IN)
		return NULL;	/* quiesced or full: not a failure */
	b = rcu_dereference(r->backup);
	if (b && b != v->avoid && ldir_real_usable(b))
		return b;
	return NULL;
}

static inline int ldir_sched_class(const struct ldir_virtual *v,
				   const struct ldir_link *l,
				   struct ldir_real **rp)
{
	struct ldir_real *r = ldir_link_target(v, l);

	*rp = r;
	if (!r)
		return LDIR_CAND_NONE;
	return ldir_real_syn_full(r) ? LDIR_CAND_BAD : LDIR_CAND_GOOD;
}

struct ldir_link *ldir_sched_best(struct ldir_virtual *v, ldir_better_t better);
struct ldir_link *ldir_sched_tree(struct ldir_virtual *v,
				  const struct ldir_sched_ops *ops);
void ldir_sched_requeue(struct ldir_virtual *v, struct ldir_link *l,
			const struct ldir_sched_key *k);
void ldir_sched_link_add(struct ldir_virtual *v, struct ldir_link *l);
void ldir_sched_link_del(struct ldir_virtual *v, struct ldir_link *l);
void ldir_sched_link_free(struct ldir_link *l);

int ldir_sched_register(struct ldir_sched_ops *ops);
void ldir_sched_unregister(struct ldir_sched_ops *ops);
const struct ldir_sched_ops *ldir_sched_find(const char *name);
struct ldir_link *ldir_sched_pick(struct ldir_net *ln, struct ldir_virtual *v,
				  const struct ldir_tuple *t,
				  struct ldir_real *avoid, struct ldir_pick *pick);

int ldir_sched_init(void);
void ldir_sched_uninit(void);

extern struct ldir_sched_ops ldir_sched_rr;
extern struct ldir_sched_ops ldir_sched_wrr;
extern struct ldir_sched_ops ldir_sched_lc;
extern struct ldir_sched_ops ldir_sched_wlc;
extern struct ldir_sched_ops ldir_sched_pr;

#endif /* _LDIR_SCHED_H */
