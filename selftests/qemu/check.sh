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
#   LDIR_PARALLEL  1 (default): two guests at a time (a guest mostly keeps
#                  one core busy): the debug guest beside the install test
#                  and the stock guests, and once it has ended a second
#                  guest on the stock kernel with the most runs left (a
#                  stock kernel's guests take their runs from one queue);
#                  0: one guest at a time, the install test last
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

# check_kernel_log NAME CONSOLE...: the consoles of kernel NAME's guests
check_kernel_log()
{
	local name=$1 log bad out=

	shift
	for log; do
		bad=$(tr -d '\r' <"$log" |
			awk '!/^  \| / || /\[ *[0-9]+\.[0-9]+\]/' |
			grep -E "$KERNEL_BAD" | grep -v 'unreferenced object' | head -n 20)
		[ -z "$bad" ] || out="$out$bad"$'\n'"(console: $log)"$'\n'
	done
	if [ -z "$out" ]; then
		line PASS "$name:kernel-log-clean"
	else
		line FAIL "$name:kernel-log-clean"
		printf '%s' "$out" | indent
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

# result_line KERNEL NAME STATUS CONSOLE: the line of one result from a
# guest, the test's console output under a FAIL (a skip nothing allows is a
# FAIL).
result_line()
{
	local k=$1 t=$2 st=$3 console=$4

	if [ "$st" = SKIP ] && ! skip_allowed "$t"; then
		line FAIL "$t"
		echo "skipped, but nothing allows it to skip on $k (LDIR_SKIP_OK):" | indent
		tr -d '\r' <"$console" | sed -n "/^--- begin $t\$/,/^--- end $t: /p" |
			grep -E 'SKIP' | tail -n 5 | indent
		return
	fi
	line "$st" "$t"
	if [ "$st" = FAIL ] && [[ $t != kunit:* ]]; then
		tr -d '\r' <"$console" |
			sed -n "/^--- begin $t\$/,/^--- end $t: /p" | tail -n 80 | indent
	fi
}

# report_kernel NAME RUNS GUESTDIR...: the results of kernel NAME's guests
# (one, or two sharing a stock kernel's queue): KUnit's as they came, then
# one line per run of RUNS (tests_for's list) in its order, and the checks
# of the whole kernel, each failing with the failing guest's details.
report_kernel()
{
	local name=$1 runs=$2 g t st r vname bad all n ntests=0 taint allowed
	local rundir=$3

	shift 2
	n=$(wc -l <"$runs")
	# "NAME STATUS GUESTDIR" per result, "NAME BEGIN GUESTDIR" per run a
	# guest began (or took from the queue)
	all=$(for g; do
		tr -d '\r' <"$g/results.log" |
			sed -n -E "s#^TEST ([^ ]+) (PASS|FAIL|SKIP)\$#\\1 \\2 $g#p; s#^BEGIN ([^ ]+)\$#\\1 BEGIN $g#p"
		[ -f "$g/taken" ] && sed "s#\$# BEGIN $g#" "$g/taken"
	done)
	while read -r t st g; do
		result_line "$name" "$t" "$st" "$g/console.log"
	done < <(awk '$1 ~ /^kunit:/ && $2 != "BEGIN"' <<<"$all")
	while read -r _ _ vname; do
		t=$name:$vname
		r=$(awk -v t="$t" '$1 == t && $2 != "BEGIN" { print; exit }' <<<"$all")
		if [ -n "$r" ]; then
			read -r _ st g <<<"$r"
			result_line "$name" "$t" "$st" "$g/console.log"
			ntests=$((ntests + 1))
			continue
		fi
		# a test that began but has no result: its guest died during it
		g=$(awk -v t="$t" '$1 == t { print $3; exit }' <<<"$all")
		[ -n "$g" ] || continue
		line FAIL "$t"
		ntests=$((ntests + 1))
		echo "the guest crashed or hung during this test; its last output ($g/console.log):" | indent
		r=$(tr -d '\r' <"$g/console.log" | sed -n "/^--- begin $t\$/,\$p" | tail -n 60)
		[ -n "$r" ] || r=$(tr -d '\r' <"$g/console.log" | tail -n 60)
		echo "$r" | indent
	done <"$runs"
	if [ "$name" = debug ] && [ "${LDIR_KUNIT:-1}" = 1 ]; then
		check_kunit_count "$name" "$rundir/results.log"
	fi
	if [ "$ntests" -eq 0 ] && [ "$n" -gt 0 ]; then
		line FAIL "$name:selftests-found"
		echo "no selftests ran (none found, or the guest died first)" | indent
	fi

	bad=
	for g; do
		tr -d '\r' <"$g/results.log" | grep -qx LDIR-GUEST-DONE || bad="$bad $g"
	done
	if [ -z "$bad" ]; then
		line PASS "$name:guest-finished"
	else
		line FAIL "$name:guest-finished"
		for g in $bad; do
			echo "the guest did not finish (crash, panic or timeout); last console lines ($g/console.log):" | indent
			tr -d '\r' <"$g/console.log" | tail -n 40 | indent
		done
	fi

	check_kernel_log "$name" "${@/%//console.log}"

	if [ "$name" = debug ]; then
		if tr -d '\r' <"$rundir/console.log" | grep -q 'unreferenced object'; then
			line FAIL "$name:kmemleak"
			tr -d '\r' <"$rundir/console.log" | grep -A 25 'unreferenced object' | head -n 60 | indent
		elif tr -d '\r' <"$rundir/console.log" | awk '!/^  \| / || /\[ *[0-9]+\.[0-9]+\]/' |
			grep -E "$KMEMLEAK_OFF" >"$rundir/kmemleak-off"; then
			line FAIL "$name:kmemleak"
			echo "kmemleak turned itself off during the run:" | indent
			head -n 5 "$rundir/kmemleak-off" | indent
		elif tr -d '\r' <"$rundir/results.log" | grep -qx 'KMEMLEAK scanned'; then
			line PASS "$name:kmemleak"
		else
			line FAIL "$name:kmemleak"
			echo "the kmemleak scan at the end did not run or was refused (kmemleak off?)" | indent
			tr -d '\r' <"$rundir/results.log" | grep '^KMEMLEAK' | indent
		fi
	fi

	allowed=$(taint_allowed "$name")
	bad=$(for g; do
		taint=$(tr -d '\r' <"$g/results.log" | sed -n 's/^TAINT \([0-9]*\)$/\1/p' | tail -n 1)
		if [ -z "$taint" ]; then
			echo "no taint value reported ($g)"
		elif [ $((taint & ~allowed)) -ne 0 ]; then
			echo "tainted=$taint ($(taint_flags "$taint")), allowed $(taint_flags "$allowed") ($g)"
		fi
	done)
	if [ -z "$bad" ]; then
		line PASS "$name:taint"
	else
		line FAIL "$name:taint"
		echo "$bad" | indent
	fi
}

# prepare_kernel NAME: ldir.ko for NAME and its initramfs in
# $LDIR_CACHE/run/NAME; sets K_IMAGE. Returns 1 when there is nothing to boot.
prepare_kernel()
{
	local name=$1 rundir=$LDIR_CACHE/run/$1

	if ! kernel_info "$name"; then
		line FAIL "$name:kernel"
		return 1
	fi
	if quiet_stage build_module "$name" "$K_KDIR" "$K_KVER"; then
		line PASS "build-$name"
	else
		line FAIL "build-$name"
		echo "(log: $LDIR_CACHE/mod-$K_KVER.log)" | indent
	fi
	if [ ! -f "$MOD_DIR/kmod/ldir.ko" ]; then
		echo "      no ldir.ko for $name: not booting it"
		return 1
	fi
	mkdir -p "$rundir"
	stage "packing the $name initramfs"
	make_initramfs "$name" "$K_KVER" "$MOD_DIR/kmod" "$rundir/initramfs.cpio" check
}

# run_kernel NAME: the debug kernel's guest, its own static list of runs
# (init.sh), and its report.
run_kernel()
{
	local t0=$SECONDS

	run_kernel_timed "$@"
	echo "$1 $((SECONDS - t0))" >>"$TIMES"
}

run_kernel_timed()
{
	local name=$1 rundir=$LDIR_CACHE/run/$1 tmo n

	prepare_kernel "$name" || return
	tests_for "$name" >"$rundir/runs"
	# The guest's own per-test timeouts catch hung tests; this one only a
	# hung kernel: boot + KUnit + every selected test at its timeout.
	n=$(wc -l <"$rundir/runs")
	if [ "$n" -eq 0 ] && { [ "$name" != debug ] || [ "${LDIR_KUNIT:-1}" != 1 ]; }; then
		echo "      no selected selftest runs on $name: not booting it"
		return
	fi
	tmo=$((600 + n * ${LDIR_TEST_TIMEOUT:-600}))
	tmo=${LDIR_BOOT_TIMEOUT:-$tmo}
	boot_guest "$name" "$K_IMAGE" "$rundir/initramfs.cpio" "$rundir" "$tmo" check
	report_kernel "$name" "$rundir/runs" "$rundir"
}

# ---------------------------------------------------------- run queues ----
#
# A stock kernel's runs are a queue, $LDIR_CACHE/run/NAME/queue (one
# "SCRIPT FAMILY NAME" a line, tests_for's), that its guests take from one at
# a time over ttyS2 (init.sh next_run). A guest that finds it empty ends as
# before (TAINT, LDIR-GUEST-DONE). Two slots, one guest each (a guest keeps
# about one of the 2 cores busy): slot a runs the debug guest first, then
# joins the stock queues; slot b the install test first (beside the debug
# guest), then the stock queues. A slot takes the queue with the most runs
# left, so once the debug guest has ended the last stock kernel's runs are
# shared by two guests and both cores stay busy until the end. Each guest of
# a stock kernel has its own directory, run/NAME/g-SLOT (console.log,
# results.log, taken: the runs the host gave it).

# queue_init NAME: the runs of stock kernel NAME and their queue.
queue_init()
{
	local d=$LDIR_CACHE/run/$1

	mkdir -p "$d"
	rm -rf "$d"/g-* "$d/queue" "$d/queue.lock" "$d/image" "$d/unbootable" \
		"$d/t-start" "$d/t-end"
	tests_for "$1" >"$d/runs"
	cp "$d/runs" "$d/queue"
}

queue_left()
{
	local q=$LDIR_CACHE/run/$1/queue

	if [ -f "$q" ]; then wc -l <"$q"; else echo 0; fi
}

# queue_pop QUEUE: prints and removes QUEUE's first line (nothing when it is
# empty), under a lock: two guests never get the same run.
queue_pop()
{
	local fd l

	exec {fd}>"$1.lock"
	flock "$fd"
	if IFS= read -r l <"$1"; then
		sed -i 1d "$1"
		echo "$l"
	fi
	exec {fd}>&-
}

# feeder KERNEL QUEUE PIPE TAKEN: answers each "NEXT" of a guest of KERNEL
# on PIPE.out with the next run of QUEUE on PIPE.in ("END" when it is
# empty), and notes each run's result name in TAKEN. Runs until killed.
feeder()
{
	local k=$1 q=$2 p=$3 taken=$4 in out req next

	# read-write: opening a FIFO so does not wait for its other end
	exec {in}<>"$p.in" {out}<>"$p.out"
	while IFS= read -r req <&"$out"; do
		[ "${req%$'\r'}" = NEXT ] || continue
		next=$(queue_pop "$q")
		if [ -n "$next" ]; then
			echo "$k:${next##* }" >>"$taken"
		fi
		echo "${next:-END}" >&"$in"
	done
}

# pick_queue DONE: the stock kernel whose queue has the most runs left
# (the first of KERNELS on a tie), not one of DONE; 1 when none has any.
pick_queue()
{
	local k n best='' most=0

	for k in $STOCK; do
		[[ " $1 " == *" $k "* ]] && continue
		n=$(queue_left "$k")
		if [ "$n" -gt "$most" ]; then
			best=$k
			most=$n
		fi
	done
	[ -n "$best" ] && echo "$best"
}

# stock_guest NAME SLOT: one guest of stock kernel NAME on its queue (the
# first guest of NAME prepares it: ldir.ko, the initramfs).
stock_guest()
{
	local name=$1 d=$LDIR_CACHE/run/$1 g=$LDIR_CACHE/run/$1/g-$2 fd n tmo fpid

	exec {fd}>"$d/prepare.lock"
	flock "$fd"
	if [ ! -f "$d/image" ] && [ ! -f "$d/unbootable" ]; then
		date +%s >"$d/t-start"
		if prepare_kernel "$name"; then
			echo "$K_IMAGE" >"$d/image"
		else
			: >"$d/unbootable"
			: >"$d/queue"
		fi
	fi
	exec {fd}>&-
	[ -f "$d/image" ] || return 0
	# the other guest may have taken the rest meanwhile
	n=$(queue_left "$name")
	[ "$n" -gt 0 ] || return 0
	mkdir -p "$g"
	rm -f "$g/queue.in" "$g/queue.out" "$g/taken"
	mkfifo "$g/queue.in" "$g/queue.out"
	: >"$g/taken"
	# The guest's own per-test timeouts catch hung tests; this one only a
	# hung kernel: boot + every run left at its timeout.
	tmo=$((300 + n * ${LDIR_TEST_TIMEOUT:-240}))
	tmo=${LDIR_BOOT_TIMEOUT:-$tmo}
	stage "$name: guest $2 takes its runs from the queue ($n left)"
	feeder "$name" "$d/queue" "$g/queue" "$g/taken" &
	fpid=$!
	GUEST_QUEUE=$g/queue boot_guest "$name/$2" "$(cat "$d/image")" \
		"$d/initramfs.cpio" "$g" "$tmo" check
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	rm -f "$g/queue.in" "$g/queue.out"
	date +%s >>"$d/t-end"
}

# slot NAME: stock guests one after the other while a queue has runs left
# (at most one guest of a kernel per slot).
slot()
{
	local k used=''

	while k=$(pick_queue "$used"); do
		used="$used $k"
		stock_guest "$k" "$1"
	done
}

# report_stock NAME: the report of stock kernel NAME's guests (after they
# all ended) and its time.
report_stock()
{
	local name=$1 d=$LDIR_CACHE/run/$1 g guests=() t1

	for g in "$d"/g-*; do
		[ -f "$g/results.log" ] && guests+=("$g")
	done
	if [ ! -f "$d/image" ] && [ ! -f "$d/unbootable" ]; then
		# no run selected: ldir.ko still builds for it
		date +%s >"$d/t-start"
		prepare_kernel "$name" &&
			echo "      no selected selftest runs on $name: not booting it"
	fi
	if [ ${#guests[@]} -gt 0 ]; then
		report_kernel "$name" "$d/runs" "${guests[@]}"
	fi
	t1=$(sort -n "$d/t-end" 2>/dev/null | tail -n 1)
	t1=${t1:-$(date +%s)}
	echo "$name $((t1 - $(cat "$d/t-start"))) ${#guests[@]}" >>"$TIMES"
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

# pkg_test: the install test; its result lines are this run's
pkg_test()
{
	local out st name t0=$SECONDS

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
	echo "pkg $((SECONDS - t0))" >>"$TIMES"
}

PKG_TEST=${LDIR_PKG_TEST:-$([ -z "${LDIR_TESTS:-}" ] && echo 1 || echo 0)}
STOCK=$(echo " $KERNELS " | sed 's/ debug / /')
if [[ " $KERNELS " == *" debug "* ]] && [ -n "${STOCK// /}" ] && ! debug_kernel_cached; then
	# Cold cache: the stock kernels' guests run (one at a time) while the
	# debug kernel builds; its build log follows their results.
	stage "the debug kernel builds in the background (log: $KBUILD/build.log); stock kernels first"
	kbout=$LDIR_CACHE/run/kbuild.$$
	build_debug_kernel >"$kbout" 2>&1 &
	kbpid=$!
	for k in $STOCK; do
		queue_init "$k"
		stock_guest "$k" a
		report_stock "$k"
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
STOCK=$(echo " $KERNELS " | sed 's/ debug / /')

if [ -z "${KERNELS// /}" ]; then
	[ "$PKG_TEST" = 1 ] && pkg_test
elif [ "${LDIR_PARALLEL:-1}" = 1 ]; then
	# Two slots (see "run queues" above): a, the debug guest then the
	# stock queues; b, the install test then the stock queues. Reports
	# once every guest has ended: the stock kernels', the debug kernel's,
	# the install test's.
	make_base_root
	for k in $STOCK; do
		queue_init "$k"
	done
	report=$LDIR_CACHE/run/debug/report.txt
	pkgreport=$LDIR_CACHE/run/pkg-report.txt
	mkdir -p "$(dirname "$report")"
	: >"$report"
	: >"$pkgreport"
	(
		[[ " $KERNELS " == *" debug "* ]] && run_kernel debug >"$report" 2>&1
		slot a
	) &
	apid=$!
	tail -n +1 --pid="$apid" -f "$report" 2>/dev/null | grep --line-buffered '^== ' &
	[ "$PKG_TEST" = 1 ] && pkg_test >"$pkgreport" 2>&1
	slot b
	wait "$apid"
	for k in $STOCK; do
		report_stock "$k"
	done
	grep -v '^== ' "$report"
	cat "$pkgreport"
	rm -f "$report" "$pkgreport"
else
	# one guest at a time, each stock kernel's queue taken by one guest
	for k in $KERNELS; do
		if [ "$k" = debug ]; then
			run_kernel debug
		else
			queue_init "$k"
			stock_guest "$k" a
			report_stock "$k"
		fi
	done
	[ "$PKG_TEST" = 1 ] && pkg_test
fi

stage "done"
NPASS=$(grep -c '^PASS' "$SUMMARY")
NFAIL=$(grep -vc '^PASS\|^SKIP' "$SUMMARY")
NSKIP=$(grep -c '^SKIP' "$SUMMARY")
rm -f "$SUMMARY"
if [ -s "$TIMES" ]; then
	printf 'time:'
	# a stock kernel's third field: how many guests shared its queue
	while read -r k secs ng; do
		printf ' %s %dm%02ds%s,' "$k" $((secs / 60)) $((secs % 60)) \
			"$([ "${ng:-1}" -gt 1 ] && echo " ($ng guests)")"
	done <"$TIMES"
	secs=$((SECONDS - T_START))
	printf ' all %dm%02ds\n' $((secs / 60)) $((secs % 60))
fi
rm -f "$TIMES"
echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ] && [ "$NPASS" -gt 0 ]
