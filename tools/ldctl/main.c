// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl: configure the ldir load balancer. Global options, then the
 * command (ldctl.c dispatches it).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldctl.h"

int main(int argc, char **argv)
{
	struct ldctl ctx = { };
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			ctx.json = true;
			continue;
		}
		if (!strcmp(opt, "-n") || !strcmp(opt, "--numeric")) {
			ctx.numeric = true;
			continue;
		}
		if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			ldctl_usage(stdout);
			return 0;
		}
		ldctl_err("unknown option \"%s\"", opt);
		ldctl_usage(stderr);
		return 1;
	}
	/* https://no-color.org */
	ctx.color = !ctx.json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

	ret = ldctl_run(&ctx, argc - i, argv + i);
	ldctl_close(&ctx);
	if (fflush(stdout) || ferror(stdout)) {
		ldctl_err("write error on standard output");
		ret = 1;
	}
	return ret;
}
