// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl top: a live view of every virtual, link and real, redrawn in
 * place like top(1): new conns, packets and bytes per second (from the
 * counters' deltas between two snapshots), active and live conns, R and
 * PR. q quits. With -b (or when stdout is not a terminal) the frames are
 * printed one after the other, for scripts; -n N stops after N frames.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "ldctl.h"
#include "nl.h"
#include "parse.h"
#include "print.h"
#include "top.h"

#define INTERVAL_MIN_MS		100
#define INTERVAL_MAX_MS		3600000
#define INTERVAL_DEF_MS		1000

void usage_top(FILE *f)
{
	fputs("  ldctl top [-d SECONDS] [-n FRAMES] [-b]  (live rates; q quits)\n",
	      f);
}

/* "2", "0.5", "1.25": seconds to ms, at most three decimals */
static int parse_interval(const char *s, unsigned int *ms)
{
	uint64_t whole = 0, frac = 0;
	const char *p = s;
	int digits = 0, scale = 1000;

	for (; *p >= '0' && *p <= '9' && digits < 8; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits && *p == '.') {
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (!digits || *p || whole * 1000 + frac < INTERVAL_MIN_MS ||
	    whole * 1000 + frac > INTERVAL_MAX_MS) {
		ldctl_usage_err(usage_top,
				"invalid interval \"%s\" (expected 0.1..3600 seconds)",
				s);
		return 1;
	}
	*ms = whole * 1000 + frac;
	return 0;
}

int top_parse(int argc, char **argv, struct top_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->interval_ms = INTERVAL_DEF_MS;
	for (i = 0; i < argc; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-b")) {
			o->batch = true;
			continue;
		}
		if (strcmp(opt, "-d") && strcmp(opt, "-n"))
			return ldctl_usage_err(usage_top,
					       "unexpected argument \"%s\"",
					       opt);
		if (i + 1 >= argc)
			return ldctl_usage_err(usage_top,
					       "missing value after \"%s\"",
					       opt);
		if (!strcmp(opt, "-d")) {
			if (parse_interval(argv[++i], &o->interval_ms))
				return 1;
		} else if (parse_u32("frame count", argv[++i], 1, UINT32_MAX,
				     &o->iterations)) {
			return 1;
		}
	}
	return 0;
}

double top_rate(uint64_t prev, uint64_t cur, double dt)
{
	if (dt <= 0)
		return 0;
	return (cur >= prev ? cur - prev : cur) / dt;
}

const char *top_fmt_rate(double rate, char *buf)
{
	static const char units[] = " KMGTP";
	unsigned int u = 0;

	if (rate <= 0) {
		snprintf(buf, 16, "0");
		return buf;
	}
	while (rate >= 999.95 && u < sizeof(units) - 2) {
		rate /= 1000;
		u++;
	}
	if (u)
		snprintf(buf, 16, "%.1f%c", rate, units[u]);
	else
		snprintf(buf, 16, "%.1f", rate);
	return buf;
}

/* The rates of one object: new conns, packets and bytes (in + out) /s */
struct rates {
	bool known;
	double conns;
	double pkts;
	double bytes;
};

static struct rates rates(const struct ld_stats *prev,
			  const struct ld_stats *cur, double dt)
{
	struct rates r = { .known = prev != NULL };
	static const struct ld_stats zero;

	if (!prev)
		prev = &zero;
	r.conns = top_rate(prev->v[LDIR_STATS_A_CONNS],
			   cur->v[LDIR_STATS_A_CONNS], dt);
	r.pkts = top_rate(prev->v[LDIR_STATS_A_PKTS_IN],
			  cur->v[LDIR_STATS_A_PKTS_IN], dt) +
		 top_rate(prev->v[LDIR_STATS_A_PKTS_OUT],
			  cur->v[LDIR_STATS_A_PKTS_OUT], dt);
	r.bytes = top_rate(prev->v[LDIR_STATS_A_BYTES_IN],
			   cur->v[LDIR_STATS_A_BYTES_IN], dt) +
		  top_rate(prev->v[LDIR_STATS_A_BYTES_OUT],
			   cur->v[LDIR_STATS_A_BYTES_OUT], dt);
	return r;
}

/* the name column: at least NAME_WIDTH, else as wide as the widest name */
#define NAME_WIDTH	30
#define ROW_FMT	"%-*s %-6s %8s %8s %9s %7s %7s %9s %10s\n"

static void row(FILE *f, int width, const char *name, const char *state,
		const struct rates *r, const char *active, const char *conns,
		const char *resp, const char *pr)
{
	char c[16], p[16], b[16];

	fprintf(f, ROW_FMT, width, name, state,
		r->known ? top_fmt_rate(r->conns, c) : "-",
		r->known ? top_fmt_rate(r->pkts, p) : "-",
		r->known ? top_fmt_rate(r->bytes, b) : "-",
		active, conns, resp, pr);
}

static const char *state_name(uint8_t state, char *buf)
{
	const char *name = ld_state_name(state);

	if (name)
		return name;
	snprintf(buf, 16, "%u", state);
	return buf;
}

/* R and PR of a real; "-" when the kernel did not report them */
static void real_measured(const struct ld_real *r, char *resp, char *pr)
{
	if (!r || !r->ext) {
		strcpy(resp, "-");
		strcpy(pr, "-");
		return;
	}
	snprintf(resp, 16, "%u", r->response_us);
	snprintf(pr, 24, "%lld", (long long)r->pr);
}

/*
 * A virtual and its links, links[first] to links[end - 1] (adjacent in
 * the sorted snapshot).
 */
static void render_virtual(FILE *f, int width,
			   const struct ld_snapshot *prev,
			   const struct ld_snapshot *cur,
			   const struct ld_virtual *v, size_t first,
			   size_t end, double dt)
{
	const struct ld_virtual *pv = prev ? ld_snapshot_virtual(prev, v) :
				      NULL;
	char name[LD_VKEY_STRLEN], sbuf[16], act[16], conns[16];
	char resp[16], pr[24];
	uint32_t active = 0;
	struct rates r;
	size_t i;

	for (i = first; i < end; i++)
		active += ld_list_at(&cur->links, struct ld_link, i)->active;
	ld_vkey_str(v, name);
	r = rates(pv ? &pv->stats : NULL, &v->stats, dt);
	r.known = prev != NULL;
	snprintf(act, sizeof(act), "%u", active);
	snprintf(conns, sizeof(conns), "%u", v->conns);
	row(f, width, name,
	    v->failed ? "failed" : state_name(v->state, sbuf), &r, act, conns,
	    "-", "-");

	for (i = first; i < end; i++) {
		const struct ld_link *l = ld_list_at(&cur->links,
						     struct ld_link, i);
		const struct ld_link *pl;
		const struct ld_real *real;
		char ep[LD_EP_STRLEN];

		pl = prev ? ld_snapshot_link(prev, l) : NULL;
		real = ld_snapshot_real(cur, &l->real);
		snprintf(name, sizeof(name), "  -> %s",
			 ld_ep_str(&l->real.addr, ld_link_port(l), ep));
		r = rates(pl ? &pl->stats : NULL, &l->stats, dt);
		r.known = prev != NULL;
		snprintf(act, sizeof(act), "%u", l->active);
		snprintf(conns, sizeof(conns), "%u", l->conns);
		real_measured(real, resp, pr);
		row(f, width, name, real ? state_name(real->state, sbuf) : "-", &r,
		    act, conns, resp, pr);
	}
}

static void render_header(FILE *f, const struct ld_snapshot *prev,
			  const struct ld_snapshot *cur, double dt,
			  unsigned int interval_ms)
{
	const struct ld_global *g = &cur->global;
	char name[METRICS_NAME_MAX], reason[METRICS_NAME_MAX];
	char c[16], d[16];
	double drops = 0;
	unsigned int i;

	strcpy(c, "-");
	strcpy(d, "-");
	if (prev) {
		/* the drop counters, whichever ldctl knows */
		for (i = 1; i <= LDIR_STATS_A_MAX; i++)
			if (metrics_stat_name(i, name, reason) && reason[0])
				drops += top_rate(prev->global.stats.v[i],
						  g->stats.v[i], dt);
		top_fmt_rate(top_rate(prev->global.stats.v[LDIR_STATS_A_CONNS],
				      g->stats.v[LDIR_STATS_A_CONNS], dt), c);
		top_fmt_rate(drops, d);
	}
	fprintf(f, "ldctl top - every %u.%u s - conns %u of %u - new %s/s - dropped %s/s - q quits\n",
		interval_ms / 1000, interval_ms % 1000 / 100,
		g->config.v[LDIR_CONFIG_A_CONN_COUNT],
		g->config.v[LDIR_CONFIG_A_CONN_MAX], c, d);
}

/* The widest name: a virtual's key, "  -> " a link's real, a real */
static int name_width(const struct ld_snapshot *cur)
{
	char buf[LD_VKEY_STRLEN];
	int width = NAME_WIDTH;
	size_t i;

	for (i = 0; i < cur->virtuals.n; i++) {
		ld_vkey_str(ld_list_at(&cur->virtuals, struct ld_virtual, i),
			    buf);
		if ((int)strlen(buf) > width)
			width = strlen(buf);
	}
	for (i = 0; i < cur->links.n; i++) {
		const struct ld_link *l = ld_list_at(&cur->links,
						     struct ld_link, i);

		ld_ep_str(&l->real.addr, ld_link_port(l), buf);
		if ((int)strlen("  -> ") + (int)strlen(buf) > width)
			width = strlen("  -> ") + strlen(buf);
	}
	for (i = 0; i < cur->reals.n; i++) {
		const struct ld_real *r = ld_list_at(&cur->reals,
						     struct ld_real, i);

		ld_ep_str(&r->addr, r->port, buf);
		if ((int)strlen(buf) > width)
			width = strlen(buf);
	}
	return width;
}

void top_render(FILE *f, const struct ld_snapshot *prev,
		const struct ld_snapshot *cur, double dt,
		unsigned int interval_ms)
{
	int width = name_width(cur);
	size_t i, k, end;

	render_header(f, prev, cur, dt, interval_ms);
	fputc('\n', f);
	fprintf(f, ROW_FMT, width, "VIRTUAL -> REAL", "STATE", "CONN/s",
		"PKT/s", "BYTE/s", "ACTIVE", "CONNS", "R(us)", "PR(us)");
	/* both sorted by the virtual's key: one walk */
	for (i = 0, k = 0; i < cur->virtuals.n; i++) {
		const struct ld_virtual *v;

		v = ld_list_at(&cur->virtuals, struct ld_virtual, i);
		while (k < cur->links.n &&
		       ld_snapshot_link_vcmp(ld_list_at(&cur->links,
							struct ld_link, k),
					     v) < 0)
			k++;
		end = k;
		while (end < cur->links.n &&
		       !ld_snapshot_link_vcmp(ld_list_at(&cur->links,
							 struct ld_link, end),
					      v))
			end++;
		render_virtual(f, width, prev, cur, v, k, end, dt);
		k = end;
	}
	fputc('\n', f);
	fprintf(f, ROW_FMT, width, "REAL", "STATE", "CONN/s", "PKT/s", "BYTE/s",
		"ACTIVE", "CONNS", "R(us)", "PR(us)");
	for (i = 0; i < cur->reals.n; i++) {
		const struct ld_real *r = ld_list_at(&cur->reals,
						     struct ld_real, i);
		const struct ld_real *pr = prev ? ld_snapshot_real(prev, r) :
					   NULL;
		char ep[LD_EP_STRLEN], sbuf[16], act[16], conns[16];
		char resp[16], prs[24];
		struct rates rt;

		rt = rates(pr ? &pr->stats : NULL, &r->stats, dt);
		rt.known = prev != NULL;
		snprintf(act, sizeof(act), "%u", r->active);
		snprintf(conns, sizeof(conns), "%u", r->conns);
		real_measured(r, resp, prs);
		row(f, width, ld_ep_str(&r->addr, r->port, ep),
		    state_name(r->state, sbuf), &rt, act, conns, resp, prs);
	}
}

/* The terminal: raw keys in, frames drawn in place on the alternate screen */

static volatile sig_atomic_t stopped;

static void on_signal(int sig)
{
	stopped = 1;
}

struct term {
	bool keys;		/* stdin is a terminal in raw mode */
	bool drawn;		/* the screen is ours */
	bool alt;		/* on the alternate screen */
	struct termios saved;
};

/*
 * alt: draw on the alternate screen, which leaving restores (until q);
 * else on the screen cleared, where the last frame stays (-n N).
 */
static void term_open(struct term *t, bool alt)
{
	struct termios raw;

	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &t->saved)) {
		raw = t->saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		t->keys = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	/* cursor hidden */
	fputs(alt ? "\033[?1049h\033[?25l" : "\033[H\033[2J\033[?25l", stdout);
	t->drawn = true;
	t->alt = alt;
}

static void term_close(struct term *t)
{
	if (t->drawn)
		fputs(t->alt ? "\033[?25h\033[?1049l" : "\033[?25h\r\n", stdout);
	t->drawn = false;
	fflush(stdout);
	if (t->keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	t->keys = false;
}

/* Draws a frame from the top left, each line cut to the width. */
static void term_draw(const char *frame)
{
	struct winsize ws = { 0 };
	unsigned int cols = 80, rows = 24, n = 0;
	const char *p = frame, *nl;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	fputs("\033[H", stdout);
	while (*p && n < rows) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (n)
			fputs("\r\n", stdout);
		fwrite(p, 1, len < cols ? len : cols, stdout);
		fputs("\033[K", stdout);
		n++;
		p += len + !!nl;
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Waits until the deadline; true when the user quit (q, Q, a signal) or
 * stdin failed.
 */
static bool wait_until(const struct term *t, double deadline)
{
	for (;;) {
		double left = deadline - now_s();
		struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
		char c;
		int ret;

		if (stopped)
			return true;
		if (left <= 0)
			return false;
		ret = poll(&pfd, t->keys ? 1 : 0, (int)(left * 1000) + 1);
		if (ret < 0 && errno != EINTR)
			return true;
		if (ret > 0) {
			if (read(STDIN_FILENO, &c, 1) != 1)
				return true;
			if (c == 'q' || c == 'Q')
				return true;
		}
	}
}

static int frame(FILE *out, const struct term *t, const struct top_opts *o,
		 const struct ld_snapshot *prev, const struct ld_snapshot *cur,
		 double dt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (o->batch) {
		top_render(out, prev, cur, dt, o->interval_ms);
		fputc('\n', out);
		fflush(out);
		return ferror(out) ? -1 : 0;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	top_render(f, prev, cur, dt, o->interval_ms);
	fclose(f);
	term_draw(buf);
	free(buf);
	return ferror(stdout) ? -1 : 0;
}

/*
 * The loop: a snapshot, then every interval another and a frame of the
 * rates between the two. Returns 0, or -1 when a request failed
 * (reported) or, *write_err set, the output did.
 */
static int run(struct nl *nl, struct term *t, const struct top_opts *o,
	       bool *write_err)
{
	struct ld_snapshot a = LD_SNAPSHOT_INIT, b = LD_SNAPSHOT_INIT;
	struct ld_snapshot *prev = &a, *cur = &b, *tmp;
	double t0, t1;
	unsigned int n;
	int ret = -1;

	if (ld_snapshot_get(nl, prev))
		goto out;
	t0 = now_s();
	/* at once, without rates, rather than a blank screen */
	if (!o->batch && frame(stdout, t, o, NULL, prev, 0)) {
		*write_err = true;
		goto out;
	}
	for (n = 0; !o->iterations || n < o->iterations; n++) {
		if (wait_until(t, t0 + o->interval_ms / 1000.0))
			break;
		ld_list_reset(&cur->virtuals);
		ld_list_reset(&cur->reals);
		ld_list_reset(&cur->links);
		if (ld_snapshot_get(nl, cur))
			goto out;
		t1 = now_s();
		if (frame(stdout, t, o, prev, cur, t1 - t0)) {
			*write_err = true;
			goto out;
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
		t0 = t1;
	}
	ret = 0;
out:
	ld_snapshot_clear(&a);
	ld_snapshot_clear(&b);
	return ret;
}

int cmd_top(struct ldctl *ctx, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *saved_errf = ldctl_errf, *errf = NULL;
	bool write_err = false;
	struct term t = { };
	struct top_opts o;
	size_t errs_len = 0;
	char *errs = NULL;
	struct nl *nl;
	int ret;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_top(stdout);
		return 0;
	}
	if (top_parse(argc, argv, &o))
		return 1;
	if (ctx->dry_run) {
		ldctl_err("\"top\" cannot be used in a restore file");
		return 1;
	}
	if (!isatty(STDOUT_FILENO))
		o.batch = true;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!o.batch) {
		/* errors wait until the screen is restored */
		errf = open_memstream(&errs, &errs_len);
		if (errf)
			ldctl_errf = errf;
		term_open(&t, !o.iterations);
	}
	ret = run(nl, &t, &o, &write_err);
	term_close(&t);
	if (errf) {
		fclose(errf);
		ldctl_errf = saved_errf;
		if (errs_len)
			fputs(errs, ldctl_errf ? ldctl_errf : stderr);
		free(errs);
	}
	if (write_err)
		ldctl_err("write error on standard output");
	return ret ? 1 : 0;
}
