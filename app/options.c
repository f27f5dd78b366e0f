/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "options.h"

static const char *opt_expect(enum opt_kind kind)
{
	switch (kind) {
	case OPT_U64: return "a count such as 1000 or 2k";
	case OPT_DURATION: return "a duration such as 100us, 1.5s or 2m";
	case OPT_IPV4: return "an IPv4 address such as 10.0.0.2";
	case OPT_IPV4_CIDR: return "an IPv4 address with prefix such as 10.0.0.1/24";
	default: return "a value";
	}
}

static int opt_set(const char *cmd, const struct opt_def *d, void *cfg, const char *val)
{
	char *field = (char *)cfg + d->offset;
	const char *why = NULL;
	uint64_t v;
	int rc = 0;

	switch (d->kind) {
	case OPT_FLAG:
		*(int *)field = 1;
		return 0;
	case OPT_STR:
		*(const char **)field = val;
		return 0;
	case OPT_U64:
	case OPT_DURATION:
		rc = d->kind == OPT_U64 ? opt_parse_u64(val, &v, &why) : opt_parse_duration_ns(val, &v, &why);
		if (rc == 0 && (v < d->min || (d->max && v > d->max))) {
			fprintf(stderr, "lvperf %s: --%s %s is out of range [%" PRIu64 ", %" PRIu64 "]%s\n",
				cmd, d->name, val, d->min, d->max,
				d->kind == OPT_DURATION ? " ns" : "");
			return -EINVAL;
		}
		if (rc == 0)
			*(uint64_t *)field = v;
		break;
	case OPT_IPV4:
		rc = pkt_parse_ip(val, (uint32_t *)field);
		break;
	case OPT_IPV4_CIDR:
		rc = opt_parse_cidr(val, (struct opt_cidr *)field);
		break;
	}
	if (rc)
		fprintf(stderr, "lvperf %s: --%s '%s': %s%sexpected %s\n", cmd, d->name, val, why ? why : "",
			why ? "; " : "", opt_expect(d->kind));
	return rc ? -EINVAL : 0;
}

/* The short options every command shares, each the first row of its
 * names that the command's table has (-n: --count, else --repeat). */
static const struct {
	char letter;
	const char *names[2];
} opt_shorts[] = {
	{ 'p', { "port", NULL } },
	{ 'c', { "connections", NULL } },
	{ 'd', { "duration", NULL } },
	{ 'n', { "count", "repeat" } },
	{ 'j', { "json", NULL } },
};

static const struct opt_def *opt_find(const struct opt_def *defs, const char *name, size_t nlen)
{
	const struct opt_def *d;

	for (d = defs; d->name; d++)
		if (strlen(d->name) == nlen && strncmp(d->name, name, nlen) == 0)
			return d;
	return NULL;
}

const struct opt_def *opt_short(const struct opt_def *defs, char letter)
{
	const struct opt_def *d;
	size_t i, j;

	for (i = 0; i < sizeof(opt_shorts) / sizeof(opt_shorts[0]); i++) {
		if (opt_shorts[i].letter != letter)
			continue;
		for (j = 0; j < 2 && opt_shorts[i].names[j]; j++)
			if ((d = opt_find(defs, opt_shorts[i].names[j], strlen(opt_shorts[i].names[j]))))
				return d;
	}
	return NULL;
}

/* The letter of d's short option, or 0. */
static char opt_letter(const struct opt_def *defs, const struct opt_def *d)
{
	size_t i;

	for (i = 0; i < sizeof(opt_shorts) / sizeof(opt_shorts[0]); i++)
		if (opt_short(defs, opt_shorts[i].letter) == d)
			return opt_shorts[i].letter;
	return 0;
}

int opt_is_help(const char *arg)
{
	return arg && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}

void opt_usage(FILE *out, const char *cmd, const char *synopsis, const struct opt_def *defs)
{
	const struct opt_def *d;

	fprintf(out, "usage: lvperf %s %s\n\noptions:\n", cmd, synopsis);
	fprintf(out, "  %-26s %s\n", "-h, --help", "this help on stdout");
	for (d = defs; d->name; d++) {
		char left[64], letter = opt_letter(defs, d), shortname[5] = "";

		if (letter)
			snprintf(shortname, sizeof(shortname), "-%c, ", letter);
		snprintf(left, sizeof(left), "%s--%s%s%s", shortname, d->name, d->metavar ? " " : "",
			 d->metavar ? d->metavar : "");
		fprintf(out, "  %-26s %s", left, d->help);
		if (d->def)
			fprintf(out, " (default %s)", d->def);
		fputc('\n', out);
	}
}

int opt_parse(const char *cmd, const char *synopsis, const struct opt_def *defs, void *cfg,
	      int argc, char **argv, int *rest)
{
	const struct opt_def *d;
	int i;

	for (d = defs; d->name; d++)
		if (d->def && opt_set(cmd, d, cfg, d->def))
			return -EINVAL; /* a bad default is a bug; say so loudly */

	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		size_t nlen = 0;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (opt_is_help(arg)) {
			opt_usage(stdout, cmd, synopsis, defs);
			return 1;
		}
		if (arg[0] == '-' && arg[1] && arg[1] != '-' && !arg[2]) {
			d = opt_short(defs, arg[1]);
			if (!d) {
				fprintf(stderr, "lvperf %s: unknown option %s (see lvperf %s --help)\n", cmd, arg,
					cmd);
				return -EINVAL;
			}
			eq = NULL;
		} else if (strncmp(arg, "--", 2) != 0) {
			break;
		} else {
			arg += 2;
			eq = strchr(arg, '=');
			nlen = eq ? (size_t)(eq - arg) : strlen(arg);
			d = opt_find(defs, arg, nlen);
		}
		if (!d) {
			fprintf(stderr, "lvperf %s: unknown option --%.*s (see lvperf %s --help)\n", cmd,
				(int)nlen, arg, cmd);
			return -EINVAL;
		}
		if (d->kind == OPT_FLAG) {
			if (eq) {
				fprintf(stderr, "lvperf %s: --%s takes no value\n", cmd, d->name);
				return -EINVAL;
			}
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "lvperf %s: --%s needs %s\n", cmd, d->name, opt_expect(d->kind));
			return -EINVAL;
		}
		if (opt_set(cmd, d, cfg, val))
			return -EINVAL;
	}
	*rest = i;
	return 0;
}
