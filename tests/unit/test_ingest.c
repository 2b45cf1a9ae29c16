/* test_ingest.c -- the batch pipeline over a real SQLite file: duplicates,
 * rejects, one transaction per batch (commit and rollback), offsets,
 * the dedupe window, the player cache evicting without changing
 * results, and WAL checkpoints on the checkpointer's thread. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rgmon/clock.h"
#include "rgmon/ingest.h"
#include "rgmon/simulate.h"
#include "rgmon/store.h"
#include "helpers.h"

struct fixture {
	char dir[64];
	char db[96];
	struct store *st;
	struct ingest *ig;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	snprintf(f->dir, sizeof(f->dir), "/tmp/rgmon-unit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	f->st = store_open(f->db, err, sizeof(err));
	assert_non_null(f->st);
	struct ingest_config cfg = { .cache_players = 0 };
	cfg.policy = test_policy("UTC0");
	f->ig = ingest_new(f->st, &cfg, err, sizeof(err));
	assert_non_null(f->ig);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];
	ingest_free(f->ig);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static enum ingest_outcome feed(struct fixture *f, const char *json, int line)
{
	struct store_source src = { NULL, -1, line, "unit.jsonl" };
	enum ingest_outcome out;
	char reason[256], err[256];
	assert_int_equal(ingest_message(f->ig, &src, json, strlen(json), &out, reason, sizeof(reason), err, sizeof(err)), 0);
	return out;
}

static const char *dep(const char *id, const char *player, const char *ts, int amount)
{
	static char buf[512];
	snprintf(buf, sizeof(buf),
		 "{\"event_id\":\"%s\",\"type\":\"deposit\",\"player_id\":\"%s\",\"ts\":\"%s\",\"amount\":%d,\"currency\":\"EUR\"}",
		 id, player, ts, amount);
	return buf;
}

/* The checkpointer's tests commit every this many events: several
 * commits, whatever INGEST_BATCH_MAX is. */
#define TEST_BATCH_EVENTS 5000

static void counters(struct fixture *f, struct store_counters *c)
{
	char err[256];
	assert_int_equal(store_counters_get(f->st, c, err, sizeof(err)), 0);
}

static void test_duplicates_are_counted_not_applied(void **state)
{
	struct fixture *f = *state;
	char err[256];
	assert_int_equal(feed(f, dep("a", "p1", "2026-11-22T10:00:00Z", 100), 1), INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep("a", "p1", "2026-11-22T10:00:00Z", 100), 2), INGEST_DUPLICATE); /* same batch */
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	assert_int_equal(feed(f, dep("a", "p1", "2026-11-22T10:00:00Z", 100), 3), INGEST_DUPLICATE); /* later batch */
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.events, 3);
	assert_int_equal(c.accepted, 1);
	assert_int_equal(c.duplicates, 2);
	assert_int_equal(c.duplicate_conflicts, 0);
	struct player_state ps;
	assert_int_equal(store_player_load(f->st, "p1", &ps, err, sizeof(err)), 1);
	assert_int_equal(state_day(&ps, (int32_t)ts_days_from_civil(2026, 11, 22))->deposited, 100);
}

struct conflict_seen {
	int n;
	char reason[512];
};

static int keep_rejected(void *ctx, const char *source, const char *event_id, const char *reason)
{
	struct conflict_seen *c = ctx;
	c->n++;
	assert_string_equal(source, "unit.jsonl:3");
	assert_string_equal(event_id, "a");
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	return 0;
}

/* An event_id reused with a different payload is no redelivery: not
 * applied, counted apart, and kept with both payloads' digests. The same
 * payload written with other spacing and key order is a plain duplicate. */
static void test_reused_event_id_is_a_conflict(void **state)
{
	struct fixture *f = *state;
	struct store_source src = { NULL, -1, 3, "unit.jsonl" };
	enum ingest_outcome out;
	char reason[512], err[256], first[DIGEST_SHA256_HEX], second[DIGEST_SHA256_HEX];
	char accepted[512];
	snprintf(accepted, sizeof(accepted), "%s", dep("a", "p1", "2026-11-22T10:00:00Z", 100));
	assert_int_equal(feed(f, accepted, 1), INGEST_ACCEPTED);
	const char *respaced = "{ \"currency\": \"EUR\", \"amount\": 100, \"ts\": \"2026-11-22T10:00:00Z\","
			       " \"player_id\": \"p1\", \"type\": \"deposit\", \"event_id\": \"a\" }";
	assert_int_equal(feed(f, respaced, 2), INGEST_DUPLICATE);
	const char *other = dep("a", "p1", "2026-11-22T10:00:00Z", 999);
	assert_int_equal(ingest_message(f->ig, &src, other, strlen(other), &out, reason, sizeof(reason), err, sizeof(err)),
			 0);
	assert_int_equal(out, INGEST_DUPLICATE_CONFLICT);
	assert_int_equal(event_payload_digest(accepted, strlen(accepted), first), 0);
	assert_int_equal(event_payload_digest(other, strlen(other), second), 0);
	assert_string_not_equal(first, second);
	char want[512];
	snprintf(want, sizeof(want),
		 "duplicate event_id \"a\" with a different payload (accepted sha256:%s, this sha256:%s)", first, second);
	assert_string_equal(reason, want);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);

	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.events, 3);
	assert_int_equal(c.accepted, 1);
	assert_int_equal(c.duplicates, 1);
	assert_int_equal(c.duplicate_conflicts, 1);
	assert_int_equal(c.rejected, 0);
	struct conflict_seen seen = { 0 };
	assert_int_equal(store_rejected_each(f->st, keep_rejected, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.reason, want);
	/* the first payload stays the one applied */
	struct player_state ps;
	assert_int_equal(store_player_load(f->st, "p1", &ps, err, sizeof(err)), 1);
	assert_int_equal(state_day(&ps, (int32_t)ts_days_from_civil(2026, 11, 22))->deposited, 100);
}

static int count_rejected(void *ctx, const char *source, const char *event_id, const char *reason)
{
	int *n = ctx;
	(*n)++;
	assert_string_equal(source, "unit.jsonl:7");
	assert_string_equal(event_id, "r1");
	assert_string_equal(reason, "missing field \"currency\"");
	return 0;
}

static void test_rejects_are_kept_with_reason(void **state)
{
	struct fixture *f = *state;
	char err[256];
	const char *bad = "{\"event_id\":\"r1\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"2026-11-22T10:00:00Z\",\"amount\":1}";
	assert_int_equal(feed(f, bad, 7), INGEST_REJECTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	int n = 0;
	assert_int_equal(store_rejected_each(f->st, count_rejected, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.accepted, 0);
}

static enum ingest_outcome feed_keyed(struct fixture *f, const char *key, size_t key_len, const char *json,
				      char *reason, size_t reasonlen)
{
	struct store_source src = { "rg.events", 0, 1, NULL };
	enum ingest_outcome out;
	char err[256];
	assert_int_equal(ingest_keyed_message(f->ig, &src, key, key_len, json, strlen(json), &out, reason, reasonlen, err,
					      sizeof(err)),
			 0);
	return out;
}

/* The key places a player's events in one partition: a key that is not
 * the player_id is a reject (kept, counted); no key is fine. */
static void test_kafka_key_must_be_the_player_id(void **state)
{
	struct fixture *f = *state;
	char err[256], reason[512];
	struct player_state ps;
	assert_int_equal(feed_keyed(f, "pkeyB", 5, dep("k1", "pkeyA", "2026-11-22T10:00:00Z", 100), reason, sizeof(reason)),
			 INGEST_REJECTED);
	assert_string_equal(reason, "key \"pkeyB\" does not match player_id \"pkeyA\"");
	/* A prefix is no match either, and odd bytes are shown, not copied. */
	assert_int_equal(feed_keyed(f, "pkeyAx", 5 - 1, dep("k2", "pkeyA", "2026-11-22T10:00:00Z", 100), reason,
				    sizeof(reason)),
			 INGEST_REJECTED);
	assert_int_equal(feed_keyed(f, "p\"\n\xff", 4, dep("k3", "pkeyA", "2026-11-22T10:00:00Z", 100), reason,
				    sizeof(reason)),
			 INGEST_REJECTED);
	assert_string_equal(reason, "key \"p\\x22\\x0a\\xff\" does not match player_id \"pkeyA\"");
	assert_int_equal(store_player_load(f->st, "pkeyA", &ps, err, sizeof(err)), 0);

	assert_int_equal(feed_keyed(f, "pkeyA", 5, dep("k4", "pkeyA", "2026-11-22T10:00:00Z", 100), reason, sizeof(reason)),
			 INGEST_ACCEPTED);
	assert_int_equal(feed_keyed(f, NULL, 0, dep("k5", "pkeyA", "2026-11-22T11:00:00Z", 50), reason, sizeof(reason)),
			 INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.rejected, 3);
	assert_int_equal(c.accepted, 2);
	assert_int_equal(store_player_load(f->st, "pkeyA", &ps, err, sizeof(err)), 1);
	assert_int_equal(state_day(&ps, (int32_t)ts_days_from_civil(2026, 11, 22))->deposited, 150);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	char err[256];
	assert_int_equal(feed(f, dep("k1", "p1", "2026-11-22T10:00:00Z", 100), 1), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	assert_int_equal(feed(f, dep("k2", "p1", "2026-11-22T11:00:00Z", 50), 2), INGEST_ACCEPTED);
	assert_int_equal(ingest_note_offset(f->ig, "rg.events", 3, 42, err, sizeof(err)), 0);
	ingest_abort(f->ig);

	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.accepted, 1);
	int64_t off;
	assert_int_equal(store_offset_get(f->st, "rg.events", 3, &off, err, sizeof(err)), 0);
	/* the aborted event is not a duplicate when read again, and the cached
	 * state does not keep the aborted deposit */
	assert_int_equal(feed(f, dep("k2", "p1", "2026-11-22T11:00:00Z", 50), 2), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct player_state ps;
	assert_int_equal(store_player_load(f->st, "p1", &ps, err, sizeof(err)), 1);
	assert_int_equal(state_day(&ps, (int32_t)ts_days_from_civil(2026, 11, 22))->deposited, 150);
}

static void test_offsets_commit_with_the_batch(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t off = 0;
	feed(f, dep("o1", "p1", "2026-11-22T10:00:00Z", 1), 1);
	assert_int_equal(ingest_note_offset(f->ig, "rg.events", 5, 11, err, sizeof(err)), 0);
	assert_int_equal(ingest_note_offset(f->ig, "rg.events", 5, 12, err, sizeof(err)), 0);
	assert_int_equal(ingest_note_offset(f->ig, "rg.events", 6, 3, err, sizeof(err)), 0);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	assert_int_equal(store_offset_get(f->st, "rg.events", 5, &off, err, sizeof(err)), 1);
	assert_int_equal(off, 12);
	struct store_offset all[8];
	assert_int_equal(store_offsets_get(f->st, all, 8, err, sizeof(err)), 2);
	assert_int_equal(all[1].partition, 6);
	assert_int_equal(all[1].next_offset, 3);
}

/* An ingest over the fixture's store with another tolerance ahead. */
static void reopen_ingest(struct fixture *f, int64_t max_ahead_hours)
{
	char err[256];
	ingest_free(f->ig);
	struct ingest_config cfg = { .cache_players = 0, .max_ahead_hours = max_ahead_hours };
	cfg.policy = test_policy("UTC0");
	f->ig = ingest_new(f->st, &cfg, err, sizeof(err));
	assert_non_null(f->ig);
}

static enum ingest_outcome feed_reason(struct fixture *f, const char *json, char *reason, size_t reasonlen)
{
	struct store_source src = { NULL, -1, 1, "unit.jsonl" };
	enum ingest_outcome out;
	char err[256];
	assert_int_equal(ingest_message(f->ig, &src, json, strlen(json), &out, reason, reasonlen, err, sizeof(err)), 0);
	return out;
}

static void test_events_far_ahead_are_rejected(void **state)
{
	struct fixture *f = *state;
	char err[256], reason[256];
	/* the first event of an empty store has nothing to be measured against */
	assert_int_equal(feed(f, dep("a1", "p1", "2026-11-22T10:00:00Z", 100), 1), INGEST_ACCEPTED);
	assert_int_equal(feed_reason(f, dep("far", "p1", "9999-12-31T23:59:59Z", 100), reason, sizeof(reason)),
			 INGEST_REJECTED);
	assert_string_equal(reason, "ts 9999-12-31T23:59:59Z is more than 24 h ahead of the stream's time "
				    "2026-11-22T10:00:00Z (the newest accepted event)");
	/* within the tolerance: accepted, and the stream's time moves */
	assert_int_equal(feed(f, dep("a2", "p2", "2026-11-23T10:00:00Z", 100), 2), INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep("a3", "p2", "2026-11-24T10:00:01Z", 100), 3), INGEST_REJECTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.rejected, 2);
	assert_int_equal(c.accepted, 2);
	/* the stream's time is kept in the store: a restart measures from it */
	reopen_ingest(f, 0);
	assert_int_equal(feed(f, dep("a3", "p2", "2026-11-24T10:00:01Z", 100), 4), INGEST_REJECTED);
	assert_int_equal(feed(f, dep("a4", "p2", "2026-11-24T10:00:00Z", 100), 5), INGEST_ACCEPTED);
	/* a rolled-back batch takes its stream's time back with it */
	ingest_abort(f->ig);
	assert_int_equal(feed(f, dep("a5", "p2", "2026-11-24T10:00:01Z", 100), 6), INGEST_REJECTED);
	/* a wider tolerance */
	ingest_abort(f->ig);
	reopen_ingest(f, 48);
	assert_int_equal(feed(f, dep("a6", "p2", "2026-11-25T10:00:00Z", 100), 7), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
}

/* Under serve the clock bounds an empty store's first event too, and lets
 * the stream go on after a spell quieter than the tolerance. */
static void test_serve_bounds_by_the_clock_too(void **state)
{
	struct fixture *f = *state;
	char err[256], reason[256], ts[TS_RFC3339_LEN];
	ingest_free(f->ig);
	struct ingest_config cfg = { .cache_players = 0, .ahead_of_wall_clock = true };
	cfg.policy = test_policy("UTC0");
	f->ig = ingest_new(f->st, &cfg, err, sizeof(err));
	assert_non_null(f->ig);
	assert_int_equal(feed_reason(f, dep("far", "p1", "9999-12-31T23:59:59Z", 100), reason, sizeof(reason)),
			 INGEST_REJECTED);
	assert_memory_equal(reason, "ts 9999-12-31T23:59:59Z is more than 24 h ahead of the clock ", 61);
	/* a stream years old, then an event of now: accepted */
	assert_int_equal(feed(f, dep("old", "p1", "2020-01-01T00:00:00Z", 100), 1), INGEST_ACCEPTED);
	ts_format_rfc3339(clock_now_ms(), ts, sizeof(ts));
	assert_int_equal(feed(f, dep("now", "p1", ts, 100), 2), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
}

static int count_raw(void *ctx, const char *raw)
{
	(void)raw;
	(*(int *)ctx)++;
	return 0;
}

static void test_dedupe_window(void **state)
{
	struct fixture *f = *state;
	char err[256];
	reopen_ingest(f, 24 * 90); /* the events below are two months apart */
	feed(f, dep("w-old", "p1", "2026-09-01T10:00:00Z", 1), 1);
	feed(f, dep("w-kept", "p1", "2026-11-01T10:00:00Z", 1), 2);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	/* 35 days before 2026-11-22T12:00Z: w-old falls out, w-kept stays */
	assert_int_equal(store_prune_events(f->st, t_ms("2026-11-22T12:00:00Z"), err, sizeof(err)), 1);
	assert_int_equal(feed(f, dep("w-kept", "p1", "2026-11-01T10:00:00Z", 1), 3), INGEST_DUPLICATE);
	/* outside the window an id is forgotten: documented, and tested */
	assert_int_equal(feed(f, dep("w-old", "p1", "2026-09-01T10:00:00Z", 1), 4), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	/* the log's readers skip it too: w-kept, then w-old as accepted again */
	char *raw = NULL;
	assert_int_equal(store_event_raw_at(f->st, "w-old", t_ms("2026-09-01T10:00:00Z"), &raw, err, sizeof(err)), 1);
	free(raw);
	struct store *rd = store_open_readonly(f->db, err, sizeof(err));
	assert_non_null(rd);
	int n = 0;
	assert_int_equal(store_events_each(rd, count_raw, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	store_close(rd);
}

/* Deposits n0..n1-1 of player p1, ids "b<i>", one a minute. */
static void feed_many(struct fixture *f, int n0, int n1, enum ingest_outcome want)
{
	for (int i = n0; i < n1; i++) {
		char id[32], ts[32];
		snprintf(id, sizeof(id), "b%d", i);
		ts_format_rfc3339(t_ms("2026-11-01T00:00:00Z") + (int64_t)i * 60000, ts, sizeof(ts));
		assert_int_equal(feed(f, dep(id, "p1", ts, 1), i), want);
	}
}

static const char *dep_b(int i, const char *player)
{
	char id[32], ts[32];
	snprintf(id, sizeof(id), "b%d", i);
	ts_format_rfc3339(t_ms("2026-11-01T00:00:00Z") + (int64_t)i * 60000, ts, sizeof(ts));
	return dep(id, player, ts, 1);
}

/* The duplicate table (store_log.c) across the log's rows, a rollback of
 * a written row, a reopened store, and another player's use of an id. */
static void test_dedupe_across_rows_and_reopen(void **state)
{
	struct fixture *f = *state;
	char err[256];
	reopen_ingest(f, 24 * 90);
	feed_many(f, 0, 5000, INGEST_ACCEPTED); /* over one row: a row is written mid-batch */
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	assert_int_equal(feed(f, dep_b(10, "p1"), 1), INGEST_DUPLICATE);
	assert_int_equal(feed(f, dep_b(4500, "p1"), 2), INGEST_DUPLICATE);
	assert_int_equal(feed(f, dep_b(10, "p2"), 3), INGEST_DUPLICATE_CONFLICT); /* another player's */
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	/* a batch whose first row was written, then rolled back: nothing of it is known */
	feed_many(f, 5000, 9500, INGEST_ACCEPTED);
	ingest_abort(f->ig);
	assert_int_equal(feed(f, dep_b(5001, "p1"), 4), INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep_b(9400, "p1"), 5), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	/* after a restart the table is read again from the log */
	ingest_free(f->ig);
	f->ig = NULL;
	store_close(f->st);
	f->st = store_open(f->db, err, sizeof(err));
	assert_non_null(f->st);
	reopen_ingest(f, 24 * 90);
	assert_int_equal(feed(f, dep_b(10, "p1"), 6), INGEST_DUPLICATE);
	assert_int_equal(feed(f, dep_b(4999, "p1"), 7), INGEST_DUPLICATE);
	assert_int_equal(feed(f, dep_b(9400, "p1"), 8), INGEST_DUPLICATE);
	assert_int_equal(feed(f, dep_b(9401, "p1"), 9), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.accepted, 5003);
	assert_int_equal(c.duplicates, 5);
	assert_int_equal(c.duplicate_conflicts, 1);
	char *raw = NULL;
	assert_int_equal(store_event_raw(f->st, "b4999", &raw, err, sizeof(err)), 1);
	assert_string_equal(raw, dep_b(4999, "p1"));
	free(raw);
}

/* The duplicate table grows by moving its entries a few at a time while
 * events keep coming: every event sent earlier is still found as a
 * duplicate at every point of a move (the table starts at 768 entries
 * and doubles six times on the way to 60,000). */
static void test_dedupe_while_the_table_grows(void **state)
{
	struct fixture *f = *state;
	char err[256];
	reopen_ingest(f, 24 * 90);
	int line = 0;
	for (int i = 0; i < 60000; i++) {
		assert_int_equal(feed(f, dep_b(i, "p1"), ++line), INGEST_ACCEPTED);
		if (i % 7 == 0) /* one sent before, from anywhere in what came so far */
			assert_int_equal(feed(f, dep_b((i * 7919) % (i + 1), "p1"), ++line), INGEST_DUPLICATE);
		if (ingest_batch_full(f->ig))
			assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	}
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	for (int i = 0; i < 60000; i += 997)
		assert_int_equal(feed(f, dep_b(i, "p1"), ++line), INGEST_DUPLICATE);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct store_counters c;
	counters(f, &c);
	assert_int_equal(c.accepted, 60000);
	assert_int_equal(c.duplicates, 60000 / 7 + 1 + (60000 + 996) / 997);
}

struct sim_feed {
	struct ingest *ig;
	int64_t line;
};

static int feed_sim(void *ctx, const char *player_id, const char *json, size_t len)
{
	struct sim_feed *s = ctx;
	struct store_source src = { NULL, -1, ++s->line, "sim" };
	enum ingest_outcome out;
	char reason[256], err[256];
	(void)player_id;
	if (ingest_message(s->ig, &src, json, len, &out, reason, sizeof(reason), err, sizeof(err)) < 0)
		return 1;
	if (ingest_batch_full(s->ig) && ingest_commit(s->ig, err, sizeof(err)) < 0)
		return 1;
	return 0;
}

/* The same events through a cache far too small (constant eviction: 1,000
 * players for 4,500, so batches end at 500 players) and through one that
 * holds everyone give identical stored state. */
static void test_eviction_does_not_change_results(void **state)
{
	struct fixture *f = *state;
	char err[256], db2[128];
	struct sim_config sc = { .seed = 11, .players = 4500, .days = 1, .start_ms = t_ms("2026-11-01T00:00:00Z") };
	struct sim_feed s1 = { f->ig, 0 };
	assert_int_equal(sim_run(&sc, feed_sim, &s1), 0);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);

	snprintf(db2, sizeof(db2), "%s/big.db", f->dir);
	struct store *st2 = store_open(db2, err, sizeof(err));
	struct ingest_config cfg = { .cache_players = 1000 };
	cfg.policy = test_policy("UTC0");
	struct ingest *ig2 = ingest_new(st2, &cfg, err, sizeof(err));
	struct sim_feed s2 = { ig2, 0 };
	assert_int_equal(sim_run(&sc, feed_sim, &s2), 0);
	assert_int_equal(ingest_commit(ig2, err, sizeof(err)), 0);

	int compared = 0;
	for (int i = 0; i < sc.players; i++) {
		char pid[16];
		struct player_state a, b;
		sim_player_id(i, pid, sizeof(pid));
		int fa = store_player_load(f->st, pid, &a, err, sizeof(err));
		int fb = store_player_load(st2, pid, &b, err, sizeof(err));
		assert_int_equal(fa, fb);
		if (fa == 1) {
			assert_memory_equal(&a, &b, sizeof(a));
			compared++;
		}
	}
	assert_true(compared == sc.players); /* everyone has an account event on day 0: 4.5x the small cache */
	ingest_free(ig2);
	store_close(st2);
}

/* A batch is full at INGEST_BATCH_MAX events, or once it changed half the
 * players the cache holds (the other half are the clean ones an eviction
 * takes); a caller that goes on anyway gets an error, never a lost state. */
static void test_batch_full_at_half_the_cache(void **state)
{
	struct fixture *f = *state;
	char err[256], id[32], player[16];
	struct ingest_config cfg = { .cache_players = 100 };
	cfg.policy = test_policy("UTC0");
	ingest_free(f->ig);
	f->ig = ingest_new(f->st, &cfg, err, sizeof(err));
	assert_non_null(f->ig);
	int line = 0;
	for (int i = 0; i < 50; i++) { /* 49 players, then the 50th */
		assert_false(ingest_batch_full(f->ig));
		snprintf(id, sizeof(id), "h%d", i);
		snprintf(player, sizeof(player), "p%d", i);
		assert_int_equal(feed(f, dep(id, player, "2026-11-22T10:00:00Z", 100), ++line), INGEST_ACCEPTED);
		snprintf(id, sizeof(id), "h%db", i);
		assert_int_equal(feed(f, dep(id, player, "2026-11-22T10:00:01Z", 100), ++line),
				 INGEST_ACCEPTED);
	}
	assert_true(ingest_batch_full(f->ig));
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	assert_false(ingest_batch_full(f->ig));

	/* Past full without a commit: the 101st player finds every slot dirty. */
	for (int i = 100; i < 200; i++) {
		snprintf(id, sizeof(id), "x%d", i);
		snprintf(player, sizeof(player), "p%d", i);
		assert_int_equal(feed(f, dep(id, player, "2026-11-22T11:00:00Z", 100), ++line), INGEST_ACCEPTED);
	}
	struct store_source src = { NULL, -1, ++line, "unit.jsonl" };
	enum ingest_outcome out;
	char reason[256];
	const char *over = dep("x200", "p200", "2026-11-22T11:00:00Z", 100);
	assert_int_equal(ingest_message(f->ig, &src, over, strlen(over), &out, reason, sizeof(reason), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "must commit first"));
	ingest_abort(f->ig);
	struct player_state ps;
	assert_int_equal(store_player_load(f->st, "p0", &ps, err, sizeof(err)), 1); /* the first batch stayed */
	assert_int_equal(store_player_load(f->st, "p100", &ps, err, sizeof(err)), 0);
}

/* A batch is full at INGEST_BATCH_BYTES of messages too: rejects of up to
 * EVENT_RAW_MAX are kept whole, and 65,536 of them would be one
 * transaction of gigabytes. Messages over EVENT_RAW_MAX count their whole
 * length (only a prefix of them is read and kept). */
static void test_batch_full_at_its_bytes(void **state)
{
	struct fixture *f = *state;
	static char prefix[INGEST_RAW_KEPT];
	char reason[256], err[256];
	memset(prefix, 'x', sizeof(prefix));
	size_t len = 2u << 20, n = 0;
	while (!ingest_batch_full(f->ig)) {
		struct store_source src = { NULL, -1, (int64_t)++n, "unit.jsonl" };
		enum ingest_outcome out;
		assert_int_equal(ingest_message(f->ig, &src, prefix, len, &out, reason, sizeof(reason), err, sizeof(err)),
				 0);
		assert_int_equal(out, INGEST_REJECTED);
		assert_true(n <= INGEST_BATCH_BYTES / len);
	}
	assert_int_equal(n, INGEST_BATCH_BYTES / len);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	assert_false(ingest_batch_full(f->ig));
}

static void test_reopen_keeps_schema_and_data(void **state)
{
	struct fixture *f = *state;
	char err[256];
	feed(f, dep("z1", "p1", "2026-11-22T10:00:00Z", 1), 1);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	struct store *again = store_open(f->db, err, sizeof(err)); /* migrations are a no-op now */
	assert_non_null(again);
	struct store_counters c;
	assert_int_equal(store_counters_get(again, &c, err, sizeof(err)), 0);
	assert_int_equal(c.accepted, 1);
	store_close(again);
	assert_null(store_open_readonly("/nonexistent/dir/x.db", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open database"));
}

static long long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Commits only append to the WAL; the database file grows when the WAL is
 * copied back. Below the writer's own threshold (~40 MB) nothing copies it
 * -- until the checkpointer runs, on its thread, after the next commit. */
static void test_checkpointer_copies_the_wal_off_the_writer(void **state)
{
	struct fixture *f = *state;
	char id[32], player[16], err[256];
	for (int i = 0; i < 15000; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(player, sizeof(player), "p%d", i % 1000);
		feed(f, dep(id, player, "2026-11-22T10:00:00Z", 1 + i), i + 1);
		if (ingest_pending(f->ig) >= TEST_BATCH_EVENTS)
			assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	}
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	long long before = file_size(f->db);
	assert_true(before < 1024 * 1024);

	struct store_checkpointer *c = store_checkpointer_start(f->st, f->db, err, sizeof(err));
	assert_non_null(c);
	feed(f, dep("c-last", "p1", "2026-11-22T11:00:00Z", 1), 15001);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	long long after = before;
	for (int i = 0; i < 500 && after < 4 * 1024 * 1024; i++) {
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
		after = file_size(f->db);
	}
	store_checkpointer_stop(c);
	assert_true(after >= 4 * 1024 * 1024);
	struct store_counters n;
	counters(f, &n);
	assert_int_equal(n.accepted, 15001);
}


/* ---- the portfolio's daily snapshot --------------------------------------- */

struct day_totals_seen {
	int32_t day[16];
	int64_t players[16];
	int n;
};

static int add_day_total(void *ctx, int32_t day, const char *jurisdiction, int level, int64_t players)
{
	struct day_totals_seen *d = ctx;
	(void)jurisdiction;
	(void)level;
	if (!d->n || d->day[d->n - 1] != day) {
		d->day[d->n] = day;
		d->players[d->n++] = 0;
	}
	d->players[d->n - 1] += players;
	return 0;
}

/* Keyed on the stream's time: the first event of a new UTC day records the
 * days the stream leaves, with the players as they stood before it (the
 * open batch's too); a late event records nothing. */
static void test_portfolio_daily_snapshot(void **state)
{
	struct fixture *f = *state;
	char err[256];
	const int32_t nov1 = 20758; /* 2026-11-01 */
	/* A stream may jump days (a quiet week, or serve's clock): allow it. */
	struct ingest_config cfg = { .max_ahead_hours = 240 };
	cfg.policy = test_policy("UTC0");
	ingest_free(f->ig);
	f->ig = ingest_new(f->st, &cfg, err, sizeof(err));
	assert_non_null(f->ig);
	assert_int_equal(feed(f, dep("s1", "p1", "2026-11-01T10:00:00Z", 100), 1), INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep("s2", "p2", "2026-11-01T23:59:59Z", 100), 2), INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep("s3", "p3", "2026-11-02T00:00:00Z", 100), 3), INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep("s4", "p4", "2026-11-01T12:00:00Z", 100), 4), INGEST_ACCEPTED); /* late */
	assert_int_equal(feed(f, dep("s5", "p1", "2026-11-05T08:00:00+01:00", 100), 5), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);

	struct day_totals_seen d = { .n = 0 };
	assert_int_equal(store_portfolio_days_each(f->st, nov1 - 10, nov1 + 10, add_day_total, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 4); /* 1, 2, 3, 4 November; the 5th is the stream's day */
	assert_int_equal(d.day[0], nov1);
	assert_int_equal(d.players[0], 2); /* p1, p2: not p3, whose event crossed */
	for (int i = 1; i < 4; i++) {
		assert_int_equal(d.day[i], nov1 + i);
		assert_int_equal(d.players[i], 4); /* the days the stream skipped, as it stood */
	}
}

/* The row's plain columns (what the portfolio view counts) follow the
 * state through saves that rewrite the blob alone and saves that change
 * them: the country, then the level and score an alert raises. */
static void expect_row_matches(struct fixture *f, const char *player, struct player_state *ps)
{
	char err[256];
	struct store_player_row row;
	assert_int_equal(store_player_load_row(f->st, player, ps, &row, err, sizeof(err)), 1);
	assert_true(row.known);
	assert_int_equal(row.level, ps->level);
	assert_int_equal(row.score, ps->score);
	assert_string_equal(row.country, ps->country);
}

static void test_player_row_columns_follow_the_state(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct player_state ps;
	assert_int_equal(feed(f, dep("c1", "p1", "2026-11-22T10:00:00Z", 100), 1), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	expect_row_matches(f, "p1", &ps);
	assert_string_equal(ps.country, "");
	assert_int_equal(feed(f, dep("c2", "p1", "2026-11-22T10:05:00Z", 100), 2), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0); /* the blob alone */
	expect_row_matches(f, "p1", &ps);
	assert_int_equal(state_day(&ps, (int32_t)ts_days_from_civil(2026, 11, 22))->deposited, 200);
	assert_int_equal(feed(f, "{\"event_id\":\"c3\",\"type\":\"account\",\"player_id\":\"p1\","
				 "\"ts\":\"2026-11-22T10:06:00Z\",\"country\":\"GB\"}", 3),
			 INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	expect_row_matches(f, "p1", &ps);
	assert_string_equal(ps.country, "GB");
	assert_int_equal(ps.score, 0);
	assert_int_equal(feed(f, "{\"event_id\":\"c4\",\"type\":\"self_exclusion\",\"player_id\":\"p1\","
				 "\"ts\":\"2026-11-22T10:07:00Z\",\"days\":30,\"source\":\"player\"}", 4),
			 INGEST_ACCEPTED);
	assert_int_equal(feed(f, dep("c5", "p1", "2026-11-22T10:08:00Z", 5000), 5), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	expect_row_matches(f, "p1", &ps);
	assert_true(ps.score > 0);
	assert_true(ps.level > 0);
	assert_int_equal(feed(f, dep("c6", "p1", "2026-11-22T10:09:00Z", 100), 6), INGEST_ACCEPTED);
	assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
	expect_row_matches(f, "p1", &ps);
}

/* Under steady load the WAL stays bounded: past ~32 MB the writer empties
 * it after a commit. PASSIVE checkpoints alone never shortened it: this
 * load (~100 MB of WAL) left it at ~100 MB. */
static void test_wal_stays_bounded_under_load(void **state)
{
	struct fixture *f = *state;
	char id[32], player[16], wal[128], err[256];
	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	struct store_checkpointer *c = store_checkpointer_start(f->st, f->db, err, sizeof(err));
	assert_non_null(c);
	long long peak = 0;
	int commits = 0;
	/* Batches as serve and replay make them (ingest_batch_full): the
	 * bound holds for the largest too. */
	const int events = 3 * INGEST_BATCH_MAX + INGEST_BATCH_MAX / 20;
	for (int i = 0; i < events; i++) {
		snprintf(id, sizeof(id), "w%d", i);
		snprintf(player, sizeof(player), "p%d", i % 5000);
		feed(f, dep(id, player, "2026-11-22T10:00:00Z", 1 + i), i + 1);
		if (ingest_batch_full(f->ig) || i == events - 1) {
			assert_int_equal(ingest_commit(f->ig, err, sizeof(err)), 0);
			long long size = file_size(wal);
			peak = size > peak ? size : peak;
			commits++;
		}
	}
	store_checkpointer_stop(c);
	assert_int_equal(commits, 4); /* three full batches of INGEST_BATCH_MAX and the rest */
	assert_true(peak > 0);
	assert_true(peak <= 48LL * 1024 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_duplicates_are_counted_not_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portfolio_daily_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reused_event_id_is_a_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_are_kept_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kafka_key_must_be_the_player_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offsets_commit_with_the_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_far_ahead_are_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_bounds_by_the_clock_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_across_rows_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_while_the_table_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction_does_not_change_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_full_at_half_the_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_full_at_its_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_schema_and_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer_copies_the_wal_off_the_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_stays_bounded_under_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_player_row_columns_follow_the_state, setup, teardown),
	};
	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
