#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP errors about NATed flows are translated, outer and quoted headers
# (topology: lib.sh):
#   out, from a real: UDP to a VIP port whose real has no listener; the
#       real's port unreachable reaches the client from the VIP, quoting
#       client -> VIP:9, and the client's socket gets ECONNREFUSED;
#   out, from the director: a route MTU of 1280 towards the reals; the
#       director's "fragmentation needed" about client -> real:7 must quote
#       client -> VIP:7, or the client never lowers its path MTU and 1 MiB
#       uploaded through the VIP stalls;
#   in, from the client: a UDP reply to a port the client has closed; the
#       client's port unreachable to the VIP reaches the real, quoting
#       real:10 -> client;
#   downloads, path MTU toward the client: a client behind a router (the
#       client's namespace forwards to a "far" one) whose route to it has
#       an MTU of 1280, then a route MTU of 1280 on the director toward
#       the client. The router's "fragmentation needed" is sent to the VIP
#       and must reach the real quoting real:7 -> far client; the
#       director's own is sent to the real before SNAT and must reach it
#       as it is. Either way 1 MiB echoed back (downloaded) through the
#       VIP must arrive: a real that is never told sends too much forever.
# The quoted headers are checked with raw nft payload matches (@th is the
# ICMP header; the quoted IP header follows at byte 8).

source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers echo

hex() # A.B.C.D -> 0xAABBCCDD
{
	local IFS=.

	# shellcheck disable=SC2086 # split on the dots
	printf '0x%02x%02x%02x%02x' $1
}

add_reals
add_service 9 udp rr
add_service 7 tcp rr 1
add_service 10 udp rr 1
# real1, port 10: answers a datagram twice, the second time a second later
# shellcheck disable=SC2016
bg "${NS_R[1]}" socat -t "$TMO" UDP-RECVFROM:10,fork \
	SYSTEM:'read -r l; echo first; sleep 1; echo second'
wait_listen "${NS_R[1]}" udp 10

vip=$(hex "$VIP")
pc nft -f - <<EOF
table ip client {
	chain input {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code port-unreachable counter comment "port_unreach"
		ip saddr $VIP icmp type destination-unreachable icmp code port-unreachable @th,192,32 $vip @th,240,16 9 counter comment "port_unreach_vip"
		icmp type destination-unreachable icmp code frag-needed @th,192,32 $vip @th,240,16 7 counter comment "frag_needed_vip"
	}
}
EOF
pr 1 nft -f - <<EOF
table ip real {
	chain input {
		type filter hook input priority 0;
		ip saddr $CLIENT icmp type destination-unreachable icmp code port-unreachable @th,160,32 $(hex "${REAL[1]}") @th,224,16 10 counter comment "port_unreach_real"
	}
}
EOF

log "port unreachable from a real"
rc=0
pc timeout "$TMO" socat -t 0 "UDP:$VIP:9,sourceport=40041" \
	SYSTEM:'echo hi; read -r l' 2>"$T/err" || rc=$?
(( rc != 124 )) || fail "UDP to $VIP:9 (no listener): no error within ${TMO}s"
expect_match "UDP to $VIP:9 (no listener on the real)" "Connection refused" "$(cat "$T/err")"
expect_eq "port unreachables from the VIP quoting client -> VIP:9" 1 \
	"$(nft_packets "$NS_C" ip client port_unreach_vip)"
expect_eq "ldir stats icmp-out" 1 "$(gstat icmp-out)"

log "fragmentation needed from the director"
pd ip route replace 10.0.2.0/24 dev br0 proto kernel scope link src 10.0.2.1 mtu 1280
pc timeout "$TMO" socat -t "$TMO" - "TCP:$VIP:7" <"$T/data" >"$T/echoed" ||
	fail "1 MiB through VIP:7 with a path MTU of 1280 failed or stalled"
cmp "$T/data" "$T/echoed" || fail "the echo of 1 MiB through the VIP differs"
ok "1 MiB through the VIP with a path MTU of 1280 (cmp)"
expect_ge "frag-needed quoting client -> VIP:7" 1 \
	"$(nft_packets "$NS_C" ip client frag_needed_vip)"
expect_ge "ldir stats icmp-out" 2 "$(gstat icmp-out)"

log "port unreachable from the client"
# shellcheck disable=SC2016 # $l is the child shell's
out=$(pc timeout "$TMO" socat -t 0 "UDP:$VIP:10,sourceport=40051" \
	SYSTEM:'echo hi; read -r l; echo "$l" >&3' 3>&1 2>>"$T/udp.err")
expect_eq "the first answer" first "$out"
# the second answer, a second later, finds port 40051 closed
for ((i = 0; i < TMO * 10; i++)); do
	n=$(nft_packets "${NS_R[1]}" ip real port_unreach_real)
	(( n == 0 )) || break
	sleep 0.1
done
expect_eq "port unreachables at real1 quoting real1:10 -> client" 1 "$n"
expect_eq "ldir stats icmp-in" 1 "$(gstat icmp-in)"
expect_eq "port unreachables the client got (all translated)" 1 \
	"$(nft_packets "$NS_C" ip client port_unreach)"

log "fragmentation needed toward the client, on downloads"
# the upload test's MTU toward the reals goes: only the download is limited
pd ip route replace 10.0.2.0/24 dev br0 proto kernel scope link src 10.0.2.1
NS_F=ldir-far-$$
EXTRA_NS+=("$NS_F")
ip netns add "$NS_F"
ip -n "$NS_F" link set lo up
ip -n "$NS_C" link add fwd type veth peer name eth0 netns "$NS_F"
ip -n "$NS_C" addr add 10.0.4.1/24 dev fwd
ip -n "$NS_C" link set fwd up
ip -n "$NS_F" addr add 10.0.4.2/24 dev eth0
ip -n "$NS_F" link set eth0 up
ip -n "$NS_F" route add default via 10.0.4.1
sysctl_set "$NS_C" net.ipv4.ip_forward 1
# the far client's link is 1500 (it offers MSS 1460); the router's route
# to it is 1280, so only the router can tell the real to send less
ip -n "$NS_C" route replace 10.0.4.0/24 dev fwd proto kernel scope link src 10.0.4.1 mtu 1280
pd ip route add 10.0.4.0/24 via "$CLIENT"
pr 1 nft -f - <<EOF
table ip pmtu {
	chain input {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code frag-needed @th,160,32 $(hex "${REAL[1]}") @th,192,32 $(hex 10.0.4.2) @th,224,16 7 counter comment "frag_needed_far"
		icmp type destination-unreachable icmp code frag-needed @th,160,32 $(hex "${REAL[1]}") @th,192,32 $(hex "$CLIENT") @th,224,16 7 counter comment "frag_needed_client"
	}
}
EOF
in=$(gstat icmp-in)
nsx "$NS_F" timeout "$TMO" socat -t "$TMO" - "TCP:$VIP:7" <"$T/data" >"$T/far" ||
	fail "1 MiB echoed to a client behind a 1280 route failed or stalled"
cmp "$T/data" "$T/far" || fail "the echo to the far client differs"
ok "1 MiB downloaded through a router's 1280 route (cmp)"
expect_ge "frag-needed at real1 quoting real1:7 -> far client" 1 \
	"$(nft_packets "${NS_R[1]}" ip pmtu frag_needed_far)"
expect_ge "ldir stats icmp-in (the router's, translated)" $((in + 1)) "$(gstat icmp-in)"

# the client learned a path MTU of 1280 to the VIP in the upload test, and
# 6.1 then offers MSS 1240 in its SYN: the real would never send too much
pc ip route flush cache
pd ip route replace 10.0.1.0/24 dev outside proto kernel scope link src 10.0.1.1 mtu 1280
pc timeout "$TMO" socat -t "$TMO" - "TCP:$VIP:7" <"$T/data" >"$T/near" ||
	fail "1 MiB echoed with the director's route MTU 1280 toward the client failed or stalled"
cmp "$T/data" "$T/near" || fail "the echo with the director's 1280 route differs"
ok "1 MiB downloaded through the director's 1280 route (cmp)"
expect_ge "the director's frag-needed at real1 quoting real1:7 -> client" 1 \
	"$(nft_packets "${NS_R[1]}" ip pmtu frag_needed_client)"
