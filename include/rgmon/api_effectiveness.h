/* api_effectiveness.h -- GET /v1/reports/effectiveness (issue 16): the
 * effectiveness report (effectiveness.h) over the resolved alerts whose
 * anchor (the player's event time at resolution) is in [from, to), of
 * one jurisdiction or all; JSON, or CSV with format=csv. Compliance,
 * regulator and admin. */
#ifndef RGMON_API_EFFECTIVENESS_H
#define RGMON_API_EFFECTIVENESS_H

#include "rgmon/api.h"

#include <jansson.h>

void api_handle_effectiveness(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);

/* The report as CSV: a header line, then one line per group (dimension,
 * group, cases, complete_7d, complete_30d, then per measure with_baseline,
 * fell_by_quarter, fell_pct, median_change_pct, then the limit and
 * re-alert counts and percents; an empty field for null). */
void api_effectiveness_csv(const json_t *report, struct sbuf *out);

#endif
