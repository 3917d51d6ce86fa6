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
#include "parse.h"

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

/*
 * The syntax before the virtual's key became "tcp|udp VIP:PORT [bind ID]"
 * and the link's port its own word, read for one release:
 *   virtual add|set|del VIP:PORT tcp|udp ... [bind ID] ...
 *   link add|del VIP:PORT[:BIND] [tcp|udp] REAL[:PORT] [flush]
 *   assign|unassign VIP:PORT:BIND [tcp|udp] CLIENT[/LEN]
 *   fpa flush VIP:PORT[:BIND] [tcp|udp]
 * A missing protocol meant tcp there. OLD_WORDS words at most.
 */
#define OLD_WORDS	(RESTORE_MAX_WORDS + 8)

struct old_line {
	char *w[OLD_WORDS + 1];
	int n;
	char buf[4][LD_EP_STRLEN];	/* the words made here */
};

static void old_push(struct old_line *o, char *w)
{
	if (o->n < OLD_WORDS)
		o->w[o->n++] = w;
}

/* parse_ep without a report: a word that is no endpoint is left alone */
static int quiet_ep(const char *s, unsigned int flags, struct ld_ep *ep)
{
	FILE *errf = ldctl_errf;
	int ret;

	ldctl_errf = fopen("/dev/null", "w");
	if (!ldctl_errf) {
		ldctl_errf = errf;
		return -1;
	}
	ret = parse_ep(s, flags, ep);
	fclose(ldctl_errf);
	ldctl_errf = errf;
	return ret;
}

static bool is_proto(const char *s)
{
	return !strcmp(s, "tcp") || !strcmp(s, "udp");
}

/*
 * "tcp VIP:PORT [bind ID]" from the old VIP:PORT[:BIND] and protocol; a
 * word that is no endpoint goes on as it is, for the parser to report.
 */
static void old_vkey(struct old_line *o, char *ep_word, char *proto)
{
	struct ld_ep ep;

	old_push(o, proto);
	if (quiet_ep(ep_word, EP_NEED_PORT | EP_BIND, &ep)) {
		old_push(o, ep_word);
		return;
	}
	old_push(o, (char *)ld_ep_str(&ep.addr, ep.port, o->buf[0]));
	if (ep.has_bind) {
		snprintf(o->buf[1], sizeof(o->buf[1]), "%u", ep.bind);
		old_push(o, "bind");
		old_push(o, o->buf[1]);
	}
}

/*
 * Rewrites words[0..n) of the old syntax into o; returns false (o unused)
 * when the line is not in it.
 */
static bool old_syntax(char **words, int n, struct old_line *o)
{
	char *proto = "tcp";
	struct ld_ep ep;
	int i, k;

	o->n = 0;
	if (n >= 4 && !strcmp(words[0], "virtual") && looks_like_ep(words[2]) &&
	    is_proto(words[3])) {
		old_push(o, words[0]);
		old_push(o, words[1]);
		old_push(o, words[3]);
		old_push(o, words[2]);
		/* the bind ID moves up, right after the key */
		for (i = 4, k = -1; i + 1 < n && k < 0; i++)
			if (!strcmp(words[i], "bind"))
				k = i;
		if (k >= 0) {
			old_push(o, words[k]);
			old_push(o, words[k + 1]);
		}
		for (i = 4; i < n; i++)
			if (k < 0 || (i != k && i != k + 1))
				old_push(o, words[i]);
		return true;
	}
	if (n >= 4 && !strcmp(words[0], "link") && looks_like_ep(words[2])) {
		i = 3;
		if (is_proto(words[3]))
			proto = words[i++];
		if (i >= n)
			return false;
		old_push(o, words[0]);
		old_push(o, words[1]);
		old_vkey(o, words[2], proto);
		old_push(o, "real");
		old_push(o, words[i]);
		if (!quiet_ep(words[i], EP_PORT, &ep) && ep.has_port) {
			snprintf(o->buf[2], sizeof(o->buf[2]), "%u", ep.port);
			old_push(o, "port");
			old_push(o, o->buf[2]);
		}
		for (i++; i < n; i++)
			old_push(o, words[i]);
		return true;
	}
	if (n >= 3 && (!strcmp(words[0], "assign") ||
		       !strcmp(words[0], "unassign")) &&
	    looks_like_ep(words[1])) {
		i = 2;
		if (is_proto(words[2]))
			proto = words[i++];
		old_push(o, words[0]);
		old_vkey(o, words[1], proto);
		for (; i < n; i++)
			old_push(o, words[i]);
		return true;
	}
	if (n >= 3 && n <= 4 && !strcmp(words[0], "fpa") &&
	    !strcmp(words[1], "flush") && looks_like_ep(words[2])) {
		if (n == 4 && !is_proto(words[3]))
			return false;
		old_push(o, words[0]);
		old_push(o, words[1]);
		old_vkey(o, words[2], n == 4 ? words[3] : proto);
		return true;
	}
	return false;
}

/*
 * Runs one line; *cmd: it held a command (not blank, not a comment);
 * *old: it was in the old syntax.
 */
static int run_line(struct ldctl *ctx, char *line, bool *cmd, bool *old)
{
	char *words[RESTORE_MAX_WORDS + 1];
	struct old_line o;
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
	*old = old_syntax(words, n, &o);
	if (*old) {
		o.w[o.n] = NULL;
		return ldctl_run(ctx, o.n, o.w);
	}
	return ldctl_run(ctx, n, words);
}

/* For the tests: the old-syntax line rewritten, or NULL (not old). */
char *restore_old_line(const char *line)
{
	char *words[RESTORE_MAX_WORDS + 1], *copy = strdup(line), *out = NULL;
	struct old_line o;
	size_t len = 0;
	FILE *f;
	int i, n;

	if (!copy)
		return NULL;
	n = restore_split(copy, words, RESTORE_MAX_WORDS);
	if (n > 0 && old_syntax(words, n, &o)) {
		f = open_memstream(&out, &len);
		for (i = 0; f && i < o.n; i++)
			fprintf(f, "%s%s", i ? " " : "", o.w[i]);
		if (f)
			fclose(f);
	}
	free(copy);
	return out;
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
	size_t i, old = 0;
	int ret = 0;

	*sent = 0;
	for (i = 0; i < l->n && !ret; i++) {
		char *copy = strdup(l->v[i]);
		bool cmd = false, was_old = false;

		if (!copy) {
			ldctl_err("out of memory");
			return 1;
		}
		snprintf(where, sizeof(where), "%s:%zu", name, i + 1);
		ldctl_where = where;
		ctx->dry_run = dry_run;
		ret = run_line(ctx, copy, &cmd, &was_old);
		old += was_old;
		ctx->dry_run = false;
		ldctl_where = NULL;
		free(copy);
		if (ret)
			*failed = i + 1;
		else if (cmd)
			(*sent)++;
	}
	/* once, on the check before anything is sent */
	if (old && dry_run && !ret)
		ldctl_err("%s: %zu line%s in the syntax before ldctl 0.2 (read until the next release; \"ldctl save\" writes the new one)",
			  name, old, old == 1 ? "" : "s");
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
