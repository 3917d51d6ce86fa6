#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: debug 6.1 6.12
# ldir-families: 4 6
# ldir-kernels-ipv6: debug 6.1 6.12
#
# The fast path, IPv4 and IPv6: with the director's devices in it (outside
# and the bridge ports r1..r3, topology: lib.sh), the packets of
# established conns are rewritten and sent from the devices' ingress, and
# stay right:
#   - a 4 MiB HTTP download through VIP:80 (sha256 checked) while a route
#     to the client is added and removed (every IPv4 route of the
#     director ages; the IPv6 route's cookie, its fib node's serial
#     number, moves: the fast path falls back, learns again, goes on):
#     most of its packets took the fast path (counter "fastpath");
#   - the same download while outside's MTU drops to 1280: the real's
#     segments no longer fit, go the slow way, which sends the real
#     "fragmentation needed" or Packet Too Big, and the real learns the
#     path MTU (its route to the client shows it); the rest goes fast;
#   - a UDP stream through VIP:9 (ldseq: sequence numbers, echoed, in
#     order, none lost), from one client port, so one conn, in runs:
#     then after a route change, then after the client's MAC
#     changed, then real1's (the fast path must follow the neighbour, or
#     every echo, or every datagram, goes to the old MAC and is lost:
#     towards a real it keeps the header); the conn shows "fastpath", and
#     its datagrams to real1 go straight to the bridge port r1 (br0
#     itself sends none of them);
#   - FIN and RST end a conn's stay on the fast path (its flag goes, the
#     FIN or RST went the slow way: fastpath-slow grows);
#   - link del with offloaded conns, flush, fastpath del, and a device
#     deleted while its conns are offloaded: it leaves the set; no KASAN
#     report, no leak (the harness scans kmemleak).
# Speed is measured by `make bench`, never here.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
command -v ldseq >/dev/null || fail "ldseq not in the guest (selftests/tools)"
setup_topology
# a host route to the client, to change routing with
HOSTRT=$CLIENT/32
[[ $LDIR_FAMILY == 4 ]] || HOSTRT=$CLIENT/128
# the director's neighbour entries for the reals (confirmed by the setup's
# pings) stay REACHABLE through the test: a probe of a stale one would
# count in br0's own transmits, which the UDP part expects none of
sysctl_set "$NS_D" net.ipv4.neigh.br0.base_reachable_time_ms 900000
sysctl_set "$NS_D" net.ipv6.neigh.br0.base_reachable_time_ms 900000
dd if=/dev/urandom of="$T/data" bs=64k count=64 2>/dev/null
start_servers http echo
command -v ldtcp >/dev/null || fail "ldtcp not in the guest (selftests/tools)"
for n in 1 2 3; do
	bg "${NS_R[$n]}" ldseq serve 9
done
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 9
done
add_reals
add_service 80 tcp rr 1
add_service 7 tcp rr 1
add_service 9 udp rr 1

for d in outside r1 r2 r3; do
	ld fastpath add "$d"
done
expect_eq "fastpath show: the four devices" "outside r1 r2 r3" \
	"$(words "$(ld fastpath show | cut -d' ' -f2)")"
expect_match "a device twice is refused" "in the fast path already" \
	"$(ld fastpath add r1 2>&1 || true)"

# --- TCP bulk, a route change in the middle --------------------------------
# real1 sends at 4 Mbit/s, so that the changes below fall in the middle
# of a download (curl's --limit-rate does not: the socket buffers take
# the whole file at once)
pr 1 tc qdisc add dev eth0 root tbf rate 4mbit burst 32k latency 400ms
before=$(gstat fastpath)
# (the conn's packets count in fastpath-slow only once one went fast)
slow=$(gstat fastpath-slow)
pc curl -sS --fail --max-time $((TMO * 4)) -o "$T/got" "http://$VIPB/data" &
CURL=$!
sleep 1
pd ip route add "$HOSTRT" dev outside
sleep 0.3
pd ip route del "$HOSTRT" dev outside
sleep 0.2
now=$(gstat fastpath-slow)
# still running when the counter was read: no FIN in it yet
kill -0 "$CURL" 2>/dev/null || fail "the download ended before the route change"
expect_ge "route change: packets sent the slow way to learn again" \
	$((slow + 1)) "$now"
wait "$CURL" || fail "the download through the fast path failed"
expect_eq "download: sha256" "$(sha256sum <"$T/data" | cut -d' ' -f1)" \
	"$(sha256sum <"$T/got" | cut -d' ' -f1)"
fast=$(( $(gstat fastpath) - before ))
total=$(( $(link_field 80 tcp 1 .stats.pkts_in) + $(link_field 80 tcp 1 .stats.pkts_out) ))
log "download: $fast of $total packets on the fast path"
expect_ge "download: most packets on the fast path (x2 > all)" $((total / 2 + 1)) "$fast"

# --- the same, outside's MTU lowered in the middle: path MTU discovery ------
before=$(gstat fastpath)
slow=$(gstat fastpath-slow)
pc curl -sS --fail --max-time $((TMO * 4)) -o "$T/got" "http://$VIPB/data" &
CURL=$!
sleep 1
kill -0 "$CURL" 2>/dev/null || fail "the download ended before the MTU change"
pd ip link set outside mtu 1280
wait "$CURL" || fail "the download with the MTU lowered failed"
pd ip link set outside mtu 1500
expect_eq "pmtu: sha256" "$(sha256sum <"$T/data" | cut -d' ' -f1)" \
	"$(sha256sum <"$T/got" | cut -d' ' -f1)"
expect_match "pmtu: real1 learned the path MTU to the client" "mtu 1280" \
	"$(pr 1 ip route get "$CLIENT")"
expect_ge "pmtu: the segments too big went the slow way" $((slow + 1)) \
	"$(gstat fastpath-slow)"
expect_ge "pmtu: the rest on the fast path" 500 $(( $(gstat fastpath) - before ))
pr 1 ip -"$LDIR_FAMILY" route flush cache
pr 1 tc qdisc del dev eth0 root

# --- UDP stream: a route change, then a neighbour change ------------------
udp_run()
{
	local out

	out=$(pc ldseq send "$VIP" 9 40009 "$1" 300) ||
		fail "udp stream ($2): $out"
	ok "udp stream ($2): $out"
}
udp_run 400 "first"
expect_eq "udp: one conn, on the fast path" 1 \
	"$(nconns '.protocol == "udp" and .fastpath')"
# br0's own transmit count: the fast path sends to real1's port r1
# directly (the bridge's forwarding database), not through br0
br0_tx() { ip -n "$NS_D" -j -s link show br0 | jq -er '.[0].stats64.tx.packets'; }
before=$(gstat fastpath)
tx0=$(br0_tx)
udp_run 400 "no change"
expect_ge "udp: the stream on the fast path (2 packets a datagram)" 700 \
	$(( $(gstat fastpath) - before ))
# (the neighbour's own timer may probe real1 through br0 meanwhile: an ARP
# or two, where the stream through br0 would be 400 frames)
sent=$(( $(br0_tx) - tx0 ))
log "udp: br0 sent $sent frames meanwhile"
expect_eq "udp: to real1 straight to its bridge port (br0 sent at most 2)" 1 \
	$(( sent <= 2 ))
pd ip route add "$HOSTRT" dev outside
udp_run 400 "after a route change"
pd ip route del "$HOSTRT" dev outside
pc ip link set eth0 address 02:00:00:00:fa:57
pd ip neigh replace "$CLIENT" lladdr 02:00:00:00:fa:57 dev outside nud reachable
before=$(gstat fastpath)
udp_run 400 "after the client's MAC changed"
expect_ge "udp: on the fast path after the neighbour change" 700 \
	$(( $(gstat fastpath) - before ))
# towards a real the fast path keeps the Ethernet header: a neighbour
# change must make it again (the old MAC's frames would be lost at real1)
pr 1 ip link set eth0 address 02:00:00:00:fa:58
pd ip neigh replace "${REAL[1]}" lladdr 02:00:00:00:fa:58 dev br0 nud reachable
before=$(gstat fastpath)
udp_run 400 "after real1's MAC changed"
expect_ge "udp: on the fast path after real1's neighbour change" 700 \
	$(( $(gstat fastpath) - before ))

# --- FIN and RST end the offload -------------------------------------------
# ldt CMD: one command to the ldtcp conn coprocess (a TCP conn to VIP:7,
# the echo service); its answer must be no error
ldt()
{
	local out

	echo "$*" >&"${LDT[1]}"
	read -t "$TMO" -r out <&"${LDT[0]}" ||
		fail "ldtcp: no answer to '$*'; conns: $(words "$(ld conns)")"
	[[ $out != error* ]] || fail "ldtcp $*: $out"
}
offloaded7() { nconns '.virtual_port == 7 and .fastpath'; }
not_offloaded7() { [[ $(offloaded7) == 0 ]]; }
for end in fin rst; do
	coproc LDT { exec nsenter --net="/run/netns/$NS_C" ldtcp conn "$VIP" 7; }
	BG_PIDS+=("$LDT_PID")
	pid=$LDT_PID
	for _ in 1 2 3 4; do
		ldt echo 20000
	done
	expect_eq "conn ($end): offloaded while established" 1 "$(offloaded7)"
	slow=$(gstat fastpath-slow)
	if [[ $end == fin ]]; then
		# EOF: ldtcp exits, its socket sends a FIN
		fd=${LDT[1]}
		exec {fd}>&-
	else
		# SO_LINGER 0: the client's stack sends an RST
		ldt abort
	fi
	wait "$pid" 2>/dev/null || true
	wait_for "$TMO" not_offloaded7 || fail "conn ($end): still offloaded after its end"
	ok "conn ($end): off the fast path after its end"
	expect_ge "conn ($end): the end went the slow way" $((slow + 1)) \
		"$(gstat fastpath-slow)"
	ld flush conns
done

# --- lifetimes: link del, flush, fastpath del, a device deleted ------------
udp_run 100 "before link del"
ld link del udp "$VIPB:9" real "${REALB[1]}" flush
expect_eq "link del: the offloaded conn went" 0 "$(nconns '.protocol == "udp"')"
ld link add udp "$VIPB:9" real "${REALB[1]}" port 9
udp_run 100 "a new conn after link del"
ld flush conns
udp_run 100 "a new conn after flush"
ld fastpath del outside
udp_run 100 "without outside in the fast path"
ld fastpath add outside
udp_run 100 "outside back"
pd ip link del r1
expect_eq "a deleted device leaves the set" "outside r2 r3" \
	"$(words "$(ld fastpath show | cut -d' ' -f2 | sort)")"
ld save >"$T/save"
expect_eq "save: the fast-path devices" "fastpath add outside
fastpath add r2
fastpath add r3" "$(grep '^fastpath' "$T/save" | sort)"
ld flush conns
expect_eq "flush conns keeps the fast-path devices" "outside r2 r3" \
	"$(words "$(ld fastpath show | cut -d' ' -f2 | sort)")"
ld flush
expect_eq "flush: the fast-path devices went too" "" "$(ld fastpath show)"
