/* SPDX-License-Identifier: BSD-3-Clause
 * The value grammar shared by the command line, the spec files and the
 * drivers: counts, durations and IPv4 prefixes.
 */
#ifndef LVP_VALUE_H
#define LVP_VALUE_H

#include <stdint.h>

struct opt_cidr {
	uint32_t ip;
	uint8_t prefix_len;
};

/*
 * Shared unit parsers. Numbers are read as exact decimals (digits, an
 * optional fraction); a sign, exponent, hexadecimal, nan and inf are
 * refused. opt_parse_u64: a whole count, optional k/M/G (1000s), at most
 * 2^53 (the largest a double, so JSON and the statistics, holds exactly).
 * opt_parse_duration_ns: ns, us, ms, s, m (bare number: s), a whole number
 * of ns below 2^63. Each returns 0 with *out set, or -EINVAL with *why (if
 * why is not NULL) set to a static phrase naming the problem ("negative",
 * "hexadecimal; write it in decimal", "past 2^63 ns (292 years)", ...).
 */
int opt_parse_u64(const char *s, uint64_t *out, const char **why);
int opt_parse_duration_ns(const char *s, uint64_t *out, const char **why);
/* "a.b.c.d[/len]" (len 1-32, default 24). Returns 0 or -EINVAL. */
int opt_parse_cidr(const char *s, struct opt_cidr *out);

#endif
