// SPDX-License-Identifier: GPL-2.0
/*
 * ldfuzz-pkt: malformed IPv4 and IPv6 packets at a director, and a
 * checker of what comes out of it.
 *
 *   ldfuzz-pkt send [-6] [-s SEED] [-n PKTS] [-t SECS] [-p PORT,...]
 *                   [-f PROTO:A:APORT:B:BPORT]... IFACE DSTMAC SRC DST
 *   ldfuzz-pkt check [-4|-6] [-t SECS] IFACE
 *
 * send: PKTS packets (or SECS seconds) from SRC to DST out of IFACE to
 * DSTMAC: TCP with every flag combination, odd data offsets, options and
 * truncated headers; UDP whose length field lies; ICMP echo and errors
 * quoting the flows given with -f (the error's inner header is the flow
 * reversed, as the peer would have sent it) with valid, truncated and
 * garbled inner headers; fragments (first, middle, last, all in order or
 * reversed, overlapping, tiny, duplicated, past 64 KiB); IP headers with a
 * bad IHL, options, lying total lengths; other protocols. -f PROTO:A:
 * APORT:B:BPORT is a live flow, A the sender's side (SRC), for packets
 * inside it; -p the destination ports of new flows (default 80,7).
 * Prints the seed (the same seed sends the same packets) and per-kind
 * counts.
 *
 * IPv6 (-6, or SRC and DST IPv6 addresses; -f addresses in brackets:
 * tcp:[2001:db8::2]:4000:[2001:db8::10]:80): TCP and UDP as above, with
 * payload lengths that lie and truncated headers; extension header
 * chains (hop-by-hop, destination options, routing with and without
 * segments left, AH-shaped, atomic fragments, unknown next headers, no
 * next header, hop-by-hop where it may not be or with options a router
 * drops on, chains that run past the packet, chains of up to 64
 * headers); fragments (first, middle, last, in order or reversed,
 * overlapping, tiny, duplicated, atomic, past 64 KiB, of a length not a
 * multiple of 8, with extension headers before and after the fragment
 * header); ICMPv6 errors (Destination Unreachable, Packet Too Big, Time
 * Exceeded, Parameter Problem, unknown ones) quoting the -f flows with
 * valid, truncated and garbled inner headers, inner extension headers and
 * fragments, the whole datagram or its first bytes, and bad outer
 * checksums; ICMPv6 informational messages (echo, MLD, neighbour
 * discovery, unknown); odd source addresses; other next headers.
 *
 * Each packet's TTL (IPv6: Hop Limit) says what its checksums are: 160 +
 * flags, where flag 1 = its L4 checksum is wrong on purpose, 2 = a UDP
 * checksum of 0, 4 = its L4 checksum cannot be checked (a length that
 * lies; IPv6: or a routing header with segments left), 8 = the header an
 * ICMP error quotes has a wrong checksum on purpose (IPv6: the datagram
 * an ICMPv6 error quotes is not whole and right). Other packets (TTL <
 * 150: what the stacks send) must be right in every way.
 *
 * check: reads every IPv4 and IPv6 packet (-4, -6: one family) that
 * arrives on IFACE (a packet socket: what the director forwarded, before
 * the local stack looks at it) until SIGTERM or SECS and checks: the IP
 * header checksum always; the TCP, UDP and ICMP (ICMPv6: with the
 * pseudo-header) checksum unless the TTL says it cannot be checked (flag
 * 1: it must still be wrong, nothing may have made a corrupt packet look
 * whole; flag 2: it must still be 0); an ICMP error's inner IP header
 * checksum where the whole header is quoted, an ICMPv6 error's inner TCP
 * or UDP checksum where the whole datagram is. IPv6 extension headers
 * are walked to the upper layer. Fragments are reassembled first (the
 * director refragments what it reassembled). A packet whose checksum is
 * left for the device (CHECKSUM_PARTIAL, from a local stack) must carry
 * the pseudo-header sum of its current addresses. Prints the counts per
 * family and every wrong packet (the first 20); exits 1 if any.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TTL_BASE	160
#define F_BAD		1
#define F_ZERO		2
#define F_NOCHECK	4
#define F_INNER_BAD	8
#define F_MARKED	256	/* the checker's: IPv6, marked */

/* ---- the random source: xorshift64* ------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int one_in(uint32_t n)
{
	return rnd(n) == 0;
}

static void fill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd64();
}

/* ---- checksums --------------------------------------------------------- */

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
	return (uint16_t)sum;
}

static uint32_t pseudo(const uint8_t *saddr, const uint8_t *daddr,
		       uint8_t proto, size_t len)
{
	uint32_t s = 0;

	s = sum16(saddr, 4, s);
	s = sum16(daddr, 4, s);
	s += proto;
	s += (uint32_t)len;
	return s;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- send -------------------------------------------------------------- */

struct flow {
	uint8_t proto;
	uint8_t a[16], b[16];	/* IPv4: the first 4 bytes */
	uint16_t ap, bp;
};

static struct flow flows[16];
static int nflows;
static uint16_t ports[16] = { 80, 7 };
static int nports = 2;
static uint8_t src[16], dst[16];
static int v6;			/* sending IPv6 */

static int fd_tx, ifindex;
static uint8_t smac[6], dmac[6];
static unsigned long kinds[16], sent;

static const char *const kind_names[] = {
	"tcp", "udp", "icmp-error", "icmp-echo", "fragments", "bad-ip",
	"other-proto", "in-flow", "ext-headers",
};

/* K_EXT: IPv6 only (K_ECHO: every informational ICMPv6 message there) */
enum { K_TCP, K_UDP, K_ICMPERR, K_ECHO, K_FRAG, K_BADIP, K_OTHER, K_FLOW,
	K_EXT, K_N };

static void xmit(const uint8_t *pkt, size_t len)
{
	uint8_t frame[ETH_HLEN + 65536];
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	memcpy(sll.sll_addr, dmac, 6);
	memcpy(frame, dmac, 6);
	memcpy(frame + 6, smac, 6);
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	memcpy(frame + ETH_HLEN, pkt, len);
	/* the kernel pads a short frame */
	if (sendto(fd_tx, frame, ETH_HLEN + len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) < 0 && errno != ENOBUFS && errno != EMSGSIZE &&
	    errno != EINVAL) {
		perror("ldfuzz-pkt: sendto");
		exit(2);
	}
	sent++;
}

/* an IPv4 header at @p with @optlen bytes of options (random, mostly
 * valid); returns its length
 */
static size_t ip_header(uint8_t *p, uint8_t proto, const uint8_t *s,
			const uint8_t *d, size_t optlen, int ttlflags)
{
	size_t ihl = 20 + optlen, i;

	memset(p, 0, 20);
	p[0] = (uint8_t)(0x40 | ihl / 4);
	p[1] = one_in(8) ? (uint8_t)rnd(256) : 0;
	put16(p + 4, (uint16_t)rnd(65536));
	if (one_in(3))
		p[6] = 0x40;	/* DF */
	p[8] = (uint8_t)(TTL_BASE + ttlflags);
	p[9] = proto;
	memcpy(p + 12, s, 4);
	memcpy(p + 16, d, 4);
	/* options: NOP, EOL, RA, a timestamp or record-route of some
	 * length, or garbage
	 */
	for (i = 20; i < ihl;) {
		size_t left = ihl - i, l;

		switch (rnd(6)) {
		case 0: p[i++] = 1; break;		/* NOP */
		case 1: memset(p + i, 0, left); i = ihl; break;	/* EOL */
		case 2:
			if (left < 4) { p[i++] = 1; break; }
			p[i] = 148; p[i + 1] = 4; p[i + 2] = 0; p[i + 3] = 0;
			i += 4;
			break;
		case 3:		/* RR / TS with pointer and length */
			if (left < 4) { p[i++] = 1; break; }
			l = 4 + 4 * rnd((uint32_t)(left - 4) / 4 + 1);
			p[i] = one_in(2) ? 7 : 68;
			p[i + 1] = (uint8_t)(one_in(6) ? rnd(256) : l);
			p[i + 2] = (uint8_t)(one_in(6) ? rnd(256) : 5);
			memset(p + i + 3, 0, l - 3);
			i += l;
			break;
		default:	/* garbage */
			fill(p + i, left);
			i = ihl;
			break;
		}
	}
	return ihl;
}

static void ip_finish(uint8_t *p, size_t totlen)
{
	size_t ihl = (p[0] & 15) * 4u;

	put16(p + 2, (uint16_t)totlen);
	p[10] = p[11] = 0;
	put16(p + 10, (uint16_t)~fold(sum16(p, ihl, 0)));
}

/* sets the L4 checksum of the (whole) datagram @l4 of @len bytes per
 * @flags (F_BAD: wrong, F_ZERO: 0); @off: where the field is
 */
static void l4_csum(uint8_t *l4, size_t len, size_t off, uint8_t proto,
		    const uint8_t *s, const uint8_t *d, int flags)
{
	uint16_t c;

	if (off + 2 > len)
		return;
	l4[off] = l4[off + 1] = 0;
	if (proto == 1)		/* ICMP: no pseudo header */
		c = (uint16_t)~fold(sum16(l4, len, 0));
	else
		c = (uint16_t)~fold(sum16(l4, len, pseudo(s, d, proto, len)));
	if (proto == 17 && c == 0)
		c = 0xffff;
	if (flags & F_BAD) {
		c ^= (uint16_t)(1 + rnd(0xfffe));
		if (proto == 17 && c == 0)
			c = 1;
	}
	if (flags & F_ZERO)
		c = 0;
	put16(l4 + off, c);
}

/* the checksum flags of a packet: mostly right */
static int pick_flags(uint8_t proto)
{
	int x = rnd(100);

	if (x < 8)
		return F_BAD;
	if (x < 16 && proto == 17)
		return F_ZERO;
	return 0;
}

static const uint8_t tcp_flag_sets[] = {
	0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x18, 0x29, 0x00, 0x03, 0x06,
	0x3f, 0xff, 0x01, 0x07, 0xc2,
};

/* a TCP segment at @l4 (ports given); returns its length; sets *nocheck
 * when the checksum field is not there
 */
static size_t tcp_segment(uint8_t *l4, uint16_t sp, uint16_t dp, int *nocheck)
{
	size_t optlen = one_in(3) ? 4 * rnd(11) : 0, plen = one_in(2) ? rnd(300) : 0;
	size_t len = 20 + optlen + plen, i;

	put16(l4, sp);
	put16(l4 + 2, dp);
	fill(l4 + 4, 8);		/* seq, ack */
	l4[12] = (uint8_t)((5 + optlen / 4) << 4);
	if (one_in(10))
		l4[12] = (uint8_t)(rnd(16) << 4 | rnd(16));
	l4[13] = one_in(3) ? (uint8_t)rnd(256) : tcp_flag_sets[rnd(sizeof(tcp_flag_sets))];
	put16(l4 + 14, (uint16_t)rnd(65536));
	l4[16] = l4[17] = 0;
	put16(l4 + 18, one_in(4) ? (uint16_t)rnd(65536) : 0);
	/* options: MSS, WS, SACK-perm, TS, NOP, EOL, or lengths that lie */
	for (i = 20; i < 20 + optlen;) {
		size_t left = 20 + optlen - i;

		switch (rnd(6)) {
		case 0:
			if (left < 4) { l4[i++] = 1; break; }
			l4[i] = 2; l4[i + 1] = 4; put16(l4 + i + 2, (uint16_t)rnd(65536));
			i += 4;
			break;
		case 1:
			if (left < 3) { l4[i++] = 1; break; }
			l4[i] = 3; l4[i + 1] = 3; l4[i + 2] = (uint8_t)rnd(20);
			i += 3;
			break;
		case 2:
			if (left < 10) { l4[i++] = 1; break; }
			l4[i] = 8; l4[i + 1] = 10; fill(l4 + i + 2, 8);
			i += 10;
			break;
		case 3: l4[i++] = 1; break;
		case 4: l4[i++] = 0; break;
		default:
			l4[i] = (uint8_t)rnd(256);
			if (left > 1)
				l4[i + 1] = (uint8_t)rnd(256);
			i += left > 1 ? 2 : 1;
			break;
		}
	}
	fill(l4 + 20 + optlen, plen);
	*nocheck = 0;
	if (one_in(10)) {		/* a truncated header */
		len = rnd(20);
		if (len < 18)
			*nocheck = 1;
	}
	return len;
}

static size_t udp_datagram(uint8_t *l4, uint16_t sp, uint16_t dp, int *nocheck)
{
	size_t plen = rnd(300), len = 8 + plen;

	put16(l4, sp);
	put16(l4 + 2, dp);
	put16(l4 + 4, (uint16_t)len);
	fill(l4 + 8, plen);
	*nocheck = 0;
	if (one_in(8)) {		/* the length field lies */
		switch (rnd(3)) {
		case 0: put16(l4 + 4, (uint16_t)rnd(8)); break;
		case 1: put16(l4 + 4, (uint16_t)(len + 1 + rnd(100))); break;
		default: put16(l4 + 4, (uint16_t)(len - 1 - rnd((uint32_t)len))); break;
		}
		*nocheck = 1;
	}
	if (one_in(12)) {		/* a truncated header */
		len = rnd(8);
		*nocheck = 1;
	}
	return len;
}

static uint16_t new_sport(void)
{
	return (uint16_t)(1024 + rnd(64511));
}

static uint16_t new_dport(void)
{
	return one_in(10) ? (uint16_t)rnd(65536) : ports[rnd(nports)];
}

/* one TCP/UDP packet, in a flow or a new one; returns its length */
static size_t l4_packet(uint8_t *pkt, uint8_t proto, const struct flow *f,
			int badip)
{
	size_t optlen = one_in(10) ? 4 * (1 + rnd(10)) : 0, ihl, len;
	int nocheck, flags = pick_flags(proto);
	uint16_t sp = f ? f->ap : new_sport(), dp = f ? f->bp : new_dport();
	uint8_t *l4;

	ihl = 20 + optlen;
	l4 = pkt + ihl;
	if (proto == 6)
		len = tcp_segment(l4, sp, dp, &nocheck);
	else
		len = udp_datagram(l4, sp, dp, &nocheck);
	if (nocheck)
		flags = F_NOCHECK;
	if (!nocheck)
		l4_csum(l4, len, proto == 6 ? 16 : 6, proto, src, dst, flags);
	ip_header(pkt, proto, src, dst, optlen, flags);
	ip_finish(pkt, ihl + len);
	if (badip) {
		/* where the L4 header is, or how long it is, is a lie now */
		pkt[8] = TTL_BASE + F_NOCHECK;
		switch (rnd(7)) {
		case 0: pkt[0] = (uint8_t)(0x40 | rnd(5)); break;	/* IHL < 5 */
		case 1: pkt[0] = (uint8_t)(0x40 | (6 + rnd(10))); break;
		case 2: put16(pkt + 2, (uint16_t)(ihl + len + 1 + rnd(100))); break;
		case 3: put16(pkt + 2, (uint16_t)rnd((uint32_t)(ihl + 1))); break;
		case 4:		/* trailing bytes past the total length */
			fill(pkt + ihl + len, 1 + rnd(40));
			ip_finish(pkt, ihl + len);
			len += 1 + rnd(40);
			break;
		case 5: pkt[0] = (uint8_t)(rnd(16) << 4 | 5); break;
		default: pkt[8] = (uint8_t)rnd(2); break;	/* TTL 0, 1 */
		}
		/* the IP checksum of what is now there, but for one in 3 */
		if (!one_in(3)) {
			size_t h = (pkt[0] & 15) * 4u;

			if (h >= 20 && h <= ihl + len) {
				pkt[10] = pkt[11] = 0;
				put16(pkt + 10, (uint16_t)~fold(sum16(pkt, h, 0)));
			}
		}
	}
	return ihl + len;
}

/* an ICMP error quoting a flow (reversed: what the peer sent us) or
 * random headers; returns the packet's length
 */
static size_t icmp_error(uint8_t *pkt)
{
	static const uint8_t tc[][2] = {
		{ 3, 0 }, { 3, 1 }, { 3, 3 }, { 3, 4 }, { 3, 13 }, { 11, 0 },
		{ 11, 1 }, { 12, 0 }, { 4, 0 }, { 5, 1 }, { 3, 99 }, { 42, 0 },
	};
	const struct flow *f = nflows && !one_in(5) ? &flows[rnd(nflows)] : NULL;
	int flags = one_in(12) ? F_BAD : 0, which = rnd(sizeof(tc) / 2);
	size_t ihl = 20, len, ilen, iihl = 20;
	uint8_t *ic = pkt + ihl, *in = ic + 8, iproto;
	int variant = rnd(10);

	ic[0] = tc[which][0];
	ic[1] = tc[which][1];
	memset(ic + 4, 0, 4);
	if (ic[0] == 3 && ic[1] == 4)
		put16(ic + 6, (uint16_t)(one_in(2) ? 576 : rnd(65536)));	/* frag needed */
	/* the inner header: the flow reversed, as the peer sent it */
	iproto = f ? f->proto : (one_in(2) ? 6 : 17);
	if (variant == 0)
		iihl = 24 + 4 * rnd(4);		/* with options */
	memset(in, 0, iihl);
	in[0] = (uint8_t)(0x40 | iihl / 4);
	put16(in + 4, (uint16_t)rnd(65536));
	in[8] = (uint8_t)(1 + rnd(64));
	in[9] = iproto;
	if (f) {
		memcpy(in + 12, f->b, 4);
		memcpy(in + 16, f->a, 4);
	} else {
		memcpy(in + 12, dst, 4);
		memcpy(in + 16, src, 4);
	}
	if (iihl > 20)
		memset(in + 20, 1, iihl - 20);	/* NOPs */
	/* 8 bytes of the inner L4 header, or more, or fewer */
	ilen = 8;
	put16(in + iihl, f ? f->bp : new_dport());
	put16(in + iihl + 2, f ? f->ap : new_sport());
	fill(in + iihl + 4, 4);
	if (iproto == 17)
		put16(in + iihl + 4, (uint16_t)(8 + rnd(100)));
	if (variant == 1)
		ilen = 8 + rnd(200);		/* more of the datagram */
	if (variant == 1)
		fill(in + iihl + 8, ilen - 8);
	put16(in + 2, (uint16_t)(iihl + ilen + (one_in(2) ? rnd(500) : 0)));
	if (variant == 2)
		in[6] = 0x20;			/* the quoted packet: a fragment */
	if (variant == 3)
		put16(in + 6, (uint16_t)(1 + rnd(100)));	/* a later fragment */
	if (variant == 4)
		in[9] = (uint8_t)rnd(256);	/* another protocol */
	if (variant == 5 && one_in(2))
		in[9] = 1;			/* an error about an ICMP error */
	in[10] = in[11] = 0;
	put16(in + 10, (uint16_t)~fold(sum16(in, iihl, 0)));
	if (variant == 6) {			/* the inner checksum wrong */
		in[10] ^= 0x5a;
		flags |= F_INNER_BAD;
	}
	len = 8 + iihl + ilen;
	if (variant == 7)			/* inner L4 truncated */
		len = 8 + iihl + rnd(8);
	if (variant == 8) {			/* inner IP truncated */
		len = 8 + rnd((uint32_t)iihl);
		flags |= F_INNER_BAD;
	}
	if (variant == 9 && one_in(2))		/* inner IHL that lies */
		in[0] = (uint8_t)(0x40 | rnd(16));
	if (variant == 9)
		flags |= F_INNER_BAD;
	l4_csum(ic, len, 2, 1, NULL, NULL, flags & F_BAD);
	ip_header(pkt, 1, src, dst, 0, flags);
	ip_finish(pkt, ihl + len);
	return ihl + len;
}

static size_t icmp_echo(uint8_t *pkt)
{
	size_t ihl = 20, len = 8 + rnd(200);
	uint8_t *ic = pkt + ihl;
	int flags = one_in(10) ? F_BAD : 0;

	ic[0] = one_in(4) ? 0 : 8;
	ic[1] = one_in(8) ? (uint8_t)rnd(256) : 0;
	fill(ic + 4, len - 4);
	l4_csum(ic, len, 2, 1, NULL, NULL, flags);
	ip_header(pkt, 1, src, dst, 0, flags);
	ip_finish(pkt, ihl + len);
	return ihl + len;
}

static size_t other_proto(uint8_t *pkt)
{
	static const uint8_t protos[] = { 0, 2, 4, 41, 47, 50, 132, 136, 253, 255 };
	size_t len = rnd(200);

	ip_header(pkt, protos[rnd(sizeof(protos))], src, dst, 0, F_NOCHECK);
	fill(pkt + 20, len);
	ip_finish(pkt, 20 + len);
	return 20 + len;
}

/* sends one fragment of the datagram @d (header @hdr of @ihl bytes, L4
 * @l4 of @l4len bytes): bytes [off, off + n), more fragments after it or
 * not
 */
static void frag_send(const uint8_t *hdr, size_t ihl, const uint8_t *l4,
		      size_t off, size_t n, int mf)
{
	uint8_t p[2048];
	uint16_t fo = (uint16_t)((off / 8) & 0x1fff);

	memcpy(p, hdr, ihl);
	memcpy(p + ihl, l4 + off, n);
	p[6] = (uint8_t)((mf ? 0x20 : 0) | fo >> 8);
	p[7] = (uint8_t)fo;
	ip_finish(p, ihl + n);
	xmit(p, ihl + n);
}

static uint16_t frag_id;

static void fragments(void)
{
	uint8_t hdr[60], l4[1500];
	uint8_t proto = one_in(2) ? 6 : 17;
	const struct flow *f = NULL;
	size_t len, fs, off, n, ihl;
	int nocheck, flags, i, nf, pattern = rnd(10);
	uint16_t sp, dp;

	if (nflows && one_in(2)) {
		f = &flows[rnd(nflows)];
		proto = f->proto;
	}
	sp = f ? f->ap : new_sport();
	dp = f ? f->bp : new_dport();
	do {
		len = proto == 6 ? tcp_segment(l4, sp, dp, &nocheck) :
				   udp_datagram(l4, sp, dp, &nocheck);
	} while (len < 24 || nocheck);
	flags = pick_flags(proto);
	l4_csum(l4, len, proto == 6 ? 16 : 6, proto, src, dst, flags);
	ihl = ip_header(hdr, proto, src, dst, 0, flags);
	/* one ID for all, none reused soon: datagrams must not mix */
	put16(hdr + 4, frag_id++);
	hdr[6] = 0;
	fs = 8 * (1 + rnd((uint32_t)(len / 8)));	/* fragment size */
	if (pattern == 5)
		fs = 8;				/* tiny: the L4 header split */
	nf = (int)((len + fs - 1) / fs);
	switch (pattern) {
	case 0: case 5:				/* all, in order */
		for (off = 0; off < len; off += fs)
			frag_send(hdr, ihl, l4, off, off + fs < len ? fs : len - off,
				  off + fs < len);
		break;
	case 1:					/* all, reversed */
		for (i = nf - 1; i >= 0; i--) {
			off = (size_t)i * fs;
			frag_send(hdr, ihl, l4, off, off + fs < len ? fs : len - off,
				  off + fs < len);
		}
		break;
	case 2:					/* the first only */
		frag_send(hdr, ihl, l4, 0, fs < len ? fs : len - 8, 1);
		break;
	case 3:					/* the last, or a middle one */
		off = fs * rnd((uint32_t)nf);
		if (!off)
			off = 8;
		n = off < len ? (off + fs < len ? fs : len - off) : 8;
		frag_send(hdr, ihl, l4, off < len ? off : 0, n, one_in(2));
		break;
	case 4:					/* overlapping */
		n = fs < len ? fs : len - 8;
		frag_send(hdr, ihl, l4, 0, n, 1);
		off = n >= 16 ? n - 8 : 8;
		frag_send(hdr, ihl, l4, off, len - off, 0);
		break;
	case 6:					/* a fragment twice */
		for (off = 0; off < len; off += fs) {
			n = off + fs < len ? fs : len - off;
			frag_send(hdr, ihl, l4, off, n, off + fs < len);
			if (!off)
				frag_send(hdr, ihl, l4, off, n, off + fs < len);
		}
		break;
	case 7: {				/* past 64 KiB */
		uint8_t p[64];

		memcpy(p, hdr, ihl);
		memcpy(p + ihl, l4, 8);
		p[6] = 0x1f;
		p[7] = 0xff;
		ip_finish(p, ihl + 8);
		xmit(p, ihl + 8);
		break;
	}
	case 8:					/* empty, with MF */
		frag_send(hdr, ihl, l4, 0, 0, 1);
		frag_send(hdr, ihl, l4, 0, len, 0);
		break;
	default:				/* MF on the last as well */
		for (off = 0; off < len; off += fs)
			frag_send(hdr, ihl, l4, off, off + fs < len ? fs : len - off, 1);
		break;
	}
}

/* ---- send: IPv6 -------------------------------------------------------- */

/* The Hop Limit says what the checksums are, as the TTL does for IPv4.
 * Extension headers: 0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60
 * destination options; 59 no next header.
 */
#define IP6H	40u

static int ext6(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

/* the length of the extension header at @p of type @nh */
static size_t ext6_len(uint8_t nh, const uint8_t *p)
{
	if (nh == 44)
		return 8;
	if (nh == 51)
		return (p[1] + 2u) * 4;
	return (p[1] + 1u) * 8;
}

static uint32_t pseudo6(const uint8_t *saddr, const uint8_t *daddr,
			uint8_t proto, size_t len)
{
	uint32_t s = 0;

	s = sum16(saddr, 16, s);
	s = sum16(daddr, 16, s);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	s += proto;
	return s;
}

static void ip6_header(uint8_t *p, uint8_t nh, const uint8_t *s,
		       const uint8_t *d, int hlflags)
{
	memset(p, 0, IP6H);
	p[0] = 0x60;
	if (one_in(8)) {		/* a traffic class and flow label */
		p[0] |= (uint8_t)rnd(16);
		fill(p + 1, 3);
	}
	p[6] = nh;
	p[7] = (uint8_t)(TTL_BASE + hlflags);
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
}

static void ip6_finish(uint8_t *p, size_t totlen)
{
	put16(p + 4, (uint16_t)(totlen - IP6H));
}

/* the checksum at @off of the upper-layer message @l4 of @len bytes
 * (TCP, UDP, ICMPv6: all with the pseudo-header) per @flags
 */
static void l4_csum6(uint8_t *l4, size_t len, size_t off, uint8_t proto,
		     const uint8_t *s, const uint8_t *d, int flags)
{
	uint16_t c;

	if (off + 2 > len)
		return;
	l4[off] = l4[off + 1] = 0;
	c = (uint16_t)~fold(sum16(l4, len, pseudo6(s, d, proto, len)));
	if (proto == 17 && c == 0)
		c = 0xffff;
	if (flags & F_BAD) {
		c ^= (uint16_t)(1 + rnd(0xfffe));
		if (proto == 17 && c == 0)
			c = 1;
	}
	if (flags & F_ZERO)
		c = 0;
	put16(l4 + off, c);
}

static size_t csum_off(uint8_t proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : 2;
}

/* Hop-by-hop or destination options filling @n bytes at @p: options a
 * router skips (RFC 3692's experiment types, router alert, padding of
 * at most 7 bytes in a row, PadN of zeros), or with @bad one it drops on:
 * "discard" action bits, PadN that is not zeros, padding too long, an
 * option past the header, a jumbo payload option, too many options.
 */
static void tlv_fill(uint8_t *p, size_t n, int hbh, int bad)
{
	size_t i = 0, l;

	while (n - i >= 8) {
		l = rnd((uint32_t)(n - i - 2 < 12 ? n - i - 2 : 12) + 1);
		if (n - i - 2 - l == 1)
			l++;			/* no single byte left */
		p[i] = one_in(2) ? 0x1e : 0x3e;
		if (hbh && one_in(4) && l >= 2) {
			p[i] = 5;		/* router alert */
			l = 2;
		}
		p[i + 1] = (uint8_t)l;
		fill(p + i + 2, l);
		i += 2 + l;
	}
	if (n - i == 1)
		p[i++] = 0;			/* Pad1 */
	else if (n - i >= 2) {
		p[i] = 1;			/* PadN */
		p[i + 1] = (uint8_t)(n - i - 2);
		memset(p + i + 2, 0, n - i - 2);
		i = n;
	}
	if (!bad || n < 8)
		return;
	switch (rnd(6)) {
	case 0:				/* skip, discard, discard + ICMP */
		p[0] = (uint8_t)(0x1e | (1 + rnd(3)) << 6);
		p[1] = (uint8_t)(n - 2);
		break;
	case 1:				/* PadN with data */
		p[0] = 1;
		p[1] = 4;
		fill(p + 2, 4);
		p[2] |= 1;
		break;
	case 2:				/* padding, 8 bytes in a row */
		memset(p, 0, 8);
		break;
	case 3:				/* an option past the header */
		p[0] = 0x1e;
		p[1] = (uint8_t)(n - 1 + rnd(200));
		break;
	case 4:				/* jumbo payload */
		p[0] = 0xc2;
		p[1] = 4;
		put16(p + 2, (uint16_t)rnd(2));
		put16(p + 4, (uint16_t)rnd(65536));
		break;
	default:			/* too many options */
		for (i = 0; i + 2 <= n; i += 2) {
			p[i] = 0x1e;
			p[i + 1] = 0;
		}
		break;
	}
}

/* Writes the extension header @type at @p, whose next header is @nh;
 * returns its length. *@nocheck: the L4 checksum cannot be checked (a
 * routing header with segments left: the pseudo-header has its last
 * address). @bad: hop-by-hop options a router drops the packet on.
 */
static size_t ext6_one(uint8_t *p, uint8_t type, uint8_t nh, int bad,
		       int *nocheck)
{
	size_t len, i, naddr;

	switch (type) {
	case 0:
	case 60:
		len = 8 * (1 + rnd(4));
		p[0] = nh;
		p[1] = (uint8_t)(len / 8 - 1);
		tlv_fill(p + 2, len - 2, type == 0, bad);
		return len;
	case 43: {
		static const uint8_t rtypes[] = { 0, 2, 3, 4, 253 };

		naddr = rnd(3);
		len = 8 + 16 * naddr;
		p[0] = nh;
		p[1] = (uint8_t)(2 * naddr);
		p[2] = one_in(8) ? (uint8_t)rnd(256) : rtypes[rnd(sizeof(rtypes))];
		p[3] = 0;
		fill(p + 4, 4);
		for (i = 0; i < naddr; i++) {
			uint8_t *a = p + 8 + 16 * i;

			memset(a, 0, 16);
			a[0] = 0x20;
			a[1] = 0x01;
			a[2] = 0x0d;
			a[3] = 0xb8;
			a[5] = 0x63;
			a[15] = (uint8_t)rnd(256);
		}
		if (*nocheck == 2) {	/* asked for segments left */
			p[3] = (uint8_t)(1 + rnd(naddr ? (uint32_t)naddr : 3));
			*nocheck = 1;
		}
		return len;
	}
	case 44:			/* an atomic fragment */
		p[0] = nh;
		p[1] = 0;
		p[2] = 0;
		p[3] = one_in(4) ? (uint8_t)(rnd(2) << 1) : 0;	/* reserved */
		fill(p + 4, 4);
		return 8;
	case 51:			/* AH-shaped: SPI, sequence, ICV */
		len = 4 * (2 + 2 * (1 + rnd(3)) - (one_in(6) ? 1 : 0));
		p[0] = nh;
		p[1] = (uint8_t)(len / 4 - 2);
		p[2] = p[3] = 0;
		fill(p + 4, len - 4);
		return len;
	default:
		return 0;
	}
}

/* writes the chain @types[@n] at @p, the last one's next header @last;
 * returns its length. @rh_segs: the routing header has segments left.
 */
static size_t ext6_chain(uint8_t *p, const uint8_t *types, int n, uint8_t last,
			 int bad_hbh, int rh_segs, int *nocheck)
{
	size_t off = 0;
	int i, nc;

	for (i = 0; i < n; i++) {
		nc = types[i] == 43 && rh_segs ? 2 : 0;
		off += ext6_one(p + off, types[i], i + 1 < n ? types[i + 1] : last,
				bad_hbh && types[i] == 0, &nc);
		if (nc == 1)
			*nocheck = 1;
	}
	return off;
}

/* a chain that the kernel walks and a router forwards: hop-by-hop first
 * or not at all, then destination options, routing (no segments left),
 * AH, an atomic fragment now and then; returns the count
 */
static int ext6_pick(uint8_t *types, int max)
{
	static const uint8_t later[] = { 60, 60, 43, 51, 44 };
	int n = 0, want = 1 + (int)rnd((uint32_t)max);

	if (one_in(2))
		types[n++] = 0;
	while (n < want)
		types[n++] = later[rnd(sizeof(later) - (one_in(3) ? 0 : 1))];
	return n;
}

/* the upper-layer part of a packet: TCP, UDP or an ICMPv6 echo at @l4,
 * from @s to @d, with its checksum per *@flags (set here); returns its
 * length
 */
static size_t l4_build6(uint8_t *l4, uint8_t proto, const struct flow *f,
			const uint8_t *s, const uint8_t *d, int *flags)
{
	uint16_t sp = f ? f->ap : new_sport(), dp = f ? f->bp : new_dport();
	int nocheck = 0;
	size_t len;

	*flags = pick_flags(proto);
	if (proto == 6) {
		len = tcp_segment(l4, sp, dp, &nocheck);
	} else if (proto == 17) {
		len = udp_datagram(l4, sp, dp, &nocheck);
	} else {
		len = 8 + rnd(100);
		l4[0] = one_in(2) ? 128 : 129;
		l4[1] = 0;
		fill(l4 + 4, len - 4);
	}
	if (nocheck)
		*flags = F_NOCHECK;
	else
		l4_csum6(l4, len, csum_off(proto), proto, s, d, *flags);
	return len;
}

/* one TCP/UDP packet, in a flow or a new one, with extension headers or
 * not; returns its length
 */
static size_t l4_packet6(uint8_t *pkt, uint8_t proto, const struct flow *f,
			 int with_ext)
{
	uint8_t types[8], l4[1500], first = proto;
	size_t elen = 0, len;
	int n = 0, flags, nocheck = 0;

	len = l4_build6(l4, proto, f, src, dst, &flags);
	if (with_ext) {
		n = ext6_pick(types, 4);
		first = types[0];
	}
	elen = ext6_chain(pkt + IP6H, types, n, proto, 0, 0, &nocheck);
	memcpy(pkt + IP6H + elen, l4, len);
	ip6_header(pkt, first, src, dst, flags);
	ip6_finish(pkt, IP6H + elen + len);
	return IP6H + elen + len;
}

/* extension header chains: valid ones, very long ones, routing headers
 * with segments left, ending in no next header or an unknown one,
 * running past the packet, hop-by-hop where it may not be or with
 * options a router drops on, AH, atomic fragments
 */
static size_t ext_packet6(uint8_t *pkt)
{
	static const uint8_t unknown[] = { 253, 254, 143, 139, 140, 135, 142,
					   41, 4, 47, 50, 99 };
	const struct flow *f = nflows && one_in(3) ? &flows[rnd(nflows)] : NULL;
	uint8_t types[64], l4[1500], proto, last;
	int n, flags, nocheck = 0, mode = rnd(10), rh = 0, bad = 0, i;
	size_t elen, len, tot;

	proto = f ? f->proto : one_in(6) ? 58 : one_in(2) ? 6 : 17;
	len = l4_build6(l4, proto, f, src, dst, &flags);
	last = proto;
	n = ext6_pick(types, 4);
	switch (mode) {
	case 1:				/* very long */
		n = 16 + (int)rnd(48);
		for (i = 0; i < n; i++)
			types[i] = one_in(8) ? 43 : 60;
		types[0] = one_in(2) ? 0 : 60;
		break;
	case 2:				/* a routing header with segments left */
		types[n++] = 43;
		rh = 1;
		break;
	case 3:				/* no next header, bytes after it */
		last = 59;
		len = rnd(64);
		fill(l4, len);
		flags = F_NOCHECK;
		break;
	case 4:				/* an upper layer nobody knows */
		last = unknown[rnd(sizeof(unknown))];
		len = rnd(100);
		fill(l4, len);
		flags = F_NOCHECK;
		break;
	case 5:				/* hop-by-hop not first */
		types[0] = 60;
		types[n++] = 0;
		break;
	case 6:				/* hop-by-hop options a router drops on */
		types[0] = 0;
		bad = 1;
		break;
	case 7:				/* AH alone, or AH and options */
		n = 1;
		types[0] = 51;
		if (one_in(2))
			types[n++] = 60;
		break;
	case 8:				/* an atomic fragment in the chain */
		types[n++] = 44;
		break;
	default:
		break;
	}
	elen = ext6_chain(pkt + IP6H, types, n, last, bad, rh, &nocheck);
	if (nocheck)
		flags = F_NOCHECK;
	memcpy(pkt + IP6H + elen, l4, len);
	tot = IP6H + elen + len;
	if (mode == 9) {		/* runs past the packet */
		flags = F_NOCHECK;
		if (one_in(2)) {
			tot = IP6H + rnd((uint32_t)elen);
		} else {
			/* the last header longer than what is left */
			size_t off = 0;

			for (i = 0; i + 1 < n; i++)
				off += ext6_len(types[i], pkt + IP6H + off);
			if (types[n - 1] != 44)
				pkt[IP6H + off + 1] = (uint8_t)(200 + rnd(56));
		}
	}
	ip6_header(pkt, types[0], src, dst, flags);
	ip6_finish(pkt, tot);
	return tot;
}

/* the header of an IPv6 packet made bad: version, payload lengths that
 * lie, a Hop Limit of 0 or 1, trailing bytes, odd source addresses
 */
static size_t bad_ip6(uint8_t *pkt)
{
	uint8_t proto = one_in(2) ? 6 : 17, s[16];
	size_t len, tot;
	int flags;

	memcpy(s, src, 16);
	switch (rnd(8)) {
	case 0:
		len = l4_packet6(pkt, proto, NULL, one_in(3));
		pkt[0] = (uint8_t)((pkt[0] & 15) | (one_in(2) ? 4 : rnd(16)) << 4);
		if (pkt[0] >> 4 == 6)
			pkt[0] ^= 0x80;
		pkt[7] = TTL_BASE + F_NOCHECK;
		return len;
	case 1:				/* longer than the packet */
		len = l4_packet6(pkt, proto, NULL, one_in(3));
		put16(pkt + 4, (uint16_t)(len - IP6H + 1 + rnd(100)));
		pkt[7] = TTL_BASE + F_NOCHECK;
		return len;
	case 2:				/* shorter: the L4 part cut */
		len = l4_packet6(pkt, proto, NULL, one_in(3));
		put16(pkt + 4, (uint16_t)rnd((uint32_t)(len - IP6H)));
		pkt[7] = TTL_BASE + F_NOCHECK;
		return len;
	case 3:				/* bytes past the payload: still right */
		len = l4_packet6(pkt, proto, NULL, one_in(3));
		tot = len + 1 + rnd(40);
		fill(pkt + len, tot - len);
		return tot;
	case 4:
		len = l4_packet6(pkt, proto, NULL, one_in(3));
		pkt[7] = (uint8_t)rnd(2);
		return len;
	case 5:				/* payload length 0, no jumbo option */
		len = l4_packet6(pkt, proto, NULL, 0);
		put16(pkt + 4, 0);
		pkt[7] = TTL_BASE + F_NOCHECK;
		return len;
	default: {			/* a source no one should use */
		static const uint8_t odd[][16] = {
			{ 0 },
			{ [15] = 1 },
			{ 0xff, 0x02, [15] = 1 },
			{ 0xfe, 0x80, [15] = 1 },
			{ [10] = 0xff, [11] = 0xff, 10, 0, 1, 2 },
			{ 0x20, 0x01, 0x0d, 0xb8, 0, 1, [14] = 0xff, [15] = 0xfe },
		};
		uint8_t l4[1500];

		if (one_in(3))
			memcpy(s, dst, 16);	/* the destination itself */
		else
			memcpy(s, odd[rnd(sizeof(odd) / 16)], 16);
		len = l4_build6(l4, proto, NULL, s, dst, &flags);
		memcpy(pkt + IP6H, l4, len);
		ip6_header(pkt, proto, s, dst, flags);
		ip6_finish(pkt, IP6H + len);
		return IP6H + len;
	}
	}
}

/* an ICMPv6 error quoting a flow (reversed: what the peer sent us) or
 * random headers: valid, truncated and garbled quoted headers, quoted
 * extension headers and fragments, a bad outer checksum; returns the
 * packet's length. F_INNER_BAD: the quote is not a whole, right
 * datagram (else the checker checks its L4 checksum).
 */
static size_t icmp_error6(uint8_t *pkt)
{
	static const uint8_t tc[][2] = {
		{ 1, 0 }, { 1, 1 }, { 1, 3 }, { 1, 4 }, { 1, 5 }, { 1, 6 },
		{ 1, 99 }, { 2, 0 }, { 2, 0 }, { 2, 0 }, { 3, 0 }, { 3, 1 },
		{ 4, 0 }, { 4, 1 }, { 4, 2 }, { 4, 3 }, { 5, 0 }, { 100, 0 },
		{ 127, 0 },
	};
	static const uint16_t mtus[] = { 1280, 1280, 1400, 1500, 576, 0, 68 };
	const struct flow *f = nflows && !one_in(5) ? &flows[rnd(nflows)] : NULL;
	/* a bad checksum on an error about a live conn: drop_icmp_csum */
	int flags = one_in(f ? 5 : 10) ? F_BAD : 0, which = rnd(sizeof(tc) / 2);
	int variant = rnd(12), n = 0, nocheck = 0, iflags;
	uint8_t *ic = pkt + IP6H, *in = ic + 8, iproto, types[8], *il4;
	const uint8_t *is, *id;
	struct flow rf;
	size_t elen = 0, ilen, len;

	ic[0] = tc[which][0];
	ic[1] = tc[which][1];
	memset(ic + 4, 0, 4);
	if (ic[0] == 2)
		put16(ic + 6, one_in(4) ? (uint16_t)rnd(65536) : mtus[rnd(7)]);
	else if (ic[0] == 4)
		ic[7] = (uint8_t)rnd(64);	/* the pointer */
	else if (one_in(8))
		fill(ic + 4, 4);
	/* the quoted packet: the flow reversed, as the peer sent it */
	iproto = f ? f->proto : (one_in(2) ? 6 : 17);
	is = f ? f->b : dst;
	id = f ? f->a : src;
	memset(&rf, 0, sizeof(rf));
	rf.ap = f ? f->bp : new_dport();
	rf.bp = f ? f->ap : new_sport();
	if (variant == 2 || variant == 3) {	/* with extension headers */
		n = ext6_pick(types, 3);
		if (variant == 3)
			types[n++] = 44;
	}
	elen = ext6_chain(in + IP6H, types, n, iproto, 0, 0, &nocheck);
	if (variant == 3) {		/* a first fragment, or a later one */
		uint8_t *fh = in + IP6H + elen - 8;

		fh[3] = 1;		/* more fragments */
		if (one_in(2))
			put16(fh + 2, (uint16_t)(8 * (1 + rnd(100)) | rnd(2)));
	}
	il4 = in + IP6H + elen;
	/* the quoted datagram whole (and right), or its first 8 bytes */
	if (variant == 1 || (variant == 2 && one_in(2))) {
		do
			ilen = l4_build6(il4, iproto, &rf, is, id, &iflags);
		while (iflags & F_NOCHECK || ilen < (iproto == 6 ? 20u : 8u));
		if (iflags || nocheck)
			flags |= F_INNER_BAD;
	} else {
		ilen = 8;
		put16(il4, rf.ap);
		put16(il4 + 2, rf.bp);
		fill(il4 + 4, 4);
		if (iproto == 17)
			put16(il4 + 4, (uint16_t)(8 + rnd(100)));
		flags |= F_INNER_BAD;
	}
	ip6_header(in, n ? types[0] : iproto, is, id, 0);
	in[7] = (uint8_t)(1 + rnd(64));
	ip6_finish(in, IP6H + elen + ilen);
	if (!(flags & F_INNER_BAD) && one_in(2)) {
		/* more bytes than the datagram had: no longer whole */
		put16(in + 4, (uint16_t)(get16(in + 4) + 1 + rnd(500)));
		flags |= F_INNER_BAD;
	}
	if (variant == 0 && one_in(2))
		put16(in + 4, (uint16_t)rnd(65536));
	len = 8 + IP6H + elen + ilen;
	switch (variant) {
	case 4:				/* another protocol, or ICMPv6 */
		in[6] = one_in(2) ? 58 : (uint8_t)rnd(256);
		flags |= F_INNER_BAD;
		break;
	case 5:				/* the quoted L4 header truncated */
		len = 8 + IP6H + elen + rnd(8);
		flags |= F_INNER_BAD;
		break;
	case 6:				/* the quoted IPv6 header truncated */
		len = 8 + rnd(IP6H);
		flags |= F_INNER_BAD;
		break;
	case 7:				/* not version 6 */
		in[0] = (uint8_t)(rnd(16) << 4);
		if (in[0] == 0x60)
			in[0] = 0x40;
		flags |= F_INNER_BAD;
		break;
	case 8:				/* a chain past the quote, or none */
		in[6] = one_in(2) ? 59 : one_in(2) ? 0 : 60;
		if (in[6] != 59) {
			in[IP6H] = 60;
			in[IP6H + 1] = (uint8_t)rnd(256);
		}
		flags |= F_INNER_BAD;
		break;
	case 9:				/* the quoted ports garbled */
		fill(il4, 4);
		flags |= F_INNER_BAD;
		break;
	default:
		break;
	}
	l4_csum6(ic, len, 2, 58, src, dst, flags & F_BAD);
	ip6_header(pkt, 58, src, dst, flags);
	ip6_finish(pkt, IP6H + len);
	return IP6H + len;
}

/* ICMPv6 informational messages: echo, MLD, neighbour discovery, node
 * information, unknown ones
 */
static size_t icmp_info6(uint8_t *pkt)
{
	static const uint8_t types[] = { 128, 129, 128, 129, 130, 131, 132, 133,
					 134, 135, 136, 137, 139, 140, 141,
					 143, 200, 255 };
	size_t len = 4 + rnd(200);
	uint8_t *ic = pkt + IP6H;
	int flags = one_in(10) ? F_BAD : 0;

	ic[0] = types[rnd(sizeof(types))];
	ic[1] = one_in(8) ? (uint8_t)rnd(256) : 0;
	fill(ic + 4, len - 4);
	l4_csum6(ic, len, 2, 58, src, dst, flags);
	ip6_header(pkt, 58, src, dst, flags);
	ip6_finish(pkt, IP6H + len);
	return IP6H + len;
}

static size_t other_proto6(uint8_t *pkt)
{
	static const uint8_t protos[] = { 0, 4, 41, 43, 44, 47, 50, 51, 58, 59,
					  60, 132, 135, 139, 140, 253, 255 };
	size_t len = rnd(200);

	ip6_header(pkt, protos[rnd(sizeof(protos))], src, dst, F_NOCHECK);
	fill(pkt + IP6H, len);
	ip6_finish(pkt, IP6H + len);
	return IP6H + len;
}

static uint32_t frag_id6;

/* one IPv6 fragment: the header and unfragmentable part @hdr (@hlen
 * bytes, the fragment header last), bytes [off, off + n) of @d
 */
static void frag_send6(const uint8_t *hdr, size_t hlen, const uint8_t *d,
		       size_t off, size_t n, int mf)
{
	uint8_t p[2048];

	if (hlen + n > sizeof(p))
		return;
	memcpy(p, hdr, hlen);
	memcpy(p + hlen, d + off, n);
	put16(p + hlen - 6, (uint16_t)((off & 0xfff8) | (mf ? 1 : 0)));
	ip6_finish(p, hlen + n);
	xmit(p, hlen + n);
}

/* fragments: first, middle, last, in order or reversed, overlapping,
 * tiny, duplicated, atomic, past 64 KiB, not a multiple of 8, with
 * extension headers before and after the fragment header
 */
static void fragments6(void)
{
	uint8_t hdr[512], d[1500], types[8], proto = one_in(2) ? 6 : 17;
	const struct flow *f = NULL;
	size_t hlen, dlen, len, fs, off, n, elen = 0;
	int flags, nocheck = 0, i, nf, pattern = rnd(12), nu = 0, nd = 0;
	uint8_t first;

	if (nflows && one_in(2)) {
		f = &flows[rnd(nflows)];
		proto = f->proto;
	}
	/* the fragmentable part: destination options now and then, then
	 * the L4 datagram
	 */
	if (one_in(4)) {
		types[0] = 60;
		nd = 1;
		elen = ext6_chain(d, types, 1, proto, 0, 0, &nocheck);
	}
	do
		len = l4_build6(d + elen, proto, f, src, dst, &flags);
	while (len < 24 || flags & F_NOCHECK);
	dlen = elen + len;
	first = nd ? 60 : proto;
	/* the unfragmentable part */
	if (one_in(3))
		nu = ext6_pick(types, 2);
	for (i = 0; i < nu; i++)
		if (types[i] == 44 || types[i] == 51)
			types[i] = 60;
	types[nu] = 44;
	hlen = IP6H + ext6_chain(hdr + IP6H, types, nu + 1, first, 0, 0, &nocheck);
	hdr[hlen - 8] = first;
	hdr[hlen - 7] = 0;
	hdr[hlen - 4] = (uint8_t)(frag_id6 >> 24);
	hdr[hlen - 3] = (uint8_t)(frag_id6 >> 16);
	hdr[hlen - 2] = (uint8_t)(frag_id6 >> 8);
	hdr[hlen - 1] = (uint8_t)frag_id6;
	frag_id6++;
	ip6_header(hdr, nu ? types[0] : 44, src, dst, flags);
	fs = 8 * (1 + rnd((uint32_t)(dlen / 8)));
	if (pattern == 5)
		fs = 8;				/* tiny: the L4 header split */
	nf = (int)((dlen + fs - 1) / fs);
	switch (pattern) {
	case 0: case 5:				/* all, in order */
		for (off = 0; off < dlen; off += fs)
			frag_send6(hdr, hlen, d, off, off + fs < dlen ? fs : dlen - off,
				   off + fs < dlen);
		break;
	case 1:					/* all, reversed */
		for (i = nf - 1; i >= 0; i--) {
			off = (size_t)i * fs;
			frag_send6(hdr, hlen, d, off, off + fs < dlen ? fs : dlen - off,
				   off + fs < dlen);
		}
		break;
	case 2:					/* the first only */
		frag_send6(hdr, hlen, d, 0, fs < dlen ? fs : dlen - 8, 1);
		break;
	case 3:					/* the last, or a middle one */
		off = fs * rnd((uint32_t)nf);
		if (!off)
			off = 8;
		n = off < dlen ? (off + fs < dlen ? fs : dlen - off) : 8;
		frag_send6(hdr, hlen, d, off < dlen ? off : 0, n, one_in(2));
		break;
	case 4:					/* overlapping */
		n = fs < dlen ? fs : dlen - 8;
		frag_send6(hdr, hlen, d, 0, n, 1);
		off = n >= 16 ? n - 8 : 8;
		frag_send6(hdr, hlen, d, off, dlen - off, 0);
		break;
	case 6:					/* a fragment twice */
		for (off = 0; off < dlen; off += fs) {
			n = off + fs < dlen ? fs : dlen - off;
			frag_send6(hdr, hlen, d, off, n, off + fs < dlen);
			if (!off)
				frag_send6(hdr, hlen, d, off, n, off + fs < dlen);
		}
		break;
	case 7: {				/* past 64 KiB */
		uint8_t p[600];

		memcpy(p, hdr, hlen);
		memcpy(p + hlen, d, 16);
		put16(p + hlen - 6, 0xfff8 | (uint16_t)rnd(2));
		ip6_finish(p, hlen + 16);
		xmit(p, hlen + 16);
		break;
	}
	case 8:					/* empty, with M */
		frag_send6(hdr, hlen, d, 0, 0, 1);
		frag_send6(hdr, hlen, d, 0, dlen, 0);
		break;
	case 9:					/* atomic: the whole, offset 0, no M */
		frag_send6(hdr, hlen, d, 0, dlen, 0);
		break;
	case 10:				/* a length not a multiple of 8 */
		n = fs + 1 + rnd(7);
		if (n >= dlen)
			n = dlen - 1;
		frag_send6(hdr, hlen, d, 0, n, 1);
		frag_send6(hdr, hlen, d, n & ~(size_t)7, dlen - (n & ~(size_t)7), 0);
		break;
	default:				/* M on the last as well */
		for (off = 0; off < dlen; off += fs)
			frag_send6(hdr, hlen, d, off, off + fs < dlen ? fs : dlen - off, 1);
		break;
	}
}

/* one IPv6 packet of a kind picked at random (fragments: several) */
static void send_one6(uint8_t *pkt)
{
	int x = rnd(100), kind;
	const struct flow *f;
	size_t len;

	if (x < 14)
		kind = K_TCP;
	else if (x < 25)
		kind = K_UDP;
	else if (x < 40)
		kind = K_EXT;
	else if (x < 55)
		kind = K_ICMPERR;
	else if (x < 60)
		kind = K_ECHO;
	else if (x < 72)
		kind = K_FRAG;
	else if (x < 80)
		kind = K_BADIP;
	else if (x < 84)
		kind = K_OTHER;
	else
		kind = nflows ? K_FLOW : K_EXT;
	kinds[kind]++;
	memset(pkt, 0, 2048);
	switch (kind) {
	case K_TCP:
	case K_UDP:
		len = l4_packet6(pkt, kind == K_TCP ? 6 : 17, NULL, one_in(4));
		break;
	case K_FLOW:
		f = &flows[rnd(nflows)];
		len = l4_packet6(pkt, f->proto, f, one_in(4));
		break;
	case K_EXT:
		len = ext_packet6(pkt);
		break;
	case K_BADIP:
		len = bad_ip6(pkt);
		break;
	case K_ICMPERR:
		len = icmp_error6(pkt);
		break;
	case K_ECHO:
		len = icmp_info6(pkt);
		break;
	case K_OTHER:
		len = other_proto6(pkt);
		break;
	default:
		fragments6();
		return;
	}
	xmit(pkt, len);
}

static int parse_ip(const char *s, uint8_t *a)
{
	return inet_pton(v6 ? AF_INET6 : AF_INET, s, a) == 1;
}

/* the next ':'-separated field of *@p; "[IPv6]" as one field */
static char *flow_field(char **p)
{
	char *t = *p, *e;

	if (!t)
		return NULL;
	if (*t == '[') {
		e = strchr(t, ']');
		if (!e || (e[1] && e[1] != ':'))
			return NULL;
		*e = 0;
		*p = e[1] ? e + 2 : NULL;
		return t + 1;
	}
	return strsep(p, ":");
}

/* -f PROTO:A:APORT:B:BPORT, IPv6 addresses in brackets; kept as text
 * until the family is known
 */
static char *flow_args[16];

static void parse_flow(char *s)
{
	struct flow *f = &flows[nflows];
	char *t[5], *p = s, *copy = strdup(s);
	int i;

	if (nflows == 16)
		return;
	for (i = 0; i < 5; i++) {
		t[i] = flow_field(&p);
		if (!t[i]) {
			fprintf(stderr, "ldfuzz-pkt: bad flow %s\n", copy);
			exit(2);
		}
	}
	f->proto = !strcmp(t[0], "tcp") ? 6 : !strcmp(t[0], "udp") ? 17 : 0;
	if (!f->proto || !parse_ip(t[1], f->a) || !parse_ip(t[3], f->b)) {
		fprintf(stderr, "ldfuzz-pkt: bad flow %s (proto:a:aport:b:bport, [IPv6])\n",
			copy);
		exit(2);
	}
	f->ap = (uint16_t)atoi(t[2]);
	f->bp = (uint16_t)atoi(t[4]);
	free(copy);
	nflows++;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int do_send(int argc, char **argv)
{
	unsigned long n = 1000, i;
	uint64_t seed = 0;
	int opt, secs = 0, have_seed = 0, k;
	unsigned int m[6];
	struct ifreq ifr;
	uint8_t pkt[2048];
	int force6 = 0, nargs = 0;
	char *p;

	while ((opt = getopt(argc, argv, "6s:n:t:p:f:")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 't': secs = atoi(optarg); break;
		case 'p':
			nports = 0;
			for (p = strtok(optarg, ","); p && nports < 16; p = strtok(NULL, ","))
				ports[nports++] = (uint16_t)atoi(p);
			break;
		case 'f':
			if (nargs < 16)
				flow_args[nargs++] = optarg;
			break;
		case '6': force6 = 1; break;
		default: return 2;
		}
	}
	/* the family: -6, or SRC's */
	v6 = force6 || (argc - optind == 4 && strchr(argv[optind + 2], ':'));
	for (k = 0; k < nargs; k++)
		parse_flow(flow_args[k]);
	if (argc - optind != 4 ||
	    sscanf(argv[optind + 1], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2],
		   &m[3], &m[4], &m[5]) != 6 ||
	    !parse_ip(argv[optind + 2], src) || !parse_ip(argv[optind + 3], dst)) {
		fprintf(stderr, "usage: ldfuzz-pkt send [-6] [-s SEED] [-n PKTS] [-t SECS] [-p PORTS] [-f FLOW]... IFACE DSTMAC SRC DST\n");
		return 2;
	}
	for (k = 0; k < 6; k++)
		dmac[k] = (uint8_t)m[k];
	if (!have_seed) {
		int r = open("/dev/urandom", O_RDONLY);

		if (r < 0 || read(r, &seed, sizeof(seed)) != sizeof(seed))
			seed = (uint64_t)time(NULL);
		if (r >= 0)
			close(r);
		seed &= 0xffffffffffffULL;
	}
	printf("ldfuzz-pkt: seed %llu, %lu packets %s -> %s on %s, %d flows\n",
	       (unsigned long long)seed, n, argv[optind + 2], argv[optind + 3],
	       argv[optind], nflows);
	fflush(stdout);
	rng_state = seed * 2 + 0x9E3779B97F4A7C15ULL;
	frag_id = (uint16_t)rnd(65536);
	if (v6)		/* IPv4's packets stay those of the same seed */
		frag_id6 = (uint32_t)rnd64();

	fd_tx = socket(AF_PACKET, SOCK_RAW, htons(v6 ? ETH_P_IPV6 : ETH_P_IP));
	if (fd_tx < 0) {
		perror("ldfuzz-pkt: socket");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[optind]);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[optind]);
	if (!ifindex || ioctl(fd_tx, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "ldfuzz-pkt: no interface %s\n", argv[optind]);
		return 2;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	signal(SIGALRM, on_signal);
	if (secs)
		alarm((unsigned int)secs);

	for (i = 0; i < n && !stop; i++) {
		int x = rnd(100), kind;
		const struct flow *f = NULL;
		size_t len;

		if (v6) {
			send_one6(pkt);
			if (i % 32 == 31)
				usleep(2000);
			continue;
		}

		if (x < 20)
			kind = K_TCP;
		else if (x < 35)
			kind = K_UDP;
		else if (x < 50)
			kind = K_ICMPERR;
		else if (x < 54)
			kind = K_ECHO;
		else if (x < 66)
			kind = K_FRAG;
		else if (x < 76)
			kind = K_BADIP;
		else if (x < 80)
			kind = K_OTHER;
		else
			kind = nflows ? K_FLOW : K_TCP;
		kinds[kind]++;
		memset(pkt, 0, sizeof(pkt));
		switch (kind) {
		case K_TCP:
		case K_UDP:
			len = l4_packet(pkt, kind == K_TCP ? 6 : 17, NULL, 0);
			break;
		case K_FLOW:
			f = &flows[rnd(nflows)];
			len = l4_packet(pkt, f->proto, f, 0);
			break;
		case K_BADIP:
			len = l4_packet(pkt, one_in(2) ? 6 : 17, NULL, 1);
			break;
		case K_ICMPERR:
			len = icmp_error(pkt);
			break;
		case K_ECHO:
			len = icmp_echo(pkt);
			break;
		case K_OTHER:
			len = other_proto(pkt);
			break;
		default:
			fragments();
			continue;
		}
		xmit(pkt, len);
		/* a breath now and then: the guest's queues are short */
		if (i % 32 == 31)
			usleep(2000);
	}
	printf("ldfuzz-pkt: sent %lu frames for %lu packets:", sent, i);
	for (k = 0; k < (v6 ? K_N : K_EXT); k++)
		printf(" %s %lu", kind_names[k], kinds[k]);
	printf(" (seed %llu)\n", (unsigned long long)seed);
	return 0;
}

/* ---- check ------------------------------------------------------------- */

/* per family: [0] IPv4, [1] IPv6 */
static struct counts {
	unsigned long ip, proto[4], l4ok, inner, badkept, zerokept, nocheck,
		partial, frags, reasm, marked;
} cnt[2];
static unsigned long c_wrong;

static void wrong(const char *why, const uint8_t *p, size_t n)
{
	size_t i;

	c_wrong++;
	if (c_wrong > 20)
		return;
	printf("WRONG: %s:", why);
	for (i = 0; i < n && i < 80; i++)
		printf("%s%02x", i % 4 ? "" : " ", p[i]);
	printf("\n");
}

/* the TTL or Hop Limit (+1: one hop, the director) says what the fuzzer
 * made the checksums
 */
static int flags_of_ttl(struct counts *c, int ttl)
{
	if (ttl >= TTL_BASE && ttl < TTL_BASE + 16) {
		c->marked++;
		return ttl - TTL_BASE;
	}
	return 0;
}

static int flags_of(const uint8_t *ip)
{
	return flags_of_ttl(&cnt[0], ip[8] + 1);
}

static int flags_of6(const uint8_t *ip)
{
	unsigned long m = cnt[1].marked;
	int f = flags_of_ttl(&cnt[1], ip[7] + 1);

	return cnt[1].marked != (unsigned long)m ? f | F_MARKED : f;
}

static void check_inner6(const uint8_t *ip, const uint8_t *l4, size_t len,
			 int flags);

/* checks the L4 part of a whole (unfragmented or reassembled) datagram
 * of @proto: @psum, its pseudo-header sum (0 for ICMP); @ip for the
 * report (@hl bytes of headers before @l4)
 */
static void check_l4x(struct counts *c, const uint8_t *ip, size_t hl,
		      uint8_t proto, uint32_t psum, const uint8_t *l4,
		      size_t len, int partial, int flags)
{
	size_t off;
	uint16_t field, v;
	int icmp = proto == 1 || proto == 58;

	if (proto == 6) {
		c->proto[0]++;
		off = 16;
	} else if (proto == 17) {
		c->proto[1]++;
		off = 6;
	} else if (icmp) {
		c->proto[2]++;
		off = 2;
	} else {
		c->proto[3]++;
		return;
	}
	if (flags & F_NOCHECK || len < off + 2) {
		c->nocheck++;
		return;
	}
	if (proto == 17 && len >= 8 && get16(l4 + 4) != len) {
		c->nocheck++;	/* a UDP length that lies, from a stack? */
		wrong("UDP length differs from the IP payload", ip, hl + 8);
		return;
	}
	field = get16(l4 + off);
	if (partial && proto != 1) {
		/* left for the device: the pseudo-header sum is there */
		c->partial++;
		v = fold(psum);
		if (field != v && !(field == 0 && v == 0xffff) &&
		    !(field == 0xffff && v == 0))
			wrong("a CHECKSUM_PARTIAL pseudo-header sum", ip, hl + 20);
		else
			c->l4ok++;
		return;
	}
	if (proto == 17 && field == 0) {
		if (flags & F_ZERO)
			c->zerokept++;
		else if (flags & F_BAD)
			wrong("UDP: a wrong checksum became 0", ip, hl + 20);
		else
			c->l4ok++;	/* "no checksum" from a stack */
		return;
	}
	if (flags & F_ZERO) {
		wrong("UDP: a zero checksum was filled in", ip, hl + 20);
		return;
	}
	v = fold(sum16(l4, len, psum));
	if (flags & F_BAD) {
		if (v == 0xffff)
			wrong("a wrong L4 checksum on purpose came out right", ip, hl + 20);
		else
			c->badkept++;
		return;
	}
	if (v != 0xffff) {
		wrong(proto == 6 ? "TCP checksum" : proto == 17 ? "UDP checksum" :
		      proto == 1 ? "ICMP checksum" : "ICMPv6 checksum", ip,
		      len + hl < 80 ? len + hl : 80);
		return;
	}
	c->l4ok++;
	/* an ICMP error: the IP header it quotes */
	if (proto == 1 && len >= 8 + 20 && !(flags & F_INNER_BAD) &&
	    (l4[0] == 3 || l4[0] == 4 || l4[0] == 5 || l4[0] == 11 || l4[0] == 12)) {
		const uint8_t *in = l4 + 8;
		size_t iihl = (in[0] & 15) * 4u;

		/* without options: a router that answers a packet with
		 * options may have changed them in the quote already
		 */
		if (in[0] >> 4 == 4 && iihl == 20 && 8 + iihl <= len) {
			c->inner++;
			if (fold(sum16(in, iihl, 0)) != 0xffff)
				wrong("the IP checksum of the header an ICMP error quotes",
				      ip, 8 + iihl + hl);
		}
	}
	/* an ICMPv6 error: the datagram it quotes, if whole */
	if (proto == 58 && l4[0] < 128)
		check_inner6(ip, l4, len, flags);
}

static void check_l4(const uint8_t *ip, const uint8_t *l4, size_t len,
		     int partial, int flags)
{
	uint8_t proto = ip[9];

	check_l4x(&cnt[0], ip, (size_t)(l4 - ip), proto,
		  proto == 1 ? 0 : pseudo(ip + 12, ip + 16, proto, len), l4, len,
		  partial, flags);
}

/* Walks the extension headers from @nh at @off in @p (@tot bytes): the
 * offset of the upper layer and *@nh, or 0 if the chain runs past, has
 * a fragment header other than an atomic one (*@frag: its offset, if
 * asked for), or a routing header with segments left (*@rh set).
 */
static size_t walk6(const uint8_t *p, size_t off, size_t tot, uint8_t *nh,
		    size_t *frag, int *rh)
{
	size_t hl;

	while (ext6(*nh)) {
		if (off + 8 > tot)
			return 0;
		if (*nh == 44 && (get16(p + off + 2) & 0xfff9)) {
			if (frag)
				*frag = off;
			return 0;
		}
		if (*nh == 43 && p[off + 3])
			*rh = 1;
		hl = ext6_len(*nh, p + off);
		*nh = p[off];
		off += hl;
	}
	return off;
}

/* an ICMPv6 error of the fuzzer's whose quote is a whole, right datagram
 * (not F_INNER_BAD): its TCP/UDP checksum, which a translation of the
 * quote must have kept right
 */
static void check_inner6(const uint8_t *ip, const uint8_t *l4, size_t len,
			 int flags)
{
	const uint8_t *in = l4 + 8;
	size_t ilen, off;
	uint8_t nh;
	int rh = 0;

	if (flags & F_INNER_BAD || len < 8 + IP6H || in[0] >> 4 != 6)
		return;
	/* only the fuzzer's: a stack quotes what it got, and a datagram
	 * from a stack through veths may still carry the pseudo-header sum
	 * of CHECKSUM_PARTIAL, never completed
	 */
	if (!(flags & F_MARKED))
		return;
	ilen = len - 8;
	if (IP6H + get16(in + 4) != ilen)
		return;		/* not the whole datagram */
	nh = in[6];
	off = walk6(in, IP6H, ilen, &nh, NULL, &rh);
	if (!off || rh || off > ilen || (nh != 6 && nh != 17))
		return;
	if (ilen - off < (nh == 6 ? 20u : 8u))
		return;
	if (nh == 17 && !get16(in + off + 6))
		return;
	cnt[1].inner++;
	if (fold(sum16(in + off, ilen - off,
		       pseudo6(in + 8, in + 24, nh, ilen - off))) != 0xffff)
		wrong(nh == 6 ? "the TCP checksum of the datagram an ICMPv6 error quotes" :
		      "the UDP checksum of the datagram an ICMPv6 error quotes",
		      ip, (size_t)(in - ip) + off + 8);
}

/* reassembly of what the director refragmented */
struct frag_q {
	uint8_t key[10];		/* saddr, daddr, id */
	uint8_t proto;
	uint8_t hdr[60];
	uint8_t data[65536];
	uint8_t have[8192];		/* per 8-byte block */
	size_t total;			/* 0 until the last fragment */
	int used, partial;
	unsigned long stamp;
};

#define NQ 8
static struct frag_q *q;
static unsigned long qclock;

static int complete(struct frag_q *f)
{
	size_t i;

	if (!f->total || !f->hdr[0])
		return 0;
	for (i = 0; i < (f->total + 7) / 8; i++)
		if (!f->have[i])
			return 0;
	return 1;
}

static void fragment(const uint8_t *ip, size_t ihl, size_t tot, int partial)
{
	size_t off = (size_t)(get16(ip + 6) & 0x1fff) * 8, n = tot - ihl, i;
	uint8_t key[10];
	struct frag_q *f = NULL;
	int k, oldest = 0;

	cnt[0].frags++;
	memcpy(key, ip + 12, 8);
	memcpy(key + 8, ip + 4, 2);
	for (k = 0; k < NQ; k++) {
		if (q[k].used && !memcmp(q[k].key, key, 10) && q[k].proto == ip[9]) {
			f = &q[k];
			break;
		}
		if (q[k].stamp < q[oldest].stamp || !q[k].used)
			oldest = k;
	}
	if (!f) {
		f = &q[oldest];
		memset(f, 0, sizeof(*f));
		memcpy(f->key, key, 10);
		f->proto = ip[9];
		f->used = 1;
	}
	if (!off && f->hdr[0]) {	/* a first fragment again: start over */
		memset(f, 0, sizeof(*f));
		memcpy(f->key, key, 10);
		f->proto = ip[9];
		f->used = 1;
	}
	f->stamp = ++qclock;
	f->partial |= partial;
	if (off + n > sizeof(f->data))
		return;
	memcpy(f->data + off, ip + ihl, n);
	for (i = off / 8; i < (off + n + 7) / 8; i++)
		f->have[i] = 1;
	if (!off)
		memcpy(f->hdr, ip, ihl);
	if (!(ip[6] & 0x20))
		f->total = off + n;
	if (complete(f)) {
		uint8_t *h = f->hdr;

		cnt[0].reasm++;
		check_l4(h, f->data, f->total, f->partial, flags_of(h));
		f->used = 0;
	}
}

static void check_packet(const uint8_t *p, size_t n, int partial)
{
	size_t ihl, tot;

	if (n < 20 || p[0] >> 4 != 4)
		return;
	cnt[0].ip++;
	ihl = (p[0] & 15) * 4u;
	tot = get16(p + 2);
	if (ihl < 20 || ihl > n || tot < ihl || tot > n) {
		wrong("an IPv4 header that cannot be", p, n);
		return;
	}
	if (fold(sum16(p, ihl, 0)) != 0xffff) {
		wrong("IP header checksum", p, ihl);
		return;
	}
	if (get16(p + 6) & 0x3fff) {
		fragment(p, ihl, tot, partial);
		return;
	}
	check_l4(p, p + ihl, tot - ihl, partial, flags_of(p));
}

/* IPv6: the upper layer of a whole datagram @d of @len bytes starting
 * with header @nh (past the IPv6 header and what precedes it in @ip)
 */
static void check_datagram6(const uint8_t *ip, uint8_t nh, const uint8_t *d,
			    size_t len, int partial, int flags, int rh)
{
	size_t off = 0;

	if (ext6(nh))
		off = walk6(d, 0, len, &nh, NULL, &rh);
	if (ext6(nh) || off > len || nh == 59) {
		cnt[1].nocheck++;
		return;
	}
	if (rh)
		flags |= F_NOCHECK;	/* the pseudo-header has another address */
	check_l4x(&cnt[1], ip, IP6H, nh, pseudo6(ip + 8, ip + 24, nh, len - off),
		  d + off, len - off, partial, flags);
}

struct frag6_q {
	uint8_t key[36];		/* saddr, daddr, id */
	uint8_t hdr[IP6H];
	uint8_t nh;			/* the fragment header's next */
	uint8_t data[65536];
	uint8_t have[8192];
	size_t total;
	int used, partial, first, rh;
	unsigned long stamp;
};

static struct frag6_q *q6;

static void fragment6(const uint8_t *p, size_t fo, size_t tot, int partial,
		      int rh)
{
	size_t off = get16(p + fo + 2) & 0xfff8, n = tot - fo - 8, i;
	uint8_t key[36];
	struct frag6_q *f = NULL;
	int k, oldest = 0;

	cnt[1].frags++;
	memcpy(key, p + 8, 32);
	memcpy(key + 32, p + fo + 4, 4);
	for (k = 0; k < NQ; k++) {
		if (q6[k].used && !memcmp(q6[k].key, key, 36)) {
			f = &q6[k];
			break;
		}
		if (q6[k].stamp < q6[oldest].stamp || !q6[k].used)
			oldest = k;
	}
	if (!f || (!off && f->first)) {	/* new, or a first again */
		if (!f)
			f = &q6[oldest];
		memset(f, 0, sizeof(*f));
		memcpy(f->key, key, 36);
		f->used = 1;
	}
	f->stamp = ++qclock;
	f->partial |= partial;
	f->rh |= rh;
	if (off + n > sizeof(f->data))
		return;
	memcpy(f->data + off, p + fo + 8, n);
	for (i = off / 8; i < (off + n + 7) / 8; i++)
		f->have[i] = 1;
	if (!off) {
		memcpy(f->hdr, p, IP6H);
		f->nh = p[fo];
		f->first = 1;
	}
	if (!(p[fo + 3] & 1))
		f->total = off + n;
	if (!f->total || !f->first)
		return;
	for (i = 0; i < (f->total + 7) / 8; i++)
		if (!f->have[i])
			return;
	cnt[1].reasm++;
	check_datagram6(f->hdr, f->nh, f->data, f->total, f->partial,
			flags_of6(f->hdr), f->rh);
	f->used = 0;
}

static void check_packet6(const uint8_t *p, size_t n, int partial)
{
	size_t tot, off, fo = 0;
	uint8_t nh;
	int rh = 0;

	if (n < IP6H || p[0] >> 4 != 6)
		return;
	cnt[1].ip++;
	tot = IP6H + get16(p + 4);
	if (tot > n) {
		wrong("an IPv6 payload length past the packet", p, n);
		return;
	}
	nh = p[6];
	off = walk6(p, IP6H, tot, &nh, &fo, &rh);
	if (fo) {
		if (fo + 8 <= tot)
			fragment6(p, fo, tot, partial, rh);
		return;
	}
	if (!off) {
		cnt[1].nocheck++;
		return;
	}
	check_datagram6(p, nh, p + off, tot - off, partial, flags_of6(p), rh);
}

static void print_counts(const char *ifname, int fam)
{
	const struct counts *c = &cnt[fam];

	printf("ldfuzz-pkt: %s: %lu %s packets (tcp %lu udp %lu %s %lu other %lu), %lu marked by the fuzzer, %lu fragments (%lu datagrams reassembled)\n",
	       ifname, c->ip, fam ? "IPv6" : "IPv4", c->proto[0], c->proto[1],
	       fam ? "icmpv6" : "icmp", c->proto[2], c->proto[3], c->marked,
	       c->frags, c->reasm);
	printf("ldfuzz-pkt: %s: %schecksums right %lu (%lu partial), %s right %lu, wrong-on-purpose still wrong %lu, zero UDP kept %lu, not checkable %lu; WRONG %lu\n",
	       ifname, fam ? "IPv6: " : "", c->l4ok, c->partial,
	       fam ? "quoted datagrams" : "quoted headers", c->inner, c->badkept,
	       c->zerokept, c->nocheck, c_wrong);
}

/* a packet socket on @ifname for @proto (ETH_P_IP, ETH_P_IPV6) */
static int check_socket(const char *ifname, int proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, one = 1, rcv = 8 << 20;

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(proto));
	if (fd < 0) {
		perror("ldfuzz-pkt: socket");
		exit(2);
	}
	setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "ldfuzz-pkt: cannot bind to %s\n", ifname);
		exit(2);
	}
	return fd;
}

/* one packet from @fd, checked; returns 0 if none was there */
static int check_one(int fd, int fam)
{
	static uint8_t buf[65536 + 64];
	char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec iov = { buf, sizeof(buf) };
	struct sockaddr_ll from;
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int partial = 0;
	ssize_t n;

	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return 0;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return 1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata a;

			memcpy(&a, CMSG_DATA(c), sizeof(a));
			partial = !!(a.tp_status & TP_STATUS_CSUMNOTREADY);
			if (a.tp_len > (unsigned int)n)
				n = 0;		/* cut short: not ours to judge */
		}
	if (fam)
		check_packet6(buf, (size_t)n, partial);
	else
		check_packet(buf, (size_t)n, partial);
	return 1;
}

static int do_check(int argc, char **argv)
{
	int opt, secs = 0, fam, want[2] = { 1, 1 };
	struct pollfd pfd[2] = { { -1, POLLIN, 0 }, { -1, POLLIN, 0 } };

	while ((opt = getopt(argc, argv, "46t:")) != -1) {
		switch (opt) {
		case 't': secs = atoi(optarg); break;
		case '4': want[1] = 0; break;
		case '6': want[0] = 0; break;
		default: return 2;
		}
	}
	if (argc - optind != 1 || (!want[0] && !want[1])) {
		fprintf(stderr, "usage: ldfuzz-pkt check [-4|-6] [-t SECS] IFACE\n");
		return 2;
	}
	q = calloc(NQ, sizeof(*q));
	q6 = calloc(NQ, sizeof(*q6));
	if (!q || !q6)
		return 2;
	for (fam = 0; fam < 2; fam++)
		if (want[fam])
			pfd[fam].fd = check_socket(argv[optind],
						   fam ? ETH_P_IPV6 : ETH_P_IP);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGALRM, on_signal);
	if (secs)
		alarm((unsigned int)secs);
	/* ready: the caller may start sending */
	printf("ldfuzz-pkt: checking on %s\n", argv[optind]);
	fflush(stdout);
	while (!stop) {
		if (poll(pfd, 2, 200) <= 0)
			continue;
		for (fam = 0; fam < 2; fam++)
			if (pfd[fam].revents & POLLIN)
				while (check_one(pfd[fam].fd, fam) && !stop)
					;
	}
	for (fam = 0; fam < 2; fam++) {
		struct tpacket_stats st;
		socklen_t sl = sizeof(st);

		if (want[fam] &&
		    !getsockopt(pfd[fam].fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) &&
		    st.tp_drops)
			printf("ldfuzz-pkt: %u %s packets dropped by the socket (not checked)\n",
			       st.tp_drops, fam ? "IPv6" : "IPv4");
	}
	for (fam = 0; fam < 2; fam++)
		if (want[fam])
			print_counts(argv[optind], fam);
	return c_wrong ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return do_check(argc - 1, argv + 1);
	fprintf(stderr, "usage: ldfuzz-pkt send|check ...\n");
	return 2;
}
