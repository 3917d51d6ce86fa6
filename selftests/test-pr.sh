#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# The predicted response scheme "pr" with real traffic (seed 001 Fig. 4B,
# 9; seed 000 claims 5-12; topology: lib.sh):
#   PR = NC * R - (now - agestamp) / k, the smallest wins, where R is the
#   measured response time per connection.
# real2's link is delayed by netem (each packet towards it: 300 ms, or
# 10 x the fast reals' R on a slow guest), so its R is large: under
# concurrent load it must get clearly fewer new conns
# than each fast real (rr or a scheme blind to R gives it a third). After
# the delay is gone, it must win conns back: aging (f(dt) = dt / k) makes
# a real whose R is old attractive again, and fast samples bring R down.
# `ldctl -j real` must show R (response-us) for every real that served,
# and real2's must be the largest.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
modprobe sch_netem 2>/dev/null || true
setup_topology
start_servers http

lds <<CMDS
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
virtual add tcp $VIPB:80 sched pr
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
link add tcp $VIPB:80 real ${REALB[3]} port 80
CMDS
expect_eq "virtual sched" pr "$(virtual_field 80 tcp .sched)"

# How fast are the fast reals on this guest (TCG, KASAN...)? Measured
# through VIP:81 without real2, so that real2 has no R yet and its first
# sample sets it whole (later ones move it by at most pr-clamp percent).
lds <<CMDS
virtual add tcp $VIPB:81 sched rr
link add tcp $VIPB:81 real ${REALB[1]} port 80
link add tcp $VIPB:81 real ${REALB[3]} port 80
CMDS
par_names 2 4 :81 >/dev/null
read -r f1 f2 f3 <<<"$(real_fields '.["response_us"]')"
expect_eq "real2 not measured yet" 0 "$f2"
fast=$((f1 > f3 ? f1 : f3))
delay=$((fast / 100 > 300 ? fast / 100 : 300))
log "fast reals' R: $f1 $f3 us; real2's delay: $delay ms"
# netem is in every kernel the harness boots: a tc failure is a failure
pd tc qdisc add dev r2 root netem delay "${delay}ms"

# Four clients, each a sequence of short conns: NC > 0 on the reals, so
# that NC * R tells them apart (with NC = 0 everywhere only age would).
log "phase 1: real2 delayed by $delay ms"
names=$(par_names 4 20)
read -r c1 c2 c3 <<<"$(tally "$names")"
log "answers per real with real2 slow: $c1 $c2 $c3"
expect_eq "phase 1: every request answered" 80 $((c1 + c2 + c3))
((c2 * 2 < c1 && c2 * 2 < c3)) ||
	fail "phase 1: slow real2 got $c2 conns, fast real1 $c1, real3 $c3 (want < half of each)"
ok "phase 1: slow real2 got $c2 conns, fewer than half of real1's $c1 and real3's $c3"

read -r r1 r2 r3 <<<"$(real_fields '.["response_us"]')"
log "R (response-us) per real: $r1 $r2 $r3"
expect_ge "real1 R > 0" 1 "$r1"
expect_ge "real3 R > 0" 1 "$r3"
# The delay is in every interval real2 is sampled on (client data ->
# real's data); R = I / NC, NC at most a few here.
expect_ge "real2 R ($delay ms delay, NC <= 4)" $((delay * 1000 / 4)) "$r2"
((r2 > 2 * r1 && r2 > 2 * r3)) ||
	fail "real2's R $r2 us is not clearly above real1's $r1 and real3's $r3"
ok "real2's R $r2 us > 2 x real1's $r1 and real3's $r3"
pr_vals=$(real_fields '.pr')
expect_match "PR reported for every real" '^-?[0-9]+ -?[0-9]+ -?[0-9]+$' "$pr_vals"
expect_match "age-ms reported" '^[0-9]+ [0-9]+ [0-9]+$' "$(real_fields '.["age_ms"]')"
expect_match "ldctl real shows R and PR" "response-us $r2 .*pr -?[0-9]+" \
	"$(ld real | grep -F "${REALB[2]}:")"

log "phase 2: the delay is gone"
pd tc qdisc del dev r2 root
# Let real2's R age a little (k = 4: 1 s of age is worth 250 ms of R).
sleep 1
names=$(par_names 4 20)
read -r d1 d2 d3 <<<"$(tally "$names")"
log "answers per real with real2 fast again: $d1 $d2 $d3"
expect_eq "phase 2: every request answered" 80 $((d1 + d2 + d3))
((d2 > c2)) || fail "phase 2: real2 got $d2 conns, not more than the $c2 of phase 1"
((d2 * 2 >= d1 || d2 * 2 >= d3)) ||
	fail "phase 2: real2 got $d2 conns, still less than half of real1's $d1 and real3's $d3"
ok "phase 2: real2 won conns back: $d2 (was $c2), real1 $d1, real3 $d3"
r2b=$(real_field 2 '.["response_us"]')
((r2b < r2)) || fail "real2's R did not come down: $r2b us (was $r2)"
ok "real2's R came down: $r2b us (was $r2)"

expect_eq "stats drop-no-real" 0 "$(gstat drop-no-real)"
