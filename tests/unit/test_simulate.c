/* test_simulate.c -- the simulator is deterministic, players do not depend
 * on the population size, every clean event is valid and in time order per
 * player, and --dirty input produces duplicates and rejects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/event.h"
#include "rgmon/simulate.h"
#include "helpers.h"

#define TRACKED 64

struct collect {
	uint64_t hash;         /* of every byte emitted, in order */
	uint64_t player0_hash; /* of player p000000's events only */
	int events, invalid;
	int64_t last_ts[TRACKED];
	int out_of_order;
	int types[EVENT_TYPE_COUNT];
	char seen_id[64][160];
	int duplicates;
};

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static int collect(void *ctx, const char *player_id, const char *json, size_t len)
{
	struct collect *c = ctx;
	struct event ev;
	char err[256];
	c->events++;
	c->hash = mix(c->hash, json, len);
	if (strcmp(player_id, "p000000") == 0)
		c->player0_hash = mix(c->player0_hash, json, len);
	if (event_parse(json, len, &ev, err, sizeof(err)) < 0) {
		c->invalid++;
		return 0;
	}
	/* a repeat of the previous event of the same id is a dirty duplicate */
	uint64_t slot = mix(1469598103934665603ULL, ev.event_id, strlen(ev.event_id)) % 64;
	if (strcmp(c->seen_id[slot], ev.event_id) == 0)
		c->duplicates++;
	snprintf(c->seen_id[slot], sizeof(c->seen_id[slot]), "%s", ev.event_id);
	c->types[ev.type]++;
	long idx = strtol(player_id + 1, NULL, 10);
	if (idx < TRACKED) {
		if (ev.ts_ms < c->last_ts[idx])
			c->out_of_order++;
		c->last_ts[idx] = ev.ts_ms;
	}
	return 0;
}

static struct sim_config config(int players, int days, int dirty)
{
	struct sim_config cfg = { .seed = 42, .players = players, .days = days,
				  .start_ms = t_ms("2026-11-01T00:00:00Z"), .dirty_permille = dirty };
	return cfg;
}

static void test_same_seed_same_bytes(void **state)
{
	(void)state;
	struct sim_config cfg = config(200, 5, 0);
	struct collect *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	assert_int_equal(sim_run(&cfg, collect, a), 0);
	assert_int_equal(sim_run(&cfg, collect, b), 0);
	assert_true(a->events > 1000);
	assert_int_equal(a->events, b->events);
	assert_true(a->hash == b->hash);
	cfg.seed = 43;
	struct collect *c = calloc(1, sizeof(*c));
	assert_int_equal(sim_run(&cfg, collect, c), 0);
	assert_true(c->hash != a->hash);
	free(a);
	free(b);
	free(c);
}

static void test_player_independent_of_population(void **state)
{
	(void)state;
	struct sim_config small = config(10, 5, 0), large = config(300, 5, 0);
	struct collect *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	assert_int_equal(sim_run(&small, collect, a), 0);
	assert_int_equal(sim_run(&large, collect, b), 0);
	assert_true(a->player0_hash == b->player0_hash);
	free(a);
	free(b);
}

static void test_clean_events_are_valid_and_ordered(void **state)
{
	(void)state;
	struct sim_config cfg = config(TRACKED, 30, 0);
	struct collect *c = calloc(1, sizeof(*c));
	assert_int_equal(sim_run(&cfg, collect, c), 0);
	assert_int_equal(c->invalid, 0);
	assert_int_equal(c->out_of_order, 0);
	assert_int_equal(c->duplicates, 0);
	/* every kind of event the contract has, except withdrawals by chance */
	assert_int_equal(c->types[EVENT_ACCOUNT], TRACKED);
	assert_true(c->types[EVENT_GAME_ROUND] > c->types[EVENT_DEPOSIT]);
	assert_int_equal(c->types[EVENT_SESSION_START], c->types[EVENT_SESSION_END]);
	free(c);
}

static void test_archetype_shares(void **state)
{
	(void)state;
	int count[SIM_ARCHETYPE_COUNT] = { 0 };
	for (int i = 0; i < 20000; i++)
		count[sim_player_archetype(42, i)]++;
	/* 78% recreational, 6% chasers, 2% self-excluders, within sampling noise */
	assert_in_range(count[SIM_RECREATIONAL], 15200, 16000);
	assert_in_range(count[SIM_LOSS_CHASER], 1000, 1400);
	assert_in_range(count[SIM_SELF_EXCLUDER], 300, 520);
	assert_string_equal(sim_archetype_name(SIM_LOSS_CHASER), "loss_chaser");
}

/* Amounts stay within plausible means: before, a loss chaser's re-deposit
 * grew by half at every re-deposit for the whole month, to EUR 841,650 a
 * deposit. Now no deposit is over 3,000 of the market's money units (10
 * SEK, 1 GBP, 1 EUR, 1.50 CAD), while chasers still chase. */
struct amounts {
	int64_t max_units;  /* the largest deposit, in money units */
	int64_t chases;     /* deposits over 100 units */
};

static int collect_amounts(void *ctx, const char *player_id, const char *json, size_t len)
{
	struct amounts *a = ctx;
	struct event ev;
	char err[256];
	(void)player_id;
	if (event_parse(json, len, &ev, err, sizeof(err)) < 0 || ev.type != EVENT_DEPOSIT)
		return 0;
	int64_t unit = strcmp(ev.currency, "SEK") == 0 ? 1000 : strcmp(ev.currency, "CAD") == 0 ? 150 : 100;
	int64_t units = ev.amount / unit;
	if (units > a->max_units)
		a->max_units = units;
	a->chases += units > 100;
	return 0;
}

static void test_deposits_within_means(void **state)
{
	(void)state;
	struct sim_config cfg = config(2000, 30, 0);
	struct amounts a = { 0, 0 };
	assert_int_equal(sim_run(&cfg, collect_amounts, &a), 0);
	assert_true(a.max_units <= 3000);
	assert_true(a.max_units > 1000);
	assert_true(a.chases > 100);
}

#define FACT_PLAYERS 1500

/* What the markets' events carry since the 2026-12 additions. */
struct facts {
	int64_t start_ms;
	char country[FACT_PLAYERS][3];
	int age[FACT_PLAYERS];
	int accounts, bad_accounts, other_language;
	int rounds, slot_rounds, sports_rounds, uncategorised_rounds;
	int deposits, untyped_deposits, debit, credit, credit_where_banned;
	/* a compliant operator: slot stakes within the GB and DE caps, no
	 * reversed withdrawals in GB; and how many rounds came near a cap */
	int slot_over_cap, capped_markets_slot_rounds, gb_reversals, reversals;
};

static int collect_facts(void *ctx, const char *player_id, const char *json, size_t len)
{
	struct facts *f = ctx;
	struct event ev;
	char err[256];
	long idx = strtol(player_id + 1, NULL, 10);
	if (event_parse(json, len, &ev, err, sizeof(err)) < 0 || idx < 0 || idx >= FACT_PLAYERS)
		return 1;
	switch (ev.type) {
	case EVENT_ACCOUNT: {
		static const char *const lang[][3] = { { "SE", "sv", "en" }, { "GB", "en", "pl" }, { "NL", "nl", "en" },
						       { "DE", "de", "tr" }, { "ES", "es", "ca" }, { "CA", "en", "fr" } };
		f->accounts++;
		memcpy(f->country[idx], ev.country, 3);
		bool ok = ev.has_birth_date && ev.has_language && !ev.has_birth_year;
		int64_t y, by;
		unsigned m, d, bm, bd;
		ts_civil_from_days(ts_floor_div(f->start_ms, MS_PER_DAY), &y, &m, &d);
		ts_civil_from_days(ev.birth_date, &by, &bm, &bd);
		f->age[idx] = (int)(y - by - (m < bm || (m == bm && d < bd)));
		ok = ok && f->age[idx] >= 18 && f->age[idx] <= 80;
		bool lang_ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(lang); i++)
			if (strcmp(lang[i][0], ev.country) == 0) {
				lang_ok = strcmp(ev.language, lang[i][1]) == 0 || strcmp(ev.language, lang[i][2]) == 0;
				f->other_language += strcmp(ev.language, lang[i][2]) == 0;
			}
		f->bad_accounts += !(ok && lang_ok);
		break;
	}
	case EVENT_GAME_ROUND:
		if (ev.game_category == GAME_SLOTS &&
		    (strcmp(f->country[idx], "GB") == 0 || strcmp(f->country[idx], "DE") == 0)) {
			/* GB: GBP 2 under 25, GBP 5 from 25; a player of 24 at the
			 * start may be 25 by the end; DE: EUR 1 */
			bool gb = f->country[idx][0] == 'G';
			int64_t cap = !gb ? 100 : f->age[idx] + 1 < 25 ? 200 : 500;
			f->capped_markets_slot_rounds++;
			f->slot_over_cap += ev.stake > cap;
		}
		f->rounds++;
		f->uncategorised_rounds += !ev.has_game_category;
		f->slot_rounds += ev.game_category == GAME_SLOTS;
		f->sports_rounds += ev.game_category == GAME_SPORTS;
		break;
	case EVENT_WITHDRAWAL:
		if (ev.withdrawal_status == WITHDRAWAL_CANCELLED) {
			f->reversals++;
			f->gb_reversals += strcmp(f->country[idx], "GB") == 0;
		}
		break;
	case EVENT_DEPOSIT:
		f->deposits++;
		f->untyped_deposits += !ev.has_instrument_type;
		f->debit += ev.instrument_type == INSTRUMENT_DEBIT_CARD;
		if (ev.instrument_type == INSTRUMENT_CREDIT_CARD) {
			f->credit++;
			/* not in GB, not in SE (from 1 Apr 2026), not in ES */
			f->credit_where_banned += strcmp(f->country[idx], "GB") == 0 || strcmp(f->country[idx], "SE") == 0 ||
						  strcmp(f->country[idx], "ES") == 0;
		}
		break;
	default:
		break;
	}
	return 0;
}

static void test_markets_carry_the_2026_12_fields(void **state)
{
	(void)state;
	struct sim_config cfg = config(FACT_PLAYERS, 10, 0);
	struct facts *f = calloc(1, sizeof(*f));
	f->start_ms = cfg.start_ms;
	assert_int_equal(sim_run(&cfg, collect_facts, f), 0);
	assert_int_equal(f->accounts, FACT_PLAYERS);
	assert_int_equal(f->bad_accounts, 0);
	/* a small share speaks another language than the market's */
	assert_in_range(f->other_language, 1, FACT_PLAYERS / 8);
	/* every round and deposit says what it is: mostly slots, debit cards */
	assert_int_equal(f->uncategorised_rounds, 0);
	assert_int_equal(f->untyped_deposits, 0);
	assert_true(f->slot_rounds * 10 > f->rounds * 7);
	assert_true(f->sports_rounds > 0);
	assert_true(f->debit * 2 > f->deposits);
	/* credit cards: rare, and only where they are allowed */
	assert_true(f->credit > 0 && f->credit * 20 < f->deposits);
	assert_int_equal(f->credit_where_banned, 0);
	/* GB and DE slot stakes stay within the caps; reversals happen, not in GB */
	assert_true(f->capped_markets_slot_rounds > 1000);
	assert_int_equal(f->slot_over_cap, 0);
	assert_true(f->reversals > 0);
	assert_int_equal(f->gb_reversals, 0);
	/* loss chasers are younger than the rest */
	double chasers = 0, others = 0;
	int nc = 0, no = 0;
	for (int i = 0; i < FACT_PLAYERS; i++) {
		if (sim_player_archetype(cfg.seed, i) == SIM_LOSS_CHASER) {
			chasers += f->age[i];
			nc++;
		} else {
			others += f->age[i];
			no++;
		}
	}
	assert_true(nc > 0 && no > 0);
	assert_true(chasers / nc + 3 < others / no);
	free(f);
}

static void test_dirty_input(void **state)
{
	(void)state;
	struct sim_config cfg = config(100, 3, 100);
	struct collect *c = calloc(1, sizeof(*c));
	assert_int_equal(sim_run(&cfg, collect, c), 0);
	assert_true(c->invalid > 0);
	assert_true(c->duplicates > 0);
	free(c);
}

/* --live holds each event in the pace callback until its time: the pace
 * sees every event's time before the event goes out, and can stop the run.
 * Times come day by day, in order within a day; a night session of one day
 * may run past the next day's first events, so across days they step back
 * by at most some hours (each player's own events stay in order). */
struct paced {
	struct collect c;
	int64_t last_pace_ms, stop_at_ms, max_step_back_ms;
	int paced, emitted_before_pace;
};

static int pace_record(void *ctx, int64_t ts_ms)
{
	struct paced *p = ctx;
	if (p->last_pace_ms - ts_ms > p->max_step_back_ms)
		p->max_step_back_ms = p->last_pace_ms - ts_ms;
	p->last_pace_ms = ts_ms;
	if (p->c.events != p->paced)
		p->emitted_before_pace++;
	p->paced++;
	return ts_ms >= p->stop_at_ms ? 7 : 0;
}

static int collect_paced(void *ctx, const char *player_id, const char *json, size_t len)
{
	return collect(ctx, player_id, json, len);
}

static void test_pace_sees_every_event_in_time_order(void **state)
{
	(void)state;
	struct sim_config cfg = config(100, 3, 0);
	cfg.pace = pace_record;
	struct paced *p = calloc(1, sizeof(*p));
	p->stop_at_ms = INT64_MAX;
	assert_int_equal(sim_run(&cfg, collect_paced, p), 0);
	assert_true(p->paced > 100);
	assert_int_equal(p->paced, p->c.events);
	assert_true(p->max_step_back_ms < 12 * MS_PER_HOUR);
	assert_int_equal(p->c.out_of_order, 0);
	assert_int_equal(p->emitted_before_pace, 0);
	/* a nonzero answer stops the run before that event goes out */
	struct paced *q = calloc(1, sizeof(*q));
	q->stop_at_ms = cfg.start_ms + MS_PER_DAY;
	assert_int_equal(sim_run(&cfg, collect_paced, q), 7);
	assert_int_equal(q->c.events, q->paced - 1);
	assert_true(q->c.events > 0 && q->c.events < p->c.events);
	free(p);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_player_independent_of_population),
		cmocka_unit_test(test_clean_events_are_valid_and_ordered),
		cmocka_unit_test(test_archetype_shares),
		cmocka_unit_test(test_deposits_within_means),
		cmocka_unit_test(test_markets_carry_the_2026_12_fields),
		cmocka_unit_test(test_dirty_input),
		cmocka_unit_test(test_pace_sees_every_event_in_time_order),
	};
	return cmocka_run_group_tests_name("simulate", tests, NULL, NULL);
}
