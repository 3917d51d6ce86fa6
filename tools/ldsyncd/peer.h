/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reliable stream between two peers, as pure functions of the datagrams
 * and the time (no sockets): the sender's bounded resend ring, the
 * receiver's bounded reorder window and cumulative ack, the replay window.
 */
#ifndef LDSYNCD_PEER_H
#define LDSYNCD_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

/* datagrams in flight past the last ack; the receiver holds as many */
#define PEER_WINDOW	64
#define REPLAY_BITS	64

/* serial number arithmetic (RFC 1982) on the 32-bit sequence numbers */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

struct tx_slot {
	uint32_t seq;
	uint8_t flags;			/* WIRE_F_START, WIRE_F_END */
	uint16_t nrec;
	uint32_t sends;			/* 0: not sent yet */
	uint64_t first_ms, last_ms;
	struct sync_rec recs[WIRE_MAX_RECS];
};

/*
 * The sender's side: a ring of cap datagrams from the oldest unacked (head)
 * to the one being filled (the last, open while nrec < WIRE_MAX_RECS and
 * not closed by tx_close).
 */
struct tx {
	struct tx_slot *ring;
	uint32_t cap, head, count;	/* ring indexes; count includes open */
	bool open;			/* the last slot takes more records */
	bool start;			/* the next slot starts a stream */
	uint32_t next_seq;
	uint32_t rto_ms;		/* first resend after; doubles, to 16x */
	/* counters */
	uint64_t sent, resent, datagrams;
};

int tx_init(struct tx *tx, uint32_t cap, uint32_t rto_ms);
void tx_free(struct tx *tx);
/* Drops everything queued; the next datagram restarts the stream. */
void tx_reset(struct tx *tx);
/* Queues a record; -1 when the ring is full (the caller resyncs). */
int tx_add(struct tx *tx, const struct sync_rec *r);
/* Closes the datagram being filled, so that it goes out now. */
void tx_close(struct tx *tx);
/*
 * Marks the end of a full table: the last datagram queued and not sent yet
 * gets WIRE_F_END, or an empty one carries it. -1 when the ring is full.
 */
int tx_end(struct tx *tx);
/* Records queued, not yet acked (for flow control of a resync). */
uint32_t tx_room(const struct tx *tx);
/*
 * The next datagram to (re)send at now_ms, or NULL: closed ones never sent,
 * within PEER_WINDOW of the oldest unacked, then the oldest whose resend
 * time has come. The caller sends it, then calls tx_sent.
 */
struct tx_slot *tx_next(struct tx *tx, uint64_t now_ms);
void tx_sent(struct tx *tx, struct tx_slot *s, uint64_t now_ms);
/*
 * A cumulative ack: frees every datagram up to ack. gap: the receiver holds
 * later ones and misses the next, which is resent at once (at most once per
 * rto/4). Returns the datagrams freed.
 */
uint32_t tx_ack(struct tx *tx, uint32_t ack, bool gap, uint64_t now_ms);
/* The age of the oldest unacked datagram in ms, 0 when none. */
uint64_t tx_lag(const struct tx *tx, uint64_t now_ms);

typedef void (*rx_deliver)(void *ctx, const struct sync_rec *recs,
			   uint16_t nrec);

struct rx_slot {
	bool used;
	uint8_t flags;
	uint32_t seq;
	uint16_t nrec;
	struct sync_rec recs[WIRE_MAX_RECS];
};

/* The receiver's side: in-order delivery, holding up to PEER_WINDOW. */
struct rx {
	bool started;			/* a START datagram was received */
	uint32_t next;			/* the next seq to deliver */
	uint32_t highest;		/* the highest seq seen */
	uint32_t held;
	bool ack_pending;
	/* the stream delivered a full table (START ... END) in order */
	bool table;
	struct rx_slot slot[PEER_WINDOW];
	/* counters */
	uint64_t received, lost, dup, early, beyond, tables;
};

void rx_reset(struct rx *rx);
/*
 * A DATA datagram: delivers it and whatever it unblocks, in order, to
 * deliver(ctx, ...); holds it when earlier ones are missing; drops it when
 * it was delivered before (dup), when no stream was started (early: the
 * sender resends it) or when it is PEER_WINDOW or more ahead (beyond).
 */
void rx_input(struct rx *rx, const struct wire_hdr *h,
	      const struct sync_rec *recs, rx_deliver deliver, void *ctx);
/* The cumulative ack to send and whether later datagrams are held. */
uint32_t rx_ack(const struct rx *rx, bool *gap);

/* Anti-replay on the packet numbers (RFC 6479's idea, one word wide). */
struct replay {
	uint64_t top;			/* highest pn accepted; 0: none */
	uint64_t bits;			/* bit i: top - i was accepted */
};

/* Accepts pn once: false when it was seen or is too old. */
bool replay_check(struct replay *r, uint64_t pn);

/* One peer: its session, both directions of the stream, its counters. */
struct peer {
	char name[64];			/* ADDR:PORT as configured */
	uint64_t session;		/* the peer's; 0: not heard yet */
	uint64_t last_ms;		/* when it was last heard */
	bool sender;			/* it says it sends its conns */
	bool resync;			/* owed a full table */
	struct tx tx;
	struct rx rx;
	struct replay replay;
	/* counters besides tx's and rx's */
	uint64_t resyncs, resync_recs, rejected, stale, replayed, overflows;
	uint64_t hellos;
};

enum peer_result {
	PEER_DROP = 0,			/* stale session or replayed: dropped */
	PEER_OK = 1,
	PEER_NEW = 2,			/* OK, and a new session of the peer */
};

/*
 * An authenticated, decoded datagram from p. A new session of the peer is
 * accepted when none was known, when it is higher (sessions start with the
 * time) or when the peer was silent for dead_ms; both directions of the
 * stream restart then (the caller owes it a full table). DATA and ACK for an
 * earlier session of ours are stale.
 */
int peer_input(struct peer *p, uint64_t self, const struct wire_hdr *h,
	       const struct sync_rec *recs, uint64_t now_ms, uint64_t dead_ms,
	       rx_deliver deliver, void *ctx);
/*
 * A header to p of type: sessions, and the cumulative ack of p's stream when
 * one was started (consumes rx.ack_pending). A DATA datagram's seq, flags
 * and records come from its slot: see peer_data.
 */
void peer_hdr(struct peer *p, uint64_t self, uint8_t type, uint64_t pn,
	      struct wire_hdr *h);
void peer_data(struct peer *p, uint64_t self, const struct tx_slot *s,
	       uint64_t pn, struct wire_hdr *h);
/* Whether the peer was heard within dead_ms. */
bool peer_alive(const struct peer *p, uint64_t now_ms, uint64_t dead_ms);

enum peer_ready {
	PEER_READY = 0,		/* nothing of it is awaited */
	PEER_WAIT_HELLO,	/* not heard yet, and the wait is not over */
	PEER_WAIT_TABLE,	/* up, sends, its full table not all here */
};

/*
 * What a director waits for from p before it may take traffic: a peer
 * that is up and sends its conns must have delivered a full table in its
 * current stream to us; a peer that is down is waited for only until
 * waited (the daemon's --ready-timeout-ms after start) is true, so that a
 * lone director becomes ready.
 */
enum peer_ready peer_ready(const struct peer *p, uint64_t now_ms,
			   uint64_t dead_ms, bool waited);

#endif /* LDSYNCD_PEER_H */
