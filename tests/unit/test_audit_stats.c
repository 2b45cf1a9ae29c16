/* test_audit_stats.c -- the regulator figures of the export manifest,
 * counted over alerts put into a real store: levels (excluded counts as
 * red), outcomes of resolved alerts, the median time to the first action
 * (acknowledged or resolved, whichever came first), overdue alerts as of
 * now, and the player and time filters. Also the alert row's round trip:
 * what is "not set" (empty strings, INT64_MIN, a NULL note) comes back as
 * it went in, and an empty note stays an empty note. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rgmon/audit_stats.h"
#include "helpers.h"
#include "temp_store.h"

#define HOUR 3600000LL
#define DAY (24 * HOUR)


/* An alert created at `created`, due `due` later; ack and resolved are
 * offsets from created, or INT64_MIN for not yet. */
static void put_alert(struct store *st, const char *id, const char *player, int level, int64_t created, int64_t due,
		      int64_t ack, int64_t resolved, const char *outcome, char *note)
{
	char err[256];
	static struct alert a;
	memset(&a, 0, sizeof(a));
	a.level = (enum risk_level)level;
	a.created_ms = a.updated_ms = created;
	a.due_ms = created + due;
	a.has_note = note != NULL;
	snprintf(a.note, sizeof(a.note), "%s", note ? note : "");
	a.acknowledged_ms = ack == INT64_MIN ? INT64_MIN : created + ack;
	a.resolved_ms = resolved == INT64_MIN ? INT64_MIN : created + resolved;
	snprintf(a.alert_id, sizeof(a.alert_id), "%s", id);
	snprintf(a.player_id, sizeof(a.player_id), "%s", player);
	snprintf(a.policy, sizeof(a.policy), "test@sha256:0");
	a.status = resolved != INT64_MIN ? ALERT_RESOLVED : ack != INT64_MIN ? ALERT_ACKNOWLEDGED : ALERT_OPEN;
	a.outcome = OUTCOME_NONE;
	if (outcome && alert_outcome_parse(outcome, &a.outcome) < 0)
		fail_msg("unknown outcome %s", outcome);
	if (ack != INT64_MIN)
		snprintf(a.acknowledged_by, sizeof(a.acknowledged_by), "agent");
	if (store_alert_put(st, &a, err, sizeof(err)) < 0)
		fail_msg("store_alert_put: %s", err);
}

static void test_figures(void **state)
{
	(void)state;
	char path[64], err[256];
	struct store *st = open_temp(path, sizeof(path));
	int64_t t = t_ms("2026-11-02T00:00:00Z"), now = t + 10 * DAY, none = INT64_MIN;
	struct audit_stats s;

	put_alert(st, "a1", "p1", LEVEL_AMBER, t, 3 * DAY, none, none, NULL, NULL);       /* overdue: open past due */
	put_alert(st, "a2", "p1", LEVEL_RED, t + 1, DAY, HOUR, none, NULL, NULL);         /* overdue, acted 1 h */
	put_alert(st, "a3", "p1", LEVEL_EXCLUDED, t + 2, DAY, 3 * HOUR, 2 * HOUR, "limits_set", NULL); /* acted 2 h */
	put_alert(st, "a4", "p1", LEVEL_AMBER, t + 3, DAY, none, 2 * DAY, "false_positive", NULL); /* resolved late */
	put_alert(st, "a5", "p2", LEVEL_AMBER, t - 2 * HOUR, DAY, none, HOUR, "pause_applied", NULL); /* before from */
	put_alert(st, "a6", "p2", LEVEL_RED, t + 4, 20 * DAY, HOUR / 2, none, NULL, NULL); /* not due yet */

	assert_int_equal(audit_stats_compute(st, t - HOUR, t + DAY, NULL, now, &s, err, sizeof(err)), 0);
	assert_int_equal(s.alerts_amber, 2);
	assert_int_equal(s.alerts_red, 3);
	assert_int_equal(s.outcomes[OUTCOME_LIMITS_SET], 1);
	assert_int_equal(s.outcomes[OUTCOME_FALSE_POSITIVE], 1);
	assert_int_equal(s.outcomes[OUTCOME_PAUSE_APPLIED], 0);
	assert_int_equal(s.acted, 4);
	assert_int_equal(s.median_first_action_s, 7200); /* of 1800, 3600, 7200, 172800 s: the upper middle */
	assert_int_equal(s.overdue, 3);

	/* One player's; the window still counts. */
	assert_int_equal(audit_stats_compute(st, t - HOUR, t + DAY, "p2", now, &s, err, sizeof(err)), 0);
	assert_int_equal(s.alerts_amber + s.alerts_red, 1);
	assert_int_equal(s.acted, 1);
	assert_int_equal(s.median_first_action_s, 1800);
	assert_int_equal(s.overdue, 0);

	/* Nothing in the window: no median. */
	assert_int_equal(audit_stats_compute(st, t + DAY, t + 2 * DAY, NULL, now, &s, err, sizeof(err)), 0);
	assert_int_equal(s.alerts_amber + s.alerts_red + s.acted + s.overdue, 0);
	assert_int_equal(s.median_first_action_s, -1);
	remove_temp(st, path);
}

static void test_unset_fields_round_trip(void **state)
{
	(void)state;
	char path[64], err[256], empty[1] = "";
	struct store *st = open_temp(path, sizeof(path));
	int64_t t = t_ms("2026-11-02T00:00:00Z");
	static struct alert a;

	put_alert(st, "open", "p1", LEVEL_AMBER, t, DAY, INT64_MIN, INT64_MIN, NULL, NULL);
	assert_int_equal(store_alert_get(st, "open", &a, err, sizeof(err)), 1);
	assert_int_equal(a.outcome, OUTCOME_NONE);
	assert_string_equal(a.acknowledged_by, "");
	assert_false(a.has_note);
	assert_true(a.acknowledged_ms == INT64_MIN && a.resolved_ms == INT64_MIN);

	put_alert(st, "done", "p1", LEVEL_RED, t, DAY, HOUR, 2 * HOUR, "self_exclusion", empty);
	assert_int_equal(store_alert_get(st, "done", &a, err, sizeof(err)), 1);
	assert_int_equal(a.outcome, OUTCOME_SELF_EXCLUSION);
	assert_string_equal(a.acknowledged_by, "agent");
	assert_true(a.has_note);
	assert_string_equal(a.note, "");
	assert_true(a.acknowledged_ms == t + HOUR && a.resolved_ms == t + 2 * HOUR);

	assert_int_equal(store_alert_get(st, "unknown", &a, err, sizeof(err)), 0);
	remove_temp(st, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_unset_fields_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
