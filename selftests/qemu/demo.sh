#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boots Debian's stock 6.1 kernel in QEMU with ldir.ko and ldctl
# and runs selftests/demo.sh there, its output live on this terminal.
#
# Environment: LDIR_DEMO_KERNEL (6.1, 6.12 or debug; default 6.1), LDIR_CACHE.

set -u
# shellcheck source=selftests/qemu/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# run_in_guest MODE KERNEL: build, pack and boot KERNEL in MODE (demo, bench)
# with the console on the terminal; returns the guest script's status.
run_in_guest()
{
	local mode=$1 name=$2 rundir=$LDIR_CACHE/run/$1-$2 rc

	stage "ldir make $mode on the stock $name kernel, cache $LDIR_CACHE"
	ensure_packages
	if [ "$name" = debug ]; then
		build_debug_kernel || exit 1
	fi
	kernel_info "$name" || exit 1
	LDCTL_BIN=$LDIR_REPO/tools/ldctl/ldctl
	build_ldctl || die "ldctl does not build (log: $LDIR_CACHE/ldctl.log)"
	if ! build_module "$name" "$K_KDIR" "$K_KVER"; then
		[ -f "$MOD_DIR/kmod/ldir.ko" ] ||
			die "ldir.ko does not build for $name (log: $MOD_DIR.log)"
		echo "warning: ldir.ko built with warnings (log: $MOD_DIR.log)" >&2
	fi
	mkdir -p "$rundir"
	stage "packing the initramfs"
	make_initramfs "$name" "$K_KVER" "$MOD_DIR/kmod" "$rundir/initramfs.cpio" "$mode"
	boot_guest "$name" "$K_IMAGE" "$rundir/initramfs.cpio" "$rundir" \
		"${LDIR_BOOT_TIMEOUT:-1800}" "$mode" tee
	if ! tr -d '\r' <"$rundir/results.log" | grep -qx LDIR-GUEST-DONE; then
		echo "error: the guest did not finish (console: $rundir/console.log)" >&2
		return 1
	fi
	rc=$(tr -d '\r' <"$rundir/results.log" | sed -n 's/^LDIR-RC \([0-9]*\)$/\1/p' | tail -n 1)
	stage "$mode finished (status ${rc:-unknown})"
	return "${rc:-1}"
}

if [ "$(basename "$0")" = demo.sh ]; then
	run_in_guest demo "${LDIR_DEMO_KERNEL:-6.1}"
fi
