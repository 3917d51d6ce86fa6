/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conn sync, the kernel half: the packet path turns a conn's confirmation,
 * state change, refresh or removal into a record on a per-CPU queue; a
 * work item hands them, in order, to netlink. And the virtuals' digests.
 */
#ifndef _LDIR_SYNC_H
#define _LDIR_SYNC_H

#include "ldir.h"

/* A conn as a peer director needs it, copied at enqueue time: the work
 * that sends it never touches the conn.
 */
struct ldir_sync_rec {
	union nf_inet_addr caddr, vaddr, raddr;
	union nf_inet_addr vkaddr;	/* the link's virtual's key */
	union nf_inet_addr rkaddr;	/* the linked real's key */
	u64 stamp;			/* ns, ktime_get_ns(): merge order */
	u64 digest;			/* the virtual's, see ldir_sync_digest() */
	u32 bind_id;
	u32 expires_ms;			/* lifetime left */
	__be16 cport, vport, rport;
	__be16 vkport, rkport;
	u8 family, protocol, state;
	bool removed;
};

/* What the sync layer asks of netlink, which sits above it: set once at
 * module init (ldir_sync_set_ops()).
 */
struct ldir_sync_ops {
	/* does a socket of @ln's netns listen to the sync group? */
	bool (*listening)(struct ldir_net *ln);
	/* multicast @n records in this order; @lost: the queue drops so
	 * far. Process context, from the instance's sync work only.
	 */
	void (*emit)(struct ldir_net *ln, const struct ldir_sync_rec *const *rec,
		     unsigned int n, u64 lost);
};

void ldir_sync_set_ops(const struct ldir_sync_ops *ops);

void ldir_sync_rec_fill(struct ldir_sync_rec *rec, const struct ldir_conn *cp,
			bool removed);
void ldir_sync_conn(struct ldir_net *ln, const struct ldir_conn *cp,
		    bool removed);
/* Is @state one a peer takes (not embryonic)? */
static inline bool ldir_sync_state(u8 state)
{
	return state >= LDIR_CONN_S_ESTABLISHED && state <= LDIR_CONN_S_UDP;
}

/* Configuration digests: identical on every director for the same
 * configuration (a fixed key).
 */
u64 ldir_sync_digest_base(const char *sched, u32 flags);
u64 ldir_sync_digest_link(u16 family, const union nf_inet_addr *raddr,
			  __be16 rport, __be16 lport);

void ldir_sync_prepare(struct ldir_net *ln);
void ldir_sync_net_init(struct ldir_net *ln);
void ldir_sync_net_exit(struct ldir_net *ln);

#endif /* _LDIR_SYNC_H */
