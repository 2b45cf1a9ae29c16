/* digest.h -- OpenSSL libcrypto behind one module: SHA-256 for policy
 * identities, alert ids and API tokens (later the audit chain), random
 * bytes for tokens, and a constant-time comparison. */
#ifndef RGMON_DIGEST_H
#define RGMON_DIGEST_H

#include "rgmon/common.h"

#define DIGEST_SHA256_LEN 32
#define DIGEST_SHA256_HEX (2 * DIGEST_SHA256_LEN + 1)

/* SHA-256 of len bytes; returns 0, or -1 if libcrypto fails. */
int digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN]);
/* The same as 64 lowercase hex digits and a NUL. */
int digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX]);

/* Compares n bytes in time that does not depend on where they differ. */
bool digest_equal(const void *a, const void *b, size_t n);

/* n cryptographically strong random bytes; 0, or -1 if libcrypto fails. */
int digest_random(void *out, size_t n);

#endif
