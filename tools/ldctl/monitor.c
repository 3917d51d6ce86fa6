// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl monitor: the kernel's events (a real failed or recovered or was
 * set in or out, a virtual failed or recovered), one line each, as they
 * come. Runs until killed; every line is flushed, so a pipe or a file
 * sees it at once.
 */
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>

#include "ldctl.h"
#include "msg.h"
#include "nl.h"
#include "print.h"

void usage_monitor(FILE *f)
{
	fputs("  ldctl [-j] monitor          (events until killed; -j: a JSON object a line)\n",
	      f);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[LDIR_A_MAX + 1];
	struct ldctl *ctx = data;
	struct pr p = { .f = stdout, .numeric = ctx->numeric,
			.color = ctx->color };
	struct ld_event e;
	struct json j;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN ||
	    genl->cmd != LDIR_CMD_EVENT)
		return 0;
	if (msg_parse_top(nlh, tb) || !tb[LDIR_A_EVENT] ||
	    msg_parse_event(tb[LDIR_A_EVENT], &e)) {
		/* one bad message does not end the stream */
		ldctl_err("malformed event from the kernel");
		return 0;
	}
	if (ctx->json) {
		json_init(&j, stdout);
		js_event(&j, &e);
		json_finish(&j);
	} else {
		pr_event(&p, &e);
	}
	if (fflush(stdout) || ferror(stdout)) {
		ldctl_err("write error on standard output");
		return -EIO;
	}
	return 0;
}

int cmd_monitor(struct ldctl *ctx, int argc, char **argv)
{
	struct nl *nl;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_monitor(stdout);
		return 0;
	}
	if (argc)
		return ldctl_usage_err(usage_monitor,
				       "unexpected argument \"%s\"", argv[0]);
	if (ctx->dry_run) {
		/* a restore file cannot wait forever */
		ldctl_err("\"monitor\" cannot be used in a restore file");
		return 1;
	}
	nl = ldctl_nl(ctx);
	if (!nl || nl_subscribe(nl, LDIR_GENL_MCGRP_EVENTS))
		return 1;
	return nl_listen(nl, event_cb, ctx) ? 1 : 0;
}
