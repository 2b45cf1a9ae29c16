/* store.c -- SQLite (WAL) persistence. The only file that includes
 * sqlite3.h; SQLite result codes become -1 and a one-line reason here.
 * Every statement is a `static const struct store_sql` next to the
 * function that runs it, and runs through store_exec: nothing else
 * prepares, binds or steps. */
#include "rgmon/store.h"
#include "rgmon/log.h"
#include "rgmon/timestamp.h"

#include <sqlite3.h>
#include <pthread.h>
#include <stdarg.h>

/* Without the checkpointer (replay, the CLI), the writer checkpoints every
 * ~40 MB of WAL instead of SQLite's 4 MB default: fewer fsyncs, measured
 * ~12% faster ingest. */
#define STORE_WAL_AUTOCHECKPOINT_PAGES 10000

/* The statements run per event or per batch: each is prepared on its
 * first use and kept, in its slot of struct store, until store_close.
 * Any other statement is prepared and finalized on each call. */
enum store_stmt {
	STMT_NONE, /* not kept */
	STMT_EVENT_ADD,
	STMT_REJECTED_ADD,
	STMT_PLAYER_LOAD,
	STMT_PLAYER_SAVE,
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
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT]; /* by enum store_stmt; NULL until first used */
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

/* Called with each row: returns 0 for the next one, 1 to stop (success),
 * or -1 after writing the reason into err. */
typedef int (*store_row_fn)(void *ctx, sqlite3_stmt *s, char *err, size_t errlen);

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
};

static void sqlite_log(void *ctx, int code, const char *msg)
{
	(void)ctx;
	/* SQLITE_SCHEMA and busy notices are routine; keep them at debug. */
	if ((code & 0xff) == SQLITE_SCHEMA || (code & 0xff) == SQLITE_NOTICE)
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

/* Prepares q (or takes it from its slot), binds the values that follow
 * errlen as q->args says, steps it to its end handing each row to row
 * (when not NULL) until row stops, then resets (kept) or finalizes it.
 * Returns the number of rows handed to row -- 1 or 0 ("found or not")
 * when row stops at the first, always 0 without row -- or -1 with the
 * reason in err. A statement's changes are sqlite3_changes(st->db) after
 * it. */
static int store_exec(struct store *st, const struct store_sql *q, store_row_fn row, void *ctx, char *err,
		      size_t errlen, ...)
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

/* Column readers. store_col_dup: the text (NULL reads "") malloc'd, or
 * NULL when out of memory. store_col_int64: the integer, or null_value
 * when the column is NULL. */
static char *store_col_dup(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return strdup(t ? t : "");
}

static int64_t store_col_int64(sqlite3_stmt *s, int i, int64_t null_value)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? null_value : sqlite3_column_int64(s, i);
}

/* A row handler that reads the first row's columns as integers (NULL
 * reads 0) into ctx, an int64_t array as long as the row, and stops. */
static int store_row_ints(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	int64_t *out = ctx;
	for (int i = 0; i < sqlite3_column_count(s); i++)
		out[i] = store_col_int64(s, i, 0);
	return 1;
}

/* A row handler that reads the first row's first column as text (NULL
 * reads "") into ctx, a char **, malloc'd, and stops. */
static int store_row_dup(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	char **out = ctx;
	return (*out = store_col_dup(s, 0)) ? 1 : seterr(err, errlen, "out of memory");
}

/* ---- opening and closing ------------------------------------------------- */

static const struct store_sql user_version = { "reading schema version", "PRAGMA user_version", "", STMT_NONE };

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
	return 0;
}

/* One SQLite connection, used by one thread at a time (NOMUTEX), that
 * waits up to 5 s for a lock; SQLite's log goes to ours first. On failure
 * *db may still need closing. */
static int store_connect(const char *path, int flags, sqlite3 **db, char *err, size_t errlen)
{
	pthread_once(&sqlite_once, sqlite_global_init);
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return seterr(err, errlen, "cannot open database \"%s\": %s", path,
			      *db ? sqlite3_errmsg(*db) : "out of memory");
	sqlite3_busy_timeout(*db, 5000);
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

/* A reader never migrates: the schema must be this rgmon's already. */
static int check_reader_schema(struct store *st, const char *path, char *err, size_t errlen)
{
	int64_t version = 0;
	/* Unreadable reads as no schema. */
	store_exec(st, &user_version, store_row_ints, &version, NULL, 0);
	if (version == 0)
		return seterr(err, errlen, "\"%s\" is not an rgmon database (no schema)", path);
	if (version < (int64_t)ARRAY_SIZE(migrations))
		return seterr(err, errlen, "\"%s\" has schema version %d, older than this rgmon's %zu: run serve or "
			      "replay on it once to migrate it", path, (int)version, ARRAY_SIZE(migrations));
	return 0;
}

static struct store *open_common(const char *path, bool readonly, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if (!st) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (store_connect(path, flags, &st->db, err, errlen) < 0 ||
	    (readonly ? check_reader_schema(st, path, err, errlen) : set_up_writer(st, err, errlen)) < 0) {
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

/* ---- the checkpointer ---------------------------------------------------
 * Copying the WAL back into the database (a checkpoint) is the longest
 * stall a commit can hit: SQLite runs it inside the commit that crosses
 * wal_autocheckpoint, so a batch waits for ~40 MB to be copied and synced
 * and its events' alerts wait with it. serve and replay hand checkpoints
 * to this thread instead, on its own connection (it copies pages, it
 * writes no rows: the writer stays the one writer): the writer's commits only append
 * to the WAL, and PASSIVE checkpoints never block the writer or readers.
 * The writer's WAL hook says when the WAL has grown past the threshold. */
#define CHECKPOINT_WAL_PAGES 2000 /* ~8 MB of WAL */
#define CHECKPOINT_IDLE_MS 1000

struct store_checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, due;
	sqlite3 *db;
	struct store *writer;
};

static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	struct store_checkpointer *c = ctx;
	if (pages >= CHECKPOINT_WAL_PAGES) {
		pthread_mutex_lock(&c->lock);
		c->due = true;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
	}
	return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
	struct store_checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (!c->due) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += CHECKPOINT_IDLE_MS / 1000;
			pthread_cond_timedwait(&c->wake, &c->lock, &until);
		}
		if (c->stop)
			break;
		c->due = false;
		pthread_mutex_unlock(&c->lock);
		/* Also when idle, so a quiet service's WAL drains too. */
		int log_frames = 0, done_frames = 0;
		int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &done_frames);
		if (done_frames > 0)
			log_debug("store: checkpoint copied %d of %d WAL frames", done_frames, log_frames);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("store: WAL checkpoint failed, trying again: %s", sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct store_checkpointer *store_checkpointer_start(struct store *writer, const char *path, char *err,
						    size_t errlen)
{
	struct store_checkpointer *c = calloc(1, sizeof(*c));
	if (!c) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->writer = writer;
	char why[512];
	if (store_connect(path, SQLITE_OPEN_READWRITE, &c->db, why, sizeof(why)) < 0) {
		seterr(err, errlen, "checkpointer: %s", why);
		goto fail;
	}
	/* A connection learns that the database is in WAL mode when it first
	 * reads it; until then a checkpoint does nothing (and says -1 frames). */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		seterr(err, errlen, "checkpointer: %s", sqlite3_errmsg(c->db));
		goto fail;
	}
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		seterr(err, errlen, "checkpointer: cannot start its thread");
		goto fail;
	}
	/* Replaces the writer's own automatic checkpoints. */
	sqlite3_wal_hook(writer->db, on_wal_commit, c);
	return c;
fail:
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
	return NULL;
}

void store_checkpointer_stop(struct store_checkpointer *c)
{
	if (!c)
		return;
	/* The writer checkpoints for itself again from here on. */
	sqlite3_wal_autocheckpoint(c->writer->db, STORE_WAL_AUTOCHECKPOINT_PAGES);
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

/* ---- transactions -------------------------------------------------------- */

int store_begin(struct store *st, char *err, size_t errlen) { return exec_script(st, "BEGIN IMMEDIATE", err, errlen); }
int store_commit(struct store *st, char *err, size_t errlen) { return exec_script(st, "COMMIT", err, errlen); }
int store_read_begin(struct store *st, char *err, size_t errlen)
{
	return exec_script(st, "BEGIN DEFERRED", err, errlen);
}
void store_read_end(struct store *st) { store_rollback(st); }
void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec_script(st, "ROLLBACK", NULL, 0);
}

/* ==== events and rejects ================================================ */

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

/* ==== players =========================================================== */

static const struct store_sql player_load = {
	"loading player", "SELECT state FROM players WHERE player_id = ?", "s", STMT_PLAYER_LOAD,
};

struct player_read {
	const char *player_id;
	struct player_state *ps;
};

static int player_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct player_read *r = ctx;
	const void *blob = sqlite3_column_blob(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (engine_state_decode(r->ps, blob, (size_t)n) < 0)
		return seterr(err, errlen, "player \"%s\": stored state is corrupt or of another version", r->player_id);
	return 1;
}

int store_player_load(struct store *st, const char *player_id, struct player_state *ps, char *err,
		      size_t errlen)
{
	struct player_read r = { player_id, ps };
	int found = store_exec(st, &player_load, player_row, &r, err, errlen, player_id);
	if (found == 0)
		engine_state_init(ps);
	return found;
}

static const struct store_sql player_save = {
	"saving player",
	"INSERT INTO players(player_id, partition, state) VALUES (?,?,?) "
	"ON CONFLICT(player_id) DO UPDATE SET partition = excluded.partition, state = excluded.state",
	"siB", STMT_PLAYER_SAVE,
};

int store_player_save(struct store *st, const char *player_id, int32_t partition,
		      const struct player_state *ps, char *err, size_t errlen)
{
	uint8_t buf[ENGINE_STATE_MAX];
	size_t n = engine_state_encode(ps, buf, sizeof(buf));
	if (n == 0)
		return seterr(err, errlen, "player \"%s\": state does not fit its encoding", player_id);
	return store_exec(st, &player_save, NULL, NULL, err, errlen, player_id, (int)partition, (const void *)buf, n);
}

/* ==== counters and offsets ============================================== */

/* ---- counters ------------------------------------------------------------ */

static const char *const counter_names[] = { "events", "accepted", "duplicates", "rejected", "alerts" };

static int64_t *counter_field(struct store_counters *c, size_t i)
{
	int64_t *f[] = { &c->events, &c->accepted, &c->duplicates, &c->rejected, &c->alerts };
	return f[i];
}

static const struct store_sql counter_add = {
	"updating counters", "UPDATE counters SET value = value + ? WHERE name = ?", "Is", STMT_COUNTER_ADD,
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

static const struct store_sql offsets_get = {
	"reading offsets", "SELECT topic, partition, next_offset FROM offsets ORDER BY 1, 2", "", STMT_NONE,
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
	r->n++;
	return 0;
}

int store_offsets_get(struct store *st, struct store_offset *out, int max, char *err, size_t errlen)
{
	struct offsets_read r = { out, max, 0 };
	return store_exec(st, &offsets_get, offset_row, &r, err, errlen) < 0 ? -1 : r.n;
}

/* ==== policies and settings ============================================= */

static const struct store_sql policy_add = {
	"storing policy", "INSERT OR IGNORE INTO policies(policy_id, name, text) VALUES (?,?,?);", "sss", STMT_NONE,
};
static const struct store_sql policy_name_current = {
	"storing policy", "INSERT OR REPLACE INTO meta(key, value) VALUES ('policy', ?)", "s", STMT_NONE,
};

int store_policy_use(struct store *st, const char *policy_id, const char *name, const char *text, char *err,
		     size_t errlen)
{
	if (store_exec(st, &policy_add, NULL, NULL, err, errlen, policy_id, name, text) < 0 ||
	    store_exec(st, &policy_name_current, NULL, NULL, err, errlen, policy_id) < 0)
		return -1;
	return 0;
}

static const struct store_sql policy_current = {
	"reading policy",
	"SELECT text FROM policies WHERE policy_id = (SELECT value FROM meta WHERE key = 'policy')",
	"", STMT_NONE,
};

/* Unlike store_row_dup, a NULL text is an error (SQLite out of memory). */
static int strdup_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	char **text = ctx;
	const char *t = (const char *)sqlite3_column_text(s, 0);
	*text = t ? strdup(t) : NULL;
	return *text ? 1 : seterr(err, errlen, "out of memory");
}

int store_policy_current(struct store *st, char **text, char *err, size_t errlen)
{
	*text = NULL;
	return store_exec(st, &policy_current, strdup_row, text, err, errlen);
}

static const struct store_sql policy_text = {
	"reading policies", "SELECT text FROM policies WHERE policy_id = ?", "s", STMT_NONE,
};

int store_policy_text(struct store *st, const char *policy_id, char **text, char *err, size_t errlen)
{
	*text = NULL;
	return store_exec(st, &policy_text, store_row_dup, text, err, errlen, policy_id);
}

/* ---- meta settings ------------------------------------------------------- */

static const struct store_sql meta_set = {
	"writing a setting", "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "ss", STMT_NONE,
};

int store_meta_set(struct store *st, const char *key, const char *value, char *err, size_t errlen)
{
	return store_exec(st, &meta_set, NULL, NULL, err, errlen, key, value);
}

static const struct store_sql meta_get = {
	"reading a setting", "SELECT value FROM meta WHERE key = ?", "s", STMT_NONE,
};

struct meta_read {
	char *out;
	size_t outlen;
};

static int meta_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct meta_read *r = ctx;
	const char *v = (const char *)sqlite3_column_text(s, 0);
	rg_strlcpy(r->out, v ? v : "", r->outlen);
	return 1;
}

int store_meta_get(struct store *st, const char *key, char *out, size_t outlen, char *err, size_t errlen)
{
	struct meta_read r = { out, outlen };
	return store_exec(st, &meta_get, meta_row, &r, err, errlen, key);
}

/* ==== markers, alerts and staff actions ================================= */

#define ALERT_COLUMNS                                                                               \
	"alert_id, player_id, level, status, action, rules, reasons, evidence, policy, created_ms, " \
	"updated_ms, due_ms, escalations, outcome, actor, note, acknowledged_ms, resolved_ms, acknowledged_by"

/* ---- markers ------------------------------------------------------------- */

static const struct store_sql marker_set = {
	"storing marker", "INSERT OR REPLACE INTO markers(player_id, rule, event_id, ts_ms) VALUES (?,?,?,?)", "sssI",
	STMT_MARKER_SET,
};

int store_marker_set(struct store *st, const char *player_id, const char *rule, const char *event_id,
		     int64_t ts_ms, char *err, size_t errlen)
{
	return store_exec(st, &marker_set, NULL, NULL, err, errlen, player_id, rule, event_id, ts_ms);
}

static const struct store_sql marker_get = {
	"reading marker", "SELECT event_id FROM markers WHERE player_id = ? AND rule = ?", "ss", STMT_MARKER_GET,
};

struct text_read {
	char *out;
	size_t len;
};

static int marker_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct text_read *r = ctx;
	rg_strlcpy(r->out, (const char *)sqlite3_column_text(s, 0), r->len);
	return 1;
}

int store_marker_get(struct store *st, const char *player_id, const char *rule, char *event_id, size_t len,
		     char *err, size_t errlen)
{
	struct text_read r = { event_id, len };
	return store_exec(st, &marker_get, marker_row, &r, err, errlen, player_id, rule);
}

/* ---- alerts -------------------------------------------------------------- */

static int alert_from_row(sqlite3_stmt *s, struct store_alert *a)
{
	memset(a, 0, sizeof(*a));
	rg_strlcpy(a->alert_id, (const char *)sqlite3_column_text(s, 0), sizeof(a->alert_id));
	rg_strlcpy(a->player_id, (const char *)sqlite3_column_text(s, 1), sizeof(a->player_id));
	a->level = sqlite3_column_int(s, 2);
	rg_strlcpy(a->status, (const char *)sqlite3_column_text(s, 3), sizeof(a->status));
	a->action = sqlite3_column_int(s, 4);
	a->rules = store_col_dup(s, 5);
	a->reasons = store_col_dup(s, 6);
	a->evidence = store_col_dup(s, 7);
	rg_strlcpy(a->policy, (const char *)sqlite3_column_text(s, 8), sizeof(a->policy));
	a->created_ms = sqlite3_column_int64(s, 9);
	a->updated_ms = sqlite3_column_int64(s, 10);
	a->due_ms = sqlite3_column_int64(s, 11);
	a->escalations = sqlite3_column_int(s, 12);
	if (sqlite3_column_type(s, 13) != SQLITE_NULL)
		rg_strlcpy(a->outcome, (const char *)sqlite3_column_text(s, 13), sizeof(a->outcome));
	if (sqlite3_column_type(s, 14) != SQLITE_NULL)
		rg_strlcpy(a->actor, (const char *)sqlite3_column_text(s, 14), sizeof(a->actor));
	a->note = sqlite3_column_type(s, 15) == SQLITE_NULL ? NULL : store_col_dup(s, 15);
	a->acknowledged_ms = store_col_int64(s, 16, INT64_MIN);
	a->resolved_ms = store_col_int64(s, 17, INT64_MIN);
	if (sqlite3_column_type(s, 18) != SQLITE_NULL)
		rg_strlcpy(a->acknowledged_by, (const char *)sqlite3_column_text(s, 18), sizeof(a->acknowledged_by));
	if (!a->rules || !a->reasons || !a->evidence) {
		store_alert_release(a);
		return -1;
	}
	return 0;
}

void store_alert_release(struct store_alert *a)
{
	free(a->rules);
	free(a->reasons);
	free(a->evidence);
	free(a->note);
	a->rules = a->reasons = a->evidence = a->note = NULL;
}

/* Reads the first row into ctx, a struct store_alert, and stops. */
static int alert_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	return alert_from_row(s, ctx) < 0 ? seterr(err, errlen, "out of memory") : 1;
}

static const struct store_sql alert_open = {
	"reading alert",
	"SELECT " ALERT_COLUMNS " FROM alerts WHERE player_id = ? AND status <> 'resolved' "
	"ORDER BY created_ms DESC LIMIT 1",
	"s", STMT_ALERT_OPEN,
};

int store_alert_open_for_player(struct store *st, const char *player_id, struct store_alert *out, char *err,
				size_t errlen)
{
	return store_exec(st, &alert_open, alert_row, out, err, errlen, player_id);
}

static const struct store_sql alert_get = {
	"reading alert", "SELECT " ALERT_COLUMNS " FROM alerts WHERE alert_id = ?", "s", STMT_NONE,
};

int store_alert_get(struct store *st, const char *alert_id, struct store_alert *out, char *err, size_t errlen)
{
	return store_exec(st, &alert_get, alert_row, out, err, errlen, alert_id);
}

/* outcome, actor and acknowledged_by are "" when not set, note NULL, the
 * times INT64_MIN: all stored as NULL. */
static const struct store_sql alert_put = {
	"storing alert",
	"INSERT OR REPLACE INTO alerts(" ALERT_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"ssisissssIIIis?s?sI?I?s?", STMT_ALERT_PUT,
};

int store_alert_put(struct store *st, const struct store_alert *a, char *err, size_t errlen)
{
	return store_exec(st, &alert_put, NULL, NULL, err, errlen, a->alert_id, a->player_id, a->level, a->status,
			  a->action, a->rules, a->reasons, a->evidence, a->policy, a->created_ms, a->updated_ms,
			  a->due_ms, a->escalations, a->outcome, a->actor, a->note, a->acknowledged_ms, a->resolved_ms,
			  a->acknowledged_by);
}

/* The queue order staff work in: most severe first, then soonest due; the
 * cursor continues after a row in that order (keyset paging). */
static const struct store_sql alerts_query = {
	"reading alerts",
	"SELECT " ALERT_COLUMNS " FROM alerts WHERE (?1 IS NULL OR status = ?1"
	" OR (?1 = 'unresolved' AND status <> 'resolved')) AND (?2 < 0 OR level = ?2)"
	" AND (?3 IS NULL OR player_id = ?3) AND created_ms >= ?4"
	" AND (?5 = 0 OR level < ?6 OR (level = ?6 AND (due_ms > ?7 OR (due_ms = ?7 AND alert_id > ?8))))"
	" ORDER BY level DESC, due_ms, alert_id LIMIT ?9",
	"sisIiiIsi", STMT_NONE,
};

struct alert_walk {
	store_alert_fn fn;
	void *ctx;
};

static int alert_walk_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct alert_walk *w = ctx;
	struct store_alert a;
	if (alert_from_row(s, &a) < 0)
		return seterr(err, errlen, "out of memory");
	int stop = w->fn(w->ctx, &a);
	store_alert_release(&a);
	return stop ? 1 : 0;
}

int store_alerts_query(struct store *st, const struct store_alert_filter *f, store_alert_fn fn, void *ctx,
		       char *err, size_t errlen)
{
	struct alert_walk w = { fn, ctx };
	return store_exec(st, &alerts_query, alert_walk_row, &w, err, errlen, f->status, f->level, f->player_id,
			  f->since_ms, (int)f->after, f->after_level, f->after_due_ms, f->after_id, f->limit) < 0
		       ? -1
		       : 0;
}

void store_alert_filter_init(struct store_alert_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->level = -1;
	f->since_ms = INT64_MIN;
	f->limit = -1;
}

static const struct store_sql alert_counts = {
	"counting alerts",
	"SELECT level, status, count(*), sum(status <> 'resolved' AND due_ms < ?) FROM alerts GROUP BY level, status",
	"I", STMT_NONE,
};

static int alert_count_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	static const char *const statuses[] = { "open", "acknowledged", "resolved" };
	struct store_alert_counts *out = ctx;
	int level = sqlite3_column_int(s, 0);
	const char *status = (const char *)sqlite3_column_text(s, 1);
	for (int k = 0; k < STORE_ALERT_STATUSES; k++)
		if (status && strcmp(status, statuses[k]) == 0 && level >= 0 && level < STORE_ALERT_LEVELS)
			out->by_level_status[level][k] += sqlite3_column_int64(s, 2);
	out->overdue += sqlite3_column_int64(s, 3);
	return 0;
}

int store_alert_counts(struct store *st, int64_t now_ms, struct store_alert_counts *out, char *err,
		       size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return store_exec(st, &alert_counts, alert_count_row, out, err, errlen, now_ms) < 0 ? -1 : 0;
}

static const struct store_sql alerts_created = {
	"summing alerts",
	"SELECT level, status, outcome, created_ms, due_ms, acknowledged_ms, resolved_ms FROM alerts"
	" WHERE created_ms >= ?1 AND created_ms < ?2 AND (?3 IS NULL OR player_id = ?3)",
	"IIs", STMT_NONE,
};

struct facts_walk {
	store_alert_facts_fn fn;
	void *ctx;
};

static int facts_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct facts_walk *w = ctx;
	struct store_alert_facts a = {
		.level = sqlite3_column_int(s, 0),
		.status = (const char *)sqlite3_column_text(s, 1),
		.outcome = (const char *)sqlite3_column_text(s, 2),
		.created_ms = sqlite3_column_int64(s, 3),
		.due_ms = sqlite3_column_int64(s, 4),
		.acknowledged_ms = store_col_int64(s, 5, INT64_MIN),
		.resolved_ms = store_col_int64(s, 6, INT64_MIN),
	};
	return w->fn(w->ctx, &a) ? 1 : 0;
}

int store_alerts_created_each(struct store *st, int64_t from_ms, int64_t to_ms, const char *player,
			      store_alert_facts_fn fn, void *ctx, char *err, size_t errlen)
{
	struct facts_walk w = { fn, ctx };
	return store_exec(st, &alerts_created, facts_row, &w, err, errlen, from_ms, to_ms, player) < 0 ? -1 : 0;
}

/* ---- staff actions ------------------------------------------------------- */

static const struct store_sql action_add = {
	"storing alert action",
	"INSERT INTO alert_actions(alert_id, action, actor, role, at_ms, outcome, note) VALUES (?,?,?,?,?,?,?)",
	"ssssIss", STMT_NONE,
};

int store_alert_action_add(struct store *st, const struct store_alert_action *a, char *err, size_t errlen)
{
	return store_exec(st, &action_add, NULL, NULL, err, errlen, a->alert_id, a->action, a->actor, a->role,
			  a->at_ms, a->outcome, a->note);
}

static const struct store_sql actions_list = {
	"reading alert actions",
	"SELECT alert_id, action, actor, role, at_ms, outcome, note FROM alert_actions WHERE alert_id = ? ORDER BY seq",
	"s", STMT_NONE,
};

struct action_walk {
	store_alert_action_fn fn;
	void *ctx;
};

static int action_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct action_walk *w = ctx;
	struct store_alert_action a = {
		(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
		sqlite3_column_int64(s, 4),		 (const char *)sqlite3_column_text(s, 5),
		(const char *)sqlite3_column_text(s, 6),
	};
	return w->fn(w->ctx, &a) ? 1 : 0;
}

int store_alert_actions_each(struct store *st, const char *alert_id, store_alert_action_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	struct action_walk w = { fn, ctx };
	return store_exec(st, &actions_list, action_row, &w, err, errlen, alert_id) < 0 ? -1 : 0;
}

/* ==== outbox ============================================================ */

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

/* ==== audit trail ======================================================= */

static const struct store_sql audit_head = {
	"reading the audit head", "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", "", STMT_AUDIT_HEAD,
};

struct head_read {
	int64_t *seq;
	char *hash;
};

static int head_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct head_read *r = ctx;
	*r->seq = sqlite3_column_int64(s, 0);
	const char *h = (const char *)sqlite3_column_text(s, 1);
	rg_strlcpy(r->hash, h ? h : "", AUDIT_HASH_HEX);
	return 1;
}

int store_audit_head(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX], char *err, size_t errlen)
{
	struct head_read r = { seq, hash };
	*seq = 0;
	rg_strlcpy(hash, AUDIT_GENESIS_HASH, AUDIT_HASH_HEX);
	return store_exec(st, &audit_head, head_row, &r, err, errlen) < 0 ? -1 : 0;
}

static const struct store_sql audit_add = {
	"writing an audit record",
	"INSERT INTO audit(seq, at_ms, kind, player_id, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
	"IIsssss", STMT_AUDIT_ADD,
};

int store_audit_insert(struct store *st, const struct store_audit_row *r, char *err, size_t errlen)
{
	return store_exec(st, &audit_add, NULL, NULL, err, errlen, r->seq, r->at_ms, r->kind, r->player_id,
			  r->payload, r->prev_hash, r->hash);
}

static const struct store_sql last_checkpoint = {
	"reading audit checkpoints",
	"SELECT seq, at_ms FROM audit WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1",
	"", STMT_NONE,
};

int store_audit_last_checkpoint(struct store *st, int64_t *seq, int64_t *at_ms, char *err, size_t errlen)
{
	int64_t v[2] = { 0, 0 };
	int rc = store_exec(st, &last_checkpoint, store_row_ints, v, err, errlen);
	*seq = v[0];
	*at_ms = v[1];
	return rc < 0 ? -1 : 0;
}

static const struct store_sql span_first = {
	"reading the audit span", "SELECT MIN(seq) FROM audit WHERE at_ms >= ?1 AND at_ms < ?2", "II", STMT_NONE,
};
static const struct store_sql span_last = {
	"reading the audit span", "SELECT MAX(seq) FROM audit WHERE at_ms >= ?1 AND at_ms < ?2", "II", STMT_NONE,
};

int store_audit_span(struct store *st, int64_t from_ms, int64_t to_ms, int64_t *first, int64_t *last, char *err,
		     size_t errlen)
{
	*first = *last = 0;
	if (store_exec(st, &span_first, store_row_ints, first, err, errlen, from_ms, to_ms) < 0 ||
	    store_exec(st, &span_last, store_row_ints, last, err, errlen, from_ms, to_ms) < 0)
		return -1;
	return *first > 0;
}

static const struct store_sql audit_range = {
	"reading the audit trail",
	"SELECT seq, at_ms, kind, player_id, payload, prev_hash, hash FROM audit "
	"WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
	"II", STMT_NONE,
};
static const struct store_sql audit_range_of_player = {
	"reading the audit trail",
	"SELECT seq, at_ms, kind, player_id, payload, prev_hash, hash FROM audit "
	"WHERE player_id = ?3 AND seq BETWEEN ?1 AND ?2 ORDER BY seq",
	"IIs", STMT_NONE,
};

struct audit_walk {
	store_audit_fn fn;
	void *ctx;
};

static int audit_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct audit_walk *w = ctx;
	struct store_audit_row r = {
		.seq = sqlite3_column_int64(s, 0),
		.at_ms = sqlite3_column_int64(s, 1),
		.kind = (const char *)sqlite3_column_text(s, 2),
		.player_id = (const char *)sqlite3_column_text(s, 3),
		.payload = (const char *)sqlite3_column_text(s, 4),
		.prev_hash = (const char *)sqlite3_column_text(s, 5),
		.hash = (const char *)sqlite3_column_text(s, 6),
	};
	return w->fn(w->ctx, &r) ? 1 : 0;
}

int store_audit_each(struct store *st, int64_t first, int64_t last, const char *player, store_audit_fn fn,
		     void *ctx, char *err, size_t errlen)
{
	struct audit_walk w = { fn, ctx };
	int rc = player ? store_exec(st, &audit_range_of_player, audit_row, &w, err, errlen, first, last, player)
			: store_exec(st, &audit_range, audit_row, &w, err, errlen, first, last);
	return rc < 0 ? -1 : 0;
}

/* ---- retention ------------------------------------------------------------ */

static const struct store_sql checkpoint_before = {
	"reading audit checkpoints",
	"SELECT MAX(seq) FROM audit WHERE kind = 'checkpoint' AND at_ms <= ?1 "
	"AND seq > (SELECT COALESCE(MAX(first_seq), 0) FROM audit_retention)",
	"I", STMT_NONE,
};

int64_t store_audit_checkpoint_before(struct store *st, int64_t at_ms, char *err, size_t errlen)
{
	int64_t seq = 0;
	return store_exec(st, &checkpoint_before, store_row_ints, &seq, err, errlen, at_ms) < 0 ? -1 : seq;
}

static const struct store_sql retention_anchor = {
	"anchoring audit retention", "INSERT INTO audit_retention(first_seq, at_ms) VALUES (?,?)", "II", STMT_NONE,
};
static const struct store_sql audit_prune = {
	"pruning the audit trail", "DELETE FROM audit WHERE seq < ?", "I", STMT_NONE,
};

int64_t store_audit_prune_before(struct store *st, int64_t anchor_seq, int64_t at_ms, char *err, size_t errlen)
{
	if (store_exec(st, &retention_anchor, NULL, NULL, err, errlen, anchor_seq, at_ms) < 0 ||
	    store_exec(st, &audit_prune, NULL, NULL, err, errlen, anchor_seq) < 0)
		return -1;
	return sqlite3_changes(st->db);
}

static const struct store_sql audit_extent = {
	"reading the audit trail", "SELECT MIN(seq), count(*) FROM audit", "", STMT_NONE,
};

int store_audit_extent(struct store *st, int64_t *first_seq, int64_t *count, char *err, size_t errlen)
{
	int64_t v[2] = { 0, 0 };
	int rc = store_exec(st, &audit_extent, store_row_ints, v, err, errlen);
	*first_seq = v[0];
	*count = v[1];
	return rc < 0 ? -1 : 0;
}

/* ---- tokens --------------------------------------------------------------- */

static const struct store_sql token_register = {
	"registering a token", "INSERT OR IGNORE INTO audit_tokens(fingerprint, at_ms) VALUES (?,?)", "sI", STMT_NONE,
};

int store_token_register(struct store *st, const char *fingerprint, int64_t at_ms, char *err, size_t errlen)
{
	if (store_exec(st, &token_register, NULL, NULL, err, errlen, fingerprint, at_ms) < 0)
		return -1;
	return sqlite3_changes(st->db) > 0;
}
