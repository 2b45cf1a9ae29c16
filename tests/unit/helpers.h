/* helpers.h -- small builders shared by the unit tests. */
#ifndef RGMON_TEST_HELPERS_H
#define RGMON_TEST_HELPERS_H

#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/timestamp.h"

#include <stdio.h>

/* Parses JSON built from a printf format; fails the test when invalid. */
static inline struct event make_event(const char *fmt, ...)
{
	char buf[1024], err[256];
	struct event ev;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (event_parse(buf, strlen(buf), &ev, err, sizeof(err)) < 0) {
		fprintf(stderr, "bad test event %s: %s\n", buf, err);
		abort();
	}
	return ev;
}

static inline int64_t t_ms(const char *rfc3339)
{
	int64_t ms = 0;
	if (ts_parse_rfc3339(rfc3339, &ms) < 0)
		abort();
	return ms;
}

/* The built-in policy with its calendar days in time zone `posix_tz`
 * (NULL = as shipped). One static copy per test binary; each call resets it. */
static inline struct policy *test_policy(const char *posix_tz)
{
	static struct policy pol;
	char err[512];
	if (policy_load(&pol, NULL, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "built-in policy: %s\n", err);
		abort();
	}
	if (posix_tz && tz_parse(posix_tz, &pol.tz, err, sizeof(err)) < 0)
		abort();
	return &pol;
}

#endif
