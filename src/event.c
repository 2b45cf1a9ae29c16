/* event.c -- JSON bytes -> struct event, with the contract's validation
 * (DESIGN 1.1). Each event type is a row in `event_types`, listing its
 * fields; a field's kind says how it is checked. The first problem found is
 * the reject reason. */
#include "rgmon/event.h"
#include "rgmon/timestamp.h"

#include <jansson.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[EVENT_TYPE_COUNT] = {
	"deposit", "withdrawal", "game_round", "session_start", "session_end",
	"limit_set", "self_exclusion", "account", "contact",
};
static const char *const deposit_status_names[] = { "approved", "declined", NULL };
static const char *const withdrawal_status_names[] = { "requested", "cancelled", "completed", NULL };
static const char *const limit_names[] = { "deposit", "loss", "session_time", NULL };
static const char *const period_names[] = { "day", "week", "month", NULL };
static const char *const source_names[] = { "player", "operator", "register", NULL };
static const char *const channel_names[] = { "chat", "email", "phone", NULL };
static const char *const topic_names[] = { "bonus_request", "withdrawal_delay", "complaint",
					   "rg_question", "other", NULL };
static const char *const game_category_names[GAME_CATEGORY_COUNT + 1] = {
	"slots", "table", "live_casino", "sports", "poker", "bingo", "lottery", "other", NULL,
};
static const char *const instrument_type_names[INSTRUMENT_TYPE_COUNT + 1] = {
	"debit_card", "credit_card", "bank_transfer", "e_wallet", "prepaid", "crypto", "other", NULL,
};

/* ISO 639-1: every two-letter code, sorted (bsearch). The list of Debian's
 * iso-codes (iso_639-2.json, the entries with an alpha_2), 184 codes. */
static const char iso639_1[][3] = {
	"aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
	"bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
	"de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
	"fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
	"ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
	"kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
	"lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
	"nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
	"pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
	"sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
	"tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
	"wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
};

const char *event_type_name(enum event_type t) { return t < EVENT_TYPE_COUNT ? type_names[t] : "?"; }
const char *limit_kind_name(enum limit_kind k) { return k < LIMIT_KIND_COUNT ? limit_names[k] : "?"; }
const char *limit_period_name(enum limit_period p) { return p < PERIOD_COUNT ? period_names[p] : "?"; }
const char *game_category_name(enum game_category g)
{
	return g < GAME_CATEGORY_COUNT ? game_category_names[g] : "?";
}
const char *instrument_type_name(enum instrument_type t)
{
	return t < INSTRUMENT_TYPE_COUNT ? instrument_type_names[t] : "?";
}

static int language_cmp(const void *key, const void *elem)
{
	return memcmp(key, elem, 2);
}

static bool language_ok(const char *s, size_t len)
{
	return len == 2 && bsearch(s, iso639_1, ARRAY_SIZE(iso639_1), sizeof(iso639_1[0]), language_cmp) != NULL;
}

bool event_language_valid(const char *s) { return language_ok(s, strlen(s)); }

int event_contact_topic_parse(const char *s)
{
	for (int i = 0; s && topic_names[i]; i++)
		if (strcmp(s, topic_names[i]) == 0)
			return i;
	return -1;
}

enum field_kind {
	FIELD_INT,      /* integer in [min, max] -> int64_t or int32_t (size) */
	FIELD_CURRENCY, /* [A-Z]{3} -> char[4] */
	FIELD_COUNTRY,  /* [A-Z]{2} -> char[3] */
	FIELD_ENUM,     /* one of names -> enum (int) */
	FIELD_REF,      /* 1..EVENT_REF_MAX printable ASCII -> char[] */
	FIELD_TEXT,     /* 1..EVENT_TEXT_MAX characters of any text -> char[] */
	FIELD_DATE,     /* YYYY-MM-DD, 1900-01-01 to the date of ts -> int32_t days since the epoch */
	FIELD_LANGUAGE, /* ISO 639-1, lowercase -> char[3] */
};

/* The members an event may have, by name. The fast scan files each key it
 * knows under its index (struct flat_object's at[]), so that validation
 * finds a member with one array read rather than a search of the keys. */
#define EVENT_KEYS(X)                                                                                              \
	X(event_id) X(player_id) X(ts) X(type) X(stake) X(payout) X(currency) X(game) X(session_id)               \
	X(game_category) X(amount) X(status) X(method) X(instrument) X(instrument_type) X(limit) X(period)        \
	X(value) X(days) X(source) X(country) X(birth_year) X(birth_date) X(language) X(channel) X(topic)

enum member_key {
#define KEY_ENUM(k) KEY_##k,
	EVENT_KEYS(KEY_ENUM)
#undef KEY_ENUM
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
#define KEY_NAME(k) #k,
	EVENT_KEYS(KEY_NAME)
#undef KEY_NAME
};
static const uint8_t key_lens[KEY_COUNT] = {
#define KEY_LEN(k) sizeof(#k) - 1,
	EVENT_KEYS(KEY_LEN)
#undef KEY_LEN
};

struct field_spec {
	const char *name;
	enum member_key key; /* the member called name */
	enum field_kind kind;
	bool required;
	size_t offset;     /* where the value goes in struct event */
	size_t size;       /* its size (int32_t vs int64_t, buffer size) */
	ptrdiff_t has;     /* offset of its has_* flag, or -1 */
	int64_t min, max;  /* FIELD_INT */
	const char *const *names; /* FIELD_ENUM; an absent optional enum stays 0 */
};

#define AT(f) offsetof(struct event, f), sizeof(((struct event *)0)->f)
#define HAS(f) (ptrdiff_t)offsetof(struct event, f)
#define KEY(n) #n, KEY_##n
#define MONEY(n, f, lo) { KEY(n), FIELD_INT, true, AT(f), -1, lo, EVENT_AMOUNT_MAX, NULL }
#define CURRENCY { KEY(currency), FIELD_CURRENCY, true, AT(currency), -1, 0, 0, NULL }
#define ENUM(n, f, req, names) { KEY(n), FIELD_ENUM, req, AT(f), -1, 0, 0, names }
#define ENUM_OPT(n, f, has, names) { KEY(n), FIELD_ENUM, false, AT(f), HAS(has), 0, 0, names }
#define END { NULL, KEY_COUNT, 0, false, 0, 0, -1, 0, 0, NULL }

static const struct field_spec deposit_fields[] = {
	MONEY(amount, amount, 1), CURRENCY,
	ENUM(status, deposit_status, false, deposit_status_names),
	{ KEY(method), FIELD_TEXT, false, AT(method), -1, 0, 0, NULL },
	{ KEY(instrument), FIELD_REF, false, AT(instrument), -1, 0, 0, NULL },
	ENUM_OPT(instrument_type, instrument_type, has_instrument_type, instrument_type_names),
	END,
};
static const struct field_spec withdrawal_fields[] = {
	MONEY(amount, amount, 1), CURRENCY,
	ENUM(status, withdrawal_status, true, withdrawal_status_names),
	END,
};
static const struct field_spec game_round_fields[] = {
	MONEY(stake, stake, 0), MONEY(payout, payout, 0), CURRENCY,
	{ KEY(game), FIELD_TEXT, false, AT(game), -1, 0, 0, NULL },
	{ KEY(session_id), FIELD_REF, false, AT(session_id), -1, 0, 0, NULL },
	ENUM_OPT(game_category, game_category, has_game_category, game_category_names),
	END,
};
static const struct field_spec session_fields[] = {
	{ KEY(session_id), FIELD_REF, true, AT(session_id), -1, 0, 0, NULL },
	END,
};
static const struct field_spec limit_set_fields[] = {
	ENUM(limit, limit, true, limit_names),
	ENUM(period, period, true, period_names),
	MONEY(value, value, 1),
	END,
};
static const struct field_spec self_exclusion_fields[] = {
	{ KEY(days), FIELD_INT, false, AT(days), HAS(has_days), 1, EVENT_DAYS_MAX, NULL },
	ENUM(source, source, true, source_names),
	END,
};
static const struct field_spec account_fields[] = {
	{ KEY(country), FIELD_COUNTRY, false, AT(country), HAS(has_country), 0, 0, NULL },
	{ KEY(birth_year), FIELD_INT, false, AT(birth_year), HAS(has_birth_year), EVENT_BIRTH_MIN,
	  EVENT_BIRTH_MAX, NULL },
	{ KEY(birth_date), FIELD_DATE, false, AT(birth_date), HAS(has_birth_date), 0, 0, NULL },
	{ KEY(language), FIELD_LANGUAGE, false, AT(language), HAS(has_language), 0, 0, NULL },
	END,
};
static const struct field_spec contact_fields[] = {
	ENUM(channel, channel, true, channel_names),
	ENUM(topic, topic, true, topic_names),
	END,
};

static const struct field_spec *const fields_by_type[EVENT_TYPE_COUNT] = {
	[EVENT_DEPOSIT] = deposit_fields,
	[EVENT_WITHDRAWAL] = withdrawal_fields,
	[EVENT_GAME_ROUND] = game_round_fields,
	[EVENT_SESSION_START] = session_fields,
	[EVENT_SESSION_END] = session_fields,
	[EVENT_LIMIT_SET] = limit_set_fields,
	[EVENT_SELF_EXCLUSION] = self_exclusion_fields,
	[EVENT_ACCOUNT] = account_fields,
	[EVENT_CONTACT] = contact_fields,
};

/* ---- the flat view ------------------------------------------------------
 * Validation reads an event's top-level members through this view. Two
 * parsers fill it: a fast scanner for the common shape (one flat object of
 * strings without escapes and plain integers), and jansson for everything
 * else. The scanner only accepts input it is sure jansson would read the
 * same way; on anything unusual it gives up and jansson decides, so both
 * paths give the same verdicts and values. It exists because jansson's
 * tree building is most of the cost of ingesting an event. */

enum flat_kind { FLAT_STRING, FLAT_INTEGER, FLAT_REAL, FLAT_OTHER };

struct flat_field {
	const char *key;
	size_t keylen;
	enum flat_kind kind;
	const char *str; /* FLAT_STRING: not NUL-terminated */
	size_t len;
	int64_t i;       /* FLAT_INTEGER */
	double d;        /* FLAT_REAL */
};

#define FLAT_MAX 32

struct flat_object {
	struct flat_field f[FLAT_MAX];
	int n;
	int8_t at[KEY_COUNT]; /* the index in f of each known key, or -1 */
};

/* The known key a member's name is, or KEY_COUNT. The keys are listed
 * most frequent first (a game round's), so the search is short. */
static enum member_key key_of(const char *s, size_t len)
{
	for (int k = 0; k < KEY_COUNT; k++)
		if (key_lens[k] == len && key_names[k][0] == s[0] && memcmp(key_names[k], s, len) == 0)
			return (enum member_key)k;
	return KEY_COUNT;
}

static bool json_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Valid UTF-8 per RFC 3629 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		unsigned cp;
		if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; }
		else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; }
		else return false;
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

#define BYTES_01 0x0101010101010101ull
#define BYTES_80 0x8080808080808080ull

/* Whether any of the 8 bytes of x may end a plain run of a string: a
 * quote, a backslash, a control character or a byte of a multi-byte UTF-8
 * sequence. Exact for "none": each test is the classic zero-byte trick,
 * which never misses. */
static bool word_may_stop(uint64_t x)
{
	uint64_t quote = x ^ (BYTES_01 * '"'), backslash = x ^ (BYTES_01 * '\\');
	uint64_t any = ((quote - BYTES_01) & ~quote) | ((backslash - BYTES_01) & ~backslash) |
		       ((x - BYTES_01 * 0x20) & ~x) | x;
	return (any & BYTES_80) != 0;
}

#ifdef __SSE2__
/* The bytes of the 16 at p that may end a plain run, as a bit mask (the
 * same bytes as word_may_stop's): a signed compare below 0x20 takes both
 * the control characters and the bytes of 0x80 and above. */
static unsigned block_stops(const char *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
						 _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
				    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
	return (unsigned)_mm_movemask_epi8(stop);
}
#endif

/* Whether a byte may end a plain run (word_may_stop's bytes, one). */
static bool byte_may_stop(unsigned char c) { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80; }

/* The first byte from p on that may end a plain run of a string, or end. */
static const char *next_stop(const char *p, const char *end)
{
#ifdef __SSE2__
	for (; end - p >= 16; p += 16) {
		unsigned m = block_stops(p);
		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	for (; end - p >= 8; p += 8) {
		uint64_t x;
		memcpy(&x, p, sizeof(x));
		if (word_may_stop(x))
			break;
	}
	while (p < end && !byte_may_stop((unsigned char)*p))
		p++;
	return p;
}

/* A string without escapes or control characters; false means "let
 * jansson decide". Sixteen (or eight) plain bytes at a time; UTF-8 is
 * checked only when a byte of 0x80 or above was seen. Inlined into the
 * scan: it runs for every key and string value, ~20 times an event, and
 * the calls were ~6% of parsing the bench's events. */
static inline __attribute__((always_inline)) bool scan_string(const char **pp, const char *end, const char **str, size_t *len)
{
	const char *p = *pp + 1, *start = p;
	bool ascii = true;
	for (;; p++) {
		p = next_stop(p, end);
		if (p >= end)
			return false;
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c == '\\' || c < 0x20)
			return false;
		ascii = false; /* a byte of 0x80 or above */
	}
	if (!ascii && !utf8_valid((const unsigned char *)start, (size_t)(p - start)))
		return false;
	*str = start;
	*len = (size_t)(p - start);
	*pp = p + 1;
	return true;
}

/* An integer jansson reads as an integer: no fraction or exponent, no
 * leading zeros, at most 18 digits (always fits int64). */
static bool scan_integer(const char **pp, const char *end, int64_t *out)
{
	const char *p = *pp;
	bool neg = false;
	int64_t v = 0;
	int digits = 0;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p < end && *p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9') {
		if (++digits > 18) /* before multiplying: a 19th digit could overflow */
			return false;
		v = v * 10 + (*p - '0');
		p++;
	}
	if (digits == 0 || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
		return false;
	*out = neg ? -v : v;
	*pp = p;
	return true;
}

static bool flat_scan(const char *json, size_t len, struct flat_object *o)
{
	const char *p = json, *end = json + len;
	o->n = 0;
	memset(o->at, -1, sizeof(o->at));
	while (p < end && json_ws(*p))
		p++;
	if (p >= end || *p++ != '{')
		return false;
	while (p < end && json_ws(*p))
		p++;
	if (p < end && *p == '}') {
		p++;
		goto tail;
	}
	for (;;) {
		if (o->n == FLAT_MAX || p >= end || *p != '"')
			return false;
		struct flat_field *f = &o->f[o->n];
		if (!scan_string(&p, end, &f->key, &f->keylen))
			return false;
		/* A known key twice: jansson's rule (the last one counts) applies.
		 * Validation reads no other key, so an unknown one may repeat. */
		enum member_key k = key_of(f->key, f->keylen);
		if (k < KEY_COUNT) {
			if (o->at[k] >= 0)
				return false;
			o->at[k] = (int8_t)o->n;
		}
		while (p < end && json_ws(*p))
			p++;
		if (p >= end || *p++ != ':')
			return false;
		while (p < end && json_ws(*p))
			p++;
		if (p < end && *p == '"') {
			f->kind = FLAT_STRING;
			if (!scan_string(&p, end, &f->str, &f->len))
				return false;
		} else {
			f->kind = FLAT_INTEGER;
			if (!scan_integer(&p, end, &f->i))
				return false;
		}
		o->n++;
		while (p < end && json_ws(*p))
			p++;
		if (p < end && *p == ',') {
			p++;
			while (p < end && json_ws(*p))
				p++;
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		return false;
	}
tail:
	while (p < end && json_ws(*p))
		p++;
	return p == end;
}

/* Where an event's members are read from: the fast scan, or jansson. */
struct event_source {
	const struct flat_object *flat; /* or NULL */
	json_t *root;                   /* when flat is NULL */
};

/* One top-level member as a flat_field; false when absent. Borrowed: valid
 * while the input buffer / jansson tree lives. */
static bool member(const struct event_source *src, enum member_key key, struct flat_field *out)
{
	if (src->flat) {
		int i = src->flat->at[key];
		if (i < 0)
			return false;
		*out = src->flat->f[i];
		return true;
	}
	json_t *v = json_object_get(src->root, key_names[key]);
	if (!v)
		return false;
	memset(out, 0, sizeof(*out));
	out->key = key_names[key];
	out->keylen = strlen(key_names[key]);
	if (json_is_string(v)) {
		out->kind = FLAT_STRING;
		out->str = json_string_value(v);
		out->len = json_string_length(v);
	} else if (json_is_integer(v)) {
		out->kind = FLAT_INTEGER;
		out->i = json_integer_value(v);
	} else if (json_is_real(v)) {
		out->kind = FLAT_REAL;
		out->d = json_real_value(v);
	} else {
		out->kind = FLAT_OTHER;
	}
	return true;
}

/* JSON has one number type: 100 and 100.0 are the same number, and JSON
 * Schema's "integer" accepts both. Reals are taken only when integral and
 * exactly representable. */
static bool integer_value_of(const struct flat_field *v, int64_t *out)
{
	if (v->kind == FLAT_INTEGER) {
		*out = v->i;
		return true;
	}
	if (v->kind == FLAT_REAL && v->d == floor(v->d) && fabs(v->d) <= 9007199254740992.0) {
		*out = (int64_t)v->d;
		return true;
	}
	return false;
}

static bool printable_ascii(const char *s, size_t len, size_t max)
{
	if (len < 1 || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool player_id_ok(const char *s, size_t len)
{
	if (len < 1 || len > PLAYER_ID_MAX)
		return false;
	/* "." and ".." are path segments every URL parser removes: such a
	 * player could never be opened at /v1/players/{id}. */
	if (s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.')))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

bool event_player_id_valid(const char *s) { return player_id_ok(s, strlen(s)); }

int event_payload_digest(const char *raw, size_t len, char out[DIGEST_SHA256_HEX])
{
	json_t *j = json_loadb(raw, len, JSON_DECODE_ANY, NULL);
	char *canon = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY) : NULL;
	int rc = canon ? digest_sha256_hex(canon, strlen(canon), out) : digest_sha256_hex(raw, len, out);
	free(canon);
	json_decref(j);
	return rc;
}

static bool capitals(const char *s, size_t len, size_t want)
{
	if (len != want)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

/* Characters (code points) in valid UTF-8, as JSON Schema counts length. */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* A calendar date YYYY-MM-DD (four-digit year, a day that exists in its
 * month) as days since 1970-01-01. */
static bool date_days(const char *s, size_t len, int32_t *out)
{
	unsigned v[3] = { 0, 0, 0 };
	static const int widths[3] = { 4, 2, 2 };
	size_t i = 0;
	if (len != 10)
		return false;
	for (int part = 0; part < 3; part++) {
		if (part && s[i++] != '-')
			return false;
		for (int k = 0; k < widths[part]; k++, i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[part] = v[part] * 10 + (unsigned)(s[i] - '0');
		}
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1)
		return false;
	int64_t days = ts_days_from_civil(v[0], v[1], v[2]), y;
	unsigned m, d;
	ts_civil_from_days(days, &y, &m, &d); /* 30 Feb comes back as 2 Mar */
	if (y != (int64_t)v[0] || m != v[1] || d != v[2])
		return false;
	*out = (int32_t)days;
	return true;
}

static void join_names(const char *const *names, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; names[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

static int parse_int_field(const struct flat_field *v, const struct field_spec *f, char *dst, char *err,
			   size_t errlen)
{
	int64_t n;
	if (!integer_value_of(v, &n))
		return seterr(err, errlen, "field \"%s\": must be an integer", f->name);
	if (n < f->min || n > f->max)
		return seterr(err, errlen, "field \"%s\": must be an integer from %lld to %lld, got %lld", f->name,
			      (long long)f->min, (long long)f->max, (long long)n);
	if (f->size == sizeof(int32_t))
		*(int32_t *)(void *)dst = (int32_t)n;
	else
		*(int64_t *)(void *)dst = n;
	return 0;
}

/* A calendar date, not after the date of the event's own ts. */
static int parse_date_field(const struct event_source *src, const struct field_spec *f, const char *s, size_t len,
			    char *dst, char *err, size_t errlen)
{
	int32_t days, ts_day;
	struct flat_field ts;
	if (!date_days(s, len, &days) || days < ts_days_from_civil(EVENT_BIRTH_MIN, 1, 1))
		return seterr(err, errlen, "field \"%s\": must be a calendar date YYYY-MM-DD from %d-01-01", f->name,
			      EVENT_BIRTH_MIN);
	/* The date part of ts, in the sender's own offset: already checked. */
	if (member(src, KEY_ts, &ts) && ts.kind == FLAT_STRING && ts.len >= 10 && date_days(ts.str, 10, &ts_day) &&
	    days > ts_day)
		return seterr(err, errlen, "field \"%s\": must not be after the date of ts", f->name);
	*(int32_t *)(void *)dst = days;
	return 0;
}

static int parse_field(const struct event_source *src, const struct field_spec *f, struct event *ev, char *err,
		       size_t errlen)
{
	struct flat_field fv, *v = &fv;
	char *dst = (char *)ev + f->offset;
	const char *s = NULL;
	size_t len = 0;

	if (!member(src, f->key, &fv)) {
		if (f->required)
			return seterr(err, errlen, "missing field \"%s\"", f->name);
		return 0;
	}
	if (f->kind != FIELD_INT) {
		if (v->kind != FLAT_STRING)
			return seterr(err, errlen, "field \"%s\": must be a string", f->name);
		s = v->str;
		len = v->len;
		/* Only jansson lets a NUL through (the fast scan takes no control characters). */
		if (!src->flat && memchr(s, '\0', len))
			return seterr(err, errlen, "field \"%s\": must not contain NUL", f->name);
	}

	switch (f->kind) {
	case FIELD_INT:
		if (parse_int_field(v, f, dst, err, errlen) < 0)
			return -1;
		break;
	case FIELD_CURRENCY:
		if (!capitals(s, len, 3))
			return seterr(err, errlen, "field \"%s\": must be three capital letters (ISO 4217)", f->name);
		memcpy(dst, s, 3);
		dst[3] = '\0';
		break;
	case FIELD_COUNTRY:
		if (!capitals(s, len, 2))
			return seterr(err, errlen, "field \"%s\": must be two capital letters (ISO 3166-1)", f->name);
		memcpy(dst, s, 2);
		dst[2] = '\0';
		break;
	case FIELD_ENUM: {
		size_t i;
		for (i = 0; f->names[i]; i++)
			if (strlen(f->names[i]) == len && memcmp(s, f->names[i], len) == 0)
				break;
		if (!f->names[i]) {
			char list[160];
			join_names(f->names, list, sizeof(list));
			return seterr(err, errlen, "field \"%s\": must be one of %s", f->name, list);
		}
		*(int *)(void *)dst = (int)i;
		break;
	}
	case FIELD_REF:
		if (!printable_ascii(s, len, EVENT_REF_MAX))
			return seterr(err, errlen, "field \"%s\": must be 1-%d printable ASCII characters", f->name,
				      EVENT_REF_MAX);
		memcpy(dst, s, len);
		dst[len] = '\0';
		break;
	case FIELD_DATE:
		if (parse_date_field(src, f, s, len, dst, err, errlen) < 0)
			return -1;
		break;
	case FIELD_LANGUAGE:
		if (!language_ok(s, len))
			return seterr(err, errlen, "field \"%s\": must be a lowercase ISO 639-1 code (sv, nl, en, ...)",
				      f->name);
		memcpy(dst, s, 2);
		dst[2] = '\0';
		break;
	case FIELD_TEXT: {
		size_t chars = utf8_chars(s, len);
		if (chars < 1 || chars > EVENT_TEXT_MAX)
			return seterr(err, errlen, "field \"%s\": must be 1-%d characters", f->name, EVENT_TEXT_MAX);
		memcpy(dst, s, len);
		dst[len] = '\0';
		break;
	}
	}
	if (f->has >= 0)
		*(bool *)((char *)ev + f->has) = true;
	return 0;
}

/* The fields every event has. The event_id is copied as soon as it is known
 * good, so that a reject of a later field can still be traced to it. */
static int parse_common(const struct event_source *src, struct event *ev, char *err, size_t errlen)
{
	struct flat_field v;
	char ts[48];

	if (!member(src, KEY_event_id, &v))
		return seterr(err, errlen, "missing field \"event_id\"");
	if (v.kind != FLAT_STRING || !printable_ascii(v.str, v.len, EVENT_ID_MAX))
		return seterr(err, errlen, "field \"event_id\": must be 1-%d printable ASCII characters",
			      EVENT_ID_MAX);
	memcpy(ev->event_id, v.str, v.len);
	ev->event_id[v.len] = '\0';

	if (!member(src, KEY_type, &v))
		return seterr(err, errlen, "missing field \"type\"");
	if (v.kind != FLAT_STRING)
		return seterr(err, errlen, "field \"type\": must be a string");
	for (ev->type = 0; ev->type < EVENT_TYPE_COUNT; ev->type++)
		if (strlen(type_names[ev->type]) == v.len && memcmp(v.str, type_names[ev->type], v.len) == 0)
			break;
	if (ev->type == EVENT_TYPE_COUNT) {
		/* Quote at most 40 printable characters of what was sent. */
		size_t n = 0;
		for (; n < v.len && n < 40 && v.str[n] >= 0x20 && v.str[n] <= 0x7e && v.str[n] != '"'; n++)
			;
		return seterr(err, errlen, "unknown type \"%.*s%s\"", (int)n, v.str, n < v.len ? "..." : "");
	}

	if (!member(src, KEY_player_id, &v))
		return seterr(err, errlen, "missing field \"player_id\"");
	if (v.kind != FLAT_STRING || !player_id_ok(v.str, v.len))
		return seterr(err, errlen,
			      "field \"player_id\": must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
			      PLAYER_ID_MAX);
	memcpy(ev->player_id, v.str, v.len);
	ev->player_id[v.len] = '\0';

	if (!member(src, KEY_ts, &v))
		return seterr(err, errlen, "missing field \"ts\"");
	if (v.kind != FLAT_STRING || v.len >= sizeof(ts) || memchr(v.str, '\0', v.len))
		goto bad_ts;
	memcpy(ts, v.str, v.len);
	ts[v.len] = '\0';
	if (ts_parse_rfc3339(ts, &ev->ts_ms) < 0)
		goto bad_ts;
	return 0;
bad_ts:
	return seterr(err, errlen, "field \"ts\": must be an RFC 3339 time with offset, e.g. 2026-11-22T20:51:07Z");
}

static int validate(const struct event_source *src, struct event *ev, char *err, size_t errlen)
{
	if (parse_common(src, ev, err, errlen) < 0)
		return -1;
	for (const struct field_spec *f = fields_by_type[ev->type]; f->name; f++)
		if (parse_field(src, f, ev, err, errlen) < 0)
			return -1;
	return 0;
}

/* parse() zeroes an event up to session_id and only empties the four long
 * strings: nothing else may sit among them (a field there would be left
 * as the last event had it). */
#define EVENT_FIELD_SIZE(f) sizeof(((struct event *)0)->f)
_Static_assert(sizeof(struct event) - offsetof(struct event, session_id) -
			       (EVENT_FIELD_SIZE(session_id) + EVENT_FIELD_SIZE(instrument) +
				EVENT_FIELD_SIZE(method) + EVENT_FIELD_SIZE(game)) <
		       _Alignof(struct event),
	       "struct event: only the four long strings after session_id");

static int parse(const char *json, size_t len, struct event *ev, char *err, size_t errlen, bool fast)
{
	struct flat_object flat;
	json_error_t jerr;
	json_t *root = NULL;
	int rc = -1;

	/* Everything but the four long strings (~1.3 KB of the 1.6), which
	 * are only emptied: whoever reads them stops at their NUL. Zeroing
	 * them wrote 20 more cache lines an event, each taken from the other
	 * core's cache when evaluate's two threads share a chunk's slots. */
	memset(ev, 0, offsetof(struct event, session_id));
	ev->session_id[0] = ev->instrument[0] = ev->method[0] = ev->game[0] = '\0';
	if (len > EVENT_RAW_MAX)
		return seterr(err, errlen, "message of %zu bytes is over the %d byte limit", len, EVENT_RAW_MAX);
	if (fast && flat_scan(json, len, &flat)) {
		struct event_source src = { &flat, NULL };
		return validate(&src, ev, err, errlen);
	}
	/* jansson refuses invalid UTF-8 and NUL in strings by default. */
	root = json_loadb(json, len, 0, &jerr);
	if (!root) {
		/* The caller names the file's line (or the Kafka offset): the
		 * column is within it; a line of its own only for a message
		 * that holds newlines. */
		if (jerr.line > 1)
			seterr(err, errlen, "not valid JSON: %s (line %d of the message, column %d)", jerr.text, jerr.line,
			       jerr.column);
		else
			seterr(err, errlen, "not valid JSON: %s (column %d)", jerr.text, jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		seterr(err, errlen, "not a JSON object");
		goto out;
	}
	struct event_source src = { NULL, root };
	rc = validate(&src, ev, err, errlen);
out:
	json_decref(root);
	return rc;
}

int event_parse(const char *json, size_t len, struct event *ev, char *err, size_t errlen)
{
	return parse(json, len, ev, err, errlen, true);
}

int event_parse_reference(const char *json, size_t len, struct event *ev, char *err, size_t errlen)
{
	return parse(json, len, ev, err, errlen, false);
}
