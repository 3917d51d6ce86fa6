#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the QEMU guest: a small site behind ldir (the topology
# of lib.sh: a client, the director, three reals running busybox httpd),
# a few hundred HTTP requests through the VIP, and what ldir made of them.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

REQUESTS=${LDIR_DEMO_REQUESTS:-300}

# The selftest harness loads ldir for each test; for the demo we do.
if [[ ! -d /sys/module/ldir ]]; then
	for m in $(modinfo -F depends "${LDIR_KO:-/ldir/ldir.ko}" 2>/dev/null | tr , ' '); do
		modprobe "$m"
	done
	insmod "${LDIR_KO:-/ldir/ldir.ko}"
fi
lib_init

say() { printf '\n== %s\n' "$*"; }

# ldctl in the director's namespace, shown as typed there
ldctl_() { printf '$ ldctl %s\n' "$*"; ld "$@"; }

# distribution NAMES: "distribution: real1 100 (33%) real2 ..."
distribution()
{
	local n c total line="distribution:"

	total=$(grep -c . <<<"$1")
	for n in 1 2 3; do
		c=$(grep -cx "real$n" <<<"$1" || true)
		line+=" real$n $c ($(((200 * c + total) / (2 * total)))%)"
	done
	echo "$line"
}

say "ldir demo on Linux $(uname -r)"
cat <<EOF
A client sends HTTP requests to a virtual IP ($VIP:80). The director,
running ldir, picks a real server for each new connection and rewrites
the packets (NAT); three reals run busybox httpd and answer with their
name. Each side runs in its own network namespace:

                                                       +--> real1 ${REAL[1]}
  client $CLIENT --> director: ldir, VIP $VIP --+--> real2 ${REAL[2]}
                                                       +--> real3 ${REAL[3]}
EOF

setup_topology
start_servers http

say "configure ldir: one virtual, three reals, round robin"
ldctl_ virtual add tcp "$VIP:80" sched rr
for n in 1 2 3; do
	ldctl_ real add "${REAL[$n]}"
done
for n in 1 2 3; do
	ldctl_ link add tcp "$VIP:80" real "${REAL[$n]}" port 80
done

say "$REQUESTS requests from the client (curl, one connection each)"
printf '$ curl http://%s/name   (x%s)\n' "$VIP" "$REQUESTS"
names=$(http_names "$REQUESTS")
head -n 6 <<<"$names" | sed 's/^/  /'
echo "  ..."
ldctl_ show
rr=$(distribution "$names")
echo "$rr"

say "weighted: wrr, weights 1 2 3 (the old conns flushed, to count afresh)"
ldctl_ flush conns
ldctl_ virtual set tcp "$VIP:80" sched wrr
for n in 1 2 3; do
	ldctl_ real set "${REAL[$n]}" weight "$n"
done
printf '$ curl http://%s/name   (x%s)\n' "$VIP" "$REQUESTS"
names=$(http_names "$REQUESTS")
ldctl_ show
wrr=$(distribution "$names")
echo "$wrr"

say "ldir's counters"
ldctl_ stats

say "summary"
echo "rr:  $rr"
echo "wrr: $wrr"
# The demo fails loudly if the traffic did not go through ldir as it should.
total=$(grep -c . <<<"$names")
(( total == REQUESTS )) || fail "$total of $REQUESTS requests answered"
