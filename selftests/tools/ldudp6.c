// SPDX-License-Identifier: GPL-2.0
/*
 * ldudp6: UDP over IPv6 made by hand, with extension headers and
 * fragments, for the selftests of IPv6 through the VIP.
 *
 *   ldudp6 send [-H] [-D] [-f SIZE] [-r] [-t SECONDS] SRC SPORT DST DPORT LEN
 *       binds a UDP socket to [::]:SPORT, sends one datagram of LEN
 *       payload bytes from SRC:SPORT to DST:DPORT through a raw socket
 *       (the IPv6 header included), then prints the first datagram that
 *       comes back to SPORT, as it is (exit 1 when none within SECONDS,
 *       default 5). -H puts a Hop-by-Hop Options header first, -D a
 *       Destination Options header before UDP (both a PadN option);
 *       -f cuts the datagram (from the Destination Options header on)
 *       into fragments of SIZE bytes (a multiple of 8), -r sends them
 *       last first.
 *   ldudp6 serve PORT NAME
 *       answers every datagram to [::]:PORT with one line
 *       "NAME [PEERADDR]:PEERPORT LEN SUM".
 *   ldudp6 sum LEN
 *       prints "LEN SUM" for the payload send sends.
 *
 * The payload is a fixed pattern; SUM is its FNV-1a hash in hex, so the
 * client can tell that the real got it whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLEN 60000

static uint8_t pkt[MAXLEN + 512];
static uint8_t body[MAXLEN + 64];

static void usage(void)
{
	fprintf(stderr,
		"usage: ldudp6 send [-H] [-D] [-f SIZE] [-r] [-t SECONDS] SRC SPORT DST DPORT LEN\n"
		"       ldudp6 serve PORT NAME\n"
		"       ldudp6 sum LEN\n");
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "ldudp6: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > max)
		usage();
	return v;
}

static void pattern(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 131 + i / 251 + 7);
}

static uint32_t fnv(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* an 8-byte options header: next header, length 0, PadN of 4 bytes */
static size_t opts_hdr(uint8_t *p, uint8_t next)
{
	p[0] = next;
	p[1] = 0;
	p[2] = 1;	/* PadN */
	p[3] = 4;
	memset(p + 4, 0, 4);
	return 8;
}

static int do_serve(int argc, char **argv)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	socklen_t alen;
	char addr[INET6_ADDRSTRLEN], line[256];
	ssize_t n;
	int fd, one = 1;

	if (argc != 2)
		usage();
	a.sin6_port = htons(num(argv[0], 65535));
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	for (;;) {
		alen = sizeof(a);
		n = recvfrom(fd, body, sizeof(body), 0, (struct sockaddr *)&a,
			     &alen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		inet_ntop(AF_INET6, &a.sin6_addr, addr, sizeof(addr));
		snprintf(line, sizeof(line), "%s [%s]:%u %zd %08x\n", argv[1],
			 addr, ntohs(a.sin6_port), n, fnv(body, n));
		if (sendto(fd, line, strlen(line), 0, (struct sockaddr *)&a,
			   alen) < 0)
			perror("ldudp6: sendto");
	}
	return 0;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 me = { .sin6_family = AF_INET6 };
	struct in6_addr saddr, daddr;
	size_t frag = 0, len, blen, hlen, off, n;
	int hbh = 0, dopts = 0, rev = 0, tmo = 5, raw, udp, c, i, nfrag;
	uint16_t sport, dport;
	uint32_t id, sum;
	uint8_t *u, first;
	struct pollfd pfd;
	char reply[512];
	ssize_t r;

	while ((c = getopt(argc, argv, "HDf:rt:")) != -1) {
		switch (c) {
		case 'H':
			hbh = 1;
			break;
		case 'D':
			dopts = 1;
			break;
		case 'f':
			frag = num(optarg, 1400);
			if (!frag || frag % 8)
				usage();
			break;
		case 'r':
			rev = 1;
			break;
		case 't':
			tmo = num(optarg, 600);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 5)
		usage();
	if (inet_pton(AF_INET6, argv[optind], &saddr) != 1 ||
	    inet_pton(AF_INET6, argv[optind + 2], &daddr) != 1)
		usage();
	sport = num(argv[optind + 1], 65535);
	dport = num(argv[optind + 3], 65535);
	len = num(argv[optind + 4], MAXLEN);

	/* the fragmentable part: [Destination Options] UDP payload */
	blen = 0;
	if (dopts)
		blen += opts_hdr(body, IPPROTO_UDP);
	u = body + blen;
	u[0] = sport >> 8;
	u[1] = sport;
	u[2] = dport >> 8;
	u[3] = dport;
	u[4] = (len + 8) >> 8;
	u[5] = len + 8;
	u[6] = u[7] = 0;
	pattern(u + 8, len);
	/* the checksum: pseudo-header (addresses, length, next header 17) */
	sum = sum16(saddr.s6_addr, 16, 0);
	sum = sum16(daddr.s6_addr, 16, sum);
	sum += (uint32_t)(len + 8) >> 16;
	sum += (uint32_t)(len + 8) & 0xffff;
	sum += IPPROTO_UDP;
	sum = fold(sum16(u, len + 8, sum));
	if (!sum)
		sum = 0xffff;
	u[6] = sum >> 8;
	u[7] = sum;
	blen += len + 8;
	first = dopts ? IPPROTO_DSTOPTS : IPPROTO_UDP;

	udp = socket(AF_INET6, SOCK_DGRAM, 0);
	if (udp < 0)
		die("socket udp");
	me.sin6_port = htons(sport);
	if (bind(udp, (struct sockaddr *)&me, sizeof(me)))
		die("bind udp");
	raw = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (raw < 0)
		die("socket raw");
	dst.sin6_addr = daddr;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		die("getrandom");
	nfrag = frag ? (int)((blen + frag - 1) / frag) : 1;
	for (i = 0; i < nfrag; i++) {
		int k = rev ? nfrag - 1 - i : i;
		struct ip6_hdr *ip = (struct ip6_hdr *)pkt;
		uint8_t *p = pkt + sizeof(*ip), *nh = &ip->ip6_nxt;

		memset(ip, 0, sizeof(*ip));
		ip->ip6_flow = htonl(6 << 28);
		ip->ip6_hlim = 64;
		ip->ip6_src = saddr;
		ip->ip6_dst = daddr;
		if (hbh) {
			*nh = IPPROTO_HOPOPTS;
			p += opts_hdr(p, 0);
			nh = p - 8;
		}
		if (frag) {
			off = (size_t)k * frag;
			n = blen - off < frag ? blen - off : frag;
			*nh = IPPROTO_FRAGMENT;
			p[0] = first;
			p[1] = 0;
			p[2] = (off >> 8) & 0xff;
			p[3] = (off & 0xf8) | (k < nfrag - 1 ? 1 : 0);
			memcpy(p + 4, &id, 4);
			p += 8;
		} else {
			off = 0;
			n = blen;
			*nh = first;
		}
		memcpy(p, body + off, n);
		p += n;
		hlen = p - pkt;
		ip->ip6_plen = htons(hlen - sizeof(*ip));
		if (sendto(raw, pkt, hlen, 0, (struct sockaddr *)&dst,
			   sizeof(dst)) < 0)
			die("sendto");
	}

	pfd.fd = udp;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, tmo * 1000) != 1) {
		fprintf(stderr, "ldudp6: no answer within %d s\n", tmo);
		return 1;
	}
	r = recv(udp, reply, sizeof(reply) - 1, 0);
	if (r < 0)
		die("recv");
	reply[r] = '\0';
	fputs(reply, stdout);
	if (r && reply[r - 1] != '\n')
		putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	size_t len;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return do_serve(argc - 2, argv + 2);
	if (!strcmp(argv[1], "sum") && argc == 3) {
		len = num(argv[2], MAXLEN);
		pattern(body, len);
		printf("%zu %08x\n", len, fnv(body, len));
		return 0;
	}
	usage();
	return 2;
}
