/* store_notes.c -- the notes table (notes.h). */
#include "rgmon/audit.h"
#include "rgmon/notes.h"
#include "store_int.h"

#include <stdio.h>
#include <string.h>

static const struct store_sql note_next = {
	"numbering a note", "SELECT COALESCE(MAX(seq), 0) + 1 FROM notes", "", STMT_NONE,
};

static const struct store_sql note_add = {
	"adding a note",
	"INSERT INTO notes(seq, note_id, player_id, alert_id, at_ms, actor, role, kind, channel, topic, summary,"
	" offered, accepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"Isss?Isssss?ss?s?", STMT_NONE,
};

int store_note_add(struct store *st, struct note *n, char *err, size_t errlen)
{
	int64_t seq = 0;
	if (store_exec(st, &note_next, store_row_ints, &seq, err, errlen) < 0)
		return -1;
	snprintf(n->note_id, sizeof(n->note_id), "n%lld", (long long)seq);
	return store_exec(st, &note_add, NULL, NULL, err, errlen, seq, n->note_id, n->player_id, n->alert_id, n->at_ms,
			  n->actor, n->role, note_kind_name(n->kind), note_channel_name(n->channel), n->topic, n->summary,
			  n->offered, n->accepted) < 0
		       ? -1
		       : 0;
}

static const struct store_sql notes_of_alert = {
	"reading an alert's notes",
	"SELECT note_id, player_id, alert_id, at_ms, actor, role, kind, channel, topic, summary, offered, accepted"
	" FROM notes WHERE alert_id = ? ORDER BY at_ms, seq",
	"s", STMT_NONE,
};

struct note_walk {
	store_note_fn fn;
	void *ctx;
};

static const char *col(sqlite3_stmt *s, int i) { return (const char *)sqlite3_column_text(s, i); }

static int note_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct note_walk *w = ctx;
	struct note n = { .player_id = col(s, 1), .alert_id = col(s, 2), .at_ms = sqlite3_column_int64(s, 3),
			  .actor = col(s, 4), .role = col(s, 5), .topic = col(s, 8), .summary = col(s, 9),
			  .offered = col(s, 10), .accepted = col(s, 11) };
	rg_strlcpy(n.note_id, col(s, 0) ? col(s, 0) : "", sizeof(n.note_id));
	n.kind = col(s, 6) && strcmp(col(s, 6), "note") == 0 ? NOTE_CASE_NOTE : NOTE_INTERACTION;
	int ch = note_channel_parse(col(s, 7));
	n.channel = ch < 0 ? NOTE_INTERNAL : (enum note_channel)ch;
	return w->fn(w->ctx, &n) ? 1 : 0;
}

int store_notes_for_alert(struct store *st, const char *alert_id, store_note_fn fn, void *ctx, char *err,
			  size_t errlen)
{
	struct note_walk w = { fn, ctx };
	return store_exec(st, &notes_of_alert, note_row, &w, err, errlen, alert_id) < 0 ? -1 : 0;
}

static const struct store_sql interaction_counts = {
	"counting interactions", "SELECT channel, COUNT(*) FROM notes WHERE kind = 'interaction' GROUP BY channel",
	"", STMT_NONE,
};

static int count_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	int64_t *out = ctx;
	int ch = note_channel_parse(col(s, 0));
	if (ch >= 0)
		out[ch] = sqlite3_column_int64(s, 1);
	return 0;
}

int store_interaction_counts(struct store *st, int64_t out[NOTE_CHANNEL_COUNT], char *err, size_t errlen)
{
	memset(out, 0, sizeof(int64_t) * NOTE_CHANNEL_COUNT);
	return store_exec(st, &interaction_counts, count_row, out, err, errlen) < 0 ? -1 : 0;
}

static const struct store_sql latest_flag = {
	"reading the player's latest flag",
	"SELECT json_extract(payload, '$.suppress_marketing') FROM audit"
	" WHERE player_id = ? AND kind = 'player_flag' ORDER BY seq DESC LIMIT 1",
	"s", STMT_NONE,
};

int store_player_flag_latest(struct store *st, const char *player_id, bool *suppressed, char *err,
			     size_t errlen)
{
	int64_t v = 0;
	int found = store_exec(st, &latest_flag, store_row_ints, &v, err, errlen, player_id);
	if (found > 0)
		*suppressed = v != 0;
	return found;
}

/* Players with an event other than a game round (a session, a deposit...)
 * in the 30 days of event time before the stream's time (the newest event
 * the store keeps); the event log holds that window (the dedupe window),
 * and player_events has a row, indexed by day, player and time, for
 * every event but game rounds. A player is looked for day by day, and the
 * first row found ends it: at most 31 index probes per player, whatever the number of events (a scan of player_events would
 * read every event of the window, over a second at 5,000 players). */
#define ACTIVE_SINCE "((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stream_time') - 30 * 86400000)"
static const struct store_sql active_players = {
	"counting active players",
	PLAYER_EVENTS_DAYS(ACTIVE_SINCE, "9223372036854775807")
	"SELECT COUNT(*) FROM players p WHERE EXISTS (SELECT 1 FROM player_events e"
	" WHERE " PLAYER_EVENTS_DAY " IN days AND e.player_id = p.player_id AND e.ts_ms >= " ACTIVE_SINCE ")",
	"", STMT_NONE,
};

static const struct store_sql recent_interactions = {
	"counting recent interactions", "SELECT COUNT(*) FROM notes WHERE kind = 'interaction' AND at_ms >= ?", "I",
	STMT_NONE,
};

int store_recent_interactions(struct store *st, int64_t since_ms, int64_t *interactions, char *err, size_t errlen)
{
	*interactions = 0;
	return store_exec(st, &recent_interactions, store_row_ints, interactions, err, errlen, since_ms) < 0 ? -1 : 0;
}

int store_active_players(struct store *st, int64_t *players, char *err, size_t errlen)
{
	*players = 0;
	return store_exec(st, &active_players, store_row_ints, players, err, errlen) < 0 ? -1 : 0;
}

int store_interactions_per_active(struct store *st, int64_t since_ms, int64_t *interactions, int64_t *players,
				  char *err, size_t errlen)
{
	*interactions = *players = 0;
	if (store_active_players(st, players, err, errlen) < 0 ||
	    store_recent_interactions(st, since_ms, interactions, err, errlen) < 0)
		return -1;
	return 0;
}
