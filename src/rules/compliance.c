/* compliance.c -- the operator's own breaches of product and payment rules
 * a regulator sets: a slot stake over the cap for the player's age, slot
 * rounds faster than the minimum game cycle, a withdrawal the player was
 * able to cancel, a deposit by credit card where credit is banned.
 *
 * These say nothing of the player's harm: the platform let something
 * through that it must not. Packs make them obligations (a task for staff
 * to review the controls), with the regulation's start in
 * "effective_from". */
#include "rules/rule_ctx.h"

#include <stdio.h>

static bool slot_round(const struct rule_ctx *c)
{
	return c->ev->type == EVENT_GAME_ROUND && c->ev->has_game_category && c->ev->game_category == GAME_SLOTS;
}

/* ---- compliance.slot_stake ------------------------------------------- */

enum { STAKE_BANDS };

/* v = stake, cap, age (-1 unknown). */
static bool slot_stake(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (!slot_round(c))
		return false;
	int age = rule_player_age(c);
	int64_t cap = rule_band_threshold(c, age);
	if (cap < 0 || c->ev->stake <= cap)
		return false;
	v[0] = c->ev->stake;
	v[1] = cap;
	v[2] = age;
	return true;
}

static void slot_stake_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			      char *buf, size_t len)
{
	char s[48], cap[48], who[64] = "";
	rule_fmt_money(s, sizeof(s), v[0], currency);
	rule_fmt_money(cap, sizeof(cap), v[1], currency);
	if (v[2] >= 0)
		snprintf(who, sizeof(who), " for age %lld", (long long)v[2]);
	else if (r->nbands > 1)
		snprintf(who, sizeof(who), " (age unknown: lowest cap)");
	snprintf(buf, len, "a slot round staked %s, over the maximum stake of %s%s", s, cap, who);
}

/* For agents (issue 18 #15): no amounts, no age. */
static void slot_stake_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			     char *buf, size_t len)
{
	snprintf(buf, len, "a slot round was staked over the maximum stake for the player's age group");
}

const struct rule_def rule_compliance_slot_stake = {
	.id = "compliance.slot_stake",
	.summary = "a slot round (game_category slots) staked over the maximum stake for the player's age band",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "max_stake", PARAM_BANDS, 0, 0, "minor units per game cycle, by age" } },
	.eval = slot_stake,
	.detail = slot_stake_detail,
	.agent_detail = slot_stake_agent,
};

/* ---- compliance.slot_cycle ------------------------------------------- */

enum { CYCLE_MIN_MS };

/* v = milliseconds since the slot round before, the minimum. Rounds of
 * the same moment count (0 ms); one older than the latest, out of order,
 * says nothing of the speed. */
static bool slot_cycle(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t before = c->step->last_slot_before_ms;
	if (!slot_round(c) || before == ENGINE_NO_TIME || c->now_ms < before)
		return false;
	int64_t gap = c->now_ms - before;
	if (gap >= c->rule->param[CYCLE_MIN_MS])
		return false;
	v[0] = gap;
	v[1] = c->rule->param[CYCLE_MIN_MS];
	return true;
}

static void slot_cycle_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			      char *buf, size_t len)
{
	(void)r;
	(void)currency;
	snprintf(buf, len, "two slot rounds %lld.%03lld s apart, under the minimum game cycle of %lld.%03lld s",
		 (long long)(v[0] / 1000), (long long)(v[0] % 1000), (long long)(v[1] / 1000), (long long)(v[1] % 1000));
}

const struct rule_def rule_compliance_slot_cycle = {
	.id = "compliance.slot_cycle",
	.summary = "two slot rounds (game_category slots) closer together than the minimum game cycle",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "min_ms", PARAM_INT, 1, 600000, "milliseconds" } },
	.eval = slot_cycle,
	.detail = slot_cycle_detail,
	.agent_detail = slot_cycle_detail, /* times only */
};

/* ---- compliance.reversed_withdrawal ---------------------------------- */

/* v = amount. */
static bool reversed_withdrawal(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (c->ev->type != EVENT_WITHDRAWAL || c->ev->withdrawal_status != WITHDRAWAL_CANCELLED)
		return false;
	v[0] = c->ev->amount;
	return true;
}

static void reversed_withdrawal_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				       const char *currency, char *buf, size_t len)
{
	(void)r;
	char a[48];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	snprintf(buf, len, "the player was able to cancel a withdrawal of %s", a);
}

static void reversed_withdrawal_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				      const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "the player was able to cancel a withdrawal");
}

const struct rule_def rule_compliance_reversed_withdrawal = {
	.id = "compliance.reversed_withdrawal",
	.summary = "a withdrawal was cancelled (reversed) where the regulator forbids offering it",
	.triggers = TRIGGER(EVENT_WITHDRAWAL),
	.eval = reversed_withdrawal,
	.detail = reversed_withdrawal_detail,
	.agent_detail = reversed_withdrawal_agent,
};

/* ---- compliance.credit_deposit --------------------------------------- */

enum { CREDIT_INTENSIVE_DAYS };

/* Whether regulatory.intensive_player held within the last `days` days
 * (the status outlives the weeks that earned it). */
static bool intensive_within(const struct rule_ctx *c, int64_t days)
{
	uint32_t held = c->st->rule_held_min[RULE_REGULATORY_INTENSIVE_PLAYER];
	return held != 0 && (int64_t)held * MS_PER_MIN > c->now_ms - days * MS_PER_DAY;
}

/* v = amount, whether it was the intensive status that banned it. */
static bool credit_deposit(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	const struct event *ev = c->ev;
	if (ev->type != EVENT_DEPOSIT || ev->deposit_status != DEPOSIT_APPROVED || !ev->has_instrument_type ||
	    ev->instrument_type != INSTRUMENT_CREDIT_CARD)
		return false;
	int64_t days = c->rule->param[CREDIT_INTENSIVE_DAYS];
	if (days > 0 && !intensive_within(c, days))
		return false;
	v[0] = ev->amount;
	v[1] = days > 0;
	return true;
}

static void credit_deposit_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
				  char *buf, size_t len)
{
	(void)r;
	char a[48];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	snprintf(buf, len, "a deposit of %s by credit card was accepted%s", a,
		 v[1] ? " from a player with intensive-player status" : "");
}

static void credit_deposit_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
				 char *buf, size_t len)
{
	snprintf(buf, len, "a deposit by credit card was accepted%s",
		 v[1] ? " from a player with intensive-player status" : "");
}

const struct rule_def rule_compliance_credit_deposit = {
	.id = "compliance.credit_deposit",
	.summary = "an approved deposit with instrument_type credit_card (optionally: only while the player "
		   "has intensive-player status)",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "intensive_days", PARAM_INT, 1, 3650, "days the intensive-player status lasts", true } },
	.eval = credit_deposit,
	.detail = credit_deposit_detail,
	.agent_detail = credit_deposit_agent,
};
