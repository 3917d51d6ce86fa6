/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink transport: family lookup, request/ack with extended
 * ack reporting, and dumps retried when the kernel flags them interrupted.
 */
#ifndef LDCTL_NL_H
#define LDCTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct nl;

/* Called for each ldir message of a reply; returns 0 or -errno. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

/* Opens the socket and resolves "ldir"; reports errors, returns NULL. */
struct nl *nl_open(void);
/* The id of a generic netlink family, or -errno (-ENOENT: not there). */
int nl_lookup(const char *name);
/* The version of a generic netlink family, or -errno (-ENOENT). */
int nl_family_version(const char *name);
void nl_close(struct nl *nl);

/* Starts a request for cmd in the socket's buffer (NLM_F_REQUEST|ACK). */
struct nlmsghdr *nl_req(struct nl *nl, uint8_t cmd, uint16_t flags);
/* Sends it and reads the replies up to the ack; reports errors. */
int nl_do(struct nl *nl, struct nlmsghdr *nlh, nl_cb cb, void *data);
/*
 * Dumps cmd. When the kernel flags the dump NLM_F_DUMP_INTR (the objects
 * changed under it), reset(data) is called and the dump is run again.
 */
int nl_dump(struct nl *nl, uint8_t cmd, nl_cb cb, void (*reset)(void *data),
	    void *data);

/* Joins the ldir multicast group named group; reports errors. */
int nl_subscribe(struct nl *nl, const char *group);
/* Calls cb for each ldir message received, until cb or recv fails. */
int nl_listen(struct nl *nl, nl_cb cb, void *data);

/* Prints the error of req with its extended ack: "ldctl: kernel: ..." */
void nl_report(struct nl *nl, const struct nlmsghdr *req, int err);

/* For the tests: a struct nl without a socket, and the reply processing. */
#define NL_MORE	1
struct nl *nl_fake(uint16_t family, uint32_t portid);
int nl_process(struct nl *nl, const void *buf, size_t len, uint32_t seq,
	       nl_cb cb, void *data, bool *intr);

#endif /* LDCTL_NL_H */
