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
	fputs("  ldctl link add tcp|udp VIP:PORT [bind ID] real ADDR[:PORT] [port PORT]\n"
	      "  ldctl link del tcp|udp VIP:PORT [bind ID] real ADDR[:PORT] [port PORT] [flush]\n"
	      "      real: the real's key, as in \"real add\" (ADDR:PORT is looked up,\n"
	      "      then ADDR); port: where the real receives this virtual's conns\n"
	      "      (none or 0: the real's port, else the client's destination port)\n"
	      "  ldctl link [show]\n", f);
}

/*
 * The real's key (ADDR[:PORT], as "real add" writes it) and the link's
 * port are two settings: "real 10.0.2.11 port 8080" sends the virtual's
 * conns to port 8080 of the real 10.0.2.11 (port 0).
 */
int link_parse(enum ld_verb verb, int argc, char **argv, struct ld_link *l,
	       bool *flush)
{
	const char *cmd = verb == LD_DEL ? "link del" : "link add";
	bool has_real = false, has_port = false;
	struct ld_ep rep;
	uint32_t port;
	int i;

	memset(l, 0, sizeof(*l));
	*flush = false;
	i = parse_vkey(cmd, usage_link, argc, argv, &l->virt);
	if (i < 0)
		return 1;
	for (; i < argc; i++) {
		const char *kw = argv[i];

		if (!strcmp(kw, "flush") && verb == LD_DEL && !*flush) {
			*flush = true;
			continue;
		}
		if (!strcmp(kw, "flush") && verb == LD_DEL)
			return ldctl_usage_err(usage_link,
					       "\"flush\" given twice");
		if (!strcmp(kw, "flush"))
			return ldctl_usage_err(usage_link,
					       "unexpected argument \"flush\" (only link del takes it)");
		if (strcmp(kw, "real") && strcmp(kw, "port"))
			return ldctl_usage_err(usage_link,
					       "unknown argument \"%s\"%s", kw,
					       looks_like_ep(kw) ?
					       " (write \"real ADDR[:PORT]\")" : "");
		if (i + 1 >= argc)
			return ldctl_usage_err(usage_link,
					       "missing value after \"%s\"",
					       kw);
		if ((!strcmp(kw, "real") && has_real) ||
		    (!strcmp(kw, "port") && has_port))
			return ldctl_usage_err(usage_link,
					       "\"%s\" given twice", kw);
		if (!strcmp(kw, "real")) {
			if (parse_ep(argv[++i], EP_PORT, &rep))
				return 1;
			l->real.addr = rep.addr;
			l->real.port = rep.port;
			has_real = true;
		} else {
			if (parse_u32("port", argv[++i], 0, 65535, &port))
				return 1;
			l->port = port;
			has_port = true;
		}
	}
	if (!has_real)
		return ldctl_usage_err(usage_link,
				       "%s: missing \"real ADDR[:PORT]\"", cmd);
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
