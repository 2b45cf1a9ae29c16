/* follow_up.h -- did the intervention help? The measures of a player's
 * behaviour before and after an alert was resolved (issue 16, DESIGN 1.3
 * additions: a resolved alert carries follow_up).
 *
 * At resolution the anchor is the player's latest event time; its local
 * day (in the pack's time zone) is the anchor day. The baseline ("before")
 * is the 30 local days ending with the anchor day; each window "after" is
 * the N local days that follow it (7 and 30), and closes when the stream's
 * time reaches the start of the local day after its last. The state's day
 * buckets make both exact: the state keeps ENGINE_DAYS (31) days, so the
 * 30-day window is measured as soon as the stream passes its end (the
 * writer does, after each batch), while its first day is still held.
 *
 * Pure: no I/O, no clock, no globals. The scheduling (which windows are
 * due) is follow_ups.c's, in the writer. */
#ifndef RGMON_FOLLOW_UP_H
#define RGMON_FOLLOW_UP_H

#include "rgmon/common.h"
#include "rgmon/policy.h"
#include "rgmon/state.h"

#include <jansson.h>

#define FOLLOW_UP_BEFORE_DAYS 30
#define FOLLOW_UP_WINDOWS 2
extern const int follow_up_window_days[FOLLOW_UP_WINDOWS]; /* 7, 30 */

/* A player's behaviour over `days` local days. The money is per day
 * (minor units, rounded half away from zero), so windows of different
 * length compare; the rest are counts over the window. */
struct follow_up_measures {
	int days;                /* the window's length */
	int64_t deposits;        /* approved deposits per day */
	int64_t net_loss;        /* stake - payout per day; negative when winning */
	int64_t staked;          /* per day */
	int64_t declined_deposits; /* declined deposit attempts per day (a count) */
	int active_days;         /* days with any rounds */
	int64_t play_minutes;    /* closed sessions */
	int64_t night_rounds;    /* rounds between 00:00 and 06:00 local */
	int limits_set;          /* limits (kind x period) set or lowered within the window */
	bool excluded;           /* a self-exclusion or pause was in force at some moment of it */
	int score;               /* at the end of the window (the anchor for before) */
	enum risk_level level;
};

/* The window's ms bounds: [from_ms, to_ms). */
struct follow_up_span {
	int32_t first_day; /* local day */
	int days;
	int64_t from_ms, to_ms;
};

/* The anchor day and the windows of a resolution at anchor_ms. */
int32_t follow_up_anchor_day(const struct tz_rule *tz, int64_t anchor_ms);
/* Before: the 30 local days ending with the anchor day, up to the anchor. */
void follow_up_before_span(const struct tz_rule *tz, int64_t anchor_ms, struct follow_up_span *out);
/* After: the `days` local days after the anchor day; to_ms is the start of
 * the local day after them, the moment the window closes. */
void follow_up_after_span(const struct tz_rule *tz, int64_t anchor_ms, int days, struct follow_up_span *out);

/* The measures of st over span; score and level at score_ms (score_at
 * and the pack's cut-offs, from the state's level). */
void follow_up_measure(const struct player_state *st, const struct policy *pol, const struct follow_up_span *span,
		       int64_t score_ms, struct follow_up_measures *out);

/* As JSON (integers only: it goes into the audit trail) and back. parse
 * returns 0, or -1 when a member is missing or of the wrong type. */
json_t *follow_up_measures_json(const struct follow_up_measures *m);
int follow_up_measures_parse(const json_t *j, struct follow_up_measures *out);

/* x / days rounded half away from zero (days > 0). */
int64_t follow_up_per_day(int64_t x, int days);

#endif
