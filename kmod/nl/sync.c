// SPDX-License-Identifier: GPL-2.0
/*
 * Conn sync over netlink: the records the sync layer queued, multicast on
 * the "sync" group in LDIR_CMD_SYNC messages, as many as fit in each.
 */
#include "nl.h"
#include "netlink.h"
#include "sync.h"

/* Off while the family is not registered: no record is made then. */
static bool sync_on;

bool ldir_nl_sync_listening(struct ldir_net *ln)
{
	bool on;

	rcu_read_lock();
	on = READ_ONCE(sync_on) &&
	     genl_has_listeners(&ldir_nl_family, ln->net, LDIR_NL_MCGRP_SYNC);
	rcu_read_unlock();
	return on;
}

/* A message with its header: SEQ, LOST, and the LDIR_A_SYNC nest left
 * open in *@nest for the records.
 */
static struct sk_buff *msg_start(struct ldir_net *ln, u64 lost,
				 void **hdr, struct nlattr **nest)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &ldir_nl_family, 0, LDIR_CMD_SYNC);
	*nest = *hdr ? nla_nest_start(msg, LDIR_A_SYNC) : NULL;
	if (!*nest ||
	    nla_put_u32(msg, LDIR_SYNC_A_SEQ, ln->sync.seq + 1) ||
	    nla_put_u64_64bit(msg, LDIR_SYNC_A_LOST, lost, LDIR_SYNC_A_PAD)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void msg_send(struct ldir_net *ln, struct sk_buff *msg, void *hdr,
		     struct nlattr *nest, unsigned int n)
{
	int ret;

	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	ret = genlmsg_multicast_netns(&ldir_nl_family, ln->net, msg, 0,
				      LDIR_NL_MCGRP_SYNC, GFP_KERNEL);
	/* a listener's full socket loses it (ENOBUFS): the daemon sees the
	 * sequence number skip
	 */
	ln->sync.seq++;
	if (ret != -ESRCH)
		LDIR_STATS_ADD(ln->stats, LDIR_STATS_A_SYNC_SENT, n);
}

/* Multicasts @n records in order, as many in each message as fit. From
 * the sync work only: ln->sync.seq is its.
 */
void ldir_nl_sync_emit(struct ldir_net *ln,
		       const struct ldir_sync_rec *const *rec, unsigned int n,
		       u64 lost)
{
	struct sk_buff *msg = NULL;
	struct nlattr *nest = NULL;
	unsigned int i = 0, in = 0;
	void *hdr = NULL;

	if (!READ_ONCE(sync_on))
		return;
	while (i < n) {
		if (!msg) {
			msg = msg_start(ln, lost, &hdr, &nest);
			if (!msg)
				return;
			in = 0;
		}
		if (!ldir_nl_put_conn_rec(msg, LDIR_SYNC_A_CONN, rec[i])) {
			i++;
			in++;
			continue;
		}
		/* full: a record always fits an empty message */
		if (WARN_ON_ONCE(!in)) {
			nlmsg_free(msg);
			return;
		}
		msg_send(ln, msg, hdr, nest, in);
		msg = NULL;
	}
	if (msg)
		msg_send(ln, msg, hdr, nest, in);
}

void ldir_nl_sync_start(void)
{
	WRITE_ONCE(sync_on, true);
}

/* Before the family goes: no record is made or sent any more once every
 * CPU is past its read of sync_on.
 */
void ldir_nl_sync_stop(void)
{
	WRITE_ONCE(sync_on, false);
	synchronize_rcu();
}
