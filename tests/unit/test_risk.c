/* test_risk.c -- the player risk JSON of DESIGN 1.3 (risk_player_json), as
 * `rgmon player show --json` and GET /v1/players/{id}/risk print it: its
 * fields and their types, and their values for a new player, amber and red
 * players with their reasons, limits and how much of them is used, pending
 * limit raises, exclusions (timed and indefinite), fading reasons; the
 * times it writes; the level and action name tables. Players are built by
 * playing events through engine_apply with the built-in policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rgmon/engine.h"
#include "rgmon/risk.h"
#include "helpers.h"

static const struct policy *pol;
static int seq;

static int setup(void **state)
{
	(void)state;
	struct policy *p = test_policy(NULL); /* policies/default.json: Europe/Brussels, EUR... */
	/* These players chase with small sums to show reasons and how they
	 * fade; patterns in proportion to the money at stake are test_rules'. */
	memset(p->material, 0, sizeof(p->material));
	pol = p;
	return 0;
}

/* Applies an event written as JSON fields after the common ones. */
static void play(struct player_state *st, const char *ts, const char *type, const char *fields)
{
	struct engine_result r;
	struct event ev = make_event("{\"event_id\":\"e%d\",\"player_id\":\"p42\",\"ts\":\"%s\",\"type\":\"%s\"%s%s}",
				     ++seq, ts, type, fields[0] ? "," : "", fields);
	engine_apply(st, &ev, pol, &r);
}

#define EUR(amount) "\"amount\":" #amount ",\"currency\":\"EUR\""
#define LOSS(stake) "\"stake\":" #stake ",\"payout\":0,\"currency\":\"EUR\""
#define LIMIT(kind, period, value) "\"limit\":\"" kind "\",\"period\":\"" period "\",\"value\":" #value

/* ---- the shape ------------------------------------------------------------- */

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/* Fails unless obj has exactly these keys. */
static void expect_keys(const json_t *obj, const char *const *keys, const char *const *optional, const char *what)
{
	const char *k;
	json_t *v;
	assert_true(json_is_object(obj));
	for (const char *const *p = keys; *p; p++)
		if (!json_object_get(obj, *p))
			fail_msg("%s: no \"%s\"", what, *p);
	json_object_foreach((json_t *)obj, k, v) {
		(void)v;
		if (!one_of(k, keys) && !(optional && one_of(k, optional)))
			fail_msg("%s: unexpected key \"%s\"", what, k);
	}
}

static bool is_rfc3339_utc(const char *s)
{
	int64_t ms;
	size_t n = strlen(s);
	return n >= 20 && s[n - 1] == 'Z' && ts_parse_rfc3339(s, &ms) == 0;
}

/* The DESIGN 1.3 contract: these fields with these types, and nothing
 * else. Beyond the example in DESIGN 1.3 the code adds "currency" (the
 * player's, for the amounts), reasons[].points and, while a raised limit
 * waits out its delay, limits[].pending_value; DESIGN 1.3 additions bring
 * "jurisdiction" (the scoring pack's); those are allowed here by
 * name, so any other field that appears or goes missing fails. */
static void expect_contract(const json_t *j)
{
	static const char *const top[] = { "player_id", "level", "score", "reasons", "limits",
					   "excluded_until", "policy", "jurisdiction", "as_of", "currency", NULL };
	static const char *const reason_keys[] = { "rule", "detail", "points", NULL };
	static const char *const limit_keys[] = { "limit", "period", "value", "used", NULL };
	static const char *const limit_optional[] = { "pending_value", NULL };
	static const char *const levels[] = { "green", "amber", "red", "excluded", NULL };
	static const char *const kinds[] = { "deposit", "loss", "session_time", NULL };
	static const char *const periods[] = { "day", "week", "month", NULL };
	size_t i;
	json_t *x;

	expect_keys(j, top, NULL, "player risk");
	assert_true(json_is_string(json_object_get(j, "player_id")));
	assert_true(one_of(json_string_value(json_object_get(j, "level")), levels));
	json_t *score = json_object_get(j, "score");
	assert_true(json_is_integer(score));
	assert_in_range(json_integer_value(score), 0, 100);

	assert_true(json_is_array(json_object_get(j, "reasons")));
	json_array_foreach(json_object_get(j, "reasons"), i, x) {
		expect_keys(x, reason_keys, NULL, "reason");
		assert_true(json_is_string(json_object_get(x, "rule")));
		assert_true(rule_find(json_string_value(json_object_get(x, "rule"))) >= 0);
		assert_true(json_is_string(json_object_get(x, "detail")));
		assert_true(json_string_length(json_object_get(x, "detail")) > 0);
		assert_true(json_is_integer(json_object_get(x, "points")));
	}
	assert_true(json_is_array(json_object_get(j, "limits")));
	json_array_foreach(json_object_get(j, "limits"), i, x) {
		expect_keys(x, limit_keys, limit_optional, "limit");
		assert_true(one_of(json_string_value(json_object_get(x, "limit")), kinds));
		assert_true(one_of(json_string_value(json_object_get(x, "period")), periods));
		assert_true(json_is_integer(json_object_get(x, "value")));
		assert_true(json_integer_value(json_object_get(x, "value")) > 0);
		assert_true(json_is_integer(json_object_get(x, "used")));
		assert_true(json_integer_value(json_object_get(x, "used")) >= 0);
		if (json_object_get(x, "pending_value"))
			assert_true(json_is_integer(json_object_get(x, "pending_value")));
	}
	json_t *until = json_object_get(j, "excluded_until");
	assert_true(json_is_null(until) || (json_is_string(until) && (strcmp(json_string_value(until), "indefinite") == 0 ||
								      is_rfc3339_utc(json_string_value(until)))));
	assert_true(json_is_string(json_object_get(j, "policy")));
	assert_int_equal(json_string_length(json_object_get(j, "jurisdiction")), 2);
	assert_true(json_is_string(json_object_get(j, "as_of")));
	assert_true(is_rfc3339_utc(json_string_value(json_object_get(j, "as_of"))));
	json_t *cur = json_object_get(j, "currency");
	assert_true(json_is_null(cur) || (json_is_string(cur) && json_string_length(cur) == 3));
}

/* The player's risk JSON, checked against the contract. Caller decrefs. */
static json_t *risk(const struct player_state *st)
{
	json_t *j = risk_player_json("p42", st, pol);
	assert_non_null(j);
	expect_contract(j);
	return j;
}

static const char *str(const json_t *j, const char *key) { return json_string_value(json_object_get(j, key)); }
static json_int_t num(const json_t *j, const char *key) { return json_integer_value(json_object_get(j, key)); }

static void expect_reason(const json_t *j, size_t i, const char *rule, json_int_t points, const char *detail)
{
	json_t *r = json_array_get(json_object_get(j, "reasons"), i);
	if (!r)
		fail_msg("no reason %zu (want %s)", i, rule);
	assert_string_equal(str(r, "rule"), rule);
	assert_int_equal(num(r, "points"), points);
	if (detail)
		assert_string_equal(str(r, "detail"), detail);
}

static void expect_limit(const json_t *j, size_t i, const char *kind, const char *period, json_int_t value,
			 json_int_t used)
{
	json_t *l = json_array_get(json_object_get(j, "limits"), i);
	if (!l)
		fail_msg("no limit %zu (want %s per %s)", i, kind, period);
	assert_string_equal(str(l, "limit"), kind);
	assert_string_equal(str(l, "period"), period);
	assert_int_equal(num(l, "value"), value);
	assert_int_equal(num(l, "used"), used);
}

/* Sum of the reasons' points, which is the score below the cap. */
static json_int_t points(const json_t *j)
{
	json_int_t sum = 0;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(j, "reasons"), i, r)
		sum += num(r, "points");
	return sum;
}

/* ---- players --------------------------------------------------------------- */

static void test_new_player_is_green(void **state)
{
	(void)state;
	struct player_state st;
	char want[POLICY_ID_MAX + 1];
	state_init(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR(1000));
	json_t *j = risk(&st);
	assert_string_equal(str(j, "player_id"), "p42");
	assert_string_equal(str(j, "level"), "green");
	assert_int_equal(num(j, "score"), 0);
	assert_int_equal(json_array_size(json_object_get(j, "reasons")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "limits")), 0);
	assert_true(json_is_null(json_object_get(j, "excluded_until")));
	assert_string_equal(str(j, "currency"), "EUR");
	assert_string_equal(str(j, "as_of"), "2026-11-02T20:00:00Z");
	/* the policy that scored it, as name@sha256:hex */
	assert_string_equal(str(j, "policy"), pol->id);
	snprintf(want, sizeof(want), "%s@sha256:", pol->name);
	assert_memory_equal(str(j, "policy"), want, strlen(want));
	assert_int_equal(strlen(str(j, "policy")), strlen(want) + 64);
	json_decref(j);
	/* the player id is the caller's, written as given */
	j = risk_player_json("player:\"7\"", &st, pol);
	assert_string_equal(str(j, "player_id"), "player:\"7\"");
	json_decref(j);

	/* no money event yet: no currency */
	state_init(&st);
	play(&st, "2026-11-02T20:00:00Z", "session_start", "\"session_id\":\"s1\"");
	j = risk(&st);
	assert_string_equal(str(j, "level"), "green");
	assert_true(json_is_null(json_object_get(j, "currency")));
	json_decref(j);
}

/* Loses each deposit within minutes and deposits again. */
static void chase_losses(struct player_state *st)
{
	play(st, "2026-11-02T20:00:00Z", "deposit", EUR(5000));
	play(st, "2026-11-02T20:10:00Z", "game_round", LOSS(5000));
	play(st, "2026-11-02T20:20:00Z", "deposit", EUR(5000));
	play(st, "2026-11-02T20:30:00Z", "game_round", LOSS(5000));
	play(st, "2026-11-02T20:40:00Z", "deposit", EUR(5000));
}

static void test_amber_player_has_reasons(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	chase_losses(&st);
	json_t *j = risk(&st);
	assert_string_equal(str(j, "level"), "amber");
	assert_int_equal(num(j, "score"), 50);
	assert_int_equal(json_array_size(json_object_get(j, "reasons")), 2);
	/* strongest first, each with the numbers behind it */
	expect_reason(j, 0, "loss_chasing.deposit_after_loss", 30,
		      "2 deposits (100 EUR) each within 30 min of a loss, after losing 100 EUR in all (within 24 h)");
	expect_reason(j, 1, "loss_chasing.redeposit_after_depletion", 20,
		      "deposited 50 EUR 10 min after a loss left the balance at 0 EUR of the previous 50 EUR deposit");
	assert_int_equal(points(j), num(j, "score"));
	assert_string_equal(str(j, "as_of"), "2026-11-02T20:40:00Z");
	json_decref(j);
}

static void test_reasons_fade_with_the_half_life(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	chase_losses(&st);
	/* 14 days (the built-in half-life) later the player comes back */
	play(&st, "2026-11-16T20:40:00Z", "session_start", "\"session_id\":\"back\"");
	json_t *j = risk(&st);
	expect_reason(j, 0, "loss_chasing.deposit_after_loss", 15, NULL);
	expect_reason(j, 1, "loss_chasing.redeposit_after_depletion", 10, NULL);
	assert_int_equal(num(j, "score"), 25);
	/* under the amber cut-off (30) but not below it by the hysteresis (10) */
	assert_string_equal(str(j, "level"), "amber");
	assert_string_equal(str(j, "as_of"), "2026-11-16T20:40:00Z");
	json_decref(j);

	/* another half-life: 8 + 5 points, green */
	play(&st, "2026-11-30T20:40:00Z", "session_start", "\"session_id\":\"again\"");
	j = risk(&st);
	assert_int_equal(num(j, "score"), 13);
	assert_int_equal(points(j), 13);
	assert_string_equal(str(j, "level"), "green");
	json_decref(j);
}

static void test_red_player_over_their_limit(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	play(&st, "2026-11-02T10:00:00Z", "limit_set", LIMIT("deposit", "day", 10000));
	play(&st, "2026-11-02T12:00:00Z", "deposit", EUR(6500));
	json_t *j = risk(&st);
	assert_string_equal(str(j, "level"), "green");
	expect_limit(j, 0, "deposit", "day", 10000, 6500);
	json_decref(j);

	play(&st, "2026-11-02T13:00:00Z", "deposit", EUR(6500));
	j = risk(&st);
	assert_string_equal(str(j, "level"), "red");
	assert_int_equal(num(j, "score"), 100);
	expect_reason(j, 0, "limits.breach", 100,
		      "approved deposits of 130 EUR exceed the player's own daily deposit limit of 100 EUR (operator failure)");
	expect_reason(j, 1, "limits.near_breach", 10, "used 130% of the daily deposit limit (130 EUR of 100 EUR)");
	assert_int_equal(json_array_size(json_object_get(j, "limits")), 1);
	expect_limit(j, 0, "deposit", "day", 10000, 13000);
	assert_true(json_is_null(json_object_get(j, "excluded_until")));
	json_decref(j);
}

static void test_limits_and_their_use(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	/* Brussels time: 2026-11-02 is UTC+1 */
	play(&st, "2026-11-01T09:00:00Z", "limit_set", LIMIT("session_time", "day", 120));
	play(&st, "2026-11-01T09:00:00Z", "limit_set", LIMIT("loss", "week", 100000));
	play(&st, "2026-11-01T09:00:00Z", "limit_set", LIMIT("deposit", "month", 500000));
	play(&st, "2026-11-01T09:00:00Z", "limit_set", LIMIT("deposit", "day", 200000));
	play(&st, "2026-11-01T10:00:00Z", "deposit", EUR(20000));
	play(&st, "2026-11-01T10:05:00Z", "game_round", LOSS(3000));
	play(&st, "2026-11-02T18:00:00Z", "session_start", "\"session_id\":\"s1\"");
	play(&st, "2026-11-02T18:10:00Z", "deposit", EUR(10000));
	play(&st, "2026-11-02T18:20:00Z", "game_round", LOSS(2500));
	play(&st, "2026-11-02T18:30:00Z", "game_round", "\"stake\":500,\"payout\":2000,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T18:45:00Z", "game_round", LOSS(1000));

	json_t *j = risk(&st);
	assert_int_equal(json_array_size(json_object_get(j, "limits")), 4);
	/* by limit, then period */
	expect_limit(j, 0, "deposit", "day", 200000, 10000);   /* today only */
	expect_limit(j, 1, "deposit", "month", 500000, 30000); /* both days */
	expect_limit(j, 2, "loss", "week", 100000, 5000);      /* 30 + 25 - 15 + 10 EUR net */
	expect_limit(j, 3, "session_time", "day", 120, 45);    /* the open session, up to as_of */
	assert_string_equal(str(j, "as_of"), "2026-11-02T18:45:00Z");
	json_decref(j);

	/* 23:30 UTC is 00:30 on 3 November in Brussels: a new day for the
	 * daily limits, the same week and month */
	play(&st, "2026-11-02T23:30:00Z", "session_end", "\"session_id\":\"s1\"");
	j = risk(&st);
	expect_limit(j, 0, "deposit", "day", 200000, 0);
	expect_limit(j, 1, "deposit", "month", 500000, 30000);
	expect_limit(j, 2, "loss", "week", 100000, 5000);
	expect_limit(j, 3, "session_time", "day", 120, 30);
	json_decref(j);
}

static void test_winning_player_uses_no_loss_limit(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	play(&st, "2026-11-02T10:00:00Z", "limit_set", LIMIT("loss", "day", 5000));
	play(&st, "2026-11-02T10:05:00Z", "game_round", "\"stake\":1000,\"payout\":9000,\"currency\":\"EUR\"");
	json_t *j = risk(&st);
	expect_limit(j, 0, "loss", "day", 5000, 0);
	json_decref(j);
}

static void test_raised_limit_shows_what_is_pending(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	play(&st, "2026-11-02T10:00:00Z", "limit_set", LIMIT("deposit", "week", 10000));
	play(&st, "2026-11-05T10:00:00Z", "limit_set", LIMIT("deposit", "week", 50000));
	/* the raise waits out the policy's delay (24 h): the old limit holds */
	json_t *j = risk(&st);
	expect_limit(j, 0, "deposit", "week", 10000, 0);
	json_t *l = json_array_get(json_object_get(j, "limits"), 0);
	assert_int_equal(num(l, "pending_value"), 50000);
	json_decref(j);

	play(&st, "2026-11-06T09:59:00Z", "deposit", EUR(100));
	j = risk(&st);
	expect_limit(j, 0, "deposit", "week", 10000, 100);
	assert_int_equal(num(json_array_get(json_object_get(j, "limits"), 0), "pending_value"), 50000);
	json_decref(j);

	play(&st, "2026-11-06T10:00:00Z", "deposit", EUR(100));
	j = risk(&st);
	expect_limit(j, 0, "deposit", "week", 50000, 200);
	assert_null(json_object_get(json_array_get(json_object_get(j, "limits"), 0), "pending_value"));
	json_decref(j);

	/* a lower limit holds at once, nothing pending */
	play(&st, "2026-11-06T11:00:00Z", "limit_set", LIMIT("deposit", "week", 20000));
	j = risk(&st);
	expect_limit(j, 0, "deposit", "week", 20000, 200);
	assert_null(json_object_get(json_array_get(json_object_get(j, "limits"), 0), "pending_value"));
	json_decref(j);
}

static void test_excluded_player(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	chase_losses(&st);
	play(&st, "2026-11-03T09:15:30Z", "self_exclusion", "\"days\":7,\"source\":\"player\"");
	json_t *j = risk(&st);
	assert_string_equal(str(j, "level"), "excluded");
	assert_string_equal(str(j, "excluded_until"), "2026-11-10T09:15:30Z"); /* 7 x 24 h from its start */
	/* the reasons that led there stay visible */
	expect_reason(j, 0, "loss_chasing.deposit_after_loss", 29, NULL);
	json_decref(j);

	/* still inside: a declined deposit attempt */
	play(&st, "2026-11-10T09:15:29Z", "deposit", EUR(100) ",\"status\":\"declined\"");
	j = risk(&st);
	assert_string_equal(str(j, "level"), "excluded");
	assert_string_equal(str(j, "excluded_until"), "2026-11-10T09:15:30Z");
	json_decref(j);

	/* the pause is over at its end time */
	play(&st, "2026-11-10T09:15:30Z", "session_start", "\"session_id\":\"back\"");
	j = risk(&st);
	assert_string_not_equal(str(j, "level"), "excluded");
	assert_true(json_is_null(json_object_get(j, "excluded_until")));
	json_decref(j);
}

static void test_indefinite_exclusion(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	play(&st, "2026-11-02T10:00:00Z", "deposit", EUR(1000));
	play(&st, "2026-11-02T11:00:00Z", "self_exclusion", "\"source\":\"register\"");
	json_t *j = risk(&st);
	assert_string_equal(str(j, "level"), "excluded");
	/* no end time: the string "indefinite", not a time and not null */
	assert_string_equal(str(j, "excluded_until"), "indefinite");
	json_decref(j);

	/* years later it still holds */
	play(&st, "2031-01-01T00:00:00Z", "deposit", EUR(1000) ",\"status\":\"declined\"");
	j = risk(&st);
	assert_string_equal(str(j, "level"), "excluded");
	assert_string_equal(str(j, "excluded_until"), "indefinite");
	assert_string_equal(str(j, "as_of"), "2031-01-01T00:00:00Z");
	json_decref(j);

	/* a timed pause replaces it from its own start */
	play(&st, "2031-01-02T00:00:00Z", "self_exclusion", "\"days\":1,\"source\":\"operator\"");
	j = risk(&st);
	assert_string_equal(str(j, "excluded_until"), "2031-01-03T00:00:00Z");
	json_decref(j);
}

/* ---- times and names ------------------------------------------------------- */

static void test_times_are_utc(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	/* an event with an offset and milliseconds */
	play(&st, "2026-11-02T21:00:00.250+01:00", "deposit", EUR(1000));
	json_t *j = risk(&st);
	assert_string_equal(str(j, "as_of"), "2026-11-02T20:00:00.250Z");
	json_decref(j);
	play(&st, "2026-11-02T22:00:00+01:00", "self_exclusion", "\"days\":2,\"source\":\"player\"");
	j = risk(&st);
	assert_string_equal(str(j, "as_of"), "2026-11-02T21:00:00Z");
	assert_string_equal(str(j, "excluded_until"), "2026-11-04T21:00:00Z");
	json_decref(j);

	j = risk_time_json(ENGINE_NO_TIME);
	assert_true(json_is_null(j));
	json_decref(j);
	j = risk_time_json(0);
	assert_string_equal(json_string_value(j), "1970-01-01T00:00:00Z");
	json_decref(j);
	j = risk_time_json(t_ms("2026-11-22T20:51:07.005Z"));
	assert_string_equal(json_string_value(j), "2026-11-22T20:51:07.005Z");
	json_decref(j);
}

static void test_level_names(void **state)
{
	(void)state;
	/* the four levels of DESIGN 1.3, in the enum's order */
	static const char *const names[LEVEL_COUNT] = { "green", "amber", "red", "excluded" };
	for (int l = 0; l < LEVEL_COUNT; l++)
		assert_string_equal(risk_level_name((enum risk_level)l), names[l]);
	assert_string_equal(risk_level_name(LEVEL_COUNT), "?");
	assert_string_equal(risk_level_name((enum risk_level)200), "?");

	/* and the JSON writes the level the state holds, by that table */
	struct player_state st;
	state_init(&st);
	play(&st, "2026-11-02T10:00:00Z", "deposit", EUR(1000));
	for (int l = 0; l < LEVEL_COUNT; l++) {
		st.level = (uint8_t)l;
		json_t *j = risk_player_json("p42", &st, pol);
		assert_string_equal(str(j, "level"), names[l]);
		json_decref(j);
	}
}

/* policies/default.json with its amber action set to `action`. */
static int load_with_amber_action(struct policy *p, const char *action, char *err, size_t errlen)
{
	static const char from[] = "\"amber\": \"limits\"";
	char *text = NULL, *out;
	struct policy base;
	assert_int_equal(policy_load(&base, "policies/default.json", &text, err, errlen), 0);
	char *at = strstr(text, from);
	assert_non_null(at);
	size_t n = strlen(text) + strlen(action) + 16;
	assert_non_null(out = malloc(n));
	snprintf(out, n, "%.*s\"amber\": \"%s\"%s", (int)(at - text), text, action, at + strlen(from));
	int rc = policy_load_json(p, out, strlen(out), err, errlen);
	free(out);
	free(text);
	return rc;
}

static void test_action_names_round_trip(void **state)
{
	(void)state;
	static const char *const names[ACTION_COUNT] = { "limits", "pause", "self_exclusion", "financial_check",
							 "contact", "deposit_block", "compliance_review" };
	struct policy *p = malloc(sizeof(*p));
	char err[512];
	assert_non_null(p);
	for (int a = 0; a < ACTION_COUNT; a++) {
		assert_string_equal(risk_action_name((enum risk_action)a), names[a]);
		/* a policy that names the action gets that action back */
		if (load_with_amber_action(p, names[a], err, sizeof(err)) < 0)
			fail_msg("%s: %s", names[a], err);
		assert_int_equal(p->action_for[LEVEL_AMBER], a);
		assert_string_equal(risk_action_name((enum risk_action)p->action_for[LEVEL_AMBER]), names[a]);
	}
	assert_string_equal(risk_action_name(ACTION_COUNT), "?");
	/* any other name is refused, and the error lists the table */
	assert_int_equal(load_with_amber_action(p, "warn", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "actions.amber"));
	assert_non_null(strstr(err, "must be one of \"limits\", \"pause\", \"self_exclusion\", \"financial_check\", "
				    "\"contact\", \"deposit_block\", \"compliance_review\""));
	assert_int_equal(load_with_amber_action(p, "Pause", err, sizeof(err)), -1);
	free(p);
}

/* ---- what an agent reads ---------------------------------------------------- */

/* Fails if text shows one of the amounts that staff_text writes before
 * " EUR", or an age ("age 22"). */
static void expect_no_money_or_age(const char *staff_text, const char *text, const char *rule)
{
	if (strstr(text, "EUR") || strstr(text, "minor units"))
		fail_msg("%s: agent text names money: \"%s\"", rule, text);
	for (const char *a = strstr(text, "age "); a; a = strstr(a + 1, "age "))
		if (a[4] >= '0' && a[4] <= '9')
			fail_msg("%s: agent text names an age: \"%s\"", rule, text);
	for (const char *e = strstr(staff_text, " EUR"); e; e = strstr(e + 1, " EUR")) {
		const char *b = e;
		while (b > staff_text && strchr("0123456789,.-", b[-1]))
			b--;
		char amount[48];
		snprintf(amount, sizeof(amount), "%.*s", (int)(e - b), b);
		if (amount[0] && strstr(text, amount))
			fail_msg("%s: agent text shows the amount %s: \"%s\"", rule, amount, text);
	}
}

/* Every rule, with money at each of its numbers: the staff text shows the
 * amounts (and an age for the age bands), the agent text none of them. */
static void test_agent_reasons_show_no_money_or_age(void **state)
{
	(void)state;
	/* v[0] stays small: some rules keep a kind, period or window there */
	static const int32_t values[][RULE_VALUES] = {
		{ 3, 159913604, 22, 987654321 },
		{ 1, 4242, 159913604, 2 },
		{ 8, 987654321, 4242, 3 },
		{ 7, 159913604, 22, 1 },
	};
	int with_money = 0, with_age = 0;
	for (int r = 0; r < RULE_COUNT; r++)
		for (size_t k = 0; k < ARRAY_SIZE(values); k++) {
			struct marker m = { .rule = (uint8_t)r };
			char staff[RULE_DETAIL_MAX], agent[RULE_DETAIL_MAX];
			memcpy(m.v, values[k], sizeof(m.v));
			risk_reason_detail(&m, pol, "EUR", staff, sizeof(staff));
			risk_reason_agent_detail(&m, pol, agent, sizeof(agent));
			assert_true(agent[0] != '\0');
			expect_no_money_or_age(staff, agent, rule_defs[r]->id);
			with_money += strstr(staff, " EUR") != NULL;
			with_age += strstr(staff, "age 22") != NULL;
		}
	/* the staff texts did show what the agent's must not */
	assert_true(with_money > 40);
	assert_true(with_age >= 2);

	/* the finding of issue 18: money and age for staff, words for agents */
	struct marker m = { .rule = RULE_REGULATORY_DEPOSITS, .v = { 159913604, 100000, 22, 0 } };
	char staff[RULE_DETAIL_MAX], agent[RULE_DETAIL_MAX];
	risk_reason_detail(&m, pol, "EUR", staff, sizeof(staff));
	risk_reason_agent_detail(&m, pol, agent, sizeof(agent));
	assert_non_null(strstr(staff, "1,599,136.04 EUR"));
	assert_non_null(strstr(staff, "for age 22"));
	assert_null(strstr(agent, "1,599,136.04"));
	assert_null(strstr(agent, "22"));
	assert_non_null(strstr(agent, "deposits in"));
}

/* The agent view of a whole player: the same rules and points, reasons in
 * words, limits named without amounts; the staff view keeps every number. */
static void test_agent_view_of_a_player(void **state)
{
	(void)state;
	struct player_state st;
	state_init(&st);
	play(&st, "2026-11-02T10:00:00Z", "limit_set", LIMIT("deposit", "day", 12000));
	play(&st, "2026-11-02T12:00:00Z", "deposit", EUR(6500));
	play(&st, "2026-11-02T13:00:00Z", "deposit", EUR(6500));
	json_t *staff = risk(&st), *agent = risk_player_view_json("p42", &st, pol, RISK_VIEW_AGENT);
	assert_string_equal(str(agent, "level"), str(staff, "level"));
	assert_int_equal(num(agent, "score"), num(staff, "score"));
	json_t *sr = json_object_get(staff, "reasons"), *ar = json_object_get(agent, "reasons");
	assert_int_equal(json_array_size(ar), json_array_size(sr));
	assert_true(json_array_size(ar) >= 2);
	for (size_t i = 0; i < json_array_size(ar); i++) {
		json_t *a = json_array_get(ar, i), *s = json_array_get(sr, i);
		assert_string_equal(str(a, "rule"), str(s, "rule"));
		assert_int_equal(num(a, "points"), num(s, "points"));
		assert_non_null(strstr(str(s, "detail"), " EUR"));
		expect_no_money_or_age(str(s, "detail"), str(a, "detail"), str(a, "rule"));
	}
	expect_reason(agent, 0, "limits.breach", 100,
		      "approved deposits exceed the player's own daily deposit limit (operator failure)");
	expect_reason(agent, 1, "limits.near_breach", 10, "used 108% of the daily deposit limit");
	json_t *l = json_array_get(json_object_get(agent, "limits"), 0);
	assert_string_equal(str(l, "limit"), "deposit");
	assert_string_equal(str(l, "period"), "day");
	assert_null(json_object_get(l, "value"));
	assert_null(json_object_get(l, "used"));
	expect_limit(staff, 0, "deposit", "day", 12000, 13000);
	json_decref(agent);
	json_decref(staff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_player_is_green),
		cmocka_unit_test(test_amber_player_has_reasons),
		cmocka_unit_test(test_reasons_fade_with_the_half_life),
		cmocka_unit_test(test_red_player_over_their_limit),
		cmocka_unit_test(test_limits_and_their_use),
		cmocka_unit_test(test_winning_player_uses_no_loss_limit),
		cmocka_unit_test(test_raised_limit_shows_what_is_pending),
		cmocka_unit_test(test_excluded_player),
		cmocka_unit_test(test_indefinite_exclusion),
		cmocka_unit_test(test_times_are_utc),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_action_names_round_trip),
		cmocka_unit_test(test_agent_reasons_show_no_money_or_age),
		cmocka_unit_test(test_agent_view_of_a_player),
	};
	return cmocka_run_group_tests_name("risk", tests, setup, NULL);
}
