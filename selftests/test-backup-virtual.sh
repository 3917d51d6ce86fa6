#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Backup virtuals that back each other up, and deleting a virtual that is
# another's backup (topology: lib.sh). VIP:80 (real1, real2) and VIP:81
# (real3) name each other as backup:
#   - VIP:80's reals out: its new conns go to VIP:81's real3, and the
#     other way round;
#   - every real out: a backup's backup is not followed (one level), so
#     the SYNs are dropped and counted, in both directions, and nothing
#     loops;
#   - VIP:81 deleted: VIP:80 has no backup any more (shown as null), its
#     SYNs are dropped rather than sent to the deleted virtual, and it
#     still serves once a real is in.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers http

lds <<CMDS
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
virtual add tcp $VIPB:80 sched rr
link add tcp $VIPB:80 real ${REALB[1]} port 80
link add tcp $VIPB:80 real ${REALB[2]} port 80
virtual add tcp $VIPB:81 sched rr
link add tcp $VIPB:81 real ${REALB[3]} port 80
virtual set tcp $VIPB:80 backup $VIPB:81
virtual set tcp $VIPB:81 backup $VIPB:80
CMDS
expect_eq "backups of VIP:80 VIP:81" "$VIPB:81 $VIPB:80" \
	"$(virtual_field 80 tcp .backup) $(virtual_field 81 tcp .backup)"
expect_eq "VIP:80 before" "2 2 0" "$(tally "$(http_names 4)")"
expect_eq "VIP:81 before" "0 0 2" "$(tally "$(http_names 2 "$VIPB:81")")"

log "VIP:80's reals out: its conns go to its backup VIP:81"
backups=$(gstat backup)
lds <<CMDS
real set ${REALB[1]} state out
real set ${REALB[2]} state out
CMDS
expect_eq "VIP:80 with its reals out" "0 0 4" "$(tally "$(http_names 4)")"
expect_eq "stats backup" $((backups + 4)) "$(gstat backup)"

log "VIP:81's real out, VIP:80's in: VIP:81's conns go to VIP:80"
lds <<CMDS
real set ${REALB[1]} state in
real set ${REALB[2]} state in
real set ${REALB[3]} state out
CMDS
expect_eq "VIP:81 with its real out" "2 2 0" "$(tally "$(http_names 4 "$VIPB:81")")"
expect_eq "stats backup" $((backups + 8)) "$(gstat backup)"

log "every real out: one level of backup, no loop"
ld real set "${REALB[1]}" state out
ld real set "${REALB[2]}" state out
drops=$(gstat drop-no-real)
for p in 80 81; do
	pc curl -sS --connect-timeout 1.5 "http://$VIPB:$p/name" >/dev/null 2>&1 &&
		fail "VIP:$p answered with every real out"
done
ok "neither VIP answers"
expect_ge "SYNs dropped for want of a real (both VIPs)" $((drops + 2)) "$(gstat drop-no-real)"
expect_eq "stats backup (a dropped SYN is no backup conn)" $((backups + 8)) "$(gstat backup)"

log "VIP:81, VIP:80's backup, deleted"
lds <<CMDS
real set ${REALB[3]} state in
virtual del tcp $VIPB:81
CMDS
expect_eq "virtuals left" "$VIP:80" \
	"$(ld -j show | jq -r '.virtuals | map("\(.address):\(.port)") | join(" ")')"
expect_eq "VIP:80's backup after VIP:81's delete" null "$(virtual_field 80 tcp .backup)"
drops=$(gstat drop-no-real)
pc curl -sS --connect-timeout 1.5 "http://$VIPB/name" >/dev/null 2>&1 &&
	fail "VIP:80 answered with its reals out and its backup deleted"
expect_ge "its SYNs are dropped" $((drops + 1)) "$(gstat drop-no-real)"
expect_eq "stats backup" $((backups + 8)) "$(gstat backup)"
if pc curl -sS --connect-timeout 1.5 "http://$VIPB:81/name" >/dev/null 2>&1; then
	fail "the deleted VIP:81 answered"
fi
ok "the deleted VIP:81 does not answer"

ld real set "${REALB[2]}" state in
expect_eq "VIP:80 with real2 back" "0 3 0" "$(tally "$(http_names 3)")"
