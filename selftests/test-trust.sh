#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may run ldir: CAP_NET_ADMIN in the initial user namespace, and the
# root of a user namespace only once the host admin sets
# ldir.userns_delegate. A delegated instance is charged to its owner's
# memory cgroup and cannot raise its conn-max past the module's default.
#
#   init netns, uid 65534           -> EPERM (ops, dumps, events group)
#   unshare -Urn, uid 65534 (root   -> EPERM, with the kernel's reason
#     of its own user namespace)
#   userns_delegate=1               -> the same user runs ldir there:
#
#  ┌──────────────┐     ┌────────────────────────────────────────────┐
#  │ client       │     │ delegated netns (owned by uid 65534's user │
#  │ eth0         ├─────┤ namespace; its processes in cgroup $CG)    │
#  │ 10.0.1.2/24  │veth │ outside 10.0.1.1/24   dummy0 10.0.2.1/24   │
#  │ 192.0.2.0/24 │     │ VIP 192.0.2.10:7 udp -> real 10.0.2.11 (a  │
#  │ via 10.0.1.1 │     │ static neighbour on dummy0: a sink)        │
#  └──────────────┘     └────────────────────────────────────────────┘
#
# The client (in the root cgroup) opens UDP flows to the VIP, more than
# the conn-max the namespace set: the conn count stops at it, the rest
# are counted as drop-conn-limit, and memory.current of $CG (the cgroup of
# the task that configured the instance first) grows by at least the
# conns' size. The memory cgroup part needs the memory controller (the
# stock kernels have it; the debug kernel has no cgroups): without it the
# rest runs and the test ends in SKIP, saying why.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

PARAM=/sys/module/ldir/parameters/userns_delegate
CAP=1000		# the namespace's own conn-max
FLOWS=1200		# UDP flows the client opens
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
CG=
P=

trust_cleanup()
{
	set +eE
	trap - ERR
	if [[ -n "$P" ]]; then
		kill "$P" 2>/dev/null
		wait "$P" 2>/dev/null
	fi
	[[ -n "$CG" ]] && rmdir "$CG" 2>/dev/null
	echo 0 >"$PARAM" 2>/dev/null
	return 0
}
trust_exit()
{
	local rc=$?

	trust_cleanup
	(exit "$rc")
	on_exit
}
trap trust_exit EXIT

# refused WHAT ERE CMD...: CMD fails, and its stderr matches ERE
refused()
{
	local what=$1 re=$2 out

	shift 2
	if out=$("$@" 2>&1 >/dev/null); then
		fail "$what: succeeded"
	fi
	expect_match "$what" "$re" "$out"
}

[[ -w $PARAM ]] || fail "no $PARAM"
expect_eq "userns_delegate is off by default" N "$(cat "$PARAM")"
# Debian's switch for unprivileged user namespaces (on by default)
if [[ -w /proc/sys/kernel/unprivileged_userns_clone ]]; then
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
fi

log "an unprivileged user in the init netns"
refused "uid 65534: virtual add" "operation not permitted" \
	"${NOBODY[@]}" ldctl virtual add udp "$VIP:7"
refused "uid 65534: show (a dump)" "operation not permitted" \
	"${NOBODY[@]}" ldctl show
refused "uid 65534: config set" "operation not permitted" \
	"${NOBODY[@]}" ldctl config set conn-max 10
# a monitor that joined the group would run until the timeout (124)
refused "uid 65534: monitor (the events group)" \
	'joining multicast group "events": Operation not permitted' \
	timeout 5 "${NOBODY[@]}" ldctl monitor

log "the root of a user namespace, delegation off"
INIT_MSG="needs CAP_NET_ADMIN in the initial user namespace"
refused "unshare -Urn: virtual add" "operation not permitted.*kernel: .*$INIT_MSG" \
	"${NOBODY[@]}" unshare -Urn ldctl virtual add udp "$VIP:7"
# a dump's start() gets an extack since 6.2: 6.1 refuses without a reason
DUMP_MSG="operation not permitted.*kernel: .*$INIT_MSG"
if [[ $(uname -r) =~ ^6\.1\. ]]; then
	log "6.1 gives a dump's start() no extack: the refused dump says no reason"
	DUMP_MSG="operation not permitted"
fi
refused "unshare -Urn: show (a dump)" "$DUMP_MSG" \
	"${NOBODY[@]}" unshare -Urn ldctl show
refused "unshare -Urn: stats" "operation not permitted.*kernel: .*$INIT_MSG" \
	"${NOBODY[@]}" unshare -Urn ldctl stats

log "the host admin delegates"
echo 1 >"$PARAM"
expect_eq "userns_delegate" Y "$(cat "$PARAM")"
# not in the init netns: there uid 65534 still has no CAP_NET_ADMIN
refused "uid 65534 in the init netns, delegation on" "operation not permitted" \
	"${NOBODY[@]}" ldctl virtual add udp "$VIP:7"
out=$("${NOBODY[@]}" unshare -Urn bash -c \
	"ldctl virtual add udp $VIP:7 && ldctl -j show")
expect_eq "unshare -Urn: virtual add, show" "$VIP" \
	"$(jq -r '.virtuals[0].address' <<<"$out")"

# The memory controller: the delegated user's processes go to $CG.
MEMCG=1
if ! grep -qw cgroup2 /proc/filesystems; then
	MEMCG="this kernel has no cgroup2"
else
	if ! grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/mounts; then
		mount -t cgroup2 none /sys/fs/cgroup
	fi
	if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		MEMCG="this kernel has no memory controller (CONFIG_MEMCG)"
	fi
fi
CGROOT=/sys/fs/cgroup
if [[ $MEMCG == 1 ]]; then
	echo +memory >"$CGROOT/cgroup.subtree_control"
	CG=$CGROOT/ldir-trust-$$
	mkdir "$CG"
fi

# cg_exec CMD...: CMD in $CG (if there is one)
cg_exec()
{
	[[ -n "$CG" ]] && echo "$BASHPID" >"$CG/cgroup.procs"
	exec "$@"
}

# The user's namespaces: a process that holds them, in $CG.
(cg_exec "${NOBODY[@]}" unshare -Urn sleep 1000) &
P=$!
# the user namespace is in place once its uid map is
mapped() { [[ $(awk '{ print $1, $2, $3 }' "/proc/$P/uid_map") == "0 65534 1" ]]; }
wait_for 5 mapped ||
	fail "$P has no user namespace of uid 65534: $(cat "/proc/$P/uid_map")"
[[ $(readlink "/proc/$P/ns/net") != $(readlink /proc/self/ns/net) ]] ||
	fail "$P has no netns of its own"
ok "uid 65534 holds a user namespace (0 -> 65534) and a netns"

# uld ARGS...: ldctl as the namespace's root (uid 65534 outside), in $CG;
# dadm ARGS...: ldctl as the host admin, in the same netns
uld() { (cg_exec nsenter -t "$P" -U -n ldctl "$@"); }
dadm() { nsenter -t "$P" -n ldctl "$@"; }
dn() { nsenter -t "$P" -n "$@"; }

# the topology, made by the host admin (the delegation is about ldir)
ip netns add "$NS_C"
ip -n "$NS_C" link set lo up
ip -n "$NS_C" link add eth0 type veth peer name outside netns "$P"
ip -n "$NS_C" addr add "$CLIENT/24" dev eth0
ip -n "$NS_C" link set eth0 up
ip -n "$NS_C" route add 192.0.2.0/24 via 10.0.1.1
modprobe dummy 2>/dev/null || true
dn ip link set lo up
dn ip addr add 10.0.1.1/24 dev outside
dn ip link set outside up
dn ip link add dummy0 type dummy
dn ip addr add 10.0.2.1/24 dev dummy0
dn ip link set dummy0 up
dn ip neigh add "${REAL[1]}" lladdr 02:00:00:00:00:11 dev dummy0
dn bash -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
pc busybox ping -c 1 -W 5 10.0.1.1 >/dev/null

log "the delegated user runs ldir in its netns"
# the first request names the owner whose memory cgroup is charged
uld config set timeout-udp 600
uld virtual add udp "$VIP:7" sched rr
uld real add "${REAL[1]}"
uld link add udp "$VIP:7" real "${REAL[1]}" port 7
expect_eq "the delegated user's virtual" "$VIP 7 udp 1" \
	"$(uld -j show | jq -r '.virtuals[0] | "\(.address) \(.port) \(.protocol) \(.links | length)"')"

log "caps: lower, not raise"
DEF=$(cat /sys/module/ldir/parameters/conn_max)
expect_eq "conn-max starts at the module's conn_max" "$DEF" \
	"$(uld -j stats | jq -r '.config["conn_max"]')"
refused "delegated: conn-max 4294967295" \
	"operation not permitted.*kernel: .*only the host admin may raise a cap" \
	uld config set conn-max 4294967295
refused "delegated: conn-max conn_max+1" \
	"operation not permitted.*kernel: .*only the host admin may raise a cap" \
	uld config set conn-max $((DEF + 1))
uld config set conn-max "$DEF"
ok "delegated: conn-max $DEF (the default) is allowed"
refused "delegated: virtual-max 4097" \
	"operation not permitted.*kernel: .*only the host admin may raise a cap" \
	uld config set virtual-max 4097
uld config set virtual-max 1
refused "delegated: a second virtual past virtual-max 1" "too many virtuals" \
	uld virtual add udp "$VIP:8"
uld config set virtual-max 4096 fpa-max 100 real-max 10 link-max 10 bind-max 0
expect_eq "delegated: the other caps lowered" "100 4096 10 10 0" \
	"$(uld -j stats | jq -r '.config | "\(.["fpa_max"]) \(.["virtual_max"]) \(.["real_max"]) \(.["link_max"]) \(.["bind_max"])"')"
refused "delegated: embryonic-max past half of conn_max" \
	"operation not permitted.*kernel: .*only the host admin may raise a cap" \
	uld config set embryonic-max $((DEF / 2 + 1))
uld config set embryonic-max 1000
uld config set embryonic-max 0
ok "delegated: embryonic-max lowered, and back to 0 (half of conn-max)"
dadm config set conn-max $((DEF * 2))
expect_eq "the host admin raises it in the same netns" $((DEF * 2)) \
	"$(uld -j stats | jq -r '.config["conn_max"]')"
uld config set conn-max "$CAP"
expect_eq "delegated: conn-max lowered" "$CAP" \
	"$(uld -j stats | jq -r '.config["conn_max"]')"

# mem_current: memory.current of $CG, once every CPU's precharged stock of
# it went back (a memory.high under the usage drains the stocks): what $CG
# really holds, not what its processes charged ahead
mem_current()
{
	echo 0 >"$CG/memory.high"
	echo max >"$CG/memory.high"
	sleep 1		# the other CPUs' stocks drain in a work item
	cat "$CG/memory.current"
}

if [[ -n "$CG" ]]; then
	before=$(mem_current)
	log "$CG memory.current before the flood: $before"
fi

log "a flood of $FLOWS UDP flows from the client (cap $CAP)"
# one socket; the client's nft gives each datagram a source port of its
# own, so that each is a new flow (fresh sockets could reuse a port);
# the shift puts the 16-bit value where nft writes it from
pc nft -f - <<'NFT'
table ip ldir_flood {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7 udp sport set numgen inc mod 60000 offset 2000 << 16
	}
}
NFT
pc bash -c "exec 3>/dev/udp/$VIP/7; for ((i = 0; i < $FLOWS; i++)); do echo x >&3; done" ||
	fail "the client could not send"
wait_for 10 bash -c "[[ \$(nsenter -t $P -n ldctl -j stats | jq -r '.stats.drop_conn_limit') == $((FLOWS - CAP)) ]]" || true
# (as the admin: a process in $CG would leave a charged stock behind)
stats=$(dadm -j stats)
expect_eq "conn-count stops at the cap" "$CAP" "$(jq -r '.config["conn_count"]' <<<"$stats")"
expect_eq "flows past the cap: drop-conn-limit" $((FLOWS - CAP)) \
	"$(jq -r '.stats["drop_conn_limit"]' <<<"$stats")"
expect_eq "no conn failed to allocate" 0 "$(jq -r '.stats["drop_nomem"]' <<<"$stats")"

if [[ -z "$CG" ]]; then
	skip "the memory cgroup part: $MEMCG (all else passed)"
fi

after=$(mem_current)
# the conn cache's object size (a merged cache has the biggest of them)
osz=$(cat /sys/kernel/slab/ldir_conn/object_size 2>/dev/null || echo 64)
log "$CG memory.current after: $after; conns of $osz bytes"
# each CPU may keep up to a page of it as bytes charged ahead (the objcg
# stock), which a drain returns whole
slack=$(($(grep -c ^processor /proc/cpuinfo) * 4096))
expect_ge "memory.current growth of the owner's cgroup (bytes, $CAP conns less $slack of per-CPU slack)" \
	$((CAP * osz - slack)) $((after - before))
if ! grep -q '^slab_unreclaimable ' "$CG/memory.stat"; then
	fail "no slab_unreclaimable in $CG/memory.stat"
fi
log "$CG: $(grep -E '^(slab_unreclaimable|percpu|kernel) ' "$CG/memory.stat" | tr '\n' ' ')"

log "the conns go with the netns; the host admin turns delegation off"
echo 0 >"$PARAM"
refused "delegation off again: the namespace's root is refused" \
	"$DUMP_MSG" uld show
refused "delegation off again: the namespace's root is refused (a do)" \
	"operation not permitted.*kernel: .*$INIT_MSG" uld stats
expect_eq "the host admin still sees its conns" "$CAP" \
	"$(dadm -j stats | jq -r '.config["conn_count"]')"
