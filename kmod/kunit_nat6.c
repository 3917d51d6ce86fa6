// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: IPv6 DNAT, SNAT and ICMPv6 error translation update checksums
 * incrementally; each result must equal, byte for byte, the translated
 * packet built from scratch with full checksums (csum_ipv6_magic). The
 * packets and checks are kunit_nat.c's, for both families.
 */
#include <net/ipv6.h>
#include <kunit/test.h>

#include "kunit_nat.h"

static void nat6_dnat_random(struct kunit *test)
{
	ldir_knat_random(test, AF_INET6, true);
}

static void nat6_snat_random(struct kunit *test)
{
	ldir_knat_random(test, AF_INET6, false);
}

static void nat6_partial(struct kunit *test)
{
	ldir_knat_partial(test, AF_INET6);
}

static void nat6_udp_no_csum(struct kunit *test)
{
	ldir_knat_udp_no_csum(test, AF_INET6);
}

static void nat6_udp_mangled_0(struct kunit *test)
{
	ldir_knat_udp_mangled_0(test, AF_INET6);
}

static void nat6_cloned(struct kunit *test)
{
	ldir_knat_cloned(test, AF_INET6);
}

/* Inbound, Packet Too Big then Destination Unreachable about VIP:vport
 * -> client: the quoted source becomes real:rport (with its L4
 * checksum), the outer destination the real.
 */
static void icmp6_in(struct kunit *test)
{
	ldir_knat_icmp_both(test, true);
}

/* Outbound, Destination Unreachable from the real then Packet Too Big
 * from a router behind it about client -> real:rport: the quoted
 * destination becomes VIP:vport, the outer source the VIP if it was the
 * real; a router's stays.
 */
static void icmp6_out(struct kunit *test)
{
	ldir_knat_icmp_both(test, false);
}

static void icmp6_truncated(struct kunit *test)
{
	ldir_knat_icmp_truncated(test);
}

/* A destination options header between the quoted IPv6 header and TCP
 * or UDP is walked past.
 */
static void quote_dstopts(struct icmp_pkt *p)
{
	p->in.ext = NAT_EXT_DSTOPTS;
	p->quote = ldir_knat_len(&p->in);
}

static void icmp6_exthdr(struct kunit *test)
{
	ldir_knat_icmp_each(test, 40, quote_dstopts);
}

/* The first fragment of a datagram holds its ports: it is the flow's. */
static void quote_first_fragment(struct icmp_pkt *p)
{
	p->in.ext = NAT_EXT_FRAG;
	p->in.frag_off = htons(IP6_MF);
	p->quote = ldir_knat_len(&p->in);
}

static void icmp6_first_fragment(struct kunit *test)
{
	ldir_knat_icmp_each(test, 64, quote_first_fragment);
}

/* Not ours: other flows, the wrong way, echo requests and replies, and
 * the quote of a later fragment of the flow's datagram, which has no
 * ports: left alone, either way.
 */
static void icmp6_not_ours(struct kunit *test)
{
	struct icmp_pkt *p = &icmp_pair(test)->p;
	struct icmp_fx *fx = test->priv;
	int in;

	ldir_knat_icmp_not_ours(test);
	for (in = 0; in < 2; in++) {
		ldir_knat_icmp_about(p, fx->cp[0], in, 24);
		p->in.ext = NAT_EXT_FRAG;
		p->in.frag_off = htons(in ? 1448 : 8 | IP6_MF);
		p->quote = ldir_knat_len(&p->in);
		ldir_knat_icmp_check(test, p, NULL, in);
	}
}

/* A bad checksum is refused, and so is a good one for other addresses:
 * the pseudo-header is in the sum, and an error whose source was forged
 * on the way must not leave with a good one.
 */
static void icmp6_bad_csum(struct kunit *test)
{
	struct icmp_pkt *p = &icmp_pair(test)->p;
	struct icmp_fx *fx = test->priv;
	int i, in;

	ldir_knat_icmp_bad_csum(test);
	for (i = 0; i < ARRAY_SIZE(fx->cp); i++) {
		for (in = 0; in < 2; in++) {
			ldir_knat_icmp_about(p, fx->cp[i], in, 24);
			p->forged = true;
			ldir_knat_icmp_untouched(test, p, in, -EBADMSG);
		}
	}
}

static int icmp6_init(struct kunit *test)
{
	return ldir_knat_icmp_init(test, AF_INET6);
}

static struct kunit_case ldir_nat6_cases[] = {
	KUNIT_CASE_SLOW(nat6_dnat_random),
	KUNIT_CASE_SLOW(nat6_snat_random),
	KUNIT_CASE(nat6_partial),
	KUNIT_CASE(nat6_udp_no_csum),
	KUNIT_CASE(nat6_udp_mangled_0),
	KUNIT_CASE(nat6_cloned),
	{}
};

static struct kunit_suite ldir_nat6_suite = {
	.name = "ldir_nat6",
	.test_cases = ldir_nat6_cases,
};

static struct kunit_case ldir_nat6_icmp_cases[] = {
	KUNIT_CASE(icmp6_in),
	KUNIT_CASE(icmp6_out),
	KUNIT_CASE(icmp6_truncated),
	KUNIT_CASE(icmp6_exthdr),
	KUNIT_CASE(icmp6_first_fragment),
	KUNIT_CASE(icmp6_not_ours),
	KUNIT_CASE(icmp6_bad_csum),
	{}
};

static struct kunit_suite ldir_nat6_icmp_suite = {
	.name = "ldir_nat6_icmp",
	.init = icmp6_init,
	.exit = ldir_knat_icmp_exit,
	.test_cases = ldir_nat6_icmp_cases,
};

kunit_test_suites(&ldir_nat6_suite, &ldir_nat6_icmp_suite);
