/* limits.c -- markers about the player's own limits and the regulators'
 * thresholds: near or over a limit, declined attempts at it, raising limits
 * too soon or too high, and monthly money thresholds by age band. */
#include "rules/rule_ctx.h"

#include <stdio.h>

static const char *const kind_noun[] = { "deposit", "loss", "session-time" };

/* "80% of the weekly deposit limit (400 of 500 EUR)" */
static void fmt_limit_use(char *buf, size_t len, int kind, int period, int64_t used, int64_t limit,
			  const char *currency)
{
	char u[48], l[48];
	if (kind == LIMIT_SESSION_TIME) {
		snprintf(u, sizeof(u), "%lld", (long long)used);
		snprintf(l, sizeof(l), "%lld minutes", (long long)limit);
	} else {
		rule_fmt_money(u, sizeof(u), used, currency);
		rule_fmt_money(l, sizeof(l), limit, currency);
	}
	snprintf(buf, len, "%s%lld%% of the %s %s limit (%s of %s)", used >= ENGINE_SUM_MAX ? "at least " : "",
		 (long long)(limit ? used * 100 / limit : 0), rule_period_adjective(period), kind_noun[kind], u, l);
}

/* ---- limits.near_breach --------------------------------------------- */

enum { NEAR_PCT };

static bool near_breach(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t best_ratio = -1;
	for (int k = 0; k < LIMIT_KIND_COUNT; k++)
		for (int p = 0; p < PERIOD_COUNT; p++) {
			int64_t limit =
				state_limit_in_force(c->st, c->pol, (enum limit_kind)k, (enum limit_period)p, c->now_ms);
			if (limit <= 0)
				continue;
			int64_t used = rule_limit_used(c, (enum limit_kind)k, (enum limit_period)p);
			int64_t ratio = used * 1000 / limit;
			if (used * 100 >= c->rule->param[NEAR_PCT] * limit && ratio > best_ratio) {
				best_ratio = ratio;
				v[0] = k * PERIOD_COUNT + p;
				v[1] = used;
				v[2] = limit;
			}
		}
	return best_ratio >= 0;
}

static void near_breach_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			       char *buf, size_t len)
{
	char use[160];
	fmt_limit_use(use, sizeof(use), (int)(v[0] / PERIOD_COUNT), (int)(v[0] % PERIOD_COUNT), v[1], v[2], currency);
	snprintf(buf, len, "used %s", use);
}

static void near_breach_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			      char *buf, size_t len)
{
	int kind = (int)(v[0] / PERIOD_COUNT), period = (int)(v[0] % PERIOD_COUNT);
	snprintf(buf, len, "used %s%lld%% of the %s %s limit", v[1] >= ENGINE_SUM_MAX ? "at least " : "",
		 (long long)(v[2] ? v[1] * 100 / v[2] : 0), rule_period_adjective(period), kind_noun[kind]);
}

const struct rule_def rule_limits_near_breach = {
	.id = "limits.near_breach",
	.summary = "the player has used pct% or more of one of their own limits",
	.triggers = TRIGGER(EVENT_DEPOSIT) | TRIGGER(EVENT_GAME_ROUND) | TRIGGER(EVENT_SESSION_END) |
		    TRIGGER(EVENT_LIMIT_SET),
	.params = { { "pct", PARAM_INT, 1, 100, "%" } },
	.eval = near_breach,
	.detail = near_breach_detail,
	.agent_detail = near_breach_agent,
};

/* ---- limits.breach -------------------------------------------------- */

static bool breach(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (c->ev->deposit_status != DEPOSIT_APPROVED)
		return false;
	for (int p = 0; p < PERIOD_COUNT; p++) {
		int64_t limit = state_limit_in_force(c->st, c->pol, LIMIT_DEPOSIT, (enum limit_period)p, c->now_ms);
		if (limit <= 0) /* no limit: nothing to sum */
			continue;
		int64_t used = rule_limit_used(c, LIMIT_DEPOSIT, (enum limit_period)p);
		if (used > limit) {
			v[0] = p;
			v[1] = used;
			v[2] = limit;
			return true;
		}
	}
	return false;
}

static void breach_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			  char *buf, size_t len)
{
	char u[48], l[48];
	rule_fmt_money(u, sizeof(u), v[1], currency);
	rule_fmt_money(l, sizeof(l), v[2], currency);
	snprintf(buf, len, "approved deposits of %s exceed the player's own %s deposit limit of %s (operator failure)",
		 u, rule_period_adjective((int)v[0]), l);
}

static void breach_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			 char *buf, size_t len)
{
	snprintf(buf, len, "approved deposits exceed the player's own %s deposit limit (operator failure)",
		 rule_period_adjective((int)v[0]));
}

const struct rule_def rule_limits_breach = {
	.id = "limits.breach",
	.summary = "approved deposits exceed the player's own deposit limit: the operator failed to enforce it",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.eval = breach,
	.detail = breach_detail,
	.agent_detail = breach_agent,
};

/* ---- limits.declined_at_limit --------------------------------------- */

enum { DECLINED_ATTEMPTS, DECLINED_PCT };

static bool declined_at_limit(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	const struct day_totals *b = state_day(c->st, c->today);
	if (c->ev->deposit_status != DEPOSIT_DECLINED || !b || b->declined < c->rule->param[DECLINED_ATTEMPTS])
		return false;
	for (int p = 0; p < PERIOD_COUNT; p++) {
		int64_t limit = state_limit_in_force(c->st, c->pol, LIMIT_DEPOSIT, (enum limit_period)p, c->now_ms);
		if (limit <= 0) /* no limit: nothing to sum */
			continue;
		int64_t used = rule_limit_used(c, LIMIT_DEPOSIT, (enum limit_period)p);
		if (used * 100 >= c->rule->param[DECLINED_PCT] * limit) {
			v[0] = b->declined;
			v[1] = p;
			v[2] = used * 100 / limit;
			return true;
		}
	}
	return false;
}

static void declined_at_limit_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				     const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld declined deposit attempts today with %lld%% of the %s deposit limit used",
		 (long long)v[0], (long long)v[2], rule_period_adjective((int)v[1]));
}

const struct rule_def rule_limits_declined_at_limit = {
	.id = "limits.declined_at_limit",
	.summary = "repeated declined deposit attempts today while a deposit limit is (nearly) used up",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "attempts", PARAM_INT, 1, 1000, "declined attempts today" },
		    { "pct", PARAM_INT, 1, 100, "% of the limit used" } },
	.eval = declined_at_limit,
	.detail = declined_at_limit_detail,
	.agent_detail = declined_at_limit_detail, /* counts and a percentage only */
};

/* ---- limits.raise_in_cooling_off ------------------------------------ */

enum { COOLING_HOURS };

static bool raise_in_cooling_off(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	const struct rule_step *s = c->step;
	if (s->limit_before <= 0 || c->ev->value <= s->limit_before || s->limit_changed_before_ms == ENGINE_NO_TIME)
		return false;
	int64_t since = c->now_ms - s->limit_changed_before_ms;
	if (since >= c->rule->param[COOLING_HOURS] * MS_PER_HOUR)
		return false;
	v[0] = c->ev->limit * PERIOD_COUNT + c->ev->period;
	v[1] = s->limit_before;
	v[2] = c->ev->value;
	v[3] = since / MS_PER_HOUR;
	return true;
}

static void raise_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			 char *buf, size_t len)
{
	int kind = (int)(v[0] / PERIOD_COUNT), period = (int)(v[0] % PERIOD_COUNT);
	char a[48], b[48];
	if (kind == LIMIT_SESSION_TIME) {
		snprintf(a, sizeof(a), "%lld minutes", (long long)v[1]);
		snprintf(b, sizeof(b), "%lld minutes", (long long)v[2]);
	} else {
		rule_fmt_money(a, sizeof(a), v[1], currency);
		rule_fmt_money(b, sizeof(b), v[2], currency);
	}
	snprintf(buf, len, "%s %s limit raised from %s to %s %lld h after the last change (cooling-off %lld h)",
		 rule_period_adjective(period), kind_noun[kind], a, b, (long long)v[3],
		 (long long)r->param[COOLING_HOURS]);
}

static void raise_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			char *buf, size_t len)
{
	int kind = (int)(v[0] / PERIOD_COUNT), period = (int)(v[0] % PERIOD_COUNT);
	snprintf(buf, len, "%s %s limit raised %lld h after the last change (cooling-off %lld h)",
		 rule_period_adjective(period), kind_noun[kind], (long long)v[3], (long long)r->param[COOLING_HOURS]);
}

const struct rule_def rule_limits_raise_in_cooling_off = {
	.id = "limits.raise_in_cooling_off",
	.summary = "the player raises a limit again within the cooling-off period after the last change",
	.triggers = TRIGGER(EVENT_LIMIT_SET),
	.params = { { "cooling_off_hours", PARAM_INT, 1, 8760, "hours" } },
	.eval = raise_in_cooling_off,
	.detail = raise_detail,
	.agent_detail = raise_agent,
};

/* ---- limits.high_limit ---------------------------------------------- */

enum { HIGH_MONTHLY, HIGH_BANDS, HIGH_DEPOSIT_ONLY };

/* A limit expressed per month: a day is 30 of them, a week 30/7. */
static int64_t monthly_equivalent(int64_t value, int period)
{
	return period == PERIOD_DAY ? value * 30 : period == PERIOD_WEEK ? value * 30 / 7 : value;
}

/* The monthly amount above which a limit is high: by the player's age
 * band when the pack gives bands (NL: EUR 150 under 24, EUR 350 from 24),
 * else the one "monthly" amount. -1: none for this player. */
static int64_t high_limit_threshold(const struct rule_ctx *c)
{
	if (c->rule->nbands > 0)
		return rule_band_threshold(c, rule_player_age(c));
	return rule_money(c, HIGH_MONTHLY);
}

static bool high_limit(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t threshold = high_limit_threshold(c);
	if (threshold <= 0 || c->ev->limit == LIMIT_SESSION_TIME || c->ev->value <= c->step->limit_before ||
	    (c->rule->param[HIGH_DEPOSIT_ONLY] && c->ev->limit != LIMIT_DEPOSIT))
		return false;
	int64_t monthly = monthly_equivalent(c->ev->value, c->ev->period);
	if (monthly <= threshold)
		return false;
	v[0] = c->ev->limit * PERIOD_COUNT + c->ev->period;
	v[1] = c->ev->value;
	v[2] = monthly;
	v[3] = threshold;
	return true;
}

static void high_limit_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			      char *buf, size_t len)
{
	char a[48], m[48], t[48];
	(void)r;
	rule_fmt_money(a, sizeof(a), v[1], currency);
	rule_fmt_money(m, sizeof(m), v[2], currency);
	rule_fmt_money(t, sizeof(t), v[3], currency);
	snprintf(buf, len, "%s %s limit set to %s (%s a month), above %s a month", rule_period_adjective((int)(v[0] % PERIOD_COUNT)),
		 kind_noun[v[0] / PERIOD_COUNT], a, m, t);
}

static void high_limit_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			     char *buf, size_t len)
{
	snprintf(buf, len, "%s %s limit set very high (above the policy's monthly amount)",
		 rule_period_adjective((int)(v[0] % PERIOD_COUNT)), kind_noun[v[0] / PERIOD_COUNT]);
}

const struct rule_def rule_limits_high_limit = {
	.id = "limits.high_limit",
	.summary = "a deposit or loss limit is set or raised above a monthly amount (day x30, week x30/7), "
		   "one amount or by age band",
	.triggers = TRIGGER(EVENT_LIMIT_SET),
	.params = { { "monthly", PARAM_MONEY, 0, 0, "minor units a month", true },
		    { "bands", PARAM_BANDS, 0, 0, "monthly amount by age band (instead of monthly)", true },
		    { "deposit_only", PARAM_BOOL, 0, 1, "only deposit limits, not loss limits", true } },
	.eval = high_limit,
	.detail = high_limit_detail,
	.agent_detail = high_limit_agent,
};

/* ---- regulatory.deposits / regulatory.net_loss ---------------------- */

/* Parameters: window_days or month (the pack's month), bands; deposits
 * also net. Their positions differ by rule, so month is looked up. */
enum { REG_WINDOW_DAYS, REG_BANDS, REG_NET };

/* How a firing's window was counted, kept in v[3] above its lowest bit
 * (deposits' net flag): the rule's window_days (also what markers stored
 * before the pack's month existed read as), a rolling or a calendar month. */
enum { REG_WINDOW_PARAM, REG_WINDOW_ROLLING_MONTH, REG_WINDOW_CALENDAR_MONTH };

/* The firing's window in words, from v[3] (REG_WINDOW_* above bit 0). */
static void reg_window_text(const int64_t v[RULE_VALUES], const struct policy_rule *r, char *buf, size_t len)
{
	switch (v[3] >> 1) {
	case REG_WINDOW_CALENDAR_MONTH:
		snprintf(buf, len, "this calendar month");
		break;
	case REG_WINDOW_ROLLING_MONTH:
		snprintf(buf, len, "in %d days", ROLLING_MONTH_DAYS);
		break;
	default:
		snprintf(buf, len, "in %lld days", (long long)r->param[REG_WINDOW_DAYS]);
	}
}

/* The age band behind a firing's threshold, from v[2] (the age, -1 unknown). */
static void reg_band_text(const int64_t v[RULE_VALUES], const struct policy_rule *r, char *buf, size_t len)
{
	buf[0] = '\0';
	if (v[2] >= 0)
		snprintf(buf, len, " for age %lld", (long long)v[2]);
	else if (r->nbands > 1)
		snprintf(buf, len, " (age unknown: lowest band)");
}

static void reg_detail(const char *what, const int64_t v[RULE_VALUES], const struct policy_rule *r,
		       const char *currency, char *buf, size_t len)
{
	char a[48], t[48], band[64], window[32];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	rule_fmt_money(t, sizeof(t), v[1], currency);
	reg_band_text(v, r, band, sizeof(band));
	reg_window_text(v, r, window, sizeof(window));
	snprintf(buf, len, "%s of %s %s reach the check threshold of %s%s", what, a, window, t, band);
}

/* For agents: neither the amounts nor the age band's age. */
static void reg_agent(const char *what, const int64_t v[RULE_VALUES], const struct policy_rule *r, char *buf,
		      size_t len)
{
	char window[32];
	reg_window_text(v, r, window, sizeof(window));
	snprintf(buf, len, "%s %s reach the regulator's check threshold for the player's age group", what, window);
}

/* Sums the rule's window (window_days, or the pack's month when the
 * rule's `month` parameter, at position month_param, is true) and
 * compares `measure` of it with the threshold of the player's age band:
 * v = amount, threshold, age (-1 unknown), window (REG_WINDOW_*) << 1. */
static bool reg_reached(const struct rule_ctx *c, int month_param,
			int64_t (*measure)(const struct rule_ctx *, const struct state_window *), int64_t v[RULE_VALUES])
{
	int age = rule_player_age(c);
	int64_t threshold = rule_band_threshold(c, age);
	struct state_window buf;
	if (threshold < 0)
		return false;
	bool month = c->rule->param[month_param];
	int days = month ? rule_period_days(c, PERIOD_MONTH) : (int)c->rule->param[REG_WINDOW_DAYS];
	int64_t amount = measure(c, rule_window(c, days, &buf));
	if (amount < threshold)
		return false;
	v[0] = amount;
	v[1] = threshold;
	v[2] = age;
	v[3] = (int64_t)(!month ? REG_WINDOW_PARAM
			 : c->pol->periods[PERIOD_MONTH] == PERIOD_CALENDAR ? REG_WINDOW_CALENDAR_MONTH
									     : REG_WINDOW_ROLLING_MONTH) << 1;
	return true;
}

static int64_t deposits_measure(const struct rule_ctx *c, const struct state_window *w)
{
	return c->rule->param[REG_NET] ? w->deposited - w->withdrawn : w->deposited;
}

enum { REG_DEPOSITS_MONTH = 3 };

static bool reg_deposits(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (!reg_reached(c, REG_DEPOSITS_MONTH, deposits_measure, v))
		return false;
	v[3] |= c->rule->param[REG_NET];
	return true;
}

static void reg_deposits_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
				char *buf, size_t len)
{
	reg_detail(v[3] & 1 ? "net deposits" : "deposits", v, r, currency, buf, len);
}

static void reg_deposits_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			       char *buf, size_t len)
{
	reg_agent(v[3] & 1 ? "net deposits" : "deposits", v, r, buf, len);
}

const struct rule_def rule_regulatory_deposits = {
	.id = "regulatory.deposits",
	.summary = "deposits (or net deposits) over window_days or the pack's month reach the check threshold of the "
		   "age band (a regulator's only where the rule's source names one)",
	.triggers = TRIGGER(EVENT_DEPOSIT) | TRIGGER(EVENT_WITHDRAWAL),
	.params = { { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days", true },
		    { "bands", PARAM_BANDS, 0, 0, "age bands" },
		    { "net", PARAM_BOOL, 0, 1, "subtract completed withdrawals" },
		    { "month", PARAM_BOOL, 0, 1, "the window is the pack's month (periods.month), not window_days", true } },
	.eval = reg_deposits,
	.detail = reg_deposits_detail,
	.agent_detail = reg_deposits_agent,
};

static int64_t net_loss_measure(const struct rule_ctx *c, const struct state_window *w) { return w->net_loss; }

enum { REG_NET_LOSS_MONTH = 2 };

static bool reg_net_loss(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	return reg_reached(c, REG_NET_LOSS_MONTH, net_loss_measure, v);
}

static void reg_net_loss_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
				char *buf, size_t len)
{
	reg_detail("net losses", v, r, currency, buf, len);
}

static void reg_net_loss_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			       char *buf, size_t len)
{
	reg_agent("net losses", v, r, buf, len);
}

const struct rule_def rule_regulatory_net_loss = {
	.id = "regulatory.net_loss",
	.summary = "net loss over window_days or the pack's month reaches the threshold of the age band (a "
		   "regulator's only where the rule's source names one)",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days", true },
		    { "bands", PARAM_BANDS, 0, 0, "age bands" },
		    { "month", PARAM_BOOL, 0, 1, "the window is the pack's month (periods.month), not window_days", true } },
	.eval = reg_net_loss,
	.detail = reg_net_loss_detail,
	.agent_detail = reg_net_loss_agent,
};

/* ---- regulatory.intensive_player ------------------------------------ */

/* Spain's "participante con comportamiento de juego intensivo" (RD
 * 176/2023): net losses over the window reach the threshold of the age
 * band. The status outlives the weeks that earned it: rules such as
 * compliance.credit_deposit ask when this one last held. */
static void intensive_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			     char *buf, size_t len)
{
	char a[48], t[48], band[64];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	rule_fmt_money(t, sizeof(t), v[1], currency);
	reg_band_text(v, r, band, sizeof(band));
	snprintf(buf, len, "net losses of %s in %lld days reach the intensive-player threshold of %s%s", a,
		 (long long)r->param[REG_WINDOW_DAYS], t, band);
}

static void intensive_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			    char *buf, size_t len)
{
	snprintf(buf, len, "net losses in %lld days reach the intensive-player threshold for the player's age group",
		 (long long)r->param[REG_WINDOW_DAYS]);
}

/* Evaluated by reg_net_loss: its "month" slot (REG_NET_LOSS_MONTH) is not
 * a parameter of this rule and so always 0, the window always
 * window_days. */
const struct rule_def rule_regulatory_intensive_player = {
	.id = "regulatory.intensive_player",
	.summary = "net loss over a rolling window reaches the intensive-player threshold for the age band "
		   "(a status that lasts; see compliance.credit_deposit)",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days" },
		    { "bands", PARAM_BANDS, 0, 0, "age bands" } },
	.eval = reg_net_loss,
	.detail = intensive_detail,
	.agent_detail = intensive_agent,
};
