// SPDX-License-Identifier: GPL-2.0
/*
 * The conn table: the per-netns RCU hash table keyed by both directions,
 * TCP state tracking, bounds against floods, and expiry by a GC worker.
 */
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/vmalloc.h>
#include <linux/module.h>

#include "conntab.h"
#include "health.h"
#include "sync.h"
#include "trust.h"

static unsigned int conn_hash_bits = 16;
module_param(conn_hash_bits, uint, 0444);
MODULE_PARM_DESC(conn_hash_bits, "log2 of conn hash buckets per netns (8-24)");

#define GC_INTERVAL	(HZ / 10)
/* an eviction looks at the conns of this many used buckets from a new
 * conn's own, and at no more than EVICT_CONNS of them
 */
#define EVICT_BUCKETS	8
#define EVICT_CONNS	32
/* each GC run looks at 1/GC_SLICES of the table: every bucket once a second */
#define GC_SLICES	10

/* by family: IPv4 conns are 128 bytes, IPv6 ones 160 */
static struct kmem_cache *conn_cachep4, *conn_cachep6;
static const struct ldir_conntab_ops *conntab_ops;

/* The schedulers, which the table must not call, hear of load changes
 * through these: set before any netns can have a conn.
 */
void ldir_conntab_set_ops(const struct ldir_conntab_ops *ops)
{
	conntab_ops = ops;
}

/* Each direction has a table of its own: an hlist may only chain nodes of
 * one member, hnode[ORIG] or hnode[REPLY], for container_of() to be right.
 */
static struct hlist_head *bucket_head(const struct ldir_conn_table *ct,
				      int dir, u32 bucket)
{
	return &ct->buckets[((u32)dir << ct->hash_bits) + bucket];
}

/* Every packet of a flow hashes its tuple: with hsiphash, on 64-bit the
 * same keyed SipHash with 1-3 rounds instead of 2-4, made for hash tables
 * (it is what the tables' bucket choice needs against flooding). An IPv6
 * tuple's addresses are folded into 128 bits first, the source's halves
 * each with the other half of the destination's: a bijection of either
 * address while the other stays, so no two sources to one destination
 * collide before the key is applied.
 */
static __always_inline u32 tuple_hash(const struct ldir_conn_table *ct,
				      const union nf_inet_addr *s, __be16 sport,
				      const union nf_inet_addr *d, __be16 dport,
				      u8 proto, u8 family)
{
	u32 ports = (__force u32)sport << 16 | (__force u16)dport;
	u64 w[3];

	if (family == AF_INET)
		return hsiphash_4u32((__force u32)s->ip, (__force u32)d->ip,
				     ports, proto, &ct->key);
	w[0] = ((u64)s->all[0] << 32 | s->all[1]) ^
	       ((u64)d->all[2] << 32 | d->all[3]);
	w[1] = ((u64)s->all[2] << 32 | s->all[3]) ^
	       ((u64)d->all[0] << 32 | d->all[1]);
	w[2] = (u64)ports << 8 | proto;
	return hsiphash(w, sizeof(w), &ct->key);
}

static struct kmem_cache *conn_cache(u8 family)
{
	return family == AF_INET ? conn_cachep4 : conn_cachep6;
}

static u32 conn_bucket(const struct ldir_conn_table *ct, const struct ldir_conn *cp,
		       int dir)
{
	union nf_inet_addr c, v, r;
	u32 h;

	ldir_conn_caddr(&c, cp);
	ldir_conn_vaddr(&v, cp);
	ldir_conn_raddr(&r, cp);

	if (dir == LDIR_DIR_ORIG)
		h = tuple_hash(ct, &c, cp->cport, &v, cp->vport, cp->protocol,
			       cp->family);
	else
		h = tuple_hash(ct, &r, cp->rport, &c, cp->cport, cp->protocol,
			       cp->family);
	return h >> (32 - ct->hash_bits);
}

static bool conn_match(const struct ldir_conn *cp, const struct ldir_tuple *t,
		       int dir)
{
	if (cp->protocol != t->protocol || cp->family != t->family)
		return false;
	if (dir == LDIR_DIR_ORIG) {
		if (cp->cport != t->sport || cp->vport != t->dport)
			return false;
		if (likely(cp->family == AF_INET))
			return cp->caddr.ip == t->saddr.ip &&
			       cp->vaddr.ip == t->daddr.ip;
		return ipv6_addr_equal(&cp->caddr6, &t->saddr.in6) &&
		       ipv6_addr_equal(&cp->vaddr6, &t->daddr.in6);
	}
	if (cp->rport != t->sport || cp->cport != t->dport)
		return false;
	if (likely(cp->family == AF_INET))
		return cp->raddr.ip == t->saddr.ip &&
		       cp->caddr.ip == t->daddr.ip;
	return ipv6_addr_equal(&cp->raddr6, &t->saddr.in6) &&
	       ipv6_addr_equal(&cp->caddr6, &t->daddr.in6);
}

/* Caller holds rcu_read_lock(); the conn stays valid until it drops it
 * (conns are freed after a grace period), so no reference is taken.
 */
struct ldir_conn *ldir_conn_lookup_rcu(struct ldir_net *ln,
				       const struct ldir_tuple *t, int dir)
{
	struct ldir_conn_table *ct = &ln->conns;
	struct ldir_conn *cp;
	u32 h;

	h = tuple_hash(ct, &t->saddr, t->sport, &t->daddr, t->dport,
		       t->protocol, t->family) >> (32 - ct->hash_bits);
	hlist_for_each_entry_rcu(cp, bucket_head(ct, dir, h), hnode[dir])
		if (conn_match(cp, t, dir))
			return cp;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_lookup_rcu);

static spinlock_t *bucket_lock(struct ldir_conn_table *ct, u32 bucket)
{
	return &ct->locks[bucket & ct->lock_mask];
}

/* Takes the locks of both buckets of a conn, in address order. */
static void lock_pair(struct ldir_conn_table *ct, u32 b0, u32 b1)
	__acquires(bucket0) __acquires(bucket1)
{
	spinlock_t *l0 = bucket_lock(ct, b0), *l1 = bucket_lock(ct, b1);

	if (l0 == l1) {
		spin_lock_bh(l0);
		__acquire(l1);	/* for sparse: one lock stands for both */
	} else if (l0 < l1) {
		spin_lock_bh(l0);
		spin_lock_nested(l1, SINGLE_DEPTH_NESTING);
	} else {
		spin_lock_bh(l1);
		spin_lock_nested(l0, SINGLE_DEPTH_NESTING);
	}
}

static void unlock_pair(struct ldir_conn_table *ct, u32 b0, u32 b1)
	__releases(bucket0) __releases(bucket1)
{
	spinlock_t *l0 = bucket_lock(ct, b0), *l1 = bucket_lock(ct, b1);

	if (l0 == l1) {
		__release(l1);
		spin_unlock_bh(l0);
	} else {
		spin_unlock(max(l0, l1));
		spin_unlock_bh(min(l0, l1));
	}
}

static bool state_active(u8 state)
{
	return state == LDIR_CONN_S_SYN_SENT || state == LDIR_CONN_S_SYN_RECV ||
	       state == LDIR_CONN_S_ESTABLISHED || state == LDIR_CONN_S_UDP;
}

/* A TCP handshake not done, or a flow adopted mid-way that its real has
 * not answered yet: the conn has no established flow to lose.
 */
static bool state_embryonic(u8 state)
{
	return state == LDIR_CONN_S_SYN_SENT || state == LDIR_CONN_S_SYN_RECV ||
	       state == LDIR_CONN_S_NONE;
}

/* Whoever clears the bit gives the count back, once: the packet that
 * ends the handshake, or the unhash.
 */
static void conn_embryonic_clear(struct ldir_net *ln, struct ldir_conn *cp)
{
	if (test_and_clear_bit(LDIR_CONN_B_EMBRYONIC, &cp->flags))
		atomic_dec(&ln->conns.embryonic);
}

/* The bound on embryonic conns: EMBRYONIC_MAX, or half of the table. */
u32 ldir_conn_embryonic_max(const struct ldir_net *ln)
{
	u32 max = READ_ONCE(ln->embryonic_max);

	return max ?: max(READ_ONCE(ln->conn_max) / 2, 1U);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_embryonic_max);

/* SYN pressure starts at half of the embryonic bound or 7/8 of conn_max,
 * and ends below a quarter of the one and 3/4 of the other once it has
 * lasted a second: at most one start and one end a second, for the
 * events and the log. From a new SYN (softirq) and the GC.
 */
static void conn_pressure_update(struct ldir_net *ln)
{
	struct ldir_conn_table *ct = &ln->conns;
	unsigned long since = READ_ONCE(ct->pressure);
	u64 emb = atomic_read(&ct->embryonic), n = atomic_read(&ct->count);
	u64 emax = ldir_conn_embryonic_max(ln), cmax = READ_ONCE(ln->conn_max);

	if (!since) {
		if ((!emb || emb * 2 < emax) && n * 8 < cmax * 7)
			return;
		if (!cmpxchg(&ct->pressure, 0, jiffies | 1)) {
			LDIR_STATS_INC(ln->stats, LDIR_STATS_A_PRESSURE_STARTS);
			ldir_event_kick(ln);
		}
		return;
	}
	if (emb * 4 >= emax || n * 4 >= cmax * 3 ||
	    time_before(jiffies, since + HZ))
		return;
	if (cmpxchg(&ct->pressure, since, 0) == since)
		ldir_event_kick(ln);
}

static void active_dec(struct ldir_conn *cp)
{
	atomic_dec(&cp->link->active);
	atomic_dec(&cp->real->active);
}

/* Whoever clears the ACTIVE bit gives the count back, exactly once, even
 * when a packet races with the GC unhashing the conn.
 */
static void conn_set_active(struct ldir_conn *cp, bool active)
{
	if (!active) {
		if (test_and_clear_bit(LDIR_CONN_B_ACTIVE, &cp->flags)) {
			active_dec(cp);
			conntab_ops->load_down(cp->real);
		}
		return;
	}
	if (test_bit(LDIR_CONN_B_DEAD, &cp->flags) ||
	    test_and_set_bit(LDIR_CONN_B_ACTIVE, &cp->flags))
		return;
	atomic_inc(&cp->link->active);
	atomic_inc(&cp->real->active);
	/* pairs with conn_unhash(): one of us sees the other's bit */
	smp_mb__after_atomic();
	if (test_bit(LDIR_CONN_B_DEAD, &cp->flags) &&
	    test_and_clear_bit(LDIR_CONN_B_ACTIVE, &cp->flags)) {
		active_dec(cp);
		conntab_ops->load_down(cp->real);
	}
}

static void conn_free_rcu(struct rcu_head *head)
{
	struct ldir_conn *cp = container_of(head, struct ldir_conn, rcu);

	ldir_real_put(cp->real);
	ldir_link_put(cp->link);
	kmem_cache_free(conn_cache(cp->family), cp);
}

/* Evicts an embryonic conn near @t's bucket to make room for @t: of the
 * conns of the next EVICT_BUCKETS used ORIG buckets from @t's own (at
 * most EVICT_CONNS of them), the embryonic one that expires first, the
 * oldest unless a resend refreshed it (conntrack's early_drop looks at
 * a few buckets the same way; IPVS's drop_entry walks the table from a
 * timer instead). An established conn is never taken; one that ends its
 * handshake while it is being evicted may go (conntrack has the same
 * race): it was the oldest embryonic one in reach. Returns true if one
 * went. Softirq, or with BHs off; no bucket lock held.
 */
bool ldir_conn_evict(struct ldir_net *ln, const struct ldir_tuple *t)
{
	struct ldir_conn_table *ct = &ln->conns;
	unsigned int nb = 1U << ct->hash_bits, start, end = nb, b, i;
	unsigned int seen = 0;
	struct ldir_conn *cp, *victim = NULL;
	bool killed;

	if (!ct->buckets)
		return false;
	start = tuple_hash(ct, &t->saddr, t->sport, &t->daddr, t->dport,
			   t->protocol, t->family) >> (32 - ct->hash_bits);
	rcu_read_lock();
	for (i = 0, b = start; i < EVICT_BUCKETS && seen < EVICT_CONNS;
	     i++, b++) {
		b = find_next_bit(ct->used, end, b);
		if (b >= end) {
			/* wrap around once, up to where we started */
			if (end == start)
				break;
			end = start;
			b = find_next_bit(ct->used, end, 0);
			if (b >= end)
				break;
		}
		hlist_for_each_entry_rcu(cp, bucket_head(ct, LDIR_DIR_ORIG, b),
					 hnode[LDIR_DIR_ORIG]) {
			if (++seen > EVICT_CONNS)
				break;
			/* unhashing clears the bit: no dead conn is taken */
			if (!test_bit(LDIR_CONN_B_EMBRYONIC, &cp->flags))
				continue;
			if (!victim || time_before32(READ_ONCE(cp->expires),
						     READ_ONCE(victim->expires)))
				victim = cp;
		}
	}
	killed = victim && ldir_conn_kill(ln, victim);
	rcu_read_unlock();
	if (killed)
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_EMBRYONIC_EVICTED);
	return killed;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_evict);

/* Takes a place in the table for a new conn (@syn: an embryonic one),
 * evicting an embryonic conn if the table or the embryonic bound is full.
 * Returns 0 or -ENOSPC, counted (@peer: a conn a peer director sent, no
 * packet: the caller counts it).
 */
static int conn_room(struct ldir_net *ln, const struct ldir_tuple *t,
		     bool syn, bool peer)
{
	struct ldir_conn_table *ct = &ln->conns;

	if (syn) {
		conn_pressure_update(ln);
		if (atomic_read(&ct->embryonic) >= ldir_conn_embryonic_max(ln) &&
		    !ldir_conn_evict(ln, t)) {
			LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_SYN_PRESSURE);
			return -ENOSPC;
		}
	}
	if (atomic_inc_return(&ct->count) <= READ_ONCE(ln->conn_max))
		return 0;
	atomic_dec(&ct->count);
	/* full: an embryonic conn makes room, an established one never */
	if (ldir_conn_evict(ln, t)) {
		if (atomic_inc_return(&ct->count) <= READ_ONCE(ln->conn_max))
			return 0;
		atomic_dec(&ct->count);	/* another CPU took the place */
	}
	if (!peer)
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_CONN_LIMIT);
	return -ENOSPC;
}

/* Creates and hashes a conn for a new flow described by @t (client ->
 * VIP), to @real (NULL: the link's own). If a conn for the same flow won
 * a race, that one is returned. Runs in softirq; a user namespace's
 * instance is charged for it (trust.h). @peer: a conn learned from a peer
 * director, confirmed, that lives @timeout jiffies and is not counted as
 * created here.
 */
static struct ldir_conn *conn_create(struct ldir_net *ln,
				     const struct ldir_tuple *t,
				     struct ldir_link *link,
				     struct ldir_real *real, __be16 rport,
				     u8 state, bool peer, u32 timeout)
{
	struct ldir_conn_table *ct = &ln->conns;
	struct ldir_conn *cp, *other;
	struct mem_cgroup *old;
	u32 b0, b1;
	int ret;

	ret = conn_room(ln, t, state_embryonic(state), peer);
	if (ret)
		return ERR_PTR(ret);
	old = ldir_charge_begin(ln);
	cp = kmem_cache_zalloc(conn_cache(t->family), ldir_atomic_gfp(ln));
	ldir_charge_end(old);
	if (!cp) {
		atomic_dec(&ct->count);
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_NOMEM);
		return ERR_PTR(-ENOMEM);
	}
	if (!real)
		real = link->real;
	if (!ldir_link_get(link)) {
		kmem_cache_free(conn_cache(t->family), cp);
		atomic_dec(&ct->count);
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_REMOVED);
		return ERR_PTR(-ENOENT);
	}
	if (!refcount_inc_not_zero(&real->refcnt)) {
		ldir_link_put(link);
		kmem_cache_free(conn_cache(t->family), cp);
		atomic_dec(&ct->count);
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_DROP_REMOVED);
		return ERR_PTR(-ENOENT);
	}
	cp->link = link;
	cp->virt = link->virt;
	cp->real = real;
	cp->family = t->family;
	cp->protocol = t->protocol;
	if (t->family == AF_INET) {
		cp->caddr.ip = t->saddr.ip;
		cp->vaddr.ip = t->daddr.ip;
		cp->raddr.ip = real->addr.ip;
	} else {
		cp->caddr6 = t->saddr.in6;
		cp->vaddr6 = t->daddr.in6;
		cp->raddr6 = real->addr.in6;
	}
	cp->cport = t->sport;
	cp->vport = t->dport;
	cp->rport = rport;
	cp->state = state;
	if (!peer) {
		timeout = READ_ONCE(ln->timeout[state]);
		if (state == LDIR_CONN_S_SYN_SENT && ldir_conn_pressure(ln))
			timeout = min(timeout,
				      READ_ONCE(ln->timeout_syn_pressure));
	}
	cp->expires = (u32)(jiffies + timeout);
	/* the first SYN: a resend counts from here (hooks.c) */
	cp->syn_stamp = (u32)jiffies;

	b0 = conn_bucket(ct, cp, LDIR_DIR_ORIG);
	b1 = conn_bucket(ct, cp, LDIR_DIR_REPLY);
	lock_pair(ct, b0, b1);
	other = ldir_conn_lookup_rcu(ln, t, LDIR_DIR_ORIG);
	if (!other) {
		struct ldir_tuple r = {
			.saddr = real->addr, .sport = cp->rport,
			.daddr = t->saddr, .dport = cp->cport,
			.protocol = cp->protocol, .family = cp->family,
		};

		/* two flows must never share a reply tuple */
		if (ldir_conn_lookup_rcu(ln, &r, LDIR_DIR_REPLY)) {
			other = ERR_PTR(-EEXIST);
			if (!peer)
				LDIR_STATS_INC(ln->stats,
					       LDIR_STATS_A_DROP_REPLY_CLASH);
		}
	}
	if (other) {
		unlock_pair(ct, b0, b1);
		ldir_real_put(real);
		ldir_link_put(link);
		kmem_cache_free(conn_cache(t->family), cp);
		atomic_dec(&ct->count);
		return other;
	}
	atomic_inc(&link->conns);
	atomic_inc(&real->conns);
	/* the multipurpose timer starts at the SYN; an adopted flow's
	 * first packet is no start of anything to time
	 */
	cp->tstamp = (u32)ldir_now_us();
	if (peer) {
		/* nothing to time; sent back to no one until a packet */
		__set_bit(LDIR_CONN_B_CONFIRMED, &cp->flags);
		__set_bit(LDIR_CONN_B_PEER, &cp->flags);
	} else if (state != LDIR_CONN_S_NONE) {
		__set_bit(LDIR_CONN_B_TIMING, &cp->flags);
	}
	if (state == LDIR_CONN_S_SYN_SENT) {
		__set_bit(LDIR_CONN_B_UNANSWERED, &cp->flags);
		atomic_inc(&real->unanswered);
	}
	if (state_embryonic(state)) {
		__set_bit(LDIR_CONN_B_EMBRYONIC, &cp->flags);
		atomic_inc(&ct->embryonic);
	}
	atomic_inc(&link->virt->conns);
	/* replies from the real are ours while the conn lives */
	ldir_afilter_add(&ln->conn_filter, &real->addr);
	conn_set_active(cp, state_active(state));
	hlist_add_head_rcu(&cp->hnode[LDIR_DIR_ORIG],
			   bucket_head(ct, LDIR_DIR_ORIG, b0));
	set_bit(b0, ct->used);
	hlist_add_head_rcu(&cp->hnode[LDIR_DIR_REPLY],
			   bucket_head(ct, LDIR_DIR_REPLY, b1));
	unlock_pair(ct, b0, b1);

	if (peer)
		return cp;
	LDIR_STATS_INC(link->stats, LDIR_OS_CONNS);
	if (real != link->real) {
		LDIR_STATS_INC(link->bstats, LDIR_OS_CONNS);
		LDIR_STATS_INC(real->bstats, LDIR_OS_CONNS);
	}
	return cp;
}

struct ldir_conn *ldir_conn_create(struct ldir_net *ln,
				   const struct ldir_tuple *t,
				   struct ldir_link *link,
				   struct ldir_real *real, __be16 rport,
				   u8 state)
{
	return conn_create(ln, t, link, real, rport, state, false, 0);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_create);

/* A conn a peer director sent (nl/conn.c checked it against the model):
 * @state is not embryonic, so it takes a place only where an embryonic
 * conn can make room. If the flow has a conn already, that one is
 * returned, untouched. Process context.
 */
struct ldir_conn *ldir_conn_peer_create(struct ldir_net *ln,
					const struct ldir_tuple *t,
					struct ldir_link *link,
					struct ldir_real *real, __be16 rport,
					u8 state, u32 timeout)
{
	struct ldir_conn *cp;

	local_bh_disable();
	cp = conn_create(ln, t, link, real, rport, state, true, timeout);
	local_bh_enable();
	return cp;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_peer_create);

/* Unhashes @cp, whose ORIG bucket is @b0; caller holds both bucket locks. */
static void conn_unhash(struct ldir_net *ln, struct ldir_conn *cp, u32 b0)
{
	struct ldir_conn_table *ct = &ln->conns;
	struct ldir_link *l = cp->link;

	hlist_del_rcu(&cp->hnode[LDIR_DIR_ORIG]);
	if (hlist_empty(bucket_head(ct, LDIR_DIR_ORIG, b0)))
		clear_bit(b0, ct->used);
	hlist_del_rcu(&cp->hnode[LDIR_DIR_REPLY]);
	set_bit(LDIR_CONN_B_DEAD, &cp->flags);
	if (test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags) &&
	    !test_bit(LDIR_CONN_B_PEER, &cp->flags))
		ldir_sync_conn(ln, cp, true);
	/* pairs with conn_set_active(): one of us sees the other's bit */
	smp_mb__after_atomic();
	if (test_and_clear_bit(LDIR_CONN_B_ACTIVE, &cp->flags))
		active_dec(cp);
	if (test_and_clear_bit(LDIR_CONN_B_UNANSWERED, &cp->flags))
		atomic_dec(&cp->real->unanswered);
	conn_embryonic_clear(ln, cp);
	atomic_dec(&l->conns);
	atomic_dec(&cp->real->conns);
	atomic_dec(&l->virt->conns);
	atomic_dec(&ln->conns.count);
	ldir_afilter_del(&ln->conn_filter, &cp->real->addr);
	/* the real's load went down: the ordered schemes must hear of it */
	conntab_ops->load_down(cp->real);
	call_rcu(&cp->rcu, conn_free_rcu);
}

/* Removes @cp unless someone else already did; returns true if this call
 * did. The caller found @cp under rcu_read_lock() and still holds it.
 */
bool ldir_conn_kill(struct ldir_net *ln, struct ldir_conn *cp)
{
	struct ldir_conn_table *ct = &ln->conns;
	u32 b0 = conn_bucket(ct, cp, LDIR_DIR_ORIG);
	u32 b1 = conn_bucket(ct, cp, LDIR_DIR_REPLY);
	bool killed = false;

	lock_pair(ct, b0, b1);
	if (!test_bit(LDIR_CONN_B_DEAD, &cp->flags)) {
		conn_unhash(ln, cp, b0);
		killed = true;
	}
	unlock_pair(ct, b0, b1);
	return killed;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_kill);

/* TCP as the director sees it, both directions (enum ldir_conn_state). */
u8 ldir_tcp_next_state(u8 state, int dir, bool syn, bool ack, bool fin,
		       bool rst)
{
	if (rst)
		return LDIR_CONN_S_CLOSE;
	switch (state) {
	case LDIR_CONN_S_NONE:
		/* adopted mid-flow: the real's answer shows the flow is
		 * its, not made up by whoever sent the first segment
		 */
		if (dir == LDIR_DIR_REPLY && ack && !syn && !fin)
			return LDIR_CONN_S_ESTABLISHED;
		fallthrough;
	case LDIR_CONN_S_SYN_SENT:
		if (dir == LDIR_DIR_REPLY && syn && ack)
			return LDIR_CONN_S_SYN_RECV;
		if (dir == LDIR_DIR_ORIG && syn && !ack)
			return LDIR_CONN_S_SYN_SENT;
		if (fin)
			return LDIR_CONN_S_FIN_WAIT;
		return state;
	case LDIR_CONN_S_SYN_RECV:
		if (fin)
			return LDIR_CONN_S_FIN_WAIT;
		if (dir == LDIR_DIR_ORIG && ack && !syn)
			return LDIR_CONN_S_ESTABLISHED;
		return state;
	case LDIR_CONN_S_ESTABLISHED:
		return fin ? LDIR_CONN_S_FIN_WAIT : state;
	case LDIR_CONN_S_FIN_WAIT:
		return fin ? LDIR_CONN_S_TIME_WAIT : state;
	case LDIR_CONN_S_TIME_WAIT:
	case LDIR_CONN_S_CLOSE:
		/* a SYN reusing the port is a new conn: the hook kills this
		 * one before it gets here
		 */
		return state;
	}
	return state;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_tcp_next_state);

/* What a state change tells about the real: a SYN-ACK
 * answers the SYN.
 */
static void conn_syn_events(struct ldir_net *ln, struct ldir_conn *cp, u8 new)
{
	if (new == LDIR_CONN_S_SYN_RECV &&
	    test_and_clear_bit(LDIR_CONN_B_UNANSWERED, &cp->flags)) {
		atomic_dec(&cp->real->unanswered);
		ldir_real_answered(ln, cp->real);
	}
}

/* Response time: the multipurpose timer starts at
 * the client's SYN, moves to the client's first data packet (interval
 * 460 instead of 452), and the real's first data packet ends it: one R
 * sample per conn. Called for packets that carry data while
 * LDIR_CONN_B_TIMING is set.
 */
void ldir_conn_timing(struct ldir_net *ln, struct ldir_conn *cp, int dir)
{
	u64 now;

	/* the clock only when the timer moves: a flow the real never
	 * answers (one-way UDP) passes here with every packet
	 */
	if (dir == LDIR_DIR_ORIG) {
		if (!test_bit(LDIR_CONN_B_CDATA, &cp->flags) &&
		    !test_and_set_bit(LDIR_CONN_B_CDATA, &cp->flags))
			WRITE_ONCE(cp->tstamp, (u32)ldir_now_us());
		return;
	}
	if (test_and_clear_bit(LDIR_CONN_B_TIMING, &cp->flags)) {
		now = ldir_now_us();
		if (ldir_real_sample(cp->real,
				     (u32)now - READ_ONCE(cp->tstamp), now,
				     READ_ONCE(ln->pr_clamp_pct)))
			conntab_ops->load_down(cp->real);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_timing);

/* Does the director know what @dir sends next? */
static bool seq_known(const struct ldir_conn *cp, int dir)
{
	bool known = test_bit(LDIR_CONN_B_SEQ + dir, &cp->flags);

	/* pairs with smp_mb__before_atomic() in seq_track() */
	smp_rmb();
	return known;
}

/* Could a segment from @dir be its sender's? Its sequence number is near
 * what that side sends next (a retransmission goes back, data lost before
 * the director goes ahead, by what is in flight), and its acknowledgment
 * near what the other side sends next. A blind attacker knows neither: a
 * random segment passes with a chance of (2 * 2^22 / 2^32)^2 = 2^-18.
 */
static bool seg_plausible(const struct ldir_conn *cp, int dir,
			  const struct tcphdr *th)
{
	int odir = !dir;

	if (!ldir_seq_near(ntohl(th->seq), READ_ONCE(cp->seq_next[dir])))
		return false;
	return !th->ack || !seq_known(cp, odir) ||
	       ldir_seq_near(ntohl(th->ack_seq), READ_ONCE(cp->seq_next[odir]));
}

/* The first segment the director vouches for from @dir: the client's SYN,
 * or the real's SYN-ACK that acknowledges it (and at most a packet of
 * data the client put in it, TCP Fast Open).
 */
static bool seq_first(const struct ldir_conn *cp, int dir,
		      const struct tcphdr *th)
{
	if (!th->syn)
		return false;
	if (dir == LDIR_DIR_ORIG)
		return !th->ack;
	return th->ack && seq_known(cp, LDIR_DIR_ORIG) &&
	       ntohl(th->ack_seq) - READ_ONCE(cp->seq_next[LDIR_DIR_ORIG]) <=
	       U16_MAX;
}

/* RFC 5961 3.2 without the challenge ACK, which only an endpoint can
 * send: an RST from @dir is taken only at exactly the sequence number
 * that side sends next, which its own stack puts there (the next byte
 * after what it sent, or what the peer acknowledged when it answers a
 * segment for a socket it no longer has). Before the real's first
 * segment, the real's RST must acknowledge the client's SYN (RFC 9293
 * 3.10.7.3). A conn whose opening the director did not see takes any.
 */
static bool rst_acceptable(const struct ldir_conn *cp, int dir,
			   const struct tcphdr *th)
{
	if (seq_known(cp, dir))
		return ntohl(th->seq) == READ_ONCE(cp->seq_next[dir]);
	if (dir == LDIR_DIR_REPLY && seq_known(cp, LDIR_DIR_ORIG))
		return th->ack && ntohl(th->ack_seq) ==
				  READ_ONCE(cp->seq_next[LDIR_DIR_ORIG]);
	return true;
}

/* The real's first answer to a flow adopted without its handshake
 * (LDIR_CONN_S_NONE): an ACK, which gives both sides' numbers.
 */
static bool seq_adopt(const struct ldir_conn *cp, int dir,
		      const struct tcphdr *th)
{
	return dir == LDIR_DIR_REPLY && th->ack && !th->syn &&
	       READ_ONCE(cp->state) == LDIR_CONN_S_NONE &&
	       !seq_known(cp, LDIR_DIR_ORIG);
}

/* Follows the sequence numbers of a TCP segment from @dir with @payload
 * bytes of data. Returns false for an RST the conn must not take (it is
 * forwarded all the same: the endpoint judges it against its own window);
 * *@fin says whether the state may take the segment's FIN. Lockless: two
 * CPUs racing on one direction at worst leave the smaller of two ends.
 */
static bool seq_track(struct ldir_net *ln, struct ldir_conn *cp, int dir,
		      const struct tcphdr *th, unsigned int payload, bool *fin)
{
	u32 end;

	*fin = false;
	if (unlikely(th->rst)) {
		if (rst_acceptable(cp, dir, th))
			return true;
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_RST_IGNORED);
		return false;
	}
	end = ntohl(th->seq) + payload + th->syn + th->fin;
	if (unlikely(!seq_known(cp, dir))) {
		if (seq_adopt(cp, dir, th)) {
			/* the real vouches for both sides of an adopted
			 * flow: where it is, and what it has of the client
			 */
			WRITE_ONCE(cp->seq_next[LDIR_DIR_REPLY], end);
			WRITE_ONCE(cp->seq_next[LDIR_DIR_ORIG],
				   ntohl(th->ack_seq));
			/* the values before the bits: pairs with seq_known() */
			smp_mb__before_atomic();
			set_bit(LDIR_CONN_B_SEQ_REPLY, &cp->flags);
			set_bit(LDIR_CONN_B_SEQ, &cp->flags);
			*fin = th->fin;
			return true;
		}
		if (!seq_first(cp, dir, th)) {
			/* a conn whose opening the director did not see:
			 * its FINs count as they come
			 */
			if (!seq_known(cp, LDIR_DIR_ORIG))
				*fin = th->fin;
			return true;
		}
		/* Fast Open data in the SYN is left to the client's next
		 * segment: the real may not have taken it
		 */
		if (th->syn && dir == LDIR_DIR_ORIG)
			end = ntohl(th->seq) + 1;
		WRITE_ONCE(cp->seq_next[dir], end);
		/* the value before the bit: pairs with seq_known() */
		smp_mb__before_atomic();
		set_bit(LDIR_CONN_B_SEQ + dir, &cp->flags);
		*fin = th->fin;
		return true;
	}
	if (!seg_plausible(cp, dir, th))
		return true;
	*fin = th->fin;
	if ((s32)(end - READ_ONCE(cp->seq_next[dir])) > 0)
		WRITE_ONCE(cp->seq_next[dir], end);
	return true;
}

/* Conn sync: is @cp's change to @new one to send to the peers? The
 * conn is confirmed when it becomes established, or when the real first
 * answers a UDP flow; from then on every state change is sent. Nothing
 * embryonic ever is. Marks the conn confirmed.
 */
static __always_inline bool sync_change(struct ldir_conn *cp, int dir,
					u8 old, u8 new)
{
	if (new == LDIR_CONN_S_UDP)
		return dir == LDIR_DIR_REPLY &&
		       !test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags) &&
		       !test_and_set_bit(LDIR_CONN_B_CONFIRMED, &cp->flags);
	if (new == old)
		return false;
	if (new == LDIR_CONN_S_ESTABLISHED &&
	    !test_and_set_bit(LDIR_CONN_B_CONFIRMED, &cp->flags))
		return true;
	return test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags);
}

/* Conn sync: @cp, confirmed and still alive, refreshed its expiry: send
 * it again once half its lifetime ran down since it was last sent, so
 * that a peer's copy lives as long as the flow. The stamp is claimed with
 * cmpxchg: one CPU sends.
 */
static bool sync_refresh(struct ldir_conn *cp, u32 timeout)
{
	u32 now = (u32)jiffies, last = READ_ONCE(cp->syn_stamp);

	return now - last >= timeout / 2 &&
	       test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags) &&
	       cmpxchg(&cp->syn_stamp, last, now) == last;
}

/* Moves @cp on for a packet: TCP state, active accounting and expiry.
 * Lockless: a state change is claimed with cmpxchg, so exactly one CPU
 * accounts for it; an established flow only refreshes its expiry. An RST
 * or FIN that the sequence numbers do not vouch for changes nothing.
 */
void ldir_conn_update_state(struct ldir_net *ln, struct ldir_conn *cp,
			    int dir, const struct tcphdr *th,
			    unsigned int payload)
{
	u8 old = READ_ONCE(cp->state), new = old;
	u32 timeout, expires;
	bool sync = false;

	/* a conn a peer sent is this director's from its first packet */
	if (unlikely(test_bit(LDIR_CONN_B_PEER, &cp->flags)))
		clear_bit(LDIR_CONN_B_PEER, &cp->flags);
	if (th) {
		bool fin;

		if (!seq_track(ln, cp, dir, th, payload, &fin))
			return;
		new = ldir_tcp_next_state(old, dir, th->syn, th->ack, fin,
					  th->rst);
		if (new != old) {
			if (cmpxchg(&cp->state, old, new) != old)
				return;	/* another CPU moved it: it accounts */
			conn_set_active(cp, state_active(new));
			conn_syn_events(ln, cp, new);
			if (!state_embryonic(new))
				conn_embryonic_clear(ln, cp);
			sync = sync_change(cp, dir, old, new);
		}
	} else if (unlikely(!test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags))) {
		sync = sync_change(cp, dir, old, new);
	}
	timeout = READ_ONCE(ln->timeout[new]);
	if (new == LDIR_CONN_S_ESTABLISHED || new == LDIR_CONN_S_UDP)
		timeout = READ_ONCE(cp->real->idle_timeout) ?: timeout;
	else if (state_embryonic(new) && ldir_conn_pressure(ln))
		timeout = min(timeout, READ_ONCE(ln->timeout_syn_pressure));
	expires = (u32)(jiffies + timeout);
	/* one store per jiffy at most, not per packet */
	if (READ_ONCE(cp->expires) != expires) {
		WRITE_ONCE(cp->expires, expires);
		if (!sync && !state_embryonic(new))
			sync = sync_refresh(cp, timeout);
	}
	if (unlikely(sync)) {
		/* the SYN stamp is done with: it dates the last record */
		WRITE_ONCE(cp->syn_stamp, (u32)jiffies);
		ldir_sync_conn(ln, cp, false);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_update_state);

/* ldir_conn_refresh(): @cp's expiry moved on by @timeout; the sync
 * refresh, if it is due. Once a jiffy at most per conn.
 */
void ldir_conn_refresh_sync(struct ldir_net *ln, struct ldir_conn *cp,
			    u32 timeout)
{
	if (sync_refresh(cp, timeout)) {
		WRITE_ONCE(cp->syn_stamp, (u32)jiffies);
		ldir_sync_conn(ln, cp, false);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_refresh_sync);

/* A peer director's record for @cp, the conn of the same flow to the same
 * real here: its state and lifetime are taken, and it is the peer's again
 * until a packet of it passes here (nothing of it is sent back).
 * Process context, under rcu_read_lock().
 */
void ldir_conn_peer_update(struct ldir_net *ln, struct ldir_conn *cp,
			   u8 state, u32 timeout)
{
	u8 old = READ_ONCE(cp->state);

	local_bh_disable();
	set_bit(LDIR_CONN_B_PEER, &cp->flags);
	set_bit(LDIR_CONN_B_CONFIRMED, &cp->flags);
	if (old != state && cmpxchg(&cp->state, old, state) == old) {
		conn_set_active(cp, state_active(state));
		conn_embryonic_clear(ln, cp);
		/* the peer saw the real answer */
		if (test_and_clear_bit(LDIR_CONN_B_UNANSWERED, &cp->flags))
			atomic_dec(&cp->real->unanswered);
		clear_bit(LDIR_CONN_B_TIMING, &cp->flags);
	}
	WRITE_ONCE(cp->expires, (u32)(jiffies + timeout));
	local_bh_enable();
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_peer_update);

/* Kills the conns of the ORIG buckets [@from, @to) that @match picks and
 * returns how many. Each kill happens inside the RCU read-side section
 * that found the conn: ldir_conn_kill() takes the bucket locks and
 * re-checks LDIR_CONN_B_DEAD, so a conn that a packet, another flush or
 * the GC unhashed first is left alone, and none is freed before
 * rcu_read_unlock(). hlist_del_rcu() keeps the killed conn's next
 * pointer, so the walk goes on from it. Process context.
 */
static unsigned int conn_kill_range(struct ldir_net *ln, unsigned int from,
				    unsigned int to, ldir_conn_match_t match,
				    const void *arg)
{
	struct ldir_conn_table *ct = &ln->conns;
	unsigned int b, killed = 0;
	struct ldir_conn *cp;

	for (b = find_next_bit(ct->used, to, from); b < to;
	     b = find_next_bit(ct->used, to, b + 1)) {
		rcu_read_lock();
		hlist_for_each_entry_rcu(cp, bucket_head(ct, LDIR_DIR_ORIG, b),
					 hnode[LDIR_DIR_ORIG]) {
			if (test_bit(LDIR_CONN_B_DEAD, &cp->flags) ||
			    !match(cp, arg))
				continue;
			if (ldir_conn_kill(ln, cp))
				killed++;
		}
		rcu_read_unlock();
		cond_resched();
	}
	return killed;
}

struct flush_arg {
	const struct ldir_link *link;
	const struct ldir_virtual *virt;
	const struct ldir_real *real;
};

/* A conn goes with its link; with the virtual the client addressed, also
 * when that virtual's backup serves it; and with the real it was sent
 * to, also as another real's backup, or whose link it came through.
 * Pointers are only compared, never followed.
 */
static bool flush_match(const struct ldir_conn *cp, const void *arg)
{
	const struct flush_arg *f = arg;

	if (f->link && cp->link != f->link)
		return false;
	if (f->virt && cp->link->virt != f->virt &&
	    READ_ONCE(cp->virt) != f->virt)
		return false;
	if (f->real && cp->real != f->real && cp->link->real != f->real)
		return false;
	return true;
}

/* Removes the conns @match picks. Returns how many went. Under ln->lock:
 * what @arg points to cannot be reused for a new object meanwhile.
 */
unsigned int ldir_conn_flush_match(struct ldir_net *ln, ldir_conn_match_t match,
				   const void *arg)
{
	struct ldir_conn_table *ct = &ln->conns;

	if (!ct->buckets)
		return 0;
	return conn_kill_range(ln, 0, 1U << ct->hash_bits, match, arg);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_flush_match);

/* Removes conns: all of them, or those of @link, @virt or @real (see
 * flush_match()). Returns how many went. Under ln->lock.
 */
unsigned int ldir_conn_flush(struct ldir_net *ln, const struct ldir_link *link,
			     const struct ldir_virtual *virt,
			     const struct ldir_real *real)
{
	struct flush_arg f = { .link = link, .virt = virt, .real = real };

	return ldir_conn_flush_match(ln, flush_match, &f);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_flush);

struct gc_arg {
	unsigned long now;
	u32 now_us;
	u32 pressure_us;	/* 0: not under pressure */
};

/* Expired; or, under SYN pressure, embryonic for longer than the
 * pressure timeout since the SYN, whatever resends refreshed it.
 */
static bool gc_match(const struct ldir_conn *cp, const void *arg)
{
	const struct gc_arg *g = arg;

	if (ldir_conn_expired(cp, g->now))
		return true;
	return g->pressure_us &&
	       test_bit(LDIR_CONN_B_EMBRYONIC, &cp->flags) &&
	       g->now_us - READ_ONCE(cp->tstamp) >= g->pressure_us;
}

/* The GC's walk over the ORIG buckets [@from, @to), conn_kill_range()'s
 * made cheap per conn, because it looks at every conn once a second and
 * at 1M conns that work takes a share of the CPU the packets run on:
 * the test inlined (no indirect call), the used bitmap read a word at a
 * time, one RCU read-side section and one chance to reschedule per word
 * of 64 buckets rather than per bucket, and the expiry read before the
 * DEAD bit. What a kill does is conn_kill_range()'s. Process context.
 */
static unsigned int gc_range(struct ldir_net *ln, unsigned int from,
			     unsigned int to, const struct gc_arg *g)
{
	struct ldir_conn_table *ct = &ln->conns;
	unsigned int w, last, base, killed = 0;
	unsigned long bits;
	struct ldir_conn *cp;

	if (from >= to)
		return 0;
	last = (to - 1) / BITS_PER_LONG;
	for (w = from / BITS_PER_LONG; w <= last; w++) {
		bits = READ_ONCE(ct->used[w]);
		if (w == from / BITS_PER_LONG)
			bits &= BITMAP_FIRST_WORD_MASK(from);
		if (w == last)
			bits &= BITMAP_LAST_WORD_MASK(to);
		if (!bits)
			continue;
		base = w * BITS_PER_LONG;
		rcu_read_lock();
		do {
			hlist_for_each_entry_rcu(cp,
						 bucket_head(ct, LDIR_DIR_ORIG,
							     base + __ffs(bits)),
						 hnode[LDIR_DIR_ORIG]) {
				if (!gc_match(cp, g) ||
				    test_bit(LDIR_CONN_B_DEAD, &cp->flags))
					continue;
				if (ldir_conn_kill(ln, cp))
					killed++;
			}
			bits &= bits - 1;
		} while (bits);
		rcu_read_unlock();
		cond_resched();
	}
	return killed;
}

/* Expires the conns whose time is up in @n buckets from the GC cursor.
 * Returns how many went.
 */
unsigned int ldir_conn_gc_scan(struct ldir_net *ln, unsigned int n)
{
	struct ldir_conn_table *ct = &ln->conns;
	unsigned int nb = 1U << ct->hash_bits, end, expired;
	struct gc_arg g = { .now = jiffies, .now_us = (u32)ldir_now_us() };

	if (ldir_conn_pressure(ln))
		g.pressure_us = jiffies_to_usecs(READ_ONCE(ln->timeout_syn_pressure));
	n = min(n, nb);
	end = ct->gc_next + n;
	expired = gc_range(ln, ct->gc_next, min(end, nb), &g);
	if (end > nb)
		expired += gc_range(ln, 0, end - nb, &g);
	ct->gc_next = end & (nb - 1);
	local_bh_disable();
	if (expired)
		LDIR_STATS_ADD(ln->stats, LDIR_STATS_A_CONNS_EXPIRED, expired);
	/* pressure ends here when no SYN comes any more */
	conn_pressure_update(ln);
	local_bh_enable();
	return expired;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_gc_scan);

static void conn_gc(struct work_struct *work)
{
	struct ldir_conn_table *ct = container_of(to_delayed_work(work),
						   struct ldir_conn_table,
						   gc_work);
	struct ldir_net *ln = container_of(ct, struct ldir_net, conns);

	if (atomic_read(&ct->count)) {
		ldir_conn_gc_scan(ln, DIV_ROUND_UP(1U << ct->hash_bits,
						   GC_SLICES));
	} else if (ldir_conn_pressure(ln)) {
		local_bh_disable();
		conn_pressure_update(ln);
		local_bh_enable();
	}
	queue_delayed_work(system_power_efficient_wq, &ct->gc_work,
			   GC_INTERVAL);
}

/* Calls @fn on every conn in the table, of both families, under RCU a
 * bucket at a time (the conn may be dying; @fn must not sleep), with a
 * chance to reschedule between buckets. A conn inserted meanwhile may be
 * missed. Process context.
 */
void ldir_conn_for_each(struct ldir_net *ln,
			void (*fn)(struct ldir_conn *cp, void *arg), void *arg)
{
	struct ldir_conn_table *ct = &ln->conns;
	unsigned int b, nb = 1U << ct->hash_bits;
	struct ldir_conn *cp;

	/* pairs with smp_store_release() in ldir_conn_table_alloc() */
	if (!smp_load_acquire(&ct->buckets))
		return;
	for (b = find_first_bit(ct->used, nb); b < nb;
	     b = find_next_bit(ct->used, nb, b + 1)) {
		rcu_read_lock();
		hlist_for_each_entry_rcu(cp, bucket_head(ct, LDIR_DIR_ORIG, b),
					 hnode[LDIR_DIR_ORIG])
			fn(cp, arg);
		rcu_read_unlock();
		cond_resched();
	}
}

struct ldir_conn *ldir_conn_dump_next(struct ldir_net *ln,
				      unsigned int *bucket, unsigned int *idx)
{
	struct ldir_conn_table *ct = &ln->conns;
	struct ldir_conn *cp;

	/* dumps take no config lock: pairs with smp_store_release() in
	 * ldir_conn_table_alloc()
	 */
	if (!smp_load_acquire(&ct->buckets))
		return NULL;
	for (; *bucket < (1U << ct->hash_bits); (*bucket)++, *idx = 0) {
		unsigned int i = 0;

		hlist_for_each_entry_rcu(cp,
					 bucket_head(ct, LDIR_DIR_ORIG, *bucket),
					 hnode[LDIR_DIR_ORIG])
			if (i++ == *idx) {
				(*idx)++;
				return cp;
			}
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_conn_dump_next);

/* The buckets come with the first virtual, not with the netns: a host
 * with many namespaces pays only for those that balance.
 */
int ldir_conn_table_alloc(struct ldir_net *ln)
{
	struct ldir_conn_table *ct = &ln->conns;
	struct hlist_head *buckets;
	unsigned int i, nlocks;

	lockdep_assert_held(&ln->lock);
	if (ct->buckets)
		return 0;
	nlocks = min(1U << ct->hash_bits, 1024U);
	ct->locks = kcalloc(nlocks, sizeof(*ct->locks), GFP_KERNEL_ACCOUNT);
	if (!ct->locks)
		return -ENOMEM;
	for (i = 0; i < nlocks; i++)
		spin_lock_init(&ct->locks[i]);
	ct->lock_mask = nlocks - 1;
	buckets = kvcalloc(LDIR_DIR_MAX << ct->hash_bits, sizeof(*buckets),
			   GFP_KERNEL_ACCOUNT);
	ct->used = kvcalloc(BITS_TO_LONGS(1U << ct->hash_bits),
			    sizeof(unsigned long), GFP_KERNEL_ACCOUNT);
	if (!buckets || !ct->used) {
		kvfree(buckets);
		kvfree(ct->used);
		ct->used = NULL;
		kfree(ct->locks);
		ct->locks = NULL;
		return -ENOMEM;
	}
	/* a dump sees initialised buckets or none */
	smp_store_release(&ct->buckets, buckets);
	queue_delayed_work(system_power_efficient_wq, &ct->gc_work,
			   GC_INTERVAL);
	return 0;
}

void ldir_conn_table_init(struct ldir_net *ln)
{
	struct ldir_conn_table *ct = &ln->conns;

	ct->hash_bits = clamp(conn_hash_bits, 8U, 24U);
	get_random_bytes(&ct->key, sizeof(ct->key));
	atomic_set(&ct->count, 0);
	atomic_set(&ct->embryonic, 0);
	ct->pressure = 0;
	INIT_DELAYED_WORK(&ct->gc_work, conn_gc);
}

void ldir_conn_table_uninit(struct ldir_net *ln)
{
	struct ldir_conn_table *ct = &ln->conns;

	cancel_delayed_work_sync(&ct->gc_work);
	/* the table is empty: the netns flushed it and no hook runs */
	WARN_ON(atomic_read(&ct->count));
	kfree(ct->locks);
	kvfree(ct->buckets);
	kvfree(ct->used);
}

int ldir_conn_cache_init(void)
{
	/* at most 128 bytes of kernel memory per live IPv4 conn, 160 per
	 * IPv6 one; a chain miss on the ports reads the first line only
	 */
	BUILD_BUG_ON(IS_ENABLED(CONFIG_64BIT) && LDIR_CONN4_SIZE > 128);
	BUILD_BUG_ON(IS_ENABLED(CONFIG_64BIT) && sizeof(struct ldir_conn) > 160);
	BUILD_BUG_ON(IS_ENABLED(CONFIG_64BIT) &&
		     offsetofend(struct ldir_conn, virt) > 64);
	conn_cachep4 = kmem_cache_create("ldir_conn", LDIR_CONN4_SIZE, 0,
					 SLAB_ACCOUNT | SLAB_HWCACHE_ALIGN,
					 NULL);
	if (!conn_cachep4)
		return -ENOMEM;
	/* 160 bytes on 8-byte boundaries, not rounded up to three lines */
	conn_cachep6 = kmem_cache_create("ldir_conn6", sizeof(struct ldir_conn),
					 0, SLAB_ACCOUNT, NULL);
	if (!conn_cachep6) {
		kmem_cache_destroy(conn_cachep4);
		return -ENOMEM;
	}
	return 0;
}

void ldir_conn_cache_uninit(void)
{
	/* conns, links and objects are freed by RCU callbacks of ours: a
	 * conn's callback queues its link's, whose callback queues its
	 * real's, so wait for all three generations before the code goes
	 */
	rcu_barrier();
	rcu_barrier();
	rcu_barrier();
	kmem_cache_destroy(conn_cachep6);
	kmem_cache_destroy(conn_cachep4);
}
