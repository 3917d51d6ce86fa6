#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading ldir with live conns, traffic in flight and ldctl dumping
# (topology: lib.sh): rmmod succeeds, the kernel stays quiet (the harness
# scans its log: KASAN, lockdep, RCU, WARNING), and loading ldir again
# gives a fresh, working module.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
[[ -n "${LDIR_KO:-}" && -f "$LDIR_KO" ]] ||
	skip "LDIR_KO does not name ldir.ko: this test reloads the module"
setup_topology
start_servers who udp

add_reals
add_service 8 tcp rr
add_service 7 udp rr

for id in A B C; do
	conn_open "$id"
	conn_echoes "$id" "hello $id" || fail "conn $id does not echo"
done
expect_eq "long-lived conns on" "real1 real2 real3" \
	"$(conn_real A) $(conn_real B) $(conn_real C)"
expect_match "a UDP flow" "^real1 $CLIENT:40011 hi\$" "$(udp_who 40011)"
expect_eq "live conns before rmmod" 4 "$(nconns)"

log "rmmod with live conns, new conns arriving and ldctl dumping"
# Each loop ends at its next turn once $T/stop exists.
bg "$NS_C" bash -c "while [[ ! -e $T/stop ]]; do
	echo x | timeout $TMO socat -t 2 - TCP:$VIP:8; done >/dev/null 2>&1"
pid_traffic=$!
bg "$NS_D" bash -c "while [[ ! -e $T/stop ]]; do
	ldctl -j conns; ldctl -j show; done >/dev/null 2>&1"
pid_dump=$!
sleep 2
# A dump in progress pins the module for a moment; rmmod does not wait.
# rmmod says "in use" when it sees the pin itself, and the kernel's
# EAGAIN ("Resource temporarily unavailable") when a dump takes it
# between rmmod's check and delete_module().
for ((i = 1; i <= 20; i++)); do
	if out=$(rmmod ldir 2>&1); then
		break
	fi
	[[ $out == *"in use"* || $out == *"temporarily unavailable"* ]] ||
		fail "rmmod ldir: $out"
	sleep 0.2
done
(( i <= 20 )) || fail "rmmod ldir: still in use after $i attempts: $out"
ok "rmmod ldir with live conns (attempt $i)"
touch "$T/stop"
wait "$pid_traffic" "$pid_dump" || true
# The family lookup of a dump that raced with rmmod may have loaded ldir
# again (MODULE_ALIAS_GENL_FAMILY, when ldir.ko is installed).
if [[ -d /sys/module/ldir ]]; then
	log "ldctl loaded ldir again after rmmod; unloading it once more"
	rmmod ldir
fi
[[ ! -d /sys/module/ldir ]] || fail "ldir still loaded"
ok "ldir unloaded"

if conn_echoes A "after rmmod" 2; then
	fail "conn A still echoes with ldir unloaded: who translated it?"
fi
ok "conn A no longer passes (nothing translates the VIP)"

log "insmod again"
insmod "$LDIR_KO"
expect_eq "virtuals after reload" 0 "$(ld -j show | jq -er '.virtuals | length')"
expect_eq "reals after reload" 0 "$(ld -j real | jq -er 'length')"
expect_eq "conns after reload" 0 "$(nconns)"
expect_eq "stats conns after reload" 0 "$(gstat conns)"
add_reals
add_service 8 tcp rr
expect_match "a new conn through the reloaded ldir" "^real1 $CLIENT:[0-9]+\$" "$(who_once)"
conn_open D
expect_eq "a new long-lived conn goes to" real2 "$(conn_real D)"
conn_echoes D "hello D" || fail "conn D does not echo"
ok "conn D echoes"
for id in A B C; do
	conn_kill "$id"
done
# D stays open: the harness unloads ldir with it live, and with the
# director's namespace going away at the same time.
