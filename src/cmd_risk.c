/* cmd_risk.c -- `rgmon player show` and `rgmon alerts list`: the risk
 * outputs of DESIGN 1.3 from a database, read-only (safe beside serve).
 * --json prints exactly what the HTTP API returns. */
#include "rgmon/alert.h"
#include "rgmon/clock.h"
#include "rgmon/cmd.h"
#include "rgmon/policy_set.h"
#include "rgmon/talk_file.h"
#include "rgmon/risk.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

static int cmd_player_show(const struct cmd_entry *cmd, int argc, char **argv);
static int cmd_alerts_list(const struct cmd_entry *cmd, int argc, char **argv);

struct risk_args {
	const char *db, *policies, *status, *id, *lang;
	struct opt_list policy;
	bool json;
};

static const struct opt player_show_opts[] = {
	OPT_ARG("ID", struct risk_args, id, "the player_id"),
	OPT_REQUIRED_STRING("db", "DB", struct risk_args, db, "SQLite database (read only)"),
	OPT_LIST(0, "policy", "FILE", struct risk_args, policy, POLICY_SET_MAX, NULL,
		 "explain with this pack (repeat for more; default: the packs the database was last run with)"),
	OPT_STRING("policies", "DIR", struct risk_args, policies, NULL, "explain with every *.json pack in DIR"),
	OPT_FLAG("json", struct risk_args, json, "the JSON of DESIGN 1.3, as the HTTP API returns it"),
	OPT_STRING("lang", "LANG", struct risk_args, lang, NULL,
		   "talking points in this language (en, sv, nl, de, es, fr; default: the player's)"),
	OPT_END,
};

const struct cmd_entry cmd_player_show_entry = {
	"player show", player_show_opts,
	"Show a player's badge: level (green, amber, red, excluded), score 0-100,\n"
	"the reasons with their numbers, the player's own limits and how much of\n"
	"them is used, and any exclusion; as of the player's last event. The player\n"
	"is read with the pack of their account country (else the fallback pack).\n"
	"--json adds the talking points (policies/talk/), in the player's language.\n",
	NULL,
	cmd_player_show,
};

static const struct opt alerts_list_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct risk_args, db, "SQLite database (read only)"),
	OPT_CHOICE("status", "open|acknowledged|pending_review|resolved", struct risk_args, status, NULL,
		   "only alerts with this status"),
	OPT_FLAG("json", struct risk_args, json, "{\"alerts\":[...]} with each alert as in DESIGN 1.3"),
	OPT_END,
};

const struct cmd_entry cmd_alerts_list_entry = {
	"alerts list", alerts_list_opts,
	"List alerts in queue order: red before amber, then by due time.\n",
	NULL,
	cmd_alerts_list,
};

static void print_player(json_t *risk)
{
	const char *as_of = json_string_value(json_object_get(risk, "as_of"));
	const char *cur = json_string_value(json_object_get(risk, "currency"));
	char level[16];
	size_t i;
	json_t *v;

	rg_strlcpy(level, json_string_value(json_object_get(risk, "level")), sizeof(level));
	for (char *p = level; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	printf("%s  %s  score %lld\n", json_string_value(json_object_get(risk, "player_id")), level,
	       (long long)json_integer_value(json_object_get(risk, "score")));
	printf("as of %s, jurisdiction %s, policy %s\n", as_of ? as_of : "-",
	       json_string_value(json_object_get(risk, "jurisdiction")), json_string_value(json_object_get(risk, "policy")));
	json_t *ex = json_object_get(risk, "excluded_until");
	if (json_is_string(ex))
		printf("excluded until %s\n", json_string_value(ex));
	json_t *reasons = json_object_get(risk, "reasons");
	printf("reasons:%s\n", json_array_size(reasons) ? "" : " none");
	json_array_foreach(reasons, i, v) {
		printf("  %3lld  %-36s %s\n", (long long)json_integer_value(json_object_get(v, "points")),
		       json_string_value(json_object_get(v, "rule")), json_string_value(json_object_get(v, "detail")));
	}
	json_t *limits = json_object_get(risk, "limits");
	if (json_array_size(limits))
		printf("limits:\n");
	json_array_foreach(limits, i, v) {
		const char *kind = json_string_value(json_object_get(v, "limit"));
		int64_t used = json_integer_value(json_object_get(v, "used"));
		int64_t value = json_integer_value(json_object_get(v, "value"));
		char u[64], of[64];
		if (strcmp(kind, "session_time") == 0) {
			snprintf(u, sizeof(u), "%lld", (long long)used);
			snprintf(of, sizeof(of), "%lld minutes", (long long)value);
		} else { /* money: in the currency's units, "38.00 of 60.00 EUR" */
			rule_fmt_money(u, sizeof(u), used, cur);
			rule_fmt_money(of, sizeof(of), value, cur);
		}
		/* A bound says so once (a saturated sum already reads "at least"). */
		bool bound = json_is_true(json_object_get(v, "used_at_least")) && strncmp(u, "at least ", 9) != 0;
		printf("  %s per %s: %s%s of %s\n", kind, json_string_value(json_object_get(v, "period")),
		       bound ? "at least " : "", u, of);
	}
}

/* The talking points of the HTTP risk (staff view), so the two stay the
 * same JSON (DESIGN 1.3). */
static int add_talking_points(json_t *risk, const struct player_state *ps, const struct policy *pol,
			      const char *want, char *err, size_t errlen)
{
	struct talk_set *talk = malloc(sizeof(*talk));
	if (!talk)
		return seterr(err, errlen, "out of memory");
	if (talk_set_load_builtin(talk, err, errlen) < 0) {
		free(talk);
		return -1;
	}
	const char *lang = talk_language(talk, ps, pol, want && event_language_valid(want) ? want : NULL);
	json_t *tp = talk_points_json(talk, ps, pol, lang, RISK_VIEW_STAFF);
	if (tp)
		json_object_set_new(risk, "talking_points", tp);
	talk_set_release(talk);
	free(talk);
	return 0;
}

static int cmd_player_show(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct risk_args a = { 0 };
	struct player_state ps;
	struct policy_set *set = NULL;
	struct store *st = NULL;
	char err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	if (!(set = malloc(sizeof(*set)))) {
		seterr(err, sizeof(err), "out of memory");
		goto fail;
	}
	policy_set_init(set);
	if (!(st = store_open_readonly(a.db, err, sizeof(err))) ||
	    cmd_read_policies(&a.policy, a.policies, st, set, err, sizeof(err)) < 0)
		goto fail;
	int found = store_player_load(st, a.id, &ps, err, sizeof(err));
	if (found < 0)
		goto fail;
	if (!found) {
		seterr(err, sizeof(err), "player \"%s\" not found", a.id);
		goto fail;
	}
	const struct policy *pol = policy_set_for_country(set, ps.country);
	json_t *risk = risk_player_json(a.id, &ps, pol);
	if (a.json && add_talking_points(risk, &ps, pol, a.lang, err, sizeof(err)) < 0) {
		json_decref(risk);
		goto fail;
	}
	if (a.json) {
		json_dumpf(risk, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_player(risk);
	}
	json_decref(risk);
	rc = 0;
	goto out;
fail:
	rc = cmd_fail("player show: %s", err);
out:
	store_close(st);
	if (set)
		policy_set_release(set);
	free(set);
	return rc;
}

struct list_ctx {
	int64_t now_ms; /* wall clock, for "overdue" */
	bool json;
	json_t *alerts;
};

static int list_one(void *ctx, const struct alert *al)
{
	struct list_ctx *c = ctx;
	json_t *j = alert_json(al, c->now_ms);
	if (c->json) {
		json_array_append_new(c->alerts, j);
		return 0;
	}
	char due[TS_RFC3339_LEN];
	ts_format_rfc3339(al->due_ms, due, sizeof(due));
	json_t *rules = json_object_get(j, "rules");
	printf("%-32s  %-5s  %-12s  %-16s  %-15s  %-24s  %s\n", al->alert_id, json_string_value(json_object_get(j, "level")),
	       alert_status_name(al->status), al->player_id, json_string_value(json_object_get(j, "suggested_action")), due,
	       json_string_value(json_array_get(rules, 0)));
	json_decref(j);
	return 0;
}

static int cmd_alerts_list(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct risk_args a = { 0 };
	struct store *st = NULL;
	char err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	struct list_ctx ctx = { clock_now_ms(), a.json, json_array() };
	if (!(st = store_open_readonly(a.db, err, sizeof(err))))
		goto fail;
	if (!a.json)
		printf("%-32s  %-5s  %-12s  %-16s  %-15s  %-24s  %s\n", "ALERT", "LEVEL", "STATUS", "PLAYER", "ACTION",
		       "DUE", "FIRST RULE");
	struct store_alert_filter filter;
	store_alert_filter_init(&filter);
	filter.status = a.status;
	if (store_alerts_query(st, &filter, list_one, &ctx, err, sizeof(err)) < 0)
		goto fail;
	if (a.json) {
		json_t *out = json_pack("{s:O}", "alerts", ctx.alerts);
		json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(out);
	}
	rc = 0;
	goto out;
fail:
	rc = cmd_fail("alerts list: %s", err);
out:
	json_decref(ctx.alerts);
	store_close(st);
	return rc;
}
