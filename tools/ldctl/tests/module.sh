#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ldctl against the loaded ldir module (run as root, e.g. in a QEMU guest
# of selftests/qemu): every command, the kernel's extack messages, JSON
# validity, save -> flush -> restore -> save identity, restore all or
# nothing (rollback on a kernel error), dumps larger than one
# netlink message, and EPERM for an unprivileged user. Works in its own
# network namespace; needs jq and setpriv.
#
# usage: tests/module.sh [path/to/ldctl]; exit 0 pass, 1 fail, 4 skip

set -u
LDCTL=${1:-ldctl}
NS=ldctl-test-$$
T=$(mktemp -d)
pass=0
fail=0

[[ -d /sys/module/ldir ]] || { echo "SKIP: ldir is not loaded"; exit 4; }
((EUID == 0)) || { echo "SKIP: needs root"; exit 4; }
ip netns add "$NS" || exit 1
trap 'ip netns del "$NS"; rm -rf "$T"' EXIT

# nsenter, not `ip netns exec`, which also remounts /sys for every command
# (slow on the debug kernel under TCG)
L() { nsenter --net="/run/netns/$NS" "$LDCTL" "$@"; }

# expect RC STDOUT-ERE STDERR-ERE -- ARGS ("" = must be empty)
expect() {
	local rc=$1 out=$2 err=$3 got ok=1
	shift 4
	L "$@" >"$T/out" 2>"$T/err"
	got=$?
	((got == rc)) || ok=0
	if [[ -z $out ]]; then [[ ! -s $T/out ]] || ok=0
	else grep -qE -- "$out" "$T/out" || ok=0; fi
	if [[ -z $err ]]; then [[ ! -s $T/err ]] || ok=0
	else grep -qE -- "$err" "$T/err" || ok=0; fi
	check "ldctl $*" "$ok" "rc $got: $(head -c 300 "$T/out") $(cat "$T/err")"
}

check() {
	if (($2)); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: $3"
	fi
}

eq() { [[ $2 == "$3" ]]; check "$1" $((!$?)) "want '$2', got '$3'"; }

expect 0 '' '' -- flush
expect 0 '' '' -- virtual add tcp 192.0.2.10:80 sched wlc
expect 1 '' '^ldctl: kernel: .*\(attribute virtual tcp 192\.0\.2\.10:80\): File exists$' -- virtual add tcp 192.0.2.10:80
expect 1 '' '^ldctl: kernel: .*\(attribute virtual\.sched "foo"\): ' -- virtual add tcp 192.0.2.11:80 sched foo
expect 1 '' '^ldctl: kernel: .*\(attribute virtual tcp 192\.0\.2\.99:80\): No such file or directory$' -- virtual del tcp 192.0.2.99:80
expect 0 '' '' -- real add 10.0.2.11 weight 2
expect 0 '' '' -- real add 10.0.2.12:8080 weight 1 maxconns 5
expect 0 '' '' -- real add 10.0.2.13 state out
expect 1 '' 'attribute real 10\.0\.2\.13:0\): File exists$' -- real add 10.0.2.13
expect 0 '' '' -- link add tcp 192.0.2.10:80 real 10.0.2.11 port 8080
expect 0 '' '' -- link add tcp 192.0.2.10:80 real 10.0.2.12:8080
expect 0 '' '' -- link add tcp 192.0.2.10:80 real 10.0.2.13
expect 1 '' 'attribute link\.real 10\.0\.2\.99:0\): No such file or directory$' -- link add tcp 192.0.2.10:80 real 10.0.2.99
expect 0 '' '' -- virtual add udp 192.0.2.10:0 sched rr
expect 0 '' '' -- link add udp 192.0.2.10:0 real 10.0.2.11
expect 0 '' '' -- config set conn-max 1000 timeout-est 100

# show: columns as ipvsadm -Ln; -d adds the settings, -s the counters
eq "ldctl show" "Prot Virtual:Port   Bind Sched  State  Flags
  -> Real           Port Weight State  ActiveConn  InActConn
tcp  192.0.2.10:80     0 wlc    in
  -> 10.0.2.11      8080 2      in              0          0
  -> 10.0.2.12      8080 1      in              0          0
  -> 10.0.2.13         0 1      out             0          0
udp  192.0.2.10:0      0 rr     in
  -> 10.0.2.11         0 2      in              0          0" "$(L show)"
L -d show | sed -E 's/ age-ms [0-9]+ pr -?[0-9]+//' >"$T/show"
eq "ldctl -d show: the virtual's settings" 2 \
	"$(grep -c '^     startup none startup-pct 50 startup-window 20 fpa 0 fpa-mask 32 conns 0 links [13] binds 0$' "$T/show")"
eq "ldctl -d show: the real's settings and measures" 1 \
	"$(grep -c '^       real-port 8080 maxconns 5 syn-threshold 5 fail-threshold 3 idle-timeout 0 unanswered 0 ditched 0 ditch-consec 0 response-us 0$' "$T/show")"
eq "ldctl -s show: a line of counters per virtual and link" 6 \
	"$(L -s show | grep -c '^ *conns 0 pkts-in 0 pkts-out 0 bytes-in 0 bytes-out 0 drop-no-conn 0 ')"

# JSON: snake_case keys, and every object of a kind has the same keys
keys() { jq -r "[$1 | keys_unsorted | join(\",\")] | unique | .[]"; }
for what in virtual real link conns binds fpa stats config show; do
	L -j $what >"$T/j" 2>/dev/null
	eq "-j $what: keys in snake_case" "" \
		"$(jq -r '[.. | objects | keys[]] | unique | .[] | select(test("^[a-z0-9_]+$") | not)' "$T/j")"
done
eq "-j real: one set of keys" 1 "$(L -j real | keys '.[]' | wc -l)"
eq "-j link: one set of keys" 1 "$(L -j link | keys '.[]' | wc -l)"
eq "-j show: one set of keys per virtual" 1 "$(L -j show | keys '.virtuals[]' | wc -l)"
eq "-j show: one set of keys per link" 1 "$(L -j show | keys '.virtuals[].links[]' | wc -l)"
eq "-j real: retry_ms is there, null while not failed" "null" \
	"$(L -j real | jq -c '.[0] | if has("retry_ms") then .retry_ms else "missing" end')"

# --version names the module's family version; -N runs in a named netns
eq "ldctl --version" "ldir module: generic netlink family \"ldir\" version 1" \
	"$("$LDCTL" --version | sed -n 2p)"
eq "ldctl -N" "$(L -j virtual | jq -c 'map(.port)')" \
	"$("$LDCTL" -N "$NS" -j virtual | jq -c 'map(.port)')"
expect 1 '' '^ldctl: cannot open network namespace "nosuch-'"$$"'": No such file or directory$' -- -N "nosuch-$$" show

eq "show -j: virtuals" 2 "$(L -j show | jq -er '.virtuals | length')"
eq "show -j: links of the first" "10.0.2.11 8080 2" \
	"$(L -j show | jq -er '.virtuals[0].links[0] | "\(.real) \(.port) \(.weight)"')"
eq "virtual -j" 2 "$(L -j virtual | jq -er length)"
eq "real -j" "10.0.2.12 8080 5 1" \
	"$(L -j real | jq -er '.[1] | "\(.address) \(.port) \(.maxconns) \(.links)"')"
eq "link -j" 4 "$(L -j link | jq -er length)"
eq "conns -j" "[]" "$(L -j conns)"
eq "stats -j: conn-max" 1000 "$(L -j stats | jq -er '.config["conn_max"]')"
eq "stats -j: timeout-est" 100 "$(L -j config | jq -er '.["timeout_est"]')"
eq "stats -j: counters" 32 "$(L -j stats | jq -er '.stats | length')"
eq "stats: lines" 54 "$(L stats | wc -l)"

# failure, startup and backup settings: set, shown, saved
expect 0 '' '' -- real set 10.0.2.11 syn-threshold 7 fail-threshold 0 idle-timeout 60 backup 10.0.2.13
expect 0 '' '' -- virtual set tcp 192.0.2.10:80 startup rr startup-pct 30 startup-window 9
expect 0 '' '' -- virtual add tcp 192.0.2.10:81
expect 0 '' '' -- virtual set tcp 192.0.2.10:80 backup 192.0.2.10:81
expect 1 '' 'attribute real\.backup 10\.0\.2\.99:0\)' -- real set 10.0.2.11 backup 10.0.2.99
expect 1 '' 'attribute virtual\.backup tcp 192\.0\.2\.99:80\)' -- virtual set tcp 192.0.2.10:80 backup 192.0.2.99:80
eq "real -j: failure settings, backup" "7 0 60 10.0.2.13:0" \
	"$(L -j real | jq -er '.[0] | "\(.["syn_threshold"]) \(.["fail_threshold"]) \(.["idle_timeout"]) \(.backup)"')"
eq "virtual -j: startup, backup" "rr 30 9 192.0.2.10:81 false" \
	"$(L -j virtual | jq -r '.[0] | "\(.startup) \(.["startup_pct"]) \(.["startup_window"]) \(.backup) \(.failed)"')"
expect 0 '' '' -- config set syn-resends 3 retry-interval 5 pr-age-div 8 pr-clamp 50
eq "config -j: failure and pr settings" "3 5 8 50" \
	"$(L -j config | jq -er '"\(.["syn_resends"]) \(.["retry_interval"]) \(.["pr_age_div"]) \(.["pr_clamp"])"')"
eq "config -j: syn-resend-gap default (ms)" 500 "$(L -j config | jq -er '.["syn_resend_gap"]')"
expect 0 '' '' -- config set syn-resend-gap 750
eq "config -j: syn-resend-gap" 750 "$(L -j config | jq -er '.["syn_resend_gap"]')"
expect 1 '' 'syn-resend-gap' -- config set syn-resend-gap 60001

L save >"$T/s1"
expect 0 '' '' -- flush
eq "show after flush" "" "$(L show)"
expect 0 '' '' -- restore "$T/s1"
L save >"$T/s2"
eq "save -> restore -> save" "$(cat "$T/s1")" "$(cat "$T/s2")"
# a flush takes the fast-path devices too (flush conns keeps them): save
# -> flush -> restore -> save is the same with one, as restore's last
# resort rollback (a flush and the saved configuration again) needs
expect 0 '' '' -- fastpath add lo
L save >"$T/fp"
expect 0 '' '' -- flush conns
eq "flush conns keeps the fast-path devices" "fastpath lo ifindex 1" "$(L fastpath show)"
expect 0 '' '' -- flush
eq "flush: no fast-path device left" "" "$(L fastpath show)"
expect 0 '' '' -- restore "$T/fp"
eq "save -> flush -> restore -> save, fast path included" "$(cat "$T/fp")" "$(L save)"
# the same configuration in the syntax of ldctl 0.1 gives the same save
expect 0 '' '' -- flush
cat >"$T/old" <<'EOF2'
config set conn-max 1000 timeout-est 100
real add 10.0.2.11 weight 2
real add 10.0.2.12:8080 weight 1 maxconns 5
real add 10.0.2.13 state out
virtual add 192.0.2.10:80 tcp sched wlc
virtual add 192.0.2.10:0 udp sched rr
link add 192.0.2.10:80 10.0.2.11:8080
link add 192.0.2.10:80 tcp 10.0.2.12:8080
link add 192.0.2.10:80 10.0.2.13
link add 192.0.2.10:0 udp 10.0.2.11
EOF2
expect 0 '' ': 6 lines in the syntax before ldctl 0\.2' -- restore "$T/old"
eq "old syntax: the links, with their ports" "8080 8080 0 0" \
	"$(L -j link | jq -r 'map(.port) | join(" ")')"
eq "old syntax: link add without a protocol meant tcp" "tcp tcp tcp udp" \
	"$(L -j link | jq -r 'map(.protocol) | join(" ")')"
expect 0 '' '' -- flush
expect 0 '' '' -- restore "$T/s1"

expect 0 '' '' -- virtual set tcp 192.0.2.10:80 sched rr state out
expect 0 '' '' -- real set 10.0.2.11 weight 0
expect 0 '' '' -- link del tcp 192.0.2.10:80 real 10.0.2.13 flush
expect 1 '' 'link not found|No such file' -- link del tcp 192.0.2.10:80 real 10.0.2.13
expect 0 '' '' -- real del 10.0.2.13 flush
expect 0 '' '' -- flush conns
eq "after set/del" "virtual tcp 192.0.2.10:80 sched rr state out startup rr startup-pct 30 startup-window 9 backup 192.0.2.10:81 conns 0 links 2" "$(L virtual | head -n 1)"
eq "a deleted real is no one's backup" null "$(L -j real | jq -r '.[0].backup')"

# restore is all or nothing: a line the kernel refuses names its line and
# rolls back to the configuration before the restore (settings included)
L save >"$T/before"
printf 'virtual add tcp 192.0.2.20:80\nvirtual add tcp 192.0.2.20:80\nvirtual add tcp 192.0.2.21:80\n' >"$T/dup"
expect 1 '' "^ldctl: $T/dup:2: kernel: .*File exists$" -- restore "$T/dup"
grep -q 'rolled back: the configuration is as it was' "$T/err"
check "restore: rollback reported" $((!$?)) "$(cat "$T/err")"
eq "restore: line 1 rolled back" 0 "$(L virtual | grep -c 192.0.2.20)"
eq "restore: line 3 never applied" 0 "$(L virtual | grep -c 192.0.2.21)"
eq "restore: failed restore leaves save unchanged" "$(cat "$T/before")" "$(L save)"
cat >"$T/partial" <<'EOF2'
# changes to settings, weights and states, then a link to a real that does not exist
config set conn-max 777 timeout-udp 9
real set 10.0.2.11 weight 9 state out
virtual set tcp 192.0.2.10:80 sched wlc state in
virtual add udp 192.0.2.22:80
real add 10.0.2.23
link add udp 192.0.2.22:80 real 10.0.2.23
link add udp 192.0.2.22:80 real 10.0.2.99
EOF2
expect 1 '' "^ldctl: $T/partial:8: kernel: .*attribute link\.real 10\.0\.2\.99:0\)" -- restore "$T/partial"
eq "restore: settings, objects rolled back" "$(cat "$T/before")" "$(L save)"
# a file whose first command fails changed nothing: no rollback needed
printf '# nothing before it\nreal set 10.0.2.99 weight 1\n' >"$T/first"
expect 1 '' "^ldctl: $T/first:2: kernel: " -- restore "$T/first"
grep -q 'rolled back' "$T/err"
check "restore: no rollback when nothing was applied" $?  "$(cat "$T/err")"
eq "restore: first line failed, nothing changed" "$(cat "$T/before")" "$(L save)"

# sync: the running configuration becomes the file's, only what differs
# changes; the file is checked by the kernel (in a scratch netns) first
expect 0 '' '' -- flush
# s1 in the syntax of ldctl 0.1 (what its save wrote, and a link without
# a protocol), which restore and sync read for one release
cat >"$T/s1" <<'EOF2'
config set conn-max 5000
real add 10.0.2.31 weight 3
real add 10.0.2.32
real add 10.0.2.33 state out
virtual add 192.0.2.40:80 tcp sched rr
virtual add 192.0.2.41:80 tcp sched wlc fpa 60 fpa-mask 24
virtual add 192.0.2.40:80 tcp bind 1 sched rr overflow
virtual add 192.0.2.42:53 udp sched maglev stateless
link add 192.0.2.40:80 tcp 10.0.2.31:8080
link add 192.0.2.40:80 tcp 10.0.2.32:8080
link add 192.0.2.41:80 10.0.2.33
link add 192.0.2.40:80:1 tcp 10.0.2.33
link add 192.0.2.42:53 udp 10.0.2.31
assign 192.0.2.40:80:1 tcp 198.51.100.0/24
real set 10.0.2.31 backup 10.0.2.33
virtual set 192.0.2.40:80 tcp backup 192.0.2.41:80
EOF2
cat >"$T/s2" <<'EOF2'
config set conn-max 6000 timeout-udp 30
real add 10.0.2.31 weight 1
real add 10.0.2.33
real add 10.0.2.34
virtual add tcp 192.0.2.40:80 sched rr
virtual add tcp 192.0.2.41:80 sched lc
virtual add tcp 192.0.2.40:80 bind 1 sched rr
virtual add udp 192.0.2.42:53 sched hash5
link add tcp 192.0.2.40:80 real 10.0.2.31 port 8080
link add tcp 192.0.2.40:80 real 10.0.2.34 port 8080
link add tcp 192.0.2.41:80 real 10.0.2.33
link add tcp 192.0.2.40:80 bind 1 real 10.0.2.33
link add udp 192.0.2.42:53 real 10.0.2.31
assign tcp 192.0.2.40:80 bind 1 198.51.100.0/25
virtual set tcp 192.0.2.41:80 backup 192.0.2.40:80
fastpath add lo
EOF2
# what each file gives when restored in a new netns (settings it does
# not name at their defaults), as sorted lines: the order of a save
# follows the order objects were made in
ip netns add "$NS-fresh"
for f in s1 s2; do
	nsenter --net="/run/netns/$NS-fresh" "$LDCTL" flush &&
		nsenter --net="/run/netns/$NS-fresh" "$LDCTL" restore "$T/$f" &&
		nsenter --net="/run/netns/$NS-fresh" "$LDCTL" save | sort >"$T/$f.saved"
	check "restore $f in a new netns" $((!$?)) ""
done
ip netns del "$NS-fresh"
expect 0 '' 'in the syntax before ldctl 0\.2' -- sync "$T/s1"
eq "sync -> s1" "$(cat "$T/s1.saved")" "$(L save | sort)"
expect 0 '' '' -- sync "$T/s2"
eq "sync s1 -> s2" "$(cat "$T/s2.saved")" "$(L save | sort)"
eq "sync --dry-run: nothing left" "" "$(L sync --dry-run "$T/s2")"
eq "sync s1 -> s2: the fast-path device" "fastpath lo ifindex 1" "$(L fastpath show)"
eq "fastpath show -j" "lo" "$(L -j fastpath show | jq -er '.[0].dev')"
expect 1 '' '^ldctl: kernel: .*the device is in the fast path already' -- fastpath add lo
expect 1 '' '^ldctl: kernel: .*no such device in the namespace' -- fastpath add nosuchdev0
expect 0 '' 'in the syntax before ldctl 0\.2' -- sync "$T/s1"
eq "sync s2 -> s1" "$(cat "$T/s1.saved")" "$(L save | sort)"
L sync --dry-run "$T/s2" >"$T/d"
eq "sync --dry-run: one real removed" 1 "$(grep -cx 'real del 10.0.2.32:0' "$T/d")"
eq "sync --dry-run: the fast-path device added" 1 "$(grep -cx 'fastpath add lo' "$T/d")"
eq "sync --dry-run: the stateless virtual made again" 1 "$(grep -cx 'virtual del udp 192.0.2.42:53' "$T/d")"
eq "sync --dry-run: nothing flushed" 0 "$(grep -c flush "$T/d")"
# a file the kernel refuses: nothing changes, the error names its line
{ cat "$T/s2"; echo 'link add tcp 192.0.2.40:80 real 10.0.2.99'; } >"$T/bad"
expect 1 '' "^ldctl: $T/bad:17: kernel: .*attribute link\.real 10\.0\.2\.99:0\)" -- sync "$T/bad"
eq "a refused sync changes nothing" "$(cat "$T/s1.saved")" "$(L save | sort)"
expect 1 '' '^ldctl: missing FILE' -- sync
# a failed restore is rolled back by a sync (live conns kept)
printf 'real set 10.0.2.31 weight 9\nvirtual add tcp 192.0.2.43:80\nlink add tcp 192.0.2.43:80 real 10.0.2.99\n' >"$T/partial2"
expect 1 '' 'rolled back: the configuration is as it was before the restore$' -- restore "$T/partial2"
eq "restore rolled back by sync" "$(cat "$T/s1.saved")" "$(L save | sort)"

# IPv6, once the module has it: the same commands with [ADDR]:PORT, what
# the kernel holds read back, columns, JSON, save -> restore -> save, sync
A6=2001:db8:aaaa:bbbb:cccc:dddd:eeee
expect 0 '' '' -- flush
if ! L virtual add tcp '[2001:db8::10]:80' >"$T/out" 2>"$T/err"; then
	echo "SKIP: the IPv6 part: $(cat "$T/err")"
else
	expect 0 '' '' -- virtual add udp '[2001:db8::10]:53' sched rr fpa 60
	expect 0 '' '' -- virtual add tcp '[2001:db8::10]:80' bind 1 sched rr overflow
	expect 0 '' '' -- virtual add tcp "[$A6:20]:65535" fpa-mask 64
	expect 0 '' '' -- real add 2001:db8::11 weight 2
	expect 0 '' '' -- real add "[$A6:ffff]:8080" maxconns 5
	expect 0 '' '' -- real add 10.0.2.11
	expect 0 '' '' -- link add tcp '[2001:db8::10]:80' real 2001:db8::11 port 8080
	expect 0 '' '' -- link add tcp '[2001:db8::10]:80' real "[$A6:ffff]:8080"
	expect 0 '' '' -- link add tcp '[2001:db8::10]:80' bind 1 real '[2001:db8::11]'
	expect 0 '' '' -- link add udp '[2001:db8::10]:53' real 2001:db8::11
	expect 0 '' '' -- assign tcp '[2001:db8::10]:80' bind 1 2001:db8:100::/48
	expect 0 '' '' -- real set 2001:db8::11 backup "[$A6:ffff]:8080"
	expect 0 '' '' -- virtual set tcp '[2001:db8::10]:80' backup "[$A6:20]:65535"
	expect 1 '' 'File exists$' -- real add '[2001:db8::11]:0'
	expect 1 '' 'attribute virtual tcp \[2001:db8::99\]:80\): No such file or directory$' -- virtual del tcp '[2001:db8::99]:80'
	# a mix of families is the kernel's to refuse, with its reason
	expect 1 '' '^ldctl: kernel: ' -- link add tcp '[2001:db8::10]:80' real 10.0.2.11
	eq "IPv6: the refused link was not made" 4 "$(L -j link | jq -er length)"

	eq "IPv6 virtual -j: address, port, fpa-mask default" "udp 60 128" \
		"$(L -j virtual | jq -r '.[] | select(.address == "2001:db8::10" and .port == 53) | "\(.protocol) \(.fpa) \(.fpa_mask)"')"
	eq "IPv6 virtual -j: the long one" "65535 64" \
		"$(L -j virtual | jq -r ".[] | select(.address == \"$A6:20\") | \"\\(.port) \\(.fpa_mask)\"")"
	eq "IPv6 virtual -j: its backup" "[$A6:20]:65535" \
		"$(L -j virtual | jq -r '.[] | select(.address == "2001:db8::10" and .port == 80 and .bind == 0) | .backup')"
	eq "IPv6 real -j: key, backup" "0 2 [$A6:ffff]:8080" \
		"$(L -j real | jq -r '.[] | select(.address == "2001:db8::11") | "\(.port) \(.weight) \(.backup)"')"
	eq "IPv6 link -j: the ports of the links to a real" "0 0 8080" \
		"$(L -j link | jq -r '[.[] | select(.real == "2001:db8::11") | .port] | sort | map(tostring) | join(" ")')"
	eq "IPv6 binds -j" "2001:db8:100:: 48 2001:db8::10 80 1" \
		"$(L -j binds | jq -r '.[] | "\(.client) \(.prefix_len) \(.virtual) \(.virtual_port) \(.bind)"')"
	eq "IPv6 conns -j" "[]" "$(L -j conns)"
	for what in virtual real link conns binds fpa show; do
		L -j $what | jq -e . >/dev/null
		check "IPv6 -j $what: valid JSON" $((!$?)) ""
	done
	L show >"$T/show"
	grep -qE "^tcp  \[2001:db8::10\]:80 +1 rr +in +overflow$" "$T/show"
	check "IPv6 show: the instance" $((!$?)) "$(cat "$T/show")"
	grep -qE "^  -> $A6:ffff +8080 1 +in " "$T/show"
	check "IPv6 show: the long real" $((!$?)) "$(cat "$T/show")"
	grep -qx '  <- 2001:db8:100::/48' "$T/show"
	check "IPv6 show: the bind" $((!$?)) "$(cat "$T/show")"
	# the bind column ends at the same place on every line
	eq "IPv6 show: columns in line" 1 "$(awk '/^(tcp|udp|Prot|  ->) / {
		s = $0; e = 0
		for (k = 0; k < 3; k++) {
			m = match(s, /[^ ]+/); e += RSTART + RLENGTH - 1
			s = substr(s, RSTART + RLENGTH)
		}
		print e }' "$T/show" | sort -u | wc -l)"

	L save >"$T/v6a"
	grep -qx "virtual set tcp \[2001:db8::10\]:80 backup \[$A6:20\]:65535" "$T/v6a"
	check "IPv6 save: the virtual's backup" $((!$?)) "$(cat "$T/v6a")"
	grep -qx "assign tcp \[2001:db8::10\]:80 bind 1 2001:db8:100::/48" "$T/v6a"
	check "IPv6 save: the bind" $((!$?)) "$(cat "$T/v6a")"
	expect 0 '' '' -- flush
	expect 0 '' '' -- restore "$T/v6a"
	eq "IPv6 save -> restore -> save" "$(cat "$T/v6a")" "$(L save)"
	sed -e 's/ fpa-mask 64//' -e '/^assign /s|/48|/56|' \
		-e "/^real add \[$A6:ffff\]/s/maxconns 5/maxconns 7/" "$T/v6a" >"$T/v6b"
	expect 0 '' '' -- sync "$T/v6b"
	eq "IPv6 sync: nothing left to do" "" "$(L sync --dry-run "$T/v6b")"
	eq "IPv6 sync: fpa-mask back to 128" 128 \
		"$(L -j virtual | jq -r ".[] | select(.address == \"$A6:20\") | .fpa_mask")"
	eq "IPv6 sync: the bind changed" "2001:db8:100::/56" \
		"$(L -j binds | jq -r '.[] | "\(.client)/\(.prefix_len)"')"
	expect 0 '' '' -- flush
fi

# dumps of several netlink messages
expect 0 '' '' -- flush
for i in $(seq 1000 1499); do
	echo "virtual add tcp 192.0.2.30:$i"
	echo "link add tcp 192.0.2.30:$i real 10.0.2.40 port $i"
done >"$T/big"
expect 0 '' '' -- real add 10.0.2.40
expect 0 '' '' -- restore "$T/big"
eq "500 virtuals dumped" 500 "$(L virtual | wc -l)"
eq "500 links dumped" 500 "$(L -j link | jq -er length)"
eq "500 virtuals in show -j" 500 "$(L -j show | jq -er '.virtuals | length')"
L save >"$T/b1"
expect 0 '' '' -- flush
expect 0 '' '' -- restore "$T/b1"
L save >"$T/b2"
eq "big save -> restore -> save" "$(cat "$T/b1")" "$(cat "$T/b2")"
expect 0 '' '' -- flush

# an unprivileged user
for args in "show" "virtual add tcp 192.0.2.50:80" "flush"; do
	# shellcheck disable=SC2086
	nsenter --net="/run/netns/$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$LDCTL" $args >"$T/out" 2>"$T/err"
	rc=$?
	eq "unprivileged ldctl $args" "1 ldctl: operation not permitted (CAP_NET_ADMIN needed)" \
		"$rc $(cat "$T/err")"
done

echo "module.sh: $pass passed, $fail failed"
((fail == 0))
