/* test_review.c -- four eyes on risky closures: the pack's "review"
 * setting (default, given, malformed ones refused naming the field), and
 * alert_resolve / alert_review against a real store: a red alert closed
 * as a false positive waits in pending_review, its proposer may not
 * review it, another person approves (resolved with the proposed outcome,
 * proposer and approver kept) or sends it back with a note; each step is
 * in the audit trail and on rg.alerts, and the CRM flag is lifted only on
 * approval. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rgmon/alert.h"
#include "rgmon/audit.h"
#include "rgmon/policy.h"
#include "rgmon/store.h"
#include "temp_store.h"

/* ---- the pack setting ------------------------------------------------------ */

/* The built-in pack with "review" set to the JSON text given (NULL: left
 * out); returns policy_load_json's result, err filled. */
static int load_with_review(struct policy *p, const char *review, char *err, size_t errlen)
{
	char *text = NULL;
	assert_int_equal(policy_load(p, NULL, &text, err, errlen), 0);
	json_t *root = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(root);
	if (review) {
		json_t *v = json_loads(review, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		json_object_set_new(root, "review", v);
	}
	char *changed = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	int rc = policy_load_json(p, changed, strlen(changed), err, errlen);
	free(changed);
	return rc;
}

static void test_review_default(void **state)
{
	(void)state;
	struct policy *p = malloc(sizeof(*p));
	char err[256];
	assert_int_equal(load_with_review(p, NULL, err, sizeof(err)), 0);
	assert_true(policy_review_needed(p, OUTCOME_FALSE_POSITIVE, LEVEL_RED));
	assert_true(policy_review_needed(p, OUTCOME_CONTACTED_NO_ACTION, LEVEL_RED));
	assert_false(policy_review_needed(p, OUTCOME_FALSE_POSITIVE, LEVEL_AMBER));
	assert_false(policy_review_needed(p, OUTCOME_LIMITS_SET, LEVEL_RED));
	assert_non_null(strstr(p->review.source, "house rule"));
	free(p);
}

static void test_review_given(void **state)
{
	(void)state;
	struct policy *p = malloc(sizeof(*p));
	char err[256];
	assert_int_equal(load_with_review(p,
					  "{\"source\":\"UKGC SR 3.4.3 (house reading)\",\"outcomes\":"
					  "{\"false_positive\":[\"amber\",\"red\"],\"pause_applied\":[\"red\"]}}",
					  err, sizeof(err)),
			 0);
	assert_true(policy_review_needed(p, OUTCOME_FALSE_POSITIVE, LEVEL_AMBER));
	assert_true(policy_review_needed(p, OUTCOME_FALSE_POSITIVE, LEVEL_RED));
	assert_true(policy_review_needed(p, OUTCOME_PAUSE_APPLIED, LEVEL_RED));
	/* not listed: never reviewed, whatever the default says */
	assert_false(policy_review_needed(p, OUTCOME_CONTACTED_NO_ACTION, LEVEL_RED));
	assert_string_equal(p->review.source, "UKGC SR 3.4.3 (house reading)");
	/* an empty map turns four eyes off */
	assert_int_equal(load_with_review(p, "{\"source\":\"rgmon house rule\",\"outcomes\":{}}", err, sizeof(err)), 0);
	assert_false(policy_review_needed(p, OUTCOME_FALSE_POSITIVE, LEVEL_RED));
	free(p);
}

static void expect_refused(const char *review, const char *field)
{
	struct policy *p = malloc(sizeof(*p));
	char err[256];
	assert_int_equal(load_with_review(p, review, err, sizeof(err)), -1);
	if (strncmp(err, field, strlen(field)) != 0)
		fail_msg("review %s: error \"%s\" does not start with %s", review, err, field);
	free(p);
}

static void test_review_malformed(void **state)
{
	(void)state;
	expect_refused("[]", "review: must be an object");
	expect_refused("{\"outcomes\":{}}", "review.source: missing");
	expect_refused("{\"source\":\"x\"}", "review.outcomes: missing");
	expect_refused("{\"source\":\"x\",\"outcomes\":{},\"who\":1}", "review.who: unknown field");
	expect_refused("{\"source\":\"x\",\"outcomes\":{\"bogus\":[\"red\"]}}", "review.outcomes.bogus: unknown outcome");
	expect_refused("{\"source\":\"x\",\"outcomes\":{\"false_positive\":\"red\"}}",
		       "review.outcomes.false_positive: must be an array");
	expect_refused("{\"source\":\"x\",\"outcomes\":{\"false_positive\":[\"green\"]}}",
		       "review.outcomes.false_positive[0]: must be \"amber\" or \"red\"");
}

/* ---- the flow against a store ---------------------------------------------- */

#define ALERT_ID "0123456789abcdef0123456789abcdef"

static void put_alert(struct store *st, enum risk_level level)
{
	char err[256];
	struct alert *a = calloc(1, sizeof(*a));
	rg_strlcpy(a->alert_id, ALERT_ID, sizeof(a->alert_id));
	rg_strlcpy(a->player_id, "p1", sizeof(a->player_id));
	rg_strlcpy(a->policy, "test@sha256:00", sizeof(a->policy));
	a->kind = ALERT_KIND_HARM;
	a->level = level;
	a->action = ACTION_PAUSE;
	a->status = ALERT_OPEN;
	a->created_ms = a->updated_ms = 1000;
	a->due_ms = 2000;
	a->acknowledged_ms = a->resolved_ms = ENGINE_NO_TIME;
	a->outcome = a->proposed_outcome = OUTCOME_NONE;
	assert_int_equal(store_alert_put(st, a, err, sizeof(err)), 0);
	free(a);
}

/* Runs one staff action in its own transaction, as the writer does. */
static int act(struct store *st, int (*fn)(struct store *, const struct alert_staff_action *, char *, size_t,
					   char *, size_t),
	       const char *actor, enum alert_outcome outcome, bool approve, const char *note, char *why, size_t whylen)
{
	char err[256];
	struct alert_staff_action a = { .alert_id = ALERT_ID, .actor = actor, .role = "compliance", .at_ms = 5000,
					.outcome = outcome, .note = note, .approve = approve };
	assert_int_equal(store_begin(st, err, sizeof(err)), 0);
	int rc = fn(st, &a, why, whylen, err, sizeof(err));
	if (rc < 0)
		fail_msg("staff action: %s", err);
	assert_int_equal(store_commit(st, err, sizeof(err)), 0);
	return rc;
}

static struct alert *get_alert(struct store *st)
{
	char err[256];
	struct alert *a = malloc(sizeof(*a));
	assert_int_equal(store_alert_get(st, ALERT_ID, a, err, sizeof(err)), 1);
	return a;
}

struct kinds {
	char list[512];
};

static int add_kind(void *ctx, const struct store_audit_row *r)
{
	struct kinds *k = ctx;
	size_t n = strlen(k->list);
	snprintf(k->list + n, sizeof(k->list) - n, "%s%s", n ? " " : "", r->kind);
	return 0;
}

struct outbox {
	int alerts, flags;
	char last_status[32];
};

static int add_message(void *ctx, const struct store_outbox_msg *m)
{
	struct outbox *o = ctx;
	json_t *v = json_loads(m->value, 0, NULL);
	if (strcmp(m->topic, ALERT_TOPIC) == 0) {
		o->alerts++;
		rg_strlcpy(o->last_status, json_string_value(json_object_get(v, "status")), sizeof(o->last_status));
	} else if (strcmp(m->topic, ALERT_FLAG_TOPIC) == 0)
		o->flags++;
	json_decref(v);
	return 0;
}

static void test_same_actor_refused_then_reject_and_approve(void **state)
{
	(void)state;
	char path[64], err[256], why[256];
	struct store *st = open_temp(path, sizeof(path));
	put_alert(st, LEVEL_RED);
	assert_int_equal(act(st, alert_acknowledge, "ann", OUTCOME_NONE, false, NULL, why, sizeof(why)),
			 ALERT_ACTION_DONE);

	/* red + false_positive: waits for a second person */
	assert_int_equal(act(st, alert_resolve, "ann", OUTCOME_FALSE_POSITIVE, false, "no harm: a big winner", why,
			     sizeof(why)),
			 ALERT_ACTION_DONE);
	struct alert *a = get_alert(st);
	assert_int_equal(a->status, ALERT_PENDING_REVIEW);
	assert_int_equal(a->proposed_outcome, OUTCOME_FALSE_POSITIVE);
	assert_int_equal(a->outcome, OUTCOME_NONE);
	assert_string_equal(a->proposed_by, "ann");
	free(a);

	/* acknowledging, resolving again, or the proposer reviewing: 409 */
	assert_int_equal(act(st, alert_acknowledge, "bob", OUTCOME_NONE, false, NULL, why, sizeof(why)),
			 ALERT_ACTION_CONFLICT);
	assert_int_equal(act(st, alert_resolve, "bob", OUTCOME_LIMITS_SET, false, "x", why, sizeof(why)),
			 ALERT_ACTION_CONFLICT);
	assert_int_equal(act(st, alert_review, "ann", OUTCOME_NONE, true, NULL, why, sizeof(why)), ALERT_ACTION_CONFLICT);
	assert_non_null(strstr(why, "may not review"));

	/* bob sends it back: acknowledged by ann again, with bob's note */
	assert_int_equal(act(st, alert_review, "bob", OUTCOME_NONE, false, "call the player first", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	a = get_alert(st);
	assert_int_equal(a->status, ALERT_ACKNOWLEDGED);
	assert_string_equal(a->acknowledged_by, "ann");
	assert_string_equal(a->reviewed_by, "bob");
	assert_string_equal(a->review_note, "call the player first");
	assert_int_equal(a->proposed_outcome, OUTCOME_NONE);
	free(a);
	/* nothing to review now */
	assert_int_equal(act(st, alert_review, "bob", OUTCOME_NONE, true, NULL, why, sizeof(why)), ALERT_ACTION_CONFLICT);

	/* proposed again, and approved by carol */
	assert_int_equal(act(st, alert_resolve, "ann", OUTCOME_CONTACTED_NO_ACTION, false, "called: fine", why,
			     sizeof(why)),
			 ALERT_ACTION_DONE);
	assert_int_equal(act(st, alert_review, "carol", OUTCOME_NONE, true, "agreed", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	a = get_alert(st);
	assert_int_equal(a->status, ALERT_RESOLVED);
	assert_int_equal(a->outcome, OUTCOME_CONTACTED_NO_ACTION);
	assert_string_equal(a->actor, "ann");
	assert_string_equal(a->proposed_by, "ann");
	assert_string_equal(a->reviewed_by, "carol");
	assert_string_equal(a->note, "called: fine");
	assert_int_equal(a->resolved_ms, 5000);
	free(a);

	struct kinds k = { "" };
	assert_true(store_audit_each(st, 1, INT64_MAX, NULL, add_kind, &k, err, sizeof(err)) >= 0);
	assert_string_equal(k.list, "staff_action staff_action review_rejected staff_action review_approved");
	struct outbox o = { 0 };
	assert_true(store_outbox_unsent_each(st, 0, 100, add_message, &o, err, sizeof(err)) >= 0);
	assert_int_equal(o.alerts, 5); /* acknowledge, propose, reject, propose, approve */
	assert_string_equal(o.last_status, "resolved");
	assert_int_equal(o.flags, 0); /* not a false positive in the end */
	remove_temp(st, path);
}

static void test_false_positive_flag_lifted_on_approval_only(void **state)
{
	(void)state;
	char path[64], err[256], why[256];
	struct store *st = open_temp(path, sizeof(path));
	put_alert(st, LEVEL_RED);
	assert_int_equal(act(st, alert_resolve, "ann", OUTCOME_FALSE_POSITIVE, false, "winner", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	struct outbox o = { 0 };
	assert_true(store_outbox_unsent_each(st, 0, 100, add_message, &o, err, sizeof(err)) >= 0);
	assert_int_equal(o.flags, 0);
	assert_string_equal(o.last_status, "pending_review");
	/* sent back with nobody's acknowledgement: open again */
	assert_int_equal(act(st, alert_review, "bob", OUTCOME_NONE, false, "look again", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	struct alert *a = get_alert(st);
	assert_int_equal(a->status, ALERT_OPEN);
	free(a);
	assert_int_equal(act(st, alert_resolve, "ann", OUTCOME_FALSE_POSITIVE, false, "winner", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	assert_int_equal(act(st, alert_review, "bob", OUTCOME_NONE, true, NULL, why, sizeof(why)), ALERT_ACTION_DONE);
	memset(&o, 0, sizeof(o));
	assert_true(store_outbox_unsent_each(st, 0, 100, add_message, &o, err, sizeof(err)) >= 0);
	assert_int_equal(o.flags, 1);
	a = get_alert(st);
	assert_int_equal(a->outcome, OUTCOME_FALSE_POSITIVE);
	assert_false(a->has_review_note);
	free(a);
	remove_temp(st, path);
}

static void test_no_review_needed(void **state)
{
	(void)state;
	char path[64], why[256];
	struct store *st = open_temp(path, sizeof(path));
	/* amber + false_positive: not under the default rule */
	put_alert(st, LEVEL_AMBER);
	assert_int_equal(act(st, alert_resolve, "ann", OUTCOME_FALSE_POSITIVE, false, "winner", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	struct alert *a = get_alert(st);
	assert_int_equal(a->status, ALERT_RESOLVED);
	assert_int_equal(a->proposed_outcome, OUTCOME_NONE);
	assert_string_equal(a->proposed_by, "");
	free(a);
	/* red + an intervention: closes at once */
	put_alert(st, LEVEL_RED);
	assert_int_equal(act(st, alert_resolve, "ann", OUTCOME_PAUSE_APPLIED, false, "paused", why, sizeof(why)),
			 ALERT_ACTION_DONE);
	a = get_alert(st);
	assert_int_equal(a->status, ALERT_RESOLVED);
	free(a);
	remove_temp(st, path);
}

/* A pack given: its review setting, not the default, decides. */
static void test_pack_setting_decides(void **state)
{
	(void)state;
	char path[64], err[256], why[256];
	struct policy *p = malloc(sizeof(*p));
	assert_int_equal(load_with_review(p, "{\"source\":\"x\",\"outcomes\":{\"limits_set\":[\"amber\"]}}", err,
					  sizeof(err)),
			 0);
	struct store *st = open_temp(path, sizeof(path));
	put_alert(st, LEVEL_AMBER);
	struct alert_staff_action a = { .alert_id = ALERT_ID, .actor = "ann", .role = "compliance", .at_ms = 5000,
					.outcome = OUTCOME_LIMITS_SET, .note = "limits", .policy = p };
	assert_int_equal(store_begin(st, err, sizeof(err)), 0);
	assert_int_equal(alert_resolve(st, &a, why, sizeof(why), err, sizeof(err)), ALERT_ACTION_DONE);
	assert_int_equal(store_commit(st, err, sizeof(err)), 0);
	struct alert *got = get_alert(st);
	assert_int_equal(got->status, ALERT_PENDING_REVIEW);
	free(got);
	free(p);
	remove_temp(st, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_review_default),
		cmocka_unit_test(test_review_given),
		cmocka_unit_test(test_review_malformed),
		cmocka_unit_test(test_same_actor_refused_then_reject_and_approve),
		cmocka_unit_test(test_false_positive_flag_lifted_on_approval_only),
		cmocka_unit_test(test_no_review_needed),
		cmocka_unit_test(test_pack_setting_decides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
