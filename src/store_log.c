/* store_log.c -- the event log: accepted events kept as one compressed
 * row per batch, and the writer's duplicate check without a per-event
 * index.
 *
 * A batch's events are appended in memory (each as a 4-byte little-endian
 * length and its raw bytes) and written as one event_batches row in the
 * batch's transaction (store_commit calls store_log_flush), at most
 * LOG_BATCH_EVENTS events or LOG_BATCH_BYTES bytes a row: the raw bytes
 * LZ4-compressed, and beside them `ids`, the 8-byte fingerprint of each
 * event's event_id in the same order. Events other than game rounds also
 * get a narrow player_events row (player, time, type, id, batch): the
 * timeline, evidence and active-player count read those, and fetch a raw
 * event from its batch.
 *
 * Duplicates: the writer keeps every kept event's fingerprint in memory
 * (an open-addressing table of fingerprint -> batch and place in it, read
 * from the `ids` of the kept batches when the first event arrives, 14
 * bytes a slot, 20-40 bytes a kept event). An event whose fingerprint is
 * not there is new: no index is read or written. On a hit that event of
 * the batch (decoded, or the one the writer decoded last) has its event_id
 * compared exactly, so a fingerprint collision never drops an event. The
 * window is the log's: every event kept (the dedupe window of
 * STORE_DEDUPE_WINDOW_DAYS), as before.
 *
 * Owns: event_batches, player_events, the fingerprint table (struct
 * event_log, the writer's only).
 * Never: judges an event; raw bytes are kept as given. */
#include "store_int.h"
#include "rgmon/event.h"

#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#define LOG_BATCH_EVENTS 4096
#define LOG_BATCH_BYTES  (16 * 1024 * 1024)

/* A batch's events, decompressed: `buf` holds `n` length-prefixed events,
 * event i's raw bytes at buf + off[i] (off[i+1] - off[i] - 4 long). */
struct batch_events {
	int64_t seq;
	char *buf;
	size_t len;
	unsigned char *ids; /* n fingerprints */
	uint32_t *off;      /* n + 1 offsets into buf */
	size_t n;
	size_t pruned; /* the first `pruned` events are out of the window */
};

/* Open addressing, linear probing: fingerprint -> (batch seq, place);
 * batch 0 is an empty slot. */
struct fp_table {
	uint64_t *fp;
	uint32_t *batch;
	uint16_t *at; /* the event's place in its batch (< LOG_BATCH_EVENTS) */
	size_t cap, used;
};

struct event_log {
	/* The fingerprint table. Entries of batches below first_live were
	 * pruned: they count as absent, and a move to a new table drops
	 * them. Growing moves the entries a few slots per added event (from
	 * `old`, while old.cap > 0, its slots before `moved` already in
	 * `cur`; lookups probe both), not all at once: rehashing 400k
	 * entries at once held the writer ~95 ms, and 35M would hold it for
	 * seconds. */
	struct fp_table cur, old;
	size_t moved;
	/* Entries per batch from batch per_base on (per_len of them), and
	 * their sum from first_live on: the live count a new table is sized
	 * from, kept as events are added and pruned instead of counted. */
	uint32_t *per_batch;
	int64_t per_base;
	size_t per_len, per_cap;
	size_t live;
	/* The last committed batch decoded: a run of duplicates (a producer's
	 * resend, a file replayed twice) hits the same rows one after
	 * another, so each row is decompressed once, not once an event. */
	struct batch_events cached;
	bool loaded;
	int64_t first_live;
	int64_t open_seq; /* the seq the open batch's row will have */
	bool touched;     /* events added in the open transaction */
	/* the open batch */
	char *buf;
	size_t len, bufcap;
	uint64_t *ids;
	uint32_t *off; /* where each event starts in buf, and the end */
	size_t n, idscap, offcap;
	int64_t min_ts, max_ts;
};

/* FNV-1a, then a finaliser (splitmix64) so the low bits index well. */
static uint64_t fingerprint(const char *event_id)
{
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)event_id; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void batch_events_free(struct batch_events *b)
{
	free(b->buf);
	free(b->ids);
	free(b->off);
	memset(b, 0, sizeof(*b));
}

/* ---- the fingerprint table ---------------------------------------------- */

static void fp_table_free(struct fp_table *t)
{
	free(t->fp);
	free(t->batch);
	free(t->at);
	memset(t, 0, sizeof(*t));
}

/* An empty table with room for `need` entries at most 3/4 full. */
static int fp_table_init(struct fp_table *t, size_t need, char *err, size_t errlen)
{
	size_t cap = 1024;
	while (cap / 4 * 3 <= need)
		cap *= 2;
	memset(t, 0, sizeof(*t));
	t->fp = malloc(cap * sizeof(*t->fp));
	t->batch = calloc(cap, sizeof(*t->batch));
	t->at = malloc(cap * sizeof(*t->at));
	if (!t->fp || !t->batch || !t->at) {
		fp_table_free(t);
		return seterr(err, errlen, "out of memory (the duplicate table of %zu events)", need);
	}
	t->cap = cap;
	return 0;
}

static bool fp_table_full(const struct fp_table *t) { return t->used + 1 > t->cap / 4 * 3; }

static void fp_table_insert(struct fp_table *t, uint64_t fp, uint32_t batch, uint16_t at)
{
	size_t mask = t->cap - 1, i = (size_t)fp & mask;
	while (t->batch[i])
		i = (i + 1) & mask;
	t->fp[i] = fp;
	t->batch[i] = batch;
	t->at[i] = at;
	t->used++;
}

/* Moves old's slots [moved, until) that are live into cur; false when
 * cur filled up first. */
static bool table_move(struct event_log *lg, size_t until)
{
	for (; lg->moved < until && lg->moved < lg->old.cap; lg->moved++) {
		size_t i = lg->moved;
		if (!lg->old.batch[i] || lg->old.batch[i] < lg->first_live)
			continue;
		if (fp_table_full(&lg->cur))
			return false;
		fp_table_insert(&lg->cur, lg->old.fp[i], lg->old.batch[i], lg->old.at[i]);
	}
	if (lg->moved >= lg->old.cap)
		fp_table_free(&lg->old);
	return true;
}

#define TABLE_MOVE_STEP 64 /* slots of the old table moved per added event */

/* Every live entry, of cur and of old's slots not yet moved, into one new
 * table at once. */
static int table_rebuild(struct event_log *lg, char *err, size_t errlen)
{
	struct fp_table next;
	if (fp_table_init(&next, lg->live + lg->live / 2 + 1, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < lg->cur.cap; i++)
		if (lg->cur.batch[i] && lg->cur.batch[i] >= lg->first_live)
			fp_table_insert(&next, lg->cur.fp[i], lg->cur.batch[i], lg->cur.at[i]);
	fp_table_free(&lg->cur);
	lg->cur = next;
	table_move(lg, SIZE_MAX); /* room for every live entry: sized from the live count */
	return 0;
}

/* Room in cur for one more entry. A full cur is replaced by a new table
 * sized for the live entries and half as many again (so the table follows
 * the window, shrinking as pruning drops batches), and the entries move
 * to it over the next adds. Only if cur fills while a move is still
 * under way (after a prune of most of the window) is everything moved at
 * once. */
static int table_make_room(struct event_log *lg, char *err, size_t errlen)
{
	if (lg->old.cap && !table_move(lg, lg->moved + TABLE_MOVE_STEP))
		return table_rebuild(lg, err, errlen);
	if (!fp_table_full(&lg->cur))
		return 0;
	if (lg->old.cap)
		return table_rebuild(lg, err, errlen);
	struct fp_table next;
	if (fp_table_init(&next, lg->live + lg->live / 2 + 1, err, errlen) < 0)
		return -1;
	lg->old = lg->cur;
	lg->cur = next;
	lg->moved = 0;
	return 0;
}

/* Counts an entry of batch seq (seq >= first_live: batches only grow). */
static int per_batch_add(struct event_log *lg, int64_t seq, char *err, size_t errlen)
{
	if (lg->per_len == 0)
		lg->per_base = seq;
	if (seq < lg->per_base)
		return seterr(err, errlen, "event log: batch %lld comes after batch %lld", (long long)seq,
			      (long long)lg->per_base);
	size_t k = (size_t)(seq - lg->per_base);
	if (k >= lg->per_cap) {
		size_t cap = lg->per_cap ? lg->per_cap * 2 : 1024;
		while (cap <= k)
			cap *= 2;
		uint32_t *p = realloc(lg->per_batch, cap * sizeof(*p));
		if (!p)
			return seterr(err, errlen, "out of memory");
		memset(p + lg->per_cap, 0, (cap - lg->per_cap) * sizeof(*p));
		lg->per_batch = p;
		lg->per_cap = cap;
	}
	if (k >= lg->per_len)
		lg->per_len = k + 1;
	lg->per_batch[k]++;
	lg->live++;
	return 0;
}

/* Batches below first are pruned: their entries leave the live count. */
static void set_first_live(struct event_log *lg, int64_t first)
{
	if (first <= lg->first_live)
		return;
	lg->first_live = first;
	size_t drop = 0;
	while (drop < lg->per_len && lg->per_base + (int64_t)drop < first)
		lg->live -= lg->per_batch[drop++];
	if (drop > 0) { /* per_batch is NULL before the first entry */
		memmove(lg->per_batch, lg->per_batch + drop, (lg->per_len - drop) * sizeof(*lg->per_batch));
		memset(lg->per_batch + (lg->per_len - drop), 0, drop * sizeof(*lg->per_batch));
	}
	lg->per_len -= drop;
	lg->per_base = lg->per_len ? lg->per_base + (int64_t)drop : first;
}

static int table_add(struct event_log *lg, uint64_t fp, int64_t batch, size_t at, char *err, size_t errlen)
{
	if (at >= LOG_BATCH_EVENTS)
		return seterr(err, errlen, "event log: batch %lld is damaged (over %d events)", (long long)batch,
			      LOG_BATCH_EVENTS);
	if (batch <= 0 || batch > UINT32_MAX)
		return seterr(err, errlen, "event log: batch number %lld out of range", (long long)batch);
	if (table_make_room(lg, err, errlen) < 0 || per_batch_add(lg, batch, err, errlen) < 0)
		return -1;
	fp_table_insert(&lg->cur, fp, (uint32_t)batch, (uint16_t)at);
	return 0;
}

static void log_reset_open(struct event_log *lg)
{
	lg->len = lg->n = 0;
	lg->min_ts = INT64_MAX;
	lg->max_ts = INT64_MIN;
}

static void log_forget(struct event_log *lg)
{
	fp_table_free(&lg->cur);
	fp_table_free(&lg->old);
	lg->moved = 0;
	free(lg->per_batch);
	lg->per_batch = NULL;
	lg->per_base = 0;
	lg->per_len = lg->per_cap = lg->live = 0;
	batch_events_free(&lg->cached);
	lg->loaded = false;
	lg->open_seq = 0;
	lg->touched = false;
	log_reset_open(lg);
}

void store_log_free(struct store *st)
{
	if (!st->log)
		return;
	log_forget(st->log);
	free(st->log->buf);
	free(st->log->ids);
	free(st->log->off);
	free(st->log);
	st->log = NULL;
}

/* ---- loading the table ---------------------------------------------------- */

static const struct store_sql batch_ids = {
	"reading the event log's ids", "SELECT seq, ids, pruned FROM event_batches ORDER BY seq", "", STMT_NONE,
};

static const struct store_sql batch_bounds = {
	"reading the event log's bounds",
	"SELECT coalesce(min(seq), 1), coalesce(max(seq), 0) + 1, coalesce(sum(events), 0) FROM event_batches", "",
	STMT_NONE,
};

static int load_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct event_log *lg = ctx;
	int64_t seq = sqlite3_column_int64(s, 0);
	const unsigned char *ids = sqlite3_column_blob(s, 1);
	size_t n = (size_t)sqlite3_column_bytes(s, 1) / 8;
	int64_t pruned = sqlite3_column_int64(s, 2);
	if (pruned < 0 || (size_t)pruned > n)
		return seterr(err, errlen, "event log: batch %lld is damaged (%lld of %zu events pruned)", (long long)seq,
			      (long long)pruned, n);
	for (size_t i = (size_t)pruned; i < n; i++)
		if (table_add(lg, get_le64(ids + 8 * i), seq, i, err, errlen) < 0)
			return -1;
	return 0;
}

/* The writer's log, its fingerprint table read from the kept batches. */
static struct event_log *log_ready(struct store *st, char *err, size_t errlen)
{
	if (!st->log) {
		if (!(st->log = calloc(1, sizeof(*st->log)))) {
			seterr(err, errlen, "out of memory");
			return NULL;
		}
		log_reset_open(st->log);
	}
	struct event_log *lg = st->log;
	if (lg->loaded)
		return lg;
	int64_t b[3] = { 1, 1, 0 };
	if (store_exec(st, &batch_bounds, store_row_ints, b, err, errlen) < 0)
		return NULL;
	lg->first_live = b[0];
	lg->open_seq = b[1];
	if (fp_table_init(&lg->cur, (size_t)b[2], err, errlen) < 0 ||
	    store_exec(st, &batch_ids, load_row, lg, err, errlen) < 0) {
		log_forget(lg);
		return NULL;
	}
	lg->loaded = true;
	return lg;
}

/* ---- finding an event in a batch ------------------------------------------ */

static const struct store_sql batch_read = {
	"reading the event log", "SELECT size, ids, log, pruned FROM event_batches WHERE seq = ?", "I", STMT_NONE,
};

/* Fills b->off from b->buf: false when the events do not fill the buffer
 * exactly, one per fingerprint (a damaged row). */
static bool batch_index(struct batch_events *b)
{
	size_t pos = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (pos + 4 > b->len)
			return false;
		size_t n = get_le32((const unsigned char *)b->buf + pos);
		if (n > b->len - pos - 4)
			return false;
		b->off[i] = (uint32_t)pos;
		pos += 4 + n;
	}
	b->off[b->n] = (uint32_t)pos;
	return pos == b->len;
}

static int batch_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct batch_events *b = ctx;
	int64_t size = sqlite3_column_int64(s, 0), pruned = sqlite3_column_int64(s, 3);
	int nids = sqlite3_column_bytes(s, 1), zlen = sqlite3_column_bytes(s, 2);
	size_t n = (size_t)nids / 8;
	/* A damaged row is named, never trusted for a size or a count. */
	if (size < 0 || size > LOG_BATCH_BYTES + EVENT_RAW_MAX + 4 || nids % 8 || pruned < 0 || (size_t)pruned > n)
		return seterr(err, errlen, "event log: batch %lld is damaged (size %lld, %d id bytes, %lld pruned)",
			      (long long)b->seq, (long long)size, nids, (long long)pruned);
	b->buf = malloc(size ? (size_t)size : 1);
	b->ids = malloc(nids ? (size_t)nids : 1);
	b->off = malloc((n + 1) * sizeof(*b->off));
	if (!b->buf || !b->ids || !b->off)
		return seterr(err, errlen, "out of memory");
	if (nids)
		memcpy(b->ids, sqlite3_column_blob(s, 1), (size_t)nids);
	b->n = n;
	b->pruned = (size_t)pruned;
	b->len = (size_t)size;
	if (LZ4_decompress_safe(sqlite3_column_blob(s, 2), b->buf, zlen, (int)size) != (int)size || !batch_index(b))
		return seterr(err, errlen, "event log: batch %lld is damaged (it does not decompress to its events)",
			      (long long)b->seq);
	return 1;
}

/* Decodes batch seq into b (freeing what b held): 1, 0 when not kept, -1. */
static int batch_load(struct store *st, int64_t seq, struct batch_events *b, char *err, size_t errlen)
{
	if (b->seq == seq && b->buf)
		return 1;
	batch_events_free(b);
	b->seq = seq;
	int rc = store_exec(st, &batch_read, batch_row, b, err, errlen, seq);
	if (rc <= 0)
		batch_events_free(b);
	return rc < 0 ? -1 : rc > 0;
}

/* Event i of b: its raw bytes and their length. */
static const char *batch_event(const struct batch_events *b, size_t i, size_t *len)
{
	*len = b->off[i + 1] - b->off[i] - 4;
	return b->buf + b->off[i] + 4;
}

/* The i-th event of a length-prefixed buffer (at *pos onwards: walks on). */
static bool next_event(const char *buf, size_t len, size_t *pos, const char **raw, size_t *rawlen)
{
	if (*pos + 4 > len)
		return false;
	uint32_t n = get_le32((const unsigned char *)buf + *pos);
	if (*pos + 4 + n > len)
		return false;
	*raw = buf + *pos + 4;
	*rawlen = n;
	*pos += 4 + (size_t)n;
	return true;
}

/* Whether raw is the event event_id (parsed: its id is compared exactly). */
static bool raw_is(const char *raw, size_t len, const char *event_id)
{
	struct event ev;
	char why[256];
	return event_parse(raw, len, &ev, why, sizeof(why)) == 0 && strcmp(ev.event_id, event_id) == 0;
}

static int dup_raw(const char *raw, size_t len, char **out, char *err, size_t errlen)
{
	if (!out)
		return 1;
	if (!(*out = malloc(len + 1)))
		return seterr(err, errlen, "out of memory");
	memcpy(*out, raw, len);
	(*out)[len] = '\0';
	return 1;
}

/* Looks for event_id (fingerprint fp) among b's kept events -- only event
 * `at` when at >= 0 (the duplicate table knows where it is) -- parsing
 * only those with its fingerprint. 1 found (*out its raw copy when out),
 * 0 not there. */
static int events_find(const struct batch_events *b, long at, uint64_t fp, const char *event_id, char **out,
		       char *err, size_t errlen)
{
	unsigned char want[8];
	put_le64(want, fp);
	size_t from = at >= 0 ? (size_t)at : 0, to = at >= 0 ? (size_t)at + 1 : b->n;
	for (size_t i = from < b->pruned ? b->pruned : from; i < to && i < b->n; i++) {
		if (memcmp(b->ids + 8 * i, want, 8) != 0)
			continue;
		size_t rawlen;
		const char *raw = batch_event(b, i, &rawlen);
		if (raw_is(raw, rawlen, event_id))
			return dup_raw(raw, rawlen, out, err, errlen);
	}
	return 0;
}

/* Whether batch seq (the open one included) holds event_id. The writer
 * keeps the last batch it decoded. */
static int batch_find(struct store *st, int64_t seq, long at, uint64_t fp, const char *event_id, char **out,
		      char *err, size_t errlen)
{
	struct event_log *lg = st->log;
	if (lg && lg->loaded && seq == lg->open_seq) {
		struct batch_events open = { seq, lg->buf, lg->len, (unsigned char *)lg->ids, lg->off, lg->n, 0 };
		return events_find(&open, at, fp, event_id, out, err, errlen);
	}
	if (lg && lg->loaded) {
		int rc = batch_load(st, seq, &lg->cached, err, errlen);
		return rc > 0 ? events_find(&lg->cached, at, fp, event_id, out, err, errlen) : rc;
	}
	struct batch_events b = { 0 };
	int rc = batch_load(st, seq, &b, err, errlen);
	if (rc > 0)
		rc = events_find(&b, at, fp, event_id, out, err, errlen);
	batch_events_free(&b);
	return rc;
}

/* In the writer's table: each batch whose fingerprints hold fp, checked. */
static int table_find(struct store *st, uint64_t fp, const char *event_id, char **out, char *err, size_t errlen)
{
	struct event_log *lg = st->log;
	/* cur, then old while entries move (a moved one is in both: found
	 * twice at worst, never missed) */
	const struct fp_table *tables[2] = { &lg->cur, &lg->old };
	for (int k = 0; k < 2; k++) {
		const struct fp_table *t = tables[k];
		if (!t->cap)
			continue;
		size_t mask = t->cap - 1;
		for (size_t i = (size_t)fp & mask; t->batch[i]; i = (i + 1) & mask) {
			if (t->fp[i] != fp || t->batch[i] < lg->first_live)
				continue;
			int rc = batch_find(st, t->batch[i], t->at[i], fp, event_id, out, err, errlen);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ---- adding ------------------------------------------------------------ */

static const struct store_sql batch_add = {
	"writing the event log",
	"INSERT INTO event_batches(seq, events, min_ts, max_ts, size, ids, log) VALUES (?,?,?,?,?,?,?)", "IiIIiBB",
	STMT_NONE,
};

int store_log_flush(struct store *st, char *err, size_t errlen)
{
	struct event_log *lg = st->log;
	if (!lg || !lg->loaded || lg->n == 0)
		return 0;
	int bound = LZ4_compressBound((int)lg->len);
	char *z = malloc(bound > 0 ? (size_t)bound : 1);
	if (!z)
		return seterr(err, errlen, "out of memory");
	int zlen = LZ4_compress_default(lg->buf, z, (int)lg->len, bound);
	int rc = zlen > 0 ? 0 : seterr(err, errlen, "event log: compressing a batch failed");
	if (rc == 0)
		rc = store_exec(st, &batch_add, NULL, NULL, err, errlen, lg->open_seq, (int)lg->n, lg->min_ts,
				lg->max_ts, (int)lg->len, (const void *)lg->ids, lg->n * 8, (const void *)z,
				(size_t)zlen) < 0
			     ? -1
			     : 0;
	free(z);
	if (rc < 0)
		return -1;
	lg->open_seq++;
	log_reset_open(lg);
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t unit, char *err, size_t errlen)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap : 4096;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * unit);
	if (!q)
		return seterr(err, errlen, "out of memory");
	*p = q;
	*cap = cap2;
	return 0;
}

static int log_append(struct event_log *lg, uint64_t fp, int64_t ts_ms, const char *raw, size_t rawlen, char *err,
		      size_t errlen)
{
	if (grow((void **)&lg->buf, &lg->bufcap, lg->len + 4 + rawlen, 1, err, errlen) < 0 ||
	    grow((void **)&lg->ids, &lg->idscap, lg->n + 1, sizeof(*lg->ids), err, errlen) < 0 ||
	    grow((void **)&lg->off, &lg->offcap, lg->n + 2, sizeof(*lg->off), err, errlen) < 0)
		return -1;
	lg->off[lg->n] = (uint32_t)lg->len;
	unsigned char *p = (unsigned char *)lg->buf + lg->len;
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(rawlen >> (8 * i));
	memcpy(p + 4, raw, rawlen);
	lg->len += 4 + rawlen;
	put_le64((unsigned char *)&lg->ids[lg->n++], fp); /* bytes as the row keeps them */
	lg->off[lg->n] = (uint32_t)lg->len;
	if (ts_ms < lg->min_ts)
		lg->min_ts = ts_ms;
	if (ts_ms > lg->max_ts)
		lg->max_ts = ts_ms;
	return 0;
}

static const struct store_sql player_event_add = {
	"storing event",
	"INSERT INTO player_events(player_id, ts_ms, type, event_id, batch) VALUES (?,?,?,?,?)", "sIssI",
	STMT_EVENT_ADD,
};

int store_event_add(struct store *st, const struct event *ev, const struct store_source *src, const char *raw,
		    size_t rawlen, char *err, size_t errlen)
{
	(void)src; /* where it came from is in the offsets; the log keeps what */
	struct event_log *lg = log_ready(st, err, errlen);
	if (!lg)
		return -1;
	uint64_t fp = fingerprint(ev->event_id);
	int seen = table_find(st, fp, ev->event_id, NULL, err, errlen);
	if (seen != 0)
		return seen < 0 ? -1 : 0;
	lg->touched = true;
	if (table_add(lg, fp, lg->open_seq, lg->n, err, errlen) < 0 || log_append(lg, fp, ev->ts_ms, raw, rawlen, err, errlen) < 0)
		return -1;
	if (ev->type != EVENT_GAME_ROUND &&
	    store_exec(st, &player_event_add, NULL, NULL, err, errlen, ev->player_id, ev->ts_ms,
		       event_type_name(ev->type), ev->event_id, lg->open_seq) < 0)
		return -1;
	if (lg->n >= LOG_BATCH_EVENTS || lg->len >= LOG_BATCH_BYTES)
		return store_log_flush(st, err, errlen) < 0 ? -1 : 1;
	return 1;
}

void store_log_committed(struct store *st)
{
	if (st->log)
		st->log->touched = false;
}

/* A rolled-back transaction's events leave the table: it is read again. */
void store_log_rolled_back(struct store *st)
{
	if (st->log && st->log->touched)
		log_forget(st->log);
}

/* ---- pruning ------------------------------------------------------------- */

/* Events arrive roughly in time order, so the oldest are first in the log:
 * the prefix of the log before its first event within the window goes
 * (an event that arrived late stays a little longer, never shorter). The
 * rows before the one holding that event are deleted; in that row the
 * events before it are marked pruned (the row's `pruned` count), which
 * every reader and the duplicate table skip. */
static const struct store_sql prune_first_row = {
	"pruning events",
	"SELECT coalesce((SELECT seq FROM event_batches WHERE max_ts >= ?1 ORDER BY seq LIMIT 1),"
	" (SELECT max(seq) + 1 FROM event_batches), 1)",
	"I", STMT_NONE,
};

static const struct store_sql prune_count = {
	"pruning events", "SELECT coalesce(sum(events - pruned), 0) FROM event_batches WHERE seq < ?", "I", STMT_NONE,
};

static const struct store_sql prune_batches = {
	"pruning events", "DELETE FROM event_batches WHERE seq < ?", "I", STMT_NONE,
};

static const struct store_sql prune_in_row = {
	"pruning events", "UPDATE event_batches SET pruned = ?2 WHERE seq = ?1", "Ii", STMT_NONE,
};

/* player_events rows are in log order too: delete the prefix of the rows
 * deleted (those of the row cut in two stay with it). */
static const struct store_sql prune_player_events = {
	"pruning events",
	"DELETE FROM player_events WHERE seq < coalesce((SELECT seq FROM player_events WHERE batch >= ?1"
	" ORDER BY seq LIMIT 1), (SELECT max(seq) + 1 FROM player_events))",
	"I", STMT_NONE,
};

/* In row seq, the events before the first within the window are marked
 * pruned; returns how many more than before, or -1. */
static int64_t prune_row_prefix(struct store *st, int64_t seq, int64_t horizon, char *err, size_t errlen)
{
	struct batch_events b = { 0 };
	int rc = batch_load(st, seq, &b, err, errlen);
	if (rc <= 0)
		return rc;
	size_t pos = 0, rawlen, cut = b.pruned;
	const char *raw;
	for (size_t i = 0; next_event(b.buf, b.len, &pos, &raw, &rawlen); i++) {
		struct event ev;
		char why[256];
		if (i < b.pruned)
			continue;
		/* an event that no longer parses is kept: it cannot be placed */
		if (event_parse(raw, rawlen, &ev, why, sizeof(why)) < 0 || ev.ts_ms >= horizon)
			break;
		cut = i + 1;
	}
	int64_t more = (int64_t)(cut - b.pruned);
	batch_events_free(&b);
	if (more > 0 && store_exec(st, &prune_in_row, NULL, NULL, err, errlen, seq, (int)cut) < 0)
		return -1;
	return more;
}

int64_t store_prune_events(struct store *st, int64_t now_ms, char *err, size_t errlen)
{
	int64_t horizon = now_ms - STORE_DEDUPE_WINDOW_DAYS * MS_PER_DAY, first = 1, gone = 0;
	/* the open batch's events too, as when they were rows of their own */
	if (store_log_flush(st, err, errlen) < 0 ||
	    store_exec(st, &prune_first_row, store_row_ints, &first, err, errlen, horizon) < 0 ||
	    store_exec(st, &prune_count, store_row_ints, &gone, err, errlen, first) < 0 ||
	    store_exec(st, &prune_batches, NULL, NULL, err, errlen, first) < 0 ||
	    store_exec(st, &prune_player_events, NULL, NULL, err, errlen, first) < 0)
		return -1;
	int64_t more = prune_row_prefix(st, first, horizon, err, errlen);
	if (more < 0)
		return -1;
	if (st->log && st->log->loaded) {
		/* rows and pruned counts changed: the decoded row may be stale,
		 * and a rollback must read the table again */
		batch_events_free(&st->log->cached);
		st->log->touched = true;
		set_first_live(st->log, first);
	}
	return gone + more;
}

/* ---- reading ------------------------------------------------------------ */

static const struct store_sql batches_at = {
	"reading the event log's ids", "SELECT seq, ids FROM event_batches WHERE min_ts <= ?1 AND max_ts >= ?2", "II",
	STMT_NONE,
};

struct scan {
	struct store *st;
	uint64_t fp;
	const char *event_id;
	char **out;
	int found;
};

static int scan_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct scan *sc = ctx;
	const unsigned char *ids = sqlite3_column_blob(s, 1);
	size_t n = (size_t)sqlite3_column_bytes(s, 1) / 8;
	for (size_t i = 0; i < n; i++)
		if (get_le64(ids + 8 * i) == sc->fp) {
			int rc = batch_find(sc->st, sqlite3_column_int64(s, 0), (long)i, sc->fp, sc->event_id, sc->out, err,
					    errlen);
			if (rc != 0)
				return sc->found = rc; /* -1 stops with the error, 1 stops */
		}
	return 0;
}

/* event_id among the batches holding an event of [from_ms, to_ms]; the
 * writer asks its table instead. */
static int event_raw_between(struct store *st, const char *event_id, int64_t from_ms, int64_t to_ms, char **raw,
			     char *err, size_t errlen)
{
	*raw = NULL;
	uint64_t fp = fingerprint(event_id);
	if (st->log && st->log->loaded)
		return table_find(st, fp, event_id, raw, err, errlen);
	struct scan sc = { st, fp, event_id, raw, 0 };
	if (store_exec(st, &batches_at, scan_row, &sc, err, errlen, to_ms, from_ms) < 0)
		return -1;
	return sc.found;
}

int store_event_raw_at(struct store *st, const char *event_id, int64_t ts_ms, char **raw, char *err, size_t errlen)
{
	return event_raw_between(st, event_id, ts_ms, ts_ms, raw, err, errlen);
}

static const struct store_sql player_event_row = {
	"reading event",
	PLAYER_EVENTS_ALL_DAYS "SELECT batch FROM player_events WHERE " PLAYER_EVENTS_DAY
	" IN days AND player_id = ?1 AND event_id = ?2",
	"ss", STMT_NONE,
};

int store_player_event_raw(struct store *st, const char *player_id, const char *event_id, int64_t from_ms,
			   int64_t to_ms, char **raw, char *err, size_t errlen)
{
	int64_t batch = 0;
	*raw = NULL;
	/* an event other than a game round can be older than from_ms (a
	 * marker's start): its row is looked for in every day kept */
	if (store_exec(st, &player_event_row, store_row_ints, &batch, err, errlen, player_id, event_id) < 0)
		return -1;
	int rc = batch > 0 ? batch_find(st, batch, -1, fingerprint(event_id), event_id, raw, err, errlen) : 0;
	/* a game round: the ids of the rows of that span only */
	return rc != 0 ? rc : event_raw_between(st, event_id, from_ms, to_ms, raw, err, errlen);
}

int store_event_raw(struct store *st, const char *event_id, char **raw, char *err, size_t errlen)
{
	return event_raw_between(st, event_id, INT64_MIN, INT64_MAX, raw, err, errlen);
}

/* A player's events other than game rounds, newest first: their ids from
 * player_events, each raw from its batch (consecutive ones often share
 * it: it is decoded once). */
static const struct store_sql player_recent = {
	"reading events",
	PLAYER_EVENTS_ALL_DAYS "SELECT event_id, batch FROM player_events"
	" WHERE " PLAYER_EVENTS_DAY " IN days AND player_id = ?1 ORDER BY ts_ms DESC, seq DESC LIMIT ?2",
	"si", STMT_NONE,
};

struct recent {
	struct store *st;
	struct batch_events b;
	store_raw_fn fn;
	void *ctx;
};

static int recent_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct recent *r = ctx;
	const char *event_id = (const char *)sqlite3_column_text(s, 0);
	int64_t batch = sqlite3_column_int64(s, 1);
	struct event_log *lg = r->st->log;
	char *raw = NULL;
	int rc;
	if (lg && lg->loaded && batch == lg->open_seq) {
		rc = batch_find(r->st, batch, -1, fingerprint(event_id), event_id, &raw, err, errlen);
	} else {
		rc = batch_load(r->st, batch, &r->b, err, errlen);
		if (rc > 0)
			rc = events_find(&r->b, -1, fingerprint(event_id), event_id, &raw, err, errlen);
	}
	if (rc < 0)
		return -1;
	int stop = rc > 0 && r->fn(r->ctx, raw) ? 1 : 0;
	free(raw);
	return stop;
}

int store_player_events_each(struct store *st, const char *player_id, int limit, store_raw_fn fn, void *ctx,
			     char *err, size_t errlen)
{
	struct recent r = { st, { 0 }, fn, ctx };
	int rc = store_exec(st, &player_recent, recent_row, &r, err, errlen, player_id, limit);
	batch_events_free(&r.b);
	return rc < 0 ? -1 : 0;
}

/* Every kept event of a player in the order applied: each batch decoded,
 * its events parsed where the player's id appears in them at all. */
static const struct store_sql all_batches = {
	"reading events", "SELECT seq FROM event_batches ORDER BY seq", "", STMT_NONE,
};

struct applied {
	struct store *st;
	const char *player_id;
	store_raw_fn fn;
	void *ctx;
	char *one;
	size_t onecap;
};

/* Whether needle occurs in the n bytes at hay (memmem is not C11/POSIX). */
static bool contains(const char *hay, size_t n, const char *needle, size_t k)
{
	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static int applied_batch(struct applied *a, const struct batch_events *b, char *err, size_t errlen)
{
	size_t pos = 0, rawlen, idlen = a->player_id ? strlen(a->player_id) : 0;
	const char *raw;
	for (size_t i = 0; next_event(b->buf, b->len, &pos, &raw, &rawlen); i++) {
		struct event ev;
		char why[256];
		/* the id as written, unless escaped ("q\u0031" is player q1) */
		if (i < b->pruned || (a->player_id && !contains(raw, rawlen, a->player_id, idlen) &&
				      !memchr(raw, '\\', rawlen)))
			continue;
		if (grow((void **)&a->one, &a->onecap, rawlen + 1, 1, err, errlen) < 0)
			return -1;
		memcpy(a->one, raw, rawlen);
		a->one[rawlen] = '\0';
		/* A stored event that no longer parses is handed on: the caller says so. */
		if (a->player_id && event_parse(raw, rawlen, &ev, why, sizeof(why)) == 0 &&
		    strcmp(ev.player_id, a->player_id) != 0)
			continue;
		if (a->fn(a->ctx, a->one))
			return 1;
	}
	return 0;
}

static int applied_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct applied *a = ctx;
	struct batch_events b = { 0 };
	int rc = batch_load(a->st, sqlite3_column_int64(s, 0), &b, err, errlen);
	if (rc > 0)
		rc = applied_batch(a, &b, err, errlen);
	batch_events_free(&b);
	return rc;
}

int store_events_each(struct store *st, store_raw_fn fn, void *ctx, char *err, size_t errlen)
{
	return store_player_events_applied(st, NULL, fn, ctx, err, errlen);
}

int store_player_events_applied(struct store *st, const char *player_id, store_raw_fn fn, void *ctx, char *err,
				size_t errlen)
{
	struct applied a = { st, player_id, fn, ctx, NULL, 0 };
	int rc = store_exec(st, &all_batches, applied_row, &a, err, errlen);
	free(a.one);
	return rc < 0 ? -1 : 0;
}

/* ---- converting the old events table (one row an event) ------------------ */

static const struct store_sql old_events = {
	"converting the events table", "SELECT event_id, player_id, type, ts_ms, raw FROM events ORDER BY seq", "",
	STMT_NONE,
};

static int convert_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct store *st = ctx;
	struct event ev;
	const char *type = (const char *)sqlite3_column_text(s, 2);
	memset(&ev, 0, sizeof(ev));
	rg_strlcpy(ev.event_id, (const char *)sqlite3_column_text(s, 0), sizeof(ev.event_id));
	rg_strlcpy(ev.player_id, (const char *)sqlite3_column_text(s, 1), sizeof(ev.player_id));
	ev.type = EVENT_TYPE_COUNT;
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (type && strcmp(type, event_type_name((enum event_type)t)) == 0)
			ev.type = (enum event_type)t;
	ev.ts_ms = sqlite3_column_int64(s, 3);
	struct store_source src = { 0 };
	return store_event_add(st, &ev, &src, (const char *)sqlite3_column_text(s, 4), (size_t)sqlite3_column_bytes(s, 4),
			       err, errlen) < 0
		       ? -1
		       : 0;
}

int store_log_convert(struct store *st, char *err, size_t errlen)
{
	int rows = store_exec(st, &old_events, convert_row, st, err, errlen);
	if (rows < 0 || store_log_flush(st, err, errlen) < 0)
		return -1;
	return rows;
}
