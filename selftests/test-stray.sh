#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# A stray non-SYN TCP segment to the VIP (one with no conn) is dropped and
# counted in drop-no-conn (seed 001 step 526), never scheduled to a real
# (topology: lib.sh).
#
# The stray segments come from a real TCP connection whose conn we take
# away with `ldctl flush conns`: the client's next data segment, and its
# retransmissions, are non-SYN segments to the VIP without a conn. The
# client counts what it sends to the VIP, real1 counts what reaches it;
# drop-no-conn must grow by exactly what the client sent, real1 must get
# nothing.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers who

add_reals
add_service 8 tcp rr

pc nft -f - <<EOF
table ip client {
	chain output {
		type filter hook output priority 0;
		ip daddr $VIP tcp dport 8 counter comment "to_vip"
	}
}
EOF
pr 1 nft -f - <<EOF
table ip real {
	chain input {
		type filter hook input priority 0;
		ip saddr $CLIENT tcp dport 8 counter comment "from_client"
	}
}
EOF

conn_open A
expect_eq "conn A goes to" real1 "$(conn_real A)"
conn_echoes A one || fail "conn A does not echo"
ok "conn A echoes"
expect_eq "conns" 1 "$(nconns)"
expect_eq "stats drop-no-conn before" 0 "$(gstat drop-no-conn)"

ld flush conns
expect_eq "conns after flush conns" 0 "$(nconns)"
expect_eq "stats config conn-count after flush conns" 0 "$(gconfig conn-count)"
j=$(ld -j real)
expect_eq "real active, conns after flush conns" "0 0 0 0 0 0" \
	"$(jq -r '[.[] | .active, .conns] | map(tostring) | join(" ")' <<<"$j")"

sent0=$(nft_packets "$NS_C" ip client to_vip)
got0=$(nft_packets "${NS_R[1]}" ip real from_client)

log "send on conn A, whose conn is gone"
if conn_echoes A two 3; then
	fail "data on a flushed conn was echoed: the segment reached a real"
fi
ok "no echo within 3 s"
# Stop A's retransmissions (and later its FIN) before counting: drop them
# ahead of the counter rule, then let what is in flight land.
aport=$(head -n 1 "$T/A.out" | sed 's/.*://')
pc nft insert rule ip client output ip daddr "$VIP" tcp sport "$aport" drop
sleep 1

sent=$(( $(nft_packets "$NS_C" ip client to_vip) - sent0 ))
got=$(( $(nft_packets "${NS_R[1]}" ip real from_client) - got0 ))
expect_ge "segments the client sent to the VIP after the flush" 1 "$sent"
expect_eq "stats drop-no-conn = segments sent" "$sent" "$(gstat drop-no-conn)"
expect_eq "segments that reached real1" 0 "$got"
expect_eq "conns created by stray segments" 0 "$(nconns)"
expect_eq "link stats.conns (only A's)" "1 0 0" "$(link_fields 8 tcp .stats.conns)"
conn_kill A

log "a new connection still works"
out=$(who_once)
expect_match "a fresh conn after the strays" "^real2 $CLIENT:[0-9]+\$" "$out"
expect_eq "stats drop-no-conn unchanged by it" "$sent" "$(gstat drop-no-conn)"

log "traffic to a VIP port with no virtual is not ldir's"
before=$(traffic_stats)
if pc timeout "$TMO" socat -T 5 - "TCP:$VIP:9,connect-timeout=3" </dev/null 2>/dev/null; then
	fail "a connection to $VIP:9 (no virtual, not a local address) succeeded"
fi
expect_eq "ldir counters after SYNs to $VIP:9" "$before" "$(traffic_stats)"
