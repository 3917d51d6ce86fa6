/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bind objects (seed 002 Fig. 3D, 4, 5): client prefix -> the instance of
 * a VIP:port:protocol (Bind ID != 0) that serves it, by longest prefix.
 */
#ifndef _LDIR_BIND_H
#define _LDIR_BIND_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/siphash.h>

struct ldir_pick;
struct ldir_real;

struct ldir_net;
struct ldir_virtual;
struct ldir_link;
struct ldir_tuple;

#define LDIR_BINDS_MAX		65536
#define LDIR_PREFIX_LEN_MAX	128

/*
 * One RCU hash over (VIP, port, protocol, masked client, prefix length),
 * and the set of prefix lengths in use: a lookup probes each length in use,
 * longest first, so its cost is bounded by the number of distinct lengths
 * (at most 33 for IPv4), not by the number of binds.
 */
struct ldir_bind_table {
	struct hlist_head *buckets;	/* RCU; set once, smp_store_release */
	siphash_key_t key;
	struct list_head list;		/* every bind, under ln->lock */
	unsigned int count;		/* under ln->lock */
	unsigned int nlen[LDIR_PREFIX_LEN_MAX + 1];	/* under ln->lock */
	DECLARE_BITMAP(lens, LDIR_PREFIX_LEN_MAX + 1);	/* nlen[i] != 0 */
};

struct ldir_bind {
	struct hlist_node hnode;	/* table bucket, RCU */
	struct list_head node;		/* table->list, under ln->lock */
	struct rcu_head rcu;
	struct ldir_virtual *virt;	/* the instance; holds a reference */
	union nf_inet_addr caddr;	/* client prefix, host bits zero */
	u8 plen;
};

/* @out = @in with only the first @plen bits kept. */
static inline void ldir_addr_mask(union nf_inet_addr *out,
				  const union nf_inet_addr *in, u16 family,
				  unsigned int plen)
{
	int i;

	if (family == AF_INET) {
		memset(out, 0, sizeof(*out));
		out->ip = plen ? in->ip & htonl(~0U << (32 - min(plen, 32U))) :
			  0;
		return;
	}
	for (i = 0; i < 4; i++, plen = plen > 32 ? plen - 32 : 0)
		out->all[i] = plen >= 32 ? in->all[i] : !plen ? 0 :
			      in->all[i] &
			      (__force u32)htonl(~0U << (32 - plen));
}

struct ldir_virtual *ldir_bind_lookup_rcu(struct ldir_net *ln, u16 family,
					  const union nf_inet_addr *vaddr,
					  __be16 vport, u8 protocol,
					  const union nf_inet_addr *caddr);
struct ldir_bind *ldir_bind_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *vaddr, __be16 vport,
				 u8 protocol, const union nf_inet_addr *caddr,
				 u8 plen);
struct ldir_bind *ldir_bind_create(struct ldir_net *ln, struct ldir_virtual *v,
				   const union nf_inet_addr *caddr, u8 plen);
void ldir_bind_destroy(struct ldir_net *ln, struct ldir_bind *b);
void ldir_bind_del_virtual(struct ldir_net *ln, struct ldir_virtual *v);
struct ldir_link *ldir_bind_overflow(struct ldir_net *ln,
				     struct ldir_virtual *v,
				     const struct ldir_tuple *t,
				     struct ldir_real *avoid,
				     struct ldir_pick *pick);

void ldir_bind_table_init(struct ldir_net *ln);
void ldir_bind_table_uninit(struct ldir_net *ln);

#endif /* _LDIR_BIND_H */
