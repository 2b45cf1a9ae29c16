/* test_engine.c -- engine_apply on player state: day buckets in the
 * jurisdiction's time zone, sessions, limits, exclusion, the kept window,
 * and the state encoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/engine.h"
#include "rgmon/state_codec.h"
#include "helpers.h"

static const struct policy *stockholm(void) { return test_policy("CET-1CEST,M3.5.0,M10.5.0/3"); }
static const struct policy *utc(void) { return test_policy("UTC0"); }

static void apply(struct player_state *st, const struct policy *pol, struct event ev)
{
	struct engine_result r;
	engine_apply(st, &ev, pol, &r);
}

#define DEP(id, ts, amt, status) \
	make_event("{\"event_id\":\"%s\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"%s\",\"amount\":%d," \
		   "\"currency\":\"SEK\",\"status\":\"%s\"}", id, ts, amt, status)
#define ROUND(id, ts, stake, payout) \
	make_event("{\"event_id\":\"%s\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"%s\",\"stake\":%d," \
		   "\"payout\":%d,\"currency\":\"SEK\"}", id, ts, stake, payout)
#define SESSION(id, type, ts, sid) \
	make_event("{\"event_id\":\"%s\",\"type\":\"%s\",\"player_id\":\"p\",\"ts\":\"%s\",\"session_id\":\"%s\"}", \
		   id, type, ts, sid)

static int32_t day(int y, unsigned m, unsigned d) { return (int32_t)ts_days_from_civil(y, m, d); }

static void test_money_lands_on_the_local_day(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st;
	state_init(&st);
	/* 23:30 UTC on 22 Nov is 00:30 on 23 Nov in Stockholm */
	apply(&st, tz, DEP("a", "2026-11-22T22:30:00Z", 1000, "approved"));
	apply(&st, tz, DEP("b", "2026-11-22T23:30:00Z", 2000, "approved"));
	apply(&st, tz, DEP("c", "2026-11-22T23:40:00Z", 9999, "declined"));
	apply(&st, tz, ROUND("d", "2026-11-22T23:45:00Z", 500, 200));
	apply(&st, tz, ROUND("e", "2026-11-22T23:46:00Z", 100, 400));
	const struct day_totals *d22 = state_day(&st, day(2026, 11, 22)), *d23 = state_day(&st, day(2026, 11, 23));
	assert_non_null(d22);
	assert_non_null(d23);
	assert_int_equal(d22->deposited, 1000);
	assert_int_equal(d22->deposits, 1);
	assert_int_equal(d23->deposited, 2000);
	assert_int_equal(d23->declined, 1);
	assert_int_equal(d23->staked, 600);
	assert_int_equal(d23->net_loss, 0); /* 500-200 + 100-400 */
	assert_int_equal(d23->rounds, 2);
	assert_string_equal(st.currency, "SEK");
	assert_int_equal(st.first_seen_ms, t_ms("2026-11-22T22:30:00Z"));
	assert_int_equal(st.last_seen_ms, t_ms("2026-11-22T23:46:00Z"));
}

static void test_session_split_at_local_midnight(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st;
	state_init(&st);
	/* 22:00 to 01:30 local = 21:00 to 00:30 UTC */
	apply(&st, tz, SESSION("s1", "session_start", "2026-11-22T21:00:00Z", "S"));
	apply(&st, tz, SESSION("s2", "session_end", "2026-11-23T00:30:00Z", "S"));
	assert_int_equal(state_day(&st, day(2026, 11, 22))->session_seconds, 2 * 3600);
	assert_int_equal(state_day(&st, day(2026, 11, 23))->session_seconds, 90 * 60);
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		assert_int_equal(st.sessions[i].id_hash, 0);
	/* an end without a start adds nothing */
	apply(&st, tz, SESSION("s3", "session_end", "2026-11-23T02:00:00Z", "unknown"));
	assert_int_equal(state_day(&st, day(2026, 11, 23))->session_seconds, 90 * 60);
}

static void test_session_across_dst_change(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st;
	state_init(&st);
	/* 25 October 2026 has 25 local hours; a session over the whole day */
	apply(&st, tz, SESSION("s1", "session_start", "2026-10-24T22:00:00Z", "S")); /* 00:00 CEST */
	apply(&st, tz, SESSION("s2", "session_end", "2026-10-25T23:00:00Z", "S"));   /* 00:00 CET next day */
	const struct day_totals *b = state_day(&st, day(2026, 10, 25));
	assert_non_null(b);
	assert_int_equal(b->session_seconds, 86400); /* capped at a day */
	assert_null(state_day(&st, day(2026, 10, 26)));
}

/* A session open since year 1 spreads over the kept days only: the work of
 * its end is a month of days, not 740,000, and the state is the same. */
static void test_session_from_year_one_is_clipped_to_kept_days(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st;
	struct engine_result r;
	state_init(&st);
	int64_t end = t_ms("2026-11-22T11:00:00Z"); /* 12:00 local */
	int32_t end_day = tz_local_day(&tz->tz, end);
	assert_int_equal(engine_session_spread_from(&tz->tz, t_ms("0001-01-01T00:00:00Z"), end),
			 tz_day_start_utc(&tz->tz, end_day - (ENGINE_DAYS - 1)));
	/* a session within the kept days is spread from its start */
	assert_int_equal(engine_session_spread_from(&tz->tz, t_ms("2026-11-22T09:00:00Z"), end),
			 t_ms("2026-11-22T09:00:00Z"));
	apply(&st, tz, SESSION("s1", "session_start", "0001-01-01T00:00:00Z", "S"));
	struct event ev = SESSION("s2", "session_end", "2026-11-22T11:00:00Z", "S");
	engine_apply(&st, &ev, tz, &r);
	assert_true(r.outside_window); /* its earlier days are not kept */
	assert_int_equal(state_day(&st, end_day)->session_seconds, 12 * 3600);
	for (int32_t d = end_day - (ENGINE_DAYS - 1); d < end_day; d++)
		assert_int_equal(state_day(&st, d)->session_seconds, 86400);
	assert_null(state_day(&st, end_day - ENGINE_DAYS));
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		assert_int_equal(st.sessions[i].id_hash, 0);
}

static void test_open_session_slots_evict_oldest(void **state)
{
	(void)state;
	const struct policy *tz = utc();
	struct player_state st;
	state_init(&st);
	char id[16], sid[16], ts[32];
	for (int i = 0; i < ENGINE_OPEN_SESSIONS + 1; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		snprintf(sid, sizeof(sid), "S%d", i);
		snprintf(ts, sizeof(ts), "2026-11-22T1%d:00:00Z", i);
		apply(&st, tz, SESSION(id, "session_start", ts, sid));
	}
	/* S0, the oldest, was forgotten; S1 still closes with its duration */
	apply(&st, tz, SESSION("x0", "session_end", "2026-11-22T18:00:00Z", "S0"));
	assert_null(state_day(&st, day(2026, 11, 22))); /* nothing was added */
	apply(&st, tz, SESSION("x1", "session_end", "2026-11-22T18:00:00Z", "S1"));
	assert_int_equal(state_day(&st, day(2026, 11, 22))->session_seconds, 7 * 3600);
}

static void test_window_keeps_31_days(void **state)
{
	(void)state;
	const struct policy *tz = utc();
	struct player_state st;
	struct engine_result r;
	state_init(&st);
	struct event ev = DEP("new", "2026-11-30T12:00:00Z", 100, "approved");
	engine_apply(&st, &ev, tz, &r);
	assert_false(r.outside_window);
	/* 30 days earlier still fits (31 days kept, for a calendar month:
	 * today and the 30 before) */
	ev = DEP("old-ok", "2026-10-31T12:00:00Z", 200, "approved");
	engine_apply(&st, &ev, tz, &r);
	assert_false(r.outside_window);
	assert_int_equal(state_day(&st, day(2026, 10, 31))->deposited, 200);
	/* 31 days earlier shares a slot with the newest day: not kept */
	ev = DEP("too-old", "2026-10-30T12:00:00Z", 300, "approved");
	engine_apply(&st, &ev, tz, &r);
	assert_true(r.outside_window);
	assert_int_equal(state_day(&st, day(2026, 11, 30))->deposited, 100);
	assert_null(state_day(&st, day(2026, 10, 30)));
	/* a rolling month is still 30 days: the 31st day back is not in it */
	struct state_window w;
	state_window_sum(&st, day(2026, 11, 30), ROLLING_MONTH_DAYS, &w);
	assert_int_equal(w.deposited, 100);
	/* a new day recycles the slot of the day 31 days before it */
	ev = DEP("next", "2026-12-01T12:00:00Z", 400, "approved");
	engine_apply(&st, &ev, tz, &r);
	assert_null(state_day(&st, day(2026, 10, 31)));
	assert_int_equal(state_day(&st, day(2026, 12, 1))->deposited, 400);
}

static void test_limits_and_exclusion(void **state)
{
	(void)state;
	const struct policy *tz = utc();
	struct player_state st;
	state_init(&st);
	apply(&st, tz, make_event("{\"event_id\":\"l1\",\"type\":\"limit_set\",\"player_id\":\"p\",\"ts\":\"2026-11-01T10:00:00Z\","
				   "\"limit\":\"deposit\",\"period\":\"month\",\"value\":500000}"));
	apply(&st, tz, make_event("{\"event_id\":\"l2\",\"type\":\"limit_set\",\"player_id\":\"p\",\"ts\":\"2026-11-05T10:00:00Z\","
				   "\"limit\":\"deposit\",\"period\":\"month\",\"value\":2000000}"));
	const struct player_limit *l = &st.limits[LIMIT_DEPOSIT][PERIOD_MONTH];
	assert_int_equal(l->value, 2000000);
	assert_int_equal(l->previous_value, 500000);
	assert_int_equal((int64_t)st.limit_changed_min[LIMIT_DEPOSIT][PERIOD_MONTH] * MS_PER_MIN, t_ms("2026-11-05T10:00:00Z"));
	/* The raise waits out the policy's delay; a lower limit holds until then. */
	static struct policy raise;
	raise = *tz;
	raise.limit_raise_delay_minutes = 72 * 60;
	raise.limit_raise_after_period = false;
	raise.periods[PERIOD_MONTH] = PERIOD_ROLLING;
	assert_int_equal(state_limit_in_force(&st, &raise, LIMIT_DEPOSIT, PERIOD_MONTH, t_ms("2026-11-08T09:59:59Z")), 500000);
	assert_int_equal(state_limit_in_force(&st, &raise, LIMIT_DEPOSIT, PERIOD_MONTH, t_ms("2026-11-08T10:00:00Z")), 2000000);
	/* Sweden: and not before the running period has ended -- a rolling
	 * month 30 days after the raise, a calendar one on the 1st. */
	raise.limit_raise_after_period = true;
	assert_int_equal(state_limit_in_force(&st, &raise, LIMIT_DEPOSIT, PERIOD_MONTH, t_ms("2026-12-05T09:59:59Z")), 500000);
	assert_int_equal(state_limit_in_force(&st, &raise, LIMIT_DEPOSIT, PERIOD_MONTH, t_ms("2026-12-05T10:00:00Z")), 2000000);
	raise.periods[PERIOD_MONTH] = PERIOD_CALENDAR;
	assert_int_equal(state_limit_in_force(&st, &raise, LIMIT_DEPOSIT, PERIOD_MONTH, t_ms("2026-11-30T23:59:59Z")), 500000);
	assert_int_equal(state_limit_in_force(&st, &raise, LIMIT_DEPOSIT, PERIOD_MONTH, t_ms("2026-12-01T00:00:00Z")), 2000000);
	assert_int_equal(st.limits[LIMIT_LOSS][PERIOD_DAY].value, 0);

	assert_int_equal(st.excluded_from_ms, ENGINE_NO_TIME);
	apply(&st, tz, make_event("{\"event_id\":\"x1\",\"type\":\"self_exclusion\",\"player_id\":\"p\","
				   "\"ts\":\"2026-11-10T00:00:00Z\",\"days\":30,\"source\":\"player\"}"));
	assert_int_equal(st.excluded_from_ms, t_ms("2026-11-10T00:00:00Z"));
	assert_int_equal(st.excluded_until_ms, t_ms("2026-12-10T00:00:00Z"));
	apply(&st, tz, make_event("{\"event_id\":\"x2\",\"type\":\"self_exclusion\",\"player_id\":\"p\","
				   "\"ts\":\"2026-11-11T00:00:00Z\",\"source\":\"register\"}"));
	assert_int_equal(st.excluded_until_ms, ENGINE_FOREVER);
	assert_int_equal(st.exclusion_source, EXCLUSION_REGISTER);
}

static void test_encoding_round_trip(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st, back;
	state_init(&st);
	apply(&st, tz, DEP("a", "2026-11-01T10:00:00Z", 1000, "approved"));
	apply(&st, tz, ROUND("b", "2026-11-02T10:00:00Z", 300, 0));
	apply(&st, tz, SESSION("c", "session_start", "2026-11-02T11:00:00Z", "open"));
	apply(&st, tz, make_event("{\"event_id\":\"d\",\"type\":\"account\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:00:00Z\","
				   "\"country\":\"SE\",\"birth_date\":\"1999-03-04\",\"language\":\"sv\"}"));
	apply(&st, tz, make_event("{\"event_id\":\"e\",\"type\":\"contact\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:00:00Z\","
				   "\"channel\":\"chat\",\"topic\":\"bonus_request\"}"));
	apply(&st, tz, make_event("{\"event_id\":\"f\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:01:00Z\","
				   "\"stake\":200,\"payout\":0,\"currency\":\"SEK\",\"game_category\":\"slots\"}"));
	apply(&st, tz, make_event("{\"event_id\":\"g\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:02:00Z\","
				   "\"amount\":500,\"currency\":\"SEK\",\"instrument_type\":\"credit_card\"}"));
	assert_true(st.has_birth_date && st.language[0] && state_day(&st, day(2026, 11, 2))->slot_rounds == 1);
	uint8_t buf[STATE_CODEC_MAX];
	size_t n = state_codec_encode(&st, buf, sizeof(buf));
	assert_true(n > 0 && n < 700); /* only the days, sessions and markers in use are written */
	assert_int_equal(state_codec_decode(&back, buf, n), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	/* truncated or padded input is refused, never half-read */
	assert_int_equal(state_codec_decode(&back, buf, n - 1), -1);
	buf[n] = 0;
	assert_int_equal(state_codec_decode(&back, buf, n + 1), -1);
	assert_int_equal(state_codec_encode(&st, buf, 10), 0);
}

/* The store's packed form: the same state back, in fewer bytes; the plain
 * form still reads; a packing that is cut short, has a run of no zeros or
 * unpacks past any state's size is refused, never half-read. */
static void test_packed_encoding(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st, back;
	state_init(&st);
	apply(&st, tz, DEP("a", "2026-11-01T10:00:00Z", 1000, "approved"));
	apply(&st, tz, ROUND("b", "2026-11-02T10:00:00Z", 300, 0));
	apply(&st, tz, make_event("{\"event_id\":\"c\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:01:00Z\","
				   "\"stake\":200,\"payout\":0,\"currency\":\"SEK\",\"game_category\":\"slots\"}"));
	uint8_t plain[STATE_CODEC_MAX], packed[STATE_CODEC_MAX], bad[2 * STATE_CODEC_MAX];
	size_t n = state_codec_encode(&st, plain, sizeof(plain));
	size_t m = state_codec_encode_packed(&st, packed, sizeof(packed));
	assert_true(n > 0 && m > 0);
	assert_true(m * 2 < n); /* mostly zeros: less than half */
	assert_int_equal(packed[0], 0x80 | plain[0]);
	assert_int_equal(state_codec_decode(&back, packed, m), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	assert_int_equal(state_codec_decode(&back, plain, n), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	/* too small a buffer: nothing written */
	assert_int_equal(state_codec_encode_packed(&st, packed, m - 1), 0);
	/* cut short, or longer */
	assert_int_equal(state_codec_decode(&back, packed, m - 1), -1);
	packed[m] = 1;
	assert_int_equal(state_codec_decode(&back, packed, m + 1), -1);
	/* a zero run with no length, or of length 0 */
	memcpy(bad, packed, m);
	bad[m] = 0;
	assert_int_equal(state_codec_decode(&back, bad, m + 1), -1);
	bad[m + 1] = 0;
	assert_int_equal(state_codec_decode(&back, bad, m + 2), -1);
	/* runs that unpack past any state */
	size_t k = 1;
	bad[0] = packed[0];
	while (k + 2 <= sizeof(bad)) {
		bad[k++] = 0;
		bad[k++] = 255;
	}
	assert_int_equal(state_codec_decode(&back, bad, k), -1);
}

/* The time of the latest slot round came after format 3 was first in use:
 * a format 3 state stored before it ends where that field starts, and must
 * still decode (as "no slot round seen"). */
static void test_slot_round_time_is_an_optional_tail(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st, back;
	state_init(&st);
	apply(&st, tz, make_event("{\"event_id\":\"a\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:01:00Z\","
				   "\"stake\":200,\"payout\":0,\"currency\":\"SEK\",\"game_category\":\"slots\"}"));
	apply(&st, tz, make_event("{\"event_id\":\"b\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"2026-11-02T12:02:00Z\","
				   "\"stake\":200,\"payout\":0,\"currency\":\"SEK\",\"game_category\":\"table\"}"));
	assert_int_equal(st.last_slot_round_ms, t_ms("2026-11-02T12:01:00Z"));
	uint8_t buf[STATE_CODEC_MAX];
	size_t n = state_codec_encode(&st, buf, sizeof(buf));
	assert_true(n > 8);
	assert_int_equal(state_codec_decode(&back, buf, n), 0);
	assert_int_equal(back.last_slot_round_ms, t_ms("2026-11-02T12:01:00Z"));
	/* as stored before the field: the same bytes without its 8 */
	assert_int_equal(state_codec_decode(&back, buf, n - 8), 0);
	assert_int_equal(back.last_slot_round_ms, ENGINE_NO_TIME);
	back.last_slot_round_ms = st.last_slot_round_ms;
	assert_memory_equal(&st, &back, sizeof(st));
	/* part of the field is a cut-short state, refused */
	assert_int_equal(state_codec_decode(&back, buf, n - 4), -1);
}

/* A state as the version before the 2026-12 additions stored it (format 2):
 * the state test_encoding_round_trip built then (a deposit on 1 Nov, a
 * round, an open session, an account with country SE and birth year 1999,
 * a bonus request on 2 Nov; Stockholm time), encoded by that version's
 * state_codec_encode and printed as hex. Databases in the field hold such
 * states; they must keep decoding. */
static const char format2_state_hex[] =
	"0200398d96a10100000072219ca1010000000000000000008000000000000000000095b39ba10100002c010000000000"
	"00bc020000000000000000000000000000000000000001cf07534553454b000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000014f1239090e0e879a8083ea9ba10100000100398d96a1010000e80300000000000000000000ffff0002"
	"1651000000000000e8030000000000000000000000000000000000000100000000000017510000000000000000000000"
	"0000002c0100002c0100000100000000000000000100";

static void test_format2_state_still_decodes(void **state)
{
	(void)state;
	uint8_t old[sizeof(format2_state_hex) / 2], buf[STATE_CODEC_MAX];
	size_t n = 0;
	for (const char *h = format2_state_hex; h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		old[n++] = (uint8_t)v;
	}
	assert_int_equal(old[0], 2);
	struct player_state st, back;
	assert_int_equal(state_codec_decode(&st, old, n), 0);
	assert_string_equal(st.currency, "SEK");
	assert_string_equal(st.country, "SE");
	assert_true(st.has_birth_year);
	assert_int_equal(st.birth_year, 1999);
	assert_int_equal(st.first_seen_ms, t_ms("2026-11-01T10:00:00Z"));
	assert_int_equal(st.last_seen_ms, t_ms("2026-11-02T12:00:00Z"));
	assert_int_equal(st.sessions[0].start_ms, t_ms("2026-11-02T11:00:00Z"));
	const struct day_totals *d1 = state_day(&st, day(2026, 11, 1)), *d2 = state_day(&st, day(2026, 11, 2));
	assert_non_null(d1);
	assert_non_null(d2);
	assert_int_equal(d1->deposited, 1000);
	assert_int_equal(d1->deposits, 1);
	assert_int_equal(d2->staked, 300);
	assert_int_equal(d2->rounds, 1);
	assert_int_equal(d2->bonus_requests, 1);
	/* what format 2 did not have starts as for a new player */
	assert_false(st.has_birth_date);
	assert_string_equal(st.language, "");
	assert_int_equal(d2->slot_rounds + d2->slot_staked + d2->max_slot_stake + d2->credit_deposits, 0);
	assert_int_equal(state_age_years(&st, t_ms("2026-01-01T00:00:00Z")), 27);
	/* stored again, it is written in the current format and reads back the same */
	size_t m = state_codec_encode(&st, buf, sizeof(buf));
	assert_true(m > 0);
	assert_int_equal(buf[0], 3);
	assert_int_equal(state_codec_decode(&back, buf, m), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	/* cut short, or of a format not known, it is refused */
	assert_int_equal(state_codec_decode(&back, old, n - 1), -1);
	old[0] = 1;
	assert_int_equal(state_codec_decode(&back, old, n), -1);
	old[0] = 4;
	assert_int_equal(state_codec_decode(&back, old, n), -1);
}

/* A state as stored while the day ring held 30 slots (slot = day % 30),
 * by that version's state_codec_encode, printed as hex: deposits on each
 * of the 30 days to 12 Nov 2026 (T) but T-10, of (T - day + 1) x 100, and
 * a stale 3 Oct (T-40) left in T-10's old slot. In today's 31-slot ring
 * 3 Oct and 3 Nov (T-9) share a slot, and 3 Oct comes later in the bytes:
 * the newer day must keep the slot, every other day its own. */
static const char ring30_state_hex[] =
	"030000000000000080000000000000008000000000000000800000000000000000000000000000008000000000000000"
	"0000000000000000000000000000000000000000000000000000000000001d0000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000001e1851000000000000e80300000000"
	"000000000000000000000000000001000000000000000000000000000000000019510000000000008403000000000000"
	"0000000000000000000000000100000000000000000000000000000000001a5100000000000020030000000000000000"
	"000000000000000000000100000000000000000000000000000000001b51000000000000bc0200000000000000000000"
	"00000000000000000100000000000000000000000000000000001c510000000000005802000000000000000000000000"
	"0000000000000100000000000000000000000000000000001d51000000000000f4010000000000000000000000000000"
	"000000000100000000000000000000000000000000001e51000000000000900100000000000000000000000000000000"
	"00000100000000000000000000000000000000001f510000000000002c01000000000000000000000000000000000000"
	"0100000000000000000000000000000000002051000000000000c8000000000000000000000000000000000000000100"
	"000000000000000000000000000000002151000000000000640000000000000000000000000000000000000001000000"
	"00000000000000000000000000000451000000000000b80b000000000000000000000000000000000000010000000000"
	"0000000000000000000000000551000000000000540b0000000000000000000000000000000000000100000000000000"
	"000000000000000000000651000000000000f00a00000000000000000000000000000000000001000000000000000000"
	"000000000000000007510000000000008c0a000000000000000000000000000000000000010000000000000000000000"
	"0000000000000851000000000000280a0000000000000000000000000000000000000100000000000000000000000000"
	"000000000951000000000000c40900000000000000000000000000000000000001000000000000000000000000000000"
	"00000a510000000000006009000000000000000000000000000000000000010000000000000000000000000000000000"
	"0b51000000000000fc080000000000000000000000000000000000000100000000000000000000000000000000000c51"
	"00000000000098080000000000000000000000000000000000000100000000000000000000000000000000000d510000"
	"0000000034080000000000000000000000000000000000000100000000000000000000000000000000000e5100000000"
	"0000d0070000000000000000000000000000000000000100000000000000000000000000000000000f51000000000000"
	"6c0700000000000000000000000000000000000001000000000000000000000000000000000010510000000000000807"
	"0000000000000000000000000000000000000100000000000000000000000000000000001151000000000000a4060000"
	"000000000000000000000000000000000100000000000000000000000000000000001251000000000000400600000000"
	"00000000000000000000000000000100000000000000000000000000000000001351000000000000dc05000000000000"
	"000000000000000000000000010000000000000000000000000000000000145100000000000078050000000000000000"
	"000000000000000000000100000000000000000000000000000000001551000000000000140500000000000000000000"
	"00000000000000000100000000000000000000000000000000001651000000000000b004000000000000000000000000"
	"000000000000010000000000000000000000000000000000f9500000000000009f860100000000000000000000000000"
	"000000000100000000000000000000000000000000000000";

static size_t hex_bytes(const char *hex, uint8_t *out)
{
	size_t n = 0;
	for (const char *h = hex; h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void test_ring30_state_decodes_by_day(void **state)
{
	(void)state;
	uint8_t old[sizeof(ring30_state_hex) / 2];
	size_t n = hex_bytes(ring30_state_hex, old);
	struct player_state st;
	int32_t t = day(2026, 11, 12);
	assert_int_equal(old[0], 3); /* the format did not change */
	assert_int_equal(state_codec_decode(&st, old, n), 0);
	for (int32_t d = t - 29; d <= t; d++) {
		const struct day_totals *b = state_day(&st, d);
		if (d == t - 10) {
			assert_null(b);
			continue;
		}
		assert_non_null(b);
		assert_int_equal(b->deposited, (t - d + 1) * 100);
	}
	assert_null(state_day(&st, t - 40));
	struct state_window w;
	state_window_sum(&st, t, ROLLING_MONTH_DAYS, &w);
	assert_int_equal(w.deposited, (465 - 11) * 100); /* 1..30 but 11, x 100 */
	assert_int_equal(w.deposits, 29);
	state_window_sum(&st, t, state_period_days(t, PERIOD_MONTH, PERIOD_CALENDAR), &w);
	assert_int_equal(w.deposited, (78 - 11) * 100); /* 1-12 Nov: 1..12 but 11 */
}

static void test_period_days(void **state)
{
	(void)state;
	/* Thursday 12 Nov 2026 */
	assert_int_equal(state_period_days(day(2026, 11, 12), PERIOD_DAY, PERIOD_CALENDAR), 1);
	assert_int_equal(state_period_days(day(2026, 11, 12), PERIOD_WEEK, PERIOD_ROLLING), 7);
	assert_int_equal(state_period_days(day(2026, 11, 12), PERIOD_MONTH, PERIOD_ROLLING), 30);
	assert_int_equal(state_period_days(day(2026, 11, 12), PERIOD_WEEK, PERIOD_CALENDAR), 4);
	assert_int_equal(state_period_days(day(2026, 11, 12), PERIOD_MONTH, PERIOD_CALENDAR), 12);
	/* ISO weeks start on Monday and end on Sunday */
	assert_int_equal(state_period_days(day(2026, 11, 9), PERIOD_WEEK, PERIOD_CALENDAR), 1);
	assert_int_equal(state_period_days(day(2026, 11, 15), PERIOD_WEEK, PERIOD_CALENDAR), 7);
	assert_int_equal(state_period_days(day(1969, 12, 29), PERIOD_WEEK, PERIOD_CALENDAR), 1);
	assert_int_equal(state_period_days(day(1970, 1, 1), PERIOD_WEEK, PERIOD_CALENDAR), 4);
	/* months of 31, 30, 29 and 28 days */
	assert_int_equal(state_period_days(day(2026, 10, 31), PERIOD_MONTH, PERIOD_CALENDAR), 31);
	assert_int_equal(state_period_days(day(2026, 11, 30), PERIOD_MONTH, PERIOD_CALENDAR), 30);
	assert_int_equal(state_period_days(day(2028, 2, 29), PERIOD_MONTH, PERIOD_CALENDAR), 29);
	assert_int_equal(state_period_days(day(2026, 3, 1), PERIOD_MONTH, PERIOD_CALENDAR), 1);
}

/* The case: EUR 900 on 28 Oct and EUR 900 on 3 Nov against a
 * monthly limit. Berlin time (CET/CEST), as policies/de.json. */
static void test_calendar_month_limit_use(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st;
	state_init(&st);
	apply(&st, tz, DEP("oct", "2026-10-28T10:00:00Z", 90000, "approved"));
	/* 31 Oct 23:30 CET is still October; 00:30 CET on 1 Nov (23:30 UTC) is November */
	apply(&st, tz, DEP("oct-late", "2026-10-31T22:30:00Z", 1000, "approved"));
	apply(&st, tz, DEP("nov-early", "2026-10-31T23:30:00Z", 10, "approved"));
	apply(&st, tz, DEP("nov", "2026-11-03T10:00:00Z", 90000, "approved"));
	int64_t now = t_ms("2026-11-03T10:00:00Z");
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_MONTH, PERIOD_CALENDAR, now), 90010);
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_MONTH, PERIOD_ROLLING, now), 181010);
	/* Tuesday 3 Nov: the calendar week began on Monday 2 Nov */
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_WEEK, PERIOD_CALENDAR, now), 90000);
	/* a rolling week is 28 Oct to 3 Nov */
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_WEEK, PERIOD_ROLLING, now), 181010);
	/* on 31 Oct 23:59 CET the calendar month is all 31 days of October,
	 * 1 Oct included; a rolling month only reaches back to 2 Oct */
	state_init(&st);
	apply(&st, tz, DEP("first", "2026-09-30T22:30:00Z", 500, "approved")); /* 1 Oct 00:30 CEST */
	apply(&st, tz, DEP("last", "2026-10-31T22:00:00Z", 700, "approved"));  /* 31 Oct 23:00 CET */
	now = t_ms("2026-10-31T22:59:00Z");
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_MONTH, PERIOD_CALENDAR, now), 1200);
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_MONTH, PERIOD_ROLLING, now), 700);
	/* the spring change: 00:30 CEST on 1 Apr is 22:30 UTC on 31 Mar, April's */
	state_init(&st);
	apply(&st, tz, DEP("mar", "2026-03-31T21:30:00Z", 300, "approved")); /* 23:30 CEST 31 Mar */
	apply(&st, tz, DEP("apr", "2026-03-31T22:30:00Z", 400, "approved"));
	now = t_ms("2026-04-01T08:00:00Z");
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_MONTH, PERIOD_CALENDAR, now), 400);
	assert_int_equal(state_limit_used(&st, &tz->tz, LIMIT_DEPOSIT, PERIOD_MONTH, PERIOD_ROLLING, now), 700);
}

static void test_birth_date_and_language(void **state)
{
	(void)state;
	const struct policy *pol = utc();
	struct player_state st;
	state_init(&st);
	assert_int_equal(state_age_years(&st, t_ms("2026-06-01T00:00:00Z")), -1);
	/* only a year: the difference of the years, as the age bands had it */
	apply(&st, pol, make_event("{\"event_id\":\"a\",\"type\":\"account\",\"player_id\":\"p\","
				   "\"ts\":\"2026-01-01T00:00:00Z\",\"birth_year\":2004}"));
	assert_false(st.has_birth_date);
	assert_int_equal(state_age_years(&st, t_ms("2026-01-01T00:00:00Z")), 22);
	assert_int_equal(state_age_years(&st, t_ms("2026-12-31T23:59:59Z")), 22);
	assert_int_equal(state_age_years(&st, t_ms("2003-06-01T00:00:00Z")), -1);
	/* the date: the age changes on the birthday */
	apply(&st, pol, make_event("{\"event_id\":\"b\",\"type\":\"account\",\"player_id\":\"p\","
				   "\"ts\":\"2026-01-02T00:00:00Z\",\"birth_date\":\"2004-05-21\",\"language\":\"en\"}"));
	assert_true(st.has_birth_date && st.has_birth_year);
	assert_int_equal(st.birth_year, 2004);
	assert_int_equal(st.birth_date, ts_days_from_civil(2004, 5, 21));
	assert_string_equal(st.language, "en");
	assert_int_equal(state_age_years(&st, t_ms("2026-05-20T23:59:59Z")), 21);
	assert_int_equal(state_age_years(&st, t_ms("2026-05-21T00:00:00Z")), 22);
	/* the same year alone keeps the date; another year replaces it */
	apply(&st, pol, make_event("{\"event_id\":\"c\",\"type\":\"account\",\"player_id\":\"p\","
				   "\"ts\":\"2026-01-03T00:00:00Z\",\"birth_year\":2004,\"country\":\"GB\"}"));
	assert_true(st.has_birth_date);
	assert_string_equal(st.language, "en"); /* an account event without it keeps it */
	apply(&st, pol, make_event("{\"event_id\":\"d\",\"type\":\"account\",\"player_id\":\"p\","
				   "\"ts\":\"2026-01-04T00:00:00Z\",\"birth_year\":2003}"));
	assert_false(st.has_birth_date);
	assert_int_equal(state_age_years(&st, t_ms("2026-01-04T00:00:00Z")), 23);
	/* 29 February: a year older on 1 March in a common year */
	apply(&st, pol, make_event("{\"event_id\":\"e\",\"type\":\"account\",\"player_id\":\"p\","
				   "\"ts\":\"2026-01-05T00:00:00Z\",\"birth_date\":\"2008-02-29\"}"));
	assert_int_equal(state_age_years(&st, t_ms("2026-02-28T12:00:00Z")), 17);
	assert_int_equal(state_age_years(&st, t_ms("2026-03-01T00:00:00Z")), 18);
	assert_int_equal(state_age_years(&st, t_ms("2028-02-29T00:00:00Z")), 20);
}

static void test_slot_rounds_and_credit_deposits(void **state)
{
	(void)state;
	const struct policy *pol = utc();
	struct player_state st;
	state_init(&st);
#define CAT_ROUND(id, ts, stake, cat) \
	make_event("{\"event_id\":\"%s\",\"type\":\"game_round\",\"player_id\":\"p\",\"ts\":\"%s\",\"stake\":%d," \
		   "\"payout\":0,\"currency\":\"GBP\",\"game_category\":\"%s\"}", id, ts, stake, cat)
#define TYPED_DEP(id, ts, status, type) \
	make_event("{\"event_id\":\"%s\",\"type\":\"deposit\",\"player_id\":\"p\",\"ts\":\"%s\",\"amount\":1000," \
		   "\"currency\":\"GBP\",\"status\":\"%s\",\"instrument_type\":\"%s\"}", id, ts, status, type)
	apply(&st, pol, CAT_ROUND("a", "2026-11-02T10:00:00Z", 200, "slots"));
	apply(&st, pol, CAT_ROUND("b", "2026-11-02T10:00:03Z", 500, "slots"));
	apply(&st, pol, CAT_ROUND("c", "2026-11-02T10:00:06Z", 900, "live_casino"));
	apply(&st, pol, ROUND("d", "2026-11-02T10:00:09Z", 700, 0)); /* no category: not counted as slots */
	apply(&st, pol, CAT_ROUND("e", "2026-11-03T10:00:00Z", 300, "slots"));
	apply(&st, pol, TYPED_DEP("f", "2026-11-02T11:00:00Z", "approved", "credit_card"));
	apply(&st, pol, TYPED_DEP("g", "2026-11-02T11:01:00Z", "declined", "credit_card"));
	apply(&st, pol, TYPED_DEP("h", "2026-11-02T11:02:00Z", "approved", "debit_card"));
	const struct day_totals *d2 = state_day(&st, day(2026, 11, 2)), *d3 = state_day(&st, day(2026, 11, 3));
	assert_int_equal(d2->rounds, 4);
	assert_int_equal(d2->slot_rounds, 2);
	assert_int_equal(d2->slot_staked, 700);
	assert_int_equal(d2->max_slot_stake, 500);
	assert_int_equal(d2->credit_deposits, 1);
	assert_int_equal(d2->deposits, 2);
	assert_int_equal(d2->declined, 1);
	assert_int_equal(d3->max_slot_stake, 300);
	struct state_window w;
	state_window_sum(&st, day(2026, 11, 3), 7, &w);
	assert_int_equal(w.slot_rounds, 3);
	assert_int_equal(w.slot_staked, 1000);
	assert_int_equal(w.max_slot_stake, 500);
	assert_int_equal(w.credit_deposits, 1);
#undef CAT_ROUND
#undef TYPED_DEP
}

/* Format 3's tail keeps the hourly money and the markers' points. */
static void test_hourly_money_and_marker_points_round_trip(void **state)
{
	(void)state;
	const struct policy *tz = stockholm();
	struct player_state st, back;
	state_init(&st);
	apply(&st, tz, SESSION("a", "session_start", "2026-11-02T11:00:00Z", "open"));
	assert_int_equal(st.hours[0].hour | st.hours[1].hour, 0);
	uint8_t buf[STATE_CODEC_MAX];
	size_t n;
	apply(&st, tz, DEP("b", "2026-11-02T11:10:00Z", 5000, "approved"));
	st.markers[0].rule = RULE_MONEY_NET_LOSS;
	st.markers[0].points = 60;
	n = state_codec_encode(&st, buf, sizeof(buf));
	assert_int_equal(state_codec_decode(&back, buf, n), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	struct state_window w;
	state_hours_sum(&back, t_ms("2026-11-02T12:05:00Z"), 1, &w);
	assert_int_equal(w.deposited, 5000);
	state_hours_sum(&back, t_ms("2026-11-02T13:05:00Z"), 1, &w);
	assert_int_equal(w.deposited, 0);
	state_hours_sum(&back, t_ms("2026-11-03T10:05:00Z"), 24, &w);
	assert_int_equal(w.deposited, 5000);
	state_hours_sum(&back, t_ms("2026-11-03T11:05:00Z"), 24, &w);
	assert_int_equal(w.deposited, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_lands_on_the_local_day),
		cmocka_unit_test(test_session_split_at_local_midnight),
		cmocka_unit_test(test_session_across_dst_change),
		cmocka_unit_test(test_session_from_year_one_is_clipped_to_kept_days),
		cmocka_unit_test(test_open_session_slots_evict_oldest),
		cmocka_unit_test(test_window_keeps_31_days),
		cmocka_unit_test(test_limits_and_exclusion),
		cmocka_unit_test(test_encoding_round_trip),
		cmocka_unit_test(test_slot_round_time_is_an_optional_tail),
		cmocka_unit_test(test_packed_encoding),
		cmocka_unit_test(test_format2_state_still_decodes),
		cmocka_unit_test(test_ring30_state_decodes_by_day),
		cmocka_unit_test(test_period_days),
		cmocka_unit_test(test_calendar_month_limit_use),
		cmocka_unit_test(test_birth_date_and_language),
		cmocka_unit_test(test_slot_rounds_and_credit_deposits),
		cmocka_unit_test(test_hourly_money_and_marker_points_round_trip),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
