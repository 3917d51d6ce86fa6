#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The install test (make check runs it on the host): `make deb` (lintian
# clean), the packages installed on this machine with dpkg, DKMS building
# ldir.ko for the installed 6.1 and 6.12 headers, a stock guest booted with
# the DKMS-built module and the packaged ldctl and ldir.service
# (selftests/pkg-guest.sh: the unit's commands, a VIP, three reals, one
# curl), then the packages purged: nothing left in dpkg, /usr/src,
# /var/lib/dkms or /lib/modules.
#
# Prints "PASS  pkg:NAME" / "FAIL  pkg:NAME" lines (details indented under
# a FAIL) and exits non-zero on any failure. Needs root (or sudo): it
# installs and removes packages on this machine.
#
# Environment: LDIR_PKG_KERNEL (the guest's kernel, 6.1 or 6.12; default
# 6.12), LDIR_CACHE.

# shellcheck disable=SC2317 # purge, nothing_left, dkms_built, guest: run by ok
set -u
# shellcheck source=selftests/qemu/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNDIR=$LDIR_CACHE/run/pkg
DEBDIR=$RUNDIR/deb
PKGS="ldctl ldsyncd ldir-dkms"
GUEST=${LDIR_PKG_KERNEL:-6.12}
nfail=0
t0=$(date +%s)

result()
{
	printf '%s  pkg:%s\n' "$1" "$2"
	[ "$1" = PASS ] || nfail=$((nfail + 1))
}

# ok NAME CMD...: a result line for CMD; its output indented under a FAIL
ok()
{
	local name=$1 out

	shift
	if out=$("$@" 2>&1); then
		result PASS "$name"
	else
		result FAIL "$name"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/      /'
		return 1
	fi
}

installed()
{
	dpkg-query -W -f='${db:Status-Abbrev}\n' "$@" 2>/dev/null | grep -v '^un' | grep -q .
}

purge()
{
	# shellcheck disable=SC2086
	installed $PKGS || return 0
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive dpkg --purge $PKGS
}

# nothing_left: no trace of the packages after the purge
nothing_left()
{
	local left

	# shellcheck disable=SC2086
	if installed $PKGS; then
		dpkg -l $PKGS
		return 1
	fi
	left=$(ls -d /usr/src/ldir-* /var/lib/dkms/ldir /lib/modules/*/updates/dkms/ldir.ko* \
		/lib/systemd/system/ldir.service /usr/sbin/ldctl /usr/sbin/ldsyncd \
		/lib/systemd/system/ldsyncd.service 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	left=$(dkms status ldir 2>&1)
	[ -z "$left" ] || { echo "dkms status ldir: $left"; return 1; }
}

# dkms_built KVER: DKMS installed ldir.ko for KVER (building it if the
# postinst did not), under updates/dkms
dkms_built()
{
	local kver=$1 st f

	st=$(dkms status -m ldir -v "$VERSION" -k "$kver")
	if ! echo "$st" | grep -q ': installed'; then
		echo "dkms status after the postinst: ${st:-nothing}; dkms install -k $kver"
		as_root dkms install -m ldir -v "$VERSION" -k "$kver" || return 1
	fi
	f=$(modinfo -k "$kver" -n ldir) || return 1
	case $f in
	/lib/modules/"$kver"/updates/dkms/ldir.ko*) ;;
	*) echo "modprobe would load $f"; return 1 ;;
	esac
	[ "$(modinfo -F vermagic "$f" | cut -d' ' -f1)" = "$kver" ] ||
		{ echo "$f: vermagic $(modinfo -F vermagic "$f")"; return 1; }
}

# guest: boots GUEST with the DKMS build of ldir.ko, the packaged ldctl and
# unit, runs selftests/pkg-guest.sh
guest()
{
	local f kodir=$RUNDIR/ko extra=$RUNDIR/extra rc

	kernel_info "$GUEST" || return 1
	f=$(modinfo -k "$K_KVER" -n ldir) || return 1
	rm -rf "$kodir" "$extra"
	# (/lib is a link to usr/lib in the guest: the archive must not replace it)
	mkdir -p "$kodir" "$extra/usr/lib/systemd/system"
	case $f in
	*.xz) xz -dc "$f" >"$kodir/ldir.ko" ;;
	*.zst) zstd -qdc "$f" >"$kodir/ldir.ko" ;;
	*) cp "$f" "$kodir/ldir.ko" ;;
	esac
	cp /lib/systemd/system/ldir.service "$extra/usr/lib/systemd/system/"
	LDIR_BENCH=pkg-guest.sh
	LDIR_BENCH_KO_SHA256=$(sha256sum <"$kodir/ldir.ko" | cut -d' ' -f1)
	LDCTL_BIN=/usr/sbin/ldctl
	# its own userspace: make check's guests may be packing theirs
	BASE_ROOT=''
	LDIR_BASE_DIR=$RUNDIR/base
	export LDIR_BENCH LDIR_BENCH_KO_SHA256
	make_initramfs "$GUEST" "$K_KVER" "$kodir" "$RUNDIR/initramfs.cpio" bench
	# the unit, as the package installed it: a second archive
	(cd "$extra" && find . -mindepth 1 -print0 | cpio --null -o -H newc -R 0:0 --quiet) \
		>>"$RUNDIR/initramfs.cpio"
	boot_guest "$GUEST" "$K_IMAGE" "$RUNDIR/initramfs.cpio" "$RUNDIR" \
		"${LDIR_BOOT_TIMEOUT:-300}" bench
	tr -d '\r' <"$RUNDIR/console.log" | grep -vE '^== ' | tail -n 40
	rc=$(tr -d '\r' <"$RUNDIR/results.log" | sed -n 's/^LDIR-RC \([0-9]*\)$/\1/p')
	[ "$rc" = 0 ] || { echo "pkg-guest.sh: status ${rc:-none (the guest did not finish)}"; return 1; }
	if tr -d '\r' <"$RUNDIR/console.log" |
		grep -E 'BUG:|WARNING:|Call Trace|Oops|KASAN|general protection'; then
		echo "kernel reports in $RUNDIR/console.log"
		return 1
	fi
}

# the whole run in one function: bash has read all of it before it starts
main()
{
	local k

	stage "the install test: make deb, dpkg -i, DKMS for 6.1 and 6.12, a $GUEST guest, purge"
	ensure_packages
	mkdir -p "$RUNDIR"
	VERSION=$(dpkg-parsechangelog -l "$LDIR_REPO/debian/changelog" -S Version)
	# an earlier run that stopped half way
	purge >/dev/null 2>&1

	if ! ok make-deb env LDIR_DEB_DIR="$DEBDIR" bash "$LDIR_REPO/dist/deb.sh"; then
		exit 1
	fi
	stage "installing $(cd "$DEBDIR" && echo ldctl_*.deb ldsyncd_*.deb ldir-dkms_*.deb)"
	if ! ok install as_root env DEBIAN_FRONTEND=noninteractive dpkg -i \
		"$DEBDIR"/ldir-dkms_"$VERSION"_all.deb "$DEBDIR"/ldctl_"$VERSION"_*.deb \
		"$DEBDIR"/ldsyncd_"$VERSION"_*.deb; then
		purge >/dev/null 2>&1
		exit 1
	fi
	for k in 6.1 6.12; do
		if kernel_info "$k"; then
			ok "dkms-$k" dkms_built "$K_KVER"
		else
			result FAIL "dkms-$k"
		fi
	done
	ok man-ldctl man --warnings -w ldctl
	ok unit-installed test -f /lib/systemd/system/ldir.service
	ok man-ldsyncd man --warnings -w ldsyncd
	ok ldsyncd-unit-installed test -f /lib/systemd/system/ldsyncd.service
	ok ldsyncd-runs /usr/sbin/ldsyncd --version
	stage "booting $GUEST with the DKMS-built ldir.ko"
	ok "guest-$GUEST" guest
	stage "purging the packages"
	ok purge purge
	ok nothing-left nothing_left
	stage "the install test took $(($(date +%s) - t0)) s"
	[ "$nfail" -eq 0 ]
}

main "$@"; exit
