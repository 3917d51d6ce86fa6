// SPDX-License-Identifier: GPL-2.0
/*
 * The object table, verb dispatch, usage and error reporting.
 */
#include <stdarg.h>
#include <string.h>

#include "ldctl.h"
#include "model.h"
#include "nl.h"

FILE *ldctl_errf;
const char *ldctl_where;

static const struct cmd objects[] = {
	{ "virtual", cmd_virtual, usage_virtual },
	{ "real", cmd_real, usage_real },
	{ "link", cmd_link, usage_link },
	{ "assign", cmd_assign, usage_assign },
	{ "unassign", cmd_unassign, NULL },
	{ "binds", cmd_binds, NULL },
	{ "fpa", cmd_fpa, usage_fpa },
	{ "fastpath", cmd_fastpath, usage_fastpath },
	{ "show", cmd_show, usage_show },
	{ "conns", cmd_conns, usage_conns },
	{ "stats", cmd_stats, usage_stats },
	{ "config", cmd_config, usage_config },
	{ "flush", cmd_flush, usage_flush },
	{ "save", cmd_save, usage_save },
	{ "restore", cmd_restore, usage_restore },
	{ "sync", cmd_sync, usage_sync },
	{ "monitor", cmd_monitor, usage_monitor },
	{ "metrics", cmd_metrics, usage_metrics },
	{ "top", cmd_top, usage_top },
};

static FILE *errf(void)
{
	return ldctl_errf ? ldctl_errf : stderr;
}

void ldctl_err(const char *fmt, ...)
{
	FILE *f = errf();
	va_list ap;

	fputs("ldctl: ", f);
	if (ldctl_where)
		fprintf(f, "%s: ", ldctl_where);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static void print_usage(FILE *f, void (*usage)(FILE *f))
{
	fputs("Usage:\n", f);
	usage(f);
}

int ldctl_usage_err(void (*usage)(FILE *f), const char *fmt, ...)
{
	FILE *f = errf();
	va_list ap;

	fputs("ldctl: ", f);
	if (ldctl_where)
		fprintf(f, "%s: ", ldctl_where);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	/* restore names the line; a usage block per bad line is noise */
	if (usage && !ldctl_where)
		print_usage(f, usage);
	return 1;
}

static void usage_all(FILE *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (objects[i].usage)
			objects[i].usage(f);
	fputs("  ldctl help\n"
	      "\n"
	      "Options: -j, --json        JSON output\n"
	      "         -n, --numeric     protocols, states and times as numbers\n"
	      "         -d, --details     show: every setting and measure\n"
	      "         -s, --stats       show: packet and byte counters\n"
	      "         -N, --netns NAME  run in network namespace NAME (ip netns)\n"
	      "         -V, --version     ldctl's and the module's versions\n"
	      "A virtual: tcp|udp VIP:PORT [bind ID], in every command.\n"
	      "Addresses: 192.0.2.10:80, [2001:db8::1]:80; port 0: every port.\n"
	      "IPv6 takes brackets when a port follows; 2001:db8::1 alone is an\n"
	      "address without a port.\n",
	      f);
}

void ldctl_usage(FILE *f)
{
	fputs("Usage: ldctl [OPTIONS] OBJECT [COMMAND] [ARGS]\n", f);
	usage_all(f);
}

int ldctl_run(struct ldctl *ctx, int argc, char **argv)
{
	size_t i;

	if (argc < 1) {
		ldctl_usage_err(NULL, "missing command");
		if (!ldctl_where)
			ldctl_usage(errf());
		return 1;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc > 1) {
			ldctl_usage_err(NULL, "unexpected argument \"%s\"",
					argv[1]);
			if (!ldctl_where)
				ldctl_usage(errf());
			return 1;
		}
		ldctl_usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(argv[0], objects[i].name))
			return objects[i].fn(ctx, argc - 1, argv + 1);
	ldctl_usage_err(NULL, "unknown command \"%s\"", argv[0]);
	if (!ldctl_where)
		ldctl_usage(errf());
	return 1;
}

int ldctl_dispatch(struct ldctl *ctx, const struct cmd *cmds, const char *def,
		   void (*usage)(FILE *f), int argc, char **argv)
{
	const char *verb = argc ? argv[0] : def;
	const struct cmd *c;

	if (!strcmp(verb, "help")) {
		if (argc > 1)
			return ldctl_usage_err(usage,
					       "unexpected argument \"%s\"",
					       argv[1]);
		print_usage(stdout, usage);
		return 0;
	}
	for (c = cmds; c->name; c++)
		if (!strcmp(verb, c->name))
			return c->fn(ctx, argc ? argc - 1 : 0, argv + !!argc);
	return ldctl_usage_err(usage, "unknown command \"%s\"", verb);
}

struct nl *ldctl_nl(struct ldctl *ctx)
{
	if (!ctx->nl)
		ctx->nl = nl_open();
	return ctx->nl;
}

void ldctl_close(struct ldctl *ctx)
{
	nl_close(ctx->nl);
	ctx->nl = NULL;
}
