// SPDX-License-Identifier: GPL-2.0
/*
 * ldbench: the small TCP programs behind `make bench` (selftests/bench.sh).
 *
 *   ldbench crr-server PORT [6]
 *	accept, read the request (up to 64 bytes), answer one byte, close;
 *	one connection at a time, forever. With 6: on IPv6 (only), else on
 *	IPv4.
 *   ldbench crr-client ADDR PORT N
 *	N sequential connect/request/response/close cycles to ADDR:PORT; prints
 *	"conns N ns ELAPSED rate CONNS_PER_S" (CLOCK_MONOTONIC, i.e. guest time:
 *	under QEMU -icount a cost in instructions). The server closes first, so
 *	the TIME_WAITs stay on the server and the client never runs out of
 *	ports. ADDR is IPv4 or IPv6.
 *   ldbench udp-flows ADDR N PORT SPORT M
 *	one datagram to each of the N addresses from ADDR up (as a number)
 *	on PORT, from each of the M source ports from SPORT up: N * M flows,
 *	each a conn on the director (selftests/test-scale.sh). Prints "sent
 *	X failed Y".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void __attribute__((noreturn)) crr_server(int port, int v6)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	int one = 1, s, c;
	char buf[64];

	sin.sin_port = htons(port);
	sin6.sin6_port = htons(port);
	s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		die("IPV6_V6ONLY");
	if ((v6 ? bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) :
		  bind(s, (struct sockaddr *)&sin, sizeof(sin))) < 0)
		die("bind");
	if (listen(s, 1024) < 0)
		die("listen");
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		if (read(c, buf, sizeof(buf)) > 0 && write(c, "y", 1) != 1)
			perror("write");
		close(c);
	}
}

static int crr_client(const char *addr, int port, long n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr *sa = (struct sockaddr *)&sin;
	socklen_t salen = sizeof(sin);
	unsigned long long t0, t1;
	long i, fails = 0;
	char buf[64];
	int s;

	sin.sin_port = htons(port);
	sin6.sin6_port = htons(port);
	if (strchr(addr, ':')) {
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
		if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) != 1) {
			fprintf(stderr, "bad address %s\n", addr);
			return 2;
		}
	} else if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", addr);
		return 2;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		s = socket(sa->sa_family, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		if (connect(s, sa, salen) < 0 ||
		    write(s, "x", 1) != 1 || read(s, buf, sizeof(buf)) != 1 ||
		    read(s, buf, sizeof(buf)) != 0) {
			fails++;
			if (fails > 10) {
				perror("crr-client");
				return 1;
			}
		}
		close(s);
	}
	t1 = now_ns();
	printf("conns %ld ns %llu rate %.1f fails %ld\n", n, t1 - t0,
	       n * 1e9 / (double)(t1 - t0), fails);
	return fails ? 1 : 0;
}

static int udp_flows(const char *addr, long n, int port, int sport, long m)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET };
	long i, j, sent = 0, failed = 0;
	uint32_t base;
	int s;

	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", addr);
		return 2;
	}
	base = ntohl(dst.sin_addr.s_addr);
	dst.sin_port = htons(port);
	for (j = 0; j < m; j++) {
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0)
			die("socket");
		src.sin_port = htons(sport + j);
		if (bind(s, (struct sockaddr *)&src, sizeof(src)) < 0)
			die("bind");
		for (i = 0; i < n; i++) {
			dst.sin_addr.s_addr = htonl(base + i);
			if (sendto(s, "x", 1, 0, (struct sockaddr *)&dst,
				   sizeof(dst)) == 1)
				sent++;
			else
				failed++;
		}
		close(s);
	}
	printf("sent %ld failed %ld\n", sent, failed);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "6"))) &&
	    !strcmp(argv[1], "crr-server"))
		crr_server(atoi(argv[2]), argc == 4);
	if (argc == 5 && !strcmp(argv[1], "crr-client"))
		return crr_client(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 7 && !strcmp(argv[1], "udp-flows"))
		return udp_flows(argv[2], atol(argv[3]), atoi(argv[4]),
				 atoi(argv[5]), atol(argv[6]));
	fprintf(stderr, "usage: ldbench crr-server PORT [6]\n"
		"       ldbench crr-client ADDR PORT N\n"
		"       ldbench udp-flows ADDR N PORT SPORT M\n");
	return 2;
}
