/* clock.h -- every clock rgmon reads, behind one module: the wall clock for
 * staff actions, audit records, tokens and "overdue"; the monotonic clock
 * for rates, timings and back-offs; and wall-clock deadlines for
 * pthread_cond_timedwait.
 *
 * Never used by the decision core (event, policy, engine, state, score,
 * rules, ...): decisions run on event time, so a replay reproduces them.
 * `make check-pure` fails if a core object reaches a clock. */
#ifndef RGMON_CLOCK_H
#define RGMON_CLOCK_H

#include "rgmon/common.h"

/* The wall clock (CLOCK_REALTIME) in ms since the Unix epoch. */
int64_t clock_now_ms(void);

/* The monotonic clock, for intervals only: microseconds, and seconds as a
 * double, from an arbitrary start. */
int64_t clock_mono_us(void);
double clock_mono_seconds(void);

/* *until = the wall clock plus ms (ms >= 0), normalised, as
 * pthread_cond_timedwait wants it. */
void clock_deadline(struct timespec *until, int64_t ms);

#endif
