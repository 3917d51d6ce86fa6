#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# The conn table bound, end to end (topology: lib.sh). With conn-max 3 and
# three long-lived conns to the "who" service, a fourth client cannot
# connect: its SYNs are dropped and counted (drop-conn-limit), no conn is
# made for it, and the three established conns keep working. Once one of
# them has closed and its conn expired (short closing timeouts, the GC
# worker), a new conn gets in again; raising conn-max lets more in; conns
# closed later expire as well (the GC worker requeues itself).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers who

lds <<CMDS
config set conn-max 3 timeout-fin 1 timeout-time-wait 1 timeout-close 1
real add ${REALB[1]}
real add ${REALB[2]}
real add ${REALB[3]}
virtual add tcp $VIPB:8 sched rr
link add tcp $VIPB:8 real ${REALB[1]} port 8
link add tcp $VIPB:8 real ${REALB[2]} port 8
link add tcp $VIPB:8 real ${REALB[3]} port 8
CMDS
expect_eq "config conn-max" 3 "$(gconfig conn-max)"

conn_open A
conn_open B
conn_open C
expect_eq "A B C go to" "real1 real2 real3" "$(conn_real A) $(conn_real B) $(conn_real C)"
expect_eq "conn-count at the bound" 3 "$(gconfig conn-count)"
expect_eq "conns listed" 3 "$(nconns)"

log "the table is full"
limit=$(gstat drop-conn-limit)
conns=$(gstat conns)
# socat retries nothing: the kernel resends the SYN (1 s, 2 s...)
if pc timeout "$TMO" socat -T 3 - "TCP:$VIPB:8,connect-timeout=3" </dev/null >/dev/null 2>&1; then
	fail "a fourth conn got in with conn-max 3"
fi
ok "a fourth client cannot connect"
expect_ge "stats drop-conn-limit (its SYNs)" $((limit + 1)) "$(gstat drop-conn-limit)"
expect_eq "stats conns (none made for it)" "$conns" "$(gstat conns)"
expect_eq "conn-count still at the bound" 3 "$(gconfig conn-count)"
for c in A B C; do
	conn_echoes "$c" "full $c" || fail "conn $c stopped working while the table is full"
done
ok "A B C still echo"

log "a conn closes and expires: room for one more"
conn_close A
# shellcheck disable=SC2016 # evaluated by wait_for, each time
wait_for "$TMO" eval '(( $(gconfig conn-count) == 2 ))' ||
	fail "A's conn did not leave the table: conn-count $(gconfig conn-count)"
ok "A's conn expired: conn-count 2"
conn_open D
expect_match "D got in, to" '^real[123]$' "$(conn_real D)"
expect_eq "conn-count" 3 "$(gconfig conn-count)"
limit=$(gstat drop-conn-limit)
if pc timeout "$TMO" socat -T 3 - "TCP:$VIPB:8,connect-timeout=3" </dev/null >/dev/null 2>&1; then
	fail "a conn got in over conn-max 3 again"
fi
expect_ge "stats drop-conn-limit" $((limit + 1)) "$(gstat drop-conn-limit)"

log "conn-max raised"
ld config set conn-max 5
conn_open E
conn_open F
expect_match "E and F got in, to" '^real[123] real[123]$' "$(conn_real E) $(conn_real F)"
expect_eq "conn-count at the new bound" 5 "$(gconfig conn-count)"
for c in B C D E F; do
	conn_echoes "$c" "raised $c" || fail "conn $c does not echo"
done
ok "B C D E F echo"

log "later conns expire too: the GC worker keeps running"
# A's conn went in the first second or two; these go well after, with no
# traffic at all, so only a GC worker that requeues itself removes them
expired=$(gstat conns-expired)
sleep 2
conn_close B
conn_close C
# shellcheck disable=SC2016 # evaluated by wait_for, each time
wait_for "$TMO" eval '(( $(gconfig conn-count) == 3 ))' ||
	fail "B's and C's conns did not leave the table: conn-count $(gconfig conn-count)"
ok "B and C expired: conn-count 3"
expect_ge "stats conns-expired" $((expired + 2)) "$(gstat conns-expired)"
