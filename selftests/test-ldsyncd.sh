#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
#
# Conn sync between two directors with ldsyncd: A is master, B backup;
# the router sends the VIP's traffic (and the reals' replies) through A
# until the test moves both routes to B. A separate link carries sync.
#
#                         ┌ router ─────────────────────────────────────┐
#  ┌─────────────┐        │ eth0 10.0.1.1                               │
#  │ client      ├────────┤ VIP 192.0.2.10 via 10.0.11.2 (A) or .12.2 (B)
#  │ 10.0.1.2    │        │ from br0 to 10.0.1.0/24: via 10.0.2.1 (A)   │
#  └─────────────┘        │   or 10.0.2.2 (B) (table 100)               │
#                         │ br0 10.0.2.254 (the reals' gateway)         │
#                         └─┬─────────┬─────────┬──────────┬────────────┘
#                        fA │ bA   fB │ bB      │ s1 s2 s3 │
#            ┌──────────────┴─┐  ┌────┴─────────┴─┐        ├─ real1 10.0.2.11
#            │ A 10.0.11.2    │  │ B 10.0.12.2    │        ├─ real2 10.0.2.12
#            │ back 10.0.2.1  │  │ back 10.0.2.2  │        └─ real3 10.0.2.13
#            │ sync 10.0.9.1 ─┼──┼─ sync 10.0.9.2 │
#            └────────────────┘  └────────────────┘
#   ldsyncd on each, keyed, over the sync link (UDP 7411)
#
# Shown:
#   conns made through A appear in B's `ldctl conns` (the same tuple, real
#   and state)
#   20% loss on the sync link during a burst of 200 new conns: afterwards
#   both directors hold the same conns, and the daemons counted the loss
#   and the resends that repaired it
#   B's daemon restarts (a new session) with B's conns flushed: A sends the
#   full table (a bulk resync) and B holds A's conns again
#   both routes move to B in the middle of a slow (1 Mbit/s) download: it
#   completes with the right sha256; B, switched to master by
#   `ldsyncd ctl role master`, then sends its new conns to A
#   a SYN flood through B sends no sync records (B's sent counter flat)

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

NS_RT=ldir-router-$$
NS_A=ldir-dirA-$$
NS_B=ldir-dirB-$$
VIP=192.0.2.10
RT_C=10.0.1.1
RT_B=10.0.2.254
HOLD_PORT=9000
BURST=200

eval "$(declare -f cleanup | sed '1s/^cleanup/lib_cleanup/')"
cleanup()
{
	local ns pid

	for ns in "$NS_RT" "$NS_A" "$NS_B"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	lib_cleanup
}

prt() { nsx "$NS_RT" "$@"; }
# lda / ldb: ldctl on A or B; sda / sdb: ldsyncd ctl of A's or B's daemon
lda() { nsx "$NS_A" ldctl "$@"; }
ldb() { nsx "$NS_B" ldctl "$@"; }
sda() { ldsyncd ctl --ctl "$T/a.sock" "$@"; }
sdb() { ldsyncd ctl --ctl "$T/b.sock" "$@"; }

setup()
{
	local ns n

	for ns in "$NS_C" "$NS_RT" "$NS_A" "$NS_B" "${NS_R[@]:1}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	prt sh -c 'echo 0 >/proc/sys/net/ipv4/conf/all/send_redirects &&
		   echo 0 >/proc/sys/net/ipv4/conf/default/send_redirects &&
		   echo 1 >/proc/sys/net/ipv4/ip_forward'
	{
		echo "link add eth0 type veth peer name eth0 netns $NS_C"
		echo "link add br0 type bridge forward_delay 0"
		echo "link add fA type veth peer name eth0 netns $NS_A"
		echo "link add fB type veth peer name eth0 netns $NS_B"
		echo "link add bA type veth peer name back netns $NS_A"
		echo "link add bB type veth peer name back netns $NS_B"
		for n in 1 2 3; do
			echo "link add s$n type veth peer name eth0 netns ${NS_R[$n]}"
			echo "link set s$n master br0 up"
		done
		echo "link set bA master br0 up"
		echo "link set bB master br0 up"
		echo "addr add $RT_C/24 dev eth0"
		echo "addr add 10.0.11.1/24 dev fA"
		echo "addr add 10.0.12.1/24 dev fB"
		echo "addr add $RT_B/24 dev br0"
		echo "link set eth0 up"
		echo "link set fA up"
		echo "link set fB up"
		echo "link set br0 up"
		echo "route add $VIP/32 via 10.0.11.2"
		echo "route add 10.0.1.0/24 table 100 via 10.0.2.1"
	} >"$T/router.ip"
	ip -n "$NS_RT" -batch "$T/router.ip"
	ip -n "$NS_RT" rule add iif br0 lookup 100 pref 100
	ip -n "$NS_A" link add sync type veth peer name sync netns "$NS_B"
	printf '%s\n' "addr add 10.0.11.2/24 dev eth0" "addr add 10.0.2.1/24 dev back" \
		"addr add 10.0.9.1/24 dev sync" "link set eth0 up" "link set back up" \
		"link set sync up" "route add default via 10.0.11.1" >"$T/a.ip"
	printf '%s\n' "addr add 10.0.12.2/24 dev eth0" "addr add 10.0.2.2/24 dev back" \
		"addr add 10.0.9.2/24 dev sync" "link set eth0 up" "link set back up" \
		"link set sync up" "route add default via 10.0.12.1" >"$T/b.ip"
	ip -n "$NS_A" -batch "$T/a.ip"
	ip -n "$NS_B" -batch "$T/b.ip"
	sysctl_set "$NS_A" net.ipv4.ip_forward 1
	sysctl_set "$NS_B" net.ipv4.ip_forward 1
	for n in 1 2 3; do
		printf '%s\n' "addr add ${REAL[$n]}/24 dev eth0" "link set eth0 up" \
			"route add default via $RT_B" >"$T/real$n.ip"
		ip -n "${NS_R[$n]}" -batch "$T/real$n.ip"
	done
	printf '%s\n' "addr add $CLIENT/24 dev eth0" "link set eth0 up" \
		"route add default via $RT_C" >"$T/client.ip"
	ip -n "$NS_C" -batch "$T/client.ip"
}

# the same configuration on both: stateful virtuals (wlc: only sync keeps
# a flow on its real when it moves)
configure()
{
	local n

	{
		for n in 1 2 3; do
			echo "real add ${REAL[$n]}"
		done
		for p in 80 $HOLD_PORT; do
			echo "virtual add tcp $VIP:$p sched wlc"
			for n in 1 2 3; do
				echo "link add tcp $VIP:$p real ${REAL[$n]} port $p"
			done
		done
	} >"$T/ldir.conf"
	lda restore "$T/ldir.conf"
	ldb restore "$T/ldir.conf"
}

# start_daemon a|b ROLE: ldsyncd in A's or B's netns
start_daemon()
{
	local who=$1 role=$2 ns self peer

	if [[ $who == a ]]; then
		ns=$NS_A self=10.0.9.1 peer=10.0.9.2
	else
		ns=$NS_B self=10.0.9.2 peer=10.0.9.1
	fi
	bg "$ns" sh -c "exec ldsyncd -v --listen $self:7411 --peer $peer:7411 \
		--key-file $T/key --role $role --ctl $T/$who.sock --hello-ms 200 \
		--dead-ms 1000 --rto-ms 100 2>>$T/$who.log"
	eval "pid_$who=\$!"
	wait_for 10 test -S "$T/$who.sock" || fail "ldsyncd $who did not start"
}

# dstat a|b FIELD: a counter of the daemon's one peer
dstat()
{
	ldsyncd ctl --ctl "$T/$1.sock" stats |
		awk -v f="$2" '$1 == "peer" { for (i = 3; i < NF; i++) if ($i == f) print $(i + 1) }'
}

# established a|b: the director's established conns, without lifetimes
established()
{
	nsx "$([[ $1 == a ]] && echo "$NS_A" || echo "$NS_B")" ldctl conns |
		awk '$NF ~ /s$/ && $(NF - 2) == "ESTABLISHED" { $(NF - 1) = ""; $NF = ""; print }' |
		sort
}

same_conns()
{
	established a >"$T/conns.a"
	established b >"$T/conns.b"
	cmp -s "$T/conns.a" "$T/conns.b"
}

nest() { established "$1" | wc -l; }

# diverged WHAT: fails, with the difference and what the daemons and the
# kernels counted
diverged()
{
	same_conns || true
	log "A's conns not on B / B's not on A:"
	diff "$T/conns.a" "$T/conns.b" | head -n 10 || true
	log "A's daemon: $(sda stats | tr '\n' ' ')"
	log "B's daemon: $(sdb stats | tr '\n' ' ')"
	log "A: $(lda -j stats | jq -c '.stats | with_entries(select(.key | test("sync|conns")))')"
	log "B: $(ldb -j stats | jq -c '.stats | with_entries(select(.key | test("sync|conns")))')"
	log "A's log: $(tail -n 5 "$T/a.log" | tr '\n' '|')"
	log "B's log: $(tail -n 5 "$T/b.log" | tr '\n' '|')"
	fail "$1"
}

# hold N SECONDS: N conns to VIP:HOLD_PORT from the client, held open
hold()
{
	local out=$T/hold.$RANDOM

	bg "$NS_C" sh -c "exec ldhold $VIP $HOLD_PORT $1 $2 >$out"
	wait_for 20 grep -qs '^open' "$out" || fail "ldhold: no answer"
	expect_eq "ldhold $1: conns opened" "open $1 failed 0" "$(cat "$out")"
}

setup
configure
start_servers http
for n in 1 2 3; do
	bg "${NS_R[$n]}" ldhold serve "$HOLD_PORT"
	wait_listen "${NS_R[$n]}" tcp "$HOLD_PORT"
done
head -c 32 /dev/urandom | base64 >"$T/key"
start_daemon a master
start_daemon b backup
wait_for 10 test "$(dstat a alive)" = 1 || fail "A does not hear B"
wait_for 10 test "$(dstat b alive)" = 1 || fail "B does not hear A"

log "[$SECONDS s] conns made through A appear in B"
hold 5 300
expect_eq "established conns on A" 5 "$(nest a)"
wait_for 10 same_conns || diverged "B's conns differ from A's"
ok "B holds A's 5 conns (tuple, real, state)"
expect_eq "B's rejected records" 0 "$(dstat b rejected)"

log "[$SECONDS s] 20% loss on the sync link during a burst of $BURST conns"
lost0=$(dstat b lost)
resent0=$(dstat a resent)
nsx "$NS_A" tc qdisc add dev sync root netem loss 20%
nsx "$NS_B" tc qdisc add dev sync root netem loss 20%
hold "$BURST" 300
expect_eq "established conns on A" $((BURST + 5)) "$(nest a)"
wait_for 30 same_conns || diverged "after the loss, B's conns differ from A's"
ok "B holds A's $((BURST + 5)) conns"
nsx "$NS_A" tc qdisc del dev sync root
nsx "$NS_B" tc qdisc del dev sync root
log "A: $(sda stats | grep '^peer')"
log "B: $(sdb stats | grep '^peer')"
expect_ge "B detected lost datagrams" $((lost0 + 1)) "$(dstat b lost)"
expect_ge "A resent datagrams" $((resent0 + 1)) "$(dstat a resent)"
wait_for 10 test "$(dstat a lag-ms)" = 0 || fail "A's lag stays $(dstat a lag-ms) ms"
ok "A's lag back to 0"
# a burst fills the kernel's sync messages: each must read whole (a
# partial record once read as the message's SEQ: a false loss, a resync)
expect_eq "records A's daemon found lost by its kernel" 0 \
	"$(sda stats | awk '$1 == "kernel" { print $5 }')"

log "[$SECONDS s] B's daemon restarts, B's conns flushed: a bulk resync"
resyncs0=$(dstat a resynced)
# shellcheck disable=SC2154 # set by start_daemon
kill "$pid_b"
wait "$pid_b" 2>/dev/null || true
ldb flush conns
expect_eq "B's established conns after the flush" 0 "$(nest b)"
start_daemon b backup
wait_for 20 same_conns || diverged "after the resync, B's conns differ from A's"
ok "B holds A's $(nest a) conns again"
expect_eq "A's resyncs to B" $((resyncs0 + 1)) "$(dstat a resynced)"
expect_ge "A's resync records" $((BURST + 5)) "$(dstat a resync-records)"

log "[$SECONDS s] the routes move to B during a download"
# slow on the wire (1 Mbit/s to the client: about 9 s for 1 MiB), not only
# in curl, which would let the server send it all into its socket at once
prt tc qdisc add dev eth0 root tbf rate 1mbit burst 16k latency 400ms
nsx "$NS_C" curl -sS -o "$T/got" "http://$VIP/data" 2>"$T/curl.err" &
pid_curl=$!
# the download's conn is established on A and synced to B
learnt() { ldb conns | grep -q " -> $VIP:80 -> .* ESTABLISHED"; }
if ! wait_for 20 learnt; then
	log "A's conns to :80: $(lda conns | grep -F " -> $VIP:80 " | tr '\n' '|')"
	log "curl: $(cat "$T/curl.err")"
	diverged "B never learnt the download's conn"
fi
sleep 1
prt ip route replace "$VIP/32" via 10.0.12.2
prt ip route replace 10.0.1.0/24 table 100 via 10.0.2.2
sdb role master >/dev/null
sda role backup >/dev/null
ok "routes through B, B master"
wait "$pid_curl" || fail "the download failed after the move: $(cat "$T/curl.err")"
prt tc qdisc del dev eth0 root
expect_eq "sha256 of the download" "$(sha256sum <"$T/data" | cut -d' ' -f1)" \
	"$(sha256sum <"$T/got" | cut -d' ' -f1)"
log "B: $(ldb -j stats | jq -c '.stats | {conns, drop_no_conn, sync_received, sync_rejected}' 2>/dev/null || true)"

log "[$SECONDS s] B, now master, sends its new conns to A"
nb=$(nest b)
hold 10 300
expect_eq "established conns on B" $((nb + 10)) "$(nest b)"
wait_for 10 same_conns || diverged "A's conns differ from B's"
ok "A holds B's new conns"
expect_eq "role of B" master "$(sdb role)"

log "[$SECONDS s] a SYN flood through B (master now) makes no sync traffic"
quiet() { local s1; s1=$(dstat b sent); sleep 0.5; [[ $(dstat b sent) == "$s1" ]]; }
wait_for 10 quiet || fail "B's daemon keeps sending before the flood"
sent0=$(dstat b sent)
dmac=$(ip -n "$NS_RT" -j link show eth0 | jq -r '.[0].address')
nsx "$NS_C" ldflood syn eth0 "$dmac" "$VIP" 80 10.99.0.0/16 2 500 >"$T/flood.out" 2>&1 ||
	fail "ldflood: $(cat "$T/flood.out")"
log "flood: $(cat "$T/flood.out"); B: $(ldb -j stats | jq -c '.config | {conn_count, embryonic_count}')"
expect_ge "embryonic conns on B during the flood" 100 "$(ldb -j stats | jq -r '.config.embryonic_count')"
sleep 1
expect_eq "records B sent during the flood" "$sent0" "$(dstat b sent)"
exit 0
