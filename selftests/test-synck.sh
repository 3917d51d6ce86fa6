#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-families: 4
#
# Conn sync, the kernel half, with ldsync (selftests/tools) carrying the
# records between two directors as the sync daemon would:
#   - an unprivileged user can neither listen to the sync group nor insert;
#   - a SYN flood on A makes no sync record (embryonic conns are never
#     sent);
#   - two flows through A (a line echo conn, and a 1 MiB stream through
#     an echo server, of which the client sends half) are sent on A's
#     "sync" group once established; B takes them (conn-new) and sends
#     nothing back; A's syncable dump equals the records; then the
#     client's route and the reals' default route move to B, and both
#     flows go on through B: the line comes back, and the stream's second
#     half too, its sha256 the file's;
#   - the echo conn, now B's, closes: B sends its state changes, A nothing;
#     B flushes: B sends the removals, A takes them (conn-del);
#   - bad inserts into B are refused with their errno and extack, counted
#     in sync-rejected, and change no conn: another digest, an unknown
#     virtual (Bind ID), an unlinked real, a real address that is neither
#     the link's real nor its backup, a wrong real port, a multicast
#     client, an embryonic state, no lifetime, a full table; a removal of
#     a conn B does not have, or of one that goes to another real; a
#     removal and an insert in a namespace that never had a virtual (no
#     conn table yet).
#
#                  ┌ switch ──────────┐
#  client ─────────┤ brc          brr ├──── real1 10.0.2.11, real2 .12,
#  10.0.1.2        │  │  │      │  │  │     real3 .13 (default route: A's
#  (VIP via A,     └──┼──┼──────┼──┼──┘      back leg, then B's)
#   then via B)       │  │      │  │
#        A outside 10.0.1.11   back 10.0.2.1   (director A, ldir)
#        B outside 10.0.1.12   back 10.0.2.2   (director B, ldir)

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
[[ $LDIR_FAMILY == 4 ]] || skip "IPv4 topology"
command -v ldsync >/dev/null || fail "ldsync not in the guest (selftests/tools)"
command -v ldflood >/dev/null || fail "ldflood not in the guest (selftests/tools)"

NS_S=ldir-switch-$$
NS_B=ldir-dirb-$$
NS_E=ldir-empty-$$
EXTRA_NS=("$NS_S" "$NS_B" "$NS_E")
A_OUT=10.0.1.11 B_OUT=10.0.1.12 A_IN=10.0.2.1 B_IN=10.0.2.2
# the flood's sources: A routes them to an address nobody has
FLOOD_NET=198.51.100.0/24

pb() { nsx "$NS_B" "$@"; }
lb() { nsx "$NS_B" ldctl "$@"; }
# st NS FIELD: a global counter of the director in NS
st()
{
	nsx "$1" ldctl -j stats | jq -er --arg f "${2//-/_}" '.stats[$f]'
}
# conns NS: its conns as sorted "client:port vip:port real:port state"
conns()
{
	nsx "$1" ldctl -j conns | jq -r '.[] |
		"\(.client):\(.client_port) \(.virtual):\(.virtual_port) \(.real):\(.real_port) \(.state)"' |
		sort
}

setup()
{
	local ns n

	for ns in "$NS_C" "$NS_S" "$NS_D" "$NS_B" "${NS_R[@]:1}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	{
		echo "link add brc type bridge forward_delay 0"
		echo "link add brr type bridge forward_delay 0"
		echo "link add sc type veth peer name eth0 netns $NS_C"
		echo "link add sa type veth peer name outside netns $NS_D"
		echo "link add sb type veth peer name outside netns $NS_B"
		echo "link add ta type veth peer name back netns $NS_D"
		echo "link add tb type veth peer name back netns $NS_B"
		for n in 1 2 3; do
			echo "link add s$n type veth peer name eth0 netns ${NS_R[$n]}"
			echo "link set s$n master brr up"
		done
		for n in sc sa sb; do
			echo "link set $n master brc up"
		done
		for n in ta tb; do
			echo "link set $n master brr up"
		done
		echo "link set brc up"
		echo "link set brr up"
	} | ip -n "$NS_S" -batch -
	ip -n "$NS_D" -batch - <<-EOF
	addr add $A_OUT/24 dev outside
	addr add $A_IN/24 dev back
	link set outside up
	link set back up
	route add $FLOOD_NET via 10.0.1.200
	EOF
	ip -n "$NS_B" -batch - <<-EOF
	addr add $B_OUT/24 dev outside
	addr add $B_IN/24 dev back
	link set outside up
	link set back up
	EOF
	sysctl_set "$NS_D" net.ipv4.ip_forward 1
	sysctl_set "$NS_B" net.ipv4.ip_forward 1
	for k in all.rp_filter default.rp_filter outside.rp_filter; do
		sysctl_set "$NS_D" "net.ipv4.conf.$k" 0
	done
	for n in 1 2 3; do
		ip -n "${NS_R[$n]}" -batch - <<-EOF
		addr add ${REAL[$n]}/24 dev eth0
		link set eth0 up
		route add default via $A_IN
		EOF
	done
	ip -n "$NS_C" -batch - <<-EOF
	addr add $CLIENT/24 dev eth0
	link set eth0 up
	route add $VIP_NET via $A_OUT
	EOF
	for n in 1 2 3; do
		pr "$n" busybox ping -c 1 -W 5 "$A_IN" >/dev/null
		pr "$n" busybox ping -c 1 -W 5 "$B_IN" >/dev/null
	done
	pc busybox ping -c 1 -W 5 "$A_OUT" >/dev/null
	pc busybox ping -c 1 -W 5 "$B_OUT" >/dev/null
}

# the same configuration on both directors: "who" on VIP:8 through real1
# and real2 (real3 is not linked), echo on VIP:7 through all three
configure()
{
	cat >"$T/ldir.conf" <<-EOF
	real add ${REAL[1]}
	real add ${REAL[2]}
	real add ${REAL[3]}
	virtual add tcp $VIP:8 sched rr
	link add tcp $VIP:8 real ${REAL[1]} port 8
	link add tcp $VIP:8 real ${REAL[2]} port 8
	virtual add tcp $VIP:7 sched wlc
	link add tcp $VIP:7 real ${REAL[1]} port 7
	link add tcp $VIP:7 real ${REAL[2]} port 7
	link add tcp $VIP:7 real ${REAL[3]} port 7
	EOF
	ld restore "$T/ldir.conf"
	lb restore "$T/ldir.conf"
}

# listen NS NAME: ldsync listening to NS's sync group into $T/NAME, then
# a bulk resync (the syncable dump), as a daemon starts
listen()
{
	local i

	bg "$1" ldsync listen 120 >"$T/$2" 2>&1
	for ((i = 0; i < TMO * 10; i++)); do
		if grep -q listening "$T/$2"; then
			expect_eq "bulk resync of $2 (no conn yet)" "" \
				"$(nsx "$1" ldsync dump)"
			return 0
		fi
		sleep 0.1
	done
	fail "ldsync listen in $1 did not start: $(cat "$T/$2")"
}

# recs FILE [RE]: the records in FILE (matching RE)
recs() { grep -c "^rec ${2:-}" "$T/$1" || true; }

# wait_recs FILE N [RE]: until FILE holds N records (matching RE)
wait_recs()
{
	local i

	for ((i = 0; i < TMO * 10; i++)); do
		(($(recs "$1" "${3:-}") >= $2)) && return 0
		sleep 0.1
	done
	fail "$1: $(recs "$1" "${3:-}") records ${3:-}, expected $2: $(cat "$T/$1")"
}

setup
start_servers who echo
configure

listen "$NS_D" a.sync
listen "$NS_B" b.sync

log "an unprivileged user may not listen to the sync group, nor insert"
out=$(pd setpriv --reuid=65534 --regid=65534 --clear-groups \
	ldsync listen 1 2>&1 || true)
expect_match "joining the sync group unprivileged" \
	"join the sync group: Operation not permitted" "$out"

log "a SYN flood on A: embryonic conns, no sync record"
DMAC=$(ip -n "$NS_D" -j link show outside | jq -r '.[0].address')
out=$(pc ldflood syn eth0 "$DMAC" "$VIP" 7 "$FLOOD_NET" 2 500)
expect_ge "SYNs sent" 100 "$(awk '{ print $2 }' <<<"$out")"
expect_ge "embryonic conns on A" 1 "$(ld -j stats | jq '.config.embryonic_count')"
# the reals' SYN-ACKs cross A (towards a neighbour that never answers)
expect_ge "conns the reals answered (syn_recv)" 1 \
	"$(ld -j conns | jq '[.[] | select(.state == "syn_recv")] | length')"
sleep 0.5
expect_eq "sync-sent on A after the flood" 0 "$(st "$NS_D" sync-sent)"
expect_eq "records heard from A" 0 "$(recs a.sync)"
ld flush conns

log "two flows through A: sent once established"
conn_open a 8
conn_echoes a one || fail "conn a does not echo through A"
# the stream: the client sends what the test writes to x.in
mkfifo "$T/x.in"
(
	close_conn_fds
	exec nsenter --net="/run/netns/$NS_C" socat -t "$TMO" \
		"OPEN:$T/x.in,rdonly!!OPEN:$T/got,wronly,creat,trunc" \
		"TCP:$VIP:7"
) &
XPID=$!
BG_PIDS+=("$XPID")
exec {xfd}<>"$T/x.in"
CONN_FD[x]=$xfd
HALF=$((512 * 1024))
head -c "$HALF" "$T/data" >&"$xfd"
for ((i = 0; i < TMO * 10; i++)); do
	(($(wc -c <"$T/got") >= HALF)) && break
	sleep 0.1
done
expect_eq "the stream's first half came back through A" "$HALF" "$(wc -c <"$T/got")"
wait_recs a.sync 2 established
sleep 0.3
log "A's sync group:"
sed 's/ hex=.*//; s/^/#   /' "$T/a.sync"
expect_eq "sync-sent on A" 2 "$(st "$NS_D" sync-sent)"
expect_eq "sync-queue-drop on A" 0 "$(st "$NS_D" sync-queue-drop)"
grep '^rec established' "$T/a.sync" >"$T/est"
expect_eq "A's syncable dump is the records (tuples)" \
	"$(awk '{ print $2, $3, $4, $5 }' "$T/est" | sort)" \
	"$(nsx "$NS_D" ldsync dump | awk '{ print $2, $3, $4, $5 }' | sort)"
expect_match "the messages count from 1, nothing lost" "msg seq=1 lost=0 " \
	"$(cat "$T/a.sync")"

log "B takes A's records, and sends nothing back"
expect_eq "B applies them" "ok ok" "$(words "$(pb ldsync apply <"$T/est")")"
expect_eq "sync-received on B" 2 "$(st "$NS_B" sync-received)"
expect_eq "B's conns are A's" "$(conns "$NS_D")" "$(conns "$NS_B")"
left=$(lb -j conns | jq '[.[] | .expires_ms] | min')
expect_ge "lifetime carried (ms left on B)" 60000 "$left"
sleep 0.3
expect_eq "records sent by B (a learned conn is not echoed)" 0 "$(recs b.sync)"
expect_eq "B's links count them as active" 2 \
	"$(lb -j link | jq '[.[] | .active] | add')"
expect_eq "a record applied again updates in place" "ok ok" \
	"$(words "$(pb ldsync apply <"$T/est")")"
expect_eq "B's conns after the second apply" "$(conns "$NS_D")" "$(conns "$NS_B")"

log "the client's and the reals' routes move to B mid-flow"
ip -n "$NS_C" route replace "$VIP_NET" via "$B_OUT"
for n in 1 2 3; do
	ip -n "${NS_R[$n]}" route replace default via "$B_IN"
done
sleep 0.2	# what A had on its way
pkts0=$(st "$NS_D" pkts-in)
conn_echoes a two || fail "conn a does not echo through B"
ok "conn a echoes through B"
tail -c +$((HALF + 1)) "$T/data" >&"$xfd"
exec {xfd}>&-
unset 'CONN_FD[x]'
wait "$XPID" || fail "the stream through B failed"
expect_eq "sha256 of the stream that came back" "$(sha256sum <"$T/data")" \
	"$(sha256sum <"$T/got")"
expect_ge "packets B translated" 10 "$(lb -j stats | jq '.stats.pkts_in')"
expect_eq "A saw none of them" "$pkts0" "$(st "$NS_D" pkts-in)"
expect_eq "no drop on B" 0 "$(lb -j stats | jq '[.stats | to_entries[] |
	select(.key | startswith("drop")) | .value] | add')"

log "the echo conn is B's now: its close is sent by B"
conn_close a
wait_recs b.sync 1 "time-wait"
expect_eq "records of B so far: the two conns' closes, none established" \
	0 "$(recs b.sync established)"
sent_a=$(st "$NS_D" sync-sent)
expect_eq "A sent nothing since" 2 "$sent_a"

log "B flushes: the removals go to A, which sends nothing back"
lb flush conns
wait_recs b.sync 2 "[a-z_-]*/removed"
grep '/removed' "$T/b.sync" >"$T/rm"
na=$(nsx "$NS_D" ldctl -j conns | jq length)
expect_eq "A applies the removals" "ok ok" "$(words "$(nsx "$NS_D" ldsync apply <"$T/rm")")"
expect_eq "A's conns after the removals" $((na - 2)) "$(nsx "$NS_D" ldctl -j conns | jq length)"
sleep 0.3
expect_eq "A sent nothing for them" "$sent_a" "$(st "$NS_D" sync-sent)"

log "bad inserts into B: refused, counted, nothing changed"
# a fresh tuple for each, from the echo conn's record
rec=$(grep " $VIP:8 " "$T/est" | head -n 1)
[[ -n $rec ]] || fail "no record of the echo conn"
echo "$rec" >"$T/one"
rej=$(st "$NS_B" sync-rejected)
snap=$(conns "$NS_B")
# bad ERE K=V...: the record with K=V changed is refused with ERE
n=0
bad()
{
	local re=$1 out

	shift
	out=$(pb ldsync apply client-port=$((41000 + n)) "$@" <"$T/one" || true)
	n=$((n + 1))
	[[ $out =~ ^error\ $re$ ]] || fail "apply $*: '$out', expected /error $re/"
	ok "apply $*: $out"
}
bad 'ESTALE: .*digest.*' digest=1
out=$(pb setpriv --reuid=65534 --regid=65534 --clear-groups \
	ldsync apply client-port=40999 <"$T/one" || true)
[[ $out =~ ^error\ EPERM ]] || fail "an unprivileged insert: '$out'"
ok "an unprivileged insert: $out"
bad 'ENOENT: .*virtual not found' bind-id=7
bad 'ENOENT: .*not linked.*' rkey-addr="${REAL[3]}"
bad 'ENOENT: .*real not found' rkey-addr=10.0.2.99
bad 'EINVAL: .*neither the linked real.*' real-addr="${REAL[3]}"
bad 'EINVAL: .*real-port.*' real-port=81
bad 'EINVAL: .*unicast.*' client-addr=224.0.0.1
bad 'EINVAL: .*state must be.*' state=1
bad 'EINVAL: .*state must be.*' state=7
bad 'EINVAL: .*expires-ms.*' expires-ms=0
bad 'EAFNOSUPPORT: .*family.*' family=3
lb config set conn-max 1
expect_eq "one conn fits" ok "$(pb ldsync apply client-port=43000 <"$T/one")"
bad 'ENOSPC: .*full.*'
sed 's/^rec [a-z_-]*/rec established\/removed/' "$T/one" >"$T/gone"
expect_eq "and goes" ok "$(pb ldsync apply client-port=43000 <"$T/gone")"
lb config set conn-max 1000
expect_eq "sync-rejected on B" $((rej + n)) "$(st "$NS_B" sync-rejected)"
expect_eq "B's conns are as they were" "$snap" "$(conns "$NS_B")"
out=$(pb ldsync apply client-port=42000 <"$T/gone" || true)
[[ $out =~ ^error\ ENOENT ]] || fail "removal of no conn: '$out'"
ok "removal of a conn B does not have: $out"
# a namespace that never had a virtual has no conn table yet
ip netns add "$NS_E"
out=$(nsx "$NS_E" ldsync apply <"$T/gone" || true)
[[ $out =~ ^error\ ENOENT ]] || fail "removal where no virtual ever was: '$out'"
ok "removal where no virtual ever was: $out"
out=$(nsx "$NS_E" ldsync apply <"$T/one" || true)
[[ $out =~ ^error\ ENOENT ]] || fail "insert where no virtual ever was: '$out'"
ok "insert where no virtual ever was: $out"
expect_eq "the same record inserts" "ok" "$(pb ldsync apply client-port=42000 <"$T/one")"
out=$(pb ldsync apply client-port=42000 real-addr="${REAL[2]}" <"$T/gone" || true)
[[ $out =~ ^error\ ESRCH ]] || fail "removal naming another real: '$out'"
ok "removal naming another real: $out"
expect_eq "removed with its own real" "ok" \
	"$(pb ldsync apply client-port=42000 <"$T/gone")"
expect_eq "B's conns at the end" "$snap" "$(conns "$NS_B")"
expect_eq "sync-rejected at the end" $((rej + n + 2)) "$(st "$NS_B" sync-rejected)"
