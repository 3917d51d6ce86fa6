/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conn table: one client connection through a virtual to a real,
 * hashed by both directions in an RCU table; lookup, insert, kill, flush
 * by predicate and the GC. It knows nothing of scheduling.
 */
#ifndef _LDIR_CONNTAB_H
#define _LDIR_CONNTAB_H

#include <linux/tcp.h>

#include "ldir.h"

/* What the conn table tells the layers above it, which it does not
 * call: set once at module init (ldir_conntab_set_ops()).
 */
struct ldir_conntab_ops {
	/* a conn of @r closed or went: its load went down */
	void (*load_down)(struct ldir_real *r);
};

void ldir_conntab_set_ops(const struct ldir_conntab_ops *ops);

struct ldir_conn *ldir_conn_lookup_rcu(struct ldir_net *ln,
				       const struct ldir_tuple *t, int dir);
struct ldir_conn *ldir_conn_create(struct ldir_net *ln,
				   const struct ldir_tuple *t,
				   struct ldir_link *link,
				   struct ldir_real *real, __be16 rport,
				   u8 state);
struct ldir_conn *ldir_conn_peer_create(struct ldir_net *ln,
					const struct ldir_tuple *t,
					struct ldir_link *link,
					struct ldir_real *real, __be16 rport,
					u8 state, u32 timeout);
void ldir_conn_peer_update(struct ldir_net *ln, struct ldir_conn *cp,
			   u8 state, u32 timeout);
bool ldir_conn_kill(struct ldir_net *ln, struct ldir_conn *cp);
void ldir_conn_update_state(struct ldir_net *ln, struct ldir_conn *cp,
			    int dir, const struct tcphdr *th,
			    unsigned int payload);
void ldir_conn_refresh_sync(struct ldir_net *ln, struct ldir_conn *cp,
			    u32 timeout);
void ldir_conn_timing(struct ldir_net *ln, struct ldir_conn *cp, int dir);
typedef bool (*ldir_conn_match_t)(const struct ldir_conn *cp, const void *arg);
unsigned int ldir_conn_flush_match(struct ldir_net *ln, ldir_conn_match_t match,
				   const void *arg);
unsigned int ldir_conn_flush(struct ldir_net *ln, const struct ldir_link *link,
			     const struct ldir_virtual *virt,
			     const struct ldir_real *real);
unsigned int ldir_conn_gc_scan(struct ldir_net *ln, unsigned int n);
u32 ldir_conn_embryonic_max(const struct ldir_net *ln);
bool ldir_conn_evict(struct ldir_net *ln, const struct ldir_tuple *t);

/* Is @x within LDIR_SEQ_WINDOW of @ref, either way (mod 2^32)? */
static inline bool ldir_seq_near(u32 x, u32 ref)
{
	return x - (ref - LDIR_SEQ_WINDOW) <= 2 * LDIR_SEQ_WINDOW;
}

/* ldir_conn_update_state() for a packet the fast path takes: an
 * established TCP conn's segment with no SYN, FIN or RST, or a UDP conn's
 * datagram. Neither moves the state on, so a conn of this director's own
 * with (TCP) both sides' sequence numbers known, or (UDP) nothing to
 * confirm, has only its sequence mark (when the segment is plausible, as
 * seq_track() judges it) and expiry to move: inline, a few loads and a
 * store. Any other takes the full way, as does one another CPU has just
 * moved out of that state.
 */
static __always_inline void ldir_conn_refresh(struct ldir_net *ln,
					      struct ldir_conn *cp, int dir,
					      const struct tcphdr *th,
					      unsigned int payload)
{
	unsigned long want = 0, mask = BIT(LDIR_CONN_B_PEER);
	u8 state = READ_ONCE(cp->state);
	u32 timeout, expires, seq, next;

	if (th) {
		want = BIT(LDIR_CONN_B_SEQ) | BIT(LDIR_CONN_B_SEQ_REPLY);
		mask |= want;
	} else if (dir == LDIR_DIR_REPLY) {
		/* the real's first answer confirms a UDP conn */
		want = BIT(LDIR_CONN_B_CONFIRMED);
		mask |= want;
	}
	if (unlikely((READ_ONCE(cp->flags) & mask) != want ||
		     state != (th ? LDIR_CONN_S_ESTABLISHED : LDIR_CONN_S_UDP))) {
		ldir_conn_update_state(ln, cp, dir, th, payload);
		return;
	}
	if (th) {
		/* the bits before the values: pairs with seq_track() */
		smp_rmb();
		seq = ntohl(th->seq);
		next = READ_ONCE(cp->seq_next[dir]);
		if (ldir_seq_near(seq, next) &&
		    (!th->ack || ldir_seq_near(ntohl(th->ack_seq),
					       READ_ONCE(cp->seq_next[!dir]))) &&
		    (s32)(seq + payload - next) > 0)
			WRITE_ONCE(cp->seq_next[dir], seq + payload);
	}
	timeout = READ_ONCE(cp->real->idle_timeout) ?:
		  READ_ONCE(ln->timeout[state]);
	expires = (u32)(jiffies + timeout);
	/* one store per jiffy at most, not per packet */
	if (unlikely(READ_ONCE(cp->expires) != expires)) {
		WRITE_ONCE(cp->expires, expires);
		ldir_conn_refresh_sync(ln, cp, timeout);
	}
}

/* Under SYN pressure (see conntab.c)? Lockless. */
static inline bool ldir_conn_pressure(const struct ldir_net *ln)
{
	return READ_ONCE(ln->conns.pressure);
}

int ldir_conn_cache_init(void);
void ldir_conn_cache_uninit(void);
void ldir_conn_table_init(struct ldir_net *ln);
int ldir_conn_table_alloc(struct ldir_net *ln);
void ldir_conn_table_uninit(struct ldir_net *ln);

u8 ldir_tcp_next_state(u8 state, int dir, bool syn, bool ack, bool fin,
		       bool rst);

void ldir_conn_for_each(struct ldir_net *ln,
			void (*fn)(struct ldir_conn *cp, void *arg), void *arg);

/* Walks the table for dumps: returns the conn at (*bucket, *idx) and moves
 * the cursor on; NULL at the end. Caller holds rcu_read_lock().
 */
struct ldir_conn *ldir_conn_dump_next(struct ldir_net *ln,
				      unsigned int *bucket, unsigned int *idx);

#endif /* _LDIR_CONNTAB_H */
