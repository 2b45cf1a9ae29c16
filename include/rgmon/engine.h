/* engine.h -- the pure step that applies one event to a player's state.
 *
 * The engine owns the meaning of events: how a deposit, a round or a
 * session changes a player's aggregates (engine.c). After aggregating it
 * runs the policy's rules (src/rules/), keeps the markers that hold and
 * scores them (score.h), and decides the level and whether to raise an
 * alert. It never does I/O, never reads a clock and keeps no globals: the
 * same events in the same order give the same state, which is what makes
 * `rgmon replay` reproduce production bit for bit.
 *
 * The state and the queries on it are in state.h, its stored form in
 * state_codec.h. */
#ifndef RGMON_ENGINE_H
#define RGMON_ENGINE_H

#include "rgmon/common.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/state.h"

/* What applying an event decided. */
#define ENGINE_OWED_MAX 4 /* obligations one event can make due */

struct engine_result {
	bool outside_window;        /* older than the kept days (a session: partly): stored,
				     * not aggregated (that part) */
	uint8_t level_before, level;/* enum risk_level */
	uint8_t score;
	int nnew;                   /* markers that started to hold with this event */
	uint8_t new_rules[RULE_COUNT];
	int nheld;                  /* markers that held with this event, new or not */
	uint8_t held_rules[RULE_COUNT];
	bool raise;                 /* open or escalate an alert */
	uint8_t raise_rule;         /* the rule that raised it (strong, or the top marker) */
	bool raise_strong;          /* raised by a strong marker (a strong rule or tier) */
	/* Obligations (rules of kind obligation) that fell due with this
	 * event: each is a task for staff, owed once per calendar month of the
	 * pack's time zone; they score nothing. */
	int nowed;
	struct engine_owed {
		uint8_t rule;            /* enum rule_id */
		int32_t v[RULE_VALUES];  /* the numbers behind it (saturated) */
	} owed[ENGINE_OWED_MAX];
};

/* Applies one validated event to the player's state and evaluates the
 * policy's rules: aggregates in the policy's local calendar days, markers,
 * score, level and whether to raise an alert. Pure. */
void engine_apply(struct player_state *st, const struct event *ev, const struct policy *pol,
		  struct engine_result *res);

/* For a rule that counts deposits (rule_def.counted) and held with ev:
 * the event times of the deposits it counted, read from st after
 * engine_apply(st, ev, pol). Returns their number; 0 for other rules. Pure. */
int engine_rule_counted(const struct player_state *st, const struct event *ev, const struct policy *pol, int rule,
			int64_t ts[RULE_COUNTED_MAX]);

/* Where a closed session's play time starts to be spread over local days:
 * its start, but no earlier than the first of the ENGINE_DAYS local days
 * ending with the day it ended (the days the state can keep), so the work
 * of one session_end is bounded whatever its start. */
int64_t engine_session_spread_from(const struct tz_rule *tz, int64_t start_ms, int64_t end_ms);

#endif
