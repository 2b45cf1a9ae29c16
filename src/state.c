/* state.c -- the read-only questions asked of a player's state: a day's
 * totals, rolling-window sums, play time today, limits in force and their
 * use, exclusion. Pure: no I/O, no clock, no globals. */
#include "rgmon/state.h"

#include <string.h>

const struct day_totals *state_day(const struct player_state *st, int32_t day)
{
	const struct day_totals *b = &st->days[state_day_slot(day)];
	return b->day == day ? b : NULL;
}

/* Adds one day's bucket to a window. */
static void window_add(struct state_window *out, const struct day_totals *b)
{
	out->deposited += b->deposited;
	out->withdrawn += b->withdrawn;
	out->staked += b->staked;
	out->net_loss += b->net_loss;
	out->session_seconds += b->session_seconds;
	out->rounds += b->rounds;
	out->night_rounds += b->night_rounds;
	out->deposits += b->deposits;
	out->declined += b->declined;
	out->withdrawals_cancelled += b->withdrawals_cancelled;
	out->bonus_requests += b->bonus_requests;
	out->complaints += b->complaints;
	out->slot_rounds += b->slot_rounds;
	out->slot_staked += b->slot_staked;
	out->credit_deposits += b->credit_deposits;
	if (b->max_slot_stake > out->max_slot_stake)
		out->max_slot_stake = b->max_slot_stake;
	out->active_days += b->rounds > 0;
	out->night_days += b->night_rounds > 0;
}

void state_window_sum(const struct player_state *st, int32_t today, int ndays, struct state_window *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < ENGINE_DAYS; i++) {
		const struct day_totals *b = &st->days[i];
		if (b->day == ENGINE_DAY_UNUSED || b->day > today || b->day <= today - ndays)
			continue;
		window_add(out, b);
	}
}

void state_windows_init(struct state_windows *m, const struct player_state *st, int32_t today, int64_t now_ms)
{
	m->st = st;
	m->today = today;
	m->now_ms = now_ms;
	m->hours_summed[0] = m->hours_summed[1] = false;
	m->indexed = false;
	m->have = 0;
	m->direct = false;
}

/* Files each bucket of the last ENGINE_DAYS days under its age in days
 * (the same buckets state_window_sum would count). Two buckets of one day
 * (not a state the engine makes) send every window to state_window_sum. */
static void windows_index(struct state_windows *m)
{
	memset(m->by_age, 0, sizeof(m->by_age));
	for (int i = 0; i < ENGINE_DAYS; i++) {
		const struct day_totals *b = &m->st->days[i];
		if (b->day == ENGINE_DAY_UNUSED || b->day > m->today || b->day <= m->today - ENGINE_DAYS)
			continue;
		int age = (int)(m->today - b->day);
		if (m->by_age[age])
			m->direct = true;
		m->by_age[age] = b;
	}
	memset(&m->w[0], 0, sizeof(m->w[0]));
	m->have = 1; /* the window of 0 days */
	m->indexed = true;
}

const struct state_window *state_windows_at(struct state_windows *m, int ndays, struct state_window *buf)
{
	if (!m->indexed)
		windows_index(m);
	if (m->direct || ndays < 1 || ndays > ENGINE_DAYS) {
		state_window_sum(m->st, m->today, ndays, buf);
		return buf;
	}
	if (!(m->have & (1ull << ndays))) {
		int from = ndays - 1; /* the longest shorter window summed: w[0] at worst */
		while (!(m->have & (1ull << from)))
			from--;
		m->w[ndays] = m->w[from];
		for (int age = from; age < ndays; age++)
			if (m->by_age[age])
				window_add(&m->w[ndays], m->by_age[age]);
		m->have |= 1ull << ndays;
	}
	return &m->w[ndays];
}

void state_windows_sum(struct state_windows *m, int ndays, struct state_window *out)
{
	*out = *state_windows_at(m, ndays, out);
}

const struct state_window *state_windows_hours_at(struct state_windows *m, int nhours, struct state_window *buf)
{
	int i = nhours == 1 ? 0 : nhours == 24 ? 1 : -1;
	if (i < 0) {
		state_hours_sum(m->st, m->now_ms, nhours, buf);
		return buf;
	}
	if (!m->hours_summed[i]) {
		/* Both windows in one pass over the hours (the rules ask for both). */
		memset(m->hours, 0, sizeof(m->hours));
		int64_t now_h = m->now_ms / MS_PER_HOUR;
		for (int j = 0; m->now_ms >= 0 && j < ENGINE_HOURS; j++) {
			const struct hour_totals *h = &m->st->hours[j];
			if (!h->hour || h->hour > now_h || h->hour <= now_h - 24)
				continue;
			for (int k = h->hour > now_h - 2 ? 0 : 1; k < 2; k++) { /* the 1-hour window spans 2 clock hours */
				m->hours[k].deposited += h->deposited;
				m->hours[k].staked += h->staked;
				m->hours[k].net_loss += h->net_loss;
			}
		}
		m->hours_summed[0] = m->hours_summed[1] = true;
	}
	return &m->hours[i];
}

void state_windows_hours(struct state_windows *m, int nhours, struct state_window *out)
{
	*out = *state_windows_hours_at(m, nhours, out);
}

void state_hours_sum(const struct player_state *st, int64_t now_ms, int nhours, struct state_window *out)
{
	memset(out, 0, sizeof(*out));
	if (now_ms < 0)
		return;
	int64_t now_h = now_ms / MS_PER_HOUR, span = nhours == 1 ? 2 : nhours;
	for (int i = 0; i < ENGINE_HOURS; i++) {
		const struct hour_totals *h = &st->hours[i];
		if (!h->hour || h->hour > now_h || h->hour <= now_h - span)
			continue;
		out->deposited += h->deposited;
		out->staked += h->staked;
		out->net_loss += h->net_loss;
	}
}

int state_period_days(int32_t today, enum limit_period p, enum period_rule how)
{
	if (p == PERIOD_DAY)
		return 1;
	if (how != PERIOD_CALENDAR)
		return p == PERIOD_WEEK ? ROLLING_WEEK_DAYS : ROLLING_MONTH_DAYS;
	if (p == PERIOD_WEEK) { /* 1970-01-01 (day 0) was a Thursday, weekday 3 counting Monday as 0 */
		int64_t weekday = (int64_t)today + 3 - ts_floor_div((int64_t)today + 3, 7) * 7;
		return (int)weekday + 1;
	}
	int64_t y;
	unsigned m, d;
	ts_civil_from_days(today, &y, &m, &d);
	return (int)d;
}

int64_t state_play_seconds_today(const struct player_state *st, const struct tz_rule *tz, int32_t today,
				 int64_t now_ms)
{
	const struct day_totals *b = state_day(st, today);
	int64_t secs = b ? b->session_seconds : 0;
	/* Local midnight costs two zone lookups: only an open session needs it. */
	int64_t day_start = 0;
	bool have_day_start = false;
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++) {
		if (!st->sessions[i].id_hash)
			continue;
		if (!have_day_start) {
			day_start = tz_day_start_utc(tz, today);
			have_day_start = true;
		}
		int64_t from = st->sessions[i].start_ms > day_start ? st->sessions[i].start_ms : day_start;
		if (now_ms > from)
			secs += (now_ms - from) / 1000;
	}
	return secs > 86400 ? 86400 : secs;
}

/* When the period p running at ms ends: a rolling week or month a whole
 * period after ms; a day, and a calendar week or month, at the start of
 * the next local day, Monday or 1st. */
static int64_t period_end_ms(const struct policy *pol, enum limit_period p, int64_t ms)
{
	int32_t today = tz_local_day(&pol->tz, ms);
	if (p != PERIOD_DAY && pol->periods[p] != PERIOD_CALENDAR)
		return ms + (int64_t)state_period_days(today, p, PERIOD_ROLLING) * MS_PER_DAY;
	int32_t next = today + 1;
	if (p == PERIOD_WEEK) {
		next = today - state_period_days(today, p, PERIOD_CALENDAR) + 1 + 7;
	} else if (p == PERIOD_MONTH) {
		int64_t y;
		unsigned m, d;
		ts_civil_from_days(today, &y, &m, &d);
		next = (int32_t)(m == 12 ? ts_days_from_civil(y + 1, 1, 1) : ts_days_from_civil(y, m + 1, 1));
	}
	return tz_day_start_utc(&pol->tz, next);
}

int64_t state_limit_in_force(const struct player_state *st, const struct policy *pol, enum limit_kind k,
			     enum limit_period p, int64_t now_ms)
{
	const struct player_limit *l = &st->limits[k][p];
	if (!l->previous_value || l->value <= l->previous_value)
		return l->value;
	int64_t changed_ms = (int64_t)st->limit_changed_min[k][p] * MS_PER_MIN;
	int64_t from_ms = changed_ms + (int64_t)pol->limit_raise_delay_minutes * MS_PER_MIN;
	if (pol->limit_raise_after_period) {
		int64_t period_end = period_end_ms(pol, p, changed_ms);
		if (period_end > from_ms)
			from_ms = period_end;
	}
	return now_ms < from_ms ? l->previous_value : l->value;
}

/* How much of a limit of kind k is used, given the sums w over its
 * period's days ending with `today`, the local day of now_ms. */
static int64_t limit_used_of(const struct player_state *st, const struct tz_rule *tz, enum limit_kind k,
			     int32_t today, int64_t now_ms, const struct state_window *w)
{
	switch (k) {
	case LIMIT_DEPOSIT:
		return w->deposited;
	case LIMIT_LOSS:
		return w->net_loss > 0 ? w->net_loss : 0;
	case LIMIT_SESSION_TIME: {
		/* Closed sessions of the days before, plus today's closed and open ones. */
		const struct day_totals *b = state_day(st, today);
		int64_t before_today = w->session_seconds - (b ? b->session_seconds : 0);
		return (before_today + state_play_seconds_today(st, tz, today, now_ms)) / 60;
	}
	case LIMIT_KIND_COUNT:
		break;
	}
	return 0;
}

int64_t state_limit_used(const struct player_state *st, const struct tz_rule *tz, enum limit_kind k,
			 enum limit_period p, enum period_rule how, int64_t now_ms)
{
	int32_t today = tz_local_day(tz, now_ms);
	struct state_window w;
	state_window_sum(st, today, state_period_days(today, p, how), &w);
	return limit_used_of(st, tz, k, today, now_ms, &w);
}

int64_t state_windows_limit_used(struct state_windows *m, const struct tz_rule *tz, enum limit_kind k,
				 enum limit_period p, enum period_rule how)
{
	struct state_window buf;
	const struct state_window *w = state_windows_at(m, state_period_days(m->today, p, how), &buf);
	return limit_used_of(m->st, tz, k, m->today, m->now_ms, w);
}

int state_age_years(const struct player_state *st, int64_t at_ms)
{
	int64_t y, age;
	unsigned m, d;
	ts_civil_from_days(ts_floor_div(at_ms, MS_PER_DAY), &y, &m, &d);
	if (st->has_birth_date) {
		int64_t by;
		unsigned bm, bd;
		ts_civil_from_days(st->birth_date, &by, &bm, &bd);
		age = y - by - (m < bm || (m == bm && d < bd));
	} else if (st->has_birth_year) {
		age = y - st->birth_year;
	} else {
		return -1;
	}
	return age < 0 ? -1 : (int)age;
}

bool state_excluded_at(const struct player_state *st, int64_t ms)
{
	return st->excluded_from_ms != ENGINE_NO_TIME && ms >= st->excluded_from_ms && ms < st->excluded_until_ms;
}
