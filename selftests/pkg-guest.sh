#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The install test's guest (selftests/qemu/pkg-test.sh boots it; not one of
# the test-*.sh the suite runs): ldir.ko as DKMS built it on the host,
# ldctl and ldir.service as the packages installed them. The unit's own
# ExecStart lines load the module by name and restore /etc/ldir/ldir.conf
# in the director's namespace (topology: lib.sh), then one HTTP request
# goes through the VIP.
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
start_servers http

log "ldir.service's restore, in the director's namespace"
mkdir -p /etc/ldir
cat >/etc/ldir/ldir.conf <<EOT
# the site: one VIP, three reals
real add ${REAL[1]}
real add ${REAL[2]}
real add ${REAL[3]}
virtual add $VIP:80 tcp sched rr
link add $VIP:80 tcp ${REAL[1]}:80
link add $VIP:80 tcp ${REAL[2]}:80
link add $VIP:80 tcp ${REAL[3]}:80
EOT
expect_eq "ExecStart lines of $UNIT" 2 "${#execs[@]}"
pd /bin/sh -c "${execs[1]}"
expect_eq "virtuals after the restore" 1 "$(ld -j virtual | jq length)"
expect_eq "links after the restore" 3 "$(ld -j link | jq length)"

out=$(pc timeout "$TMO" curl -sS --fail "http://$VIP/name")
expect_eq "curl through the VIP" real1 "$out"
expect_eq "conns counted" 1 "$(gstat conns)"

log "a file with an error at boot leaves the configuration as it was"
ld save >"$T/before"
printf 'virtual add %s:81 tcp\nlink add %s:81 tcp 10.0.2.99\n' "$VIP" "$VIP" >/etc/ldir/ldir.conf
if pd /bin/sh -c "${execs[1]}" 2>"$T/err"; then
	fail "the unit's restore succeeded with a bad file"
fi
expect_eq "configuration after the failed restore" "$(cat "$T/before")" "$(ld save)"
