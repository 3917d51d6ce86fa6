#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-families: 4 6
#
# Real clients and real servers through the VIP (topology: lib.sh):
# HTTP (curl -> busybox httpd), the server sees the client's address and the
# client sees only the VIP, 1 MiB of random data both ways checked with cmp,
# iperf3 bulk, UDP, and non-VIP traffic through the director left alone
# (but for answers from a service port, which a lost conn's look like).
# No nf_conntrack in the director here (test-conntrack.sh has it).
# In both families (lib.sh's addresses for LDIR_FAMILY).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http echo who udp iperf

add_reals
add_service 80 tcp rr
add_service 7 tcp rr
add_service 8 tcp rr
add_service 7 udp rr
# iperf3's control and data connections must reach the same server.
add_service 5201 tcp rr 1

# The client counts what it receives from the reals' addresses (must be
# nothing: ldir SNATs every reply to the VIP) and from the VIP.
pc nft -f - <<EOF
table $NF client {
	chain input {
		type filter hook input priority 0;
		$NF saddr $REAL_NET counter comment "from_reals"
		$NF saddr $VIP counter comment "from_vip"
	}
}
EOF

log "HTTP through the VIP"
out=$(pc timeout "$TMO" curl -sS --fail -w '%{remote_ip}:%{remote_port}\n' \
	"http://$VIPB/name")
expect_eq "first request (rr starts at the first link), the peer curl saw" \
	"real1 $VIP:80" "$(words "$out")"
names=$(http_names 5)
expect_eq "next 5 requests" "real2 real3 real1 real2 real3" "$(words "$names")"
for n in 1 2 3; do
	reqs=$(grep -c 'url:/name' "$T/httpd$n.log" || true)
	expect_eq "requests in real$n's httpd log" 2 "$reqs"
	from=$(grep -cE "$(httpd_from "$CLIENT") url:/name" "$T/httpd$n.log" || true)
	expect_eq "of those, from the client's own address $CLIENT" 2 "$from"
done

log "the who service names the peer the server sees"
out=$(echo hello | pc timeout "$TMO" socat -t "$TMO" - \
	"TCP:$VIPB:8,sourceport=40001")
expect_eq "who via the VIP from client port 40001" \
	"real1 $(peer "$CLIENT" 40001) hello" "$(words "$out")"
j=$(ld -j conns)
c=$(jq -c '[.[] | select(.["client_port"] == 40001)
	| {protocol, client, client_port, virtual, virtual_port, real,
	   real_port}]' <<<"$j")
expect_eq "ldctl -j conns: the conn of client port 40001" \
	'[{"protocol":"tcp","client":"'"$CLIENT"'","client_port":40001,"virtual":"'"$VIP"'","virtual_port":8,"real":"'"${REAL[1]}"'","real_port":8}]' \
	"$c"

log "1 MiB of random data through the VIP"
pc timeout "$TMO" socat -t "$TMO" - "TCP:$VIPB:7" <"$T/data" >"$T/echoed"
cmp "$T/data" "$T/echoed" || fail "the echo of 1 MiB through the VIP differs"
ok "1 MiB sent to the echo service came back identical (cmp)"
pc timeout "$TMO" curl -sS --fail -o "$T/down" "http://$VIPB/data"
cmp "$T/data" "$T/down" || fail "1 MiB downloaded over HTTP through the VIP differs"
ok "1 MiB downloaded over HTTP identical (cmp)"
bin=$(link_field 7 tcp 1 '.stats["bytes_in"]')
bout=$(link_field 7 tcp 1 '.stats["bytes_out"]')
expect_ge "link VIP:7 -> real1 bytes-in" 1048576 "$bin"
expect_ge "link VIP:7 -> real1 bytes-out" 1048576 "$bout"

log "iperf3 through the VIP"
pc timeout 60 iperf3 -c "$VIP" -p 5201 -t 2 -J >"$T/iperf.json" ||
	fail "iperf3 failed: $(jq -r '.error // empty' "$T/iperf.json" 2>/dev/null)"
bytes=$(jq -er '.end.sum_received.bytes' "$T/iperf.json")
expect_ge "iperf3 bytes received by the server" 1 "$bytes"
expect_eq "conns created on VIP:5201 (iperf3 control + data)" 2 \
	"$(link_field 5201 tcp 1 '.stats.conns')"
expect_ge "link VIP:5201 -> real1 bytes-in >= what iperf3 received" "$bytes" \
	"$(link_field 5201 tcp 1 '.stats["bytes_in"]')"

log "UDP through the VIP"
pids=()
for p in 40011 40012 40013; do
	udp_who "$p" >"$T/udp.$p" &
	pids+=("$!")
done
wait "${pids[@]}"
for p in 40011 40012 40013; do
	expect_match "UDP reply to client port $p" \
		"^real[123] $(peer_re "$CLIENT" "$p") hi\$" "$(cat "$T/udp.$p")"
done
names=$(cut -d' ' -f1 "$T"/udp.4001[123])
expect_eq "3 UDP flows over 3 reals (rr)" "1 1 1" "$(tally "$names")"
again=$(udp_who 40011)
expect_eq "a second datagram of flow 40011 goes to the same real" \
	"$(cat "$T/udp.40011")" "$again"
expect_eq "UDP conns listed (state udp)" 3 \
	"$(nconns '.protocol == "udp" and .state == "udp" and .client == "'"$CLIENT"'"')"

from_reals=$(nft_packets "$NS_C" "$NF" client from_reals)
from_vip=$(nft_packets "$NS_C" "$NF" client from_vip)
expect_eq "packets the client got from a real's address" 0 "$from_reals"
expect_ge "packets the client got from the VIP" 1 "$from_vip"

log "non-VIP traffic from the other namespace"
# to ports no link of a stateful virtual sends to: ldir leaves it alone
bg "${NS_R[2]}" busybox httpd -f -p 81 -h "$T/www2"
# shellcheck disable=SC2016 # expanded by socat's shell
bg "${NS_R[3]}" socat -t "$TMO" "TCP$SOCK-LISTEN:9,fork,reuseaddr" \
	SYSTEM:'echo "real3 $SOCAT_PEERADDR:$SOCAT_PEERPORT"; exec cat'
# shellcheck disable=SC2016
bg "${NS_R[1]}" socat -t "$TMO" "UDP$SOCK-RECVFROM:9,fork" \
	SYSTEM:'read -r l; echo "real1 $SOCAT_PEERADDR:$SOCAT_PEERPORT $l"'
wait_listen "${NS_R[2]}" tcp 81
wait_listen "${NS_R[3]}" tcp 9
wait_listen "${NS_R[1]}" udp 9
before=$(traffic_stats)
out=$(po timeout "$TMO" curl -sS --fail -w '%{remote_ip}\n' "http://${REALB[2]}:81/name")
expect_eq "other -> real2:81 directly" "real2 ${REAL[2]}" "$(words "$out")"
out=$(who_once 9 "${REAL[3]}" "$NS_O")
expect_match "other -> real3:9: the server sees the other's own address" \
	"^real3 $(peer_re "$OTHER")\$" "$out"
# shellcheck disable=SC2016 # $l is the child shell's
out=$(po timeout "$TMO" socat -t 0 "UDP:${REALB[1]}:9,sourceport=40021" \
	SYSTEM:'echo hi; read -r l; echo "$l" >&3' 3>&1)
expect_eq "other -> real1 UDP 9" "real1 $(peer "$OTHER" 40021) hi" "$out"
after=$(traffic_stats)
expect_eq "ldir counters after non-VIP traffic" "$before" "$after"
# to a service port (real2:80 serves VIP:80): its answers look like the
# replies of a conn the director no longer has, and are dropped
po timeout "$TMO" curl -sS --fail --max-time 3 "http://${REALB[2]}/name" \
	>/dev/null 2>&1 && fail "other -> real2:80 directly was answered"
expect_ge "its answers dropped: drop-reply-no-conn" 1 "$(gstat drop-reply-no-conn)"

log "global counters"
for f in drop-no-conn drop-no-real drop-conn-limit drop-invalid drop-nomem \
	 drop-reply-clash drop-removed; do
	expect_eq "stats $f" 0 "$(gstat "$f")"
done
# 1 + 5 HTTP, 1 who, 1 echo, 1 download, 2 iperf3, 3 UDP
expect_eq "stats conns (created)" 14 "$(gstat conns)"

log "a virtual's counters never go backwards"
# real1 served 3 of the 7 HTTP conns (rr, the download last); its link
# goes, its counts stay
vstats()
{
	virtual_field 80 tcp '[.stats.conns, .stats["pkts_in"],
		.stats["pkts_out"], .stats["bytes_in"], .stats["bytes_out"]]
		| map(tostring) | join(" ")'
}
before=$(vstats)
expect_eq "virtual 80 stats.conns before" 7 "${before%% *}"
expect_eq "real1's link stats.conns" 3 "$(link_field 80 tcp 1 .stats.conns)"
ld link del tcp "$VIPB:80" real "${REALB[1]}" port 80
expect_eq "virtual 80 stats after link del" "$before" "$(vstats)"
names=$(http_names 2)
expect_eq "two more conns, over the links left" "real2 real3" "$(words "$names")"
expect_eq "virtual 80 stats.conns, still counting" 9 \
	"$(virtual_field 80 tcp .stats.conns)"
