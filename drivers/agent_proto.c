/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "agent_proto.h"

#ifndef LVP_VERSION
#define LVP_VERSION "unknown"
#endif

void agent_reader_init(struct agent_reader *r, int fd)
{
	r->fd = fd;
	r->len = 0;
	r->discard = 0;
	r->pending = 0;
}

/* Take one line out of the buffer if there is one: 1 with *line, 0 none. */
static int reader_take(struct agent_reader *r, char **line, size_t *consumed)
{
	char *nl = memchr(r->buf, '\n', r->len);

	if (!nl)
		return 0;
	*nl = '\0';
	*line = r->buf;
	*consumed = (size_t)(nl - r->buf) + 1;
	return 1;
}

int agent_reader_line(struct agent_reader *r, int timeout_ms, char **line)
{
	struct pollfd pfd = {r->fd, POLLIN, 0};
	size_t used;
	ssize_t n;

	/* Drop the line returned by the previous call. */
	if (r->pending) {
		memmove(r->buf, r->buf + r->pending, r->len - r->pending);
		r->len -= r->pending;
		r->pending = 0;
	}
	for (;;) {
		if (r->discard) {
			char *nl = memchr(r->buf, '\n', r->len);

			if (nl) {
				used = (size_t)(nl - r->buf) + 1;
				memmove(r->buf, r->buf + used, r->len - used);
				r->len -= used;
				r->discard = 0;
				return -E2BIG;
			}
			r->len = 0;
		} else if (reader_take(r, line, &used)) {
			r->pending = used;
			return 1;
		} else if (r->len >= AGENT_PROTO_LINE_MAX) {
			r->discard = 1;
			r->len = 0;
			continue;
		}
		if (timeout_ms >= 0) {
			int p = poll(&pfd, 1, timeout_ms);

			if (p == 0)
				return -ETIMEDOUT;
			if (p < 0) {
				if (errno == EINTR)
					return -EINTR;
				return -errno;
			}
		}
		n = read(r->fd, r->buf + r->len, AGENT_PROTO_LINE_MAX - r->len);
		if (n < 0) {
			if (errno == EINTR)
				return -EINTR;
			return -errno;
		}
		if (n == 0) {
			if (r->discard || r->len) { /* a last line without newline: not a line */
				r->len = 0;
				r->discard = 0;
			}
			return 0;
		}
		r->len += (size_t)n;
	}
}

int agent_proto_send(int fd, const json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	size_t len, off = 0;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	if (len + 1 > AGENT_PROTO_LINE_MAX) {
		free(s);
		return -E2BIG;
	}
	s[len++] = '\n'; /* replaces the NUL; json_dumps allocates len + 1 */
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			free(s);
			return -e;
		}
		off += (size_t)n;
	}
	free(s);
	return 0;
}

static const char *json_type_name(json_type t)
{
	switch (t) {
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_OBJECT:
		return "an object";
	default:
		return "something else";
	}
}

int agent_proto_check(const json_t *req, const struct agent_field *fields, char *err, size_t len)
{
	const struct agent_field *f;
	const char *key;
	json_t *v;

	if (!json_is_object(req)) {
		snprintf(err, len, "a request is a JSON object");
		return -EINVAL;
	}
	json_object_foreach((json_t *)req, key, v)
	{
		if (!strcmp(key, "id") || !strcmp(key, "op"))
			continue;
		for (f = fields; f->name && strcmp(f->name, key); f++)
			;
		if (!f->name) {
			snprintf(err, len, "unknown field '%.64s'", key);
			return -EINVAL;
		}
		if (json_is_null(v))
			continue;
		if (f->type == JSON_TRUE ? !json_is_boolean(v) : json_typeof(v) != f->type) {
			snprintf(err, len, "field '%s' must be %s", key, json_type_name(f->type));
			return -EINVAL;
		}
		if (f->type == JSON_INTEGER &&
		    (json_integer_value(v) < 0 || json_integer_value(v) > (1ll << 53))) {
			snprintf(err, len, "field '%s' out of range [0, 2^53]", key);
			return -EINVAL;
		}
	}
	for (f = fields; f->name; f++) {
		v = json_object_get(req, f->name);
		if (f->required && (!v || json_is_null(v))) {
			snprintf(err, len, "field '%s' missing", f->name);
			return -EINVAL;
		}
	}
	return 0;
}

int agent_proto_hello_check(const json_t *hello, const char *peer, char *err, size_t len)
{
	json_t *p = json_object_get(hello, "proto");
	json_t *v = json_object_get(hello, "version");
	const char *vs = json_is_string(v) ? json_string_value(v) : "(none)";
	long long ps = json_is_integer(p) ? (long long)json_integer_value(p) : -1;

	if (ps == AGENT_PROTO_VERSION && json_is_string(v) && !strcmp(vs, LVP_VERSION))
		return 0;
	snprintf(
	    err, len,
	    "version mismatch: this side is lvperf %s (agent protocol %d), the %s is lvperf %.40s "
	    "(agent protocol %lld); install the same lvperf on both boxes",
	    LVP_VERSION, AGENT_PROTO_VERSION, peer, vs, ps);
	return -EPROTO;
}

json_t *agent_proto_error(json_int_t id, const char *msg)
{
	return json_pack("{s:o, s:b, s:s}", "id", id < 0 ? json_null() : json_integer(id), "ok", 0,
			 "error", msg);
}

json_t *agent_proto_ok(json_int_t id)
{
	return json_pack("{s:I, s:b}", "id", id, "ok", 1);
}

json_t *agent_proto_ip_json(uint32_t ip)
{
	char buf[16];

	return json_string(pkt_format_ip(ip, buf));
}

int agent_proto_ip(const json_t *v, uint32_t *ip)
{
	if (!json_is_string(v) || pkt_parse_ip(json_string_value(v), ip))
		return -EINVAL;
	return 0;
}
