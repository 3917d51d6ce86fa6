#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-families: 4 6
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
# IPv6: the same with ICMPv6 (port unreachable, Packet Too Big), the far
# client in 2001:db8:4::/64; the route MTUs are set on the kernel's own
# routes (metric 256: an IPv6 route is also keyed by its metric), locked.

source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers echo

hex() { addr_hex "$@"; }

# the family's ICMP errors, and where the quoted packet's source address,
# destination address, source and destination port are (@th,BIT,LEN)
if [[ $LDIR_FAMILY == 6 ]]; then
	UNREACH="icmpv6 type destination-unreachable icmpv6 code port-unreachable"
	TOOBIG="icmpv6 type packet-too-big"
	QS=@th,128,128 QD=@th,256,128 QSP=@th,384,16 QDP=@th,400,16
	FAR_NET=2001:db8:4::/64 FAR_GW=2001:db8:4::1 FAR=2001:db8:4::2
	# the kernel's routes, which `route replace` must name whole
	R_REALS="$REAL_NET dev br0 proto kernel metric 256"
	R_CLIENTS="$CLIENT_NET dev outside proto kernel metric 256"
	R_FAR="$FAR_NET dev fwd proto kernel metric 256"
	FWD=net.ipv6.conf.all.forwarding ND=nodad
	# IPv6 forwarding checks a route's MTU only when it is locked; an
	# unlocked one is found after POST_ROUTING, and the Packet Too Big
	# then quotes the packet as SNAT left it and goes to the VIP
	MTU="mtu lock"
else
	UNREACH="icmp type destination-unreachable icmp code port-unreachable"
	TOOBIG="icmp type destination-unreachable icmp code frag-needed"
	QS=@th,160,32 QD=@th,192,32 QSP=@th,224,16 QDP=@th,240,16
	FAR_NET=10.0.4.0/24 FAR_GW=10.0.4.1 FAR=10.0.4.2
	R_REALS="10.0.2.0/24 dev br0 proto kernel scope link src 10.0.2.1"
	R_CLIENTS="10.0.1.0/24 dev outside proto kernel scope link src 10.0.1.1"
	R_FAR="10.0.4.0/24 dev fwd proto kernel scope link src 10.0.4.1"
	FWD=net.ipv4.ip_forward ND=
	MTU=mtu
fi

add_reals
add_service 9 udp rr
add_service 7 tcp rr 1
add_service 10 udp rr 1
# real1, port 10: answers a datagram twice, the second time a second later
# shellcheck disable=SC2016
bg "${NS_R[1]}" socat -t "$TMO" "UDP$SOCK-RECVFROM:10,fork" \
	SYSTEM:'read -r l; echo first; sleep 1; echo second'
wait_listen "${NS_R[1]}" udp 10

vip=$(hex "$VIP")
pc nft -f - <<EOF
table $NF client {
	chain input {
		type filter hook input priority 0;
		$UNREACH counter comment "port_unreach"
		$NF saddr $VIP $UNREACH $QD $vip $QDP 9 counter comment "port_unreach_vip"
		$TOOBIG $QD $vip $QDP 7 counter comment "frag_needed_vip"
	}
}
EOF
pr 1 nft -f - <<EOF
table $NF real {
	chain input {
		type filter hook input priority 0;
		$NF saddr $CLIENT $UNREACH $QS $(hex "${REAL[1]}") $QSP 10 counter comment "port_unreach_real"
	}
}
EOF

log "port unreachable from a real"
rc=0
pc timeout "$TMO" socat -t 0 "UDP:$VIPB:9,sourceport=40041" \
	SYSTEM:'echo hi; read -r l' 2>"$T/err" || rc=$?
(( rc != 124 )) || fail "UDP to $VIP:9 (no listener): no error within ${TMO}s"
expect_match "UDP to $VIP:9 (no listener on the real)" "Connection refused" "$(cat "$T/err")"
expect_eq "port unreachables from the VIP quoting client -> VIP:9" 1 \
	"$(nft_packets "$NS_C" "$NF" client port_unreach_vip)"
expect_eq "ldir stats icmp-out" 1 "$(gstat icmp-out)"

log "fragmentation needed from the director"
# shellcheck disable=SC2086 # R_REALS: the route's words
pd ip route replace $R_REALS $MTU 1280
pc timeout "$TMO" socat -t "$TMO" - "TCP:$VIPB:7" <"$T/data" >"$T/echoed" ||
	fail "1 MiB through VIP:7 with a path MTU of 1280 failed or stalled"
cmp "$T/data" "$T/echoed" || fail "the echo of 1 MiB through the VIP differs"
ok "1 MiB through the VIP with a path MTU of 1280 (cmp)"
expect_ge "frag-needed quoting client -> VIP:7" 1 \
	"$(nft_packets "$NS_C" "$NF" client frag_needed_vip)"
expect_ge "ldir stats icmp-out" 2 "$(gstat icmp-out)"

log "port unreachable from the client"
# shellcheck disable=SC2016 # $l is the child shell's
out=$(pc timeout "$TMO" socat -t 0 "UDP:$VIPB:10,sourceport=40051" \
	SYSTEM:'echo hi; read -r l; echo "$l" >&3' 3>&1 2>>"$T/udp.err")
expect_eq "the first answer" first "$out"
# the second answer, a second later, finds port 40051 closed
for ((i = 0; i < TMO * 10; i++)); do
	n=$(nft_packets "${NS_R[1]}" "$NF" real port_unreach_real)
	(( n == 0 )) || break
	sleep 0.1
done
expect_eq "port unreachables at real1 quoting real1:10 -> client" 1 "$n"
expect_eq "ldir stats icmp-in" 1 "$(gstat icmp-in)"
expect_eq "port unreachables the client got (all translated)" 1 \
	"$(nft_packets "$NS_C" "$NF" client port_unreach)"

log "fragmentation needed toward the client, on downloads"
# the upload test's MTU toward the reals goes: only the download is limited
# shellcheck disable=SC2086
pd ip route replace $R_REALS
NS_F=ldir-far-$$
EXTRA_NS+=("$NS_F")
ip netns add "$NS_F"
ip -n "$NS_F" link set lo up
ip -n "$NS_C" link add fwd type veth peer name eth0 netns "$NS_F"
# shellcheck disable=SC2086 # $ND: nodad or nothing
ip -n "$NS_C" addr add "$FAR_GW/$PLEN" dev fwd $ND
ip -n "$NS_C" link set fwd up
# shellcheck disable=SC2086
ip -n "$NS_F" addr add "$FAR/$PLEN" dev eth0 $ND
ip -n "$NS_F" link set eth0 up
ip -n "$NS_F" route add default via "$FAR_GW"
sysctl_set "$NS_C" "$FWD" 1
# the far client's link is 1500 (it offers MSS 1460); the router's route
# to it is 1280, so only the router can tell the real to send less
# shellcheck disable=SC2086
ip -n "$NS_C" route replace $R_FAR $MTU 1280
pd ip route add "$FAR_NET" via "$CLIENT"
pr 1 nft -f - <<EOF
table $NF pmtu {
	chain input {
		type filter hook input priority 0;
		$TOOBIG $QS $(hex "${REAL[1]}") $QD $(hex "$FAR") $QSP 7 counter comment "frag_needed_far"
		$TOOBIG $QS $(hex "${REAL[1]}") $QD $(hex "$CLIENT") $QSP 7 counter comment "frag_needed_client"
		$TOOBIG counter comment "toobig_any"
	}
}
EOF
in=$(gstat icmp-in)
nsx "$NS_F" timeout "$TMO" socat -t "$TMO" - "TCP:$VIPB:7" <"$T/data" >"$T/far" ||
	fail "1 MiB echoed to a client behind a 1280 route failed or stalled"
cmp "$T/data" "$T/far" || fail "the echo to the far client differs"
ok "1 MiB downloaded through a router's 1280 route (cmp)"
expect_ge "frag-needed at real1 quoting real1:7 -> far client" 1 \
	"$(nft_packets "${NS_R[1]}" "$NF" pmtu frag_needed_far)"
expect_ge "ldir stats icmp-in (the router's, translated)" $((in + 1)) "$(gstat icmp-in)"

# the client learned a path MTU of 1280 to the VIP in the upload test, and
# 6.1 then offers MSS 1240 in its SYN: the real would never send too much
if [[ $LDIR_FAMILY == 6 ]]; then
	pc ip -6 route flush cache
else
	pc ip route flush cache
fi
# shellcheck disable=SC2086
pd ip route replace $R_CLIENTS $MTU 1280
pc timeout "$TMO" socat -t "$TMO" - "TCP:$VIPB:7" <"$T/data" >"$T/near" ||
	fail "1 MiB echoed with the director's route MTU 1280 toward the client failed or stalled (real1 got $(nft_packets "${NS_R[1]}" "$NF" pmtu frag_needed_client) too-big errors quoting real1:7 -> client, $(nft_packets "${NS_R[1]}" "$NF" pmtu toobig_any) in all; ldir icmp-out $(gstat icmp-out), icmp-in $(gstat icmp-in), drop-icmp-csum $(gstat drop-icmp-csum), drop-invalid $(gstat drop-invalid), drop-nomem $(gstat drop-nomem))"
cmp "$T/data" "$T/near" || fail "the echo with the director's 1280 route differs"
ok "1 MiB downloaded through the director's 1280 route (cmp)"
expect_ge "the director's frag-needed at real1 quoting real1:7 -> client" 1 \
	"$(nft_packets "${NS_R[1]}" "$NF" pmtu frag_needed_client)"
