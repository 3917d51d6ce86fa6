// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl fastpath [show|add|del]: the devices whose ingress the fast path
 * hooks (established IPv4 conns skip routing, the forward chain and
 * conntrack there).
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "print.h"

void usage_fastpath(FILE *f)
{
	fputs("  ldctl fastpath [show]\n"
	      "  ldctl fastpath add DEV\n"
	      "  ldctl fastpath del DEV\n", f);
}

struct ld_fastpath {
	char ifname[IFNAMSIZ];
	uint32_t ifindex;
};

int fastpath_parse(const char *verb, int argc, char **argv)
{
	if (!argc)
		return ldctl_usage_err(usage_fastpath, "missing DEV after \"%s\"",
				       verb);
	if (argc > 1)
		return ldctl_usage_err(usage_fastpath,
				       "unexpected argument \"%s\"", argv[1]);
	if (!*argv[0] || strlen(argv[0]) >= IFNAMSIZ)
		return ldctl_usage_err(usage_fastpath,
				       "invalid device name \"%s\"", argv[0]);
	return 0;
}

static int fastpath_req(struct ldctl *ctx, uint8_t cmd, const char *verb,
			int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl *nl;

	if (fastpath_parse(verb, argc, argv))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	nlh = nl_req(nl, cmd, 0);
	nest = mnl_attr_nest_start(nlh, LDIR_A_FASTPATH);
	mnl_attr_put_strz(nlh, LDIR_FASTPATH_A_IFNAME, argv[0]);
	mnl_attr_nest_end(nlh, nest);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

static int fastpath_add(struct ldctl *ctx, int argc, char **argv)
{
	return fastpath_req(ctx, LDIR_CMD_FASTPATH_NEW, "add", argc, argv);
}

static int fastpath_del(struct ldctl *ctx, int argc, char **argv)
{
	return fastpath_req(ctx, LDIR_CMD_FASTPATH_DEL, "del", argc, argv);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= LDIR_FASTPATH_A_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int fastpath_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];
	const struct nlattr *fb[LDIR_FASTPATH_A_MAX + 1] = { };
	struct ld_fastpath *d;

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_FASTPATH])
		return -EBADMSG;
	if (mnl_attr_parse_nested(tb[LDIR_A_FASTPATH], attr_cb, fb) < 0 ||
	    !fb[LDIR_FASTPATH_A_IFNAME] ||
	    mnl_attr_validate(fb[LDIR_FASTPATH_A_IFNAME], MNL_TYPE_NUL_STRING) ||
	    (fb[LDIR_FASTPATH_A_IFINDEX] &&
	     mnl_attr_validate(fb[LDIR_FASTPATH_A_IFINDEX], MNL_TYPE_U32)))
		return -EBADMSG;
	d = ld_list_add(data);
	snprintf(d->ifname, sizeof(d->ifname), "%s",
		 mnl_attr_get_str(fb[LDIR_FASTPATH_A_IFNAME]));
	d->ifindex = fb[LDIR_FASTPATH_A_IFINDEX] ?
		     mnl_attr_get_u32(fb[LDIR_FASTPATH_A_IFINDEX]) : 0;
	return 0;
}

static int dump_fastpath(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_FASTPATH_GET, fastpath_cb, ld_list_reset,
		       list);
}

static void js_fastpath(struct json *j, const struct ld_fastpath *d)
{
	json_obj_begin(j, NULL);
	json_str(j, "dev", d->ifname);
	json_u64(j, "ifindex", d->ifindex);
	json_obj_end(j);
}

static void pr_fastpath(const struct pr *p, const struct ld_fastpath *d)
{
	fprintf(p->f, "fastpath %s ifindex %u\n", d->ifname, d->ifindex);
}

LDCTL_DEFINE_LIST_SHOW(fastpath_show, struct ld_fastpath, usage_fastpath,
		       dump_fastpath, js_fastpath, pr_fastpath)

/* save's lines: after the objects, a device each */
int save_fastpath(struct nl *nl, FILE *f)
{
	struct ld_list list = LD_LIST_INIT(struct ld_fastpath);
	size_t i;

	if (dump_fastpath(nl, &list)) {
		ld_list_clear(&list);
		return -1;
	}
	for (i = 0; i < list.n; i++)
		fprintf(f, "fastpath add %s\n",
			ld_list_at(&list, struct ld_fastpath, i)->ifname);
	ld_list_clear(&list);
	return 0;
}

int cmd_fastpath(struct ldctl *ctx, int argc, char **argv)
{
	static const struct cmd verbs[] = {
		{ .name = "show", .fn = fastpath_show },
		{ .name = "add", .fn = fastpath_add },
		{ .name = "del", .fn = fastpath_del },
		{ }
	};

	return ldctl_dispatch(ctx, verbs, "show", usage_fastpath, argc, argv);
}
