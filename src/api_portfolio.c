/* api_portfolio.c -- GET /v1/reports/portfolio: the whole book at a glance
 * for compliance staff. Players by level and jurisdiction now and per day
 * (the writer's daily snapshot, portfolio.h), this week's biggest movers,
 * alert inflow and outflow per day, the share resolved before due, what
 * is overdue now, the false-positive rate per rule.
 *
 * Days are UTC days. The report ends on the later of the stream's day
 * (the newest event time) and the clock's, and starts PORTFOLIO_DAYS - 1
 * days before the earlier of the two (the same day, live);
 * players and movers are as of the stream's time, alert actions by the
 * wall time they were taken. Reads only; the SQL is store_portfolio.c's. */
#include "rgmon/api.h"
#include "rgmon/notes.h"
#include "rgmon/engine.h"
#include "rgmon/portfolio.h"
#include "rgmon/risk.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <jansson.h>
#include <stdio.h>

#define MOVERS_MAX 10

static json_t *day_json(int32_t day)
{
	int64_t y;
	unsigned m, d;
	char text[16];
	ts_civil_from_days(day, &y, &m, &d);
	snprintf(text, sizeof(text), "%04lld-%02u-%02u", (long long)y, m, d);
	return json_string(text);
}

static json_t *levels_json(void)
{
	json_t *o = json_object();
	for (int l = 0; l < LEVEL_COUNT; l++)
		json_object_set_new(o, risk_level_name((enum risk_level)l), json_integer(0));
	return o;
}

/* Adds n to obj[key] (an integer member). */
static void add_to(json_t *obj, const char *key, int64_t n)
{
	json_t *v = json_object_get(obj, key);
	json_object_set_new(obj, key, json_integer(json_integer_value(v) + n));
}

/* One day's counts: {"day","total","by_level":{...},"by_jurisdiction":{"GB":{...}}}. */
static json_t *counts_new(int32_t day)
{
	return json_pack("{s:o, s:i, s:o, s:o}", "day", day_json(day), "total", 0, "by_level", levels_json(),
			 "by_jurisdiction", json_object());
}

static void counts_add(json_t *c, const char *jurisdiction, int level, int64_t players)
{
	const char *name = risk_level_name((enum risk_level)level);
	json_t *by_j = json_object_get(c, "by_jurisdiction");
	const char *key = jurisdiction[0] ? jurisdiction : "none";
	if (!json_object_get(by_j, key))
		json_object_set_new(by_j, key, levels_json());
	add_to(json_object_get(by_j, key), name, players);
	add_to(json_object_get(c, "by_level"), name, players);
	add_to(c, "total", players);
}

struct now_walk {
	const struct api_context *ctx;
	json_t *counts;
};

static int add_now(void *arg, const char *country, int level, int64_t players)
{
	struct now_walk *w = arg;
	counts_add(w->counts, portfolio_jurisdiction(w->ctx->policies, w->ctx->policy, country), level, players);
	return 0;
}

struct days_walk {
	json_t *days;
	json_t *current; /* the last day's counts, in days */
	int32_t current_day;
};

static int add_day(void *arg, int32_t day, const char *jurisdiction, int level, int64_t players)
{
	struct days_walk *w = arg;
	if (!w->current || w->current_day != day) {
		w->current = counts_new(day);
		w->current_day = day;
		json_array_append_new(w->days, w->current);
	}
	counts_add(w->current, jurisdiction, level, players);
	return 0;
}

static int add_mover(void *arg, const char *player_id, int score_then, int score_now, int level_now)
{
	json_array_append_new(arg, json_pack("{s:s, s:i, s:i, s:i, s:s}", "player_id", player_id, "score_then",
					     score_then, "score_now", score_now, "change", score_now - score_then, "level",
					     risk_level_name((enum risk_level)level_now)));
	return 0;
}

struct flow_walk {
	json_t *by_day; /* "YYYY-MM-DD" -> {"opened","resolved"} */
};

static int add_flow(void *arg, int32_t day, bool resolved, int64_t alerts)
{
	struct flow_walk *w = arg;
	json_t *d = day_json(day);
	const char *key = json_string_value(d);
	json_t *row = json_object_get(w->by_day, key);
	if (!row) {
		row = json_pack("{s:O, s:i, s:i}", "day", d, "opened", 0, "resolved", 0);
		json_object_set_new(w->by_day, key, row);
	}
	json_decref(d);
	add_to(row, resolved ? "resolved" : "opened", alerts);
	return 0;
}

static int add_fp(void *arg, const char *rule, int64_t resolved, int64_t fp)
{
	json_array_append_new(arg, json_pack("{s:s, s:I, s:I, s:f}", "rule", rule, "resolved", (json_int_t)resolved,
					     "false_positive", (json_int_t)fp,
					     "rate", resolved ? (double)fp / (double)resolved : 0.0));
	return 0;
}

/* The stream's time from the store, ENGINE_NO_TIME before any event. */
static int64_t stream_time(struct store *db)
{
	char text[32], err[128];
	if (store_meta_get(db, "stream_time", text, sizeof(text), err, sizeof(err)) <= 0)
		return ENGINE_NO_TIME;
	return strtoll(text, NULL, 10);
}

/* Players now and per day, and this week's movers. */
static int players_part(const struct api_context *ctx, const struct api_request *rq, int32_t stream_day,
			int32_t first_day, json_t *root, char *err, size_t errlen)
{
	struct now_walk now = { ctx, counts_new(stream_day) };
	json_object_set_new(root, "players_now", now.counts);
	if (store_players_by_country_level(rq->db, add_now, &now, err, errlen) < 0)
		return -1;
	struct days_walk days = { json_array(), NULL, 0 };
	json_object_set_new(root, "players_daily", days.days);
	if (store_portfolio_days_each(rq->db, first_day, stream_day - 1, add_day, &days, err, errlen) < 0)
		return -1;
	json_array_append(days.days, now.counts); /* the stream's day so far */

	json_t *up = json_array(), *down = json_array();
	json_object_set_new(root, "movers",
			    json_pack("{s:o, s:o, s:o}", "since", day_json(stream_day - 7), "up", up, "down", down));
	int found = store_portfolio_movers(rq->db, stream_day - 7, true, MOVERS_MAX, add_mover, up, err, errlen);
	if (found < 0 || (found > 0 && store_portfolio_movers(rq->db, stream_day - 7, false, MOVERS_MAX, add_mover,
							       down, err, errlen) < 0))
		return -1;
	if (found == 0) /* the stream is younger than a week: nothing to compare */
		json_object_set_new(json_object_get(root, "movers"), "since", json_null());
	return 0;
}

/* Inflow and outflow per day, resolved before due, overdue now, false
 * positives per rule. */
static int alerts_part(const struct api_request *rq, int32_t first_day, int32_t last_day, json_t *root, char *err,
		       size_t errlen)
{
	int64_t from_ms = first_day * PORTFOLIO_MS_PER_DAY, to_ms = (last_day + 1) * PORTFOLIO_MS_PER_DAY;
	struct flow_walk flow = { json_object() };
	int64_t facts[3];
	json_t *fp = json_array();
	int rc = store_portfolio_flow_each(rq->db, from_ms, to_ms, add_flow, &flow, err, errlen) < 0 ||
			 store_portfolio_resolutions(rq->db, from_ms, rq->now_ms, facts, err, errlen) < 0 ||
			 store_portfolio_false_positives_each(rq->db, from_ms, add_fp, fp, err, errlen) < 0
		     ? -1
		     : 0;
	/* days in order: the keys are ISO dates */
	json_t *daily = json_array();
	for (int32_t d = first_day; d <= last_day; d++) {
		json_t *key = day_json(d);
		json_t *row = json_object_get(flow.by_day, json_string_value(key));
		json_decref(key);
		if (row)
			json_array_append(daily, row);
	}
	json_decref(flow.by_day);
	json_object_set_new(root, "alerts",
			    json_pack("{s:o, s:I, s:o, s:I}", "daily", daily, "resolved", (json_int_t)facts[0],
				      "resolved_before_due_share",
				      facts[0] ? json_real((double)facts[1] / (double)facts[0]) : json_null(),
				      "overdue_now", (json_int_t)facts[2]));
	json_object_set_new(root, "false_positive_rate", fp);
	return rc;
}

void api_portfolio(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	char err[512];
	int64_t stream_ms = stream_time(rq->db);
	int32_t wall_day = portfolio_day_of(rq->now_ms);
	int32_t stream_day = stream_ms == ENGINE_NO_TIME ? wall_day : portfolio_day_of(stream_ms);
	int32_t last_day = stream_day > wall_day ? stream_day : wall_day;
	/* A stream behind the clock (a replayed history) still shows its last
	 * PORTFOLIO_DAYS days, with the staff actions taken since. */
	int32_t first_day = (stream_day < wall_day ? stream_day : wall_day) - PORTFOLIO_DAYS + 1;
	json_t *root = json_object();
	json_object_set_new(root, "as_of", stream_ms == ENGINE_NO_TIME ? json_null() : risk_time_json(stream_ms));
	json_object_set_new(root, "from", day_json(first_day));
	json_object_set_new(root, "to", day_json(last_day));
	if (store_read_begin(rq->db, err, sizeof(err)) < 0) {
		json_decref(root);
		return api_error(r, 500, "%s", err);
	}
	int rc = players_part(ctx, rq, stream_day, first_day, root, err, sizeof(err));
	if (rc == 0)
		rc = alerts_part(rq, first_day, last_day, root, err, sizeof(err));
	/* UKGC SR 3.4.3 Req 14: interactions keep pace with the players at
	 * risk -- the last 30 days' interactions per 1,000 active players,
	 * as /metrics counts them (notes.h); null with no active player. */
	int64_t interactions = 0, active = 0;
	if (rc == 0)
		rc = store_interactions_per_active(rq->db, rq->now_ms - 30LL * 86400000, &interactions, &active, err,
						   sizeof(err));
	store_read_end(rq->db);
	json_object_set_new(root, "interactions_per_1000_active",
			    active > 0 ? json_real((double)interactions * 1000.0 / (double)active) : json_null());
	char *text = rc == 0 ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!text)
		return api_error(r, 500, "%s", rc < 0 ? err : "out of memory");
	r->status = 200;
	sbuf_printf(&r->body, "%s\n", text);
	free(text);
}
