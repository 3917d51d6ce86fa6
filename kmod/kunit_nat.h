/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NAT suites' packets and checks, for IPv4 and IPv6 alike
 * (kunit_nat.c), which kunit_nat.c's IPv4 and kunit_nat6.c's IPv6
 * suites run.
 */
#ifndef _LDIR_KUNIT_NAT_H
#define _LDIR_KUNIT_NAT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <kunit/test.h>

#include "ldir.h"

#define NAT_PLEN_MAX	200

/* IPv6 only: an extension header between the IPv6 and the L4 one */
enum {
	NAT_EXT_NONE,
	NAT_EXT_DSTOPTS,	/* destination options, PadN */
	NAT_EXT_FRAG,		/* a fragment header with frag_off */
};

/* A TCP or UDP packet, field by field. */
struct nat_pkt {
	u8 family;		/* AF_INET or AF_INET6 */
	u8 proto;
	u8 ip_summed;		/* CHECKSUM_NONE, _COMPLETE or _PARTIAL */
	bool no_csum;		/* a UDP datagram without checksum */
	union nf_inet_addr saddr, daddr;
	__be16 sport, dport;
	__be16 id;		/* IPv4's, or in IPv6's flow label */
	__be32 seq, ack_seq;
	u8 tcp_flags;
	u8 ext;			/* NAT_EXT_* */
	__be16 frag_off;	/* of the fragment header */
	unsigned int plen;
	u8 payload[NAT_PLEN_MAX];
};

/* An ICMP error (ICMPv6 for an IPv6 @in) quoting @quote bytes of @in. */
struct icmp_pkt {
	union nf_inet_addr saddr, daddr;
	u8 type, code;
	__be32 rest;			/* the header's second word */
	unsigned int quote;
	struct nat_pkt in;
	__be16 frag_off;		/* IPv4: of the outer header */
	bool bad_csum;			/* the checksum is off by one */
	bool forged;			/* the source changed after summing */
};

/* An error and its translation, for a test to fill and compare. */
struct icmp_pair {
	struct icmp_pkt p, want;
};

static inline struct icmp_pair *icmp_pair(struct kunit *test)
{
	struct icmp_pair *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	return k;
}

/* ICMP errors need the conn in a table: the suites work in init_net's,
 * with a TCP virtual VIP:80 and a UDP virtual VIP:53, both to one real
 * (ports 8080 and 5353), and one conn on each from a client (ports
 * 40000 and 40001), all of one family.
 */
struct icmp_fx {
	struct ldir_net *ln;
	struct ldir_virtual *v[2];
	struct ldir_real *r;
	struct ldir_conn *cp[2];	/* TCP, UDP */
	u8 wbuf[256 + NAT_PLEN_MAX];
};

/* DNAT and SNAT, each family's suite its own cases */
void ldir_knat_random(struct kunit *test, u8 family, bool dnat);
void ldir_knat_partial(struct kunit *test, u8 family);
void ldir_knat_udp_no_csum(struct kunit *test, u8 family);
void ldir_knat_udp_mangled_0(struct kunit *test, u8 family);
void ldir_knat_cloned(struct kunit *test, u8 family);

/* ICMP errors, in the family of the fixture */
int ldir_knat_icmp_init(struct kunit *test, u8 family);
void ldir_knat_icmp_exit(struct kunit *test);
void ldir_knat_icmp_both(struct kunit *test, bool in);
void ldir_knat_icmp_each(struct kunit *test, unsigned int plen,
			 void (*quote)(struct icmp_pkt *p));
void ldir_knat_icmp_truncated(struct kunit *test);
void ldir_knat_icmp_not_ours(struct kunit *test);
void ldir_knat_icmp_bad_csum(struct kunit *test);

/* and for the cases of one family */
unsigned int ldir_knat_len(const struct nat_pkt *p);
void ldir_knat_icmp_about(struct icmp_pkt *p, const struct ldir_conn *cp,
			  bool in, unsigned int plen);
void ldir_knat_icmp_check(struct kunit *test, const struct icmp_pkt *p,
			  const struct icmp_pkt *want, bool in);
void ldir_knat_icmp_untouched(struct kunit *test, const struct icmp_pkt *p,
			      bool in, int ret);

#endif /* _LDIR_KUNIT_NAT_H */
