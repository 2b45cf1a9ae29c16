/* test_follow_up.c -- the follow-up measures of a resolved alert at their
 * boundaries: the anchor (before), day 7 and day 30 (after), the day
 * after each window, a player with no events after the resolution, local
 * midnight across a DST change, and the JSON round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/engine.h"
#include "rgmon/follow_up.h"
#include "helpers.h"

static void apply(struct player_state *st, const struct policy *pol, struct event ev)
{
	struct engine_result r;
	engine_apply(st, &ev, pol, &r);
}

#define DEP(id, ts, amt) \
	make_event("{\"event_id\":\"%s\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"%s\",\"amount\":%d," \
		   "\"currency\":\"SEK\",\"status\":\"approved\"}", id, ts, amt)
#define ROUND(id, ts, stake, payout) \
	make_event("{\"event_id\":\"%s\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"%s\",\"stake\":%d," \
		   "\"payout\":%d,\"currency\":\"SEK\"}", id, ts, stake, payout)

#define ANCHOR "2026-11-10T12:00:00Z"

/* The 30 days up to the anchor: two deposits of 3,000, two rounds (one at
 * night), and a deposit 30 days before the anchor day -- kept by the
 * state, outside the baseline. */
static void before_history(struct player_state *st, const struct policy *pol)
{
	state_init(st);
	apply(st, pol, DEP("old", "2026-10-11T12:00:00Z", 99999));
	apply(st, pol, DEP("d1", "2026-10-12T00:00:00Z", 3000)); /* first day of the baseline */
	apply(st, pol, ROUND("r1", "2026-11-01T02:00:00Z", 1000, 0));
	apply(st, pol, ROUND("r2", "2026-11-10T10:00:00Z", 500, 200));
	apply(st, pol, DEP("d2", ANCHOR, 3000)); /* the anchor: the latest event at resolution */
}

static void test_before_is_the_30_days_up_to_the_anchor(void **state)
{
	(void)state;
	const struct policy *pol = test_policy("UTC0");
	struct player_state st;
	before_history(&st, pol);
	int64_t anchor = st.last_seen_ms;
	assert_int_equal(anchor, t_ms(ANCHOR));
	struct follow_up_span span;
	struct follow_up_measures m;
	follow_up_before_span(&pol->tz, anchor, &span);
	assert_int_equal(span.first_day, ts_days_from_civil(2026, 10, 12));
	assert_int_equal(span.days, 30);
	follow_up_measure(&st, pol, &span, anchor, &m);
	assert_int_equal(m.days, 30);
	assert_int_equal(m.deposits, 200);  /* 6,000 / 30 */
	assert_int_equal(m.staked, 50);     /* 1,500 / 30 */
	assert_int_equal(m.net_loss, 43);   /* 1,300 / 30 = 43.3 */
	assert_int_equal(m.active_days, 2);
	assert_int_equal(m.night_rounds, 1);
	assert_int_equal(m.limits_set, 0);
	assert_false(m.excluded);
}

static void test_after_windows_end_on_day_7_and_day_30(void **state)
{
	(void)state;
	const struct policy *pol = test_policy("UTC0");
	struct player_state st;
	before_history(&st, pol);
	int64_t anchor = st.last_seen_ms;
	apply(&st, pol, DEP("same-day", "2026-11-10T18:00:00Z", 4000)); /* the anchor day: neither window */
	apply(&st, pol, DEP("a1", "2026-11-11T00:00:00Z", 700));       /* day 1 */
	apply(&st, pol, make_event("{\"event_id\":\"l1\",\"type\":\"limit_set\",\"player_id\":\"p\",\"ts\":"
				   "\"2026-11-12T09:00:00Z\",\"limit\":\"deposit\",\"period\":\"day\",\"value\":500}"));
	apply(&st, pol, ROUND("a2", "2026-11-17T23:59:59Z", 700, 0));  /* day 7, its last second */
	apply(&st, pol, DEP("a3", "2026-11-18T00:00:00Z", 1000));      /* day 8: the 30-day window only */
	struct follow_up_span w7, w30;
	struct follow_up_measures m;
	follow_up_after_span(&pol->tz, anchor, 7, &w7);
	assert_int_equal(w7.to_ms, t_ms("2026-11-18T00:00:00Z"));
	follow_up_measure(&st, pol, &w7, w7.to_ms, &m);
	assert_int_equal(m.days, 7);
	assert_int_equal(m.deposits, 100); /* 700 / 7 */
	assert_int_equal(m.staked, 100);
	assert_int_equal(m.net_loss, 100);
	assert_int_equal(m.active_days, 1);
	assert_int_equal(m.night_rounds, 0);
	assert_int_equal(m.limits_set, 1);

	apply(&st, pol, DEP("a4", "2026-12-10T23:59:59Z", 300)); /* day 30 */
	apply(&st, pol, DEP("a5", "2026-12-11T00:00:00Z", 5000)); /* day 31: after the window, in the batch that closes it */
	follow_up_after_span(&pol->tz, anchor, 30, &w30);
	assert_int_equal(w30.to_ms, t_ms("2026-12-11T00:00:00Z"));
	follow_up_measure(&st, pol, &w30, w30.to_ms, &m);
	assert_int_equal(m.days, 30);
	assert_int_equal(m.deposits, 67); /* (700 + 1,000 + 300) / 30 = 66.7: day 1 still held */
	assert_int_equal(m.staked, 23);   /* 700 / 30 */
	assert_int_equal(m.active_days, 1);
	assert_int_equal(m.limits_set, 1);
	assert_false(m.excluded);
}

static void test_no_events_after_the_resolution(void **state)
{
	(void)state;
	const struct policy *pol = test_policy("UTC0");
	struct player_state st;
	before_history(&st, pol);
	int64_t anchor = st.last_seen_ms;
	for (int w = 0; w < FOLLOW_UP_WINDOWS; w++) {
		struct follow_up_span span;
		struct follow_up_measures m;
		follow_up_after_span(&pol->tz, anchor, follow_up_window_days[w], &span);
		follow_up_measure(&st, pol, &span, span.to_ms, &m);
		assert_int_equal(m.days, follow_up_window_days[w]);
		assert_int_equal(m.deposits, 0);
		assert_int_equal(m.staked, 0);
		assert_int_equal(m.net_loss, 0);
		assert_int_equal(m.active_days, 0);
		assert_int_equal(m.play_minutes, 0);
		assert_int_equal(m.limits_set, 0);
		assert_false(m.excluded);
		assert_int_equal(m.level, LEVEL_GREEN);
	}
}

static void test_exclusion_after_the_anchor(void **state)
{
	(void)state;
	const struct policy *pol = test_policy("UTC0");
	struct player_state st;
	before_history(&st, pol);
	int64_t anchor = st.last_seen_ms;
	apply(&st, pol, make_event("{\"event_id\":\"x1\",\"type\":\"self_exclusion\",\"player_id\":\"p\","
				   "\"ts\":\"2026-11-20T00:00:00Z\",\"days\":30,\"source\":\"player\"}"));
	struct follow_up_span w7, w30, before;
	struct follow_up_measures m;
	follow_up_after_span(&pol->tz, anchor, 7, &w7);
	follow_up_measure(&st, pol, &w7, w7.to_ms, &m);
	assert_false(m.excluded); /* day 10 is after the 7-day window */
	follow_up_after_span(&pol->tz, anchor, 30, &w30);
	follow_up_measure(&st, pol, &w30, w30.to_ms, &m);
	assert_true(m.excluded);
	assert_int_equal(m.level, LEVEL_EXCLUDED);
	follow_up_before_span(&pol->tz, anchor, &before);
	follow_up_measure(&st, pol, &before, anchor, &m);
	assert_false(m.excluded);
}

static void test_windows_close_at_local_midnight_across_dst(void **state)
{
	(void)state;
	const struct policy *pol = test_policy("CET-1CEST,M3.5.0,M10.5.0/3");
	struct follow_up_span span;
	/* 23:30 UTC on 19 Oct is 01:30 on 20 Oct in Stockholm (summer time). */
	int64_t anchor = t_ms("2026-10-19T23:30:00Z");
	follow_up_after_span(&pol->tz, anchor, 7, &span);
	assert_int_equal(span.first_day, ts_days_from_civil(2026, 10, 21));
	/* 28 Oct 00:00 local is 23:00 UTC the day before (winter time by then). */
	assert_int_equal(span.to_ms, t_ms("2026-10-27T23:00:00Z"));
	follow_up_before_span(&pol->tz, anchor, &span);
	assert_int_equal(span.from_ms, t_ms("2026-09-20T22:00:00Z"));
}

static void test_per_day_rounds_half_away_from_zero(void **state)
{
	(void)state;
	assert_int_equal(follow_up_per_day(15, 30), 1);
	assert_int_equal(follow_up_per_day(14, 30), 0);
	assert_int_equal(follow_up_per_day(-15, 30), -1);
	assert_int_equal(follow_up_per_day(-14, 30), 0);
	assert_int_equal(follow_up_per_day(700, 7), 100);
	assert_int_equal(follow_up_per_day(5, 0), 0);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	struct follow_up_measures m = { .days = 30, .deposits = 12, .net_loss = -3, .staked = 40,
					 .declined_deposits = 1, .active_days = 4, .play_minutes = 95,
					 .night_rounds = 2, .limits_set = 1, .excluded = true, .score = 61,
					 .level = LEVEL_AMBER }, back;
	json_t *j = follow_up_measures_json(&m);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "level")), "amber");
	assert_int_equal(follow_up_measures_parse(j, &back), 0);
	assert_int_equal(back.days, 30);
	assert_int_equal(back.deposits, 12);
	assert_int_equal(back.net_loss, -3);
	assert_int_equal(back.staked, 40);
	assert_int_equal(back.declined_deposits, 1);
	assert_int_equal(back.active_days, 4);
	assert_int_equal(back.play_minutes, 95);
	assert_int_equal(back.night_rounds, 2);
	assert_int_equal(back.limits_set, 1);
	assert_true(back.excluded);
	assert_int_equal(back.score, 61);
	assert_int_equal(back.level, LEVEL_AMBER);
	json_object_set_new(j, "level", json_string("purple"));
	assert_int_equal(follow_up_measures_parse(j, &back), -1);
	json_object_del(j, "level");
	assert_int_equal(follow_up_measures_parse(j, &back), -1);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_is_the_30_days_up_to_the_anchor),
		cmocka_unit_test(test_after_windows_end_on_day_7_and_day_30),
		cmocka_unit_test(test_no_events_after_the_resolution),
		cmocka_unit_test(test_exclusion_after_the_anchor),
		cmocka_unit_test(test_windows_close_at_local_midnight_across_dst),
		cmocka_unit_test(test_per_day_rounds_half_away_from_zero),
		cmocka_unit_test(test_json_round_trip),
	};
	return cmocka_run_group_tests_name("follow_up", tests, NULL, NULL);
}
