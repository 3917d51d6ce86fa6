// SPDX-License-Identifier: GPL-2.0
/*
 * ldir module entry: wires the layers together (the callbacks a lower
 * layer makes into a higher one are set here), brings up the schedulers,
 * the per-netns state and the netlink family, and takes them apart in
 * reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "model.h"
#include "select.h"
#include "conntab.h"
#include "health.h"
#include "sync.h"
#include "netlink.h"

/* the conn table's callbacks: it sits below the schedulers */
static const struct ldir_conntab_ops conntab_ops = {
	.load_down = ldir_real_changed,
};

/* conn sync's: the queues are below the netlink family */
static const struct ldir_sync_ops sync_ops = {
	.listening = ldir_nl_sync_listening,
	.emit = ldir_nl_sync_emit,
};

static int __init ldir_init(void)
{
	int ret;

	ldir_conntab_set_ops(&conntab_ops);
	ldir_sync_set_ops(&sync_ops);
	ldir_event_register(ldir_event_work);
	ret = ldir_conn_cache_init();
	if (ret)
		goto err;
	ret = ldir_sched_init();
	if (ret)
		goto err_cache;
	ret = ldir_netns_init();
	if (ret)
		goto err_sched;
	ret = ldir_netlink_init();
	if (ret)
		goto err_netns;

	pr_info("LocalDirector load balancer loaded\n");
	return 0;

err_netns:
	ldir_netns_uninit();
err_sched:
	ldir_sched_uninit();
err_cache:
	ldir_conn_cache_uninit();
err:
	return ret;
}

static void __exit ldir_exit(void)
{
	ldir_netlink_uninit();
	ldir_netns_uninit();
	ldir_sched_uninit();
	ldir_conn_cache_uninit();
}

module_init(ldir_init);
module_exit(ldir_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ldir: LocalDirector layer-4 NAT load balancer");
MODULE_AUTHOR("ldir developers");
MODULE_ALIAS_GENL_FAMILY("ldir");
