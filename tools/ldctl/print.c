// SPDX-License-Identifier: GPL-2.0
/*
 * Printing the model in its three forms. Field names are the same in the
 * human and the JSON forms; the config form is what "ldctl save" writes.
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "print.h"

#define C_RESET		"\033[0m"
#define C_OBJ		"\033[1m"
#define C_ADDR		"\033[32m"
#define C_OUT		"\033[33m"
#define C_FAILED	"\033[31m"

static const char *col(const struct pr *p, const char *c)
{
	return p->color ? c : "";
}

/* "tcp", or the number when -n or unknown; buf has 8 bytes */
static const char *proto_str(const struct pr *p, uint8_t proto, char *buf)
{
	const char *name = ld_proto_name(proto);

	if (!name || (p && p->numeric)) {
		snprintf(buf, 8, "%u", proto);
		return buf;
	}
	return name;
}

static const char *state_str(const struct pr *p, uint8_t state, char *buf)
{
	const char *name = ld_state_name(state);

	if (!name || (p && p->numeric)) {
		snprintf(buf, 8, "%u", state);
		return buf;
	}
	return name;
}

static const char *state_col(const struct pr *p, uint8_t state)
{
	if (state == LDIR_STATE_OUT)
		return col(p, C_OUT);
	if (state == LDIR_STATE_FAILED)
		return col(p, C_FAILED);
	return "";
}

uint16_t ld_link_port(const struct ld_link *l)
{
	return l->port ? l->port : l->real.port;
}

static void pr_ep(const struct pr *p, const struct ld_addr *a, uint16_t port)
{
	char ep[LD_EP_STRLEN];

	fprintf(p->f, "%s%s%s", col(p, C_ADDR), ld_ep_str(a, port, ep),
		col(p, C_RESET));
}

static void pr_traffic(const struct pr *p, const struct ld_stats *s)
{
	fprintf(p->f, " pkts-in %" PRIu64 " pkts-out %" PRIu64,
		s->v[LDIR_STATS_A_PKTS_IN], s->v[LDIR_STATS_A_PKTS_OUT]);
}

static void pr_state(const struct pr *p, uint8_t state)
{
	char buf[8];

	fprintf(p->f, " state %s%s%s", state_col(p, state),
		state_str(p, state, buf), p->color && *state_col(p, state) ?
		C_RESET : "");
}

/* the key as the commands take it: "tcp 192.0.2.10:80 bind 1" */
static void pr_virtual_key(const struct pr *p, const struct ld_virtual *v)
{
	char buf[8];

	fprintf(p->f, "%s ", proto_str(p, v->protocol, buf));
	pr_ep(p, &v->addr, v->port);
	if (v->bind_id)
		fprintf(p->f, " bind %u", v->bind_id);
}

static const char *startup_str(const struct pr *p, uint8_t startup,
			       char *buf)
{
	const char *name = ld_startup_name(startup);

	if (!name || (p && p->numeric)) {
		snprintf(buf, 8, "%u", startup);
		return buf;
	}
	return name;
}

/* " startup rr startup-pct 50 startup-window 20 [backup VIP:PORT]" */
static void pr_virtual_ext(const struct pr *p, const struct ld_virtual *v)
{
	char buf[8];

	if (v->failed)
		fprintf(p->f, " %sfailed%s", col(p, C_FAILED), col(p, C_RESET));
	fprintf(p->f, " startup %s startup-pct %u startup-window %u",
		startup_str(p, v->startup, buf), v->startup_pct,
		v->startup_window);
	if (v->backup.addr.family) {
		fputs(" backup ", p->f);
		pr_ep(p, &v->backup.addr, v->backup.port);
	}
}

void pr_virtual(const struct pr *p, const struct ld_virtual *v)
{
	fprintf(p->f, "%svirtual%s ", col(p, C_OBJ), col(p, C_RESET));
	pr_virtual_key(p, v);
	if (v->has & LD_HAS_SCHED)
		fprintf(p->f, " sched %s", v->sched);
	if (v->flags & LDIR_VIRTUAL_F_STATELESS)
		fputs(" stateless", p->f);
	pr_state(p, v->state);
	if (v->ext)
		pr_virtual_ext(p, v);
	fprintf(p->f, " conns %u links %u", v->conns, v->nlinks);
	if (v->fpa_interval)
		fprintf(p->f, " fpa %u fpa-mask %u", v->fpa_interval,
			v->fpa_mask);
	if (v->overflow)
		fputs(" overflow", p->f);
	if (v->bind_id)
		fprintf(p->f, " binds %u", v->nbinds);
	fputc('\n', p->f);
}

void pr_bind(const struct pr *p, const struct ld_bind *b)
{
	char buf[LD_EP_STRLEN];

	fprintf(p->f, "%sbind%s %s%s%s -> ", col(p, C_OBJ), col(p, C_RESET),
		col(p, C_ADDR), ld_prefix_str(&b->client, b->plen, buf),
		col(p, C_RESET));
	pr_virtual_key(p, &b->virt);
	fputc('\n', p->f);
}

void pr_fpa(const struct pr *p, const struct ld_fpa *f)
{
	char buf[LD_EP_STRLEN];

	fprintf(p->f, "%sfpa%s %s%s%s -> ", col(p, C_OBJ), col(p, C_RESET),
		col(p, C_ADDR), ld_prefix_str(&f->client, f->plen, buf),
		col(p, C_RESET));
	pr_virtual_key(p, &f->virt);
	fputs(" -> ", p->f);
	pr_ep(p, &f->real.addr, f->real.port);
	if (p->numeric)
		fprintf(p->f, " age %ums\n", f->age_ms);
	else
		fprintf(p->f, " age %us\n", f->age_ms / 1000);
}

/* The scheduling settings: " syn-threshold 5 ... [backup ADDR:PORT]" */
static void pr_real_settings(const struct pr *p, const struct ld_real *r)
{
	fprintf(p->f, " syn-threshold %u fail-threshold %u idle-timeout %u",
		r->syn_threshold, r->fail_threshold, r->idle_timeout);
	if (r->backup.addr.family) {
		fputs(" backup ", p->f);
		pr_ep(p, &r->backup.addr, r->backup.port);
	}
}

/* What the kernel measured: " unanswered 0 ... pr 0 [retry-ms N]" */
static void pr_real_measured(const struct pr *p, const struct ld_real *r)
{
	fprintf(p->f, " unanswered %u ditched %u ditch-consec %u"
		" response-us %u age-ms %u pr %" PRId64,
		r->unanswered, r->ditched, r->ditch_consec, r->response_us,
		r->age_ms, r->pr);
	if (r->has & LD_HAS_RETRY)
		fprintf(p->f, " retry-ms %u", r->retry_ms);
}

void pr_real(const struct pr *p, const struct ld_real *r)
{
	fprintf(p->f, "%sreal%s ", col(p, C_OBJ), col(p, C_RESET));
	pr_ep(p, &r->addr, r->port);
	fprintf(p->f, " weight %u maxconns %u", r->weight, r->max_conns);
	pr_state(p, r->state);
	if (r->ext)
		pr_real_settings(p, r);
	fprintf(p->f, " active %u conns %u links %u", r->active, r->conns,
		r->nlinks);
	if (r->ext)
		pr_real_measured(p, r);
	pr_traffic(p, &r->stats);
	fputc('\n', p->f);
}

void pr_link(const struct pr *p, const struct ld_link *l)
{
	fprintf(p->f, "%slink%s ", col(p, C_OBJ), col(p, C_RESET));
	pr_virtual_key(p, &l->virt);
	fputs(" -> ", p->f);
	pr_ep(p, &l->real.addr, ld_link_port(l));
	fprintf(p->f, " active %u conns %u", l->active, l->conns);
	pr_traffic(p, &l->stats);
	fputc('\n', p->f);
}

void pr_conn(const struct pr *p, const struct ld_conn *c)
{
	const char *state = ld_conn_state_name(c->state);
	char buf[8];

	fprintf(p->f, "%s ", proto_str(p, c->protocol, buf));
	pr_ep(p, &c->client, c->client_port);
	fputs(" -> ", p->f);
	pr_ep(p, &c->virt, c->virt_port);
	fputs(" -> ", p->f);
	pr_ep(p, &c->real, c->real_port);
	if (!state || p->numeric) {
		fprintf(p->f, " %u", c->state);
	} else {
		fputc(' ', p->f);
		for (; *state; state++)
			fputc(toupper((unsigned char)*state), p->f);
	}
	if (c->fastpath)
		fputs(" fastpath", p->f);
	if (p->numeric)
		fprintf(p->f, " expires %ums\n", c->expires_ms);
	else
		fprintf(p->f, " expires %us\n", c->expires_ms / 1000);
}

void pr_stats(const struct pr *p, const struct ld_stats *s)
{
	unsigned int i;

	for (i = 1; i <= LDIR_STATS_A_MAX; i++)
		if (ld_stats_names[i])
			fprintf(p->f, "%s %" PRIu64 "\n", ld_stats_names[i],
				s->v[i]);
}

void pr_config(const struct pr *p, const struct ld_config *c)
{
	unsigned int i;

	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++)
		if (ld_config_names[i])
			fprintf(p->f, "%s %u\n", ld_config_names[i], c->v[i]);
}

static const struct ld_real *find_real(const struct ld_list *reals,
				       const struct ld_real *key)
{
	size_t i;

	for (i = 0; reals && i < reals->n; i++)
		if (ld_real_key_eq(ld_list_at(reals, struct ld_real, i), key))
			return ld_list_at(reals, struct ld_real, i);
	return NULL;
}

/* text in colour c, padded to width (left aligned unless right) */
static void pr_col(const struct pr *p, const char *c, const char *text,
		   int width, bool right)
{
	int pad = width - (int)strlen(text);

	if (right)
		fprintf(p->f, "%*s", pad > 0 ? pad : 0, "");
	fprintf(p->f, "%s%s%s", *c ? col(p, c) : "", text,
		*c && p->color ? C_RESET : "");
	if (!right)
		fprintf(p->f, "%*s", pad > 0 ? pad : 0, "");
}

/* -s: every counter of an object, on a line of its own */
static void pr_show_stats(const struct pr *p, const char *indent,
			  const struct ld_stats *s)
{
	unsigned int i;

	fputs(indent, p->f);
	for (i = 1; i <= LDIR_STATS_A_MAX; i++)
		if (ld_stats_names[i])
			fprintf(p->f, "%s%s %" PRIu64,
				i == 1 ? "" : " ", ld_stats_names[i], s->v[i]);
	fputc('\n', p->f);
}

/* -d: the virtual's settings besides the columns */
static void pr_show_vdetail(const struct pr *p, const struct ld_virtual *v)
{
	char buf[8];

	fputs("     ", p->f);
	if (v->ext) {
		fprintf(p->f, "startup %s startup-pct %u startup-window %u ",
			startup_str(p, v->startup, buf), v->startup_pct,
			v->startup_window);
		if (v->backup.addr.family) {
			fputs("backup ", p->f);
			pr_ep(p, &v->backup.addr, v->backup.port);
			fputc(' ', p->f);
		}
	}
	fprintf(p->f, "fpa %u fpa-mask %u conns %u links %u binds %u\n",
		v->fpa_interval, v->fpa_mask, v->conns, v->nlinks, v->nbinds);
}

/* -d: the real's settings and measures besides the columns */
static void pr_show_rdetail(const struct pr *p, const struct ld_real *r)
{
	fprintf(p->f, "       real-port %u maxconns %u", r->port, r->max_conns);
	if (r->ext) {
		pr_real_settings(p, r);
		pr_real_measured(p, r);
	}
	fputc('\n', p->f);
}

/*
 * Columns, as ipvsadm -Ln: a line per virtual (protocol, VIP:PORT, bind
 * ID, scheme, state, flags), under it a line per link (the real's
 * address, the port conns go to, weight, state, active and inactive
 * conns) and the client prefixes assigned to it; -d and -s add a line of
 * settings and of counters under each.
 */
void pr_show(const struct pr *p, const struct ld_list *virtuals,
	     const struct ld_list *links, const struct ld_list *reals,
	     const struct ld_list *binds)
{
	char ep[LD_EP_STRLEN], buf[16];
	int aw = (int)strlen("Virtual:Port"), cw = 5;
	size_t i, k;

	/* nothing configured, nothing printed (as ip) */
	if (!virtuals->n)
		return;
	/* the address column as wide as the widest, bind IDs as the widest */
	for (i = 0; i < virtuals->n; i++) {
		const struct ld_virtual *v;

		v = ld_list_at(virtuals, struct ld_virtual, i);
		ld_ep_str(&v->addr, v->port, ep);
		if ((int)strlen(ep) > aw)
			aw = strlen(ep);
		if (snprintf(buf, sizeof(buf), "%u", v->bind_id) > cw)
			cw = strlen(buf);
	}
	for (k = 0; k < links->n; k++) {
		const struct ld_link *l = ld_list_at(links, struct ld_link, k);

		ld_addr_str(&l->real.addr, ep);
		if ((int)strlen(ep) > aw)
			aw = strlen(ep);
	}
	fprintf(p->f, "Prot %-*s %*s %-6s %-6s Flags\n", aw, "Virtual:Port",
		cw, "Bind", "Sched", "State");
	fprintf(p->f, "  -> %-*s %*s %-6s %-6s %10s %10s\n", aw, "Real", cw,
		"Port", "Weight", "State", "ActiveConn", "InActConn");
	for (i = 0; i < virtuals->n; i++) {
		const struct ld_virtual *v;

		v = ld_list_at(virtuals, struct ld_virtual, i);
		pr_col(p, "", proto_str(p, v->protocol, buf), 4, false);
		fputc(' ', p->f);
		pr_col(p, C_ADDR, ld_ep_str(&v->addr, v->port, ep), aw, false);
		fprintf(p->f, " %*u %-6s ", cw, v->bind_id,
			*v->sched ? v->sched : "-");
		/* no padding at the end of a line */
		pr_col(p, state_col(p, v->state), state_str(p, v->state, buf),
		       v->failed || v->fpa_interval || v->overflow ||
		       (v->flags & LDIR_VIRTUAL_F_STATELESS) ? 6 : 0, false);
		if (v->failed)
			fprintf(p->f, " %sfailed%s", col(p, C_FAILED),
				col(p, C_RESET));
		if (v->flags & LDIR_VIRTUAL_F_STATELESS)
			fputs(" stateless", p->f);
		if (v->fpa_interval)
			fprintf(p->f, " fpa %u", v->fpa_interval);
		if (v->overflow)
			fputs(" overflow", p->f);
		fputc('\n', p->f);
		if (p->details)
			pr_show_vdetail(p, v);
		if (p->stats)
			pr_show_stats(p, "     ", &v->stats);
		for (k = 0; k < links->n; k++) {
			const struct ld_link *l;
			const struct ld_real *r;

			l = ld_list_at(links, struct ld_link, k);
			if (!ld_virtual_key_eq(&l->virt, v))
				continue;
			r = find_real(reals, &l->real);
			fputs("  -> ", p->f);
			pr_col(p, C_ADDR, ld_addr_str(&l->real.addr, ep),
			       aw, false);
			fprintf(p->f, " %*u ", cw, ld_link_port(l));
			if (r) {
				snprintf(buf, sizeof(buf), "%u", r->weight);
				fprintf(p->f, "%-6s ", buf);
				pr_col(p, state_col(p, r->state),
				       state_str(p, r->state, buf), 6, false);
			} else {
				/* the real went between the dumps */
				fprintf(p->f, "%-6s %-6s", "-", "-");
			}
			fprintf(p->f, " %10u %10u\n", l->active,
				l->conns - l->active);
			if (p->details && r)
				pr_show_rdetail(p, r);
			if (p->stats)
				pr_show_stats(p, "       ", &l->stats);
		}
		for (k = 0; binds && k < binds->n; k++) {
			const struct ld_bind *b;

			b = ld_list_at(binds, struct ld_bind, k);
			if (!ld_virtual_key_eq(&b->virt, v))
				continue;
			fprintf(p->f, "  <- %s%s%s\n", col(p, C_ADDR),
				ld_prefix_str(&b->client, b->plen, ep),
				col(p, C_RESET));
		}
	}
}

/* "real 10.0.2.12:80 failed (ditched 3)", "virtual 192.0.2.10:80 tcp failed" */
void pr_event(const struct pr *p, const struct ld_event *e)
{
	const char *what;
	char buf[8];

	if (e->has_real &&
	    (e->type == LDIR_EVENT_REAL_FAILED ||
	     e->type == LDIR_EVENT_REAL_RECOVERED ||
	     e->type == LDIR_EVENT_REAL_STATE)) {
		fputs("real ", p->f);
		pr_ep(p, &e->real.addr, e->real.port);
		if (e->type == LDIR_EVENT_REAL_FAILED)
			fprintf(p->f, " failed (ditched %u)", e->real.ditched);
		else if (e->type == LDIR_EVENT_REAL_RECOVERED)
			fputs(" recovered", p->f);
		else
			pr_state(p, e->real.state);
	} else if (e->has_pressure &&
		   (e->type == LDIR_EVENT_PRESSURE_START ||
		    e->type == LDIR_EVENT_PRESSURE_END)) {
		fprintf(p->f, "SYN pressure %s (conns %u embryonic %u)",
			e->type == LDIR_EVENT_PRESSURE_START ? "started" :
			"ended", e->conn_count, e->embryonic);
	} else if (e->has_virtual &&
		   (e->type == LDIR_EVENT_VIRTUAL_FAILED ||
		    e->type == LDIR_EVENT_VIRTUAL_RECOVERED)) {
		fputs("virtual ", p->f);
		pr_virtual_key(p, &e->virt);
		fputs(e->type == LDIR_EVENT_VIRTUAL_FAILED ? " failed" :
		      " recovered", p->f);
	} else {
		/* newer than us, or malformed: say what there is */
		what = ld_event_name(e->type);
		if (what && !p->numeric)
			fprintf(p->f, "event %s", what);
		else
			fprintf(p->f, "event %u", e->type);
		if (e->has_real) {
			fputs(" real ", p->f);
			pr_ep(p, &e->real.addr, e->real.port);
		}
		if (e->has_virtual) {
			fputs(" virtual ", p->f);
			pr_ep(p, &e->virt.addr, e->virt.port);
			fprintf(p->f, " %s",
				proto_str(p, e->virt.protocol, buf));
		}
	}
	fputc('\n', p->f);
}

/* JSON */

static void js_name(struct json *j, const char *key, const char *name,
		    unsigned int val)
{
	char buf[16];

	if (!name) {
		snprintf(buf, sizeof(buf), "%u", val);
		name = buf;
	}
	json_str(j, key, name);
}

static void js_addr(struct json *j, const char *key, const struct ld_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	json_str(j, key, ld_addr_str(a, buf));
}

/*
 * JSON keys are snake_case, as iproute2's: "drop-no-real" is written
 * "drop_no_real"; buf has 64 bytes.
 */
static const char *js_key(const char *name, char *buf)
{
	size_t i;

	for (i = 0; name[i] && i < 63; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	return buf;
}

void js_stats(struct json *j, const char *key, const struct ld_stats *s)
{
	unsigned int i;
	char buf[64];

	json_obj_begin(j, key);
	for (i = 1; i <= LDIR_STATS_A_MAX; i++)
		if (ld_stats_names[i])
			json_u64(j, js_key(ld_stats_names[i], buf), s->v[i]);
	json_obj_end(j);
}

void js_config(struct json *j, const char *key, const struct ld_config *c)
{
	unsigned int i;
	char buf[64];

	json_obj_begin(j, key);
	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++)
		if (ld_config_names[i])
			json_u64(j, js_key(ld_config_names[i], buf), c->v[i]);
	json_obj_end(j);
}

/* "ADDR:PORT" or null */
static void js_backup(struct json *j, const struct ld_backup *b)
{
	char ep[LD_EP_STRLEN];

	if (b->addr.family)
		json_str(j, "backup", ld_ep_str(&b->addr, b->port, ep));
	else
		json_null(j, "backup");
}

static void js_virtual_fields(struct json *j, const struct ld_virtual *v)
{
	js_addr(j, "address", &v->addr);
	json_u64(j, "port", v->port);
	js_name(j, "protocol", ld_proto_name(v->protocol), v->protocol);
	json_u64(j, "bind", v->bind_id);
	json_str(j, "sched", v->sched);
	json_bool(j, "stateless", v->flags & LDIR_VIRTUAL_F_STATELESS);
	js_name(j, "state", ld_state_name(v->state), v->state);
	if (v->ext) {
		json_bool(j, "failed", v->failed);
		js_name(j, "startup", ld_startup_name(v->startup),
			v->startup);
		json_u64(j, "startup_pct", v->startup_pct);
		json_u64(j, "startup_window", v->startup_window);
		js_backup(j, &v->backup);
	} else {
		/* an older module: not reported */
		json_null(j, "failed");
		json_null(j, "startup");
		json_null(j, "startup_pct");
		json_null(j, "startup_window");
		json_null(j, "backup");
	}
	json_u64(j, "conns", v->conns);
	json_u64(j, "fpa", v->fpa_interval);
	json_u64(j, "fpa_mask", v->fpa_mask);
	json_bool(j, "overflow", v->overflow);
	json_u64(j, "binds", v->nbinds);
}

static void js_real_settings(struct json *j, const struct ld_real *r)
{
	if (!r->ext) {
		json_null(j, "syn_threshold");
		json_null(j, "fail_threshold");
		json_null(j, "idle_timeout");
		json_null(j, "backup");
		return;
	}
	json_u64(j, "syn_threshold", r->syn_threshold);
	json_u64(j, "fail_threshold", r->fail_threshold);
	json_u64(j, "idle_timeout", r->idle_timeout);
	js_backup(j, &r->backup);
}

static void js_real_measured(struct json *j, const struct ld_real *r)
{
	static const char *const keys[] = { "unanswered", "ditched",
		"ditch_consec", "response_us", "age_ms", "pr", "retry_ms" };
	size_t i;

	if (!r || !r->ext) {
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			json_null(j, keys[i]);
		return;
	}
	json_u64(j, "unanswered", r->unanswered);
	json_u64(j, "ditched", r->ditched);
	json_u64(j, "ditch_consec", r->ditch_consec);
	json_u64(j, "response_us", r->response_us);
	json_u64(j, "age_ms", r->age_ms);
	json_s64(j, "pr", r->pr);
	if (r->has & LD_HAS_RETRY)
		json_u64(j, "retry_ms", r->retry_ms);
	else
		json_null(j, "retry_ms");
}

void js_virtual(struct json *j, const struct ld_virtual *v)
{
	json_obj_begin(j, NULL);
	js_virtual_fields(j, v);
	json_u64(j, "links", v->nlinks);
	js_stats(j, "stats", &v->stats);
	json_obj_end(j);
}

void js_real(struct json *j, const struct ld_real *r)
{
	json_obj_begin(j, NULL);
	js_addr(j, "address", &r->addr);
	json_u64(j, "port", r->port);
	json_u64(j, "weight", r->weight);
	json_u64(j, "maxconns", r->max_conns);
	js_name(j, "state", ld_state_name(r->state), r->state);
	js_real_settings(j, r);
	json_u64(j, "active", r->active);
	json_u64(j, "conns", r->conns);
	json_u64(j, "links", r->nlinks);
	js_real_measured(j, r);
	js_stats(j, "stats", &r->stats);
	json_obj_end(j);
}

/* The key of the virtual an object refers to, as its own fields. */
static void js_vref(struct json *j, const struct ld_virtual *v)
{
	js_addr(j, "virtual", &v->addr);
	json_u64(j, "virtual_port", v->port);
	js_name(j, "protocol", ld_proto_name(v->protocol), v->protocol);
	json_u64(j, "bind", v->bind_id);
}

void js_link(struct json *j, const struct ld_link *l)
{
	json_obj_begin(j, NULL);
	js_vref(j, &l->virt);
	js_addr(j, "real", &l->real.addr);
	json_u64(j, "real_port", l->real.port);
	json_u64(j, "port", l->port);
	json_u64(j, "active", l->active);
	json_u64(j, "conns", l->conns);
	js_stats(j, "stats", &l->stats);
	json_obj_end(j);
}

void js_conn(struct json *j, const struct ld_conn *c)
{
	json_obj_begin(j, NULL);
	js_name(j, "protocol", ld_proto_name(c->protocol), c->protocol);
	js_addr(j, "client", &c->client);
	json_u64(j, "client_port", c->client_port);
	js_addr(j, "virtual", &c->virt);
	json_u64(j, "virtual_port", c->virt_port);
	js_addr(j, "real", &c->real);
	json_u64(j, "real_port", c->real_port);
	js_name(j, "state", ld_conn_state_name(c->state), c->state);
	json_u64(j, "expires_ms", c->expires_ms);
	json_bool(j, "fastpath", c->fastpath);
	json_obj_end(j);
}

void js_event(struct json *j, const struct ld_event *e)
{
	static const char *const vkeys[] = { "virtual", "virtual_port",
		"protocol", "bind" };
	size_t i;

	/* one shape for every event: what it does not carry is null */
	json_obj_begin(j, NULL);
	js_name(j, "event", ld_event_name(e->type), e->type);
	if (e->has_real) {
		js_addr(j, "real", &e->real.addr);
		json_u64(j, "real_port", e->real.port);
		js_name(j, "state", ld_state_name(e->real.state),
			e->real.state);
		json_u64(j, "ditched", e->real.ditched);
	} else {
		json_null(j, "real");
		json_null(j, "real_port");
		json_null(j, "state");
		json_null(j, "ditched");
	}
	if (e->has_virtual) {
		js_vref(j, &e->virt);
	} else {
		for (i = 0; i < ARRAY_SIZE(vkeys); i++)
			json_null(j, vkeys[i]);
	}
	if (e->has_pressure) {
		json_u64(j, "conn_count", e->conn_count);
		json_u64(j, "embryonic", e->embryonic);
	} else {
		json_null(j, "conn_count");
		json_null(j, "embryonic");
	}
	json_obj_end(j);
}

void js_bind(struct json *j, const struct ld_bind *b)
{
	json_obj_begin(j, NULL);
	js_addr(j, "client", &b->client);
	json_u64(j, "prefix_len", b->plen);
	js_vref(j, &b->virt);
	json_obj_end(j);
}

void js_fpa(struct json *j, const struct ld_fpa *f)
{
	json_obj_begin(j, NULL);
	js_addr(j, "client", &f->client);
	json_u64(j, "prefix_len", f->plen);
	js_vref(j, &f->virt);
	js_addr(j, "real", &f->real.addr);
	json_u64(j, "real_port", f->real.port);
	json_u64(j, "age_ms", f->age_ms);
	json_obj_end(j);
}

void js_show(struct json *j, const struct ld_list *virtuals,
	     const struct ld_list *links, const struct ld_list *reals,
	     const struct ld_list *binds)
{
	char buf[LD_EP_STRLEN];
	size_t i, k;

	json_obj_begin(j, NULL);
	json_arr_begin(j, "virtuals");
	for (i = 0; i < virtuals->n; i++) {
		const struct ld_virtual *v;

		v = ld_list_at(virtuals, struct ld_virtual, i);
		json_obj_begin(j, NULL);
		js_virtual_fields(j, v);
		json_arr_begin(j, "links");
		for (k = 0; k < links->n; k++) {
			const struct ld_link *l;
			const struct ld_real *r;

			l = ld_list_at(links, struct ld_link, k);
			if (!ld_virtual_key_eq(&l->virt, v))
				continue;
			r = find_real(reals, &l->real);
			json_obj_begin(j, NULL);
			js_addr(j, "real", &l->real.addr);
			json_u64(j, "real_port", l->real.port);
			json_u64(j, "port", l->port);
			if (r) {
				json_u64(j, "weight", r->weight);
				json_u64(j, "maxconns", r->max_conns);
				js_name(j, "state", ld_state_name(r->state),
					r->state);
			} else {
				/* the real went between the dumps */
				json_null(j, "weight");
				json_null(j, "maxconns");
				json_null(j, "state");
			}
			if (r && r->ext)
				js_backup(j, &r->backup);
			else
				json_null(j, "backup");
			json_u64(j, "active", l->active);
			json_u64(j, "conns", l->conns);
			js_real_measured(j, r);
			js_stats(j, "stats", &l->stats);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_arr_begin(j, "assigned");
		for (k = 0; binds && k < binds->n; k++) {
			const struct ld_bind *b;

			b = ld_list_at(binds, struct ld_bind, k);
			if (ld_virtual_key_eq(&b->virt, v))
				json_str(j, NULL,
					 ld_prefix_str(&b->client, b->plen, buf));
		}
		json_arr_end(j);
		js_stats(j, "stats", &v->stats);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* Config form */

void save_config(FILE *f, const struct ld_config *c)
{
	unsigned int i;
	bool any = false;

	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++) {
		/* what the kernel reports, not settings */
		if (i == LDIR_CONFIG_A_CONN_COUNT ||
		    i == LDIR_CONFIG_A_EMBRYONIC_COUNT ||
		    i == LDIR_CONFIG_A_PRESSURE || !(c->has & (1u << i)))
			continue;
		fprintf(f, "%s %s %u", any ? "" : "config set",
			ld_config_names[i], c->v[i]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static const char *save_state(uint8_t state)
{
	/* failed is the kernel's verdict, not a setting */
	return state == LDIR_STATE_OUT ? "out" : "in";
}

/* "tcp 192.0.2.10:80[ bind 1]": the key of a virtual in every command */
static void save_vkey(FILE *f, const struct ld_virtual *v)
{
	char ep[LD_EP_STRLEN], buf[8];

	fprintf(f, " %s %s", proto_str(NULL, v->protocol, buf),
		ld_ep_str(&v->addr, v->port, ep));
	if (v->bind_id)
		fprintf(f, " bind %u", v->bind_id);
}

void save_virtual(FILE *f, const struct ld_virtual *v)
{
	fputs("virtual add", f);
	save_vkey(f, v);
	if (v->has & LD_HAS_SCHED)
		fprintf(f, " sched %s", v->sched);
	fprintf(f, " state %s", save_state(v->state));
	if (v->flags & LDIR_VIRTUAL_F_STATELESS)
		fputs(" stateless", f);
	if (v->ext && ld_startup_name(v->startup))
		fprintf(f, " startup %s startup-pct %u startup-window %u",
			ld_startup_name(v->startup), v->startup_pct,
			v->startup_window);
	if (v->fpa_interval)
		fprintf(f, " fpa %u", v->fpa_interval);
	if (v->fpa_mask != (v->addr.family == AF_INET ? 32 : 128))
		fprintf(f, " fpa-mask %u", v->fpa_mask);
	if (v->overflow)
		fputs(" overflow", f);
	fputc('\n', f);
}

void save_virtual_backup(FILE *f, const struct ld_virtual *v)
{
	char bep[LD_EP_STRLEN];

	if (!v->backup.addr.family)
		return;
	fputs("virtual set", f);
	save_vkey(f, v);
	fprintf(f, " backup %s\n",
		ld_ep_str(&v->backup.addr, v->backup.port, bep));
}

void save_bind(FILE *f, const struct ld_bind *b)
{
	char prefix[LD_EP_STRLEN];

	fputs("assign", f);
	save_vkey(f, &b->virt);
	fprintf(f, " %s\n", ld_prefix_str(&b->client, b->plen, prefix));
}

void save_real(FILE *f, const struct ld_real *r)
{
	char ep[LD_EP_STRLEN];

	fprintf(f, "real add %s weight %u maxconns %u state %s",
		ld_ep_str(&r->addr, r->port, ep), r->weight, r->max_conns,
		save_state(r->state));
	if (r->ext)
		fprintf(f, " syn-threshold %u fail-threshold %u idle-timeout %u",
			r->syn_threshold, r->fail_threshold, r->idle_timeout);
	fputc('\n', f);
}

void save_real_backup(FILE *f, const struct ld_real *r)
{
	char ep[LD_EP_STRLEN], bep[LD_EP_STRLEN];

	if (!r->backup.addr.family)
		return;
	fprintf(f, "real set %s backup %s\n", ld_ep_str(&r->addr, r->port, ep),
		ld_ep_str(&r->backup.addr, r->backup.port, bep));
}

/* the real's stored key, and the link's own port when it has one */
void save_link(FILE *f, const struct ld_link *l)
{
	char rep[LD_EP_STRLEN];

	fputs("link add", f);
	save_vkey(f, &l->virt);
	fprintf(f, " real %s", ld_ep_str(&l->real.addr, l->real.port, rep));
	if (l->port)
		fprintf(f, " port %u", l->port);
	fputc('\n', f);
}
