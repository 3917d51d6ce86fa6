#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# The startup scheme (seed 001 Fig. 7A steps 732-739; topology: lib.sh).
# real1 and real2 carry two long-lived conns each; real3 carries none, as
# a real just added would. Under wlc every new conn goes to real3 (the
# control: 16 of 16). With `startup rr startup-pct 25 startup-window 8`,
# once real3 has had 25% of the virtual's last 8 new conns, round robin
# chooses instead, so real3 takes clearly fewer of the 16. Both halves are
# asserted, so the test fails if the startup condition does nothing.
#
# The long-lived conns go through VIP:8 (the "who" service, wlc on real1
# and real2); the load they put on the reals (NC) is the reals' own, so
# it counts for the virtuals VIP:80 (control) and VIP:81 (startup) too,
# which serve HTTP from all three reals.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http who

lds <<CMDS
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
virtual add tcp $VIPB:8 sched wlc
link add tcp $VIPB:8 real ${REALB[1]} port 8
link add tcp $VIPB:8 real ${REALB[2]} port 8
CMDS
got=()
for id in A B C D; do
	conn_open "$id"
	got+=("$(conn_real "$id")")
done
expect_eq "long-lived conns (wlc over real1 real2)" "real1 real2 real1 real2" "${got[*]}"
expect_eq "real active" "2 2 0" "$(real_fields .active)"

N=16
log "control: wlc, no startup scheme"
lds <<CMDS
virtual add tcp $VIPB:80 sched wlc
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
link add tcp $VIPB:80 real ${REALB[3]} port 80
CMDS
expect_eq "VIP:80 startup" none "$(virtual_field 80 tcp .startup)"
names=$(http_names $N)
read -r c1 c2 c3 <<<"$(tally "$names")"
expect_eq "control: new conns per real (real3 takes all)" "0 0 $N" "$c1 $c2 $c3"

log "startup rr startup-pct 25 startup-window 8"
lds <<CMDS
virtual add tcp $VIPB:81 sched wlc startup rr startup-pct 25 startup-window 8
link add tcp $VIPB:81 real ${REALB[1]} port 80
link add tcp $VIPB:81 real ${REALB[2]} port 80
link add tcp $VIPB:81 real ${REALB[3]} port 80
CMDS
expect_eq "VIP:81 startup settings" "rr 25 8" \
	"$(virtual_field 81 tcp '"\(.startup) \(.["startup_pct"]) \(.["startup_window"])"')"
names=$(http_names $N "$VIPB:81")
read -r s1 s2 s3 <<<"$(tally "$names")"
log "startup: new conns per real: $s1 $s2 $s3"
expect_eq "startup: every request answered" $N $((s1 + s2 + s3))
expect_ge "startup: real3 still gets conns" 1 "$s3"
((s3 <= N * 5 / 8)) ||
	fail "startup: real3 got $s3 of $N new conns (control $c3; want <= $((N * 5 / 8)))"
ok "startup: real3 got $s3 of $N new conns (control: $c3)"
expect_ge "startup: real1 and real2 got the rest" $((N * 3 / 8)) $((s1 + s2))
expect_eq "real active after (long-lived conns only)" "2 2 0" "$(real_fields .active)"

log "startup none turns it off again"
ld virtual set tcp "$VIPB:81" startup none
names=$(http_names 8 "$VIPB:81")
expect_eq "startup none: new conns per real" "0 0 8" "$(tally "$names")"

for id in A B C D; do
	conn_close "$id"
done
expect_eq "stats drop-no-real" 0 "$(gstat drop-no-real)"
