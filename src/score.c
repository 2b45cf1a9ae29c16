/* score.c -- marker points with decay, the score, the marker table and the
 * level. Pure: no I/O, no clock, no globals; time is event time. */
#include "rgmon/score.h"

int64_t score_marker_points(const struct marker *m, const struct policy *pol, int64_t now_ms)
{
	if (m->rule >= RULE_COUNT)
		return 0;
	int64_t full = (int64_t)(m->points ? m->points : pol->rules[m->rule].weight) * 1000;
	int64_t half = (int64_t)pol->half_life_minutes * MS_PER_MIN;
	int64_t age = now_ms - (int64_t)m->at_min * MS_PER_MIN;
	if (age <= 0 || half <= 0)
		return full;
	int64_t halvings = age / half;
	if (halvings >= 40)
		return 0;
	int64_t pts = full >> halvings;
	/* Straight line between halvings: exact at each half-life, integer
	 * everywhere, within 6% of the true exponential in between. */
	return pts - pts * (age % half) / (2 * half);
}

int score_at(const struct player_state *st, const struct policy *pol, int64_t now_ms)
{
	int64_t sum = 0, amber_only = 0;
	for (int i = 0; i < ENGINE_MARKERS; i++) {
		const struct marker *m = &st->markers[i];
		int64_t pts = score_marker_points(m, pol, now_ms);
		if (m->rule < RULE_COUNT && (pol->rules[m->rule].amber_only ||
					     (rule_defs[m->rule]->money_tier && m->points < pol->cutoff[LEVEL_RED])))
			amber_only += pts;
		else
			sum += pts;
	}
	/* Amber-only markers (money thresholds that call for a check), and
	 * money tiers below their red tier, count up to just below red: red
	 * needs a marker of harm besides them, or a money red tier. */
	int64_t cap = ((int64_t)pol->cutoff[LEVEL_RED] - 1) * 1000;
	sum += amber_only < cap ? amber_only : cap;
	sum = (sum + 500) / 1000;
	return sum > 100 ? 100 : (int)sum;
}

bool score_hold(struct player_state *st, const struct policy *pol, int rule, const int64_t v[RULE_VALUES],
		int points, int64_t now_ms)
{
	uint32_t now_min = state_minutes_of(now_ms), last = st->rule_held_min[rule];
	bool fresh = last == 0 || (int64_t)now_min - (int64_t)last >= SCORE_MARKER_REFIRE_MS / MS_PER_MIN;
	if (now_min > last)
		st->rule_held_min[rule] = now_min;

	struct marker *slot = NULL;
	for (int i = 0; i < ENGINE_MARKERS && !slot; i++)
		if (st->markers[i].rule == rule)
			slot = &st->markers[i];
	if (!slot) {
		int64_t weakest = INT64_MAX;
		for (int i = 0; i < ENGINE_MARKERS; i++) {
			int64_t pts = st->markers[i].rule == RULE_COUNT ? -1 : score_marker_points(&st->markers[i], pol, now_ms);
			if (pts < weakest) {
				weakest = pts;
				slot = &st->markers[i];
			}
		}
		if (weakest >= (int64_t)points * 1000)
			return fresh; /* every slot holds a stronger marker */
		slot->points = 0;
	} else if (points > slot->points) {
		fresh = true; /* a higher tier, or one more day of persistence: new evidence */
	}
	/* A marker that holds again keeps the stronger of its strengths while
	 * it has not decayed: a tier reached stays reached. */
	struct marker now = { .at_min = now_min, .rule = (uint8_t)rule, .points = (uint8_t)points };
	if (slot->rule != rule || score_marker_points(slot, pol, now_ms) <= score_marker_points(&now, pol, now_ms))
		slot->points = (uint8_t)points;
	slot->rule = (uint8_t)rule;
	if (now_min > slot->at_min)
		slot->at_min = now_min;
	for (int i = 0; i < RULE_VALUES; i++)
		slot->v[i] = state_sat32(v[i]);
	return fresh;
}

int score_top_rule(const struct player_state *st, const struct policy *pol, int64_t now_ms)
{
	int top = -1, top_weight = -1;
	for (int i = 0; i < ENGINE_MARKERS; i++) {
		int r = st->markers[i].rule;
		int w = st->markers[i].points ? st->markers[i].points : r < RULE_COUNT ? pol->rules[r].weight : 0;
		if (r < RULE_COUNT && !pol->rules[r].strong && w > top_weight &&
		    score_marker_points(&st->markers[i], pol, now_ms) > 0) {
			top_weight = w;
			top = r;
		}
	}
	return top;
}

enum risk_level score_level(const struct policy *pol, int score, enum risk_level current, bool strong)
{
	enum risk_level target = score >= pol->cutoff[LEVEL_RED] ? LEVEL_RED
			       : score >= pol->cutoff[LEVEL_AMBER] ? LEVEL_AMBER : LEVEL_GREEN;
	if (strong && target < LEVEL_RED)
		target = LEVEL_RED;
	/* Hysteresis: stay at a higher level until the score is clearly below it. */
	if (current > target && current <= LEVEL_RED && score >= pol->cutoff[current] - pol->hysteresis)
		return current;
	return target;
}
