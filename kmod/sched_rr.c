// SPDX-License-Identifier: GPL-2.0
/*
 * Round robin: the usable links of a virtual in turn, in link order.
 */
#include "sched.h"

static struct ldir_link *rr_schedule(struct ldir_virtual *v,
					 const struct ldir_tuple *t)
{
	struct ldir_link *l, *start = v->rr_last;

	/* continue after the last pick, wrapping once around the list */
	l = start ? start : list_entry_rcu(v->links.next, struct ldir_link,
					   vnode);
	if (start)
		l = list_entry_rcu(l->vnode.next, struct ldir_link, vnode);
	list_for_each_entry_from_rcu(l, &v->links, vnode)
		if (ldir_real_usable(l->real))
			goto found;
	list_for_each_entry_rcu(l, &v->links, vnode) {
		if (ldir_real_usable(l->real))
			goto found;
		if (l == start)
			break;
	}
	return NULL;
found:
	v->rr_last = l;
	return l;
}

struct ldir_sched_ops ldir_sched_rr = {
	.name = "rr",
	.schedule = rr_schedule,
};
