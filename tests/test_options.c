/* SPDX-License-Identifier: BSD-3-Clause
 * The option table parser and the shared unit parsers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

struct cfg {
	uint64_t count;
	uint64_t interval;
	const char *port;
	int json;
	struct opt_cidr ip;
	uint32_t target;
};

static const struct opt_def defs[] = {
	{ "count", OPT_U64, offsetof(struct cfg, count), 1, 1000, "10", "N", "count" },
	{ "interval", OPT_DURATION, offsetof(struct cfg, interval), 1000, 0, "1ms", "DUR", "interval" },
	{ "port", OPT_STR, offsetof(struct cfg, port), 0, 0, NULL, "SPEC", "port" },
	{ "json", OPT_FLAG, offsetof(struct cfg, json), 0, 0, NULL, NULL, "json" },
	{ "ip", OPT_IPV4_CIDR, offsetof(struct cfg, ip), 0, 0, NULL, "CIDR", "ip" },
	{ "target", OPT_IPV4, offsetof(struct cfg, target), 0, 0, NULL, "IP", "target" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static void test_durations(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(opt_parse_duration_ns("100us", &v, NULL), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(opt_parse_duration_ns("1.5s", &v, NULL), 0);
	assert_int_equal(v, 1500000000ull);
	assert_int_equal(opt_parse_duration_ns("2m", &v, NULL), 0);
	assert_int_equal(v, 120000000000ull);
	assert_int_equal(opt_parse_duration_ns("250ns", &v, NULL), 0);
	assert_int_equal(v, 250);
	assert_int_equal(opt_parse_duration_ns("3", &v, NULL), 0);
	assert_int_equal(v, 3000000000ull);
	assert_int_equal(opt_parse_duration_ns("10xs", &v, NULL), -EINVAL);
	assert_int_equal(opt_parse_duration_ns("-1s", &v, NULL), -EINVAL);
	assert_int_equal(opt_parse_duration_ns("", &v, NULL), -EINVAL);
	assert_int_equal(opt_parse_duration_ns("ms", &v, NULL), -EINVAL);
}

static void test_counts_and_cidr(void **state)
{
	struct opt_cidr c;
	uint64_t v;

	(void)state;
	assert_int_equal(opt_parse_u64("2k", &v, NULL), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(opt_parse_u64("1.5M", &v, NULL), 0);
	assert_int_equal(v, 1500000);
	assert_int_equal(opt_parse_u64("1.5", &v, NULL), -EINVAL);
	assert_int_equal(opt_parse_u64("7q", &v, NULL), -EINVAL);
	assert_int_equal(opt_parse_cidr("10.1.2.3/16", &c), 0);
	assert_int_equal(c.ip, 0x0a010203);
	assert_int_equal(c.prefix_len, 16);
	assert_int_equal(opt_parse_cidr("10.1.2.3", &c), 0);
	assert_int_equal(c.prefix_len, 24);
	assert_int_equal(opt_parse_cidr("10.1.2.3/33", &c), -EINVAL);
	assert_int_equal(opt_parse_cidr("10.1.2/8", &c), -EINVAL);
}

/*
 * Regression: values the parsers accepted and should not. strtod took
 * "nan", "inf" and hexadecimal; durations past 2^63 ns were cast; counts
 * above 2^53 went through a double and came back rounded. Each is refused
 * with its own reason.
 */
static void refused(int (*parse)(const char *, uint64_t *, const char **), const char *s,
		    const char *reason)
{
	const char *why = NULL;
	uint64_t v = 12345;

	if (parse(s, &v, &why) != -EINVAL)
		fail_msg("'%s' was accepted as %llu", s, (unsigned long long)v);
	if (!why || !strstr(why, reason))
		fail_msg("'%s': reason '%s', want one with '%s'", s, why ? why : "(none)", reason);
	assert_int_equal(v, 12345);
}

static void test_refused_values(void **state)
{
	uint64_t v;

	(void)state;
	refused(opt_parse_duration_ns, "nan", "finite");
	refused(opt_parse_duration_ns, "nanms", "finite");
	refused(opt_parse_duration_ns, "inf", "finite");
	refused(opt_parse_duration_ns, "Infinity", "finite");
	refused(opt_parse_duration_ns, "0x10", "hexadecimal");
	refused(opt_parse_duration_ns, "0x1p4s", "hexadecimal");
	refused(opt_parse_duration_ns, "-5ms", "negative");
	refused(opt_parse_duration_ns, "9223372036854775808ns", "2^63");
	refused(opt_parse_duration_ns, "9223372037s", "2^63");
	refused(opt_parse_duration_ns, "1e3ms", "unit");
	refused(opt_parse_duration_ns, "1.5ns", "whole number of nanoseconds");
	refused(opt_parse_duration_ns, "", "empty");
	refused(opt_parse_u64, "nan", "finite");
	refused(opt_parse_u64, "inf", "finite");
	refused(opt_parse_u64, "0x10", "hexadecimal");
	refused(opt_parse_u64, "-1", "negative");
	refused(opt_parse_u64, "9007199254740993", "2^53");
	refused(opt_parse_u64, "18446744073709551615", "2^53");
	refused(opt_parse_u64, "99999999999999999999999", "2^53");
	refused(opt_parse_u64, "10G0", "suffix");
	refused(opt_parse_u64, "1.5", "whole number");
	/* The largest of each still parse, exactly. */
	assert_int_equal(opt_parse_u64("9007199254740992", &v, NULL), 0);
	assert_true(v == 9007199254740992ull);
	assert_int_equal(opt_parse_duration_ns("9223372036854775807ns", &v, NULL), 0);
	assert_true(v == 9223372036854775807ull);
	assert_int_equal(opt_parse_duration_ns("0.000000001s", &v, NULL), 0);
	assert_int_equal(v, 1);
	assert_int_equal(opt_parse_duration_ns("2.5us", &v, NULL), 0);
	assert_int_equal(v, 2500);
}

static void test_table(void **state)
{
	char *argv[] = { "--count", "2k", "--port=af_xdp:lvp0", "--json", "--ip", "10.0.0.1/24",
			 "--target", "10.0.0.2", "--", "cmd", "arg" };
	char *bad_range[] = { "--count", "0" };
	char *unknown[] = { "--nope" };
	char *missing[] = { "--port" };
	struct cfg c;
	int rest;

	(void)state;
	memset(&c, 0, sizeof(c));
	/* 2k is above the bound of 1000 */
	assert_int_equal(opt_parse("t", "", defs, &c, 11, argv, &rest), -EINVAL);
	argv[1] = "500";
	memset(&c, 0, sizeof(c));
	assert_int_equal(opt_parse("t", "", defs, &c, 11, argv, &rest), 0);
	assert_int_equal(c.count, 500);
	assert_int_equal(c.interval, 1000000); /* default applied */
	assert_string_equal(c.port, "af_xdp:lvp0");
	assert_int_equal(c.json, 1);
	assert_int_equal(c.ip.ip, 0x0a000001);
	assert_int_equal(c.target, 0x0a000002);
	assert_int_equal(rest, 9);
	assert_string_equal(argv[rest], "cmd");
	assert_int_equal(opt_parse("t", "", defs, &c, 2, bad_range, &rest), -EINVAL);
	assert_int_equal(opt_parse("t", "", defs, &c, 1, unknown, &rest), -EINVAL);
	assert_int_equal(opt_parse("t", "", defs, &c, 1, missing, &rest), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_counts_and_cidr),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
