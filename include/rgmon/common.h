/* common.h -- what every rgmon module includes: fixed-width types, the
 * error-buffer convention and banned.h.
 *
 * Error convention (after git): a function that can fail returns int
 * (0 ok, negative error) or a pointer (NULL on error) and writes one
 * lowercase human line without a full stop into a caller's `char *err,
 * size_t errlen`. */
#ifndef RGMON_COMMON_H
#define RGMON_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define RGMON_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define RG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define RG_NORETURN __attribute__((noreturn))
#else
#define RG_PRINTF(f, a)
#define RG_NORETURN
#endif

/* snprintf into an error buffer; tolerates err == NULL. Returns -1 so a
 * caller can write `return seterr(err, errlen, "...")`. */
int seterr(char *err, size_t errlen, const char *fmt, ...) RG_PRINTF(3, 4);

/* Copy src into dst of size dstlen, always NUL-terminated; returns the
 * length of src (truncation when >= dstlen), as strlcpy. */
size_t rg_strlcpy(char *dst, const char *src, size_t dstlen);

/* System headers that declare banned functions come first, so their own
 * (inline) definitions are seen before the macros in banned.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "banned.h"

#endif
