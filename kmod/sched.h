/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session distribution schemes (seed 001 Fig. 4C, 7A/7B) as pluggable ops,
 * and the selection framework shared by every scheme.
 */
#ifndef _LDIR_SCHED_H
#define _LDIR_SCHED_H

#include <linux/list.h>

#include "conn.h"

struct ldir_sched_ops {
	const char *name;
	/* Picks a usable link of @v for a new conn, or NULL. @t is the
	 * conn's first packet (client -> VIP), for schemes that hash it.
	 * Called under rcu_read_lock() and v->sched_lock, from softirq.
	 */
	struct ldir_link *(*schedule)(struct ldir_virtual *v,
				     const struct ldir_tuple *t);
	struct list_head list;
};

int ldir_sched_register(struct ldir_sched_ops *ops);
void ldir_sched_unregister(struct ldir_sched_ops *ops);
const struct ldir_sched_ops *ldir_sched_find(const char *name);
struct ldir_link *ldir_sched_pick(struct ldir_virtual *v,
				  const struct ldir_tuple *t);

int ldir_sched_init(void);
void ldir_sched_uninit(void);

extern struct ldir_sched_ops ldir_sched_rr;
extern struct ldir_sched_ops ldir_sched_wrr;
extern struct ldir_sched_ops ldir_sched_lc;
extern struct ldir_sched_ops ldir_sched_wlc;

#endif /* _LDIR_SCHED_H */
