#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Spoofed SYN bursts and passive failure detection (topology: lib.sh;
# ldtcp: selftests/tools/ldtcp.c). The client sends SYNs from spoofed
# sources in 198.51.100.0/24, which the director routes back to it (the
# client drops the SYN-ACKs: they are not for its address). Every real
# answers 50 ms late (netem on its side).
#   - back-to-back copies of one SYN are one SYN: bursts of 3 tuples x 4
#     SYNs, repeated, ditch no conn and fail no real and no virtual
#     (with syn-resend-gap 0, every SYN counting, the same burst ditches);
#   - a real whose SYNs are really blackholed is still failed by resends
#     spaced as a client spaces them;
#   - a real a probe brought back is held in service for a retry interval:
#     ditches in a row do not fail it again before that, and do after.
# IPv6: the spoofed sources are in 2001:db8:ff00::/64.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http
modprobe sch_netem 2>/dev/null || true

RETRY=6
# spoof N: the Nth spoofed source
if [[ $LDIR_FAMILY == 6 ]]; then
	SPOOF_NET=2001:db8:ff00::/64
	spoof() { echo "2001:db8:ff00::$1"; }
else
	SPOOF_NET=198.51.100.0/24
	spoof() { echo "198.51.100.$1"; }
fi
lds <<CMDS
config set retry-interval $RETRY
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
virtual add tcp $VIPB:80 sched rr
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
link add tcp $VIPB:80 real ${REALB[3]} port 80
virtual add tcp $VIPB:81 sched rr
link add tcp $VIPB:81 real ${REALB[2]} port 80
CMDS
expect_eq "defaults: syn-resends syn-resend-gap fail-threshold" "2 500 3 3 3" \
	"$(gconfig syn-resends) $(gconfig syn-resend-gap) $(real_fields '.["fail_threshold"]')"
pd ip route add "$SPOOF_NET" via "$CLIENT"
for n in 1 2 3; do
	pr "$n" tc qdisc add dev eth0 root netem delay 50ms
done

# burst SRC SPORT [ROUNDS GAP_MS [PORT]]: 3 tuples from SRC:SPORT.., each
# sending ROUNDS (4) copies of its SYN GAP_MS (0) apart, to VIP:PORT (80)
burst()
{
	pc ldtcp syn "$1" "$VIP" "${5:-80}" "$2" 3 "${3:-4}" "${4:-0}"
}

# states: the reals' states and VIP:80's and VIP:81's failed flags
states()
{
	echo "$(real_fields .state) $(virtual_field 80 tcp .failed) $(virtual_field 81 tcp .failed)"
}

log "spoofed bursts: 3 tuples x 4 back-to-back SYNs, three times, then again"
for ((i = 0; i < 3; i++)); do
	burst "$(spoof $((i + 1)))" 40000
	sleep 0.2
done
sleep 0.5
for ((i = 0; i < 3; i++)); do
	burst "$(spoof $((i + 1)))" 40000
done
sleep 0.5
expect_eq "conns (one per tuple, answered)" 9 "$(nconns '.state == "syn_recv"')"
expect_eq "stats ditched" 0 "$(gstat ditched)"
expect_eq "real ditched" "0 0 0" "$(real_fields .ditched)"
expect_eq "states" "in in in false false" "$(states)"
expect_eq "every real answers" "1 1 1" "$(tally "$(http_names 3)")"

log "the same burst with syn-resend-gap 0: every SYN counts"
ld config set syn-resend-gap 0
burst "$(spoof 10)" 40000
sleep 0.5
expect_eq "stats ditched (each tuple, its 4th SYN)" 3 "$(gstat ditched)"
ld config set syn-resend-gap 500

log "a blackholed real: SYNs resent 0.6 s apart"
blackhole 2
# VIP:81 has real2 alone: 3 tuples, each a SYN and 3 resends
burst "$(spoof 20)" 41000 4 600 81
j=$(ld -j real)
expect_ge "real2 ditched" 3 "$(jreal "$j" 2 .ditched)"
expect_eq "real2 state" failed "$(jreal "$j" 2 .state)"
expect_eq "VIP:81 failed" true "$(virtual_field 81 tcp .failed)"

log "repaired, a probe brings real2 back; held in service for $RETRY s"
unblackhole 2
probe_back()
{
	pc ldtcp syn "$(spoof 30)" "$VIP" 81 $((42000 + RANDOM % 1000)) 1 1 0
	sleep 0.3
	[[ $(real_field 2 .state) == in ]]
}
wait_for $((2 * RETRY + TMO)) probe_back || fail "real2 not back after its repair"
t0=$(date +%s%N)
ok "real2 back in service"
blackhole 2
burst "$(spoof 40)" 43000 4 600 81
j=$(ld -j real)
t1=$(date +%s%N)
# the probe's SYN-ACK came before t0, by less than a poll
(((t1 - t0) / 1000000 < RETRY * 1000 - 1500)) ||
	fail "the ditches took $(((t1 - t0) / 1000000)) ms: too slow to test the hold-down"
expect_ge "real2 ditch-consec" 3 "$(jreal "$j" 2 '.["ditch_consec"]')"
expect_eq "real2 held in service" in "$(jreal "$j" 2 .state)"
sleep $((RETRY + 1 - (t1 - t0) / 1000000000))
burst "$(spoof 50)" 44000 4 600 81
expect_eq "after the hold-down, real2 state" failed "$(real_field 2 .state)"
