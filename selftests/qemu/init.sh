#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /init of ldir's QEMU guests (packed by selftests/qemu/lib.sh).
#
# LDIR_MODE (kernel command line or /ldir/env):
#   check  KUnit (debug kernel) and every /ldir/selftests/test-*.sh
#   demo   /ldir/selftests/demo.sh, output as is
#   bench  /ldir/selftests/bench.sh (or $LDIR_BENCH), output as is
#
# Result lines ("TEST <name> PASS|FAIL|SKIP", "TAINT <n>", "LDIR-GUEST-DONE")
# go to the console and to ttyS1, which only this script writes and which the
# host parses; test output is prefixed with "  | " on the console.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C
cmdline_mode=${LDIR_MODE:-}
# shellcheck disable=SC1091
. /ldir/env
LDIR_MODE=${cmdline_mode:-${LDIR_MODE:-check}}
# bench.sh's knobs, and test-fuzz.sh's (make fuzz)
for v in ${!LDIR_BENCH_*} ${!LDIR_FUZZ_*}; do
	export "${v?}"
done
export LDIR_KERNEL LDIR_MODE LDIR_KO=/ldir/ldir.ko

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
ip link set lo up
hostname ldir-"$LDIR_KERNEL"

if [ -c /dev/ttyS1 ] && exec 3>/dev/ttyS1; then
	:
else
	exec 3>/dev/null
fi

result()
{
	echo "TEST $1 $2"
	echo "TEST $1 $2" >&3
}

# report LINE: to the host (and, in check mode, to the console)
report()
{
	[ "$LDIR_MODE" = check ] && echo "$*"
	echo "$*" >&3
}

ldir_loaded()
{
	[ -d /sys/module/ldir ]
}

# load_ldir: ldir.ko's dependencies (stock kernels build netfilter as
# modules; one modprobe for all of them), then ldir.ko itself.
load_ldir()
{
	if [ -z "${LDIR_DEPS+set}" ]; then
		LDIR_DEPS=$(modinfo -F depends /ldir/ldir.ko 2>/dev/null | tr , ' ')
	fi
	# shellcheck disable=SC2086 # a list of names
	[ -z "$LDIR_DEPS" ] || modprobe -a $LDIR_DEPS
	insmod /ldir/ldir.ko
}

# unload MODULE: rmmod, retrying for a few seconds (netns teardown is
# asynchronous).
unload()
{
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -d "/sys/module/$1" ] || return 0
		rmmod "$1" 2>/tmp/rmmod.err && return 0
		sleep 1
	done
	cat /tmp/rmmod.err
	return 1
}

# run_script PREFIX TIMEOUT SCRIPT: runs SCRIPT from /ldir/selftests, its
# output shown live with PREFIX; returns its status (124: timed out). Any
# process it leaves behind in its process group is killed.
run_script()
{
	local prefix=$1 tmo=$2 script=$3 out=/tmp/script.out pid tpid rc

	: >"$out"
	(cd /ldir/selftests && exec timeout -k 10 "$tmo" bash "$script") \
		</dev/null >"$out" 2>&1 8>&- 9<&- &
	pid=$!
	tail ---disable-inotify -n +1 -s 0.2 --pid="$pid" -f "$out" 2>/dev/null |
		sed -u "s/^/$prefix/" &
	tpid=$!
	wait "$pid"
	rc=$?
	wait "$tpid"
	kill -KILL -- "-$pid" 2>/dev/null
	return $rc
}

kmemleak()
{
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo "$1" >/sys/kernel/debug/kmemleak
}

# parse_ktap SUITE FILE: one result line per test case of a KUnit debugfs
# results file. Test cases are the "ok" lines at the smallest nonzero indent
# (parameterised cases nest deeper, the suite is at 0).
parse_ktap()
{
	local s=$1 f=$2 caseind line ind name st nfail=0 suitefail=0

	caseind=$(grep -E '^ +(not )?ok [0-9]+ ' "$f" |
		sed -E 's/^( +).*/\1/' | awk '{ print length($0) }' | sort -n | head -n 1)
	while IFS= read -r line; do
		ind=${line%%[! ]*}
		line=${line#"$ind"}
		[[ $line =~ ^(not\ )?ok\ [0-9]+\ ([^ #]+)(.*)$ ]] || continue
		if [ ${#ind} -eq 0 ]; then
			[ -n "${BASH_REMATCH[1]}" ] && suitefail=1
			continue
		fi
		[ ${#ind} -eq "${caseind:-0}" ] || continue
		name=${BASH_REMATCH[2]}
		if [ -n "${BASH_REMATCH[1]}" ]; then
			st=FAIL
			nfail=$((nfail + 1))
		elif [[ ${BASH_REMATCH[3]} =~ \#\ *SKIP ]]; then
			st=SKIP
		else
			st=PASS
		fi
		result "kunit:$s.$name" "$st"
	done <"$f"
	# a suite that failed without a failing case (init, no cases)
	if [ -z "$caseind" ] || { [ $suitefail = 1 ] && [ $nfail = 0 ]; }; then
		result "kunit:$s" FAIL
	fi
}

run_kunit()
{
	local before after s f n=0

	if [ ! -f /ldir/ldir_kunit.ko ]; then
		echo "ldir_kunit.ko was not built"
		result kunit:ldir_kunit.ko FAIL
		return
	fi
	before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	if ! load_ldir; then
		result kunit:insmod-ldir FAIL
		return
	fi
	echo "== insmod ldir_kunit.ko (the KUnit suites run now)"
	insmod /ldir/ldir_kunit.ko || result kunit:insmod-ldir_kunit FAIL
	after=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	for s in $after; do
		echo "$before" | grep -qxF "$s" && continue
		f=/sys/kernel/debug/kunit/$s/results
		sed 's/^/  | /' "$f"
		parse_ktap "$s" "$f"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || result kunit:suites-found FAIL
	unload ldir_kunit || result kunit:rmmod-ldir_kunit FAIL
	unload ldir || result kunit:rmmod-ldir FAIL
}

# next_run: sets t, fam and vname to the next selftest run: from the list of
# variants.sh (fd 9), or with LDIR_QUEUE=1 from the host's queue of this
# kernel (ttyS2: "NEXT" out, "SCRIPT FAMILY NAME" or "END" back), which a
# second guest of the same kernel may share; returns 1 at the end.
next_run()
{
	local l

	if [ "${LDIR_QUEUE:-0}" != 1 ]; then
		read -r t fam vname <&9
		return
	fi
	echo NEXT >&8 || return 1
	IFS= read -r l <&8 || return 1
	l=${l%$'\r'}
	[ "$l" != END ] || return 1
	read -r t fam vname <<<"$l"
}

run_selftests()
{
	local t fam vname name st rc t0 secs tmo n=0

	# shellcheck source=selftests/qemu/variants.sh
	. /ldir/selftests/qemu/variants.sh
	if [ "${LDIR_QUEUE:-0}" = 1 ]; then
		# raw: no echo of the host's lines back to it, no CR added
		if ! exec 8<>/dev/ttyS2 || ! stty raw -echo <&8; then
			echo "no queue on /dev/ttyS2: no selftests run"
			return
		fi
	else
		# one run per test and family its header names, on the kernels
		# it allows (selftests/qemu/variants.sh): the debug kernel has
		# KUnit and the lifetime tests, and each test there costs ~5x
		test_runs /ldir/selftests "$LDIR_KERNEL" >/tmp/runs
		exec 9</tmp/runs
	fi
	while next_run; do
		n=$((n + 1))
		name=$LDIR_KERNEL:$vname
		echo "--- begin $name"
		echo "BEGIN $name" >&3
		if ! load_ldir; then
			echo "--- end $name: insmod /ldir/ldir.ko failed"
			result "$name" FAIL
			continue
		fi
		t0=$(date +%s)
		export LDIR_FAMILY=$fam
		# a test's own "# ldir-timeout: SECONDS", where longer
		tmo=$(test_header /ldir/selftests "$t" timeout)
		[[ $tmo =~ ^[0-9]+$ ]] && ((tmo > LDIR_TEST_TIMEOUT)) ||
			tmo=$LDIR_TEST_TIMEOUT
		run_script '  | ' "$tmo" "$t"
		rc=$?
		secs=$(($(date +%s) - t0))
		case $rc in
		0) st=PASS ;;
		4) st=SKIP ;;
		124|137) st=FAIL; echo "  | (timed out after ${tmo}s)" ;;
		*) st=FAIL ;;
		esac
		# a fresh start for the next test
		ip -all netns delete 2>/dev/null
		if ! unload ldir; then
			echo "  | rmmod ldir failed after the test"
			st=FAIL
		fi
		echo "--- end $name: exit $rc, ${secs}s"
		result "$name" "$st"
	done
	exec 8>&- 9<&-
	[ $n -gt 0 ] || echo "no selftests/test-*.sh matched"
}

echo "== ldir guest: kernel $(uname -r) ($LDIR_KERNEL), mode $LDIR_MODE"
# Anything kmemleak suspects before our module is loaded is not ours.
if [ "$LDIR_KERNEL" = debug ]; then
	kmemleak scan
	kmemleak clear
fi

case $LDIR_MODE in
check)
	if [ "$LDIR_KERNEL" = debug ] && [ "${LDIR_KUNIT:-1}" = 1 ]; then
		run_kunit
	fi
	run_selftests
	;;
demo|bench)
	if [ "$LDIR_MODE" = demo ]; then
		script=demo.sh
	else
		script=${LDIR_BENCH:-bench.sh}
	fi
	if [ -f "/ldir/selftests/$script" ]; then
		load_ldir || echo "warning: insmod /ldir/ldir.ko failed"
		run_script '' "${LDIR_BENCH_TIMEOUT:-3600}" "$script"
		report "LDIR-RC $?"
	else
		echo "selftests/$script does not exist yet"
		report "LDIR-RC 2"
	fi
	;;
*)
	echo "unknown LDIR_MODE=$LDIR_MODE"
	;;
esac

# "KMEMLEAK scanned" only when both scans were accepted: a kmemleak that
# turned itself off refuses them (EPERM), or has no file at all.
if [ "$LDIR_KERNEL" = debug ]; then
	echo "== kmemleak scan"
	if [ -w /sys/kernel/debug/kmemleak ] && sleep 5 && kmemleak scan &&
		sleep 2 && kmemleak scan && cat /sys/kernel/debug/kmemleak; then
		report "KMEMLEAK scanned"
	else
		report "KMEMLEAK refused"
	fi
fi
report "TAINT $(cat /proc/sys/kernel/tainted)"
report LDIR-GUEST-DONE
exec 3>&-
sleep 1
reboot -f
