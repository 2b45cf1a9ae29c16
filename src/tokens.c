/* tokens.c -- the tokens file, token generation and lookup. */
#include "rgmon/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const role_names[ROLE_COUNT] = { "agent", "compliance", "regulator", "admin" };

const char *role_name(enum role r) { return (unsigned)r < ROLE_COUNT ? role_names[r] : "?"; }

int role_parse(const char *s, enum role *out)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	return -1;
}

bool tokens_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > TOKEN_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return false;
	return true;
}

/* "sha256:<hex> <role> <name>" -> entry; -1 with what is wrong. */
static int parse_line(char *line, struct token_entry *e, char *what, size_t whatlen)
{
	char *save = NULL, *hash = strtok_r(line, " \t", &save), *role = strtok_r(NULL, " \t", &save);
	char *name = strtok_r(NULL, " \t", &save);
	if (!hash || !role || !name || strtok_r(NULL, " \t", &save))
		return seterr(what, whatlen, "expected \"sha256:HEX ROLE NAME\"");
	if (strncmp(hash, "sha256:", 7) != 0 || digest_hex_decode(hash + 7, e->hash, DIGEST_SHA256_LEN) < 0)
		return seterr(what, whatlen, "the hash must be sha256: and 64 hex digits");
	if (role_parse(role, &e->role) < 0)
		return seterr(what, whatlen, "unknown role \"%s\" (agent, compliance, regulator or admin)", role);
	if (!tokens_name_valid(name))
		return seterr(what, whatlen, "name \"%s\" must be 1-%d of A-Z a-z 0-9 . _ -", name, TOKEN_NAME_MAX);
	rg_strlcpy(e->name, name, sizeof(e->name));
	return 0;
}

enum line_status { LINE_OK, LINE_END, LINE_LONG, LINE_NUL };

/* One line of f, without its newline, into buf. A longer line is not read
 * on: the file is refused, so where it goes on does not matter. */
static enum line_status read_line(FILE *f, char buf[TOKENS_LINE_MAX + 1])
{
	size_t n = 0;
	bool nul = false;
	int c;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n == TOKENS_LINE_MAX)
			return LINE_LONG;
		nul |= c == '\0';
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (c == EOF && n == 0)
		return LINE_END;
	return nul ? LINE_NUL : LINE_OK;
}

/* Whoever may write the file may add a token with any role, so a file
 * its group or others can write is refused. It holds only hashes, so
 * others may read it. The mode is the open file's: no race with a rename. */
static int check_mode(FILE *f, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (fstat(fileno(f), &sb) < 0)
		return seterr(err, errlen, "cannot read tokens file \"%s\": %s", path, strerror(errno));
	if (sb.st_mode & (S_IWGRP | S_IWOTH))
		return seterr(err, errlen, "tokens %s: mode %04o lets others add tokens; chmod 600 %s", path,
			      (unsigned)(sb.st_mode & 07777), path);
	return 0;
}

/* The entries of f, each with its line in *lines (malloc'd, the caller
 * frees); -1 at the first bad line, with the entries before it. */
static int read_entries(FILE *f, const char *path, struct token_table *t, int **lines, char *err, size_t errlen)
{
	char line[TOKENS_LINE_MAX + 1], what[256];
	size_t cap = 0;
	int lineno = 0;
	enum line_status ls;
	while ((ls = read_line(f, line)) != LINE_END) {
		lineno++;
		if (ls == LINE_LONG)
			return seterr(err, errlen, "%s:%d: the line is longer than %d bytes", path, lineno,
				      TOKENS_LINE_MAX);
		if (ls == LINE_NUL)
			return seterr(err, errlen, "%s:%d: a NUL byte in the line", path, lineno);
		line[strcspn(line, "\r")] = '\0';
		char *p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		if (t->count == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct token_entry *v = realloc(t->entries, ncap * sizeof(*v));
			if (!v)
				return seterr(err, errlen, "out of memory");
			t->entries = v;
			int *l = realloc(*lines, ncap * sizeof(*l));
			if (!l)
				return seterr(err, errlen, "out of memory");
			*lines = l;
			cap = ncap;
		}
		if (parse_line(p, &t->entries[t->count], what, sizeof(what)) < 0)
			return seterr(err, errlen, "%s:%d: %s", path, lineno, what);
		(*lines)[t->count++] = lineno;
	}
	return ferror(f) ? seterr(err, errlen, "reading \"%s\": %s", path, strerror(errno)) : 0;
}

/* An entry with its line, sorted by a key to find a key given twice:
 * n log n, where comparing each line with those before it took 19.5 s of
 * CPU for 100,000 lines. */
struct keyed {
	const struct token_entry *e;
	int line;
};

static int hash_key(const struct keyed *a, const struct keyed *b)
{
	return memcmp(a->e->hash, b->e->hash, sizeof(a->e->hash));
}

static int name_key(const struct keyed *a, const struct keyed *b) { return strcmp(a->e->name, b->e->name); }

static int line_order(const struct keyed *a, const struct keyed *b)
{
	return (a->line > b->line) - (a->line < b->line);
}

static int by_hash(const void *a, const void *b)
{
	int c = hash_key(a, b);
	return c ? c : line_order(a, b);
}

static int by_name(const void *a, const void *b)
{
	int c = name_key(a, b);
	return c ? c : line_order(a, b);
}

/* Sorts k by key, then line. The index of the entry on the earliest line
 * that repeats a key (k[i - 1] is where that key was first), or 0. */
static size_t first_repeat(struct keyed *k, size_t n, int (*sort)(const void *, const void *),
			   int (*key)(const struct keyed *, const struct keyed *))
{
	size_t at = 0;
	qsort(k, n, sizeof(*k), sort);
	for (size_t i = 1; i < n; i++)
		if (key(&k[i - 1], &k[i]) == 0 && (at == 0 || k[i].line < k[at].line))
			at = i;
	return at;
}

/* -1 naming the earliest line that repeats a hash or a name, with the
 * line it repeats; the hash when one line repeats both. A hash twice
 * would give one token two roles (the last line won: an agent's hash
 * appended as admin made that agent admin); a name twice would leave
 * staff actions not saying who acted. */
static int check_repeats(const struct token_table *t, const int *lines, const char *path, char *err,
			 size_t errlen)
{
	if (t->count < 2)
		return 0;
	struct keyed *k = malloc(t->count * sizeof(*k));
	if (!k)
		return seterr(err, errlen, "out of memory");
	for (size_t i = 0; i < t->count; i++)
		k[i] = (struct keyed){ &t->entries[i], lines[i] };
	int rc = 0, hash_line = 0, hash_first = 0;
	size_t at = first_repeat(k, t->count, by_hash, hash_key);
	if (at) {
		hash_line = k[at].line;
		hash_first = k[at - 1].line;
	}
	at = first_repeat(k, t->count, by_name, name_key);
	if (hash_line && (!at || hash_line <= k[at].line))
		rc = seterr(err, errlen, "%s:%d: the same hash as line %d (a token has one role and one name)", path,
			    hash_line, hash_first);
	else if (at)
		rc = seterr(err, errlen, "%s:%d: name \"%s\" is used twice (also on line %d)", path, k[at].line,
			    k[at].e->name, k[at - 1].line);
	free(k);
	return rc;
}

int tokens_load(struct token_table *t, const char *path, char *err, size_t errlen)
{
	int *lines = NULL, rc;
	FILE *f = fopen(path, "r");
	memset(t, 0, sizeof(*t));
	if (!f)
		return seterr(err, errlen, "cannot read tokens file \"%s\": %s", path, strerror(errno));
	rc = check_mode(f, path, err, errlen);
	if (rc == 0) {
		/* A repeat is named before a bad line after it, as if read in order. */
		int read_rc = read_entries(f, path, t, &lines, err, errlen);
		rc = check_repeats(t, lines, path, err, errlen);
		if (rc == 0)
			rc = read_rc;
	}
	fclose(f);
	free(lines);
	if (rc < 0)
		tokens_release(t);
	return rc;
}

void tokens_release(struct token_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->count = 0;
}

const struct token_entry *tokens_find(const struct token_table *t, const char *token)
{
	uint8_t h[DIGEST_SHA256_LEN];
	const struct token_entry *found = NULL;
	if (!token || digest_sha256(token, strlen(token), h) < 0)
		return NULL;
	/* Every entry is compared, match or not. */
	for (size_t i = 0; i < t->count; i++)
		if (digest_equal(h, t->entries[i].hash, sizeof(h)))
			found = &t->entries[i];
	return found;
}

static void base64url(const uint8_t *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = a[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
}

int tokens_new(const char *path, enum role role, const char *name, char out[TOKEN_LEN + 1], char *err,
	       size_t errlen)
{
	uint8_t rnd[32];
	char hex[DIGEST_SHA256_HEX];
	struct token_table t;

	if (!tokens_name_valid(name))
		return seterr(err, errlen, "name \"%s\" must be 1-%d of A-Z a-z 0-9 . _ -", name, TOKEN_NAME_MAX);
	if (access(path, F_OK) == 0) {
		if (tokens_load(&t, path, err, errlen) < 0)
			return -1;
		for (size_t i = 0; i < t.count; i++)
			if (strcmp(t.entries[i].name, name) == 0) {
				tokens_release(&t);
				return seterr(err, errlen, "\"%s\" already has a token in %s", name, path);
			}
		tokens_release(&t);
	}
	if (digest_random(rnd, sizeof(rnd)) < 0)
		return seterr(err, errlen, "no random bytes from libcrypto");
	memcpy(out, "rgm_", 4);
	base64url(rnd, sizeof(rnd), out + 4);
	if (digest_sha256_hex(out, strlen(out), hex) < 0)
		return seterr(err, errlen, "cannot hash the token");

	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return seterr(err, errlen, "cannot write tokens file \"%s\": %s", path, strerror(errno));
	char line[256];
	int n = snprintf(line, sizeof(line), "sha256:%s %s %s\n", hex, role_name(role), name);
	off_t size = lseek(fd, 0, SEEK_END);
	static const char header[] = "# rgmon API tokens: sha256:HASH ROLE NAME (only hashes; the tokens are not kept)\n";
	bool ok = (size != 0 || write(fd, header, sizeof(header) - 1) == (ssize_t)(sizeof(header) - 1)) &&
		  write(fd, line, (size_t)n) == n;
	if (close(fd) < 0)
		ok = false;
	return ok ? 0 : seterr(err, errlen, "writing tokens file \"%s\": %s", path, strerror(errno));
}
