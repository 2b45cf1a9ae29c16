/* cmd_replay.c -- `rgmon replay`: a JSONL file through the same ingest
 * pipeline as serve, one batch until ingest_batch_full(). */
#include "rgmon/clock.h"
#include "rgmon/cmd.h"
#include "rgmon/ingest.h"
#include "rgmon/log.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/source_file.h"
#include "rgmon/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int cmd_replay(const struct cmd_entry *cmd, int argc, char **argv);

struct replay_args {
	const char *db, *policies, *file;
	struct opt_list policy;
	long long max_ahead_hours;
	bool quiet;
};

static const struct opt replay_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct replay_args, db, "SQLite database (created if missing)"),
	CMD_OPT_POLICIES(struct replay_args, policy, policies, "risk policy"),
	OPT_INT("max-ahead-hours", "H", struct replay_args, max_ahead_hours, 1, 8760,
		OPT_STR(INGEST_MAX_AHEAD_HOURS_REPLAY),
		"reject an event dated more than H hours after both the newest accepted one and the clock"),
	OPT_FLAG("quiet", struct replay_args, quiet, "do not list rejected lines on stderr"),
	OPT_ARG("FILE.jsonl|-", struct replay_args, file, "the events, one JSON object a line; - reads stdin"),
	OPT_END,
};

const struct cmd_entry cmd_replay_entry = {
	"replay", replay_opts,
	"Run a JSONL event file (or stdin for -) through the same engine and store\n"
	"as serve, deterministically, and print one JSON summary line:\n"
	"  {\"events\":N,\"accepted\":N,\"duplicates\":N,\"rejected\":N,\"alerts\":N,\n"
	"   \"duplicate_conflicts\":N}\n"
	"A duplicate repeats an event_id with the same payload; a duplicate conflict\n"
	"repeats it with a different one. Neither is applied. Each rejected line and\n"
	"each duplicate conflict is reported on stderr (\"rejected\" or \"conflict\"\n"
	"FILE:LINE: reason) and kept in the database. Blank lines are skipped. A progress bar is shown on a\n"
	"terminal.\n",
	"Each player is scored by the pack that lists their account country, and\n"
	"by the fallback pack (the one without \"countries\"; the built-in policy if\n"
	"none was given) until an account event names a country. One pack given\n"
	"alone scores every player.\n"
	"A database a serve (or another replay) is writing is refused, naming it,\n"
	"and so is one whose dedupe index is damaged.\n",
	cmd_replay,
};

/* A one-line progress bar on a terminal, redrawn at most 4 times a second. */
static void progress(const struct source_file *sf, int64_t events, double started, double *last, bool done)
{
	int64_t bytes, total;
	double t = clock_mono_seconds();
	if (!done && t - *last < 0.25)
		return;
	*last = t;
	source_file_progress(sf, &bytes, &total);
	double rate = events / (t - started > 1e-6 ? t - started : 1e-6);
	if (total > 0) {
		int width = 30, filled = (int)(width * (double)bytes / (double)total);
		char bar[31];
		memset(bar, '#', (size_t)filled);
		memset(bar + filled, ' ', (size_t)(width - filled));
		bar[width] = '\0';
		fprintf(stderr, "\r[%s] %3d%% %lld events %.0f/s", bar, (int)(100.0 * (double)bytes / (double)total),
			(long long)events, rate);
	} else {
		fprintf(stderr, "\r%lld events %.0f/s", (long long)events, rate);
	}
	if (done)
		fputc('\n', stderr);
}

/* Every line of sf through the pipeline, a commit whenever the batch is full. */
static int replay_lines(struct source_file *sf, struct ingest *ig, bool quiet, char *err, size_t errlen)
{
	bool tty = isatty(STDERR_FILENO) && !quiet;
	double started = clock_mono_seconds(), last = 0;
	int64_t events = 0, lineno;
	char reason[512];
	const char *line;
	size_t len;
	int more;
	while ((more = source_file_next(sf, &line, &len, &lineno, err, errlen)) == 1) {
		struct store_source src = { .topic = NULL, .partition = -1, .offset = lineno,
					    .file = source_file_name(sf) };
		enum ingest_outcome outcome;
		if (ingest_message(ig, &src, line, len, &outcome, reason, sizeof(reason), err, errlen) < 0)
			return -1;
		if ((outcome == INGEST_REJECTED || outcome == INGEST_DUPLICATE_CONFLICT) && !quiet) {
			if (tty)
				fputs("\r\033[K", stderr);
			fprintf(stderr, "rgmon: %s %s:%lld: %s\n", outcome == INGEST_REJECTED ? "rejected" : "conflict",
				src.file, (long long)lineno, reason);
		}
		events++;
		if (ingest_batch_full(ig) && ingest_commit(ig, err, errlen) < 0)
			return -1;
		if (tty && (events & 1023) == 0)
			progress(sf, events, started, &last, false);
	}
	if (more < 0 || ingest_commit(ig, err, errlen) < 0)
		return -1;
	if (tty)
		progress(sf, events, started, &last, true);
	return 0;
}

static int cmd_replay(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct replay_args a = { 0 };
	struct policy_set *set = NULL;
	char err[512];
	struct store_lock *lock = NULL;
	struct store *st = NULL;
	struct store_checkpointer *checkpointer = NULL;
	struct ingest *ig = NULL;
	struct source_file *sf = NULL;
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;

	/* One writer per database; a corrupt store is not replayed into. */
	if (!(sf = source_file_open(a.file, err, sizeof(err))) ||
	    !(lock = store_lock_take(a.db, "replay", err, sizeof(err))) || !(st = store_open(a.db, err, sizeof(err))) ||
	    store_check(st, false, err, sizeof(err)) < 0 ||
	    !(checkpointer = store_checkpointer_start(st, a.db, err, sizeof(err))))
		goto fail;
	if (!(set = malloc(sizeof(*set)))) {
		seterr(err, sizeof(err), "out of memory");
		goto fail;
	}
	policy_set_init(set);
	if (cmd_use_policies(&a.policy, a.policies, st, set, err, sizeof(err)) < 0)
		goto fail;
	/* Bounded by the later of the stream's time and the clock, as serve
	 * is: history (all of it in the past) replays the same on any day,
	 * however long it was quiet, and nothing is accepted from further
	 * than the tolerance into the future of the machine replaying it. */
	struct ingest_config cfg = { .cache_players = INGEST_CACHE_DEFAULT, .policies = set,
				     .ahead_of_wall_clock = true, .cap_prune_at_wall_clock = true,
				     .max_ahead_hours = a.max_ahead_hours };
	if (!(ig = ingest_new(st, &cfg, err, sizeof(err))) || replay_lines(sf, ig, a.quiet, err, sizeof(err)) < 0)
		goto fail;

	struct store_counters t;
	ingest_totals(ig, &t);
	printf("{\"events\":%lld,\"accepted\":%lld,\"duplicates\":%lld,\"rejected\":%lld,\"alerts\":%lld,"
	       "\"duplicate_conflicts\":%lld}\n",
	       (long long)t.events, (long long)t.accepted, (long long)t.duplicates, (long long)t.rejected,
	       (long long)t.alerts, (long long)t.duplicate_conflicts);
	rc = 0;
	goto out;
fail:
	rc = cmd_fail("replay: %s", err);
out:
	ingest_free(ig);
	store_checkpointer_stop(checkpointer);
	store_close(st);
	store_lock_release(lock);
	source_file_close(sf);
	if (set)
		policy_set_release(set);
	free(set);
	return rc;
}
