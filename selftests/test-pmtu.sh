#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
# ldir-families: 4 6
#
# Path MTU discovery through the VIP, with a real behind a link of a
# smaller MTU (topology: lib.sh, plus a router "gw" and a far real):
#
#   client ──1500── director ──MTU── gw ──1500── far real (httpd :80,
#                   (ldir)    togw/eth0   far/eth0   sha256 sink :9)
#
# MTU is 1000 for IPv4, 1280 (the IPv6 minimum) for IPv6. Every host's own
# link is 1500, so both ends offer MSS 1460 (IPv6: 1440) and only ICMP can
# tell them to send less. The upload comes from a second client address:
# a host that has learned a path MTU to a peer offers it a smaller MSS
# (6.1 does), and the far real learns one to the client in the download.
#   upload:   the client's full-size segments to VIP:9 do not fit the
#             director's link to gw: the director's own "fragmentation
#             needed" (IPv6: Packet Too Big) about client -> far:9 must
#             reach the client quoting client -> VIP:9 (the real's address
#             never shows), or the client never lowers its path MTU and
#             the upload stalls. The sink's sha256 must be the client's.
#   download: the far real's segments do not fit gw's link to the
#             director: gw tells the far real, which must then send less
#             through the VIP; a few MiB fetched over HTTP through the VIP
#             must have the same sha256 at the client.
# Each transfer binds its client address: left to itself, IPv6 source
# selection takes the newest of two equal addresses, the second, for the
# download; the far real then learns 1280 toward it, and 6.1, whose
# SYN-ACK MSS follows the learned path MTU (6.12's the configured one),
# offers the upload MSS 1220: no Packet Too Big would ever be needed.
# The quoted headers are checked with raw nft payload matches (@th is the
# ICMP header, the quoted IP header follows at byte 8).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology

NS_G=ldir-gw-$$
NS_F=ldir-far-$$
EXTRA_NS+=("$NS_G" "$NS_F")
pg() { nsx "$NS_G" "$@"; }
pf() { nsx "$NS_F" "$@"; }

# the two new links: director <-> gw (small), gw <-> far real (1500)
if [[ $LDIR_FAMILY == 6 ]]; then
	MTU=1280 D_G=2001:db8:5::1 G_D=2001:db8:5::2 G_F=2001:db8:6::1
	FAR=2001:db8:6::4 FAR_NET=2001:db8:6::/64 ND=nodad
	# Packet Too Big; the quoted IPv6 header's destination and the
	# quoted destination port
	ICMP_TOOBIG="icmpv6 type packet-too-big" Q_DST=@th,256,128 Q_DPORT=@th,400,16
	FWD=net.ipv6.conf.all.forwarding
else
	MTU=1000 D_G=10.0.5.1 G_D=10.0.5.2 G_F=10.0.6.1
	FAR=10.0.6.4 FAR_NET=10.0.6.0/24 ND=
	ICMP_TOOBIG="icmp type destination-unreachable icmp code frag-needed"
	Q_DST=@th,192,32 Q_DPORT=@th,240,16
	FWD=net.ipv4.ip_forward
fi
FARB=$(brk "$FAR")
# the client's second address, for the upload
if [[ $LDIR_FAMILY == 6 ]]; then
	C2=2001:db8:1::3
else
	C2=10.0.1.3
fi
# shellcheck disable=SC2086
ip -n "$NS_C" addr add "$C2/$PLEN" dev eth0 $ND
ip netns add "$NS_G"
ip netns add "$NS_F"
# shellcheck disable=SC2086 # $ND: nodad or nothing
{
	ip -n "$NS_D" link add togw mtu "$MTU" type veth peer name eth0 mtu "$MTU" \
		netns "$NS_G"
	ip -n "$NS_D" addr add "$D_G/$PLEN" dev togw $ND
	ip -n "$NS_D" link set togw up
	ip -n "$NS_D" route add "$FAR_NET" via "$G_D"
	ip -n "$NS_G" link set lo up
	ip -n "$NS_G" link add far type veth peer name eth0 netns "$NS_F"
	ip -n "$NS_G" addr add "$G_D/$PLEN" dev eth0 $ND
	ip -n "$NS_G" addr add "$G_F/$PLEN" dev far $ND
	ip -n "$NS_G" link set eth0 up
	ip -n "$NS_G" link set far up
	ip -n "$NS_G" route add default via "$D_G"
	ip -n "$NS_F" link set lo up
	ip -n "$NS_F" addr add "$FAR/$PLEN" dev eth0 $ND
	ip -n "$NS_F" link set eth0 up
	ip -n "$NS_F" route add default via "$G_F"
}
sysctl_set "$NS_G" "$FWD" 1
expect_eq "the MTU of the director's link to gw, of gw's end" "$MTU $MTU" \
	"$(ip -n "$NS_D" -j link show togw | jq '.[0].mtu') $(ip -n "$NS_G" -j link show eth0 | jq '.[0].mtu')"
expect_eq "the far real's own link" 1500 \
	"$(ip -n "$NS_F" -j link show eth0 | jq '.[0].mtu')"

# the far real's services: HTTP (/big, 4 MiB) and a sink that answers
# with the sha256 of what it got
dd if=/dev/urandom of="$T/big" bs=64k count=64 2>/dev/null
mkdir -p "$T/wwwf"
cp "$T/big" "$T/wwwf/big"
sum=$(sha256sum <"$T/big")
sum=${sum%% *}
bg "$NS_F" busybox httpd -f -p 80 -h "$T/wwwf"
# (its answer: "SUM  -")
bg "$NS_F" socat -t "$TMO" "TCP$SOCK-LISTEN:9,fork,reuseaddr" SYSTEM:sha256sum
wait_listen "$NS_F" tcp 80
wait_listen "$NS_F" tcp 9
# the far real is reachable from the director, and it answers back
if [[ $LDIR_FAMILY == 6 ]]; then
	pd busybox ping -6 -c 1 -W 5 "$FAR" >/dev/null
else
	pd busybox ping -c 1 -W 5 "$FAR" >/dev/null
fi

ld real add "$FARB"
ld virtual add tcp "$VIPB:80" sched rr
ld link add tcp "$VIPB:80" real "$FARB" port 80
ld virtual add tcp "$VIPB:9" sched rr
ld link add tcp "$VIPB:9" real "$FARB" port 9

vip=$(addr_hex "$VIP")
far=$(addr_hex "$FAR")
pc nft -f - <<EOF
table $NF client {
	chain input {
		type filter hook input priority 0;
		$ICMP_TOOBIG counter comment "toobig"
		$ICMP_TOOBIG $Q_DST $vip $Q_DPORT 9 counter comment "toobig_vip"
		$ICMP_TOOBIG $Q_DST $far counter comment "toobig_real"
	}
}
EOF
pf nft -f - <<EOF
table $NF far {
	chain input {
		type filter hook input priority 0;
		$ICMP_TOOBIG counter comment "toobig_gw"
	}
}
EOF

log "download: 4 MiB from the far real over HTTP through the VIP"
pc timeout "$TMO" curl -sS --fail --interface "$CLIENT" -o "$T/down" \
	"http://$VIPB/big" ||
	fail "4 MiB downloaded through the VIP over a $MTU link failed or stalled"
got=$(sha256sum <"$T/down")
expect_eq "the sha256 of the download" "$sum" "${got%% *}"
expect_ge "too-big errors gw sent the far real" 1 \
	"$(nft_packets "$NS_F" "$NF" far toobig_gw)"

log "upload: 4 MiB to VIP:9, the director's link to the real is $MTU"
# learned_mtu ADDR: "mtu N" if the far real has learned a path MTU to ADDR
learned_mtu()
{
	pf ip -"$LDIR_FAMILY" route get "$1" | sed -n 's/.* \(mtu [0-9]*\).*/\1/p'
}
expect_eq "the path MTU the far real learned toward the client" "mtu $MTU" \
	"$(learned_mtu "$CLIENT")"
# (else the far real offers the client a small MSS and the test is void)
expect_eq "path MTUs the far real learned toward the upload's address" "" \
	"$(learned_mtu "$C2")"
out=$(pc timeout "$TMO" socat -t "$TMO" - "TCP:$VIPB:9,bind=$(brk "$C2")" <"$T/big") ||
	fail "4 MiB uploaded through VIP:9 over a $MTU link failed or stalled"
expect_eq "the sha256 the far real got" "$sum" "${out%% *}"
# (what else the client and ldir counted, should none quote the VIP)
seen="$(nft_packets "$NS_C" "$NF" client toobig) at the client in all, $(nft_packets "$NS_C" "$NF" client toobig_real) quoting the real; ldir icmp-out $(gstat icmp-out), drop-icmp-csum $(gstat drop-icmp-csum), drop-invalid $(gstat drop-invalid)"
expect_ge "too-big errors at the client quoting client -> VIP:9 ($seen)" 1 \
	"$(nft_packets "$NS_C" "$NF" client toobig_vip)"
expect_eq "too-big errors at the client quoting the real's address" 0 \
	"$(nft_packets "$NS_C" "$NF" client toobig_real)"
expect_eq "too-big errors at the client, all translated" \
	"$(nft_packets "$NS_C" "$NF" client toobig_vip)" \
	"$(nft_packets "$NS_C" "$NF" client toobig)"
expect_ge "ldir stats icmp-out" 1 "$(gstat icmp-out)"
expect_eq "conns created on the two virtuals" "1 1" \
	"$(virtual_field 9 tcp .stats.conns) $(virtual_field 80 tcp .stats.conns)"
for f in drop-no-conn drop-invalid drop-icmp-csum; do
	expect_eq "stats $f" 0 "$(gstat "$f")"
done
