/* exclusion.c -- money or play during a self-exclusion or pause: the
 * operator let an excluded player in. Always an immediate red alert when
 * the policy marks it strong (every shipped policy does). */
#include "rules/rule_ctx.h"

#include <stdio.h>

static bool exclusion_breach(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (!c->step->excluded)
		return false;
	if (c->ev->type == EVENT_DEPOSIT && c->ev->deposit_status != DEPOSIT_APPROVED)
		return false; /* a declined attempt is the block working */
	v[0] = c->ev->type;
	v[1] = c->ev->type == EVENT_DEPOSIT ? c->ev->amount : c->ev->stake;
	v[2] = (c->now_ms - c->st->excluded_from_ms) / MS_PER_HOUR;
	v[3] = c->st->excluded_until_ms == ENGINE_FOREVER;
	return true;
}

static void exclusion_breach_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				    const char *currency, char *buf, size_t len)
{
	char a[48];
	rule_fmt_money(a, sizeof(a), v[1], currency);
	snprintf(buf, len, "%s of %s accepted %lld h into %s", v[0] == EVENT_DEPOSIT ? "deposit" : "game round stake", a,
		 (long long)v[2], v[3] ? "an indefinite self-exclusion" : "a self-exclusion or pause");
}

static void exclusion_breach_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				   const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%s accepted %lld h into %s", v[0] == EVENT_DEPOSIT ? "a deposit" : "a game round",
		 (long long)v[2], v[3] ? "an indefinite self-exclusion" : "a self-exclusion or pause");
}

const struct rule_def rule_exclusion_breach = {
	.id = "exclusion.breach",
	.summary = "an approved deposit or a game round while the player is self-excluded or paused",
	.triggers = (1u << EVENT_DEPOSIT) | (1u << EVENT_GAME_ROUND),
	.eval = exclusion_breach,
	.detail = exclusion_breach_detail,
	.agent_detail = exclusion_breach_agent,
};
