#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: debug
#
# Fuzzing, on the debug kernel (KASAN, lockdep, kmemleak: the harness
# fails the run on any report). Topology: lib.sh, plus a namespace "fuzz"
# with an ldir instance of its own.
#
#   1. netlink chaos: two ldfuzz-nl -m chaos side by side in "fuzz" (every
#      command, valid sequences, mutated trees, lies in lengths, batches,
#      dumps abandoned); then "fuzz" is deleted with its objects in it.
#      The director's configuration, which nothing touched, must be what
#      it was, byte for byte (ldctl save, ldctl -j show).
#   2. netlink reject: ldfuzz-nl -m reject in the director's namespace:
#      valid changes to its objects with a defect the kernel must refuse;
#      every one refused (ldfuzz-nl checks), the configuration byte for
#      byte what it was (a handler that applied half a request shows);
#      then chaos again as nobody: every change refused, nothing changed.
#   3. packets: ldfuzz-pkt send from the client at the VIP and from the
#      reals of two live conns back at the client, while ldfuzz-pkt check
#      on every real and on the client verifies the checksums of every
#      packet that arrives; the configuration is unchanged, and new
#      HTTP and UDP conns through the VIP work.
#   3b. IPv6 packets: the same against IPv6 virtuals in the same
#      topology (the IPv6 addresses are added here: the director
#      2001:db8:1::1 outside and 2001:db8:2::1 on br0, the client
#      2001:db8:1::2, the reals 2001:db8:2::1N, VIP 2001:db8:10::10;
#      stateful virtuals as for IPv4, and a stateless one on UDP 9):
#      extension header chains, fragments, ICMPv6 errors quoting the live
#      conns, informational ICMPv6; the checkers verify TCP, UDP and
#      ICMPv6 checksums with the pseudo-header and the checksums of whole
#      datagrams translated errors quote; the drop counters moved, the
#      configuration is unchanged, new HTTP and UDP conns to the IPv6 VIP
#      work.
#   4. both at once: netlink chaos in the director's namespace while
#      packets (IPv4 and IPv6) and HTTP conns cross it; then flush,
#      restore the saved configuration (both families), and it must save
#      the same and serve again.
#
# Size (the environment; `make fuzz` passes bigger ones): LDIR_FUZZ_N
# netlink requests per fuzzer (default 400), LDIR_FUZZ_PKTS packets per
# sender (default 600), LDIR_FUZZ_SEED (default 1, so that make check
# fuzzes the same way on every run and a red run replays as it is;
# "random": a new one, as `make fuzz` uses unless given FUZZ_SEED; the
# seed is printed with the command that replays it).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
for t in ldfuzz-nl ldfuzz-pkt; do
	command -v "$t" >/dev/null || fail "$t (selftests/tools) is not in the guest"
done

N=${LDIR_FUZZ_N:-400}
P=${LDIR_FUZZ_PKTS:-600}
SEED=${LDIR_FUZZ_SEED:-1}
[[ $SEED == random ]] && SEED=$(( $(od -An -N4 -tu4 /dev/urandom) ))
log "seed $SEED, $N netlink requests per fuzzer, $P packets per sender"
log "replay: make fuzz FUZZ_SEED=$SEED FUZZ_N=$N FUZZ_PKTS=$P"

setup_topology
start_servers http udp who
NS_F=ldir-fuzz-$$
ip netns add "$NS_F"
ip -n "$NS_F" link set lo up

# the fixed configuration: every kind of object and some settings
add_reals
lds <<EOF
real add 10.0.2.14:8080 weight 7 maxconns 100 idle-timeout 300
virtual add tcp $VIP:80 sched wlc
link add tcp $VIP:80 real ${REAL[1]} port 80
link add tcp $VIP:80 real ${REAL[2]} port 80
link add tcp $VIP:80 real ${REAL[3]} port 80
virtual add udp $VIP:7 sched rr
link add udp $VIP:7 real ${REAL[1]} port 7
link add udp $VIP:7 real ${REAL[2]} port 7
link add udp $VIP:7 real ${REAL[3]} port 7
virtual add tcp $VIP:8 sched rr
link add tcp $VIP:8 real ${REAL[1]} port 8
link add tcp $VIP:8 real ${REAL[2]} port 8
virtual add tcp $VIP:8 bind 1 sched lc
link add tcp $VIP:8 bind 1 real ${REAL[3]} port 8
assign tcp $VIP:8 bind 1 10.0.9.0/24
virtual add tcp $VIP:8080 sched pr
link add tcp $VIP:8080 real 10.0.2.14:8080
config set conn-max 50000 timeout-udp 120
EOF

# shown: `ldctl -j show` less what moves by itself (ages, timers)
shown()
{
	local j

	j=$(ld -j show)
	jq -Sc 'walk(if type == "object" then
		del(.["age_ms"], .["retry_ms"], .pr, .["expires_ms"]) else . end)' <<<"$j"
}

ld save >"$T/saved"
shown >"$T/shown"
log "the fixed configuration (ldctl save):"
sed 's/^/#   /' "$T/saved"

# same_config WHAT [save]: the configuration is byte for byte as saved;
# and, unless "save", so is `ldctl -j show` (no traffic moved its counters)
same_config()
{
	ld save >"$T/now"
	cmp -s "$T/saved" "$T/now" ||
		fail "$1: ldctl save changed: $(diff "$T/saved" "$T/now" | head -n 20)"
	if [[ ${2:-} != save ]]; then
		shown >"$T/now.j"
		cmp -s "$T/shown" "$T/now.j" ||
			fail "$1: ldctl -j show changed: $(diff <(jq . "$T/shown") <(jq . "$T/now.j") | head -n 30)"
	fi
	ok "$1: the configuration is byte for byte what it was"
}

# deep OUT: the fuzzer's replies show handlers that ran to the end and
# refusals past the policies (EEXIST, ENOENT), not only EINVAL
deep()
{
	local line e

	line=$(grep '^ldfuzz-nl: replies by errno:' "$1")
	for e in "$@"; do
		[[ $e == "$1" ]] && continue
		[[ $line =~ \ $e=[1-9] ]] || fail "the fuzzer never got $e back: $line"
	done
	ok "deep replies in $(basename "$1"): ${*:2}"
}

# ---- 1. netlink chaos in another namespace --------------------------------
log "1. netlink chaos in $NS_F (two fuzzers side by side) (at ${SECONDS}s)"
nsx "$NS_F" ldfuzz-nl -m chaos -s "$SEED" -n "$N" >"$T/chaos1" 2>&1 &
c1=$!
nsx "$NS_F" ldfuzz-nl -m chaos -s "$((SEED + 1))" -n "$N" >"$T/chaos2" 2>&1 &
c2=$!
rc1=0; rc2=0
wait "$c1" || rc1=$?
wait "$c2" || rc2=$?
cat "$T/chaos1"
grep -E '^ldfuzz-nl: (seed|[0-9]+ requests|replies by errno)' "$T/chaos2"
((rc1 == 0 && rc2 == 0)) || fail "ldfuzz-nl chaos exited $rc1 / $rc2"
deep "$T/chaos1" ok dump EEXIST ENOENT
log "what chaos left in $NS_F: $(nsx "$NS_F" ldctl save | wc -l) lines of configuration"
same_config "after chaos in another namespace"
ip netns del "$NS_F"
ok "$NS_F deleted with its objects in it"

# ---- 2. netlink requests that must be refused, here ------------------------
log "2. netlink reject in the director's namespace (at ${SECONDS}s)"
rc=0
pd ldfuzz-nl -m reject -s "$((SEED + 2))" -n "$N" >"$T/reject" 2>&1 || rc=$?
cat "$T/reject"
((rc == 0)) || fail "ldfuzz-nl -m reject exited $rc: a defective request was accepted"
deep "$T/reject" EEXIST ENOENT EINVAL
same_config "after $N refused requests"
log "2b. netlink chaos as nobody in the director's namespace (at ${SECONDS}s)"
rc=0
pd setpriv --reuid=65534 --regid=65534 --clear-groups \
	ldfuzz-nl -m chaos -u -s "$((SEED + 9))" -n "$((N / 2))" >"$T/nobody" 2>&1 || rc=$?
grep -E '^ldfuzz-nl: (seed|[0-9]+ requests|defects|replies by errno)' "$T/nobody"
((rc == 0)) || fail "ldfuzz-nl -u exited $rc: $(grep -A 3 FINDING "$T/nobody" | head -n 8)"
deep "$T/nobody" EPERM
same_config "after $((N / 2)) requests from nobody"

# ---- 3. packets ------------------------------------------------------------
log "3. malformed packets through live conns (at ${SECONDS}s)"
# mac NS DEV
mac()
{
	ip -n "$1" -j link show "$2" | jq -er '.[0].address'
}

conn_open c1 8
rt=$(conn_real c1)
rt=${rt#real}
cport=$(pc ss -Htn | grep -oE "$CLIENT:[0-9]+ +$VIP:8( |$)" | head -n 1 | cut -d' ' -f1)
cport=${cport##*:}
[[ $cport =~ ^[0-9]+$ ]] || fail "no client port for the live conn"
got=$(udp_who 4000)
[[ $got =~ ^real([123])\  ]] || fail "no UDP answer through the VIP: '$got'"
ru=${BASH_REMATCH[1]}
log "live conns: tcp $CLIENT:$cport -> real$rt:8, udp $CLIENT:4000 -> real$ru:7"
stats0=$(traffic_stats)

declare -A CHECK
for n in 1 2 3; do
	bg "${NS_R[$n]}" ldfuzz-pkt check -4 eth0 >"$T/check$n" 2>&1
	CHECK[$n]=${BG_PIDS[-1]}
done
bg "$NS_C" ldfuzz-pkt check -4 eth0 >"$T/checkc" 2>&1
CHECK[c]=${BG_PIDS[-1]}
for n in 1 2 3 c; do
	wait_for 10 grep -q checking "$T/check$n" || fail "checker $n did not start"
done

dmac=$(mac "$NS_D" outside)
rmac=$(mac "$NS_D" br0)
senders=()
pc ldfuzz-pkt send -s "$((SEED + 3))" -n "$P" -p 80,7,8,8080 \
	-f "tcp:$CLIENT:$cport:$VIP:8" -f "udp:$CLIENT:4000:$VIP:7" \
	eth0 "$dmac" "$CLIENT" "$VIP" >"$T/send-c" 2>&1 &
senders+=("$!")
# from the reals of the live conns: replies, ICMP errors quoting them
for n in $(printf '%s\n' "$rt" "$ru" | sort -u); do
	flows=()
	[[ $n == "$rt" ]] && flows+=(-f "tcp:${REAL[$n]}:8:$CLIENT:$cport")
	[[ $n == "$ru" ]] && flows+=(-f "udp:${REAL[$n]}:7:$CLIENT:4000")
	pr "$n" ldfuzz-pkt send -s "$((SEED + 3 + n))" -n "$P" -p 80,7,8 \
		"${flows[@]}" eth0 "$rmac" "${REAL[$n]}" "$CLIENT" >"$T/send-$n" 2>&1 &
	senders+=("$!")
done
# and a normal flow all the while (stacks' packets for the checkers: on
# the debug kernel the fuzz may leave it no room, so it need not succeed)
nsx "$NS_C" timeout 60 curl -s --max-time 20 "http://$VIP/name?[1-3]" \
	>/dev/null 2>&1 || true
for pid in "${senders[@]}"; do
	wait "$pid" || fail "ldfuzz-pkt send failed: $(cat "$T"/send-*)"
done
cat "$T"/send-*
# what is still queued in the director gets through
sleep 5
rc=0
for n in 1 2 3 c; do
	kill -TERM "${CHECK[$n]}"
	wait "${CHECK[$n]}" || rc=1
	if [[ $n == c ]]; then log "arrived at the client:"; else log "arrived at real$n:"; fi
	grep -v '^ldfuzz-pkt: checking' "$T/check$n"
done
((rc == 0)) || fail "a packet with a wrong checksum came out of the director (WRONG above)"
marked=$(cat "$T"/check[123] | sed -n 's/.* \([0-9]*\) marked by the fuzzer.*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
expect_ge "fuzz packets that reached the reals" 1 "$marked"
marked=$(sed -n 's/.* \([0-9]*\) marked by the fuzzer.*/\1/p' "$T/checkc")
expect_ge "fuzz packets from the reals that reached the client" 1 "$marked"
log "counters before: $stats0"
log "counters after:  $(traffic_stats)"
same_config "after the packets" save
expect_eq "HTTP through the VIP after the packets" 6 "$(http_names 6 | grep -c '^real')"
# the reals' UDP servers fork a child for each datagram the fuzz sent
# them, which waits for a line: on the debug kernel the first answer may
# be late, so three tries from three ports (each a conn of its own)
for sport in 4001 4002 4003; do
	got=$(udp_who "$sport")
	[[ $got =~ ^real[123]\ .*\ hi$ ]] && break
	log "no UDP answer from port $sport: '$got'"
done
if ! [[ $got =~ ^real[123]\ .*\ hi$ ]]; then
	log "UDP conns: $(ld -j conns | jq -c '[.[] | select(.protocol == "udp")]')"
	log "processes on the reals: $(ps -e | wc -l)"
	fail "no UDP answer through the VIP after the packets"
fi
ok "UDP through the VIP after the packets (from port $sport)"
conn_kill c1

# ---- 3b. IPv6 packets --------------------------------------------------------
log "3b. malformed IPv6 packets through live conns (at ${SECONDS}s)"
VIP6=2001:db8:10::10
CLIENT6=2001:db8:1::2
REAL6=("" 2001:db8:2::11 2001:db8:2::12 2001:db8:2::13)
ip -n "$NS_D" addr add 2001:db8:1::1/64 dev outside nodad
ip -n "$NS_D" addr add 2001:db8:2::1/64 dev br0 nodad
sysctl_set "$NS_D" net.ipv6.conf.all.forwarding 1
ip -n "$NS_C" addr add "$CLIENT6/64" dev eth0 nodad
ip -n "$NS_C" route add 2001:db8:10::/64 via 2001:db8:1::1
for n in 1 2 3; do
	ip -n "${NS_R[$n]}" addr add "${REAL6[$n]}/64" dev eth0 nodad
	ip -n "${NS_R[$n]}" -6 route add default via 2001:db8:2::1
	# IPv6 only: a dual-stack socket would clash with the IPv4 servers'
	# shellcheck disable=SC2016 # expanded by socat's shell
	bg "${NS_R[$n]}" socat -t "$TMO" TCP6-LISTEN:8,fork,reuseaddr,ipv6only=1 \
		SYSTEM:'echo "real'"$n"' $SOCAT_PEERADDR:$SOCAT_PEERPORT"; exec cat'
	# shellcheck disable=SC2016
	bg "${NS_R[$n]}" socat -t "$TMO" UDP6-RECVFROM:7,fork,ipv6only=1 \
		SYSTEM:'read -r l; echo "real'"$n"' $SOCAT_PEERADDR:$SOCAT_PEERPORT $l"'
done
# listening6 NS PROTO PORT: a socket in /proc/net/PROTO6 listens on PORT
listening6()
{
	local st=0A

	[[ $2 == udp ]] && st=07
	nsx "$1" cat "/proc/net/${2}6" | awk -v p=":$(printf '%04X' "$3")" -v s="$st" \
		'substr($2, length($2) - 4) == p && $4 == s { f = 1 } END { exit !f }'
}
for n in 1 2 3; do
	for s in "tcp 80" "tcp 8" "udp 7"; do
		# shellcheck disable=SC2086 # PROTO PORT
		wait_for "$TMO" listening6 "${NS_R[$n]}" $s ||
			fail "nothing listens on IPv6 $s on real$n"
	done
	wait_for "$TMO" pr "$n" busybox ping -6 -c 1 -W 2 2001:db8:2::1 >/dev/null ||
		fail "real$n cannot reach the director over IPv6"
done
wait_for "$TMO" pc busybox ping -6 -c 1 -W 2 2001:db8:1::1 >/dev/null ||
	fail "the client cannot reach the director over IPv6"
lds <<EOT
real add ${REAL6[1]}
real add ${REAL6[2]}
real add ${REAL6[3]}
virtual add tcp [$VIP6]:80 sched wlc
link add tcp [$VIP6]:80 real ${REAL6[1]} port 80
link add tcp [$VIP6]:80 real ${REAL6[2]} port 80
link add tcp [$VIP6]:80 real ${REAL6[3]} port 80
virtual add udp [$VIP6]:7 sched rr
link add udp [$VIP6]:7 real ${REAL6[1]} port 7
link add udp [$VIP6]:7 real ${REAL6[2]} port 7
link add udp [$VIP6]:7 real ${REAL6[3]} port 7
virtual add tcp [$VIP6]:8 sched rr
link add tcp [$VIP6]:8 real ${REAL6[1]} port 8
link add tcp [$VIP6]:8 real ${REAL6[2]} port 8
virtual add udp [$VIP6]:9 sched maglev stateless
link add udp [$VIP6]:9 real ${REAL6[1]} port 9
link add udp [$VIP6]:9 real ${REAL6[2]} port 9
link add udp [$VIP6]:9 real ${REAL6[3]} port 9
EOT
# from here the fixed configuration has both families (part 4 restores it)
ld save >"$T/saved"
expect_eq "IPv6 virtuals in the saved configuration" 4 \
	"$(grep -c "^virtual add .*\[$VIP6\]" "$T/saved")"
expect_eq "HTTP through the IPv6 VIP" 3 "$(http_names 3 "[$VIP6]" | grep -c '^real')"

conn_open c6 8 "[$VIP6]"
rt=$(conn_real c6)
rt=${rt#real}
cport=$(pc ss -Htn | grep -oE "\[$CLIENT6\]:[0-9]+ +\[$VIP6\]:8( |$)" | head -n 1 | cut -d' ' -f1)
cport=${cport##*:}
[[ $cport =~ ^[0-9]+$ ]] || fail "no client port for the live IPv6 conn"
got=$(udp_who 4000 "[$VIP6]")
[[ $got =~ ^real([123])\  ]] || fail "no UDP answer through the IPv6 VIP: '$got'"
ru=${BASH_REMATCH[1]}
log "live conns: tcp [$CLIENT6]:$cport -> real$rt:8, udp [$CLIENT6]:4000 -> real$ru:7"
stats0=$(traffic_stats)

for n in 1 2 3; do
	bg "${NS_R[$n]}" ldfuzz-pkt check -6 eth0 >"$T/check6$n" 2>&1
	CHECK[$n]=${BG_PIDS[-1]}
done
bg "$NS_C" ldfuzz-pkt check -6 eth0 >"$T/check6c" 2>&1
CHECK[c]=${BG_PIDS[-1]}
for n in 1 2 3 c; do
	wait_for 10 grep -q checking "$T/check6$n" || fail "IPv6 checker $n did not start"
done
senders=()
pc ldfuzz-pkt send -6 -s "$((SEED + 10))" -n "$P" -p 80,7,8,9 \
	-f "tcp:[$CLIENT6]:$cport:[$VIP6]:8" -f "udp:[$CLIENT6]:4000:[$VIP6]:7" \
	-f "udp:[$CLIENT6]:4009:[$VIP6]:9" \
	eth0 "$dmac" "$CLIENT6" "$VIP6" >"$T/send6-c" 2>&1 &
senders+=("$!")
# from the reals of the live conns: replies, ICMPv6 errors quoting them
for n in $(printf '%s\n' "$rt" "$ru" | sort -u); do
	flows=()
	# and replies of the stateless virtual (no conn: any packet)
	[[ $n == "$rt" ]] && flows+=(-f "tcp:[${REAL6[$n]}]:8:[$CLIENT6]:$cport"
				     -f "udp:[${REAL6[$n]}]:9:[$CLIENT6]:4009")
	[[ $n == "$ru" ]] && flows+=(-f "udp:[${REAL6[$n]}]:7:[$CLIENT6]:4000")
	pr "$n" ldfuzz-pkt send -6 -s "$((SEED + 10 + n))" -n "$P" -p 80,7,8 \
		"${flows[@]}" eth0 "$rmac" "${REAL6[$n]}" "$CLIENT6" >"$T/send6-$n" 2>&1 &
	senders+=("$!")
done
nsx "$NS_C" timeout 60 curl -s --max-time 20 "http://[$VIP6]/name?[1-3]" \
	>/dev/null 2>&1 || true
for pid in "${senders[@]}"; do
	wait "$pid" || fail "ldfuzz-pkt send -6 failed: $(cat "$T"/send6-*)"
done
cat "$T"/send6-*
sleep 5
rc=0
for n in 1 2 3 c; do
	kill -TERM "${CHECK[$n]}"
	wait "${CHECK[$n]}" || rc=1
	if [[ $n == c ]]; then log "arrived at the client:"; else log "arrived at real$n:"; fi
	grep -v '^ldfuzz-pkt: checking' "$T/check6$n"
done
((rc == 0)) || fail "an IPv6 packet with a wrong checksum came out of the director (WRONG above)"
marked=$(cat "$T"/check6[123] | sed -n 's/.* \([0-9]*\) marked by the fuzzer.*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
expect_ge "IPv6 fuzz packets that reached the reals" 1 "$marked"
marked=$(sed -n 's/.* \([0-9]*\) marked by the fuzzer.*/\1/p' "$T/check6c")
expect_ge "IPv6 fuzz packets from the reals that reached the client" 1 "$marked"
quoted=$(cat "$T"/check6[123c] | sed -n 's/.*quoted datagrams right \([0-9]*\),.*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
stats1=$(traffic_stats)
log "counters before: $stats0"
log "counters after:  $stats1"
# delta FIELD: how far a counter moved with the IPv6 packets
delta()
{
	jq -n --argjson a "$stats0" --argjson b "$stats1" "\$b.$1 - \$a.$1"
}
# every virtual has reals in service, the stateless one too: checked at
# the end, so that a failure here does not hide the rest
noreal6=$(delta drop_no_real)
if ((P >= 300)); then
	# routing headers with segments left, truncated TCP/UDP, to the VIP
	expect_ge "IPv6 packets to the VIP dropped as invalid" 1 "$(delta drop_invalid)"
	# ICMPv6 errors about the live conns, both ways
	expect_ge "ICMPv6 errors translated" 1 "$(($(delta icmp_in) + $(delta icmp_out)))"
	expect_ge "ICMPv6 errors about live conns with a bad checksum dropped" 1 \
		"$(delta drop_icmp_csum)"
	# whole datagrams in translated errors: their checksums were checked
	expect_ge "quoted datagrams whose checksums were checked" 1 "$quoted"
fi
same_config "after the IPv6 packets" save
expect_eq "HTTP through the IPv6 VIP after the packets" 6 \
	"$(http_names 6 "[$VIP6]" | grep -c '^real')"
for sport in 4001 4002 4003; do
	got=$(udp_who "$sport" "[$VIP6]")
	[[ $got =~ ^real[123]\ .*\ hi$ ]] && break
	log "no UDP answer from port $sport: '$got'"
done
[[ $got =~ ^real[123]\ .*\ hi$ ]] || fail "no UDP answer through the IPv6 VIP after the packets"
ok "UDP through the IPv6 VIP after the packets (from port $sport)"
if conn_echoes c6 "still there" 10; then
	log "the live IPv6 conn still echoes"
else
	log "the live IPv6 conn no longer echoes (the fuzz may close it: not a failure)"
fi
conn_kill c6

# ---- 4. both at once -------------------------------------------------------
log "4. netlink chaos in the director's namespace while packets cross it (at ${SECONDS}s)"
pc ldfuzz-pkt send -s "$((SEED + 7))" -n "$P" -p 80,7,8,8080 \
	eth0 "$dmac" "$CLIENT" "$VIP" >"$T/send-4" 2>&1 &
s4=$!
pc ldfuzz-pkt send -6 -s "$((SEED + 17))" -n "$P" -p 80,7,8 \
	eth0 "$dmac" "$CLIENT6" "$VIP6" >"$T/send6-4" 2>&1 &
s6=$!
pd ldfuzz-nl -m chaos -s "$((SEED + 8))" -n "$((N / 2))" >"$T/chaos4" 2>&1 &
c4=$!
# conns may fail while chaos rewrites the configuration: only the
# kernel's survival counts here
nsx "$NS_C" timeout 60 curl -s --max-time 5 "http://$VIP/name?[1-5]" >/dev/null 2>&1 || true
nsx "$NS_C" timeout 60 curl -s --max-time 5 "http://[$VIP6]/name?[1-3]" >/dev/null 2>&1 || true
rc1=0; rc2=0; rc3=0
wait "$c4" || rc1=$?
wait "$s4" || rc2=$?
wait "$s6" || rc3=$?
grep -E '^ldfuzz-nl: (seed|[0-9]+ requests|replies by errno)' "$T/chaos4"
tail -n 1 "$T/send-4"
tail -n 1 "$T/send6-4"
((rc1 == 0 && rc2 == 0 && rc3 == 0)) || fail "the fuzzers exited $rc1 / $rc2 / $rc3"
ld flush
# the settings first: chaos may have left caps that refuse the objects
grep '^config ' "$T/saved" | ld restore
ld restore <"$T/saved"
same_config "flushed and restored after chaos" save
expect_eq "HTTP through the VIP after chaos and restore" 6 "$(http_names 6 | grep -c '^real')"
expect_eq "HTTP through the IPv6 VIP after chaos and restore" 6 \
	"$(http_names 6 "[$VIP6]" | grep -c '^real')"
expect_eq "IPv6 packets dropped for want of a real (3b)" 0 "$noreal6"
log "done in ${SECONDS}s"
