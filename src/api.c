/* api.c -- the /v1 resources, health, metrics and the web UI's files. The
 * route table at the bottom is the whole API at a glance. */
#include "rgmon/api.h"
#include "rgmon/follow_ups.h"
#include "rgmon/api_effectiveness.h"
#include "rgmon/alert.h"
#include "rgmon/api_evidence.h"
#include "rgmon/audit_export.h"
#include "rgmon/engine.h"
#include "rgmon/event.h"
#include "rgmon/risk.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"
#include "rgmon/tz.h"
#include "rgmon/web.h"
#include "rgmon/writer.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#define ALERTS_PAGE_DEFAULT 50
#define ALERTS_PAGE_MAX 500
#define TIMELINE_EVENTS 100
#define STAFF_ACTION_TIMEOUT_MS 5000

void api_error(struct api_reply *r, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *j = json_pack("{s:s}", "error", msg);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	r->status = status;
	r->content_type = "application/json";
	r->body.len = 0;
	sbuf_printf(&r->body, "%s\n", text ? text : "{\"error\":\"out of memory\"}");
	free(text);
}

/* Replies with j (stolen). */
static void reply_json(struct api_reply *r, int status, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text) {
		api_error(r, 500, "out of memory");
		return;
	}
	r->status = status;
	sbuf_printf(&r->body, "%s\n", text);
	free(text);
}

static bool caller_is(const struct api_request *rq, enum role role)
{
	return rq->caller && rq->caller->role == role;
}

/* ---- health and metrics --------------------------------------------------- */

static void handle_healthz(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)ctx;
	(void)rq;
	reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static void handle_readyz(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	enum readiness rd = metrics_readiness(ctx->metrics);
	int64_t skipped = atomic_load(&ctx->metrics->skipped_total);
	(void)rq;
	/* Skipped messages are history that no restart brings back: said,
	 * not a reason to be taken out of service. */
	json_t *o = json_pack("{s:b, s:s, s:I}", "ready", rd == READY, "reason", metrics_readiness_reason(rd),
			      "skipped_offsets", (json_int_t)skipped);
	if (skipped > 0)
		json_object_set_new(o, "warning", json_string("messages were skipped unread (gone from Kafka before "
							      "they were read): see rgmon_offsets_skipped_total"));
	reply_json(r, rd == READY ? 200 : 503, o);
}

static int metric_jurisdiction(void *ctx, const char *jurisdiction, int64_t alerts)
{
	sbuf_printf(ctx, "rgmon_alerts_by_jurisdiction{jurisdiction=\"%s\"} %lld\n", jurisdiction, (long long)alerts);
	return 0;
}

static void handle_metrics(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	const char *names[METRICS_HTTP_ROUTES];
	size_t n = 0;
	char err[256];
	for (; n < api_route_count && n < METRICS_HTTP_ROUTES - 1; n++)
		names[n] = api_routes[n].name;
	names[n++] = "unmatched";

	r->status = 200;
	r->content_type = "text/plain; version=0.0.4";
	metrics_render(ctx->metrics, names, n, &r->body);

	struct store_alert_counts c;
	if (store_alert_counts(rq->db, rq->now_ms, &c, err, sizeof(err)) == 0) {
		sbuf_printf(&r->body, "# HELP rgmon_alerts Alerts in the store, by level and status.\n"
				      "# TYPE rgmon_alerts gauge\n");
		for (int level = LEVEL_AMBER; level <= LEVEL_RED; level++)
			for (int k = 0; k < ALERT_STATUS_COUNT; k++)
				sbuf_printf(&r->body, "rgmon_alerts{level=\"%s\",status=\"%s\"} %lld\n",
					    risk_level_name((enum risk_level)level), alert_status_name((enum alert_status)k),
					    (long long)c.by_level_status[level][k]);
		sbuf_printf(&r->body, "# HELP rgmon_alerts_overdue Unresolved alerts past their due time.\n"
				      "# TYPE rgmon_alerts_overdue gauge\nrgmon_alerts_overdue %lld\n",
			    (long long)c.overdue);
	}
	struct sbuf by;
	sbuf_init(&by);
	if (store_alerts_by_jurisdiction(rq->db, metric_jurisdiction, &by, err, sizeof(err)) == 0)
		sbuf_printf(&r->body,
			    "# HELP rgmon_alerts_by_jurisdiction Alerts in the store, by the jurisdiction of the pack "
			    "that raised them.\n# TYPE rgmon_alerts_by_jurisdiction gauge\n%s",
			    by.buf ? by.buf : "");
	sbuf_release(&by);
	struct store_counters totals;
	if (store_counters_get(rq->db, &totals, err, sizeof(err)) == 0)
		sbuf_printf(&r->body,
			    "# HELP rgmon_unpriced_currency_events_total Accepted events in a currency the player's pack "
			    "has no amounts for: no money rule applies to them.\n"
			    "# TYPE rgmon_unpriced_currency_events_total counter\nrgmon_unpriced_currency_events_total %lld\n",
			    (long long)totals.unpriced_currency);
	int64_t backlog = store_outbox_backlog(rq->db, err, sizeof(err));
	if (backlog >= 0)
		sbuf_printf(&r->body, "# HELP rgmon_outbox_backlog Outbox messages not yet acknowledged by Kafka.\n"
				      "# TYPE rgmon_outbox_backlog gauge\nrgmon_outbox_backlog %lld\n",
			    (long long)backlog);
	api_talk_metrics(ctx->metrics, rq, &r->body);
}

/* ---- who am I ------------------------------------------------------------- */

static void handle_me(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)ctx;
	reply_json(r, 200, json_pack("{s:s, s:s}", "name", rq->caller->name, "role", role_name(rq->caller->role)));
}

/* ---- players -------------------------------------------------------------- */

/* Loads the player named by the path; replies 400/404/500 itself and
 * returns false when there is no player to show. */
static bool load_player(const struct api_request *rq, const char *player_id, struct player_state *ps,
			struct api_reply *r)
{
	char err[512];
	if (!event_player_id_valid(player_id)) {
		api_error(r, 400, "player id must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
			  PLAYER_ID_MAX);
		return false;
	}
	int found = store_player_load(rq->db, player_id, ps, err, sizeof(err));
	if (found < 0)
		api_error(r, 500, "%s", err);
	else if (found == 0)
		api_error(r, 404, "unknown player \"%s\"", player_id);
	return found == 1;
}

/* The pack that scores this player: their account country's. */
static const struct policy *player_policy(const struct api_context *ctx, const struct player_state *ps)
{
	const struct policy *pol = ctx->policies ? policy_set_for_country(ctx->policies, ps->country) : NULL;
	return pol ? pol : ctx->policy;
}

static void handle_player_risk(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct player_state ps;
	if (!load_player(rq, rq->params[0], &ps, r))
		return;
	/* Agents see the badge and the reasons in words: no money, no age. */
	enum risk_view view = caller_is(rq, ROLE_AGENT) ? RISK_VIEW_AGENT : RISK_VIEW_STAFF;
	const struct policy *pol = player_policy(ctx, &ps);
	json_t *j = risk_player_view_json(rq->params[0], &ps, pol, view);
	api_talk_add_points(ctx, rq, &ps, pol, view == RISK_VIEW_AGENT, j);
	reply_json(r, 200, j);
}

static int add_raw_event(void *ctx, const char *raw)
{
	json_t *ev = json_loads(raw, 0, NULL);
	if (ev)
		json_array_append_new(ctx, ev);
	return 0;
}

struct alerts_page {
	json_t *alerts;
	int64_t now_ms;
	int want;
	bool more; /* a row beyond want exists: there is a next page */
	/* the page's last row, for the cursor */
	int last_level;
	int64_t last_due_ms;
	int64_t last_created_ms;
	char last_id[ALERT_ID_LEN + 1];
};

static int add_alert(void *ctx, const struct alert *a)
{
	struct alerts_page *p = ctx;
	if ((int)json_array_size(p->alerts) == p->want) {
		p->more = true;
		return 1;
	}
	json_array_append_new(p->alerts, alert_json(a, p->now_ms));
	p->last_level = a->level;
	p->last_due_ms = a->due_ms;
	p->last_created_ms = a->created_ms;
	rg_strlcpy(p->last_id, a->alert_id, sizeof(p->last_id));
	return 0;
}

/* Timeline: risk, daily sums for the kept days, recent events (not game
 * rounds: those are in the daily sums) and the player's alerts. */
static void handle_player(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct player_state ps;
	char err[512];
	const char *id = rq->params[0];
	if (!load_player(rq, id, &ps, r))
		return;
	const struct policy *pol = player_policy(ctx, &ps);
	json_t *root = json_object(), *days = json_array(), *events = json_array();
	json_object_set_new(root, "player_id", json_string(id));
	json_object_set_new(root, "risk", risk_player_json(id, &ps, pol));
	json_object_set_new(root, "currency", ps.currency[0] ? json_string(ps.currency) : json_null());
	/* A currency the pack has no amounts for: no money rule applies. */
	json_object_set_new(root, "currency_priced",
			    ps.currency[0] ? json_boolean(policy_currency_index(pol, ps.currency) >= 0) : json_null());
	json_object_set_new(root, "time_zone", json_string(pol->tz_name));
	/* The last 30 days (the UI's "Last 30 days") since the player's first,
	 * quiet days as zeros, so a plot's x axis is calendar time. */
	static const struct day_totals quiet;
	int32_t today = tz_local_day(&pol->tz, ps.last_seen_ms);
	int32_t first = tz_local_day(&pol->tz, ps.first_seen_ms);
	for (int32_t d = first > today - ROLLING_MONTH_DAYS + 1 ? first : today - ROLLING_MONTH_DAYS + 1; d <= today; d++) {
		const struct day_totals *t = state_day(&ps, d);
		if (!t)
			t = &quiet;
		int64_t y;
		unsigned m, dd;
		char date[16];
		ts_civil_from_days(d, &y, &m, &dd);
		snprintf(date, sizeof(date), "%04lld-%02u-%02u", (long long)y, m, dd);
		json_t *day = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "date", date, "deposited",
					(json_int_t)t->deposited, "withdrawn", (json_int_t)t->withdrawn, "staked",
					(json_int_t)t->staked, "net_loss", (json_int_t)t->net_loss, "session_seconds",
					(json_int_t)t->session_seconds, "rounds", (json_int_t)t->rounds, "night_rounds",
					(json_int_t)t->night_rounds, "declined_deposits", (json_int_t)t->declined);
		/* Sums that saturated (engine.h) are bounds: name them. */
		static const char *const sums[] = { "deposited", "withdrawn", "staked", "net_loss", "session_seconds" };
		json_t *capped = json_array();
		for (size_t i = 0; i < ARRAY_SIZE(sums); i++) {
			json_int_t v = json_integer_value(json_object_get(day, sums[i]));
			if (v == ENGINE_SUM_MAX || v == -ENGINE_SUM_MAX)
				json_array_append_new(capped, json_string(sums[i]));
		}
		if (json_array_size(capped))
			json_object_set_new(day, "at_least", capped);
		else
			json_decref(capped);
		json_array_append_new(days, day);
	}
	json_object_set_new(root, "days", days);
	if (store_player_events_each(rq->db, id, TIMELINE_EVENTS, add_raw_event, events, err, sizeof(err)) < 0) {
		json_decref(events);
		json_decref(root);
		api_error(r, 500, "%s", err);
		return;
	}
	json_object_set_new(root, "events", events);

	struct store_alert_filter f;
	struct alerts_page page = { .alerts = json_array(), .now_ms = rq->now_ms, .want = ALERTS_PAGE_MAX };
	store_alert_filter_init(&f);
	f.player_id = id;
	f.limit = ALERTS_PAGE_MAX;
	if (store_alerts_query(rq->db, &f, add_alert, &page, err, sizeof(err)) < 0) {
		json_decref(page.alerts);
		json_decref(root);
		api_error(r, 500, "%s", err);
		return;
	}
	json_object_set_new(root, "alerts", page.alerts);
	reply_json(r, 200, root);
}

/* ---- alerts --------------------------------------------------------------- */

static bool alert_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n != 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The sorts of GET /v1/alerts?sort=, by name; a cursor names its sort
 * ("due.", "created.") so it is never read in another order. The level
 * sort's cursor is "LEVEL.DUE_MS.ALERT_ID", as before sorts existed. */
static const char *const alert_sort_names[] = { [STORE_SORT_LEVEL] = "level", [STORE_SORT_DUE] = "due",
						 [STORE_SORT_CREATED] = "created" };

static bool parse_sort(const char *s, enum store_alert_sort *out)
{
	for (size_t i = 0; i < sizeof(alert_sort_names) / sizeof(alert_sort_names[0]); i++)
		if (strcmp(s, alert_sort_names[i]) == 0) {
			*out = (enum store_alert_sort)i;
			return true;
		}
	return false;
}

/* The last row of a page, in f->sort's order (set before). */
static bool parse_cursor(const char *s, struct store_alert_filter *f)
{
	char id[64];
	int level = 0, used = 0;
	long long ms;
	if (f->sort == STORE_SORT_LEVEL) {
		if (sscanf(s, "%d.%lld.%40[0-9a-f]%n", &level, &ms, id, &used) != 3 || level < 0 || level >= LEVEL_COUNT)
			return false;
	} else {
		size_t n = strlen(alert_sort_names[f->sort]);
		if (strncmp(s, alert_sort_names[f->sort], n) != 0 || s[n] != '.' ||
		    sscanf(s + n + 1, "%lld.%40[0-9a-f]%n", &ms, id, &used) != 2)
			return false;
		used += (int)n + 1;
	}
	if (s[used] != '\0' || !alert_id_valid(id))
		return false;
	f->after = true;
	f->after_level = level;
	f->after_ms = ms;
	rg_strlcpy(f->after_id, id, sizeof(f->after_id));
	return true;
}

static void page_cursor(const struct alerts_page *p, enum store_alert_sort sort, char *out, size_t n)
{
	if (sort == STORE_SORT_LEVEL)
		snprintf(out, n, "%d.%lld.%s", p->last_level, (long long)p->last_due_ms, p->last_id);
	else
		snprintf(out, n, "%s.%lld.%s", alert_sort_names[sort],
			 (long long)(sort == STORE_SORT_CREATED ? p->last_created_ms : p->last_due_ms), p->last_id);
}

static void handle_alerts(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct store_alert_filter f;
	const char *v;
	char err[512];
	long long limit = ALERTS_PAGE_DEFAULT;
	(void)ctx;
	store_alert_filter_init(&f);
	if ((v = rq->query(rq, "status"))) {
		enum alert_status status;
		if (alert_status_parse(v, &status) < 0 && strcmp(v, STORE_ALERTS_UNRESOLVED) != 0)
			return api_error(r, 400, "status must be open, acknowledged, pending_review, resolved or unresolved");
		f.status = v;
	}
	if ((v = rq->query(rq, "level"))) {
		if (strcmp(v, "amber") == 0)
			f.level = LEVEL_AMBER;
		else if (strcmp(v, "red") == 0)
			f.level = LEVEL_RED;
		else
			return api_error(r, 400, "level must be amber or red");
	}
	if ((v = rq->query(rq, "player"))) {
		if (!event_player_id_valid(v))
			return api_error(r, 400, "player must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
					 PLAYER_ID_MAX);
		f.player_id = v;
	}
	if ((v = rq->query(rq, "since")) && ts_parse_rfc3339(v, &f.since_ms) < 0)
		return api_error(r, 400, "since must be an RFC 3339 time, e.g. 2026-11-22T00:00:00Z");
	if ((v = rq->query(rq, "until")) && ts_parse_rfc3339(v, &f.until_ms) < 0)
		return api_error(r, 400, "until must be an RFC 3339 time, e.g. 2026-11-23T00:00:00Z");
	if ((v = rq->query(rq, "assignee"))) {
		if (*v == '\0')
			return api_error(r, 400, "assignee must be a token name or me");
		f.assignee = strcmp(v, "me") == 0 ? rq->caller->name : v;
	}
	if ((v = rq->query(rq, "sort")) && !parse_sort(v, &f.sort))
		return api_error(r, 400, "sort must be level, due or created");
	if ((v = rq->query(rq, "limit"))) {
		char *end;
		limit = strtoll(v, &end, 10);
		if (*v == '\0' || *end || limit < 1 || limit > ALERTS_PAGE_MAX)
			return api_error(r, 400, "limit must be 1..%d", ALERTS_PAGE_MAX);
	}
	if ((v = rq->query(rq, "cursor")) && !parse_cursor(v, &f))
		return api_error(r, 400, "cursor is not one this API returned");

	/* One row more than the page tells whether a next page exists. */
	struct alerts_page page = { .alerts = json_array(), .now_ms = rq->now_ms, .want = (int)limit };
	f.limit = (int)limit + 1;
	if (store_alerts_query(rq->db, &f, add_alert, &page, err, sizeof(err)) < 0) {
		json_decref(page.alerts);
		return api_error(r, 500, "%s", err);
	}
	json_t *next = json_null();
	if (page.more) {
		char cursor[128];
		page_cursor(&page, f.sort, cursor, sizeof(cursor));
		json_decref(next);
		next = json_string(cursor);
	}
	reply_json(r, 200, json_pack("{s:o, s:o}", "alerts", page.alerts, "next_cursor", next));
}

static int add_action(void *ctx, const struct store_alert_action *a)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:s?, s:s?}", "action", a->action, "actor", a->actor, "role",
			      a->role, "at", risk_time_json(a->at_ms), "outcome", a->outcome, "note", a->note);
	if (a->assigned_to)
		json_object_set_new(j, "to", json_string(a->assigned_to));
	json_array_append_new(ctx, j);
	return 0;
}

/* The alert as DESIGN 1.3 shows it, plus its evidence events (in time
 * order, by reason: api_evidence.c) and the staff actions taken on it. */
static void reply_alert(const struct api_request *rq, const char *alert_id, int status, struct api_reply *r)
{
	struct alert *a = malloc(sizeof(*a));
	char err[512];
	int found = a ? store_alert_get(rq->db, alert_id, a, err, sizeof(err)) : seterr(err, sizeof(err), "out of memory");
	if (found <= 0) {
		if (found < 0)
			api_error(r, 500, "%s", err);
		else
			api_error(r, 404, "unknown alert \"%s\"", alert_id);
		free(a);
		return;
	}
	json_t *j = alert_json(a, rq->now_ms), *actions = json_array();
	free(a);
	if (api_alert_evidence(rq->db, j, err, sizeof(err)) < 0) {
		json_decref(actions);
		json_decref(j);
		return api_error(r, 500, "%s", err);
	}
	json_t *follow_up = follow_ups_json(rq->db, alert_id, err, sizeof(err));
	if (!follow_up) {
		json_decref(actions);
		json_decref(j);
		return api_error(r, 500, "%s", err);
	}
	json_object_set_new(j, "follow_up", follow_up);
	if (store_alert_actions_each(rq->db, alert_id, add_action, actions, err, sizeof(err)) < 0) {
		json_decref(actions);
		json_decref(j);
		return api_error(r, 500, "%s", err);
	}
	json_object_set_new(j, "actions", actions);
	if (api_talk_add_notes(rq, alert_id, j, err, sizeof(err)) < 0) {
		json_decref(j);
		return api_error(r, 500, "%s", err);
	}
	reply_json(r, status, j);
}

static void handle_alert(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)ctx;
	if (!alert_id_valid(rq->params[0]))
		return api_error(r, 404, "unknown alert \"%s\"", rq->params[0]);
	reply_alert(rq, rq->params[0], 200, r);
}

enum staff_verb { STAFF_ACKNOWLEDGE, STAFF_RESOLVE, STAFF_REVIEW, STAFF_ASSIGN };

struct staff_job {
	enum staff_verb verb;
	struct alert_staff_action act;
	struct follow_up_packs packs;
	char why[256];
};

/* Who acts, when, on which alert (the request's), with which packs. */
static void staff_job_by(struct staff_job *job, const struct api_context *ctx, const struct api_request *rq,
			 const char *note)
{
	job->act.alert_id = rq->params[0];
	job->act.actor = rq->caller->name;
	job->act.role = role_name(rq->caller->role);
	job->act.at_ms = rq->now_ms;
	job->act.note = note;
	job->act.policies = ctx->policies;
	job->act.policy = ctx->policy;
	job->packs = (struct follow_up_packs){ ctx->policies, ctx->policy };
}

static int run_staff_job(struct store *st, void *arg, char *err, size_t errlen)
{
	struct staff_job *j = arg;
	int rc;
	switch (j->verb) {
	case STAFF_RESOLVE:
		rc = alert_resolve(st, &j->act, j->why, sizeof(j->why), err, errlen);
		break;
	case STAFF_REVIEW:
		rc = alert_review(st, &j->act, j->why, sizeof(j->why), err, errlen);
		break;
	case STAFF_ASSIGN:
		return alert_assign(st, &j->act, j->why, sizeof(j->why), err, errlen);
	default:
		return alert_acknowledge(st, &j->act, j->why, sizeof(j->why), err, errlen);
	}
	/* An alert now resolved (not one waiting for a second person) is
	 * followed up (follow_ups.h), in the same transaction. */
	if (rc == ALERT_ACTION_DONE && follow_ups_start(st, &j->packs, j->act.alert_id, err, errlen) < 0)
		return -1;
	return rc;
}

/* A POST body: a JSON object (an empty body is {}) with only the allowed
 * members, each a string when strings_only. NULL having replied 400.
 * Every POST handler reads its body through this one. */
json_t *api_body_object(const struct api_request *rq, const char *const *allowed, size_t nallowed, bool strings_only,
			struct api_reply *r)
{
	json_error_t jerr;
	if (rq->body_len == 0)
		return json_object();
	json_t *body = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!body) {
		api_error(r, 400, "invalid JSON body: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		api_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) {
		bool known = false;
		for (size_t i = 0; i < nallowed; i++)
			known |= strcmp(key, allowed[i]) == 0;
		if (!known || (strings_only && !json_is_string(v))) {
			api_error(r, 400, known ? "field \"%s\" must be a string" : "unknown field \"%s\"", key);
			json_decref(body);
			return NULL;
		}
	}
	return body;
}

static void submit_staff_job(const struct api_context *ctx, const struct api_request *rq, struct staff_job *job,
			     json_t *body, struct api_reply *r);

static void staff_action(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r,
			 bool resolve)
{
	static const char *const fields[] = { "outcome", "note" };
	struct staff_job job = { .verb = resolve ? STAFF_RESOLVE : STAFF_ACKNOWLEDGE };
	const char *id = rq->params[0];
	if (!alert_id_valid(id))
		return api_error(r, 404, "unknown alert \"%s\"", id);
	json_t *body = api_body_object(rq, resolve ? fields : fields + 1, resolve ? 2 : 1, true, r);
	if (!body)
		return;
	const char *outcome = json_string_value(json_object_get(body, "outcome"));
	const char *note = json_string_value(json_object_get(body, "note"));
	if (resolve && !outcome) {
		json_decref(body);
		return api_error(r, 400, "field \"outcome\" is required: limits_set, pause_applied, self_exclusion, "
					 "contacted_no_action or false_positive");
	}
	if (resolve && alert_outcome_parse(outcome, &job.act.outcome) < 0) {
		api_error(r, 400, "field \"outcome\": \"%s\" is not limits_set, pause_applied, self_exclusion, "
				  "contacted_no_action or false_positive", outcome);
		json_decref(body);
		return;
	}
	if (resolve && (!note || note[strspn(note, " \t\r\n")] == '\0')) {
		json_decref(body);
		return api_error(r, 400, "field \"note\" is required: say what was done");
	}
	if (note && strlen(note) > ALERT_NOTE_MAX) {
		json_decref(body);
		return api_error(r, 400, "field \"note\" is longer than %d bytes", ALERT_NOTE_MAX);
	}
	staff_job_by(&job, ctx, rq, note);
	submit_staff_job(ctx, rq, &job, body, r);
}

/* Hands the job to the writer (body is freed after: the job borrows its
 * strings) and replies with the alert as it now stands, or the error. */
static void submit_staff_job(const struct api_context *ctx, const struct api_request *rq, struct staff_job *job,
			     json_t *body, struct api_reply *r)
{
	char err[512];
	const char *id = job->act.alert_id;
	int rc = writer_submit(ctx->writer, run_staff_job, job, STAFF_ACTION_TIMEOUT_MS, err, sizeof(err));
	json_decref(body);
	if (rc < 0)
		return api_error(r, 503, "%s", err);
	if (rc == ALERT_ACTION_NOT_FOUND)
		return api_error(r, 404, "unknown alert \"%s\"", id);
	if (rc == ALERT_ACTION_CONFLICT)
		return api_error(r, 409, "%s", job->why);
	reply_alert(rq, id, 200, r);
}

static void handle_acknowledge(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	staff_action(ctx, rq, r, false);
}

static void handle_resolve(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	staff_action(ctx, rq, r, true);
}

/* POST /v1/alerts/{id}/review {"decision":"approve"|"reject","note":...}:
 * four eyes on a resolution waiting in pending_review. A note is required
 * to send one back (what is missing), optional to approve. */
static void handle_review(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	static const char *const fields[] = { "decision", "note" };
	struct staff_job job = { .verb = STAFF_REVIEW };
	const char *id = rq->params[0];
	if (!alert_id_valid(id))
		return api_error(r, 404, "unknown alert \"%s\"", id);
	json_t *body = api_body_object(rq, fields, ARRAY_SIZE(fields), true, r);
	if (!body)
		return;
	const char *decision = json_string_value(json_object_get(body, "decision"));
	const char *note = json_string_value(json_object_get(body, "note"));
	bool blank = !note || note[strspn(note, " \t\r\n")] == '\0';
	const char *bad = NULL;
	if (!decision)
		bad = "field \"decision\" is required: approve or reject";
	else if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0)
		bad = "field \"decision\" must be approve or reject";
	else if (strcmp(decision, "reject") == 0 && blank)
		bad = "field \"note\" is required to reject: say what is missing";
	else if (note && strlen(note) > ALERT_NOTE_MAX)
		bad = "field \"note\" is longer than 2000 bytes";
	if (bad) {
		json_decref(body);
		return api_error(r, 400, "%s", bad);
	}
	staff_job_by(&job, ctx, rq, blank ? NULL : note);
	job.act.approve = strcmp(decision, "approve") == 0;
	submit_staff_job(ctx, rq, &job, body, r);
}

/* POST /v1/alerts/{id}/assign {"to":NAME|null,"note":...}: hands an open
 * or acknowledged alert to NAME (acknowledged by them), or back to the
 * open queue (null). */
static void handle_assign(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct staff_job job = { .verb = STAFF_ASSIGN };
	const char *id = rq->params[0];
	static const char *const fields[] = { "to", "note" };
	if (!alert_id_valid(id))
		return api_error(r, 404, "unknown alert \"%s\"", id);
	json_t *body = api_body_object(rq, fields, ARRAY_SIZE(fields), false, r);
	if (!body)
		return;
	json_t *to = json_object_get(body, "to"), *note = json_object_get(body, "note");
	const char *bad = NULL;
	if (!to || !(json_is_null(to) || (json_is_string(to) && tokens_name_valid(json_string_value(to)))))
		bad = "field \"to\" must be a token name or null";
	else if (note && (!json_is_string(note) || strlen(json_string_value(note)) > ALERT_NOTE_MAX))
		bad = "field \"note\" must be text of at most 2000 bytes";
	if (bad) {
		json_decref(body);
		return api_error(r, 400, "%s", bad);
	}
	staff_job_by(&job, ctx, rq, json_string_value(note));
	job.act.assignee = json_string_value(to);
	submit_staff_job(ctx, rq, &job, body, r);
}

/* ---- policy --------------------------------------------------------------- */

static void handle_policy(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	char *text = NULL, err[512];
	int found = store_policy_current(rq->db, &text, err, sizeof(err));
	if (found < 0)
		return api_error(r, 500, "%s", err);
	json_t *doc = found ? json_loads(text, 0, NULL) : NULL;
	free(text);
	reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:o}", "policy", ctx->policy->id, "name",
				     ctx->policy->name, "jurisdiction", ctx->policy->jurisdiction, "time_zone",
				     ctx->policy->tz_name, "document", doc ? doc : json_null()));
}

/* ---- rules ---------------------------------------------------------------- */

/* Every rule rgmon knows, with what it tests and, for each pack in use
 * that switches it on, its kind, weight and source: what staff look up
 * when a rule id in a reason means nothing to them. */
static json_t *rule_packs_json(const struct api_context *ctx, int rule)
{
	json_t *packs = json_array();
	int n = ctx->policies ? ctx->policies->n : 1;
	for (int i = 0; i < n; i++) {
		const struct policy *pol = ctx->policies ? ctx->policies->packs[i] : ctx->policy;
		const struct policy_rule *pr = &pol->rules[rule];
		if (!pr->enabled)
			continue;
		json_array_append_new(packs, json_pack("{s:s, s:s, s:s, s:i, s:b, s:s?}", "policy", pol->id,
						       "jurisdiction", pol->jurisdiction, "kind",
						       rule_kind_name(pr->kind), "weight", pr->weight, "strong",
						       pr->strong, "source", pr->source[0] ? pr->source : NULL));
	}
	return packs;
}

static void handle_rules(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)rq;
	json_t *rules = json_array();
	for (int i = 0; i < RULE_COUNT; i++)
		json_array_append_new(rules, json_pack("{s:s, s:s, s:o}", "id", rule_defs[i]->id, "summary",
						       rule_defs[i]->summary, "packs", rule_packs_json(ctx, i)));
	reply_json(r, 200, json_pack("{s:o}", "rules", rules));
}

/* ---- audit export ----------------------------------------------------------- */

struct export_record_job {
	const struct audit_export_options *o;
	const struct audit_export_result *res;
	const char *actor;
};

static int run_export_record(struct store *st, void *arg, char *err, size_t errlen)
{
	struct export_record_job *j = arg;
	return audit_export_record(st, j->o, j->res, j->actor, err, errlen);
}

/* Nothing to do: the writer runs a job between its transactions, so once
 * it has, every audit record recorded before the request is committed. */
static int run_nothing(struct store *st, void *arg, char *err, size_t errlen) { return 0; }

/* GET /v1/audit/export?from=&to=[&player=][&format=jsonl|csv]: written to
 * an unlinked temporary file (constant memory however large), streamed
 * from there, and recorded in the audit trail by the writer. */
static void handle_audit_export(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct audit_export_options o = { .key = ctx->audit_key, .now_ms = rq->now_ms };
	struct audit_export_result res;
	const char *v;
	char err[512];
	if (!ctx->audit_key)
		return api_error(r, 503, "exports need a signing key: start serve with --audit-key");
	if (!(v = rq->query(rq, "from")) || ts_parse_rfc3339(v, &o.from_ms) < 0)
		return api_error(r, 400, "from must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
	if (!(v = rq->query(rq, "to")) || ts_parse_rfc3339(v, &o.to_ms) < 0 || o.to_ms <= o.from_ms)
		return api_error(r, 400, "to must be an RFC 3339 time after from");
	if ((v = rq->query(rq, "player"))) {
		if (!event_player_id_valid(v))
			return api_error(r, 400, "player must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
					 PLAYER_ID_MAX);
		o.player = v;
	}
	if ((v = rq->query(rq, "format"))) {
		if (strcmp(v, "jsonl") && strcmp(v, "csv"))
			return api_error(r, 400, "format must be jsonl or csv");
		o.csv = strcmp(v, "csv") == 0;
	}
	/* A closed range (to <= exported_at) then exports the same records
	 * however often it is asked for. */
	if (writer_submit(ctx->writer, run_nothing, NULL, STAFF_ACTION_TIMEOUT_MS, err, sizeof(err)) < 0)
		return api_error(r, 503, "%s", err);
	FILE *tmp = tmpfile();
	if (!tmp)
		return api_error(r, 500, "cannot make a temporary file for the export");
	if (audit_export(rq->db, &o, tmp, &res, err, sizeof(err)) < 0) {
		fclose(tmp);
		return api_error(r, 500, "%s", err);
	}
	struct export_record_job job = { &o, &res, rq->caller->name };
	if (writer_submit(ctx->writer, run_export_record, &job, STAFF_ACTION_TIMEOUT_MS, err, sizeof(err)) < 0) {
		fclose(tmp);
		return api_error(r, 503, "%s", err);
	}
	int fd = dup(fileno(tmp));
	fclose(tmp);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		if (fd >= 0)
			close(fd);
		return api_error(r, 500, "cannot read the export back");
	}
	r->status = 200;
	r->content_type = o.csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
	r->download_name = o.csv ? "rgmon-audit.csv" : "rgmon-audit.jsonl";
	r->file_fd = fd;
}

/* ---- the web UI ----------------------------------------------------------- */

static void serve_asset(const char *name, struct api_reply *r)
{
	const struct web_asset *a = web_asset_find(name);
	if (!a)
		return api_error(r, 404, "not found");
	r->status = 200;
	r->content_type = web_content_type(a->name);
	sbuf_append(&r->body, a->data, a->len);
}

static void handle_ui_index(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)ctx;
	(void)rq;
	serve_asset("index.html", r);
}

static void handle_ui_asset(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)ctx;
	serve_asset(rq->params[0], r);
}

/* ---- the table ------------------------------------------------------------ */

#define STAFF (API_ROLE(ROLE_COMPLIANCE) | API_ROLE(ROLE_ADMIN))
#define ANY_ROLE (API_ROLE(ROLE_AGENT) | API_ROLE(ROLE_COMPLIANCE) | API_ROLE(ROLE_REGULATOR) | API_ROLE(ROLE_ADMIN))
#define RISK_READERS (API_ROLE(ROLE_AGENT) | STAFF)

const struct api_route api_routes[] = {
	{ "GET", "/healthz", "healthz", API_OPEN, handle_healthz },
	{ "GET", "/readyz", "readyz", API_OPEN, handle_readyz },
	{ "GET", "/metrics", "metrics", API_OPEN, handle_metrics },
	{ "GET", "/", "ui", API_OPEN, handle_ui_index },
	{ "GET", "/ui/*", "ui", API_OPEN, handle_ui_asset },
	{ "GET", "/v1/me", "me", ANY_ROLE, handle_me },
	{ "GET", "/v1/players/*/risk", "player_risk", RISK_READERS, handle_player_risk },
	{ "GET", "/v1/players/*", "player", STAFF, handle_player },
	{ "GET", "/v1/badge/*.svg", "badge", RISK_READERS | API_SIGNED_LINK, api_handle_badge },
	{ "POST", "/v1/players/*/badge-link", "badge_link", RISK_READERS, api_handle_badge_link },
	{ "GET", "/v1/players/*/card", "player_card", RISK_READERS, api_handle_player_card },
	{ "POST", "/v1/players/*/interactions", "player_interaction", RISK_READERS, api_handle_interaction },
	{ "GET", "/v1/alerts", "alerts", STAFF, handle_alerts },
	{ "GET", "/v1/alerts/*", "alert", STAFF, handle_alert },
	{ "POST", "/v1/alerts/*/acknowledge", "alert_acknowledge", STAFF, handle_acknowledge },
	{ "POST", "/v1/alerts/*/resolve", "alert_resolve", STAFF, handle_resolve },
	{ "POST", "/v1/alerts/*/review", "alert_review", STAFF, handle_review },
	{ "POST", "/v1/alerts/*/assign", "alert_assign", STAFF, handle_assign },
	{ "GET", "/v1/reports/portfolio", "portfolio", STAFF, api_portfolio },
	{ "POST", "/v1/alerts/*/notes", "alert_note", STAFF, api_handle_alert_note },
	{ "GET", "/v1/policy", "policy", STAFF, handle_policy },
	{ "GET", "/v1/rules", "rules", STAFF, handle_rules },
	{ "GET", "/v1/audit/export", "audit_export", API_ROLE(ROLE_REGULATOR) | API_ROLE(ROLE_ADMIN), handle_audit_export },
	{ "GET", "/v1/reports/effectiveness", "effectiveness",
	  API_ROLE(ROLE_COMPLIANCE) | API_ROLE(ROLE_REGULATOR) | API_ROLE(ROLE_ADMIN), api_handle_effectiveness },
};
const size_t api_route_count = ARRAY_SIZE(api_routes);

/* One path segment against one pattern segment: literal, or '*' standing
 * for one or more characters followed by the pattern's literal rest. */
static bool match_segment(const char *pat, size_t plen, const char *seg, size_t slen, char *cap, bool *captured)
{
	const char *star = memchr(pat, '*', plen);
	if (!star)
		return plen == slen && memcmp(pat, seg, slen) == 0;
	size_t pre = (size_t)(star - pat), post = plen - pre - 1;
	if (slen < pre + post + 1 || slen - pre - post >= API_PARAM_MAX || memcmp(seg, pat, pre) != 0 ||
	    memcmp(seg + slen - post, star + 1, post) != 0)
		return false;
	memcpy(cap, seg + pre, slen - pre - post);
	cap[slen - pre - post] = '\0';
	*captured = true;
	return true;
}

static bool match_path(const char *pattern, const char *path, struct api_request *rq)
{
	int nparam = 0;
	const char *p = pattern, *s = path;
	for (;;) {
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
		bool captured = false;
		if (nparam == API_PARAMS_MAX && memchr(p, '*', plen))
			return false;
		if (!match_segment(p, plen, s, slen, rq->params[nparam < API_PARAMS_MAX ? nparam : 0], &captured))
			return false;
		nparam += captured;
		p += plen;
		s += slen;
		if (*p == '\0' || *s == '\0')
			return *p == *s;
		p++;
		s++;
	}
}

const struct api_route *api_match(const char *method, const char *path, struct api_request *rq, bool *path_known,
				  char *allow, size_t allowlen)
{
	const struct api_route *found = NULL;
	*path_known = false;
	allow[0] = '\0';
	for (size_t i = 0; i < api_route_count; i++) {
		struct api_request probe = { 0 };
		if (!match_path(api_routes[i].pattern, path, &probe))
			continue;
		*path_known = true;
		size_t used = strlen(allow);
		snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", api_routes[i].method);
		bool same = strcmp(method, api_routes[i].method) == 0 ||
			    (strcmp(method, "HEAD") == 0 && strcmp(api_routes[i].method, "GET") == 0);
		if (same && !found) {
			found = &api_routes[i];
			memcpy(rq->params, probe.params, sizeof(rq->params));
		}
	}
	return found;
}
