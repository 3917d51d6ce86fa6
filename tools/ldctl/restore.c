// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl restore: run the command lines of a file written by ldctl save
 * (or by hand). Every line is parsed before the first one is sent, so a
 * typo changes nothing; a kernel error stops the run at its line.
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

struct lines {
	char **v;
	size_t n;
	size_t cap;
};

static int read_lines(FILE *f, struct lines *l)
{
	char *line = NULL;
	size_t size = 0;

	while (getline(&line, &size, f) >= 0) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 64;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = line;
		line = NULL;
		size = 0;
	}
	free(line);
	return ferror(f) ? -1 : 0;
}

static void free_lines(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int run_line(struct ldctl *ctx, char *line)
{
	char *words[RESTORE_MAX_WORDS + 1];
	int n;

	n = restore_split(line, words, RESTORE_MAX_WORDS);
	if (n < 0) {
		ldctl_err("more than %d words", RESTORE_MAX_WORDS);
		return 1;
	}
	if (!n)
		return 0;
	if (!strcmp(words[0], "restore")) {
		ldctl_err("\"restore\" cannot be used in a restore file");
		return 1;
	}
	return ldctl_run(ctx, n, words);
}

static int run_lines(struct ldctl *ctx, const char *name,
		     const struct lines *l, bool dry_run)
{
	char where[PATH_MAX + 32];
	size_t i;
	int ret = 0;

	for (i = 0; i < l->n && !ret; i++) {
		char *copy = strdup(l->v[i]);

		if (!copy) {
			ldctl_err("out of memory");
			return 1;
		}
		snprintf(where, sizeof(where), "%s:%zu", name, i + 1);
		ldctl_where = where;
		ctx->dry_run = dry_run;
		ret = run_line(ctx, copy);
		ctx->dry_run = false;
		ldctl_where = NULL;
		free(copy);
	}
	if (ret && !dry_run && i > 1)
		ldctl_err("restore stopped at %s:%zu; the lines before it were applied",
			  name, i);
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
		ret = run_lines(ctx, name, &lines, true);
		if (!ret)
			ret = run_lines(ctx, name, &lines, false);
	}
	if (f != stdin)
		fclose(f);
	free_lines(&lines);
	return ret;
}
