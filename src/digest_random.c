/* digest_random.c -- random bytes from OpenSSL's CSPRNG, for API tokens.
 * Apart from digest.c because it reads the system's entropy: the hashing
 * is pure and part of the decision core, this is not. */
#include "rgmon/digest.h"

#include <openssl/rand.h>

int digest_random(void *out, size_t n) { return RAND_bytes(out, (int)n) == 1 ? 0 : -1; }
