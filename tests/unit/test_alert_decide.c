/* test_alert_decide.c -- the pure alert decision on its own: open,
 * escalate, no change, strong marker, exclusion, the level clamp and the
 * evidence. States and engine results are built by hand, so each case
 * says exactly what the engine decided. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "rgmon/alert_decide.h"
#include "helpers.h"

#define TS "2026-11-20T21:00:00Z"

static struct event deposit(const char *id)
{
	return make_event("{\"event_id\":\"%s\",\"type\":\"deposit\",\"player_id\":\"p1\",\"ts\":\"" TS "\","
			  "\"amount\":5000,\"currency\":\"EUR\"}", id);
}

/* A player whose markers for the given rules all held at the event. */
static void player_with(struct player_state *ps, const int *rules, int n)
{
	state_init(ps);
	snprintf(ps->currency, sizeof(ps->currency), "EUR");
	for (int i = 0; i < n; i++) {
		ps->markers[i].rule = (uint8_t)rules[i];
		ps->markers[i].at_min = (uint32_t)(t_ms(TS) / MS_PER_MIN);
		ps->markers[i].v[0] = 3;
	}
}

static struct engine_result result(int before, int level, bool raise, int raise_rule)
{
	struct engine_result r;
	memset(&r, 0, sizeof(r));
	r.level_before = (uint8_t)before;
	r.level = (uint8_t)level;
	r.raise = raise;
	r.raise_rule = (uint8_t)raise_rule;
	return r;
}

static const struct policy *plain_policy(void)
{
	struct policy *pol = test_policy(NULL);
	for (int i = 0; i < RULE_COUNT; i++)
		pol->rules[i].strong = false;
	return pol;
}

static bool names_rule(const struct alert *a, int rule)
{
	for (int i = 0; i < a->nrules; i++)
		if (a->rules[i] == rule)
			return true;
	return false;
}

static void test_a_raise_opens_an_alert(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	int rules[] = { RULE_CHASING_DEPOSIT_AFTER_LOSS, RULE_MONEY_NET_LOSS };
	struct player_state ps;
	player_with(&ps, rules, 2);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_GREEN, LEVEL_AMBER, true, RULE_MONEY_NET_LOSS);
	struct alert_marker_events marks;
	memset(&marks, 0, sizeof(marks));
	snprintf(marks.event_id[RULE_CHASING_DEPOSIT_AFTER_LOSS], EVENT_ID_MAX + 1, "earlier");
	struct alert_change ch;

	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, &marks, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_OPEN);
	char id[ALERT_ID_LEN + 1];
	assert_int_equal(alert_id_of("p1", "money.net_loss", "e1", pol->id, id), 0);
	assert_string_equal(ch.alert.alert_id, id);
	assert_int_equal(strlen(ch.alert.alert_id), ALERT_ID_LEN);
	assert_int_equal(ch.alert.level, LEVEL_AMBER);
	assert_int_equal(ch.alert.status, ALERT_OPEN);
	assert_int_equal(ch.alert.outcome, OUTCOME_NONE);
	/* the raising rule and event come first */
	assert_int_equal(ch.alert.rules[0], RULE_MONEY_NET_LOSS);
	assert_int_equal(ch.alert.reasons[0].rule, RULE_MONEY_NET_LOSS);
	assert_true(names_rule(&ch.alert, RULE_CHASING_DEPOSIT_AFTER_LOSS));
	assert_int_equal(ch.alert.nreasons, 2);
	assert_true(ch.alert.reasons[1].detail[0] != '\0');
	assert_int_equal(ch.alert.nevidence, 2);
	assert_string_equal(ch.alert.evidence[0], "e1");
	assert_string_equal(ch.alert.evidence[1], "earlier");
	int64_t due = pol->rules[RULE_MONEY_NET_LOSS].due_minutes >= 0 ? pol->rules[RULE_MONEY_NET_LOSS].due_minutes
									: pol->due_minutes[LEVEL_AMBER];
	assert_int_equal(ch.alert.due_ms, ev.ts_ms + due * MS_PER_MIN);
	assert_int_equal(ch.alert.created_ms, ev.ts_ms);
	assert_string_equal(ch.alert.policy, pol->id);
	assert_false(ch.flag); /* amber, nothing strong */
	assert_string_equal(ch.flag_alert_id, id);
}

static void test_the_same_events_give_the_same_id(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	int rules[] = { RULE_MONEY_NET_LOSS };
	struct player_state ps;
	player_with(&ps, rules, 1);
	struct event e1 = deposit("e1"), e2 = deposit("e2");
	struct engine_result res = result(LEVEL_GREEN, LEVEL_AMBER, true, RULE_MONEY_NET_LOSS);
	struct alert_change a, b, c;
	alert_decide(NULL, &e1, &ps, &res, pol, NULL, &a);
	alert_decide(NULL, &e1, &ps, &res, pol, NULL, &b);
	alert_decide(NULL, &e2, &ps, &res, pol, NULL, &c);
	assert_string_equal(a.alert.alert_id, b.alert.alert_id);
	assert_string_not_equal(a.alert.alert_id, c.alert.alert_id);
}

/* An open amber alert on net loss, as a previous decision left it. */
static struct alert open_amber(const struct policy *pol, struct player_state *ps)
{
	int rules[] = { RULE_MONEY_NET_LOSS };
	player_with(ps, rules, 1);
	struct event ev = deposit("e0");
	ev.ts_ms -= 3600 * 1000;
	struct engine_result res = result(LEVEL_GREEN, LEVEL_AMBER, true, RULE_MONEY_NET_LOSS);
	struct alert_change ch;
	alert_decide(NULL, &ev, ps, &res, pol, NULL, &ch);
	ch.alert.status = ALERT_ACKNOWLEDGED;
	return ch.alert;
}

static void test_a_known_marker_changes_nothing(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_AMBER, LEVEL_AMBER, false, 0);
	res.nnew = 1;
	res.new_rules[0] = RULE_MONEY_NET_LOSS; /* the alert names it already */
	struct alert_change ch;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_NONE);
	assert_false(ch.flag);
	assert_string_equal(ch.flag_alert_id, open.alert_id);
}

/* A closure waiting for review was proposed without the new evidence: it
 * goes back to the person who had the alert. */
static void test_new_evidence_sends_a_pending_closure_back(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	open.status = ALERT_PENDING_REVIEW;
	open.proposed_outcome = OUTCOME_FALSE_POSITIVE;
	snprintf(open.proposed_by, sizeof(open.proposed_by), "ann");
	snprintf(open.acknowledged_by, sizeof(open.acknowledged_by), "ann");
	int rules[] = { RULE_MONEY_NET_LOSS, RULE_INTENSITY_NIGHT_PLAY };
	player_with(&ps, rules, 2);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_AMBER, LEVEL_AMBER, false, 0);
	res.nnew = 1;
	res.new_rules[0] = RULE_INTENSITY_NIGHT_PLAY;
	struct alert_change ch;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_ESCALATE);
	assert_int_equal(ch.alert.status, ALERT_ACKNOWLEDGED);
	assert_int_equal(ch.alert.proposed_outcome, OUTCOME_NONE);
	assert_string_equal(ch.alert.proposed_by, "ann"); /* who proposed it, kept */
}

static void test_a_new_marker_joins_the_open_alert(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	int rules[] = { RULE_MONEY_NET_LOSS, RULE_INTENSITY_NIGHT_PLAY };
	player_with(&ps, rules, 2);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_AMBER, LEVEL_AMBER, false, 0);
	res.nnew = 1;
	res.new_rules[0] = RULE_INTENSITY_NIGHT_PLAY;
	struct alert_change ch;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_ESCALATE);
	assert_string_equal(ch.alert.alert_id, open.alert_id);
	assert_int_equal(ch.alert.status, ALERT_ACKNOWLEDGED); /* staff keep it */
	assert_int_equal(ch.alert.level, LEVEL_AMBER);
	assert_int_equal(ch.alert.escalations, 0); /* no raise */
	assert_int_equal(ch.alert.due_ms, open.due_ms);
	assert_int_equal(ch.alert.nrules, 2);
	assert_int_equal(ch.alert.rules[0], RULE_MONEY_NET_LOSS);
	assert_int_equal(ch.alert.rules[1], RULE_INTENSITY_NIGHT_PLAY);
	assert_string_equal(ch.alert.evidence[ch.alert.nevidence - 1], "e1");
	assert_int_equal(ch.alert.updated_ms, ev.ts_ms);
}

static void test_a_raise_to_red_escalates_and_flags(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	int rules[] = { RULE_CHASING_DEPOSITS_IN_SESSION };
	player_with(&ps, rules, 1); /* net loss no longer holds */
	struct event ev = deposit("e2");
	struct engine_result res = result(LEVEL_AMBER, LEVEL_RED, true, RULE_CHASING_DEPOSITS_IN_SESSION);
	struct alert_change ch;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_ESCALATE);
	assert_int_equal(ch.alert.level, LEVEL_RED);
	assert_int_equal(ch.alert.escalations, 1);
	assert_true(ch.alert.due_ms <= open.due_ms); /* never later */
	assert_true(ch.alert.action >= open.action);
	/* what holds now first, then what held before */
	assert_int_equal(ch.alert.reasons[0].rule, RULE_CHASING_DEPOSITS_IN_SESSION);
	assert_int_equal(ch.alert.reasons[1].rule, RULE_MONEY_NET_LOSS);
	assert_int_equal(ch.alert.rules[0], RULE_MONEY_NET_LOSS);
	/* a rise to red flags the player, with the alert and the raising rule */
	assert_true(ch.flag);
	assert_int_equal(ch.flag_level, LEVEL_RED);
	assert_int_equal(ch.flag_rule, RULE_CHASING_DEPOSITS_IN_SESSION);
	assert_string_equal(ch.flag_alert_id, open.alert_id);
	assert_true(ch.flag_detail[0] != '\0');
}

static void test_a_strong_marker_flags_a_green_player(void **state)
{
	(void)state;
	struct policy *pol = test_policy(NULL);
	for (int i = 0; i < RULE_COUNT; i++)
		pol->rules[i].strong = i == RULE_LIMITS_BREACH;
	int rules[] = { RULE_LIMITS_BREACH };
	struct player_state ps;
	player_with(&ps, rules, 1);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_GREEN, LEVEL_GREEN, true, RULE_LIMITS_BREACH);
	struct alert_change ch;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_OPEN);
	assert_int_equal(ch.alert.level, LEVEL_AMBER); /* an alert is at least amber */
	assert_true(ch.flag);
	assert_int_equal(ch.flag_rule, RULE_LIMITS_BREACH);
	assert_int_equal(ch.flag_level, LEVEL_GREEN);
}

static void test_exclusion_flags_and_clamps_to_red(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	player_with(&ps, NULL, 0);
	struct event ev = deposit("e1");
	/* the player excluded themselves: a rise without a raise */
	struct engine_result res = result(LEVEL_AMBER, LEVEL_EXCLUDED, false, 0);
	struct alert_change ch;
	assert_true(alert_event_matters(&res));
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_NONE);
	assert_true(ch.flag);
	assert_int_equal(ch.flag_rule, -1);
	assert_int_equal(ch.flag_level, LEVEL_EXCLUDED);
	assert_string_equal(ch.flag_detail, "the player excluded themselves");
	assert_string_equal(ch.flag_alert_id, "");

	/* a breach during the exclusion opens a red alert, not an "excluded" one */
	int rules[] = { RULE_EXCLUSION_BREACH };
	player_with(&ps, rules, 1);
	res = result(LEVEL_EXCLUDED, LEVEL_EXCLUDED, true, RULE_EXCLUSION_BREACH);
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_OPEN);
	assert_int_equal(ch.alert.level, LEVEL_RED);
	assert_int_equal(alert_level_of(LEVEL_EXCLUDED), LEVEL_RED);
	assert_int_equal(alert_level_of(LEVEL_GREEN), LEVEL_AMBER);
	assert_int_equal(alert_level_of(LEVEL_AMBER), LEVEL_AMBER);
}

static void test_nothing_to_decide(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_AMBER, LEVEL_AMBER, false, 0);
	struct alert_change ch;
	assert_false(alert_event_matters(&res));
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_NONE);
	assert_false(ch.flag);
	/* new markers without a raise open nothing when no alert is open */
	res.nnew = 1;
	res.new_rules[0] = RULE_MONEY_NET_LOSS;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_NONE);
}

static void test_evidence_is_unique_and_bounded(void **state)
{
	(void)state;
	const struct policy *pol = plain_policy();
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	for (int i = open.nevidence; i < ALERT_EVIDENCE_MAX; i++)
		snprintf(open.evidence[open.nevidence++], EVENT_ID_MAX + 1, "old-%d", i);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_AMBER, LEVEL_RED, true, RULE_MONEY_NET_LOSS);
	struct alert_change ch;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.alert.nevidence, ALERT_EVIDENCE_MAX);
	assert_string_equal(ch.alert.evidence[0], "e0"); /* the oldest are kept */
	struct alert_change again;
	assert_int_equal(alert_decide(&ch.alert, &ev, &ps, &res, pol, NULL, &again), 0);
	assert_int_equal(again.alert.nevidence, ALERT_EVIDENCE_MAX);
}

static void test_an_obligation_always_opens_its_own_alert(void **state)
{
	(void)state;
	struct policy *pol = test_policy(NULL);
	for (int i = 0; i < RULE_COUNT; i++)
		pol->rules[i].strong = false;
	pol->rules[RULE_REGULATORY_DEPOSITS].kind = RULE_KIND_OBLIGATION;
	pol->rules[RULE_REGULATORY_DEPOSITS].action = ACTION_FINANCIAL_CHECK;
	pol->rules[RULE_REGULATORY_DEPOSITS].due_minutes = 60;
	struct player_state ps;
	struct alert open = open_amber(pol, &ps);
	struct event ev = deposit("e9");
	/* a green-level event that owes a check: no raise, no new marker */
	struct engine_result res = result(LEVEL_GREEN, LEVEL_GREEN, false, 0);
	res.nowed = 1;
	res.owed[0].rule = RULE_REGULATORY_DEPOSITS;
	res.owed[0].v[0] = 16000;
	assert_true(alert_event_matters(&res));
	struct alert_change ch;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_NONE); /* the harm alert is untouched */
	assert_int_equal(ch.nobligations, 1);
	const struct alert *o = &ch.obligations[0];
	assert_int_equal(o->kind, ALERT_KIND_OBLIGATION);
	assert_int_equal(o->action, ACTION_FINANCIAL_CHECK);
	assert_int_equal(o->level, LEVEL_AMBER);
	assert_int_equal(o->due_ms, ev.ts_ms + 60 * MS_PER_MIN);
	assert_int_equal(o->nrules, 1);
	assert_int_equal(o->rules[0], RULE_REGULATORY_DEPOSITS);
	assert_true(o->reasons[0].detail[0] != '\0');
	assert_string_equal(o->evidence[0], "e9");
	assert_string_not_equal(o->alert_id, open.alert_id);
	assert_string_equal(o->jurisdiction, pol->jurisdiction);
	assert_false(ch.flag);
	/* and without any open alert, the same */
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.nobligations, 1);
	assert_int_equal(ch.kind, ALERT_CHANGE_NONE);
	assert_string_equal(alert_kind_name(ALERT_KIND_OBLIGATION), "obligation");
}

/* A pack whose levels are due late (72 h): a strong indicator's alert is
 * still due within 24 h, opened or escalated, at any level; a shorter due
 * time of the pack (NL: 1 h) stands; nothing moves a due time later. */
static void test_a_strong_indicator_is_due_within_24_hours(void **state)
{
	(void)state;
	struct policy *pol = test_policy(NULL);
	for (int i = 0; i < RULE_COUNT; i++)
		pol->rules[i].strong = false;
	pol->due_minutes[LEVEL_AMBER] = pol->due_minutes[LEVEL_RED] = 72 * 60;
	int rules[] = { RULE_MONEY_LOST };
	struct player_state ps;
	player_with(&ps, rules, 1);
	struct event ev = deposit("e1");
	/* a strong money tier: the engine raises it as strong */
	struct engine_result res = result(LEVEL_GREEN, LEVEL_RED, true, RULE_MONEY_LOST);
	res.raise_strong = true;
	struct alert_change ch;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_OPEN);
	assert_int_equal(ch.alert.due_ms, ev.ts_ms + ALERT_STRONG_DUE_MAX_MINUTES * MS_PER_MIN);
	assert_int_equal(ALERT_STRONG_DUE_MAX_MINUTES, 24 * 60);
	/* a rise to red that is not strong keeps the pack's due time */
	res.raise_strong = false;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.alert.due_ms, ev.ts_ms + 72 * 60 * MS_PER_MIN);

	/* escalated: an open amber alert due in 72 h becomes due within 24 h */
	struct alert open = open_amber(pol, &ps);
	player_with(&ps, rules, 1);
	res = result(LEVEL_AMBER, LEVEL_RED, true, RULE_MONEY_LOST);
	res.raise_strong = true;
	assert_int_equal(alert_decide(&open, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_ESCALATE);
	assert_int_equal(ch.alert.due_ms, ev.ts_ms + 24 * 60 * MS_PER_MIN);

	/* a red alert (a rise, due in 72 h) that a strong marker joins later at
	 * the same level: due within 24 h of the strong marker */
	res = result(LEVEL_AMBER, LEVEL_RED, true, RULE_MONEY_NET_LOSS);
	struct event e0 = deposit("e0");
	assert_int_equal(alert_decide(NULL, &e0, &ps, &res, pol, NULL, &ch), 0);
	struct alert red = ch.alert;
	assert_int_equal(red.due_ms, e0.ts_ms + 72 * 60 * MS_PER_MIN);
	struct event e2 = deposit("e2");
	e2.ts_ms += 3600 * 1000;
	res = result(LEVEL_RED, LEVEL_RED, true, RULE_MONEY_LOST);
	res.raise_strong = true;
	assert_int_equal(alert_decide(&red, &e2, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.kind, ALERT_CHANGE_ESCALATE);
	assert_int_equal(ch.alert.level, LEVEL_RED);
	assert_int_equal(ch.alert.due_ms, e2.ts_ms + 24 * 60 * MS_PER_MIN);
	/* and a later strong marker never moves it later */
	struct event e3 = deposit("e3");
	e3.ts_ms += 20 * 3600 * 1000;
	struct alert earlier = ch.alert;
	assert_int_equal(alert_decide(&earlier, &e3, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.alert.due_ms, earlier.due_ms);

	/* a pack due sooner keeps its time: NL, every level within 1 h */
	pol->due_minutes[LEVEL_AMBER] = pol->due_minutes[LEVEL_RED] = 60;
	res = result(LEVEL_GREEN, LEVEL_RED, true, RULE_MONEY_LOST);
	res.raise_strong = true;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.alert.due_ms, ev.ts_ms + 60 * MS_PER_MIN);
}

/* A rule the pack calls strong whose own due time is late: capped too, on
 * a harm alert and on an obligation. */
static void test_a_strong_rule_is_due_within_24_hours(void **state)
{
	(void)state;
	struct policy *pol = test_policy(NULL);
	for (int i = 0; i < RULE_COUNT; i++)
		pol->rules[i].strong = i == RULE_EXCLUSION_BREACH;
	pol->rules[RULE_EXCLUSION_BREACH].due_minutes = 48 * 60;
	int rules[] = { RULE_EXCLUSION_BREACH };
	struct player_state ps;
	player_with(&ps, rules, 1);
	struct event ev = deposit("e1");
	struct engine_result res = result(LEVEL_EXCLUDED, LEVEL_EXCLUDED, true, RULE_EXCLUSION_BREACH);
	struct alert_change ch;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.alert.due_ms, ev.ts_ms + 24 * 60 * MS_PER_MIN);

	pol->rules[RULE_REGULATORY_DEPOSITS].kind = RULE_KIND_OBLIGATION;
	pol->rules[RULE_REGULATORY_DEPOSITS].action = ACTION_DEPOSIT_BLOCK;
	pol->rules[RULE_REGULATORY_DEPOSITS].strong = true;
	pol->rules[RULE_REGULATORY_DEPOSITS].due_minutes = 72 * 60;
	res = result(LEVEL_GREEN, LEVEL_GREEN, false, 0);
	res.nowed = 1;
	res.owed[0].rule = RULE_REGULATORY_DEPOSITS;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.nobligations, 1);
	assert_int_equal(ch.obligations[0].due_ms, ev.ts_ms + 24 * 60 * MS_PER_MIN);
	/* not strong: the rule's own 72 h */
	pol->rules[RULE_REGULATORY_DEPOSITS].strong = false;
	assert_int_equal(alert_decide(NULL, &ev, &ps, &res, pol, NULL, &ch), 0);
	assert_int_equal(ch.obligations[0].due_ms, ev.ts_ms + 72 * 60 * MS_PER_MIN);
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < ALERT_STATUS_COUNT; i++) {
		enum alert_status s;
		assert_int_equal(alert_status_parse(alert_status_name((enum alert_status)i), &s), 0);
		assert_int_equal(s, i);
	}
	for (int i = 0; i < OUTCOME_COUNT; i++) {
		enum alert_outcome o;
		assert_int_equal(alert_outcome_parse(alert_outcome_name((enum alert_outcome)i), &o), 0);
		assert_int_equal(o, i);
	}
	enum alert_status s;
	assert_int_equal(alert_status_parse("closed", &s), -1);
	assert_string_equal(alert_outcome_name(OUTCOME_NONE), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_raise_opens_an_alert),
		cmocka_unit_test(test_the_same_events_give_the_same_id),
		cmocka_unit_test(test_a_known_marker_changes_nothing),
		cmocka_unit_test(test_a_new_marker_joins_the_open_alert),
		cmocka_unit_test(test_new_evidence_sends_a_pending_closure_back),
		cmocka_unit_test(test_a_raise_to_red_escalates_and_flags),
		cmocka_unit_test(test_a_strong_marker_flags_a_green_player),
		cmocka_unit_test(test_exclusion_flags_and_clamps_to_red),
		cmocka_unit_test(test_nothing_to_decide),
		cmocka_unit_test(test_evidence_is_unique_and_bounded),
		cmocka_unit_test(test_an_obligation_always_opens_its_own_alert),
		cmocka_unit_test(test_a_strong_indicator_is_due_within_24_hours),
		cmocka_unit_test(test_a_strong_rule_is_due_within_24_hours),
		cmocka_unit_test(test_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
