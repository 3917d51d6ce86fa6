#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: KUnit and the netns selftests in QEMU guests, on ldir's debug
# kernel (KASAN, UBSAN, kmemleak, lockdep) and on Debian's stock 6.1 and 6.12.
#
# Prints one line per test ("PASS  debug:test-basic.sh") and ends with
# "N passed, N failed, N skipped"; exits non-zero on any failure (a skip
# the allow-list LDIR_SKIP_OK does not name is a failure).
#
# Environment:
#   LDIR_KERNELS   kernels to run, default "debug 6.1 6.12"
#   LDIR_TESTS     extended regex selecting selftests/test-*.sh by name (an
#                  IPv6 run's name ends in ":ipv6": test-basic.sh:ipv6)
#   LDIR_FAMILIES  address families to run the tests in, default "4 6"
#                  (a test names its own: "# ldir-families: 4 6")
#   LDIR_KUNIT     0 to skip KUnit on the debug kernel
#   LDIR_CACHE     cache directory, default /var/cache/ldir
#   LDIR_TEST_TIMEOUT  per-test timeout in the guest (600 s debug, 240 s stock)
#   LDIR_BOOT_TIMEOUT  a guest's whole run (default: from the number of tests)
#   LDIR_PARALLEL  1 (default): the debug guest runs beside the stock ones
#                  (a guest mostly keeps one core busy); 0: one at a time
#   LDIR_APPEND    extra kernel command line
#   LDIR_SKIP_OK   extended regex of results ("6.1:test-x.sh", "kunit:...")
#                  that may skip, besides SKIP_EXPECTED below; any other
#                  skip fails the run
#   LDIR_PKG_TEST  1: run the install test (selftests/qemu/pkg-test.sh:
#                  installs and purges the packages on this machine), 0: not;
#                  default 1 unless LDIR_TESTS selects tests

set -u
# shellcheck source=selftests/qemu/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=selftests/qemu/variants.sh
. "$(dirname "${BASH_SOURCE[0]}")/variants.sh"

KERNELS=${LDIR_KERNELS:-debug 6.1 6.12}
SUMMARY=$LDIR_CACHE/run/summary.$$
# one line per kernel run: "NAME SECONDS" (build, boot, tests, checks)
TIMES=$LDIR_CACHE/run/times.$$
T_START=$SECONDS

# line PASS|FAIL|SKIP NAME: a result (also recorded in $SUMMARY, which the
# final count reads: run_kernel may run in a subshell).
line()
{
	printf '%s  %s\n' "$1" "$2"
	echo "$1" >>"$SUMMARY"
}

# indent: detail lines under a FAIL line.
indent()
{
	sed 's/^/      /'
}

# quiet_stage CMD...: runs CMD in this shell, its stage lines as they are and
# the rest of its output indented under the result line that follows.
quiet_stage()
{
	local out rc

	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	grep '^== ' "$out"
	grep -v '^== ' "$out" | indent
	rm -f "$out"
	return $rc
}

# Taint bits a kernel may have at the end: O (bit 12, 4096, out-of-tree
# module); stock kernels also E (bit 13, 8192, unsigned module); debug also
# N (bit 18, 262144, TAINT_TEST: KUnit ran).
taint_allowed()
{
	case $1 in
	debug) echo $((4096 | 262144)) ;;
	*) echo $((4096 | 8192)) ;;
	esac
}

taint_flags()
{
	local v=$1 i s="" letters="PFSRMBUDAWCIOELKXTN"

	for ((i = 0; i < ${#letters}; i++)); do
		[ $((v >> i & 1)) = 1 ] && s="$s${letters:i:1}"
	done
	echo "$s"
}

# The kernel's own reports: anything here fails the run. Test output lines
# ("  | ...") only count when a kernel message ("[ 12.345678] ...") is in them.
KERNEL_BAD='BUG:|WARNING:|KASAN|UBSAN|possible recursive locking|possible circular locking|suspicious RCU usage|sleeping function called from invalid context|Call Trace|Kernel panic|Oops|general protection fault|INFO: task .* blocked|self-detected stall|rcu_.*detected stalls|inconsistent lock state|lock held when returning|bad unlock balance|unreferenced object|DEBUG_LOCKS_WARN_ON|ODEBUG:|list_add corruption|list_del corruption|soft lockup|unregister_netdevice: waiting for|to become free\. Usage count'

# kmemleak turning itself off: the scan at the end then finds nothing.
KMEMLEAK_OFF='kmemleak: (Kernel memory leak detector disabled|Kmemleak disabled|Cannot allocate|Automatic memory scanning thread ended|Failed to create the scan thread|Memory pool empty)'

check_kernel_log()
{
	local name=$1 log=$2 bad

	bad=$(tr -d '\r' <"$log" |
		awk '!/^  \| / || /\[ *[0-9]+\.[0-9]+\]/' |
		grep -E "$KERNEL_BAD" | grep -v 'unreferenced object' | head -n 20)
	if [ -z "$bad" ]; then
		line PASS "$name:kernel-log-clean"
	else
		line FAIL "$name:kernel-log-clean"
		echo "$bad" | indent
		echo "(console: $log)" | indent
	fi
}

# check_kunit_count NAME RESULTS: as many KUnit case results as the sources
# have cases (KUNIT_CASE, KUNIT_CASE_SLOW, KUNIT_CASE_PARAM... in kmod/):
# a suite that stopped early or was not registered cannot pass quietly.
check_kunit_count()
{
	local name=$1 want got

	want=$(cat "$LDIR_REPO"/kmod/*.c | grep -v '^#' |
		grep -oE '\<KUNIT_CASE[A-Z_]*\(' | wc -l)
	got=$(tr -d '\r' <"$2" | grep -cE '^TEST kunit:[^ .]+\.[^ ]+ (PASS|FAIL|SKIP)$')
	if [ "$want" -gt 0 ] && [ "$got" -ge "$want" ]; then
		line PASS "$name:kunit-cases"
	else
		line FAIL "$name:kunit-cases"
		echo "$got KUnit case results, $want KUNIT_CASE* in kmod/*.c" | indent
	fi
}

# The skips the suite expects, each for a reason that lives in the kernel
# booted, not in ldir: the debug kernel is built without cgroups, so
# test-trust.sh cannot measure a memory cgroup there (it does on 6.1 and
# 6.12, and runs the rest of its checks on debug before it says so).
SKIP_EXPECTED='debug:test-trust\.sh'

# skip_allowed RESULT: RESULT ("6.12:test-x.sh") may skip (SKIP_EXPECTED,
# LDIR_SKIP_OK).
skip_allowed()
{
	echo "$1" | grep -qE -- "^($SKIP_EXPECTED${LDIR_SKIP_OK:+|$LDIR_SKIP_OK})\$"
}

# tests_for KERNEL: the selftest runs LDIR_TESTS and LDIR_FAMILIES select
# on KERNEL, one a line (selftests/qemu/variants.sh, which init.sh follows
# in the guest: a test runs once per family of its "# ldir-families: ..."
# line, on the kernels of "# ldir-kernels: ..." and, for IPv6,
# "# ldir-kernels-ipv6: ...").
tests_for()
{
	test_runs "$LDIR_REPO/selftests" "$1" 2>/dev/null
}

run_kernel()
{
	local t0=$SECONDS

	run_kernel_timed "$@"
	echo "$1 $((SECONDS - t0))" >>"$TIMES"
}

run_kernel_timed()
{
	local name=$1 rundir=$LDIR_CACHE/run/$1 tmo results console t st n ntests=0
	local taint allowed

	if ! kernel_info "$name"; then
		line FAIL "$name:kernel"
		return
	fi
	if quiet_stage build_module "$name" "$K_KDIR" "$K_KVER"; then
		line PASS "build-$name"
	else
		line FAIL "build-$name"
		echo "(log: $LDIR_CACHE/mod-$K_KVER.log)" | indent
	fi
	if [ ! -f "$MOD_DIR/kmod/ldir.ko" ]; then
		echo "      no ldir.ko for $name: not booting it"
		return
	fi

	mkdir -p "$rundir"
	stage "packing the $name initramfs"
	make_initramfs "$name" "$K_KVER" "$MOD_DIR/kmod" "$rundir/initramfs.cpio" check
	# The guest's own per-test timeouts catch hung tests; this one only a
	# hung kernel: boot + KUnit + every selected test at its timeout.
	n=$(tests_for "$name" | wc -l)
	if [ "$n" -eq 0 ] && { [ "$name" != debug ] || [ "${LDIR_KUNIT:-1}" != 1 ]; }; then
		echo "      no selected selftest runs on $name: not booting it"
		return
	fi
	if [ "$name" = debug ]; then
		tmo=$((600 + n * ${LDIR_TEST_TIMEOUT:-600}))
	else
		tmo=$((300 + n * ${LDIR_TEST_TIMEOUT:-240}))
	fi
	tmo=${LDIR_BOOT_TIMEOUT:-$tmo}
	boot_guest "$name" "$K_IMAGE" "$rundir/initramfs.cpio" "$rundir" "$tmo" check
	results=$rundir/results.log
	console=$rundir/console.log

	while read -r _ t st; do
		case $t in kunit:*) ;; *) ntests=$((ntests + 1)) ;; esac
		if [ "$st" = SKIP ] && ! skip_allowed "$t"; then
			line FAIL "$t"
			echo "skipped, but nothing allows it to skip on $name (LDIR_SKIP_OK):" | indent
			tr -d '\r' <"$console" | sed -n "/^--- begin $t\$/,/^--- end $t: /p" |
				grep -E 'SKIP' | tail -n 5 | indent
			continue
		fi
		line "$st" "$t"
		if [ "$st" = FAIL ] && [[ $t != kunit:* ]]; then
			tr -d '\r' <"$console" |
				sed -n "/^--- begin $t\$/,/^--- end $t: /p" | tail -n 80 | indent
		fi
	done < <(tr -d '\r' <"$results" | grep -E '^TEST [^ ]+ (PASS|FAIL|SKIP)$')
	# a test that began but has no result: the guest died during it
	for t in $(tr -d '\r' <"$results" | sed -n 's/^BEGIN \([^ ]*\)$/\1/p'); do
		tr -d '\r' <"$results" | grep -qE "^TEST $t (PASS|FAIL|SKIP)\$" && continue
		line FAIL "$t"
		ntests=$((ntests + 1))
		echo "the guest crashed or hung during this test; its last output:" | indent
		tr -d '\r' <"$console" | sed -n "/^--- begin $t\$/,\$p" | tail -n 60 | indent
	done
	if [ "$name" = debug ] && [ "${LDIR_KUNIT:-1}" = 1 ]; then
		check_kunit_count "$name" "$results"
	fi
	if [ "$ntests" -eq 0 ] && [ "$n" -gt 0 ]; then
		line FAIL "$name:selftests-found"
		echo "no selftests ran (none found, or the guest died first)" | indent
	fi

	if tr -d '\r' <"$results" | grep -qx LDIR-GUEST-DONE; then
		line PASS "$name:guest-finished"
	else
		line FAIL "$name:guest-finished"
		echo "the guest did not finish (crash, panic or timeout); last console lines:" | indent
		tr -d '\r' <"$console" | tail -n 40 | indent
	fi

	check_kernel_log "$name" "$console"

	if [ "$name" = debug ]; then
		if tr -d '\r' <"$console" | grep -q 'unreferenced object'; then
			line FAIL "$name:kmemleak"
			tr -d '\r' <"$console" | grep -A 25 'unreferenced object' | head -n 60 | indent
		elif tr -d '\r' <"$console" | awk '!/^  \| / || /\[ *[0-9]+\.[0-9]+\]/' |
			grep -E "$KMEMLEAK_OFF" >"$rundir/kmemleak-off"; then
			line FAIL "$name:kmemleak"
			echo "kmemleak turned itself off during the run:" | indent
			head -n 5 "$rundir/kmemleak-off" | indent
		elif tr -d '\r' <"$results" | grep -qx 'KMEMLEAK scanned'; then
			line PASS "$name:kmemleak"
		else
			line FAIL "$name:kmemleak"
			echo "the kmemleak scan at the end did not run or was refused (kmemleak off?)" | indent
			tr -d '\r' <"$results" | grep '^KMEMLEAK' | indent
		fi
	fi

	taint=$(tr -d '\r' <"$results" | sed -n 's/^TAINT \([0-9]*\)$/\1/p' | tail -n 1)
	allowed=$(taint_allowed "$name")
	if [ -z "$taint" ]; then
		line FAIL "$name:taint"
		echo "no taint value reported" | indent
	elif [ $((taint & ~allowed)) -eq 0 ]; then
		line PASS "$name:taint"
	else
		line FAIL "$name:taint"
		echo "tainted=$taint ($(taint_flags "$taint")), allowed $(taint_flags "$allowed")" | indent
	fi
}

stage "ldir make check: kernels '$KERNELS', cache $LDIR_CACHE"
ensure_packages
mkdir -p "$LDIR_CACHE/run"
: >"$SUMMARY"
: >"$TIMES"

if quiet_stage build_test_tools; then
	line PASS build-test-tools
else
	line FAIL build-test-tools
fi

LDCTL_BIN=$LDIR_REPO/tools/ldctl/ldctl
if quiet_stage build_ldctl; then
	line PASS build-ldctl
	# ldctl's own tests (parsers, printers, JSON, the command line); the
	# guests run tools/ldctl/tests/module.sh against the module
	# (selftests/test-ldctl.sh)
	if quiet_stage test_ldctl; then
		line PASS ldctl-test
	else
		line FAIL ldctl-test
	fi
else
	line FAIL build-ldctl
	LDCTL_BIN=
fi
# ldsyncd: the conn sync daemon, its host tests (`make -C tools/ldsyncd
# test`: SHA-256/HMAC vectors, the wire format, the reliable stream under
# loss, two daemons on the loopback), and as /usr/sbin/ldsyncd in the guests
if quiet_stage test_ldsyncd; then
	line PASS ldsyncd-test
	export LDIR_GUEST_BINS="${LDIR_GUEST_BINS:-} $LDIR_REPO/tools/ldsyncd/ldsyncd"
else
	line FAIL ldsyncd-test
fi
# what the packages ship besides the binaries: man pages, bash completion,
# the unit (host side, dist/test.sh)
if [ -n "$LDCTL_BIN" ] && quiet_stage bash "$LDIR_REPO/dist/test.sh" "$LDCTL_BIN"; then
	line PASS dist-test
else
	line FAIL dist-test
fi
# ldbench: the UDP flows of test-scale.sh, as /usr/sbin/ldbench
if make -C "$LDIR_REPO/tools/bench" --no-print-directory \
	>"$LDIR_CACHE/ldbench.log" 2>&1; then
	line PASS build-ldbench
	export LDIR_GUEST_BINS="${LDIR_GUEST_BINS:-} $LDIR_REPO/tools/bench/ldbench"
else
	line FAIL build-ldbench
	indent <"$LDIR_CACHE/ldbench.log"
fi

# debug_kernel: builds (or finds) the debug kernel; drops it from KERNELS
# when it does not build.
debug_kernel()
{
	if build_debug_kernel; then
		line PASS build-kernel-debug
	else
		line FAIL build-kernel-debug
		KERNELS=$(echo " $KERNELS " | sed 's/ debug / /')
	fi
}

STOCK=$(echo " $KERNELS " | sed 's/ debug / /')
if [[ " $KERNELS " == *" debug "* ]] && [ -n "${STOCK// /}" ] && ! debug_kernel_cached; then
	# Cold cache: the stock kernels' guests run while the debug kernel
	# builds; its build log follows their results.
	stage "the debug kernel builds in the background (log: $KBUILD/build.log); stock kernels first"
	kbout=$LDIR_CACHE/run/kbuild.$$
	build_debug_kernel >"$kbout" 2>&1 &
	kbpid=$!
	for k in $STOCK; do
		run_kernel "$k"
	done
	if kill -0 "$kbpid" 2>/dev/null; then
		stage "waiting for the debug kernel build"
		tail -n +1 --pid="$kbpid" -f "$kbout" 2>/dev/null
	else
		cat "$kbout"
	fi
	if wait "$kbpid"; then
		debug_kernel		# cached now: sets DEBUG_KDIR
		run_kernel debug
	else
		line FAIL build-kernel-debug
	fi
	rm -f "$kbout"
	KERNELS=
elif [[ " $KERNELS " == *" debug "* ]]; then
	debug_kernel
fi

if [ -z "${KERNELS// /}" ]; then
	:	# already run
elif [ "${LDIR_PARALLEL:-1}" = 1 ] && [[ " $KERNELS " == *" debug "* ]]; then
	# The debug guest beside the stock ones: a guest mostly keeps one
	# core busy. The debug kernel's report follows the others'.
	make_base_root
	report=$LDIR_CACHE/run/debug/report.txt
	mkdir -p "$(dirname "$report")"
	run_kernel debug >"$report" 2>&1 &
	dpid=$!
	for k in $KERNELS; do
		[ "$k" = debug ] || run_kernel "$k"
	done
	tail -n +1 --pid="$dpid" -f "$report" 2>/dev/null | grep --line-buffered '^== '
	wait "$dpid"
	grep -v '^== ' "$report"
else
	for k in $KERNELS; do
		run_kernel "$k"
	done
fi

# pkg_test: the install test; its result lines are this run's
pkg_test()
{
	local out st name

	out=$LDIR_CACHE/run/pkg-test.log
	mkdir -p "$LDIR_CACHE/run"
	bash "$LDIR_REPO/selftests/qemu/pkg-test.sh" >"$out" 2>&1
	grep '^== ' "$out"
	while read -r st name; do
		line "$st" "$name"
	done < <(grep -E '^(PASS|FAIL)  pkg:' "$out")
	if ! grep -q '^PASS  pkg:nothing-left' "$out"; then
		line FAIL pkg:install-test
		grep -vE '^(== |PASS  )' "$out" | tail -n 40 | indent
	elif grep -q '^FAIL' "$out"; then
		grep -vE '^(== |PASS  )' "$out" | tail -n 40 | indent
	fi
}

if [ "${LDIR_PKG_TEST:-$([ -z "${LDIR_TESTS:-}" ] && echo 1 || echo 0)}" = 1 ]; then
	pkg_test
fi

stage "done"
NPASS=$(grep -c '^PASS' "$SUMMARY")
NFAIL=$(grep -vc '^PASS\|^SKIP' "$SUMMARY")
NSKIP=$(grep -c '^SKIP' "$SUMMARY")
rm -f "$SUMMARY"
if [ -s "$TIMES" ]; then
	printf 'time:'
	while read -r k secs; do
		printf ' %s %dm%02ds,' "$k" $((secs / 60)) $((secs % 60))
	done <"$TIMES"
	secs=$((SECONDS - T_START))
	printf ' all %dm%02ds\n' $((secs / 60)) $((secs % 60))
fi
rm -f "$TIMES"
echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ] && [ "$NPASS" -gt 0 ]
