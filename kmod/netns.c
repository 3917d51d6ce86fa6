// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: set up with the namespace, torn down with
 * it: hooks first, then conns, then objects.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "model.h"
#include "conntab.h"
#include "health.h"
#include "hooks.h"
#include "fastpath.h"
#include "select.h"
#include "sync.h"
#include "trust.h"

/* Default timeouts in seconds, by enum ldir_conn_state (IPVS-like). */
static const u32 ldir_default_timeout[__LDIR_CONN_S_MAX] = {
	[LDIR_CONN_S_NONE]		= 2,
	[LDIR_CONN_S_SYN_SENT]		= 30,
	[LDIR_CONN_S_SYN_RECV]		= 30,
	[LDIR_CONN_S_ESTABLISHED]	= 900,
	[LDIR_CONN_S_FIN_WAIT]		= 60,
	[LDIR_CONN_S_TIME_WAIT]		= 60,
	[LDIR_CONN_S_CLOSE]		= 10,
	[LDIR_CONN_S_UDP]		= 300,
};

static unsigned int conn_max = 1 << 20;
module_param(conn_max, uint, 0444);
MODULE_PARM_DESC(conn_max, "default bound of each netns conn table");

/* A user namespace may lower its conn-max, not raise it past this. */
u32 ldir_conn_max_default(void)
{
	return conn_max ?: 1;
}

void ldir_stats_sum(struct ldir_stats __percpu *s, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __LDIR_STATS_A_MAX);
	for_each_possible_cpu(cpu) {
		const struct ldir_stats *p = per_cpu_ptr(s, cpu);

		for (i = 0; i < __LDIR_STATS_A_MAX; i++)
			out[i] += READ_ONCE(p->cnt[i]);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ldir_stats_sum);

/* A config change: running dumps see it and are flagged NLM_F_DUMP_INTR. */
void ldir_net_changed(struct ldir_net *ln)
{
	lockdep_assert_held(&ln->lock);
	ln->gen++;
	if (!ln->gen)
		ln->gen++;
}

static int ldir_net_init(struct ldir_net *ln, struct net *net)
{
	int i;

	ln->net = net;
	mutex_init(&ln->lock);
	ln->gen = 1;
	INIT_LIST_HEAD(&ln->virtuals);
	INIT_LIST_HEAD(&ln->reals);
	INIT_LIST_HEAD(&ln->links);
	for (i = 0; i < ARRAY_SIZE(ln->vtab); i++)
		INIT_HLIST_HEAD(&ln->vtab[i]);
	get_random_bytes(&ln->vkey, sizeof(ln->vkey));
	ln->conn_max = ldir_conn_max_default();
	ln->virtual_max = LDIR_VIRTUALS_MAX;
	ln->real_max = LDIR_REALS_MAX;
	ln->link_max = LDIR_LINKS_MAX;
	ln->bind_max = LDIR_BINDS_MAX;
	for (i = 0; i < __LDIR_CONN_S_MAX; i++)
		ln->timeout[i] = ldir_default_timeout[i] * HZ;
	ln->syn_resends = 2;
	/* half of TCP's initial retransmission timeout (RFC 6298: 1 s) */
	ln->syn_resend_gap_ms = 500;
	ln->retry_interval = 30 * HZ;
	ln->pr_age_div = 4;		/* k in PR */
	ln->pr_clamp_pct = 25;
	ln->timeout_syn_pressure = 3 * HZ;
	ldir_event_net_init(ln);
	ldir_sync_net_init(ln);
	atomic_set(&ln->nfailed, 0);

	ln->stats = alloc_percpu_gfp(struct ldir_stats, GFP_KERNEL_ACCOUNT);
	if (!ln->stats)
		return -ENOMEM;
	ldir_conn_table_init(ln);
	ldir_hash_net_init(ln);
	ldir_fpa_table_init(ln);
	ldir_bind_table_init(ln);
	ldir_fastpath_net_init(ln);
	return 0;
}

/* Serialises the creation of instances. */
static DEFINE_MUTEX(create_lock);

/* Returns the instance of @net, made by the first request that needs it:
 * charged to the caller, whose memory cgroup stays the owner's (trust.c).
 * NULL if it cannot be allocated.
 */
struct ldir_net *ldir_net_create(struct net *net)
{
	struct ldir_net **slot = net_generic(net, ldir_net_id);
	struct ldir_net *ln = ldir_pernet(net);

	if (ln)
		return ln;
	mutex_lock(&create_lock);
	ln = *slot;
	if (ln)
		goto out;
	ln = kvzalloc(sizeof(*ln), GFP_KERNEL_ACCOUNT);
	if (!ln)
		goto out;
	if (ldir_net_init(ln, net)) {
		kvfree(ln);
		ln = NULL;
		goto out;
	}
	ldir_trust_owner_set(ln);
	/* the instance is whole before anyone sees it */
	smp_store_release(slot, ln);
out:
	mutex_unlock(&create_lock);
	return ln;
}
EXPORT_SYMBOL_IF_KUNIT(ldir_net_create);

/* The hooks go first: the netns core waits for one grace period after
 * every pre_exit of the batch, so that when ldir_net_exit() runs no
 * packet is on its way through ldir, and it tears down without waiting.
 */
static void __net_exit ldir_net_pre_exit(struct net *net)
{
	struct ldir_net *ln = ldir_pernet(net);

	if (!ln)
		return;		/* never configured */
	ldir_fastpath_net_exit(ln);
	mutex_lock(&ln->lock);
	ldir_hooks_unregister(ln);
	mutex_unlock(&ln->lock);
}

static void __net_exit ldir_net_exit(struct net *net)
{
	struct ldir_net *ln = ldir_pernet(net);

	if (!ln)
		return;
	mutex_lock(&ln->lock);
	ldir_objects_flush(ln);
	mutex_unlock(&ln->lock);
	/* no hook is left to queue it; it takes ln->lock, so not above */
	cancel_work_sync(&ln->event_work);
	ldir_fastpath_net_uninit(ln);
	/* no RCU callback of ours touches ln: it may go with the netns
	 * while the objects' callbacks are still pending
	 */
	ldir_hash_net_exit(ln);
	ldir_fpa_table_uninit(ln);
	ldir_bind_table_uninit(ln);
	ldir_conn_table_uninit(ln);
	ldir_sync_net_exit(ln);
	free_percpu(ln->stats);
	ldir_trust_owner_put(ln);
	kvfree(ln);
}

static struct pernet_operations ldir_net_ops = {
	.pre_exit = ldir_net_pre_exit,
	.exit = ldir_net_exit,
	.id = &ldir_net_id,
	.size = sizeof(struct ldir_net *),
};

int ldir_netns_init(void)
{
	return register_pernet_subsys(&ldir_net_ops);
}

void ldir_netns_uninit(void)
{
	unregister_pernet_subsys(&ldir_net_ops);
}
