/* cmd.h -- the commands: one `const struct cmd_entry` per `rgmon` command,
 * each in its own src/cmd_*.c beside the table of its options (options.h),
 * listed in main.c. Handlers receive argv from the command's last name word
 * on (argv[0] is "replay", or "show" for "player show"), parse it with
 * cmd_parse() and return the exit status: 0 success, 1 runtime failure,
 * 2 usage error. */
#ifndef RGMON_CMD_H
#define RGMON_CMD_H

#include "rgmon/common.h"
#include "rgmon/options.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct cmd_entry {
	const char *name;       /* "replay", or two words: "player show" */
	const struct opt *opts; /* options and positional arguments, in usage order */
	const char *about;      /* --help: what it does, before the options */
	const char *notes;      /* --help after the options, or NULL */
	int (*run)(const struct cmd_entry *cmd, int argc, char **argv);
};

/* Fills args (the struct cmd->opts describes) from argv; on a usage error
 * prints it as cmd_usage_error() does. Returns 0 or EXIT_USAGE. */
int cmd_parse(const struct cmd_entry *cmd, int argc, char **argv, void *args);
/* Appends "rgmon NAME USAGE" to sb, the usage generated from cmd->opts;
 * col is the column "rgmon" starts at, so wrapped lines line up under
 * the first option. */
void cmd_usage(const struct cmd_entry *cmd, struct sbuf *sb, size_t col);
/* Prints "rgmon: <msg>" and the usage to stderr; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...) RG_PRINTF(2, 3);
/* Prints the full --help text to stdout; returns 0. */
int cmd_print_help(const struct cmd_entry *cmd);
/* Prints "rgmon: <msg>" to stderr; returns EXIT_RUNTIME. */
int cmd_fail(const char *fmt, ...) RG_PRINTF(1, 2);

/* Parses a decimal integer in [min, max]; -1 when it is not one. */
int cmd_parse_int(const char *s, long long min, long long max, long long *out);

/* An option whose value is an RFC 3339 time, into an int64_t member
 * (milliseconds since the epoch). */
int cmd_opt_time(const char *value, void *dest);
#define CMD_TIME_MUST "an RFC 3339 time, e.g. 2026-11-01T00:00:00Z"
#define CMD_OPT_TIME(l, T, m, d, h) OPT_PARSED(l, "T", T, m, cmd_opt_time, CMD_TIME_MUST, d, h)
#define CMD_OPT_REQUIRED_TIME(l, T, m, h) OPT_REQUIRED_PARSED(l, "T", T, m, cmd_opt_time, CMD_TIME_MUST, h)

/* Installs SIGINT/SIGTERM handlers that set the flag cmd_stop_requested()
 * reads (for commands that run until stopped). */
void cmd_handle_stop_signals(void);
bool cmd_stop_requested(void);

/* Sleeps ms milliseconds (returns early on a signal). */
void cmd_sleep_ms(int ms);

struct policy_set;
struct store;
/* Loads the packs of --policy FILE... and --policies DIR (the built-in
 * policy alone when neither is given) into set and records them in the
 * store as the set in use, each pack with its text and an audit record
 * of its loading. On failure set is empty. */
int cmd_use_policies(const struct opt_list *files, const char *dir, struct store *st, struct policy_set *set,
		     char *err, size_t errlen);
/* The set a database was last run with (for reading commands), or the
 * built-in policy for a database that has none; --policy FILE... and
 * --policies DIR override (files may be NULL). */
int cmd_read_policies(const struct opt_list *files, const char *dir, struct store *st, struct policy_set *set,
		      char *err, size_t errlen);

/* The --policy/--policies rows every command that scores takes. */
#define CMD_OPT_POLICIES(T, files, dir, what)                                                                    \
	OPT_LIST(0, "policy", "FILE", T, files, POLICY_SET_MAX, NULL,                                            \
		 what " (a pack; repeat for more; default: the built-in policies/default.json)"),                \
	OPT_STRING("policies", "DIR", T, dir, NULL, "every *.json pack in DIR, in name order")

extern const struct cmd_entry cmd_serve_entry, cmd_broker_entry, cmd_replay_entry, cmd_simulate_entry,
	cmd_stats_entry, cmd_rejected_entry, cmd_player_show_entry, cmd_alerts_list_entry, cmd_policy_check_entry,
	cmd_token_new_entry, cmd_keygen_entry, cmd_audit_export_entry, cmd_audit_verify_entry, cmd_audit_explain_entry;
extern const struct cmd_entry cmd_evaluate_entry;
extern const struct cmd_entry cmd_events_export_entry;


#endif
