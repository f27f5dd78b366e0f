/* SPDX-License-Identifier: BSD-3-Clause
 * Experiment specs. libcyaml's schema below is the one description of the
 * file's shape. Before libcyaml loads it, the document is walked once with
 * libyaml against that same schema, so that every unknown key and every
 * wrong kind of node is reported with its own line, not only the first
 * (libcyaml stops at the first). libcyaml then loads every scalar as a
 * string, and each value is checked here with the same parsers as the
 * command line (libcyaml 1.3 takes "2x" for the integer 2).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "hostvm.h"
#include "spec.h"
#include "value.h"

const char *const spec_metric_names[SPEC_N_METRICS] = {
	"startup", "size", "rtt", "memory", "http", "kv",
};

/* The file as libcyaml loads it: strings, checked afterwards. */
struct raw_metric {
	char *repetitions, *duration, *warmup, *count, *interval, *timeout, *gap, *cache;
	char **connections;
	unsigned connections_count;
	char **pipeline;
	unsigned pipeline_count;
	char **ops;
	unsigned ops_count;
	char **under;
	unsigned under_count;
};

struct raw_host {
	char *platform, *opts;
};

struct raw_target {
	char *name, *platform, *workload, *net, *accel, *image, *server, *start;
	struct raw_host *host;
	char **metrics;
	unsigned metrics_count;
	char **args;
	unsigned args_count;
};

struct raw_spec {
	char *name, *seed, *repetitions, *order, *port, *cores;
	struct raw_target *targets;
	unsigned targets_count;
	struct raw_metric *m[SPEC_N_METRICS];
};

static const cyaml_schema_value_t str_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

#define STR(key, type, member) CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, type, member, 0, CYAML_UNLIMITED)
#define LIST(key, type, member) CYAML_FIELD_SEQUENCE(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, type, member, &str_entry, 0, SPEC_MAX_SWEEP)

static const cyaml_schema_field_t metric_fields[] = {
	STR("repetitions", struct raw_metric, repetitions),
	STR("duration", struct raw_metric, duration),
	STR("warmup", struct raw_metric, warmup),
	STR("count", struct raw_metric, count),
	STR("interval", struct raw_metric, interval),
	STR("timeout", struct raw_metric, timeout),
	STR("gap", struct raw_metric, gap),
	STR("cache", struct raw_metric, cache),
	LIST("connections", struct raw_metric, connections),
	LIST("pipeline", struct raw_metric, pipeline),
	LIST("ops", struct raw_metric, ops),
	LIST("under", struct raw_metric, under),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t host_fields[] = {
	STR("platform", struct raw_host, platform),
	STR("opts", struct raw_host, opts),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t target_fields[] = {
	STR("name", struct raw_target, name),
	STR("platform", struct raw_target, platform),
	STR("workload", struct raw_target, workload),
	STR("net", struct raw_target, net),
	STR("accel", struct raw_target, accel),
	STR("image", struct raw_target, image),
	STR("server", struct raw_target, server),
	STR("start", struct raw_target, start),
	LIST("metrics", struct raw_target, metrics),
	LIST("args", struct raw_target, args),
	CYAML_FIELD_MAPPING_PTR("host", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, struct raw_target, host, host_fields),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t target_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_target, target_fields),
};

#define METRIC(key, i)                                                                              \
	CYAML_FIELD_MAPPING_PTR(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, struct raw_spec, m[i], \
				metric_fields)

static const cyaml_schema_field_t spec_fields[] = {
	STR("name", struct raw_spec, name),
	STR("seed", struct raw_spec, seed),
	STR("repetitions", struct raw_spec, repetitions),
	STR("order", struct raw_spec, order),
	STR("port", struct raw_spec, port),
	STR("cores", struct raw_spec, cores),
	/* A map of names the schema cannot list: checked by check_servers. */
	CYAML_FIELD_IGNORE("servers", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_SEQUENCE("targets", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, struct raw_spec, targets,
			     &target_entry, 0, SPEC_MAX_TARGETS),
	METRIC("startup", SPEC_STARTUP),
	METRIC("size", SPEC_SIZE),
	METRIC("rtt", SPEC_RTT),
	METRIC("memory", SPEC_MEMORY),
	METRIC("http", SPEC_HTTP),
	METRIC("kv", SPEC_KV),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t spec_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw_spec, spec_fields),
};

#define SPEC_MAX_PROBLEMS 100

struct problem_line {
	unsigned line;
	char *text;
};

struct checker {
	const char *path;
	FILE *err;
	int problems;
	struct problem_line list[SPEC_MAX_PROBLEMS]; /* printed sorted by line */
	yaml_document_t doc;
	int have_doc;
};

static void problem(struct checker *c, unsigned line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void problem(struct checker *c, unsigned line, const char *field, const char *fmt, ...)
{
	va_list ap;
	char msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->problems < SPEC_MAX_PROBLEMS && asprintf(&c->list[c->problems].text, "%s:%u: %s: %s", c->path,
							line, field, msg) > 0)
		c->list[c->problems].line = line;
	else if (c->problems < SPEC_MAX_PROBLEMS)
		c->list[c->problems].text = NULL;
	c->problems++;
}

static int by_line(const void *a, const void *b)
{
	const struct problem_line *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* Print the problems in file order, once each; returns their number. */
static int report(struct checker *c)
{
	int n = c->problems < SPEC_MAX_PROBLEMS ? c->problems : SPEC_MAX_PROBLEMS;

	qsort(c->list, (size_t)n, sizeof(c->list[0]), by_line);
	for (int i = 0; i < n; i++) {
		if (c->list[i].text)
			fprintf(c->err, "%s\n", c->list[i].text);
		free(c->list[i].text);
	}
	if (c->problems > n)
		fprintf(c->err, "%s: ... and %d more problems\n", c->path, c->problems - n);
	if (c->problems)
		fprintf(c->err, "%s: %d problem%s; nothing was run\n", c->path, c->problems,
			c->problems == 1 ? "" : "s");
	return c->problems;
}

static const char *node_kind(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar";
}

/* Check node n against schema v; field names the place for messages. */
static void walk(struct checker *c, yaml_node_t *n, const cyaml_schema_value_t *v, const char *field)
{
	unsigned line = (unsigned)n->start_mark.line + 1;
	char sub[160];

	switch (v->type) {
	case CYAML_MAPPING:
		if (n->type != YAML_MAPPING_NODE) {
			problem(c, line, field, "expected a mapping (key: value lines), found %s", node_kind(n));
			return;
		}
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
			yaml_node_t *val = yaml_document_get_node(&c->doc, p->value);
			const cyaml_schema_field_t *f;
			const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";

			for (f = v->mapping.fields; f->key; f++)
				if (strcmp(f->key, key) == 0)
					break;
			snprintf(sub, sizeof(sub), "%s%s%s", field, *field ? "." : "", key);
			if (!f->key) {
				char keys[400];
				size_t o = 0;

				keys[0] = 0;
				for (f = v->mapping.fields; f->key && o < sizeof(keys); f++)
					o += (size_t)snprintf(keys + o, sizeof(keys) - o, "%s%s", o ? ", " : "", f->key);
				problem(c, (unsigned)k->start_mark.line + 1, sub, "unknown key (expected one of: %s)",
					keys);
				continue;
			}
			if (val)
				walk(c, val, &f->value, sub);
		}
		return;
	case CYAML_SEQUENCE:
		if (n->type != YAML_SEQUENCE_NODE) {
			problem(c, line, field, "expected a list ([a, b] or '- a' lines), found %s", node_kind(n));
			return;
		}
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			snprintf(sub, sizeof(sub), "%s[%d]", field, (int)(it - n->data.sequence.items.start));
			walk(c, yaml_document_get_node(&c->doc, *it), v->sequence.entry, sub);
		}
		if ((uint64_t)(n->data.sequence.items.top - n->data.sequence.items.start) > v->sequence.max)
			problem(c, line, field, "at most %u entries", v->sequence.max);
		return;
	case CYAML_IGNORE: /* checked on its own (servers:) */
		return;
	default:
		if (n->type != YAML_SCALAR_NODE)
			problem(c, line, field, "expected a single value, found %s", node_kind(n));
		return;
	}
}

/* The node at a dotted path ("targets[2].platform") and its line; 0 when
 * absent. */
static unsigned line_of(struct checker *c, const char *path)
{
	yaml_node_t *n;
	char buf[160], *save = NULL, *part;

	if (!c->have_doc || !(n = yaml_document_get_root_node(&c->doc)))
		return 0;
	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && n; part = strtok_r(NULL, ".", &save)) {
		char *br = strchr(part, '[');
		int idx = -1;
		yaml_node_t *next = NULL;

		if (br) {
			idx = atoi(br + 1);
			*br = 0;
		}
		if (n->type != YAML_MAPPING_NODE)
			return (unsigned)n->start_mark.line + 1;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);

			if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, part) == 0)
				next = yaml_document_get_node(&c->doc, p->value);
		}
		if (!next)
			return (unsigned)n->start_mark.line + 1;
		n = next;
		if (idx >= 0 && n->type == YAML_SEQUENCE_NODE && idx < n->data.sequence.items.top - n->data.sequence.items.start)
			n = yaml_document_get_node(&c->doc, n->data.sequence.items.start[idx]);
	}
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

static void bad(struct checker *c, const char *field, const char *fmt, ...)
{
	va_list ap;
	char msg[300];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	problem(c, line_of(c, field), field, "%s", msg);
}

static void get_u64(struct checker *c, const char *field, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	const char *why = NULL;
	uint64_t v;

	if (!s)
		return;
	if (opt_parse_u64(s, &v, &why) || v < lo || v > hi) {
		bad(c, field, "'%s' is not a whole number from %" PRIu64 " to %" PRIu64 "%s%s", s, lo, hi,
		    why ? ": " : "", why ? why : "");
		return;
	}
	*out = v;
}

static void get_duration(struct checker *c, const char *field, const char *s, uint64_t lo, uint64_t hi,
			 uint64_t *out)
{
	const char *why = NULL;
	uint64_t v;

	if (!s)
		return;
	if (opt_parse_duration_ns(s, &v, &why) || v < lo || v > hi) {
		bad(c, field, "'%s' is not a duration like 500ms, 2s or 1m in range%s%s", s, why ? ": " : "",
		    why ? why : "");
		return;
	}
	*out = v;
}

static int one_of(const char *s, const char *const *choices)
{
	for (int i = 0; choices[i]; i++)
		if (strcmp(s, choices[i]) == 0)
			return i;
	return -1;
}

static void get_word(struct checker *c, const char *field, const char *s, const char *const *choices, char *out,
		     size_t len)
{
	char list[200];
	size_t o = 0;

	if (!s)
		return;
	if (one_of(s, choices) >= 0 && strlen(s) < len) {
		snprintf(out, len, "%s", s);
		return;
	}
	list[0] = 0;
	for (int i = 0; choices[i] && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", choices[i]);
	bad(c, field, "'%s' is not one of: %s", s, list);
}

static void get_list_u64(struct checker *c, const char *field, char **v, unsigned n, uint64_t lo, uint64_t hi,
			 uint64_t *out, unsigned *n_out)
{
	char sub[96];

	if (!v)
		return;
	if (n == 0) {
		bad(c, field, "an empty list (give at least one value)");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s[%u]", field, i);
		get_u64(c, sub, v[i], lo, hi, &out[i]);
		for (unsigned j = 0; j < i; j++)
			if (out[j] == out[i] && v[j] && strcmp(v[j], v[i]) == 0)
				bad(c, sub, "%s appears twice", v[i]);
	}
	*n_out = n;
}

static void get_list_word(struct checker *c, const char *field, char **v, unsigned n, const char *const *choices,
			  char (*out)[8], unsigned max, unsigned *n_out)
{
	char sub[96];

	if (!v)
		return;
	if (n == 0 || n > max) {
		bad(c, field, "give 1 to %u values", max);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s[%u]", field, i);
		get_word(c, sub, v[i], choices, out[i], 8);
		for (unsigned j = 0; j < i; j++)
			if (strcmp(v[j], v[i]) == 0)
				bad(c, sub, "%s appears twice", v[i]);
	}
	*n_out = n;
}

static void metric_defaults(struct spec *s)
{
	for (int i = 0; i < SPEC_N_METRICS; i++) {
		struct spec_metric_cfg *m = &s->m[i];

		memset(m, 0, sizeof(*m));
		m->repetitions = i == SPEC_SIZE ? 1 : 30; /* the study: n = 30 */
		m->connections[0] = i == SPEC_KV ? 1 : 100;
		m->n_connections = 1;
		m->pipeline[0] = 1;
		m->n_pipeline = 1;
		snprintf(m->ops[0], 8, "get");
		snprintf(m->ops[1], 8, "set");
		m->n_ops = 2;
		snprintf(m->under[0], 8, "idle");
		m->n_under = 1;
		m->duration = 10000000000ull;
		m->warmup = 2000000000ull;
		m->count = 1000;
		m->interval = 1000000ull;
		m->timeout = 60000000000ull;
		m->gap = 100000000ull;
	}
}

static const char *const word_ops[] = { "get", "set", NULL };
static const char *const word_under[] = { "idle", "http", "kv", NULL };
static const char *const word_cache[] = { "warm", "cold", NULL };
static const char *const word_net[] = { "direct", "platform", NULL };
static const char *const word_accel[] = { "kvm", "tcg", NULL };
static const char *const word_order[] = { "random", "sequential", NULL };
static const char *const word_port[] = { "af_xdp", "af_packet", NULL };
static const char *const word_workload[] = { "beacon", "nginx", "redis", "floor", NULL };
static const char *const word_start[] = { "local-spawn", "remote-trigger", "remote-request", NULL };

/* Names of targets and servers: letters, digits, '-', '_', '.'. */
static int good_name(const char *s, size_t cap)
{
	return *s && strlen(s) < cap &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == strlen(s);
}

/* ssh://[USER@]HOST[:PORT]: NULL when s is one, else what is wrong. */
static const char *ssh_uri_problem(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	const char *host, *at, *colon;
	uint64_t port;
	const char *why;

	if (strncmp(s, "ssh://", 6) != 0)
		return "does not start with ssh://";
	host = s + 6;
	at = strchr(host, '@');
	if (at) {
		if (at == host || strspn(host, ok) != (size_t)(at - host))
			return "the user before '@' must be letters, digits, '-', '_' or '.'";
		host = at + 1;
	}
	colon = strchr(host, ':');
	if (colon == host || *host == 0 || strspn(host, ok) != (size_t)((colon ? colon : host + strlen(host)) - host))
		return "the host must be a name or IPv4 address (letters, digits, '-', '.')";
	if (colon && (opt_parse_u64(colon + 1, &port, &why) || port < 1 || port > 65535))
		return "the port after ':' must be 1 to 65535";
	return NULL;
}

/* servers: a mapping of NAME to {ssh, uplink, identity}, from the document
 * itself (its keys are the user's names, which a cyaml schema cannot list). */
static void check_servers(struct checker *c, struct spec *s)
{
	yaml_node_t *root = yaml_document_get_root_node(&c->doc), *map = NULL;
	char f[160];

	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, "servers") == 0)
			map = yaml_document_get_node(&c->doc, p->value);
	}
	if (!map)
		return;
	if (map->type != YAML_MAPPING_NODE) {
		problem(c, (unsigned)map->start_mark.line + 1, "servers",
			"expected a mapping of server names to {ssh, uplink, identity}, found %s", node_kind(map));
		return;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&c->doc, p->value);
		const char *name = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
		unsigned line = k ? (unsigned)k->start_mark.line + 1 : 0;
		struct spec_server *sv;
		int have_ssh = 0;

		snprintf(f, sizeof(f), "servers.%s", name);
		if (!good_name(name, SPEC_NAME_LEN)) {
			problem(c, line, f, "'%s' must be 1-%d letters, digits, '-', '_' or '.'", name, SPEC_NAME_LEN - 1);
			continue;
		}
		if (s->n_servers == SPEC_MAX_SERVERS) {
			problem(c, line, f, "at most %d servers", SPEC_MAX_SERVERS);
			return;
		}
		for (unsigned j = 0; j < s->n_servers; j++)
			if (strcmp(s->servers[j].name, name) == 0)
				problem(c, line, f, "'%s' is already a server (line %u)", name, s->servers[j].line);
		sv = &s->servers[s->n_servers++];
		memset(sv, 0, sizeof(*sv));
		snprintf(sv->name, sizeof(sv->name), "%s", name);
		sv->line = line;
		if (!v || v->type != YAML_MAPPING_NODE) {
			problem(c, line, f, "expected a mapping with ssh (and uplink, port, identity), found %s",
				v ? node_kind(v) : "nothing");
			continue;
		}
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = yaml_document_get_node(&c->doc, q->key);
			yaml_node_t *qv = yaml_document_get_node(&c->doc, q->value);
			const char *key = qk && qk->type == YAML_SCALAR_NODE ? (const char *)qk->data.scalar.value : "?";
			const char *val = qv && qv->type == YAML_SCALAR_NODE ? (const char *)qv->data.scalar.value : NULL;
			unsigned kl = qk ? (unsigned)qk->start_mark.line + 1 : line;
			const char *why;
			char sub[200];

			snprintf(sub, sizeof(sub), "servers.%s.%s", name, key);
			if (strcmp(key, "ssh") && strcmp(key, "uplink") && strcmp(key, "identity") && strcmp(key, "port")) {
				problem(c, kl, sub, "unknown key (expected one of: ssh, uplink, port, identity)");
				continue;
			}
			if (!val) {
				problem(c, kl, sub, "expected a single value, found %s", qv ? node_kind(qv) : "nothing");
				continue;
			}
			if (strcmp(key, "ssh") == 0) {
				have_ssh = 1;
				if ((why = ssh_uri_problem(val)) != NULL || strlen(val) >= sizeof(sv->ssh))
					problem(c, kl, sub, "'%s' is not ssh://[USER@]HOST[:PORT]: %s", val,
						why ? why : "too long");
				else
					snprintf(sv->ssh, sizeof(sv->ssh), "%s", val);
			} else if (strcmp(key, "uplink") == 0) {
				if (!good_name(val, sizeof(sv->uplink)) || strchr(val, '/'))
					problem(c, kl, sub, "'%s' is not an interface name (1-15 letters, digits, '-', '_', '.')",
						val);
				else
					snprintf(sv->uplink, sizeof(sv->uplink), "%s", val);
			} else if (strcmp(key, "port") == 0) {
				const char *ifn = strchr(val, ':') ? strchr(val, ':') + 1 : val;

				if (strlen(val) >= sizeof(sv->port) || !good_name(ifn, 16) || strchr(ifn, '/') ||
				    (ifn != val && strncmp(val, "af_xdp:", 7) && strncmp(val, "af_packet:", 10)))
					problem(c, kl, sub, "'%s' is not IFACE, af_xdp:IFACE or af_packet:IFACE", val);
				else
					snprintf(sv->port, sizeof(sv->port), "%s", val);
			} else if (!*val || strlen(val) >= sizeof(sv->identity)) {
				problem(c, kl, sub, "a key file path of 1-%zu characters", sizeof(sv->identity) - 1);
			} else {
				snprintf(sv->identity, sizeof(sv->identity), "%s", val);
			}
		}
		if (!have_ssh)
			problem(c, line, f, "missing ssh (ssh://[USER@]HOST[:PORT])");
	}
}

static void check_metric(struct checker *c, int i, const struct raw_metric *r, struct spec_metric_cfg *m)
{
	char f[64];
	const char *name = spec_metric_names[i];

	if (!r)
		return;
#define FLD(k) (snprintf(f, sizeof(f), "%s.%s", name, k), f)
	get_u64(c, FLD("repetitions"), r->repetitions, 1, 100000, &m->repetitions);
	get_duration(c, FLD("duration"), r->duration, 100000000ull, 3600000000000ull, &m->duration);
	get_duration(c, FLD("warmup"), r->warmup, 0, 3600000000000ull, &m->warmup);
	get_u64(c, FLD("count"), r->count, 1, 10000000, &m->count);
	get_duration(c, FLD("interval"), r->interval, 1000, 10000000000ull, &m->interval);
	get_duration(c, FLD("timeout"), r->timeout, 1000000, 3600000000000ull, &m->timeout);
	get_duration(c, FLD("gap"), r->gap, 0, 600000000000ull, &m->gap);
	{
		char cache[8] = "warm";

		get_word(c, FLD("cache"), r->cache, word_cache, cache, sizeof(cache));
		m->cold = !strcmp(cache, "cold");
	}
	get_list_u64(c, FLD("connections"), r->connections, r->connections_count, 1, 1000000, m->connections,
		     &m->n_connections);
	get_list_u64(c, FLD("pipeline"), r->pipeline, r->pipeline_count, 1, 256, m->pipeline, &m->n_pipeline);
	get_list_word(c, FLD("ops"), r->ops, r->ops_count, word_ops, m->ops, 4, &m->n_ops);
	get_list_word(c, FLD("under"), r->under, r->under_count, word_under, m->under, 3, &m->n_under);
	/* Keys that mean nothing for this metric are mistakes, not options. */
	if (i != SPEC_HTTP && i != SPEC_KV && (r->connections || r->pipeline))
		bad(c, FLD(r->connections ? "connections" : "pipeline"), "only http and kv sweep connections and pipeline");
	if (i != SPEC_KV && r->ops)
		bad(c, FLD("ops"), "only kv has ops (get, set)");
	if (i != SPEC_MEMORY && r->under)
		bad(c, FLD("under"), "only memory has under (idle, http, kv)");
	if (i != SPEC_RTT && (r->count || r->interval))
		bad(c, FLD(r->count ? "count" : "interval"), "only rtt has count and interval");
	if (i != SPEC_STARTUP && (r->timeout || r->gap || r->cache))
		bad(c, FLD(r->timeout ? "timeout" : r->gap ? "gap" : "cache"), "only startup has timeout, gap and cache");
	if ((i == SPEC_STARTUP || i == SPEC_SIZE || i == SPEC_RTT) && (r->duration || r->warmup))
		bad(c, FLD(r->duration ? "duration" : "warmup"), "only http, kv and memory have a duration and warmup");
#undef FLD
}

static void check_target(struct checker *c, unsigned i, const struct raw_target *r, struct spec_target *t,
			 const char *const *platforms, const struct spec_server *servers, unsigned n_servers)
{
	char f[64];

#define FLD(k) (snprintf(f, sizeof(f), "targets[%u].%s", i, k), f)
	snprintf(f, sizeof(f), "targets[%u]", i);
	t->line = line_of(c, f);
	if (!r->name)
		bad(c, FLD("name"), "missing (every target needs a unique name)");
	else if (!good_name(r->name, sizeof(t->name)))
		bad(c, FLD("name"), "'%s' must be 1-%zu letters, digits, '-', '_' or '.'", r->name, sizeof(t->name) - 1);
	else
		snprintf(t->name, sizeof(t->name), "%s", r->name);
	if (!r->platform)
		bad(c, FLD("platform"), "missing (see lvperf platforms)");
	else
		get_word(c, FLD("platform"), r->platform, platforms, t->platform, sizeof(t->platform));
	snprintf(t->workload, sizeof(t->workload), "beacon");
	get_word(c, FLD("workload"), r->workload, word_workload, t->workload, sizeof(t->workload));
	snprintf(t->net, sizeof(t->net), "direct");
	get_word(c, FLD("net"), r->net, word_net, t->net, sizeof(t->net));
	get_word(c, FLD("accel"), r->accel, word_accel, t->accel, sizeof(t->accel));
	if (r->server) {
		unsigned k;

		for (k = 0; k < n_servers && strcmp(servers[k].name, r->server); k++)
			;
		if (k == n_servers)
			bad(c, FLD("server"), "'%s' is not a key of servers:%s", r->server,
			    n_servers ? "" : " (there is no servers: map)");
		else
			snprintf(t->server, sizeof(t->server), "%s", r->server);
		/* Every metric but size goes over the cable: it needs both ends. */
		if (k < n_servers && (!servers[k].uplink[0] || !servers[k].port[0]) && r->metrics_count &&
		    !(r->metrics_count == 1 && strcmp(r->metrics[0], "size") == 0))
			bad(c, FLD("server"), "server '%s' needs uplink and port (this box's end of the cable) "
			    "for metrics measured over the wire", r->server);
	}
	/* On a server or in a host VM the agent spawns the target: its start
	 * is marked by remote-trigger (the default) or remote-request. */
	snprintf(t->start, sizeof(t->start), "%s",
		 r->server || r->host ? "remote-trigger" : "local-spawn");
	get_word(c, FLD("start"), r->start, word_start, t->start, sizeof(t->start));
	if (r->server && strcmp(t->start, "local-spawn") == 0)
		bad(c, FLD("start"), "a target on a server starts by remote-trigger (its start mark must be on "
		    "this box's clock)");
	if (!r->server && r->host && strcmp(t->start, "local-spawn") == 0)
		bad(c, FLD("start"),
		    "a target in a host VM starts by remote-trigger or remote-request (the "
		    "agent in the VM spawns it)");
	if (!r->server && !r->host && strcmp(t->start, "remote-request") == 0)
		bad(c, FLD("start"), "remote-request is for a target on a server (its agent spawns on request)");
	if (r->host) {
		struct hostvm_config hc;
		char e[200];

		if (r->server)
			bad(c, FLD("host"), "a target runs on a server or in a host VM, not both");
		if (!r->host->platform)
			bad(c, FLD("host.platform"), "missing (qemu)");
		else if (r->host->opts && strlen(r->host->opts) >= sizeof(t->host_opts))
			bad(c, FLD("host.opts"), "at most %zu characters", sizeof(t->host_opts) - 1);
		else if (hostvm_config_parse(r->host->platform, r->host->opts, &hc, e, sizeof(e)))
			bad(c, FLD(strncmp(e, "--host:", 7) == 0 ? "host.platform" : "host.opts"), "%s",
			    strchr(e, ' ') + 1);
		else {
			snprintf(t->host, sizeof(t->host), "%s", r->host->platform);
			snprintf(t->host_opts, sizeof(t->host_opts), "%s", r->host->opts ? r->host->opts : "");
		}
	}
	if (r->image) {
		if (strlen(r->image) >= sizeof(t->image) || !*r->image)
			bad(c, FLD("image"), "a path of 1-%zu characters", sizeof(t->image) - 1);
		else
			snprintf(t->image, sizeof(t->image), "%s", r->image);
	}
	for (unsigned k = 0; r->args && k < r->args_count; k++) {
		size_t used = 0;

		for (unsigned q = 0; q < t->n_args; q++)
			used += strlen(t->args[q]) + 1;
		if (!r->args[k] || used + strlen(r->args[k]) + 1 > sizeof(t->argbuf)) {
			char sub[64];

			snprintf(sub, sizeof(sub), "targets[%u].args[%u]", i, k);
			bad(c, sub, "the driver arguments are longer than %zu characters in all", sizeof(t->argbuf));
			break;
		}
		t->args[t->n_args] = t->argbuf + used;
		memcpy(t->argbuf + used, r->args[k], strlen(r->args[k]) + 1);
		t->n_args++;
	}
	if (!r->metrics || r->metrics_count == 0) {
		bad(c, FLD("metrics"), "missing or empty (a list of: startup, size, rtt, memory, http, kv)");
	} else {
		static const char *const names[] = { "startup", "size", "rtt", "memory", "http", "kv", NULL };

		for (unsigned k = 0; k < r->metrics_count; k++) {
			char sub[64];
			int m;

			snprintf(sub, sizeof(sub), "targets[%u].metrics[%u]", i, k);
			m = one_of(r->metrics[k], names);
			if (m < 0)
				bad(c, sub, "'%s' is not one of: startup, size, rtt, memory, http, kv", r->metrics[k]);
			else if (t->metrics & (1u << m))
				bad(c, sub, "%s appears twice", r->metrics[k]);
			else
				t->metrics |= 1u << m;
		}
	}
#undef FLD
}

static void check(struct checker *c, const struct raw_spec *r, struct spec *s, const char *const *platforms)
{
	uint64_t reps = 0;

	memset(s, 0, sizeof(*s));
	metric_defaults(s);
	if (!r->name)
		bad(c, "name", "missing (name the experiment)");
	else if (strlen(r->name) >= sizeof(s->name) || !*r->name)
		bad(c, "name", "must be 1-%zu characters", sizeof(s->name) - 1);
	else
		snprintf(s->name, sizeof(s->name), "%s", r->name);
	s->seed = 1;
	get_u64(c, "seed", r->seed, 0, 1ull << 53, &s->seed);
	if (r->repetitions) {
		get_u64(c, "repetitions", r->repetitions, 1, 100000, &reps);
		for (int i = 0; reps && i < SPEC_N_METRICS; i++)
			if (i != SPEC_SIZE)
				s->m[i].repetitions = reps;
	}
	s->random_order = 1;
	if (r->order) {
		char o[16] = "";

		get_word(c, "order", r->order, word_order, o, sizeof(o));
		s->random_order = strcmp(o, "sequential") != 0;
	}
	snprintf(s->port_kind, sizeof(s->port_kind), "af_xdp");
	get_word(c, "port", r->port, word_port, s->port_kind, sizeof(s->port_kind));
	if (r->cores) {
		if (strlen(r->cores) >= sizeof(s->cores) || strspn(r->cores, "0123456789,") != strlen(r->cores))
			bad(c, "cores", "'%s' is not [MAIN,]WORKER CPU numbers", r->cores);
		else
			snprintf(s->cores, sizeof(s->cores), "%s", r->cores);
	}
	for (int i = 0; i < SPEC_N_METRICS; i++)
		check_metric(c, i, r->m[i], &s->m[i]);
	check_servers(c, s);
	if (!r->targets || r->targets_count == 0) {
		bad(c, "targets", "missing (a list of targets, each with name, platform and metrics)");
		return;
	}
	s->n_targets = r->targets_count;
	for (unsigned i = 0; i < r->targets_count; i++) {
		check_target(c, i, &r->targets[i], &s->targets[i], platforms, s->servers, s->n_servers);
		for (unsigned j = 0; j < i; j++)
			if (s->targets[i].name[0] && strcmp(s->targets[i].name, s->targets[j].name) == 0) {
				char f[64];

				snprintf(f, sizeof(f), "targets[%u].name", i);
				bad(c, f, "'%s' is already the name of targets[%u] (line %u)", s->targets[i].name, j,
				    s->targets[j].line);
			}
	}
}

struct log_buf {
	char text[1024];
	size_t len;
};

static void cyaml_log_to_buf(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct log_buf *b = ctx;

	(void)level;
	if (b->len < sizeof(b->text) - 1)
		b->len += (size_t)vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, args);
	if (b->len > sizeof(b->text) - 1)
		b->len = sizeof(b->text) - 1;
}

int spec_load(const char *path, const char *const *platforms, struct spec *s, FILE *err)
{
	struct checker c = { .path = path, .err = err };
	struct log_buf lb = { .len = 0 };
	cyaml_config_t cfg = {
		.log_fn = cyaml_log_to_buf, .log_ctx = &lb, .mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR,
	};
	struct raw_spec *r = NULL;
	yaml_parser_t parser;
	cyaml_err_t e;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return 1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &c.doc)) {
		fprintf(err, "%s:%zu: not valid YAML: %s%s%s\n", path, parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
			parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return 1;
	}
	c.have_doc = 1;
	yaml_parser_delete(&parser);
	fclose(f);
	if (!yaml_document_get_root_node(&c.doc)) {
		fprintf(err, "%s:1: the file is empty (expected name, targets and metric sections)\n", path);
		yaml_document_delete(&c.doc);
		return 1;
	}
	walk(&c, yaml_document_get_root_node(&c.doc), &spec_schema, "");
	if (c.problems) {
		yaml_document_delete(&c.doc);
		return report(&c);
	}
	e = cyaml_load_file(path, &cfg, &spec_schema, (cyaml_data_t **)&r, NULL);
	if (e != CYAML_OK) {
		/* The walk above should have found it; say what libcyaml said. */
		char *nl = strchr(lb.text, '\n');

		if (nl)
			*nl = 0;
		fprintf(err, "%s: %s (%s)\n", path, cyaml_strerror(e), lb.len ? lb.text : "no detail");
		yaml_document_delete(&c.doc);
		return 1;
	}
	check(&c, r, s, platforms);
	cyaml_free(&cfg, &spec_schema, r, 0);
	yaml_document_delete(&c.doc);
	return report(&c);
}
