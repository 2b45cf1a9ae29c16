/* audit.h -- the hash-chained audit trail: every decision, staff action,
 * policy load, token registration, export and service start/stop is a
 * record written in the transaction of the change it records.
 *
 * A record is (seq, at, recorded_at, kind, player_id, payload, prev_hash);
 * its hash is the SHA-256 (hex) of its canonical JSON (canon.h): those
 * seven members, `at` and `recorded_at` as RFC 3339 UTC, player_id null
 * for records about no player. The payload is stored, and exported, as
 * its canonical JSON too. prev_hash is the previous record's hash (64
 * zeros before the first). `at` is event time for decisions and wall time
 * for everything else; `recorded_at` is the wall time the record was
 * written, never before the previous record's. Records written before
 * recorded_at existed have none and hash the other six members: their
 * hashes, and exports made of them, stay as they were.
 *
 * A checkpoint record signs the chain head with the service's Ed25519 key:
 * the message is "rgmon-audit-checkpoint/1 SEQ HASH" for the record before
 * it. schemas/audit-export.md documents all of it for regulators.
 *
 * History is made expensive to rewrite in three ways: `audit export`
 * re-checks the stored chain before it signs anything (audit_chain_check);
 * retention is itself a signed record naming the seqs it removed and the
 * hash at the cut, and a gap no such record covers breaks the chain; and
 * every checkpoint is published outside the database as it is made
 * (rg.audit-checkpoints through the outbox, and serve's
 * --audit-checkpoints-file), so whoever holds earlier checkpoints detects a
 * later rewrite (`audit verify --checkpoints`). */
#ifndef RGMON_AUDIT_H
#define RGMON_AUDIT_H

#include "rgmon/common.h"
#include "rgmon/store.h"

#include <jansson.h>

#define AUDIT_CHECKPOINT_EVERY_RECORDS 1000
#define AUDIT_CHECKPOINT_EVERY_MS (10LL * 60 * 1000)
#define AUDIT_RETENTION_DAYS_DEFAULT 1825 /* five years */
/* Where signed checkpoints are published as they are made. */
#define AUDIT_CHECKPOINT_TOPIC "rg.audit-checkpoints"
#define AUDIT_CHECKPOINT_FORMAT "rgmon-audit-checkpoint/1"

struct sign_key;
struct policy;
struct event;
struct player_state;
struct engine_result;

/* What a record is about: the "kind" of every record (schemas/audit-export.md). */
enum audit_kind {
	AUDIT_POLICY_LOADED,
	AUDIT_LEVEL_CHANGE,
	AUDIT_ALERT_OPENED,
	AUDIT_ALERT_ESCALATED,
	AUDIT_PLAYER_FLAG,
	AUDIT_STAFF_ACTION,
	AUDIT_CHECKPOINT,
	AUDIT_RETENTION,
	AUDIT_EXPORT_MADE,
	AUDIT_SERVICE_START,
	AUDIT_SERVICE_STOP,
	AUDIT_TOKEN_REGISTERED,
	AUDIT_BADGE_LINK_MADE,
	AUDIT_FOLLOW_UP, /* a follow-up window of a resolved alert completed (follow_ups.h) */
	AUDIT_REVIEW_APPROVED, /* four eyes: a second person approved a proposed resolution */
	AUDIT_REVIEW_REJECTED, /* ... or sent it back */
	AUDIT_INTERACTION, /* a staff member talked with a player (notes.h) */
	AUDIT_CASE_NOTE,   /* a note on an alert's thread (notes.h) */
	AUDIT_KIND_COUNT
};
const char *audit_kind_name(enum audit_kind k);
/* The kind named s, or -1 (a record of an unknown kind). */
int audit_kind_parse(const char *s);

/* Appends a record at the chain head in the caller's (write) transaction,
 * recorded at the wall clock's time, or the head's recorded_at when the
 * clock is behind it. payload (an object) is stolen. */
int audit_append(struct store *st, int64_t at_ms, enum audit_kind kind, const char *player_id, json_t *payload,
		 char *err, size_t errlen);

/* The hash of a record as described above, from its parts; at and
 * recorded_at are the RFC 3339 text, recorded_at NULL for a record that
 * has none. Returns 0, or -1 when payload is not an object or has no
 * canonical form (a real number). */
int audit_record_hash(int64_t seq, const char *at, const char *recorded_at, const char *kind, const char *player_id,
		      json_t *payload, const char *prev_hash, char out[AUDIT_HASH_HEX]);

/* The message a checkpoint signs. */
void audit_checkpoint_message(int64_t seq, const char *hash, char *buf, size_t len);

/* The message a retention record signs: the seqs it removed and the hash
 * of the last of them (the prev_hash of the first record kept). */
void audit_retention_message(int64_t first_seq, int64_t last_seq, const char *cut_hash, char *buf, size_t len);

/* Checks the signature of a checkpoint or retention record's payload with
 * pub, or with the key the payload names when pub is NULL. 0 when it
 * holds; -1 with why when the payload is incomplete or the signature bad. */
int audit_payload_signature_check(enum audit_kind kind, json_t *payload, const uint8_t *pub, char *why,
				  size_t whylen);

/* Appends a checkpoint signing the head when records were added since the
 * last one and either `every_records` were, or `every_ms` passed since it,
 * and adds it to the outbox for AUDIT_CHECKPOINT_TOPIC in the same
 * transaction. Runs its own transaction. Returns 1 when it wrote one, 0,
 * or -1. With `published`, *published is set to the checkpoint's published
 * JSON line (canonical JSON, no newline; the caller frees it) when one was
 * written, else NULL. */
int audit_checkpoint_if_due(struct store *st, const struct sign_key *key, int64_t now_ms, int64_t every_records,
			    int64_t every_ms, char **published, char *err, size_t errlen);

/* Verifies the stored chain from its first kept record to its head: every
 * record's hash, the links, that seqs have no gap, every checkpoint and
 * retention signature (by the key each names), and that records dropped
 * before the first kept one are covered by a signed retention record
 * naming exactly that cut. Returns 0 when it holds, 1 with the first bad
 * seq and what is wrong in why, -1 when the store cannot be read (err). */
int audit_chain_check(struct store *st, int64_t *bad_seq, char *why, size_t whylen);

/* The decision records of one applied event (level change), in the batch's
 * transaction. Alerts and flags are recorded by alert.c. */
int audit_event_decisions(struct store *st, const struct policy *pol, const struct event *ev,
			  const struct player_state *ps, const struct engine_result *res, char *err, size_t errlen);

/* Retention: drops the records older than retention_days before now_ms,
 * from the latest checkpoint before that horizon (kept, as the anchor the
 * rest verifies from). Records a "retention" record signed with key (the
 * seqs removed, the hash at the cut) in the same transaction. Returns how
 * many records went, or -1. Without a key nothing is dropped: a gap no
 * signed record covers would break the chain. */
int64_t audit_prune(struct store *st, const struct sign_key *key, int64_t now_ms, int retention_days, char *err,
		    size_t errlen);

#endif
