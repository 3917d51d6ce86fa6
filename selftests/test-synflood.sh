#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.1 6.12
#
# A spoofed SYN flood at a TCP virtual, at the highest rate the guest can
# send, while a bulk flow runs and a legitimate client opens conns at a
# steady rate; once with the default conn-max and once with a small one.
#
#   client ns ──veth── director (ldir) ──br0── real1..3
#   ldflood syn: SYNs to 192.0.2.10:80       ldflood sink :80 (accept, close)
#     from random 198.18.0.0/15 sources       iperf3 -s :5201 (real1)
#   ldflood conns: LEGIT_RATE conns/s to :80
#   iperf3 -c 192.0.2.10:5201
#
# The director routes 198.18.0.0/15 to a blackhole: the reals' SYN-ACKs
# to the spoofed sources go nowhere, so every flood conn stays embryonic
# (SYN_SENT, unanswered) until it expires or is evicted.
#
# Asserts, in each phase: the table never holds more than conn-max conns,
# nor more embryonic ones than the embryonic bound; the legitimate client
# gets >= LDIR_FLOOD_LEGIT_PCT per mille of its conns through (975: 78
# of 80) within LDIR_FLOOD_LEGIT_MS (7000: the client's SYN and its resends
# at 1 s and 3 s; the flood at the reals may cost a frame on the way, on
# the veths of one guest, to ldir or IPVS alike: 79 of 80 was seen once
# in about twenty runs on a loaded host, and a lockout loses them all);
# the bulk flow keeps >= LDIR_FLOOD_BULK_PCT percent of its rate before
# the flood (see BULK_PCT below). With the small conn-max the flood overflows the bound, so
# conns are evicted (embryonic-evicted) and the netns reports SYN
# pressure (the counter, the gauge and the pressure-start event).
#
# Knobs: LDIR_FLOOD_SECS (flood length, default 12; the figures use 20),
# LDIR_FLOOD_CONN_MAX (the small bound, 2000), LDIR_FLOOD_LEGIT_RATE (10
# conns/s), LDIR_FLOOD_PPS (0: as fast as the guest sends).
# IPv6: the same, the flood from 2001:db8:ffff::/48.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

FLOOD_SECS=${LDIR_FLOOD_SECS:-12}
SMALL_MAX=${LDIR_FLOOD_CONN_MAX:-2000}
LEGIT_RATE=${LDIR_FLOOD_LEGIT_RATE:-10}
LEGIT_PCT=${LDIR_FLOOD_LEGIT_PCT:-975}
LEGIT_MS=${LDIR_FLOOD_LEGIT_MS:-7000}
# Under TCG the flooder, the director, the reals and both ends of the bulk
# flow share the guest's two vCPUs: a flood at the top rate takes 40-80%
# of the CPU the bulk flow had, and IPVS in the same guest loses as much
# (BENCHMARKS.md, Resilience), so 90% cannot hold here; on a loaded host
# iperf3's rate also swings by 3x between runs. Measured over IPv6 on
# 6.1 beside another guest, the flow kept 3% to 16% of its rate (IPv4
# more), so a tenth failed runs that lost nothing. The default asserts
# that the flow moves data in every second of the flood, keeps 2% of its
# rate and that iperf3 completes: an established conn that were evicted,
# dropped or starved by ldir would stall, whatever the CPU. On real CPUs,
# with the flooder elsewhere, LDIR_FLOOD_BULK_PCT=90 is the target.
BULK_PCT=${LDIR_FLOOD_BULK_PCT:-2}
PPS=${LDIR_FLOOD_PPS:-0}
FLOOD_NET=198.18.0.0/15
SINK6=
if [[ $LDIR_FAMILY == 6 ]]; then
	FLOOD_NET=2001:db8:ffff::/48
	# the sink listens on IPv6
	SINK6=6
fi
# the legitimate client and the bulk flow start after the flood has
# filled the table, and end before it stops
BASE=4
WARMUP=3
MEASURE=$((FLOOD_SECS - WARMUP - 1))

lib_init
command -v ldflood >/dev/null || fail "ldflood not in the guest (selftests/tools)"
setup_topology
pd ip route add blackhole "$FLOOD_NET"
for k in all.rp_filter default.rp_filter outside.rp_filter; do
	sysctl_set "$NS_D" "net.ipv4.conf.$k" 0
done
for n in 1 2 3; do
	bg "${NS_R[$n]}" ldflood sink 80 $SINK6
done
bg "${NS_R[1]}" bash -c "exec iperf3 -s -p 5201 >/dev/null 2>&1"
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" tcp 80
done
wait_listen "${NS_R[1]}" tcp 5201
DMAC=$(ip -n "$NS_D" -j link show outside | jq -r '.[0].address')

lds <<CMDS
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
virtual add tcp $VIPB:80 sched rr
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
link add tcp $VIPB:80 real ${REALB[3]} port 80
virtual add tcp $VIPB:5201 sched rr
link add tcp $VIPB:5201 real ${REALB[1]} port 5201
CMDS

# the pressure events, for the whole test
nsx "$NS_D" ldctl -j monitor >"$T/events" 2>&1 &
BG_PIDS+=("$!")

# bulk_rate FROM TO [min]: iperf3's mean (or least) rate over its 1 s
# intervals in [FROM, TO) s of the run in $T/bulk.json, kbit/s
bulk_rate()
{
	jq -er --argjson a "$1" --argjson b "$2" --arg f "${3:-mean}" '
		[.intervals[].sum | select(.start >= $a - 0.5 and .end <= $b + 0.5)
		 | .bits_per_second]
		| if $f == "min" then min else add / length end / 1000 | floor' "$T/bulk.json"
}

# sample SECONDS: every 0.5 s, "conn-count embryonic-count pressure" from
# ldctl, one a line, to $T/samples
sample()
{
	local end=$((SECONDS + $1))

	: >"$T/samples"
	while ((SECONDS < end)); do
		ld -j stats | jq -r '.config | "\(.["conn_count"]) \(.["embryonic_count"]) \(.pressure)"' \
			>>"$T/samples" || true
		sleep 0.5
	done
}

# phase NAME: a flood with the current settings. One iperf3 run spans
# it: BASE s before the flood, then the flood; sets LEGIT, BULK0 (before)
# and BULK1 (from WARMUP s into the flood to its last second), MAXCONNS,
# MAXEMB, SENT
phase()
{
	local name=$1 out pid_bulk pid_flood pid_legit pid_sample

	log "$name: bulk flow, then a flood of $FLOOD_SECS s"
	nsx "$NS_C" timeout $((BASE + FLOOD_SECS + TMO)) iperf3 -c "$VIP" -p 5201 \
		-t $((BASE + FLOOD_SECS)) -i 1 -J >"$T/bulk.json" 2>&1 &
	pid_bulk=$!
	sleep "$BASE"
	nsx "$NS_C" ldflood syn eth0 "$DMAC" "$VIP" 80 "$FLOOD_NET" "$FLOOD_SECS" "$PPS" \
		>"$T/flood.out" 2>&1 &
	pid_flood=$!
	sample "$FLOOD_SECS" &
	pid_sample=$!
	sleep "$WARMUP"
	nsx "$NS_C" ldflood conns "$VIP" 80 "$LEGIT_RATE" "$MEASURE" "$LEGIT_MS" \
		>"$T/legit.out" 2>&1 &
	pid_legit=$!
	wait "$pid_legit" || fail "$name: ldflood conns: $(cat "$T/legit.out")"
	wait "$pid_flood" || fail "$name: ldflood syn: $(cat "$T/flood.out")"
	wait "$pid_bulk" || fail "$name: iperf3: $(head -c 300 "$T/bulk.json")"
	wait "$pid_sample" || true
	BULK0=$(bulk_rate 1 "$BASE")
	BULK1=$(bulk_rate $((BASE + WARMUP)) $((BASE + FLOOD_SECS - 1)))
	BULKMIN=$(bulk_rate "$BASE" $((BASE + FLOOD_SECS)) min)
	out=$(cat "$T/legit.out")
	LEGIT=$(sed -n 's/.* pct \([0-9]*\)$/\1/p' <<<"$out")
	SENT=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$T/flood.out")
	MAXCONNS=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$T/samples")
	MAXEMB=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$T/samples")
	log "$name: flood $(cat "$T/flood.out"); legit $out; bulk $BULK0 -> $BULK1 (least second $BULKMIN) kbit/s;" \
		"conns max $MAXCONNS, embryonic max $MAXEMB ($(wc -l <"$T/samples") samples)"
	log "$name: $(ld -j stats | jq -c '.stats | {conns, drop_conn_limit, embryonic_evicted, drop_syn_pressure, pressure_starts, conns_expired}')"
	[[ -n "$SENT" && -n "$LEGIT" ]] || fail "$name: no figures from ldflood"
	expect_ge "$name: flood SYNs sent" 1000 "$SENT"
	expect_ge "$name: legitimate conns through (per mille)" "$LEGIT_PCT" "$LEGIT"
	expect_ge "$name: bulk rate during the flood (kbit/s, $BULK_PCT% of $BULK0)" \
		$((BULK0 * BULK_PCT / 100)) "$BULK1"
	expect_ge "$name: the bulk flow's least second in the flood (kbit/s)" 1 "$BULKMIN"
}

log "default conn-max $(gconfig conn-max), embryonic bound half of it"
expect_eq "embryonic-max (0: half of conn-max)" 0 "$(gconfig embryonic-max)"
expect_eq "timeout-syn-pressure" 3 "$(gconfig timeout-syn-pressure)"
phase default
expect_ge "default: the flood's conns were held" $((SENT / 4)) "$MAXCONNS"
(( MAXCONNS <= $(gconfig conn-max) )) || fail "default: $MAXCONNS conns over conn-max"

log "conn-max $SMALL_MAX"
ld flush conns
ld config set conn-max "$SMALL_MAX"
evicted=$(gstat embryonic-evicted)
pressure=$(gstat pressure-starts)
phase small
(( MAXCONNS <= SMALL_MAX )) || fail "small: $MAXCONNS conns over conn-max $SMALL_MAX"
ok "small: at most $MAXCONNS conns (conn-max $SMALL_MAX)"
# the embryonic bound is checked, then taken: CPUs that check at once may
# each take the last place, so it holds to within one conn per CPU
ncpu=$(grep -c ^processor /proc/cpuinfo)
(( MAXEMB <= SMALL_MAX / 2 + ncpu )) ||
	fail "small: $MAXEMB embryonic conns over $((SMALL_MAX / 2)) + $ncpu CPUs"
ok "small: at most $MAXEMB embryonic conns (bound $((SMALL_MAX / 2)))"
expect_ge "small: the flood filled the embryonic bound" $((SMALL_MAX * 9 / 20)) "$MAXEMB"
expect_ge "small: embryonic conns evicted" $((evicted + 1)) "$(gstat embryonic-evicted)"
expect_ge "small: SYN pressure counted" $((pressure + 1)) "$(gstat pressure-starts)"
grep -q '1$' "$T/samples" || fail "small: the pressure gauge never showed 1"
ok "small: the pressure gauge showed 1"

log "after the flood: pressure ends, the embryonic conns go"
# shellcheck disable=SC2016 # evaluated by wait_for, each time
wait_for 20 eval '[[ $(gconfig pressure) == 0 ]]' ||
	fail "SYN pressure did not end: $(ld -j stats | jq -c .config)"
ok "pressure 0"
grep -q '"event":"pressure-start"' "$T/events" ||
	fail "no pressure-start event: $(head -c 300 "$T/events")"
wait_for 5 grep -q '"event":"pressure-end"' "$T/events" ||
	fail "no pressure-end event: $(head -c 300 "$T/events")"
ok "pressure-start and pressure-end events"
out=$(nsx "$NS_C" ldflood conns "$VIP" 80 20 1)
expect_match "new conns after the flood" 'failed 0 ' "$out"
