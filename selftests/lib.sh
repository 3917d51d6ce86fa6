#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - the network the ldir selftests run on, and their helpers.
# Sourced by selftests/test-*.sh and selftests/demo.sh; runs as root in the
# QEMU guest with ldir.ko loaded (LDIR_KO names it, for tests that reload).
#
#                      ┌───────────────────────────────────────┐
#  ┌──────────────┐    │ director (ldir, ip_forward=1)         │   ┌──────────────────┐
#  │ client       │    │                                       │   │ real1 10.0.2.11  │
#  │ eth0         ├────┤ outside 10.0.1.1/24      br0 ─┬─ r1 ──┼───┤ eth0, default    │
#  │ 10.0.1.2/24  │veth│                  10.0.2.1/24  ├─ r2 ──┼─┐ │ via 10.0.2.1     │
#  │ 192.0.2.0/24 │    │ VIP 192.0.2.10 (not local:       └─ r3 ──┼┐│ └──────────────────┘
#  │ via 10.0.1.1 │    │  ldir DNATs it in PRE_ROUTING)        │ │└─ real2 10.0.2.12
#  └──────────────┘    │ other 10.0.3.1/24                     │ └── real3 10.0.2.13
#                      └──────────┬────────────────────────────┘
#                                 │veth
#                      ┌──────────┴───────────┐
#                      │ other 10.0.3.2/24    │  non-VIP traffic through
#                      │ default via 10.0.3.1 │  the director
#                      └──────────────────────┘
#
# Services on real N (start_servers picks which):
#   tcp 80    busybox httpd -vv: /name says "realN", /data is $T/data (1 MiB
#             random, the same on every real); log in $T/httpdN.log
#   tcp 7     echo
#   tcp 8     "who": sends "realN PEERADDR:PEERPORT", then echoes
#   udp 7     "who" per datagram: replies "realN PEERADDR:PEERPORT LINE"
#   tcp 5201  iperf3 -s
#
# Exit codes (kselftest): 0 pass, 1 fail, 4 skip. Any unexpected command
# failure is a failure (exit 1), never a skip.

set -eE

# LDIR_FAMILY (4 or 6, from the runner: "# ldir-families: 4 6" in a test's
# header runs it once in each) picks the addresses. IPv6 mirrors IPv4 in
# the documentation prefix 2001:db8::/32, one /64 per IPv4 /24:
#   client  10.0.1.2    2001:db8:1::2     director outside  .1 / ::1
#   VIP     192.0.2.10  2001:db8::10      (client's route to 192.0.2.0/24
#                                          or 2001:db8::/64 via the director)
#   realN   10.0.2.1N   2001:db8:2::1N    director br0      .1 / ::1
#   other   10.0.3.2    2001:db8:3::2     director other    .1 / ::1
# XB is X as it goes before ":PORT" or in a URL ("[2001:db8::10]:80",
# "http://[2001:db8::10]/"); NF is nft's family and address keyword (ip,
# ip6); PLEN the subnets' prefix length; SOCK the socat suffix of a
# listener (TCP$SOCK-LISTEN, UDP$SOCK-RECVFROM: 6 listens on IPv6).
LDIR_FAMILY=${LDIR_FAMILY:-4}
# shellcheck disable=SC2034 # for the tests that source lib.sh
case $LDIR_FAMILY in
4)
	VIP=192.0.2.10
	CLIENT=10.0.1.2
	OTHER=10.0.3.2
	REAL=("" 10.0.2.11 10.0.2.12 10.0.2.13)
	# the director's address on outside, br0, other
	D_OUT=10.0.1.1 D_IN=10.0.2.1 D_OTHER=10.0.3.1
	VIP_NET=192.0.2.0/24 CLIENT_NET=10.0.1.0/24 REAL_NET=10.0.2.0/24
	OTHER_NET=10.0.3.0/24
	PLEN=24 NF=ip SOCK=
	# more VIPs: ${VIP_PFX}11 is 192.0.2.11 or 2001:db8::11
	VIP_PFX=192.0.2.
	;;
6)
	VIP=2001:db8::10
	CLIENT=2001:db8:1::2
	OTHER=2001:db8:3::2
	REAL=("" 2001:db8:2::11 2001:db8:2::12 2001:db8:2::13)
	D_OUT=2001:db8:1::1 D_IN=2001:db8:2::1 D_OTHER=2001:db8:3::1
	VIP_NET=2001:db8::/64 CLIENT_NET=2001:db8:1::/64
	REAL_NET=2001:db8:2::/64 OTHER_NET=2001:db8:3::/64
	PLEN=64 NF=ip6 SOCK=6
	VIP_PFX=2001:db8::
	;;
*)
	echo "FAIL: LDIR_FAMILY=$LDIR_FAMILY (4 or 6)" >&2
	exit 1
	;;
esac

# brk ADDR: ADDR as it goes before ":PORT" (IPv6 in brackets); what is
# already an endpoint (192.0.2.10:81, [2001:db8::10]:81) stays as it is
brk()
{
	if [[ $1 == *:*:* && $1 != \[* ]]; then
		echo "[$1]"
	else
		echo "$1"
	fi
}

VIPB=$(brk "$VIP")
# shellcheck disable=SC2034 # for the tests
CLIENTB=$(brk "$CLIENT")
# shellcheck disable=SC2034
OTHERB=$(brk "$OTHER")
REALB=("" "$(brk "${REAL[1]}")" "$(brk "${REAL[2]}")" "$(brk "${REAL[3]}")")

# peer ADDR PORT: the peer as the services' socat prints it
# ($SOCAT_PEERADDR:$SOCAT_PEERPORT): IPv6 in full, in brackets
# ("[2001:0db8:0001:0000:0000:0000:0000:0002]:40001").
peer()
{
	local a=$1 head tail g out=() n i

	if [[ $a != *:* ]]; then
		echo "$a:$2"
		return
	fi
	if [[ $a == *::* ]]; then
		head=${a%%::*} tail=${a#*::}
	else
		head=$a tail=
	fi
	local -a h t
	IFS=: read -ra h <<<"$head"
	IFS=: read -ra t <<<"$tail"
	n=$((8 - ${#h[@]} - ${#t[@]}))
	for g in "${h[@]}"; do out+=("$(printf '%04x' "0x$g")"); done
	for ((i = 0; i < n; i++)); do out+=(0000); done
	for g in "${t[@]}"; do out+=("$(printf '%04x' "0x$g")"); done
	local IFS=:
	echo "[${out[*]}]:$2"
}

# re_quote STR: STR as an ERE that matches it literally
re_quote()
{
	# shellcheck disable=SC2001 # one sed for every character class
	sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"
}

# peer_re ADDR [PORTRE]: an ERE for ADDR:PORT as the services print it
# (peer), the port matching PORTRE (default: any)
peer_re()
{
	local p

	p=$(peer "$1" X)
	echo "$(re_quote "${p%X}")${2:-[0-9]+}"
}

# addr_hex ADDR: ADDR as one hex number, for nft's raw payload matches
# (0x0a000102, 0x20010db8000100000000000000000002)
addr_hex()
{
	local IFS=. p

	if [[ $1 == *:* ]]; then
		p=$(peer "$1" 0)
		p=${p#[}
		p=${p%]:0}
		echo "0x${p//:/}"
		return
	fi
	# shellcheck disable=SC2086 # split on the dots
	printf '0x%02x%02x%02x%02x\n' $1
}

# httpd_from ADDR: an ERE for the start of busybox httpd's log lines about
# a request from ADDR ("[::ffff:10.0.1.2]:PORT:" or "[2001:db8:1::2]:PORT:")
httpd_from()
{
	if [[ $1 == *:* ]]; then
		echo "^\\[$1\\]:[0-9]+:"
	else
		echo "^\\[?(::ffff:)?${1//./\\.}\\]?:[0-9]+:"
	fi
}

NS_C=ldir-client-$$
NS_D=ldir-director-$$
NS_O=ldir-other-$$
NS_R=("" "ldir-real1-$$" "ldir-real2-$$" "ldir-real3-$$")
# namespaces a test adds to the topology; cleanup deletes them too
EXTRA_NS=()

# Seconds a client command may take before the test calls it hung. The
# debug kernel (TCG + KASAN) is slow, but not this slow.
TMO=${LDIR_TMO:-30}

# nsx NS CMD...: CMD in network namespace NS. (nsenter rather than `ip netns
# exec`, which also makes a mount namespace and remounts /sys for every
# command: that is what made the tests slow on the debug kernel.)
nsx() { nsenter --net="/run/netns/$1" "${@:2}"; }
pc() { nsx "$NS_C" "$@"; }
pd() { nsx "$NS_D" "$@"; }
po() { nsx "$NS_O" "$@"; }
pr() { nsx "${NS_R[$1]}" "${@:2}"; }
# ld ARGS...: ldctl in the director's namespace.
ld() { nsx "$NS_D" ldctl "$@"; }

T=
BG_PIDS=()
LDIR_SKIPPING=
LDIR_ERR_SHOWN=
LDIR_TEST=$(basename "$0" .sh)
if [[ $LDIR_FAMILY == 6 ]]; then
	LDIR_TEST+=" (ipv6)"
fi
declare -A CONN_FD CONN_PID

log() { printf '# %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }

fail()
{
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

skip()
{
	printf 'SKIP: %s\n' "$*"
	LDIR_SKIPPING=1
	exit 4
}

# expect_eq WHAT EXPECTED GOT
expect_eq()
{
	if [[ "$2" != "$3" ]]; then
		printf 'FAIL: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	ok "$1 = $2"
}

# expect_match WHAT ERE GOT
expect_match()
{
	if ! [[ "$3" =~ $2 ]]; then
		printf 'FAIL: %s\n  expected to match: %s\n  got: %s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	ok "$1 ~ /$2/"
}

# expect_ge WHAT MIN GOT (integers)
expect_ge()
{
	if ! [[ "$3" =~ ^[0-9]+$ ]] || (( $3 < $2 )); then
		printf 'FAIL: %s\n  expected: >= %s\n  got:      %s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	ok "$1 = $3 (>= $2)"
}

# on_err RC CMD: the ERR trap; says once which command failed, and where.
on_err()
{
	local i

	(( BASH_SUBSHELL == 0 )) && [[ -z "$LDIR_ERR_SHOWN" ]] || return 0
	LDIR_ERR_SHOWN=1
	printf 'FAIL: "%s" exited %s\n' "$2" "$1" >&2
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		printf '  at %s:%s %s\n' "${BASH_SOURCE[i]##*/}" \
			"${BASH_LINENO[i - 1]}" "${FUNCNAME[i]}" >&2
	done
}

cleanup()
{
	local pid ns

	set +eE
	trap - ERR
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	# Whatever else is left in our namespaces was started by this test.
	for ns in "$NS_C" "$NS_O" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}" "$NS_D" \
		"${EXTRA_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	for ns in "$NS_C" "$NS_O" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}" "$NS_D" \
		"${EXTRA_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[[ -n "$T" ]] && rm -rf "$T"
}

on_exit()
{
	local rc=$?

	cleanup
	if (( rc == 4 )) && [[ -z "$LDIR_SKIPPING" ]]; then
		rc=1
	fi
	if (( rc == 0 )); then
		printf 'PASS: %s\n' "$LDIR_TEST"
	elif (( rc != 4 )); then
		printf 'FAIL: %s (exit %s)\n' "$LDIR_TEST" "$rc" >&2
		rc=1
	fi
	exit "$rc"
}

# bg NS CMD...: run CMD in namespace NS in the background; cleanup kills
# it. (Not through pc & co: a function run with & is a subshell, and
# killing that would leave CMD running.)
bg()
{
	local ns=$1

	shift
	(
		close_conn_fds
		exec nsenter --net="/run/netns/$ns" "$@"
	) &
	BG_PIDS+=("$!")
}

# close_conn_fds: in a child, close our ends of the conns' FIFOs, so that
# a long-lived child does not keep another conn's input open.
close_conn_fds()
{
	local fd

	for fd in "${CONN_FD[@]}"; do
		exec {fd}>&-
	done
}

sysctl_set() # NS KEY VALUE
{
	nsx "$1" bash -c "echo $3 > /proc/sys/${2//.//}"
}

modules_load()
{
	local m

	# Built in on the debug kernel; modules on Debian's stock kernels.
	for m in veth bridge nf_conntrack nf_tables nft_ct nft_counter \
		 nf_defrag_ipv4; do
		modprobe "$m" 2>/dev/null || true
	done
}

# director_batch OUT OTHER IN [ADDR-FLAGS [BRIDGE-OPTS]]: the director's
# links as `ip -batch` lines: outside (to the client's eth0, address OUT),
# other (to NS_O's eth0, OTHER) and br0 (IN) over r1..r3 (to the reals'
# eth0), each address with ADDR-FLAGS ("nodad")
director_batch()
{
	local n

	echo "link set lo up"
	echo "link add outside type veth peer name eth0 netns $NS_C"
	echo "link add other type veth peer name eth0 netns $NS_O"
	echo "link add br0 type bridge forward_delay 0${5:+ $5}"
	echo "addr add $1 dev outside${4:+ $4}"
	echo "addr add $2 dev other${4:+ $4}"
	echo "addr add $3 dev br0${4:+ $4}"
	for n in 1 2 3; do
		echo "link add r$n type veth peer name eth0 netns ${NS_R[$n]}"
		echo "link set r$n master br0 up"
	done
	echo "link set outside up"
	echo "link set other up"
	echo "link set br0 up"
}

# host_batch NS ADDR ROUTE [ADDR-FLAGS]: a host of the topology (a real,
# the client, NS_O): ADDR on its eth0, the route ROUTE ("default via X")
host_batch()
{
	ip -n "$1" -batch - <<-EOF
	link set lo up
	addr add $2 dev eth0${4:+ $4}
	link set eth0 up
	route add $3
	EOF
}

# lib_init: checks, traps, a scratch directory. Every test calls it first.
lib_init()
{
	(( EUID == 0 )) || { echo "SKIP: needs root"; exit 4; }
	trap on_exit EXIT
	trap 'on_err $? "$BASH_COMMAND"' ERR
	command -v ldctl >/dev/null || fail "ldctl not in PATH"
	[[ -d /sys/module/ldir ]] || fail "ldir is not loaded (the harness insmods \$LDIR_KO)"
	modules_load
	T=$(mktemp -d /tmp/ldir-test.XXXXXX)
	log "$LDIR_TEST on kernel $(uname -r) (${LDIR_KERNEL:-?})"
}

setup_topology()
{
	if [[ $LDIR_FAMILY == 6 ]]; then
		setup_topology6
		return
	fi
	setup_topology4
}

setup_topology4()
{
	local n ns

	for ns in "$NS_C" "$NS_D" "$NS_O" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}"; do
		ip netns add "$ns"
	done
	# one `ip -batch` per namespace (a process costs ~150 ms on debug)
	director_batch 10.0.1.1/24 10.0.3.1/24 10.0.2.1/24 | ip -n "$NS_D" -batch -
	sysctl_set "$NS_D" net.ipv4.ip_forward 1
	for n in 1 2 3; do
		host_batch "${NS_R[$n]}" "${REAL[$n]}/24" "default via 10.0.2.1"
	done
	host_batch "$NS_C" "$CLIENT/24" "192.0.2.0/24 via 10.0.1.1"
	host_batch "$NS_O" "$OTHER/24" "default via 10.0.3.1"

	# Resolve every neighbour now, so that the first conn of a test is
	# not the one that waits for ARP.
	for n in 1 2 3; do
		pr "$n" busybox ping -c 1 -W 5 10.0.2.1 >/dev/null
	done
	pc busybox ping -c 1 -W 5 10.0.1.1 >/dev/null
	po busybox ping -c 1 -W 5 10.0.3.1 >/dev/null
}

# setup_topology6: the same network over IPv6. Addresses are "nodad" (no
# duplicate address detection: usable at once), the bridge does not snoop
# multicast (neighbour discovery is never filtered by what MLD it saw),
# the director forwards IPv6. One `ip -batch` per namespace.
setup_topology6()
{
	local n ns

	for ns in "$NS_C" "$NS_D" "$NS_O" "${NS_R[1]}" "${NS_R[2]}" "${NS_R[3]}"; do
		ip netns add "$ns"
	done
	director_batch "$D_OUT/64" "$D_OTHER/64" "$D_IN/64" nodad "mcast_snooping 0" |
		ip -n "$NS_D" -batch -
	sysctl_set "$NS_D" net.ipv6.conf.all.forwarding 1
	for n in 1 2 3; do
		host_batch "${NS_R[$n]}" "${REAL[$n]}/64" "default via $D_IN" nodad
	done
	host_batch "$NS_C" "$CLIENT/64" "$VIP_NET via $D_OUT" nodad
	host_batch "$NS_O" "$OTHER/64" "default via $D_OTHER" nodad

	# Resolve every neighbour now (both ways: the echo request teaches
	# the director the sender's address too).
	for n in 1 2 3; do
		pr "$n" busybox ping -6 -c 1 -W 5 "$D_IN" >/dev/null
	done
	pc busybox ping -6 -c 1 -W 5 "$D_OUT" >/dev/null
	po busybox ping -6 -c 1 -W 5 "$D_OTHER" >/dev/null
}

# wait_listen NS tcp|udp PORT: wait until a socket listens on PORT in NS.
wait_listen()
{
	local ns=$1 proto=$2 hex i
	local files="/proc/net/$proto /proc/net/${proto}6"
	local st=0A

	hex=$(printf '%04X' "$3")
	[[ $proto == udp ]] && st=07
	for ((i = 0; i < TMO * 10; i++)); do
		# shellcheck disable=SC2086 # two files
		if nsx "$ns" cat $files 2>/dev/null |
			awk -v p=":$hex" -v s="$st" \
				'substr($2, length($2) - 4) == p && $4 == s { f = 1 } END { exit !f }'; then
			return 0
		fi
		sleep 0.1
	done
	fail "nothing listens on $proto port $3 in $ns"
}

# start_servers SERVICE...: http echo who udp iperf (see the top).
start_servers()
{
	local s n

	if [[ ! -f "$T/data" ]]; then
		dd if=/dev/urandom of="$T/data" bs=64k count=16 2>/dev/null
	fi
	for s in "$@"; do
		for n in 1 2 3; do
			case $s in
			http)
				mkdir -p "$T/www$n"
				echo "real$n" >"$T/www$n/name"
				cp "$T/data" "$T/www$n/data"
				bg "${NS_R[$n]}" busybox httpd -f -vv -p 80 -h "$T/www$n" \
					2>"$T/httpd$n.log"
				;;
			echo)
				bg "${NS_R[$n]}" socat -t "$TMO" \
					"TCP$SOCK-LISTEN:7,fork,reuseaddr" EXEC:cat
				;;
			who)
				# shellcheck disable=SC2016 # expanded by socat's shell
				# (a ':' outside quotes would end socat's argument)
				# -t: after the client's FIN, socat gives its
				# child 0.5 s to answer; a slow guest needs more
				bg "${NS_R[$n]}" socat -t "$TMO" "TCP$SOCK-LISTEN:8,fork,reuseaddr" \
					SYSTEM:'echo "real'"$n"' $SOCAT_PEERADDR:$SOCAT_PEERPORT"; exec cat'
				;;
			udp)
				# shellcheck disable=SC2016
				# -t: as above, for the one datagram a child gets
				bg "${NS_R[$n]}" socat -t "$TMO" "UDP$SOCK-RECVFROM:7,fork" \
					SYSTEM:'read -r l; echo "real'"$n"' $SOCAT_PEERADDR:$SOCAT_PEERPORT $l"'
				;;
			iperf)
				bg "${NS_R[$n]}" iperf3 -s -p 5201 \
					>/dev/null 2>&1
				;;
			*)
				fail "start_servers: unknown service $s"
				;;
			esac
		done
	done
	for s in "$@"; do
		for n in 1 2 3; do
			case $s in
			http) wait_listen "${NS_R[$n]}" tcp 80 ;;
			echo) wait_listen "${NS_R[$n]}" tcp 7 ;;
			who) wait_listen "${NS_R[$n]}" tcp 8 ;;
			udp) wait_listen "${NS_R[$n]}" udp 7 ;;
			iperf) wait_listen "${NS_R[$n]}" tcp 5201 ;;
			esac
		done
	done
}

# ---------------------------------------------------------------- ldir ----

# add_reals [W1 W2 W3]: the three reals (port 0: every port), in order.
# shellcheck disable=SC2120 # the weights are optional
add_reals()
{
	local n w

	for n in 1 2 3; do
		w=${*:n:1}
		ld real add "${REALB[$n]}" ${w:+weight "$w"}
	done
}

# add_service PORT PROTO SCHED [REALS]: a virtual VIP:PORT linked to the
# reals numbered in REALS (default "1 2 3"), in that order, on PORT.
add_service()
{
	local port=$1 proto=$2 sched=$3 n

	ld virtual add "$proto" "$VIPB:$port" sched "$sched"
	for n in ${4:-1 2 3}; do
		ld link add "$proto" "$VIPB:$port" real "${REALB[$n]}" port "$port"
	done
}

# gstat FIELD: a global counter from `ldctl -j stats`.
gstat()
{
	local j

	j=$(ld -j stats)
	jq -er --arg f "${1//-/_}" '.stats[$f]' <<<"$j"
}

# gconfig FIELD: a setting from `ldctl -j stats`.
gconfig()
{
	local j

	j=$(ld -j stats)
	jq -er --arg f "${1//-/_}" '.config[$f]' <<<"$j"
}

# link_field PORT PROTO REALNUM JQPATH: e.g. link_field 80 tcp 1 .stats.conns
link_field()
{
	local j

	j=$(ld -j show)
	jq -er --arg vip "$VIP" --argjson port "$1" --arg proto "$2" \
		--arg real "${REAL[$3]}" "
		.virtuals[] | select(.address == \$vip and .port == \$port and
				     .protocol == \$proto)
		| .links[] | select(.real == \$real) | $4" <<<"$j"
}

# link_fields PORT PROTO JQPATH: the field for reals 1 2 3, space separated
link_fields()
{
	local j

	j=$(ld -j show)
	jq -er --arg vip "$VIP" --argjson port "$1" --arg proto "$2" \
		--arg r1 "${REAL[1]}" --arg r2 "${REAL[2]}" --arg r3 "${REAL[3]}" "
		[.virtuals[] | select(.address == \$vip and .port == \$port and
				      .protocol == \$proto) | .links[]] as \$l
		| [\$r1, \$r2, \$r3]
		| map(. as \$r | \$l[] | select(.real == \$r) | $3 | tostring)
		| join(\" \")" <<<"$j"
}

# nconns [JQFILTER]: how many conns `ldctl -j conns` lists (that match).
# shellcheck disable=SC2120 # the filter is optional
nconns()
{
	local j

	j=$(ld -j conns)
	jq -er "[.[] | select(${1:-true})] | length" <<<"$j"
}

# --------------------------------------------------------------- clients ----

# http_names N [URLHOST] [NS]: N sequential HTTP requests for /name, each on
# a new connection (busybox httpd closes after one response); prints the
# name of the real that answered each, one a line. Every request must be
# answered: one that fails fails the test. (curl's status is the last
# transfer's unless --fail-early; and the answers are counted.)
http_names()
{
	local n=$1 host ns=${3:-$NS_C} out rc=0 got

	host=$(brk "${2:-$VIP}")
	out=$(nsx "$ns" timeout "$((TMO + n))" curl -sS --fail --fail-early \
		--max-time "$((TMO + n))" "http://$host/name?[1-$n]") || rc=$?
	got=$(grep -cx 'real[0-9]' <<<"$out" || true)
	((rc == 0 && got == n)) ||
		fail "http_names: $got of $n requests to $host answered (curl exit $rc): $(words "$out")"
	echo "$out"
}

# tally LINES: "c1 c2 c3": how many lines say real1, real2, real3.
tally()
{
	local n c out=()

	for n in 1 2 3; do
		c=$(grep -cx "real$n" <<<"$1" || true)
		out+=("$c")
	done
	echo "${out[*]}"
}

# who_once [PORT] [HOST] [NS]: one short conn to the "who" service; prints
# the first line the server sends ("realN ADDR:PORT").
who_once()
{
	local port=${1:-8} host ns=${3:-$NS_C} out

	host=$(brk "${2:-$VIP}")
	out=$(echo hello | nsx "$ns" timeout "$TMO" \
		socat -t "$TMO" - "TCP:$host:$port")
	[[ $(sed -n 2p <<<"$out") == hello ]] ||
		fail "who_once $host:$port: no echo, got '$out'"
	head -n 1 <<<"$out"
}

# who_names N [PORT]: N sequential who_once, the real names one a line.
# Every conn must work: the failed ones are counted, and any fails the test
# (the caller's $(who_names ...) returns 1).
who_names()
{
	local i out nfail=0 real=()

	: >"$T/who.err"
	for ((i = 0; i < $1; i++)); do
		if out=$(who_once "${2:-8}" 2>>"$T/who.err"); then
			real+=("${out%% *}")
		else
			nfail=$((nfail + 1))
		fi
	done
	((nfail == 0)) ||
		fail "who_names: $nfail of $1 conns failed: $(grep -m 3 . "$T/who.err" | tr '\n' ' ')"
	printf '%s\n' "${real[@]}"
}

# conn_open ID [PORT] [HOST]: a long-lived TCP connection from the client
# to HOST:PORT (default the VIP's "who" service). conn_send writes a line
# to it; what comes back accumulates in $T/ID.out.
conn_open()
{
	local id=$1 port=${2:-8} host fd i

	host=$(brk "${3:-$VIP}")

	mkfifo "$T/$id.in"
	: >"$T/$id.out"
	(
		close_conn_fds
		exec nsenter --net="/run/netns/$NS_C" socat -t "$TMO" \
			"OPEN:$T/$id.in,rdonly!!OPEN:$T/$id.out,wronly,append" \
			"TCP:$host:$port"
	) &
	CONN_PID[$id]=$!
	BG_PIDS+=("$!")
	# read-write: opening a FIFO that way does not block, whatever socat does
	exec {fd}<>"$T/$id.in"
	CONN_FD[$id]=$fd
	for ((i = 0; i < TMO * 10; i++)); do
		[[ -s "$T/$id.out" ]] && return 0
		kill -0 "${CONN_PID[$id]}" 2>/dev/null ||
			fail "conn $id to $host:$port: socat exited"
		sleep 0.1
	done
	fail "conn $id to $host:$port: no greeting from the server"
}

# conn_real ID: the name of the real that greeted conn ID.
conn_real()
{
	head -n 1 "$T/$1.out" | cut -d' ' -f1
}

conn_send()
{
	echo "$2" >&"${CONN_FD[$1]}"
}

# conn_echoes ID LINE [SECONDS]: send LINE on conn ID; succeed if it comes
# back within SECONDS (default TMO).
conn_echoes()
{
	local i

	conn_send "$1" "$2"
	for ((i = 0; i < ${3:-$TMO} * 10; i++)); do
		grep -qx -- "$2" "$T/$1.out" && return 0
		sleep 0.1
	done
	return 1
}

# conn_close ID: close our end and wait for socat to see the server close
# its end too (both FINs have crossed the director).
conn_close()
{
	local id=$1 fd=${CONN_FD[$1]} i

	exec {fd}>&-
	for ((i = 0; i < TMO * 10; i++)); do
		kill -0 "${CONN_PID[$id]}" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "${CONN_PID[$id]}" 2>/dev/null && fail "conn $id did not close"
	wait "${CONN_PID[$id]}" 2>/dev/null || true
}

# conn_kill ID: end the client process of conn ID without a clean close.
conn_kill()
{
	local fd=${CONN_FD[$1]}

	exec {fd}>&-
	kill "${CONN_PID[$1]}" 2>/dev/null || true
	wait "${CONN_PID[$1]}" 2>/dev/null || true
}

# words LINES: the lines joined by single spaces.
words()
{
	local IFS=' ' a

	mapfile -t a <<<"$1"
	echo "${a[*]}"
}

# nft_packets NS FAMILY TABLE NAME: the packets counted by the rule of
# TABLE with comment "NAME". (Anonymous counters: named ones need
# nft_objref, which the stock kernels' guests need not have.)
nft_packets()
{
	local out

	out=$(nsx "$1" nft list table "$2" "$3")
	out=$(grep -F "comment \"$4\"" <<<"$out") ||
		fail "nft_packets: no rule with comment \"$4\" in $2 $3"
	sed -n 's/.*counter packets \([0-9]*\).*/\1/p' <<<"$out"
}

# udp_who SOURCEPORT [HOST] [NS]: one datagram to the "who" UDP service from
# SOURCEPORT; prints the reply ("realN ADDR:PORT hi"), or nothing. (The
# child shell ends socat as soon as the reply is in: -t 0.)
udp_who()
{
	local host ns=${3:-$NS_C}

	host=$(brk "${2:-$VIP}")
	# shellcheck disable=SC2016 # $l is the child shell's
	nsx "$ns" timeout "$TMO" socat -t 0 \
		"UDP:$host:7,sourceport=$1" \
		SYSTEM:'echo hi; read -r l; echo "$l" >&3' 3>&1 2>>"$T/udp.err" || true
}

# traffic_stats: the global counters as one JSON line, less conns-expired
# (the GC worker moves that one on its own).
traffic_stats()
{
	local j

	j=$(ld -j stats)
	jq -ec '.stats | del(.["conns_expired"])' <<<"$j"
}

# virtual_field PORT PROTO JQPATH: a field of virtual VIP:PORT in `ldctl -j show`.
virtual_field()
{
	local j

	j=$(ld -j show)
	jq -er --arg vip "$VIP" --argjson port "$1" --arg proto "$2" "
		.virtuals[] | select(.address == \$vip and .port == \$port and
				     .protocol == \$proto) | $3" <<<"$j"
}

# ------------------------------------------- scheduling and failures ----

# real_field REALNUM JQPATH: a field of real N in `ldctl -j real` (-r, not
# -e: false and null are values here).
real_field()
{
	local j

	j=$(ld -j real)
	jq -r --arg a "${REAL[$1]}" ".[] | select(.address == \$a) | $2" <<<"$j"
}

# jreal JSON REALNUM JQPATH: as real_field, on a saved `ldctl -j real`
# (one dump for several fields: every ldctl call costs a process spawn)
jreal()
{
	jq -r --arg a "${REAL[$2]}" ".[] | select(.address == \$a) | $3" <<<"$1"
}

# real_fields JQPATH: the field for reals 1 2 3, space separated
real_fields()
{
	local j

	j=$(ld -j real)
	jq -r --arg r1 "${REAL[1]}" --arg r2 "${REAL[2]}" --arg r3 "${REAL[3]}" "
		. as \$all | [\$r1, \$r2, \$r3]
		| map(. as \$r | \$all[] | select(.address == \$r) | $1 | tostring)
		| join(\" \")" <<<"$j"
}

# blackhole N: real N silently drops every TCP segment it receives, so the
# SYNs sent to it go unanswered (no RST, no ICMP). unblackhole N undoes it.
blackhole()
{
	nsx "${NS_R[$1]}" nft -f - <<'NFT'
table inet ldir_blackhole {
	chain in {
		type filter hook input priority -200; policy accept;
		meta l4proto tcp counter drop comment "blackhole"
	}
}
NFT
}

unblackhole()
{
	nsx "${NS_R[$1]}" nft delete table inet ldir_blackhole
}

# par_names CLIENTS N [:PORT]: CLIENTS concurrent curl processes on the
# client, each making N sequential HTTP requests (a new conn each) for
# /name; prints the names of the answering reals, one a line.
par_names()
{
	local c=$1 n=$2 i pids=() rc=0

	for ((i = 0; i < c; i++)); do
		nsx "$NS_C" timeout "$((TMO + n))" curl -sS --fail --fail-early \
			--max-time "$TMO" "http://$VIPB${3:-}/name?[1-$n]" \
			>"$T/par.$i" 2>>"$T/par.err" &
		pids+=("$!")
	done
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	((rc == 0)) || fail "par_names: a client failed: $(head -c 300 "$T/par.err")"
	i=$(cat "$T"/par.[0-9]* | grep -cx 'real[0-9]' || true)
	((i == c * n)) || fail "par_names: $i of $((c * n)) requests answered"
	cat "$T"/par.[0-9]*
	rm -f "$T"/par.[0-9]*
}

# lds: ldctl commands, one a line, on stdin, through one `ldctl restore`
# (every line is checked before the first is sent); one process for all.
lds() { ld restore; }

# wait_for SECONDS CMD...: run CMD every 0.2 s until it succeeds; fails
# (returns 1) after SECONDS.
wait_for()
{
	local i

	for ((i = 0; i < $1 * 5; i++)); do
		"${@:2}" && return 0
		sleep 0.2
	done
	return 1
}
