/* test_evaluate.c -- the backtest of `rgmon evaluate` (evaluate.h): the
 * metric maths against hand-computed values (AUROC with ties and its
 * Hanley-McNeil interval, percentiles, precision / recall / F1), the
 * labels CSV line parser and its one-line errors, and the backtest on a
 * tiny fixture with the built-in policy: a chaser labelled after their
 * alert is caught with the lead time, one labelled before any event is a
 * miss, duplicates and events after the cut-off are not scored, a label
 * for a player without events is refused naming its line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rgmon/digest.h"
#include "rgmon/engine.h"
#include "rgmon/evaluate.h"
#include "rgmon/store.h"
#include "helpers.h"

#define EPS 1e-6

/* ---- the tables' hash ---------------------------------------------------- */

/* XXH64 against the reference values of xxHash's specification (seed 0):
 * each length path (bytes, 4, 8, the 32-byte stripes) is covered, so a
 * wrong constant or rotation fails here, not as a crowded table. */
static void test_xxh64_reference_values(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t want;
	} cases[] = {
		{ "", 0xEF46DB3751D8E999ULL },
		{ "a", 0xD24EC4F1A98C6E5BULL },
		{ "abc", 0x44BC2CF5AD770999ULL },
		{ "asdf", 0x415872F599CEA71EULL },
		{ "Call me Ishmael.", 0x6D04390FC9D61A90ULL },
		{ "Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1ULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(digest_xxh64(cases[i].text, strlen(cases[i].text)), cases[i].want);
	const unsigned char zero = 0;
	assert_int_equal(digest_xxh64(&zero, 1), 0xE934A84ADB052768ULL);
}

/* ---- AUROC -------------------------------------------------------------- */

static void auroc_of(const double *score, const bool *pos, size_t n, struct eval_auroc *out)
{
	evaluate_auroc(score, pos, n, out);
}

static void test_auroc_perfect_and_inverted(void **state)
{
	(void)state;
	double s[] = { 1, 2, 3, 4 };
	bool up[] = { false, false, true, true }, down[] = { true, true, false, false };
	struct eval_auroc a;
	auroc_of(s, up, 4, &a);
	assert_true(fabs(a.value - 1) < EPS);
	assert_int_equal(a.positives, 2);
	assert_int_equal(a.negatives, 2);
	auroc_of(s, down, 4, &a);
	assert_true(fabs(a.value) < EPS);
}

/* Positives 3 and 2, negatives 1 and 2: of the 4 pairs, 3 are ordered
 * and one tied (one half): 3.5 / 4. */
static void test_auroc_ties_count_half(void **state)
{
	(void)state;
	double s[] = { 3, 2, 1, 2 };
	bool pos[] = { true, true, false, false };
	struct eval_auroc a;
	auroc_of(s, pos, 4, &a);
	assert_true(fabs(a.value - 0.875) < EPS);
	/* Hanley-McNeil: Q1 = A/(2-A), Q2 = 2A^2/(1+A), n+ = n- = 2. */
	assert_true(fabs(a.lo - 0.4679009872) < EPS);
	assert_true(fabs(a.hi - 1) < EPS); /* 1.282 clipped */

	double all_same[] = { 7, 7, 7, 7, 7 };
	bool mixed[] = { true, false, false, true, false };
	auroc_of(all_same, mixed, 5, &a);
	assert_true(fabs(a.value - 0.5) < EPS);
}

/* Positives 5 4 3 3, negatives 3 2 1 1 0: 19 of 20 pairs ordered, the two
 * 3-3 ties half each: (18 + 2 * 0.5) / 20 = 0.95; the interval by hand. */
static void test_auroc_interval(void **state)
{
	(void)state;
	double s[] = { 3, 5, 2, 4, 1, 3, 1, 3, 0 };
	bool pos[] = { false, true, false, true, false, true, false, true, false };
	struct eval_auroc a;
	auroc_of(s, pos, 9, &a);
	assert_true(fabs(a.value - 0.95) < EPS);
	assert_true(fabs(a.lo - 0.7820539472) < EPS);
	assert_true(fabs(a.hi - 1) < EPS);
}

static void test_auroc_undefined_without_both_classes(void **state)
{
	(void)state;
	double s[] = { 1, 2 };
	bool none[] = { false, false };
	struct eval_auroc a;
	auroc_of(s, none, 2, &a);
	assert_true(isnan(a.value) && isnan(a.lo) && isnan(a.hi));
	auroc_of(s, none, 0, &a);
	assert_true(isnan(a.value));
}

/* The curve of the ties example: (0,0) until 3, (0,.5) at 3, (.5,1) at 2,
 * (1,1) from 1; its trapezoid area is the AUROC. */
static void test_roc_curve(void **state)
{
	(void)state;
	double s[] = { 3, 2, 1, 2 };
	bool pos[] = { true, true, false, false };
	struct eval_roc_point roc[EVAL_ROC_POINTS];
	evaluate_roc(s, pos, 4, roc);
	assert_int_equal(roc[0].threshold, 101);
	assert_true(roc[0].fpr == 0 && roc[0].tpr == 0);
	assert_int_equal(roc[EVAL_ROC_POINTS - 1].threshold, 0);
	const struct eval_roc_point *at3 = &roc[EVAL_ROC_POINTS - 1 - 3], *at2 = &roc[EVAL_ROC_POINTS - 1 - 2];
	assert_true(fabs(at3->fpr) < EPS && fabs(at3->tpr - 0.5) < EPS);
	assert_true(fabs(at2->fpr - 0.5) < EPS && fabs(at2->tpr - 1) < EPS);
	double area = 0;
	for (int i = 1; i < EVAL_ROC_POINTS; i++)
		area += (roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr) / 2;
	struct eval_auroc a;
	evaluate_auroc(s, pos, 4, &a);
	assert_true(fabs(area - a.value) < EPS);
}

/* ---- percentiles, precision and recall --------------------------------- */

static void test_percentile(void **state)
{
	(void)state;
	double v[] = { 1, 2, 3, 4 };
	assert_true(fabs(evaluate_percentile(v, 4, 0.25) - 1.75) < EPS);
	assert_true(fabs(evaluate_percentile(v, 4, 0.5) - 2.5) < EPS);
	assert_true(fabs(evaluate_percentile(v, 4, 0.75) - 3.25) < EPS);
	assert_true(fabs(evaluate_percentile(v, 4, 0) - 1) < EPS);
	assert_true(fabs(evaluate_percentile(v, 4, 1) - 4) < EPS);
	double one[] = { 9 };
	assert_true(fabs(evaluate_percentile(one, 1, 0.25) - 9) < EPS);
	assert_true(isnan(evaluate_percentile(v, 0, 0.5)));
}

static void test_precision_recall(void **state)
{
	(void)state;
	struct eval_prf p;
	evaluate_prf(4, 3, 6, &p); /* 3 of 4 flagged are positive, 3 of 6 positives caught */
	assert_true(fabs(p.precision - 0.75) < EPS);
	assert_true(fabs(p.recall - 0.5) < EPS);
	assert_true(fabs(p.f1 - 0.6) < EPS);
	evaluate_prf(5, 0, 2, &p);
	assert_true(fabs(p.precision) < EPS && fabs(p.recall) < EPS && fabs(p.f1) < EPS);
	evaluate_prf(0, 0, 2, &p); /* nothing flagged: precision undefined */
	assert_true(isnan(p.precision));
	assert_true(fabs(p.recall) < EPS);
	assert_true(isnan(p.f1));
	evaluate_prf(3, 0, 0, &p); /* no positive: recall undefined */
	assert_true(isnan(p.recall));
}

/* ---- labels ------------------------------------------------------------- */

static int parse(const char *line, struct eval_label *l, char *err)
{
	return evaluate_label_parse(line, strlen(line), l, err, 256);
}

static void test_label_lines(void **state)
{
	(void)state;
	struct eval_label l;
	char err[256];
	assert_int_equal(parse("p1,2026-11-30T00:00:00Z", &l, err), 1);
	assert_string_equal(l.player_id, "p1");
	assert_true(l.positive);
	assert_string_equal(l.text, "1");
	assert_true(l.ts_ms == t_ms("2026-11-30T00:00:00Z"));
	assert_int_equal(parse("p2,2026-11-30T01:00:00+01:00,0\r", &l, err), 1);
	assert_false(l.positive);
	assert_true(l.ts_ms == t_ms("2026-11-30T00:00:00Z"));
	assert_int_equal(parse("p3,2026-11-30T00:00:00Z,rg_closure", &l, err), 1);
	assert_true(l.positive);
	assert_string_equal(l.text, "rg_closure");
	assert_int_equal(parse("player_id,label_ts,label", &l, err), 0);
	assert_int_equal(parse("player_id,label_ts", &l, err), 0);
}

static void test_label_errors_name_the_field(void **state)
{
	(void)state;
	struct eval_label l;
	char err[256];
	assert_int_equal(parse("p1,yesterday", &l, err), -1);
	assert_string_equal(err, "label_ts: \"yesterday\" is not an RFC 3339 time");
	assert_int_equal(parse("p1", &l, err), -1);
	assert_string_equal(err, "label_ts: missing (player_id,label_ts[,label])");
	assert_int_equal(parse("p 1,2026-11-30T00:00:00Z", &l, err), -1);
	assert_true(strncmp(err, "player_id: \"p 1\"", 16) == 0);
	assert_int_equal(parse(",2026-11-30T00:00:00Z", &l, err), -1);
	assert_true(strncmp(err, "player_id:", 10) == 0);
	assert_int_equal(parse("p1,2026-11-30T00:00:00Z,", &l, err), -1);
	assert_true(strncmp(err, "label: \"\"", 9) == 0);
	assert_int_equal(parse("p1,2026-11-30T00:00:00Z,1,extra", &l, err), -1);
	assert_string_equal(err, "more than 3 fields (player_id,label_ts[,label])");
}

/* ---- the backtest ------------------------------------------------------- */

static struct policy_set set;
static int seq;

static int setup_set(void **state)
{
	(void)state;
	char err[512];
	policy_set_init(&set);
	return policy_set_load(&set, NULL, 0, false, err, sizeof(err));
}

static int teardown_set(void **state)
{
	(void)state;
	policy_set_release(&set);
	return 0;
}

static void feed(struct evaluate *e, const char *json, enum eval_outcome *outcome)
{
	char err[256];
	struct event ev = make_event("%s", json);
	assert_int_equal(evaluate_event(e, &ev, outcome, err, sizeof(err)), 0);
}

/* An hour of losses, redeposits and declined attempts (test_packs'
 * chase): an alert under the built-in policy. */
static void chase(struct evaluate *e, const char *player)
{
	char buf[512];
	enum eval_outcome o;
	static const char *const rows[] = {
		"10:01:00Z\",\"type\":\"deposit\",\"amount\":50000,\"currency\":\"EUR\"",
		"10:02:00Z\",\"type\":\"game_round\",\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"",
		"10:03:00Z\",\"type\":\"game_round\",\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"",
		"10:04:00Z\",\"type\":\"game_round\",\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"",
		"10:05:00Z\",\"type\":\"game_round\",\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"",
		"10:06:00Z\",\"type\":\"game_round\",\"stake\":10000,\"payout\":0,\"currency\":\"EUR\"",
		"10:10:00Z\",\"type\":\"deposit\",\"amount\":50000,\"currency\":\"EUR\"",
		"10:15:00Z\",\"type\":\"deposit\",\"amount\":50000,\"currency\":\"EUR\"",
		"10:20:00Z\",\"type\":\"deposit\",\"amount\":50000,\"currency\":\"EUR\"",
		"10:25:00Z\",\"type\":\"deposit\",\"amount\":50000,\"currency\":\"EUR\"",
		"10:31:00Z\",\"type\":\"deposit\",\"amount\":31000,\"currency\":\"EUR\",\"status\":\"declined\"",
		"10:32:00Z\",\"type\":\"deposit\",\"amount\":32000,\"currency\":\"EUR\",\"status\":\"declined\"",
		"10:33:00Z\",\"type\":\"deposit\",\"amount\":33000,\"currency\":\"EUR\",\"status\":\"declined\"",
		"10:34:00Z\",\"type\":\"deposit\",\"amount\":34000,\"currency\":\"EUR\",\"status\":\"declined\"",
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		snprintf(buf, sizeof(buf), "{\"event_id\":\"e%d\",\"player_id\":\"%s\",\"ts\":\"2026-11-09T%s}", ++seq,
			 player, rows[i]);
		feed(e, buf, &o);
	}
}

static struct evaluate *backtest(int horizon_days)
{
	char err[256];
	struct evaluate_config cfg = { .policies = &set, .horizon_days = horizon_days };
	struct evaluate *e = evaluate_new(&cfg, err, sizeof(err));
	assert_non_null(e);
	seq = 0;
	return e;
}

static void label(struct evaluate *e, const char *line, int64_t lineno)
{
	struct eval_label l;
	char err[256];
	assert_int_equal(evaluate_label_parse(line, strlen(line), &l, err, sizeof(err)), 1);
	assert_int_equal(evaluate_add_label(e, &l, lineno, err, sizeof(err)), 0);
}

struct rows {
	struct eval_player p[8];
	int n;
};

static int keep_row(void *ctx, const struct eval_player *p)
{
	struct rows *r = ctx;
	r->p[r->n++] = *p;
	return 0;
}

static void test_backtest_caught_and_missed(void **state)
{
	(void)state;
	struct evaluate *e = backtest(0);
	label(e, "caught,2026-11-12T10:00:00Z", 1);
	label(e, "missed,2026-11-09T09:00:00Z", 2); /* before any of their events */
	chase(e, "caught");
	chase(e, "missed");
	chase(e, "calm_negative"); /* unlabelled: a negative, alerted */
	enum eval_outcome o;
	feed(e, "{\"event_id\":\"e1\",\"player_id\":\"caught\",\"ts\":\"2026-11-09T11:00:00Z\",\"type\":\"session_start\","
		"\"session_id\":\"s\"}", &o);
	assert_int_equal(o, EVAL_DUPLICATE);

	struct rows r = { .n = 0 };
	assert_int_equal(evaluate_each_player(e, keep_row, &r), 0);
	assert_int_equal(r.n, 3); /* in player_id order */
	assert_string_equal(r.p[0].player_id, "calm_negative");
	assert_string_equal(r.p[1].player_id, "caught");
	assert_string_equal(r.p[2].player_id, "missed");
	assert_true(r.p[1].first_alert_ms != ENGINE_NO_TIME);
	assert_true(r.p[1].max_level >= LEVEL_AMBER);
	assert_true(r.p[2].first_alert_ms == ENGINE_NO_TIME);
	assert_int_equal(r.p[2].max_score, 0);

	struct eval_summary s;
	char err[256];
	assert_int_equal(evaluate_summarize(e, &s, err, sizeof(err)), 0);
	assert_int_equal(s.players, 3);
	assert_int_equal(s.positives, 2);
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.after_cutoff, 14); /* all of missed's */
	assert_int_equal(s.flag[EVAL_CUT_ALERT].flagged, 2);
	assert_int_equal(s.flag[EVAL_CUT_ALERT].true_pos, 1);
	assert_true(fabs(s.flag[EVAL_CUT_ALERT].recall - 0.5) < EPS);
	assert_int_equal(s.lead_n, 1);
	double lead = (double)(t_ms("2026-11-12T10:00:00Z") - r.p[1].first_alert_ms) / MS_PER_DAY;
	assert_true(fabs(s.lead_median - lead) < EPS);
	assert_true(lead > 2.9 && lead < 3);
	/* The positives: caught ties calm_negative (one half), missed scores
	 * below it (0): (0.5 + 0) / 2. */
	assert_true(fabs(s.auroc.value - 0.25) < EPS);
	/* Every alert was on 2026-11-09, the only day scored. */
	assert_int_equal(s.day_bars, 1);
	assert_int_equal(s.day_bin, 1);
	assert_true(s.day_first_ms == t_ms("2026-11-09T00:00:00Z"));
	assert_true(s.harm_alerts + s.obligations > 0);
	assert_int_equal(s.day_alerts[0], s.harm_alerts + s.obligations);
	evaluate_free(e);
}

/* A horizon past the alert turns the catch into a miss. */
static void test_backtest_horizon(void **state)
{
	(void)state;
	struct evaluate *e = backtest(3); /* cut-off 2026-11-09T10:00Z: before the chase */
	label(e, "caught,2026-11-12T10:00:00Z", 1);
	chase(e, "caught");
	struct eval_summary s;
	char err[256];
	assert_int_equal(evaluate_summarize(e, &s, err, sizeof(err)), 0);
	assert_int_equal(s.flag[EVAL_CUT_ALERT].true_pos, 0);
	assert_int_equal(s.after_cutoff, 14);
	evaluate_free(e);
}

/* The cut-off is exact: a label at the very time of the alerting event
 * leaves that event unscored (a miss, though the player was scored
 * before), a label a millisecond later counts the alert. */
static void calm_then_chase(struct evaluate *e)
{
	enum eval_outcome o;
	feed(e, "{\"event_id\":\"c1\",\"player_id\":\"p\",\"ts\":\"2026-11-08T10:00:00Z\",\"type\":\"session_start\","
		"\"session_id\":\"s0\"}", &o);
	feed(e, "{\"event_id\":\"c2\",\"player_id\":\"p\",\"ts\":\"2026-11-08T10:20:00Z\",\"type\":\"session_end\","
		"\"session_id\":\"s0\"}", &o);
	chase(e, "p");
}

static void test_backtest_cutoff_at_the_alert(void **state)
{
	(void)state;
	struct evaluate *e = backtest(0);
	calm_then_chase(e);
	struct rows r = { .n = 0 };
	evaluate_each_player(e, keep_row, &r);
	int64_t alert = r.p[0].first_alert_ms;
	assert_true(alert != ENGINE_NO_TIME);
	evaluate_free(e);

	for (int later = 0; later <= 1; later++) {
		struct eval_label l = { .player_id = "p", .ts_ms = alert + later, .positive = true, .text = "1" };
		char err[256];
		struct eval_summary s;
		e = backtest(0);
		assert_int_equal(evaluate_add_label(e, &l, 1, err, sizeof(err)), 0);
		calm_then_chase(e);
		assert_int_equal(evaluate_summarize(e, &s, err, sizeof(err)), 0);
		assert_int_equal(s.flag[EVAL_CUT_ALERT].true_pos, later);
		assert_true(s.scored >= 2); /* the calm day at least */
		assert_int_equal(s.lead_n, later);
		if (later)
			assert_true(fabs(s.lead_median - 1.0 / MS_PER_DAY) < EPS);
		evaluate_free(e);
	}
}

static void test_backtest_label_checks(void **state)
{
	(void)state;
	struct evaluate *e = backtest(0);
	struct eval_label l;
	char err[256];
	int64_t lineno = 0;
	label(e, "caught,2026-11-12T10:00:00Z", 2);
	label(e, "ghost,2026-11-12T10:00:00Z", 5);
	assert_int_equal(evaluate_label_parse("caught,2026-11-13T10:00:00Z", 27, &l, err, sizeof(err)), 1);
	assert_int_equal(evaluate_add_label(e, &l, 9, err, sizeof(err)), -1);
	assert_string_equal(err, "player \"caught\" has a label already, on line 2");
	chase(e, "caught");
	assert_int_equal(evaluate_check_labels(e, &lineno, err, sizeof(err)), -1);
	assert_int_equal(lineno, 5);
	assert_string_equal(err, "player \"ghost\" has no events");
	evaluate_free(e);
}

/* --label-event self_exclusion: the first self-exclusion is the label and
 * is itself not scored. */
static void test_backtest_self_exclusion_label(void **state)
{
	(void)state;
	char err[256];
	struct evaluate_config cfg = { .policies = &set, .label_self_exclusion = true };
	struct evaluate *e = evaluate_new(&cfg, err, sizeof(err));
	enum eval_outcome o;
	chase(e, "x1");
	feed(e, "{\"event_id\":\"se1\",\"player_id\":\"x1\",\"ts\":\"2026-11-10T10:00:00Z\",\"type\":\"self_exclusion\","
		"\"days\":30,\"source\":\"player\"}", &o);
	assert_int_equal(o, EVAL_AFTER_CUTOFF);
	struct rows r = { .n = 0 };
	evaluate_each_player(e, keep_row, &r);
	assert_true(r.p[0].positive);
	assert_true(r.p[0].label_ts_ms == t_ms("2026-11-10T10:00:00Z"));
	assert_true(r.p[0].max_level < LEVEL_EXCLUDED);
	evaluate_free(e);
}

/* The duplicate window: 300,000 ids a minute apart (208 days) make the
 * table grow and then forget in place; every id of the last 35 days is
 * still a duplicate, and the table stays the size of the window. */
static void test_dedupe_window(void **state)
{
	(void)state;
	struct eval_dedupe *d = eval_dedupe_new();
	struct event ev = { .type = EVENT_DEPOSIT };
	int64_t t0 = t_ms("2026-01-01T00:00:00Z");
	const int n = 300000;
	assert_non_null(d);
	for (int i = 0; i < n; i++) {
		snprintf(ev.event_id, sizeof(ev.event_id), "id-%d", i);
		ev.ts_ms = t0 + (int64_t)i * 60000;
		assert_int_equal(eval_dedupe_seen(d, &ev), 0);
		if (i % 1000 == 999) { /* one a few hours back: still seen, and not added again */
			snprintf(ev.event_id, sizeof(ev.event_id), "id-%d", i - 300);
			assert_int_equal(eval_dedupe_seen(d, &ev), 1);
		}
	}
	int window = STORE_DEDUPE_WINDOW_DAYS * 24 * 60;
	for (int i = n - window; i < n; i++) {
		snprintf(ev.event_id, sizeof(ev.event_id), "id-%d", i);
		ev.ts_ms = t0 + (int64_t)n * 60000;
		assert_int_equal(eval_dedupe_seen(d, &ev), 1);
	}
	/* Forgotten: the first id, 208 days back (so added again now). */
	snprintf(ev.event_id, sizeof(ev.event_id), "id-0");
	assert_int_equal(eval_dedupe_seen(d, &ev), 0);
	eval_dedupe_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xxh64_reference_values),
		cmocka_unit_test(test_auroc_perfect_and_inverted),
		cmocka_unit_test(test_auroc_ties_count_half),
		cmocka_unit_test(test_auroc_interval),
		cmocka_unit_test(test_auroc_undefined_without_both_classes),
		cmocka_unit_test(test_roc_curve),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_precision_recall),
		cmocka_unit_test(test_label_lines),
		cmocka_unit_test(test_label_errors_name_the_field),
		cmocka_unit_test(test_backtest_caught_and_missed),
		cmocka_unit_test(test_backtest_horizon),
		cmocka_unit_test(test_backtest_cutoff_at_the_alert),
		cmocka_unit_test(test_backtest_label_checks),
		cmocka_unit_test(test_backtest_self_exclusion_label),
		cmocka_unit_test(test_dedupe_window),
	};
	return cmocka_run_group_tests(tests, setup_set, teardown_set);
}
