#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# ldir on a director that runs a stateful firewall (topology: lib.sh):
# nf_conntrack active in the director's namespace, an nftables forward
# chain with policy drop that accepts established/related flows and new
# ones towards the service, and nf_nat in use (a masquerade for the other
# namespace). ldir DNATs in PRE_ROUTING before conntrack, so conntrack and
# the forward chain see the flow towards the real's address.
#
# Checks: the same exact rr distribution as test-sched.sh, 1 MiB through it
# (cmp), UDP; that conntrack is really in the path (counters of the
# established rule grow, a flow the chain does not allow is dropped, the
# masquerade rewrites the other namespace's flows); no ldir drops.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http echo who udp

pd nft -f - <<EOF
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter accept comment "est"
		ct state invalid drop
		ip daddr 10.0.2.0/24 tcp dport 80 ct state new counter accept comment "new_http"
		ip daddr 10.0.2.0/24 udp dport 7 ct state new counter accept comment "new_udp"
		iifname "other" ip daddr 10.0.2.0/24 tcp dport 8 ct state new counter accept comment "new_other"
		counter comment "dropped"
	}
}
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat;
		oifname "br0" ip saddr 10.0.3.0/24 masquerade
	}
}
EOF
rules=$(pd nft list chain inet filter forward)
expect_match "forward chain policy" "policy drop" "$rules"
expect_match "forward chain established rule" \
	"ct state established,related counter packets [0-9]+ bytes [0-9]+ accept" "$rules"

add_reals
add_service 80 tcp rr
add_service 7 tcp rr
add_service 7 udp rr

log "HTTP through the VIP, rr"
names=$(http_names 30)
expect_eq "rr: the answering reals in order" \
	"$(words "$(for _ in {1..10}; do printf 'real1\nreal2\nreal3\n'; done)")" \
	"$(words "$names")"
expect_eq "rr: requests per real" "10 10 10" "$(tally "$names")"
expect_eq "rr: link stats.conns" "10 10 10" "$(link_fields 80 tcp .stats.conns)"
expect_ge "new HTTP flows accepted by the forward chain" 30 \
	"$(nft_packets "$NS_D" inet filter new_http)"
expect_ge "packets accepted as established (2+ per flow)" 60 \
	"$(nft_packets "$NS_D" inet filter est)"
for n in 1 2 3; do
	from=$(grep -cE '^\[?(::ffff:)?10\.0\.1\.2\]?:[0-9]+: url:/name' "$T/httpd$n.log" || true)
	expect_eq "requests real$n's httpd got from the client's address" 10 "$from"
done

log "1 MiB down over HTTP"
pc timeout "$TMO" curl -sS --fail -o "$T/down" "http://$VIP/data"
cmp "$T/data" "$T/down" || fail "1 MiB downloaded through the VIP differs"
ok "1 MiB downloaded identical (cmp)"

log "UDP through the VIP"
pids=()
for p in 40011 40012 40013; do
	udp_who "$p" >"$T/udp.$p" &
	pids+=("$!")
done
wait "${pids[@]}"
for p in 40011 40012 40013; do
	expect_match "UDP reply to client port $p" \
		"^real[123] $CLIENT:$p hi\$" "$(cat "$T/udp.$p")"
done
expect_eq "3 UDP flows over 3 reals" "1 1 1" \
	"$(tally "$(cut -d' ' -f1 "$T"/udp.4001[123])")"
expect_eq "new UDP flows accepted" 3 "$(nft_packets "$NS_D" inet filter new_udp)"

log "the forward chain is in force"
dropped=$(nft_packets "$NS_D" inet filter dropped)
if pc timeout "$TMO" socat -T 3 - "TCP:$VIP:7,connect-timeout=3" </dev/null 2>/dev/null; then
	fail "a new flow to the VIP's port 7 passed a chain that allows only 80"
fi
ok "a new flow through VIP:7 (DNATed to a real's port 7, not allowed) fails"
expect_ge "SYNs the forward chain dropped (first + retransmitted)" $((dropped + 2)) \
	"$(nft_packets "$NS_D" inet filter dropped)"
# ldir scheduled the first SYN; the retransmitted ones found its conn.
expect_eq "ldir conns towards VIP:7/tcp, all in syn_sent" 1 \
	"$(nconns '.protocol == "tcp" and .["virtual_port"] == 7 and .state == "syn_sent"')"
expect_eq "ldir conns towards VIP:7/tcp" 1 \
	"$(nconns '.protocol == "tcp" and .["virtual_port"] == 7')"

log "nf_nat: the other namespace is masqueraded, the client is not"
out=$(who_once 8 "${REAL[3]}" "$NS_O")
expect_match "other -> real3:8 seen from the director's address" \
	"^real3 10\.0\.2\.1:[0-9]+\$" "$out"
expect_eq "new flows from the other namespace accepted" 1 \
	"$(nft_packets "$NS_D" inet filter new_other)"
names=$(http_names 3)
# (after 30 requests and /data, rr goes on at real2)
expect_eq "HTTP through the VIP with nf_nat in use" "real2 real3 real1" "$(words "$names")"
from=$(grep -cE '^\[?(::ffff:)?10\.0\.1\.2\]?:[0-9]+: url:/name' "$T/httpd1.log" || true)
expect_eq "real1 still sees the client's own address" 11 "$from"

for f in drop-no-conn drop-no-real drop-conn-limit drop-invalid drop-nomem; do
	expect_eq "stats $f" 0 "$(gstat "$f")"
done
