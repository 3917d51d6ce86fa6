// SPDX-License-Identifier: GPL-2.0
/*
 * ldpkt: sends one hand-made IPv4 packet out of an interface, for the
 * selftests' malformed and crafted packets.
 *
 *   ldpkt [-v HDRLEN] [-i] [-b] IFACE DSTMAC HEX
 *
 * HEX is the IPv4 packet, header first (spaces and colons are ignored).
 * The outer IPv4 header checksum is always recomputed. -i computes the
 * ICMP checksum over the message after the IP header; -b then makes it
 * wrong. -v sends with a virtio-net header whose hdr_len covers the
 * Ethernet header and HDRLEN bytes of the packet: for a packet of a page
 * or more, the kernel puts only those in the skb's linear area and the
 * rest in page fragments, the way a tun or vhost device with a short
 * header does, so every header past HDRLEN must be pulled by whoever
 * reads it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: ldpkt [-v HDRLEN] [-i] [-b] IFACE DSTMAC HEX\n");
	exit(1);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == ':' || *s == '\n')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			usage();
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			usage();
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		usage();
	return n;
}

int main(int argc, char **argv)
{
	int opt, vnet = -1, icmp = 0, bad = 0, fd, one = 1;
	struct virtio_net_hdr vh;
	struct sockaddr_ll sll;
	uint8_t pkt[65536];
	struct iovec iov[3];
	struct ether_header eh;
	struct ifreq ifr;
	struct msghdr msg;
	unsigned int mac[6];
	size_t len, ihl;
	uint16_t c;
	int i, n = 0;

	while ((opt = getopt(argc, argv, "v:ib")) != -1) {
		switch (opt) {
		case 'v':
			vnet = atoi(optarg);
			break;
		case 'i':
			icmp = 1;
			break;
		case 'b':
			bad = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3)
		usage();
	if (sscanf(argv[optind + 1], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		usage();
	len = parse_hex(argv[optind + 2], pkt, sizeof(pkt));
	if (len < 20 || (pkt[0] >> 4) != 4)
		usage();
	ihl = (pkt[0] & 15) * 4u;
	if (ihl < 20 || ihl > len)
		usage();
	pkt[10] = pkt[11] = 0;
	c = csum(pkt, ihl);
	pkt[10] = c >> 8;
	pkt[11] = c & 0xff;
	if (icmp && len >= ihl + 4) {
		pkt[ihl + 2] = pkt[ihl + 3] = 0;
		c = csum(pkt + ihl, len - ihl);
		if (bad)
			c ^= 0x0101;
		pkt[ihl + 2] = c >> 8;
		pkt[ihl + 3] = c & 0xff;
	}

	/* raw: the virtio-net header is for SOCK_RAW only */
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
	if (fd < 0) {
		perror("ldpkt: socket");
		return 1;
	}
	if (vnet >= 0 &&
	    setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one))) {
		perror("ldpkt: PACKET_VNET_HDR");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(argv[optind]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "ldpkt: no interface %s\n", argv[optind]);
		return 1;
	}
	sll.sll_halen = 6;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[optind]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("ldpkt: SIOCGIFHWADDR");
		return 1;
	}
	for (i = 0; i < 6; i++) {
		sll.sll_addr[i] = (unsigned char)mac[i];
		eh.ether_dhost[i] = (uint8_t)mac[i];
		eh.ether_shost[i] = (uint8_t)ifr.ifr_hwaddr.sa_data[i];
	}
	eh.ether_type = htons(ETHERTYPE_IP);

	if (vnet >= 0) {
		memset(&vh, 0, sizeof(vh));
		vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
		vh.hdr_len = (uint16_t)(sizeof(eh) + vnet);
		iov[n].iov_base = &vh;
		iov[n++].iov_len = sizeof(vh);
	}
	iov[n].iov_base = &eh;
	iov[n++].iov_len = sizeof(eh);
	iov[n].iov_base = pkt;
	iov[n++].iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &sll;
	msg.msg_namelen = sizeof(sll);
	msg.msg_iov = iov;
	msg.msg_iovlen = n;
	if (sendmsg(fd, &msg, 0) < 0) {
		fprintf(stderr, "ldpkt: sendmsg: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
