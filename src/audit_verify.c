/* audit_verify.c -- `rgmon audit verify`: checks an export's records,
 * chain, checkpoints and signed manifest, and names the first thing wrong.
 *
 * Two passes over the file. The first finds the manifest (the signed list
 * of what the export must hold) and where each expected record is; the
 * second walks the records in file order against that expectation, so a
 * record out of place can be told apart as removed (nowhere in the file),
 * reordered (later in the file), duplicated (the same record again) or
 * inserted (a record the manifest does not list, or a second, different
 * record under a listed seq). Memory: 20 bytes per record. */
#include "rgmon/audit_export.h"
#include "rgmon/canon.h"
#include "rgmon/digest.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <stdio.h>

enum line_type { LINE_BLANK, LINE_RECORD, LINE_MANIFEST, LINE_BAD };

struct parsed {
	enum line_type type;
	int64_t seq;
	const char *at, *recorded_at, *kind, *player_id, *prev_hash, *hash; /* recorded_at NULL: none */
	json_t *payload;  /* the record's payload, or the manifest */
	json_t *root;     /* owns the strings above (JSONL) */
	int stray_column; /* CSV manifest row: a column the format leaves empty has a value */
	char why[160];
};

/* ---- reading lines ---------------------------------------------------- */

/* Splits one CSV row into at most max fields in place (quoted fields with
 * doubled quotes); returns the number of fields, or -1 when malformed. */
static int csv_split(char *s, char **fields, int max)
{
	int n = 0;
	char *w = s;
	while (n < max) {
		fields[n++] = w;
		if (*s == '"') {
			s++;
			for (;;) {
				if (*s == '\0')
					return -1;
				if (*s == '"' && s[1] == '"') {
					*w++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*w++ = *s++;
				}
			}
			if (*s != ',' && *s != '\0')
				return -1;
		} else {
			while (*s && *s != ',')
				*w++ = *s++;
		}
		bool more = *s == ',';
		*w++ = '\0';
		if (!more)
			return n;
		s++;
	}
	return -1;
}

static const char *member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A record line's member the format does not define, or NULL: no hash
 * covers such a member, so a forged one ("payload_display") must not pass
 * as part of a verified record. */
static const char *undefined_member(json_t *record)
{
	static const char *const defined[] = { "type",	   "seq",	"at",	     "recorded_at", "kind",
					       "player_id", "payload", "prev_hash", "hash" };
	const char *key;
	json_t *v;
	json_object_foreach(record, key, v) {
		size_t i = 0;
		while (i < ARRAY_SIZE(defined) && strcmp(key, defined[i]) != 0)
			i++;
		if (i == ARRAY_SIZE(defined))
			return key;
	}
	return NULL;
}

/* csv: 0 for JSONL, else the CSV's columns: 9 (with recorded_at), or 8 in
 * an export made before records had it. */
static void parse_line(char *line, int csv, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0') {
		p->type = LINE_BLANK;
		return;
	}
	p->type = LINE_BAD;
	if (csv) {
		char *f[9];
		int o = csv == 9; /* the recorded_at column shifts the ones after at */
		int n = csv_split(line, f, csv);
		if (n != csv) {
			seterr(p->why, sizeof(p->why), "not a row of %d CSV fields", csv);
			return;
		}
		json_error_t jerr;
		p->payload = json_loads(f[5 + o], 0, &jerr);
		if (!json_is_object(p->payload)) {
			seterr(p->why, sizeof(p->why), "the payload is not a JSON object");
			return;
		}
		if (strcmp(f[0], "manifest") == 0) {
			/* Only the payload column holds the (signed) manifest;
			 * the walk refuses a value anywhere else. */
			for (int i = 1; i < csv && !p->stray_column; i++)
				if (i != 5 + o && f[i][0] != '\0')
					p->stray_column = i + 1;
			p->type = LINE_MANIFEST;
			return;
		}
		char *end;
		p->seq = strtoll(f[1], &end, 10);
		if (strcmp(f[0], "record") != 0 || *f[1] == '\0' || *end) {
			seterr(p->why, sizeof(p->why), "not a record row");
			return;
		}
		p->at = f[2];
		p->recorded_at = o && f[3][0] ? f[3] : NULL;
		p->kind = f[3 + o];
		p->player_id = f[4 + o][0] ? f[4 + o] : NULL;
		p->prev_hash = f[6 + o];
		p->hash = f[7 + o];
		p->type = LINE_RECORD;
		return;
	}
	json_error_t jerr;
	p->root = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	const char *type = member(p->root, "type");
	if (!json_is_object(p->root) || !type) {
		seterr(p->why, sizeof(p->why), "not a JSON object with a type");
		return;
	}
	if (strcmp(type, "manifest") == 0) {
		p->payload = json_incref(p->root);
		p->type = LINE_MANIFEST;
		return;
	}
	json_t *seq = json_object_get(p->root, "seq"), *pid = json_object_get(p->root, "player_id");
	json_t *recorded = json_object_get(p->root, "recorded_at");
	p->at = member(p->root, "at");
	p->recorded_at = json_string_value(recorded);
	p->kind = member(p->root, "kind");
	p->prev_hash = member(p->root, "prev_hash");
	p->hash = member(p->root, "hash");
	p->payload = json_incref(json_object_get(p->root, "payload"));
	p->player_id = json_string_value(pid);
	if (strcmp(type, "record") != 0 || !json_is_integer(seq) || !p->at || !p->kind || !p->prev_hash || !p->hash ||
	    !json_is_object(p->payload) || !(json_is_null(pid) || json_is_string(pid)) ||
	    (recorded && !json_is_string(recorded))) {
		seterr(p->why, sizeof(p->why), "a record misses a member or has one of the wrong type");
		return;
	}
	const char *extra = undefined_member(p->root);
	if (extra) {
		seterr(p->why, sizeof(p->why), "it has a member the format does not define: \"%.64s\"", extra);
		return;
	}
	p->seq = json_integer_value(seq);
	p->type = LINE_RECORD;
}

/* From an export's first line: 0 for JSONL, else its CSV columns. */
static int csv_columns(const char *header)
{
	if (strncmp(header, AUDIT_EXPORT_CSV_HEADER, strlen(AUDIT_EXPORT_CSV_HEADER)) == 0)
		return 9;
	return strncmp(header, "type,seq,", 9) == 0 ? 8 : 0;
}

static void parsed_release(struct parsed *p)
{
	json_decref(p->payload);
	json_decref(p->root);
	p->payload = p->root = NULL;
}

/* ---- what the manifest says ------------------------------------------- */

struct expectation {
	json_t *manifest;
	int64_t manifest_line;
	int64_t count, first_seq;
	json_t *seqs;          /* a player's export: the listed seqs, ascending */
	int64_t *first_line;   /* per expected record: the line it first appears on, 0 = absent */
	uint64_t *first_hash8; /* and the first 8 bytes of that line's hash */
};

static int64_t expected_index(const struct expectation *e, int64_t seq)
{
	if (!e->seqs)
		return seq >= e->first_seq && seq < e->first_seq + e->count ? seq - e->first_seq : -1;
	size_t lo = 0, hi = json_array_size(e->seqs);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int64_t v = json_integer_value(json_array_get(e->seqs, mid));
		if (v == seq)
			return (int64_t)mid;
		if (v < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int64_t expected_seq(const struct expectation *e, int64_t idx)
{
	return e->seqs ? json_integer_value(json_array_get(e->seqs, (size_t)idx)) : e->first_seq + idx;
}

static uint64_t hash8(const char *hex)
{
	uint8_t b[8] = { 0 };
	char part[17];
	rg_strlcpy(part, hex, sizeof(part));
	digest_hex_decode(part, b, 8);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* Checks the manifest's signature: with pub, or the key it names. */
static bool manifest_signed(json_t *m, const uint8_t *pub, char *why, size_t whylen)
{
	uint8_t key[SIGN_PUBLIC_LEN], sig[SIGN_SIGNATURE_LEN];
	const char *sig_hex = member(m, "signature"), *key_hex = member(m, "public_key");
	if (!sig_hex || digest_hex_decode(sig_hex, sig, sizeof(sig)) < 0)
		return seterr(why, whylen, "the manifest has no signature"), false;
	if (pub)
		memcpy(key, pub, sizeof(key));
	else if (!key_hex || digest_hex_decode(key_hex, key, sizeof(key)) < 0)
		return seterr(why, whylen, "the manifest names no public key"), false;
	json_t *copy = json_deep_copy(m);
	json_object_del(copy, "signature");
	char *text = canon_json(copy);
	json_decref(copy);
	bool ok = text && sign_verify(key, text, strlen(text), sig);
	free(text);
	if (!ok) {
		char fp[SIGN_FINGERPRINT_LEN];
		sign_fingerprint(key, fp);
		seterr(why, whylen, "bad signature: the manifest is not signed by %s key %s (it names %s)",
		       pub ? "the given" : "its own", fp, member(m, "key_fingerprint") ? member(m, "key_fingerprint") : "none");
	}
	return ok;
}

/* ---- the verification ------------------------------------------------- */

struct walk {
	const uint8_t *pub;
	uint8_t manifest_key[SIGN_PUBLIC_LEN];
	struct expectation *e;
	int64_t next_idx, records, checkpoints;
	int64_t prev_seq, prev_line;
	char prev_hash[AUDIT_HASH_HEX];
	struct digest_stream *digest;
};

#define PROBLEM(...) (seterr(report, reportlen, __VA_ARGS__), 1)

/* One record line against the expectation; 0 when it holds, 1 with the
 * problem in report. */
static int check_record(struct walk *w, const struct parsed *p, int64_t line, char *report, size_t reportlen)
{
	struct expectation *e = w->e;
	int64_t idx = expected_index(e, p->seq);
	if (idx < 0)
		return PROBLEM("inserted: line %lld holds record seq %lld, which the manifest does not list", (long long)line,
			       (long long)p->seq);
	if (e->first_line[idx] != line) {
		bool same = e->first_hash8[idx] == hash8(p->hash);
		return PROBLEM("%s: line %lld holds record seq %lld again (first at line %lld)%s",
			       same ? "duplicated" : "inserted", (long long)line, (long long)p->seq,
			       (long long)e->first_line[idx], same ? "" : ", and a different one");
	}
	if (idx != w->next_idx) {
		int64_t want = expected_seq(e, w->next_idx);
		if (e->first_line[w->next_idx] == 0)
			return PROBLEM("removed: record seq %lld is missing; it belongs before line %lld (seq %lld)",
				       (long long)want, (long long)line, (long long)p->seq);
		return PROBLEM("reordered: line %lld holds record seq %lld where seq %lld belongs (it is at line %lld)",
			       (long long)line, (long long)p->seq, (long long)want, (long long)e->first_line[w->next_idx]);
	}
	char hash[AUDIT_HASH_HEX];
	if (audit_record_hash(p->seq, p->at, p->recorded_at, p->kind, p->player_id, p->payload, p->prev_hash, hash) < 0 ||
	    strcmp(hash, p->hash) != 0)
		return PROBLEM("edited: record seq %lld (line %lld) does not match its hash", (long long)p->seq,
			       (long long)line);
	if (w->records == 0) {
		const char *first_prev = member(e->manifest, "first_prev_hash");
		if (!first_prev || strcmp(first_prev, p->prev_hash) != 0)
			return PROBLEM("edited: record seq %lld (line %lld) does not follow the chain the manifest starts from",
				       (long long)p->seq, (long long)line);
	} else if (p->seq == w->prev_seq + 1 && strcmp(p->prev_hash, w->prev_hash) != 0) {
		return PROBLEM("edited: record seq %lld (line %lld) was changed: record seq %lld (line %lld) does not "
			       "chain to it",
			       (long long)w->prev_seq, (long long)w->prev_line, (long long)p->seq, (long long)line);
	}
	if (audit_kind_parse(p->kind) == AUDIT_CHECKPOINT) {
		const char *sig_hex = member(p->payload, "signature"), *signs_hash = member(p->payload, "signs_hash");
		json_t *signs_seq = json_object_get(p->payload, "signs_seq");
		uint8_t sig[SIGN_SIGNATURE_LEN];
		char msg[128];
		if (!sig_hex || !signs_hash || !json_is_integer(signs_seq) ||
		    digest_hex_decode(sig_hex, sig, sizeof(sig)) < 0)
			return PROBLEM("edited: checkpoint seq %lld (line %lld) is incomplete", (long long)p->seq,
				       (long long)line);
		audit_checkpoint_message(json_integer_value(signs_seq), signs_hash, msg, sizeof(msg));
		if (!sign_verify(w->pub ? w->pub : w->manifest_key, msg, strlen(msg), sig))
			return PROBLEM("bad signature: checkpoint seq %lld (line %lld) is not signed by the %s key",
				       (long long)p->seq, (long long)line, w->pub ? "given" : "manifest's");
		if (strcmp(signs_hash, p->prev_hash) != 0)
			return PROBLEM("edited: checkpoint seq %lld (line %lld) signs another head than the record before it",
				       (long long)p->seq, (long long)line);
		w->checkpoints++;
	}
	if (audit_kind_parse(p->kind) == AUDIT_RETENTION) {
		char why[160];
		if (audit_payload_signature_check(AUDIT_RETENTION, p->payload, w->pub ? w->pub : w->manifest_key, why,
						  sizeof(why)) < 0)
			return PROBLEM("bad signature: retention record seq %lld (line %lld): %s", (long long)p->seq,
				       (long long)line, why);
	}
	if (digest_stream_update(w->digest, p->hash, strlen(p->hash)) < 0 || digest_stream_update(w->digest, "\n", 1) < 0)
		return PROBLEM("libcrypto cannot hash");
	w->next_idx++;
	w->records++;
	w->prev_seq = p->seq;
	w->prev_line = line;
	rg_strlcpy(w->prev_hash, p->hash, sizeof(w->prev_hash));
	return 0;
}

/* Pass 1: the manifest, and where each expected record first appears. */
static int first_pass(FILE *f, int csv, const uint8_t *pub, struct expectation *e, int64_t *last_line,
		      bool *ends_clean, char *report, size_t reportlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0;
	int64_t *seqs = NULL, *lines = NULL;
	uint64_t *h8 = NULL;
	size_t nrec = 0, rcap = 0;
	int rc = 0;
	*ends_clean = true;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		*ends_clean = line[n - 1] == '\n';
		if (csv && lineno == 1)
			continue; /* the header */
		struct parsed p;
		parse_line(line, csv, &p);
		if (p.type == LINE_MANIFEST && !e->manifest) {
			e->manifest = json_incref(p.payload);
			e->manifest_line = lineno;
		} else if (p.type == LINE_RECORD) {
			if (nrec == rcap) {
				rcap = rcap ? 2 * rcap : 4096;
				int64_t *s2 = realloc(seqs, rcap * sizeof(*s2)), *l2 = s2 ? realloc(lines, rcap * sizeof(*l2)) : NULL;
				uint64_t *h2 = l2 ? realloc(h8, rcap * sizeof(*h2)) : NULL;
				if (s2)
					seqs = s2;
				if (l2)
					lines = l2;
				if (!h2) {
					parsed_release(&p);
					rc = PROBLEM("out of memory");
					goto out;
				}
				h8 = h2;
			}
			seqs[nrec] = p.seq;
			lines[nrec] = lineno;
			h8[nrec++] = hash8(p.hash);
		}
		parsed_release(&p);
	}
	*last_line = lineno;
	if (!e->manifest) {
		rc = PROBLEM("truncated: the file ends at line %lld without its manifest%s", (long long)lineno,
			     *ends_clean ? "" : " (its last line is cut off)");
		goto out;
	}
	char why[256];
	if (!manifest_signed(e->manifest, pub, why, sizeof(why))) {
		rc = PROBLEM("%s (line %lld)", why, (long long)e->manifest_line);
		goto out;
	}
	json_t *count = json_object_get(e->manifest, "count"), *first = json_object_get(e->manifest, "first_seq");
	e->seqs = json_object_get(e->manifest, "seqs");
	if (!json_is_integer(count) || !json_is_integer(first) || json_integer_value(count) < 0 ||
	    (e->seqs && (!json_is_array(e->seqs) || (int64_t)json_array_size(e->seqs) != json_integer_value(count)))) {
		rc = PROBLEM("edited: the manifest (line %lld) has no valid count, first_seq or seqs",
			     (long long)e->manifest_line);
		goto out;
	}
	e->count = json_integer_value(count);
	e->first_seq = json_integer_value(first);
	e->first_line = calloc((size_t)e->count + 1, sizeof(*e->first_line));
	e->first_hash8 = calloc((size_t)e->count + 1, sizeof(*e->first_hash8));
	if (!e->first_line || !e->first_hash8) {
		rc = PROBLEM("out of memory");
		goto out;
	}
	for (size_t i = 0; i < nrec; i++) {
		int64_t idx = expected_index(e, seqs[i]);
		if (idx >= 0 && e->first_line[idx] == 0) {
			e->first_line[idx] = lines[i];
			e->first_hash8[idx] = h8[i];
		}
	}
out:
	free(line);
	free(seqs);
	free(lines);
	free(h8);
	return rc;
}

int audit_verify_file(const char *path, const uint8_t *pub, char *report, size_t reportlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return seterr(report, reportlen, "cannot read \"%s\": %s", path, strerror(errno));
	struct expectation e = { 0 };
	struct walk w = { .pub = pub, .e = &e };
	char *line = NULL, header[128] = "";
	size_t cap = 0;
	int64_t last_line = 0, lineno = 0;
	bool ends_clean = true;
	int rc = 1;

	if (fgets(header, sizeof(header), f) == NULL) {
		fclose(f);
		return seterr(report, reportlen, "truncated: \"%s\" is empty", path), 1;
	}
	int csv = csv_columns(header);
	rewind(f);
	if (first_pass(f, csv, pub, &e, &last_line, &ends_clean, report, reportlen) != 0)
		goto out;
	digest_hex_decode(member(e.manifest, "public_key") ? member(e.manifest, "public_key") : "", w.manifest_key,
			  sizeof(w.manifest_key));
	if (!(w.digest = digest_stream_new())) {
		rc = PROBLEM("libcrypto cannot hash");
		goto out;
	}

	rewind(f);
	while (getline(&line, &cap, f) > 0) {
		struct parsed p;
		lineno++;
		if (csv && lineno == 1)
			continue;
		parse_line(line, csv, &p);
		int bad = 0;
		if (p.type == LINE_BAD)
			bad = lineno == last_line && !ends_clean
				      ? PROBLEM("truncated: the last line (%lld) is cut off", (long long)lineno)
				      : PROBLEM("edited: line %lld is not a record: %s", (long long)lineno, p.why);
		else if (p.type == LINE_MANIFEST && lineno != e.manifest_line)
			bad = PROBLEM("inserted: line %lld is a second manifest", (long long)lineno);
		else if (p.type == LINE_MANIFEST && p.stray_column)
			bad = PROBLEM("edited: the manifest row (line %lld) has a value in column %d, which the format "
				      "leaves empty",
				      (long long)lineno, p.stray_column);
		else if (p.type == LINE_RECORD && lineno > e.manifest_line)
			bad = PROBLEM("inserted: line %lld is a record after the manifest", (long long)lineno);
		else if (p.type == LINE_RECORD)
			bad = check_record(&w, &p, lineno, report, reportlen);
		parsed_release(&p);
		if (bad)
			goto out;
	}
	if (w.next_idx < e.count) {
		rc = PROBLEM("%s: record seq %lld and the %lld after it are missing before the manifest (line %lld)",
			     e.manifest_line == last_line ? "removed" : "truncated",
			     (long long)expected_seq(&e, w.next_idx), (long long)(e.count - w.next_idx - 1),
			     (long long)e.manifest_line);
		goto out;
	}
	char digest[DIGEST_SHA256_HEX];
	int drc = digest_stream_final(w.digest, digest);
	w.digest = NULL;
	const char *want_digest = member(e.manifest, "records_digest"), *want_last = member(e.manifest, "last_hash");
	if (drc < 0 || !want_digest || strcmp(digest, want_digest) != 0 ||
	    (w.records > 0 && (!want_last || strcmp(want_last, w.prev_hash) != 0))) {
		rc = PROBLEM("edited: the records do not match the manifest's digest (line %lld)", (long long)e.manifest_line);
		goto out;
	}
	char fp[SIGN_FINGERPRINT_LEN];
	sign_fingerprint(pub ? pub : w.manifest_key, fp);
	seterr(report, reportlen,
	       "ok: %lld records (seq %lld..%lld), chain intact, %lld checkpoint(s) and the manifest signed by %s%s",
	       (long long)w.records, (long long)e.first_seq, (long long)(w.records ? w.prev_seq : e.first_seq),
	       (long long)w.checkpoints, fp, pub ? "" : " (the key the export names: pass --pubkey to check it is the operator's)");
	rc = 0;
out:
	if (w.digest) {
		char ignored[DIGEST_SHA256_HEX];
		digest_stream_final(w.digest, ignored);
	}
	free(line);
	free(e.first_line);
	free(e.first_hash8);
	json_decref(e.manifest);
	fclose(f);
	return rc;
}

/* ---- held checkpoints against an export ----------------------------------- */

/* Orders by the record signed, then by what identifies a checkpoint, so
 * that one published twice (the relay may resend) sits next to itself. */
static int by_signs_seq(const void *a, const void *b)
{
	const struct audit_held_checkpoint *x = a, *y = b;
	int c;
	if (x->signs_seq != y->signs_seq)
		return x->signs_seq < y->signs_seq ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if ((c = strcmp(x->signs_hash, y->signs_hash)) != 0 || (c = strcmp(x->hash, y->hash)) != 0)
		return c;
	return memcmp(x->pub, y->pub, sizeof(x->pub));
}

/* Sorts the held checkpoints and keeps each once. */
static void sort_unique(struct audit_held *h)
{
	size_t kept = 0;
	if (h->n == 0) /* qsort's base must not be NULL, even for no elements */
		return;
	qsort(h->v, h->n, sizeof(*h->v), by_signs_seq);
	for (size_t i = 0; i < h->n; i++)
		if (kept == 0 || by_signs_seq(&h->v[kept - 1], &h->v[i]) != 0)
			h->v[kept++] = h->v[i];
	h->n = kept;
}

/* The first held checkpoint signing seq, or NULL. */
static const struct audit_held_checkpoint *held_first(const struct audit_held *h, int64_t signs_seq, size_t *at)
{
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (h->v[mid].signs_seq < signs_seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < h->n && h->v[lo].signs_seq == signs_seq ? &h->v[lo] : NULL;
}

struct held_compare {
	struct audit_held sorted;
	uint8_t key[SIGN_PUBLIC_LEN];
	int64_t matched, other_key;
};

/* One export record against the held checkpoints that sign it (signs_seq
 * = seq) or are it (seq = signs_seq + 1); 1 with the rewrite in report. */
static int compare_record(struct held_compare *c, const struct parsed *p, int64_t line, char *report,
			  size_t reportlen)
{
	size_t i;
	for (int64_t signs = p->seq; signs >= p->seq - 1; signs--) {
		for (held_first(&c->sorted, signs, &i); i < c->sorted.n && c->sorted.v[i].signs_seq == signs; i++) {
			const struct audit_held_checkpoint *k = &c->sorted.v[i];
			if (memcmp(k->pub, c->key, sizeof(c->key)) != 0)
				continue;
			const char *want = signs == p->seq ? k->signs_hash : k->hash;
			if (strcmp(want, p->hash) != 0)
				return PROBLEM("rewritten: record seq %lld (line %lld) is not the record the checkpoint published "
					       "at %s signed (seq %lld, hash %.16s..., here %.16s...)",
					       (long long)p->seq, (long long)line, k->at, (long long)p->seq, want, p->hash);
			c->matched += signs == p->seq;
		}
	}
	return 0;
}

/* The key the export is signed with: pub, or the one its manifest names. */
static int export_key(FILE *f, int csv, const uint8_t *pub, uint8_t key[SIGN_PUBLIC_LEN])
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;
	if (pub) {
		memcpy(key, pub, SIGN_PUBLIC_LEN);
		return 0;
	}
	while (rc < 0 && getline(&line, &cap, f) > 0) {
		struct parsed p;
		parse_line(line, csv, &p);
		if (p.type == LINE_MANIFEST && member(p.payload, "public_key"))
			rc = digest_hex_decode(member(p.payload, "public_key"), key, SIGN_PUBLIC_LEN) < 0 ? -1 : 0;
		parsed_release(&p);
	}
	free(line);
	return rc;
}

int audit_verify_checkpoints(const char *path, const struct audit_held *h, const uint8_t *pub, char *report,
			     size_t reportlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return seterr(report, reportlen, "cannot read \"%s\": %s", path, strerror(errno));
	struct held_compare c = { .sorted = { .n = h->n } };
	char header[128] = "", *line = NULL;
	size_t cap = 0;
	int64_t lineno = 0;
	int rc = 1;
	int csv = fgets(header, sizeof(header), f) ? csv_columns(header) : 0;
	rewind(f);
	if (export_key(f, csv, pub, c.key) < 0) {
		rc = PROBLEM("the export names no public key");
		goto out;
	}
	if (h->n && !(c.sorted.v = malloc(h->n * sizeof(*h->v)))) {
		rc = PROBLEM("out of memory");
		goto out;
	}
	if (h->n)
		memcpy(c.sorted.v, h->v, h->n * sizeof(*h->v));
	sort_unique(&c.sorted);
	for (size_t i = 0; i < c.sorted.n; i++)
		c.other_key += memcmp(c.sorted.v[i].pub, c.key, sizeof(c.key)) != 0;
	rewind(f);
	while (getline(&line, &cap, f) > 0) {
		struct parsed p;
		if (++lineno == 1 && csv)
			continue;
		parse_line(line, csv, &p);
		int bad = p.type == LINE_RECORD ? compare_record(&c, &p, lineno, report, reportlen) : 0;
		parsed_release(&p);
		if (bad)
			goto out;
	}
	seterr(report, reportlen, "%lld of %zu held checkpoint(s) match the export%s%lld signed by another key, the "
				  "rest outside the export)",
	       (long long)c.matched, c.sorted.n, c.matched ? " (" : " (none falls in it: ", (long long)c.other_key);
	rc = 0;
out:
	free(line);
	free(c.sorted.v);
	fclose(f);
	return rc;
}
