#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side checks of what the packages ship besides the binaries, no
# module needed: the man pages build with scdoc and `man --warnings` has
# nothing to say; every setting and command of ldctl is in ldctl(8) and
# every counter in ldir(7) (names read from tools/ldctl/model.c and
# `ldctl help`); bash completion offers objects, verbs, settings, schemes
# and the live virtuals and reals; ldir.service passes `systemd-analyze
# verify`.
#
# usage: dist/test.sh [path/to/ldctl]; exit 0 pass, 1 fail

set -u
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LDCTL=$(realpath "${1:-$REPO/tools/ldctl/ldctl}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

check()
{
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1${3:+: $3}"
	fi
}

eq()
{
	[ "$2" = "$3" ]
	check "$1" $? "want '$2', got '$3'"
}

# -------------------------------------------------------------- man pages
for page in ldctl.8 ldsyncd.8 ldir.7; do
	scdoc <"$REPO/doc/$page.scd" >"$T/$page" 2>"$T/err"
	check "scdoc $page" $? "$(cat "$T/err")"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$T/$page" >"$T/$page.txt" 2>"$T/err"
	[ ! -s "$T/err" ] && grep -q NAME "$T/$page.txt"
	check "man --warnings $page" $? "$(head -n 5 "$T/err")"
done

# names[] of a table in model.c: ld_stats_names, ld_config_names
names()
{
	sed -n "/^const char \*const $1\[/,/^};/p" "$REPO/tools/ldctl/model.c" |
		grep -o '= "[a-z0-9-]*"' | tr -d '= "'
}

for n in $(names ld_config_names); do
	# read only: the conn table's fill, shown by ldctl config
	# read only: shown by "ldctl config", set by nobody
	case $n in conn-count|embryonic-count|pressure) continue ;; esac
	grep -qF -- "*$n*" "$REPO/doc/ldctl.8.scd"
	check "setting $n in ldctl(8) SETTINGS" $?
done
eq "settings found in model.c" yes "$([ "$(names ld_config_names | wc -l)" -gt 10 ] && echo yes)"
for n in $(names ld_stats_names); do
	grep -qF -- "*$n*" "$REPO/doc/ldir.7.scd"
	check "counter $n in ldir(7) COUNTERS" $?
done
eq "counters found in model.c" yes "$([ "$(names ld_stats_names | wc -l)" -gt 10 ] && echo yes)"
for c in $("$LDCTL" help | awk '$1 == "ldctl" { w = $2; if (w ~ /^\[/) w = $3; print w }' | sort -u); do
	grep -qF -- "*ldctl $c" "$REPO/doc/ldctl.8.scd"
	check "command $c in ldctl(8)" $?
done

# ------------------------------------------------------------ completion
# a stand-in ldctl: the real one, but "save" prints a known configuration
cat >"$T/ldctl" <<EOT
#!/bin/sh
if [ "\$1" = save ]; then
	printf '%s\n' '# saved' 'real add 10.0.2.11:0 weight 1 maxconns 0 state in' \
		'real add [2001:db8::11]:0 weight 1 maxconns 0 state in' \
		'virtual add tcp 192.0.2.10:80 sched wlc state in' \
		'virtual add udp 192.0.2.10:53 sched rr state in' \
		'virtual add tcp [2001:db8::10]:443 sched wlc state in'
	exit 0
fi
exec "$LDCTL" "\$@"
EOT
chmod +x "$T/ldctl"
# shellcheck disable=SC1091
. /usr/share/bash-completion/bash_completion
# shellcheck source=dist/ldctl.bash-completion
. "$REPO/dist/ldctl.bash-completion"

comp()
{
	local COMP_WORDS COMP_CWORD COMP_LINE COMP_POINT COMPREPLY=()

	COMP_WORDS=("$T/ldctl" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	_ldctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# as comp, but the words broken as bash breaks them: colons apart
# ("[2001:db8::1]:80" is "[2001" ":" "db8" "::" "1]" ":" "80")
compc()
{
	local COMP_WORDS COMP_CWORD COMP_LINE COMP_POINT COMPREPLY=() w t

	COMP_WORDS=("$T/ldctl")
	for w in "$@"; do
		[[ -z $w ]] && COMP_WORDS+=("")
		while [[ -n $w ]]; do
			if [[ $w == :* ]]; then t=${w%%[!:]*}; else t=${w%%:*}; fi
			COMP_WORDS+=("$t")
			w=${w#"$t"}
		done
	done
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$T/ldctl $*"
	COMP_POINT=${#COMP_LINE}
	_ldctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

has()
{
	local got=" $2 " w

	for w in $3; do
		[[ $got == *" $w "* ]] || { check "complete $1" 1 "'$w' not in '$2'"; return; }
	done
	check "complete $1" 0
}

has "objects" "$(comp "")" "virtual real link show stats config save restore monitor flush"
has "objects after -j" "$(comp -j "")" "virtual real show"
has "complete options" "$(comp -)" "-j --json -n --numeric -d --details -s --stats -N --netns -V --version -h --help"
eq "complete virtual verbs" "add del help set show" "$(comp virtual "")"
has "virtual add settings" "$(comp virtual add tcp 192.0.2.1:80 "")" \
	"sched state startup startup-pct startup-window backup fpa fpa-mask bind stateless overflow no-overflow"
eq "complete schemes" "hash3 hash5 lc maglev pr rr wlc wrr" "$(comp virtual add tcp 192.0.2.1:80 sched "")"
eq "complete real settings" "backup fail-threshold idle-timeout maxconns state syn-threshold weight" \
	"$(comp real add 10.0.0.1 "")"
eq "complete state" "in out" "$(comp real set 10.0.2.11 state "")"
eq "complete config keys" "$(names ld_config_names | grep -vxE 'conn-count|embryonic-count|pressure' | sort | tr '\n' ' ' | sed 's/ $//')" \
	"$(comp config set "")"
eq "complete the protocol first" "tcp udp" "$(comp virtual del "")"
eq "complete live virtual" "192.0.2.10:80 [2001:db8::10]:443" "$(comp virtual del tcp "")"
eq "complete live virtual, udp" "192.0.2.10:53" "$(comp virtual set udp "")"
eq "complete live real" "10.0.2.11:0 [2001:db8::11]:0" "$(comp real set "")"
eq "complete protocol" "tcp udp" "$(comp link add "")"
eq "complete link's virtual" "192.0.2.10:80 [2001:db8::10]:443" "$(comp link add tcp "")"
eq "complete link's words" "bind port real" "$(comp link add tcp 192.0.2.10:80 "")"
eq "complete link's real" "10.0.2.11:0 [2001:db8::11]:0" "$(comp link add tcp 192.0.2.10:80 real "")"
eq "complete assign's virtual" "192.0.2.10:80 [2001:db8::10]:443" "$(comp assign tcp "")"
# words with colons, as bash breaks them: the reply is what follows the
# last colon typed
eq "complete an IPv6 virtual" "10]:443" "$(compc virtual del tcp "[2001:db8::1")"
eq "complete an IPv4 virtual's port" "80" "$(compc virtual set tcp 192.0.2.10:)"
eq "complete an IPv6 real" "[2001:db8::11]:0" "$(compc link add tcp "[2001:db8::10]:443" real "[")"
eq "complete an IPv6 real's port" "0" "$(compc real del "[2001:db8::11]:")"
eq "complete an IPv6 backup" "10]:443" "$(compc virtual set tcp 192.0.2.10:80 backup "[2001:db8::")"
eq "complete after an IPv6 virtual" "bind" "$(compc virtual del tcp "[2001:db8::10]:443" "")"
has "settings after an IPv6 virtual" "$(compc virtual set tcp "[2001:db8::10]:443" "")" "sched state backup fpa-mask"
eq "complete fpa flush's protocol" "tcp udp" "$(comp fpa flush "")"
eq "complete flush" "conns help" "$(comp flush "")"
eq "complete sync option" "--dry-run" "$(comp sync --d)"
mkdir "$T/etc" && touch "$T/etc/ldir.conf"
eq "complete sync file" "$T/etc/ldir.conf" "$(comp sync "$T/etc/l")"
eq "complete restore file" "$T/etc/ldir.conf" "$(comp restore "$T/etc/")"

# every option of ldsyncd --help in ldsyncd(8)
LDSYNCD=$REPO/tools/ldsyncd/ldsyncd
if [ -x "$LDSYNCD" ]; then
	opts=$("$LDSYNCD" --help | grep -oE -- '--[a-z-]+' | sort -u)
	eq "ldsyncd options found" yes "$([ "$(echo "$opts" | wc -l)" -gt 8 ] && echo yes)"
	for o in $opts; do
		grep -qF -- "*$o*" "$REPO/doc/ldsyncd.8.scd"
		check "ldsyncd option $o in ldsyncd(8)" $?
	done
fi

# ----------------------------------------------------------------- unit
if command -v systemd-analyze >/dev/null; then
	sed "s|@SBINDIR@|$(dirname "$LDCTL")|g" "$REPO/dist/ldir.service.in" >"$T/ldir.service"
	systemd-analyze verify --man=no "$T/ldir.service" >"$T/err" 2>&1
	[ ! -s "$T/err" ]
	check "systemd-analyze verify ldir.service" $? "$(cat "$T/err")"
	if [ -x "$LDSYNCD" ]; then
		sed "s|@SBINDIR@|$(dirname "$LDSYNCD")|g" "$REPO/dist/ldsyncd.service.in" \
			>"$T/ldsyncd.service"
		systemd-analyze verify --man=no "$T/ldsyncd.service" >"$T/err" 2>&1
		[ ! -s "$T/err" ]
		check "systemd-analyze verify ldsyncd.service" $? "$(cat "$T/err")"
	fi
else
	echo "(no systemd-analyze: ldir.service not verified)"
fi

echo "dist/test.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
