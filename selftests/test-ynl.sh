#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ldir-kernels: 6.12
#
# The family driven from its spec (Documentation/netlink/specs/ldir.yaml) by
# the kernel's own ynl CLI (tools/net/ynl/cli.py of linux-source-6.12, which
# the harness packs as /ldir/ynl with python3): create a virtual, a real and
# a link, dump them, check that ldctl sees the same, an event, an expected
# refusal with its extack, delete them. A spec that drifts from the module
# (an attribute's number or type, a nest, an enum value, a command) makes
# ynl encode or decode something else, and a check here fails. One
# namespace, no topology:
#
#   ┌──────────────────────────────┐
#   │ director: lo; ldir's config  │ <- ynl (cli.py --spec ldir.yaml), ldctl
#   └──────────────────────────────┘

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
lib_init

Y=/ldir/ynl
[[ -f $Y/cli.py ]] || fail "$Y/cli.py missing (the harness packs it on 6.12)"
command -v python3 >/dev/null || fail "python3 missing in the guest"
ip netns add "$NS_D"
ip -n "$NS_D" link set lo up

# ynl ARGS...: the CLI in the director's namespace, replies as JSON
ynl() { nsx "$NS_D" python3 "$Y/cli.py" --spec "$Y/ldir.yaml" --no-schema --output-json "$@"; }

# addresses: 16 bytes, IPv4 in the first 4 (hex, as ynl takes binary)
# shellcheck disable=SC2086 # split at the dots
hex4() { local IFS=.; set -- $1; printf '%02x%02x%02x%02x%024d' "$@" 0; }
VKEY="{\"family\": 2, \"addr\": \"$(hex4 192.0.2.10)\", \"port\": 80, \"protocol\": 6}"
RKEY="{\"family\": 2, \"addr\": \"$(hex4 10.0.2.11)\", \"port\": 8080}"

log "create: virtual-new, real-new, link-new (one request each, one batch)"
ynl --multi virtual-new "{\"virtual\": {\"family\": 2,
	\"addr\": \"$(hex4 192.0.2.10)\", \"port\": 80, \"protocol\": 6,
	\"sched\": \"wrr\", \"startup\": \"rr\", \"startup-pct\": 40,
	\"fpa-interval\": 60}}" \
	--multi real-new "{\"real\": {\"family\": 2,
	\"addr\": \"$(hex4 10.0.2.11)\", \"port\": 8080, \"weight\": 3,
	\"max-conns\": 100, \"syn-threshold\": 7}}" \
	--multi link-new "{\"link\": {\"virtual\": $VKEY, \"real\": $RKEY,
	\"port\": 8081}}" >"$T/out"
ok "ynl created a virtual, a real and a link"

log "dump them with ynl"
v=$(ynl --dump virtual-get | jq -c '[.[].virtual | {family, addr, port,
	protocol, "bind-id", sched, state, startup, "startup-pct",
	"fpa-interval", nlinks, conns, flags}]')
expect_eq "virtual-get" \
	"[{\"family\":2,\"addr\":\"$(hex4 192.0.2.10)\",\"port\":80,\"protocol\":6,\"bind-id\":0,\"sched\":\"wrr\",\"state\":\"in\",\"startup\":\"rr\",\"startup-pct\":40,\"fpa-interval\":60,\"nlinks\":1,\"conns\":0,\"flags\":[]}]" \
	"$v"
r=$(ynl --dump real-get | jq -c '[.[].real | {family, addr, port, weight,
	"max-conns", state, "syn-threshold", nlinks,
	stats: (.stats | del(.pad) | keys | length)}]')
expect_eq "real-get (stats: its u64 counters)" \
	"[{\"family\":2,\"addr\":\"$(hex4 10.0.2.11)\",\"port\":8080,\"weight\":3,\"max-conns\":100,\"state\":\"in\",\"syn-threshold\":7,\"nlinks\":1,\"stats\":30}]" \
	"$r"
l=$(ynl --dump link-get | jq -c '[.[].link | {virtual, real, port, active}]')
expect_eq "link-get" \
	"[{\"virtual\":{\"family\":2,\"addr\":\"$(hex4 192.0.2.10)\",\"port\":80,\"protocol\":6,\"bind-id\":0},\"real\":$(jq -c . <<<"$RKEY"),\"port\":8081,\"active\":0}]" \
	"$l"
c=$(ynl --do stats-get | jq -c '{conns: .stats.conns,
	syn: (.config["timeout-syn"] > 0), max: (.config["conn-max"] > 0)}')
expect_eq "stats-get: a stats and a config nest" \
	'{"conns":0,"syn":true,"max":true}' "$c"

log "ldctl sees what ynl made"
j=$(ld -j show)
expect_eq "ldctl: the virtual, its scheme and its link" \
	'[{"address":"192.0.2.10","port":80,"protocol":"tcp","sched":"wrr","links":[{"real":"10.0.2.11","real_port":8080,"port":8081}]}]' \
	"$(jq -c '[.virtuals[] | {address, port, protocol, sched,
		links: [.links[] | {real, real_port, port}]}]' <<<"$j")"
expect_eq "ldctl: the real" '[{"address":"10.0.2.11","port":8080,"weight":3}]' \
	"$(ld -j real | jq -c '[.[] | {address, port, weight}]')"

log "an event: real-set state out, with the events group subscribed"
# ynl's lib, as cli.py uses it, with a listener of its own: cli.py's
# --subscribe shares the socket with the request, and ynl (6.12) trips on
# an event that comes before the request's ack
e=$(nsx "$NS_D" python3 - "$Y" "$(hex4 10.0.2.11)" <<'EOT'
import json, sys, time
sys.path.insert(0, sys.argv[1])
from lib import YnlFamily
spec = sys.argv[1] + '/ldir.yaml'
listener = YnlFamily(spec, '')
listener.ntf_subscribe('events')
YnlFamily(spec, '').do('real-set', {'real': {'family': 2, 'addr': sys.argv[2],
                                             'port': 8080, 'state': 'out'}})
for _ in range(100):
    listener.check_ntf()
    if listener.async_msg_queue:
        break
    time.sleep(0.05)
print(json.dumps([{'name': n['name'], 'type': n['msg']['event']['type'],
                   'state': n['msg']['event']['real']['state'],
                   'addr': n['msg']['event']['real']['addr'].hex(),
                   'port': n['msg']['event']['real']['port']}
                  for n in listener.async_msg_queue]))
EOT
)
expect_eq "the notification ynl decoded" \
	"[{\"name\": \"event\", \"type\": \"real-state\", \"state\": \"out\", \"addr\": \"$(hex4 10.0.2.11)\", \"port\": 8080}]" \
	"$e"

log "a refusal explains itself (extack)"
rc=0
out=$(ynl --do virtual-new --json "{\"virtual\": {\"family\": 10,
	\"addr\": \"fe800000000000000000000000000001\", \"port\": 80,
	\"protocol\": 6}}" 2>&1) || rc=$?
expect_eq "a link-local IPv6 VIP, virtual-new: exit status" 1 "$rc"
expect_match "its error" "Invalid argument" "$out"
expect_match "its extack message" \
	"'msg': 'a link-local address has no scope here: use a global one'" "$out"
expect_match "the attribute it names, resolved through the spec" \
	"'bad-attr': '\\.virtual\\.addr'" "$out"

log "delete: link-del, real-del, virtual-del"
ynl --multi link-del "{\"link\": {\"virtual\": $VKEY, \"real\": $RKEY}}" \
	--multi real-del "{\"real\": $RKEY}" \
	--multi virtual-del "{\"virtual\": $VKEY}" >/dev/null
expect_eq "link-get after the deletes" 0 "$(ynl --dump link-get | jq length)"
expect_eq "ldctl after the deletes: virtuals" 0 "$(ld -j show | jq '.virtuals | length')"
expect_eq "ldctl after the deletes: reals" 0 "$(ld -j real | jq length)"
