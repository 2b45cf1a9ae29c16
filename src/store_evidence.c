/* store_evidence.c -- the events behind each reason of an alert.
 *
 * A rule that counts deposits ("6 deposits within 40 min of a loss")
 * names, each time it holds, the deposits it counted: marker_evidence
 * keeps them per player and rule (the marker's latest count). When an
 * alert is opened or escalated, each reason's events are copied into
 * alert_evidence, so the alert page lists every event behind the count
 * its reason states, even after the player's markers moved on.
 *
 * Owns: the marker_evidence and alert_evidence tables. */
#include "store_int.h"

static const struct store_sql marker_evidence_clear = {
	"clearing marker evidence", "DELETE FROM marker_evidence WHERE player_id = ? AND rule = ?", "ss",
	STMT_MARKER_EVIDENCE_CLEAR,
};

/* Deposits are found by player and event time in player_events (the
 * event log's rows of every event but game rounds, store_log.c). The
 * event itself was stored before it was applied. */
static const struct store_sql marker_evidence_add = {
	"storing marker evidence",
	"INSERT OR IGNORE INTO marker_evidence(player_id, rule, event_id, ts_ms)"
	" SELECT player_id, ?2, event_id, ts_ms FROM player_events"
	" WHERE " PLAYER_EVENTS_DAY " = ?3 / 86400000 AND player_id = ?1 AND ts_ms BETWEEN ?3 AND ?3"
	" AND type = 'deposit'",
	"ssI", STMT_MARKER_EVIDENCE_ADD,
};

int store_marker_evidence_set(struct store *st, const char *player_id, const char *rule, const int64_t *ts, int n,
			      char *err, size_t errlen)
{
	if (store_exec(st, &marker_evidence_clear, NULL, NULL, err, errlen, player_id, rule) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (store_exec(st, &marker_evidence_add, NULL, NULL, err, errlen, player_id, rule, ts[i]) < 0)
			return -1;
	return 0;
}

static const struct store_sql alert_evidence_clear = {
	"clearing alert evidence", "DELETE FROM alert_evidence WHERE alert_id = ? AND rule = ?", "ss",
	STMT_ALERT_EVIDENCE_CLEAR,
};

static const struct store_sql alert_evidence_copy = {
	"storing alert evidence",
	"INSERT OR IGNORE INTO alert_evidence(alert_id, rule, event_id, ts_ms)"
	" SELECT ?1, rule, event_id, ts_ms FROM marker_evidence WHERE player_id = ?2 AND rule = ?3",
	"sss", STMT_ALERT_EVIDENCE_COPY,
};

int store_alert_evidence_from_marker(struct store *st, const char *alert_id, const char *player_id,
				     const char *rule, char *err, size_t errlen)
{
	if (store_exec(st, &alert_evidence_clear, NULL, NULL, err, errlen, alert_id, rule) < 0 ||
	    store_exec(st, &alert_evidence_copy, NULL, NULL, err, errlen, alert_id, player_id, rule) < 0)
		return -1;
	return sqlite3_changes(st->db);
}

static const struct store_sql alert_evidence_add = {
	"storing alert evidence",
	"INSERT OR IGNORE INTO alert_evidence(alert_id, rule, event_id, ts_ms) VALUES (?,?,?,?)", "sssI",
	STMT_ALERT_EVIDENCE_ADD,
};

int store_alert_evidence_add(struct store *st, const char *alert_id, const char *rule, const char *event_id,
			     int64_t ts_ms, char *err, size_t errlen)
{
	return store_exec(st, &alert_evidence_add, NULL, NULL, err, errlen, alert_id, rule, event_id, ts_ms);
}

/* The event at which the player's marker of rule last started to hold. */
static const struct store_sql alert_evidence_marker = {
	"storing alert evidence",
	"INSERT OR IGNORE INTO alert_evidence(alert_id, rule, event_id, ts_ms)"
	" SELECT ?1, rule, event_id, ts_ms FROM markers WHERE player_id = ?2 AND rule = ?3",
	"sss", STMT_ALERT_EVIDENCE_MARKER,
};

int store_alert_evidence_marker(struct store *st, const char *alert_id, const char *player_id, const char *rule,
				char *err, size_t errlen)
{
	return store_exec(st, &alert_evidence_marker, NULL, NULL, err, errlen, alert_id, player_id, rule);
}

struct evidence_walk {
	store_alert_evidence_fn fn;
	void *ctx;
};

static int evidence_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct evidence_walk *w = ctx;
	(void)err;
	(void)errlen;
	return w->fn(w->ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		     sqlite3_column_int64(s, 2));
}

static const struct store_sql alert_evidence_list = {
	"reading alert evidence",
	"SELECT rule, event_id, ts_ms FROM alert_evidence WHERE alert_id = ? ORDER BY ts_ms, event_id, rule", "s",
	STMT_NONE,
};

int store_alert_evidence_each(struct store *st, const char *alert_id, store_alert_evidence_fn fn, void *ctx,
			      char *err, size_t errlen)
{
	struct evidence_walk w = { fn, ctx };
	return store_exec(st, &alert_evidence_list, evidence_row, &w, err, errlen, alert_id) < 0 ? -1 : 0;
}
