/* audit.c -- appending to the audit chain, checkpoints and retention. The
 * export and its verification are in audit_export.c and audit_verify.c. */
#include "rgmon/audit.h"
#include "rgmon/canon.h"
#include "rgmon/clock.h"
#include "rgmon/digest.h"
#include "rgmon/engine.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/risk.h"
#include "rgmon/rules.h"
#include "rgmon/sign.h"
#include "rgmon/timestamp.h"

#include <stdio.h>

int audit_record_hash(int64_t seq, const char *at, const char *recorded_at, const char *kind, const char *player_id,
		      json_t *payload, const char *prev_hash, char out[AUDIT_HASH_HEX])
{
	if (!json_is_object(payload))
		return -1;
	json_t *rec = json_pack("{s:I, s:s, s:s, s:O, s:s, s:o}", "seq", (json_int_t)seq, "at", at, "kind", kind,
				"payload", payload, "prev_hash", prev_hash, "player_id",
				player_id ? json_string(player_id) : json_null());
	/* Only when the record has one: older records keep their hashes. */
	if (rec && recorded_at)
		json_object_set_new(rec, "recorded_at", json_string(recorded_at));
	char *text = rec ? canon_json(rec) : NULL;
	json_decref(rec);
	int rc = text ? digest_sha256_hex(text, strlen(text), out) : -1;
	free(text);
	return rc;
}

static const char *const kind_names[AUDIT_KIND_COUNT] = {
	"policy_loaded", "level_change", "alert_opened", "alert_escalated", "player_flag", "staff_action",
	"checkpoint", "retention", "export_made", "service_start", "service_stop", "token_registered",
	"badge_link_made",
	"follow_up",
	"review_approved", "review_rejected",
	"interaction", "case_note",
};

const char *audit_kind_name(enum audit_kind k) { return (unsigned)k < AUDIT_KIND_COUNT ? kind_names[k] : "?"; }

int audit_kind_parse(const char *s)
{
	for (int i = 0; s && i < AUDIT_KIND_COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

int audit_append(struct store *st, int64_t at_ms, enum audit_kind kind_id, const char *player_id,
		 json_t *payload, char *err, size_t errlen)
{
	const char *kind = audit_kind_name(kind_id);
	struct store_audit_row r = { .at_ms = at_ms, .kind = kind, .player_id = player_id };
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX], at[TS_RFC3339_LEN], recorded_at[TS_RFC3339_LEN];
	int64_t head_recorded;
	int rc = -1;
	char *text = payload ? canon_json(payload) : NULL; /* stored, and exported, as hashed */
	if (!text) {
		seterr(err, errlen, "audit %s: cannot write its payload", kind);
		goto out;
	}
	if (store_audit_head_recorded(st, &r.seq, prev, &head_recorded, err, errlen) < 0)
		goto out;
	r.seq++;
	/* Read inside the write transaction, so an export that waited for the
	 * write lock (store_write_barrier) knows every record recorded before
	 * it is committed. Never before the head: recorded_at does not
	 * decrease along the chain even when the clock steps back. */
	r.recorded_at_ms = clock_now_ms();
	if (r.recorded_at_ms < head_recorded)
		r.recorded_at_ms = head_recorded;
	ts_format_rfc3339(at_ms, at, sizeof(at));
	ts_format_rfc3339(r.recorded_at_ms, recorded_at, sizeof(recorded_at));
	if (audit_record_hash(r.seq, at, recorded_at, kind, player_id, payload, prev, hash) < 0) {
		seterr(err, errlen, "audit %s: cannot hash the record", kind);
		goto out;
	}
	r.payload = text;
	r.prev_hash = prev;
	r.hash = hash;
	rc = store_audit_insert(st, &r, err, errlen);
out:
	free(text);
	json_decref(payload);
	return rc;
}

void audit_checkpoint_message(int64_t seq, const char *hash, char *buf, size_t len)
{
	snprintf(buf, len, AUDIT_CHECKPOINT_FORMAT " %lld %s", (long long)seq, hash);
}

void audit_retention_message(int64_t first_seq, int64_t last_seq, const char *cut_hash, char *buf, size_t len)
{
	snprintf(buf, len, "rgmon-audit-retention/1 %lld %lld %s", (long long)first_seq, (long long)last_seq, cut_hash);
}

/* Signs msg with key and sets public_key, key_fingerprint and signature on
 * payload (stolen: released on failure). */
static json_t *signed_payload(json_t *payload, const struct sign_key *key, const char *msg, char *err, size_t errlen)
{
	char sig_hex[SIGN_SIGNATURE_HEX], pub_hex[SIGN_PUBLIC_HEX], fp[SIGN_FINGERPRINT_LEN];
	uint8_t sig[SIGN_SIGNATURE_LEN], pub[SIGN_PUBLIC_LEN];
	if (!payload || sign_message(key, msg, strlen(msg), sig) < 0) {
		json_decref(payload);
		seterr(err, errlen, "audit: libcrypto cannot sign");
		return NULL;
	}
	sign_key_public(key, pub);
	digest_hex_encode(sig, sizeof(sig), sig_hex);
	digest_hex_encode(pub, sizeof(pub), pub_hex);
	sign_fingerprint(pub, fp);
	json_object_set_new(payload, "public_key", json_string(pub_hex));
	json_object_set_new(payload, "key_fingerprint", json_string(fp));
	json_object_set_new(payload, "signature", json_string(sig_hex));
	return payload;
}

static bool member_int(json_t *o, const char *key, int64_t *v)
{
	json_t *m = json_object_get(o, key);
	*v = json_is_integer(m) ? json_integer_value(m) : 0;
	return json_is_integer(m);
}

int audit_payload_signature_check(enum audit_kind kind, json_t *payload, const uint8_t *pub, char *why,
				  size_t whylen)
{
	const char *sig_hex = json_string_value(json_object_get(payload, "signature"));
	const char *key_hex = json_string_value(json_object_get(payload, "public_key"));
	uint8_t sig[SIGN_SIGNATURE_LEN], named[SIGN_PUBLIC_LEN];
	char msg[256];
	int64_t a, b;
	if (kind == AUDIT_CHECKPOINT) {
		const char *hash = json_string_value(json_object_get(payload, "signs_hash"));
		if (!member_int(payload, "signs_seq", &a) || !hash)
			return seterr(why, whylen, "it is incomplete");
		audit_checkpoint_message(a, hash, msg, sizeof(msg));
	} else {
		const char *hash = json_string_value(json_object_get(payload, "cut_hash"));
		if (!member_int(payload, "removed_first_seq", &a) || !member_int(payload, "removed_last_seq", &b) || !hash)
			return seterr(why, whylen, "it is not signed (it names no removed seqs and cut hash)");
		audit_retention_message(a, b, hash, msg, sizeof(msg));
	}
	if (!sig_hex || digest_hex_decode(sig_hex, sig, sizeof(sig)) < 0)
		return seterr(why, whylen, "it has no signature");
	if (!pub && (!key_hex || digest_hex_decode(key_hex, named, sizeof(named)) < 0))
		return seterr(why, whylen, "it names no public key");
	if (!sign_verify(pub ? pub : named, msg, strlen(msg), sig))
		return seterr(why, whylen, "it is not signed by the %s key", pub ? "given" : "named");
	return 0;
}

/* The line a checkpoint is published as: its own seq and hash (the head
 * after it was appended), what it signs, when, and the signature. */
static char *published_line(struct store *st, json_t *payload, int64_t at_ms, char *err, size_t errlen)
{
	int64_t seq;
	char hash[AUDIT_HASH_HEX], at[TS_RFC3339_LEN];
	if (store_audit_head(st, &seq, hash, err, errlen) < 0)
		return NULL;
	ts_format_rfc3339(at_ms, at, sizeof(at));
	json_t *line = json_pack("{s:s, s:I, s:s, s:s, s:O, s:O, s:O, s:O, s:O}", "format", AUDIT_CHECKPOINT_FORMAT,
				 "seq", (json_int_t)seq, "hash", hash, "at", at, "signs_seq",
				 json_object_get(payload, "signs_seq"), "signs_hash", json_object_get(payload, "signs_hash"),
				 "public_key", json_object_get(payload, "public_key"), "key_fingerprint",
				 json_object_get(payload, "key_fingerprint"), "signature",
				 json_object_get(payload, "signature"));
	char *text = line ? canon_json(line) : NULL;
	json_decref(line);
	if (!text)
		seterr(err, errlen, "audit checkpoint: out of memory");
	return text;
}

/* A checkpoint record signing the head (seq, hash), and its message for
 * AUDIT_CHECKPOINT_TOPIC in the outbox; in the caller's transaction.
 * Returns the published line (the caller frees it), or NULL. */
static char *append_checkpoint(struct store *st, const struct sign_key *key, int64_t at_ms, int64_t seq,
			       const char *hash, char *err, size_t errlen)
{
	char msg[128];
	audit_checkpoint_message(seq, hash, msg, sizeof(msg));
	json_t *payload = signed_payload(json_pack("{s:I, s:s}", "signs_seq", (json_int_t)seq, "signs_hash", hash), key,
					 msg, err, errlen);
	if (!payload || audit_append(st, at_ms, AUDIT_CHECKPOINT, NULL, json_incref(payload), err, errlen) < 0) {
		json_decref(payload);
		return NULL;
	}
	char *line = published_line(st, payload, at_ms, err, errlen);
	const char *fp = json_string_value(json_object_get(payload, "key_fingerprint"));
	if (line && store_outbox_add(st, AUDIT_CHECKPOINT_TOPIC, fp, NULL, line, at_ms, err, errlen) < 0) {
		free(line);
		line = NULL;
	}
	json_decref(payload);
	return line;
}

int audit_checkpoint_if_due(struct store *st, const struct sign_key *key, int64_t now_ms, int64_t every_records,
			    int64_t every_ms, char **published, char *err, size_t errlen)
{
	int64_t head, last, last_ms;
	char hash[AUDIT_HASH_HEX];
	if (published)
		*published = NULL;
	if (!key)
		return 0;
	if (store_audit_head(st, &head, hash, err, errlen) < 0 ||
	    store_audit_last_checkpoint(st, &last, &last_ms, err, errlen) < 0)
		return -1;
	if (head == last || (head - last < every_records && now_ms - last_ms < every_ms))
		return 0;
	if (store_begin(st, err, errlen) < 0)
		return -1;
	char *line = append_checkpoint(st, key, now_ms, head, hash, err, errlen);
	if (!line || store_commit(st, err, errlen) < 0) {
		free(line);
		store_rollback(st);
		return -1;
	}
	if (published)
		*published = line;
	else
		free(line);
	return 1;
}

int audit_event_decisions(struct store *st, const struct policy *pol, const struct event *ev,
			  const struct player_state *ps, const struct engine_result *res, char *err, size_t errlen)
{
	if (res->level == res->level_before)
		return 0;
	json_t *markers = json_array();
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (ps->markers[i].rule < RULE_COUNT)
			json_array_append_new(markers, json_string(rule_defs[ps->markers[i].rule]->id));
	return audit_append(st, ev->ts_ms, AUDIT_LEVEL_CHANGE, ev->player_id,
			    json_pack("{s:s, s:s, s:s, s:i, s:o, s:s}", "event_id", ev->event_id, "from",
				      risk_level_name((enum risk_level)res->level_before), "to",
				      risk_level_name((enum risk_level)res->level), "score", (int)res->score,
				      "markers", markers, "policy", pol->id),
			    err, errlen);
}

/* The prev_hash of record seq: the hash of the record before it. */
static int read_prev_hash(void *ctx, const struct store_audit_row *r)
{
	rg_strlcpy(ctx, r->prev_hash, AUDIT_HASH_HEX);
	return 1;
}

int64_t audit_prune(struct store *st, const struct sign_key *key, int64_t now_ms, int retention_days, char *err,
		    size_t errlen)
{
	int64_t horizon = now_ms - (int64_t)retention_days * MS_PER_DAY, first, count;
	char cut[AUDIT_HASH_HEX] = "", msg[256];
	if (!key)
		return 0;
	int64_t anchor = store_audit_checkpoint_before(st, horizon, err, errlen);
	if (anchor <= 0)
		return anchor;
	if (store_begin(st, err, errlen) < 0)
		return -1;
	if (store_audit_extent(st, &first, &count, err, errlen) < 0 ||
	    store_audit_each(st, anchor, anchor, NULL, read_prev_hash, cut, err, errlen) < 0)
		goto fail;
	audit_retention_message(first, anchor - 1, cut, msg, sizeof(msg));
	json_t *payload = signed_payload(json_pack("{s:I, s:I, s:I, s:s, s:i}", "anchor_seq", (json_int_t)anchor,
						   "removed_first_seq", (json_int_t)first, "removed_last_seq",
						   (json_int_t)(anchor - 1), "cut_hash", cut, "retention_days",
						   retention_days),
					 key, msg, err, errlen);
	int64_t gone = payload ? store_audit_prune_before(st, anchor, now_ms, err, errlen) : -1;
	if (gone >= 0)
		json_object_set_new(payload, "records_dropped", json_integer(gone));
	if (gone < 0 || audit_append(st, now_ms, AUDIT_RETENTION, NULL, payload, err, errlen) < 0 ||
	    store_commit(st, err, errlen) < 0) {
		if (gone < 0)
			json_decref(payload);
		goto fail;
	}
	return gone;
fail:
	store_rollback(st);
	return -1;
}
