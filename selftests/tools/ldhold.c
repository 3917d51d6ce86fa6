// SPDX-License-Identifier: GPL-2.0
/*
 * ldhold: many established TCP connections held open, for the conn sync
 * selftest (selftests/test-ldsyncd.sh).
 *
 *   ldhold ADDR PORT N SECONDS
 *	opens N TCP connections to ADDR:PORT (IPv4 or IPv6), all at once,
 *	non-blocking; prints "open M failed F" once each is established or
 *	failed (3 s at most: the kernel resends a lost SYN after 1 s), then
 *	holds the open ones for SECONDS and exits.
 *   ldhold serve PORT
 *	accepts connections on PORT (IPv6, and IPv4 through mapped
 *	addresses) and holds them open, reading and discarding, forever.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int serve(int port)
{
	static struct pollfd pfd[MAX_CONNS + 1];
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	int one = 1, zero = 0, n = 1, i;
	char buf[4096];

	s6.sin6_port = htons(port);
	pfd[0].fd = socket(AF_INET6, SOCK_STREAM, 0);
	pfd[0].events = POLLIN;
	setsockopt(pfd[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(pfd[0].fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(pfd[0].fd, (struct sockaddr *)&s6, sizeof(s6)) ||
	    listen(pfd[0].fd, 1024)) {
		perror("ldhold serve");
		return 1;
	}
	for (;;) {
		if (poll(pfd, n, -1) < 0)
			return 1;
		for (i = 1; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (read(pfd[i].fd, buf, sizeof(buf)) <= 0) {
				close(pfd[i].fd);
				pfd[i--] = pfd[--n];
			}
		}
		if (pfd[0].revents && n <= MAX_CONNS) {
			pfd[n].fd = accept(pfd[0].fd, NULL, NULL);
			if (pfd[n].fd >= 0)
				pfd[n++].events = POLLIN;
		}
	}
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[MAX_CONNS];
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	int n, i, open = 0, failed = 0, pending;
	socklen_t sl;
	long long end;

	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if (argc != 5) {
		fprintf(stderr, "usage: ldhold ADDR PORT N SECONDS | serve PORT\n");
		return 1;
	}
	n = atoi(argv[3]);
	if (n < 1 || n > MAX_CONNS)
		return 1;
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(argv[2]));
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(argv[2]));
		sl = sizeof(*s6);
	} else {
		fprintf(stderr, "ldhold: bad address %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		pfd[i].fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		pfd[i].events = POLLOUT;
		if (pfd[i].fd < 0 ||
		    (connect(pfd[i].fd, (struct sockaddr *)&ss, sl) < 0 &&
		     errno != EINPROGRESS)) {
			perror("ldhold");
			return 1;
		}
	}
	end = now_ms() + 3000;
	pending = n;
	while (pending && now_ms() < end) {
		if (poll(pfd, n, 100) < 0)
			return 1;
		for (i = 0; i < n; i++) {
			int err = 0;
			socklen_t el = sizeof(err);

			if (!pfd[i].events || !pfd[i].revents)
				continue;
			getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (err) {
				failed++;
				close(pfd[i].fd);
				pfd[i].fd = -1;
			} else {
				open++;
			}
			pfd[i].events = 0;
			pending--;
		}
	}
	failed += pending;
	printf("open %d failed %d\n", open, failed);
	fflush(stdout);
	sleep(atoi(argv[4]));
	return 0;
}
