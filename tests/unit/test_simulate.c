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
	struct sim_config cfg = { 42, players, days, t_ms("2026-11-01T00:00:00Z"), 0, dirty };
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_player_independent_of_population),
		cmocka_unit_test(test_clean_events_are_valid_and_ordered),
		cmocka_unit_test(test_archetype_shares),
		cmocka_unit_test(test_dirty_input),
	};
	return cmocka_run_group_tests_name("simulate", tests, NULL, NULL);
}
