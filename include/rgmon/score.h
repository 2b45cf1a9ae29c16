/* score.h -- markers and the score. A rule that holds leaves a marker in
 * the player's state; its points are the rule's weight, decaying with a
 * half-life; the score is their sum, capped at 100, and the level follows
 * from the score with hysteresis.
 *
 * The engine records markers and scores after each event; risk.c reads a
 * marker's points to order the reasons it shows. Pure: no I/O, no clock
 * (the moment is always now_ms, event time), no globals; integer
 * arithmetic, so replays agree bit for bit on every platform. */
#ifndef RGMON_SCORE_H
#define RGMON_SCORE_H

#include "rgmon/common.h"
#include "rgmon/policy.h"
#include "rgmon/state.h"

/* A marker that has not held for this long counts as new when it holds
 * again: it is fresh evidence, and may open a new alert. */
#define SCORE_MARKER_REFIRE_MS (24 * 3600 * 1000LL)

/* A marker's points at now_ms, in thousandths: its points (or its rule's
 * weight when it has none), halving
 * every half-life since it last held. */
int64_t score_marker_points(const struct marker *m, const struct policy *pol, int64_t now_ms);

/* The score (0-100) at now_ms: the sum of marker points, capped. */
int score_at(const struct player_state *st, const struct policy *pol, int64_t now_ms);

/* Records in st that `rule` holds at now_ms, worth `points` (1-100) at
 * full strength, with the numbers v behind it.
 * Returns true when that is new evidence: the rule had not held within
 * SCORE_MARKER_REFIRE_MS, or it holds now with more points than its marker
 * had (a higher money tier, one more day of persistence). The marker takes a slot, giving up the weakest
 * when the table is full and it is stronger than that one. */
bool score_hold(struct player_state *st, const struct policy *pol, int rule, const int64_t v[RULE_VALUES],
		int points, int64_t now_ms);

/* The rule of the heaviest marker that still has points, strong ones left
 * out (they raise on their own): the rule an alert for a level rise is
 * named after. -1 when there is none. */
int score_top_rule(const struct player_state *st, const struct policy *pol, int64_t now_ms);

/* The level for a score: by the policy's cut-offs, at least red when a
 * strong marker fired, and staying at `current` while the score is within
 * the hysteresis below its cut-off. */
enum risk_level score_level(const struct policy *pol, int score, enum risk_level current, bool strong);

#endif
