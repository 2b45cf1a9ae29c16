/* audit_export.c -- the regulator export: the records of a time range (or
 * one player's among them) with their hashes, then a signed manifest.
 * Streams: one record in memory at a time, written as it is read, so the
 * export of millions of records runs in constant memory. The format is
 * schemas/audit-export.md. */
#include "rgmon/audit_export.h"
#include "rgmon/follow_ups.h"
#include "rgmon/alert.h"
#include "rgmon/audit_stats.h"
#include "rgmon/canon.h"
#include "rgmon/digest.h"
#include "rgmon/sign.h"
#include "rgmon/timestamp.h"

#include <stdio.h>

#define MAX_POLICIES 64

struct export_state {
	FILE *out;
	bool csv;
	struct digest_stream *digest; /* over every record's hash and "\n" */
	struct audit_export_result *res;
	char last_hash[AUDIT_HASH_HEX], first_prev[AUDIT_HASH_HEX];
	json_t *seqs; /* a player's export lists its seqs; NULL otherwise */
	char policies[MAX_POLICIES][POLICY_ID_MAX + 1];
	int npolicies;
	bool failed;
};

/* The policy ids the records name: found by their "policy" member without
 * parsing the payload (canonical JSON has no spaces). */
static void note_policies(struct export_state *x, const char *payload)
{
	static const char key[] = "\"policy\":\"";
	for (const char *p = strstr(payload, key); p; p = strstr(p + 1, key)) {
		const char *v = p + sizeof(key) - 1, *end = strchr(v, '"');
		size_t n = end ? (size_t)(end - v) : 0;
		if (n == 0 || n > POLICY_ID_MAX)
			continue;
		bool seen = false;
		for (int i = 0; i < x->npolicies && !seen; i++)
			seen = strncmp(x->policies[i], v, n) == 0 && x->policies[i][n] == '\0';
		if (!seen && x->npolicies < MAX_POLICIES) {
			memcpy(x->policies[x->npolicies], v, n);
			x->policies[x->npolicies++][n] = '\0';
		}
	}
}

/* A CSV field: quoted, with quotes doubled. */
static void csv_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static int write_record(void *ctx, const struct store_audit_row *r)
{
	struct export_state *x = ctx;
	char at[TS_RFC3339_LEN], recorded_at[TS_RFC3339_LEN] = "";
	ts_format_rfc3339(r->at_ms, at, sizeof(at));
	if (r->recorded_at_ms != AUDIT_NO_RECORDED_AT)
		ts_format_rfc3339(r->recorded_at_ms, recorded_at, sizeof(recorded_at));
	if (x->res->count == 0) {
		x->res->first_seq = r->seq;
		rg_strlcpy(x->first_prev, r->prev_hash, sizeof(x->first_prev));
	}
	x->res->count++;
	x->res->last_seq = r->seq;
	rg_strlcpy(x->last_hash, r->hash, sizeof(x->last_hash));
	if (digest_stream_update(x->digest, r->hash, strlen(r->hash)) < 0 || digest_stream_update(x->digest, "\n", 1) < 0)
		x->failed = true;
	if (x->seqs)
		json_array_append_new(x->seqs, json_integer(r->seq));
	note_policies(x, r->payload);
	/* kind and player_id are of [A-Za-z0-9._:-]: nothing to escape. */
	if (x->csv) {
		/* recorded_at empty for a record from before it existed */
		fprintf(x->out, "record,%lld,%s,%s,%s,%s,", (long long)r->seq, at, recorded_at, r->kind,
			r->player_id ? r->player_id : "");
		csv_quoted(x->out, r->payload);
		fprintf(x->out, ",%s,%s\n", r->prev_hash, r->hash);
	} else {
		fprintf(x->out, "{\"type\":\"record\",\"seq\":%lld,\"at\":\"%s\",", (long long)r->seq, at);
		/* only a record that has one: older records are exported as they were hashed */
		if (recorded_at[0])
			fprintf(x->out, "\"recorded_at\":\"%s\",", recorded_at);
		fprintf(x->out, "\"kind\":\"%s\",\"player_id\":", r->kind);
		if (r->player_id)
			fprintf(x->out, "\"%s\"", r->player_id);
		else
			fputs("null", x->out);
		fprintf(x->out, ",\"payload\":%s,\"prev_hash\":\"%s\",\"hash\":\"%s\"}\n", r->payload, r->prev_hash,
			r->hash);
	}
	return ferror(x->out) ? 1 : 0;
}

static json_t *summary_json(const struct audit_stats *s)
{
	json_t *outcomes = json_object();
	for (int i = 0; i < OUTCOME_COUNT; i++)
		json_object_set_new(outcomes, alert_outcome_name((enum alert_outcome)i), json_integer(s->outcomes[i]));
	return json_pack("{s:{s:I, s:I}, s:o, s:I, s:o, s:I}", "alerts_by_level", "amber", (json_int_t)s->alerts_amber,
			 "red", (json_int_t)s->alerts_red, "interactions_by_outcome", outcomes, "alerts_acted_on",
			 (json_int_t)s->acted, "median_seconds_to_first_action",
			 s->median_first_action_s >= 0 ? json_integer(s->median_first_action_s) : json_null(),
			 "overdue_alerts", (json_int_t)s->overdue);
}

/* Sets public_key, key_fingerprint and signature on a manifest object. */
static int audit_manifest_sign(json_t *manifest, const struct sign_key *key, char *err, size_t errlen)
{
	uint8_t pub[SIGN_PUBLIC_LEN], sig[SIGN_SIGNATURE_LEN];
	char pub_hex[SIGN_PUBLIC_HEX], fp[SIGN_FINGERPRINT_LEN], sig_hex[SIGN_SIGNATURE_HEX];
	sign_key_public(key, pub);
	digest_hex_encode(pub, sizeof(pub), pub_hex);
	sign_fingerprint(pub, fp);
	json_object_set_new(manifest, "public_key", json_string(pub_hex));
	json_object_set_new(manifest, "key_fingerprint", json_string(fp));
	json_object_del(manifest, "signature");
	char *text = canon_json(manifest);
	int rc = text ? sign_message(key, text, strlen(text), sig) : -1;
	free(text);
	if (rc < 0)
		return seterr(err, errlen, "cannot sign the manifest");
	digest_hex_encode(sig, sizeof(sig), sig_hex);
	json_object_set_new(manifest, "signature", json_string(sig_hex));
	return 0;
}

int audit_export(struct store *st, const struct audit_export_options *o, FILE *out, struct audit_export_result *res,
		 char *err, size_t errlen)
{
	struct export_state x = { .out = out, .csv = o->csv, .res = res };
	int64_t first = 0, last = 0;
	struct audit_stats sum;
	char from[TS_RFC3339_LEN], to[TS_RFC3339_LEN], now[TS_RFC3339_LEN], digest[DIGEST_SHA256_HEX];
	int rc = -1;

	memset(res, 0, sizeof(*res));
	rg_strlcpy(x.last_hash, AUDIT_GENESIS_HASH, sizeof(x.last_hash));
	rg_strlcpy(x.first_prev, AUDIT_GENESIS_HASH, sizeof(x.first_prev));
	if (!(x.digest = digest_stream_new()))
		return seterr(err, errlen, "libcrypto cannot hash");
	if (o->player)
		x.seqs = json_array();
	/* One snapshot for the records and the figures. */
	if (store_read_begin(st, err, errlen) < 0)
		goto out;
	/* Nothing is signed over a chain that does not hold in the store. */
	int64_t bad_seq;
	char why[320];
	int broken = audit_chain_check(st, &bad_seq, why, sizeof(why));
	if (broken < 0) {
		seterr(err, errlen, "%s", why);
		goto out;
	}
	if (broken) {
		seterr(err, errlen, "the stored audit chain is broken at seq %lld: %s; refusing to sign an export",
		       (long long)bad_seq, why);
		goto out;
	}
	if (store_audit_span(st, o->from_ms, o->to_ms, &first, &last, err, errlen) < 0 ||
	    audit_stats_compute(st, o->from_ms, o->to_ms, o->player, o->now_ms, &sum, err, errlen) < 0)
		goto out;
	if (x.csv)
		fputs(AUDIT_EXPORT_CSV_HEADER "\n", out);
	if (first > 0 && store_audit_each(st, first, last, o->player, write_record, &x, err, errlen) < 0)
		goto out;
	if (x.failed || ferror(out)) {
		seterr(err, errlen, "cannot write the export");
		goto out;
	}
	if (digest_stream_final(x.digest, digest) < 0) {
		x.digest = NULL;
		seterr(err, errlen, "libcrypto cannot hash");
		goto out;
	}
	x.digest = NULL;

	json_t *policies = json_array();
	for (int i = 0; i < x.npolicies; i++)
		json_array_append_new(policies, json_string(x.policies[i]));
	ts_format_rfc3339(o->from_ms, from, sizeof(from));
	ts_format_rfc3339(o->to_ms, to, sizeof(to));
	ts_format_rfc3339(o->now_ms, now, sizeof(now));
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:s}", "type",
			      "manifest", "format", AUDIT_EXPORT_FORMAT, "from", from, "to", to, "player",
			      o->player ? json_string(o->player) : json_null(), "count", (json_int_t)res->count,
			      "first_seq", (json_int_t)res->first_seq, "last_seq", (json_int_t)res->last_seq,
			      "first_prev_hash", x.first_prev, "last_hash", x.last_hash, "records_digest", digest,
			      "policies", policies, "summary", summary_json(&sum), "exported_at", now);
	if (!m) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	/* Did the interventions help (issue 16): the effectiveness report of
	 * the alerts resolved with anchors in the range, all players. */
	json_t *effectiveness = o->player ? json_null() : follow_ups_effectiveness(st, o->from_ms, o->to_ms, NULL, err, errlen);
	if (!effectiveness) {
		json_decref(m);
		goto out;
	}
	json_object_set_new(m, "effectiveness", effectiveness);
	if (x.seqs) {
		json_object_set_new(m, "seqs", x.seqs);
		x.seqs = NULL;
	}
	if (audit_manifest_sign(m, o->key, err, errlen) < 0) {
		json_decref(m);
		goto out;
	}
	char *text = canon_json(m);
	json_decref(m);
	if (!text) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	if (x.csv) {
		fputs("manifest,,,,,,", out);
		csv_quoted(out, text);
		fputs(",,\n", out);
	} else {
		fprintf(out, "%s\n", text);
	}
	free(text);
	if (fflush(out) != 0 || ferror(out)) {
		seterr(err, errlen, "cannot write the export");
		goto out;
	}
	rc = 0;
out:
	store_read_end(st);
	if (x.digest) {
		char ignored[DIGEST_SHA256_HEX];
		digest_stream_final(x.digest, ignored);
	}
	json_decref(x.seqs);
	return rc;
}

int audit_export_record(struct store *st, const struct audit_export_options *o, const struct audit_export_result *r,
			const char *actor, char *err, size_t errlen)
{
	char from[TS_RFC3339_LEN], to[TS_RFC3339_LEN];
	ts_format_rfc3339(o->from_ms, from, sizeof(from));
	ts_format_rfc3339(o->to_ms, to, sizeof(to));
	return audit_append(st, o->now_ms, AUDIT_EXPORT_MADE, NULL,
			    json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:s}", "from", from, "to", to, "player",
				      o->player, "format", o->csv ? "csv" : "jsonl", "count", (json_int_t)r->count,
				      "first_seq", (json_int_t)r->first_seq, "last_seq", (json_int_t)r->last_seq, "actor",
				      actor),
			    err, errlen);
}
