// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's stand-in for the host tests (--fake-kernel DIR): DIR/conns
 * is the conn table the dump reads (one record a line, rec_format's form),
 * DIR/events a FIFO of the sync group's records ("lost" for an overrun),
 * DIR/applied where peers' records are appended, and DIR/virtuals, when it
 * exists, the virtuals ("tcp 192.0.2.10:80") outside of which records are
 * refused, as the kernel refuses them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake.h"

#define FAKE_BATCH	50

struct fake {
	char dir[256];
	int events;			/* the FIFO, read and write so never EOF */
	char ebuf[4096];
	size_t elen;
	FILE *dump;
};

static FILE *open_in(struct fake *f, const char *name, const char *mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return fopen(path, mode);
}

struct fake *fake_open(const char *dir)
{
	struct fake *f = calloc(1, sizeof(*f));
	char path[512];

	if (!f)
		return NULL;
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/events", dir);
	if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
		fprintf(stderr, "ldsyncd: %s: %s\n", path, strerror(errno));
		free(f);
		return NULL;
	}
	f->events = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (f->events < 0) {
		fprintf(stderr, "ldsyncd: %s: %s\n", path, strerror(errno));
		free(f);
		return NULL;
	}
	return f;
}

void fake_close(struct fake *f)
{
	if (f->dump)
		fclose(f->dump);
	close(f->events);
	free(f);
}

int fake_events_fd(const struct fake *f)
{
	return f->events;
}

int fake_events_read(struct fake *f, kernel_rec_cb cb, void *ctx,
		     struct kernel_stats *ks)
{
	struct sync_rec r;
	char *nl, *line;
	ssize_t n;
	int ret = 0;

	n = read(f->events, f->ebuf + f->elen, sizeof(f->ebuf) - 1 - f->elen);
	if (n <= 0)
		return n < 0 && errno != EAGAIN ? -errno : 0;
	f->elen += n;
	f->ebuf[f->elen] = 0;
	line = f->ebuf;
	while ((nl = strchr(line, '\n'))) {
		*nl = 0;
		if (!strcmp(line, "lost")) {
			ks->lost++;
			ret = 1;
		} else if (!rec_parse(line, &r)) {
			ks->events++;
			cb(ctx, &r);
		}
		line = nl + 1;
	}
	f->elen -= line - f->ebuf;
	memmove(f->ebuf, line, f->elen);
	if (f->elen == sizeof(f->ebuf) - 1)
		f->elen = 0;		/* a line too long: dropped */
	return ret;
}

/* the virtual of r is in DIR/virtuals, or there is no such file */
static bool have_virtual(struct fake *f, const struct sync_rec *r)
{
	char line[256], want[256], *sp;
	bool found = false;
	FILE *v;

	v = open_in(f, "virtuals", "re");
	if (!v)
		return true;
	rec_format(r, want, sizeof(want));
	/* "OP PROTO C V ...": the virtual is PROTO and V */
	{
		char op[16], proto[8], c[64], vv[64];

		if (sscanf(want, "%15s %7s %63s %63s", op, proto, c, vv) != 4) {
			fclose(v);
			return false;
		}
		snprintf(want, sizeof(want), "%s %s", proto, vv);
	}
	while (!found && fgets(line, sizeof(line), v)) {
		sp = strchr(line, '\n');
		if (sp)
			*sp = 0;
		found = !strcmp(line, want);
	}
	fclose(v);
	return found;
}

int fake_apply(struct fake *f, const struct sync_rec *recs, int n,
	       uint8_t *rejected, struct kernel_stats *ks)
{
	char line[256];
	int i, refused = 0;
	FILE *out;

	out = open_in(f, "applied", "ae");
	if (!out)
		return -errno;
	for (i = 0; i < n; i++) {
		rejected[i] = !have_virtual(f, &recs[i]);
		if (rejected[i]) {
			refused++;
			ks->rejected++;
			continue;
		}
		rec_format(&recs[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
		ks->applied++;
	}
	fclose(out);
	return refused;
}

int fake_dump_start(struct fake *f)
{
	if (f->dump)
		fclose(f->dump);
	f->dump = open_in(f, "conns", "re");
	if (!f->dump)
		f->dump = fopen("/dev/null", "re");
	return f->dump ? 0 : -errno;
}

int fake_dump_fd(const struct fake *f)
{
	return f->dump ? fileno(f->dump) : -1;
}

int fake_dump_read(struct fake *f, kernel_rec_cb cb, void *ctx,
		   struct kernel_stats *ks)
{
	char line[256];
	struct sync_rec r;
	int i;

	for (i = 0; i < FAKE_BATCH; i++) {
		if (!fgets(line, sizeof(line), f->dump)) {
			fclose(f->dump);
			f->dump = NULL;
			return 0;
		}
		if (!rec_parse(line, &r)) {
			ks->dumped++;
			cb(ctx, &r);
		}
	}
	return 1;
}
