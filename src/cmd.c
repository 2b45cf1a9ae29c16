/* cmd.c -- helpers every command uses: option parsing, usage errors,
 * help, signals. */
#include "rgmon/cmd.h"
#include "rgmon/audit.h"
#include "rgmon/clock.h"
#include "rgmon/policy.h"
#include "rgmon/sbuf.h"
#include "rgmon/store.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_parse(const struct cmd_entry *cmd, int argc, char **argv, void *args)
{
	char err[512];
	if (options_parse(cmd->opts, argc - 1, argv + 1, args, err, sizeof(err)) < 0)
		return cmd_usage_error(cmd, "%s", err);
	return 0;
}

void cmd_usage(const struct cmd_entry *cmd, struct sbuf *sb, size_t col)
{
	sbuf_printf(sb, "rgmon %s", cmd->name);
	size_t at = col + strlen("rgmon ") + strlen(cmd->name);
	sbuf_append(sb, " ", 1);
	options_usage(cmd->opts, sb, at + 1, at + 1);
}

int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	char msg[512];
	struct sbuf usage;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sbuf_init(&usage);
	cmd_usage(cmd, &usage, strlen("usage: "));
	fprintf(stderr, "rgmon: %s\nusage: %s\n", msg, usage.buf ? usage.buf : cmd->name);
	sbuf_release(&usage);
	return EXIT_USAGE;
}

int cmd_print_help(const struct cmd_entry *cmd)
{
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_append(&sb, "usage: ", strlen("usage: "));
	cmd_usage(cmd, &sb, strlen("usage: "));
	sbuf_printf(&sb, "\n\n%s\n", cmd->about);
	options_help(cmd->opts, &sb);
	if (cmd->notes)
		sbuf_printf(&sb, "\n%s", cmd->notes);
	fputs(sb.buf ? sb.buf : "", stdout);
	sbuf_release(&sb);
	return 0;
}

int cmd_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "rgmon: %s\n", msg);
	return EXIT_RUNTIME;
}

int cmd_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_opt_time(const char *value, void *dest) { return ts_parse_rfc3339(value, dest); }

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void cmd_handle_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool cmd_stop_requested(void) { return stop_requested != 0; }

void cmd_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int cmd_use_policy(const char *path, struct store *st, struct policy *pol, char *err, size_t errlen)
{
	char *text = NULL;
	if (policy_load(pol, path, &text, err, errlen) < 0)
		return -1;
	/* The policy and the audit record of its loading commit together. */
	int rc = store_begin(st, err, errlen);
	if (rc == 0)
		rc = store_policy_use(st, pol->id, pol->name, text, err, errlen);
	if (rc == 0)
		rc = audit_append(st, clock_now_ms(), "policy_loaded", NULL,
				  json_pack("{s:s, s:s, s:s, s:s}", "policy", pol->id, "name", pol->name, "jurisdiction",
					    pol->jurisdiction, "time_zone", pol->tz_name),
				  err, errlen);
	if (rc == 0)
		rc = store_commit(st, err, errlen);
	if (rc < 0)
		store_rollback(st);
	free(text);
	return rc;
}

int cmd_read_policy(const char *path, struct store *st, struct policy *pol, char *err, size_t errlen)
{
	char *text = NULL, inner[512];
	if (path)
		return policy_load(pol, path, NULL, err, errlen);
	int found = store_policy_current(st, &text, err, errlen);
	if (found <= 0)
		return found < 0 ? -1 : policy_load(pol, NULL, NULL, err, errlen);
	int rc = policy_load_json(pol, text, strlen(text), inner, sizeof(inner));
	if (rc < 0)
		seterr(err, errlen, "the database's policy: %s", inner);
	free(text);
	return rc;
}
