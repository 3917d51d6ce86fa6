/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ldir" generic netlink family: configuration and dumps.
 */
#ifndef _LDIR_NETLINK_H
#define _LDIR_NETLINK_H

int ldir_netlink_init(void);
void ldir_netlink_uninit(void);

#endif /* _LDIR_NETLINK_H */
