#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-families: 6
# ldir-kernels-ipv6: 6.1 6.12
#
# Bad IPv6 input (topology: lib.sh, the director's namespace only), the
# IPv6 side of test-badinput.sh: each refused command exits 1 with the
# kernel's message and changes nothing (`ldctl save` byte for byte):
#   a VIP or real that cannot be one: link-local, multicast, loopback,
#   IPv4-mapped and -compatible addresses, and (last) the unspecified
#   address;
#   mixed families: an IPv4 real linked to an IPv6 VIP (and the reverse),
#   a backup real or a backup virtual of the other family;
#   raw requests: an IPv6 address of the wrong size.
# Then an IPv4 and an IPv6 site side by side survive save, flush and
# restore unchanged. Short: its IPv6 run is on debug too.

# ldir-nlraw's nests are words: NAME{ ... }
# shellcheck disable=SC1083
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init
setup_topology

add_reals
add_service 80 tcp wrr
ld real add 10.0.2.11
ld virtual add tcp 192.0.2.10:80 sched rr
ld link add tcp 192.0.2.10:80 real 10.0.2.11 port 80
ld save >"$T/saved"
saved=$(cat "$T/saved")
expect_match "ldctl save names the IPv6 virtual" "$(re_quote "$VIPB:80")" "$saved"
expect_match "and the IPv6 link" "$(re_quote "link add tcp $VIPB:80 real ${REALB[1]}")" "$saved"

# bad ERE -- ARGS...: `ldctl ARGS` fails with exit 1, prints nothing on
# stdout, and its whole stderr matches ^ERE$
bad()
{
	local re=$1 rc=0 err

	shift 2
	pd ldctl "$@" >"$T/out" 2>"$T/err" || rc=$?
	err=$(cat "$T/err")
	((rc == 1)) || fail "ldctl $*: exit $rc, expected 1; stderr: $err"
	[[ $err =~ ^$re$ ]] || fail "ldctl $*: stderr is not /^$re\$/: '$err'"
	[[ ! -s "$T/out" ]] || fail "ldctl $*: printed on stdout: $(cat "$T/out")"
	ok "ldctl $* -> exit 1: ${err//$'\n'/ | }"
}

# raw ERE -- ARGS...: ldir-nlraw ARGS is refused by the kernel
raw()
{
	local re=$1 rc=0 err

	shift 2
	pd ldir-nlraw "$@" >"$T/out" 2>"$T/err" || rc=$?
	err=$(cat "$T/err")
	((rc == 1)) || fail "nlraw $*: exit $rc, expected 1; stderr: $err"
	[[ $err =~ ^$re$ ]] || fail "nlraw $*: stderr is not /^$re\$/: '$err'"
	ok "nlraw $* -> ${err//$'\n'/ | }"
}

unchanged()
{
	[[ "$(ld save)" == "$saved" ]] ||
		fail "$1: the configuration changed: $(ld save | diff "$T/saved" - || true)"
	ok "$1: the configuration is unchanged"
}

K='ldctl: kernel: '
EINVAL='Invalid argument'
EAFNO='Address family not supported by protocol'

log "addresses that cannot be a VIP or a real"
UNI="address must be a unicast address"
bad "${K}a link-local address has no scope here: use a global one \(attribute virtual\.addr[^)]*\): $EINVAL" \
	-- virtual add tcp "[fe80::10]:80"
bad "${K}$UNI \(attribute virtual\.addr[^)]*\): $EINVAL" -- virtual add tcp "[ff02::1]:80"
bad "${K}$UNI \(attribute virtual\.addr[^)]*\): $EINVAL" -- virtual add tcp "[::1]:80"
bad "${K}an IPv4-mapped or -compatible address is an IPv4 address: use AF_INET \(attribute virtual\.addr[^)]*\): $EINVAL" \
	-- virtual add tcp "[::ffff:192.0.2.20]:80"
bad "${K}a link-local address has no scope here: use a global one \(attribute real\.addr[^)]*\): $EINVAL" \
	-- real add "[fe80::11]"
bad "${K}$UNI \(attribute real\.addr[^)]*\): $EINVAL" -- real add "[ff05::2]"
bad "${K}an IPv4-mapped or -compatible address is an IPv4 address: use AF_INET \(attribute real\.addr[^)]*\): $EINVAL" \
	-- real add "[::ffff:10.0.2.15]"
unchanged "bad addresses"

log "mixed families"
bad "${K}real and virtual must have the same address family \(attribute link[^)]*\): $EAFNO" \
	-- link add tcp "$VIPB:80" real 10.0.2.11 port 80
bad "${K}real and virtual must have the same address family \(attribute link[^)]*\): $EAFNO" \
	-- link add tcp 192.0.2.10:80 real "${REALB[2]}" port 80
bad "${K}backup real must have the same address family \(attribute real\.backup[^)]*\): $EINVAL" \
	-- real set "${REALB[1]}" backup 10.0.2.11
bad "${K}backup virtual must have the same address family \(attribute virtual\.backup[^)]*\): $EINVAL" \
	-- virtual set tcp "$VIPB:80" backup 192.0.2.10:80
unchanged "mixed families"

log "raw requests"
out=$(pd ldir-nlraw real-new real{ family=10 addr/hex=20010db8000200000000000000000015 })
expect_eq "nlraw: a good IPv6 request" ok "$out"
expect_eq "nlraw: its real" 1 \
	"$(ld -j real | jq '[.[] | select(.address == "2001:db8:2::15")] | length')"
ld real del "[2001:db8:2::15]"
raw "${K}binary attribute size out of range \(attribute real\.addr\): Numerical result out of range" \
	-- real-new real{ family=10 addr/hex=20010db8000200000000000000000015ff }
raw "${K}a link-local address has no scope here: use a global one \(attribute real\.addr[^)]*\): $EINVAL" \
	-- real-new real{ family=10 addr/hex=fe800000000000000000000000000015 }
unchanged "raw requests"

log "save, flush, restore: both families"
ld flush
expect_eq "virtuals after flush" 0 "$(ld -j show | jq -er '.virtuals | length')"
ld restore "$T/saved"
expect_eq "ldctl save after restore" "$saved" "$(ld save)"
expect_eq "virtuals after restore, IPv4 and IPv6" "192.0.2.10 $VIP" \
	"$(ld -j show | jq -r '[.virtuals[].address] | sort | join(" ")')"

# last: a module that took it would change the configuration
log "the unspecified address"
bad "${K}$UNI \(attribute virtual\.addr[^)]*\): $EINVAL" -- virtual add tcp "[::]:80"
bad "${K}$UNI \(attribute real\.addr[^)]*\): $EINVAL" -- real add "[::]"
