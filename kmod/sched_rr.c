// SPDX-License-Identifier: GPL-2.0
/*
 * Round robin: the usable links of a virtual in turn, in link order.
 */
#include "select.h"

static struct ldir_link *rr_schedule(struct ldir_virtual *v,
				     const struct ldir_tuple *t,
				     const struct ldir_real *avoid)
{
	struct ldir_link *l, *start = v->rr_last, *bad = NULL;
	struct ldir_real *r;
	int c;

	/* continue after the last pick, wrapping once around the list; the
	 * first real under its SYN threshold wins, else the first one over
	 * it
	 */
	l = start ? start : list_entry_rcu(v->links.next, struct ldir_link,
					   vnode);
	if (start)
		l = list_entry_rcu(l->vnode.next, struct ldir_link, vnode);
	list_for_each_entry_from_rcu(l, &v->links, vnode) {
		c = ldir_sched_class(l, avoid, &r);
		if (c == LDIR_CAND_GOOD)
			goto found;
		if (c == LDIR_CAND_BAD && !bad)
			bad = l;
	}
	list_for_each_entry_rcu(l, &v->links, vnode) {
		c = ldir_sched_class(l, avoid, &r);
		if (c == LDIR_CAND_GOOD)
			goto found;
		if (c == LDIR_CAND_BAD && !bad)
			bad = l;
		if (l == start)
			break;
	}
	if (!bad)
		return NULL;
	l = bad;
found:
	v->rr_last = l;
	return l;
}

struct ldir_sched_ops ldir_sched_rr = {
	.name = "rr",
	.schedule = rr_schedule,
};
