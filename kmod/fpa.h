/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Foreign physical associations (seed 001 Fig. 3D, 7A, 8): which real a
 * client (masked) was last sent to through a virtual, in an LRU-bounded table.
 */
#ifndef _LDIR_FPA_H
#define _LDIR_FPA_H

#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct ldir_pick;
struct ldir_real;

struct ldir_net;
struct ldir_virtual;
struct ldir_link;
struct ldir_tuple;

/* Per netns; the buckets come with the first virtual that keeps FPAs. */
struct ldir_fpa_table {
	struct hlist_head *buckets;	/* RCU; set once, smp_store_release */
	spinlock_t lock;		/* writers: buckets, lru, count */
	struct list_head lru;		/* most recently used first */
	unsigned int count;		/* under lock */
	unsigned int max;		/* bound; fpa_max, or CONFIG_SET */
	siphash_key_t key;
	struct delayed_work gc_work;
};

struct ldir_fpa {
	struct hlist_node hnode;	/* table bucket, RCU */
	struct list_head lru;		/* table->lru, under table->lock */
	struct rcu_head rcu;

	/* key; the virtual outlives the FPA: the link it holds pins it */
	const struct ldir_virtual *virt;
	union nf_inet_addr caddr;	/* client, masked by virt->fpa_mask */

	struct ldir_link __rcu *link;	/* holds a reference; a link of virt */
	unsigned long stamp;		/* jiffies of the last assignment */
	unsigned long lru_stamp;	/* jiffies of the last LRU move */
	bool dead;			/* unhashed; under table->lock */
};

struct ldir_link *ldir_fpa_pick(struct ldir_net *ln, struct ldir_virtual *v,
				const struct ldir_tuple *t,
				struct ldir_real *avoid, struct ldir_pick *pick);
struct ldir_fpa *ldir_fpa_lookup_rcu(struct ldir_net *ln,
				     const struct ldir_virtual *v,
				     const union nf_inet_addr *caddr);
void ldir_fpa_flush(struct ldir_net *ln, const struct ldir_virtual *v,
		    const struct ldir_link *l);
void ldir_fpa_flush_unlinked(struct ldir_net *ln);
unsigned int ldir_fpa_gc_scan(struct ldir_net *ln);
unsigned int ldir_fpa_count(struct ldir_net *ln);
struct ldir_fpa *ldir_fpa_dump_next(struct ldir_net *ln, unsigned int *bucket,
				    unsigned int *idx);

u32 ldir_fpa_max_default(void);
void ldir_fpa_table_init(struct ldir_net *ln);
int ldir_fpa_table_alloc(struct ldir_net *ln);
void ldir_fpa_table_uninit(struct ldir_net *ln);

#endif /* _LDIR_FPA_H */
