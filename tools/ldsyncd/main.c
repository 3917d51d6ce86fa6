// SPDX-License-Identifier: GPL-2.0
/*
 * ldsyncd: shares a director's established ldir conns with its peers over
 * UDP (wire.h), reliably (peer.h), and inserts theirs into the local
 * kernel (kernel.h). One thread, one poll loop; every buffer is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ldsyncd.h"

const char *const role_names[3] = {
	[ROLE_BACKUP] = "backup",
	[ROLE_MASTER] = "master",
	[ROLE_ACTIVE] = "active",
};

static volatile sig_atomic_t sig_stop, sig_master, sig_backup, sig_resync;

static void on_signal(int sig)
{
	switch (sig) {
	case SIGUSR1:
		sig_master = 1;
		break;
	case SIGUSR2:
		sig_backup = 1;
		break;
	case SIGHUP:
		sig_resync = 1;
		break;
	default:
		sig_stop = 1;
	}
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* microseconds of the wall clock and a random byte: a restart is higher */
static uint64_t new_session(void)
{
	struct timespec ts;
	uint8_t r = 0;
	int fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	fd = open("/dev/urandom", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, &r, 1) != 1)
			r = getpid();
		close(fd);
	}
	return ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000) << 8 | r;
}

static bool sends(const struct daemon *d)
{
	return d->role != ROLE_BACKUP;
}

/* ------------------------------------------------------------ settings */

static void usage(FILE *f)
{
	fputs("usage: ldsyncd [OPTIONS]               run the daemon (in the foreground)\n"
	      "       ldsyncd ctl [--ctl PATH] role master|backup|active\n"
	      "       ldsyncd ctl [--ctl PATH] stats|metrics|resync|ping|ready\n"
	      "options:\n"
	      "  -c, --config FILE     read settings from FILE (the options' names, one a line)\n"
	      "  -l, --listen ADDR:PORT  local address and port (default [::]:7411)\n"
	      "  -p, --peer ADDR:PORT  a peer (repeat for several)\n"
	      "  -k, --key-file FILE   authenticate datagrams with the key in FILE (HMAC-SHA256)\n"
	      "  -r, --role ROLE       master (send and receive), backup (receive only),\n"
	      "                        active (as master, for active/active); default backup\n"
	      "  -s, --ctl PATH        control socket (default " LDSYNCD_CTL ")\n"
	      "      --ring N          datagrams queued per peer before a resync (default 1024)\n"
	      "      --rto-ms N        first resend after N ms (default 200)\n"
	      "      --hello-ms N      keepalive interval (default 1000)\n"
	      "      --dead-ms N       a peer silent this long is down (default 3500)\n"
	      "      --fake-kernel DIR a stand-in for the kernel, for tests\n"
	      "      --ready-timeout-ms N  how long a peer not heard since start holds\n"
	      "                        readiness back (default: --dead-ms)\n"
	      "  -v, --verbose         log every record the kernel refuses\n"
	      "  -V, --version\n", f);
}

static int parse_role(const char *s, enum role *role)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, role_names[i])) {
			*role = i;
			return 0;
		}
	return -1;
}

/* ADDR:PORT, [ADDR6]:PORT, ADDR or [ADDR6]; into a v4 or v6 sockaddr */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2], *colon, *end;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	unsigned long port = LDSYNCD_PORT;
	const char *p = NULL;

	memset(ss, 0, sizeof(*ss));
	if (strlen(s) >= sizeof(host))
		return -1;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, end - s - 1);
		host[end - s - 1] = 0;
		if (end[1] == ':')
			p = end + 2;
		else if (end[1])
			return -1;
	} else {
		strcpy(host, s);
		colon = strchr(host, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = 0;
			p = s + (colon - host) + 1;
		}
	}
	if (p) {
		port = strtoul(p, &end, 10);
		if (!*p || *end || !port || port > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* an address as the UDP socket's family sees it (IPv4 mapped on IPv6) */
static int to_family(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if (ss->ss_family == family)
		return 0;
	if (family == AF_INET)
		return -1;
	memcpy(&s4, ss, sizeof(s4));
	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = s4.sin_port;
	s6->sin6_addr.s6_addr[10] = 0xff;
	s6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&s6->sin6_addr.s6_addr[12], &s4.sin_addr, 4);
	*len = sizeof(*s6);
	return 0;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	       !memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr));
}

struct opts {
	char listen[80];
	char *peers[MAX_PEERS];
	int npeers;
	char *key_file;
	char *fake;
	enum role role;
	bool verbose;
};

static int read_key(struct daemon *d, const char *path)
{
	uint8_t buf[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ldsyncd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* a trailing newline is not part of the key */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < 16) {
		fprintf(stderr, "ldsyncd: %s: a key of at least 16 bytes is needed\n", path);
		return -1;
	}
	hmac_sha256_key(&d->key, buf, n);
	memset(buf, 0, sizeof(buf));
	d->keyed = true;
	return 0;
}

static int set_uint(const char *name, const char *v, uint32_t min, uint32_t max,
		    uint32_t *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || !*v || *end || n < min || n > max) {
		fprintf(stderr, "ldsyncd: %s: '%s' is not a number in %u..%u\n",
			name, v, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

static int option(struct daemon *d, struct opts *o, const char *name, const char *v)
{
	if (!strcmp(name, "listen")) {
		snprintf(o->listen, sizeof(o->listen), "%s", v);
	} else if (!strcmp(name, "peer")) {
		if (o->npeers == MAX_PEERS) {
			fprintf(stderr, "ldsyncd: at most %d peers\n", MAX_PEERS);
			return -1;
		}
		o->peers[o->npeers++] = strdup(v);
	} else if (!strcmp(name, "key-file")) {
		free(o->key_file);
		o->key_file = strdup(v);
	} else if (!strcmp(name, "role")) {
		if (parse_role(v, &o->role)) {
			fprintf(stderr, "ldsyncd: role '%s': master, backup or active\n", v);
			return -1;
		}
	} else if (!strcmp(name, "ctl")) {
		snprintf(d->ctl_path, sizeof(d->ctl_path), "%s", v);
	} else if (!strcmp(name, "ring")) {
		return set_uint(name, v, 2 * PEER_WINDOW, 1u << 20, &d->ring);
	} else if (!strcmp(name, "rto-ms")) {
		return set_uint(name, v, 10, 60000, &d->rto_ms);
	} else if (!strcmp(name, "hello-ms")) {
		return set_uint(name, v, 10, 60000, &d->hello_ms);
	} else if (!strcmp(name, "dead-ms")) {
		return set_uint(name, v, 30, 600000, &d->dead_ms);
	} else if (!strcmp(name, "ready-timeout-ms")) {
		return set_uint(name, v, 0, 3600000, &d->ready_timeout_ms);
	} else if (!strcmp(name, "fake-kernel")) {
		free(o->fake);
		o->fake = strdup(v);
	} else {
		fprintf(stderr, "ldsyncd: unknown setting '%s'\n", name);
		return -1;
	}
	return 0;
}

/* NAME VALUE lines; '#' starts a comment */
static int read_config(struct daemon *d, struct opts *o, const char *path)
{
	char line[512], *name, *v, *save;
	int lineno = 0, ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "ldsyncd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		*strchrnul(line, '#') = 0;
		name = strtok_r(line, " \t\r\n", &save);
		if (!name)
			continue;
		v = strtok_r(NULL, " \t\r\n", &save);
		if (!v || strtok_r(NULL, " \t\r\n", &save)) {
			fprintf(stderr, "ldsyncd: %s:%d: NAME VALUE expected\n", path, lineno);
			ret = -1;
			break;
		}
		ret = option(d, o, name, v);
		if (ret)
			fprintf(stderr, "ldsyncd: (%s:%d)\n", path, lineno);
	}
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------ sending */

static void send_dgram(struct daemon *d, struct speer *sp, const struct wire_hdr *h,
		       const struct sync_rec *recs)
{
	uint8_t buf[WIRE_MAX];
	size_t len;

	len = wire_encode(buf, h, recs, d->keyed ? &d->key : NULL);
	if (sendto(d->udp, buf, len, 0, (struct sockaddr *)&sp->sa, sp->salen) < 0)
		d->send_errors++;
}

static void send_hello(struct daemon *d, struct speer *sp, uint64_t now)
{
	struct wire_hdr h;

	peer_hdr(&sp->p, d->session, WIRE_HELLO, ++d->pn, &h);
	if (sends(d))
		h.flags |= WIRE_F_SENDER;
	send_dgram(d, sp, &h, NULL);
	sp->hello_ms = now;
}

/* what is due to a peer: new and resent DATA (acks ride on them), an ACK */
static void output(struct daemon *d, struct speer *sp, uint64_t now)
{
	struct tx_slot *s;
	struct wire_hdr h;

	if (!sp->hello_ms || now >= sp->hello_ms + d->hello_ms)
		send_hello(d, sp, now);
	if (!sp->p.session)
		return;
	tx_close(&sp->p.tx);
	while ((s = tx_next(&sp->p.tx, now))) {
		peer_data(&sp->p, d->session, s, ++d->pn, &h);
		send_dgram(d, sp, &h, s->recs);
		tx_sent(&sp->p.tx, s, now);
	}
	if (sp->p.rx.ack_pending) {
		peer_hdr(&sp->p, d->session, WIRE_ACK, ++d->pn, &h);
		send_dgram(d, sp, &h, NULL);
	}
}

/* ------------------------------------------------------------ resyncs */

/* the stream to sp restarts and a full table is owed; nothing is queued
 * until the dump that carries it starts */
static void owe_resync(struct speer *sp)
{
	tx_reset(&sp->p.tx);
	sp->p.resync = true;
	sp->dumping = false;
}

void daemon_resync_all(struct daemon *d)
{
	int i;

	for (i = 0; i < d->npeers; i++)
		if (d->peers[i].p.session)
			owe_resync(&d->peers[i]);
}

static void queue(struct daemon *d, struct speer *sp, const struct sync_rec *r)
{
	if (tx_add(&sp->p.tx, r) < 0) {
		/* too far behind: a full table instead of more buffering */
		sp->p.overflows++;
		owe_resync(sp);
	}
}

static void on_dump_rec(void *ctx, const struct sync_rec *r)
{
	struct daemon *d = ctx;
	int i;

	for (i = 0; i < d->npeers; i++) {
		struct speer *sp = &d->peers[i];

		if (!sp->dumping)
			continue;
		sp->p.resync_recs++;
		queue(d, sp, r);
	}
}

/* peers owed a table and alive join a new dump when none runs */
static void dump_start(struct daemon *d, uint64_t now)
{
	int i, n = 0;

	if (d->dump_running || !sends(d))
		return;
	for (i = 0; i < d->npeers; i++) {
		struct speer *sp = &d->peers[i];

		if (sp->p.resync && peer_alive(&sp->p, now, d->dead_ms)) {
			sp->p.resync = false;
			sp->dumping = true;
			sp->p.resyncs++;
			n++;
		}
	}
	if (!n)
		return;
	fprintf(stderr, "ldsyncd: full table to %d peer%s\n", n, n == 1 ? "" : "s");
	if (kernel_dump_start(d->k) < 0) {
		for (i = 0; i < d->npeers; i++)
			if (d->peers[i].dumping) {
				d->peers[i].dumping = false;
				d->peers[i].p.resync = true;
			}
		return;
	}
	d->dump_running = true;
}

/*
 * The dump is read only while every peer it feeds has room; a peer that
 * went silent leaves it (and gets the next one when it is back), so that
 * it does not hold up the others.
 */
static bool dump_room(struct daemon *d, uint64_t now)
{
	bool room = true;
	int i;

	for (i = 0; i < d->npeers; i++) {
		struct speer *sp = &d->peers[i];

		if (!sp->dumping)
			continue;
		if (!peer_alive(&sp->p, now, d->dead_ms))
			owe_resync(sp);
		else if (tx_room(&sp->p.tx) < 2 * PEER_WINDOW)
			room = false;
	}
	return room;
}

static void dump_read(struct daemon *d)
{
	int i, ret;

	ret = kernel_dump_read(d->k, on_dump_rec, d);
	if (ret > 0)
		return;
	d->dump_running = false;
	fprintf(stderr, "ldsyncd: full table %s (%llu records dumped so far)\n",
		ret ? "failed" : "queued",
		(unsigned long long)kernel_stats(d->k)->dumped);
	for (i = 0; i < d->npeers; i++) {
		struct speer *sp = &d->peers[i];

		if (!sp->dumping)
			continue;
		sp->dumping = false;
		if (ret < 0) {
			sp->p.resync = true;	/* try again */
		} else if (tx_end(&sp->p.tx) < 0) {
			/* the peer waits for the end to be ready */
			sp->p.overflows++;
			owe_resync(sp);
		}
	}
}

/* ------------------------------------------------------------ receiving */

struct rx_ctx {
	struct daemon *d;
	struct speer *sp;
};

static void on_peer_recs(void *ctx, const struct sync_rec *recs, uint16_t nrec)
{
	struct rx_ctx *c = ctx;
	uint8_t rejected[WIRE_MAX_RECS];
	int ret;

	ret = kernel_apply(c->d->k, recs, nrec, rejected);
	if (ret > 0)
		c->sp->p.rejected += ret;
}

static struct speer *find_peer(struct daemon *d, const struct sockaddr_storage *ss)
{
	int i;

	for (i = 0; i < d->npeers; i++)
		if (same_addr(&d->peers[i].sa, ss))
			return &d->peers[i];
	return NULL;
}

static void udp_read(struct daemon *d, uint64_t now)
{
	struct sync_rec recs[WIRE_MAX_RECS];
	struct sockaddr_storage ss;
	uint8_t buf[WIRE_MAX + 1];
	struct wire_hdr h;
	struct speer *sp;
	socklen_t sl;
	ssize_t n;
	int err, ret, budget = 256;

	while (budget--) {
		sl = sizeof(ss);
		n = recvfrom(d->udp, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		sp = find_peer(d, &ss);
		if (!sp) {
			d->unknown_peer++;
			continue;
		}
		err = wire_decode(buf, n, &h, recs, d->keyed ? &d->key : NULL);
		if (err) {
			d->bad[err]++;
			continue;
		}
		struct rx_ctx c = { d, sp };

		ret = peer_input(&sp->p, d->session, &h, recs, now, d->dead_ms,
				 on_peer_recs, &c);
		if (ret == PEER_NEW) {
			/* a peer joined or restarted: our table, if we send */
			fprintf(stderr, "ldsyncd: peer %s: session %016llx\n",
				sp->p.name, (unsigned long long)sp->p.session);
			sp->dumping = false;
			if (sends(d))
				owe_resync(sp);
			send_hello(d, sp, now);
		}
	}
}

static void on_event(void *ctx, const struct sync_rec *r)
{
	struct daemon *d = ctx;
	int i;

	if (!sends(d))
		return;
	for (i = 0; i < d->npeers; i++) {
		struct speer *sp = &d->peers[i];

		/* a peer never heard or owed a table gets it all later */
		if (sp->p.session && !sp->p.resync)
			queue(d, sp, r);
	}
}

void daemon_set_role(struct daemon *d, enum role role)
{
	bool was = sends(d);
	int i;

	if (role == d->role)
		return;
	d->role = role;
	/*
	 * A new sender owes each peer its full table: the conns it made or
	 * took in while it was not sending, and the end of a table that a
	 * peer's readiness waits for.
	 */
	if (!was && sends(d))
		daemon_resync_all(d);
	d->role_switches++;
	for (i = 0; i < d->npeers; i++)
		d->peers[i].hello_ms = 0;	/* tell them now */
	fprintf(stderr, "ldsyncd: role %s\n", role_names[role]);
}

/* ------------------------------------------------------------ ready */

bool daemon_ready(struct daemon *d, uint64_t now, const struct speer **why)
{
	bool waited = now >= d->start_ms + d->ready_timeout_ms;
	const struct speer *first = NULL;
	int i;

	for (i = 0; i < d->npeers && !first; i++)
		if (peer_ready(&d->peers[i].p, now, d->dead_ms, waited) != PEER_READY)
			first = &d->peers[i];
	if (why)
		*why = first;
	if (!first != d->ready) {
		d->ready = !first;
		d->ready_ms = d->ready ? now : 0;
		if (d->ready)
			fprintf(stderr, "ldsyncd: ready, %llu ms after start\n",
				(unsigned long long)(now - d->start_ms));
		else
			fprintf(stderr, "ldsyncd: not ready: waiting for %s\n",
				first->p.name);
	}
	return d->ready;
}

/* ------------------------------------------------------------ setup */

static int setup(struct daemon *d, struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, one = 1, zero = 0;

	if (parse_addr(o->listen[0] ? o->listen : "[::]", &ss, &sl)) {
		fprintf(stderr, "ldsyncd: listen '%s': ADDR:PORT expected\n", o->listen);
		return -1;
	}
	snprintf(d->listen, sizeof(d->listen), "%s", o->listen[0] ? o->listen : "[::]");
	d->family = ss.ss_family;
	d->udp = socket(d->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (d->udp < 0) {
		perror("ldsyncd: socket");
		return -1;
	}
	setsockopt(d->udp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (d->family == AF_INET6)
		setsockopt(d->udp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(d->udp, (struct sockaddr *)&ss, sl) < 0) {
		fprintf(stderr, "ldsyncd: bind %s: %s\n", d->listen, strerror(errno));
		return -1;
	}
	if (!o->npeers) {
		fprintf(stderr, "ldsyncd: no peer (--peer ADDR:PORT)\n");
		return -1;
	}
	for (i = 0; i < o->npeers; i++) {
		struct speer *sp = &d->peers[i];

		if (parse_addr(o->peers[i], &sp->sa, &sp->salen) ||
		    to_family(d->family, &sp->sa, &sp->salen)) {
			fprintf(stderr, "ldsyncd: peer '%s': ADDR:PORT expected%s\n",
				o->peers[i], d->family == AF_INET ?
				" (IPv4: the listening address is)" : "");
			return -1;
		}
		snprintf(sp->p.name, sizeof(sp->p.name), "%s", o->peers[i]);
		if (find_peer(d, &sp->sa)) {
			fprintf(stderr, "ldsyncd: peer '%s' given twice\n", o->peers[i]);
			return -1;
		}
		if (tx_init(&sp->p.tx, d->ring, d->rto_ms)) {
			perror("ldsyncd");
			return -1;
		}
		d->npeers++;
	}
	if (o->key_file && read_key(d, o->key_file))
		return -1;
	d->role = o->role;
	d->k = kernel_open(o->fake, o->verbose);
	if (!d->k)
		return -1;
	return ctl_listen(d);
}

/* The loop's longest sleep (poll's timeout). */
#define LOOP_MS		20
/* A wake-up this much later is a stall of this process. */
#define STALL_MS	500

/*
 * A stall of this process (a loaded host, a paused VM) is no silence of
 * its peers: their hellos wait in the socket, or they stalled too and say
 * hello as soon as they run again. The time the loop did not run is not
 * counted against them: else a daemon that runs again dead_ms later takes
 * its peers for dead before it hears them, and calls itself ready
 * without the tables it was waiting for.
 */
static void unstall(struct daemon *d, uint64_t top, uint64_t now)
{
	uint64_t gap;
	int i;

	if (now < top + LOOP_MS + STALL_MS)
		return;
	gap = now - top - LOOP_MS;
	for (i = 0; i < d->npeers; i++)
		if (d->peers[i].p.session)
			d->peers[i].p.last_ms += gap;
}

static int run(struct daemon *d)
{
	struct pollfd pfd[4];
	uint64_t now, top;
	int i, n, dump_i, ev_i, ctl_i, ret;

	while (!sig_stop) {
		if (sig_master) {
			sig_master = 0;
			daemon_set_role(d, ROLE_MASTER);
		}
		if (sig_backup) {
			sig_backup = 0;
			daemon_set_role(d, ROLE_BACKUP);
		}
		if (sig_resync) {
			sig_resync = 0;
			daemon_resync_all(d);
		}
		now = now_ms();
		top = now;
		/* records the kernel dropped with no message after them */
		if (now >= d->poll_ms + d->hello_ms) {
			d->poll_ms = now;
			if (kernel_poll_lost(d->k) > 0 && sends(d))
				daemon_resync_all(d);
		}
		daemon_ready(d, now, NULL);
		dump_start(d, now);
		for (i = 0; i < d->npeers; i++)
			output(d, &d->peers[i], now);

		n = 0;
		pfd[n++] = (struct pollfd){ .fd = d->udp, .events = POLLIN };
		ev_i = n;
		pfd[n++] = (struct pollfd){ .fd = kernel_events_fd(d->k), .events = POLLIN };
		ctl_i = n;
		pfd[n++] = (struct pollfd){ .fd = d->ctl, .events = POLLIN };
		dump_i = -1;
		if (d->dump_running && dump_room(d, now)) {
			dump_i = n;
			pfd[n++] = (struct pollfd){ .fd = kernel_dump_fd(d->k), .events = POLLIN };
		}
		ret = poll(pfd, n, LOOP_MS);
		if (ret < 0 && errno != EINTR) {
			perror("ldsyncd: poll");
			return 1;
		}
		now = now_ms();
		unstall(d, top, now);
		if (ret <= 0)
			continue;
		if (pfd[0].revents)
			udp_read(d, now);
		if (pfd[ev_i].revents) {
			ret = kernel_events_read(d->k, on_event, d);
			if (ret > 0 && sends(d))
				daemon_resync_all(d);	/* events were lost */
		}
		if (dump_i >= 0 && pfd[dump_i].revents)
			dump_read(d);
		if (pfd[ctl_i].revents)
			ctl_accept(d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'p' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "role", required_argument, NULL, 'r' },
		{ "ctl", required_argument, NULL, 's' },
		{ "ring", required_argument, NULL, 1 },
		{ "rto-ms", required_argument, NULL, 2 },
		{ "hello-ms", required_argument, NULL, 3 },
		{ "dead-ms", required_argument, NULL, 4 },
		{ "fake-kernel", required_argument, NULL, 5 },
		{ "ready-timeout-ms", required_argument, NULL, 6 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	/* zeroed, in .bss: the peers' reorder windows are large */
	static struct daemon d;
	struct opts o = { .role = ROLE_BACKUP };
	struct sigaction sa = { .sa_handler = on_signal };
	int c, ret;

	d.ring = 1024;
	d.rto_ms = 200;
	d.hello_ms = 1000;
	d.dead_ms = 3500;
	d.ready_timeout_ms = UINT32_MAX;	/* --dead-ms unless set */
	d.udp = -1;
	d.ctl = -1;
	strcpy(d.ctl_path, LDSYNCD_CTL);

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_client(argc - 1, argv + 1);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:l:p:k:r:s:hvV", longopts, NULL)) != -1) {
		const char *name = NULL;

		switch (c) {
		case 'c':
			if (read_config(&d, &o, optarg))
				return 1;
			continue;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			o.verbose = true;
			continue;
		case 'V':
			printf("ldsyncd %s (wire version %d)\n", LDSYNCD_VERSION, WIRE_VERSION);
			return 0;
		case '?':
		case ':':
			fprintf(stderr, "ldsyncd: bad option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
		for (int i = 0; longopts[i].name; i++)
			if (longopts[i].val == c)
				name = longopts[i].name;
		if (!name || option(&d, &o, name, optarg))
			return 1;
	}
	if (optind < argc) {
		fprintf(stderr, "ldsyncd: unexpected '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	d.session = new_session();
	if (d.ready_timeout_ms == UINT32_MAX)
		d.ready_timeout_ms = d.dead_ms;
	d.start_ms = now_ms();
	if (setup(&d, &o))
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "ldsyncd: %s, %d peer%s, role %s, session %016llx%s\n",
		d.listen, d.npeers, d.npeers == 1 ? "" : "s", role_names[d.role],
		(unsigned long long)d.session, d.keyed ? ", keyed" : "");
	ret = run(&d);
	ctl_close(&d);
	kernel_close(d.k);
	return ret;
}
