#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# The schedulers' choices, exactly, with real connections (topology: lib.sh):
#   rr   strict round robin in link order
#   wrr  weighted round robin by stride scheduling (finish tags): weights
#        1 2 3 give the cycle real3 real2 real3 real1 real2 real3
#   lc   fewest active conns, ties to the first link
#   wlc  smallest active/weight, ties to the first link
#   max conns: a real at its limit gets no new conns
#   max conns under hash3: the hashed real's new conns are dropped
#   port reuse: a client port reused while its old conn is in TIME_WAIT
#        opens a new conn, scheduled and counted like any other
# Each is checked by the name the server answers with and by the conn
# counters of `ldctl -j show` / `ldctl -j real`. Conns stay in the table
# (long TIME_WAIT/FIN timeouts), so live-conn counters are exact too.
#
# The lc/wlc sequences hold whether or not closing conns weigh a little in
# the load (IPVS's overhead = 256 * active + inactive) as long as an active
# conn outweighs every closing one.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http who

ld config set timeout-fin 600 timeout-time-wait 600 timeout-close 600

# actives: the ACTIVE (NC) of reals 1 2 3 from `ldctl -j real`
actives()
{
	local j

	j=$(ld -j real)
	jq -er --arg r1 "${REAL[1]}" --arg r2 "${REAL[2]}" --arg r3 "${REAL[3]}" '
		. as $all | [$r1, $r2, $r3]
		| map(. as $r | $all[] | select(.address == $r) | .active | tostring)
		| join(" ")' <<<"$j"
}

log "rr: 30 sequential HTTP requests"
add_reals
add_service 80 tcp rr
names=$(http_names 30)
expect_eq "rr: the answering reals in order" \
	"$(words "$(for _ in {1..10}; do printf 'real1\nreal2\nreal3\n'; done)")" \
	"$(words "$names")"
expect_eq "rr: requests per real" "10 10 10" "$(tally "$names")"
expect_eq "rr: link stats.conns (created)" "10 10 10" "$(link_fields 80 tcp .stats.conns)"
expect_eq "rr: link conns (live)" "10 10 10" "$(link_fields 80 tcp .conns)"
expect_eq "rr: virtual conns (live)" 30 \
	"$(virtual_field 80 tcp .conns)"
expect_eq "rr: conns listed by ldctl -j conns" 30 \
	"$(nconns ".client == \"$CLIENT\" and .[\"virtual_port\"] == 80")"
expect_eq "rr: real active (all closed)" "0 0 0" "$(actives)"

log "rr follows the link order, not the real order"
ld flush
add_reals
add_service 80 tcp rr "3 1 2"
names=$(http_names 6)
expect_eq "rr, links 3 1 2" "real3 real1 real2 real3 real1 real2" "$(words "$names")"

log "wrr: weights 1 2 3"
ld flush
add_reals 1 2 3
add_service 80 tcp wrr
names=$(http_names 30)
cycle="real3 real2 real3 real1 real2 real3"
expect_eq "wrr: the answering reals in order" \
	"$cycle $cycle $cycle $cycle $cycle" "$(words "$names")"
expect_eq "wrr: requests per real" "5 10 15" "$(tally "$names")"
expect_eq "wrr: link stats.conns" "5 10 15" "$(link_fields 80 tcp .stats.conns)"
expect_eq "wrr: link conns (live)" "5 10 15" "$(link_fields 80 tcp .conns)"

log "lc: long-lived conns steer new ones"
ld flush
add_reals
add_service 8 tcp lc
conn_open A
expect_eq "lc: A (all idle) goes to" real1 "$(conn_real A)"
conn_open B
expect_eq "lc: B (real1 busy) goes to" real2 "$(conn_real B)"
expect_eq "lc: real active" "1 1 0" "$(actives)"
names=$(who_names 6)
expect_eq "lc: 6 short conns while A and B are open" \
	"real3 real3 real3 real3 real3 real3" "$(words "$names")"
conn_close A
expect_eq "lc: real active after A closed" "0 1 0" "$(actives)"
expect_eq "lc: a short conn after A closed goes to" real1 "$(who_names 1)"
conn_open C
expect_eq "lc: C goes to" real1 "$(conn_real C)"
expect_eq "lc: a short conn with B and C open goes to" real3 "$(who_names 1)"
expect_eq "lc: link stats.conns" "3 1 7" "$(link_fields 8 tcp .stats.conns)"
conn_close B
conn_close C
expect_eq "lc: real active at the end" "0 0 0" "$(actives)"

log "wlc: weights 1 2 3"
ld flush
add_reals 1 2 3
add_service 8 tcp wlc
got=()
for i in 1 2 3 4 5 6; do
	conn_open "W$i"
	got+=("$(conn_real "W$i")")
done
expect_eq "wlc: 6 long-lived conns" "real1 real2 real3 real3 real2 real3" "${got[*]}"
expect_eq "wlc: real active" "1 2 3" "$(actives)"
expect_eq "wlc: a short conn at loads 1/1 2/2 3/3 (a tie) goes to" real1 \
	"$(who_names 1)"
for i in 1 2 3 4 5 6; do
	conn_close "W$i"
done
expect_eq "wlc: real active at the end" "0 0 0" "$(actives)"

log "max conns"
ld flush
add_reals
ld real set "${REALB[1]}" maxconns 1
add_service 8 tcp rr
conn_open M
expect_eq "maxconns: M goes to" real1 "$(conn_real M)"
names=$(who_names 4)
expect_eq "maxconns: real1 full, rr over the others" "real2 real3 real2 real3" \
	"$(words "$names")"
conn_close M
expect_eq "maxconns: real1 free again" real1 "$(who_names 1)"

log "rr: a client port reused after a close is a new conn"
# Four client ports for 30 conns: every port comes back while its old conn
# is in TIME_WAIT on the director (timeout 600 s). No TIME_WAIT socket on
# the client or the reals, whoever closes first: the port is free at once.
ld flush
add_reals
add_service 80 tcp rr
sysctl_set "$NS_C" net.ipv4.ip_local_port_range "40000 40003"
for ns in "$NS_C" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}"; do
	sysctl_set "$ns" net.ipv4.tcp_max_tw_buckets 0
done
conns0=$(gstat conns)
names=$(http_names 30)
expect_eq "reuse: the answering reals in rr order" \
	"$(words "$(for _ in {1..10}; do printf 'real1\nreal2\nreal3\n'; done)")" \
	"$(words "$names")"
expect_eq "reuse: link stats.conns (created)" "10 10 10" \
	"$(link_fields 80 tcp .stats.conns)"
expect_eq "reuse: real stats.conns" "10 10 10" "$(real_fields .stats.conns)"
expect_eq "reuse: virtual stats.conns" 30 "$(virtual_field 80 tcp .stats.conns)"
expect_eq "reuse: global stats conns" $((conns0 + 30)) "$(gstat conns)"
# the old conn of a reused port is gone: one live conn a port
live=$(virtual_field 80 tcp .conns)
expect_eq "reuse: 1 to 4 live conns (4 ports): $live" 1 \
	"$((live >= 1 && live <= 4))"
sysctl_set "$NS_C" net.ipv4.ip_local_port_range "32768 60999"

expect_eq "stats drop-no-conn" 0 "$(gstat drop-no-conn)"
expect_eq "stats drop-no-real" 0 "$(gstat drop-no-real)"

log "max conns under hash3: dropped, not spilled to another real"
# hash3 ignores the client port: every conn of the client goes to one real
ld flush
add_reals
add_service 8 tcp hash3
conn_open H
hreal=$(conn_real H)
ld real set "${REALB[${hreal#real}]}" maxconns 1
drops=$(gstat drop-no-real)
if echo hello | pc timeout 3 socat -t 1 - "TCP:$VIPB:8" >"$T/hfull.out" 2>&1; then
	fail "hash3: a conn got through to a full real's flow: $(cat "$T/hfull.out")"
fi
expect_ge "hash3 full: the SYN dropped, in drop-no-real" $((drops + 1)) \
	"$(gstat drop-no-real)"
expect_eq "hash3 full: no conn elsewhere" 1 "$(virtual_field 8 tcp .stats.conns)"
conn_close H
expect_eq "hash3: room again, the same real" "$hreal" "$(who_names 1)"
