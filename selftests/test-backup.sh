#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Backups, max conns and the idle timeout (seed 001 vars 373-375; seed 002
# para. 17-18; topology: lib.sh):
#   - real1 names real3 as its backup; real3 serves no virtual itself.
#     While real1 is out of service, the new conns it would have had go
#     to real3; set in again, real1 takes them back and real3 none.
#   - VIP:80 names the "sorry" virtual VIP:81 (served by real3) as its
#     backup: while none of VIP:80's reals is usable, its new conns go
#     to VIP:81; once one is back, VIP:80 takes them back. Without the
#     backup, the same SYNs are dropped.
#   - max conns: real1 (maxconns 2, weight 100 under wrr) holds two
#     long-lived conns; the third goes to real2, and after one of the two
#     closes, real1 is chosen again.
#   - idle timeout: real2's (60 s) replaces timeout-est for its conns.
#   - flushes: deleting a virtual also removes the conns its backup
#     virtual took for it, and `real del ... flush` also removes the conns
#     a real took as another real's backup (each conn stays open at the
#     client meanwhile, so only the flush can remove it).
# Several ldctl commands go through one `ldctl restore` (lds, lib.sh):
# each process costs a lot under TCG.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http who

# conns stay in the table (long closing timeouts): live-conn counts are exact
lds <<CMDS
config set timeout-fin 600 timeout-time-wait 600 timeout-close 600
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
real set ${REALB[1]} backup ${REALB[3]}
virtual add tcp $VIPB:80 sched rr
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
CMDS
expect_eq "backups of real1 real2 real3" "${REALB[3]}:0 null null" "$(real_fields .backup)"

names=$(http_names 4)
expect_eq "before: new conns per real" "2 2 0" "$(tally "$names")"

log "real1 out: its backup real3 takes its conns"
backups=$(gstat backup)
ld real set "${REALB[1]}" state out
names=$(http_names 6)
read -r c1 c2 c3 <<<"$(tally "$names")"
log "new conns per real with real1 out: $c1 $c2 $c3"
expect_eq "real1 (out) new conns" 0 "$c1"
expect_ge "real3 (real1's backup) new conns" 1 "$c3"
expect_eq "every request answered" 6 $((c1 + c2 + c3))
expect_ge "stats backup grew by real3's conns" $((backups + c3)) "$(gstat backup)"
# real3 serves no virtual: its conns are the ones it took for real1, on
# real1's link (link counters) but counted on real3 (real counters)
expect_eq "live conns of real1 real2 real3" "2 $((2 + c2)) $c3" "$(real_fields .conns)"
expect_eq "conns created for real1 real2 real3" "2 $((2 + c2)) $c3" \
	"$(real_fields .stats.conns)"
expect_eq "conns through real1's link" $((2 + c3)) "$(link_field 80 tcp 1 .stats.conns)"

log "real1 in: it takes its conns back"
ld real set "${REALB[1]}" state in
names=$(http_names 4)
expect_eq "after: new conns per real" "2 2 0" "$(tally "$names")"

log "a sorry virtual"
lds <<CMDS
real set ${REALB[1]} backup none state out
real set ${REALB[2]} state out
virtual add tcp $VIPB:81 sched rr
link add tcp $VIPB:81 real ${REALB[3]} port 80
virtual set tcp $VIPB:80 backup $VIPB:81
CMDS
expect_eq "real1 backup after none" null "$(real_field 1 .backup)"
names=$(http_names 4)
expect_eq "all of VIP:80's reals out: new conns go to the sorry server" \
	"0 0 4" "$(tally "$names")"
j=$(ld -j show)
expect_eq "VIP:80 backup, failed; VIP:81 link conns" "$VIPB:81 false 4" \
	"$(jq -r --arg vip "$VIP" '[.virtuals[] | select(.address == $vip)]
		| (.[] | select(.port == 80) | "\(.backup) \(.failed)") + " " +
		  (.[] | select(.port == 81) | .links[0].stats.conns | tostring)' <<<"$j")"
ld real set "${REALB[2]}" state in
names=$(http_names 4)
expect_eq "real2 back in: VIP:80 takes its conns back" "0 4 0" "$(tally "$names")"
lds <<CMDS
virtual set tcp $VIPB:80 backup none
real set ${REALB[2]} state out
CMDS
expect_eq "VIP:80 backup after none" null "$(virtual_field 80 tcp .backup)"
drops=$(gstat drop-no-real)
pc curl -sS --connect-timeout 1.5 "http://$VIPB/name" >/dev/null 2>&1 &&
	fail "VIP:80 answered with every real out and no backup"
expect_ge "without a backup the SYNs are dropped" $((drops + 1)) "$(gstat drop-no-real)"

log "max conns, idle timeout"
lds <<CMDS
real set ${REALB[1]} state in maxconns 2 weight 100
real set ${REALB[2]} state in idle-timeout 60
virtual add tcp $VIPB:8 sched wrr
link add tcp $VIPB:8 real ${REALB[1]} port 8
link add tcp $VIPB:8 real ${REALB[2]} port 8
CMDS
conn_open A
conn_open B
expect_eq "A and B (wrr 100:1) go to" "real1 real1" "$(conn_real A) $(conn_real B)"
conn_open C
# var 374: real2's idle timeout replaces timeout-est for its conns (60 s,
# long enough for a slow guest to see the conn before it expires)
j=$(ld -j conns)
expect_eq "C (real1 at maxconns 2) goes to" real2 "$(conn_real C)"
est=$(jq -r --arg r "${REAL[2]}" '[.[] | select(.real == $r and .state == "established")
	| .["expires_ms"]] | max' <<<"$j")
if ! [[ $est =~ ^[0-9]+$ ]] || ((est == 0 || est > 60000)); then
	fail "C's conn to real2 (idle-timeout 60) expires in $est ms"
fi
ok "C's conn to real2 (idle-timeout 60) expires in $est ms"
est=$(jq -r --arg r "${REAL[1]}" '[.[] | select(.real == $r and .state == "established")
	| .["expires_ms"]] | min' <<<"$j")
expect_ge "A's and B's conns to real1 (timeout-est $(gconfig timeout-est) s) expire after" \
	120000 "$est"
expect_eq "real1 active stays at its max" 2 "$(real_field 1 .active)"
conn_close A
conn_open D
expect_eq "D (real1 below its max again) goes to" real1 "$(conn_real D)"

log "flushes follow backups"
conn_close B
conn_close C
conn_close D
lds <<CMDS
config set timeout-fin 1 timeout-time-wait 1 timeout-close 1
real set ${REALB[1]} maxconns 0 state in
real set ${REALB[2]} state in idle-timeout 0
virtual add tcp $VIPB:9 sched rr
link add tcp $VIPB:9 real ${REALB[3]} port 8
virtual set tcp $VIPB:8 backup $VIPB:9
real set ${REALB[1]} state out
real set ${REALB[2]} state out
CMDS
conn_open F
expect_eq "F (VIP:8's reals out) goes to VIP:9's" real3 "$(conn_real F)"
expect_eq "F's conn, through VIP:9's link" 1 \
	"$(nconns ".real == \"${REAL[3]}\" and .state == \"established\"")"
ld virtual del tcp "$VIPB:8"
expect_eq "VIP:8 deleted: the conn its backup took goes too" 0 \
	"$(nconns ".real == \"${REAL[3]}\" and .state == \"established\"")"
conn_kill F

lds <<CMDS
virtual add tcp $VIPB:8 sched rr
link add tcp $VIPB:8 real ${REALB[1]} port 8
real set ${REALB[1]} backup ${REALB[3]}
CMDS
conn_open G
expect_eq "G (real1 out) goes to its backup" real3 "$(conn_real G)"
expect_eq "G's conn, through real1's link" 1 \
	"$(nconns ".real == \"${REAL[3]}\" and .state == \"established\"")"
ld real del "${REALB[3]}" flush
expect_eq "real3 deleted with flush: the conn it took as a backup goes" 0 \
	"$(nconns ".real == \"${REAL[3]}\"")"
expect_eq "real1's link stays" 1 "$(jq '[.virtuals[] | select(.port == 8) | .links[]] | length' <<<"$(ld -j show)")"
conn_kill G
