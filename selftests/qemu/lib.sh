# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Host-side helpers shared by check.sh, demo.sh and bench.sh: Debian packages,
# the debug test kernel (built from linux-source-6.12 and cached), the stock
# kernels, ldir.ko/ldctl builds, initramfs packing and booting under QEMU.
#
# Cache layout under $LDIR_CACHE (default /var/cache/ldir):
#   src-<srcver>/linux-source-6.12/    unpacked Debian kernel source
#   kernel-<srcver>-<cfghash>/         O= build of the debug kernel, build.log
#   mod-<kernelrelease>/               ldir.ko build (MODBUILD) per kernel
#   run/<kernel>/                      initramfs, console.log, results.log

LDIR_CACHE=${LDIR_CACHE:-/var/cache/ldir}
LDIR_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LDIR_T0=${LDIR_T0:-$(date +%s)}
LDIR_JOBS=${LDIR_JOBS:-$(nproc)}
# ldctl binary packed into the guests (set by check.sh/demo.sh)
LDCTL_BIN=${LDCTL_BIN:-}
export LDIR_CACHE LDIR_T0

# Bump when the way the kernel is configured or built changes: it is part of
# the cache key.
KBUILD_RECIPE=1

stage()
{
	local t=$(( $(date +%s) - LDIR_T0 ))

	printf '== [%s +%dm%02ds] %s\n' "$(date +%H:%M:%S)" $((t / 60)) $((t % 60)) "$*"
}

die()
{
	echo "error: $*" >&2
	exit 1
}

# as_root CMD...: run CMD as root (sudo when not root).
as_root()
{
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

pkg_installed()
{
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# The newest linux-image-6.12.*+deb12-amd64-unsigned whose
# linux-headers-6.12.*+deb12-amd64 is also in the archive (apt-cache only
# reads the local package lists).
pick_612()
{
	local img hdr

	apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		sort -rV |
		while read -r img; do
			hdr=${img/linux-image-/linux-headers-}
			hdr=${hdr%-unsigned}
			if apt-cache show "$hdr" >/dev/null 2>&1; then
				echo "$img"
				break
			fi
		done
}

LDIR_PKGS="qemu-system-x86 linux-source-6.12 busybox-static linux-image-amd64
linux-headers-amd64 flex bison libelf-dev bc libssl-dev cpio kmod xz-utils
libmnl-dev pkg-config sparse iproute2 nftables socat iperf3 curl jq util-linux
tcpdump ipvsadm gcc make bash coreutils diffutils findutils grep sed mawk
procps psmisc prometheus tmux python3 python3-yaml python3-jsonschema
dpkg-dev debhelper dh-dkms dkms fakeroot lintian scdoc pkgconf man-db
bash-completion"

# keepalived: the VRRP daemon test-vrrp.sh runs in the guest
LDIR_PKGS+=" keepalived"
# bird2: the BGP daemon test-bgp.sh runs in the guest
LDIR_PKGS+=" bird2"

# missing_packages PKG...: those not installed (one dpkg-query call).
missing_packages()
{
	local p have

	have=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null)
	for p in "$@"; do
		grep -qxF "$p install ok installed" <<<"$have" || echo "$p"
	done
}

ensure_packages()
{
	local missing img

	stage "checking Debian packages"
	img=$(pick_612)
	if [ -n "$img" ]; then
		# shellcheck disable=SC2086
		missing=$(missing_packages $LDIR_PKGS "$img" "$(k612_headers_pkg "$img")")
	else
		missing=linux-6.12
	fi
	[ -z "$missing" ] && return 0

	stage "installing: $(echo "$missing" | tr '\n' ' ')"
	as_root apt-get -o DPkg::Lock::Timeout=900 update -q || die "apt-get update failed"
	img=$(pick_612)
	[ -n "$img" ] || die "no linux-image-6.12.*+deb12-amd64-unsigned with headers in the archive"
	# shellcheck disable=SC2086
	missing=$(missing_packages $LDIR_PKGS "$img" "$(k612_headers_pkg "$img")")
	[ -z "$missing" ] && return 0
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
		install -y -q --no-install-recommends $missing || die "apt-get install failed"
}

k612_headers_pkg()
{
	local h=${1/linux-image-/linux-headers-}

	echo "${h%-unsigned}"
}

# Kernel release of the stock kernels.
kver_61()
{
	dpkg-query -W -f='${Depends}\n' linux-image-amd64 |
		grep -oE 'linux-image-6\.1\.[^ ,]*-amd64' | head -1 | sed 's/^linux-image-//'
}

kver_612()
{
	local img

	img=$(pick_612)
	img=${img#linux-image-}
	echo "${img%-unsigned}"
}

# ---------------------------------------------------------------- kernel ----

# run_logged LOG CMD...: run CMD with its output in LOG, printing a heartbeat
# (the last line of LOG) every 60 s; returns CMD's status.
run_logged()
{
	local log=$1 pid n=0 rc

	shift
	"$@" >>"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		n=$((n + 5))
		if [ $((n % 60)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
			stage "  ... still building: $(tail -n 1 "$log" | cut -c1-100)"
		fi
	done
	wait "$pid"
	rc=$?
	return "$rc"
}

# verify_config CONFIG FRAGMENT...: every option of the fragments must be in
# CONFIG as written; "# CONFIG_X is not set" must not be set.
verify_config()
{
	local cfg=$1 f l opt bad=0

	shift
	for f in "$@"; do
		while read -r l; do
			case "$l" in
			"# CONFIG_"*" is not set")
				opt=${l#\# }
				opt=${opt%% *}
				if grep -q "^$opt=" "$cfg"; then
					echo "config: $f wants '$l' but got '$(grep "^$opt=" "$cfg")'" >&2
					bad=1
				fi
				;;
			CONFIG_*)
				if ! grep -qxF "$l" "$cfg"; then
					opt=${l%%=*}
					echo "config: $f wants '$l' but got '$(grep -E "^$opt=|^# $opt is not set" "$cfg" || echo unset)'" >&2
					bad=1
				fi
				;;
			esac
		done <"$f"
	done
	return $bad
}

# Sets DEBUG_KDIR (O= build dir, usable as KDIR) and DEBUG_KVER; builds the
# kernel unless the cache already has it.
# debug_kernel_key: sets KFRAGS, KSRCVER, KSRC and KBUILD (the cache dir of
# the debug kernel for this source package and these fragments).
debug_kernel_key()
{
	local hash

	KFRAGS="$LDIR_REPO/selftests/config/base.config $LDIR_REPO/selftests/config/debug.config"
	KSRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.12) || die "linux-source-6.12 missing"
	KSRCVER=$(echo "$KSRCVER" | tr -c 'A-Za-z0-9.+\n-' _)
	# shellcheck disable=SC2086
	hash=$( (echo "recipe $KBUILD_RECIPE"; cat $KFRAGS) | sha256sum | cut -c1-12)
	KSRC=$LDIR_CACHE/src-$KSRCVER/linux-source-6.12
	KBUILD=$LDIR_CACHE/kernel-$KSRCVER-$hash
}

debug_kernel_cached()
{
	debug_kernel_key
	[ -f "$KBUILD/.ldir-built" ]
}

build_debug_kernel()
{
	local srcver frags src b fd prev

	debug_kernel_key
	frags=$KFRAGS srcver=$KSRCVER src=$KSRC b=$KBUILD
	mkdir -p "$LDIR_CACHE" "$b"

	# One build at a time per key; a second make check waits for the first.
	exec {fd}>"$b.lock"
	if ! flock -n "$fd"; then
		stage "debug kernel: another run is building $b, waiting"
		while ! flock -w 60 "$fd"; do
			stage "  ... still waiting: $(tail -n 1 "$b/build.log" 2>/dev/null | cut -c1-100)"
		done
	fi

	if [ -f "$b/.ldir-built" ]; then
		stage "debug kernel: cached in $b"
	else
		if [ ! -d "$src" ]; then
			stage "unpacking /usr/src/linux-source-6.12.tar.xz"
			rm -rf "$src.tmp"
			mkdir -p "$src.tmp"
			tar -C "$src.tmp" -xf /usr/src/linux-source-6.12.tar.xz ||
				{ echo "unpacking linux-source-6.12 failed"; return 1; }
			mv "$src.tmp/linux-source-6.12" "$src"
			rm -rf "$src.tmp"
		fi
		rm -rf "$b"
		# Seed from the newest finished build of the same source: Kbuild
		# then recompiles only what the changed options touch.
		prev=$(ls -td "$LDIR_CACHE/kernel-$srcver-"*/.ldir-built 2>/dev/null | head -n 1)
		if [ -n "$prev" ]; then
			# resolved: in a cache of symlinks to another cache,
			# copy the build, not the link (and never touch it)
			prev=$(readlink -f "$(dirname "$prev")")
			stage "debug kernel: config changed, seeding the build from $prev"
			cp -a "$prev" "$b"
			rm -f "$b/.ldir-built"
			mv "$b/build.log" "$b/build.log.seed"
		fi
		mkdir -p "$b"
		stage "configuring debug kernel in $b (tinyconfig + base.config + debug.config)"
		: >"$b/build.log"
		(
			set -e
			cd "$src"
			make O="$b" tinyconfig
			scripts/kconfig/merge_config.sh -m -O "$b" "$b/.config" $frags
			make O="$b" olddefconfig
		) >>"$b/build.log" 2>&1 || { tail -n 30 "$b/build.log"; echo "configuring the kernel failed (log: $b/build.log)"; return 1; }
		# shellcheck disable=SC2086
		if ! verify_config "$b/.config" $frags; then
			echo "the kernel config dropped options of selftests/config/*.config (see above; $b/.config)"
			return 1
		fi
		stage "building debug kernel with -j$LDIR_JOBS (10-15 min on 2 cores; log: $b/build.log)"
		run_logged "$b/build.log" make -C "$src" O="$b" -j"$LDIR_JOBS" bzImage modules ||
			{ tail -n 40 "$b/build.log"; echo "kernel build failed (log: $b/build.log)"; return 1; }
		run_logged "$b/build.log" make -C "$src" O="$b" -j"$LDIR_JOBS" modules_prepare ||
			{ tail -n 40 "$b/build.log"; echo "kernel modules_prepare failed (log: $b/build.log)"; return 1; }
		touch "$b/.ldir-built"
		stage "debug kernel built: $b/arch/x86/boot/bzImage"
		# keep this build and the one before it
		ls -td "$LDIR_CACHE"/kernel-*/.ldir-built | tail -n +3 | while read -r old; do
			old=$(dirname "$old")
			# another cache's build, linked here: not ours to remove
			[ -L "$old" ] && continue
			stage "removing the old kernel build $old"
			rm -rf "$old" "$old.lock"
		done
	fi
	exec {fd}>&-
	DEBUG_KDIR=$b
	DEBUG_KVER=$(cat "$b/include/config/kernel.release")
}

# kernel_info NAME: sets K_KVER (release), K_KDIR (to build modules against),
# K_IMAGE (bzImage) for debug (after build_debug_kernel), 6.1 or 6.12.
kernel_info()
{
	case $1 in
	debug)
		K_KVER=$DEBUG_KVER
		K_KDIR=$DEBUG_KDIR
		K_IMAGE=$DEBUG_KDIR/arch/x86/boot/bzImage
		;;
	6.1|6.12)
		if [ "$1" = 6.1 ]; then K_KVER=$(kver_61); else K_KVER=$(kver_612); fi
		K_KDIR=/usr/src/linux-headers-$K_KVER
		K_IMAGE=/boot/vmlinuz-$K_KVER
		;;
	*)
		echo "unknown kernel '$1' (debug, 6.1, 6.12)"
		return 1
		;;
	esac
	if [ -z "$K_KVER" ] || [ ! -d "$K_KDIR" ] || [ ! -f "$K_IMAGE" ]; then
		echo "kernel $1: missing headers or image (release '$K_KVER')"
		return 1
	fi
}

# ------------------------------------------------------- ldir.ko, ldctl ----

# build_module NAME KDIR KVER: builds ldir.ko into $LDIR_CACHE/mod-KVER with
# `make module`; sets MOD_DIR. Returns 1 on a failed build or any compiler
# warning (the log is in $MOD_DIR.log). Reuses the previous build when the
# sources, the Makefile and the kernel are unchanged.
build_module()
{
	local name=$1 kdir=$2 kver=$3 log key rc=0

	MOD_DIR=$LDIR_CACHE/mod-$kver
	log=$MOD_DIR.log
	key=$( (cd "$LDIR_REPO" && echo "$kdir" &&
		find Makefile Kbuild kmod uapi -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) |
		LC_ALL=C sort | xargs sha256sum
		stat -c %Y "$kdir/Module.symvers" "$kdir/.config" 2>/dev/null) | sha256sum)
	if [ -f "$MOD_DIR.key" ] && [ "$(cat "$MOD_DIR.key")" = "$key" ]; then
		stage "ldir.ko for $name ($kver): sources unchanged, reusing the last build"
	else
		stage "building ldir.ko for $name ($kver)"
		rm -rf "$MOD_DIR" "$MOD_DIR.key"
		make -C "$LDIR_REPO" --no-print-directory module KDIR="$kdir" \
			MODBUILD="$MOD_DIR" >"$log" 2>&1
		echo "exit status $?" >>"$log"
		echo "$key" >"$MOD_DIR.key"
	fi
	if ! grep -qx 'exit status 0' "$log"; then
		grep -E 'error|warning:' "$log" | head -n 30
		tail -n 5 "$log"
		rc=1
	elif grep -q 'warning:' "$log"; then
		grep -B2 -A3 'warning:' "$log" | head -n 40
		rc=1
	fi
	[ -f "$MOD_DIR/kmod/ldir.ko" ] || { echo "no kmod/ldir.ko after the build"; rc=1; }
	return "$rc"
}

# test_ldctl: `make -C tools/ldctl test` (host side, no module needed).
test_ldctl()
{
	local log=$LDIR_CACHE/ldctl-test.log rc

	stage "make -C tools/ldctl test"
	make -C "$LDIR_REPO/tools/ldctl" --no-print-directory test >"$log" 2>&1
	rc=$?
	grep -E '^(FAIL|test_ldctl:|cli.sh:)' "$log"
	[ $rc -eq 0 ] || { tail -n 20 "$log"; echo "(log: $log)"; }
	return $rc
}

# test_ldsyncd: builds ldsyncd and runs `make -C tools/ldsyncd test` (host
# side, no module needed).
test_ldsyncd()
{
	local log=$LDIR_CACHE/ldsyncd-test.log rc

	stage "make -C tools/ldsyncd test"
	make -C "$LDIR_REPO/tools/ldsyncd" --no-print-directory all test >"$log" 2>&1
	rc=$?
	grep -E '^(FAIL|test_ldsyncd:|cli.sh:)' "$log"
	if [ $rc -eq 0 ] && grep -q 'warning:' "$log"; then
		grep -B2 -A3 'warning:' "$log" | head -n 40
		rc=1
	fi
	[ $rc -eq 0 ] || { tail -n 20 "$log"; echo "(log: $log)"; }
	return $rc
}

# build_test_tools: the selftests' helpers (selftests/tools/*.c).
build_test_tools()
{
	stage "building the selftests' helpers"
	make -C "$LDIR_REPO/selftests/tools" --no-print-directory
}

build_ldctl()
{
	local log=$LDIR_CACHE/ldctl.log

	stage "building ldctl"
	mkdir -p "$LDIR_CACHE"
	LDCTL_BIN=$LDIR_REPO/tools/ldctl/ldctl
	# tests/nlraw: raw requests for selftests/test-badinput.sh
	if ! make -C "$LDIR_REPO" --no-print-directory ldctl >"$log" 2>&1 ||
		! make -C "$LDIR_REPO/tools/ldctl" --no-print-directory tests/nlraw >>"$log" 2>&1; then
		tail -n 20 "$log"
		return 1
	fi
	if grep -q 'warning:' "$log"; then
		grep -B2 -A3 'warning:' "$log" | head -n 40
		return 1
	fi
	[ -x "$LDCTL_BIN" ] || { echo "no tools/ldctl/ldctl after the build"; return 1; }
}

# ------------------------------------------------------------ initramfs ----

# Real binaries for the guest (busybox provides the rest). The first group is
# required; the second is copied when the host has it.
GUEST_BINS_REQUIRED="/usr/bin/bash /usr/sbin/ip /usr/sbin/tc /usr/sbin/nft
/usr/bin/socat /usr/bin/iperf3 /usr/bin/curl /usr/bin/jq /usr/bin/setpriv
/usr/sbin/ipvsadm /usr/bin/cmp /usr/bin/timeout /usr/bin/seq /usr/bin/kmod
/usr/bin/tail /usr/bin/sed"
GUEST_BINS_OPTIONAL="/usr/sbin/bridge /usr/bin/ss /usr/sbin/tcpdump
/usr/bin/unshare /usr/bin/nsenter /usr/bin/flock /usr/bin/env /usr/bin/xargs
/usr/bin/head /usr/bin/sort /usr/bin/grep
/usr/bin/awk /usr/bin/stat /usr/bin/date /usr/bin/wc /usr/bin/cut /usr/bin/tr
/usr/bin/uniq /usr/bin/tee /usr/bin/od /usr/bin/dd /usr/bin/mktemp
/usr/bin/sha256sum /usr/bin/md5sum /usr/bin/base64 /usr/bin/find /usr/bin/diff
/usr/bin/cat /usr/bin/sleep /usr/bin/printf /usr/bin/truncate /usr/bin/yes
/usr/bin/realpath /usr/bin/readlink /usr/bin/ps /usr/bin/pgrep /usr/bin/pkill
/usr/bin/kill /usr/sbin/sysctl /usr/bin/killall /usr/bin/nc /usr/bin/conntrack
/usr/sbin/conntrack /usr/bin/nstat /usr/bin/lnstat /usr/bin/ethtool
/usr/sbin/ethtool /usr/bin/tmux /usr/bin/promtool"
# keepalived (VRRP, test-vrrp.sh): from LDIR_PKGS, so required
GUEST_BINS_REQUIRED+=" /usr/sbin/keepalived"
# bird2 (BGP, test-bgp.sh): from LDIR_PKGS, so required
GUEST_BINS_REQUIRED+=" /usr/sbin/bird /usr/sbin/birdc"

# Modules a stock kernel's guest gets (with their dependencies).
STOCK_MODULES="veth dummy bridge nfnetlink nf_conntrack nf_conntrack_netlink
nf_nat nf_tables nft_ct nft_nat nft_chain_nat nft_masq nft_redir nft_reject nft_objref
nft_limit nft_quota nft_numgen nft_hash nft_fib_inet nft_fib_ipv4 nft_fib_ipv6
nft_reject_inet nft_log nf_log_syslog nf_defrag_ipv4 nf_defrag_ipv6 sch_netem
sch_fq_codel sch_tbf sch_ingress ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc
libcrc32c crc32c_generic inet_diag tcp_diag udp_diag"

# copy_bin ROOT PATH [DEST]: PATH (symlinks resolved) as DEST (default: the
# same path) and its shared libraries.
copy_bin()
{
	local root=$1 bin=$2 dest=${3:-$2} lib

	install -D -m 0755 "$(readlink -f "$bin")" "$root$dest" || return 1
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+'); do
		[ -e "$root$lib" ] && continue
		install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# make_initramfs NAME KVER KOS_DIR OUT MODE: packs the guest for kernel NAME
# (debug, 6.1, 6.12) into OUT (gzip'd cpio).
# make_base_root: the part of the guest's root common to every kernel
# (binaries, libraries, busybox, /etc, ldctl), once per run in $BASE_ROOT.
make_base_root()
{
	local root=${LDIR_BASE_DIR:-$LDIR_CACHE/run/base} b l f d nlraw

	[ -n "${BASE_ROOT:-}" ] && return 0
	stage "assembling the guest's userspace"
	rm -rf "$root"
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,run,tmp,etc,root,ldir,mnt}
	for d in bin sbin lib lib64; do ln -s usr/$d "$root/$d"; done
	chmod 1777 "$root/tmp"

	for b in $GUEST_BINS_REQUIRED; do
		copy_bin "$root" "$b" || die "initramfs: cannot copy $b"
	done
	for b in $GUEST_BINS_OPTIONAL; do
		[ -e "$b" ] && copy_bin "$root" "$b"
	done
	ln -sf bash "$root/usr/bin/sh"
	for l in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -sf ../bin/kmod "$root/usr/sbin/$l"
	done
	# busybox for everything else; never shadow a real binary.
	install -m 0755 /bin/busybox "$root/usr/bin/busybox"
	for l in $(/bin/busybox --list); do
		[ -e "$root/usr/bin/$l" ] || [ -e "$root/usr/sbin/$l" ] ||
			ln -s busybox "$root/usr/bin/$l"
	done
	[ -d /usr/lib/x86_64-linux-gnu/tc ] &&
		cp -a /usr/lib/x86_64-linux-gnu/tc "$root/usr/lib/x86_64-linux-gnu/"
	[ -d /usr/share/iproute2 ] && mkdir -p "$root/usr/share" &&
		cp -a /usr/share/iproute2 "$root/usr/share/"
	# C.UTF-8, for tmux (test-metrics.sh runs ldctl top in it)
	[ -d /usr/lib/locale/C.utf8 ] && mkdir -p "$root/usr/lib/locale" &&
		cp -a /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"

	cat >"$root/etc/passwd" <<-'EOT'
	root:x:0:0:root:/root:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOT
	cat >"$root/etc/group" <<-'EOT'
	root:x:0:
	nogroup:x:65534:
	EOT
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
	printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
	for f in /etc/protocols /etc/services /etc/ethertypes; do
		[ -f "$f" ] && cp "$f" "$root/etc/"
	done
	printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$root/etc/ld.so.conf"
	if [ -x "${LDCTL_BIN:-}" ]; then
		copy_bin "$root" "$LDCTL_BIN" /usr/sbin/ldctl
		nlraw=$(dirname "$LDCTL_BIN")/tests/nlraw
		if [ -x "$nlraw" ]; then
			copy_bin "$root" "$nlraw" /usr/sbin/ldir-nlraw
		fi
	fi
	# the selftests' own helpers (selftests/tools), and LDIR_GUEST_BINS:
	# more binaries for this run (bench's), as /usr/sbin/NAME
	for b in $(find "$LDIR_REPO/selftests/tools" -maxdepth 1 -type f \
			-perm -u+x 2>/dev/null) ${LDIR_GUEST_BINS:-}; do
		copy_bin "$root" "$b" "/usr/sbin/$(basename "$b")" ||
			die "initramfs: cannot copy $b"
	done
	ldconfig -r "$root" 2>/dev/null || true
	BASE_ROOT=$root
}

# copy_ynl ROOT: the kernel's ynl CLI (tools/net/ynl, from linux-source-6.12
# through `make` in the repo) and the family's spec as /ldir/ynl, and the
# part of Debian's python3 and python3-yaml it loads: each module as its
# compiled .pyc in place of the source (about 9 MB, most of it python3
# itself). selftests/test-ynl.sh drives the module with it.
copy_ynl()
{
	local root=$1 ynl=$LDIR_CACHE/ynl/tools/net/ynl f

	make -s -C "$LDIR_REPO" LDIR_CACHE="$LDIR_CACHE" "$ynl/cli.py" >&2 ||
		die "initramfs: cannot unpack ynl from linux-source-6.12"
	mkdir -p "$root/ldir/ynl/lib"
	install -m 0644 "$ynl/cli.py" "$root/ldir/ynl/"
	install -m 0644 "$ynl"/lib/*.py "$root/ldir/ynl/lib/"
	install -m 0644 "$LDIR_REPO/Documentation/netlink/specs/ldir.yaml" "$root/ldir/ynl/"
	copy_bin "$root" /usr/bin/python3 || die "initramfs: cannot copy python3"
	# what a run of cli.py imports, as files: run it here (the family is
	# not there, it fails after parsing its arguments and the spec)
	/usr/bin/python3 - "$ynl" "$root/ldir/ynl/ldir.yaml" <<-'EOT' |
	import runpy, sys, traceback  # noqa: F401  (traceback: for errors)
	cli = sys.argv[1] + '/cli.py'
	sys.path.insert(0, sys.argv[1])
	sys.argv = [cli, '--spec', sys.argv[2], '--no-schema', '--output-json',
	            '--dump', 'virtual-get']
	try:
	    runpy.run_path(cli, run_name='__main__')
	except BaseException:
	    pass
	for m in list(sys.modules.values()):
	    f = getattr(m, '__file__', None) or ''
	    if f.startswith('/usr/lib/'):
	        print(f, getattr(m, '__cached__', None) or '')
	EOT
	while read -r f c; do
		if [[ $f == *.so ]]; then
			copy_bin "$root" "$f" || die "initramfs: cannot copy $f"
		elif [ -n "$c" ] && [ -f "$c" ]; then
			install -D -m 0644 "$c" "$root${f}c"
		else
			install -D -m 0644 "$f" "$root$f"
		fi
	done
}

# make_initramfs NAME KVER KOS_DIR OUT MODE: packs the guest for kernel NAME
# (debug, 6.1, 6.12) into OUT (an uncompressed cpio).
make_initramfs()
{
	local name=$1 kver=$2 kodir=$3 out=$4 mode=$5
	local root=$out.d m p l f msrc mods=()

	make_base_root
	rm -rf "$root"
	cp -a "$BASE_ROOT" "$root"

	# ldir itself
	[ -f "$kodir/ldir.ko" ] && install -m 0644 "$kodir/ldir.ko" "$root/ldir/"
	[ -f "$kodir/ldir_kunit.ko" ] && install -m 0644 "$kodir/ldir_kunit.ko" "$root/ldir/"
	cp -a "$LDIR_REPO/selftests" "$root/ldir/selftests"
	# ldctl against the module (selftests/test-ldctl.sh runs it)
	install -D -m 0755 "$LDIR_REPO/tools/ldctl/tests/module.sh" "$root/ldir/ldctl-tests/module.sh"
	# the node_exporter textfile units (selftests/test-metrics.sh runs them)
	cp -a "$LDIR_REPO/tools/ldctl/contrib" "$root/ldir/ldctl-contrib"
	# the shipped examples (selftests/test-bgp.sh runs examples/bgp's hook)
	cp -a "$LDIR_REPO/examples" "$root/ldir/examples"
	install -m 0755 "$LDIR_REPO/selftests/qemu/init.sh" "$root/init"
	# python3 and ynl's CLI, for selftests/test-ynl.sh (a 6.12-only test)
	[ "$name" = 6.12 ] && [ "$mode" = check ] && copy_ynl "$root"

	# kernel modules: the stock kernels' from /lib/modules, ldir's under extra/
	mkdir -p "$root/lib/modules/$kver/extra"
	if [ "$name" != debug ]; then
		# LDIR_GUEST_MODULES: more modules for this run (bench's)
		for m in $STOCK_MODULES ${LDIR_GUEST_MODULES:-} $(modinfo -F depends "$kodir/ldir.ko" 2>/dev/null | tr , ' '); do
			while read -r l p _; do
				[ "$l" = insmod ] && mods+=("$p")
			done < <(modprobe -S "$kver" --show-depends "$m" 2>/dev/null)
		done
		for p in $(printf '%s\n' "${mods[@]}" | sort -u); do
			install -D -m 0644 "$p" "$root$p"
		done
	fi
	# so that modprobe knows what is built in (most of it, on debug)
	if [ "$name" = debug ]; then msrc=$DEBUG_KDIR; else msrc=/lib/modules/$kver; fi
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$msrc/$f" ] && cp "$msrc/$f" "$root/lib/modules/$kver/"
	done
	for f in "$root"/ldir/*.ko; do
		[ -f "$f" ] && cp "$f" "$root/lib/modules/$kver/extra/"
	done
	depmod -b "$root" "$kver" || die "depmod -b $root $kver failed"

	{
		echo "LDIR_KERNEL=$name"
		echo "LDIR_MODE=$mode"
		printf 'LDIR_TESTS=%q\n' "${LDIR_TESTS:-}"
		printf 'LDIR_FAMILIES=%q\n' "${LDIR_FAMILIES:-4 6}"
		printf 'LDIR_KUNIT=%q\n' "${LDIR_KUNIT:-1}"
		printf 'LDIR_TEST_TIMEOUT=%q\n' "${LDIR_TEST_TIMEOUT:-$([ "$name" = debug ] && echo 600 || echo 240)}"
		printf 'LDIR_BENCH=%q\n' "${LDIR_BENCH:-}"
		# a stock kernel's check guest takes its runs from the host's
		# queue (check.sh), on ttyS2
		[ "$mode" = check ] && [ "$name" != debug ] && echo LDIR_QUEUE=1
		# the knobs of selftests/bench.sh and test-fuzz.sh
		for v in ${!LDIR_BENCH_*} ${!LDIR_FUZZ_*}; do
			printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$root/ldir/env"

	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$out" ||
		die "packing $out failed"
}

# ----------------------------------------------------------------- boot ----

# boot_guest NAME KERNEL_IMAGE INITRAMFS RUNDIR TIMEOUT MODE [tee]: boots the
# guest; the console goes to RUNDIR/console.log (and the terminal with tee),
# the runner's result lines (ttyS1) to RUNDIR/results.log; with GUEST_QUEUE
# set, ttyS2 is the pipe GUEST_QUEUE.in/.out (check.sh's run queue). Returns
# qemu's status (124 on timeout).
boot_guest()
{
	local name=$1 kernel=$2 initrd=$3 rundir=$4 tmo=$5 mode=$6 show=${7:-}
	# LDIR_PANIC_ON_WARN=0: bench's (QEMU 7.2's -icount, rarely, raises a
	# spurious #DB that the kernel WARNs about; a bench should not die of it)
	# no_timer_check: on a loaded host TCG can miss the IO-APIC timer
	# check's ticks, and the kernel panics ("IO-APIC + timer doesn't
	# work"); cloud images boot with it for the same reason
	local append="console=ttyS0 edd=off no_timer_check panic=-1 panic_on_warn=${LDIR_PANIC_ON_WARN:-1} oops=panic LDIR_MODE=$mode"
	local rc pid n=0 last

	[ "$name" = debug ] && append="$append kmemleak=on"
	[ "$mode" != check ] && append="$append loglevel=3"
	append="$append ${LDIR_APPEND:-}"
	rm -f "$rundir/console.log" "$rundir/results.log"
	: >"$rundir/results.log"
	stage "booting $name under qemu (TCG, timeout ${tmo}s; console: $rundir/console.log)"
	# LDIR_QEMU_MEM, LDIR_QEMU_SMP, LDIR_QEMU_ARGS: bench's (-icount ...)
	# LDIR_QEMU_ACCEL: one host thread runs every vCPU (thread=single).
	# Multi-threaded TCG let a vCPU run a kernel text patch's int3 after
	# the patch was done (static keys flip as hooks and modules come and
	# go): "Oops: int3" at random places, mostly on a loaded host. A guest
	# keeps about one host core busy either way, and two guests share
	# this machine's two cores.
	# shellcheck disable=SC2086 # LDIR_QEMU_ARGS is a list
	set -- qemu-system-x86_64 -nographic -no-reboot -m "${LDIR_QEMU_MEM:-2G}" \
		-smp "${LDIR_QEMU_SMP:-2}" -accel "${LDIR_QEMU_ACCEL:-tcg,thread=single}" \
		${LDIR_QEMU_ARGS:-} \
		-nic none -monitor none -serial stdio -serial "file:$rundir/results.log" \
		${GUEST_QUEUE:+-serial "pipe:$GUEST_QUEUE"} \
		-kernel "$kernel" -initrd "$initrd" -append "$append"
	if [ -n "$show" ]; then
		timeout -k 10 "$tmo" "$@" </dev/null 2>&1 | tee "$rundir/console.log" |
			sed -u 's/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r$//'
		rc=${PIPESTATUS[0]}
	else
		timeout -k 10 "$tmo" "$@" </dev/null >"$rundir/console.log" 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			sleep 5
			n=$((n + 5))
			if [ $((n % 60)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
				last=$(tr -d '\r' <"$rundir/results.log" | grep '^TEST ' | tail -n 1)
				stage "  ... $name guest running, $(tr -d '\r' <"$rundir/results.log" |
					grep -c '^TEST ') results so far${last:+, last: $last}"
			fi
		done
		wait "$pid"
		rc=$?
	fi
	stage "$name guest ended (status $rc)"
	return "$rc"
}
