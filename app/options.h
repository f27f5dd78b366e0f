/* SPDX-License-Identifier: BSD-3-Clause
 * Table-driven command-line options: one row per setting (name, parser,
 * bounds, default, help). Usage text is generated from the table.
 */
#ifndef LVP_OPTIONS_H
#define LVP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "value.h"

enum opt_kind {
	OPT_FLAG,	/* int, set to 1 when present */
	OPT_STR,	/* const char *, points into argv */
	OPT_U64,	/* uint64_t, accepts k/M/G suffixes (1000s), at most 2^53 */
	OPT_DURATION,	/* uint64_t nanoseconds: ns, us, ms, s, m; bare number = s */
	OPT_IPV4,	/* uint32_t host order */
	OPT_IPV4_CIDR,	/* struct opt_cidr */
};

struct opt_def {
	const char *name;  /* long name without dashes */
	enum opt_kind kind;
	size_t offset;	   /* offsetof() into the command's config struct */
	uint64_t min, max; /* bounds for OPT_U64/OPT_DURATION (max 0: none) */
	const char *def;   /* default, parsed like user input; NULL: none */
	const char *metavar;
	const char *help;
};

/*
 * Apply the defaults of defs to cfg, then parse argv[0..argc) ("--name
 * value" or "--name=value"). Parsing stops at "--" or at the first
 * non-option; *rest is set to its index. On error prints one line to
 * stderr naming the option and what was expected, and returns -EINVAL.
 * "-h" or "--help" prints usage on stdout and returns 1. A short option
 * (opt_short) stands for its long one and takes its value as the next
 * argument; an unknown one is an error.
 */
int opt_parse(const char *cmd, const char *synopsis, const struct opt_def *defs, void *cfg,
	      int argc, char **argv, int *rest);

/* 1 when arg asks for help (-h or --help), else 0; NULL is 0. */
int opt_is_help(const char *arg);

/* The row of defs that the shared short option -letter stands for (-p
 * --port, -c --connections, -d --duration, -n --count or --repeat, -j
 * --json), or NULL when defs has none. */
const struct opt_def *opt_short(const struct opt_def *defs, char letter);

/* Print usage generated from the table (short options included) to out. */
void opt_usage(FILE *out, const char *cmd, const char *synopsis, const struct opt_def *defs);

#endif
