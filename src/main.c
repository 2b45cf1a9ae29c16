/* main.c -- `rgmon COMMAND ...`: finds the command in the table and runs
 * it. Each command lives in its own src/cmd_*.c with its options table,
 * from which its usage and --help are made. */
#include "rgmon/cmd.h"
#include "rgmon/sbuf.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_entry *const commands[] = {
	&cmd_serve_entry,
	&cmd_broker_entry,
	&cmd_replay_entry,
	&cmd_evaluate_entry,
	&cmd_simulate_entry,
	&cmd_stats_entry,
	&cmd_rejected_entry,
	&cmd_events_export_entry,
	&cmd_player_show_entry,
	&cmd_alerts_list_entry,
	&cmd_policy_check_entry,
	&cmd_token_new_entry,
	&cmd_keygen_entry,
	&cmd_audit_export_entry,
	&cmd_audit_verify_entry,
	&cmd_audit_explain_entry,
};

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Whether the command's first name word is word ("audit" for "audit export"). */
static bool first_word_is(const struct cmd_entry *c, const char *word)
{
	size_t n = strcspn(c->name, " ");
	return strlen(word) == n && strncmp(c->name, word, n) == 0;
}

/* The usage of every command whose first word is word (all when NULL):
 * "usage: rgmon ...", then "   or: rgmon ..." (or prefix on each line). */
static void put_usages(struct sbuf *sb, const char *word, const char *first, const char *next)
{
	const char *prefix = first;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (word && !first_word_is(commands[i], word))
			continue;
		sbuf_printf(sb, "%s", prefix);
		cmd_usage(commands[i], sb, strlen(prefix));
		sbuf_append(sb, "\n", 1);
		prefix = next;
	}
}

static void print_overview(FILE *f)
{
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_printf(&sb, "rgmon %s -- responsible-gambling risk monitor\n\nusage:\n", RGMON_VERSION);
	put_usages(&sb, NULL, "  ", "  ");
	sbuf_printf(&sb, "\nEvery command takes --help. Exit status: 0 success, 1 runtime failure, 2 usage error.\n");
	fputs(sb.buf ? sb.buf : "", f);
	sbuf_release(&sb);
}

/* `rgmon audit`, `rgmon audit --help`, `rgmon audit nonsense`: the first
 * word of two-word commands without a known second word. --help shows the
 * one command's help, or the usage of each with a pointer to theirs. */
static int group_usage(const struct cmd_entry *only, int count, int argc, char **argv)
{
	struct sbuf sb;
	bool help = argc >= 3 && is_help(argv[2]);
	if (help && count == 1)
		return cmd_print_help(only);
	sbuf_init(&sb);
	put_usages(&sb, argv[1], "usage: ", "   or: ");
	if (help)
		printf("%s\n`rgmon %s SUBCOMMAND --help` describes each, with its options.\n", sb.buf, argv[1]);
	else if (argc < 3)
		fprintf(stderr, "rgmon: \"%s\" needs a subcommand\n%s", argv[1], sb.buf);
	else
		fprintf(stderr, "rgmon: unknown command \"%s %s\"\n%s", argv[1], argv[2], sb.buf);
	sbuf_release(&sb);
	return help ? 0 : EXIT_USAGE;
}

/* Runs the command argv[1] (and argv[2]) names; --help anywhere before
 * "--" shows its help instead. */
static int dispatch(int argc, char **argv)
{
	const struct cmd_entry *group = NULL;
	int in_group = 0;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct cmd_entry *c = commands[i];
		const char *second = strchr(c->name, ' ');
		if (!first_word_is(c, argv[1]))
			continue;
		if (second && (argc < 3 || strcmp(argv[2], second + 1) != 0)) {
			group = c;
			in_group++;
			continue;
		}
		int words = second ? 2 : 1;
		for (int a = words + 1; a < argc && strcmp(argv[a], "--") != 0; a++)
			if (is_help(argv[a]))
				return cmd_print_help(c);
		return c->run(c, argc - words, argv + words);
	}
	if (group)
		return group_usage(group, in_group, argc, argv);
	fprintf(stderr, "rgmon: unknown command \"%s\" (see rgmon --help)\n", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		print_overview(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("rgmon %s\n", RGMON_VERSION);
		return 0;
	}
	return dispatch(argc, argv);
}
