/* alert_json.c -- an alert as DESIGN 1.3 JSON and back, and its lists
 * (rules, reasons, evidence) as the JSON text the store keeps. Pure. */
#include "rgmon/alert_json.h"
#include "rgmon/risk.h"
#include "rgmon/timestamp.h"

#include <stdlib.h>
#include <string.h>

static json_t *rules_json(const struct alert *a)
{
	json_t *rules = json_array();
	for (int i = 0; i < a->nrules; i++)
		json_array_append_new(rules, json_string(rule_defs[a->rules[i]]->id));
	return rules;
}

static json_t *reasons_json(const struct alert *a)
{
	json_t *reasons = json_array();
	for (int i = 0; i < a->nreasons; i++)
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "rule", rule_defs[a->reasons[i].rule]->id,
							 "detail", a->reasons[i].detail));
	return reasons;
}

static json_t *evidence_json(const struct alert *a)
{
	json_t *evidence = json_array();
	for (int i = 0; i < a->nevidence; i++)
		json_array_append_new(evidence, json_string(a->evidence[i]));
	return evidence;
}

json_t *alert_json(const struct alert *a, int64_t now_ms)
{
	json_t *o = json_object();
	json_object_set_new(o, "alert_id", json_string(a->alert_id));
	json_object_set_new(o, "player_id", json_string(a->player_id));
	json_object_set_new(o, "kind", json_string(alert_kind_name(a->kind)));
	json_object_set_new(o, "jurisdiction", json_string(a->jurisdiction));
	json_object_set_new(o, "level", json_string(risk_level_name(a->level)));
	json_object_set_new(o, "rules", rules_json(a));
	json_object_set_new(o, "reasons", reasons_json(a));
	json_object_set_new(o, "suggested_action", json_string(risk_action_name(a->action)));
	json_object_set_new(o, "evidence", evidence_json(a));
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
	/* Four eyes: only on alerts that went through review, so every other
	 * alert's JSON (and the messages and records that carry it) is as
	 * before. */
	if (a->proposed_outcome != OUTCOME_NONE)
		json_object_set_new(o, "proposed_outcome", json_string(alert_outcome_name(a->proposed_outcome)));
	if (a->proposed_by[0])
		json_object_set_new(o, "proposed_by", json_string(a->proposed_by));
	if (a->reviewed_by[0])
		json_object_set_new(o, "reviewed_by", json_string(a->reviewed_by));
	if (a->has_review_note)
		json_object_set_new(o, "review_note", json_string(a->review_note));
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
	copy_string(json_object_get(j, "jurisdiction"), a->jurisdiction, sizeof(a->jurisdiction));
	/* Records written before alerts had a kind are all of harm. */
	const char *kind = json_string_value(json_object_get(j, "kind"));
	if (kind && alert_kind_parse(kind, &a->kind) < 0)
		return seterr(err, errlen, "alert %s: unknown kind", a->alert_id);
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
	const char *proposed = json_string_value(json_object_get(j, "proposed_outcome"));
	a->proposed_outcome = OUTCOME_NONE;
	if (proposed && alert_outcome_parse(proposed, &a->proposed_outcome) < 0)
		return seterr(err, errlen, "alert %s: unknown proposed_outcome", a->alert_id);
	copy_string(json_object_get(j, "proposed_by"), a->proposed_by, sizeof(a->proposed_by));
	copy_string(json_object_get(j, "reviewed_by"), a->reviewed_by, sizeof(a->reviewed_by));
	a->has_review_note = json_is_string(json_object_get(j, "review_note"));
	copy_string(json_object_get(j, "review_note"), a->review_note, sizeof(a->review_note));
	copy_string(json_object_get(j, "actor"), a->actor, sizeof(a->actor));
	copy_string(json_object_get(j, "acknowledged_by"), a->acknowledged_by, sizeof(a->acknowledged_by));
	a->has_note = json_is_string(json_object_get(j, "note"));
	copy_string(json_object_get(j, "note"), a->note, sizeof(a->note));
	return 0;
}

static char *dump_new(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	return s;
}

char *alert_rules_text(const struct alert *a) { return dump_new(rules_json(a)); }
char *alert_reasons_text(const struct alert *a) { return dump_new(reasons_json(a)); }
char *alert_evidence_text(const struct alert *a) { return dump_new(evidence_json(a)); }

int alert_lists_parse(struct alert *a, const char *rules, const char *reasons, const char *evidence, char *err,
		      size_t errlen)
{
	json_t *r = json_loads(rules, 0, NULL), *re = json_loads(reasons, 0, NULL), *ev = json_loads(evidence, 0, NULL);
	a->nrules = a->nreasons = a->nevidence = 0;
	int rc = rules_from_json(r, a, err, errlen) < 0 || reasons_from_json(re, a, err, errlen) < 0 ||
			 evidence_from_json(ev, a, err, errlen) < 0
		     ? -1
		     : 0;
	json_decref(r);
	json_decref(re);
	json_decref(ev);
	return rc;
}
