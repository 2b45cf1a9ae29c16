/* tokens.h -- API tokens and the roles they carry.
 *
 * A token is shown once, when `rgmon token new` makes it; the tokens file
 * keeps only its SHA-256 with the role and the name. The name is the actor
 * recorded on every staff action (staff work under pseudonyms). Lookups
 * compare the hash against every entry in constant time, so neither the
 * timing nor the position of a match tells an attacker anything.
 *
 * File format, one token per line ('#' starts a comment):
 *   sha256:<64 hex digits> <role> <name>
 * The file may be readable by others (it holds only hashes) but not
 * writable by its group or others: whoever writes it adds tokens.           */
#ifndef RGMON_TOKENS_H
#define RGMON_TOKENS_H

#include "rgmon/common.h"
#include "rgmon/digest.h"

enum role { ROLE_AGENT, ROLE_COMPLIANCE, ROLE_REGULATOR, ROLE_ADMIN, ROLE_COUNT };

#define TOKEN_NAME_MAX 64 /* [A-Za-z0-9._-] */
#define TOKEN_LEN 47      /* "rgm_" + 43 base64url characters (32 random bytes) */
#define TOKENS_LINE_MAX 4096 /* bytes in a line of the tokens file, before its newline */

const char *role_name(enum role r);
/* 0, or -1 when s names no role. */
int role_parse(const char *s, enum role *out);

struct token_entry {
	uint8_t hash[DIGEST_SHA256_LEN];
	enum role role;
	char name[TOKEN_NAME_MAX + 1];
};

struct token_table {
	struct token_entry *entries;
	size_t count;
};

/* Reads a tokens file; errors name the line. A file its group or others
 * can write is refused, and so is a hash or a name on two lines (naming
 * both). Release with tokens_release. */
int tokens_load(struct token_table *t, const char *path, char *err, size_t errlen);
void tokens_release(struct token_table *t);

/* The entry whose token this is, or NULL. */
const struct token_entry *tokens_find(const struct token_table *t, const char *token);

/* Whether name is a valid token name. */
bool tokens_name_valid(const char *name);

/* Makes a new token for role and name, appends its hash to the file
 * (created with mode 0600) and writes the token to out. A name already in
 * the file is refused. */
int tokens_new(const char *path, enum role role, const char *name, char out[TOKEN_LEN + 1], char *err,
	       size_t errlen);

#endif
