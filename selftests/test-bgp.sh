#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Scale-out with BGP: three directors, each with the same stateful maglev
# virtual, announce the VIP with bird2 to a router (bird2 too) that puts the
# three paths in one ECMP route; examples/bgp/ldir-bgp-hook on each director
# enables and disables the announcement from ldir's events. The topology is
# test-ecmp.sh's, but the router learns both of its routes by BGP: the VIP
# via the directors' front addresses, and the reals' return route (table
# 100, for packets from br0) via their back addresses, which each director
# announces as a default route with its back address as next hop.
#
#                          ┌ router (bird: AS 65000, merge paths) ──────────┐
#  ┌─────────────┐         │ eth0 10.0.1.1                                  │
#  │ client      ├─────────┤ VIP 192.0.2.10/32: BGP, ECMP over 10.0.11.2,   │
#  │ 10.0.1.2    │         │   .12.2, .13.2 (f1 f2 f3)                      │
#  └─────────────┘         │ from br0: table 100, default: BGP, ECMP over   │
#                          │   10.0.2.1, .2.2, .2.3                         │
#                          │ br0 10.0.2.254 (the reals' default gateway)    │
#                          └─┬──────────┬──────────┬──────────┬─────────────┘
#                         f1 │ b1    f2 │ b2    f3 │ b3       │ s1 s2 s3
#              ┌─────────────┴─┐  ┌─────┴─────┐ ┌──┴────────┐ │
#              │ director1     │  │ director2 │ │ director3 │ ├─ real1 10.0.2.11
#              │ eth0 10.0.11.2│  │ 10.0.12.2 │ │ 10.0.13.2 │ ├─ real2 10.0.2.12
#              │ back 10.0.2.1 │  │ 10.0.2.2  │ │ 10.0.2.3  │ └─ real3 10.0.2.13
#              │ bird AS 65001 │  │ the same  │ │ the same  │
#              │ ldir-bgp-hook │  │           │ │           │
#              └───────────────┘  └───────────┘ └───────────┘
#
# The router hashes both routes on the 5-tuple (fib_multipath_hash_policy
# 1), so a flow's replies often cross another director than its client
# packets: that director has no conn for it and sends the reply from the
# VIP all the same (reply-adopted), as the real serves one maglev virtual.
#
# Shown:
#   the hook announces nothing for a virtual set out when it starts, and
#   announces it when it is set in (the router: 2 then 3 paths)
#   30 long-lived TCP flows spread over the three directors (and their
#   replies too: some cross a director without their conn)
#   director1 dies (links down, conns flushed, bird killed): the router
#   drops its paths, and every flow goes on (the flows that moved are
#   adopted where they land: maglev picks the same real everywhere)
#   director1's bird restarts: the hook announces the VIP again
#   director3's back leg breaks: passive detection fails its three reals,
#   the virtual fails, the hook withdraws both routes (2 paths), and new
#   flows never reach director3; its back leg repaired, the hook's probe
#   puts its reals back, the virtual recovers and is announced (3 paths)
# IPv6: the same with 10.0.1K.0/24 as 2001:db8:1K::/64, the back legs
# 2001:db8:2::K and the router's br0 2001:db8:2::fe.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
command -v bird >/dev/null || fail "bird not in the guest (bird2, LDIR_PKGS)"
command -v ldtcp >/dev/null || fail "ldtcp not in the guest (selftests/tools)"
HOOK=$(cd "$(dirname "$0")/.." && pwd)/examples/bgp/ldir-bgp-hook
[[ -x $HOOK ]] || fail "no $HOOK"

NS_RT=ldir-router-$$
NS_DIR=("" "ldir-dir1-$$" "ldir-dir2-$$" "ldir-dir3-$$")
HOOK_PID=()
EXTRA_NS+=("$NS_RT" "${NS_DIR[@]:1}")
FLOWS=30
INTERVAL=5	# the hooks' look at the state between events (their default)

prt() { nsx "$NS_RT" "$@"; }
if [[ $LDIR_FAMILY == 6 ]]; then
	RT_C=2001:db8:1::1 RT_B=2001:db8:2::fe VIPLEN=128 FAM=ipv6 DFLT=::/0
	front() { echo "2001:db8:1$1::${2:-2}"; }
	back() { echo "2001:db8:2::$1"; }
else
	RT_C=10.0.1.1 RT_B=10.0.2.254 VIPLEN=32 FAM=ipv4 DFLT=0.0.0.0/0
	front() { echo "10.0.1$1.${2:-2}"; }
	back() { echo "10.0.2.$1"; }
fi
# ldk K ARGS: ldctl on director K
ldk() { nsx "${NS_DIR[$1]}" ldctl "${@:2}"; }

setup_net()
{
	local k n ns nd='' fam=-4 mcast='' v=ipv4

	# shellcheck disable=SC2153 # NS_R: lib.sh
	for ns in "$NS_C" "$NS_RT" "${NS_DIR[@]:1}" "${NS_R[@]:1}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	if [[ $LDIR_FAMILY == 6 ]]; then
		prt sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
		for n in 1 2 3; do
			pr "$n" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_redirects &&
				       echo 0 >/proc/sys/net/ipv6/conf/default/accept_redirects'
		done
		nd=nodad fam=-6 mcast="mcast_snooping 0" v=ipv6
	else
		prt sh -c 'echo 0 >/proc/sys/net/ipv4/conf/all/send_redirects &&
			   echo 0 >/proc/sys/net/ipv4/conf/default/send_redirects &&
			   echo 1 >/proc/sys/net/ipv4/ip_forward'
	fi
	sysctl_set "$NS_RT" "net.$v.fib_multipath_hash_policy" 1
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
	} >"$T/router.ip"
	ip -n "$NS_RT" -batch "$T/router.ip"
	ip -n "$NS_RT" "$fam" rule add iif br0 lookup 100 pref 100
	for k in 1 2 3; do
		# replace: run again when the director comes back (a link set
		# down loses its routes, and its IPv6 addresses)
		printf '%s\n' "link set eth0 up" "link set back up" \
			"addr replace $(front "$k")/$PLEN dev eth0 $nd" \
			"addr replace $(back "$k")/$PLEN dev back $nd" \
			"route replace default via $(front "$k" 1)" >"$T/dir$k.ip"
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

# configure K: the same ldir configuration on every director; a real whose
# SYN goes unanswered once fails (for the back-leg failure below)
configure()
{
	local n

	{
		echo "config set syn-resends 1"
		for n in 1 2 3; do
			echo "real add ${REALB[$n]} fail-threshold 1"
		done
		echo "virtual add tcp $VIPB:7 sched maglev"
		for n in 1 2 3; do
			echo "link add tcp $VIPB:7 real ${REALB[$n]} port 7"
		done
	} >"$T/ldir.conf"
	ldk "$1" restore "$T/ldir.conf"
}

# BGP timers for a test: a dead peer is noticed in 3 s (a link that goes
# down at once), a session comes up within a second or two
TIMERS="hold time 3; keepalive time 1; connect delay time 1;
	connect retry time 1; error wait time 1, 2; graceful restart off;"

# The router: the VIP's paths into the main table, the return paths
# (the default routes the directors announce) into table 100.
router_conf()
{
	local k

	cat <<-EOF
	log "$T/birdrt.log" all;
	router id 10.0.1.1;
	$FAM table back;
	protocol device { }
	template bgp director {
		local as 65000;
		$TIMERS
		$FAM {
			import where net ~ [ $VIP/$VIPLEN ] || net = $DFLT;
			export none;
		};
	}
	protocol kernel {
		merge paths on;
		$FAM { export where net ~ [ $VIP/$VIPLEN ]; };
	}
	protocol pipe {
		table master${FAM#ipv};
		peer table back;
		import none;
		export where net = $DFLT;
	}
	protocol kernel {
		kernel table 100;
		merge paths on;
		$FAM { table back; export all; };
	}
	EOF
	for k in 1 2 3; do
		echo "protocol bgp dir$k from director { neighbor $(front "$k") as 65001; }"
	done
}

# A director: the VIP and the return route, each in a static protocol
# that stays disabled until ldir-bgp-hook enables it.
director_conf()
{
	cat <<-EOF
	log "$T/bird$1.log" all;
	router id 10.0.1$1.2;
	protocol device { }
	protocol static vip {
		disabled;
		$FAM;
		route $VIP/$VIPLEN blackhole;
	}
	protocol static ret {
		disabled;
		$FAM;
		route $DFLT blackhole;
	}
	protocol bgp uplink {
		local as 65001;
		neighbor $(front "$1" 1) as 65000;
		$TIMERS
		$FAM {
			import none;
			export filter {
				if proto = "vip" then accept;
				if proto = "ret" then {
					bgp_next_hop = $(back "$1");
					accept;
				}
				reject;
			};
		};
	}
	EOF
}

# start_bird K|rt
start_bird()
{
	local ns=$NS_RT

	[[ $1 == rt ]] || ns=${NS_DIR[$1]}
	if [[ $1 == rt ]]; then router_conf; else director_conf "$1"; fi >"$T/bird$1.conf"
	rm -f "$T/bird$1.pid"
	bg "$ns" bird -f -c "$T/bird$1.conf" -s "$T/bird$1.ctl" -P "$T/bird$1.pid"
	wait_for 10 test -S "$T/bird$1.ctl" || fail "bird $1 did not start: $(cat "$T/bird$1.log")"
}

# paths [table]: the directors (1 2 3) the router's VIP route (or table
# 100's default route) goes through, in order
paths()
{
	local j

	if [[ ${1:-} == 100 ]]; then
		j=$(prt ip -j "-${LDIR_FAMILY}" route show table 100 default 2>/dev/null) ||
			j='[]'
	else
		j=$(prt ip -j "-${LDIR_FAMILY}" route show "$VIP/$VIPLEN")
	fi
	jq -r '.[] | if .nexthops then .nexthops[].gateway else .gateway // empty end' \
		<<<"$j" | while read -r gw; do
		for k in 1 2 3; do
			[[ $gw == "$(front "$k")" || $gw == "$(back "$k")" ]] && echo "$k"
		done
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

# routes_are WANT: both routes go through directors WANT ("1 2 3")
routes_are() { [[ $(paths) == "$1" && $(paths 100) == "$1" ]]; }

# diag: what bird and the hooks say, for a failure
diag()
{
	local k

	for k in rt 1 2 3; do
		echo "--- bird $k"
		birdc -s "$T/bird$k.ctl" show protocols 2>&1 | tail -n +2
		tail -n 5 "$T/bird$k.log" 2>/dev/null
		[[ $k == rt ]] || tail -n 5 "$T/hook$k.log"
	done
	prt ip route show table all | grep -v -e local -e fe80
}

# wait_routes WANT WHAT SECONDS
wait_routes()
{
	local end=$((SECONDS + $3))

	until routes_are "$1"; do
		((SECONDS < end)) ||
			fail "$2: the router's paths are '$(paths)' and '$(paths 100)', not '$1'
$(diag)"
		sleep 0.5
	done
	ok "$2: the router's VIP and return routes go through directors $1 [$SECONDS s]"
}

# dir_conns K: director K's conns
dir_conns() { ldk "$1" -j conns | jq length; }
# dstat K COUNTER: a global counter of director K
dstat() { ldk "$1" -j stats | jq -r ".stats[\"$2\"]"; }

# flows_open N: N TCP conns from the client to VIP:7 (echo), held by one
# bash in the client's netns (one process, not one per conn);
# flows_echo TAG: each conn sends "TAG-I", and ECHOED is the number that
# read it back within 5 s; flows_close closes them all.
flows_open()
{
	local line

	coproc FLC {
		close_conn_fds
		# shellcheck disable=SC2016 # the inner shell's variables
		exec nsenter --net="/run/netns/$NS_C" bash -c '
			fds=()
			for ((i = 0; i < $1; i++)); do
				exec {fd}<>"/dev/tcp/$2/7" || { echo "error: conn $i"; exit 1; }
				fds+=("$fd")
			done
			echo ready
			while read -r cmd tag && [[ $cmd == echo ]]; do
				for i in "${!fds[@]}"; do
					echo "$tag-$i" >&"${fds[i]}"
				done
				n=0
				for i in "${!fds[@]}"; do
					if read -r -t 5 line <&"${fds[i]}" &&
					   [[ $line == "$tag-$i" ]]; then
						n=$((n + 1))
					fi
				done
				echo "echoed $n"
			done' _ "$1" "$VIP" 2>&1
	}
	# shellcheck disable=SC2153 # set by coproc
	FLC_CHILD=$FLC_PID
	BG_PIDS+=("$FLC_PID")
	if ! read -r -t "$TMO" -u "${FLC[0]}" line || [[ $line != ready ]]; then
		fail "the client did not open $1 conns: ${line:-nothing}"
	fi
}

flows_echo()
{
	local line

	echo "echo $1" >&"${FLC[1]}"
	if ! read -r -t "$TMO" -u "${FLC[0]}" line || [[ $line != "echoed "* ]]; then
		fail "the client does not answer: ${line:-nothing}"
	fi
	ECHOED=${line#echoed }
}

flows_close()
{
	echo close >&"${FLC[1]}"
	wait "$FLC_CHILD" 2>/dev/null || true
}

# test-bgp-sync.sh sources this file for the functions above and runs its
# own steps
[[ -z ${BGP_FUNCTIONS_ONLY:-} ]] || return 0

setup_net
for k in 1 2 3; do
	configure "$k"
done
# director3 starts with its virtual out: its hook must not announce it
ldk 3 virtual set tcp "$VIPB:7" state out
start_servers echo
start_bird rt
for k in 1 2 3; do
	start_bird "$k"
	bg "${NS_DIR[$k]}" "$HOOK" -s "$T/bird$k.ctl" -i "$INTERVAL" "$VIP=vip,ret" \
		2>"$T/hook$k.log"
	HOOK_PID[k]=${BG_PIDS[-1]}
done

log "[$SECONDS s] the hooks announce what ldir serves"
wait_routes "1 2" "director3's virtual out" 30
kill -HUP "${HOOK_PID[3]}"
sleep 1
expect_eq "the paths, once director3's hook looked again" "1 2" "$(paths)"
ldk 3 virtual set tcp "$VIPB:7" state in
# (no event for that: the hook looks on SIGHUP)
kill -HUP "${HOOK_PID[3]}"
wait_routes "1 2 3" "director3's virtual in" 30

log "[$SECONDS s] $FLOWS long-lived flows over the three directors"
flows_open "$FLOWS"
n=()
total=0
for k in 1 2 3; do
	n[k]=$(dir_conns "$k")
	total=$((total + n[k]))
done
log "conns per director: ${n[*]:1}"
for k in 1 2 3; do
	expect_ge "director$k: conns" 1 "${n[k]}"
done
expect_eq "each flow on exactly one director" "$FLOWS" "$total"
flows_echo before
expect_eq "flows that echo" "$FLOWS" "$ECHOED"
ra=0
for k in 1 2 3; do
	ra=$((ra + $(dstat "$k" reply_adopted)))
done
expect_ge "replies sent from the VIP by a director without the conn" 1 "$ra"
on1=${n[1]}
a0=$(($(dstat 2 adopted) + $(dstat 3 adopted)))

log "[$SECONDS s] director1 dies"
ip -n "${NS_DIR[1]}" link set eth0 down
ip -n "${NS_DIR[1]}" link set back down
ldk 1 flush conns
pid=$(cat "$T/bird1.pid")
disown "$pid" 2>/dev/null || true	# no "Killed" from bash
kill -9 "$pid"
wait_routes "2 3" "director1 dead" 30
flows_echo after
survivors=$ECHOED
log "[$SECONDS s] $survivors of $FLOWS flows answered"
((survivors * 100 >= FLOWS * 99)) ||
	fail "$survivors of $FLOWS flows survived director1's death (< 99%)"
ok "flows alive after director1 died: $survivors of $FLOWS"
a1=$(($(dstat 2 adopted) + $(dstat 3 adopted)))
# every flow of director1 moved; others may move between 2 and 3 too
expect_ge "flows adopted by directors 2 and 3" "$on1" "$((a1 - a0))"
flows_close

log "[$SECONDS s] director1 comes back: its hook announces again"
ip -n "${NS_DIR[1]}" -batch "$T/dir1.ip"
start_bird 1
wait_routes "1 2 3" "director1's bird restarted" 30

log "[$SECONDS s] director3's back leg breaks: its reals fail"
# (the router's end of it: director3 keeps its address)
prt ip link set b3 down
# SYNs from 30 client ports, one a second (ldtcp: the same ISN each
# time, so every copy is a resend): about 10 of them go to director3,
# where each resend goes unanswered, which fails a real (fail-threshold 1)
# and sends the next to another; the rest reach a real through directors
# 1 and 2, and the client's RST ends them
(exec nsenter --net="/run/netns/$NS_C" ldtcp syn "$CLIENT" "$VIP" 7 30000 30 6 1000) &
spid=$!
wait_routes "1 2" "director3's reals failed" 30
wait "$spid"
expect_eq "director3's virtual failed" true \
	"$(ldk 3 -j show | jq '.virtuals[0].failed')"
p3=$(dstat 3 pkts_in)
flows_open 12
flows_echo new
expect_eq "new flows that echo" 12 "$ECHOED"
flows_close
expect_eq "new flows that reached director3" 0 "$(($(dstat 3 pkts_in) - p3))"

log "[$SECONDS s] director3's back leg repaired: the hook's probes put its reals back"
prt ip link set b3 up
wait_routes "1 2 3" "director3 recovered" 30
expect_eq "director3's virtual failed" false \
	"$(ldk 3 -j show | jq '.virtuals[0].failed')"
grep -q 'back in service' "$T/hook3.log" ||
	fail "no probe in director3's hook log: $(cat "$T/hook3.log")"
p3=$(dstat 3 pkts_in)
flows_open 12
flows_echo again
expect_eq "new flows that echo" 12 "$ECHOED"
flows_close
expect_ge "director3's packets from 12 new flows" 1 "$(($(dstat 3 pkts_in) - p3))"
log "director3's hook:"
sed 's/^/#   /' "$T/hook3.log"
