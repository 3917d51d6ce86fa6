/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldctl top: the rates (per second, from the counters' deltas between two
 * snapshots) and gauges of every virtual, link and real, redrawn in place.
 */
#ifndef LDCTL_TOP_H
#define LDCTL_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"

struct top_opts {
	unsigned int interval_ms;	/* -d SECONDS, default 1 s */
	unsigned int iterations;	/* -n N; 0: until q or a signal */
	bool batch;			/* -b: frames one after the other */
};

/* Returns 0, or 1 after reporting the error. */
int top_parse(int argc, char **argv, struct top_opts *o);

/* (cur - prev) / dt; a counter that went back (object re-created): cur */
double top_rate(uint64_t prev, uint64_t cur, double dt);
/* "0", "12.5", "1.2K", "3.4M", "5.6G"; buf has 16 bytes */
const char *top_fmt_rate(double rate, char *buf);

/*
 * One frame: a header line, the virtuals each followed by its links,
 * then the reals. prev NULL (the first interactive frame): rates "-".
 */
void top_render(FILE *f, const struct ld_snapshot *prev,
		const struct ld_snapshot *cur, double dt,
		unsigned int interval_ms);

#endif /* LDCTL_TOP_H */
