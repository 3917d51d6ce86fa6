/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printing the model: human lines, JSON (json.h) and the config form that
 * ldctl restore reads back.
 */
#ifndef LDCTL_PRINT_H
#define LDCTL_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "model.h"
#include "msg.h"

struct pr {
	FILE *f;
	bool numeric;	/* protocols, states and times as raw numbers */
	bool color;
	bool details;	/* show: every setting and measure (-d) */
	bool stats;	/* show: every counter (-s) */
};

/* Human */
void pr_virtual(const struct pr *p, const struct ld_virtual *v);
void pr_real(const struct pr *p, const struct ld_real *r);
void pr_link(const struct pr *p, const struct ld_link *l);
void pr_conn(const struct pr *p, const struct ld_conn *c);
void pr_stats(const struct pr *p, const struct ld_stats *s);
void pr_config(const struct pr *p, const struct ld_config *c);
/* One line per event of ldctl monitor. */
void pr_event(const struct pr *p, const struct ld_event *e);
void pr_bind(const struct pr *p, const struct ld_bind *b);
void pr_fpa(const struct pr *p, const struct ld_fpa *f);
/*
 * Each virtual, then "  -> " its links with their reals' settings and
 * "  <- " the client prefixes assigned to it (binds may be NULL).
 */
void pr_show(const struct pr *p, const struct ld_list *virtuals,
	     const struct ld_list *links, const struct ld_list *reals,
	     const struct ld_list *binds);

/* JSON: one object (or for the lists, array) each */
void js_virtual(struct json *j, const struct ld_virtual *v);
void js_real(struct json *j, const struct ld_real *r);
void js_link(struct json *j, const struct ld_link *l);
void js_conn(struct json *j, const struct ld_conn *c);
void js_stats(struct json *j, const char *key, const struct ld_stats *s);
void js_config(struct json *j, const char *key, const struct ld_config *c);
void js_event(struct json *j, const struct ld_event *e);
void js_bind(struct json *j, const struct ld_bind *b);
void js_fpa(struct json *j, const struct ld_fpa *f);
/* {"virtuals":[...]} with the links and assigned prefixes of each inlined */
void js_show(struct json *j, const struct ld_list *virtuals,
	     const struct ld_list *links, const struct ld_list *reals,
	     const struct ld_list *binds);

/* Config form: ldctl command lines without the "ldctl" */
void save_config(FILE *f, const struct ld_config *c);
void save_virtual(FILE *f, const struct ld_virtual *v);
void save_real(FILE *f, const struct ld_real *r);
/*
 * "real set R backup B" / "virtual set V backup W", or nothing: written
 * after every real (virtual) so that the backup exists when named.
 */
void save_real_backup(FILE *f, const struct ld_real *r);
void save_virtual_backup(FILE *f, const struct ld_virtual *v);
void save_link(FILE *f, const struct ld_link *l);
void save_bind(FILE *f, const struct ld_bind *b);

/* The port a link sends to, as "link add" wrote it. */
uint16_t ld_link_port(const struct ld_link *l);

#endif /* LDCTL_PRINT_H */
