/* canon.c -- canonical JSON (canon.h; schemas/audit-export.md). Pure: no
 * I/O, no state. */
#include "rgmon/canon.h"
#include "rgmon/sbuf.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0: no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static bool put_string(struct sbuf *sb, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	sbuf_append(sb, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t run = i;
		/* Copy a run that needs no escape in one go. */
		while (run < n && s[run] >= 0x20 && s[run] != '"' && s[run] != '\\') {
			size_t len = utf8_sequence(s + run, n - run);
			if (len == 0)
				return false;
			run += len;
		}
		if (run > i)
			sbuf_append(sb, str + i, run - i);
		if (run == n)
			break;
		char esc[7] = { '\\', 0 };
		size_t elen = 2;
		switch (s[run]) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default: /* the other controls: \u00XX, capital hex digits */
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[s[run] >> 4];
			esc[5] = hex[s[run] & 0xf];
			elen = 6;
		}
		sbuf_append(sb, esc, elen);
		i = run + 1;
	}
	sbuf_append(sb, "\"", 1);
	return true;
}

static int compare_keys(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: UTF-8 byte order, which is code
	 * point order. */
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool put_value(struct sbuf *sb, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t cap = json_object_size(v), n = 0, i;
		const char **keys = malloc((cap + 1) * sizeof(*keys));
		const char *key;
		json_t *member;
		bool ok = true;
		if (!keys)
			return false;
		/* json_object_foreach wants a non-const object; it reads only. */
		json_object_foreach((json_t *)v, key, member) {
			if (n < cap)
				keys[n++] = key;
		}
		qsort(keys, n, sizeof(*keys), compare_keys);
		sbuf_append(sb, "{", 1);
		for (i = 0; i < n && ok; i++) {
			if (i)
				sbuf_append(sb, ",", 1);
			ok = put_string(sb, keys[i], strlen(keys[i]));
			sbuf_append(sb, ":", 1);
			ok = ok && put_value(sb, json_object_get(v, keys[i]));
		}
		sbuf_append(sb, "}", 1);
		free(keys);
		return ok;
	}
	case JSON_ARRAY: {
		bool ok = true;
		sbuf_append(sb, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && ok; i++) {
			if (i)
				sbuf_append(sb, ",", 1);
			ok = put_value(sb, json_array_get(v, i));
		}
		sbuf_append(sb, "]", 1);
		return ok;
	}
	case JSON_STRING:
		return put_string(sb, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		sbuf_printf(sb, "%lld", (long long)json_integer_value(v));
		return true;
	case JSON_TRUE:
		sbuf_append(sb, "true", 4);
		return true;
	case JSON_FALSE:
		sbuf_append(sb, "false", 5);
		return true;
	case JSON_NULL:
		sbuf_append(sb, "null", 4);
		return true;
	case JSON_REAL:
	default:
		return false;
	}
}

char *canon_json(const json_t *v)
{
	struct sbuf sb;
	sbuf_init(&sb);
	if (!v || !put_value(&sb, v) || sb.oom) {
		sbuf_release(&sb);
		return NULL;
	}
	if (!sb.buf) /* cannot happen: every value writes something */
		return NULL;
	return sb.buf;
}
