// SPDX-License-Identifier: GPL-2.0
/*
 * ldir_kunit.ko: the KUnit suites of ldir, one file per object under test
 * (kunit_nat.c, kunit_sched.c, kunit_conn.c, kunit_hash.c, kunit_fpa.c);
 * they run when it is loaded.
 */
#include <linux/module.h>
#include <kunit/test.h>

#include "compat.h"

MODULE_DESCRIPTION("KUnit tests for the ldir load balancer");
MODULE_LICENSE("GPL");
LDIR_IMPORT_KUNIT_NS();
