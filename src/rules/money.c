/* money.c -- markers about money: net loss over rolling windows, many
 * payment instruments, and bursts of declined deposits. */
#include "rules/rule_ctx.h"

#include <stdio.h>

/* ---- money.net_loss -------------------------------------------------- */

enum { LOSS_DAY, LOSS_WEEK, LOSS_MONTH };

static bool net_loss(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	static const int days[] = { 1, 7, 30 };
	/* The window furthest over its threshold explains best. */
	int64_t best = -1;
	for (int i = 0; i < 3; i++) {
		int64_t threshold = rule_money(c, i);
		struct state_window w;
		if (threshold <= 0)
			continue;
		state_window_sum(c->st, c->today, days[i], &w);
		if (w.net_loss >= threshold && w.net_loss * 1000 / threshold > best) {
			best = w.net_loss * 1000 / threshold;
			v[0] = days[i];
			v[1] = w.net_loss;
			v[2] = threshold;
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
	if (v[0] == 1)
		snprintf(buf, len, "net loss of %s today (threshold %s)", a, t);
	else
		snprintf(buf, len, "net loss of %s in %lld days (threshold %s)", a, (long long)v[0], t);
}

const struct rule_def rule_money_net_loss = {
	.id = "money.net_loss",
	.summary = "net loss (stakes minus payouts) reaches a threshold today, over 7 days or over 30 days (0 = window not used)",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "day", PARAM_MONEY, 0, 0, "minor units" },
		    { "week", PARAM_MONEY, 0, 0, "minor units" },
		    { "month", PARAM_MONEY, 0, 0, "minor units" } },
	.eval = net_loss,
	.detail = net_loss_detail,
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
		    { "window_days", PARAM_INT, 1, ENGINE_DAYS, "days" } },
	.eval = instruments,
	.detail = instruments_detail,
};

/* ---- money.declined_burst -------------------------------------------- */

enum { BURST_COUNT, BURST_WINDOW_MINUTES };

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
	v[0] = n;
	return true;
}

static void declined_burst_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				  const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld declined deposit attempts within %lld min", (long long)v[0],
		 (long long)r->param[BURST_WINDOW_MINUTES]);
}

const struct rule_def rule_money_declined_burst = {
	.id = "money.declined_burst",
	.summary = "count or more declined deposit attempts within window_minutes",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "count", PARAM_INT, 2, ENGINE_DECLINES, "attempts" },
		    { "window_minutes", PARAM_INT, 1, 1440, "minutes" } },
	.eval = declined_burst,
	.detail = declined_burst_detail,
};
