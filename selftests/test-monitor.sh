#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# ldctl monitor: the kernel's events on the "events" multicast group
# (topology: lib.sh). Two monitors run in the director's namespace, one
# with -j. Events, and what must be printed for them:
#   real set out / in by hand   "real 10.0.2.13:0 state out"
#   real failed (passive)       "real 10.0.2.11:0 failed (ditched N)"
#   virtual failed: its only    "virtual tcp 192.0.2.10:80 failed"
#     real failed, no backup
#   a probe got through         "real 10.0.2.11:0 recovered",
#                               "virtual 192.0.2.10:80 tcp recovered"
# and `ldctl -j show` reports the virtual failed while it is.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http

RETRY=2
lds <<CMDS
config set syn-resends 1 retry-interval $RETRY
real add ${REAL[1]} fail-threshold 1
real add ${REAL[2]}
real add ${REAL[3]}
virtual add tcp $VIP:80 sched rr
link add tcp $VIP:80 real ${REAL[1]} port 80
CMDS

bg "$NS_D" ldctl monitor >"$T/mon"
bg "$NS_D" ldctl -j monitor >"$T/mon.json"

# seen FILE LINE: LINE is a whole line of FILE
seen() { grep -qxF -- "$2" "$1"; }

# The monitors subscribe at some point after they start: toggle real3
# until both have printed its state change.
log "state set by hand"
synced=0
for ((i = 0; i < 20; i++)); do
	ld real set "${REAL[3]}" state out
	if wait_for 1 seen "$T/mon" "real ${REAL[3]}:0 state out" &&
	   wait_for 1 grep -q '"state":"out"' "$T/mon.json"; then
		synced=1
		break
	fi
	ld real set "${REAL[3]}" state in
done
((synced)) || fail "no monitor printed real3's state change: $(cat "$T/mon" "$T/mon.json")"
ok "monitor: real ${REAL[3]}:0 state out"
ld real set "${REAL[3]}" state in
wait_for 5 seen "$T/mon" "real ${REAL[3]}:0 state in" ||
	fail "no \"state in\" line: $(cat "$T/mon")"
ok "monitor: real ${REAL[3]}:0 state in"

log "real1, VIP:80's only real, fails"
expect_eq "VIP:80 failed before" false "$(virtual_field 80 tcp .failed)"
blackhole 1
# syn-resends 1: the client's second SYN resend (at 2 s, or 3 s without
# tcp_syn_linear_timeouts: 6.1) finds the conn ditched, which fails real1
# (fail-threshold 1). No other real: the client gets no answer.
pc curl -sS --connect-timeout 5 "http://$VIP/name" >/dev/null 2>&1 &&
	fail "a conn to the blackholed real1 succeeded"
# seen_re FILE ERE: a line of FILE matches ERE
seen_re() { grep -qxE -- "$2" "$1"; }
wait_for 5 seen_re "$T/mon" "real ${REAL[1]//./\\.}:0 failed \(ditched [1-9][0-9]*\)" ||
	fail "no \"failed\" line for real1: $(cat "$T/mon")"
ok "monitor: $(grep -F "real ${REAL[1]}:0 failed" "$T/mon")"
wait_for 5 seen "$T/mon" "virtual tcp $VIP:80 failed" ||
	fail "no \"failed\" line for VIP:80: $(cat "$T/mon")"
ok "monitor: virtual tcp $VIP:80 failed"
expect_eq "real1 state" failed "$(real_field 1 .state)"
expect_eq "VIP:80 failed in ldctl -j show" true "$(virtual_field 80 tcp .failed)"
expect_match "ldctl show says failed" "^tcp +${VIP//./\\.}:80 +0 +rr +in +failed$" \
	"$(ld show | grep "^tcp  *$VIP:80 ")"
j=$(grep '"event":"real-failed"' "$T/mon.json") ||
	fail "no real-failed JSON event: $(cat "$T/mon.json")"
expect_eq "JSON real-failed event" "${REAL[1]} 0 failed true" \
	"$(jq -r '"\(.real) \(.["real_port"]) \(.state) \(.ditched >= 1)"' <<<"$j")"
j=$(grep '"event":"virtual-failed"' "$T/mon.json") ||
	fail "no virtual-failed JSON event: $(cat "$T/mon.json")"
expect_eq "JSON virtual-failed event" "$VIP 80 tcp" \
	"$(jq -r '"\(.virtual) \(.["virtual_port"]) \(.protocol)"' <<<"$j")"

log "repaired: a probe gets through"
unblackhole 1
back=0
for ((i = 0; i < 4 * RETRY; i++)); do
	if pc curl -sS --fail --connect-timeout 3 --max-time 5 \
		"http://$VIP/name" >/dev/null 2>&1; then
		back=1
		break
	fi
	sleep 1
done
((back)) || fail "VIP:80 does not answer $((4 * RETRY)) s after real1's repair"
wait_for 5 seen "$T/mon" "real ${REAL[1]}:0 recovered" ||
	fail "no \"recovered\" line for real1: $(cat "$T/mon")"
ok "monitor: real ${REAL[1]}:0 recovered"
wait_for 5 seen "$T/mon" "virtual tcp $VIP:80 recovered" ||
	fail "no \"recovered\" line for VIP:80: $(cat "$T/mon")"
ok "monitor: virtual tcp $VIP:80 recovered"
expect_eq "VIP:80 failed after" false "$(virtual_field 80 tcp .failed)"
log "monitor output:"
sed 's/^/#   /' "$T/mon"
# every -j line is one JSON object
expect_eq "JSON lines that jq rejects" 0 \
	"$(jq -c . "$T/mon.json" >/dev/null 2>&1 && echo 0 || echo bad)"
grep -q '"event":"real-recovered"' "$T/mon.json" ||
	fail "no real-recovered JSON event: $(cat "$T/mon.json")"
ok "JSON: real-recovered"
