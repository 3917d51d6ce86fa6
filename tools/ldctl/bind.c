// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl assign|unassign|binds: client prefixes assigned to the instances
 * (Bind ID != 0) of a virtual (seed 002 "assign", Fig. 4).
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

void usage_assign(FILE *f)
{
	fputs("  ldctl assign VIP:PORT:BIND [tcp|udp] CLIENT[/LEN]\n"
	      "  ldctl unassign VIP:PORT:BIND [tcp|udp] CLIENT[/LEN]\n"
	      "  ldctl binds\n", f);
}

int bind_parse(int argc, char **argv, struct ld_bind *b)
{
	struct ld_ep ep;

	memset(b, 0, sizeof(*b));
	if (argc < 1)
		return ldctl_usage_err(usage_assign, "missing VIP:PORT:BIND");
	if (argc < 2)
		return ldctl_usage_err(usage_assign,
				       "missing CLIENT[/LEN] after \"%s\"",
				       argv[0]);
	if (argc > 3)
		return ldctl_usage_err(usage_assign,
				       "unexpected argument \"%s\"", argv[3]);
	if (parse_ep(argv[0], EP_NEED_PORT | EP_BIND, &ep))
		return 1;
	if (!ep.has_bind)
		return ldctl_usage_err(usage_assign,
				       "missing bind ID in \"%s\" (write VIP:PORT:BIND)",
				       argv[0]);
	if (!ep.bind)
		return ldctl_usage_err(usage_assign,
				       "bind ID 0 in \"%s\" is the general instance: it serves every client without a bind",
				       argv[0]);
	b->virt.addr = ep.addr;
	b->virt.port = ep.port;
	b->virt.bind_id = ep.bind;
	b->virt.protocol = IPPROTO_TCP;
	if (argc == 3 && parse_proto(argv[1], &b->virt.protocol))
		return 1;
	if (parse_prefix(argv[argc - 1], &b->client, &b->plen))
		return 1;
	if (b->client.family != b->virt.addr.family)
		return ldctl_usage_err(usage_assign,
				       "client \"%s\" and virtual \"%s\" are of different address families",
				       argv[argc - 1], argv[0]);
	return 0;
}

static int bind_req(struct ldctl *ctx, uint8_t cmd, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ld_bind b;
	struct nl *nl;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_assign(stdout);
		return 0;
	}
	if (bind_parse(argc, argv, &b))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	/* the family validates every command strictly: no NLM_F_CREATE/EXCL */
	nlh = nl_req(nl, cmd, 0);
	msg_put_bind(nlh, &b);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

int cmd_assign(struct ldctl *ctx, int argc, char **argv)
{
	return bind_req(ctx, LDIR_CMD_BIND_NEW, argc, argv);
}

int cmd_unassign(struct ldctl *ctx, int argc, char **argv)
{
	return bind_req(ctx, LDIR_CMD_BIND_DEL, argc, argv);
}

static int bind_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_BIND])
		return -EBADMSG;
	return msg_parse_bind(tb[LDIR_A_BIND], ld_list_add(data));
}

int ld_dump_binds(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_BIND_GET, bind_cb, ld_list_reset, list);
}

LDCTL_DEFINE_LIST_SHOW(binds_list, struct ld_bind, usage_assign,
		       ld_dump_binds, js_bind, pr_bind)

int cmd_binds(struct ldctl *ctx, int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_assign(stdout);
		return 0;
	}
	return binds_list(ctx, argc, argv);
}
