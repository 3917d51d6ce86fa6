/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ldir" generic netlink family: configuration and dumps.
 */
#ifndef _LDIR_NETLINK_H
#define _LDIR_NETLINK_H

struct work_struct;
struct ldir_net;
struct ldir_sync_rec;

int ldir_netlink_init(void);
void ldir_event_work(struct work_struct *work);
void ldir_netlink_uninit(void);

/* conn sync: the sync layer's ops (sync.h) */
bool ldir_nl_sync_listening(struct ldir_net *ln);
void ldir_nl_sync_emit(struct ldir_net *ln,
		       const struct ldir_sync_rec *const *rec, unsigned int n,
		       u64 lost);

#endif /* _LDIR_NETLINK_H */
