/* audit_export.h -- the regulator export and its verification
 * (schemas/audit-export.md).
 *
 * An export is the records of a range, one per line (JSONL, or CSV rows
 * with the payload as a JSON column), then a manifest line: the range,
 * count, first and last seq and hash, a digest over every record's hash,
 * the policies the records name, summary figures, and an Ed25519
 * signature over the manifest's canonical JSON. */
#ifndef RGMON_AUDIT_EXPORT_H
#define RGMON_AUDIT_EXPORT_H

#include "rgmon/audit.h"
#include "rgmon/sign.h"

#include <stdio.h>

/* /2: records carry recorded_at (hashed) and ranges select on it; /1
 * exports (no recorded_at, ranges on at) still verify. */
#define AUDIT_EXPORT_FORMAT "rgmon-audit-export/2"
#define AUDIT_EXPORT_CSV_HEADER "type,seq,at,recorded_at,kind,player_id,payload,prev_hash,hash"
/* The header of /1 CSV exports, which verify still reads. */
#define AUDIT_EXPORT_CSV_HEADER_1 "type,seq,at,kind,player_id,payload,prev_hash,hash"

struct audit_export_options {
	int64_t from_ms, to_ms;      /* the records recorded at or after from, before to */
	const char *player;          /* only this player's records; NULL for all */
	bool csv;                    /* CSV instead of JSONL */
	const struct sign_key *key;  /* signs the manifest */
	int64_t now_ms;              /* exported_at, and "overdue" as of then */
};

struct audit_export_result {
	int64_t count, first_seq, last_seq;
};

/* Writes the export to out, in one read snapshot of the store, after
 * audit_chain_check: a chain that does not hold is refused (-1, naming the
 * first bad seq) before anything is written or signed. */
int audit_export(struct store *st, const struct audit_export_options *o, FILE *out, struct audit_export_result *res,
		 char *err, size_t errlen);

/* The "export_made" audit record of an export, in the caller's
 * transaction; actor is the token name, or "cli". */
int audit_export_record(struct store *st, const struct audit_export_options *o, const struct audit_export_result *r,
			const char *actor, char *err, size_t errlen);


/* Verifies an export file. pub: the operator's public key, or NULL to use
 * the key the manifest names (then only integrity is proven, not origin).
 * On success returns 0 and a one-line summary in report; on failure 1 and
 * the first problem: its line, seq and kind (edited, removed, inserted,
 * reordered, duplicated, truncated, or a bad signature); -1 when the file
 * cannot be read. */
int audit_verify_file(const char *path, const uint8_t *pub, char *report, size_t reportlen);

/* Checkpoints published outside the database (rg.audit-checkpoints, serve
 * --audit-checkpoints-file): each held one, its signature checked. */
struct audit_held_checkpoint {
	int64_t seq, signs_seq; /* the checkpoint record, and the record it signs */
	char hash[AUDIT_HASH_HEX], signs_hash[AUDIT_HASH_HEX], at[32];
	uint8_t pub[SIGN_PUBLIC_LEN];
};
struct audit_held {
	struct audit_held_checkpoint *v;
	size_t n, cap;
};

/* Adds one published checkpoint line; -1 with why when it is not one or
 * its signature does not hold. */
int audit_held_add(struct audit_held *h, const char *line, char *why, size_t whylen);
/* Reads SOURCE: a file of published lines, or kafka:BROKERS/TOPIC (the
 * topic read from the beginning to its end). -1 with err naming the first
 * bad line. */
int audit_held_load(struct audit_held *h, const char *source, char *err, size_t errlen);
void audit_held_release(struct audit_held *h);

/* Compares the held checkpoints with an export audit_verify_file accepted:
 * each one signed by the export's key (pub, or the key the manifest
 * names) whose record is in the export must find it with the hash it
 * signed. 0 with a summary in report; 1 naming the first rewritten record;
 * -1 when the file cannot be read. */
int audit_verify_checkpoints(const char *path, const struct audit_held *h, const uint8_t *pub, char *report,
			     size_t reportlen);

#endif
