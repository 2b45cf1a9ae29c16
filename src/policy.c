/* policy.c -- a policy's JSON text -> struct policy, checked field by
 * field, and the policy's identity (name@sha256 of its canonical form).
 * Pure: reading the file is policy_file.c's. */
#include "rgmon/policy.h"
#include "rgmon/alert_decide.h"
#include "rgmon/digest.h"
#include "rgmon/timestamp.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const level_names[LEVEL_COUNT] = { "green", "amber", "red", "excluded" };
static const char *const action_names[ACTION_COUNT] = {
	"limits", "pause", "self_exclusion", "financial_check", "contact", "deposit_block", "compliance_review",
};
static const char *const kind_names[RULE_KIND_COUNT] = { "harm", "obligation" };
static const char *const period_rule_names[PERIOD_RULE_COUNT] = { "rolling", "calendar" };

const char *period_rule_name(enum period_rule r)
{
	return (unsigned)r < PERIOD_RULE_COUNT ? period_rule_names[r] : "?";
}

const char *rule_kind_name(enum rule_kind k) { return (unsigned)k < RULE_KIND_COUNT ? kind_names[k] : "?"; }

const char *risk_level_name(enum risk_level l) { return l < LEVEL_COUNT ? level_names[l] : "?"; }
const char *risk_action_name(enum risk_action a) { return a < ACTION_COUNT ? action_names[a] : "?"; }

int policy_currency_index(const struct policy *p, const char *currency)
{
	for (int i = 0; i < p->ncurrencies; i++)
		if (strcmp(p->currencies[i], currency) == 0)
			return i;
	return -1;
}

/* ---- checking, one field at a time -------------------------------------- */

/* Where we are in the document, for error messages: rules["x"].params.y */
struct path {
	char buf[256];
};

static const char *at(const struct path *p, const char *key, char *out, size_t len)
{
	/* A path too long for the buffer is cut; it only names a field. */
	if (snprintf(out, len, "%s%s%s", p->buf, p->buf[0] ? "." : "", key) >= (int)len)
		out[len - 1] = '\0';
	return out;
}

static void path_push(struct path *child, const struct path *parent, const char *key)
{
	char tmp[256];
	rg_strlcpy(child->buf, at(parent, key, tmp, sizeof(tmp)), sizeof(child->buf));
}

static int field_err(char *err, size_t errlen, const struct path *p, const char *key, const char *what)
{
	char f[300];
	return seterr(err, errlen, "%s: %s", at(p, key, f, sizeof(f)), what);
}

/* Rejects keys not in `allowed` (a typo must not silently disable a rule). */
static int only_keys(json_t *obj, const char *const *allowed, const struct path *p, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (int i = 0; allowed[i]; i++)
			ok = ok || strcmp(allowed[i], key) == 0;
		if (!ok)
			return field_err(err, errlen, p, key, "unknown field");
	}
	return 0;
}

static int get_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
		   const struct path *p, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	char what[128];
	if (!v) {
		if (required)
			return field_err(err, errlen, p, key, "missing");
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(what, sizeof(what), "must be an integer from %lld to %lld", (long long)min, (long long)max);
		return field_err(err, errlen, p, key, what);
	}
	*out = json_integer_value(v);
	return 0;
}

static int get_i32(json_t *obj, const char *key, bool required, int64_t min, int64_t max, int32_t *out,
		   const struct path *p, char *err, size_t errlen)
{
	int64_t v = *out;
	if (get_int(obj, key, required, min, max, &v, p, err, errlen) < 0)
		return -1;
	*out = (int32_t)v;
	return 0;
}

static json_t *get_object(json_t *obj, const char *key, bool required, const struct path *p, char *err,
			  size_t errlen, bool *failed)
{
	json_t *v = json_object_get(obj, key);
	*failed = false;
	if (!v) {
		if (required) {
			field_err(err, errlen, p, key, "missing");
			*failed = true;
		}
		return NULL;
	}
	if (!json_is_object(v)) {
		field_err(err, errlen, p, key, "must be an object");
		*failed = true;
		return NULL;
	}
	return v;
}

/* A required object member whose keys must all be in `allowed`; child
 * becomes its path. NULL (err set) when missing or not right. */
static json_t *get_section(json_t *obj, const char *key, const char *const *allowed, const struct path *parent,
			   struct path *child, char *err, size_t errlen)
{
	bool failed;
	json_t *v = get_object(obj, key, true, parent, err, errlen, &failed);
	if (failed)
		return NULL;
	path_push(child, parent, key);
	return only_keys(v, allowed, child, err, errlen) < 0 ? NULL : v;
}

static int get_string(json_t *obj, const char *key, bool required, char *out, size_t outlen,
		      const struct path *p, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return required ? field_err(err, errlen, p, key, "missing") : 0;
	if (!json_is_string(v))
		return field_err(err, errlen, p, key, "must be a string");
	if (json_string_length(v) >= outlen || json_string_length(v) == 0) {
		char what[64];
		snprintf(what, sizeof(what), "must be 1 to %zu characters", outlen - 1);
		return field_err(err, errlen, p, key, what);
	}
	rg_strlcpy(out, json_string_value(v), outlen);
	return 0;
}

static int get_enum(json_t *obj, const char *key, bool required, const char *const *names, int n, int32_t *out,
		    const struct path *p, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return required ? field_err(err, errlen, p, key, "missing") : 0;
	for (int i = 0; json_is_string(v) && i < n; i++)
		if (strcmp(json_string_value(v), names[i]) == 0) {
			*out = i;
			return 0;
		}
	char what[160] = "must be one of";
	for (int i = 0; i < n; i++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s \"%s\"", i ? "," : "", names[i]);
	return field_err(err, errlen, p, key, what);
}

static bool valid_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

static bool valid_upper(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (; *s; s++)
		if (*s < 'A' || *s > 'Z')
			return false;
	return true;
}

/* "effective_from": "YYYY-MM-DD", a real calendar date from 1970 on ->
 * days since 1970-01-01 (the local day from which the rule holds). */
static int get_date(json_t *obj, const char *key, int32_t *out, const struct path *p, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	*out = POLICY_NO_DATE;
	if (!v)
		return 0;
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	bool shape = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (int i = 0; shape && i < 10; i++)
		shape = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
	if (shape) {
		int64_t y, y2;
		unsigned m, d, m2, d2;
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
		d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
		int64_t days = m >= 1 && m <= 12 && d >= 1 && d <= 31 ? ts_days_from_civil(y, m, d) : -1;
		/* A day past the month's end (2025-02-30) comes back as another date. */
		if (days >= 0) {
			ts_civil_from_days(days, &y2, &m2, &d2);
			if (y2 == y && m2 == m && d2 == d) {
				*out = (int32_t)days;
				return 0;
			}
		}
	}
	return field_err(err, errlen, p, key, "must be a calendar date \"YYYY-MM-DD\" from 1970-01-01");
}

/* {"GBP": 15000, ...}: exactly the policy's currencies. */
static int load_money(const struct policy *pol, json_t *v, int64_t out[POLICY_CURRENCIES_MAX],
		      const struct path *p, const char *key, char *err, size_t errlen)
{
	struct path mp;
	if (!json_is_object(v))
		return field_err(err, errlen, p, key, "must be an object of amounts per currency, e.g. {\"EUR\": 30000}");
	path_push(&mp, p, key);
	for (int c = 0; c < pol->ncurrencies; c++)
		if (get_int(v, pol->currencies[c], true, 0, 1000000000000000LL, &out[c], &mp, err, errlen) < 0)
			return -1;
	const char *cur;
	json_t *amount;
	json_object_foreach(v, cur, amount) {
		if (policy_currency_index(pol, cur) < 0)
			return field_err(err, errlen, &mp, cur, "currency not in \"currencies\"");
	}
	return 0;
}

static int load_bands(const struct policy *pol, struct policy_rule *r, json_t *v, const struct path *p,
		      const char *key, char *err, size_t errlen)
{
	static const char *const band_keys[] = { "min_age", "max_age", "threshold", "effective_from", NULL };
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > POLICY_BANDS_MAX)
		return field_err(err, errlen, p, key, "must be an array of 1 to 4 age bands");
	r->nbands = (int)json_array_size(v);
	for (int i = 0; i < r->nbands; i++) {
		struct path bp;
		char idx[300];
		snprintf(idx, sizeof(idx), "%s[%d]", key, i);
		path_push(&bp, p, idx);
		json_t *b = json_array_get(v, (size_t)i);
		struct policy_band *band = &r->bands[i];
		if (!json_is_object(b))
			return field_err(err, errlen, p, idx, "must be an object");
		band->min_age = 18;
		band->max_age = 0;
		if (only_keys(b, band_keys, &bp, err, errlen) < 0 ||
		    get_i32(b, "min_age", false, 0, 150, &band->min_age, &bp, err, errlen) < 0 ||
		    get_i32(b, "max_age", false, 0, 150, &band->max_age, &bp, err, errlen) < 0 ||
		    get_date(b, "effective_from", &band->effective_from, &bp, err, errlen) < 0)
			return -1;
		if (band->max_age && band->max_age < band->min_age)
			return field_err(err, errlen, &bp, "max_age", "must not be below min_age");
		json_t *t = json_object_get(b, "threshold");
		if (!t)
			return field_err(err, errlen, &bp, "threshold", "missing");
		if (load_money(pol, t, band->threshold, &bp, "threshold", err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* {"amber": {money}, "red": {money}, "strong": {money}}: any of the three,
 * each higher than the one below it. */
static int load_tiers(const struct policy *pol, int64_t out[TIER_COUNT][POLICY_CURRENCIES_MAX], json_t *v,
		      const struct path *p, const char *key, char *err, size_t errlen)
{
	static const char *const tier_keys[] = { "", "amber", "red", "strong", NULL };
	struct path tp;
	if (!json_is_object(v))
		return field_err(err, errlen, p, key, "must be an object of tiers, e.g. {\"amber\": {...}, \"red\": {...}}");
	path_push(&tp, p, key);
	if (only_keys(v, tier_keys + 1, &tp, err, errlen) < 0)
		return -1;
	for (int t = TIER_AMBER; t < TIER_COUNT; t++) {
		json_t *m = json_object_get(v, tier_keys[t]);
		if (m && load_money(pol, m, out[t], &tp, tier_keys[t], err, errlen) < 0)
			return -1;
		for (int c = 0; m && c < pol->ncurrencies; c++)
			for (int below = TIER_AMBER; below < t; below++)
				if (out[below][c] && out[t][c] <= out[below][c])
					return field_err(err, errlen, &tp, tier_keys[t],
							 "each tier must be above the tiers below it");
	}
	return 0;
}

/* A rule's settings apart from its parameters. */
static int load_rule_settings(struct policy_rule *r, json_t *obj, const struct path *p, char *err, size_t errlen)
{
	static const char *const max_levels[] = { "amber", "red" };
	r->enabled = true;
	r->action = -1;
	r->due_minutes = -1;
	json_t *v = json_object_get(obj, "enabled");
	if (v && !json_is_boolean(v))
		return field_err(err, errlen, p, "enabled", "must be true or false");
	if (v)
		r->enabled = json_is_true(v);
	int32_t kind = RULE_KIND_HARM;
	if (get_enum(obj, "kind", false, kind_names, RULE_KIND_COUNT, &kind, p, err, errlen) < 0)
		return -1;
	r->kind = (enum rule_kind)kind;
	v = json_object_get(obj, "source");
	if (v && (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > POLICY_SOURCE_MAX))
		return field_err(err, errlen, p, "source", "must be a text of 1 to 200 bytes (a regulation and article, "
							      "or \"rgmon house rule\")");
	rg_strlcpy(r->source, v ? json_string_value(v) : "", sizeof(r->source));
	if (get_date(obj, "effective_from", &r->effective_from, p, err, errlen) < 0)
		return -1;
	v = json_object_get(obj, "strong");
	if (v && !json_is_boolean(v))
		return field_err(err, errlen, p, "strong", "must be true or false");
	r->strong = v && json_is_true(v);
	int32_t max_level = 1;
	if (get_enum(obj, "max_level", false, max_levels, 2, &max_level, p, err, errlen) < 0)
		return -1;
	r->amber_only = max_level == 0;
	if (r->amber_only && r->strong)
		return field_err(err, errlen, p, "max_level", "a strong rule raises red; it cannot be amber-only");
	if (get_i32(obj, "weight", true, 0, 100, &r->weight, p, err, errlen) < 0 ||
	    get_enum(obj, "action", false, action_names, ACTION_COUNT, &r->action, p, err, errlen) < 0)
		return -1;
	if (r->kind == RULE_KIND_OBLIGATION && r->action < 0)
		return field_err(err, errlen, p, "action", "an obligation names the task it owes (e.g. \"contact\")");
	int32_t due_hours = -1;
	if (get_i32(obj, "due_hours", false, 0, 8760, &due_hours, p, err, errlen) < 0)
		return -1;
	if (due_hours >= 0)
		r->due_minutes = due_hours * 60;
	return 0;
}

/* A rule whose window is window_days or the pack's month ("month": true)
 * takes exactly one of them. */
static int check_window(const struct rule_def *d, const struct policy_rule *r, const struct path *pp, char *err,
			size_t errlen)
{
	int days = rule_param_find(d, "window_days"), month = rule_param_find(d, "month");
	if (days < 0 || month < 0 || d->params[month].kind != PARAM_BOOL)
		return 0;
	if (!r->param[days] == !r->param[month])
		return field_err(err, errlen, pp, "window_days",
				 "give exactly one of window_days and \"month\": true (the pack's month)");
	return 0;
}

static int load_rule(struct policy *pol, int id, json_t *obj, const struct path *rules_path, const char *name,
		     char *err, size_t errlen)
{
	static const char *const keys[] = { "enabled",	 "kind",   "source",	"effective_from", "weight",
					    "strong",	 "max_level", "action", "due_hours",	  "params", NULL };
	const struct rule_def *d = rule_defs[id];
	struct policy_rule *r = &pol->rules[id];
	struct path p, pp;
	char key[128];
	bool failed;
	json_t *v;

	snprintf(key, sizeof(key), "[\"%s\"]", name);
	if (snprintf(p.buf, sizeof(p.buf), "%s%s", rules_path->buf, key) >= (int)sizeof(p.buf))
		p.buf[sizeof(p.buf) - 1] = '\0';
	if (!json_is_object(obj))
		return seterr(err, errlen, "%s: must be an object", p.buf);
	if (only_keys(obj, keys, &p, err, errlen) < 0 || load_rule_settings(r, obj, &p, err, errlen) < 0)
		return -1;

	json_t *params = get_object(obj, "params", d->params[0].name != NULL, &p, err, errlen, &failed);
	if (failed)
		return -1;
	path_push(&pp, &p, "params");
	if (params) {
		const char *pname;
		json_object_foreach(params, pname, v) {
			if (rule_param_find(d, pname) < 0)
				return field_err(err, errlen, &pp, pname, "unknown parameter of this rule");
		}
	}
	for (int i = 0; i < RULE_PARAMS_MAX && d->params[i].name; i++) {
		const struct rule_param *rp = &d->params[i];
		v = params ? json_object_get(params, rp->name) : NULL;
		if (!v && rp->optional)
			continue;
		if (!v)
			return field_err(err, errlen, &pp, rp->name, "missing");
		switch (rp->kind) {
		case PARAM_INT:
			if (get_int(params, rp->name, true, rp->min, rp->max, &r->param[i], &pp, err, errlen) < 0)
				return -1;
			break;
		case PARAM_BOOL:
			if (!json_is_boolean(v))
				return field_err(err, errlen, &pp, rp->name, "must be true or false");
			r->param[i] = json_is_true(v);
			break;
		case PARAM_MONEY:
			if (load_money(pol, v, r->money[i], &pp, rp->name, err, errlen) < 0)
				return -1;
			break;
		case PARAM_BANDS:
			if (load_bands(pol, r, v, &pp, rp->name, err, errlen) < 0)
				return -1;
			break;
		case PARAM_TIERS:
			if (load_tiers(pol, r->tiers[i], v, &pp, rp->name, err, errlen) < 0)
				return -1;
			break;
		}
	}
	return check_window(d, r, &pp, err, errlen);
}

/* Numbers must be integers, so the canonical form is unambiguous. */
static int no_reals(json_t *v, char *where, size_t len)
{
	const char *key;
	json_t *child;
	size_t i;
	if (json_is_real(v))
		return -1;
	if (json_is_object(v)) {
		json_object_foreach(v, key, child) {
			if (no_reals(child, where, len) < 0) {
				if (!where[0])
					rg_strlcpy(where, key, len);
				return -1;
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			if (no_reals(child, where, len) < 0)
				return -1;
		}
	}
	return 0;
}

static int load_levels(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	static const char *const scoring_keys[] = { "half_life_days", "amber", "red", "hysteresis", NULL };
	static const char *const level_keys[] = { "amber", "red", "excluded", NULL };
	struct path p;
	int32_t half_life_days = 0;

	json_t *scoring = get_section(root, "scoring", scoring_keys, top, &p, err, errlen);
	if (!scoring ||
	    get_i32(scoring, "half_life_days", true, 1, 365, &half_life_days, &p, err, errlen) < 0 ||
	    get_i32(scoring, "amber", true, 1, 100, &pol->cutoff[LEVEL_AMBER], &p, err, errlen) < 0 ||
	    get_i32(scoring, "red", true, 1, 100, &pol->cutoff[LEVEL_RED], &p, err, errlen) < 0 ||
	    get_i32(scoring, "hysteresis", true, 0, 50, &pol->hysteresis, &p, err, errlen) < 0)
		return -1;
	if (pol->cutoff[LEVEL_RED] <= pol->cutoff[LEVEL_AMBER])
		return field_err(err, errlen, &p, "red", "must be above amber");
	if (pol->hysteresis >= pol->cutoff[LEVEL_AMBER])
		return field_err(err, errlen, &p, "hysteresis", "must be below the amber cut-off");
	pol->half_life_minutes = half_life_days * 24 * 60;

	json_t *actions = get_section(root, "actions", level_keys, top, &p, err, errlen);
	if (!actions)
		return -1;
	for (int l = LEVEL_AMBER; l < LEVEL_COUNT; l++)
		if (get_enum(actions, level_names[l], true, action_names, ACTION_COUNT, &pol->action_for[l], &p, err,
			     errlen) < 0)
			return -1;

	json_t *due = get_section(root, "due_hours", level_keys, top, &p, err, errlen);
	if (!due)
		return -1;
	for (int l = LEVEL_AMBER; l < LEVEL_COUNT; l++) {
		int32_t hours = 0;
		if (get_i32(due, level_names[l], true, 0, 8760, &hours, &p, err, errlen) < 0)
			return -1;
		pol->due_minutes[l] = hours * 60;
	}
	return 0;
}

/* name, jurisdiction, description, sources: what the policy says of itself. */
static int load_about(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	if (get_string(root, "name", true, pol->name, sizeof(pol->name), top, err, errlen) < 0)
		return -1;
	if (!valid_name(pol->name))
		return field_err(err, errlen, top, "name", "may hold only letters, digits, '.', '-' and '_'");
	if (get_string(root, "jurisdiction", true, pol->jurisdiction, sizeof(pol->jurisdiction), top, err, errlen) < 0)
		return -1;
	if (!valid_upper(pol->jurisdiction, 2))
		return field_err(err, errlen, top, "jurisdiction", "must be an ISO 3166-1 alpha-2 code such as \"SE\"");
	json_t *v = json_object_get(root, "language");
	if (v && (!json_is_string(v) || !event_language_valid(json_string_value(v))))
		return field_err(err, errlen, top, "language", "must be an ISO 639-1 code such as \"sv\"");
	if (v)
		rg_strlcpy(pol->language, json_string_value(v), sizeof(pol->language));
	v = json_object_get(root, "description");
	if (v && !json_is_string(v))
		return field_err(err, errlen, top, "description", "must be a string");
	v = json_object_get(root, "sources");
	if (v && !json_is_array(v))
		return field_err(err, errlen, top, "sources", "must be an array of strings");
	return 0;
}

static int load_timezone(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	static const char *const tz_keys[] = { "name", "posix", NULL };
	struct path p;
	char posix[64], tzerr[128];

	json_t *tz = get_section(root, "timezone", tz_keys, top, &p, err, errlen);
	if (!tz ||
	    get_string(tz, "name", true, pol->tz_name, sizeof(pol->tz_name), &p, err, errlen) < 0 ||
	    get_string(tz, "posix", true, posix, sizeof(posix), &p, err, errlen) < 0)
		return -1;
	if (tz_parse(posix, &pol->tz, tzerr, sizeof(tzerr)) < 0)
		return field_err(err, errlen, &p, "posix", tzerr);
	return 0;
}

/* "periods": {"week": "calendar", "month": "calendar"}: optional, each
 * period rolling unless given. A day is always one local day. */
static int load_periods(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	static const char *const keys[] = { "week", "month", NULL };
	static const enum limit_period periods[] = { PERIOD_WEEK, PERIOD_MONTH };
	struct path p;
	if (!json_object_get(root, "periods"))
		return 0;
	json_t *v = get_section(root, "periods", keys, top, &p, err, errlen);
	if (!v)
		return -1;
	for (int i = 0; keys[i]; i++) {
		int32_t how = PERIOD_ROLLING;
		if (get_enum(v, keys[i], false, period_rule_names, PERIOD_RULE_COUNT, &how, &p, err, errlen) < 0)
			return -1;
		pol->periods[periods[i]] = (uint8_t)how;
	}
	return 0;
}

/* "countries": ["GB"]: optional, but when given, 1 to 16 distinct codes. */
static int load_countries(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, "countries");
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > POLICY_COUNTRIES_MAX)
		return field_err(err, errlen, top, "countries",
				 "must be an array of 1 to 16 ISO 3166-1 alpha-2 codes (omit it for the fallback pack)");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *c = json_array_get(v, i);
		bool dup = false;
		for (int j = 0; json_is_string(c) && j < pol->ncountries; j++)
			dup = dup || strcmp(pol->countries[j], json_string_value(c)) == 0;
		if (!json_is_string(c) || !valid_upper(json_string_value(c), 2) || dup) {
			char idx[48];
			snprintf(idx, sizeof(idx), "countries[%zu]", i);
			return field_err(err, errlen, top, idx,
					 "must be a distinct ISO 3166-1 alpha-2 code in capitals, such as \"SE\"");
		}
		rg_strlcpy(pol->countries[pol->ncountries++], json_string_value(c), 3);
	}
	return 0;
}

static int load_currencies(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, "currencies");
	if (!v)
		return field_err(err, errlen, top, "currencies", "missing");
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > POLICY_CURRENCIES_MAX)
		return field_err(err, errlen, top, "currencies", "must be an array of 1 to 8 ISO 4217 codes");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *c = json_array_get(v, i);
		if (!json_is_string(c) || !valid_upper(json_string_value(c), 3) ||
		    policy_currency_index(pol, json_string_value(c)) >= 0) {
			char idx[48];
			snprintf(idx, sizeof(idx), "currencies[%zu]", i);
			return field_err(err, errlen, top, idx, "must be a distinct three-letter ISO 4217 code");
		}
		rg_strlcpy(pol->currencies[pol->ncurrencies++], json_string_value(c), 4);
	}
	return 0;
}

static int load_rules(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	struct path p;
	bool failed;
	const char *rid;
	json_t *v;

	json_t *rules = get_object(root, "rules", true, top, err, errlen, &failed);
	if (failed)
		return -1;
	path_push(&p, top, "rules");
	json_object_foreach(rules, rid, v) {
		int id = rule_find(rid);
		if (id < 0)
			return seterr(err, errlen, "rules[\"%s\"]: unknown rule (see policies/README.md for the list)", rid);
		if (load_rule(pol, id, v, &p, rid, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* "review": {"source": "...", "outcomes": {"false_positive": ["red"], ...}}:
 * optional; absent, the default (policy.h). An outcome not listed never
 * waits for review; "outcomes": {} turns four eyes off. */
static void review_defaults(struct policy_review *r)
{
	memset(r, 0, sizeof(*r));
	rg_strlcpy(r->source, POLICY_REVIEW_DEFAULT_SOURCE, sizeof(r->source));
	r->levels[OUTCOME_FALSE_POSITIVE] = 1u << LEVEL_RED;
	r->levels[OUTCOME_CONTACTED_NO_ACTION] = 1u << LEVEL_RED;
}

static int load_review_levels(json_t *list, uint8_t *bits, const struct path *p, const char *outcome, char *err,
			      size_t errlen)
{
	if (!json_is_array(list))
		return field_err(err, errlen, p, outcome, "must be an array of alert levels (\"amber\", \"red\")");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *l = json_string_value(json_array_get(list, i));
		int level = !l ? -1 : strcmp(l, "amber") == 0 ? LEVEL_AMBER : strcmp(l, "red") == 0 ? LEVEL_RED : -1;
		if (level < 0) {
			char idx[96];
			snprintf(idx, sizeof(idx), "%s[%zu]", outcome, i);
			return field_err(err, errlen, p, idx, "must be \"amber\" or \"red\" (the levels of an alert)");
		}
		*bits |= (uint8_t)(1u << level);
	}
	return 0;
}

static int load_review(struct policy *pol, json_t *root, const struct path *top, char *err, size_t errlen)
{
	static const char *const keys[] = { "source", "outcomes", NULL };
	struct path p, po;
	const char *name;
	json_t *v;
	_Static_assert(OUTCOME_COUNT <= POLICY_OUTCOMES_MAX, "policy_review.levels holds every outcome");
	review_defaults(&pol->review);
	if (!json_object_get(root, "review"))
		return 0;
	json_t *review = get_section(root, "review", keys, top, &p, err, errlen);
	if (!review || get_string(review, "source", true, pol->review.source, sizeof(pol->review.source), &p, err,
				  errlen) < 0)
		return -1;
	bool failed;
	json_t *outcomes = get_object(review, "outcomes", true, &p, err, errlen, &failed);
	if (failed)
		return -1;
	memset(pol->review.levels, 0, sizeof(pol->review.levels));
	path_push(&po, &p, "outcomes");
	json_object_foreach(outcomes, name, v) {
		enum alert_outcome o;
		if (alert_outcome_parse(name, &o) < 0)
			return field_err(err, errlen, &po, name,
					 "unknown outcome (limits_set, pause_applied, self_exclusion, contacted_no_action, "
					 "false_positive)");
		if (load_review_levels(v, &pol->review.levels[o], &po, name, err, errlen) < 0)
			return -1;
	}
	return 0;
}

bool policy_review_needed(const struct policy *p, int outcome, enum risk_level level)
{
	return outcome >= 0 && outcome < POLICY_OUTCOMES_MAX && level < 8 && (p->review.levels[outcome] >> level) & 1u;
}

/* Identity: the hash of the canonical form, so a changed number is a
 * different policy even under the same name. */
static int identify(struct policy *pol, json_t *root, char *err, size_t errlen)
{
	char hex[DIGEST_SHA256_HEX];
	char *canonical = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = 0;
	if (!canonical || digest_sha256_hex(canonical, strlen(canonical), hex) < 0)
		rc = seterr(err, errlen, "cannot hash the policy");
	else
		snprintf(pol->id, sizeof(pol->id), "%s@sha256:%s", pol->name, hex);
	free(canonical);
	return rc;
}

/* pol->type_rules from the rules as loaded. */
static void index_rules(struct policy *pol)
{
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		pol->ntype_rules[t] = 0;
		for (int r = 0; r < RULE_COUNT; r++)
			if (pol->rules[r].enabled && (rule_defs[r]->triggers & (1u << t)))
				pol->type_rules[t][pol->ntype_rules[t]++] = (uint8_t)r;
	}
}

int policy_load_json(struct policy *pol, const char *text, size_t len, char *err, size_t errlen)
{
	static const char *const top_keys[] = { "name", "jurisdiction", "countries", "description", "sources",
						"timezone", "currencies", "scoring", "actions", "due_hours",
						"limit_raise_delay_hours", "limit_raise_after_period", "material",
						"periods", "rules", "review", "language", NULL };
	struct path top = { "" };
	json_error_t jerr;
	int rc = -1;
	int32_t delay_hours = 0;
	char where[128] = "";

	memset(pol, 0, sizeof(*pol));
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return seterr(err, errlen, "not valid JSON at line %d: %s", jerr.line, jerr.text);
	if (!json_is_object(root)) {
		seterr(err, errlen, "a policy must be a JSON object");
		goto out;
	}
	if (no_reals(root, where, sizeof(where)) < 0) {
		seterr(err, errlen, "%s: numbers in a policy must be integers (minor units, minutes, percent)",
		       where[0] ? where : "(document)");
		goto out;
	}
	if (only_keys(root, top_keys, &top, err, errlen) < 0 || load_about(pol, root, &top, err, errlen) < 0 ||
	    load_countries(pol, root, &top, err, errlen) < 0 || load_periods(pol, root, &top, err, errlen) < 0 ||
	    load_timezone(pol, root, &top, err, errlen) < 0 || load_currencies(pol, root, &top, err, errlen) < 0 ||
	    load_levels(pol, root, &top, err, errlen) < 0 ||
	    get_i32(root, "limit_raise_delay_hours", true, 0, 8760, &delay_hours, &top, err, errlen) < 0)
		goto out;
	pol->limit_raise_delay_minutes = delay_hours * 60;
	json_t *after_period = json_object_get(root, "limit_raise_after_period");
	if (after_period && !json_is_boolean(after_period)) {
		seterr(err, errlen, "limit_raise_after_period: must be true or false");
		goto out;
	}
	pol->limit_raise_after_period = json_is_true(after_period);
	if (json_object_get(root, "material") &&
	    load_money(pol, json_object_get(root, "material"), pol->material, &top, "material", err, errlen) < 0)
		goto out;
	if (load_rules(pol, root, &top, err, errlen) < 0 || load_review(pol, root, &top, err, errlen) < 0 ||
	    identify(pol, root, err, errlen) < 0)
		goto out;
	index_rules(pol);
	rc = 0;
out:
	json_decref(root);
	return rc;
}
