/* engine.h -- per-player state and the pure step that applies one event.
 *
 * The engine owns the meaning of events: how a deposit, a round or a session
 * changes a player's aggregates. It never does I/O, never reads a clock and
 * keeps no globals: the same events in the same order give the same state,
 * which is what makes `rgmon replay` reproduce production bit for bit.
 *
 * State is fixed-size (no allocation on the hot path): calendar-day buckets
 * in the jurisdiction's time zone for the longest window, the open sessions,
 * the player's own limits and any exclusion. */
#ifndef RGMON_ENGINE_H
#define RGMON_ENGINE_H

#include "rgmon/common.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/tz.h"

/* Days kept: the longest rolling window any rule uses is 30 local days
 * (today and the 29 before). */
#define ENGINE_DAYS 30
#define ENGINE_OPEN_SESSIONS 4
#define ENGINE_RECENT_DEPOSITS 6
#define ENGINE_INSTRUMENTS 6
#define ENGINE_DECLINES 8
#define ENGINE_MARKERS 8
#define ENGINE_DAY_UNUSED INT32_MIN
#define ENGINE_NO_TIME INT64_MIN
#define ENGINE_FOREVER INT64_MAX
/* A marker that has not held for this long counts as new when it holds
 * again: it is fresh evidence, and may open a new alert. */
#define ENGINE_MARKER_REFIRE_MS (24 * 3600 * 1000LL)

/* One local calendar day of a player's activity. Money in minor units;
 * day sums saturate at +-ENGINE_SUM_MAX (21 million in a two-decimal
 * currency), far past every threshold, so a bucket stays small. Marker
 * values saturate there too. A value at that bound is a lower bound, and
 * output says so ("at least"). */
#define ENGINE_SUM_MAX INT32_MAX
struct day_totals {
	int32_t day;              /* local day number, or ENGINE_DAY_UNUSED */
	int32_t session_seconds;  /* play time of closed sessions, split at local midnight */
	int32_t deposited;        /* approved deposits */
	int32_t withdrawn;        /* completed withdrawals */
	int32_t staked;
	int32_t net_loss;         /* stake - payout; negative on a winning day */
	uint16_t rounds;
	uint16_t night_rounds;    /* rounds between 00:00 and 06:00 local */
	uint16_t deposits;        /* approved deposit count */
	uint16_t declined;        /* declined deposit attempts */
	uint8_t withdrawals_cancelled;
	uint8_t bonus_requests;   /* contact: bonus_request */
	uint8_t complaints;       /* contact: withdrawal_delay or complaint */
};

struct open_session {
	uint64_t id_hash; /* 0 = free slot */
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
 * from that time. */
struct marker {
	uint32_t at_min; /* minutes since the epoch */
	int32_t v[RULE_VALUES];
	uint8_t rule;    /* enum rule_id; RULE_COUNT = free slot */
};

struct player_state {
	int64_t first_seen_ms, last_seen_ms;
	int64_t excluded_from_ms;  /* ENGINE_NO_TIME when never excluded */
	int64_t excluded_until_ms; /* ENGINE_FOREVER = indefinite */
	/* loss-chasing trackers (event time) */
	int64_t last_loss_ms;       /* last losing round, or ENGINE_NO_TIME */
	int64_t loss_since_deposit; /* net loss since the last approved deposit */
	int64_t balance;            /* estimated: money in minus money out, never below 0 */
	int64_t stake_avg;          /* moving average stake (1/8 weight per round) */
	uint16_t losing_streak;     /* consecutive losing rounds */
	uint8_t exclusion_source;   /* enum exclusion_source */
	uint8_t level;              /* enum risk_level after the last event */
	uint8_t score;              /* 0-100 after the last event */
	bool has_birth_year;
	int16_t birth_year;
	char country[3];
	char currency[4];           /* of the first money event */
	uint32_t limit_changed_min[LIMIT_KIND_COUNT][PERIOD_COUNT]; /* minutes since the epoch */
	struct player_limit limits[LIMIT_KIND_COUNT][PERIOD_COUNT];
	struct open_session sessions[ENGINE_OPEN_SESSIONS];
	struct recent_deposit deposits[ENGINE_RECENT_DEPOSITS]; /* ring, oldest overwritten */
	struct instrument_seen instruments[ENGINE_INSTRUMENTS];
	uint32_t declined_min[ENGINE_DECLINES]; /* ring of declined attempts, minutes since the epoch */
	struct marker markers[ENGINE_MARKERS];
	/* When each rule last held (minutes since the epoch, 0 never): a rule
	 * is new evidence only after ENGINE_MARKER_REFIRE_MS without holding,
	 * even when its marker slot went to stronger markers meanwhile. */
	uint32_t rule_held_min[RULE_COUNT];
	struct day_totals days[ENGINE_DAYS];
};

/* What the event just did, for the rules that look at the moment itself
 * (not kept in the state). */
struct engine_step {
	int64_t loss_before;        /* deposit: net loss since the previous deposit */
	int64_t balance_before;     /* deposit: estimated balance just before it */
	int64_t minutes_after_loss; /* deposit: since the last losing round, -1 none */
	int64_t stake_avg_before;   /* round: average stake before it */
	int losing_streak_before;   /* round: losing rounds right before it */
	int64_t last_loss_before_ms;/* round: the losing round before it, or ENGINE_NO_TIME */
	int64_t limit_before;       /* limit_set: the value it replaced (0 none) */
	int64_t limit_changed_before_ms; /* limit_set: when that value was set, or ENGINE_NO_TIME */
	int64_t session_minutes;    /* session_end: length of the session it closed, -1 none */
	bool excluded;              /* the player was excluded at the event's time */
};

/* What applying an event decided. */
struct engine_result {
	bool outside_window;        /* older than the kept days: stored, not aggregated */
	uint8_t level_before, level;/* enum risk_level */
	uint8_t score;
	int nnew;                   /* markers that started to hold with this event */
	uint8_t new_rules[RULE_COUNT];
	bool raise;                 /* open or escalate an alert */
	uint8_t raise_rule;         /* the rule that raised it (strong, or the top marker) */
};

/* A fresh state for a player never seen before. */
void engine_state_init(struct player_state *st);

/* Applies one validated event to the player's state and evaluates the
 * policy's rules: aggregates in the policy's local calendar days, markers,
 * score, level and whether to raise an alert. Pure. */
void engine_apply(struct player_state *st, const struct event *ev, const struct policy *pol,
		  struct engine_result *res);

/* The bucket for local day `day`, or NULL when that day is not kept. */
const struct day_totals *engine_day(const struct player_state *st, int32_t day);

/* Sums over the `ndays` local days ending with `today` (rolling windows:
 * a day is 1, a week 7, a month 30). */
struct engine_window {
	int64_t deposited, withdrawn, staked, net_loss, session_seconds;
	int64_t rounds, night_rounds, deposits, declined, withdrawals_cancelled;
	int64_t bonus_requests, complaints;
	int active_days;  /* days with any rounds */
	int night_days;   /* days with night rounds */
};
void engine_window_sum(const struct player_state *st, int32_t today, int ndays, struct engine_window *out);

/* Days in a limit period. */
int engine_period_days(enum limit_period p);

/* Seconds of play on local day `today`: closed sessions plus the part of
 * open sessions up to now_ms. */
int64_t engine_play_seconds_today(const struct player_state *st, const struct tz_rule *tz, int32_t today,
				  int64_t now_ms);

/* The limit in force at now_ms: a raise applies only after the policy's
 * delay, until then the previous (lower) value holds. 0 = no limit. */
int64_t engine_limit_in_force(const struct player_state *st, enum limit_kind k, enum limit_period p,
			      int64_t now_ms, int32_t raise_delay_minutes);
/* How much of a limit is used at now_ms: deposits, net loss (0 if
 * winning) or minutes of play over the period's days. */
int64_t engine_limit_used(const struct player_state *st, const struct tz_rule *tz, enum limit_kind k,
			  enum limit_period p, int64_t now_ms);

/* A marker's points at now_ms, in thousandths: its rule's weight, halving
 * every half-life since it last held. Integer arithmetic, so replays agree
 * bit for bit on every platform. */
int64_t engine_marker_points(const struct marker *m, const struct policy *pol, int64_t now_ms);
/* The score (0-100) at now_ms: the sum of marker points, capped. */
int engine_score_at(const struct player_state *st, const struct policy *pol, int64_t now_ms);

/* Compact, portable encoding of a state (little-endian, only the days and
 * sessions in use), for the store. engine_state_encode returns the bytes
 * written, or 0 when buf is too small (ENGINE_STATE_MAX always suffices). */
#define ENGINE_STATE_MAX 4096
size_t engine_state_encode(const struct player_state *st, uint8_t *buf, size_t len);
int engine_state_decode(struct player_state *st, const uint8_t *buf, size_t len);

uint64_t engine_hash(const char *s);

#endif
