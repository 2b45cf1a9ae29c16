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
#include "rgmon/tz.h"

/* Days kept: the longest rolling window any policy uses is 30 days; two
 * more cover a calendar month seen from its last day plus one. */
#define ENGINE_DAYS 32
#define ENGINE_OPEN_SESSIONS 4
#define ENGINE_DAY_UNUSED INT32_MIN
#define ENGINE_NO_TIME INT64_MIN
#define ENGINE_FOREVER INT64_MAX

/* One local calendar day of a player's activity. Money in minor units. */
struct day_totals {
	int32_t day;              /* local day number, or ENGINE_DAY_UNUSED */
	int32_t session_seconds;  /* play time of closed sessions, split at local midnight */
	int64_t deposited;        /* approved deposits */
	int64_t withdrawn;        /* completed withdrawals */
	int64_t staked;
	int64_t net_loss;         /* stake - payout; negative on a winning day */
	uint32_t rounds;
	uint16_t deposits;        /* approved deposit count */
	uint16_t declined;        /* declined deposit attempts */
	uint16_t withdrawals_cancelled;
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
	int64_t changed_ms;     /* event time of the last limit_set */
};

struct player_state {
	int64_t first_seen_ms, last_seen_ms;
	int64_t excluded_from_ms;  /* ENGINE_NO_TIME when never excluded */
	int64_t excluded_until_ms; /* ENGINE_FOREVER = indefinite */
	uint8_t exclusion_source;  /* enum exclusion_source */
	bool has_birth_year;
	int16_t birth_year;
	char country[3];
	char currency[4];          /* of the first money event */
	struct player_limit limits[LIMIT_KIND_COUNT][PERIOD_COUNT];
	struct open_session sessions[ENGINE_OPEN_SESSIONS];
	struct day_totals days[ENGINE_DAYS];
};

/* What applying an event did, for counters and (later) decisions. */
struct engine_result {
	bool outside_window; /* older than the kept days: stored, not aggregated */
};

/* A fresh state for a player never seen before. */
void engine_state_init(struct player_state *st);

/* Applies one validated event to the player's state. tz gives the
 * jurisdiction's calendar days. Pure. */
void engine_apply(struct player_state *st, const struct event *ev, const struct tz_rule *tz,
		  struct engine_result *res);

/* The bucket for local day `day`, or NULL when that day is not kept. */
const struct day_totals *engine_day(const struct player_state *st, int32_t day);

/* Compact, portable encoding of a state (little-endian, only the days and
 * sessions in use), for the store. engine_state_encode returns the bytes
 * written, or 0 when buf is too small (ENGINE_STATE_MAX always suffices). */
#define ENGINE_STATE_MAX 4096
size_t engine_state_encode(const struct player_state *st, uint8_t *buf, size_t len);
int engine_state_decode(struct player_state *st, const uint8_t *buf, size_t len);

uint64_t engine_hash(const char *s);

#endif
