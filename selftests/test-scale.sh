#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1 6.12
#
# Control-plane work is bounded: 4096 virtuals x 4 links with ~100,000
# live UDP conns, and `ldctl flush` waits for one grace period for them
# all, not one per virtual, while ldir holds no lock that other netns (or
# other genetlink families: ipvsadm) wait on; and so does the exit of a
# netns with all of it.
#
#  ┌──────────────────┐     ┌─────────────────────────────────────┐
#  │ client           │veth │ director (ldir, ip_forward=1)       │
#  │ eth0 10.0.1.2/24 ├─────┤ outside 10.0.1.1/24                 │
#  │ 198.18.0.0/15    │     │ 4096 virtuals 198.18.0.0-15.255:7   │
#  │ via 10.0.1.1     │     │ udp, virtual i linked to 10.0.2.11, │
#  │                  │     │ .12, .13, .14 on port 10000 + i     │
#  └──────────────────┘     │ 10.0.2.0/24 blackhole: the conns    │
#                           │ stay, the datagrams go nowhere      │
#                           └─────────────────────────────────────┘
#  other: a netns with an ldir instance of its own (one virtual) and
#  ipvsadm, asked while the director flushes.
#
# The figures are bounds on behaviour, not speeds: one grace period
# instead of 4096 (each several ms under TCG: well over a minute in all
# with the conns' flush), and no global lock held meanwhile. They are
# far below what a flush that waits per virtual costs. LDIR_SCALE_CONNS: the conns to make.
# (Each virtual has ports of its own on the reals: two conns may not
# share a reply tuple, real:port -> client:port.)

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

NV=4096
WANT=${LDIR_SCALE_CONNS:-100000}
# The bounds, ten times what the flush and the exit take on an idle host
# (2.2 s and 1.9 s on stock 6.12 under TCG): a
# flush that waits per virtual waits 4096 grace periods and walks each
# real's 4096 links for every conn it kills, and on stock 6.12 had not
# finished after 240 s, with ldctl in the other netns blocked as long.
FLUSH_MAX_MS=20000
EXIT_MAX_MS=10000
PROBE_MAX_MS=1000

command -v ldbench >/dev/null || fail "ldbench (tools/bench) is not in the guest"

# now_ms: the time in ms, without a process
now_ms()
{
	local t=${EPOCHREALTIME/./}

	echo $((t / 1000))
}

for ns in "$NS_C" "$NS_D" "$NS_O"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip -n "$NS_D" link add outside type veth peer name eth0 netns "$NS_C"
ip -n "$NS_D" addr add 10.0.1.1/24 dev outside
ip -n "$NS_D" link set outside up
ip -n "$NS_D" route add blackhole 10.0.2.0/24
sysctl_set "$NS_D" net.ipv4.ip_forward 1
ip -n "$NS_C" addr add "$CLIENT/24" dev eth0
ip -n "$NS_C" link set eth0 up
ip -n "$NS_C" route add 198.18.0.0/15 via 10.0.1.1
pc busybox ping -c 1 -W 5 10.0.1.1 >/dev/null

log "$NV virtuals x 4 links through one ldctl restore"
{
	for r in 11 12 13 14; do
		echo "real add 10.0.2.$r"
	done
	awk -v n="$NV" 'BEGIN {
		for (i = 0; i < n; i++) {
			vip = sprintf("198.18.%d.%d:7", int(i / 256), i % 256)
			printf "virtual add udp %s sched rr\n", vip
			for (r = 11; r <= 14; r++)
				printf "link add udp %s real 10.0.2.%d port %d\n", vip, r, 10000 + i
		}
	}'
} >"$T/config"
t0=$(now_ms)
ld restore "$T/config"
log "restore took $(($(now_ms) - t0)) ms"
j=$(ld -j show)
expect_eq "virtuals" "$NV" "$(jq '.virtuals | length' <<<"$j")"
expect_eq "links" $((NV * 4)) "$(jq '[.virtuals[].links[]] | length' <<<"$j")"

nsx "$NS_O" ldctl virtual add tcp 192.0.2.10:80
modprobe ip_vs 2>/dev/null || true
nsx "$NS_O" ipvsadm -A -t 192.0.2.10:80 -s rr
nsx "$NS_O" ipvsadm -Ln | grep -q '192.0.2.10:80' ||
	fail "ipvsadm -Ln in the other netns does not list its service"

log "UDP flows from the client: $NV virtuals x $(((WANT + NV - 1) / NV)) source ports"
ports=$(((WANT + NV - 1) / NV))
conns=0
for pass in 1 2 3; do
	pc ldbench udp-flows 198.18.0.0 "$NV" 7 20000 "$ports"
	conns=$(gconfig conn-count)
	log "pass $pass: $conns conns"
	((conns >= WANT * 95 / 100)) && break
done
expect_ge "live conns before the flush" $((WANT * 95 / 100)) "$conns"

# probe CMD...: the ms CMD takes in the other netns; sets FLUSHING=yes if
# the flush (pid $fpid) was still running when CMD was done
probe()
{
	local t

	t=$(now_ms)
	nsx "$NS_O" "$@" >/dev/null
	PROBE_MS=$(($(now_ms) - t))
	FLUSHING=no
	[[ -n ${fpid:-} ]] && kill -0 "$fpid" 2>/dev/null && FLUSHING=yes
	return 0
}

# probe_ok WHAT BASE: the probe just made was not held up by the flush:
# it was done before the flush (which, waiting on a lock the flush holds,
# it could not be), or it took less than PROBE_MAX_MS more than at rest
probe_ok()
{
	if [[ $FLUSHING == yes ]]; then
		ok "$1 in another netns: $PROBE_MS ms, done while the flush still ran"
	elif ((PROBE_MS - $2 < PROBE_MAX_MS)); then
		ok "$1 in another netns: $PROBE_MS ms during the flush, $2 at rest"
	else
		fail "$1 in another netns took $PROBE_MS ms during the flush ($2 at rest), done after it"
	fi
}

fpid=
probe ldctl stats
base_ld=$PROBE_MS
probe ipvsadm -Ln
base_ipvs=$PROBE_MS
log "in the other netns, at rest: ldctl stats $base_ld ms, ipvsadm -Ln $base_ipvs ms"

log "ldctl flush, and the other netns asked meanwhile"
t0=$(now_ms)
nsx "$NS_D" ldctl flush &
fpid=$!
sleep 0.3
probe ldctl stats
probe_ok "ldctl stats" "$base_ld"
probe ipvsadm -Ln
probe_ok "ipvsadm -Ln" "$base_ipvs"
wait "$fpid" || fail "ldctl flush failed"
fpid=
flush_ms=$(($(now_ms) - t0))
((flush_ms < FLUSH_MAX_MS)) ||
	fail "ldctl flush of $NV virtuals and $conns conns took $flush_ms ms (bound $FLUSH_MAX_MS)"
ok "ldctl flush of $NV virtuals and $conns conns took $flush_ms ms (< $FLUSH_MAX_MS)"

expect_eq "conns after the flush" 0 "$(gconfig conn-count)"
j=$(ld -j show)
expect_eq "virtuals after the flush" 0 "$(jq '.virtuals | length' <<<"$j")"
expect_eq "reals after the flush" 0 "$(jq '.reals | length' <<<"$j")"
j=$(nsx "$NS_O" ldctl -j show)
expect_eq "the other netns's virtual" 1 "$(jq '.virtuals | length' <<<"$j")"

log "the same again, and the director's netns deleted with it all"
ld restore "$T/config"
pc ldbench udp-flows 198.18.0.0 "$NV" 7 20000 1
expect_ge "live conns" $((NV * 95 / 100)) "$(gconfig conn-count)"
t0=$(now_ms)
ip netns del "$NS_D"
# the netns goes in the cleanup worker, where ldir's exit holds no lock
# another instance needs
probe ldctl stats
((PROBE_MS - base_ld < PROBE_MAX_MS)) ||
	fail "ldctl stats in another netns took $PROBE_MS ms during the netns exit ($base_ld at rest)"
ok "ldctl stats in another netns: $PROBE_MS ms during the netns exit"
ip netns del "$NS_O"
# rmmod waits for the netns teardowns under way (pernet_ops_rwsem), or
# does ldir's part of them itself
rmmod ldir
exit_ms=$(($(now_ms) - t0))
((exit_ms < EXIT_MAX_MS)) ||
	fail "the netns exits and rmmod took $exit_ms ms (bound $EXIT_MAX_MS)"
ok "the netns exits and rmmod took $exit_ms ms (< $EXIT_MAX_MS)"
