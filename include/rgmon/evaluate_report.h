/* evaluate_report.h -- the report of `rgmon evaluate --report FILE.html`:
 * one self-contained HTML file (inline CSS and SVG, no script, no external
 * request) for a compliance officer: the metrics, the ROC curve, precision
 * and recall at each cut-off, the lead-time histogram, the alerts per day and the
 * per-rule table. Deterministic: the same summary gives the same bytes. */
#ifndef RGMON_EVALUATE_REPORT_H
#define RGMON_EVALUATE_REPORT_H

#include "rgmon/evaluate.h"

#include <stdio.h>

struct eval_report_info {
	const struct policy_set *policies;
	const char *events;  /* the events file as given */
	const char *labels;  /* the labels file, or "self-exclusion events" */
	int horizon_days;
};

/* Writes the report to f; -1 on a write error. */
int evaluate_report_write(FILE *f, const struct eval_summary *s, const struct eval_report_info *info);

#endif
