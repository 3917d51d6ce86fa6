/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, in one place: ldir builds against Debian's
 * 6.1 and 6.12 kernels and the test kernel.
 */
#ifndef _LDIR_COMPAT_H
#define _LDIR_COMPAT_H

#include <linux/version.h>
#include <kunit/visibility.h>
#include <net/genetlink.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define LDIR_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define LDIR_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/* the ops a family's pre_doit() is given: split ops since 6.2 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define LDIR_GENL_OPS	genl_split_ops
#else
#define LDIR_GENL_OPS	genl_ops
#endif

/* a dump's request attributes, parsed by the op's policy */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define LDIR_DUMP_ATTRS(cb)	(genl_dumpit_info(cb)->info.attrs)
#else
#define LDIR_DUMP_ATTRS(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/* A multicast group only CAP_NET_ADMIN over the netns's owner may join:
 * the flag came in 6.7 and went back to the 6.1 and 6.6 stable kernels
 * (Debian's 6.1 has it). An older kernel has no hook to refuse a join at
 * all: there, anyone in the netns can listen to the events.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define LDIR_MCGRP_F_ADMIN	GENL_MCAST_CAP_NET_ADMIN
#else
#define LDIR_MCGRP_F_ADMIN	0
#endif

#endif /* _LDIR_COMPAT_H */
