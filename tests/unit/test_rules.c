/* test_rules.c -- markers at their boundaries (just under / at / over),
 * windows across local midnight and DST, scoring with decay and
 * hysteresis, strong markers, and policy loading. Each test plays events
 * through engine_apply with a shipped policy, as replay does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/engine.h"
#include "rgmon/risk.h"
#include "rgmon/score.h"
#include "helpers.h"

static struct policy pol;

static const struct policy *load(const char *path)
{
	char err[512];
	if (policy_load(&pol, path, NULL, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return &pol;
}

static int seq;

/* Applies an event written as JSON fields after the common ones. */
static struct engine_result play(struct player_state *st, const char *ts, const char *type, const char *fields)
{
	struct engine_result r;
	struct event ev = make_event("{\"event_id\":\"e%d\",\"player_id\":\"p\",\"ts\":\"%s\",\"type\":\"%s\"%s%s}", ++seq,
				     ts, type, fields[0] ? "," : "", fields);
	engine_apply(st, &ev, &pol, &r);
	return r;
}

static bool holds(const struct player_state *st, enum rule_id rule)
{
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (st->markers[i].rule == rule)
			return true;
	return false;
}

static bool is_new(const struct engine_result *r, enum rule_id rule)
{
	for (int i = 0; i < r->nnew; i++)
		if (r->new_rules[i] == rule)
			return true;
	return false;
}

/* An obligation the event made due (a task for staff, not a marker). */
static bool owes(const struct engine_result *r, enum rule_id rule)
{
	for (int i = 0; i < r->nowed; i++)
		if (r->owed[i].rule == rule)
			return true;
	return false;
}

static void fresh(struct player_state *st) { state_init(st); }

#define EUR_DEP(amount) "\"amount\":" #amount ",\"currency\":\"EUR\""

static void test_near_breach_at_80_percent(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/nl.json");
	fresh(&st);
	play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"day\",\"value\":10000");
	play(&st, "2026-11-02T10:00:00+01:00", "deposit", EUR_DEP(7999));
	assert_false(holds(&st, RULE_LIMITS_NEAR_BREACH)); /* 79.99% */
	struct engine_result r = play(&st, "2026-11-02T10:05:00+01:00", "deposit", EUR_DEP(1));
	assert_true(is_new(&r, RULE_LIMITS_NEAR_BREACH)); /* 80% exactly */
	assert_false(holds(&st, RULE_LIMITS_BREACH));
	/* The next local day starts from zero. */
	fresh(&st);
	play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"day\",\"value\":10000");
	play(&st, "2026-11-02T23:59:00+01:00", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-03T00:01:00+01:00", "deposit", EUR_DEP(5000));
	assert_false(holds(&st, RULE_LIMITS_NEAR_BREACH));
}

/* Amounts are bounded (10^11) but day sums are 32-bit: enough deposits in
 * one day still saturate one. The reasons and the limit's use must then
 * say "at least", never show the cap as the amount. */
static void test_saturated_sums_read_at_least(void **state)
{
	(void)state;
	struct player_state st;
	struct risk_reason r[ENGINE_MARKERS];
	int64_t now = 0;
	load("policies/nl.json");
	fresh(&st);
	play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"day\",\"value\":10000");
	for (int i = 0; i < 3; i++)
		play(&st, "2026-11-02T10:00:00+01:00", "deposit", EUR_DEP(1000000000)); /* 10 million EUR each */
	assert_int_equal(state_day(&st, (int32_t)ts_days_from_civil(2026, 11, 2))->deposited, ENGINE_SUM_MAX);
	assert_int_equal(ts_parse_rfc3339("2026-11-02T10:00:00+01:00", &now), 0);
	int n = risk_reasons(&st, &pol, now, r), shown = 0;
	for (int i = 0; i < n; i++) {
		const char *cap = strstr(r[i].detail, "21,474,836.47 EUR");
		if (!cap)
			continue;
		shown++;
		assert_true(cap - r[i].detail >= 9);
		if (strncmp(cap - 9, "at least ", 9) != 0)
			fail_msg("a capped sum shown as an amount: %s", r[i].detail);
	}
	assert_true(shown > 0);
	json_t *risk = risk_player_json("p", &st, &pol), *limit = json_array_get(json_object_get(risk, "limits"), 0);
	assert_int_equal(json_integer_value(json_object_get(limit, "used")), ENGINE_SUM_MAX);
	assert_true(json_is_true(json_object_get(limit, "used_at_least")));
	json_decref(risk);
	/* Below the cap a sum is shown as itself. */
	fresh(&st);
	play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"day\",\"value\":10000");
	play(&st, "2026-11-02T10:00:00+01:00", "deposit", EUR_DEP(2147483646));
	n = risk_reasons(&st, &pol, now, r);
	for (int i = 0; i < n; i++)
		assert_null(strstr(r[i].detail, "at least"));
	risk = risk_player_json("p", &st, &pol);
	assert_null(json_object_get(json_array_get(json_object_get(risk, "limits"), 0), "used_at_least"));
	json_decref(risk);
}

static void test_breach_is_strong_and_red_at_once(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/nl.json");
	fresh(&st);
	play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"week\",\"value\":10000");
	struct engine_result r = play(&st, "2026-11-02T10:00:00+01:00", "deposit", EUR_DEP(10000));
	assert_false(holds(&st, RULE_LIMITS_BREACH)); /* at the limit: allowed */
	r = play(&st, "2026-11-04T10:00:00+01:00", "deposit", EUR_DEP(1));
	assert_true(is_new(&r, RULE_LIMITS_BREACH));
	assert_true(r.raise);
	assert_true(r.raise_strong);
	assert_int_equal(r.raise_rule, RULE_LIMITS_BREACH);
	assert_int_equal(r.level, LEVEL_RED);
	/* Eight days later the week holds only the new deposit. */
	r = play(&st, "2026-11-10T10:00:00+01:00", "deposit", EUR_DEP(5000));
	assert_false(is_new(&r, RULE_LIMITS_BREACH));
}

static void test_raise_waits_for_the_delay(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/se.json"); /* raises apply after 72 h */
	fresh(&st);
	play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"day\",\"value\":10000");
	struct engine_result r =
		play(&st, "2026-11-03T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"day\",\"value\":50000");
	assert_true(is_new(&r, RULE_LIMITS_RAISE_IN_COOLING_OFF)); /* 24 h after the last change, cooling-off 72 h */
	r = play(&st, "2026-11-03T10:00:00+01:00", "deposit", "\"amount\":20000,\"currency\":\"SEK\"");
	assert_true(is_new(&r, RULE_LIMITS_BREACH)); /* the old limit still holds */
}

static void test_high_limit_se(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/se.json");
	fresh(&st);
	/* SEK 10,000 a month exactly: no contact needed; one öre more: contact
	 * is owed (an obligation: a task, no marker, no points). */
	struct engine_result r =
		play(&st, "2026-11-02T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"month\",\"value\":1000000");
	assert_false(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	play(&st, "2026-11-02T09:00:01+01:00", "deposit", "\"amount\":100,\"currency\":\"SEK\""); /* currency known */
	r = play(&st, "2026-11-06T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"month\",\"value\":1000001");
	assert_true(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	assert_false(holds(&st, RULE_LIMITS_HIGH_LIMIT));
	assert_int_equal(r.score, 0);
	/* owed once a month: a second raise in November owes nothing new */
	r = play(&st, "2026-11-16T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"month\",\"value\":1500000");
	assert_false(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	r = play(&st, "2026-12-01T09:00:00+01:00", "limit_set", "\"limit\":\"deposit\",\"period\":\"month\",\"value\":1600000");
	assert_true(owes(&r, RULE_LIMITS_HIGH_LIMIT));
}

static void test_nl_age_bands(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/nl.json"); /* EUR 300 for 18-23, EUR 700 for 24+: a check owed */
	const char *young = "\"birth_year\":2003", *older = "\"birth_year\":2002"; /* 23 and 24 in 2026 */
	fresh(&st);
	play(&st, "2026-11-01T09:00:00+01:00", "account", young);
	r = play(&st, "2026-11-02T09:00:00+01:00", "deposit", EUR_DEP(29999));
	assert_false(owes(&r, RULE_REGULATORY_DEPOSITS));
	r = play(&st, "2026-11-20T09:00:00+01:00", "deposit", EUR_DEP(1));
	assert_true(owes(&r, RULE_REGULATORY_DEPOSITS));
	fresh(&st);
	play(&st, "2026-11-01T09:00:00+01:00", "account", older);
	r = play(&st, "2026-11-02T09:00:00+01:00", "deposit", EUR_DEP(69999));
	assert_false(owes(&r, RULE_REGULATORY_DEPOSITS));
	r = play(&st, "2026-11-02T09:01:00+01:00", "deposit", EUR_DEP(1));
	assert_true(owes(&r, RULE_REGULATORY_DEPOSITS));
}

static void test_nl_more_than_six_hours(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/nl.json");
	/* A session from 18:00 to 00:00 local is exactly 6 h on one day. */
	fresh(&st);
	play(&st, "2026-11-02T18:00:00+01:00", "session_start", "\"session_id\":\"s\"");
	struct engine_result r = play(&st, "2026-11-03T00:00:00+01:00", "session_end", "\"session_id\":\"s\"");
	assert_false(is_new(&r, RULE_INTENSITY_DAILY_PLAY_TIME));
	/* One minute more, but past midnight: split over two days, still not. */
	fresh(&st);
	play(&st, "2026-11-02T18:00:00+01:00", "session_start", "\"session_id\":\"s\"");
	r = play(&st, "2026-11-03T00:01:00+01:00", "session_end", "\"session_id\":\"s\"");
	assert_false(is_new(&r, RULE_INTENSITY_DAILY_PLAY_TIME));
	/* 6 h 1 min within the day: more than 6 h. */
	fresh(&st);
	play(&st, "2026-11-02T17:59:00+01:00", "session_start", "\"session_id\":\"s\"");
	r = play(&st, "2026-11-03T00:00:00+01:00", "session_end", "\"session_id\":\"s\"");
	assert_true(is_new(&r, RULE_INTENSITY_DAILY_PLAY_TIME));
	assert_true(is_new(&r, RULE_INTENSITY_LONG_SESSION)); /* 3 h threshold */
}

static void test_es_net_loss_three_weeks(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/es.json"); /* EUR 600 over 21 days, EUR 200 for 18-25 */
	const char *round = "\"stake\":30000,\"payout\":0,\"currency\":\"EUR\"";
	fresh(&st);
	play(&st, "2026-11-01T09:00:00+01:00", "account", "\"birth_year\":1980");
	play(&st, "2026-11-01T12:00:00+01:00", "game_round", round);
	/* 21 local days later (Nov 22 is day 22): the first loss has left the window. */
	play(&st, "2026-11-22T12:00:00+01:00", "game_round", "\"stake\":29999,\"payout\":0,\"currency\":\"EUR\"");
	assert_false(holds(&st, RULE_REGULATORY_NET_LOSS));
	play(&st, "2026-11-22T12:01:00+01:00", "game_round", "\"stake\":30001,\"payout\":0,\"currency\":\"EUR\"");
	assert_true(holds(&st, RULE_REGULATORY_NET_LOSS)); /* 60,000 within Nov 2..22 */
	fresh(&st);
	play(&st, "2026-11-01T09:00:00+01:00", "account", "\"birth_year\":2001"); /* 25 */
	play(&st, "2026-11-02T12:00:00+01:00", "game_round", "\"stake\":20000,\"payout\":0,\"currency\":\"EUR\"");
	assert_true(holds(&st, RULE_REGULATORY_NET_LOSS));
}

static void test_day_window_follows_dst(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/se.json"); /* money.net_loss: a day threshold */
	int64_t day_t = pol.rules[RULE_MONEY_NET_LOSS].money[0][policy_currency_index(&pol, "SEK")];
	char f[128];
	/* 2026-10-25: Stockholm leaves summer time at 03:00 local; the local
	 * day runs 25 h, 22:00Z on Oct 24 to 23:00Z on Oct 25. */
	fresh(&st);
	snprintf(f, sizeof(f), "\"stake\":%lld,\"payout\":0,\"currency\":\"SEK\"", (long long)(day_t / 2));
	play(&st, "2026-10-24T22:00:00Z", "game_round", f); /* 00:00 local, Oct 25 */
	play(&st, "2026-10-25T22:59:00Z", "game_round", f); /* 23:59 local, Oct 25 */
	assert_true(holds(&st, RULE_MONEY_NET_LOSS));
	fresh(&st);
	play(&st, "2026-10-24T21:59:00Z", "game_round", f); /* 23:59 local, Oct 24 */
	play(&st, "2026-10-25T22:59:00Z", "game_round", f);
	assert_false(holds(&st, RULE_MONEY_NET_LOSS));
}

static void test_deposit_after_loss_count(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/default.json"); /* loss_min EUR 20, within 30 min, count 2 */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-02T20:10:00Z", "game_round", "\"stake\":5000,\"payout\":0,\"currency\":\"EUR\"");
	struct engine_result r = play(&st, "2026-11-02T20:40:00Z", "deposit", EUR_DEP(5000)); /* 30 min: counts */
	assert_false(holds(&st, RULE_CHASING_DEPOSIT_AFTER_LOSS));                          /* one is not a pattern */
	play(&st, "2026-11-02T20:45:00Z", "game_round", "\"stake\":1999,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-02T20:50:00Z", "deposit", EUR_DEP(5000)); /* lost 19.99: under loss_min */
	assert_false(is_new(&r, RULE_CHASING_DEPOSIT_AFTER_LOSS));
	play(&st, "2026-11-02T20:55:00Z", "game_round", "\"stake\":2000,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-02T21:26:00Z", "deposit", EUR_DEP(5000)); /* 31 min after the loss */
	assert_false(is_new(&r, RULE_CHASING_DEPOSIT_AFTER_LOSS));
	play(&st, "2026-11-02T21:30:00Z", "game_round", "\"stake\":2000,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-02T21:35:00Z", "deposit", EUR_DEP(5000));
	assert_true(is_new(&r, RULE_CHASING_DEPOSIT_AFTER_LOSS));
	struct risk_reason why[ENGINE_MARKERS];
	int n = risk_reasons(&st, &pol, st.last_seen_ms, why);
	bool found = false;
	for (int i = 0; i < n; i++)
		if (why[i].rule == RULE_CHASING_DEPOSIT_AFTER_LOSS) {
			found = true;
			assert_string_equal(why[i].detail,
					    "2 deposits (100 EUR) each within 30 min of a loss, after losing 70 EUR in all (within 24 h)");
		}
	assert_true(found);
}

static void test_exclusion_breach(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/uk.json");
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "self_exclusion", "\"days\":7,\"source\":\"player\"");
	struct engine_result r = play(&st, "2026-11-02T20:30:00Z", "deposit", "\"amount\":100,\"currency\":\"GBP\",\"status\":\"declined\"");
	assert_false(r.raise); /* the block worked */
	assert_int_equal(r.level, LEVEL_EXCLUDED);
	r = play(&st, "2026-11-09T19:59:59Z", "deposit", "\"amount\":100,\"currency\":\"GBP\"");
	assert_true(r.raise);
	assert_int_equal(r.raise_rule, RULE_EXCLUSION_BREACH);
	r = play(&st, "2026-11-09T20:00:00Z", "deposit", "\"amount\":100,\"currency\":\"GBP\""); /* pause over */
	assert_false(is_new(&r, RULE_EXCLUSION_BREACH));
	assert_int_not_equal(r.level, LEVEL_EXCLUDED);
}

static void test_decay_and_hysteresis(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/default.json"); /* half-life 14 d, amber 30, red 60, hysteresis 10 */
	struct marker m = { .at_min = (uint32_t)(t_ms("2026-11-01T00:00:00Z") / MS_PER_MIN), .rule = RULE_CONTACT_BONUS_REQUESTS };
	int64_t w = pol.rules[m.rule].weight * 1000;
	assert_int_equal(score_marker_points(&m, &pol, t_ms("2026-11-01T00:00:00Z")), w);
	assert_int_equal(score_marker_points(&m, &pol, t_ms("2026-11-15T00:00:00Z")), w / 2);
	assert_int_equal(score_marker_points(&m, &pol, t_ms("2026-11-29T00:00:00Z")), w / 4);
	assert_true(score_marker_points(&m, &pol, t_ms("2026-11-08T00:00:00Z")) < w);
	assert_true(score_marker_points(&m, &pol, t_ms("2026-11-08T00:00:00Z")) > w / 2);

	/* Amber at 30; it stays amber down to 20 and falls below. */
	fresh(&st);
	for (int i = 0; i < 3; i++) { /* bonus requests: 15 points */
		char ts[64];
		snprintf(ts, sizeof(ts), "2026-11-0%dT10:00:00Z", i + 1);
		play(&st, ts, "contact", "\"channel\":\"chat\",\"topic\":\"bonus_request\"");
	}
	play(&st, "2026-11-03T11:00:00Z", "contact", "\"channel\":\"chat\",\"topic\":\"complaint\"");
	struct engine_result r = play(&st, "2026-11-03T12:00:00Z", "contact", "\"channel\":\"chat\",\"topic\":\"withdrawal_delay\"");
	assert_int_equal(r.score, 25); /* 15 + 10 */
	assert_int_equal(r.level, LEVEL_GREEN);
	st.score = 0;
	/* Two more markers push it over 30: amber, and an alert. */
	r = play(&st, "2026-11-03T12:30:00Z", "deposit", "\"amount\":100,\"currency\":\"EUR\",\"instrument\":\"a\"");
	play(&st, "2026-11-03T12:31:00Z", "deposit", "\"amount\":100,\"currency\":\"EUR\",\"instrument\":\"b\"");
	r = play(&st, "2026-11-03T12:32:00Z", "deposit", "\"amount\":100,\"currency\":\"EUR\",\"instrument\":\"c\"");
	assert_int_equal(r.score, 40);
	assert_int_equal(r.level, LEVEL_AMBER);
	assert_true(r.raise);
	assert_false(r.raise_strong); /* a rise in level, due as the level says */
	/* 40 halves to 20 in 14 days: still amber at 20 (hysteresis), green below. */
	r = play(&st, "2026-11-17T12:32:00Z", "account", "\"country\":\"SE\"");
	assert_int_equal(r.score, 20);
	assert_int_equal(r.level, LEVEL_AMBER);
	assert_false(r.raise);
	r = play(&st, "2026-11-18T12:32:00Z", "account", "\"country\":\"SE\"");
	assert_true(r.score < 20);
	assert_int_equal(r.level, LEVEL_GREEN);
}

static void test_out_of_order_within_window(void **state)
{
	(void)state;
	struct player_state a, b;
	load("policies/default.json");
	/* The same events in another order (a late arrival inside the kept
	 * window) give the same day sums and the same money markers. */
	fresh(&a);
	fresh(&b);
	play(&a, "2026-11-02T10:00:00Z", "game_round", "\"stake\":20000,\"payout\":0,\"currency\":\"EUR\"");
	play(&a, "2026-11-02T11:00:00Z", "game_round", "\"stake\":20000,\"payout\":0,\"currency\":\"EUR\"");
	play(&b, "2026-11-02T11:00:00Z", "game_round", "\"stake\":20000,\"payout\":0,\"currency\":\"EUR\"");
	play(&b, "2026-11-02T10:00:00Z", "game_round", "\"stake\":20000,\"payout\":0,\"currency\":\"EUR\"");
	int32_t day = (int32_t)(t_ms("2026-11-02T00:00:00Z") / MS_PER_DAY) ;
	int32_t local = tz_local_day(&pol.tz, t_ms("2026-11-02T10:00:00Z"));
	assert_int_equal(local, day);
	assert_int_equal(state_day(&a, day)->net_loss, state_day(&b, day)->net_loss);
	assert_true(holds(&a, RULE_MONEY_NET_LOSS));
	assert_true(holds(&b, RULE_MONEY_NET_LOSS));
}


/* Count rules: count - 1 occurrences do not hold, count do. Each case
 * plays `count` events of one kind (default policy, UTC days) and checks
 * the rule only on the last. */
struct count_case {
	enum rule_id rule;
	const char *type, *fields;
	bool numbered; /* add a different "instrument" to each event */
	int count, minutes_apart;
};

static void play_count_case(const struct count_case *c)
{
	struct player_state st;
	struct engine_result r = { 0 };
	char ts[64], fields[256];
	fresh(&st);
	play(&st, "2026-11-02T00:00:00Z", "deposit", EUR_DEP(100)); /* currency known */
	for (int i = 0; i < c->count; i++) {
		int64_t t = t_ms("2026-11-02T01:00:00Z") + (int64_t)i * c->minutes_apart * MS_PER_MIN;
		ts_format_rfc3339(t, ts, sizeof(ts));
		snprintf(fields, sizeof(fields), "%s%s%d%s", c->fields, c->numbered ? ",\"instrument\":\"card-" : "",
			 c->numbered ? i : 0, c->numbered ? "\"" : "");
		if (!c->numbered)
			rg_strlcpy(fields, c->fields, sizeof(fields));
		r = play(&st, ts, c->type, fields);
		if (i == c->count - 2 && is_new(&r, c->rule))
			fail_msg("%s held after %d of %d", rule_defs[c->rule]->id, i + 1, c->count);
	}
	if (!is_new(&r, c->rule))
		fail_msg("%s did not hold after %d", rule_defs[c->rule]->id, c->count);
}

static void test_count_rules_at_their_boundary(void **state)
{
	(void)state;
	load("policies/default.json");
	const struct count_case cases[] = {
		{ RULE_CHASING_REVERSED_WITHDRAWALS, "withdrawal", "\"amount\":100,\"currency\":\"EUR\",\"status\":\"cancelled\"", false, 2, 600 },
		{ RULE_MONEY_INSTRUMENTS, "deposit", "\"amount\":100,\"currency\":\"EUR\"", true, 3, 600 },
		{ RULE_MONEY_DECLINED_BURST, "deposit", "\"amount\":100,\"currency\":\"EUR\",\"status\":\"declined\"", false, 3, 29 },
		{ RULE_CONTACT_BONUS_REQUESTS, "contact", "\"channel\":\"chat\",\"topic\":\"bonus_request\"", false, 3, 1440 },
		{ RULE_CONTACT_WITHDRAWAL_COMPLAINTS, "contact", "\"channel\":\"chat\",\"topic\":\"withdrawal_delay\"", false, 2, 1440 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		play_count_case(&cases[i]);
}

static void test_declined_burst_window_edge(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/default.json"); /* 3 within 60 min */
	fresh(&st);
	const char *declined = "\"amount\":100,\"currency\":\"EUR\",\"status\":\"declined\"";
	play(&st, "2026-11-02T10:00:00Z", "deposit", declined);
	play(&st, "2026-11-02T10:30:00Z", "deposit", declined);
	struct engine_result r = play(&st, "2026-11-02T11:00:00Z", "deposit", declined); /* 60 min after the first */
	assert_false(is_new(&r, RULE_MONEY_DECLINED_BURST));
	r = play(&st, "2026-11-02T11:20:00Z", "deposit", declined);
	assert_true(is_new(&r, RULE_MONEY_DECLINED_BURST));
}

static void test_night_and_long_sessions(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/default.json"); /* CET; 3 nights of 10 rounds in 7 days; 3 h sessions */
	fresh(&st);
	char ts[64];
	for (int night = 0; night < 3; night++)
		for (int k = 0; k < 10; k++) {
			/* 05:50-05:59 local, the last minutes of the night */
			snprintf(ts, sizeof(ts), "2026-11-%02dT05:%02d:00+01:00", 2 + night, 50 + k);
			struct engine_result r = play(&st, ts, "game_round", "\"stake\":100,\"payout\":100,\"currency\":\"EUR\"");
			assert_int_equal(is_new(&r, RULE_INTENSITY_NIGHT_PLAY), night == 2 && k == 9);
		}
	/* 06:00 is day, not night */
	fresh(&st);
	for (int night = 0; night < 3; night++)
		for (int k = 0; k < 10; k++) {
			snprintf(ts, sizeof(ts), "2026-11-%02dT06:%02d:00+01:00", 2 + night, k);
			play(&st, ts, "game_round", "\"stake\":100,\"payout\":100,\"currency\":\"EUR\"");
		}
	assert_false(holds(&st, RULE_INTENSITY_NIGHT_PLAY));

	fresh(&st);
	play(&st, "2026-11-02T12:00:00Z", "session_start", "\"session_id\":\"s\"");
	struct engine_result r = play(&st, "2026-11-02T14:59:00Z", "game_round", "\"stake\":1,\"payout\":0,\"currency\":\"EUR\"");
	assert_false(is_new(&r, RULE_INTENSITY_LONG_SESSION));
	r = play(&st, "2026-11-02T15:00:00Z", "game_round", "\"stake\":1,\"payout\":0,\"currency\":\"EUR\"");
	assert_true(is_new(&r, RULE_INTENSITY_LONG_SESSION));
}

/* The deposits a counting rule lists as its evidence are exactly the ones
 * its count counts (rule_def.counted, the alert page's rows). */
static int counted_after(const struct player_state *st, enum rule_id rule, const char *ts, int64_t out[RULE_COUNTED_MAX])
{
	struct event ev = make_event("{\"event_id\":\"c\",\"player_id\":\"p\",\"ts\":\"%s\",\"type\":\"deposit\","
				     "\"amount\":1,\"currency\":\"EUR\"}", ts);
	return engine_rule_counted(st, &ev, &pol, rule, out);
}

static bool held(const struct engine_result *r, enum rule_id rule)
{
	for (int i = 0; i < r->nheld; i++)
		if (r->held_rules[i] == rule)
			return true;
	return false;
}

static void test_counted_deposits_are_the_count(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	int64_t ts[RULE_COUNTED_MAX];
	load("policies/default.json");
	/* deposit_after_loss: of five deposits two count (the others: no loss
	 * before, a loss under loss_min, 31 min after the loss). */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-02T20:10:00Z", "game_round", "\"stake\":5000,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T20:40:00Z", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-02T20:45:00Z", "game_round", "\"stake\":1999,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T20:50:00Z", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-02T20:55:00Z", "game_round", "\"stake\":2000,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T21:26:00Z", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-02T21:30:00Z", "game_round", "\"stake\":2000,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-02T21:35:00Z", "deposit", EUR_DEP(5000));
	assert_true(held(&r, RULE_CHASING_DEPOSIT_AFTER_LOSS));
	int n = counted_after(&st, RULE_CHASING_DEPOSIT_AFTER_LOSS, "2026-11-02T21:35:00Z", ts);
	assert_int_equal(n, 2);
	int64_t a = ts[0] < ts[1] ? ts[0] : ts[1], b = ts[0] < ts[1] ? ts[1] : ts[0];
	assert_int_equal(a, t_ms("2026-11-02T20:40:00Z"));
	assert_int_equal(b, t_ms("2026-11-02T21:35:00Z"));
	/* deposits_in_session: the deposits since the session started. */
	fresh(&st);
	play(&st, "2026-11-02T19:00:00Z", "deposit", EUR_DEP(1000));
	play(&st, "2026-11-02T20:00:00Z", "session_start", "\"session_id\":\"s\"");
	play(&st, "2026-11-02T20:01:00Z", "deposit", EUR_DEP(1000));
	play(&st, "2026-11-02T20:30:00Z", "deposit", EUR_DEP(1000));
	r = play(&st, "2026-11-02T21:00:00Z", "deposit", EUR_DEP(1000));
	assert_true(held(&r, RULE_CHASING_DEPOSITS_IN_SESSION));
	assert_int_equal(counted_after(&st, RULE_CHASING_DEPOSITS_IN_SESSION, "2026-11-02T21:00:00Z", ts), 3);
	for (int i = 0; i < 3; i++)
		assert_true(ts[i] >= t_ms("2026-11-02T20:00:00Z"));
	/* escalating_deposits: the last count deposits, newest first. */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(1000));
	play(&st, "2026-11-02T22:00:00Z", "deposit", EUR_DEP(2249));
	play(&st, "2026-11-02T23:00:00Z", "deposit", EUR_DEP(3374));
	r = play(&st, "2026-11-03T00:00:00Z", "deposit", EUR_DEP(5061));
	assert_true(held(&r, RULE_CHASING_ESCALATING_DEPOSITS));
	assert_int_equal(counted_after(&st, RULE_CHASING_ESCALATING_DEPOSITS, "2026-11-03T00:00:00Z", ts), 3);
	assert_int_equal(ts[0], t_ms("2026-11-03T00:00:00Z"));
	assert_int_equal(ts[2], t_ms("2026-11-02T22:00:00Z"));
	/* a rule that counts no deposits lists none */
	assert_int_equal(counted_after(&st, RULE_CHASING_STAKE_ESCALATION, "2026-11-03T00:00:00Z", ts), 0);
}

static void test_chasing_patterns(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/default.json");
	/* Deposits in one session: 3. */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "session_start", "\"session_id\":\"s\"");
	play(&st, "2026-11-02T20:01:00Z", "deposit", EUR_DEP(1000));
	r = play(&st, "2026-11-02T20:30:00Z", "deposit", EUR_DEP(1000));
	assert_false(is_new(&r, RULE_CHASING_DEPOSITS_IN_SESSION));
	r = play(&st, "2026-11-02T21:00:00Z", "deposit", EUR_DEP(1000));
	assert_true(is_new(&r, RULE_CHASING_DEPOSITS_IN_SESSION));

	/* Escalating deposits: 3 in a row, each at least 150% of the one before. */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(1000));
	play(&st, "2026-11-02T21:00:00Z", "deposit", EUR_DEP(1500));
	r = play(&st, "2026-11-02T22:00:00Z", "deposit", EUR_DEP(2249));
	assert_false(is_new(&r, RULE_CHASING_ESCALATING_DEPOSITS));
	r = play(&st, "2026-11-02T23:00:00Z", "deposit", EUR_DEP(3374)); /* 1500, 2249, 3374: 149.9% */
	assert_false(is_new(&r, RULE_CHASING_ESCALATING_DEPOSITS));
	r = play(&st, "2026-11-03T00:00:00Z", "deposit", EUR_DEP(5061)); /* 2249, 3374, 5061: 150% each */
	assert_true(is_new(&r, RULE_CHASING_ESCALATING_DEPOSITS));

	/* Stake escalation: 5 losing rounds, then 200% of the average within 3 min. */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "session_start", "\"session_id\":\"s\"");
	char ts[64];
	for (int i = 0; i < 5; i++) {
		snprintf(ts, sizeof(ts), "2026-11-02T20:0%d:00Z", i + 1);
		play(&st, ts, "game_round", "\"stake\":100,\"payout\":0,\"currency\":\"EUR\"");
	}
	r = play(&st, "2026-11-02T20:08:00Z", "game_round", "\"stake\":199,\"payout\":0,\"currency\":\"EUR\"");
	assert_false(is_new(&r, RULE_CHASING_STAKE_ESCALATION));
	r = play(&st, "2026-11-02T20:11:00Z", "game_round", "\"stake\":300,\"payout\":0,\"currency\":\"EUR\"");
	assert_true(is_new(&r, RULE_CHASING_STAKE_ESCALATION));

	/* Re-deposit within 15 min of the loss that left 10% or less. */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(10000));
	play(&st, "2026-11-02T20:10:00Z", "game_round", "\"stake\":8999,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-02T20:20:00Z", "deposit", EUR_DEP(10000)); /* 10.01% left */
	assert_false(is_new(&r, RULE_CHASING_REDEPOSIT_AFTER_DEPLETION));
	play(&st, "2026-11-02T20:30:00Z", "game_round", "\"stake\":10101,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-02T20:45:00Z", "deposit", EUR_DEP(10000)); /* 10% left, 15 min */
	assert_true(is_new(&r, RULE_CHASING_REDEPOSIT_AFTER_DEPLETION));
}

static void test_early_intensity(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/default.json"); /* day one: EUR 500 deposits */
	fresh(&st);
	play(&st, "2026-11-02T10:00:00Z", "deposit", EUR_DEP(49999));
	assert_false(holds(&st, RULE_INTENSITY_DAY_ONE));
	r = play(&st, "2026-11-03T09:59:00Z", "deposit", EUR_DEP(1));
	assert_true(is_new(&r, RULE_INTENSITY_DAY_ONE));
	fresh(&st);
	play(&st, "2026-11-02T10:00:00Z", "deposit", EUR_DEP(49999));
	r = play(&st, "2026-11-03T10:00:00Z", "deposit", EUR_DEP(1)); /* 24 h later: no longer day one */
	assert_false(is_new(&r, RULE_INTENSITY_DAY_ONE));
}

/* ---- severity that matches the harm (issue 14 item 3) ------------------ */

#define GBP_DEP(amount) "\"amount\":" #amount ",\"currency\":\"GBP\""
#define GBP_ROUND(stake, payout) "\"stake\":" #stake ",\"payout\":" #payout ",\"currency\":\"GBP\""

/* William Hill 2023: a new account spends £23,000 in 20 minutes. */
static void test_new_account_23000_in_20_minutes_is_strong(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/uk.json");
	fresh(&st);
	struct engine_result r = { 0 };
	for (int i = 0; i < 4; i++) {
		char ts[32];
		snprintf(ts, sizeof(ts), "2026-11-02T21:%02d:00Z", i * 5);
		play(&st, ts, "deposit", GBP_DEP(575000));
		snprintf(ts, sizeof(ts), "2026-11-02T21:%02d:30Z", i * 5 + 1);
		r = play(&st, ts, "game_round", GBP_ROUND(575000, 0));
		if (r.raise)
			break;
	}
	assert_true(r.raise); /* strong: an alert at once... */
	assert_true(r.raise_strong); /* ...due within 24 h at most (alert_decide) */
	assert_int_equal(r.level, LEVEL_RED); /* ...red, and (alert_decide) the marketing flag */
	assert_true(holds(&st, RULE_MONEY_NEW_ACCOUNT) || holds(&st, RULE_MONEY_DEPOSITED) ||
		    holds(&st, RULE_MONEY_LOST));
	assert_true(r.raise_rule == RULE_MONEY_NEW_ACCOUNT || r.raise_rule == RULE_MONEY_DEPOSITED ||
		    r.raise_rule == RULE_MONEY_LOST);
}

/* A strong tier that keeps holding is not new evidence at every event: it
 * raises when first reached, not at each of the rounds after it (every
 * round escalating the alert flooded the queue and the audit trail). */
static void test_a_strong_tier_that_keeps_holding_raises_once(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/uk.json");
	fresh(&st);
	int raises = 0;
	for (int i = 0; i < 40; i++) {
		char ts[32];
		snprintf(ts, sizeof(ts), "2026-11-02T21:%02d:00Z", i);
		struct engine_result r = play(&st, ts, i % 2 ? "game_round" : "deposit",
					      i % 2 ? GBP_ROUND(575000, 0) : GBP_DEP(575000));
		raises += r.raise;
	}
	assert_int_equal(st.level, LEVEL_RED);
	assert_in_range(raises, 1, 4); /* each tier once at most, not 20 rounds */
}

/* 32Red/William Hill-like: £37,800 lost in 7 days by an established player. */
static void test_37800_lost_in_7_days_is_red(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/uk.json");
	fresh(&st);
	play(&st, "2026-09-01T20:00:00Z", "deposit", GBP_DEP(5000)); /* an old account */
	play(&st, "2026-09-01T20:10:00Z", "game_round", GBP_ROUND(2000, 2500));
	struct engine_result r = { 0 };
	for (int d = 0; d < 7; d++) {
		char ts[32];
		snprintf(ts, sizeof(ts), "2026-11-%02dT20:00:00Z", 2 + d);
		play(&st, ts, "deposit", GBP_DEP(540000));
		snprintf(ts, sizeof(ts), "2026-11-%02dT21:00:00Z", 2 + d);
		r = play(&st, ts, "game_round", GBP_ROUND(540000, 0)); /* £5,400 a day */
	}
	assert_int_equal(r.level, LEVEL_RED);
	assert_true(holds(&st, RULE_MONEY_LOST));
	struct risk_reason why[ENGINE_MARKERS];
	int n = risk_reasons(&st, &pol, st.last_seen_ms, why);
	assert_true(n > 0);
	assert_int_equal(why[0].rule, RULE_MONEY_LOST);
	assert_string_equal(why[0].detail, "net loss of 37,800 GBP in 7 days (strong tier from 26,000 GBP)");
}

/* Betfred 2023: a winner stakes £540,000 in 60 days at break-even. */
static void test_turnover_at_break_even_is_seen(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/uk.json");
	fresh(&st);
	play(&st, "2026-09-01T10:00:00Z", "deposit", GBP_DEP(100000));
	struct engine_result r = { 0 };
	for (int d = 0; d < 60; d++) {
		char ts[32];
		int64_t ms = t_ms("2026-09-02T20:00:00Z") + (int64_t)d * MS_PER_DAY;
		ts_format_rfc3339(ms, ts, sizeof(ts));
		r = play(&st, ts, "game_round", GBP_ROUND(900000, 900000)); /* £9,000 a day, even */
	}
	assert_true(r.level >= LEVEL_AMBER);
	assert_true(holds(&st, RULE_MONEY_STAKED));
	assert_false(holds(&st, RULE_MONEY_LOST));
}

/* The demo player: 2 deposits (75 EUR) each within 30 min of a loss after
 * losing 54.65 EUR, and three declined attempts: not red. A chaser with
 * thousands at stake, on the same pattern, counts in full. */
static void test_pocket_money_chasing_is_not_red(void **state)
{
	(void)state;
	struct player_state st;
	const char *declined = "\"amount\":2500,\"currency\":\"EUR\",\"status\":\"declined\"";
	load("policies/default.json");
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(2500));
	play(&st, "2026-11-02T20:05:00Z", "game_round", "\"stake\":2500,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T20:10:00Z", "deposit", EUR_DEP(2500));
	play(&st, "2026-11-02T20:15:00Z", "game_round", "\"stake\":2965,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T20:20:00Z", "deposit", EUR_DEP(5000));
	play(&st, "2026-11-02T20:22:00Z", "deposit", declined);
	play(&st, "2026-11-02T20:23:00Z", "deposit", declined);
	struct engine_result r = play(&st, "2026-11-02T20:24:00Z", "deposit", declined);
	assert_true(holds(&st, RULE_CHASING_DEPOSIT_AFTER_LOSS));
	assert_true(r.level < LEVEL_RED);
	int small = 0;
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (st.markers[i].rule == RULE_CHASING_DEPOSIT_AFTER_LOSS)
			small = st.markers[i].points;
	assert_true(small >= 1 && small < 5); /* 30 * 75 / 1,000 */

	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", EUR_DEP(150000));
	play(&st, "2026-11-02T20:05:00Z", "game_round", "\"stake\":150000,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T20:10:00Z", "deposit", EUR_DEP(150000));
	play(&st, "2026-11-02T20:15:00Z", "game_round", "\"stake\":150000,\"payout\":0,\"currency\":\"EUR\"");
	play(&st, "2026-11-02T20:20:00Z", "deposit", EUR_DEP(150000));
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (st.markers[i].rule == RULE_CHASING_DEPOSIT_AFTER_LOSS)
			assert_int_equal(st.markers[i].points, 30); /* the full weight */
	assert_int_equal(st.level, LEVEL_RED);
}

/* 8 declined deposits in 40 minutes with rising amounts: an alert alone. */
static void test_declined_burst_alone_raises(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/default.json");
	fresh(&st);
	struct engine_result r = { 0 };
	bool raised = false;
	for (int i = 0; i < 8; i++) {
		char ts[32], f[96];
		snprintf(ts, sizeof(ts), "2026-11-02T20:%02d:00Z", i * 5);
		snprintf(f, sizeof(f), "\"amount\":%d,\"currency\":\"EUR\",\"status\":\"declined\"", 5000 * (i + 1));
		r = play(&st, ts, "deposit", f);
		raised = raised || r.raise;
	}
	assert_true(raised);
	assert_int_equal(r.level, LEVEL_RED);
}

/* 9 hours of play on each of 7 consecutive days: more than a day's marker. */
static void test_marathon_week_raises(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/default.json");
	fresh(&st);
	bool raised = false;
	int level_after_one = -1;
	struct engine_result r = { 0 };
	for (int d = 0; d < 7; d++) {
		char from[32], to[32], sid[32];
		snprintf(from, sizeof(from), "2026-11-%02dT10:00:00Z", 2 + d);
		snprintf(to, sizeof(to), "2026-11-%02dT19:00:00Z", 2 + d);
		snprintf(sid, sizeof(sid), "\"session_id\":\"s%d\"", d);
		play(&st, from, "session_start", sid);
		r = play(&st, to, "session_end", sid);
		raised = raised || r.raise;
		if (d == 0)
			level_after_one = r.level;
	}
	assert_int_equal(level_after_one, LEVEL_GREEN); /* one long day: a marker, no more */
	assert_true(raised);
	assert_int_equal(r.level, LEVEL_RED);
}

/* Calm players stay green: recreational evenings, a modest winner, and a
 * steady high roller who deposits and withdraws. */
static void test_calm_players_stay_green(void **state)
{
	(void)state;
	struct player_state st;
	load("policies/uk.json");
	for (int kind = 0; kind < 3; kind++) {
		fresh(&st);
		/* established accounts of 46-year-olds */
		play(&st, "2026-06-01T12:00:00Z", "account", "\"country\":\"GB\",\"birth_year\":1980");
		struct engine_result r = { 0 };
		for (int d = 0; d < 30; d++) {
			char ts[32];
			int64_t day0 = t_ms("2026-10-01T19:00:00Z") + (int64_t)d * MS_PER_DAY;
			if (kind == 2 && d % 7 != 0)
				continue;
			ts_format_rfc3339(day0, ts, sizeof(ts));
			play(&st, ts, "deposit", kind == 2 ? GBP_DEP(200000) : GBP_DEP(2000));
			if (kind == 2) { /* and takes the winnings out */
				ts_format_rfc3339(day0 + 2 * MS_PER_HOUR, ts, sizeof(ts));
				play(&st, ts, "withdrawal", "\"amount\":200000,\"currency\":\"GBP\",\"status\":\"completed\"");
			}
			for (int k = 0; k < 20; k++) {
				ts_format_rfc3339(day0 + (k + 1) * MS_PER_MIN * 3, ts, sizeof(ts));
				/* recreational: £1 spins, a third win £2.50; a modest
				 * winner: half win £2.20; the high roller: £100
				 * bets, half win £200 */
				static const int stake[] = { 100, 100, 10000 }, every[] = { 3, 2, 2 },
						 win[] = { 250, 220, 20000 };
				char f[96];
				snprintf(f, sizeof(f), "\"stake\":%d,\"payout\":%d,\"currency\":\"GBP\"", stake[kind],
					 k % every[kind] ? 0 : win[kind]);
				r = play(&st, ts, "game_round", f);
			}
		}
		if (r.level != LEVEL_GREEN) {
			struct risk_reason why[ENGINE_MARKERS];
			int n = risk_reasons(&st, &pol, st.last_seen_ms, why);
			for (int i = 0; i < n; i++)
				print_message("calm player %d: %s %s\n", kind, rule_defs[why[i].rule]->id, why[i].detail);
		}
		assert_int_equal(r.level, LEVEL_GREEN);
	}
}

/* "periods": weeks and months rolling unless the pack says calendar; a
 * bad value is refused naming the field; a regulatory window is
 * window_days or the pack's month, exactly one. */
static void test_policy_periods(void **state)
{
	(void)state;
	static struct policy p;
	char err[512], buf[2048];
	static const char fmt[] =
		"{\"name\":\"t\",\"jurisdiction\":\"NL\",\"timezone\":{\"name\":\"x\",\"posix\":\"UTC0\"},"
		"\"currencies\":[\"EUR\"],\"scoring\":{\"half_life_days\":14,\"amber\":30,\"red\":60,\"hysteresis\":10},"
		"\"actions\":{\"amber\":\"limits\",\"red\":\"pause\",\"excluded\":\"self_exclusion\"},"
		"\"due_hours\":{\"amber\":1,\"red\":1,\"excluded\":1},\"limit_raise_delay_hours\":72,%s\"rules\":{%s}}";
	static const char reg[] = "\"regulatory.deposits\":{\"weight\":10,\"params\":{%s\"bands\":[{\"min_age\":18,"
				  "\"threshold\":{\"EUR\":30000}}],\"net\":true}}";
	char rule[512];

	snprintf(buf, sizeof(buf), fmt, "", "");
	assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), 0);
	assert_int_equal(p.periods[PERIOD_WEEK], PERIOD_ROLLING);
	assert_int_equal(p.periods[PERIOD_MONTH], PERIOD_ROLLING);
	snprintf(buf, sizeof(buf), fmt, "\"periods\":{\"month\":\"calendar\"},", "");
	assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), 0);
	assert_int_equal(p.periods[PERIOD_WEEK], PERIOD_ROLLING);
	assert_int_equal(p.periods[PERIOD_MONTH], PERIOD_CALENDAR);
	snprintf(buf, sizeof(buf), fmt, "\"periods\":{\"week\":\"calendar\",\"month\":\"rolling\"},", "");
	assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), 0);
	assert_int_equal(p.periods[PERIOD_WEEK], PERIOD_CALENDAR);
	assert_int_equal(p.periods[PERIOD_MONTH], PERIOD_ROLLING);

	struct {
		const char *periods, *window, *expect;
	} bad[] = {
		{ "\"periods\":{\"month\":\"lunar\"},", "\"window_days\":30,",
		  "periods.month: must be one of \"rolling\", \"calendar\"" },
		{ "\"periods\":{\"month\":30},", "\"window_days\":30,",
		  "periods.month: must be one of \"rolling\", \"calendar\"" },
		{ "\"periods\":{\"day\":\"calendar\"},", "\"window_days\":30,", "periods.day: unknown field" },
		{ "\"periods\":\"calendar\",", "\"window_days\":30,", "periods: must be an object" },
		{ "", "\"window_days\":30,\"month\":true,",
		  "rules[\"regulatory.deposits\"].params.window_days: give exactly one of window_days and \"month\": "
		  "true (the pack's month)" },
		{ "", "", "rules[\"regulatory.deposits\"].params.window_days: give exactly one of window_days and "
			  "\"month\": true (the pack's month)" },
		{ "", "\"window_days\":31,", "rules[\"regulatory.deposits\"].params.window_days: must be an integer "
					       "from 1 to 30" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(rule, sizeof(rule), reg, bad[i].window);
		snprintf(buf, sizeof(buf), fmt, bad[i].periods, rule);
		assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].expect);
	}
	snprintf(rule, sizeof(rule), reg, "\"month\":true,");
	snprintf(buf, sizeof(buf), fmt, "\"periods\":{\"month\":\"calendar\"},", rule);
	assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), 0);
	assert_true(p.rules[RULE_REGULATORY_DEPOSITS].enabled);
}

/* ---- the operator's breaches and other dated rules (issue 14, item 5) ---- */

#define GBP_SLOT(stake) "\"stake\":" #stake ",\"payout\":0,\"currency\":\"GBP\",\"game_category\":\"slots\""

/* Whether a single slot round of `stake` pence on `ts` by a player born
 * on `born` is a breach of the GB stake caps (each on a fresh player: a
 * task is owed once a month). */
static bool gb_stake_breach(const char *born, const char *ts, const char *round)
{
	struct player_state st;
	char account[64];
	fresh(&st);
	snprintf(account, sizeof(account), "\"country\":\"GB\",\"birth_date\":\"%s\"", born);
	play(&st, "2025-01-01T00:00:00Z", "account", account);
	struct engine_result r = play(&st, ts, "game_round", round);
	assert_false(holds(&st, RULE_COMPLIANCE_SLOT_STAKE)); /* a task, never a marker */
	return owes(&r, RULE_COMPLIANCE_SLOT_STAKE);
}

static void test_gb_slot_stake_caps(void **state)
{
	(void)state;
	load("policies/uk.json"); /* GBP 2 for 18-24 from 21 May 2025, GBP 5 for 25+ from 9 Apr 2025 */
	const char *age22 = "2003-01-01", *age25 = "2000-01-01";
	assert_false(gb_stake_breach(age25, "2025-06-01T12:00:00Z", GBP_SLOT(400)));
	assert_false(gb_stake_breach(age25, "2025-06-01T12:00:00Z", GBP_SLOT(500)));
	assert_true(gb_stake_breach(age25, "2025-06-01T12:00:00Z", GBP_SLOT(501)));
	assert_true(gb_stake_breach(age22, "2025-06-01T12:00:00Z", GBP_SLOT(400)));
	assert_false(gb_stake_breach(age22, "2025-06-01T12:00:00Z", GBP_SLOT(200)));
	assert_true(gb_stake_breach(age22, "2025-06-01T12:00:00Z", GBP_SLOT(201)));
	/* before each cap's date, by the London day: 20 May 23:30 BST is not yet 21 May */
	assert_false(gb_stake_breach(age22, "2025-05-01T12:00:00Z", GBP_SLOT(400)));
	assert_false(gb_stake_breach(age22, "2025-05-20T22:30:00Z", GBP_SLOT(400)));
	assert_true(gb_stake_breach(age22, "2025-05-20T23:30:00Z", GBP_SLOT(400)));
	assert_false(gb_stake_breach(age25, "2025-04-08T12:00:00Z", GBP_SLOT(600)));
	assert_true(gb_stake_breach(age25, "2025-04-09T12:00:00Z", GBP_SLOT(600)));
	/* the birthday moves the player into the GBP 5 band */
	assert_true(gb_stake_breach("2000-06-02", "2025-06-01T12:00:00Z", GBP_SLOT(400)));
	assert_false(gb_stake_breach("2000-06-02", "2025-06-02T12:00:00Z", GBP_SLOT(400)));
	/* only slots: a GBP 50 table bet, or a round without a category, is no slot stake */
	assert_false(gb_stake_breach(age22, "2025-06-01T12:00:00Z",
				     "\"stake\":5000,\"payout\":0,\"currency\":\"GBP\",\"game_category\":\"table\""));
	assert_false(gb_stake_breach(age22, "2025-06-01T12:00:00Z", "\"stake\":5000,\"payout\":0,\"currency\":\"GBP\""));
	/* DE: EUR 1 per virtual slot game at any age */
	load("policies/de.json");
	struct player_state st;
	fresh(&st);
	struct engine_result r = play(&st, "2026-11-02T20:00:00+01:00", "game_round",
				      "\"stake\":100,\"payout\":0,\"currency\":\"EUR\",\"game_category\":\"slots\"");
	assert_false(owes(&r, RULE_COMPLIANCE_SLOT_STAKE));
	r = play(&st, "2026-11-02T20:00:10+01:00", "game_round",
		 "\"stake\":101,\"payout\":0,\"currency\":\"EUR\",\"game_category\":\"slots\"");
	assert_true(owes(&r, RULE_COMPLIANCE_SLOT_STAKE));
	char why[RULE_DETAIL_MAX];
	rule_defs[RULE_COMPLIANCE_SLOT_STAKE]->detail((int64_t[RULE_VALUES]){ 101, 100, -1, 0 },
						      &pol.rules[RULE_COMPLIANCE_SLOT_STAKE], "EUR", why, sizeof(why));
	assert_string_equal(why, "a slot round staked 1.01 EUR, over the maximum stake of 1 EUR");
}

static void test_slot_game_cycle(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/uk.json"); /* 2.5 s between slot rounds */
	fresh(&st);
	play(&st, "2026-11-02T20:00:00.000Z", "game_round", GBP_SLOT(100));
	r = play(&st, "2026-11-02T20:00:02.500Z", "game_round", GBP_SLOT(100));
	assert_false(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE)); /* 2.5 s exactly */
	/* a table round in between is not a slot round: the gap is to the last slot round */
	play(&st, "2026-11-02T20:00:03.000Z", "game_round", "\"stake\":100,\"payout\":0,\"currency\":\"GBP\",\"game_category\":\"table\"");
	r = play(&st, "2026-11-02T20:00:04.999Z", "game_round", GBP_SLOT(100));
	assert_true(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE)); /* 2.499 s */
	assert_int_equal(st.last_slot_round_ms, t_ms("2026-11-02T20:00:04.999Z"));
	assert_int_equal(r.owed[0].v[0], 2499);
	assert_false(holds(&st, RULE_COMPLIANCE_SLOT_CYCLE));
	assert_int_equal(r.score, 0);
	/* a round older than the latest (out of order) says nothing of the speed */
	fresh(&st);
	play(&st, "2026-11-02T20:00:10Z", "game_round", GBP_SLOT(100));
	r = play(&st, "2026-11-02T20:00:09Z", "game_round", GBP_SLOT(100));
	assert_false(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE));
	/* before RTS 14 (31 Oct 2021) it was no breach */
	fresh(&st);
	play(&st, "2021-10-30T20:00:00Z", "game_round", GBP_SLOT(100));
	r = play(&st, "2021-10-30T20:00:01Z", "game_round", GBP_SLOT(100));
	assert_false(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE));
	r = play(&st, "2021-10-31T20:00:00Z", "game_round", GBP_SLOT(100));
	assert_false(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE));
	r = play(&st, "2021-10-31T20:00:01Z", "game_round", GBP_SLOT(100));
	assert_true(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE));
	/* DE: 5 s per virtual slot game */
	load("policies/de.json");
	fresh(&st);
#define EUR_SLOT "\"stake\":100,\"payout\":0,\"currency\":\"EUR\",\"game_category\":\"slots\""
	play(&st, "2026-11-02T20:00:00.000+01:00", "game_round", EUR_SLOT);
	r = play(&st, "2026-11-02T20:00:05.000+01:00", "game_round", EUR_SLOT);
	assert_false(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE));
	r = play(&st, "2026-11-02T20:00:09.900+01:00", "game_round", EUR_SLOT);
	assert_true(owes(&r, RULE_COMPLIANCE_SLOT_CYCLE));
}

static void test_gb_reversed_withdrawal_is_a_breach(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/uk.json");
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", "\"amount\":5000,\"currency\":\"GBP\"");
	r = play(&st, "2026-11-02T21:00:00Z", "withdrawal", "\"amount\":3000,\"currency\":\"GBP\",\"status\":\"requested\"");
	assert_false(owes(&r, RULE_COMPLIANCE_REVERSED_WITHDRAWAL));
	r = play(&st, "2026-11-02T21:05:00Z", "withdrawal", "\"amount\":3000,\"currency\":\"GBP\",\"status\":\"cancelled\"");
	assert_true(owes(&r, RULE_COMPLIANCE_REVERSED_WITHDRAWAL));
	/* a compliance task, not a 20-point marker of the player's harm */
	r = play(&st, "2026-11-03T21:05:00Z", "withdrawal", "\"amount\":3000,\"currency\":\"GBP\",\"status\":\"cancelled\"");
	assert_false(holds(&st, RULE_CHASING_REVERSED_WITHDRAWALS));
	assert_int_equal(r.score, 0);
	/* elsewhere (SE) the reversal stays a marker of harm */
	load("policies/se.json");
	fresh(&st);
	play(&st, "2026-11-02T20:00:00Z", "deposit", "\"amount\":5000,\"currency\":\"SEK\"");
	r = play(&st, "2026-11-02T21:05:00Z", "withdrawal", "\"amount\":3000,\"currency\":\"SEK\",\"status\":\"cancelled\"");
	assert_false(owes(&r, RULE_COMPLIANCE_REVERSED_WITHDRAWAL));
}

#define CREDIT(cur) "\"amount\":10000,\"currency\":\"" cur "\",\"instrument_type\":\"credit_card\""

static void test_credit_deposits(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/se.json"); /* banned from 1 May 2026, Stockholm time */
	fresh(&st);
	r = play(&st, "2026-04-30T23:30:00+02:00", "deposit", CREDIT("SEK"));
	assert_false(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT));
	r = play(&st, "2026-05-01T00:30:00+02:00", "deposit", "\"amount\":10000,\"currency\":\"SEK\",\"instrument_type\":\"debit_card\"");
	assert_false(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT));
	r = play(&st, "2026-05-01T00:35:00+02:00", "deposit", CREDIT("SEK") ",\"status\":\"declined\"");
	assert_false(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT)); /* refused: what the law asks */
	r = play(&st, "2026-05-01T00:40:00+02:00", "deposit", CREDIT("SEK"));
	assert_true(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT));
	/* ES: only for intensive players, for 2 years after the status */
	load("policies/es.json");
	fresh(&st);
	play(&st, "2026-01-01T10:00:00+01:00", "account", "\"country\":\"ES\",\"birth_year\":1980");
	r = play(&st, "2026-01-02T10:00:00+01:00", "deposit", CREDIT("EUR"));
	assert_false(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT));
	r = play(&st, "2026-01-05T20:00:00+01:00", "game_round", "\"stake\":59999,\"payout\":0,\"currency\":\"EUR\"");
	assert_false(owes(&r, RULE_REGULATORY_INTENSIVE_PLAYER)); /* EUR 599.99 in 3 weeks */
	r = play(&st, "2026-01-20T20:00:00+01:00", "game_round", "\"stake\":1,\"payout\":0,\"currency\":\"EUR\"");
	assert_true(owes(&r, RULE_REGULATORY_INTENSIVE_PLAYER)); /* EUR 600 */
	r = play(&st, "2026-02-02T10:00:00+01:00", "deposit", CREDIT("EUR"));
	assert_true(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT));
	r = play(&st, "2027-12-15T10:00:00+01:00", "deposit", CREDIT("EUR"));
	assert_true(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT)); /* 23 months on: still intensive */
	r = play(&st, "2028-01-25T10:00:00+01:00", "deposit", CREDIT("EUR"));
	assert_false(owes(&r, RULE_COMPLIANCE_CREDIT_DEPOSIT)); /* over 730 days on */
}

static void test_es_intensive_player_bands(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/es.json"); /* EUR 200 under 26, EUR 600 from 26, over 21 days */
	fresh(&st);
	play(&st, "2026-11-01T10:00:00+01:00", "account", "\"country\":\"ES\",\"birth_year\":2001"); /* 25 */
	play(&st, "2026-11-02T20:00:00+01:00", "game_round", "\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-20T20:00:00+01:00", "game_round", "\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"");
	assert_true(owes(&r, RULE_REGULATORY_INTENSIVE_PLAYER));
	fresh(&st);
	play(&st, "2026-11-01T10:00:00+01:00", "account", "\"country\":\"ES\",\"birth_year\":2000"); /* 26 */
	play(&st, "2026-11-02T20:00:00+01:00", "game_round", "\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"");
	r = play(&st, "2026-11-20T20:00:00+01:00", "game_round", "\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"");
	assert_false(owes(&r, RULE_REGULATORY_INTENSIVE_PLAYER));
	/* EUR 600 lost, but spread over more than 3 weeks */
	r = play(&st, "2026-11-24T20:00:00+01:00", "game_round", "\"stake\":40000,\"payout\":0,\"currency\":\"EUR\"");
	assert_false(owes(&r, RULE_REGULATORY_INTENSIVE_PLAYER));
}

static void test_nl_high_deposit_limit_by_age(void **state)
{
	(void)state;
	struct player_state st;
	struct engine_result r;
	load("policies/nl.json"); /* over EUR 150 a month under 24, EUR 350 from 24: personal contact */
#define NL_LIMIT(kind, period, value) "\"limit\":\"" kind "\",\"period\":\"" period "\",\"value\":" #value
	fresh(&st);
	play(&st, "2026-11-01T10:00:00+01:00", "account", "\"country\":\"NL\",\"birth_year\":2004"); /* 22 */
	play(&st, "2026-11-01T10:01:00+01:00", "deposit", EUR_DEP(1000));
	r = play(&st, "2026-11-02T10:00:00+01:00", "limit_set", NL_LIMIT("deposit", "month", 15000));
	assert_false(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	r = play(&st, "2026-11-03T10:00:00+01:00", "limit_set", NL_LIMIT("deposit", "month", 15001));
	assert_true(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	assert_false(holds(&st, RULE_LIMITS_HIGH_LIMIT)); /* a task, not a marker */
	fresh(&st);
	play(&st, "2026-11-01T10:00:00+01:00", "account", "\"country\":\"NL\",\"birth_year\":1990"); /* 36 */
	play(&st, "2026-11-01T10:01:00+01:00", "deposit", EUR_DEP(1000));
	r = play(&st, "2026-11-02T10:00:00+01:00", "limit_set", NL_LIMIT("deposit", "month", 30000));
	assert_false(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	r = play(&st, "2026-11-02T10:05:00+01:00", "limit_set", NL_LIMIT("loss", "month", 90000));
	assert_false(owes(&r, RULE_LIMITS_HIGH_LIMIT)); /* a loss limit is not a deposit limit */
	r = play(&st, "2026-11-03T10:00:00+01:00", "limit_set", NL_LIMIT("deposit", "week", 9000));
	assert_true(owes(&r, RULE_LIMITS_HIGH_LIMIT)); /* EUR 90 a week: EUR 385.71 a month */
	/* before 1 Oct 2024 the rule did not exist */
	fresh(&st);
	play(&st, "2024-09-01T10:00:00+02:00", "account", "\"country\":\"NL\",\"birth_year\":1990");
	play(&st, "2024-09-01T10:01:00+02:00", "deposit", EUR_DEP(1000));
	r = play(&st, "2024-09-30T23:59:00+02:00", "limit_set", NL_LIMIT("deposit", "month", 90000));
	assert_false(owes(&r, RULE_LIMITS_HIGH_LIMIT));
	r = play(&st, "2024-10-01T00:01:00+02:00", "limit_set", NL_LIMIT("deposit", "month", 95000));
	assert_true(owes(&r, RULE_LIMITS_HIGH_LIMIT));
}

static void test_policy_errors_name_the_field(void **state)
{
	(void)state;
	static struct policy p;
	char err[512];
	const char *files[] = { "policies/default.json", "policies/uk.json", "policies/se.json", "policies/nl.json",
				"policies/de.json",      "policies/es.json", "policies/on.json" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		assert_int_equal(policy_load(&p, files[i], NULL, err, sizeof(err)), 0);
		assert_non_null(strstr(p.id, "@sha256:"));
	}
	static const char head[] =
		"{\"name\":\"t\",\"jurisdiction\":\"SE\",\"timezone\":{\"name\":\"x\",\"posix\":\"UTC0\"},"
		"\"currencies\":[\"SEK\"],\"scoring\":{\"half_life_days\":14,\"amber\":30,\"red\":60,\"hysteresis\":10},"
		"\"actions\":{\"amber\":\"limits\",\"red\":\"pause\",\"excluded\":\"self_exclusion\"},"
		"\"due_hours\":{\"amber\":1,\"red\":1,\"excluded\":1},\"limit_raise_delay_hours\":72,\"rules\":{";
#define MINIMAL(rules) head, rules, "}}"
	char buf[2048];
	struct {
		const char *rules, *expect;
	} bad[] = {
		{ "\"money.net_loss\":{\"weight\":10,\"params\":{\"day\":{\"SEK\":1},\"week\":{\"SEK\":1}}}",
		  "rules[\"money.net_loss\"].params.month: missing" },
		{ "\"money.net_loss\":{\"weight\":10,\"params\":{\"day\":{\"SEK\":1,\"EUR\":1},\"week\":{\"SEK\":1},\"month\":{\"SEK\":1}}}",
		  "rules[\"money.net_loss\"].params.day.EUR: currency not in \"currencies\"" },
		{ "\"intensity.night_play\":{\"weight\":10,\"params\":{\"nights\":0,\"window_days\":7,\"min_rounds\":1}}",
		  "rules[\"intensity.night_play\"].params.nights: must be an integer from 1 to 30" },
		{ "\"exclusion.breach\":{\"weight\":100,\"strong\":1}", "rules[\"exclusion.breach\"].strong: must be true or false" },
		{ "\"exclusion.breach\":{\"weight\":100,\"action\":\"ban\"}",
		  "rules[\"exclusion.breach\"].action: must be one of \"limits\", \"pause\", \"self_exclusion\", "
		  "\"financial_check\", \"contact\", \"deposit_block\", \"compliance_review\"" },
		{ "\"exclusion.breach\":{\"weight\":100,\"kind\":\"obligation\"}",
		  "rules[\"exclusion.breach\"].action: an obligation names the task it owes (e.g. \"contact\")" },
		{ "\"exclusion.breach\":{\"weight\":100,\"kind\":\"task\"}",
		  "rules[\"exclusion.breach\"].kind: must be one of \"harm\", \"obligation\"" },
		{ "\"exclusion.breach\":{\"weight\":100,\"source\":\"\"}",
		  "rules[\"exclusion.breach\"].source: must be a text of 1 to 200 bytes (a regulation and article, or "
		  "\"rgmon house rule\")" },
		{ "\"exclusion.breach\":{\"weight\":100,\"colour\":\"red\"}", "rules[\"exclusion.breach\"].colour: unknown field" },
		{ "\"exclusion.breach\":{\"weight\":100,\"effective_from\":\"2025-02-30\"}",
		  "rules[\"exclusion.breach\"].effective_from: must be a calendar date \"YYYY-MM-DD\" from 1970-01-01" },
		{ "\"exclusion.breach\":{\"weight\":100,\"effective_from\":\"2025-5-21\"}",
		  "rules[\"exclusion.breach\"].effective_from: must be a calendar date \"YYYY-MM-DD\" from 1970-01-01" },
		{ "\"exclusion.breach\":{\"weight\":100,\"effective_from\":20250521}",
		  "rules[\"exclusion.breach\"].effective_from: must be a calendar date \"YYYY-MM-DD\" from 1970-01-01" },
		{ "\"compliance.slot_stake\":{\"weight\":0,\"params\":{\"max_stake\":[{\"min_age\":18,"
		  "\"effective_from\":\"21 May 2025\",\"threshold\":{\"SEK\":2000}}]}}",
		  "rules[\"compliance.slot_stake\"].params.max_stake[0].effective_from: must be a calendar date "
		  "\"YYYY-MM-DD\" from 1970-01-01" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof(buf), "%s%s%s", MINIMAL(bad[i].rules));
		assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].expect);
	}
	/* The identity is the canonical form's: key order and spacing do not
	 * matter, a number does. */
	char id1[POLICY_ID_MAX + 1], id2[POLICY_ID_MAX + 1];
	snprintf(buf, sizeof(buf), "%s%s%s", MINIMAL(""));
	assert_int_equal(policy_load_json(&p, buf, strlen(buf), err, sizeof(err)), 0);
	rg_strlcpy(id1, p.id, sizeof(id1));
	const char *reordered =
		"{ \"rules\" : {}, \"limit_raise_delay_hours\":72, \"due_hours\":{\"excluded\":1,\"red\":1,\"amber\":1},"
		"\"actions\":{\"red\":\"pause\",\"amber\":\"limits\",\"excluded\":\"self_exclusion\"},"
		"\"scoring\":{\"red\":60,\"amber\":30,\"half_life_days\":14,\"hysteresis\":10},\"currencies\":[\"SEK\"],"
		"\"timezone\":{\"posix\":\"UTC0\",\"name\":\"x\"},\"jurisdiction\":\"SE\",\"name\":\"t\"}";
	assert_int_equal(policy_load_json(&p, reordered, strlen(reordered), err, sizeof(err)), 0);
	assert_string_equal(p.id, id1);
	char *changed = strdup(buf);
	*strstr(changed, "72") = '7';
	*(strstr(changed, "72") + 1) = '3';
	assert_int_equal(policy_load_json(&p, changed, strlen(changed), err, sizeof(err)), 0);
	rg_strlcpy(id2, p.id, sizeof(id2));
	assert_string_not_equal(id1, id2);
	free(changed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_breach_at_80_percent),
		cmocka_unit_test(test_breach_is_strong_and_red_at_once),
		cmocka_unit_test(test_saturated_sums_read_at_least),
		cmocka_unit_test(test_raise_waits_for_the_delay),
		cmocka_unit_test(test_high_limit_se),
		cmocka_unit_test(test_nl_age_bands),
		cmocka_unit_test(test_nl_more_than_six_hours),
		cmocka_unit_test(test_es_net_loss_three_weeks),
		cmocka_unit_test(test_day_window_follows_dst),
		cmocka_unit_test(test_deposit_after_loss_count),
		cmocka_unit_test(test_counted_deposits_are_the_count),
		cmocka_unit_test(test_exclusion_breach),
		cmocka_unit_test(test_decay_and_hysteresis),
		cmocka_unit_test(test_out_of_order_within_window),
		cmocka_unit_test(test_count_rules_at_their_boundary),
		cmocka_unit_test(test_declined_burst_window_edge),
		cmocka_unit_test(test_night_and_long_sessions),
		cmocka_unit_test(test_chasing_patterns),
		cmocka_unit_test(test_early_intensity),
		cmocka_unit_test(test_new_account_23000_in_20_minutes_is_strong),
		cmocka_unit_test(test_a_strong_tier_that_keeps_holding_raises_once),
		cmocka_unit_test(test_37800_lost_in_7_days_is_red),
		cmocka_unit_test(test_turnover_at_break_even_is_seen),
		cmocka_unit_test(test_pocket_money_chasing_is_not_red),
		cmocka_unit_test(test_declined_burst_alone_raises),
		cmocka_unit_test(test_marathon_week_raises),
		cmocka_unit_test(test_calm_players_stay_green),
		cmocka_unit_test(test_gb_slot_stake_caps),
		cmocka_unit_test(test_slot_game_cycle),
		cmocka_unit_test(test_gb_reversed_withdrawal_is_a_breach),
		cmocka_unit_test(test_credit_deposits),
		cmocka_unit_test(test_es_intensive_player_bands),
		cmocka_unit_test(test_nl_high_deposit_limit_by_age),
		cmocka_unit_test(test_policy_errors_name_the_field),
		cmocka_unit_test(test_policy_periods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
