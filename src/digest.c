/* digest.c -- SHA-256 through OpenSSL's EVP interface, hex, and FNV-1a.
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
