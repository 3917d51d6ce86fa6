/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One snapshot of every counter and gauge (the global ones, each virtual,
 * real and link) and its Prometheus text exposition form (ldctl metrics);
 * ldctl top (top.c) computes its rates from two snapshots.
 */
#ifndef LDCTL_METRICS_H
#define LDCTL_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct nl;

struct ld_snapshot {
	struct ld_global global;
	struct ld_list virtuals;	/* struct ld_virtual */
	struct ld_list reals;		/* struct ld_real */
	struct ld_list links;		/* struct ld_link */
};

#define LD_SNAPSHOT_INIT { \
	.virtuals = LD_LIST_INIT(struct ld_virtual), \
	.reals = LD_LIST_INIT(struct ld_real), \
	.links = LD_LIST_INIT(struct ld_link), \
}

/*
 * Four requests, each consistent in itself, then sorted (below); 0 or -1
 * (reported).
 */
int ld_snapshot_get(struct nl *nl, struct ld_snapshot *s);
void ld_snapshot_clear(struct ld_snapshot *s);
/*
 * Sorts the objects by key (links by virtual, then real), so that the
 * look-ups below are binary searches and a virtual's links are adjacent:
 * tens of thousands of links cost no quadratic time.
 */
void ld_snapshot_sort(struct ld_snapshot *s);
/* The object with that key (for a link: virt and real), or NULL. */
const struct ld_virtual *ld_snapshot_virtual(const struct ld_snapshot *s,
					     const struct ld_virtual *key);
const struct ld_real *ld_snapshot_real(const struct ld_snapshot *s,
				       const struct ld_real *key);
const struct ld_link *ld_snapshot_link(const struct ld_snapshot *s,
				       const struct ld_link *key);
/* <0, 0, >0 as a link's virtual sorts before, with, after v */
int ld_snapshot_link_vcmp(const struct ld_link *l,
			  const struct ld_virtual *v);

/*
 * The text exposition format (version 0.0.4): each family once, with its
 * HELP and TYPE lines, then its samples. The counters are ldctl's counter
 * table (ld_stats_names) and the settings its config table
 * (ld_config_names): one new in ldir.h shows up here without a change.
 */
void metrics_write(FILE *f, const struct ld_snapshot *s);

/*
 * The name counter (setting) i is exposed under, without the "ldir_"
 * prefix nor the object's ("virtual_", "real_", "backend_"). The drop
 * counters share one name; their reason label's value goes to reason
 * ("" for the others). Both buffers have METRICS_NAME_MAX bytes. NULL:
 * not exposed.
 */
#define METRICS_NAME_MAX	64
const char *metrics_stat_name(unsigned int i, char *name, char *reason);
const char *metrics_config_name(unsigned int i, char *name);
/* s as a label value (label) or HELP text escapes it. */
void metrics_escape(FILE *f, const char *s, bool label);

#endif /* LDCTL_METRICS_H */
