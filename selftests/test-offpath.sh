#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Off-path packets against live conns, and replies without a conn
# (topology: lib.sh; ldtcp: selftests/tools/ldtcp.c).
#
#   client ──ldtcp conn──► director ──► real1 (echo on 7, who on 8)
#     └ RSTs from the client's address and port   ▲
#   other ──RSTs "from real1:7" to the client──────┘ (routed through the
#                                                     director, SNATed)
#
#   - RSTs with random sequence numbers, as an attacker who knows the
#     addresses and ports sends them, from the client's side and from the
#     real's, leave the conn ESTABLISHED and counted in rst-ignored, and
#     its transfers go on; so does an RST inside the window but not at
#     the exact number (the real answers it with a challenge ACK);
#   - an RST at exactly the number the client sends next closes the conn,
#     and so does the client's own abort (SO_LINGER 0);
#   - replies without a conn: a segment from real1's service port to the
#     client with no conn is dropped and counted in drop-reply-no-conn,
#     while a SYN from that port and a segment from another port pass;
#     after `ldctl flush conns`, real1's retransmissions on a live
#     connection never reach the client with real1's address.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers echo who

add_reals
add_service 7 tcp rr 1
add_service 8 tcp rr 1
# the "other" host sends as real1: the director must not drop it first
sysctl_set "$NS_D" net.ipv4.conf.all.rp_filter 0
sysctl_set "$NS_D" net.ipv4.conf.other.rp_filter 0

# ldt CMD: one command to the ldtcp conn coprocess; its answer in LDT_OUT
ldt()
{
	echo "$*" >&"${LDT[1]}"
	read -t "$TMO" -r LDT_OUT <&"${LDT[0]}" || fail "ldtcp: no answer to '$*'"
}

# ldt_ok CMD: as ldt, and the command must succeed
ldt_ok()
{
	ldt "$@"
	[[ $LDT_OUT != error* ]] || fail "ldtcp $*: $LDT_OUT"
}

# conn_state PORT: the state of the conn from the client's PORT
conn_state()
{
	local j

	j=$(ld -j conns)
	jq -r --argjson p "$1" '[.[] | select(.["client_port"] == $p) | .state]
		| join(" ")' <<<"$j"
}

conn_closed() { [[ $(conn_state "$1") == close ]]; }

log "random RSTs against a live conn"
coproc LDT { exec nsenter --net="/run/netns/$NS_C" ldtcp conn "$VIP" 7; }
BG_PIDS+=("$LDT_PID")
ldt_ok info
read -r _ port _ <<<"$LDT_OUT"
ldt_ok echo 20000
expect_eq "conn state" established "$(conn_state "$port")"
expect_eq "rst-ignored before" 0 "$(gstat rst-ignored)"

ldt_ok rst random 200
ldt_ok echo 20000
expect_eq "after 200 random RSTs from the client's side: conn state" \
	established "$(conn_state "$port")"
expect_eq "rst-ignored" 200 "$(gstat rst-ignored)"

po ldtcp seg "${REAL[1]}" 7 "$CLIENT" "$port" RA random random 100
ldt_ok echo 20000
expect_eq "after 100 random RSTs from the real's side: conn state" \
	established "$(conn_state "$port")"
expect_eq "rst-ignored" 300 "$(gstat rst-ignored)"

log "an RST in the window, not at the exact number"
ldt_ok rst at 1000
ldt_ok echo 20000
expect_eq "conn state" established "$(conn_state "$port")"
expect_eq "rst-ignored" 301 "$(gstat rst-ignored)"

log "an RST at exactly the number the client sends next"
ldt_ok rst at 0
expect_eq "conn state" close "$(conn_state "$port")"
ldt echo 1000
expect_match "the real reset its end: the client's next send" '^error' "$LDT_OUT"
expect_eq "rst-ignored" 301 "$(gstat rst-ignored)"
fd=${LDT[1]}
exec {fd}>&-
wait "$LDT_PID" 2>/dev/null || true

log "the client's own abort"
coproc LDT { exec nsenter --net="/run/netns/$NS_C" ldtcp conn "$VIP" 7; }
BG_PIDS+=("$LDT_PID")
ldt_ok info
read -r _ port _ <<<"$LDT_OUT"
ldt_ok echo 1000
expect_eq "conn state" established "$(conn_state "$port")"
ldt_ok abort
wait_for "$TMO" conn_closed "$port" ||
	fail "conn of the aborted client is not closed: $(conn_state "$port")"
ok "the client's abort closed its conn"
wait "$LDT_PID" 2>/dev/null || true

log "segments from real1 with no conn"
pc nft -f - <<EOF
table $NF client {
	chain input {
		type filter hook input priority 0;
		$NF saddr ${REAL[1]} tcp sport 8 counter comment "leak8"
		$NF saddr ${REAL[1]} tcp sport 12345 counter comment "other_port"
		$NF saddr $VIP tcp sport 8 counter comment "from_vip"
	}
}
EOF
expect_eq "drop-reply-no-conn before" 0 "$(gstat drop-reply-no-conn)"
pr 1 ldtcp seg "${REAL[1]}" 8 "$CLIENT" 40000 PA 1 1 3
expect_eq "ACKs from real1:8 without a conn: drop-reply-no-conn" 3 \
	"$(gstat drop-reply-no-conn)"
pr 1 ldtcp seg "${REAL[1]}" 8 "$CLIENT" 40000 S 1 0 1
pr 1 ldtcp seg "${REAL[1]}" 12345 "$CLIENT" 40000 A 1 1 1
other_got() { (($(nft_packets "$NS_C" "$NF" client other_port) >= 1)); }
wait_for "$TMO" other_got ||
	fail "a segment from real1:12345 did not reach the client"
expect_eq "real1's SYN from its service port reached the client" 1 \
	"$(nft_packets "$NS_C" "$NF" client leak8)"
expect_eq "drop-reply-no-conn" 3 "$(gstat drop-reply-no-conn)"

log "a live connection whose conn is flushed"
conn_open B 8
expect_eq "conn B goes to" real1 "$(conn_real B)"
leak0=$(nft_packets "$NS_C" "$NF" client leak8)
# the client stops taking what real1 sends: real1 retransmits its echo
pc nft add rule "$NF" client input "$NF" saddr "$VIP" tcp sport 8 drop
from0=$(nft_packets "$NS_C" "$NF" client from_vip)
conn_send B hello
echoed() { (($(nft_packets "$NS_C" "$NF" client from_vip) > from0)); }
wait_for "$TMO" echoed || fail "real1 did not echo on conn B"
ld flush conns
sleep 3
expect_ge "real1's retransmissions without a conn: drop-reply-no-conn" 4 \
	"$(gstat drop-reply-no-conn)"
expect_eq "none reached the client from real1's address" "$leak0" \
	"$(nft_packets "$NS_C" "$NF" client leak8)"
