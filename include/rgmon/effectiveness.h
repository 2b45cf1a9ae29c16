/* effectiveness.h -- did the interventions help? The effectiveness report
 * (issue 16): resolved alerts grouped by outcome, by rule and by
 * jurisdiction, with what their 30-day follow-ups show.
 *
 * For each group: the cases (resolved alerts whose anchor is in the
 * range), how many follow-ups are complete (7 and 30 days), and over the
 * complete 30-day ones: the share whose deposits, net loss and play time
 * fell by at least a quarter (the 30 days after against the 30 days
 * before: after <= 3/4 of before, counted among those with a baseline
 * above zero), the median change of each (percent), the share who set or
 * lowered a limit or took a self-exclusion or pause in the 30 days after,
 * and the share alerted again within 30 days of the anchor. Shares and
 * medians are whole percents (the report is signed into the regulator
 * export's manifest, whose canonical JSON has no reals), null when
 * nothing is counted.
 *
 * No I/O and no clock (not in the decision core, which it does not
 * feed: it sorts with qsort); the cases come from the store
 * (store_follow_up_cases) through follow_ups_effectiveness. */
#ifndef RGMON_EFFECTIVENESS_H
#define RGMON_EFFECTIVENESS_H

#include "rgmon/common.h"
#include "rgmon/follow_up.h"

#include <jansson.h>

struct effectiveness_case {
	const char *outcome;      /* limits_set, pause_applied, ... */
	const char *jurisdiction; /* "" when the pack names none */
	const char *const *rules; /* the alert's rules */
	int nrules;
	bool complete7, complete30;
	struct follow_up_measures before, after30; /* after30 only when complete30 */
	bool realerted;
};

struct effectiveness;

struct effectiveness *effectiveness_new(void);
void effectiveness_free(struct effectiveness *e);
/* Counts one case in the total and its groups. 0, or -1 out of memory. */
int effectiveness_add(struct effectiveness *e, const struct effectiveness_case *c);
/* The report: {"window":"30d","fell_by":...,"total":{..},"by_outcome":[..],
 * "by_rule":[..],"by_jurisdiction":[..]}, groups by name. New reference,
 * NULL out of memory. */
json_t *effectiveness_json(const struct effectiveness *e);

#endif
