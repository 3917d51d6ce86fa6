// SPDX-License-Identifier: GPL-2.0
/*
 * ldir_kunit.ko: the KUnit suites of ldir, one file per object under test
 * (kunit_nat.c, kunit_nat6.c, kunit_sched.c, kunit_conn.c, kunit_hash.c,
 * kunit_fpa.c, kunit_fastpath.c); they run when it is loaded.
 */
#include <linux/module.h>
#include <kunit/test.h>

#include "compat.h"
#include "kunit.h"

/* 2001:db8:@net::@host, of the documentation prefix */
union nf_inet_addr ldir_kunit_ip6(u16 net, u16 host)
{
	union nf_inet_addr a = {};

	a.in6.s6_addr16[0] = htons(0x2001);
	a.in6.s6_addr16[1] = htons(0xdb8);
	a.in6.s6_addr16[2] = htons(net);
	a.in6.s6_addr16[7] = htons(host);
	return a;
}

MODULE_DESCRIPTION("KUnit tests for the ldir load balancer");
MODULE_LICENSE("GPL");
LDIR_IMPORT_KUNIT_NS();
