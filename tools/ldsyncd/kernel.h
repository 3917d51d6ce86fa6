/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldsyncd's side of the kernel: the "sync" multicast group of the ldir
 * family (new established conns, state changes, removals), the conn dump
 * for a bulk resync, and the insert and delete commands for what peers
 * send. A stand-in backed by files (--fake-kernel DIR) serves the host tests.
 */
#ifndef LDSYNCD_KERNEL_H
#define LDSYNCD_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct kernel;

typedef void (*kernel_rec_cb)(void *ctx, const struct sync_rec *r);

struct kernel_stats {
	uint64_t events;		/* records read from the sync group */
	uint64_t lost;			/* events lost: overruns, sequence gaps */
	uint64_t applied, rejected;	/* peers' records, by the kernel */
	uint64_t dumped;		/* records read from dumps */
};

/*
 * Opens the netlink sockets, or the stand-in in dir when dir is not NULL;
 * verbose: every refusal and dump error is logged to stderr.
 */
struct kernel *kernel_open(const char *fake_dir, bool verbose);
void kernel_close(struct kernel *k);
const struct kernel_stats *kernel_stats(const struct kernel *k);

/* The sync group: a descriptor to poll, and a read of what is there. */
int kernel_events_fd(const struct kernel *k);
/*
 * Calls cb for each record received; returns 0, 1 when events were lost
 * (the socket overran or the kernel's sequence numbers jumped: every peer
 * needs a resync), or -errno.
 */
int kernel_events_read(struct kernel *k, kernel_rec_cb cb, void *ctx);

/*
 * Asks the kernel how many sync records it dropped so far (its queue was
 * full or not made yet): 1 when the count grew since the last sync message
 * or poll (every peer needs a resync), 0, or -errno. A drop after the last
 * record of a burst comes with no message: the daemon polls for it.
 */
int kernel_poll_lost(struct kernel *k);

/*
 * Inserts or deletes n records from a peer; rejected[i] is set when the
 * kernel refused record i (no such virtual, or one configured otherwise).
 * Returns how many were refused, or -errno when the kernel was not reached.
 */
int kernel_apply(struct kernel *k, const struct sync_rec *recs, int n,
		 uint8_t *rejected);

/* A conn dump, read batch by batch when the peers have room for it. */
int kernel_dump_start(struct kernel *k);
/* The dump's descriptor to poll, -1 when no dump runs. */
int kernel_dump_fd(const struct kernel *k);
/* One batch: 1 more to come, 0 the dump is complete, -errno. */
int kernel_dump_read(struct kernel *k, kernel_rec_cb cb, void *ctx);

/* "tcp 10.0.1.2:40000 192.0.2.10:80 10.0.2.11:80 established 299000" */
int rec_format(const struct sync_rec *r, char *buf, size_t len);
int rec_parse(const char *line, struct sync_rec *r);

#endif /* LDSYNCD_KERNEL_H */
