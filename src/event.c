/* event.c -- JSON bytes -> struct event, with the contract's validation
 * (DESIGN 1.1). Each event type is a row in `event_types`, listing its
 * fields; a field's kind says how it is checked. The first problem found is
 * the reject reason. */
#include "rgmon/event.h"
#include "rgmon/timestamp.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define EVENT_RAW_MAX (1024 * 1024)

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

const char *event_type_name(enum event_type t) { return t < EVENT_TYPE_COUNT ? type_names[t] : "?"; }
const char *limit_kind_name(enum limit_kind k) { return k < LIMIT_KIND_COUNT ? limit_names[k] : "?"; }
const char *limit_period_name(enum limit_period p) { return p < PERIOD_COUNT ? period_names[p] : "?"; }

enum field_kind {
	FIELD_INT,      /* integer in [min, max] -> int64_t or int32_t (size) */
	FIELD_CURRENCY, /* [A-Z]{3} -> char[4] */
	FIELD_COUNTRY,  /* [A-Z]{2} -> char[3] */
	FIELD_ENUM,     /* one of names -> enum (int) */
	FIELD_REF,      /* 1..EVENT_REF_MAX printable ASCII -> char[] */
	FIELD_TEXT,     /* 1..EVENT_TEXT_MAX characters of any text -> char[] */
};

struct field_spec {
	const char *name;
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
#define MONEY(n, f, lo) { n, FIELD_INT, true, AT(f), -1, lo, EVENT_AMOUNT_MAX, NULL }
#define CURRENCY { "currency", FIELD_CURRENCY, true, AT(currency), -1, 0, 0, NULL }
#define ENUM(n, f, req, names) { n, FIELD_ENUM, req, AT(f), -1, 0, 0, names }
#define END { NULL, 0, false, 0, 0, -1, 0, 0, NULL }

static const struct field_spec deposit_fields[] = {
	MONEY("amount", amount, 1), CURRENCY,
	ENUM("status", deposit_status, false, deposit_status_names),
	{ "method", FIELD_TEXT, false, AT(method), -1, 0, 0, NULL },
	{ "instrument", FIELD_REF, false, AT(instrument), -1, 0, 0, NULL },
	END,
};
static const struct field_spec withdrawal_fields[] = {
	MONEY("amount", amount, 1), CURRENCY,
	ENUM("status", withdrawal_status, true, withdrawal_status_names),
	END,
};
static const struct field_spec game_round_fields[] = {
	MONEY("stake", stake, 0), MONEY("payout", payout, 0), CURRENCY,
	{ "game", FIELD_TEXT, false, AT(game), -1, 0, 0, NULL },
	{ "session_id", FIELD_REF, false, AT(session_id), -1, 0, 0, NULL },
	END,
};
static const struct field_spec session_fields[] = {
	{ "session_id", FIELD_REF, true, AT(session_id), -1, 0, 0, NULL },
	END,
};
static const struct field_spec limit_set_fields[] = {
	ENUM("limit", limit, true, limit_names),
	ENUM("period", period, true, period_names),
	MONEY("value", value, 1),
	END,
};
static const struct field_spec self_exclusion_fields[] = {
	{ "days", FIELD_INT, false, AT(days), HAS(has_days), 1, EVENT_DAYS_MAX, NULL },
	ENUM("source", source, true, source_names),
	END,
};
static const struct field_spec account_fields[] = {
	{ "country", FIELD_COUNTRY, false, AT(country), HAS(has_country), 0, 0, NULL },
	{ "birth_year", FIELD_INT, false, AT(birth_year), HAS(has_birth_year), EVENT_BIRTH_MIN,
	  EVENT_BIRTH_MAX, NULL },
	END,
};
static const struct field_spec contact_fields[] = {
	ENUM("channel", channel, true, channel_names),
	ENUM("topic", topic, true, topic_names),
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

/* JSON has one number type: 100 and 100.0 are the same number, and JSON
 * Schema's "integer" accepts both. Reals are taken only when integral and
 * exactly representable. */
static bool json_integer_value_of(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
			*out = (int64_t)d;
			return true;
		}
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
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return false;
	}
	return true;
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

static void join_names(const char *const *names, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; names[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

static int parse_field(const json_t *obj, const struct field_spec *f, struct event *ev, char *err,
		       size_t errlen)
{
	const json_t *v = json_object_get(obj, f->name);
	char *dst = (char *)ev + f->offset;
	const char *s = NULL;
	size_t len = 0;

	if (!v) {
		if (f->required)
			return seterr(err, errlen, "missing field \"%s\"", f->name);
		return 0;
	}
	if (f->kind != FIELD_INT) {
		if (!json_is_string(v))
			return seterr(err, errlen, "field \"%s\": must be a string", f->name);
		s = json_string_value(v);
		len = json_string_length(v);
		if (memchr(s, '\0', len))
			return seterr(err, errlen, "field \"%s\": must not contain NUL", f->name);
	}

	switch (f->kind) {
	case FIELD_INT: {
		int64_t n;
		if (!json_integer_value_of(v, &n))
			return seterr(err, errlen, "field \"%s\": must be an integer", f->name);
		if (n < f->min || n > f->max)
			return seterr(err, errlen, "field \"%s\": must be an integer from %lld to %lld, got %lld",
				      f->name, (long long)f->min, (long long)f->max, (long long)n);
		if (f->size == sizeof(int32_t))
			*(int32_t *)(void *)dst = (int32_t)n;
		else
			*(int64_t *)(void *)dst = n;
		break;
	}
	case FIELD_CURRENCY:
		if (!capitals(s, len, 3))
			return seterr(err, errlen, "field \"%s\": must be three capital letters (ISO 4217)", f->name);
		memcpy(dst, s, 4);
		break;
	case FIELD_COUNTRY:
		if (!capitals(s, len, 2))
			return seterr(err, errlen, "field \"%s\": must be two capital letters (ISO 3166-1)", f->name);
		memcpy(dst, s, 3);
		break;
	case FIELD_ENUM: {
		size_t i;
		for (i = 0; f->names[i]; i++)
			if (strcmp(s, f->names[i]) == 0)
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
		memcpy(dst, s, len + 1);
		break;
	case FIELD_TEXT: {
		size_t chars = utf8_chars(s, len);
		if (chars < 1 || chars > EVENT_TEXT_MAX)
			return seterr(err, errlen, "field \"%s\": must be 1-%d characters", f->name, EVENT_TEXT_MAX);
		memcpy(dst, s, len + 1);
		break;
	}
	}
	if (f->has >= 0)
		*(bool *)((char *)ev + f->has) = true;
	return 0;
}

/* The fields every event has. The event_id is copied as soon as it is known
 * good, so that a reject of a later field can still be traced to it. */
static int parse_common(const json_t *obj, struct event *ev, char *err, size_t errlen)
{
	const json_t *v;
	const char *s;
	size_t len;

	if (!(v = json_object_get(obj, "event_id")))
		return seterr(err, errlen, "missing field \"event_id\"");
	if (!json_is_string(v) ||
	    !printable_ascii(json_string_value(v), json_string_length(v), EVENT_ID_MAX))
		return seterr(err, errlen, "field \"event_id\": must be 1-%d printable ASCII characters",
			      EVENT_ID_MAX);
	memcpy(ev->event_id, json_string_value(v), json_string_length(v) + 1);

	if (!(v = json_object_get(obj, "type")))
		return seterr(err, errlen, "missing field \"type\"");
	if (!json_is_string(v))
		return seterr(err, errlen, "field \"type\": must be a string");
	s = json_string_value(v);
	for (ev->type = 0; ev->type < EVENT_TYPE_COUNT; ev->type++)
		if (strcmp(s, type_names[ev->type]) == 0)
			break;
	if (ev->type == EVENT_TYPE_COUNT)
		return seterr(err, errlen, "unknown type \"%.40s\"", s);

	if (!(v = json_object_get(obj, "player_id")))
		return seterr(err, errlen, "missing field \"player_id\"");
	if (!json_is_string(v) || !player_id_ok(json_string_value(v), json_string_length(v)))
		return seterr(err, errlen, "field \"player_id\": must be 1-%d characters of [A-Za-z0-9._:-]",
			      PLAYER_ID_MAX);
	memcpy(ev->player_id, json_string_value(v), json_string_length(v) + 1);

	if (!(v = json_object_get(obj, "ts")))
		return seterr(err, errlen, "missing field \"ts\"");
	s = json_is_string(v) ? json_string_value(v) : NULL;
	len = s ? json_string_length(v) : 0;
	if (!s || len > 40 || memchr(s, '\0', len) || ts_parse_rfc3339(s, &ev->ts_ms) < 0)
		return seterr(err, errlen,
			      "field \"ts\": must be an RFC 3339 time with offset, e.g. 2026-11-22T20:51:07Z");
	return 0;
}

int event_parse(const char *json, size_t len, struct event *ev, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = NULL;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	if (len > EVENT_RAW_MAX) {
		seterr(err, errlen, "message of %zu bytes is over the %d byte limit", len, EVENT_RAW_MAX);
		goto out;
	}
	/* jansson refuses invalid UTF-8 and NUL in strings by default. */
	root = json_loadb(json, len, 0, &jerr);
	if (!root) {
		seterr(err, errlen, "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		seterr(err, errlen, "not a JSON object");
		goto out;
	}
	if (parse_common(root, ev, err, errlen) < 0)
		goto out;
	for (const struct field_spec *f = fields_by_type[ev->type]; f->name; f++)
		if (parse_field(root, f, ev, err, errlen) < 0)
			goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
