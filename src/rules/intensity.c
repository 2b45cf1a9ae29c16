/* intensity.c -- markers about how much and when: heavy play from the first
 * day (no baseline needed), long sessions and long days, night play, and a
 * rising trend against the player's own baseline. */
#include "rules/rule_ctx.h"

#include <stdio.h>

/* ---- intensity.day_one / intensity.first_30_days -------------------- */

enum { EARLY_DEPOSITS, EARLY_NET_LOSS };

/* Deposits and net loss since the player's first local day, while the
 * player is younger than `days`. */
static bool early(const struct rule_ctx *c, int64_t days, int64_t v[RULE_VALUES])
{
	int64_t dep_t = rule_money(c, EARLY_DEPOSITS), loss_t = rule_money(c, EARLY_NET_LOSS);
	int64_t age_ms = c->now_ms - c->st->first_seen_ms;
	if (c->cur < 0 || age_ms >= days * MS_PER_DAY)
		return false;
	struct state_window buf;
	int32_t first_day = rule_first_day(c);
	const struct state_window *w = rule_window(c, c->today - first_day + 1, &buf);
	/* A threshold of 0 leaves that measure out. */
	if ((dep_t <= 0 || w->deposited < dep_t) && (loss_t <= 0 || w->net_loss < loss_t))
		return false;
	v[0] = w->deposited;
	v[1] = w->net_loss;
	v[2] = age_ms / MS_PER_HOUR;
	return true;
}

static void early_detail(const char *when, const int64_t v[RULE_VALUES], const struct policy_rule *r,
			 const char *currency, char *buf, size_t len)
{
	char d[48], l[48];
	rule_fmt_money(d, sizeof(d), v[0], currency);
	rule_fmt_money(l, sizeof(l), v[1] > 0 ? v[1] : 0, currency);
	snprintf(buf, len, "%s: deposited %s and lost %s within %lld h of the first event", when, d, l,
		 (long long)v[2]);
}

static void early_agent(const char *when, const int64_t v[RULE_VALUES], char *buf, size_t len)
{
	snprintf(buf, len, "%s: large deposits or losses within %lld h of the first event", when, (long long)v[2]);
}

static void day_one_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			  char *buf, size_t len)
{
	early_agent("heavy play on day one", v, buf, len);
}

static void first_30_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			   char *buf, size_t len)
{
	early_agent("heavy play in the first 30 days", v, buf, len);
}

static bool day_one(const struct rule_ctx *c, int64_t v[RULE_VALUES]) { return early(c, 1, v); }
static bool first_30_days(const struct rule_ctx *c, int64_t v[RULE_VALUES]) { return early(c, 30, v); }

static void day_one_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			   char *buf, size_t len)
{
	early_detail("heavy play on day one", v, r, currency, buf, len);
}

static void first_30_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			    char *buf, size_t len)
{
	early_detail("heavy play in the first 30 days", v, r, currency, buf, len);
}

const struct rule_def rule_intensity_day_one = {
	.id = "intensity.day_one",
	.summary = "within 24 h of the first event: deposits reach `deposits` or net loss reaches `net_loss`",
	.triggers = TRIGGER(EVENT_DEPOSIT) | TRIGGER(EVENT_GAME_ROUND),
	.params = { { "deposits", PARAM_MONEY, 0, 0, "minor units" }, { "net_loss", PARAM_MONEY, 0, 0, "minor units" } },
	.eval = day_one,
	.detail = day_one_detail,
	.agent_detail = day_one_agent,
};

const struct rule_def rule_intensity_first_30_days = {
	.id = "intensity.first_30_days",
	.summary = "within 30 days of the first event: deposits reach `deposits` or net loss reaches `net_loss`",
	.triggers = TRIGGER(EVENT_DEPOSIT) | TRIGGER(EVENT_GAME_ROUND),
	.params = { { "deposits", PARAM_MONEY, 0, 0, "minor units" }, { "net_loss", PARAM_MONEY, 0, 0, "minor units" } },
	.eval = first_30_days,
	.detail = first_30_detail,
	.agent_detail = first_30_agent,
};

/* ---- intensity.long_session ------------------------------------------ */

enum { LONG_HOURS };

static bool long_session(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t longest = c->step->session_minutes;
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		if (c->st->sessions[i].id_hash && c->now_ms > c->st->sessions[i].start_ms) {
			int64_t m = (c->now_ms - c->st->sessions[i].start_ms) / MS_PER_MIN;
			if (m > longest)
				longest = m;
		}
	if (longest < c->rule->param[LONG_HOURS] * 60)
		return false;
	v[0] = longest;
	return true;
}

static void long_session_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
				char *buf, size_t len)
{
	snprintf(buf, len, "a session of %lld h %02lld min (threshold %lld h)", (long long)(v[0] / 60),
		 (long long)(v[0] % 60), (long long)r->param[LONG_HOURS]);
}

const struct rule_def rule_intensity_long_session = {
	.id = "intensity.long_session",
	.summary = "one session lasts `hours` or longer",
	.triggers = TRIGGER(EVENT_GAME_ROUND) | TRIGGER(EVENT_SESSION_END) | TRIGGER(EVENT_DEPOSIT),
	.params = { { "hours", PARAM_INT, 1, 48, "hours" } },
	.eval = long_session,
	.detail = long_session_detail,
	.agent_detail = long_session_detail, /* time only */
};

/* ---- intensity.daily_play_time --------------------------------------- */

enum { DAILY_HOURS, DAILY_STRONG_DAYS };

/* Play time of local day `day`: closed sessions, and on today the open
 * ones so far. */
static int64_t play_seconds(const struct rule_ctx *c, int32_t day)
{
	if (day == c->today)
		return state_play_seconds_today(c->st, &c->pol->tz, c->today, c->now_ms);
	const struct day_totals *b = state_day(c->st, day);
	return b ? b->session_seconds : 0;
}

static bool daily_play_time(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t limit = c->rule->param[DAILY_HOURS] * 3600;
	int64_t secs = play_seconds(c, c->today);
	/* A session that ends just after midnight closes the day before too. */
	const struct day_totals *yesterday = state_day(c->st, c->today - 1);
	if (c->ev->type == EVENT_SESSION_END && yesterday && yesterday->session_seconds > secs)
		secs = yesterday->session_seconds;
	if (secs <= limit) /* "more than N hours" */
		return false;
	/* Persistence: on how many of the last 7 local days it held. */
	int64_t days = 0;
	for (int32_t d = c->today - 6; d <= c->today; d++)
		days += play_seconds(c, d) > limit;
	v[0] = secs / 60;
	v[1] = days > 0 ? days : 1;
	return true;
}

/* One long day is worth the weight; each further one in the week half of
 * it more; strong_days of them (0 = off) are strong by themselves. */
static int daily_play_time_points(const struct rule_ctx *c, const int64_t v[RULE_VALUES])
{
	int64_t strong_days = c->rule->param[DAILY_STRONG_DAYS];
	if (strong_days > 0 && v[1] >= strong_days)
		return RULE_POINTS_STRONG;
	int64_t pts = c->rule->weight + c->rule->weight * (v[1] - 1) / 2;
	return pts > 100 ? 100 : (int)pts;
}

static void daily_play_time_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				   const char *currency, char *buf, size_t len)
{
	if (v[1] > 1)
		snprintf(buf, len, "%lld h %02lld min of play in one day; more than %lld h on %lld of the last 7 days",
			 (long long)(v[0] / 60), (long long)(v[0] % 60), (long long)r->param[DAILY_HOURS],
			 (long long)v[1]);
	else
		snprintf(buf, len, "%lld h %02lld min of play in one day (threshold: more than %lld h)",
			 (long long)(v[0] / 60), (long long)(v[0] % 60), (long long)r->param[DAILY_HOURS]);
}

const struct rule_def rule_intensity_daily_play_time = {
	.id = "intensity.daily_play_time",
	.summary = "more than `hours` of play on one local day (closed sessions plus open ones so far); each further such day of the last 7 adds half the weight, `strong_days` of them are strong",
	.triggers = TRIGGER(EVENT_GAME_ROUND) | TRIGGER(EVENT_SESSION_END),
	.params = { { "hours", PARAM_INT, 1, 24, "hours" }, { "strong_days", PARAM_INT, 0, 7, "days", true } },
	.eval = daily_play_time,
	.detail = daily_play_time_detail,
	.agent_detail = daily_play_time_detail, /* time only */
	.points = daily_play_time_points,
};

/* ---- intensity.night_play -------------------------------------------- */

enum { NIGHT_NIGHTS, NIGHT_WINDOW_DAYS, NIGHT_MIN_ROUNDS };

static bool night_play(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t nights = 0, rounds = 0, window = c->rule->param[NIGHT_WINDOW_DAYS];
	/* No more nights can count than the nights with any round at all
	 * (min_rounds is at least 1), which the pass's window sums already
	 * know: most rounds stop here without looking at the days. */
	struct state_window buf;
	const struct state_window *w = rule_window(c, (int)window, &buf);
	if (c->rule->param[NIGHT_MIN_ROUNDS] >= 1 && w->night_days < c->rule->param[NIGHT_NIGHTS])
		return false;
	for (int i = 0; i < ENGINE_DAYS; i++) {
		const struct day_totals *b = &c->st->days[i];
		if (b->day == ENGINE_DAY_UNUSED || b->day > c->today || b->day <= c->today - window)
			continue;
		if (b->night_rounds >= c->rule->param[NIGHT_MIN_ROUNDS]) {
			nights++;
			rounds += b->night_rounds;
		}
	}
	if (nights < c->rule->param[NIGHT_NIGHTS])
		return false;
	v[0] = nights;
	v[1] = rounds;
	return true;
}

static void night_play_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			      char *buf, size_t len)
{
	snprintf(buf, len, "played between 00:00 and 06:00 on %lld of the last %lld nights (%lld rounds)",
		 (long long)v[0], (long long)r->param[NIGHT_WINDOW_DAYS], (long long)v[1]);
}

const struct rule_def rule_intensity_night_play = {
	.id = "intensity.night_play",
	.summary = "`nights` or more nights within window_days with at least min_rounds rounds between 00:00 and 06:00 local",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "nights", PARAM_INT, 1, ROLLING_MONTH_DAYS, "nights" },
		    { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days" },
		    { "min_rounds", PARAM_INT, 1, 10000, "rounds a night" } },
	.eval = night_play,
	.detail = night_play_detail,
	.agent_detail = night_play_detail, /* counts only */
};

/* ---- intensity.rising_trend ------------------------------------------ */

enum { TREND_FACTOR_PCT, TREND_MIN_BASELINE_DAYS, TREND_MIN_STAKED };

#define TREND_RECENT_DAYS 7
#define TREND_BASELINE_DAYS (ROLLING_MONTH_DAYS - TREND_RECENT_DAYS)

static bool rising_trend(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t min_staked = rule_money(c, TREND_MIN_STAKED);
	struct state_window recent_buf, all_buf;
	if (min_staked < 0)
		return false;
	const struct state_window *recent = rule_window(c, TREND_RECENT_DAYS, &recent_buf);
	const struct state_window *all = rule_window(c, ROLLING_MONTH_DAYS, &all_buf);
	int64_t base_staked = all->staked - recent->staked;
	int base_days = all->active_days - recent->active_days;
	if (base_days < c->rule->param[TREND_MIN_BASELINE_DAYS] || recent->staked < min_staked || base_staked <= 0)
		return false;
	/* Stake per day: the last 7 days against the 23 before them. */
	int64_t recent_daily = recent->staked / TREND_RECENT_DAYS, base_daily = base_staked / TREND_BASELINE_DAYS;
	if (base_daily <= 0 || recent_daily * 100 < base_daily * c->rule->param[TREND_FACTOR_PCT])
		return false;
	v[0] = recent_daily;
	v[1] = base_daily;
	v[2] = recent_daily * 100 / base_daily;
	return true;
}

static void rising_trend_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
				char *buf, size_t len)
{
	char a[48], b[48];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	rule_fmt_money(b, sizeof(b), v[1], currency);
	snprintf(buf, len, "staking %s a day over the last 7 days, %lld%% of the player's own baseline of %s a day",
		 a, (long long)v[2], b);
}

static void rising_trend_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			       char *buf, size_t len)
{
	snprintf(buf, len, "staking per day over the last 7 days is %lld%% of the player's own baseline", (long long)v[2]);
}

const struct rule_def rule_intensity_rising_trend = {
	.id = "intensity.rising_trend",
	.summary = "stake per day over the last 7 days is factor_pct% or more of the 23 days before (with min_baseline_days of play and min_staked this week)",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "factor_pct", PARAM_INT, 101, 100000, "% of the baseline" },
		    { "min_baseline_days", PARAM_INT, 1, TREND_BASELINE_DAYS, "days with play" },
		    { "min_staked", PARAM_MONEY, 0, 0, "minor units in the last 7 days" } },
	.eval = rising_trend,
	.detail = rising_trend_detail,
	.agent_detail = rising_trend_agent,
};
