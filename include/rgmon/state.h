/* state.h -- a player's state: the fixed-size record the engine keeps per
 * player, and the questions the rules, risk.c and the API ask of it (a
 * day's totals, sums over rolling windows, play time today, the limits in
 * force and how much of them is used, whether the player is excluded).
 *
 * Only the engine writes a state (engine.c aggregates, score.c keeps the
 * markers); everything declared here reads it. Pure: no I/O, no clock
 * (a query that depends on the moment takes it as now_ms), no globals.
 *
 * State is fixed-size (no allocation on the hot path): calendar-day
 * buckets in the jurisdiction's time zone for the longest window, the open
 * sessions, the player's own limits and any exclusion. The sizes keep
 * their ENGINE_ names: they are how much the engine remembers. */
#ifndef RGMON_STATE_H
#define RGMON_STATE_H

#include "rgmon/common.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/rules.h"
#include "rgmon/timestamp.h"
#include "rgmon/tz.h"

/* Days kept: the longest window any rule uses is a calendar month so far
 * (up to 31 local days, the 1st to today). A rolling month stays 30 local
 * days (today and the 29 before): ROLLING_MONTH_DAYS, never ENGINE_DAYS. */
#define ENGINE_DAYS 31
#define ROLLING_MONTH_DAYS 30
#define ROLLING_WEEK_DAYS 7
#define ENGINE_OPEN_SESSIONS 4
#define ENGINE_RECENT_DEPOSITS 6
#define ENGINE_INSTRUMENTS 6
#define ENGINE_DECLINES 8
#define ENGINE_MARKERS 8
/* Hourly buckets for the sub-day money windows (1 h and 24 h). */
#define ENGINE_HOURS 24
#define ENGINE_DAY_UNUSED INT32_MIN
#define ENGINE_NO_TIME INT64_MIN
#define ENGINE_FOREVER INT64_MAX

/* One local calendar day of a player's activity. Money in minor units;
 * day sums saturate at +-ENGINE_SUM_MAX (21 million in a two-decimal
 * currency), far past every threshold, so a bucket stays small (it is
 * kept ENGINE_DAYS times per player). Marker values saturate there too. A value at
 * that bound is a lower bound, and output says so ("at least"). The slot
 * and credit-card fields count only events that name their game_category
 * or instrument_type. */
#define ENGINE_SUM_MAX INT32_MAX
struct day_totals {
	int32_t day;              /* local day number, or ENGINE_DAY_UNUSED */
	int32_t session_seconds;  /* play time of closed sessions, split at local midnight */
	int32_t deposited;        /* approved deposits */
	int32_t withdrawn;        /* completed withdrawals */
	int32_t staked;
	int32_t net_loss;         /* stake - payout; negative on a winning day */
	int32_t slot_staked;      /* stake on rounds of game_category slots */
	int32_t max_slot_stake;   /* the largest single slot stake of the day */
	uint16_t rounds;
	uint16_t night_rounds;    /* rounds between 00:00 and 06:00 local */
	uint16_t deposits;        /* approved deposit count */
	uint16_t declined;        /* declined deposit attempts */
	uint16_t slot_rounds;     /* rounds of game_category slots */
	uint8_t withdrawals_cancelled;
	uint8_t bonus_requests;   /* contact: bonus_request */
	uint8_t complaints;       /* contact: withdrawal_delay or complaint */
	uint8_t credit_deposits;  /* approved deposits with instrument_type credit_card */
};

/* One clock hour (UTC) of money, for the windows shorter than a day. */
struct hour_totals {
	uint32_t hour;     /* hours since the epoch; 0 = free slot */
	int32_t deposited; /* approved deposits */
	int32_t staked;
	int32_t net_loss;
};

struct open_session {
	uint64_t id_hash; /* digest_fnv1a of the session id; 0 = free slot */
	int64_t start_ms;
};

struct player_limit {
	int64_t value;          /* 0 = not set */
	int64_t previous_value; /* before the last change; 0 = none */
};

/* An approved deposit, kept for the loss-chasing patterns. */
struct recent_deposit {
	int64_t ts_ms;              /* 0 = free slot */
	int64_t amount;
	int32_t loss_before;        /* net loss since the deposit before it (saturated) */
	uint16_t minutes_after_loss;/* since the last losing round; UINT16_MAX = none/long */
};

struct instrument_seen {
	uint32_t hash; /* 0 = free slot */
	int32_t day;   /* local day last used */
};

/* A marker that held recently: which rule, when it last held and the
 * numbers that explain it (saturated like the day sums). Its points decay
 * from that time (score.h). */
struct marker {
	uint32_t at_min; /* minutes since the epoch */
	int32_t v[RULE_VALUES];
	uint8_t rule;    /* enum rule_id; RULE_COUNT = free slot */
	uint8_t points;  /* at full strength: 0 = the rule's weight (and states
			  * stored before markers had points), else 1-100 */
};

struct player_state {
	int64_t first_seen_ms, last_seen_ms;
	int64_t excluded_from_ms;  /* ENGINE_NO_TIME when never excluded */
	int64_t excluded_until_ms; /* ENGINE_FOREVER = indefinite */
	/* loss-chasing trackers (event time) */
	int64_t last_loss_ms;       /* last losing round, or ENGINE_NO_TIME */
	int64_t last_slot_round_ms; /* latest round of game_category slots, or ENGINE_NO_TIME */
	int64_t loss_since_deposit; /* net loss since the last approved deposit */
	int64_t balance;            /* estimated: money in minus money out, never below 0 */
	int64_t stake_avg;          /* moving average stake (1/8 weight per round) */
	uint16_t losing_streak;     /* consecutive losing rounds */
	uint8_t exclusion_source;   /* enum exclusion_source */
	uint8_t level;              /* enum risk_level after the last event */
	uint8_t score;              /* 0-100 after the last event */
	bool has_birth_year;        /* also set, to its year, by a birth date */
	bool has_birth_date;        /* the exact date is known, not only the year */
	int16_t birth_year;
	int32_t birth_date;         /* days since 1970-01-01, when has_birth_date */
	char country[3];
	char language[3];           /* ISO 639-1, "" = unknown */
	char currency[4];           /* of the first money event */
	uint32_t limit_changed_min[LIMIT_KIND_COUNT][PERIOD_COUNT]; /* minutes since the epoch */
	struct player_limit limits[LIMIT_KIND_COUNT][PERIOD_COUNT];
	struct open_session sessions[ENGINE_OPEN_SESSIONS];
	struct recent_deposit deposits[ENGINE_RECENT_DEPOSITS]; /* ring, oldest overwritten */
	struct instrument_seen instruments[ENGINE_INSTRUMENTS];
	uint32_t declined_min[ENGINE_DECLINES]; /* ring of declined attempts, minutes since the epoch */
	struct marker markers[ENGINE_MARKERS];
	/* When each rule last held (minutes since the epoch, 0 never): a rule
	 * is new evidence only after SCORE_MARKER_REFIRE_MS (score.h) without
	 * holding, even when its marker slot went to stronger markers meanwhile. */
	uint32_t rule_held_min[RULE_COUNT];
	struct day_totals days[ENGINE_DAYS];
	struct hour_totals hours[ENGINE_HOURS]; /* ring by hour */
};

/* A fresh state for a player never seen before. Inline, so that the
 * codec (state_codec.c), which starts every decode from it, needs no other
 * module. */
static inline void state_init(struct player_state *st)
{
	memset(st, 0, sizeof(*st));
	st->first_seen_ms = ENGINE_NO_TIME;
	st->last_seen_ms = ENGINE_NO_TIME;
	st->excluded_from_ms = ENGINE_NO_TIME;
	st->last_loss_ms = ENGINE_NO_TIME;
	st->last_slot_round_ms = ENGINE_NO_TIME;
	for (int i = 0; i < ENGINE_DAYS; i++)
		st->days[i].day = ENGINE_DAY_UNUSED;
	for (int i = 0; i < ENGINE_MARKERS; i++)
		st->markers[i].rule = RULE_COUNT;
}

/* The slot of days[] for local day `day`: the buckets are a ring, each day
 * has exactly one slot, and a newer day takes it over from an older one. */
static inline int state_day_slot(int32_t day)
{
	return (int)(((day % ENGINE_DAYS) + ENGINE_DAYS) % ENGINE_DAYS);
}

/* How the state writes times and amounts into its small fields: minutes
 * since the epoch (0 for times before it), and int32 saturated at
 * +-(2^31-1). */
static inline uint32_t state_minutes_of(int64_t ms) { return ms <= 0 ? 0 : (uint32_t)(ms / MS_PER_MIN); }
static inline int32_t state_sat32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < -INT32_MAX ? -INT32_MAX : (int32_t)v;
}

/* The bucket for local day `day`, or NULL when that day is not kept. */
const struct day_totals *state_day(const struct player_state *st, int32_t day);

/* Sums over the `ndays` local days ending with `today` (rolling windows:
 * a day is 1, a week 7, a month 30; a calendar period: state_period_days). */
struct state_window {
	int64_t deposited, withdrawn, staked, net_loss, session_seconds;
	int64_t rounds, night_rounds, deposits, declined, withdrawals_cancelled;
	int64_t bonus_requests, complaints;
	int64_t slot_rounds, slot_staked, credit_deposits;
	int32_t max_slot_stake; /* the largest single slot stake on any of the days */
	int active_days;  /* days with any rounds */
	int night_days;   /* days with night rounds */
};
void state_window_sum(const struct player_state *st, int32_t today, int ndays, struct state_window *out);

/* A memo of state_window_sum for one state and one `today`, for a caller
 * that asks about many windows of the same state (the engine's rule pass:
 * every rule reads the state after the event, and most sum a day, a week,
 * a month or a calendar period of it). The window of n days is the
 * longest window of fewer days it has summed plus the buckets between, so
 * a new window costs one copy and the buckets it adds, and a window it has
 * summed costs a copy. (It keeps only the windows asked for: a chain of
 * every window from 1 to 30 days cost a copy of each.) The numbers are
 * exactly state_window_sum's (the same integer sums, only in another
 * order). Valid only while the state's day buckets do not
 * change: the caller makes a new one after writing them. Windows longer than
 * ENGINE_DAYS or shorter than a day go to state_window_sum. It keeps the
 * 1- and 24-hour sums at now_ms (state_hours_sum) the same way; `today`
 * must be the local day of now_ms in the zone the limit questions pass. */
struct state_windows {
	const struct player_state *st;
	int32_t today;
	int64_t now_ms;
	bool hours_summed[2];            /* [0] the 1-hour window, [1] the 24-hour one */
	struct state_window hours[2];
	bool indexed;    /* by_age is filled (on the first window asked) */
	uint64_t have;   /* bit n set: w[n] holds the window of n days (w[0], empty, once indexed) */
	bool direct;     /* the buckets break the one-day-one-slot rule: always state_window_sum */
	const struct day_totals *by_age[ENGINE_DAYS]; /* the bucket of day today-i, or NULL */
	struct state_window w[ENGINE_DAYS + 1];
};
void state_windows_init(struct state_windows *m, const struct player_state *st, int32_t today, int64_t now_ms);
void state_windows_sum(struct state_windows *m, int ndays, struct state_window *out);
void state_windows_hours(struct state_windows *m, int nhours, struct state_window *out);
/* The same without the copy: a pointer into the memo (valid while it is),
 * or to *buf filled when the window goes to state_window_sum or
 * state_hours_sum. */
const struct state_window *state_windows_at(struct state_windows *m, int ndays, struct state_window *buf);
const struct state_window *state_windows_hours_at(struct state_windows *m, int nhours, struct state_window *buf);

/* Money over the clock hours (UTC) ending with the one of now_ms: 1 =
 * this hour and the one before it (60 to 120 minutes, the smallest span
 * that always holds the last hour), 24 = this hour and the 23 before it.
 * Only deposited, staked and net_loss are filled. */
void state_hours_sum(const struct player_state *st, int64_t now_ms, int nhours, struct state_window *out);


/* The number of local days of period p that end with local day `today`
 * (days since 1970-01-01): rolling 1, 7 or 30; calendar 1, 1-7 (Monday
 * is 1) or 1-31 (the 1st is 1). */
int state_period_days(int32_t today, enum limit_period p, enum period_rule how);

/* Seconds of play on local day `today`: closed sessions plus the part of
 * open sessions up to now_ms. */
int64_t state_play_seconds_today(const struct player_state *st, const struct tz_rule *tz, int32_t today,
				 int64_t now_ms);

/* The limit in force at now_ms: a lowered limit applies at once; a raised
 * one only after the pack's delay (limit_raise_delay_hours) and, where the
 * pack says limit_raise_after_period, not before the period running at
 * the raise has ended (pol->periods: a rolling period a whole period
 * after it, a calendar one at the next local midnight, Monday or 1st).
 * Until then the previous (lower) value holds. 0 = no limit. */
int64_t state_limit_in_force(const struct player_state *st, const struct policy *pol, enum limit_kind k,
			     enum limit_period p, int64_t now_ms);
/* How much of a limit is used at now_ms: deposits, net loss (0 if
 * winning) or minutes of play over the period's days, the period counted
 * as `how` (the pack's periods[p]). */
int64_t state_limit_used(const struct player_state *st, const struct tz_rule *tz, enum limit_kind k,
			 enum limit_period p, enum period_rule how, int64_t now_ms);
/* The same, at the memo's now_ms, its window sums taken from the memo. */
int64_t state_windows_limit_used(struct state_windows *m, const struct tz_rule *tz, enum limit_kind k,
				 enum limit_period p, enum period_rule how);

/* The player's age in whole years on the UTC date of at_ms, or -1 when
 * unknown. With a birth date it changes on the birthday (29 February
 * birthdays on 1 March in common years); with only a birth year it is the
 * difference of the years. A rule asking about a local calendar day
 * passes that day's number times MS_PER_DAY. */
int state_age_years(const struct player_state *st, int64_t at_ms);

/* Whether a self-exclusion or pause covers the moment ms. */
bool state_excluded_at(const struct player_state *st, int64_t ms);

#endif
