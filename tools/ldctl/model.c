// SPDX-License-Identifier: GPL-2.0
/*
 * The data model: object names, address formatting, key comparison and a
 * small growable array.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p) {
		fputs("ldctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		fputs("ldctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

void *ld_list_add(struct ld_list *l)
{
	void *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * l->size);
	}
	p = (char *)l->v + l->n++ * l->size;
	memset(p, 0, l->size);
	return p;
}

void ld_list_reset(void *list)
{
	((struct ld_list *)list)->n = 0;
}

void ld_list_clear(struct ld_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

const char *ld_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	}
	return NULL;
}

const char *ld_state_name(uint8_t state)
{
	static const char *const names[] = {
		[LDIR_STATE_IN] = "in",
		[LDIR_STATE_OUT] = "out",
		[LDIR_STATE_FAILED] = "failed",
	};

	return state < ARRAY_SIZE(names) ? names[state] : NULL;
}

const char *ld_conn_state_name(uint8_t state)
{
	static const char *const names[] = {
		[LDIR_CONN_S_NONE] = "none",
		[LDIR_CONN_S_SYN_SENT] = "syn_sent",
		[LDIR_CONN_S_SYN_RECV] = "syn_recv",
		[LDIR_CONN_S_ESTABLISHED] = "established",
		[LDIR_CONN_S_FIN_WAIT] = "fin_wait",
		[LDIR_CONN_S_TIME_WAIT] = "time_wait",
		[LDIR_CONN_S_CLOSE] = "close",
		[LDIR_CONN_S_UDP] = "udp",
	};

	return state < ARRAY_SIZE(names) ? names[state] : NULL;
}

const char *ld_startup_name(uint8_t startup)
{
	static const char *const names[] = {
		[LDIR_STARTUP_NONE] = "none",
		[LDIR_STARTUP_RR] = "rr",
	};

	return startup < ARRAY_SIZE(names) ? names[startup] : NULL;
}

const char *ld_event_name(uint8_t type)
{
	static const char *const names[] = {
		[LDIR_EVENT_REAL_FAILED] = "real-failed",
		[LDIR_EVENT_REAL_RECOVERED] = "real-recovered",
		[LDIR_EVENT_REAL_STATE] = "real-state",
		[LDIR_EVENT_VIRTUAL_FAILED] = "virtual-failed",
		[LDIR_EVENT_VIRTUAL_RECOVERED] = "virtual-recovered",
		[LDIR_EVENT_PRESSURE_START] = "pressure-start",
		[LDIR_EVENT_PRESSURE_END] = "pressure-end",
	};

	return type < ARRAY_SIZE(names) ? names[type] : NULL;
}

const char *const ld_stats_names[LDIR_STATS_A_MAX + 1] = {
	[LDIR_STATS_A_CONNS] = "conns",
	[LDIR_STATS_A_PKTS_IN] = "pkts-in",
	[LDIR_STATS_A_PKTS_OUT] = "pkts-out",
	[LDIR_STATS_A_BYTES_IN] = "bytes-in",
	[LDIR_STATS_A_BYTES_OUT] = "bytes-out",
	[LDIR_STATS_A_DROP_NO_CONN] = "drop-no-conn",
	[LDIR_STATS_A_DROP_NO_REAL] = "drop-no-real",
	[LDIR_STATS_A_DROP_CONN_LIMIT] = "drop-conn-limit",
	[LDIR_STATS_A_DROP_INVALID] = "drop-invalid",
	[LDIR_STATS_A_DROP_NOMEM] = "drop-nomem",
	[LDIR_STATS_A_ICMP_IN] = "icmp-in",
	[LDIR_STATS_A_ICMP_OUT] = "icmp-out",
	[LDIR_STATS_A_CONNS_EXPIRED] = "conns-expired",
	[LDIR_STATS_A_DITCHED] = "ditched",
	[LDIR_STATS_A_PROBES] = "probes",
	[LDIR_STATS_A_BACKUP] = "backup",
	[LDIR_STATS_A_DROP_REPLY_CLASH] = "drop-reply-clash",
	[LDIR_STATS_A_DROP_REMOVED] = "drop-removed",
	[LDIR_STATS_A_DROP_ICMP_CSUM] = "drop-icmp-csum",
	[LDIR_STATS_A_RST_IGNORED] = "rst-ignored",
	[LDIR_STATS_A_DROP_REPLY_NO_CONN] = "drop-reply-no-conn",
	[LDIR_STATS_A_EMBRYONIC_EVICTED] = "embryonic-evicted",
	[LDIR_STATS_A_DROP_SYN_PRESSURE] = "drop-syn-pressure",
	[LDIR_STATS_A_PRESSURE_STARTS] = "pressure-starts",
	[LDIR_STATS_A_ADOPTED] = "adopted",
	[LDIR_STATS_A_REPLY_ADOPTED] = "reply-adopted",
	[LDIR_STATS_A_SYNC_SENT] = "sync-sent",
	[LDIR_STATS_A_SYNC_RECEIVED] = "sync-received",
	[LDIR_STATS_A_SYNC_REJECTED] = "sync-rejected",
	[LDIR_STATS_A_SYNC_QUEUE_DROP] = "sync-queue-drop",
};

const char *const ld_config_names[LDIR_CONFIG_A_MAX + 1] = {
	[LDIR_CONFIG_A_CONN_MAX] = "conn-max",
	[LDIR_CONFIG_A_CONN_COUNT] = "conn-count",
	[LDIR_CONFIG_A_TIMEOUT_SYN] = "timeout-syn",
	[LDIR_CONFIG_A_TIMEOUT_EST] = "timeout-est",
	[LDIR_CONFIG_A_TIMEOUT_FIN] = "timeout-fin",
	[LDIR_CONFIG_A_TIMEOUT_TIME_WAIT] = "timeout-time-wait",
	[LDIR_CONFIG_A_TIMEOUT_CLOSE] = "timeout-close",
	[LDIR_CONFIG_A_TIMEOUT_UDP] = "timeout-udp",
	[LDIR_CONFIG_A_SYN_RESENDS] = "syn-resends",
	[LDIR_CONFIG_A_RETRY_INTERVAL] = "retry-interval",
	[LDIR_CONFIG_A_PR_AGE_DIV] = "pr-age-div",
	[LDIR_CONFIG_A_PR_CLAMP_PCT] = "pr-clamp",
	[LDIR_CONFIG_A_FPA_MAX] = "fpa-max",
	[LDIR_CONFIG_A_VIRTUAL_MAX] = "virtual-max",
	[LDIR_CONFIG_A_REAL_MAX] = "real-max",
	[LDIR_CONFIG_A_LINK_MAX] = "link-max",
	[LDIR_CONFIG_A_BIND_MAX] = "bind-max",
	[LDIR_CONFIG_A_SYN_RESEND_GAP_MS] = "syn-resend-gap",
	[LDIR_CONFIG_A_EMBRYONIC_MAX] = "embryonic-max",
	[LDIR_CONFIG_A_EMBRYONIC_COUNT] = "embryonic-count",
	[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE] = "timeout-syn-pressure",
	[LDIR_CONFIG_A_PRESSURE] = "pressure",
};

const char *const ld_sched_names[] = {
	"rr", "wrr", "lc", "wlc", "pr", "hash3", "hash5", "maglev", NULL
};

bool ld_addr_eq(const struct ld_addr *a, const struct ld_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

const char *ld_addr_str(const struct ld_addr *a, char *buf)
{
	if (!inet_ntop(a->family, a->addr, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "(family %u)", a->family);
	return buf;
}

const char *ld_ep_str(const struct ld_addr *a, uint16_t port, char *buf)
{
	char addr[INET6_ADDRSTRLEN];

	ld_addr_str(a, addr);
	if (a->family == AF_INET6)
		snprintf(buf, LD_EP_STRLEN, "[%s]:%u", addr, port);
	else
		snprintf(buf, LD_EP_STRLEN, "%s:%u", addr, port);
	return buf;
}

const char *ld_prefix_str(const struct ld_addr *a, uint8_t plen, char *buf)
{
	char addr[INET6_ADDRSTRLEN];

	snprintf(buf, LD_EP_STRLEN, "%s/%u", ld_addr_str(a, addr), plen);
	return buf;
}

const char *ld_vkey_str(const struct ld_virtual *v, char *buf)
{
	const char *proto = ld_proto_name(v->protocol);
	char ep[LD_EP_STRLEN];
	int n;

	ld_ep_str(&v->addr, v->port, ep);
	n = snprintf(buf, LD_VKEY_STRLEN, "%s %s", proto ? proto : "?", ep);
	if (v->bind_id)
		snprintf(buf + n, LD_VKEY_STRLEN - n, " bind %u", v->bind_id);
	return buf;
}

bool ld_virtual_key_eq(const struct ld_virtual *a, const struct ld_virtual *b)
{
	return ld_addr_eq(&a->addr, &b->addr) && a->port == b->port &&
	       a->protocol == b->protocol && a->bind_id == b->bind_id;
}

bool ld_real_key_eq(const struct ld_real *a, const struct ld_real *b)
{
	return ld_addr_eq(&a->addr, &b->addr) && a->port == b->port;
}
