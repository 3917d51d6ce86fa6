// SPDX-License-Identifier: GPL-2.0
/*
 * ldctl metrics: every counter and gauge in the Prometheus text
 * exposition format, for node_exporter's textfile collector (contrib/).
 *
 * Names follow node_exporter's IPVS collector where the meaning is the
 * same: a link is what IPVS calls a backend (a virtual service and one of
 * its destinations), so ldir_backend_connections_active is the
 * node_ipvs_backend_connections_active of a link, with the same labels
 * (local_address, local_port, proto, remote_address, remote_port) and
 * bind_id for a virtual's instance; the global counters are
 * ldir_connections_total, ldir_incoming_packets_total, ... as
 * node_ipvs_connections_total, ... are.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ldctl.h"
#include "metrics.h"
#include "nl.h"
#include "print.h"

void usage_metrics(FILE *f)
{
	fputs("  ldctl metrics               (Prometheus text format)\n", f);
}

int ld_snapshot_get(struct nl *nl, struct ld_snapshot *s)
{
	if (ld_get_global(nl, &s->global) ||
	    ld_dump_virtuals(nl, &s->virtuals) ||
	    ld_dump_reals(nl, &s->reals) ||
	    ld_dump_links(nl, &s->links))
		return -1;
	ld_snapshot_sort(s);
	return 0;
}

void ld_snapshot_clear(struct ld_snapshot *s)
{
	ld_list_clear(&s->virtuals);
	ld_list_clear(&s->reals);
	ld_list_clear(&s->links);
}

static int addr_cmp(const struct ld_addr *a, const struct ld_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int vkey_cmp(const void *pa, const void *pb)
{
	const struct ld_virtual *a = pa, *b = pb;
	int ret = addr_cmp(&a->addr, &b->addr);

	if (ret)
		return ret;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->protocol != b->protocol)
		return a->protocol < b->protocol ? -1 : 1;
	if (a->bind_id != b->bind_id)
		return a->bind_id < b->bind_id ? -1 : 1;
	return 0;
}

static int rkey_cmp(const void *pa, const void *pb)
{
	const struct ld_real *a = pa, *b = pb;
	int ret = addr_cmp(&a->addr, &b->addr);

	if (ret)
		return ret;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

static int link_cmp(const void *pa, const void *pb)
{
	const struct ld_link *a = pa, *b = pb;
	int ret = vkey_cmp(&a->virt, &b->virt);

	return ret ? ret : rkey_cmp(&a->real, &b->real);
}

int ld_snapshot_link_vcmp(const struct ld_link *l, const struct ld_virtual *v)
{
	return vkey_cmp(&l->virt, v);
}

void ld_snapshot_sort(struct ld_snapshot *s)
{
	if (s->virtuals.n)
		qsort(s->virtuals.v, s->virtuals.n, s->virtuals.size, vkey_cmp);
	if (s->reals.n)
		qsort(s->reals.v, s->reals.n, s->reals.size, rkey_cmp);
	if (s->links.n)
		qsort(s->links.v, s->links.n, s->links.size, link_cmp);
}

static const void *find(const struct ld_list *list, const void *key,
			int (*cmp)(const void *a, const void *b))
{
	return list->n ? bsearch(key, list->v, list->n, list->size, cmp) :
	       NULL;
}

const struct ld_virtual *ld_snapshot_virtual(const struct ld_snapshot *s,
					     const struct ld_virtual *key)
{
	return find(&s->virtuals, key, vkey_cmp);
}

const struct ld_real *ld_snapshot_real(const struct ld_snapshot *s,
				       const struct ld_real *key)
{
	return find(&s->reals, key, rkey_cmp);
}

const struct ld_link *ld_snapshot_link(const struct ld_snapshot *s,
				       const struct ld_link *key)
{
	return find(&s->links, key, link_cmp);
}

/*
 * Names and help of ldctl's counters (ld_stats_names). A counter not in
 * this table is exposed as its ldctl name + "_total"; one named "drop-*"
 * as dropped_packets_total{reason="*"}.
 */
static const struct {
	const char *name;
	const char *help;
} stat_metrics[LDIR_STATS_A_MAX + 1] = {
	[LDIR_STATS_A_CONNS] = { "connections_total",
		"Connections created." },
	[LDIR_STATS_A_PKTS_IN] = { "incoming_packets_total",
		"Packets from clients, translated to a real." },
	[LDIR_STATS_A_PKTS_OUT] = { "outgoing_packets_total",
		"Packets from reals, translated back to the client." },
	[LDIR_STATS_A_BYTES_IN] = { "incoming_bytes_total",
		"Bytes of the incoming packets." },
	[LDIR_STATS_A_BYTES_OUT] = { "outgoing_bytes_total",
		"Bytes of the outgoing packets." },
	[LDIR_STATS_A_ICMP_IN] = { "incoming_icmp_errors_total",
		"ICMP errors about a connection translated inbound." },
	[LDIR_STATS_A_ICMP_OUT] = { "outgoing_icmp_errors_total",
		"ICMP errors about a connection translated outbound." },
	[LDIR_STATS_A_CONNS_EXPIRED] = { "connections_expired_total",
		"Connections removed by their timeout." },
	[LDIR_STATS_A_DITCHED] = { "connections_ditched_total",
		"Connections ditched: the real did not answer their SYN." },
	[LDIR_STATS_A_PROBES] = { "probe_connections_total",
		"Connections let through to a failed real as a probe." },
	[LDIR_STATS_A_BACKUP] = { "backup_connections_total",
		"Connections sent to a backup." },
	[LDIR_STATS_A_RST_IGNORED] = { "tcp_resets_ignored_total",
		"TCP resets not at the sequence number expected, ignored." },
	[LDIR_STATS_A_EMBRYONIC_EVICTED] = {
		"embryonic_connections_evicted_total",
		"Unfinished handshakes evicted for a new connection." },
	[LDIR_STATS_A_PRESSURE_STARTS] = { "syn_pressure_starts_total",
		"Times SYN pressure started." },
	[LDIR_STATS_A_ADOPTED] = { "connections_adopted_total",
		"TCP flows adopted without a SYN by hash-scheduled virtuals." },
	[LDIR_STATS_A_REPLY_ADOPTED] = { "replies_adopted_total",
		"Replies translated without a conn for hash-scheduled virtuals." },
	[LDIR_STATS_A_SYNC_SENT] = { "sync_records_sent_total",
		"Conn sync records multicast to the sync group." },
	[LDIR_STATS_A_SYNC_RECEIVED] = { "sync_records_received_total",
		"Conns inserted or removed for a peer director." },
	[LDIR_STATS_A_SYNC_REJECTED] = { "sync_records_rejected_total",
		"Conn inserts or removals for a peer director refused." },
	[LDIR_STATS_A_SYNC_QUEUE_DROP] = { "sync_queue_drops_total",
		"Conn sync records dropped, the kernel queue full." },
};

#define DROP_PREFIX	"drop-"
#define DROP_NAME	"dropped_packets_total"
#define DROP_HELP	"Packets dropped, by reason."

/*
 * Names and help of ldctl's settings (ld_config_names). A setting not in
 * this table is exposed as config_ + its ldctl name.
 */
static const struct {
	const char *name;
	const char *help;
	bool milli;	/* the setting is in ms, the metric in seconds */
} config_metrics[LDIR_CONFIG_A_MAX + 1] = {
	[LDIR_CONFIG_A_CONN_COUNT] = { "conntab_entries",
		"Connections in the table." },
	[LDIR_CONFIG_A_CONN_MAX] = { "conntab_entries_limit",
		"The bound of the connection table (conn-max)." },
	[LDIR_CONFIG_A_TIMEOUT_SYN] = { "config_timeout_syn_seconds",
		"Timeout of a connection in SYN_SENT or SYN_RECV." },
	[LDIR_CONFIG_A_TIMEOUT_EST] = { "config_timeout_est_seconds",
		"Timeout of an ESTABLISHED connection." },
	[LDIR_CONFIG_A_TIMEOUT_FIN] = { "config_timeout_fin_seconds",
		"Timeout of a connection in FIN_WAIT." },
	[LDIR_CONFIG_A_TIMEOUT_TIME_WAIT] = {
		"config_timeout_time_wait_seconds",
		"Timeout of a connection in TIME_WAIT." },
	[LDIR_CONFIG_A_TIMEOUT_CLOSE] = { "config_timeout_close_seconds",
		"Timeout of a connection in CLOSE." },
	[LDIR_CONFIG_A_TIMEOUT_UDP] = { "config_timeout_udp_seconds",
		"Timeout of a UDP connection." },
	[LDIR_CONFIG_A_RETRY_INTERVAL] = { "config_retry_interval_seconds",
		"Interval of the probes sent to a failed real." },
	[LDIR_CONFIG_A_PR_CLAMP_PCT] = { "config_pr_clamp_percent",
		"Largest change of R by one sample, in percent." },
	[LDIR_CONFIG_A_SYN_RESEND_GAP_MS] = { "config_syn_resend_gap_seconds",
		"Least time between two SYNs that count as resends.", true },
	[LDIR_CONFIG_A_EMBRYONIC_COUNT] = { "conntab_embryonic_entries",
		"Connections whose handshake is not done." },
	[LDIR_CONFIG_A_EMBRYONIC_MAX] = { "conntab_embryonic_entries_limit",
		"The bound of unfinished handshakes (0: half of conn-max)." },
	[LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE] = {
		"config_timeout_syn_pressure_seconds",
		"Timeout of an unfinished handshake under SYN pressure." },
	[LDIR_CONFIG_A_PRESSURE] = { "conntab_syn_pressure",
		"1 while under SYN pressure." },
};

/* ldctl's "pkts-in" as "pkts_in": a name fit for the format. */
static void sanitize(char *out, const char *prefix, const char *in,
		     const char *suffix)
{
	char *p;

	snprintf(out, METRICS_NAME_MAX, "%s%s%s", prefix, in, suffix);
	for (p = out; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
}

const char *metrics_stat_name(unsigned int i, char *name, char *reason)
{
	const char *ldname = i <= LDIR_STATS_A_MAX ? ld_stats_names[i] : NULL;

	reason[0] = '\0';
	if (!ldname)
		return NULL;
	if (stat_metrics[i].name) {
		snprintf(name, METRICS_NAME_MAX, "%s", stat_metrics[i].name);
	} else if (!strncmp(ldname, DROP_PREFIX, strlen(DROP_PREFIX))) {
		snprintf(name, METRICS_NAME_MAX, "%s", DROP_NAME);
		sanitize(reason, "", ldname + strlen(DROP_PREFIX), "");
	} else {
		sanitize(name, "", ldname, "_total");
	}
	return name;
}

const char *metrics_config_name(unsigned int i, char *name)
{
	const char *ldname = i <= LDIR_CONFIG_A_MAX ? ld_config_names[i] : NULL;

	if (!ldname)
		return NULL;
	if (config_metrics[i].name)
		snprintf(name, METRICS_NAME_MAX, "%s", config_metrics[i].name);
	else
		sanitize(name, "config_", ldname, "");
	return name;
}

void metrics_escape(FILE *f, const char *s, bool label)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && label)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *obj, const char *name,
		   const char *type, const char *help)
{
	fprintf(f, "# HELP ldir_%s%s ", obj, name);
	metrics_escape(f, help, false);
	fprintf(f, "\n# TYPE ldir_%s%s %s\n", obj, name, type);
}

/* Writes the labels of a sample: "{k=\"v\",...}" or nothing. */
struct labels {
	FILE *f;
	bool open;
};

static void label(struct labels *l, const char *key, const char *val)
{
	fprintf(l->f, "%s%s=\"", l->open ? "," : "{", key);
	metrics_escape(l->f, val, true);
	fputc('"', l->f);
	l->open = true;
}

static void label_u(struct labels *l, const char *key, unsigned int val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", val);
	label(l, key, buf);
}

static void label_addr(struct labels *l, const char *key,
		       const struct ld_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	label(l, key, ld_addr_str(a, buf));
}

/* The objects: how to name, label and read each kind. */
struct kind {
	const char *obj;		/* prefix of its names */
	size_t off;			/* of its list in the snapshot */
	void (*labels)(struct labels *l, const void *o);
	const struct ld_stats *(*stats)(const void *o);
	const struct gauge *gauges;
	size_t ngauges;
	/* its state (enum ldir_state); NULL: none */
	uint8_t (*state)(const void *o);
};

/* A gauge's value: v, or with micro set v / 1000000 (us -> s) */
struct value {
	int64_t v;
	bool micro;
};

struct gauge {
	const char *name;
	const char *help;
	struct value (*get)(const struct ld_snapshot *s, const void *o);
};

static void put_value(FILE *f, struct value v)
{
	uint64_t a;

	if (!v.micro) {
		fprintf(f, " %" PRId64 "\n", v.v);
		return;
	}
	a = v.v < 0 ? -(uint64_t)v.v : (uint64_t)v.v;
	fprintf(f, " %s%" PRIu64 ".%06" PRIu64 "\n", v.v < 0 ? "-" : "",
		a / 1000000, a % 1000000);
}

static struct value num(int64_t v)
{
	return (struct value){ .v = v };
}

static struct value micro(int64_t v)
{
	return (struct value){ .v = v, .micro = true };
}

static void vkey_labels(struct labels *l, const struct ld_virtual *v)
{
	const char *proto = ld_proto_name(v->protocol);

	label_addr(l, "local_address", &v->addr);
	label_u(l, "local_port", v->port);
	if (proto)
		label(l, "proto", proto);
	else
		label_u(l, "proto", v->protocol);
	label_u(l, "bind_id", v->bind_id);
}

static void virtual_labels(struct labels *l, const void *o)
{
	vkey_labels(l, o);
}

static void real_labels(struct labels *l, const void *o)
{
	const struct ld_real *r = o;

	label_addr(l, "remote_address", &r->addr);
	label_u(l, "remote_port", r->port);
}

/* remote_port: the port conns are sent to, as IPVS's */
static void link_labels(struct labels *l, const void *o)
{
	const struct ld_link *ln = o;

	vkey_labels(l, &ln->virt);
	label_addr(l, "remote_address", &ln->real.addr);
	label_u(l, "remote_port", ld_link_port(ln));
}

static const struct ld_stats *virtual_stats(const void *o)
{
	return &((const struct ld_virtual *)o)->stats;
}

static const struct ld_stats *real_stats(const void *o)
{
	return &((const struct ld_real *)o)->stats;
}

static const struct ld_stats *link_stats(const void *o)
{
	return &((const struct ld_link *)o)->stats;
}

static uint8_t virtual_state(const void *o)
{
	return ((const struct ld_virtual *)o)->state;
}

static uint8_t real_state(const void *o)
{
	return ((const struct ld_real *)o)->state;
}

#define V(o)	((const struct ld_virtual *)(o))
#define R(o)	((const struct ld_real *)(o))
#define L(o)	((const struct ld_link *)(o))

static struct value v_conns(const struct ld_snapshot *s, const void *o)
{
	return num(V(o)->conns);
}

static struct value v_links(const struct ld_snapshot *s, const void *o)
{
	return num(V(o)->nlinks);
}

static struct value v_failed(const struct ld_snapshot *s, const void *o)
{
	return num(V(o)->failed);
}

static const struct gauge virtual_gauges[] = {
	{ "connections_live", "Live connections of the virtual.", v_conns },
	{ "links", "Reals linked to the virtual.", v_links },
	{ "failed", "1 while every real of the virtual failed and it has no backup.",
	  v_failed },
};

static struct value r_active(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->active);
}

static struct value r_inactive(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->conns > R(o)->active ?
		   R(o)->conns - R(o)->active : 0);
}

static struct value r_weight(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->weight);
}

static struct value r_max(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->max_conns);
}

static struct value r_failed(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->state == LDIR_STATE_FAILED);
}

static struct value r_response(const struct ld_snapshot *s, const void *o)
{
	return micro(R(o)->response_us);
}

static struct value r_pr(const struct ld_snapshot *s, const void *o)
{
	return micro(R(o)->pr);
}

static struct value r_age(const struct ld_snapshot *s, const void *o)
{
	return micro((int64_t)R(o)->age_ms * 1000);
}

static struct value r_unanswered(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->unanswered);
}

static struct value r_consec(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->ditch_consec);
}

static struct value r_links(const struct ld_snapshot *s, const void *o)
{
	return num(R(o)->nlinks);
}

static const struct gauge real_gauges[] = {
	{ "connections_active",
	  "Live connections of the real not closing (NC).", r_active },
	{ "connections_inactive",
	  "Live connections of the real that are closing.", r_inactive },
	{ "weight", "The real's weight.", r_weight },
	{ "max_connections", "The real's connection bound, 0: none.", r_max },
	{ "failed", "1 while passive failure detection has the real failed.",
	  r_failed },
	{ "response_time_seconds", "R: the real's response time per connection.",
	  r_response },
	{ "predicted_response_seconds",
	  "PR = NC * R - age / k: the pr scheme picks the smallest.", r_pr },
	{ "response_age_seconds", "Time since R was last set.", r_age },
	{ "unanswered_syns", "SYNs sent to the real without a SYN-ACK yet.",
	  r_unanswered },
	{ "ditched_consecutive",
	  "Connections ditched in a row; the fail threshold fails the real.",
	  r_consec },
	{ "links", "Virtuals the real is linked to.", r_links },
};

static struct value l_active(const struct ld_snapshot *s, const void *o)
{
	return num(L(o)->active);
}

static struct value l_inactive(const struct ld_snapshot *s, const void *o)
{
	return num(L(o)->conns > L(o)->active ?
		   L(o)->conns - L(o)->active : 0);
}

/* the real's, as IPVS's per-destination weight */
static struct value l_weight(const struct ld_snapshot *s, const void *o)
{
	const struct ld_real *r = ld_snapshot_real(s, &L(o)->real);

	return num(r ? r->weight : 0);
}

static const struct gauge link_gauges[] = {
	{ "connections_active",
	  "The current active connections by local and remote address.",
	  l_active },
	{ "connections_inactive",
	  "The current inactive connections by local and remote address.",
	  l_inactive },
	{ "weight", "The current backend weight by local and remote address.",
	  l_weight },
};

static const struct kind kinds[] = {
	{ "virtual_", offsetof(struct ld_snapshot, virtuals), virtual_labels,
	  virtual_stats, virtual_gauges, ARRAY_SIZE(virtual_gauges),
	  virtual_state },
	{ "real_", offsetof(struct ld_snapshot, reals), real_labels,
	  real_stats, real_gauges, ARRAY_SIZE(real_gauges), real_state },
	{ "backend_", offsetof(struct ld_snapshot, links), link_labels,
	  link_stats, link_gauges, ARRAY_SIZE(link_gauges), NULL },
};

static const struct ld_list *kind_list(const struct kind *k,
				       const struct ld_snapshot *s)
{
	return (const struct ld_list *)((const char *)s + k->off);
}

static const void *kind_at(const struct ld_list *list, size_t i)
{
	return (const char *)list->v + i * list->size;
}

/*
 * One family per counter name, in table order: the samples of every
 * counter with that name (the drops, by reason) for every object. A kind
 * of NULL: the global counters, without labels.
 */
static void write_counters(FILE *f, const struct ld_snapshot *s,
			   const struct kind *k)
{
	char name[METRICS_NAME_MAX], other[METRICS_NAME_MAX];
	char reason[METRICS_NAME_MAX];
	const struct ld_list *list = k ? kind_list(k, s) : NULL;
	size_t n = k ? list->n : 1;
	unsigned int i, j;
	size_t o;

	for (i = 1; i <= LDIR_STATS_A_MAX; i++) {
		const char *help;
		bool seen = false;

		if (!metrics_stat_name(i, name, reason))
			continue;
		for (j = 1; j < i && !seen; j++)
			seen = metrics_stat_name(j, other, reason) &&
			       !strcmp(name, other);
		if (seen)
			continue;
		metrics_stat_name(i, name, reason);
		help = stat_metrics[i].help ? stat_metrics[i].help :
		       reason[0] ? DROP_HELP : ld_stats_names[i];
		family(f, k ? k->obj : "", name, "counter", help);
		for (o = 0; o < n; o++) {
			const void *obj = k ? kind_at(list, o) : NULL;
			const struct ld_stats *st = k ? k->stats(obj) :
						    &s->global.stats;

			for (j = i; j <= LDIR_STATS_A_MAX; j++) {
				struct labels l = { .f = f };

				if (!metrics_stat_name(j, other, reason) ||
				    strcmp(name, other))
					continue;
				fprintf(f, "ldir_%s%s", k ? k->obj : "", name);
				if (k)
					k->labels(&l, obj);
				if (reason[0])
					label(&l, "reason", reason);
				if (l.open)
					fputc('}', f);
				fprintf(f, " %" PRIu64 "\n", st->v[j]);
			}
		}
	}
}

static void write_kind(FILE *f, const struct ld_snapshot *s,
		       const struct kind *k)
{
	const struct ld_list *list = kind_list(k, s);
	unsigned int st;
	size_t g, o;

	for (g = 0; g < k->ngauges; g++) {
		family(f, k->obj, k->gauges[g].name, "gauge",
		       k->gauges[g].help);
		for (o = 0; o < list->n; o++) {
			struct labels l = { .f = f };

			fprintf(f, "ldir_%s%s", k->obj, k->gauges[g].name);
			k->labels(&l, kind_at(list, o));
			fputc('}', f);
			put_value(f, k->gauges[g].get(s, kind_at(list, o)));
		}
	}
	if (k->state) {
		/* a state set: one sample per state, 1 for the current one */
		family(f, k->obj, "state", "gauge",
		       "1 for the state set by hand (in, out) or by failure detection.");
		for (o = 0; o < list->n; o++) {
			for (st = 1; st <= LDIR_STATE_MAX; st++) {
				struct labels l = { .f = f };

				if (!ld_state_name(st))
					continue;
				fprintf(f, "ldir_%sstate", k->obj);
				k->labels(&l, kind_at(list, o));
				label(&l, "state", ld_state_name(st));
				fprintf(f, "} %d\n",
					k->state(kind_at(list, o)) == st);
			}
		}
	}
	write_counters(f, s, k);
}

/* The virtuals' schemes, as an info metric. */
static void write_virtual_info(FILE *f, const struct ld_snapshot *s)
{
	size_t o;

	family(f, "virtual_", "info", "gauge",
	       "The virtual's scheme and flags; always 1.");
	for (o = 0; o < s->virtuals.n; o++) {
		const struct ld_virtual *v;
		struct labels l = { .f = f };

		v = ld_list_at(&s->virtuals, struct ld_virtual, o);
		fputs("ldir_virtual_info", f);
		vkey_labels(&l, v);
		label(&l, "sched", v->sched);
		label(&l, "stateless",
		      v->flags & LDIR_VIRTUAL_F_STATELESS ? "true" : "false");
		fputs("} 1\n", f);
	}
}

static void write_config(FILE *f, const struct ld_config *c)
{
	char name[METRICS_NAME_MAX];
	unsigned int i;

	for (i = 1; i <= LDIR_CONFIG_A_MAX; i++) {
		if (!(c->has & (1u << i)) || !metrics_config_name(i, name))
			continue;
		family(f, "", name, "gauge", config_metrics[i].help ?
		       config_metrics[i].help : ld_config_names[i]);
		if (config_metrics[i].milli)
			fprintf(f, "ldir_%s %u.%03u\n", name, c->v[i] / 1000,
				c->v[i] % 1000);
		else
			fprintf(f, "ldir_%s %u\n", name, c->v[i]);
	}
}

void metrics_write(FILE *f, const struct ld_snapshot *s)
{
	size_t k;

	write_counters(f, s, NULL);
	write_config(f, &s->global.config);
	write_virtual_info(f, s);
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		write_kind(f, s, &kinds[k]);
}

int cmd_metrics(struct ldctl *ctx, int argc, char **argv)
{
	struct ld_snapshot s = LD_SNAPSHOT_INIT;
	struct nl *nl;
	int ret = 1;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		fputs("Usage:\n", stdout);
		usage_metrics(stdout);
		return 0;
	}
	if (argc)
		return ldctl_usage_err(usage_metrics,
				       "unexpected argument \"%s\"", argv[0]);
	if (ctx->dry_run)
		return 0;
	nl = ldctl_nl(ctx);
	if (nl && !ld_snapshot_get(nl, &s)) {
		metrics_write(stdout, &s);
		ret = 0;
	}
	ld_snapshot_clear(&s);
	return ret;
}
