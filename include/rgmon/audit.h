/* audit.h -- the hash-chained audit trail: every decision, staff action,
 * policy load, token registration, export and service start/stop is a
 * record written in the transaction of the change it records.
 *
 * A record is (seq, at, kind, player_id, payload, prev_hash); its hash is
 * the SHA-256 (hex) of its canonical JSON (canon.h): those six members,
 * `at` as RFC 3339 UTC, player_id null for records about no player. The
 * payload is stored, and exported, as its canonical JSON too. prev_hash is the previous
 * record's hash (64 zeros before the first). `at` is event time for
 * decisions and wall time for everything else.
 *
 * A checkpoint record signs the chain head with the service's Ed25519 key:
 * the message is "rgmon-audit-checkpoint/1 SEQ HASH" for the record before
 * it. schemas/audit-export.md documents all of it for regulators. */
#ifndef RGMON_AUDIT_H
#define RGMON_AUDIT_H

#include "rgmon/common.h"
#include "rgmon/store.h"

#include <jansson.h>

#define AUDIT_CHECKPOINT_EVERY_RECORDS 1000
#define AUDIT_CHECKPOINT_EVERY_MS (10LL * 60 * 1000)
#define AUDIT_RETENTION_DAYS_DEFAULT 1825 /* five years */

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
	AUDIT_KIND_COUNT
};
const char *audit_kind_name(enum audit_kind k);
/* The kind named s, or -1 (a record of an unknown kind). */
int audit_kind_parse(const char *s);

/* Appends a record at the chain head in the caller's transaction. payload
 * (an object) is stolen. */
int audit_append(struct store *st, int64_t at_ms, enum audit_kind kind, const char *player_id, json_t *payload,
		 char *err, size_t errlen);

/* The hash of a record as described above, from its parts; at is the RFC
 * 3339 text. Returns 0, or -1 when payload is not an object or has no
 * canonical form (a real number). */
int audit_record_hash(int64_t seq, const char *at, const char *kind, const char *player_id, json_t *payload,
		      const char *prev_hash, char out[AUDIT_HASH_HEX]);

/* The message a checkpoint signs. */
void audit_checkpoint_message(int64_t seq, const char *hash, char *buf, size_t len);

/* Appends a checkpoint signing the head when records were added since the
 * last one and either `every_records` were, or `every_ms` passed since it.
 * Runs its own transaction. Returns 1 when it wrote one, 0, or -1. */
int audit_checkpoint_if_due(struct store *st, const struct sign_key *key, int64_t now_ms, int64_t every_records,
			    int64_t every_ms, char *err, size_t errlen);

/* The decision records of one applied event (level change), in the batch's
 * transaction. Alerts and flags are recorded by alert.c. */
int audit_event_decisions(struct store *st, const struct policy *pol, const struct event *ev,
			  const struct player_state *ps, const struct engine_result *res, char *err, size_t errlen);

/* Retention: drops the records older than retention_days before now_ms,
 * from the latest checkpoint before that horizon (kept, as the anchor the
 * rest verifies from). Records a "retention" record. Runs its own
 * transaction. Returns how many records went, or -1. */
int64_t audit_prune(struct store *st, int64_t now_ms, int retention_days, char *err, size_t errlen);

#endif
