/* SPDX-License-Identifier: BSD-3-Clause
 * A stateless HTTP responder inside the dataplane, the far end of the ring
 * pair when lvperf measures its own generator headroom: an infinitely fast
 * server. It keeps no connection state. A SYN gets a SYN-ACK whose ISN is
 * a hash of the 4-tuple; a data segment gets one canned 200 response per
 * request it carries ("\r\n\r\n"), sent at the sequence number the client
 * acknowledged; a FIN gets FIN-ACK. This is only correct on a lossless
 * in-process link, which is where it is used.
 */
#ifndef LVP_RESPONDER_H
#define LVP_RESPONDER_H

#include <stdint.h>

#include "netif.h"

/* Answer one TCP frame addressed to nif (takes ownership of m). */
void responder_input(struct netif *nif, struct rte_mbuf *m, const struct pkt_info *pi);

#endif
