/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ldsyncd wire format, version 1 (Documentation/ldsyncd.rst): a header,
 * conn records, and an HMAC-SHA256 trailer when the peers share a key.
 * Everything big-endian; decoding checks every length.
 */
#ifndef LDSYNCD_WIRE_H
#define LDSYNCD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define WIRE_MAGIC	0x4c445359u	/* "LDSY" */
#define WIRE_VERSION	1
#define WIRE_HDR_LEN	44
#define WIRE_REC_LEN	116		/* a version 1 record */
#define WIRE_MAC_LEN	SHA256_LEN
/* fits the IPv6 minimum MTU (1280) less the IPv6 and UDP headers */
#define WIRE_MAX	1232
#define WIRE_MAX_RECS	((WIRE_MAX - WIRE_HDR_LEN - WIRE_MAC_LEN) / WIRE_REC_LEN)

enum wire_type {
	WIRE_HELLO = 1,		/* session and role; keepalive; unsequenced */
	WIRE_DATA = 2,		/* conn records; sequenced, acknowledged */
	WIRE_ACK = 3,		/* cumulative ack; unsequenced */
};

enum wire_flags {
	WIRE_F_MAC = 0x01,	/* an HMAC-SHA256 trailer follows */
	WIRE_F_START = 0x02,	/* DATA: the stream (re)starts at this seq */
	WIRE_F_GAP = 0x04,	/* ACK: the receiver holds later datagrams */
	WIRE_F_SENDER = 0x08,	/* HELLO: the sender sends its conns */
	WIRE_F_ACK = 0x10,	/* ACK, DATA: the ack field is valid */
	WIRE_F_END = 0x20,	/* DATA: the last datagram of a full table */
	WIRE_F_ALL = 0x3f,
};

enum wire_op {
	WIRE_OP_UPDATE = 1,	/* a conn is established or changed state */
	WIRE_OP_DELETE = 2,	/* a conn is gone */
};

struct wire_hdr {
	uint8_t type;
	uint8_t flags;
	uint64_t session;	/* the sender's */
	uint64_t peer_session;	/* the receiver's, as the sender knows it */
	uint64_t pn;		/* per datagram, never repeats in a session */
	uint32_t seq;		/* DATA: the reliable stream's number */
	uint32_t ack;		/* every seq up to this one was received */
	uint16_t nrec;
};

/*
 * One conn, in the daemon's terms (families 4 or 6, ports in host order):
 * its tuple, the keys of the virtual and the real whose link carries it
 * (a port-0 virtual's key has port 0, a backup virtual's another address)
 * and the virtual's configuration digest, which the receiver checks.
 */
struct sync_rec {
	uint8_t op;
	uint8_t family;
	uint8_t protocol;
	uint8_t state;		/* enum ldir_conn_state */
	uint16_t cport, vport, rport;
	uint32_t expires_ms;	/* remaining lifetime */
	uint64_t digest;
	uint8_t caddr[16], vaddr[16], raddr[16];
	struct {
		uint8_t family, protocol;
		uint16_t port;
		uint32_t bind_id;
		uint8_t addr[16];
	} vkey;
	struct {
		uint8_t family;
		uint16_t port;
		uint8_t addr[16];
	} rkey;
};

enum wire_err {
	WIRE_OK = 0,
	WIRE_ESHORT,		/* shorter than its header or its records */
	WIRE_EMAGIC,
	WIRE_EVERSION,
	WIRE_ETYPE,		/* unknown type or flags */
	WIRE_EMAC,		/* keyed and no or a wrong HMAC, or unkeyed and one */
	WIRE_EREC,		/* a record shorter than version 1's or bad */
	WIRE_ELEN,		/* bytes after the last record */
	__WIRE_EMAX,
};

extern const char *const wire_err_names[__WIRE_EMAX];

/*
 * Writes a datagram of hdr and nrec records to buf (WIRE_MAX bytes), with
 * an HMAC when key is not NULL; returns its length.
 */
size_t wire_encode(uint8_t *buf, const struct wire_hdr *hdr,
		   const struct sync_rec *recs, const struct hmac_key *key);
/*
 * Checks and parses a datagram: the header into hdr and its records into
 * recs (room for WIRE_MAX_RECS); key NULL: unkeyed. Returns a wire_err.
 */
int wire_decode(const uint8_t *buf, size_t len, struct wire_hdr *hdr,
		struct sync_rec *recs, const struct hmac_key *key);

#endif /* LDSYNCD_WIRE_H */
