/* contact.c -- markers from the player's contacts with support: begging for
 * bonuses, and complaining about withdrawals (the money is wanted back in
 * play, or the player is short of it). */
#include "rules/rule_ctx.h"

#include <stdio.h>

enum { CONTACT_COUNT, CONTACT_WINDOW_DAYS };

static bool bonus_requests(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	struct engine_window w;
	if (c->ev->topic != TOPIC_BONUS_REQUEST)
		return false;
	engine_window_sum(c->st, c->today, (int)c->rule->param[CONTACT_WINDOW_DAYS], &w);
	if (w.bonus_requests < c->rule->param[CONTACT_COUNT])
		return false;
	v[0] = w.bonus_requests;
	return true;
}

static void bonus_requests_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				  const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld requests for a bonus in %lld days", (long long)v[0],
		 (long long)r->param[CONTACT_WINDOW_DAYS]);
}

const struct rule_def rule_contact_bonus_requests = {
	.id = "contact.bonus_requests",
	.summary = "count or more bonus requests to support within window_days",
	.triggers = TRIGGER(EVENT_CONTACT),
	.params = { { "count", PARAM_INT, 1, 255, "contacts" }, { "window_days", PARAM_INT, 1, ENGINE_DAYS, "days" } },
	.eval = bonus_requests,
	.detail = bonus_requests_detail,
};

static bool withdrawal_complaints(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	struct engine_window w;
	if (c->ev->topic != TOPIC_WITHDRAWAL_DELAY && c->ev->topic != TOPIC_COMPLAINT)
		return false;
	engine_window_sum(c->st, c->today, (int)c->rule->param[CONTACT_WINDOW_DAYS], &w);
	if (w.complaints < c->rule->param[CONTACT_COUNT])
		return false;
	v[0] = w.complaints;
	return true;
}

static void withdrawal_complaints_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
					 const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld complaints about withdrawals or payments in %lld days", (long long)v[0],
		 (long long)r->param[CONTACT_WINDOW_DAYS]);
}

const struct rule_def rule_contact_withdrawal_complaints = {
	.id = "contact.withdrawal_complaints",
	.summary = "count or more withdrawal-delay complaints or complaints within window_days",
	.triggers = TRIGGER(EVENT_CONTACT),
	.params = { { "count", PARAM_INT, 1, 255, "contacts" }, { "window_days", PARAM_INT, 1, ENGINE_DAYS, "days" } },
	.eval = withdrawal_complaints,
	.detail = withdrawal_complaints_detail,
};
