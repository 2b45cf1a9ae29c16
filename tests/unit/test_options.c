/* test_options.c -- the option parser (options.c) on a table of every
 * kind, and every command's own table: its defaults parse, and its usage
 * and --help name each of its options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/cmd.h"
#include "rgmon/options.h"
#include "rgmon/sbuf.h"

struct t_args {
	const char *db, *policy, *file, *id, *status;
	bool quiet;
	long long days, seed, rate;
	struct opt_list props, topics;
	int64_t from_ms;
};

static const char *const t_topics[] = { "a", "b", NULL };

static const struct opt t_opts[] = {
	OPT_ARG("ID", struct t_args, id, "the player"),
	OPT_REQUIRED_STRING("db", "DB", struct t_args, db, "database"),
	OPT_STRING("policy", "FILE", struct t_args, policy, "default.json", "policy file"),
	OPT_FLAG("quiet", struct t_args, quiet, "say less"),
	OPT_INT("days", "D", struct t_args, days, 1, 3650, "30", "days of activity"),
	OPT_INT("dirt", "N", struct t_args, seed, 0, LLONG_MAX, NULL, "dirt"),
	OPT_INT("rate", "R", struct t_args, rate, 1, LLONG_MAX, NULL, "events per second"),
	OPT_CHOICE("status", "open|acknowledged|resolved", struct t_args, status, NULL, "only this status"),
	OPT_LIST('X', NULL, "prop=value", struct t_args, props, 3, NULL, "a property"),
	OPT_LIST(0, "topic", "T", struct t_args, topics, OPT_LIST_MAX, t_topics, "a topic"),
	CMD_OPT_TIME("from", struct t_args, from_ms, "2026-11-01T00:00:00Z", "start"),
	OPT_ARG("FILE", struct t_args, file, "the events"),
	OPT_END,
};

static char err[512];

/* The end of parse()'s words (NULL itself may be a plain 0 in varargs). */
#define END ((char *)NULL)

/* Parses the words, up to END, into a; returns the rc. */
static int parse(struct t_args *a, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	va_start(ap, a);
	for (char *w; (w = va_arg(ap, char *)) != NULL && argc < 64;)
		argv[argc++] = w;
	va_end(ap);
	memset(a, 0x5a, sizeof(*a)); /* the parser must set every destination */
	err[0] = '\0';
	return options_parse(t_opts, argc, argv, a, err, sizeof(err));
}

#define assert_err(rc, msg)                      \
	do {                                     \
		assert_int_equal((rc), -1);      \
		assert_string_equal(err, (msg)); \
	} while (0)

static void test_defaults_and_positionals(void **state)
{
	(void)state;
	struct t_args a;
	assert_int_equal(parse(&a, "p1", "--db", "x.db", "f.jsonl", END), 0);
	assert_string_equal(a.id, "p1");
	assert_string_equal(a.file, "f.jsonl");
	assert_string_equal(a.db, "x.db");
	assert_string_equal(a.policy, "default.json");
	assert_false(a.quiet);
	assert_int_equal(a.days, 30);
	assert_int_equal(a.seed, 0);
	assert_null(a.status);
	assert_int_equal(a.props.n, 0);
	assert_int_equal(a.topics.n, 2);
	assert_string_equal(a.topics.v[1], "b");
	assert_int_equal(a.from_ms, 1793491200000LL);

	/* Options anywhere, "--" ends them, "-" is an argument. */
	assert_int_equal(parse(&a, "--db=x.db", "-", "--quiet", "--", "--not-an-option", END), 0);
	assert_string_equal(a.id, "-");
	assert_string_equal(a.file, "--not-an-option");
	assert_true(a.quiet);

	assert_err(parse(&a, "p1", "--db", "x.db", "f", "g", END), "unexpected argument \"g\"");
	assert_err(parse(&a, "p1", "--db", "x.db", END), "FILE is required");
	assert_err(parse(&a, "p1", END), "--db and FILE are required");
	assert_err(parse(&a, END), "ID, --db and FILE are required");
}

static void test_flags(void **state)
{
	(void)state;
	struct t_args a;
	assert_int_equal(parse(&a, "--quiet", "i", "f", "--db", "d", END), 0);
	assert_true(a.quiet);
	assert_err(parse(&a, "--quiet=yes", "i", "f", "--db", "d", END), "--quiet takes no value");
}

static void test_integers(void **state)
{
	(void)state;
	struct t_args a;
	assert_int_equal(parse(&a, "i", "f", "--db", "d", "--days", "1", END), 0);
	assert_int_equal(a.days, 1);
	assert_int_equal(parse(&a, "i", "f", "--db", "d", "--days=3650", "--dirt", "9223372036854775807", END), 0);
	assert_int_equal(a.days, 3650);
	assert_int_equal(a.seed, LLONG_MAX);
	assert_err(parse(&a, "i", "f", "--db", "d", "--days", "0", END), "--days must be 1..3650");
	assert_err(parse(&a, "i", "f", "--db", "d", "--days", "3651", END), "--days must be 1..3650");
	assert_err(parse(&a, "i", "f", "--db", "d", "--days", "7x", END), "--days must be 1..3650");
	assert_err(parse(&a, "i", "f", "--db", "d", "--days", "", END), "--days must be 1..3650");
	assert_err(parse(&a, "i", "f", "--db", "d", "--dirt", "-1", END), "--dirt must be a non-negative integer");
	assert_err(parse(&a, "i", "f", "--db", "d", "--dirt", "9223372036854775808", END),
		   "--dirt must be a non-negative integer");
	assert_err(parse(&a, "i", "f", "--db", "d", "--rate", "0", END), "--rate must be a positive integer");
}

static void test_repeatable(void **state)
{
	(void)state;
	struct t_args a;
	assert_int_equal(parse(&a, "i", "f", "--db", "d", "-X", "a=1", "-Xb=2", "--topic", "t", END), 0);
	assert_int_equal(a.props.n, 2);
	assert_string_equal(a.props.v[0], "a=1");
	assert_string_equal(a.props.v[1], "b=2");
	assert_int_equal(a.topics.n, 1); /* given: the default is replaced, not added to */
	assert_string_equal(a.topics.v[0], "t");
	assert_err(parse(&a, "i", "f", "--db", "d", "-X", "a", "-X", "b", "-X", "c", "-X", "d", END), "at most 3 -X");
}

static void test_choice_and_parsed(void **state)
{
	(void)state;
	struct t_args a;
	assert_int_equal(
		parse(&a, "i", "f", "--db", "d", "--status", "resolved", "--from", "1970-01-01T00:00:01Z", END), 0);
	assert_string_equal(a.status, "resolved");
	assert_int_equal(a.from_ms, 1000);
	assert_err(parse(&a, "i", "f", "--db", "d", "--status", "open|acknowledged", END),
		   "--status must be open, acknowledged or resolved");
	assert_err(parse(&a, "i", "f", "--db", "d", "--from", "yesterday", END),
		   "--from must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
}

static void test_unknown_and_missing_value(void **state)
{
	(void)state;
	struct t_args a;
	assert_err(parse(&a, "i", "f", "--db", "d", "--bogus", END), "unknown option \"--bogus\"");
	assert_err(parse(&a, "i", "f", "--db", "d", "--bogus=1", END), "unknown option \"--bogus\"");
	assert_err(parse(&a, "i", "f", "--db", "d", "-q", END), "unknown option \"-q\"");
	assert_err(parse(&a, "i", "f", "--db", END), "--db needs a value");
	assert_err(parse(&a, "i", "f", "--db", "d", "-X", END), "-X needs a value");
	assert_err(parse(&a, "i", "f", "--db", "d", "--=x", END), "unknown option \"--\"");
	/* A value is taken as it is, even when it looks like an option. */
	assert_int_equal(parse(&a, "i", "f", "--db", "--quiet", END), 0);
	assert_string_equal(a.db, "--quiet");
	assert_false(a.quiet);
}

static void test_abbreviations(void **state)
{
	(void)state;
	struct t_args a;
	assert_int_equal(parse(&a, "i", "f", "--d", "x", END), -1); /* --db, --days, --dirt */
	assert_string_equal(err, "ambiguous option \"--d\" (--db, --days, --dirt)");
	assert_int_equal(parse(&a, "i", "f", "--db", "x", "--da", "5", "--q", "--pol=p", END), 0);
	assert_int_equal(a.days, 5);
	assert_true(a.quiet);
	assert_string_equal(a.policy, "p");
}

static bool has(const char *text, const char *word)
{
	if (!strstr(text, word))
		fail_msg("\"%s\" not in:\n%s", word, text);
	return true;
}

/* No line longer than OPTIONS_WIDTH. */
static void assert_wrapped(const char *text)
{
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (len > OPTIONS_WIDTH)
			fail_msg("line of %zu characters: %.*s", len, (int)len, line);
		line += len + (line[len] == '\n');
	}
}

static void test_generated_usage_and_help(void **state)
{
	(void)state;
	struct sbuf usage, help;
	sbuf_init(&usage);
	sbuf_init(&help);
	options_usage(t_opts, &usage, 0, 4);
	options_help(t_opts, &help);
	assert_false(usage.oom || help.oom);
	has(usage.buf, "ID --db DB [--policy FILE] [--quiet] [--days D]");
	has(usage.buf, "[--status open|acknowledged|resolved]");
	has(usage.buf, "[-X prop=value]... [--topic T]...");
	has(usage.buf, "[--from T] FILE");
	has(help.buf, "  --days D");
	has(help.buf, "days of activity (default 30)");
	has(help.buf, "a topic (default a, b)");
	has(help.buf, "start (default 2026-11-01T00:00:00Z)");
	assert_null(strstr(help.buf, "dirt (default"));
	assert_wrapped(usage.buf);
	assert_wrapped(help.buf);
	sbuf_release(&usage);
	sbuf_release(&help);
}

/* Every command: its defaults parse, and usage and --help name every
 * option and argument in its table. */
struct r_args {
	bool quiet;
	struct opt_list files;
};

static const struct opt r_opts[] = {
	OPT_FLAG("quiet", struct r_args, quiet, "say less"),
	OPT_ARGS("FILE|DIR", struct r_args, files, 3, "the packs"),
	OPT_END,
};

/* ARGS takes every positional argument, at least one and at most its max. */
static void test_rest_of_arguments(void **state)
{
	(void)state;
	struct r_args a;
	char *three[] = { "a.json", "--quiet", "b.json", "dir/" };
	assert_int_equal(options_parse(r_opts, 4, three, &a, err, sizeof(err)), 0);
	assert_int_equal(a.files.n, 3);
	assert_string_equal(a.files.v[0], "a.json");
	assert_string_equal(a.files.v[2], "dir/");
	assert_true(a.quiet);
	assert_int_equal(options_parse(r_opts, 0, NULL, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "FILE|DIR is required");
	char *four[] = { "a", "b", "c", "d" };
	assert_int_equal(options_parse(r_opts, 4, four, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "at most 3 FILE|DIR");
	struct sbuf sb;
	sbuf_init(&sb);
	options_usage(r_opts, &sb, 0, 0);
	assert_string_equal(sb.buf, "[--quiet] FILE|DIR...");
	sbuf_release(&sb);
}

static void test_every_command(void **state)
{
	(void)state;
	const struct cmd_entry *const all[] = {
		&cmd_serve_entry,         &cmd_broker_entry,        &cmd_replay_entry,      &cmd_simulate_entry,
		&cmd_stats_entry,         &cmd_rejected_entry,      &cmd_player_show_entry, &cmd_alerts_list_entry,
		&cmd_policy_check_entry,  &cmd_token_new_entry,     &cmd_keygen_entry,      &cmd_audit_export_entry,
		&cmd_audit_verify_entry,  &cmd_audit_explain_entry,
	};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		const struct cmd_entry *c = all[i];
		struct sbuf usage, help;
		static _Alignas(max_align_t) unsigned char args[4096]; /* room for any command's struct */
		char name[64];
		sbuf_init(&usage);
		sbuf_init(&help);
		cmd_usage(c, &usage, 7);
		options_help(c->opts, &help);
		assert_non_null(c->about);
		for (const struct opt *o = c->opts; o->kind != OPT_KIND_END; o++) {
			assert_non_null(o->help);
			if (o->long_name)
				snprintf(name, sizeof(name), "--%s", o->long_name);
			else if (o->short_name)
				snprintf(name, sizeof(name), "-%c", o->short_name);
			else
				rg_strlcpy(name, o->metavar, sizeof(name));
			has(usage.buf, name);
			has(help.buf, name);
		}
		assert_wrapped(usage.buf);
		assert_wrapped(help.buf);
		/* With no arguments only required ones may be missing. */
		if (options_parse(c->opts, 0, NULL, args, err, sizeof(err)) < 0 && !strstr(err, "required"))
			fail_msg("rgmon %s: its defaults do not parse: %s", c->name, err);
		sbuf_release(&usage);
		sbuf_release(&help);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_positionals),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_repeatable),
		cmocka_unit_test(test_choice_and_parsed),
		cmocka_unit_test(test_unknown_and_missing_value),
		cmocka_unit_test(test_abbreviations),
		cmocka_unit_test(test_generated_usage_and_help),
		cmocka_unit_test(test_rest_of_arguments),
		cmocka_unit_test(test_every_command),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
