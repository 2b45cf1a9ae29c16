/* sbuf.c -- growable string. */
#include "rgmon/sbuf.h"

#include <stdarg.h>

void sbuf_init(struct sbuf *sb) { memset(sb, 0, sizeof(*sb)); }

void sbuf_release(struct sbuf *sb)
{
	free(sb->buf);
	sbuf_init(sb);
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = sb->cap - sb->len;
		va_start(ap, fmt);
		int n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->oom = true;
			return;
		}
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap * 2 : 1024;
		while (cap - sb->len <= (size_t)n)
			cap *= 2;
		char *p = realloc(sb->buf, cap);
		if (!p) {
			sb->oom = true;
			return;
		}
		sb->buf = p;
		sb->cap = cap;
	}
}

void sbuf_append(struct sbuf *sb, const char *data, size_t len)
{
	if (sb->cap - sb->len <= len) {
		size_t cap = sb->cap ? sb->cap : 1024;
		while (cap - sb->len <= len)
			cap *= 2;
		char *p = realloc(sb->buf, cap);
		if (!p) {
			sb->oom = true;
			return;
		}
		sb->buf = p;
		sb->cap = cap;
	}
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}
