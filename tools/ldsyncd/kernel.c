// SPDX-License-Identifier: GPL-2.0
/*
 * The ldir family over libmnl (kernel.h): three sockets, so that a dump
 * paused for want of room at a peer delays neither the sync group nor the
 * peers' inserts. Or the stand-in of fake.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ldir.h>

#include "fake.h"
#include "kernel.h"

/* the kernel builds dump and multicast skbs of at most 32 KiB */
#define NL_BUF		(32 * 1024)
#define EVENT_RCVBUF	(8 << 20)

struct kernel {
	struct fake *fake;
	struct mnl_socket *ev, *cmd, *dump;
	uint16_t family;
	uint32_t grp;
	uint32_t seq;
	bool seq_known;			/* the sync group's last SEQ */
	uint32_t last_seq;
	uint64_t last_lost;
	bool dumping;
	bool verbose;
	uint32_t dump_seq;
	struct kernel_stats st;
	char buf[NL_BUF] __attribute__((aligned(4)));
	char req[16384] __attribute__((aligned(4)));
};

/* ------------------------------------------------------------ family */

struct family_info {
	uint16_t id;
	uint32_t grp;
};

static int group_cb(const struct nlattr *a, struct family_info *fi)
{
	const struct nlattr *g;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(g, a) {
		if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(g);
		else if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(g);
	}
	if (name && !strcmp(name, LDIR_GENL_MCGRP_SYNC))
		fi->grp = id;
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a, *g;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			fi->id = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
			mnl_attr_for_each_nested(g, a)
				group_cb(g, fi);
	}
	return MNL_CB_OK;
}

static int resolve(struct kernel *k, struct mnl_socket *s)
{
	struct family_info fi = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int n, ret;

	nlh = mnl_nlmsg_put_header(k->req);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++k->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LDIR_GENL_NAME);
	if (mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(s, k->buf, sizeof(k->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(k->buf, n, k->seq, mnl_socket_get_portid(s),
				 family_cb, &fi);
	} while (ret > 0);
	if (ret < 0)
		return -errno;
	if (!fi.id)
		return -ENOENT;
	if (!fi.grp)
		return -EOPNOTSUPP;
	k->family = fi.id;
	k->grp = fi.grp;
	return 0;
}

static struct mnl_socket *nl_socket(void)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	int one = 1;

	if (!s)
		return NULL;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(s);
		return NULL;
	}
	/* extended acks: the reason of a refusal */
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	return s;
}

struct kernel *kernel_open(const char *fake_dir, bool verbose)
{
	struct kernel *k = calloc(1, sizeof(*k));
	int ret, rcvbuf = EVENT_RCVBUF;

	if (!k)
		return NULL;
	k->verbose = verbose;
	if (fake_dir) {
		k->fake = fake_open(fake_dir);
		if (!k->fake) {
			free(k);
			return NULL;
		}
		return k;
	}
	k->ev = nl_socket();
	k->cmd = nl_socket();
	k->dump = nl_socket();
	if (!k->ev || !k->cmd || !k->dump) {
		perror("ldsyncd: netlink");
		goto err;
	}
	ret = resolve(k, k->cmd);
	if (ret) {
		fprintf(stderr, "ldsyncd: ldir family%s: %s\n",
			ret == -EOPNOTSUPP ? " has no \"sync\" group" : "",
			ret == -ENOENT ? "not found (is ldir.ko loaded?)" :
			strerror(-ret));
		goto err;
	}
	if (setsockopt(mnl_socket_get_fd(k->ev), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(k->ev), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(k->ev, NETLINK_ADD_MEMBERSHIP, &k->grp,
				  sizeof(k->grp)) < 0) {
		perror("ldsyncd: joining the sync group");
		goto err;
	}
	/* a syncable dump makes the kernel's record queues now, so that no
	 * record is dropped for want of them once this director's conns are
	 * due (a backup's, after a failover); its answer is never read: the
	 * first resync replaces the socket
	 */
	if (kernel_dump_start(k) < 0) {
		perror("ldsyncd: conn dump");
		goto err;
	}
	return k;
err:
	kernel_close(k);
	return NULL;
}

void kernel_close(struct kernel *k)
{
	if (!k)
		return;
	if (k->fake)
		fake_close(k->fake);
	if (k->ev)
		mnl_socket_close(k->ev);
	if (k->cmd)
		mnl_socket_close(k->cmd);
	if (k->dump)
		mnl_socket_close(k->dump);
	free(k);
}

const struct kernel_stats *kernel_stats(const struct kernel *k)
{
	return &k->st;
}

/* ------------------------------------------------------------ records */

static uint8_t fam_wire(uint16_t af)
{
	return af == AF_INET6 ? 6 : af == AF_INET ? 4 : 0;
}

static uint16_t fam_af(uint8_t f)
{
	return f == 6 ? AF_INET6 : AF_INET;
}

static void addr_get(const struct nlattr *a, uint8_t *out)
{
	if (mnl_attr_get_payload_len(a) == 16)
		memcpy(out, mnl_attr_get_payload(a), 16);
}

static void vkey_get(const struct nlattr *nest, struct sync_rec *r)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case LDIR_VIRTUAL_A_FAMILY:
			r->vkey.family = fam_wire(mnl_attr_get_u16(a));
			break;
		case LDIR_VIRTUAL_A_ADDR:
			addr_get(a, r->vkey.addr);
			break;
		case LDIR_VIRTUAL_A_PORT:
			r->vkey.port = ntohs(mnl_attr_get_u16(a));
			break;
		case LDIR_VIRTUAL_A_PROTOCOL:
			r->vkey.protocol = mnl_attr_get_u8(a);
			break;
		case LDIR_VIRTUAL_A_BIND_ID:
			r->vkey.bind_id = mnl_attr_get_u32(a);
			break;
		}
	}
}

static void rkey_get(const struct nlattr *nest, struct sync_rec *r)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case LDIR_REAL_A_FAMILY:
			r->rkey.family = fam_wire(mnl_attr_get_u16(a));
			break;
		case LDIR_REAL_A_ADDR:
			addr_get(a, r->rkey.addr);
			break;
		case LDIR_REAL_A_PORT:
			r->rkey.port = ntohs(mnl_attr_get_u16(a));
			break;
		}
	}
}

/* LDIR_A_CONN or LDIR_SYNC_A_CONN; -1 when a key is missing */
static int conn_get(const struct nlattr *nest, struct sync_rec *r)
{
	const struct nlattr *a;

	memset(r, 0, sizeof(*r));
	r->op = WIRE_OP_UPDATE;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case LDIR_CONN_A_PROTOCOL:
			r->protocol = mnl_attr_get_u8(a);
			break;
		case LDIR_CONN_A_FAMILY:
			r->family = fam_wire(mnl_attr_get_u16(a));
			break;
		case LDIR_CONN_A_CLIENT_ADDR:
			addr_get(a, r->caddr);
			break;
		case LDIR_CONN_A_CLIENT_PORT:
			r->cport = ntohs(mnl_attr_get_u16(a));
			break;
		case LDIR_CONN_A_VIRTUAL_ADDR:
			addr_get(a, r->vaddr);
			break;
		case LDIR_CONN_A_VIRTUAL_PORT:
			r->vport = ntohs(mnl_attr_get_u16(a));
			break;
		case LDIR_CONN_A_REAL_ADDR:
			addr_get(a, r->raddr);
			break;
		case LDIR_CONN_A_REAL_PORT:
			r->rport = ntohs(mnl_attr_get_u16(a));
			break;
		case LDIR_CONN_A_STATE:
			r->state = mnl_attr_get_u8(a);
			break;
		case LDIR_CONN_A_EXPIRES_MS:
			r->expires_ms = mnl_attr_get_u32(a);
			break;
		case LDIR_CONN_A_VIRTUAL:
			vkey_get(a, r);
			break;
		case LDIR_CONN_A_REAL:
			rkey_get(a, r);
			break;
		case LDIR_CONN_A_DIGEST:
			r->digest = mnl_attr_get_u64(a);
			break;
		case LDIR_CONN_A_REMOVED:
			r->op = WIRE_OP_DELETE;
			break;
		}
	}
	return r->family && r->vkey.family && r->rkey.family ? 0 : -1;
}

static void conn_put(struct nlmsghdr *nlh, const struct sync_rec *r)
{
	struct nlattr *c, *n;

	c = mnl_attr_nest_start(nlh, LDIR_A_CONN);
	mnl_attr_put_u8(nlh, LDIR_CONN_A_PROTOCOL, r->protocol);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_FAMILY, fam_af(r->family));
	mnl_attr_put(nlh, LDIR_CONN_A_CLIENT_ADDR, 16, r->caddr);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_CLIENT_PORT, htons(r->cport));
	mnl_attr_put(nlh, LDIR_CONN_A_VIRTUAL_ADDR, 16, r->vaddr);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_VIRTUAL_PORT, htons(r->vport));
	mnl_attr_put(nlh, LDIR_CONN_A_REAL_ADDR, 16, r->raddr);
	mnl_attr_put_u16(nlh, LDIR_CONN_A_REAL_PORT, htons(r->rport));
	mnl_attr_put_u8(nlh, LDIR_CONN_A_STATE, r->state);
	mnl_attr_put_u32(nlh, LDIR_CONN_A_EXPIRES_MS, r->expires_ms);
	n = mnl_attr_nest_start(nlh, LDIR_CONN_A_VIRTUAL);
	mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_FAMILY, fam_af(r->vkey.family));
	mnl_attr_put(nlh, LDIR_VIRTUAL_A_ADDR, 16, r->vkey.addr);
	mnl_attr_put_u16(nlh, LDIR_VIRTUAL_A_PORT, htons(r->vkey.port));
	mnl_attr_put_u8(nlh, LDIR_VIRTUAL_A_PROTOCOL, r->vkey.protocol);
	mnl_attr_put_u32(nlh, LDIR_VIRTUAL_A_BIND_ID, r->vkey.bind_id);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, LDIR_CONN_A_REAL);
	mnl_attr_put_u16(nlh, LDIR_REAL_A_FAMILY, fam_af(r->rkey.family));
	mnl_attr_put(nlh, LDIR_REAL_A_ADDR, 16, r->rkey.addr);
	mnl_attr_put_u16(nlh, LDIR_REAL_A_PORT, htons(r->rkey.port));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u64(nlh, LDIR_CONN_A_DIGEST, r->digest);
	if (r->op == WIRE_OP_DELETE)
		mnl_attr_put(nlh, LDIR_CONN_A_REMOVED, 0, NULL);
	mnl_attr_nest_end(nlh, c);
}

static struct nlmsghdr *req_put(struct kernel *k, void *buf, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = k->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++k->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = LDIR_GENL_VERSION;
	return nlh;
}

/* ------------------------------------------------------------ the group */

int kernel_events_fd(const struct kernel *k)
{
	return k->fake ? fake_events_fd(k->fake) : mnl_socket_get_fd(k->ev);
}

struct ev_ctx {
	struct kernel *k;
	kernel_rec_cb cb;
	void *ctx;
	int lost;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *e = data;
	struct kernel *k = e->k;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *s;
	struct sync_rec r;
	bool have_seq = false;
	uint32_t seq = 0;
	uint64_t lost = k->last_lost;

	if (nlh->nlmsg_type != k->family || g->cmd != LDIR_CMD_SYNC)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(a) != LDIR_A_SYNC)
			continue;
		mnl_attr_for_each_nested(s, a) {
			switch (mnl_attr_get_type(s)) {
			case LDIR_SYNC_A_SEQ:
				seq = mnl_attr_get_u32(s);
				have_seq = true;
				break;
			case LDIR_SYNC_A_LOST:
				lost = mnl_attr_get_u64(s);
				break;
			case LDIR_SYNC_A_CONN:
				if (conn_get(s, &r))
					break;
				k->st.events++;
				e->cb(e->ctx, &r);
				break;
			}
		}
	}
	/* a message the socket lost, or records the kernel's queue dropped */
	if (have_seq) {
		if (k->seq_known && seq != k->last_seq + 1) {
			k->st.lost += seq - k->last_seq - 1;
			e->lost = 1;
		}
		k->seq_known = true;
		k->last_seq = seq;
	}
	/* from 0: what the kernel dropped before this daemon listened may be
	 * records of conns that live on (the first record, that makes the
	 * kernel's queues, is one) */
	if (lost > k->last_lost) {	/* a poll may have seen it first */
		k->st.lost += lost - k->last_lost;
		k->last_lost = lost;
		e->lost = 1;
	}
	return MNL_CB_OK;
}

int kernel_events_read(struct kernel *k, kernel_rec_cb cb, void *ctx)
{
	struct ev_ctx e = { k, cb, ctx, 0 };
	int n, budget = 64;

	if (k->fake)
		return fake_events_read(k->fake, cb, ctx, &k->st);
	while (budget--) {
		n = recv(mnl_socket_get_fd(k->ev), k->buf, sizeof(k->buf),
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* the socket overran: what is lost is unknown */
				k->st.lost++;
				e.lost = 1;
				continue;
			}
			break;
		}
		mnl_cb_run(k->buf, n, 0, 0, event_cb, &e);
	}
	return e.lost;
}

/* ------------------------------------------------------------ counters */

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *s;
	uint64_t *drops = data;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != LDIR_A_STATS)
			continue;
		mnl_attr_for_each_nested(s, a)
			if (mnl_attr_get_type(s) == LDIR_STATS_A_SYNC_QUEUE_DROP &&
			    mnl_attr_get_payload_len(s) == sizeof(uint64_t))
				*drops = mnl_attr_get_u64(s);
	}
	return MNL_CB_OK;
}

int kernel_poll_lost(struct kernel *k)
{
	struct nlmsghdr *nlh;
	uint64_t drops = k->last_lost;
	int n, ret;

	if (k->fake)
		return 0;
	nlh = req_put(k, k->req, LDIR_CMD_STATS_GET, NLM_F_ACK);
	if (mnl_socket_sendto(k->cmd, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(k->cmd, k->buf, sizeof(k->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(k->buf, n, nlh->nlmsg_seq,
				 mnl_socket_get_portid(k->cmd), stats_cb, &drops);
	} while (ret > 0);
	if (ret < 0)
		return -errno;
	if (drops <= k->last_lost)
		return 0;
	k->st.lost += drops - k->last_lost;
	k->last_lost = drops;
	return 1;
}

/* ------------------------------------------------------------ inserts */

/* -errno of an NLMSG_ERROR, and its extended ack's message into msg */
static int err_of(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	*msg = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err->error;
	mnl_attr_for_each(a, nlh, sizeof(*err)) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(msg, len, "%.*s",
				 (int)strnlen(mnl_attr_get_str(a),
					      mnl_attr_get_payload_len(a)),
				 mnl_attr_get_str(a));
	}
	return err->error;
}

static void log_refusal(const struct sync_rec *r, int err, const char *msg)
{
	char line[256];

	rec_format(r, line, sizeof(line));
	fprintf(stderr, "ldsyncd: kernel refused \"%s\": %s%s%s\n", line,
		strerror(-err), *msg ? ": " : "", msg);
}

int kernel_apply(struct kernel *k, const struct sync_rec *recs, int n,
		 uint8_t *rejected)
{
	struct mnl_nlmsg_batch *b;
	uint32_t first;
	int i, got = 0, refused = 0, len;

	if (k->fake)
		return fake_apply(k->fake, recs, n, rejected, &k->st);
	if (!n)
		return 0;
	b = mnl_nlmsg_batch_start(k->req, sizeof(k->req));
	first = k->seq + 1;
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh;

		nlh = req_put(k, mnl_nlmsg_batch_current(b),
			      recs[i].op == WIRE_OP_DELETE ? LDIR_CMD_CONN_DEL :
			      LDIR_CMD_CONN_NEW, NLM_F_ACK);
		conn_put(nlh, &recs[i]);
		mnl_nlmsg_batch_next(b);
		rejected[i] = 0;
	}
	if (mnl_socket_sendto(k->cmd, mnl_nlmsg_batch_head(b),
			      mnl_nlmsg_batch_size(b)) < 0) {
		mnl_nlmsg_batch_stop(b);
		return -errno;
	}
	mnl_nlmsg_batch_stop(b);
	/* one ack or error per request, in order */
	while (got < n) {
		struct nlmsghdr *nlh;

		len = mnl_socket_recvfrom(k->cmd, k->buf, sizeof(k->buf));
		if (len < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)k->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			uint32_t i2 = nlh->nlmsg_seq - first;
			char msg[160];
			int err;

			if (nlh->nlmsg_type != NLMSG_ERROR || i2 >= (uint32_t)n)
				continue;
			got++;
			err = err_of(nlh, msg, sizeof(msg));
			/* a removal of a conn that is not here is no refusal */
			if (!err || (recs[i2].op == WIRE_OP_DELETE &&
				     (err == -ENOENT || err == -ESRCH))) {
				k->st.applied++;
				continue;
			}
			rejected[i2] = 1;
			refused++;
			k->st.rejected++;
			if (k->verbose)
				log_refusal(&recs[i2], err, msg);
		}
	}
	return refused;
}

/* ------------------------------------------------------------ dumps */

int kernel_dump_start(struct kernel *k)
{
	struct nlmsghdr *nlh;

	if (k->fake)
		return fake_dump_start(k->fake);
	if (k->dumping) {
		/* a dump not read to its end: a fresh socket */
		mnl_socket_close(k->dump);
		k->dump = nl_socket();
		k->dumping = false;
		if (!k->dump)
			return -errno;
	}
	nlh = req_put(k, k->req, LDIR_CMD_CONN_GET, NLM_F_DUMP);
	mnl_attr_put(nlh, LDIR_A_SYNCABLE, 0, NULL);
	k->dump_seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(k->dump, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	k->dumping = true;
	return 0;
}

int kernel_dump_fd(const struct kernel *k)
{
	if (k->fake)
		return fake_dump_fd(k->fake);
	return k->dumping ? mnl_socket_get_fd(k->dump) : -1;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *e = data;
	const struct nlattr *a;
	struct sync_rec r;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != LDIR_A_CONN || conn_get(a, &r))
			continue;
		/* the table as it is: every conn is current */
		r.op = WIRE_OP_UPDATE;
		e->k->st.dumped++;
		e->cb(e->ctx, &r);
	}
	return MNL_CB_OK;
}

int kernel_dump_read(struct kernel *k, kernel_rec_cb cb, void *ctx)
{
	struct ev_ctx e = { k, cb, ctx, 0 };
	int n, ret;

	if (k->fake)
		return fake_dump_read(k->fake, cb, ctx, &k->st);
	n = recv(mnl_socket_get_fd(k->dump), k->buf, sizeof(k->buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? 1 : -errno;
	ret = mnl_cb_run(k->buf, n, k->dump_seq, mnl_socket_get_portid(k->dump),
			 dump_cb, &e);
	if (ret > 0)
		return 1;
	k->dumping = false;
	if (ret < 0) {
		ret = -errno;
		fprintf(stderr, "ldsyncd: conn dump: %s\n", strerror(-ret));
	}
	return ret;
}
