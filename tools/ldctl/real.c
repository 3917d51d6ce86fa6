// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl real add|set|del|show: the servers behind the virtuals, with their
 * weight, connection limit and state.
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

void usage_real(FILE *f)
{
	fputs("  ldctl real add ADDR[:PORT] [SETTING VALUE]...\n"
	      "  ldctl real set ADDR[:PORT] SETTING VALUE [SETTING VALUE]...\n"
	      "      settings: weight N, maxconns N, state in|out,\n"
	      "      syn-threshold N (SYNs unanswered), fail-threshold N (ditched\n"
	      "      conns in a row; 0: never failed), idle-timeout SECS (0: global),\n"
	      "      backup ADDR[:PORT]|none\n"
	      "  ldctl real del ADDR[:PORT] [flush]\n"
	      "  ldctl real [show]\n", f);
}

int real_parse(enum ld_verb verb, int argc, char **argv, struct ld_real *r,
	       bool *flush)
{
	struct ld_ep ep;
	int i;

	memset(r, 0, sizeof(*r));
	*flush = false;
	if (argc < 1)
		return ldctl_usage_err(usage_real, "missing ADDR[:PORT]");
	if (parse_ep(argv[0], EP_PORT, &ep))
		return 1;
	r->addr = ep.addr;
	r->port = ep.port;
	if (ep.has_port)
		r->has |= LD_HAS_PORT;

	for (i = 1; i < argc; i += 2) {
		const char *kw = argv[i], *val;
		unsigned int bit;

		if (verb == LD_DEL) {
			if (strcmp(kw, "flush"))
				return ldctl_usage_err(usage_real,
						       "unknown argument \"%s\"",
						       kw);
			if (*flush)
				return ldctl_usage_err(usage_real,
						       "\"flush\" given twice");
			*flush = true;
			i--;	/* a flag, no value */
			continue;
		}
		if (!strcmp(kw, "weight"))
			bit = LD_HAS_WEIGHT;
		else if (!strcmp(kw, "maxconns"))
			bit = LD_HAS_MAXCONNS;
		else if (!strcmp(kw, "state"))
			bit = LD_HAS_STATE;
		else if (!strcmp(kw, "syn-threshold"))
			bit = LD_HAS_SYNTHR;
		else if (!strcmp(kw, "fail-threshold"))
			bit = LD_HAS_FAILTHR;
		else if (!strcmp(kw, "idle-timeout"))
			bit = LD_HAS_IDLE;
		else if (!strcmp(kw, "backup"))
			bit = LD_HAS_BACKUP;
		else
			return ldctl_usage_err(usage_real,
					       "unknown argument \"%s\"", kw);
		if (i + 1 >= argc)
			return ldctl_usage_err(usage_real,
					       "missing value after \"%s\"",
					       kw);
		if (r->has & bit)
			return ldctl_usage_err(usage_real,
					       "\"%s\" given twice", kw);
		r->has |= bit;
		val = argv[i + 1];
		if (bit == LD_HAS_WEIGHT &&
		    parse_u32("weight", val, 0, LDIR_WEIGHT_MAX, &r->weight))
			return 1;
		if (bit == LD_HAS_MAXCONNS &&
		    parse_u32("maxconns", val, 0, UINT32_MAX, &r->max_conns))
			return 1;
		if (bit == LD_HAS_STATE && parse_state(val, &r->state))
			return 1;
		/* the ranges of ldir.h */
		if (bit == LD_HAS_SYNTHR &&
		    parse_u32("syn-threshold", val, 1, 65535,
			      &r->syn_threshold))
			return 1;
		if (bit == LD_HAS_FAILTHR &&
		    parse_u32("fail-threshold", val, 0, 65535,
			      &r->fail_threshold))
			return 1;
		if (bit == LD_HAS_IDLE &&
		    parse_u32("idle-timeout", val, 0, LDIR_TIMEOUT_MAX,
			      &r->idle_timeout))
			return 1;
		if (bit == LD_HAS_BACKUP &&
		    parse_backup("backup real", val, EP_PORT, &r->backup))
			return 1;
	}
	if (verb == LD_SET && !(r->has & ~LD_HAS_PORT))
		return ldctl_usage_err(usage_real,
				       "real set: nothing to change (give weight, maxconns, state, syn-threshold, fail-threshold, idle-timeout or backup)");
	if ((r->has & LD_HAS_BACKUP) && r->backup.addr.family &&
	    ld_addr_eq(&r->backup.addr, &r->addr) &&
	    r->backup.port == r->port)
		return ldctl_usage_err(usage_real,
				       "a real cannot be its own backup");
	return 0;
}

static int real_req(struct ldctl *ctx, enum ld_verb verb, uint8_t cmd,
		    int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ld_real r;
	struct nl *nl;
	bool flush;

	if (real_parse(verb, argc, argv, &r, &flush))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	/* the family validates every command strictly: no NLM_F_CREATE/EXCL */
	nlh = nl_req(nl, cmd, 0);
	msg_put_real(nlh, LDIR_A_REAL, &r, verb == LD_DEL);
	if (flush)
		mnl_attr_put(nlh, LDIR_A_FLUSH, 0, NULL);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

static int real_add(struct ldctl *ctx, int argc, char **argv)
{
	return real_req(ctx, LD_ADD, LDIR_CMD_REAL_NEW, argc, argv);
}

static int real_set(struct ldctl *ctx, int argc, char **argv)
{
	return real_req(ctx, LD_SET, LDIR_CMD_REAL_SET, argc, argv);
}

static int real_del(struct ldctl *ctx, int argc, char **argv)
{
	return real_req(ctx, LD_DEL, LDIR_CMD_REAL_DEL, argc, argv);
}

static int real_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];

	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_REAL])
		return -EBADMSG;
	return msg_parse_real(tb[LDIR_A_REAL], ld_list_add(data));
}

int ld_dump_reals(struct nl *nl, struct ld_list *list)
{
	return nl_dump(nl, LDIR_CMD_REAL_GET, real_cb, ld_list_reset, list);
}

LDCTL_DEFINE_LIST_SHOW(real_show, struct ld_real, usage_real,
		       ld_dump_reals, js_real, pr_real)

int cmd_real(struct ldctl *ctx, int argc, char **argv)
{
	static const struct cmd verbs[] = {
		{ .name = "add", .fn = real_add },
		{ .name = "set", .fn = real_set },
		{ .name = "del", .fn = real_del },
		{ .name = "show", .fn = real_show },
		{ }
	};

	return ldctl_dispatch(ctx, verbs, "show", usage_real, argc, argv);
}
