// SPDX-License-Identifier: GPL-2.0
/*
 * ldflood: a spoofed SYN flood, and the legitimate clients and server
 * that must keep working through it (selftests/test-synflood.sh,
 * selftests/bench.sh).
 *
 *   ldflood syn IFACE DSTMAC DST PORT SRCNET/LEN SECONDS [PPS]
 *	TCP SYNs to DST:PORT out of IFACE (a packet socket: Ethernet to
 *	DSTMAC), each from a random address of SRCNET/LEN and a random port,
 *	with a random sequence number and valid checksums, as fast as the
 *	socket takes them (or PPS a second) for SECONDS. Prints
 *	"sent N secs S pps P".
 *   ldflood ack IFACE DSTMAC DST PORT SRCNET/LEN SECONDS [PPS]
 *	the same with ACKs (random sequence and acknowledgment numbers):
 *	segments of flows that never were, as an attacker makes up to have
 *	a director adopt them.
 *   ldflood conns ADDR PORT RATE SECONDS [TIMEOUT_MS]
 *	opens RATE TCP connections a second to ADDR:PORT for SECONDS, each
 *	on its own socket, non-blocking: a connection that is not
 *	established within TIMEOUT_MS (default 3000: the kernel resends a
 *	lost SYN after 1 s, once) or that fails counts as failed; an
 *	established one is closed at once. Prints "tried N ok M failed F
 *	pct P" (P: per mille of M/N, as an integer, so 995 is 99.5%).
 *   ldflood sink PORT [6]
 *	accepts connections on PORT and closes them, forever (6: on IPv6,
 *	and IPv4 through mapped addresses).
 * DST, SRCNET and ADDR are IPv4 or IPv6 (SRCNET of DST's family).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define PKT_LEN		(14 + 20 + 20)
#define PKT6_LEN	(14 + 40 + 20)
#define MAX_PENDING	4096

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t rnd_state;

/* xorshift64*: fast, and good enough for addresses, ports, sequences */
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 2685821657736338717ULL) >> 32);
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

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* TCP flags of what the flood sends: a SYN, or an ACK */
static uint8_t flood_flags = 0x02;

/* One SYN (or ACK) from a random source in net/len (host order) to
 * dst:port.
 */
static void make_syn(uint8_t *pkt, const uint8_t *dmac, const uint8_t *smac,
		     uint32_t net, uint32_t mask, uint32_t dst, uint16_t port)
{
	uint8_t *ip = pkt + 14, *th = ip + 20;
	uint32_t src = net | (rnd() & ~mask);
	uint32_t sum;

	memcpy(pkt, dmac, 6);
	memcpy(pkt + 6, smac, 6);
	put16(pkt + 12, ETHERTYPE_IP);
	memset(ip, 0, 40);
	ip[0] = 0x45;
	put16(ip + 2, 40);
	put16(ip + 4, rnd() & 0xffff);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(th, 1024 + rnd() % 64512);
	put16(th + 2, port);
	put32(th + 4, rnd());
	if (flood_flags & 0x10)
		put32(th + 8, rnd());
	th[12] = 5 << 4;
	th[13] = flood_flags;
	put16(th + 14, 64240);
	/* pseudo header: addresses, protocol, TCP length */
	sum = sum16(ip + 12, 8, IPPROTO_TCP + 20);
	put16(th + 16, fold(sum16(th, 20, sum)));
}

/* One SYN (or ACK) over IPv6 from a random source in net/len to
 * dst:port.
 */
static void make_syn6(uint8_t *pkt, const uint8_t *dmac, const uint8_t *smac,
		      const uint8_t *net, unsigned int len, const uint8_t *dst,
		      uint16_t port)
{
	uint8_t *ip = pkt + 14, *th = ip + 40;
	unsigned int i;
	uint32_t sum;

	memcpy(pkt, dmac, 6);
	memcpy(pkt + 6, smac, 6);
	put16(pkt + 12, ETHERTYPE_IPV6);
	memset(ip, 0, 60);
	ip[0] = 0x60;
	put16(ip + 4, 20);
	ip[6] = IPPROTO_TCP;
	ip[7] = 64;
	for (i = 0; i < 16; i += 4)
		put32(ip + 8 + i, rnd());
	/* the prefix's bits, then random ones */
	for (i = 0; i < 16; i++) {
		unsigned int keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
		uint8_t m = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		ip[8 + i] = (net[i] & m) | (ip[8 + i] & ~m);
	}
	memcpy(ip + 24, dst, 16);
	put16(th, 1024 + rnd() % 64512);
	put16(th + 2, port);
	put32(th + 4, rnd());
	if (flood_flags & 0x10)
		put32(th + 8, rnd());
	th[12] = 5 << 4;
	th[13] = flood_flags;
	put16(th + 14, 64240);
	/* pseudo header: addresses, TCP length, next header */
	sum = sum16(ip + 8, 32, IPPROTO_TCP + 20);
	put16(th + 16, fold(sum16(th, 20, sum)));
}

static int cmd_syn(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	static uint8_t pkts[BATCH][PKT6_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint32_t net, mask, dst;
	uint8_t net6[16], dst6[16];
	unsigned int len, i;
	int v6 = 0;
	uint8_t dmac[6], smac[6];
	uint64_t t0, end, sent = 0, pps = 0, now;
	double secs;
	struct ifreq ifr;
	char *slash;
	int s, n;

	if (argc < 8)
		return 2;
	if (sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1],
		   &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6) {
		fprintf(stderr, "bad MAC %s\n", argv[3]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[4], &dst) != 1) {
		if (inet_pton(AF_INET6, argv[4], dst6) != 1) {
			fprintf(stderr, "bad address %s\n", argv[4]);
			return 2;
		}
		v6 = 1;
	}
	dst = ntohl(dst);
	slash = strchr(argv[6], '/');
	if (!slash)
		return 2;
	*slash = 0;
	len = atoi(slash + 1);
	if (v6) {
		if (inet_pton(AF_INET6, argv[6], net6) != 1 || !len || len > 128) {
			fprintf(stderr, "bad prefix %s/%s\n", argv[6], slash + 1);
			return 2;
		}
		net = mask = 0;
	} else {
		if (inet_pton(AF_INET, argv[6], &net) != 1 || !len || len > 32) {
			fprintf(stderr, "bad prefix %s/%s\n", argv[6], slash + 1);
			return 2;
		}
		mask = len == 32 ? ~0u : ~(~0u >> len);
		net = ntohl(net) & mask;
	}
	secs = atof(argv[7]);
	if (argc > 8)
		pps = strtoull(argv[8], NULL, 0);

	s = socket(AF_PACKET, SOCK_RAW, 0);
	if (s < 0)
		die("socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(argv[2]);
	sll.sll_protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (!sll.sll_ifindex)
		die(argv[2]);
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind");

	rnd_state = now_ns() ^ (uint64_t)getpid() << 32;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = v6 ? PKT6_LEN : PKT_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_ns();
	end = t0 + (uint64_t)(secs * 1e9);
	for (now = t0; now < end; now = now_ns()) {
		unsigned int batch = BATCH;

		if (pps) {
			/* how many are due by now */
			uint64_t due = (now - t0) * pps / 1000000000ULL;

			if (due <= sent) {
				usleep(1000);
				continue;
			}
			if (due - sent < batch)
				batch = due - sent;
		}
		for (i = 0; i < batch; i++) {
			if (v6)
				make_syn6(pkts[i], dmac, smac, net6, len, dst6,
					  (uint16_t)atoi(argv[5]));
			else
				make_syn(pkts[i], dmac, smac, net, mask, dst,
					 (uint16_t)atoi(argv[5]));
		}
		n = sendmmsg(s, msgs, batch, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			die("sendmmsg");
		}
		sent += n;
	}
	now = now_ns();
	printf("sent %llu secs %.2f pps %llu\n", (unsigned long long)sent,
	       (now - t0) / 1e9,
	       (unsigned long long)(sent * 1000000000ULL / (now - t0 ?: 1)));
	return 0;
}

struct pending {
	int fd;
	uint64_t deadline;
};

static int cmd_conns(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr *sa = (struct sockaddr *)&sin;
	socklen_t salen = sizeof(sin);
	static struct pending p[MAX_PENDING];
	static struct pollfd pfd[MAX_PENDING];
	uint64_t t0, end, now, timeout = 3000, tried = 0, ok = 0, failed = 0;
	unsigned int np = 0, i;
	double rate, secs;

	if (argc < 6)
		return 2;
	if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1) {
		if (inet_pton(AF_INET6, argv[2], &sin6.sin6_addr) != 1) {
			fprintf(stderr, "bad address %s\n", argv[2]);
			return 2;
		}
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	sin.sin_port = htons(atoi(argv[3]));
	sin6.sin6_port = sin.sin_port;
	rate = atof(argv[4]);
	secs = atof(argv[5]);
	if (argc > 6)
		timeout = strtoull(argv[6], NULL, 0);
	if (rate <= 0)
		return 2;

	t0 = now_ns();
	end = t0 + (uint64_t)(secs * 1e9);
	for (;;) {
		now = now_ns();
		/* start the conns that are due by now */
		while (now < end && tried < (uint64_t)((now - t0) / 1e9 * rate) + 1 &&
		       np < MAX_PENDING) {
			int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0);

			if (fd < 0)
				die("socket");
			tried++;
			if (connect(fd, sa, salen) == 0) {
				ok++;
				close(fd);
				continue;
			}
			if (errno != EINPROGRESS) {
				failed++;
				close(fd);
				continue;
			}
			p[np].fd = fd;
			p[np].deadline = now + timeout * 1000000ULL;
			np++;
		}
		if (now >= end && !np)
			break;
		for (i = 0; i < np; i++) {
			pfd[i].fd = p[i].fd;
			pfd[i].events = POLLOUT;
			pfd[i].revents = 0;
		}
		if (poll(pfd, np, 5) < 0 && errno != EINTR)
			die("poll");
		now = now_ns();
		for (i = 0; i < np;) {
			int err = 0;
			socklen_t el = sizeof(err);

			if (pfd[i].revents) {
				getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err)
					failed++;
				else
					ok++;
			} else if (now >= p[i].deadline) {
				failed++;
			} else {
				i++;
				continue;
			}
			close(p[i].fd);
			/* last one in its place, its poll result with it */
			p[i] = p[--np];
			pfd[i] = pfd[np];
		}
	}
	printf("tried %llu ok %llu failed %llu pct %llu\n",
	       (unsigned long long)tried, (unsigned long long)ok,
	       (unsigned long long)failed,
	       (unsigned long long)(tried ? ok * 1000 / tried : 0));
	return 0;
}

static int __attribute__((noreturn)) cmd_sink(int port, int v6)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	int one = 1, s, c;

	sin.sin_port = htons(port);
	sin6.sin6_port = sin.sin_port;
	s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6 ? bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 :
		 bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	if (listen(s, 4096) < 0)
		die("listen");
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		close(c);
	}
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc > 1 && !strcmp(argv[1], "syn"))
		ret = cmd_syn(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "ack")) {
		flood_flags = 0x10;
		ret = cmd_syn(argc, argv);
	}
	else if (argc > 1 && !strcmp(argv[1], "conns"))
		ret = cmd_conns(argc, argv);
	else if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "6"))) &&
		 !strcmp(argv[1], "sink"))
		cmd_sink(atoi(argv[2]), argc == 4);
	if (ret == 2)
		fprintf(stderr,
			"usage: ldflood syn|ack IFACE DSTMAC DST PORT SRCNET/LEN SECONDS [PPS]\n"
			"       ldflood conns ADDR PORT RATE SECONDS [TIMEOUT_MS]\n"
			"       ldflood sink PORT [6]\n");
	return ret;
}
