// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl show and ldctl save: the whole configuration, as a report (each
 * virtual with its links, the reals' settings and the counters) or in the
 * config form that ldctl restore reads back.
 */
#include <string.h>

#include "ldctl.h"
#include "nl.h"
#include "print.h"

void usage_show(FILE *f)
{
	fputs("  ldctl [-d|-s] show         (-d: every setting, -s: every counter)\n",
	      f);
}

struct ld_all {
	struct ld_list virtuals;
	struct ld_list links;
	struct ld_list reals;
	struct ld_list binds;
};

/*
 * Three dumps, each consistent in itself; a change between them shows a
 * link without its real's settings, never a wrong value.
 */
static int dump_all(struct nl *nl, struct ld_all *all)
{
	return ld_dump_virtuals(nl, &all->virtuals) ||
	       ld_dump_links(nl, &all->links) ||
	       ld_dump_reals(nl, &all->reals) ||
	       ld_dump_binds(nl, &all->binds) ? -1 : 0;
}

static void free_all(struct ld_all *all)
{
	ld_list_clear(&all->virtuals);
	ld_list_clear(&all->links);
	ld_list_clear(&all->reals);
	ld_list_clear(&all->binds);
}

#define LD_ALL_INIT { \
	.virtuals = LD_LIST_INIT(struct ld_virtual), \
	.links = LD_LIST_INIT(struct ld_link), \
	.reals = LD_LIST_INIT(struct ld_real), \
	.binds = LD_LIST_INIT(struct ld_bind), \
}

int cmd_show(struct ldctl *ctx, int argc, char **argv)
{
	struct pr p = { .f = stdout, .numeric = ctx->numeric,
			.color = ctx->color, .details = ctx->details,
			.stats = ctx->stats };
	struct ld_all all = LD_ALL_INIT;
	struct json j;
	struct nl *nl;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_show(stdout);
		return 0;
	}
	if (argc)
		return ldctl_usage_err(usage_show,
				       "unexpected argument \"%s\"", argv[0]);
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl || dump_all(nl, &all)) {
		free_all(&all);
		return 1;
	}
	if (ctx->json) {
		json_init(&j, stdout);
		js_show(&j, &all.virtuals, &all.links, &all.reals, &all.binds);
		json_finish(&j);
	} else {
		pr_show(&p, &all.virtuals, &all.links, &all.reals, &all.binds);
	}
	free_all(&all);
	return 0;
}

void usage_save(FILE *f)
{
	fputs("  ldctl save\n", f);
}

/*
 * The config form: what restore reads back. Reals before the links, and
 * every real (virtual) before a backup names it.
 */
int ldctl_save(struct ldctl *ctx, FILE *f)
{
	struct ld_all all = LD_ALL_INIT;
	struct ld_global g;
	struct nl *nl;
	size_t i;

	nl = ldctl_nl(ctx);
	if (!nl || ld_get_global(nl, &g) || dump_all(nl, &all)) {
		free_all(&all);
		return 1;
	}
	fputs("# ldir configuration (ldctl save); load with: ldctl restore FILE\n",
	      f);
	save_config(f, &g.config);
	for (i = 0; i < all.reals.n; i++)
		save_real(f, ld_list_at(&all.reals, struct ld_real, i));
	for (i = 0; i < all.reals.n; i++)
		save_real_backup(f, ld_list_at(&all.reals, struct ld_real, i));
	for (i = 0; i < all.virtuals.n; i++)
		save_virtual(f, ld_list_at(&all.virtuals, struct ld_virtual, i));
	for (i = 0; i < all.virtuals.n; i++)
		save_virtual_backup(f, ld_list_at(&all.virtuals,
						  struct ld_virtual, i));
	for (i = 0; i < all.links.n; i++)
		save_link(f, ld_list_at(&all.links, struct ld_link, i));
	for (i = 0; i < all.binds.n; i++)
		save_bind(f, ld_list_at(&all.binds, struct ld_bind, i));
	free_all(&all);
	return save_fastpath(nl, f) ? 1 : 0;
}

int cmd_save(struct ldctl *ctx, int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_save(stdout);
		return 0;
	}
	if (argc)
		return ldctl_usage_err(usage_save,
				       "unexpected argument \"%s\"", argv[0]);
	if (ctx->dry_run)
		return 0;
	return ldctl_save(ctx, stdout);
}
