/* contact.c -- markers from the player's contacts with support: begging for
 * bonuses, and complaining about withdrawals (the money is wanted back in
 * play, or the player is short of it). */
#include "rules/rule_ctx.h"

#include <stdio.h>

enum { CONTACT_COUNT, CONTACT_WINDOW_DAYS };

/* Both rules count contacts of their topics over the rule's window; they
 * are evaluated only on a contact of those topics. */
static bool contacts_reach(const struct rule_ctx *c, bool relevant, bool complaints, int64_t v[RULE_VALUES])
{
	struct state_window buf;
	if (!relevant)
		return false;
	const struct state_window *w = rule_window(c, (int)c->rule->param[CONTACT_WINDOW_DAYS], &buf);
	int64_t n = complaints ? w->complaints : w->bonus_requests;
	if (n < c->rule->param[CONTACT_COUNT])
		return false;
	v[0] = n;
	return true;
}

static void contacts_detail(const char *what, const int64_t v[RULE_VALUES], const struct policy_rule *r, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%lld %s in %lld days", (long long)v[0], what, (long long)r->param[CONTACT_WINDOW_DAYS]);
}

static bool bonus_requests(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	return contacts_reach(c, c->ev->topic == TOPIC_BONUS_REQUEST, false, v);
}

static void bonus_requests_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				  const char *currency, char *buf, size_t len)
{
	contacts_detail("requests for a bonus", v, r, buf, len);
}

const struct rule_def rule_contact_bonus_requests = {
	.id = "contact.bonus_requests",
	.summary = "count or more bonus requests to support within window_days",
	.triggers = TRIGGER(EVENT_CONTACT),
	.params = { { "count", PARAM_INT, 1, 255, "contacts" }, { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days" } },
	.eval = bonus_requests,
	.detail = bonus_requests_detail,
	.agent_detail = bonus_requests_detail, /* counts only */
};

static bool withdrawal_complaints(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	return contacts_reach(c, c->ev->topic == TOPIC_WITHDRAWAL_DELAY || c->ev->topic == TOPIC_COMPLAINT, true, v);
}

static void withdrawal_complaints_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
					 const char *currency, char *buf, size_t len)
{
	contacts_detail("complaints about withdrawals or payments", v, r, buf, len);
}

const struct rule_def rule_contact_withdrawal_complaints = {
	.id = "contact.withdrawal_complaints",
	.summary = "count or more withdrawal-delay complaints or complaints within window_days",
	.triggers = TRIGGER(EVENT_CONTACT),
	.params = { { "count", PARAM_INT, 1, 255, "contacts" }, { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days" } },
	.eval = withdrawal_complaints,
	.detail = withdrawal_complaints_detail,
	.agent_detail = withdrawal_complaints_detail, /* counts only */
};
