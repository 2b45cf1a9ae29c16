/* alert.c -- applies alert decisions and staff actions: the alert row, the
 * outbox message for rg.alerts / rg.player-flags and the audit record, in
 * the caller's transaction. What to decide is alert_decide.c's. */
#include "rgmon/alert.h"
#include "rgmon/audit.h"
#include "rgmon/risk.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

static char *dump(json_t *v) { return json_dumps(v, JSON_COMPACT); }

/* ---- the alert as JSON, and back ---------------------------------------- */

json_t *alert_json(const struct alert *a, int64_t now_ms)
{
	json_t *rules = json_array(), *reasons = json_array(), *evidence = json_array();
	for (int i = 0; i < a->nrules; i++)
		json_array_append_new(rules, json_string(rule_defs[a->rules[i]]->id));
	for (int i = 0; i < a->nreasons; i++)
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "rule", rule_defs[a->reasons[i].rule]->id,
							 "detail", a->reasons[i].detail));
	for (int i = 0; i < a->nevidence; i++)
		json_array_append_new(evidence, json_string(a->evidence[i]));

	json_t *o = json_object();
	json_object_set_new(o, "alert_id", json_string(a->alert_id));
	json_object_set_new(o, "player_id", json_string(a->player_id));
	json_object_set_new(o, "level", json_string(risk_level_name(a->level)));
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "reasons", reasons);
	json_object_set_new(o, "suggested_action", json_string(risk_action_name(a->action)));
	json_object_set_new(o, "evidence", evidence);
	json_object_set_new(o, "status", json_string(alert_status_name(a->status)));
	json_object_set_new(o, "created_at", risk_time_json(a->created_ms));
	json_object_set_new(o, "updated_at", risk_time_json(a->updated_ms));
	json_object_set_new(o, "due_at", risk_time_json(a->due_ms));
	json_object_set_new(o, "escalations", json_integer(a->escalations));
	json_object_set_new(o, "policy", json_string(a->policy));
	json_object_set_new(o, "outcome",
			   a->outcome != OUTCOME_NONE ? json_string(alert_outcome_name(a->outcome)) : json_null());
	json_object_set_new(o, "actor", a->actor[0] ? json_string(a->actor) : json_null());
	json_object_set_new(o, "note", a->has_note ? json_string(a->note) : json_null());
	json_object_set_new(o, "acknowledged_by", a->acknowledged_by[0] ? json_string(a->acknowledged_by) : json_null());
	json_object_set_new(o, "acknowledged_at", risk_time_json(a->acknowledged_ms));
	json_object_set_new(o, "resolved_at", risk_time_json(a->resolved_ms));
	if (now_ms != ENGINE_NO_TIME)
		json_object_set_new(o, "overdue", json_boolean(a->status != ALERT_RESOLVED && a->due_ms < now_ms));
	return o;
}

static int rules_from_json(json_t *arr, struct alert *a, char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	int rule;
	if (!json_is_array(arr))
		return seterr(err, errlen, "alert %s: \"rules\" is not an array", a->alert_id);
	json_array_foreach(arr, i, v) {
		if ((rule = rule_find(json_string_value(v) ? json_string_value(v) : "")) < 0 || a->nrules >= RULE_COUNT)
			return seterr(err, errlen, "alert %s: unknown rule in \"rules\"", a->alert_id);
		a->rules[a->nrules++] = (uint8_t)rule;
	}
	return 0;
}

static int reasons_from_json(json_t *arr, struct alert *a, char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return seterr(err, errlen, "alert %s: \"reasons\" is not an array", a->alert_id);
	json_array_foreach(arr, i, v) {
		const char *id = json_string_value(json_object_get(v, "rule"));
		const char *detail = json_string_value(json_object_get(v, "detail"));
		int rule = id ? rule_find(id) : -1;
		if (rule < 0 || !detail || a->nreasons >= RULE_COUNT)
			return seterr(err, errlen, "alert %s: damaged reason %zu", a->alert_id, i);
		a->reasons[a->nreasons].rule = (uint8_t)rule;
		rg_strlcpy(a->reasons[a->nreasons++].detail, detail, RULE_DETAIL_MAX);
	}
	return 0;
}

static int evidence_from_json(json_t *arr, struct alert *a, char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return seterr(err, errlen, "alert %s: \"evidence\" is not an array", a->alert_id);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || a->nevidence >= ALERT_EVIDENCE_MAX)
			return seterr(err, errlen, "alert %s: damaged evidence %zu", a->alert_id, i);
		rg_strlcpy(a->evidence[a->nevidence++], json_string_value(v), EVENT_ID_MAX + 1);
	}
	return 0;
}

static int name_index(const char *s, const char *(*name)(int), int count)
{
	for (int i = 0; s && i < count; i++)
		if (strcmp(s, name(i)) == 0)
			return i;
	return -1;
}
static const char *level_name(int i) { return risk_level_name((enum risk_level)i); }
static const char *action_name(int i) { return risk_action_name((enum risk_action)i); }

/* An RFC 3339 string, or null for "not set". */
static int64_t time_of(json_t *v)
{
	int64_t ms;
	return json_is_string(v) && ts_parse_rfc3339(json_string_value(v), &ms) == 0 ? ms : ENGINE_NO_TIME;
}

static void copy_string(json_t *v, char *dst, size_t len)
{
	rg_strlcpy(dst, json_is_string(v) ? json_string_value(v) : "", len);
}

int alert_from_json(json_t *j, struct alert *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	copy_string(json_object_get(j, "alert_id"), a->alert_id, sizeof(a->alert_id));
	copy_string(json_object_get(j, "player_id"), a->player_id, sizeof(a->player_id));
	copy_string(json_object_get(j, "policy"), a->policy, sizeof(a->policy));
	int level = name_index(json_string_value(json_object_get(j, "level")), level_name, LEVEL_COUNT);
	int action = name_index(json_string_value(json_object_get(j, "suggested_action")), action_name, ACTION_COUNT);
	const char *status = json_string_value(json_object_get(j, "status"));
	if (level < 0 || action < 0 || !status || alert_status_parse(status, &a->status) < 0)
		return seterr(err, errlen, "alert %s: damaged level, action or status", a->alert_id);
	a->level = (enum risk_level)level;
	a->action = (enum risk_action)action;
	if (rules_from_json(json_object_get(j, "rules"), a, err, errlen) < 0 ||
	    reasons_from_json(json_object_get(j, "reasons"), a, err, errlen) < 0 ||
	    evidence_from_json(json_object_get(j, "evidence"), a, err, errlen) < 0)
		return -1;
	a->created_ms = time_of(json_object_get(j, "created_at"));
	a->updated_ms = time_of(json_object_get(j, "updated_at"));
	a->due_ms = time_of(json_object_get(j, "due_at"));
	a->acknowledged_ms = time_of(json_object_get(j, "acknowledged_at"));
	a->resolved_ms = time_of(json_object_get(j, "resolved_at"));
	a->escalations = (int)json_integer_value(json_object_get(j, "escalations"));
	const char *outcome = json_string_value(json_object_get(j, "outcome"));
	a->outcome = OUTCOME_NONE;
	if (outcome && alert_outcome_parse(outcome, &a->outcome) < 0)
		return seterr(err, errlen, "alert %s: unknown outcome", a->alert_id);
	copy_string(json_object_get(j, "actor"), a->actor, sizeof(a->actor));
	copy_string(json_object_get(j, "acknowledged_by"), a->acknowledged_by, sizeof(a->acknowledged_by));
	a->has_note = json_is_string(json_object_get(j, "note"));
	copy_string(json_object_get(j, "note"), a->note, sizeof(a->note));
	return 0;
}

/* ---- the store's row: JSON text columns at its edge ---------------------- */

int alert_from_row(const struct store_alert *row, struct alert *a, char *err, size_t errlen)
{
	json_t *rules = json_loads(row->rules, 0, NULL), *reasons = json_loads(row->reasons, 0, NULL);
	json_t *evidence = json_loads(row->evidence, 0, NULL);
	int rc = -1;
	memset(a, 0, sizeof(*a));
	rg_strlcpy(a->alert_id, row->alert_id, sizeof(a->alert_id));
	rg_strlcpy(a->player_id, row->player_id, sizeof(a->player_id));
	rg_strlcpy(a->policy, row->policy, sizeof(a->policy));
	if ((unsigned)row->level >= LEVEL_COUNT || (unsigned)row->action >= ACTION_COUNT ||
	    alert_status_parse(row->status, &a->status) < 0) {
		seterr(err, errlen, "alert %s: damaged level, action or status", row->alert_id);
		goto out;
	}
	a->level = (enum risk_level)row->level;
	a->action = (enum risk_action)row->action;
	if (rules_from_json(rules, a, err, errlen) < 0 || reasons_from_json(reasons, a, err, errlen) < 0 ||
	    evidence_from_json(evidence, a, err, errlen) < 0)
		goto out;
	a->created_ms = row->created_ms;
	a->updated_ms = row->updated_ms;
	a->due_ms = row->due_ms;
	a->escalations = row->escalations;
	a->outcome = OUTCOME_NONE;
	if (row->outcome[0] && alert_outcome_parse(row->outcome, &a->outcome) < 0) {
		seterr(err, errlen, "alert %s: unknown outcome", row->alert_id);
		goto out;
	}
	rg_strlcpy(a->actor, row->actor, sizeof(a->actor));
	rg_strlcpy(a->acknowledged_by, row->acknowledged_by, sizeof(a->acknowledged_by));
	a->has_note = row->note != NULL;
	rg_strlcpy(a->note, row->note ? row->note : "", sizeof(a->note));
	a->acknowledged_ms = row->acknowledged_ms;
	a->resolved_ms = row->resolved_ms;
	rc = 0;
out:
	json_decref(rules);
	json_decref(reasons);
	json_decref(evidence);
	return rc;
}

json_t *alert_to_json(const struct store_alert *row, int64_t now_ms)
{
	char err[256];
	struct alert *a = malloc(sizeof(*a));
	json_t *j = a && alert_from_row(row, a, err, sizeof(err)) == 0 ? alert_json(a, now_ms) : NULL;
	free(a);
	return j;
}

/* Writes the alert's row (JSON text columns for its lists). */
static int put_alert(struct store *st, const struct alert *a, char *err, size_t errlen)
{
	json_t *j = alert_json(a, ENGINE_NO_TIME);
	struct store_alert row;
	memset(&row, 0, sizeof(row));
	rg_strlcpy(row.alert_id, a->alert_id, sizeof(row.alert_id));
	rg_strlcpy(row.player_id, a->player_id, sizeof(row.player_id));
	rg_strlcpy(row.policy, a->policy, sizeof(row.policy));
	rg_strlcpy(row.status, alert_status_name(a->status), sizeof(row.status));
	row.level = a->level;
	row.action = a->action;
	row.rules = dump(json_object_get(j, "rules"));
	row.reasons = dump(json_object_get(j, "reasons"));
	row.evidence = dump(json_object_get(j, "evidence"));
	row.created_ms = a->created_ms;
	row.updated_ms = a->updated_ms;
	row.due_ms = a->due_ms;
	row.escalations = a->escalations;
	rg_strlcpy(row.outcome, a->outcome != OUTCOME_NONE ? alert_outcome_name(a->outcome) : "", sizeof(row.outcome));
	rg_strlcpy(row.actor, a->actor, sizeof(row.actor));
	rg_strlcpy(row.acknowledged_by, a->acknowledged_by, sizeof(row.acknowledged_by));
	row.note = a->has_note ? strdup(a->note) : NULL;
	row.acknowledged_ms = a->acknowledged_ms;
	row.resolved_ms = a->resolved_ms;
	json_decref(j);
	int rc = !row.rules || !row.reasons || !row.evidence || (a->has_note && !row.note)
			 ? seterr(err, errlen, "out of memory")
			 : store_alert_put(st, &row, err, errlen);
	store_alert_release(&row);
	return rc;
}

/* ---- publishing ---------------------------------------------------------- */

/* Queues the alert as it now stands for the support queue topic. A
 * decision (audit_kind not NULL) also goes into the audit trail: the same
 * JSON and the event that made it, so `audit explain` can re-run it. */
static int publish_alert(struct store *st, const struct alert *a, int64_t at_ms, const char *audit_kind,
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
	if (rc == 0 && audit_kind) {
		json_object_set_new(j, "event_id", json_string(event_id));
		return audit_append(st, at_ms, audit_kind, a->player_id, j, err, errlen);
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
		return audit_append(st, at_ms, "player_flag", player_id, j, err, errlen);
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

/* What the decision needs from the store: the open alert and the markers'
 * evidence, after recording the markers that start to hold now. */
static int load_decision_inputs(struct store *st, const struct event *ev, const struct player_state *ps,
				const struct engine_result *res, struct alert *open, bool *has_open,
				struct alert_marker_events *marks, char *err, size_t errlen)
{
	struct store_alert row;
	*has_open = false;
	for (int i = 0; i < res->nnew; i++)
		if (store_marker_set(st, ev->player_id, rule_defs[res->new_rules[i]]->id, ev->event_id, ev->ts_ms, err,
				     errlen) < 0)
			return -1;
	if (!res->raise && !res->nnew)
		return 0;
	int found = store_alert_open_for_player(st, ev->player_id, &row, err, errlen);
	if (found < 0)
		return -1;
	if (found) {
		int rc = alert_from_row(&row, open, err, errlen);
		store_alert_release(&row);
		if (rc < 0)
			return -1;
		*has_open = true;
	}
	return load_marker_events(st, ev->player_id, ps, marks, err, errlen);
}

int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, bool *opened, char *err,
		   size_t errlen)
{
	/* About 60 KB together: on the heap, not the writer's stack. */
	struct alert *open = malloc(sizeof(*open));
	struct alert_marker_events *marks = calloc(1, sizeof(*marks));
	struct alert_change *ch = malloc(sizeof(*ch));
	bool has_open;
	int rc = -1;
	*opened = false;
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
	if (ch->kind != ALERT_CHANGE_NONE) {
		*opened = ch->kind == ALERT_CHANGE_OPEN;
		rc = put_alert(st, &ch->alert, err, errlen);
		if (rc == 0)
			rc = publish_alert(st, &ch->alert, ev->ts_ms, *opened ? "alert_opened" : "alert_escalated",
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
	struct store_alert_action row = { a->alert_id, action, act->actor, act->role, act->at_ms, outcome, act->note };
	if (put_alert(st, a, err, errlen) < 0 || store_alert_action_add(st, &row, err, errlen) < 0 ||
	    audit_append(st, act->at_ms, "staff_action", a->player_id,
			 json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}", "alert_id", a->alert_id, "action",
				   action, "actor", act->actor, "role", act->role, "outcome", outcome, "note",
				   act->note, "status", alert_status_name(a->status), "level",
				   risk_level_name(a->level)),
			 err, errlen) < 0)
		return -1;
	return publish_alert(st, a, act->at_ms, NULL, NULL, err, errlen);
}

/* The alert a staff action names: 1 found, 0 none, -1 error. */
static int load_alert(struct store *st, const char *alert_id, struct alert *a, char *err, size_t errlen)
{
	struct store_alert row;
	int found = store_alert_get(st, alert_id, &row, err, errlen);
	if (found <= 0)
		return found;
	int rc = alert_from_row(&row, a, err, errlen);
	store_alert_release(&row);
	return rc < 0 ? -1 : 1;
}

static int acknowledge(struct store *st, struct alert *a, const struct alert_staff_action *act, char *why,
		       size_t whylen, char *err, size_t errlen)
{
	if (a->status == ALERT_RESOLVED) {
		seterr(why, whylen, "alert %s is already resolved", a->alert_id);
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

static int resolve(struct store *st, struct alert *a, const struct alert_staff_action *act, char *why,
		   size_t whylen, char *err, size_t errlen)
{
	if (a->status == ALERT_RESOLVED) {
		seterr(why, whylen, "alert %s is already resolved (%s by %s)", a->alert_id,
		       alert_outcome_name(a->outcome), a->actor);
		return ALERT_ACTION_CONFLICT;
	}
	a->status = ALERT_RESOLVED;
	a->outcome = act->outcome;
	rg_strlcpy(a->actor, act->actor, sizeof(a->actor));
	a->has_note = true;
	rg_strlcpy(a->note, act->note ? act->note : "", sizeof(a->note));
	a->resolved_ms = act->at_ms;
	if (record_action(st, a, act, "resolve", alert_outcome_name(act->outcome), err, errlen) < 0)
		return -1;
	/* Staff found no harm: the CRM may market to the player again. */
	if (act->outcome == OUTCOME_FALSE_POSITIVE &&
	    publish_flag(st, a->player_id, false, risk_level_name(a->level), "staff.false_positive",
			 act->note ? act->note : "", a->alert_id, act->at_ms, NULL, NULL, err, errlen) < 0)
		return -1;
	return ALERT_ACTION_DONE;
}

typedef int (*staff_fn)(struct store *, struct alert *, const struct alert_staff_action *, char *, size_t, char *,
			size_t);

static int staff_action(staff_fn fn, struct store *st, const struct alert_staff_action *act, char *why,
			size_t whylen, char *err, size_t errlen)
{
	struct alert *a = malloc(sizeof(*a));
	if (!a)
		return seterr(err, errlen, "out of memory");
	int found = load_alert(st, act->alert_id, a, err, errlen);
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
