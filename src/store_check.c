/* store_check.c -- the check serve and replay run on the store before
 * they consume, and `rgmon stats --check` runs on demand.
 *
 * Why: a corrupt dedupe index accepts an event it holds as new -- applied
 * twice -- and nothing else notices (issue 18 #11). PRAGMA integrity_check
 * finds a damaged b-tree index but matches every index entry to its row
 * (33 s on an 847 MB store of 2.35 million events, measured); quick_check
 * is linear but misses a missing or extra index entry. Since the event
 * log (store_log.c) the duplicate table is read from each row's `ids`,
 * one fingerprint per event: the check sums the rows' event counts
 * against their ids (reading the ids, 8 bytes an event), and counts
 * player_events by the table and by its index. That one runs at every
 * start; quick_check too on demand.
 * Owns: nothing it writes. Never: repairs (a restore or REINDEX is the
 * operator's call, after a backup). */
#include "store_int.h"

/* Joins quick_check's lines ("ok", or the problems) into ctx, a struct store_text. */
static int quick_check_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct store_text *r = ctx;
	const char *line = (const char *)sqlite3_column_text(s, 0);
	size_t used = strlen(r->out);
	if (used > 0 && used + 3 < r->len)
		rg_strlcpy(r->out + used, "; ", r->len - used);
	used = strlen(r->out);
	rg_strlcpy(r->out + used, line ? line : "?", r->len - used);
	return strlen(r->out) + 1 >= r->len; /* enough said */
}

static const struct store_sql quick_check = {
	"checking the database (quick_check)", "PRAGMA quick_check(20)", "", STMT_NONE,
};

/* The duplicate table is read from each batch's ids: one 8-byte
 * fingerprint per event, or an event would be missing from it (and
 * applied again if resent). player_events is counted by the table and by
 * its index; OP_Count walks each b-tree. */
static const struct store_sql dedupe_counts = {
	"checking the dedupe index",
	"SELECT (SELECT coalesce(sum(events), 0) FROM event_batches),"
	" (SELECT coalesce(sum(length(ids)) / 8, 0) FROM event_batches),"
	" (SELECT count(*) FROM player_events NOT INDEXED),"
	" (SELECT count(*) FROM player_events INDEXED BY player_events_by_day)",
	"", STMT_NONE,
};

int store_check(struct store *st, bool thorough, char *err, size_t errlen)
{
	char found[400] = "";
	struct store_text r = { found, sizeof(found) };
	int64_t n[4] = { 0, 0, 0, 0 };

	if (thorough && store_exec(st, &quick_check, quick_check_row, &r, err, errlen) < 0)
		return -1;
	if (thorough && strcmp(found, "ok") != 0)
		return seterr(err, errlen, "the database is corrupt: %s", found[0] ? found : "quick_check said nothing");
	if (store_exec(st, &dedupe_counts, store_row_ints, n, err, errlen) < 0)
		return -1;
	if (n[0] != n[1])
		return seterr(err, errlen, "the dedupe index is corrupt: the event log holds %lld event ids for %lld kept "
			      "events (duplicates would be applied again); restore the database from a backup",
			      (long long)n[1], (long long)n[0]);
	if (n[2] != n[3])
		return seterr(err, errlen, "the player event index is corrupt: it holds %lld rows for %lld; rebuild it with "
			      "sqlite3 DB 'REINDEX player_events' after a backup", (long long)n[3], (long long)n[2]);
	return 0;
}
