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
 * one-line reason in err on failure. */
#ifndef RGMON_STORE_H
#define RGMON_STORE_H

#include "rgmon/common.h"
#include "rgmon/engine.h"
#include "rgmon/policy.h"

struct store;

/* How long (in event time) accepted events, and so their event_ids for
 * duplicate detection, are kept: an event repeated within this window of the
 * newest event time is always recognised as a duplicate. */
#define STORE_DEDUPE_WINDOW_DAYS 35

struct store_counters {
	int64_t events, accepted, duplicates, rejected, alerts;
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
};

struct store *store_open(const char *path, char *err, size_t errlen);
struct store *store_open_readonly(const char *path, char *err, size_t errlen);
void store_close(struct store *st);

/* Batch transaction (BEGIN IMMEDIATE ... COMMIT / ROLLBACK). */
int store_begin(struct store *st, char *err, size_t errlen);
int store_commit(struct store *st, char *err, size_t errlen);
void store_rollback(struct store *st);

/* Records an accepted event. Returns 1 when new, 0 when its event_id was
 * seen before (a duplicate: nothing written), -1 on error. */
int store_event_add(struct store *st, const struct event *ev, const struct store_source *src,
		    const char *raw, size_t rawlen, char *err, size_t errlen);
/* Keeps a rejected message: raw bytes, where it came from and why. */
int store_rejected_add(struct store *st, const struct store_source *src, const char *event_id,
		       const char *reason, const char *raw, size_t rawlen, char *err, size_t errlen);

/* Loads a player's state: 1 found, 0 new player (st initialised), -1 error. */
int store_player_load(struct store *st, const char *player_id, struct player_state *ps, char *err,
		      size_t errlen);
int store_player_save(struct store *st, const char *player_id, int32_t partition,
		      const struct player_state *ps, char *err, size_t errlen);

int store_counters_add(struct store *st, const struct store_counters *delta, char *err, size_t errlen);
int store_counters_get(struct store *st, struct store_counters *out, char *err, size_t errlen);

int store_offset_set(struct store *st, const char *topic, int32_t partition, int64_t next_offset,
		     char *err, size_t errlen);
/* Returns the number of offsets written to out (at most max), or -1. */
int store_offsets_get(struct store *st, struct store_offset *out, int max, char *err, size_t errlen);
/* Stored next offset of one partition: 1 found, 0 none, -1 error. */
int store_offset_get(struct store *st, const char *topic, int32_t partition, int64_t *next_offset,
		     char *err, size_t errlen);

/* Forgets accepted events older than the dedupe window before `now_ms`
 * (event time). Returns the number deleted, or -1. */
int64_t store_prune_events(struct store *st, int64_t now_ms, char *err, size_t errlen);

/* Rejected messages, oldest first, for listing: calls fn for each. */
typedef int (*store_rejected_fn)(void *ctx, const char *source, const char *event_id,
				 const char *reason);
int store_rejected_each(struct store *st, store_rejected_fn fn, void *ctx, char *err, size_t errlen);

/* The policy in use: kept by identity (its text too) and named current.
 * store_policy_current gives the current policy's text (malloc'd): 1
 * found, 0 none (a database filled before policies existed), -1 error. */
int store_policy_use(struct store *st, const char *policy_id, const char *name, const char *text, char *err,
		     size_t errlen);
int store_policy_current(struct store *st, char **text, char *err, size_t errlen);

/* The event at which a player's marker last started to hold (evidence). */
int store_marker_set(struct store *st, const char *player_id, const char *rule, const char *event_id,
		     int64_t ts_ms, char *err, size_t errlen);
/* 1 found (event_id filled), 0 none, -1 error. */
int store_marker_get(struct store *st, const char *player_id, const char *rule, char *event_id, size_t len,
		     char *err, size_t errlen);

/* An alert row. rules, reasons, evidence are JSON arrays as text and note
 * free text, all malloc'd (store_alert_release frees them). Times are ms
 * since the epoch; INT64_MIN = not set. level and action are enum
 * risk_level / risk_action. */
struct store_alert {
	char alert_id[65];
	char player_id[PLAYER_ID_MAX + 1];
	int level;
	char status[16]; /* open, acknowledged, resolved */
	int action;
	char *rules, *reasons, *evidence;
	char policy[POLICY_ID_MAX + 1];
	int64_t created_ms, updated_ms, due_ms;
	int escalations;
	char outcome[32];
	char actor[PLAYER_ID_MAX + 1];
	char *note;
	int64_t acknowledged_ms, resolved_ms;
};
void store_alert_release(struct store_alert *a);

/* The player's alert that is not resolved yet: 1 found, 0 none, -1 error. */
int store_alert_open_for_player(struct store *st, const char *player_id, struct store_alert *out, char *err,
				size_t errlen);
/* Inserts or replaces an alert (by alert_id). */
int store_alert_put(struct store *st, const struct store_alert *a, char *err, size_t errlen);
/* Alerts in queue order (level, then due time), optionally only those with
 * `status`. fn returns nonzero to stop. */
typedef int (*store_alert_fn)(void *ctx, const struct store_alert *a);
int store_alerts_each(struct store *st, const char *status, store_alert_fn fn, void *ctx, char *err,
		      size_t errlen);

#endif
