// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of ldctl metrics (names, HELP and TYPE lines, label
 * escaping, values) and ldctl top (options, rates, frames), on made-up
 * snapshots. "test_metrics sample" prints the metrics of the made-up
 * snapshot, for promtool check metrics.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ldctl.h"
#include "metrics.h"
#include "parse.h"
#include "top.h"

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

/* CHECK_LINE(text, line): line is a whole line of text */
#define CHECK_LINE(text, line) do {					\
	checks++;							\
	if (!has_line(text, line)) {					\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL: no line\n  %s\n",		\
			__FILE__, __LINE__, line);			\
	}								\
} while (0)

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
		p++;
	}
	return false;
}

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

/*
 * Two virtuals (one IPv6 instance), two reals, a link each; the counters
 * of the second snapshot are those of the first plus add.
 */
static void make_snapshot(struct ld_snapshot *s, uint64_t add)
{
	struct ld_virtual *v;
	struct ld_real *r;
	struct ld_link *l;
	unsigned int i;

	for (i = 1; i <= LDIR_STATS_A_MAX; i++)
		s->global.stats.v[i] = i;
	s->global.stats.v[LDIR_STATS_A_CONNS] += add;
	s->global.stats.v[LDIR_STATS_A_BYTES_IN] = UINT64_MAX;
	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++) {
		s->global.config.v[i] = 100 + i;
		s->global.config.has |= 1u << i;
	}

	v = ld_list_add(&s->virtuals);
	parse_addr("192.0.2.10", &v->addr);
	v->port = 80;
	v->protocol = IPPROTO_TCP;
	/* a scheme name the kernel would never send, for the escaping */
	strcpy(v->sched, "w\"l\\c\n");
	v->state = LDIR_STATE_IN;
	v->conns = 12;
	v->nlinks = 1;
	v->ext = true;
	v->stats.v[LDIR_STATS_A_CONNS] = 40 + add;
	v->stats.v[LDIR_STATS_A_PKTS_IN] = 1000 + 10 * add;
	v->stats.v[LDIR_STATS_A_BYTES_IN] = 5000 + 1000 * add;

	v = ld_list_add(&s->virtuals);
	parse_addr("2001:db8::10", &v->addr);
	v->port = 53;
	v->protocol = IPPROTO_UDP;
	v->bind_id = 7;
	strcpy(v->sched, "rr");
	v->state = LDIR_STATE_OUT;
	v->flags = LDIR_VIRTUAL_F_STATELESS;
	v->ext = true;
	v->failed = true;

	r = ld_list_add(&s->reals);
	parse_addr("10.0.2.11", &r->addr);
	r->port = 0;
	r->weight = 2;
	r->state = LDIR_STATE_IN;
	r->active = 4;
	r->conns = 6;
	r->nlinks = 1;
	r->ext = true;
	r->unanswered = 2;
	r->response_us = 1500;
	r->age_ms = 250;
	r->pr = -62;
	r->stats.v[LDIR_STATS_A_CONNS] = 40 + add;
	r->stats.v[LDIR_STATS_A_PKTS_IN] = 120 + 10 * add;
	r->stats.v[LDIR_STATS_A_PKTS_OUT] = 118 + 10 * add;

	r = ld_list_add(&s->reals);
	parse_addr("2001:db8::11", &r->addr);
	r->port = 53;
	r->weight = 1;
	r->max_conns = 100;
	r->state = LDIR_STATE_FAILED;
	r->ext = true;
	r->ditch_consec = 3;
	r->pr = INT64_MAX;

	l = ld_list_add(&s->links);
	l->virt = *ld_list_at(&s->virtuals, struct ld_virtual, 0);
	l->real = *ld_list_at(&s->reals, struct ld_real, 0);
	l->port = 8080;
	l->active = 4;
	l->conns = 6;
	l->stats = ld_list_at(&s->reals, struct ld_real, 0)->stats;
	l->stats.v[LDIR_STATS_A_DROP_NO_REAL] = 3;

	l = ld_list_add(&s->links);
	l->virt = *ld_list_at(&s->virtuals, struct ld_virtual, 1);
	l->real = *ld_list_at(&s->reals, struct ld_real, 1);
	ld_snapshot_sort(s);
}

static bool valid_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Every counter and setting of ldctl's tables has a valid, unique name. */
static void test_names(void)
{
	char name[METRICS_NAME_MAX], reason[METRICS_NAME_MAX];
	char seen[2 * (LDIR_STATS_A_MAX + LDIR_CONFIG_A_MAX) + 2][2 * METRICS_NAME_MAX];
	unsigned int i, j, n = 0;

	CHECK_STR(metrics_stat_name(LDIR_STATS_A_CONNS, name, reason),
		  "connections_total");
	CHECK_STR(reason, "");
	CHECK_STR(metrics_stat_name(LDIR_STATS_A_BYTES_OUT, name, reason),
		  "outgoing_bytes_total");
	CHECK_STR(metrics_stat_name(LDIR_STATS_A_DROP_NO_CONN, name, reason),
		  "dropped_packets_total");
	CHECK_STR(reason, "no_conn");
	CHECK_STR(metrics_stat_name(LDIR_STATS_A_DROP_ICMP_CSUM, name, reason),
		  "dropped_packets_total");
	CHECK_STR(reason, "icmp_csum");
	CHECK(!metrics_stat_name(LDIR_STATS_A_PAD, name, reason));
	CHECK(!metrics_stat_name(LDIR_STATS_A_MAX + 1, name, reason));
	CHECK_STR(metrics_config_name(LDIR_CONFIG_A_CONN_COUNT, name),
		  "conntab_entries");
	CHECK_STR(metrics_config_name(LDIR_CONFIG_A_TIMEOUT_EST, name),
		  "config_timeout_est_seconds");
	/* not in the table: the ldctl name */
	CHECK_STR(metrics_config_name(LDIR_CONFIG_A_FPA_MAX, name),
		  "config_fpa_max");
	CHECK(!metrics_config_name(LDIR_CONFIG_A_MAX + 1, name));

	for (i = 1; i <= LDIR_STATS_A_MAX; i++) {
		if (!metrics_stat_name(i, name, reason)) {
			CHECK(!ld_stats_names[i]);
			continue;
		}
		CHECK(valid_name(name));
		CHECK(ends_with(name, "_total"));
		CHECK(!reason[0] || valid_name(reason));
		snprintf(seen[n++], sizeof(seen[0]), "%s{%s}", name, reason);
	}
	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++) {
		if (!metrics_config_name(i, name)) {
			CHECK(!ld_config_names[i]);
			continue;
		}
		CHECK(valid_name(name));
		CHECK(!ends_with(name, "_total"));
		snprintf(seen[n++], sizeof(seen[0]), "%s", name);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(seen[i], seen[j])) {
				failures++;
				fprintf(stderr, "FAIL: \"%s\" twice\n", seen[i]);
			}
}

static void test_escape(void)
{
	struct cap c;

	metrics_escape(cap_start(&c), "a\"b\\c\nd", true);
	CHECK_STR(cap_end(&c), "a\\\"b\\\\c\\nd");
	free(c.buf);
	metrics_escape(cap_start(&c), "a\"b\\c\nd", false);
	CHECK_STR(cap_end(&c), "a\"b\\\\c\\nd");
	free(c.buf);
}

/*
 * The shape of the whole output: each family once, HELP then TYPE then
 * its samples, each sample of the family just announced, counters
 * ending in _total.
 */
static void check_shape(const char *text)
{
	char fam[128] = "", type[16] = "", families[256][128];
	unsigned int nfam = 0, i, samples = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[1024], name[128];
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		CHECK(nl != NULL);	/* every line ends */
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + !!nl;
		if (!strncmp(line, "# HELP ", 7)) {
			CHECK(sscanf(line + 7, "%127s", fam) == 1);
			for (i = 0; i < nfam; i++)
				if (!strcmp(families[i], fam)) {
					failures++;
					fprintf(stderr, "FAIL: family %s twice\n", fam);
				}
			if (nfam < 256)
				snprintf(families[nfam++], 128, "%s", fam);
			type[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			CHECK(sscanf(line + 7, "%127s %15s", name, type) == 2);
			CHECK_STR(name, fam);
			CHECK(!strcmp(type, "counter") || !strcmp(type, "gauge"));
			CHECK(!strcmp(type, "counter") == ends_with(fam, "_total"));
			continue;
		}
		CHECK(line[0] != '#');
		CHECK(type[0] != '\0');
		len = strcspn(line, "{ ");
		snprintf(name, sizeof(name), "%.*s", (int)len, line);
		if (strcmp(name, fam)) {
			failures++;
			fprintf(stderr, "FAIL: sample \"%s\" in family %s\n", line, fam);
		}
		samples++;
	}
	CHECK(nfam > 20);
	CHECK(samples > nfam);
}

static void test_metrics(void)
{
	struct ld_snapshot s = LD_SNAPSHOT_INIT;
	const char *out;
	struct cap c;

	make_snapshot(&s, 0);
	metrics_write(cap_start(&c), &s);
	out = cap_end(&c);
	check_shape(out);

	/* global: node_ipvs's names, drops by reason, the settings */
	CHECK_LINE(out, "# HELP ldir_connections_total Connections created.");
	CHECK_LINE(out, "# TYPE ldir_connections_total counter");
	CHECK_LINE(out, "ldir_connections_total 1");
	CHECK_LINE(out, "ldir_incoming_bytes_total 18446744073709551615");
	CHECK_LINE(out, "ldir_dropped_packets_total{reason=\"no_conn\"} 6");
	CHECK_LINE(out, "ldir_dropped_packets_total{reason=\"icmp_csum\"} 20");
	CHECK_LINE(out, "ldir_incoming_icmp_errors_total 11");
	CHECK_LINE(out, "# TYPE ldir_conntab_entries gauge");
	CHECK_LINE(out, "ldir_conntab_entries 102");
	CHECK_LINE(out, "ldir_conntab_entries_limit 101");
	CHECK_LINE(out, "ldir_config_timeout_syn_seconds 103");
	CHECK_LINE(out, "ldir_config_bind_max 117");

	/* virtuals */
	CHECK_LINE(out, "ldir_virtual_info{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\",sched=\"w\\\"l\\\\c\\n\",stateless=\"false\"} 1");
	CHECK_LINE(out, "ldir_virtual_info{local_address=\"2001:db8::10\",local_port=\"53\",proto=\"udp\",bind_id=\"7\",sched=\"rr\",stateless=\"true\"} 1");
	CHECK_LINE(out, "ldir_virtual_connections_live{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\"} 12");
	CHECK_LINE(out, "ldir_virtual_failed{local_address=\"2001:db8::10\",local_port=\"53\",proto=\"udp\",bind_id=\"7\"} 1");
	CHECK_LINE(out, "ldir_virtual_state{local_address=\"2001:db8::10\",local_port=\"53\",proto=\"udp\",bind_id=\"7\",state=\"out\"} 1");
	CHECK_LINE(out, "ldir_virtual_state{local_address=\"2001:db8::10\",local_port=\"53\",proto=\"udp\",bind_id=\"7\",state=\"in\"} 0");
	CHECK_LINE(out, "ldir_virtual_connections_total{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\"} 40");
	CHECK_LINE(out, "ldir_virtual_incoming_bytes_total{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\"} 5000");

	/* reals: R and PR in seconds, the state set */
	CHECK_LINE(out, "ldir_real_connections_active{remote_address=\"10.0.2.11\",remote_port=\"0\"} 4");
	CHECK_LINE(out, "ldir_real_connections_inactive{remote_address=\"10.0.2.11\",remote_port=\"0\"} 2");
	CHECK_LINE(out, "ldir_real_response_time_seconds{remote_address=\"10.0.2.11\",remote_port=\"0\"} 0.001500");
	CHECK_LINE(out, "ldir_real_predicted_response_seconds{remote_address=\"10.0.2.11\",remote_port=\"0\"} -0.000062");
	CHECK_LINE(out, "ldir_real_predicted_response_seconds{remote_address=\"2001:db8::11\",remote_port=\"53\"} 9223372036854.775807");
	CHECK_LINE(out, "ldir_real_response_age_seconds{remote_address=\"10.0.2.11\",remote_port=\"0\"} 0.250000");
	CHECK_LINE(out, "ldir_real_unanswered_syns{remote_address=\"10.0.2.11\",remote_port=\"0\"} 2");
	CHECK_LINE(out, "ldir_real_failed{remote_address=\"2001:db8::11\",remote_port=\"53\"} 1");
	CHECK_LINE(out, "ldir_real_failed{remote_address=\"10.0.2.11\",remote_port=\"0\"} 0");
	CHECK_LINE(out, "ldir_real_state{remote_address=\"2001:db8::11\",remote_port=\"53\",state=\"failed\"} 1");
	CHECK_LINE(out, "ldir_real_weight{remote_address=\"10.0.2.11\",remote_port=\"0\"} 2");
	CHECK_LINE(out, "ldir_real_max_connections{remote_address=\"2001:db8::11\",remote_port=\"53\"} 100");
	CHECK_LINE(out, "ldir_real_ditched_consecutive{remote_address=\"2001:db8::11\",remote_port=\"53\"} 3");
	CHECK_LINE(out, "ldir_real_outgoing_packets_total{remote_address=\"10.0.2.11\",remote_port=\"0\"} 118");

	/* links, as IPVS backends: remote_port is the port conns go to */
	CHECK_LINE(out, "# HELP ldir_backend_connections_active The current active connections by local and remote address.");
	CHECK_LINE(out, "ldir_backend_connections_active{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\",remote_address=\"10.0.2.11\",remote_port=\"8080\"} 4");
	CHECK_LINE(out, "ldir_backend_connections_inactive{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\",remote_address=\"10.0.2.11\",remote_port=\"8080\"} 2");
	CHECK_LINE(out, "ldir_backend_weight{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\",remote_address=\"10.0.2.11\",remote_port=\"8080\"} 2");
	/* link port 0: the real's */
	CHECK_LINE(out, "ldir_backend_weight{local_address=\"2001:db8::10\",local_port=\"53\",proto=\"udp\",bind_id=\"7\",remote_address=\"2001:db8::11\",remote_port=\"53\"} 1");
	CHECK_LINE(out, "ldir_backend_connections_total{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\",remote_address=\"10.0.2.11\",remote_port=\"8080\"} 40");
	CHECK_LINE(out, "ldir_backend_dropped_packets_total{local_address=\"192.0.2.10\",local_port=\"80\",proto=\"tcp\",bind_id=\"0\",remote_address=\"10.0.2.11\",remote_port=\"8080\",reason=\"no_real\"} 3");
	free(c.buf);

	/* nothing configured: the global families, no object sample */
	ld_snapshot_clear(&s);
	memset(&s.global, 0, sizeof(s.global));
	metrics_write(cap_start(&c), &s);
	out = cap_end(&c);
	CHECK_LINE(out, "ldir_connections_total 0");
	CHECK(!strstr(out, "ldir_backend_weight{"));
	CHECK(!strstr(out, "ldir_conntab_entries "));	/* not reported */
	free(c.buf);
	ld_snapshot_clear(&s);
}

static void test_top_parse(void)
{
	char *argv[8];
	struct top_opts o;

	CHECK(!top_parse(0, argv, &o));
	CHECK(o.interval_ms == 1000 && o.iterations == 0 && !o.batch);
	argv[0] = "-d";
	argv[1] = "0.25";
	argv[2] = "-n";
	argv[3] = "3";
	argv[4] = "-b";
	CHECK(!top_parse(5, argv, &o));
	CHECK(o.interval_ms == 250 && o.iterations == 3 && o.batch);
	argv[1] = "2";
	CHECK(!top_parse(2, argv, &o) && o.interval_ms == 2000);

	err_start();
	argv[1] = "0.05";
	CHECK(top_parse(2, argv, &o));
	CHECK(strstr(err_end(),
		     "ldctl: invalid interval \"0.05\" (expected 0.1..3600 seconds)\n") == errbuf);
	err_start();
	argv[1] = "1.2345";
	CHECK(top_parse(2, argv, &o));
	err_start();
	argv[1] = "1s";
	CHECK(top_parse(2, argv, &o));
	err_start();
	argv[1] = ".5";
	CHECK(top_parse(2, argv, &o));
	err_end();
	err_start();
	argv[0] = "-n";
	argv[1] = "0";
	CHECK(top_parse(2, argv, &o));
	CHECK(strstr(err_end(), "ldctl: invalid frame count \"0\"") == errbuf);
	err_start();
	CHECK(top_parse(1, argv, &o));
	CHECK(strstr(err_end(), "ldctl: missing value after \"-n\"") == errbuf);
	err_start();
	argv[0] = "-x";
	CHECK(top_parse(1, argv, &o));
	CHECK(strstr(err_end(), "ldctl: unexpected argument \"-x\"") == errbuf);
}

static void test_top_rates(void)
{
	char buf[16];

	CHECK(top_rate(10, 30, 2.0) == 10.0);
	CHECK(top_rate(30, 30, 2.0) == 0.0);
	CHECK(top_rate(30, 6, 2.0) == 3.0);	/* re-created: from 0 */
	CHECK(top_rate(1, 5, 0) == 0.0);
	CHECK_STR(top_fmt_rate(0, buf), "0");
	CHECK_STR(top_fmt_rate(0.5, buf), "0.5");
	CHECK_STR(top_fmt_rate(12.25, buf), "12.2");
	CHECK_STR(top_fmt_rate(999.9, buf), "999.9");
	CHECK_STR(top_fmt_rate(999.96, buf), "1.0K");
	CHECK_STR(top_fmt_rate(12345, buf), "12.3K");
	CHECK_STR(top_fmt_rate(5.5e6, buf), "5.5M");
	CHECK_STR(top_fmt_rate(7e9, buf), "7.0G");
}

/* The word (1-based, after the name) of the line that starts with name */
static const char *field(const char *text, const char *name, int n)
{
	static char word[64];
	const char *p = text;
	size_t len = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ' ') {
			p += len;
			while (n--) {
				p += strspn(p, " ");
				len = strcspn(p, " \n");
				snprintf(word, sizeof(word), "%.*s", (int)len, p);
				p += len;
			}
			return word;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return "(no line)";
}

static const char *first_line(const char *text)
{
	static char line[256];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(text, "\n"), text);
	return line;
}

static void test_top_render(void)
{
	struct ld_snapshot a = LD_SNAPSHOT_INIT, b = LD_SNAPSHOT_INIT;
	const char *out;
	struct cap c;

	make_snapshot(&a, 0);
	make_snapshot(&b, 10);

	/* 10 conns, 100 packets each way and 10000 bytes in 2 s */
	top_render(cap_start(&c), &a, &b, 2.0, 2000);
	out = cap_end(&c);
	CHECK_STR(first_line(out), "ldctl top - every 2.0 s - conns 102 of 101 - new 5.0/s - dropped 0/s - q quits");
	CHECK(has_line(out, "VIRTUAL -> REAL                STATE    CONN/s    PKT/s    BYTE/s  ACTIVE   CONNS     R(us)     PR(us)"));
	/* virtual: state, conn/s, pkt/s, byte/s, active (its links'), conns */
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 1), "in");
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 2), "5.0");
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 3), "50.0");
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 4), "5.0K");
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 5), "4");
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 6), "12");
	CHECK_STR(field(out, "tcp 192.0.2.10:80", 7), "-");
	CHECK_STR(field(out, "udp [2001:db8::10]:53 bind 7", 1), "failed");
	CHECK_STR(field(out, "udp [2001:db8::10]:53 bind 7", 2), "0");
	/* links: the busy one and the idle one, with R and PR */
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 1), "in");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 2), "5.0");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 3), "100.0");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 5), "4");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 6), "6");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 7), "1500");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 8), "-62");
	CHECK_STR(field(out, "  -> [2001:db8::11]:53", 1), "failed");
	CHECK_STR(field(out, "  -> [2001:db8::11]:53", 2), "0");
	CHECK_STR(field(out, "  -> [2001:db8::11]:53", 3), "0");
	/* reals */
	CHECK_STR(field(out, "10.0.2.11:0", 2), "5.0");
	CHECK_STR(field(out, "10.0.2.11:0", 3), "100.0");
	CHECK_STR(field(out, "[2001:db8::11]:53", 2), "0");
	free(c.buf);

	/* the first frame: no rates yet */
	top_render(cap_start(&c), NULL, &a, 0, 1000);
	out = cap_end(&c);
	CHECK_STR(first_line(out),
		  "ldctl top - every 1.0 s - conns 102 of 101 - new -/s - dropped -/s - q quits");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 2), "-");
	CHECK_STR(field(out, "  -> 10.0.2.11:8080", 5), "4");
	CHECK_STR(field(out, "10.0.2.11:0", 4), "-");
	free(c.buf);
	ld_snapshot_clear(&a);
	ld_snapshot_clear(&b);
}

/*
 * Links dumped in any order come out under their virtual, and a link is
 * found in the previous snapshot whatever its place there.
 */
static void test_top_order(void)
{
	struct ld_snapshot a = LD_SNAPSHOT_INIT, b = LD_SNAPSHOT_INIT;
	static const char *const want[] = {
		"tcp 192.0.2.10:80", "  -> 10.0.2.11:8080",
		"  -> [2001:db8::11]:53", "udp [2001:db8::10]:53 bind 7",
		"  -> [2001:db8::11]:53",
	};
	struct ld_link *l, key;
	char line[256];
	const char *p;
	struct cap c;
	size_t i, n = 0;

	make_snapshot(&a, 0);
	make_snapshot(&b, 10);
	/* a second link of 192.0.2.10:80, last in b, first in a */
	l = ld_list_add(&b.links);
	l->virt = *ld_list_at(&b.virtuals, struct ld_virtual, 0);
	l->real = *ld_list_at(&b.reals, struct ld_real, 1);
	l->stats.v[LDIR_STATS_A_CONNS] = 7;
	memset(&key, 0, sizeof(key));
	key.virt = *ld_list_at(&a.virtuals, struct ld_virtual, 0);
	key.real = *ld_list_at(&a.reals, struct ld_real, 1);
	key.stats.v[LDIR_STATS_A_CONNS] = 3;
	ld_list_add(&a.links);
	memmove(ld_list_at(&a.links, struct ld_link, 1), a.links.v,
		2 * sizeof(key));
	*ld_list_at(&a.links, struct ld_link, 0) = key;
	ld_snapshot_sort(&b);
	ld_snapshot_sort(&a);
	CHECK(ld_snapshot_link(&a, &key) != NULL);
	CHECK(ld_snapshot_link(&a, &key)->stats.v[LDIR_STATS_A_CONNS] == 3);

	top_render(cap_start(&c), &a, &b, 1.0, 1000);
	cap_end(&c);
	/* the rows between the header and the blank line before REAL */
	p = strstr(c.buf, "PR(us)\n");
	CHECK(p != NULL);
	for (p = p ? p + 7 : ""; *p && *p != '\n'; n++) {
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + !!p[len];
		if (n < ARRAY_SIZE(want))
			CHECK(!strncmp(line, want[n], strlen(want[n])) &&
			      line[strlen(want[n])] == ' ');
	}
	CHECK(n == ARRAY_SIZE(want));
	CHECK_STR(field(c.buf, "  -> [2001:db8::11]:53", 2), "4.0");
	free(c.buf);
	for (i = 0; i < 2; i++)
		ld_snapshot_clear(i ? &a : &b);
}

/*
 * Names longer than the column (IPv6 at its longest): the column grows to
 * the widest, and every row's STATE starts where the header's does.
 */
static void test_top_wide(void)
{
	static const char vkey[] =
		"tcp [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:65535 bind 4294967295";
	static const char lname[] =
		"  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535";
	struct ld_snapshot a = LD_SNAPSHOT_INIT;
	const char *p, *hdr;
	struct ld_virtual *v;
	struct ld_real *r;
	struct ld_link *l;
	size_t col, rows = 0;
	struct cap c;

	make_snapshot(&a, 0);
	v = ld_list_add(&a.virtuals);
	parse_addr("2001:db8:aaaa:bbbb:cccc:dddd:eeee:10", &v->addr);
	v->port = 65535;
	v->protocol = IPPROTO_TCP;
	v->bind_id = UINT32_MAX;
	v->state = LDIR_STATE_IN;
	r = ld_list_add(&a.reals);
	parse_addr("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", &r->addr);
	r->port = 65535;
	r->state = LDIR_STATE_OUT;
	l = ld_list_add(&a.links);
	l->virt = *v;
	l->real = *r;
	ld_snapshot_sort(&a);

	top_render(cap_start(&c), NULL, &a, 0, 1000);
	cap_end(&c);
	CHECK_STR(field(c.buf, vkey, 1), "in");
	CHECK_STR(field(c.buf, lname, 1), "out");
	CHECK_STR(field(c.buf, lname + 5, 1), "out");
	hdr = strstr(c.buf, "VIRTUAL -> REAL ");
	CHECK(hdr != NULL);
	if (!hdr)
		goto out;
	col = strstr(hdr, "STATE") - hdr;
	CHECK(col == strlen(vkey) + 1);
	/* every row after the first line: the name, blanks, the state */
	for (p = strchr(c.buf, '\n') + 1; *p; p += strcspn(p, "\n") + 1) {
		size_t len = strcspn(p, "\n");

		if (!len)
			continue;
		rows++;
		CHECK(len > col && p[col - 1] == ' ' && p[col] != ' ');
		if (!(len > col && p[col - 1] == ' ' && p[col] != ' '))
			fprintf(stderr, "  row: %.*s\n", (int)len, p);
	}
	/* two headers, three virtuals, three links, three reals */
	CHECK(rows == 11);
out:
	free(c.buf);
	ld_snapshot_clear(&a);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "sample")) {
		struct ld_snapshot s = LD_SNAPSHOT_INIT;

		make_snapshot(&s, 0);
		metrics_write(stdout, &s);
		ld_snapshot_clear(&s);
		return 0;
	}
	test_names();
	test_escape();
	test_metrics();
	test_top_parse();
	test_top_rates();
	test_top_render();
	test_top_order();
	test_top_wide();
	free(errbuf);
	printf("test_metrics: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
