// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl link add|del|show: which reals serve which virtual, and on which
 * port.
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

void usage_link(FILE *f)
{
	fputs("  ldctl link add VIP:PORT[:BIND] [tcp|udp] REAL[:PORT]\n"
	      "  ldctl link del VIP:PORT[:BIND] [tcp|udp] REAL[:PORT] [flush]\n"
	      "  ldctl link [show]\n", f);
}

/*
 * The port written after the real is both the real's key port (the kernel
 * looks up (addr, port), then (addr, 0)) and the link's port.
 */
int link_parse(enum ld_verb verb, int argc, char **argv, struct ld_link *l,
	       bool *flush)
{
	struct ld_ep vep, rep;
	int npos = argc;

	memset(l, 0, sizeof(*l));
	*flush = false;
	if (argc > 0 && !strcmp(argv[argc - 1], "flush")) {
		if (verb != LD_DEL)
			return ldctl_usage_err(usage_link,
					       "unexpected argument \"flush\" (only link del takes it)");
		*flush = true;
		npos--;
	}
	if (npos < 1)
		return ldctl_usage_err(usage_link, "missing VIP:PORT");
	if (npos < 2)
		return ldctl_usage_err(usage_link,
				       "missing REAL[:PORT] after \"%s\"",
				       argv[0]);
	if (npos > 3)
		return ldctl_usage_err(usage_link,
				       "unexpected argument \"%s\"", argv[3]);
	if (parse_ep(argv[0], EP_NEED_PORT | EP_BIND, &vep))
		return 1;
	l->virt.addr = vep.addr;
	l->virt.port = vep.port;
	l->virt.bind_id = vep.bind;
	l->virt.protocol = IPPROTO_TCP;
	if (npos == 3 && parse_proto(argv[1], &l->virt.protocol))
		return 1;
	if (parse_ep(argv[npos - 1], EP_PORT, &rep))
		return 1;
	l->real.addr = rep.addr;
	l->real.port = rep.port;
	l->port = rep.port;
	return 0;
}

static int link_req(struct ldctl *ctx, enum ld_verb verb, uint8_t cmd,
		    int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ld_link l;
	struct nl *nl;
	bool flush;

	if (link_parse(verb, argc, argv, &l, &flush))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	/* the family validates every command strictly: no NLM_F_CREATE/EXCL */
	nlh = nl_req(nl, cmd, 0);
	msg_put_link(nlh, &l);
	if (flush)
		mnl_attr_put(nlh, LDIR_A_FLUSH, 0, NULL);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

static int link_add(struct ldctl *ctx, int argc, char **argv)
{
	return link_req(ctx, LD_ADD, LDIR_CMD_LINK_NEW, argc, argv);
}

static int link_del(struct ldctl *ctx, int argc, char **argv)
{
	return link_req(ctx, LD_DEL, LDIR_CMD_LINK_DEL, argc, argv);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_LINK])
		return -EBADMSG;
	return msg_parse_link(tb[LDIR_A_LINK], ld_list_add(data));
}

int ld_dump_links(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_LINK_GET, link_cb, ld_list_reset, list);
}

LDCTL_DEFINE_LIST_SHOW(link_show, struct ld_link, usage_link,
		       ld_dump_links, js_link, pr_link)

int cmd_link(struct ldctl *ctx, int argc, char **argv)
{
	static const struct cmd verbs[] = {
		{ .name = "add", .fn = link_add },
		{ .name = "del", .fn = link_del },
		{ .name = "show", .fn = link_show },
		{ }
	};

	return ldctl_dispatch(ctx, verbs, "show", usage_link, argc, argv);
}
