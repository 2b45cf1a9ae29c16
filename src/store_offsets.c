/* store_offsets.c -- where the consumer is and what it has counted: the
 * next offset of each partition and the ingest counters.
 *
 * Owns: the offsets and counters tables.
 * Never: writes an offset outside the transaction of the effects of the
 * events before it -- that is what makes a crash re-read exactly the
 * events whose effects were lost (the caller holds the batch open). */
#include "store_int.h"

/* ---- counters ------------------------------------------------------------ */

static const char *const counter_names[] = { "events", "accepted", "duplicates", "rejected", "alerts",
					      "duplicate_conflicts", "unpriced_currency" };

static int64_t *counter_field(struct store_counters *c, size_t i)
{
	int64_t *f[] = { &c->events, &c->accepted, &c->duplicates, &c->rejected, &c->alerts, &c->duplicate_conflicts,
			 &c->unpriced_currency };
	return f[i];
}

/* A counter added after the first schema has no row until it first counts. */
static const struct store_sql counter_add = {
	"updating counters",
	"INSERT INTO counters(name, value) VALUES (?2, ?1) ON CONFLICT(name) DO UPDATE SET value = value + ?1",
	"Is", STMT_COUNTER_ADD,
};

int store_counters_add(struct store *st, const struct store_counters *delta, char *err, size_t errlen)
{
	struct store_counters d = *delta;
	for (size_t i = 0; i < ARRAY_SIZE(counter_names); i++) {
		int64_t v = *counter_field(&d, i);
		if (v != 0 && store_exec(st, &counter_add, NULL, NULL, err, errlen, v, counter_names[i]) < 0)
			return -1;
	}
	return 0;
}

static const struct store_sql counters_get = {
	"reading counters", "SELECT name, value FROM counters", "", STMT_NONE,
};

static int counter_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	const char *name = (const char *)sqlite3_column_text(s, 0);
	for (size_t i = 0; i < ARRAY_SIZE(counter_names); i++)
		if (name && strcmp(name, counter_names[i]) == 0)
			*counter_field(ctx, i) = sqlite3_column_int64(s, 1);
	return 0;
}

int store_counters_get(struct store *st, struct store_counters *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return store_exec(st, &counters_get, counter_row, out, err, errlen) < 0 ? -1 : 0;
}

/* ---- offsets ------------------------------------------------------------- */

static const struct store_sql offset_set = {
	"storing offset",
	"INSERT INTO offsets(topic, partition, next_offset) VALUES (?,?,?) "
	"ON CONFLICT(topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
	"siI", STMT_OFFSET_SET,
};

int store_offset_set(struct store *st, const char *topic, int32_t partition, int64_t next_offset,
		     char *err, size_t errlen)
{
	return store_exec(st, &offset_set, NULL, NULL, err, errlen, topic, (int)partition, next_offset);
}

static const struct store_sql offset_get = {
	"reading offset", "SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?", "si", STMT_OFFSET_GET,
};

int store_offset_get(struct store *st, const char *topic, int32_t partition, int64_t *next_offset,
		     char *err, size_t errlen)
{
	return store_exec(st, &offset_get, store_row_ints, next_offset, err, errlen, topic, (int)partition);
}

static const struct store_sql offset_skipped_add = {
	"counting skipped offsets",
	"INSERT INTO offsets(topic, partition, next_offset, skipped) VALUES (?1,?2,0,?3) "
	"ON CONFLICT(topic, partition) DO UPDATE SET skipped = skipped + excluded.skipped",
	"siI", STMT_NONE,
};

int store_offset_skipped_add(struct store *st, const char *topic, int32_t partition, int64_t skipped,
			     char *err, size_t errlen)
{
	return store_exec(st, &offset_skipped_add, NULL, NULL, err, errlen, topic, (int)partition, skipped);
}

static const struct store_sql offsets_get = {
	"reading offsets", "SELECT topic, partition, next_offset, skipped FROM offsets ORDER BY 1, 2", "", STMT_NONE,
};

struct offsets_read {
	struct store_offset *out;
	int max, n;
};

static int offset_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct offsets_read *r = ctx;
	if (r->n >= r->max)
		return 1;
	rg_strlcpy(r->out[r->n].topic, (const char *)sqlite3_column_text(s, 0), sizeof(r->out[r->n].topic));
	r->out[r->n].partition = sqlite3_column_int(s, 1);
	r->out[r->n].next_offset = sqlite3_column_int64(s, 2);
	r->out[r->n].skipped = sqlite3_column_int64(s, 3);
	r->n++;
	return 0;
}

int store_offsets_get(struct store *st, struct store_offset *out, int max, char *err, size_t errlen)
{
	struct offsets_read r = { out, max, 0 };
	return store_exec(st, &offsets_get, offset_row, &r, err, errlen) < 0 ? -1 : r.n;
}
