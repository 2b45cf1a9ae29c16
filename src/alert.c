/* alert.c -- opening and escalating alerts from engine decisions. */
#include "rgmon/alert.h"
#include "rgmon/audit.h"
#include "rgmon/digest.h"
#include "rgmon/risk.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

#define ALERT_EVIDENCE_MAX 50 /* an alert keeps at most this many event ids */

static bool array_has_string(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

static void add_unique(json_t *arr, const char *s)
{
	if (!array_has_string(arr, s) && json_array_size(arr) < ALERT_EVIDENCE_MAX)
		json_array_append_new(arr, json_string(s));
}

static json_t *reason_json(int rule, const char *detail)
{
	return json_pack("{s:s, s:s}", "rule", rule_defs[rule]->id, "detail", detail);
}

/* What the player's current markers say: rules, reasons, evidence. */
static int current_reasons(struct store *st, const struct policy *pol, const struct event *ev,
			   const struct player_state *ps, json_t *rules, json_t *reasons, json_t *evidence,
			   char *err, size_t errlen)
{
	struct risk_reason r[ENGINE_MARKERS];
	int n = risk_reasons(ps, pol, ev->ts_ms, r);
	char event_id[EVENT_ID_MAX + 1];
	for (int i = 0; i < n; i++) {
		const char *id = rule_defs[r[i].rule]->id;
		if (!array_has_string(rules, id)) {
			json_array_append_new(rules, json_string(id));
			json_array_append_new(reasons, reason_json(r[i].rule, r[i].detail));
		}
		int found = store_marker_get(st, ev->player_id, id, event_id, sizeof(event_id), err, errlen);
		if (found < 0)
			return -1;
		if (found)
			add_unique(evidence, event_id);
	}
	return 0;
}

static char *dump(json_t *v) { return json_dumps(v, JSON_COMPACT); }

/* Queues the alert as it now stands for the support queue topic. A
 * decision (audit_kind not NULL) also goes into the audit trail: the same
 * JSON and the event that made it, so `audit explain` can re-run it. */
static int publish_alert(struct store *st, const struct store_alert *a, int64_t at_ms, const char *audit_kind,
			 const char *event_id, char *err, size_t errlen)
{
	json_t *j = alert_to_json(a, ENGINE_NO_TIME);
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

static int64_t due_minutes(const struct policy *pol, int rule, int level)
{
	int32_t m = pol->rules[rule].due_minutes;
	return m >= 0 ? m : pol->due_minutes[level];
}

static int action_of(const struct policy *pol, int rule, int level)
{
	int32_t a = pol->rules[rule].action;
	return a >= 0 ? a : pol->action_for[level];
}

int alert_id_of(const char *player_id, const char *rule_id, const char *event_id, const char *policy_id,
		char out[ALERT_ID_LEN + 1])
{
	char key[PLAYER_ID_MAX + EVENT_ID_MAX + POLICY_ID_MAX + 64], hex[DIGEST_SHA256_HEX];
	int n = snprintf(key, sizeof(key), "%s%c%s%c%s%c%s", player_id, 0, rule_id, 0, event_id, 0, policy_id);
	if (n < 0 || (size_t)n >= sizeof(key) || digest_sha256_hex(key, (size_t)n, hex) < 0)
		return -1;
	hex[ALERT_ID_LEN] = '\0';
	memcpy(out, hex, ALERT_ID_LEN + 1);
	return 0;
}

static int open_alert(struct store *st, const struct policy *pol, const struct event *ev,
		      const struct player_state *ps, const struct engine_result *res, char *alert_id_out, char *err,
		      size_t errlen)
{
	struct store_alert a;
	int rule = res->raise_rule, rc = -1;
	/* An alert is amber or red; a breach during an exclusion is red. */
	int level = res->level >= LEVEL_RED ? LEVEL_RED : res->level < LEVEL_AMBER ? LEVEL_AMBER : res->level;
	json_t *rules = json_array(), *reasons = json_array(), *evidence = json_array();

	memset(&a, 0, sizeof(a));
	/* The raising rule and event come first: they are what the id says. */
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (ps->markers[i].rule == rule) {
			char detail[RULE_DETAIL_MAX];
			risk_reason_detail(&ps->markers[i], pol, ps->currency, detail, sizeof(detail));
			json_array_append_new(rules, json_string(rule_defs[rule]->id));
			json_array_append_new(reasons, reason_json(rule, detail));
		}
	json_array_append_new(evidence, json_string(ev->event_id));
	if (current_reasons(st, pol, ev, ps, rules, reasons, evidence, err, errlen) < 0)
		goto out;

	if (alert_id_of(ev->player_id, rule_defs[rule]->id, ev->event_id, pol->id, a.alert_id) < 0) {
		seterr(err, errlen, "cannot hash the alert id");
		goto out;
	}
	rg_strlcpy(a.player_id, ev->player_id, sizeof(a.player_id));
	a.level = level;
	rg_strlcpy(a.status, "open", sizeof(a.status));
	a.action = action_of(pol, rule, level);
	a.rules = dump(rules);
	a.reasons = dump(reasons);
	a.evidence = dump(evidence);
	rg_strlcpy(a.policy, pol->id, sizeof(a.policy));
	a.created_ms = a.updated_ms = ev->ts_ms;
	a.due_ms = ev->ts_ms + due_minutes(pol, rule, level) * MS_PER_MIN;
	a.acknowledged_ms = a.resolved_ms = INT64_MIN;
	if (!a.rules || !a.reasons || !a.evidence) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	rc = store_alert_put(st, &a, err, errlen);
	if (rc == 0)
		rc = publish_alert(st, &a, ev->ts_ms, "alert_opened", ev->event_id, err, errlen);
	if (rc == 0 && alert_id_out)
		rg_strlcpy(alert_id_out, a.alert_id, 33);
out:
	store_alert_release(&a);
	json_decref(rules);
	json_decref(reasons);
	json_decref(evidence);
	return rc;
}

static int escalate(struct store *st, const struct policy *pol, const struct event *ev,
		    const struct player_state *ps, const struct engine_result *res, struct store_alert *a,
		    char *err, size_t errlen)
{
	int rc = -1;
	json_t *rules = json_loads(a->rules, 0, NULL), *old_reasons = json_loads(a->reasons, 0, NULL);
	json_t *evidence = json_loads(a->evidence, 0, NULL), *reasons = json_array(), *cur_rules = json_array();
	if (!json_is_array(rules) || !json_is_array(old_reasons) || !json_is_array(evidence)) {
		seterr(err, errlen, "alert %s: stored JSON is damaged", a->alert_id);
		goto out;
	}
	/* Reasons: what holds now, then what held before and no longer does. */
	if (current_reasons(st, pol, ev, ps, cur_rules, reasons, evidence, err, errlen) < 0)
		goto out;
	size_t i;
	json_t *v;
	json_array_foreach(old_reasons, i, v) {
		json_t *r = json_object_get(v, "rule");
		if (json_is_string(r) && !array_has_string(cur_rules, json_string_value(r)))
			json_array_append(reasons, v);
	}
	json_array_foreach(cur_rules, i, v) {
		add_unique(rules, json_string_value(v));
	}
	add_unique(evidence, ev->event_id);

	int level = res->level >= LEVEL_RED ? LEVEL_RED : res->level;
	if (res->raise && level > a->level) {
		a->level = level;
		int64_t due = ev->ts_ms + due_minutes(pol, res->raise_rule, level) * MS_PER_MIN;
		if (due < a->due_ms)
			a->due_ms = due;
	}
	if (res->raise) {
		a->escalations++;
		int action = action_of(pol, res->raise_rule, a->level);
		if (action > a->action)
			a->action = action;
	}
	free(a->rules);
	free(a->reasons);
	free(a->evidence);
	a->rules = dump(rules);
	a->reasons = dump(reasons);
	a->evidence = dump(evidence);
	if (ev->ts_ms > a->updated_ms)
		a->updated_ms = ev->ts_ms;
	if (!a->rules || !a->reasons || !a->evidence) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	rc = store_alert_put(st, a, err, errlen);
	if (rc == 0)
		rc = publish_alert(st, a, ev->ts_ms, "alert_escalated", ev->event_id, err, errlen);
out:
	json_decref(rules);
	json_decref(old_reasons);
	json_decref(evidence);
	json_decref(reasons);
	json_decref(cur_rules);
	return rc;
}

bool alert_event_matters(const struct engine_result *res)
{
	return res->raise || res->nnew || (res->level > res->level_before && res->level >= LEVEL_RED);
}

/* Strong markers and rises to red or excluded flag the player at once. */
static int flag_if_needed(struct store *st, const struct policy *pol, const struct event *ev,
			  const struct player_state *ps, const struct engine_result *res, const char *alert_id,
			  char *err, size_t errlen)
{
	bool strong = res->raise && pol->rules[res->raise_rule].strong;
	bool rise = res->level > res->level_before && res->level >= LEVEL_RED;
	if (!strong && !rise)
		return 0;
	int rule = res->raise ? res->raise_rule : -1;
	char detail[RULE_DETAIL_MAX] = "";
	for (int i = 0; rule >= 0 && i < ENGINE_MARKERS; i++)
		if (ps->markers[i].rule == rule)
			risk_reason_detail(&ps->markers[i], pol, ps->currency, detail, sizeof(detail));
	if (rule < 0)
		rg_strlcpy(detail, res->level == LEVEL_EXCLUDED ? "the player excluded themselves" : "risk level rose",
			   sizeof(detail));
	return publish_flag(st, ev->player_id, true, risk_level_name((enum risk_level)res->level),
			    rule >= 0 ? rule_defs[rule]->id : "level", detail, alert_id, ev->ts_ms, ev->event_id, pol->id,
			    err, errlen);
}

int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, bool *opened, char *err,
		   size_t errlen)
{
	struct store_alert a;
	char alert_id[33] = "";
	int rc = 0;
	*opened = false;
	for (int i = 0; i < res->nnew; i++)
		if (store_marker_set(st, ev->player_id, rule_defs[res->new_rules[i]]->id, ev->event_id, ev->ts_ms, err,
				     errlen) < 0)
			return -1;
	if (res->raise || res->nnew) {
		int found = store_alert_open_for_player(st, ev->player_id, &a, err, errlen);
		if (found < 0)
			return -1;
		if (found) {
			/* Only a raise or a rule the alert does not name yet changes it. */
			bool news = res->raise;
			for (int i = 0; i < res->nnew && !news; i++) {
				char quoted[80];
				snprintf(quoted, sizeof(quoted), "\"%s\"", rule_defs[res->new_rules[i]]->id);
				news = strstr(a.rules, quoted) == NULL;
			}
			rg_strlcpy(alert_id, a.alert_id, sizeof(alert_id));
			rc = news ? escalate(st, pol, ev, ps, res, &a, err, errlen) : 0;
			store_alert_release(&a);
		} else if (res->raise) {
			*opened = true;
			rc = open_alert(st, pol, ev, ps, res, alert_id, err, errlen);
		}
	}
	if (rc == 0)
		rc = flag_if_needed(st, pol, ev, ps, res, alert_id[0] ? alert_id : NULL, err, errlen);
	return rc;
}

static const char *const outcome_names[OUTCOME_COUNT] = {
	"limits_set", "pause_applied", "self_exclusion", "contacted_no_action", "false_positive",
};

const char *alert_outcome_name(enum alert_outcome o) { return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?"; }

int alert_outcome_parse(const char *s, enum alert_outcome *out)
{
	for (int i = 0; i < OUTCOME_COUNT; i++)
		if (strcmp(s, outcome_names[i]) == 0) {
			*out = (enum alert_outcome)i;
			return 0;
		}
	return -1;
}

/* Records the transition (alert row, action row, audit record, queue
 * message). */
static int record_action(struct store *st, struct store_alert *a, const struct alert_staff_action *act,
			 const char *action, const char *outcome, char *err, size_t errlen)
{
	struct store_alert_action row = { a->alert_id, action, act->actor, act->role, act->at_ms, outcome, act->note };
	if (store_alert_put(st, a, err, errlen) < 0 || store_alert_action_add(st, &row, err, errlen) < 0 ||
	    audit_append(st, act->at_ms, "staff_action", a->player_id,
			 json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}", "alert_id", a->alert_id, "action",
				   action, "actor", act->actor, "role", act->role, "outcome", outcome, "note",
				   act->note, "status", a->status, "level",
				   risk_level_name((enum risk_level)a->level)),
			 err, errlen) < 0)
		return -1;
	return publish_alert(st, a, act->at_ms, NULL, NULL, err, errlen);
}

int alert_acknowledge(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		      size_t errlen)
{
	struct store_alert a;
	int found = store_alert_get(st, act->alert_id, &a, err, errlen), rc;
	if (found <= 0)
		return found < 0 ? -1 : ALERT_ACTION_NOT_FOUND;
	if (strcmp(a.status, "resolved") == 0) {
		seterr(why, whylen, "alert %s is already resolved", a.alert_id);
		rc = ALERT_ACTION_CONFLICT;
	} else if (strcmp(a.status, "acknowledged") == 0) {
		bool same = strcmp(a.acknowledged_by, act->actor) == 0;
		seterr(why, whylen, "alert %s is already acknowledged by %s", a.alert_id, a.acknowledged_by);
		rc = same ? ALERT_ACTION_DONE : ALERT_ACTION_CONFLICT;
	} else {
		rg_strlcpy(a.status, "acknowledged", sizeof(a.status));
		rg_strlcpy(a.acknowledged_by, act->actor, sizeof(a.acknowledged_by));
		rg_strlcpy(a.actor, act->actor, sizeof(a.actor));
		a.acknowledged_ms = act->at_ms;
		rc = record_action(st, &a, act, "acknowledge", NULL, err, errlen) < 0 ? -1 : ALERT_ACTION_DONE;
	}
	store_alert_release(&a);
	return rc;
}

int alert_resolve(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		  size_t errlen)
{
	struct store_alert a;
	int found = store_alert_get(st, act->alert_id, &a, err, errlen), rc = -1;
	if (found <= 0)
		return found < 0 ? -1 : ALERT_ACTION_NOT_FOUND;
	if (strcmp(a.status, "resolved") == 0) {
		seterr(why, whylen, "alert %s is already resolved (%s by %s)", a.alert_id, a.outcome, a.actor);
		store_alert_release(&a);
		return ALERT_ACTION_CONFLICT;
	}
	const char *outcome = alert_outcome_name(act->outcome);
	rg_strlcpy(a.status, "resolved", sizeof(a.status));
	rg_strlcpy(a.outcome, outcome, sizeof(a.outcome));
	rg_strlcpy(a.actor, act->actor, sizeof(a.actor));
	free(a.note);
	if (!(a.note = strdup(act->note ? act->note : ""))) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	a.resolved_ms = act->at_ms;
	if (record_action(st, &a, act, "resolve", outcome, err, errlen) < 0)
		goto out;
	/* Staff found no harm: the CRM may market to the player again. */
	if (act->outcome == OUTCOME_FALSE_POSITIVE &&
	    publish_flag(st, a.player_id, false, risk_level_name((enum risk_level)a.level), "staff.false_positive",
			 act->note ? act->note : "", a.alert_id, act->at_ms, NULL, NULL, err, errlen) < 0)
		goto out;
	rc = ALERT_ACTION_DONE;
out:
	store_alert_release(&a);
	return rc;
}

json_t *alert_to_json(const struct store_alert *a, int64_t now_ms)
{
	json_t *rules = json_loads(a->rules, 0, NULL), *reasons = json_loads(a->reasons, 0, NULL);
	json_t *evidence = json_loads(a->evidence, 0, NULL);
	if (!rules || !reasons || !evidence) {
		json_decref(rules);
		json_decref(reasons);
		json_decref(evidence);
		return NULL;
	}
	json_t *o = json_object();
	json_object_set_new(o, "alert_id", json_string(a->alert_id));
	json_object_set_new(o, "player_id", json_string(a->player_id));
	json_object_set_new(o, "level", json_string(risk_level_name((enum risk_level)a->level)));
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "reasons", reasons);
	json_object_set_new(o, "suggested_action", json_string(risk_action_name((enum risk_action)a->action)));
	json_object_set_new(o, "evidence", evidence);
	json_object_set_new(o, "status", json_string(a->status));
	json_object_set_new(o, "created_at", risk_time_json(a->created_ms));
	json_object_set_new(o, "updated_at", risk_time_json(a->updated_ms));
	json_object_set_new(o, "due_at", risk_time_json(a->due_ms));
	json_object_set_new(o, "escalations", json_integer(a->escalations));
	json_object_set_new(o, "policy", json_string(a->policy));
	json_object_set_new(o, "outcome", a->outcome[0] ? json_string(a->outcome) : json_null());
	json_object_set_new(o, "actor", a->actor[0] ? json_string(a->actor) : json_null());
	json_object_set_new(o, "note", a->note ? json_string(a->note) : json_null());
	json_object_set_new(o, "acknowledged_by", a->acknowledged_by[0] ? json_string(a->acknowledged_by) : json_null());
	json_object_set_new(o, "acknowledged_at", risk_time_json(a->acknowledged_ms));
	json_object_set_new(o, "resolved_at", risk_time_json(a->resolved_ms));
	if (now_ms != ENGINE_NO_TIME)
		json_object_set_new(o, "overdue", json_boolean(strcmp(a->status, "resolved") != 0 && a->due_ms < now_ms));
	return o;
}
