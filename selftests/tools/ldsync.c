// SPDX-License-Identifier: GPL-2.0
/*
 * ldsync: the conn sync ABI by hand, for the selftests (what the sync
 * daemon does, without the transport). In the namespace it runs in:
 *
 *   ldsync listen SECS [quiet]
 *                        joins the "sync" group for SECS seconds and
 *                        prints each message ("msg seq=N lost=N recs=N")
 *                        and each record (a "rec" line, below), or with
 *                        quiet neither; at the end "total msgs=N recs=N
 *                        gaps=N"
 *   ldsync dump          the conns a peer would take (conn-get with
 *                        syncable), one "rec" line each
 *   ldsync apply [K=V]   reads "rec" lines on stdin and sends each as
 *                        conn-new (conn-del if removed), with the fields
 *                        K=V changed: digest, state, expires-ms,
 *                        client-addr, client-port, real-addr, real-port,
 *                        family (of the conn), bind-id (of its virtual),
 *                        rkey-addr, rkey-port (its real's key); prints
 *                        "ok" or "error ERRNO: EXTACK" per line, exit 1
 *                        if any failed
 *
 * A "rec" line: rec STATE[/removed] CLIENT VIP REAL expires-ms=N
 * digest=N hex=... where hex is the record's attributes as the kernel
 * sent them (the payload of the conn nest): apply sends those bytes, as
 * conn-del if they hold the removed flag or STATE ends in /removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ldir.h>

#define BUF_SZ		(1 << 16)
#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_LEN(a)	((int)(a)->nla_len - NLA_HDRLEN)
#define NLA_NEXT(a)	((struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))
#define NLA_OK(a, rem)	((rem) >= (int)sizeof(struct nlattr) && \
			 (a)->nla_len >= sizeof(struct nlattr) && \
			 (a)->nla_len <= (rem))

static int fd;
static uint16_t family_id;
static uint32_t sync_group;
static uint32_t seqno = 1;
static char buf[BUF_SZ];

static void die(const char *msg)
{
	fprintf(stderr, "ldsync: %s: %s\n", msg, strerror(errno));
	exit(2);
}

static void put_attr(struct nlmsghdr *h, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(NLA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static struct nlattr *nest_start(struct nlmsghdr *h, int type)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	put_attr(h, type | NLA_F_NESTED, NULL, 0);
	return a;
}

static void nest_end(struct nlmsghdr *h, struct nlattr *a)
{
	a->nla_len = (char *)h + h->nlmsg_len - (char *)a;
}

static struct nlmsghdr *msg_init(char *b, uint16_t type, uint16_t flags,
				 uint8_t cmd)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b;
	struct genlmsghdr *g;

	memset(b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seqno++;
	g = NLMSG_DATA(h);
	g->cmd = cmd;
	g->version = 1;
	return h;
}

static void send_msg(struct nlmsghdr *h)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0)
		die("sendto");
}

static struct nlattr *genl_attrs(struct nlmsghdr *h, int *rem)
{
	*rem = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
}

/* The family id and the sync group's id, from the controller. */
static void resolve(void)
{
	char b[256];
	struct nlmsghdr *h = msg_init(b, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	struct nlattr *a, *g, *ga;
	int n, rem, grem, garem;

	put_attr(h, CTRL_ATTR_FAMILY_NAME, LDIR_GENL_NAME,
		 strlen(LDIR_GENL_NAME) + 1);
	send_msg(h);
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		die("recv");
	h = (struct nlmsghdr *)buf;
	if (h->nlmsg_type == NLMSG_ERROR) {
		errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		die("the ldir family");
	}
	for (a = genl_attrs(h, &rem); NLA_OK(a, rem);
	     rem -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			family_id = *(uint16_t *)NLA_DATA(a);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for (g = NLA_DATA(a), grem = NLA_LEN(a); NLA_OK(g, grem);
		     grem -= NLA_ALIGN(g->nla_len), g = NLA_NEXT(g)) {
			uint32_t id = 0;
			int is_sync = 0;

			for (ga = NLA_DATA(g), garem = NLA_LEN(g);
			     NLA_OK(ga, garem);
			     garem -= NLA_ALIGN(ga->nla_len), ga = NLA_NEXT(ga)) {
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)NLA_DATA(ga);
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !strcmp(NLA_DATA(ga), LDIR_GENL_MCGRP_SYNC))
					is_sync = 1;
			}
			if (is_sync)
				sync_group = id;
		}
	}
	if (!family_id)
		die("no family id");
}

static const char *addr_str(const uint8_t *a, int family, char *s)
{
	inet_ntop(family, a, s, INET6_ADDRSTRLEN);
	return s;
}

/* Prints a record (the payload of a conn nest) as a "rec" line. */
static void print_rec(const struct nlattr *nest)
{
	static const char *const states[] = {
		"none", "syn-sent", "syn-recv", "established", "fin-wait",
		"time-wait", "close", "udp"
	};
	const struct nlattr *a;
	char c[INET6_ADDRSTRLEN], v[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	const uint8_t *ca = NULL, *va = NULL, *ra = NULL;
	unsigned int cport = 0, vport = 0, rport = 0, state = 0, ms = 0;
	int rem = NLA_LEN(nest), family = 0, removed = 0, i;
	unsigned long long digest = 0;

	for (a = NLA_DATA(nest); NLA_OK(a, rem);
	     rem -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
		void *d = NLA_DATA(a);

		switch (a->nla_type & NLA_TYPE_MASK) {
		case LDIR_CONN_A_FAMILY: family = *(uint16_t *)d; break;
		case LDIR_CONN_A_CLIENT_ADDR: ca = d; break;
		case LDIR_CONN_A_VIRTUAL_ADDR: va = d; break;
		case LDIR_CONN_A_REAL_ADDR: ra = d; break;
		case LDIR_CONN_A_CLIENT_PORT: cport = ntohs(*(uint16_t *)d); break;
		case LDIR_CONN_A_VIRTUAL_PORT: vport = ntohs(*(uint16_t *)d); break;
		case LDIR_CONN_A_REAL_PORT: rport = ntohs(*(uint16_t *)d); break;
		case LDIR_CONN_A_STATE: state = *(uint8_t *)d; break;
		case LDIR_CONN_A_EXPIRES_MS: ms = *(uint32_t *)d; break;
		case LDIR_CONN_A_DIGEST: memcpy(&digest, d, 8); break;
		case LDIR_CONN_A_REMOVED: removed = 1; break;
		}
	}
	if (!ca || !va || !ra) {
		printf("rec malformed\n");
		return;
	}
	printf("rec %s%s %s:%u %s:%u %s:%u expires-ms=%u digest=%llu hex=",
	       state < 8 ? states[state] : "?", removed ? "/removed" : "",
	       addr_str(ca, family, c), cport, addr_str(va, family, v), vport,
	       addr_str(ra, family, r), rport, ms, digest);
	for (i = 0; i < NLA_LEN(nest); i++)
		printf("%02x", ((uint8_t *)NLA_DATA(nest))[i]);
	printf("\n");
}

static int listen_sync(int secs, bool quiet)
{
	unsigned long msgs = 0, recs = 0, gaps = 0;
	uint32_t last = 0;
	time_t end = time(NULL) + secs;
	int n;

	if (!sync_group) {
		fprintf(stderr, "ldsync: no sync group\n");
		return 2;
	}
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &sync_group,
		       sizeof(sync_group)) < 0)
		die("join the sync group");
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)(end - time(NULL));
		struct nlmsghdr *h;

		if (left <= 0 || poll(&p, 1, left * 1000) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS) {
				printf("enobufs\n");
				continue;
			}
			die("recv");
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlattr *a, *s;
			unsigned long long lost = 0;
			uint32_t seq = 0;
			int rem, srem, k = 0;

			if (h->nlmsg_type != family_id)
				continue;
			for (a = genl_attrs(h, &rem); NLA_OK(a, rem);
			     rem -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
				if ((a->nla_type & NLA_TYPE_MASK) != LDIR_A_SYNC)
					continue;
				for (s = NLA_DATA(a), srem = NLA_LEN(a);
				     NLA_OK(s, srem);
				     srem -= NLA_ALIGN(s->nla_len), s = NLA_NEXT(s)) {
					switch (s->nla_type & NLA_TYPE_MASK) {
					case LDIR_SYNC_A_SEQ:
						seq = *(uint32_t *)NLA_DATA(s);
						break;
					case LDIR_SYNC_A_LOST:
						memcpy(&lost, NLA_DATA(s), 8);
						break;
					case LDIR_SYNC_A_CONN:
						k++;
						break;
					}
				}
				if (quiet)
					continue;
				printf("msg seq=%u lost=%llu recs=%d\n", seq,
				       lost, k);
				for (s = NLA_DATA(a), srem = NLA_LEN(a);
				     NLA_OK(s, srem);
				     srem -= NLA_ALIGN(s->nla_len), s = NLA_NEXT(s))
					if ((s->nla_type & NLA_TYPE_MASK) ==
					    LDIR_SYNC_A_CONN)
						print_rec(s);
			}
			if (msgs && seq != last + 1)
				gaps++;
			last = seq;
			msgs++;
			recs += k;
		}
		if (!quiet)
			fflush(stdout);
	}
	printf("total msgs=%lu recs=%lu gaps=%lu\n", msgs, recs, gaps);
	return 0;
}

static int dump(void)
{
	char b[64];
	struct nlmsghdr *h = msg_init(b, family_id, NLM_F_DUMP, LDIR_CMD_CONN_GET);
	int n;

	put_attr(h, LDIR_A_SYNCABLE, NULL, 0);
	send_msg(h);
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			die("recv");
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlattr *a;
			int rem;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				die("conn-get");
			}
			for (a = genl_attrs(h, &rem); NLA_OK(a, rem);
			     rem -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a))
				if ((a->nla_type & NLA_TYPE_MASK) == LDIR_A_CONN)
					print_rec(a);
		}
	}
}

/* ---- apply ---------------------------------------------------------- */

struct override {
	const char *name;
	int nest;		/* 0: the conn's own; else the nest's type */
	int type;
	char kind;		/* 'a' address, 'p' port, '1' '2' '4' '8' */
	int set;
	uint8_t val[16];
	int len;
};

static struct override ov[] = {
	{ "digest", 0, LDIR_CONN_A_DIGEST, '8', 0, { 0 }, 0 },
	{ "state", 0, LDIR_CONN_A_STATE, '1', 0, { 0 }, 0 },
	{ "expires-ms", 0, LDIR_CONN_A_EXPIRES_MS, '4', 0, { 0 }, 0 },
	{ "family", 0, LDIR_CONN_A_FAMILY, '2', 0, { 0 }, 0 },
	{ "client-addr", 0, LDIR_CONN_A_CLIENT_ADDR, 'a', 0, { 0 }, 0 },
	{ "client-port", 0, LDIR_CONN_A_CLIENT_PORT, 'p', 0, { 0 }, 0 },
	{ "real-addr", 0, LDIR_CONN_A_REAL_ADDR, 'a', 0, { 0 }, 0 },
	{ "real-port", 0, LDIR_CONN_A_REAL_PORT, 'p', 0, { 0 }, 0 },
	{ "bind-id", LDIR_CONN_A_VIRTUAL, LDIR_VIRTUAL_A_BIND_ID, '4', 0, { 0 }, 0 },
	{ "rkey-addr", LDIR_CONN_A_REAL, LDIR_REAL_A_ADDR, 'a', 0, { 0 }, 0 },
	{ "rkey-port", LDIR_CONN_A_REAL, LDIR_REAL_A_PORT, 'p', 0, { 0 }, 0 },
};

#define NOV	(sizeof(ov) / sizeof(ov[0]))

static void parse_override(const char *arg)
{
	const char *eq = strchr(arg, '=');
	unsigned long long x;
	unsigned int i;

	for (i = 0; eq && i < NOV; i++) {
		if (strncmp(arg, ov[i].name, eq - arg) ||
		    ov[i].name[eq - arg])
			continue;
		ov[i].set = 1;
		memset(ov[i].val, 0, sizeof(ov[i].val));
		if (ov[i].kind == 'a') {
			ov[i].len = 16;
			if (inet_pton(AF_INET, eq + 1, ov[i].val) != 1 &&
			    inet_pton(AF_INET6, eq + 1, ov[i].val) != 1)
				break;
			return;
		}
		x = strtoull(eq + 1, NULL, 0);
		if (ov[i].kind == 'p') {
			uint16_t p = htons((uint16_t)x);

			ov[i].len = 2;
			memcpy(ov[i].val, &p, 2);
		} else {
			ov[i].len = ov[i].kind - '0';
			memcpy(ov[i].val, &x, ov[i].len);	/* little endian */
		}
		return;
	}
	fprintf(stderr, "ldsync: bad override '%s'\n", arg);
	exit(2);
}

static const struct override *find_ov(int nest, int type)
{
	unsigned int i;

	for (i = 0; i < NOV; i++)
		if (ov[i].set && ov[i].nest == nest && ov[i].type == type)
			return &ov[i];
	return NULL;
}

/* Copies the attributes of @src (@len bytes) into @h, the overrides of
 * @nest applied, nests recursively.
 */
static void copy_attrs(struct nlmsghdr *h, const uint8_t *src, int len,
		       int nest)
{
	const struct nlattr *a = (const void *)src;
	int rem = len;

	for (; NLA_OK(a, rem); rem -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
		int type = a->nla_type & NLA_TYPE_MASK;
		const struct override *o = find_ov(nest, type);

		if (!nest && (type == LDIR_CONN_A_VIRTUAL ||
			      type == LDIR_CONN_A_REAL)) {
			struct nlattr *n = nest_start(h, type);

			copy_attrs(h, NLA_DATA(a), NLA_LEN(a), type);
			nest_end(h, n);
			continue;
		}
		if (o)
			put_attr(h, type, o->val, o->len);
		else
			put_attr(h, a->nla_type, NLA_DATA(a), NLA_LEN(a));
	}
}

/* Sends one record; prints the outcome. Returns 0 if acked. */
static int apply_one(const uint8_t *rec, int len, int removed)
{
	char b[4096];
	const struct nlattr *a = (const void *)rec;
	struct nlmsghdr *h;
	struct nlattr *n;
	int rem = len, r;

	for (; NLA_OK(a, rem); rem -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a))
		if ((a->nla_type & NLA_TYPE_MASK) == LDIR_CONN_A_REMOVED)
			removed = 1;
	h = msg_init(b, family_id, NLM_F_ACK,
		     removed ? LDIR_CMD_CONN_DEL : LDIR_CMD_CONN_NEW);
	n = nest_start(h, LDIR_A_CONN);
	copy_attrs(h, rec, len, 0);
	nest_end(h, n);
	send_msg(h);
	r = recv(fd, buf, sizeof(buf), 0);
	if (r < 0)
		die("recv");
	h = (struct nlmsghdr *)buf;
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);
		const char *msg = "";

		if (!e->error) {
			printf("ok\n");
			return 0;
		}
		if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
			int off = sizeof(*e) + ((h->nlmsg_flags & NLM_F_CAPPED) ?
				  0 : e->msg.nlmsg_len - NLMSG_HDRLEN);
			struct nlattr *t = (void *)((char *)e + NLMSG_ALIGN(off));

			rem = h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off);
			for (; NLA_OK(t, rem);
			     rem -= NLA_ALIGN(t->nla_len), t = NLA_NEXT(t))
				if (t->nla_type == NLMSGERR_ATTR_MSG)
					msg = NLA_DATA(t);
		}
		printf("error %s: %s\n", strerrorname_np(-e->error) ?: "?", msg);
		return 1;
	}
	printf("error: unexpected reply\n");
	return 1;
}

static int apply(void)
{
	static char line[8192];
	static uint8_t rec[4096];
	int failed = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *hex = strstr(line, "hex=");
		char *sp = strchr(line + 4, ' ');
		int len = 0, removed;

		if (strncmp(line, "rec ", 4) || !hex || !sp)
			continue;
		removed = sp - line >= 12 && !strncmp(sp - 8, "/removed", 8);
		for (hex += 4; hex[0] && hex[1] && hex[0] != '\n' &&
		     len < (int)sizeof(rec); hex += 2)
			sscanf(hex, "%2hhx", &rec[len++]);
		failed |= apply_one(rec, len, removed);
		fflush(stdout);
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	int one = 1, i;

	if (argc < 2) {
		fprintf(stderr, "usage: ldsync listen SECS [quiet] | dump | apply [K=V...]\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		die("socket");
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	resolve();
	if (!strcmp(argv[1], "listen") && argc == 3)
		return listen_sync(atoi(argv[2]), false);
	if (!strcmp(argv[1], "listen") && argc == 4 && !strcmp(argv[3], "quiet"))
		return listen_sync(atoi(argv[2]), true);
	if (!strcmp(argv[1], "dump"))
		return dump();
	if (!strcmp(argv[1], "apply")) {
		for (i = 2; i < argc; i++)
			parse_override(argv[i]);
		return apply();
	}
	fprintf(stderr, "ldsync: unknown command '%s'\n", argv[1]);
	return 2;
}
