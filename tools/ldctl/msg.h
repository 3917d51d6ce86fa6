/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model <-> generic netlink attributes of uapi/linux/ldir.h, and the
 * names of those attributes for error messages.
 */
#ifndef LDCTL_MSG_H
#define LDCTL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <libmnl/libmnl.h>

#include "model.h"

void msg_put_virtual(struct nlmsghdr *nlh, uint16_t type,
		     const struct ld_virtual *v, bool key_only);
void msg_put_real(struct nlmsghdr *nlh, uint16_t type,
		  const struct ld_real *r, bool key_only);
void msg_put_link(struct nlmsghdr *nlh, const struct ld_link *l);
void msg_put_config(struct nlmsghdr *nlh, const struct ld_config *c);
void msg_put_bind(struct nlmsghdr *nlh, const struct ld_bind *b);

/* Top level attributes of a reply (after the genl header). */
int msg_parse_top(const struct nlmsghdr *nlh,
		  const struct nlattr *tb[LDIR_A_MAX + 1]);
/* Return 0, or -EINVAL for a malformed nest. */
int msg_parse_virtual(const struct nlattr *nest, struct ld_virtual *v);
int msg_parse_real(const struct nlattr *nest, struct ld_real *r);
int msg_parse_link(const struct nlattr *nest, struct ld_link *l);
int msg_parse_conn(const struct nlattr *nest, struct ld_conn *c);
int msg_parse_bind(const struct nlattr *nest, struct ld_bind *b);
int msg_parse_fpa(const struct nlattr *nest, struct ld_fpa *f);
int msg_parse_stats(const struct nlattr *nest, struct ld_stats *s);
int msg_parse_config(const struct nlattr *nest, struct ld_config *c);

/* LDIR_CMD_EVENT: LDIR_A_EVENT */
struct ld_event {
	uint8_t type;			/* enum ldir_event_type */
	bool has_real;
	bool has_virtual;
	bool has_pressure;		/* PRESSURE_*: the two counts */
	struct ld_real real;		/* key, STATE, DITCHED */
	struct ld_virtual virt;		/* key */
	uint32_t conn_count;
	uint32_t embryonic;
};

int msg_parse_event(const struct nlattr *nest, struct ld_event *e);

/*
 * Describe the attribute at byte offset off of request req (an extack
 * NLMSGERR_ATTR_OFFS): "virtual.sched \"foo\"". With miss_type >= 0, the
 * attribute of that type missing from the nest at off (0: top level).
 * Returns false when off points at no attribute.
 */
bool msg_describe(const struct nlmsghdr *req, uint32_t off, int miss_type,
		  char *buf, size_t len);

#endif /* LDCTL_MSG_H */
