// SPDX-License-Identifier: GPL-2.0
/*
 * Hashing schemes: the real is a function of the packet, so every
 * director with the same configuration picks the same one.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "select.h"
#include "maglev.h"
#include "trust.h"

/*
 * hash3 is (SRC_IP_ADDR + DEST_IP_ADDR + DEST_PORT) % N and hash5
 * (SRC_IP_ADDR + SRC_PORT + DEST_IP_ADDR + DEST_PORT + PROTOCOL) % N.
 * Addresses are the IPv4 addresses as 32-bit unsigned numbers
 * (192.0.2.10 is 0xc000020a), ports 16-bit unsigned numbers, PROTOCOL
 * the 8-bit IP protocol number, all host order; the sum is exact (64
 * bits, it cannot wrap) and N the number of usable reals.
 */
u32 ldir_hash3(u32 saddr, u32 daddr, u16 dport, u32 n)
{
	u64 sum = (u64)saddr + daddr + dport;

	return n ? do_div(sum, n) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash3);

u32 ldir_hash5(u32 saddr, u16 sport, u32 daddr, u16 dport, u8 protocol,
	       u32 n)
{
	u64 sum = (u64)saddr + sport + daddr + dport + protocol;

	return n ? do_div(sum, n) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash5);

/*
 * An IPv6 address as an unsigned 128-bit number (2001:db8::10 is
 * 0x20010db8000000000000000000000010), mod @n (> 0): Horner's rule over
 * its four 32-bit words, most significant first. The remainder so far is
 * below @n < 2^32, so (r << 32 | word) fits in 64 bits and each step is
 * one u64 by u32 division: exact, with no 128-bit arithmetic.
 */
static u32 addr6_mod(const struct in6_addr *a, u32 n)
{
	u64 r = 0;
	int i;

	for (i = 0; i < 4; i++) {
		r = r << 32 | ntohl(a->s6_addr32[i]);
		r = do_div(r, n);
	}
	return r;
}

/*
 * hash3 and hash5 of IPv6: the same sums with the addresses as unsigned
 * 128-bit numbers, summed exactly (the sum needs up to 130 bits), then
 * % N. (S + D + ports) % N is ((S % N) + (D % N) + ports) % N, and the
 * right side fits in 64 bits, so that is what is computed. An address
 * with its first 96 bits zero gives the IPv4 formula's result.
 */
u32 ldir_hash3_v6(const struct in6_addr *saddr, const struct in6_addr *daddr,
		  u16 dport, u32 n)
{
	u64 sum;

	if (!n)
		return 0;
	sum = (u64)addr6_mod(saddr, n) + addr6_mod(daddr, n) + dport;
	return do_div(sum, n);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash3_v6);

u32 ldir_hash5_v6(const struct in6_addr *saddr, u16 sport,
		  const struct in6_addr *daddr, u16 dport, u8 protocol, u32 n)
{
	u64 sum;

	if (!n)
		return 0;
	sum = (u64)addr6_mod(saddr, n) + sport + addr6_mod(daddr, n) + dport +
	      protocol;
	return do_div(sum, n);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash5_v6);

/* The real port a link sends to: its own, the real's, or 0 (the client's
 * destination port).
 */
__be16 ldir_link_rport(const struct ldir_link *l)
{
	return l->port ?: l->real->port;
}

static bool hash_usable(const struct ldir_link *l)
{
	const struct ldir_real *r = l->real;

	/* not max_conns: it depends on this director's own conns, and
	 * directors must agree on N
	 */
	return !READ_ONCE(l->unlinked) &&
	       READ_ONCE(r->state) == LDIR_STATE_IN && READ_ONCE(r->weight);
}

/* The index in @ht (below ht->n) of the flow @t, IPv4 or IPv6. */
static u32 hash_index(const struct ldir_hash_table *ht,
		      const struct ldir_tuple *t)
{
	u16 sport = ntohs(t->sport), dport = ntohs(t->dport);
	u32 saddr, daddr, h;

	if (t->family == AF_INET6) {
		const struct in6_addr *s = &t->saddr.in6, *d = &t->daddr.in6;

		switch (ht->kind) {
		case LDIR_HASH3:
			return ldir_hash3_v6(s, d, dport, ht->n);
		case LDIR_HASH5:
			return ldir_hash5_v6(s, sport, d, dport, t->protocol,
					     ht->n);
		}
		h = ldir_maglev_flow_hash_v6(s, d, sport, dport, t->protocol);
		return ht->lookup[h % ht->size];
	}
	saddr = ntohl(t->saddr.ip);
	daddr = ntohl(t->daddr.ip);
	switch (ht->kind) {
	case LDIR_HASH3:
		return ldir_hash3(saddr, daddr, dport, ht->n);
	case LDIR_HASH5:
		return ldir_hash5(saddr, sport, daddr, dport, t->protocol,
				  ht->n);
	}
	h = ldir_maglev_flow_hash(saddr, daddr, sport, dport, t->protocol);
	return ht->lookup[h % ht->size];
}

/* Picks the link for @t from the table of @v, as every director would.
 * If the table is stale (a real failed or went away since it was built),
 * the next usable member in table order is taken, which is again the same
 * choice on every director that sees the same failure, and a rebuild is
 * asked for. A real at its max conns is still the pick: that limit is
 * this director's own count, and a conn sent elsewhere would go to a real
 * no other director picks for the flow; the caller drops it
 * (ldir_link_target() says no). Caller holds rcu_read_lock().
 */
struct ldir_link *ldir_hash_pick(struct ldir_virtual *v,
				 const struct ldir_tuple *t)
{
	struct ldir_hash_table *ht = rcu_dereference(v->hash);
	struct ldir_link *l;
	u32 idx, i;

	if (!ht || (t->family != AF_INET && t->family != AF_INET6))
		return NULL;
	idx = hash_index(ht, t);
	for (i = 0; i < ht->n; i++, idx = idx + 1 < ht->n ? idx + 1 : 0) {
		l = ht->m[idx].link;
		if (likely(hash_usable(l)))
			return l;
		if (!test_and_set_bit(0, &ht->stale))
			ldir_hash_kick(ht->ln);
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash_pick);

static struct ldir_link *hash_schedule(struct ldir_virtual *v,
				       const struct ldir_tuple *t,
				       const struct ldir_real *avoid)
{
	return t ? ldir_hash_pick(v, t) : NULL;
}

struct ldir_sched_ops ldir_sched_hash3 = {
	.name = "hash3",
	.schedule = hash_schedule,
};

struct ldir_sched_ops ldir_sched_hash5 = {
	.name = "hash5",
	.schedule = hash_schedule,
};

struct ldir_sched_ops ldir_sched_maglev = {
	.name = "maglev",
	.schedule = hash_schedule,
};

bool ldir_sched_is_hash(const struct ldir_sched_ops *ops)
{
	return ops == &ldir_sched_hash3 || ops == &ldir_sched_hash5 ||
	       ops == &ldir_sched_maglev;
}

/* ---- tables, rebuilt under ln->lock ------------------------------------ */

static void table_free_rcu(struct rcu_head *head)
{
	struct ldir_hash_table *ht = container_of(head, struct ldir_hash_table,
						  rcu);
	u32 i;

	for (i = 0; i < ht->n; i++)
		ldir_link_put(ht->m[i].link);
	kvfree(ht->lookup);
	kfree(ht);
}

static void table_free(struct ldir_hash_table *ht)
{
	if (ht)
		call_rcu(&ht->rcu, table_free_rcu);
}

/* The stable order:
 * by real address, then real port, as numbers; not the order links were
 * added, so that directors configured in another order still agree.
 */
static int member_cmp(const void *a, const void *b)
{
	const struct ldir_link *x = ((const struct ldir_hash_member *)a)->link;
	const struct ldir_link *y = ((const struct ldir_hash_member *)b)->link;
	int c;

	if (x->real->family != y->real->family)
		return x->real->family < y->real->family ? -1 : 1;
	c = memcmp(&x->real->addr, &y->real->addr, sizeof(x->real->addr));
	if (c)
		return c;
	return (int)ntohs(ldir_link_rport(x)) - (int)ntohs(ldir_link_rport(y));
}

static int hash_kind(const struct ldir_sched_ops *ops)
{
	if (ops == &ldir_sched_hash3)
		return LDIR_HASH3;
	if (ops == &ldir_sched_hash5)
		return LDIR_HASH5;
	return LDIR_HASH_MAGLEV;
}

static bool table_same(const struct ldir_hash_table *a,
		       const struct ldir_hash_table *b)
{
	u32 i;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->m[i].link != b->m[i].link ||
		    a->m[i].weight != b->m[i].weight)
			return false;
	return true;
}

static int maglev_fill(struct ldir_hash_table *ht)
{
	struct ldir_maglev_backend *b;
	u32 i;
	int ret;

	b = kcalloc(ht->n, sizeof(*b), GFP_KERNEL_ACCOUNT);
	ht->size = LDIR_MAGLEV_SIZE;
	ht->lookup = kvmalloc_array(ht->size, sizeof(*ht->lookup), GFP_KERNEL_ACCOUNT);
	if (!b || !ht->lookup) {
		kfree(b);
		return -ENOMEM;
	}
	for (i = 0; i < ht->n; i++) {
		const struct ldir_link *l = ht->m[i].link;

		ldir_maglev_backend_init(&b[i], l->real->family, &l->real->addr,
					 ldir_link_rport(l), ht->m[i].weight,
					 ht->size);
	}
	ret = ldir_maglev_build(ht->lookup, ht->size, b, ht->n);
	kfree(b);
	return ret;
}

/*
 * Rebuilds the table of @v from its links if what it depends on changed
 * (scheme, usable links, weights), and publishes it. A virtual that does
 * not hash has none. On failure the old table stays: it is stale but safe
 * (it holds its links), and the packet path skips what is no longer
 * usable. Caller holds ln->lock.
 */
int ldir_virtual_hash_changed(struct ldir_net *ln, struct ldir_virtual *v)
{
	const struct ldir_sched_ops *ops;
	struct ldir_hash_table *old, *ht = NULL;
	struct ldir_link *l;
	u32 n = 0;
	int ret = 0;

	lockdep_assert_held(&ln->lock);
	old = rcu_dereference_protected(v->hash, lockdep_is_held(&ln->lock));
	ops = rcu_dereference_protected(v->sched, lockdep_is_held(&ln->lock));
	if (!ldir_sched_is_hash(ops) || !v->nlinks)
		goto publish;

	ht = kzalloc(struct_size(ht, m, v->nlinks), GFP_KERNEL_ACCOUNT);
	if (!ht)
		return -ENOMEM;
	ht->ln = ln;
	ht->kind = hash_kind(ops);
	list_for_each_entry(l, &v->links, vnode) {
		if (WARN_ON_ONCE(n >= v->nlinks))
			break;
		if (!hash_usable(l))
			continue;
		ht->m[n].link = l;
		ht->m[n].weight = READ_ONCE(l->real->weight);
		n++;
	}
	ht->n = n;
	sort(ht->m, n, sizeof(ht->m[0]), member_cmp, NULL);
	if (!n) {
		kfree(ht);
		ht = NULL;
		goto publish;
	}
	if (table_same(old, ht)) {
		/* a real failed and came back before the worker ran */
		clear_bit(0, &old->stale);
		kfree(ht);
		return 0;
	}
	if (ht->kind == LDIR_HASH_MAGLEV) {
		ret = maglev_fill(ht);
		if (ret) {
			kvfree(ht->lookup);
			kfree(ht);
			return ret;
		}
	}
	for (n = 0; n < ht->n; n++)
		refcount_inc(&ht->m[n].link->refcnt);
publish:
	if (table_same(old, ht) && !ht)
		return 0;
	rcu_assign_pointer(v->hash, ht);
	table_free(old);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_virtual_hash_changed);

/* Brings every table of the netns up to date; a failed rebuild is retried
 * by the worker. Caller holds ln->lock.
 */
void ldir_hash_refresh(struct ldir_net *ln)
{
	struct ldir_virtual *v;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry(v, &ln->virtuals, node)
		if (ldir_virtual_hash_changed(ln, v))
			schedule_delayed_work(&ln->hash_work, HZ);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash_refresh);

/* As ldir_hash_refresh(), when only @v's links or scheme changed: a link
 * added to each of n virtuals costs n rebuild checks, not n^2.
 */
void ldir_hash_refresh_virtual(struct ldir_net *ln, struct ldir_virtual *v)
{
	lockdep_assert_held(&ln->lock);
	if (ldir_virtual_hash_changed(ln, v))
		schedule_delayed_work(&ln->hash_work, HZ);
}

static void hash_work(struct work_struct *work)
{
	struct ldir_net *ln = container_of(to_delayed_work(work),
					   struct ldir_net, hash_work);
	struct mem_cgroup *old;

	/* a worker is charged nothing of its own: charge the owner */
	old = ldir_charge_begin(ln);
	mutex_lock(&ln->lock);
	ldir_hash_refresh(ln);
	mutex_unlock(&ln->lock);
	ldir_charge_end(old);
}

/* Asks for the tables to be rebuilt soon; any context (a real that fails
 * in softirq).
 */
void ldir_hash_kick(struct ldir_net *ln)
{
	mod_delayed_work(system_wq, &ln->hash_work, 0);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash_kick);

/* @v is being destroyed: drop its table (and the links it holds). */
void ldir_hash_release(struct ldir_net *ln, struct ldir_virtual *v)
{
	struct ldir_hash_table *ht;

	ht = rcu_replace_pointer(v->hash, NULL, lockdep_is_held(&ln->lock));
	table_free(ht);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash_release);

void ldir_hash_net_init(struct ldir_net *ln)
{
	INIT_DELAYED_WORK(&ln->hash_work, hash_work);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash_net_init);

void ldir_hash_net_exit(struct ldir_net *ln)
{
	cancel_delayed_work_sync(&ln->hash_work);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_hash_net_exit);
