/* alert.h -- from engine decisions to the alert queue (DESIGN 1.3).
 *
 * One open alert per player: a strong marker or a rise in level opens one
 * when the player has none, and escalates the open one otherwise (higher
 * level, more rules, reasons and evidence, an earlier due time). New
 * markers add their reasons and evidence to an open alert. All of it runs
 * inside the batch transaction, so alerts commit with the state and the
 * offsets that produced them.
 *
 * Every version of an alert (opened, escalated, acknowledged, resolved) is
 * also written to the transactional outbox for the support queue topic
 * rg.alerts, in the same transaction; the latest message for an alert_id
 * is its current state. A strong marker, or a rise to red or excluded,
 * writes a player flag for rg.player-flags so the CRM stops marketing and
 * bonuses at once; only a resolution as false_positive lifts it.
 *
 * alert_id = the first 32 hex digits of SHA-256 over player, raising rule,
 * raising event_id and policy identity: replaying the same events with the
 * same policy gives the same ids. Times are event times. */
#ifndef RGMON_ALERT_H
#define RGMON_ALERT_H

#include <jansson.h>

#include "rgmon/engine.h"
#include "rgmon/policy.h"
#include "rgmon/store.h"

#define ALERT_TOPIC "rg.alerts"
#define ALERT_FLAG_TOPIC "rg.player-flags"

/* Whether an engine result calls for alert_on_event. */
#define ALERT_ID_LEN 32
/* An alert's id: the first 128 bits (hex) of the SHA-256 of the player,
 * the raising rule, the raising event and the policy identity -- the same
 * events and policy always give the same id. */
int alert_id_of(const char *player_id, const char *rule_id, const char *event_id, const char *policy_id,
		char out[ALERT_ID_LEN + 1]);

bool alert_event_matters(const struct engine_result *res);

/* Records evidence for new markers and opens or escalates the player's
 * alert as res says. *opened is set when a new alert was created.
 * Returns 0, or -1 on a store error. */
int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, bool *opened, char *err,
		   size_t errlen);

/* DESIGN 1.3 alert JSON of a stored alert. now_ms (wall clock) adds
 * "overdue"; ENGINE_NO_TIME leaves it out (the Kafka message, which must
 * not depend on when it was written). New reference, NULL when the stored
 * JSON columns are damaged. */
json_t *alert_to_json(const struct store_alert *a, int64_t now_ms);

/* ---- staff actions (wall time) ---- */

enum alert_outcome {
	OUTCOME_LIMITS_SET,
	OUTCOME_PAUSE_APPLIED,
	OUTCOME_SELF_EXCLUSION,
	OUTCOME_CONTACTED_NO_ACTION,
	OUTCOME_FALSE_POSITIVE,
	OUTCOME_COUNT
};
const char *alert_outcome_name(enum alert_outcome o);
int alert_outcome_parse(const char *s, enum alert_outcome *out);

#define ALERT_NOTE_MAX 2000 /* bytes */

struct alert_staff_action {
	const char *alert_id;
	const char *actor, *role; /* the token's name and role */
	int64_t at_ms;            /* wall clock */
	enum alert_outcome outcome; /* resolve only */
	const char *note;         /* may be NULL for acknowledge */
};

enum alert_action_result { ALERT_ACTION_DONE, ALERT_ACTION_NOT_FOUND, ALERT_ACTION_CONFLICT };

/* open -> acknowledged (assigned to the actor); acknowledging again by the
 * same actor changes nothing. Returns an alert_action_result (why says
 * what conflicts), or -1 on a store error. Runs inside the caller's
 * transaction. */
int alert_acknowledge(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		      size_t errlen);
/* open or acknowledged -> resolved, with outcome and note. */
int alert_resolve(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		  size_t errlen);

#endif
