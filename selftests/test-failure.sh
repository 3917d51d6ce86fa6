#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Passive failure detection, with real traffic (seed 001 vars 364-375,
# seed 003; topology: lib.sh). real2 silently drops every TCP segment
# (nft in its namespace): its SYNs go unanswered.
#   - an unanswered SYN counts in real2's "unanswered";
#   - with syn-resends 1, a conn whose client resent its SYN once without
#     a SYN-ACK is ditched: its next resend goes to another real, so the
#     client's connection still succeeds (after two SYN retransmissions);
#   - fail-threshold 2: two ditched conns in a row fail real2: state
#     failed, no new conns except one probe per retry interval;
#   - repaired, a probe gets through and real2 is back in service;
#   - Fig. 7B: a real with as many unanswered SYNs as its syn-threshold
#     gets no new conns while another real is under its threshold.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http

RETRY=2
# timeout-syn: the unanswered SYNs below stay counted for the whole test.
# VIP:81 has real2 alone, for the unanswered SYN.
lds <<CMDS
config set syn-resends 1 retry-interval $RETRY timeout-syn 600
real add ${REALB[1]}
real add ${REALB[2]} fail-threshold 2
real add ${REALB[3]}
virtual add tcp $VIPB:80 sched rr
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
link add tcp $VIPB:80 real ${REALB[3]} port 80
virtual add tcp $VIPB:81 sched rr
link add tcp $VIPB:81 real ${REALB[2]} port 80
CMDS
expect_eq "config syn-resends retry-interval" "1 $RETRY" \
	"$(gconfig syn-resends) $(gconfig retry-interval)"
expect_eq "fail-thresholds" "3 2 3" "$(real_fields '.["fail_threshold"]')"

names=$(http_names 3)
expect_eq "all three reals answer before" "1 1 1" "$(tally "$names")"

blackhole 2
log "an unanswered SYN"
# curl gives up before the kernel's first SYN retransmission (1 s): one
# SYN, never answered, never resent; the conn waits in SYN_SENT.
pc curl -sS --connect-timeout 0.7 "http://$VIPB:81/name" >/dev/null 2>&1 &&
	fail "a conn to the blackholed real2 succeeded"
expect_eq "real2 unanswered SYNs" 1 "$(real_field 2 .unanswered)"
expect_eq "real2 ditched (the SYN was not resent)" 0 "$(real_field 2 .ditched)"

# conn_times N: N sequential requests to VIP:80; prints "NAME CONNECT_S"
# per request. --connect-timeout covers the SYN retransmissions (1 s apart
# since 6.5, tcp_syn_linear_timeouts; 1 s then 2 s before).
conn_times()
{
	local out

	# the body is one line ("realN"), then -w adds the connect time
	out=$(pc timeout $((TMO + 20 * $1)) curl -sS --fail --fail-early --connect-timeout 15 \
		--max-time 20 -w '%{time_connect}\n' "http://$VIPB/name?[1-$1]") ||
		return 1
	awk 'NR % 2 { n = $0; next } { print n, $0 }' <<<"$out"
}

log "conns until real2 has failed (each must succeed)"
read -r b1 b2 b3 <<<"$(link_fields 80 tcp .stats.conns)"
all=""
for ((i = 0; i < 6; i++)); do
	out=$(conn_times 3) || fail "a client conn failed: $out"
	all+="$out"$'\n'
	[[ $(real_field 2 .state) == failed ]] && break
done
log "requests (real, connect time):"
printf '%s\n' "$all" | sed '/^$/d; s/^/#   /'
names=$(awk 'NF { print $1 }' <<<"$all")
nreq=$(grep -c . <<<"$names")
# Each request went to real2 at most once, was ditched from it, and ended
# on real1 or real3: every conn real2 was given is a ditched one, and the
# other two reals got exactly one conn per request.
read -r a1 a2 a3 <<<"$(link_fields 80 tcp .stats.conns)"
rj=$(ld -j real)
expect_eq "conns given to real2 on VIP:80 = its ditched conns" \
	"$(jreal "$rj" 2 .ditched)" $((a2 - b2))
expect_eq "conns on real1 + real3 = requests ($nreq)" "$nreq" $((a1 - b1 + a3 - b3))
expect_eq "real2 state" failed "$(jreal "$rj" 2 .state)"
expect_ge "real2 ditched" 2 "$(jreal "$rj" 2 .ditched)"
expect_ge "real2 ditch-consec" 2 "$(jreal "$rj" 2 '.["ditch_consec"]')"
expect_match "retry-ms shown while failed" '^[0-9]+$' "$(jreal "$rj" 2 '.["retry_ms"]')"
expect_eq "the human form says so" failed "$(ld real | sed -n "s/^real $(re_quote "${REALB[2]}"):0 .*state \([a-z]*\) .*retry-ms [0-9]* .*/\1/p")"
slow=$(awk '$2 >= 0.9' <<<"$all" | grep -c . || true)
expect_ge "conns delayed by a ditched SYN (resent twice)" 2 "$slow"
log "$nreq requests, $slow of them ditched from real2 once, all answered"
# VIP:81 has no other real and no backup virtual: failed too
j=$(ld -j show)
expect_eq "VIP:81 (only real2) failed, VIP:80 not" "true false" \
	"$(jq -r --arg vip "$VIP" '[.virtuals[] | select(.address == $vip)]
		| [(.[] | select(.port == 81) | .failed),
		   (.[] | select(.port == 80) | .failed)] | map(tostring) | join(" ")' <<<"$j")"
conns2=$(jq -r --arg r "${REAL[2]}" '.virtuals[] | select(.port == 80)
	| .links[] | select(.real == $r) | .stats.conns' <<<"$j")
j=$(ld -j stats)
expect_ge "stats ditched" 2 "$(jq -r '.stats.ditched' <<<"$j")"
probes=$(jq -r '.stats.probes' <<<"$j")
ditched=$(jq -r '.stats.ditched' <<<"$j")
read -r b1 b2 b3 <<<"$(link_fields 80 tcp .stats.conns)"

log "real2 failed: no new conns but a probe per retry interval"
t0=$(date +%s)
all=$(conn_times 6) || fail "a client conn failed while real2 is failed"
t1=$(date +%s)
names=$(awk 'NF { print $1 }' <<<"$all")
expect_eq "requests answered while real2 failed" 6 "$(grep -c . <<<"$names")"
new2=$(($(link_field 80 tcp 2 .stats.conns) - conns2))
j=$(ld -j stats)
newp=$(($(jq -r '.stats.probes' <<<"$j") - probes))
expect_eq "conns sent to failed real2 = probes" "$newp" "$new2"
# a probe to the still dead real2 is ditched like any conn, and its
# request served elsewhere: one conn on real1 or real3 per request
expect_eq "probes ditched" "$newp" $(($(jq -r '.stats.ditched' <<<"$j") - ditched))
read -r a1 a2 a3 <<<"$(link_fields 80 tcp .stats.conns)"
expect_eq "conns on real1 + real3 while real2 failed = requests" 6 $((a1 - b1 + a3 - b3))
((newp <= (t1 - t0) / RETRY + 1)) ||
	fail "$newp probes in $((t1 - t0)) s with retry-interval $RETRY"
ok "$newp probe(s) in $((t1 - t0)) s (retry-interval $RETRY s)"
expect_eq "real2 still failed (its probes went unanswered)" failed "$(real_field 2 .state)"

log "real2 repaired"
unblackhole 2
back=0
for ((i = 0; i < 4 * RETRY; i++)); do
	names=$(http_names 3)
	if [[ $(real_field 2 .state) == in ]]; then
		back=1
		break
	fi
	sleep 1
done
((back)) || fail "real2 is not back in service $((4 * RETRY)) s after its repair"
ok "a probe got through: real2 is back in service"
rj=$(ld -j real)
expect_eq "real2 retry-ms once in service" null "$(jreal "$rj" 2 '.["retry_ms"]')"
expect_eq "real2 ditch-consec reset by the SYN-ACK" 0 "$(jreal "$rj" 2 '.["ditch_consec"]')"
expect_eq "VIP:81 no longer failed" false "$(virtual_field 81 tcp .failed)"
names=$(http_names 6)
expect_ge "real2 answers again (rr)" 1 "$(tally "$names" | cut -d' ' -f2)"

log "syn-threshold (Fig. 7B)"
# one more SYN real2 never answers (blackholed for it only), then real2
# answers again but has U unanswered SYNs on record
blackhole 2
pc curl -sS --connect-timeout 0.7 "http://$VIPB:81/name" >/dev/null 2>&1 &&
	fail "a conn to the blackholed real2 succeeded"
unblackhole 2
u=$(real_field 2 .unanswered)
expect_ge "real2 unanswered SYNs" 1 "$u"
ld real set "${REALB[2]}" syn-threshold "$u"
names=$(http_names 6)
expect_eq "real2 at its syn-threshold: new conns per real" "3 0 3" "$(tally "$names")"
ld real set "${REALB[2]}" syn-threshold $((u + 1))
names=$(http_names 6)
expect_eq "real2 under its syn-threshold again: new conns per real" "2 2 2" "$(tally "$names")"
