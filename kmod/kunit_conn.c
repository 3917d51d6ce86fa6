// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the conn table of init_net: insert and
 * lookup both ways, TCP states and active counts, expiry, the bound, flush.
 */
#include <linux/bottom_half.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <kunit/test.h>

#include "conntab.h"
#include "model.h"
#include "select.h"
#include "health.h"
#include "sync.h"
#include "kunit.h"

#define IP4(a, b, c, d)	cpu_to_be32((a) << 24 | (b) << 16 | (c) << 8 | (d))
#define VIP		IP4(192, 0, 2, 1)
#define VIP2		IP4(192, 0, 2, 2)
#define RIP		IP4(198, 51, 100, 11)
#define RIP2		IP4(198, 51, 100, 12)
#define CIP		IP4(203, 0, 113, 7)
#define CIP2		IP4(203, 0, 113, 8)

#define CONN_OBJS	4
#define CONN_MANY	1024

/* The suite works in init_net's table, with a TCP virtual VIP:80 linked
 * to the real RIP on port 8080, and stops its GC worker: a conn then goes
 * only when a test removes it, so the test may use it without RCU.
 */
struct conn_fx {
	struct ldir_net *ln;
	struct ldir_virtual *v[CONN_OBJS];
	struct ldir_real *r[CONN_OBJS];
	struct ldir_link *l;
	bool gc_stopped;
	u32 conn_max;
	u32 embryonic_max;
	u32 timeout_syn_pressure;
	u32 timeout[__LDIR_CONN_S_MAX];
	int count;			/* conns in the table before the test */
	u32 seq[LDIR_DIR_MAX];		/* what tcp_pkt() sends next each way */
	u64 stats[__LDIR_STATS_A_MAX];
};

static union nf_inet_addr ip4(__be32 a)
{
	union nf_inet_addr u = { .ip = a };

	return u;
}

static struct ldir_tuple tuple(u8 proto, __be32 s, u16 sport, __be32 d,
			       u16 dport)
{
	struct ldir_tuple t = {
		.saddr.ip = s, .sport = htons(sport),
		.daddr.ip = d, .dport = htons(dport),
		.protocol = proto, .family = AF_INET,
	};

	return t;
}

static struct ldir_virtual *fx_virtual_af(struct kunit *test, u8 family,
					  const union nf_inet_addr *a,
					  u16 port, u8 proto)
{
	struct conn_fx *fx = test->priv;
	struct ldir_virtual *v;
	int i;

	for (i = 0; i < CONN_OBJS && fx->v[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, CONN_OBJS);
	mutex_lock(&fx->ln->lock);
	v = ldir_virtual_create(fx->ln, family, a, htons(port), proto, 0, 0,
				ldir_sched_find("rr"));
	if (!IS_ERR(v))
		fx->v[i] = v;
	mutex_unlock(&fx->ln->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v);
	return v;
}

static struct ldir_virtual *fx_virtual(struct kunit *test, __be32 addr,
				       u16 port, u8 proto)
{
	union nf_inet_addr a = ip4(addr);

	return fx_virtual_af(test, AF_INET, &a, port, proto);
}

static struct ldir_real *fx_real_af(struct kunit *test, u8 family,
				    const union nf_inet_addr *a)
{
	struct conn_fx *fx = test->priv;
	struct ldir_real *r;
	int i;

	for (i = 0; i < CONN_OBJS && fx->r[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, CONN_OBJS);
	mutex_lock(&fx->ln->lock);
	r = ldir_real_create(fx->ln, family, a, 0);
	if (!IS_ERR(r))
		fx->r[i] = r;
	mutex_unlock(&fx->ln->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	return r;
}

static struct ldir_real *fx_real(struct kunit *test, __be32 addr)
{
	union nf_inet_addr a = ip4(addr);

	return fx_real_af(test, AF_INET, &a);
}

/* The link goes with its virtual or real, in exit. */
static struct ldir_link *fx_link(struct kunit *test, struct ldir_virtual *v,
				 struct ldir_real *r, u16 port)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l;

	mutex_lock(&fx->ln->lock);
	l = ldir_link_create(fx->ln, v, r, htons(port));
	mutex_unlock(&fx->ln->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l);
	return l;
}

/* The instance's counters as netlink reports them: the global ones and
 * the sums over its objects.
 */
static void net_stats(struct ldir_net *ln, u64 *cnt)
{
	u64 sum[LDIR_OS_MAX] = {};

	ldir_stats_sum(ln->stats, cnt);
	mutex_lock(&ln->lock);
	ldir_net_totals(ln, sum);
	mutex_unlock(&ln->lock);
	ldir_totals_to_attrs(sum, cnt);
}

static void virtual_stats(struct ldir_net *ln, struct ldir_virtual *v,
			  u64 *cnt)
{
	u64 sum[LDIR_OS_MAX] = {};

	memset(cnt, 0, sizeof(u64) * __LDIR_STATS_A_MAX);
	mutex_lock(&ln->lock);
	ldir_virtual_totals(v, sum);
	mutex_unlock(&ln->lock);
	ldir_totals_to_attrs(sum, cnt);
}

static int conn_init(struct kunit *test)
{
	struct ldir_net *ln = ldir_net_create(&init_net);
	struct conn_fx *fx;
	int s;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx || !ln)
		return -ENOMEM;
	fx->ln = ln;
	fx->seq[LDIR_DIR_ORIG] = 1000;
	fx->seq[LDIR_DIR_REPLY] = 500000;
	test->priv = fx;

	cancel_delayed_work_sync(&ln->conns.gc_work);
	fx->gc_stopped = true;
	mutex_lock(&ln->lock);
	fx->conn_max = ln->conn_max;
	fx->embryonic_max = ln->embryonic_max;
	fx->timeout_syn_pressure = ln->timeout_syn_pressure;
	/* no SYN pressure left from an earlier test */
	WRITE_ONCE(ln->conns.pressure, 0);
	memcpy(fx->timeout, ln->timeout, sizeof(fx->timeout));
	/* distinct timeouts: a conn's expiry tells which one it got */
	for (s = 0; s < __LDIR_CONN_S_MAX; s++)
		WRITE_ONCE(ln->timeout[s], (100 + 10 * s) * HZ);
	mutex_unlock(&ln->lock);
	fx->count = atomic_read(&ln->conns.count);
	net_stats(ln, fx->stats);
	return 0;
}

static void conn_exit(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_net *ln;
	int i;

	if (!fx)
		return;
	ln = fx->ln;
	mutex_lock(&ln->lock);
	/* a virtual takes its conns and links with it */
	for (i = 0; i < CONN_OBJS; i++)
		if (fx->v[i])
			ldir_virtual_destroy(ln, fx->v[i]);
	for (i = 0; i < CONN_OBJS; i++)
		if (fx->r[i])
			ldir_real_destroy(ln, fx->r[i]);
	WRITE_ONCE(ln->conn_max, fx->conn_max);
	WRITE_ONCE(ln->embryonic_max, fx->embryonic_max);
	WRITE_ONCE(ln->timeout_syn_pressure, fx->timeout_syn_pressure);
	WRITE_ONCE(ln->conns.pressure, 0);
	for (i = 0; i < __LDIR_CONN_S_MAX; i++)
		WRITE_ONCE(ln->timeout[i], fx->timeout[i]);
	mutex_unlock(&ln->lock);
	/* conns go in RCU callbacks, which put their links: a link's own
	 * callback is posted by its last conn's, hence the second barrier
	 */
	rcu_barrier();
	rcu_barrier();
	if (fx->gc_stopped)
		queue_delayed_work(system_power_efficient_wq,
				   &ln->conns.gc_work, HZ / 10);
}

/* The base objects: VIP:80 -> RIP:8080, rr. */
static struct ldir_link *fx_base(struct kunit *test)
{
	return fx_link(test, fx_virtual(test, VIP, 80, IPPROTO_TCP),
		       fx_real(test, RIP), 8080);
}

/* As the packet path calls it: softirq-like, under RCU. */
static struct ldir_conn *conn_new(struct kunit *test,
				  const struct ldir_tuple *t,
				  struct ldir_link *l, u16 rport, u8 state)
{
	struct conn_fx *fx = test->priv;
	struct ldir_conn *cp;

	local_bh_disable();
	rcu_read_lock();
	cp = ldir_conn_create(fx->ln, t, l, NULL, htons(rport), state);
	rcu_read_unlock();
	local_bh_enable();
	return cp;
}

static struct ldir_conn *lookup(struct kunit *test, const struct ldir_tuple *t,
				int dir)
{
	struct conn_fx *fx = test->priv;
	struct ldir_conn *cp;

	rcu_read_lock();
	cp = ldir_conn_lookup_rcu(fx->ln, t, dir);
	rcu_read_unlock();
	return cp;
}

/* TCP flags as letters: "SA" is SYN ACK. */
static bool has(const char *flags, char f)
{
	return strchr(flags, f);
}

/* A TCP segment of @cp's flow, with @flags, sequence and acknowledgment
 * numbers and @payload bytes of data.
 */
static void tcp_seg(struct kunit *test, struct ldir_conn *cp, int dir,
		    const char *flags, u32 seq, u32 ack, unsigned int payload)
{
	struct conn_fx *fx = test->priv;
	struct tcphdr th = {
		.syn = has(flags, 'S'), .ack = has(flags, 'A'),
		.fin = has(flags, 'F'), .rst = has(flags, 'R'),
		.doff = sizeof(th) / 4,
		.seq = htonl(seq), .ack_seq = htonl(ack),
	};

	local_bh_disable();
	rcu_read_lock();
	ldir_conn_update_state(fx->ln, cp, dir, &th, payload);
	rcu_read_unlock();
	local_bh_enable();
}

/* A TCP packet of @cp's flow, with @flags, from endpoints that play by
 * the rules: each side's sequence numbers follow on (fx->seq).
 */
static void tcp_pkt(struct kunit *test, struct ldir_conn *cp, int dir,
		    const char *flags)
{
	struct conn_fx *fx = test->priv;
	u32 seq = fx->seq[dir];

	fx->seq[dir] += has(flags, 'S') + has(flags, 'F');
	tcp_seg(test, cp, dir, flags, seq, fx->seq[!dir], 0);
}

static unsigned int gc_all(struct kunit *test)
{
	struct conn_fx *fx = test->priv;

	return ldir_conn_gc_scan(fx->ln, 1U << fx->ln->conns.hash_bits);
}

static u64 stat_delta(struct kunit *test, int i)
{
	struct conn_fx *fx = test->priv;
	u64 now[__LDIR_STATS_A_MAX];

	net_stats(fx->ln, now);
	return now[i] - fx->stats[i];
}

static int table_delta(struct kunit *test)
{
	struct conn_fx *fx = test->priv;

	return atomic_read(&fx->ln->conns.count) - fx->count;
}

/* Jiffies until @cp expires; the timeouts are whole seconds apart. */
static long expires_in(const struct ldir_conn *cp)
{
	return (s32)(READ_ONCE(cp->expires) - (u32)jiffies);
}

static bool expires_after(struct kunit *test, const struct ldir_conn *cp,
			  u8 state)
{
	struct conn_fx *fx = test->priv;
	long t = READ_ONCE(fx->ln->timeout[state]), left = expires_in(cp);

	return left <= t && left > t - HZ;
}

static void conn_insert_lookup(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple r = tuple(IPPROTO_TCP, RIP, 8080, CIP, 40000);
	struct ldir_tuple bad;
	struct ldir_conn *cp;

	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);

	KUNIT_EXPECT_PTR_EQ(test, cp->link, l);
	KUNIT_EXPECT_EQ(test, ntohl(cp->caddr.ip), ntohl(CIP));
	KUNIT_EXPECT_EQ(test, ntohl(cp->vaddr.ip), ntohl(VIP));
	KUNIT_EXPECT_EQ(test, ntohl(cp->raddr.ip), ntohl(RIP));
	KUNIT_EXPECT_EQ(test, ntohs(cp->cport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(cp->vport), 80);
	KUNIT_EXPECT_EQ(test, ntohs(cp->rport), 8080);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_TRUE(test, expires_after(test, cp, LDIR_CONN_S_SYN_SENT));

	/* found both ways, each only its own way */
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &r, LDIR_DIR_REPLY), cp);
	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_REPLY));
	KUNIT_EXPECT_NULL(test, lookup(test, &r, LDIR_DIR_ORIG));

	/* and by the exact tuple only */
	bad = t;
	bad.sport = htons(40001);
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));
	bad = t;
	bad.dport = htons(81);
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));
	bad = t;
	bad.saddr.ip = IP4(203, 0, 113, 8);
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));
	bad = t;
	bad.protocol = IPPROTO_UDP;
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));
	bad = r;
	bad.sport = htons(80);
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_REPLY));
	bad = r;
	bad.dport = htons(40001);
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_REPLY));

	/* counted once everywhere; the conn holds a link reference */
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 1);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 2);

	/* UDP: active from the start, in its own state */
	t = tuple(IPPROTO_UDP, CIP, 40000, VIP, 80);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);
	r.protocol = IPPROTO_UDP;
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &r, LDIR_DIR_REPLY), cp);
	KUNIT_EXPECT_TRUE(test, expires_after(test, cp, LDIR_CONN_S_UDP));
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 2);
	KUNIT_EXPECT_EQ(test, table_delta(test), 2);
}

/* A retransmitted SYN, or two CPUs racing, find the conn of the flow. */
static void conn_same_flow(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_conn *cp, *again;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	again = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_PTR_EQ(test, again, cp);

	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 1);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 2);
}

/* Two flows must never share a reply tuple: the same client port to
 * another VIP, mapped to the same real:port, is refused.
 */
static void conn_reply_clash(struct kunit *test)
{
	struct ldir_link *l = fx_base(test), *l2;
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40000, VIP2, 80);
	struct ldir_tuple r = tuple(IPPROTO_TCP, RIP, 8080, CIP, 40000);
	struct ldir_conn *cp, *cp2;

	l2 = fx_link(test, fx_virtual(test, VIP2, 80, IPPROTO_TCP), l->real,
		     8080);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	cp2 = conn_new(test, &t2, l2, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(cp2), -EEXIST);
	/* the packet is dropped, and counted */
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_REPLY_CLASH), 1);

	KUNIT_EXPECT_NULL(test, lookup(test, &t2, LDIR_DIR_ORIG));
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &r, LDIR_DIR_REPLY), cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&l2->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l2->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l2->virt->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 1);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&l2->refcnt), 1);

	/* to another port of the real, it is another reply tuple */
	l2 = fx_link(test, fx_virtual(test, VIP2, 81, IPPROTO_TCP), l->real,
		     8081);
	t2.dport = htons(81);
	cp2 = conn_new(test, &t2, l2, 8081, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(cp2));
	KUNIT_EXPECT_EQ(test, table_delta(test), 2);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_REPLY_CLASH), 1);
}

/* A new conn for a link or real whose last reference went (it is freed
 * after a grace period; the packet path found it just before) is
 * refused, and the drop counted.
 */
static void conn_removed(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_conn *cp;
	unsigned int ref;

	ref = refcount_read(&l->refcnt);
	refcount_set(&l->refcnt, 0);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	refcount_set(&l->refcnt, ref);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(cp), -ENOENT);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_REMOVED), 1);

	ref = refcount_read(&l->real->refcnt);
	refcount_set(&l->real->refcnt, 0);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	refcount_set(&l->real->refcnt, ref);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(cp), -ENOENT);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_REMOVED), 2);

	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	KUNIT_EXPECT_EQ(test, table_delta(test), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS), 0);
}

/* A virtual counts every conn through its links, and a deleted link
 * takes nothing away from it.
 */
static void conn_virtual_stats(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_virtual *v = l->virt;
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	u64 cnt[__LDIR_STATS_A_MAX];
	struct ldir_conn *cp;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	t.sport = htons(40001);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	virtual_stats(fx->ln, v, cnt);
	KUNIT_EXPECT_EQ(test, cnt[LDIR_STATS_A_CONNS], 2);

	mutex_lock(&fx->ln->lock);
	ldir_link_unlink(fx->ln, l, true);
	mutex_unlock(&fx->ln->lock);
	rcu_barrier();
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&v->conns), 0);
	virtual_stats(fx->ln, v, cnt);
	KUNIT_EXPECT_EQ(test, cnt[LDIR_STATS_A_CONNS], 2);

	l = fx_link(test, v, fx->r[0], 8081);
	t.sport = htons(40002);
	cp = conn_new(test, &t, l, 8081, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	virtual_stats(fx->ln, v, cnt);
	KUNIT_EXPECT_EQ(test, cnt[LDIR_STATS_A_CONNS], 3);
}

static const char *const state_name[] = {
	[LDIR_CONN_S_NONE] = "none",
	[LDIR_CONN_S_SYN_SENT] = "syn_sent",
	[LDIR_CONN_S_SYN_RECV] = "syn_recv",
	[LDIR_CONN_S_ESTABLISHED] = "established",
	[LDIR_CONN_S_FIN_WAIT] = "fin_wait",
	[LDIR_CONN_S_TIME_WAIT] = "time_wait",
	[LDIR_CONN_S_CLOSE] = "close",
	[LDIR_CONN_S_UDP] = "udp",
};

/* TCP as the director sees it: state, direction and flags -> state. */
static void conn_tcp_states(struct kunit *test)
{
	static const struct {
		u8 from;
		int dir;
		const char *flags;
		u8 to;
	} steps[] = {
		{ LDIR_CONN_S_NONE, LDIR_DIR_ORIG, "S", LDIR_CONN_S_SYN_SENT },
		/* a retransmitted SYN; a SYN-ACK from the client's side */
		{ LDIR_CONN_S_SYN_SENT, LDIR_DIR_ORIG, "S", LDIR_CONN_S_SYN_SENT },
		{ LDIR_CONN_S_SYN_SENT, LDIR_DIR_ORIG, "SA", LDIR_CONN_S_SYN_SENT },
		{ LDIR_CONN_S_SYN_SENT, LDIR_DIR_REPLY, "SA", LDIR_CONN_S_SYN_RECV },
		/* the handshake ends with the client's ACK, not the real's */
		{ LDIR_CONN_S_SYN_RECV, LDIR_DIR_REPLY, "A", LDIR_CONN_S_SYN_RECV },
		{ LDIR_CONN_S_SYN_RECV, LDIR_DIR_ORIG, "A", LDIR_CONN_S_ESTABLISHED },
		{ LDIR_CONN_S_SYN_RECV, LDIR_DIR_REPLY, "FA", LDIR_CONN_S_FIN_WAIT },
		{ LDIR_CONN_S_ESTABLISHED, LDIR_DIR_ORIG, "A", LDIR_CONN_S_ESTABLISHED },
		{ LDIR_CONN_S_ESTABLISHED, LDIR_DIR_REPLY, "A", LDIR_CONN_S_ESTABLISHED },
		{ LDIR_CONN_S_ESTABLISHED, LDIR_DIR_ORIG, "FA", LDIR_CONN_S_FIN_WAIT },
		{ LDIR_CONN_S_ESTABLISHED, LDIR_DIR_REPLY, "FA", LDIR_CONN_S_FIN_WAIT },
		{ LDIR_CONN_S_FIN_WAIT, LDIR_DIR_REPLY, "A", LDIR_CONN_S_FIN_WAIT },
		{ LDIR_CONN_S_FIN_WAIT, LDIR_DIR_REPLY, "FA", LDIR_CONN_S_TIME_WAIT },
		{ LDIR_CONN_S_TIME_WAIT, LDIR_DIR_ORIG, "A", LDIR_CONN_S_TIME_WAIT },
		/* a client reusing its port opens a new conn (the hook kills
		 * this one): a SYN, from either side, does not revive it
		 */
		{ LDIR_CONN_S_TIME_WAIT, LDIR_DIR_ORIG, "S", LDIR_CONN_S_TIME_WAIT },
		{ LDIR_CONN_S_TIME_WAIT, LDIR_DIR_REPLY, "S", LDIR_CONN_S_TIME_WAIT },
		{ LDIR_CONN_S_CLOSE, LDIR_DIR_ORIG, "A", LDIR_CONN_S_CLOSE },
		{ LDIR_CONN_S_CLOSE, LDIR_DIR_ORIG, "S", LDIR_CONN_S_CLOSE },
		/* RST closes from anywhere, either way */
		{ LDIR_CONN_S_SYN_SENT, LDIR_DIR_REPLY, "RA", LDIR_CONN_S_CLOSE },
		{ LDIR_CONN_S_SYN_RECV, LDIR_DIR_ORIG, "R", LDIR_CONN_S_CLOSE },
		{ LDIR_CONN_S_ESTABLISHED, LDIR_DIR_ORIG, "R", LDIR_CONN_S_CLOSE },
		{ LDIR_CONN_S_FIN_WAIT, LDIR_DIR_REPLY, "R", LDIR_CONN_S_CLOSE },
		{ LDIR_CONN_S_TIME_WAIT, LDIR_DIR_REPLY, "R", LDIR_CONN_S_CLOSE },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		const char *f = steps[i].flags;
		u8 to;

		to = ldir_tcp_next_state(steps[i].from, steps[i].dir,
					 has(f, 'S'), has(f, 'A'), has(f, 'F'),
					 has(f, 'R'));
		KUNIT_EXPECT_EQ_MSG(test, to, steps[i].to,
				    "%s, %s from the %s: %s, not %s",
				    state_name[steps[i].from], f,
				    steps[i].dir == LDIR_DIR_ORIG ? "client" :
								    "real",
				    state_name[to], state_name[steps[i].to]);
	}
}

/* A TCP conn's life through ldir_conn_update_state(): its state, the
 * active count (NC) of its link and real, and its expiry, at each packet.
 */
static void conn_tcp_active(struct kunit *test)
{
	static const struct {
		int dir;
		const char *flags;
		u8 state;
		int active;
	} steps[] = {
		{ LDIR_DIR_ORIG, "S", LDIR_CONN_S_SYN_SENT, 1 },
		{ LDIR_DIR_REPLY, "SA", LDIR_CONN_S_SYN_RECV, 1 },
		{ LDIR_DIR_ORIG, "A", LDIR_CONN_S_ESTABLISHED, 1 },
		{ LDIR_DIR_REPLY, "A", LDIR_CONN_S_ESTABLISHED, 1 },
		{ LDIR_DIR_ORIG, "FA", LDIR_CONN_S_FIN_WAIT, 0 },
		{ LDIR_DIR_REPLY, "FA", LDIR_CONN_S_TIME_WAIT, 0 },
		{ LDIR_DIR_ORIG, "A", LDIR_CONN_S_TIME_WAIT, 0 },
		/* port reuse is a new conn: this one stays closed */
		{ LDIR_DIR_ORIG, "S", LDIR_CONN_S_TIME_WAIT, 0 },
		{ LDIR_DIR_REPLY, "RA", LDIR_CONN_S_CLOSE, 0 },
		{ LDIR_DIR_ORIG, "R", LDIR_CONN_S_CLOSE, 0 },
	};
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40001, VIP, 80);
	struct ldir_conn *cp, *other;
	int i;

	/* another live conn on the link: the counts are sums */
	other = conn_new(test, &t2, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, other);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 2);

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		tcp_pkt(test, cp, steps[i].dir, steps[i].flags);
		KUNIT_EXPECT_EQ_MSG(test, cp->state, steps[i].state,
				    "step %d (%s)", i, steps[i].flags);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&l->active),
				    1 + steps[i].active, "step %d", i);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&l->real->active),
				    1 + steps[i].active, "step %d", i);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&l->conns), 2,
				    "step %d", i);
		KUNIT_EXPECT_TRUE_MSG(test,
				      expires_after(test, cp, steps[i].state),
				      "step %d: expires in %ld", i,
				      expires_in(cp));
	}

	/* UDP: no state to move, each packet renews the timeout */
	t = tuple(IPPROTO_UDP, CIP, 40000, VIP, 80);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	WRITE_ONCE(cp->expires, jiffies + 1);
	local_bh_disable();
	rcu_read_lock();
	ldir_conn_update_state(fx->ln, cp, LDIR_DIR_REPLY, NULL, 0);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_UDP);
	KUNIT_EXPECT_TRUE(test, expires_after(test, cp, LDIR_CONN_S_UDP));
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 2);
}

/* Off-path RSTs: only the exact sequence number closes a conn, whatever
 * an attacker who knows the ports sends first; the sequence numbers wrap.
 */
static void conn_rst_seq(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40001, VIP, 80);
	const u32 c = 0xfffffff0, r = 0x7ffffff8;	/* the two ISNs */
	const u32 cn = c + 1 + 100, rn = r + 1 + 1000;	/* after the data */
	struct ldir_conn *cp, *cp2;
	u32 x;
	int i;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "S", c, 0, 0);
	/* before the SYN-ACK, the real's RST must acknowledge the SYN */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "RA", 0, c + 2, 0);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "R", 0, c + 1, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_RST_IGNORED), 2);
	/* a SYN-ACK that does not acknowledge the SYN teaches nothing */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "SA", r + 99, c + 5000000, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_SEQ_REPLY, &cp->flags));
	tcp_seg(test, cp, LDIR_DIR_REPLY, "SA", r, c + 1, 0);
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_SEQ_REPLY, &cp->flags));
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", c + 1, r + 1, 100);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", r + 1, cn, 1000);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_ORIG], cn);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], rn);

	/* random RSTs either way, with and without ACK */
	for (i = 0; i < 1000; i++) {
		x = get_random_u32();
		if (x == cn || x == rn)
			continue;
		tcp_seg(test, cp, i & 1, i & 2 ? "RA" : "R", x,
			get_random_u32(), 0);
	}
	/* in the window, but not exact: the endpoint may challenge it */
	tcp_seg(test, cp, LDIR_DIR_ORIG, "R", cn + 1, 0, 0);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "RA", rn - 1, cn, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_GE(test, stat_delta(test, LDIR_STATS_A_RST_IGNORED), 990);

	/* a spoofed segment far off does not move the expected number, so
	 * an RST after it still misses; nor does a spoofed FIN count
	 */
	x = cn + (1U << 30);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", x, rn, 1000);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "R", x + 1000, 0, 0);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "FA", x, rn, 0);
	/* near in sequence, but acknowledging what the real never sent */
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", cn, rn + (1U << 30), 1000);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "R", cn + 1000, 0, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_ORIG], cn);

	/* the real's RST after its data, where its stack puts it */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "R", rn, 0, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_CLOSE);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);

	/* a real refusing the SYN: its RST-ACK acknowledges it */
	cp2 = conn_new(test, &t2, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp2);
	tcp_seg(test, cp2, LDIR_DIR_ORIG, "S", 77, 0, 0);
	tcp_seg(test, cp2, LDIR_DIR_REPLY, "RA", 0, 78, 0);
	KUNIT_EXPECT_EQ(test, cp2->state, LDIR_CONN_S_CLOSE);
}

/* A flow adopted mid-way (LDIR_CONN_S_NONE): embryonic until the real
 * answers, then ESTABLISHED with both sides' numbers learnt from that
 * answer, so that an off-path RST misses again; a flow the real refuses
 * (its RST) closes.
 */
static void conn_adopted(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40001, VIP, 80);
	struct conn_fx *fx = test->priv;
	const u32 c = 0x10000000, r = 0xfffffff0;
	struct ldir_conn *cp, *cp2;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_NONE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 1);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_TIMING, &cp->flags));
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	/* the client's segments alone do not establish it */
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", c, r, 100);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", c + 100, r, 100);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_NONE);
	KUNIT_EXPECT_TRUE(test, expires_after(test, cp, LDIR_CONN_S_NONE));
	/* the real's ACK: established, numbers known */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", r, c + 200, 10);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], r + 10);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_ORIG], c + 200);
	/* an RST off the expected number is ignored, the exact one not */
	tcp_seg(test, cp, LDIR_DIR_ORIG, "R", c + 12345, 0, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_RST_IGNORED), 1);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "R", c + 200, 0, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_CLOSE);

	/* a made-up flow: the real's RST ends it */
	cp2 = conn_new(test, &t2, l, 8080, LDIR_CONN_S_NONE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp2);
	tcp_seg(test, cp2, LDIR_DIR_ORIG, "A", 5, 6, 0);
	tcp_seg(test, cp2, LDIR_DIR_REPLY, "R", 6, 0, 0);
	KUNIT_EXPECT_EQ(test, cp2->state, LDIR_CONN_S_CLOSE);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 0);
}

static void udp_pkt(struct kunit *test, struct ldir_conn *cp, int dir)
{
	struct conn_fx *fx = test->priv;

	local_bh_disable();
	rcu_read_lock();
	ldir_conn_update_state(fx->ln, cp, dir, NULL, 0);
	rcu_read_unlock();
	local_bh_enable();
}

/* Conn sync: a conn is confirmed when it becomes established, never
 * while embryonic; a refused handshake (RST in SYN_RECV) never is.
 */
static void conn_sync_confirm(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40001, VIP, 80);
	struct ldir_conn *cp, *cp2;
	u32 t0;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	tcp_pkt(test, cp, LDIR_DIR_ORIG, "S");
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));
	tcp_pkt(test, cp, LDIR_DIR_REPLY, "SA");
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));
	t0 = jiffies;
	tcp_pkt(test, cp, LDIR_DIR_ORIG, "A");
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));
	/* the last record dates from the ACK: no refresh due (a guest
	 * descheduled meanwhile may see jiffies move on since)
	 */
	KUNIT_EXPECT_LE(test, (u32)cp->syn_stamp - t0, (u32)jiffies - t0);

	cp2 = conn_new(test, &t2, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp2);
	tcp_seg(test, cp2, LDIR_DIR_ORIG, "S", 7, 0, 0);
	tcp_seg(test, cp2, LDIR_DIR_REPLY, "SA", 90, 8, 0);
	tcp_seg(test, cp2, LDIR_DIR_ORIG, "R", 8, 0, 0);
	KUNIT_EXPECT_EQ(test, cp2->state, LDIR_CONN_S_CLOSE);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp2->flags));

	/* UDP: the real's first answer confirms it, the client's do not */
	t2 = tuple(IPPROTO_UDP, CIP, 40002, VIP, 80);
	cp2 = conn_new(test, &t2, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp2);
	udp_pkt(test, cp2, LDIR_DIR_ORIG);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp2->flags));
	udp_pkt(test, cp2, LDIR_DIR_REPLY);
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp2->flags));
}

/* A conn as a sync record carries its tuple, its link's ends (the
 * virtual's key with its Bind ID, the real's key), the digest, the state
 * and the lifetime left.
 */
static void conn_sync_rec(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_sync_rec rec;
	struct ldir_conn *cp;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_ESTABLISHED);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	ldir_sync_rec_fill(&rec, cp, true);
	KUNIT_EXPECT_EQ(test, rec.family, AF_INET);
	KUNIT_EXPECT_EQ(test, rec.protocol, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, rec.caddr.ip, CIP);
	KUNIT_EXPECT_EQ(test, rec.caddr.all[1] | rec.caddr.all[3], 0U);
	KUNIT_EXPECT_EQ(test, rec.vaddr.ip, VIP);
	KUNIT_EXPECT_EQ(test, rec.raddr.ip, RIP);
	KUNIT_EXPECT_EQ(test, ntohs(rec.cport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(rec.vport), 80);
	KUNIT_EXPECT_EQ(test, ntohs(rec.rport), 8080);
	KUNIT_EXPECT_EQ(test, rec.vkaddr.ip, VIP);
	KUNIT_EXPECT_EQ(test, ntohs(rec.vkport), 80);
	KUNIT_EXPECT_EQ(test, rec.bind_id, 0U);
	KUNIT_EXPECT_EQ(test, rec.rkaddr.ip, RIP);
	KUNIT_EXPECT_EQ(test, rec.rkport, 0);
	KUNIT_EXPECT_EQ(test, rec.digest, l->virt->digest);
	KUNIT_EXPECT_EQ(test, rec.state, LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_TRUE(test, rec.removed);
	/* ESTABLISHED lives 130 s in this suite */
	KUNIT_EXPECT_LE(test, rec.expires_ms, 130000U);
	KUNIT_EXPECT_GE(test, rec.expires_ms, 129000U);
}

/* A conn a peer sent: confirmed, not counted as created here, its
 * lifetime the peer's, counted in its link's active conns; the peer's
 * until its first packet here; updated in place by the next record.
 */
static void conn_sync_peer(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct conn_fx *fx = test->priv;
	struct ldir_conn *cp;

	rcu_read_lock();
	cp = ldir_conn_peer_create(fx->ln, &t, l, NULL, htons(8080),
				   LDIR_CONN_S_ESTABLISHED, 5 * HZ);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_PEER, &cp->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_EMBRYONIC, &cp->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_TIMING, &cp->flags));
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 1);
	KUNIT_EXPECT_LE(test, expires_in(cp), 5L * HZ);
	KUNIT_EXPECT_GE(test, expires_in(cp), 4L * HZ);

	/* the next record: in place */
	rcu_read_lock();
	ldir_conn_peer_update(fx->ln, cp, LDIR_CONN_S_FIN_WAIT, 9 * HZ);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	KUNIT_EXPECT_GE(test, expires_in(cp), 8L * HZ);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);

	/* a packet here makes it this director's */
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", 1, 1, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_PEER, &cp->flags));
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));

	/* an established conn takes no place an embryonic one cannot give */
	WRITE_ONCE(fx->ln->conn_max, atomic_read(&fx->ln->conns.count));
	t.sport = htons(40001);
	rcu_read_lock();
	cp = ldir_conn_peer_create(fx->ln, &t, l, NULL, htons(8080),
				   LDIR_CONN_S_ESTABLISHED, 5 * HZ);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(cp), -ENOSPC);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT), 0);
}

/* The configuration digest: the scheme and flags plus each link's part,
 * whatever the order the links came in; it follows links made and
 * unlinked.
 */
static void conn_sync_digest(struct kunit *test)
{
	struct ldir_virtual *v = fx_virtual(test, VIP, 80, IPPROTO_TCP);
	struct ldir_virtual *v2 = fx_virtual(test, VIP2, 80, IPPROTO_TCP);
	struct ldir_real *r = fx_real(test, RIP), *r2 = fx_real(test, RIP2);
	union nf_inet_addr a = ip4(RIP), a2 = ip4(RIP2);
	struct conn_fx *fx = test->priv;
	u64 base = ldir_sync_digest_base("rr", 0);
	u64 p1 = ldir_sync_digest_link(AF_INET, &a, 0, htons(8080));
	u64 p2 = ldir_sync_digest_link(AF_INET, &a2, 0, htons(8080));
	u64 lport = ldir_sync_digest_link(AF_INET, &a, 0, htons(8081));
	u64 rport = ldir_sync_digest_link(AF_INET, &a, htons(1), htons(8080));
	u64 fam = ldir_sync_digest_link(AF_INET6, &a, 0, htons(8080));
	struct ldir_link *l;

	KUNIT_EXPECT_EQ(test, v->digest, base);
	/* each input counts */
	KUNIT_EXPECT_NE(test, base, ldir_sync_digest_base("wrr", 0));
	KUNIT_EXPECT_NE(test, base, ldir_sync_digest_base("rr", 1));
	KUNIT_EXPECT_NE(test, p1, p2);
	KUNIT_EXPECT_NE(test, p1, lport);
	KUNIT_EXPECT_NE(test, p1, rport);
	KUNIT_EXPECT_NE(test, p1, fam);
	/* the same on every director: a fixed key */
	KUNIT_EXPECT_EQ(test, base, ldir_sync_digest_base("rr", 0));

	fx_link(test, v, r, 8080);
	fx_link(test, v, r2, 8080);
	fx_link(test, v2, r2, 8080);
	l = fx_link(test, v2, r, 8080);
	KUNIT_EXPECT_EQ(test, v->digest, base + p1 + p2);
	KUNIT_EXPECT_EQ(test, v2->digest, v->digest);
	mutex_lock(&fx->ln->lock);
	ldir_link_unlink(fx->ln, l, false);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, v2->digest, base + p2);
}

/* What moves the expected sequence number: data that follows on, data
 * lost before the director up to LDIR_SEQ_WINDOW ahead, never anything
 * further, and never backwards (a retransmission).
 */
static void conn_seq_window(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	const u32 c = 100, r = 0xfff00000, w = LDIR_SEQ_WINDOW;
	struct ldir_conn *cp;
	u32 n;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "S", c, 0, 0);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "SA", r, c + 1, 0);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", c + 1, r + 1, 0);
	n = r + 1;
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", n, c + 1, 500);
	n += 500;
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], n);
	/* a retransmission leaves it */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", n - 500, c + 1, 500);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], n);
	/* one past the window ahead: no */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", n + w + 1, c + 1, 10);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], n);
	/* its ack one past the window behind the client's number: no */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", n, c + 1 - w - 1, 10);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], n);
	/* the edge of the window, both numbers: yes */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "A", n + w, c + 1 + w, 10);
	KUNIT_EXPECT_EQ(test, cp->seq_next[LDIR_DIR_REPLY], n + w + 10);
	/* the FIN counts in the sequence, and an RST right after it closes */
	n += w + 10;
	tcp_seg(test, cp, LDIR_DIR_REPLY, "FA", n, c + 1, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_FIN_WAIT);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "R", n, 0, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_FIN_WAIT);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "R", n + 1, 0, 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_CLOSE);
}

/* fast_seg: tcp_seg() through the fast path's ldir_conn_refresh(); a
 * NULL @flags is a UDP datagram.
 */
static void fast_seg(struct kunit *test, struct ldir_conn *cp, int dir,
		     const char *flags, u32 seq, u32 ack, unsigned int payload)
{
	struct conn_fx *fx = test->priv;
	struct tcphdr th = {
		.ack = flags && has(flags, 'A'), .doff = sizeof(th) / 4,
		.seq = htonl(seq), .ack_seq = htonl(ack),
	};

	local_bh_disable();
	rcu_read_lock();
	ldir_conn_refresh(fx->ln, cp, dir, flags ? &th : NULL, payload);
	rcu_read_unlock();
	local_bh_enable();
}

/* The fast path's ldir_conn_refresh() moves an established conn's
 * sequence marks and expiry as ldir_conn_update_state() does, segment
 * for segment; a conn it cannot vouch for (a peer's, one another CPU
 * moved on, an unconfirmed UDP one) goes the full way.
 */
static void conn_fast_refresh(struct kunit *test)
{
	static const struct {
		int dir;
		s32 seq, ack;	/* from each side's next number */
		unsigned int payload;
	} segs[] = {
		{ LDIR_DIR_REPLY, 0, 0, 1448 },
		{ LDIR_DIR_REPLY, 0, 0, 1448 },		/* a retransmission */
		{ LDIR_DIR_ORIG, 0, 0, 0 },		/* a pure ACK */
		{ LDIR_DIR_REPLY, 5000, 0, 1448 },	/* after a loss */
		{ LDIR_DIR_REPLY, -3000, 0, 1448 },	/* behind */
		{ LDIR_DIR_ORIG, 0, 0, 300 },
		{ LDIR_DIR_ORIG, LDIR_SEQ_WINDOW + 1, 0, 10 },	/* implausible */
		{ LDIR_DIR_REPLY, 0, -LDIR_SEQ_WINDOW - 1, 10 },	/* its ack */
		{ LDIR_DIR_ORIG, LDIR_SEQ_WINDOW, LDIR_SEQ_WINDOW, 10 },
	};
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40001, VIP, 80);
	struct ldir_conn *cp, *ref;
	u32 seq, ack;
	int i, d;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	ref = conn_new(test, &t2, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ref);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "S", 100, 0, 0);
	tcp_seg(test, cp, LDIR_DIR_REPLY, "SA", 0xfff00000, 101, 0);
	tcp_seg(test, cp, LDIR_DIR_ORIG, "A", 101, 0xfff00001, 0);
	tcp_seg(test, ref, LDIR_DIR_ORIG, "S", 100, 0, 0);
	tcp_seg(test, ref, LDIR_DIR_REPLY, "SA", 0xfff00000, 101, 0);
	tcp_seg(test, ref, LDIR_DIR_ORIG, "A", 101, 0xfff00001, 0);
	KUNIT_ASSERT_EQ(test, cp->state, LDIR_CONN_S_ESTABLISHED);
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		d = segs[i].dir;
		seq = cp->seq_next[d] + segs[i].seq;
		ack = cp->seq_next[!d] + segs[i].ack;
		WRITE_ONCE(cp->expires, jiffies + 1);
		fast_seg(test, cp, d, "A", seq, ack, segs[i].payload);
		tcp_seg(test, ref, d, "A", seq, ack, segs[i].payload);
		KUNIT_EXPECT_EQ_MSG(test, cp->seq_next[d], ref->seq_next[d],
				    "segment %d", i);
		KUNIT_EXPECT_EQ_MSG(test, cp->seq_next[!d], ref->seq_next[!d],
				    "segment %d", i);
		KUNIT_EXPECT_EQ_MSG(test, cp->state, LDIR_CONN_S_ESTABLISHED,
				    "segment %d", i);
		KUNIT_EXPECT_TRUE_MSG(test,
				      expires_after(test, cp,
						    LDIR_CONN_S_ESTABLISHED),
				      "segment %d: expires in %ld", i,
				      expires_in(cp));
	}

	/* a peer's conn is this director's from its first packet */
	set_bit(LDIR_CONN_B_PEER, &cp->flags);
	fast_seg(test, cp, LDIR_DIR_ORIG, "A", cp->seq_next[LDIR_DIR_ORIG],
		 cp->seq_next[LDIR_DIR_REPLY], 0);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_PEER, &cp->flags));

	/* a FIN on another CPU after the fast path's check: the segment
	 * lives by FIN_WAIT's timeout, as on the slow path
	 */
	tcp_seg(test, cp, LDIR_DIR_REPLY, "FA", cp->seq_next[LDIR_DIR_REPLY],
		cp->seq_next[LDIR_DIR_ORIG], 0);
	KUNIT_ASSERT_EQ(test, cp->state, LDIR_CONN_S_FIN_WAIT);
	WRITE_ONCE(cp->expires, jiffies + 1);
	fast_seg(test, cp, LDIR_DIR_ORIG, "A", cp->seq_next[LDIR_DIR_ORIG],
		 cp->seq_next[LDIR_DIR_REPLY], 0);
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_FIN_WAIT);
	KUNIT_EXPECT_TRUE_MSG(test, expires_after(test, cp,
						  LDIR_CONN_S_FIN_WAIT),
			      "expires in %ld", expires_in(cp));

	/* UDP: the real's first answer confirms the conn on the fast path
	 * too, and each datagram renews the timeout
	 */
	t = tuple(IPPROTO_UDP, CIP, 40002, VIP, 80);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	fast_seg(test, cp, LDIR_DIR_ORIG, NULL, 0, 0, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));
	fast_seg(test, cp, LDIR_DIR_REPLY, NULL, 0, 0, 0);
	KUNIT_EXPECT_TRUE(test, test_bit(LDIR_CONN_B_CONFIRMED, &cp->flags));
	WRITE_ONCE(cp->expires, jiffies + 1);
	fast_seg(test, cp, LDIR_DIR_ORIG, NULL, 0, 0, 0);
	KUNIT_EXPECT_TRUE(test, expires_after(test, cp, LDIR_CONN_S_UDP));
	KUNIT_EXPECT_EQ(test, cp->state, LDIR_CONN_S_UDP);
}

/* The GC removes what is due, only that, and gives every count back. */
static void conn_expire(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple r = tuple(IPPROTO_TCP, RIP, 8080, CIP, 40000);
	struct ldir_tuple t2 = tuple(IPPROTO_TCP, CIP, 40001, VIP, 80);
	struct ldir_conn *cp, *cp2;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	cp2 = conn_new(test, &t2, l, 8080, LDIR_CONN_S_ESTABLISHED);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp2);

	/* nothing is due */
	KUNIT_EXPECT_EQ(test, gc_all(test), 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);

	WRITE_ONCE(cp->expires, jiffies - 1);
	KUNIT_EXPECT_EQ(test, gc_all(test), 1);
	/* cp is gone (freed after a grace period): only compare to it */
	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	KUNIT_EXPECT_NULL(test, lookup(test, &r, LDIR_DIR_REPLY));
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t2, LDIR_DIR_ORIG), cp2);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 1);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS_EXPIRED), 1);

	/* per-state timeouts: after an RST, the CLOSE one */
	WRITE_ONCE(fx->ln->timeout[LDIR_CONN_S_CLOSE], 0);
	tcp_pkt(test, cp2, LDIR_DIR_REPLY, "RA");
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	KUNIT_EXPECT_EQ(test, gc_all(test), 1);
	KUNIT_EXPECT_NULL(test, lookup(test, &t2, LDIR_DIR_ORIG));
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 0);
	KUNIT_EXPECT_EQ(test, table_delta(test), 0);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS_EXPIRED), 2);

	/* the conns' link references go with them, after a grace period */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
}

/* The GC looks at a slice of the buckets a run, wrapping at the end of
 * the table, and only at those that hold a conn.
 */
static void conn_gc_slices(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_conn_table *ct = &fx->ln->conns;
	unsigned int nb = 1U << ct->hash_bits, b = 0, idx = 0;
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_UDP, CIP, 40000, VIP, 80);
	struct ldir_conn *cp, *found;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	rcu_read_lock();
	do {
		found = ldir_conn_dump_next(fx->ln, &b, &idx);
	} while (found && found != cp);
	rcu_read_unlock();
	KUNIT_ASSERT_PTR_EQ(test, found, cp);
	KUNIT_EXPECT_TRUE(test, test_bit(b, ct->used));

	WRITE_ONCE(cp->expires, jiffies - 1);
	/* every bucket but cp's, from the one after it round to it */
	ct->gc_next = (b + 1) & (nb - 1);
	KUNIT_EXPECT_EQ(test, ldir_conn_gc_scan(fx->ln, nb - 1), 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);
	KUNIT_EXPECT_EQ(test, ct->gc_next, b);
	KUNIT_EXPECT_EQ(test, ldir_conn_gc_scan(fx->ln, 1), 1);
	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	/* an emptied bucket is skipped again */
	KUNIT_EXPECT_FALSE(test, test_bit(b, ct->used));
}

/* The table is bounded: the conn past conn_max is refused and counted. */
static void conn_bound(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_conn *cp[4], *over;
	struct ldir_tuple t;
	int i;

	WRITE_ONCE(fx->ln->conn_max, fx->count + ARRAY_SIZE(cp));
	for (i = 0; i < ARRAY_SIZE(cp); i++) {
		t = tuple(IPPROTO_TCP, CIP, 41000 + i, VIP, 80);
		cp[i] = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp[i]);
		/* established: no new conn may evict them */
		tcp_pkt(test, cp[i], LDIR_DIR_REPLY, "SA");
		tcp_pkt(test, cp[i], LDIR_DIR_ORIG, "A");
	}
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT),
			0);

	t = tuple(IPPROTO_TCP, CIP, 41000 + i, VIP, 80);
	over = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(over), -ENOSPC);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT),
			1);
	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	KUNIT_EXPECT_EQ(test, table_delta(test), ARRAY_SIZE(cp));
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), ARRAY_SIZE(cp));
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1 + ARRAY_SIZE(cp));

	/* room again once one goes */
	WRITE_ONCE(cp[0]->expires, jiffies - 1);
	KUNIT_EXPECT_EQ(test, gc_all(test), 1);
	over = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(over));
	KUNIT_EXPECT_EQ(test, table_delta(test), ARRAY_SIZE(cp));
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT),
			1);
}

/* The eviction looks at the used buckets next to the new conn's: with
 * only this test's conns in the table, it sees all of them.
 */
static void need_empty_table(struct kunit *test)
{
	struct conn_fx *fx = test->priv;

	if (fx->count)
		kunit_skip(test, "%d conns in init_net's table", fx->count);
}

/* A full table: a new SYN evicts the embryonic conn that expires first,
 * never an established one, even an older one.
 */
static void conn_evict_oldest(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t[5];
	struct ldir_conn *cp[5];
	int i;

	need_empty_table(test);
	WRITE_ONCE(fx->ln->conn_max, 4);
	WRITE_ONCE(fx->ln->embryonic_max, U32_MAX);	/* the table's bound only */
	for (i = 0; i < 4; i++) {
		t[i] = tuple(IPPROTO_TCP, CIP, 42000 + i, VIP, 80);
		cp[i] = conn_new(test, &t[i], l, 8080, LDIR_CONN_S_SYN_SENT);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 4);
	/* 0: established, and the oldest of all; 2: the oldest embryonic */
	tcp_pkt(test, cp[0], LDIR_DIR_REPLY, "SA");
	tcp_pkt(test, cp[0], LDIR_DIR_ORIG, "A");
	KUNIT_EXPECT_EQ(test, READ_ONCE(cp[0]->state), LDIR_CONN_S_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 3);
	WRITE_ONCE(cp[0]->expires, jiffies + 1);
	WRITE_ONCE(cp[2]->expires, jiffies + 2);
	/* 3: answered (SYN_RECV), still embryonic */
	tcp_pkt(test, cp[3], LDIR_DIR_REPLY, "SA");
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 3);

	t[4] = tuple(IPPROTO_TCP, CIP, 42004, VIP, 80);
	cp[4] = conn_new(test, &t[4], l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp[4]);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_EMBRYONIC_EVICTED), 1);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT), 0);
	KUNIT_EXPECT_NULL(test, lookup(test, &t[2], LDIR_DIR_ORIG));
	for (i = 0; i < 5; i++)
		if (i != 2)
			KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t[i], LDIR_DIR_ORIG),
					    cp[i]);
	KUNIT_EXPECT_EQ(test, table_delta(test), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 3);

	/* the next goes by the same rule: of 1, 3 and 4, 1 expires first */
	WRITE_ONCE(cp[1]->expires, jiffies + 3);
	t[2] = tuple(IPPROTO_TCP, CIP, 42005, VIP, 80);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, conn_new(test, &t[2], l, 8080,
						    LDIR_CONN_S_SYN_SENT));
	KUNIT_EXPECT_NULL(test, lookup(test, &t[1], LDIR_DIR_ORIG));
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t[0], LDIR_DIR_ORIG), cp[0]);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_EMBRYONIC_EVICTED), 2);
	KUNIT_EXPECT_EQ(test, table_delta(test), 4);
}

/* A table full of established conns: a SYN is dropped, none evicted. */
static void conn_evict_established_never(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_conn *cp[3], *over;
	struct ldir_tuple t;
	int i;

	need_empty_table(test);
	WRITE_ONCE(fx->ln->conn_max, ARRAY_SIZE(cp));
	for (i = 0; i < ARRAY_SIZE(cp); i++) {
		t = tuple(IPPROTO_TCP, CIP, 43000 + i, VIP, 80);
		cp[i] = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp[i]);
		tcp_pkt(test, cp[i], LDIR_DIR_REPLY, "SA");
		tcp_pkt(test, cp[i], LDIR_DIR_ORIG, "A");
		/* an old one: it would be the first to go if it could */
		WRITE_ONCE(cp[i]->expires, jiffies + 1);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 0);
	for (i = 0; i < 8; i++) {
		t = tuple(IPPROTO_TCP, CIP2, 43100 + i, VIP, 80);
		over = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(over), -ENOSPC);
	}
	t = tuple(IPPROTO_UDP, CIP2, 43200, VIP, 80);
	over = conn_new(test, &t, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(over), -ENOSPC);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT), 9);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_EMBRYONIC_EVICTED), 0);
	KUNIT_EXPECT_EQ(test, table_delta(test), ARRAY_SIZE(cp));
	for (i = 0; i < ARRAY_SIZE(cp); i++)
		KUNIT_EXPECT_FALSE(test, test_bit(LDIR_CONN_B_DEAD,
						  &cp[i]->flags));
}

/* EMBRYONIC_MAX bounds the embryonic conns alone: past it a SYN evicts
 * one even with room in the table; past half of it the netns is under
 * SYN pressure, and new embryonic conns get the short timeout. Under
 * pressure the GC ends an embryonic conn older than that timeout.
 */
static void conn_embryonic_bound(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_conn *cp[4], *u;
	struct ldir_tuple t[4], tu;
	int i;

	need_empty_table(test);
	WRITE_ONCE(fx->ln->conn_max, 1000);
	WRITE_ONCE(fx->ln->embryonic_max, 3);
	WRITE_ONCE(fx->ln->timeout_syn_pressure, 5 * HZ);
	KUNIT_EXPECT_EQ(test, ldir_conn_embryonic_max(fx->ln), 3);
	tu = tuple(IPPROTO_UDP, CIP, 44100, VIP, 80);
	u = conn_new(test, &tu, l, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, u);
	for (i = 0; i < ARRAY_SIZE(cp); i++) {
		t[i] = tuple(IPPROTO_TCP, CIP, 44000 + i, VIP, 80);
		cp[i] = conn_new(test, &t[i], l, 8080, LDIR_CONN_S_SYN_SENT);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp[i]);
		if (i < 2)
			KUNIT_EXPECT_TRUE(test, expires_after(test, cp[i],
							      LDIR_CONN_S_SYN_SENT));
		if (!i)
			WRITE_ONCE(cp[0]->expires, jiffies + 1);
	}
	/* the fourth SYN evicted the first: the bound holds */
	KUNIT_EXPECT_NULL(test, lookup(test, &t[0], LDIR_DIR_ORIG));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 3);
	KUNIT_EXPECT_EQ(test, table_delta(test), 4);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_EMBRYONIC_EVICTED), 1);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_DROP_CONN_LIMIT), 0);
	/* two embryonic of three: pressure from the third on */
	KUNIT_EXPECT_TRUE(test, ldir_conn_pressure(fx->ln));
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_PRESSURE_STARTS), 1);
	KUNIT_EXPECT_LE(test, expires_in(cp[2]), 5 * HZ);
	KUNIT_EXPECT_LE(test, expires_in(cp[3]), 5 * HZ);
	/* the UDP conn never counted, nor does an established one */
	tcp_pkt(test, cp[1], LDIR_DIR_REPLY, "SA");
	tcp_pkt(test, cp[1], LDIR_DIR_ORIG, "A");
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 2);

	/* embryonic for longer than timeout-syn-pressure: the GC ends it,
	 * whatever its expiry says; an established one stays
	 */
	WRITE_ONCE(cp[2]->expires, jiffies + 100 * HZ);
	WRITE_ONCE(cp[2]->tstamp, (u32)ldir_now_us() - 6 * USEC_PER_SEC);
	WRITE_ONCE(cp[1]->tstamp, (u32)ldir_now_us() - 6 * USEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, gc_all(test), 1);
	KUNIT_EXPECT_NULL(test, lookup(test, &t[2], LDIR_DIR_ORIG));
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t[1], LDIR_DIR_ORIG), cp[1]);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t[3], LDIR_DIR_ORIG), cp[3]);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 1);

	/* no embryonic conn left: pressure ends once it has lasted 1 s */
	tcp_pkt(test, cp[3], LDIR_DIR_REPLY, "R");
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ln->conns.embryonic), 0);
	WRITE_ONCE(fx->ln->conns.pressure, jiffies | 1);
	gc_all(test);
	KUNIT_EXPECT_TRUE(test, ldir_conn_pressure(fx->ln));
	WRITE_ONCE(fx->ln->conns.pressure, (jiffies - 2 * HZ) | 1);
	gc_all(test);
	KUNIT_EXPECT_FALSE(test, ldir_conn_pressure(fx->ln));
}

/* Flushing by link takes that link's conns only; by virtual, the rest. */
static void conn_flush(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test), *l2;
	struct ldir_tuple t;
	int i;

	l2 = fx_link(test, l->virt, fx_real(test, RIP2), 8080);
	for (i = 0; i < 5; i++) {
		struct ldir_conn *cp;

		t = tuple(IPPROTO_TCP, CIP, 42000 + i, VIP, 80);
		cp = conn_new(test, &t, i < 3 ? l : l2, 8080,
			      LDIR_CONN_S_ESTABLISHED);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 5);

	mutex_lock(&fx->ln->lock);
	ldir_conn_flush(fx->ln, l2, NULL, NULL);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&l2->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l2->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l2->real->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 3);
	KUNIT_EXPECT_EQ(test, table_delta(test), 3);
	for (i = 0; i < 5; i++) {
		struct ldir_conn *cp;

		t = tuple(IPPROTO_TCP, CIP, 42000 + i, VIP, 80);
		cp = lookup(test, &t, LDIR_DIR_ORIG);
		KUNIT_EXPECT_EQ_MSG(test, !!cp, i < 3, "conn %d", i);
	}

	mutex_lock(&fx->ln->lock);
	ldir_conn_flush(fx->ln, NULL, l->virt, NULL);
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 0);
	KUNIT_EXPECT_EQ(test, table_delta(test), 0);

	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&l2->refcnt), 1);
}

/* Removing a link is graceful: its live conn goes on, holding it, while
 * new conns can no longer be scheduled to it.
 */
static void conn_unlinked(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_tuple r = tuple(IPPROTO_TCP, RIP, 8080, CIP, 40000);
	struct ldir_virtual *v = l->virt;
	struct ldir_link *picked;
	struct ldir_pick pk;
	struct ldir_conn *cp;

	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_ESTABLISHED);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);

	mutex_lock(&fx->ln->lock);
	ldir_link_unlink(fx->ln, l, false);
	mutex_unlock(&fx->ln->lock);

	KUNIT_EXPECT_TRUE(test, l->unlinked);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &r, LDIR_DIR_REPLY), cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
	tcp_pkt(test, cp, LDIR_DIR_ORIG, "FA");
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->active), 0);

	local_bh_disable();
	rcu_read_lock();
	picked = ldir_sched_pick(fx->ln, v, &t, NULL, &pk);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_NULL(test, picked);
	/* the virtual's flush in exit frees the conn, then the link */
}

/* Many conns with random tuples: each found both ways, all expired. */
static void conn_many(struct kunit *test)
{
	struct ldir_link *l = fx_base(test);
	struct ldir_conn **cps;
	struct rnd_state rs;
	int i, lost = 0;

	cps = kunit_kcalloc(test, CONN_MANY, sizeof(*cps), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cps);
	prandom_seed_state(&rs, 0x636f6e6e);	/* "conn" */
	for (i = 0; i < CONN_MANY; i++) {
		struct ldir_tuple t = tuple(IPPROTO_TCP,
					    (__force __be32)prandom_u32_state(&rs),
					    prandom_u32_state(&rs), VIP, 80);

		cps[i] = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cps[i]);
	}
	KUNIT_EXPECT_EQ(test, table_delta(test), CONN_MANY);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), CONN_MANY);

	for (i = 0; i < CONN_MANY; i++) {
		const struct ldir_conn *cp = cps[i];
		struct ldir_tuple t = tuple(IPPROTO_TCP, cp->caddr.ip,
					    ntohs(cp->cport), VIP, 80);
		struct ldir_tuple r = tuple(IPPROTO_TCP, RIP, 8080,
					    cp->caddr.ip, ntohs(cp->cport));

		if (lookup(test, &t, LDIR_DIR_ORIG) != cp ||
		    lookup(test, &r, LDIR_DIR_REPLY) != cp)
			lost++;
		WRITE_ONCE(cps[i]->expires, jiffies - 1);
	}
	KUNIT_EXPECT_EQ(test, lost, 0);
	KUNIT_EXPECT_EQ(test, gc_all(test), CONN_MANY);
	KUNIT_EXPECT_EQ(test, table_delta(test), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->active), 0);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
}

/* The GC walks the used bitmap a word at a time: slices of 37 buckets
 * from an odd cursor start and end inside words and cross their edges,
 * and one turn of them round the table expires every conn, once.
 */
static void conn_gc_odd_slices(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_conn_table *ct = &fx->ln->conns;
	unsigned int nb = 1U << ct->hash_bits, turns, i, got = 0;
	struct ldir_link *l = fx_base(test);
	struct rnd_state rs;

	prandom_seed_state(&rs, 0x736c6963);	/* "slic" */
	for (i = 0; i < CONN_MANY; i++) {
		struct ldir_tuple t = tuple(IPPROTO_UDP,
					    (__force __be32)prandom_u32_state(&rs),
					    prandom_u32_state(&rs), VIP, 80);
		struct ldir_conn *cp = conn_new(test, &t, l, 8080,
						LDIR_CONN_S_UDP);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
		WRITE_ONCE(cp->expires, jiffies - 1);
	}
	ct->gc_next = 5;
	turns = DIV_ROUND_UP(nb, 37);
	for (i = 0; i < turns; i++)
		got += ldir_conn_gc_scan(fx->ln, 37);
	KUNIT_EXPECT_EQ(test, got, CONN_MANY);
	KUNIT_EXPECT_EQ(test, ct->gc_next, (5 + turns * 37) & (nb - 1));
	KUNIT_EXPECT_EQ(test, table_delta(test), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 0);
}

struct kill_race {
	struct ldir_net *ln;
	const struct ldir_tuple *tuples;
	int n;
	int killed;
};

/* What the packet path does to a conn it finds: kill it, under RCU with
 * BHs off, in a thread of its own.
 */
static int kill_race_fn(void *data)
{
	struct kill_race *kr = data;
	int i, pass;

	for (pass = 0; pass < 4; pass++) {
		for (i = pass; i < kr->n; i += 4) {
			struct ldir_conn *cp;

			local_bh_disable();
			rcu_read_lock();
			cp = ldir_conn_lookup_rcu(kr->ln, &kr->tuples[i],
						  LDIR_DIR_ORIG);
			if (cp && ldir_conn_kill(kr->ln, cp))
				kr->killed++;
			rcu_read_unlock();
			local_bh_enable();
			cond_resched();
		}
	}
	return 0;
}

/* A flush racing the packet path's kills: every conn goes exactly once
 * (the kills that each side reports add up to the conns made), the counts
 * come back to zero, and nothing touches a conn after it was freed (the
 * debug kernel's KASAN watches for that).
 */
static void conn_flush_races_kill(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct kill_race kr = { .ln = fx->ln, .n = CONN_MANY };
	struct task_struct *task;
	struct ldir_tuple *tuples;
	unsigned int flushed;
	int i;

	tuples = kunit_kcalloc(test, CONN_MANY, sizeof(*tuples), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tuples);
	for (i = 0; i < CONN_MANY; i++) {
		tuples[i] = tuple(IPPROTO_TCP, CIP, 10000 + i, VIP, 80);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test,
					     conn_new(test, &tuples[i], l, 8080,
						      LDIR_CONN_S_ESTABLISHED));
	}
	kr.tuples = tuples;
	task = kthread_create(kill_race_fn, &kr, "ldir-kunit-kill");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	/* it may be done before kthread_stop(): keep its task */
	get_task_struct(task);
	wake_up_process(task);
	mutex_lock(&fx->ln->lock);
	flushed = ldir_conn_flush(fx->ln, NULL, l->virt, NULL);
	mutex_unlock(&fx->ln->lock);
	kthread_stop(task);
	put_task_struct(task);

	KUNIT_EXPECT_EQ(test, flushed + kr.killed, CONN_MANY);
	KUNIT_EXPECT_EQ(test, table_delta(test), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 0);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
}

/* The real address filter counts a real while it is in the table, the
 * conn filter each live conn to it; the conn filter lets go as soon as the
 * last conn does (no RCU callback is left to touch the netns) and not
 * before, though the real left the table.
 */
static void conn_real_filter(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base(test);
	struct ldir_tuple t = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	struct ldir_afilter *rf = &fx->ln->real_filter;
	struct ldir_afilter *cf = &fx->ln->conn_filter;
	atomic_t *rcnt = &rf->cnt[ldir_afilter_hash4(RIP)];
	atomic_t *ccnt = &cf->cnt[ldir_afilter_hash4(RIP)];
	struct ldir_real *r = l->real;
	struct ldir_conn *cp;
	int rbase, cbase, i;

	rbase = atomic_read(rcnt);
	cbase = atomic_read(ccnt);
	KUNIT_EXPECT_GE(test, rbase, 1);
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_ESTABLISHED);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);
	KUNIT_EXPECT_EQ(test, atomic_read(ccnt), cbase + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(rcnt), rbase);

	/* the real leaves the table; its conn keeps its replies ours */
	mutex_lock(&fx->ln->lock);
	ldir_real_destroy(fx->ln, r);
	for (i = 0; i < CONN_OBJS; i++)
		if (fx->r[i] == r)
			fx->r[i] = NULL;
	mutex_unlock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(rcnt), rbase - 1);
	KUNIT_EXPECT_EQ(test, atomic_read(ccnt), cbase + 1);
	KUNIT_EXPECT_TRUE(test, ldir_afilter_maybe4(cf, RIP));

	local_bh_disable();
	rcu_read_lock();
	cp = ldir_conn_lookup_rcu(fx->ln, &t, LDIR_DIR_ORIG);
	KUNIT_EXPECT_NOT_NULL(test, cp);
	if (cp)
		KUNIT_EXPECT_TRUE(test, ldir_conn_kill(fx->ln, cp));
	rcu_read_unlock();
	local_bh_enable();
	/* at once, not a grace period later */
	KUNIT_EXPECT_EQ(test, atomic_read(ccnt), cbase);
}

/* IPv6: [2001:db8:1::7] -> [2001:db8::1], to [2001:db8:2::11] */
#define VIP6		ldir_kunit_ip6(0, 1)
#define RIP6		ldir_kunit_ip6(2, 0x11)
#define CIP6		ldir_kunit_ip6(1, 7)

static struct ldir_tuple tuple6(u8 proto, union nf_inet_addr s, u16 sport,
				union nf_inet_addr d, u16 dport)
{
	struct ldir_tuple t = {
		.saddr = s, .sport = htons(sport),
		.daddr = d, .dport = htons(dport),
		.protocol = proto, .family = AF_INET6,
	};

	return t;
}

/* The IPv6 base objects: [VIP6]:80 -> [RIP6]:8080, rr. */
static struct ldir_link *fx_base6(struct kunit *test)
{
	union nf_inet_addr v = VIP6, r = RIP6;

	return fx_link(test, fx_virtual_af(test, AF_INET6, &v, 80, IPPROTO_TCP),
		       fx_real_af(test, AF_INET6, &r), 8080);
}

/* @t with bit @bit of its address word @w flipped, source (@src) or
 * destination.
 */
static struct ldir_tuple tuple_flip(const struct ldir_tuple *t, bool src,
				    int w, int bit)
{
	struct ldir_tuple bad = *t;

	(src ? &bad.saddr : &bad.daddr)->all[w] ^= htonl(1U << bit);
	return bad;
}

/* An IPv6 conn is found by both directions, each only its own way, and
 * by its whole addresses: any one word of any of them changed, it is
 * not. Its object comes from the IPv6 cache, of at most 160 bytes, and
 * an IPv4 conn's from the other, of at most 128.
 */
static void conn6_insert_lookup(struct kunit *test)
{
	struct ldir_link *l = fx_base6(test), *l4;
	struct ldir_tuple t = tuple6(IPPROTO_TCP, CIP6, 40000, VIP6, 80);
	struct ldir_tuple r = tuple6(IPPROTO_TCP, RIP6, 8080, CIP6, 40000);
	struct ldir_tuple t4 = tuple(IPPROTO_TCP, CIP, 40000, VIP, 80);
	union nf_inet_addr c = CIP6, v = VIP6, ra = RIP6;
	struct ldir_conn *cp, *cp4;
	struct ldir_tuple bad;
	int w, src;

	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	cp = conn_new(test, &t, l, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp);

	KUNIT_EXPECT_EQ(test, cp->family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&cp->caddr6, &c.in6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&cp->vaddr6, &v.in6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&cp->raddr6, &ra.in6));
	KUNIT_EXPECT_EQ(test, ntohs(cp->cport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(cp->vport), 80);
	KUNIT_EXPECT_EQ(test, ntohs(cp->rport), 8080);
	KUNIT_EXPECT_TRUE(test, expires_after(test, cp, LDIR_CONN_S_SYN_SENT));

	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &r, LDIR_DIR_REPLY), cp);
	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_REPLY));
	KUNIT_EXPECT_NULL(test, lookup(test, &r, LDIR_DIR_ORIG));

	/* the high bit and the low bit of every word */
	for (src = 0; src < 2; src++) {
		for (w = 0; w < 4; w++) {
			bad = tuple_flip(&t, src, w, 31);
			KUNIT_EXPECT_NULL_MSG(test, lookup(test, &bad, LDIR_DIR_ORIG),
					      "orig src %d word %d", src, w);
			bad = tuple_flip(&t, src, w, 0);
			KUNIT_EXPECT_NULL_MSG(test, lookup(test, &bad, LDIR_DIR_ORIG),
					      "orig src %d word %d", src, w);
			bad = tuple_flip(&r, src, w, 0);
			KUNIT_EXPECT_NULL_MSG(test, lookup(test, &bad, LDIR_DIR_REPLY),
					      "reply src %d word %d", src, w);
		}
	}
	/* Flips that cancel out in the hash, which folds each word of the
	 * source with one of the destination: these land in the conn's own
	 * bucket, where only comparing whole addresses tells them apart.
	 */
	for (w = 0; w < 4; w++) {
		bad = tuple_flip(&t, true, w, 8);
		bad = tuple_flip(&bad, false, (w + 2) % 4, 8);
		KUNIT_EXPECT_NULL_MSG(test, lookup(test, &bad, LDIR_DIR_ORIG),
				      "orig words %d, %d", w, (w + 2) % 4);
		bad = tuple_flip(&r, true, w, 8);
		bad = tuple_flip(&bad, false, (w + 2) % 4, 8);
		KUNIT_EXPECT_NULL_MSG(test, lookup(test, &bad, LDIR_DIR_REPLY),
				      "reply words %d, %d", w, (w + 2) % 4);
	}
	bad = t;
	bad.sport = htons(40001);
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));
	bad = t;
	bad.protocol = IPPROTO_UDP;
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));
	bad = t;
	bad.family = AF_INET;
	KUNIT_EXPECT_NULL(test, lookup(test, &bad, LDIR_DIR_ORIG));

	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 1);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 2);

	/* an IPv4 conn in the same table, from its own cache */
	l4 = fx_base(test);
	cp4 = conn_new(test, &t4, l4, 8080, LDIR_CONN_S_SYN_SENT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp4);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t4, LDIR_DIR_ORIG), cp4);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp);
	KUNIT_EXPECT_EQ(test, table_delta(test), 2);
	KUNIT_EXPECT_GE(test, ksize(cp), sizeof(struct ldir_conn));
	KUNIT_EXPECT_LE(test, ksize(cp), 160);
	KUNIT_EXPECT_GE(test, ksize(cp4), LDIR_CONN4_SIZE);
	KUNIT_EXPECT_LT(test, ksize(cp4), sizeof(struct ldir_conn));
	KUNIT_EXPECT_LE(test, ksize(cp4), 128);
}

/* IPv6 conns expire and are flushed like IPv4 ones, which stay. */
static void conn6_expire_flush(struct kunit *test)
{
	struct conn_fx *fx = test->priv;
	struct ldir_link *l = fx_base6(test), *l4 = fx_base(test);
	struct ldir_tuple t4 = tuple(IPPROTO_UDP, CIP, 40000, VIP, 80);
	struct ldir_conn *cp[3], *cp4;
	struct ldir_tuple t, r;
	int i;

	for (i = 0; i < ARRAY_SIZE(cp); i++) {
		t = tuple6(IPPROTO_TCP, CIP6, 42000 + i, VIP6, 80);
		cp[i] = conn_new(test, &t, l, 8080, LDIR_CONN_S_ESTABLISHED);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp[i]);
	}
	cp4 = conn_new(test, &t4, l4, 8080, LDIR_CONN_S_UDP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cp4);
	KUNIT_EXPECT_EQ(test, gc_all(test), 0);

	WRITE_ONCE(cp[0]->expires, jiffies - 1);
	KUNIT_EXPECT_EQ(test, gc_all(test), 1);
	t = tuple6(IPPROTO_TCP, CIP6, 42000, VIP6, 80);
	r = tuple6(IPPROTO_TCP, RIP6, 8080, CIP6, 42000);
	KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
	KUNIT_EXPECT_NULL(test, lookup(test, &r, LDIR_DIR_REPLY));
	t = tuple6(IPPROTO_TCP, CIP6, 42001, VIP6, 80);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t, LDIR_DIR_ORIG), cp[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 2);
	KUNIT_EXPECT_EQ(test, table_delta(test), 3);
	KUNIT_EXPECT_EQ(test, stat_delta(test, LDIR_STATS_A_CONNS_EXPIRED), 1);

	mutex_lock(&fx->ln->lock);
	KUNIT_EXPECT_EQ(test, ldir_conn_flush(fx->ln, NULL, NULL, l->real), 2);
	mutex_unlock(&fx->ln->lock);
	for (i = 0; i < ARRAY_SIZE(cp); i++) {
		t = tuple6(IPPROTO_TCP, CIP6, 42000 + i, VIP6, 80);
		r = tuple6(IPPROTO_TCP, RIP6, 8080, CIP6, 42000 + i);
		KUNIT_EXPECT_NULL(test, lookup(test, &t, LDIR_DIR_ORIG));
		KUNIT_EXPECT_NULL(test, lookup(test, &r, LDIR_DIR_REPLY));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&l->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->real->conns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->virt->conns), 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(test, &t4, LDIR_DIR_ORIG), cp4);
	KUNIT_EXPECT_EQ(test, table_delta(test), 1);

	/* the conns' link references go with them, after a grace period */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&l->refcnt), 1);
}

static struct kunit_case ldir_conn_cases[] = {
	KUNIT_CASE(conn_insert_lookup),
	KUNIT_CASE(conn_same_flow),
	KUNIT_CASE(conn_reply_clash),
	KUNIT_CASE(conn_removed),
	KUNIT_CASE(conn_virtual_stats),
	KUNIT_CASE(conn_tcp_states),
	KUNIT_CASE(conn_tcp_active),
	KUNIT_CASE(conn_rst_seq),
	KUNIT_CASE(conn_adopted),
	KUNIT_CASE(conn_sync_confirm),
	KUNIT_CASE(conn_sync_rec),
	KUNIT_CASE(conn_sync_peer),
	KUNIT_CASE(conn_sync_digest),
	KUNIT_CASE(conn_seq_window),
	KUNIT_CASE(conn_fast_refresh),
	KUNIT_CASE(conn_expire),
	KUNIT_CASE(conn_gc_slices),
	KUNIT_CASE(conn_gc_odd_slices),
	KUNIT_CASE(conn_bound),
	KUNIT_CASE(conn_evict_oldest),
	KUNIT_CASE(conn_evict_established_never),
	KUNIT_CASE(conn_embryonic_bound),
	KUNIT_CASE(conn_flush),
	KUNIT_CASE(conn_unlinked),
	KUNIT_CASE(conn_many),
	KUNIT_CASE(conn_flush_races_kill),
	KUNIT_CASE(conn_real_filter),
	KUNIT_CASE(conn6_insert_lookup),
	KUNIT_CASE(conn6_expire_flush),
	{}
};

static struct kunit_suite ldir_conn_suite = {
	.name = "ldir_conn",
	.init = conn_init,
	.exit = conn_exit,
	.test_cases = ldir_conn_cases,
};

kunit_test_suite(ldir_conn_suite);
