/* risk.c -- player state + policy -> the risk a person reads. */
#include "rgmon/risk.h"
#include "rgmon/score.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

void risk_reason_detail(const struct marker *m, const struct policy *pol, const char *currency, char *buf,
			size_t len)
{
	int64_t v[RULE_VALUES];
	for (int i = 0; i < RULE_VALUES; i++)
		v[i] = m->v[i];
	rule_defs[m->rule]->detail(v, &pol->rules[m->rule], currency, buf, len);
}

void risk_reason_agent_detail(const struct marker *m, const struct policy *pol, char *buf, size_t len)
{
	const struct rule_def *d = rule_defs[m->rule];
	int64_t v[RULE_VALUES];
	for (int i = 0; i < RULE_VALUES; i++)
		v[i] = m->v[i];
	if (d->agent_detail)
		d->agent_detail(v, &pol->rules[m->rule], "", buf, len);
	else
		snprintf(buf, len, "%s", d->summary);
}

static int reasons_for(const struct player_state *st, const struct policy *pol, int64_t now_ms,
		       enum risk_view view, struct risk_reason out[ENGINE_MARKERS])
{
	int n = 0;
	for (int i = 0; i < ENGINE_MARKERS; i++) {
		const struct marker *m = &st->markers[i];
		int64_t pts = score_marker_points(m, pol, now_ms);
		if (m->rule >= RULE_COUNT || (pts <= 0 && !pol->rules[m->rule].strong))
			continue;
		/* insertion by points, then rule id, so the order is stable */
		int j = n++;
		while (j > 0 && (out[j - 1].points < pts || (out[j - 1].points == pts && out[j - 1].rule > m->rule))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j].rule = m->rule;
		out[j].points = pts;
		if (view == RISK_VIEW_AGENT)
			risk_reason_agent_detail(m, pol, out[j].detail, sizeof(out[j].detail));
		else
			risk_reason_detail(m, pol, st->currency, out[j].detail, sizeof(out[j].detail));
	}
	return n;
}

int risk_reasons(const struct player_state *st, const struct policy *pol, int64_t now_ms,
		 struct risk_reason out[ENGINE_MARKERS])
{
	return reasons_for(st, pol, now_ms, RISK_VIEW_STAFF, out);
}

json_t *risk_time_json(int64_t ms)
{
	char buf[TS_RFC3339_LEN];
	if (ms == ENGINE_NO_TIME)
		return json_null();
	ts_format_rfc3339(ms, buf, sizeof(buf));
	return json_string(buf);
}

/* A limit in force, with how much of it is used: amounts for staff only. */
static json_t *limit_json(const struct player_state *st, const struct policy *pol, int k, int p, int64_t value,
			  int64_t now, enum risk_view view)
{
	json_t *l = json_pack("{s:s, s:s}", "limit", limit_kind_name((enum limit_kind)k), "period",
			      limit_period_name((enum limit_period)p));
	if (view == RISK_VIEW_AGENT)
		return l;
	int64_t used = state_limit_used(st, &pol->tz, (enum limit_kind)k, (enum limit_period)p,
					(enum period_rule)pol->periods[p], now);
	json_object_set_new(l, "value", json_integer(value));
	json_object_set_new(l, "used", json_integer(used));
	/* Summed from day sums that may have saturated: a bound. */
	if (used >= ENGINE_SUM_MAX)
		json_object_set_new(l, "used_at_least", json_true());
	/* A raise that waits out its delay: say what is coming. */
	if (st->limits[k][p].value != value)
		json_object_set_new(l, "pending_value", json_integer(st->limits[k][p].value));
	return l;
}

json_t *risk_player_json(const char *player_id, const struct player_state *st, const struct policy *pol)
{
	return risk_player_view_json(player_id, st, pol, RISK_VIEW_STAFF);
}

json_t *risk_player_view_json(const char *player_id, const struct player_state *st, const struct policy *pol,
			      enum risk_view view)
{
	struct risk_reason reasons[ENGINE_MARKERS];
	int64_t now = st->last_seen_ms;
	int n = reasons_for(st, pol, now, view, reasons);
	json_t *root = json_object(), *jr = json_array(), *jl = json_array();

	json_object_set_new(root, "player_id", json_string(player_id));
	json_object_set_new(root, "level", json_string(risk_level_name((enum risk_level)st->level)));
	json_object_set_new(root, "score", json_integer(st->score));
	for (int i = 0; i < n; i++)
		json_array_append_new(jr, json_pack("{s:s, s:s, s:I}", "rule", rule_defs[reasons[i].rule]->id, "detail",
						    reasons[i].detail, "points", (json_int_t)((reasons[i].points + 500) / 1000)));
	json_object_set_new(root, "reasons", jr);
	for (int k = 0; k < LIMIT_KIND_COUNT; k++)
		for (int p = 0; p < PERIOD_COUNT; p++) {
			int64_t value = state_limit_in_force(st, pol, (enum limit_kind)k, (enum limit_period)p, now);
			if (value > 0)
				json_array_append_new(jl, limit_json(st, pol, k, p, value, now, view));
		}
	json_object_set_new(root, "limits", jl);
	if (!state_excluded_at(st, now))
		json_object_set_new(root, "excluded_until", json_null());
	else if (st->excluded_until_ms == ENGINE_FOREVER)
		json_object_set_new(root, "excluded_until", json_string("indefinite"));
	else
		json_object_set_new(root, "excluded_until", risk_time_json(st->excluded_until_ms));
	json_object_set_new(root, "currency", st->currency[0] ? json_string(st->currency) : json_null());
	json_object_set_new(root, "policy", json_string(pol->id));
	json_object_set_new(root, "jurisdiction", json_string(pol->jurisdiction));
	json_object_set_new(root, "as_of", risk_time_json(now));
	return root;
}
