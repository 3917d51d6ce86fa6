// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl: configure the ldir load balancer. Global options, then the
 * command (ldctl.c dispatches it).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ldir.h>

#include "ldctl.h"
#include "nl.h"

#ifndef LDCTL_VERSION
#define LDCTL_VERSION	"unknown"
#endif

/* ldctl's version, and the module's family version when it is loaded */
static int version(void)
{
	int v = nl_family_version(LDIR_GENL_NAME);

	printf("ldctl %s\n", LDCTL_VERSION);
	if (v >= 0)
		printf("ldir module: generic netlink family \"%s\" version %d\n",
		       LDIR_GENL_NAME, v);
	else
		printf("ldir module: not loaded\n");
	return 0;
}

/*
 * -N NAME: run in the network namespace NAME of "ip netns" (a file under
 * /run/netns, or a path), as ip -n does: every socket is opened after it.
 */
static int enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
		ldctl_err("invalid network namespace name \"%s\"", name);
		return 1;
	}
	snprintf(path, sizeof(path), strchr(name, '/') ? "%s" : "/run/netns/%s",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ldctl_err("cannot open network namespace \"%s\": %s", name,
			  strerror(errno));
		return 1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		ldctl_err("setting the network namespace \"%s\": %s", name,
			  strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

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
		if (!strcmp(opt, "-d") || !strcmp(opt, "--details")) {
			ctx.details = true;
			continue;
		}
		if (!strcmp(opt, "-s") || !strcmp(opt, "--stats")) {
			ctx.stats = true;
			continue;
		}
		if (!strcmp(opt, "-N") || !strcmp(opt, "--netns")) {
			if (i + 1 >= argc) {
				ldctl_err("missing NETNS after \"%s\"", opt);
				return 1;
			}
			if (enter_netns(argv[++i]))
				return 1;
			continue;
		}
		if (!strcmp(opt, "-V") || !strcmp(opt, "--version"))
			return version();
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
