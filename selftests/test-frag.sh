#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# Fragmented UDP through the VIP (topology: lib.sh, MTU 1500 everywhere).
# Each datagram is 3000 bytes of payload: the client sends it as three
# fragments, and the real's reply (its name, the client's address and
# the same 3000 bytes) comes back as three more. Only the first fragment
# has the ports: the director must reassemble both ways before it can
# pick a real, DNAT and SNAT; then the datagram is fragmented again on
# the way out. Three flows are spread over the three reals (rr), each
# reply carries the payload unchanged, a second datagram of a flow goes
# to the same real, and the director's reassembly counters moved.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology
start_servers udp

lds <<CMDS
real add ${REAL[1]}
real add ${REAL[2]}
real add ${REAL[3]}
virtual add udp $VIP:7 sched rr
link add udp $VIP:7 real ${REAL[1]} port 7
link add udp $VIP:7 real ${REAL[2]} port 7
link add udp $VIP:7 real ${REAL[3]} port 7
CMDS

# 3000 printable bytes and a newline: one write, one datagram
head -c 2250 /dev/urandom | base64 -w 0 >"$T/payload"
echo >>"$T/payload"
expect_eq "payload size" 3001 "$(stat -c %s "$T/payload")"
payload=$(cat "$T/payload")

# big_who SOURCEPORT: one 3000-byte datagram to VIP:7 from SOURCEPORT;
# prints the reply ("realN ADDR:PORT PAYLOAD"), or nothing
big_who()
{
	# shellcheck disable=SC2016 # $l is the child shell's
	pc timeout "$TMO" socat -t 0 "UDP:$VIP:7,sourceport=$1" \
		SYSTEM:'cat '"$T/payload"'; read -r l; echo "$l" >&3' 3>&1 2>>"$T/udp.err" || true
}

# reasm NS: "ReasmOKs FragCreates" of namespace NS (/proc/net/snmp)
reasm()
{
	nsx "$1" cat /proc/net/snmp | awk '
		$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) n[$i] = i; h = 1; next }
		$1 == "Ip:" { print $n["ReasmOKs"], $n["FragCreates"] }'
}

read -r r0 _ <<<"$(reasm "$NS_D")"
read -r _ f0 <<<"$(reasm "$NS_C")"
flows=""
for p in 40011 40012 40013; do
	out=$(big_who "$p")
	read -r name peer data <<<"$out"
	expect_eq "flow $p: the client's address as the real saw it" "$CLIENT:$p" "$peer"
	[[ $data == "$payload" ]] ||
		fail "flow $p: the reply's payload differs (${#data} bytes, want ${#payload})"
	ok "flow $p: $name echoed the 3000 bytes unchanged"
	flows+="$name"$'\n'
done
expect_eq "3 fragmented flows over 3 reals (rr)" "1 1 1" "$(tally "$flows")"
first=$(sed -n 1p <<<"$flows")
out=$(big_who 40011)
expect_eq "a second datagram of flow 40011 goes to" "$first" "${out%% *}"

read -r r1 _ <<<"$(reasm "$NS_D")"
read -r _ f1 <<<"$(reasm "$NS_C")"
expect_ge "the client fragmented its datagrams (FragCreates)" $((f0 + 12)) "$f1"
# each of the 4 requests and 4 replies reassembled once in the director
expect_ge "the director reassembled both ways (ReasmOKs)" $((r0 + 8)) "$r1"
expect_eq "link packets in (one per datagram)" "2 1 1" \
	"$(link_fields 7 udp '.stats["pkts_in"]')"
expect_eq "stats drop-invalid" 0 "$(gstat drop-invalid)"
