/* test_audit.c -- the audit chain: the record hash is exactly the SHA-256
 * of the canonical JSON schemas/audit-export.md defines; checkpoints sign
 * the head; retention drops old records from a signed checkpoint and what
 * remains still exports and verifies; verify refuses another key;
 * checkpoints are published as they are made. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rgmon/audit.h"
#include "rgmon/audit_export.h"
#include "rgmon/canon.h"
#include "rgmon/digest.h"
#include "rgmon/sign.h"
#include "rgmon/timestamp.h"
#include "helpers.h"

static void test_record_hash_is_canonical_json(void **state)
{
	(void)state;
	char got[AUDIT_HASH_HEX], want[DIGEST_SHA256_HEX];
	json_t *payload = json_pack("{s:i, s:s}", "b", 1, "a", "\xc3\xa9"); /* keys out of order, a non-ASCII value */
	const char canonical[] = "{\"at\":\"2026-11-01T00:00:00Z\",\"kind\":\"x\",\"payload\":{\"a\":\"\xc3\xa9\",\"b\":1},"
				 "\"player_id\":null,\"prev_hash\":\"" AUDIT_GENESIS_HASH "\",\"seq\":1}";
	assert_int_equal(audit_record_hash(1, "2026-11-01T00:00:00Z", NULL, "x", NULL, payload, AUDIT_GENESIS_HASH, got), 0);
	assert_int_equal(digest_sha256_hex(canonical, strlen(canonical), want), 0);
	assert_string_equal(got, want);
	json_decref(payload);
}

/* The canonical form byte for byte (schemas/audit-export.md): escapes with
 * capital hex digits, everything else as UTF-8 itself, keys in byte order,
 * integers in decimal at both ends of their range. */
static void test_canonical_json_byte_for_byte(void **state)
{
	(void)state;
	json_error_t jerr;
	json_t *v = json_loads("{\"z\":[1,-1,0,9223372036854775807,-9223372036854775808,true,false,null],"
			       "\"a\":\"\\u001b[0m \\u0007\\u001f\\u000b \\b\\f\\n\\r\\t \\\" \\\\ / \\u007f\","
			       "\"\\u00e9\":\"\\u4e2d \\ud83d\\ude00 \\u2028\\u2029\",\"ab\":{},\"a\\u0001\":[],\"\":\"\","
			       "\"\\ud83d\\ude00\":1,\"\\uffff\":2,\"A\":3}",
			       JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(v);
	const char want[] = "{\"\":\"\",\"A\":3,\"a\":\"\\u001B[0m \\u0007\\u001F\\u000B \\b\\f\\n\\r\\t \\\" \\\\ / \x7f\","
			    "\"a\\u0001\":[],\"ab\":{},"
			    "\"z\":[1,-1,0,9223372036854775807,-9223372036854775808,true,false,null],"
			    "\"\xc3\xa9\":\"\xe4\xb8\xad \xf0\x9f\x98\x80 \xe2\x80\xa8\xe2\x80\xa9\","
			    "\"\xef\xbf\xbf\":2,\"\xf0\x9f\x98\x80\":1}";
	char *got = canon_json(v);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	json_decref(v);
}

/* Every record in a database was hashed over jansson's JSON_COMPACT |
 * JSON_SORT_KEYS text: the canonical form must be that text, so those
 * hashes still verify. */
static void test_canonical_json_is_what_old_records_were_hashed_over(void **state)
{
	(void)state;
	static const char *const strings[] = {
		"", "plain", "esc \x1b[31m", "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f", "\" \\ / \\u001B \x7f",
		"\xc3\xa9\xc3\xbc \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbb\xbf \xef\xbf\xbf",
	};
	for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
		json_t *v = json_pack("{s:s, s:s, s:[s, I, I, b, n], s:{s:s}}", "note", strings[i], strings[i], "key as value",
				      "list", strings[i], (json_int_t)INT64_MAX, (json_int_t)INT64_MIN, 1, "nested", strings[i],
				      "x");
		assert_non_null(v);
		char *ours = canon_json(v), *jansson = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		assert_non_null(ours);
		assert_string_equal(ours, jansson);
		free(ours);
		free(jansson);
		json_decref(v);
	}
}

/* A number with a fraction has no canonical form: no hash, so a record
 * holding one never verifies. */
static void test_canonical_json_refuses_reals(void **state)
{
	(void)state;
	char hash[AUDIT_HASH_HEX];
	json_t *v = json_pack("{s:f}", "x", 1.0);
	assert_null(canon_json(v));
	assert_int_equal(audit_record_hash(1, "2026-11-01T00:00:00Z", NULL, "x", NULL, v, AUDIT_GENESIS_HASH, hash), -1);
	json_decref(v);
}

struct fixture {
	char dir[64], db[96];
	struct store *st;
	struct sign_key *key;
};

static void fixture_open(struct fixture *f)
{
	char err[256], path[160];
	snprintf(f->dir, sizeof(f->dir), "/tmp/rgmon-audit-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/a.db", f->dir);
	snprintf(path, sizeof(path), "%s/keys", f->dir);
	assert_int_equal(sign_keygen(path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/keys/%s", f->dir, SIGN_PRIVATE_FILE);
	assert_non_null(f->key = sign_key_load(path, err, sizeof(err)));
	assert_non_null(f->st = store_open(f->db, err, sizeof(err)));
}

static void fixture_close(struct fixture *f)
{
	char cmd[256];
	store_close(f->st);
	sign_key_free(f->key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
}

static void append(struct fixture *f, int64_t at_ms, int n)
{
	char err[256];
	assert_int_equal(store_begin(f->st, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(audit_append(f->st, at_ms, AUDIT_LEVEL_CHANGE, "p1", json_pack("{s:i}", "i", i), err, sizeof(err)), 0);
	assert_int_equal(store_commit(f->st, err, sizeof(err)), 0);
}

static void test_retention_keeps_the_rest_verifiable(void **state)
{
	(void)state;
	struct fixture f;
	char err[256], report[512], path[160];
	int64_t old = t_ms("2020-01-01T00:00:00Z"), now = t_ms("2026-11-01T00:00:00Z"), first, count;
	fixture_open(&f);

	append(&f, old, 4);
	/* The first records are sealed at the first look. */
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, old + 1000, 1000, 3600000, NULL, err, sizeof(err)), 1);
	append(&f, old, 5);
	/* Then a checkpoint is due once enough records or time went by... */
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, old + 2000, 1000, 3600000, NULL, err, sizeof(err)), 0);
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, old + 2000, 5, 3600000, NULL, err, sizeof(err)), 1);
	append(&f, old, 1);
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, old + 3000, 1000, 3600000, NULL, err, sizeof(err)), 0);
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, old + 3602000, 1000, 3600000, NULL, err, sizeof(err)), 1);
	/* ...and never when nothing is new. */
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, old + 9999999, 1, 0, NULL, err, sizeof(err)), 0);
	append(&f, now - 1000, 5);

	/* Without a key nothing goes: a cut no signed record covers breaks the chain. */
	assert_int_equal(audit_prune(f.st, NULL, now, 1, err, sizeof(err)), 0);
	/* Nothing is older than five years yet... */
	assert_int_equal(audit_prune(f.st, f.key, old + 86400000, 1825, err, sizeof(err)), 0);
	/* ...but with one day of retention the twelve records before the latest
	 * old checkpoint (seq 13) go. */
	assert_int_equal(audit_prune(f.st, f.key, now, 1, err, sizeof(err)), 12);
	assert_int_equal(store_audit_extent(f.st, &first, &count, err, sizeof(err)), 0);
	assert_int_equal(first, 13); /* the checkpoint: the anchor */
	assert_int_equal(count, 1 + 5 + 1);  /* anchor, the recent five, the retention record */
	int64_t bad_seq;
	assert_int_equal(audit_chain_check(f.st, &bad_seq, err, sizeof(err)), 0);

	snprintf(path, sizeof(path), "%s/e.jsonl", f.dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	/* to: after the wall clock, as records are recorded at it */
	struct audit_export_options o = { .from_ms = 0, .to_ms = t_ms("2100-01-01T00:00:00Z"), .key = f.key, .now_ms = now };
	struct audit_export_result res;
	assert_int_equal(audit_export(f.st, &o, out, &res, err, sizeof(err)), 0);
	fclose(out);
	assert_int_equal(res.first_seq, 13);
	assert_int_equal(res.count, 7);
	uint8_t pub[SIGN_PUBLIC_LEN];
	sign_key_public(f.key, pub);
	int rc = audit_verify_file(path, pub, report, sizeof(report));
	if (rc != 0)
		fail_msg("verify: %s", report);
	assert_non_null(strstr(report, "1 checkpoint(s)"));

	/* Another key does not verify it. */
	pub[0] ^= 1;
	assert_int_equal(audit_verify_file(path, pub, report, sizeof(report)), 1);
	assert_non_null(strstr(report, "bad signature"));
	fixture_close(&f);
}

/* A record as written before records had recorded_at: hashed over six
 * members, stored with recorded_at_ms NULL. */
static void insert_record(struct fixture *f, int64_t at_ms, int64_t recorded_at_ms, const char *payload)
{
	char err[256], at[TS_RFC3339_LEN], recorded_at[TS_RFC3339_LEN], prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
	int64_t seq;
	json_t *p = json_loads(payload, 0, NULL);
	assert_int_equal(store_audit_head(f->st, &seq, prev, err, sizeof(err)), 0);
	ts_format_rfc3339(at_ms, at, sizeof(at));
	if (recorded_at_ms != AUDIT_NO_RECORDED_AT) /* INT64_MIN: no time to format */
		ts_format_rfc3339(recorded_at_ms, recorded_at, sizeof(recorded_at));
	assert_int_equal(audit_record_hash(seq + 1, at, recorded_at_ms == AUDIT_NO_RECORDED_AT ? NULL : recorded_at,
					   "level_change", "p1", p, prev, hash),
			 0);
	json_decref(p);
	struct store_audit_row r = { .seq = seq + 1, .at_ms = at_ms, .recorded_at_ms = recorded_at_ms,
				     .kind = "level_change", .player_id = "p1", .payload = payload,
				     .prev_hash = prev, .hash = hash };
	assert_int_equal(store_audit_insert(f->st, &r, err, sizeof(err)), 0);
}

/* Exports the records recorded in [from, to) to dir/name and verifies it;
 * returns how many records it holds. */
static int64_t export_verified(struct fixture *f, const char *name, int64_t from, int64_t to)
{
	char err[256], report[512], path[160];
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	struct audit_export_options o = { .from_ms = from, .to_ms = to, .key = f->key, .now_ms = to };
	struct audit_export_result res;
	assert_int_equal(audit_export(f->st, &o, out, &res, err, sizeof(err)), 0);
	fclose(out);
	uint8_t pub[SIGN_PUBLIC_LEN];
	sign_key_public(f->key, pub);
	if (audit_verify_file(path, pub, report, sizeof(report)) != 0)
		fail_msg("verify %s: %s", name, report);
	return res.count;
}

/* A database from before recorded_at goes on: its records keep their
 * hashes and are selected by at; new ones carry recorded_at (hashed) and
 * are selected by it; the chain holds across; recorded_at never goes back
 * behind the head's, whatever the clock says. */
static void test_recorded_at_beside_older_records(void **state)
{
	(void)state;
	struct fixture f;
	char err[256];
	int64_t bad_seq, seq, recorded;
	char hash[AUDIT_HASH_HEX];
	fixture_open(&f);
	int64_t october = t_ms("2026-10-01T12:00:00Z");
	insert_record(&f, october, AUDIT_NO_RECORDED_AT, "{\"i\":1}");
	insert_record(&f, october + 1000, AUDIT_NO_RECORDED_AT, "{\"i\":2}");
	append(&f, october, 2); /* event time in October, recorded now */
	assert_int_equal(audit_chain_check(f.st, &bad_seq, err, sizeof(err)), 0);
	assert_int_equal(store_audit_head_recorded(f.st, &seq, hash, &recorded, err, sizeof(err)), 0);
	assert_int_equal(seq, 4);
	assert_true(recorded > t_ms("2026-12-01T00:00:00Z"));

	/* October holds the two older records (by at), not the two decisions
	 * on October events recorded since. */
	assert_int_equal(export_verified(&f, "october.jsonl", october, t_ms("2026-11-01T00:00:00Z")), 2);
	assert_int_equal(export_verified(&f, "recent.jsonl", recorded - 60000, recorded + 1), 2);
	assert_int_equal(export_verified(&f, "all.jsonl", 0, t_ms("2100-01-01T00:00:00Z")), 4);

	/* A record recorded ahead of the clock (it stepped back): the next
	 * one is recorded at the same time, not before. */
	int64_t ahead = t_ms("2099-01-01T00:00:00Z");
	insert_record(&f, october, ahead, "{\"i\":3}");
	append(&f, october, 1);
	assert_int_equal(store_audit_head_recorded(f.st, &seq, hash, &recorded, err, sizeof(err)), 0);
	assert_int_equal(seq, 6);
	assert_int_equal(recorded, ahead);
	assert_int_equal(audit_chain_check(f.st, &bad_seq, err, sizeof(err)), 0);
	assert_int_equal(export_verified(&f, "ahead.jsonl", ahead, ahead + 1), 2);
	fixture_close(&f);
}

struct outbox_rows {
	int n;
	char topic[64], value[1024];
};

static int note_outbox_row(void *ctx, const struct store_outbox_msg *m)
{
	struct outbox_rows *o = ctx;
	o->n++;
	snprintf(o->topic, sizeof(o->topic), "%s", m->topic);
	snprintf(o->value, sizeof(o->value), "%.*s", (int)m->value_len, m->value);
	return 0;
}

/* A checkpoint is published as it is made: the line handed back, and the
 * same line in the outbox for rg.audit-checkpoints, in its transaction;
 * an auditor holding it accepts it, and refuses it once altered. */
static void test_checkpoint_is_published(void **state)
{
	(void)state;
	struct fixture f;
	struct outbox_rows rows = { 0 };
	struct audit_held held = { 0 };
	char err[256], *line = NULL, hash[AUDIT_HASH_HEX];
	int64_t head, bad_seq;
	fixture_open(&f);
	append(&f, t_ms("2026-11-01T00:00:00Z"), 3);
	assert_int_equal(audit_checkpoint_if_due(f.st, f.key, t_ms("2026-11-01T00:01:00Z"), 1, 0, &line, err, sizeof(err)),
			 1);
	assert_non_null(line);
	assert_int_equal(store_audit_head(f.st, &head, hash, err, sizeof(err)), 0);
	assert_int_equal(store_outbox_unsent_each(f.st, 0, 100, note_outbox_row, &rows, err, sizeof(err)), 0);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.topic, AUDIT_CHECKPOINT_TOPIC);
	assert_string_equal(rows.value, line);
	assert_int_equal(audit_held_add(&held, line, err, sizeof(err)), 0);
	assert_int_equal(held.v[0].seq, head);
	assert_string_equal(held.v[0].hash, hash);
	assert_int_equal(held.v[0].signs_seq, 3);
	assert_int_equal(audit_chain_check(f.st, &bad_seq, err, sizeof(err)), 0);

	/* Another head under the same signature is refused. */
	char *forged = strstr(line, "\"signs_seq\":3");
	assert_non_null(forged);
	forged[strlen("\"signs_seq\":")] = '2';
	assert_int_equal(audit_held_add(&held, line, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not signed"));
	assert_int_equal(held.n, 1);
	audit_held_release(&held);
	free(line);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_hash_is_canonical_json),
		cmocka_unit_test(test_canonical_json_byte_for_byte),
		cmocka_unit_test(test_canonical_json_is_what_old_records_were_hashed_over),
		cmocka_unit_test(test_canonical_json_refuses_reals),
		cmocka_unit_test(test_retention_keeps_the_rest_verifiable),
		cmocka_unit_test(test_checkpoint_is_published),
		cmocka_unit_test(test_recorded_at_beside_older_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
