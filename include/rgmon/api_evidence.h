/* api_evidence.h -- the evidence of an alert for GET /v1/alerts/{id}. */
#ifndef RGMON_API_EVIDENCE_H
#define RGMON_API_EVIDENCE_H

#include "rgmon/store.h"

#include <jansson.h>

/* Adds to alert (alert_json's object) "evidence_events" -- every event
 * behind it in event time order: {event_id, event (null once no longer
 * kept), rules (the reasons it backs; [] when not known)} -- and
 * "evidence_by_reason" -- per reason, in the alert's order: {rule, detail,
 * event_ids in time order, complete: true when they are every event its
 * count counts (rules that count deposits), false when they are the events
 * at which it held and raised the alert}. Returns 0, or -1 with err. */
int api_alert_evidence(struct store *db, json_t *alert, char *err, size_t errlen);

#endif
