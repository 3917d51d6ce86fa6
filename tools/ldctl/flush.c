// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl flush [conns]: delete everything, or only the connections.
 */
#include <string.h>

#include "ldctl.h"
#include "model.h"
#include "nl.h"

void usage_flush(FILE *f)
{
	fputs("  ldctl flush [conns]\n", f);
}

int cmd_flush(struct ldctl *ctx, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	bool conns = false;
	struct nl *nl;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_flush(stdout);
		return 0;
	}
	if (argc > 0) {
		if (strcmp(argv[0], "conns"))
			return ldctl_usage_err(usage_flush,
					       "unexpected argument \"%s\"",
					       argv[0]);
		conns = true;
	}
	if (argc > 1)
		return ldctl_usage_err(usage_flush,
				       "unexpected argument \"%s\"", argv[1]);
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	nlh = nl_req(nl, LDIR_CMD_FLUSH, 0);
	if (conns)
		mnl_attr_put(nlh, LDIR_A_FLUSH_CONNS_ONLY, 0, NULL);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}
