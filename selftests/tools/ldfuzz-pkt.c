// SPDX-License-Identifier: GPL-2.0
/*
 * ldfuzz-pkt: malformed IPv4 packets at a director, and a checker of what
 * comes out of it.
 *
 *   ldfuzz-pkt send [-s SEED] [-n PKTS] [-t SECS] [-p PORT,...]
 *                   [-f PROTO:A:APORT:B:BPORT]... IFACE DSTMAC SRC DST
 *   ldfuzz-pkt check [-t SECS] IFACE
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
 * Each packet's TTL says what its checksums are: 160 + flags, where
 * flag 1 = its L4 checksum is wrong on purpose, 2 = a UDP checksum of 0,
 * 4 = its L4 checksum cannot be checked (a length that lies), 8 = the
 * header an ICMP error quotes has a wrong checksum on purpose. Other
 * packets (TTL < 150: what the stacks send) must be right in every way.
 *
 * check: reads every IPv4 packet that arrives on IFACE (a packet socket:
 * what the director forwarded, before the local stack looks at it) until
 * SIGTERM or SECS and checks: the IP header checksum always; the TCP,
 * UDP and ICMP checksum unless the TTL says it cannot be checked (flag
 * 1: it must still be wrong, nothing may have made a corrupt packet look
 * whole; flag 2: it must still be 0); an ICMP error's inner IP header
 * checksum where the whole header is quoted. Fragments are reassembled
 * first (the director refragments what it reassembled). A packet whose
 * checksum is left for the device (CHECKSUM_PARTIAL, from a local stack)
 * must carry the pseudo-header sum of its current addresses. Prints the
 * counts and every wrong packet (the first 20); exits 1 if any.
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
	uint8_t a[4], b[4];
	uint16_t ap, bp;
};

static struct flow flows[16];
static int nflows;
static uint16_t ports[16] = { 80, 7 };
static int nports = 2;
static uint8_t src[4], dst[4];

static int fd_tx, ifindex;
static uint8_t smac[6], dmac[6];
static unsigned long kinds[16], sent;

static const char *const kind_names[] = {
	"tcp", "udp", "icmp-error", "icmp-echo", "fragments", "bad-ip",
	"other-proto", "in-flow",
};

enum { K_TCP, K_UDP, K_ICMPERR, K_ECHO, K_FRAG, K_BADIP, K_OTHER, K_FLOW, K_N };

static void xmit(const uint8_t *pkt, size_t len)
{
	uint8_t frame[ETH_HLEN + 65536];
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	memcpy(sll.sll_addr, dmac, 6);
	memcpy(frame, dmac, 6);
	memcpy(frame + 6, smac, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
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

static int parse_ip(const char *s, uint8_t *a)
{
	return inet_pton(AF_INET, s, a) == 1;
}

static void parse_flow(char *s)
{
	struct flow *f = &flows[nflows];
	char *t[5], *p = s;
	int i;

	if (nflows == 16)
		return;
	for (i = 0; i < 5; i++) {
		t[i] = strsep(&p, ":");
		if (!t[i]) {
			fprintf(stderr, "ldfuzz-pkt: bad flow %s\n", s);
			exit(2);
		}
	}
	f->proto = !strcmp(t[0], "tcp") ? 6 : !strcmp(t[0], "udp") ? 17 : 0;
	if (!f->proto || !parse_ip(t[1], f->a) || !parse_ip(t[3], f->b)) {
		fprintf(stderr, "ldfuzz-pkt: bad flow (proto:a:aport:b:bport)\n");
		exit(2);
	}
	f->ap = (uint16_t)atoi(t[2]);
	f->bp = (uint16_t)atoi(t[4]);
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
	char *p;

	while ((opt = getopt(argc, argv, "s:n:t:p:f:")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 't': secs = atoi(optarg); break;
		case 'p':
			nports = 0;
			for (p = strtok(optarg, ","); p && nports < 16; p = strtok(NULL, ","))
				ports[nports++] = (uint16_t)atoi(p);
			break;
		case 'f': parse_flow(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 4 ||
	    sscanf(argv[optind + 1], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2],
		   &m[3], &m[4], &m[5]) != 6 ||
	    !parse_ip(argv[optind + 2], src) || !parse_ip(argv[optind + 3], dst)) {
		fprintf(stderr, "usage: ldfuzz-pkt send [-s SEED] [-n PKTS] [-t SECS] [-p PORTS] [-f FLOW]... IFACE DSTMAC SRC DST\n");
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

	fd_tx = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
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
	for (k = 0; k < K_N; k++)
		printf(" %s %lu", kind_names[k], kinds[k]);
	printf(" (seed %llu)\n", (unsigned long long)seed);
	return 0;
}

/* ---- check ------------------------------------------------------------- */

static unsigned long c_ip, c_proto[4], c_l4ok, c_inner, c_badkept, c_zerokept,
	c_nocheck, c_partial, c_frags, c_reasm, c_wrong, c_marked;

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

static int flags_of(const uint8_t *ip)
{
	int ttl = ip[8] + 1;	/* one hop: the director */

	if (ttl >= TTL_BASE && ttl < TTL_BASE + 16) {
		c_marked++;
		return ttl - TTL_BASE;
	}
	return 0;
}

/* checks the L4 part of a whole (unfragmented or reassembled) datagram */
static void check_l4(const uint8_t *ip, const uint8_t *l4, size_t len,
		     int partial, int flags)
{
	uint8_t proto = ip[9];
	size_t off;
	uint16_t field, v;

	if (proto == 6) {
		c_proto[0]++;
		off = 16;
	} else if (proto == 17) {
		c_proto[1]++;
		off = 6;
	} else if (proto == 1) {
		c_proto[2]++;
		off = 2;
	} else {
		c_proto[3]++;
		return;
	}
	if (flags & F_NOCHECK || len < off + 2) {
		c_nocheck++;
		return;
	}
	if (proto == 17 && len >= 8 && get16(l4 + 4) != len) {
		c_nocheck++;	/* a UDP length that lies, from a stack? */
		wrong("UDP length differs from the IP payload", ip, 28);
		return;
	}
	field = get16(l4 + off);
	if (partial && proto != 1) {
		/* left for the device: the pseudo-header sum is there */
		c_partial++;
		v = fold(pseudo(ip + 12, ip + 16, proto, len));
		if (field != v && !(field == 0 && v == 0xffff) &&
		    !(field == 0xffff && v == 0))
			wrong("a CHECKSUM_PARTIAL pseudo-header sum", ip, 40);
		else
			c_l4ok++;
		return;
	}
	if (proto == 17 && field == 0) {
		if (flags & F_ZERO)
			c_zerokept++;
		else if (flags & F_BAD)
			wrong("UDP: a wrong checksum became 0", ip, 40);
		else
			c_l4ok++;	/* "no checksum" from a stack */
		return;
	}
	if (flags & F_ZERO) {
		wrong("UDP: a zero checksum was filled in", ip, 40);
		return;
	}
	if (proto == 1)
		v = fold(sum16(l4, len, 0));
	else
		v = fold(sum16(l4, len, pseudo(ip + 12, ip + 16, proto, len)));
	if (flags & F_BAD) {
		if (v == 0xffff)
			wrong("a wrong L4 checksum on purpose came out right", ip, 40);
		else
			c_badkept++;
		return;
	}
	if (v != 0xffff) {
		wrong(proto == 6 ? "TCP checksum" : proto == 17 ? "UDP checksum" :
		      "ICMP checksum", ip, len + (size_t)(l4 - ip) < 80 ?
		      len + (size_t)(l4 - ip) : 80);
		return;
	}
	c_l4ok++;
	/* an ICMP error: the IP header it quotes */
	if (proto == 1 && len >= 8 + 20 && !(flags & F_INNER_BAD) &&
	    (l4[0] == 3 || l4[0] == 4 || l4[0] == 5 || l4[0] == 11 || l4[0] == 12)) {
		const uint8_t *in = l4 + 8;
		size_t iihl = (in[0] & 15) * 4u;

		/* without options: a router that answers a packet with
		 * options may have changed them in the quote already
		 */
		if (in[0] >> 4 == 4 && iihl == 20 && 8 + iihl <= len) {
			c_inner++;
			if (fold(sum16(in, iihl, 0)) != 0xffff)
				wrong("the IP checksum of the header an ICMP error quotes",
				      ip, 8 + iihl + (size_t)(l4 - ip));
		}
	}
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

	c_frags++;
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

		c_reasm++;
		check_l4(h, f->data, f->total, f->partial, flags_of(h));
		f->used = 0;
	}
}

static void check_packet(const uint8_t *p, size_t n, int partial)
{
	size_t ihl, tot;

	if (n < 20 || p[0] >> 4 != 4)
		return;
	c_ip++;
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

static int do_check(int argc, char **argv)
{
	static uint8_t buf[65536 + 64];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int opt, secs = 0, fd, one = 1, rcv = 8 << 20;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		switch (opt) {
		case 't': secs = atoi(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: ldfuzz-pkt check [-t SECS] IFACE\n");
		return 2;
	}
	q = calloc(NQ, sizeof(*q));
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (!q || fd < 0) {
		perror("ldfuzz-pkt: socket");
		return 2;
	}
	setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(argv[optind]);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "ldfuzz-pkt: cannot bind to %s\n", argv[optind]);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGALRM, on_signal);
	if (secs)
		alarm((unsigned int)secs);
	/* ready: the caller may start sending */
	printf("ldfuzz-pkt: checking on %s\n", argv[optind]);
	fflush(stdout);
	while (!stop) {
		char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct iovec iov = { buf, sizeof(buf) };
		struct sockaddr_ll from;
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct cmsghdr *c;
		int partial = 0;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
				struct tpacket_auxdata a;

				memcpy(&a, CMSG_DATA(c), sizeof(a));
				partial = !!(a.tp_status & TP_STATUS_CSUMNOTREADY);
				if (a.tp_len > (unsigned int)n)
					n = 0;		/* cut short: not ours to judge */
			}
		check_packet(buf, (size_t)n, partial);
	}
	{
		struct tpacket_stats st;
		socklen_t sl = sizeof(st);

		if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) && st.tp_drops)
			printf("ldfuzz-pkt: %u packets dropped by the socket (not checked)\n",
			       st.tp_drops);
	}
	printf("ldfuzz-pkt: %s: %lu IPv4 packets (tcp %lu udp %lu icmp %lu other %lu), %lu marked by the fuzzer, %lu fragments (%lu datagrams reassembled)\n",
	       argv[optind], c_ip, c_proto[0], c_proto[1], c_proto[2], c_proto[3],
	       c_marked, c_frags, c_reasm);
	printf("ldfuzz-pkt: %s: checksums right %lu (%lu partial), quoted headers right %lu, wrong-on-purpose still wrong %lu, zero UDP kept %lu, not checkable %lu; WRONG %lu\n",
	       argv[optind], c_l4ok, c_partial, c_inner, c_badkept, c_zerokept,
	       c_nocheck, c_wrong);
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
