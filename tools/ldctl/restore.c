// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl restore: run the command lines of a file written by ldctl save
 * (or by hand), all or nothing. Every line is parsed before the first one
 * is sent, so a typo changes nothing; a line the kernel refuses rolls the
 * running configuration back to what it was before the restore.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ldctl.h"
#include "model.h"

#define RESTORE_MAX_WORDS	64

void usage_restore(FILE *f)
{
	fputs("  ldctl restore [FILE]        (no FILE or -: standard input)\n",
	      f);
}

int restore_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		p += strspn(p, " \t\r\n\v\f");
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
		words[n++] = p;
		p += strcspn(p, " \t\r\n\v\f");
		if (*p)
			*p++ = '\0';
	}
	words[n] = NULL;
	return n;
}

/* Takes s (malloc'd). */
static void lines_push(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

void lines_add(struct lines *l, const char *s)
{
	char *copy = strdup(s);

	if (!copy) {
		ldctl_err("out of memory");
		exit(1);
	}
	lines_push(l, copy);
}

int read_lines(FILE *f, struct lines *l)
{
	char *line = NULL;
	size_t size = 0;

	while (getline(&line, &size, f) >= 0) {
		lines_push(l, line);
		line = NULL;
		size = 0;
	}
	free(line);
	return ferror(f) ? -1 : 0;
}

void free_lines(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Runs one line; *cmd: it held a command (not blank, not a comment). */
static int run_line(struct ldctl *ctx, char *line, bool *cmd)
{
	char *words[RESTORE_MAX_WORDS + 1];
	int n;

	n = restore_split(line, words, RESTORE_MAX_WORDS);
	if (n < 0) {
		ldctl_err("more than %d words", RESTORE_MAX_WORDS);
		return 1;
	}
	*cmd = n > 0;
	if (!n)
		return 0;
	if (!strcmp(words[0], "restore")) {
		ldctl_err("\"restore\" cannot be used in a restore file");
		return 1;
	}
	return ldctl_run(ctx, n, words);
}

/*
 * Runs the lines of l (or, with dry_run, only parses them); stops at the
 * first failure. *sent counts the commands applied (parsed) before it.
 * Returns 0 or 1; *failed is the failing line (1-based).
 */
int run_lines(struct ldctl *ctx, const char *name, const struct lines *l,
	      bool dry_run, size_t *sent, size_t *failed)
{
	char where[PATH_MAX + 32];
	size_t i;
	int ret = 0;

	*sent = 0;
	for (i = 0; i < l->n && !ret; i++) {
		char *copy = strdup(l->v[i]);
		bool cmd = false;

		if (!copy) {
			ldctl_err("out of memory");
			return 1;
		}
		snprintf(where, sizeof(where), "%s:%zu", name, i + 1);
		ldctl_where = where;
		ctx->dry_run = dry_run;
		ret = run_line(ctx, copy, &cmd);
		ctx->dry_run = false;
		ldctl_where = NULL;
		free(copy);
		if (ret)
			*failed = i + 1;
		else if (cmd)
			(*sent)++;
	}
	return ret;
}

/* The running configuration in the config form, as lines (save's). */
int snapshot(struct ldctl *ctx, struct lines *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (!f) {
		ldctl_err("out of memory");
		return 1;
	}
	ret = ldctl_save(ctx, f);
	if (fclose(f)) {
		ldctl_err("out of memory");
		ret = 1;
	}
	if (!ret) {
		f = fmemopen(buf, len ? len : 1, "r");
		if (!f || read_lines(f, l)) {
			ldctl_err("out of memory");
			ret = 1;
		}
		if (f)
			fclose(f);
	}
	free(buf);
	return ret;
}

/*
 * Rollback: sync back to the snapshot taken before the first line (sync.c):
 * what the restore added is deleted and what it changed is set back, so
 * the live conns of the configuration before it are kept. If that fails
 * too, flush and apply the snapshot again: that costs every live conn and
 * FPA, the objects' counters start again from zero, a real's failed state
 * is forgotten, and for a moment new conns find no virtual. There is no
 * kernel-side transaction: the packet path sees each step.
 */
static int rollback(struct ldctl *ctx, const struct lines *saved)
{
	char *flush[] = { "flush", NULL };
	size_t sent, failed = 0;

	if (!sync_to(ctx, saved, false)) {
		ldctl_err("rolled back: the configuration is as it was before the restore");
		return 0;
	}
	ldctl_err("rollback without a flush failed; flushing and restoring the configuration before the restore");
	if (ldctl_run(ctx, 1, flush) ||
	    run_lines(ctx, "running-config", saved, false, &sent, &failed)) {
		ldctl_err("rollback failed%s; the running configuration is incomplete",
			  failed ? " (line of the saved configuration above)" : "");
		return 1;
	}
	ldctl_err("rolled back: the configuration is as it was before the restore (live conns were dropped)");
	return 0;
}

/*
 * All or nothing: the whole file is parsed first; the running configuration
 * is saved before the first line is sent, and a line the kernel refuses
 * brings it back (rollback()).
 */
static int restore_lines(struct ldctl *ctx, const char *name,
			 const struct lines *l)
{
	struct lines saved = { };
	size_t sent, failed = 0;
	int ret;

	if (run_lines(ctx, name, l, true, &sent, &failed))
		return 1;
	if (!sent)
		return 0;
	if (snapshot(ctx, &saved)) {
		ldctl_err("cannot read the running configuration; nothing was changed");
		free_lines(&saved);
		return 1;
	}
	ret = run_lines(ctx, name, l, false, &sent, &failed);
	if (ret && sent) {
		ldctl_err("restore failed at %s:%zu after %zu applied line%s; rolling back",
			  name, failed, sent, sent == 1 ? "" : "s");
		rollback(ctx, &saved);
	}
	free_lines(&saved);
	return ret;
}

int cmd_restore(struct ldctl *ctx, int argc, char **argv)
{
	struct lines lines = { };
	const char *file = argc ? argv[0] : "-";
	const char *name = file;
	FILE *f = stdin;
	int ret;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_restore(stdout);
		return 0;
	}
	if (argc > 1)
		return ldctl_usage_err(usage_restore,
				       "unexpected argument \"%s\"", argv[1]);
	if (!strcmp(file, "-")) {
		name = "stdin";
	} else {
		f = fopen(file, "r");
		if (!f) {
			ldctl_err("cannot open \"%s\": %s", file,
				  strerror(errno));
			return 1;
		}
	}
	if (read_lines(f, &lines)) {
		ldctl_err("reading \"%s\": %s", name, strerror(errno));
		ret = 1;
	} else {
		ret = restore_lines(ctx, name, &lines);
	}
	if (f != stdin)
		fclose(f);
	free_lines(&lines);
	return ret;
}
