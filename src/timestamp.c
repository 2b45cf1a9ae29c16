/* timestamp.c -- RFC 3339 <-> epoch milliseconds. The civil-date
 * algorithms are Howard Hinnant's (public domain), exact for every
 * proleptic Gregorian date. */
#include "rgmon/timestamp.h"

#include <stdio.h>

int64_t ts_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = ts_floor_div(y, 400);
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void ts_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = ts_floor_div(z, 146097);
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n decimal digits. */
static bool digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c1, char c2)
{
	if (**p != c1 && **p != c2)
		return false;
	(*p)++;
	return true;
}

int ts_parse_rfc3339(const char *s, int64_t *ms_utc)
{
	const char *p = s;
	unsigned y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0;
	int sign = 0;

	if (!digits(&p, 4, &y) || !expect(&p, '-', '-') || !digits(&p, 2, &mo) ||
	    !expect(&p, '-', '-') || !digits(&p, 2, &d) || !expect(&p, 'T', 't') ||
	    !digits(&p, 2, &h) || !expect(&p, ':', ':') || !digits(&p, 2, &mi) ||
	    !expect(&p, ':', ':') || !digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		int n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (n < 3)
				ms = ms * 10 + (unsigned)(*p - '0');
			n++;
			p++;
		}
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (!digits(&p, 2, &oh) || !expect(&p, ':', ':') || !digits(&p, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59 || oh > 23 || om > 59)
		return -1;

	int64_t days = ts_days_from_civil(y, mo, d);
	int64_t t = days * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MIN + sec * MS_PER_SEC + ms;
	t -= sign * (int64_t)(oh * MS_PER_HOUR + om * MS_PER_MIN);
	*ms_utc = t;
	return 0;
}

void ts_format_rfc3339(int64_t ms_utc, char *buf, size_t len)
{
	int64_t days = ts_floor_div(ms_utc, MS_PER_DAY);
	int64_t rem = ms_utc - days * MS_PER_DAY;
	int64_t y;
	unsigned m, d;
	ts_civil_from_days(days, &y, &m, &d);
	unsigned h = (unsigned)(rem / MS_PER_HOUR), mi = (unsigned)(rem / MS_PER_MIN % 60),
		 s = (unsigned)(rem / MS_PER_SEC % 60), ms = (unsigned)(rem % MS_PER_SEC);
	if (ms)
		snprintf(buf, len, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d, h, mi, s, ms);
	else
		snprintf(buf, len, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, h, mi, s);
}

void ts_format_rfc3339_offset(int64_t ms_utc, int offset_min, char *buf, size_t len)
{
	char local[TS_RFC3339_LEN];
	if (offset_min == 0) {
		ts_format_rfc3339(ms_utc, buf, len);
		return;
	}
	ts_format_rfc3339(ms_utc + (int64_t)offset_min * MS_PER_MIN, local, sizeof(local));
	local[strlen(local) - 1] = '\0'; /* drop the Z */
	int a = offset_min < 0 ? -offset_min : offset_min;
	snprintf(buf, len, "%s%c%02d:%02d", local, offset_min < 0 ? '-' : '+', a / 60, a % 60);
}
