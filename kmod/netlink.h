/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ldir" generic netlink family: configuration and dumps.
 */
#ifndef _LDIR_NETLINK_H
#define _LDIR_NETLINK_H

struct work_struct;

int ldir_netlink_init(void);
void ldir_event_work(struct work_struct *work);
void ldir_netlink_uninit(void);

#endif /* _LDIR_NETLINK_H */
