/* api_evidence.c -- an alert's evidence for the alert page: every event
 * behind it in event time order, each naming the reasons (rules) it backs,
 * and per reason the events behind its count (store_evidence.c keeps
 * them; alerts raised before that have only their flat evidence list). */
#include "rgmon/api_evidence.h"
#include "rgmon/rules.h"
#include "rgmon/timestamp.h"

#include <stdlib.h>
#include <string.h>

struct evidence_set {
	json_t *by_id; /* event_id -> {"event_id","ts_ms","rules":[]} */
};

static json_t *evidence_entry(struct evidence_set *es, const char *event_id, int64_t ts_ms)
{
	json_t *e = json_object_get(es->by_id, event_id);
	if (!e) {
		e = json_pack("{s:s, s:I, s:[]}", "event_id", event_id, "ts_ms", (json_int_t)ts_ms, "rules");
		json_object_set_new(es->by_id, event_id, e);
	}
	return e;
}

static int add_reason_row(void *ctx, const char *rule, const char *event_id, int64_t ts_ms)
{
	json_t *rules = json_object_get(evidence_entry(ctx, event_id, ts_ms), "rules");
	json_array_append_new(rules, json_string(rule));
	return 0;
}

/* Event time, then event id: the order the player did things. */
static int by_time(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t tx = json_integer_value(json_object_get(x, "ts_ms")), ty = json_integer_value(json_object_get(y, "ts_ms"));
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "event_id")), json_string_value(json_object_get(y, "event_id")));
}

/* The entries in time order, each with its stored event (null when no
 * longer kept: past the dedupe window). */
static json_t *sorted_events(struct store *db, struct evidence_set *es, char *err, size_t errlen)
{
	size_t n = json_object_size(es->by_id), i = 0;
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array(), *e;
	const char *key;
	if (!v) {
		json_decref(out);
		return NULL;
	}
	json_object_foreach(es->by_id, key, e)
		v[i++] = e;
	qsort(v, n, sizeof(*v), by_time);
	for (i = 0; i < n; i++) {
		char *raw = NULL;
		const char *event_id = json_string_value(json_object_get(v[i], "event_id"));
		int64_t ts_ms = json_integer_value(json_object_get(v[i], "ts_ms"));
		int got = store_event_raw_at(db, event_id, ts_ms, &raw, err, errlen);
		json_t *ev = got == 1 ? json_loads(raw, 0, NULL) : NULL;
		free(raw);
		json_array_append_new(out, json_pack("{s:s, s:o, s:O}", "event_id", event_id, "event", ev ? ev : json_null(),
						     "rules", json_object_get(v[i], "rules")));
	}
	free(v);
	return out;
}

/* Per reason of the alert: its rule, detail and the ids of its events in
 * time order. */
static json_t *by_reason(json_t *alert, json_t *events)
{
	json_t *out = json_array(), *reason, *ev;
	size_t i, k;
	json_array_foreach(json_object_get(alert, "reasons"), i, reason) {
		const char *rule = json_string_value(json_object_get(reason, "rule"));
		json_t *ids = json_array();
		json_array_foreach(events, k, ev) {
			json_t *r;
			size_t m;
			json_array_foreach(json_object_get(ev, "rules"), m, r)
				if (rule && strcmp(json_string_value(r), rule) == 0)
					json_array_append(ids, json_object_get(ev, "event_id"));
		}
		/* A rule that counts deposits lists every one of its count; the
		 * others, the events at which they held and raised the alert. */
		int r = rule ? rule_find(rule) : -1;
		json_array_append_new(out, json_pack("{s:s?, s:O?, s:o, s:b}", "rule", rule, "detail",
						     json_object_get(reason, "detail"), "event_ids", ids, "complete",
						     r >= 0 && rule_defs[r]->counted));
	}
	return out;
}

int api_alert_evidence(struct store *db, json_t *alert, char *err, size_t errlen)
{
	struct evidence_set es = { json_object() };
	const char *alert_id = json_string_value(json_object_get(alert, "alert_id"));
	json_t *id;
	size_t i;
	int rc = -1;
	if (store_alert_evidence_each(db, alert_id, add_reason_row, &es, err, errlen) < 0)
		goto out;
	/* The alert's own list: the events its markers started at, and the
	 * events that raised and escalated it -- a game round among them is
	 * looked for between the alert's creation and its last update (event
	 * times), not in the whole log. */
	int64_t created = INT64_MIN, updated = INT64_MAX;
	const char *t = json_string_value(json_object_get(alert, "created_at"));
	if (!t || ts_parse_rfc3339(t, &created) < 0)
		created = INT64_MIN;
	t = json_string_value(json_object_get(alert, "updated_at"));
	if (!t || ts_parse_rfc3339(t, &updated) < 0)
		updated = INT64_MAX;
	json_array_foreach(json_object_get(alert, "evidence"), i, id) {
		const char *event_id = json_string_value(id);
		if (json_object_get(es.by_id, event_id))
			continue;
		char *raw = NULL;
		int64_t ts = INT64_MAX;
		const char *player_id = json_string_value(json_object_get(alert, "player_id"));
		int got = player_id ? store_player_event_raw(db, player_id, event_id, created, updated, &raw, err, errlen)
				    : store_event_raw(db, event_id, &raw, err, errlen);
		json_t *ev = got == 1 ? json_loads(raw, 0, NULL) : NULL;
		const char *s = json_string_value(json_object_get(ev, "ts"));
		if (!s || ts_parse_rfc3339(s, &ts) < 0)
			ts = INT64_MAX; /* no longer kept: last */
		json_decref(ev);
		free(raw);
		evidence_entry(&es, event_id, ts);
	}
	json_t *events = sorted_events(db, &es, err, errlen);
	if (!events) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	json_object_set_new(alert, "evidence_by_reason", by_reason(alert, events));
	json_object_set_new(alert, "evidence_events", events);
	rc = 0;
out:
	json_decref(es.by_id);
	return rc;
}
