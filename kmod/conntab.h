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
void ldir_conn_refresh(struct ldir_net *ln, struct ldir_conn *cp, int dir,
		       const struct tcphdr *th, unsigned int payload);
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
