#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-timeout: 480
#
# Active/standby with keepalived and conn sync: test-vrrp.sh's topology
# and shipped files (examples/keepalived: keepalived.conf, ldir-notify,
# ldir-ready), with ldsyncd on both directors over the inside segment and
# virtuals that no director can pick a moved flow's real for by itself:
# lc with FPA (client affinity). Only sync carries a flow to the peer.
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
#  role, ldir-ready (the track script) holds back a director whose
#  ldsyncd has not got its peer's full table.
#  The switch's port to the client is paced (tbf, a queue deeper than the
#  downloads' windows: the downloads are mid-flight at each switch, and
#  the UDP echoes are delayed there, never dropped).
#
# Shown:
#   failover: three paced downloads and a UDP stream (each datagram
#   echoed by the real) through A; mid-transfer A's keepalived is killed
#   (no goodbye), its links go down and its ldsyncd dies. B becomes
#   MASTER; the UDP stream loses only datagrams sent between the kill and
#   B's takeover; new connections through B go to the real of A's FPA
#   (B learned the client's affinity with its conns).
#   rejoin: A restarts afresh (ldir configuration, ldsyncd, keepalived),
#   B's sync traffic held back from it for a while: its track script finds
#   it not ready and it stays BACKUP; once B's table is let through it is
#   ready, and then holds every established conn B holds (its `ldctl
#   conns` taken at that moment by the track script's ready check,
#   against B's); A turns MASTER only after that (preempt), B BACKUP.
#   fail-back: the same downloads cross it: every download completes with
#   the right sha256 (no TCP flow lost at either switch); the UDP stream
#   loses nothing outside the two switches; new connections through A go
#   to the same real.
# Not shown: IPv6 (test-vrrp runs the same files over IPv6), a hash
# scheme with sync (test-vrrp: maglev, adopted without sync), a lost sync
# update (test-ldsyncd), the fail-back's UDP loss as zero (counted and
# printed, only bounded to the fail-back's window).

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
# keepalived's advert interval: a backup takes over 3 adverts and a skew
# after the master's last. Twice the example's: on this loaded TCG guest
# the master's keepalived was seen to stall for ~3 s ("A thread timer
# expired 2.68 seconds ago"), the backup took over, and the two flapped
ADVERT=2
# the downloads (MiB each) and the client port's rate: until they are
# under way; from then to the fail-back, slow enough that they last
# through both switches however slowly this guest takes the steps between
# (from ~60 s to over 200 s on a loaded TCG guest: a rate set only at a
# step seen late lets them run on at the fast one); after it
DL_MIB=5
RATE_START=4mbit
RATE_SLOW=256kbit
RATE_FAST=16mbit
# the UDP stream: one datagram every UDP_GAP s until stopped
UDP_GAP=0.02
# after a takeover, how long the new master's gratuitous ARP may take to
# land (a switch's loss window ends there)
GARP_SLACK=1.0
# ldsyncd: a peer silent for --dead-ms is down, and a peer down holds no
# readiness back; this loaded TCG guest stalls for seconds at times (4 s
# seen), longer than the daemon's default 3.5 s
SYNC="--hello-ms 200 --dead-ms 10000 --rto-ms 100"
declare -A LDSYNCD_PID KA_PID

# on a failure, what the daemons said
eval "$(declare -f cleanup | sed '1s/^cleanup/lib_cleanup/')"
cleanup()
{
	local f

	if [[ -n $T && ! -e $T/passed ]]; then
		for f in a b; do
			log "--- ldsyncd $f: $(timeout 5 ldsyncd ctl --ctl "$T/$f.sock" stats 2>&1 | tr '\n' '|')"
		done
		log "--- A's conns: $(ldA conns 2>&1 | tr '\n' '|')"
		log "--- B's conns: $(ldB conns 2>&1 | tr '\n' '|')"
		for f in "$T"/ldsyncd-?.log "$T"/ka-?.log "$T"/notify-?/transitions \
			"$T"/ready-? "$T"/progress; do
			[[ -f $f ]] || continue
			log "--- ${f#"$T"/}:"
			grep -v 'Sending\|Track script .* skipping\|discarding' "$f" | tail -n 25 | sed 's/^/#   /'
		done
	fi
	lib_cleanup
}

ldA() { nsx "$NS_A" ldctl "$@"; }
ldB() { nsx "$NS_B" ldctl "$@"; }

# rate RATE: the client port's rate
rate() { nsx "$NS_SW" tc qdisc change dev c root tbf rate "$1" burst 16k limit 1048576; }

# the client's port paced, in a queue deeper than every download's
# window: it never drops (a UDP echo is delayed behind the downloads, not
# lost)
CLIENT_TBF="rate $RATE_START burst 16k limit 1048576"
# and the downloads' windows small (the client's buffers: 16 KiB of window
# each), so that at RATE_SLOW the queue holds them for ~1.5 s: a frame for
# the client waits behind them, a new master's ARP request for it among
# them, and a neighbour unresolved for 3 s drops what waits for it (the
# echoes, seen at 256 kbit/s with 32 KiB windows)
CLIENT_RMEM="4096 16384 32768"
# shellcheck source=vrrp-lib.sh
source "$(dirname "$0")/vrrp-lib.sh"

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

# start_ldsyncd a|b [OPTION...]: role backup (the hook makes the master's
# the sender)
start_ldsyncd()
{
	local d=$1 ns=$NS_A self=10.0.2.2 peer=10.0.2.3 opts=${*:2}

	if [[ $d == b ]]; then
		ns=$NS_B self=10.0.2.3 peer=10.0.2.2
	fi
	rm -f "$T/$d.sock"
	bg "$ns" sh -c "exec ldsyncd --listen $self:7411 --peer $peer:7411 \
		--role backup --ctl $T/$d.sock $SYNC $opts 2>>$T/ldsyncd-$d.log"
	LDSYNCD_PID[$d]=${BG_PIDS[-1]}
	wait_for 10 ldsyncd ctl --ctl "$T/$d.sock" ping >/dev/null 2>&1 ||
		fail "ldsyncd $d did not start: $(cat "$T/ldsyncd-$d.log")"
}

# start_keepalived a|b: the shipped configuration as dir-a or dir-b; the
# hooks reach ldsyncd through $T/ldsyncd-a or -b (see below)
start_keepalived()
{
	local d=$1 ns=$NS_A

	[[ $d == b ]] && ns=$NS_B
	bg "$ns" env LDIR_NOTIFY_DIR="$T/notify-$d" LDSYNCD="$T/ldsyncd-$d" \
		LDSYNCD_CTL="$T/$d.sock" keepalived --vrrp --dont-fork --log-console \
		--no-syslog --log-detail -i "dir-$d" -f "$T/keepalived.conf" \
		-p "$T/ka-$d.pid" -r "$T/ka-$d-vrrp.pid" >>"$T/ka-$d.log" 2>&1
	KA_PID[$d]=${BG_PIDS[-1]}
}

# the state of the last transition of a|b the hook recorded, in STATE (no
# process forked: the waits poll it, on a slow guest)
get_state()
{
	local l=()

	STATE=
	mapfile -t l 2>/dev/null <"$T/notify-$1/transitions" || return 0
	STATE=${l[-1]:-}
	STATE=${STATE#* }
	STATE=${STATE%% *}
}
last_state() { get_state "$1"; echo "$STATE"; }
is_state() { get_state "$1"; [[ $STATE == "$2" ]]; }
ka_pids() { cat "$T/ka-$1-vrrp.pid" "$T/ka-$1.pid"; }
# the time of the last transition of a|b to STATE
state_time() { awk -v s="$2" '$2 == s { t = $1 } END { print t }' "$T/notify-$1/transitions"; }
# the seconds from T0 to T1
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
sctl() { ldsyncd ctl --ctl "$T/$1.sock" "${@:2}"; }

# established: `ldctl conns` on stdin as "PROTO CLIENT VIP REAL STATE",
# the established TCP conns and the UDP ones, sorted
established()
{
	awk '$7 == "ESTABLISHED" || $1 == "udp" { print $1, $2, $4, $6, $7 }' | sort
}

# downloads: three downloads of /data through the VIP
downloads()
{
	local i

	DL_PIDS=()
	for i in 1 2 3; do
		bg "$NS_C" curl -sS --fail --max-time 300 -o "$T/dl$i" "http://$VIPB/data"
		DL_PIDS+=("${BG_PIDS[-1]}")
	done
}

# sizes: the downloads' sizes so far, also to $T/progress
sizes()
{
	local i s out=()

	for i in 1 2 3; do
		s=$(stat -c %s "$T/dl$i" 2>/dev/null || echo 0)
		out+=("$s")
	done
	echo "[$SECONDS s] ${out[*]}" >>"$T/progress"
	echo "${out[*]}"
}

# partial MIN: every download past MIN bytes
partial()
{
	local s

	for s in $(sizes); do
		((s >= $1)) || return 1
	done
}

# fpa_real a|b: the real of the client's FPA of the TCP virtual
fpa_real()
{
	local ns=$NS_A

	[[ $1 == b ]] && ns=$NS_B
	nsx "$ns" ldctl -j fpa | jq -r '[.[] | select(.protocol == "tcp")] | .[0].real // empty'
}

setup_vrrp_topology
write_config >"$T/ldir.conf"
ldA restore "$T/ldir.conf"
ldB restore "$T/ldir.conf"
# the hooks' ldsyncd: records each `ctl ready` answer ("TIME EXIT") in
# $T/ready-d, and at the first "ready" the director's conns, in
# $T/conns-d-ready (before keepalived hears the answer)
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
# keepalived as shipped, but: adverts every ADVERT s; the track script's
# runs may be slow on a loaded TCG guest (timeout 30, fall 10: a slow run
# does not move the traffic); and the realtime scheduling it switches to
# when late (max_auto_priority) comes with RLIMIT_RTTIME, 10 ms of CPU
# between blocking calls by default, which a TCG guest's keepalived
# overruns and is killed for: 0.5 s here
sed -e "s|^\\\$ADVERT=.*|\$ADVERT=$ADVERT|" \
	-e "s|^\\\$NOTIFY=.*|\$NOTIFY=$EX/ldir-notify|" \
	-e "s|^\\\$READY=.*|\$READY=$EX/ldir-ready|" \
	-e "s|^\ttimeout 3$|\ttimeout 30|" -e "s|^\tfall 2$|\tfall 10|" \
	-e "s|^\tmax_auto_priority$|&\n\tvrrp_rlimit_rttime 500000|" \
	"$EX/keepalived.conf" >"$T/keepalived.conf"
for l in "\$ADVERT=$ADVERT" "\$READY=$EX/ldir-ready" $'\ttimeout 30' $'\tfall 10' \
	$'\tvrrp_rlimit_rttime 500000'; do
	grep -qxF "$l" "$T/keepalived.conf" ||
		fail "the example's keepalived.conf: no line to make '$l'"
done
dd if=/dev/urandom of="$T/data" bs=1M count="$DL_MIB" 2>/dev/null
sum=$(sha256sum <"$T/data")
sum=${sum%% *}
start_servers http
for n in 1 2 3; do
	bg "${NS_R[$n]}" ldseq serve 9
done
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 9
done

log "[$SECONDS s] ldsyncd and keepalived on both: A MASTER, B BACKUP"
start_ldsyncd a
start_ldsyncd b
start_keepalived a
wait_for 30 is_state a MASTER ||
	fail "A is not MASTER: $(cat "$T"/notify-a/transitions 2>&1)"
start_keepalived b
wait_for 20 is_state b BACKUP ||
	fail "B is not BACKUP: $(cat "$T"/notify-b/transitions 2>&1)"
expect_eq "A's sync role" master "$(sctl a role)"
expect_eq "B's sync role" backup "$(sctl b role)"

log "[$SECONDS s] three downloads and a UDP stream through A"
downloads
mkfifo "$T/never"
# each datagram "SEQ SENDTIME", the sent ones in $T/udp.sent; the reals'
# echoes, as they come back, in $T/udp.echo
# shellcheck disable=SC2016 # the inner shell's
bg "$NS_C" bash -c 'exec 3<>"/dev/udp/$1/9" 5<>"$3"
	cat <&3 >"$4" &
	for ((i = 1; i <= 100000; i++)); do
		[[ -e $5 ]] && break
		t=$EPOCHREALTIME
		echo "$i $t" >&3
		echo "$i $t"
		read -r -t "$2" -u 5
	done
	sleep 2
	kill $!' _ "$VIP" "$UDP_GAP" "$T/never" "$T/udp.echo" "$T/udp.stop" >"$T/udp.sent"
udp_pid=${BG_PIDS[-1]}
wait_for 60 partial 131072 || fail "the downloads did not start: $(tail -n 1 "$T/progress")"
udp_started() { [[ -s $T/udp.echo ]]; }
wait_for 10 udp_started || fail "no echo of the UDP stream"
rate "$RATE_SLOW"

# at once (each command is slow on a loaded TCG guest: the downloads
# would run on); the checks of the state before it come after
log "[$SECONDS s] A fails: keepalived killed (no goodbye), links down"
ka_a=$(ka_pids a)
# (no "Killed" from bash)
disown "${KA_PID[a]}" "${LDSYNCD_PID[a]}" 2>/dev/null || true
t_kill=$EPOCHREALTIME
# both stopped first: the parent can no longer respawn its VRRP child,
# nor the child hear of its parent's death (and say goodbye)
# shellcheck disable=SC2086 # the two pids
kill -STOP $ka_a
# shellcheck disable=SC2086
kill -KILL $ka_a
ip -n "$NS_A" link set outside down
ip -n "$NS_A" link set inside down
kill -KILL "${LDSYNCD_PID[a]}"
read -r s1 s2 s3 <<<"$(sizes)"
log "downloaded at the kill: $s1 $s2 $s3 bytes"
# the reals had data left to send (more than the buffers hold)
for s in "$s1" "$s2" "$s3"; do
	((s < DL_MIB * 1048576 - 1048576)) ||
		fail "a download was nearly done before the failover: $s1 $s2 $s3"
done
ldA conns | established >"$T/conns-a-kill"
ldB conns | established >"$T/conns-b-kill"
real_a=$(fpa_real a)
[[ -n $real_a ]] || fail "no FPA on A: $(ldA fpa)"
expect_ge "A's conns at the kill (3 downloads, the UDP stream)" 4 "$(wc -l <"$T/conns-a-kill")"
expect_eq "the downloads' real on A (FPA)" "$real_a" \
	"$(awk '$1 == "tcp" { sub(/:80$/, "", $4); print $4 }' "$T/conns-a-kill" | sort -u)"
cmp -s "$T/conns-a-kill" "$T/conns-b-kill" ||
	fail "B's conns differ from A's at the kill: $(diff "$T/conns-a-kill" "$T/conns-b-kill" | head -n 6)"
ok "B held A's $(wc -l <"$T/conns-a-kill") conns at the kill"
# (3 adverts and a skew after A's last; up to 30 s seen on a loaded
# TCG guest)
wait_for 60 is_state b MASTER ||
	fail "B did not become MASTER: $(cat "$T"/notify-b/transitions)"
t_bmaster=$(state_time b MASTER)
switch1=$(secs "$t_kill" "$t_bmaster")
log "B MASTER ${switch1}s after the kill"
expect_eq "B's sync role" master "$(sctl b role)"
# new conns: the client's affinity holds, B picks A's real
names=$(http_names 3)
expect_eq "new conns through B: the client's real" "real${real_a##*.1}" "$(sort -u <<<"$names")"
expect_eq "B's FPA of the client" "$real_a" "$(fpa_real b)"

log "[$SECONDS s] A restarts: ldir configuration, ldsyncd, keepalived"
ldA flush
director_reboot "$NS_A" "${A_ADDRS[@]}"
ldA restore "$T/ldir.conf"
expect_eq "A's conns after the restart" 0 "$(ldA conns | grep -c . || true)"
t_rejoin=$EPOCHREALTIME
mkdir -p "$T/notify-a"
echo "$t_rejoin RESTART" >>"$T/notify-a/transitions"
rm -f "$T/ready-a" "$T/conns-a-ready"
# B's sync traffic held back from A for a while, so that A's track script
# is seen to hold A back: A's ldsyncd waits for B (not heard; then for its
# table) well past the hold
nsx "$NS_A" nft -f - <<-EOF
table inet hold {
	chain in {
		type filter hook input priority filter; policy accept;
		udp dport 7411 drop
	}
}
EOF
start_ldsyncd a --ready-timeout-ms 120000
start_keepalived a
held()
{
	local l=()

	mapfile -t l 2>/dev/null <"$T/ready-a"
	[[ ${l[*]} == *" 1"* ]]
}
wait_for 30 held || fail "A's track script did not find A not ready: $(cat "$T/ready-a" 2>&1)"
wait_for 10 is_state a BACKUP || fail "A is not BACKUP: $(cat "$T"/notify-a/transitions)"
expect_eq "A while its ldsyncd waits for B's table" "RESTART BACKUP" \
	"$(awk '$2 == "RESTART" { n = "" } { n = n " " $2 } END { print n }' \
		"$T/notify-a/transitions" | sed 's/^ //')"
expect_eq "B's state" MASTER "$(last_state b)"
log "A's ldsyncd: $(sctl a ready 2>&1)"
nsx "$NS_A" nft delete table inet hold
# B's resends back off; a new stream goes at once
sctl b resync >/dev/null
wait_for 40 test -e "$T/conns-a-ready" ||
	fail "A's ldsyncd never ready: $(sctl a stats 2>&1)"
ldB conns | established >"$T/conns-b-ready"
established <"$T/conns-a-ready" >"$T/conns-a-ready.s"
cmp -s "$T/conns-a-ready.s" "$T/conns-b-ready" ||
	fail "A ready with conns that differ from B's: $(diff "$T/conns-a-ready.s" "$T/conns-b-ready" | head -n 6)"
expect_ge "A's conns when ready, as B's (3 downloads, the UDP stream)" 4 \
	"$(wc -l <"$T/conns-a-ready.s")"
t_ready=$(awk '$2 == 0 { print $1; exit }' "$T/ready-a")
log "A ready $(secs "$t_rejoin" "$t_ready")s after its restart ($(awk '$2 != 0' "$T/ready-a" | wc -l) not-ready checks before)"
wait_for 60 is_state a MASTER ||
	fail "A did not take over: $(cat "$T"/notify-a/transitions)"
t_amaster=$(state_time a MASTER)
read -r s1 s2 s3 <<<"$(sizes)"
rate "$RATE_FAST"
log "downloaded at the fail-back: $s1 $s2 $s3 bytes"
for s in "$s1" "$s2" "$s3"; do
	((s < DL_MIB * 1048576 - 262144)) ||
		fail "a download was nearly done before the fail-back: $s1 $s2 $s3"
done
# since its restart A was BACKUP (held back), and MASTER once ready
expect_eq "A's transitions since the restart" "RESTART BACKUP MASTER" \
	"$(awk '$2 == "RESTART" { n = "" } { n = n " " $2 } END { print n }' \
		"$T/notify-a/transitions" | sed 's/^ //')"
awk -v r="$t_ready" -v m="$t_amaster" 'BEGIN { exit !(m > r) }' ||
	fail "A MASTER at $t_amaster, before it was ready at $t_ready"
ok "A MASTER $(secs "$t_ready" "$t_amaster")s after it was ready"
wait_for 10 is_state b BACKUP || fail "B did not step back: $(cat "$T"/notify-b/transitions)"

log "[$SECONDS s] the downloads end through A"
for i in 1 2 3; do
	wait "${DL_PIDS[i - 1]}" || fail "download $i failed (curl exit $?)"
	got=$(sha256sum <"$T/dl$i")
	expect_eq "download $i: sha256" "$sum" "${got%% *}"
done
names=$(http_names 3)
expect_eq "new conns through A: the client's real" "real${real_a##*.1}" "$(sort -u <<<"$names")"

log "[$SECONDS s] the UDP stream lost only what was sent during the switches"
touch "$T/udp.stop"
wait "$udp_pid" || true
sent=$(wc -l <"$T/udp.sent")
expect_ge "datagrams sent" 200 "$sent"
# the windows: the failover's from the kill (less 0.5 s: what was on its
# way through A) to B's hook plus GARP_SLACK; the fail-back's from A's
# first ready answer (A cannot preempt before it) to A's hook plus
# GARP_SLACK. (The hooks record their transition after the role switch,
# some time after keepalived's.)
res=$(awk -v a="$t_kill" -v b="$t_bmaster" -v r="$t_ready" -v m="$t_amaster" \
	-v s="$GARP_SLACK" '
	NR == FNR { got[$1] = 1; next }
	!($1 in got) {
		if ($2 >= a - 0.5 && $2 <= b + s) {
			fo++
		} else if ($2 >= r && $2 <= m + s) {
			fb++
		} else {
			out++
			when = when sprintf(" %.2f", $2 - a)
		}
	}
	END { printf "%d %d %d%s\n", fo, fb, out, when }' "$T/udp.echo" "$T/udp.sent")
read -r fo fb outside when <<<"$res"
log "lost $((fo + fb + outside)) of $sent datagrams: $fo at the failover (B MASTER ${switch1}s after the kill), $fb at the fail-back (A ready $(secs "$t_kill" "$t_ready")s, MASTER $(secs "$t_kill" "$t_amaster")s after the kill)"
((outside == 0)) || log "lost outside the switches: sent$when s after the kill"
expect_eq "datagrams lost outside the switches" 0 "$outside"
log "RESULT lc+fpa keepalived+ldsyncd: tcp-flows-lost 0/3 udp-lost-failover $fo udp-lost-failback $fb switch ${switch1}s"
touch "$T/passed"
log "[$SECONDS s] done"
