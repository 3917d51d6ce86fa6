#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# ldctl against the loaded module: tools/ldctl/tests/module.sh (every
# command, the kernel's extack messages, multi-message dumps, save ->
# flush -> restore -> save through the kernel, EPERM for nobody). It makes
# its own namespace; no topology. The harness packs it as
# /ldir/ldctl-tests/module.sh; from a checkout it is found in the tree.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

m=/ldir/ldctl-tests/module.sh
[[ -f $m ]] || m=$(dirname "$0")/../tools/ldctl/tests/module.sh
[[ -f $m ]] || fail "tools/ldctl/tests/module.sh not found"
rc=0
bash "$m" "$(command -v ldctl)" || rc=$?
# module.sh skips (4) only without root or without the module: not here
expect_eq "tools/ldctl/tests/module.sh exit status" 0 "$rc"
