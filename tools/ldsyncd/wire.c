// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding and decoding of the ldsyncd datagrams (wire.h). A record starts
 * with its op and its length, so that a later version may append fields that
 * this one skips.
 */
#include <string.h>

#include "wire.h"

const char *const wire_err_names[__WIRE_EMAX] = {
	[WIRE_OK] = "ok",
	[WIRE_ESHORT] = "short",
	[WIRE_EMAGIC] = "magic",
	[WIRE_EVERSION] = "version",
	[WIRE_ETYPE] = "type",
	[WIRE_EMAC] = "hmac",
	[WIRE_EREC] = "record",
	[WIRE_ELEN] = "length",
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put_rec(uint8_t *p, const struct sync_rec *r)
{
	p[0] = r->op;
	p[1] = WIRE_REC_LEN;
	p[2] = r->family;
	p[3] = r->protocol;
	p[4] = r->state;
	p[5] = r->vkey.family;
	p[6] = r->vkey.protocol;
	p[7] = r->rkey.family;
	put16(p + 8, r->cport);
	put16(p + 10, r->vport);
	put16(p + 12, r->rport);
	put16(p + 14, r->vkey.port);
	put16(p + 16, r->rkey.port);
	put16(p + 18, 0);
	put32(p + 20, r->expires_ms);
	put32(p + 24, r->vkey.bind_id);
	put64(p + 28, r->digest);
	memcpy(p + 36, r->caddr, 16);
	memcpy(p + 52, r->vaddr, 16);
	memcpy(p + 68, r->raddr, 16);
	memcpy(p + 84, r->vkey.addr, 16);
	memcpy(p + 100, r->rkey.addr, 16);
}

/* family 4 or 6; an IPv4 address sits in the first 4 bytes, the rest zero */
static bool addr_ok(uint8_t family, const uint8_t *a)
{
	static const uint8_t zero[12];

	if (family == 6)
		return true;
	return family == 4 && !memcmp(a + 4, zero, sizeof(zero));
}

static int get_rec(const uint8_t *p, struct sync_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->op = p[0];
	r->family = p[2];
	r->protocol = p[3];
	r->state = p[4];
	r->vkey.family = p[5];
	r->vkey.protocol = p[6];
	r->rkey.family = p[7];
	r->cport = get16(p + 8);
	r->vport = get16(p + 10);
	r->rport = get16(p + 12);
	r->vkey.port = get16(p + 14);
	r->rkey.port = get16(p + 16);
	r->expires_ms = get32(p + 20);
	r->vkey.bind_id = get32(p + 24);
	r->digest = get64(p + 28);
	memcpy(r->caddr, p + 36, 16);
	memcpy(r->vaddr, p + 52, 16);
	memcpy(r->raddr, p + 68, 16);
	memcpy(r->vkey.addr, p + 84, 16);
	memcpy(r->rkey.addr, p + 100, 16);
	if (r->op != WIRE_OP_UPDATE && r->op != WIRE_OP_DELETE)
		return WIRE_EREC;
	if (!addr_ok(r->family, r->caddr) || !addr_ok(r->family, r->vaddr) ||
	    !addr_ok(r->family, r->raddr) ||
	    !addr_ok(r->vkey.family, r->vkey.addr) ||
	    !addr_ok(r->rkey.family, r->rkey.addr))
		return WIRE_EREC;
	return WIRE_OK;
}

size_t wire_encode(uint8_t *buf, const struct wire_hdr *hdr,
		   const struct sync_rec *recs, const struct hmac_key *key)
{
	size_t len = WIRE_HDR_LEN;
	uint16_t i, n = hdr->nrec;

	if (n > WIRE_MAX_RECS)
		n = WIRE_MAX_RECS;
	put32(buf, WIRE_MAGIC);
	buf[4] = WIRE_VERSION;
	buf[5] = hdr->type;
	buf[6] = (hdr->flags & ~WIRE_F_MAC) | (key ? WIRE_F_MAC : 0);
	buf[7] = 0;
	put64(buf + 8, hdr->session);
	put64(buf + 16, hdr->peer_session);
	put64(buf + 24, hdr->pn);
	put32(buf + 32, hdr->seq);
	put32(buf + 36, hdr->ack);
	put16(buf + 40, n);
	put16(buf + 42, 0);
	for (i = 0; i < n; i++, len += WIRE_REC_LEN)
		put_rec(buf + len, &recs[i]);
	if (key) {
		hmac_sha256(key, buf, len, buf + len);
		len += WIRE_MAC_LEN;
	}
	return len;
}

int wire_decode(const uint8_t *buf, size_t len, struct wire_hdr *hdr,
		struct sync_rec *recs, const struct hmac_key *key)
{
	uint8_t mac[WIRE_MAC_LEN];
	size_t off = WIRE_HDR_LEN;
	uint16_t i;
	int err;

	if (len < 8)
		return WIRE_ESHORT;
	if (get32(buf) != WIRE_MAGIC)
		return WIRE_EMAGIC;
	if (buf[4] != WIRE_VERSION)
		return WIRE_EVERSION;
	if (len < WIRE_HDR_LEN)
		return WIRE_ESHORT;
	memset(hdr, 0, sizeof(*hdr));
	hdr->type = buf[5];
	hdr->flags = buf[6];
	if (hdr->type < WIRE_HELLO || hdr->type > WIRE_ACK ||
	    (hdr->flags & ~WIRE_F_ALL))
		return WIRE_ETYPE;
	/* the MAC first: nothing else of an unauthenticated datagram counts */
	if (!!key != !!(hdr->flags & WIRE_F_MAC))
		return WIRE_EMAC;
	if (key) {
		if (len < WIRE_HDR_LEN + WIRE_MAC_LEN)
			return WIRE_ESHORT;
		len -= WIRE_MAC_LEN;
		hmac_sha256(key, buf, len, mac);
		if (ct_memcmp(mac, buf + len, WIRE_MAC_LEN))
			return WIRE_EMAC;
	}
	hdr->session = get64(buf + 8);
	hdr->peer_session = get64(buf + 16);
	hdr->pn = get64(buf + 24);
	hdr->seq = get32(buf + 32);
	hdr->ack = get32(buf + 36);
	hdr->nrec = get16(buf + 40);
	if (hdr->nrec > WIRE_MAX_RECS)
		return WIRE_EREC;
	if (hdr->type != WIRE_DATA && hdr->nrec)
		return WIRE_EREC;
	for (i = 0; i < hdr->nrec; i++) {
		uint8_t rlen;

		if (off + 2 > len)
			return WIRE_ESHORT;
		rlen = buf[off + 1];
		if (rlen < WIRE_REC_LEN)
			return WIRE_EREC;
		if (off + rlen > len)
			return WIRE_ESHORT;
		err = get_rec(buf + off, &recs[i]);
		if (err)
			return err;
		off += rlen;
	}
	if (off != len)
		return WIRE_ELEN;
	return WIRE_OK;
}
