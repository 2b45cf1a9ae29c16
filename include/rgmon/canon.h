/* canon.h -- the canonical JSON text that audit record hashes and export
 * signatures are computed over (schemas/audit-export.md, "The canonical
 * JSON", defines it byte for byte). rgmon writes it itself rather than
 * trusting a library's formatting, so a hash made today stays the same
 * text whatever jansson version reads it back in five years.
 *
 * In short: no whitespace; object keys sorted by their UTF-8 bytes;
 * strings as UTF-8 with only '"', '\\' and U+0000-U+001F escaped (\b \f
 * \n \r \t, the rest \u00XX with capital hex digits); integers in
 * [-2^63, 2^63-1] in decimal; true, false, null. Numbers with a fraction
 * or exponent have no canonical form. For every value rgmon writes this is
 * exactly what jansson 2.14 prints with JSON_COMPACT | JSON_SORT_KEYS, so
 * records hashed before this module keep their hashes. */
#ifndef RGMON_CANON_H
#define RGMON_CANON_H

#include "rgmon/common.h"

#include <jansson.h>

/* The canonical text of v (borrowed), NUL-terminated, which the caller
 * frees; NULL when v holds a real number or a string or key that is not
 * valid UTF-8, or on out of memory. */
char *canon_json(const json_t *v);

#endif
