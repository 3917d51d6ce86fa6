#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.1
#
# ldctl metrics and ldctl top against live traffic (topology: lib.sh):
#
#   client ── VIP:80   tcp ──> real1:80  weight 3   N curls: busy
#          └─ VIP:8080 tcp ──> real2:80             idle
#                              real3      out of service, no link
#
# metrics: promtool check metrics accepts the output, and its samples are
#   the kernel's: N conns for real1's link, real1, VIP:80 and in all, none
#   for real2; packets and bytes as ldctl -j reports them; weight, state,
#   R in seconds. The textfile unit of tools/ldctl/contrib, run as systemd
#   would, writes a valid ldir.prom, and removes it when ldctl fails.
# top: in a tmux terminal while curls run, real1's link and real1 show a
#   non-zero CONN/s and PKT/s, real2's 0; q quits. -n 2 on a terminal leaves
#   the last frame on the screen; batch (a pipe, -n 2): two frames, the same
#   figures.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

command -v promtool >/dev/null || skip "no promtool (Debian's prometheus)"
command -v tmux >/dev/null || skip "no tmux"

setup_topology
start_servers http

lds <<CMDS
real add ${REAL[1]} weight 3
real add ${REAL[2]}
real add ${REAL[3]} state out
virtual add tcp $VIP:80 sched rr
virtual add tcp $VIP:8080 sched rr
link add tcp $VIP:80 real ${REAL[1]} port 80
link add tcp $VIP:8080 real ${REAL[2]} port 80
CMDS

N=5
for ((i = 0; i < N; i++)); do
	expect_eq "curl $i through VIP:80" real1 \
		"$(pc curl -sS --max-time "$TMO" "http://$VIP/name")"
done
sleep 1		# the last FINs and ACKs

log "ldctl metrics"
ld metrics >"$T/m.prom"
promtool check metrics <"$T/m.prom" >"$T/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$T/promtool.out")"
ok "promtool check metrics: $(wc -l <"$T/m.prom") lines"

# metric NAME [LABELS]: the value of that sample of $T/m.prom
metric()
{
	local key=$1

	[[ -n "${2:-}" ]] && key="$1{$2}"
	awk -v k="$key" '$1 == k { print $2; f = 1 } END { exit !f }' \
		"$T/m.prom" || fail "no sample $key in: $(cat "$T/m.prom")"
}

V80='local_address="'$VIP'",local_port="80",proto="tcp",bind_id="0"'
V8080='local_address="'$VIP'",local_port="8080",proto="tcp",bind_id="0"'
R1='remote_address="'${REAL[1]}'",remote_port="0"'
R2='remote_address="'${REAL[2]}'",remote_port="0"'
R3='remote_address="'${REAL[3]}'",remote_port="0"'
B1="$V80,remote_address=\"${REAL[1]}\",remote_port=\"80\""
B2="$V8080,remote_address=\"${REAL[2]}\",remote_port=\"80\""

expect_eq "ldir_connections_total" "$N" "$(metric ldir_connections_total)"
expect_eq "VIP:80 connections_total" "$N" \
	"$(metric ldir_virtual_connections_total "$V80")"
expect_eq "real1 connections_total" "$N" \
	"$(metric ldir_real_connections_total "$R1")"
expect_eq "real1's backend connections_total" "$N" \
	"$(metric ldir_backend_connections_total "$B1")"
expect_eq "real2's backend connections_total" 0 \
	"$(metric ldir_backend_connections_total "$B2")"
expect_eq "VIP:8080 incoming_packets_total" 0 \
	"$(metric ldir_virtual_incoming_packets_total "$V8080")"

# the packets and bytes are those ldctl -j reports
j=$(ld -j link)
for k in pkts_in:incoming_packets pkts_out:outgoing_packets \
	 bytes_in:incoming_bytes bytes_out:outgoing_bytes; do
	want=$(jq -r --arg r "${REAL[1]}" --arg k "${k%%:*}" \
		'.[] | select(.real == $r) | .stats[$k]' <<<"$j")
	((want > 0)) || fail "real1's link: ${k%%:*} $want"
	expect_eq "real1's backend ${k#*:}_total" "$want" \
		"$(metric "ldir_backend_${k#*:}_total" "$B1")"
done
expect_ge "real1's backend incoming_bytes_total" $((N * 5 * 40)) \
	"$(metric ldir_backend_incoming_bytes_total "$B1")"

expect_eq "real1 weight" 3 "$(metric ldir_real_weight "$R1")"
expect_eq "real1's backend weight" 3 "$(metric ldir_backend_weight "$B1")"
expect_eq "real1 state in" 1 "$(metric ldir_real_state "$R1,state=\"in\"")"
expect_eq "real1 state out" 0 "$(metric ldir_real_state "$R1,state=\"out\"")"
expect_eq "real3 state out" 1 "$(metric ldir_real_state "$R3,state=\"out\"")"
expect_eq "real3 state in" 0 "$(metric ldir_real_state "$R3,state=\"in\"")"
expect_eq "real1 failed" 0 "$(metric ldir_real_failed "$R1")"
expect_eq "real1 unanswered_syns" 0 "$(metric ldir_real_unanswered_syns "$R1")"
expect_eq "real2 connections_total" 0 "$(metric ldir_real_connections_total "$R2")"
us=$(real_field 1 '.["response_us"]')
expect_eq "real1 response_time_seconds (R = $us us)" \
	"$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))" \
	"$(metric ldir_real_response_time_seconds "$R1")"
expect_eq "VIP:80 info" 1 \
	"$(metric ldir_virtual_info "$V80,sched=\"rr\",stateless=\"false\"")"
expect_eq "conns in the table = VIP:80's" \
	"$(metric ldir_virtual_connections_live "$V80")" \
	"$(metric ldir_conntab_entries)"
expect_eq "conntab_entries_limit = conn-max" \
	"$(gconfig conn-max)" "$(metric ldir_conntab_entries_limit)"
expect_eq "no drops for no conn" 0 \
	"$(metric ldir_dropped_packets_total 'reason="no_conn"')"

log "the textfile unit, as systemd runs it"
unit=/ldir/ldctl-contrib/ldir-metrics.service
[[ -f $unit ]] || fail "no $unit"
cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" "$unit")
[[ -n $cmd ]] || fail "no ExecStart=/bin/sh -c '...' in $unit"
cmd=${cmd//\$\$/\$}	# systemd's $$ is the shell's $
mkdir "$T/textfile"
LDIR_TEXTFILE_DIR=$T/textfile pd sh -c "$cmd" || fail "the unit's command failed"
expect_eq "textfile directory" ldir.prom "$(ls "$T/textfile")"
promtool check metrics <"$T/textfile/ldir.prom" >"$T/promtool.out" 2>&1 ||
	fail "promtool check metrics ldir.prom: $(cat "$T/promtool.out")"
expect_eq "ldir.prom: real1 connections_total" "ldir_real_connections_total{$R1} $N" \
	"$(grep -F "ldir_real_connections_total{$R1} " "$T/textfile/ldir.prom")"
# ldctl failing: no stale file left, nor a temporary one
mkdir "$T/bin"
printf '#!/bin/sh\necho "ldctl: ldir not loaded" >&2\nexit 1\n' >"$T/bin/ldctl"
chmod +x "$T/bin/ldctl"
PATH=$T/bin:$PATH LDIR_TEXTFILE_DIR=$T/textfile pd sh -c "$cmd" 2>/dev/null &&
	fail "the unit's command succeeded with a failing ldctl"
expect_eq "textfile directory after a failure" "" "$(ls "$T/textfile")"

log "ldctl top"
# traffic: a curl every 0.1 s to VIP:80 (real1), none to VIP:8080
# (real2), until $T/stop exists
traffic()
{
	while [[ ! -e $T/stop ]]; do
		pc curl -s -o /dev/null --max-time "$TMO" "http://$VIP/name" || true
		sleep 0.1
	done
}

# col FILE NAME N: word N of the last line of FILE whose first word(s) are NAME
col()
{
	awk -v name="$2" -v n="$3" '
		{ line = $0; sub(/^ +/, "", line) }
		index(line, name " ") == 1 {
			k = split(substr(line, length(name) + 1), w, " ")
			v = w[n]; f = 1
		}
		END { if (!f) exit 1; print v }' "$1"
}

# busy FILE: real1's link and real1 show new conns and packets per second
busy()
{
	local c p rc

	c=$(col "$1" "-> ${REAL[1]}:80" 2) && p=$(col "$1" "-> ${REAL[1]}:80" 3) &&
		rc=$(col "$1" "${REAL[1]}:0" 2) || return 1
	[[ $c != 0 && $c != - && $p != 0 && $p != - && $rc != 0 && $rc != - ]]
}

# the rows of real2's idle link and of real2: 0 per second
expect_idle()
{
	expect_eq "$2: real2's link CONN/s" 0 "$(col "$1" "-> ${REAL[2]}:80" 2)"
	expect_eq "$2: real2's link PKT/s" 0 "$(col "$1" "-> ${REAL[2]}:80" 3)"
	expect_eq "$2: real2 CONN/s" 0 "$(col "$1" "${REAL[2]}:0" 2)"
}

tm() { LC_ALL=C.UTF-8 pd tmux -S "$T/tmux" "$@"; }
# the tmux server runs in the director's netns: cleanup kills it
tm new-session -d -s top -x 150 -y 40 "ldctl top -d 1"
traffic &
traffic_pid=$!
snap() { tm capture-pane -p -t top >"$T/screen"; }
snap_busy() { snap && busy "$T/screen"; }
# within_s SECONDS CMD...: CMD every 0.3 s until it succeeds, for at most
# SECONDS of wall time (wait_for's count of tries stretches under load)
within_s()
{
	local end=$((SECONDS + $1))

	until "${@:2}"; do
		((SECONDS < end)) || return 1
		sleep 0.3
	done
}
within_s 20 snap_busy || fail "top never showed real1 busy: $(cat "$T/screen")"
log "the screen:"
awk 'NF { while (blank) { print "#"; blank-- } print "#   " $0; next } { blank++ }' "$T/screen"
ok "top: real1's link at $(col "$T/screen" "-> ${REAL[1]}:80" 2) conns/s," \
	"$(col "$T/screen" "-> ${REAL[1]}:80" 3) packets/s"
expect_idle "$T/screen" "top"
expect_match "top: the header" "^ldctl top - every 1\.0 s - conns [0-9]+ of [0-9]+ " \
	"$(head -n 1 "$T/screen")"
expect_eq "top: real3's state" out "$(col "$T/screen" "${REAL[3]}:0" 1)"
tm has-session -t top 2>/dev/null || fail "top ended by itself"
tm send-keys -t top q
gone() { ! tm has-session -t top 2>/dev/null; }
within_s 5 gone || fail "top still runs after q: $(snap; cat "$T/screen")"
ok "top: q quits"

log "ldctl top -n 2 -d 2 in a terminal: the last frame stays"
tm new-session -d -s topn -x 150 -y 40 "ldctl top -n 2 -d 2; echo top-exit=\$?; sleep 60"
ended() { tm capture-pane -p -t topn >"$T/screen" && grep -q '^top-exit=' "$T/screen"; }
within_s 20 ended || fail "top -n 2 did not end: $(cat "$T/screen")"
expect_eq "top -n 2: exit status" top-exit=0 "$(grep '^top-exit=' "$T/screen")"
expect_eq "top -n 2: frames left on the screen" 1 "$(grep -c '^ldctl top - ' "$T/screen")"
busy "$T/screen" || fail "top -n 2: real1 not busy in the last frame: $(cat "$T/screen")"
expect_idle "$T/screen" "top -n 2"
tm kill-session -t topn

log "ldctl top, batch: two frames to a pipe"
ld top -n 2 -d 1 >"$T/top" || fail "ldctl top -n 2 failed"
expect_eq "frames" 2 "$(grep -c '^ldctl top - ' "$T/top")"
busy "$T/top" || fail "batch: real1 not busy in the last frame: $(cat "$T/top")"
ok "batch: real1's link at $(col "$T/top" "-> ${REAL[1]}:80" 2) conns/s in the last frame"
expect_idle "$T/top" "batch"
touch "$T/stop"
wait "$traffic_pid"
