// SPDX-License-Identifier: GPL-2.0
/*
 * nlraw: sends one ldir request built from the command line as it is, with
 * none of ldctl's checks, so that a test reaches the kernel's own policies
 * and range checks (selftests/test-badinput.sh). Prints "ok" on an ack;
 * otherwise the kernel's error as ldctl reports it (extack message, the
 * attribute it points at, strerror) on stderr, and exits 1.
 *
 * usage: nlraw [-f FLAGS] [-r RESERVED] COMMAND [ATTR...]
 *   -f FLAGS       nlmsg_flags to set besides REQUEST and ACK
 *   -r RESERVED    the genetlink header's reserved byte
 *   COMMAND        virtual-new, virtual-set, real-new, ... (or a number)
 *   NAME{ ... }    a nest; the names inside are the nest's
 *   NAME=VALUE     an attribute of the type the table gives NAME
 *   NAME/KIND=VAL  an attribute of KIND: u8 u16 be16 u32 u64 str hex ip
 *   NAME/flag      a flag
 * NAME is a table name or a number. KIND ip: a dotted quad in 16 bytes
 * (the uapi's IPv4 form); hex: the bytes as written.
 *
 *   nlraw real-new real{ family=2 addr=10.0.2.15 weight=65536 }
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/ldir.h>

#include "ldctl.h"
#include "nl.h"

enum kind { K_NONE, K_NEST, K_FLAG, K_U8, K_U16, K_BE16, K_U32, K_U64,
	    K_STR, K_HEX, K_IP };

struct aname {
	const char *name;
	int type;
	enum kind kind;
	const struct aname *nest;	/* the names inside a K_NEST */
};

static const struct aname virtual_names[] = {
	{ "family", LDIR_VIRTUAL_A_FAMILY, K_U16, NULL },
	{ "addr", LDIR_VIRTUAL_A_ADDR, K_IP, NULL },
	{ "port", LDIR_VIRTUAL_A_PORT, K_BE16, NULL },
	{ "protocol", LDIR_VIRTUAL_A_PROTOCOL, K_U8, NULL },
	{ "bind-id", LDIR_VIRTUAL_A_BIND_ID, K_U32, NULL },
	{ "sched", LDIR_VIRTUAL_A_SCHED, K_STR, NULL },
	{ "state", LDIR_VIRTUAL_A_STATE, K_U8, NULL },
	{ "nlinks", LDIR_VIRTUAL_A_NLINKS, K_U32, NULL },
	{ "conns", LDIR_VIRTUAL_A_CONNS, K_U32, NULL },
	{ "startup", LDIR_VIRTUAL_A_STARTUP, K_U8, NULL },
	{ "startup-pct", LDIR_VIRTUAL_A_STARTUP_PCT, K_U8, NULL },
	{ "startup-window", LDIR_VIRTUAL_A_STARTUP_WINDOW, K_U16, NULL },
	{ "backup", LDIR_VIRTUAL_A_BACKUP, K_NEST, virtual_names },
	{ "flags", LDIR_VIRTUAL_A_FLAGS, K_U32, NULL },
	{ "fpa-interval", LDIR_VIRTUAL_A_FPA_INTERVAL, K_U32, NULL },
	{ "fpa-mask", LDIR_VIRTUAL_A_FPA_MASK, K_U8, NULL },
	{ "overflow", LDIR_VIRTUAL_A_OVERFLOW, K_U8, NULL },
	{ NULL, 0, K_NONE, NULL }
};

static const struct aname real_names[] = {
	{ "family", LDIR_REAL_A_FAMILY, K_U16, NULL },
	{ "addr", LDIR_REAL_A_ADDR, K_IP, NULL },
	{ "port", LDIR_REAL_A_PORT, K_BE16, NULL },
	{ "weight", LDIR_REAL_A_WEIGHT, K_U32, NULL },
	{ "maxconns", LDIR_REAL_A_MAX_CONNS, K_U32, NULL },
	{ "state", LDIR_REAL_A_STATE, K_U8, NULL },
	{ "conns", LDIR_REAL_A_CONNS, K_U32, NULL },
	{ "syn-threshold", LDIR_REAL_A_SYN_THRESHOLD, K_U32, NULL },
	{ "fail-threshold", LDIR_REAL_A_FAIL_THRESHOLD, K_U32, NULL },
	{ "idle-timeout", LDIR_REAL_A_IDLE_TIMEOUT, K_U32, NULL },
	{ "backup", LDIR_REAL_A_BACKUP, K_NEST, real_names },
	{ NULL, 0, K_NONE, NULL }
};

static const struct aname link_names[] = {
	{ "virtual", LDIR_LINK_A_VIRTUAL, K_NEST, virtual_names },
	{ "real", LDIR_LINK_A_REAL, K_NEST, real_names },
	{ "port", LDIR_LINK_A_PORT, K_BE16, NULL },
	{ NULL, 0, K_NONE, NULL }
};

static const struct aname bind_names[] = {
	{ "virtual", LDIR_BIND_A_VIRTUAL, K_NEST, virtual_names },
	{ "family", LDIR_BIND_A_FAMILY, K_U16, NULL },
	{ "addr", LDIR_BIND_A_ADDR, K_IP, NULL },
	{ "prefix-len", LDIR_BIND_A_PREFIX_LEN, K_U8, NULL },
	{ NULL, 0, K_NONE, NULL }
};

static const struct aname config_names[] = {
	{ "conn-max", LDIR_CONFIG_A_CONN_MAX, K_U32, NULL },
	{ "conn-count", LDIR_CONFIG_A_CONN_COUNT, K_U32, NULL },
	{ "timeout-syn", LDIR_CONFIG_A_TIMEOUT_SYN, K_U32, NULL },
	{ "timeout-est", LDIR_CONFIG_A_TIMEOUT_EST, K_U32, NULL },
	{ "timeout-udp", LDIR_CONFIG_A_TIMEOUT_UDP, K_U32, NULL },
	{ "syn-resends", LDIR_CONFIG_A_SYN_RESENDS, K_U32, NULL },
	{ "retry-interval", LDIR_CONFIG_A_RETRY_INTERVAL, K_U32, NULL },
	{ "pr-age-div", LDIR_CONFIG_A_PR_AGE_DIV, K_U32, NULL },
	{ "pr-clamp", LDIR_CONFIG_A_PR_CLAMP_PCT, K_U32, NULL },
	{ NULL, 0, K_NONE, NULL }
};

static const struct aname top_names[] = {
	{ "virtual", LDIR_A_VIRTUAL, K_NEST, virtual_names },
	{ "real", LDIR_A_REAL, K_NEST, real_names },
	{ "link", LDIR_A_LINK, K_NEST, link_names },
	{ "config", LDIR_A_CONFIG, K_NEST, config_names },
	{ "bind", LDIR_A_BIND, K_NEST, bind_names },
	{ "flush", LDIR_A_FLUSH, K_FLAG, NULL },
	{ "conns-only", LDIR_A_FLUSH_CONNS_ONLY, K_FLAG, NULL },
	{ NULL, 0, K_NONE, NULL }
};

static const struct { const char *name; int cmd; } cmds[] = {
	{ "virtual-new", LDIR_CMD_VIRTUAL_NEW },
	{ "virtual-set", LDIR_CMD_VIRTUAL_SET },
	{ "virtual-del", LDIR_CMD_VIRTUAL_DEL },
	{ "real-new", LDIR_CMD_REAL_NEW },
	{ "real-set", LDIR_CMD_REAL_SET },
	{ "real-del", LDIR_CMD_REAL_DEL },
	{ "link-new", LDIR_CMD_LINK_NEW },
	{ "link-del", LDIR_CMD_LINK_DEL },
	{ "config-set", LDIR_CMD_CONFIG_SET },
	{ "bind-new", LDIR_CMD_BIND_NEW },
	{ "fpa-flush", LDIR_CMD_FPA_FLUSH },
	{ "flush", LDIR_CMD_FLUSH },
	{ "event", LDIR_CMD_EVENT },
};

static const char *kinds[] = {
	[K_NEST] = "nest", [K_FLAG] = "flag", [K_U8] = "u8", [K_U16] = "u16",
	[K_BE16] = "be16", [K_U32] = "u32", [K_U64] = "u64", [K_STR] = "str",
	[K_HEX] = "hex", [K_IP] = "ip",
};

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nlraw: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long long num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		die("bad number \"%s\"", s);
	return v;
}

static void put_hex(struct nlmsghdr *nlh, int type, const char *s)
{
	unsigned char buf[256];
	size_t n;

	if (strlen(s) % 2 || strlen(s) / 2 > sizeof(buf))
		die("bad hex \"%s\"", s);
	for (n = 0; s[2 * n]; n++)
		if (sscanf(s + 2 * n, "%2hhx", &buf[n]) != 1)
			die("bad hex \"%s\"", s);
	mnl_attr_put(nlh, type, n, buf);
}

static void put(struct nlmsghdr *nlh, int type, enum kind k, const char *v)
{
	struct in_addr a;
	unsigned char ip[16] = { 0 };

	if (k != K_FLAG && k != K_NEST && !v)
		die("\"%s\" needs a value", kinds[k]);
	switch (k) {
	case K_FLAG:
		mnl_attr_put(nlh, type, 0, NULL);
		break;
	case K_U8:
		mnl_attr_put_u8(nlh, type, num(v));
		break;
	case K_U16:
		mnl_attr_put_u16(nlh, type, num(v));
		break;
	case K_BE16:
		mnl_attr_put_u16(nlh, type, htons(num(v)));
		break;
	case K_U32:
		mnl_attr_put_u32(nlh, type, num(v));
		break;
	case K_U64:
		mnl_attr_put_u64(nlh, type, num(v));
		break;
	case K_STR:
		mnl_attr_put_strz(nlh, type, v);
		break;
	case K_HEX:
		put_hex(nlh, type, v);
		break;
	case K_IP:
		if (inet_pton(AF_INET, v, &a) != 1)
			die("bad IPv4 address \"%s\"", v);
		memcpy(ip, &a, 4);
		mnl_attr_put(nlh, type, sizeof(ip), ip);
		break;
	default:
		die("bad kind for \"%s\"", v);
	}
}

static enum kind kind_of(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i] && !strcmp(kinds[i], s))
			return i;
	die("unknown kind \"%s\"", s);
}

/* Puts argv[*i]... into nlh under the names of @names, up to a "}". */
static void put_attrs(struct nlmsghdr *nlh, const struct aname *names,
		      int argc, char **argv, int *i, int depth)
{
	for (; *i < argc; (*i)++) {
		char tok[256], *val, *slash, *brace;
		const struct aname *n = NULL, *p;
		enum kind k = K_NONE;
		int type;

		if (!strcmp(argv[*i], "}")) {
			if (!depth)
				die("unbalanced \"}\"");
			return;
		}
		snprintf(tok, sizeof(tok), "%s", argv[*i]);
		val = strchr(tok, '=');
		if (val)
			*val++ = 0;
		brace = strchr(tok, '{');
		if (brace) {
			if (brace[1] || val)
				die("\"{\" ends a name: \"%s\"", argv[*i]);
			*brace = 0;
		}
		slash = strchr(tok, '/');
		if (slash) {
			*slash++ = 0;
			k = kind_of(slash);
		}
		for (p = names; p && p->name; p++)
			if (!strcmp(p->name, tok))
				n = p;
		if (n) {
			type = n->type;
			if (k == K_NONE)
				k = n->kind;
		} else {
			type = num(tok);
		}
		if (brace) {
			struct nlattr *nest = mnl_attr_nest_start(nlh, type);

			(*i)++;
			put_attrs(nlh, n && n->kind == K_NEST ? n->nest : NULL,
				  argc, argv, i, depth + 1);
			if (*i >= argc)
				die("missing \"}\" after \"%s\"", tok);
			mnl_attr_nest_end(nlh, nest);
			continue;
		}
		if (k == K_NONE)
			die("\"%s\" needs a kind (NAME/KIND=VALUE)", tok);
		put(nlh, type, k, val);
	}
	if (depth)
		die("missing \"}\"");
}

int main(int argc, char **argv)
{
	unsigned int flags = 0, reserved = 0;
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct nl *nl;
	int cmd = -1, i = 1;
	size_t c;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-f"))
			flags = num(argv[i + 1]);
		else if (!strcmp(argv[i], "-r"))
			reserved = num(argv[i + 1]);
		else
			die("unknown option \"%s\"", argv[i]);
	}
	if (i >= argc)
		die("usage: nlraw [-f FLAGS] [-r RESERVED] COMMAND [ATTR...]");
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(cmds[c].name, argv[i]))
			cmd = cmds[c].cmd;
	if (cmd < 0)
		cmd = num(argv[i]);
	i++;
	nl = nl_open();
	if (!nl)
		return 2;
	nlh = nl_req(nl, cmd, flags);
	genl = mnl_nlmsg_get_payload(nlh);
	genl->reserved = reserved;
	put_attrs(nlh, top_names, argc, argv, &i, 0);
	if (nl_do(nl, nlh, NULL, NULL)) {
		nl_close(nl);
		return 1;
	}
	puts("ok");
	nl_close(nl);
	return 0;
}
