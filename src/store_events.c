/* store_events.c -- rejected messages (accepted events are in the event
 * log, store_log.c).
 *
 * Owns: the rejected table (raw bytes, where they came from, why).
 * Never: parses or judges an event (event.c does; raw is kept as given). */
#include "store_int.h"
#include "rgmon/timestamp.h"

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
