/* store_follow_up.c -- the follow-up windows of resolved alerts
 * (follow_ups.h): the alert_follow_up table.
 *
 * Owns: alert_follow_up and the effectiveness report's reading of it.
 * Never: measures or decides when a window is due -- follow_ups.c does. */
#include "store_int.h"
#include "rgmon/follow_ups.h"

#include <stdlib.h>

void store_follow_up_release(struct store_follow_up *f)
{
	free(f->before);
	free(f->after);
	f->before = f->after = NULL;
}

static const struct store_sql follow_up_open = {
	"storing a follow-up",
	"INSERT OR REPLACE INTO alert_follow_up(alert_id, window_days, player_id, anchor_ms, end_ms, before, after,"
	" complete, outcome, jurisdiction, rules) VALUES (?,?,?,?,?,?,NULL,0,?,?,?)",
	"sisIIssss",
	STMT_NONE,
};

int store_follow_up_open(struct store *st, const struct store_follow_up *f, char *err, size_t errlen)
{
	return store_exec(st, &follow_up_open, NULL, NULL, err, errlen, f->alert_id, f->window_days, f->player_id,
			  f->anchor_ms, f->end_ms, f->before, f->outcome, f->jurisdiction, f->rules);
}

static const struct store_sql follow_up_complete = {
	"completing a follow-up",
	"UPDATE alert_follow_up SET after = ?, complete = 1 WHERE alert_id = ? AND window_days = ?",
	"ssi",
	STMT_NONE,
};

int store_follow_up_complete(struct store *st, const char *alert_id, int window_days, const char *after,
			     char *err, size_t errlen)
{
	return store_exec(st, &follow_up_complete, NULL, NULL, err, errlen, after, alert_id, window_days);
}

#define FOLLOW_UP_COLUMNS "alert_id, player_id, window_days, anchor_ms, end_ms, complete, before, after"

static int follow_up_from_row(sqlite3_stmt *s, struct store_follow_up *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	const char *id = (const char *)sqlite3_column_text(s, 0), *player = (const char *)sqlite3_column_text(s, 1);
	rg_strlcpy(f->alert_id, id ? id : "", sizeof(f->alert_id));
	rg_strlcpy(f->player_id, player ? player : "", sizeof(f->player_id));
	f->window_days = sqlite3_column_int(s, 2);
	f->anchor_ms = sqlite3_column_int64(s, 3);
	f->end_ms = sqlite3_column_int64(s, 4);
	f->complete = sqlite3_column_int(s, 5) != 0;
	f->before = store_col_dup(s, 6);
	f->after = sqlite3_column_type(s, 7) == SQLITE_NULL ? NULL : store_col_dup(s, 7);
	if (!f->before || (sqlite3_column_type(s, 7) != SQLITE_NULL && !f->after)) {
		store_follow_up_release(f);
		return seterr(err, errlen, "out of memory");
	}
	return 0;
}

struct due_rows {
	struct store_follow_up *rows;
	size_t n, cap, max;
};

/* Grows the array as rows come: most batches have none due, and this
 * runs after every batch. */
static int due_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct due_rows *d = ctx;
	if (d->n == d->max)
		return 1;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		cap = cap > d->max ? d->max : cap;
		struct store_follow_up *rows = realloc(d->rows, cap * sizeof(*rows));
		if (!rows)
			return seterr(err, errlen, "out of memory");
		d->rows = rows;
		d->cap = cap;
	}
	if (follow_up_from_row(s, &d->rows[d->n], err, errlen) < 0)
		return -1;
	d->n++;
	return 0;
}

static const struct store_sql follow_up_due = {
	"reading the due follow-ups",
	"SELECT " FOLLOW_UP_COLUMNS " FROM alert_follow_up WHERE complete = 0 AND end_ms <= ?"
	" ORDER BY end_ms, alert_id, window_days",
	"I",
	STMT_NONE,
};

int store_follow_up_due(struct store *st, int64_t stream_ms, size_t max, struct store_follow_up **out,
			char *err, size_t errlen)
{
	struct due_rows d = { NULL, 0, 0, max };
	*out = NULL;
	if (store_exec(st, &follow_up_due, due_row, &d, err, errlen, stream_ms) < 0) {
		for (size_t i = 0; i < d.n; i++)
			store_follow_up_release(&d.rows[i]);
		free(d.rows);
		return -1;
	}
	*out = d.rows;
	return (int)d.n;
}

static const struct store_sql follow_up_next_end = {
	"reading when the next follow-up is due",
	"SELECT MIN(end_ms) FROM alert_follow_up WHERE complete = 0",
	"",
	STMT_NONE,
};

static int next_end_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		*(int64_t *)ctx = sqlite3_column_int64(s, 0);
	return 0;
}

int store_follow_up_next_end(struct store *st, int64_t *end_ms, char *err, size_t errlen)
{
	*end_ms = INT64_MAX;
	return store_exec(st, &follow_up_next_end, next_end_row, end_ms, err, errlen) < 0 ? -1 : 0;
}

struct each_ctx {
	store_follow_up_fn fn;
	void *ctx;
};

static int each_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct each_ctx *e = ctx;
	struct store_follow_up f;
	if (follow_up_from_row(s, &f, err, errlen) < 0)
		return -1;
	int rc = e->fn(e->ctx, &f, err, errlen);
	store_follow_up_release(&f);
	return rc;
}

static const struct store_sql follow_up_of_alert = {
	"reading an alert's follow-up",
	"SELECT " FOLLOW_UP_COLUMNS " FROM alert_follow_up WHERE alert_id = ? ORDER BY window_days",
	"s",
	STMT_NONE,
};

int store_follow_up_each(struct store *st, const char *alert_id, store_follow_up_fn fn, void *ctx, char *err,
			 size_t errlen)
{
	struct each_ctx e = { fn, ctx };
	return store_exec(st, &follow_up_of_alert, each_row, &e, err, errlen, alert_id);
}

struct case_ctx {
	store_follow_up_case_fn fn;
	void *ctx;
};

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? t : "";
}

static int case_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct case_ctx *c = ctx;
	struct store_follow_up_case row = {
		.alert_id = col_text(s, 0),
		.player_id = col_text(s, 1),
		.outcome = col_text(s, 2),
		.rules = col_text(s, 3),
		.jurisdiction = col_text(s, 4),
		.anchor_ms = sqlite3_column_int64(s, 5),
		.before = col_text(s, 6),
		.after30 = sqlite3_column_type(s, 7) == SQLITE_NULL ? NULL : col_text(s, 7),
		.after7 = sqlite3_column_type(s, 8) == SQLITE_NULL ? NULL : col_text(s, 8),
		.realerted = sqlite3_column_int(s, 9) != 0,
	};
	return c->fn(c->ctx, &row, err, errlen);
}

/* A re-alert: another alert of the player opened after the anchor and
 * within 30 days of it (the alerts_by_player_time index). */
static const struct store_sql follow_up_cases = {
	"reading the follow-ups for the effectiveness report",
	"SELECT f.alert_id, f.player_id, f.outcome, f.rules, f.jurisdiction, f.anchor_ms, f.before,"
	" CASE WHEN f.complete THEN f.after END,"
	" (SELECT CASE WHEN s.complete THEN s.after END FROM alert_follow_up s"
	"   WHERE s.alert_id = f.alert_id AND s.window_days = 7),"
	" EXISTS (SELECT 1 FROM alerts b WHERE b.player_id = f.player_id AND b.alert_id <> f.alert_id AND b.kind = 'harm'"
	"   AND b.created_ms > f.anchor_ms AND b.created_ms <= f.anchor_ms + 30 * 86400000)"
	" FROM alert_follow_up f"
	" WHERE f.window_days = 30 AND f.anchor_ms >= ? AND f.anchor_ms < ?"
	" AND (?3 IS NULL OR f.jurisdiction = ?3)"
	" ORDER BY f.anchor_ms, f.alert_id",
	"IIs?",
	STMT_NONE,
};

int store_follow_up_cases(struct store *st, int64_t from_ms, int64_t to_ms, const char *jurisdiction,
			  store_follow_up_case_fn fn, void *ctx, char *err, size_t errlen)
{
	struct case_ctx c = { fn, ctx };
	return store_exec(st, &follow_up_cases, case_row, &c, err, errlen, from_ms, to_ms, jurisdiction);
}
