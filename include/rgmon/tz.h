/* tz.h -- local time for a jurisdiction from a POSIX TZ rule string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3" (Europe/Stockholm) or
 * "EST5EDT,M3.2.0,M11.1.0" (America/Toronto). Policies carry the rule, so
 * the engine computes local calendar days without a time zone database or
 * I/O. Only the "Mm.w.d[/time]" transition form is supported: it is what
 * every jurisdiction rgmon serves uses. */
#ifndef RGMON_TZ_H
#define RGMON_TZ_H

#include "rgmon/common.h"

struct tz_transition {
	int month, week, weekday; /* M.m.w.d: week 5 = last */
	int32_t time_s;           /* seconds after local midnight (in the time before it) */
};

/* The years whose DST instants tz_parse works out in advance (a rule's
 * transitions for other years are computed when asked). */
#define TZ_TABLE_FIRST_YEAR 1970
#define TZ_TABLE_YEARS 200

struct tz_rule {
	int32_t std_offset_s; /* local = UTC + offset (east positive) */
	int32_t dst_offset_s;
	bool has_dst;
	struct tz_transition start, end;
	/* When has_dst: the UTC instants DST starts and ends in each year of
	 * the table (the year of the local standard time). The engine asks for
	 * the offset several times per event, and working out the transition
	 * days of the year was most of the cost of the answer. */
	int64_t dst_start_ms[TZ_TABLE_YEARS], dst_end_ms[TZ_TABLE_YEARS];
	/* The UTC instant each of those years starts in local standard time,
	 * and the one after the last: the year of an instant without the
	 * civil calendar. */
	int64_t year_start_ms[TZ_TABLE_YEARS + 1];
};

/* Parses a POSIX TZ string; "UTC0" or "UTC" give UTC. Returns 0 or -1 with
 * a reason. */
int tz_parse(const char *spec, struct tz_rule *out, char *err, size_t errlen);

/* Offset from UTC in seconds at a UTC instant. */
int32_t tz_offset_at(const struct tz_rule *tz, int64_t utc_ms);
/* Local calendar day number (days since 1970-01-01 local) of a UTC instant. */
int32_t tz_local_day(const struct tz_rule *tz, int64_t utc_ms);
/* UTC instant of local midnight starting local day `day`. */
int64_t tz_day_start_utc(const struct tz_rule *tz, int32_t day);

#endif
