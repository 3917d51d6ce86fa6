#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Several directors behind one ECMP router (seed 004 claims 34-48): each
# director runs its own ldir (one per netns) with the same configuration,
# stateless virtuals hashed with Maglev. The router spreads client packets
# over the directors by L4 hash, and spreads the reals' replies over them
# too (policy routing), so a flow's two directions may cross different
# directors: any director can translate any packet.
#
#                          ┌ router (fib_multipath_hash_policy=1) ──────────┐
#  ┌─────────────┐         │ eth0 10.0.1.1                                  │
#  │ client      ├─────────┤ VIP 192.0.2.10: nexthop via 10.0.11.2, .12.2,  │
#  │ 10.0.1.2    │         │   .13.2 (f1 f2 f3)                             │
#  └─────────────┘         │ from br0, to 10.0.1.0/24 (table 100): nexthop  │
#                          │   via 10.0.2.1, 10.0.2.2, 10.0.2.3             │
#                          │ br0 10.0.2.254 (the reals' default gateway)    │
#                          └─┬──────────┬──────────┬──────────┬─────────────┘
#                         f1 │ b1    f2 │ b2    f3 │ b3       │ s1 s2 s3
#              ┌─────────────┴─┐  ┌─────┴─────┐ ┌──┴────────┐ │
#              │ director1     │  │ director2 │ │ director3 │ ├─ real1 10.0.2.11
#              │ eth0 10.0.11.2│  │ 10.0.12.2 │ │ 10.0.13.2 │ ├─ real2 10.0.2.12
#              │ back 10.0.2.1 │  │ 10.0.2.2  │ │ 10.0.2.3  │ └─ real3 10.0.2.13
#              └───────────────┘  └───────────┘ └───────────┘
#  (each director's back leg is a port of br0, like the reals)
#
# Shown:
#   every director picks the same real for the same flow (60 UDP flows sent
#   through one director at a time, seen at the reals by source port)
#   the router spreads the flows over the three directors
#   adding a real moves only the flows Maglev gives it (none between the
#   old reals, up to two for the table's small extra disruption)
#   director1 fails (leaves both ECMP groups, its ldir flushed, its links
#   down): every established TCP conn survives, and those that were on
#   director1 (at least one, by the router's own hash) are among them
# IPv6: the same with 10.0.1K.0/24 as 2001:db8:1K::/64, the back legs
# 2001:db8:2::K, the router's br0 2001:db8:2::fe, and the router's
# fib_multipath_hash_policy for IPv6; the reals take no redirects (an
# IPv6 router has no switch to stop sending them).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

NS_RT=ldir-router-$$
NS_DIR=("" "ldir-dir1-$$" "ldir-dir2-$$" "ldir-dir3-$$")
FLOWS=60

eval "$(declare -f cleanup | sed '1s/^cleanup/lib_cleanup/')"
cleanup()
{
	local ns pid

	for ns in "$NS_RT" "${NS_DIR[@]:1}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	lib_cleanup
}

prt() { nsx "$NS_RT" "$@"; }
# the router's and the directors' addresses: RT_C on the client's side,
# FRONT K (the director's end of link fK; the router's is $(front K r)),
# BACK K (director K on br0), RT_B (the router on br0)
if [[ $LDIR_FAMILY == 6 ]]; then
	RT_C=2001:db8:1::1 RT_B=2001:db8:2::fe VIPLEN=128
	front() { echo "2001:db8:1$1::${2:-2}"; }
	back() { echo "2001:db8:2::$1"; }
else
	RT_C=10.0.1.1 RT_B=10.0.2.254 VIPLEN=32
	front() { echo "10.0.1$1.${2:-2}"; }
	back() { echo "10.0.2.$1"; }
fi
# ldk K ARGS: ldctl on director K
ldk() { nsx "${NS_DIR[$1]}" ldctl "${@:2}"; }

setup_ecmp()
{
	local k n ns nd='' fam=-4 mcast=''

	# shellcheck disable=SC2153 # NS_R: lib.sh
	for ns in "$NS_C" "$NS_RT" "${NS_DIR[@]:1}" "${NS_R[@]:1}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done

	# no ICMP redirects: the router sends replies back out br0 on purpose
	if [[ $LDIR_FAMILY == 6 ]]; then
		# IPv6 has no send_redirects: the reals ignore them instead
		prt sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding &&
			   echo 1 >/proc/sys/net/ipv6/fib_multipath_hash_policy'
		for n in 1 2 3; do
			pr "$n" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_redirects &&
				       echo 0 >/proc/sys/net/ipv6/conf/default/accept_redirects'
		done
		nd=nodad fam=-6 mcast="mcast_snooping 0"
	else
		prt sh -c 'echo 0 >/proc/sys/net/ipv4/conf/all/send_redirects &&
			   echo 0 >/proc/sys/net/ipv4/conf/default/send_redirects &&
			   echo 1 >/proc/sys/net/ipv4/ip_forward &&
			   echo 1 >/proc/sys/net/ipv4/fib_multipath_hash_policy'
	fi
	{
		echo "link add eth0 type veth peer name eth0 netns $NS_C"
		echo "link add br0 type bridge forward_delay 0 $mcast"
		for k in 1 2 3; do
			echo "link add f$k type veth peer name eth0 netns ${NS_DIR[$k]}"
			echo "link add b$k type veth peer name back netns ${NS_DIR[$k]}"
			echo "link set b$k master br0 up"
			echo "link set f$k up"
			echo "addr add $(front "$k" 1)/$PLEN dev f$k $nd"
		done
		for n in 1 2 3; do
			echo "link add s$n type veth peer name eth0 netns ${NS_R[$n]}"
			echo "link set s$n master br0 up"
		done
		echo "addr add $RT_C/$PLEN dev eth0 $nd"
		echo "addr add $RT_B/$PLEN dev br0 $nd"
		echo "link set eth0 up"
		echo "link set br0 up"
		echo "route add $VIP/$VIPLEN nexthop via $(front 1) nexthop via $(front 2) nexthop via $(front 3)"
		echo "route add $CLIENT_NET table 100 nexthop via $(back 1) nexthop via $(back 2) nexthop via $(back 3)"
	} >"$T/router.ip"
	ip -n "$NS_RT" -batch "$T/router.ip"
	ip -n "$NS_RT" "$fam" rule add iif br0 lookup 100 pref 100
	for k in 1 2 3; do
		printf '%s\n' "addr add $(front "$k")/$PLEN dev eth0 $nd" \
			"addr add $(back "$k")/$PLEN dev back $nd" "link set eth0 up" \
			"link set back up" "route add default via $(front "$k" 1)" \
			>"$T/dir$k.ip"
		ip -n "${NS_DIR[$k]}" -batch "$T/dir$k.ip"
		if [[ $LDIR_FAMILY == 6 ]]; then
			sysctl_set "${NS_DIR[$k]}" net.ipv6.conf.all.forwarding 1
		else
			sysctl_set "${NS_DIR[$k]}" net.ipv4.ip_forward 1
		fi
	done
	for n in 1 2 3; do
		printf '%s\n' "addr add ${REAL[$n]}/$PLEN dev eth0 $nd" "link set eth0 up" \
			"route add default via $RT_B" >"$T/real$n.ip"
		ip -n "${NS_R[$n]}" -batch "$T/real$n.ip"
	done
	printf '%s\n' "addr add $CLIENT/$PLEN dev eth0 $nd" "link set eth0 up" \
		"route add default via $RT_C" >"$T/client.ip"
	ip -n "$NS_C" -batch "$T/client.ip"
}

# configure K: the same ldir configuration on director K
configure()
{
	local k=$1 n

	{
		for n in 1 2 3; do
			echo "real add ${REALB[$n]}"
		done
		echo "virtual add tcp $VIPB:8 sched maglev stateless"
		for n in 1 2 3; do
			echo "link add tcp $VIPB:8 real ${REALB[$n]} port 8"
		done
		# real3 joins the UDP service later
		echo "virtual add udp $VIPB:9 sched maglev stateless"
		for n in 1 2; do
			echo "link add udp $VIPB:9 real ${REALB[$n]} port 9"
		done
	} >"$T/ldir.conf"
	ldk "$k" restore "$T/ldir.conf"
}

# The reals count UDP flows to port 9 by source port in an nft set; a
# socat discards the datagrams (no ICMP port unreachable).
setup_sinks()
{
	local n

	cat >"$T/sink.nft" <<-'NFT'
	table inet REAL {
		set seen {
			type inet_service
			flags dynamic
			size 4096
		}
		chain in {
			type filter hook input priority 0; policy accept;
			udp dport 9 add @seen { udp sport }
		}
	}
	NFT
	for n in 1 2 3; do
		sed "s/REAL/real$n/" "$T/sink.nft" >"$T/sink$n.nft"
		pr "$n" nft -f "$T/sink$n.nft"
		bg "${NS_R[$n]}" socat -u "UDP$SOCK-RECV:9" OPEN:/dev/null
	done
	for n in 1 2 3; do
		wait_listen "${NS_R[$n]}" udp 9
	done
}

# The client: FLOWS connected UDP sockets to VIP:9 (FLOWS source ports),
# kept open by one shell; each "go" sends one datagram on each.
start_flows()
{
	coproc FLOWC {
		close_conn_fds
		# shellcheck disable=SC2016 # the inner shell's variables
		exec nsenter --net="/run/netns/$NS_C" bash -c '
			fds=()
			for ((i = 0; i < $1; i++)); do
				exec {fd}<>"/dev/udp/$2/9"
				fds+=("$fd")
			done
			echo ready
			while read -r _; do
				for fd in "${fds[@]}"; do
					echo x >&"$fd"
				done
				echo sent
			done' _ "$FLOWS" "$VIP"
	}
	BG_PIDS+=("$FLOWC_PID")
	if ! read -r -t "$TMO" -u "${FLOWC[0]}" line || [[ $line != ready ]]; then
		fail "UDP client did not start"
	fi
}

# probe: send one datagram per flow; prints "SOURCEPORT realN" per flow,
# sorted by port, once every flow has been seen at a real. (Table realN of
# real N holds the set: one jq for the three listings.)
probe()
{
	local n i line out total pids

	echo go >&"${FLOWC[1]}"
	if ! read -r -t "$TMO" -u "${FLOWC[0]}" line || [[ $line != sent ]]; then
		fail "UDP client did not send"
	fi
	for ((i = 0; i < TMO * 2; i++)); do
		sleep 0.5
		pids=()
		for n in 1 2 3; do
			pr "$n" nft -j list set inet "real$n" seen >"$T/seen$n" &
			pids+=("$!")
		done
		wait "${pids[@]}"
		out=$(jq -r '.nftables[] | select(.set) | .set.table as $r |
			.set.elem[]? |
			(if type == "object" then .elem.val else . end) |
			"\(.) \($r)"' "$T/seen1" "$T/seen2" "$T/seen3" | sort -n)
		total=$(grep -c . <<<"$out" || true)
		((total >= FLOWS)) && break
	done
	pids=()
	for n in 1 2 3; do
		pr "$n" nft flush set inet "real$n" seen &
		pids+=("$!")
	done
	wait "${pids[@]}"
	expect_eq "flows seen at the reals" "$FLOWS" "$total" >/dev/null
	echo "$out"
}

# pkts_in K: director K's global pkts-in
pkts_in()
{
	local j

	j=$(ldk "$1" -j stats)
	jq -er '.stats["pkts_in"]' <<<"$j"
}

setup_ecmp
for k in 1 2 3; do
	configure "$k"
done
start_servers who
setup_sinks
start_flows

log "[$SECONDS s] each director alone: the same real for each of $FLOWS flows"
maps=()
b=("" 0 0 0)	# each director's pkts-in so far
for k in 1 2 3; do
	prt ip route replace "$VIP/$VIPLEN" via "$(front "$k")"
	maps[k]=$(probe)
	b[k]=$(pkts_in "$k")
	expect_eq "director$k alone: pkts-in" "$FLOWS" "${b[k]}"
done
for k in 2 3; do
	[[ ${maps[k]} == "${maps[1]}" ]] ||
		fail "director$k picks other reals than director1: $(diff <(echo "${maps[1]}") <(echo "${maps[k]}"))"
	ok "director$k picks what director1 picks for each of $FLOWS flows"
done
r1=$(grep -c ' real1$' <<<"${maps[1]}" || true)
r2=$(grep -c ' real2$' <<<"${maps[1]}" || true)
expect_ge "flows on real1" 1 "$r1"
expect_ge "flows on real2" 1 "$r2"
n=()
for k in 1 2 3; do
	n+=("$(ldk "$k" -j conns | jq length)")
done
expect_eq "conn objects on the three directors" "0 0 0" "${n[*]}"

log "[$SECONDS s] ECMP over the three directors"
prt ip route replace "$VIP/$VIPLEN" nexthop via "$(front 1)" nexthop via "$(front 2)" \
	nexthop via "$(front 3)"
map=$(probe)
[[ $map == "${maps[1]}" ]] ||
	fail "through ECMP, other reals: $(diff <(echo "${maps[1]}") <(echo "$map"))"
ok "through ECMP: the same real for each of $FLOWS flows"
total=0
for k in 1 2 3; do
	d=$(($(pkts_in "$k") - b[k]))
	expect_ge "director$k carried flows" 1 "$d"
	total=$((total + d))
done
expect_eq "each flow crossed exactly one director" "$FLOWS" "$total"

log "[$SECONDS s] real3 joins: only flows Maglev gives it move"
for k in 1 2 3; do
	ldk "$k" link add udp "$VIPB:9" real "${REALB[3]}" port 9
done
after=$(probe)
moved=0
to_new=0
between=0
while read -r port was && read -r port2 now <&3; do
	[[ $port == "$port2" ]] || fail "flow sets differ: $port $port2"
	[[ $was == "$now" ]] && continue
	moved=$((moved + 1))
	if [[ $now == real3 ]]; then
		to_new=$((to_new + 1))
	else
		between=$((between + 1))
	fi
done <<<"$map" 3<<<"$after"
log "moved $moved of $FLOWS flows: $to_new to real3, $between between real1 and real2"
expect_eq "flows on real3 are the flows that moved there" \
	"$(grep -c ' real3$' <<<"$after" || true)" "$to_new"
expect_ge "flows moved to real3" 1 "$to_new"
# Maglev's share of a third real: 1/3 of the flows (20 of 60, sd 3.7);
# modulo-N hashing would move 2/3 of them
((moved <= 35)) || fail "$moved flows moved, Maglev moves about 1/3 (20)"
ok "moved $moved <= 35"
# the table's extra disruption is ~0.25% of entries: 0.15 of 60 flows
((between <= 2)) || fail "$between flows moved between real1 and real2"
ok "moved between the old reals: $between <= 2"

log "[$SECONDS s] established TCP conns, then director1 fails"
route_dir() # PORT: the director the router sends client:PORT -> VIP:8 to
{
	local out

	out=$(prt ip route get "$VIP" from "$CLIENT" iif eth0 ipproto tcp \
		sport "$1" dport 8)
	if [[ $out =~ via\ $(re_quote "$(front X)" | sed 's/X/([123])/') ]]; then
		echo "${BASH_REMATCH[1]}"
	fi
}
ids=()
on1=0
for ((i = 0; i < 16; i++)); do
	conn_open "C$i"
	ids+=("C$i")
	read -r _ peer <"$T/C$i.out"
	port=${peer##*:}
	d=$(route_dir "$port")
	[[ $d =~ ^[123]$ ]] || fail "ip route get: no director for port $port"
	if ((d == 1)); then
		on1=$((on1 + 1))
	fi
	if ((i >= 5 && on1 >= 1)); then
		break
	fi
done
log "${#ids[@]} conns, $on1 of them through director1"
expect_ge "conns through director1" 1 "$on1"
for id in "${ids[@]}"; do
	conn_echoes "$id" "before-$id" || fail "conn $id: no echo before the failure"
done
prt ip route replace "$VIP/$VIPLEN" nexthop via "$(front 2)" nexthop via "$(front 3)"
prt ip route replace "$CLIENT_NET" table 100 nexthop via "$(back 2)" nexthop via "$(back 3)"
ldk 1 flush
ip -n "${NS_DIR[1]}" link set eth0 down
ip -n "${NS_DIR[1]}" link set back down
survivors=0
for id in "${ids[@]}"; do
	if conn_echoes "$id" "after-$id" 5; then
		survivors=$((survivors + 1))
	fi
done
log "[$SECONDS s] $survivors of ${#ids[@]} conns answered"
expect_eq "conns alive after director1 failed" "${#ids[@]}" "$survivors"
for id in "${ids[@]}"; do
	conn_close "$id"
done
for k in 2 3; do
	expect_eq "director$k: no conn objects" 0 "$(ldk "$k" -j conns | jq length)"
	expect_eq "director$k: drop-no-real" 0 \
		"$(ldk "$k" -j stats | jq '.stats["drop_no_real"]')"
done
