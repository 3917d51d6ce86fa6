// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl fpa [show|flush]: the foreign physical associations, which real
 * each client (masked) of a virtual keeps going to (seed 001 Fig. 3D, 8).
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

void usage_fpa(FILE *f)
{
	fputs("  ldctl fpa [show]\n"
	      "  ldctl fpa flush [tcp|udp VIP:PORT [bind ID]]\n", f);
}

static int fpa_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_FPA])
		return -EBADMSG;
	return msg_parse_fpa(tb[LDIR_A_FPA], ld_list_add(data));
}

int ld_dump_fpas(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_FPA_GET, fpa_cb, ld_list_reset, list);
}

LDCTL_DEFINE_LIST_SHOW(fpa_show, struct ld_fpa, usage_fpa, ld_dump_fpas,
		       js_fpa, pr_fpa)

/* The virtual whose FPAs go: tcp|udp VIP:PORT [bind ID]; none: all. */
int fpa_flush_parse(int argc, char **argv, struct ld_virtual *v, bool *one)
{
	int i;

	memset(v, 0, sizeof(*v));
	*one = false;
	if (!argc)
		return 0;
	i = parse_vkey("fpa flush", usage_fpa, argc, argv, v);
	if (i < 0)
		return 1;
	if (i < argc)
		return ldctl_usage_err(usage_fpa, "unexpected argument \"%s\"",
				       argv[i]);
	*one = true;
	return 0;
}

static int fpa_flush(struct ldctl *ctx, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ld_virtual v;
	struct nl *nl;
	bool one;

	if (fpa_flush_parse(argc, argv, &v, &one))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	nlh = nl_req(nl, LDIR_CMD_FPA_FLUSH, 0);
	if (one)
		msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, true);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

int cmd_fpa(struct ldctl *ctx, int argc, char **argv)
{
	static const struct cmd verbs[] = {
		{ .name = "show", .fn = fpa_show },
		{ .name = "flush", .fn = fpa_flush },
		{ }
	};

	return ldctl_dispatch(ctx, verbs, "show", usage_fpa, argc, argv);
}
