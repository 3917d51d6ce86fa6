#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Client affinity (seed 001 Fig. 7A, 8; topology: lib.sh) with rr over
# real1..3, where without an FPA every conn would go to the next real:
#   - a client keeps its real across many conns within the interval, and
#     is re-balanced (rr moves on) once the interval has passed;
#   - each client address has its own FPA with mask /32, and clients in
#     one /24 share one with fpa-mask 24;
#   - an FPA whose real can no longer take conns is not followed;
#   - ldctl fpa lists them (client, virtual, real, age), fpa flush drops;
#   - a port-0 virtual serves several ports on reals that also serve an
#     exact-port virtual: one FPA spans its ports, the real's counters are
#     shared by its virtuals and the per-link counts add up to them.
# IPv6: the clients 2001:db8:1::2 and ::3, mask /128, shared /64.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers who echo

ld config set timeout-fin 600 timeout-time-wait 600 timeout-close 600
# C2: the client's second address; MAX: the default mask (one FPA per
# client); SHARE: a mask C2 and CLIENT share, NET: their prefix
if [[ $LDIR_FAMILY == 6 ]]; then
	C2=2001:db8:1::3 MAX=128 SHARE=64 NET=2001:db8:1::/64
	ip -n "$NS_C" addr add "$C2/64" dev eth0 nodad
else
	C2=10.0.1.3 MAX=32 SHARE=24 NET=10.0.1.0/24
	ip -n "$NS_C" -b - <<EOF
addr add 10.0.1.3/24 dev eth0
EOF
fi
VIPRE=$(re_quote "$VIPB")

# who_from SRC [PORT]: one conn to VIP:PORT (default 8) from SRC; the
# name of the real that answered.
who_from()
{
	local out

	out=$(echo hello | pc timeout "$TMO" \
		socat -t "$TMO" - "TCP:$VIPB:${2:-8},bind=$(brk "$1")")
	# "realN ADDR:PORT\nhello": bash only, spawns are slow under TCG
	[[ ${out#*$'\n'} == hello ]] || fail "who_from $1: no echo, got '$out'"
	echo "${out%% *}"
}

# names_from N SRC [PORT]: N conns from SRC, the reals space separated
names_from()
{
	local i names=()

	for ((i = 0; i < $1; i++)); do
		names+=("$(who_from "$2" "$3")")
	done
	echo "${names[*]}"
}

# fpas: "CLIENT/LEN REAL" per FPA, sorted, one a line
fpas()
{
	ld -j fpa | jq -r '.[] | "\(.client)/\(."prefix_len") \(.real)"' | sort
}

add_reals
add_service 8 tcp rr

log "without FPA: rr"
expect_eq "4 conns from $CLIENT" "real1 real2 real3 real1" \
	"$(names_from 4 "$CLIENT")"
expect_eq "no FPAs" "" "$(fpas)"

log "with FPA (interval 60 s): a client keeps its real"
ld virtual set tcp "$VIPB:8" fpa 60
expect_match "ldctl show" "^tcp +$VIPRE:8 +0 +rr +in +fpa 60$" \
	"$(ld show | grep -E "^tcp +$VIPRE:8 ")"
expect_match "ldctl -d show" "fpa 60 fpa-mask $MAX" "$(ld -d show)"
expect_eq "4 conns from $CLIENT" "real2 real2 real2 real2" \
	"$(names_from 4 "$CLIENT")"
expect_eq "2 conns from $C2 (its own FPA)" "real3 real3" \
	"$(names_from 2 "$C2")"
expect_eq "ldctl fpa" "$CLIENT/$MAX ${REAL[2]}"$'\n'"$C2/$MAX ${REAL[3]}" \
	"$(fpas)"
age=$(ld -j fpa | jq --arg c "$CLIENT" '.[] | select(.client == $c) | ."age_ms"')
expect_match "age of $CLIENT's FPA is under the interval" '^[0-9]+$' "$age"
((age < 60000)) || fail "age $age ms"
expect_match "ldctl fpa (human)" \
	"fpa $(re_quote "$CLIENT/$MAX") -> tcp $VIPRE:8 -> $(re_quote "${REALB[2]}"):0 age [0-9]+s" \
	"$(ld fpa)"

log "the interval passes: re-balanced"
# a shorter interval applies to the FPAs there are
ld virtual set tcp "$VIPB:8" fpa 2
sleep 2.5
expect_eq "$CLIENT after the interval (rr moves on from real3)" \
	real1 "$(who_from "$CLIENT")"
ld virtual set tcp "$VIPB:8" fpa 60
# that conn's FPA may be gone by now on a slow guest: start afresh
ld fpa flush

log "an FPA whose real cannot take the conn is not followed, but moved"
expect_eq "$CLIENT: a new FPA (rr after real1)" "real2 real2" \
	"$(names_from 2 "$CLIENT")"
ld real set "${REALB[2]}" state out
expect_eq "$CLIENT with real2 out" "real3 real3" "$(names_from 2 "$CLIENT")"
ld real set "${REALB[2]}" state in
expect_eq "$CLIENT with real2 back in (the FPA moved to real3)" real3 \
	"$(who_from "$CLIENT")"
expect_match "its FPA names real3" "$(re_quote "$CLIENT/$MAX ${REAL[3]}")" "$(fpas)"

log "fpa-mask $SHARE: clients in one /$SHARE share an FPA"
ld virtual set tcp "$VIPB:8" fpa-mask "$SHARE"
expect_eq "a new mask drops the old FPAs" "" "$(fpas)"
first=$(who_from "$CLIENT")
expect_eq "$C2 follows $CLIENT" "$first $first" \
	"$(names_from 2 "$C2")"
expect_eq "one FPA for the /$SHARE" "$NET ${REAL[${first#real}]}" "$(fpas)"

log "fpa flush"
ld fpa flush tcp "$VIPB:8"
expect_eq "after fpa flush VIRTUAL" "" "$(fpas)"
who_from "$CLIENT" >/dev/null
ld fpa flush
expect_eq "after fpa flush" "" "$(fpas)"
ld virtual set tcp "$VIPB:8" fpa 0
expect_match "fpa 0: not shown" "^tcp +$VIPRE:8 +0 +rr +in *$" \
	"$(ld show | grep -E "^tcp +$VIPRE:8 ")"

log "port 0: one virtual for every port, reals shared with VIP:7"
ld flush
add_reals
ld virtual add tcp "$VIPB:0" sched rr fpa 60
ld link add tcp "$VIPB:0" real "${REALB[1]}"
ld link add tcp "$VIPB:0" real "${REALB[2]}"
add_service 7 tcp rr "1 2"
# port 8 (who) and port 7 (echo) both from C2: 8 via VIP:0 (the FPA
# holds it to one real), 7 via the exact-port virtual (rr)
expect_eq "who on VIP:8 through the port-0 virtual" "real1 real1 real1" \
	"$(names_from 3 "$C2" 8)"
for i in 1 2; do
	got=$(echo "echo$i" | pc timeout "$TMO" socat -t "$TMO" - \
		"TCP:$VIPB:7,bind=$(brk "$C2")")
	expect_eq "echo on VIP:7 ($i)" "echo$i" "$got"
done
expect_eq "the port-0 virtual's FPA (its port does not matter)" \
	"$C2/$MAX ${REAL[1]}" "$(fpas)"
expect_eq "port-0 virtual: conns to real1, real2" "3 0" \
	"$(ld -j link | jq -r '[.[] | select(."virtual_port" == 0) | .conns | tostring] | join(" ")')"
expect_eq "VIP:7: conns to real1, real2" "1 1" \
	"$(ld -j link | jq -r '[.[] | select(."virtual_port" == 7) | .conns | tostring] | join(" ")')"
expect_eq "real conns: shared by both virtuals (real1, real2, real3)" "4 1 0" \
	"$(ld -j real | jq -r '[.[] | .conns | tostring] | join(" ")')"
expect_eq "real links" "2 2 0" \
	"$(ld -j real | jq -r '[.[] | .links | tostring] | join(" ")')"
expect_eq "conn table: the real port is the client's port" \
	"8 8 8 7 7" "$(ld -j conns | jq -r '[.[] | ."real_port"] | sort | reverse | map(tostring) | join(" ")')"
