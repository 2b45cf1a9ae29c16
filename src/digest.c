/* digest.c -- SHA-256 through OpenSSL's EVP interface. OpenSSL returns 1
 * for success; here that becomes 0, as everywhere in rgmon. */
#include "rgmon/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

int digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN])
{
	unsigned int n = 0;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != DIGEST_SHA256_LEN)
		return -1;
	return 0;
}

int digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[DIGEST_SHA256_LEN];
	if (digest_sha256(data, len, md) < 0)
		return -1;
	for (int i = 0; i < DIGEST_SHA256_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * DIGEST_SHA256_LEN] = '\0';
	return 0;
}

bool digest_equal(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

int digest_random(void *out, size_t n) { return RAND_bytes(out, (int)n) == 1 ? 0 : -1; }
