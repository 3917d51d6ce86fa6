/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): the lookup table
 * of a prime size that maps a flow hash to a backend, with weights.
 */
#ifndef _LDIR_MAGLEV_H
#define _LDIR_MAGLEV_H

#include <linux/types.h>
#include <linux/netfilter.h>

/* Table size: a prime, much larger than the number of reals (Maglev wants
 * M >= 100 N for small disruption).
 */
#define LDIR_MAGLEV_SIZE	65537
#define LDIR_MAGLEV_EMPTY	U32_MAX

/* One backend: its permutation (offset, skip) and its weight (> 0). */
struct ldir_maglev_backend {
	u32 offset;
	u32 skip;
	u32 weight;
};

void ldir_maglev_backend_init(struct ldir_maglev_backend *b, u16 family,
			      const union nf_inet_addr *addr, __be16 port,
			      u32 weight, u32 size);
int ldir_maglev_build(u32 *lookup, u32 size,
		      const struct ldir_maglev_backend *b, u32 n);
#if IS_ENABLED(CONFIG_KUNIT)
int ldir_maglev_build_steps(u32 *lookup, u32 size,
			    const struct ldir_maglev_backend *b, u32 n,
			    u64 *steps);
#endif
u32 ldir_maglev_flow_hash(u32 saddr, u32 daddr, u16 sport, u16 dport,
			  u8 protocol);
u32 ldir_maglev_flow_hash_v6(const struct in6_addr *saddr,
			     const struct in6_addr *daddr, u16 sport,
			     u16 dport, u8 protocol);

#endif /* _LDIR_MAGLEV_H */
