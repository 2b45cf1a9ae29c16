/* portfolio.h -- the whole book at a glance (issue 16, the portfolio
 * view): the writer's daily snapshot of players by level and
 * jurisdiction, and the mapping of an account country to the
 * jurisdiction of the pack that scores it.
 *
 * The snapshot is keyed on the stream's time, never the clock: when the
 * first accepted event of a new UTC day arrives, the day(s) the stream
 * leaves are recorded with the players as they stood before that event,
 * so a replay of the same events writes the same rows. */
#ifndef RGMON_PORTFOLIO_H
#define RGMON_PORTFOLIO_H

#include "rgmon/common.h"
#include "rgmon/policy_set.h"

struct store;

#define PORTFOLIO_DAYS 90 /* the per-day series the report shows */
#define PORTFOLIO_MS_PER_DAY 86400000LL

/* The UTC day (days since 1970-01-01) of a time in ms. */
int32_t portfolio_day_of(int64_t ms);

/* The jurisdiction of the pack that scores a player of this account
 * country ("" unknown): from policies when not NULL, else policy's. ""
 * when the pack names none. */
const char *portfolio_jurisdiction(const struct policy_set *policies, const struct policy *policy,
				   const char *country);

/* Records the days from_day..to_day (at most PORTFOLIO_DAYS of them, the
 * latest) with the players table as it now stands: counts per
 * jurisdiction and level, and per-player scores for the days within
 * STORE_PORTFOLIO_SCORE_DAYS of to_day. Inside the writer's transaction.
 * 0, or -1 with err. */
int portfolio_snapshot(struct store *st, const struct policy_set *policies, const struct policy *policy,
		       int32_t from_day, int32_t to_day, char *err, size_t errlen);

#endif
