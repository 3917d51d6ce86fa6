// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl conns: the connection table, one line per client connection.
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "print.h"

void usage_conns(FILE *f)
{
	fputs("  ldctl conns\n", f);
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_CONN])
		return -EBADMSG;
	return msg_parse_conn(tb[LDIR_A_CONN], ld_list_add(data));
}

int ld_dump_conns(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_CONN_GET, conn_cb, ld_list_reset, list);
}

LDCTL_DEFINE_LIST_SHOW(conns_list, struct ld_conn, usage_conns, ld_dump_conns,
		       js_conn, pr_conn)

int cmd_conns(struct ldctl *ctx, int argc, char **argv)
{
	if (argc && !strcmp(argv[0], "help") && argc == 1) {
		fputs("Usage:\n", stdout);
		usage_conns(stdout);
		return 0;
	}
	return conns_list(ctx, argc, argv);
}
