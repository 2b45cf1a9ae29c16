/* cmd_replay.c -- `rgmon replay`: a JSONL file through the same ingest
 * pipeline as serve, one batch per INGEST_BATCH_MAX lines. */
#include "rgmon/cmd.h"
#include "rgmon/clock.h"
#include "rgmon/ingest.h"
#include "rgmon/log.h"
#include "rgmon/policy.h"
#include "rgmon/source_file.h"
#include "rgmon/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int cmd_replay(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "policy", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *policy_path = NULL;
	struct policy *pol = NULL;
	bool quiet = false;
	int c, rc = EXIT_RUNTIME;
	char err[512], reason[512];
	struct store *st = NULL;
	struct store_checkpointer *checkpointer = NULL;
	struct ingest *ig = NULL;
	struct source_file *sf = NULL;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'q': quiet = true; break;
		case 'p': policy_path = optarg; break;
		default: return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
	}
	if (!db)
		return cmd_usage_error(cmd, "--db is required");
	if (optind != argc - 1)
		return cmd_usage_error(cmd, "give exactly one FILE.jsonl (or - for stdin)");

	if (!(sf = source_file_open(argv[optind], err, sizeof(err))) || !(st = store_open(db, err, sizeof(err))) ||
	    !(checkpointer = store_checkpointer_start(st, db, err, sizeof(err))))
		goto fail;
	if (!(pol = malloc(sizeof(*pol)))) {
		seterr(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (cmd_use_policy(policy_path, st, pol, err, sizeof(err)) < 0)
		goto fail;
	struct ingest_config cfg = { .cache_players = INGEST_CACHE_DEFAULT, .policy = pol };
	if (!(ig = ingest_new(st, &cfg, err, sizeof(err))))
		goto fail;

	bool tty = isatty(STDERR_FILENO) && !quiet;
	double started = clock_mono_seconds(), last = 0;
	int64_t events = 0;
	const char *line;
	size_t len;
	int64_t lineno;
	int more;
	while ((more = source_file_next(sf, &line, &len, &lineno, err, sizeof(err))) == 1) {
		struct store_source src = { .topic = NULL, .partition = -1, .offset = lineno,
					    .file = source_file_name(sf) };
		enum ingest_outcome outcome;
		if (ingest_message(ig, &src, line, len, &outcome, reason, sizeof(reason), err, sizeof(err)) < 0)
			goto fail;
		if (outcome == INGEST_REJECTED && !quiet) {
			if (tty)
				fputs("\r\033[K", stderr);
			fprintf(stderr, "rgmon: rejected %s:%lld: %s\n", src.file, (long long)lineno, reason);
		}
		events++;
		if (ingest_pending(ig) >= INGEST_BATCH_MAX && ingest_commit(ig, err, sizeof(err)) < 0)
			goto fail;
		if (tty && (events & 1023) == 0)
			progress(sf, events, started, &last, false);
	}
	if (more < 0 || ingest_commit(ig, err, sizeof(err)) < 0)
		goto fail;
	if (tty)
		progress(sf, events, started, &last, true);

	struct store_counters t;
	ingest_totals(ig, &t);
	printf("{\"events\":%lld,\"accepted\":%lld,\"duplicates\":%lld,\"rejected\":%lld,\"alerts\":%lld}\n",
	       (long long)t.events, (long long)t.accepted, (long long)t.duplicates, (long long)t.rejected,
	       (long long)t.alerts);
	rc = 0;
	goto out;
fail:
	rc = cmd_fail("replay: %s", err);
out:
	ingest_free(ig);
	store_checkpointer_stop(checkpointer);
	store_close(st);
	source_file_close(sf);
	free(pol);
	return rc;
}
