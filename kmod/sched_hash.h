/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hashing schemes (seed 004): hash3, hash5 and Maglev pick a real from the
 * packet alone, through a per-virtual table rebuilt on config changes.
 */
#ifndef _LDIR_SCHED_HASH_H
#define _LDIR_SCHED_HASH_H

#include "sched.h"

enum {
	LDIR_HASH3,
	LDIR_HASH5,
	LDIR_HASH_MAGLEV,
};

/* The usable links of a virtual in a stable order, and for Maglev the
 * lookup table. Immutable once published; holds a reference on each link,
 * so that a stale table is always safe to read.
 */
struct ldir_hash_table {
	struct rcu_head rcu;
	struct ldir_net *ln;		/* whose worker rebuilds it */
	unsigned long stale;		/* bit 0: rebuild asked for */
	u8 kind;			/* LDIR_HASH* */
	u32 size;			/* lookup entries (Maglev) */
	u32 *lookup;			/* Maglev: index into m[] */
	u32 n;
	struct ldir_hash_member {
		struct ldir_link *link;
		u32 weight;
	} m[];
};

u32 ldir_hash3(u32 saddr, u32 daddr, u16 dport, u32 n);
u32 ldir_hash5(u32 saddr, u16 sport, u32 daddr, u16 dport, u8 protocol,
	       u32 n);

bool ldir_sched_is_hash(const struct ldir_sched_ops *ops);
struct ldir_link *ldir_hash_pick(struct ldir_virtual *v,
				 const struct ldir_tuple *t);
__be16 ldir_link_rport(const struct ldir_link *l);

int ldir_virtual_hash_changed(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_hash_refresh(struct ldir_net *ln);
void ldir_hash_refresh_virtual(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_hash_kick(struct ldir_net *ln);
void ldir_hash_release(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_hash_net_init(struct ldir_net *ln);
void ldir_hash_net_exit(struct ldir_net *ln);

extern struct ldir_sched_ops ldir_sched_hash3;
extern struct ldir_sched_ops ldir_sched_hash5;
extern struct ldir_sched_ops ldir_sched_maglev;

#endif /* _LDIR_SCHED_HASH_H */
