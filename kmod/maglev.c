// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev lookup tables: pure functions of the backends' identities and
 * weights, so that every director with the same reals builds the same one.
 */
#include <linux/siphash.h>
#include <linux/slab.h>

#include "compat.h"
#include "maglev.h"

/*
 * Fixed keys, not random ones: several directors behind one ECMP router
 * (seed 004 claims 34-48) must compute the same table and the same flow
 * hash without talking to each other. The price is that a client who
 * knows the keys can aim many flows at one real; it cannot grow any table.
 */
static const siphash_key_t maglev_offset_key = {
	{ 0x6c64697220202020ULL, 0x6d61676c6576206fULL }
};

static const siphash_key_t maglev_skip_key = {
	{ 0x6c64697220202020ULL, 0x6d61676c65762073ULL }
};

static const siphash_key_t maglev_flow_key = {
	{ 0x6c64697220202020ULL, 0x6d61676c65762066ULL }
};

/* A backend is named by family, address and port, all as numbers (host
 * order), so that directors of either endianness agree.
 */
void ldir_maglev_backend_init(struct ldir_maglev_backend *b, u16 family,
			      const union nf_inet_addr *addr, __be16 port,
			      u32 weight, u32 size)
{
	const __be32 *w = addr->in6.s6_addr32;
	u64 a = (u64)ntohl(w[0]) << 32 | ntohl(w[1]);
	u64 c = (u64)ntohl(w[2]) << 32 | ntohl(w[3]);
	u64 d = (u64)family << 16 | ntohs(port);

	b->offset = siphash_3u64(a, c, d, &maglev_offset_key) % size;
	b->skip = siphash_3u64(a, c, d, &maglev_skip_key) % (size - 1) + 1;
	b->weight = weight;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_maglev_backend_init);

/*
 * Fills @lookup (@size entries, @size prime) with backend indexes: in
 * turn, each backend takes the next free slot of its permutation
 * offset, offset + skip, offset + 2 skip, ... (mod @size). Weights: a
 * backend takes a turn each time its credit reaches the largest weight, so
 * its share of the table is weight / sum of weights. Returns 0, or
 * -EINVAL for no backend or a zero weight, -ENOMEM.
 */
int ldir_maglev_build(u32 *lookup, u32 size,
		      const struct ldir_maglev_backend *b, u32 n)
{
	u32 *pos, *credit, wmax = 0, filled = 0, i;

	if (!n || size < 2)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!b[i].weight)
			return -EINVAL;
		wmax = max(wmax, b[i].weight);
	}
	pos = kcalloc(n, sizeof(*pos), GFP_KERNEL_ACCOUNT);
	credit = kcalloc(n, sizeof(*credit), GFP_KERNEL_ACCOUNT);
	if (!pos || !credit) {
		kfree(pos);
		kfree(credit);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		pos[i] = b[i].offset;
	for (i = 0; i < size; i++)
		lookup[i] = LDIR_MAGLEV_EMPTY;

	/* The backend with the largest weight takes a slot every round,
	 * so this ends after at most @size rounds; a backend's walk never
	 * revisits a slot (skip and size are coprime), and it is never
	 * asked for a slot once the table is full.
	 */
	for (;;) {
		for (i = 0; i < n; i++) {
			credit[i] += b[i].weight;
			if (credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			while (lookup[pos[i]] != LDIR_MAGLEV_EMPTY) {
				pos[i] += b[i].skip;
				if (pos[i] >= size)
					pos[i] -= size;
			}
			lookup[pos[i]] = i;
			if (++filled == size)
				goto out;
		}
	}
out:
	kfree(pos);
	kfree(credit);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_maglev_build);

/* The flow's 5-tuple, as numbers in host order, hashed the same way on
 * every director.
 */
u32 ldir_maglev_flow_hash(u32 saddr, u32 daddr, u16 sport, u16 dport,
			  u8 protocol)
{
	return siphash_4u32(saddr, daddr, (u32)sport << 16 | dport, protocol,
			    &maglev_flow_key);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_maglev_flow_hash);
