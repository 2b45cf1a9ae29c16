/* store_outbox.c -- the transactional outbox: messages for Kafka, added
 * in the transaction of the decision they announce, marked sent once
 * Kafka acknowledged them, pruned once sent long enough ago.
 *
 * Owns: the outbox table.
 * Never: talks to Kafka (outbox.c's relay does), or forgets a message
 * that was not sent. */
#include "store_int.h"

static const struct store_sql outbox_add = {
	"storing outbox message",
	"INSERT INTO outbox(topic, key, alert_id, value, created_ms) VALUES (?,?,?,?,?)",
	"ssssI", STMT_OUTBOX_ADD,
};

int store_outbox_add(struct store *st, const char *topic, const char *key, const char *alert_id,
		     const char *value, int64_t created_ms, char *err, size_t errlen)
{
	return store_exec(st, &outbox_add, NULL, NULL, err, errlen, topic, key, alert_id, value, created_ms);
}

static const struct store_sql outbox_unsent = {
	"reading outbox",
	"SELECT seq, topic, key, alert_id, value FROM outbox WHERE sent_ms IS NULL AND seq > ? ORDER BY seq LIMIT ?",
	"Ii", STMT_NONE,
};

struct outbox_walk {
	store_outbox_fn fn;
	void *ctx;
};

static int outbox_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct outbox_walk *w = ctx;
	struct store_outbox_msg m = {
		sqlite3_column_int64(s, 0),
		(const char *)sqlite3_column_text(s, 1),
		(const char *)sqlite3_column_text(s, 2),
		(const char *)sqlite3_column_text(s, 3),
		(const char *)sqlite3_column_text(s, 4),
		(size_t)sqlite3_column_bytes(s, 4),
	};
	return w->fn(w->ctx, &m) ? 1 : 0;
}

int store_outbox_unsent_each(struct store *st, int64_t after_seq, int limit, store_outbox_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	struct outbox_walk w = { fn, ctx };
	return store_exec(st, &outbox_unsent, outbox_row, &w, err, errlen, after_seq, limit) < 0 ? -1 : 0;
}

static const struct store_sql outbox_sent = {
	"marking outbox message sent", "UPDATE outbox SET sent_ms = ? WHERE seq = ? AND sent_ms IS NULL", "II",
	STMT_OUTBOX_SENT,
};

int store_outbox_mark_sent(struct store *st, int64_t seq, int64_t sent_ms, char *err, size_t errlen)
{
	return store_exec(st, &outbox_sent, NULL, NULL, err, errlen, sent_ms, seq);
}

static const struct store_sql outbox_backlog = {
	"reading outbox", "SELECT count(*) FROM outbox WHERE sent_ms IS NULL", "", STMT_NONE,
};

int64_t store_outbox_backlog(struct store *st, char *err, size_t errlen)
{
	int64_t n = -1;
	/* count(*) always gives its one row. */
	return store_exec(st, &outbox_backlog, store_row_ints, &n, err, errlen) < 0 ? -1 : n;
}

static const struct store_sql outbox_prune = {
	"pruning outbox", "DELETE FROM outbox WHERE sent_ms < ?", "I", STMT_NONE,
};

int64_t store_outbox_prune(struct store *st, int64_t sent_before_ms, char *err, size_t errlen)
{
	if (store_exec(st, &outbox_prune, NULL, NULL, err, errlen, sent_before_ms) < 0)
		return -1;
	return sqlite3_changes(st->db);
}
