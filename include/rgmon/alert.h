/* alert.h -- from engine decisions to the alert queue (DESIGN 1.3).
 *
 * One open alert per player: a strong marker or a rise in level opens one
 * when the player has none, and escalates the open one otherwise (higher
 * level, more rules, reasons and evidence, an earlier due time). New
 * markers add their reasons and evidence to an open alert. All of it runs
 * inside the batch transaction, so alerts commit with the state and the
 * offsets that produced them.
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

/* Records evidence for new markers and opens or escalates the player's
 * alert as res says. *opened is set when a new alert was created.
 * Returns 0, or -1 on a store error. */
int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, bool *opened, char *err,
		   size_t errlen);

/* DESIGN 1.3 alert JSON of a stored alert. New reference, NULL when the
 * stored JSON columns are damaged. */
json_t *alert_to_json(const struct store_alert *a);

#endif
