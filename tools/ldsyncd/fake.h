/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's stand-in for the host tests: files in a directory instead
 * of the sync group, the conn dump and the insert commands (fake.c).
 */
#ifndef LDSYNCD_FAKE_H
#define LDSYNCD_FAKE_H

#include "kernel.h"

struct fake;

struct fake *fake_open(const char *dir);
void fake_close(struct fake *f);
int fake_events_fd(const struct fake *f);
int fake_events_read(struct fake *f, kernel_rec_cb cb, void *ctx,
		     struct kernel_stats *ks);
int fake_apply(struct fake *f, const struct sync_rec *recs, int n,
	       uint8_t *rejected, struct kernel_stats *ks);
int fake_dump_start(struct fake *f);
int fake_dump_fd(const struct fake *f);
int fake_dump_read(struct fake *f, kernel_rec_cb cb, void *ctx,
		   struct kernel_stats *ks);

#endif /* LDSYNCD_FAKE_H */
