# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The topology of the keepalived tests (test-vrrp.sh, test-vrrp-sync.sh),
# sourced after lib.sh's lib_init: a switch namespace with two bridges,
# directors A and B on both (outside, inside), the client on br-out, the
# reals on br-in; the VRRP addresses D_OUT and D_IN are the client's next
# hop for the VIP and the reals' gateway. The caller sets NS_SW, NS_A,
# NS_B and CLIENT_TBF, the tbf options of the switch port to the client,
# and may set CLIENT_RMEM, the client's net.ipv4.tcp_rmem.

# the directors' own addresses (both families: the shipped configuration
# has an IPv4 and an IPv6 pair of instances)
A_ADDRS=(10.0.1.11/24 10.0.2.2/24 2001:db8:1::11/64 2001:db8:2::2/64)
B_ADDRS=(10.0.1.12/24 10.0.2.3/24 2001:db8:1::12/64 2001:db8:2::3/64)
# the VRRP addresses: the client's next hop for the VIP, the reals' gateway
# shellcheck disable=SC2034 # the tests' names for them
GW_OUT=$D_OUT GW_IN=$D_IN

director_addrs() # NS OUT4 IN4 OUT6 IN6
{
	ip -n "$1" -batch - <<-EOF
	link set lo up
	addr add $2 dev outside
	addr add $3 dev inside
	addr add $4 dev outside nodad
	addr add $5 dev inside nodad
	link set outside up
	link set inside up
	EOF
}

# director_reboot NS OUT4 IN4 OUT6 IN6: a failed director's links as a
# reboot leaves them: its own addresses only, links up. The VRRP addresses
# died with its keepalived; left in place (IPv4 keeps addresses across a
# link down) they would answer the peer's clients and reals for the gateway
# until the new keepalived removes them, and a reply sent to this director
# then misses the master's conn table.
director_reboot()
{
	ip -n "$1" -batch - <<-EOF
	addr flush dev outside
	addr flush dev inside
	EOF
	director_addrs "$@"
}

setup_vrrp_topology()
{
	local ns d n nd='' mc='mcast_snooping 0'

	for ns in "$NS_SW" "$NS_A" "$NS_B" "$NS_C" "${NS_R[@]:1}"; do
		ip netns add "$ns"
	done
	[[ $LDIR_FAMILY == 6 ]] && nd=nodad
	for ns in "$NS_A" "$NS_B"; do
		# before the links: their link-local addresses (VRRPv3's
		# source over IPv6) and the VRRP ones usable at once
		nsx "$ns" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad &&
			echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad &&
			echo 1 >/proc/sys/net/ipv4/ip_forward &&
			echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
	done
	{
		echo "link set lo up"
		echo "link add br-out type bridge forward_delay 0 $mc"
		echo "link add br-in type bridge forward_delay 0 $mc"
		for d in a b; do
			ns=$NS_A
			[[ $d == b ]] && ns=$NS_B
			echo "link add $d-out type veth peer name outside netns $ns"
			echo "link add $d-in type veth peer name inside netns $ns"
			echo "link set $d-out master br-out up"
			echo "link set $d-in master br-in up"
		done
		echo "link add c type veth peer name eth0 netns $NS_C"
		echo "link set c master br-out up"
		for n in 1 2 3; do
			echo "link add s$n type veth peer name eth0 netns ${NS_R[$n]}"
			echo "link set s$n master br-in up"
		done
		echo "link set br-out up"
		echo "link set br-in up"
	} | ip -n "$NS_SW" -batch -
	# shellcheck disable=SC2086 # options, a word each
	nsx "$NS_SW" tc qdisc add dev c root tbf $CLIENT_TBF
	director_addrs "$NS_A" "${A_ADDRS[@]}"
	director_addrs "$NS_B" "${B_ADDRS[@]}"
	# a small receive buffer: the downloads' data waits at the reals,
	# not in the client's socket, so their flows are mid-flight
	sysctl_set "$NS_C" net.ipv4.tcp_rmem "'${CLIENT_RMEM:-4096 32768 65536}'"
	ip -n "$NS_C" -batch - <<-EOF
	link set lo up
	addr add $CLIENT/$PLEN dev eth0 $nd
	link set eth0 up
	route add $VIP_NET via $GW_OUT
	EOF
	for n in 1 2 3; do
		ip -n "${NS_R[$n]}" -batch - <<-EOF
		link set lo up
		addr add ${REAL[$n]}/$PLEN dev eth0 $nd
		link set eth0 up
		route add default via $GW_IN
		EOF
	done
}
