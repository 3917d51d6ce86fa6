#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Client classes on one VIP (seed 002, topology: lib.sh): three instances
# of VIP:8 told apart by Bind ID, chosen by the client's source address.
#
#   client ns: 10.0.1.2 (+ aliases)      VIP 192.0.2.10:8 (the "who" service)
#     10.0.1.2, 10.0.1.99   no bind  -> bind 0, general:   real1
#     10.0.1.17, 10.0.1.18  10.0.1.16/28 -> bind 1, preferred: real2
#     10.0.1.20             10.0.1.20/32 -> bind 2, unwelcome: real3
#                           (inside the /28: the longest prefix wins)
#
# Then: an instance out of service falls back to bind 0; overflow of the
# preferred pool (real2 at max conns) to the general one, refused without
# the flag; unassign leaves live conns alone; assigning to an instance
# that does not exist, or a prefix twice, is refused with a clear message;
# deleting an instance deletes its binds; save/restore keeps them.
# IPv6: 2001:db8:1::2 and ::99 general, 2001:db8:1::1:17 and ::1:18 in
# the preferred 2001:db8:1::1:0/112, 2001:db8:1::1:20/128 unwelcome.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers who

ld config set timeout-fin 600 timeout-time-wait 600 timeout-close 600
# the client's addresses (A2 is CLIENT), the preferred prefix P, the
# longest prefix length MAX, a prefix WIDE that covers them all
if [[ $LDIR_FAMILY == 6 ]]; then
	A2=$CLIENT A17=2001:db8:1::1:17 A18=2001:db8:1::1:18
	A20=2001:db8:1::1:20 A99=2001:db8:1::99
	P=2001:db8:1::1:0/112 MAX=128 WIDE=2001:db8:1::/64
	ip -n "$NS_C" -b - <<EOF
addr add $A17/64 dev eth0 nodad
addr add $A18/64 dev eth0 nodad
addr add $A20/64 dev eth0 nodad
addr add $A99/64 dev eth0 nodad
EOF
else
	A2=$CLIENT A17=10.0.1.17 A18=10.0.1.18 A20=10.0.1.20 A99=10.0.1.99
	P=10.0.1.16/28 MAX=32 WIDE=10.0.1.0/24
	ip -n "$NS_C" -b - <<EOF
addr add 10.0.1.17/24 dev eth0
addr add 10.0.1.18/24 dev eth0
addr add 10.0.1.20/24 dev eth0
addr add 10.0.1.99/24 dev eth0
EOF
fi

# who_from SRC: one conn to VIP:8 from address SRC; the real's name.
who_from()
{
	local out

	out=$(echo hello | pc timeout "$TMO" \
		socat -t "$TMO" - "TCP:$VIPB:8,bind=$(brk "$1")")
	# "realN ADDR:PORT\nhello": bash only, spawns are slow under TCG
	[[ ${out#*$'\n'} == hello ]] || fail "who_from $1: no echo, got '$out'"
	echo "${out%% *}"
}

# names_from SRC...: the real each source lands on, space separated
names_from()
{
	local s names=()

	for s in "$@"; do
		names+=("$(who_from "$s")")
	done
	echo "${names[*]}"
}

add_reals
ld virtual add tcp "$VIPB:8" sched rr
ld link add tcp "$VIPB:8" real "${REALB[1]}" port 8
ld virtual add tcp "$VIPB:8" bind 1 sched rr
ld link add tcp "$VIPB:8" bind 1 real "${REALB[2]}" port 8
ld virtual add tcp "$VIPB:8" bind 2 sched rr
ld link add tcp "$VIPB:8" bind 2 real "${REALB[3]}" port 8

log "no binds yet: everyone on the general instance"
expect_eq "$A17 $A20" "real1 real1" \
	"$(names_from "$A17" "$A20")"

log "assign: preferred /28, unwelcome /32 inside it"
ld assign tcp "$VIPB:8" bind 1 "$P"
ld assign tcp "$VIPB:8" bind 2 "$A20"
expect_eq "ldctl binds" "2" "$(ld -j binds | jq length)"
expect_match "ldctl show lists the prefix under its instance" \
	"tcp +$(re_quote "$VIPB"):8 +1 +rr +in *"$'\n'"  -> $(re_quote "${REAL[2]}") +8 [^"$'\n'"]*"$'\n'"  <- $(re_quote "$P")" \
	"$(ld show)"
expect_eq "-j show: assigned of bind 2" "[\"$A20/$MAX\"]" \
	"$(ld -j show | jq -c '.virtuals[] | select(.bind == 2) | .assigned')"
expect_eq "preferred $P: $A17 $A18" "real2 real2" \
	"$(names_from "$A17" "$A18")"
expect_eq "unwelcome $A20 (longest prefix)" real3 \
	"$(who_from "$A20")"
expect_eq "everyone else: $A2 $A99" "real1 real1" \
	"$(names_from "$A2" "$A99")"
expect_eq "conns per instance: links real1 real2 real3" "4 2 1" \
	"$(ld -j link | jq -r '[.[] | .conns | tostring] | join(" ")')"

log "an instance out of service: its clients go to bind 0"
ld virtual set tcp "$VIPB:8" bind 1 state out
expect_eq "$A17 with bind 1 out" real1 "$(who_from "$A17")"
ld virtual set tcp "$VIPB:8" bind 1 state in
expect_eq "$A17 with bind 1 back in" real2 "$(who_from "$A17")"

log "the preferred pool full: refused, then overflow to the general one"
ld real set "${REALB[2]}" maxconns 1
conn_open P1 "8,bind=$(brk "$A17")"
expect_eq "P1 (the one conn real2 may take)" real2 "$(conn_real P1)"
drops=$(gstat drop-no-real)
if out=$(echo hi | pc timeout 3 socat -t 1 - "TCP:$VIPB:8,bind=$(brk "$A18")" 2>&1); then
	fail "a conn from $A18 with real2 full and no overflow got '$out'"
fi
expect_ge "drop-no-real after a refused SYN" $((drops + 1)) "$(gstat drop-no-real)"
ld virtual set tcp "$VIPB:8" bind 1 overflow
expect_match "ldctl show: overflow" "$(re_quote "$VIPB"):8 +1 +rr +in +overflow" "$(ld show)"
expect_eq "$A18 overflows to the general pool" real1 \
	"$(who_from "$A18")"
expect_eq "the unwelcome client does not (bind 2 has room)" real3 \
	"$(who_from "$A20")"

log "unassign: live conns stay, new ones go to bind 0"
ld real set "${REALB[2]}" maxconns 0
ld unassign tcp "$VIPB:8" bind 1 "$P"
conn_echoes P1 "still on real2" || fail "P1 broke when its bind went"
expect_eq "P1 is still on" real2 "$(conn_real P1)"
expect_eq "$A17 after unassign" real1 "$(who_from "$A17")"
expect_eq "$A20 keeps its /$MAX" real3 "$(who_from "$A20")"
conn_close P1

log "bad assignments are refused with a clear message"
out=$(ld assign tcp "$VIPB:8" bind 7 "$WIDE" 2>&1) && fail "assign to bind 7 succeeded"
expect_match "assign to a missing instance" \
	"no virtual instance with this Bind ID" "$out"
out=$(ld assign tcp "$VIPB:8" bind 1 "$A20/$MAX" 2>&1) && fail "assign twice succeeded"
expect_match "a prefix assigned twice" "already assigned" "$out"
out=$(ld unassign tcp "$VIPB:8" bind 1 "$A20/$MAX" 2>&1) && fail "unassign from the wrong instance succeeded"
expect_match "unassign from the wrong instance" "bind not found" "$out"
expect_eq "binds unchanged" 1 "$(ld -j binds | jq length)"

log "save and restore keep the instances and binds"
ld assign tcp "$VIPB:8" bind 1 "$P"
ld save >"$T/saved"
grep -qxF "assign tcp $VIPB:8 bind 1 $P" "$T/saved" ||
	fail "save lacks the assign line: $(cat "$T/saved")"
ld flush
ld restore "$T/saved"
ld save >"$T/saved2"
diff -u "$T/saved" "$T/saved2" || fail "save after restore differs"
expect_eq "after restore: $A17 $A20" "real2 real3" \
	"$(names_from "$A17" "$A20")"

log "deleting an instance deletes its binds"
ld virtual del tcp "$VIPB:8" bind 2
expect_eq "binds left" "[\"$P\"]" \
	"$(ld -j binds | jq -c 'map("\(.client)/\(."prefix_len")")')"
expect_eq "$A20 now in $P" real2 "$(who_from "$A20")"
