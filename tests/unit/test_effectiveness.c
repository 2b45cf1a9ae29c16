/* test_effectiveness.c -- the effectiveness report's figures on a small
 * hand-computed set of cases: shares of a quarter's fall (at exactly 3/4,
 * and a baseline of zero left out), medians of odd and even counts,
 * incomplete follow-ups counted as cases only, groups by outcome, rule
 * and jurisdiction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/effectiveness.h"

static struct effectiveness_case make_case(const char *outcome, int64_t dep_before, int64_t dep_after,
					   bool complete, int limits, bool realerted)
{
	static const char *const rules[] = { "money.net_loss", "loss_chasing.deposit_after_loss" };
	struct effectiveness_case c = { .outcome = outcome, .jurisdiction = "GB", .rules = rules, .nrules = 2,
					.complete7 = true, .complete30 = complete, .realerted = realerted };
	c.before.days = c.after30.days = 30;
	c.before.deposits = dep_before;
	c.after30.deposits = dep_after;
	c.before.net_loss = 100;
	c.after30.net_loss = 75; /* exactly a quarter less: fell */
	c.before.play_minutes = 0; /* no baseline: left out */
	c.after30.play_minutes = 50;
	c.after30.limits_set = limits;
	return c;
}

static json_t *figure(json_t *group, const char *measure, const char *key)
{
	return json_object_get(json_object_get(group, measure), key);
}

static void test_figures_by_hand(void **state)
{
	(void)state;
	struct effectiveness *e = effectiveness_new();
	struct effectiveness_case cases[] = {
		make_case("limits_set", 1000, 750, true, 1, false),      /* -25%: fell */
		make_case("limits_set", 1000, 760, true, 0, true),       /* -24%: did not */
		make_case("false_positive", 1000, 1500, true, 0, false), /* +50% */
		make_case("false_positive", 0, 500, true, 0, false),     /* no baseline */
		make_case("pause_applied", 1000, 0, false, 0, false),    /* not complete */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(effectiveness_add(e, &cases[i]), 0);
	json_t *j = effectiveness_json(e);
	json_t *total = json_object_get(j, "total");
	assert_int_equal(json_integer_value(json_object_get(total, "cases")), 5);
	assert_int_equal(json_integer_value(json_object_get(total, "complete_7d")), 5);
	assert_int_equal(json_integer_value(json_object_get(total, "complete_30d")), 4);
	assert_int_equal(json_integer_value(figure(total, "deposits", "with_baseline")), 3);
	assert_int_equal(json_integer_value(figure(total, "deposits", "fell_by_quarter")), 1);
	assert_int_equal(json_integer_value(figure(total, "deposits", "fell_pct")), 33);
	assert_int_equal(json_integer_value(figure(total, "deposits", "median_change_pct")), -24); /* -25, -24, +50 */
	assert_int_equal(json_integer_value(figure(total, "net_loss", "fell_by_quarter")), 4);
	assert_int_equal(json_integer_value(figure(total, "net_loss", "median_change_pct")), -25);
	assert_int_equal(json_integer_value(figure(total, "play_minutes", "with_baseline")), 0);
	assert_true(json_is_null(figure(total, "play_minutes", "fell_pct")));
	assert_true(json_is_null(figure(total, "play_minutes", "median_change_pct")));
	assert_int_equal(json_integer_value(figure(total, "limit_or_exclusion", "pct")), 25);
	assert_int_equal(json_integer_value(figure(total, "realerted_30d", "count")), 1);

	json_t *outcomes = json_object_get(j, "by_outcome");
	assert_int_equal(json_array_size(outcomes), 3);
	json_t *limits = json_array_get(outcomes, 1); /* by name: false_positive, limits_set, pause_applied */
	assert_string_equal(json_string_value(json_object_get(limits, "group")), "limits_set");
	assert_int_equal(json_integer_value(figure(limits, "deposits", "median_change_pct")), -25); /* -24.5 */
	assert_int_equal(json_integer_value(figure(limits, "deposits", "fell_pct")), 50);
	json_t *pause = json_array_get(outcomes, 2);
	assert_int_equal(json_integer_value(json_object_get(pause, "complete_30d")), 0);
	assert_true(json_is_null(figure(pause, "limit_or_exclusion", "pct")));
	assert_int_equal(json_array_size(json_object_get(j, "by_rule")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "by_rule"), 0), "cases")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "by_jurisdiction"), 0),
							      "group")), "GB");
	json_decref(j);
	effectiveness_free(e);
}

static void test_no_cases(void **state)
{
	(void)state;
	struct effectiveness *e = effectiveness_new();
	json_t *j = effectiveness_json(e);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "total"), "cases")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "by_outcome")), 0);
	json_decref(j);
	effectiveness_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures_by_hand),
		cmocka_unit_test(test_no_cases),
	};
	return cmocka_run_group_tests_name("effectiveness", tests, NULL, NULL);
}
