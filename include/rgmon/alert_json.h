/* alert_json.h -- a typed alert (alert_decide.h) as the DESIGN 1.3 alert
 * JSON that the API, the CLI, rg.alerts and the audit trail carry, and
 * back; and its lists as the JSON text columns of the store. Pure. */
#ifndef RGMON_ALERT_JSON_H
#define RGMON_ALERT_JSON_H

#include <jansson.h>

#include "rgmon/alert_decide.h"

/* DESIGN 1.3 alert JSON. now_ms (wall clock) adds "overdue";
 * ENGINE_NO_TIME leaves it out (the Kafka message and the audit record,
 * which must not depend on when they were written). New reference. */
json_t *alert_json(const struct alert *a, int64_t now_ms);

/* That JSON (as alert_json writes it, or an audit record's payload) as a
 * typed alert: 0, or -1 with err naming what is damaged. */
int alert_from_json(json_t *j, struct alert *a, char *err, size_t errlen);

/* The lists as compact JSON arrays (malloc'd; NULL when out of memory),
 * and back into a (0, or -1 with err). */
char *alert_rules_text(const struct alert *a);
char *alert_reasons_text(const struct alert *a);
char *alert_evidence_text(const struct alert *a);
int alert_lists_parse(struct alert *a, const char *rules, const char *reasons, const char *evidence, char *err,
		      size_t errlen);

#endif
