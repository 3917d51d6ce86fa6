// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl stats and ldctl config: the global counters and the settings of
 * the conn table (bound and timeouts).
 */
#include <errno.h>
#include <string.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "parse.h"
#include "print.h"

void usage_stats(FILE *f)
{
	fputs("  ldctl stats\n", f);
}

void usage_config(FILE *f)
{
	fputs("  ldctl config set [conn-max N] [timeout-syn S] [timeout-est S] [timeout-fin S]\n"
	      "                   [timeout-time-wait S] [timeout-close S] [timeout-udp S]\n"
	      "                   [syn-resends K] [retry-interval S] [pr-age-div k] [pr-clamp PCT]\n"
	      "                   [fpa-max N] [virtual-max N] [real-max N] [link-max N] [bind-max N]\n"
	      "                   [syn-resend-gap MS]\n"
	      "                   [embryonic-max N] [timeout-syn-pressure S]\n"
	      "  ldctl config [show]\n", f);
}

static int global_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LDIR_A_MAX + 1];
	struct ld_global *g = data;
	int ret;

	ret = msg_parse_top(nlh, tb);
	if (ret)
		return ret;
	if (!tb[LDIR_A_STATS] || !tb[LDIR_A_CONFIG])
		return -EBADMSG;
	ret = msg_parse_stats(tb[LDIR_A_STATS], &g->stats);
	if (ret)
		return ret;
	return msg_parse_config(tb[LDIR_A_CONFIG], &g->config);
}

int ld_get_global(struct nl *nl, struct ld_global *g)
{
	memset(g, 0, sizeof(*g));
	return nl_do(nl, nl_req(nl, LDIR_CMD_STATS_GET, 0), global_cb, g);
}

/* Only what "help" and the dry run need before talking to the kernel. */
static int no_args(void (*usage)(FILE *f), int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage(stdout);
		return 0;
	}
	if (argc)
		return ldctl_usage_err(usage, "unexpected argument \"%s\"",
				       argv[0]);
	return -1;
}

int cmd_stats(struct ldctl *ctx, int argc, char **argv)
{
	struct pr p = { .f = stdout, .numeric = ctx->numeric,
			.color = ctx->color };
	struct ld_global g;
	struct json j;
	struct nl *nl;
	int ret;

	ret = no_args(usage_stats, argc, argv);
	if (ret >= 0)
		return ret;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl || ld_get_global(nl, &g))
		return 1;
	if (ctx->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		js_stats(&j, "stats", &g.stats);
		js_config(&j, "config", &g.config);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		pr_stats(&p, &g.stats);
		pr_config(&p, &g.config);
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned int attr;
	uint32_t min;
	uint32_t max;
} config_keys[] = {
	{ "conn-max", LDIR_CONFIG_A_CONN_MAX, 1, UINT32_MAX },
	{ "timeout-syn", LDIR_CONFIG_A_TIMEOUT_SYN, 1, LDIR_TIMEOUT_MAX },
	{ "timeout-est", LDIR_CONFIG_A_TIMEOUT_EST, 1, LDIR_TIMEOUT_MAX },
	{ "timeout-fin", LDIR_CONFIG_A_TIMEOUT_FIN, 1, LDIR_TIMEOUT_MAX },
	{ "timeout-time-wait", LDIR_CONFIG_A_TIMEOUT_TIME_WAIT, 1,
	  LDIR_TIMEOUT_MAX },
	{ "timeout-close", LDIR_CONFIG_A_TIMEOUT_CLOSE, 1, LDIR_TIMEOUT_MAX },
	{ "timeout-udp", LDIR_CONFIG_A_TIMEOUT_UDP, 1, LDIR_TIMEOUT_MAX },
	/* the ranges of ldir.h */
	{ "syn-resends", LDIR_CONFIG_A_SYN_RESENDS, 1, 255 },
	{ "retry-interval", LDIR_CONFIG_A_RETRY_INTERVAL, 1, LDIR_TIMEOUT_MAX },
	{ "pr-age-div", LDIR_CONFIG_A_PR_AGE_DIV, 1, 1000000 },
	{ "pr-clamp", LDIR_CONFIG_A_PR_CLAMP_PCT, 1, 100 },
	/* caps: a delegated user namespace may only lower them */
	{ "fpa-max", LDIR_CONFIG_A_FPA_MAX, 0, UINT32_MAX },
	{ "virtual-max", LDIR_CONFIG_A_VIRTUAL_MAX, 0, UINT32_MAX },
	{ "real-max", LDIR_CONFIG_A_REAL_MAX, 0, UINT32_MAX },
	{ "link-max", LDIR_CONFIG_A_LINK_MAX, 0, UINT32_MAX },
	{ "bind-max", LDIR_CONFIG_A_BIND_MAX, 0, UINT32_MAX },
	/* ms: a SYN sooner after the last counted one is no resend */
	{ "syn-resend-gap", LDIR_CONFIG_A_SYN_RESEND_GAP_MS, 0, 60000 },
	/* 0: half of conn-max */
	{ "embryonic-max", LDIR_CONFIG_A_EMBRYONIC_MAX, 0, UINT32_MAX },
	{ "timeout-syn-pressure", LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE, 1, 3600 },
};

int config_parse(int argc, char **argv, struct ld_config *c)
{
	int i;
	size_t k;

	memset(c, 0, sizeof(*c));
	if (!argc)
		return ldctl_usage_err(usage_config,
				       "config set: nothing to change");
	for (i = 0; i < argc; i += 2) {
		const char *kw = argv[i];
		unsigned int attr;

		for (k = 0; k < ARRAY_SIZE(config_keys); k++)
			if (!strcmp(kw, config_keys[k].name))
				break;
		if (k == ARRAY_SIZE(config_keys))
			return ldctl_usage_err(usage_config,
					       "unknown argument \"%s\"", kw);
		if (i + 1 >= argc)
			return ldctl_usage_err(usage_config,
					       "missing value after \"%s\"",
					       kw);
		attr = config_keys[k].attr;
		if (c->has & (1u << attr))
			return ldctl_usage_err(usage_config,
					       "\"%s\" given twice", kw);
		if (parse_u32(kw, argv[i + 1], config_keys[k].min,
			      config_keys[k].max, &c->v[attr]))
			return 1;
		c->has |= 1u << attr;
	}
	return 0;
}

static int config_set(struct ldctl *ctx, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct ld_config c;
	struct nl *nl;

	if (config_parse(argc, argv, &c))
		return 1;
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl)
		return 1;
	nlh = nl_req(nl, LDIR_CMD_CONFIG_SET, 0);
	msg_put_config(nlh, &c);
	return nl_do(nl, nlh, NULL, NULL) ? 1 : 0;
}

static int config_show(struct ldctl *ctx, int argc, char **argv)
{
	struct pr p = { .f = stdout, .numeric = ctx->numeric,
			.color = ctx->color };
	struct ld_global g;
	struct json j;
	struct nl *nl;

	if (argc)
		return ldctl_usage_err(usage_config,
				       "unexpected argument \"%s\"", argv[0]);
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (!nl || ld_get_global(nl, &g))
		return 1;
	if (ctx->json) {
		json_init(&j, stdout);
		js_config(&j, NULL, &g.config);
		json_finish(&j);
	} else {
		pr_config(&p, &g.config);
	}
	return 0;
}

int cmd_config(struct ldctl *ctx, int argc, char **argv)
{
	static const struct cmd verbs[] = {
		{ .name = "set", .fn = config_set },
		{ .name = "show", .fn = config_show },
		{ }
	};

	return ldctl_dispatch(ctx, verbs, "show", usage_config, argc, argv);
}
