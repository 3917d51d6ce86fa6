#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# Active/standby with keepalived and conn sync: the topology and shipped
# files of test-vrrp.sh (examples/keepalived: keepalived.conf, ldir-notify,
# ldir-ready), and ldsyncd on both directors, over the inside segment. The
# virtuals are stateful, scheduled by lc with FPA (client affinity): no
# director can pick a moved flow's real by itself, only sync carries it.
#
#                          ┌───────────────────────┐
#                     ┌────┤ director A (ldir)     ├────┐
#  ┌─────────────┐    │    │ outside 10.0.1.11     │    │    ┌ real1 10.0.2.11
#  │ client      │  br-out │ inside  10.0.2.2      │  br-in  ├ real2 10.0.2.12
#  │ 10.0.1.2    ├────┤    └───────────────────────┘    ├────┤ real3 10.0.2.13
#  │ VIP via     │    │    ┌───────────────────────┐    │    └ default via
#  │ 10.0.1.1    │    └────┤ director B (ldir)     ├────┘      10.0.2.1
#  └─────────────┘         │ outside 10.0.1.12     │
#                          │ inside  10.0.2.3      │
#                          └───────────────────────┘
#  VRRP (keepalived, one sync group): 10.0.1.1 and 10.0.2.1 on the master;
#  ldsyncd A 10.0.2.2:7411 <-> B 10.0.2.3:7411; ldir-notify switches its
#  role, ldir-ready (track script) holds a director back until it is ready.
#
# Shown:
#   failover: three paced downloads (sha256) and a UDP stream (echoed by
#   the real) through A; mid-transfer A's keepalived is killed and its
#   links go down. B becomes MASTER; every download completes with the
#   right sha256; the stream loses only datagrams sent between the kill
#   and B's takeover; new connections succeed via B and go to the real
#   A's FPA named (B learned the client's affinity with its conns).
#   rejoin and fail-back: three more downloads through B; A restarts
#   (ldir configuration, ldsyncd, keepalived); A's track script succeeds
#   only once ldsyncd holds B's full table -- A's conns then equal B's --
#   and A turns MASTER only after that (BACKUP first, priority 90 < 100);
#   A then preempts, the downloads complete with the right sha256 and
#   the stream loses nothing at the fail-back; new conns through A keep
#   the client's real.
# Without ldsyncd on B the failover's downloads break (lc cannot adopt).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
for c in keepalived ldsyncd ldseq; do
	command -v "$c" >/dev/null || fail "$c not in the guest"
done
EX=$(realpath "$(dirname "$0")/../examples/keepalived")
[[ -f $EX/keepalived.conf && -x $EX/ldir-notify && -x $EX/ldir-ready ]] ||
	fail "no examples/keepalived in the guest"

NS_SW=ldir-switch-$$
NS_A=ldir-dira-$$
NS_B=ldir-dirb-$$
EXTRA_NS=("$NS_SW" "$NS_A" "$NS_B")
# keepalived's advert interval (the example's)
ADVERT=1
# the downloads: MiB each (first set: across the failover; second set:
# across the rejoin and the fail-back), the client's port rate (tbf):
# slow while a switch is awaited, so that they are mid-flight then, fast
# once it happened
DL_MIB=2
DL2_MIB=3
DL_RATE=256kbit
DL_SLOW=256kbit
DL_FAST=32mbit
# the UDP stream: one datagram every UDP_GAP s until told to stop
UDP_GAP=0.02
# after a takeover, how long the new master's gratuitous ARP may take to
# land (the stream's loss window ends there)
GARP_SLACK=1.0
SYNC="--hello-ms 200 --dead-ms 5000 --rto-ms 100"
declare -A LDSYNCD_PID

# on a failure, what the daemons said
eval "$(declare -f cleanup | sed '1s/^cleanup/lib_cleanup/')"
cleanup()
{
	local f

	if [[ -n $T && ! -e $T/passed ]]; then
		for f in a b; do
			log "--- ldsyncd $f: $(timeout 5 ldsyncd ctl --ctl "$T/$f.sock" stats 2>&1 | tr '\n' '|')"
		done
		for f in "$T"/ldsyncd-?.log "$T"/ka-?.log "$T"/notify-?/transitions "$T"/ready-?; do
			[[ -f $f ]] || continue
			log "--- ${f#"$T"/}:"
			grep -v 'Sending\|Track script .* skipping' "$f" | tail -n 25 | sed 's/^/#   /'
		done
	fi
	lib_cleanup
}

ldA() { nsx "$NS_A" ldctl "$@"; }
ldB() { nsx "$NS_B" ldctl "$@"; }

A_ADDRS=(10.0.1.11/24 10.0.2.2/24 2001:db8:1::11/64 2001:db8:2::2/64)
B_ADDRS=(10.0.1.12/24 10.0.2.3/24 2001:db8:1::12/64 2001:db8:2::3/64)

director_addrs() # NS OUT4 IN4 OUT6 IN6
{
	ip -n "$1" -batch - <<-EOF
	link set lo up
	addr add $2 dev outside
	addr add $3 dev inside
	addr add $4 dev outside nodad
	addr add $5 dev inside nodad
	link set outside up
	link set inside up
	EOF
}

setup_vrrp_topology()
{
	local ns d n

	for ns in "$NS_SW" "$NS_A" "$NS_B" "$NS_C" "${NS_R[@]:1}"; do
		ip netns add "$ns"
	done
	for ns in "$NS_A" "$NS_B"; do
		nsx "$ns" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad &&
			echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad &&
			echo 1 >/proc/sys/net/ipv4/ip_forward &&
			echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
	done
	{
		echo "link set lo up"
		echo "link add br-out type bridge forward_delay 0 mcast_snooping 0"
		echo "link add br-in type bridge forward_delay 0 mcast_snooping 0"
		for d in a b; do
			ns=$NS_A
			[[ $d == b ]] && ns=$NS_B
			echo "link add $d-out type veth peer name outside netns $ns"
			echo "link add $d-in type veth peer name inside netns $ns"
			echo "link set $d-out master br-out up"
			echo "link set $d-in master br-in up"
		done
		echo "link add c type veth peer name eth0 netns $NS_C"
		echo "link set c master br-out up"
		for n in 1 2 3; do
			echo "link add s$n type veth peer name eth0 netns ${NS_R[$n]}"
			echo "link set s$n master br-in up"
		done
		echo "link set br-out up"
		echo "link set br-in up"
	} | ip -n "$NS_SW" -batch -
	nsx "$NS_SW" tc qdisc add dev c root tbf rate "$DL_RATE" burst 16k latency 300ms
	director_addrs "$NS_A" "${A_ADDRS[@]}"
	director_addrs "$NS_B" "${B_ADDRS[@]}"
	sysctl_set "$NS_C" net.ipv4.tcp_rmem "'4096 32768 65536'"
	ip -n "$NS_C" -batch - <<-EOF
	link set lo up
	addr add $CLIENT/$PLEN dev eth0
	link set eth0 up
	route add $VIP_NET via $D_OUT
	EOF
	for n in 1 2 3; do
		ip -n "${NS_R[$n]}" -batch - <<-EOF
		link set lo up
		addr add ${REAL[$n]}/$PLEN dev eth0
		link set eth0 up
		route add default via $D_IN
		EOF
	done
}

# the same ldir configuration on both directors: lc with FPA
write_config()
{
	local n p

	for n in 1 2 3; do
		echo "real add ${REALB[$n]}"
	done
	for p in "tcp 80" "udp 9"; do
		echo "virtual add ${p% *} $VIPB:${p#* } sched lc fpa 300"
		for n in 1 2 3; do
			echo "link add ${p% *} $VIPB:${p#* } real ${REALB[$n]} port ${p#* }"
		done
	done
}

# start_ldsyncd a|b
start_ldsyncd()
{
	local d=$1 ns=$NS_A self=10.0.2.2 peer=10.0.2.3

	if [[ $d == b ]]; then
		ns=$NS_B self=10.0.2.3 peer=10.0.2.2
	fi
	rm -f "$T/$d.sock"
	# shellcheck disable=SC2086 # SYNC: options
	bg "$ns" sh -c "exec ldsyncd --listen $self:7411 --peer $peer:7411 \
		--role backup --ctl $T/$d.sock $SYNC 2>>$T/ldsyncd-$d.log"
	LDSYNCD_PID[$d]=${BG_PIDS[-1]}
	wait_for 10 test -S "$T/$d.sock" || fail "ldsyncd $d did not start"
}

# start_keepalived a|b: the shipped configuration as dir-a or dir-b; the
# hooks reach ldsyncd through $T/ldsyncd-a or -b, which record each `ctl
# ready` answer ("SECONDS EXIT") in $T/ready-d, and, at the first "ready",
# the director's conns in $T/conns-d-ready (before keepalived hears it)
start_keepalived()
{
	local d=$1 ns=$NS_A

	[[ $d == b ]] && ns=$NS_B
	bg "$ns" env LDIR_NOTIFY_DIR="$T/notify-$d" LDSYNCD="$T/ldsyncd-$d" \
		LDSYNCD_CTL="$T/$d.sock" keepalived --vrrp --dont-fork --log-console \
		--no-syslog --log-detail -i "dir-$d" -f "$T/keepalived.conf" \
		-p "$T/ka-$d.pid" -r "$T/ka-$d-vrrp.pid" >>"$T/ka-$d.log" 2>&1
}

last_state() { tail -n 1 "$T/notify-$1/transitions" 2>/dev/null | cut -d' ' -f2; }
is_state() { [[ $(last_state "$1") == "$2" ]]; }
ka_pids() { cat "$T/ka-$1-vrrp.pid" "$T/ka-$1.pid"; }
# the time of the last transition of a|b to STATE
state_time() { awk -v s="$2" '$2 == s { t = $1 } END { print t }' "$T/notify-$1/transitions"; }

# synced a|b: the director's established TCP and UDP conns ("PROTO
# CLIENT VIP REAL STATE"), sorted
synced()
{
	local ns=$NS_A

	[[ $1 == b ]] && ns=$NS_B
	nsx "$ns" ldctl conns | synced_of
}
synced_of()
{
	awk '$NF ~ /s$/ && ($7 == "ESTABLISHED" || $1 == "udp") { print $1, $2, $4, $6, $7 }' |
		sort
}

same_conns()
{
	synced a >"$T/a.now"
	synced b >"$T/b.now"
	cmp -s "$T/a.now" "$T/b.now"
}

# downloads N MIB: N downloads of /data (MIB MiB) through the VIP
downloads()
{
	local i

	DL_PIDS=()
	for ((i = 1; i <= $1; i++)); do
		rm -f "$T/dl$i"
		bg "$NS_C" curl -sS --fail --max-time 120 -o "$T/dl$i" "http://$VIPB/data$2"
		DL_PIDS+=("${BG_PIDS[-1]}")
	done
}

# partial MIN: every download past MIN bytes; the sizes go to $T/progress
partial()
{
	local i s sizes=()

	for i in 1 2 3; do
		s=$(stat -c %s "$T/dl$i" 2>/dev/null || echo 0)
		sizes+=("$s")
	done
	echo "[$SECONDS s] ${sizes[*]}" >>"$T/progress"
	for s in "${sizes[@]}"; do
		((s >= $1)) || return 1
	done
}

# downloads_ok WHAT SUM: each download completed with sha256 SUM
downloads_ok()
{
	local i got

	for i in 1 2 3; do
		wait "${DL_PIDS[i - 1]}" || fail "$1: download $i failed (curl exit $?)"
		got=$(sha256sum <"$T/dl$i")
		expect_eq "$1: download $i sha256" "$2" "${got%% *}"
	done
}

# rate RATE: the client's port
rate() { nsx "$NS_SW" tc qdisc change dev c root tbf rate "$1" burst 16k latency 300ms; }

# fpa_real: the real of the client's FPA of tcp VIP:80 on a|b
fpa_real()
{
	local ns=$NS_A

	[[ $1 == b ]] && ns=$NS_B
	nsx "$ns" ldctl -j fpa | jq -r --arg v "$VIP" \
		'[.[] | select(.protocol == "tcp")] | .[0].real // empty'
}

setup_vrrp_topology
write_config >"$T/ldir.conf"
ldA restore "$T/ldir.conf"
ldB restore "$T/ldir.conf"
for d in a b; do
	cat >"$T/ldsyncd-$d" <<-EOF
	#!/bin/sh
	ldsyncd "\$@"
	rc=\$?
	case \$* in
	*" ready")
		echo "\$(date +%s.%N) \$rc" >>$T/ready-$d
		if [ \$rc = 0 ] && [ ! -e $T/conns-$d-ready ]; then
			ldctl conns >$T/conns-$d-ready.tmp
			mv $T/conns-$d-ready.tmp $T/conns-$d-ready
		fi
		;;
	esac
	exit \$rc
	EOF
	chmod 755 "$T/ldsyncd-$d"
done
sed -e "s|^\\\$ADVERT=.*|\$ADVERT=$ADVERT|" \
	-e "s|^\\\$NOTIFY=.*|\$NOTIFY=$EX/ldir-notify|" \
	-e "s|^\\\$READY=.*|\$READY=$EX/ldir-ready|" \
	-e "s|^\ttimeout 3$|\ttimeout 30|" -e "s|^\tfall 2$|\tfall 10|" \
	-e "/^\tmax_auto_priority$/d" \
	"$EX/keepalived.conf" >"$T/keepalived.conf"
grep -qx "\\\$READY=$EX/ldir-ready" "$T/keepalived.conf" ||
	fail "the example has no \$READY line to set"
# a TCG guest runs the track script slowly: its timeouts would count as
# not ready and move the traffic; and a starved realtime keepalived is
# killed (RLIMIT_RTTIME): no max_auto_priority here
if ! grep -qx $'\ttimeout 30' "$T/keepalived.conf" ||
	! grep -qx $'\tfall 10' "$T/keepalived.conf"; then
	fail "the example's track script has no timeout 3 / fall 2 to set"
fi
dd if=/dev/urandom of="$T/data" bs=1M count="$DL2_MIB" 2>/dev/null
start_servers http
for n in 1 2 3; do
	head -c $((DL_MIB * 1048576)) "$T/data" >"$T/www$n/data$DL_MIB"
	cp "$T/data" "$T/www$n/data$DL2_MIB"
	bg "${NS_R[$n]}" ldseq serve 9
done
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 9
done
sum1=$(head -c $((DL_MIB * 1048576)) "$T/data" | sha256sum)
sum1=${sum1%% *}
sum2=$(sha256sum <"$T/data")
sum2=${sum2%% *}

log "[$SECONDS s] ldsyncd and keepalived on both: A MASTER, B BACKUP"
start_ldsyncd a
start_ldsyncd b
start_keepalived a
log "[$SECONDS s] keepalived A"
wait_for 30 is_state a MASTER ||
	fail "A is not MASTER: $(cat "$T"/notify-a/transitions 2>&1); $(tail -n 5 "$T/ka-a.log")"
log "[$SECONDS s] keepalived B"
start_keepalived b
wait_for 20 is_state b BACKUP ||
	fail "B is not BACKUP: $(cat "$T"/notify-b/transitions 2>&1); $(tail -n 5 "$T/ka-b.log")"
expect_eq "A's sync role" master "$(ldsyncd ctl --ctl "$T/a.sock" role)"
expect_eq "B's sync role" backup "$(ldsyncd ctl --ctl "$T/b.sock" role)"

log "[$SECONDS s] a UDP stream and three downloads through A"
mkfifo "$T/udp.stop.never"
# each datagram "SEQ SENDTIME"; the real's echoes, as they come back, in
# $T/udp.echo; sent ones in $T/udp.sent
# shellcheck disable=SC2016 # the inner shell's
bg "$NS_C" bash -c 'exec 3<>"/dev/udp/$1/9"
	cat <&3 >"$4" &
	exec 5<>"$3.never"
	for ((i = 1; i <= 100000; i++)); do
		[[ -e $3 ]] && break
		t=$EPOCHREALTIME
		echo "$i $t" >&3
		echo "$i $t"
		read -r -t "$2" -u 5
	done
	sleep 1
	kill $!' _ "$VIP" "$UDP_GAP" "$T/udp.stop" "$T/udp.echo" >"$T/udp.sent"
udp_pid=${BG_PIDS[-1]}
downloads 3 "$DL_MIB"
wait_for 30 partial 131072 || fail "the downloads did not start: $(tail -n 1 "$T/progress")"

# at once (each command is slow on a loaded TCG guest: the downloads
# would run on); the checks of the state before it come after
log "[$SECONDS s] A fails: keepalived killed (no goodbye), links down"
ka_a=$(ka_pids a)
t_kill=$EPOCHREALTIME
# shellcheck disable=SC2086 # the two pids
kill -STOP $ka_a
# shellcheck disable=SC2086
kill -KILL $ka_a
ip -n "$NS_A" link set outside down
ip -n "$NS_A" link set inside down
read -r _ _ s1 s2 s3 <<<"$(tail -n 1 "$T/progress")"
for s in "$s1" "$s2" "$s3"; do
	((s < DL_MIB * 1048576 - 262144)) ||
		fail "a download was nearly done before the failover: $s1 $s2 $s3"
done
# every conn A had is on B (nothing new was made since)
same_conns || fail "B's conns differ from A's: $(diff "$T/a.now" "$T/b.now" | head -n 5)"
ok "B holds A's $(wc -l <"$T/a.now") conns"
real_a=$(fpa_real a)
[[ -n $real_a ]] || fail "no FPA on A: $(ldA fpa)"
synced a >"$T/conns-a-kill"
expect_ge "A's conns (3 downloads, the UDP stream)" 4 "$(wc -l <"$T/conns-a-kill")"
expect_eq "the downloads' real on A (FPA)" "$real_a" \
	"$(awk '$1 == "tcp" { sub(/:80$/, "", $4); print $4 }' "$T/conns-a-kill" | sort -u)"
wait_for 10 is_state b MASTER ||
	fail "B did not become MASTER: $(cat "$T"/notify-b/transitions); $(tail -n 5 "$T/ka-b.log")"
t_bmaster=$(state_time b MASTER)
switch1=$(awk -v a="$t_kill" -v b="$t_bmaster" 'BEGIN { printf "%.2f", b - a }')
log "B MASTER ${switch1}s after the kill"
expect_eq "B's sync role" master "$(ldsyncd ctl --ctl "$T/b.sock" role)"
rate "$DL_FAST"

log "[$SECONDS s] the downloads go on through B"
downloads_ok "failover" "$sum1"
# the client's affinity holds: B picks A's real, not its least loaded
names=$(http_names 4)
expect_eq "new conns through B: the client's real" "real${real_a##*.1}" \
	"$(sort -u <<<"$names")"
expect_eq "B's FPA of the client" "$real_a" "$(fpa_real b)"

log "[$SECONDS s] three downloads through B; A restarts"
rate "$DL_SLOW"
downloads 3 "$DL2_MIB"
wait_for 30 partial 131072 || fail "the downloads did not start: $(tail -n 1 "$T/progress")"
# A comes back as a rebooted director would: ldsyncd and ldir's
# configuration afresh, then keepalived
kill "${LDSYNCD_PID[a]}"
rm -f "$T/ready-a" "$T/conns-a-ready"
ldA flush
ip -n "$NS_A" link set outside up
ip -n "$NS_A" link set inside up
ldA restore "$T/ldir.conf"
expect_eq "A's conns after the restart" 0 "$(synced a | wc -l)"
t_rejoin=$EPOCHREALTIME
mkdir -p "$T/notify-a"
echo "$t_rejoin RESTART" >>"$T/notify-a/transitions"
start_ldsyncd a
start_keepalived a
wait_for 30 test -e "$T/conns-a-ready" ||
	fail "A's ldsyncd never ready: $(ldsyncd ctl --ctl "$T/a.sock" stats)"
t_ready=$(awk '$2 == 0 { print $1; exit }' "$T/ready-a")
synced b >"$T/conns-b-ready"
synced_of <"$T/conns-a-ready" >"$T/conns-a-ready.s"
cmp -s "$T/conns-a-ready.s" "$T/conns-b-ready" ||
	fail "A ready with conns that differ from B's: $(diff "$T/conns-a-ready.s" "$T/conns-b-ready" | head -n 6)"
expect_ge "A's conns when ready, all B's (3 downloads, the stream)" 4 \
	"$(wc -l <"$T/conns-a-ready.s")"
log "[$SECONDS s] A ready $(awk -v a="$t_rejoin" -v b="$t_ready" 'BEGIN { printf "%.2f", b - a }')s after its restart; not ready before: $(awk '$2 != 0' "$T/ready-a" | wc -l) checks"
wait_for 20 is_state a MASTER ||
	fail "A did not take over: $(cat "$T"/notify-a/transitions); $(tail -n 5 "$T/ka-a.log")"
t_amaster=$(state_time a MASTER)
# since its restart, A was BACKUP first and MASTER only once ready
expect_eq "A's transitions since the restart" "RESTART BACKUP MASTER" \
	"$(awk '$2 == "RESTART" { n = "" } { n = n " " $2 } END { print n }' \
		"$T/notify-a/transitions" | sed 's/^ //')"
awk -v r="$t_ready" -v m="$t_amaster" 'BEGIN { exit !(m > r) }' ||
	fail "A MASTER at $t_amaster, before it was ready at $t_ready"
ok "A MASTER $(awk -v a="$t_ready" -v b="$t_amaster" 'BEGIN { printf "%.2f", b - a }')s after it was ready"
wait_for 10 is_state b BACKUP || fail "B did not step back: $(cat "$T"/notify-b/transitions)"
partial 0 || true
rate "$DL_FAST"
read -r _ _ s1 s2 s3 <<<"$(tail -n 1 "$T/progress")"
log "downloaded at the fail-back: $s1 $s2 $s3 bytes"
for s in "$s1" "$s2" "$s3"; do
	((s < DL2_MIB * 1048576)) || fail "a download ended before the fail-back: $s1 $s2 $s3"
done
downloads_ok "fail-back" "$sum2"
names=$(http_names 4)
expect_eq "new conns through A: the client's real" "real${real_a##*.1}" \
	"$(sort -u <<<"$names")"

log "[$SECONDS s] the UDP stream lost only what was sent during the failover"
touch "$T/udp.stop"
wait "$udp_pid" || true
sent=$(wc -l <"$T/udp.sent")
expect_ge "datagrams sent" 200 "$sent"
out=$(awk -v a="$t_kill" -v b="$t_bmaster" -v m="$t_amaster" -v s="$GARP_SLACK" '
	NR == FNR { got[$1] = 1; next }
	!($1 in got) {
		lost++
		if ($2 >= a - 0.1 && $2 <= b + s)
			fo++
		else if ($2 >= m - 1 && $2 <= m + s)
			fb++
		else
			out++
	}
	END { printf "%d %d %d %d\n", lost, fo, fb, out }' "$T/udp.echo" "$T/udp.sent")
read -r lost fo fb outside <<<"$out"
log "lost $lost of $sent datagrams: $fo in the failover (switch ${switch1}s), $fb at the fail-back"
expect_eq "datagrams lost at the fail-back" 0 "$fb"
expect_eq "datagrams lost outside the switches" 0 "$outside"
log "RESULT lc+fpa+sync: tcp-flows-lost 0/6 udp-lost-failover $fo udp-lost-failback $fb switch ${switch1}s"
touch "$T/passed"
log "[$SECONDS s] done"
