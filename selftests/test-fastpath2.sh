#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: debug 6.1 6.12
#
# The fast path (outside and the bridge ports r1..r3 in it, topology:
# lib.sh) around it: what test-fastpath.sh does not cover.
#   - without conntrack: nf_conntrack unloaded (stock kernels, where it is
#     a module), a UDP stream and a TCP upload (sha256 checked by the
#     sink on real1) take the fast path;
#   - a real's MTU lowered mid-upload (r1 and real1's eth0 to 1200, br0
#     follows): the client's full-size segments no longer fit the route
#     and go the slow way, which sends the client "fragmentation needed"
#     quoting client -> VIP (ldir translates it); the client lowers its
#     path MTU, the upload ends with the right sha256 and the rest of it
#     takes the fast path again;
#   - with conntrack (nf_conntrack loaded, acct on, a forward chain with
#     policy drop that accepts established flows and new ones to the
#     services): the fast path works as without (sha256, counter), the
#     packets it carries bypass conntrack (the flow's conntrack counters
#     stop rising, as under an nftables flowtable) and the forward chain
#     (its counters stop rising), and the end of a fast-path transfer
#     (the client's FIN after 2 MiB conntrack never saw) still gets
#     through the chain, with nf_conntrack_tcp_be_liberal (without it
#     conntrack calls the FIN INVALID and the chain drops it: README);
#   - drain (weight 0) of the real of an offloaded conn: the conn goes on
#     on the fast path, new conns go to the other reals;
#   - expiry: with timeout-udp 4, an offloaded UDP conn left idle expires
#     (gone from `ldctl conns`, conns-expired), the next datagram makes a
#     fresh conn; a stream that goes on for 2.5 timeouts, (nearly) all of
#     it on the fast path, keeps its one conn (the fast path moves expiry
#     on);
#   - the forward chain's policy: a rule that drops the flow, added while
#     it is established and offloaded, does not see it (documented, like
#     a flowtable's `flow add`), but it drops a new conn to the same
#     service and real (none of its datagrams reaches the real), and the
#     established flow too once its packets go the slow way (after a
#     route change).
# On the debug kernel only the expiry of an offloaded conn runs (the
# lifetimes; the debug guest is the suite's critical path).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
command -v ldseq >/dev/null || fail "ldseq not in the guest (selftests/tools)"
[[ $LDIR_FAMILY == 4 ]] || skip "the fast path is IPv4 only"
DEBUG=
[[ ${LDIR_KERNEL:-} == debug ]] && DEBUG=1

# unload_mod MOD: remove module MOD and every module that holds it
# (retrying: a deleted namespace lets go of its modules asynchronously)
unload_mod()
{
	local h

	[[ -d /sys/module/$1 ]] || return 0
	for h in /sys/module/"$1"/holders/*; do
		[[ -e $h ]] && unload_mod "${h##*/}"
	done
	wait_for 10 rmmod "$1" 2>/dev/null || fail "cannot unload $1: $(lsmod | grep -w "$1")"
}

ct_module=
if [[ -e /sys/module/nf_conntrack/initstate ]]; then
	# a module (stock kernels): unloaded for the first part
	ct_module=1
	unload_mod nf_conntrack
	expect_eq "nf_conntrack unloaded" "" "$(lsmod | awk '$1 == "nf_conntrack"')"
fi

setup_topology
dd if=/dev/urandom of="$T/data" bs=64k count=32 2>/dev/null
for n in 1 2 3; do
	bg "${NS_R[$n]}" ldseq serve 9
done
if [[ -z $DEBUG ]]; then
	# the sink: the sha256 of what a conn sent, after its FIN ("SUM  -")
	bg "${NS_R[1]}" socat -t "$TMO" TCP-LISTEN:10,fork,reuseaddr SYSTEM:sha256sum
	wait_listen "${NS_R[1]}" tcp 10
fi
for n in 1 2 3; do
	wait_listen "${NS_R[$n]}" udp 9
done
sum=$(sha256sum <"$T/data")
sum=${sum%% *}
{
	for n in 1 2 3; do
		echo "real add ${REAL[$n]}"
	done
	echo "virtual add udp $VIP:9 sched rr"
	echo "link add udp $VIP:9 real ${REAL[1]} port 9"
	if [[ -z $DEBUG ]]; then
		echo "virtual add tcp $VIP:10 sched rr"
		echo "link add tcp $VIP:10 real ${REAL[1]} port 10"
		# VIP:19: the three reals' port 9
		echo "virtual add udp $VIP:19 sched rr"
		for n in 1 2 3; do
			echo "link add udp $VIP:19 real ${REAL[$n]} port 9"
		done
	fi
	for d in outside r1 r2 r3; do
		echo "fastpath add $d"
	done
} | lds

# udp_run VPORT SPORT COUNT WHAT: an ldseq stream, all echoed in order
udp_run()
{
	local out

	out=$(pc ldseq send "$VIP" "$1" "$2" "$3") || fail "udp stream ($4): $out"
	ok "udp stream ($4): $out"
}

# conn_f SPORT JQPATH: a field of the conn from client port SPORT
conn_f()
{
	local j

	j=$(ld -j conns)
	jq -r --argjson p "$1" ".[] | select(.client_port == \$p) | $2" <<<"$j"
}

# upload [GATE]: $T/data to VIP:10, checks the sha256 the sink got back.
# With GATE, the first MiB goes, then the rest once file GATE exists.
upload()
{
	local out

	out=$({
		if [[ -n ${1:-} ]]; then
			head -c 1M "$T/data"
			wait_for $((TMO * 2)) test -e "$1" || exit 1
			tail -c +$((1024 * 1024 + 1)) "$T/data"
		else
			cat "$T/data"
		fi
	} | pc timeout $((TMO * 3)) socat -t "$TMO" - "TCP:$VIP:10") ||
		fail "upload: no sha256 from the sink (the end did not get through?)"
	if [[ ${out%% *} != "$sum" ]]; then
		log "ldir conns: $(words "$(ld conns)")"
		log "stats: $(traffic_stats)"
		if [[ -d /sys/module/nf_conntrack ]]; then
			log "forward chain: $(words "$(pd nft list chain inet filter forward)")"
			log "conntrack: $(words "$(pd grep 'dport=10 ' /proc/net/nf_conntrack)")"
		fi
	fi
	expect_eq "upload: the sha256 the sink got" "$sum" "${out%% *}"
}

# fast_share WHAT FAST0 LINK0: most packets since on the fast path; FAST0
# and LINK0: the counter and VIP:10's link packets (both ways) before
fast_share()
{
	local fast total

	fast=$(($(gstat fastpath) - $2))
	total=$(($(link10) - $3))
	log "$1: $fast of $total packets on the fast path"
	expect_ge "$1: most packets on the fast path (x2 > all)" \
		$((total / 2 + 1)) "$fast"
}

# link10: VIP:10's link packets, both ways
link10() { link_field 10 tcp 1 '.stats.pkts_in + .stats.pkts_out'; }

# --- without conntrack; a real's MTU lowered mid-upload ---------------------
no_conntrack()
{
	local f0 l0 icmp

	udp_run 9 40001 300 "without conntrack"
	f0=$(gstat fastpath)
	udp_run 9 40001 300 "without conntrack, offloaded"
	expect_ge "without conntrack: the stream on the fast path" 600 \
		$(($(gstat fastpath) - f0))

	# "fragmentation needed" the client gets, and those quoting
	# client -> VIP:10 (@th: the ICMP header; the quoted IP header at
	# byte 8)
	pc nft -f - <<EOF
table ip client {
	chain input {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code frag-needed counter comment "toobig"
		icmp type destination-unreachable icmp code frag-needed @th,192,32 $(addr_hex "$VIP") @th,240,16 10 counter comment "toobig_vip"
	}
}
EOF
	f0=$(gstat fastpath) l0=$(link10)
	rm -f "$T/go"
	upload "$T/go" &
	local up=$!
	# the first MiB, most of it on the fast path
	# shellcheck disable=SC2016 # evaluated by wait_for, each time
	wait_for "$TMO" eval '(( $(gstat fastpath) - f0 > 5 ))' ||
		fail "upload: the first MiB did not take the fast path"
	sleep 1
	fast_share "upload, before the MTU change" "$f0" "$l0"
	expect_eq "before the MTU change: no fragmentation needed yet" 0 \
		"$(nft_packets "$NS_C" ip client toobig)"
	pd ip link set r1 mtu 1200
	pr 1 ip link set eth0 mtu 1200
	expect_eq "br0 follows its port's MTU" 1200 \
		"$(ip -n "$NS_D" -j link show br0 | jq '.[0].mtu')"
	f0=$(gstat fastpath) l0=$(link10)
	touch "$T/go"
	wait "$up" || fail "upload across the MTU change failed"
	icmp=$(nft_packets "$NS_C" ip client toobig_vip)
	expect_ge "fragmentation needed at the client, quoting client -> VIP:10" 1 "$icmp"
	expect_eq "fragmentation needed at the client, all translated" "$icmp" \
		"$(nft_packets "$NS_C" ip client toobig)"
	expect_match "the client's path MTU to the VIP" "mtu 1200" \
		"$(pc ip route get "$VIP")"
	fast_share "upload, after the MTU change" "$f0" "$l0"
	expect_eq "without conntrack: nf_conntrack still not loaded" "" \
		"$(lsmod | awk '$1 == "nf_conntrack"')"
	pd ip link set r1 mtu 1500
	pr 1 ip link set eth0 mtu 1500
}

# --- with conntrack: bypassed as under a flowtable ----------------------------
FWD_RULES='
		ct state established,related counter accept comment "est"
		ct state invalid counter drop comment "invalid"
		ip daddr 10.0.2.0/24 tcp dport 10 ct state new counter accept comment "new_tcp"
		ip daddr 10.0.2.0/24 udp dport 9 ct state new counter accept comment "new_udp"
		counter comment "dropped"'

# ct_pkts SPORT: the packets conntrack counted for the UDP flow from
# client port SPORT, both directions
ct_pkts()
{
	pd cat /proc/net/nf_conntrack |
		awk -v s="sport=$1 " 'index($0, s) {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^packets=/) { sub("packets=", "", $i); n += $i }
			f = 1
		} END { if (!f) exit 1; print n }'
}

with_conntrack()
{
	local f0 c0 e0 l0

	modprobe nf_conntrack
	modprobe nft_ct
	sysctl_set "$NS_D" net.netfilter.nf_conntrack_acct 1
	pd nft -f - <<EOF
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy drop;
		$FWD_RULES
	}
}
EOF
	udp_run 9 40011 100 "with conntrack"
	c0=$(ct_pkts 40011) || fail "conntrack has no entry for the UDP flow"
	expect_ge "conntrack saw the flow's first datagrams" 2 "$c0"
	f0=$(gstat fastpath) e0=$(nft_packets "$NS_D" inet filter est)
	udp_run 9 40011 400 "with conntrack, offloaded"
	expect_ge "with conntrack: the stream on the fast path" 800 \
		$(($(gstat fastpath) - f0))
	expect_eq "the fast path bypasses conntrack: the flow's counters stay" \
		"$c0" "$(ct_pkts 40011)"
	expect_eq "the fast path bypasses the forward chain: its counter stays" \
		"$e0" "$(nft_packets "$NS_D" inet filter est)"

	# a TCP upload: its data, and its end (the FIN, far beyond the
	# window conntrack last saw: without be_liberal conntrack calls it
	# INVALID and the chain drops it, see the README) must get through
	sysctl_set "$NS_D" net.netfilter.nf_conntrack_tcp_be_liberal 1
	f0=$(gstat fastpath) l0=$(link10)
	upload
	fast_share "upload with conntrack" "$f0" "$l0"
	expect_eq "forward chain: nothing dropped as invalid" 0 \
		"$(nft_packets "$NS_D" inet filter invalid)"
}

# --- drain: weight 0 for the real of an offloaded conn ------------------------
drain()
{
	local f0 p0 p

	udp_run 19 40021 100 "VIP:19, before the drain"
	expect_eq "VIP:19: the conn on real1, offloaded" "${REAL[1]} true" \
		"$(conn_f 40021 '"\(.real) \(.fastpath)"')"
	ld real set "${REAL[1]}" weight 0
	f0=$(gstat fastpath) p0=$(link_field 19 udp 1 .stats.pkts_in)
	udp_run 19 40021 300 "real1 drained"
	expect_ge "drained: its conn on the fast path" 600 $(($(gstat fastpath) - f0))
	expect_eq "drained: the conn's datagrams still to real1" 300 \
		$(($(link_field 19 udp 1 .stats.pkts_in) - p0))
	expect_eq "drained: the conn, still offloaded" "${REAL[1]} true" \
		"$(conn_f 40021 '"\(.real) \(.fastpath)"')"
	for p in 40022 40023 40024 40025; do
		udp_run 19 "$p" 5 "a new conn while real1 is drained"
	done
	expect_eq "drained: no new conn to real1, 2 each to real2, real3" "1 2 2" \
		"$(link_fields 19 udp .stats.conns)"
	ld real set "${REAL[1]}" weight 1
}

# --- expiry -----------------------------------------------------------------
# jstat JSON FIELD: a counter of a saved `ldctl -j stats`
jstat() { jq -er --arg f "$2" '.stats[$f]' <<<"$1"; }

expiry()
{
	local f0 x0 c0 n=0 start s0 s1

	ld flush conns
	udp_run 9 40031 50 "before an idle time"
	f0=$(gstat fastpath)
	udp_run 9 40031 50 "offloaded, before an idle time"
	expect_eq "the conn's stream on the fast path" 100 $(($(gstat fastpath) - f0))
	# a short timeout from the next packet on (the fast path's): from
	# here on a few ldctl calls on a busy host may take longer than the
	# conn lives, so no `ldctl conns` and counters read before
	x0=$(gstat conns-expired) c0=$(virtual_field 9 udp .stats.conns)
	f0=$(gstat fastpath)
	ld config set timeout-udp 4
	udp_run 9 40031 5 "with timeout-udp 4"
	expect_eq "the datagrams that set the short timeout, on the fast path" 10 $(($(gstat fastpath) - f0))
	gone() { [[ $(nconns '.client_port == 40031') == 0 ]]; }
	wait_for 15 gone || fail "the idle offloaded conn did not expire"
	ok "the idle offloaded conn expired: gone from ldctl conns"
	expect_eq "conns-expired" $((x0 + 1)) "$(gstat conns-expired)"
	f0=$(gstat fastpath)
	udp_run 9 40031 50 "after the expiry"
	expect_eq "after the expiry: a fresh conn" $((c0 + 1)) \
		"$(virtual_field 9 udp .stats.conns)"
	expect_ge "the fresh conn on the fast path after its first datagram" 98 \
		$(($(gstat fastpath) - f0))

	# (on debug, the lifetimes: the expiry of an offloaded conn, above)
	if [[ -n $DEBUG ]]; then
		ld config set timeout-udp 300
		return 0
	fi
	# a stream for 10 s (2.5 timeouts) from a new port, in runs of 500:
	# one conn made, none expired. (The counters are read right before
	# and after: under TCG on a busy host a few ldctl calls can take
	# longer than the 4 s a conn lives.)
	ld flush conns
	s0=$(ld -j stats)
	start=$SECONDS
	while ((SECONDS - start < 10)); do
		out=$(pc ldseq send "$VIP" 9 40032 500) ||
			fail "stream past the timeout, after $n datagrams: $out"
		n=$((n + 500))
	done
	s1=$(ld -j stats)
	ok "a stream of $n datagrams for $((SECONDS - start)) s, all echoed in order"
	expect_eq "the stream kept one conn (one created)" 1 \
		$(($(jstat "$s1" conns) - $(jstat "$s0" conns)))
	expect_eq "the stream kept one conn (none expired)" 0 \
		$(($(jstat "$s1" conns_expired) - $(jstat "$s0" conns_expired)))
	# (its first datagram and echo take the slow way; a packet or two
	# more may: the slow path moves expiry on too, but a handful cannot
	# keep a conn of 4 s for 10 s)
	expect_ge "the stream: (nearly) every packet on the fast path" $((2 * n - 6)) \
		$(($(jstat "$s1" fastpath) - $(jstat "$s0" fastpath)))
	ld config set timeout-udp 300
}

# --- the forward chain's policy -------------------------------------------------
fwd_policy()
{
	local f0 d0 s0 out

	ld flush conns
	# what real1 receives from each client port
	pr 1 nft -f - <<EOF
table ip real {
	chain input {
		type filter hook input priority 0;
		udp sport 40041 counter comment "from_a"
		udp sport 40042 counter comment "from_b"
	}
}
EOF
	udp_run 9 40041 100 "flow A, established"
	expect_eq "flow A: offloaded" true "$(conn_f 40041 .fastpath)"
	pd nft insert rule inet filter forward udp dport 9 counter drop comment '"drop9"'
	f0=$(gstat fastpath)
	udp_run 9 40041 200 "flow A, after a rule that drops it"
	expect_ge "flow A: on the fast path" 400 $(($(gstat fastpath) - f0))
	expect_eq "flow A: the new rule never saw it (fast path)" 0 \
		"$(nft_packets "$NS_D" inet filter drop9)"

	# a new conn to the same real: its first datagram is dropped, and so
	# must be the rest (its conn never passed the chain)
	if out=$(pc ldseq send "$VIP" 9 40042 5); then
		fail "flow B: a new flow passed a forward chain that drops it: $out"
	fi
	ok "flow B (new): no echo ($out)"
	expect_ge "flow B: dropped by the rule" 1 "$(nft_packets "$NS_D" inet filter drop9)"
	expect_eq "flow B: datagrams that reached real1" 0 \
		"$(nft_packets "${NS_R[1]}" ip real from_b)"

	# a route change: flow A's next packets go the slow way, into the rule
	d0=$(nft_packets "$NS_D" inet filter drop9) s0=$(gstat fastpath-slow)
	pd ip route add "$CLIENT/32" dev outside
	pd ip route del "$CLIENT/32" dev outside
	f0=$(nft_packets "${NS_R[1]}" ip real from_a)
	if out=$(pc ldseq send "$VIP" 9 40041 5); then
		fail "flow A: the slow way passed the rule: $out"
	fi
	ok "flow A after a route change: no echo ($out)"
	expect_ge "flow A after a route change: the slow way" $((s0 + 1)) \
		"$(gstat fastpath-slow)"
	expect_ge "flow A after a route change: dropped by the rule" $((d0 + 5)) \
		"$(nft_packets "$NS_D" inet filter drop9)"
	expect_eq "flow A after a route change: datagrams that reached real1" "$f0" \
		"$(nft_packets "${NS_R[1]}" ip real from_a)"
}

if [[ -n $DEBUG ]]; then
	expiry
	exit 0
fi
if [[ -n $ct_module ]]; then
	no_conntrack
fi
with_conntrack
drain
expiry
fwd_policy
