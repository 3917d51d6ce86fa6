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
#   4. both at once: netlink chaos in the director's namespace while
#      packets and HTTP conns cross it; then flush, restore the saved
#      configuration, and it must save the same and serve again.
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
	bg "${NS_R[$n]}" ldfuzz-pkt check eth0 >"$T/check$n" 2>&1
	CHECK[$n]=${BG_PIDS[-1]}
done
bg "$NS_C" ldfuzz-pkt check eth0 >"$T/checkc" 2>&1
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

# ---- 4. both at once -------------------------------------------------------
log "4. netlink chaos in the director's namespace while packets cross it (at ${SECONDS}s)"
pc ldfuzz-pkt send -s "$((SEED + 7))" -n "$P" -p 80,7,8,8080 \
	eth0 "$dmac" "$CLIENT" "$VIP" >"$T/send-4" 2>&1 &
s4=$!
pd ldfuzz-nl -m chaos -s "$((SEED + 8))" -n "$((N / 2))" >"$T/chaos4" 2>&1 &
c4=$!
# conns may fail while chaos rewrites the configuration: only the
# kernel's survival counts here
nsx "$NS_C" timeout 60 curl -s --max-time 5 "http://$VIP/name?[1-5]" >/dev/null 2>&1 || true
rc1=0; rc2=0
wait "$c4" || rc1=$?
wait "$s4" || rc2=$?
grep -E '^ldfuzz-nl: (seed|[0-9]+ requests|replies by errno)' "$T/chaos4"
tail -n 1 "$T/send-4"
((rc1 == 0 && rc2 == 0)) || fail "the fuzzers exited $rc1 / $rc2"
ld flush
# the settings first: chaos may have left caps that refuse the objects
grep '^config ' "$T/saved" | ld restore
ld restore <"$T/saved"
same_config "flushed and restored after chaos" save
expect_eq "HTTP through the VIP after chaos and restore" 6 "$(http_names 6 | grep -c '^real')"
log "done in ${SECONDS}s"
