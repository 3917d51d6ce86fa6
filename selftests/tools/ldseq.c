// SPDX-License-Identifier: GPL-2.0
/*
 * ldseq: a UDP stream with sequence numbers, echoed, for the selftests of
 * flows through the director (the fast path's).
 *
 *   ldseq serve PORT
 *       sends every datagram to PORT (IPv4 or IPv6) back to its sender.
 *   ldseq send DST PORT SPORT COUNT [SIZE]
 *       from SPORT, COUNT datagrams of SIZE bytes (default 200, at least
 *       8) to DST:PORT, each with its sequence number and a pattern made
 *       from it, at most 16 unanswered at a time; checks that each echo
 *       comes back whole and in order. Prints "sent N recv M lost L
 *       reordered R corrupt C"; exits 0 only if every datagram came back
 *       whole and in order (an echo missing for 3 s counts as lost).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WINDOW	16
#define MAXLEN	9000

static void die(const char *what)
{
	fprintf(stderr, "ldseq: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long num(const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < min || v > max) {
		fprintf(stderr, "ldseq: bad number \"%s\"\n", s);
		exit(2);
	}
	return v;
}

static void fill(uint8_t *b, uint32_t seq, size_t len)
{
	size_t i;

	memcpy(b, &seq, 4);
	for (i = 4; i < len; i++)
		b[i] = (uint8_t)(seq * 131 + i * 7);
}

static void __attribute__((noreturn)) serve(const char *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	struct sockaddr_storage peer;
	static uint8_t buf[MAXLEN];
	socklen_t plen;
	int fd, off = 0;
	ssize_t n;

	a.sin6_port = htons(num(port, 1, 65535));
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("serve");
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			     &plen);
		if (n < 0)
			die("recvfrom");
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&peer, plen) < 0 &&
		    errno != ENOBUFS)
			die("sendto");
	}
}

static int send_stream(char **argv, int argc)
{
	struct sockaddr_storage dst = { };
	static uint8_t out[MAXLEN], in[MAXLEN];
	unsigned long count, size = 200, sent = 0, got = 0, reorder = 0;
	unsigned long corrupt = 0, next = 0;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&dst;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 src = { .sin6_family = AF_INET6 };
	struct pollfd p;
	socklen_t dlen;
	int fd, off = 0;
	uint32_t seq;
	ssize_t n;

	if (argc < 4)
		return 2;
	count = num(argv[3], 1, 1UL << 30);
	if (argc > 4)
		size = num(argv[4], 8, MAXLEN);
	if (inet_pton(AF_INET, argv[0], &d4->sin_addr) == 1) {
		/* one AF_INET6 socket: the address v4-mapped */
		d6->sin6_family = AF_INET6;
		memset(&d6->sin6_addr, 0, sizeof(d6->sin6_addr));
		d6->sin6_addr.s6_addr[10] = 0xff;
		d6->sin6_addr.s6_addr[11] = 0xff;
		inet_pton(AF_INET, argv[0], &d6->sin6_addr.s6_addr[12]);
	} else if (inet_pton(AF_INET6, argv[0], &d6->sin6_addr) == 1) {
		d6->sin6_family = AF_INET6;
	} else {
		fprintf(stderr, "ldseq: bad address \"%s\"\n", argv[0]);
		return 2;
	}
	d6->sin6_port = htons(num(argv[1], 1, 65535));
	dlen = sizeof(*d6);
	src.sin6_port = htons(num(argv[2], 1, 65535));
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
	    connect(fd, (struct sockaddr *)&dst, dlen))
		die("socket");
	p.fd = fd;
	p.events = POLLIN;
	while (next < count) {
		while (sent < count && sent - next < WINDOW) {
			fill(out, sent, size);
			if (send(fd, out, size, 0) < 0)
				die("send");
			sent++;
		}
		if (poll(&p, 1, 3000) <= 0)
			break;
		n = recv(fd, in, sizeof(in), 0);
		if (n < 0)
			die("recv");
		got++;
		memcpy(&seq, in, 4);
		fill(out, seq, size);
		if ((size_t)n != size || memcmp(in, out, size))
			corrupt++;
		else if (seq != next)
			reorder++;
		/* the window moves on with what came back */
		next = seq >= next ? seq + 1UL : next;
	}
	printf("sent %lu recv %lu lost %lu reordered %lu corrupt %lu\n", sent,
	       got, sent - got, reorder, corrupt);
	return got == count && sent == count && !reorder && !corrupt ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		serve(argv[2]);
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return send_stream(argv + 2, argc - 2);
	fprintf(stderr, "usage: ldseq serve PORT\n"
			"       ldseq send DST PORT SPORT COUNT [SIZE]\n");
	return 2;
}
