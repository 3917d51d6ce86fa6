#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad ldctl input (topology: lib.sh, the director's namespace only): each
# bad command exits 1 with a message on stderr that quotes the input or
# says what is wrong, prints nothing on stdout, and leaves the
# configuration byte for byte as it was (`ldctl save`). An unprivileged
# user gets "not permitted" and changes nothing. `ldctl save` output
# restores to the same configuration.

# ldir-nlraw's nests are words: NAME{ ... }
# shellcheck disable=SC1083
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology

add_reals
ld real add 10.0.2.14:8080 weight 7 maxconns 100
add_service 80 tcp wrr
add_service 53 udp rr "2 3"
ld virtual add tcp "$VIP:8080" sched lc
ld link add tcp "$VIP:8080" real 10.0.2.14:8080
ld save >"$T/saved"
saved=$(cat "$T/saved")
expect_match "ldctl save names the virtual" "$VIP:80" "$saved"
expect_match "ldctl save has the settings" "config set conn-max [0-9]+ timeout-syn" "$saved"
log "ldctl save:"
sed 's/^/#   /' "$T/saved"

# unchanged WHAT: the configuration, settings included (the "config set"
# line of ldctl save), is as it was.
unchanged()
{
	[[ "$(ld save)" == "$saved" ]] ||
		fail "$1: the configuration changed: $(ld save | diff "$T/saved" - || true)"
}

# Every refused command is in CASES until the next section, which first
# checks that none of them changed anything: one `ldctl save` per section
# rather than per command (each process is dear on the debug kernel).
CASES=()
section()
{
	if ((${#CASES[@]})); then
		unchanged "one of: $(printf '%s; ' "${CASES[@]}")"
		ok "the configuration is unchanged after ${#CASES[@]} refused commands"
		CASES=()
	fi
	[[ -z "$*" ]] || log "$@"
}

# bad ERE [setpriv...] -- ARGS...: `ldctl ARGS` (run by the setpriv
# command line, if any) fails with exit 1, prints nothing on stdout,
# changes nothing (checked once per section), and its stderr, all of it,
# matches ^ERE$: the error text itself, not merely the input it quotes.
bad()
{
	local re=$1 pre=() rc=0 err

	shift
	while [[ $1 != -- ]]; do
		pre+=("$1")
		shift
	done
	shift
	pd "${pre[@]}" ldctl "$@" >"$T/out" 2>"$T/err" || rc=$?
	err=$(cat "$T/err")
	if (( rc != 1 )); then
		printf 'FAIL: ldctl %s: exit %s, expected 1; stderr: %s\n' "$*" "$rc" "$err" >&2
		exit 1
	fi
	[[ $err =~ ^$re$ ]] ||
		fail "ldctl $*: stderr is not /^$re\$/: '$err'"
	[[ ! -s "$T/out" ]] || fail "ldctl $*: printed on stdout: $(cat "$T/out")"
	CASES+=("ldctl $*")
	ok "ldctl $* -> exit 1: ${err//$'\n'/ | }"
}

# ldctl's own checks: the input quoted, nothing sent
E='ldctl: '
# the kernel's: "ldctl: kernel: EXTACK (attribute WHERE): STRERROR"
K='ldctl: kernel: '
ENOENT='No such file or directory'
EEXIST='File exists'

section "bad addresses, ports, protocols"
bad "${E}invalid address \"192\.0\.2\.300\"" -- virtual add tcp 192.0.2.300:80
bad "${E}invalid address \"foo:80\"" -- virtual add tcp foo:80
bad "${E}invalid port \"99999\" in \"192\.0\.2\.20:99999\" \(expected 0\.\.65535\)" -- virtual add tcp 192.0.2.20:99999
bad "${E}invalid protocol \"sctp\" \(expected tcp or udp\)" -- virtual add sctp 192.0.2.20:80
bad "${E}invalid address \"10\.0\.2\.256\"" -- real add 10.0.2.256
bad "${E}invalid port \"x\" in \"10\.0\.2\.11:x\" \(expected 0\.\.65535\)" -- real add 10.0.2.11:x
bad "${E}invalid bind ID \"80:80\" \(expected 0\.\.4294967295\)" -- link add tcp 192.0.2.10:80 bind 80:80 real 10.0.2.11
bad "${E}link add: unexpected bind ID in \"192\.0\.2\.10:80:1\" \(write VIP:PORT bind 1\).*" -- link add tcp 192.0.2.10:80:1 real 10.0.2.11
bad "${E}link add: protocol missing: tcp\|udp before VIP:PORT.*" -- link add 192.0.2.10:53 real 10.0.2.11

section "unknown scheduler"
SCHEDS='unknown scheduler \(rr, wrr, lc, wlc, pr, hash3, hash5, maglev\)'
bad "${K}$SCHEDS \(attribute virtual\.sched \"nosuch\"\): $ENOENT" -- virtual add tcp 192.0.2.20:80 sched nosuch
bad "${K}$SCHEDS \(attribute virtual\.sched \"nosuch\"\): $ENOENT" -- virtual set tcp "$VIP:80" sched nosuch
bad "${E}invalid scheduler name \"x{17}\" \(1\.\.15 characters\)" -- virtual add tcp 192.0.2.20:80 sched xxxxxxxxxxxxxxxxx

section "missing objects"
bad "${K}virtual not found \(attribute link\.virtual tcp 192\.0\.2\.99:80\): $ENOENT" -- link add tcp 192.0.2.99:80 real 10.0.2.11:80
bad "${K}real not found \(attribute link\.real 10\.0\.2\.99:80\): $ENOENT" -- link add tcp "$VIP:80" real 10.0.2.99:80
bad "${K}virtual not found \(attribute virtual tcp 192\.0\.2\.99:80\): $ENOENT" -- virtual set tcp 192.0.2.99:80 sched rr
bad "${K}virtual not found \(attribute virtual tcp 192\.0\.2\.99:80\): $ENOENT" -- virtual del tcp 192.0.2.99:80
bad "${K}real not found \(attribute real 10\.0\.2\.99:0\): $ENOENT" -- real set 10.0.2.99 weight 2
bad "${K}real not found \(attribute real 10\.0\.2\.99:0\): $ENOENT" -- real del 10.0.2.99
bad "${K}link not found \(attribute link udp $VIP:53 real 10\.0\.2\.11:0 port 53\): $ENOENT" -- link del udp "$VIP:53" real 10.0.2.11 port 53
bad "${K}link not found \(attribute link tcp $VIP:80 real 10\.0\.2\.13:0 port 81\): $ENOENT" -- link del tcp "$VIP:80" real 10.0.2.13 port 81
bad "${K}virtual not found \(attribute virtual udp $VIP:80\): $ENOENT" -- virtual del udp "$VIP:80"

section "duplicates"
bad "${K}virtual already exists \(attribute virtual tcp $VIP:80\): $EEXIST" -- virtual add tcp "$VIP:80"
bad "${K}virtual already exists \(attribute virtual tcp $VIP:80\): $EEXIST" -- virtual add tcp "$VIP:80" sched rr
bad "${K}real already exists \(attribute real 10\.0\.2\.11:0\): $EEXIST" -- real add 10.0.2.11
bad "${K}real already exists \(attribute real 10\.0\.2\.14:8080\): $EEXIST" -- real add 10.0.2.14:8080 weight 1
bad "${K}link already exists \(attribute link tcp $VIP:80 real 10\.0\.2\.11:0 port 80\): $EEXIST" -- link add tcp "$VIP:80" real 10.0.2.11 port 80

section "out-of-range and malformed values"
bad "${E}invalid weight \"65536\" \(expected 0\.\.65535\)" -- real add 10.0.2.15 weight 65536
bad "${E}invalid weight \"70000\" \(expected 0\.\.65535\)" -- real set 10.0.2.11 weight 70000
bad "${E}invalid weight \"-1\" \(expected 0\.\.65535\)" -- real add 10.0.2.15 weight -1
bad "${E}invalid weight \"abc\" \(expected 0\.\.65535\)" -- real add 10.0.2.15 weight abc
bad "${E}invalid maxconns \"4294967296\" \(expected 0\.\.4294967295\)" -- real add 10.0.2.15 maxconns 4294967296
bad "${E}invalid state \"maybe\" \(expected in or out\)" -- real set 10.0.2.11 state maybe
bad "${E}invalid state \"maybe\" \(expected in or out\)" -- virtual set tcp "$VIP:80" state maybe
bad "${E}invalid conn-max \"0\" \(expected 1\.\.4294967295\)" -- config set conn-max 0
bad "${E}invalid timeout-est \"0\" \(expected 1\.\.604800\)" -- config set timeout-est 0
bad "${E}unknown command \"frobnicate\".*" -- frobnicate
bad "${E}unknown command \"frobnicate\".*" -- virtual frobnicate
bad "${E}unknown argument \"bogus\".*" -- real add 10.0.2.15 bogus 1
bad "${E}virtual add: protocol missing: tcp\|udp before VIP:PORT.*" -- virtual add
bad "${E}missing value after \"weight\".*" -- real add 10.0.2.15 weight

# raw ERE -- ARGS...: ldir-nlraw ARGS (one request as written, past
# ldctl's checks) is refused by the kernel: exit 1, stderr ^ERE$ (the
# kernel's extack message and errno), nothing changed.
raw()
{
	local re=$1 rc=0 err

	shift 2
	pd ldir-nlraw "$@" >"$T/out" 2>"$T/err" || rc=$?
	err=$(cat "$T/err")
	(( rc == 1 )) || fail "nlraw $*: exit $rc, expected 1; stderr: $err"
	[[ $err =~ ^$re$ ]] || fail "nlraw $*: stderr is not /^$re\$/: '$err'"
	[[ ! -s "$T/out" ]] || fail "nlraw $*: printed on stdout: $(cat "$T/out")"
	CASES+=("nlraw $*")
	ok "nlraw $* -> ${err//$'\n'/ | }"
}

ERANGE='Numerical result out of range'
EINVAL='Invalid argument'
RANGE="${K}integer out of range"
V=(family=2 addr="$VIP" port=80 protocol=6)
R11=(family=2 addr=10.0.2.11)

section "raw requests: the kernel's own checks"
# the control: nlraw's encoding is right, a good request is taken
out=$(pd ldir-nlraw real-new real{ family=2 addr=10.0.2.15 weight=65535 })
expect_eq "nlraw: a good request" ok "$out"
expect_eq "nlraw: its real" 65535 "$(ld -j real | jq -r '.[] | select(.address == "10.0.2.15") | .weight')"
ld real del 10.0.2.15
unchanged "the control request, undone"

raw "$RANGE \(attribute real\.weight 65536\): $ERANGE" -- real-new real{ family=2 addr=10.0.2.15 weight=65536 }
raw "$RANGE \(attribute real\.weight 4294967295\): $ERANGE" -- real-set real{ "${R11[@]}" weight=4294967295 }
# 3 is LDIR_STATE_FAILED: the kernel's to set, never the user's
raw "$RANGE \(attribute real\.state 3\): $ERANGE" -- real-set real{ "${R11[@]}" state=3 }
raw "$RANGE \(attribute real\.state 0\): $ERANGE" -- real-set real{ "${R11[@]}" state=0 }
raw "$RANGE \(attribute real\.syn-threshold 0\): $ERANGE" -- real-set real{ "${R11[@]}" syn-threshold=0 }
raw "$RANGE \(attribute virtual\.state 3\): $ERANGE" -- virtual-set virtual{ "${V[@]}" state=3 }
raw "$RANGE \(attribute virtual\.state 9\): $ERANGE" -- virtual-set virtual{ "${V[@]}" state=9 }
raw "$RANGE \(attribute virtual\.startup-pct 0\): $ERANGE" -- virtual-set virtual{ "${V[@]}" startup-pct=0 }
raw "$RANGE \(attribute virtual\.startup-pct 101\): $ERANGE" -- virtual-set virtual{ "${V[@]}" startup-pct=101 }
raw "$RANGE \(attribute virtual\.startup-window 0\): $ERANGE" -- virtual-set virtual{ "${V[@]}" startup-window=0 }
raw "${K}reserved bit set \(attribute virtual\.flags 2\): $EINVAL" -- virtual-new virtual{ family=2 addr=192.0.2.20 port=80 protocol=6 flags=2 }
raw "$RANGE \(attribute config\.conn-max 0\): $ERANGE" -- config-set config{ conn-max=0 }
raw "$RANGE \(attribute config\.timeout-est 0\): $ERANGE" -- config-set config{ timeout-est=0 }
raw "$RANGE \(attribute config\.timeout-est 604801\): $ERANGE" -- config-set config{ timeout-est=604801 }
raw "$RANGE \(attribute config\.syn-resends 256\): $ERANGE" -- config-set config{ syn-resends=256 }
raw "$RANGE \(attribute config\.pr-clamp 101\): $ERANGE" -- config-set config{ pr-clamp=101 }

section "raw requests: bad families, addresses, protocols"
raw "${K}address family must be AF_INET or AF_INET6 \(attribute real\.family 99\): Address family not supported by protocol" -- real-new real{ family=99 addr=10.0.2.15 }
raw "${K}IPv4 address must occupy the first 4 bytes, the rest zero \(attribute real\.addr.*\): $EINVAL" -- real-new real{ family=2 addr/hex=0a00020f000000000000000000000001 }
raw "${K}address must be a unicast address \(attribute virtual\.addr 224\.0\.0\.1\): $EINVAL" -- virtual-new virtual{ family=2 addr=224.0.0.1 port=80 protocol=6 }
raw "${K}binary attribute size out of range \(attribute real\.addr\): $ERANGE" -- real-new real{ family=2 addr/hex=0a00020f }
raw "${K}protocol must be TCP or UDP \(attribute virtual\.protocol 132\): Protocol not supported" -- virtual-new virtual{ family=2 addr=192.0.2.20 port=80 protocol=132 }

section "raw requests: read-only, unknown and misplaced attributes"
raw "${K}Attribute failed policy validation \(attribute real\.conns 5\): $EINVAL" -- real-set real{ "${R11[@]}" conns=5 }
raw "${K}Attribute failed policy validation \(attribute virtual\.nlinks 1\): $EINVAL" -- virtual-set virtual{ "${V[@]}" nlinks=1 }
raw "${K}Unknown attribute type \(attribute real\.99\): $EINVAL" -- real-set real{ "${R11[@]}" 99/u32=1 }
raw "${K}Unknown attribute type \(attribute 99\): $EINVAL" -- real-new 99/u32=1 real{ family=2 addr=10.0.2.15 }
raw "${K}Operation not supported" -- event
raw "${K}Operation not supported" -- 99
# every command is validated strictly, the first ones too: no
# NLM_F_CREATE/EXCL (0x600) and no reserved header byte
raw "${K}ambiguous or reserved bits set in nlmsg_flags: $EINVAL" -- -f 0x600 virtual-new virtual{ family=2 addr=192.0.2.20 port=80 protocol=6 }
raw "${K}genlmsghdr\.reserved field is not 0: $EINVAL" -- -r 1 real-new real{ family=2 addr=10.0.2.15 }

section "raw requests: a key is only a key"
# A virtual or real named inside another object (a link, a bind, a
# backup, an FPA flush) is a key: any setting there is refused, never
# ignored or applied (VIP:80 stays wrr, real1's weight stays).
L_R=(family=2 addr=10.0.2.14 port=8080)
raw "${K}Unsupported attribute \(attribute link\.virtual\.sched.*\): $EINVAL" -- link-new link{ virtual{ "${V[@]}" sched=rr } real{ "${L_R[@]}" } port=8080 }
raw "${K}Unsupported attribute \(attribute link\.real\.weight.*\): $EINVAL" -- link-new link{ virtual{ "${V[@]}" } real{ "${L_R[@]}" weight=7 } port=8080 }
raw "${K}Unsupported attribute \(attribute bind\.virtual\.state.*\): $EINVAL" -- bind-new bind{ virtual{ "${V[@]}" state=2 } family=2 addr=10.0.1.0 prefix-len=24 }
raw "${K}Unsupported attribute \(attribute virtual\.backup\.sched.*\): $EINVAL" -- virtual-set virtual{ "${V[@]}" backup{ family=2 addr="$VIP" port=81 protocol=6 sched=rr } }
raw "${K}Unsupported attribute \(attribute real\.backup\.weight.*\): $EINVAL" -- real-set real{ "${R11[@]}" backup{ family=2 addr=10.0.2.12 weight=9 } }
raw "${K}Unsupported attribute \(attribute virtual\.sched.*\): $EINVAL" -- fpa-flush virtual{ "${V[@]}" sched=rr }
expect_eq "VIP:80's sched after the key-only refusals" wrr "$(virtual_field 80 tcp .sched)"
unchanged "settings inside keys"

section "an unprivileged user"
connmax=$(gconfig conn-max)
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- virtual add tcp 192.0.2.20:80
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- real add 10.0.2.15
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- real set 10.0.2.11 weight 5
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- link del tcp "$VIP:80" real 10.0.2.11 port 80
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- virtual del tcp "$VIP:80"
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- config set conn-max 10
bad "${E}operation not permitted \(CAP_NET_ADMIN needed\)" "${nobody[@]}" -- flush
expect_eq "config conn-max unchanged" "$connmax" "$(gconfig conn-max)"

section "restore reads back what save wrote"
ld flush
expect_eq "virtuals after flush" 0 "$(ld -j show | jq -er '.virtuals | length')"
expect_eq "reals after flush" 0 "$(ld -j real | jq -er 'length')"
ld restore "$T/saved"
expect_eq "ldctl save after restore" "$saved" "$(ld save)"
ld flush
ld restore <"$T/saved"
expect_eq "ldctl save after restore from stdin" "$saved" "$(ld save)"

log "a restore file with a bad line changes nothing"
ld flush
{
	echo "virtual add tcp 192.0.2.30:80"
	echo "real add 10.0.2.31 weight 99999"
} >"$T/badfile"
rc=0
ld restore "$T/badfile" 2>"$T/err" || rc=$?
expect_eq "ldctl restore of a bad file: exit status" 1 "$rc"
expect_match "ldctl restore of a bad file: message" \
	"^${E}$T/badfile:2: invalid weight \"99999\" \\(expected 0\\.\\.65535\\)\$" "$(cat "$T/err")"
expect_eq "virtuals after the bad restore" 0 "$(ld -j show | jq -er '.virtuals | length')"
