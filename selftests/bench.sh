#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - ldir against plain forwarding, IPVS NAT and nftables DNAT, run
# in the QEMU guest of `make bench` (selftests/qemu/bench.sh). Not a test:
# nothing here passes or fails on a figure; make check never runs it.
#
# Topology: lib.sh's (client -- director -- real1..3). Peers:
#   plain  the client sends to the reals' own addresses (no balancing)
#   ldir   ldctl: VIP 192.0.2.10, sched rr
#   ipvs   ipvsadm NAT (-m), sched rr, VIP on the director's lo
#   nft    nftables DNAT, numgen inc mod 3 map (round robin)
#   nft-ft nft's DNAT plus a software flowtable on the director's
#          devices (outside, br0, r1-r3) and `flow add @ft` for TCP and
#          UDP in the forward chain: the kernel's own fast path for
#          established flows
#   plain-ft  plain forwarding plus the same flowtable
#   ldir-ct   ldir as above plus nf_conntrack tracking every forwarded
#          packet, both directions (an inet forward chain with
#          `ct state established,related accept`): what ldir would cost if
#          it mirrored its conns into conntrack (not in the default set)
#   ldir-sync ldir as above plus ldsyncd (tools/ldsyncd) in role master on
#          the director, sending every conn record of the kernel's sync
#          group to a second ldsyncd (role backup) in the netns behind
#          the director's "other" link, which inserts them into that
#          netns's ldir, configured the same: both ends of one conn's
#          sync in the guest, i.e. a director's share in an
#          active/active pair with even load, where each sends its own
#          conns and takes its peer's (not in the default set)
#   ldir-synck  ldir with selftests/tools/ldsync listening quietly to
#          the sync group: the kernel's half of sync alone, records
#          made, queued, multicast and received, nothing done with them
#          (not in the default set)
#   ldir-fp   ldir with its fast path on the same devices as the flowtable
#          (not in the default set); '# fastpath' lines say
#          how many packets took it
# The flowtable peers also report how much traffic really took the
# flowtable: conntrack entries marked [OFFLOAD] and the packets that
# still went through the forward chain (the slow path), as '# offload'
# lines and BENCH offload-* lines (see below).
#
# Families (LDIR_BENCH_FAMILIES, default "4 6"): the udp, tcp and crr
# workloads also run over IPv6 for every peer, each on a topology of its
# own that mirrors the IPv4 one (client 2001:db8:1::2, VIP 2001:db8::10,
# reals 2001:db8:2::11-13; ldir and IPVS with [VIP]:PORT services, nft
# an ip6 table's DNAT, the flowtable in an ip6 table), reported as
# the workloads udp6, tcp6 and crr6. Within a round each peer runs its
# families back to back (their order rotated by round too). The IPv4
# topology, its workloads and their order among themselves are those of
# an IPv4-only run; scale, sched and flood stay IPv4 only (prof follows
# the families).
#
# Time: the host boots this guest with QEMU -icount shift=0,sleep=off, so
# the guest's clock advances 1 ns per guest instruction and skips idle time.
# Every rate below is in guest time: a cost per packet (or conn) in
# instructions that host load does not move. Comparable between peers of
# the same run, never with real hardware.
#
# Output: one line per measurement, parsed by the host:
#   BENCH <workload> <peer> <param> <round> <value>
# workloads (value):
#   udp    established UDP flows (8), 60-byte packets from pktgen: pkts/s
#   udp6   the same over IPv6: 78-byte frames (pktgen's smallest IPv6
#          packet: its 16-byte header is the payload), UDP checksums
#          filled in (IPv6 requires them; pktgen's flag UDPCSUM, which
#          on a veth leaves them CHECKSUM_PARTIAL); plain sends to
#          real1 only (pktgen walks no IPv6 destination range)
#   tcp    iperf3 TCP bulk, one flow: Mbit/s
#   tcp6   the same over IPv6 (MSS 1440 where IPv4's is 1460)
#   crr    new TCP conns (connect/request/response/close loop): conns/s
#   crr6   the same over IPv6
#   scale  the udp workload with PARAM live conns in the table: pkts/s,
#          over SCALE_PKTS packets (default 100,000: 0.5-1 guest s,
#          several runs of every peer's periodic work, such as ldir's
#          conn GC every 100 ms; 10,000 took less than one period, and
#          the figure moved with whether a run fell inside or not)
#   mem    slab bytes per live conn (Slab: of /proc/meminfo, delta over
#          PARAM conns)
#   mem6   the same for PARAM live IPv6 conns (one-way UDP flows, not
#          part of scale: its own workload, peers ldir, ipvs, nft,
#          SCALE_ROUNDS rounds);
#          with it, objsize lines: PARAM a conn cache's name
#          (ldir_conn, ldir_conn6, ip_vs_conn, nf_conntrack), the value
#          its object size in bytes (/proc/slabinfo)
#   sched  guest ns per new conn (a UDP flow) with PARAM reals, per scheme
#          (peer = ldir-SCHEME or ipvs-SCHEME)
#   prof   not a figure: '# prof' lines (prof6 for IPv6), perf's top
#          PROF_TOP symbols while each peer forwards the udp workload
#          (not in the default set), once for each size of PROF_CONNS
#          (default 0): live conns put in the table first as the scale
#          workload does (IPv4 only)
#   offload-flows, offload-entries, offload-slow  (flowtable peers,
#          after udp, tcp and crr; PARAM the workload) the conntrack
#          entries of the workload marked [OFFLOAD] at its end, all its
#          entries, and the packets that went through the forward chain
#          during its measured part
#   flood  a spoofed SYN flood at VIP:80 (ldflood, selftests/tools) for
#          FLOOD_SECS while a client opens FLOOD_LEGIT conns/s there and
#          iperf3 runs (not in the default set; peers ldir and ipvs;
#          PARAM: the conn-max, "default" or FLOOD_SMALL for ldir; IPVS
#          has no bound). Values, one line each, peer flood-WHAT:
#          legit (per mille of the client's conns established within
#          3 s), bulk (percent of iperf3's rate before the flood, one
#          iperf3 run across both), pps
#          (flood SYNs sent a second), conns (most conns held, sampled),
#          kb (those conns' memory: conns x the cache's object size)
# Before measuring, the guest's RNG is seeded (crng_wait) and the round
# workloads run once untimed (warm_up); see both for why.
# Knobs (LDIR_BENCH_*, passed through /ldir/env): ROUNDS PEERS WORKLOADS
# FAMILIES UDP_PKTS TCP_BYTES CRR_CONNS SCALE SCALE_PKTS SCHEDS
# SCHED_REALS SCHED_CONNS MEM6_CONNS PROF_PKTS PROF_TOP PROF_CONNS
# FLOOD_SECS FLOOD_SMALL FLOOD_LEGIT CRNG_WAIT WARMUP.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
set +eE

ROUNDS=${LDIR_BENCH_ROUNDS:-3}
PEERS=${LDIR_BENCH_PEERS:-plain ldir ipvs nft nft-ft plain-ft}
WORKLOADS=${LDIR_BENCH_WORKLOADS:-udp tcp crr scale sched mem6}
FAMILIES=${LDIR_BENCH_FAMILIES:-4 6}
UDP_PKTS=${LDIR_BENCH_UDP_PKTS:-20000}
TCP_BYTES=${LDIR_BENCH_TCP_BYTES:-256M}
CRR_CONNS=${LDIR_BENCH_CRR_CONNS:-1000}
SCALE=${LDIR_BENCH_SCALE:-1000 100000 1000000}
SCALE_PKTS=${LDIR_BENCH_SCALE_PKTS:-100000}
SCALE_ROUNDS=${LDIR_BENCH_SCALE_ROUNDS:-1}
# the schemes to try; those the module rejects are skipped
SCHEDS=${LDIR_BENCH_SCHEDS:-rr wrr lc wlc pr maglev hash3 hash5}
SCHED_REALS=${LDIR_BENCH_SCHED_REALS:-8 128 1024}
SCHED_CONNS=${LDIR_BENCH_SCHED_CONNS:-4000}
SCHED_ROUNDS=${LDIR_BENCH_SCHED_ROUNDS:-$ROUNDS}
MEM6_CONNS=${LDIR_BENCH_MEM6_CONNS:-100000}
PROF_PKTS=${LDIR_BENCH_PROF_PKTS:-200000}
PROF_TOP=${LDIR_BENCH_PROF_TOP:-25}
PROF_CONNS=${LDIR_BENCH_PROF_CONNS:-0}
FLOOD_SECS=${LDIR_BENCH_FLOOD_SECS:-20}
FLOOD_SMALL=${LDIR_BENCH_FLOOD_SMALL:-2000}
FLOOD_LEGIT=${LDIR_BENCH_FLOOD_LEGIT:-10}
FLOOD_NET=198.18.0.0/15
UDP_PORT=9
CRR_PORT=80
TCP_PORT=5201

T=$(mktemp -d /tmp/ldir-bench.XXXXXX)
trap cleanup EXIT

say() { printf '# %s\n' "$*"; }
warn() { printf 'WARN: %s\n' "$*"; }
emit() { printf 'BENCH %s %s %s %s %s\n' "$@"; }

# gtime: guest monotonic time in ns (date reads CLOCK_REALTIME, which the
# icount clock drives the same way)
gtime() { date +%s%N; }

# ------------------------------------------------------------ families ----

# the addresses per family: lib.sh's for IPv4; for IPv6 the same plan in
# 2001:db8::/32, one /64 per IPv4 /24 (director ::1 on each)
VIP4=$VIP CLIENT4=$CLIENT REAL4=("${REAL[@]}")
VIP6=2001:db8::10 CLIENT6=2001:db8:1::2
REAL6=("" 2001:db8:2::11 2001:db8:2::12 2001:db8:2::13)
FAM=4

# fam_set 4|6: VIP, CLIENT and REAL (lib.sh's names, which the workloads
# use) for that family; NF is nft's family, VPLEN the VIP's prefix length
fam_set()
{
	FAM=$1
	if [[ $FAM == 6 ]]; then
		VIP=$VIP6 CLIENT=$CLIENT6 REAL=("${REAL6[@]}") NF=ip6 VPLEN=128
	else
		VIP=$VIP4 CLIENT=$CLIENT4 REAL=("${REAL4[@]}") NF=ip VPLEN=32
	fi
}
fam_set 4

# ep ADDR PORT: ADDR:PORT, an IPv6 address in brackets
ep() { if [[ $1 == *:* ]]; then echo "[$1]:$2"; else echo "$1:$2"; fi; }

# wl WORKLOAD: its name in BENCH lines for the current family (udp6, crr6)
wl() { if [[ $FAM == 6 ]]; then echo "${1}6"; else echo "$1"; fi; }

has_fam() { [[ " $FAMILIES " == *" $1 "* ]]; }

# ------------------------------------------------------------ topology ----

# topo_up: lib.sh's topology, a UDP sink on every real (tc drops UDP to
# port 9 at ingress: the cheapest receiver, the same for every peer), the
# TCP servers (ldbench crr-server, iperf3).
topo_up()
{
	local n

	BG_PIDS=()
	if [[ $FAM == 6 ]]; then
		topology6 || return 1
		for n in 1 2 3; do
			pr "$n" tc qdisc add dev eth0 clsact || return 1
			pr "$n" tc filter add dev eth0 ingress protocol ipv6 u32 \
				match ip6 protocol 17 0xff match ip6 dport "$UDP_PORT" 0xffff \
				action drop || return 1
			bg "${NS_R[$n]}" ldbench crr-server "$CRR_PORT" 6
		done
		bg "${NS_R[1]}" bash -c "exec iperf3 -s -p $TCP_PORT >/dev/null 2>&1"
		for n in 1 2 3; do
			wait_listen "${NS_R[$n]}" tcp "$CRR_PORT"
		done
		wait_listen "${NS_R[1]}" tcp "$TCP_PORT"
		DMAC=$(ip -n "$NS_D" -j link show outside | jq -r '.[0].address')
		return 0
	fi
	setup_topology || return 1
	for n in 1 2 3; do
		pr "$n" tc qdisc add dev eth0 clsact || return 1
		pr "$n" tc filter add dev eth0 ingress protocol ip u32 \
			match ip protocol 17 0xff match ip dport "$UDP_PORT" 0xffff \
			action drop || return 1
		bg "${NS_R[$n]}" ldbench crr-server "$CRR_PORT"
	done
	bg "${NS_R[1]}" bash -c "exec iperf3 -s -p $TCP_PORT >/dev/null 2>&1"
	for n in 1 2 3; do
		wait_listen "${NS_R[$n]}" tcp "$CRR_PORT"
	done
	wait_listen "${NS_R[1]}" tcp "$TCP_PORT"
	# (/sys is the initial netns' here: ask ip)
	DMAC=$(ip -n "$NS_D" -j link show outside | jq -r '.[0].address')
}

# topology6: lib.sh's topology over IPv6 alone: client 2001:db8:1::2 --
# director (outside ::1, br0 2001:db8:2::1, other) -- reals
# 2001:db8:2::11-13; the client's route to the VIPs' 2001:db8::/64 via
# the director. Addresses "nodad" (usable at once); the bridge does not
# snoop multicast (neighbour discovery never waits on MLD).
topology6()
{
	local n ns

	for ns in "$NS_C" "$NS_D" "$NS_O" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}"; do
		ip netns add "$ns" || return 1
	done
	director_batch 2001:db8:1::1/64 2001:db8:3::1/64 2001:db8:2::1/64 nodad \
		"mcast_snooping 0" | ip -n "$NS_D" -batch - || return 1
	sysctl_set "$NS_D" net.ipv6.conf.all.forwarding 1
	for n in 1 2 3; do
		host_batch "${NS_R[$n]}" "${REAL6[$n]}/64" "default via 2001:db8:2::1" \
			nodad || return 1
	done
	host_batch "$NS_C" "$CLIENT6/64" "2001:db8::/64 via 2001:db8:1::1" nodad || return 1
	host_batch "$NS_O" 2001:db8:3::2/64 "default via 2001:db8:3::1" nodad || return 1
	# every neighbour resolved now, both ways
	for n in 1 2 3; do
		pr "$n" busybox ping -6 -c 1 -W 5 2001:db8:2::1 >/dev/null || return 1
	done
	pc busybox ping -6 -c 1 -W 5 2001:db8:1::1 >/dev/null || return 1
}

# topo_down: every process and netns of the topology; waits for the
# netns (and with them IPVS/conntrack/ldir per-netns state) to go.
topo_down()
{
	local pid ns

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
	for ns in "$NS_C" "$NS_O" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}" "$NS_D"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	# netns teardown is asynchronous; let it finish before the next peer
	sleep 1
}

# --------------------------------------------------------------- peers ----

# peer_up PEER [TCPREALS]: configure PEER on the director: UDP 9 and TCP
# 80 to the three reals, TCP 5201 (iperf3: control and data conns must
# meet the same server) to real1 only.
peer_up()
{
	local n

	case $1 in
	plain | plain-ft)
		if [[ $FAM == 6 ]]; then
			pc ip -6 route add 2001:db8:2::/64 via 2001:db8:1::1 || return 1
		else
			pc ip route add 10.0.2.0/24 via 10.0.1.1 || return 1
		fi
		if [[ $1 == plain-ft ]]; then
			flowtable_up || return 1
		fi
		;;
	ldir | ldir-fp)
		{
			for n in 1 2 3; do echo "real add ${REAL[$n]}"; done
			echo "virtual add udp $(ep "$VIP" "$UDP_PORT") sched rr"
			echo "virtual add tcp $(ep "$VIP" "$CRR_PORT") sched rr"
			echo "virtual add tcp $(ep "$VIP" "$TCP_PORT") sched rr"
			for n in 1 2 3; do
				echo "link add udp $(ep "$VIP" "$UDP_PORT") real ${REAL[$n]} port $UDP_PORT"
				echo "link add tcp $(ep "$VIP" "$CRR_PORT") real ${REAL[$n]} port $CRR_PORT"
			done
			echo "link add tcp $(ep "$VIP" "$TCP_PORT") real ${REAL[1]} port $TCP_PORT"
			echo "config set conn-max 4000000 timeout-udp 3600 timeout-syn 3600"
			if [[ $1 == ldir-fp ]]; then
				for n in outside br0 r1 r2 r3; do
					echo "fastpath add $n"
				done
			fi
		} >"$T/ldir.conf"
		ld restore "$T/ldir.conf" || return 1
		;;
	ipvs)
		modprobe ip_vs 2>/dev/null
		modprobe ip_vs_rr 2>/dev/null
		pd ip addr add "$VIP/$VPLEN" dev lo || return 1
		{
			echo "-A -u $(ep "$VIP" "$UDP_PORT") -s rr"
			echo "-A -t $(ep "$VIP" "$CRR_PORT") -s rr"
			echo "-A -t $(ep "$VIP" "$TCP_PORT") -s rr"
			for n in 1 2 3; do
				echo "-a -u $(ep "$VIP" "$UDP_PORT") -r $(ep "${REAL[$n]}" "$UDP_PORT") -m"
				echo "-a -t $(ep "$VIP" "$CRR_PORT") -r $(ep "${REAL[$n]}" "$CRR_PORT") -m"
			done
			echo "-a -t $(ep "$VIP" "$TCP_PORT") -r $(ep "${REAL[1]}" "$TCP_PORT") -m"
		} | pd ipvsadm -R || return 1
		pd ipvsadm --set 900 120 3600 || return 1
		;;
	nft | nft-ft)
		cat >"$T/nft.conf" <<-EOF
		table $NF bench {
			chain pre {
				type nat hook prerouting priority dstnat; policy accept;
				$NF daddr $VIP udp dport $UDP_PORT dnat to numgen inc mod 3 map { 0 : ${REAL[1]}, 1 : ${REAL[2]}, 2 : ${REAL[3]} }
				$NF daddr $VIP tcp dport $CRR_PORT dnat to numgen inc mod 3 map { 0 : ${REAL[1]}, 1 : ${REAL[2]}, 2 : ${REAL[3]} }
				$NF daddr $VIP tcp dport $TCP_PORT dnat to ${REAL[1]}
			}
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
			}
		}
		EOF
		pd nft -f "$T/nft.conf" || return 1
		sysctl_set "$NS_D" net.netfilter.nf_conntrack_udp_timeout 3600
		sysctl_set "$NS_D" net.netfilter.nf_conntrack_udp_timeout_stream 3600
		if [[ $1 == nft-ft ]]; then
			flowtable_up || return 1
		fi
		;;
	ldir-sync)
		peer_up ldir || return 1
		sync_up || return 1
		;;
	ldir-synck)
		peer_up ldir || return 1
		bg "$NS_D" sh -c "exec ldsync listen 100000 quiet >$T/ldsync.out 2>&1"
		wait_for 10 grep -qs '^listening' "$T/ldsync.out" || return 1
		# a syncable dump makes the kernel's record queues
		pd ldsync dump >/dev/null || return 1
		;;
	ldir-ct)
		# ldir DNATs before conntrack: conntrack sees client <-> real
		peer_up ldir || return 1
		pd nft -f - <<-EOF || return 1
		table inet benchct {
			chain forward {
				type filter hook forward priority filter; policy accept;
				ct state established,related accept
			}
		}
		EOF
		sysctl_set "$NS_D" net.netfilter.nf_conntrack_udp_timeout 3600
		sysctl_set "$NS_D" net.netfilter.nf_conntrack_udp_timeout_stream 3600
		;;
	*)
		warn "unknown peer $1"
		return 1
		;;
	esac
}

# flowtable_up: a software flowtable on every device the director
# forwards between, and every TCP and UDP flow of the forward chain
# added to it (conntrack adds a flow once it is confirmed, for TCP once
# established); the counter sees the packets that still take the slow
# path
flowtable_up()
{
	pd nft -f - <<-EOF || return 1
	table $NF benchft {
		flowtable ft {
			hook ingress priority filter
			devices = { outside, br0, r1, r2, r3 }
		}
		chain forward {
			type filter hook forward priority filter; policy accept;
			meta l4proto { tcp, udp } counter flow add @ft
		}
	}
	EOF
	sysctl_set "$NS_D" net.netfilter.nf_conntrack_udp_timeout 3600
	sysctl_set "$NS_D" net.netfilter.nf_conntrack_udp_timeout_stream 3600
}

is_ft() { [[ $1 == *-ft ]]; }

# sync_up: the ldir-sync peer's daemons: the director's (master) over its
# "other" link to NS_O's (backup), whose ldir has the director's
# configuration (the same virtuals' digests: it takes every record);
# both up once each hears the other
sync_up()
{
	local d=10.0.3.1 o=10.0.3.2

	[[ $FAM == 6 ]] && d="[2001:db8:3::1]" o="[2001:db8:3::2]"
	command -v ldsyncd >/dev/null || { echo "no ldsyncd in the guest"; return 1; }
	nsx "$NS_O" ldctl restore "$T/ldir.conf" || return 1
	bg "$NS_D" sh -c "exec ldsyncd --listen $d:7411 --peer $o:7411 --role master \
		--ctl $T/sync-d.sock 2>$T/sync-d.log"
	bg "$NS_O" sh -c "exec ldsyncd --listen $o:7411 --peer $d:7411 --role backup \
		--ctl $T/sync-o.sock 2>$T/sync-o.log"
	wait_for 10 sync_alive d || { echo "ldsyncd: no peer"; return 1; }
	wait_for 10 sync_alive o || { echo "ldsyncd: no peer"; return 1; }
}

# sync_alive d|o: that daemon hears its peer
sync_alive() { ldsyncd ctl --ctl "$T/sync-$1.sock" stats 2>/dev/null | grep -q ' alive 1 '; }

# sync_note WORKLOAD: what the director's daemon sent and the peer's
# kernel took, so far (a '# sync' line)
sync_note()
{
	say "sync ldir-sync $(wl "$1"): director: $(ldsyncd ctl --ctl "$T/sync-d.sock" stats |
		awk '$1 == "peer" { for (i = 3; i < NF; i += 2) if ($i ~ /^(sent|lost|resent|resynced|lag-ms|queued|overflows)$/) printf "%s %s ", $i, $(i + 1) } $1 == "kernel" { printf "%s", $0 }');" \
		"peer: $(ldsyncd ctl --ctl "$T/sync-o.sock" stats | grep '^kernel');" \
		"peer's conns $(nsx "$NS_O" ldctl -j stats | jq -r '.config.conn_count');" \
		"director's kernel: $(ld -j stats | jq -c '.stats | with_entries(select(.key | startswith("sync")))')"
}

# ft_slow: packets the flowtable peers' forward chain has seen so far
ft_slow()
{
	pd nft list chain "$NF" benchft forward 2>/dev/null |
		sed -n 's/.* counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

# ft_mark PEER: remember the slow-path count (a file: callers run in $())
ft_mark() { is_ft "$1" && ft_slow >"$T/ft-slow0"; return 0; }

# ft_note PEER WORKLOAD ROUND [PORT]: how much of WORKLOAD took the
# flowtable: packets through the forward chain since ft_mark and, with
# PORT, the conntrack entries to PORT marked [OFFLOAD] now
ft_note()
{
	local peer=$1 w=$2 r=$3 port=${4:-} s0 s1 all=0 off=0

	[[ $peer == ldir-sync ]] && sync_note "$w"
	[[ $peer == ldir-synck ]] &&
		say "sync ldir-synck $(wl "$w"): director's kernel: $(ld -j stats | jq -c '.stats | with_entries(select(.key | startswith("sync")))')"
	if [[ $peer == ldir-fp ]]; then
		say "fastpath $peer $w: $(ld -j stats | jq -r '.stats | "\(.fastpath) packets on the fast path, \(.fastpath_slow) fast-path conns'"'"' packets the slow way, \(.pkts_in + .pkts_out) in all"') (since the peer's setup)"
		return 0
	fi
	is_ft "$peer" || return 0
	s0=$(cat "$T/ft-slow0" 2>/dev/null)
	s1=$(ft_slow)
	if [[ -n $port ]]; then
		all=$(pd grep -c " dport=$port " /proc/net/nf_conntrack)
		off=$(pd grep " dport=$port " /proc/net/nf_conntrack | grep -c OFFLOAD)
		emit offload-flows "$peer" "$w" "$r" "$off"
		emit offload-entries "$peer" "$w" "$r" "$all"
	fi
	emit offload-slow "$peer" "$w" "$r" $((${s1:-0} - ${s0:-0}))
	say "offload $peer $w: ${port:+$off of $all conntrack entries to port $port [OFFLOAD], }$((${s1:-0} - ${s0:-0})) packets through the forward chain while measured, ${s1:-?} in all"
}

# peer_down PEER: flush what peer_up made (the netns goes next anyway)
peer_down()
{
	case $1 in
	ldir | ldir-fp) ld flush >/dev/null 2>&1 ;;
	ldir-sync)
		ldsyncd ctl --ctl "$T/sync-d.sock" stats | sed 's/^/# ldir-sync director: /'
		# what the daemon logged (resyncs and why), counted
		sed 's/[0-9][0-9]*/N/g' "$T/sync-d.log" | sort | uniq -c |
			sed 's/^ */# ldir-sync director log: /'
		ld flush >/dev/null 2>&1
		;;
	ldir-synck) ld flush >/dev/null 2>&1 ;;
	ipvs) pd ipvsadm -C 2>/dev/null ;;
	nft | nft-ft | plain-ft) pd nft flush ruleset 2>/dev/null ;;
	ldir-ct)
		# (that conntrack was in the path: replied flows are ASSURED)
		say "ldir-ct (IPv$FAM): conntrack entries $(pd cat /proc/sys/net/netfilter/nf_conntrack_count), ASSURED $(pd grep -c ASSURED /proc/net/nf_conntrack)"
		ld flush >/dev/null 2>&1
		pd nft flush ruleset 2>/dev/null
		;;
	esac
}

# ------------------------------------------------------------- pktgen ----

# pktgen COUNT SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX DST_MIN DST_MAX: COUNT
# 60-byte UDP packets (port 9) from the client's eth0 to the director's
# MAC. Sources and source ports count up per packet (both wrap: ports in
# [MIN, MAX), addresses in [MIN, MAX]), destinations likewise. Prints
# "SENT USEC" (pktgen's own count and guest time).
pktgen()
{
	nsx "$NS_C" bash -s -- "$DMAC" "$@" <<-'EOF'
	pg() { echo "$2" >"/proc/net/pktgen/$1" || echo "pktgen: $1: $2 failed" >&2; }
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device eth0"
	pg eth0 "count $2"
	pg eth0 "clone_skb 0"
	pg eth0 "pkt_size 60"
	pg eth0 "delay 0"
	pg eth0 "burst 1"
	pg eth0 "dst_mac $1"
	pg eth0 "src_min $3"
	pg eth0 "src_max $4"
	pg eth0 "udp_src_min $5"
	pg eth0 "udp_src_max $6"
	pg eth0 "dst_min $7"
	pg eth0 "dst_max $8"
	pg eth0 "udp_dst_min 9"
	pg eth0 "udp_dst_max 9"
	echo start >/proc/net/pktgen/pgctrl
	sed -n 's/^Result: OK: \([0-9]*\)(.*usec, \([0-9]*\) (.*/\2 \1/p' /proc/net/pktgen/eth0
	EOF
}

# pktgen6 COUNT SPORT_MIN SPORT_MAX DST [SRC]: pktgen's IPv6 packets:
# COUNT 78-byte frames (the smallest pktgen makes over IPv6) with UDP
# checksums, from SRC (default the client) to DST port 9, source ports
# counting up in [MIN, MAX). Prints "SENT USEC" as pktgen does.
pktgen6()
{
	nsx "$NS_C" bash -s -- "$DMAC" "$1" "$2" "$3" "$4" "${5:-$CLIENT6}" <<-'EOF'
	pg() { echo "$2" >"/proc/net/pktgen/$1" || echo "pktgen: $1: $2 failed" >&2; }
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device eth0"
	pg eth0 "count $2"
	pg eth0 "clone_skb 0"
	pg eth0 "pkt_size 78"
	pg eth0 "delay 0"
	pg eth0 "burst 1"
	pg eth0 "flag UDPCSUM"
	pg eth0 "dst_mac $1"
	pg eth0 "dst6 $5"
	pg eth0 "src6 $6"
	pg eth0 "udp_src_min $3"
	pg eth0 "udp_src_max $4"
	pg eth0 "udp_dst_min 9"
	pg eth0 "udp_dst_max 9"
	echo start >/proc/net/pktgen/pgctrl
	sed -n 's/^Result: OK: \([0-9]*\)(.*usec, \([0-9]*\) (.*/\2 \1/p' /proc/net/pktgen/eth0
	EOF
}

# flows COUNT PEER: COUNT packets of the udp workload's 8 flows, in the
# current family (prints pktgen's "SENT USEC")
flows()
{
	if [[ $FAM == 6 ]]; then
		local dst=$VIP

		[[ $2 == plain* ]] && dst=${REAL[1]}
		pktgen6 "$1" 10000 10008 "$dst"
		return
	fi
	# shellcheck disable=SC2046 # two words
	pktgen "$1" "$CLIENT" "$CLIENT" 10000 10008 $(dst_range "$2")
}

# delivered: packets the three reals' eth0 have received so far
delivered()
{
	local n s=0 c

	for n in 1 2 3; do
		c=$(pr "$n" sed -n 's/^ *eth0: *[0-9]* *\([0-9]*\) .*/\1/p' /proc/net/dev)
		s=$((s + ${c:-0}))
	done
	echo "$s"
}

# dst_range PEER: the destination range for pktgen
dst_range()
{
	if [[ $1 == plain* ]]; then
		echo "${REAL[1]} ${REAL[3]}"
	else
		echo "$VIP $VIP"
	fi
}

# udp_pps PEER COUNT: COUNT packets over 8 established flows (a warm-up
# of 64 packets makes the flows' conns first); prints delivered pkts/s in
# guest time, or nothing.
udp_pps()
{
	local peer=$1 count=$2 d0 d1 out sent usec

	flows 64 "$peer" >/dev/null
	ft_mark "$peer"
	d0=$(delivered)
	out=$(flows "$count" "$peer")
	d1=$(delivered)
	read -r sent usec <<<"$out"
	if [[ -z "$usec" || "$usec" == 0 ]]; then
		warn "$(wl udp) $peer: pktgen gave no result"
		return 1
	fi
	if (( d1 - d0 < sent * 99 / 100 )); then
		warn "$(wl udp) $peer: $sent sent, only $((d1 - d0)) delivered"
	fi
	echo $(( (d1 - d0) * 1000000 / usec ))
}

# ----------------------------------------------------------- workloads ----

tcp_bulk() # PEER: Mbit/s
{
	local host=$VIP j

	[[ $1 == plain* ]] && host=${REAL[1]}
	j=$(pc timeout 600 iperf3 -c "$host" -p "$TCP_PORT" -n "$TCP_BYTES" -J) || {
		warn "iperf3 $1 failed"
		return 1
	}
	jq -er '.end.sum_received.bits_per_second / 1e6 | floor' <<<"$j"
}

crr() # PEER: conns/s
{
	local host=$VIP out

	[[ $1 == plain* ]] && host=${REAL[1]}
	out=$(pc timeout 600 ldbench crr-client "$host" "$CRR_PORT" "$CRR_CONNS") || {
		warn "$(wl crr) $1 failed: $out"
		return 1
	}
	sed -n 's/.* rate \([0-9]*\).*/\1/p' <<<"$out"
}

slab_kb() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

# top_slabs FILE_BEFORE FILE_AFTER: the caches that grew most (bytes)
top_slabs()
{
	awk 'NR == FNR { if (FNR > 2) b[$1] = $3 * $4; next }
	     FNR > 2 { d = $3 * $4 - b[$1]; if (d > 0) print d, $1, $4 }' "$1" "$2" |
		sort -rn | head -n 4 |
		awk '{ printf "%s%s(%d B/obj) +%d kB", s, $2, $3, $1 / 1024; s = ", " }'
}

# populate PEER COUNT STEP: COUNT new one-way UDP flows from pktgen,
# sources 10.(100+STEP).0.1-17 (distinct per STEP), a live conn each
populate()
{
	local nip=17 np

	# 17 sources x np ports, np coprime to 17: all pairs
	np=$(( ($2 + nip - 1) / nip ))
	(( np % nip == 0 )) && np=$((np + 1))
	# shellcheck disable=SC2046
	pktgen "$2" "10.$((100 + $3)).0.1" "10.$((100 + $3)).0.$nip" \
		1024 $((1024 + np)) $(dst_range "$1") >/dev/null
}

# scale PEER ROUND: populate the table in steps up to each size of SCALE
# (new UDP flows from pktgen, sources 10.(100+step).0.1-17, distinct per
# step), then the udp workload; slab growth per conn at the largest size.
scale()
{
	local peer=$1 round=$2 have=0 step=0 n add s0 s1 pps

	cat /proc/slabinfo >"$T/slab0"
	s0=$(slab_kb)
	for n in $SCALE; do
		step=$((step + 1))
		add=$((n - have))
		if (( add > 0 )); then
			populate "$peer" "$add" "$step"
			have=$n
		fi
		pps=$(udp_pps "$peer" "$SCALE_PKTS") && emit scale "$peer" "$n" "$round" "$pps"
		s1=$(slab_kb)
		say "$peer: $n conns populated, slab +$((s1 - s0)) kB"
	done
	cat /proc/slabinfo >"$T/slab1"
	if [[ $peer != plain ]] && (( have > 0 )); then
		emit mem "$peer" "$have" "$round" $(( (s1 - s0) * 1024 / have ))
		say "$peer: slab growth: $(top_slabs "$T/slab0" "$T/slab1")"
	fi
	case $peer in
	ldir) say "ldir conns: $(ld -j stats | jq -c '.stats')" ;;
	ipvs) say "ipvs conns: $(pd ipvsadm -Ln --stats | sed -n 3,4p | tr -s ' ')" ;;
	nft) say "conntrack entries: $(pd cat /proc/sys/net/netfilter/nf_conntrack_count)" ;;
	esac
}

# obj_size CACHE: the object size of slab cache CACHE (/proc/slabinfo)
obj_size() { awk -v c="$1" '$1 == c { print $4; exit }' /proc/slabinfo; }

# mem6 PEER ROUND: MEM6_CONNS new one-way IPv6 UDP flows to the VIP
# (pktgen: sources 2001:db8:1::100 up, 50000 source ports each), then the
# slab growth per conn, and the object size of the peer's conn caches
mem6()
{
	local peer=$1 round=$2 left=$MEM6_CONNS i=0 np s0 s1 c

	cat /proc/slabinfo >"$T/slab0"
	s0=$(slab_kb)
	while ((left > 0)); do
		np=$((left < 50000 ? left : 50000))
		pktgen6 "$np" 1024 $((1024 + np)) "$VIP" \
			"2001:db8:1::$(printf %x $((0x100 + i)))" >/dev/null
		left=$((left - np))
		i=$((i + 1))
	done
	s1=$(slab_kb)
	cat /proc/slabinfo >"$T/slab1"
	emit mem6 "$peer" "$MEM6_CONNS" "$round" $(( (s1 - s0) * 1024 / MEM6_CONNS ))
	say "$peer: $MEM6_CONNS IPv6 conns, slab +$((s1 - s0)) kB: $(top_slabs "$T/slab0" "$T/slab1")"
	case $peer in
	ldir)
		say "ldir IPv6 conns: $(ld -j stats | jq -c '.stats | {conns}')"
		for c in ldir_conn ldir_conn6; do
			[[ -n $(obj_size "$c") ]] && emit objsize "$peer" "$c" "$round" "$(obj_size "$c")"
		done
		;;
	ipvs)
		say "ipvs IPv6 conns: $(awk '$1 == "ip_vs_conn" { print $2; exit }' /proc/slabinfo)"
		emit objsize "$peer" ip_vs_conn "$round" "$(obj_size ip_vs_conn)"
		;;
	nft)
		say "nft IPv6 conntrack entries: $(pd cat /proc/sys/net/netfilter/nf_conntrack_count)"
		emit objsize "$peer" nf_conntrack "$round" "$(obj_size nf_conntrack)"
		;;
	esac
}

# sched_cfg PEER SCHEME K: a UDP virtual on port 9 with K reals
# 10.9.x.y (routed through real1, where tc drops them) under SCHEME.
sched_cfg()
{
	local peer=$1 s=$2 k=$3 i a

	: >"$T/sched.conf"
	for ((i = 0; i < k; i++)); do
		a=10.9.$((i / 250)).$((i % 250 + 1))
		if [[ $peer == ldir ]]; then
			echo "real add $a" >>"$T/sched.conf"
		else
			echo "-a -u $VIP:$UDP_PORT -r $a:$UDP_PORT -m" >>"$T/sched.conf"
		fi
	done
	if [[ $peer == ldir ]]; then
		{
			echo "virtual add udp $VIP:$UDP_PORT sched $s"
			for ((i = 0; i < k; i++)); do
				echo "link add udp $VIP:$UDP_PORT real 10.9.$((i / 250)).$((i % 250 + 1)) port $UDP_PORT"
			done
			echo "config set conn-max 4000000 timeout-udp 3600"
		} >>"$T/sched.conf"
		ld flush >/dev/null && ld restore "$T/sched.conf"
	else
		sed -i "1i -A -u $VIP:$UDP_PORT -s $s" "$T/sched.conf"
		pd ipvsadm -C && pd ipvsadm -R <"$T/sched.conf"
	fi
}

# sched_cost PEER ROUND: guest ns per new conn for each scheme and real count
sched_cost()
{
	local peer=$1 round=$2 s k out sent usec base=1

	for s in $SCHEDS; do
		if [[ $peer == ipvs ]]; then
			modprobe "ip_vs_$s" 2>/dev/null || continue
		fi
		for k in $SCHED_REALS; do
			if ! sched_cfg "$peer" "$s" "$k" >"$T/sched.err" 2>&1; then
				say "$peer: scheme $s rejected: $(head -n 1 "$T/sched.err")"
				continue 2
			fi
			# new flows: 17 sources x ports, never seen before
			base=$((base + 1))
			out=$(pktgen "$SCHED_CONNS" "10.$((100 + base % 150)).$((base / 150)).1" \
				"10.$((100 + base % 150)).$((base / 150)).17" 1024 $((1024 + SCHED_CONNS / 17 + 1)) \
				"$VIP" "$VIP")
			read -r sent usec <<<"$out"
			[[ -n "$usec" && $sent -gt 0 ]] || { warn "sched $peer $s $k: no result"; continue; }
			emit sched "$peer-$s" "$k" "$round" $((usec * 1000 / sent))
		done
	done
	[[ $peer == ldir ]] && ld flush >/dev/null
	[[ $peer == ipvs ]] && pd ipvsadm -C
	return 0
}

# ------------------------------------------------------------ flood ----

# flood_cfg PEER [CONNMAX]: VIP:80 to the three reals, VIP:5201 to real1,
# default timeouts (not peer_up's); SYN-ACKs to the flood's sources go to
# a blackhole on the director
flood_cfg()
{
	local n

	pd ip route add blackhole "$FLOOD_NET" || return 1
	for n in all default outside; do
		sysctl_set "$NS_D" "net.ipv4.conf.$n.rp_filter" 0
	done
	case $1 in
	ldir)
		{
			for n in 1 2 3; do echo "real add ${REAL[$n]}"; done
			echo "virtual add tcp $VIP:$CRR_PORT sched rr"
			echo "virtual add tcp $VIP:$TCP_PORT sched rr"
			for n in 1 2 3; do
				echo "link add tcp $VIP:$CRR_PORT real ${REAL[$n]} port $CRR_PORT"
			done
			echo "link add tcp $VIP:$TCP_PORT real ${REAL[1]} port $TCP_PORT"
			[[ -n ${2:-} ]] && echo "config set conn-max $2"
		} | ld restore || return 1
		;;
	ipvs)
		pd ip addr add "$VIP/32" dev lo || return 1
		{
			echo "-A -t $VIP:$CRR_PORT -s rr"
			echo "-A -t $VIP:$TCP_PORT -s rr"
			for n in 1 2 3; do
				echo "-a -t $VIP:$CRR_PORT -r ${REAL[$n]}:$CRR_PORT -m"
			done
			echo "-a -t $VIP:$TCP_PORT -r ${REAL[1]}:$TCP_PORT -m"
		} | pd ipvsadm -R || return 1
		;;
	esac
}

# flood_conns PEER: the conns the peer holds now (IPVS: its cache's
# objects in use, every netns's; this one is the only one)
flood_conns()
{
	case $1 in
	ldir) ld -j stats | jq -r '.config["conn_count"]' ;;
	ipvs) awk '$1 == "ip_vs_conn" { print $2; exit }' /proc/slabinfo ;;
	esac
}

# flood_objsize PEER: bytes of one conn in its slab cache
flood_objsize()
{
	local c=ldir_conn

	[[ $1 == ipvs ]] && c=ip_vs_conn
	awk -v c="$c" '$1 == c { print $4; exit }' /proc/slabinfo
}

# flood_rate FROM TO: iperf3's mean rate over its 1 s intervals in
# [FROM, TO) s of the run in $T/bulk.json, kbit/s
flood_rate()
{
	jq -er --argjson a "$1" --argjson b "$2" '
		[.intervals[].sum | select(.start >= $a - 0.5 and .end <= $b + 0.5)
		 | .bits_per_second] | add / length / 1000 | floor' "$T/bulk.json"
}

# flood PEER ROUND [CONNMAX]: test-synflood.sh's scenario, as figures. One
# iperf3 run spans it: 5 s before the flood (the rate before), then the
# flood (the rate from 3 s into it to its last second)
flood()
{
	local peer=$1 round=$2 max=${3:-} param=${3:-default} base=5 warm=3 meas
	local b0 b1 out legit pps maxc=0 c pid_b pid_f pid_l obj

	meas=$((FLOOD_SECS - warm - 1))
	flood_cfg "$peer" "$max" || { warn "flood $peer: setup failed"; return 1; }
	pc timeout $((base + FLOOD_SECS + 60)) iperf3 -c "$VIP" -p "$TCP_PORT" \
		-t $((base + FLOOD_SECS)) -i 1 -J >"$T/bulk.json" 2>&1 &
	pid_b=$!
	sleep "$base"
	nsx "$NS_C" ldflood syn eth0 "$DMAC" "$VIP" "$CRR_PORT" "$FLOOD_NET" \
		"$FLOOD_SECS" >"$T/flood.out" 2>&1 &
	pid_f=$!
	sleep "$warm"
	nsx "$NS_C" ldflood conns "$VIP" "$CRR_PORT" "$FLOOD_LEGIT" "$meas" \
		>"$T/legit.out" 2>&1 &
	pid_l=$!
	# the table at its fullest: sampled while the flood goes on
	while kill -0 "$pid_f" 2>/dev/null; do
		c=$(flood_conns "$peer")
		((c > maxc)) && maxc=$c
		sleep 0.5
	done
	wait "$pid_l"
	wait "$pid_f"
	wait "$pid_b" || warn "flood $peer: iperf3 failed"
	c=$(flood_conns "$peer")
	((c > maxc)) && maxc=$c
	obj=$(flood_objsize "$peer")
	b0=$(flood_rate 1 "$base")
	b1=$(flood_rate $((base + warm)) $((base + FLOOD_SECS - 1)))
	out=$(cat "$T/legit.out")
	legit=$(sed -n 's/.* pct \([0-9]*\)$/\1/p' <<<"$out")
	pps=$(sed -n 's/.* pps \([0-9]*\)$/\1/p' "$T/flood.out")
	say "flood $peer $param: $(cat "$T/flood.out"); legit $out; bulk $b0 -> $b1 kbit/s; conns $maxc x ${obj:-?} B"
	[[ $peer == ldir ]] && say "flood $peer $param: $(ld -j stats | jq -c '.stats | {conns, drop_conn_limit, embryonic_evicted, drop_syn_pressure, pressure_starts}')"
	[[ -n $legit ]] && emit flood-legit "$peer" "$param" "$round" "$legit"
	[[ -n $b1 && -n $b0 && $b0 -gt 0 ]] && emit flood-bulk "$peer" "$param" "$round" $((b1 * 100 / b0))
	[[ -n $pps ]] && emit flood-pps "$peer" "$param" "$round" "$pps"
	emit flood-conns "$peer" "$param" "$round" "$maxc"
	[[ -n $obj ]] && emit flood-kb "$peer" "$param" "$round" $((maxc * obj / 1024))
	return 0
}

# ---------------------------------------------------------------- main ----

setup_modules()
{
	local m

	for m in veth bridge pktgen sch_ingress cls_u32 act_gact nf_tables \
		 nft_chain_nat nft_nat nft_numgen ip_vs ip_vs_rr \
		 nf_flow_table nf_flow_table_inet nft_flow_offload; do
		modprobe "$m" 2>/dev/null || warn "modprobe $m failed"
	done
	# big hash tables for every peer, as for a 1M-conn site: ldir's
	# conn_hash_bits (a reload), IPVS's conn_tab_bits, conntrack's
	# hashsize and max. LDIR_BENCH_TUNED=0 keeps the defaults.
	if [[ ${LDIR_BENCH_TUNED:-1} == 1 ]]; then
		rmmod ip_vs_rr ip_vs 2>/dev/null
		modprobe ip_vs conn_tab_bits=20 && modprobe ip_vs_rr
		echo 1048576 >/sys/module/nf_conntrack/parameters/hashsize
		if [[ -d /sys/module/ldir ]]; then
			if ! rmmod ldir || ! insmod "$LDIR_KO" conn_hash_bits=20; then
				warn "ldir reload with conn_hash_bits=20 failed"
			fi
		fi
	fi
	sysctl -qw net.netfilter.nf_conntrack_max=4000000 2>/dev/null ||
		echo 4000000 >/proc/sys/net/netfilter/nf_conntrack_max
	say "ldir conn_hash_bits=$(cat /sys/module/ldir/parameters/conn_hash_bits 2>/dev/null)," \
		"ip_vs conn_tab_bits=$(cat /sys/module/ip_vs/parameters/conn_tab_bits 2>/dev/null)," \
		"nf_conntrack hashsize=$(cat /sys/module/nf_conntrack/parameters/hashsize)"
}

# order ROUND [LIST]: the peers (or LIST's words) rotated by ROUND, so
# that no peer always runs first
order()
{
	local -a p
	local i n

	read -ra p <<<"${2:-$PEERS}"
	n=${#p[@]}
	for ((i = 0; i < n; i++)); do
		printf '%s ' "${p[(i + $1) % n]}"
	done
}

has() { [[ " $WORKLOADS " == *" $1 "* ]]; }

# on_peer PEER CMD...: CMD with PEER set up on a topology of its own,
# both taken down after it
on_peer()
{
	local peer=$1

	shift
	topo_up || { topo_down; return 1; }
	if peer_up "$peer" >"$T/peer.err" 2>&1; then
		"$@"
	else
		warn "$peer$( [[ $FAM == 6 ]] && echo " (IPv6)"): setup failed: $(cat "$T/peer.err")"
	fi
	peer_down "$peer"
	topo_down
}

# guest_facts: what the guest kernel chose from the (emulated) CPU: the
# model and its flags, the clocksource, the TSC's rate, the mitigations.
# Figures are comparable between runs only where these lines agree.
guest_facts()
{
	local f

	say "guest cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	say "guest cpu flags: $(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	say "guest clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
		"(available: $(cat /sys/devices/system/clocksource/clocksource0/available_clocksource))"
	dmesg | grep -E 'tsc: |clocksource: Switched|x86/fpu: |Spectre|Speculative|MDS|SRSO|Retbleed|RETBleed|mitigat' |
		sed 's/^\[[ 0-9.]*\] /# guest dmesg: /'
	for f in /sys/devices/system/cpu/vulnerabilities/*; do
		[[ -r $f ]] && say "guest vulnerability ${f##*/}: $(cat "$f")"
	done
	say "guest cmdline: $(cat /proc/cmdline)"
}

crng_ready() { dmesg | grep -q 'random: crng init done'; }

# crng_wait: the kernel's random number generator seeded before anything
# is measured. Until then every get_random_u32() (several per new TCP
# conn: the socket's txhash, the port offset, IP IDs) computes a ChaCha
# block from the base key instead of taking 4 bytes of a per-CPU batch;
# a UDP packet forwarded takes none. When the guest gets its 256 bits
# of entropy depends on how many interrupts it has seen (the serial
# console's among them, drained at the host's pace), so unseeded, the
# new-conns figures move between runs and machines and can change in
# the middle of a run. A blocking read of /dev/random seeds it with the
# kernel's jitter entropy (deterministic under -icount).
# LDIR_BENCH_CRNG_WAIT=0 leaves it as it comes.
crng_wait()
{
	local t0

	if crng_ready; then
		say "guest crng: seeded at boot"
	elif [[ ${LDIR_BENCH_CRNG_WAIT:-1} == 1 ]]; then
		t0=$(gtime)
		head -c 1 /dev/random >/dev/null
		say "guest crng: seeded by a blocking read of /dev/random in $(( ($(gtime) - t0) / 1000000 )) guest ms"
	else
		say "guest crng: not seeded (LDIR_BENCH_CRNG_WAIT=0)"
	fi
}

# prof PEER CONNS: where the guest's instructions go while PEER forwards
# the udp workload with CONNS more live conns in its table. Under
# -icount, perf's cpu-clock is guest time, so samples fall in proportion
# to instructions executed: at 10 kHz a sample is 100,000 instructions,
# and the second column (samples) x 100,000 / PROF_PKTS is what a
# symbol costs a packet.
prof()
{
	local peer=$1 pid f=$T/perf.data tag="$1 $2"

	command -v perf >/dev/null || { warn "prof: no perf in the guest"; return 1; }
	(( $2 > 0 )) && populate "$peer" "$2" 1
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	perf record -q -a -e cpu-clock -F 10000 -o "$f" >/dev/null 2>&1 &
	pid=$!
	sleep 1
	udp_pps "$peer" "$PROF_PKTS" >/dev/null
	kill -INT "$pid"
	wait "$pid"
	# idle (halt) samples left out: percentages of the busy samples
	perf report -i "$f" --stdio --no-children -n --sort sym \
		2>/dev/null | grep -E '^ +[0-9]' | grep -v safe_halt >"$T/prof"
	say "$(wl prof) $tag: the top symbols, % of all samples and samples" \
		"($(wl udp) workload, $PROF_PKTS pkts; $(awk '{ n += $2 } END { print n }' "$T/prof") busy samples)"
	head -"$PROF_TOP" "$T/prof" | sed "s/^ */# $(wl prof) $tag /"
	# with the conn table's walks (GC, flush) and what they call
	say "$(wl prof) $tag: the balancer's own symbols"
	grep -E '(ldir|ip_vs|nft_|nf_nat|nf_conntrack|nf_flow|flow_offload|siphash|jhash|conn_|gc_|fast_hook|_find_next_bit|__rcu_read_|cond_resched|indirect_thunk)' \
		"$T/prof" | head -"$PROF_TOP" | sed "s/^ */# $(wl prof) $tag /"
}

# warm_up: one untimed pass of the round workloads through plain
# forwarding before round 1. The first 1000 TCP conns after boot cost
# about 3% more than any later 1000 (the first peer of round 1 paid it
# alone: the kernel's caches and page lists growing for the first time
# is the likely part), and a run without the tcp workload measured that
# peer's new-conns figure 3% below its other rounds.
# LDIR_BENCH_WARMUP=0 skips it.
# With IPv6 among the families, IPv6's plain pass follows (its sockets,
# routes and caches are IPv6's own).
warm_up()
{
	local f

	[[ ${LDIR_BENCH_WARMUP:-1} == 1 ]] || return 0
	has udp || has tcp || has crr || return 0
	for f in $FAMILIES; do
		fam_set "$f"
		topo_up || { topo_down; continue; }
		if peer_up plain >"$T/peer.err" 2>&1; then
			has udp && udp_pps plain "$UDP_PKTS" >/dev/null
			has tcp && tcp_bulk plain >/dev/null
			has crr && crr plain >/dev/null
		fi
		peer_down plain
		topo_down
	done
	fam_set 4
	if has_fam 6; then
		say "warm-up done (plain, untimed; families $FAMILIES)"
	else
		say "warm-up done (plain, untimed)"
	fi
}

main()
{
	local r peer n v t0 t1 t6='' fam

	[[ -d /sys/module/ldir ]] || { echo "ldir is not loaded"; exit 1; }
	command -v ldbench >/dev/null || { echo "ldbench is not in the guest"; exit 1; }
	setup_modules
	say "kernel $(uname -r), $(nproc) vCPUs, rounds $ROUNDS, peers: $PEERS"
	has_fam 6 && say "families: $FAMILIES (IPv6: udp6, tcp6, crr6, mem6)"
	guest_facts
	crng_wait
	say "workload sizes: udp $UDP_PKTS pkts, tcp $TCP_BYTES, crr $CRR_CONNS conns"
	emit info kernel "$(uname -r)" 0 "$(nproc)"
	warm_up
	t0=$(gtime)
	for ((r = 1; r <= ROUNDS; r++)); do
		for peer in $(order "$r"); do
			if ! has udp && ! has tcp && ! has crr; then
				break
			fi
			for fam in $(order "$r" "$FAMILIES"); do
				fam_set "$fam"
				t1=$(gtime)
				topo_up || { warn "topology failed"; topo_down; continue; }
				if peer_up "$peer" >"$T/peer.err" 2>&1; then
					if has udp; then
						v=$(udp_pps "$peer" "$UDP_PKTS") && emit "$(wl udp)" "$peer" - "$r" "$v"
						ft_note "$peer" udp "$r" "$UDP_PORT"
					fi
					if has tcp; then
						ft_mark "$peer"
						v=$(tcp_bulk "$peer") && emit "$(wl tcp)" "$peer" - "$r" "$v"
						ft_note "$peer" tcp "$r"
					fi
					if has crr; then
						ft_mark "$peer"
						v=$(crr "$peer") && emit "$(wl crr)" "$peer" - "$r" "$v"
						ft_note "$peer" crr "$r"
					fi
				else
					warn "$peer (IPv$FAM): setup failed: $(cat "$T/peer.err")"
				fi
				peer_down "$peer"
				topo_down
				[[ $FAM == 6 ]] && t6=$((t6 + $(gtime) - t1))
			done
			fam_set 4
		done
		say "round $r done ($(( ($(gtime) - t0) / 1000000000 )) guest s; crng $(crng_ready && echo seeded || echo not seeded))${t6:+; IPv6 $((t6 / 1000000)) guest ms so far}"
	done
	if has scale; then
		for ((r = 1; r <= SCALE_ROUNDS; r++)); do
			for peer in $(order "$r"); do
				# the flowtable peers: the same conntrack table as nft
				[[ $peer == plain* ]] && continue
				is_ft "$peer" && continue
				on_peer "$peer" scale "$peer" "$r"
			done
		done
	fi
	if has mem6 && has_fam 6; then
		t1=$(gtime)
		fam_set 6
		for ((r = 1; r <= SCALE_ROUNDS; r++)); do
			for peer in $(order "$r"); do
				[[ $peer == ldir || $peer == ipvs || $peer == nft ]] || continue
				on_peer "$peer" mem6 "$peer" "$r"
			done
		done
		fam_set 4
		say "mem6 done in $(( ($(gtime) - t1) / 1000000 )) guest ms"
	fi
	if has prof; then
		for fam in $FAMILIES; do
			fam_set "$fam"
			for peer in $PEERS; do
				for n in $PROF_CONNS; do
					# the table's conns are IPv4 flows
					[[ $FAM == 6 && $n != 0 ]] && continue
					on_peer "$peer" prof "$peer" "$n"
				done
			done
		done
		fam_set 4
	fi
	if has flood; then
		command -v ldflood >/dev/null || warn "flood: no ldflood in the guest"
		for ((r = 1; r <= ROUNDS; r++)); do
			for peer in $(order "$r"); do
				[[ $peer == ldir || $peer == ipvs ]] || continue
				topo_up || { topo_down; continue; }
				flood "$peer" "$r"
				topo_down
				[[ $peer == ldir ]] || continue
				topo_up || { topo_down; continue; }
				flood "$peer" "$r" "$FLOOD_SMALL"
				topo_down
			done
		done
	fi
	if has sched; then
		for ((r = 1; r <= SCHED_ROUNDS; r++)); do
			topo_up || break
			pd ip route add 10.9.0.0/16 via "${REAL[1]}"
			for peer in ldir ipvs; do
				[[ " $PEERS " == *" $peer "* ]] || continue
				# IPVS sees only packets to a local VIP
				[[ $peer == ipvs ]] && pd ip addr add "$VIP/32" dev lo
				sched_cost "$peer" "$r"
			done
			topo_down
		done
	fi
	say "bench done in $(( ($(gtime) - t0) / 1000000000 )) guest s"
}

main
