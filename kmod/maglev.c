// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev lookup tables: pure functions of the backends' identities and
 * weights, so that every director with the same reals builds the same one.
 */
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/math64.h>
#include <linux/sched.h>

#include "compat.h"
#include "maglev.h"

/*
 * Fixed keys, not random ones: several directors behind one ECMP router
 * must compute the same table and the same flow
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

/* Where a backend stands in the build: the next slot of its permutation
 * to try, the turns it took, and the round of its next turn.
 */
struct maglev_walk {
	u64 round;
	u32 pos;
	u32 turns;
};

/* The round of turn @k (from 1) of a backend of weight @w: see below. */
static u64 turn_round(u32 k, u32 w, u32 wmax)
{
	return div_u64((u64)k * wmax + w - 1, w);
}

/* Does backend @i take its turn before backend @j? Ties go by index. */
static bool turn_before(const struct maglev_walk *mw, u32 i, u32 j)
{
	return mw[i].round != mw[j].round ? mw[i].round < mw[j].round : i < j;
}

/* Restores the heap order of @heap (@n backend indexes) below @at. */
static void sift_down(u32 *heap, u32 n, u32 at, const struct maglev_walk *mw)
{
	for (;;) {
		u32 c = 2 * at + 1, top = heap[at];

		if (c >= n)
			return;
		if (c + 1 < n && turn_before(mw, heap[c + 1], heap[c]))
			c++;
		if (!turn_before(mw, heap[c], top))
			return;
		heap[at] = heap[c];
		heap[c] = top;
		at = c;
	}
}

/*
 * Fills @lookup (@size entries, @size prime) with backend indexes: in
 * turn, each backend takes the next free slot of its permutation
 * offset, offset + skip, offset + 2 skip, ... (mod @size). Weights: in
 * round r = 1, 2, ... every backend adds its weight to a credit, and takes
 * a turn when the credit reaches the largest weight, which it then pays;
 * within a round the backends go by index. So a backend's share of the
 * table is weight / sum of weights, and its turn k falls in round
 * ceil(k * wmax / weight).
 *
 * The turns come from a heap ordered by (round, index) rather than from a
 * pass over every backend each round: with one heavy backend and many
 * light ones (65535:1), nearly every round is one turn, and a pass over
 * the others each time made the build O(size * n), 4e9 steps at 65536
 * backends. This is O(size log n) whatever the weights, and fills the
 * same table as those passes did, so that directors on either build
 * agree. No weight is rounded (IPVS's MH bounds its passes by dividing
 * the weights by their gcd and shifting them down, which moves shares
 * and tables; the turns here depend on weight ratios only). If @steps,
 * it is told the number of turns and slot probes taken.
 *
 * Process context (it sleeps). Returns 0, or -EINVAL for no backend or a
 * zero weight, -ENOMEM.
 */
VISIBLE_IF_KUNIT int ldir_maglev_build_steps(u32 *lookup, u32 size,
					     const struct ldir_maglev_backend *b,
					     u32 n, u64 *steps)
{
	u32 *heap, wmax = 0, filled, i;
	struct maglev_walk *mw;
	u64 probes = 0;

	might_sleep();
	if (!n || size < 2)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!b[i].weight)
			return -EINVAL;
		wmax = max(wmax, b[i].weight);
	}
	mw = kvcalloc(n, sizeof(*mw), GFP_KERNEL_ACCOUNT);
	heap = kvcalloc(n, sizeof(*heap), GFP_KERNEL_ACCOUNT);
	if (!mw || !heap) {
		kvfree(mw);
		kvfree(heap);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		mw[i].pos = b[i].offset;
		mw[i].round = turn_round(1, b[i].weight, wmax);
		heap[i] = i;
	}
	for (i = n / 2; i-- > 0;)
		sift_down(heap, n, i, mw);
	for (i = 0; i < size; i++)
		lookup[i] = LDIR_MAGLEV_EMPTY;

	/* A backend's walk never revisits a slot (skip and size are
	 * coprime), so it finds a free one while the table is not full.
	 */
	for (filled = 0; filled < size; filled++) {
		struct maglev_walk *w = &mw[heap[0]];

		while (lookup[w->pos] != LDIR_MAGLEV_EMPTY) {
			w->pos += b[heap[0]].skip;
			if (w->pos >= size)
				w->pos -= size;
			probes++;
		}
		lookup[w->pos] = heap[0];
		w->turns++;
		w->round = turn_round(w->turns + 1, b[heap[0]].weight, wmax);
		sift_down(heap, n, 0, mw);
		if (!(filled & 4095))
			cond_resched();
	}
	if (steps)
		*steps = size + probes;
	kvfree(mw);
	kvfree(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_maglev_build_steps);

int ldir_maglev_build(u32 *lookup, u32 size,
		      const struct ldir_maglev_backend *b, u32 n)
{
	return ldir_maglev_build_steps(lookup, size, b, n, NULL);
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

/* An IPv6 address as two 64-bit numbers, most significant first. */
static u64 addr6_hi(const struct in6_addr *a)
{
	return (u64)ntohl(a->s6_addr32[0]) << 32 | ntohl(a->s6_addr32[1]);
}

static u64 addr6_lo(const struct in6_addr *a)
{
	return (u64)ntohl(a->s6_addr32[2]) << 32 | ntohl(a->s6_addr32[3]);
}

/* The IPv6 flow's 5-tuple, all 128 bits of both addresses: SipHash-2-4
 * with the IPv4 flow key over five 64-bit numbers, saddr high and low
 * halves, daddr high and low, then sport << 24 | dport << 8 | protocol,
 * each as its little-endian bytes whatever the CPU, so that every
 * director hashes the same.
 */
u32 ldir_maglev_flow_hash_v6(const struct in6_addr *saddr,
			     const struct in6_addr *daddr, u16 sport,
			     u16 dport, u8 protocol)
{
	const __le64 w[5] = {
		cpu_to_le64(addr6_hi(saddr)),
		cpu_to_le64(addr6_lo(saddr)),
		cpu_to_le64(addr6_hi(daddr)),
		cpu_to_le64(addr6_lo(daddr)),
		cpu_to_le64((u64)sport << 24 | (u64)dport << 8 | protocol),
	};

	return siphash(w, sizeof(w), &maglev_flow_key);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_maglev_flow_hash_v6);
