/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsing of command line words: numbers, addresses, endpoints and
 * keywords. Each parse_* that takes a "what" reports its own error,
 * quoting the bad input.
 */
#ifndef LDCTL_PARSE_H
#define LDCTL_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* Decimal digits only, fully consumed, min <= value <= max. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* As parse_uint; on failure: invalid WHAT "S" (expected MIN..MAX) */
int parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	      uint32_t *out);

/* A bare IPv4 or IPv6 address, no brackets, no port. */
int parse_addr(const char *s, struct ld_addr *a);

/* ADDR, ADDR:PORT, [ADDR6]:PORT, ADDR:PORT:BIND, [ADDR6]:PORT:BIND */
struct ld_ep {
	struct ld_addr addr;
	uint16_t port;
	uint32_t bind;
	bool has_port;
	bool has_bind;
};

enum {
	EP_PORT		= 1 << 0,	/* a port may follow */
	EP_NEED_PORT	= 1 << 1,	/* a port must follow */
	EP_BIND		= 1 << 2,	/* a bind ID may follow the port */
};

int parse_ep(const char *s, unsigned int flags, struct ld_ep *ep);

/*
 * A client prefix ADDR[/LEN] (no LEN: the whole address); host bits past
 * LEN must be zero.
 */
int parse_prefix(const char *s, struct ld_addr *a, uint8_t *plen);

int parse_proto(const char *s, uint8_t *proto);		/* tcp | udp */

/*
 * The key of a virtual instance, one grammar in every command:
 *
 *   tcp|udp VIP:PORT [bind ID]
 *
 * The protocol comes first, as ipvsadm's -t/-u, and is never implied; the
 * bind ID is a keyword, as in the settings. Fills the key fields of v
 * (LD_HAS_BIND when "bind" was given) and returns the number of words
 * taken, or -1 after reporting the error; cmd names the command in it
 * ("link add").
 */
/* s starts like an address or endpoint (a digit, '[' or has a ':') */
bool looks_like_ep(const char *s);
int parse_vkey(const char *cmd, void (*usage)(FILE *f), int argc,
	       char **argv, struct ld_virtual *v);
int parse_state(const char *s, uint8_t *state);		/* in | out */
int parse_sched(const char *s, char *sched);		/* length only */
int parse_startup(const char *s, uint8_t *startup);	/* rr | none */
/*
 * "none" (family 0: remove the backup) or an endpoint parsed with flags;
 * what names the object in the error: "backup real", "backup virtual".
 */
int parse_backup(const char *what, const char *s, unsigned int flags,
		 struct ld_backup *b);

#endif /* LDCTL_PARSE_H */
