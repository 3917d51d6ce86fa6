# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The runs of the selftests: sourced by check.sh (host) and init.sh (guest),
# so that both count and name them the same way.
#
# A test runs once per address family its header names, and on the kernels
# its header allows for that family:
#   # ldir-families: 4 6        the families (default: 4); each run gets
#                               LDIR_FAMILY=4|6 and lib.sh the addresses
#   # ldir-kernels: 6.1 6.12    the kernels (default: every one)
#   # ldir-kernels-ipv6: LIST   the kernels of the IPv6 run (default: those
#                               of ldir-kernels less debug)
#   # ldir-timeout: SECONDS     the test's timeout in the guest, where longer
#                               than LDIR_TEST_TIMEOUT's (a test whose steps
#                               wait on daemons' timers on a loaded guest)
# The IPv4 run is named after the script ("test-basic.sh"), the IPv6 one
# gets ":ipv6" ("test-basic.sh:ipv6"). LDIR_TESTS (an ERE) selects runs by
# name: 'basic' both, 'basic\.sh$' the IPv4 one, ':ipv6' every IPv6 one.
# LDIR_FAMILIES ("4 6" by default) limits the families.

# test_header DIR SCRIPT KEY: the value of the header line "# ldir-KEY: ..."
# (bash only: a process costs ~150 ms on the debug kernel)
test_header()
{
	local line n=0

	while IFS= read -r line && ((n++ < 20)); do
		if [[ $line == "# ldir-$3:"* ]]; then
			line=${line#"# ldir-$3:"}
			# shellcheck disable=SC2086 # the words, trimmed
			echo $line
			return 0
		fi
	done <"$1/$2"
}

# test_runs DIR KERNEL: one line "SCRIPT FAMILY NAME" per run on KERNEL that
# LDIR_TESTS and LDIR_FAMILIES select, in the scripts' order.
test_runs()
{
	local dir=$1 kernel=$2 t fams f kern v6 name

	# shellcheck disable=SC2012 # test-*.sh: plain names
	for t in $(cd "$dir" && ls test-*.sh 2>/dev/null | LC_ALL=C sort); do
		fams=$(test_header "$dir" "$t" families)
		for f in ${fams:-4}; do
			case " ${LDIR_FAMILIES:-4 6} " in *" $f "*) ;; *) continue ;; esac
			kern=$(test_header "$dir" "$t" kernels)
			kern=${kern:-debug 6.1 6.12}
			name=$t
			if [ "$f" = 6 ]; then
				name=$t:ipv6
				v6=$(test_header "$dir" "$t" kernels-ipv6)
				kern=" $kern "
				kern=${v6:-${kern// debug / }}
			fi
			if [ -n "${LDIR_TESTS:-}" ] && ! [[ $name =~ $LDIR_TESTS ]]; then
				continue
			fi
			if [[ " $kern " != *" $kernel "* ]]; then
				# shellcheck disable=SC2086 # the words, trimmed
				set -- $kern
				echo "--- not on $kernel: $name (kernels: $*)" >&2
				continue
			fi
			echo "$t $f $name"
		done
	done
}
