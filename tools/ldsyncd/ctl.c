// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (a unix stream socket, one request a connection):
 * `ldsyncd ctl role master|backup|active` for keepalived's notify hooks,
 * `stats` and `metrics` (Prometheus text) for the counters, `resync`,
 * `ready` for keepalived's track scripts and BGP hooks. A reply is a status
 * byte ('0' ok, '1' error, '2' a negative answer: not ready) and text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ldsyncd.h"

#define CTL_REQ_MAX	256
/* the tries of a request the daemon did not answer (ctl_client()) */
#define CTL_TRIES	5

int ctl_listen(struct daemon *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(d->ctl_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ldsyncd: control socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, d->ctl_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("ldsyncd: socket");
		return -1;
	}
	/* a socket left by a daemon that died; a live one answers */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		fprintf(stderr, "ldsyncd: %s: another ldsyncd runs\n", d->ctl_path);
		close(fd);
		return -1;
	}
	/*
	 * Bound and listening under a temporary name, then renamed: a client
	 * that sees the path can connect (scripts wait for it to appear).
	 */
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s.%d", d->ctl_path,
		     (int)getpid()) >= (int)sizeof(sun.sun_path))
		strcpy(sun.sun_path, d->ctl_path);
	unlink(sun.sun_path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(sun.sun_path, 0600) < 0 || listen(fd, 8) < 0 ||
	    rename(sun.sun_path, d->ctl_path) < 0) {
		fprintf(stderr, "ldsyncd: %s: %s\n", d->ctl_path, strerror(errno));
		unlink(sun.sun_path);
		close(fd);
		return -1;
	}
	d->ctl = fd;
	return 0;
}

void ctl_close(struct daemon *d)
{
	if (d->ctl >= 0) {
		close(d->ctl);
		unlink(d->ctl_path);
	}
}

static const char *const wait_names[] = {
	[PEER_READY] = "nothing",
	[PEER_WAIT_HELLO] = "hello",
	[PEER_WAIT_TABLE] = "table",
};

/* "ready" or "not ready: ..." (no newline) */
static void ready_line(struct daemon *d, uint64_t now, FILE *f)
{
	bool waited = now >= d->start_ms + d->ready_timeout_ms;
	const struct speer *why;

	if (daemon_ready(d, now, &why)) {
		fputs("ready", f);
		return;
	}
	if (peer_ready(&why->p, now, d->dead_ms, waited) == PEER_WAIT_HELLO)
		fprintf(f, "not ready: peer %s not heard yet (%" PRIu64 " ms left)",
			why->p.name, d->start_ms + d->ready_timeout_ms - now);
	else
		fprintf(f, "not ready: peer %s's full table not all received",
			why->p.name);
}

void ctl_stats(struct daemon *d, FILE *f)
{
	const struct kernel_stats *ks = kernel_stats(d->k);
	uint64_t now = now_ms();
	bool waited = now >= d->start_ms + d->ready_timeout_ms;
	int i;

	fprintf(f, "role %s\nsession %016" PRIx64 "\nlisten %s\nkeyed %s\n",
		role_names[d->role], d->session, d->listen, d->keyed ? "yes" : "no");
	ready_line(d, now, f);
	if (d->ready)
		fprintf(f, " since-ms %" PRIu64 " after-start-ms %" PRIu64,
			now - d->ready_ms, d->ready_ms - d->start_ms);
	fputc('\n', f);
	for (i = 0; i < d->npeers; i++) {
		struct peer *p = &d->peers[i].p;

		fprintf(f, "peer %s session %016" PRIx64 " alive %d sender %d"
			" sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64
			" resent %" PRIu64 " resynced %" PRIu64
			" resync-records %" PRIu64 " rejected %" PRIu64
			" lag-ms %" PRIu64 " queued %u dup %" PRIu64
			" stale %" PRIu64 " replayed %" PRIu64
			" overflows %" PRIu64 " datagrams %" PRIu64
			" tables %" PRIu64 " table-complete %d waiting-for %s\n",
			p->name, p->session, peer_alive(p, now, d->dead_ms),
			p->sender, p->tx.sent, p->rx.received, p->rx.lost,
			p->tx.resent, p->resyncs, p->resync_recs, p->rejected,
			tx_lag(&p->tx, now), p->tx.cap - tx_room(&p->tx),
			p->rx.dup, p->stale, p->replayed, p->overflows,
			p->tx.datagrams, p->rx.tables, p->rx.table,
			wait_names[peer_ready(p, now, d->dead_ms, waited)]);
	}
	fprintf(f, "bad");
	for (i = 1; i < __WIRE_EMAX; i++)
		fprintf(f, " %s %" PRIu64, wire_err_names[i], d->bad[i]);
	fprintf(f, " unknown-peer %" PRIu64 "\n", d->unknown_peer);
	fprintf(f, "kernel events %" PRIu64 " lost %" PRIu64 " applied %" PRIu64
		" rejected %" PRIu64 " dumped %" PRIu64 "\n",
		ks->events, ks->lost, ks->applied, ks->rejected, ks->dumped);
	fprintf(f, "role-switches %" PRIu64 " send-errors %" PRIu64 "\n",
		d->role_switches, d->send_errors);
}

static void metric(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP ldsyncd_%s %s\n# TYPE ldsyncd_%s %s\n", name, help,
		name, type);
}

/* label values: a peer's ADDR:PORT has no quote nor backslash */
void ctl_metrics(struct daemon *d, FILE *f)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;		/* in struct peer; -1: computed */
	} pm[] = {
#define PM(n, t, h, field) { n, t, h, offsetof(struct peer, field) }
		PM("peer_sent_records_total", "counter", "Conn records sent to the peer (first sends).", tx.sent),
		PM("peer_received_records_total", "counter", "Conn records received from the peer, in order.", rx.received),
		PM("peer_lost_datagrams_total", "counter", "Datagrams from the peer found missing (gaps), later repaired.", rx.lost),
		PM("peer_resent_datagrams_total", "counter", "Datagrams resent to the peer.", tx.resent),
		PM("peer_resyncs_total", "counter", "Bulk resyncs sent to the peer.", resyncs),
		PM("peer_resync_records_total", "counter", "Conn records sent to the peer by bulk resyncs.", resync_recs),
		PM("peer_rejected_records_total", "counter", "Conn records from the peer that the kernel refused.", rejected),
		PM("peer_duplicate_datagrams_total", "counter", "Datagrams from the peer received twice.", rx.dup),
		PM("peer_stale_datagrams_total", "counter", "Datagrams from the peer for another session.", stale),
		PM("peer_replayed_datagrams_total", "counter", "Datagrams from the peer dropped by the replay window.", replayed),
		PM("peer_overflows_total", "counter", "Times the peer fell too far behind and was owed a resync.", overflows),
		PM("peer_tables_received_total", "counter", "Full tables (bulk resyncs) received from the peer to their end.", rx.tables),
#undef PM
	};
	const struct kernel_stats *ks = kernel_stats(d->k);
	uint64_t now = now_ms();
	size_t m;
	int i;

	metric(f, "role", "gauge", "The role: 0 backup, 1 master, 2 active.");
	fprintf(f, "ldsyncd_role %d\n", d->role);
	metric(f, "ready", "gauge", "1 when no peer's full table is awaited (ldsyncd ctl ready).");
	fprintf(f, "ldsyncd_ready %d\n", daemon_ready(d, now, NULL));
	for (m = 0; m < sizeof(pm) / sizeof(pm[0]); m++) {
		metric(f, pm[m].name, pm[m].type, pm[m].help);
		for (i = 0; i < d->npeers; i++)
			fprintf(f, "ldsyncd_%s{peer=\"%s\"} %" PRIu64 "\n", pm[m].name,
				d->peers[i].p.name,
				*(uint64_t *)((char *)&d->peers[i].p + pm[m].off));
	}
	metric(f, "peer_lag_seconds", "gauge", "Age of the oldest datagram the peer has not acked.");
	for (i = 0; i < d->npeers; i++) {
		uint64_t lag = tx_lag(&d->peers[i].p.tx, now);

		fprintf(f, "ldsyncd_peer_lag_seconds{peer=\"%s\"} %" PRIu64 ".%03u\n",
			d->peers[i].p.name, lag / 1000, (unsigned int)(lag % 1000));
	}
	metric(f, "peer_up", "gauge", "Whether the peer was heard within the dead time.");
	for (i = 0; i < d->npeers; i++)
		fprintf(f, "ldsyncd_peer_up{peer=\"%s\"} %d\n", d->peers[i].p.name,
			peer_alive(&d->peers[i].p, now, d->dead_ms));
	metric(f, "peer_table_complete", "gauge", "Whether the peer's current stream delivered its full table.");
	for (i = 0; i < d->npeers; i++)
		fprintf(f, "ldsyncd_peer_table_complete{peer=\"%s\"} %d\n",
			d->peers[i].p.name, d->peers[i].p.rx.table);
	metric(f, "bad_datagrams_total", "counter", "Datagrams dropped as malformed or unauthenticated, by reason.");
	for (i = 1; i < __WIRE_EMAX; i++)
		fprintf(f, "ldsyncd_bad_datagrams_total{reason=\"%s\"} %" PRIu64 "\n",
			wire_err_names[i], d->bad[i]);
	fprintf(f, "ldsyncd_bad_datagrams_total{reason=\"unknown-peer\"} %" PRIu64 "\n",
		d->unknown_peer);
	metric(f, "kernel_events_total", "counter", "Conn records read from the kernel's sync group.");
	fprintf(f, "ldsyncd_kernel_events_total %" PRIu64 "\n", ks->events);
	metric(f, "kernel_lost_events_total", "counter", "Kernel sync messages lost (each costs a resync).");
	fprintf(f, "ldsyncd_kernel_lost_events_total %" PRIu64 "\n", ks->lost);
	metric(f, "kernel_applied_records_total", "counter", "Peers' conn records the kernel took.");
	fprintf(f, "ldsyncd_kernel_applied_records_total %" PRIu64 "\n", ks->applied);
	metric(f, "kernel_rejected_records_total", "counter", "Peers' conn records the kernel refused.");
	fprintf(f, "ldsyncd_kernel_rejected_records_total %" PRIu64 "\n", ks->rejected);
}

static void handle(struct daemon *d, char *req, FILE *f)
{
	char *w[3], *save;
	enum role role;
	int n = 0;

	for (char *t = strtok_r(req, " \t\r\n", &save); t && n < 3;
	     t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	if (n == 2 && !strcmp(w[0], "role")) {
		for (role = 0; role < 3; role++)
			if (!strcmp(w[1], role_names[role]))
				break;
		if (role == 3) {
			fprintf(f, "1ldsyncd: role '%s': master, backup or active\n", w[1]);
			return;
		}
		daemon_set_role(d, role);
		fprintf(f, "0role %s\n", role_names[role]);
	} else if (n == 1 && !strcmp(w[0], "role")) {
		fprintf(f, "0%s\n", role_names[d->role]);
	} else if (n == 1 && !strcmp(w[0], "stats")) {
		fputc('0', f);
		ctl_stats(d, f);
	} else if (n == 1 && !strcmp(w[0], "metrics")) {
		fputc('0', f);
		ctl_metrics(d, f);
	} else if (n == 1 && !strcmp(w[0], "resync")) {
		daemon_resync_all(d);
		fputs("0resync\n", f);
	} else if (n == 1 && !strcmp(w[0], "ready")) {
		fputc(daemon_ready(d, now_ms(), NULL) ? '0' : '2', f);
		ready_line(d, now_ms(), f);
		fputc('\n', f);
	} else if (n == 1 && !strcmp(w[0], "ping")) {
		fputs("0pong\n", f);
	} else {
		fprintf(f, "1ldsyncd: unknown request '%s'\n", n ? w[0] : "");
	}
}

/* one request, answered at once; a client that does not send it in time
 * (100 ms) is dropped */
void ctl_accept(struct daemon *d)
{
	struct timeval tv = { .tv_usec = 100000 };
	char req[CTL_REQ_MAX + 1], *out = NULL;
	size_t len = 0, outlen = 0;
	ssize_t n;
	FILE *f;
	int fd;

	fd = accept4(d->ctl, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < CTL_REQ_MAX) {
		n = read(fd, req + len, CTL_REQ_MAX - len);
		if (n <= 0)
			break;
		len += n;
		if (memchr(req, '\n', len))
			break;
	}
	req[len] = 0;
	/* a request cut short (its client too slow, or gone) gets no
	 * answer: the client sends it again (ctl_client())
	 */
	if (!memchr(req, '\n', len)) {
		close(fd);
		return;
	}
	f = open_memstream(&out, &outlen);
	if (f) {
		handle(d, req, f);
		fclose(f);
		for (size_t off = 0; off < outlen; off += n) {
			n = write(fd, out + off, outlen - off);
			if (n <= 0)
				break;
		}
		free(out);
	}
	close(fd);
}

/* One request over a fresh connection: its answer's exit status (stdout
 * and stderr have its text), or -1 when the daemon gave none (the
 * connection broke, or it dropped the request as too slow in coming).
 */
static int ctl_request(const struct sockaddr_un *sun, const char *req,
		       size_t len, int fail)
{
	char buf[4096];
	bool first = true;
	int fd, err, status = 0;
	ssize_t n;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0) {
		err = errno;
		close(fd);
		/* nothing listens there: no daemon */
		if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
			fprintf(stderr, "ldsyncd ctl: %s: %s (is ldsyncd running?)\n",
				sun->sun_path, strerror(err));
			return fail;
		}
		return -1;
	}
	/* no SIGPIPE from a daemon that closed first: an answer not had */
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		if (first) {
			/* '2': a negative answer, on stdout, exit 1 */
			status = buf[0] == '0' ? 0 : buf[0] == '2' ? 1 : fail;
			p++;
			n--;
			first = false;
		}
		fwrite(p, 1, n, status == fail ? stderr : stdout);
	}
	close(fd);
	return first ? -1 : status;
}

int ctl_client(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = LDSYNCD_CTL;
	char req[CTL_REQ_MAX];
	size_t len = 0;
	int i = 1, try, status, fail;
	bool ready;
	ssize_t n;

	if (argc > 2 && !strcmp(argv[1], "--ctl")) {
		path = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fputs("usage: ldsyncd ctl [--ctl PATH] role [master|backup|active]\n"
		      "       ldsyncd ctl [--ctl PATH] stats|metrics|resync|ping|ready\n", stderr);
		return 1;
	}
	/* ready: 0 ready, 1 not ready (or no answer from the daemon), 2 no
	 * daemon or an error
	 */
	ready = i + 1 == argc && !strcmp(argv[i], "ready");
	fail = ready ? 2 : 1;
	for (; i < argc; i++) {
		n = snprintf(req + len, sizeof(req) - len, "%s%s", argv[i],
			     i + 1 < argc ? " " : "\n");
		if (n < 0 || (size_t)n >= sizeof(req) - len) {
			fputs("ldsyncd ctl: request too long\n", stderr);
			return 1;
		}
		len += n;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fputs("ldsyncd ctl: control socket path too long\n", stderr);
		return 1;
	}
	strcpy(sun.sun_path, path);
	/* a daemon drops a request that takes it over 100 ms to get (a
	 * loaded host may stall this process that long between connect()
	 * and send()): sent again, after 40, 80, 160 and 320 ms
	 */
	for (try = 0; try < CTL_TRIES; try++) {
		if (try)
			usleep(20000 << try);
		status = ctl_request(&sun, req, len, fail);
		if (status >= 0)
			return status;
	}
	fprintf(stderr, "ldsyncd ctl: %s: no answer in %d tries\n", path,
		CTL_TRIES);
	/* a running daemon that does not answer does not vouch for its
	 * table: not ready
	 */
	return ready ? 1 : fail;
}
