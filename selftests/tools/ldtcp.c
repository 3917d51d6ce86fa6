// SPDX-License-Identifier: GPL-2.0
/*
 * ldtcp: TCP segments made by hand, and a connection that can tell its own
 * sequence numbers, for the selftests' spoofed SYNs and off-path RSTs.
 *
 *   ldtcp syn SRC DST DPORT SPORT NTUPLES ROUNDS GAP_MS
 *       ROUNDS rounds, GAP_MS apart, of one SYN from each of SRC:SPORT ..
 *       SRC:SPORT+NTUPLES-1 to DST:DPORT. A tuple keeps its ISN: its
 *       copies are resends of one SYN.
 *   ldtcp seg SRC SPORT DST DPORT FLAGS SEQ ACK COUNT
 *       COUNT segments (FLAGS: letters of S A F R P); SEQ or ACK "random"
 *       is drawn anew for each
 *   ldtcp conn HOST PORT
 *       connects, then reads commands on stdin, one a line, and answers
 *       each with one line ("error ..." when it fails):
 *         info           "port P snd S rcv R": its port, the sequence
 *                        number it sends next, the one it expects next
 *         echo N         sends N bytes and reads them back: "echo N ok"
 *         rst random N   N RSTs from its address and port to the peer,
 *                        with random sequence (and acknowledgment) numbers
 *         rst at K       one RST at the sequence number it sends next + K
 *         abort          closes with SO_LINGER 0: its stack's own RST
 *
 * The segments go through a raw socket (IP_HDRINCL), with any source.
 * Addresses are IPv4 or IPv6 (SRC and DST of one family).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int raw_fd = -1, raw6_fd = -1;

/* an IPv4 or IPv6 address, network order */
struct addr {
	int family;
	uint8_t a[16];
};

static void die(const char *what)
{
	fprintf(stderr, "ldtcp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ldtcp syn SRC DST DPORT SPORT NTUPLES ROUNDS GAP_MS\n"
		"       ldtcp seg SRC SPORT DST DPORT FLAGS SEQ|random ACK|random COUNT\n"
		"       ldtcp conn HOST PORT\n");
	exit(1);
}

static uint32_t rnd32(void)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), 0) != sizeof(x))
		die("getrandom");
	return x;
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static struct addr addr(const char *s)
{
	struct addr a = { .family = AF_INET };

	if (inet_pton(AF_INET, s, a.a) != 1) {
		a.family = AF_INET6;
		if (inet_pton(AF_INET6, s, a.a) != 1)
			usage();
	}
	return a;
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		usage();
	return v;
}

/* One TCP segment without options or data, network byte order in. */
static void send_seg(const struct addr *src, uint16_t sport,
		     const struct addr *dst, uint16_t dport, const char *flags,
		     uint32_t seq, uint32_t ack)
{
	uint8_t pkt[60] = { 0 }, pseudo[40] = { 0 };
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct sockaddr_in6 to6 = { .sin6_family = AF_INET6 };
	int v6 = src->family == AF_INET6, fd;
	size_t ihl = v6 ? 40 : 20, plen = v6 ? 40 : 12;
	uint8_t *th = pkt + ihl;
	uint16_t c;
	uint8_t f = 0;

	if (src->family != dst->family)
		usage();
	if (v6 && raw6_fd < 0) {
		raw6_fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
		if (raw6_fd < 0)
			die("raw socket");
	} else if (!v6 && raw_fd < 0) {
		raw_fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (raw_fd < 0)
			die("raw socket");
	}
	if (strchr(flags, 'F'))
		f |= 0x01;
	if (strchr(flags, 'S'))
		f |= 0x02;
	if (strchr(flags, 'R'))
		f |= 0x04;
	if (strchr(flags, 'P'))
		f |= 0x08;
	if (strchr(flags, 'A'))
		f |= 0x10;
	if (v6) {
		pkt[0] = 0x60;
		pkt[5] = 20;		/* payload length */
		pkt[6] = IPPROTO_TCP;
		pkt[7] = 64;
		memcpy(pkt + 8, src->a, 16);
		memcpy(pkt + 24, dst->a, 16);
		/* pseudo-header: addresses, length, next header */
		memcpy(pseudo, src->a, 16);
		memcpy(pseudo + 16, dst->a, 16);
		pseudo[35] = 20;
		pseudo[39] = IPPROTO_TCP;
	} else {
		pkt[0] = 0x45;
		pkt[3] = 40;
		pkt[8] = 64;
		pkt[9] = IPPROTO_TCP;
		memcpy(pkt + 12, src->a, 4);
		memcpy(pkt + 16, dst->a, 4);
		/* the kernel fills in the IP checksum, the length and the ID */
		memcpy(pseudo, src->a, 4);
		memcpy(pseudo + 4, dst->a, 4);
		pseudo[9] = IPPROTO_TCP;
		pseudo[11] = 20;
	}
	memcpy(th, &sport, 2);
	memcpy(th + 2, &dport, 2);
	seq = htonl(seq);
	ack = htonl(f & 0x10 ? ack : 0);
	memcpy(th + 4, &seq, 4);
	memcpy(th + 8, &ack, 4);
	th[12] = 5 << 4;
	th[13] = f;
	th[14] = 0xfa;		/* window 64000 */
	th[15] = 0x00;
	c = htons(fold(sum16(th, 20, sum16(pseudo, plen, 0))));
	memcpy(th + 16, &c, 2);
	if (v6) {
		memcpy(&to6.sin6_addr, dst->a, 16);
		fd = raw6_fd;
		if (sendto(fd, pkt, ihl + 20, 0, (struct sockaddr *)&to6,
			   sizeof(to6)) != (ssize_t)(ihl + 20))
			die("sendto");
		return;
	}
	memcpy(&to.sin_addr, dst->a, 4);
	if (sendto(raw_fd, pkt, ihl + 20, 0, (struct sockaddr *)&to,
		   sizeof(to)) != (ssize_t)(ihl + 20))
		die("sendto");
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmd_syn(int argc, char **argv)
{
	struct addr src, dst;
	unsigned long n, rounds, gap, i, r;
	uint16_t dport, sport;
	uint32_t isn[256];

	if (argc != 9)
		usage();
	src = addr(argv[2]);
	dst = addr(argv[3]);
	dport = htons((uint16_t)num(argv[4], 65535));
	sport = (uint16_t)num(argv[5], 65535);
	n = num(argv[6], 256);
	rounds = num(argv[7], 1000);
	gap = num(argv[8], 60000);
	for (i = 0; i < n; i++)
		isn[i] = rnd32();
	for (r = 0; r < rounds; r++) {
		if (r)
			sleep_ms(gap);
		for (i = 0; i < n; i++)
			send_seg(&src, htons((uint16_t)(sport + i)), &dst, dport,
				 "S", isn[i], 0);
	}
	return 0;
}

static int cmd_seg(int argc, char **argv)
{
	unsigned long count, i;
	struct addr src, dst;
	uint16_t sport, dport;

	if (argc != 10)
		usage();
	src = addr(argv[2]);
	sport = htons((uint16_t)num(argv[3], 65535));
	dst = addr(argv[4]);
	dport = htons((uint16_t)num(argv[5], 65535));
	count = num(argv[9], 1000000);
	for (i = 0; i < count; i++) {
		uint32_t seq, ack;

		seq = strcmp(argv[7], "random") ? (uint32_t)num(argv[7], UINT32_MAX) :
						  rnd32();
		ack = strcmp(argv[8], "random") ? (uint32_t)num(argv[8], UINT32_MAX) :
						  rnd32();
		send_seg(&src, sport, &dst, dport, argv[6], seq, ack);
	}
	return 0;
}

/* The sequence number the socket sends next and the one it expects next,
 * through TCP_REPAIR (CAP_NET_ADMIN): a connection's own numbers, which an
 * off-path attacker would have to guess.
 */
static int conn_seqs(int fd, uint32_t *snd, uint32_t *rcv)
{
	int on = 1, off = 0, q;
	socklen_t len = sizeof(*snd);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)))
		return -1;
	q = TCP_SEND_QUEUE;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, snd, &len))
		goto err;
	q = TCP_RECV_QUEUE;
	len = sizeof(*rcv);
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, rcv, &len))
		goto err;
	return setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off));
err:
	setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off));
	return -1;
}

/* Sends @n bytes of a pattern and reads them back from the echo server. */
static int echo(int fd, unsigned long n)
{
	static char out[65536 + 26], in[65536];
	unsigned long sent = 0, got = 0, i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)('a' + i % 26);
	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (sent < n)
			p.events |= POLLOUT;
		if (poll(&p, 1, 20000) <= 0)
			return -1;
		if (p.revents & POLLOUT) {
			size_t k = n - sent < 65536 ? n - sent : 65536;

			r = send(fd, out + sent % 26, k, MSG_DONTWAIT);
			if (r < 0 && errno != EAGAIN)
				return -1;
			if (r > 0)
				sent += (unsigned long)r;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN))
				return -1;
			for (i = 0; r > 0 && i < (unsigned long)r; i++)
				if (in[i] != (char)('a' + (got + i) % 26))
					return -1;
			if (r > 0)
				got += (unsigned long)r;
		}
	}
	return 0;
}

static int cmd_conn(int argc, char **argv)
{
	struct sockaddr_storage peer = { 0 }, me;
	struct addr pa, ma = { 0 };
	socklen_t len = sizeof(me), plen;
	uint16_t pport, mport;
	char line[256], what[32];
	unsigned long n;
	long k;
	int fd;

	if (argc != 4)
		usage();
	pa = addr(argv[2]);
	pport = htons((uint16_t)num(argv[3], 65535));
	if (pa.family == AF_INET6) {
		struct sockaddr_in6 *p6 = (struct sockaddr_in6 *)&peer;

		p6->sin6_family = AF_INET6;
		memcpy(&p6->sin6_addr, pa.a, 16);
		p6->sin6_port = pport;
		plen = sizeof(*p6);
	} else {
		struct sockaddr_in *p4 = (struct sockaddr_in *)&peer;

		p4->sin_family = AF_INET;
		memcpy(&p4->sin_addr, pa.a, 4);
		p4->sin_port = pport;
		plen = sizeof(*p4);
	}
	fd = socket(pa.family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&peer, plen))
		die("connect");
	if (getsockname(fd, (struct sockaddr *)&me, &len))
		die("getsockname");
	ma.family = pa.family;
	if (pa.family == AF_INET6) {
		memcpy(ma.a, &((struct sockaddr_in6 *)&me)->sin6_addr, 16);
		mport = ((struct sockaddr_in6 *)&me)->sin6_port;
	} else {
		memcpy(ma.a, &((struct sockaddr_in *)&me)->sin_addr, 4);
		mport = ((struct sockaddr_in *)&me)->sin_port;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		uint32_t snd, rcv;

		if (!strncmp(line, "info", 4)) {
			if (conn_seqs(fd, &snd, &rcv)) {
				printf("error info: %s\n", strerror(errno));
				continue;
			}
			printf("port %u snd %u rcv %u\n", ntohs(mport),
			       snd, rcv);
		} else if (sscanf(line, "echo %lu", &n) == 1) {
			if (n > 1UL << 30 || echo(fd, n))
				printf("error echo %lu: %s\n", n, strerror(errno));
			else
				printf("echo %lu ok\n", n);
		} else if (sscanf(line, "rst %31s %ld", what, &k) == 2) {
			unsigned long i;

			if (conn_seqs(fd, &snd, &rcv)) {
				printf("error rst: %s\n", strerror(errno));
				continue;
			}
			if (!strcmp(what, "at")) {
				send_seg(&ma, mport, &pa, pport,
					 "RA", snd + (uint32_t)k, rcv);
			} else if (!strcmp(what, "random") && k > 0) {
				for (i = 0; i < (unsigned long)k; i++) {
					uint32_t seq = rnd32();

					/* off-path: anything but the right one */
					if (seq == snd)
						seq++;
					send_seg(&ma, mport, &pa, pport,
						 i & 1 ? "RA" : "R",
						 seq, rnd32());
				}
			} else {
				printf("error rst: %s?\n", what);
				continue;
			}
			printf("ok\n");
		} else if (!strncmp(line, "abort", 5)) {
			struct linger l = { .l_onoff = 1, .l_linger = 0 };

			if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) ||
			    close(fd)) {
				printf("error abort: %s\n", strerror(errno));
				continue;
			}
			printf("ok\n");
			return 0;
		} else {
			printf("error: %s", line);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "syn"))
		return cmd_syn(argc, argv);
	if (!strcmp(argv[1], "seg"))
		return cmd_seg(argc, argv);
	if (!strcmp(argv[1], "conn"))
		return cmd_conn(argc, argv);
	usage();
	return 1;
}
