/* store_events.c -- accepted events and rejected messages.
 *
 * Owns: the events table (the duplicate index within the dedupe window,
 * and the raw JSON that decisions cite as evidence) and the rejected
 * table (raw bytes, where they came from, why).
 * Never: parses or judges an event (event.c does; raw is kept as given),
 * or keeps an event past the dedupe window of the newest event time. */
#include "store_int.h"
#include "rgmon/timestamp.h"

static const struct store_sql event_add = {
	"storing event",
	"INSERT OR IGNORE INTO events(event_id, player_id, type, ts_ms, partition, offset, raw) "
	"VALUES (?,?,?,?,?,?,?)",
	"sssIiIS", STMT_EVENT_ADD,
};

int store_event_add(struct store *st, const struct event *ev, const struct store_source *src,
		    const char *raw, size_t rawlen, char *err, size_t errlen)
{
	if (store_exec(st, &event_add, NULL, NULL, err, errlen, ev->event_id, ev->player_id,
		       event_type_name(ev->type), ev->ts_ms, (int)src->partition, src->offset, raw, rawlen) < 0)
		return -1;
	return sqlite3_changes(st->db) == 1 ? 1 : 0;
}

static const struct store_sql rejected_add = {
	"storing rejected event",
	"INSERT INTO rejected(topic, partition, offset, file, event_id, reason, raw) VALUES (?,?,?,?,?,?,?)",
	"siIss?sB", STMT_REJECTED_ADD,
};

int store_rejected_add(struct store *st, const struct store_source *src, const char *event_id,
		       const char *reason, const char *raw, size_t rawlen, char *err, size_t errlen)
{
	/* raw is never NULL in the table: "" binds an empty blob. */
	return store_exec(st, &rejected_add, NULL, NULL, err, errlen, src->topic, (int)src->partition, src->offset,
			  src->file, event_id, reason, (const void *)(raw ? raw : ""), rawlen);
}

/* Events arrive roughly in time order, so the oldest are the lowest seq:
 * delete the prefix of seq order that is out of the window. This needs no
 * index on ts_ms; an event that arrived late stays a little longer, never
 * shorter, than the window. */
static const struct store_sql prune_events = {
	"pruning events",
	"DELETE FROM events WHERE seq < coalesce((SELECT seq FROM events WHERE ts_ms >= ?1 "
	"ORDER BY seq LIMIT 1), (SELECT max(seq) + 1 FROM events))",
	"I", STMT_NONE,
};

int64_t store_prune_events(struct store *st, int64_t now_ms, char *err, size_t errlen)
{
	if (store_exec(st, &prune_events, NULL, NULL, err, errlen,
		       (int64_t)(now_ms - STORE_DEDUPE_WINDOW_DAYS * MS_PER_DAY)) < 0)
		return -1;
	return sqlite3_changes(st->db);
}

static const struct store_sql rejected_list = {
	"reading rejected events",
	"SELECT CASE WHEN file IS NOT NULL THEN file || ':' || offset "
	"ELSE topic || '/' || partition || '@' || offset END, event_id, reason "
	"FROM rejected ORDER BY seq",
	"", STMT_NONE,
};

struct rejected_walk {
	store_rejected_fn fn;
	void *ctx;
};

static int rejected_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct rejected_walk *w = ctx;
	/* Only a negative answer stops. */
	return w->fn(w->ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		     (const char *)sqlite3_column_text(s, 2)) < 0;
}

int store_rejected_each(struct store *st, store_rejected_fn fn, void *ctx, char *err, size_t errlen)
{
	struct rejected_walk w = { fn, ctx };
	return store_exec(st, &rejected_list, rejected_row, &w, err, errlen) < 0 ? -1 : 0;
}

/* ---- events as evidence -------------------------------------------------- */

static const struct store_sql event_raw = {
	"reading event", "SELECT raw FROM events WHERE event_id = ?", "s", STMT_NONE,
};

int store_event_raw(struct store *st, const char *event_id, char **raw, char *err, size_t errlen)
{
	*raw = NULL;
	return store_exec(st, &event_raw, store_row_dup, raw, err, errlen, event_id);
}

struct raw_walk {
	store_raw_fn fn;
	void *ctx;
};

/* Hands each raw event to fn until it returns nonzero. */
static int raw_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct raw_walk *w = ctx;
	return w->fn(w->ctx, (const char *)sqlite3_column_text(s, 0)) ? 1 : 0;
}

/* "type <> 'game_round'" lets SQLite use the partial index. */
static const struct store_sql player_events = {
	"reading events",
	"SELECT raw FROM events WHERE player_id = ? AND type <> 'game_round' ORDER BY ts_ms DESC LIMIT ?",
	"si", STMT_NONE,
};

int store_player_events_each(struct store *st, const char *player_id, int limit, store_raw_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	struct raw_walk w = { fn, ctx };
	return store_exec(st, &player_events, raw_row, &w, err, errlen, player_id, limit) < 0 ? -1 : 0;
}

static const struct store_sql player_events_applied = {
	"reading events", "SELECT raw FROM events WHERE player_id = ? ORDER BY seq", "s", STMT_NONE,
};

int store_player_events_applied(struct store *st, const char *player_id, store_raw_fn fn, void *ctx, char *err,
				size_t errlen)
{
	struct raw_walk w = { fn, ctx };
	return store_exec(st, &player_events_applied, raw_row, &w, err, errlen, player_id) < 0 ? -1 : 0;
}
