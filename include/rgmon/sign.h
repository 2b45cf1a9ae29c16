/* sign.h -- Ed25519 signatures for the audit trail (OpenSSL libcrypto):
 * the key pair `rgmon keygen` makes, signing checkpoints and export
 * manifests, and verifying them. Keys are PEM files; in exports a public
 * key is 64 hex digits and a signature 128. */
#ifndef RGMON_SIGN_H
#define RGMON_SIGN_H

#include "rgmon/common.h"

#define SIGN_PUBLIC_LEN 32
#define SIGN_SIGNATURE_LEN 64
#define SIGN_PUBLIC_HEX (2 * SIGN_PUBLIC_LEN + 1)
#define SIGN_SIGNATURE_HEX (2 * SIGN_SIGNATURE_LEN + 1)
/* "sha256:" and the first 16 bytes of the public key's SHA-256, in hex */
#define SIGN_FINGERPRINT_LEN (7 + 32 + 1)

#define SIGN_PRIVATE_FILE "audit-signing.key"
#define SIGN_PUBLIC_FILE "audit-signing.pub"

struct sign_key; /* a private key */

/* Writes DIR/audit-signing.key (mode 0600) and DIR/audit-signing.pub;
 * refuses to overwrite an existing key. */
int sign_keygen(const char *dir, char *err, size_t errlen);

struct sign_key *sign_key_load(const char *path, char *err, size_t errlen);
void sign_key_free(struct sign_key *k);
void sign_key_public(const struct sign_key *k, uint8_t pub[SIGN_PUBLIC_LEN]);

/* A public key from a PEM file (as keygen writes) or a file holding its
 * 64 hex digits. */
int sign_public_load(const char *path, uint8_t pub[SIGN_PUBLIC_LEN], char *err, size_t errlen);

int sign_message(const struct sign_key *k, const void *msg, size_t len, uint8_t sig[SIGN_SIGNATURE_LEN]);
bool sign_verify(const uint8_t pub[SIGN_PUBLIC_LEN], const void *msg, size_t len,
		 const uint8_t sig[SIGN_SIGNATURE_LEN]);

void sign_fingerprint(const uint8_t pub[SIGN_PUBLIC_LEN], char out[SIGN_FINGERPRINT_LEN]);

#endif
