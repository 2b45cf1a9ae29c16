/* test_time.c -- RFC 3339 parsing/formatting, civil dates, and POSIX TZ
 * rules at their DST edges (Stockholm and Toronto, 2026). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/timestamp.h"
#include "rgmon/tz.h"

static int64_t at(const char *s)
{
	int64_t ms;
	assert_int_equal(ts_parse_rfc3339(s, &ms), 0);
	return ms;
}

static void test_parse_known_instants(void **state)
{
	(void)state;
	assert_int_equal(at("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(at("2026-11-22T20:51:07Z"), 1795380667000LL);
	assert_int_equal(at("2026-11-22T21:51:07.250+01:00"), 1795380667250LL);
	assert_int_equal(at("2026-11-22T15:51:07-05:00"), 1795380667000LL);
	assert_int_equal(at("1969-12-31T23:59:59.999Z"), -1);
	assert_int_equal(at("2024-02-29T12:00:00.123456789Z") % 1000, 123);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	int64_t ms;
	const char *bad[] = { "2026-11-22T20:51:07", "2026-11-22 20:51:07Z", "2026-13-01T00:00:00Z",
			      "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
			      "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
			      "2026-01-01T00:00:60Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01",
			      "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z", "26-01-01T00:00:00Z",
			      "2026-01-01T00:00:00Zjunk", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ts_parse_rfc3339(bad[i], &ms) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(ts_parse_rfc3339("2000-02-29T00:00:00Z", &ms), 0); /* divisible by 400 */
}

static void test_format_round_trip(void **state)
{
	(void)state;
	char buf[TS_RFC3339_LEN];
	ts_format_rfc3339(1795380667000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T20:51:07Z");
	ts_format_rfc3339(1795380667250LL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T20:51:07.250Z");
	ts_format_rfc3339(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	char off[48];
	ts_format_rfc3339_offset(1795380667250LL, 60, off, sizeof(off));
	assert_string_equal(off, "2026-11-22T21:51:07.250+01:00");
	assert_int_equal(at(off), 1795380667250LL);
	ts_format_rfc3339_offset(1795380667000LL, -300, off, sizeof(off));
	assert_string_equal(off, "2026-11-22T15:51:07-05:00");
	/* every day for 1000 years survives the round trip */
	for (int64_t d = -200000; d < 200000; d += 7) {
		int64_t y;
		unsigned m, dd;
		ts_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(ts_days_from_civil(y, m, dd), d);
	}
}

static void test_stockholm_dst(void **state)
{
	(void)state;
	struct tz_rule tz;
	char err[256];
	assert_int_equal(tz_parse("CET-1CEST,M3.5.0,M10.5.0/3", &tz, err, sizeof(err)), 0);
	/* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC */
	assert_int_equal(tz_offset_at(&tz, at("2026-03-29T00:59:59Z")), 3600);
	assert_int_equal(tz_offset_at(&tz, at("2026-03-29T01:00:00Z")), 7200);
	assert_int_equal(tz_offset_at(&tz, at("2026-10-25T00:59:59Z")), 7200);
	assert_int_equal(tz_offset_at(&tz, at("2026-10-25T01:00:00Z")), 3600);
	assert_int_equal(tz_offset_at(&tz, at("2026-07-01T12:00:00Z")), 7200);
	assert_int_equal(tz_offset_at(&tz, at("2026-12-01T12:00:00Z")), 3600);
	/* local midnight: 23:30 UTC on 22 Nov is 00:30 on 23 Nov in Stockholm */
	int32_t d22 = (int32_t)ts_days_from_civil(2026, 11, 22);
	assert_int_equal(tz_local_day(&tz, at("2026-11-22T22:59:59Z")), d22);
	assert_int_equal(tz_local_day(&tz, at("2026-11-22T23:00:00Z")), d22 + 1);
	assert_int_equal(tz_day_start_utc(&tz, d22 + 1), at("2026-11-22T23:00:00Z"));
	/* in summer the local day starts at 22:00 UTC */
	int32_t jul1 = (int32_t)ts_days_from_civil(2026, 7, 1);
	assert_int_equal(tz_day_start_utc(&tz, jul1), at("2026-06-30T22:00:00Z"));
	/* the short day (23 h) and the long day (25 h) */
	int32_t mar29 = (int32_t)ts_days_from_civil(2026, 3, 29), oct25 = (int32_t)ts_days_from_civil(2026, 10, 25);
	assert_int_equal(tz_day_start_utc(&tz, mar29 + 1) - tz_day_start_utc(&tz, mar29), 23 * MS_PER_HOUR);
	assert_int_equal(tz_day_start_utc(&tz, oct25 + 1) - tz_day_start_utc(&tz, oct25), 25 * MS_PER_HOUR);
}

/* The offsets come from a table of DST instants for the years
 * TZ_TABLE_FIRST_YEAR.. and are computed outside it: both agree with the
 * rule (the last Sunday of March and of October, 01:00 UTC) every year. */
static void test_dst_table_every_year(void **state)
{
	(void)state;
	struct tz_rule tz;
	char err[256];
	assert_int_equal(tz_parse("CET-1CEST,M3.5.0,M10.5.0/3", &tz, err, sizeof(err)), 0);
	for (int64_t y = TZ_TABLE_FIRST_YEAR - 10; y < TZ_TABLE_FIRST_YEAR + TZ_TABLE_YEARS + 10; y++) {
		int64_t last_sunday[2];
		unsigned month[2] = { 3, 10 };
		for (int i = 0; i < 2; i++) {
			int64_t d31 = ts_days_from_civil(y, month[i], 31);
			int64_t weekday = (d31 + 4) - ts_floor_div(d31 + 4, 7) * 7; /* 0 = Sunday */
			last_sunday[i] = (d31 - weekday) * MS_PER_DAY + MS_PER_HOUR;
		}
		if (tz_offset_at(&tz, last_sunday[0] - 1) != 3600 || tz_offset_at(&tz, last_sunday[0]) != 7200 ||
		    tz_offset_at(&tz, last_sunday[1] - 1) != 7200 || tz_offset_at(&tz, last_sunday[1]) != 3600)
			fail_msg("wrong offset around the transitions of %lld", (long long)y);
	}
}

/* A rule whose summer time starts at midnight on the first Sunday of
 * January: around every New Year the answer depends on the year the
 * instant falls in (in local standard time), which the table finds
 * without the civil calendar and which is computed outside it. */
static void test_dst_year_boundaries(void **state)
{
	(void)state;
	struct tz_rule tz;
	char err[256];
	assert_int_equal(tz_parse("AAA-1BBB,M1.1.0/0,M12.5.0/0", &tz, err, sizeof(err)), 0);
	for (int64_t y = TZ_TABLE_FIRST_YEAR - 10; y < TZ_TABLE_FIRST_YEAR + TZ_TABLE_YEARS + 10; y++) {
		int64_t jan1 = ts_days_from_civil(y, 1, 1);
		int64_t weekday = (jan1 + 4) - ts_floor_div(jan1 + 4, 7) * 7; /* 0 = Sunday */
		int64_t first_sunday = jan1 + (7 - weekday) % 7;
		int64_t new_year = jan1 * MS_PER_DAY - MS_PER_HOUR, starts = first_sunday * MS_PER_DAY - MS_PER_HOUR;
		if (tz_offset_at(&tz, new_year - 1) != 3600 || tz_offset_at(&tz, new_year) != (weekday ? 3600 : 7200) ||
		    tz_offset_at(&tz, starts - 1) != 3600 || tz_offset_at(&tz, starts) != 7200)
			fail_msg("wrong offset around New Year %lld", (long long)y);
	}
}

static void test_toronto_dst(void **state)
{
	(void)state;
	struct tz_rule tz;
	char err[256];
	assert_int_equal(tz_parse("EST5EDT,M3.2.0,M11.1.0", &tz, err, sizeof(err)), 0);
	/* 2026: EDT from 8 March 07:00 UTC to 1 November 06:00 UTC */
	assert_int_equal(tz_offset_at(&tz, at("2026-03-08T06:59:59Z")), -5 * 3600);
	assert_int_equal(tz_offset_at(&tz, at("2026-03-08T07:00:00Z")), -4 * 3600);
	assert_int_equal(tz_offset_at(&tz, at("2026-11-01T05:59:59Z")), -4 * 3600);
	assert_int_equal(tz_offset_at(&tz, at("2026-11-01T06:00:00Z")), -5 * 3600);
	int32_t d = (int32_t)ts_days_from_civil(2026, 11, 22);
	assert_int_equal(tz_local_day(&tz, at("2026-11-23T04:59:59Z")), d);
	assert_int_equal(tz_local_day(&tz, at("2026-11-23T05:00:00Z")), d + 1);
}

static void test_tz_parse_errors(void **state)
{
	(void)state;
	struct tz_rule tz;
	char err[256];
	assert_int_equal(tz_parse("UTC", &tz, err, sizeof(err)), 0);
	assert_int_equal(tz_offset_at(&tz, 123456789), 0);
	assert_int_equal(tz_parse("GMT0BST,M3.5.0/1,M10.5.0", &tz, err, sizeof(err)), 0);
	assert_int_equal(tz_offset_at(&tz, at("2026-07-01T00:00:00Z")), 3600);
	const char *bad[] = { "Europe/Stockholm", "CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
			      "CET-1CEST,J60,J300", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tz_parse(bad[i], &tz, err, sizeof(err)) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(err, "time zone rule"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_known_instants), cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format_round_trip),    cmocka_unit_test(test_stockholm_dst), cmocka_unit_test(test_dst_table_every_year), cmocka_unit_test(test_dst_year_boundaries),
		cmocka_unit_test(test_toronto_dst),          cmocka_unit_test(test_tz_parse_errors),
	};
	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
