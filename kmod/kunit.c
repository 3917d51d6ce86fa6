// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for ldir (placeholder until the suites land).
 */
#include <kunit/test.h>
#include "compat.h"
