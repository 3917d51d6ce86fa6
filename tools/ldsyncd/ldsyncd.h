/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's state: its peers, its role, its sockets; shared by main.c
 * (the loop, the datagrams, the kernel's records) and ctl.c (the control
 * socket and `ldsyncd ctl`).
 */
#ifndef LDSYNCD_H
#define LDSYNCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "kernel.h"
#include "peer.h"
#include "wire.h"

#define LDSYNCD_PORT	7411
#define LDSYNCD_CTL	"/run/ldsyncd.sock"
#define MAX_PEERS	32

enum role {
	ROLE_BACKUP,		/* receives only */
	ROLE_MASTER,		/* sends its conns and receives */
	ROLE_ACTIVE,		/* the same as master, for active/active */
};

extern const char *const role_names[3];

struct speer {
	struct peer p;
	struct sockaddr_storage sa;	/* as sent to (v4-mapped on IPv6) */
	socklen_t salen;
	bool dumping;			/* fed by the running dump */
	uint64_t hello_ms;		/* last HELLO sent */
};

struct daemon {
	enum role role;
	uint64_t session;
	uint64_t pn;
	int udp, ctl;
	int family;			/* of the UDP socket */
	char listen[80];
	char ctl_path[108];
	struct hmac_key key;
	bool keyed;
	struct kernel *k;
	struct speer peers[MAX_PEERS];
	int npeers;
	bool dump_running, dump_again;
	uint64_t poll_ms;		/* the kernel's drop count, last asked */
	/*
	 * Ready: no peer holds a part of the table this director lacks (see
	 * daemon_ready); start_ms: when the daemon started, ready_ms: when it
	 * last became ready (0: not ready).
	 */
	bool ready;
	uint64_t start_ms, ready_ms;
	/* settings */
	uint32_t ring, rto_ms, hello_ms, dead_ms, ready_timeout_ms;
	/* counters of what no peer can be blamed for */
	uint64_t bad[__WIRE_EMAX];
	uint64_t unknown_peer, send_errors;
	uint64_t role_switches;
};

uint64_t now_ms(void);
void daemon_set_role(struct daemon *d, enum role role);
/* A bulk resync to every peer that is alive (ldsyncd ctl resync). */
void daemon_resync_all(struct daemon *d);
/*
 * Updates and returns d->ready: every peer is PEER_READY (peer.h), with
 * peers not heard waited for until ready_timeout_ms after start. *why
 * (when not NULL) is set to the first peer waited for, or NULL.
 */
bool daemon_ready(struct daemon *d, uint64_t now, const struct speer **why);

/* ctl.c */
int ctl_listen(struct daemon *d);
void ctl_accept(struct daemon *d);
void ctl_close(struct daemon *d);
void ctl_stats(struct daemon *d, FILE *f);
void ctl_metrics(struct daemon *d, FILE *f);
/* `ldsyncd ctl [--ctl PATH] COMMAND...`: returns the exit status */
int ctl_client(int argc, char **argv);

#endif /* LDSYNCD_H */
