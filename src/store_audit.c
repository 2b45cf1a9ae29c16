/* store_audit.c -- the audit trail's rows: the hash chain (append at the
 * head, read in seq order), retention from a signed checkpoint, and the
 * API tokens serve has registered in the trail.
 *
 * Owns: the audit, audit_retention and audit_tokens tables.
 * Never: computes a hash, signs or decides what to record (audit.c does),
 * or updates or deletes a record other than through retention -- the
 * schema's triggers refuse it anyway. */
#include "store_int.h"

static const struct store_sql audit_head = {
	"reading the audit head", "SELECT seq, hash, recorded_at_ms FROM audit ORDER BY seq DESC LIMIT 1", "",
	STMT_AUDIT_HEAD,
};

struct head_read {
	int64_t *seq;
	char *hash;
	int64_t *recorded_at_ms;
};

static int head_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct head_read *r = ctx;
	*r->seq = sqlite3_column_int64(s, 0);
	const char *h = (const char *)sqlite3_column_text(s, 1);
	rg_strlcpy(r->hash, h ? h : "", AUDIT_HASH_HEX);
	*r->recorded_at_ms = store_col_int64(s, 2, AUDIT_NO_RECORDED_AT);
	return 1;
}

int store_audit_head_recorded(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX], int64_t *recorded_at_ms,
			      char *err, size_t errlen)
{
	struct head_read r = { seq, hash, recorded_at_ms };
	*seq = 0;
	*recorded_at_ms = AUDIT_NO_RECORDED_AT;
	rg_strlcpy(hash, AUDIT_GENESIS_HASH, AUDIT_HASH_HEX);
	return store_exec(st, &audit_head, head_row, &r, err, errlen) < 0 ? -1 : 0;
}

int store_audit_head(struct store *st, int64_t *seq, char hash[AUDIT_HASH_HEX], char *err, size_t errlen)
{
	int64_t ignored;
	return store_audit_head_recorded(st, seq, hash, &ignored, err, errlen);
}

static const struct store_sql audit_add = {
	"writing an audit record",
	"INSERT INTO audit(seq, at_ms, kind, player_id, payload, prev_hash, hash, recorded_at_ms)"
	" VALUES (?,?,?,?,?,?,?,?)",
	"IIsssssI?", STMT_AUDIT_ADD,
};

int store_audit_insert(struct store *st, const struct store_audit_row *r, char *err, size_t errlen)
{
	/* AUDIT_NO_RECORDED_AT is INT64_MIN: bound as NULL. */
	return store_exec(st, &audit_add, NULL, NULL, err, errlen, r->seq, r->at_ms, r->kind, r->player_id,
			  r->payload, r->prev_hash, r->hash, r->recorded_at_ms);
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

/* By the time a record was written; a record from before recorded_at by
 * its at. The expression is the one the index audit_by_recorded is on. */
static const struct store_sql span_first = {
	"reading the audit span",
	"SELECT MIN(seq) FROM audit WHERE COALESCE(recorded_at_ms, at_ms) >= ?1 AND COALESCE(recorded_at_ms, at_ms) < ?2",
	"II", STMT_NONE,
};
static const struct store_sql span_last = {
	"reading the audit span",
	"SELECT MAX(seq) FROM audit WHERE COALESCE(recorded_at_ms, at_ms) >= ?1 AND COALESCE(recorded_at_ms, at_ms) < ?2",
	"II", STMT_NONE,
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
	"SELECT seq, at_ms, kind, player_id, payload, prev_hash, hash, recorded_at_ms FROM audit "
	"WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
	"II", STMT_NONE,
};
static const struct store_sql audit_range_of_player = {
	"reading the audit trail",
	"SELECT seq, at_ms, kind, player_id, payload, prev_hash, hash, recorded_at_ms FROM audit "
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
		.recorded_at_ms = store_col_int64(s, 7, AUDIT_NO_RECORDED_AT),
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
