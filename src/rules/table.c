/* table.c -- every rule, in enum rule_id order, and the helpers the rule
 * families share. To add a rule: a value in enum rule_id (rules.h), its
 * definition in its family's file, a row here, and policies/README.md. */
#include "rules/rule_ctx.h"

#include <stdio.h>
#include <string.h>

const struct rule_def *const rule_defs[RULE_COUNT] = {
	[RULE_LIMITS_NEAR_BREACH] = &rule_limits_near_breach,
	[RULE_LIMITS_BREACH] = &rule_limits_breach,
	[RULE_LIMITS_DECLINED_AT_LIMIT] = &rule_limits_declined_at_limit,
	[RULE_LIMITS_RAISE_IN_COOLING_OFF] = &rule_limits_raise_in_cooling_off,
	[RULE_LIMITS_HIGH_LIMIT] = &rule_limits_high_limit,
	[RULE_REGULATORY_DEPOSITS] = &rule_regulatory_deposits,
	[RULE_REGULATORY_NET_LOSS] = &rule_regulatory_net_loss,
	[RULE_CHASING_DEPOSIT_AFTER_LOSS] = &rule_chasing_deposit_after_loss,
	[RULE_CHASING_DEPOSITS_IN_SESSION] = &rule_chasing_deposits_in_session,
	[RULE_CHASING_ESCALATING_DEPOSITS] = &rule_chasing_escalating_deposits,
	[RULE_CHASING_REVERSED_WITHDRAWALS] = &rule_chasing_reversed_withdrawals,
	[RULE_CHASING_STAKE_ESCALATION] = &rule_chasing_stake_escalation,
	[RULE_CHASING_REDEPOSIT_AFTER_DEPLETION] = &rule_chasing_redeposit_after_depletion,
	[RULE_INTENSITY_DAY_ONE] = &rule_intensity_day_one,
	[RULE_INTENSITY_FIRST_30_DAYS] = &rule_intensity_first_30_days,
	[RULE_INTENSITY_LONG_SESSION] = &rule_intensity_long_session,
	[RULE_INTENSITY_DAILY_PLAY_TIME] = &rule_intensity_daily_play_time,
	[RULE_INTENSITY_NIGHT_PLAY] = &rule_intensity_night_play,
	[RULE_INTENSITY_RISING_TREND] = &rule_intensity_rising_trend,
	[RULE_MONEY_NET_LOSS] = &rule_money_net_loss,
	[RULE_MONEY_INSTRUMENTS] = &rule_money_instruments,
	[RULE_MONEY_DECLINED_BURST] = &rule_money_declined_burst,
	[RULE_CONTACT_BONUS_REQUESTS] = &rule_contact_bonus_requests,
	[RULE_CONTACT_WITHDRAWAL_COMPLAINTS] = &rule_contact_withdrawal_complaints,
	[RULE_EXCLUSION_BREACH] = &rule_exclusion_breach,
	[RULE_MONEY_DEPOSITED] = &rule_money_deposited,
	[RULE_MONEY_LOST] = &rule_money_lost,
	[RULE_MONEY_STAKED] = &rule_money_staked,
	[RULE_MONEY_NEW_ACCOUNT] = &rule_money_new_account,
	[RULE_COMPLIANCE_SLOT_STAKE] = &rule_compliance_slot_stake,
	[RULE_COMPLIANCE_SLOT_CYCLE] = &rule_compliance_slot_cycle,
	[RULE_COMPLIANCE_REVERSED_WITHDRAWAL] = &rule_compliance_reversed_withdrawal,
	[RULE_COMPLIANCE_CREDIT_DEPOSIT] = &rule_compliance_credit_deposit,
	[RULE_REGULATORY_INTENSIVE_PLAYER] = &rule_regulatory_intensive_player,
};

int rule_find(const char *id)
{
	for (int i = 0; i < RULE_COUNT; i++)
		if (strcmp(rule_defs[i]->id, id) == 0)
			return i;
	return -1;
}

int rule_param_find(const struct rule_def *d, const char *name)
{
	for (int i = 0; i < RULE_PARAMS_MAX && d->params[i].name; i++)
		if (strcmp(d->params[i].name, name) == 0)
			return i;
	return -1;
}

int rule_player_age(const struct rule_ctx *c)
{
	/* On the local calendar day of the event: the day's number as a UTC
	 * date is that local date. */
	return state_age_years(c->st, (int64_t)c->today * MS_PER_DAY);
}

int64_t rule_band_threshold(const struct rule_ctx *c, int age)
{
	int64_t lowest = -1;
	if (c->cur < 0)
		return -1;
	for (int i = 0; i < c->rule->nbands; i++) {
		const struct policy_band *b = &c->rule->bands[i];
		int64_t t = b->threshold[c->cur];
		if (c->today < b->effective_from) /* not in force yet on this local day */
			continue;
		if (age >= 0 && age >= b->min_age && (b->max_age == 0 || age <= b->max_age))
			return t;
		if (lowest < 0 || t < lowest)
			lowest = t;
	}
	return age < 0 ? lowest : -1;
}

/* ISO 4217 currencies without minor units among those casinos use. */
static int currency_exponent(const char *cur)
{
	static const char *const zero[] = { "JPY", "KRW", "ISK", "CLP", "VND", "HUF" };
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		if (strcmp(cur, zero[i]) == 0)
			return 0;
	return 2;
}

void rule_fmt_money(char *buf, size_t len, int64_t minor, const char *currency)
{
	/* A sum that saturated (engine.h) is only a bound: never show it as
	 * the amount itself. */
	if ((minor == ENGINE_SUM_MAX || minor == -ENGINE_SUM_MAX) && len > 9) {
		int n = snprintf(buf, len, "%s", minor > 0 ? "at least " : "at most ");
		buf += n;
		len -= (size_t)n;
	}
	if (!currency || !currency[0]) {
		snprintf(buf, len, "%lld (minor units)", (long long)minor);
		return;
	}
	int exp = currency_exponent(currency);
	int64_t unit = exp ? 100 : 1;
	bool neg = minor < 0;
	uint64_t mag = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t whole = mag / (uint64_t)unit, frac = mag % (uint64_t)unit;
	char digits[32], grouped[48];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)whole), k = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	if (frac)
		snprintf(buf, len, "%s%s.%02llu %s", neg ? "-" : "", grouped, (unsigned long long)frac, currency);
	else
		snprintf(buf, len, "%s%s %s", neg ? "-" : "", grouped, currency);
}

const char *rule_period_adjective(int period)
{
	return period == PERIOD_DAY ? "daily" : period == PERIOD_WEEK ? "weekly" : "monthly";
}
