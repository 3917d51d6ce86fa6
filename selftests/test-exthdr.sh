#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-families: 6
# ldir-kernels-ipv6: debug 6.1 6.12
#
# IPv6 extension headers and fragments through the VIP (topology: lib.sh;
# ldudp6: selftests/tools/ldudp6.c). The client sends UDP datagrams made
# by hand to [VIP]:7; each real answers every datagram with
# "realN [PEER]:PORT LEN SUM" (the FNV-1a hash of what its socket got), so
# the client sees that the real got the whole datagram from the client's
# own address:
#   a Destination Options header before UDP; Hop-by-Hop and Destination
#   Options; a 3000-byte datagram in three fragments, in order, last
#   first, and with both option headers (the director must look at the
#   whole datagram: the ports are only in the first fragment, and a
#   non-first fragment rewritten or sent elsewhere on its own arrives
#   nowhere); a 1300-byte datagram in two fragments of unequal sizes.
# The answers come back from the VIP (translated), and each flow is one
# conn on one real.
# The one IPv6 run on the debug kernel too: it feeds the IPv6 parsing
# (extension header walk, reassembly) what real stacks rarely send.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
command -v ldudp6 >/dev/null || fail "ldudp6 (selftests/tools) is not in the guest"

for n in 1 2 3; do
	bg "${NS_R[$n]}" ldudp6 serve 7 "real$n"
done
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 7
done
add_reals
add_service 7 udp rr

pc nft -f - <<EOF
table ip6 client {
	chain input {
		type filter hook input priority 0;
		ip6 saddr $REAL_NET counter comment "from_reals"
		ip6 saddr $VIP udp sport 7 counter comment "from_vip"
	}
}
EOF

# send SPORT LEN [OPTS...]: one datagram from the client's SPORT; checks
# that a real got it whole from the client; prints the real's name
send()
{
	local sport=$1 len=$2 out want

	out=$(pc ldudp6 send -t "$TMO" "${@:3}" "$CLIENT" "$sport" "$VIP" 7 "$len") ||
		fail "ldudp6 send ${*:3} from port $sport, $len bytes: no answer"
	want=$(ldudp6 sum "$len")
	[[ $out =~ ^(real[123])\ (.*)$ ]] || fail "ldudp6 send ${*:3}: answer '$out'"
	# (the ok line to stderr: stdout is the real's name)
	expect_eq "${*:3} $len bytes from port $sport, as the real got it" \
		"[$CLIENT]:$sport $want" "${BASH_REMATCH[2]}" >&2
	echo "${BASH_REMATCH[1]}"
}

log "plain UDP, then extension headers"
r0=$(send 40100 100)
r1=$(send 40101 100 -D)
r2=$(send 40102 100 -H -D)
r3=$(send 40103 100 -H)
expect_eq "rr over the four flows" "real1 real2 real3 real1" "$r0 $r1 $r2 $r3"
expect_eq "a second datagram of the -D flow, the same real" "$r1" \
	"$(send 40101 100 -D)"

log "fragments"
f0=$(send 40110 3000 -f 1232)
f1=$(send 40111 3000 -f 1232 -r)
f2=$(send 40112 3000 -H -D -f 1024 -r)
f3=$(send 40113 1300 -f 800)
expect_eq "rr goes on over the fragmented flows" "real2 real3 real1 real2" \
	"$f0 $f1 $f2 $f3"
expect_eq "the reversed flow again, the same real" "$f1" \
	"$(send 40111 3000 -f 1232 -r)"

log "what the client got, and what ldir counted"
expect_eq "UDP conns (one per flow)" 8 \
	"$(nconns '.protocol == "udp" and .client == "'"$CLIENT"'"')"
expect_eq "link stats.conns" "3 3 2" "$(link_fields 7 udp .stats.conns)"
expect_eq "packets the client got from a real's address" 0 \
	"$(nft_packets "$NS_C" ip6 client from_reals)"
expect_eq "answers the client got from [VIP]:7" 10 \
	"$(nft_packets "$NS_C" ip6 client from_vip)"
for f in drop-no-conn drop-invalid drop-nomem; do
	expect_eq "stats $f" 0 "$(gstat "$f")"
done
