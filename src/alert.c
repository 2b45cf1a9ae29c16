/* alert.c -- applies alert decisions and staff actions: the alert row, the
 * outbox message for rg.alerts / rg.player-flags and the audit record, in
 * the caller's transaction. What to decide is alert_decide.c's. */
#include "rgmon/alert.h"
#include "rgmon/alert_json.h"
#include "rgmon/audit.h"
#include "rgmon/risk.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

static char *dump(json_t *v) { return json_dumps(v, JSON_COMPACT); }

/* ---- publishing ---------------------------------------------------------- */

/* Queues the alert as it now stands for the support queue topic. A
 * decision (event_id not NULL) also goes into the audit trail as kind: the
 * same JSON and the event that made it, so `audit explain` can re-run it. */
static int publish_alert(struct store *st, const struct alert *a, int64_t at_ms, enum audit_kind kind,
			 const char *event_id, char *err, size_t errlen)
{
	json_t *j = alert_json(a, ENGINE_NO_TIME);
	char *value = j ? dump(j) : NULL;
	if (!value) {
		json_decref(j);
		return seterr(err, errlen, "alert %s: cannot write its message", a->alert_id);
	}
	int rc = store_outbox_add(st, ALERT_TOPIC, a->player_id, a->alert_id, value, at_ms, err, errlen);
	free(value);
	if (rc == 0 && event_id) {
		json_object_set_new(j, "event_id", json_string(event_id));
		return audit_append(st, at_ms, kind, a->player_id, j, err, errlen);
	}
	json_decref(j);
	return rc;
}

/* A player flag for the CRM: stop (or, after a false positive, resume)
 * marketing and bonuses. The audit record adds the event and policy of an
 * automated flag (both NULL for a staff one). */
static int publish_flag(struct store *st, const char *player_id, bool suppress, const char *level, const char *rule,
			const char *reason, const char *alert_id, int64_t at_ms, const char *event_id,
			const char *policy_id, char *err, size_t errlen)
{
	json_t *j = json_pack("{s:s, s:b, s:b, s:s, s:s, s:s, s:s?, s:o}", "player_id", player_id,
			      "suppress_marketing", suppress, "suppress_bonuses", suppress, "level", level, "rule", rule,
			      "reason", reason, "alert_id", alert_id, "at", risk_time_json(at_ms));
	char *value = j ? dump(j) : NULL;
	if (!value) {
		json_decref(j);
		return seterr(err, errlen, "player %s: cannot write its flag", player_id);
	}
	int rc = store_outbox_add(st, ALERT_FLAG_TOPIC, player_id, alert_id, value, at_ms, err, errlen);
	free(value);
	if (rc == 0) { /* every flag is an automated decision (or a staff one undoing it) */
		if (event_id)
			json_object_set_new(j, "event_id", json_string(event_id));
		if (policy_id)
			json_object_set_new(j, "policy", json_string(policy_id));
		return audit_append(st, at_ms, AUDIT_PLAYER_FLAG, player_id, j, err, errlen);
	}
	json_decref(j);
	return rc;
}

/* ---- engine decisions ---------------------------------------------------- */

/* The evidence the store keeps for the rules whose markers the player has. */
static int load_marker_events(struct store *st, const char *player_id, const struct player_state *ps,
			      struct alert_marker_events *marks, char *err, size_t errlen)
{
	for (int i = 0; i < ENGINE_MARKERS; i++) {
		int rule = ps->markers[i].rule;
		if (rule >= RULE_COUNT)
			continue;
		marks->event_id[rule][0] = '\0';
		if (store_marker_get(st, player_id, rule_defs[rule]->id, marks->event_id[rule], EVENT_ID_MAX + 1, err,
				     errlen) < 0)
			return -1;
	}
	return 0;
}

int alert_note_counted(struct store *st, const struct policy *pol, const struct event *ev,
		       const struct player_state *ps, const struct engine_result *res, char *err, size_t errlen)
{
	for (int i = 0; i < res->nheld; i++) {
		int rule = res->held_rules[i];
		int64_t ts[RULE_COUNTED_MAX];
		if (!rule_defs[rule]->counted)
			continue;
		int n = engine_rule_counted(ps, ev, pol, rule, ts);
		if (store_marker_evidence_set(st, ev->player_id, rule_defs[rule]->id, ts, n, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The events behind each reason of the alert as it now stands. A reason
 * that holds now gets, for a rule that counts deposits, the deposits of
 * its count; otherwise (and for counts made before they were kept) the
 * event at which its marker started to hold. The event that raised or
 * escalated the alert joins its rule, unless that rule listed its count.
 * Reasons that held before and no longer do keep their events. */
static int record_reason_evidence(struct store *st, const struct alert *a, const struct policy *pol,
				  const struct event *ev, const struct player_state *ps,
				  const struct engine_result *res, const struct alert_marker_events *marks, char *err,
				  size_t errlen)
{
	struct risk_reason r[ENGINE_MARKERS];
	bool counted[RULE_COUNT] = { false };
	int n = risk_reasons(ps, pol, ev->ts_ms, r);
	for (int i = 0; i < n; i++) {
		int rule = r[i].rule;
		const char *id = rule_defs[rule]->id;
		int got = rule_defs[rule]->counted
				  ? store_alert_evidence_from_marker(st, a->alert_id, a->player_id, id, err, errlen)
				  : 0;
		if (got < 0)
			return -1;
		counted[rule] = got > 0;
		if (got == 0 && marks->event_id[rule][0] &&
		    store_alert_evidence_marker(st, a->alert_id, a->player_id, id, err, errlen) < 0)
			return -1;
	}
	if (res->raise && !counted[res->raise_rule] &&
	    store_alert_evidence_add(st, a->alert_id, rule_defs[res->raise_rule]->id, ev->event_id, ev->ts_ms, err,
				     errlen) < 0)
		return -1;
	return 0;
}

/* What the decision needs from the store: the open alert and the markers'
 * evidence, after recording the markers that start to hold now. */
static int load_decision_inputs(struct store *st, const struct event *ev, const struct player_state *ps,
				const struct engine_result *res, struct alert *open, bool *has_open,
				struct alert_marker_events *marks, char *err, size_t errlen)
{
	*has_open = false;
	for (int i = 0; i < res->nnew; i++)
		if (store_marker_set(st, ev->player_id, rule_defs[res->new_rules[i]]->id, ev->event_id, ev->ts_ms, err,
				     errlen) < 0)
			return -1;
	if (!res->raise && !res->nnew)
		return 0;
	int found = store_alert_open_for_player(st, ev->player_id, open, err, errlen);
	if (found < 0)
		return -1;
	*has_open = found > 0;
	return load_marker_events(st, ev->player_id, ps, marks, err, errlen);
}

int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, int *opened, char *err,
		   size_t errlen)
{
	/* About 60 KB together: on the heap, not the writer's stack. */
	struct alert *open = malloc(sizeof(*open));
	struct alert_marker_events *marks = calloc(1, sizeof(*marks));
	struct alert_change *ch = malloc(sizeof(*ch));
	bool has_open;
	int rc = -1;
	*opened = 0;
	if (!open || !marks || !ch) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	if (load_decision_inputs(st, ev, ps, res, open, &has_open, marks, err, errlen) < 0)
		goto out;
	if (alert_decide(has_open ? open : NULL, ev, ps, res, pol, marks, ch) < 0) {
		seterr(err, errlen, "cannot hash the alert id");
		goto out;
	}
	rc = 0;
	for (int i = 0; i < ch->nobligations && rc == 0; i++) {
		rc = store_alert_put(st, &ch->obligations[i], err, errlen);
		if (rc == 0)
			rc = publish_alert(st, &ch->obligations[i], ev->ts_ms, AUDIT_ALERT_OPENED, ev->event_id, err, errlen);
		*opened += rc == 0;
	}
	if (rc == 0 && ch->kind != ALERT_CHANGE_NONE) {
		bool open_new = ch->kind == ALERT_CHANGE_OPEN;
		*opened += open_new;
		rc = store_alert_put(st, &ch->alert, err, errlen);
		if (rc == 0)
			rc = record_reason_evidence(st, &ch->alert, pol, ev, ps, res, marks, err, errlen);
		if (rc == 0)
			rc = publish_alert(st, &ch->alert, ev->ts_ms, open_new ? AUDIT_ALERT_OPENED : AUDIT_ALERT_ESCALATED,
					   ev->event_id, err, errlen);
	}
	if (rc == 0 && ch->flag)
		rc = publish_flag(st, ev->player_id, true, risk_level_name(ch->flag_level),
				  ch->flag_rule >= 0 ? rule_defs[ch->flag_rule]->id : "level", ch->flag_detail,
				  ch->flag_alert_id[0] ? ch->flag_alert_id : NULL, ev->ts_ms, ev->event_id, pol->id, err,
				  errlen);
out:
	free(open);
	free(marks);
	free(ch);
	return rc;
}

/* ---- staff actions ------------------------------------------------------- */

/* Records the transition (alert row, action row, audit record, queue
 * message). */
static int record_action(struct store *st, const struct alert *a, const struct alert_staff_action *act,
			 const char *action, const char *outcome, char *err, size_t errlen)
{
	struct store_alert_action row = { a->alert_id, action, act->actor, act->role, act->at_ms, outcome, act->note, NULL };
	if (store_alert_put(st, a, err, errlen) < 0 || store_alert_action_add(st, &row, err, errlen) < 0 ||
	    audit_append(st, act->at_ms, AUDIT_STAFF_ACTION, a->player_id,
			 json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}", "alert_id", a->alert_id, "action",
				   action, "actor", act->actor, "role", act->role, "outcome", outcome, "note",
				   act->note, "status", alert_status_name(a->status), "level",
				   risk_level_name(a->level)),
			 err, errlen) < 0)
		return -1;
	return publish_alert(st, a, act->at_ms, AUDIT_STAFF_ACTION, NULL, err, errlen); /* audited by the caller */
}

static int acknowledge(struct store *st, struct alert *a, const struct alert_staff_action *act, char *why,
		       size_t whylen, char *err, size_t errlen)
{
	if (a->status == ALERT_RESOLVED) {
		seterr(why, whylen, "alert %s is already resolved", a->alert_id);
		return ALERT_ACTION_CONFLICT;
	}
	if (a->status == ALERT_PENDING_REVIEW) {
		seterr(why, whylen, "alert %s is waiting for review of its resolution by %s", a->alert_id, a->proposed_by);
		return ALERT_ACTION_CONFLICT;
	}
	if (a->status == ALERT_ACKNOWLEDGED) {
		bool same = strcmp(a->acknowledged_by, act->actor) == 0;
		seterr(why, whylen, "alert %s is already acknowledged by %s", a->alert_id, a->acknowledged_by);
		return same ? ALERT_ACTION_DONE : ALERT_ACTION_CONFLICT;
	}
	a->status = ALERT_ACKNOWLEDGED;
	rg_strlcpy(a->acknowledged_by, act->actor, sizeof(a->acknowledged_by));
	rg_strlcpy(a->actor, act->actor, sizeof(a->actor));
	a->acknowledged_ms = act->at_ms;
	return record_action(st, a, act, "acknowledge", NULL, err, errlen) < 0 ? -1 : ALERT_ACTION_DONE;
}

/* Hands an open or acknowledged alert to act->assignee (acknowledged by
 * them), or back to the open queue (NULL). Audited as a staff_action
 * "assign" / "unassign" with from and to; the alert goes to rg.alerts. */
static int assign(struct store *st, struct alert *a, const struct alert_staff_action *act, char *why,
		  size_t whylen, char *err, size_t errlen)
{
	if (a->status != ALERT_OPEN && a->status != ALERT_ACKNOWLEDGED) {
		seterr(why, whylen, "alert %s is %s: only open or acknowledged alerts are assigned", a->alert_id,
		       alert_status_name(a->status));
		return ALERT_ACTION_CONFLICT;
	}
	char from[sizeof(a->acknowledged_by)];
	rg_strlcpy(from, a->acknowledged_by, sizeof(from));
	const char *action = act->assignee ? "assign" : "unassign";
	a->status = act->assignee ? ALERT_ACKNOWLEDGED : ALERT_OPEN;
	rg_strlcpy(a->acknowledged_by, act->assignee ? act->assignee : "", sizeof(a->acknowledged_by));
	a->acknowledged_ms = act->assignee ? act->at_ms : INT64_MIN;
	rg_strlcpy(a->actor, act->actor, sizeof(a->actor));
	struct store_alert_action row = { a->alert_id, action,	   act->actor, act->role,
					  act->at_ms, NULL, act->note, act->assignee };
	if (store_alert_put(st, a, err, errlen) < 0 || store_alert_action_add(st, &row, err, errlen) < 0 ||
	    audit_append(st, act->at_ms, AUDIT_STAFF_ACTION, a->player_id,
			 json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s}", "alert_id", a->alert_id, "action",
				   action, "actor", act->actor, "role", act->role, "from", from[0] ? from : NULL, "to",
				   act->assignee, "note", act->note, "status", alert_status_name(a->status), "level",
				   risk_level_name(a->level)),
			 err, errlen) < 0)
		return -1;
	return publish_alert(st, a, act->at_ms, AUDIT_STAFF_ACTION, NULL, err, errlen) < 0 ? -1 : ALERT_ACTION_DONE;
}

/* The pack whose review setting applies to a: the one that raised it,
 * else the one of its jurisdiction now, else the fallback; NULL: the
 * default rule. */
static const struct policy *review_pack(const struct alert_staff_action *act, const struct alert *a)
{
	const struct policy_set *set = act->policies;
	const struct policy *pol = set ? policy_set_find(set, a->policy) : NULL;
	for (int i = 0; set && !pol && a->jurisdiction[0] && i < set->n; i++)
		if (strcmp(set->packs[i]->jurisdiction, a->jurisdiction) == 0)
			pol = set->packs[i];
	if (!pol && set)
		pol = policy_set_fallback(set);
	return pol ? pol : act->policy;
}

static bool needs_review(const struct alert_staff_action *act, const struct alert *a)
{
	const struct policy *pol = review_pack(act, a);
	if (pol)
		return policy_review_needed(pol, act->outcome, a->level);
	/* No pack at hand: the default rule (policy.h). */
	return a->level == LEVEL_RED &&
	       (act->outcome == OUTCOME_FALSE_POSITIVE || act->outcome == OUTCOME_CONTACTED_NO_ACTION);
}

/* Closes the alert with outcome. */
static void close_alert(struct alert *a, enum alert_outcome outcome, const char *actor, const char *note,
			int64_t at_ms)
{
	a->status = ALERT_RESOLVED;
	a->outcome = outcome;
	rg_strlcpy(a->actor, actor, sizeof(a->actor));
	a->has_note = true;
	rg_strlcpy(a->note, note ? note : "", sizeof(a->note));
	a->resolved_ms = at_ms;
}

static int lift_flag_after_false_positive(struct store *st, const struct alert *a, int64_t at_ms, char *err,
					  size_t errlen)
{
	if (a->outcome != OUTCOME_FALSE_POSITIVE)
		return 0;
	/* Staff found no harm: the CRM may market to the player again. */
	return publish_flag(st, a->player_id, false, risk_level_name(a->level), "staff.false_positive", a->note,
			    a->alert_id, at_ms, NULL, NULL, err, errlen);
}

static int resolve(struct store *st, struct alert *a, const struct alert_staff_action *act, char *why,
		   size_t whylen, char *err, size_t errlen)
{
	if (a->status == ALERT_RESOLVED) {
		seterr(why, whylen, "alert %s is already resolved (%s by %s)", a->alert_id,
		       alert_outcome_name(a->outcome), a->actor);
		return ALERT_ACTION_CONFLICT;
	}
	if (a->status == ALERT_PENDING_REVIEW) {
		seterr(why, whylen, "alert %s is waiting for review of its resolution (%s by %s)", a->alert_id,
		       alert_outcome_name(a->proposed_outcome), a->proposed_by);
		return ALERT_ACTION_CONFLICT;
	}
	if (needs_review(act, a)) {
		/* Four eyes: the resolution waits for a second person. */
		a->status = ALERT_PENDING_REVIEW;
		a->proposed_outcome = act->outcome;
		rg_strlcpy(a->proposed_by, act->actor, sizeof(a->proposed_by));
		rg_strlcpy(a->actor, act->actor, sizeof(a->actor));
		a->has_note = true;
		rg_strlcpy(a->note, act->note ? act->note : "", sizeof(a->note));
		a->reviewed_by[0] = '\0';
		a->has_review_note = false;
		return record_action(st, a, act, "resolve", alert_outcome_name(act->outcome), err, errlen) < 0
			       ? -1
			       : ALERT_ACTION_DONE;
	}
	close_alert(a, act->outcome, act->actor, act->note, act->at_ms);
	if (record_action(st, a, act, "resolve", alert_outcome_name(act->outcome), err, errlen) < 0 ||
	    lift_flag_after_false_positive(st, a, act->at_ms, err, errlen) < 0)
		return -1;
	return ALERT_ACTION_DONE;
}

/* The review decision: alert row, action row, its own audit record, queue
 * message. */
static int record_review(struct store *st, const struct alert *a, const struct alert_staff_action *act,
			 const char *proposed, char *err, size_t errlen)
{
	struct store_alert_action row = { a->alert_id, act->approve ? "approve" : "reject", act->actor, act->role,
					  act->at_ms, proposed, act->note, NULL };
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s}", "alert_id", a->alert_id,
				"decision", act->approve ? "approve" : "reject", "actor", act->actor, "role", act->role,
				"proposed_outcome", proposed, "proposed_by", a->proposed_by, "note", act->note, "status",
				alert_status_name(a->status), "level", risk_level_name(a->level));
	if (store_alert_put(st, a, err, errlen) < 0 || store_alert_action_add(st, &row, err, errlen) < 0 ||
	    audit_append(st, act->at_ms, act->approve ? AUDIT_REVIEW_APPROVED : AUDIT_REVIEW_REJECTED, a->player_id,
			 rec, err, errlen) < 0)
		return -1;
	return publish_alert(st, a, act->at_ms, AUDIT_STAFF_ACTION, NULL, err, errlen);
}

static int review(struct store *st, struct alert *a, const struct alert_staff_action *act, char *why,
		  size_t whylen, char *err, size_t errlen)
{
	if (a->status != ALERT_PENDING_REVIEW) {
		seterr(why, whylen, "alert %s is %s, not pending_review: there is no resolution to review", a->alert_id,
		       alert_status_name(a->status));
		return ALERT_ACTION_CONFLICT;
	}
	if (strcmp(a->proposed_by, act->actor) == 0) {
		seterr(why, whylen, "alert %s: %s proposed this resolution and may not review it; another person must",
		       a->alert_id, act->actor);
		return ALERT_ACTION_CONFLICT;
	}
	char proposed[32];
	rg_strlcpy(proposed, alert_outcome_name(a->proposed_outcome), sizeof(proposed));
	rg_strlcpy(a->reviewed_by, act->actor, sizeof(a->reviewed_by));
	a->has_review_note = act->note != NULL;
	rg_strlcpy(a->review_note, act->note ? act->note : "", sizeof(a->review_note));
	if (act->approve) {
		/* Resolved as proposed: actor and note stay the proposer's. */
		char note[ALERT_NOTE_MAX + 1];
		rg_strlcpy(note, a->note, sizeof(note));
		close_alert(a, a->proposed_outcome, a->proposed_by, note, act->at_ms);
		if (record_review(st, a, act, proposed, err, errlen) < 0 ||
		    lift_flag_after_false_positive(st, a, act->at_ms, err, errlen) < 0)
			return -1;
		return ALERT_ACTION_DONE;
	}
	/* Sent back: to whoever had it, or to the open queue. */
	a->status = a->acknowledged_by[0] ? ALERT_ACKNOWLEDGED : ALERT_OPEN;
	rg_strlcpy(a->actor, a->acknowledged_by, sizeof(a->actor));
	a->proposed_outcome = OUTCOME_NONE;
	return record_review(st, a, act, proposed, err, errlen) < 0 ? -1 : ALERT_ACTION_DONE;
}

typedef int (*staff_fn)(struct store *, struct alert *, const struct alert_staff_action *, char *, size_t, char *,
			size_t);

static int staff_action(staff_fn fn, struct store *st, const struct alert_staff_action *act, char *why,
			size_t whylen, char *err, size_t errlen)
{
	struct alert *a = malloc(sizeof(*a));
	if (!a)
		return seterr(err, errlen, "out of memory");
	int found = store_alert_get(st, act->alert_id, a, err, errlen);
	int rc = found < 0 ? -1 : found == 0 ? ALERT_ACTION_NOT_FOUND : fn(st, a, act, why, whylen, err, errlen);
	free(a);
	return rc;
}

int alert_acknowledge(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		      size_t errlen)
{
	return staff_action(acknowledge, st, act, why, whylen, err, errlen);
}

int alert_resolve(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		  size_t errlen)
{
	return staff_action(resolve, st, act, why, whylen, err, errlen);
}

int alert_review(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		 size_t errlen)
{
	return staff_action(review, st, act, why, whylen, err, errlen);
}

int alert_assign(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		 size_t errlen)
{
	return staff_action(assign, st, act, why, whylen, err, errlen);
}
