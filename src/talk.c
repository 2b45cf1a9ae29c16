/* talk.c -- talking points from talk files (talk.h). Pure. */
#include "rgmon/talk.h"
#include "rgmon/digest.h"
#include "rgmon/event.h"
#include "rgmon/talk_fmt.h"
#include "rgmon/tz.h"

#include <stdio.h>
#include <string.h>

static const char *const tool_names[TALK_TOOL_COUNT] = { "deposit_limit", "loss_limit", "time_out",
							 "reality_check", "self_exclusion", "help_line" };

const char *talk_tool_name(enum talk_tool t) { return t < TALK_TOOL_COUNT ? tool_names[t] : "?"; }

int talk_tool_parse(const char *s)
{
	for (int t = 0; t < TALK_TOOL_COUNT; t++)
		if (s && strcmp(s, tool_names[t]) == 0)
			return t;
	return -1;
}

/* What to offer for each suggested action, most fitting first; the help
 * line always, and the register where self-exclusion is the point. */
static const enum talk_tool action_tools[ACTION_COUNT][TALK_TOOL_COUNT + 1] = {
	[ACTION_LIMITS] = { TALK_TOOL_DEPOSIT_LIMIT, TALK_TOOL_LOSS_LIMIT, TALK_TOOL_REALITY_CHECK, TALK_TOOL_HELP_LINE,
			    TALK_TOOL_COUNT },
	[ACTION_PAUSE] = { TALK_TOOL_TIME_OUT, TALK_TOOL_DEPOSIT_LIMIT, TALK_TOOL_SELF_EXCLUSION, TALK_TOOL_HELP_LINE,
			   TALK_TOOL_COUNT },
	[ACTION_SELF_EXCLUSION] = { TALK_TOOL_SELF_EXCLUSION, TALK_TOOL_TIME_OUT, TALK_TOOL_HELP_LINE, TALK_TOOL_COUNT },
	[ACTION_FINANCIAL_CHECK] = { TALK_TOOL_DEPOSIT_LIMIT, TALK_TOOL_LOSS_LIMIT, TALK_TOOL_HELP_LINE, TALK_TOOL_COUNT },
	[ACTION_CONTACT] = { TALK_TOOL_REALITY_CHECK, TALK_TOOL_DEPOSIT_LIMIT, TALK_TOOL_TIME_OUT, TALK_TOOL_HELP_LINE,
			     TALK_TOOL_COUNT },
	[ACTION_DEPOSIT_BLOCK] = { TALK_TOOL_TIME_OUT, TALK_TOOL_SELF_EXCLUSION, TALK_TOOL_HELP_LINE, TALK_TOOL_COUNT },
	[ACTION_COMPLIANCE_REVIEW] = { TALK_TOOL_DEPOSIT_LIMIT, TALK_TOOL_REALITY_CHECK, TALK_TOOL_HELP_LINE,
				       TALK_TOOL_COUNT },
};

int talk_action_tools(enum risk_action a, enum talk_tool out[TALK_TOOL_COUNT])
{
	int n = 0;
	if (a >= ACTION_COUNT)
		return 0;
	while (n < TALK_TOOL_COUNT && action_tools[a][n] != TALK_TOOL_COUNT) {
		out[n] = action_tools[a][n];
		n++;
	}
	return n;
}

/* ---- the numbers of each rule's marker ------------------------------------ */

/* How a number is read from a marker's values v[] (rules.h: each rule's
 * detail function says what its v[] hold) or its rule's parameters. */
enum talk_value_kind {
	TV_INT,          /* v[a] */
	TV_PARAM,        /* the rule's integer parameter a */
	TV_MONEY,        /* v[a], minor units: withheld from agents */
	TV_MONEY_POS,    /* the same, 0 when negative */
	TV_DURATION,     /* v[a] minutes */
	TV_PCT,          /* v[a] percent */
	TV_PCT_OF,       /* v[a] * 100 / v[b] */
	TV_SECONDS,      /* v[a] milliseconds */
	TV_LIMIT,        /* v[a] = kind * PERIOD_COUNT + period: "the weekly deposit limit" */
	TV_DEPOSIT_LIMIT,/* v[a] = period */
	TV_TIER_WINDOW,  /* v[a] % 1000 hours: "the last 24 hours" */
	TV_LOSS_WINDOW,  /* money.net_loss: v[0] days, v[3] calendar period + 1 */
	TV_REG_WINDOW,   /* regulatory: v[3] >> 1, else the window_days parameter a */
	TV_REG_WHAT,     /* regulatory.deposits: v[3] & 1 net deposits */
	TV_NEWACC_WHAT,  /* money.new_account: v[0] >= 1000 a net loss */
};

struct talk_value {
	const char *name;
	int rule;
	enum talk_value_kind kind;
	int a, b;
};

static const struct talk_value talk_values[] = {
	{ "limit", RULE_LIMITS_NEAR_BREACH, TV_LIMIT, 0, 0 },
	{ "pct", RULE_LIMITS_NEAR_BREACH, TV_PCT_OF, 1, 2 },
	{ "limit", RULE_LIMITS_BREACH, TV_DEPOSIT_LIMIT, 0, 0 },
	{ "deposited", RULE_LIMITS_BREACH, TV_MONEY, 1, 0 },
	{ "limit_value", RULE_LIMITS_BREACH, TV_MONEY, 2, 0 },
	{ "attempts", RULE_LIMITS_DECLINED_AT_LIMIT, TV_INT, 0, 0 },
	{ "limit", RULE_LIMITS_DECLINED_AT_LIMIT, TV_DEPOSIT_LIMIT, 1, 0 },
	{ "pct", RULE_LIMITS_DECLINED_AT_LIMIT, TV_PCT, 2, 0 },
	{ "limit", RULE_LIMITS_RAISE_IN_COOLING_OFF, TV_LIMIT, 0, 0 },
	{ "hours", RULE_LIMITS_RAISE_IN_COOLING_OFF, TV_INT, 3, 0 },
	{ "cooling_off_hours", RULE_LIMITS_RAISE_IN_COOLING_OFF, TV_PARAM, 0, 0 },
	{ "limit", RULE_LIMITS_HIGH_LIMIT, TV_LIMIT, 0, 0 },
	{ "value", RULE_LIMITS_HIGH_LIMIT, TV_MONEY, 1, 0 },
	{ "monthly", RULE_LIMITS_HIGH_LIMIT, TV_MONEY, 2, 0 },
	{ "what", RULE_REGULATORY_DEPOSITS, TV_REG_WHAT, 3, 0 },
	{ "amount", RULE_REGULATORY_DEPOSITS, TV_MONEY, 0, 0 },
	{ "threshold", RULE_REGULATORY_DEPOSITS, TV_MONEY, 1, 0 },
	{ "window", RULE_REGULATORY_DEPOSITS, TV_REG_WINDOW, 0, 0 },
	{ "net_loss", RULE_REGULATORY_NET_LOSS, TV_MONEY, 0, 0 },
	{ "threshold", RULE_REGULATORY_NET_LOSS, TV_MONEY, 1, 0 },
	{ "window", RULE_REGULATORY_NET_LOSS, TV_REG_WINDOW, 0, 0 },
	{ "deposits", RULE_CHASING_DEPOSIT_AFTER_LOSS, TV_INT, 0, 0 },
	{ "deposited", RULE_CHASING_DEPOSIT_AFTER_LOSS, TV_MONEY, 1, 0 },
	{ "net_loss", RULE_CHASING_DEPOSIT_AFTER_LOSS, TV_MONEY, 2, 0 },
	{ "within_minutes", RULE_CHASING_DEPOSIT_AFTER_LOSS, TV_PARAM, 1, 0 },
	{ "window_hours", RULE_CHASING_DEPOSIT_AFTER_LOSS, TV_PARAM, 3, 0 },
	{ "deposits", RULE_CHASING_DEPOSITS_IN_SESSION, TV_INT, 0, 0 },
	{ "deposited", RULE_CHASING_DEPOSITS_IN_SESSION, TV_MONEY, 1, 0 },
	{ "duration", RULE_CHASING_DEPOSITS_IN_SESSION, TV_DURATION, 2, 0 },
	{ "deposits", RULE_CHASING_ESCALATING_DEPOSITS, TV_INT, 0, 0 },
	{ "first", RULE_CHASING_ESCALATING_DEPOSITS, TV_MONEY, 1, 0 },
	{ "last", RULE_CHASING_ESCALATING_DEPOSITS, TV_MONEY, 2, 0 },
	{ "window_hours", RULE_CHASING_ESCALATING_DEPOSITS, TV_PARAM, 2, 0 },
	{ "withdrawals", RULE_CHASING_REVERSED_WITHDRAWALS, TV_INT, 0, 0 },
	{ "window_days", RULE_CHASING_REVERSED_WITHDRAWALS, TV_PARAM, 1, 0 },
	{ "stake", RULE_CHASING_STAKE_ESCALATION, TV_MONEY, 0, 0 },
	{ "average", RULE_CHASING_STAKE_ESCALATION, TV_MONEY, 1, 0 },
	{ "losing_rounds", RULE_CHASING_STAKE_ESCALATION, TV_INT, 2, 0 },
	{ "deposited", RULE_CHASING_REDEPOSIT_AFTER_DEPLETION, TV_MONEY, 0, 0 },
	{ "balance", RULE_CHASING_REDEPOSIT_AFTER_DEPLETION, TV_MONEY, 1, 0 },
	{ "minutes", RULE_CHASING_REDEPOSIT_AFTER_DEPLETION, TV_INT, 2, 0 },
	{ "previous", RULE_CHASING_REDEPOSIT_AFTER_DEPLETION, TV_MONEY, 3, 0 },
	{ "deposited", RULE_INTENSITY_DAY_ONE, TV_MONEY, 0, 0 },
	{ "net_loss", RULE_INTENSITY_DAY_ONE, TV_MONEY_POS, 1, 0 },
	{ "hours", RULE_INTENSITY_DAY_ONE, TV_INT, 2, 0 },
	{ "deposited", RULE_INTENSITY_FIRST_30_DAYS, TV_MONEY, 0, 0 },
	{ "net_loss", RULE_INTENSITY_FIRST_30_DAYS, TV_MONEY_POS, 1, 0 },
	{ "hours", RULE_INTENSITY_FIRST_30_DAYS, TV_INT, 2, 0 },
	{ "duration", RULE_INTENSITY_LONG_SESSION, TV_DURATION, 0, 0 },
	{ "hours", RULE_INTENSITY_LONG_SESSION, TV_PARAM, 0, 0 },
	{ "duration", RULE_INTENSITY_DAILY_PLAY_TIME, TV_DURATION, 0, 0 },
	{ "hours", RULE_INTENSITY_DAILY_PLAY_TIME, TV_PARAM, 0, 0 },
	{ "nights", RULE_INTENSITY_NIGHT_PLAY, TV_INT, 0, 0 },
	{ "rounds", RULE_INTENSITY_NIGHT_PLAY, TV_INT, 1, 0 },
	{ "window_days", RULE_INTENSITY_NIGHT_PLAY, TV_PARAM, 1, 0 },
	{ "staked", RULE_INTENSITY_RISING_TREND, TV_MONEY, 0, 0 },
	{ "baseline", RULE_INTENSITY_RISING_TREND, TV_MONEY, 1, 0 },
	{ "pct", RULE_INTENSITY_RISING_TREND, TV_PCT, 2, 0 },
	{ "net_loss", RULE_MONEY_NET_LOSS, TV_MONEY, 1, 0 },
	{ "window", RULE_MONEY_NET_LOSS, TV_LOSS_WINDOW, 0, 0 },
	{ "instruments", RULE_MONEY_INSTRUMENTS, TV_INT, 0, 0 },
	{ "window_days", RULE_MONEY_INSTRUMENTS, TV_PARAM, 1, 0 },
	{ "attempts", RULE_MONEY_DECLINED_BURST, TV_INT, 0, 0 },
	{ "window_minutes", RULE_MONEY_DECLINED_BURST, TV_PARAM, 1, 0 },
	{ "contacts", RULE_CONTACT_BONUS_REQUESTS, TV_INT, 0, 0 },
	{ "window_days", RULE_CONTACT_BONUS_REQUESTS, TV_PARAM, 1, 0 },
	{ "contacts", RULE_CONTACT_WITHDRAWAL_COMPLAINTS, TV_INT, 0, 0 },
	{ "window_days", RULE_CONTACT_WITHDRAWAL_COMPLAINTS, TV_PARAM, 1, 0 },
	{ "amount", RULE_EXCLUSION_BREACH, TV_MONEY, 1, 0 },
	{ "hours", RULE_EXCLUSION_BREACH, TV_INT, 2, 0 },
	{ "amount", RULE_MONEY_DEPOSITED, TV_MONEY, 1, 0 },
	{ "window", RULE_MONEY_DEPOSITED, TV_TIER_WINDOW, 0, 0 },
	{ "amount", RULE_MONEY_LOST, TV_MONEY, 1, 0 },
	{ "window", RULE_MONEY_LOST, TV_TIER_WINDOW, 0, 0 },
	{ "amount", RULE_MONEY_STAKED, TV_MONEY, 1, 0 },
	{ "window", RULE_MONEY_STAKED, TV_TIER_WINDOW, 0, 0 },
	{ "what", RULE_MONEY_NEW_ACCOUNT, TV_NEWACC_WHAT, 0, 0 },
	{ "amount", RULE_MONEY_NEW_ACCOUNT, TV_MONEY, 1, 0 },
	{ "window", RULE_MONEY_NEW_ACCOUNT, TV_TIER_WINDOW, 0, 0 },
	{ "stake", RULE_COMPLIANCE_SLOT_STAKE, TV_MONEY, 0, 0 },
	{ "max_stake", RULE_COMPLIANCE_SLOT_STAKE, TV_MONEY, 1, 0 },
	{ "gap", RULE_COMPLIANCE_SLOT_CYCLE, TV_SECONDS, 0, 0 },
	{ "min_gap", RULE_COMPLIANCE_SLOT_CYCLE, TV_SECONDS, 1, 0 },
	{ "amount", RULE_COMPLIANCE_REVERSED_WITHDRAWAL, TV_MONEY, 0, 0 },
	{ "amount", RULE_COMPLIANCE_CREDIT_DEPOSIT, TV_MONEY, 0, 0 },
	{ "net_loss", RULE_REGULATORY_INTENSIVE_PLAYER, TV_MONEY, 0, 0 },
	{ "threshold", RULE_REGULATORY_INTENSIVE_PLAYER, TV_MONEY, 1, 0 },
	{ "window_days", RULE_REGULATORY_INTENSIVE_PLAYER, TV_PARAM, 0, 0 },
};

/* The words a number may stand for ("limit.deposit.week"), in the words
 * section of every language file. */
static const char *const word_keys[] = {
	"limit.deposit.day", "limit.deposit.week", "limit.deposit.month", "limit.loss.day", "limit.loss.week",
	"limit.loss.month", "limit.session_time.day", "limit.session_time.week", "limit.session_time.month",
	"window.last_hour", "window.hours", "window.days", "window.today", "window.calendar_week",
	"window.calendar_month", "what.deposits", "what.net_deposits", "what.deposited", "what.lost",
	/* the agent card's labels (api_talk.c) */
	"card.reasons", "card.opening", "card.observations", "card.questions", "card.offer", "card.avoid", "card.help",
	"card.suppressed", "card.not_suppressed",
};

static const char *const action_keys[ACTION_COUNT] = { "limits", "pause", "self_exclusion", "financial_check",
						       "contact", "deposit_block", "compliance_review" };

/* ---- filling a template --------------------------------------------------- */

/* A placeholder's value: 1 written to out, 0 withheld (leave the [ ] part
 * out), -1 unknown. */
typedef int (*talk_value_fn)(void *ctx, const char *name, char *out, size_t outlen);

/* A left-out part may leave a double space, or one before a full stop or
 * comma, or at either end: take those out. */
static void tidy_spaces(char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		char next = s[i + 1];
		if (s[i] == ' ' && (o == 0 || next == ' ' || next == '.' || next == ',' || next == '\0'))
			continue;
		s[o++] = s[i];
	}
	s[o] = '\0';
}

/* Writes tpl with its {names} filled into out. A [ ] part whose number is
 * withheld is left out. Returns 0, or -1 with err. */
static int fill(const char *tpl, talk_value_fn value, void *ctx, char *out, size_t outlen, char *err, size_t errlen)
{
	char part[TALK_TEXT_MAX] = "", val[TALK_TEXT_MAX];
	size_t o = 0, p = 0;
	bool in_part = false, part_ok = true;
	out[0] = '\0';
	for (const char *s = tpl; *s; s++) {
		const char *piece = s;
		size_t plen = 1;
		if (*s == '[') {
			if (in_part)
				return seterr(err, errlen, "\"[\" inside [ ]");
			in_part = true, part_ok = true, p = 0;
			continue;
		}
		if (*s == ']') {
			if (!in_part)
				return seterr(err, errlen, "\"]\" without \"[\"");
			in_part = false;
			if (part_ok && o + p < outlen) {
				memcpy(out + o, part, p);
				o += p;
			}
			continue;
		}
		if (*s == '{') {
			const char *end = strchr(s, '}');
			char name[64];
			if (!end || (size_t)(end - s - 1) >= sizeof(name) || end == s + 1)
				return seterr(err, errlen, "\"{\" without a name and \"}\"");
			memcpy(name, s + 1, (size_t)(end - s - 1));
			name[end - s - 1] = '\0';
			int got = value(ctx, name, val, sizeof(val));
			if (got < 0)
				return seterr(err, errlen, "{%s}: unknown here", name);
			if (got == 0 && !in_part)
				return seterr(err, errlen, "{%s}: may not be shown to every reader; put it inside [ ]", name);
			part_ok &= got == 1;
			piece = val, plen = got == 1 ? strlen(val) : 0;
			s = end;
		} else if (*s == '}') {
			return seterr(err, errlen, "\"}\" without \"{\"");
		}
		char *dst = in_part ? part : out;
		size_t *at = in_part ? &p : &o, cap = in_part ? sizeof(part) : outlen;
		if (*at + plen >= cap)
			return seterr(err, errlen, "longer than %d bytes when filled", TALK_TEXT_MAX);
		memcpy(dst + *at, piece, plen);
		*at += plen;
	}
	if (in_part)
		return seterr(err, errlen, "\"[\" without \"]\"");
	out[o < outlen ? o : outlen - 1] = '\0';
	tidy_spaces(out);
	return 0;
}

/* A word of the language file with {n} filled in. */
static int word(const struct talk_lang *l, const char *key, int64_t n, char *out, size_t outlen)
{
	const char *w = json_string_value(json_object_get(json_object_get(l->doc, "words"), key));
	if (!w)
		return -1;
	char num[48];
	talk_fmt_int(num, sizeof(num), n, l->lang);
	const char *at = strstr(w, "{n}");
	if (at)
		snprintf(out, outlen, "%.*s%s%s", (int)(at - w), w, num, at + 3);
	else
		snprintf(out, outlen, "%s", w);
	return 1;
}

struct marker_fill {
	const struct talk_lang *lang;
	const struct marker *m;
	const struct policy *pol;
	const char *cur;
	enum risk_view view;
};

static int limit_word(const struct talk_lang *l, int kind, int period, char *out, size_t outlen)
{
	char key[64];
	snprintf(key, sizeof(key), "limit.%s.%s", limit_kind_name((enum limit_kind)(kind % LIMIT_KIND_COUNT)),
		 limit_period_name((enum limit_period)(period % PERIOD_COUNT)));
	return word(l, key, 0, out, outlen);
}

static int marker_value(void *ctx, const char *name, char *out, size_t outlen)
{
	struct marker_fill *f = ctx;
	const char *lang = f->lang->lang;
	const struct marker *m = f->m;
	if (strcmp(name, "when") == 0) {
		int64_t ms = (int64_t)m->at_min * MS_PER_MIN;
		talk_fmt_when(out, outlen, ms, tz_offset_at(&f->pol->tz, ms), lang);
		return 1;
	}
	const struct talk_value *tv = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(talk_values) && !tv; i++)
		if (talk_values[i].rule == m->rule && strcmp(talk_values[i].name, name) == 0)
			tv = &talk_values[i];
	if (!tv)
		return -1;
	int64_t a = m->v[tv->a], b = m->v[tv->b];
	const struct policy_rule *r = &f->pol->rules[m->rule];
	switch (tv->kind) {
	case TV_INT:
		talk_fmt_int(out, outlen, a, lang);
		return 1;
	case TV_PARAM:
		talk_fmt_int(out, outlen, r->param[tv->a], lang);
		return 1;
	case TV_MONEY:
	case TV_MONEY_POS:
		if (f->view == RISK_VIEW_AGENT)
			return 0;
		talk_fmt_money(out, outlen, tv->kind == TV_MONEY_POS && a < 0 ? 0 : a, f->cur, lang);
		return 1;
	case TV_DURATION:
		talk_fmt_duration(out, outlen, a);
		return 1;
	case TV_PCT:
		talk_fmt_pct(out, outlen, a, lang);
		return 1;
	case TV_PCT_OF:
		talk_fmt_pct(out, outlen, b ? a * 100 / b : 0, lang);
		return 1;
	case TV_SECONDS:
		talk_fmt_seconds(out, outlen, a, lang);
		return 1;
	case TV_LIMIT:
		return limit_word(f->lang, (int)(a / PERIOD_COUNT), (int)(a % PERIOD_COUNT), out, outlen);
	case TV_DEPOSIT_LIMIT:
		return limit_word(f->lang, LIMIT_DEPOSIT, (int)a, out, outlen);
	case TV_TIER_WINDOW: {
		int64_t hours = (a % 1000 + 1000) % 1000;
		if (hours <= 1)
			return word(f->lang, "window.last_hour", 1, out, outlen);
		return hours < 48 ? word(f->lang, "window.hours", hours, out, outlen)
				  : word(f->lang, "window.days", hours / 24, out, outlen);
	}
	case TV_LOSS_WINDOW: {
		int64_t cal = m->v[3];
		if (cal)
			return word(f->lang, cal - 1 == PERIOD_WEEK ? "window.calendar_week" : "window.calendar_month", 0,
				    out, outlen);
		return a == 1 ? word(f->lang, "window.today", 0, out, outlen) : word(f->lang, "window.days", a, out, outlen);
	}
	case TV_REG_WINDOW:
		switch (m->v[3] >> 1) {
		case 2:
			return word(f->lang, "window.calendar_month", 0, out, outlen);
		case 1:
			return word(f->lang, "window.days", ROLLING_MONTH_DAYS, out, outlen);
		default: /* regulatory.*: window_days is parameter 0 */
			return word(f->lang, "window.days", r->param[0], out, outlen);
		}
	case TV_REG_WHAT:
		return word(f->lang, m->v[3] & 1 ? "what.net_deposits" : "what.deposits", 0, out, outlen);
	case TV_NEWACC_WHAT:
		return word(f->lang, a >= 1000 ? "what.lost" : "what.deposited", 0, out, outlen);
	}
	return -1;
}

int talk_fill_observation(const struct talk_lang *lang, const char *tpl, const struct marker *m,
			  const struct policy *pol, const char *cur, enum risk_view view, char *out, size_t outlen,
			  char *err, size_t errlen)
{
	struct marker_fill f = { lang, m, pol, cur, view };
	return fill(tpl, marker_value, &f, out, outlen, err, errlen);
}

/* Tool texts: the register and the help line of the player's jurisdiction. */
struct tool_fill {
	const json_t *jur; /* the help file's entry, or NULL */
};

static int tool_value(void *ctx, const char *name, char *out, size_t outlen)
{
	struct tool_fill *f = ctx;
	static const char *const known[][2] = { { "register", "register" }, { "register_url", "register" },
						{ "help_name", "help" },    { "help_phone", "help" },
						{ "help_url", "help" } };
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		if (strcmp(name, known[i][0]) != 0)
			continue;
		const json_t *sec = f->jur ? json_object_get(f->jur, known[i][1]) : NULL;
		const char *field = strchr(name, '_') ? strchr(name, '_') + 1 : "name";
		const char *v = json_string_value(json_object_get(sec, field));
		if (!v)
			return 0;
		snprintf(out, outlen, "%s", v);
		return 1;
	}
	return -1;
}

/* ---- files: checking, identity, the set ---------------------------------- */

/* A sample marker per rule, to prove every template fills in both views. */
static void sample_marker(int rule, struct marker *m)
{
	static const int32_t v[RULE_VALUES] = { 3, 450050, 200000, 1 };
	memset(m, 0, sizeof(*m));
	m->rule = (uint8_t)rule;
	m->at_min = 29400000; /* 2025-11-24 */
	memcpy(m->v, v, sizeof(v));
}

static const char *str_at(const json_t *obj, const char *key) { return json_string_value(json_object_get(obj, key)); }

/* A non-empty string, else an error naming where. */
static int need_text(const json_t *obj, const char *key, const char *where, char *err, size_t errlen)
{
	const char *s = str_at(obj, key);
	if (!s || !*s)
		return seterr(err, errlen, "%s%s%s: missing or not a non-empty string", where, *where ? "." : "", key);
	if (strlen(s) >= TALK_TEXT_MAX / 2)
		return seterr(err, errlen, "%s%s%s: longer than %d bytes", where, *where ? "." : "", key, TALK_TEXT_MAX / 2);
	return 0;
}

/* A non-empty array of non-empty strings. */
static int need_texts(const json_t *obj, const char *key, const char *where, char *err, size_t errlen)
{
	const json_t *a = json_object_get(obj, key);
	size_t i;
	json_t *v;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return seterr(err, errlen, "%s%s%s: missing or not a non-empty array of strings", where, *where ? "." : "",
			      key);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !*json_string_value(v) || strchr(json_string_value(v), '{'))
			return seterr(err, errlen, "%s%s%s[%zu]: must be a non-empty string without {placeholders}", where,
				      *where ? "." : "", key, i);
	}
	return 0;
}

static int check_observations(const struct talk_lang *l, char *err, size_t errlen)
{
	const json_t *obs = json_object_get(l->doc, "observations");
	struct policy *pol = NULL;
	char out[TALK_TEXT_MAX], why[256];
	struct marker m;
	if (!json_is_object(obs))
		return seterr(err, errlen, "observations: missing or not an object");
	/* A zeroed pack in UTC: only the parameters are read, as numbers. */
	static const struct policy zero_pack;
	pol = (struct policy *)&zero_pack;
	for (int r = 0; r < RULE_COUNT; r++) {
		if (need_text(obs, rule_defs[r]->id, "observations", err, errlen) < 0)
			return -1;
		sample_marker(r, &m);
		for (int view = RISK_VIEW_STAFF; view <= RISK_VIEW_AGENT; view++)
			if (talk_fill_observation(l, str_at(obs, rule_defs[r]->id), &m, pol, "EUR", (enum risk_view)view,
						  out, sizeof(out), why, sizeof(why)) < 0)
				return seterr(err, errlen, "observations.%s: %s", rule_defs[r]->id, why);
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obs, key, v) {
		if (rule_find(key) < 0)
			return seterr(err, errlen, "observations.%s: unknown rule", key);
	}
	return 0;
}

static int check_actions(const json_t *doc, char *err, size_t errlen)
{
	const json_t *actions = json_object_get(doc, "actions");
	char where[64];
	if (!json_is_object(actions))
		return seterr(err, errlen, "actions: missing or not an object");
	for (int a = 0; a < ACTION_COUNT; a++) {
		const json_t *one = json_object_get(actions, action_keys[a]);
		snprintf(where, sizeof(where), "actions.%s", action_keys[a]);
		if (!json_is_object(one))
			return seterr(err, errlen, "%s: missing or not an object", where);
		if (need_text(one, "opening", where, err, errlen) < 0 || need_texts(one, "questions", where, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int check_tools_and_words(const json_t *doc, char *err, size_t errlen)
{
	const json_t *tools = json_object_get(doc, "tools"), *words = json_object_get(doc, "words");
	char out[TALK_TEXT_MAX], why[256];
	/* every placeholder of a tool text filled, and every one left out */
	static const json_t *const no_jur = NULL;
	json_t *full = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s}}", "register", "name", "R", "url", "u", "help", "name",
				 "H", "phone", "1", "url", "u");
	for (int t = 0; t < TALK_TOOL_COUNT; t++) {
		struct tool_fill f1 = { full }, f2 = { no_jur };
		int rc = need_text(tools, tool_names[t], "tools", err, errlen);
		if (rc == 0 && (fill(str_at(tools, tool_names[t]), tool_value, &f1, out, sizeof(out), why, sizeof(why)) < 0 ||
				(t != TALK_TOOL_HELP_LINE &&
				 fill(str_at(tools, tool_names[t]), tool_value, &f2, out, sizeof(out), why, sizeof(why)) < 0)))
			rc = seterr(err, errlen, "tools.%s: %s", tool_names[t], why);
		if (rc < 0) {
			json_decref(full);
			return -1;
		}
	}
	json_decref(full);
	for (size_t i = 0; i < ARRAY_SIZE(word_keys); i++)
		if (need_text(words, word_keys[i], "words", err, errlen) < 0)
			return -1;
	return 0;
}

/* name@sha256 of the canonical form, as policies are identified. */
static int identify(json_t *doc, const char *name, char *id, size_t idlen, char *err, size_t errlen)
{
	char hex[DIGEST_SHA256_HEX];
	char *canonical = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = 0;
	if (!canonical || digest_sha256_hex(canonical, strlen(canonical), hex) < 0)
		rc = seterr(err, errlen, "cannot hash the talk file");
	else if (id)
		snprintf(id, idlen, "%s@sha256:%s", name, hex);
	free(canonical);
	return rc;
}

static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > POLICY_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

static int check_help(const json_t *doc, char *err, size_t errlen)
{
	const json_t *jurs = json_object_get(doc, "jurisdictions");
	const char *code;
	json_t *j;
	char where[64];
	if (!json_is_object(jurs) || json_object_size(jurs) == 0)
		return seterr(err, errlen, "jurisdictions: missing or not a non-empty object");
	json_object_foreach((json_t *)jurs, code, j) {
		snprintf(where, sizeof(where), "jurisdictions.%s", code);
		if (strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
			return seterr(err, errlen, "%s: must be an ISO 3166-1 alpha-2 code such as \"SE\"", where);
		const char *lang = str_at(j, "language");
		if (!lang || !event_language_valid(lang))
			return seterr(err, errlen, "%s.language: must be an ISO 639-1 code such as \"sv\"", where);
		const json_t *help = json_object_get(j, "help"), *reg = json_object_get(j, "register");
		char sub[80];
		snprintf(sub, sizeof(sub), "%s.help", where);
		if (!json_is_object(help))
			return seterr(err, errlen, "%s: missing or not an object", sub);
		if (need_text(help, "name", sub, err, errlen) < 0 || need_text(help, "phone", sub, err, errlen) < 0 ||
		    need_text(help, "url", sub, err, errlen) < 0 || need_text(help, "source", sub, err, errlen) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s.register", where);
		if (reg && (!json_is_object(reg) || need_text(reg, "name", sub, err, errlen) < 0 ||
			    need_text(reg, "url", sub, err, errlen) < 0))
			return reg && !json_is_object(reg) ? seterr(err, errlen, "%s: not an object", sub) : -1;
	}
	return 0;
}

/* Parses and checks one file; *doc receives it (new reference). */
static int load_file(const char *text, size_t len, json_t **doc, bool *is_help, char *id, size_t idlen, char *err,
		     size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	*doc = NULL;
	*is_help = false;
	if (!root)
		return seterr(err, errlen, "not valid JSON at line %d: %s", jerr.line, jerr.text);
	const char *kind = str_at(root, "kind"), *name = str_at(root, "name");
	int rc = 0;
	*is_help = kind && strcmp(kind, "talk-help") == 0;
	if (!json_is_object(root) || !kind || (strcmp(kind, "talk") != 0 && !*is_help))
		rc = seterr(err, errlen, "kind: must be \"talk\" (a language) or \"talk-help\" (help lines)");
	else if (!valid_name(name))
		rc = seterr(err, errlen, "name: may hold only letters, digits, '.', '-' and '_'");
	else if (*is_help)
		rc = check_help(root, err, errlen);
	else {
		struct talk_lang l = { "", "", root };
		const char *lang = str_at(root, "language");
		if (!lang || !event_language_valid(lang) || !talk_fmt_known(lang))
			rc = seterr(err, errlen, "language: must be one of en, sv, nl, de, es, fr (the number formats "
						 "rgmon knows)");
		else {
			rg_strlcpy(l.lang, lang, sizeof(l.lang));
			if (check_tools_and_words(root, err, errlen) < 0 || check_observations(&l, err, errlen) < 0 ||
			    check_actions(root, err, errlen) < 0 || need_texts(root, "questions", "", err, errlen) < 0 ||
			    need_texts(root, "avoid", "", err, errlen) < 0 ||
			    need_text(root, "no_observations", "", err, errlen) < 0)
				rc = -1;
		}
	}
	if (rc == 0)
		rc = identify(root, name, id, idlen, err, errlen);
	if (rc < 0)
		json_decref(root);
	else
		*doc = root;
	return rc;
}

bool talk_is_talk_json(const char *text, size_t len)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	const char *kind = str_at(root, "kind");
	bool talk = kind && (strcmp(kind, "talk") == 0 || strcmp(kind, "talk-help") == 0);
	json_decref(root);
	return talk;
}

int talk_check_json(const char *text, size_t len, char *id, size_t idlen, char *err, size_t errlen)
{
	json_t *doc;
	bool is_help = false;
	if (load_file(text, len, &doc, &is_help, id, idlen, err, errlen) < 0)
		return -1;
	json_decref(doc);
	return 0;
}

void talk_set_init(struct talk_set *set) { memset(set, 0, sizeof(*set)); }

void talk_set_release(struct talk_set *set)
{
	for (int i = 0; i < set->n; i++)
		json_decref(set->langs[i].doc);
	json_decref(set->help);
	talk_set_init(set);
}

static const struct talk_lang *set_lang(const struct talk_set *set, const char *lang)
{
	for (int i = 0; lang && i < set->n; i++)
		if (strcmp(set->langs[i].lang, lang) == 0)
			return &set->langs[i];
	return NULL;
}

int talk_set_add_json(struct talk_set *set, const char *text, size_t len, char *id, size_t idlen, char *err,
		      size_t errlen)
{
	json_t *doc;
	bool is_help = false;
	char myid[TALK_ID_MAX + 1];
	if (load_file(text, len, &doc, &is_help, myid, sizeof(myid), err, errlen) < 0)
		return -1;
	if (id)
		rg_strlcpy(id, myid, idlen);
	if (is_help) {
		if (set->help) {
			json_decref(doc);
			return seterr(err, errlen, "a second help-lines file (%s after %s)", myid, set->help_id);
		}
		set->help = doc;
		rg_strlcpy(set->help_id, myid, sizeof(set->help_id));
		return 0;
	}
	const char *lang = str_at(doc, "language");
	if (set_lang(set, lang) || set->n >= TALK_LANGS_MAX) {
		json_decref(doc);
		if (set->n >= TALK_LANGS_MAX)
			return seterr(err, errlen, "more than %d languages", TALK_LANGS_MAX);
		return seterr(err, errlen, "a second file for language \"%s\"", lang);
	}
	struct talk_lang *l = &set->langs[set->n++];
	rg_strlcpy(l->lang, lang, sizeof(l->lang));
	rg_strlcpy(l->id, myid, sizeof(l->id));
	l->doc = doc;
	return 0;
}

/* ---- the talking points --------------------------------------------------- */

/* The help file's entry for the pack's jurisdiction, else for the
 * player's account country, or NULL. */
static const json_t *jurisdiction_of(const struct talk_set *set, const struct player_state *st,
				     const struct policy *pol)
{
	const json_t *jurs = set->help ? json_object_get(set->help, "jurisdictions") : NULL;
	const json_t *j = jurs ? json_object_get(jurs, pol->jurisdiction) : NULL;
	return j ? j : jurs && st->country[0] ? json_object_get(jurs, st->country) : NULL;
}

const char *talk_language(const struct talk_set *set, const struct player_state *st, const struct policy *pol,
			  const char *want)
{
	const struct talk_lang *l = want && *want ? set_lang(set, want) : NULL;
	if (!l && st->language[0])
		l = set_lang(set, st->language);
	if (!l && pol->language[0])
		l = set_lang(set, pol->language);
	if (!l)
		l = set_lang(set, str_at(jurisdiction_of(set, st, pol), "language"));
	return l ? l->lang : "en";
}

/* The action the talk is about: the strongest reason's own action (a
 * compliance breach, a mandated check), else the level's; a green player
 * is offered limits. */
static enum risk_action talk_action(const struct player_state *st, const struct policy *pol,
				    const struct risk_reason *top)
{
	if (top && pol->rules[top->rule].action >= 0)
		return (enum risk_action)pol->rules[top->rule].action;
	if (st->level > LEVEL_GREEN && st->level < LEVEL_COUNT)
		return (enum risk_action)pol->action_for[st->level];
	return ACTION_LIMITS;
}

static const struct marker *marker_of(const struct player_state *st, int rule)
{
	for (int i = 0; i < ENGINE_MARKERS; i++)
		if (st->markers[i].rule == rule)
			return &st->markers[i];
	return NULL;
}

static json_t *strings_json(const json_t *a)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		json_array_append_new(out, json_string(json_string_value(v)));
	}
	return out;
}

static json_t *observations_json(const struct talk_lang *l, const struct player_state *st, const struct policy *pol,
				 const struct risk_reason *reasons, int n, enum risk_view view)
{
	json_t *out = json_array();
	char text[TALK_TEXT_MAX], why[256];
	const json_t *obs = json_object_get(l->doc, "observations");
	for (int i = 0; i < n && json_array_size(out) < TALK_OBSERVATIONS_MAX; i++) {
		const struct marker *m = marker_of(st, reasons[i].rule);
		const char *tpl = str_at(obs, rule_defs[reasons[i].rule]->id);
		/* checked at load: a template that does not fill is not shown */
		if (m && tpl && talk_fill_observation(l, tpl, m, pol, st->currency, view, text, sizeof(text), why,
						      sizeof(why)) == 0)
			json_array_append_new(out, json_string(text));
	}
	if (json_array_size(out) == 0)
		json_array_append_new(out, json_string(str_at(l->doc, "no_observations")));
	return out;
}

static json_t *offer_json(const struct talk_lang *l, enum risk_action action, const json_t *jur)
{
	enum talk_tool tools[TALK_TOOL_COUNT];
	int n = talk_action_tools(action, tools);
	json_t *out = json_array();
	struct tool_fill f = { jur };
	char text[TALK_TEXT_MAX], why[256];
	for (int i = 0; i < n; i++) {
		if (tools[i] == TALK_TOOL_HELP_LINE && !(jur && json_object_get(jur, "help")))
			continue; /* no help line known for this jurisdiction */
		if (fill(str_at(json_object_get(l->doc, "tools"), tool_names[tools[i]]), tool_value, &f, text, sizeof(text),
			 why, sizeof(why)) == 0)
			json_array_append_new(out, json_pack("{s:s, s:s}", "tool", tool_names[tools[i]], "text", text));
	}
	return out;
}

json_t *talk_points_json(const struct talk_set *set, const struct player_state *st, const struct policy *pol,
			 const char *lang, enum risk_view view)
{
	const struct talk_lang *l = set_lang(set, lang);
	struct risk_reason reasons[ENGINE_MARKERS];
	if (!l)
		return NULL;
	int n = risk_reasons(st, pol, st->last_seen_ms, reasons);
	enum risk_action action = talk_action(st, pol, n ? &reasons[0] : NULL);
	const json_t *act = json_object_get(json_object_get(l->doc, "actions"), action_keys[action]);
	const json_t *jur = jurisdiction_of(set, st, pol), *help = jur ? json_object_get(jur, "help") : NULL;
	json_t *questions = strings_json(json_object_get(act, "questions"));
	json_t *general = strings_json(json_object_get(l->doc, "questions"));
	json_array_extend(questions, general);
	json_decref(general);
	json_t *j = json_object();
	json_object_set_new(j, "language", json_string(l->lang));
	json_object_set_new(j, "template", json_string(l->id));
	json_object_set_new(j, "action", json_string(action_keys[action]));
	json_object_set_new(j, "opening", json_string(str_at(act, "opening")));
	json_object_set_new(j, "observations", observations_json(l, st, pol, reasons, n, view));
	json_object_set_new(j, "questions", questions);
	json_object_set_new(j, "offer", offer_json(l, action, jur));
	json_object_set_new(j, "avoid", strings_json(json_object_get(l->doc, "avoid")));
	json_object_set_new(j, "help",
			    help ? json_pack("{s:s, s:s, s:s, s:s}", "name", str_at(help, "name"), "phone",
					     str_at(help, "phone"), "url", str_at(help, "url"), "source",
					     str_at(help, "source"))
				 : json_null());
	if (set->help_id[0])
		json_object_set_new(j, "help_lines", json_string(set->help_id));
	return j;
}
