#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad ldctl input (topology: lib.sh, the director's namespace only): each
# bad command exits 1 with a message on stderr that quotes the input or
# says what is wrong, prints nothing on stdout, and leaves the
# configuration byte for byte as it was (`ldctl save`). An unprivileged
# user gets "not permitted" and changes nothing. `ldctl save` output
# restores to the same configuration.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology

add_reals
ld real add 10.0.2.14:8080 weight 7 maxconns 100
add_service 80 tcp wrr
add_service 53 udp rr "2 3"
ld virtual add "$VIP:8080" tcp sched lc
ld link add "$VIP:8080" tcp 10.0.2.14:8080
ld save >"$T/saved"
saved=$(cat "$T/saved")
expect_match "ldctl save names the virtual" "$VIP:80" "$saved"
log "ldctl save:"
sed 's/^/#   /' "$T/saved"

# bad ERE [setpriv...] -- ARGS...: `ldctl ARGS` (run by the setpriv
# command line, if any) fails with exit 1, says ERE on stderr, prints
# nothing on stdout and changes nothing.
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
	[[ $err =~ $re ]] ||
		fail "ldctl $*: stderr does not match /$re/: '$err'"
	[[ ! -s "$T/out" ]] || fail "ldctl $*: printed on stdout: $(cat "$T/out")"
	[[ "$(ld save)" == "$saved" ]] ||
		fail "ldctl $*: the configuration changed: $(ld save | diff "$T/saved" - || true)"
	ok "ldctl $* -> exit 1: ${err//$'\n'/ | }"
}

log "bad addresses, ports, protocols"
bad '192\.0\.2\.300' -- virtual add 192.0.2.300:80 tcp
bad 'foo' -- virtual add foo:80 tcp
bad '99999' -- virtual add 192.0.2.20:99999 tcp
bad 'sctp' -- virtual add 192.0.2.20:80 sctp
bad '10\.0\.2\.256' -- real add 10.0.2.256
bad '10\.0\.2\.11:x' -- real add 10.0.2.11:x
bad '192\.0\.2\.10:80:80:80|usage|[Uu]sage' -- link add 192.0.2.10:80:80:80 tcp 10.0.2.11

log "unknown scheduler"
bad 'nosuch|sched' -- virtual add 192.0.2.20:80 tcp sched nosuch
bad 'nosuch|sched' -- virtual set "$VIP:80" tcp sched nosuch
bad 'x{17}|sched|long' -- virtual add 192.0.2.20:80 tcp sched xxxxxxxxxxxxxxxxx

log "missing objects"
bad '192\.0\.2\.99|[Vv]irtual' -- link add 192.0.2.99:80 tcp 10.0.2.11:80
bad '10\.0\.2\.99|[Rr]eal' -- link add "$VIP:80" tcp 10.0.2.99:80
bad '192\.0\.2\.99|[Vv]irtual' -- virtual set 192.0.2.99:80 tcp sched rr
bad '192\.0\.2\.99|[Vv]irtual' -- virtual del 192.0.2.99:80 tcp
bad '10\.0\.2\.99|[Rr]eal' -- real set 10.0.2.99 weight 2
bad '10\.0\.2\.99|[Rr]eal' -- real del 10.0.2.99
bad '10\.0\.2\.11|[Ll]ink' -- link del "$VIP:53" udp 10.0.2.11:53
bad '10\.0\.2\.13|[Ll]ink|port' -- link del "$VIP:80" tcp 10.0.2.13:81
bad "$VIP|[Vv]irtual" -- virtual del "$VIP:80" udp

log "duplicates"
bad "$VIP|[Ee]xist" -- virtual add "$VIP:80" tcp
bad "$VIP|[Ee]xist" -- virtual add "$VIP:80" tcp sched rr
bad '10\.0\.2\.11|[Ee]xist' -- real add 10.0.2.11
bad '10\.0\.2\.14|[Ee]xist' -- real add 10.0.2.14:8080 weight 1
bad '10\.0\.2\.11|[Ee]xist|[Ll]ink' -- link add "$VIP:80" tcp 10.0.2.11:80

log "out-of-range and malformed values"
bad '65536|[Ww]eight' -- real add 10.0.2.15 weight 65536
bad '70000|[Ww]eight' -- real set 10.0.2.11 weight 70000
bad '-1|[Ww]eight' -- real add 10.0.2.15 weight -1
bad 'abc|[Ww]eight' -- real add 10.0.2.15 weight abc
bad '4294967296|maxconns' -- real add 10.0.2.15 maxconns 4294967296
bad 'maybe|state' -- real set 10.0.2.11 state maybe
bad 'maybe|state' -- virtual set "$VIP:80" tcp state maybe
bad 'conn-max|0' -- config set conn-max 0
bad 'timeout-est|0' -- config set timeout-est 0
bad 'frobnicate' -- frobnicate
bad 'frobnicate' -- virtual frobnicate
bad 'bogus' -- real add 10.0.2.15 bogus 1
bad '[Uu]sage|missing|argument' -- virtual add
bad '[Uu]sage|missing|argument|weight' -- real add 10.0.2.15 weight

log "an unprivileged user"
connmax=$(gconfig conn-max)
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
bad '[Nn]ot permitted' "${nobody[@]}" -- virtual add 192.0.2.20:80 tcp
bad '[Nn]ot permitted' "${nobody[@]}" -- real add 10.0.2.15
bad '[Nn]ot permitted' "${nobody[@]}" -- real set 10.0.2.11 weight 5
bad '[Nn]ot permitted' "${nobody[@]}" -- link del "$VIP:80" tcp 10.0.2.11:80
bad '[Nn]ot permitted' "${nobody[@]}" -- virtual del "$VIP:80" tcp
bad '[Nn]ot permitted' "${nobody[@]}" -- config set conn-max 10
bad '[Nn]ot permitted' "${nobody[@]}" -- flush
expect_eq "config conn-max unchanged" "$connmax" "$(gconfig conn-max)"

log "restore reads back what save wrote"
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
	echo "virtual add 192.0.2.30:80 tcp"
	echo "real add 10.0.2.31 weight 99999"
} >"$T/badfile"
rc=0
ld restore "$T/badfile" 2>"$T/err" || rc=$?
expect_eq "ldctl restore of a bad file: exit status" 1 "$rc"
expect_match "ldctl restore of a bad file: message" "99999|[Ww]eight|line 2|:2" "$(cat "$T/err")"
expect_eq "virtuals after the bad restore" 0 "$(ld -j show | jq -er '.virtuals | length')"
