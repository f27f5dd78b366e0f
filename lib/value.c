/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "value.h"

#define OPT_DIGITS_MAX 30 /* 10^30 * 60e9 still fits in 128 bits */
#define OPT_COUNT_MAX (1ull << 53)
#define OPT_NS_MAX ((uint64_t)INT64_MAX)

static int opt_refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

/*
 * The number at the start of s, read exactly as a decimal: digits, an
 * optional point and more digits; no sign, exponent, hexadecimal, nan or
 * inf (strtod takes all of those). *mant holds every digit, *frac how many
 * came after the point, *end the first character after the number.
 */
static int opt_decimal(const char *s, unsigned __int128 *mant, unsigned *frac, const char **end,
		       const char **why)
{
	unsigned digits = 0, point = 0;

	if (!s || !*s)
		return opt_refuse(why, "empty");
	if (*s == '-')
		return opt_refuse(why, "negative");
	if (strncasecmp(s, "nan", 3) == 0 || strncasecmp(s, "inf", 3) == 0)
		return opt_refuse(why, "not a finite number");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return opt_refuse(why, "hexadecimal; write it in decimal");
	*mant = 0;
	*frac = 0;
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && !point); s++) {
		if (*s == '.') {
			point = 1;
			continue;
		}
		if (++digits > OPT_DIGITS_MAX)
			return opt_refuse(why, "too many digits");
		*mant = *mant * 10 + (unsigned)(*s - '0');
		*frac += point;
	}
	if (!digits)
		return opt_refuse(why, "not a number");
	*end = s;
	return 0;
}

/* mant / 10^frac * mul, when that is a whole number not above max. */
static int opt_scale(unsigned __int128 mant, unsigned frac, uint64_t mul, uint64_t max, uint64_t *out,
		     const char *fraction_why, const char *max_why, const char **why)
{
	unsigned __int128 v = mant * mul, p = 1;

	while (frac--)
		p *= 10;
	if (v % p)
		return opt_refuse(why, fraction_why);
	v /= p;
	if (v > max)
		return opt_refuse(why, max_why);
	*out = (uint64_t)v;
	return 0;
}

int opt_parse_u64(const char *s, uint64_t *out, const char **why)
{
	unsigned __int128 mant;
	unsigned frac;
	const char *end;
	uint64_t mul = 1;
	int rc = opt_decimal(s, &mant, &frac, &end, why);

	if (rc)
		return rc;
	if (*end == 'k' || *end == 'K')
		mul = 1000, end++;
	else if (*end == 'M')
		mul = 1000000, end++;
	else if (*end == 'G')
		mul = 1000000000, end++;
	if (*end)
		return opt_refuse(why, "unknown suffix (k, M or G)");
	return opt_scale(mant, frac, mul, OPT_COUNT_MAX, out, "not a whole number",
			 "above 2^53 = 9007199254740992, where doubles skip whole numbers", why);
}

int opt_parse_duration_ns(const char *s, uint64_t *out, const char **why)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = { { "ns", 1 },		{ "us", 1000 }, { "ms", 1000000 },
		      { "s", 1000000000 },	{ "m", 60000000000ull }, { "", 1000000000 } };
	unsigned __int128 mant;
	unsigned frac;
	const char *end;
	size_t i;
	int rc = opt_decimal(s, &mant, &frac, &end, why);

	if (rc)
		return rc;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0)
			return opt_scale(mant, frac, units[i].ns, OPT_NS_MAX, out,
					 "not a whole number of nanoseconds",
					 "past 2^63 ns (292 years)", why);
	return opt_refuse(why, "unknown unit (ns, us, ms, s or m)");
}

int opt_parse_cidr(const char *s, struct opt_cidr *out)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t len = 24;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (pkt_parse_ip(buf, &out->ip))
		return -EINVAL;
	if (slash && (opt_parse_u64(slash + 1, &len, NULL) || len < 1 || len > 32))
		return -EINVAL;
	out->prefix_len = (uint8_t)len;
	return 0;
}
