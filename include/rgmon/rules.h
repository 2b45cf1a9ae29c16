/* rules.h -- the table of risk markers: one row per rule, with its id as
 * policies name it, the events that evaluate it, its parameters and the
 * functions that test it and explain it.
 *
 * The evaluators live in src/rules/<family>.c, one small pure function each;
 * the table itself is src/rules/table.c. A policy (policy.h) switches rules
 * on and gives their parameters; the engine (engine.h) runs them. */
#ifndef RGMON_RULES_H
#define RGMON_RULES_H

#include "rgmon/common.h"

enum rule_id {
	/* player-set limits and regulatory thresholds (src/rules/limits.c) */
	RULE_LIMITS_NEAR_BREACH,
	RULE_LIMITS_BREACH,
	RULE_LIMITS_DECLINED_AT_LIMIT,
	RULE_LIMITS_RAISE_IN_COOLING_OFF,
	RULE_LIMITS_HIGH_LIMIT,
	RULE_REGULATORY_DEPOSITS,
	RULE_REGULATORY_NET_LOSS,
	/* loss chasing (src/rules/chasing.c) */
	RULE_CHASING_DEPOSIT_AFTER_LOSS,
	RULE_CHASING_DEPOSITS_IN_SESSION,
	RULE_CHASING_ESCALATING_DEPOSITS,
	RULE_CHASING_REVERSED_WITHDRAWALS,
	RULE_CHASING_STAKE_ESCALATION,
	RULE_CHASING_REDEPOSIT_AFTER_DEPLETION,
	/* intensity and time (src/rules/intensity.c) */
	RULE_INTENSITY_DAY_ONE,
	RULE_INTENSITY_FIRST_30_DAYS,
	RULE_INTENSITY_LONG_SESSION,
	RULE_INTENSITY_DAILY_PLAY_TIME,
	RULE_INTENSITY_NIGHT_PLAY,
	RULE_INTENSITY_RISING_TREND,
	/* money (src/rules/money.c) */
	RULE_MONEY_NET_LOSS,
	RULE_MONEY_INSTRUMENTS,
	RULE_MONEY_DECLINED_BURST,
	/* contact (src/rules/contact.c) */
	RULE_CONTACT_BONUS_REQUESTS,
	RULE_CONTACT_WITHDRAWAL_COMPLAINTS,
	/* exclusion (src/rules/exclusion.c) */
	RULE_EXCLUSION_BREACH,
	/* absolute money, in tiers up to strong (src/rules/money.c). Appended
	 * here, not beside the money family: the state codec keeps when each
	 * rule last held by position, so new rules only ever go at the end. */
	RULE_MONEY_DEPOSITED,
	RULE_MONEY_LOST,
	RULE_MONEY_STAKED,
	RULE_MONEY_NEW_ACCOUNT,
	/* breaches of the operator's own duties: product and payment rules
	 * a regulator sets (src/rules/compliance.c), and the Spanish
	 * intensive-player status (src/rules/limits.c). Appended, as above. */
	RULE_COMPLIANCE_SLOT_STAKE,
	RULE_COMPLIANCE_SLOT_CYCLE,
	RULE_COMPLIANCE_REVERSED_WITHDRAWAL,
	RULE_COMPLIANCE_CREDIT_DEPOSIT,
	RULE_REGULATORY_INTENSIVE_PLAYER,
	RULE_COUNT
};

enum rule_param_kind {
	PARAM_INT,   /* integer in [min, max] */
	PARAM_BOOL,  /* true / false */
	PARAM_MONEY, /* {"GBP": minor units, ...}: one per policy currency */
	PARAM_BANDS, /* [{"min_age":18,"max_age":23,"threshold":{...}}, ...]; a band
		      * may carry "effective_from": "YYYY-MM-DD" */
	PARAM_TIERS  /* {"amber": {money}, "red": {money}, "strong": {money}}: any of them;
		      * an absent param or tier is not used */
};

/* The tiers of a PARAM_TIERS parameter, in rising order. */
enum rule_tier { TIER_NONE, TIER_AMBER, TIER_RED, TIER_STRONG, TIER_COUNT };

/* What a firing may be worth instead of its rule's weight (rule_points_fn):
 * points 1-100, or this, which is red and an alert at once, like a rule
 * marked "strong" in the pack. */
#define RULE_POINTS_STRONG 101

#define RULE_PARAMS_MAX 5
#define RULE_VALUES 4   /* numbers a firing keeps for its explanation */
#define RULE_DETAIL_MAX 200

struct rule_param {
	const char *name;
	enum rule_param_kind kind;
	int64_t min, max; /* PARAM_INT */
	const char *unit; /* for people: "minutes", "%", ... */
	bool optional;    /* may be left out of a pack: 0, or for tiers "not used" */
};

struct rule_ctx;    /* src/rules/rule_ctx.h: what an evaluator may look at */
struct policy_rule;

/* Tests the rule after the event has been applied. Returns true when the
 * marker holds, with the numbers behind it in v (for the explanation). */
typedef bool (*rule_eval_fn)(const struct rule_ctx *c, int64_t v[RULE_VALUES]);
/* Writes the explanation from those numbers, e.g. "3 deposits (4,500.00
 * SEK) within 30 min of losing 2,000.00 SEK". currency may be "". */
typedef void (*rule_detail_fn)(const int64_t v[RULE_VALUES], const struct policy_rule *r,
			       const char *currency, char *buf, size_t len);

/* Optional: the points this firing is worth at full strength (1-100 or
 * RULE_POINTS_STRONG), for rules whose strength varies with what they
 * found: a money tier, the days a marker held on. Without it a firing is
 * worth the rule's weight. */
typedef int (*rule_points_fn)(const struct rule_ctx *c, const int64_t v[RULE_VALUES]);
/* Optional: the money at stake in a pattern (loss chasing and the like),
 * read from the firing's numbers. The engine scales the pattern's points
 * by min(1, stake / the pack's "material" amount), so a pattern with
 * pocket money at stake cannot make a player red. */
typedef int64_t (*rule_stake_fn)(const int64_t v[RULE_VALUES]);
/* Optional, for rules that count deposits: after eval held on the same
 * context, the event times of the deposits it counted (v[0] of them, from
 * the player's recent deposits) into ts, and their number. The alert page
 * shows each of them as the evidence of the count. Does not read c->step. */
#define RULE_COUNTED_MAX 6 /* ENGINE_RECENT_DEPOSITS */
typedef int (*rule_counted_fn)(const struct rule_ctx *c, int64_t ts[RULE_COUNTED_MAX]);

struct rule_def {
	const char *id;       /* "loss_chasing.deposit_after_loss" */
	const char *summary;  /* one line, for `rgmon policy check` and docs */
	uint32_t triggers;    /* bit (1u << enum event_type) per event type that evaluates it */
	struct rule_param params[RULE_PARAMS_MAX];
	rule_eval_fn eval;
	rule_detail_fn detail;
	/* The explanation for support agents (DESIGN 1.3 additions): the same
	 * finding in words, without money amounts or the player's age -- counts,
	 * minutes and percentages of a limit stay. NULL: agents read the
	 * summary. */
	rule_detail_fn agent_detail;
	rule_points_fn points; /* NULL: the rule's weight */
	rule_stake_fn stake;   /* NULL: not scaled by money at stake */
	rule_counted_fn counted; /* NULL: the rule counts no deposits */
	/* A money measure with tiers: below its red tier it calls for a look,
	 * like an amber-only marker, and cannot make red with them alone. */
	bool money_tier;
};

extern const struct rule_def *const rule_defs[RULE_COUNT];

/* "4,500 SEK", "4,500.50 EUR", "12,000 JPY"; without a currency the minor
 * units themselves. A saturated sum (+-ENGINE_SUM_MAX) reads "at least
 * 21,474,836.47 EUR" ("at most" when negative). The one money format of
 * reasons and of `player show`. */
void rule_fmt_money(char *buf, size_t len, int64_t minor, const char *currency);

/* The rule with this id, or -1. */
int rule_find(const char *id);
/* Position of a named parameter in a rule's table, or -1. */
int rule_param_find(const struct rule_def *d, const char *name);

#endif
