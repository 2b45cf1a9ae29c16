/* alert_decide.c -- what an event does to the player's alert: open,
 * escalate or nothing, and whether to flag the player. Pure: no I/O, no
 * clock (see alert_decide.h); alert.c applies the change. */
#include "rgmon/alert_decide.h"
#include "rgmon/digest.h"
#include "rgmon/risk.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[ALERT_STATUS_COUNT] = { "open", "acknowledged", "resolved",
								   "pending_review" };

static const char *const kind_names[ALERT_KIND_COUNT] = { "harm", "obligation" };

static const char *const outcome_names[OUTCOME_COUNT] = {
	"limits_set", "pause_applied", "self_exclusion", "contacted_no_action", "false_positive",
};

const char *alert_status_name(enum alert_status s)
{
	return (unsigned)s < ALERT_STATUS_COUNT ? status_names[s] : "?";
}

int alert_status_parse(const char *s, enum alert_status *out)
{
	for (int i = 0; i < ALERT_STATUS_COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum alert_status)i;
			return 0;
		}
	return -1;
}

const char *alert_kind_name(enum alert_kind k) { return (unsigned)k < ALERT_KIND_COUNT ? kind_names[k] : "?"; }

int alert_kind_parse(const char *s, enum alert_kind *out)
{
	for (int i = 0; i < ALERT_KIND_COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum alert_kind)i;
			return 0;
		}
	return -1;
}

const char *alert_outcome_name(enum alert_outcome o)
{
	return o >= 0 && o < OUTCOME_COUNT ? outcome_names[o] : "?";
}

int alert_outcome_parse(const char *s, enum alert_outcome *out)
{
	for (int i = 0; i < OUTCOME_COUNT; i++)
		if (strcmp(s, outcome_names[i]) == 0) {
			*out = (enum alert_outcome)i;
			return 0;
		}
	return -1;
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

enum risk_level alert_level_of(int engine_level)
{
	return engine_level >= LEVEL_RED ? LEVEL_RED : engine_level < LEVEL_AMBER ? LEVEL_AMBER
										    : (enum risk_level)engine_level;
}

bool alert_event_matters(const struct engine_result *res)
{
	return res->raise || res->nnew || res->nowed || (res->level > res->level_before && res->level >= LEVEL_RED);
}

/* The due time of an alert raised by rule at level: the rule's, else the
 * level's; a strong indicator is due within ALERT_STRONG_DUE_MAX_MINUTES
 * whatever the pack says, and a shorter due time (NL: 1 h) stands. */
static int64_t due_minutes(const struct policy *pol, int rule, int level, bool strong)
{
	int32_t m = pol->rules[rule].due_minutes;
	int64_t due = m >= 0 ? m : pol->due_minutes[level];
	return strong && due > ALERT_STRONG_DUE_MAX_MINUTES ? ALERT_STRONG_DUE_MAX_MINUTES : due;
}

/* Whether the event's raise came from a strong marker: a rule the pack
 * calls strong, or a firing worth RULE_POINTS_STRONG (a strong tier). */
static bool raised_strong(const struct engine_result *res, const struct policy *pol)
{
	return res->raise && (res->raise_strong || pol->rules[res->raise_rule].strong);
}

static enum risk_action action_of(const struct policy *pol, int rule, int level)
{
	int32_t a = pol->rules[rule].action;
	return (enum risk_action)(a >= 0 ? a : pol->action_for[level]);
}

static bool has_rule(const struct alert *a, int rule)
{
	for (int i = 0; i < a->nrules; i++)
		if (a->rules[i] == rule)
			return true;
	return false;
}

static void add_rule(struct alert *a, int rule)
{
	if (!has_rule(a, rule) && a->nrules < RULE_COUNT)
		a->rules[a->nrules++] = (uint8_t)rule;
}

static void add_reason(struct alert *a, int rule, const char *detail)
{
	if (a->nreasons >= RULE_COUNT)
		return;
	a->reasons[a->nreasons].rule = (uint8_t)rule;
	snprintf(a->reasons[a->nreasons].detail, RULE_DETAIL_MAX, "%s", detail);
	a->nreasons++;
}

static void add_evidence(struct alert *a, const char *event_id)
{
	if (!event_id[0])
		return;
	for (int i = 0; i < a->nevidence; i++)
		if (strcmp(a->evidence[i], event_id) == 0)
			return;
	if (a->nevidence < ALERT_EVIDENCE_MAX)
		snprintf(a->evidence[a->nevidence++], EVENT_ID_MAX + 1, "%s", event_id);
}

/* What the player's markers say now: each rule not named yet joins with
 * its reason, and the event at which each marker started to hold joins the
 * evidence. */
static void add_current_reasons(struct alert *a, const struct policy *pol, const struct event *ev,
				const struct player_state *ps, const struct alert_marker_events *marks)
{
	struct risk_reason r[ENGINE_MARKERS];
	int n = risk_reasons(ps, pol, ev->ts_ms, r);
	for (int i = 0; i < n; i++) {
		if (!has_rule(a, r[i].rule)) {
			add_rule(a, r[i].rule);
			add_reason(a, r[i].rule, r[i].detail);
		}
		if (marks)
			add_evidence(a, marks->event_id[r[i].rule]);
	}
}

static int decide_open(const struct event *ev, const struct player_state *ps, const struct engine_result *res,
		       const struct policy *pol, const struct alert_marker_events *marks, struct alert *a)
{
	int rule = res->raise_rule;
	enum risk_level level = alert_level_of(res->level);

	memset(a, 0, sizeof(*a));
	if (alert_id_of(ev->player_id, rule_defs[rule]->id, ev->event_id, pol->id, a->alert_id) < 0)
		return -1;
	snprintf(a->player_id, sizeof(a->player_id), "%s", ev->player_id);
	snprintf(a->policy, sizeof(a->policy), "%s", pol->id);
	snprintf(a->jurisdiction, sizeof(a->jurisdiction), "%s", pol->jurisdiction);
	a->kind = ALERT_KIND_HARM;
	/* The raising rule and event come first: they are what the id says. */
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (ps->markers[i].rule == rule) {
			char detail[RULE_DETAIL_MAX];
			risk_reason_detail(&ps->markers[i], pol, ps->currency, detail, sizeof(detail));
			add_rule(a, rule);
			add_reason(a, rule, detail);
		}
	add_evidence(a, ev->event_id);
	add_current_reasons(a, pol, ev, ps, marks);

	a->level = level;
	a->status = ALERT_OPEN;
	a->action = action_of(pol, rule, level);
	a->created_ms = a->updated_ms = ev->ts_ms;
	a->due_ms = ev->ts_ms + due_minutes(pol, rule, level, raised_strong(res, pol)) * MS_PER_MIN;
	a->acknowledged_ms = a->resolved_ms = ENGINE_NO_TIME;
	a->outcome = a->proposed_outcome = OUTCOME_NONE;
	return 0;
}

static void decide_escalate(const struct alert *open, const struct event *ev, const struct player_state *ps,
			    const struct engine_result *res, const struct policy *pol,
			    const struct alert_marker_events *marks, struct alert *a)
{
	*a = *open;
	/* Reasons: what holds now, then what held before and no longer does. */
	a->nrules = a->nreasons = 0;
	add_current_reasons(a, pol, ev, ps, marks);
	for (int i = 0; i < open->nreasons; i++)
		if (!has_rule(a, open->reasons[i].rule))
			add_reason(a, open->reasons[i].rule, open->reasons[i].detail);
	/* Rules: every rule the alert named, then the ones that joined now.
	 * Only the list of rules is kept aside, not a copy of the alert (~18 KB). */
	uint8_t now_rules[RULE_COUNT];
	int now_nrules = a->nrules;
	memcpy(now_rules, a->rules, sizeof(now_rules));
	a->nrules = 0;
	for (int i = 0; i < open->nrules; i++)
		add_rule(a, open->rules[i]);
	for (int i = 0; i < now_nrules; i++)
		add_rule(a, now_rules[i]);
	add_evidence(a, ev->event_id);

	/* A rise in level, or a strong marker at any level, brings the due
	 * time forward; it never moves it later. */
	enum risk_level level = alert_level_of(res->level);
	bool strong = raised_strong(res, pol);
	if (res->raise && (level > a->level || strong)) {
		if (level > a->level)
			a->level = level;
		int64_t due = ev->ts_ms + due_minutes(pol, res->raise_rule, a->level, strong) * MS_PER_MIN;
		if (due < a->due_ms)
			a->due_ms = due;
	}
	if (res->raise) {
		a->escalations++;
		enum risk_action action = action_of(pol, res->raise_rule, a->level);
		if (action > a->action)
			a->action = action;
	}
	if (ev->ts_ms > a->updated_ms)
		a->updated_ms = ev->ts_ms;
	/* New evidence on a closure waiting for review: the proposal was made
	 * without it, so it no longer stands -- back to whoever had the alert
	 * (four eyes, alert.h). */
	if (a->status == ALERT_PENDING_REVIEW) {
		a->status = a->acknowledged_by[0] ? ALERT_ACKNOWLEDGED : ALERT_OPEN;
		a->proposed_outcome = OUTCOME_NONE;
	}
}

/* Strong markers and rises to red or excluded flag the player at once. */
static void decide_flag(const struct player_state *ps, const struct engine_result *res, const struct policy *pol,
			struct alert_change *out)
{
	bool strong = res->raise && pol->rules[res->raise_rule].strong;
	bool rise = res->level > res->level_before && res->level >= LEVEL_RED;
	out->flag = strong || rise;
	if (!out->flag)
		return;
	out->flag_level = (enum risk_level)res->level;
	out->flag_rule = res->raise ? res->raise_rule : -1;
	out->flag_detail[0] = '\0';
	for (int i = 0; out->flag_rule >= 0 && i < ENGINE_MARKERS; i++)
		if (ps->markers[i].rule == out->flag_rule)
			risk_reason_detail(&ps->markers[i], pol, ps->currency, out->flag_detail, sizeof(out->flag_detail));
	if (out->flag_rule < 0)
		snprintf(out->flag_detail, sizeof(out->flag_detail), "%s",
			 res->level == LEVEL_EXCLUDED ? "the player excluded themselves" : "risk level rose");
}

/* A task a regulator mandates: its own alert, with its action, due time
 * and source's words, opened whatever the score. */
static int decide_obligation(const struct event *ev, const struct player_state *ps, const struct engine_owed *o,
			     const struct policy *pol, struct alert *a)
{
	const struct policy_rule *pr = &pol->rules[o->rule];
	memset(a, 0, sizeof(*a));
	if (alert_id_of(ev->player_id, rule_defs[o->rule]->id, ev->event_id, pol->id, a->alert_id) < 0)
		return -1;
	snprintf(a->player_id, sizeof(a->player_id), "%s", ev->player_id);
	snprintf(a->policy, sizeof(a->policy), "%s", pol->id);
	snprintf(a->jurisdiction, sizeof(a->jurisdiction), "%s", pol->jurisdiction);
	a->kind = ALERT_KIND_OBLIGATION;
	a->level = pr->strong ? LEVEL_RED : LEVEL_AMBER;
	a->status = ALERT_OPEN;
	a->action = action_of(pol, o->rule, a->level);
	struct marker m = { .at_min = state_minutes_of(ev->ts_ms), .rule = o->rule };
	memcpy(m.v, o->v, sizeof(m.v));
	char detail[RULE_DETAIL_MAX];
	risk_reason_detail(&m, pol, ps->currency, detail, sizeof(detail));
	add_rule(a, o->rule);
	add_reason(a, o->rule, detail);
	add_evidence(a, ev->event_id);
	a->created_ms = a->updated_ms = ev->ts_ms;
	a->due_ms = ev->ts_ms + due_minutes(pol, o->rule, a->level, pr->strong) * MS_PER_MIN;
	a->acknowledged_ms = a->resolved_ms = ENGINE_NO_TIME;
	a->outcome = a->proposed_outcome = OUTCOME_NONE;
	return 0;
}

int alert_decide(const struct alert *open, const struct event *ev, const struct player_state *ps,
		 const struct engine_result *res, const struct policy *pol, const struct alert_marker_events *marks,
		 struct alert_change *out)
{
	out->kind = ALERT_CHANGE_NONE;
	out->flag = false;
	out->flag_alert_id[0] = '\0';
	out->nobligations = 0;
	for (int i = 0; i < res->nowed && i < ALERT_OBLIGATIONS_MAX; i++) {
		if (decide_obligation(ev, ps, &res->owed[i], pol, &out->obligations[out->nobligations]) < 0)
			return -1;
		out->nobligations++;
	}
	if (res->raise || res->nnew) {
		if (open) {
			/* Only a raise or a rule the alert does not name yet changes it. */
			bool news = res->raise;
			for (int i = 0; i < res->nnew && !news; i++)
				news = !has_rule(open, res->new_rules[i]);
			if (news) {
				out->kind = ALERT_CHANGE_ESCALATE;
				decide_escalate(open, ev, ps, res, pol, marks, &out->alert);
			}
			snprintf(out->flag_alert_id, sizeof(out->flag_alert_id), "%s", open->alert_id);
		} else if (res->raise) {
			if (decide_open(ev, ps, res, pol, marks, &out->alert) < 0)
				return -1;
			out->kind = ALERT_CHANGE_OPEN;
			snprintf(out->flag_alert_id, sizeof(out->flag_alert_id), "%s", out->alert.alert_id);
		}
	}
	decide_flag(ps, res, pol, out);
	return 0;
}
