#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boots a stock kernel (LDIR_BENCH_KERNEL, default 6.12) under
# QEMU with -icount shift=0,sleep=off and runs selftests/bench.sh (or
# selftests/$LDIR_BENCH) there, its output live on this terminal; then
# bench-report.sh turns the guest's BENCH lines into the side-by-side table,
# the scaling chart (gnuplot) and BENCHMARKS.md.
#
# Why -icount: under TCG on a shared, KVM-less host, wall-clock rates moved
# 3x between identical rounds. With -icount shift=0 the guest clock
# advances 1 ns per instruction executed (sleep=off: idle time is skipped),
# so a rate in guest time is a cost in instructions per packet, which host
# load cannot move. Numbers are only comparable within one run (ldir
# against its peers), never with real hardware.
#
# Knobs: LDIR_BENCH_QEMU_ARGS (default "-icount shift=0,sleep=off"),
# LDIR_BENCH_MACHINE and LDIR_BENCH_CPU (QEMU's -machine and -cpu; pinned
# by default, see below),
# LDIR_BENCH_SMP (vCPUs, default 1: see BENCHMARKS.md), LDIR_BENCH_MEM (default 4G),
# LDIR_BENCH_OUT (the markdown file, default BENCHMARKS.md in the repo;
# "none": do not write it), LDIR_BENCH_COMPARE (the raw results of an
# earlier run: the report shows the spread between the two), and the
# guest's LDIR_BENCH_* (see selftests/bench.sh).

set -u
# shellcheck source=selftests/qemu/demo.sh
. "$(dirname "${BASH_SOURCE[0]}")/demo.sh"

kernel=${LDIR_BENCH_KERNEL:-6.12}
# the command that reproduces this run, for BENCHMARKS.md (the knobs the
# user set, not the defaults set below)
cmd="make bench"
for v in ${!LDIR_BENCH_*}; do
	[ "$v" = LDIR_BENCH_COMPARE ] || cmd="$v=$(printf %q "${!v}") $cmd"
done
# The emulated machine and CPU, pinned: the guest kernel picks code paths
# from the CPUID it sees, and they move the figures (measured, udp and
# crr: EPYC's return thunks cost 7% of both, Skylake's PTI and buffer
# clearing 1-2%; RDRAND seeds the guest's RNG at boot, which decides the
# cost of every new TCP conn, see selftests/bench.sh crng_wait). Without
# -cpu, the model is QEMU's default for its version and machine type.
# qemu64-v1 is QEMU 7.2's default, the CPU of the earlier figures;
# RDRAND and RDSEED (host randomness under TCG) are off explicitly.
# Knobs: LDIR_BENCH_MACHINE, LDIR_BENCH_CPU.
bench_machine=${LDIR_BENCH_MACHINE:-pc-i440fx-7.2}
bench_cpu=${LDIR_BENCH_CPU:-qemu64-v1,-rdrand,-rdseed}
LDIR_QEMU_ARGS="-machine $bench_machine -cpu $bench_cpu ${LDIR_BENCH_QEMU_ARGS--icount shift=0,sleep=off}"
LDIR_QEMU_SMP=${LDIR_BENCH_SMP:-1}
LDIR_QEMU_MEM=${LDIR_BENCH_MEM:-4G}
LDIR_BOOT_TIMEOUT=${LDIR_BOOT_TIMEOUT:-21600}
LDIR_BENCH_TIMEOUT=${LDIR_BENCH_TIMEOUT:-36000}
LDIR_PANIC_ON_WARN=0
# slab_nomerge: every cache under its own name in /proc/slabinfo, so that
# the memory figures say whose objects grew
LDIR_APPEND="slab_nomerge ${LDIR_APPEND:-}"
LDIR_GUEST_MODULES="pktgen sch_ingress cls_u32 act_gact ip_vs_sh ip_vs_mh
	nf_flow_table nf_flow_table_inet nft_flow_offload"
export LDIR_QEMU_ARGS LDIR_QEMU_SMP LDIR_QEMU_MEM LDIR_BOOT_TIMEOUT \
	LDIR_BENCH_TIMEOUT LDIR_GUEST_MODULES LDIR_PANIC_ON_WARN LDIR_APPEND
LDIR_PKGS="$LDIR_PKGS gnuplot-nox"

mkdir -p "$LDIR_CACHE"
make -C "$LDIR_REPO/tools/bench" --no-print-directory >"$LDIR_CACHE/ldbench.log" 2>&1 ||
	{ cat "$LDIR_CACHE/ldbench.log"; die "tools/bench/ldbench does not build"; }
export LDIR_GUEST_BINS=$LDIR_REPO/tools/bench/ldbench
# the ldir-sync peer's ldsyncd
if make -C "$LDIR_REPO/tools/ldsyncd" --no-print-directory >>"$LDIR_CACHE/ldbench.log" 2>&1; then
	LDIR_GUEST_BINS="$LDIR_GUEST_BINS $LDIR_REPO/tools/ldsyncd/ldsyncd"
fi
# the flood workload's ldflood: the selftests' helpers go in every guest
build_test_tools >/dev/null || die "selftests/tools do not build"
# the prof workload (LDIR_BENCH_WORKLOADS=prof) runs perf in the guest
if [[ " ${LDIR_BENCH_WORKLOADS:-} " == *" prof "* ]]; then
	command -v perf >/dev/null || apt-get install -y linux-perf >/dev/null ||
		die "prof: perf (Debian's linux-perf) is not installed"
	LDIR_GUEST_BINS="$LDIR_GUEST_BINS $(command -v perf)"
fi

rundir=$LDIR_CACHE/run/bench-$kernel
started=$(date -u '+%Y-%m-%d %H:%M UTC')
run_in_guest bench "$kernel"
rc=$?
[ -f "$rundir/console.log" ] || exit 1
raw=$rundir/bench-$(date -u +%Y%m%dT%H%M%S).txt
tr -d '\r' <"$rundir/console.log" | grep -E '^(BENCH|WARN|# )' >"$raw"
stage "raw results: $raw"
bash "$LDIR_REPO/selftests/qemu/bench-report.sh" "$raw" "${LDIR_BENCH_COMPARE:-}" \
	"$started" "$cmd" "$LDIR_QEMU_SMP" "$LDIR_QEMU_ARGS" \
	"${LDIR_BENCH_OUT:-$LDIR_REPO/BENCHMARKS.md}" || rc=1
exit "$rc"
