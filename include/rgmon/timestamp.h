/* timestamp.h -- RFC 3339 parsing and formatting and civil-date arithmetic
 * on milliseconds since the Unix epoch (UTC). Pure: no clock (clock.h has
 * the clocks), no time zone database, no locale. */
#ifndef RGMON_TIMESTAMP_H
#define RGMON_TIMESTAMP_H

#include "rgmon/common.h"

#define MS_PER_SEC  1000LL
#define MS_PER_MIN  (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY  (24 * MS_PER_HOUR)

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (T and Z in either
 * case; up to 9 fraction digits, kept to the millisecond). Checks calendar
 * validity (leap years, no second 60). Returns 0 and *ms_utc, or -1. */
int ts_parse_rfc3339(const char *s, int64_t *ms_utc);

/* Writes "YYYY-MM-DDTHH:MM:SSZ", or with ".mmm" when ms is not whole
 * seconds, into buf (at least TS_RFC3339_LEN bytes). */
#define TS_RFC3339_LEN 32
void ts_format_rfc3339(int64_t ms_utc, char *buf, size_t len);

/* Same instant written in local time with its offset, e.g.
 * "2026-11-22T21:51:07.250+01:00" (offset_min east of UTC; 0 gives "Z"). */
void ts_format_rfc3339_offset(int64_t ms_utc, int offset_min, char *buf, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d);
void ts_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Floor division for day numbers of negative times. */
int64_t ts_floor_div(int64_t a, int64_t b);

#endif
