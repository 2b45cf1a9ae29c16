/* event.h -- one rg.events message as a typed struct (DESIGN 1.1).
 *
 * event_parse() is the edge where input is validated: JSON bytes in,
 * either a complete `struct event` or a one-line reject reason out.
 * Everything inside rgmon trusts a parsed event. Pure: no I/O, no clock;
 * nothing points into the caller's buffer or a jansson tree afterwards. */
#ifndef RGMON_EVENT_H
#define RGMON_EVENT_H

#include "rgmon/common.h"
#include "rgmon/digest.h"

enum event_type {
	EVENT_DEPOSIT,
	EVENT_WITHDRAWAL,
	EVENT_GAME_ROUND,
	EVENT_SESSION_START,
	EVENT_SESSION_END,
	EVENT_LIMIT_SET,
	EVENT_SELF_EXCLUSION,
	EVENT_ACCOUNT,
	EVENT_CONTACT,
	EVENT_TYPE_COUNT
};

enum deposit_status { DEPOSIT_APPROVED, DEPOSIT_DECLINED };
enum withdrawal_status { WITHDRAWAL_REQUESTED, WITHDRAWAL_CANCELLED, WITHDRAWAL_COMPLETED };
enum limit_kind { LIMIT_DEPOSIT, LIMIT_LOSS, LIMIT_SESSION_TIME, LIMIT_KIND_COUNT };
enum limit_period { PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_COUNT };
enum exclusion_source { EXCLUSION_PLAYER, EXCLUSION_OPERATOR, EXCLUSION_REGISTER };
enum contact_channel { CONTACT_CHAT, CONTACT_EMAIL, CONTACT_PHONE };
enum contact_topic {
	TOPIC_BONUS_REQUEST,
	TOPIC_WITHDRAWAL_DELAY,
	TOPIC_COMPLAINT,
	TOPIC_RG_QUESTION,
	TOPIC_OTHER,
	TOPIC_COUNT
};
/* Additions (2026-12). */
enum game_category {
	GAME_SLOTS,
	GAME_TABLE,
	GAME_LIVE_CASINO,
	GAME_SPORTS,
	GAME_POKER,
	GAME_BINGO,
	GAME_LOTTERY,
	GAME_OTHER,
	GAME_CATEGORY_COUNT
};
enum instrument_type {
	INSTRUMENT_DEBIT_CARD,
	INSTRUMENT_CREDIT_CARD,
	INSTRUMENT_BANK_TRANSFER,
	INSTRUMENT_E_WALLET,
	INSTRUMENT_PREPAID,
	INSTRUMENT_CRYPTO,
	INSTRUMENT_OTHER,
	INSTRUMENT_TYPE_COUNT
};

/* Limits of the contract, and of the free-text fields the contract leaves
 * open (documented in schemas/event.schema.json). */
#define EVENT_RAW_MAX     (1024 * 1024) /* bytes of one message or line, as a Kafka message */
#define EVENT_ID_MAX      128 /* printable ASCII */
#define PLAYER_ID_MAX     64  /* [A-Za-z0-9._:-] */
#define EVENT_REF_MAX     128 /* session_id, instrument: printable ASCII */
#define EVENT_TEXT_MAX    128 /* game, method: any text, counted in characters */
/* Money (amount, stake, payout, a limit's value): at most 10^11 minor units,
 * a billion in a two-decimal currency. No real deposit, stake or payout
 * comes near it, and anything above is a broken or hostile producer; the
 * engine's day sums (int32, see engine.h) then only saturate on
 * impossible days, and show it ("at least") if they do. */
#define EVENT_AMOUNT_MAX  100000000000LL
#define EVENT_DAYS_MAX    36500
#define EVENT_BIRTH_MIN   1900
#define EVENT_BIRTH_MAX   2100 /* birth_year; a birth_date is from 1900-01-01 to the event's day */

/* A parsed event. Fields not used by a type are zero / empty; `has_*`
 * says whether an optional field was present. */
struct event {
	enum event_type type;
	char event_id[EVENT_ID_MAX + 1];
	char player_id[PLAYER_ID_MAX + 1];
	int64_t ts_ms; /* event time, ms since the epoch, UTC */

	char currency[4];
	int64_t amount; /* deposit, withdrawal */
	int64_t stake;  /* game_round */
	int64_t payout; /* game_round */
	int64_t value;  /* limit_set: minor units, or minutes for session_time */
	int32_t days;   /* self_exclusion; 0 = indefinite */
	int32_t birth_year;
	int32_t birth_date; /* days since 1970-01-01 (civil date, no time zone) */

	enum deposit_status deposit_status;
	enum withdrawal_status withdrawal_status;
	enum limit_kind limit;
	enum limit_period period;
	enum exclusion_source source;
	enum contact_channel channel;
	enum contact_topic topic;
	enum game_category game_category;     /* game_round, when has_game_category */
	enum instrument_type instrument_type; /* deposit, when has_instrument_type */

	bool has_days, has_birth_year, has_country;
	bool has_birth_date, has_language, has_game_category, has_instrument_type;
	char country[3];
	char language[3]; /* ISO 639-1, lowercase */
	/* The long strings last (event_parse zeroes what comes before them). */
	char session_id[EVENT_REF_MAX + 1];
	char instrument[EVENT_REF_MAX + 1];
	char method[EVENT_TEXT_MAX * 4 + 1]; /* UTF-8 */
	char game[EVENT_TEXT_MAX * 4 + 1];   /* UTF-8 */
};

/* Parses and validates one JSON message of `len` bytes (need not be
 * NUL-terminated). On success fills *ev and returns 0. On failure returns -1
 * and writes a one-line reason into err; if the event_id could be read it
 * is left in ev->event_id (else ""), so a reject can be traced. A message
 * over EVENT_RAW_MAX is rejected by its length alone: json is not read. */
int event_parse(const char *json, size_t len, struct event *ev, char *err, size_t errlen);

/* The same, always through jansson (no fast scan): the reference the
 * tests hold event_parse to. Same results, slower. */
int event_parse_reference(const char *json, size_t len, struct event *ev, char *err, size_t errlen);

/* The identity of a message's payload, to tell a redelivery from an
 * event_id reused for something else: SHA-256 (hex) of its canonical JSON
 * (compact, keys sorted, non-ASCII escaped), so whitespace and key order do
 * not count; of the bytes themselves when they are not JSON. 0, or -1 if
 * libcrypto fails. */
int event_payload_digest(const char *raw, size_t len, char out[DIGEST_SHA256_HEX]);

/* Names as they appear in JSON ("deposit", "week", ...). */
const char *event_type_name(enum event_type t);
/* Whether s is a valid player_id (1-64 of [A-Za-z0-9._:-]). */
bool event_player_id_valid(const char *s);
const char *limit_kind_name(enum limit_kind k);
const char *limit_period_name(enum limit_period p);
const char *game_category_name(enum game_category g);
const char *instrument_type_name(enum instrument_type t);
/* Whether s is a two-letter ISO 639-1 language code, lowercase ("sv"). */
bool event_language_valid(const char *s);
/* The contact topic named s ("bonus_request"), or -1: the topics of a
 * contact event, which staff interactions use too. */
int event_contact_topic_parse(const char *s);

#endif
