/* cmd.h -- the command table: one entry per `rgmon` command, each in its
 * own src/cmd_*.c. Handlers receive argv starting at the command's first
 * argument after its name and return the exit status: 0 success,
 * 1 runtime failure, 2 usage error. */
#ifndef RGMON_CMD_H
#define RGMON_CMD_H

#include "rgmon/common.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct cmd_entry {
	const char *name;  /* "replay", or two words: "player show" */
	const char *usage; /* one line after "rgmon " */
	const char *help;  /* the rest of --help: what it does, each option */
	int (*run)(const struct cmd_entry *cmd, int argc, char **argv);
};

/* Prints "rgmon: <msg>" and the usage line to stderr; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...) RG_PRINTF(2, 3);
/* Prints the full --help text to stdout; returns 0. */
int cmd_print_help(const struct cmd_entry *cmd);
/* Prints "rgmon: <msg>" to stderr; returns EXIT_RUNTIME. */
int cmd_fail(const char *fmt, ...) RG_PRINTF(1, 2);

/* Parses a decimal integer in [min, max]; -1 when it is not one. */
int cmd_parse_int(const char *s, long long min, long long max, long long *out);

/* Installs SIGINT/SIGTERM handlers that set the flag cmd_stop_requested()
 * reads (for commands that run until stopped). */
void cmd_handle_stop_signals(void);
bool cmd_stop_requested(void);

/* Sleeps ms milliseconds (returns early on a signal). */
void cmd_sleep_ms(int ms);

struct policy;
struct store;
/* Loads --policy FILE (or the built-in policy when path is NULL) and
 * records it in the store as the policy in use. */
int cmd_use_policy(const char *path, struct store *st, struct policy *pol, char *err, size_t errlen);
/* The policy a database was last run with (for reading commands), or the
 * built-in one for a database that has none; --policy FILE overrides. */
int cmd_read_policy(const char *path, struct store *st, struct policy *pol, char *err, size_t errlen);

int cmd_replay(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_stats(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_broker(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_serve(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_simulate(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_rejected(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_player_show(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_alerts_list(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_policy_check(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_token_new(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_keygen(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_audit_export(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_audit_verify(const struct cmd_entry *cmd, int argc, char **argv);
int cmd_audit_explain(const struct cmd_entry *cmd, int argc, char **argv);

#endif
