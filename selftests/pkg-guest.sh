#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The install test's guest (selftests/qemu/pkg-test.sh boots it; not one of
# the test-*.sh the suite runs): ldir.ko as DKMS built it on the host,
# ldctl and ldir.service as the packages installed them. The unit's own
# ExecStart lines load the module by name and restore /etc/ldir/ldir.conf
# in the director's namespace (topology: lib.sh), then one HTTP request
# goes through the VIP; a bad file's restore and the unit's reload (ldctl
# sync) of a new one keep a live conn.
#
# LDIR_BENCH_KO_SHA256: the sha256 of the DKMS-built ldir.ko.

UNIT=/lib/systemd/system/ldir.service

# the harness loaded /ldir/ldir.ko; the unit loads it by name (modprobe)
rmmod ldir || exit 1
mapfile -t execs <<<"$(sed -n "s/^ExecStart=//p" "$UNIT")"
[[ ${execs[0]:-} == "/sbin/modprobe ldir" ]] ||
	{ echo "FAIL: $UNIT: first ExecStart is '${execs[0]:-}'"; exit 1; }
${execs[0]} || { echo "FAIL: ${execs[0]}"; exit 1; }

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

ko=$(modinfo -n ldir)
expect_eq "modprobe found it in" "/lib/modules/$(uname -r)/extra/ldir.ko" "$ko"
[[ -n ${LDIR_BENCH_KO_SHA256:-} ]] || fail "LDIR_BENCH_KO_SHA256 is not set"
expect_eq "the module modprobe loaded is the DKMS build" "$LDIR_BENCH_KO_SHA256" \
	"$(sha256sum <"$ko" | cut -d' ' -f1)"
setup_topology
start_servers http who

log "ldir.service's restore, in the director's namespace"
mkdir -p /etc/ldir
cat >/etc/ldir/ldir.conf <<EOT
# the site: one VIP, three reals
real add ${REAL[1]}
real add ${REAL[2]}
real add ${REAL[3]}
virtual add tcp $VIP:80 sched rr
link add tcp $VIP:80 real ${REAL[1]} port 80
link add tcp $VIP:80 real ${REAL[2]} port 80
link add tcp $VIP:80 real ${REAL[3]} port 80
virtual add tcp $VIP:8 sched rr
link add tcp $VIP:8 real ${REAL[1]} port 8
EOT
expect_eq "ExecStart lines of $UNIT" 2 "${#execs[@]}"
pd /bin/sh -c "${execs[1]}"
expect_eq "virtuals after the restore" 2 "$(ld -j virtual | jq length)"
expect_eq "links after the restore" 4 "$(ld -j link | jq length)"

out=$(pc timeout "$TMO" curl -sS --fail "http://$VIP/name")
expect_eq "curl through the VIP" real1 "$out"
expect_eq "conns counted" 1 "$(gstat conns)"

conn_open c1 8
expect_eq "a live conn through the VIP" real1 "$(conn_real c1)"

log "a file with an error leaves the configuration as it was, and the live conn"
cp /etc/ldir/ldir.conf "$T/good.conf"
ld save >"$T/before"
printf 'real set %s weight 5\nvirtual add tcp %s:81\nlink add tcp %s:81 real 10.0.2.99\n' \
	"${REAL[2]}" "$VIP" "$VIP" >/etc/ldir/ldir.conf
if pd /bin/sh -c "${execs[1]}" 2>"$T/err"; then
	fail "the unit's restore succeeded with a bad file"
fi
grep -q 'rolled back: the configuration is as it was before the restore$' "$T/err" ||
	fail "no rollback without a flush: $(cat "$T/err")"
expect_eq "configuration after the failed restore" "$(cat "$T/before")" "$(ld save)"
conn_echoes c1 after-rollback || fail "the live conn died in the rollback"

log "reload (ldctl sync): a new configuration, only the difference applied"
sed -e "s/^real add ${REAL[2]}\$/real add ${REAL[2]} weight 3/" \
	-e "/tcp $VIP:80 real ${REAL[3]} port 80/d" "$T/good.conf" >"$T/new.conf"
echo "virtual add tcp $VIP:81 sched wlc" >>"$T/new.conf"
mapfile -t reload <<<"$(sed -n "s/^ExecReload=//p" "$UNIT")"
expect_eq "ExecReload lines of $UNIT" 1 "${#reload[@]}"
expect_eq "ldctl sync --dry-run" "real set ${REAL[2]}:0 weight 3 maxconns 0 state in syn-threshold 5 fail-threshold 3 idle-timeout 0
virtual add tcp $VIP:81 sched wlc state in startup none startup-pct 50 startup-window 20
link del tcp $VIP:80 real ${REAL[3]}:0 port 80" "$(ld sync --dry-run "$T/new.conf")"
cp "$T/new.conf" /etc/ldir/ldir.conf
pd /bin/sh -c "${reload[0]}"
expect_eq "after sync: links" 3 "$(ld -j link | jq length)"
expect_eq "after sync: virtuals" 3 "$(ld -j virtual | jq length)"
expect_eq "after sync: nothing left to change" "" "$(ld sync --dry-run "$T/new.conf")"
conn_echoes c1 after-sync || fail "the live conn died in the sync"
expect_eq "the live conn is still in the table" 1 "$(nconns '.["virtual_port"] == 8')"
conn_close c1
