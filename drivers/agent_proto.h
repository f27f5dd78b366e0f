/* SPDX-License-Identifier: BSD-3-Clause
 * The agent protocol: what lvperf (the appliance, drivers/remote.c) and
 * lvperf-agent (the test server, app/agent.c) say to each other over the
 * stdin/stdout of `ssh HOST lvperf agent`. One JSON object per line, at
 * most AGENT_PROTO_LINE_MAX bytes with the newline. Requests are
 * {"id":N,"op":"NAME",...}; replies {"id":N,"ok":true,...} or
 * {"id":N,"ok":false,"error":"one line"}. The first exchange is "hello"
 * carrying AGENT_PROTO_VERSION and LVP_VERSION; both must match.
 * The ops and their fields are listed in docs/remote.md.
 */
#ifndef LVP_AGENT_PROTO_H
#define LVP_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define AGENT_PROTO_VERSION  1
#define AGENT_PROTO_LINE_MAX 65536
#define AGENT_PROTO_ERR_LEN  256

/* A buffered line reader on one descriptor. */
struct agent_reader {
	int fd;
	size_t len;	/* bytes in buf */
	size_t pending; /* bytes of the line handed out last */
	int discard;	/* inside an oversize line: drop bytes to the newline */
	char buf[AGENT_PROTO_LINE_MAX + 1];
};

/* Start reading lines from fd. */
void agent_reader_init(struct agent_reader *r, int fd);

/*
 * The next line from r, without its newline and NUL-terminated, in *line
 * (valid until the next call). timeout_ms < 0 waits for ever. Returns 1
 * with a line, 0 at end of file, -E2BIG for a line longer than
 * AGENT_PROTO_LINE_MAX (its bytes are dropped up to its newline, so the
 * next call reads the line after it), -ETIMEDOUT, or -errno.
 */
int agent_reader_line(struct agent_reader *r, int timeout_ms, char **line);

/* Write msg as one line to fd (compact JSON and a newline); msg is not
 * consumed. Returns 0, -E2BIG when it is longer than a line, or -errno. */
int agent_proto_send(int fd, const json_t *msg);

/* One field a request may carry: its name, its JSON type, and whether the
 * request is invalid without it. */
struct agent_field {
	const char *name;
	json_type type; /* JSON_STRING, JSON_INTEGER, JSON_TRUE (any boolean), JSON_OBJECT */
	int required;
};

/*
 * Check request req against fields (NULL-name-terminated; "id" and "op"
 * are always allowed): every member must be listed, of its type (null
 * counts as absent), and every required one present. Integers must lie in
 * [0, 2^53]. Returns 0, or -EINVAL with one line in err naming the field.
 */
int agent_proto_check(const json_t *req, const struct agent_field *fields, char *err, size_t len);

/*
 * Check a hello (request or reply) against this build: proto must be
 * AGENT_PROTO_VERSION and version LVP_VERSION. Returns 0, or -EPROTO with
 * one line in err naming both sides' versions (peer names the other side:
 * "agent", "appliance").
 */
int agent_proto_hello_check(const json_t *hello, const char *peer, char *err, size_t len);

/* The error reply to request id (id < 0: the request had none):
 * {"id":id,"ok":false,"error":msg}. New reference. */
json_t *agent_proto_error(json_int_t id, const char *msg);

/* An empty success reply to id: {"id":id,"ok":true}. New reference. */
json_t *agent_proto_ok(json_int_t id);

/* A dotted IPv4 address (host order) as a JSON string, and back:
 * agent_proto_ip returns 0 or -EINVAL. */
json_t *agent_proto_ip_json(uint32_t ip);
int agent_proto_ip(const json_t *v, uint32_t *ip);

#endif
