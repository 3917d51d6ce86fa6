#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: debug 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Taking reals out gracefully (topology: lib.sh): `real del` and `link del`
# without flush leave live conns working while new ones go elsewhere;
# weight 0 and state out quiesce a real; `... flush` ends its conns.
# Long-lived conns are socat sessions to the "who" service (port 8), which
# names its real and then echoes.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers who

add_reals
add_service 8 tcp rr

# conns_to N: how many conns `ldctl -j conns` lists towards real N
conns_to()
{
	nconns ".real == \"${REAL[$1]}\""
}

log "real del without flush"
conn_open A
expect_eq "A goes to" real1 "$(conn_real A)"
ld real del "${REALB[1]}"
j=$(ld -j real)
expect_eq "reals left" "${REAL[2]} ${REAL[3]}" "$(jq -r 'map(.address) | join(" ")' <<<"$j")"
expect_eq "links left on VIP:8" 2 "$(virtual_field 8 tcp '.links | length')"
expect_eq "A's conn is still listed" 1 "$(conns_to 1)"
conn_echoes A "after real del" || fail "conn A stopped working after real del"
ok "A still echoes after real del"
names=$(who_names 4)
expect_eq "new conns after real del (rr over real2 real3)" "2 2" \
	"$(tally "$names" | cut -d' ' -f2-)"
expect_eq "of which to the deleted real1" 0 "$(tally "$names" | cut -d' ' -f1)"
conn_echoes A "still" || fail "conn A stopped working"
conn_close A
ok "A closed cleanly"

log "link del without flush"
conn_open B
rb=$(conn_real B)
nb=${rb#real}
[[ $nb == 2 || $nb == 3 ]] || fail "B went to $rb"
no=$((5 - nb)) # the other one of 2 and 3
ld link del tcp "$VIPB:8" real "${REALB[$nb]}" port 8
expect_eq "links left on VIP:8" "${REAL[$no]}" \
	"$(virtual_field 8 tcp '.links | map(.real) | join(" ")')"
conn_echoes B "after link del" || fail "conn B stopped working after link del"
ok "B (to $rb) still echoes after its link was deleted"
names=$(who_names 3)
expect_eq "new conns after link del all go to" \
	"real$no real$no real$no" "$(words "$names")"
conn_close B

log "weight 0 quiesces"
ld flush
add_reals
add_service 8 tcp rr
conn_open C
expect_eq "C goes to" real1 "$(conn_real C)"
ld real set "${REALB[1]}" weight 0
names=$(who_names 6)
expect_eq "new conns with real1 at weight 0" "0 3 3" "$(tally "$names")"
conn_echoes C "at weight 0" || fail "conn C stopped working at weight 0"
ok "C still echoes at weight 0"
j=$(ld -j real)
expect_eq "real1 active at weight 0" 1 \
	"$(jq -r --arg a "${REAL[1]}" '.[] | select(.address == $a) | .active' <<<"$j")"
ld real set "${REALB[1]}" weight 1
names=$(who_names 3)
expect_eq "new conns with real1 back at weight 1" "1 1 1" "$(tally "$names")"
conn_close C

log "state out quiesces"
conn_open D
rd=$(conn_real D)
nd=${rd#real}
ld real set "${REALB[$nd]}" state out
names=$(who_names 4)
expect_eq "new conns answered while $rd is out" 4 "$(grep -c . <<<"$names")"
expect_eq "new conns to $rd while it is out" 0 \
	"$(tally "$names" | cut -d' ' -f"$nd")"
conn_echoes D "while out" || fail "conn D stopped working while its real is out"
ok "D still echoes while $rd is out"
ld real set "${REALB[$nd]}" state in
conn_close D

log "real del flush ends live conns"
conn_open E
re=$(conn_real E)
ne=${re#real}
conn_echoes E "before flush" || fail "conn E does not echo"
drops=$(gstat drop-no-conn)
ld real del "${REALB[$ne]}" flush
expect_eq "conns to $re after real del flush" 0 "$(conns_to "$ne")"
if conn_echoes E "after flush" 3; then
	fail "conn E still works after real del flush"
fi
ok "E no longer echoes"
expect_ge "stats drop-no-conn grew (E's segments)" $((drops + 1)) "$(gstat drop-no-conn)"
conn_kill E

log "link del flush ends live conns"
conn_open F
rf=$(conn_real F)
nf=${rf#real}
conn_echoes F "before flush" || fail "conn F does not echo"
ld link del tcp "$VIPB:8" real "${REALB[$nf]}" port 8 flush
expect_eq "conns to $rf after link del flush" 0 "$(conns_to "$nf")"
if conn_echoes F "after flush" 3; then
	fail "conn F still works after link del flush"
fi
ok "F no longer echoes"
conn_kill F

expect_eq "stats drop-no-real" 0 "$(gstat drop-no-real)"
