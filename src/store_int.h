/* store_int.h -- private to the store: what its files share and nothing
 * outside them may include (it brings in sqlite3.h, which only store*.c
 * may see). The public API is include/rgmon/store.h.
 *
 * The store is split along its concerns around this header, as
 * librdkafka's mock cluster is around rdkafka_mock_int.h:
 *
 *   store.c             connections, schema and migrations, transactions,
 *                       and store_exec, the one way SQL is run
 *   store_checkpoint.c  the WAL checkpointer thread
 *   store_log.c         the event log: accepted events, a compressed row
 *                       per batch, and the writer's duplicate table
 *   store_events.c      rejected messages
 *   store_players.c     player state
 *   store_offsets.c     consumed offsets and the ingest counters
 *   store_policies.c    the policies used, and meta settings
 *   store_alerts.c      alerts, staff actions and markers
 *   store_evidence.c    the events behind each reason of an alert
 *   store_follow_up.c   the follow-up windows of resolved alerts
 *   store_outbox.c      the transactional outbox
 *   store_audit.c       the audit chain, its retention, API tokens
 *
 * Every statement is a `static const struct store_sql` next to the
 * function that runs it, and runs through store_exec: nobody else
 * prepares, binds or steps. */
#ifndef RGMON_STORE_INT_H
#define RGMON_STORE_INT_H

#include "rgmon/store.h"

#include <sqlite3.h>
#include <sys/types.h>

/* Without the checkpointer (replay, the CLI), the writer checkpoints every
 * ~40 MB of WAL instead of SQLite's 4 MB default: fewer fsyncs, measured
 * ~12% faster ingest. */
#define STORE_WAL_AUTOCHECKPOINT_PAGES 10000

/* How long a connection waits for a lock another one holds. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* The statements run per event or per batch: each is prepared on its
 * first use and kept, in its slot of struct store, until store_close.
 * Any other statement is prepared and finalized on each call. */
enum store_stmt {
	STMT_NONE, /* not kept */
	STMT_EVENT_ADD,
	STMT_REJECTED_ADD,
	STMT_PLAYER_LOAD,
	STMT_PLAYER_SAVE,
	STMT_PLAYER_SAVE_STATE,
	STMT_COUNTER_ADD,
	STMT_OFFSET_SET,
	STMT_OFFSET_GET,
	STMT_MARKER_SET,
	STMT_MARKER_GET,
	STMT_ALERT_OPEN,
	STMT_ALERT_PUT,
	STMT_OUTBOX_ADD,
	STMT_OUTBOX_SENT,
	STMT_AUDIT_ADD,
	STMT_AUDIT_HEAD,
	STMT_COMMIT_MARK,
	/* the markers' and alerts' evidence: ~18,000 prepares for 300k
	 * events of replay when they were not kept */
	STMT_MARKER_EVIDENCE_CLEAR,
	STMT_MARKER_EVIDENCE_ADD,
	STMT_ALERT_EVIDENCE_CLEAR,
	STMT_ALERT_EVIDENCE_COPY,
	STMT_ALERT_EVIDENCE_ADD,
	STMT_ALERT_EVIDENCE_MARKER,
	STMT_COUNT
};

/* A file as the writer opened it (store_files_check). */
struct store_file_id {
	bool known; /* the WAL is known once it exists */
	dev_t dev;
	ino_t ino;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT]; /* by enum store_stmt; NULL until first used */
	/* The writer's files (NULL path for a reader), and why it stopped
	 * writing when they changed under it ("" while they have not). */
	char *path;
	struct store_file_id db_file, wal_file;
	char changed[600];
	struct event_log *log; /* the writer's event log (store_log.c); NULL until the first event */
};

/* One statement. args names the type of each value store_exec binds, in
 * parameter order (?1, ?2, ...); '?' after s or I makes it optional:
 *
 *   s    const char *           text; NULL binds NULL
 *   s?   const char *           text; NULL or "" binds NULL
 *   S    const char *, size_t   text of that many bytes
 *   B    const void *, size_t   blob of that many bytes
 *   i    int                    (int32_t, bool)
 *   I    int64_t                (cast an int: varargs do not convert)
 *   I?   int64_t                INT64_MIN (not set) binds NULL
 *
 * Strings and blobs are borrowed until store_exec returns. */
struct store_sql {
	const char *what;       /* what it does: its errors read "what: reason" */
	const char *sql;
	const char *args;
	enum store_stmt cached; /* its slot, or STMT_NONE */
};

/* player_events' UTC day, the first column of its index
 * player_events_by_day: a query by player names this very expression, or
 * SQLite does not use the index (integer division truncates toward zero:
 * a day before 1970 is off by one, alike in the index and the queries).
 * An equality on ts_ms beside it is written as a range (ts_ms BETWEEN ?
 * AND ?): SQLite would propagate "ts_ms = ?" into the day expression and
 * no longer see the indexed one. */
#define PLAYER_EVENTS_DAY "(ts_ms / 86400000)"
/* A CTE days(d): the days of player_events from (lo) to (hi), SQL
 * expressions in ms, within the first and last day it holds (two index
 * probes). A lookup by player seeks one day at a time, "PLAYER_EVENTS_DAY
 * IN days AND player_id = ?": about 36 short seeks over the dedupe
 * window. */
#define PLAYER_EVENTS_DAYS(lo, hi)                                                                                     \
	"WITH RECURSIVE days(d) AS (SELECT max((" lo ") / 86400000, (SELECT min" PLAYER_EVENTS_DAY                        \
	" FROM player_events)) UNION ALL SELECT d + 1 FROM days WHERE d < min((" hi ") / 86400000, (SELECT max"           \
	PLAYER_EVENTS_DAY " FROM player_events))) "
#define PLAYER_EVENTS_ALL_DAYS PLAYER_EVENTS_DAYS("-9223372036854775807", "9223372036854775807")

/* Called with each row: returns 0 for the next one, 1 to stop (success),
 * or -1 after writing the reason into err. */
typedef int (*store_row_fn)(void *ctx, sqlite3_stmt *s, char *err, size_t errlen);

/* Prepares q (or takes it from its slot), binds the values that follow
 * errlen as q->args says, steps it to its end handing each row to row
 * (when not NULL) until row stops, then resets (kept) or finalizes it.
 * Returns the number of rows handed to row -- 1 or 0 ("found or not")
 * when row stops at the first, always 0 without row -- or -1 with the
 * reason in err. A statement's changes are sqlite3_changes(st->db) after
 * it. */
int store_exec(struct store *st, const struct store_sql *q, store_row_fn row, void *ctx, char *err, size_t errlen,
	       ...);

/* A row handler that reads the first row's columns as integers (NULL
 * reads 0) into ctx, an int64_t array as long as the row, and stops. */
int store_row_ints(void *ctx, sqlite3_stmt *s, char *err, size_t errlen);

/* A row handler that reads the first row's first column as text (NULL
 * reads "") into ctx, a char **, malloc'd, and stops. */
int store_row_dup(void *ctx, sqlite3_stmt *s, char *err, size_t errlen);

/* A row handler that copies the first row's first column as text (NULL
 * reads "") into ctx, a struct store_text, and stops. */
struct store_text {
	char *out;
	size_t len;
};
int store_row_text(void *ctx, sqlite3_stmt *s, char *err, size_t errlen);

/* Column readers. store_col_dup: the text (NULL reads "") malloc'd, or
 * NULL when out of memory. store_col_int64: the integer, or null_value
 * when the column is NULL. */
char *store_col_dup(sqlite3_stmt *s, int i);
int64_t store_col_int64(sqlite3_stmt *s, int i, int64_t null_value);


/* One SQLite connection, used by one thread at a time (NOMUTEX), that
 * waits up to 5 s for a lock; SQLite's log goes to ours first. On failure
 * *db may still need closing. */
/* The event log (store_log.c): the open batch's row written in its
 * transaction (store_commit), its fingerprints forgotten on a rollback,
 * an old events table converted by the migration. */
int store_log_flush(struct store *st, char *err, size_t errlen);
void store_log_committed(struct store *st);
void store_log_rolled_back(struct store *st);
void store_log_free(struct store *st);
/* Returns the number of events converted, or -1. */
int store_log_convert(struct store *st, char *err, size_t errlen);

int store_connect(const char *path, int flags, sqlite3 **db, char *err, size_t errlen);

#endif
