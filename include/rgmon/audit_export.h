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

#define AUDIT_EXPORT_FORMAT "rgmon-audit-export/1"

struct audit_export_options {
	int64_t from_ms, to_ms;      /* the records at or after from, before to */
	const char *player;          /* only this player's records; NULL for all */
	bool csv;                    /* CSV instead of JSONL */
	const struct sign_key *key;  /* signs the manifest */
	int64_t now_ms;              /* exported_at, and "overdue" as of then */
};

struct audit_export_result {
	int64_t count, first_seq, last_seq;
};

/* Writes the export to out, in one read snapshot of the store. */
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

#endif
