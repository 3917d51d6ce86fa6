#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Backups and max conns (seed 001 vars 373, 375; seed 002 para. 17-18;
# topology: lib.sh):
#   - real1 names real3 as its backup; real3 serves no virtual itself.
#     While real1 is out of service, the new conns it would have had go
#     to real3; set in again, real1 takes them back and real3 none.
#   - VIP:80 names the "sorry" virtual VIP:81 (served by real3) as its
#     backup: while none of VIP:80's reals is usable, its new conns go
#     to VIP:81; once one is back, VIP:80 takes them back.
#   - max conns: real1 (maxconns 2, weight 100 under wrr) holds two
#     long-lived conns; the third goes to real2, and after one of the two
#     closes, real1 is chosen again.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http who

# conns stay in the table (long closing timeouts): live-conn counts are exact
ld config set timeout-fin 600 timeout-time-wait 600 timeout-close 600
add_reals
ld real set "${REAL[1]}" backup "${REAL[3]}"
expect_eq "real1 backup" "${REAL[3]}:0" "$(real_field 1 .backup)"
expect_eq "real2 backup" null "$(real_field 2 .backup)"
add_service 80 tcp rr "1 2"

names=$(http_names 4)
expect_eq "before: new conns per real" "2 2 0" "$(tally "$names")"

log "real1 out: its backup real3 takes its conns"
backups=$(gstat backup)
ld real set "${REAL[1]}" state out
names=$(http_names 6)
read -r c1 c2 c3 <<<"$(tally "$names")"
log "new conns per real with real1 out: $c1 $c2 $c3"
expect_eq "real1 (out) new conns" 0 "$c1"
expect_ge "real3 (real1's backup) new conns" 1 "$c3"
expect_eq "every request answered" 6 $((c1 + c2 + c3))
expect_ge "stats backup grew by real3's conns" $((backups + c3)) "$(gstat backup)"
# real3 serves no virtual: its conns are the ones it took for real1 (the
# traffic counters are the links', so they stay on real1's link)
expect_eq "real3's live conns" "$c3" "$(real_field 3 .conns)"
expect_eq "real1's link counted every conn it scheduled" $((2 + c3)) \
	"$(link_field 80 tcp 1 .stats.conns)"

log "real1 in: it takes its conns back"
ld real set "${REAL[1]}" state in
names=$(http_names 4)
expect_eq "after: new conns per real" "2 2 0" "$(tally "$names")"

log "backup none"
ld real set "${REAL[1]}" backup none
expect_eq "real1 backup after none" null "$(real_field 1 .backup)"

log "a sorry virtual"
ld virtual add "$VIP:81" tcp sched rr
ld link add "$VIP:81" tcp "${REAL[3]}:80"
ld virtual set "$VIP:80" tcp backup "$VIP:81"
expect_eq "VIP:80 backup" "$VIP:81" "$(virtual_field 80 tcp .backup)"
ld real set "${REAL[1]}" state out
ld real set "${REAL[2]}" state out
names=$(http_names 4)
expect_eq "all of VIP:80's reals out: new conns go to the sorry server" \
	"0 0 4" "$(tally "$names")"
expect_eq "VIP:80 with a backup virtual is not failed" false \
	"$(virtual_field 80 tcp .failed)"
expect_eq "VIP:81's link counted them" 4 "$(link_field 81 tcp 3 .stats.conns)"
ld real set "${REAL[2]}" state in
names=$(http_names 4)
expect_eq "real2 back in: VIP:80 takes its conns back" "0 4 0" "$(tally "$names")"
ld real set "${REAL[1]}" state in
names=$(http_names 4)
expect_eq "both back: rr over real1 real2" "2 2 0" "$(tally "$names")"
ld virtual set "$VIP:80" tcp backup none
expect_eq "VIP:80 backup after none" null "$(virtual_field 80 tcp .backup)"
ld real set "${REAL[1]}" state out
ld real set "${REAL[2]}" state out
drops=$(gstat drop-no-real)
pc curl -sS --connect-timeout 2 "http://$VIP/name" >/dev/null 2>&1 &&
	fail "VIP:80 answered with every real out and no backup"
expect_ge "without a backup the SYNs are dropped" $((drops + 1)) "$(gstat drop-no-real)"
ld real set "${REAL[1]}" state in
ld real set "${REAL[2]}" state in

log "max conns"
ld real set "${REAL[1]}" maxconns 2 weight 100
ld virtual add "$VIP:8" tcp sched wrr
ld link add "$VIP:8" tcp "${REAL[1]}:8"
ld link add "$VIP:8" tcp "${REAL[2]}:8"
conn_open A
conn_open B
expect_eq "A and B (wrr 100:1) go to" "real1 real1" "$(conn_real A) $(conn_real B)"
expect_eq "real1 active" 2 "$(real_field 1 .active)"
conn_open C
expect_eq "C (real1 at maxconns 2) goes to" real2 "$(conn_real C)"
expect_eq "real1 active stays at its max" 2 "$(real_field 1 .active)"
conn_close A
conn_open D
expect_eq "D (real1 below its max again) goes to" real1 "$(conn_real D)"
for id in B C D; do
	conn_close "$id"
done
