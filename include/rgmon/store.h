/* store.h -- the SQLite store: the only module that talks to SQLite.
 *
 * One writer: a `struct store` opened read-write belongs to one thread (the
 * consumer); it writes every effect of a batch -- accepted events, rejects,
 * player state, counters and consumed offsets -- in ONE transaction, which is
 * what makes a crash re-read exactly the events whose effects were lost.
 * Readers (HTTP threads, CLI) open their own read-only connection; WAL lets
 * them read while the writer writes.
 *
 * Every function returns 0 (or a documented count) on success and -1 with a
 * one-line reason in err on failure.
 *
 * The code is src/store*.c, one file per concern (src/store_int.h lists
 * them); only those files include sqlite3.h. */
#ifndef RGMON_STORE_H
#define RGMON_STORE_H

#include "rgmon/common.h"
#include "rgmon/alert_decide.h"
#include "rgmon/engine.h"
#include "rgmon/policy.h"

struct store;

/* How long (in event time) accepted events, and so their event_ids for
 * duplicate detection, are kept: an event repeated within this window of the
 * newest event time is always recognised as a duplicate. (ingest.c prunes
 * this window plus its tolerance ahead behind the stream's time.) */
#define STORE_DEDUPE_WINDOW_DAYS 35

/* events = accepted + duplicates + duplicate_conflicts + rejected */
struct store_counters {
	int64_t events, accepted, duplicates, rejected, alerts;
	int64_t duplicate_conflicts; /* an event_id repeated with a different payload */
	/* accepted events in a currency the pack scoring the player has no
	 * amounts for: no money rule applies to them */
	int64_t unpriced_currency;
};

/* Where a message came from: a Kafka position or a file line. */
struct store_source {
	const char *topic; /* NULL for a file */
	int32_t partition; /* -1 for a file */
	int64_t offset;    /* Kafka offset, or 1-based line number */
	const char *file;  /* file name for a file source ("-" = stdin) */
};

struct store_offset {
	char topic[256];
	int32_t partition;
	int64_t next_offset;
	int64_t skipped; /* messages found gone before they were read */
};

struct store *store_open(const char *path, char *err, size_t errlen);
struct store *store_open_readonly(const char *path, char *err, size_t errlen);
void store_close(struct store *st);

/* The writer lock (store_lock.c): serve and replay hold it on DB.lock for
 * their life, so a second writer of the same database is refused with
 * who holds it. `command` ("serve", "replay") names the holder. */
struct store_lock;
struct store_lock *store_lock_take(const char *db_path, const char *command, char *err, size_t errlen);
void store_lock_release(struct store_lock *l);

/* Whether the writer's files are still the ones it opened: the database
 * and its WAL neither deleted nor replaced (e.g. by an operator's rm or
 * mv). A writer whose files changed has lost, or would lose, what it
 * commits: the first time, it saves what it had committed into the
 * database file when that is still its own (a WAL checkpoint), and from
 * then on refuses every transaction. store_commit checks before each
 * commit; serve also calls it while idle. 0 unchanged, -1 changed (the
 * reason in err, the same each call). */
int store_files_check(struct store *st, char *err, size_t errlen);
bool store_files_changed(const struct store *st);

/* Checks the store for the corruption that would apply events twice:
 * the event log must hold one event_id fingerprint per kept event, and
 * player_events its index entries (run at every start of serve and
 * replay); thorough adds SQLite's
 * quick_check of every page and record (about 7 s per GB). 0 sound, -1
 * with what is wrong, or why it could not be checked. See store_check.c. */
int store_check(struct store *st, bool thorough, char *err, size_t errlen);

/* WAL checkpoints on a thread and connection of their own, so that the
 * writer's commits never stall copying the WAL into the database (serve,
 * replay). It writes no rows; the writer is still the only writer.
 * Stop it before closing the writer. */
struct store_checkpointer;
struct store_checkpointer *store_checkpointer_start(struct store *writer, const char *path, char *err,
						    size_t errlen);
void store_checkpointer_stop(struct store_checkpointer *c);

/* Batch transaction (BEGIN IMMEDIATE ... COMMIT / ROLLBACK). */
int store_begin(struct store *st, char *err, size_t errlen);
int store_commit(struct store *st, char *err, size_t errlen);
/* A read transaction: what the reads until store_read_end see is one
 * snapshot (WAL), however long they take. */
int store_read_begin(struct store *st, char *err, size_t errlen);
void store_read_end(struct store *st);
void store_rollback(struct store *st);

/* Records an accepted event. Returns 1 when new, 0 when its event_id was
 * seen before (a duplicate: nothing written), -1 on error. */
int store_event_add(struct store *st, const struct event *ev, const struct store_source *src,
		    const char *raw, size_t rawlen, char *err, size_t errlen);
/* Keeps a rejected message: raw bytes, where it came from and why. */
int store_rejected_add(struct store *st, const struct store_source *src, const char *event_id,
		       const char *reason, const char *raw, size_t rawlen, char *err, size_t errlen);

/* Loads a player's state: 1 found, 0 new player (ps initialised), -1 error. */
int store_player_load(struct store *st, const char *player_id, struct player_state *ps, char *err,
		      size_t errlen);
/* What a player's row holds beside the state blob: its partition, and the
 * state's level, score and country (the portfolio view's index). The
 * writer keeps it with a cached state, so a save that leaves them as they
 * are rewrites the blob alone (store_player_save). */
struct store_player_row {
	bool known; /* the row exists and holds the values below */
	int32_t partition;
	uint8_t level, score;
	char country[sizeof(((struct player_state *)0)->country)];
};
/* store_player_load, and what the row holds (row->known false when the
 * player is new). */
int store_player_load_row(struct store *st, const char *player_id, struct player_state *ps,
			  struct store_player_row *row, char *err, size_t errlen);
/* Saves ps. row: what the row holds (NULL: unknown), updated to what it
 * holds after the save. */
int store_player_save(struct store *st, const char *player_id, int32_t partition,
		      const struct player_state *ps, struct store_player_row *row, char *err, size_t errlen);

int store_counters_add(struct store *st, const struct store_counters *delta, char *err, size_t errlen);
int store_counters_get(struct store *st, struct store_counters *out, char *err, size_t errlen);

int store_offset_set(struct store *st, const char *topic, int32_t partition, int64_t next_offset,
		     char *err, size_t errlen);
/* Counts messages of a partition the consumer found gone (its next
 * offset was below the log start, or the log jumped ahead), in the
 * transaction of the batch that resumed after them. */
int store_offset_skipped_add(struct store *st, const char *topic, int32_t partition, int64_t skipped,
			     char *err, size_t errlen);
/* Returns the number of offsets written to out (at most max), or -1. */
int store_offsets_get(struct store *st, struct store_offset *out, int max, char *err, size_t errlen);
/* Stored next offset of one partition: 1 found, 0 none, -1 error. */
int store_offset_get(struct store *st, const char *topic, int32_t partition, int64_t *next_offset,
		     char *err, size_t errlen);

/* Forgets accepted events older than the dedupe window before `now_ms`
 * (event time). Returns the number deleted, or -1. */
int64_t store_prune_events(struct store *st, int64_t now_ms, char *err, size_t errlen);

/* Rejected messages, oldest first, for listing: calls fn for each until
 * it returns a negative value. */
typedef int (*store_rejected_fn)(void *ctx, const char *source, const char *event_id,
				 const char *reason);
int store_rejected_each(struct store *st, store_rejected_fn fn, void *ctx, char *err, size_t errlen);

/* The policy in use: kept by identity (its text too) and named current.
 * store_policy_current gives the current policy's text (malloc'd): 1
 * found, 0 none (a database filled before policies existed), -1 error. */
int store_policy_use(struct store *st, const char *policy_id, const char *name, const char *text, char *err,
		     size_t errlen);
int store_policy_current(struct store *st, char **text, char *err, size_t errlen);
/* A setting kept in the database (meta table): set, and get into out
 * (1 found, 0 not, -1 error). */
int store_meta_set(struct store *st, const char *key, const char *value, char *err, size_t errlen);
int store_meta_get(struct store *st, const char *key, char *out, size_t outlen, char *err, size_t errlen);
/* A policy by identity (its text, malloc'd): 1, 0 when unknown, -1. */
int store_policy_text(struct store *st, const char *policy_id, char **text, char *err, size_t errlen);

/* Alerts in the store by the jurisdiction of the pack that raised them
 * (its "jurisdiction", read from the stored text): fn is called once per
 * jurisdiction, in code order. Returns 0 or -1. */
typedef int (*store_jurisdiction_count_fn)(void *ctx, const char *jurisdiction, int64_t alerts);
int store_alerts_by_jurisdiction(struct store *st, store_jurisdiction_count_fn fn, void *ctx, char *err,
				 size_t errlen);

/* The event at which a player's marker last started to hold (evidence). */
int store_marker_set(struct store *st, const char *player_id, const char *rule, const char *event_id,
		     int64_t ts_ms, char *err, size_t errlen);
/* 1 found (event_id filled), 0 none, -1 error. */
int store_marker_get(struct store *st, const char *player_id, const char *rule, char *event_id, size_t len,
		     char *err, size_t errlen);

/* Evidence per reason (store_evidence.c). The deposits a counting rule
 * counted when it last held for the player, by event time (replacing the
 * rule's earlier ones); an alert's events for one reason, copied from
 * those (replacing the reason's earlier ones; returns how many, or -1) or
 * added one by one; and an alert's evidence in event time order. */
int store_marker_evidence_set(struct store *st, const char *player_id, const char *rule, const int64_t *ts, int n,
			      char *err, size_t errlen);
int store_alert_evidence_from_marker(struct store *st, const char *alert_id, const char *player_id,
				     const char *rule, char *err, size_t errlen);
/* One event behind a reason of an alert (the event that raised it). */
int store_alert_evidence_add(struct store *st, const char *alert_id, const char *rule, const char *event_id,
			     int64_t ts_ms, char *err, size_t errlen);
/* The event at which the player's marker of rule last started to hold. */
int store_alert_evidence_marker(struct store *st, const char *alert_id, const char *player_id, const char *rule,
				char *err, size_t errlen);
typedef int (*store_alert_evidence_fn)(void *ctx, const char *rule, const char *event_id, int64_t ts_ms);
int store_alert_evidence_each(struct store *st, const char *alert_id, store_alert_evidence_fn fn, void *ctx,
			      char *err, size_t errlen);

/* Alerts are stored as struct alert (alert_decide.h); their lists
 * (rules, reasons, evidence) are JSON text columns, written and read here
 * through alert_json.h, so nothing above the store sees that text. */

/* The player's harm alert that is not resolved yet (obligations aside):
 * 1 found, 0 none, -1 error. */
int store_alert_open_for_player(struct store *st, const char *player_id, struct alert *out, char *err,
				size_t errlen);
/* Inserts or replaces an alert (by alert_id). */
int store_alert_put(struct store *st, const struct alert *a, char *err, size_t errlen);
/* Which alerts to list: everything unset matches all (see _init). The
 * cursor (after_*) continues after that row in the sort's order. */
#define STORE_ALERTS_UNRESOLVED "unresolved"
enum store_alert_sort {
	STORE_SORT_LEVEL,   /* most severe first, then soonest due (default) */
	STORE_SORT_DUE,     /* soonest due first */
	STORE_SORT_CREATED, /* newest first */
};
struct store_alert_filter {
	const char *status;    /* an alert_status_name, STORE_ALERTS_UNRESOLVED (open or acknowledged), or NULL: any */
	int level;             /* enum risk_level, -1: any */
	const char *player_id; /* NULL: any */
	int64_t since_ms;      /* created at or after; INT64_MIN: any */
	int64_t until_ms;      /* created before; INT64_MAX: any */
	const char *assignee;  /* acknowledged_by; NULL: any */
	enum store_alert_sort sort;
	int limit; /* rows; -1: all */
	bool after;
	int after_level;
	int64_t after_ms; /* the sort's time of the cursor row: due_ms, or created_ms for STORE_SORT_CREATED */
	char after_id[ALERT_ID_LEN + 1];
};
void store_alert_filter_init(struct store_alert_filter *f);

/* Alerts in f->sort's order that match f. fn returns
 * nonzero to stop. */
typedef int (*store_alert_fn)(void *ctx, const struct alert *a);
int store_alerts_query(struct store *st, const struct store_alert_filter *f, store_alert_fn fn, void *ctx,
		       char *err, size_t errlen);
/* One alert by id: 1 found, 0 none, -1 error. */
int store_alert_get(struct store *st, const char *alert_id, struct alert *out, char *err, size_t errlen);

/* Each alert created in [from_ms, to_ms) (of one player when player is
 * not NULL), in no set order, with what the regulator figures count
 * (audit_stats.c); strings are borrowed for the callback only. fn returns
 * nonzero to stop. */
struct store_alert_facts {
	int level;                              /* enum risk_level */
	const char *status;                     /* open, acknowledged, resolved */
	const char *outcome;                    /* NULL when not resolved */
	int64_t created_ms, due_ms;
	int64_t acknowledged_ms, resolved_ms;   /* INT64_MIN: not set */
};
typedef int (*store_alert_facts_fn)(void *ctx, const struct store_alert_facts *a);
int store_alerts_created_each(struct store *st, int64_t from_ms, int64_t to_ms, const char *player,
			      store_alert_facts_fn fn, void *ctx, char *err, size_t errlen);

struct store_alert_counts {
	int64_t by_level_status[LEVEL_COUNT][ALERT_STATUS_COUNT];
	int64_t overdue; /* not resolved and due before now */
};
int store_alert_counts(struct store *st, int64_t now_ms, struct store_alert_counts *out, char *err,
		       size_t errlen);

/* A staff transition of an alert (wall time). Strings are borrowed;
 * outcome and note may be NULL. */
struct store_alert_action {
	const char *alert_id, *action, *actor, *role;
	int64_t at_ms;
	const char *outcome, *note;
	const char *assigned_to; /* an "assign": to whom; else NULL */
};
int store_alert_action_add(struct store *st, const struct store_alert_action *a, char *err, size_t errlen);
/* An alert's actions, oldest first; fn returns nonzero to stop. */
typedef int (*store_alert_action_fn)(void *ctx, const struct store_alert_action *a);
int store_alert_actions_each(struct store *st, const char *alert_id, store_alert_action_fn fn, void *ctx,
			     char *err, size_t errlen);

/* An accepted event's raw JSON (malloc'd) by id, while it is within the
 * dedupe window: 1 found, 0 none (unknown or pruned), -1 error. The writer
 * finds it by its duplicate table; a reader reads every kept batch's ids,
 * or with store_event_raw_at only those of batches spanning ts_ms (the
 * event's time, as evidence rows keep it). */
int store_event_raw(struct store *st, const char *event_id, char **raw, char *err, size_t errlen);
int store_event_raw_at(struct store *st, const char *event_id, int64_t ts_ms, char **raw, char *err, size_t errlen);
/* The same, first among the player's events other than game rounds, then
 * (a game round) among the batches holding events of [from_ms, to_ms]
 * only: a reader never reads every kept batch's ids for one event. */
int store_player_event_raw(struct store *st, const char *player_id, const char *event_id, int64_t from_ms,
			   int64_t to_ms, char **raw, char *err, size_t errlen);
/* A player's raw events, handed to fn until it returns nonzero. */
typedef int (*store_raw_fn)(void *ctx, const char *raw);
/* All of a player's kept events in the order they were applied (game
 * rounds too); decodes the whole event log, for offline tools. */
int store_player_events_applied(struct store *st, const char *player_id, store_raw_fn fn, void *ctx, char *err,
				size_t errlen);
/* Every kept event in the order applied (player_id NULL in
 * store_player_events_applied means every player's). */
int store_events_each(struct store *st, store_raw_fn fn, void *ctx, char *err, size_t errlen);
/* A player's latest events other than game rounds, newest first, at most
 * limit. */
int store_player_events_each(struct store *st, const char *player_id, int limit, store_raw_fn fn, void *ctx,
			     char *err, size_t errlen);

/* The transactional outbox: messages for Kafka, added in the transaction
 * of the decision they announce, marked sent once Kafka acknowledged them.
 * Strings in a store_outbox_msg are borrowed for the callback only. */
struct store_outbox_msg {
	int64_t seq;
	const char *topic, *key, *alert_id; /* alert_id may be NULL */
	const char *value;
	size_t value_len;
};
int store_outbox_add(struct store *st, const char *topic, const char *key, const char *alert_id,
		     const char *value, int64_t created_ms, char *err, size_t errlen);
typedef int (*store_outbox_fn)(void *ctx, const struct store_outbox_msg *m);
/* Unsent messages with seq > after_seq, in order, at most limit; fn
 * returns nonzero to stop. */
int store_outbox_unsent_each(struct store *st, int64_t after_seq, int limit, store_outbox_fn fn, void *ctx,
			     char *err, size_t errlen);
int store_outbox_mark_sent(struct store *st, int64_t seq, int64_t sent_ms, char *err, size_t errlen);
/* Messages not yet sent, or -1. */
int64_t store_outbox_backlog(struct store *st, char *err, size_t errlen);
/* Forgets messages sent before sent_before_ms; returns how many, or -1. */
int64_t store_outbox_prune(struct store *st, int64_t sent_before_ms, char *err, size_t errlen);

/* The audit trail (audit.c makes the records and their hashes). A chain
 * starts from AUDIT_GENESIS_HASH; strings in a store_audit_row are borrowed
 * for the callback only. */
#define AUDIT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_HASH_HEX 65
/* The recorded_at_ms of a record written before records carried one. */
#define AUDIT_NO_RECORDED_AT INT64_MIN
struct store_audit_row {
	int64_t seq, at_ms;
	int64_t recorded_at_ms; /* wall time it was written, or AUDIT_NO_RECORDED_AT */
	const char *kind;
	const char *player_id; /* NULL for records about no player */
	const char *payload;   /* canonical JSON */
	const char *prev_hash, *hash;
};
/* The chain head: its seq (0 when empty) and hash (the genesis when empty). */
int store_audit_head(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX], char *err, size_t errlen);
/* The same, and the head's recorded_at_ms (AUDIT_NO_RECORDED_AT when it has
 * none or the chain is empty). */
int store_audit_head_recorded(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX], int64_t *recorded_at_ms,
			      char *err, size_t errlen);
int store_audit_insert(struct store *st, const struct store_audit_row *r, char *err, size_t errlen);
/* The latest checkpoint's seq and time, or seq 0 when there is none. */
int store_audit_last_checkpoint(struct store *st, int64_t *seq, int64_t *at_ms, char *err, size_t errlen);
/* The contiguous seq span from the first record recorded at or after
 * from_ms to the last one recorded before to_ms (by recorded_at_ms; a
 * record without one by at_ms); 0 when no record is in the times, 1 when
 * found. */
int store_audit_span(struct store *st, int64_t from_ms, int64_t to_ms, int64_t *first, int64_t *last, char *err,
		     size_t errlen);
typedef int (*store_audit_fn)(void *ctx, const struct store_audit_row *r);
/* Records first..last in seq order, only player's when player is not NULL;
 * fn returning non-zero stops. */
int store_audit_each(struct store *st, int64_t first, int64_t last, const char *player, store_audit_fn fn,
		     void *ctx, char *err, size_t errlen);
/* Drops the records before anchor_seq (a checkpoint): records the anchor,
 * then deletes; returns how many went, or -1 (the triggers refuse any other
 * deletion). */
int64_t store_audit_prune_before(struct store *st, int64_t anchor_seq, int64_t at_ms, char *err, size_t errlen);
/* The latest checkpoint at or before at_ms after the current anchor, or 0. */
int64_t store_audit_checkpoint_before(struct store *st, int64_t at_ms, char *err, size_t errlen);
/* The oldest retained record's seq (1, or the retention anchor), and the
 * number of records. */
int store_audit_extent(struct store *st, int64_t *first_seq, int64_t *count, char *err, size_t errlen);
/* Waits until no write transaction is open on the database (takes the
 * write lock and gives it back): every record recorded before the call is
 * committed when it returns 0. 1 when another writer kept the lock for
 * the whole busy timeout (serve committing batch after batch), -1 on
 * another error. */
int store_write_barrier(struct store *st, char *err, size_t errlen);
/* The wall time (ms) the latest write transaction committed at, 0 when
 * none did: every audit record recorded before it is committed, and every
 * one written since is recorded at or after it. */
int store_committed_at(struct store *st, int64_t *ms, char *err, size_t errlen);

/* The token fingerprint was not registered before: records it, returns 1;
 * 0 when it was. */
int store_token_register(struct store *st, const char *fingerprint, int64_t at_ms, char *err, size_t errlen);

/* ---- the portfolio view (store_portfolio.c) ----
 * Days are UTC days since 1970-01-01 (ms / 86400000). */
#define STORE_PORTFOLIO_KEEP_DAYS 400 /* daily level counts kept */
#define STORE_PORTFOLIO_SCORE_DAYS 8  /* per-player daily scores kept: a week back, and today */
typedef int (*store_portfolio_count_fn)(void *ctx, const char *country, int level, int64_t players);
/* Players by account country ("" unknown) and level (enum risk_level),
 * from the players table's columns; fn returning non-zero stops. */
int store_players_by_country_level(struct store *st, store_portfolio_count_fn fn, void *ctx, char *err,
				   size_t errlen);
/* Starts day's snapshot: drops any earlier one of that day and the days
 * past STORE_PORTFOLIO_KEEP_DAYS; with scores, also keeps each scored
 * player's score for the day (from the players table) and drops scores
 * older than STORE_PORTFOLIO_SCORE_DAYS. store_portfolio_day_put then
 * adds the counts. Writer only. */
int store_portfolio_day_begin(struct store *st, int32_t day, bool scores, char *err, size_t errlen);
int store_portfolio_day_put(struct store *st, int32_t day, const char *jurisdiction, int level, int64_t players,
			    char *err, size_t errlen);
typedef int (*store_portfolio_day_fn)(void *ctx, int32_t day, const char *jurisdiction, int level,
				      int64_t players);
int store_portfolio_days_each(struct store *st, int32_t from_day, int32_t to_day, store_portfolio_day_fn fn,
			      void *ctx, char *err, size_t errlen);
typedef int (*store_portfolio_mover_fn)(void *ctx, const char *player_id, int score_then, int score_now,
					int level_now);
/* The players whose score rose (up) or fell most since day's snapshot,
 * at most limit, biggest change first. Returns 1, 0 when there is no
 * snapshot of that day (nothing walked), or -1. */
int store_portfolio_movers(struct store *st, int32_t day, bool up, int limit, store_portfolio_mover_fn fn,
			   void *ctx, char *err, size_t errlen);
/* Alerts opened (resolved false) and resolved (true) per UTC day in
 * [from_ms, to_ms). */
typedef int (*store_portfolio_flow_fn)(void *ctx, int32_t day, bool resolved, int64_t alerts);
int store_portfolio_flow_each(struct store *st, int64_t from_ms, int64_t to_ms, store_portfolio_flow_fn fn,
			      void *ctx, char *err, size_t errlen);
/* out: alerts resolved since from_ms, of them resolved by their due time,
 * and alerts unresolved and past due at now_ms. */
int store_portfolio_resolutions(struct store *st, int64_t from_ms, int64_t now_ms, int64_t out[3], char *err,
				size_t errlen);
/* Per rule of the alerts resolved since from_ms: how many, and how many
 * as false_positive. */
typedef int (*store_portfolio_fp_fn)(void *ctx, const char *rule, int64_t resolved, int64_t false_positives);
int store_portfolio_false_positives_each(struct store *st, int64_t from_ms, store_portfolio_fp_fn fn, void *ctx,
					 char *err, size_t errlen);

#endif
