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
	RULE_COUNT
};

enum rule_param_kind {
	PARAM_INT,   /* integer in [min, max] */
	PARAM_BOOL,  /* true / false */
	PARAM_MONEY, /* {"GBP": minor units, ...}: one per policy currency */
	PARAM_BANDS  /* [{"min_age":18,"max_age":23,"threshold":{...}}, ...] */
};

#define RULE_PARAMS_MAX 5
#define RULE_VALUES 4   /* numbers a firing keeps for its explanation */
#define RULE_DETAIL_MAX 200

struct rule_param {
	const char *name;
	enum rule_param_kind kind;
	int64_t min, max; /* PARAM_INT */
	const char *unit; /* for people: "minutes", "%", ... */
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

struct rule_def {
	const char *id;       /* "loss_chasing.deposit_after_loss" */
	const char *summary;  /* one line, for `rgmon policy check` and docs */
	uint32_t triggers;    /* bit (1u << enum event_type) per event type that evaluates it */
	struct rule_param params[RULE_PARAMS_MAX];
	rule_eval_fn eval;
	rule_detail_fn detail;
};

extern const struct rule_def *const rule_defs[RULE_COUNT];

/* The rule with this id, or -1. */
int rule_find(const char *id);
/* Position of a named parameter in a rule's table, or -1. */
int rule_param_find(const struct rule_def *d, const char *name);

#endif
