/* chasing.c -- loss-chasing markers: money going back in soon after losses,
 * several deposits in one sitting, growing deposits and stakes, reversed
 * withdrawals, and re-depositing once the balance is gone.
 *
 * Each pattern that involves money says how much is at stake (its .stake):
 * the engine scales its points by that against the pack's "material"
 * amount, so chasing with pocket money stays a weak marker. */
#include "rules/rule_ctx.h"

#include <stdio.h>

_Static_assert(RULE_COUNTED_MAX == ENGINE_RECENT_DEPOSITS, "a counted rule may count every recent deposit");

static bool approved_deposit(const struct rule_ctx *c)
{
	return c->ev->type == EVENT_DEPOSIT && c->ev->deposit_status == DEPOSIT_APPROVED;
}

/* ---- loss_chasing.deposit_after_loss -------------------------------- */

enum { DAL_LOSS_MIN, DAL_WITHIN_MINUTES, DAL_COUNT, DAL_WINDOW_HOURS };

/* Whether the recent deposit d counts: in the window, after a loss of at
 * least loss_min, within within_minutes of a losing round. */
static bool dal_counts(const struct rule_ctx *c, const struct recent_deposit *d, int64_t loss_min)
{
	int64_t since = c->now_ms - c->rule->param[DAL_WINDOW_HOURS] * MS_PER_HOUR;
	return d->ts_ms && d->ts_ms > since && d->ts_ms <= c->now_ms && d->loss_before >= loss_min &&
	       d->minutes_after_loss <= c->rule->param[DAL_WITHIN_MINUTES];
}

static bool deposit_after_loss(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	int64_t loss_min = rule_money(c, DAL_LOSS_MIN);
	if (!approved_deposit(c) || loss_min < 0)
		return false;
	int64_t n = 0, deposited = 0, lost = 0;
	for (int i = 0; i < ENGINE_RECENT_DEPOSITS; i++) {
		const struct recent_deposit *d = &c->st->deposits[i];
		if (dal_counts(c, d, loss_min)) {
			n++;
			deposited += d->amount;
			lost += d->loss_before;
		}
	}
	if (n < c->rule->param[DAL_COUNT])
		return false;
	v[0] = n;
	v[1] = deposited;
	v[2] = lost;
	return true;
}

static int deposit_after_loss_counted(const struct rule_ctx *c, int64_t ts[RULE_COUNTED_MAX])
{
	int n = 0;
	for (int i = 0; i < ENGINE_RECENT_DEPOSITS && n < RULE_COUNTED_MAX; i++)
		if (dal_counts(c, &c->st->deposits[i], rule_money(c, DAL_LOSS_MIN)))
			ts[n++] = c->st->deposits[i].ts_ms;
	return n;
}

static void deposit_after_loss_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				      const char *currency, char *buf, size_t len)
{
	char d[48], l[48];
	rule_fmt_money(d, sizeof(d), v[1], currency);
	rule_fmt_money(l, sizeof(l), v[2], currency);
	snprintf(buf, len, "%lld %s (%s) each within %lld min of a loss, after losing %s in all (within %lld h)",
		 (long long)v[0], v[0] == 1 ? "deposit" : "deposits", d, (long long)r->param[DAL_WITHIN_MINUTES], l,
		 (long long)r->param[DAL_WINDOW_HOURS]);
}

static void deposit_after_loss_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				     const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld %s each within %lld min of a loss, after losing a significant amount (within %lld h)",
		 (long long)v[0], v[0] == 1 ? "deposit" : "deposits", (long long)r->param[DAL_WITHIN_MINUTES],
		 (long long)r->param[DAL_WINDOW_HOURS]);
}

/* Money at stake: deposited, or lost before. */
static int64_t deposit_after_loss_stake(const int64_t v[RULE_VALUES]) { return v[1] > v[2] ? v[1] : v[2]; }

const struct rule_def rule_chasing_deposit_after_loss = {
	.id = "loss_chasing.deposit_after_loss",
	.summary = "count deposits, each within within_minutes of a losing round after losing at least loss_min since the deposit before, within window_hours",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "loss_min", PARAM_MONEY, 0, 0, "minor units" },
		    { "within_minutes", PARAM_INT, 1, 1440, "minutes" },
		    { "count", PARAM_INT, 1, ENGINE_RECENT_DEPOSITS, "deposits" },
		    { "window_hours", PARAM_INT, 1, 720, "hours" } },
	.eval = deposit_after_loss,
	.stake = deposit_after_loss_stake,
	.counted = deposit_after_loss_counted,
	.detail = deposit_after_loss_detail,
	.agent_detail = deposit_after_loss_agent,
};

/* ---- loss_chasing.deposits_in_session ------------------------------- */

enum { DIS_COUNT };

/* When the earliest open session started, or ENGINE_NO_TIME. */
static int64_t open_session_start(const struct rule_ctx *c)
{
	int64_t start = ENGINE_NO_TIME;
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		if (c->st->sessions[i].id_hash &&
		    (start == ENGINE_NO_TIME || c->st->sessions[i].start_ms < start))
			start = c->st->sessions[i].start_ms;
	return start;
}

static bool in_session(const struct rule_ctx *c, const struct recent_deposit *d, int64_t start)
{
	return d->ts_ms && d->ts_ms >= start && d->ts_ms <= c->now_ms;
}

static bool deposits_in_session(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (!approved_deposit(c))
		return false;
	int64_t start = open_session_start(c);
	if (start == ENGINE_NO_TIME)
		return false;
	int64_t n = 0, sum = 0;
	for (int i = 0; i < ENGINE_RECENT_DEPOSITS; i++) {
		const struct recent_deposit *d = &c->st->deposits[i];
		if (in_session(c, d, start)) {
			n++;
			sum += d->amount;
		}
	}
	if (n < c->rule->param[DIS_COUNT])
		return false;
	v[0] = n;
	v[1] = sum;
	v[2] = (c->now_ms - start) / MS_PER_MIN;
	return true;
}

static int deposits_in_session_counted(const struct rule_ctx *c, int64_t ts[RULE_COUNTED_MAX])
{
	int64_t start = open_session_start(c);
	int n = 0;
	for (int i = 0; start != ENGINE_NO_TIME && i < ENGINE_RECENT_DEPOSITS && n < RULE_COUNTED_MAX; i++)
		if (in_session(c, &c->st->deposits[i], start))
			ts[n++] = c->st->deposits[i].ts_ms;
	return n;
}

static void deposits_in_session_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				       const char *currency, char *buf, size_t len)
{
	char d[48];
	rule_fmt_money(d, sizeof(d), v[1], currency);
	snprintf(buf, len, "%lld deposits (%s) in one session of %lld min", (long long)v[0], d, (long long)v[2]);
}

static void deposits_in_session_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				      const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld deposits in one session of %lld min", (long long)v[0], (long long)v[2]);
}

/* Money at stake: deposited in the sitting. */
static int64_t deposits_in_session_stake(const int64_t v[RULE_VALUES]) { return v[1]; }

const struct rule_def rule_chasing_deposits_in_session = {
	.id = "loss_chasing.deposits_in_session",
	.summary = "count or more approved deposits since the open session started",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "count", PARAM_INT, 2, ENGINE_RECENT_DEPOSITS, "deposits" } },
	.eval = deposits_in_session,
	.stake = deposits_in_session_stake,
	.counted = deposits_in_session_counted,
	.detail = deposits_in_session_detail,
	.agent_detail = deposits_in_session_agent,
};

/* ---- loss_chasing.escalating_deposits ------------------------------- */

enum { ESC_COUNT, ESC_STEP_PCT, ESC_WINDOW_HOURS };

/* The deposits in the window, newest first; returns their number. */
static int window_deposits_newest_first(const struct rule_ctx *c,
					const struct recent_deposit *sorted[ENGINE_RECENT_DEPOSITS])
{
	int n = 0;
	int64_t since = c->now_ms - c->rule->param[ESC_WINDOW_HOURS] * MS_PER_HOUR;
	for (int i = 0; i < ENGINE_RECENT_DEPOSITS; i++) {
		const struct recent_deposit *d = &c->st->deposits[i];
		if (!d->ts_ms || d->ts_ms <= since || d->ts_ms > c->now_ms)
			continue;
		int j = n++;
		while (j > 0 && sorted[j - 1]->ts_ms < d->ts_ms) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = d;
	}
	return n;
}

static bool escalating_deposits(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	if (!approved_deposit(c))
		return false;
	const struct recent_deposit *sorted[ENGINE_RECENT_DEPOSITS] = { NULL };
	int n = window_deposits_newest_first(c, sorted);
	int want = (int)c->rule->param[ESC_COUNT];
	if (n < want)
		return false;
	for (int i = 0; i + 1 < want; i++)
		if (sorted[i]->amount * 100 < sorted[i + 1]->amount * c->rule->param[ESC_STEP_PCT])
			return false;
	v[0] = want;
	v[1] = sorted[want - 1]->amount;
	v[2] = sorted[0]->amount;
	return true;
}

/* The last count deposits: the ones in a row. */
static int escalating_deposits_counted(const struct rule_ctx *c, int64_t ts[RULE_COUNTED_MAX])
{
	const struct recent_deposit *sorted[ENGINE_RECENT_DEPOSITS] = { NULL };
	int n = window_deposits_newest_first(c, sorted), want = (int)c->rule->param[ESC_COUNT];
	for (int i = 0; i < n && i < want && i < RULE_COUNTED_MAX; i++)
		ts[i] = sorted[i]->ts_ms;
	return n < want ? n : want;
}

static void escalating_deposits_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				       const char *currency, char *buf, size_t len)
{
	char a[48], b[48];
	rule_fmt_money(a, sizeof(a), v[1], currency);
	rule_fmt_money(b, sizeof(b), v[2], currency);
	snprintf(buf, len, "%lld deposits in a row, each at least %lld%% of the one before, from %s to %s within %lld h",
		 (long long)v[0], (long long)r->param[ESC_STEP_PCT], a, b, (long long)r->param[ESC_WINDOW_HOURS]);
}

static void escalating_deposits_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				      const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld deposits in a row, each at least %lld%% of the one before, within %lld h",
		 (long long)v[0], (long long)r->param[ESC_STEP_PCT], (long long)r->param[ESC_WINDOW_HOURS]);
}

/* Money at stake: the largest deposit. */
static int64_t escalating_deposits_stake(const int64_t v[RULE_VALUES]) { return v[1] > v[2] ? v[1] : v[2]; }

const struct rule_def rule_chasing_escalating_deposits = {
	.id = "loss_chasing.escalating_deposits",
	.summary = "the last count deposits within window_hours each grew by step_pct% or more",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "count", PARAM_INT, 2, ENGINE_RECENT_DEPOSITS, "deposits" },
		    { "step_pct", PARAM_INT, 101, 10000, "% of the previous deposit" },
		    { "window_hours", PARAM_INT, 1, 720, "hours" } },
	.eval = escalating_deposits,
	.counted = escalating_deposits_counted,
	.stake = escalating_deposits_stake,
	.detail = escalating_deposits_detail,
	.agent_detail = escalating_deposits_agent,
};

/* ---- loss_chasing.reversed_withdrawals ------------------------------ */

enum { REV_COUNT, REV_WINDOW_DAYS };

static bool reversed_withdrawals(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	struct state_window buf;
	if (c->ev->withdrawal_status != WITHDRAWAL_CANCELLED)
		return false;
	const struct state_window *w = rule_window(c, (int)c->rule->param[REV_WINDOW_DAYS], &buf);
	if (w->withdrawals_cancelled < c->rule->param[REV_COUNT])
		return false;
	v[0] = w->withdrawals_cancelled;
	return true;
}

static void reversed_withdrawals_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
					const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "%lld withdrawals reversed to keep playing in %lld days", (long long)v[0],
		 (long long)r->param[REV_WINDOW_DAYS]);
}

const struct rule_def rule_chasing_reversed_withdrawals = {
	.id = "loss_chasing.reversed_withdrawals",
	.summary = "count or more cancelled withdrawals within window_days",
	.triggers = TRIGGER(EVENT_WITHDRAWAL),
	.params = { { "count", PARAM_INT, 1, 255, "withdrawals" },
		    { "window_days", PARAM_INT, 1, ROLLING_MONTH_DAYS, "days" } },
	.eval = reversed_withdrawals,
	.detail = reversed_withdrawals_detail,
	.agent_detail = reversed_withdrawals_detail, /* counts only */
};

/* ---- loss_chasing.stake_escalation ---------------------------------- */

enum { STK_LOSING_STREAK, STK_FACTOR_PCT, STK_WITHIN_MINUTES };

static bool stake_escalation(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	const struct rule_step *s = c->step;
	if (s->losing_streak_before < c->rule->param[STK_LOSING_STREAK] || s->stake_avg_before <= 0 ||
	    c->ev->stake * 100 < s->stake_avg_before * c->rule->param[STK_FACTOR_PCT])
		return false;
	/* Right after the losses, in the same sitting: a new session at a
	 * different stake is not chasing. */
	if (s->last_loss_before_ms == ENGINE_NO_TIME ||
	    c->now_ms - s->last_loss_before_ms > c->rule->param[STK_WITHIN_MINUTES] * MS_PER_MIN)
		return false;
	v[0] = c->ev->stake;
	v[1] = s->stake_avg_before;
	v[2] = s->losing_streak_before;
	return true;
}

static void stake_escalation_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				    const char *currency, char *buf, size_t len)
{
	char a[48], b[48];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	rule_fmt_money(b, sizeof(b), v[1], currency);
	snprintf(buf, len, "stake raised to %s after %lld losing rounds in a row (average stake %s)", a,
		 (long long)v[2], b);
}

static void stake_escalation_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r,
				   const char *currency, char *buf, size_t len)
{
	snprintf(buf, len, "stake raised well above the player's average after %lld losing rounds in a row",
		 (long long)v[2]);
}

/* Money at stake: the stake, and about what the streak cost. */
static int64_t stake_escalation_stake(const int64_t v[RULE_VALUES]) { return v[0] + v[1] * v[2]; }

const struct rule_def rule_chasing_stake_escalation = {
	.id = "loss_chasing.stake_escalation",
	.summary = "a stake of factor_pct% or more of the player's average stake within within_minutes of the last of losing_streak losing rounds in a row",
	.triggers = TRIGGER(EVENT_GAME_ROUND),
	.params = { { "losing_streak", PARAM_INT, 1, 1000, "rounds" },
		    { "factor_pct", PARAM_INT, 101, 100000, "% of the average stake" },
		    { "within_minutes", PARAM_INT, 1, 1440, "minutes" } },
	.eval = stake_escalation,
	.stake = stake_escalation_stake,
	.detail = stake_escalation_detail,
	.agent_detail = stake_escalation_agent,
};

/* ---- loss_chasing.redeposit_after_depletion ------------------------- */

enum { DEP_LOW_PCT, DEP_WITHIN_MINUTES };

static bool redeposit_after_depletion(const struct rule_ctx *c, int64_t v[RULE_VALUES])
{
	const struct rule_step *s = c->step;
	if (!approved_deposit(c) || s->minutes_after_loss < 0 ||
	    s->minutes_after_loss > c->rule->param[DEP_WITHIN_MINUTES])
		return false;
	/* The deposit before this one: the newest other than the current. */
	const struct recent_deposit *prev = NULL;
	for (int i = 0; i < ENGINE_RECENT_DEPOSITS; i++) {
		const struct recent_deposit *d = &c->st->deposits[i];
		if (d->ts_ms && d->ts_ms < c->now_ms && (!prev || d->ts_ms > prev->ts_ms))
			prev = d;
	}
	if (!prev || s->balance_before * 100 > prev->amount * c->rule->param[DEP_LOW_PCT])
		return false;
	v[0] = c->ev->amount;
	v[1] = s->balance_before;
	v[2] = s->minutes_after_loss;
	v[3] = prev->amount;
	return true;
}

static void redeposit_detail(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			     char *buf, size_t len)
{
	char a[48], b[48], p[48];
	rule_fmt_money(a, sizeof(a), v[0], currency);
	rule_fmt_money(b, sizeof(b), v[1], currency);
	rule_fmt_money(p, sizeof(p), v[3], currency);
	snprintf(buf, len, "deposited %s %lld min after a loss left the balance at %s of the previous %s deposit", a,
		 (long long)v[2], b, p);
}

static void redeposit_agent(const int64_t v[RULE_VALUES], const struct policy_rule *r, const char *currency,
			    char *buf, size_t len)
{
	snprintf(buf, len, "deposited again %lld min after a loss nearly emptied the balance of the previous deposit",
		 (long long)v[2]);
}

/* Money at stake: this deposit and the one it burnt through. */
static int64_t redeposit_stake(const int64_t v[RULE_VALUES]) { return v[0] + v[3]; }

const struct rule_def rule_chasing_redeposit_after_depletion = {
	.id = "loss_chasing.redeposit_after_depletion",
	.summary = "a deposit within within_minutes of a loss that left the estimated balance at low_pct% or less of the previous deposit",
	.triggers = TRIGGER(EVENT_DEPOSIT),
	.params = { { "low_pct", PARAM_INT, 0, 100, "% of the previous deposit" },
		    { "within_minutes", PARAM_INT, 1, 1440, "minutes" } },
	.eval = redeposit_after_depletion,
	.stake = redeposit_stake,
	.detail = redeposit_detail,
	.agent_detail = redeposit_agent,
};
