/* store.c -- the store's connections, its schema and migrations, its
 * transactions, and store_exec: the one function that prepares, binds and
 * steps SQL for every store*.c file (see store_int.h for who owns what).
 *
 * Owns: opening and closing a store, the schema (append-only migrations),
 * BEGIN/COMMIT/ROLLBACK, turning SQLite result codes into -1 and a
 * one-line reason.
 * Never: reads or writes a table's rows (its concern's file does), nor
 * lets a SQLite type or code out of the store*.c files. */
#include "store_int.h"
#include "rgmon/clock.h"
#include "rgmon/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>

/* Schema migrations: migrations[i] takes user_version i to i + 1. Append
 * only; never edit a released step. */
static const char *const migrations[] = {
	/* 1: the spine */
	"CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO counters VALUES ('events',0),('accepted',0),('duplicates',0),('rejected',0),"
	"('alerts',0);"
	"CREATE TABLE offsets(topic TEXT NOT NULL, partition INTEGER NOT NULL,"
	" next_offset INTEGER NOT NULL, PRIMARY KEY(topic, partition)) WITHOUT ROWID;"
	/* Accepted events: the evidence behind decisions, and the duplicate
	 * index (event_id UNIQUE) for the dedupe window. No index by player
	 * yet: nothing reads events per player, and each index costs ~17%
	 * of ingest throughput (measured); add it with the query that needs it. */
	"CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
	" player_id TEXT NOT NULL, type TEXT NOT NULL, ts_ms INTEGER NOT NULL,"
	" partition INTEGER NOT NULL, offset INTEGER NOT NULL, raw TEXT NOT NULL);"
	"CREATE TABLE rejected(seq INTEGER PRIMARY KEY, topic TEXT, partition INTEGER,"
	" offset INTEGER, file TEXT, event_id TEXT, reason TEXT NOT NULL, raw BLOB NOT NULL);"
	/* Player state, keyed for scale-out by the partition that owns it. */
	"CREATE TABLE players(player_id TEXT PRIMARY KEY, partition INTEGER NOT NULL,"
	" state BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX players_by_partition ON players(partition);"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;",
	/* 2: policies, markers and alerts */
	/* Every policy ever used, by identity, so a decision can be replayed
	 * with the policy that made it; meta 'policy' names the current one. */
	"CREATE TABLE policies(policy_id TEXT PRIMARY KEY, name TEXT NOT NULL, text TEXT NOT NULL) WITHOUT ROWID;"
	/* The event at which each marker of a player last started to hold:
	 * the evidence an alert points to. */
	"CREATE TABLE markers(player_id TEXT NOT NULL, rule TEXT NOT NULL, event_id TEXT NOT NULL,"
	" ts_ms INTEGER NOT NULL, PRIMARY KEY(player_id, rule)) WITHOUT ROWID;"
	/* Alerts; rules, reasons and evidence are JSON arrays. */
	"CREATE TABLE alerts(alert_id TEXT PRIMARY KEY, player_id TEXT NOT NULL, level INTEGER NOT NULL,"
	" status TEXT NOT NULL, action INTEGER NOT NULL, rules TEXT NOT NULL, reasons TEXT NOT NULL,"
	" evidence TEXT NOT NULL, policy TEXT NOT NULL, created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, escalations INTEGER NOT NULL,"
	" outcome TEXT, actor TEXT, note TEXT, acknowledged_ms INTEGER, resolved_ms INTEGER) WITHOUT ROWID;"
	"CREATE INDEX alerts_open_by_player ON alerts(player_id) WHERE status <> 'resolved';"
	"CREATE INDEX alerts_queue ON alerts(status, level DESC, due_ms);",
	/* 3: the support queue and staff actions */
	/* Transactional outbox: messages for Kafka written in the transaction
	 * of the decision they announce; the relay sets sent_ms on delivery. */
	"CREATE TABLE outbox(seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, key TEXT NOT NULL, alert_id TEXT,"
	" value TEXT NOT NULL, created_ms INTEGER NOT NULL, sent_ms INTEGER);"
	"CREATE INDEX outbox_unsent ON outbox(seq) WHERE sent_ms IS NULL;"
	/* Every staff transition of an alert: who, when (wall time), what. */
	"CREATE TABLE alert_actions(seq INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, action TEXT NOT NULL,"
	" actor TEXT NOT NULL, role TEXT NOT NULL, at_ms INTEGER NOT NULL, outcome TEXT, note TEXT);"
	"CREATE INDEX alert_actions_by_alert ON alert_actions(alert_id, seq);"
	"ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;"
	/* The player timeline's recent events. Game rounds (over 90% of
	 * events) are left out -- the timeline shows them as daily sums from
	 * the player state -- so the index costs little ingest throughput. */
	"CREATE INDEX events_by_player ON events(player_id, ts_ms) WHERE type <> 'game_round';",
	/* 4: the audit trail. Append-only, hash-chained (audit.c computes the
	 * hashes); the triggers refuse what the code never does: an UPDATE, a
	 * record out of sequence or off the chain, and a DELETE of anything
	 * from the latest retention anchor on. Retention may only drop records
	 * before a signed checkpoint, which anchors what remains. */
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	" player_id TEXT, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX audit_by_time ON audit(at_ms);"
	"CREATE INDEX audit_by_player ON audit(player_id, seq) WHERE player_id IS NOT NULL;"
	"CREATE INDEX audit_checkpoints ON audit(seq) WHERE kind = 'checkpoint';"
	"CREATE TABLE audit_retention(first_seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL);"
	"CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
	"CREATE TRIGGER audit_in_sequence BEFORE INSERT ON audit"
	" WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit)"
	" OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit WHERE seq = NEW.seq - 1),"
	"   '" AUDIT_GENESIS_HASH "')"
	" BEGIN SELECT RAISE(ABORT, 'an audit record must extend the chain at its head'); END;"
	"CREATE TRIGGER audit_kept BEFORE DELETE ON audit"
	" WHEN OLD.seq >= (SELECT COALESCE(MAX(first_seq), 0) FROM audit_retention)"
	" BEGIN SELECT RAISE(ABORT, 'audit records are append-only; retention may drop only records"
	" before its anchor'); END;"
	"CREATE TRIGGER audit_retention_at_checkpoint BEFORE INSERT ON audit_retention"
	" WHEN (SELECT kind FROM audit WHERE seq = NEW.first_seq) IS NOT 'checkpoint'"
	" OR NEW.first_seq <= (SELECT COALESCE(MAX(first_seq), 0) FROM audit_retention)"
	" BEGIN SELECT RAISE(ABORT, 'a retention anchor must be a later signed checkpoint'); END;"
	"CREATE TRIGGER audit_retention_append_only BEFORE UPDATE ON audit_retention"
	" BEGIN SELECT RAISE(ABORT, 'retention anchors are append-only'); END;"
	"CREATE TRIGGER audit_retention_kept BEFORE DELETE ON audit_retention"
	" BEGIN SELECT RAISE(ABORT, 'retention anchors are append-only'); END;"
	/* API tokens serve has registered in the audit trail, by fingerprint. */
	"CREATE TABLE audit_tokens(fingerprint TEXT PRIMARY KEY, at_ms INTEGER NOT NULL) WITHOUT ROWID;",
	/* 5: obligations. An alert is of harm (one open per player) or an
	 * obligation (a mandated task, one per obligation owed), and names
	 * the jurisdiction of the pack that raised it. */
	"ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'harm';"
	"ALTER TABLE alerts ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT '';",
	/* 6: offsets the consumer found gone (retention, an offset reset):
	 * messages of the partition it never read, counted where it resumed. */
	"ALTER TABLE offsets ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;"
	/* and the file says whose it is (STORE_APPLICATION_ID) */
	"PRAGMA application_id = 1919380846;",
	/* 7 (audit recorded_at): the wall time each audit record was written,
	 * part of its hash (NULL in records written before); export ranges
	 * select on it, falling back to at_ms, by this index's expression. */
	"ALTER TABLE audit ADD COLUMN recorded_at_ms INTEGER;"
	"CREATE INDEX audit_by_recorded ON audit(COALESCE(recorded_at_ms, at_ms));",
	/* 8: evidence per reason (store_evidence.c): the deposits a counting
	 * rule's marker counted when it last held, and the events behind each
	 * reason of an alert. */
	"CREATE TABLE marker_evidence(player_id TEXT NOT NULL, rule TEXT NOT NULL, event_id TEXT NOT NULL,"
	" ts_ms INTEGER NOT NULL, PRIMARY KEY(player_id, rule, event_id)) WITHOUT ROWID;"
	"CREATE TABLE alert_evidence(alert_id TEXT NOT NULL, rule TEXT NOT NULL, event_id TEXT NOT NULL,"
	" ts_ms INTEGER NOT NULL, PRIMARY KEY(alert_id, rule, event_id)) WITHOUT ROWID;",
	/* 9: follow-up of resolved alerts (issue 16): the baseline at resolution
	 * and each window after it (7 and 30 days), measured by the writer
	 * once the stream's time passes end_ms; the partial index finds the
	 * due windows without reading the others. The alert's outcome,
	 * jurisdiction and rules are copied at resolution, so the report reads
	 * no alert row (their reasons and evidence are large). Re-alerts are
	 * looked up by player and time. */
	"CREATE TABLE alert_follow_up(alert_id TEXT NOT NULL, window_days INTEGER NOT NULL,"
	" player_id TEXT NOT NULL, anchor_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,"
	" before TEXT NOT NULL, after TEXT, complete INTEGER NOT NULL DEFAULT 0,"
	" outcome TEXT NOT NULL, jurisdiction TEXT NOT NULL, rules TEXT NOT NULL,"
	" PRIMARY KEY(alert_id, window_days)) WITHOUT ROWID;"
	"CREATE INDEX alert_follow_up_due ON alert_follow_up(end_ms) WHERE complete = 0;"
	"CREATE INDEX alert_follow_up_by_anchor ON alert_follow_up(window_days, anchor_ms);"
	"CREATE INDEX alerts_by_player_time ON alerts(player_id, created_ms);",
	/* 10: four eyes on risky closures, and the portfolio view (issue 16):
	 * the resolution an alert waits with in pending_review and who
	 * reviewed it; each player's level, score and account country as
	 * columns beside the state blob, and the daily snapshot the writer
	 * keeps of them (portfolio_daily: players per level and
	 * jurisdiction; portfolio_scores: the score of each player who has
	 * one, kept PORTFOLIO_SCORE_DAYS days, for this week's movers). */
	"ALTER TABLE alerts ADD COLUMN proposed_outcome TEXT;"
	"ALTER TABLE alerts ADD COLUMN proposed_by TEXT;"
	"ALTER TABLE alerts ADD COLUMN reviewed_by TEXT;"
	"ALTER TABLE alerts ADD COLUMN review_note TEXT;"
	"ALTER TABLE players ADD COLUMN level INTEGER;"
	"ALTER TABLE players ADD COLUMN score INTEGER;"
	"ALTER TABLE players ADD COLUMN country TEXT;"
	"CREATE TABLE portfolio_daily(day INTEGER NOT NULL, jurisdiction TEXT NOT NULL, level INTEGER NOT NULL,"
	" players INTEGER NOT NULL, PRIMARY KEY(day, jurisdiction, level)) WITHOUT ROWID;"
	"CREATE TABLE portfolio_scores(day INTEGER NOT NULL, player_id TEXT NOT NULL, score INTEGER NOT NULL,"
	" PRIMARY KEY(day, player_id)) WITHOUT ROWID;"
	"CREATE INDEX alerts_by_resolved ON alerts(resolved_ms) WHERE resolved_ms IS NOT NULL;"
	/* Counting players by country and level, and the movers, read this
	 * covering index instead of every state blob (10x at 5,000 players). */
	"CREATE INDEX players_portfolio ON players(country, level, score);",
	/* 11: talk (issue 17, case notes of issue 16): staff notes on a player --
	 * interactions with the player (chat, e-mail, phone) and notes on an
	 * alert -- one table; a note on an alert joins its thread. */
	"CREATE TABLE notes(seq INTEGER PRIMARY KEY, note_id TEXT NOT NULL UNIQUE, player_id TEXT NOT NULL,"
	" alert_id TEXT, at_ms INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,"
	" channel TEXT NOT NULL, topic TEXT, summary TEXT NOT NULL, offered TEXT, accepted TEXT);"
	"CREATE INDEX notes_by_alert ON notes(alert_id, seq) WHERE alert_id IS NOT NULL;"
	"CREATE INDEX notes_by_player ON notes(player_id, seq);",
	/* 12: whom an "assign" action handed the alert to, for its history. */
	"ALTER TABLE alert_actions ADD COLUMN assigned_to TEXT;",
	/* 13: the event log (issue 20, store_log.c). Accepted events as one
	 * LZ4-compressed row per batch, with each event's event_id fingerprint
	 * (ids: 8 bytes an event, the writer's in-memory duplicate table is
	 * read from them); the events other than game rounds also as a narrow
	 * row by player for the timeline and the evidence. The events table
	 * (a row and a unique index entry an event) is converted into these by
	 * store_log_convert right after, and dropped. */
	"CREATE TABLE event_batches(seq INTEGER PRIMARY KEY, events INTEGER NOT NULL, min_ts INTEGER NOT NULL,"
	" max_ts INTEGER NOT NULL, pruned INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL, ids BLOB NOT NULL,"
	" log BLOB NOT NULL);"
	"CREATE TABLE player_events(seq INTEGER PRIMARY KEY, player_id TEXT NOT NULL, ts_ms INTEGER NOT NULL,"
	" type TEXT NOT NULL, event_id TEXT NOT NULL, batch INTEGER NOT NULL);"
	"CREATE INDEX player_events_by_player ON player_events(player_id, ts_ms);",
	/* 14: player_events indexed by UTC day first (ts_ms / 86400000, the
	 * expression every query names, STORE_DAY_OF), then player and time:
	 * a batch's rows land on the few pages of its days instead of on
	 * nearly every page of an index by player (a profile of the WAL on
	 * 1.2M events of 5,000 players: that index was ~14% of the frames
	 * written). A lookup by player reads one range a day of the log. */
	"DROP INDEX player_events_by_player;"
	"CREATE INDEX player_events_by_day ON player_events(ts_ms / 86400000, player_id, ts_ms);",
};

/* "rgmn": the SQLite header's application_id of an rgmon database (set by
 * migration 6; 0 in older ones). */
#define STORE_APPLICATION_ID 1919380846

static void sqlite_log(void *ctx, int code, const char *msg)
{
	(void)ctx;
	/* SQLITE_SCHEMA and busy notices are routine; keep them at debug. A
	 * file SQLite cannot open fails the call, and the caller says so in
	 * one line naming the file and the system's reason (open_error). */
	if ((code & 0xff) == SQLITE_SCHEMA || (code & 0xff) == SQLITE_NOTICE || (code & 0xff) == SQLITE_CANTOPEN)
		log_debug("sqlite: %s", msg);
	else
		log_warn("sqlite (%d): %s", code, msg);
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_global_init(void)
{
	/* The log hook must be set before the first connection opens. */
	sqlite3_config(SQLITE_CONFIG_LOG, sqlite_log, NULL);
}

/* Writes "what: SQLite's last error" into err; returns -1. */
static int store_db_error(struct store *st, const char *what, char *err, size_t errlen)
{
	return seterr(err, errlen, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* Runs SQL text without values or rows: pragmas, migrations, transaction
 * control. */
static int exec_script(struct store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		seterr(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* ---- store_exec ---------------------------------------------------------- */

/* The number of values an args string binds. */
static int args_count(const char *args)
{
	int n = 0;
	for (; *args; args++)
		n += *args != '?';
	return n;
}

static int prepare(struct store *st, const struct store_sql *q, sqlite3_stmt **s, char *err, size_t errlen)
{
	unsigned flags = q->cached != STMT_NONE ? SQLITE_PREPARE_PERSISTENT : 0;
	if (sqlite3_prepare_v3(st->db, q->sql, -1, flags, s, NULL) != SQLITE_OK)
		return store_db_error(st, q->what, err, errlen);
	/* A programming error, caught the first time the statement runs. */
	if (args_count(q->args) != sqlite3_bind_parameter_count(*s)) {
		seterr(err, errlen, "%s: %d values for %d parameters", q->what, args_count(q->args),
		       sqlite3_bind_parameter_count(*s));
		sqlite3_finalize(*s);
		*s = NULL;
		return -1;
	}
	if (q->cached != STMT_NONE)
		st->stmt[q->cached] = *s;
	return 0;
}

/* Binds the values in ap as args says (see struct store_sql). */
static void bind_args(sqlite3_stmt *s, const char *args, va_list ap)
{
	int i = 0;
	for (const char *a = args; *a; a++) {
		bool optional = a[1] == '?';
		const char *text;
		const void *p;
		size_t n;
		int64_t v;
		i++;
		switch (*a) {
		case 's':
			text = va_arg(ap, const char *);
			if (optional && text && !*text)
				text = NULL;
			sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
			break;
		case 'S':
			text = va_arg(ap, const char *);
			n = va_arg(ap, size_t);
			sqlite3_bind_text(s, i, text, (int)n, SQLITE_STATIC);
			break;
		case 'B':
			p = va_arg(ap, const void *);
			n = va_arg(ap, size_t);
			sqlite3_bind_blob(s, i, p, (int)n, SQLITE_STATIC);
			break;
		case 'i':
			sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		case 'I':
			v = va_arg(ap, int64_t);
			if (optional && v == INT64_MIN)
				sqlite3_bind_null(s, i);
			else
				sqlite3_bind_int64(s, i, v);
			break;
		}
		if (optional)
			a++;
	}
}

int store_exec(struct store *st, const struct store_sql *q, store_row_fn row, void *ctx, char *err, size_t errlen,
	       ...)
{
	sqlite3_stmt *s = q->cached != STMT_NONE ? st->stmt[q->cached] : NULL;
	int rc = SQLITE_DONE, rows = 0, stop = 0, ret;
	va_list ap;

	if (!s && prepare(st, q, &s, err, errlen) < 0)
		return -1;
	va_start(ap, errlen);
	bind_args(s, q->args, ap);
	va_end(ap);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		if (row) {
			rows++;
			stop = row(ctx, s, err, errlen);
		}
	if (stop < 0)
		ret = -1;
	else if (stop > 0 || rc == SQLITE_DONE)
		ret = rows;
	else
		ret = store_db_error(st, q->what, err, errlen);
	if (q->cached != STMT_NONE) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	} else {
		sqlite3_finalize(s);
	}
	return ret;
}

char *store_col_dup(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return strdup(t ? t : "");
}

int64_t store_col_int64(sqlite3_stmt *s, int i, int64_t null_value)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? null_value : sqlite3_column_int64(s, i);
}

int store_row_ints(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	int64_t *out = ctx;
	for (int i = 0; i < sqlite3_column_count(s); i++)
		out[i] = store_col_int64(s, i, 0);
	return 1;
}

int store_row_dup(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	char **out = ctx;
	return (*out = store_col_dup(s, 0)) ? 1 : seterr(err, errlen, "out of memory");
}

int store_row_text(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct store_text *r = ctx;
	const char *v = (const char *)sqlite3_column_text(s, 0);
	rg_strlcpy(r->out, v ? v : "", r->len);
	return 1;
}

/* ---- opening and closing ------------------------------------------------- */

static const struct store_sql user_version = { "reading schema version", "PRAGMA user_version", "", STMT_NONE };

static const struct store_sql identity = {
	"reading the database header",
	"SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version),"
	" (SELECT count(*) FROM sqlite_schema)",
	"", STMT_NONE,
};

/* Refuses a SQLite file that is another application's: one whose header
 * names another application, or that has tables and no rgmon schema (a
 * writer would add rgmon's tables to it). */
static int check_identity(struct store *st, const char *path, char *err, size_t errlen)
{
	int64_t id[3] = { 0, 0, 0 }; /* application_id, user_version, schema objects */
	if (store_exec(st, &identity, store_row_ints, id, err, errlen) < 0)
		return -1;
	if (id[0] != 0 && id[0] != STORE_APPLICATION_ID)
		return seterr(err, errlen, "\"%s\" is another application's SQLite database (application_id %lld), "
			      "not rgmon's", path, (long long)id[0]);
	if (id[1] == 0 && id[2] > 0)
		return seterr(err, errlen, "\"%s\" is a SQLite database with tables but no rgmon schema: not rgmon's",
			      path);
	return 0;
}

static const struct store_sql has_events_table = {
	"reading the schema", "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'events'", "",
	STMT_NONE,
};

/* A database from before the event log: its events table becomes
 * event_batches and player_events rows, in one transaction with the
 * table's drop (a crash in between leaves it to convert next time). */
static int convert_events_table(struct store *st, char *err, size_t errlen)
{
	int64_t has = 0;
	if (store_exec(st, &has_events_table, store_row_ints, &has, err, errlen) < 0)
		return -1;
	if (!has)
		return 0;
	if (exec_script(st, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	int rows = store_log_convert(st, err, errlen);
	if (rows < 0 || exec_script(st, "DROP TABLE events", err, errlen) < 0 ||
	    exec_script(st, "COMMIT", err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	store_log_committed(st);
	if (rows > 0)
		log_info("store: converted the %d rows of the events table into the event log", rows);
	return 0;
}

static int migrate(struct store *st, char *err, size_t errlen)
{
	int64_t version = 0;
	if (store_exec(st, &user_version, store_row_ints, &version, err, errlen) < 0)
		return -1;
	if (version > (int64_t)ARRAY_SIZE(migrations))
		return seterr(err, errlen, "database schema version %d is newer than this rgmon (%zu)", (int)version,
			      ARRAY_SIZE(migrations));
	for (int v = (int)version; v < (int)ARRAY_SIZE(migrations); v++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec_script(st, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		if (exec_script(st, migrations[v], err, errlen) < 0 || exec_script(st, sql, err, errlen) < 0) {
			exec_script(st, "ROLLBACK", NULL, 0);
			return -1;
		}
		if (exec_script(st, "COMMIT", err, errlen) < 0)
			return -1;
		log_debug("store: migrated schema to version %d", v + 1);
	}
	return convert_events_table(st, err, errlen);
}

/* Why SQLite could not open or read path, in the operator's words: the
 * system's reason when the file system refused, else SQLite's. */
static int open_error(sqlite3 *db, const char *path, bool readonly, char *err, size_t errlen)
{
	int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM, sys = db ? sqlite3_system_errno(db) : 0;
	switch (code & 0xff) {
	case SQLITE_NOTADB:
		return seterr(err, errlen, "\"%s\" is not a SQLite database (its header is not SQLite's)", path);
	case SQLITE_READONLY:
		if (code == SQLITE_READONLY_DIRECTORY || code == SQLITE_READONLY_CANTINIT)
			return seterr(err, errlen, "cannot open database \"%s\": its directory is read-only, and SQLite "
				      "must create its -wal and -shm files there", path);
		return seterr(err, errlen, "cannot write database \"%s\": %s", path,
			      sys == EROFS ? strerror(EROFS) : "the database or its directory is read-only");
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		if (sys)
			return seterr(err, errlen, "cannot open database \"%s\"%s: %s", path,
				      readonly ? " to read it" : "", strerror(sys));
		break;
	case SQLITE_NOMEM:
		return seterr(err, errlen, "cannot open database \"%s\": out of memory", path);
	}
	return seterr(err, errlen, "cannot open database \"%s\": %s", path, sqlite3_errmsg(db));
}

int store_connect(const char *path, int flags, sqlite3 **db, char *err, size_t errlen)
{
	pthread_once(&sqlite_once, sqlite_global_init);
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return open_error(*db, path, (flags & SQLITE_OPEN_READONLY) != 0, err, errlen);
	sqlite3_busy_timeout(*db, STORE_BUSY_TIMEOUT_MS);
	return 0;
}

/* The writer: WAL, then the schema brought up to date. */
static int set_up_writer(struct store *st, char *err, size_t errlen)
{
	/* WAL: readers never block the writer. synchronous=NORMAL keeps
	 * every commit across a process crash (kill -9); after a power
	 * loss the last commits may roll back -- together with their
	 * offsets, so those events are simply read again. */
	if (exec_script(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			    "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
			    "PRAGMA journal_size_limit=67108864;",
			err, errlen) < 0)
		return -1;
	sqlite3_wal_autocheckpoint(st->db, STORE_WAL_AUTOCHECKPOINT_PAGES);
	return migrate(st, err, errlen);
}

/* The writer's first step: the errors of a file that is not a database,
 * or not writable, say so rather than what the first pragma made of it. */
static int set_up_writer_at(struct store *st, const char *path, char *err, size_t errlen)
{
	char why[512];
	int64_t ignored;
	/* The header first: a file that is not a database fails here. */
	if (store_exec(st, &user_version, store_row_ints, &ignored, why, sizeof(why)) >= 0) {
		if (check_identity(st, path, err, errlen) < 0)
			return -1; /* another application's: left as it is */
		if (set_up_writer(st, why, sizeof(why)) == 0)
			return 0;
	}
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	if (code == SQLITE_NOTADB || code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM ||
	    code == SQLITE_IOERR)
		return open_error(st->db, path, false, err, errlen);
	return seterr(err, errlen, "%s", why);
}

/* A reader never migrates: the schema must be this rgmon's already. */
static int check_reader_schema(struct store *st, const char *path, char *err, size_t errlen)
{
	int64_t version = 0;
	if (store_exec(st, &user_version, store_row_ints, &version, err, errlen) < 0)
		return open_error(st->db, path, true, err, errlen);
	if (check_identity(st, path, err, errlen) < 0)
		return -1;
	if (version == 0)
		return seterr(err, errlen, "\"%s\" is not an rgmon database (no schema)", path);
	if (version < (int64_t)ARRAY_SIZE(migrations))
		return seterr(err, errlen, "\"%s\" has schema version %d, older than this rgmon's %zu: run serve or "
			      "replay on it once to migrate it", path, (int)version, ARRAY_SIZE(migrations));
	return 0;
}

/* ---- the writer's files --------------------------------------------- */

/* Fills id from path; false when it is not there (errno says why). */
static bool file_id(const char *path, struct store_file_id *id)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return false;
	*id = (struct store_file_id){ true, sb.st_dev, sb.st_ino };
	return true;
}

static void wal_path(const struct store *st, char *out, size_t outlen) { snprintf(out, outlen, "%s-wal", st->path); }

/* The files the writer opened, to notice later that they changed. */
static int note_files(struct store *st, const char *path, char *err, size_t errlen)
{
	char wal[4200];
	if (!(st->path = strdup(path)))
		return seterr(err, errlen, "out of memory");
	if (!file_id(path, &st->db_file))
		return seterr(err, errlen, "cannot stat \"%s\": %s", path, strerror(errno));
	wal_path(st, wal, sizeof(wal));
	file_id(wal, &st->wal_file); /* WAL mode has made it; if not, the first check notes it */
	return 0;
}

/* Whether the file at path is still `was`; writes what happened into why. */
static bool file_unchanged(const char *path, const struct store_file_id *was, const char *what, char *why,
			   size_t whylen)
{
	struct store_file_id now;
	if (!file_id(path, &now)) {
		snprintf(why, whylen, "%s \"%s\" was %s", what, path,
			 errno == ENOENT ? "deleted" : strerror(errno));
		return false;
	}
	if (now.dev != was->dev || now.ino != was->ino) {
		snprintf(why, whylen, "%s \"%s\" was replaced by another file", what, path);
		return false;
	}
	return true;
}

/* The files changed: roll back, save what was committed when the
 * database file is still ours (its WAL frames live on in the open,
 * deleted WAL until a checkpoint copies them), and write nothing more. */
static void stop_writing(struct store *st, const char *why, bool db_is_ours)
{
	const char *saved = "";
	int persist = 1;
	store_rollback(st);
	if (db_is_ours)
		saved = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_FULL, NULL, NULL) == SQLITE_OK
				? " (what was committed is saved in the database)"
				: " (saving what was committed into the database failed)";
	/* Closing must not delete whatever WAL now has its name. */
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	snprintf(st->changed, sizeof(st->changed),
		 "%s while rgmon was writing it%s: nothing more is written; restart to go on", why, saved);
	log_error("store: %s", st->changed);
}

int store_files_check(struct store *st, char *err, size_t errlen)
{
	char wal[4200], why[4400];
	if (!st->path)
		return 0;
	if (!st->changed[0]) {
		wal_path(st, wal, sizeof(wal));
		if (!file_unchanged(st->path, &st->db_file, "the database", why, sizeof(why)))
			stop_writing(st, why, false);
		else if (!st->wal_file.known)
			file_id(wal, &st->wal_file);
		else if (!file_unchanged(wal, &st->wal_file, "the database's WAL", why, sizeof(why)))
			stop_writing(st, why, true);
	}
	return st->changed[0] ? seterr(err, errlen, "%s", st->changed) : 0;
}

bool store_files_changed(const struct store *st) { return st->changed[0] != '\0'; }

static struct store *open_common(const char *path, bool readonly, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if (!st) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (store_connect(path, flags, &st->db, err, errlen) < 0 ||
	    (readonly ? check_reader_schema(st, path, err, errlen) : set_up_writer_at(st, path, err, errlen)) < 0 ||
	    (!readonly && note_files(st, path, err, errlen) < 0)) {
		store_close(st);
		return NULL;
	}
	return st;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return open_common(path, false, err, errlen);
}

struct store *store_open_readonly(const char *path, char *err, size_t errlen)
{
	return open_common(path, true, err, errlen);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	store_log_free(st);
	free(st->path);
	free(st);
}

/* ---- transactions -------------------------------------------------------- */

int store_begin(struct store *st, char *err, size_t errlen)
{
	if (st->changed[0])
		return seterr(err, errlen, "%s", st->changed);
	return exec_script(st, "BEGIN IMMEDIATE", err, errlen);
}

/* When the last write transaction committed, read just before its
 * COMMIT: a transaction not yet committed then began after, so every audit
 * record it writes is recorded at or after this time (store_committed_at). */
static const struct store_sql commit_mark = {
	"noting the commit time", "INSERT OR REPLACE INTO meta(key, value) VALUES ('committed_at_ms', ?)", "I",
	STMT_COMMIT_MARK,
};

/* Nothing is committed into files that are no longer the database's. */
int store_commit(struct store *st, char *err, size_t errlen)
{
	if (store_files_check(st, err, errlen) < 0 || store_log_flush(st, err, errlen) < 0 ||
	    store_exec(st, &commit_mark, NULL, NULL, err, errlen, clock_now_ms()) < 0)
		return -1;
	if (exec_script(st, "COMMIT", err, errlen) < 0)
		return -1;
	store_log_committed(st);
	return 0;
}

static const struct store_sql committed_at = {
	"reading the commit time", "SELECT value FROM meta WHERE key = 'committed_at_ms'", "", STMT_NONE,
};

int store_committed_at(struct store *st, int64_t *ms, char *err, size_t errlen)
{
	*ms = 0;
	return store_exec(st, &committed_at, store_row_ints, ms, err, errlen) < 0 ? -1 : 0;
}
int store_write_barrier(struct store *st, char *err, size_t errlen)
{
	if (exec_script(st, "BEGIN IMMEDIATE", err, errlen) < 0)
		return (sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_BUSY ? 1 : -1;
	return exec_script(st, "ROLLBACK", err, errlen);
}

int store_read_begin(struct store *st, char *err, size_t errlen)
{
	return exec_script(st, "BEGIN DEFERRED", err, errlen);
}
void store_read_end(struct store *st) { store_rollback(st); }
void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec_script(st, "ROLLBACK", NULL, 0);
	store_log_rolled_back(st);
}
