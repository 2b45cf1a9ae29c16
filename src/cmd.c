/* cmd.c -- helpers every command uses: option parsing, usage errors,
 * help, signals. */
#include "rgmon/cmd.h"
#include "rgmon/audit.h"
#include "rgmon/clock.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/sbuf.h"
#include "rgmon/store.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* One line, as every error: what is wrong, and where the usage is. */
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "rgmon: %s: %s (see rgmon %s --help)\n", cmd->name, msg, cmd->name);
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

/* The first SIGINT/SIGTERM asks for a clean stop; a second one ends the
 * process at once. That is safe: every batch commits atomically with its
 * offsets, as the kill -9 tests show, so an impatient second Ctrl-C (or a
 * supervisor's repeated SIGTERM) loses nothing. */
static void on_stop_signal(int sig)
{
	static const char msg[] = "rgmon: second stop signal, exiting now\n";
	if (stop_requested) {
		ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(128 + sig);
	}
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

/* Stores one pack (meta 'policy' names the last one stored) and the
 * audit record of its loading. */
static int store_pack(struct store *st, const struct policy *pol, const char *text, char *err, size_t errlen)
{
	if (store_policy_use(st, pol->id, pol->name, text, err, errlen) < 0)
		return -1;
	return audit_append(st, clock_now_ms(), AUDIT_POLICY_LOADED, NULL,
			    json_pack("{s:s, s:s, s:s, s:s}", "policy", pol->id, "name", pol->name, "jurisdiction",
				      pol->jurisdiction, "time_zone", pol->tz_name),
			    err, errlen);
}

int cmd_use_policies(const struct opt_list *files, const char *dir, struct store *st, struct policy_set *set,
		     char *err, size_t errlen)
{
	const char *paths[OPT_LIST_MAX + 1];
	int n = 0;
	for (int i = 0; i < files->n; i++)
		paths[n++] = files->v[i];
	if (dir)
		paths[n++] = dir;
	if (policy_set_load(set, paths, n, true, err, errlen) < 0)
		return -1;
	/* The packs, the set and the audit records of their loading commit
	 * together. The fallback is stored last, so meta 'policy' names it
	 * for readers that know one policy only. */
	struct sbuf ids;
	sbuf_init(&ids);
	int rc = store_begin(st, err, errlen);
	for (int i = 0; rc == 0 && i < set->n; i++)
		if (i != set->fallback) {
			rc = store_pack(st, set->packs[i], set->texts[i], err, errlen);
			sbuf_printf(&ids, "%s ", set->packs[i]->id);
		}
	if (rc == 0)
		rc = store_pack(st, set->packs[set->fallback], set->texts[set->fallback], err, errlen);
	sbuf_printf(&ids, "%s", set->packs[set->fallback]->id);
	if (rc == 0 && !ids.buf)
		rc = seterr(err, errlen, "out of memory");
	if (rc == 0)
		rc = store_meta_set(st, "policy_set", ids.buf, err, errlen);
	if (rc == 0)
		rc = store_commit(st, err, errlen);
	if (rc < 0)
		store_rollback(st);
	sbuf_release(&ids);
	if (rc < 0)
		policy_set_release(set);
	return rc;
}

/* Adds the stored pack policy_id to set. */
static int read_stored_pack(struct store *st, const char *policy_id, struct policy_set *set, char *err,
			    size_t errlen)
{
	char *text = NULL, inner[512];
	struct policy *pol = malloc(sizeof(*pol));
	int found = pol ? store_policy_text(st, policy_id, &text, err, errlen) : seterr(err, errlen, "out of memory");
	if (found == 0)
		seterr(err, errlen, "the database's policy %s: not stored", policy_id);
	if (found <= 0) {
		free(pol);
		return -1;
	}
	if (policy_load_json(pol, text, strlen(text), inner, sizeof(inner)) < 0) {
		seterr(err, errlen, "the database's policy %s: %s", policy_id, inner);
		free(pol);
		free(text);
		return -1;
	}
	return policy_set_add(set, pol, text, policy_id, err, errlen);
}

int cmd_read_policies(const struct opt_list *files, const char *dir, struct store *st, struct policy_set *set,
		      char *err, size_t errlen)
{
	char ids[POLICY_SET_MAX * (POLICY_ID_MAX + 1) + 1] = "";
	const char *paths[OPT_LIST_MAX + 1];
	int n = 0;
	for (int i = 0; files && i < files->n; i++)
		paths[n++] = files->v[i];
	if (dir)
		paths[n++] = dir;
	if (n)
		return policy_set_load(set, paths, n, false, err, errlen);
	policy_set_init(set);
	/* The set the data was made with; a database from before sets names
	 * one policy; a database without either was never run. */
	if (store_meta_get(st, "policy_set", ids, sizeof(ids), err, errlen) < 0)
		return -1;
	if (!ids[0] && store_meta_get(st, "policy", ids, sizeof(ids), err, errlen) < 0)
		return -1;
	if (!ids[0])
		return policy_set_load(set, NULL, 0, false, err, errlen);
	for (char *id = ids, *end; *id; id = end) {
		end = id + strcspn(id, " ");
		if (*end)
			*end++ = '\0';
		if (read_stored_pack(st, id, set, err, errlen) < 0)
			goto fail;
	}
	if (policy_set_finish(set) < 0) {
		seterr(err, errlen, "the database's policy set has no fallback pack");
		goto fail;
	}
	return 0;
fail:
	policy_set_release(set);
	return -1;
}
