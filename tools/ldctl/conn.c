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

int cmd_conns(struct ldctl *ctx, int argc, char **argv)
{
	struct ld_list list = LD_LIST_INIT(struct ld_conn);
	struct pr p = { stdout, ctx->numeric, ctx->color };
	struct json j;
	struct nl *nl;
	size_t i;

	if (argc && !strcmp(argv[0], "help") && argc == 1) {
		fputs("Usage:\n", stdout);
		usage_conns(stdout);
		return 0;
	}
	if (argc)
		return ldctl_usage_err(usage_conns,
				       "unexpected argument \"%s\"", argv[0]);
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl || ld_dump_conns(nl, &list)) {
		ld_list_clear(&list);
		return 1;
	}
	if (ctx->json) {
		json_init(&j, stdout);
		json_arr_begin(&j, NULL);
		for (i = 0; i < list.n; i++)
			js_conn(&j, ld_list_at(&list, struct ld_conn, i));
		json_arr_end(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < list.n; i++)
			pr_conn(&p, ld_list_at(&list, struct ld_conn, i));
	}
	ld_list_clear(&list);
	return 0;
}
