#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
# ldir-families: 4 6
# ldir-kernels-ipv6: 6.12
#
# Scale-out with BGP and conn sync: test-bgp.sh's three directors and
# router (its functions, sourced), with a stateful virtual that no hash
# schedules (lc, with FPA) and ldsyncd in role active on every director,
# each sending its conns to the other two over the back legs (br0). A
# flow that ECMP moves to another director, when one dies or comes back,
# finds its conn there: the router rehashes every flow when its paths
# change, so flows between the survivors move too, and every director
# needs every other's conns.
#
#                          ┌ router (bird, ECMP over f1 f2 f3) ─────────────┐
#  ┌─────────────┐         │ eth0                            br0 ┬──────────┤
#  │ client      ├─────────┤                                     │ s1 s2 s3 │
#  └─────────────┘         └─┬──────────┬──────────┬────────────┼──────────┘
#                         f1 │ b1    f2 │ b2    f3 │ b3          ├─ real1
#              ┌─────────────┴─┐  ┌─────┴─────┐ ┌──┴────────┐    ├─ real2
#              │ director1     │  │ director2 │ │ director3 │    └─ real3
#              │ bird, hook,   │  │ the same  │ │ the same  │
#              │ ldsyncd back ─┼──┼─ back ────┼─┼─ back     │ (UDP 7411 on br0)
#              └───────────────┘  └───────────┘ └───────────┘
#
# The reals' replies: a director only translates a reply of a conn it
# holds, and sync carries no embryonic conn (a SYN flood must not reach
# the peers), so the SYN-ACK of a new flow must come back through the
# director its SYN crossed. Each real marks a flow's conntrack entry with
# the director that sent it the flow's last packet (the frame's source
# MAC) and routes the flow's replies to that director's back address
# (policy routing on the mark): the usual setup of several NAT
# directors. The router's ECMP return route stays for everything else.
#
# Shown:
#   the three daemons hear each other; each director holds every flow's
#   conn (its own and its peers'), ESTABLISHED
#   30 long-lived TCP flows spread over the three directors
#   director1 dies (links down, its ldsyncd and bird killed, its conns
#   flushed): the router drops its paths, and all 30 flows go on
#   director1 comes back (ldsyncd and bird; its hook runs with -w): with
#   its sync data held back, its bird up and its virtual in, the hook
#   announces nothing; once the peers' tables arrived (a bulk resync) it
#   announces again, holding every conn, and the flows the router moves
#   to it go on, all 30
# Without ldsyncd the flows that change director die at director1's
# death: 12 of the 30 in a run on 6.12 (IPv4; the ECMP rehash moves some
# between directors 2 and 3 too).

BGP_FUNCTIONS_ONLY=1
# shellcheck source=test-bgp.sh
source "$(dirname "$0")/test-bgp.sh"
command -v ldsyncd >/dev/null || fail "ldsyncd not in the guest (tools/ldsyncd)"

FLOWS=30
SYNC_PID=()

# sep ADDR: ADDR as ldsyncd takes it with a port (IPv6 in brackets)
sep() { if [[ $1 == *:* ]]; then echo "[$1]"; else echo "$1"; fi; }
# sctl K ARGS: `ldsyncd ctl` of director K's daemon
sctl() { ldsyncd ctl --ctl "$T/sync$1.sock" "${@:2}"; }
# speers K: the peers director K's daemon hears
speers() { sctl "$1" stats 2>/dev/null | grep -c '^peer .* alive 1 '; }

# configure K: an lc virtual with FPA at VIP:7, the three reals' echo
configure()
{
	local n

	{
		for n in 1 2 3; do
			echo "real add ${REALB[$n]}"
		done
		echo "virtual add tcp $VIPB:7 sched lc fpa 60"
		for n in 1 2 3; do
			echo "link add tcp $VIPB:7 real ${REALB[$n]} port 7"
		done
	} >"$T/ldir.conf"
	ldk "$1" restore "$T/ldir.conf"
}

# ret_by_mac: the reals send the replies of port 7 to the director that
# sent them the flow's last packet (see above)
ret_by_mac()
{
	local n k mac els='' fam=-$LDIR_FAMILY

	for k in 1 2 3; do
		mac=$(ip -n "${NS_DIR[$k]}" -j link show back | jq -r '.[0].address')
		els+="${els:+, }$mac : $k"
	done
	for n in 1 2 3; do
		pr "$n" nft -f - <<-EOF
		table inet ret {
			map dir {
				type ether_addr : mark
				elements = { $els }
			}
			chain pre {
				type filter hook prerouting priority mangle; policy accept;
				tcp dport 7 ct mark set ether saddr map @dir
			}
			chain out {
				type route hook output priority mangle; policy accept;
				tcp sport 7 meta mark set ct mark
			}
		}
		EOF
		for k in 1 2 3; do
			ip -n "${NS_R[$n]}" "$fam" rule add fwmark "$k" lookup $((10 + k))
			ip -n "${NS_R[$n]}" "$fam" route add default via "$(back "$k")" \
				table $((10 + k))
		done
	done
}

# start_sync K: ldsyncd on director K, role active, the other two its
# peers, over the back legs
start_sync()
{
	local k=$1 j peers=''

	for j in 1 2 3; do
		((j == k)) || peers+=" --peer $(sep "$(back "$j")"):7411"
	done
	rm -f "$T/sync$k.sock"
	bg "${NS_DIR[$k]}" sh -c "exec ldsyncd -v --listen $(sep "$(back "$k")"):7411 \
		$peers --key-file $T/key --role active --ctl $T/sync$k.sock \
		--hello-ms 200 --dead-ms 1000 --rto-ms 100 2>>$T/sync$k.log"
	SYNC_PID[k]=${BG_PIDS[-1]}
	wait_for 10 sctl "$k" ping >/dev/null 2>&1 ||
		fail "ldsyncd on director$k did not start: $(cat "$T/sync$k.log")"
}

# est K: director K's ESTABLISHED conns to VIP:7
est()
{
	ldk "$1" -j conns |
		jq '[.[] | select(.virtual_port == 7 and .state == "established")] | length'
}

# all_hold K...: each director K holds every flow's conn
all_hold()
{
	local k

	for k; do
		[[ $(est "$k") == "$FLOWS" ]] || return 1
	done
}

# sync_diag: what the daemons counted, for a failure
sync_diag()
{
	local k

	for k in 1 2 3; do
		echo "--- director$k: $(est "$k") established conns; ldsyncd:"
		sctl "$k" stats 2>&1 | grep -E '^(peer|kernel)'
		echo "ready: $(sctl "$k" ready 2>&1)"
		tail -n 8 "$T/sync$k.log"
	done
}

# pkts K: packets director K took from clients so far
pkts() { dstat "$1" pkts_in; }

setup_net
head -c 32 /dev/urandom | base64 >"$T/key"
ret_by_mac
for k in 1 2 3; do
	configure "$k"
done
start_servers echo
start_bird rt
log "[$SECONDS s] bird, ldsyncd and the hook on each director"
for k in 1 2 3; do
	start_sync "$k"
	start_bird "$k"
	# LDSYNCD_CTL: the daemon whose readiness the hook asks, where it does
	bg "${NS_DIR[$k]}" env LDSYNCD_CTL="$T/sync$k.sock" "$HOOK" -w -s "$T/bird$k.ctl" \
		-i "$INTERVAL" "$VIP=vip,ret" 2>"$T/hook$k.log"
	HOOK_PID[k]=${BG_PIDS[-1]}
done
for k in 1 2 3; do
	wait_for 10 test "$(speers "$k")" = 2 ||
		fail "director$k's ldsyncd hears $(speers "$k") of 2 peers
$(sync_diag)"
done
ok "each ldsyncd hears its two peers [$SECONDS s]"
wait_routes "1 2 3" "every director announces" 30

log "[$SECONDS s] $FLOWS long-lived flows over the three directors"
for k in 1 2 3; do
	p0[k]=$(pkts "$k")
done
flows_open "$FLOWS"
flows_echo before
expect_eq "flows that echo" "$FLOWS" "$ECHOED"
for k in 1 2 3; do
	expect_ge "director$k: packets of the flows" 1 "$(($(pkts "$k") - p0[k]))"
done
wait_for 10 all_hold 1 2 3 ||
	fail "not every director holds the $FLOWS conns: $(est 1) $(est 2) $(est 3)
$(sync_diag)"
ok "every director holds all $FLOWS conns, ESTABLISHED"

log "[$SECONDS s] director1 dies"
ip -n "${NS_DIR[1]}" link set eth0 down
ip -n "${NS_DIR[1]}" link set back down
for pid in "${SYNC_PID[1]}" "$(cat "$T/bird1.pid")"; do
	disown "$pid" 2>/dev/null || true	# no "Killed" from bash
	kill -9 "$pid"
done
ldk 1 flush conns
wait_routes "2 3" "director1 dead" 30
flows_echo after
log "[$SECONDS s] $ECHOED of $FLOWS flows answered"
[[ $ECHOED == "$FLOWS" ]] ||
	fail "$ECHOED of $FLOWS flows survived director1's death
$(sync_diag)"
ok "flows alive after director1 died: $ECHOED of $FLOWS"
expect_eq "director1's conns" 0 "$(est 1)"

log "[$SECONDS s] director1 comes back"
ip -n "${NS_DIR[1]}" -batch "$T/dir1.ip"
# (its hook kept running, with -w: it withdraws while ldsyncd is not ready)
# the sync data (not the hellos: smaller) held back from director1
nsx "${NS_DIR[1]}" nft -f - <<-EOF
table inet hold {
	chain in {
		type filter hook input priority filter; policy accept;
		udp dport 7411 meta length > 200 drop
	}
}
EOF
start_sync 1
start_bird 1
bgp_up() { birdc -s "$T/bird1.ctl" show protocols uplink | grep -q Established; }
wait_for 20 bgp_up || fail "director1's BGP session does not come up
$(diag)"
kill -HUP "${HOOK_PID[1]}"
sleep 2
expect_eq "the paths, director1 without its peers' conns" "2 3" "$(paths)"
log "director1's ldsyncd: $(sctl 1 ready 2>&1)"
nsx "${NS_DIR[1]}" nft delete table inet hold
# the peers' resends back off; a new stream goes at once
sctl 2 resync >/dev/null
sctl 3 resync >/dev/null
end=$((SECONDS + 30))
until routes_are "1 2 3"; do
	((SECONDS < end)) ||
		fail "director1 back: the router's paths are '$(paths)', not '1 2 3'
$(sync_diag)
$(diag)"
	sleep 0.5
done
ok "director1 back: the router's VIP and return routes go through directors 1 2 3 [$SECONDS s]"
expect_eq "director1's conns when it announces" "$FLOWS" "$(est 1)"
p1=$(pkts 1)
flows_echo rejoined
log "[$SECONDS s] $ECHOED of $FLOWS flows answered"
[[ $ECHOED == "$FLOWS" ]] ||
	fail "$ECHOED of $FLOWS flows survived director1's return
$(sync_diag)"
ok "flows alive after director1 came back: $ECHOED of $FLOWS"
expect_ge "director1: packets of the flows it took back" 1 "$(($(pkts 1) - p1))"
flows_close
for k in 1 2 3; do
	log "director$k's ldsyncd: $(sctl "$k" stats | grep -E '^(peer|kernel)' | tr '\n' ' ')"
done
