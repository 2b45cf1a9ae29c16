/* digest.h -- OpenSSL libcrypto behind one module: SHA-256 for policy
 * identities, alert ids, API tokens and the audit chain, hex, random
 * bytes for tokens (digest_random.c), a constant-time comparison,
 * FNV-1a for ids kept in fixed-size tables, and XXH64 for tables kept in
 * memory only. */
#ifndef RGMON_DIGEST_H
#define RGMON_DIGEST_H

#include "rgmon/common.h"

#define DIGEST_SHA256_LEN 32
#define DIGEST_SHA256_HEX (2 * DIGEST_SHA256_LEN + 1)

/* SHA-256 of len bytes; returns 0, or -1 if libcrypto fails. */
int digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN]);
/* The same as 64 lowercase hex digits and a NUL. */
int digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX]);

/* SHA-256 over pieces: new, update..., then final (which frees it). */
struct digest_stream;
struct digest_stream *digest_stream_new(void);
int digest_stream_update(struct digest_stream *d, const void *data, size_t len);
int digest_stream_final(struct digest_stream *d, char out[DIGEST_SHA256_HEX]);

/* Lowercase hex of n bytes into out (2n+1 chars with the NUL), and back:
 * -1 unless s is exactly 2n lowercase hex digits. */
void digest_hex_encode(const uint8_t *in, size_t n, char *out);
int digest_hex_decode(const char *s, uint8_t *out, size_t n);

/* Compares n bytes in time that does not depend on where they differ. */
bool digest_equal(const void *a, const void *b, size_t n);

/* n cryptographically strong random bytes; 0, or -1 if libcrypto fails. */
int digest_random(void *out, size_t n);

/* FNV-1a (64-bit) of a string, never 0, so tables can keep 0 for a free
 * slot: session and instrument ids in player state, event ids in ingest's
 * duplicate check. Not cryptographic; stored, so it must never change. */
uint64_t digest_fnv1a(const char *s);

/* XXH64 (seed 0) of len bytes, as xxHash's specification defines it: 8
 * bytes a step where FNV-1a takes one, and a better mix. For tables kept
 * in memory only (evaluate's players and duplicate window): nothing
 * stored depends on it. */
uint64_t digest_xxh64(const void *data, size_t len);

#endif
