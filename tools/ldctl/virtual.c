// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl virtual add|set|del|show: the (VIP, port, protocol, bind ID)
 * services clients connect to.
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

void usage_virtual(FILE *f)
{
	size_t i;

	fputs("  ldctl virtual add tcp|udp VIP:PORT [bind ID] [stateless] [SETTING VALUE]...\n"
	      "                [overflow|no-overflow]\n"
	      "  ldctl virtual set tcp|udp VIP:PORT [bind ID] SETTING VALUE [SETTING VALUE]...\n"
	      "                [overflow|no-overflow]\n"
	      , f);
	fputs("      settings: sched ", f);
	for (i = 0; ld_sched_names[i]; i++)
		fprintf(f, "%s%s", i ? "|" : "", ld_sched_names[i]);
	fputs(", state in|out,\n"
	      "      startup rr|none, startup-pct P (1..100), startup-window W (1..256),\n"
	      "      backup VIP:PORT|none (same protocol, bind 0), fpa SECONDS,\n"
	      "      fpa-mask LEN\n"
	      "  ldctl virtual del tcp|udp VIP:PORT [bind ID]\n"
	      "  ldctl virtual [show]\n", f);
}

int virtual_parse(enum ld_verb verb, int argc, char **argv,
		  struct ld_virtual *v)
{
	static const char *const cmds[] = { "virtual add", "virtual set",
					    "virtual del" };
	uint32_t u;
	int i;

	memset(v, 0, sizeof(*v));
	i = parse_vkey(cmds[verb], usage_virtual, argc, argv, v);
	if (i < 0)
		return 1;

	for (; i < argc; i += 2) {
		const char *kw = argv[i], *val;
		unsigned int bit;

		/* a flag, without a value; fixed at creation */
		if (!strcmp(kw, "stateless") && verb == LD_ADD) {
			if (v->flags & LDIR_VIRTUAL_F_STATELESS)
				return ldctl_usage_err(usage_virtual,
						       "\"%s\" given twice", kw);
			v->flags |= LDIR_VIRTUAL_F_STATELESS;
			v->has |= LD_HAS_FLAGS;
			i--;
			continue;
		}
		/* flags: no value follows */
		if (verb != LD_DEL && (!strcmp(kw, "overflow") ||
				       !strcmp(kw, "no-overflow"))) {
			if (v->has & LD_HAS_OVERFLOW)
				return ldctl_usage_err(usage_virtual,
						       "\"overflow\" given twice");
			v->has |= LD_HAS_OVERFLOW;
			v->overflow = !strcmp(kw, "overflow");
			i--;
			continue;
		}
		if (verb == LD_DEL)
			bit = 0;
		else if (!strcmp(kw, "sched"))
			bit = LD_HAS_SCHED;
		else if (!strcmp(kw, "state"))
			bit = LD_HAS_STATE;
		else if (!strcmp(kw, "startup"))
			bit = LD_HAS_STARTUP;
		else if (!strcmp(kw, "startup-pct"))
			bit = LD_HAS_SPCT;
		else if (!strcmp(kw, "startup-window"))
			bit = LD_HAS_SWIN;
		else if (!strcmp(kw, "backup"))
			bit = LD_HAS_BACKUP;
		else if (!strcmp(kw, "fpa") && verb != LD_DEL)
			bit = LD_HAS_FPA;
		else if (!strcmp(kw, "fpa-mask") && verb != LD_DEL)
			bit = LD_HAS_FPAMASK;
		else
			bit = 0;
		if (!bit && !strcmp(kw, "bind"))
			return ldctl_usage_err(usage_virtual,
					       "%s: \"bind ID\" goes right after VIP:PORT",
					       cmds[verb]);
		if (!bit)
			return ldctl_usage_err(usage_virtual,
					       "unknown argument \"%s\"", kw);
		if (i + 1 >= argc)
			return ldctl_usage_err(usage_virtual,
					       "missing value after \"%s\"",
					       kw);
		if (v->has & bit)
			return ldctl_usage_err(usage_virtual,
					       "\"%s\" given twice", kw);
		v->has |= bit;
		val = argv[i + 1];
		if (bit == LD_HAS_SCHED && parse_sched(val, v->sched))
			return 1;
		if (bit == LD_HAS_STATE && parse_state(val, &v->state))
			return 1;
		if (bit == LD_HAS_STARTUP && parse_startup(val, &v->startup))
			return 1;
		if (bit == LD_HAS_SPCT &&
		    parse_u32("startup-pct", val, 1, 100, &u))
			return 1;
		if (bit == LD_HAS_SPCT)
			v->startup_pct = u;
		if (bit == LD_HAS_SWIN &&
		    parse_u32("startup-window", val, 1,
			      LDIR_STARTUP_WINDOW_MAX, &u))
			return 1;
		if (bit == LD_HAS_SWIN)
			v->startup_window = u;
		if (bit == LD_HAS_BACKUP &&
		    parse_backup("backup virtual", val, EP_NEED_PORT,
				 &v->backup))
			return 1;
		if (bit == LD_HAS_FPA &&
		    parse_u32("fpa interval", val, 0, LDIR_TIMEOUT_MAX,
			      &v->fpa_interval))
			return 1;
		if (bit == LD_HAS_FPAMASK) {
			uint32_t mask;

			if (parse_u32("fpa-mask", val, 0,
				      v->addr.family == AF_INET ? 32 : 128, &mask))
				return 1;
			v->fpa_mask = mask;
		}
	}
	if (verb == LD_SET && !(v->has & ~LD_HAS_BIND))
		return ldctl_usage_err(usage_virtual,
				       "virtual set: nothing to change (give sched, state, startup, startup-pct, startup-window, backup, fpa, fpa-mask or overflow)");
	if ((v->has & LD_HAS_BACKUP) && v->backup.addr.family &&
	    ld_addr_eq(&v->backup.addr, &v->addr) &&
	    v->backup.port == v->port && !v->bind_id)
		return ldctl_usage_err(usage_virtual,
				       "a virtual cannot be its own backup");
	if ((v->has & LD_HAS_OVERFLOW) && v->overflow && !v->bind_id)
		return ldctl_usage_err(usage_virtual,
				       "overflow needs \"bind ID\" after VIP:PORT, with an ID other than 0 (the general instance is where an instance overflows to)");
	return 0;
}

static int virtual_req(struct ldctl *ctx, enum ld_verb verb, uint8_t cmd,
		       int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ld_virtual v;
	struct nl *nl;

	if (virtual_parse(verb, argc, argv, &v))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	/* the family validates every command strictly: no NLM_F_CREATE/EXCL */
	nlh = nl_req(nl, cmd, 0);
	msg_put_virtual(nlh, LDIR_A_VIRTUAL, &v, verb == LD_DEL);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

static int virtual_add(struct ldctl *ctx, int argc, char **argv)
{
	return virtual_req(ctx, LD_ADD, LDIR_CMD_VIRTUAL_NEW, argc, argv);
}

static int virtual_set(struct ldctl *ctx, int argc, char **argv)
{
	return virtual_req(ctx, LD_SET, LDIR_CMD_VIRTUAL_SET, argc, argv);
}

static int virtual_del(struct ldctl *ctx, int argc, char **argv)
{
	return virtual_req(ctx, LD_DEL, LDIR_CMD_VIRTUAL_DEL, argc, argv);
}

static int virtual_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_VIRTUAL])
		return -EBADMSG;
	return msg_parse_virtual(tb[LDIR_A_VIRTUAL], ld_list_add(data));
}

int ld_dump_virtuals(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_VIRTUAL_GET, virtual_cb, ld_list_reset,
		       list);
}

LDCTL_DEFINE_LIST_SHOW(virtual_show, struct ld_virtual, usage_virtual,
		       ld_dump_virtuals, js_virtual, pr_virtual)

int cmd_virtual(struct ldctl *ctx, int argc, char **argv)
{
	static const struct cmd verbs[] = {
		{ .name = "add", .fn = virtual_add },
		{ .name = "set", .fn = virtual_set },
		{ .name = "del", .fn = virtual_del },
		{ .name = "show", .fn = virtual_show },
		{ }
	};

	return ldctl_dispatch(ctx, verbs, "show", usage_virtual, argc, argv);
}
