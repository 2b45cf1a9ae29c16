/* audit.c -- appending to the audit chain, checkpoints and retention. The
 * export and its verification are in audit_export.c and audit_verify.c. */
#include "rgmon/audit.h"
#include "rgmon/canon.h"
#include "rgmon/digest.h"
#include "rgmon/engine.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/risk.h"
#include "rgmon/rules.h"
#include "rgmon/sign.h"
#include "rgmon/timestamp.h"

#include <stdio.h>

int audit_record_hash(int64_t seq, const char *at, const char *kind, const char *player_id, json_t *payload,
		      const char *prev_hash, char out[AUDIT_HASH_HEX])
{
	if (!json_is_object(payload))
		return -1;
	json_t *rec = json_pack("{s:I, s:s, s:s, s:O, s:s, s:o}", "seq", (json_int_t)seq, "at", at, "kind", kind,
				"payload", payload, "prev_hash", prev_hash, "player_id",
				player_id ? json_string(player_id) : json_null());
	char *text = rec ? canon_json(rec) : NULL;
	json_decref(rec);
	int rc = text ? digest_sha256_hex(text, strlen(text), out) : -1;
	free(text);
	return rc;
}

static const char *const kind_names[AUDIT_KIND_COUNT] = {
	"policy_loaded", "level_change", "alert_opened", "alert_escalated", "player_flag", "staff_action",
	"checkpoint", "retention", "export_made", "service_start", "service_stop", "token_registered",
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
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX], at[TS_RFC3339_LEN];
	int rc = -1;
	char *text = payload ? canon_json(payload) : NULL; /* stored, and exported, as hashed */
	if (!text) {
		seterr(err, errlen, "audit %s: cannot write its payload", kind);
		goto out;
	}
	if (store_audit_head(st, &r.seq, prev, err, errlen) < 0)
		goto out;
	r.seq++;
	ts_format_rfc3339(at_ms, at, sizeof(at));
	if (audit_record_hash(r.seq, at, kind, player_id, payload, prev, hash) < 0) {
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
	snprintf(buf, len, "rgmon-audit-checkpoint/1 %lld %s", (long long)seq, hash);
}

/* A checkpoint record signing the head (seq, hash); in the caller's
 * transaction. */
static int append_checkpoint(struct store *st, const struct sign_key *key, int64_t at_ms, int64_t seq,
			     const char *hash, char *err, size_t errlen)
{
	char msg[128], sig_hex[SIGN_SIGNATURE_HEX], pub_hex[SIGN_PUBLIC_HEX], fp[SIGN_FINGERPRINT_LEN];
	uint8_t sig[SIGN_SIGNATURE_LEN], pub[SIGN_PUBLIC_LEN];
	audit_checkpoint_message(seq, hash, msg, sizeof(msg));
	if (sign_message(key, msg, strlen(msg), sig) < 0)
		return seterr(err, errlen, "audit checkpoint: libcrypto cannot sign");
	sign_key_public(key, pub);
	digest_hex_encode(sig, sizeof(sig), sig_hex);
	digest_hex_encode(pub, sizeof(pub), pub_hex);
	sign_fingerprint(pub, fp);
	return audit_append(st, at_ms, AUDIT_CHECKPOINT, NULL,
			    json_pack("{s:I, s:s, s:s, s:s, s:s}", "signs_seq", (json_int_t)seq, "signs_hash", hash,
				      "public_key", pub_hex, "key_fingerprint", fp, "signature", sig_hex),
			    err, errlen);
}

int audit_checkpoint_if_due(struct store *st, const struct sign_key *key, int64_t now_ms, int64_t every_records,
			    int64_t every_ms, char *err, size_t errlen)
{
	int64_t head, last, last_ms;
	char hash[AUDIT_HASH_HEX];
	if (!key)
		return 0;
	if (store_audit_head(st, &head, hash, err, errlen) < 0 ||
	    store_audit_last_checkpoint(st, &last, &last_ms, err, errlen) < 0)
		return -1;
	if (head == last || (head - last < every_records && now_ms - last_ms < every_ms))
		return 0;
	if (store_begin(st, err, errlen) < 0)
		return -1;
	if (append_checkpoint(st, key, now_ms, head, hash, err, errlen) < 0 || store_commit(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
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

int64_t audit_prune(struct store *st, int64_t now_ms, int retention_days, char *err, size_t errlen)
{
	int64_t horizon = now_ms - (int64_t)retention_days * MS_PER_DAY;
	int64_t anchor = store_audit_checkpoint_before(st, horizon, err, errlen);
	if (anchor <= 0)
		return anchor;
	if (store_begin(st, err, errlen) < 0)
		return -1;
	int64_t gone = store_audit_prune_before(st, anchor, now_ms, err, errlen);
	if (gone < 0 ||
	    audit_append(st, now_ms, AUDIT_RETENTION, NULL,
			 json_pack("{s:I, s:I, s:i}", "anchor_seq", (json_int_t)anchor, "records_dropped",
				   (json_int_t)gone, "retention_days", retention_days),
			 err, errlen) < 0 ||
	    store_commit(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	return gone;
}
