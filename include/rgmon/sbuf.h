/* sbuf.h -- a growable string (after redis' sds, much smaller). The owner
 * frees buf with sbuf_release(); sbuf_printf never truncates. */
#ifndef RGMON_SBUF_H
#define RGMON_SBUF_H

#include "rgmon/common.h"

struct sbuf {
	char *buf;
	size_t len, cap;
	bool oom; /* an allocation failed; contents are incomplete */
};

void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);
void sbuf_append(struct sbuf *sb, const char *data, size_t len);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...) RG_PRINTF(2, 3);

#endif
