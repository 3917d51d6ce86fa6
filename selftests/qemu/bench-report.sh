#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-report.sh RAW [COMPARE] [STARTED CMD VCPUS QEMUARGS OUT]: the report
# of `make bench` from the guest's "BENCH workload peer param round value"
# lines in RAW: medians over the rounds (with min/max), each peer as a
# ratio to ldir, the issue's targets met or missed, the spread between
# rounds and (with COMPARE, the raw file of another run) between runs.
# Prints markdown; with OUT (not "none"), also writes it there (between
# bench:begin/end markers: the rest of an existing OUT is kept) and draws
# the scaling curves into OUT's directory as BENCHMARKS-scaling.png.
# Reporting only: no figure here makes any command fail.

set -u

raw=$1
cmp=${2:-}
started=${3:-unknown}
cmd=${4:-make bench}
vcpus=${5:-?}
qargs=${6:-}
out=${7:-none}

[ -f "$raw" ] || { echo "bench-report: no file $raw" >&2; exit 1; }
[ -n "$cmp" ] && [ ! -f "$cmp" ] && { echo "bench-report: no file $cmp" >&2; exit 1; }

# stats FILE: "workload peer param median min max n" per measured key
stats()
{
	awk '$1 == "BENCH" && $2 != "info" { k = $2 " " $3 " " $4; v[k] = v[k] " " $6 }
	     END { for (k in v) print k v[k] }' "$1" |
	while read -r w p a vals; do
		# shellcheck disable=SC2086 # one value a word
		printf '%s\n' $vals | sort -n | awk -v k="$w $p $a" '
			{ x[NR] = $1 }
			END { m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
			      print k, m, x[1], x[NR], NR }'
	done | sort
}

declare -A MED MIN MAX CNT CMED
while read -r w p a m lo hi n; do
	MED["$w $p $a"]=$m MIN["$w $p $a"]=$lo MAX["$w $p $a"]=$hi CNT["$w $p $a"]=$n
done < <(stats "$raw")
if [ -n "$cmp" ]; then
	while read -r w p a m _; do
		CMED["$w $p $a"]=$m
	done < <(stats "$cmp")
fi

kernel=$(awk '$1 == "BENCH" && $2 == "info" { print $4; exit }' "$raw")
gvcpus=$(awk '$1 == "BENCH" && $2 == "info" { print $6; exit }' "$raw")

med() { echo "${MED["$1"]:-}"; }
# guest_lines RAW: what the guest kernel chose from its emulated CPU
# (bench.sh's guest_facts); measurements left out (the TSC's rate: its
# refined calibration reads 999.999 or 1000.000 MHz between boots)
guest_lines()
{
	grep -E '^# guest (cpu|clocksource|vulnerability|dmesg)' "$1" |
		grep -vE 'max_idle_ns|Detected [0-9.]+ MHz|TSC clocksource calibration' | sort
}
# has_wl WORKLOAD: the run measured WORKLOAD at least once
has_wl() { grep -q "^BENCH $1 " "$raw"; }
# ratio A B: A/B to 2 decimals, or "-"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
# fmt X: an integer with thousands separators
fmt() { [ -z "$1" ] && { echo -; return; }; printf "%'.0f" "$1" 2>/dev/null || echo "$1"; }
# spread KEY: (max - min) / median in %
spread() { awk -v a="${MIN["$1"]:-}" -v b="${MAX["$1"]:-}" -v m="${MED["$1"]:-}" 'BEGIN { if (m == "" || m == 0) print "-"; else printf "%.1f%%", 100 * (b - a) / m }'; }
# verdict OK: met or MISSED
verdict() { if [ "$1" = 1 ]; then echo met; else echo "**missed**"; fi; }
# target DESC FIGURE UNIT OP LIMIT: a row of the targets table; OP is ge
# (FIGURE >= LIMIT is met) or le. A figure that was not measured ("" or
# "-": its workload or a peer it is a ratio against did not run) is
# "not run", never met or missed.
target()
{
	local v

	if [ -z "$2" ] || [ "$2" = - ]; then
		echo "| $1 | - | not run |"
		return
	fi
	if [ "$4" = ge ]; then v=$(ge "$2" "$5"); else v=$(ge "$5" "$2"); fi
	echo "| $1 | $2$3 | $(verdict "$v") |"
}
# ge A B: 1 if A >= B (floats)
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && b != "" && a + 0 >= b + 0) ? 1 : 0 }'; }
# cost PPS: guest ns per packet
cost() { awk -v p="$1" 'BEGIN { if (p == "" || p == 0) print ""; else printf "%.0f", 1e9 / p }'; }

# added WORKLOAD PEER: guest ns per packet/conn PEER adds over plain
# (plain of the same workload: udp6's plain for udp6)
added()
{
	awk -v a="$(cost "$(med "$1 $2 -")")" -v b="$(cost "$(med "$1 plain -")")" \
		'BEGIN { if (a == "" || b == "") print ""; else print a - b }'
}

# ipv6: the IPv6 section: udp6, tcp6 and crr6 against plain IPv6 forwarding of
# this run, the IPv4 ratios of the same run beside them, the memory of
# IPv6 conns (mem6) and the conn caches' object sizes
ipv6()
{
	local w p l s k c

	echo "## IPv6 (ratio = peer / plain forwarding of the same family, this run)"
	echo
	if ! has_wl udp6 && ! has_wl tcp6 && ! has_wl crr6 && ! has_wl mem6; then
		echo "Not run (LDIR_BENCH_FAMILIES without 6, or none of udp, tcp, crr, mem6)."
		echo
		return
	fi
	echo "The udp, tcp and crr workloads over IPv6 (client 2001:db8:1::2, VIP"
	echo "2001:db8::10, reals 2001:db8:2::11-13; ldir and IPVS with [VIP]:PORT"
	echo "services, nft an ip6 table's DNAT), on a topology of their own, each"
	echo "peer's IPv6 run right beside its IPv4 run in every round. IPv6 UDP"
	echo "packets are 78-byte frames with checksums (pktgen's smallest IPv6"
	echo "packet; IPv4's are 60 bytes, checksum 0); plain IPv6 sends to real1"
	echo "only; IPv6 TCP bulk has MSS 1440 (IPv4's 1460). The IPv4 rows"
	echo "are this run's udp, tcp and crr, against this run's plain IPv4."
	echo
	l="| workload "
	s="|---"
	for p in plain ldir ipvs nft; do l="$l| ${PEER_NAME[$p]} "; s="$s|---"; done
	echo "$l| ldir/plain | ipvs/plain | nft/plain | ldir/ipvs | ldir/nft |"
	echo "$s|---|---|---|---|---|"
	for w in udp6 tcp6 crr6 udp tcp crr; do
		case $w in
		udp6) l="| IPv6: established UDP, 78 B, pkts/s " ;;
		tcp6) l="| IPv6: TCP bulk (iperf3), Mbit/s " ;;
		crr6) l="| IPv6: new TCP conns/s " ;;
		udp) l="| IPv4: established UDP, 60 B, pkts/s " ;;
		tcp) l="| IPv4: TCP bulk (iperf3), Mbit/s " ;;
		crr) l="| IPv4: new TCP conns/s " ;;
		esac
		for p in plain ldir ipvs nft; do
			k="$w $p -"
			if [ -n "$(med "$k")" ]; then
				l="$l| $(fmt "$(med "$k")") ($(fmt "${MIN["$k"]}")-$(fmt "${MAX["$k"]}")) "
			else
				l="$l| - "
			fi
		done
		for p in ldir ipvs nft; do
			l="$l| $(ratio "$(med "$w $p -")" "$(med "$w plain -")") "
		done
		l="$l| $(ratio "$(med "$w ldir -")" "$(med "$w ipvs -")") "
		l="$l| $(ratio "$(med "$w ldir -")" "$(med "$w nft -")") "
		echo "$l|"
	done
	echo
	echo "Guest ns (~instructions) per packet and per new conn, and what each"
	echo "balancer adds over plain forwarding of the same family:"
	echo
	echo "| | plain | ldir | IPVS NAT | nft DNAT | IPVS/ldir added |"
	echo "|---|---|---|---|---|---|"
	for w in udp6 udp crr6 crr; do
		case $w in
		udp6) t="IPv6, per UDP packet" ;;
		udp) t="IPv4, per UDP packet" ;;
		crr6) t="IPv6, per new TCP conn" ;;
		crr) t="IPv4, per new TCP conn" ;;
		esac
		l="| ns $t "
		for p in plain ldir ipvs nft; do l="$l| $(fmt "$(cost "$(med "$w $p -")")") "; done
		echo "$l| |"
		l="| added over plain "
		for p in plain ldir ipvs nft; do l="$l| $(fmt "$(added "$w" "$p")") "; done
		echo "$l| $(ratio "$(added "$w" ipvs)" "$(added "$w" ldir)") |"
	done
	echo
	echo "Memory per live IPv6 conn (one-way UDP flows to the VIP; slab growth"
	echo "/ conns, slab_nomerge) and the conn caches' object sizes:"
	echo
	if has_wl mem6; then
		echo "| peer | IPv6 conns | bytes/conn | object size | caches that grew |"
		echo "|---|---|---|---|---|"
		for p in ldir ipvs nft; do
			k=$(grep -oE "^BENCH mem6 $p [0-9]+" "$raw" | head -n 1 | awk '{ print $4 }')
			[ -z "$k" ] && continue
			c=$(grep -E "^# $p: [0-9]+ IPv6 conns, slab" "$raw" | head -n 1 | sed 's/^[^:]*: [^:]*: //')
			s=$(awk -v p="$p" '$1 == "BENCH" && $2 == "objsize" && $3 == p { printf "%s%s %s B", sep, $4, $6; sep = ", " }' "$raw" |
				awk -F', ' '{ for (i = 1; i <= NF; i++) if (!seen[$i]++) printf "%s%s", (n++ ? ", " : ""), $i }')
			echo "| $p | $(fmt "$k") | $(fmt "$(med "mem6 $p $k")") | ${s:--} | $c |"
		done
	else
		echo "Not run (mem6 not in LDIR_BENCH_WORKLOADS)."
	fi
	echo
}

export LC_NUMERIC=C.UTF-8 2>/dev/null

UDP_SENT=$(sed -n 's/^# workload sizes: udp \([0-9]*\) pkts.*/\1/p' "$raw" | head -n 1)
CRR_SENT=$(sed -n 's/^# workload sizes: .* crr \([0-9]*\) conns.*/\1/p' "$raw" | head -n 1)

PEERS="plain ldir ipvs nft nft-ft plain-ft"
declare -A PEER_NAME=([plain]="plain" [ldir]="ldir" [ipvs]="IPVS NAT" [nft]="nft DNAT"
	[nft-ft]="nft DNAT + flowtable" [plain-ft]="plain + flowtable")
WL_NAMES=([1]="udp" [2]="tcp" [3]="crr")
declare -A WL_DESC=([udp]="established UDP, 60 B, pkts/s" [tcp]="TCP bulk (iperf3), Mbit/s"
	[crr]="new TCP conns/s (connect/request/close)")
# the peers outside the default set that the run measured (bench.sh's
# ldir-ct...) get columns too, after those, in the order they first ran
PEER_NAME[ldir-ct]="ldir + conntrack"
while read -r p; do
	[[ " $PEERS " == *" $p "* ]] && continue
	PEERS="$PEERS $p"
	[ -n "${PEER_NAME[$p]:-}" ] || PEER_NAME[$p]=$p
done < <(awk '$1 == "BENCH" && ($2 == "udp" || $2 == "tcp" || $2 == "crr") && !s[$3]++ { print $3 }' "$raw")

report()
{
	local w p k l i v s c t

	echo "# Benchmarks: ldir against plain forwarding, IPVS NAT, nftables DNAT and the nftables flowtable"
	echo
	echo "Generated by \`make bench\` (selftests/qemu/bench.sh, selftests/bench.sh,"
	echo "selftests/qemu/bench-report.sh). Reproduce with:"
	echo
	echo "    $cmd"
	echo
	echo "- date: $started; guest kernel: ${kernel:-?} (Debian stock); vCPUs: ${gvcpus:-$vcpus}; QEMU TCG \`$qargs\`"
	echo "- guest CPU: $(sed -n 's/^# guest cpu: //p' "$raw" | head -n 1); clocksource: $(sed -n 's/^# guest clocksource: \([^ ]*\).*/\1/p' "$raw" | head -n 1);" \
		"$(sed -n 's/^# guest dmesg: tsc: Refined TSC clocksource calibration: /TSC /p' "$raw" | head -n 1)"
	echo "- rounds: ${CNT["udp ldir -"]:-${CNT["udp6 ldir -"]:-${CNT["tcp6 ldir -"]:-?}}} interleaved (peer order rotated each round); figures are medians, min-max in brackets"
	if has_wl udp6 || has_wl tcp6 || has_wl crr6 || has_wl mem6; then
		echo "- families: IPv4 and IPv6 (the IPv6 rows: section IPv6)"
	fi
	echo "- time base: guest time under \`-icount shift=0,sleep=off\`: 1 guest ns = 1 guest"
	echo "  instruction, idle time skipped. A rate is therefore a cost in instructions per"
	echo "  packet (or conn), which host load cannot move. Comparable between peers of one"
	echo "  run, not with real hardware."
	echo
	echo "## Side by side (ratio = peer / ldir; higher is better for every rate)"
	echo
	l="| workload "
	s="|---"
	for p in $PEERS; do l="$l| ${PEER_NAME[$p]} "; s="$s|---"; done
	for p in $PEERS; do
		[ "$p" = ldir ] && continue
		l="$l| $p/ldir "
		s="$s|---"
	done
	echo "$l|"
	echo "$s|"
	for i in 1 2 3; do
		w=${WL_NAMES[$i]}
		l="| ${WL_DESC[$w]} "
		for p in $PEERS; do
			k="$w $p -"
			if [ -n "$(med "$k")" ]; then
				l="$l| $(fmt "$(med "$k")") ($(fmt "${MIN["$k"]}")-$(fmt "${MAX["$k"]}")) "
			else
				l="$l| - "
			fi
		done
		for p in $PEERS; do
			[ "$p" = ldir ] && continue
			l="$l| $(ratio "$(med "$w $p -")" "$(med "$w ldir -")") "
		done
		echo "$l|"
	done
	if ! has_wl udp && ! has_wl tcp && ! has_wl crr; then
		echo
		echo "Not run (LDIR_BENCH_WORKLOADS had none of udp, tcp, crr)."
	fi
	echo
	echo "Cost in guest ns (~instructions) per established UDP packet and per new TCP"
	echo "conn, end to end (sender, veth, bridge, the director, receiver), and what"
	echo "the balancer adds over plain forwarding; the last column is IPVS's added"
	echo "cost over ldir's (higher: ldir's own work is cheaper):"
	echo
	l="| "
	s="|---"
	for p in $PEERS; do l="$l| ${PEER_NAME[$p]} "; s="$s|---"; done
	echo "$l| IPVS/ldir added |"
	echo "$s|---|"
	for w in udp crr; do
		if [ "$w" = udp ]; then t="per UDP packet"; else t="per new TCP conn"; fi
		l="| ns $t "
		for p in $PEERS; do l="$l| $(fmt "$(cost "$(med "$w $p -")")") "; done
		echo "$l| |"
		l="| added over plain "
		for p in $PEERS; do
			l="$l| $(fmt "$(added "$w" "$p")") "
		done
		echo "$l| $(ratio "$(added "$w" ipvs)" "$(added "$w" ldir)") |"
	done
	echo

	ipv6

	echo "## The flowtable peers: what took the fast path"
	echo
	echo "Conntrack entries of the udp workload's flows marked [OFFLOAD] at its end,"
	echo "and the packets that went through the forward chain (the slow path; a"
	echo "counter in front of \`flow add @ft\`) while each figure was measured"
	echo "(medians over the rounds). Conntrack adds a UDP flow to the flowtable at"
	echo "its second packet (the first is not confirmed yet), a TCP flow once it"
	echo "is established; FIN and RST take it out again."
	echo
	if has_wl offload-slow; then
		echo "| peer | UDP flows [OFFLOAD] | slow-path packets: UDP ($(fmt "${UDP_SENT:-}") sent) | TCP bulk | new TCP conns ($(fmt "${CRR_SENT:-}") conns) |"
		echo "|---|---|---|---|---|"
		for p in nft-ft plain-ft; do
			has_wl "udp $p" || has_wl "tcp $p" || has_wl "crr $p" || continue
			l="| ${PEER_NAME[$p]} "
			if [ -n "$(med "offload-flows $p udp")" ]; then
				l="$l| $(med "offload-flows $p udp") of $(med "offload-entries $p udp") "
			else
				l="$l| - "
			fi
			for w in udp tcp crr; do l="$l| $(fmt "$(med "offload-slow $p $w")") "; done
			echo "$l|"
		done
	else
		echo "Not run (no flowtable peer in LDIR_BENCH_PEERS, or none of udp, tcp, crr)."
	fi
	echo

	echo "## Table scale: established-flow pkts/s with N live conns in the table"
	echo
	echo "Conns are one-way UDP flows sprayed by pktgen (17 sources x N/17 ports), all"
	echo "peers sized for 1M (ldir conn_hash_bits=20, ip_vs conn_tab_bits=20,"
	echo "nf_conntrack hashsize=1048576), unless the command says LDIR_BENCH_TUNED=0."
	echo
	local sizes lo hi
	sizes=$(awk '$1 == "BENCH" && $2 == "scale" { print $4 }' "$raw" | sort -un | tr '\n' ' ')
	lo=${sizes%% *}
	hi=$(echo "$sizes" | awk '{ print $NF }')
	if [ -n "$sizes" ]; then
		l="| peer "
		s="|---"
		for n in $sizes; do l="$l| $(fmt "$n") "; s="$s|---"; done
		echo "$l| cost at max / cost at min |"
		echo "$s|---|"
		for p in ldir ipvs nft; do
			l="| $p "
			for n in $sizes; do l="$l| $(fmt "$(med "scale $p $n")") "; done
			# cost ratio = pps(min) / pps(max); one size: no ratio
			if [ "$lo" != "$hi" ]; then
				l="$l| $(ratio "$(med "scale $p $lo")" "$(med "scale $p $hi")") "
			else
				l="$l| - "
			fi
			echo "$l|"
		done
	else
		echo "Not run (scale not in LDIR_BENCH_WORKLOADS)."
	fi

	echo
	echo "## Memory per live connection (slab growth / conns, slab_nomerge)"
	echo
	if has_wl mem; then
		echo "| peer | conns | bytes/conn | caches that grew |"
		echo "|---|---|---|---|"
		for p in ldir ipvs nft; do
			k=$(grep -oE "^BENCH mem $p [0-9]+" "$raw" | head -n 1 | awk '{ print $4 }')
			[ -z "$k" ] && continue
			c=$(grep -E "^# $p: slab growth:" "$raw" | head -n 1 | sed "s/^# $p: slab growth: //")
			echo "| $p | $(fmt "$k") | $(fmt "$(med "mem $p $k")") | $c |"
		done
	else
		echo "Not run (measured by the scale workload)."
	fi

	echo
	echo "## Scheduling: guest ns per new conn (a new UDP flow) with K reals"
	echo
	local ks scheds klo khi
	ks=$(awk '$1 == "BENCH" && $2 == "sched" { print $4 }' "$raw" | sort -un | tr '\n' ' ')
	scheds=$(awk '$1 == "BENCH" && $2 == "sched" { print $3 }' "$raw" | awk '!s[$0]++' | tr '\n' ' ')
	klo=${ks%% *}
	khi=$(echo "$ks" | awk '{ print $NF }')
	if [ -n "$ks" ]; then
		l="| scheme "
		s="|---"
		for n in $ks; do l="$l| K=$n "; s="$s|---"; done
		echo "$l| cost at max K / cost at min K |"
		echo "$s|---|"
		for p in $scheds; do
			l="| $p "
			for n in $ks; do l="$l| $(fmt "$(med "sched $p $n")") "; done
			if [ "$klo" != "$khi" ]; then
				l="$l| $(ratio "$(med "sched $p $khi")" "$(med "sched $p $klo")") "
			else
				l="$l| - "
			fi
			echo "$l|"
		done
	else
		echo "Not run (sched not in LDIR_BENCH_WORKLOADS)."
	fi
	grep -E '^# ldir: scheme .* rejected' "$raw" | sort -u |
		sed 's/^# ldir: scheme \([^ ]*\) rejected.*kernel: \(.*\) (attribute .*/- ldir scheme \1: rejected by the module (\2), skipped/'

	echo
	echo "## Targets"
	echo
	echo "A target whose workload (or a peer it is measured against) was not part"
	echo "of this run says \"not run\"."
	echo
	echo "| target | figure | verdict |"
	echo "|---|---|---|"
	target "established pkts/s >= 1.25x IPVS NAT" \
		"$(ratio "$(med "udp ldir -")" "$(med "udp ipvs -")")" x ge 1.25
	target "established pkts/s >= 0.90x plain forwarding" \
		"$(ratio "$(med "udp ldir -")" "$(med "udp plain -")")" x ge 0.90
	target "new conns/s >= 1.25x IPVS NAT" \
		"$(ratio "$(med "crr ldir -")" "$(med "crr ipvs -")")" x ge 1.25
	target "(reading) the director's added cost per packet: IPVS's >= 1.25x ldir's" \
		"$(ratio "$(added udp ipvs)" "$(added udp ldir)")" x ge 1.25
	target "(reading) the director's added cost per new conn: IPVS's >= 1.25x ldir's" \
		"$(ratio "$(added crr ipvs)" "$(added crr ldir)")" x ge 1.25
	if [ -n "$sizes" ] && [ "$lo" != "$hi" ]; then
		target "per-packet cost at $(fmt "$hi") conns <= 1.3x at $(fmt "$lo")" \
			"$(ratio "$(med "scale ldir $lo")" "$(med "scale ldir $hi")")" x le 1.3
	else
		target "per-packet cost at the largest table <= 1.3x at the smallest (two sizes of LDIR_BENCH_SCALE)" "" x le 1.3
	fi
	k=$(grep -oE "^BENCH mem ldir [0-9]+" "$raw" | head -n 1 | awk '{ print $4 }')
	target "<= 128 bytes per live IPv4 conn" "$(med "mem ldir ${k:-x}")" " B" le 128
	target "an IPv6 conn in its own cache of <= 160 bytes (ldir_conn6's object size)" \
		"$(med "objsize ldir ldir_conn6")" " B" le 160
	k=$(grep -oE "^BENCH mem6 ldir [0-9]+" "$raw" | head -n 1 | awk '{ print $4 }')
	v=$(med "mem6 ldir ${k:-x}")
	echo "| (reading) bytes per live IPv6 conn (slab growth) | ${v:-not run}$([ -n "$v" ] && echo " B") | reading |"
	local n=0
	for p in $scheds; do
		case $p in ldir-*) ;; *) continue ;; esac
		n=$((n + 1))
		if [ "$klo" != "$khi" ]; then
			target "scheduling cost at $khi reals <= 1.5x at $klo: ${p#ldir-}" \
				"$(ratio "$(med "sched $p $khi")" "$(med "sched $p $klo")")" x le 1.5
		else
			target "scheduling cost at the most reals <= 1.5x at the fewest (two sizes of LDIR_BENCH_SCHED_REALS): ${p#ldir-}" "" x le 1.5
		fi
	done
	[ "$n" = 0 ] && target "scheduling cost at 1024 reals <= 1.5x at 8" "" x le 1.5
	v=$(ratio "$(med "udp ldir -")" "$(med "udp nft-ft -")")
	echo "| (reading, the fast path's anchor) established pkts/s, ldir / nft DNAT + flowtable | ${v/#-/not run}$([ "$v" != - ] && echo x) | reading |"
	v=$(ratio "$(med "tcp ldir -")" "$(med "tcp nft-ft -")")
	echo "| (reading, the fast path's anchor) TCP bulk, ldir / nft DNAT + flowtable | ${v/#-/not run}$([ "$v" != - ] && echo x) | reading |"
	echo
	echo "## Repeatability"
	echo
	echo "Spread = (max - min) / median over the rounds of this run"
	[ -n "$cmp" ] && echo "and, per figure, the median of this run against the median of another run ($(basename "$cmp"), LDIR_BENCH_COMPARE)."
	echo
	if [ -n "$cmp" ]; then
		echo "| figure | median | min | max | spread | other run | difference |"
		echo "|---|---|---|---|---|---|---|"
	else
		echo "| figure | median | min | max | spread |"
		echo "|---|---|---|---|---|"
	fi
	local worst=0 d
	for k in $(printf '%s\n' "${!MED[@]}" | grep -v '^offload-' | sort | tr ' ' '|'); do
		k=${k//|/ }
		l="| ${k% -} | $(fmt "${MED["$k"]}") | $(fmt "${MIN["$k"]}") | $(fmt "${MAX["$k"]}") | $(spread "$k") "
		if [ -n "$cmp" ]; then
			d=$(awk -v a="${MED["$k"]}" -v b="${CMED["$k"]:-}" 'BEGIN { if (b == "" || b == 0) print "-"; else printf "%+.1f%%", 100 * (a - b) / b }')
			l="$l| $(fmt "${CMED["$k"]:-}") | $d "
			worst=$(awk -v w="$worst" -v d="$d" 'BEGIN { if (d != "-") { sub(/%/, "", d); d = d + 0; if (d < 0) d = -d; if (d > w) w = d }; print w }')
		fi
		echo "$l|"
	done
	if [ -n "$cmp" ]; then
		echo
		echo "Largest difference between the two runs' medians: ${worst}%."
		# the guest's own view of its CPU: figures of two runs compare only
		# if these agree (see BENCHMARKS.md, Reproducibility)
		d=$(diff <(guest_lines "$cmp") <(guest_lines "$raw") | grep '^[<>]' |
			sed 's/^< # guest /- other run: /; s/^> # guest /- this run: /')
		echo
		if [ -z "$(guest_lines "$cmp")" ] || [ -z "$(guest_lines "$raw")" ]; then
			echo "One of the two runs did not record what its guest kernel chose from the CPU (no \"# guest\" lines)."
		elif [ -n "$d" ]; then
			echo "**The two runs' guests differ** (CPU model, flags, clocksource or mitigations): their figures do not compare."
			echo
			echo "$d"
		else
			echo "Both runs' guests saw the same CPU model, flags, clocksource and mitigations."
		fi
	fi
	if grep -q '^WARN' "$raw"; then
		echo
		echo "Warnings of this run:"
		echo
		grep '^WARN' "$raw" | sort | uniq -c | sed 's/^ */- /'
	fi
}

# chart DIR PNG: the scaling curves (table scale, scheduling) with gnuplot
# shellcheck disable=SC2013 # the words are numbers and scheme names
chart()
{
	local d=$1 png=$2 p n

	command -v gnuplot >/dev/null || { echo "bench-report: no gnuplot, no chart" >&2; return 0; }
	# nothing to draw (neither scale nor sched ran): keep the chart there is
	has_wl scale || has_wl sched || { echo "bench-report: no scale or sched figures, chart left alone" >&2; return 0; }
	for p in ldir ipvs nft; do
		for n in $(awk '$1 == "BENCH" && $2 == "scale" { print $4 }' "$raw" | sort -un); do
			[ -n "$(med "scale $p $n")" ] && echo "$n $(cost "$(med "scale $p $n")")"
		done >"$d/scale-$p.dat"
	done
	for p in $(awk '$1 == "BENCH" && $2 == "sched" { print $3 }' "$raw" | awk '!s[$0]++'); do
		for n in $(awk '$1 == "BENCH" && $2 == "sched" { print $4 }' "$raw" | sort -un); do
			[ -n "$(med "sched $p $n")" ] && echo "$n $(med "sched $p $n")"
		done >"$d/sched-$p.dat"
	done
	{
		echo "set terminal pngcairo size 1200,500 noenhanced"
		echo "set output '$png'"
		echo "set multiplot layout 1,2 title 'ldir make bench, kernel ${kernel:-?}, guest ns = instructions (QEMU -icount)'"
		echo "set logscale x; set grid; set key top left; set yrange [0:*]"
		echo "set title 'Per-packet cost vs live conns'; set xlabel 'live conns'; set ylabel 'guest ns per packet'"
		printf 'plot '
		for p in ldir ipvs nft; do
			[ -s "$d/scale-$p.dat" ] && printf "'%s' using 1:2 with linespoints title '%s', " "$d/scale-$p.dat" "$p"
		done
		echo
		echo "set title 'Cost per new conn vs reals'; set xlabel 'reals'; set ylabel 'guest ns per new conn'"
		printf 'plot '
		for p in $(cd "$d" && ls sched-*.dat 2>/dev/null); do
			[ -s "$d/$p" ] && printf "'%s' using 1:2 with linespoints title '%s', " "$d/$p" "$(basename "$p" .dat | sed 's/^sched-//')"
		done
		echo
		echo "unset multiplot"
	} | sed 's/, $//' >"$d/chart.gp"
	gnuplot "$d/chart.gp" || echo "bench-report: gnuplot failed ($d/chart.gp)" >&2
}

md=$(report)
echo "$md"
if [ "$out" != none ]; then
	tmp=$(mktemp -d)
	mkdir -p "$(dirname "$out")"
	png=$(dirname "$out")/BENCHMARKS-scaling.png
	chart "$tmp" "$png"
	{
		echo "<!-- bench:begin (written by make bench; edit outside these markers) -->"
		echo "$md"
		echo
		echo "## Chart"
		echo
		echo "![scaling curves]($(basename "$png"))"
		echo
		echo "## Raw results of this run"
		echo
		echo '```'
		grep -E '^(BENCH|# )' "$raw"
		echo '```'
		echo "<!-- bench:end -->"
	} >"$tmp/gen.md"
	# keep what is outside the markers (hand-written findings)
	if [ -f "$out" ] && grep -q '^<!-- bench:begin' "$out" && grep -q '^<!-- bench:end' "$out"; then
		{
			sed '/^<!-- bench:begin/,$d' "$out"
			cat "$tmp/gen.md"
			sed '1,/^<!-- bench:end/d' "$out"
		} >"$tmp/new.md"
		mv "$tmp/new.md" "$out"
	else
		mv "$tmp/gen.md" "$out"
	fi
	rm -rf "$tmp"
	echo
	echo "written: $out, $png"
fi
