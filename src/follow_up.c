/* follow_up.c -- the measures of a player's behaviour over the days
 * before and after a resolution (follow_up.h). Pure: no I/O, no clock. */
#include "rgmon/follow_up.h"
#include "rgmon/score.h"

#include <string.h>

const int follow_up_window_days[FOLLOW_UP_WINDOWS] = { 7, 30 };

int64_t follow_up_per_day(int64_t x, int days)
{
	if (days <= 0)
		return 0;
	int64_t half = days / 2;
	return x >= 0 ? (x + half) / days : -((-x + half) / days);
}

int32_t follow_up_anchor_day(const struct tz_rule *tz, int64_t anchor_ms) { return tz_local_day(tz, anchor_ms); }

void follow_up_before_span(const struct tz_rule *tz, int64_t anchor_ms, struct follow_up_span *out)
{
	int32_t anchor_day = follow_up_anchor_day(tz, anchor_ms);
	out->days = FOLLOW_UP_BEFORE_DAYS;
	out->first_day = anchor_day - FOLLOW_UP_BEFORE_DAYS + 1;
	out->from_ms = tz_day_start_utc(tz, out->first_day);
	out->to_ms = anchor_ms + 1; /* the anchor itself is before */
}

void follow_up_after_span(const struct tz_rule *tz, int64_t anchor_ms, int days, struct follow_up_span *out)
{
	int32_t anchor_day = follow_up_anchor_day(tz, anchor_ms);
	out->days = days;
	out->first_day = anchor_day + 1;
	out->from_ms = anchor_ms + 1;
	out->to_ms = tz_day_start_utc(tz, anchor_day + days + 1);
}

/* Limits set, or lowered, at a moment of [from, to): the state keeps when
 * each limit (kind x period) last changed and the value before. */
static int limits_set_within(const struct player_state *st, int64_t from_ms, int64_t to_ms)
{
	int n = 0;
	for (int k = 0; k < LIMIT_KIND_COUNT; k++)
		for (int p = 0; p < PERIOD_COUNT; p++) {
			const struct player_limit *l = &st->limits[k][p];
			int64_t at = (int64_t)st->limit_changed_min[k][p] * MS_PER_MIN;
			bool set_or_lowered = l->value > 0 && (l->previous_value == 0 || l->value < l->previous_value);
			n += st->limit_changed_min[k][p] && set_or_lowered && at >= from_ms && at < to_ms;
		}
	return n;
}

static bool excluded_within(const struct player_state *st, int64_t from_ms, int64_t to_ms)
{
	return st->excluded_from_ms != ENGINE_NO_TIME && st->excluded_from_ms < to_ms &&
	       st->excluded_until_ms > from_ms;
}

void follow_up_measure(const struct player_state *st, const struct policy *pol, const struct follow_up_span *span,
		       int64_t score_ms, struct follow_up_measures *out)
{
	struct state_window w;
	memset(out, 0, sizeof(*out));
	state_window_sum(st, span->first_day + span->days - 1, span->days, &w);
	out->days = span->days;
	out->deposits = follow_up_per_day(w.deposited, span->days);
	out->net_loss = follow_up_per_day(w.net_loss, span->days);
	out->staked = follow_up_per_day(w.staked, span->days);
	out->declined_deposits = follow_up_per_day(w.declined, span->days);
	out->active_days = w.active_days;
	out->play_minutes = w.session_seconds / 60;
	out->night_rounds = w.night_rounds;
	out->limits_set = limits_set_within(st, span->from_ms, span->to_ms);
	out->excluded = excluded_within(st, span->from_ms, span->to_ms);
	out->score = score_at(st, pol, score_ms);
	if (state_excluded_at(st, score_ms)) {
		out->level = LEVEL_EXCLUDED;
	} else {
		enum risk_level current = st->level <= LEVEL_RED ? (enum risk_level)st->level : LEVEL_GREEN;
		out->level = score_level(pol, out->score, current, false);
	}
}

json_t *follow_up_measures_json(const struct follow_up_measures *m)
{
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:i, s:I, s:I, s:i, s:b, s:i, s:s}", "days", m->days, "deposits",
			 (json_int_t)m->deposits, "net_loss", (json_int_t)m->net_loss, "staked", (json_int_t)m->staked,
			 "declined_deposits", (json_int_t)m->declined_deposits, "active_days", m->active_days,
			 "play_minutes", (json_int_t)m->play_minutes, "night_rounds", (json_int_t)m->night_rounds,
			 "limits_set", m->limits_set, "excluded", m->excluded, "score", m->score, "level",
			 risk_level_name(m->level));
}

int follow_up_measures_parse(const json_t *j, struct follow_up_measures *out)
{
	json_int_t days, deposits, net_loss, staked, declined, active, minutes, night, limits, score;
	int excluded;
	const char *level;
	memset(out, 0, sizeof(*out));
	if (json_unpack((json_t *)j, "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:s}", "days", &days,
			"deposits", &deposits, "net_loss", &net_loss, "staked", &staked, "declined_deposits", &declined,
			"active_days", &active, "play_minutes", &minutes, "night_rounds", &night, "limits_set", &limits,
			"excluded", &excluded, "score", &score, "level", &level) < 0)
		return -1;
	out->level = LEVEL_COUNT;
	for (int l = 0; l < LEVEL_COUNT; l++)
		if (strcmp(level, risk_level_name((enum risk_level)l)) == 0)
			out->level = (enum risk_level)l;
	if (out->level == LEVEL_COUNT || days <= 0 || days > 366)
		return -1;
	out->days = (int)days;
	out->deposits = deposits;
	out->net_loss = net_loss;
	out->staked = staked;
	out->declined_deposits = declined;
	out->active_days = (int)active;
	out->play_minutes = minutes;
	out->night_rounds = night;
	out->limits_set = (int)limits;
	out->excluded = excluded != 0;
	out->score = (int)score;
	return 0;
}
