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
	fputs("  ldctl assign tcp|udp VIP:PORT bind ID CLIENT[/LEN]\n"
	      "  ldctl unassign tcp|udp VIP:PORT bind ID CLIENT[/LEN]\n"
	      "  ldctl binds\n", f);
}

/* cmd: "assign" or "unassign", for the errors */
static int bind_parse_cmd(const char *cmd, int argc, char **argv,
			  struct ld_bind *b)
{
	int i;

	memset(b, 0, sizeof(*b));
	i = parse_vkey(cmd, usage_assign, argc, argv, &b->virt);
	if (i < 0)
		return 1;
	if (!(b->virt.has & LD_HAS_BIND))
		return ldctl_usage_err(usage_assign,
				       "%s: missing \"bind ID\" after \"%s\"",
				       cmd, argv[1]);
	if (!b->virt.bind_id)
		return ldctl_usage_err(usage_assign,
				       "bind ID 0 is the general instance: it serves every client without a bind");
	if (i >= argc)
		return ldctl_usage_err(usage_assign,
				       "missing CLIENT[/LEN] after \"bind %s\"",
				       argv[3]);
	if (i + 1 < argc)
		return ldctl_usage_err(usage_assign,
				       "unexpected argument \"%s\"", argv[i + 1]);
	if (parse_prefix(argv[i], &b->client, &b->plen))
		return 1;
	if (b->client.family != b->virt.addr.family)
		return ldctl_usage_err(usage_assign,
				       "client \"%s\" and virtual \"%s\" are of different address families",
				       argv[i], argv[1]);
	return 0;
}

int bind_parse(int argc, char **argv, struct ld_bind *b)
{
	return bind_parse_cmd("assign", argc, argv, b);
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
	if (bind_parse_cmd(cmd == LDIR_CMD_BIND_NEW ? "assign" : "unassign",
			   argc, argv, &b))
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
