/* ingest.c -- one batch at a time: parse, dedupe, apply, commit. */
#include "rgmon/ingest.h"
#include "rgmon/alert.h"
#include "rgmon/audit.h"
#include "rgmon/clock.h"
#include "rgmon/digest.h"
#include "rgmon/engine.h"
#include "rgmon/event.h"
#include "rgmon/follow_ups.h"
#include "rgmon/huge_alloc.h"
#include "rgmon/log.h"
#include "rgmon/portfolio.h"
#include "rgmon/timestamp.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
/* Pruning runs every PRUNE_EVERY_BATCHES commits or PRUNE_EVERY_EVENTS
 * messages, whichever comes first: by batches alone, a replay's batches
 * of up to INGEST_BATCH_MAX would prune once per 4M events, each prune
 * then deleting that many index rows in one commit, and the duplicate
 * table counting the events past the window as live meanwhile. */
#define PRUNE_EVERY_BATCHES 64
#define PRUNE_EVERY_EVENTS 320000

struct cache_entry {
	char player_id[PLAYER_ID_MAX + 1];
	int32_t partition;
	bool dirty;   /* used by the open batch: stays cached until it commits */
	bool unsaved; /* changed since the store last had it */
	struct store_player_row row; /* what the store's row holds beside the state */
	uint32_t hash_next;         /* chain in the hash bucket */
	uint32_t lru_prev, lru_next; /* most recent at lru_head */
	struct player_state state;
};

struct pending_offset {
	char topic[256];
	int32_t partition;
	int64_t next_offset;
};

struct ingest {
	struct store *store;
	struct ingest_config cfg;

	/* player cache */
	struct cache_entry *entries;
	uint32_t capacity, used;
	uint32_t *buckets, nbuckets; /* nbuckets is a power of two */
	uint32_t lru_head, lru_tail;
	uint32_t *dirty; /* indexes of entries changed in the open batch */
	uint32_t ndirty;

	/* the open batch */
	bool in_batch;
	size_t pending;
	size_t pending_bytes; /* of the open batch's messages: INGEST_BATCH_BYTES */
	struct store_counters delta, committed;
	struct pending_offset *offsets;
	size_t noffsets, offsets_cap;
	size_t last_offset; /* index last updated: messages come in per-partition runs */

	/* The stream's time: the newest accepted event time, kept in the
	 * store's meta 'stream_time' (so a restart, serve or replay, goes on
	 * from it); ENGINE_NO_TIME before the first event. stream_ms includes
	 * the open batch, stream_committed_ms what the store holds. */
	int64_t stream_ms, stream_committed_ms;
	/* The earliest end of a follow-up window not yet complete, read when
	 * a batch opens (staff actions open windows between batches);
	 * INT64_MAX when none is open. */
	int64_t follow_up_next_ms;
	int64_t max_ahead_ms;
	unsigned batches_since_prune;
	uint64_t events_since_prune;
	/* Currencies seen that the scoring pack does not price, each logged
	 * once (the first few): counted in the store, said in the log. */
	char unpriced_logged[8][4];
};

static uint32_t hash_id(const char *s) { return (uint32_t)digest_fnv1a(s); }

/* ---- the stream's time ------------------------------------------------ */

#define STREAM_TIME_KEY "stream_time"

static int stream_time_load(struct store *st, int64_t *ms, char *err, size_t errlen)
{
	char text[32];
	char *end;
	*ms = ENGINE_NO_TIME;
	int found = store_meta_get(st, STREAM_TIME_KEY, text, sizeof(text), err, errlen);
	if (found <= 0)
		return found;
	long long v = strtoll(text, &end, 10);
	if (end == text || *end != '\0')
		return seterr(err, errlen, "the stored stream time \"%s\" is not a number", text);
	*ms = v;
	return 0;
}

static int stream_time_save(struct store *st, int64_t ms, char *err, size_t errlen)
{
	char text[32];
	snprintf(text, sizeof(text), "%" PRId64, ms);
	return store_meta_set(st, STREAM_TIME_KEY, text, err, errlen);
}

/* An event too far ahead of the stream's time to be believed: one such
 * event would otherwise set the player's clock, and the stream's (and so
 * what is pruned), years ahead. Fills reason. The first event of an empty
 * store has nothing to be measured against. Under serve the wall clock
 * moves the bound on too, so that a stream quiet for longer than the
 * tolerance is not then rejected for good. */
static bool too_far_ahead(const struct ingest *ig, const struct event *ev, char *reason, size_t reasonlen)
{
	int64_t base = ig->stream_ms;
	const char *what = "the stream's time";
	if (ig->cfg.ahead_of_wall_clock) {
		int64_t wall = clock_now_ms();
		if (base == ENGINE_NO_TIME || wall > base) {
			base = wall;
			what = "the clock";
		}
	}
	if (base == ENGINE_NO_TIME || ev->ts_ms - base <= ig->max_ahead_ms)
		return false;
	char at[TS_RFC3339_LEN], from[TS_RFC3339_LEN];
	ts_format_rfc3339(ev->ts_ms, at, sizeof(at));
	ts_format_rfc3339(base, from, sizeof(from));
	seterr(reason, reasonlen, "ts %s is more than %lld h ahead of %s %s%s", at,
	       (long long)(ig->max_ahead_ms / MS_PER_HOUR), what, from,
	       base == ig->stream_ms ? " (the newest accepted event)" : "");
	return true;
}

struct ingest *ingest_new(struct store *st, const struct ingest_config *cfg, char *err, size_t errlen)
{
	struct ingest *ig = calloc(1, sizeof(*ig));
	if (!ig)
		goto oom;
	ig->store = st;
	ig->cfg = *cfg;
	ig->capacity = (uint32_t)(cfg->cache_players ? cfg->cache_players : INGEST_CACHE_DEFAULT);
	/* Every player touched by an open batch stays cached until commit:
	 * ingest_batch_full() ends a batch at half the cache. */
	if (ig->capacity < 2)
		ig->capacity = 2;
	for (ig->nbuckets = 1; ig->nbuckets < ig->capacity; ig->nbuckets <<= 1)
		;
	/* ~3 KB an entry, each touched first when a new player comes: from
	 * huge pages, not a fault per 4 KB (huge_alloc.h) -- with 20,000
	 * players new to serve, those faults were ~5% of its writer thread. */
	ig->entries = huge_alloc(ig->capacity * sizeof(*ig->entries));
	ig->buckets = malloc(ig->nbuckets * sizeof(*ig->buckets));
	ig->dirty = malloc(ig->capacity * sizeof(*ig->dirty));
	if (!ig->entries || !ig->buckets || !ig->dirty)
		goto oom;
	memset(ig->buckets, 0xff, ig->nbuckets * sizeof(*ig->buckets));
	ig->lru_head = ig->lru_tail = NIL;
	ig->max_ahead_ms = (cfg->max_ahead_hours > 0 ? cfg->max_ahead_hours : INGEST_MAX_AHEAD_HOURS_DEFAULT) * MS_PER_HOUR;
	if (stream_time_load(st, &ig->stream_ms, err, errlen) < 0) {
		ingest_free(ig);
		return NULL;
	}
	ig->stream_committed_ms = ig->stream_ms;
	ig->follow_up_next_ms = INT64_MAX;
	/* The first commit prunes by the stored stream's time: a run of short
	 * replays keeps the window too. */
	ig->batches_since_prune = PRUNE_EVERY_BATCHES - 1;
	return ig;
oom:
	ingest_free(ig);
	seterr(err, errlen, "out of memory for the player cache");
	return NULL;
}

void ingest_free(struct ingest *ig)
{
	if (!ig)
		return;
	if (ig->in_batch)
		ingest_abort(ig);
	huge_free(ig->entries, ig->capacity * sizeof(*ig->entries));
	free(ig->buckets);
	free(ig->dirty);
	free(ig->offsets);
	free(ig);
}

/* ---- cache ---------------------------------------------------------- */

static void lru_unlink(struct ingest *ig, uint32_t i)
{
	struct cache_entry *e = &ig->entries[i];
	if (e->lru_prev != NIL)
		ig->entries[e->lru_prev].lru_next = e->lru_next;
	else
		ig->lru_head = e->lru_next;
	if (e->lru_next != NIL)
		ig->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		ig->lru_tail = e->lru_prev;
}

static void lru_push_front(struct ingest *ig, uint32_t i)
{
	struct cache_entry *e = &ig->entries[i];
	e->lru_prev = NIL;
	e->lru_next = ig->lru_head;
	if (ig->lru_head != NIL)
		ig->entries[ig->lru_head].lru_prev = i;
	ig->lru_head = i;
	if (ig->lru_tail == NIL)
		ig->lru_tail = i;
}

static void hash_remove(struct ingest *ig, uint32_t i)
{
	uint32_t *p = &ig->buckets[hash_id(ig->entries[i].player_id) & (ig->nbuckets - 1)];
	while (*p != NIL && *p != i)
		p = &ig->entries[*p].hash_next;
	if (*p == i)
		*p = ig->entries[i].hash_next;
}

static uint32_t cache_find(struct ingest *ig, const char *player_id, uint32_t bucket)
{
	for (uint32_t i = ig->buckets[bucket]; i != NIL; i = ig->entries[i].hash_next)
		if (strcmp(ig->entries[i].player_id, player_id) == 0)
			return i;
	return NIL;
}

/* The cached state of a player, loaded from the store on a miss; marks it
 * used by the open batch. NULL on a store error, or when every cached
 * player is the open batch's. */
static struct cache_entry *cache_get(struct ingest *ig, const char *player_id, int32_t partition,
				     char *err, size_t errlen)
{
	uint32_t bucket = hash_id(player_id) & (ig->nbuckets - 1);
	uint32_t i = cache_find(ig, player_id, bucket);
	if (i == NIL) {
		if (ig->used < ig->capacity) {
			i = ig->used++;
		} else {
			/* The least recently used entry is clean when the caller
			 * commits at ingest_batch_full() (half the cache): only the
			 * open batch's entries are dirty. One that does not must
			 * not lose a state. */
			i = ig->lru_tail;
			if (ig->entries[i].dirty) {
				seterr(err, errlen, "the open batch changed all %u cached players: it must commit first",
				       ig->capacity);
				return NULL;
			}
			lru_unlink(ig, i);
			hash_remove(ig, i);
		}
		struct cache_entry *e = &ig->entries[i];
		rg_strlcpy(e->player_id, player_id, sizeof(e->player_id));
		e->dirty = false;
		e->unsaved = false;
		if (store_player_load_row(ig->store, player_id, &e->state, &e->row, err, errlen) < 0) {
			/* Leave the slot out of the table; it is reused later. */
			e->player_id[0] = '\0';
			lru_push_front(ig, i);
			ig->entries[i].hash_next = NIL;
			return NULL;
		}
		e->hash_next = ig->buckets[bucket];
		ig->buckets[bucket] = i;
		lru_push_front(ig, i);
	} else if (ig->lru_head != i) {
		lru_unlink(ig, i);
		lru_push_front(ig, i);
	}
	struct cache_entry *e = &ig->entries[i];
	e->partition = partition;
	e->unsaved = true; /* the caller applies an event to it */
	if (!e->dirty) {
		e->dirty = true;
		ig->dirty[ig->ndirty++] = i;
	}
	return e;
}

static void cache_clear(struct ingest *ig)
{
	ig->used = 0;
	ig->ndirty = 0;
	ig->lru_head = ig->lru_tail = NIL;
	memset(ig->buckets, 0xff, ig->nbuckets * sizeof(*ig->buckets));
}

/* ---- batch ---------------------------------------------------------- */

static int batch_open(struct ingest *ig, char *err, size_t errlen)
{
	if (ig->in_batch)
		return 0;
	if (store_begin(ig->store, err, errlen) < 0)
		return -1;
	ig->in_batch = true;
	return store_follow_up_next_end(ig->store, &ig->follow_up_next_ms, err, errlen);
}

/* A message key for a reject reason: at most KEY_SHOWN bytes, anything
 * but printable ASCII (and the quote and backslash) as \xHH. */
#define KEY_SHOWN 64
static void key_excerpt(const unsigned char *key, size_t len, char out[4 * KEY_SHOWN + 4])
{
	size_t o = 0;
	for (size_t i = 0; i < len && i < KEY_SHOWN; i++) {
		if (key[i] >= 0x20 && key[i] < 0x7f && key[i] != '"' && key[i] != '\\')
			out[o++] = (char)key[i];
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", key[i]);
	}
	if (len > KEY_SHOWN) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The pack that scores this event (policy_set_for_event). */
static const struct policy *policy_for(const struct ingest *ig, const struct event *ev,
				       const struct player_state *st)
{
	return ig->cfg.policies ? policy_set_for_event(ig->cfg.policies, st->country, ev) : ig->cfg.policy;
}

/* An event_id seen before: a plain duplicate when the payload is the one
 * accepted, else a conflict, kept with the rejects naming both digests. */
static int duplicate_seen(struct ingest *ig, const struct store_source *src, const struct event *ev,
			  const char *raw, size_t len, enum ingest_outcome *outcome, char *reason, size_t reasonlen,
			  char *err, size_t errlen)
{
	char *first = NULL, first_digest[DIGEST_SHA256_HEX], this_digest[DIGEST_SHA256_HEX];
	if (store_event_raw(ig->store, ev->event_id, &first, err, errlen) < 0)
		return -1;
	int rc = !first || event_payload_digest(first, strlen(first), first_digest) < 0 ||
		 event_payload_digest(raw, len, this_digest) < 0;
	free(first);
	if (rc)
		return seterr(err, errlen, "event \"%s\": cannot compare with the accepted payload", ev->event_id);
	if (strcmp(first_digest, this_digest) == 0) {
		*outcome = INGEST_DUPLICATE;
		ig->delta.duplicates++;
		return 0;
	}
	seterr(reason, reasonlen, "duplicate event_id \"%s\" with a different payload (accepted sha256:%s, this sha256:%s)",
	       ev->event_id, first_digest, this_digest);
	*outcome = INGEST_DUPLICATE_CONFLICT;
	ig->delta.duplicate_conflicts++;
	return store_rejected_add(ig->store, src, ev->event_id, reason, raw, len, err, errlen);
}

/* A player's state as it is now, for the follow-ups: the cached one
 * (with this batch's events) when cached, else the stored one. */
static int follow_up_state(void *ctx, const char *player_id, struct player_state *out, char *err, size_t errlen)
{
	struct ingest *ig = ctx;
	uint32_t i = cache_find(ig, player_id, hash_id(player_id) & (ig->nbuckets - 1));
	if (i != NIL) {
		*out = ig->entries[i].state;
		return 0;
	}
	return store_player_load(ig->store, player_id, out, err, errlen) < 0 ? -1 : 0;
}

/* The follow-up windows that ev's time ends, measured before ev is
 * applied. Measured only at the batch's end, a window would be read from
 * states holding the whole batch: a player's events more than a day past
 * the window's end take the day ring's slots (ENGINE_DAYS) of its first
 * days. All that are due, not FOLLOW_UPS_PER_BATCH: the next event may be
 * such a one. */
static int follow_ups_before(struct ingest *ig, const struct event *ev, char *err, size_t errlen)
{
	if (ev->ts_ms < ig->follow_up_next_ms)
		return 0;
	struct follow_up_packs packs = { ig->cfg.policies, ig->cfg.policy };
	int n;
	do
		n = follow_ups_complete_due(ig->store, &packs, ev->ts_ms, follow_up_state, ig, err, errlen);
	while (n > 0);
	return n < 0 ? -1 : store_follow_up_next_end(ig->store, &ig->follow_up_next_ms, err, errlen);
}

/* Saves the open batch's players that changed since the store last had
 * them: a batch crossing several days saves its players at each crossing
 * (below), and again at its commit only those changed since. */
static int save_changed_players(struct ingest *ig, char *err, size_t errlen)
{
	for (uint32_t k = 0; k < ig->ndirty; k++) {
		struct cache_entry *e = &ig->entries[ig->dirty[k]];
		if (!e->unsaved)
			continue;
		if (store_player_save(ig->store, e->player_id, e->partition, &e->state, &e->row, err, errlen) < 0)
			return -1;
		e->unsaved = false; /* a rollback clears the whole cache */
	}
	return 0;
}

/* The portfolio's daily snapshot (portfolio.h): when ev is the first
 * accepted event of a later UTC day than the stream's, the days the
 * stream leaves are recorded with the players as they stand before ev --
 * the open batch's players saved first, so the store has them. Keyed on
 * the stream's time: a replay writes the same rows. */
static int portfolio_day_crossed(struct ingest *ig, const struct event *ev, char *err, size_t errlen)
{
	if (ig->stream_ms == ENGINE_NO_TIME || portfolio_day_of(ev->ts_ms) <= portfolio_day_of(ig->stream_ms))
		return 0;
	if (save_changed_players(ig, err, errlen) < 0)
		return -1;
	return portfolio_snapshot(ig->store, ig->cfg.policies, ig->cfg.policy, portfolio_day_of(ig->stream_ms),
				  portfolio_day_of(ev->ts_ms) - 1, err, errlen);
}

int ingest_message(struct ingest *ig, const struct store_source *src, const char *raw, size_t len,
		   enum ingest_outcome *outcome, char *reason, size_t reasonlen, char *err, size_t errlen)
{
	return ingest_keyed_message(ig, src, NULL, 0, raw, len, outcome, reason, reasonlen, err, errlen);
}

static void note_unpriced(struct ingest *ig, const struct event *ev, const struct policy *pol)
{
	ig->delta.unpriced_currency++;
	for (size_t i = 0; i < ARRAY_SIZE(ig->unpriced_logged); i++) {
		if (strcmp(ig->unpriced_logged[i], ev->currency) == 0)
			return;
		if (!ig->unpriced_logged[i][0]) {
			memcpy(ig->unpriced_logged[i], ev->currency, sizeof(ig->unpriced_logged[i]));
			log_warn("events in currency \"%s\" (first: %s, player %s): pack %s has no amounts for it, so no "
				 "money rule applies to them; counted in rgmon_unpriced_currency_events_total",
				 ev->currency, ev->event_id, ev->player_id, pol->id);
			return;
		}
	}
}

int ingest_keyed_message(struct ingest *ig, const struct store_source *src, const void *key, size_t key_len,
			 const char *raw, size_t len, enum ingest_outcome *outcome, char *reason, size_t reasonlen,
			 char *err, size_t errlen)
{
	struct event ev;
	struct engine_result res;

	if (batch_open(ig, err, errlen) < 0)
		return -1;
	ig->pending++;
	ig->pending_bytes += len;
	ig->delta.events++;

	if (event_parse(raw, len, &ev, reason, reasonlen) < 0) {
		size_t kept = len;
		if (len > EVENT_RAW_MAX) { /* a bounded prefix, never the whole of it */
			kept = INGEST_RAW_KEPT;
			size_t used = strlen(reason);
			snprintf(reason + used, reasonlen - used, " (its first %d bytes are kept)", INGEST_RAW_KEPT);
		}
		*outcome = INGEST_REJECTED;
		ig->delta.rejected++;
		return store_rejected_add(ig->store, src, ev.event_id, reason, raw, kept, err, errlen);
	}
	if (key_len > 0 && (key_len != strlen(ev.player_id) || memcmp(key, ev.player_id, key_len) != 0)) {
		char shown[4 * KEY_SHOWN + 4];
		key_excerpt(key, key_len, shown);
		seterr(reason, reasonlen, "key \"%s\" does not match player_id \"%s\"", shown, ev.player_id);
		*outcome = INGEST_REJECTED;
		ig->delta.rejected++;
		return store_rejected_add(ig->store, src, ev.event_id, reason, raw, len, err, errlen);
	}
	if (too_far_ahead(ig, &ev, reason, reasonlen)) {
		*outcome = INGEST_REJECTED;
		ig->delta.rejected++;
		return store_rejected_add(ig->store, src, ev.event_id, reason, raw, len, err, errlen);
	}
	int added = store_event_add(ig->store, &ev, src, raw, len, err, errlen);
	if (added < 0)
		return -1;
	if (added == 0)
		return duplicate_seen(ig, src, &ev, raw, len, outcome, reason, reasonlen, err, errlen);
	if (portfolio_day_crossed(ig, &ev, err, errlen) < 0)
		return -1;
	if (follow_ups_before(ig, &ev, err, errlen) < 0)
		return -1;
	struct cache_entry *e = cache_get(ig, ev.player_id, src->partition, err, errlen);
	if (!e)
		return -1;
	const struct policy *pol = policy_for(ig, &ev, &e->state);
	/* Counted (/metrics) and shown on the player: no money rule reads it. */
	if (ev.currency[0] && policy_currency_index(pol, ev.currency) < 0)
		note_unpriced(ig, &ev, pol);
	engine_apply(&e->state, &ev, pol, &res);
	if (audit_event_decisions(ig->store, pol, &ev, &e->state, &res, err, errlen) < 0)
		return -1;
	if (alert_note_counted(ig->store, pol, &ev, &e->state, &res, err, errlen) < 0)
		return -1;
	if (alert_event_matters(&res)) {
		int opened;
		if (alert_on_event(ig->store, pol, &ev, &e->state, &res, &opened, err, errlen) < 0)
			return -1;
		ig->delta.alerts += opened;
	}
	if (ig->stream_ms == ENGINE_NO_TIME || ev.ts_ms > ig->stream_ms)
		ig->stream_ms = ev.ts_ms;
	*outcome = INGEST_ACCEPTED;
	ig->delta.accepted++;
	return 0;
}

static bool offset_is(const struct pending_offset *o, const char *topic, int32_t partition)
{
	return o->partition == partition && strcmp(o->topic, topic) == 0;
}

int ingest_note_offset(struct ingest *ig, const char *topic, int32_t partition, int64_t next_offset,
		       char *err, size_t errlen)
{
	if (ig->last_offset < ig->noffsets && offset_is(&ig->offsets[ig->last_offset], topic, partition)) {
		ig->offsets[ig->last_offset].next_offset = next_offset;
		return 0;
	}
	for (size_t i = 0; i < ig->noffsets; i++)
		if (offset_is(&ig->offsets[i], topic, partition)) {
			ig->offsets[i].next_offset = next_offset;
			ig->last_offset = i;
			return 0;
		}
	if (ig->noffsets == ig->offsets_cap) {
		size_t cap = ig->offsets_cap ? ig->offsets_cap * 2 : 64;
		struct pending_offset *p = realloc(ig->offsets, cap * sizeof(*p));
		if (!p)
			return seterr(err, errlen, "out of memory");
		ig->offsets = p;
		ig->offsets_cap = cap;
	}
	ig->last_offset = ig->noffsets;
	struct pending_offset *o = &ig->offsets[ig->noffsets++];
	rg_strlcpy(o->topic, topic, sizeof(o->topic));
	o->partition = partition;
	o->next_offset = next_offset;
	return 0;
}

void ingest_offsets_each(const struct ingest *ig, ingest_offset_fn fn, void *ctx)
{
	for (size_t i = 0; i < ig->noffsets; i++)
		fn(ctx, ig->offsets[i].topic, ig->offsets[i].partition, ig->offsets[i].next_offset);
}

size_t ingest_pending(const struct ingest *ig) { return ig->pending; }

bool ingest_batch_full(const struct ingest *ig)
{
	return ig->pending >= INGEST_BATCH_MAX || ig->pending_bytes >= INGEST_BATCH_BYTES ||
	       ig->ndirty >= ig->capacity / 2;
}

/* Pruning keeps the dedupe window behind the stream's time less the
 * tolerance ahead: an event accepted up to max_ahead early moves the
 * stream's time, but never evicts an event the stream without it would
 * still have kept. */
static int64_t prune_horizon(const struct ingest *ig)
{
	int64_t now = ig->stream_ms - ig->max_ahead_ms;
	if (ig->cfg.cap_prune_at_wall_clock) {
		int64_t wall = clock_now_ms();
		if (wall < now)
			now = wall;
	}
	return now;
}

/* The follow-up windows of resolved alerts that the stream's time has
 * now passed (follow_ups.h), measured in the batch's transaction. */
static int complete_follow_ups(struct ingest *ig, char *err, size_t errlen)
{
	if (ig->stream_ms == ENGINE_NO_TIME || ig->stream_ms == ig->stream_committed_ms)
		return 0;
	struct follow_up_packs packs = { ig->cfg.policies, ig->cfg.policy };
	return follow_ups_complete_due(ig->store, &packs, ig->stream_ms, follow_up_state, ig, err, errlen) < 0 ? -1 : 0;
}

int ingest_commit(struct ingest *ig, char *err, size_t errlen)
{
	if (!ig->in_batch) {
		if (ig->noffsets == 0)
			return 0;
		if (batch_open(ig, err, errlen) < 0)
			return -1;
	}
	if (complete_follow_ups(ig, err, errlen) < 0 || save_changed_players(ig, err, errlen) < 0)
		goto fail;
	if (store_counters_add(ig->store, &ig->delta, err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < ig->noffsets; i++)
		if (store_offset_set(ig->store, ig->offsets[i].topic, ig->offsets[i].partition,
				     ig->offsets[i].next_offset, err, errlen) < 0)
			goto fail;
	if (ig->stream_ms != ig->stream_committed_ms && stream_time_save(ig->store, ig->stream_ms, err, errlen) < 0)
		goto fail;
	ig->events_since_prune += ig->pending;
	if ((++ig->batches_since_prune >= PRUNE_EVERY_BATCHES || ig->events_since_prune >= PRUNE_EVERY_EVENTS) &&
	    ig->stream_ms != ENGINE_NO_TIME) {
		ig->batches_since_prune = 0;
		ig->events_since_prune = 0;
		if (store_prune_events(ig->store, prune_horizon(ig), err, errlen) < 0)
			goto fail;
	}
	if (store_commit(ig->store, err, errlen) < 0)
		goto fail;

	for (uint32_t k = 0; k < ig->ndirty; k++)
		ig->entries[ig->dirty[k]].dirty = false;
	ig->ndirty = 0;
	ig->committed.events += ig->delta.events;
	ig->committed.accepted += ig->delta.accepted;
	ig->committed.duplicates += ig->delta.duplicates;
	ig->committed.duplicate_conflicts += ig->delta.duplicate_conflicts;
	ig->committed.rejected += ig->delta.rejected;
	ig->committed.alerts += ig->delta.alerts;
	ig->committed.unpriced_currency += ig->delta.unpriced_currency;
	memset(&ig->delta, 0, sizeof(ig->delta));
	ig->stream_committed_ms = ig->stream_ms;
	ig->noffsets = 0;
	ig->pending = 0;
	ig->pending_bytes = 0;
	ig->in_batch = false;
	return 0;
fail:
	ingest_abort(ig);
	return -1;
}

void ingest_abort(struct ingest *ig)
{
	store_rollback(ig->store);
	/* Cached states may hold the rolled-back batch: reload from the store. */
	cache_clear(ig);
	memset(&ig->delta, 0, sizeof(ig->delta));
	ig->stream_ms = ig->stream_committed_ms;
	ig->noffsets = 0;
	ig->pending = 0;
	ig->pending_bytes = 0;
	ig->in_batch = false;
}

void ingest_totals(const struct ingest *ig, struct store_counters *out) { *out = ig->committed; }

size_t ingest_bytes_per_cached_player(void)
{
	/* entry + hash bucket (nbuckets <= 2 * capacity) + dirty index */
	return sizeof(struct cache_entry) + 2 * sizeof(uint32_t) + sizeof(uint32_t);
}
