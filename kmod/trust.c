// SPDX-License-Identifier: GPL-2.0
/*
 * The trust model: CAP_NET_ADMIN in the initial user namespace runs ldir;
 * a user namespace only when the host admin delegates, charged and capped.
 */
#include <linux/capability.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/user_namespace.h>

#include "trust.h"

/* Off: every operation needs CAP_NET_ADMIN in the initial user namespace,
 * as IPVS does. On: the root of a user namespace (CAP_NET_ADMIN over the
 * netns's owner) runs ldir in the netns it owns. Only the init root can
 * write it (sysfs); it is read at each request.
 */
static bool userns_delegate;
module_param(userns_delegate, bool, 0644);
MODULE_PARM_DESC(userns_delegate,
		 "let a user namespace's root run ldir in the network namespaces it owns, charged to its memory cgroup and within caps it cannot raise (default: off)");

/* The sender and the opener of the socket have CAP_NET_ADMIN in the
 * initial user namespace: the host's admin, who may do anything.
 */
bool ldir_trust_is_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_NET_ADMIN);
}

/* May the sender of @skb run ldir in @net? The family's ops already ask
 * for CAP_NET_ADMIN over @net's user namespace (GENL_UNS_ADMIN_PERM): a
 * user without it never gets here.
 */
int ldir_trust_check(const struct sk_buff *skb, struct net *net,
		     struct netlink_ext_ack *extack)
{
	if (ldir_trust_is_admin(skb))
		return 0;
	if (!READ_ONCE(userns_delegate)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "needs CAP_NET_ADMIN in the initial user namespace (the host admin has not delegated ldir to user namespaces: ldir.userns_delegate)");
		return -EPERM;
	}
	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "needs CAP_NET_ADMIN over the network namespace's user namespace");
		return -EPERM;
	}
	return 0;
}

/* The request that makes the instance of a netns that a user namespace
 * owns names the owner: what the packet path and the workers allocate for
 * it is charged to the memory cgroup of the task that sent it, until the
 * netns goes. The init namespace's instances charge nobody there, as
 * before. Called before the instance is published.
 */
void ldir_trust_owner_set(struct ldir_net *ln)
{
	if (ln->net->user_ns == &init_user_ns)
		return;
	/* NULL if memory cgroups are off */
	ln->memcg = get_mem_cgroup_from_mm(current->mm);
}

/* At netns exit, once nothing can allocate for @ln any more. */
void ldir_trust_owner_put(struct ldir_net *ln)
{
	mem_cgroup_put(ln->memcg);
	ln->memcg = NULL;
}
