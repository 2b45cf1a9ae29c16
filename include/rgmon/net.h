/* net.h -- address helpers shared by the broker forwarder and the HTTP
 * server. */
#ifndef RGMON_NET_H
#define RGMON_NET_H

#include "rgmon/common.h"

/* Splits "host:port" or "[v6]:port" at the last colon. port must be a
 * decimal 0..65535. Returns 0, or -1 when malformed. */
int net_split_hostport(const char *s, char *host, size_t hostlen, int *port);

#endif
