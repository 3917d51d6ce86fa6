// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of ldctl's parsers, printers, JSON writer and attribute
 * encoding: everything that does not need the ldir module.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "ldctl.h"
#include "json.h"
#include "model.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	checks++;							\
	if (strcmp(g_, w_)) {						\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL:\n  got:  %s\n  want: %s\n",	\
			__FILE__, __LINE__, g_, w_);			\
	}								\
} while (0)

/* Error capture: ldctl_err writes into errbuf. */
static char *errbuf;
static size_t errlen;

static void err_start(void)
{
	free(errbuf);
	errbuf = NULL;
	ldctl_errf = open_memstream(&errbuf, &errlen);
}

static const char *err_end(void)
{
	fclose(ldctl_errf);
	ldctl_errf = NULL;
	return errbuf;
}

/* Output capture for printers. */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_start(struct cap *c)
{
	c->buf = NULL;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

static const char *cap_end(struct cap *c)
{
	fclose(c->f);
	return c->buf;
}

/* Split a command line into a NULL-terminated argv (static storage). */
static int words(char **argv, const char *line)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s", line);
	return restore_split(buf, argv, 64);
}

static void check_bad(int (*fn)(int argc, char **argv), const char *line,
		      const char *msg);

static int ladd(int argc, char **argv)
{
	struct ld_link l;
	bool flush;

	return link_parse(LD_ADD, argc, argv, &l, &flush);
}

static void test_numbers(void)
{
	uint64_t v = 42;
	uint32_t u;

	CHECK(!parse_uint("0", 0, 65535, &v) && v == 0);
	CHECK(!parse_uint("65535", 0, 65535, &v) && v == 65535);
	CHECK(!parse_uint("0080", 0, 65535, &v) && v == 80);
	CHECK(!parse_uint("4294967295", 0, UINT32_MAX, &v) && v == UINT32_MAX);
	CHECK(parse_uint("65536", 0, 65535, &v));
	CHECK(parse_uint("4294967296", 0, UINT32_MAX, &v));
	CHECK(parse_uint("99999999999999999999999", 0, UINT32_MAX, &v));
	CHECK(parse_uint("", 0, 65535, &v));
	CHECK(parse_uint("-1", 0, 65535, &v));
	CHECK(parse_uint("+1", 0, 65535, &v));
	CHECK(parse_uint(" 1", 0, 65535, &v));
	CHECK(parse_uint("1 ", 0, 65535, &v));
	CHECK(parse_uint("0x10", 0, 65535, &v));
	CHECK(parse_uint("1e3", 0, 65535, &v));
	CHECK(parse_uint("0", 1, 604800, &v));
	CHECK(parse_uint("604801", 1, 604800, &v));

	err_start();
	CHECK(parse_u32("weight", "70000", 0, 65535, &u));
	CHECK_STR(err_end(), "ldctl: invalid weight \"70000\" (expected 0..65535)\n");
}

static void check_ep(const char *s, unsigned int flags, int family,
		     const char *addr, int port, long bind)
{
	struct ld_addr want = { .family = family };
	struct ld_ep ep;
	int ret;

	inet_pton(family, addr, want.addr);
	err_start();
	ret = parse_ep(s, flags, &ep);
	err_end();
	CHECK(ret == 0);
	if (ret) {
		fprintf(stderr, "  for \"%s\": %s", s, errbuf);
		return;
	}
	CHECK(ld_addr_eq(&ep.addr, &want));
	CHECK(ep.has_port == (port >= 0));
	CHECK(ep.port == (port >= 0 ? port : 0));
	CHECK(ep.has_bind == (bind >= 0));
	CHECK(ep.bind == (bind >= 0 ? bind : 0));
}

static void check_ep_bad(const char *s, unsigned int flags, const char *msg)
{
	struct ld_ep ep;

	err_start();
	CHECK(parse_ep(s, flags, &ep) == -1);
	CHECK_STR(err_end(), msg);
}

static void test_endpoints(void)
{
	const unsigned int P = EP_PORT, NP = EP_NEED_PORT, B = EP_BIND;

	check_ep("192.0.2.10:80", NP, AF_INET, "192.0.2.10", 80, -1);
	check_ep("192.0.2.10:0", NP, AF_INET, "192.0.2.10", 0, -1);
	check_ep("10.0.2.11", P, AF_INET, "10.0.2.11", -1, -1);
	check_ep("10.0.2.11:8080", P, AF_INET, "10.0.2.11", 8080, -1);
	check_ep("[2001:db8::1]:80", NP, AF_INET6, "2001:db8::1", 80, -1);
	check_ep("[2001:db8::1]", P, AF_INET6, "2001:db8::1", -1, -1);
	check_ep("2001:db8::1", P, AF_INET6, "2001:db8::1", -1, -1);
	check_ep("[::ffff:192.0.2.1]:65535", NP, AF_INET6, "::ffff:192.0.2.1",
		 65535, -1);
	check_ep("192.0.2.10:80:7", NP | B, AF_INET, "192.0.2.10", 80, 7);
	check_ep("[2001:db8::1]:80:4294967295", NP | B, AF_INET6,
		 "2001:db8::1", 80, 4294967295L);
	check_ep("192.0.2.10:80", NP | B, AF_INET, "192.0.2.10", 80, -1);

	check_ep_bad("10.0.2.300", P, "ldctl: invalid address \"10.0.2.300\"\n");
	check_ep_bad("10.0.2.300:80", NP, "ldctl: invalid address \"10.0.2.300\"\n");
	check_ep_bad("10.0.2", P, "ldctl: invalid address \"10.0.2\"\n");
	check_ep_bad("", P, "ldctl: invalid address \"\"\n");
	check_ep_bad("foo", P, "ldctl: invalid address \"foo\"\n");
	check_ep_bad("localhost:80", NP, "ldctl: invalid address \"localhost:80\"\n");
	check_ep_bad("[2001:db8::1", NP, "ldctl: invalid address \"[2001:db8::1\"\n");
	check_ep_bad("[2001:db8::1]80", NP, "ldctl: invalid address \"[2001:db8::1]80\"\n");
	check_ep_bad("[192.0.2.1]:80", NP, "ldctl: invalid address \"192.0.2.1\"\n");
	check_ep_bad("[2001:db8::g]:80", NP, "ldctl: invalid address \"2001:db8::g\"\n");
	check_ep_bad(" 10.0.0.1:80", NP, "ldctl: invalid address \" 10.0.0.1\"\n");
	check_ep_bad("192.0.2.10", NP,
		     "ldctl: missing port in \"192.0.2.10\" (write ADDR:PORT, port 0 for every port)\n");
	check_ep_bad("2001:db8::1", NP,
		     "ldctl: missing port in \"2001:db8::1\" (write [2001:db8::1]:PORT)\n");
	check_ep_bad("192.0.2.10:", NP,
		     "ldctl: invalid port \"\" in \"192.0.2.10:\" (expected 0..65535)\n");
	check_ep_bad("192.0.2.10:65536", NP,
		     "ldctl: invalid port \"65536\" in \"192.0.2.10:65536\" (expected 0..65535)\n");
	check_ep_bad("192.0.2.10:-1", NP,
		     "ldctl: invalid port \"-1\" in \"192.0.2.10:-1\" (expected 0..65535)\n");
	check_ep_bad("192.0.2.10:http", NP,
		     "ldctl: invalid port \"http\" in \"192.0.2.10:http\" (expected 0..65535)\n");
	check_ep_bad("192.0.2.10:12345678901234567", NP,
		     "ldctl: invalid port in \"192.0.2.10:12345678901234567\" (expected 0..65535)\n");
	check_ep_bad("192.0.2.10:80:7", NP,
		     "ldctl: unexpected \":7\" after the port in \"192.0.2.10:80:7\"\n");
	check_ep_bad("192.0.2.10:80:x", NP | B,
		     "ldctl: invalid bind ID \"x\" in \"192.0.2.10:80:x\" (expected 0..4294967295)\n");
	check_ep_bad("192.0.2.10:80", 0, "ldctl: unexpected port in \"192.0.2.10:80\"\n");

	/*
	 * IPv6: brackets around an address a port follows. Unbracketed, an
	 * address whose last group could be a port is refused where a port
	 * may follow; one that cannot be read so is the address alone.
	 */
	check_ep("[2001:db8::1:80]", P, AF_INET6, "2001:db8::1:80", -1, -1);
	check_ep("[2001:db8::1:80]:0", NP, AF_INET6, "2001:db8::1:80", 0, -1);
	check_ep("2001:db8::1:80", 0, AF_INET6, "2001:db8::1:80", -1, -1);
	check_ep("2001:db8::80", P, AF_INET6, "2001:db8::80", -1, -1);
	check_ep("2001:db8::1:ab", P, AF_INET6, "2001:db8::1:ab", -1, -1);
	check_ep("2001:db8:0:0:0:0:0:80", P, AF_INET6, "2001:db8::80", -1, -1);
	check_ep("::ffff:192.0.2.1", P, AF_INET6, "::ffff:192.0.2.1", -1, -1);
	check_ep("[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535", NP, AF_INET6,
		 "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", 65535, -1);
	check_ep("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535:4294967295",
		 NP | B, AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
		 65535, 4294967295L);
	check_ep_bad("2001:db8::1:80", P,
		     "ldctl: ambiguous address \"2001:db8::1:80\" (IPv6 with a port takes brackets: write [2001:db8::1]:80, or [2001:db8::1:80] for the address alone)\n");
	check_ep_bad("2001:db8::1:80", NP,
		     "ldctl: ambiguous address \"2001:db8::1:80\" (IPv6 with a port takes brackets: write [2001:db8::1]:80, or [2001:db8::1:80]:PORT)\n");
	check_ep_bad("::1:0", P,
		     "ldctl: ambiguous address \"::1:0\" (IPv6 with a port takes brackets: write [::1]:0, or [::1:0] for the address alone)\n");
	check_ep_bad("2001:db8:::80", P,
		     "ldctl: invalid address \"2001:db8:::80\" (IPv6 with a port takes brackets: write [2001:db8::]:80)\n");
	check_ep_bad("2001:db8:0:0:0:0:0:1:8080", NP,
		     "ldctl: invalid address \"2001:db8:0:0:0:0:0:1:8080\" (IPv6 with a port takes brackets: write [2001:db8:0:0:0:0:0:1]:8080)\n");
	check_ep_bad("::ffff:192.0.2.1:80", NP,
		     "ldctl: invalid address \"::ffff:192.0.2.1:80\" (IPv6 with a port takes brackets: write [::ffff:192.0.2.1]:80)\n");
	check_ep_bad("2001:db8::1:65536", P,
		     "ldctl: invalid address \"2001:db8::1:65536\"\n");
	check_ep_bad("2001:db8:::80", 0, "ldctl: invalid address \"2001:db8:::80\"\n");
	check_ep_bad("[2001:db8::1:80]", NP,
		     "ldctl: missing port in \"[2001:db8::1:80]\" (write [2001:db8::1:80]:PORT)\n");
	check_ep_bad("[2001:db8::1]:", NP,
		     "ldctl: invalid port \"\" in \"[2001:db8::1]:\" (expected 0..65535)\n");
	check_ep_bad("[2001:db8::1]:80:7", NP,
		     "ldctl: unexpected \":7\" after the port in \"[2001:db8::1]:80:7\"\n");
	check_ep_bad("[2001:db8::1]:80", 0,
		     "ldctl: unexpected port in \"[2001:db8::1]:80\"\n");
	check_ep_bad("[2001:db8::1]]:80", NP,
		     "ldctl: invalid address \"[2001:db8::1]]:80\"\n");
	check_ep_bad("[[2001:db8::1]]:80", NP,
		     "ldctl: invalid address \"[[2001:db8::1]]:80\"\n");
	check_ep_bad("[]:80", NP, "ldctl: invalid address \"\"\n");
	check_ep_bad("[fe80::1%eth0]:80", NP, "ldctl: invalid address \"fe80::1%eth0\"\n");
	check_ep_bad("[2001:db8::1/64]:80", NP, "ldctl: invalid address \"2001:db8::1/64\"\n");
}

static void test_virtual_parse(void)
{
	struct ld_virtual v;
	char *argv[65];
	int argc;

	argc = words(argv, "tcp 192.0.2.10:80 bind 5 sched wlc state out");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(v.addr.family == AF_INET && v.port == 80);
	CHECK(v.protocol == IPPROTO_TCP && v.bind_id == 5);
	CHECK(!strcmp(v.sched, "wlc") && v.state == LDIR_STATE_OUT);
	CHECK(v.has == (LD_HAS_SCHED | LD_HAS_STATE | LD_HAS_BIND));

	argc = words(argv, "udp [2001:db8::1]:0");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(v.addr.family == AF_INET6 && v.port == 0);
	CHECK(v.protocol == IPPROTO_UDP && !v.has);

	argc = words(argv, "tcp 192.0.2.10:80 bind 3");
	CHECK(!virtual_parse(LD_DEL, argc, argv, &v) && v.bind_id == 3);

	argc = words(argv, "tcp 192.0.2.10:80 sched pr startup rr startup-pct 1 "
		     "startup-window 256 backup 192.0.2.11:8080");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(!strcmp(v.sched, "pr") && v.startup == LDIR_STARTUP_RR);
	CHECK(v.startup_pct == 1 && v.startup_window == 256);
	CHECK(v.backup.addr.family == AF_INET && v.backup.port == 8080);
	CHECK(v.backup.addr.addr[3] == 11);
	CHECK(v.has == (LD_HAS_SCHED | LD_HAS_STARTUP | LD_HAS_SPCT |
			LD_HAS_SWIN | LD_HAS_BACKUP));

	argc = words(argv, "udp 192.0.2.10:80 startup none backup none");
	CHECK(!virtual_parse(LD_SET, argc, argv, &v));
	CHECK(v.startup == LDIR_STARTUP_NONE && !v.backup.addr.family);
	CHECK(v.has == (LD_HAS_STARTUP | LD_HAS_BACKUP));
	argc = words(argv, "tcp 192.0.2.10:80 startup-pct 100");
	CHECK(!virtual_parse(LD_SET, argc, argv, &v) && v.startup_pct == 100);

	struct {
		enum ld_verb verb;
		const char *line;
		const char *err;
	} bad[] = {
		{ LD_ADD, "",
		  "ldctl: virtual add: protocol missing: tcp|udp before VIP:PORT\n" },
		{ LD_ADD, "192.0.2.10:80",
		  "ldctl: virtual add: protocol missing: tcp|udp before VIP:PORT\n" },
		{ LD_ADD, "192.0.2.10:80 tcp",
		  "ldctl: virtual add: protocol missing: tcp|udp before VIP:PORT\n" },
		{ LD_ADD, "TCP 192.0.2.10:80",
		  "ldctl: invalid protocol \"TCP\" (expected tcp or udp)\n" },
		{ LD_ADD, "tcp",
		  "ldctl: virtual add: missing VIP:PORT after \"tcp\"\n" },
		{ LD_ADD, "tcp 192.0.2.10:80:1",
		  "ldctl: virtual add: unexpected bind ID in \"192.0.2.10:80:1\" (write VIP:PORT bind 1)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 sched rr bind 1",
		  "ldctl: virtual add: \"bind ID\" goes right after VIP:PORT\n" },
		{ LD_DEL, "tcp 192.0.2.10:80 bind",
		  "ldctl: virtual del: missing value after \"bind\"\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 sched",
		  "ldctl: missing value after \"sched\"\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 sch wlc",
		  "ldctl: unknown argument \"sch\"\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 sched wlc sched rr",
		  "ldctl: \"sched\" given twice\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 sched abcdefghijklmnop",
		  "ldctl: invalid scheduler name \"abcdefghijklmnop\" (1..15 characters)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 state up",
		  "ldctl: invalid state \"up\" (expected in or out)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 state failed",
		  "ldctl: invalid state \"failed\" (expected in or out)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 bind -1",
		  "ldctl: invalid bind ID \"-1\" (expected 0..4294967295)\n" },
		{ LD_SET, "tcp 192.0.2.10:80",
		  "ldctl: virtual set: nothing to change (give sched, state, startup, startup-pct, startup-window, backup, fpa, fpa-mask or overflow)\n" },
		{ LD_SET, "tcp 192.0.2.10:80 bind 1",
		  "ldctl: virtual set: nothing to change (give sched, state, startup, startup-pct, startup-window, backup, fpa, fpa-mask or overflow)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 startup wlc",
		  "ldctl: invalid startup scheme \"wlc\" (expected rr or none)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 startup",
		  "ldctl: missing value after \"startup\"\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 startup-pct 0",
		  "ldctl: invalid startup-pct \"0\" (expected 1..100)\n" },
		{ LD_ADD, "tcp 192.0.2.10:80 startup-pct 101",
		  "ldctl: invalid startup-pct \"101\" (expected 1..100)\n" },
		{ LD_SET, "tcp 192.0.2.10:80 startup-window 257",
		  "ldctl: invalid startup-window \"257\" (expected 1..256)\n" },
		{ LD_SET, "tcp 192.0.2.10:80 startup-window 0",
		  "ldctl: invalid startup-window \"0\" (expected 1..256)\n" },
		{ LD_SET, "tcp 192.0.2.10:80 backup 192.0.2.11",
		  "ldctl: invalid backup virtual \"192.0.2.11\" (expected VIP:PORT or none): missing port in \"192.0.2.11\" (write ADDR:PORT, port 0 for every port)\n" },
		{ LD_SET, "tcp 192.0.2.10:80 backup 192.0.2.300:80",
		  "ldctl: invalid backup virtual \"192.0.2.300:80\" (expected VIP:PORT or none): invalid address \"192.0.2.300\"\n" },
		{ LD_SET, "tcp 192.0.2.10:80 backup 192.0.2.11:80:1",
		  "ldctl: invalid backup virtual \"192.0.2.11:80:1\" (expected VIP:PORT or none): unexpected \":1\" after the port in \"192.0.2.11:80:1\"\n" },
		{ LD_SET, "tcp 192.0.2.10:80 backup 192.0.2.10:80",
		  "ldctl: a virtual cannot be its own backup\n" },
		{ LD_SET, "tcp 192.0.2.10:80 backup none backup none",
		  "ldctl: \"backup\" given twice\n" },
		{ LD_DEL, "tcp 192.0.2.10:80 backup none",
		  "ldctl: unknown argument \"backup\"\n" },
		{ LD_DEL, "tcp 192.0.2.10:80 sched wlc",
		  "ldctl: unknown argument \"sched\"\n" },
	};
	size_t i;

	/* usage text goes only outside restore; keep messages exact */
	ldctl_where = NULL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *usage;

		argc = words(argv, bad[i].line);
		err_start();
		CHECK(virtual_parse(bad[i].verb, argc, argv, &v) == 1);
		err_end();
		/* the first line is the message, the usage follows */
		usage = strstr(errbuf, "\nUsage:\n");
		if (usage)
			((char *)usage)[1] = '\0';
		CHECK_STR(errbuf, bad[i].err);
	}
}

static void test_real_parse(void)
{
	struct ld_real r;
	char *argv[65];
	bool flush;
	int argc;

	argc = words(argv, "10.0.2.11 weight 2");
	CHECK(!real_parse(LD_ADD, argc, argv, &r, &flush));
	CHECK(r.port == 0 && r.weight == 2 && r.has == LD_HAS_WEIGHT && !flush);

	argc = words(argv, "10.0.2.11:8080 weight 0 maxconns 4294967295 state in");
	CHECK(!real_parse(LD_SET, argc, argv, &r, &flush));
	CHECK(r.port == 8080 && r.weight == 0 && r.max_conns == UINT32_MAX);
	CHECK(r.state == LDIR_STATE_IN);
	CHECK(r.has == (LD_HAS_PORT | LD_HAS_WEIGHT | LD_HAS_MAXCONNS | LD_HAS_STATE));

	argc = words(argv, "[2001:db8::2]:0 flush");
	CHECK(!real_parse(LD_DEL, argc, argv, &r, &flush) && flush);
	CHECK(r.addr.family == AF_INET6);
	argc = words(argv, "10.0.2.11");
	CHECK(!real_parse(LD_DEL, argc, argv, &r, &flush) && !flush);

	argc = words(argv, "10.0.2.11:80 syn-threshold 65535 fail-threshold 0 "
		     "idle-timeout 604800 backup 10.0.2.13:80");
	CHECK(!real_parse(LD_ADD, argc, argv, &r, &flush));
	CHECK(r.syn_threshold == 65535 && r.fail_threshold == 0);
	CHECK(r.idle_timeout == 604800);
	CHECK(r.backup.addr.family == AF_INET && r.backup.port == 80);
	CHECK(r.backup.addr.addr[3] == 13);
	CHECK(r.has == (LD_HAS_PORT | LD_HAS_SYNTHR | LD_HAS_FAILTHR |
			LD_HAS_IDLE | LD_HAS_BACKUP));
	argc = words(argv, "10.0.2.11 backup none");
	CHECK(!real_parse(LD_SET, argc, argv, &r, &flush));
	CHECK(r.has == LD_HAS_BACKUP && !r.backup.addr.family);
	argc = words(argv, "10.0.2.11 backup 10.0.2.12");
	CHECK(!real_parse(LD_SET, argc, argv, &r, &flush));
	CHECK(r.backup.port == 0 && r.backup.addr.addr[3] == 12);

	struct {
		enum ld_verb verb;
		const char *line;
		const char *err;
	} bad[] = {
		{ LD_SET, "10.0.2.11",
		  "ldctl: real set: nothing to change (give weight, maxconns, state, syn-threshold, fail-threshold, idle-timeout or backup)\n" },
		{ LD_ADD, "10.0.2.11 syn-threshold 0",
		  "ldctl: invalid syn-threshold \"0\" (expected 1..65535)\n" },
		{ LD_ADD, "10.0.2.11 syn-threshold 65536",
		  "ldctl: invalid syn-threshold \"65536\" (expected 1..65535)\n" },
		{ LD_SET, "10.0.2.11 fail-threshold -1",
		  "ldctl: invalid fail-threshold \"-1\" (expected 0..65535)\n" },
		{ LD_SET, "10.0.2.11 idle-timeout 604801",
		  "ldctl: invalid idle-timeout \"604801\" (expected 0..604800)\n" },
		{ LD_SET, "10.0.2.11 idle-timeout",
		  "ldctl: missing value after \"idle-timeout\"\n" },
		{ LD_SET, "10.0.2.11 backup foo",
		  "ldctl: invalid backup real \"foo\" (expected ADDR[:PORT] or none): invalid address \"foo\"\n" },
		{ LD_SET, "10.0.2.11 backup 10.0.2.12:99999",
		  "ldctl: invalid backup real \"10.0.2.12:99999\" (expected ADDR[:PORT] or none): invalid port \"99999\" in \"10.0.2.12:99999\" (expected 0..65535)\n" },
		{ LD_SET, "10.0.2.11:80 backup 10.0.2.11:80",
		  "ldctl: a real cannot be its own backup\n" },
		{ LD_SET, "10.0.2.11 syn-threshold 1 syn-threshold 2",
		  "ldctl: \"syn-threshold\" given twice\n" },
		{ LD_DEL, "10.0.2.11 backup none",
		  "ldctl: unknown argument \"backup\"\n" },
	};
	size_t i;

	ldctl_where = NULL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *usage;

		argc = words(argv, bad[i].line);
		err_start();
		CHECK(real_parse(bad[i].verb, argc, argv, &r, &flush) == 1);
		err_end();
		usage = strstr(errbuf, "\nUsage:\n");
		if (usage)
			((char *)usage)[1] = '\0';
		CHECK_STR(errbuf, bad[i].err);
	}
	/* restore names the line, also for the backup's reason */
	ldctl_where = "f:3";
	argc = words(argv, "10.0.2.11 backup 10.0.2.1111");
	err_start();
	CHECK(real_parse(LD_SET, argc, argv, &r, &flush) == 1);
	CHECK_STR(err_end(), "ldctl: f:3: invalid backup real \"10.0.2.1111\" (expected ADDR[:PORT] or none): invalid address \"10.0.2.1111\"\n");
	ldctl_where = NULL;

	ldctl_errf = fopen("/dev/null", "w");
	argc = words(argv, "10.0.2.11 weight 65536");
	CHECK(real_parse(LD_ADD, argc, argv, &r, &flush));
	argc = words(argv, "10.0.2.11 weight");
	CHECK(real_parse(LD_ADD, argc, argv, &r, &flush));
	argc = words(argv, "10.0.2.11 maxconns 4294967296");
	CHECK(real_parse(LD_ADD, argc, argv, &r, &flush));
	argc = words(argv, "10.0.2.11");
	CHECK(real_parse(LD_SET, argc, argv, &r, &flush));
	argc = words(argv, "10.0.2.11 flush flush");
	CHECK(real_parse(LD_DEL, argc, argv, &r, &flush));
	argc = words(argv, "10.0.2.11 weight 1");
	CHECK(real_parse(LD_DEL, argc, argv, &r, &flush));
	argc = words(argv, "10.0.2.11 flush");
	CHECK(real_parse(LD_ADD, argc, argv, &r, &flush));
	argc = words(argv, "");
	CHECK(real_parse(LD_ADD, argc, argv, &r, &flush));
	fclose(ldctl_errf);
	ldctl_errf = NULL;
}

static void test_link_parse(void)
{
	struct ld_link l;
	char *argv[65];
	bool flush;
	int argc;

	/* the real's key and the link's port, each its own word */
	argc = words(argv, "tcp 192.0.2.10:80 real 10.0.2.11 port 8080");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	CHECK(l.virt.port == 80 && l.virt.protocol == IPPROTO_TCP);
	CHECK(l.virt.bind_id == 0 && l.real.port == 0 && l.port == 8080);
	CHECK(!flush);

	argc = words(argv, "tcp 192.0.2.10:80 port 8080 real 10.0.2.11:8080");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	CHECK(l.real.port == 8080 && l.port == 8080);

	argc = words(argv, "udp 192.0.2.10:53 bind 9 real 10.0.2.11");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	CHECK(l.virt.protocol == IPPROTO_UDP && l.virt.bind_id == 9);
	CHECK(l.real.port == 0 && l.port == 0);

	argc = words(argv, "tcp [2001:db8::1]:80 real [2001:db8::2]:81 flush");
	CHECK(!link_parse(LD_DEL, argc, argv, &l, &flush) && flush);
	CHECK(l.real.addr.family == AF_INET6 && l.real.port == 81 && !l.port);

	check_bad(ladd, "192.0.2.10:53 10.0.0.1",
		  "ldctl: link add: protocol missing: tcp|udp before VIP:PORT\n");
	check_bad(ladd, "192.0.2.10:80 tcp real 10.0.2.11",
		  "ldctl: link add: protocol missing: tcp|udp before VIP:PORT\n");
	check_bad(ladd, "tcp 192.0.2.10:80",
		  "ldctl: link add: missing \"real ADDR[:PORT]\"\n");
	check_bad(ladd, "tcp 192.0.2.10:80 10.0.2.11:8080",
		  "ldctl: unknown argument \"10.0.2.11:8080\" (write \"real ADDR[:PORT]\")\n");
	check_bad(ladd, "tcp 192.0.2.10:80:3 real 10.0.2.11",
		  "ldctl: link add: unexpected bind ID in \"192.0.2.10:80:3\" (write VIP:PORT bind 3)\n");
	check_bad(ladd, "tcp 192.0.2.10:80 real 10.0.2.11 port 65536",
		  "ldctl: invalid port \"65536\" (expected 0..65535)\n");
	check_bad(ladd, "tcp 192.0.2.10:80 real 10.0.2.11 real 10.0.2.12",
		  "ldctl: \"real\" given twice\n");
	check_bad(ladd, "tcp 192.0.2.10:80 real",
		  "ldctl: missing value after \"real\"\n");

	ldctl_errf = fopen("/dev/null", "w");
	argc = words(argv, "sctp 192.0.2.10:80 real 10.0.2.11");
	CHECK(link_parse(LD_ADD, argc, argv, &l, &flush));
	argc = words(argv, "tcp 192.0.2.10:80 real 10.0.2.11 flush");
	CHECK(link_parse(LD_ADD, argc, argv, &l, &flush));
	argc = words(argv, "tcp 192.0.2.10:80 real 10.0.2.11 x y");
	CHECK(link_parse(LD_DEL, argc, argv, &l, &flush));
	argc = words(argv, "tcp 192.0.2.10 real 10.0.2.11");
	CHECK(link_parse(LD_ADD, argc, argv, &l, &flush));
	fclose(ldctl_errf);
	ldctl_errf = NULL;
}

static void test_config_parse(void)
{
	struct ld_config c;
	char *argv[65];
	int argc;

	argc = words(argv, "conn-max 100 timeout-syn 1 timeout-est 604800 "
		     "timeout-fin 2 timeout-time-wait 3 timeout-close 4 timeout-udp 5 "
		     "syn-resends 255 retry-interval 604800 pr-age-div 1000000 pr-clamp 1 "
		     "fpa-max 0 virtual-max 1 real-max 2 link-max 3 bind-max 4294967295 "
		     "syn-resend-gap 60000 embryonic-max 0 timeout-syn-pressure 3600");
	CHECK(!config_parse(argc, argv, &c));
	CHECK(c.v[LDIR_CONFIG_A_FPA_MAX] == 0);
	CHECK(c.v[LDIR_CONFIG_A_BIND_MAX] == 4294967295u);
	CHECK(c.v[LDIR_CONFIG_A_SYN_RESENDS] == 255);
	CHECK(c.v[LDIR_CONFIG_A_SYN_RESEND_GAP_MS] == 60000);
	CHECK(c.v[LDIR_CONFIG_A_RETRY_INTERVAL] == 604800);
	CHECK(c.v[LDIR_CONFIG_A_PR_AGE_DIV] == 1000000);
	CHECK(c.v[LDIR_CONFIG_A_PR_CLAMP_PCT] == 1);
	CHECK(c.v[LDIR_CONFIG_A_CONN_MAX] == 100);
	CHECK(c.v[LDIR_CONFIG_A_TIMEOUT_SYN] == 1);
	CHECK(c.v[LDIR_CONFIG_A_TIMEOUT_EST] == 604800);
	CHECK(c.v[LDIR_CONFIG_A_TIMEOUT_UDP] == 5);
	CHECK(c.v[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE] == 3600);
	CHECK(!(c.has & (1u << LDIR_CONFIG_A_CONN_COUNT)));
	CHECK(c.has == (((1u << (LDIR_CONFIG_A_MAX + 1)) - 1) &
			~(1u << LDIR_CONFIG_A_CONN_COUNT) &
			~(1u << LDIR_CONFIG_A_EMBRYONIC_COUNT) &
			~(1u << LDIR_CONFIG_A_PRESSURE) & ~1u));

	err_start();
	argc = words(argv, "timeout-est 604801");
	CHECK(config_parse(argc, argv, &c));
	CHECK_STR(err_end(), "ldctl: invalid timeout-est \"604801\" (expected 1..604800)\n");
	{
		static const char *const bad[][2] = {
			{ "syn-resends 0", "ldctl: invalid syn-resends \"0\" (expected 1..255)\n" },
			{ "syn-resends 256", "ldctl: invalid syn-resends \"256\" (expected 1..255)\n" },
			{ "retry-interval 0", "ldctl: invalid retry-interval \"0\" (expected 1..604800)\n" },
			{ "pr-age-div 1000001", "ldctl: invalid pr-age-div \"1000001\" (expected 1..1000000)\n" },
			{ "pr-clamp 101", "ldctl: invalid pr-clamp \"101\" (expected 1..100)\n" },
			{ "pr-clamp 0", "ldctl: invalid pr-clamp \"0\" (expected 1..100)\n" },
			{ "syn-resend-gap 60001", "ldctl: invalid syn-resend-gap \"60001\" (expected 0..60000)\n" },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			argc = words(argv, bad[i][0]);
			err_start();
			CHECK(config_parse(argc, argv, &c));
			CHECK_STR(err_end(), bad[i][1]);
		}
	}
	ldctl_errf = fopen("/dev/null", "w");
	argc = words(argv, "timeout-syn 0");
	CHECK(config_parse(argc, argv, &c));
	argc = words(argv, "conn-max 0");
	CHECK(config_parse(argc, argv, &c));
	argc = words(argv, "conn-count 5");
	CHECK(config_parse(argc, argv, &c));
	argc = words(argv, "");
	CHECK(config_parse(argc, argv, &c));
	argc = words(argv, "conn-max 1 conn-max 2");
	CHECK(config_parse(argc, argv, &c));
	fclose(ldctl_errf);
	ldctl_errf = NULL;
}

static void test_split(void)
{
	char line[] = "  virtual add\t192.0.2.10:80 tcp # a comment\r\n";
	char line2[] = "# only a comment\n";
	char line3[] = "a b c d";
	char *w[5];

	CHECK(restore_split(line, w, 4) == 4);
	CHECK_STR(w[0], "virtual");
	CHECK_STR(w[1], "add");
	CHECK_STR(w[2], "192.0.2.10:80");
	CHECK_STR(w[3], "tcp");
	CHECK(!w[4]);
	CHECK(restore_split(line2, w, 3) == 0);
	CHECK(restore_split(line3, w, 3) == -1);
}

static void test_json(void)
{
	struct json j;
	struct cap c;

	json_init(&j, cap_start(&c));
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "a");
	json_u64(&j, NULL, 0);
	json_u64(&j, NULL, UINT64_MAX);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_str(&j, "s", "q\"b\\n\n\t\x01\x7f/");
	json_str(&j, "u", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_str(&j, "bad", "\xff\xc3(\xc0\xaf\xed\xa0\x80x");
	json_bool(&j, "t", true);
	json_obj_end(&j);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "{\"a\":[0,18446744073709551615,{},[]],"
		  "\"s\":\"q\\\"b\\\\n\\n\\t\\u0001\\u007f/\","
		  "\"u\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		  "\"bad\":\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffdx\","
		  "\"t\":true}\n");
	free(c.buf);
}

static void make_site(struct ld_list *virtuals, struct ld_list *links,
		      struct ld_list *reals)
{
	struct ld_virtual *v;
	struct ld_real *r;
	struct ld_link *l;

	v = ld_list_add(virtuals);
	parse_addr("192.0.2.10", &v->addr);
	v->port = 80;
	v->protocol = IPPROTO_TCP;
	strcpy(v->sched, "wlc");
	v->has = LD_HAS_SCHED;
	v->state = LDIR_STATE_IN;
	v->fpa_mask = 32;
	v->conns = 12;
	v->nlinks = 3;
	v->stats.v[LDIR_STATS_A_CONNS] = 40;
	v->stats.v[LDIR_STATS_A_PKTS_IN] = 1000;

	v = ld_list_add(virtuals);
	parse_addr("2001:db8::10", &v->addr);
	v->port = 53;
	v->protocol = IPPROTO_UDP;
	v->bind_id = 7;
	strcpy(v->sched, "rr");
	v->has = LD_HAS_SCHED;
	v->state = LDIR_STATE_OUT;
	v->fpa_mask = 128;

	r = ld_list_add(reals);
	parse_addr("10.0.2.11", &r->addr);
	r->port = 8080;
	r->weight = 2;
	r->state = LDIR_STATE_IN;
	r->active = 4;
	r->conns = 6;
	r->nlinks = 1;
	r->stats.v[LDIR_STATS_A_PKTS_IN] = 120;
	r->stats.v[LDIR_STATS_A_PKTS_OUT] = 118;

	r = ld_list_add(reals);
	parse_addr("2001:db8::11", &r->addr);
	r->weight = 1;
	r->max_conns = 100;
	r->state = LDIR_STATE_FAILED;

	l = ld_list_add(links);
	l->virt = *ld_list_at(virtuals, struct ld_virtual, 0);
	l->real = *ld_list_at(reals, struct ld_real, 0);
	l->port = 8080;
	l->active = 4;
	l->conns = 6;
	l->stats.v[LDIR_STATS_A_PKTS_IN] = 120;
	l->stats.v[LDIR_STATS_A_PKTS_OUT] = 118;

	l = ld_list_add(links);
	l->virt = *ld_list_at(virtuals, struct ld_virtual, 1);
	l->real = *ld_list_at(reals, struct ld_real, 1);
	l->port = 5353;
}

/* The scheduling settings (startup, backups, thresholds) on make_site's objects. */
static void make_site_ext(struct ld_list *virtuals, struct ld_list *reals)
{
	struct ld_virtual *v;
	struct ld_real *r;

	v = ld_list_at(virtuals, struct ld_virtual, 0);
	v->ext = true;
	v->startup = LDIR_STARTUP_RR;
	v->startup_pct = 50;
	v->startup_window = 20;
	parse_addr("192.0.2.10", &v->backup.addr);
	v->backup.port = 81;

	v = ld_list_at(virtuals, struct ld_virtual, 1);
	v->ext = true;
	v->startup_pct = 100;
	v->startup_window = 1;
	v->failed = true;

	r = ld_list_at(reals, struct ld_real, 0);
	r->ext = true;
	r->syn_threshold = 5;
	r->fail_threshold = 3;
	parse_addr("2001:db8::11", &r->backup.addr);
	r->unanswered = 2;
	r->response_us = 1500;
	r->age_ms = 250;
	r->pr = -62;

	r = ld_list_at(reals, struct ld_real, 1);
	r->ext = true;
	r->syn_threshold = 1;
	r->idle_timeout = 60;
	r->ditched = 3;
	r->ditch_consec = 3;
	r->retry_ms = 4000;
	r->has |= LD_HAS_RETRY;
	r->pr = INT64_MAX;
}

static const char stats_json[] =
	"\"stats\":{\"conns\":0,\"pkts_in\":0,\"pkts_out\":0,\"bytes_in\":0,"
	"\"bytes_out\":0,\"drop_no_conn\":0,\"drop_no_real\":0,"
	"\"drop_conn_limit\":0,\"drop_invalid\":0,\"drop_nomem\":0,"
	"\"icmp_in\":0,\"icmp_out\":0,\"conns_expired\":0,\"ditched\":0,"
	"\"probes\":0,\"backup\":0,\"drop_reply_clash\":0,"
	"\"drop_removed\":0,\"drop_icmp_csum\":0,\"rst_ignored\":0,"
	"\"drop_reply_no_conn\":0,"
		     "\"embryonic_evicted\":0,\"drop_syn_pressure\":0,\"pressure_starts\":0,\"adopted\":0,\"reply_adopted\":0,\"sync_sent\":0,\"sync_received\":0,\"sync_rejected\":0,\"sync_queue_drop\":0}";

static void test_print(void)
{
	struct ld_list virtuals = LD_LIST_INIT(struct ld_virtual);
	struct ld_list reals = LD_LIST_INIT(struct ld_real);
	struct ld_list links = LD_LIST_INIT(struct ld_link);
	struct pr p = { .numeric = false };
	struct ld_conn conn = { };
	struct json j;
	struct cap c;
	char *want;

	make_site(&virtuals, &links, &reals);

	p.f = cap_start(&c);
	pr_show(&p, &virtuals, &links, &reals, NULL);
	/* columns as ipvsadm -Ln; no blank at the end of a line */
	CHECK_STR(cap_end(&c),
		  "Prot Virtual:Port       Bind Sched  State  Flags\n"
		  "  -> Real               Port Weight State  ActiveConn  InActConn\n"
		  "tcp  192.0.2.10:80         0 wlc    in\n"
		  "  -> 10.0.2.11          8080 2      in              4          2\n"
		  "udp  [2001:db8::10]:53     7 rr     out\n"
		  "  -> 2001:db8::11       5353 1      failed          0          0\n");
	free(c.buf);

	/* -d: the settings under each line; -s: the counters */
	p.details = true;
	p.stats = true;
	p.f = cap_start(&c);
	pr_show(&p, &virtuals, &links, &reals, NULL);
	CHECK_STR(cap_end(&c),
		  "Prot Virtual:Port       Bind Sched  State  Flags\n"
		  "  -> Real               Port Weight State  ActiveConn  InActConn\n"
		  "tcp  192.0.2.10:80         0 wlc    in\n"
		  "     fpa 0 fpa-mask 32 conns 12 links 3 binds 0\n"
		  "     conns 40 pkts-in 1000 pkts-out 0 bytes-in 0 bytes-out 0 drop-no-conn 0 drop-no-real 0 drop-conn-limit 0 drop-invalid 0 drop-nomem 0 icmp-in 0 icmp-out 0 conns-expired 0 ditched 0 probes 0 backup 0 drop-reply-clash 0 drop-removed 0 drop-icmp-csum 0 rst-ignored 0 drop-reply-no-conn 0 embryonic-evicted 0 drop-syn-pressure 0 pressure-starts 0 adopted 0 reply-adopted 0 sync-sent 0 sync-received 0 sync-rejected 0 sync-queue-drop 0\n"
		  "  -> 10.0.2.11          8080 2      in              4          2\n"
		  "       real-port 8080 maxconns 0\n"
		  "       conns 0 pkts-in 120 pkts-out 118 bytes-in 0 bytes-out 0 drop-no-conn 0 drop-no-real 0 drop-conn-limit 0 drop-invalid 0 drop-nomem 0 icmp-in 0 icmp-out 0 conns-expired 0 ditched 0 probes 0 backup 0 drop-reply-clash 0 drop-removed 0 drop-icmp-csum 0 rst-ignored 0 drop-reply-no-conn 0 embryonic-evicted 0 drop-syn-pressure 0 pressure-starts 0 adopted 0 reply-adopted 0 sync-sent 0 sync-received 0 sync-rejected 0 sync-queue-drop 0\n"
		  "udp  [2001:db8::10]:53     7 rr     out\n"
		  "     fpa 0 fpa-mask 128 conns 0 links 0 binds 0\n"
		  "     conns 0 pkts-in 0 pkts-out 0 bytes-in 0 bytes-out 0 drop-no-conn 0 drop-no-real 0 drop-conn-limit 0 drop-invalid 0 drop-nomem 0 icmp-in 0 icmp-out 0 conns-expired 0 ditched 0 probes 0 backup 0 drop-reply-clash 0 drop-removed 0 drop-icmp-csum 0 rst-ignored 0 drop-reply-no-conn 0 embryonic-evicted 0 drop-syn-pressure 0 pressure-starts 0 adopted 0 reply-adopted 0 sync-sent 0 sync-received 0 sync-rejected 0 sync-queue-drop 0\n"
		  "  -> 2001:db8::11       5353 1      failed          0          0\n"
		  "       real-port 0 maxconns 100\n"
		  "       conns 0 pkts-in 0 pkts-out 0 bytes-in 0 bytes-out 0 drop-no-conn 0 drop-no-real 0 drop-conn-limit 0 drop-invalid 0 drop-nomem 0 icmp-in 0 icmp-out 0 conns-expired 0 ditched 0 probes 0 backup 0 drop-reply-clash 0 drop-removed 0 drop-icmp-csum 0 rst-ignored 0 drop-reply-no-conn 0 embryonic-evicted 0 drop-syn-pressure 0 pressure-starts 0 adopted 0 reply-adopted 0 sync-sent 0 sync-received 0 sync-rejected 0 sync-queue-drop 0\n");
	free(c.buf);
	p.details = false;
	p.stats = false;

	p.f = cap_start(&c);
	pr_real(&p, ld_list_at(&reals, struct ld_real, 0));
	pr_link(&p, ld_list_at(&links, struct ld_link, 1));
	CHECK_STR(cap_end(&c),
		  "real 10.0.2.11:8080 weight 2 maxconns 0 state in active 4 conns 6 links 1 pkts-in 120 pkts-out 118\n"
		  "link udp [2001:db8::10]:53 bind 7 -> [2001:db8::11]:5353 active 0 conns 0 pkts-in 0 pkts-out 0\n");
	free(c.buf);

	conn.protocol = IPPROTO_TCP;
	parse_addr("10.0.1.2", &conn.client);
	conn.client_port = 40000;
	parse_addr("192.0.2.10", &conn.virt);
	conn.virt_port = 80;
	parse_addr("10.0.2.11", &conn.real);
	conn.real_port = 8080;
	conn.state = LDIR_CONN_S_ESTABLISHED;
	conn.expires_ms = 118999;
	p.f = cap_start(&c);
	pr_conn(&p, &conn);
	p.numeric = true;
	pr_conn(&p, &conn);
	p.numeric = false;
	CHECK_STR(cap_end(&c),
		  "tcp 10.0.1.2:40000 -> 192.0.2.10:80 -> 10.0.2.11:8080 ESTABLISHED expires 118s\n"
		  "6 10.0.1.2:40000 -> 192.0.2.10:80 -> 10.0.2.11:8080 3 expires 118999ms\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	js_conn(&j, &conn);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "{\"protocol\":\"tcp\",\"client\":\"10.0.1.2\",\"client_port\":40000,"
		  "\"virtual\":\"192.0.2.10\",\"virtual_port\":80,\"real\":\"10.0.2.11\","
		  "\"real_port\":8080,\"state\":\"established\",\"expires_ms\":118999}\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	js_show(&j, &virtuals, &links, &reals, NULL);
	json_finish(&j);
	if (asprintf(&want,
		     "{\"virtuals\":[{\"address\":\"192.0.2.10\",\"port\":80,\"protocol\":\"tcp\","
		     "\"bind\":0,\"sched\":\"wlc\",\"stateless\":false,\"state\":\"in\",\"failed\":null,\"startup\":null,\"startup_pct\":null,\"startup_window\":null,\"backup\":null,\"conns\":12,"
		     "\"fpa\":0,\"fpa_mask\":32,\"overflow\":false,\"binds\":0,"
		     "\"links\":[{\"real\":\"10.0.2.11\",\"real_port\":8080,\"port\":8080,"
		     "\"weight\":2,\"maxconns\":0,\"state\":\"in\",\"backup\":null,\"active\":4,\"conns\":6,\"unanswered\":null,\"ditched\":null,\"ditch_consec\":null,\"response_us\":null,\"age_ms\":null,\"pr\":null,\"retry_ms\":null,"
		     "\"stats\":{\"conns\":0,\"pkts_in\":120,\"pkts_out\":118,\"bytes_in\":0,"
		     "\"bytes_out\":0,\"drop_no_conn\":0,\"drop_no_real\":0,"
		     "\"drop_conn_limit\":0,\"drop_invalid\":0,\"drop_nomem\":0,"
		     "\"icmp_in\":0,\"icmp_out\":0,\"conns_expired\":0,\"ditched\":0,"
		     "\"probes\":0,\"backup\":0,\"drop_reply_clash\":0,"
		     "\"drop_removed\":0,\"drop_icmp_csum\":0,\"rst_ignored\":0,"
	"\"drop_reply_no_conn\":0,"
		     "\"embryonic_evicted\":0,\"drop_syn_pressure\":0,\"pressure_starts\":0,\"adopted\":0,\"reply_adopted\":0,\"sync_sent\":0,\"sync_received\":0,\"sync_rejected\":0,\"sync_queue_drop\":0}}],\"assigned\":[],"
		     "\"stats\":{\"conns\":40,\"pkts_in\":1000,\"pkts_out\":0,\"bytes_in\":0,"
		     "\"bytes_out\":0,\"drop_no_conn\":0,\"drop_no_real\":0,"
		     "\"drop_conn_limit\":0,\"drop_invalid\":0,\"drop_nomem\":0,"
		     "\"icmp_in\":0,\"icmp_out\":0,\"conns_expired\":0,\"ditched\":0,"
		     "\"probes\":0,\"backup\":0,\"drop_reply_clash\":0,"
		     "\"drop_removed\":0,\"drop_icmp_csum\":0,\"rst_ignored\":0,"
	"\"drop_reply_no_conn\":0,"
		     "\"embryonic_evicted\":0,\"drop_syn_pressure\":0,\"pressure_starts\":0,\"adopted\":0,\"reply_adopted\":0,\"sync_sent\":0,\"sync_received\":0,\"sync_rejected\":0,\"sync_queue_drop\":0}},"
		     "{\"address\":\"2001:db8::10\",\"port\":53,\"protocol\":\"udp\","
		     "\"bind\":7,\"sched\":\"rr\",\"stateless\":false,\"state\":\"out\",\"failed\":null,\"startup\":null,\"startup_pct\":null,\"startup_window\":null,\"backup\":null,\"conns\":0,"
		     "\"fpa\":0,\"fpa_mask\":128,\"overflow\":false,\"binds\":0,"
		     "\"links\":[{\"real\":\"2001:db8::11\",\"real_port\":0,\"port\":5353,"
		     "\"weight\":1,\"maxconns\":100,\"state\":\"failed\",\"backup\":null,\"active\":0,\"conns\":0,"
		     "\"unanswered\":null,\"ditched\":null,\"ditch_consec\":null,\"response_us\":null,\"age_ms\":null,\"pr\":null,\"retry_ms\":null,%s}],\"assigned\":[],%s}]}\n", stats_json, stats_json) < 0)
		abort();
	CHECK_STR(cap_end(&c), want);
	free(want);
	free(c.buf);

	json_init(&j, cap_start(&c));
	json_arr_begin(&j, NULL);
	js_virtual(&j, ld_list_at(&virtuals, struct ld_virtual, 1));
	js_real(&j, ld_list_at(&reals, struct ld_real, 1));
	js_link(&j, ld_list_at(&links, struct ld_link, 1));
	json_arr_end(&j);
	json_finish(&j);
	if (asprintf(&want,
		     "[{\"address\":\"2001:db8::10\",\"port\":53,\"protocol\":\"udp\","
		     "\"bind\":7,\"sched\":\"rr\",\"stateless\":false,\"state\":\"out\",\"failed\":null,\"startup\":null,\"startup_pct\":null,\"startup_window\":null,\"backup\":null,\"conns\":0,"
		     "\"fpa\":0,\"fpa_mask\":128,\"overflow\":false,\"binds\":0,\"links\":0,%s},"
		     "{\"address\":\"2001:db8::11\",\"port\":0,\"weight\":1,\"maxconns\":100,"
		     "\"state\":\"failed\",\"syn_threshold\":null,\"fail_threshold\":null,\"idle_timeout\":null,\"backup\":null,\"active\":0,\"conns\":0,\"links\":0,\"unanswered\":null,\"ditched\":null,\"ditch_consec\":null,\"response_us\":null,\"age_ms\":null,\"pr\":null,\"retry_ms\":null,%s},"
		     "{\"virtual\":\"2001:db8::10\",\"virtual_port\":53,\"protocol\":\"udp\","
		     "\"bind\":7,\"real\":\"2001:db8::11\",\"real_port\":0,\"port\":5353,"
		     "\"active\":0,\"conns\":0,%s}]\n", stats_json, stats_json,
		     stats_json) < 0)
		abort();
	CHECK_STR(cap_end(&c), want);
	free(want);
	free(c.buf);

	ld_list_clear(&virtuals);
	ld_list_clear(&links);
	ld_list_clear(&reals);
}

static void test_print_ext(void)
{
	struct ld_list virtuals = LD_LIST_INIT(struct ld_virtual);
	struct ld_list reals = LD_LIST_INIT(struct ld_real);
	struct ld_list links = LD_LIST_INIT(struct ld_link);
	struct pr p = { .numeric = false };
	struct json j;
	struct cap c;
	char *want;

	make_site(&virtuals, &links, &reals);
	make_site_ext(&virtuals, &reals);

	p.details = true;
	p.f = cap_start(&c);
	pr_show(&p, &virtuals, &links, &reals, NULL);
	p.details = false;
	CHECK_STR(cap_end(&c),
		  "Prot Virtual:Port       Bind Sched  State  Flags\n"
		  "  -> Real               Port Weight State  ActiveConn  InActConn\n"
		  "tcp  192.0.2.10:80         0 wlc    in\n"
		  "     startup rr startup-pct 50 startup-window 20 backup 192.0.2.10:81 fpa 0 fpa-mask 32 conns 12 links 3 binds 0\n"
		  "  -> 10.0.2.11          8080 2      in              4          2\n"
		  "       real-port 8080 maxconns 0 syn-threshold 5 fail-threshold 3 idle-timeout 0 backup [2001:db8::11]:0 unanswered 2 ditched 0 ditch-consec 0 response-us 1500 age-ms 250 pr -62\n"
		  "udp  [2001:db8::10]:53     7 rr     out    failed\n"
		  "     startup none startup-pct 100 startup-window 1 fpa 0 fpa-mask 128 conns 0 links 0 binds 0\n"
		  "  -> 2001:db8::11       5353 1      failed          0          0\n"
		  "       real-port 0 maxconns 100 syn-threshold 1 fail-threshold 0 idle-timeout 60 unanswered 0 ditched 3 ditch-consec 3 response-us 0 age-ms 0 pr 9223372036854775807 retry-ms 4000\n");
	free(c.buf);

	p.f = cap_start(&c);
	pr_real(&p, ld_list_at(&reals, struct ld_real, 0));
	pr_real(&p, ld_list_at(&reals, struct ld_real, 1));
	CHECK_STR(cap_end(&c),
		  "real 10.0.2.11:8080 weight 2 maxconns 0 state in syn-threshold 5 "
		  "fail-threshold 3 idle-timeout 0 backup [2001:db8::11]:0 active 4 conns 6 "
		  "links 1 unanswered 2 ditched 0 ditch-consec 0 response-us 1500 age-ms 250 "
		  "pr -62 pkts-in 120 pkts-out 118\n"
		  "real [2001:db8::11]:0 weight 1 maxconns 100 state failed syn-threshold 1 "
		  "fail-threshold 0 idle-timeout 60 active 0 conns 0 links 0 unanswered 0 "
		  "ditched 3 ditch-consec 3 response-us 0 age-ms 0 pr 9223372036854775807 "
		  "retry-ms 4000 pkts-in 0 pkts-out 0\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	json_arr_begin(&j, NULL);
	js_virtual(&j, ld_list_at(&virtuals, struct ld_virtual, 0));
	js_virtual(&j, ld_list_at(&virtuals, struct ld_virtual, 1));
	js_real(&j, ld_list_at(&reals, struct ld_real, 0));
	js_real(&j, ld_list_at(&reals, struct ld_real, 1));
	json_arr_end(&j);
	json_finish(&j);
	if (asprintf(&want,
		     "[{\"address\":\"192.0.2.10\",\"port\":80,\"protocol\":\"tcp\","
		     "\"bind\":0,\"sched\":\"wlc\",\"stateless\":false,\"state\":\"in\",\"failed\":false,"
		     "\"startup\":\"rr\",\"startup_pct\":50,\"startup_window\":20,"
		     "\"backup\":\"192.0.2.10:81\",\"conns\":12,"
		     "\"fpa\":0,\"fpa_mask\":32,\"overflow\":false,\"binds\":0,\"links\":3,"
		     "\"stats\":{\"conns\":40,\"pkts_in\":1000,\"pkts_out\":0,\"bytes_in\":0,"
		     "\"bytes_out\":0,\"drop_no_conn\":0,\"drop_no_real\":0,"
		     "\"drop_conn_limit\":0,\"drop_invalid\":0,\"drop_nomem\":0,"
		     "\"icmp_in\":0,\"icmp_out\":0,\"conns_expired\":0,\"ditched\":0,"
		     "\"probes\":0,\"backup\":0,\"drop_reply_clash\":0,"
		     "\"drop_removed\":0,\"drop_icmp_csum\":0,\"rst_ignored\":0,"
	"\"drop_reply_no_conn\":0,"
		     "\"embryonic_evicted\":0,\"drop_syn_pressure\":0,\"pressure_starts\":0,\"adopted\":0,\"reply_adopted\":0,\"sync_sent\":0,\"sync_received\":0,\"sync_rejected\":0,\"sync_queue_drop\":0}},"
		     "{\"address\":\"2001:db8::10\",\"port\":53,\"protocol\":\"udp\","
		     "\"bind\":7,\"sched\":\"rr\",\"stateless\":false,\"state\":\"out\",\"failed\":true,"
		     "\"startup\":\"none\",\"startup_pct\":100,\"startup_window\":1,"
		     "\"backup\":null,\"conns\":0,"
		     "\"fpa\":0,\"fpa_mask\":128,\"overflow\":false,\"binds\":0,\"links\":0,%s},"
		     "{\"address\":\"10.0.2.11\",\"port\":8080,\"weight\":2,\"maxconns\":0,"
		     "\"state\":\"in\",\"syn_threshold\":5,\"fail_threshold\":3,"
		     "\"idle_timeout\":0,\"backup\":\"[2001:db8::11]:0\",\"active\":4,"
		     "\"conns\":6,\"links\":1,\"unanswered\":2,\"ditched\":0,"
		     "\"ditch_consec\":0,\"response_us\":1500,\"age_ms\":250,\"pr\":-62,"
		     "\"retry_ms\":null,"
		     "\"stats\":{\"conns\":0,\"pkts_in\":120,\"pkts_out\":118,\"bytes_in\":0,"
		     "\"bytes_out\":0,\"drop_no_conn\":0,\"drop_no_real\":0,"
		     "\"drop_conn_limit\":0,\"drop_invalid\":0,\"drop_nomem\":0,"
		     "\"icmp_in\":0,\"icmp_out\":0,\"conns_expired\":0,\"ditched\":0,"
		     "\"probes\":0,\"backup\":0,\"drop_reply_clash\":0,"
		     "\"drop_removed\":0,\"drop_icmp_csum\":0,\"rst_ignored\":0,"
	"\"drop_reply_no_conn\":0,"
		     "\"embryonic_evicted\":0,\"drop_syn_pressure\":0,\"pressure_starts\":0,\"adopted\":0,\"reply_adopted\":0,\"sync_sent\":0,\"sync_received\":0,\"sync_rejected\":0,\"sync_queue_drop\":0}},"
		     "{\"address\":\"2001:db8::11\",\"port\":0,\"weight\":1,\"maxconns\":100,"
		     "\"state\":\"failed\",\"syn_threshold\":1,\"fail_threshold\":0,"
		     "\"idle_timeout\":60,\"backup\":null,\"active\":0,\"conns\":0,"
		     "\"links\":0,\"unanswered\":0,\"ditched\":3,\"ditch_consec\":3,"
		     "\"response_us\":0,\"age_ms\":0,\"pr\":9223372036854775807,"
		     "\"retry_ms\":4000,%s}]\n", stats_json, stats_json) < 0)
		abort();
	CHECK_STR(cap_end(&c), want);
	free(want);
	free(c.buf);

	ld_list_clear(&virtuals);
	ld_list_clear(&links);
	ld_list_clear(&reals);
}

static void test_stats_print(void)
{
	struct ld_global g = { };
	struct pr p = { };
	struct json j;
	struct cap c;
	unsigned int i;

	for (i = 1; i <= LDIR_STATS_A_MAX; i++)
		g.stats.v[i] = i == LDIR_STATS_A_BYTES_IN ? UINT64_MAX : i;
	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++)
		g.config.v[i] = 100 + i;
	p.f = cap_start(&c);
	pr_stats(&p, &g.stats);
	pr_config(&p, &g.config);
	CHECK_STR(cap_end(&c),
		  "conns 1\npkts-in 2\npkts-out 3\nbytes-in 18446744073709551615\n"
		  "bytes-out 5\ndrop-no-conn 6\ndrop-no-real 7\ndrop-conn-limit 8\n"
		  "drop-invalid 9\ndrop-nomem 10\nicmp-in 11\nicmp-out 12\n"
		  "conns-expired 13\nditched 15\nprobes 16\nbackup 17\n"
		  "drop-reply-clash 18\ndrop-removed 19\ndrop-icmp-csum 20\n"
		  "rst-ignored 21\ndrop-reply-no-conn 22\n"
		  "embryonic-evicted 23\ndrop-syn-pressure 24\npressure-starts 25\n"
		  "adopted 26\nreply-adopted 27\nsync-sent 28\nsync-received 29\n"
		  "sync-rejected 30\nsync-queue-drop 31\n"
		  "conn-max 101\nconn-count 102\ntimeout-syn 103\ntimeout-est 104\n"
		  "timeout-fin 105\ntimeout-time-wait 106\ntimeout-close 107\n"
		  "timeout-udp 108\nsyn-resends 109\nretry-interval 110\n"
		  "pr-age-div 111\npr-clamp 112\nfpa-max 113\nvirtual-max 114\n"
		  "real-max 115\nlink-max 116\nbind-max 117\nsyn-resend-gap 118\n"
		  "embryonic-max 119\nembryonic-count 120\ntimeout-syn-pressure 121\n"
		  "pressure 122\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	json_obj_begin(&j, NULL);
	js_config(&j, "config", &g.config);
	json_obj_end(&j);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "{\"config\":{\"conn_max\":101,\"conn_count\":102,\"timeout_syn\":103,"
		  "\"timeout_est\":104,\"timeout_fin\":105,\"timeout_time_wait\":106,"
		  "\"timeout_close\":107,\"timeout_udp\":108,\"syn_resends\":109,"
		  "\"retry_interval\":110,\"pr_age_div\":111,\"pr_clamp\":112,"
		  "\"fpa_max\":113,\"virtual_max\":114,\"real_max\":115,"
		  "\"link_max\":116,\"bind_max\":117,\"syn_resend_gap\":118,"
		  "\"embryonic_max\":119,\"embryonic_count\":120,"
		  "\"timeout_syn_pressure\":121,\"pressure\":122}}\n");
	free(c.buf);
}

/* save writes lines that the parsers read back to the same objects. */
static void test_save_roundtrip(void)
{
	struct ld_list virtuals = LD_LIST_INIT(struct ld_virtual);
	struct ld_list reals = LD_LIST_INIT(struct ld_real);
	struct ld_list links = LD_LIST_INIT(struct ld_link);
	struct ld_config cfg = { }, cfg2;
	struct cap c;
	char *argv[65];
	size_t i;
	bool flush;
	int argc;

	make_site(&virtuals, &links, &reals);
	make_site_ext(&virtuals, &reals);
	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++) {
		cfg.v[i] = 10 * i;
		cfg.has |= 1u << i;
	}
	cfg.v[LDIR_CONFIG_A_PR_CLAMP_PCT] = 25;

	cap_start(&c);
	save_config(c.f, &cfg);
	for (i = 0; i < reals.n; i++)
		save_real(c.f, ld_list_at(&reals, struct ld_real, i));
	for (i = 0; i < reals.n; i++)
		save_real_backup(c.f, ld_list_at(&reals, struct ld_real, i));
	for (i = 0; i < virtuals.n; i++)
		save_virtual(c.f, ld_list_at(&virtuals, struct ld_virtual, i));
	for (i = 0; i < virtuals.n; i++)
		save_virtual_backup(c.f, ld_list_at(&virtuals, struct ld_virtual, i));
	for (i = 0; i < links.n; i++)
		save_link(c.f, ld_list_at(&links, struct ld_link, i));
	/* read-only values (failed, unanswered, PR, ...) are not saved */
	CHECK_STR(cap_end(&c),
		  "config set conn-max 10 timeout-syn 30 timeout-est 40 timeout-fin 50 "
		  "timeout-time-wait 60 timeout-close 70 timeout-udp 80 "
		  "syn-resends 90 retry-interval 100 pr-age-div 110 pr-clamp 25 "
		  "fpa-max 130 virtual-max 140 real-max 150 link-max 160 bind-max 170 "
		  "syn-resend-gap 180 embryonic-max 190 timeout-syn-pressure 210\n"
		  "real add 10.0.2.11:8080 weight 2 maxconns 0 state in "
		  "syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		  "real add [2001:db8::11]:0 weight 1 maxconns 100 state in "
		  "syn-threshold 1 fail-threshold 0 idle-timeout 60\n"
		  "real set 10.0.2.11:8080 backup [2001:db8::11]:0\n"
		  "virtual add tcp 192.0.2.10:80 sched wlc state in "
		  "startup rr startup-pct 50 startup-window 20\n"
		  "virtual add udp [2001:db8::10]:53 bind 7 sched rr state out "
		  "startup none startup-pct 100 startup-window 1\n"
		  "virtual set tcp 192.0.2.10:80 backup 192.0.2.10:81\n"
		  "link add tcp 192.0.2.10:80 real 10.0.2.11:8080 port 8080\n"
		  "link add udp [2001:db8::10]:53 bind 7 real [2001:db8::11]:0 port 5353\n");

	char *line = strtok(c.buf, "\n");
	size_t nr = 0, nv = 0, nl = 0, nrb = 0, nvb = 0;

	for (; line; line = strtok(NULL, "\n")) {
		argc = words(argv, line);
		if (!strcmp(argv[0], "config")) {
			CHECK(!config_parse(argc - 2, argv + 2, &cfg2));
			cfg.has &= ~(1u << LDIR_CONFIG_A_CONN_COUNT) &
				   ~(1u << LDIR_CONFIG_A_EMBRYONIC_COUNT) &
				   ~(1u << LDIR_CONFIG_A_PRESSURE);
			CHECK(cfg2.has == cfg.has);
			for (i = 1; i <= LDIR_CONFIG_A_MAX; i++)
				if (cfg.has & (1u << i))
					CHECK(cfg2.v[i] == cfg.v[i]);
		} else if (!strcmp(argv[0], "real") && !strcmp(argv[1], "set")) {
			const struct ld_real *want = ld_list_at(&reals, struct ld_real, 0);
			struct ld_real r;

			nrb++;
			CHECK(!real_parse(LD_SET, argc - 2, argv + 2, &r, &flush));
			CHECK(ld_real_key_eq(&r, want));
			CHECK(r.has == (LD_HAS_PORT | LD_HAS_BACKUP));
			CHECK(ld_addr_eq(&r.backup.addr, &want->backup.addr));
			CHECK(r.backup.port == want->backup.port);
		} else if (!strcmp(argv[0], "real")) {
			const struct ld_real *want = ld_list_at(&reals, struct ld_real, nr++);
			struct ld_real r;

			CHECK(!real_parse(LD_ADD, argc - 2, argv + 2, &r, &flush));
			CHECK(ld_real_key_eq(&r, want));
			CHECK(r.weight == want->weight && r.max_conns == want->max_conns);
			CHECK(r.syn_threshold == want->syn_threshold);
			CHECK(r.fail_threshold == want->fail_threshold);
			CHECK(r.idle_timeout == want->idle_timeout);
			CHECK(r.state == LDIR_STATE_IN);
		} else if (!strcmp(argv[0], "virtual") && !strcmp(argv[1], "set")) {
			const struct ld_virtual *want = ld_list_at(&virtuals, struct ld_virtual, 0);
			struct ld_virtual v;

			nvb++;
			CHECK(!virtual_parse(LD_SET, argc - 2, argv + 2, &v));
			CHECK(ld_virtual_key_eq(&v, want));
			CHECK(v.has == LD_HAS_BACKUP);
			CHECK(ld_addr_eq(&v.backup.addr, &want->backup.addr));
			CHECK(v.backup.port == want->backup.port);
		} else if (!strcmp(argv[0], "virtual")) {
			const struct ld_virtual *want = ld_list_at(&virtuals, struct ld_virtual, nv++);
			struct ld_virtual v;

			CHECK(!virtual_parse(LD_ADD, argc - 2, argv + 2, &v));
			CHECK(ld_virtual_key_eq(&v, want));
			CHECK(!strcmp(v.sched, want->sched) && v.state == want->state);
			CHECK(v.startup == want->startup);
			CHECK(v.startup_pct == want->startup_pct);
			CHECK(v.startup_window == want->startup_window);
		} else if (!strcmp(argv[0], "link")) {
			const struct ld_link *want = ld_list_at(&links, struct ld_link, nl++);
			struct ld_link l;

			CHECK(!link_parse(LD_ADD, argc - 2, argv + 2, &l, &flush));
			CHECK(ld_virtual_key_eq(&l.virt, &want->virt));
			CHECK(ld_addr_eq(&l.real.addr, &want->real.addr));
			CHECK(l.port == want->port);
		} else {
			CHECK(!"unexpected save line");
		}
	}
	CHECK(nrb == 1 && nvb == 1);
	CHECK(nr == 2 && nv == 2 && nl == 2);
	free(c.buf);
	ld_list_clear(&virtuals);
	ld_list_clear(&links);
	ld_list_clear(&reals);
}

/* Bad input for a parser: exit 1 and exactly this message (no usage). */
static void check_bad(int (*fn)(int argc, char **argv), const char *line,
		      const char *msg)
{
	char *argv[65];
	const char *usage;
	int argc;

	argc = words(argv, line);
	err_start();
	CHECK(fn(argc, argv) == 1);
	err_end();
	usage = strstr(errbuf, "\nUsage:\n");
	if (usage)
		((char *)usage)[1] = '\0';
	CHECK_STR(errbuf, msg);
}

static int vadd(int argc, char **argv)
{
	struct ld_virtual v;

	return virtual_parse(LD_ADD, argc, argv, &v);
}

static int bparse(int argc, char **argv)
{
	struct ld_bind b;

	return bind_parse(argc, argv, &b);
}

static int fflush_parse(int argc, char **argv)
{
	struct ld_virtual v;
	bool one;

	return fpa_flush_parse(argc, argv, &v, &one);
}

/* FPA settings, binds and FPAs: parsers, printers, save and messages. */
static void test_fpa_bind(void)
{
	static char buf[4096] __attribute__((aligned(4)));
	struct ld_list virtuals = LD_LIST_INIT(struct ld_virtual);
	struct ld_list binds = LD_LIST_INIT(struct ld_bind);
	struct ld_list links = LD_LIST_INIT(struct ld_link);
	const struct nlattr *tb[LDIR_A_MAX + 1];
	struct pr p = { .numeric = false };
	struct ld_virtual v, v2, *vp;
	struct ld_bind b, b2, *bp;
	struct nlmsghdr *nlh;
	struct ld_fpa fpa = { };
	struct ld_addr a;
	char *argv[65], *line;
	struct json j;
	struct cap c;
	uint8_t plen;
	bool one;
	int argc;

	ldctl_where = NULL;
	argc = words(argv, "tcp 192.0.2.10:80 bind 1 sched wlc fpa 300 fpa-mask 24 overflow");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(v.bind_id == 1 && v.fpa_interval == 300 && v.fpa_mask == 24);
	CHECK(v.overflow == 1);
	CHECK(v.has == (LD_HAS_BIND | LD_HAS_SCHED | LD_HAS_FPA |
			LD_HAS_FPAMASK | LD_HAS_OVERFLOW));
	argc = words(argv, "tcp 192.0.2.10:80 bind 1 no-overflow");
	CHECK(!virtual_parse(LD_SET, argc, argv, &v2));
	CHECK(v2.has == (LD_HAS_BIND | LD_HAS_OVERFLOW) && !v2.overflow);
	argc = words(argv, "tcp 192.0.2.10:80 fpa 0");
	CHECK(!virtual_parse(LD_SET, argc, argv, &v2));
	CHECK(v2.has == LD_HAS_FPA && !v2.fpa_interval);

	check_bad(vadd, "tcp 192.0.2.10:80 fpa 604801",
		  "ldctl: invalid fpa interval \"604801\" (expected 0..604800)\n");
	check_bad(vadd, "tcp 192.0.2.10:80 fpa-mask 33",
		  "ldctl: invalid fpa-mask \"33\" (expected 0..32)\n");
	check_bad(vadd, "tcp [2001:db8::1]:80 fpa-mask 129",
		  "ldctl: invalid fpa-mask \"129\" (expected 0..128)\n");
	check_bad(vadd, "tcp 192.0.2.10:80 fpa",
		  "ldctl: missing value after \"fpa\"\n");
	check_bad(vadd, "tcp 192.0.2.10:80 overflow",
		  "ldctl: overflow needs \"bind ID\" after VIP:PORT, with an ID other than 0 (the general instance is where an instance overflows to)\n");
	check_bad(vadd, "tcp 192.0.2.10:80 bind 2 overflow no-overflow",
		  "ldctl: \"overflow\" given twice\n");

	/* prefixes */
	CHECK(!parse_prefix("198.51.100.0/24", &a, &plen) && plen == 24);
	CHECK(a.family == AF_INET && a.addr[0] == 198 && a.addr[3] == 0);
	CHECK(!parse_prefix("10.0.1.7", &a, &plen) && plen == 32);
	CHECK(!parse_prefix("0.0.0.0/0", &a, &plen) && plen == 0);
	CHECK(!parse_prefix("2001:db8::/32", &a, &plen) && plen == 32);
	err_start();
	CHECK(parse_prefix("198.51.100.1/24", &a, &plen));
	CHECK_STR(err_end(), "ldctl: invalid prefix \"198.51.100.1/24\": address bits set past /24\n");
	err_start();
	CHECK(parse_prefix("198.51.100.0/33", &a, &plen));
	CHECK_STR(err_end(), "ldctl: invalid prefix length \"33\" in \"198.51.100.0/33\" (expected 0..32)\n");
	err_start();
	CHECK(parse_prefix("198.51.100.0/", &a, &plen));
	CHECK_STR(err_end(), "ldctl: invalid prefix length \"\" in \"198.51.100.0/\" (expected 0..32)\n");
	err_start();
	CHECK(parse_prefix("198.51.300.0/24", &a, &plen));
	CHECK_STR(err_end(), "ldctl: invalid address \"198.51.300.0\"\n");

	/* assign */
	argc = words(argv, "tcp 192.0.2.10:80 bind 1 198.51.100.0/24");
	CHECK(!bind_parse(argc, argv, &b));
	CHECK(b.virt.bind_id == 1 && b.virt.port == 80 && b.plen == 24);
	CHECK(b.virt.protocol == IPPROTO_TCP);
	argc = words(argv, "udp 192.0.2.10:53 bind 2 203.0.113.9");
	CHECK(!bind_parse(argc, argv, &b2));
	CHECK(b2.virt.protocol == IPPROTO_UDP && b2.plen == 32);
	check_bad(bparse, "tcp 192.0.2.10:80 198.51.100.0/24",
		  "ldctl: assign: missing \"bind ID\" after \"192.0.2.10:80\"\n");
	check_bad(bparse, "tcp 192.0.2.10:80 bind 0 198.51.100.0/24",
		  "ldctl: bind ID 0 is the general instance: it serves every client without a bind\n");
	check_bad(bparse, "tcp 192.0.2.10:80 bind 1",
		  "ldctl: missing CLIENT[/LEN] after \"bind 1\"\n");
	check_bad(bparse, "tcp 192.0.2.10:80 bind 1 198.51.100.0/24 x",
		  "ldctl: unexpected argument \"x\"\n");
	check_bad(bparse, "192.0.2.10:80:1 198.51.100.0/24",
		  "ldctl: assign: protocol missing: tcp|udp before VIP:PORT\n");
	check_bad(bparse, "sctp 192.0.2.10:80 bind 1 198.51.100.0/24",
		  "ldctl: invalid protocol \"sctp\" (expected tcp or udp)\n");
	check_bad(bparse, "tcp 192.0.2.10:80 bind 1 198.51.100.1/24",
		  "ldctl: invalid prefix \"198.51.100.1/24\": address bits set past /24\n");
	check_bad(bparse, "tcp 192.0.2.10:80 bind 1 2001:db8::/32",
		  "ldctl: client \"2001:db8::/32\" and virtual \"192.0.2.10:80\" are of different address families\n");
	check_bad(fflush_parse, "tcp 192.0.2.10",
		  "ldctl: missing port in \"192.0.2.10\" (write ADDR:PORT, port 0 for every port)\n");
	check_bad(fflush_parse, "192.0.2.10:80 tcp",
		  "ldctl: fpa flush: protocol missing: tcp|udp before VIP:PORT\n");
	check_bad(fflush_parse, "tcp 192.0.2.10:80 bind 1 x",
		  "ldctl: unexpected argument \"x\"\n");
	argc = words(argv, "udp 192.0.2.10:80 bind 4");
	CHECK(!fpa_flush_parse(argc, argv, &v2, &one) && one);
	CHECK(v2.bind_id == 4 && v2.protocol == IPPROTO_UDP);
	CHECK(!fpa_flush_parse(0, argv, &v2, &one) && !one);

	/* printing */
	v.state = LDIR_STATE_IN;
	v.nbinds = 1;
	vp = ld_list_add(&virtuals);
	*vp = v;
	bp = ld_list_add(&binds);
	*bp = b;
	bp = ld_list_add(&binds);
	*bp = b2;
	p.f = cap_start(&c);
	pr_show(&p, &virtuals, &links, NULL, &binds);
	pr_bind(&p, &b);
	CHECK_STR(cap_end(&c),
		  "Prot Virtual:Port   Bind Sched  State  Flags\n"
		  "  -> Real           Port Weight State  ActiveConn  InActConn\n"
		  "tcp  192.0.2.10:80     1 wlc    in     fpa 300 overflow\n"
		  "  <- 198.51.100.0/24\n"
		  "bind 198.51.100.0/24 -> tcp 192.0.2.10:80 bind 1\n");
	free(c.buf);

	fpa.virt = v;
	parse_addr("10.0.1.0", &fpa.client);
	fpa.plen = 24;
	parse_addr("10.0.2.12", &fpa.real.addr);
	fpa.age_ms = 2500;
	p.f = cap_start(&c);
	pr_fpa(&p, &fpa);
	p.numeric = true;
	pr_fpa(&p, &fpa);
	p.numeric = false;
	CHECK_STR(cap_end(&c),
		  "fpa 10.0.1.0/24 -> tcp 192.0.2.10:80 bind 1 -> 10.0.2.12:0 age 2s\n"
		  "fpa 10.0.1.0/24 -> 6 192.0.2.10:80 bind 1 -> 10.0.2.12:0 age 2500ms\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	json_arr_begin(&j, NULL);
	js_fpa(&j, &fpa);
	js_bind(&j, &b2);
	json_arr_end(&j);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "[{\"client\":\"10.0.1.0\",\"prefix_len\":24,\"virtual\":\"192.0.2.10\","
		  "\"virtual_port\":80,\"protocol\":\"tcp\",\"bind\":1,\"real\":\"10.0.2.12\","
		  "\"real_port\":0,\"age_ms\":2500},"
		  "{\"client\":\"203.0.113.9\",\"prefix_len\":32,\"virtual\":\"192.0.2.10\","
		  "\"virtual_port\":53,\"protocol\":\"udp\",\"bind\":2}]\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	js_show(&j, &virtuals, &links, NULL, &binds);
	json_finish(&j);
	cap_end(&c);
	CHECK(strstr(c.buf, "\"fpa\":300,\"fpa_mask\":24,\"overflow\":true,\"binds\":1,"
		      "\"links\":[],\"assigned\":[\"198.51.100.0/24\"]") != NULL);
	free(c.buf);

	/* save -> parse */
	cap_start(&c);
	save_virtual(c.f, &v);
	save_bind(c.f, &b);
	save_bind(c.f, &b2);
	CHECK_STR(cap_end(&c),
		  "virtual add tcp 192.0.2.10:80 bind 1 sched wlc state in fpa 300 fpa-mask 24 overflow\n"
		  "assign tcp 192.0.2.10:80 bind 1 198.51.100.0/24\n"
		  "assign udp 192.0.2.10:53 bind 2 203.0.113.9/32\n");
	line = strtok(c.buf, "\n");
	argc = words(argv, line);
	CHECK(!virtual_parse(LD_ADD, argc - 2, argv + 2, &v2));
	CHECK(ld_virtual_key_eq(&v, &v2) && v2.fpa_interval == 300);
	CHECK(v2.fpa_mask == 24 && v2.overflow);
	line = strtok(NULL, "\n");
	argc = words(argv, line);
	CHECK(!strcmp(argv[0], "assign"));
	CHECK(!bind_parse(argc - 1, argv + 1, &b2));
	CHECK(ld_virtual_key_eq(&b.virt, &b2.virt));
	CHECK(ld_addr_eq(&b.client, &b2.client) && b.plen == b2.plen);
	free(c.buf);

	/* messages */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	msg_put_bind(nlh, &b);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_BIND]);
	CHECK(!msg_parse_bind(tb[LDIR_A_BIND], &b2));
	CHECK(ld_virtual_key_eq(&b.virt, &b2.virt));
	CHECK(ld_addr_eq(&b.client, &b2.client) && b2.plen == 24);

	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, false);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_VIRTUAL]);
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(v2.fpa_interval == 300 && v2.fpa_mask == 24 && v2.overflow);

	ld_list_clear(&virtuals);
	ld_list_clear(&binds);
}

/* Requests encode as ldir.h says, and the reply parsers read them back. */
static void test_msg(void)
{
	static char buf[4096] __attribute__((aligned(4)));
	const struct nlattr *tb[LDIR_A_MAX + 1];
	struct ld_virtual v, v2;
	struct ld_link l, l2;
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	char *argv[65], desc[128];
	bool flush;
	int argc;

	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "udp [2001:db8::1]:443 bind 9 sched foo state out");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, false);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_VIRTUAL]);
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(ld_virtual_key_eq(&v, &v2));
	CHECK(v2.bind_id == 9 && !strcmp(v2.sched, "foo"));
	CHECK(v2.state == LDIR_STATE_OUT);

	/* the port is big endian on the wire */
	mnl_attr_for_each_nested(a, tb[LDIR_A_VIRTUAL]) {
		if (mnl_attr_get_type(a) == LDIR_VIRTUAL_A_PORT) {
			const uint8_t *p = mnl_attr_get_payload(a);

			CHECK(p[0] == 0x01 && p[1] == 0xbb);
		}
		if (mnl_attr_get_type(a) == LDIR_VIRTUAL_A_SCHED) {
			uint32_t off = (const char *)a - buf;

			CHECK(msg_describe(nlh, off, -1, desc, sizeof(desc)));
			CHECK_STR(desc, "virtual.sched \"foo\"");
		}
		if (mnl_attr_get_type(a) == LDIR_VIRTUAL_A_ADDR) {
			uint32_t off = (const char *)a - buf;

			CHECK(msg_describe(nlh, off, -1, desc, sizeof(desc)));
			CHECK_STR(desc, "virtual.addr 2001:db8::1");
		}
	}
	CHECK(msg_describe(nlh, (const char *)tb[LDIR_A_VIRTUAL] - buf, -1,
			   desc, sizeof(desc)));
	CHECK_STR(desc, "virtual udp [2001:db8::1]:443 bind 9");
	CHECK(msg_describe(nlh, (const char *)tb[LDIR_A_VIRTUAL] - buf,
			   LDIR_VIRTUAL_A_PROTOCOL, desc, sizeof(desc)));
	CHECK_STR(desc, "virtual.protocol");
	CHECK(msg_describe(nlh, 0, LDIR_A_CONFIG, desc, sizeof(desc)));
	CHECK_STR(desc, "config");
	CHECK(!msg_describe(nlh, nlh->nlmsg_len + 8, -1, desc, sizeof(desc)));

	/* a key-only virtual carries no SCHED or STATE */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, true);
	CHECK(!msg_parse_top(nlh, tb));
	mnl_attr_for_each_nested(a, tb[LDIR_A_VIRTUAL])
		CHECK(mnl_attr_get_type(a) != LDIR_VIRTUAL_A_SCHED &&
		      mnl_attr_get_type(a) != LDIR_VIRTUAL_A_STATE);

	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "tcp 192.0.2.10:80 bind 3 real 10.0.2.11 port 8080");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	msg_put_link(nlh, &l);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_LINK]);
	CHECK(!msg_parse_link(tb[LDIR_A_LINK], &l2));
	CHECK(ld_virtual_key_eq(&l.virt, &l2.virt));
	CHECK(ld_real_key_eq(&l.real, &l2.real));
	CHECK(l2.port == 8080 && l2.virt.bind_id == 3);
	CHECK(msg_describe(nlh, (const char *)tb[LDIR_A_LINK] - buf, -1,
			   desc, sizeof(desc)));
	CHECK_STR(desc, "link tcp 192.0.2.10:80 bind 3 real 10.0.2.11:0 port 8080");
	/* IPv4 occupies the first 4 bytes, the rest is zero */
	CHECK(l2.real.addr.addr[0] == 10 && l2.real.addr.addr[3] == 11);
	CHECK(!memcmp(l2.real.addr.addr + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12));
	{
		const struct nlattr *va = NULL, *pa = NULL;

		mnl_attr_for_each_nested(a, tb[LDIR_A_LINK])
			if (mnl_attr_get_type(a) == LDIR_LINK_A_VIRTUAL)
				va = a;
		CHECK(va);
		if (va) {
			mnl_attr_for_each_nested(a, va)
				if (mnl_attr_get_type(a) == LDIR_VIRTUAL_A_PORT)
					pa = a;
		}
		CHECK(pa);
		if (pa) {
			CHECK(msg_describe(nlh, (const char *)pa - buf, -1,
					   desc, sizeof(desc)));
			CHECK_STR(desc, "link.virtual.port 80");
		}
	}

	/* a malformed reply: ADDR of 4 bytes */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	{
		struct nlattr *nest = mnl_attr_nest_start(nlh, LDIR_A_REAL);

		mnl_attr_put_u16(nlh, LDIR_REAL_A_FAMILY, AF_INET);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_ADDR, 0x0100000a);
		mnl_attr_nest_end(nlh, nest);
	}
	{
		struct ld_real r;

		CHECK(!msg_parse_top(nlh, tb));
		CHECK(msg_parse_real(tb[LDIR_A_REAL], &r) == -EINVAL);
	}
}

/* The nest of attribute type in nest, or NULL. */
static const struct nlattr *nested(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* Backups as nests (empty: none), startup, thresholds, events. */
static void test_msg_ext(void)
{
	static char buf[4096] __attribute__((aligned(4)));
	const struct nlattr *tb[LDIR_A_MAX + 1], *b, *a;
	struct ld_virtual v, v2;
	struct ld_real r, r2;
	struct nlmsghdr *nlh;
	struct ld_event e;
	struct json j;
	struct cap c;
	struct pr p = { };
	char *argv[65], desc[128];
	bool flush;
	int argc;

	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "10.0.2.11:80 syn-threshold 7 fail-threshold 0 "
		     "idle-timeout 30 backup 10.0.2.13:8080");
	CHECK(!real_parse(LD_ADD, argc, argv, &r, &flush));
	msg_put_real(nlh, LDIR_A_REAL, &r, false);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_REAL]);
	CHECK(!msg_parse_real(tb[LDIR_A_REAL], &r2));
	CHECK(r2.ext && r2.syn_threshold == 7 && r2.fail_threshold == 0);
	CHECK(r2.idle_timeout == 30 && r2.backup.port == 8080);
	CHECK(ld_addr_eq(&r2.backup.addr, &r.backup.addr));
	/* fail-threshold 0 is sent, not left out */
	CHECK(nested(tb[LDIR_A_REAL], LDIR_REAL_A_FAIL_THRESHOLD));
	b = nested(tb[LDIR_A_REAL], LDIR_REAL_A_BACKUP);
	CHECK(b);
	if (b) {
		a = nested(b, LDIR_REAL_A_PORT);
		CHECK(a && ((const uint8_t *)mnl_attr_get_payload(a))[0] == 0x1f);
		CHECK(msg_describe(nlh, (const char *)b - buf, -1, desc,
				   sizeof(desc)));
		CHECK_STR(desc, "real.backup 10.0.2.13:8080");
		CHECK(msg_describe(nlh, (const char *)a - buf, -1, desc,
				   sizeof(desc)));
		CHECK_STR(desc, "real.backup.port 8080");
	}
	/* key only (del, link): none of it */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	msg_put_real(nlh, LDIR_A_REAL, &r, true);
	CHECK(!msg_parse_top(nlh, tb));
	CHECK(!nested(tb[LDIR_A_REAL], LDIR_REAL_A_BACKUP));
	CHECK(!nested(tb[LDIR_A_REAL], LDIR_REAL_A_SYN_THRESHOLD));

	/* backup none: an empty nest */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "10.0.2.11 backup none");
	CHECK(!real_parse(LD_SET, argc, argv, &r, &flush));
	msg_put_real(nlh, LDIR_A_REAL, &r, false);
	CHECK(!msg_parse_top(nlh, tb));
	b = nested(tb[LDIR_A_REAL], LDIR_REAL_A_BACKUP);
	CHECK(b && mnl_attr_get_payload_len(b) == 0);
	CHECK(!nested(tb[LDIR_A_REAL], LDIR_REAL_A_WEIGHT));
	CHECK(!msg_parse_real(tb[LDIR_A_REAL], &r2) && !r2.backup.addr.family);

	/* a virtual's backup: its protocol, bind 0 */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "udp 192.0.2.10:80 startup rr startup-pct 30 "
		     "startup-window 200 backup 192.0.2.20:53");
	CHECK(!virtual_parse(LD_SET, argc, argv, &v));
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, false);
	CHECK(!msg_parse_top(nlh, tb));
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(v2.ext && v2.startup == LDIR_STARTUP_RR);
	CHECK(v2.startup_pct == 30 && v2.startup_window == 200);
	CHECK(v2.backup.port == 53 && v2.backup.addr.addr[3] == 20);
	CHECK(!v2.failed);
	b = nested(tb[LDIR_A_VIRTUAL], LDIR_VIRTUAL_A_BACKUP);
	CHECK(b);
	if (b) {
		a = nested(b, LDIR_VIRTUAL_A_PROTOCOL);
		CHECK(a && mnl_attr_get_u8(a) == IPPROTO_UDP);
		a = nested(b, LDIR_VIRTUAL_A_BIND_ID);
		CHECK(a && mnl_attr_get_u32(a) == 0);
		CHECK(msg_describe(nlh, (const char *)b - buf, -1, desc,
				   sizeof(desc)));
		CHECK_STR(desc, "virtual.backup udp 192.0.2.20:53");
	}
	a = nested(tb[LDIR_A_VIRTUAL], LDIR_VIRTUAL_A_STARTUP_WINDOW);
	CHECK(a && mnl_attr_get_payload_len(a) == 2 && mnl_attr_get_u16(a) == 200);

	/* a dumped real: read-only values, PR signed, FAILED flag */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, LDIR_A_REAL);

		mnl_attr_put_u16(nlh, LDIR_REAL_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, LDIR_REAL_A_ADDR, 16, r.addr.addr);
		mnl_attr_put_u8(nlh, LDIR_REAL_A_STATE, LDIR_STATE_FAILED);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_UNANSWERED, 4);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_DITCHED, 9);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_DITCH_CONSEC, 3);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_RESPONSE_US, 2000);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_AGE_MS, 10);
		mnl_attr_put_u64(nlh, LDIR_REAL_A_PR, (uint64_t)-1234);
		mnl_attr_put_u32(nlh, LDIR_REAL_A_RETRY_MS, 700);
		mnl_attr_nest_end(nlh, n);
		n = mnl_attr_nest_start(nlh, LDIR_A_VIRTUAL);
		mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, LDIR_VIRTUAL_A_ADDR, 16, v.addr.addr);
		mnl_attr_put(nlh, LDIR_VIRTUAL_A_FAILED, 0, NULL);
		mnl_attr_nest_end(nlh, n);
	}
	CHECK(!msg_parse_top(nlh, tb));
	CHECK(!msg_parse_real(tb[LDIR_A_REAL], &r2));
	CHECK(r2.ext && r2.state == LDIR_STATE_FAILED && r2.unanswered == 4);
	CHECK(r2.ditched == 9 && r2.ditch_consec == 3);
	CHECK(r2.response_us == 2000 && r2.age_ms == 10 && r2.pr == -1234);
	CHECK((r2.has & LD_HAS_RETRY) && r2.retry_ms == 700);
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(v2.ext && v2.failed && !v2.backup.addr.family);

	/* events: parse, one line each, JSON */
	p.f = cap_start(&c);
	{
		static const uint8_t types[] = {
			LDIR_EVENT_REAL_FAILED, LDIR_EVENT_REAL_RECOVERED,
			LDIR_EVENT_REAL_STATE, LDIR_EVENT_VIRTUAL_FAILED,
			LDIR_EVENT_VIRTUAL_RECOVERED, 99,
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(types); i++) {
			struct nlattr *ev, *n;

			nlh = mnl_nlmsg_put_header(buf);
			mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
			ev = mnl_attr_nest_start(nlh, LDIR_A_EVENT);
			mnl_attr_put_u8(nlh, LDIR_EVENT_A_TYPE, types[i]);
			if (types[i] != LDIR_EVENT_VIRTUAL_FAILED &&
			    types[i] != LDIR_EVENT_VIRTUAL_RECOVERED) {
				n = mnl_attr_nest_start(nlh, LDIR_EVENT_A_REAL);
				mnl_attr_put_u16(nlh, LDIR_REAL_A_FAMILY, AF_INET);
				mnl_attr_put(nlh, LDIR_REAL_A_ADDR, 16, r.addr.addr);
				mnl_attr_put_u16(nlh, LDIR_REAL_A_PORT, htons(80));
				mnl_attr_put_u8(nlh, LDIR_REAL_A_STATE,
						types[i] == LDIR_EVENT_REAL_FAILED ?
						LDIR_STATE_FAILED : LDIR_STATE_OUT);
				mnl_attr_put_u32(nlh, LDIR_REAL_A_DITCHED, 3);
				mnl_attr_nest_end(nlh, n);
			}
			if (types[i] != LDIR_EVENT_REAL_FAILED &&
			    types[i] != LDIR_EVENT_REAL_RECOVERED &&
			    types[i] != LDIR_EVENT_REAL_STATE) {
				n = mnl_attr_nest_start(nlh, LDIR_EVENT_A_VIRTUAL);
				mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_FAMILY, AF_INET);
				mnl_attr_put(nlh, LDIR_VIRTUAL_A_ADDR, 16, v.addr.addr);
				mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_PORT, htons(80));
				mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_PROTOCOL, IPPROTO_TCP);
				mnl_attr_nest_end(nlh, n);
			}
			mnl_attr_nest_end(nlh, ev);
			CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_EVENT]);
			CHECK(!msg_parse_event(tb[LDIR_A_EVENT], &e));
			pr_event(&p, &e);
		}
	}
	CHECK_STR(cap_end(&c),
		  "real 10.0.2.11:80 failed (ditched 3)\n"
		  "real 10.0.2.11:80 recovered\n"
		  "real 10.0.2.11:80 state out\n"
		  "virtual tcp 192.0.2.10:80 failed\n"
		  "virtual tcp 192.0.2.10:80 recovered\n"
		  "event 99 real 10.0.2.11:80 virtual 192.0.2.10:80 tcp\n");
	free(c.buf);
	json_init(&j, cap_start(&c));
	js_event(&j, &e);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "{\"event\":\"99\",\"real\":\"10.0.2.11\",\"real_port\":80,"
		  "\"state\":\"out\",\"ditched\":3,\"virtual\":\"192.0.2.10\","
		  "\"virtual_port\":80,\"protocol\":\"tcp\",\"bind\":0,\"conn_count\":null,\"embryonic\":null}\n");
	free(c.buf);

	/* SYN pressure: the two counts */
	p.f = cap_start(&c);
	{
		static const uint8_t types[] = {
			LDIR_EVENT_PRESSURE_START, LDIR_EVENT_PRESSURE_END,
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(types); i++) {
			struct nlattr *ev;

			nlh = mnl_nlmsg_put_header(buf);
			mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
			ev = mnl_attr_nest_start(nlh, LDIR_A_EVENT);
			mnl_attr_put_u8(nlh, LDIR_EVENT_A_TYPE, types[i]);
			mnl_attr_put_u32(nlh, LDIR_EVENT_A_CONN_COUNT, 2000 - i);
			mnl_attr_put_u32(nlh, LDIR_EVENT_A_EMBRYONIC, 1000 - i);
			mnl_attr_nest_end(nlh, ev);
			CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_EVENT]);
			CHECK(!msg_parse_event(tb[LDIR_A_EVENT], &e));
			pr_event(&p, &e);
		}
	}
	CHECK_STR(cap_end(&c),
		  "SYN pressure started (conns 2000 embryonic 1000)\n"
		  "SYN pressure ended (conns 1999 embryonic 999)\n");
	free(c.buf);
	json_init(&j, cap_start(&c));
	js_event(&j, &e);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "{\"event\":\"pressure-end\",\"real\":null,\"real_port\":null,\"state\":null,\"ditched\":null,\"virtual\":null,\"virtual_port\":null,\"protocol\":null,\"bind\":null,\"conn_count\":1999,"
		  "\"embryonic\":999}\n");
	free(c.buf);

	/* an event without a type is malformed */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, LDIR_A_EVENT));
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_EVENT]);
	CHECK(msg_parse_event(tb[LDIR_A_EVENT], &e) == -EINVAL);
}

/* The reply side of the transport, on crafted buffers. */
#define FAM	0x1234
#define PORTID	777

static struct nlmsghdr *put_msg(char *buf, size_t *off, uint16_t type,
				uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

static void end_msg(size_t *off, struct nlmsghdr *nlh)
{
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(int *)data)++;
	return 0;
}

static void test_nl(void)
{
	static char req[1024] __attribute__((aligned(4)));
	static char buf[4096] __attribute__((aligned(4)));
	const struct nlattr *tb[LDIR_A_MAX + 1], *a;
	struct nlmsghdr *rq, *nlh;
	struct nlmsgerr *e;
	uint32_t sched_off = 0;
	struct ld_virtual v;
	char *argv[65];
	struct nl *nl;
	size_t off;
	int argc, n;
	bool intr;

	/* the request: virtual add with an unknown scheduler */
	rq = mnl_nlmsg_put_header(req);
	rq->nlmsg_seq = 5;
	mnl_nlmsg_put_extra_header(rq, GENL_HDRLEN);
	argc = words(argv, "tcp 192.0.2.10:80 sched foo");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	msg_put_virtual(rq, LDIR_A_VIRTUAL, &v, false);
	CHECK(!msg_parse_top(rq, tb));
	mnl_attr_for_each_nested(a, tb[LDIR_A_VIRTUAL])
		if (mnl_attr_get_type(a) == LDIR_VIRTUAL_A_SCHED)
			sched_off = (const char *)a - req;
	CHECK(sched_off);

	/* capped error with message and offset; a stale message first */
	nl = nl_fake(FAM, PORTID);
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_ERROR, 0, 4);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EEXIST;
	end_msg(&off, nlh);
	nlh = put_msg(buf, &off, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENOENT;
	e->msg = *rq;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "unknown scheduler");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, sched_off);
	end_msg(&off, nlh);
	intr = false;
	CHECK(nl_process(nl, buf, off, 5, NULL, NULL, &intr) == -ENOENT);
	err_start();
	nl_report(nl, rq, -ENOENT);
	CHECK_STR(err_end(), "ldctl: kernel: unknown scheduler (attribute virtual.sched \"foo\"): No such file or directory\n");
	nl_close(nl);

	/* uncapped: the request is echoed before the TLVs; missing attr */
	nl = nl_fake(FAM, PORTID);
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_ERROR, NLM_F_ACK_TLVS, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) - sizeof(*rq) +
				       rq->nlmsg_len);
	e->error = -EINVAL;
	memcpy(&e->msg, rq, rq->nlmsg_len);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "missing attribute");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, LDIR_VIRTUAL_A_PROTOCOL);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST,
			 (const char *)tb[LDIR_A_VIRTUAL] - req);
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 5, NULL, NULL, &intr) == -EINVAL);
	err_start();
	nl_report(nl, rq, -EINVAL);
	CHECK_STR(err_end(), "ldctl: kernel: missing attribute (missing attribute virtual.protocol): Invalid argument\n");
	nl_close(nl);

	/* an offset at the nest names the object */
	nl = nl_fake(FAM, PORTID);
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENOENT;
	e->msg = *rq;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "virtual not found");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 (const char *)tb[LDIR_A_VIRTUAL] - req);
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 5, NULL, NULL, &intr) == -ENOENT);
	err_start();
	nl_report(nl, rq, -ENOENT);
	CHECK_STR(err_end(), "ldctl: kernel: virtual not found (attribute virtual tcp 192.0.2.10:80): No such file or directory\n");
	nl_close(nl);

	/* EPERM, no extended ack */
	nl = nl_fake(FAM, PORTID);
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_ERROR, NLM_F_CAPPED, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EPERM;
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 5, NULL, NULL, &intr) == -EPERM);
	err_start();
	nl_report(nl, rq, -EPERM);
	CHECK_STR(err_end(), "ldctl: operation not permitted (CAP_NET_ADMIN needed)\n");
	/* a bare errno */
	err_start();
	nl_report(nl, rq, -EEXIST);
	CHECK_STR(err_end(), "ldctl: kernel: File exists\n");

	/* a plain ack */
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_ERROR, NLM_F_CAPPED, 6);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 6, NULL, NULL, &intr) == 0);

	/* a dump: data, data flagged interrupted, other family, DONE */
	n = 0;
	intr = false;
	off = 0;
	nlh = put_msg(buf, &off, FAM, NLM_F_MULTI, 7);
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 7, count_cb, &n, &intr) == NL_MORE);
	CHECK(n == 1 && !intr);
	off = 0;
	nlh = put_msg(buf, &off, FAM, NLM_F_MULTI | NLM_F_DUMP_INTR, 7);
	end_msg(&off, nlh);
	nlh = put_msg(buf, &off, FAM + 1, NLM_F_MULTI, 7);
	end_msg(&off, nlh);
	nlh = put_msg(buf, &off, NLMSG_DONE, NLM_F_MULTI, 7);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 7, count_cb, &n, &intr) == 0);
	CHECK(n == 2 && intr);

	/* a dump that fails at the end */
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 8);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EMSGSIZE;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "too big");
	end_msg(&off, nlh);
	CHECK(nl_process(nl, buf, off, 8, NULL, NULL, &intr) == -EMSGSIZE);
	err_start();
	nl_report(nl, rq, -EMSGSIZE);
	CHECK_STR(err_end(), "ldctl: kernel: too big: Message too long\n");
	nl_close(nl);

	/* family lookup, against the running kernel's controller */
	CHECK(nl_lookup("nlctrl") == GENL_ID_CTRL);
	CHECK(nl_lookup("ldir-nonexist") == -ENOENT);
}

/* stateless: a flag without a value, on add only; shown, saved and sent */
static void test_stateless(void)
{
	static char buf[4096] __attribute__((aligned(4)));
	const struct nlattr *tb[LDIR_A_MAX + 1];
	struct pr p = { .numeric = false };
	struct ld_virtual v, v2;
	struct nlmsghdr *nlh;
	char *argv[65];
	struct json j;
	struct cap c;
	int argc;

	argc = words(argv, "tcp 192.0.2.10:80 sched maglev stateless state in");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(v.flags == LDIR_VIRTUAL_F_STATELESS);
	CHECK(v.has == (LD_HAS_SCHED | LD_HAS_STATE | LD_HAS_FLAGS));
	CHECK(!strcmp(v.sched, "maglev") && v.state == LDIR_STATE_IN);

	argc = words(argv, "udp 192.0.2.10:80 stateless");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(v.flags == LDIR_VIRTUAL_F_STATELESS && v.has == LD_HAS_FLAGS);

	struct {
		enum ld_verb verb;
		const char *line;
		const char *err;
	} bad[] = {
		{ LD_ADD, "tcp 192.0.2.10:80 stateless stateless",
		  "ldctl: \"stateless\" given twice\n" },
		{ LD_SET, "tcp 192.0.2.10:80 stateless",
		  "ldctl: unknown argument \"stateless\"\n" },
		{ LD_DEL, "tcp 192.0.2.10:80 stateless",
		  "ldctl: unknown argument \"stateless\"\n" },
	};
	size_t i;

	ldctl_where = NULL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *usage;

		argc = words(argv, bad[i].line);
		err_start();
		CHECK(virtual_parse(bad[i].verb, argc, argv, &v2) == 1);
		err_end();
		usage = strstr(errbuf, "\nUsage:\n");
		if (usage)
			((char *)usage)[1] = '\0';
		CHECK_STR(errbuf, bad[i].err);
	}

	/* on the wire: FLAGS, u32 */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "tcp 192.0.2.10:80 sched hash5 stateless");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, false);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_VIRTUAL]);
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(v2.flags == LDIR_VIRTUAL_F_STATELESS && (v2.has & LD_HAS_FLAGS));
	CHECK(!strcmp(v2.sched, "hash5"));
	/* a key (del, link) carries no flags */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, true);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_VIRTUAL]);
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(!v2.flags && !(v2.has & LD_HAS_FLAGS));

	v.state = LDIR_STATE_IN;
	v.nlinks = 3;
	v.fpa_mask = 32;	/* as the kernel reports it: no FPA grouping */
	p.f = cap_start(&c);
	pr_virtual(&p, &v);
	CHECK_STR(cap_end(&c),
		  "virtual tcp 192.0.2.10:80 sched hash5 stateless state in conns 0 links 3\n");
	free(c.buf);

	json_init(&j, cap_start(&c));
	js_virtual(&j, &v);
	json_finish(&j);
	CHECK(strstr(cap_end(&c), "\"sched\":\"hash5\",\"stateless\":true,") != NULL);
	free(c.buf);

	save_virtual(cap_start(&c), &v);
	CHECK_STR(cap_end(&c),
		  "virtual add tcp 192.0.2.10:80 sched hash5 state in stateless\n");
	free(c.buf);
}

/*
 * IPv6 everywhere: a dual-stack site whose IPv6 addresses are as long as
 * they get. Virtuals: 0 tcp [A:10]:443 (fpa, fpa-mask 64, startup, backup
 * 1), 1 tcp [2001:db8::10]:443, 2 its instance bind 4294967295, 3 udp
 * 192.0.2.10:53. Reals: 0 [A:ffff]:8443 (backup 1), 1 [2001:db8::12]:0,
 * 2 10.0.2.11:0. Links 0->0, 1->1 port 8080, 2->1, 3->2 port 5353;
 * binds 2001:db8:100::/48 and 2001:db8:200::7/128 -> 2.
 */
#define A6 "2001:db8:aaaa:bbbb:cccc:dddd:eeee:"

static void make_site6(struct ld_list *virtuals, struct ld_list *links,
		       struct ld_list *reals, struct ld_list *binds)
{
	struct ld_virtual *v;
	struct ld_real *r;
	struct ld_link *l;
	struct ld_bind *b;

	v = ld_list_add(virtuals);
	parse_addr(A6 "10", &v->addr);
	v->port = 443;
	v->protocol = IPPROTO_TCP;
	strcpy(v->sched, "wlc");
	v->has = LD_HAS_SCHED;
	v->state = LDIR_STATE_IN;
	v->ext = true;
	v->startup = LDIR_STARTUP_RR;
	v->startup_pct = 50;
	v->startup_window = 20;
	parse_addr("2001:db8::10", &v->backup.addr);
	v->backup.port = 443;
	v->fpa_interval = 300;
	v->fpa_mask = 64;
	v->conns = 3;
	v->nlinks = 1;

	v = ld_list_add(virtuals);
	parse_addr("2001:db8::10", &v->addr);
	v->port = 443;
	v->protocol = IPPROTO_TCP;
	strcpy(v->sched, "rr");
	v->has = LD_HAS_SCHED;
	v->state = LDIR_STATE_OUT;
	v->ext = true;
	v->startup_pct = 50;
	v->startup_window = 20;
	v->fpa_mask = 128;
	v->nlinks = 1;

	v = ld_list_add(virtuals);
	*v = *ld_list_at(virtuals, struct ld_virtual, 1);
	v->bind_id = UINT32_MAX;
	v->state = LDIR_STATE_IN;
	v->overflow = 1;
	v->nbinds = 2;

	v = ld_list_add(virtuals);
	parse_addr("192.0.2.10", &v->addr);
	v->port = 53;
	v->protocol = IPPROTO_UDP;
	strcpy(v->sched, "maglev");
	v->has = LD_HAS_SCHED;
	v->flags = LDIR_VIRTUAL_F_STATELESS;
	v->state = LDIR_STATE_IN;
	v->ext = true;
	v->startup_pct = 50;
	v->startup_window = 20;
	v->fpa_mask = 32;
	v->nlinks = 1;

	r = ld_list_add(reals);
	parse_addr(A6 "ffff", &r->addr);
	r->port = 8443;
	r->weight = 3;
	r->max_conns = 1000;
	r->state = LDIR_STATE_IN;
	r->ext = true;
	r->syn_threshold = 5;
	r->fail_threshold = 3;
	parse_addr("2001:db8::12", &r->backup.addr);
	r->active = 2;
	r->conns = 3;
	r->nlinks = 1;

	r = ld_list_add(reals);
	parse_addr("2001:db8::12", &r->addr);
	r->weight = 1;
	r->state = LDIR_STATE_FAILED;
	r->ext = true;
	r->syn_threshold = 5;
	r->fail_threshold = 3;
	r->idle_timeout = 60;
	r->nlinks = 2;

	r = ld_list_add(reals);
	parse_addr("10.0.2.11", &r->addr);
	r->weight = 1;
	r->state = LDIR_STATE_IN;
	r->ext = true;
	r->syn_threshold = 5;
	r->fail_threshold = 3;
	r->nlinks = 1;

	l = ld_list_add(links);
	l->virt = *ld_list_at(virtuals, struct ld_virtual, 0);
	l->real = *ld_list_at(reals, struct ld_real, 0);
	l->active = 2;
	l->conns = 3;
	l = ld_list_add(links);
	l->virt = *ld_list_at(virtuals, struct ld_virtual, 1);
	l->real = *ld_list_at(reals, struct ld_real, 1);
	l->port = 8080;
	l = ld_list_add(links);
	l->virt = *ld_list_at(virtuals, struct ld_virtual, 2);
	l->real = *ld_list_at(reals, struct ld_real, 1);
	l = ld_list_add(links);
	l->virt = *ld_list_at(virtuals, struct ld_virtual, 3);
	l->real = *ld_list_at(reals, struct ld_real, 2);
	l->port = 5353;

	b = ld_list_add(binds);
	b->virt = *ld_list_at(virtuals, struct ld_virtual, 2);
	parse_prefix("2001:db8:100::/48", &b->client, &b->plen);
	b = ld_list_add(binds);
	b->virt = *ld_list_at(virtuals, struct ld_virtual, 2);
	parse_prefix("2001:db8:200::7", &b->client, &b->plen);
}

static int radd(int argc, char **argv)
{
	struct ld_real r;
	bool flush;

	return real_parse(LD_ADD, argc, argv, &r, &flush);
}

static int rset(int argc, char **argv)
{
	struct ld_real r;
	bool flush;

	return real_parse(LD_SET, argc, argv, &r, &flush);
}

static int vset(int argc, char **argv)
{
	struct ld_virtual v;

	return virtual_parse(LD_SET, argc, argv, &v);
}

/* Every command that takes an address, with IPv6 ones. */
static void test_ipv6_parse(void)
{
	struct ld_virtual v, want;
	struct ld_real r;
	struct ld_link l;
	struct ld_bind b;
	char *argv[65];
	bool flush, one;
	int argc;

	ldctl_where = NULL;
	argc = words(argv, "tcp [" A6 "10]:443 bind 4294967295 sched wlc "
		     "fpa 300 fpa-mask 128 backup [2001:db8::10]:443 overflow");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	memset(&want, 0, sizeof(want));
	parse_addr(A6 "10", &want.addr);
	want.port = 443;
	want.protocol = IPPROTO_TCP;
	want.bind_id = UINT32_MAX;
	CHECK(ld_virtual_key_eq(&v, &want) && v.addr.family == AF_INET6);
	CHECK(v.fpa_mask == 128 && v.fpa_interval == 300 && v.overflow);
	CHECK(v.backup.addr.family == AF_INET6 && v.backup.port == 443);
	CHECK(v.backup.addr.addr[15] == 0x10 && v.backup.addr.addr[1] == 0x01);
	argc = words(argv, "udp [::1]:0 backup none");
	CHECK(!virtual_parse(LD_SET, argc, argv, &v));
	CHECK(v.addr.family == AF_INET6 && v.addr.addr[15] == 1 && !v.port);
	CHECK(v.has == LD_HAS_BACKUP && !v.backup.addr.family);
	argc = words(argv, "udp [2001:db8::10]:53 bind 2");
	CHECK(!virtual_parse(LD_DEL, argc, argv, &v));
	CHECK(v.bind_id == 2 && v.addr.family == AF_INET6 && v.port == 53);
	check_bad(vadd, "tcp 2001:db8::10:443",
		  "ldctl: ambiguous address \"2001:db8::10:443\" (IPv6 with a port takes brackets: write [2001:db8::10]:443, or [2001:db8::10:443]:PORT)\n");
	check_bad(vadd, "tcp 2001:db8::10",
		  "ldctl: missing port in \"2001:db8::10\" (write [2001:db8::10]:PORT)\n");
	check_bad(vadd, "tcp [2001:db8::10]:443 fpa-mask 129",
		  "ldctl: invalid fpa-mask \"129\" (expected 0..128)\n");
	check_bad(vset, "tcp [2001:db8::10]:443 backup 2001:db8::11:443",
		  "ldctl: invalid backup virtual \"2001:db8::11:443\" (expected VIP:PORT or none): ambiguous address \"2001:db8::11:443\" (IPv6 with a port takes brackets: write [2001:db8::11]:443, or [2001:db8::11:443]:PORT)\n");
	check_bad(vset, "tcp [2001:db8::10]:443 backup [2001:db8::10]:443",
		  "ldctl: a virtual cannot be its own backup\n");
	check_bad(vset, "tcp [2001:db8::10]:443 backup [2001:db8::10]",
		  "ldctl: invalid backup virtual \"[2001:db8::10]\" (expected VIP:PORT or none): missing port in \"[2001:db8::10]\" (write [2001:db8::10]:PORT)\n");

	/* reals: a bare IPv6 address is the address alone, port 0 */
	argc = words(argv, "2001:db8::12 weight 3 backup 2001:db8::13");
	CHECK(!real_parse(LD_ADD, argc, argv, &r, &flush));
	CHECK(r.addr.family == AF_INET6 && !r.port && !(r.has & LD_HAS_PORT));
	CHECK(r.backup.addr.family == AF_INET6 && !r.backup.port);
	CHECK(r.backup.addr.addr[15] == 0x13);
	argc = words(argv, "[" A6 "ffff]:8443 backup [2001:db8::12]:8443");
	CHECK(!real_parse(LD_SET, argc, argv, &r, &flush));
	CHECK(r.port == 8443 && (r.has & LD_HAS_PORT));
	CHECK(r.addr.addr[14] == 0xff && r.addr.addr[15] == 0xff);
	CHECK(r.backup.port == 8443 && r.backup.addr.addr[15] == 0x12);
	argc = words(argv, "[2001:db8::12] flush");
	CHECK(!real_parse(LD_DEL, argc, argv, &r, &flush) && flush);
	CHECK(r.addr.family == AF_INET6 && !r.port && !(r.has & LD_HAS_PORT));
	check_bad(radd, "2001:db8::12:8080",
		  "ldctl: ambiguous address \"2001:db8::12:8080\" (IPv6 with a port takes brackets: write [2001:db8::12]:8080, or [2001:db8::12:8080] for the address alone)\n");
	check_bad(radd, "[2001:db8::12]8080",
		  "ldctl: invalid address \"[2001:db8::12]8080\"\n");
	check_bad(rset, "2001:db8::12 backup 2001:db8::13:80",
		  "ldctl: invalid backup real \"2001:db8::13:80\" (expected ADDR[:PORT] or none): ambiguous address \"2001:db8::13:80\" (IPv6 with a port takes brackets: write [2001:db8::13]:80, or [2001:db8::13:80] for the address alone)\n");
	check_bad(rset, "[2001:db8::12]:0 backup 2001:db8::12",
		  "ldctl: a real cannot be its own backup\n");

	/* links */
	argc = words(argv, "tcp [2001:db8::10]:443 bind 9 real [" A6 "ffff]:8443 port 443");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	CHECK(l.virt.addr.family == AF_INET6 && l.virt.bind_id == 9);
	CHECK(l.real.addr.family == AF_INET6 && l.real.port == 8443);
	CHECK(l.port == 443);
	argc = words(argv, "udp [2001:db8::10]:53 real 2001:db8::12 flush");
	CHECK(!link_parse(LD_DEL, argc, argv, &l, &flush) && flush);
	CHECK(l.real.addr.family == AF_INET6 && !l.real.port && !l.port);
	check_bad(ladd, "tcp [2001:db8::10]:443 real 2001:db8::12:8080",
		  "ldctl: ambiguous address \"2001:db8::12:8080\" (IPv6 with a port takes brackets: write [2001:db8::12]:8080, or [2001:db8::12:8080] for the address alone)\n");
	check_bad(ladd, "tcp [2001:db8::10]:443 [2001:db8::12]:8080",
		  "ldctl: unknown argument \"[2001:db8::12]:8080\" (write \"real ADDR[:PORT]\")\n");
	check_bad(ladd, "[2001:db8::10]:443 real 2001:db8::12",
		  "ldctl: link add: protocol missing: tcp|udp before VIP:PORT\n");
	check_bad(ladd, "2001:db8::10 real 2001:db8::12",
		  "ldctl: link add: protocol missing: tcp|udp before VIP:PORT\n");

	/* binds: IPv6 client prefixes of an IPv6 virtual */
	argc = words(argv, "tcp [2001:db8::10]:443 bind 4 2001:db8:100::/48");
	CHECK(!bind_parse(argc, argv, &b));
	CHECK(b.client.family == AF_INET6 && b.plen == 48);
	CHECK(b.client.addr[4] == 0x01 && !b.client.addr[6]);
	argc = words(argv, "tcp [2001:db8::10]:443 bind 4 2001:db8:200::7");
	CHECK(!bind_parse(argc, argv, &b) && b.plen == 128);
	argc = words(argv, "udp [2001:db8::10]:53 bind 4 ::/0");
	CHECK(!bind_parse(argc, argv, &b) && b.plen == 0);
	check_bad(bparse, "tcp [2001:db8::10]:443 bind 4 2001:db8:100::1/48",
		  "ldctl: invalid prefix \"2001:db8:100::1/48\": address bits set past /48\n");
	check_bad(bparse, "tcp [2001:db8::10]:443 bind 4 2001:db8:100::/129",
		  "ldctl: invalid prefix length \"129\" in \"2001:db8:100::/129\" (expected 0..128)\n");
	check_bad(bparse, "tcp [2001:db8::10]:443 bind 4 198.51.100.0/24",
		  "ldctl: client \"198.51.100.0/24\" and virtual \"[2001:db8::10]:443\" are of different address families\n");
	check_bad(bparse, "tcp [2001:db8::10]:443 bind 4 [2001:db8:100::]/48",
		  "ldctl: invalid address \"[2001:db8:100::]\"\n");

	/* fpa flush of one IPv6 instance */
	argc = words(argv, "udp [2001:db8::10]:53 bind 2");
	CHECK(!fpa_flush_parse(argc, argv, &v, &one) && one);
	CHECK(v.addr.family == AF_INET6 && v.port == 53 && v.bind_id == 2);
	check_bad(fflush_parse, "udp 2001:db8::10:53",
		  "ldctl: ambiguous address \"2001:db8::10:53\" (IPv6 with a port takes brackets: write [2001:db8::10]:53, or [2001:db8::10:53]:PORT)\n");
}

static void test_ipv6_print(void)
{
	struct ld_list virtuals = LD_LIST_INIT(struct ld_virtual);
	struct ld_list reals = LD_LIST_INIT(struct ld_real);
	struct ld_list links = LD_LIST_INIT(struct ld_link);
	struct ld_list binds = LD_LIST_INIT(struct ld_bind);
	struct pr p = { .numeric = false };
	struct ld_conn conn = { };
	struct ld_fpa fpa = { };
	struct json j;
	struct cap c;
	char *want;

	make_site6(&virtuals, &links, &reals, &binds);

	/*
	 * The address column as wide as the longest VIP:PORT or real, the
	 * bind column as the longest ID: every column stays in line.
	 */
	p.f = cap_start(&c);
	pr_show(&p, &virtuals, &links, &reals, &binds);
	CHECK_STR(cap_end(&c),
		  "Prot Virtual:Port                                     Bind Sched  State  Flags\n"
		  "  -> Real                                             Port Weight State  ActiveConn  InActConn\n"
		  "tcp  [" A6 "10]:443          0 wlc    in     fpa 300\n"
		  "  -> " A6 "ffff           8443 3      in              2          1\n"
		  "tcp  [2001:db8::10]:443                                  0 rr     out\n"
		  "  -> 2001:db8::12                                     8080 1      failed          0          0\n"
		  "tcp  [2001:db8::10]:443                         4294967295 rr     in     overflow\n"
		  "  -> 2001:db8::12                                        0 1      failed          0          0\n"
		  "  <- 2001:db8:100::/48\n"
		  "  <- 2001:db8:200::7/128\n"
		  "udp  192.0.2.10:53                                       0 maglev in     stateless\n"
		  "  -> 10.0.2.11                                        5353 1      in              0          0\n");
	free(c.buf);

	p.details = true;
	p.f = cap_start(&c);
	pr_show(&p, &virtuals, &links, &reals, NULL);
	p.details = false;
	CHECK_STR(cap_end(&c),
		  "Prot Virtual:Port                                     Bind Sched  State  Flags\n"
		  "  -> Real                                             Port Weight State  ActiveConn  InActConn\n"
		  "tcp  [" A6 "10]:443          0 wlc    in     fpa 300\n"
		  "     startup rr startup-pct 50 startup-window 20 backup [2001:db8::10]:443 fpa 300 fpa-mask 64 conns 3 links 1 binds 0\n"
		  "  -> " A6 "ffff           8443 3      in              2          1\n"
		  "       real-port 8443 maxconns 1000 syn-threshold 5 fail-threshold 3 idle-timeout 0 backup [2001:db8::12]:0 unanswered 0 ditched 0 ditch-consec 0 response-us 0 age-ms 0 pr 0\n"
		  "tcp  [2001:db8::10]:443                                  0 rr     out\n"
		  "     startup none startup-pct 50 startup-window 20 fpa 0 fpa-mask 128 conns 0 links 1 binds 0\n"
		  "  -> 2001:db8::12                                     8080 1      failed          0          0\n"
		  "       real-port 0 maxconns 0 syn-threshold 5 fail-threshold 3 idle-timeout 60 unanswered 0 ditched 0 ditch-consec 0 response-us 0 age-ms 0 pr 0\n"
		  "tcp  [2001:db8::10]:443                         4294967295 rr     in     overflow\n"
		  "     startup none startup-pct 50 startup-window 20 fpa 0 fpa-mask 128 conns 0 links 1 binds 2\n"
		  "  -> 2001:db8::12                                        0 1      failed          0          0\n"
		  "       real-port 0 maxconns 0 syn-threshold 5 fail-threshold 3 idle-timeout 60 unanswered 0 ditched 0 ditch-consec 0 response-us 0 age-ms 0 pr 0\n"
		  "udp  192.0.2.10:53                                       0 maglev in     stateless\n"
		  "     startup none startup-pct 50 startup-window 20 fpa 0 fpa-mask 32 conns 0 links 1 binds 0\n"
		  "  -> 10.0.2.11                                        5353 1      in              0          0\n"
		  "       real-port 0 maxconns 0 syn-threshold 5 fail-threshold 3 idle-timeout 0 unanswered 0 ditched 0 ditch-consec 0 response-us 0 age-ms 0 pr 0\n");
	free(c.buf);

	/* one object a line: IPv6 as [ADDR]:PORT, prefixes as ADDR/LEN */
	fpa.virt = *ld_list_at(&virtuals, struct ld_virtual, 0);
	parse_addr("2001:db8:100:7::", &fpa.client);
	fpa.plen = 64;
	fpa.real = *ld_list_at(&reals, struct ld_real, 0);
	fpa.age_ms = 2500;
	conn.protocol = IPPROTO_TCP;
	parse_addr("2001:db8:100::7", &conn.client);
	conn.client_port = 40000;
	parse_addr(A6 "10", &conn.virt);
	conn.virt_port = 443;
	parse_addr(A6 "ffff", &conn.real);
	conn.real_port = 8443;
	conn.state = LDIR_CONN_S_ESTABLISHED;
	conn.expires_ms = 118999;
	p.f = cap_start(&c);
	pr_virtual(&p, ld_list_at(&virtuals, struct ld_virtual, 0));
	pr_virtual(&p, ld_list_at(&virtuals, struct ld_virtual, 2));
	pr_real(&p, ld_list_at(&reals, struct ld_real, 0));
	pr_link(&p, ld_list_at(&links, struct ld_link, 0));
	pr_link(&p, ld_list_at(&links, struct ld_link, 2));
	pr_bind(&p, ld_list_at(&binds, struct ld_bind, 0));
	pr_fpa(&p, &fpa);
	pr_conn(&p, &conn);
	CHECK_STR(cap_end(&c),
		  "virtual tcp [" A6 "10]:443 sched wlc state in startup rr startup-pct 50 startup-window 20 backup [2001:db8::10]:443 conns 3 links 1 fpa 300 fpa-mask 64\n"
		  "virtual tcp [2001:db8::10]:443 bind 4294967295 sched rr state in startup none startup-pct 50 startup-window 20 conns 0 links 1 overflow binds 2\n"
		  "real [" A6 "ffff]:8443 weight 3 maxconns 1000 state in syn-threshold 5 fail-threshold 3 idle-timeout 0 backup [2001:db8::12]:0 active 2 conns 3 links 1 unanswered 0 ditched 0 ditch-consec 0 response-us 0 age-ms 0 pr 0 pkts-in 0 pkts-out 0\n"
		  "link tcp [" A6 "10]:443 -> [" A6 "ffff]:8443 active 2 conns 3 pkts-in 0 pkts-out 0\n"
		  "link tcp [2001:db8::10]:443 bind 4294967295 -> [2001:db8::12]:0 active 0 conns 0 pkts-in 0 pkts-out 0\n"
		  "bind 2001:db8:100::/48 -> tcp [2001:db8::10]:443 bind 4294967295\n"
		  "fpa 2001:db8:100:7::/64 -> tcp [" A6 "10]:443 -> [" A6 "ffff]:8443 age 2s\n"
		  "tcp [2001:db8:100::7]:40000 -> [" A6 "10]:443 -> [" A6 "ffff]:8443 ESTABLISHED expires 118s\n");
	free(c.buf);

	/*
	 * JSON: addresses as strings without brackets (ports are their own
	 * fields), a backup as the [ADDR]:PORT the commands take
	 */
	json_init(&j, cap_start(&c));
	json_arr_begin(&j, NULL);
	js_conn(&j, &conn);
	js_fpa(&j, &fpa);
	js_bind(&j, ld_list_at(&binds, struct ld_bind, 0));
	js_real(&j, ld_list_at(&reals, struct ld_real, 0));
	js_link(&j, ld_list_at(&links, struct ld_link, 2));
	json_arr_end(&j);
	json_finish(&j);
	if (asprintf(&want,
		     "[{\"protocol\":\"tcp\",\"client\":\"2001:db8:100::7\",\"client_port\":40000,"
		     "\"virtual\":\"" A6 "10\",\"virtual_port\":443,"
		     "\"real\":\"" A6 "ffff\",\"real_port\":8443,"
		     "\"state\":\"established\",\"expires_ms\":118999},"
		     "{\"client\":\"2001:db8:100:7::\",\"prefix_len\":64,"
		     "\"virtual\":\"" A6 "10\",\"virtual_port\":443,\"protocol\":\"tcp\",\"bind\":0,"
		     "\"real\":\"" A6 "ffff\",\"real_port\":8443,\"age_ms\":2500},"
		     "{\"client\":\"2001:db8:100::\",\"prefix_len\":48,\"virtual\":\"2001:db8::10\","
		     "\"virtual_port\":443,\"protocol\":\"tcp\",\"bind\":4294967295},"
		     "{\"address\":\"" A6 "ffff\",\"port\":8443,\"weight\":3,\"maxconns\":1000,"
		     "\"state\":\"in\",\"syn_threshold\":5,\"fail_threshold\":3,\"idle_timeout\":0,"
		     "\"backup\":\"[2001:db8::12]:0\",\"active\":2,\"conns\":3,\"links\":1,"
		     "\"unanswered\":0,\"ditched\":0,\"ditch_consec\":0,\"response_us\":0,"
		     "\"age_ms\":0,\"pr\":0,\"retry_ms\":null,%s},"
		     "{\"virtual\":\"2001:db8::10\",\"virtual_port\":443,\"protocol\":\"tcp\","
		     "\"bind\":4294967295,\"real\":\"2001:db8::12\",\"real_port\":0,\"port\":0,"
		     "\"active\":0,\"conns\":0,%s}]\n", stats_json, stats_json) < 0)
		abort();
	CHECK_STR(cap_end(&c), want);
	free(want);
	free(c.buf);

	json_init(&j, cap_start(&c));
	js_show(&j, &virtuals, &links, &reals, &binds);
	json_finish(&j);
	cap_end(&c);
	CHECK(strstr(c.buf, "{\"virtuals\":[{\"address\":\"" A6 "10\",\"port\":443,"
		     "\"protocol\":\"tcp\",\"bind\":0,") == c.buf);
	CHECK(strstr(c.buf, "\"backup\":\"[2001:db8::10]:443\",\"conns\":3,"
		     "\"fpa\":300,\"fpa_mask\":64,"));
	CHECK(strstr(c.buf, "\"links\":[{\"real\":\"" A6 "ffff\",\"real_port\":8443,"
		     "\"port\":0,\"weight\":3,\"maxconns\":1000,\"state\":\"in\","
		     "\"backup\":\"[2001:db8::12]:0\","));
	CHECK(strstr(c.buf, "\"fpa_mask\":128,\"overflow\":true,\"binds\":2,"
		     "\"links\":[{\"real\":\"2001:db8::12\",\"real_port\":0,\"port\":0,"));
	CHECK(strstr(c.buf, "\"assigned\":[\"2001:db8:100::/48\",\"2001:db8:200::7/128\"]"));
	CHECK(strstr(c.buf, "{\"address\":\"192.0.2.10\",\"port\":53,\"protocol\":\"udp\","));
	free(c.buf);

	ld_list_clear(&virtuals);
	ld_list_clear(&links);
	ld_list_clear(&reals);
	ld_list_clear(&binds);
}

/*
 * What a kernel would hold after the save lines of a site: each line
 * parsed as restore runs it and applied to lists (settings not named at
 * their defaults), then saved again.
 */
struct site {
	struct ld_list virtuals, reals, links, binds;
};

static void site_init(struct site *s)
{
	s->virtuals = (struct ld_list)LD_LIST_INIT(struct ld_virtual);
	s->reals = (struct ld_list)LD_LIST_INIT(struct ld_real);
	s->links = (struct ld_list)LD_LIST_INIT(struct ld_link);
	s->binds = (struct ld_list)LD_LIST_INIT(struct ld_bind);
}

static void site_clear(struct site *s)
{
	ld_list_clear(&s->virtuals);
	ld_list_clear(&s->reals);
	ld_list_clear(&s->links);
	ld_list_clear(&s->binds);
}

static void site_save(FILE *f, const struct site *s)
{
	size_t i;

	for (i = 0; i < s->reals.n; i++)
		save_real(f, ld_list_at(&s->reals, struct ld_real, i));
	for (i = 0; i < s->reals.n; i++)
		save_real_backup(f, ld_list_at(&s->reals, struct ld_real, i));
	for (i = 0; i < s->virtuals.n; i++)
		save_virtual(f, ld_list_at(&s->virtuals, struct ld_virtual, i));
	for (i = 0; i < s->virtuals.n; i++)
		save_virtual_backup(f, ld_list_at(&s->virtuals,
						  struct ld_virtual, i));
	for (i = 0; i < s->links.n; i++)
		save_link(f, ld_list_at(&s->links, struct ld_link, i));
	for (i = 0; i < s->binds.n; i++)
		save_bind(f, ld_list_at(&s->binds, struct ld_bind, i));
}

/* Applies one save line to s; false if a parser refused it. */
static bool site_apply(struct site *s, char *line)
{
	char *argv[65];
	bool flush;
	size_t i;
	int argc;

	argc = words(argv, line);
	if (argc < 3)
		return false;
	if (!strcmp(argv[0], "real") && !strcmp(argv[1], "add")) {
		struct ld_real *r = ld_list_add(&s->reals);

		if (real_parse(LD_ADD, argc - 2, argv + 2, r, &flush))
			return false;
		r->ext = true;
		return true;
	}
	if (!strcmp(argv[0], "real") && !strcmp(argv[1], "set")) {
		struct ld_real r;

		if (real_parse(LD_SET, argc - 2, argv + 2, &r, &flush))
			return false;
		for (i = 0; i < s->reals.n; i++)
			if (ld_real_key_eq(ld_list_at(&s->reals,
						      struct ld_real, i), &r))
				ld_list_at(&s->reals, struct ld_real,
					   i)->backup = r.backup;
		return r.has == (LD_HAS_PORT | LD_HAS_BACKUP);
	}
	if (!strcmp(argv[0], "virtual") && !strcmp(argv[1], "add")) {
		struct ld_virtual *v = ld_list_add(&s->virtuals);

		if (virtual_parse(LD_ADD, argc - 2, argv + 2, v))
			return false;
		v->ext = true;
		if (!(v->has & LD_HAS_FPAMASK))
			v->fpa_mask = v->addr.family == AF_INET ? 32 : 128;
		return true;
	}
	if (!strcmp(argv[0], "virtual") && !strcmp(argv[1], "set")) {
		struct ld_virtual v;

		if (virtual_parse(LD_SET, argc - 2, argv + 2, &v))
			return false;
		for (i = 0; i < s->virtuals.n; i++)
			if (ld_virtual_key_eq(ld_list_at(&s->virtuals,
							 struct ld_virtual, i),
					      &v))
				ld_list_at(&s->virtuals, struct ld_virtual,
					   i)->backup = v.backup;
		return (v.has & ~LD_HAS_BIND) == LD_HAS_BACKUP;
	}
	if (!strcmp(argv[0], "link") && !strcmp(argv[1], "add"))
		return !link_parse(LD_ADD, argc - 2, argv + 2,
				   ld_list_add(&s->links), &flush);
	if (!strcmp(argv[0], "assign"))
		return !bind_parse(argc - 1, argv + 1, ld_list_add(&s->binds));
	return false;
}

/* save -> restore -> save of the dual-stack site: the same lines. */
static void test_ipv6_roundtrip(void)
{
	struct site a, b;
	char *saved, *line, *again;
	struct cap c;
	size_t n = 0;

	site_init(&a);
	site_init(&b);
	make_site6(&a.virtuals, &a.links, &a.reals, &a.binds);
	site_save(cap_start(&c), &a);
	saved = (char *)cap_end(&c);
	CHECK_STR(saved,
		  "real add [" A6 "ffff]:8443 weight 3 maxconns 1000 state in syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		  "real add [2001:db8::12]:0 weight 1 maxconns 0 state in syn-threshold 5 fail-threshold 3 idle-timeout 60\n"
		  "real add 10.0.2.11:0 weight 1 maxconns 0 state in syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		  "real set [" A6 "ffff]:8443 backup [2001:db8::12]:0\n"
		  "virtual add tcp [" A6 "10]:443 sched wlc state in startup rr startup-pct 50 startup-window 20 fpa 300 fpa-mask 64\n"
		  "virtual add tcp [2001:db8::10]:443 sched rr state out startup none startup-pct 50 startup-window 20\n"
		  "virtual add tcp [2001:db8::10]:443 bind 4294967295 sched rr state in startup none startup-pct 50 startup-window 20 overflow\n"
		  "virtual add udp 192.0.2.10:53 sched maglev state in stateless startup none startup-pct 50 startup-window 20\n"
		  "virtual set tcp [" A6 "10]:443 backup [2001:db8::10]:443\n"
		  "link add tcp [" A6 "10]:443 real [" A6 "ffff]:8443\n"
		  "link add tcp [2001:db8::10]:443 real [2001:db8::12]:0 port 8080\n"
		  "link add tcp [2001:db8::10]:443 bind 4294967295 real [2001:db8::12]:0\n"
		  "link add udp 192.0.2.10:53 real 10.0.2.11:0 port 5353\n"
		  "assign tcp [2001:db8::10]:443 bind 4294967295 2001:db8:100::/48\n"
		  "assign tcp [2001:db8::10]:443 bind 4294967295 2001:db8:200::7/128\n");
	saved = strdup(saved);
	free(c.buf);

	ldctl_where = NULL;
	for (line = strtok(saved, "\n"); line; line = strtok(NULL, "\n"), n++) {
		bool ok;

		err_start();
		ok = site_apply(&b, line);
		err_end();
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  line: %s\n  %s", line, errbuf);
	}
	CHECK(n == 15);
	free(saved);
	site_save(cap_start(&c), &a);
	saved = (char *)cap_end(&c);
	site_save(cap_start(&c), &b);
	again = (char *)cap_end(&c);
	CHECK_STR(again, saved);
	free(saved);
	free(again);
	/* the objects themselves, not only their text */
	CHECK(b.virtuals.n == 4 && b.reals.n == 3 && b.links.n == 4 &&
	      b.binds.n == 2);
	CHECK(ld_addr_eq(&ld_list_at(&b.binds, struct ld_bind, 1)->client,
			 &ld_list_at(&a.binds, struct ld_bind, 1)->client));
	CHECK(ld_list_at(&b.binds, struct ld_bind, 1)->plen == 128);
	CHECK(ld_addr_eq(&ld_list_at(&b.reals, struct ld_real, 0)->addr,
			 &ld_list_at(&a.reals, struct ld_real, 0)->addr));
	site_clear(&a);
	site_clear(&b);
}

/* The FAMILY and ADDR attributes of nest (of the virtual or real set). */
static bool has_addr6(const struct nlattr *nest, uint16_t fam_type,
		      uint16_t addr_type, const struct ld_addr *want)
{
	const struct nlattr *f = nested(nest, fam_type);
	const struct nlattr *a = nested(nest, addr_type);

	return f && a && mnl_attr_get_payload_len(f) == 2 &&
	       mnl_attr_get_u16(f) == AF_INET6 &&
	       mnl_attr_get_payload_len(a) == 16 &&
	       !memcmp(mnl_attr_get_payload(a), want->addr, 16);
}

/* IPv6 on the wire: requests, replies, events and the kernel's errors. */
static void test_ipv6_msg(void)
{
	static char buf[4096] __attribute__((aligned(4)));
	static char req[1024] __attribute__((aligned(4)));
	const struct nlattr *tb[LDIR_A_MAX + 1], *b;
	struct ld_virtual v, v2;
	struct ld_real r, r2;
	struct ld_link l, l2;
	struct ld_bind bi, bi2;
	struct ld_conn conn;
	struct ld_fpa fpa;
	struct ld_event e;
	struct nlmsghdr *nlh, *rq;
	struct nlattr *n, *m;
	struct nlmsgerr *er;
	struct pr p = { };
	struct json j;
	struct cap c, c2;
	char *argv[65], desc[256];
	bool flush, intr;
	struct nl *nl;
	size_t off;
	int argc;

	/* a virtual and its backup: FAMILY AF_INET6, ADDR the 16 bytes */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "tcp [" A6 "10]:443 bind 4294967295 fpa-mask 64 "
		     "backup [2001:db8::10]:443");
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, false);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_VIRTUAL]);
	CHECK(has_addr6(tb[LDIR_A_VIRTUAL], LDIR_VIRTUAL_A_FAMILY,
			LDIR_VIRTUAL_A_ADDR, &v.addr));
	b = nested(tb[LDIR_A_VIRTUAL], LDIR_VIRTUAL_A_BACKUP);
	CHECK(b && has_addr6(b, LDIR_VIRTUAL_A_FAMILY, LDIR_VIRTUAL_A_ADDR,
			     &v.backup.addr));
	CHECK(!msg_parse_virtual(tb[LDIR_A_VIRTUAL], &v2));
	CHECK(ld_virtual_key_eq(&v, &v2) && v2.addr.family == AF_INET6);
	CHECK(ld_addr_eq(&v2.backup.addr, &v.backup.addr));
	CHECK(v2.backup.port == 443 && v2.fpa_mask == 64);
	CHECK(msg_describe(nlh, (const char *)tb[LDIR_A_VIRTUAL] - buf, -1,
			   desc, sizeof(desc)));
	CHECK_STR(desc, "virtual tcp [" A6 "10]:443 bind 4294967295");
	CHECK(b && msg_describe(nlh, (const char *)b - buf, -1, desc,
				sizeof(desc)));
	CHECK_STR(desc, "virtual.backup tcp [2001:db8::10]:443");
	b = nested(tb[LDIR_A_VIRTUAL], LDIR_VIRTUAL_A_ADDR);
	CHECK(b && msg_describe(nlh, (const char *)b - buf, -1, desc,
				sizeof(desc)));
	CHECK_STR(desc, "virtual.addr " A6 "10");

	/* a real and its backup */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "[" A6 "ffff]:65535 weight 3 backup 2001:db8::12");
	CHECK(!real_parse(LD_ADD, argc, argv, &r, &flush));
	msg_put_real(nlh, LDIR_A_REAL, &r, false);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_REAL]);
	CHECK(has_addr6(tb[LDIR_A_REAL], LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR,
			&r.addr));
	b = nested(tb[LDIR_A_REAL], LDIR_REAL_A_BACKUP);
	CHECK(b && has_addr6(b, LDIR_REAL_A_FAMILY, LDIR_REAL_A_ADDR,
			     &r.backup.addr));
	CHECK(!msg_parse_real(tb[LDIR_A_REAL], &r2));
	CHECK(ld_real_key_eq(&r, &r2) && r2.port == 65535);
	CHECK(ld_addr_eq(&r2.backup.addr, &r.backup.addr) && !r2.backup.port);
	CHECK(b && msg_describe(nlh, (const char *)b - buf, -1, desc,
				sizeof(desc)));
	CHECK_STR(desc, "real.backup [2001:db8::12]:0");

	/* a link: both keys, the longest description there is */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "udp [" A6 "10]:65535 bind 4294967295 real [" A6
		     "ffff]:65535 port 65535");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	msg_put_link(nlh, &l);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_LINK]);
	CHECK(!msg_parse_link(tb[LDIR_A_LINK], &l2));
	CHECK(ld_virtual_key_eq(&l.virt, &l2.virt));
	CHECK(ld_real_key_eq(&l.real, &l2.real) && l2.port == 65535);
	CHECK(msg_describe(nlh, (const char *)tb[LDIR_A_LINK] - buf, -1,
			   desc, sizeof(desc)));
	CHECK_STR(desc, "link udp [" A6 "10]:65535 bind 4294967295 real [" A6
		  "ffff]:65535 port 65535");

	/* a bind: an IPv6 prefix */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	argc = words(argv, "tcp [2001:db8::10]:443 bind 4 2001:db8:100::/48");
	CHECK(!bind_parse(argc, argv, &bi));
	msg_put_bind(nlh, &bi);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_BIND]);
	CHECK(has_addr6(tb[LDIR_A_BIND], LDIR_BIND_A_FAMILY, LDIR_BIND_A_ADDR,
			&bi.client));
	CHECK(!msg_parse_bind(tb[LDIR_A_BIND], &bi2));
	CHECK(ld_virtual_key_eq(&bi.virt, &bi2.virt));
	CHECK(ld_addr_eq(&bi.client, &bi2.client) && bi2.plen == 48);

	/* dumped conns and FPAs of IPv6 clients */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	n = mnl_attr_nest_start(nlh, LDIR_A_CONN);
	mnl_attr_put_u8(nlh, LDIR_CONN_A_PROTOCOL, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, LDIR_CONN_A_CLIENT_ADDR, 16, bi.client.addr);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_CLIENT_PORT, htons(40000));
	mnl_attr_put(nlh, LDIR_CONN_A_VIRTUAL_ADDR, 16, v.addr.addr);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_VIRTUAL_PORT, htons(443));
	mnl_attr_put(nlh, LDIR_CONN_A_REAL_ADDR, 16, r.addr.addr);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_REAL_PORT, htons(8443));
	mnl_attr_put_u8(nlh, LDIR_CONN_A_STATE, LDIR_CONN_S_UDP);
	mnl_attr_put_u32(nlh, LDIR_CONN_A_EXPIRES_MS, 30000);
	mnl_attr_nest_end(nlh, n);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_CONN]);
	CHECK(!msg_parse_conn(tb[LDIR_A_CONN], &conn));
	CHECK(conn.client.family == AF_INET6 && conn.virt.family == AF_INET6 &&
	      conn.real.family == AF_INET6);

	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	n = mnl_attr_nest_start(nlh, LDIR_A_FPA);
	msg_put_virtual(nlh, LDIR_FPA_A_VIRTUAL, &v, true);
	mnl_attr_put_u16(nlh, LDIR_FPA_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, LDIR_FPA_A_CLIENT_ADDR, 16, bi.client.addr);
	mnl_attr_put_u8(nlh, LDIR_FPA_A_PREFIX_LEN, 64);
	msg_put_real(nlh, LDIR_FPA_A_REAL, &r, true);
	mnl_attr_put_u32(nlh, LDIR_FPA_A_AGE_MS, 1500);
	mnl_attr_nest_end(nlh, n);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_FPA]);
	CHECK(!msg_parse_fpa(tb[LDIR_A_FPA], &fpa));

	p.f = cap_start(&c);
	pr_conn(&p, &conn);
	pr_fpa(&p, &fpa);
	CHECK_STR(cap_end(&c),
		  "udp [2001:db8:100::]:40000 -> [" A6 "10]:443 -> [" A6
		  "ffff]:8443 UDP expires 30s\n"
		  "fpa 2001:db8:100::/64 -> tcp [" A6 "10]:443 bind 4294967295 -> ["
		  A6 "ffff]:65535 age 1s\n");
	free(c.buf);

	/* events about IPv6 objects */
	p.f = cap_start(&c);
	json_init(&j, cap_start(&c2));
	json_arr_begin(&j, NULL);
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	n = mnl_attr_nest_start(nlh, LDIR_A_EVENT);
	mnl_attr_put_u8(nlh, LDIR_EVENT_A_TYPE, LDIR_EVENT_REAL_FAILED);
	m = mnl_attr_nest_start(nlh, LDIR_EVENT_A_REAL);
	mnl_attr_put_u16(nlh, LDIR_REAL_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, LDIR_REAL_A_ADDR, 16, r.addr.addr);
	mnl_attr_put_u16(nlh, LDIR_REAL_A_PORT, htons(8443));
	mnl_attr_put_u8(nlh, LDIR_REAL_A_STATE, LDIR_STATE_FAILED);
	mnl_attr_put_u32(nlh, LDIR_REAL_A_DITCHED, 3);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, n);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_EVENT]);
	CHECK(!msg_parse_event(tb[LDIR_A_EVENT], &e));
	pr_event(&p, &e);
	js_event(&j, &e);
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, GENL_HDRLEN);
	n = mnl_attr_nest_start(nlh, LDIR_A_EVENT);
	mnl_attr_put_u8(nlh, LDIR_EVENT_A_TYPE, LDIR_EVENT_VIRTUAL_FAILED);
	msg_put_virtual(nlh, LDIR_EVENT_A_VIRTUAL, &v, true);
	mnl_attr_nest_end(nlh, n);
	CHECK(!msg_parse_top(nlh, tb) && tb[LDIR_A_EVENT]);
	CHECK(!msg_parse_event(tb[LDIR_A_EVENT], &e));
	pr_event(&p, &e);
	json_arr_end(&j);
	json_finish(&j);
	CHECK_STR(cap_end(&c),
		  "real [" A6 "ffff]:8443 failed (ditched 3)\n"
		  "virtual tcp [" A6 "10]:443 bind 4294967295 failed\n");
	free(c.buf);
	/* one shape for every event: the IPv6 real's fields, the rest null */
	CHECK_STR(cap_end(&c2),
		  "[{\"event\":\"real-failed\",\"real\":\"" A6 "ffff\",\"real_port\":8443,"
		  "\"state\":\"failed\",\"ditched\":3,\"virtual\":null,"
		  "\"virtual_port\":null,\"protocol\":null,\"bind\":null,"
		  "\"conn_count\":null,\"embryonic\":null}]\n");
	free(c2.buf);

	/*
	 * Mixed families are the kernel's to refuse: its message, and the
	 * link it names as the commands write it
	 */
	rq = mnl_nlmsg_put_header(req);
	rq->nlmsg_seq = 5;
	mnl_nlmsg_put_extra_header(rq, GENL_HDRLEN);
	argc = words(argv, "tcp [2001:db8::10]:443 real 10.0.2.11");
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	msg_put_link(rq, &l);
	CHECK(!msg_parse_top(rq, tb) && tb[LDIR_A_LINK]);
	nl = nl_fake(FAM, PORTID);
	off = 0;
	nlh = put_msg(buf, &off, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 5);
	er = mnl_nlmsg_put_extra_header(nlh, sizeof(*er));
	er->error = -EAFNOSUPPORT;
	er->msg = *rq;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG,
			  "real and virtual of different address families");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 (const char *)tb[LDIR_A_LINK] - req);
	end_msg(&off, nlh);
	intr = false;
	CHECK(nl_process(nl, buf, off, 5, NULL, NULL, &intr) == -EAFNOSUPPORT);
	err_start();
	nl_report(nl, rq, -EAFNOSUPPORT);
	CHECK_STR(err_end(), "ldctl: kernel: real and virtual of different address families (attribute link tcp [2001:db8::10]:443 real 10.0.2.11:0): Address family not supported by protocol\n");
	nl_close(nl);
}

/* The lines of text (one a line) into l. */
static void text_lines(struct lines *l, const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		lines_add(l, line);
	free(copy);
}

/*
 * sync between two saves of IPv6 objects: the commands name them as save
 * does, and an IPv6 virtual's fpa-mask goes back to its default, 128.
 */
static void test_ipv6_sync(void)
{
	struct site a;
	struct lines now = { }, want = { }, cmds = { };
	struct cap c;
	char *got;
	size_t i;

	site_init(&a);
	make_site6(&a.virtuals, &a.links, &a.reals, &a.binds);
	site_save(cap_start(&c), &a);
	cap_end(&c);
	text_lines(&now, c.buf);
	free(c.buf);
	site_clear(&a);
	text_lines(&want,
		   "real add [" A6 "ffff]:8443 weight 5 maxconns 1000 state in syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		   "real add [2001:db8::12]:0 weight 1 maxconns 0 state in syn-threshold 5 fail-threshold 3 idle-timeout 60\n"
		   "real add [2001:db8::13]:0 weight 1 maxconns 0 state in syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		   "real set [" A6 "ffff]:8443 backup [2001:db8::13]:0\n"
		   "virtual add tcp [" A6 "10]:443 sched wlc state in startup rr startup-pct 50 startup-window 20 fpa 300\n"
		   "virtual add tcp [2001:db8::10]:443 sched rr state out startup none startup-pct 50 startup-window 20\n"
		   "virtual add tcp [2001:db8::10]:443 bind 4294967295 sched rr state in startup none startup-pct 50 startup-window 20 overflow\n"
		   "link add tcp [" A6 "10]:443 real [" A6 "ffff]:8443\n"
		   "link add tcp [2001:db8::10]:443 real [2001:db8::13]:0 port 8080\n"
		   "link add tcp [2001:db8::10]:443 bind 4294967295 real [2001:db8::12]:0\n"
		   "assign tcp [2001:db8::10]:443 bind 4294967295 2001:db8:100::/56\n"
		   "assign tcp [2001:db8::10]:443 bind 4294967295 2001:db8:200::7/128\n");
	CHECK(!sync_diff(&now, &want, &cmds));
	cap_start(&c);
	for (i = 0; i < cmds.n; i++)
		fprintf(c.f, "%s\n", cmds.v[i]);
	got = (char *)cap_end(&c);
	CHECK_STR(got,
		  "real set [" A6 "ffff]:8443 weight 5 maxconns 1000 state in syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		  "real add [2001:db8::13]:0 weight 1 maxconns 0 state in syn-threshold 5 fail-threshold 3 idle-timeout 0\n"
		  "virtual set tcp [" A6 "10]:443 sched wlc state in startup rr startup-pct 50 startup-window 20 fpa 300 fpa-mask 128\n"
		  "real set [" A6 "ffff]:8443 backup [2001:db8::13]:0\n"
		  "virtual set tcp [" A6 "10]:443 backup none\n"
		  "link del tcp [2001:db8::10]:443 real [2001:db8::12]:0 port 8080\n"
		  "link del udp 192.0.2.10:53 real 10.0.2.11:0 port 5353\n"
		  "unassign tcp [2001:db8::10]:443 bind 4294967295 2001:db8:100::/48\n"
		  "link add tcp [2001:db8::10]:443 real [2001:db8::13]:0 port 8080\n"
		  "assign tcp [2001:db8::10]:443 bind 4294967295 2001:db8:100::/56\n"
		  "virtual del udp 192.0.2.10:53\n"
		  "real del 10.0.2.11:0\n");
	free(got);
	free_lines(&cmds);
	/* each command is one ldctl reads */
	ldctl_where = NULL;
	CHECK(!sync_diff(&now, &want, &cmds));
	for (i = 0; i < cmds.n; i++) {
		char *argv[65];
		bool flush, one;
		int argc = words(argv, cmds.v[i]), ret;
		struct ld_virtual v;
		struct ld_real r;
		struct ld_link l;
		struct ld_bind b;
		enum ld_verb verb = !strcmp(argv[1], "add") ? LD_ADD :
				    !strcmp(argv[1], "set") ? LD_SET : LD_DEL;

		err_start();
		if (!strcmp(argv[0], "real"))
			ret = real_parse(verb, argc - 2, argv + 2, &r, &flush);
		else if (!strcmp(argv[0], "virtual"))
			ret = virtual_parse(verb, argc - 2, argv + 2, &v);
		else if (!strcmp(argv[0], "link"))
			ret = link_parse(verb, argc - 2, argv + 2, &l, &flush);
		else if (!strcmp(argv[0], "assign") ||
			 !strcmp(argv[0], "unassign"))
			ret = bind_parse(argc - 1, argv + 1, &b);
		else
			ret = fpa_flush_parse(0, argv, &v, &one) || 1;
		err_end();
		CHECK(!ret);
		if (ret)
			fprintf(stderr, "  %s: %s", cmds.v[i], errbuf);
	}
	/* nothing left to do */
	free_lines(&cmds);
	CHECK(!sync_diff(&want, &want, &cmds) && !cmds.n);
	free_lines(&cmds);
	free_lines(&now);
	free_lines(&want);
}

/* The syntax of ldctl 0.1, which restore and sync read for one release */
static void test_old_syntax(void)
{
	static const char *const cases[][2] = {
		/* what the old save wrote */
		{ "virtual add 192.0.2.10:80 tcp sched wlc state in bind 7 fpa 30",
		  "virtual add tcp 192.0.2.10:80 bind 7 sched wlc state in fpa 30" },
		{ "virtual set [2001:db8::1]:53 udp backup [2001:db8::1]:54",
		  "virtual set udp [2001:db8::1]:53 backup [2001:db8::1]:54" },
		{ "virtual del 192.0.2.10:80 tcp bind 7",
		  "virtual del tcp 192.0.2.10:80 bind 7" },
		{ "link add 192.0.2.10:80:7 tcp 10.0.2.11:8080",
		  "link add tcp 192.0.2.10:80 bind 7 real 10.0.2.11:8080 port 8080" },
		{ "assign 192.0.2.10:80:7 udp 198.51.100.0/24",
		  "assign udp 192.0.2.10:80 bind 7 198.51.100.0/24" },
		/* by hand: no protocol meant tcp */
		{ "link add 192.0.2.10:53 10.0.0.1",
		  "link add tcp 192.0.2.10:53 real 10.0.0.1" },
		{ "link del [2001:db8::1]:80 [2001:db8::2]:81 flush",
		  "link del tcp [2001:db8::1]:80 real [2001:db8::2]:81 port 81 flush" },
		{ "unassign 192.0.2.10:80:1 10.0.1.0/24",
		  "unassign tcp 192.0.2.10:80 bind 1 10.0.1.0/24" },
		{ "fpa flush 192.0.2.10:80:2", "fpa flush tcp 192.0.2.10:80 bind 2" },
		{ "fpa flush 192.0.2.10:80 udp", "fpa flush udp 192.0.2.10:80" },
		/* IPv6: VIP:PORT:BIND with brackets */
		{ "link add [2001:db8::1]:80:2 udp [2001:db8::2]:81",
		  "link add udp [2001:db8::1]:80 bind 2 real [2001:db8::2]:81 port 81" },
		{ "assign [2001:db8::1]:80:2 2001:db8:100::/48",
		  "assign tcp [2001:db8::1]:80 bind 2 2001:db8:100::/48" },
		{ "fpa flush [2001:db8::1]:53:4294967295 udp",
		  "fpa flush udp [2001:db8::1]:53 bind 4294967295" },
		{ "virtual add [2001:db8::1]:80 tcp bind 2 fpa-mask 64",
		  "virtual add tcp [2001:db8::1]:80 bind 2 fpa-mask 64" },
	};
	/* today's syntax, and what is no key at all, are left alone */
	static const char *const same[] = {
		"virtual add tcp 192.0.2.10:80 sched wlc",
		"link add tcp 192.0.2.10:80 real 10.0.2.11 port 8080",
		"assign tcp 192.0.2.10:80 bind 1 10.0.1.0/24",
		"real add 10.0.2.11:8080 weight 2",
		"fpa flush",
		"config set conn-max 10",
		"# virtual add 192.0.2.10:80 tcp",
	};
	struct ld_virtual v;
	struct ld_link l;
	char *argv[65], *got;
	bool flush;
	size_t i;
	int argc;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		got = restore_old_line(cases[i][0]);
		CHECK_STR(got ? got : "(not old)", cases[i][1]);
		free(got);
	}
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		got = restore_old_line(same[i]);
		CHECK_STR(got ? got : "(not old)", "(not old)");
		free(got);
	}
	/* the rewritten line means what the old one did */
	got = restore_old_line("link add 192.0.2.10:80:3 udp 10.0.2.11:8080");
	argc = words(argv, got + strlen("link add "));
	CHECK(!link_parse(LD_ADD, argc, argv, &l, &flush));
	CHECK(l.virt.protocol == IPPROTO_UDP && l.virt.bind_id == 3);
	CHECK(l.real.port == 8080 && l.port == 8080);
	free(got);
	got = restore_old_line("virtual add 192.0.2.10:80 udp bind 3 overflow");
	argc = words(argv, got + strlen("virtual add "));
	CHECK(!virtual_parse(LD_ADD, argc, argv, &v));
	CHECK(v.protocol == IPPROTO_UDP && v.bind_id == 3 && v.overflow);
	free(got);
}

int main(void)
{
	test_numbers();
	test_endpoints();
	test_virtual_parse();
	test_real_parse();
	test_link_parse();
	test_config_parse();
	test_split();
	test_json();
	test_print();
	test_print_ext();
	test_stats_print();
	test_save_roundtrip();
	test_msg();
	test_msg_ext();
	test_fpa_bind();
	test_nl();
	test_stateless();
	test_old_syntax();
	test_ipv6_parse();
	test_ipv6_print();
	test_ipv6_roundtrip();
	test_ipv6_msg();
	test_ipv6_sync();
	free(errbuf);
	printf("test_ldctl: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
