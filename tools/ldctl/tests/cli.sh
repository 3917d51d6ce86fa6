#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ldctl's command line without the kernel: help and usage, bad input
# rejected with the input quoted before any request is sent, and (when the
# ldir module is not loaded) every command failing with the same message.
#
# usage: tests/cli.sh [path/to/ldctl]

set -u
LDCTL=${1:-./ldctl}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect RC STDOUT-PATTERN STDERR-PATTERN -- ARGS...  (patterns: grep -E, "" = must be empty)
expect() {
	local rc=$1 out=$2 err=$3
	shift 4
	"$LDCTL" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	local ok=1
	[[ $got -eq $rc ]] || ok=0
	if [[ -z $out ]]; then [[ ! -s $tmp/out ]] || ok=0
	else grep -qE -- "$out" "$tmp/out" || ok=0; fi
	if [[ -z $err ]]; then [[ ! -s $tmp/err ]] || ok=0
	else head -n1 "$tmp/err" | grep -qE -- "$err" || ok=0; fi
	if ((ok)); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: ldctl $* (rc $got, want $rc)"
		sed 's/^/  out: /' "$tmp/out" | head -3
		sed 's/^/  err: /' "$tmp/err" | head -3
	fi
}

# help: stdout, exit 0
expect 0 '^Usage: ldctl' '' -- help
expect 0 '^Usage: ldctl' '' -- -h
expect 0 '^Usage: ldctl' '' -- --help
expect 0 'ldctl virtual add' '' -- virtual help
expect 0 'ldctl config set' '' -- config help
expect 0 'ldctl conns' '' -- conns help

# bad usage: stderr, exit 1
expect 1 '' '^ldctl: missing command$' --
expect 1 '' '^ldctl: unknown command "vip"$' -- vip
expect 1 '' '^ldctl: unknown command "virt"$' -- virt
expect 1 '' '^ldctl: unknown option "-x"$' -- -x show
expect 1 '' '^ldctl: unknown command "ad"$' -- virtual ad 192.0.2.10:80 tcp
expect 1 '' '^ldctl: unexpected argument "x"$' -- show x
expect 1 '' '^ldctl: unexpected argument "x"$' -- flush conns x
expect 1 '' '^ldctl: unexpected argument "all"$' -- flush all
expect 1 '' '^ldctl: unexpected argument "x"$' -- stats x
expect 1 '' '^ldctl: unexpected argument "b"$' -- restore a b

# bad input: the input quoted, nothing sent (the module check comes later)
expect 1 '' '^ldctl: invalid address "10.0.2.300"$' -- virtual add tcp 10.0.2.300:80
expect 1 '' '^ldctl: invalid address "10.0.2.300"$' -- real add 10.0.2.300
expect 1 '' '^ldctl: invalid address "2001:db8::zz"$' -- real add '[2001:db8::zz]:80'
expect 1 '' '^ldctl: missing port in "192.0.2.10"' -- virtual add tcp 192.0.2.10
expect 1 '' '^ldctl: invalid port "65536" in "192.0.2.10:65536"' -- virtual add tcp 192.0.2.10:65536
expect 1 '' '^ldctl: invalid protocol "sctp" \(expected tcp or udp\)$' -- virtual add sctp 192.0.2.10:80
expect 1 '' '^ldctl: invalid state "up"' -- virtual set tcp 192.0.2.10:80 state up
expect 1 '' '^ldctl: invalid scheduler name "abcdefghijklmnopq"' -- virtual add tcp 192.0.2.10:80 sched abcdefghijklmnopq
expect 1 '' '^ldctl: invalid bind ID "x"' -- virtual add tcp 192.0.2.10:80 bind x
# the protocol is never implied, the key is the same in every command
expect 1 '' '^ldctl: link add: protocol missing: tcp\|udp before VIP:PORT$' -- link add 192.0.2.10:53 10.0.0.1
expect 1 '' '^ldctl: virtual add: protocol missing: tcp\|udp before VIP:PORT$' -- virtual add 192.0.2.10:80 tcp
expect 1 '' '^ldctl: assign: protocol missing: tcp\|udp before VIP:PORT$' -- assign 192.0.2.10:80:1 198.51.100.0/24
expect 1 '' '^ldctl: unassign: protocol missing: tcp\|udp before VIP:PORT$' -- unassign 192.0.2.10:80:1 198.51.100.0/24
expect 1 '' '^ldctl: fpa flush: protocol missing: tcp\|udp before VIP:PORT$' -- fpa flush 192.0.2.10:80
expect 1 '' '^ldctl: virtual del: protocol missing: tcp\|udp before VIP:PORT$' -- virtual del
expect 1 '' '^ldctl: link add: unexpected bind ID in "192.0.2.10:80:1" \(write VIP:PORT bind 1\)$' -- link add tcp 192.0.2.10:80:1 real 10.0.2.11
expect 1 '' '^ldctl: virtual add: "bind ID" goes right after VIP:PORT$' -- virtual add tcp 192.0.2.10:80 sched rr bind 1
expect 1 '' '^ldctl: unknown argument "10.0.2.11:8080" \(write "real ADDR\[:PORT\]"\)$' -- link add tcp 192.0.2.10:80 10.0.2.11:8080
expect 1 '' '^ldctl: invalid port "x" \(expected 0..65535\)$' -- link add tcp 192.0.2.10:80 real 10.0.2.11 port x
expect 1 '' '^ldctl: virtual set: nothing to change' -- virtual set tcp 192.0.2.10:80
expect 1 '' '^ldctl: invalid weight "70000" \(expected 0..65535\)$' -- real add 10.0.2.11 weight 70000
expect 1 '' '^ldctl: invalid weight "-1"' -- real set 10.0.2.11 weight -1
expect 1 '' '^ldctl: invalid maxconns "4294967296"' -- real add 10.0.2.11 maxconns 4294967296
expect 1 '' '^ldctl: missing value after "weight"$' -- real add 10.0.2.11 weight
expect 1 '' '^ldctl: unknown argument "weigth"$' -- real add 10.0.2.11 weigth 1
expect 1 '' '^ldctl: unknown argument "now"$' -- real del 10.0.2.11 now
expect 1 '' '^ldctl: invalid protocol "sctp"' -- link add sctp 192.0.2.10:80 real 10.0.2.11
expect 1 '' '^ldctl: link add: missing "real ADDR\[:PORT\]"$' -- link add tcp 192.0.2.10:80
expect 1 '' '^ldctl: invalid address "10.0.2.1111"$' -- link del tcp 192.0.2.10:80 real 10.0.2.1111 flush
expect 1 '' '^ldctl: unexpected argument "flush" \(only link del takes it\)$' -- link add tcp 192.0.2.10:80 real 10.0.2.11 flush
expect 1 '' '^ldctl: invalid bind ID "80:80"' -- link add tcp 192.0.2.10:80 bind 80:80 real 10.0.2.11
expect 1 '' '^ldctl: invalid timeout-est "0" \(expected 1..604800\)$' -- config set timeout-est 0
expect 1 '' '^ldctl: invalid timeout-udp "604801"' -- config set timeout-udp 604801
expect 1 '' '^ldctl: invalid conn-max "x"' -- config set conn-max x
expect 1 '' '^ldctl: unknown argument "conn-count"$' -- config set conn-count 1
expect 1 '' '^ldctl: cannot open "/nonexistent": No such file or directory$' -- restore /nonexistent
expect 0 'ldctl assign tcp\|udp VIP:PORT bind ID' '' -- assign help
expect 0 'ldctl fpa flush' '' -- fpa help
expect 0 'ldctl fastpath del DEV' '' -- fastpath help
expect 1 '' '^ldctl: missing DEV after "add"$' -- fastpath add
expect 1 '' '^ldctl: unexpected argument "b"$' -- fastpath del a b
expect 1 '' '^ldctl: invalid device name "0123456789abcdef"$' -- fastpath add 0123456789abcdef
expect 1 '' '^ldctl: invalid fpa interval "x" \(expected 0..604800\)$' -- virtual add tcp 192.0.2.10:80 fpa x
expect 1 '' '^ldctl: invalid fpa-mask "33" \(expected 0..32\)$' -- virtual set tcp 192.0.2.10:80 fpa-mask 33
expect 1 '' '^ldctl: overflow needs "bind ID"' -- virtual add tcp 192.0.2.10:80 overflow
expect 1 '' '^ldctl: assign: missing "bind ID" after "192.0.2.10:80"$' -- assign tcp 192.0.2.10:80 198.51.100.0/24
expect 1 '' '^ldctl: bind ID 0 is the general instance' -- unassign tcp 192.0.2.10:80 bind 0 198.51.100.0/24
expect 1 '' '^ldctl: invalid prefix "198.51.100.1/24": address bits set past /24$' -- assign tcp 192.0.2.10:80 bind 1 198.51.100.1/24
expect 1 '' '^ldctl: invalid prefix length "40" in "10.0.1.0/40" \(expected 0..32\)$' -- assign tcp 192.0.2.10:80 bind 1 10.0.1.0/40
expect 1 '' '^ldctl: assign: protocol missing: tcp\|udp before VIP:PORT$' -- assign
expect 1 '' '^ldctl: unexpected argument "x"$' -- binds x
expect 1 '' '^ldctl: unknown command "clear"$' -- fpa clear
expect 1 '' '^ldctl: unexpected argument "x"$' -- fpa flush tcp 192.0.2.10:80 x

# IPv6: brackets when a port follows; an unbracketed address whose last
# group could be a port is refused in every command that takes a port
amb='\(IPv6 with a port takes brackets: write'
expect 1 '' "^ldctl: ambiguous address \"2001:db8::1:80\" $amb \[2001:db8::1\]:80, or \[2001:db8::1:80\]:PORT\)$" -- virtual add tcp 2001:db8::1:80
expect 1 '' "^ldctl: ambiguous address \"2001:db8::1:80\" $amb \[2001:db8::1\]:80, or \[2001:db8::1:80\] for the address alone\)$" -- real add 2001:db8::1:80
expect 1 '' "^ldctl: ambiguous address \"2001:db8::2:8080\" $amb" -- link add tcp '[2001:db8::1]:80' real 2001:db8::2:8080
expect 1 '' "^ldctl: ambiguous address \"2001:db8::1:80\" $amb" -- assign tcp 2001:db8::1:80 bind 1 2001:db8:100::/48
expect 1 '' "^ldctl: ambiguous address \"2001:db8::1:80\" $amb" -- fpa flush udp 2001:db8::1:80
expect 1 '' "^ldctl: invalid backup virtual \"2001:db8::2:80\" \(expected VIP:PORT or none\): ambiguous address" -- virtual set tcp '[2001:db8::1]:80' backup 2001:db8::2:80
expect 1 '' "^ldctl: invalid backup real \"2001:db8::3:80\" \(expected ADDR\[:PORT\] or none\): ambiguous address" -- real set 2001:db8::2 backup 2001:db8::3:80
expect 1 '' "^ldctl: invalid address \"2001:db8:::80\" $amb \[2001:db8::\]:80\)$" -- real add 2001:db8:::80
expect 1 '' '^ldctl: missing port in "2001:db8::1" \(write \[2001:db8::1\]:PORT\)$' -- virtual add tcp 2001:db8::1
expect 1 '' '^ldctl: missing port in "\[2001:db8::1\]" \(write \[2001:db8::1\]:PORT\)$' -- virtual add tcp '[2001:db8::1]'
expect 1 '' '^ldctl: invalid address "\[2001:db8::1\]80"$' -- real add '[2001:db8::1]80'
expect 1 '' '^ldctl: invalid address "\[2001:db8::1"$' -- real add '[2001:db8::1'
expect 1 '' '^ldctl: invalid port "65536" in "\[2001:db8::1\]:65536" \(expected 0..65535\)$' -- virtual add tcp '[2001:db8::1]:65536'
expect 1 '' '^ldctl: invalid fpa-mask "129" \(expected 0..128\)$' -- virtual add tcp '[2001:db8::1]:80' fpa-mask 129
expect 1 '' '^ldctl: invalid prefix "2001:db8:100::1/48": address bits set past /48$' -- assign tcp '[2001:db8::1]:80' bind 1 2001:db8:100::1/48
expect 1 '' '^ldctl: client "198.51.100.0/24" and virtual "\[2001:db8::1\]:80" are of different address families$' -- assign tcp '[2001:db8::1]:80' bind 1 198.51.100.0/24
expect 1 '' '^ldctl: a real cannot be its own backup$' -- real set '[2001:db8::2]:0' backup 2001:db8::2
cat >"$tmp/v6" <<'CONF'
real add 2001:db8::11 weight 2
virtual add tcp [2001:db8::10]:443 sched wlc fpa 60 fpa-mask 64
link add tcp [2001:db8::10]:443 real 2001:db8::11:8443
CONF
expect 1 '' "^ldctl: $tmp/v6:3: ambiguous address \"2001:db8::11:8443\" $amb \[2001:db8::11\]:8443, or \[2001:db8::11:8443\] for the address alone\)$" -- restore "$tmp/v6"

# thresholds, startup, backups, the new config keys, monitor
expect 0 'syn-threshold N' '' -- real help
expect 0 'startup rr\|none' '' -- virtual help
expect 0 'pr-age-div' '' -- config help
expect 0 'ldctl \[-j\] monitor' '' -- monitor help
expect 1 '' '^ldctl: invalid syn-threshold "0" \(expected 1..65535\)$' -- real add 10.0.2.11 syn-threshold 0
expect 1 '' '^ldctl: invalid fail-threshold "x" \(expected 0..65535\)$' -- real set 10.0.2.11 fail-threshold x
expect 1 '' '^ldctl: invalid idle-timeout "604801" \(expected 0..604800\)$' -- real set 10.0.2.11 idle-timeout 604801
expect 1 '' '^ldctl: invalid backup real "10.0.2.300" \(expected ADDR\[:PORT\] or none\): invalid address "10.0.2.300"$' -- real set 10.0.2.11 backup 10.0.2.300
expect 1 '' '^ldctl: missing value after "backup"$' -- real set 10.0.2.11 backup
expect 1 '' '^ldctl: a real cannot be its own backup$' -- real set 10.0.2.11 backup 10.0.2.11
expect 1 '' '^ldctl: real set: nothing to change' -- real set 10.0.2.11:80
expect 1 '' '^ldctl: invalid startup scheme "wlc" \(expected rr or none\)$' -- virtual set tcp 192.0.2.10:80 startup wlc
expect 1 '' '^ldctl: invalid startup-pct "0" \(expected 1..100\)$' -- virtual add tcp 192.0.2.10:80 startup-pct 0
expect 1 '' '^ldctl: invalid startup-window "257" \(expected 1..256\)$' -- virtual add tcp 192.0.2.10:80 startup-window 257
expect 1 '' '^ldctl: invalid backup virtual "192.0.2.11" \(expected VIP:PORT or none\): missing port' -- virtual set tcp 192.0.2.10:80 backup 192.0.2.11
expect 1 '' '^ldctl: a virtual cannot be its own backup$' -- virtual set tcp 192.0.2.10:80 backup 192.0.2.10:80
expect 1 '' '^ldctl: invalid syn-resends "0" \(expected 1..255\)$' -- config set syn-resends 0
expect 1 '' '^ldctl: invalid retry-interval "0" \(expected 1..604800\)$' -- config set retry-interval 0
expect 1 '' '^ldctl: invalid pr-age-div "0" \(expected 1..1000000\)$' -- config set pr-age-div 0
expect 1 '' '^ldctl: invalid pr-clamp "101" \(expected 1..100\)$' -- config set pr-clamp 101
expect 1 '' '^ldctl: unexpected argument "x"$' -- monitor x
printf 'monitor\n' >"$tmp/mon"
expect 1 '' "^ldctl: $tmp/mon:1: \"monitor\" cannot be used in a restore file$" -- restore "$tmp/mon"

# --version: the one version (debian/changelog), and the module's
expect 0 '^ldctl [0-9]+\.[0-9]+\.[0-9]+' '' -- --version
expect 0 '^ldctl [0-9]+\.[0-9]+\.[0-9]+' '' -- -V
want=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$(dirname "$0")/../../../debian/changelog")
expect 0 "^ldctl ${want//./\\.}\$" '' -- --version
if [[ ! -d /sys/module/ldir ]]; then
	expect 0 '^ldir module: not loaded$' '' -- --version
fi
# -N: the netns of "ip netns", opened before anything else
expect 1 '' '^ldctl: cannot open network namespace "nosuch-ldctl-test": No such file or directory$' -- -N nosuch-ldctl-test show
expect 1 '' '^ldctl: invalid network namespace name ".."$' -- -N .. show
expect 1 '' '^ldctl: missing NETNS after "-N"$' -- -N

# restore reads the syntax of ldctl 0.1 for one release: each line is
# checked as it is rewritten (line numbers and errors stay the file's)
cat >"$tmp/old" <<'CONF'
virtual add 192.0.2.10:80 tcp sched wlc bind 2 fpa 30
link add 192.0.2.10:80:2 10.0.2.300:8080
CONF
expect 1 '' "^ldctl: $tmp/old:2: invalid address \"10.0.2.300\"$" -- restore "$tmp/old"
cat >"$tmp/old" <<'CONF'
virtual add 192.0.2.10:80 tcp sched wlc bind 2 fpa 30
link add 192.0.2.10:80:2 udp 10.0.2.11:8080 x
CONF
expect 1 '' "^ldctl: $tmp/old:2: unknown argument \"x\"$" -- restore "$tmp/old"

# restore checks every line before it sends the first
cat >"$tmp/conf" <<'CONF'
# a comment

real add 10.0.2.11 weight 2   # trailing comment
virtual add tcp 192.0.2.10:80 sched wlc
link add tcp 192.0.2.10:80 real 10.0.2.300:8080
CONF
expect 1 '' "^ldctl: $tmp/conf:5: invalid address \"10.0.2.300\"$" -- restore "$tmp/conf"
printf 'virtual add tcp 192.0.2.10:80\nrestore x\n' >"$tmp/conf2"
expect 1 '' "^ldctl: $tmp/conf2:2: \"restore\" cannot be used in a restore file$" -- restore "$tmp/conf2"
printf '# nothing\n\n' >"$tmp/empty"
expect 0 '' '' -- restore "$tmp/empty"
"$LDCTL" restore <"$tmp/conf" >"$tmp/out" 2>"$tmp/err"
if [[ $? -eq 1 ]] && grep -qx 'ldctl: stdin:5: invalid address "10.0.2.300"' "$tmp/err"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL: restore from stdin"; cat "$tmp/err"
fi

# Without the module every command says so, exit 1.
if [[ ! -d /sys/module/ldir ]]; then
	msg='^ldctl: the ldir module is not loaded \(generic netlink family "ldir" not found\)$'
	while read -r line; do
		# shellcheck disable=SC2086
		expect 1 '' "$msg" -- $line
		# shellcheck disable=SC2086
		expect 1 '' "$msg" -- -j $line
	done <<'CMDS'
show
virtual
virtual show
virtual add tcp 192.0.2.10:80 sched wlc
virtual add udp [2001:db8::1]:0 bind 3 state out
virtual set tcp 192.0.2.10:80 sched rr
virtual del tcp 192.0.2.10:80
real
real show
real add 10.0.2.11 weight 2
real set 10.0.2.11:8080 maxconns 10 state out
real del 10.0.2.11 flush
link
link show
link add tcp 192.0.2.10:80 real 10.0.2.11:8080
link del udp 192.0.2.10:80 bind 5 real 10.0.2.11 flush
conns
stats
config
config show
config set conn-max 1000 timeout-est 900
config set syn-resends 1 retry-interval 5 pr-age-div 4 pr-clamp 25
real add 10.0.2.11 syn-threshold 5 fail-threshold 3 idle-timeout 60 backup 10.0.2.13
real set 10.0.2.11 backup none
virtual add tcp 192.0.2.10:80 sched pr startup rr startup-pct 50 startup-window 20
virtual set tcp 192.0.2.10:80 backup 192.0.2.10:81
virtual set tcp 192.0.2.10:80 backup none startup none
monitor
flush
flush conns
save
virtual add tcp 192.0.2.10:80 bind 1 sched wlc fpa 300 fpa-mask 24 overflow
virtual set tcp 192.0.2.10:80 fpa 0
assign tcp 192.0.2.10:80 bind 1 198.51.100.0/24
assign udp 192.0.2.10:80 bind 1 198.51.100.7
unassign tcp 192.0.2.10:80 bind 1 198.51.100.0/24
binds
fpa
fpa show
fpa flush
fpa flush tcp 192.0.2.10:80 bind 1
virtual add tcp [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:443 bind 4294967295 fpa 60 fpa-mask 128 backup [2001:db8::10]:443
virtual set udp [::1]:53 backup none
virtual del tcp [2001:db8::10]:443
real add 2001:db8::11 weight 2 backup [2001:db8::12]:8443
real set [2001:db8::11]:8443 state out
real del [2001:db8::11] flush
link add tcp [2001:db8::10]:443 real [2001:db8::11]:8443 port 443
link del udp [2001:db8::10]:53 bind 2 real 2001:db8::11 flush
assign tcp [2001:db8::10]:443 bind 1 2001:db8:100::/48
unassign tcp [2001:db8::10]:443 bind 1 2001:db8:200::7
fpa flush udp [2001:db8::10]:53 bind 2
CMDS
	printf 'real add 10.0.2.11\n' >"$tmp/ok"
	# the running configuration is saved first (for a rollback)
	expect 1 '' "^ldctl: the ldir module is not loaded" -- restore "$tmp/ok"
fi

# metrics and top
expect 0 'ldctl metrics' '' -- metrics help
expect 0 'ldctl top \[-d SECONDS\]' '' -- top help
expect 1 '' '^ldctl: unexpected argument "x"$' -- metrics x
expect 1 '' '^ldctl: invalid interval "0" \(expected 0.1..3600 seconds\)$' -- top -d 0
expect 1 '' '^ldctl: missing value after "-n"$' -- top -n
expect 1 '' '^ldctl: invalid frame count "x" \(expected 1..4294967295\)$' -- top -n x
printf 'top -n 1\n' >"$tmp/top"
expect 1 '' "^ldctl: $tmp/top:1: \"top\" cannot be used in a restore file$" -- restore "$tmp/top"
if [[ ! -d /sys/module/ldir ]]; then
	msg='^ldctl: the ldir module is not loaded \(generic netlink family "ldir" not found\)$'
	expect 1 '' "$msg" -- metrics
	expect 1 '' "$msg" -- top -b -n 1
fi

echo "cli.sh: $pass passed, $fail failed"
((fail == 0))
