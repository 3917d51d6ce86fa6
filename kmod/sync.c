// SPDX-License-Identifier: GPL-2.0
/*
 * Conn sync, the kernel half. The packet path copies a conn into a record
 * on its CPU's queue (a lock no other CPU takes but the drainer); a work
 * item swaps the queues out, puts the records in time order and hands them
 * to netlink (nl/sync.c), which batches them into multicast messages. The
 * queues come with the first record a listener wants, so a director
 * without a sync daemon pays one netlink_has_listeners() per confirmed
 * conn and nothing else. No netlink here.
 */
#include <linux/siphash.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "sync.h"
#include "trust.h"

/* records per CPU and buffer; two buffers, one filling, one draining */
#define SYNC_QLEN	512
/* a record waits this long for others to share its message */
#define SYNC_DELAY	max(HZ / 100, 1)

struct ldir_sync_cpu {
	spinlock_t lock;		/* the CPU's producers, the drainer */
	unsigned int cur;		/* the buffer producers fill */
	unsigned int n[2];
	struct ldir_sync_rec *rec[2];
};

static const struct ldir_sync_ops *sync_ops;

void ldir_sync_set_ops(const struct ldir_sync_ops *ops)
{
	sync_ops = ops;
}

/* The digests' key: fixed, so that every director computes the same. */
static const siphash_key_t digest_key = {
	{ 0x6c6469722d73796eULL, 0x632d646967657374ULL }
};

/* The scheme and flags of a virtual: its part of the digest. */
u64 ldir_sync_digest_base(const char *sched, u32 flags)
{
	struct {
		char name[LDIR_SCHED_NAME_MAX];
		u32 flags;
	} k = { .flags = flags };

	strscpy(k.name, sched, sizeof(k.name));
	return siphash(&k, sizeof(k), &digest_key);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sync_digest_base);

/* A link's part of its virtual's digest: the real's key and the link's
 * port. The parts are added: the digest does not depend on the order the
 * links were made in.
 */
u64 ldir_sync_digest_link(u16 family, const union nf_inet_addr *raddr,
			  __be16 rport, __be16 lport)
{
	struct {
		union nf_inet_addr addr;
		u16 family;
		__be16 rport, lport;
		u16 pad;
	} k = { .addr = *raddr, .family = family, .rport = rport,
		.lport = lport };

	return siphash(&k, sizeof(k), &digest_key);
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sync_digest_link);

/* @cp as a record: its tuple, its link's ends, state, lifetime left. The
 * conn holds its link, which holds its virtual and real: all valid here.
 */
void ldir_sync_rec_fill(struct ldir_sync_rec *rec, const struct ldir_conn *cp,
			bool removed)
{
	const struct ldir_link *l = cp->link;
	s32 left = (s32)(READ_ONCE(cp->expires) - (u32)jiffies);

	ldir_conn_caddr(&rec->caddr, cp);
	ldir_conn_vaddr(&rec->vaddr, cp);
	ldir_conn_raddr(&rec->raddr, cp);
	rec->vkaddr = l->virt->addr;
	rec->rkaddr = l->real->addr;
	rec->digest = READ_ONCE(l->virt->digest);
	rec->bind_id = l->virt->bind_id;
	rec->expires_ms = left > 0 ? jiffies_to_msecs(left) : 0;
	rec->cport = cp->cport;
	rec->vport = cp->vport;
	rec->rport = cp->rport;
	rec->vkport = l->virt->port;
	rec->rkport = l->real->port;
	rec->family = cp->family;
	rec->protocol = cp->protocol;
	rec->state = READ_ONCE(cp->state);
	rec->removed = removed;
	rec->stamp = 0;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_sync_rec_fill);

static void sync_kick(struct ldir_net *ln)
{
	queue_delayed_work(system_wq, &ln->sync.work, SYNC_DELAY);
}

/* Queues a record of @cp for the peers, if a daemon listens. Any context
 * (softirq, or process context under a bucket lock); takes its CPU's
 * queue lock only. A full queue drops the record and counts it: the
 * daemon sees the count in the next message and resyncs.
 */
void ldir_sync_conn(struct ldir_net *ln, const struct ldir_conn *cp,
		    bool removed)
{
	struct ldir_sync_cpu __percpu *pq;
	struct ldir_sync_cpu *q;
	struct ldir_sync_rec *rec;
	unsigned int n;

	if (!sync_ops || !sync_ops->listening(ln))
		return;
	/* pairs with smp_store_release() in sync_alloc() */
	pq = smp_load_acquire(&ln->sync.cpu);
	local_bh_disable();
	if (unlikely(!pq)) {
		/* the first record: the work makes the queues */
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_SYNC_QUEUE_DROP);
		sync_kick(ln);
		local_bh_enable();
		return;
	}
	q = this_cpu_ptr(pq);
	spin_lock(&q->lock);
	n = q->n[q->cur];
	if (unlikely(n >= SYNC_QLEN)) {
		spin_unlock(&q->lock);
		LDIR_STATS_INC(ln->stats, LDIR_STATS_A_SYNC_QUEUE_DROP);
		local_bh_enable();
		return;
	}
	rec = &q->rec[q->cur][n];
	ldir_sync_rec_fill(rec, cp, removed);
	/* under the lock: a CPU's records are in stamp order */
	rec->stamp = ktime_get_ns();
	q->n[q->cur] = n + 1;
	spin_unlock(&q->lock);
	/* the first record of a batch brings the drainer */
	if (!n)
		sync_kick(ln);
	local_bh_enable();
}

/* Makes the queues; under ln->lock: see ldir_sync_prepare(). */
static void sync_alloc(struct ldir_net *ln)
{
	struct ldir_sync_cpu __percpu *pq;
	struct ldir_sync_rec *recs;
	struct mem_cgroup *old;
	unsigned int cpu, i = 0;

	lockdep_assert_held(&ln->lock);
	old = ldir_charge_begin(ln);
	ln->sync.order = kvcalloc(nr_cpu_ids * SYNC_QLEN,
				  sizeof(*ln->sync.order), GFP_KERNEL_ACCOUNT);
	recs = kvcalloc(nr_cpu_ids * 2 * SYNC_QLEN, sizeof(*recs),
			GFP_KERNEL_ACCOUNT);
	pq = alloc_percpu_gfp(struct ldir_sync_cpu, GFP_KERNEL_ACCOUNT);
	ldir_charge_end(old);
	if (!ln->sync.order || !recs || !pq) {
		kvfree(ln->sync.order);
		ln->sync.order = NULL;
		kvfree(recs);
		free_percpu(pq);
		return;
	}
	ln->sync.recs = recs;
	for_each_possible_cpu(cpu) {
		struct ldir_sync_cpu *q = per_cpu_ptr(pq, cpu);

		spin_lock_init(&q->lock);
		q->rec[0] = &recs[i];
		q->rec[1] = &recs[i + SYNC_QLEN];
		i += 2 * SYNC_QLEN;
	}
	/* the queues are whole before a producer sees them */
	smp_store_release(&ln->sync.cpu, pq);
}

/* Makes the queues, if they are not there yet: process context. A daemon
 * makes them before any record is due by its first bulk resync (the conn
 * dump with LDIR_A_SYNCABLE); failing that, the first record a listener
 * wants is dropped, counted, and has the work make them.
 */
void ldir_sync_prepare(struct ldir_net *ln)
{
	mutex_lock(&ln->lock);
	if (!ln->sync.cpu)
		sync_alloc(ln);
	mutex_unlock(&ln->lock);
}

static int stamp_cmp(const void *a, const void *b)
{
	const struct ldir_sync_rec *x = *(const struct ldir_sync_rec **)a;
	const struct ldir_sync_rec *y = *(const struct ldir_sync_rec **)b;

	return x->stamp < y->stamp ? -1 : x->stamp > y->stamp;
}

/* Swaps every CPU's buffer out, orders the records by time (the state
 * changes of one conn may come from CPUs of both directions) and hands
 * them to netlink; then the buffers are free for the next swap. The only
 * drainer: a work item never runs twice at once.
 */
static void sync_work(struct work_struct *work)
{
	struct ldir_net *ln = container_of(to_delayed_work(work),
					   struct ldir_net, sync.work);
	struct ldir_sync_cpu __percpu *pq = ln->sync.cpu;
	unsigned int cpu, n = 0, i;
	u64 lost = 0;

	if (!pq) {
		ldir_sync_prepare(ln);
		return;
	}
	for_each_possible_cpu(cpu) {
		struct ldir_sync_cpu *q = per_cpu_ptr(pq, cpu);
		unsigned int idx;

		spin_lock_bh(&q->lock);
		idx = q->cur;
		q->cur = !idx;
		spin_unlock_bh(&q->lock);
		for (i = 0; i < q->n[idx]; i++)
			ln->sync.order[n++] = &q->rec[idx][i];
	}
	if (n) {
		sort(ln->sync.order, n, sizeof(*ln->sync.order), stamp_cmp,
		     NULL);
		for_each_possible_cpu(cpu)
			lost += per_cpu_ptr(ln->stats, cpu)->cnt[LDIR_STATS_A_SYNC_QUEUE_DROP];
		if (sync_ops)
			sync_ops->emit(ln, (const struct ldir_sync_rec *const *)
				       ln->sync.order, n, lost);
	}
	/* the drained buffers take records again at the next swap */
	for_each_possible_cpu(cpu) {
		struct ldir_sync_cpu *q = per_cpu_ptr(pq, cpu);

		spin_lock_bh(&q->lock);
		q->n[!q->cur] = 0;
		spin_unlock_bh(&q->lock);
	}
}

void ldir_sync_net_init(struct ldir_net *ln)
{
	INIT_DELAYED_WORK(&ln->sync.work, sync_work);
}

/* No producer is left: the hooks are gone and the table is empty. */
void ldir_sync_net_exit(struct ldir_net *ln)
{
	cancel_delayed_work_sync(&ln->sync.work);
	free_percpu(ln->sync.cpu);
	kvfree(ln->sync.recs);
	kvfree(ln->sync.order);
}
