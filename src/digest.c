/* digest.c -- SHA-256 through OpenSSL's EVP interface, hex, FNV-1a and
 * XXH64.
 * OpenSSL returns 1 for success; here that becomes 0, as everywhere in
 * rgmon. Pure (policy identities and the engine use it): the random bytes
 * are in digest_random.c. */
#include "rgmon/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

int digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN])
{
	unsigned int n = 0;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != DIGEST_SHA256_LEN)
		return -1;
	return 0;
}

int digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX])
{
	uint8_t md[DIGEST_SHA256_LEN];
	if (digest_sha256(data, len, md) < 0)
		return -1;
	digest_hex_encode(md, sizeof(md), out);
	return 0;
}

struct digest_stream *digest_stream_new(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return (struct digest_stream *)ctx;
}

int digest_stream_update(struct digest_stream *d, const void *data, size_t len)
{
	return EVP_DigestUpdate((EVP_MD_CTX *)d, data, len) == 1 ? 0 : -1;
}

int digest_stream_final(struct digest_stream *d, char out[DIGEST_SHA256_HEX])
{
	uint8_t md[DIGEST_SHA256_LEN];
	unsigned int n = 0;
	int ok = d && EVP_DigestFinal_ex((EVP_MD_CTX *)d, md, &n) == 1 && n == DIGEST_SHA256_LEN;
	EVP_MD_CTX_free((EVP_MD_CTX *)d);
	if (ok)
		digest_hex_encode(md, sizeof(md), out);
	return ok ? 0 : -1;
}

void digest_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int digest_hex_decode(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

bool digest_equal(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

uint64_t digest_fnv1a(const char *s)
{
	/* FNV-1a, 64-bit; 0 is reserved for "free slot". */
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* XXH64 after xxHash's specification (doc/xxhash_spec.md): four lanes over
 * 32-byte stripes, then the rest 8, 4 and 1 bytes at a time, then the
 * avalanche. Little-endian reads, as the specification's. */
#define XXH_P1 0x9E3779B185EBCA87ULL
#define XXH_P2 0xC2B2AE3D27D4EB4FULL
#define XXH_P3 0x165667B19E3779F9ULL
#define XXH_P4 0x85EBCA77C2B2AE63ULL
#define XXH_P5 0x27D4EB2F165667C5ULL

static uint64_t xxh_rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

/* n (8 or 4) bytes at p as a little-endian number (one load once n is
 * a constant). On a big-endian machine memcpy leaves them in the high
 * bytes of v, in reading order; swapping all eight gives their value. */
static inline uint64_t xxh_read(const unsigned char *p, int n)
{
	uint64_t v = 0;
	memcpy(&v, p, (size_t)n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static uint64_t xxh_round(uint64_t acc, uint64_t input)
{
	acc += input * XXH_P2;
	return xxh_rotl(acc, 31) * XXH_P1;
}

static uint64_t xxh_merge(uint64_t h, uint64_t lane)
{
	h ^= xxh_round(0, lane);
	return h * XXH_P1 + XXH_P4;
}

uint64_t digest_xxh64(const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t h;
	if (len >= 32) {
		uint64_t v1 = XXH_P1 + XXH_P2, v2 = XXH_P2, v3 = 0, v4 = 0 - XXH_P1;
		for (; end - p >= 32; p += 32) {
			v1 = xxh_round(v1, xxh_read(p, 8));
			v2 = xxh_round(v2, xxh_read(p + 8, 8));
			v3 = xxh_round(v3, xxh_read(p + 16, 8));
			v4 = xxh_round(v4, xxh_read(p + 24, 8));
		}
		h = xxh_rotl(v1, 1) + xxh_rotl(v2, 7) + xxh_rotl(v3, 12) + xxh_rotl(v4, 18);
		h = xxh_merge(xxh_merge(xxh_merge(xxh_merge(h, v1), v2), v3), v4);
	} else {
		h = XXH_P5;
	}
	h += len;
	for (; end - p >= 8; p += 8)
		h = xxh_rotl(h ^ xxh_round(0, xxh_read(p, 8)), 27) * XXH_P1 + XXH_P4;
	if (end - p >= 4) {
		h = xxh_rotl(h ^ xxh_read(p, 4) * XXH_P1, 23) * XXH_P2 + XXH_P3;
		p += 4;
	}
	for (; p < end; p++)
		h = xxh_rotl(h ^ *p * XXH_P5, 11) * XXH_P1;
	h ^= h >> 33;
	h *= XXH_P2;
	h ^= h >> 29;
	h *= XXH_P3;
	return h ^ h >> 32;
}
