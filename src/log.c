/* log.c -- level-gated one-line messages to stderr, "rgmon: level: text". */
#include "rgmon/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdatomic.h>

/* The one process-wide setting: read by every thread, written at start-up. */
static _Atomic int log_threshold = LOG_LEVEL_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level level) { atomic_store(&log_threshold, (int)level); }

static bool log_enabled(enum log_level level) { return (int)level <= atomic_load(&log_threshold); }

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

static void log_v(enum log_level level, const char *fmt, va_list ap) RG_PRINTF(2, 0);
static void log_v(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	if (!log_enabled(level))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line so lines from threads do not interleave. */
	fprintf(stderr, "rgmon: %s: %s\n", level_names[level], line);
}

#define LOG_FN(name, level)                    \
	void name(const char *fmt, ...)        \
	{                                      \
		va_list ap;                    \
		va_start(ap, fmt);             \
		log_v(level, fmt, ap);         \
		va_end(ap);                    \
	}
LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)
