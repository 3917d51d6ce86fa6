// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink transport over libmnl. Knows nothing about ldir's
 * objects; msg.c only names the attribute an extended ack points at.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ldir.h>

#include "ldctl.h"
#include "model.h"
#include "msg.h"
#include "nl.h"

/* The kernel never builds a dump skb larger than 32 KiB for us. */
#define NL_RECV_SIZE	(32 * 1024)
#define NL_SEND_SIZE	8192
#define NL_DUMP_TRIES	5

struct nl_ext {
	char msg[256];
	uint32_t offs;
	int miss_type;
	uint32_t miss_nest;
	bool has_msg;
	bool has_offs;
};

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	int cb_err;		/* the first callback error of a reply */
	struct nl_ext ext;
	char req[NL_SEND_SIZE] __attribute__((aligned(4)));
	char buf[NL_RECV_SIZE] __attribute__((aligned(4)));
};

static void parse_ext(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, off) {
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (!len)
				break;
			snprintf(nl->ext.msg, sizeof(nl->ext.msg), "%.*s",
				 (int)strnlen(mnl_attr_get_str(a), len),
				 mnl_attr_get_str(a));
			nl->ext.has_msg = true;
			break;
		case NLMSGERR_ATTR_OFFS:
			if (len != 4)
				break;
			nl->ext.offs = mnl_attr_get_u32(a);
			nl->ext.has_offs = true;
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (len == 4)
				nl->ext.miss_type = mnl_attr_get_u32(a);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			if (len == 4)
				nl->ext.miss_nest = mnl_attr_get_u32(a);
			break;
		}
	}
}

/* NLMSG_ERROR: 0 for an ack, else -errno; collects the extended ack. */
static int parse_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			parse_ext(nl, nlh, off);
	}
	return e->error > 0 ? -e->error : e->error;
}

/* NLMSG_DONE ends a dump; it may carry an error and an extended ack. */
static int parse_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		parse_ext(nl, nlh, sizeof(int));
	return err > 0 ? -err : err;
}

/*
 * Processes one buffer of replies to seq. Returns NL_MORE until the ack,
 * the error or the end of the dump, then the kernel's error. A callback
 * error goes to nl->cb_err and the rest is still read, so the socket is
 * clean for the next request.
 */
int nl_process(struct nl *nl, const void *buf, size_t len, uint32_t seq,
	       nl_cb cb, void *data, bool *intr)
{
	const struct nlmsghdr *nlh = buf;
	int n = len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		/* left over from an earlier request: skip */
		if (nlh->nlmsg_seq != seq ||
		    !mnl_nlmsg_portid_ok(nlh, nl->portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			return parse_error(nl, nlh);
		case NLMSG_DONE:
			return parse_done(nl, nlh);
		case NLMSG_OVERRUN:
			return -ENOBUFS;
		default:
			if (nlh->nlmsg_type == nl->family && cb && !nl->cb_err)
				nl->cb_err = cb(nlh, data);
			break;
		}
	}
	return NL_MORE;
}

static int nl_recv(struct nl *nl, uint32_t seq, nl_cb cb, void *data,
		   bool *intr)
{
	int ret;

	nl->cb_err = 0;
	do {
		ssize_t n;

		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		ret = nl_process(nl, nl->buf, n, seq, cb, data, intr);
	} while (ret == NL_MORE);
	return ret;
}

static void nl_clear_ext(struct nl *nl)
{
	memset(&nl->ext, 0, sizeof(nl->ext));
	nl->ext.miss_type = -1;
}

static int nl_send(struct nl *nl, struct nlmsghdr *nlh)
{
	nl_clear_ext(nl);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* "ldctl: kernel: <extack> (attribute virtual.sched "foo"): <strerror>" */
void nl_report(struct nl *nl, const struct nlmsghdr *req, int err)
{
	char attr[256] = "", where[300] = "";

	if (nl->ext.has_offs &&
	    msg_describe(req, nl->ext.offs, -1, attr, sizeof(attr)))
		snprintf(where, sizeof(where), " (attribute %s)", attr);
	else if (nl->ext.miss_type >= 0 &&
		 msg_describe(req, nl->ext.miss_nest, nl->ext.miss_type,
			      attr, sizeof(attr)))
		snprintf(where, sizeof(where), " (missing attribute %s)",
			 attr);

	if (err == -EPERM) {
		ldctl_err("operation not permitted (CAP_NET_ADMIN needed)%s%s%s",
			  nl->ext.has_msg ? ": kernel: " : "",
			  nl->ext.has_msg ? nl->ext.msg : "", where);
		return;
	}
	if (nl->ext.has_msg)
		ldctl_err("kernel: %s%s: %s", nl->ext.msg, where,
			  strerror(-err));
	else
		ldctl_err("kernel: %s%s", strerror(-err), where);
}

static int nl_cb_check(struct nl *nl)
{
	if (!nl->cb_err)
		return 0;
	ldctl_err("malformed reply from the kernel: %s", strerror(-nl->cb_err));
	return -1;
}

static void nl_init_hdr(struct nl *nl, struct nlmsghdr *nlh, uint16_t type,
			uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = type == GENL_ID_CTRL ? 1 : LDIR_GENL_VERSION;
}

struct family_info {
	uint16_t id;
	const char *group;	/* the multicast group wanted, or NULL */
	uint32_t group_id;	/* 0: not found */
	uint32_t version;	/* CTRL_ATTR_VERSION */
};

/* CTRL_ATTR_MCAST_GROUPS: a nest of nests of NAME and ID */
static void family_groups(const struct nlattr *groups, struct family_info *fi)
{
	const struct nlattr *g, *a;

	mnl_attr_for_each_nested(g, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, g) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				name = mnl_attr_get_str(a);
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				id = mnl_attr_get_u32(a);
		}
		if (name && id && !strcmp(name, fi->group))
			fi->group_id = id;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			fi->id = mnl_attr_get_u16(a);
		if (mnl_attr_get_type(a) == CTRL_ATTR_VERSION &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			fi->version = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS &&
		    fi->group && mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			family_groups(a, fi);
	}
	return 0;
}

/* Asks the controller about family name (fi->group: also that group). */
static int nl_family(struct nl *nl, const char *name, struct family_info *fi)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	bool intr = false;
	int err;

	/* the controller answers in its own name */
	nl->family = GENL_ID_CTRL;
	nl_init_hdr(nl, nlh, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = nl_send(nl, nlh);
	if (!err)
		err = nl_recv(nl, nlh->nlmsg_seq, family_cb, fi, &intr);
	nl->family = 0;
	if (!err && !fi->id)
		err = -ENOENT;
	return err;
}

/* The id of the generic netlink family name, or -errno. */
static int nl_family_id(struct nl *nl, const char *name)
{
	struct family_info fi = { };
	int err = nl_family(nl, name, &fi);

	return err ? err : fi.id;
}

int nl_subscribe(struct nl *nl, const char *group)
{
	struct family_info fi = { .group = group };
	uint16_t family = nl->family;
	int err;

	err = nl_family(nl, LDIR_GENL_NAME, &fi);
	nl->family = family;
	if (err) {
		ldctl_err("generic netlink family lookup: %s", strerror(-err));
		return -1;
	}
	if (!fi.group_id) {
		ldctl_err("the ldir module has no multicast group \"%s\" (too old?)",
			  group);
		return -1;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &fi.group_id, sizeof(fi.group_id)) < 0) {
		ldctl_err("joining multicast group \"%s\": %s", group,
			  strerror(errno));
		return -1;
	}
	return 0;
}

int nl_listen(struct nl *nl, nl_cb cb, void *data)
{
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len;

		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0 && errno == ENOBUFS) {
			/* the socket overflowed: some events are lost */
			ldctl_err("events lost (receive buffer overflow)");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ldctl_err("netlink receive: %s", strerror(errno));
			return -1;
		}
		nlh = (const struct nlmsghdr *)nl->buf;
		len = n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			/* only the kernel (port 0) sends multicasts */
			if (nlh->nlmsg_type != nl->family || nlh->nlmsg_pid)
				continue;
			if (cb(nlh, data))
				return -1;
		}
	}
}

/* A bound generic netlink socket with extended acks; reports errors. */
static struct nl *nl_socket(void)
{
	struct nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl) {
		ldctl_err("out of memory");
		return NULL;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		ldctl_err("netlink socket: %s", strerror(errno));
		free(nl);
		return NULL;
	}
	/* Both are optional: an old kernel just says less. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ldctl_err("netlink bind: %s", strerror(errno));
		nl_close(nl);
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	return nl;
}

struct nl *nl_open(void)
{
	struct nl *nl = nl_socket();
	int id;

	if (!nl)
		return NULL;
	id = nl_family_id(nl, LDIR_GENL_NAME);
	if (id == -ENOENT) {
		ldctl_err("the ldir module is not loaded (generic netlink family \"%s\" not found)",
			  LDIR_GENL_NAME);
	} else if (id < 0) {
		ldctl_err("generic netlink family lookup: %s", strerror(-id));
	} else {
		nl->family = id;
		return nl;
	}
	nl_close(nl);
	return NULL;
}

int nl_lookup(const char *name)
{
	struct nl *nl = nl_socket();
	int id;

	if (!nl)
		return -EIO;
	id = nl_family_id(nl, name);
	nl_close(nl);
	return id;
}

int nl_family_version(const char *name)
{
	struct family_info fi = { };
	struct nl *nl = nl_socket();
	int err;

	if (!nl)
		return -EIO;
	err = nl_family(nl, name, &fi);
	nl_close(nl);
	return err ? err : (int)fi.version;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

struct nl *nl_fake(uint16_t family, uint32_t portid)
{
	struct nl *nl = xmalloc(sizeof(*nl));

	memset(nl, 0, sizeof(*nl));
	nl->family = family;
	nl->portid = portid;
	nl_clear_ext(nl);
	return nl;
}

struct nlmsghdr *nl_req(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);

	nl_init_hdr(nl, nlh, nl->family, cmd, flags);
	return nlh;
}

int nl_do(struct nl *nl, struct nlmsghdr *nlh, nl_cb cb, void *data)
{
	bool intr = false;
	int err;

	err = nl_send(nl, nlh);
	if (!err)
		err = nl_recv(nl, nlh->nlmsg_seq, cb, data, &intr);
	if (err) {
		nl_report(nl, nlh, err);
		return -1;
	}
	return nl_cb_check(nl);
}

int nl_dump(struct nl *nl, uint8_t cmd, nl_cb cb, void (*reset)(void *data),
	    void *data)
{
	struct nlmsghdr *nlh;
	bool intr;
	int tries, err;

	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		nlh = nl_req(nl, cmd, NLM_F_DUMP);
		intr = false;
		err = nl_send(nl, nlh);
		if (!err)
			err = nl_recv(nl, nlh->nlmsg_seq, cb, data, &intr);
		if (err) {
			nl_report(nl, nlh, err);
			return -1;
		}
		if (!intr)
			return nl_cb_check(nl);
		if (reset)
			reset(data);
	}
	ldctl_err("the configuration kept changing during the dump (tried %d times)",
		  NL_DUMP_TRIES);
	return -1;
}
