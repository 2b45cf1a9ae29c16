/* sign.c -- Ed25519 through OpenSSL 3.0's EVP interface (one-shot
 * EVP_DigestSign with no digest, as Ed25519 requires). OpenSSL returns 1
 * for success; here that becomes 0. */
#include "rgmon/sign.h"
#include "rgmon/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct sign_key {
	EVP_PKEY *pkey;
	uint8_t pub[SIGN_PUBLIC_LEN];
};

static int raw_public(EVP_PKEY *pkey, uint8_t pub[SIGN_PUBLIC_LEN])
{
	size_t n = SIGN_PUBLIC_LEN;
	return EVP_PKEY_get_raw_public_key(pkey, pub, &n) == 1 && n == SIGN_PUBLIC_LEN ? 0 : -1;
}

/* Opens path for writing with mode; refuses an existing file. */
static FILE *create_file(const char *path, mode_t mode, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0) {
		seterr(err, errlen, "cannot create \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		seterr(err, errlen, "cannot write \"%s\": %s", path, strerror(errno));
	}
	return f;
}

int sign_keygen(const char *dir, char *err, size_t errlen)
{
	char priv_path[4096], pub_path[4096];
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return seterr(err, errlen, "cannot create directory \"%s\": %s", dir, strerror(errno));
	snprintf(priv_path, sizeof(priv_path), "%s/%s", dir, SIGN_PRIVATE_FILE);
	snprintf(pub_path, sizeof(pub_path), "%s/%s", dir, SIGN_PUBLIC_FILE);
	if (access(priv_path, F_OK) == 0 || access(pub_path, F_OK) == 0)
		return seterr(err, errlen, "\"%s\" already holds a key pair; keygen never overwrites one", dir);

	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pkey)
		return seterr(err, errlen, "libcrypto cannot make an Ed25519 key");
	int rc = -1;
	FILE *priv = create_file(priv_path, 0600, err, errlen), *pub = NULL;
	if (!priv)
		goto out;
	if (PEM_write_PrivateKey(priv, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		seterr(err, errlen, "cannot write \"%s\"", priv_path);
		goto out;
	}
	pub = create_file(pub_path, 0644, err, errlen);
	if (!pub)
		goto out;
	if (PEM_write_PUBKEY(pub, pkey) != 1) {
		seterr(err, errlen, "cannot write \"%s\"", pub_path);
		goto out;
	}
	rc = 0;
out:
	if (priv && fclose(priv) != 0 && rc == 0)
		rc = seterr(err, errlen, "cannot write \"%s\": %s", priv_path, strerror(errno));
	if (pub && fclose(pub) != 0 && rc == 0)
		rc = seterr(err, errlen, "cannot write \"%s\": %s", pub_path, strerror(errno));
	EVP_PKEY_free(pkey);
	return rc;
}

struct sign_key *sign_key_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		seterr(err, errlen, "cannot read signing key \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	struct sign_key *k = pkey ? calloc(1, sizeof(*k)) : NULL;
	if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519 || !k || raw_public(pkey, k->pub) < 0) {
		seterr(err, errlen, "\"%s\" is not an Ed25519 private key in PEM (make one with `rgmon keygen`)", path);
		EVP_PKEY_free(pkey);
		free(k);
		return NULL;
	}
	k->pkey = pkey;
	return k;
}

void sign_key_free(struct sign_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

void sign_key_public(const struct sign_key *k, uint8_t pub[SIGN_PUBLIC_LEN]) { memcpy(pub, k->pub, SIGN_PUBLIC_LEN); }

int sign_public_load(const char *path, uint8_t pub[SIGN_PUBLIC_LEN], char *err, size_t errlen)
{
	char text[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return seterr(err, errlen, "cannot read public key \"%s\": %s", path, strerror(errno));
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (strncmp(text, "-----", 5) != 0) { /* 64 hex digits on one line */
		text[strcspn(text, " \t\r\n")] = '\0';
		return digest_hex_decode(text, pub, SIGN_PUBLIC_LEN) == 0
			       ? 0
			       : seterr(err, errlen, "\"%s\" is neither a PEM public key nor 64 hex digits", path);
	}
	BIO *bio = BIO_new_mem_buf(text, (int)n);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	int rc = pkey && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519 ? raw_public(pkey, pub) : -1;
	EVP_PKEY_free(pkey);
	return rc == 0 ? 0 : seterr(err, errlen, "\"%s\" is not an Ed25519 public key", path);
}

int sign_message(const struct sign_key *k, const void *msg, size_t len, uint8_t sig[SIGN_SIGNATURE_LEN])
{
	size_t n = SIGN_SIGNATURE_LEN;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestSign(ctx, sig, &n, msg, len) == 1 && n == SIGN_SIGNATURE_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

bool sign_verify(const uint8_t pub[SIGN_PUBLIC_LEN], const void *msg, size_t len,
		 const uint8_t sig[SIGN_SIGNATURE_LEN])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, SIGN_PUBLIC_LEN);
	EVP_MD_CTX *ctx = pkey ? EVP_MD_CTX_new() : NULL;
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		  EVP_DigestVerify(ctx, sig, SIGN_SIGNATURE_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

void sign_fingerprint(const uint8_t pub[SIGN_PUBLIC_LEN], char out[SIGN_FINGERPRINT_LEN])
{
	uint8_t md[DIGEST_SHA256_LEN] = { 0 };
	digest_sha256(pub, SIGN_PUBLIC_LEN, md);
	memcpy(out, "sha256:", 7);
	digest_hex_encode(md, 16, out + 7);
}
