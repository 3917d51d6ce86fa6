// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which packets of a conn may take the fast path
 * (ldir_fastpath_eligible()), and when `ldctl conns` shows a conn on it.
 */
#include <kunit/test.h>

#include "fastpath.h"

static void conn_init(struct ldir_conn *cp, u8 protocol, u8 state,
		      bool timing)
{
	memset(cp, 0, sizeof(*cp));
	cp->family = AF_INET;
	cp->protocol = protocol;
	cp->state = state;
	if (timing)
		__set_bit(LDIR_CONN_B_TIMING, &cp->flags);
}

static void fp_tcp(struct kunit *test)
{
	struct tcphdr th = { .ack = 1 };
	struct ldir_conn cp;
	u8 s;

	conn_init(&cp, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED, false);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.psh = 1;
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	/* the flags that move the state go the slow way */
	th.fin = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.fin = 0;
	th.rst = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.rst = 0;
	th.syn = 1;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	th.syn = 0;
	/* every other state: the slow path */
	for (s = 0; s < __LDIR_CONN_S_MAX; s++) {
		cp.state = s;
		KUNIT_EXPECT_EQ(test, ldir_fastpath_eligible(&cp, &th, true, true),
				s == LDIR_CONN_S_ESTABLISHED);
	}
	cp.state = LDIR_CONN_S_ESTABLISHED;
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, false, true));
	/* pr still times the real: its packets take the slow path until
	 * it answered; the client's once its first data started the clock
	 */
	conn_init(&cp, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED, true);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, false, true));
	/* a bare ACK moves no clock: either way */
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, false));
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, false, false));
	set_bit(LDIR_CONN_B_CDATA, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, &th, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, &th, false, true));
}

static void fp_udp(struct kunit *test)
{
	struct ldir_conn cp;

	/* made, its first datagram not through yet (no clock moved) */
	conn_init(&cp, IPPROTO_UDP, LDIR_CONN_S_UDP, true);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, false, true));
	/* the first datagram passed: the client's go fast, one-way too */
	set_bit(LDIR_CONN_B_CDATA, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_eligible(&cp, NULL, false, true));
	/* the real answered: both ways */
	clear_bit(LDIR_CONN_B_TIMING, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, true, true));
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_eligible(&cp, NULL, false, true));
}

static void fp_offloaded(struct kunit *test)
{
	struct ldir_conn cp;

	conn_init(&cp, IPPROTO_TCP, LDIR_CONN_S_ESTABLISHED, false);
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_offloaded(&cp));
	set_bit(LDIR_CONN_B_FASTPATH, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_offloaded(&cp));
	/* a FIN or an RST ends it */
	cp.state = LDIR_CONN_S_FIN_WAIT;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_offloaded(&cp));
	cp.state = LDIR_CONN_S_CLOSE;
	KUNIT_EXPECT_FALSE(test, ldir_fastpath_offloaded(&cp));
	conn_init(&cp, IPPROTO_UDP, LDIR_CONN_S_UDP, false);
	set_bit(LDIR_CONN_B_FASTPATH, &cp.flags);
	KUNIT_EXPECT_TRUE(test, ldir_fastpath_offloaded(&cp));
}

/* The conn stays two cache lines for IPv4 with the fast path's route. */
static void fp_conn_size(struct kunit *test)
{
	KUNIT_EXPECT_LE(test, LDIR_CONN4_SIZE, 128);
	KUNIT_EXPECT_LT(test, offsetof(struct ldir_conn, fp_route),
			offsetof(struct ldir_conn, flags));
}

static struct kunit_case ldir_fastpath_cases[] = {
	KUNIT_CASE(fp_tcp),
	KUNIT_CASE(fp_udp),
	KUNIT_CASE(fp_offloaded),
	KUNIT_CASE(fp_conn_size),
	{}
};

static struct kunit_suite ldir_fastpath_suite = {
	.name = "ldir_fastpath",
	.test_cases = ldir_fastpath_cases,
};

kunit_test_suites(&ldir_fastpath_suite);
