/* rule_ctx.h -- what a rule evaluator may look at, and the helpers the
 * rule families share. Internal to src/rules/ and src/engine.c, which
 * fills the context.
 *
 * An evaluator is a pure function of the context: the player's state after
 * the event (read through state.h), the event, the moment (rule_step), and
 * its rule's settings. It must never write anything but its `v`
 * out-parameter (the pass's memo fills itself through the rule_ helpers
 * below, with exactly what the state's questions answer). Rules depend on
 * the state, never on the engine. */
#ifndef RGMON_RULE_CTX_H
#define RGMON_RULE_CTX_H

#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/rules.h"
#include "rgmon/state.h"
#include "rgmon/timestamp.h"
#include "rgmon/tz.h"

#define TRIGGER(t) (1u << (t))

/* What the event just did, for the rules that look at the moment itself
 * (not kept in the state): the engine fills it while aggregating. */
struct rule_step {
	int64_t loss_before;        /* deposit: net loss since the previous deposit */
	int64_t balance_before;     /* deposit: estimated balance just before it */
	int64_t minutes_after_loss; /* deposit: since the last losing round, -1 none */
	int64_t stake_avg_before;   /* round: average stake before it */
	int losing_streak_before;   /* round: losing rounds right before it */
	int64_t last_loss_before_ms;/* round: the losing round before it, or ENGINE_NO_TIME */
	int64_t last_slot_before_ms;/* slot round: the latest slot round before it, or ENGINE_NO_TIME */
	int64_t limit_before;       /* limit_set: the value it replaced (0 none) */
	int64_t limit_changed_before_ms; /* limit_set: when that value was set, or ENGINE_NO_TIME */
	int64_t session_minutes;    /* session_end: length of the session it closed, -1 none */
	bool excluded;              /* the player was excluded at the event's time */
};

/* What several rules ask of the same state in one pass, worked out once:
 * the day-window sums and the player's first local day. A cache the
 * evaluators share, not an output: what they read from it is exactly what
 * the state's own questions give. Valid while the pass runs (the rules
 * and the markers they leave never change the buckets or first_seen_ms). */
struct rule_memo {
	struct state_windows windows;
	bool first_day_known;
	int32_t first_day; /* local day of st->first_seen_ms, once known */
	uint8_t period_days[PERIOD_COUNT]; /* rule_period_days, 0 = not yet asked */
};

struct rule_ctx {
	const struct player_state *st;
	const struct event *ev;
	const struct policy *pol;
	const struct policy_rule *rule;
	const struct rule_step *step;
	int cur;        /* the player's currency in the policy, or -1 */
	int32_t today;  /* local day of the event */
	int64_t now_ms; /* event time */
	struct rule_memo *memo; /* NULL: every question goes to the state */
};

/* The sums over the `ndays` local days ending with the event's day
 * (state_window_sum): in the pass's memo when there is one, not copied (a
 * pass asks about a dozen windows an event), else summed into *buf. */
static inline const struct state_window *rule_window(const struct rule_ctx *c, int ndays, struct state_window *buf)
{
	if (c->memo)
		return state_windows_at(&c->memo->windows, ndays, buf);
	state_window_sum(c->st, c->today, ndays, buf);
	return buf;
}

/* The local day of the player's first event (tz_local_day), through the
 * memo when there is one. */
static inline int32_t rule_first_day(const struct rule_ctx *c)
{
	if (!c->memo)
		return tz_local_day(&c->pol->tz, c->st->first_seen_ms);
	if (!c->memo->first_day_known) {
		c->memo->first_day = tz_local_day(&c->pol->tz, c->st->first_seen_ms);
		c->memo->first_day_known = true;
	}
	return c->memo->first_day;
}

/* Money over the clock hours ending with the event's (state_hours_sum):
 * in the memo when there is one, else summed into *buf. */
static inline const struct state_window *rule_hours(const struct rule_ctx *c, int nhours, struct state_window *buf)
{
	if (c->memo)
		return state_windows_hours_at(&c->memo->windows, nhours, buf);
	state_hours_sum(c->st, c->now_ms, nhours, buf);
	return buf;
}

/* How much of the player's limit k over the pack's period p is used at
 * the event: state_limit_used, through the memo when there is one. */
static inline int64_t rule_limit_used(const struct rule_ctx *c, enum limit_kind k, enum limit_period p)
{
	enum period_rule how = (enum period_rule)c->pol->periods[p];
	if (c->memo)
		return state_windows_limit_used(&c->memo->windows, &c->pol->tz, k, p, how);
	return state_limit_used(c->st, &c->pol->tz, k, p, how, c->now_ms);
}

/* A money parameter in the player's currency, or -1 when the policy has
 * none for it (the rule then stays silent). */
static inline int64_t rule_money(const struct rule_ctx *c, int param)
{
	return c->cur < 0 ? -1 : c->rule->money[param][c->cur];
}

/* The local days of the pack's period p (its "periods") ending today:
 * a day 1, a rolling week 7 and month 30, a calendar week or month the
 * days of it so far. */
static inline int rule_period_days(const struct rule_ctx *c, enum limit_period p)
{
	if (!c->memo)
		return state_period_days(c->today, p, (enum period_rule)c->pol->periods[p]);
	if (!c->memo->period_days[p]) /* a calendar month asks the civil calendar */
		c->memo->period_days[p] = (uint8_t)state_period_days(c->today, p, (enum period_rule)c->pol->periods[p]);
	return c->memo->period_days[p];
}

/* Age in whole years on the local day of the event (state_age_years: from
 * the birth date when known, else local year minus birth year), or -1
 * when unknown. */
int rule_player_age(const struct rule_ctx *c);
/* The threshold of the age band that applies (unknown age: the lowest
 * threshold of all bands, the cautious choice), or -1. A band whose
 * "effective_from" is after the event's local day does not apply yet. */
int64_t rule_band_threshold(const struct rule_ctx *c, int age);

/* rule_fmt_money: rgmon/rules.h. */
/* "day" / "week" / "month" adjectives: "daily", "weekly", "monthly". */
const char *rule_period_adjective(int period);

/* The rule definitions, one per file family. */
extern const struct rule_def rule_limits_near_breach, rule_limits_breach, rule_limits_declined_at_limit,
	rule_limits_raise_in_cooling_off, rule_limits_high_limit;
extern const struct rule_def rule_regulatory_deposits, rule_regulatory_net_loss;
extern const struct rule_def rule_chasing_deposit_after_loss, rule_chasing_deposits_in_session,
	rule_chasing_escalating_deposits, rule_chasing_reversed_withdrawals, rule_chasing_stake_escalation,
	rule_chasing_redeposit_after_depletion;
extern const struct rule_def rule_intensity_day_one, rule_intensity_first_30_days, rule_intensity_long_session,
	rule_intensity_daily_play_time, rule_intensity_night_play, rule_intensity_rising_trend;
extern const struct rule_def rule_money_net_loss, rule_money_instruments, rule_money_declined_burst;
extern const struct rule_def rule_money_deposited, rule_money_lost, rule_money_staked, rule_money_new_account;
extern const struct rule_def rule_contact_bonus_requests, rule_contact_withdrawal_complaints;
extern const struct rule_def rule_exclusion_breach;
extern const struct rule_def rule_compliance_slot_stake, rule_compliance_slot_cycle,
	rule_compliance_reversed_withdrawal, rule_compliance_credit_deposit;
extern const struct rule_def rule_regulatory_intensive_player;

#endif
