/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model: virtuals, reals, links and binds of one instance, created,
 * found and removed in process context under ln->lock. Removal makes an
 * object dead, waits one grace period for a whole batch, then frees.
 */
#ifndef _LDIR_MODEL_H
#define _LDIR_MODEL_H

#include <net/netlink.h>

#include "ldir.h"

/* the instance */
void ldir_stats_sum(struct ldir_stats __percpu *s, u64 *out);
void ldir_net_changed(struct ldir_net *ln);
u32 ldir_conn_max_default(void);
struct ldir_net *ldir_net_create(struct net *net);
int ldir_netns_init(void);
void ldir_netns_uninit(void);

/* virtuals */
struct ldir_virtual *ldir_virtual_find(struct ldir_net *ln, u16 family,
				       const union nf_inet_addr *addr,
				       __be16 port, u8 protocol, u32 bind_id);
struct ldir_virtual *ldir_virtual_create(struct ldir_net *ln, u16 family,
					 const union nf_inet_addr *addr,
					 __be16 port, u8 protocol, u32 bind_id,
					 u32 flags,
					 const struct ldir_sched_ops *sched);
void ldir_virtual_destroy(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_virtual_digest_update(struct ldir_virtual *v);
bool ldir_virtual_failed(const struct ldir_virtual *v);

/* links */
struct ldir_link *ldir_link_find(struct ldir_net *ln, struct ldir_virtual *v,
				 struct ldir_real *r);
struct ldir_link *ldir_link_create(struct ldir_net *ln, struct ldir_virtual *v,
				   struct ldir_real *r, __be16 port);
void ldir_link_unlink(struct ldir_net *ln, struct ldir_link *l, bool flush);
void ldir_link_unlink_real(struct ldir_net *ln, struct ldir_real *r,
			   bool flush);

/* reals */
struct ldir_real *ldir_real_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *addr, __be16 port);
struct ldir_real *ldir_real_create(struct ldir_net *ln, u16 family,
				   const union nf_inet_addr *addr,
				   __be16 port);
void ldir_real_destroy(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_set_backup(struct ldir_net *ln, struct ldir_real *r,
			  struct ldir_real *backup);

/* binds */
struct ldir_bind *ldir_bind_find(struct ldir_net *ln, u16 family,
				 const union nf_inet_addr *vaddr, __be16 vport,
				 u8 protocol, const union nf_inet_addr *caddr,
				 u8 plen);
struct ldir_bind *ldir_bind_create(struct ldir_net *ln, struct ldir_virtual *v,
				   const union nf_inet_addr *caddr, u8 plen);
void ldir_bind_destroy(struct ldir_net *ln, struct ldir_bind *b);
void ldir_bind_del_virtual(struct ldir_net *ln, struct ldir_virtual *v);
void ldir_bind_table_init(struct ldir_net *ln);
void ldir_bind_table_uninit(struct ldir_net *ln);

/* everything */
void ldir_objects_flush(struct ldir_net *ln);

#endif /* _LDIR_MODEL_H */
