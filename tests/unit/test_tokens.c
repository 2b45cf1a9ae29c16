/* test_tokens.c -- the API tokens file: loading (comments, blank lines,
 * errors that name the line), lookup of a token to its role and name,
 * unknown tokens, the hash compare over every byte, role names, token
 * names, and tokens_new (the token's format, the file line it appends,
 * the file's mode, a name used twice). Files are written to a temp dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rgmon/digest.h"
#include "rgmon/tokens.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rgmon-tokens-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes len bytes to a new file in the temp dir; returns its path. */
static const char *write_bytes(const char *name, const char *bytes, size_t len)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0); /* whatever the umask */
	return path;
}

static const char *write_file(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/* "sha256:<hex of token>" */
static const char *hash_of(const char *token)
{
	static char buf[8][8 + DIGEST_SHA256_HEX];
	static int next;
	char hex[DIGEST_SHA256_HEX];
	char *out = buf[next++ % 8];
	assert_int_equal(digest_sha256_hex(token, strlen(token), hex), 0);
	snprintf(out, sizeof(buf[0]), "sha256:%s", hex);
	return out;
}

static char *read_all(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#define ALICE "rgm_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define BOB "rgm_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CAROL "rgm_ccccccccccccccccccccccccccccccccccccccccccc"
#define DAVE "rgm_ddddddddddddddddddddddddddddddddddddddddddd"

/* ---- loading and lookup ---------------------------------------------------- */

static void test_valid_tokens_map_to_role_and_name(void **state)
{
	(void)state;
	char text[1024], err[256];
	struct token_table t;
	snprintf(text, sizeof(text),
		 "# rgmon API tokens\n"
		 "\n"
		 "   # an indented comment\n"
		 "%s agent alice\n"
		 "%s\tcompliance\tbob.smith\n"       /* tabs separate too */
		 "  %s regulator  carol_1  \r\n"     /* leading, doubled and trailing blanks; CRLF */
		 "%s admin D-4\n",
		 hash_of(ALICE), hash_of(BOB), hash_of(CAROL), hash_of(DAVE));
	assert_int_equal(tokens_load(&t, write_file("tokens", text), err, sizeof(err)), 0);
	assert_int_equal(t.count, 4);

	const struct token_entry *e = tokens_find(&t, ALICE);
	assert_non_null(e);
	assert_int_equal(e->role, ROLE_AGENT);
	assert_string_equal(e->name, "alice");
	e = tokens_find(&t, BOB);
	assert_non_null(e);
	assert_int_equal(e->role, ROLE_COMPLIANCE);
	assert_string_equal(e->name, "bob.smith");
	e = tokens_find(&t, CAROL);
	assert_non_null(e);
	assert_int_equal(e->role, ROLE_REGULATOR);
	assert_string_equal(e->name, "carol_1");
	e = tokens_find(&t, DAVE);
	assert_non_null(e);
	assert_int_equal(e->role, ROLE_ADMIN);
	assert_string_equal(e->name, "D-4");
	tokens_release(&t);
	assert_null(t.entries);
	assert_int_equal(t.count, 0);
}

static void test_unknown_tokens_are_not_found(void **state)
{
	(void)state;
	char text[512], err[256];
	struct token_table t;
	snprintf(text, sizeof(text), "%s compliance alice\n", hash_of(ALICE));
	assert_int_equal(tokens_load(&t, write_file("tokens", text), err, sizeof(err)), 0);
	assert_non_null(tokens_find(&t, ALICE));
	assert_null(tokens_find(&t, BOB));
	assert_null(tokens_find(&t, NULL));
	assert_null(tokens_find(&t, ""));
	/* near misses: one character off, cut, extended, another case */
	assert_null(tokens_find(&t, "rgm_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
	assert_null(tokens_find(&t, "rgm_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_null(tokens_find(&t, ALICE "a"));
	assert_null(tokens_find(&t, ALICE " "));
	assert_null(tokens_find(&t, "RGM_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	/* the file keeps hashes; whoever reads it holds no token */
	const char *h = hash_of(ALICE);
	assert_null(tokens_find(&t, h));
	assert_null(tokens_find(&t, h + 7));
	tokens_release(&t);
}

static void test_lookup_compares_every_byte_of_the_hash(void **state)
{
	(void)state;
	char hex[DIGEST_SHA256_HEX], text[1024], err[256];
	struct token_table t;
	uint8_t h[DIGEST_SHA256_LEN], other[DIGEST_SHA256_LEN];
	assert_int_equal(digest_sha256(ALICE, strlen(ALICE), h), 0);
	/* entries whose hash differs from ALICE's in only the first, a middle
	 * or the last byte; ALICE itself is not in the file */
	size_t len = 0;
	const size_t at[] = { 0, 15, DIGEST_SHA256_LEN - 1 };
	for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
		memcpy(other, h, sizeof(h));
		other[at[i]] ^= 0x01;
		digest_hex_encode(other, sizeof(other), hex);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "sha256:%s admin near%zu\n", hex, at[i]);
	}
	assert_int_equal(tokens_load(&t, write_file("tokens", text), err, sizeof(err)), 0);
	assert_int_equal(t.count, 3);
	assert_null(tokens_find(&t, ALICE));
	tokens_release(&t);

	/* and digest_equal, the compare behind it, over every position */
	for (size_t i = 0; i < sizeof(h); i++) {
		memcpy(other, h, sizeof(h));
		assert_true(digest_equal(h, other, sizeof(h)));
		other[i] ^= 0x80;
		if (digest_equal(h, other, sizeof(h)))
			fail_msg("a difference in byte %zu is not seen", i);
	}
}

static void test_a_match_in_any_position_is_found(void **state)
{
	(void)state;
	char text[8192], tok[64], name[16], err[256];
	struct token_table t;
	size_t len = 0;
	/* more entries than the loader's first allocation */
	for (int i = 0; i < 40; i++) {
		snprintf(tok, sizeof(tok), "rgm_token_%02d", i);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %s user%02d\n", hash_of(tok),
					i % 2 ? "agent" : "compliance", i);
	}
	assert_int_equal(tokens_load(&t, write_file("tokens", text), err, sizeof(err)), 0);
	assert_int_equal(t.count, 40);
	for (int i = 0; i < 40; i++) {
		snprintf(tok, sizeof(tok), "rgm_token_%02d", i);
		snprintf(name, sizeof(name), "user%02d", i);
		const struct token_entry *e = tokens_find(&t, tok);
		assert_non_null(e);
		assert_string_equal(e->name, name);
		assert_int_equal(e->role, i % 2 ? ROLE_AGENT : ROLE_COMPLIANCE);
	}
	tokens_release(&t);
}

static void test_empty_files_hold_no_token(void **state)
{
	(void)state;
	char err[256];
	struct token_table t;
	static const char *const texts[] = { "", "\n\n\n", "# only a comment\n", "   \t \n# x\n\t# y", "\r\n" };
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		err[0] = '\0';
		assert_int_equal(tokens_load(&t, write_file("tokens", texts[i]), err, sizeof(err)), 0);
		assert_int_equal(t.count, 0);
		assert_null(tokens_find(&t, ALICE));
		assert_null(tokens_find(&t, ""));
		tokens_release(&t);
	}
}

static void test_missing_file_is_an_error(void **state)
{
	(void)state;
	char path[128], err[256];
	struct token_table t;
	snprintf(path, sizeof(path), "%s/no-such-file", dir);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(t.count, 0);
	assert_null(tokens_find(&t, ALICE));
}

/* Whoever may write the file may add a token with any role: a file others
 * can write is refused, with the fix in the message. It holds only hashes,
 * so others may read it. */
static void test_writable_file_is_refused(void **state)
{
	(void)state;
	char text[256], err[512], want[512];
	struct token_table t;
	static const mode_t refused[] = { 0666, 0664, 0660, 0646, 0622, 0620, 0602, 0777, 0020, 0002 };
	static const mode_t accepted[] = { 0600, 0644, 0640, 0604, 0444, 0400 };
	snprintf(text, sizeof(text), "%s admin alice\n", hash_of(ALICE));
	const char *path = write_file("tokens", text);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		assert_int_equal(chmod(path, refused[i]), 0);
		err[0] = '\0';
		if (tokens_load(&t, path, err, sizeof(err)) != -1)
			fail_msg("mode %04o was accepted", (unsigned)refused[i]);
		snprintf(want, sizeof(want), "tokens %s: mode %04o lets others add tokens; chmod 600 %s", path,
			 (unsigned)refused[i], path);
		assert_string_equal(err, want);
		assert_int_equal(t.count, 0);
		assert_null(tokens_find(&t, ALICE));
	}
	for (size_t i = 0; i < ARRAY_SIZE(accepted); i++) {
		assert_int_equal(chmod(path, accepted[i]), 0);
		err[0] = '\0';
		if (tokens_load(&t, path, err, sizeof(err)) != 0)
			fail_msg("mode %04o was refused: %s", (unsigned)accepted[i], err);
		assert_non_null(tokens_find(&t, ALICE));
		tokens_release(&t);
	}

	/* token new does not add to such a file either */
	char tok[TOKEN_LEN + 1];
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(tokens_new(path, ROLE_AGENT, "bob", tok, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "tokens %s: mode 0666 lets others add tokens; chmod 600 %s", path, path);
	assert_string_equal(err, want);
	assert_string_equal(read_all(path), text);
}

/* ---- malformed lines ------------------------------------------------------- */

/* The file: a comment, a good line, then `bad` on line 3. */
static void expect_bad_line(const char *bad, const char *what)
{
	char text[1024], err[512], want[600];
	struct token_table t;
	snprintf(text, sizeof(text), "# tokens\n%s admin alice\n%s\n%s agent zed\n", hash_of(ALICE), bad, hash_of(BOB));
	const char *path = write_file("tokens", text);
	err[0] = '\0';
	if (tokens_load(&t, path, err, sizeof(err)) != -1)
		fail_msg("line \"%s\" was accepted", bad);
	snprintf(want, sizeof(want), "%s:3: %s", path, what);
	assert_string_equal(err, want);
	/* nothing half-loaded is left to authenticate with */
	assert_int_equal(t.count, 0);
	assert_null(t.entries);
	assert_null(tokens_find(&t, ALICE));
}

static void test_malformed_line_is_named(void **state)
{
	(void)state;
	char h[80], line[512], hex_upper[80];
	snprintf(h, sizeof(h), "%s", hash_of(CAROL)); /* hash_of's buffers are reused */
	const char *fields = "expected \"sha256:HEX ROLE NAME\"";
	const char *hash = "the hash must be sha256: and 64 hex digits";

	expect_bad_line("garbage", fields);
	snprintf(line, sizeof(line), "%s admin", h);
	expect_bad_line(line, fields);
	snprintf(line, sizeof(line), "%s admin carol extra", h);
	expect_bad_line(line, fields);
	snprintf(line, sizeof(line), "%s admin carol # a trailing comment", h);
	expect_bad_line(line, fields);

	expect_bad_line("sha256:abc admin carol", hash);
	snprintf(line, sizeof(line), "%s0 admin carol", h); /* 65 digits */
	expect_bad_line(line, hash);
	snprintf(line, sizeof(line), "%.*s admin carol", 70, h); /* 63 digits */
	expect_bad_line(line, hash);
	snprintf(line, sizeof(line), "md5:%s admin carol", h + 7);
	expect_bad_line(line, hash);
	snprintf(line, sizeof(line), "%s admin carol", h + 7); /* no prefix */
	expect_bad_line(line, hash);
	snprintf(line, sizeof(line), "SHA256:%s admin carol", h + 7);
	expect_bad_line(line, hash);
	snprintf(hex_upper, sizeof(hex_upper), "%s", h);
	for (char *p = hex_upper + 7; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(line, sizeof(line), "%s admin carol", hex_upper);
	expect_bad_line(line, hash);
	snprintf(line, sizeof(line), "sha256:%.63sg admin carol", h + 7); /* not hex */
	expect_bad_line(line, hash);

	snprintf(line, sizeof(line), "%s root carol", h);
	expect_bad_line(line, "unknown role \"root\" (agent, compliance, regulator or admin)");
	snprintf(line, sizeof(line), "%s Admin carol", h);
	expect_bad_line(line, "unknown role \"Admin\" (agent, compliance, regulator or admin)");

	snprintf(line, sizeof(line), "%s admin car/ol", h);
	expect_bad_line(line, "name \"car/ol\" must be 1-64 of A-Z a-z 0-9 . _ -");
	snprintf(line, sizeof(line), "%s admin caröl", h);
	expect_bad_line(line, "name \"caröl\" must be 1-64 of A-Z a-z 0-9 . _ -");
	char what[160];
	snprintf(line, sizeof(line), "%s admin %065d", h, 0); /* 65 characters */
	snprintf(what, sizeof(what), "name \"%065d\" must be 1-64 of A-Z a-z 0-9 . _ -", 0);
	expect_bad_line(line, what);

	/* the same hash twice: which role would the token have? (the last
	 * line's: an agent's hash appended as admin made the agent admin) */
	snprintf(line, sizeof(line), "%s agent mallory", hash_of(ALICE));
	expect_bad_line(line, "the same hash as line 2 (a token has one role and one name)");
	snprintf(line, sizeof(line), "%s admin alice", hash_of(ALICE)); /* the name too: the hash is named */
	expect_bad_line(line, "the same hash as line 2 (a token has one role and one name)");

	/* the same name twice: staff actions would not say who acted */
	snprintf(line, sizeof(line), "%s agent alice", h);
	expect_bad_line(line, "name \"alice\" is used twice (also on line 2)");
}

static void test_longest_name_loads(void **state)
{
	(void)state;
	char text[512], name[TOKEN_NAME_MAX + 1], err[256];
	struct token_table t;
	memset(name, 'n', TOKEN_NAME_MAX);
	name[TOKEN_NAME_MAX] = '\0';
	snprintf(text, sizeof(text), "%s agent %s\n", hash_of(ALICE), name);
	assert_int_equal(tokens_load(&t, write_file("tokens", text), err, sizeof(err)), 0);
	const struct token_entry *e = tokens_find(&t, ALICE);
	assert_non_null(e);
	assert_string_equal(e->name, name);
	tokens_release(&t);
}

/* A comment as long as a line may be is one line, however the reader
 * buffers it: a 512-byte buffer read the rest as a line of its own. */
static void test_long_lines_are_read_whole(void **state)
{
	(void)state;
	char err[256];
	struct token_table t;
	static char text[3 * TOKENS_LINE_MAX];
	const size_t lens[] = { 510, 511, 512, 513, 1024, 2000, TOKENS_LINE_MAX - 1, TOKENS_LINE_MAX };
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		/* "#xxx..." of len bytes before its newline, then a token */
		size_t len = lens[i], n = 0;
		text[n++] = '#';
		memset(text + n, 'x', len - 1);
		n += len - 1;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n%s agent alice\n", hash_of(ALICE));
		err[0] = '\0';
		if (tokens_load(&t, write_bytes("tokens", text, n), err, sizeof(err)) != 0)
			fail_msg("a comment of %zu bytes: %s", len, err);
		assert_int_equal(t.count, 1);
		assert_non_null(tokens_find(&t, ALICE));
		tokens_release(&t);
	}
	/* and the last line of a file needs no newline */
	size_t n = (size_t)snprintf(text, sizeof(text), "%s agent alice", hash_of(ALICE));
	assert_int_equal(tokens_load(&t, write_bytes("tokens", text, n), err, sizeof(err)), 0);
	assert_non_null(tokens_find(&t, ALICE));
	tokens_release(&t);
}

static void test_overlong_line_is_named(void **state)
{
	(void)state;
	char err[256], want[256];
	struct token_table t;
	static char text[3 * TOKENS_LINE_MAX];
	/* line 2 has one byte too many, whether it ends in a newline or the file */
	for (int at_end = 0; at_end < 2; at_end++) {
		size_t n = (size_t)snprintf(text, sizeof(text), "%s agent alice\n#", hash_of(ALICE));
		memset(text + n, 'x', TOKENS_LINE_MAX);
		n += TOKENS_LINE_MAX;
		if (!at_end)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "\n%s agent bob\n", hash_of(BOB));
		const char *path = write_bytes("tokens", text, n);
		assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:2: the line is longer than %d bytes", path, TOKENS_LINE_MAX);
		assert_string_equal(err, want);
		assert_int_equal(t.count, 0);
		assert_null(tokens_find(&t, ALICE));
	}
}

/* A NUL byte ended the line for the parser: what followed it was ignored. */
static void test_nul_byte_is_refused(void **state)
{
	(void)state;
	char text[512], err[256], want[256];
	struct token_table t;
	size_t n = (size_t)snprintf(text, sizeof(text), "# tokens\n%s agent alice", hash_of(ALICE));
	memcpy(text + n, "\0 admin\n", 9);
	n += 9;
	const char *path = write_bytes("tokens", text, n);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: a NUL byte in the line", path);
	assert_string_equal(err, want);
	assert_int_equal(t.count, 0);
}

/* 100,000 lines (the issue's figure) load in well under a second: the name
 * check compared each line with every line before it, 28 s at serve's
 * start. CPU time, not wall time, so a busy machine does not fail it. */
static void test_large_file_loads_in_linear_time(void **state)
{
	(void)state;
	enum { N = 100000 };
	static const char *const roles[] = { "agent", "compliance", "regulator", "admin" };
	char path[128], err[256], want[512];
	struct token_table t;
	snprintf(path, sizeof(path), "%s/big-tokens", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# %d tokens\n", N);
	for (int i = 0; i < N - 1; i++) /* distinct hashes: the line number in hex digits */
		fprintf(f, "sha256:%064d %s user%06d\n", i, roles[i % 4], i);
	fprintf(f, "%s admin alice\n", hash_of(ALICE));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);

	clock_t start = clock();
	err[0] = '\0';
	if (tokens_load(&t, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	double s = (double)(clock() - start) / CLOCKS_PER_SEC;
	assert_int_equal(t.count, N);
	const struct token_entry *e = tokens_find(&t, ALICE);
	assert_non_null(e);
	assert_string_equal(e->name, "alice");
	tokens_release(&t);
	if (s > 3.0)
		fail_msg("%d lines took %.1f s of CPU to load", N, s);

	/* a name again on the last line is still found, with its first line */
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "%s agent user012345\n", hash_of(BOB));
	assert_int_equal(fclose(f), 0);
	start = clock();
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	s = (double)(clock() - start) / CLOCKS_PER_SEC;
	snprintf(want, sizeof(want), "%s:%d: name \"user012345\" is used twice (also on line %d)", path, N + 2,
		 12345 + 2);
	assert_string_equal(err, want);
	assert_int_equal(t.count, 0);
	if (s > 3.0)
		fail_msg("%d lines with a repeated name took %.1f s of CPU to refuse", N + 1, s);
}

/* An agent's hash appended with role admin would make the agent admin. */
static void test_same_hash_twice_is_refused(void **state)
{
	(void)state;
	char text[2048], err[256], want[512];
	struct token_table t;
	snprintf(text, sizeof(text),
		 "# tokens\n"
		 "%s agent alice\n"
		 "%s compliance bob\n"
		 "\n"
		 "%s admin root2\n",
		 hash_of(ALICE), hash_of(BOB), hash_of(ALICE));
	const char *path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:5: the same hash as line 2 (a token has one role and one name)", path);
	assert_string_equal(err, want);
	assert_int_equal(t.count, 0);
	assert_null(tokens_find(&t, ALICE));

	/* a hash repeated before a name is named first, and the other way round */
	snprintf(text, sizeof(text), "%s agent amy\n%s agent bob\n%s agent cy\n%s agent bob\n", hash_of("t1"),
		 hash_of("t2"), hash_of("t1"), hash_of("t4"));
	path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: the same hash as line 1 (a token has one role and one name)", path);
	assert_string_equal(err, want);
	snprintf(text, sizeof(text), "%s agent amy\n%s agent bob\n%s agent amy\n%s agent cy\n", hash_of("t1"),
		 hash_of("t2"), hash_of("t3"), hash_of("t2"));
	path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: name \"amy\" is used twice (also on line 1)", path);
	assert_string_equal(err, want);

	/* token new does not add to such a file */
	char tok[TOKEN_LEN + 1], before[4096];
	snprintf(before, sizeof(before), "%s", read_all(path));
	assert_int_equal(tokens_new(path, ROLE_AGENT, "dan", tok, err, sizeof(err)), -1);
	assert_string_equal(read_all(path), before);
}

/* Problems are named in the order of the file, as a reader would meet them. */
static void test_first_problem_in_the_file_is_named(void **state)
{
	(void)state;
	char text[1024], err[256], want[512];
	struct token_table t;
	/* a name given twice on line 3, a bad line 4 */
	snprintf(text, sizeof(text), "# tokens\n%s agent alice\n%s admin alice\ngarbage\n", hash_of(ALICE),
		 hash_of(BOB));
	const char *path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: name \"alice\" is used twice (also on line 2)", path);
	assert_string_equal(err, want);
	/* a bad line 3 before a name given twice on line 4 */
	snprintf(text, sizeof(text), "# tokens\n%s agent alice\ngarbage\n%s admin alice\n", hash_of(ALICE),
		 hash_of(BOB));
	path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: expected \"sha256:HEX ROLE NAME\"", path);
	assert_string_equal(err, want);
	/* of two names given twice, the one repeated first (line 4, not 5) */
	snprintf(text, sizeof(text), "%s agent zed\n%s agent amy\n%s agent bob\n%s agent bob\n%s agent amy\n",
		 hash_of("t1"), hash_of("t2"), hash_of("t3"), hash_of("t4"), hash_of("t5"));
	path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:4: name \"bob\" is used twice (also on line 3)", path);
	assert_string_equal(err, want);
	/* a name three times: its second line, with its first */
	snprintf(text, sizeof(text), "%s agent amy\n%s agent bob\n%s agent amy\n%s agent amy\n", hash_of("t1"),
		 hash_of("t2"), hash_of("t3"), hash_of("t4"));
	path = write_file("tokens", text);
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: name \"amy\" is used twice (also on line 1)", path);
	assert_string_equal(err, want);
}

/* ---- roles and names ------------------------------------------------------- */

static void test_role_names_round_trip(void **state)
{
	(void)state;
	static const char *const names[ROLE_COUNT] = { "agent", "compliance", "regulator", "admin" };
	for (int r = 0; r < ROLE_COUNT; r++) {
		enum role back = ROLE_COUNT;
		assert_string_equal(role_name((enum role)r), names[r]);
		assert_int_equal(role_parse(names[r], &back), 0);
		assert_int_equal(back, r);
	}
	enum role out = ROLE_AGENT;
	assert_int_equal(role_parse("Agent", &out), -1);
	assert_int_equal(role_parse("agent ", &out), -1);
	assert_int_equal(role_parse("", &out), -1);
	assert_int_equal(role_parse("root", &out), -1);
	assert_int_equal(out, ROLE_AGENT); /* untouched on error */
	assert_string_equal(role_name(ROLE_COUNT), "?");
}

static void test_token_names(void **state)
{
	(void)state;
	char name[TOKEN_NAME_MAX + 2];
	assert_true(tokens_name_valid("a"));
	assert_true(tokens_name_valid("Agent_007.night-shift"));
	memset(name, 'x', TOKEN_NAME_MAX);
	name[TOKEN_NAME_MAX] = '\0';
	assert_true(tokens_name_valid(name));
	name[TOKEN_NAME_MAX] = 'x';
	name[TOKEN_NAME_MAX + 1] = '\0';
	assert_false(tokens_name_valid(name));
	assert_false(tokens_name_valid(""));
	assert_false(tokens_name_valid("a b"));
	assert_false(tokens_name_valid("a/b"));
	assert_false(tokens_name_valid("a:b"));
	assert_false(tokens_name_valid("\"a\""));
	assert_false(tokens_name_valid("a\nb"));
	assert_false(tokens_name_valid("\xc3\xa9"));
}

/* ---- token new --------------------------------------------------------------- */

static void expect_token_format(const char *tok)
{
	assert_int_equal(strlen(tok), TOKEN_LEN);
	assert_memory_equal(tok, "rgm_", 4);
	for (const char *p = tok + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			fail_msg("token %s: '%c' is not base64url", tok, *p);
}

static void test_token_new_appends_a_hash_line(void **state)
{
	(void)state;
	char path[128], tok1[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1], want[512], err[256];
	struct token_table t;
	struct stat sb;
	snprintf(path, sizeof(path), "%s/new-tokens", dir);
	mode_t old = umask(022);

	assert_int_equal(tokens_new(path, ROLE_COMPLIANCE, "alice", tok1, err, sizeof(err)), 0);
	expect_token_format(tok1);
	/* private: only hashes, but still nobody else's business */
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(want, sizeof(want),
		 "# rgmon API tokens: sha256:HASH ROLE NAME (only hashes; the tokens are not kept)\n"
		 "%s compliance alice\n",
		 hash_of(tok1));
	assert_string_equal(read_all(path), want);

	/* a second token is appended under the one header, and differs */
	assert_int_equal(tokens_new(path, ROLE_REGULATOR, "reg.1", tok2, err, sizeof(err)), 0);
	expect_token_format(tok2);
	assert_string_not_equal(tok1, tok2);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s regulator reg.1\n", hash_of(tok2));
	assert_string_equal(read_all(path), want);
	assert_null(strstr(read_all(path), tok1 + 4));

	/* what serve loads finds both */
	assert_int_equal(tokens_load(&t, path, err, sizeof(err)), 0);
	const struct token_entry *e = tokens_find(&t, tok1);
	assert_non_null(e);
	assert_int_equal(e->role, ROLE_COMPLIANCE);
	assert_string_equal(e->name, "alice");
	e = tokens_find(&t, tok2);
	assert_non_null(e);
	assert_int_equal(e->role, ROLE_REGULATOR);
	assert_string_equal(e->name, "reg.1");
	tokens_release(&t);
	umask(old);
}

static void test_token_new_refuses(void **state)
{
	(void)state;
	char path[128], tok[TOKEN_LEN + 1], err[256], before[4096], want[512];
	snprintf(path, sizeof(path), "%s/refuse-tokens", dir);
	assert_int_equal(tokens_new(path, ROLE_ADMIN, "alice", tok, err, sizeof(err)), 0);
	snprintf(before, sizeof(before), "%s", read_all(path));

	/* a name that has a token already, whatever the role */
	assert_int_equal(tokens_new(path, ROLE_AGENT, "alice", tok, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "\"alice\" already has a token in %s", path);
	assert_string_equal(err, want);
	assert_string_equal(read_all(path), before);

	/* a name that could not be loaded back */
	assert_int_equal(tokens_new(path, ROLE_AGENT, "al ice", tok, err, sizeof(err)), -1);
	assert_string_equal(err, "name \"al ice\" must be 1-64 of A-Z a-z 0-9 . _ -");
	assert_int_equal(tokens_new(path, ROLE_AGENT, "", tok, err, sizeof(err)), -1);
	assert_string_equal(read_all(path), before);

	/* a broken file is not appended to */
	const char *broken = write_file("broken-tokens", "sha256:abc admin x\n");
	assert_int_equal(tokens_new(broken, ROLE_AGENT, "bob", tok, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: the hash must be sha256: and 64 hex digits", broken);
	assert_string_equal(err, want);
	assert_string_equal(read_all(broken), "sha256:abc admin x\n");

	/* an invalid name creates no file */
	char fresh[128];
	snprintf(fresh, sizeof(fresh), "%s/never-made", dir);
	assert_int_equal(tokens_new(fresh, ROLE_AGENT, "a/b", tok, err, sizeof(err)), -1);
	assert_int_equal(access(fresh, F_OK), -1);
}

static void test_tokens_are_not_repeated(void **state)
{
	(void)state;
	char path[128], err[256], name[16];
	char seen[64][TOKEN_LEN + 1];
	snprintf(path, sizeof(path), "%s/many-tokens", dir);
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		assert_int_equal(tokens_new(path, ROLE_AGENT, name, seen[i], err, sizeof(err)), 0);
		expect_token_format(seen[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_tokens_map_to_role_and_name),
		cmocka_unit_test(test_unknown_tokens_are_not_found),
		cmocka_unit_test(test_lookup_compares_every_byte_of_the_hash),
		cmocka_unit_test(test_a_match_in_any_position_is_found),
		cmocka_unit_test(test_empty_files_hold_no_token),
		cmocka_unit_test(test_missing_file_is_an_error),
		cmocka_unit_test(test_writable_file_is_refused),
		cmocka_unit_test(test_malformed_line_is_named),
		cmocka_unit_test(test_longest_name_loads),
		cmocka_unit_test(test_long_lines_are_read_whole),
		cmocka_unit_test(test_overlong_line_is_named),
		cmocka_unit_test(test_nul_byte_is_refused),
		cmocka_unit_test(test_large_file_loads_in_linear_time),
		cmocka_unit_test(test_first_problem_in_the_file_is_named),
		cmocka_unit_test(test_same_hash_twice_is_refused),
		cmocka_unit_test(test_role_names_round_trip),
		cmocka_unit_test(test_token_names),
		cmocka_unit_test(test_token_new_appends_a_hash_line),
		cmocka_unit_test(test_token_new_refuses),
		cmocka_unit_test(test_tokens_are_not_repeated),
	};
	return cmocka_run_group_tests_name("tokens", tests, setup, teardown);
}
