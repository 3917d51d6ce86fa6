#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hand-made packets that real stacks never send, built with ldpkt
# (selftests/tools) and sent from the client or a real (topology: lib.sh):
#   - SYNs whose TCP header is not in the skb's linear area (a virtio-net
#     header with a short hdr_len, as from a tun or vhost device): ldir
#     pulls it, which may move the head; nothing may read the old one
#     (the debug kernel's KASAN sees it if it does). Each SYN opens a conn.
#   - ICMP errors quoting a live conn, both ways: with a good checksum they
#     are translated; with a bad one they are dropped and counted, never
#     passed on with a freshly computed good checksum.
#   - The same ICMP error as a first fragment and as a non-first
#     fragment: reassembly holds both (their datagram never completes),
#     so neither is translated.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
command -v ldpkt >/dev/null || fail "ldpkt (selftests/tools) is not in the guest"
setup_topology
start_servers udp

add_reals
add_service 7 udp rr
add_service 80 tcp rr

# hexaddr A.B.C.D: the address as 8 hex digits
hexaddr()
{
	local IFS=.

	# shellcheck disable=SC2086 # split on the dots
	printf '%02x%02x%02x%02x' $1
}

# ipv4 PROTO SRC DST FRAGOFF PAYLOADHEX: an IPv4 packet (checksum left to
# ldpkt); FRAGOFF is the 16-bit flags + offset field, in hex
ipv4()
{
	local len=$(( 20 + ${#5} / 2 ))

	printf '4500%04x1234%s40%02x0000%s%s%s' "$len" "$4" "$1" \
		"$(hexaddr "$2")" "$(hexaddr "$3")" "$5"
}

# ---- SYNs with a short linear area ---------------------------------------
# A packet socket with a virtio-net header puts hdr_len bytes in the head
# and the rest in pages, once the packet is a page or more: 4,100 bytes of
# SYN payload. Several hdr_len values, so that some of them leave the
# head's tailroom too short for the TCP header and the pull reallocates it.
ip -n "$NS_C" link set eth0 mtu 9000
ip -n "$NS_D" link set outside mtu 9000
# mac NS DEV: the MAC address of DEV in NS
mac()
{
	ip -n "$1" -j link show "$2" | jq -er '.[0].address'
}

dmac=$(mac "$NS_D" outside)
payload=$(printf '%08200d' 0)
conns0=$(gstat conns)
n=0
for hl in 20 24 28 32 40 48 56 64 96 128 160 192 224 256; do
	sport=$(printf '%04x' $((20000 + n)))
	# sport, dport 80, seq 1, ack 0, doff 5 + SYN, window, csum, urg
	tcp="${sport}0050000000010000000050027210""00000000"
	pc ldpkt -v "$hl" eth0 "$dmac" "$(ipv4 6 "$CLIENT" "$VIP" 0000 "$tcp$payload")"
	n=$((n + 1))
done
sleep 1
expect_eq "a conn for each SYN with a short head" "$((conns0 + n))" "$(gstat conns)"
expect_eq "no SYN taken for malformed" 0 "$(gstat drop-invalid)"

# ---- ICMP errors and their checksums -------------------------------------
# a live UDP conn: client:4000 -> VIP:7
got=$(udp_who 4000)
[[ $got =~ ^real([123])\  ]] || fail "no answer through the VIP: '$got'"
r=${BASH_REMATCH[1]}
log "the conn went to real$r"
rmac=$(mac "$NS_D" br0)

# in: the client's port unreachable about VIP:7 -> client:4000, to the VIP
quote_in=$(ipv4 17 "$VIP" "$CLIENT" 0000 "00070fa000080000")
err_in="03030000""00000000$quote_in"
# out: real's port unreachable about client:4000 -> real:7, to the client
quote_out=$(ipv4 17 "$CLIENT" "${REAL[$r]}" 0000 "0fa0000700080000")
err_out="03030000""00000000$quote_out"

in0=$(gstat icmp-in)
out0=$(gstat icmp-out)
pc ldpkt -i -b eth0 "$dmac" "$(ipv4 1 "$CLIENT" "$VIP" 0000 "$err_in")"
pr "$r" ldpkt -i -b eth0 "$rmac" "$(ipv4 1 "${REAL[$r]}" "$CLIENT" 0000 "$err_out")"
sleep 1
expect_eq "bad-checksum errors dropped and counted" 2 "$(gstat drop-icmp-csum)"
expect_eq "bad-checksum error in not translated" "$in0" "$(gstat icmp-in)"
expect_eq "bad-checksum error out not translated" "$out0" "$(gstat icmp-out)"

pc ldpkt -i eth0 "$dmac" "$(ipv4 1 "$CLIENT" "$VIP" 0000 "$err_in")"
pr "$r" ldpkt -i eth0 "$rmac" "$(ipv4 1 "${REAL[$r]}" "$CLIENT" 0000 "$err_out")"
sleep 1
expect_eq "good error in translated" "$((in0 + 1))" "$(gstat icmp-in)"
expect_eq "good error out translated" "$((out0 + 1))" "$(gstat icmp-out)"
expect_eq "no more checksum drops" 2 "$(gstat drop-icmp-csum)"

# ---- ICMP errors in fragments ---------------------------------------------
# a first fragment (MF) and a non-first one (offset 64 bytes), each holding
# what looks like a whole error about the live conn
pc ldpkt -i eth0 "$dmac" "$(ipv4 1 "$CLIENT" "$VIP" 2000 "$err_in")"
pc ldpkt -i eth0 "$dmac" "$(ipv4 1 "$CLIENT" "$VIP" 0008 "$err_in")"
sleep 1
expect_eq "fragments of errors not translated" "$((in0 + 1))" "$(gstat icmp-in)"
expect_eq "fragments are no checksum drops" 2 "$(gstat drop-icmp-csum)"
