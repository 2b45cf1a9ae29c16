/* policy.h -- a jurisdiction's risk policy as data (a policies/ JSON file).
 *
 * A policy says which markers apply with which parameters, how many points
 * each is worth, where the level cut-offs are, what each level suggests and
 * how soon staff must act, and in which time zone calendar days are counted.
 * Money thresholds are given per currency. A policy is identified as
 * "name@sha256:HEX" of its canonical form (compact JSON, keys sorted), and
 * every decision records that identity.
 *
 * policy_load_json is the edge: the text is checked completely (unknown
 * keys, types, ranges, every money parameter given for every listed
 * currency) and an error names the offending field, e.g.
 *   rules["money.net_loss"].params.month.GBP: must be an integer from 1 to 10^15
 * It is pure (policy.c); policy_load reads the file or takes the built-in
 * policy (policy_file.c) and hands the text to it. */
#ifndef RGMON_POLICY_H
#define RGMON_POLICY_H

#include "rgmon/common.h"
#include "rgmon/event.h"
#include "rgmon/rules.h"
#include "rgmon/tz.h"

enum risk_level { LEVEL_GREEN, LEVEL_AMBER, LEVEL_RED, LEVEL_EXCLUDED, LEVEL_COUNT };
/* What an alert suggests staff do. The first three answer harm; the others
 * are the tasks regulators mandate (DESIGN 1.3, additions 2026-12). */
enum risk_action {
	ACTION_LIMITS,
	ACTION_PAUSE,
	ACTION_SELF_EXCLUSION,
	ACTION_FINANCIAL_CHECK,
	ACTION_CONTACT,
	ACTION_DEPOSIT_BLOCK,
	/* the operator broke a product or payment rule (a slot stake over the
	 * cap, a reversed withdrawal): review the controls, and report the
	 * breach where the regulator requires it */
	ACTION_COMPLIANCE_REVIEW,
	ACTION_COUNT
};

/* How a pack counts a week or a month ("periods"): the last 7 or 30 local
 * days, or the calendar week (ISO, from Monday) or month (from the 1st)
 * so far, in the pack's time zone. A day is one local day either way. */
enum period_rule { PERIOD_ROLLING, PERIOD_CALENDAR, PERIOD_RULE_COUNT };
const char *period_rule_name(enum period_rule r);

/* A rule's kind: a marker of harm, scored; or an obligation, a check,
 * contact or block a regulator mandates, which always reaches staff. */
enum rule_kind { RULE_KIND_HARM, RULE_KIND_OBLIGATION, RULE_KIND_COUNT };
const char *rule_kind_name(enum rule_kind k);

#define POLICY_NAME_MAX 48
#define POLICY_ID_MAX (POLICY_NAME_MAX + 8 + 64) /* name@sha256:hex */
#define POLICY_CURRENCIES_MAX 8
#define POLICY_BANDS_MAX 4
#define POLICY_TEXT_MAX (256 * 1024)
#define POLICY_SOURCE_MAX 200 /* bytes of a rule's "source" */
#define POLICY_COUNTRIES_MAX 16

/* "effective_from" not given: in force since always. */
#define POLICY_NO_DATE INT32_MIN

/* An age band of a regulatory threshold: ages min_age..max_age (inclusive;
 * max_age 0 = no upper bound), threshold per policy currency, in force
 * from the local day effective_from (days since 1970-01-01). */
struct policy_band {
	int32_t min_age, max_age;
	int32_t effective_from;
	int64_t threshold[POLICY_CURRENCIES_MAX];
};

/* One rule's settings. Parameters are stored by their position in the
 * rule's parameter table (rules.h): integers and booleans in `param`,
 * money in `money` (per policy currency), age bands in `bands`. */
struct policy_rule {
	bool enabled;
	enum rule_kind kind;
	/* Where the rule and its numbers come from: a regulation and article,
	 * or "rgmon house rule". Only a rule whose number a regulator sets is
	 * called regulatory. */
	char source[POLICY_SOURCE_MAX + 1];
	/* The local day (days since 1970-01-01) from which the rule holds, for
	 * a rule that starts on a date; POLICY_NO_DATE = always. */
	int32_t effective_from;
	bool strong;          /* skips scoring: red and an alert at once */
	bool amber_only;      /* "max_level": "amber": alone, such markers never make a player red */
	int32_t weight;       /* points at full strength, 0-100 */
	int32_t action;       /* enum risk_action, or -1 = the level's action */
	int32_t due_minutes;  /* -1 = the level's due time */
	int64_t param[RULE_PARAMS_MAX];
	int64_t money[RULE_PARAMS_MAX][POLICY_CURRENCIES_MAX];
	int nbands;
	struct policy_band bands[POLICY_BANDS_MAX];
	/* PARAM_TIERS: the amount per tier and currency; 0 = tier not used. */
	int64_t tiers[RULE_PARAMS_MAX][TIER_COUNT][POLICY_CURRENCIES_MAX];
};

/* "review" (four eyes): which resolutions of an alert a second person
 * must approve. levels[outcome] (enum alert_outcome, alert_decide.h) is a
 * bit per alert level, 1 << LEVEL_AMBER / LEVEL_RED. A pack that says
 * nothing gets POLICY_REVIEW_DEFAULT_SOURCE's rule: closing a red alert
 * as false_positive or contacted_no_action (no intervention at all) needs
 * a second person. */
#define POLICY_OUTCOMES_MAX 8
#define POLICY_REVIEW_DEFAULT_SOURCE                                                                  \
	"rgmon house rule (default): a red alert closed without an intervention is checked by a " \
	"second person"
struct policy_review {
	char source[POLICY_SOURCE_MAX + 1];
	uint8_t levels[POLICY_OUTCOMES_MAX];
};

struct policy {
	char name[POLICY_NAME_MAX + 1];
	char id[POLICY_ID_MAX + 1];          /* name@sha256:hex */
	char jurisdiction[3];                /* ISO 3166-1 alpha-2, "" for default */
	char language[3];                    /* "language": ISO 639-1 of the players, "" not given (talk.h) */
	/* The account countries (ISO 3166-1 alpha-2) this pack governs; none
	 * for a fallback pack, which scores everyone else (policy_set.h). */
	int ncountries;
	char countries[POLICY_COUNTRIES_MAX][3];
	char tz_name[64];                    /* IANA name, for people */
	struct tz_rule tz;                   /* POSIX rule, for the engine */
	int ncurrencies;
	char currencies[POLICY_CURRENCIES_MAX][4];
	int32_t half_life_minutes;           /* marker points halve in this time */
	int32_t cutoff[LEVEL_COUNT];         /* score from which a level starts (amber, red) */
	int32_t hysteresis;                  /* a level falls only below cutoff - hysteresis */
	int32_t action_for[LEVEL_COUNT];     /* enum risk_action per level */
	int32_t due_minutes[LEVEL_COUNT];    /* alert due time per level */
	int32_t limit_raise_delay_minutes;   /* a raised player limit applies after this */
	/* "limit_raise_after_period": and not before the period (day, week,
	 * month) running when it was raised has ended (Sweden). */
	bool limit_raise_after_period;
	/* "periods": how the windows named week and month and the player's
	 * weekly and monthly limits are counted; enum period_rule per enum
	 * limit_period. Absent: rolling. */
	uint8_t periods[PERIOD_COUNT];
	/* "material": the money per currency from which a pattern (loss
	 * chasing...) counts in full; below it its points shrink in
	 * proportion. 0 = not given: patterns count in full. */
	int64_t material[POLICY_CURRENCIES_MAX];
	struct policy_rule rules[RULE_COUNT];
	struct policy_review review;
	/* Derived when the pack is loaded: the enabled rules an event of each
	 * type triggers (rule_defs[r]->triggers), in rule order -- the
	 * engine's pass visits only these, rather than testing all RULE_COUNT
	 * of ~2 KB apart for every event. */
	uint8_t type_rules[EVENT_TYPE_COUNT][RULE_COUNT];
	uint8_t ntype_rules[EVENT_TYPE_COUNT];
};

/* Parses and checks a policy. Returns 0, or -1 with err naming the field. */
int policy_load_json(struct policy *p, const char *text, size_t len, char *err, size_t errlen);
/* Loads --policy FILE, or the built-in policy (policies/default.json,
 * compiled in) when path is NULL. When text is not NULL, *text receives the
 * policy's bytes (malloc'd, NUL-terminated; the caller frees), e.g. to keep
 * them in the store for later replays. */
int policy_load(struct policy *p, const char *path, char **text, char *err, size_t errlen);

/* Index of a currency in the policy, or -1 when the policy has no money
 * thresholds for it (money markers then stay silent for that player). */
int policy_currency_index(const struct policy *p, const char *currency);

/* Whether resolving an alert of this level with this outcome (enum
 * alert_outcome) needs a second person's approval under the pack. */
bool policy_review_needed(const struct policy *p, int outcome, enum risk_level level);

const char *risk_level_name(enum risk_level l);
const char *risk_action_name(enum risk_action a);

#endif
