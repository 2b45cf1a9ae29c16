/* ingest.h -- the batch pipeline every event source shares (replay, serve):
 * raw message -> event_parse -> duplicate check -> engine_apply, with all
 * effects of a batch committed to the store in one transaction together
 * with the consumed offsets.
 *
 * Owns the player-state cache: a bounded LRU over the store, so memory does
 * not grow with the number of players. One ingest belongs to one thread
 * (the store's writer). */
#ifndef RGMON_INGEST_H
#define RGMON_INGEST_H

#include "rgmon/common.h"
#include "rgmon/store.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"

/* A batch is the unit of commit. It ends when the source says (serve's
 * when no more messages are waiting, or --batch-ms after its first; a
 * file's at the end) or when ingest_batch_full(): INGEST_BATCH_MAX
 * messages, INGEST_BATCH_BYTES of them (messages of up to EVENT_RAW_MAX,
 * kept whole when rejected, would otherwise make one transaction of
 * gigabytes), or half the player cache changed (the other half keeps the
 * clean players an eviction takes). Each commit rewrites every page its
 * changes touch -- the players' states, the indexes by player -- and those
 * pages are spread over the whole file, so a commit costs about the same
 * for 5,000 events as for 60,000: measured on 300k events of 5,000
 * players, replay wrote 693 B/event to disk at 5,000 events a batch and
 * 225 at 60,000; serve from a backlog of 1.2M events of 5,000 players
 * wrote 304 B/event at 65,536 (and serve's 250 ms) and 193 at 262,144
 * (and 1 s). Batches only grow this large when events wait anyway
 * (group commit), so this costs no latency. */
#define INGEST_BATCH_MAX 262144
#define INGEST_BATCH_BYTES (64u << 20)
/* Of a message over EVENT_RAW_MAX (rejected by its length) only this many
 * first bytes are read and kept with the reject. */
#define INGEST_RAW_KEPT 4096
#define INGEST_CACHE_DEFAULT 50000
#define INGEST_CACHE_MIN 10000 /* serve's --cache-players: smaller would only make batches smaller */
/* How far (hours of event time) an event may be ahead of the stream's
 * time, the newest accepted event time, and still be accepted; an event
 * further ahead is rejected (one event dated 9999 would otherwise move its
 * player's clock, and the stream's pruning, to 9999). serve measures from
 * its wall clock too, so a day is ample there (producers' clocks differ a
 * little). replay has only event time, and a file may be quiet for days
 * (a scenario, a small operator): a month there. */
#define INGEST_MAX_AHEAD_HOURS_DEFAULT 24
#define INGEST_MAX_AHEAD_HOURS_REPLAY 720

struct ingest_config {
	const struct policy *policy; /* rules, thresholds and calendar days (borrowed) */
	/* Every pack at once (borrowed): when set, each player is scored by
	 * the pack of their account country (policy_set_for_country), and
	 * `policy` is not used. */
	const struct policy_set *policies;
	size_t cache_players;  /* LRU size; 0: INGEST_CACHE_DEFAULT */
	bool cap_prune_at_wall_clock; /* serve, replay: never prune by future-dated events */
	int64_t max_ahead_hours; /* 0: INGEST_MAX_AHEAD_HOURS_DEFAULT */
	/* serve and replay: an event within max_ahead_hours of the wall clock
	 * is not too far ahead either, so the stream never sticks after a
	 * quiet spell, an empty store's first event is bounded, and history
	 * (all in the past) replays the same on any day. Off only in tests of
	 * the stream-time bound itself. */
	bool ahead_of_wall_clock;
};

/* A duplicate repeats an accepted event_id with the same payload (a
 * redelivery); a duplicate conflict repeats it with a different payload
 * (event_payload_digest): not applied either, but kept with the rejects --
 * both digests in its reason -- and counted apart. */
enum ingest_outcome { INGEST_ACCEPTED, INGEST_DUPLICATE, INGEST_REJECTED, INGEST_DUPLICATE_CONFLICT };

struct ingest;

struct ingest *ingest_new(struct store *st, const struct ingest_config *cfg, char *err, size_t errlen);
void ingest_free(struct ingest *ig);

/* Processes one message inside the open batch (opening it if needed).
 * An event more than max_ahead_hours ahead of the stream's time is
 * rejected like a bad one; every other valid event is accepted or a
 * duplicate (one older than the kept days is stored and deduplicated, and
 * aggregated only where the state still has room for it).
 * *outcome says what became of it; for a reject or a duplicate conflict,
 * reason holds the one-line reason (the message is already kept in the store). Returns -1 on a
 * store failure, or when the caller went on past ingest_batch_full() until
 * the cache had no clean player left: the caller must then ingest_abort()
 * and re-read from the stored offsets. When len is over EVENT_RAW_MAX, raw need hold only the
 * first INGEST_RAW_KEPT bytes (source_file passes no more). */
int ingest_message(struct ingest *ig, const struct store_source *src, const char *raw, size_t len,
		   enum ingest_outcome *outcome, char *reason, size_t reasonlen, char *err, size_t errlen);

/* The same for a Kafka message with its key (key_len 0: none). Events are
 * keyed by player_id so that a player's events stay in one partition, in
 * order, with the instance that owns that partition's state: a message
 * whose key is not its player_id is rejected. Keyless messages are
 * accepted (keyless producers exist). */
int ingest_keyed_message(struct ingest *ig, const struct store_source *src, const void *key, size_t key_len,
			 const char *raw, size_t len, enum ingest_outcome *outcome, char *reason, size_t reasonlen,
			 char *err, size_t errlen);

/* Records that a Kafka partition has been consumed up to next_offset; the
 * offset is written with the batch. */
int ingest_note_offset(struct ingest *ig, const char *topic, int32_t partition, int64_t next_offset,
		       char *err, size_t errlen);

/* Calls fn for each offset noted in the open batch (before it commits),
 * e.g. to mirror them to Kafka once the commit succeeds. */
typedef void (*ingest_offset_fn)(void *ctx, const char *topic, int32_t partition, int64_t next_offset);
void ingest_offsets_each(const struct ingest *ig, ingest_offset_fn fn, void *ctx);

/* Messages in the open batch. */
size_t ingest_pending(const struct ingest *ig);
/* The open batch must commit before the next message (INGEST_BATCH_MAX,
 * INGEST_BATCH_BYTES, half the cache). */
bool ingest_batch_full(const struct ingest *ig);

/* Writes dirty player state, counters and offsets and commits. A no-op
 * without an open batch. On failure the batch is rolled back and the cache
 * dropped (ingest_abort): re-read from the stored offsets. */
int ingest_commit(struct ingest *ig, char *err, size_t errlen);

/* Rolls back the open batch and forgets cached state that may hold its
 * effects. */
void ingest_abort(struct ingest *ig);

/* Memory the cache takes per player: its entry (id, links, state) plus its
 * share of the hash table and dirty list. Fixed: state does not grow. */
size_t ingest_bytes_per_cached_player(void);

/* Totals of what this ingest has committed since it was created. */
void ingest_totals(const struct ingest *ig, struct store_counters *out);

#endif
