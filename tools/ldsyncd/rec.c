// SPDX-License-Identifier: GPL-2.0
/*
 * Conn records as text, for the kernel's stand-in and the logs:
 * "update tcp C:P V:P R:P established 299000 virtual tcp V:P bind 0
 * real R:P digest HEX" (IPv6 addresses in brackets); the part from
 * "virtual" on is optional when reading: the conn's own addresses then.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static const char *const states[] = {
	"none", "syn_sent", "syn_recv", "established", "fin_wait",
	"time_wait", "close", "udp",
};

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "?";
}

static int proto_parse(const char *s, uint8_t *p)
{
	if (!strcmp(s, "tcp"))
		*p = 6;
	else if (!strcmp(s, "udp"))
		*p = 17;
	else
		return -1;
	return 0;
}

static void ep_format(char *buf, size_t len, uint8_t family, const uint8_t *a,
		      uint16_t port)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, s, sizeof(s));
	snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", s, port);
}

static int ep_parse(const char *s, uint8_t *family, uint8_t *a, uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon;
	unsigned long v;
	char *end;
	size_t n;

	memset(a, 0, 16);
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return -1;
		n = colon - s - 1;
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		host[n] = 0;
		colon++;
		*family = 6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, colon - s);
		host[colon - s] = 0;
		*family = 4;
	}
	if (inet_pton(*family == 6 ? AF_INET6 : AF_INET, host, a) != 1)
		return -1;
	v = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || v > 65535)
		return -1;
	*port = v;
	return 0;
}

int rec_format(const struct sync_rec *r, char *buf, size_t len)
{
	char c[64], v[64], re[64], vk[64], rk[64];

	ep_format(c, sizeof(c), r->family, r->caddr, r->cport);
	ep_format(v, sizeof(v), r->family, r->vaddr, r->vport);
	ep_format(re, sizeof(re), r->family, r->raddr, r->rport);
	ep_format(vk, sizeof(vk), r->vkey.family, r->vkey.addr, r->vkey.port);
	ep_format(rk, sizeof(rk), r->rkey.family, r->rkey.addr, r->rkey.port);
	return snprintf(buf, len, "%s %s %s %s %s %s %u virtual %s %s bind %u real %s digest %016llx",
			r->op == WIRE_OP_DELETE ? "delete" : "update",
			proto_name(r->protocol), c, v, re,
			r->state < sizeof(states) / sizeof(states[0]) ? states[r->state] : "?",
			r->expires_ms, proto_name(r->vkey.protocol), vk, r->vkey.bind_id,
			rk, (unsigned long long)r->digest);
}

int rec_parse(const char *line, struct sync_rec *r)
{
	char copy[512], *w[20], *save, *end;
	unsigned long long v;
	uint8_t fam;
	unsigned int i;
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (strlen(line) >= sizeof(copy))
		return -1;
	strcpy(copy, line);
	for (char *t = strtok_r(copy, " \t\r\n", &save); t && n < 20;
	     t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	if (n < 7)
		return -1;
	if (!strcmp(w[0], "update"))
		r->op = WIRE_OP_UPDATE;
	else if (!strcmp(w[0], "delete"))
		r->op = WIRE_OP_DELETE;
	else
		return -1;
	if (proto_parse(w[1], &r->protocol) ||
	    ep_parse(w[2], &r->family, r->caddr, &r->cport) ||
	    ep_parse(w[3], &fam, r->vaddr, &r->vport) || fam != r->family ||
	    ep_parse(w[4], &fam, r->raddr, &r->rport) || fam != r->family)
		return -1;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(w[5], states[i]))
			break;
	if (i == sizeof(states) / sizeof(states[0]))
		return -1;
	r->state = i;
	v = strtoull(w[6], &end, 10);
	if (*end || v > UINT32_MAX)
		return -1;
	r->expires_ms = v;
	r->vkey.family = r->family;
	r->vkey.protocol = r->protocol;
	r->vkey.port = r->vport;
	memcpy(r->vkey.addr, r->vaddr, 16);
	r->rkey.family = r->family;
	r->rkey.port = r->rport;
	memcpy(r->rkey.addr, r->raddr, 16);
	for (i = 7; (int)i + 1 < n; i += 2) {
		if (!strcmp(w[i], "virtual") && (int)i + 2 < n) {
			if (proto_parse(w[i + 1], &r->vkey.protocol) ||
			    ep_parse(w[i + 2], &r->vkey.family, r->vkey.addr,
				     &r->vkey.port))
				return -1;
			i++;
		} else if (!strcmp(w[i], "bind")) {
			v = strtoull(w[i + 1], &end, 10);
			if (*end || v > UINT32_MAX)
				return -1;
			r->vkey.bind_id = v;
		} else if (!strcmp(w[i], "real")) {
			if (ep_parse(w[i + 1], &r->rkey.family, r->rkey.addr,
				     &r->rkey.port))
				return -1;
		} else if (!strcmp(w[i], "digest")) {
			r->digest = strtoull(w[i + 1], &end, 16);
			if (*end)
				return -1;
		} else {
			return -1;
		}
	}
	return (int)i == n ? 0 : -1;
}
