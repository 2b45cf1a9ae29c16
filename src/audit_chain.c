/* audit_chain.c -- re-checks the audit chain as stored, before `audit
 * export` signs a manifest over it: a manifest signed over a broken chain
 * would lend the operator's signature to a rewrite. Hash by hash, link by
 * link, every signature, and the cut retention made at the start. */
#include "rgmon/audit.h"
#include "rgmon/digest.h"
#include "rgmon/timestamp.h"

#include <stdarg.h>
#include <stdio.h>

struct chain_walk {
	int64_t first_seq, prev_seq;
	char first_prev[AUDIT_HASH_HEX], prev_hash[AUDIT_HASH_HEX];
	bool cut_covered; /* a signed retention record names the cut before first_seq */
	int64_t bad_seq;
	char *why;
	size_t whylen;
};

/* A retention record covers the cut when it names exactly the records
 * before the first one kept, and the hash the first kept one chains to. */
static void note_retention(struct chain_walk *w, json_t *payload)
{
	json_t *last = json_object_get(payload, "removed_last_seq");
	const char *cut = json_string_value(json_object_get(payload, "cut_hash"));
	if (json_integer_value(last) + 1 == w->first_seq && cut && strcmp(cut, w->first_prev) == 0)
		w->cut_covered = true;
}

/* Notes the first bad seq and what is wrong with it; returns 1 (stop). */
static int broken(struct chain_walk *w, int64_t seq, const char *fmt, ...) RG_PRINTF(3, 4);
static int broken(struct chain_walk *w, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->why, w->whylen, fmt, ap);
	va_end(ap);
	w->bad_seq = seq;
	return 1;
}

/* Whether the record's hash is that of its stored text put together as
 * canonical JSON without parsing it: payloads are stored in their
 * canonical form, and at, kind, player_id and the hashes need no escaping.
 * Ten times faster than parsing, for the millions of records an export
 * re-checks; when it does not hold (a payload stored otherwise, by hand),
 * the caller parses and re-encodes before calling the record broken. */
static bool stored_text_matches(const struct store_audit_row *r, const char *at, const char *recorded_at)
{
	size_t cap = strlen(r->payload) + strlen(r->kind) + (r->player_id ? strlen(r->player_id) : 0) + 320;
	char *text = malloc(cap), hash[AUDIT_HASH_HEX];
	if (!text)
		return false;
	/* Sorted members: recorded_at (when the record has one) comes between
	 * prev_hash and seq. */
	int n = snprintf(text, cap, "{\"at\":\"%s\",\"kind\":\"%s\",\"payload\":%s,\"player_id\":%s%s%s,"
				    "\"prev_hash\":\"%s\",%s%s%s\"seq\":%lld}",
			 at, r->kind, r->payload, r->player_id ? "\"" : "", r->player_id ? r->player_id : "null",
			 r->player_id ? "\"" : "", r->prev_hash, recorded_at ? "\"recorded_at\":\"" : "",
			 recorded_at ? recorded_at : "", recorded_at ? "\"," : "", (long long)r->seq);
	bool same = n > 0 && (size_t)n < cap && digest_sha256_hex(text, (size_t)n, hash) == 0 &&
		    strcmp(hash, r->hash) == 0;
	free(text);
	return same;
}

/* Checks one record; 1 (and stops the walk) at the first problem. */
static int check_row(void *ctx, const struct store_audit_row *r)
{
	struct chain_walk *w = ctx;
	char at[TS_RFC3339_LEN], recorded_at[TS_RFC3339_LEN], hash[AUDIT_HASH_HEX], why[160];
	if (w->prev_seq == 0) {
		w->first_seq = r->seq;
		rg_strlcpy(w->first_prev, r->prev_hash, sizeof(w->first_prev));
		if (r->seq == 1 && strcmp(r->prev_hash, AUDIT_GENESIS_HASH) != 0)
			return broken(w, r->seq, "the first record does not start the chain");
	} else if (r->seq != w->prev_seq + 1) {
		return r->seq == w->prev_seq + 2
			       ? broken(w, w->prev_seq + 1, "record %lld is missing", (long long)(w->prev_seq + 1))
			       : broken(w, w->prev_seq + 1, "records %lld..%lld are missing", (long long)(w->prev_seq + 1),
					(long long)(r->seq - 1));
	} else if (strcmp(r->prev_hash, w->prev_hash) != 0) {
		return broken(w, r->seq, "it does not chain to record %lld", (long long)w->prev_seq);
	}
	ts_format_rfc3339(r->at_ms, at, sizeof(at));
	const char *recorded = NULL;
	if (r->recorded_at_ms != AUDIT_NO_RECORDED_AT) {
		ts_format_rfc3339(r->recorded_at_ms, recorded_at, sizeof(recorded_at));
		recorded = recorded_at;
	}
	int kind = audit_kind_parse(r->kind);
	bool signed_kind = kind == AUDIT_CHECKPOINT || kind == AUDIT_RETENTION;
	if (!signed_kind && stored_text_matches(r, at, recorded))
		goto linked;
	json_t *payload = json_loads(r->payload, 0, NULL);
	if (audit_record_hash(r->seq, at, recorded, r->kind, r->player_id, payload, r->prev_hash, hash) < 0 ||
	    strcmp(hash, r->hash) != 0) {
		json_decref(payload);
		return broken(w, r->seq, "it does not match its hash");
	}
	int bad = 0;
	if (signed_kind) {
		if (audit_payload_signature_check((enum audit_kind)kind, payload, NULL, why, sizeof(why)) < 0)
			bad = broken(w, r->seq, "%s record: %s", r->kind, why);
		else if (kind == AUDIT_RETENTION)
			note_retention(w, payload);
		else if (json_integer_value(json_object_get(payload, "signs_seq")) != r->seq - 1 ||
			 strcmp(json_string_value(json_object_get(payload, "signs_hash")), r->prev_hash) != 0)
			bad = broken(w, r->seq, "the checkpoint signs another head than the record before it");
	}
	json_decref(payload);
	if (bad)
		return 1;
linked:
	w->prev_seq = r->seq;
	rg_strlcpy(w->prev_hash, r->hash, sizeof(w->prev_hash));
	return 0;
}

int audit_chain_check(struct store *st, int64_t *bad_seq, char *why, size_t whylen)
{
	struct chain_walk w = { .why = why, .whylen = whylen };
	*bad_seq = 0;
	if (store_audit_each(st, 1, INT64_MAX, NULL, check_row, &w, why, whylen) < 0)
		return -1;
	if (w.bad_seq == 0 && w.first_seq > 1 && !w.cut_covered)
		broken(&w, w.first_seq,
		       "records 1..%lld are gone and no signed retention record covers them (a retention record "
		       "names the seqs it removed and the hash at the cut, signed)",
		       (long long)(w.first_seq - 1));
	*bad_seq = w.bad_seq;
	return w.bad_seq ? 1 : 0;
}
