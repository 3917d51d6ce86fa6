// SPDX-License-Identifier: GPL-2.0
/*
 * Events: what the packet path changed (reals failed or recovered,
 * virtuals with no real left, SYN pressure), multicast to the events group.
 */
#include "nl.h"
#include "netlink.h"

/* Multicasts the event @type about @v or @r (either may be NULL).
 * Caller holds ln->lock.
 */
static void notify(struct ldir_net *ln, u8 type, struct ldir_virtual *v,
		   struct ldir_real *r)
{
	struct sk_buff *msg;
	struct nlattr *ev;
	void *hdr;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ldir_nl_family, 0, LDIR_CMD_EVENT);
	if (!hdr)
		goto nospace;
	ev = nla_nest_start(msg, LDIR_A_EVENT);
	if (!ev || nla_put_u8(msg, LDIR_EVENT_A_TYPE, type))
		goto nospace;
	if (r && ldir_nl_put_real(msg, LDIR_EVENT_A_REAL, ln, r, LDIR_NL_EVENT))
		goto nospace;
	if (v && ldir_nl_put_virtual(msg, LDIR_EVENT_A_VIRTUAL, ln, v,
				     LDIR_NL_EVENT))
		goto nospace;
	if ((type == LDIR_EVENT_PRESSURE_START ||
	     type == LDIR_EVENT_PRESSURE_END) &&
	    (nla_put_u32(msg, LDIR_EVENT_A_CONN_COUNT,
			 atomic_read(&ln->conns.count)) ||
	     nla_put_u32(msg, LDIR_EVENT_A_EMBRYONIC,
			 atomic_read(&ln->conns.embryonic))))
		goto nospace;
	nla_nest_end(msg, ev);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ldir_nl_family, ln->net, msg, 0, 0,
				GFP_KERNEL);
	return;
nospace:
	nlmsg_free(msg);
}

/* @addr:@port of @family as a sockaddr, for "%pISpc" in log lines. */
static struct sockaddr *endpoint(struct sockaddr_storage *ss, u16 family,
				 const union nf_inet_addr *addr, __be16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = addr->ip;
		sin->sin_port = port;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = addr->in6;
		sin6->sin6_port = port;
	}
	return (struct sockaddr *)ss;
}

/* Reports what changed since the last run: reals failed by the packet
 * path or recovered by a probe, states set by hand, virtuals whose reals
 * all failed. Comparing with the last reported state, rather than
 * queueing each change, coalesces a burst into one event per object.
 */
void ldir_event_work(struct work_struct *work)
{
	struct ldir_net *ln = container_of(work, struct ldir_net, event_work);
	struct ldir_virtual *v;
	struct mem_cgroup *prev_memcg;
	bool changed = false;
	struct sockaddr_storage ss;
	struct ldir_real *r;

	prev_memcg = ldir_charge_begin(ln);
	mutex_lock(&ln->lock);
	list_for_each_entry(r, &ln->reals, node) {
		u8 state = READ_ONCE(r->state), old = r->reported_state;
		u8 type;

		if (state == old)
			continue;
		r->reported_state = state;
		changed = true;
		if (state == LDIR_STATE_FAILED) {
			type = LDIR_EVENT_REAL_FAILED;
			pr_warn_ratelimited("ldir: real %pISpc failed: %d connections ditched in a row\n",
					    endpoint(&ss, r->family, &r->addr,
						     r->port),
					    atomic_read(&r->ditch_consec));
		} else if (old == LDIR_STATE_FAILED &&
			   state == LDIR_STATE_IN) {
			type = LDIR_EVENT_REAL_RECOVERED;
			pr_info_ratelimited("ldir: real %pISpc recovered\n",
					    endpoint(&ss, r->family, &r->addr,
						     r->port));
		} else {
			type = LDIR_EVENT_REAL_STATE;
		}
		notify(ln, type, NULL, r);
	}
	list_for_each_entry(v, &ln->virtuals, node) {
		bool failed = ldir_virtual_failed(v);

		if (failed == v->reported_failed)
			continue;
		v->reported_failed = failed;
		if (failed)
			pr_warn_ratelimited("ldir: virtual %pISpc failed: all its reals failed\n",
					    endpoint(&ss, v->family, &v->addr,
						     v->port));
		notify(ln, failed ? LDIR_EVENT_VIRTUAL_FAILED :
		       LDIR_EVENT_VIRTUAL_RECOVERED, v, NULL);
	}
	/* SYN pressure: on and off at most once a second each (conn.c) */
	if (ldir_conn_pressure(ln) != ln->reported_pressure) {
		ln->reported_pressure = !ln->reported_pressure;
		if (ln->reported_pressure)
			pr_info_ratelimited("ldir: SYN pressure: %d embryonic conns (bound %u), %d conns (max %u); embryonic conns evicted, their timeout %u s\n",
					    atomic_read(&ln->conns.embryonic),
					    ldir_conn_embryonic_max(ln),
					    atomic_read(&ln->conns.count),
					    READ_ONCE(ln->conn_max),
					    READ_ONCE(ln->timeout_syn_pressure) / HZ);
		else
			pr_info_ratelimited("ldir: SYN pressure over\n");
		notify(ln, ln->reported_pressure ?
		       LDIR_EVENT_PRESSURE_START : LDIR_EVENT_PRESSURE_END,
		       NULL, NULL);
	}
	/* the hashing schemes' tables list the usable reals */
	if (changed)
		ldir_hash_refresh(ln);
	mutex_unlock(&ln->lock);
	ldir_charge_end(prev_memcg);
}
