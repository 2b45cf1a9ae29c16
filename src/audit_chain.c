/* audit_chain.c -- re-checks the audit chain as stored, before `audit
 * export` signs a manifest over it: a manifest signed over a broken chain
 * would lend the operator's signature to a rewrite. Hash by hash, link by
 * link, every signature, and the cut retention made at the start. */
#include "rgmon/audit.h"
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

/* Checks one record; 1 (and stops the walk) at the first problem. */
static int check_row(void *ctx, const struct store_audit_row *r)
{
	struct chain_walk *w = ctx;
	char at[TS_RFC3339_LEN], hash[AUDIT_HASH_HEX], why[160];
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
	json_t *payload = json_loads(r->payload, 0, NULL);
	ts_format_rfc3339(r->at_ms, at, sizeof(at));
	if (audit_record_hash(r->seq, at, r->kind, r->player_id, payload, r->prev_hash, hash) < 0 ||
	    strcmp(hash, r->hash) != 0) {
		json_decref(payload);
		return broken(w, r->seq, "it does not match its hash");
	}
	int kind = audit_kind_parse(r->kind);
	int bad = 0;
	if (kind == AUDIT_CHECKPOINT || kind == AUDIT_RETENTION) {
		if (audit_payload_signature_check((enum audit_kind)kind, payload, NULL, why, sizeof(why)) < 0)
			bad = broken(w, r->seq, "%s record: %s", r->kind, why);
		else if (kind == AUDIT_RETENTION)
			note_retention(w, payload);
		else if (json_integer_value(json_object_get(payload, "signs_seq")) != r->seq - 1 ||
			 strcmp(json_string_value(json_object_get(payload, "signs_hash")), r->prev_hash) != 0)
			bad = broken(w, r->seq, "the checkpoint signs another head than the record before it");
	}
	json_decref(payload);
	w->prev_seq = r->seq;
	rg_strlcpy(w->prev_hash, r->hash, sizeof(w->prev_hash));
	return bad;
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
