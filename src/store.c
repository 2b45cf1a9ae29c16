/* store.c -- SQLite (WAL) persistence. The only file that includes
 * sqlite3.h; SQLite result codes become -1 and a one-line reason here. */
#include "rgmon/store.h"
#include "rgmon/clock.h"
#include "rgmon/log.h"
#include "rgmon/state_codec.h"
#include "rgmon/timestamp.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

/* Without the checkpointer (replay, the CLI), the writer checkpoints every
 * ~40 MB of WAL instead of SQLite's 4 MB default: fewer fsyncs, measured
 * ~12% faster ingest. */
#define STORE_WAL_AUTOCHECKPOINT_PAGES 10000

#define ALERT_COLUMNS                                                                               \
	"alert_id, player_id, level, status, action, rules, reasons, evidence, policy, created_ms, " \
	"updated_ms, due_ms, escalations, outcome, actor, note, acknowledged_ms, resolved_ms, acknowledged_by"

/* Statements used per event or per batch, prepared once. */
enum stmt_id {
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

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_EVENT_ADD] = "INSERT OR IGNORE INTO events(event_id, player_id, type, ts_ms, partition, "
			   "offset, raw) VALUES (?,?,?,?,?,?,?)",
	[STMT_REJECTED_ADD] = "INSERT INTO rejected(topic, partition, offset, file, event_id, reason, raw) "
			      "VALUES (?,?,?,?,?,?,?)",
	[STMT_PLAYER_LOAD] = "SELECT state FROM players WHERE player_id = ?",
	[STMT_PLAYER_SAVE] = "INSERT INTO players(player_id, partition, state) VALUES (?,?,?) "
			     "ON CONFLICT(player_id) DO UPDATE SET partition = excluded.partition, "
			     "state = excluded.state",
	[STMT_COUNTER_ADD] = "UPDATE counters SET value = value + ? WHERE name = ?",
	[STMT_OFFSET_SET] = "INSERT INTO offsets(topic, partition, next_offset) VALUES (?,?,?) "
			    "ON CONFLICT(topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
	[STMT_OFFSET_GET] = "SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?",
	[STMT_MARKER_SET] = "INSERT OR REPLACE INTO markers(player_id, rule, event_id, ts_ms) VALUES (?,?,?,?)",
	[STMT_MARKER_GET] = "SELECT event_id FROM markers WHERE player_id = ? AND rule = ?",
	[STMT_ALERT_OPEN] = "SELECT " ALERT_COLUMNS " FROM alerts WHERE player_id = ? AND status <> 'resolved' "
			    "ORDER BY created_ms DESC LIMIT 1",
	[STMT_ALERT_PUT] = "INSERT OR REPLACE INTO alerts(" ALERT_COLUMNS ") "
			   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[STMT_OUTBOX_ADD] = "INSERT INTO outbox(topic, key, alert_id, value, created_ms) VALUES (?,?,?,?,?)",
	[STMT_OUTBOX_SENT] = "UPDATE outbox SET sent_ms = ? WHERE seq = ? AND sent_ms IS NULL",
	[STMT_AUDIT_ADD] = "INSERT INTO audit(seq, at_ms, kind, player_id, payload, prev_hash, hash) "
			   "VALUES (?,?,?,?,?,?,?)",
	[STMT_AUDIT_HEAD] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
};

struct store {
	sqlite3 *db;
	bool readonly;
	sqlite3_stmt *stmt[STMT_COUNT];
};

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

static int db_error(struct store *st, const char *what, char *err, size_t errlen)
{
	return seterr(err, errlen, "%s: %s", what, sqlite3_errmsg(st->db));
}

static int exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		seterr(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int migrate(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int version = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading schema version", err, errlen);
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);

	if (version > (int)ARRAY_SIZE(migrations))
		return seterr(err, errlen, "database schema version %d is newer than this rgmon (%zu)", version,
			      ARRAY_SIZE(migrations));
	for (int v = version; v < (int)ARRAY_SIZE(migrations); v++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(st, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		if (exec(st, migrations[v], err, errlen) < 0 || exec(st, sql, err, errlen) < 0) {
			exec(st, "ROLLBACK", NULL, 0);
			return -1;
		}
		if (exec(st, "COMMIT", err, errlen) < 0)
			return -1;
		log_debug("store: migrated schema to version %d", v + 1);
	}
	return 0;
}

/* One SQLite connection, used by one thread at a time (NOMUTEX), that
 * waits up to 5 s for a lock. On failure *db may still need closing. */
static int open_connection(const char *path, int flags, sqlite3 **db, char *err, size_t errlen)
{
	pthread_once(&sqlite_once, sqlite_global_init);
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return seterr(err, errlen, "cannot open database \"%s\": %s", path,
			      *db ? sqlite3_errmsg(*db) : "out of memory");
	sqlite3_busy_timeout(*db, 5000);
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
	st->readonly = readonly;
	if (open_connection(path, flags, &st->db, err, errlen) < 0)
		goto fail;
	if (!readonly) {
		/* WAL: readers never block the writer. synchronous=NORMAL keeps
		 * every commit across a process crash (kill -9); after a power
		 * loss the last commits may roll back -- together with their
		 * offsets, so those events are simply read again. */
		if (exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			     "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
			     "PRAGMA journal_size_limit=67108864;",
			 err, errlen) < 0)
			goto fail;
		sqlite3_wal_autocheckpoint(st->db, STORE_WAL_AUTOCHECKPOINT_PAGES);
		if (migrate(st, err, errlen) < 0)
			goto fail;
	} else {
		sqlite3_stmt *s = NULL;
		int version = 0;
		if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (version == 0) {
			seterr(err, errlen, "\"%s\" is not an rgmon database (no schema)", path);
			goto fail;
		}
		if (version < (int)ARRAY_SIZE(migrations)) {
			seterr(err, errlen, "\"%s\" has schema version %d, older than this rgmon's %zu: run serve or "
			       "replay on it once to migrate it", path, version, ARRAY_SIZE(migrations));
			goto fail;
		}
	}
	for (int i = 0; i < STMT_COUNT; i++) {
		/* A read-only connection prepares only what it can run. */
		if (readonly && i != STMT_PLAYER_LOAD && i != STMT_OFFSET_GET && i != STMT_MARKER_GET &&
		    i != STMT_ALERT_OPEN && i != STMT_AUDIT_HEAD)
			continue;
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) !=
		    SQLITE_OK) {
			db_error(st, "preparing statements", err, errlen);
			goto fail;
		}
	}
	return st;
fail:
	store_close(st);
	return NULL;
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
			clock_deadline(&until, CHECKPOINT_IDLE_MS);
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
	if (open_connection(path, SQLITE_OPEN_READWRITE, &c->db, why, sizeof(why)) < 0) {
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

int store_begin(struct store *st, char *err, size_t errlen) { return exec(st, "BEGIN IMMEDIATE", err, errlen); }
int store_commit(struct store *st, char *err, size_t errlen) { return exec(st, "COMMIT", err, errlen); }
int store_read_begin(struct store *st, char *err, size_t errlen) { return exec(st, "BEGIN DEFERRED", err, errlen); }
void store_read_end(struct store *st) { store_rollback(st); }
void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK", NULL, 0);
}

/* Runs a prepared statement to completion and resets it. */
static int run(struct store *st, sqlite3_stmt *s, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(s);
	int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_error(st, what, err, errlen);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int store_event_add(struct store *st, const struct event *ev, const struct store_source *src,
		    const char *raw, size_t rawlen, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_EVENT_ADD];
	sqlite3_bind_text(s, 1, ev->event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ev->player_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, event_type_name(ev->type), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, ev->ts_ms);
	sqlite3_bind_int(s, 5, src->partition);
	sqlite3_bind_int64(s, 6, src->offset);
	sqlite3_bind_text(s, 7, raw, (int)rawlen, SQLITE_STATIC);
	if (run(st, s, "storing event", err, errlen) < 0)
		return -1;
	return sqlite3_changes(st->db) == 1 ? 1 : 0;
}

int store_rejected_add(struct store *st, const struct store_source *src, const char *event_id,
		       const char *reason, const char *raw, size_t rawlen, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_REJECTED_ADD];
	if (src->topic)
		sqlite3_bind_text(s, 1, src->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, src->partition);
	sqlite3_bind_int64(s, 3, src->offset);
	if (src->file)
		sqlite3_bind_text(s, 4, src->file, -1, SQLITE_STATIC);
	if (event_id && *event_id)
		sqlite3_bind_text(s, 5, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 7, raw ? raw : "", (int)rawlen, SQLITE_STATIC);
	return run(st, s, "storing rejected event", err, errlen);
}

int store_player_load(struct store *st, const char *player_id, struct player_state *ps, char *err,
		      size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_PLAYER_LOAD];
	int ret = 0;
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(s, 0);
		int n = sqlite3_column_bytes(s, 0);
		if (state_codec_decode(ps, blob, (size_t)n) < 0)
			ret = seterr(err, errlen, "player \"%s\": stored state is corrupt or of another version",
				     player_id);
		else
			ret = 1;
	} else if (rc == SQLITE_DONE) {
		state_init(ps);
	} else {
		ret = db_error(st, "loading player", err, errlen);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int store_player_save(struct store *st, const char *player_id, int32_t partition,
		      const struct player_state *ps, char *err, size_t errlen)
{
	uint8_t buf[STATE_CODEC_MAX];
	size_t n = state_codec_encode(ps, buf, sizeof(buf));
	if (n == 0)
		return seterr(err, errlen, "player \"%s\": state does not fit its encoding", player_id);
	sqlite3_stmt *s = st->stmt[STMT_PLAYER_SAVE];
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, partition);
	sqlite3_bind_blob(s, 3, buf, (int)n, SQLITE_STATIC);
	return run(st, s, "saving player", err, errlen);
}

static const char *const counter_names[] = { "events", "accepted", "duplicates", "rejected", "alerts" };

static int64_t *counter_field(struct store_counters *c, size_t i)
{
	int64_t *f[] = { &c->events, &c->accepted, &c->duplicates, &c->rejected, &c->alerts };
	return f[i];
}

int store_counters_add(struct store *st, const struct store_counters *delta, char *err, size_t errlen)
{
	struct store_counters d = *delta;
	sqlite3_stmt *s = st->stmt[STMT_COUNTER_ADD];
	for (size_t i = 0; i < ARRAY_SIZE(counter_names); i++) {
		int64_t v = *counter_field(&d, i);
		if (v == 0)
			continue;
		sqlite3_bind_int64(s, 1, v);
		sqlite3_bind_text(s, 2, counter_names[i], -1, SQLITE_STATIC);
		if (run(st, s, "updating counters", err, errlen) < 0)
			return -1;
	}
	return 0;
}

int store_counters_get(struct store *st, struct store_counters *out, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(st->db, "SELECT name, value FROM counters", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading counters", err, errlen);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		for (size_t i = 0; i < ARRAY_SIZE(counter_names); i++)
			if (name && strcmp(name, counter_names[i]) == 0)
				*counter_field(out, i) = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "reading counters", err, errlen);
}

int store_offset_set(struct store *st, const char *topic, int32_t partition, int64_t next_offset,
		     char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_OFFSET_SET];
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, partition);
	sqlite3_bind_int64(s, 3, next_offset);
	return run(st, s, "storing offset", err, errlen);
}

int store_offset_get(struct store *st, const char *topic, int32_t partition, int64_t *next_offset,
		     char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_OFFSET_GET];
	int ret = 0;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, partition);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*next_offset = sqlite3_column_int64(s, 0);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = db_error(st, "reading offset", err, errlen);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int store_offsets_get(struct store *st, struct store_offset *out, int max, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int n = 0, rc;
	if (sqlite3_prepare_v2(st->db, "SELECT topic, partition, next_offset FROM offsets ORDER BY 1, 2", -1, &s,
			       NULL) != SQLITE_OK)
		return db_error(st, "reading offsets", err, errlen);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max) {
		rg_strlcpy(out[n].topic, (const char *)sqlite3_column_text(s, 0), sizeof(out[n].topic));
		out[n].partition = sqlite3_column_int(s, 1);
		out[n].next_offset = sqlite3_column_int64(s, 2);
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : db_error(st, "reading offsets", err, errlen);
}

int64_t store_prune_events(struct store *st, int64_t now_ms, char *err, size_t errlen)
{
	/* Events arrive roughly in time order, so the oldest are the lowest
	 * seq: delete the prefix of seq order that is out of the window. This
	 * needs no index on ts_ms; an event that arrived late stays a little
	 * longer, never shorter, than the window. */
	static const char sql[] =
		"DELETE FROM events WHERE seq < coalesce((SELECT seq FROM events WHERE ts_ms >= ?1 "
		"ORDER BY seq LIMIT 1), (SELECT max(seq) + 1 FROM events))";
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "pruning events", err, errlen);
	sqlite3_bind_int64(s, 1, now_ms - STORE_DEDUPE_WINDOW_DAYS * MS_PER_DAY);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, "pruning events", err, errlen);
	return sqlite3_changes(st->db);
}

int store_rejected_each(struct store *st, store_rejected_fn fn, void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT CASE WHEN file IS NOT NULL THEN file || ':' || offset "
			       "ELSE topic || '/' || partition || '@' || offset END, event_id, reason "
			       "FROM rejected ORDER BY seq",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading rejected events", err, errlen);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2)) < 0) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "reading rejected events", err, errlen);
}

/* ---- policies ----------------------------------------------------------- */

int store_policy_use(struct store *st, const char *policy_id, const char *name, const char *text, char *err,
		     size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR IGNORE INTO policies(policy_id, name, text) VALUES (?,?,?);", -1, &s,
			       NULL) != SQLITE_OK)
		return db_error(st, "storing policy", err, errlen);
	sqlite3_bind_text(s, 1, policy_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_error(st, "storing policy", err, errlen);
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('policy', ?)", -1, &s,
			       NULL) != SQLITE_OK) {
		db_error(st, "storing policy", err, errlen);
		goto out;
	}
	sqlite3_bind_text(s, 1, policy_id, -1, SQLITE_STATIC);
	ret = sqlite3_step(s) == SQLITE_DONE ? 0 : db_error(st, "storing policy", err, errlen);
out:
	sqlite3_finalize(s);
	return ret;
}

int store_policy_current(struct store *st, char **text, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int ret = 0;
	*text = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT text FROM policies WHERE policy_id = (SELECT value FROM meta WHERE key = 'policy')",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading policy", err, errlen);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		*text = t ? strdup(t) : NULL;
		ret = *text ? 1 : seterr(err, errlen, "out of memory");
	} else if (rc != SQLITE_DONE) {
		ret = db_error(st, "reading policy", err, errlen);
	}
	sqlite3_finalize(s);
	return ret;
}

/* ---- markers ------------------------------------------------------------ */

int store_marker_set(struct store *st, const char *player_id, const char *rule, const char *event_id,
		     int64_t ts_ms, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_MARKER_SET];
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, ts_ms);
	return run(st, s, "storing marker", err, errlen);
}

int store_marker_get(struct store *st, const char *player_id, const char *rule, char *event_id, size_t len,
		     char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_MARKER_GET];
	int ret = 0;
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rule, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rg_strlcpy(event_id, (const char *)sqlite3_column_text(s, 0), len);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = db_error(st, "reading marker", err, errlen);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

/* ---- alerts ------------------------------------------------------------- */

static char *dup_column(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return strdup(t ? t : "");
}

static int64_t int_column(sqlite3_stmt *s, int i, int64_t null_value)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? null_value : sqlite3_column_int64(s, i);
}

static int alert_from_row(sqlite3_stmt *s, struct store_alert *a)
{
	memset(a, 0, sizeof(*a));
	rg_strlcpy(a->alert_id, (const char *)sqlite3_column_text(s, 0), sizeof(a->alert_id));
	rg_strlcpy(a->player_id, (const char *)sqlite3_column_text(s, 1), sizeof(a->player_id));
	a->level = sqlite3_column_int(s, 2);
	rg_strlcpy(a->status, (const char *)sqlite3_column_text(s, 3), sizeof(a->status));
	a->action = sqlite3_column_int(s, 4);
	a->rules = dup_column(s, 5);
	a->reasons = dup_column(s, 6);
	a->evidence = dup_column(s, 7);
	rg_strlcpy(a->policy, (const char *)sqlite3_column_text(s, 8), sizeof(a->policy));
	a->created_ms = sqlite3_column_int64(s, 9);
	a->updated_ms = sqlite3_column_int64(s, 10);
	a->due_ms = sqlite3_column_int64(s, 11);
	a->escalations = sqlite3_column_int(s, 12);
	if (sqlite3_column_type(s, 13) != SQLITE_NULL)
		rg_strlcpy(a->outcome, (const char *)sqlite3_column_text(s, 13), sizeof(a->outcome));
	if (sqlite3_column_type(s, 14) != SQLITE_NULL)
		rg_strlcpy(a->actor, (const char *)sqlite3_column_text(s, 14), sizeof(a->actor));
	a->note = sqlite3_column_type(s, 15) == SQLITE_NULL ? NULL : dup_column(s, 15);
	a->acknowledged_ms = int_column(s, 16, INT64_MIN);
	a->resolved_ms = int_column(s, 17, INT64_MIN);
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

int store_alert_open_for_player(struct store *st, const char *player_id, struct store_alert *out, char *err,
				size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_ALERT_OPEN];
	int ret = 0;
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = alert_from_row(s, out) < 0 ? seterr(err, errlen, "out of memory") : 1;
	else if (rc != SQLITE_DONE)
		ret = db_error(st, "reading alert", err, errlen);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int store_alert_put(struct store *st, const struct store_alert *a, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_ALERT_PUT];
	sqlite3_bind_text(s, 1, a->alert_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->player_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, a->level);
	sqlite3_bind_text(s, 4, a->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, a->action);
	sqlite3_bind_text(s, 6, a->rules, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, a->reasons, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, a->evidence, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, a->policy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, a->created_ms);
	sqlite3_bind_int64(s, 11, a->updated_ms);
	sqlite3_bind_int64(s, 12, a->due_ms);
	sqlite3_bind_int(s, 13, a->escalations);
	if (a->outcome[0])
		sqlite3_bind_text(s, 14, a->outcome, -1, SQLITE_STATIC);
	if (a->actor[0])
		sqlite3_bind_text(s, 15, a->actor, -1, SQLITE_STATIC);
	if (a->note)
		sqlite3_bind_text(s, 16, a->note, -1, SQLITE_STATIC);
	if (a->acknowledged_ms != INT64_MIN)
		sqlite3_bind_int64(s, 17, a->acknowledged_ms);
	if (a->resolved_ms != INT64_MIN)
		sqlite3_bind_int64(s, 18, a->resolved_ms);
	if (a->acknowledged_by[0])
		sqlite3_bind_text(s, 19, a->acknowledged_by, -1, SQLITE_STATIC);
	return run(st, s, "storing alert", err, errlen);
}

int store_alerts_query(struct store *st, const struct store_alert_filter *f, store_alert_fn fn, void *ctx,
		       char *err, size_t errlen)
{
	/* The queue order staff work in: most severe first, then soonest due;
	 * the cursor continues after a row in that order (keyset paging). */
	static const char sql[] =
		"SELECT " ALERT_COLUMNS " FROM alerts WHERE (?1 IS NULL OR status = ?1"
		" OR (?1 = 'unresolved' AND status <> 'resolved')) AND (?2 < 0 OR level = ?2)"
		" AND (?3 IS NULL OR player_id = ?3) AND created_ms >= ?4"
		" AND (?5 = 0 OR level < ?6 OR (level = ?6 AND (due_ms > ?7 OR (due_ms = ?7 AND alert_id > ?8))))"
		" ORDER BY level DESC, due_ms, alert_id LIMIT ?9";
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading alerts", err, errlen);
	if (f->status)
		sqlite3_bind_text(s, 1, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, f->level);
	if (f->player_id)
		sqlite3_bind_text(s, 3, f->player_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, f->since_ms);
	sqlite3_bind_int(s, 5, f->after);
	sqlite3_bind_int(s, 6, f->after_level);
	sqlite3_bind_int64(s, 7, f->after_due_ms);
	sqlite3_bind_text(s, 8, f->after_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_alert a;
		if (alert_from_row(s, &a) < 0) {
			sqlite3_finalize(s);
			return seterr(err, errlen, "out of memory");
		}
		int stop = fn(ctx, &a);
		store_alert_release(&a);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "reading alerts", err, errlen);
}

void store_alert_filter_init(struct store_alert_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->level = -1;
	f->since_ms = INT64_MIN;
	f->limit = -1;
}

int store_alert_get(struct store *st, const char *alert_id, struct store_alert *out, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int ret = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT " ALERT_COLUMNS " FROM alerts WHERE alert_id = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_error(st, "reading alert", err, errlen);
	sqlite3_bind_text(s, 1, alert_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = alert_from_row(s, out) < 0 ? seterr(err, errlen, "out of memory") : 1;
	else if (rc != SQLITE_DONE)
		ret = db_error(st, "reading alert", err, errlen);
	sqlite3_finalize(s);
	return ret;
}

int store_alert_counts(struct store *st, int64_t now_ms, struct store_alert_counts *out, char *err,
		       size_t errlen)
{
	static const char *const statuses[] = { "open", "acknowledged", "resolved" };
	sqlite3_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(st->db,
			       "SELECT level, status, count(*), sum(status <> 'resolved' AND due_ms < ?) "
			       "FROM alerts GROUP BY level, status",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "counting alerts", err, errlen);
	sqlite3_bind_int64(s, 1, now_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int level = sqlite3_column_int(s, 0);
		const char *status = (const char *)sqlite3_column_text(s, 1);
		for (int k = 0; k < STORE_ALERT_STATUSES; k++)
			if (status && strcmp(status, statuses[k]) == 0 && level >= 0 && level < STORE_ALERT_LEVELS)
				out->by_level_status[level][k] += sqlite3_column_int64(s, 2);
		out->overdue += sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "counting alerts", err, errlen);
}

int store_alert_action_add(struct store *st, const struct store_alert_action *a, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO alert_actions(alert_id, action, actor, role, at_ms, outcome, note) "
			       "VALUES (?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "storing alert action", err, errlen);
	sqlite3_bind_text(s, 1, a->alert_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, a->at_ms);
	if (a->outcome)
		sqlite3_bind_text(s, 6, a->outcome, -1, SQLITE_STATIC);
	if (a->note)
		sqlite3_bind_text(s, 7, a->note, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "storing alert action", err, errlen);
}

int store_alert_actions_each(struct store *st, const char *alert_id, store_alert_action_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT alert_id, action, actor, role, at_ms, outcome, note FROM alert_actions "
			       "WHERE alert_id = ? ORDER BY seq",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading alert actions", err, errlen);
	sqlite3_bind_text(s, 1, alert_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_alert_action a = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
			sqlite3_column_int64(s, 4),		 (const char *)sqlite3_column_text(s, 5),
			(const char *)sqlite3_column_text(s, 6),
		};
		if (fn(ctx, &a)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "reading alert actions", err, errlen);
}

/* ---- events as evidence --------------------------------------------------- */

int store_event_raw(struct store *st, const char *event_id, char **raw, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int ret = 0;
	*raw = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT raw FROM events WHERE event_id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading event", err, errlen);
	sqlite3_bind_text(s, 1, event_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = (*raw = dup_column(s, 0)) ? 1 : seterr(err, errlen, "out of memory");
	else if (rc != SQLITE_DONE)
		ret = db_error(st, "reading event", err, errlen);
	sqlite3_finalize(s);
	return ret;
}

/* Steps a bound "SELECT raw ..." statement, handing each raw event to fn
 * until it returns nonzero; finalizes the statement. */
static int each_raw_event(struct store *st, sqlite3_stmt *s, store_raw_fn fn, void *ctx, char *err, size_t errlen)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0))) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "reading events", err, errlen);
}

int store_player_events_each(struct store *st, const char *player_id, int limit, store_raw_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	/* "type <> 'game_round'" lets SQLite use the partial index. */
	if (sqlite3_prepare_v2(st->db,
			       "SELECT raw FROM events WHERE player_id = ? AND type <> 'game_round' "
			       "ORDER BY ts_ms DESC LIMIT ?",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading events", err, errlen);
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	return each_raw_event(st, s, fn, ctx, err, errlen);
}

int store_player_events_applied(struct store *st, const char *player_id, store_raw_fn fn, void *ctx, char *err,
				size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT raw FROM events WHERE player_id = ? ORDER BY seq", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_error(st, "reading events", err, errlen);
	sqlite3_bind_text(s, 1, player_id, -1, SQLITE_STATIC);
	return each_raw_event(st, s, fn, ctx, err, errlen);
}

int store_policy_text(struct store *st, const char *policy_id, char **text, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	*text = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT text FROM policies WHERE policy_id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading policies", err, errlen);
	sqlite3_bind_text(s, 1, policy_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW) {
		*text = dup_column(s, 0);
		found = *text ? 1 : seterr(err, errlen, "out of memory");
	} else if (rc != SQLITE_DONE) {
		found = db_error(st, "reading policies", err, errlen);
	}
	sqlite3_finalize(s);
	return found;
}

/* ---- outbox --------------------------------------------------------------- */

int store_outbox_add(struct store *st, const char *topic, const char *key, const char *alert_id,
		     const char *value, int64_t created_ms, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_OUTBOX_ADD];
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	if (alert_id)
		sqlite3_bind_text(s, 3, alert_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, created_ms);
	return run(st, s, "storing outbox message", err, errlen);
}

int store_outbox_unsent_each(struct store *st, int64_t after_seq, int limit, store_outbox_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT seq, topic, key, alert_id, value FROM outbox WHERE sent_ms IS NULL AND seq > ? "
			       "ORDER BY seq LIMIT ?",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading outbox", err, errlen);
	sqlite3_bind_int64(s, 1, after_seq);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_outbox_msg m = {
			sqlite3_column_int64(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			(const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4),
			(size_t)sqlite3_column_bytes(s, 4),
		};
		if (fn(ctx, &m)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "reading outbox", err, errlen);
}

int store_outbox_mark_sent(struct store *st, int64_t seq, int64_t sent_ms, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_OUTBOX_SENT];
	sqlite3_bind_int64(s, 1, sent_ms);
	sqlite3_bind_int64(s, 2, seq);
	return run(st, s, "marking outbox message sent", err, errlen);
}

int64_t store_outbox_backlog(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM outbox WHERE sent_ms IS NULL", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_error(st, "reading outbox", err, errlen);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		db_error(st, "reading outbox", err, errlen);
	sqlite3_finalize(s);
	return n;
}

int64_t store_outbox_prune(struct store *st, int64_t sent_before_ms, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM outbox WHERE sent_ms < ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "pruning outbox", err, errlen);
	sqlite3_bind_int64(s, 1, sent_before_ms);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, "pruning outbox", err, errlen);
	return sqlite3_changes(st->db);
}

/* ---- audit trail ---------------------------------------------------------- */

/* Runs sql (binding the int64 args) and reads up to two int64 columns of its
 * first row; returns 1 with a row, 0 without, -1 on error. NULL columns
 * read as null_value. */
static int query_ints(struct store *st, const char *sql, const int64_t *args, int nargs, int64_t *a, int64_t *b,
		      int64_t null_value, const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, what, err, errlen);
	for (int i = 0; i < nargs; i++)
		sqlite3_bind_int64(s, i + 1, args[i]);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW) {
		found = 1;
		if (a)
			*a = int_column(s, 0, null_value);
		if (b)
			*b = int_column(s, 1, null_value);
	} else if (rc != SQLITE_DONE) {
		found = db_error(st, what, err, errlen);
	}
	sqlite3_finalize(s);
	return found;
}

int store_audit_head(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX], char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_AUDIT_HEAD];
	int rc = sqlite3_step(s), ret = 0;
	*seq = 0;
	rg_strlcpy(hash, AUDIT_GENESIS_HASH, AUDIT_HASH_HEX);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		const char *h = (const char *)sqlite3_column_text(s, 1);
		rg_strlcpy(hash, h ? h : "", AUDIT_HASH_HEX);
	} else if (rc != SQLITE_DONE) {
		ret = db_error(st, "reading the audit head", err, errlen);
	}
	sqlite3_reset(s);
	return ret;
}

int store_audit_insert(struct store *st, const struct store_audit_row *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[STMT_AUDIT_ADD];
	sqlite3_bind_int64(s, 1, r->seq);
	sqlite3_bind_int64(s, 2, r->at_ms);
	sqlite3_bind_text(s, 3, r->kind, -1, SQLITE_STATIC);
	if (r->player_id)
		sqlite3_bind_text(s, 4, r->player_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_text(s, 5, r->payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, r->hash, -1, SQLITE_STATIC);
	return run(st, s, "writing an audit record", err, errlen);
}

int store_audit_last_checkpoint(struct store *st, int64_t *seq, int64_t *at_ms, char *err, size_t errlen)
{
	*seq = 0;
	*at_ms = 0;
	int rc = query_ints(st, "SELECT seq, at_ms FROM audit WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1",
			    NULL, 0, seq, at_ms, 0, "reading audit checkpoints", err, errlen);
	return rc < 0 ? -1 : 0;
}

int store_audit_span(struct store *st, int64_t from_ms, int64_t to_ms, int64_t *first, int64_t *last, char *err,
		     size_t errlen)
{
	int64_t args[2] = { from_ms, to_ms };
	*first = *last = 0;
	if (query_ints(st, "SELECT MIN(seq) FROM audit WHERE at_ms >= ?1 AND at_ms < ?2", args, 2, first, NULL, 0,
		       "reading the audit span", err, errlen) < 0 ||
	    query_ints(st, "SELECT MAX(seq) FROM audit WHERE at_ms >= ?1 AND at_ms < ?2", args, 2, last, NULL, 0,
		       "reading the audit span", err, errlen) < 0)
		return -1;
	return *first > 0;
}

int store_audit_each(struct store *st, int64_t first, int64_t last, const char *player, store_audit_fn fn,
		     void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	const char *sql = player ? "SELECT seq, at_ms, kind, player_id, payload, prev_hash, hash FROM audit "
				   "WHERE player_id = ?3 AND seq BETWEEN ?1 AND ?2 ORDER BY seq"
				 : "SELECT seq, at_ms, kind, player_id, payload, prev_hash, hash FROM audit "
				   "WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading the audit trail", err, errlen);
	sqlite3_bind_int64(s, 1, first);
	sqlite3_bind_int64(s, 2, last);
	if (player)
		sqlite3_bind_text(s, 3, player, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_audit_row r = {
			.seq = sqlite3_column_int64(s, 0),
			.at_ms = sqlite3_column_int64(s, 1),
			.kind = (const char *)sqlite3_column_text(s, 2),
			.player_id = (const char *)sqlite3_column_text(s, 3),
			.payload = (const char *)sqlite3_column_text(s, 4),
			.prev_hash = (const char *)sqlite3_column_text(s, 5),
			.hash = (const char *)sqlite3_column_text(s, 6),
		};
		if (fn(ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int ret = rc == SQLITE_DONE ? 0 : db_error(st, "reading the audit trail", err, errlen);
	sqlite3_finalize(s);
	return ret;
}

int64_t store_audit_checkpoint_before(struct store *st, int64_t at_ms, char *err, size_t errlen)
{
	int64_t seq = 0;
	int rc = query_ints(st,
			    "SELECT MAX(seq) FROM audit WHERE kind = 'checkpoint' AND at_ms <= ?1 "
			    "AND seq > (SELECT COALESCE(MAX(first_seq), 0) FROM audit_retention)",
			    &at_ms, 1, &seq, NULL, 0, "reading audit checkpoints", err, errlen);
	return rc < 0 ? -1 : seq;
}

int64_t store_audit_prune_before(struct store *st, int64_t anchor_seq, int64_t at_ms, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO audit_retention(first_seq, at_ms) VALUES (?,?)", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_error(st, "anchoring audit retention", err, errlen);
	sqlite3_bind_int64(s, 1, anchor_seq);
	sqlite3_bind_int64(s, 2, at_ms);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, "anchoring audit retention", err, errlen);
	if (sqlite3_prepare_v2(st->db, "DELETE FROM audit WHERE seq < ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "pruning the audit trail", err, errlen);
	sqlite3_bind_int64(s, 1, anchor_seq);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, "pruning the audit trail", err, errlen);
	return sqlite3_changes(st->db);
}

int store_audit_extent(struct store *st, int64_t *first_seq, int64_t *count, char *err, size_t errlen)
{
	*first_seq = *count = 0;
	return query_ints(st, "SELECT MIN(seq), count(*) FROM audit", NULL, 0, first_seq, count, 0,
			  "reading the audit trail", err, errlen) < 0
		       ? -1
		       : 0;
}

int store_token_register(struct store *st, const char *fingerprint, int64_t at_ms, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO audit_tokens(fingerprint, at_ms) VALUES (?,?)", -1, &s,
			       NULL) != SQLITE_OK)
		return db_error(st, "registering a token", err, errlen);
	sqlite3_bind_text(s, 1, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, at_ms);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, "registering a token", err, errlen);
	return sqlite3_changes(st->db) > 0;
}

int store_audit_summary(struct store *st, int64_t from_ms, int64_t to_ms, const char *player, int64_t now_ms,
			const char *const *outcome_names, int noutcomes, struct store_audit_summary *out, char *err,
			size_t errlen)
{
	/* ?1 from, ?2 to, ?3 player or NULL, ?4 now */
#define IN_RANGE " FROM alerts WHERE created_ms >= ?1 AND created_ms < ?2 AND (?3 IS NULL OR player_id = ?3)"
	static const char *const sql[] = {
		"SELECT level, count(*)" IN_RANGE " GROUP BY level",
		"SELECT outcome, count(*)" IN_RANGE " AND status = 'resolved' GROUP BY outcome",
		"SELECT COALESCE(MIN(acknowledged_ms, resolved_ms), acknowledged_ms, resolved_ms) - created_ms AS d"
		IN_RANGE " AND d IS NOT NULL ORDER BY d",
		"SELECT count(*), 0" IN_RANGE " AND ((resolved_ms IS NULL AND due_ms < ?4) OR resolved_ms > due_ms)",
	};
#undef IN_RANGE
	memset(out, 0, sizeof(*out));
	out->median_first_action_s = -1;
	int64_t *durations = NULL;
	size_t n = 0, cap = 0;
	for (size_t q = 0; q < ARRAY_SIZE(sql); q++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(st->db, sql[q], -1, &s, NULL) != SQLITE_OK) {
			free(durations);
			return db_error(st, "summing alerts", err, errlen);
		}
		sqlite3_bind_int64(s, 1, from_ms);
		sqlite3_bind_int64(s, 2, to_ms);
		if (player)
			sqlite3_bind_text(s, 3, player, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, now_ms);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (q == 0) {
				int level = sqlite3_column_int(s, 0);
				int64_t c = sqlite3_column_int64(s, 1);
				if (level >= 2)
					out->alerts_red += c;
				else
					out->alerts_amber += c;
			} else if (q == 1) {
				const char *o = (const char *)sqlite3_column_text(s, 0);
				for (int i = 0; o && i < noutcomes && i < (int)ARRAY_SIZE(out->outcomes); i++)
					if (strcmp(o, outcome_names[i]) == 0)
						out->outcomes[i] += sqlite3_column_int64(s, 1);
			} else if (q == 2) {
				if (n == cap) {
					cap = cap ? 2 * cap : 256;
					int64_t *p = realloc(durations, cap * sizeof(*p));
					if (!p) {
						sqlite3_finalize(s);
						free(durations);
						return seterr(err, errlen, "out of memory");
					}
					durations = p;
				}
				durations[n++] = sqlite3_column_int64(s, 0);
			} else {
				out->overdue = sqlite3_column_int64(s, 0);
			}
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			free(durations);
			return db_error(st, "summing alerts", err, errlen);
		}
	}
	out->acted = (int64_t)n;
	if (n)
		out->median_first_action_s = durations[n / 2] / 1000;
	free(durations);
	return 0;
}

int store_meta_set(struct store *st, const char *key, const char *value, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_error(st, "writing a setting", err, errlen);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, "writing a setting", err, errlen);
}

int store_meta_get(struct store *st, const char *key, char *out, size_t outlen, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "reading a setting", err, errlen);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		rg_strlcpy(out, v ? v : "", outlen);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = db_error(st, "reading a setting", err, errlen);
	}
	sqlite3_finalize(s);
	return found;
}
