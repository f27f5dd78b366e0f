/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"

#include <errno.h>
#include <stdio.h>

/* Dotted quad only: four decimal parts 0-255, no leading zeros (octal). */
int pkt_parse_ip(const char *s, uint32_t *ip)
{
	uint32_t addr = 0;

	if (!s)
		return -EINVAL;
	for (int part = 0; part < 4; part++) {
		uint32_t v = 0;
		int digits = 0;

		if (part > 0 && *s++ != '.')
			return -EINVAL;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (uint32_t)(*s - '0');
			s++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-digits] == '0'))
			return -EINVAL;
		addr = addr << 8 | v;
	}
	if (*s != '\0')
		return -EINVAL;
	*ip = addr;
	return 0;
}

char *pkt_format_ip(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 0xff),
		 (unsigned)(ip >> 8 & 0xff), (unsigned)(ip & 0xff));
	return buf;
}

char *pkt_format_mac(const uint8_t mac[PKT_ETH_ALEN], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
