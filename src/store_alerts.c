/* store_alerts.c -- the support queue's data: alerts, the staff actions on
 * them, and the markers (the event at which each of a player's markers
 * last started to hold) that alerts cite as evidence.
 *
 * Owns: the alerts, alert_actions and markers tables, and the alert row's
 * shape (ALERT_COLUMNS <-> struct store_alert).
 * Never: decides anything about an alert -- open, escalate, transitions
 * and their rules are alert.c's; this file stores and lists what it is
 * given. */
#include "store_int.h"

#define ALERT_COLUMNS                                                                               \
	"alert_id, player_id, level, status, action, rules, reasons, evidence, policy, created_ms, " \
	"updated_ms, due_ms, escalations, outcome, actor, note, acknowledged_ms, resolved_ms, acknowledged_by"

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

struct text_read {
	char *out;
	size_t len;
};

static int marker_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct text_read *r = ctx;
	rg_strlcpy(r->out, (const char *)sqlite3_column_text(s, 0), r->len);
	return 1;
}

int store_marker_get(struct store *st, const char *player_id, const char *rule, char *event_id, size_t len,
		     char *err, size_t errlen)
{
	struct text_read r = { event_id, len };
	return store_exec(st, &marker_get, marker_row, &r, err, errlen, player_id, rule);
}

/* ---- alerts -------------------------------------------------------------- */

static int alert_from_row(sqlite3_stmt *s, struct store_alert *a)
{
	memset(a, 0, sizeof(*a));
	rg_strlcpy(a->alert_id, (const char *)sqlite3_column_text(s, 0), sizeof(a->alert_id));
	rg_strlcpy(a->player_id, (const char *)sqlite3_column_text(s, 1), sizeof(a->player_id));
	a->level = sqlite3_column_int(s, 2);
	rg_strlcpy(a->status, (const char *)sqlite3_column_text(s, 3), sizeof(a->status));
	a->action = sqlite3_column_int(s, 4);
	a->rules = store_col_dup(s, 5);
	a->reasons = store_col_dup(s, 6);
	a->evidence = store_col_dup(s, 7);
	rg_strlcpy(a->policy, (const char *)sqlite3_column_text(s, 8), sizeof(a->policy));
	a->created_ms = sqlite3_column_int64(s, 9);
	a->updated_ms = sqlite3_column_int64(s, 10);
	a->due_ms = sqlite3_column_int64(s, 11);
	a->escalations = sqlite3_column_int(s, 12);
	if (sqlite3_column_type(s, 13) != SQLITE_NULL)
		rg_strlcpy(a->outcome, (const char *)sqlite3_column_text(s, 13), sizeof(a->outcome));
	if (sqlite3_column_type(s, 14) != SQLITE_NULL)
		rg_strlcpy(a->actor, (const char *)sqlite3_column_text(s, 14), sizeof(a->actor));
	a->note = sqlite3_column_type(s, 15) == SQLITE_NULL ? NULL : store_col_dup(s, 15);
	a->acknowledged_ms = store_col_int64(s, 16, INT64_MIN);
	a->resolved_ms = store_col_int64(s, 17, INT64_MIN);
	if (sqlite3_column_type(s, 18) != SQLITE_NULL)
		rg_strlcpy(a->acknowledged_by, (const char *)sqlite3_column_text(s, 18), sizeof(a->acknowledged_by));
	if (!a->rules || !a->reasons || !a->evidence) {
		store_alert_release(a);
		return -1;
	}
	return 0;
}

void store_alert_release(struct store_alert *a)
{
	free(a->rules);
	free(a->reasons);
	free(a->evidence);
	free(a->note);
	a->rules = a->reasons = a->evidence = a->note = NULL;
}

/* Reads the first row into ctx, a struct store_alert, and stops. */
static int alert_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	return alert_from_row(s, ctx) < 0 ? seterr(err, errlen, "out of memory") : 1;
}

static const struct store_sql alert_open = {
	"reading alert",
	"SELECT " ALERT_COLUMNS " FROM alerts WHERE player_id = ? AND status <> 'resolved' "
	"ORDER BY created_ms DESC LIMIT 1",
	"s", STMT_ALERT_OPEN,
};

int store_alert_open_for_player(struct store *st, const char *player_id, struct store_alert *out, char *err,
				size_t errlen)
{
	return store_exec(st, &alert_open, alert_row, out, err, errlen, player_id);
}

static const struct store_sql alert_get = {
	"reading alert", "SELECT " ALERT_COLUMNS " FROM alerts WHERE alert_id = ?", "s", STMT_NONE,
};

int store_alert_get(struct store *st, const char *alert_id, struct store_alert *out, char *err, size_t errlen)
{
	return store_exec(st, &alert_get, alert_row, out, err, errlen, alert_id);
}

/* outcome, actor and acknowledged_by are "" when not set, note NULL, the
 * times INT64_MIN: all stored as NULL. */
static const struct store_sql alert_put = {
	"storing alert",
	"INSERT OR REPLACE INTO alerts(" ALERT_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"ssisissssIIIis?s?sI?I?s?", STMT_ALERT_PUT,
};

int store_alert_put(struct store *st, const struct store_alert *a, char *err, size_t errlen)
{
	return store_exec(st, &alert_put, NULL, NULL, err, errlen, a->alert_id, a->player_id, a->level, a->status,
			  a->action, a->rules, a->reasons, a->evidence, a->policy, a->created_ms, a->updated_ms,
			  a->due_ms, a->escalations, a->outcome, a->actor, a->note, a->acknowledged_ms, a->resolved_ms,
			  a->acknowledged_by);
}

/* The queue order staff work in: most severe first, then soonest due; the
 * cursor continues after a row in that order (keyset paging). */
static const struct store_sql alerts_query = {
	"reading alerts",
	"SELECT " ALERT_COLUMNS " FROM alerts WHERE (?1 IS NULL OR status = ?1"
	" OR (?1 = 'unresolved' AND status <> 'resolved')) AND (?2 < 0 OR level = ?2)"
	" AND (?3 IS NULL OR player_id = ?3) AND created_ms >= ?4"
	" AND (?5 = 0 OR level < ?6 OR (level = ?6 AND (due_ms > ?7 OR (due_ms = ?7 AND alert_id > ?8))))"
	" ORDER BY level DESC, due_ms, alert_id LIMIT ?9",
	"sisIiiIsi", STMT_NONE,
};

struct alert_walk {
	store_alert_fn fn;
	void *ctx;
};

static int alert_walk_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct alert_walk *w = ctx;
	struct store_alert a;
	if (alert_from_row(s, &a) < 0)
		return seterr(err, errlen, "out of memory");
	int stop = w->fn(w->ctx, &a);
	store_alert_release(&a);
	return stop ? 1 : 0;
}

int store_alerts_query(struct store *st, const struct store_alert_filter *f, store_alert_fn fn, void *ctx,
		       char *err, size_t errlen)
{
	struct alert_walk w = { fn, ctx };
	return store_exec(st, &alerts_query, alert_walk_row, &w, err, errlen, f->status, f->level, f->player_id,
			  f->since_ms, (int)f->after, f->after_level, f->after_due_ms, f->after_id, f->limit) < 0
		       ? -1
		       : 0;
}

void store_alert_filter_init(struct store_alert_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->level = -1;
	f->since_ms = INT64_MIN;
	f->limit = -1;
}

static const struct store_sql alert_counts = {
	"counting alerts",
	"SELECT level, status, count(*), sum(status <> 'resolved' AND due_ms < ?) FROM alerts GROUP BY level, status",
	"I", STMT_NONE,
};

static int alert_count_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	static const char *const statuses[] = { "open", "acknowledged", "resolved" };
	struct store_alert_counts *out = ctx;
	int level = sqlite3_column_int(s, 0);
	const char *status = (const char *)sqlite3_column_text(s, 1);
	for (int k = 0; k < STORE_ALERT_STATUSES; k++)
		if (status && strcmp(status, statuses[k]) == 0 && level >= 0 && level < STORE_ALERT_LEVELS)
			out->by_level_status[level][k] += sqlite3_column_int64(s, 2);
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
	"INSERT INTO alert_actions(alert_id, action, actor, role, at_ms, outcome, note) VALUES (?,?,?,?,?,?,?)",
	"ssssIss", STMT_NONE,
};

int store_alert_action_add(struct store *st, const struct store_alert_action *a, char *err, size_t errlen)
{
	return store_exec(st, &action_add, NULL, NULL, err, errlen, a->alert_id, a->action, a->actor, a->role,
			  a->at_ms, a->outcome, a->note);
}

static const struct store_sql actions_list = {
	"reading alert actions",
	"SELECT alert_id, action, actor, role, at_ms, outcome, note FROM alert_actions WHERE alert_id = ? ORDER BY seq",
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
		(const char *)sqlite3_column_text(s, 6),
	};
	return w->fn(w->ctx, &a) ? 1 : 0;
}

int store_alert_actions_each(struct store *st, const char *alert_id, store_alert_action_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	struct action_walk w = { fn, ctx };
	return store_exec(st, &actions_list, action_row, &w, err, errlen, alert_id) < 0 ? -1 : 0;
}
