/* log.h -- the one logging module: level-gated one-line messages to stderr.
 * librdkafka, libmicrohttpd and SQLite logs are routed here by the modules
 * that own those libraries. Never used by the pure modules (event, engine). */
#ifndef RGMON_LOG_H
#define RGMON_LOG_H

#include "rgmon/common.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
/* Parses "error", "warn", "info", "debug"; returns -1 on an unknown name. */
int log_level_parse(const char *name, enum log_level *out);

void log_error(const char *fmt, ...) RG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) RG_PRINTF(1, 2);
void log_info(const char *fmt, ...) RG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) RG_PRINTF(1, 2);

#endif
