/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldctl: the command dispatch, the per-invocation context and error
 * reporting shared by every subcommand.
 */
#ifndef LDCTL_H
#define LDCTL_H

#include <stdbool.h>
#include <stdio.h>

struct nl;
struct ld_list;
struct ld_virtual;
struct ld_real;
struct ld_link;
struct ld_config;
struct ld_global;

struct ldctl {
	bool json;		/* -j: one JSON document on stdout */
	bool numeric;		/* -n: raw numbers, no names */
	bool color;		/* stdout is a tty */
	bool details;		/* -d: show every setting and measure */
	bool stats;		/* -s: show the traffic counters */
	bool dry_run;		/* parse the arguments, send nothing */
	struct nl *nl;		/* opened on first use */
};

struct cmd {
	const char *name;
	int (*fn)(struct ldctl *ctx, int argc, char **argv);
	void (*usage)(FILE *f);
};

/*
 * Subcommands return an exit status: 0 or 1. argv[0] is the first word
 * after the object (or after the subcommand for show, flush, ...).
 */
int ldctl_run(struct ldctl *ctx, int argc, char **argv);
void ldctl_usage(FILE *f);
/* Look up argv[0] in a table of verbs; a missing verb runs def. */
int ldctl_dispatch(struct ldctl *ctx, const struct cmd *cmds, const char *def,
		   void (*usage)(FILE *f), int argc, char **argv);

/* The netlink socket, opened on first use; NULL (reported) on failure. */
struct nl *ldctl_nl(struct ldctl *ctx);
void ldctl_close(struct ldctl *ctx);

/*
 * Errors go to ldctl_errf (stderr) as "ldctl: [where: ]message".
 * ldctl_where is "FILE:LINE" while restore runs a line.
 */
extern FILE *ldctl_errf;
extern const char *ldctl_where;
void ldctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports a usage error, adds the usage outside restore; returns 1. */
int ldctl_usage_err(void (*usage)(FILE *f), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Objects and commands, one file each. */
int cmd_virtual(struct ldctl *ctx, int argc, char **argv);
int cmd_real(struct ldctl *ctx, int argc, char **argv);
int cmd_link(struct ldctl *ctx, int argc, char **argv);
int cmd_show(struct ldctl *ctx, int argc, char **argv);
int cmd_conns(struct ldctl *ctx, int argc, char **argv);
int cmd_stats(struct ldctl *ctx, int argc, char **argv);
int cmd_config(struct ldctl *ctx, int argc, char **argv);
int cmd_flush(struct ldctl *ctx, int argc, char **argv);
int cmd_save(struct ldctl *ctx, int argc, char **argv);
int cmd_restore(struct ldctl *ctx, int argc, char **argv);
int cmd_monitor(struct ldctl *ctx, int argc, char **argv);
int cmd_sync(struct ldctl *ctx, int argc, char **argv);
int cmd_assign(struct ldctl *ctx, int argc, char **argv);
int cmd_unassign(struct ldctl *ctx, int argc, char **argv);
int cmd_binds(struct ldctl *ctx, int argc, char **argv);
int cmd_fpa(struct ldctl *ctx, int argc, char **argv);
int cmd_fastpath(struct ldctl *ctx, int argc, char **argv);
int cmd_metrics(struct ldctl *ctx, int argc, char **argv);
int cmd_top(struct ldctl *ctx, int argc, char **argv);

void usage_virtual(FILE *f);
void usage_real(FILE *f);
void usage_link(FILE *f);
void usage_show(FILE *f);
void usage_conns(FILE *f);
void usage_stats(FILE *f);
void usage_config(FILE *f);
void usage_flush(FILE *f);
void usage_save(FILE *f);
void usage_restore(FILE *f);
void usage_monitor(FILE *f);
void usage_sync(FILE *f);
void usage_assign(FILE *f);
void usage_fpa(FILE *f);
void usage_fastpath(FILE *f);
void usage_metrics(FILE *f);
void usage_top(FILE *f);

/*
 * Argument parsers, separate from the requests so that restore can check
 * a whole file before it changes anything and the tests can call them.
 * They return 0, or 1 after reporting the error.
 */
enum ld_verb { LD_ADD, LD_SET, LD_DEL };

int virtual_parse(enum ld_verb verb, int argc, char **argv,
		  struct ld_virtual *v);
int real_parse(enum ld_verb verb, int argc, char **argv, struct ld_real *r,
	       bool *flush);
int link_parse(enum ld_verb verb, int argc, char **argv, struct ld_link *l,
	       bool *flush);
int config_parse(int argc, char **argv, struct ld_config *c);
struct ld_bind;
int bind_parse(int argc, char **argv, struct ld_bind *b);
int fpa_flush_parse(int argc, char **argv, struct ld_virtual *v, bool *one);

/*
 * Splits a restore line into words in place; '#' starts a comment.
 * Returns the number of words, or -1 when there are more than max.
 */
int restore_split(char *line, char **words, int max);
/*
 * A line of the syntax before ldctl 0.2 rewritten into today's (malloc'd),
 * or NULL when it is not in the old syntax; restore and sync read it.
 */
char *restore_old_line(const char *line);

/* Writes the running configuration in the config form; 0 or 1 (reported). */
int ldctl_save(struct ldctl *ctx, FILE *f);

/* The lines of a configuration file (restore.c), for restore and sync. */
struct lines {
	char **v;
	size_t n;
	size_t cap;
};
int read_lines(FILE *f, struct lines *l);
void lines_add(struct lines *l, const char *s);
void free_lines(struct lines *l);
/* The running configuration, as save writes it; 0 or 1 (reported). */
int snapshot(struct ldctl *ctx, struct lines *l);
/*
 * Runs (dry_run: parses) the lines of l, stopping at the first failure;
 * *sent counts the commands that succeeded, *failed is the failing line.
 */
int run_lines(struct ldctl *ctx, const char *name, const struct lines *l,
	      bool dry_run, size_t *sent, size_t *failed);
/*
 * sync.c: changes the running configuration into target (lines in the
 * form save writes), only where they differ; 0 or 1 (reported).
 */
int sync_to(struct ldctl *ctx, const struct lines *target, bool print_only);
/* The commands sync_to runs to turn now into target, into cmds; 0 or 1. */
int sync_diff(const struct lines *now, const struct lines *target,
	      struct lines *cmds);

/* Dumps into lists of the model's objects; 0 or -1 (reported). */
int ld_dump_virtuals(struct nl *nl, struct ld_list *list);
int ld_dump_reals(struct nl *nl, struct ld_list *list);
int ld_dump_links(struct nl *nl, struct ld_list *list);
int ld_dump_conns(struct nl *nl, struct ld_list *list);
int ld_get_global(struct nl *nl, struct ld_global *g);
int ld_dump_binds(struct nl *nl, struct ld_list *list);
int ld_dump_fpas(struct nl *nl, struct ld_list *list);
/* fastpath.c: "fastpath add DEV" lines; 0 or -1 (reported) */
int save_fastpath(struct nl *nl, FILE *f);
int fastpath_parse(const char *verb, int argc, char **argv);


/*
 * Defines NAME(ctx, argc, argv), the list form of a show for one kind of
 * object: dump it with DUMP_FN, print a JSON array of JS_FN or a line of
 * PR_FN per
 * element. One definition for virtual, real, link and conns.
 */
#define LDCTL_DEFINE_LIST_SHOW(name, type, usage, dump_fn, js_fn, pr_fn) \
static int name(struct ldctl *ctx, int argc, char **argv)		\
{									\
	struct ld_list list = LD_LIST_INIT(type);			\
	struct pr p = { .f = stdout, .numeric = ctx->numeric,		\
			 .color = ctx->color };				\
	struct json j;							\
	struct nl *nl;							\
	size_t i;							\
									\
	if (argc)							\
		return ldctl_usage_err(usage, "unexpected argument \"%s\"", \
				       argv[0]);			\
	if (ctx->dry_run)						\
		return 0;						\
	nl = ldctl_nl(ctx);						\
	if (!nl || dump_fn(nl, &list)) {				\
		ld_list_clear(&list);					\
		return 1;						\
	}								\
	if (ctx->json) {						\
		json_init(&j, stdout);					\
		json_arr_begin(&j, NULL);				\
		for (i = 0; i < list.n; i++)				\
			js_fn(&j, ld_list_at(&list, type, i));		\
		json_arr_end(&j);					\
		json_finish(&j);					\
	} else {							\
		for (i = 0; i < list.n; i++)				\
			pr_fn(&p, ld_list_at(&list, type, i));		\
	}								\
	ld_list_clear(&list);						\
	return 0;							\
}

#endif /* LDCTL_H */
