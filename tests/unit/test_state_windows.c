/* test_state_windows -- the rule pass's memo of window sums (state.h
 * state_windows_*) gives exactly what summing the buckets again
 * (state_window_sum, state_hours_sum) gives, on random states: buckets in
 * their slots, anywhere, and two holding the same day (the memo then falls
 * back to the direct sums). Decisions depend on these numbers. */
#include "rgmon/state.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static unsigned long long rng_state = 88172645463325252ULL;

static unsigned rnd(void) /* xorshift64: the same states every run */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)rng_state;
}

static void assert_same_window(const struct state_window *a, const struct state_window *b)
{
#define SAME(x) assert_int_equal(a->x, b->x)
	SAME(deposited); SAME(withdrawn); SAME(staked); SAME(net_loss); SAME(session_seconds); SAME(rounds);
	SAME(night_rounds); SAME(deposits); SAME(declined); SAME(withdrawals_cancelled); SAME(bonus_requests);
	SAME(complaints); SAME(slot_rounds); SAME(slot_staked); SAME(credit_deposits); SAME(max_slot_stake);
	SAME(active_days); SAME(night_days);
#undef SAME
}

/* Day buckets: 0 in their slots, 1 anywhere, 2 with repeated days. */
static void random_state(struct player_state *st, int32_t today)
{
	state_init(st);
	int mode = (int)(rnd() % 3);
	for (int i = 0; i < ENGINE_DAYS; i++) {
		if (rnd() % 4 == 0)
			continue;
		int32_t day = today - (int32_t)(rnd() % 45) + 3;
		struct day_totals *b = mode == 0 ? &st->days[state_day_slot(day)] : &st->days[i];
		if (mode == 2 && rnd() % 3 == 0)
			day = today - (int32_t)(rnd() % 3);
		b->day = day;
		b->deposited = (int32_t)(rnd() % 100000) - 1000;
		b->net_loss = (int32_t)(rnd() % 200000) - 100000;
		b->rounds = (uint16_t)(rnd() % 3);
		b->night_rounds = (uint16_t)(rnd() % 2);
		b->max_slot_stake = (int32_t)(rnd() % 5000);
		b->session_seconds = (int32_t)(rnd() % 86400);
		b->complaints = (uint8_t)(rnd() % 4);
		b->credit_deposits = (uint8_t)(rnd() % 3);
	}
	for (int h = 0; h < ENGINE_HOURS; h++) {
		if (rnd() % 2)
			continue;
		st->hours[h].hour = (uint32_t)(today * 24 - (int)(rnd() % 30) + 2);
		st->hours[h].deposited = (int32_t)(rnd() % 1000);
		st->hours[h].staked = (int32_t)(rnd() % 1000);
		st->hours[h].net_loss = (int32_t)(rnd() % 1000) - 500;
	}
}

static void test_memo_sums_equal_direct_sums(void **state)
{
	(void)state;
	static struct player_state st;
	static struct state_windows memo;
	long fallbacks = 0;
	for (int it = 0; it < 20000; it++) {
		int32_t today = 20000 + (int32_t)(rnd() % 100);
		random_state(&st, today);
		int64_t now_ms = ((int64_t)today * 24 + 12) * MS_PER_HOUR + (rnd() % 3600000);
		state_windows_init(&memo, &st, today, now_ms);
		for (int q = 0; q < 12; q++) {
			int days = (int)(rnd() % 44) - 3; /* also < 1 and > ENGINE_DAYS */
			struct state_window a, b;
			state_windows_sum(&memo, days, &a);
			state_window_sum(&st, today, days, &b);
			assert_same_window(&a, &b);
			int hours = (rnd() % 2) ? 1 : 24;
			state_windows_hours(&memo, hours, &a);
			state_hours_sum(&st, now_ms, hours, &b);
			assert_same_window(&a, &b);
		}
		fallbacks += memo.direct;
	}
	/* both paths were exercised: the memo and its fallback */
	assert_true(fallbacks > 0);
	assert_true(fallbacks < 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo_sums_equal_direct_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
