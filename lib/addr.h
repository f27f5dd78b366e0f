/* SPDX-License-Identifier: BSD-3-Clause
 * IPv4 and MAC addresses as text: the one grammar the dataplane, the
 * drivers and the command line share.
 */
#ifndef LVP_ADDR_H
#define LVP_ADDR_H

#include <stdint.h>

#define PKT_ETH_ALEN 6

/* Parse "a.b.c.d" into a host-order address. Returns 0 or -EINVAL. */
int pkt_parse_ip(const char *s, uint32_t *ip);

/* Format a host-order address into buf (at least 16 bytes); returns buf. */
char *pkt_format_ip(uint32_t ip, char *buf);

/* Format a MAC as aa:bb:cc:dd:ee:ff into buf (at least 18 bytes). */
char *pkt_format_mac(const uint8_t mac[PKT_ETH_ALEN], char *buf);

#endif
