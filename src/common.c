/* common.c -- the two helpers common.h declares for every module: the
 * error-buffer writer and a bounded string copy. Kept apart from log.c so
 * the pure modules (event, policy, engine, ...) use them without linking
 * the logger, which writes to stderr and keeps a global level. */
#include "rgmon/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

size_t rg_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);
	if (dstlen) {
		size_t c = n < dstlen ? n : dstlen - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
