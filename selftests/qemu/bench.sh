#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks in QEMU: boots a stock kernel (LDIR_BENCH_KERNEL, default 6.12)
# and runs selftests/bench.sh, or selftests/$LDIR_BENCH, there with output
# live on this terminal. Numbers under TCG are only comparable with each
# other (ldir against IPVS in the same guest), never with real hardware.

set -u
# shellcheck source=selftests/qemu/demo.sh
. "$(dirname "${BASH_SOURCE[0]}")/demo.sh"
run_in_guest bench "${LDIR_BENCH_KERNEL:-6.12}"
