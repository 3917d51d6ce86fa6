/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, in one place: ldir builds against Debian's
 * 6.1 and 6.12 kernels and the test kernel.
 */
#ifndef _LDIR_COMPAT_H
#define _LDIR_COMPAT_H

#include <linux/version.h>
#include <kunit/visibility.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define LDIR_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define LDIR_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* _LDIR_COMPAT_H */
