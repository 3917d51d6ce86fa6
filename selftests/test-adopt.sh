#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
#
# Flow adoption: a stateful virtual scheduled by a hash (maglev here) takes
# a TCP segment of a flow it has no conn for, to the real the hash picks,
# which is the real every director picks for that flow. So a flow that
# lost its conn (a flush here; a failover or ECMP moving it from another
# director in production) goes on, where an rr virtual drops it.
#   - a long-lived conn through maglev VIP:8 and one through rr VIP:18;
#     `ldctl flush conns`; both send a line: the maglev one is adopted
#     (adopted +1, its conn back, ESTABLISHED once the real answered, to
#     the real that greeted it), the rr one is dropped (drop-no-conn).
#   - a flood of made-up ACKs (random sources and numbers) to VIP:8:
#     each makes a conn in state NONE, embryonic, that the real's RST
#     closes or 2 s expire; none becomes ESTABLISHED, none outlives
#     its timeouts, and the real conn is untouched.
#   - the real speaks first: a datagram to maglev UDP VIP:29, whose real
#     echoes it once told to; the conns are flushed while the real holds
#     it. Its answer, with no conn, leaves from the VIP (reply-adopted: the
#     reals' return route may cross a director that never saw the flow).
#     rr VIP:18 shares the reals' port 8 with maglev VIP:8, so their
#     replies without a conn are no one virtual's and stay dropped.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
command -v ldflood >/dev/null || fail "ldflood not in the guest (selftests/tools)"
setup_topology
start_servers who
FLOOD_NET=198.51.100.0/24
pd ip route add blackhole "$FLOOD_NET"
for k in all.rp_filter default.rp_filter outside.rp_filter; do
	sysctl_set "$NS_D" "net.ipv4.conf.$k" 0
done

# late echo on UDP port 29: a real that answers once $T/go exists, after
# the director lost the flow's conn
for n in 1 2 3; do
	# shellcheck disable=SC2016 # $l: expanded by socat's shell
	bg "${NS_R[$n]}" socat -t "$TMO" "UDP-RECVFROM:29,fork" \
		SYSTEM:'read -r l; while ! test -e '"$T/go"'; do sleep 0.1; done; echo "$l"'
done
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 29
done

add_reals
add_service 8 tcp maglev
ld virtual add udp "$VIP:29" sched maglev
for n in 1 2 3; do
	ld link add udp "$VIP:29" real "${REAL[$n]}" port 29
done
ld virtual add tcp "$VIP:18" sched rr
for n in 1 2 3; do
	ld link add tcp "$VIP:18" real "${REAL[$n]}" port 8
done

# established N: the ESTABLISHED conns to VIP:PORT
established()
{
	ld -j conns | jq --argjson p "$1" \
		'[.[] | select(.virtual_port == $p and .state == "established")] | length'
}

log "a conn through each virtual, then the conns flushed"
conn_open a 8
conn_open b 18
conn_echoes a one || fail "conn a (maglev) does not echo"
conn_echoes b one || fail "conn b (rr) does not echo"
ra=$(conn_real a)
expect_eq "ESTABLISHED conns of VIP:8" 1 "$(established 8)"
ld flush conns
expect_eq "conns after the flush" 0 "$(nconns)"
a0=$(gstat adopted)
d0=$(gstat drop-no-conn)
expect_eq "adopted before" 0 "$a0"

log "the maglev flow is adopted, the rr flow is not"
conn_echoes a two || fail "conn a (maglev) lost its flow with its conn"
ok "conn a echoes after the flush"
expect_eq "adopted" 1 "$(gstat adopted)"
expect_eq "ESTABLISHED conns of VIP:8 (the real answered)" 1 "$(established 8)"
areal=$(ld -j conns | jq -r '.[] | select(.virtual_port == 8) | .real')
expect_eq "the adopted conn's real is the one that greeted it" \
	"${REAL[${ra#real}]}" "$areal"
if conn_echoes b two 3; then
	fail "conn b (rr) echoed without a conn: an rr virtual adopted a flow"
fi
ok "conn b (rr) does not echo after the flush"
expect_ge "drop-no-conn (rr segments)" $((d0 + 1)) "$(gstat drop-no-conn)"
expect_eq "conns of VIP:18" 0 \
	"$(ld -j conns | jq '[.[] | select(.virtual_port == 18)] | length')"

log "a flood of made-up ACKs to the maglev virtual"
DMAC=$(ip -n "$NS_D" -j link show outside | jq -r '.[0].address')
out=$(pc ldflood ack eth0 "$DMAC" "$VIP" 8 "$FLOOD_NET" 2 300)
sent=$(awk '{ print $2 }' <<<"$out")
expect_ge "ACKs sent" 100 "$sent"
adopted=$(gstat adopted)
expect_ge "flood segments adopted (each a NONE conn)" 50 $((adopted - 1))
expect_eq "ESTABLISHED conns of VIP:8 during the flood" 1 "$(established 8)"
# the reals answer each made-up ACK with an RST: CLOSE (10 s) or gone;
# the rest expire 2 s after their segment
sleep 3
n=$(ld -j conns | jq '[.[] | select(.state == "none")] | length')
expect_eq "NONE conns 3 s after the flood" 0 "$n"
expect_eq "ESTABLISHED conns of VIP:8 after the flood" 1 "$(established 8)"
conn_echoes a three || fail "conn a does not echo after the flood"
ok "the adopted conn still echoes"
conn_close a
conn_kill b

log "the real answers first after the flush: its reply is adopted"
r0=$(gstat reply-adopted)
d0=$(gstat drop-reply-no-conn)
# the datagram makes a conn; the flush drops it while the real holds the
# datagram; the real's answer, with no conn, must leave from the VIP
out=$T/late.out
nsx "$NS_C" socat -t "$TMO" - "UDP:$VIP:29" <<<"late" >"$out" &
lpid=$!
BG_PIDS+=("$lpid")
for ((i = 0; i < 50; i++)); do
	[[ $(nconns '.virtual_port == 29') -ge 1 ]] && break
	sleep 0.1
done
ld flush conns
expect_eq "conns after the flush" 0 "$(nconns)"
touch "$T/go"
for ((i = 0; i < TMO * 10; i++)); do
	grep -q . "$out" && break
	sleep 0.1
done
kill "$lpid" 2>/dev/null || true
read -r line <"$out" || line=
expect_eq "the real's answer after the flush (from the VIP)" "late" "$line"
expect_eq "reply-adopted" $((r0 + 1)) "$(gstat reply-adopted)"
expect_eq "drop-reply-no-conn" "$d0" "$(gstat drop-reply-no-conn)"
