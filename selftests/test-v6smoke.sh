#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: debug 6.1 6.12
# scratch: IPv6 smoke test of the datapath
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
V6=2001:db8:10::10
C6=2001:db8:1::2
for ns in "$NS_C" "$NS_D" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}"; do
	sysctl_set "$ns" net.ipv6.conf.all.accept_dad 0
	sysctl_set "$ns" net.ipv6.conf.default.accept_dad 0
done
sysctl_set "$NS_D" net.ipv6.conf.all.forwarding 1
ip -n "$NS_D" addr add 2001:db8:1::1/64 dev outside nodad
ip -n "$NS_D" addr add 2001:db8:2::1/64 dev br0 nodad
ip -n "$NS_C" addr add $C6/64 dev eth0 nodad
ip -n "$NS_C" route add 2001:db8:10::/64 via 2001:db8:1::1
for n in 1 2 3; do
	ip -n "${NS_R[$n]}" addr add 2001:db8:2::1$n/64 dev eth0 nodad
	ip -n "${NS_R[$n]}" route add default via 2001:db8:2::1
done
sleep 1
pc ping -6 -c1 -W5 2001:db8:1::1 >/dev/null
start_servers http
for n in 1 2 3; do
	bg "${NS_R[$n]}" socat -t "$TMO" TCP6-LISTEN:8,fork,reuseaddr \
		SYSTEM:'echo "real'"$n"' $SOCAT_PEERADDR:$SOCAT_PEERPORT"; exec cat'
	bg "${NS_R[$n]}" socat -t "$TMO" UDP6-RECVFROM:7,fork \
		SYSTEM:'read -r l; echo "real'"$n"' $SOCAT_PEERADDR:$SOCAT_PEERPORT $l"'
	wait_listen "${NS_R[$n]}" tcp 8
	wait_listen "${NS_R[$n]}" udp 7
done
for n in 1 2 3; do ld real add "2001:db8:2::1$n"; done
ld virtual add tcp "[$V6]:80" sched rr
ld virtual add tcp "[$V6]:8" sched rr
ld virtual add udp "[$V6]:7" sched rr
for n in 1 2 3; do
	ld link add tcp "[$V6]:80" real "2001:db8:2::1$n" port 80
	ld link add tcp "[$V6]:8" real "2001:db8:2::1$n" port 8
	ld link add udp "[$V6]:7" real "2001:db8:2::1$n" port 7
done
ld show || true
names=""
for i in 1 2 3 4; do
	names+="$(pc timeout "$TMO" curl -sS --fail -g "http://[$V6]/name") "
done
expect_eq "rr over IPv6" "real1 real2 real3 real1 " "$names"
out=$(echo hello | pc timeout "$TMO" socat -t "$TMO" - "TCP6:[$V6]:8,sourceport=40001")
expect_eq "who over IPv6" "real1 [2001:0db8:0001:0000:0000:0000:0000:0002]:40001 hello" "$(words "$out")"
out=$(echo hi | pc timeout "$TMO" socat -t 5 - "UDP6:[$V6]:7,sourceport=40002")
expect_match "udp who over IPv6" "real1 \[2001:0db8:0001:0000:0000:0000:0000:0002\]:40002 hi" "$out"
pc timeout "$TMO" curl -sS --fail -g -o "$T/down" "http://[$V6]/data"
cmp "$T/data" "$T/down" || fail "1 MiB over IPv6 differs"
ok "1 MiB over IPv6 identical"
ld conns || true
ld -j conns | head -c 600; echo
ld stats || true
# PMTU: real1's link 1280, client side 1500
ip -n "$NS_D" link set r1 mtu 1280
ip -n "${NS_R[1]}" link set eth0 mtu 1280
ip -n "$NS_D" link set br0 mtu 1280
for i in 1 2 3; do
	pc timeout "$TMO" curl -sS --fail -g -o "$T/down2" "http://[$V6]/data"
	cmp "$T/data" "$T/down2" || fail "download at 1280 differs"
done
ok "downloads with a 1280 MTU on the reals' side"
gstat icmp_out || true
ld -j stats | head -c 2000; echo
