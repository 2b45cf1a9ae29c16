/* store_alerts.c -- the support queue's data: alerts, the staff actions on
 * them, and the markers (the event at which each of a player's markers
 * last started to hold) that alerts cite as evidence.
 *
 * Owns: the alerts, alert_actions and markers tables, and the alert row's
 * shape (ALERT_COLUMNS <-> struct alert, the lists as JSON text).
 * Never: decides anything about an alert -- open, escalate, transitions
 * and their rules are alert.c's; this file stores and lists what it is
 * given. */
#include "store_int.h"
#include "rgmon/alert_json.h"

#define ALERT_COLUMNS                                                                               \
	"alert_id, player_id, level, status, action, rules, reasons, evidence, policy, created_ms, " \
	"updated_ms, due_ms, escalations, outcome, actor, note, acknowledged_ms, resolved_ms, acknowledged_by, " \
	"kind, jurisdiction, proposed_outcome, proposed_by, reviewed_by, review_note"

/* ---- markers ------------------------------------------------------------- */

static const struct store_sql marker_set = {
	"storing marker", "INSERT OR REPLACE INTO markers(player_id, rule, event_id, ts_ms) VALUES (?,?,?,?)", "sssI",
	STMT_MARKER_SET,
};

int store_marker_set(struct store *st, const char *player_id, const char *rule, const char *event_id,
		     int64_t ts_ms, char *err, size_t errlen)
{
	return store_exec(st, &marker_set, NULL, NULL, err, errlen, player_id, rule, event_id, ts_ms);
}

static const struct store_sql marker_get = {
	"reading marker", "SELECT event_id FROM markers WHERE player_id = ? AND rule = ?", "ss", STMT_MARKER_GET,
};

int store_marker_get(struct store *st, const char *player_id, const char *rule, char *event_id, size_t len,
		     char *err, size_t errlen)
{
	struct store_text r = { event_id, len };
	return store_exec(st, &marker_get, store_row_text, &r, err, errlen, player_id, rule);
}

/* ---- alerts -------------------------------------------------------------- */

static void column_text(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(s, col);
	rg_strlcpy(dst, v ? v : "", len);
}

/* A row of ALERT_COLUMNS as a typed alert: 0, or -1 with err when a
 * column is damaged. */
static int alert_from_row(sqlite3_stmt *s, struct alert *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	column_text(s, 0, a->alert_id, sizeof(a->alert_id));
	column_text(s, 1, a->player_id, sizeof(a->player_id));
	int level = sqlite3_column_int(s, 2), action = sqlite3_column_int(s, 4);
	const char *status = (const char *)sqlite3_column_text(s, 3);
	const char *outcome = (const char *)sqlite3_column_text(s, 13);
	a->outcome = OUTCOME_NONE;
	if (level < 0 || level >= LEVEL_COUNT || action < 0 || action >= ACTION_COUNT || !status ||
	    alert_status_parse(status, &a->status) < 0 || (outcome && alert_outcome_parse(outcome, &a->outcome) < 0))
		return seterr(err, errlen, "alert %s: damaged level, action, status or outcome", a->alert_id);
	a->level = (enum risk_level)level;
	a->action = (enum risk_action)action;
	if (alert_lists_parse(a, (const char *)sqlite3_column_text(s, 5), (const char *)sqlite3_column_text(s, 6),
			      (const char *)sqlite3_column_text(s, 7), err, errlen) < 0)
		return -1;
	column_text(s, 8, a->policy, sizeof(a->policy));
	a->created_ms = sqlite3_column_int64(s, 9);
	a->updated_ms = sqlite3_column_int64(s, 10);
	a->due_ms = sqlite3_column_int64(s, 11);
	a->escalations = sqlite3_column_int(s, 12);
	column_text(s, 14, a->actor, sizeof(a->actor));
	a->has_note = sqlite3_column_type(s, 15) != SQLITE_NULL;
	column_text(s, 15, a->note, sizeof(a->note));
	a->acknowledged_ms = store_col_int64(s, 16, INT64_MIN);
	a->resolved_ms = store_col_int64(s, 17, INT64_MIN);
	column_text(s, 18, a->acknowledged_by, sizeof(a->acknowledged_by));
	const char *kind = (const char *)sqlite3_column_text(s, 19);
	if (!kind || alert_kind_parse(kind, &a->kind) < 0)
		return seterr(err, errlen, "alert %s: damaged kind", a->alert_id);
	column_text(s, 20, a->jurisdiction, sizeof(a->jurisdiction));
	const char *proposed = (const char *)sqlite3_column_text(s, 21);
	a->proposed_outcome = OUTCOME_NONE;
	if (proposed && alert_outcome_parse(proposed, &a->proposed_outcome) < 0)
		return seterr(err, errlen, "alert %s: damaged proposed_outcome", a->alert_id);
	column_text(s, 22, a->proposed_by, sizeof(a->proposed_by));
	column_text(s, 23, a->reviewed_by, sizeof(a->reviewed_by));
	a->has_review_note = sqlite3_column_type(s, 24) != SQLITE_NULL;
	column_text(s, 24, a->review_note, sizeof(a->review_note));
	return 0;
}

/* Reads the first row into ctx, a struct alert, and stops. */
static int alert_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	return alert_from_row(s, ctx, err, errlen) < 0 ? -1 : 1;
}

static const struct store_sql alert_open = {
	"reading alert",
	"SELECT " ALERT_COLUMNS " FROM alerts WHERE player_id = ? AND status <> 'resolved' AND kind = 'harm' "
	"ORDER BY created_ms DESC LIMIT 1",
	"s", STMT_ALERT_OPEN,
};

int store_alert_open_for_player(struct store *st, const char *player_id, struct alert *out, char *err,
				size_t errlen)
{
	return store_exec(st, &alert_open, alert_row, out, err, errlen, player_id);
}

static const struct store_sql alert_get = {
	"reading alert", "SELECT " ALERT_COLUMNS " FROM alerts WHERE alert_id = ?", "s", STMT_NONE,
};

int store_alert_get(struct store *st, const char *alert_id, struct alert *out, char *err, size_t errlen)
{
	return store_exec(st, &alert_get, alert_row, out, err, errlen, alert_id);
}

/* outcome, actor and acknowledged_by are "" when not set, note NULL, the
 * times INT64_MIN: all stored as NULL. */
static const struct store_sql alert_put = {
	"storing alert",
	"INSERT OR REPLACE INTO alerts(" ALERT_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"ssisissssIIIis?s?sI?I?s?sss?s?s?s", STMT_ALERT_PUT,
};

int store_alert_put(struct store *st, const struct alert *a, char *err, size_t errlen)
{
	char *rules = alert_rules_text(a), *reasons = alert_reasons_text(a), *evidence = alert_evidence_text(a);
	int rc = !rules || !reasons || !evidence
			 ? seterr(err, errlen, "alert %s: out of memory", a->alert_id)
			 : store_exec(st, &alert_put, NULL, NULL, err, errlen, a->alert_id, a->player_id, (int)a->level,
				      alert_status_name(a->status), (int)a->action, rules, reasons, evidence, a->policy,
				      a->created_ms, a->updated_ms, a->due_ms, a->escalations,
				      a->outcome != OUTCOME_NONE ? alert_outcome_name(a->outcome) : "", a->actor,
				      a->has_note ? a->note : NULL, a->acknowledged_ms, a->resolved_ms, a->acknowledged_by,
				      alert_kind_name(a->kind), a->jurisdiction,
				      a->proposed_outcome != OUTCOME_NONE ? alert_outcome_name(a->proposed_outcome) : "",
				      a->proposed_by, a->reviewed_by, a->has_review_note ? a->review_note : NULL);
	free(rules);
	free(reasons);
	free(evidence);
	return rc;
}

/* The filters every queue order shares: ?1 status, ?2 level, ?3 player,
 * ?4 since, ?10 until (exclusive), ?11 assignee (acknowledged_by). The
 * cursor (?5 set, ?6 level, ?7 the order's time, ?8 alert_id) continues
 * after a row in that order (keyset paging); ?9 limit. */
#define ALERTS_WHERE                                                                                                   \
	"SELECT " ALERT_COLUMNS " FROM alerts WHERE (?1 IS NULL OR status = ?1"                                        \
	" OR (?1 = 'unresolved' AND status <> 'resolved')) AND (?2 < 0 OR level = ?2)"                                \
	" AND (?3 IS NULL OR player_id = ?3) AND created_ms >= ?4 AND created_ms < ?10"                               \
	" AND (?11 IS NULL OR acknowledged_by = ?11)"
#define ALERTS_PARAMS "sisIiiIsiIs"

/* By level: most severe first, then soonest due (the queue's default). */
static const struct store_sql alerts_by_level = {
	"reading alerts",
	ALERTS_WHERE " AND (?5 = 0 OR level < ?6 OR (level = ?6 AND (due_ms > ?7 OR (due_ms = ?7 AND alert_id > ?8))))"
		     " ORDER BY level DESC, due_ms, alert_id LIMIT ?9",
	ALERTS_PARAMS, STMT_NONE,
};

/* By due time: soonest first, whatever the level. */
static const struct store_sql alerts_by_due = {
	"reading alerts",
	ALERTS_WHERE " AND (?5 = 0 OR due_ms > ?7 OR (due_ms = ?7 AND alert_id > ?8))"
		     " ORDER BY due_ms, alert_id LIMIT ?9",
	ALERTS_PARAMS, STMT_NONE,
};

/* By creation: newest first. */
static const struct store_sql alerts_by_created = {
	"reading alerts",
	ALERTS_WHERE " AND (?5 = 0 OR created_ms < ?7 OR (created_ms = ?7 AND alert_id < ?8))"
		     " ORDER BY created_ms DESC, alert_id DESC LIMIT ?9",
	ALERTS_PARAMS, STMT_NONE,
};

struct alert_walk {
	store_alert_fn fn;
	void *ctx;
	struct alert *a; /* one for every row: alerts are big */
};

static int alert_walk_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct alert_walk *w = ctx;
	if (alert_from_row(s, w->a, err, errlen) < 0)
		return -1;
	return w->fn(w->ctx, w->a) ? 1 : 0;
}

int store_alerts_query(struct store *st, const struct store_alert_filter *f, store_alert_fn fn, void *ctx,
		       char *err, size_t errlen)
{
	struct alert_walk w = { fn, ctx, malloc(sizeof(struct alert)) };
	if (!w.a)
		return seterr(err, errlen, "reading alerts: out of memory");
	const struct store_sql *q = f->sort == STORE_SORT_DUE	   ? &alerts_by_due
				    : f->sort == STORE_SORT_CREATED ? &alerts_by_created
								    : &alerts_by_level;
	int rc = store_exec(st, q, alert_walk_row, &w, err, errlen, f->status, f->level, f->player_id, f->since_ms,
			    (int)f->after, f->after_level, f->after_ms, f->after_id, f->limit, f->until_ms, f->assignee);
	free(w.a);
	return rc < 0 ? -1 : 0;
}

void store_alert_filter_init(struct store_alert_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->level = -1;
	f->since_ms = INT64_MIN;
	f->until_ms = INT64_MAX;
	f->limit = -1;
}

static const struct store_sql alert_counts = {
	"counting alerts",
	"SELECT level, status, count(*), sum(status <> 'resolved' AND due_ms < ?) FROM alerts GROUP BY level, status",
	"I", STMT_NONE,
};

static int alert_count_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct store_alert_counts *out = ctx;
	int level = sqlite3_column_int(s, 0);
	const char *name = (const char *)sqlite3_column_text(s, 1);
	enum alert_status status;
	if (name && alert_status_parse(name, &status) == 0 && level >= 0 && level < LEVEL_COUNT)
		out->by_level_status[level][status] += sqlite3_column_int64(s, 2);
	out->overdue += sqlite3_column_int64(s, 3);
	return 0;
}

int store_alert_counts(struct store *st, int64_t now_ms, struct store_alert_counts *out, char *err,
		       size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return store_exec(st, &alert_counts, alert_count_row, out, err, errlen, now_ms) < 0 ? -1 : 0;
}

static const struct store_sql alerts_created = {
	"summing alerts",
	"SELECT level, status, outcome, created_ms, due_ms, acknowledged_ms, resolved_ms FROM alerts"
	" WHERE created_ms >= ?1 AND created_ms < ?2 AND (?3 IS NULL OR player_id = ?3)",
	"IIs", STMT_NONE,
};

struct facts_walk {
	store_alert_facts_fn fn;
	void *ctx;
};

static int facts_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct facts_walk *w = ctx;
	struct store_alert_facts a = {
		.level = sqlite3_column_int(s, 0),
		.status = (const char *)sqlite3_column_text(s, 1),
		.outcome = (const char *)sqlite3_column_text(s, 2),
		.created_ms = sqlite3_column_int64(s, 3),
		.due_ms = sqlite3_column_int64(s, 4),
		.acknowledged_ms = store_col_int64(s, 5, INT64_MIN),
		.resolved_ms = store_col_int64(s, 6, INT64_MIN),
	};
	return w->fn(w->ctx, &a) ? 1 : 0;
}

int store_alerts_created_each(struct store *st, int64_t from_ms, int64_t to_ms, const char *player,
			      store_alert_facts_fn fn, void *ctx, char *err, size_t errlen)
{
	struct facts_walk w = { fn, ctx };
	return store_exec(st, &alerts_created, facts_row, &w, err, errlen, from_ms, to_ms, player) < 0 ? -1 : 0;
}

/* ---- staff actions ------------------------------------------------------- */

static const struct store_sql action_add = {
	"storing alert action",
	"INSERT INTO alert_actions(alert_id, action, actor, role, at_ms, outcome, note, assigned_to)"
	" VALUES (?,?,?,?,?,?,?,?)",
	"ssssIsss", STMT_NONE,
};

int store_alert_action_add(struct store *st, const struct store_alert_action *a, char *err, size_t errlen)
{
	return store_exec(st, &action_add, NULL, NULL, err, errlen, a->alert_id, a->action, a->actor, a->role,
			  a->at_ms, a->outcome, a->note, a->assigned_to);
}

static const struct store_sql actions_list = {
	"reading alert actions",
	"SELECT alert_id, action, actor, role, at_ms, outcome, note, assigned_to FROM alert_actions"
	" WHERE alert_id = ? ORDER BY seq",
	"s", STMT_NONE,
};

struct action_walk {
	store_alert_action_fn fn;
	void *ctx;
};

static int action_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct action_walk *w = ctx;
	struct store_alert_action a = {
		(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
		sqlite3_column_int64(s, 4),		 (const char *)sqlite3_column_text(s, 5),
		(const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
	};
	return w->fn(w->ctx, &a) ? 1 : 0;
}

int store_alert_actions_each(struct store *st, const char *alert_id, store_alert_action_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	struct action_walk w = { fn, ctx };
	return store_exec(st, &actions_list, action_row, &w, err, errlen, alert_id) < 0 ? -1 : 0;
}
