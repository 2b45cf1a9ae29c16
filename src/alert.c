/* alert.c -- opening and escalating alerts from engine decisions. */
#include "rgmon/alert.h"
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

static int open_alert(struct store *st, const struct policy *pol, const struct event *ev,
		      const struct player_state *ps, const struct engine_result *res, char *err, size_t errlen)
{
	struct store_alert a;
	int rule = res->raise_rule, rc = -1;
	/* An alert is amber or red; a breach during an exclusion is red. */
	int level = res->level >= LEVEL_RED ? LEVEL_RED : res->level < LEVEL_AMBER ? LEVEL_AMBER : res->level;
	json_t *rules = json_array(), *reasons = json_array(), *evidence = json_array();
	char key[PLAYER_ID_MAX + EVENT_ID_MAX + POLICY_ID_MAX + 64], hex[DIGEST_SHA256_HEX];

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

	int n = snprintf(key, sizeof(key), "%s%c%s%c%s%c%s", ev->player_id, 0, rule_defs[rule]->id, 0, ev->event_id, 0,
			 pol->id);
	if (digest_sha256_hex(key, (size_t)n, hex) < 0) {
		seterr(err, errlen, "cannot hash the alert id");
		goto out;
	}
	hex[32] = '\0';
	rg_strlcpy(a.alert_id, hex, sizeof(a.alert_id));
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
out:
	json_decref(rules);
	json_decref(old_reasons);
	json_decref(evidence);
	json_decref(reasons);
	json_decref(cur_rules);
	return rc;
}

int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, bool *opened, char *err,
		   size_t errlen)
{
	struct store_alert a;
	*opened = false;
	for (int i = 0; i < res->nnew; i++)
		if (store_marker_set(st, ev->player_id, rule_defs[res->new_rules[i]]->id, ev->event_id, ev->ts_ms, err,
				     errlen) < 0)
			return -1;
	if (!res->raise && res->nnew == 0)
		return 0;
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
		int rc = news ? escalate(st, pol, ev, ps, res, &a, err, errlen) : 0;
		store_alert_release(&a);
		return rc;
	}
	if (!res->raise)
		return 0;
	*opened = true;
	return open_alert(st, pol, ev, ps, res, err, errlen);
}

json_t *alert_to_json(const struct store_alert *a)
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
	return o;
}
