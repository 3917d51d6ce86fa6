// SPDX-License-Identifier: GPL-2.0
/*
 * Strict parsing of command line words. Nothing is abbreviated, nothing is
 * resolved by name, and every rejection quotes what was rejected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ldctl.h"
#include "parse.h"

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull would take leading blanks, a sign and wrap "-1" */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	      uint32_t *out)
{
	uint64_t v;

	if (parse_uint(s, min, max, &v)) {
		ldctl_err("invalid %s \"%s\" (expected %u..%u)", what, s, min,
			  max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_addr(const char *s, struct ld_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

static int parse_port_bind(const char *s, const char *rest,
			   unsigned int flags, struct ld_ep *ep)
{
	char port[16];
	const char *colon;
	uint64_t v;
	size_t len;

	if (!*rest) {
		if (!(flags & EP_NEED_PORT))
			return 0;
		if (ep->addr.family == AF_INET6 && *s != '[')
			ldctl_err("missing port in \"%s\" (write [%s]:PORT)",
				  s, s);
		else if (ep->addr.family == AF_INET6)
			ldctl_err("missing port in \"%s\" (write %s:PORT)",
				  s, s);
		else
			ldctl_err("missing port in \"%s\" (write ADDR:PORT, port 0 for every port)",
				  s);
		return -1;
	}
	/* rest is ":PORT[:BIND]" */
	if (!(flags & (EP_PORT | EP_NEED_PORT))) {
		ldctl_err("unexpected port in \"%s\"", s);
		return -1;
	}
	rest++;
	colon = strchr(rest, ':');
	len = colon ? (size_t)(colon - rest) : strlen(rest);
	if (len >= sizeof(port)) {
		ldctl_err("invalid port in \"%s\" (expected 0..65535)", s);
		return -1;
	}
	memcpy(port, rest, len);
	port[len] = '\0';
	if (parse_uint(port, 0, 65535, &v)) {
		ldctl_err("invalid port \"%s\" in \"%s\" (expected 0..65535)",
			  port, s);
		return -1;
	}
	ep->port = v;
	ep->has_port = true;
	if (!colon)
		return 0;
	if (!(flags & EP_BIND)) {
		ldctl_err("unexpected \"%s\" after the port in \"%s\"", colon,
			  s);
		return -1;
	}
	if (parse_uint(colon + 1, 0, UINT32_MAX, &v)) {
		ldctl_err("invalid bind ID \"%s\" in \"%s\" (expected 0..%u)",
			  colon + 1, s, UINT32_MAX);
		return -1;
	}
	ep->bind = v;
	ep->has_bind = true;
	return 0;
}

/*
 * s (no brackets) split at its last colon into an IPv6 address and a
 * port: "2001:db8::1:80" is [2001:db8::1]:80, but also the address
 * 2001:db8::1:80. Returns the port's text (in s) and fills head, of
 * LD_EP_STRLEN bytes; NULL when s does not split so.
 */
static const char *v6_port_split(const char *s, char *head)
{
	const char *colon = strrchr(s, ':');
	struct ld_addr a;
	uint64_t port;
	size_t len;

	if (!colon)
		return NULL;
	len = colon - s;
	if (len >= LD_EP_STRLEN)
		return NULL;
	memcpy(head, s, len);
	head[len] = '\0';
	if (parse_uint(colon + 1, 0, 65535, &port) ||
	    parse_addr(head, &a) || a.family != AF_INET6)
		return NULL;
	return colon + 1;
}

/*
 * A bare address where a port may follow. An IPv6 address whose last
 * group could be a port is refused: brackets say which was meant.
 * Returns 0, -1 (no address: the caller reports) or -2 (reported).
 */
static int check_bare(const char *s, unsigned int flags, struct ld_ep *ep)
{
	char head[LD_EP_STRLEN];
	const char *port;

	if (!(flags & (EP_PORT | EP_NEED_PORT)))
		return parse_addr(s, &ep->addr) ? -1 : 0;
	port = v6_port_split(s, head);
	if (parse_addr(s, &ep->addr)) {
		if (!port)
			return -1;
		ldctl_err("invalid address \"%s\" (IPv6 with a port takes brackets: write [%s]:%s)",
			  s, head, port);
		return -2;
	}
	if (ep->addr.family != AF_INET6 || !port)
		return 0;
	if (flags & EP_NEED_PORT)
		ldctl_err("ambiguous address \"%s\" (IPv6 with a port takes brackets: write [%s]:%s, or [%s]:PORT)",
			  s, head, port, s);
	else
		ldctl_err("ambiguous address \"%s\" (IPv6 with a port takes brackets: write [%s]:%s, or [%s] for the address alone)",
			  s, head, port, s);
	return -2;
}

int parse_ep(const char *s, unsigned int flags, struct ld_ep *ep)
{
	char buf[LD_EP_STRLEN];
	const char *rest = "";
	char *addr = buf, *p;
	size_t len = strlen(s);
	int ret;

	memset(ep, 0, sizeof(*ep));
	if (len >= sizeof(buf))
		goto bad_addr;
	memcpy(buf, s, len + 1);

	if (buf[0] == '[') {
		/* [ADDR6] or [ADDR6]:PORT... */
		p = strchr(buf, ']');
		if (!p)
			goto bad_addr;
		*p = '\0';
		addr = buf + 1;
		rest = s + (p + 1 - buf);
		if (*rest && *rest != ':')
			goto bad_addr;
		if (parse_addr(addr, &ep->addr) || ep->addr.family != AF_INET6)
			goto bad_part;
	} else {
		char *colon = strchr(buf, ':');
		char *dot = strchr(buf, '.');

		if (colon && dot && dot < colon) {
			/* IPv4:PORT... */
			*colon = '\0';
			rest = s + (colon - buf);
			if (parse_addr(addr, &ep->addr) ||
			    ep->addr.family != AF_INET)
				goto bad_part;
		} else {
			/* a bare IPv4 or IPv6 address: no port can follow */
			ret = check_bare(addr, flags, ep);
			if (ret == -2)
				return -1;
			if (ret)
				goto bad_addr;
		}
	}
	return parse_port_bind(s, rest, flags, ep);

bad_part:
	ldctl_err("invalid address \"%s\"", addr);
	return -1;
bad_addr:
	ldctl_err("invalid address \"%s\"", s);
	return -1;
}

int parse_prefix(const char *s, struct ld_addr *a, uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned int max, i, bit;
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t v;

	if (len >= sizeof(buf)) {
		ldctl_err("invalid address \"%s\"", s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_addr(buf, a)) {
		ldctl_err("invalid address \"%s\"", buf);
		return -1;
	}
	max = a->family == AF_INET ? 32 : 128;
	*plen = max;
	if (slash) {
		if (parse_uint(slash + 1, 0, max, &v)) {
			ldctl_err("invalid prefix length \"%s\" in \"%s\" (expected 0..%u)",
				  slash + 1, s, max);
			return -1;
		}
		*plen = v;
	}
	for (i = *plen; i < max; i++) {
		bit = a->addr[i / 8] & (0x80 >> (i % 8));
		if (bit) {
			ldctl_err("invalid prefix \"%s\": address bits set past /%u",
				  s, *plen);
			return -1;
		}
	}
	return 0;
}

int parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "tcp")) {
		*proto = IPPROTO_TCP;
	} else if (!strcmp(s, "udp")) {
		*proto = IPPROTO_UDP;
	} else {
		ldctl_err("invalid protocol \"%s\" (expected tcp or udp)", s);
		return -1;
	}
	return 0;
}

/* a word that starts like an address: the protocol before it is missing */
bool looks_like_ep(const char *s)
{
	return *s == '[' || (*s >= '0' && *s <= '9') || strchr(s, ':');
}

int parse_vkey(const char *cmd, void (*usage)(FILE *f), int argc,
	       char **argv, struct ld_virtual *v)
{
	struct ld_ep ep;

	if (argc < 1 || looks_like_ep(argv[0])) {
		ldctl_usage_err(usage,
				"%s: protocol missing: tcp|udp before VIP:PORT",
				cmd);
		return -1;
	}
	if (parse_proto(argv[0], &v->protocol))
		return -1;
	if (argc < 2) {
		ldctl_usage_err(usage, "%s: missing VIP:PORT after \"%s\"",
				cmd, argv[0]);
		return -1;
	}
	if (parse_ep(argv[1], EP_NEED_PORT | EP_BIND, &ep))
		return -1;
	if (ep.has_bind) {
		ldctl_usage_err(usage,
				"%s: unexpected bind ID in \"%s\" (write VIP:PORT bind %u)",
				cmd, argv[1], ep.bind);
		return -1;
	}
	v->addr = ep.addr;
	v->port = ep.port;
	if (argc < 3 || strcmp(argv[2], "bind"))
		return 2;
	if (argc < 4) {
		ldctl_usage_err(usage, "%s: missing value after \"bind\"", cmd);
		return -1;
	}
	if (parse_u32("bind ID", argv[3], 0, UINT32_MAX, &v->bind_id))
		return -1;
	v->has |= LD_HAS_BIND;
	return 4;
}

int parse_state(const char *s, uint8_t *state)
{
	if (!strcmp(s, "in")) {
		*state = LDIR_STATE_IN;
	} else if (!strcmp(s, "out")) {
		*state = LDIR_STATE_OUT;
	} else {
		ldctl_err("invalid state \"%s\" (expected in or out)", s);
		return -1;
	}
	return 0;
}

/* The kernel knows which schedulers exist; only the length is ours. */
int parse_sched(const char *s, char *sched)
{
	size_t len = strlen(s);

	if (!len || len >= LDIR_SCHED_NAME_MAX) {
		ldctl_err("invalid scheduler name \"%s\" (1..%d characters)",
			  s, LDIR_SCHED_NAME_MAX - 1);
		return -1;
	}
	memcpy(sched, s, len + 1);
	return 0;
}

int parse_startup(const char *s, uint8_t *startup)
{
	if (!strcmp(s, "rr")) {
		*startup = LDIR_STARTUP_RR;
	} else if (!strcmp(s, "none")) {
		*startup = LDIR_STARTUP_NONE;
	} else {
		ldctl_err("invalid startup scheme \"%s\" (expected rr or none)",
			  s);
		return -1;
	}
	return 0;
}

int parse_backup(const char *what, const char *s, unsigned int flags,
		 struct ld_backup *b)
{
	const char *where = ldctl_where;
	FILE *errf = ldctl_errf;
	char *msg = NULL;
	size_t len = 0;
	struct ld_ep ep;
	int ret;

	memset(b, 0, sizeof(*b));
	if (!strcmp(s, "none"))
		return 0;
	/* one line that names the argument, with parse_ep's reason */
	ldctl_errf = open_memstream(&msg, &len);
	ldctl_where = NULL;
	if (!ldctl_errf) {
		ldctl_errf = errf;
		ldctl_where = where;
		ldctl_err("out of memory");
		return -1;
	}
	ret = parse_ep(s, flags, &ep);
	fclose(ldctl_errf);
	ldctl_errf = errf;
	ldctl_where = where;
	if (ret) {
		len = strlen(msg);
		if (len && msg[len - 1] == '\n')
			msg[len - 1] = '\0';
		ldctl_err("invalid %s \"%s\" (expected %s or none): %s", what,
			  s, flags & EP_NEED_PORT ? "VIP:PORT" : "ADDR[:PORT]",
			  strncmp(msg, "ldctl: ", 7) ? msg : msg + 7);
		free(msg);
		return -1;
	}
	free(msg);
	b->addr = ep.addr;
	b->port = ep.port;
	return 0;
}
