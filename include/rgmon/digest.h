/* digest.h -- SHA-256 (OpenSSL libcrypto), the one place rgmon hashes:
 * policy identities, alert ids, and later the audit chain and tokens. */
#ifndef RGMON_DIGEST_H
#define RGMON_DIGEST_H

#include "rgmon/common.h"

#define DIGEST_SHA256_LEN 32
#define DIGEST_SHA256_HEX (2 * DIGEST_SHA256_LEN + 1)

/* SHA-256 of len bytes; returns 0, or -1 if libcrypto fails. */
int digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN]);
/* The same as 64 lowercase hex digits and a NUL. */
int digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX]);

#endif
