/* money.c -- markers about money: net loss over rolling windows, many
 * payment instruments, bursts of declined deposits, and absolute amounts
 * deposited, lost and staked in tiers up to strong. */
#include "rules/rule_ctx.h"

#include <stdio.h>

/* ---- money.net_loss -------------------------------------------------- */

enum { LOSS_DAY, LOSS_WEEK, LOSS_MONTH };

/* The day, week and month are the pack's periods: a week or month is 7 or
 * 30 days, or the calendar one so far. v = days, net loss, threshold, and
 * the calendar period (enum limit_period + 1; 0 = rolling days). */
static bool net_loss(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	static const enum limit_period periods[] = { PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH };
	/* The window furthest over its threshold explains best. */
	int64_t best = -1;
	for (int i = 0; i < 3; i++) {
		int64_t threshold = rule_money(c, i);
		struct state_window buf;
		if (threshold <= 0)
			continue;
		int days = rule_period_days(c, periods[i]);
		const struct state_window *w = rule_window(c, days, &buf);
		if (w->net_loss >= threshold && w->net_loss * 1000 / threshold > best) {
			best = w->net_loss * 1000 / threshold;
			v[0] = days;
			v[1] = w->net_loss;
			v[2] = threshold;
			v[3] = periods[i] != PERIOD_DAY && c->pol->periods[periods[i]] == PERIOD_CALENDAR ? periods[i] + 1 : 0;
		}
	}
	return best >= 0;
}

static void net_loss_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			    char *buf, size_t len)
{
	char a[48], t[48];
	rule_fmt_money(a, sizeof(a), v[1], currency);
	rule_fmt_money(t, sizeof(t), v[2], currency);
	if (v[3])
		snprintf(buf, len, "net loss of %s this calendar %s (threshold %s)", a,
			 v[3] - 1 == PERIOD_WEEK ? "week" : "month", t);
	else if (v[0] == 1)
		snprintf(buf, len, "net loss of %s today (threshold %s)", a, t);
	else
		snprintf(buf, len, "net loss of %s in %lld days (threshold %s)", a, (long long)v[0], t);
}

static void net_loss_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			   char *buf, size_t len)
{
	if (v[3])
		snprintf(buf, len, "large net loss this calendar %s (over the policy's threshold)",
			 v[3] - 1 == PERIOD_WEEK ? "week" : "month");
	else if (v[0] == 1)
		snprintf(buf, len, "large net loss today (over the policy's threshold)");
	else
		snprintf(buf, len, "large net loss in %lld days (over the policy's threshold)", (long long)v[0]);
}

const struct rule_def rule_money_net_loss = {
	.id = "money.net_loss",
	.summary = "net loss (stakes minus payouts) reaches a threshold today, this week or this month (the pack's periods: 7 and 30 days, or calendar; 0 = window not used)",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "day", PARAM_MONEY, 0, 0, "minor units" },
		    { "week", PARAM_MONEY, 0, 0, "minor units" },
		    { "month", PARAM_MONEY, 0, 0, "minor units" } },
	.eval = net_loss,
	.detail = net_loss_detail,
	.agent_detail = net_loss_agent,
};

/* ---- money.instruments ----------------------------------------------- */

enum { INST_COUNT, INST_WINDOW_DAYS };

static bool instruments(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t n = 0;
	if (!c->ev->instrument[0])
		return false;
	for (int i = 0; i < ENGINE_INSTRUMENTS; i++)
		if (c->st->instruments[i].hash && c->st->instruments[i].day > c->today - c->rule->param[INST_WINDOW_DAYS])
			n++;
	if (n < c->rule->param[INST_COUNT])
		return false;
	v[0] = n;
	return true;
}

static void instruments_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			       char *buf, size_t len)
{
	snprintf(buf, len, "%lld different payment instruments used in %lld days", (long long)v[0],
		 (long long)r->param[INST_WINDOW_DAYS]);
}

const struct rule_def rule_money_instruments = {
	.id = "money.instruments",
	.summary = "count or more distinct payment instruments (cards, accounts) in window_days",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "count", PARAM_INT, 2, ENGINE_INSTRUMENTS, "instruments" },
		    { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days" } },
	.eval = instruments,
	.detail = instruments_detail,
	.agent_detail = instruments_detail, /* counts only */
};

/* ---- money.declined_burst -------------------------------------------- */

enum { BURST_COUNT, BURST_WINDOW_MINUTES, BURST_STRONG_COUNT };

static bool declined_burst(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (c->ev->deposit_status != DEPOSIT_DECLINED)
		return false;
	int64_t now_min = c->now_ms / MS_PER_MIN, n = 0;
	for (int i = 0; i < ENGINE_DECLINES; i++) {
		int64_t m = c->st->declined_min[i];
		if (m && m <= now_min && m > now_min - c->rule->param[BURST_WINDOW_MINUTES])
			n++;
	}
	if (n < c->rule->param[BURST_COUNT])
		return false;
	/* Persistence: the days of the last 7 with declined attempts. */
	int64_t days = 0;
	for (int32_t d = c->today - 6; d <= c->today; d++) {
		const struct day_totals *b = state_day(c->st, d);
		days += b && b->declined > 0;
	}
	v[0] = n;
	v[1] = days > 0 ? days : 1;
	return true;
}

/* The weight for `count` attempts, more in proportion for more; half the
 * weight more for each further day of the week with declines; a burst of
 * strong_count (0 = off) is strong by itself. */
static int declined_burst_points(const struct rule_ctx *c, const int64_t v[RULE_VALUES])
{
	int64_t strong = c->rule->param[BURST_STRONG_COUNT], w = c->rule->weight;
	if (strong > 0 && v[0] >= strong)
		return RULE_POINTS_STRONG;
	int64_t pts = w * v[0] / c->rule->param[BURST_COUNT] + w * (v[1] - 1) / 2;
	return pts > 100 ? 100 : (int)pts;
}

static void declined_burst_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				  const char *currency, char *buf, size_t len)
{
	if (v[1] > 1)
		snprintf(buf, len, "%lld declined deposit attempts within %lld min; declines on %lld of the last 7 days",
			 (long long)v[0], (long long)r->param[BURST_WINDOW_MINUTES], (long long)v[1]);
	else
		snprintf(buf, len, "%lld declined deposit attempts within %lld min", (long long)v[0],
			 (long long)r->param[BURST_WINDOW_MINUTES]);
}

const struct rule_def rule_money_declined_burst = {
	.id = "money.declined_burst",
	.summary = "count or more declined deposit attempts within window_minutes; more attempts and more days with declines score more, strong_count attempts are strong",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "count", PARAM_INT, 2, ENGINE_DECLINES, "attempts" },
		    { "window_minutes", PARAM_INT, 1, 1440, "minutes" },
		    { "strong_count", PARAM_INT, 0, ENGINE_DECLINES, "attempts", true } },
	.eval = declined_burst,
	.detail = declined_burst_detail,
	.agent_detail = declined_burst_detail, /* counts only */
	.points = declined_burst_points,
};

/* ---- money.deposited / money.lost / money.staked / money.new_account --
 *
 * Absolute amounts per currency, in tiers: the amber tier is worth the
 * pack's amber cut-off, the red tier its red cut-off, and the strong tier
 * raises red and an alert at once. The highest tier reached in any window
 * counts; among windows at that tier, the one furthest over it explains.
 * v: [0] window in hours (+ 1000 for net loss, new accounts), [1] the
 * amount, [2] the tier's threshold, [3] the tier (enum rule_tier). */

enum { WIN_1H, WIN_24H, WIN_7D, WIN_30D, WIN_COUNT };
enum money_measure { MEASURE_DEPOSITED, MEASURE_LOST, MEASURE_STAKED };

static const int win_hours[WIN_COUNT] = { 1, 24, 7 * 24, 30 * 24 };

static int64_t measure_of(const struct state_window *w, enum money_measure m)
{
	return m == MEASURE_DEPOSITED ? w->deposited : m == MEASURE_LOST ? w->net_loss : w->staked;
}

/* Keeps in v the tier `amount` reaches on tier parameter `param`, when it
 * beats what v holds. */
static void tier_check(const struct rule_ctx *c, int param, int64_t amount, int64_t label, int64_t v[RULE_VALUES])
{
	if (c->cur < 0)
		return;
	for (int t = TIER_STRONG; t >= TIER_AMBER; t--) {
		int64_t threshold = c->rule->tiers[param][t][c->cur];
		if (threshold <= 0 || amount < threshold)
			continue;
		if (t > v[3] || (t == v[3] && amount * 1000 / threshold > v[1] * 1000 / (v[2] ? v[2] : 1))) {
			v[0] = label;
			v[1] = amount;
			v[2] = threshold;
			v[3] = t;
		}
		return;
	}
}

static bool money_tiers(const struct rule_ctx *c, enum money_measure m, int64_t v[RULE_VALUES])
{
	struct state_window buf;
	v[3] = TIER_NONE;
	for (int i = 0; i < WIN_COUNT; i++) {
		const struct state_window *w =
			i <= WIN_24H ? rule_hours(c, win_hours[i], &buf) : rule_window(c, win_hours[i] / 24, &buf);
		tier_check(c, i, measure_of(w, m), win_hours[i], v);
	}
	return v[3] != TIER_NONE;
}

static bool deposited(const struct rule_ctx *c, int64_t v[RULE_VALUES]) { return money_tiers(c, MEASURE_DEPOSITED, v); }
static bool lost(const struct rule_ctx *c, int64_t v[RULE_VALUES]) { return money_tiers(c, MEASURE_LOST, v); }
static bool staked(const struct rule_ctx *c, int64_t v[RULE_VALUES]) { return money_tiers(c, MEASURE_STAKED, v); }

enum { NEW_DEPOSITS_24H, NEW_NET_LOSS_24H, NEW_DEPOSITS_7D, NEW_NET_LOSS_7D };

/* Deposits and net loss since the account's first event, while it is
 * younger than 24 h, then 7 days. */
static bool new_account(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t age_ms = c->now_ms - c->st->first_seen_ms;
	v[3] = TIER_NONE;
	if (c->st->first_seen_ms == ENGINE_NO_TIME || age_ms >= 7 * MS_PER_DAY)
		return false;
	struct state_window buf;
	int32_t first_day = rule_first_day(c);
	const struct state_window *w = rule_window(c, c->today - first_day + 1, &buf);
	if (age_ms < MS_PER_DAY) {
		tier_check(c, NEW_DEPOSITS_24H, w->deposited, 24, v);
		tier_check(c, NEW_NET_LOSS_24H, w->net_loss, 1000 + 24, v);
	}
	tier_check(c, NEW_DEPOSITS_7D, w->deposited, 7 * 24, v);
	tier_check(c, NEW_NET_LOSS_7D, w->net_loss, 1000 + 7 * 24, v);
	return v[3] != TIER_NONE;
}

static int tier_points(const struct rule_ctx *c, const int64_t v[RULE_VALUES])
{
	switch (v[3]) {
	case TIER_STRONG:
		return RULE_POINTS_STRONG;
	case TIER_RED:
		return c->pol->cutoff[LEVEL_RED];
	default:
		return c->pol->cutoff[LEVEL_AMBER];
	}
}

static const char *const tier_names[TIER_COUNT] = { "", "amber", "red", "strong" };

static void window_text(char *buf, size_t len, int64_t hours)
{
	if (hours < 24)
		snprintf(buf, len, "%lld h", (long long)hours);
	else
		snprintf(buf, len, "%lld days", (long long)(hours / 24));
}

static void tiers_detail(const char *what, const int64_t v[RULE_VALUES], const char *currency, char *buf,
			 size_t len)
{
	char a[48], t[48], win[24];
	rule_fmt_money(a, sizeof(a), v[1], currency);
	rule_fmt_money(t, sizeof(t), v[2], currency);
	window_text(win, sizeof(win), v[0] % 1000);
	snprintf(buf, len, "%s %s in %s (%s tier from %s)", what, a, v[0] == 1 ? "the last hour" : win,
		 v[3] > TIER_NONE && v[3] < TIER_COUNT ? tier_names[v[3]] : "?", t);
}

static void deposited_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			     char *buf, size_t len)
{
	tiers_detail("deposited", v, currency, buf, len);
}

static void lost_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			char *buf, size_t len)
{
	tiers_detail("net loss of", v, currency, buf, len);
}

static void staked_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			  char *buf, size_t len)
{
	tiers_detail("staked", v, currency, buf, len);
}

static void new_account_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			       char *buf, size_t len)
{
	char inner[RULE_DETAIL_MAX];
	tiers_detail(v[0] >= 1000 ? "net loss of" : "deposited", v, currency, inner, sizeof(inner));
	snprintf(buf, len, "new account: %s", inner);
}

/* For agents: the measure, its window and the tier, without amounts. */
static void tiers_agent(const char *what, const int64_t v[RULE_VALUES], char *buf, size_t len)
{
	char win[24];
	window_text(win, sizeof(win), v[0] % 1000);
	snprintf(buf, len, "%s in %s (%s tier)", what, v[0] == 1 ? "the last hour" : win,
		 v[3] > TIER_NONE && v[3] < TIER_COUNT ? tier_names[v[3]] : "?");
}

static void deposited_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			    char *buf, size_t len)
{
	tiers_agent("large deposits", v, buf, len);
}

static void lost_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
		       char *buf, size_t len)
{
	tiers_agent("large net loss", v, buf, len);
}

static void staked_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			 char *buf, size_t len)
{
	tiers_agent("large stakes", v, buf, len);
}

static void new_account_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			      char *buf, size_t len)
{
	char inner[RULE_DETAIL_MAX];
	tiers_agent(v[0] >= 1000 ? "large net loss" : "large deposits", v, inner, sizeof(inner));
	snprintf(buf, len, "new account: %s", inner);
}

#define WINDOW_TIERS                                                                    \
	{ { "1h", PARAM_TIERS, 0, 0, "minor units", true },                             \
	  { "24h", PARAM_TIERS, 0, 0, "minor units", true },                            \
	  { "7d", PARAM_TIERS, 0, 0, "minor units", true },                             \
	  { "30d", PARAM_TIERS, 0, 0, "minor units", true } }

const struct rule_def rule_money_deposited = {
	.id = "money.deposited",
	.summary = "approved deposits over 1 h, 24 h, 7 days or 30 days reach the amber, red or strong tier",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = WINDOW_TIERS,
	.eval = deposited,
	.detail = deposited_detail,
	.agent_detail = deposited_agent,
	.points = tier_points,
	.money_tier = true,
};

const struct rule_def rule_money_lost = {
	.id = "money.lost",
	.summary = "net loss over 1 h, 24 h, 7 days or 30 days reaches the amber, red or strong tier",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = WINDOW_TIERS,
	.eval = lost,
	.detail = lost_detail,
	.agent_detail = lost_agent,
	.points = tier_points,
	.money_tier = true,
};

const struct rule_def rule_money_staked = {
	.id = "money.staked",
	.summary = "turnover (stakes, win or lose) over 1 h, 24 h, 7 days or 30 days reaches the amber, red or strong tier",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = WINDOW_TIERS,
	.eval = staked,
	.detail = staked_detail,
	.agent_detail = staked_agent,
	.points = tier_points,
	.money_tier = true,
};

const struct rule_def rule_money_new_account = {
	.id = "money.new_account",
	.summary = "in an account's first 24 h or 7 days: deposits or net loss reach the amber, red or strong tier",
	.triggers = TRIGGER(EVENT_DEPOSIT) | TRIGGER(EVENT_GAME_ROUND),
	.params = { { "deposits_24h", PARAM_TIERS, 0, 0, "minor units", true },
		    { "net_loss_24h", PARAM_TIERS, 0, 0, "minor units", true },
		    { "deposits_7d", PARAM_TIERS, 0, 0, "minor units", true },
		    { "net_loss_7d", PARAM_TIERS, 0, 0, "minor units", true } },
	.eval = new_account,
	.detail = new_account_detail,
	.agent_detail = new_account_agent,
	.points = tier_points,
	.money_tier = true,
};
