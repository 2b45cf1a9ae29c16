/* test_event.c -- event_parse against every case in
 * tests/fixtures/event-cases.jsonl (the same cases the JSON Schema test
 * uses), and the fast scan against the jansson reference path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

#include "rgmon/event.h"
#include "rgmon/timestamp.h"

#define CASES "tests/fixtures/event-cases.jsonl"

static size_t hex_decode(const char *hex, char *out, size_t max)
{
	size_t n = 0;
	for (; hex[0] && hex[1] && n < max; hex += 2) {
		unsigned v;
		sscanf(hex, "%2x", &v);
		out[n++] = (char)v;
	}
	return n;
}

static void test_fixture_verdicts(void **state)
{
	(void)state;
	FILE *f = fopen(CASES, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	int cases = 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *c = json_loads(line, 0, NULL);
		assert_non_null(c);
		const char *verdict = json_string_value(json_object_get(c, "verdict"));
		const char *note = json_string_value(json_object_get(c, "note"));
		const char *want = json_string_value(json_object_get(c, "reason"));
		static char raw[1 << 16];
		size_t len;
		json_t *r = json_object_get(c, "raw");
		if (r) {
			len = json_string_length(r);
			memcpy(raw, json_string_value(r), len);
		} else {
			len = hex_decode(json_string_value(json_object_get(c, "raw_hex")), raw, sizeof(raw));
		}
		struct event fast, ref;
		char ferr[512] = "", rerr[512] = "";
		/* event_parse only empties the long strings: zero both, so the
		 * bytes after each string's NUL compare equal too. */
		memset(&fast, 0, sizeof(fast));
		memset(&ref, 0, sizeof(ref));
		int frc = event_parse(raw, len, &fast, ferr, sizeof(ferr));
		int rrc = event_parse_reference(raw, len, &ref, rerr, sizeof(rerr));
		if ((frc == 0) != (strcmp(verdict, "accept") == 0))
			fail_msg("case \"%s\": expected %s, got %s (%s)", note, verdict, frc ? "reject" : "accept", ferr);
		/* Both parsers: the same verdict, the same reason, the same event. */
		if (frc != rrc || strcmp(ferr, rerr) != 0)
			fail_msg("case \"%s\": fast path (%d, %s) differs from jansson (%d, %s)", note, frc, ferr, rrc, rerr);
		if (frc == 0 && memcmp(&fast, &ref, sizeof(fast)) != 0)
			fail_msg("case \"%s\": fast path and jansson produced different events", note);
		if (frc != 0 && want && *want && !strstr(ferr, want))
			fail_msg("case \"%s\": reason \"%s\" does not mention \"%s\"", note, ferr, want);
		if (frc != 0 && (strchr(ferr, '\n') || strlen(ferr) == 0))
			fail_msg("case \"%s\": reason must be one non-empty line", note);
		json_decref(c);
		cases++;
	}
	free(line);
	fclose(f);
	assert_true(cases >= 90);
}

static void test_fields_of_a_deposit(void **state)
{
	(void)state;
	const char *j = "{\"event_id\":\"d1\",\"type\":\"deposit\",\"player_id\":\"p9\","
			"\"ts\":\"2026-11-22T21:51:07.250+01:00\",\"amount\":4500,\"currency\":\"SEK\","
			"\"status\":\"declined\",\"instrument\":\"card-7\",\"method\":\"Swish\"}";
	struct event ev;
	char err[256];
	assert_int_equal(event_parse(j, strlen(j), &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.type, EVENT_DEPOSIT);
	assert_string_equal(ev.event_id, "d1");
	assert_string_equal(ev.player_id, "p9");
	int64_t want;
	assert_int_equal(ts_parse_rfc3339("2026-11-22T20:51:07.250Z", &want), 0);
	assert_int_equal(ev.ts_ms, want);
	assert_int_equal(ev.amount, 4500);
	assert_string_equal(ev.currency, "SEK");
	assert_int_equal(ev.deposit_status, DEPOSIT_DECLINED);
	assert_string_equal(ev.instrument, "card-7");
	assert_string_equal(ev.method, "Swish");
}

static void test_defaults_and_optionals(void **state)
{
	(void)state;
	struct event ev;
	char err[256];
	const char *d = "{\"event_id\":\"d\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			"\"amount\":1,\"currency\":\"EUR\"}";
	assert_int_equal(event_parse(d, strlen(d), &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.deposit_status, DEPOSIT_APPROVED);
	const char *x = "{\"event_id\":\"x\",\"type\":\"self_exclusion\",\"player_id\":\"p\","
			"\"ts\":\"2026-01-01T00:00:00Z\",\"source\":\"operator\"}";
	assert_int_equal(event_parse(x, strlen(x), &ev, err, sizeof(err)), 0);
	assert_false(ev.has_days);
	assert_int_equal(ev.source, EXCLUSION_OPERATOR);
	const char *a = "{\"event_id\":\"a\",\"type\":\"account\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			"\"birth_year\":2001}";
	assert_int_equal(event_parse(a, strlen(a), &ev, err, sizeof(err)), 0);
	assert_true(ev.has_birth_year);
	assert_false(ev.has_country);
	assert_int_equal(ev.birth_year, 2001);
}

static void test_additions_2026_12(void **state)
{
	(void)state;
	struct event ev;
	char err[256];
	const char *a = "{\"event_id\":\"a\",\"type\":\"account\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			"\"birth_date\":\"2004-02-29\",\"language\":\"nl\"}";
	assert_int_equal(event_parse(a, strlen(a), &ev, err, sizeof(err)), 0);
	assert_true(ev.has_birth_date);
	assert_false(ev.has_birth_year);
	assert_int_equal(ev.birth_date, ts_days_from_civil(2004, 2, 29));
	assert_true(ev.has_language);
	assert_string_equal(ev.language, "nl");

	const char *r = "{\"event_id\":\"r\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			"\"stake\":100,\"payout\":0,\"currency\":\"EUR\",\"game_category\":\"live_casino\"}";
	assert_int_equal(event_parse(r, strlen(r), &ev, err, sizeof(err)), 0);
	assert_true(ev.has_game_category);
	assert_int_equal(ev.game_category, GAME_LIVE_CASINO);
	const char *r0 = "{\"event_id\":\"r\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			 "\"stake\":100,\"payout\":0,\"currency\":\"EUR\"}";
	assert_int_equal(event_parse(r0, strlen(r0), &ev, err, sizeof(err)), 0);
	assert_false(ev.has_game_category); /* absent: not "slots", whose value is 0 */

	const char *d = "{\"event_id\":\"d\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			"\"amount\":100,\"currency\":\"SEK\",\"instrument_type\":\"credit_card\"}";
	assert_int_equal(event_parse(d, strlen(d), &ev, err, sizeof(err)), 0);
	assert_true(ev.has_instrument_type);
	assert_int_equal(ev.instrument_type, INSTRUMENT_CREDIT_CARD);

	/* one name table per enum, in enum order */
	assert_string_equal(game_category_name(GAME_SLOTS), "slots");
	assert_string_equal(game_category_name(GAME_OTHER), "other");
	assert_string_equal(instrument_type_name(INSTRUMENT_E_WALLET), "e_wallet");
	assert_string_equal(instrument_type_name(INSTRUMENT_OTHER), "other");
	assert_true(event_language_valid("aa") && event_language_valid("zu") && event_language_valid("sv"));
	assert_false(event_language_valid("xx") || event_language_valid("EN") || event_language_valid("e"));
}

static void test_birth_date_not_after_ts(void **state)
{
	(void)state;
	/* The schema cannot compare two fields, so this case lives here. The
	 * date of ts is read in its own offset: late on 22 Nov in Toronto is
	 * already 23 Nov in UTC, and 23 Nov is still in the future there. */
	struct event ev;
	char err[256];
	const char *later = "{\"event_id\":\"a\",\"type\":\"account\",\"player_id\":\"p\","
			    "\"ts\":\"2026-11-22T20:51:07Z\",\"birth_date\":\"2026-11-23\"}";
	assert_int_equal(event_parse(later, strlen(later), &ev, err, sizeof(err)), -1);
	assert_string_equal(err, "field \"birth_date\": must not be after the date of ts");
	assert_string_equal(ev.event_id, "a");
	const char *toronto = "{\"event_id\":\"a\",\"type\":\"account\",\"player_id\":\"p\","
			      "\"ts\":\"2026-11-22T23:30:00-05:00\",\"birth_date\":\"2026-11-23\"}";
	assert_int_equal(event_parse_reference(toronto, strlen(toronto), &ev, err, sizeof(err)), -1);
	const char *same = "{\"event_id\":\"a\",\"type\":\"account\",\"player_id\":\"p\","
			   "\"ts\":\"2026-11-22T23:30:00-05:00\",\"birth_date\":\"2026-11-22\"}";
	assert_int_equal(event_parse(same, strlen(same), &ev, err, sizeof(err)), 0);
}

static void test_reject_keeps_event_id(void **state)
{
	(void)state;
	struct event ev;
	char err[256];
	const char *j = "{\"event_id\":\"keep-me\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\"}";
	assert_int_equal(event_parse(j, strlen(j), &ev, err, sizeof(err)), -1);
	assert_string_equal(ev.event_id, "keep-me");
	assert_string_equal(err, "missing field \"amount\"");
}

static void test_not_nul_terminated_input(void **state)
{
	(void)state;
	/* The buffer continues past len: only len bytes are the message. */
	const char buf[] = "{\"event_id\":\"n\",\"type\":\"session_start\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			   "\"session_id\":\"s\"}GARBAGE";
	struct event ev;
	char err[256];
	assert_int_equal(event_parse(buf, sizeof(buf) - 1 - 7, &ev, err, sizeof(err)), 0);
	assert_int_equal(event_parse(buf, sizeof(buf) - 1, &ev, err, sizeof(err)), -1);
}

static void test_lone_surrogate_escape(void **state)
{
	(void)state;
	/* jansson rejects \ud800 (not a Unicode scalar value); JSON.parse would
	 * take it, so this case lives here rather than in the shared fixtures. */
	const char *j = "{\"event_id\":\"s\",\"type\":\"session_start\",\"player_id\":\"p\",\"ts\":\"2026-01-01T00:00:00Z\","
			"\"session_id\":\"s\",\"x\":\"\\ud800\"}";
	struct event ev;
	char err[256];
	assert_int_equal(event_parse(j, strlen(j), &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not valid JSON"));
}

/* The fast scan must agree with jansson on inputs near real events, not
 * only on the fixture: each seed (an event of every type, members in
 * several orders, a repeated member, an unknown one) with every byte
 * deleted, doubled or replaced by a byte that matters to a JSON scanner.
 * Both parsers: the same verdict, the same reason, the same event. */
static void check_agrees(const char *raw, size_t len, int *accepted)
{
	struct event fast, ref;
	char ferr[512] = "", rerr[512] = "";
	memset(&fast, 0, sizeof(fast)); /* as in test_fixture_verdicts */
	memset(&ref, 0, sizeof(ref));
	int frc = event_parse(raw, len, &fast, ferr, sizeof(ferr));
	int rrc = event_parse_reference(raw, len, &ref, rerr, sizeof(rerr));
	if (frc != rrc || strcmp(ferr, rerr) != 0)
		fail_msg("\"%.*s\": fast (%d, %s), jansson (%d, %s)", (int)len, raw, frc, ferr, rrc, rerr);
	if (frc == 0 && memcmp(&fast, &ref, sizeof(fast)) != 0)
		fail_msg("\"%.*s\": fast and jansson produced different events", (int)len, raw);
	*accepted += frc == 0;
}

static void test_fast_scan_agrees_near_real_events(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		"{\"event_id\":\"e1\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T12:00:42.239+01:00\",\"type\":\"deposit\","
		"\"amount\":2500,\"currency\":\"EUR\",\"status\":\"approved\",\"method\":\"e-wallet\","
		"\"instrument\":\"card-1\",\"instrument_type\":\"e_wallet\"}",
		"{\"event_id\":\"e2\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T12:50:38Z\",\"type\":\"withdrawal\","
		"\"amount\":24262,\"currency\":\"SEK\",\"status\":\"requested\"}",
		"{\"type\":\"game_round\",\"stake\":1200,\"payout\":3213,\"currency\":\"SEK\",\"game\":\"sl\xc3\xb6t-3\","
		"\"game_category\":\"slots\",\"session_id\":\"s-1\",\"event_id\":\"e3\",\"player_id\":\"p1\","
		"\"ts\":\"2026-11-01T12:01:59.995+01:00\"}",
		"{\"event_id\":\"e4\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T12:00:08+01:00\",\"type\":\"session_start\","
		"\"session_id\":\"s-1\",\"note\":\"x\",\"note\":7}",
		"{ \"event_id\" : \"e5\" , \"player_id\" : \"p1\" , \"ts\" : \"2026-11-01T12:15:02.817Z\" , "
		"\"type\" : \"session_end\" , \"session_id\" : \"s-1\" }",
		"{\"event_id\":\"e6\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T09:00:00+01:00\",\"type\":\"limit_set\","
		"\"limit\":\"deposit\",\"period\":\"day\",\"value\":6000}",
		"{\"event_id\":\"e7\",\"player_id\":\"p1\",\"ts\":\"2026-11-04T23:30:00-05:00\",\"type\":\"self_exclusion\","
		"\"days\":150,\"source\":\"player\"}",
		"{\"event_id\":\"e8\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T08:00:00.002+01:00\",\"type\":\"account\","
		"\"country\":\"NL\",\"birth_date\":\"1983-07-22\",\"birth_year\":1983,\"language\":\"nl\"}",
		"{\"event_id\":\"e9\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T13:18:51.036+01:00\",\"type\":\"contact\","
		"\"channel\":\"email\",\"topic\":\"rg_question\"}",
		"{\"event_id\":\"e10\",\"player_id\":\"p1\",\"ts\":\"2026-11-01T13:18:51Z\",\"type\":\"deposit\","
		"\"amount\":100,\"amount\":200,\"currency\":\"EUR\"}",
	};
	static const char swaps[] = { '"', '\\', ',', ':', '{', '}', ' ', '0', '-', 'a', 'e', '.', 0x01, (char)0x80,
				      (char)0xc3, (char)0xff, '\0' };
	char buf[1024];
	int accepted = 0, cases = 0;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		const char *seed = seeds[s];
		size_t len = strlen(seed);
		check_agrees(seed, len, &accepted);
		for (size_t i = 0; i < len; i++) {
			memcpy(buf, seed, i); /* byte i deleted */
			memcpy(buf + i, seed + i + 1, len - i - 1);
			check_agrees(buf, len - 1, &accepted);
			memcpy(buf, seed, i + 1); /* byte i doubled */
			memcpy(buf + i + 1, seed + i, len - i);
			check_agrees(buf, len + 1, &accepted);
			memcpy(buf, seed, len);
			for (size_t k = 0; k < sizeof(swaps); k++) {
				buf[i] = swaps[k];
				check_agrees(buf, len, &accepted);
				cases++;
			}
		}
	}
	/* Most mutations break an event; enough of them must still be events
	 * (a changed digit, a space) for the comparison of values to count. */
	assert_true(cases > 20000);
	assert_true(accepted > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_verdicts),
		cmocka_unit_test(test_fields_of_a_deposit),
		cmocka_unit_test(test_defaults_and_optionals),
		cmocka_unit_test(test_additions_2026_12),
		cmocka_unit_test(test_birth_date_not_after_ts),
		cmocka_unit_test(test_reject_keeps_event_id),
		cmocka_unit_test(test_not_nul_terminated_input),
		cmocka_unit_test(test_lone_surrogate_escape),
		cmocka_unit_test(test_fast_scan_agrees_near_real_events),
	};
	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
