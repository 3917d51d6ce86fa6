// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl sync: make the running configuration that of a file, changing only
 * what differs (like wg syncconf), so that the live conns of what stays
 * are kept. The file is restored first into a scratch network namespace:
 * the kernel checks every line there, and its save is the target, in the
 * same form as the running configuration's save, which is then compared
 * object by object.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ldctl.h"
#include "model.h"

#define SYNC_MAX_WORDS	64
#define SYNC_LINE_MAX	1024

void usage_sync(FILE *f)
{
	fputs("  ldctl sync [--dry-run] FILE (the running configuration becomes FILE's;\n"
	      "                             only what differs changes; --dry-run: print it)\n",
	      f);
}

/* One line of a save, split into words; key identifies its object. */
struct sline {
	char *buf;
	char *w[SYNC_MAX_WORDS + 1];
	int n;
	char key[SYNC_LINE_MAX];
	bool done;
};

struct sconf {
	struct sline *l;
	size_t n;
};

/* join words w[from..n) into buf (of SYNC_LINE_MAX), after prefix */
static void join(char *buf, const char *prefix, char *const *w, int from,
		 int n)
{
	int i;

	snprintf(buf, SYNC_LINE_MAX, "%s", prefix);
	for (i = from; i < n; i++)
		snprintf(buf + strlen(buf), SYNC_LINE_MAX - strlen(buf), "%s%s",
			 *buf ? " " : "", w[i]);
}

/* the value after keyword kw among w[from..n), or NULL */
static const char *word_after(const struct sline *s, int from, const char *kw)
{
	int i;

	for (i = from; i + 1 < s->n; i++)
		if (!strcmp(s->w[i], kw))
			return s->w[i + 1];
	return NULL;
}

static bool has_word(const struct sline *s, int from, const char *kw)
{
	int i;

	for (i = from; i < s->n; i++)
		if (!strcmp(s->w[i], kw))
			return true;
	return false;
}

/*
 * After "virtual add|set PROTO EP [bind N]" (or "link add ...",
 * from = 2; "assign ...", from = 1): the index of the word after the
 * virtual's key; *bind is N, "0" without one.
 */
static int vkey_end(const struct sline *s, int from, const char **bind)
{
	if (s->n >= from + 4 && !strcmp(s->w[from + 2], "bind")) {
		*bind = s->w[from + 3];
		return from + 4;
	}
	*bind = "0";
	return from + 2;
}

/*
 * The kinds of lines save writes, and each one's key:
 *   config set K V...                        "config"
 *   real add EP ...                          "real EP"
 *   real set EP backup B                     "rbackup EP"
 *   virtual add PROTO EP [bind N] ...        "virtual PROTO EP N"
 *   virtual set PROTO EP [bind N] backup B   "vbackup PROTO EP N"
 *   link add ... / assign ...                the line itself
 *   fastpath add DEV                         the line itself
 */
static int sconf_parse(const struct lines *src, struct sconf *c)
{
	size_t i;

	c->l = calloc(src->n ? src->n : 1, sizeof(*c->l));
	if (!c->l) {
		ldctl_err("out of memory");
		return 1;
	}
	for (i = 0; i < src->n; i++) {
		struct sline *s = &c->l[c->n];
		const char *bind;

		s->buf = strdup(src->v[i]);
		if (!s->buf) {
			ldctl_err("out of memory");
			return 1;
		}
		s->n = restore_split(s->buf, s->w, SYNC_MAX_WORDS);
		if (s->n <= 0) {
			free(s->buf);
			continue;
		}
		c->n++;
		if (s->n < 3)
			goto unknown;
		if (!strcmp(s->w[0], "config") && !strcmp(s->w[1], "set"))
			snprintf(s->key, sizeof(s->key), "config");
		else if (!strcmp(s->w[0], "real") && !strcmp(s->w[1], "add"))
			snprintf(s->key, sizeof(s->key), "real %s", s->w[2]);
		else if (!strcmp(s->w[0], "real") && !strcmp(s->w[1], "set") &&
			 s->n == 5 && !strcmp(s->w[3], "backup"))
			snprintf(s->key, sizeof(s->key), "rbackup %s", s->w[2]);
		else if (!strcmp(s->w[0], "virtual") && s->n >= 4 &&
			 !strcmp(s->w[1], "add") && vkey_end(s, 2, &bind))
			snprintf(s->key, sizeof(s->key), "virtual %s %s %s",
				 s->w[2], s->w[3], bind);
		else if (!strcmp(s->w[0], "virtual") && s->n >= 6 &&
			 !strcmp(s->w[1], "set") &&
			 s->n == vkey_end(s, 2, &bind) + 2 &&
			 !strcmp(s->w[s->n - 2], "backup"))
			snprintf(s->key, sizeof(s->key), "vbackup %s %s %s",
				 s->w[2], s->w[3], bind);
		else if ((!strcmp(s->w[0], "link") && !strcmp(s->w[1], "add")) ||
			 !strcmp(s->w[0], "assign") ||
			 (!strcmp(s->w[0], "fastpath") && !strcmp(s->w[1], "add")))
			join(s->key, "", s->w, 0, s->n);
		else
			goto unknown;
	}
	return 0;
unknown:
	ldctl_err("sync: unexpected line \"%s\" in a saved configuration",
		  src->v[i]);
	return 1;
}

static void sconf_free(struct sconf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->l[i].buf);
	free(c->l);
}

static struct sline *find(const struct sconf *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->l[i].key, key))
			return &c->l[i];
	return NULL;
}

/* same words from the third on (the settings of an object's line) */
static bool same_tail(const struct sline *a, const struct sline *b, int from)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = from; i < a->n; i++)
		if (strcmp(a->w[i], b->w[i]))
			return false;
	return true;
}

static bool kind(const struct sline *s, const char *prefix)
{
	return !strncmp(s->key, prefix, strlen(prefix));
}

/* "virtual VERB PROTO EP [bind N]" for a "virtual add|set" line */
static int vverb(char *buf, const char *verb, const struct sline *v)
{
	const char *bind;
	int end = vkey_end(v, 2, &bind);

	snprintf(buf, SYNC_LINE_MAX, "virtual %s %s %s", verb, v->w[2],
		 v->w[3]);
	if (end == 6)
		snprintf(buf + strlen(buf), SYNC_LINE_MAX - strlen(buf),
			 " bind %s", bind);
	return end;
}

static void vdel(char *buf, const struct sline *v)
{
	vverb(buf, "del", v);
}

/*
 * "virtual set" from a "virtual add" line: its settings but stateless
 * (fixed at creation), and the settings save leaves out at their default
 * spelt out, so that a set also turns them off.
 */
static void vset(char *buf, const struct sline *v)
{
	int i, end = vverb(buf, "set", v);

	for (i = end; i < v->n; i++)
		if (strcmp(v->w[i], "stateless"))
			snprintf(buf + strlen(buf), SYNC_LINE_MAX - strlen(buf),
				 " %s", v->w[i]);
	if (!word_after(v, 4, "fpa"))
		snprintf(buf + strlen(buf), SYNC_LINE_MAX - strlen(buf),
			 " fpa 0");
	if (!word_after(v, 4, "fpa-mask"))
		snprintf(buf + strlen(buf), SYNC_LINE_MAX - strlen(buf),
			 " fpa-mask %d", strchr(v->w[3], '[') ? 128 : 32);
	if (end == 6 && !has_word(v, 4, "overflow"))
		snprintf(buf + strlen(buf), SYNC_LINE_MAX - strlen(buf),
			 " no-overflow");
}

/* s is a link, bind or backup of the virtual of "virtual add" line v */
static bool belongs(const struct sline *s, const struct sline *v)
{
	const char *vbind, *sbind;
	int from;

	if (kind(s, "vbackup "))
		return !strcmp(s->key + strlen("vbackup "),
			       v->key + strlen("virtual "));
	/* link add PROTO EP [bind N] ..., assign PROTO EP bind N PREFIX */
	if (kind(s, "link "))
		from = 2;
	else if (kind(s, "assign "))
		from = 1;
	else
		return false;
	vkey_end(v, 2, &vbind);
	vkey_end(s, from, &sbind);
	return s->n >= from + 2 && !strcmp(s->w[from], v->w[2]) &&
	       !strcmp(s->w[from + 1], v->w[3]) && !strcmp(sbind, vbind);
}

/* The commands that turn cur into want, in an order the kernel accepts. */
static void diff(struct sconf *cur, struct sconf *want, struct lines *out)
{
	char buf[SYNC_LINE_MAX], k[SYNC_LINE_MAX];
	struct sline *a, *b;
	size_t i;
	int j;

	/* settings that differ */
	a = find(cur, "config");
	b = find(want, "config");
	if (b) {
		snprintf(buf, sizeof(buf), "config set");
		for (j = 2; j + 1 < b->n; j += 2) {
			const char *v = a ? word_after(a, 2, b->w[j]) : NULL;

			if (!v || strcmp(v, b->w[j + 1]))
				snprintf(buf + strlen(buf),
					 sizeof(buf) - strlen(buf), " %s %s",
					 b->w[j], b->w[j + 1]);
		}
		if (strcmp(buf, "config set"))
			lines_add(out, buf);
	}
	/* reals: new ones, changed ones */
	for (i = 0; i < want->n; i++) {
		b = &want->l[i];
		if (!kind(b, "real "))
			continue;
		a = find(cur, b->key);
		if (!a) {
			join(buf, "", b->w, 0, b->n);
			lines_add(out, buf);
		} else if (!same_tail(a, b, 3)) {
			join(buf, "real set", b->w, 2, b->n);
			lines_add(out, buf);
		}
	}
	/*
	 * virtuals: new ones, changed ones; one whose stateless flag changes
	 * is made again (its links and binds then count as gone)
	 */
	for (i = 0; i < want->n; i++) {
		b = &want->l[i];
		if (!kind(b, "virtual "))
			continue;
		a = find(cur, b->key);
		if (a && has_word(a, 4, "stateless") !=
			 has_word(b, 4, "stateless")) {
			vdel(buf, a);
			lines_add(out, buf);
			for (j = 0; j < (int)cur->n; j++)
				if (belongs(&cur->l[j], a))
					cur->l[j].done = true;
			a = NULL;
		}
		if (!a) {
			join(buf, "", b->w, 0, b->n);
			lines_add(out, buf);
		} else if (!same_tail(a, b, 4)) {
			vset(buf, b);
			lines_add(out, buf);
		}
	}
	/* backups, once every real and virtual they may name exists */
	for (i = 0; i < want->n; i++) {
		b = &want->l[i];
		if (!kind(b, "rbackup ") && !kind(b, "vbackup "))
			continue;
		a = find(cur, b->key);
		if (!a || a->done || !same_tail(a, b, 0)) {
			join(buf, "", b->w, 0, b->n);
			lines_add(out, buf);
		}
	}
	for (i = 0; i < cur->n; i++) {
		a = &cur->l[i];
		if (a->done || find(want, a->key))
			continue;
		if (kind(a, "rbackup ")) {
			/* the real stays, without a backup */
			snprintf(k, sizeof(k), "real %s", a->w[2]);
			if (find(want, k)) {
				snprintf(buf, sizeof(buf),
					 "real set %s backup none", a->w[2]);
				lines_add(out, buf);
			}
		}
		if (kind(a, "vbackup ")) {
			snprintf(k, sizeof(k), "virtual %s",
				 a->key + strlen("vbackup "));
			if (find(want, k)) {
				vverb(buf, "set", a);
				snprintf(buf + strlen(buf),
					 sizeof(buf) - strlen(buf),
					 " backup none");
				lines_add(out, buf);
			}
		}
	}
	/* links and binds: the ones that go, then the new ones */
	for (i = 0; i < cur->n; i++) {
		a = &cur->l[i];
		if (a->done || find(want, a->key))
			continue;
		if (kind(a, "link ")) {
			join(buf, "link del", a->w, 2, a->n);
			lines_add(out, buf);
		} else if (kind(a, "assign ")) {
			join(buf, "unassign", a->w, 1, a->n);
			lines_add(out, buf);
		} else if (kind(a, "fastpath ")) {
			join(buf, "fastpath del", a->w, 2, a->n);
			lines_add(out, buf);
		}
	}
	for (i = 0; i < want->n; i++) {
		b = &want->l[i];
		if (!kind(b, "link ") && !kind(b, "assign ") &&
		    !kind(b, "fastpath "))
			continue;
		a = find(cur, b->key);
		if (!a || a->done) {
			join(buf, "", b->w, 0, b->n);
			lines_add(out, buf);
		}
	}
	/* virtuals, then reals, that are not in the file */
	for (i = 0; i < cur->n; i++) {
		a = &cur->l[i];
		if (kind(a, "virtual ") && !find(want, a->key)) {
			vdel(buf, a);
			lines_add(out, buf);
		}
	}
	for (i = 0; i < cur->n; i++) {
		a = &cur->l[i];
		if (kind(a, "real ") && !find(want, a->key)) {
			snprintf(buf, sizeof(buf), "real del %s", a->w[2]);
			lines_add(out, buf);
		}
	}
}

int sync_diff(const struct lines *now, const struct lines *target,
	      struct lines *cmds)
{
	struct sconf cur = { }, want = { };
	int ret = 1;

	if (!sconf_parse(now, &cur) && !sconf_parse(target, &want)) {
		diff(&cur, &want, cmds);
		ret = 0;
	}
	sconf_free(&cur);
	sconf_free(&want);
	return ret;
}

int sync_to(struct ldctl *ctx, const struct lines *target, bool print_only)
{
	struct lines now = { }, cmds = { };
	size_t i, sent, failed = 0;
	int ret = 1;

	if (snapshot(ctx, &now) || sync_diff(&now, target, &cmds))
		goto out;
	if (print_only) {
		for (i = 0; i < cmds.n; i++)
			printf("%s\n", cmds.v[i]);
		ret = 0;
		goto out;
	}
	ret = run_lines(ctx, "sync", &cmds, false, &sent, &failed);
out:
	free_lines(&now);
	free_lines(&cmds);
	return ret;
}

/*
 * A line of the file: a "fastpath add DEV" goes to devs, as save writes
 * it; any other (a blank line too, to keep the line numbers) to objects.
 */
static void fastpath_line(const char *line, struct lines *objects,
			  struct lines *devs)
{
	char buf[SYNC_LINE_MAX], *w[SYNC_MAX_WORDS + 1];
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = restore_split(buf, w, SYNC_MAX_WORDS);
	if (n == 3 && !strcmp(w[0], "fastpath") && !strcmp(w[1], "add")) {
		snprintf(buf, sizeof(buf), "fastpath add %s\n", w[2]);
		lines_add(devs, buf);
		lines_add(objects, "\n");
		return;
	}
	lines_add(objects, line);
}

/*
 * The target: the file restored in a scratch network namespace, saved.
 * A child process makes the namespace (CAP_SYS_ADMIN) and writes the save
 * into a pipe; the kernel's errors name the file's lines.
 */
static int scratch_save(const char *name, const struct lines *file,
			struct lines *target)
{
	struct lines objects = { }, devs = { };
	int fd[2], status;
	size_t i;
	pid_t pid;
	FILE *f;
	int ret;

	for (i = 0; i < file->n; i++)
		fastpath_line(file->v[i], &objects, &devs);

	if (pipe(fd)) {
		ldctl_err("pipe: %s", strerror(errno));
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ldctl_err("fork: %s", strerror(errno));
		return 1;
	}
	if (!pid) {
		struct ldctl scratch = { };
		size_t sent, failed;

		close(fd[0]);
		if (unshare(CLONE_NEWNET)) {
			ldctl_err("sync: a scratch network namespace: %s",
				  strerror(errno));
			_exit(1);
		}
		f = fdopen(fd[1], "w");
		if (!f || run_lines(&scratch, name, &objects, false, &sent,
				    &failed) || ldctl_save(&scratch, f))
			_exit(1);
		/* the devices are the running namespace's, not the scratch
		 * one's: the lines go to the target as they are (checked
		 * when they are run)
		 */
		for (i = 0; i < devs.n; i++)
			fputs(devs.v[i], f);
		_exit(fclose(f) ? 1 : 0);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	ret = !f || read_lines(f, target);
	if (f)
		fclose(f);
	else
		close(fd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
	free_lines(&objects);
	free_lines(&devs);
	return ret;
}

int cmd_sync(struct ldctl *ctx, int argc, char **argv)
{
	struct lines file = { }, target = { };
	bool dry_run = false;
	size_t sent, failed;
	FILE *f;
	int ret;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_sync(stdout);
		return 0;
	}
	if (argc && !strcmp(argv[0], "--dry-run")) {
		dry_run = true;
		argc--;
		argv++;
	}
	if (!argc)
		return ldctl_usage_err(usage_sync, "missing FILE");
	if (argc > 1)
		return ldctl_usage_err(usage_sync, "unexpected argument \"%s\"",
				       argv[1]);
	f = fopen(argv[0], "r");
	if (!f) {
		ldctl_err("cannot open \"%s\": %s", argv[0], strerror(errno));
		return 1;
	}
	ret = read_lines(f, &file);
	fclose(f);
	if (ret) {
		ldctl_err("reading \"%s\": %s", argv[0], strerror(errno));
		goto out;
	}
	ret = run_lines(ctx, argv[0], &file, true, &sent, &failed);
	if (ret || ctx->dry_run)
		goto out;
	ret = scratch_save(argv[0], &file, &target) ||
	      sync_to(ctx, &target, dry_run);
out:
	free_lines(&file);
	free_lines(&target);
	return ret;
}
