/* test_talk.c -- talking points (talk.h) and the numbers in them
 * (talk_fmt.h): every rule and suggested action has words in every built-in
 * language and they fill without a placeholder left, for staff and for
 * agents (who read no money); numbers, money and times per language; which
 * language a player is spoken to in; the checks `rgmon policy check` runs
 * on a talk file; and the /metrics gauges of interactions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "rgmon/api.h"
#include "rgmon/talk.h"
#include "rgmon/talk_file.h"
#include "rgmon/talk_fmt.h"
#include "helpers.h"
#include "temp_store.h"

static const char *const langs[] = { "en", "sv", "nl", "de", "es", "fr" };

/* ---- the formatter ----------------------------------------------------------- */

static void check_money(int64_t minor, const char *cur, const char *lang, const char *want)
{
	char buf[64];
	talk_fmt_money(buf, sizeof(buf), minor, cur, lang);
	if (strcmp(buf, want) != 0)
		fail_msg("%lld %s in %s: got \"%s\", want \"%s\"", (long long)minor, cur, lang, buf, want);
}

static void money_per_language(void **state)
{
	(void)state;
	check_money(123450, "SEK", "sv", "1 234,50 kr");
	check_money(123450, "EUR", "nl", "€ 1.234,50");
	check_money(123450, "EUR", "de", "1.234,50 €");
	check_money(123450, "GBP", "en", "£1,234.50");
	check_money(123450, "EUR", "fr", "1 234,50 €");
	check_money(123450, "EUR", "es", "1234,50 €");    /* four digits stay ungrouped in Spanish */
	check_money(1234550, "EUR", "es", "12.345,50 €");
	check_money(450000, "SEK", "sv", "4 500 kr");      /* a whole amount drops ,00 */
	check_money(123450, "SEK", "en", "SEK 1,234.50");  /* no "kr1,234.50" */
	check_money(123450, "SEK", "nl", "SEK 1.234,50");
	check_money(-5050, "GBP", "en", "-£50.50");
	check_money(1234, "JPY", "en", "JPY 1,234");       /* no minor unit */
	check_money(1234, "XYZ", "de", "12,34 XYZ");
	check_money(123450, "EUR", "xx", "€1,234.50");     /* unknown language: English */
	check_money(INT64_MIN, "EUR", "en", "-€92,233,720,368,547,758.08");
}

static void numbers_and_times(void **state)
{
	(void)state;
	char buf[64];
	talk_fmt_int(buf, sizeof(buf), 1234567, "sv");
	assert_string_equal(buf, "1 234 567");
	talk_fmt_int(buf, sizeof(buf), 1234567, "de");
	assert_string_equal(buf, "1.234.567");
	talk_fmt_int(buf, sizeof(buf), 999, "en");
	assert_string_equal(buf, "999");
	talk_fmt_pct(buf, sizeof(buf), 85, "en");
	assert_string_equal(buf, "85%");
	talk_fmt_pct(buf, sizeof(buf), 85, "fr");
	assert_string_equal(buf, "85 %");
	talk_fmt_seconds(buf, sizeof(buf), 1500, "de");
	assert_string_equal(buf, "1,5 s");
	talk_fmt_seconds(buf, sizeof(buf), 2500, "en");
	assert_string_equal(buf, "2.5 s");
	talk_fmt_duration(buf, sizeof(buf), 125);
	assert_string_equal(buf, "2 h 05 min");
	talk_fmt_duration(buf, sizeof(buf), 45);
	assert_string_equal(buf, "45 min");
	/* 23:30 UTC is 00:30 the next day in Stockholm in winter (UTC+1) */
	int64_t t = t_ms("2026-11-22T23:30:00Z");
	talk_fmt_when(buf, sizeof(buf), t, 3600, "sv");
	assert_string_equal(buf, "2026-11-23 00:30");
	talk_fmt_when(buf, sizeof(buf), t, 3600, "nl");
	assert_string_equal(buf, "23-11-2026 00:30");
	talk_fmt_when(buf, sizeof(buf), t, 3600, "de");
	assert_string_equal(buf, "23.11.2026 00:30");
	talk_fmt_when(buf, sizeof(buf), t, 0, "en");
	assert_string_equal(buf, "22/11/2026 23:30");
	talk_fmt_when(buf, sizeof(buf), t, -5 * 3600, "fr"); /* Toronto */
	assert_string_equal(buf, "22/11/2026 18:30");
}

/* ---- the walk over every rule, action and language -------------------------- */

static struct talk_set set;
static struct policy pol;

static int setup(void **state)
{
	(void)state;
	char err[512];
	if (talk_set_load_builtin(&set, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	pol = *test_policy(NULL);
	rg_strlcpy(pol.jurisdiction, "SE", sizeof(pol.jurisdiction));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	talk_set_release(&set);
	return 0;
}

/* No placeholder or bracket left in a filled text. */
static void assert_filled(const char *text, const char *what)
{
	if (!text || !*text || strpbrk(text, "{}[]"))
		fail_msg("%s: \"%s\"", what, text ? text : "(null)");
}

/* A player whose one marker is rule r, with numbers that exercise every
 * way a rule reads them. */
static void marker_player(struct player_state *st, int r, const char *lang)
{
	static const int32_t v[RULE_VALUES] = { 3, 450050, 200000, 1 };
	state_init(st);
	st->markers[0].rule = (uint8_t)r;
	st->markers[0].at_min = (uint32_t)(t_ms("2026-11-22T20:51:00Z") / MS_PER_MIN);
	memcpy(st->markers[0].v, v, sizeof(v));
	st->last_seen_ms = t_ms("2026-11-22T20:51:00Z");
	st->level = LEVEL_RED;
	rg_strlcpy(st->currency, "SEK", sizeof(st->currency));
	rg_strlcpy(st->language, lang, sizeof(st->language));
}

static void check_points(const json_t *tp, const char *lang, int a, const char *what)
{
	assert_non_null(tp);
	assert_string_equal(json_string_value(json_object_get(tp, "language")), lang);
	assert_string_equal(json_string_value(json_object_get(tp, "action")), risk_action_name((enum risk_action)a));
	assert_non_null(strstr(json_string_value(json_object_get(tp, "template")), "@sha256:"));
	assert_filled(json_string_value(json_object_get(tp, "opening")), what);
	const char *keys[] = { "observations", "questions", "avoid" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const json_t *arr = json_object_get(tp, keys[k]);
		size_t i;
		json_t *s;
		assert_true(json_array_size(arr) > 0);
		json_array_foreach(arr, i, s) assert_filled(json_string_value(s), what);
	}
	assert_true(json_array_size(json_object_get(tp, "questions")) >= 3);
	const json_t *offer = json_object_get(tp, "offer");
	size_t i;
	json_t *o;
	assert_true(json_array_size(offer) > 0);
	json_array_foreach(offer, i, o) {
		assert_true(talk_tool_parse(json_string_value(json_object_get(o, "tool"))) >= 0);
		assert_filled(json_string_value(json_object_get(o, "text")), what);
	}
	assert_string_equal(json_string_value(json_object_get(json_object_get(tp, "help"), "name")), "Stödlinjen");
}

static void every_rule_action_and_language(void **state)
{
	(void)state;
	struct player_state st;
	char what[128], money[64];
	int walked = 0;
	for (size_t l = 0; l < ARRAY_SIZE(langs); l++) {
		/* the sample's money as this language writes it: never for agents */
		talk_fmt_money(money, sizeof(money), 450050, "SEK", langs[l]);
		for (int r = 0; r < RULE_COUNT; r++)
			for (int a = 0; a < ACTION_COUNT; a++) {
				struct policy p = pol;
				p.rules[r].action = a;
				p.rules[r].strong = true; /* a reason however faded */
				marker_player(&st, r, langs[l]);
				snprintf(what, sizeof(what), "%s %s %s", langs[l], rule_defs[r]->id,
					 risk_action_name((enum risk_action)a));
				for (int view = RISK_VIEW_STAFF; view <= RISK_VIEW_AGENT; view++) {
					json_t *tp = talk_points_json(&set, &st, &p, langs[l], (enum risk_view)view);
					check_points(tp, langs[l], a, what);
					char *all = json_dumps(json_object_get(tp, "observations"), 0);
					if (view == RISK_VIEW_AGENT && strstr(all, money))
						fail_msg("%s: an agent reads money: %s", what, all);
					free(all);
					json_decref(tp);
				}
				walked++;
			}
	}
	assert_int_equal(walked, (int)ARRAY_SIZE(langs) * RULE_COUNT * ACTION_COUNT);
}

/* The Swedish loss chaser: its numbers in Swedish, for staff; in words
 * for an agent. */
static void loss_chaser_in_swedish(void **state)
{
	(void)state;
	struct player_state st;
	marker_player(&st, RULE_CHASING_DEPOSIT_AFTER_LOSS, "sv");
	json_t *staff = talk_points_json(&set, &st, &pol, "sv", RISK_VIEW_STAFF);
	json_t *agent = talk_points_json(&set, &st, &pol, "sv", RISK_VIEW_AGENT);
	const char *s = json_string_value(json_array_get(json_object_get(staff, "observations"), 0));
	const char *g = json_string_value(json_array_get(json_object_get(agent, "observations"), 0));
	assert_string_equal(s, "Hen satte in pengar 3 gånger inom 24 timmar (4 500,50 kr totalt), varje gång inom 30 minuter "
				"efter en förlust; förlusterna var 2 000 kr.");
	assert_string_equal(g, "Hen satte in pengar 3 gånger inom 24 timmar, varje gång inom 30 minuter efter en förlust.");
	assert_null(strstr(g, "kr"));
	json_decref(staff);
	json_decref(agent);
}

static void language_choice(void **state)
{
	(void)state;
	struct player_state st;
	struct policy p = pol;
	state_init(&st);
	assert_string_equal(talk_language(&set, &st, &p, "nl"), "nl");  /* ?lang= first */
	assert_string_equal(talk_language(&set, &st, &p, "xx"), "sv");  /* unknown: on down the list */
	rg_strlcpy(st.language, "de", sizeof(st.language));
	assert_string_equal(talk_language(&set, &st, &p, NULL), "de");  /* the player's account */
	rg_strlcpy(st.language, "fi", sizeof(st.language));             /* no Finnish file */
	rg_strlcpy(p.language, "es", sizeof(p.language));
	assert_string_equal(talk_language(&set, &st, &p, NULL), "es");  /* the pack's */
	p.language[0] = '\0';
	assert_string_equal(talk_language(&set, &st, &p, NULL), "sv");  /* the jurisdiction's */
	rg_strlcpy(p.jurisdiction, "EU", sizeof(p.jurisdiction));
	assert_string_equal(talk_language(&set, &st, &p, NULL), "en");  /* else English */
	rg_strlcpy(st.country, "FR", sizeof(st.country));               /* account country FR */
	assert_string_equal(talk_language(&set, &st, &p, NULL), "fr");
}

static void help_by_jurisdiction(void **state)
{
	(void)state;
	static const char *const want[][2] = { { "SE", "Stödlinjen" }, { "NL", "Loket Kansspel" },
					       { "GB", "National Gambling Helpline" }, { "CA", "ConnexOntario" } };
	struct player_state st;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct policy p = pol;
		rg_strlcpy(p.jurisdiction, want[i][0], sizeof(p.jurisdiction));
		marker_player(&st, RULE_MONEY_NET_LOSS, "en");
		json_t *tp = talk_points_json(&set, &st, &p, "en", RISK_VIEW_AGENT);
		assert_string_equal(json_string_value(json_object_get(json_object_get(tp, "help"), "name")), want[i][1]);
		json_decref(tp);
	}
	/* no help line known: help is null and the help line is not offered */
	struct policy p = pol;
	rg_strlcpy(p.jurisdiction, "EU", sizeof(p.jurisdiction));
	marker_player(&st, RULE_MONEY_NET_LOSS, "en");
	json_t *tp = talk_points_json(&set, &st, &p, "en", RISK_VIEW_AGENT);
	assert_true(json_is_null(json_object_get(tp, "help")));
	char *offer = json_dumps(json_object_get(tp, "offer"), 0);
	assert_null(strstr(offer, "help_line"));
	free(offer);
	json_decref(tp);
	/* a language without a file gives nothing */
	assert_null(talk_points_json(&set, &st, &p, "fi", RISK_VIEW_STAFF));
}

/* ---- the checks of a talk file ------------------------------------------------ */

static char *builtin_with(const char *key, const char *sub, const char *value)
{
	char err[256];
	struct talk_set one;
	assert_int_equal(talk_set_load_builtin(&one, err, sizeof(err)), 0);
	json_t *doc = json_deep_copy(one.langs[0].doc);
	talk_set_release(&one);
	json_t *obj = json_object_get(doc, key);
	if (value)
		json_object_set_new(obj, sub, json_string(value));
	else
		json_object_del(obj, sub);
	char *text = json_dumps(doc, 0);
	json_decref(doc);
	return text;
}

static void check_refuses_naming_the_key(void **state)
{
	(void)state;
	static const struct {
		const char *key, *sub, *value, *err;
	} cases[] = {
		{ "observations", "money.lost", NULL, "observations.money.lost: missing" },
		{ "observations", "money.lost", "Lost {amount}.", "observations.money.lost: {amount}: may not be shown" },
		{ "observations", "money.lost", "Lost [{amount}.", "observations.money.lost: \"[\" without \"]\"" },
		{ "observations", "money.lost", "Lost {nothing}.", "observations.money.lost: {nothing}: unknown here" },
		{ "observations", "no.such_rule", "x", "observations.no.such_rule: unknown rule" },
		{ "tools", "self_exclusion", "Use {register}.", "tools.self_exclusion: {register}: may not be shown" },
		{ "actions", "pause", NULL, "actions.pause: missing" },
		{ "words", "window.days", NULL, "words.window.days: missing" },
	};
	char err[256], id[TALK_ID_MAX + 1];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = builtin_with(cases[i].key, cases[i].sub, cases[i].value);
		err[0] = '\0';
		assert_int_equal(talk_check_json(text, strlen(text), id, sizeof(id), err, sizeof(err)), -1);
		if (!strstr(err, cases[i].err))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, cases[i].err);
		free(text);
	}
	char *text = builtin_with("words", "window.days", "in the last {n} days");
	assert_int_equal(talk_check_json(text, strlen(text), id, sizeof(id), err, sizeof(err)), 0);
	free(text);
}

/* ---- /metrics: the active players ------------------------------------------------- */

static void add_active_player(sqlite3 *db, const char *player_id)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO meta(key, value) VALUES ('stream_time', 1796000000000);"
		 "INSERT INTO players(player_id, partition, state) VALUES ('%s', 0, x'');"
		 "INSERT INTO player_events(player_id, ts_ms, type, event_id, batch)"
		 " VALUES ('%s', 1796000000000, 'deposit', 'e-%s', 1);",
		 player_id, player_id, player_id);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static long long scraped_active_players(struct metrics *m, struct store *st, int64_t now_ms)
{
	struct api_request rq = { .db = st, .now_ms = now_ms };
	struct sbuf out;
	sbuf_init(&out);
	api_talk_metrics(m, &rq, &out);
	const char *line = out.buf ? strstr(out.buf, "\nrgmon_active_players ") : NULL;
	long long n = line ? atoll(line + strlen("\nrgmon_active_players ")) : -1;
	sbuf_release(&out);
	return n;
}

/* The active players are an index probe each: a scrape counts them again
 * only when the last count is 30 s old (or the clock went back). */
static void metrics_recount_active_players_every_30s(void **state)
{
	(void)state;
	char path[64];
	struct store *st = open_temp(path, sizeof(path));
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	struct metrics m;
	metrics_init(&m);
	const int64_t t0 = 1796000000000;
	add_active_player(db, "p1");
	assert_int_equal(scraped_active_players(&m, st, t0), 1);
	add_active_player(db, "p2");
	assert_int_equal(scraped_active_players(&m, st, t0 + 29999), 1);
	assert_int_equal(scraped_active_players(&m, st, t0 + 30000), 2);
	add_active_player(db, "p3");
	assert_int_equal(scraped_active_players(&m, st, t0 + 1000), 3); /* the clock went back */
	sqlite3_close(db);
	remove_temp(st, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(money_per_language),
		cmocka_unit_test(numbers_and_times),
		cmocka_unit_test(every_rule_action_and_language),
		cmocka_unit_test(loss_chaser_in_swedish),
		cmocka_unit_test(language_choice),
		cmocka_unit_test(help_by_jurisdiction),
		cmocka_unit_test(check_refuses_naming_the_key),
		cmocka_unit_test(metrics_recount_active_players_every_30s),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
