#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Active/standby with keepalived: two directors run the same ldir
# configuration and keepalived (Debian's, VRRP only) with the shipped
# examples/keepalived/keepalived.conf and ldir-notify hook. The VRRP
# master holds the VIP's next hop on the outside and the reals' gateway
# on the inside; director A is the preferred master. The virtuals are
# stateful and scheduled by maglev, so a flow that moves to B is adopted
# there, to the same real, with no sync.
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
#  br-out and br-in are bridges in a switch netns (its port to the client
#  paced by tbf), every link to them a veth.
#  VRRP (keepalived, one sync group): 10.0.1.1 on outside, 10.0.2.1 on
#  inside, and 2001:db8:1::1, 2001:db8:2::1 likewise, on the master.
#  IPv6 run: client 2001:db8:1::2, A 2001:db8:1::11 / 2001:db8:2::2, B
#  2001:db8:1::12 / 2001:db8:2::3, reals 2001:db8:2::1N. The directors are
#  dual-stack in both runs (the shipped configuration is).
#
# Shown:
#   A becomes MASTER, B BACKUP, and ldir-notify ran on each: A's finds
#   no ldsyncd running, logs that and goes on; B's calls a stand-in for
#   `ldsyncd ctl role backup`, then `... master`
#   three paced downloads (3 MiB) and a UDP stream with sequence
#   numbers through the VIP; mid-transfer A's keepalived is killed (no
#   goodbye advert) and A's links go down: B becomes MASTER and its hook
#   runs; every download completes with the right sha256; every lost
#   datagram was sent between the kill and B's takeover (plus the time
#   B's gratuitous ARP / neighbour advert takes to land); new
#   connections succeed through B, and B adopted the moved TCP flows.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
command -v keepalived >/dev/null || fail "keepalived not in the guest (LDIR_PKGS, GUEST_BINS)"
EX=$(realpath "$(dirname "$0")/../examples/keepalived")
[[ -f $EX/keepalived.conf && -x $EX/ldir-notify && -x $EX/ldir-ready ]] ||
	fail "no examples/keepalived in the guest"

NS_SW=ldir-switch-$$
NS_A=ldir-dira-$$
NS_B=ldir-dirb-$$
EXTRA_NS=("$NS_SW" "$NS_A" "$NS_B")
# keepalived's advert interval here (the example's is 1 s): B takes over
# 3 adverts and a skew (0.6 of one, at priority 100) after A's last
ADVERT=0.3
# the downloads: size (MiB) each, and the rate of the switch port to the
# client (tbf: the three share it), so that they are mid-flight at the
# failover (curl's --limit-rate does not hold a download back)
DL_MIB=3
DL_RATE=8mbit
# the UDP stream: UDP_N datagrams, one every UDP_GAP s (and the loop's
# own time: about 15 s in all)
UDP_GAP=0.02
UDP_N=600
# after B's takeover, how long its gratuitous ARP / neighbour advert may
# take to reach the client (the stream's loss window ends there)
GARP_SLACK=1.0

ldA() { nsx "$NS_A" ldctl "$@"; }
ldB() { nsx "$NS_B" ldctl "$@"; }

# the client's port: the three downloads share it
CLIENT_TBF="rate $DL_RATE burst 16k latency 300ms"
# shellcheck source=vrrp-lib.sh
source "$(dirname "$0")/vrrp-lib.sh"

# configure: the same ldir configuration on both directors
configure()
{
	local n

	{
		for n in 1 2 3; do
			echo "real add ${REALB[$n]}"
		done
		for p in "tcp 80" "udp 9"; do
			echo "virtual add ${p% *} $VIPB:${p#* } sched maglev"
			for n in 1 2 3; do
				echo "link add ${p% *} $VIPB:${p#* } real ${REALB[$n]} port ${p#* }"
			done
		done
	} >"$T/ldir.conf"
	ldA restore "$T/ldir.conf"
	ldB restore "$T/ldir.conf"
}

# start_keepalived a|b: keepalived (VRRP only) in director A's or B's
# netns with the shipped configuration as director dir-a or dir-b, its own
# pid files, the hook's record in $T/notify-a or -b. A's hook finds no
# ldsyncd running (a pair without sync); B's calls $T/ldsyncd, which
# records how it was called.
start_keepalived()
{
	local d=$1 ns=$NS_A sync=(LDSYNCD_CTL="$T/ldsyncd-a.sock")

	if [[ $d == b ]]; then
		ns=$NS_B
		sync=(LDSYNCD="$T/ldsyncd" LDSYNCD_CTL="$T/ldsyncd-b.sock")
	fi
	bg "$ns" env LDIR_NOTIFY_DIR="$T/notify-$d" "${sync[@]}" keepalived --vrrp \
		--dont-fork --log-console --no-syslog --log-detail -i "dir-$d" \
		-f "$T/keepalived.conf" -p "$T/ka-$d.pid" -r "$T/ka-$d-vrrp.pid" \
		>"$T/ka-$d.log" 2>&1
}

# last_state a|b: the state of the last transition the hook recorded
last_state()
{
	tail -n 1 "$T/notify-$1/transitions" 2>/dev/null | cut -d' ' -f2
}

is_state() { [[ $(last_state "$1") == "$2" ]]; }

# ka_pids a|b: keepalived's parent and VRRP child
ka_pids()
{
	cat "$T/ka-$1-vrrp.pid" "$T/ka-$1.pid"
}

stat_of() # a|b FIELD
{
	local j

	j=$(nsx "$(if [[ $1 == a ]]; then echo "$NS_A"; else echo "$NS_B"; fi)" \
		ldctl -j stats)
	jq -er --arg f "$2" '.stats[$f]' <<<"$j"
}

setup_vrrp_topology
configure
# a stand-in for ldsyncd's control command: the conn sync role switch is
# not what this test checks, only that the hook calls it
# (`ctl ready`, the track script's, answers ready and is not recorded)
printf '%s\n' '#!/bin/sh' 'case $* in *" ready") exit 0 ;; esac' \
	"echo \"\$*\" >>$T/ldsyncd.calls" >"$T/ldsyncd"
chmod 755 "$T/ldsyncd"
sed -e "s|^\\\$ADVERT=.*|\$ADVERT=$ADVERT|" \
	-e "s|^\\\$NOTIFY=.*|\$NOTIFY=$EX/ldir-notify|" \
	-e "s|^\\\$READY=.*|\$READY=$EX/ldir-ready|" \
	-e "s|^\ttimeout 3$|\ttimeout 30|" -e "s|^\tfall 2$|\tfall 10|" \
	"$EX/keepalived.conf" >"$T/keepalived.conf"
grep -qx "\\\$ADVERT=$ADVERT" "$T/keepalived.conf" ||
	fail "the example has no \$ADVERT line to set"
# a TCG guest runs the track script (ldir-ready) slowly: its timeouts
# would count as not ready and move the traffic
grep -qx $'\tfall 10' "$T/keepalived.conf" ||
	fail "the example's track script has no fall 2 to set"
dd if=/dev/urandom of="$T/data" bs=1M count="$DL_MIB" 2>/dev/null
sum=$(sha256sum <"$T/data")
sum=${sum%% *}
start_servers http
for n in 1 2 3; do
	bg "${NS_R[$n]}" socat -u "UDP$SOCK-RECV:9" "OPEN:$T/udp$n.recv,creat,append"
done
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 9
done

log "[$SECONDS s] keepalived on both directors: A becomes MASTER, B BACKUP"
# A first: B then finds a master and stays BACKUP
start_keepalived a
wait_for 20 is_state a MASTER ||
	fail "A is not MASTER: $(cat "$T"/notify-a/transitions 2>&1); $(tail -n 5 "$T/ka-a.log")"
start_keepalived b
wait_for 10 is_state b BACKUP ||
	fail "B is not BACKUP: $(cat "$T"/notify-b/transitions 2>&1); $(tail -n 5 "$T/ka-b.log")"
ok "A MASTER, B BACKUP"
expect_match "A's hook, without ldsyncd running" \
	'^[0-9.]+ MASTER master (no ldsyncd|ldsyncd ctl role master failed: .*ldsyncd-a\.sock)' \
	"$(tail -n 1 "$T/notify-a/transitions")"
expect_match "B's hook, with ldsyncd" '^[0-9.]+ BACKUP backup ok$' \
	"$(tail -n 1 "$T/notify-b/transitions")"
for d in a b; do
	ka_pids "$d" >/dev/null || fail "keepalived $d wrote no pid files"
done
if [[ $LDIR_FAMILY == 6 ]]; then
	ping=(busybox ping -6)
else
	ping=(busybox ping)
fi
pc "${ping[@]}" -c 1 -W 5 "$GW_OUT" >/dev/null
for n in 1 2 3; do
	pr "$n" "${ping[@]}" -c 1 -W 5 "$GW_IN" >/dev/null
done
ip -n "$NS_A" -br addr show dev outside | grep -qw "$GW_OUT/$PLEN" ||
	fail "A does not hold $GW_OUT"
ok "A holds $GW_OUT and $GW_IN"

log "[$SECONDS s] three downloads and a UDP stream through A"
dl_pids=()
for i in 1 2 3; do
	bg "$NS_C" curl -sS --fail --max-time 120 \
		-o "$T/dl$i" "http://$VIPB/data"
	dl_pids+=("${BG_PIDS[-1]}")
done
mkfifo "$T/never"
# shellcheck disable=SC2016 # the inner shell's
bg "$NS_C" bash -c 'exec 3<>"/dev/udp/$1/9" 4<>"$2"
	for ((i = 1; i <= $3; i++)); do
		t=$EPOCHREALTIME
		echo "$i $t" >&3
		echo "$i $t"
		read -r -t "$4" -u 4
	done' _ "$VIP" "$T/never" "$UDP_N" "$UDP_GAP" >"$T/udp.sent"
udp_pid=${BG_PIDS[-1]}

# mid-flight: each download past 256 KiB, none done
partial()
{
	local i s

	local sizes=()

	for i in 1 2 3; do
		s=$(stat -c %s "$T/dl$i" 2>/dev/null || echo 0)
		sizes+=("$s")
	done
	echo "[$SECONDS s] ${sizes[*]}" >>"$T/progress"
	for s in "${sizes[@]}"; do
		((s >= 262144)) || return 1
	done
}
wait_for 30 partial || fail "the downloads did not start: $(ls -l "$T"/dl* 2>&1)"

# at once (each command is slow on a loaded TCG guest: the downloads
# would run on); the checks of the state before it come after
log "[$SECONDS s] A fails: keepalived killed (no goodbye), links down"
ka_a=$(ka_pids a)
t_kill=$EPOCHREALTIME
# both stopped first: the parent can no longer respawn its VRRP child,
# nor the child hear of its parent's death (and say goodbye)
# shellcheck disable=SC2086 # the two pids
kill -STOP $ka_a
# shellcheck disable=SC2086
kill -KILL $ka_a
ip -n "$NS_A" link set outside down
ip -n "$NS_A" link set inside down
line=$(tail -n 1 "$T/progress")
read -r _ _ s1 s2 s3 <<<"$line"
log "downloaded before the failover: $s1 $s2 $s3 bytes"
# the real still has data to send (more than the buffers hold: the
# client's 64 KiB, the switch's 300 ms at DL_RATE)
for s in "$s1" "$s2" "$s3"; do
	((s < (DL_MIB - 1) * 1048576)) ||
		fail "a download was nearly done before the failover: $s1 $s2 $s3"
done
conns_a=$(ldA -j conns | jq length)
expect_ge "A's conns (3 downloads, the UDP stream)" 4 "$conns_a"
a_gone() { [[ -z $(ip netns pids "$NS_A") ]]; }
wait_for 5 a_gone || fail "still running in A's netns: $(ip netns pids "$NS_A")"
ok "no keepalived left in A's netns"
wait_for 10 is_state b MASTER ||
	fail "B did not become MASTER: $(cat "$T"/notify-b/transitions); $(tail -n 5 "$T/ka-b.log")"
line=$(tail -n 1 "$T/notify-b/transitions")
t_master=${line%% *}
switch=$(awk -v a="$t_kill" -v b="$t_master" 'BEGIN { printf "%.2f", b - a }')
log "B MASTER ${switch}s after the kill"
expect_match "B's hook ran for MASTER" '^[0-9.]+ MASTER master ok$' "$line"
# B carried nothing before: it was never MASTER until A failed
expect_eq "B's transitions before the kill" "BACKUP" \
	"$(awk -v a="$t_kill" '$1 < a { print $2 }' "$T/notify-b/transitions" | sort -u)"
expect_eq "B's hook: the sync role switches" \
	"ctl --ctl $T/ldsyncd-b.sock role backup ctl --ctl $T/ldsyncd-b.sock role master" \
	"$(words "$(cat "$T/ldsyncd.calls")")"
ip -n "$NS_B" -br addr show dev outside | grep -qw "$GW_OUT/$PLEN" ||
	fail "B does not hold $GW_OUT"
ip -n "$NS_B" -br addr show dev inside | grep -qw "$GW_IN/$PLEN" ||
	fail "B does not hold $GW_IN"
ok "B holds $GW_OUT and $GW_IN"

log "[$SECONDS s] the downloads go on through B"
for i in 1 2 3; do
	wait "${dl_pids[i - 1]}" || fail "download $i failed (curl exit $?)"
	got=$(sha256sum <"$T/dl$i")
	expect_eq "download $i: sha256" "$sum" "${got%% *}"
done
wait "$udp_pid" || true
expect_ge "B adopted the moved downloads" 3 "$(stat_of b adopted)"
log "B translated $(stat_of b reply_adopted) replies that came before the client's segment"
expect_eq "B: drop-no-real" 0 "$(stat_of b drop_no_real)"

log "[$SECONDS s] the UDP stream lost only what was sent during the switch"
sent=$(wc -l <"$T/udp.sent")
expect_eq "datagrams sent" "$UDP_N" "$sent"
cat "$T"/udp[123].recv >"$T/udp.recv"
reals=0
for n in 1 2 3; do
	[[ -s $T/udp$n.recv ]] && reals=$((reals + 1))
done
expect_eq "reals the stream reached (the same through A and B)" 1 "$reals"
# lost datagrams: their send times, and whether each is in the window
# from the kill to B's takeover plus GARP_SLACK (less 0.1 s: what was
# in flight when A died)
out=$(awk -v a="$t_kill" -v b="$t_master" \
	-v s="$GARP_SLACK" '
	NR == FNR { got[$1] = 1; next }
	!($1 in got) {
		lost++
		if ($2 < a - 0.1 || $2 > b + s)
			out++
		if (first == "")
			first = $2 - a
		last = $2 - a
	}
	END { printf "%d %d %.2f %.2f\n", lost, out, first, last }' \
	"$T/udp.recv" "$T/udp.sent")
read -r lost outside first last <<<"$out"
log "lost $lost of $sent datagrams, sent ${first}s to ${last}s after the kill (switch ${switch}s)"
expect_eq "datagrams lost outside the switch" 0 "$outside"
dups=$(cut -d' ' -f1 "$T/udp.recv" | sort | uniq -d | wc -l)
expect_eq "datagrams received twice" 0 "$dups"

log "[$SECONDS s] new connections through B"
names=$(http_names 6)
expect_eq "requests answered" 6 "$(grep -c . <<<"$names")"
expect_ge "B's conns" 6 "$(ldB -j conns | jq length)"
log "[$SECONDS s] done"
