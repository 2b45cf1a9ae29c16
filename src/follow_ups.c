/* follow_ups.c -- when the follow-up windows of resolved alerts open and
 * close (follow_ups.h). Runs on the store's writer, inside its
 * transactions; what it measures is follow_up.c's. */
#include "rgmon/follow_ups.h"
#include "rgmon/alert.h"
#include "rgmon/audit.h"
#include "rgmon/effectiveness.h"
#include "rgmon/risk.h"

#include <stdlib.h>
#include <string.h>

/* Windows completed per batch at most; the rest are due at the next
 * batch (a day of resolutions in a burst must not stall one batch). */
#define FOLLOW_UPS_PER_BATCH 2000

const struct policy *follow_up_pack(const struct follow_up_packs *p, const struct player_state *ps)
{
	return p->policies ? policy_set_for_country(p->policies, ps->country) : p->policy;
}

static char *measures_text(const struct follow_up_measures *m)
{
	json_t *j = follow_up_measures_json(m);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return text;
}

int follow_ups_start(struct store *st, const struct follow_up_packs *packs, const char *alert_id, char *err,
		     size_t errlen)
{
	struct alert *a = malloc(sizeof(*a));
	struct player_state *ps = malloc(sizeof(*ps));
	int rc = -1;
	if (!a || !ps) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	int found = store_alert_get(st, alert_id, a, err, errlen);
	if (found <= 0 || a->status != ALERT_RESOLVED) {
		rc = found < 0 ? -1 : 0;
		goto out;
	}
	found = store_player_load(st, a->player_id, ps, err, errlen);
	if (found <= 0 || ps->last_seen_ms == ENGINE_NO_TIME) {
		rc = found < 0 ? -1 : 0;
		goto out;
	}
	const struct policy *pol = follow_up_pack(packs, ps);
	int64_t anchor = ps->last_seen_ms;
	struct follow_up_span span;
	struct follow_up_measures before;
	follow_up_before_span(&pol->tz, anchor, &span);
	follow_up_measure(ps, pol, &span, anchor, &before);
	char *text = measures_text(&before), *rules = alert_rules_text(a);
	if (!text || !rules) {
		free(text);
		free(rules);
		seterr(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
	for (int w = 0; w < FOLLOW_UP_WINDOWS && rc == 0; w++) {
		struct follow_up_span after;
		follow_up_after_span(&pol->tz, anchor, follow_up_window_days[w], &after);
		struct store_follow_up f = { .window_days = follow_up_window_days[w], .anchor_ms = anchor,
					     .end_ms = after.to_ms, .before = text,
					     .outcome = alert_outcome_name(a->outcome), .jurisdiction = a->jurisdiction,
					     .rules = rules };
		rg_strlcpy(f.alert_id, a->alert_id, sizeof(f.alert_id));
		rg_strlcpy(f.player_id, a->player_id, sizeof(f.player_id));
		rc = store_follow_up_open(st, &f, err, errlen);
	}
	free(text);
	free(rules);
out:
	free(a);
	free(ps);
	return rc;
}

/* Measures one due window from the player's state now, stores it and
 * records it in the audit trail. */
static int complete_one(struct store *st, const struct follow_up_packs *packs, const struct store_follow_up *f,
			struct player_state *ps, follow_up_state_fn state_of, void *ctx, char *err, size_t errlen)
{
	if (state_of(ctx, f->player_id, ps, err, errlen) < 0)
		return -1;
	const struct policy *pol = follow_up_pack(packs, ps);
	struct follow_up_span span;
	struct follow_up_measures after;
	follow_up_after_span(&pol->tz, f->anchor_ms, f->window_days, &span);
	follow_up_measure(ps, pol, &span, f->end_ms, &after);
	char *text = measures_text(&after);
	json_t *before = json_loads(f->before, 0, NULL), *after_json = follow_up_measures_json(&after);
	char window[16];
	snprintf(window, sizeof(window), "%dd", f->window_days);
	int rc = -1;
	if (!text || !before || !after_json) {
		seterr(err, errlen, "follow-up of alert %s: cannot read its baseline or write its measures", f->alert_id);
	} else if (store_follow_up_complete(st, f->alert_id, f->window_days, text, err, errlen) == 0) {
		json_t *payload = json_pack("{s:s, s:s, s:o, s:o, s:O, s:O}", "alert_id", f->alert_id, "window", window,
					    "anchor", risk_time_json(f->anchor_ms), "end", risk_time_json(f->end_ms),
					    "before", before, "after", after_json);
		rc = audit_append(st, f->end_ms, AUDIT_FOLLOW_UP, f->player_id, payload, err, errlen);
	}
	free(text);
	json_decref(before);
	json_decref(after_json);
	return rc;
}

int follow_ups_complete_due(struct store *st, const struct follow_up_packs *packs, int64_t stream_ms,
			    follow_up_state_fn state_of, void *ctx, char *err, size_t errlen)
{
	struct store_follow_up *due;
	int n = store_follow_up_due(st, stream_ms, FOLLOW_UPS_PER_BATCH, &due, err, errlen);
	if (n <= 0)
		return n;
	struct player_state *ps = malloc(sizeof(*ps));
	int rc = ps ? n : seterr(err, errlen, "out of memory");
	for (int i = 0; i < n; i++) {
		if (rc >= 0 && complete_one(st, packs, &due[i], ps, state_of, ctx, err, errlen) < 0)
			rc = -1;
		store_follow_up_release(&due[i]);
	}
	free(ps);
	free(due);
	return rc;
}

static int window_json(void *ctx, const struct store_follow_up *f, char *err, size_t errlen)
{
	json_t *obj = ctx;
	char key[16];
	snprintf(key, sizeof(key), "%dd", f->window_days);
	json_t *before = json_loads(f->before, 0, NULL), *after = f->after ? json_loads(f->after, 0, NULL) : json_null();
	if (!before || !after) {
		json_decref(before);
		json_decref(after);
		return seterr(err, errlen, "alert %s: damaged follow-up", f->alert_id);
	}
	json_object_set_new(obj, key, json_pack("{s:b, s:o, s:o, s:o, s:o}", "complete", f->complete, "anchor",
						 risk_time_json(f->anchor_ms), "end", risk_time_json(f->end_ms),
						 "before", before, "after", after));
	return 0;
}

json_t *follow_ups_json(struct store *st, const char *alert_id, char *err, size_t errlen)
{
	json_t *obj = json_object();
	if (!obj) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (store_follow_up_each(st, alert_id, window_json, obj, err, errlen) < 0) {
		json_decref(obj);
		return NULL;
	}
	if (json_object_size(obj) == 0) {
		json_decref(obj);
		return json_null();
	}
	return obj;
}

/* ---- the effectiveness report ---- */

static int add_case(void *ctx, const struct store_follow_up_case *row, char *err, size_t errlen)
{
	struct effectiveness *e = ctx;
	struct effectiveness_case c = { .outcome = row->outcome, .jurisdiction = row->jurisdiction,
					.complete7 = row->after7 != NULL, .complete30 = row->after30 != NULL,
					.realerted = row->realerted };
	const char *rules[RULE_COUNT];
	json_t *rj = json_loads(row->rules, 0, NULL), *before = json_loads(row->before, 0, NULL);
	json_t *after = row->after30 ? json_loads(row->after30, 0, NULL) : NULL;
	int rc = -1;
	if (!json_is_array(rj) || follow_up_measures_parse(before, &c.before) < 0 ||
	    (row->after30 && follow_up_measures_parse(after, &c.after30) < 0)) {
		seterr(err, errlen, "alert %s: damaged rules or follow-up", row->alert_id);
		goto out;
	}
	size_t i;
	json_t *r;
	json_array_foreach(rj, i, r) {
		if (c.nrules < RULE_COUNT && json_is_string(r))
			rules[c.nrules++] = json_string_value(r);
	}
	c.rules = rules;
	rc = effectiveness_add(e, &c) < 0 ? seterr(err, errlen, "out of memory") : 0;
out:
	json_decref(rj);
	json_decref(before);
	json_decref(after);
	return rc;
}

json_t *follow_ups_effectiveness(struct store *st, int64_t from_ms, int64_t to_ms, const char *jurisdiction,
				 char *err, size_t errlen)
{
	struct effectiveness *e = effectiveness_new();
	json_t *j = NULL;
	if (!e) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (store_follow_up_cases(st, from_ms, to_ms, jurisdiction, add_case, e, err, errlen) >= 0 &&
	    !(j = effectiveness_json(e)))
		seterr(err, errlen, "out of memory");
	effectiveness_free(e);
	return j;
}
