/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites share (kunit.c): the addresses of their
 * fixtures.
 */
#ifndef _LDIR_KUNIT_H
#define _LDIR_KUNIT_H

#include <linux/netfilter.h>

union nf_inet_addr ldir_kunit_ip6(u16 net, u16 host);

#endif /* _LDIR_KUNIT_H */
