#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ldsyncd end to end on the host, with the kernel's stand-in
# (--fake-kernel DIR, see fake.c) and UDP on the loopback:
#
#   A (master, 127.0.0.1:PA) <------ UDP ------> B (backup, 127.0.0.1:PB)
#   DIR a/: conns events applied                 DIR b/: conns events applied
#
# bulk resync on join and on a restart, live records, the backup sending
# nothing until `ldsyncd ctl role master`, rejected records counted per
# peer, keys (a wrong one is counted and ignored), malformed datagrams
# counted, an event overrun answered by a resync, readiness (`ctl ready`
# only once a sender's whole table is in; a lone director after the
# wait), and the command line.
#
# usage: tests/cli.sh path/to/ldsyncd; exit 0 pass, 1 fail

set -u
LDSYNCD=$(realpath "${1:-./ldsyncd}")
# test_ldsyncd's helpers: a free port, datagrams from a given port
HELPER=$(dirname "$(realpath "$0")")/test_ldsyncd
T=$(mktemp -d)
pass=0
fail=0
pids=()

cleanup()
{
	local p

	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

check()
{
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1${3:+: $3}"
	fi
}

# a free UDP port on the loopback
port()
{
	"$HELPER" port
}

PA=$(port)
PB=$(port)
PX=$(port)
FAST="--hello-ms 50 --dead-ms 400 --rto-ms 30"

# start NAME ARGS...: the daemon with DIR $T/NAME and socket $T/NAME.sock
start()
{
	local name=$1

	shift
	mkdir -p "$T/$name"
	"$LDSYNCD" --fake-kernel "$T/$name" --ctl "$T/$name.sock" $FAST "$@" \
		2>>"$T/$name.log" &
	pids+=($!)
	eval "pid_$name=$!"
	for _ in $(seq 100); do
		[ -S "$T/$name.sock" ] && return 0
		sleep 0.05
	done
	echo "FAIL: $name did not start: $(cat "$T/$name.log")"
	fail=$((fail + 1))
}

ctl()
{
	local name=$1

	shift
	"$LDSYNCD" ctl --ctl "$T/$name.sock" "$@" 2>>"$T/ctl.err"
}

# stat NAME PEER FIELD: a peer's counter from `ctl stats`
stat()
{
	ctl "$1" stats | awk -v p="$2" -v f="$3" \
		'$1 == "peer" && $2 == p { for (i = 3; i < NF; i++) if ($i == f) print $(i + 1) }'
}

# line count of a file, 0 when missing
lines()
{
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# wait_eq WHAT WANT CMD...: until CMD prints WANT (5 s)
wait_eq()
{
	local what=$1 want=$2 got

	shift 2
	for _ in $(seq 100); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.05
	done
	[ "$got" = "$want" ]
	check "$what" $? "want '$want', got '$got'"
}

# conns FILE N FIRST: N records from client port FIRST on, IPv4 and IPv6
conns()
{
	local i

	for i in $(seq "$3" $(($3 + $2 - 1))); do
		if [ $((i % 4)) = 0 ]; then
			echo "update tcp [2001:db8:1::2]:$i [2001:db8::10]:80 [fd00::11]:80 established 899000 virtual tcp [2001:db8::10]:80 bind 0 real [fd00::11]:0 digest 00000000000000aa"
		else
			echo "update tcp 10.0.1.2:$i 192.0.2.10:80 10.0.2.11:80 established 899000 virtual tcp 192.0.2.10:80 bind 0 real 10.0.2.11:0 digest 00000000000000aa"
		fi
	done >>"$1"
}

# ------------------------------------------------- the command line
"$LDSYNCD" --version | grep -q '^ldsyncd .* (wire version 1)$'
check "--version" $?
"$LDSYNCD" --help | grep -q -- '--key-file'
check "--help" $?
for bad in "--role boss" "--listen nowhere --peer 127.0.0.1:1" "--peer 1.2.3.4:99999" \
	"--ring 3" "--bogus" "--listen 127.0.0.1:$PX" "extra"; do
	# shellcheck disable=SC2086
	"$LDSYNCD" --fake-kernel "$T" --ctl "$T/bad.sock" $bad >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && grep -q '^ldsyncd' "$T/err"
	check "refused: $bad" $? "exit $rc, $(head -n 2 "$T/err")"
done
printf 'listen 127.0.0.1:%s\npeer [::1]:%s\n' "$PX" "$PA" >"$T/v4v6.conf"
"$LDSYNCD" --fake-kernel "$T" -c "$T/v4v6.conf" >/dev/null 2>"$T/err"
check "an IPv6 peer of an IPv4 listener is refused" $([ $? = 1 ] && echo 0 || echo 1) "$(cat "$T/err")"
printf 'short\n' >"$T/short.key"
"$LDSYNCD" --fake-kernel "$T" --ctl "$T/bad.sock" --listen 127.0.0.1:$PX --peer 127.0.0.1:$PA --key-file "$T/short.key" 2>"$T/err"
check "a short key is refused" $([ $? = 1 ] && grep -q '16 bytes' "$T/err" && echo 0 || echo 1) "$(cat "$T/err")"
"$LDSYNCD" ctl --ctl "$T/none.sock" stats 2>"$T/err"
check "ctl without a daemon fails" $([ $? = 1 ] && grep -q 'is ldsyncd running' "$T/err" && echo 0 || echo 1)

# ------------------------------------------------- join: a bulk resync
head -c 32 /dev/urandom | base64 >"$T/key"
mkdir -p "$T/a" "$T/b"
conns "$T/a/conns" 100 1000
printf 'tcp 192.0.2.10:80\ntcp [2001:db8::10]:80\n' >"$T/b/virtuals"
cat >"$T/a.conf" <<EOT
# A: sends
listen 127.0.0.1:$PA
peer 127.0.0.1:$PB
peer 127.0.0.1:$PX	# a peer that never answers
key-file $T/key
role master
EOT
start a -c "$T/a.conf"
start b --listen "127.0.0.1:$PB" --peer "127.0.0.1:$PA" --key-file "$T/key" --role backup
wait_eq "B gets A's table on joining" 100 lines "$T/b/applied"
cmp -s <(sort "$T/a/conns") <(sort "$T/b/applied")
check "B's records are A's" $?
grep -q '^update tcp \[2001:db8:1::2\]:1000 \[2001:db8::10\]:80 \[fd00::11\]:80 established 899000 virtual tcp \[2001:db8::10\]:80 bind 0 real \[fd00::11\]:0 digest 00000000000000aa$' "$T/b/applied"
check "an IPv6 record intact" $?
wait_eq "A counts one resync to B" 1 stat a "127.0.0.1:$PB" resynced
wait_eq "A's resync records" 100 stat a "127.0.0.1:$PB" resync-records
wait_eq "B received 100" 100 stat b "127.0.0.1:$PA" received
wait_eq "A's lag drops to 0" 0 stat a "127.0.0.1:$PB" lag-ms
eq_role=$(ctl b role)
check "B's role" $([ "$eq_role" = backup ] && echo 0 || echo 1) "$eq_role"

# ------------------------------------------------- live records
conns "$T/a/events" 20 5000
wait_eq "A's live records reach B" 120 lines "$T/b/applied"
wait_eq "A counts them sent (with the 100 of the resync)" 120 stat a "127.0.0.1:$PB" sent
echo "delete tcp 10.0.1.2:5001 192.0.2.10:80 10.0.2.11:80 close 0" >>"$T/a/events"
wait_eq "a removal reaches B" 1 grep -c '^delete tcp 10.0.1.2:5001 ' "$T/b/applied"
# the unanswering peer: queued, lag grows, nothing lost for B
q=$(stat a "127.0.0.1:$PX" queued)
check "records for a silent peer are not queued before it joins" $([ "$q" = 0 ] && echo 0 || echo 1) "queued $q"

# ------------------------------------------------- a backup sends nothing
conns "$T/b/events" 5 7000
sleep 0.5
check "backup B sent nothing" $([ "$(stat b "127.0.0.1:$PA" sent)" = 0 ] && echo 0 || echo 1)
check "A got nothing from B" $([ "$(lines "$T/a/applied")" = 0 ] && echo 0 || echo 1)
out=$(ctl b role master)
check "ctl role master" $([ "$out" = "role master" ] && echo 0 || echo 1) "$out"
conns "$T/b/events" 5 7100
wait_eq "master B's records reach A" 5 lines "$T/a/applied"
kill -USR2 "$pid_b"
wait_eq "SIGUSR2: backup" backup ctl b role
kill -USR1 "$pid_b"
wait_eq "SIGUSR1: master" master ctl b role
ctl b role backup >/dev/null
"$LDSYNCD" ctl --ctl "$T/b.sock" role primary 2>"$T/err"
check "ctl role primary fails" $([ $? = 1 ] && grep -q "role 'primary'" "$T/err" && echo 0 || echo 1)

# ------------------------------------------------- rejections
echo "update tcp 10.0.1.2:6000 198.51.100.1:443 10.0.2.11:443 established 899000" >>"$T/a/events"
wait_eq "B counts the record of a virtual it lacks as rejected" 1 stat b "127.0.0.1:$PA" rejected
conns "$T/a/events" 1 6001
wait_eq "and goes on" 122 lines "$T/b/applied"

# ------------------------------------------------- B restarts: a resync
kill "$pid_b"
wait "$pid_b" 2>/dev/null
rm -f "$T/b/applied"
start b --listen "127.0.0.1:$PB" --peer "127.0.0.1:$PA" --key-file "$T/key" --role backup
wait_eq "restarted B gets the full table again" 100 lines "$T/b/applied"
wait_eq "A counts a second resync" 2 stat a "127.0.0.1:$PB" resynced

# ------------------------------------------------- an event overrun
echo lost >>"$T/a/events"
wait_eq "a lost kernel event makes a resync" 3 stat a "127.0.0.1:$PB" resynced
wait_eq "... of the whole table" 200 lines "$T/b/applied"

# ------------------------------------------------- keys and bad datagrams
head -c 32 /dev/urandom | base64 >"$T/other.key"
mkdir -p "$T/x"
"$LDSYNCD" --fake-kernel "$T/x" --ctl "$T/x.sock" $FAST --listen "127.0.0.1:$PX" \
	--peer "127.0.0.1:$PA" --key-file "$T/other.key" --role master 2>>"$T/x.log" &
pid_x=$!
pids+=($pid_x)
sleep 0.5
n=$(ctl a stats | awk '$1 == "bad" { for (i = 2; i < NF; i++) if ($i == "hmac") print $(i + 1) }')
check "datagrams with another key are counted" $([ "${n:-0}" -gt 0 ] && echo 0 || echo 1) "hmac $n"
check "and the peer is not taken" $([ "$(stat a "127.0.0.1:$PX" session)" = 0000000000000000 ] && echo 0 || echo 1)
kill "$pid_x"
wait "$pid_x" 2>/dev/null
z40=$(printf '%080d' 0)
# short, another magic, version 2, a HELLO with a MAC of zeros
"$HELPER" udp "$PX" "$PA" 4c4453 "58585858$z40" "4c44535902${z40:0:78}" \
	"4c44535901010100${z40:0:72}${z40:0:64}"
check "junk sent" $?
sleep 0.3
bad=$(ctl a stats | awk '$1 == "bad"')
for want in "short 1" "magic 1" "version 1" "hmac [1-9][0-9]*"; do
	echo "$bad" | grep -q " $want "
	check "bad datagram counted: $want" $? "$bad"
done
u=$("$HELPER" udp "$(port)" "$PA" 4c445359; sleep 0.2; ctl a stats | awk '$1 == "bad" { print $NF }')
check "a datagram from no peer is counted" $([ "${u:-0}" -ge 1 ] && echo 0 || echo 1) "$u"

# ------------------------------------------------- metrics
ctl a metrics >"$T/metrics"
grep -q "^ldsyncd_peer_resyncs_total{peer=\"127.0.0.1:$PB\"} 3$" "$T/metrics"
check "metrics: resyncs" $?
grep -q '^ldsyncd_bad_datagrams_total{reason="short"} 1$' "$T/metrics"
check "metrics: bad datagrams" $?
if command -v promtool >/dev/null; then
	promtool check metrics <"$T/metrics" >"$T/err" 2>&1
	check "promtool check metrics" $? "$(head -n 5 "$T/err")"
fi
ctl a resync >/dev/null
wait_eq "ctl resync" 4 stat a "127.0.0.1:$PB" resynced

# ------------------------------------------------- readiness
"$LDSYNCD" ctl --ctl "$T/none.sock" ready >/dev/null 2>"$T/err"
check "ctl ready without a daemon: exit 2" $([ $? = 2 ] && echo 0 || echo 1) "$(cat "$T/err")"
# a control socket that drops the first N requests unanswered (as the
# daemon drops one that is too slow in coming), then answers "ready";
# N=-1 drops them all. Its connections, one a line, in $T/drop.log.
drop_sock()
{
	python3 - "$T/drop.sock" "$1" "$T/drop.log" <<-'PY' &
	import os, socket, sys
	path, n, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.bind(path + ".tmp")
	os.rename(path + ".tmp", path)
	s.listen(8)
	while True:
	    c, _ = s.accept()
	    c.recv(256)
	    with open(log, "a") as f:
	        f.write("conn\n")
	    if n != 0:
	        n -= 1
	    else:
	        c.sendall(b"0ready\n")
	    c.close()
	PY
	pids+=($!)
	for _ in $(seq 100); do
		[ -S "$T/drop.sock" ] && return
		sleep 0.05
	done
}
rm -f "$T/drop.log"
drop_sock 2
out=$("$LDSYNCD" ctl --ctl "$T/drop.sock" ready 2>"$T/err")
rc=$?
check "ctl ready: two requests dropped, the third answered: exit 0" \
	$([ $rc = 0 ] && [ "$out" = ready ] && echo 0 || echo 1) "exit $rc: $out $(cat "$T/err")"
check "... in three connections" $([ "$(lines "$T/drop.log")" = 3 ] && echo 0 || echo 1) \
	"$(lines "$T/drop.log")"
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null
rm -f "$T/drop.sock" "$T/drop.log"
drop_sock -1
"$LDSYNCD" ctl --ctl "$T/drop.sock" ready >/dev/null 2>"$T/err"
rc=$?
check "ctl ready: a daemon that never answers: not ready, exit 1" \
	$([ $rc = 1 ] && echo 0 || echo 1) "exit $rc: $(cat "$T/err")"
grep -q 'no answer in 5 tries' "$T/err"
check "... after five tries" $? "$(cat "$T/err")"
"$LDSYNCD" ctl --ctl "$T/drop.sock" stats >/dev/null 2>&1
check "ctl stats: no answer: exit 1" $([ $? = 1 ] && echo 0 || echo 1)
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null
PC=$(port)
PD=$(port)
mkdir -p "$T/c" "$T/d"
conns "$T/c/conns" 3000 20000
# D first: its peer C not heard, and the wait (60 s) not over
start d --listen "127.0.0.1:$PD" --peer "127.0.0.1:$PC" --role backup --ready-timeout-ms 60000
out=$(ctl d ready)
rc=$?
check "a peer not heard yet: not ready, exit 1" $([ $rc = 1 ] && echo 0 || echo 1) "exit $rc: $out"
echo "$out" | grep -q "^not ready: peer 127.0.0.1:$PC not heard yet ([0-9]* ms left)$"
check "... and why" $? "$out"
ctl d stats | grep -q '^not ready: peer '
check "stats: not ready" $?
ctl d metrics | grep -q '^ldsyncd_ready 0$'
check "metrics: not ready" $?
# C, the sender: D is ready only once C's 3000 records are all in
start c --listen "127.0.0.1:$PC" --peer "127.0.0.1:$PD" --role master --ready-timeout-ms 0
rc=1 n=0
for _ in $(seq 400); do
	out=$(ctl d ready)
	rc=$?
	if [ $rc = 0 ]; then
		n=$(lines "$T/d/applied")
		break
	fi
	sleep 0.02
done
check "D becomes ready" "$rc" "$out"
check "... with C's whole table" $([ "$n" = 3000 ] && echo 0 || echo 1) "$n applied when ready"
out=$(ctl c ready)
check "C, whose peer does not send, is ready" $? "$out"
check "... and says so" $([ "$out" = ready ] && echo 0 || echo 1) "$out"
wait_eq "D counts one table from C" 1 stat d "127.0.0.1:$PC" tables
ctl d stats | grep -q '^ready since-ms [0-9]* after-start-ms [0-9]*$'
check "stats: ready" $?
ctl d metrics | grep -q '^ldsyncd_ready 1$'
check "metrics: ready" $?
ctl d metrics | grep -q "^ldsyncd_peer_table_complete{peer=\"127.0.0.1:$PC\"} 1$"
check "metrics: table complete" $?
# C resyncs D: D waits again for the end, then is ready again
ctl c resync >/dev/null
wait_eq "after a resync, D counts two tables" 2 stat d "127.0.0.1:$PC" tables
out=$(ctl d ready)
check "ready again" $? "$out"
# E: alone, ready once the wait is over
PE=$(port)
mkdir -p "$T/e"
start e --listen "127.0.0.1:$PE" --peer "127.0.0.1:$(port)" --ready-timeout-ms 1500
ctl e ready >/dev/null
check "alone, before the wait is over: not ready" $([ $? = 1 ] && echo 0 || echo 1)
wait_eq "a lone director is ready after the wait" ready ctl e ready
# C and D stopped together for longer than the dead time (a paused VM),
# D run again first: the stall is not C's silence, D still counts it alive
kill -STOP "$pid_c" "$pid_d"
sleep 1.5
kill -CONT "$pid_d"
alive=$(stat d "127.0.0.1:$PC" alive)
kill -CONT "$pid_c"
check "after a stall of its own, a peer is still alive" $([ "$alive" = 1 ] && echo 0 || echo 1) "alive '$alive'"
out=$(ctl d ready)
check "... and D still ready" $? "$out"

echo "cli.sh: $pass passed, $fail failed"
[ "$fail" = 0 ]
