// SPDX-License-Identifier: GPL-2.0
/*
 * The reliable stream (peer.h): go-back-N with a cumulative ack, a reorder
 * window at the receiver and a fast resend of the first missing datagram
 * when the receiver says it holds later ones.
 */
#include <stdlib.h>
#include <string.h>

#include "peer.h"

int tx_init(struct tx *tx, uint32_t cap, uint32_t rto_ms)
{
	memset(tx, 0, sizeof(*tx));
	tx->ring = calloc(cap, sizeof(*tx->ring));
	if (!tx->ring)
		return -1;
	tx->cap = cap;
	tx->rto_ms = rto_ms;
	tx->next_seq = 1;
	tx->start = true;
	return 0;
}

void tx_free(struct tx *tx)
{
	free(tx->ring);
	tx->ring = NULL;
}

void tx_reset(struct tx *tx)
{
	tx->head = 0;
	tx->count = 0;
	tx->open = false;
	tx->start = true;
}

static struct tx_slot *slot_at(const struct tx *tx, uint32_t i)
{
	return &tx->ring[(tx->head + i) % tx->cap];
}

int tx_add(struct tx *tx, const struct sync_rec *r)
{
	struct tx_slot *s;

	if (!tx->open) {
		if (tx->count == tx->cap)
			return -1;
		s = slot_at(tx, tx->count++);
		s->seq = tx->next_seq++;
		s->flags = tx->start ? WIRE_F_START : 0;
		tx->start = false;
		s->nrec = 0;
		s->sends = 0;
		tx->open = true;
	}
	s = slot_at(tx, tx->count - 1);
	s->recs[s->nrec++] = *r;
	if (s->nrec == WIRE_MAX_RECS)
		tx->open = false;
	return 0;
}

void tx_close(struct tx *tx)
{
	tx->open = false;
}

int tx_end(struct tx *tx)
{
	struct tx_slot *s;

	if (tx->count) {
		s = slot_at(tx, tx->count - 1);
		if (!s->sends) {
			s->flags |= WIRE_F_END;
			tx->open = false;
			return 0;
		}
	}
	/* everything went out already: an empty datagram says it */
	if (tx->count == tx->cap)
		return -1;
	s = slot_at(tx, tx->count++);
	s->seq = tx->next_seq++;
	s->flags = WIRE_F_END | (tx->start ? WIRE_F_START : 0);
	tx->start = false;
	s->nrec = 0;
	s->sends = 0;
	tx->open = false;
	return 0;
}

uint32_t tx_room(const struct tx *tx)
{
	return tx->cap - tx->count;
}

struct tx_slot *tx_next(struct tx *tx, uint64_t now_ms)
{
	uint32_t i, n = tx->count - (tx->open ? 1 : 0);
	struct tx_slot *s;

	if (n > PEER_WINDOW)
		n = PEER_WINDOW;
	for (i = 0; i < n; i++) {
		s = slot_at(tx, i);
		if (!s->sends)
			return s;
	}
	/* resends, oldest first: each waits rto << (sends - 1), at most 16x */
	for (i = 0; i < n; i++) {
		uint32_t shift;

		s = slot_at(tx, i);
		shift = s->sends - 1 < 4 ? s->sends - 1 : 4;
		if (now_ms >= s->last_ms + ((uint64_t)tx->rto_ms << shift))
			return s;
	}
	return NULL;
}

void tx_sent(struct tx *tx, struct tx_slot *s, uint64_t now_ms)
{
	if (!s->sends) {
		s->first_ms = now_ms;
		tx->sent += s->nrec;
	} else {
		tx->resent++;
	}
	s->sends++;
	s->last_ms = now_ms;
	tx->datagrams++;
}

uint32_t tx_ack(struct tx *tx, uint32_t ack, bool gap, uint64_t now_ms)
{
	uint32_t freed = 0;
	struct tx_slot *s;

	while (tx->count) {
		s = slot_at(tx, 0);
		/* only what was sent can be acked; the open slot never was */
		if (!s->sends || seq_diff(s->seq, ack) > 0)
			break;
		tx->head = (tx->head + 1) % tx->cap;
		tx->count--;
		freed++;
	}
	if (gap && tx->count) {
		s = slot_at(tx, 0);
		if (s->sends && now_ms >= s->last_ms + tx->rto_ms / 4)
			s->last_ms = 0;		/* due now */
	}
	return freed;
}

uint64_t tx_lag(const struct tx *tx, uint64_t now_ms)
{
	const struct tx_slot *s;

	if (!tx->count)
		return 0;
	s = slot_at(tx, 0);
	if (!s->sends)
		return 0;
	return now_ms - s->first_ms;
}

void rx_reset(struct rx *rx)
{
	uint64_t received = rx->received, lost = rx->lost, dup = rx->dup;
	uint64_t early = rx->early, beyond = rx->beyond, tables = rx->tables;

	memset(rx, 0, sizeof(*rx));
	rx->tables = tables;
	rx->received = received;
	rx->lost = lost;
	rx->dup = dup;
	rx->early = early;
	rx->beyond = beyond;
}

static void drain(struct rx *rx, rx_deliver deliver, void *ctx)
{
	struct rx_slot *s;

	for (;;) {
		s = &rx->slot[rx->next % PEER_WINDOW];
		if (!s->used || s->seq != rx->next)
			return;
		s->used = false;
		rx->held--;
		/* a new stream is a new full table: not complete until its END */
		if (s->flags & WIRE_F_START)
			rx->table = false;
		rx->received += s->nrec;
		deliver(ctx, s->recs, s->nrec);
		if (s->flags & WIRE_F_END) {
			rx->table = true;
			rx->tables++;
		}
		rx->next++;
	}
}

void rx_input(struct rx *rx, const struct wire_hdr *h,
	      const struct sync_rec *recs, rx_deliver deliver, void *ctx)
{
	struct rx_slot *s;
	uint32_t i;

	if (h->flags & WIRE_F_START) {
		if (!rx->started || seq_diff(h->seq, rx->next) > 0) {
			/* a new stream: what is held of the old one is void */
			if (rx->started && seq_diff(h->seq, rx->highest) > 1)
				rx->lost += seq_diff(h->seq, rx->highest) - 1;
			for (i = 0; i < PEER_WINDOW; i++)
				if (rx->slot[i].used &&
				    seq_diff(rx->slot[i].seq, h->seq) < 0) {
					rx->slot[i].used = false;
					rx->held--;
				}
			if (!rx->started || seq_diff(h->seq, rx->highest) > 0)
				rx->highest = h->seq - 1;
			rx->next = h->seq;
			rx->started = true;
		}
	}
	if (!rx->started) {
		rx->early++;
		return;
	}
	rx->ack_pending = true;
	if (seq_diff(h->seq, rx->next) < 0) {
		rx->dup++;
		return;
	}
	if (seq_diff(h->seq, rx->next) >= PEER_WINDOW) {
		rx->beyond++;
		return;
	}
	s = &rx->slot[h->seq % PEER_WINDOW];
	if (s->used) {
		rx->dup++;
		return;
	}
	/* a gap in what was seen: the datagrams in it count as lost once */
	if (seq_diff(h->seq, rx->highest) > 0) {
		rx->lost += seq_diff(h->seq, rx->highest) - 1;
		rx->highest = h->seq;
	}
	s->used = true;
	s->flags = h->flags & (WIRE_F_START | WIRE_F_END);
	s->seq = h->seq;
	s->nrec = h->nrec;
	memcpy(s->recs, recs, h->nrec * sizeof(*recs));
	rx->held++;
	drain(rx, deliver, ctx);
}

uint32_t rx_ack(const struct rx *rx, bool *gap)
{
	*gap = rx->held > 0;
	return rx->next - 1;
}

bool replay_check(struct replay *r, uint64_t pn)
{
	uint64_t d;

	if (!pn)
		return false;
	if (pn > r->top) {
		d = pn - r->top;
		r->bits = d >= REPLAY_BITS ? 0 : r->bits << d;
		r->bits |= 1;
		r->top = pn;
		return true;
	}
	d = r->top - pn;
	if (d >= REPLAY_BITS || (r->bits & (1ull << d)))
		return false;
	r->bits |= 1ull << d;
	return true;
}

int peer_input(struct peer *p, uint64_t self, const struct wire_hdr *h,
	       const struct sync_rec *recs, uint64_t now_ms, uint64_t dead_ms,
	       rx_deliver deliver, void *ctx)
{
	int ret = PEER_OK;

	if (h->session != p->session) {
		if (p->session && h->session < p->session &&
		    peer_alive(p, now_ms, dead_ms)) {
			p->stale++;
			return PEER_DROP;
		}
		p->session = h->session;
		memset(&p->replay, 0, sizeof(p->replay));
		rx_reset(&p->rx);
		tx_reset(&p->tx);
		ret = PEER_NEW;
	}
	if (!replay_check(&p->replay, h->pn)) {
		p->replayed++;
		return PEER_DROP;
	}
	p->last_ms = now_ms;
	if (h->type == WIRE_HELLO) {
		p->hellos++;
		p->sender = h->flags & WIRE_F_SENDER;
		return ret;
	}
	if (h->peer_session != self) {
		p->stale++;
		return ret == PEER_NEW ? ret : PEER_DROP;
	}
	if (h->flags & WIRE_F_ACK)
		tx_ack(&p->tx, h->ack, h->flags & WIRE_F_GAP, now_ms);
	if (h->type == WIRE_DATA)
		rx_input(&p->rx, h, recs, deliver, ctx);
	return ret;
}

bool peer_alive(const struct peer *p, uint64_t now_ms, uint64_t dead_ms)
{
	return p->session && now_ms < p->last_ms + dead_ms;
}

enum peer_ready peer_ready(const struct peer *p, uint64_t now_ms,
			   uint64_t dead_ms, bool waited)
{
	if (!peer_alive(p, now_ms, dead_ms))
		return waited ? PEER_READY : PEER_WAIT_HELLO;
	if (p->sender && !p->rx.table)
		return PEER_WAIT_TABLE;
	return PEER_READY;
}

void peer_hdr(struct peer *p, uint64_t self, uint8_t type, uint64_t pn,
	      struct wire_hdr *h)
{
	bool gap;

	memset(h, 0, sizeof(*h));
	h->type = type;
	h->session = self;
	h->peer_session = p->session;
	h->pn = pn;
	if (type != WIRE_HELLO && p->rx.started) {
		h->ack = rx_ack(&p->rx, &gap);
		h->flags |= WIRE_F_ACK | (gap ? WIRE_F_GAP : 0);
		p->rx.ack_pending = false;
	}
}

void peer_data(struct peer *p, uint64_t self, const struct tx_slot *s,
	       uint64_t pn, struct wire_hdr *h)
{
	peer_hdr(p, self, WIRE_DATA, pn, h);
	h->seq = s->seq;
	h->flags |= s->flags & (WIRE_F_START | WIRE_F_END);
	h->nrec = s->nrec;
}
