/* tz.c -- POSIX TZ rules (IEEE 1003.1, "TZ" variable), the Mm.w.d form. */
#include "rgmon/tz.h"
#include "rgmon/timestamp.h"

#include <string.h>

static void tz_utc(struct tz_rule *out) { memset(out, 0, sizeof(*out)); }

static const char *parse_name(const char *p)
{
	const char *start = p;
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p == '>' && p - start > 1 ? p + 1 : NULL;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - start >= 3 ? p : NULL;
}

static const char *parse_num(const char *p, int *out, int max)
{
	int v = 0, n = 0;
	while (*p >= '0' && *p <= '9' && n < 3) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || v > max)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]] -> seconds */
static const char *parse_hms(const char *p, int32_t *out, int maxh)
{
	int sign = 1, h = 0, m = 0, s = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!(p = parse_num(p, &h, maxh)))
		return NULL;
	if (*p == ':' && !(p = parse_num(p + 1, &m, 59)))
		return NULL;
	if (*p == ':' && !(p = parse_num(p + 1, &s, 59)))
		return NULL;
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *parse_transition(const char *p, struct tz_transition *t)
{
	if (*p++ != 'M')
		return NULL;
	if (!(p = parse_num(p, &t->month, 12)) || t->month < 1 || *p++ != '.' ||
	    !(p = parse_num(p, &t->week, 5)) || t->week < 1 || *p++ != '.' ||
	    !(p = parse_num(p, &t->weekday, 6)))
		return NULL;
	t->time_s = 2 * 3600;
	if (*p == '/' && !(p = parse_hms(p + 1, &t->time_s, 167)))
		return NULL;
	return p;
}

/* Day number of the w-th weekday d of month m in year y (w = 5: last). */
static int64_t transition_day(int64_t y, const struct tz_transition *t)
{
	int64_t first = ts_days_from_civil(y, (unsigned)t->month, 1);
	int64_t wd_first = ts_floor_div(first + 4, 7); /* 1970-01-01 was a Thursday (4) */
	wd_first = (first + 4) - wd_first * 7;
	int64_t day = first + ((t->weekday - wd_first + 7) % 7) + (int64_t)(t->week - 1) * 7;
	unsigned next_m = t->month == 12 ? 1 : (unsigned)t->month + 1;
	int64_t next_first = ts_days_from_civil(t->month == 12 ? y + 1 : y, next_m, 1);
	while (day >= next_first)
		day -= 7;
	return day;
}

/* The UTC instants DST starts and ends in year y: start is given in
 * standard time, end in daylight time. */
static void dst_instants(const struct tz_rule *tz, int64_t y, int64_t *start, int64_t *end)
{
	*start = transition_day(y, &tz->start) * MS_PER_DAY + (int64_t)tz->start.time_s * 1000 -
		 (int64_t)tz->std_offset_s * 1000;
	*end = transition_day(y, &tz->end) * MS_PER_DAY + (int64_t)tz->end.time_s * 1000 -
	       (int64_t)tz->dst_offset_s * 1000;
}

/* Fills the table of years (tz_rule) for a rule with DST. */
static void fill_table(struct tz_rule *tz)
{
	for (int i = 0; i < TZ_TABLE_YEARS; i++)
		dst_instants(tz, TZ_TABLE_FIRST_YEAR + i, &tz->dst_start_ms[i], &tz->dst_end_ms[i]);
	for (int i = 0; i <= TZ_TABLE_YEARS; i++)
		tz->year_start_ms[i] = ts_days_from_civil(TZ_TABLE_FIRST_YEAR + i, 1, 1) * MS_PER_DAY -
				       (int64_t)tz->std_offset_s * 1000;
}

/* The table's index of the year (in local standard time) of utc_ms, or -1
 * outside the table. A guess from the mean Gregorian year is at most a
 * year off over the table's span; the years' starts correct it. */
static int64_t table_year(const struct tz_rule *tz, int64_t utc_ms)
{
	const int64_t mean_year_ms = 31556952000; /* 365.2425 days */
	if (utc_ms < tz->year_start_ms[0] || utc_ms >= tz->year_start_ms[TZ_TABLE_YEARS])
		return -1;
	int64_t i = (utc_ms - tz->year_start_ms[0]) / mean_year_ms;
	if (i >= TZ_TABLE_YEARS)
		i = TZ_TABLE_YEARS - 1;
	while (utc_ms < tz->year_start_ms[i])
		i--;
	while (utc_ms >= tz->year_start_ms[i + 1])
		i++;
	return i;
}

int tz_parse(const char *spec, struct tz_rule *out, char *err, size_t errlen)
{
	const char *p = spec;
	int32_t off;

	tz_utc(out);
	if (strcmp(spec, "UTC") == 0)
		return 0;
	if (!(p = parse_name(p)) || !(p = parse_hms(p, &off, 24)))
		goto bad;
	out->std_offset_s = -off; /* POSIX counts west positive */
	if (*p == '\0')
		return 0;
	if (!(p = parse_name(p)))
		goto bad;
	out->has_dst = true;
	out->dst_offset_s = out->std_offset_s + 3600;
	if (*p != ',') {
		if (!(p = parse_hms(p, &off, 24)))
			goto bad;
		out->dst_offset_s = -off;
	}
	if (*p++ != ',' || !(p = parse_transition(p, &out->start)) || *p++ != ',' ||
	    !(p = parse_transition(p, &out->end)) || *p != '\0')
		goto bad;
	fill_table(out);
	return 0;
bad:
	return seterr(err, errlen, "time zone rule \"%s\" is not a POSIX TZ rule like CET-1CEST,M3.5.0,M10.5.0/3",
		      spec);
}

int32_t tz_offset_at(const struct tz_rule *tz, int64_t utc_ms)
{
	if (!tz->has_dst)
		return tz->std_offset_s;
	int64_t start, end, i = table_year(tz, utc_ms);
	if (i >= 0) {
		start = tz->dst_start_ms[i];
		end = tz->dst_end_ms[i];
	} else {
		int64_t y;
		unsigned m, d;
		ts_civil_from_days(ts_floor_div(utc_ms + (int64_t)tz->std_offset_s * 1000, MS_PER_DAY), &y, &m, &d);
		dst_instants(tz, y, &start, &end);
	}
	bool dst = start < end ? (utc_ms >= start && utc_ms < end) : !(utc_ms >= end && utc_ms < start);
	return dst ? tz->dst_offset_s : tz->std_offset_s;
}

int32_t tz_local_day(const struct tz_rule *tz, int64_t utc_ms)
{
	return (int32_t)ts_floor_div(utc_ms + (int64_t)tz_offset_at(tz, utc_ms) * 1000, MS_PER_DAY);
}

int64_t tz_day_start_utc(const struct tz_rule *tz, int32_t day)
{
	int64_t local = (int64_t)day * MS_PER_DAY;
	/* The offset at local midnight: try the offset in force just before,
	 * then correct once (midnight is never inside a gap in rgmon's zones). */
	int64_t guess = local - (int64_t)tz_offset_at(tz, local - (int64_t)tz->std_offset_s * 1000) * 1000;
	return local - (int64_t)tz_offset_at(tz, guess) * 1000;
}
