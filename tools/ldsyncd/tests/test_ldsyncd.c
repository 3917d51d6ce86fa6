// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of ldsyncd's pure parts: SHA-256 (FIPS 180-4 examples) and
 * HMAC-SHA256 (RFC 4231), the wire format's round trips and rejections,
 * the replay window, the reliable stream between two peers over a
 * simulated network that loses, duplicates and reorders datagrams, and the
 * end of a full table that a director's readiness waits for.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"
#include "sha256.h"
#include "wire.h"

static int failed, passed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: %s: ", __func__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static void hex(const char *s, uint8_t *out, size_t *len)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2)
		sscanf(s, "%2hhx", &out[n++]);
	*len = n;
}

static void tohex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* ----------------------------------------------------------- SHA-256 */

static void test_sha256(void)
{
	static const struct {
		const char *msg;
		size_t repeat;
		const char *digest;
	} v[] = {
		{ "abc", 1,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", 1,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "a", 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	char out[2 * SHA256_LEN + 1];
	uint8_t d[SHA256_LEN];
	struct sha256 s;
	size_t i, r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256_init(&s);
		for (r = 0; r < v[i].repeat; r++)
			sha256_update(&s, v[i].msg, strlen(v[i].msg));
		sha256_final(&s, d);
		tohex(d, SHA256_LEN, out);
		CHECK(!strcmp(out, v[i].digest), "vector %zu: %s", i, out);
	}
	/* split updates at every offset give the one-shot digest */
	{
		uint8_t buf[200], one[SHA256_LEN];

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = i * 7;
		sha256(buf, sizeof(buf), one);
		for (i = 0; i <= sizeof(buf); i++) {
			sha256_init(&s);
			sha256_update(&s, buf, i);
			sha256_update(&s, buf + i, sizeof(buf) - i);
			sha256_final(&s, d);
			CHECK(!memcmp(d, one, SHA256_LEN), "split at %zu", i);
		}
	}
}

/* RFC 4231 section 4: test cases 1 to 7 (5 is truncated to 128 bits) */
static void test_hmac(void)
{
	static const struct {
		const char *key, *data, *mac;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		  NULL },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
		  "546573742057697468205472756e636174696f6e",
		  "a3b6167473100ee06e0c796c2955552b" },
		{ "131 x aa",
		  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ "131 x aa",
		  "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	};
	uint8_t key[256], data[1200], mac[SHA256_LEN];
	char out[2 * SHA256_LEN + 1];
	size_t i, klen, dlen;
	struct hmac_key k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (!v[i].mac)		/* case 3 is written out below */
			continue;
		if (!strcmp(v[i].key, "131 x aa")) {
			klen = 131;
			memset(key, 0xaa, klen);
		} else {
			hex(v[i].key, key, &klen);
		}
		hex(v[i].data, data, &dlen);
		hmac_sha256_key(&k, key, klen);
		hmac_sha256(&k, data, dlen, mac);
		tohex(mac, SHA256_LEN, out);
		CHECK(!strncmp(out, v[i].mac, strlen(v[i].mac)),
		      "case %zu: %s", i + 1, out);
	}
	/* case 3: 20 bytes 0xaa, 50 bytes 0xdd */
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	hmac_sha256_key(&k, key, 20);
	hmac_sha256(&k, data, 50, mac);
	tohex(mac, SHA256_LEN, out);
	CHECK(!strcmp(out, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
	      "case 3: %s", out);
	CHECK(ct_memcmp("abc", "abc", 3) == 0, "equal");
	CHECK(ct_memcmp("abc", "abd", 3) != 0, "differ");
}

/* --------------------------------------------------------------- wire */

static struct sync_rec rec(uint32_t id, int family)
{
	struct sync_rec r;

	memset(&r, 0, sizeof(r));
	r.op = id % 5 ? WIRE_OP_UPDATE : WIRE_OP_DELETE;
	r.family = family;
	r.protocol = id % 2 ? 6 : 17;
	r.state = id % 8;
	r.cport = 1024 + id % 60000;
	r.vport = 80;
	r.rport = 8080;
	r.expires_ms = 900000 - id;
	r.digest = 0x0123456789abcdefull ^ id;
	r.vkey.family = family;
	r.vkey.protocol = r.protocol;
	r.vkey.port = id % 7 ? 80 : 0;
	r.vkey.bind_id = id % 3;
	r.rkey.family = family;
	r.rkey.port = id % 2 ? 8080 : 0;
	if (family == 4) {
		r.caddr[0] = 10; r.caddr[1] = 1; r.caddr[2] = id >> 8; r.caddr[3] = id;
		r.vaddr[0] = 192; r.vaddr[1] = 0; r.vaddr[2] = 2; r.vaddr[3] = 10;
		r.raddr[0] = 10; r.raddr[1] = 2; r.raddr[3] = 11;
		memcpy(r.vkey.addr, r.vaddr, 4);
		memcpy(r.rkey.addr, r.raddr, 4);
	} else {
		r.caddr[0] = 0x20; r.caddr[1] = 0x01; r.caddr[2] = 0x0d;
		r.caddr[3] = 0xb8; r.caddr[14] = id >> 8; r.caddr[15] = id;
		r.vaddr[0] = 0x20; r.vaddr[1] = 0x01; r.vaddr[15] = 0x10;
		r.raddr[0] = 0xfd; r.raddr[15] = 0x11;
		memcpy(r.vkey.addr, r.vaddr, 16);
		memcpy(r.rkey.addr, r.raddr, 16);
	}
	return r;
}

static void test_wire(void)
{
	struct sync_rec in[WIRE_MAX_RECS], out[WIRE_MAX_RECS];
	struct wire_hdr h = {
		.type = WIRE_DATA, .flags = WIRE_F_START | WIRE_F_ACK,
		.session = 0x1122334455667788ull, .peer_session = 42,
		.pn = 0xfedcba9876543210ull, .seq = 0xfffffffe, .ack = 7,
		.nrec = WIRE_MAX_RECS,
	}, g;
	uint8_t buf[WIRE_MAX + 64], key_bytes[] = "a shared key";
	struct hmac_key key, other;
	size_t len, i;
	int err;

	CHECK(WIRE_MAX_RECS == 9, "%d records per datagram", (int)WIRE_MAX_RECS);
	for (i = 0; i < WIRE_MAX_RECS; i++)
		in[i] = rec(i + 1, i % 2 ? 6 : 4);
	hmac_sha256_key(&key, key_bytes, sizeof(key_bytes) - 1);
	hmac_sha256_key(&other, "another key", 11);

	/* unkeyed and keyed round trips */
	len = wire_encode(buf, &h, in, NULL);
	CHECK(len == WIRE_HDR_LEN + WIRE_MAX_RECS * WIRE_REC_LEN, "len %zu", len);
	CHECK(len <= WIRE_MAX, "len %zu", len);
	err = wire_decode(buf, len, &g, out, NULL);
	CHECK(err == WIRE_OK, "%s", wire_err_names[err]);
	CHECK(g.type == h.type && g.flags == h.flags && g.session == h.session &&
	      g.peer_session == h.peer_session && g.pn == h.pn &&
	      g.seq == h.seq && g.ack == h.ack && g.nrec == h.nrec, "header");
	CHECK(!memcmp(in, out, sizeof(in)), "records");
	len = wire_encode(buf, &h, in, &key);
	CHECK(len == WIRE_HDR_LEN + WIRE_MAX_RECS * WIRE_REC_LEN + WIRE_MAC_LEN,
	      "keyed len %zu", len);
	CHECK(len <= WIRE_MAX, "keyed len %zu", len);
	err = wire_decode(buf, len, &g, out, &key);
	CHECK(err == WIRE_OK, "keyed: %s", wire_err_names[err]);
	CHECK(g.flags == (h.flags | WIRE_F_MAC), "flags %x", g.flags);
	CHECK(!memcmp(in, out, sizeof(in)), "keyed records");

	/* rejections */
	CHECK(wire_decode(buf, len, &g, out, &other) == WIRE_EMAC, "other key");
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EMAC, "keyed, unkeyed receiver");
	for (i = 0; i < len; i += 7) {
		buf[i] ^= 0x20;
		err = wire_decode(buf, len, &g, out, &key);
		CHECK(err != WIRE_OK, "bit flipped at %zu accepted", i);
		buf[i] ^= 0x20;
	}
	CHECK(wire_decode(buf, len - 1, &g, out, &key) == WIRE_EMAC, "truncated MAC");
	len = wire_encode(buf, &h, in, NULL);
	CHECK(wire_decode(buf, len, &g, out, &key) == WIRE_EMAC, "unkeyed, keyed receiver");
	CHECK(wire_decode(buf, 3, &g, out, NULL) == WIRE_ESHORT, "3 bytes");
	CHECK(wire_decode(buf, WIRE_HDR_LEN - 1, &g, out, NULL) == WIRE_ESHORT, "short header");
	CHECK(wire_decode(buf, len - 1, &g, out, NULL) == WIRE_ESHORT, "short record");
	buf[len] = 0;
	CHECK(wire_decode(buf, len + 1, &g, out, NULL) == WIRE_ELEN, "trailing byte");
	buf[4] = 2;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EVERSION, "version 2");
	buf[4] = WIRE_VERSION;
	buf[0] ^= 1;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EMAGIC, "magic");
	buf[0] ^= 1;
	buf[5] = 9;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_ETYPE, "type 9");
	buf[5] = WIRE_DATA;
	buf[6] = 0x80;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_ETYPE, "unknown flag");
	buf[6] = 0;
	buf[WIRE_HDR_LEN + 2] = 5;	/* family of the first record */
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EREC, "family 5");
	buf[WIRE_HDR_LEN + 2] = 4;
	buf[WIRE_HDR_LEN + 36 + 8] = 1;	/* IPv4 client address past 4 bytes */
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EREC, "IPv4 with high bytes");
	buf[WIRE_HDR_LEN + 36 + 8] = 0;
	buf[WIRE_HDR_LEN + 7] = 0;	/* the real key's family */
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EREC, "real key family 0");
	buf[WIRE_HDR_LEN + 7] = 4;
	buf[WIRE_HDR_LEN] = 3;		/* op */
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EREC, "op 3");
	buf[WIRE_HDR_LEN] = WIRE_OP_UPDATE;
	buf[WIRE_HDR_LEN + 1] = WIRE_REC_LEN - 1;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EREC, "short record length");
	buf[WIRE_HDR_LEN + 1] = WIRE_REC_LEN;
	buf[41] = WIRE_MAX_RECS + 1;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_EREC, "too many records");
	buf[41] = WIRE_MAX_RECS;
	CHECK(wire_decode(buf, len, &g, out, NULL) == WIRE_OK, "restored");

	/* a later version's longer record is read, its tail skipped */
	{
		uint8_t big[WIRE_MAX];
		struct wire_hdr one = h;

		one.nrec = 1;
		len = wire_encode(big, &one, in, NULL);
		big[WIRE_HDR_LEN + 1] = WIRE_REC_LEN + 4;
		memset(big + len, 0xee, 4);
		err = wire_decode(big, len + 4, &g, out, NULL);
		CHECK(err == WIRE_OK, "longer record: %s", wire_err_names[err]);
		CHECK(!memcmp(&out[0], &in[0], sizeof(in[0])), "longer record read");
	}
	/* HELLO and ACK carry no records */
	{
		struct wire_hdr hello = { .type = WIRE_HELLO, .session = 1, .pn = 1 };

		len = wire_encode(buf, &hello, NULL, &key);
		CHECK(wire_decode(buf, len, &g, out, &key) == WIRE_OK, "hello");
		CHECK(g.type == WIRE_HELLO && g.nrec == 0, "hello");
	}
}

/* ------------------------------------------------------------- replay */

static void test_replay(void)
{
	struct replay r = { 0 };
	uint64_t i;

	CHECK(!replay_check(&r, 0), "pn 0");
	CHECK(replay_check(&r, 1), "1");
	CHECK(!replay_check(&r, 1), "1 again");
	CHECK(replay_check(&r, 5), "5");
	CHECK(replay_check(&r, 3), "3 late");
	CHECK(!replay_check(&r, 3), "3 again");
	CHECK(replay_check(&r, 2), "2 late");
	CHECK(replay_check(&r, 100), "100");
	CHECK(!replay_check(&r, 36), "36: out of the window");
	CHECK(replay_check(&r, 37), "37: the window's oldest");
	CHECK(!replay_check(&r, 37), "37 again");
	CHECK(!replay_check(&r, 5), "5 again, long after");
	for (i = 101; i < 1000; i++)
		CHECK(replay_check(&r, i), "%llu", (unsigned long long)i);
	CHECK(!replay_check(&r, 999), "999 again");
	CHECK(replay_check(&r, 1u << 30), "a jump");
	CHECK(!replay_check(&r, 999), "999 after a jump");
}

/* ---------------------------------------------- the stream, simulated */

/* xorshift: the same run every time */
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

struct pkt {
	uint64_t at;
	int to;				/* 0: A, 1: B */
	size_t len;
	uint8_t buf[WIRE_MAX];
};

#define NET_MAX 4096

struct net {
	struct pkt *q;
	size_t n;
	uint32_t loss, dup, reorder;	/* percent */
	uint64_t dropped, duplicated;
	bool down;			/* loses everything */
};

static void net_send(struct net *net, uint64_t now, int to, const uint8_t *buf,
		     size_t len)
{
	int copies = 1, c;

	if (net->down || rnd(100) < net->loss) {
		net->dropped++;
		return;
	}
	if (rnd(100) < net->dup) {
		copies = 2;
		net->duplicated++;
	}
	for (c = 0; c < copies && net->n < NET_MAX; c++) {
		struct pkt *p = &net->q[net->n++];

		p->at = now + 1 + (rnd(100) < net->reorder ? rnd(30) : 0);
		p->to = to;
		p->len = len;
		memcpy(p->buf, buf, len);
	}
}

struct end {
	struct peer p;			/* the other end, as this one sees it */
	uint64_t session, pn;
	uint32_t *log;			/* the ids delivered, in order */
	size_t nlog;
};

static void deliver(void *ctx, const struct sync_rec *recs, uint16_t nrec)
{
	struct end *e = ctx;
	uint16_t i;

	for (i = 0; i < nrec; i++)
		e->log[e->nlog++] = recs[i].expires_ms;
}

static const struct hmac_key *sim_key;

static void end_output(struct end *e, struct net *net, uint64_t now, int to)
{
	uint8_t buf[WIRE_MAX];
	struct tx_slot *s;
	struct wire_hdr h;
	size_t len;

	if (!e->p.session)
		return;
	while ((s = tx_next(&e->p.tx, now))) {
		peer_data(&e->p, e->session, s, ++e->pn, &h);
		len = wire_encode(buf, &h, s->recs, sim_key);
		net_send(net, now, to, buf, len);
		tx_sent(&e->p.tx, s, now);
	}
	if (e->p.rx.ack_pending) {
		peer_hdr(&e->p, e->session, WIRE_ACK, ++e->pn, &h);
		len = wire_encode(buf, &h, NULL, sim_key);
		net_send(net, now, to, buf, len);
	}
}

static void hello(struct end *e, struct net *net, uint64_t now, int to)
{
	uint8_t buf[WIRE_MAX];
	struct wire_hdr h;

	peer_hdr(&e->p, e->session, WIRE_HELLO, ++e->pn, &h);
	net_send(net, now, to, buf, wire_encode(buf, &h, NULL, sim_key));
}

/* delivers what is due; returns the PEER_NEW seen per end */
static int net_run(struct net *net, struct end *ends[2], uint64_t now)
{
	struct sync_rec recs[WIRE_MAX_RECS];
	struct wire_hdr h;
	size_t i = 0, j = 0;
	int news = 0, ret;

	/* in the order sent among those due at once; kept ones compacted */
	for (i = 0; i < net->n; i++) {
		struct pkt *p = &net->q[i];

		if (p->at > now) {
			if (i != j)
				net->q[j] = *p;
			j++;
			continue;
		}
		if (wire_decode(p->buf, p->len, &h, recs, sim_key) == WIRE_OK) {
			ret = peer_input(&ends[p->to]->p, ends[p->to]->session,
					 &h, recs, now, 3000, deliver, ends[p->to]);
			if (ret == PEER_NEW)
				news |= 1 << p->to;
		}
	}
	net->n = j;
	return news;
}

#define SIM_RECS 6000

static void end_init(struct end *e, uint64_t session, uint32_t cap)
{
	memset(e, 0, sizeof(*e));
	e->session = session;
	tx_init(&e->p.tx, cap, 50);
	e->log = calloc(SIM_RECS * 4, sizeof(*e->log));
}

static void end_free(struct end *e)
{
	tx_free(&e->p.tx);
	free(e->log);
}

/*
 * A sends SIM_RECS records to B in bursts over a network with the given
 * faults; B must deliver each once, in order.
 */
static void sim(const char *name, uint32_t loss, uint32_t dup, uint32_t reorder,
		bool keyed)
{
	struct end a, b, *ends[2] = { &a, &b };
	struct net net = { .loss = loss, .dup = dup, .reorder = reorder };
	struct hmac_key key;
	uint32_t next = 1, i;
	uint64_t now;
	bool inorder = true;

	hmac_sha256_key(&key, "k", 1);
	sim_key = keyed ? &key : NULL;
	net.q = calloc(NET_MAX, sizeof(*net.q));
	end_init(&a, 1000, 1024);
	end_init(&b, 2000, 1024);
	for (now = 1; now < 200000; now++) {
		if (now % 500 == 1) {
			hello(&a, &net, now, 1);
			hello(&b, &net, now, 0);
		}
		net_run(&net, ends, now);
		/* bursts of up to 40 records every 10 ms, once A knows B */
		if (a.p.session && now % 10 == 0 && next <= SIM_RECS) {
			uint32_t n = 1 + rnd(40);

			for (i = 0; i < n && next <= SIM_RECS; i++, next++) {
				struct sync_rec r = rec(next, next % 3 ? 4 : 6);

				r.expires_ms = next;
				CHECK(!tx_add(&a.p.tx, &r), "%s: ring full", name);
			}
			tx_close(&a.p.tx);
		}
		end_output(&a, &net, now, 1);
		end_output(&b, &net, now, 0);
		if (next > SIM_RECS && !a.p.tx.count && !net.n)
			break;
	}
	CHECK(b.nlog == SIM_RECS, "%s: %zu of %d delivered", name, b.nlog, SIM_RECS);
	for (i = 0; i < b.nlog; i++)
		if (b.log[i] != i + 1)
			inorder = false;
	CHECK(inorder, "%s: delivered out of order or twice", name);
	CHECK(a.p.tx.count == 0, "%s: %u unacked at the end", name, a.p.tx.count);
	CHECK(tx_lag(&a.p.tx, now) == 0, "%s: lag", name);
	CHECK(a.p.tx.sent == SIM_RECS, "%s: sent %llu", name,
	      (unsigned long long)a.p.tx.sent);
	CHECK(b.p.rx.received == SIM_RECS, "%s: received", name);
	if (loss) {
		CHECK(a.p.tx.resent > 0, "%s: nothing resent", name);
		CHECK(b.p.rx.lost > 0, "%s: no loss detected", name);
	} else if (!reorder) {
		CHECK(a.p.tx.resent == 0, "%s: resent %llu", name,
		      (unsigned long long)a.p.tx.resent);
		CHECK(b.p.rx.lost == 0, "%s: lost", name);
	}
	if (dup)
		CHECK(b.p.rx.dup > 0 || b.p.replayed > 0, "%s: no duplicate seen", name);
	printf("sim %-24s %5llu ms: %llu datagrams, %llu resent, %llu lost, %llu dup, %llu replayed, net dropped %llu\n",
	       name, (unsigned long long)now,
	       (unsigned long long)a.p.tx.datagrams, (unsigned long long)a.p.tx.resent,
	       (unsigned long long)b.p.rx.lost, (unsigned long long)b.p.rx.dup,
	       (unsigned long long)b.p.replayed, (unsigned long long)net.dropped);
	end_free(&a);
	end_free(&b);
	free(net.q);
}

/*
 * The ring overflows while B is unreachable: A drops its queue, restarts
 * the stream (START) and owes B a resync; B takes the new stream and counts
 * the datagrams it never got as lost.
 */
static void test_overflow(void)
{
	struct end a, b, *ends[2] = { &a, &b };
	struct net net = { 0 };
	uint32_t id = 1, i, first_after;
	struct sync_rec r;
	uint64_t now = 1;
	bool full = false;

	sim_key = NULL;
	net.q = calloc(NET_MAX, sizeof(*net.q));
	end_init(&a, 1000, 8);
	end_init(&b, 2000, 8);
	hello(&a, &net, now, 1);
	hello(&b, &net, now, 0);
	net_run(&net, ends, ++now);
	CHECK(a.p.session == 2000 && b.p.session == 1000, "sessions learnt");
	for (i = 0; i < 30; i++, id++) {
		r = rec(id, 4);
		r.expires_ms = id;
		CHECK(!tx_add(&a.p.tx, &r), "add %u", id);
	}
	tx_close(&a.p.tx);
	end_output(&a, &net, ++now, 1);
	net_run(&net, ends, ++now);
	end_output(&b, &net, now, 0);
	net_run(&net, ends, ++now);
	CHECK(b.nlog == 30 && a.p.tx.count == 0, "first 30: %zu", b.nlog);

	net.down = true;
	while (!full) {
		r = rec(id, 4);
		r.expires_ms = id++;
		full = tx_add(&a.p.tx, &r) < 0;
		end_output(&a, &net, ++now, 1);
	}
	CHECK(a.p.tx.count == 8, "ring of 8 full: %u", a.p.tx.count);
	CHECK(tx_lag(&a.p.tx, now) > 0, "lag while B is away");
	tx_reset(&a.p.tx);
	CHECK(a.p.tx.count == 0 && tx_lag(&a.p.tx, now) == 0, "reset");
	net.down = false;
	first_after = id;
	for (i = 0; i < 20; i++, id++) {
		r = rec(id, 4);
		r.expires_ms = id;
		CHECK(!tx_add(&a.p.tx, &r), "add after reset %u", id);
	}
	tx_close(&a.p.tx);
	for (i = 0; i < 2000 && (a.p.tx.count || net.n); i++) {
		end_output(&a, &net, ++now, 1);
		net_run(&net, ends, now);
		end_output(&b, &net, now, 0);
		net_run(&net, ends, now);
	}
	CHECK(b.nlog == 50, "after the restart: %zu", b.nlog);
	CHECK(b.log[30] == first_after && b.log[49] == first_after + 19,
	      "the new stream's records: %u..%u", b.log[30], b.log[49]);
	CHECK(b.p.rx.lost >= 8, "lost %llu", (unsigned long long)b.p.rx.lost);
	end_free(&a);
	end_free(&b);
	free(net.q);
}

/* runs A -> B until A's ring is empty and the net idle */
static void settle(struct end *a, struct end *b, struct net *net, uint64_t *now)
{
	struct end *ends[2] = { a, b };
	int i;

	tx_close(&a->p.tx);
	for (i = 0; i < 5000 && (a->p.tx.count || net->n); i++) {
		end_output(a, net, ++*now, 1);
		net_run(net, ends, *now);
		end_output(b, net, *now, 0);
		net_run(net, ends, *now);
	}
}

/*
 * Readiness: B waits for a sender's full table to its END, delivered in
 * order over a lossy, reordering net (never earlier, whatever arrives
 * first); a new stream (a resync) makes it wait again; a table that was
 * all sent already ends with an empty datagram, an empty table is one; a
 * peer that does not send is not waited for; one not heard only until the
 * wait is over (a lone director).
 */
static void test_ready(void)
{
	struct end a, b, *ends[2] = { &a, &b };
	struct net net = { .loss = 20, .reorder = 30 };
	uint8_t buf[WIRE_MAX];
	uint32_t id = 1, i;
	struct sync_rec r;
	struct wire_hdr h;
	uint64_t now = 1;
	bool early = false;

	sim_key = NULL;
	net.q = calloc(NET_MAX, sizeof(*net.q));
	end_init(&a, 1000, 64);
	end_init(&b, 2000, 64);
	CHECK(peer_ready(&b.p, now, 3000, false) == PEER_WAIT_HELLO, "not heard");
	CHECK(peer_ready(&b.p, now, 3000, true) == PEER_READY, "alone, waited");
	/* A's hello says it sends; B's does not */
	peer_hdr(&a.p, a.session, WIRE_HELLO, ++a.pn, &h);
	h.flags |= WIRE_F_SENDER;
	net.loss = 0;
	net_send(&net, now, 1, buf, wire_encode(buf, &h, NULL, NULL));
	hello(&b, &net, now, 0);
	net_run(&net, ends, now + 40);
	now += 40;
	CHECK(b.p.sender && !a.p.sender, "roles learnt");
	CHECK(peer_ready(&b.p, now, 3000, true) == PEER_WAIT_TABLE, "sender heard");
	CHECK(peer_ready(&a.p, now, 3000, false) == PEER_READY, "a receiver");

	/* a table of 300 records, 20% lost: B is ready only once all are in */
	net.loss = 20;
	for (i = 0; i < 300; i++, id++) {
		r = rec(id, 4);
		r.expires_ms = id;
		CHECK(!tx_add(&a.p.tx, &r), "add %u", id);
		if (i % 10 == 9) {
			end_output(&a, &net, ++now, 1);
			net_run(&net, ends, now);
			end_output(&b, &net, now, 0);
			net_run(&net, ends, now);
		}
		if (b.p.rx.table)
			early = true;
	}
	CHECK(!tx_end(&a.p.tx), "end queued");
	for (i = 0; i < 5000 && (a.p.tx.count || net.n); i++) {
		end_output(&a, &net, ++now, 1);
		net_run(&net, ends, now);
		if (b.p.rx.table && b.nlog < 300)
			early = true;
		end_output(&b, &net, now, 0);
		net_run(&net, ends, now);
	}
	CHECK(!early, "ready before the table's end");
	CHECK(b.nlog == 300 && b.p.rx.table && b.p.rx.tables == 1,
	      "table: %zu records, tables %llu", b.nlog,
	      (unsigned long long)b.p.rx.tables);
	CHECK(peer_ready(&b.p, now, 3000, true) == PEER_READY, "table received");
	CHECK(b.p.rx.lost > 0, "the net lost datagrams");

	/* a resync: the new stream's START makes B wait again */
	tx_reset(&a.p.tx);
	for (i = 0; i < 12; i++, id++) {
		r = rec(id, 4);
		r.expires_ms = id;
		tx_add(&a.p.tx, &r);
	}
	net.loss = 0;
	settle(&a, &b, &net, &now);
	CHECK(b.nlog == 312 && !b.p.rx.table, "a new stream without its end");
	CHECK(peer_ready(&b.p, now, 3000, true) == PEER_WAIT_TABLE, "resync awaited");
	/* its datagrams all went: the end is an empty one */
	CHECK(!tx_end(&a.p.tx) && a.p.tx.count == 1, "an empty end");
	settle(&a, &b, &net, &now);
	CHECK(b.p.rx.table && b.p.rx.tables == 2 && b.nlog == 312, "end received");

	/* an empty table: one datagram, START and END */
	tx_reset(&a.p.tx);
	CHECK(!tx_end(&a.p.tx) && a.p.tx.count == 1 && a.p.tx.ring[a.p.tx.head].flags ==
	      (WIRE_F_START | WIRE_F_END), "empty table");
	settle(&a, &b, &net, &now);
	CHECK(b.p.rx.table && b.p.rx.tables == 3, "empty table received");

	/* a peer that stopped sending is not waited for */
	tx_reset(&a.p.tx);
	r = rec(id, 4);
	tx_add(&a.p.tx, &r);
	settle(&a, &b, &net, &now);
	CHECK(peer_ready(&b.p, now, 3000, true) == PEER_WAIT_TABLE, "resync again");
	b.p.sender = false;
	CHECK(peer_ready(&b.p, now, 3000, true) == PEER_READY, "not a sender");
	b.p.sender = true;
	/* one that went silent, only until the wait is over */
	CHECK(peer_ready(&b.p, now + 3000, 3000, false) == PEER_WAIT_HELLO, "silent");
	CHECK(peer_ready(&b.p, now + 3000, 3000, true) == PEER_READY, "silent, waited");
	/* a restart of the peer: a new session, its table awaited */
	rx_reset(&b.p.rx);
	CHECK(!b.p.rx.table && b.p.rx.tables == 3, "reset keeps the count only");

	/* no room for the end: the caller resyncs */
	tx_reset(&a.p.tx);
	net.down = true;
	for (i = 0; i < 64 * WIRE_MAX_RECS; i++)
		tx_add(&a.p.tx, &r);
	end_output(&a, &net, ++now, 1);
	CHECK(tx_end(&a.p.tx) < 0, "ring full");
	end_free(&a);
	end_free(&b);
	free(net.q);
}

/* sessions: a restart is taken, an older session and stale data are not */
static void test_sessions(void)
{
	struct sync_rec r = rec(1, 4);
	struct end b;
	struct wire_hdr h;
	int ret;

	end_init(&b, 2000, 8);
	memset(&h, 0, sizeof(h));
	h.type = WIRE_HELLO;
	h.session = 500;
	h.pn = 1;
	ret = peer_input(&b.p, 2000, &h, NULL, 10, 3000, deliver, &b);
	CHECK(ret == PEER_NEW && b.p.session == 500, "first hello");
	h.pn = 2;
	ret = peer_input(&b.p, 2000, &h, NULL, 20, 3000, deliver, &b);
	CHECK(ret == PEER_OK, "second hello");
	CHECK(peer_input(&b.p, 2000, &h, NULL, 30, 3000, deliver, &b) == PEER_DROP &&
	      b.p.replayed == 1, "replayed hello");
	/* data started, delivered */
	h.type = WIRE_DATA;
	h.peer_session = 2000;
	h.flags = WIRE_F_START;
	h.seq = 77;
	h.nrec = 1;
	h.pn = 3;
	r.expires_ms = 1;
	ret = peer_input(&b.p, 2000, &h, &r, 40, 3000, deliver, &b);
	CHECK(ret == PEER_OK && b.nlog == 1, "data");
	/* data for an earlier session of b: stale */
	h.peer_session = 1999;
	h.flags = 0;
	h.seq = 78;
	h.pn = 4;
	ret = peer_input(&b.p, 2000, &h, &r, 50, 3000, deliver, &b);
	CHECK(ret == PEER_DROP && b.p.stale == 1 && b.nlog == 1, "stale data");
	/* an older session of the peer while it is alive: dropped */
	h.type = WIRE_HELLO;
	h.session = 400;
	h.pn = 100;
	ret = peer_input(&b.p, 2000, &h, NULL, 60, 3000, deliver, &b);
	CHECK(ret == PEER_DROP && b.p.session == 500, "older session");
	/* ... accepted once it was silent for the dead time */
	ret = peer_input(&b.p, 2000, &h, NULL, 5000, 3000, deliver, &b);
	CHECK(ret == PEER_NEW && b.p.session == 400, "older session after silence");
	/* a restart: a higher session resets both directions */
	r.expires_ms = 2;
	CHECK(!tx_add(&b.p.tx, &r), "queued");
	h.session = 600;
	h.pn = 1;
	ret = peer_input(&b.p, 2000, &h, NULL, 5010, 3000, deliver, &b);
	CHECK(ret == PEER_NEW && b.p.session == 600, "restart");
	CHECK(b.p.tx.count == 0 && b.p.tx.start && !b.p.rx.started, "reset");
	/* data of the new session without START waits for it */
	h.type = WIRE_DATA;
	h.peer_session = 2000;
	h.seq = 5;
	h.pn = 2;
	h.nrec = 1;
	ret = peer_input(&b.p, 2000, &h, &r, 5020, 3000, deliver, &b);
	CHECK(ret == PEER_OK && b.nlog == 1 && b.p.rx.early == 1, "early data");
	end_free(&b);
}

/*
 * For tests/cli.sh: "port" prints a free UDP port of 127.0.0.1; "udp SRC
 * DST HEX..." sends one datagram per HEX from 127.0.0.1:SRC to DST.
 */
static int helper(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd, i, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!strcmp(argv[1], "port")) {
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    getsockname(fd, (struct sockaddr *)&sa, &sl))
			return 1;
		printf("%u\n", ntohs(sa.sin_port));
		return 0;
	}
	if (strcmp(argv[1], "udp") || argc < 4)
		return 1;
	sa.sin_port = htons(atoi(argv[2]));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	sa.sin_port = htons(atoi(argv[3]));
	for (i = 4; i < argc; i++) {
		uint8_t buf[WIRE_MAX];
		size_t len;

		if (strlen(argv[i]) > 2 * sizeof(buf))
			return 1;
		hex(argv[i], buf, &len);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return helper(argc, argv);
	test_sha256();
	test_hmac();
	test_wire();
	test_replay();
	test_sessions();
	test_overflow();
	test_ready();
	sim("clean", 0, 0, 0, false);
	sim("loss 20%", 20, 0, 0, false);
	sim("dup 20%", 0, 20, 0, false);
	sim("reorder 30%", 0, 0, 30, false);
	sim("loss+dup+reorder keyed", 20, 10, 30, true);
	sim("loss 50%", 50, 5, 10, true);
	printf("test_ldsyncd: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
