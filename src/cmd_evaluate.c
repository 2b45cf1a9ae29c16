/* cmd_evaluate.c -- `rgmon evaluate`: a backtest of policies on labelled
 * history (evaluate.h), in memory: reads the labels and the events, prints
 * the metrics as a table or one JSON object, writes the per-player CSV. */
#define _GNU_SOURCE /* memmem, for the pass over the file for self-exclusions */
#include "rgmon/cmd.h"
#include "rgmon/engine.h"
#include "rgmon/evaluate.h"
#include "rgmon/evaluate_report.h"
#include "rgmon/event.h"
#include "rgmon/digest.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/rules.h"
#include "rgmon/source_file.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmd_evaluate(const struct cmd_entry *cmd, int argc, char **argv);

#define COMPARE_MAX 8
#define THREADS_MAX 64
#define CHUNK_LINES 256   /* lines parsed by one worker at a time (--threads above 1) */
#define CHUNK_RING 8      /* chunks in flight: being filled, parsed, checked or scored */
#define DEDUPE_AHEAD 16   /* events the duplicate check prefetches ahead: a check takes tens of ns, a slot
                           * of the table that misses the caches and the TLB several hundred */
#define SAMPLE_SPOTS 8            /* blocks of the file read to guess its number of lines */
#define SAMPLE_BYTES (16 * 1024)

/* One shard of the players (--threads): its own evaluate per run, and,
 * with more than one shard, its thread. */
struct shard {
	struct evaluate *e[COMPARE_MAX + 1];
	int nruns;
	int index;
	struct runs *runs;
	pthread_t thread;
	bool started;
	long long next_seq; /* the next chunk it scores */
	bool failed;
	char err[512];
};

/* A chunk of lines on its way through the pipeline (--threads above 1):
 * read from the file, parsed, checked for duplicates in file order, then
 * scored by each worker for its own players. Every worker takes whichever
 * step is due (pipeline_step): reading and the duplicate check are one
 * at a time and in file order, so the verdicts do not depend on the
 * number of threads; parsing, most of a line's cost, runs on every core.
 * There is no reader thread of its own: with one thread a core, no
 * thread waits on the scheduler for another to run. */
enum chunk_state { CHUNK_FREE, CHUNK_FILLED, CHUNK_PARSING, CHUNK_PARSED, CHUNK_CHECKED };
struct chunk {
	enum chunk_state state;
	long long seq;
	int n, unscored; /* lines; shards yet to score it */
	char *text;      /* the lines, each NUL-terminated */
	size_t used, cap;
	size_t off[CHUNK_LINES], len[CHUNK_LINES];
	int64_t lineno[CHUNK_LINES];
	bool take[CHUNK_LINES];        /* parsed and not a duplicate */
	bool dup[CHUNK_LINES];         /* parsed and a duplicate */
	int shard[CHUNK_LINES];
	uint64_t id_digest[CHUNK_LINES];
	uint64_t player_digest[CHUNK_LINES];
	char reason[CHUNK_LINES][512]; /* of a line that did not parse */
	struct event ev[CHUNK_LINES];
};

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk *ring[CHUNK_RING];
	struct source_file *sf;
	bool quiet;
	long long filled;  /* chunks read so far */
	long long checked; /* chunks checked so far */
	bool reading;      /* a worker is filling the next chunk */
	bool checking;     /* a worker is checking the oldest parsed chunk */
	bool eof;          /* the file is read */
	int waiting;       /* workers asleep on cv */
	int failed;        /* -1 once a step failed: every worker stops */
	char err[512];     /* the first failure's reason */
};

/* The baseline (the packs of --policy/--policies) and each --compare set,
 * evaluated together on one read of the events. e[i] is shard 0's
 * evaluate of run i, into which the other shards merge at the end. */
struct runs {
	int n;
	const char *name[COMPARE_MAX + 1]; /* NULL for the baseline */
	struct policy_set *set[COMPARE_MAX + 1];
	struct evaluate *e[COMPARE_MAX + 1];
	struct eval_summary *s[COMPARE_MAX + 1];
	int nshards;
	struct shard *shards;
	struct pipeline pipe;       /* with more than one shard */
	struct eval_dedupe *dedupe; /* one check for every run and shard */
	long long duplicates, rejected; /* the duplicate check's, added to shard 0 at the end */
};

struct evaluate_args {
	const char *policies, *labels, *label_event, *per_player, *report, *file;
	struct opt_list policy, compare;
	long long horizon_days, threads;
	bool json, quiet;
};

static const struct opt evaluate_opts[] = {
	CMD_OPT_POLICIES(struct evaluate_args, policy, policies, "risk policy"),
	OPT_STRING("labels", "FILE", struct evaluate_args, labels, NULL,
		   "a CSV of player_id,label_ts[,label]: label 1, 0 or a text (a positive), default 1"),
	OPT_CHOICE("label-event", "self_exclusion", struct evaluate_args, label_event, NULL,
		   "instead of --labels: each player's first self-exclusion in the events is their label"),
	OPT_INT("horizon-days", "N", struct evaluate_args, horizon_days, 0, 3650, "0",
		"score a labelled player's events only up to N days before the label"),
	OPT_STRING("per-player", "FILE", struct evaluate_args, per_player, NULL,
		   "write player_id,label,label_ts,max_score,max_level,first_alert_ts,first_alert_level to FILE"),
	OPT_LIST(0, "compare", "FILE|DIR", struct evaluate_args, compare, COMPARE_MAX, NULL,
		 "other packs (a file, or every *.json in a directory) to evaluate on the same events, side by side; "
		 "repeat for more"),
	OPT_STRING("report", "FILE.html", struct evaluate_args, report, NULL,
		   "write a self-contained HTML report (ROC curve, precision and recall, lead times, rules) to FILE"),
	OPT_INT("threads", "N", struct evaluate_args, threads, 1, THREADS_MAX, NULL,
		"split the players by a hash of player_id into N shards, each scored on its own thread "
		"(default: the online cores); the results are the same for any N"),
	OPT_FLAG("json", struct evaluate_args, json, "print the metrics as one JSON object"),
	OPT_FLAG("quiet", struct evaluate_args, quiet, "do not list rejected lines on stderr"),
	OPT_ARG("EVENTS.jsonl|-", struct evaluate_args, file, "the events, one JSON object a line; - reads stdin"),
	OPT_END,
};

const struct cmd_entry cmd_evaluate_entry = {
	"evaluate", evaluate_opts,
	"Backtest policies on labelled history, in memory (nothing is stored): each\n"
	"event goes through the same parser, routing of players to packs, engine and\n"
	"alert decision as replay and serve. Give exactly one of --labels and\n"
	"--label-event. A labelled player's events at or after the label's time (less\n"
	"--horizon-days) are not scored; players without a label are negatives.\n"
	"Prints players, labelled players, the AUROC of each player's highest score\n"
	"(95% CI by Hanley-McNeil), precision, recall and F1 when flagging at a harm\n"
	"alert, at amber and at red, the lead time from the first harm alert to the\n"
	"label (p25, median, p75 days), alerts (harm alerts and obligations) per\n"
	"1,000 player-days and per day, and per rule: the players it fired for (its\n"
	"marker held, or the obligation fell due), how many were labelled, its\n"
	"precision and recall.\n",
	"A labels file may start with the header player_id,label_ts[,label]. A\n"
	"malformed line, a second line for one player, or a player without events\n"
	"is refused naming the line (exit status 2). Duplicate event_ids within\n"
	"replay's 35-day window are skipped, as replay does. Player-days are days\n"
	"(UTC) on which a player had a scored event. --per-player and --report\n"
	"describe the packs of --policy/--policies; --compare adds other packs to\n"
	"the printed metrics. --label-event reads the events once when each\n"
	"player's self-exclusion comes after their earlier events; else, and with\n"
	"--horizon-days, twice (first for the labels), so it needs a file (from -,\n"
	"a label cuts off only the events after it). With --threads N, N threads\n"
	"share the work: each reads, parses, checks for duplicates or scores its\n"
	"own players, whichever is due; reading and the duplicate check go one at\n"
	"a time in file order. Memory is the players' states plus 16-32 bytes\n"
	"per event id within the 35-day duplicate window, however long the history.\n",
	cmd_evaluate,
};

/* ---- input -------------------------------------------------------------- */

/* Reads the labels CSV into e. Returns 0, EXIT_USAGE after printing a bad
 * line, or EXIT_RUNTIME. */
static int read_labels(struct runs *r, const char *path)
{
	char err[512];
	const char *line;
	size_t len;
	int64_t lineno;
	int more;
	struct source_file *sf = source_file_open(path, err, sizeof(err));
	if (!sf)
		return cmd_fail("evaluate: %s", err);
	while ((more = source_file_next(sf, &line, &len, &lineno, err, sizeof(err))) == 1) {
		struct eval_label l;
		int got = evaluate_label_parse(line, len, &l, err, sizeof(err));
		if (got == 0 && lineno == 1)
			continue;
		if (got == 0)
			seterr(err, sizeof(err), "a header is allowed on the first line only");
		struct shard *sh = &r->shards[evaluate_shard_of(l.player_id, r->nshards)];
		for (int i = 0; i < r->n && got > 0; i++)
			if (evaluate_add_label(sh->e[i], &l, lineno, err, sizeof(err)) < 0)
				got = -1;
		if (got <= 0) {
			source_file_close(sf);
			fprintf(stderr, "rgmon: evaluate: %s:%lld: %s\n", path, (long long)lineno, err);
			return EXIT_USAGE;
		}
	}
	source_file_close(sf);
	return more < 0 ? cmd_fail("evaluate: %s", err) : 0;
}

/* ---- shards ------------------------------------------------------------- */

/* Scores one event of the shard's players in every run. */
static int shard_event(struct shard *sh, const struct event *ev, char *err, size_t errlen)
{
	enum eval_outcome outcome;
	for (int i = 0; i < sh->nruns; i++)
		if (evaluate_event(sh->e[i], ev, &outcome, err, errlen) < 0)
			return -1;
	return 0;
}

/* A duplicate of the shard's players: not scored, but a self-exclusion
 * still gives its label, as the pass for the labels alone (which cannot
 * tell duplicates) would have. */
static int shard_duplicate(struct shard *sh, const struct event *ev, char *err, size_t errlen)
{
	for (int i = 0; i < sh->nruns; i++)
		if (evaluate_note_self_exclusion(sh->e[i], ev, err, errlen) < 0)
			return -1;
	return 0;
}

/* The first of the shard's events (taken or duplicate) in c from line i
 * on, or c->n. */
static int next_of_shard(const struct shard *sh, const struct chunk *c, int i)
{
	while (i < c->n && !((c->take[i] || c->dup[i]) && c->shard[i] == sh->index))
		i++;
	return i;
}

/* Asks the caches for the parts of an event that scoring reads: the
 * fields before the long strings, and each string's start. Another worker
 * parsed it, so they are in the other core's cache: waiting for them one
 * by one when scoring was a fifth of the CPU two threads spent more than
 * one (the next player's prefetch read the event's player_id to hash it). */
static void prefetch_event(const struct event *ev)
{
	for (size_t off = 0; off < offsetof(struct event, session_id); off += 64)
		__builtin_prefetch((const char *)ev + off);
	__builtin_prefetch(ev->session_id);
	__builtin_prefetch(ev->instrument);
	__builtin_prefetch(ev->method);
	__builtin_prefetch(ev->game);
}

/* A worker's part of a checked chunk: its shard's events, in order, each
 * next event and its player's state asked for while the event before is
 * scored. */
static void score_chunk(struct shard *sh, struct chunk *c)
{
	int next = next_of_shard(sh, c, 0);
	while (next < c->n && !sh->failed) {
		int i = next;
		next = next_of_shard(sh, c, i + 1);
		if (next < c->n) {
			prefetch_event(&c->ev[next]);
			evaluate_prefetch_player_digest(sh->e[0], c->player_digest[next]);
		}
		sh->failed = (c->take[i] ? shard_event(sh, &c->ev[i], sh->err, sizeof(sh->err))
					 : shard_duplicate(sh, &c->ev[i], sh->err, sizeof(sh->err))) < 0;
	}
}

/* Parses a chunk's lines: the events, each one's shard and id digest. */
static void parse_chunk(const struct runs *r, struct chunk *c)
{
	for (int i = 0; i < c->n; i++) {
		struct event *ev = &c->ev[i];
		c->take[i] = event_parse(c->text + c->off[i], c->len[i], ev, c->reason[i], sizeof(c->reason[i])) == 0;
		c->dup[i] = false;
		if (c->take[i]) {
			c->player_digest[i] = evaluate_id_digest(ev->player_id);
			c->shard[i] = evaluate_shard_of_digest(c->player_digest[i], r->nshards);
			c->id_digest[i] = evaluate_id_digest(ev->event_id);
		}
	}
}

/* The duplicate check of a parsed event, in file order (-1 when out of
 * memory, else whether it is a duplicate). */
static int check_duplicate(struct runs *r, const struct event *ev, uint64_t id_digest)
{
	int dup = eval_dedupe_seen_digest(r->dedupe, id_digest, ev->ts_ms);
	if (dup > 0)
		r->duplicates++;
	return dup;
}

/* One thread: the duplicate check, then the event is scored at once. */
static int take_event(struct runs *r, const struct event *ev, uint64_t id_digest, char *err, size_t errlen)
{
	int dup = check_duplicate(r, ev, id_digest);
	if (dup < 0)
		return seterr(err, errlen, "out of memory");
	return dup ? shard_duplicate(&r->shards[0], ev, err, errlen) : shard_event(&r->shards[0], ev, err, errlen);
}

#define EXCLUSION_TYPE "self_exclusion"
#define SCAN_BLOCK (4u << 20) /* above EVENT_RAW_MAX: a line that can be an event is whole in it */

/* Notes the self-exclusion on one line (without its newline), if it is
 * one. -1 when out of memory. */
static int note_exclusion_line(struct runs *r, const char *line, size_t len, char *err, size_t errlen)
{
	struct event ev;
	char reason[512];
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > EVENT_RAW_MAX || event_parse(line, len, &ev, reason, sizeof(reason)) < 0)
		return 0;
	struct shard *sh = &r->shards[evaluate_shard_of(ev.player_id, r->nshards)];
	for (int i = 0; i < r->n; i++)
		if (evaluate_note_self_exclusion(sh->e[i], &ev, err, errlen) < 0)
			return -1;
	return 0;
}

/* The lines of [p, stop) (whole lines) that name the type. */
static int note_exclusions_in(struct runs *r, const char *p, const char *stop, char *err, size_t errlen)
{
	const char *hit;
	while (p < stop && (hit = memmem(p, (size_t)(stop - p), EXCLUSION_TYPE, strlen(EXCLUSION_TYPE)))) {
		const char *start = hit, *nl = memchr(hit, '\n', (size_t)(stop - hit));
		const char *end = nl ? nl : stop;
		while (start > p && start[-1] != '\n')
			start--;
		if (note_exclusion_line(r, start, (size_t)(end - start), err, errlen) < 0)
			return -1;
		p = end + 1;
	}
	return 0;
}

/* --label-event self_exclusion on a file, before any event is scored (so
 * that --horizon-days can cut before the label): notes each player's
 * first self-exclusion, parsing just the lines that name the type. The
 * file is searched in blocks for the type's name rather than read line by
 * line: this pass is on one thread before the others start. */
static int read_exclusions(struct runs *r, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(SCAN_BLOCK);
	size_t have = 0;
	bool skip_line = false; /* buf starts within a line longer than a block */
	int rc = 0;
	if (!f || !buf) {
		rc = f ? seterr(err, errlen, "out of memory")
		       : seterr(err, errlen, "cannot open \"%s\": %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		size_t got = fread(buf + have, 1, SCAN_BLOCK - have, f);
		if (got == 0 && ferror(f)) {
			rc = seterr(err, errlen, "reading \"%s\": %s", path, strerror(errno));
			break;
		}
		have += got;
		bool end = got == 0;
		const char *p = buf, *stop = buf + have;
		if (!end) {
			while (stop > buf && stop[-1] != '\n')
				stop--;
			if (stop == buf && have == SCAN_BLOCK) { /* a line too long to be an event */
				have = 0;
				skip_line = true;
			}
			if (stop == buf)
				continue;
		}
		if (skip_line) {
			const char *nl = memchr(p, '\n', (size_t)(stop - p));
			p = nl ? nl + 1 : stop;
			skip_line = false;
		}
		if (note_exclusions_in(r, p, stop, err, errlen) < 0) {
			rc = -1;
			break;
		}
		have = (size_t)(buf + have - stop);
		memmove(buf, stop, have);
		if (end)
			break;
	}
out:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

/* One thread reads, parses, checks for duplicates and scores. Each event
 * is taken after the next line is parsed, which hides the wait for the
 * duplicate table (eval_dedupe_prefetch) and for the next player's state
 * (evaluate_prefetch_player); the order is the file's. */
static int read_events_one(struct runs *r, struct source_file *sf, bool quiet, char *err, size_t errlen)
{
	const char *line;
	size_t len;
	int64_t lineno;
	int more;
	struct event ev[2];
	uint64_t id_digest[2] = { 0, 0 };
	int cur = 0;
	bool pending = false; /* ev[!cur] waits to be taken */
	char reason[512];
	while ((more = source_file_next(sf, &line, &len, &lineno, err, errlen)) == 1) {
		bool parsed = event_parse(line, len, &ev[cur], reason, sizeof(reason)) == 0;
		if (parsed) {
			id_digest[cur] = eval_dedupe_prefetch(r->dedupe, &ev[cur]);
			evaluate_prefetch_player(r->shards[0].e[0], ev[cur].player_id);
		} else {
			r->rejected++;
			if (!quiet)
				fprintf(stderr, "rgmon: rejected %s:%lld: %s\n", source_file_name(sf), (long long)lineno,
					reason);
		}
		if (pending && take_event(r, &ev[!cur], id_digest[!cur], err, errlen) < 0)
			return -1;
		pending = parsed;
		cur ^= parsed;
	}
	if (more == 0 && pending && take_event(r, &ev[!cur], id_digest[!cur], err, errlen) < 0)
		return -1;
	return more < 0 ? -1 : 0;
}

/* Copies up to CHUNK_LINES lines into c (a line over EVENT_RAW_MAX only in
 * part: event_parse refuses it by its length). source_file_next's answer
 * for the last line asked: 1, 0 at the end, -1 on an error. */
static int fill_chunk(struct chunk *c, struct source_file *sf, char *err, size_t errlen)
{
	const char *line;
	size_t len;
	int64_t lineno;
	int more = 1;
	c->n = 0;
	c->used = 0;
	while (c->n < CHUNK_LINES && (more = source_file_next(sf, &line, &len, &lineno, err, errlen)) == 1) {
		size_t held = len > EVENT_RAW_MAX ? EVENT_RAW_MAX + 1 : len;
		if (c->used + held + 1 > c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 64 * 1024;
			while (cap < c->used + held + 1)
				cap *= 2;
			char *t = realloc(c->text, cap);
			if (!t)
				return seterr(err, errlen, "out of memory");
			c->text = t;
			c->cap = cap;
		}
		memcpy(c->text + c->used, line, held);
		c->text[c->used + held] = '\0';
		c->off[c->n] = c->used;
		c->len[c->n] = len;
		c->lineno[c->n++] = lineno;
		c->used += held + 1;
	}
	return more;
}

/* The check of a parsed chunk, in file order: rejects are counted
 * and listed, duplicates dropped. -1 when out of memory. */
static int check_chunk(struct runs *r, struct chunk *c)
{
	const struct pipeline *pl = &r->pipe;
	for (int i = 0; i < c->n && i < DEDUPE_AHEAD; i++)
		if (c->take[i])
			eval_dedupe_prefetch_digest(r->dedupe, c->id_digest[i]);
	for (int i = 0; i < c->n; i++) {
		if (i + DEDUPE_AHEAD < c->n && c->take[i + DEDUPE_AHEAD])
			eval_dedupe_prefetch_digest(r->dedupe, c->id_digest[i + DEDUPE_AHEAD]);
		if (!c->take[i]) {
			r->rejected++;
			if (!pl->quiet)
				fprintf(stderr, "rgmon: rejected %s:%lld: %s\n", source_file_name(pl->sf),
					(long long)c->lineno[i], c->reason[i]);
			continue;
		}
		int dup = check_duplicate(r, &c->ev[i], c->id_digest[i]);
		if (dup < 0)
			return -1;
		c->take[i] = !dup;
		c->dup[i] = dup;
	}
	return 0;
}

/* Called with the pipeline's lock held. */
static void pipeline_wake(struct pipeline *pl)
{
	if (pl->waiting > 0)
		pthread_cond_broadcast(&pl->cv);
}

static void pipeline_fail(struct pipeline *pl, const char *err)
{
	if (!pl->failed) {
		pl->failed = -1;
		rg_strlcpy(pl->err, err, sizeof(pl->err));
	}
}

/* The filled chunk nearest the file's order, or NULL. */
static struct chunk *filled_chunk(const struct pipeline *pl)
{
	for (long long q = pl->checked; q < pl->filled; q++)
		if (pl->ring[q % CHUNK_RING]->state == CHUNK_FILLED)
			return pl->ring[q % CHUNK_RING];
	return NULL;
}

/* One step of a worker, the first that is due: the duplicate check of the
 * oldest parsed chunk (it holds up every worker's scoring), scoring the
 * worker's next checked chunk, parsing a read one, then reading the next
 * chunk into a free slot. Scoring before parsing and reading keeps a
 * chunk's parsed events in the caches until they are scored: reading and
 * parsing first filled the ring and ran at 0.70M events/s on two threads
 * where this order runs at 1.35M. Called with the lock held, which it
 * lets go during the step. 1 when a step was taken, 0 when none was due,
 * -1 when one failed. */
static int pipeline_step(struct shard *sh)
{
	struct runs *r = sh->runs;
	struct pipeline *pl = &r->pipe;
	struct chunk *oldest = pl->ring[pl->checked % CHUNK_RING];
	struct chunk *mine = pl->ring[sh->next_seq % CHUNK_RING];
	struct chunk *slot = pl->ring[pl->filled % CHUNK_RING];
	struct chunk *todo;
	char err[512];
	if (!pl->checking && pl->checked < pl->filled && oldest->state == CHUNK_PARSED) {
		pl->checking = true;
		pthread_mutex_unlock(&pl->mu);
		int rc = check_chunk(r, oldest);
		pthread_mutex_lock(&pl->mu);
		pl->checking = false;
		if (rc < 0) {
			pipeline_fail(pl, "out of memory");
			return -1;
		}
		oldest->unscored = r->nshards;
		oldest->state = CHUNK_CHECKED;
		pl->checked++;
	} else if (sh->next_seq < pl->checked) {
		pthread_mutex_unlock(&pl->mu);
		score_chunk(sh, mine);
		pthread_mutex_lock(&pl->mu);
		if (sh->failed) {
			pipeline_fail(pl, sh->err);
			return -1;
		}
		sh->next_seq++;
		if (--mine->unscored == 0)
			mine->state = CHUNK_FREE;
	} else if ((todo = filled_chunk(pl))) {
		todo->state = CHUNK_PARSING;
		pthread_mutex_unlock(&pl->mu);
		parse_chunk(r, todo);
		pthread_mutex_lock(&pl->mu);
		todo->state = CHUNK_PARSED;
	} else if (!pl->reading && !pl->eof && slot->state == CHUNK_FREE) {
		pl->reading = true;
		pthread_mutex_unlock(&pl->mu);
		int more = fill_chunk(slot, pl->sf, err, sizeof(err));
		pthread_mutex_lock(&pl->mu);
		pl->reading = false;
		if (more < 0) {
			pipeline_fail(pl, err);
			return -1;
		}
		pl->eof = more == 0;
		if (slot->n > 0) {
			slot->seq = pl->filled++;
			slot->state = CHUNK_FILLED;
		}
	} else {
		return 0;
	}
	return 1;
}

/* A worker: takes the steps due until the file is read and the worker has
 * scored every chunk, or a step failed (its own or another's). */
static void *shard_main(void *arg)
{
	struct shard *sh = arg;
	struct pipeline *pl = &sh->runs->pipe;
	pthread_mutex_lock(&pl->mu);
	while (!pl->failed && !(pl->eof && !pl->reading && sh->next_seq == pl->filled)) {
		int took = pipeline_step(sh);
		if (took != 0) {
			pipeline_wake(pl);
			continue;
		}
		pl->waiting++;
		pthread_cond_wait(&pl->cv, &pl->mu);
		pl->waiting--;
	}
	pipeline_wake(pl);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* --threads above 1: a worker for each shard reads, parses, checks and
 * scores (shard_main); -1 with the first failure's reason. */
static int read_events_pipelined(struct runs *r, struct source_file *sf, bool quiet, char *err, size_t errlen)
{
	struct pipeline *pl = &r->pipe;
	int rc = 0;
	pl->sf = sf;
	pl->quiet = quiet;
	pl->filled = pl->checked = 0;
	pl->reading = pl->checking = pl->eof = false;
	pl->waiting = pl->failed = 0;
	for (int k = 0; k < CHUNK_RING; k++) {
		if (!pl->ring[k] && !(pl->ring[k] = calloc(1, sizeof(*pl->ring[k]))))
			return seterr(err, errlen, "out of memory");
		pl->ring[k]->state = CHUNK_FREE;
	}
	for (int k = 0; k < r->nshards && rc == 0; k++) {
		struct shard *sh = &r->shards[k];
		sh->index = k;
		sh->runs = r;
		sh->next_seq = 0;
		sh->failed = false;
		if (pthread_create(&sh->thread, NULL, shard_main, sh) != 0) {
			pthread_mutex_lock(&pl->mu);
			pipeline_fail(pl, "cannot start a thread");
			pipeline_wake(pl);
			pthread_mutex_unlock(&pl->mu);
			rc = -1;
		} else {
			sh->started = true;
		}
	}
	for (int k = 0; k < r->nshards; k++) {
		struct shard *sh = &r->shards[k];
		if (sh->started)
			pthread_join(sh->thread, NULL);
		sh->started = false;
	}
	if (pl->failed)
		return seterr(err, errlen, "%s", pl->err);
	return 0;
}

/* Reads the events once and scores them, noting the rejected ones. */
static int read_events(struct runs *r, const char *path, bool quiet, char *err, size_t errlen)
{
	struct source_file *sf = source_file_open(path, err, errlen);
	int rc;
	if (!sf)
		return -1;
	if (r->nshards == 1)
		rc = read_events_one(r, sf, quiet, err, errlen);
	else
		rc = read_events_pipelined(r, sf, quiet, err, errlen);
	source_file_close(sf);
	return rc < 0 ? -1 : 0;
}

/* Merges every shard into shard 0, whose evaluates are r->e, with the
 * duplicate check's counts. */
static int shards_merge(struct runs *r, char *err, size_t errlen)
{
	for (int i = 0; i < r->n; i++)
		evaluate_note_skipped(r->e[i], r->duplicates, r->rejected);
	for (int k = 1; k < r->nshards; k++)
		for (int i = 0; i < r->n; i++)
			if (evaluate_merge(r->e[i], r->shards[k].e[i], err, errlen) < 0)
				return -1;
	return 0;
}

/* ---- output ------------------------------------------------------------- */

static void put_time(FILE *f, int64_t ms)
{
	char buf[64];
	if (ms == ENGINE_NO_TIME)
		return;
	ts_format_rfc3339(ms, buf, sizeof(buf));
	fputs(buf, f);
}

static int csv_row(void *ctx, const struct eval_player *p)
{
	FILE *f = ctx;
	fprintf(f, "%s,%s,", p->player_id, p->labelled ? p->label_text : "0");
	put_time(f, p->label_ts_ms);
	fprintf(f, ",%d,%s,", p->max_score, risk_level_name(p->max_level));
	put_time(f, p->first_alert_ms);
	fprintf(f, ",%s\n", p->first_alert_ms != ENGINE_NO_TIME ? risk_level_name(p->first_alert_level) : "");
	return ferror(f) ? -1 : 0;
}

static int write_per_player(const struct evaluate *e, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return seterr(err, errlen, "cannot write \"%s\": %s", path, strerror(errno));
	fputs("player_id,label,label_ts,max_score,max_level,first_alert_ts,first_alert_level\n", f);
	int rc = evaluate_each_player(e, csv_row, f);
	if (fclose(f) != 0 || rc != 0)
		return seterr(err, errlen, "cannot write \"%s\"", path);
	return 0;
}

static int write_report(const struct eval_summary *s, const struct policy_set *set, const struct evaluate_args *a,
			char *err, size_t errlen)
{
	struct eval_report_info info = { set, a->file, a->labels ? a->labels : "each player's first self-exclusion",
					 (int)a->horizon_days };
	FILE *f = fopen(a->report, "w");
	if (!f)
		return seterr(err, errlen, "cannot write \"%s\": %s", a->report, strerror(errno));
	int rc = evaluate_report_write(f, s, &info);
	if (fclose(f) != 0 || rc < 0)
		return seterr(err, errlen, "cannot write \"%s\"", a->report);
	return 0;
}

/* A number, or null where it is undefined (NaN). */
static json_t *num(double v) { return isnan(v) ? json_null() : json_real(v); }

static json_t *prf_json(const struct eval_prf *p)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o}", "flagged", (json_int_t)p->flagged, "true_positives",
			 (json_int_t)p->true_pos, "precision", num(p->precision), "recall", num(p->recall), "f1",
			 num(p->f1));
}

static json_t *summary_json(const struct eval_summary *s, const struct policy_set *set, long long horizon)
{
	json_t *flag = json_object(), *rules = json_array(), *packs = json_array();
	for (int c = 0; c < EVAL_CUT_COUNT; c++)
		json_object_set_new(flag, evaluate_cut_name(c), prf_json(&s->flag[c]));
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct eval_rule_stats *rs = &s->rules[r];
		if (rs->players)
			json_array_append_new(rules, json_pack("{s:s, s:I, s:I, s:o, s:o}", "rule", rule_defs[r]->id,
							       "players", (json_int_t)rs->players, "labelled",
							       (json_int_t)rs->labelled, "precision",
							       num(rs->prf.precision), "recall", num(rs->prf.recall)));
	}
	for (int i = 0; i < set->n; i++)
		json_array_append_new(packs, json_string(set->packs[i]->id));
	return json_pack(
		"{s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:o, s:[o, o], s:s}, s:o, s:{s:I, s:o, s:o, s:o},"
		" s:{s:I, s:I, s:I, s:I, s:I, s:o, s:o}, s:o, s:o, s:I}",
		"players", (json_int_t)s->players, "labelled", (json_int_t)s->labelled, "positives",
		(json_int_t)s->positives, "events", "read", (json_int_t)s->events, "scored", (json_int_t)s->scored,
		"after_cutoff", (json_int_t)s->after_cutoff, "duplicates", (json_int_t)s->duplicates, "rejected",
		(json_int_t)s->rejected, "auroc", "value", num(s->auroc.value), "ci95", num(s->auroc.lo),
		num(s->auroc.hi), "method", "hanley-mcneil", "flag", flag, "lead_time_days", "players",
		(json_int_t)s->lead_n, "p25", num(s->lead_p25), "median", num(s->lead_median), "p75",
		num(s->lead_p75), "alerts", "harm", (json_int_t)s->harm_alerts, "escalations",
		(json_int_t)s->escalations, "obligations", (json_int_t)s->obligations, "player_days",
		(json_int_t)s->player_days, "days", (json_int_t)s->days, "per_1000_player_days",
		num(s->alerts_per_1000_player_days), "per_day", num(s->alerts_per_day), "rules", rules, "policies",
		packs, "horizon_days", (json_int_t)horizon);
}

static int print_json(const struct runs *r, long long horizon)
{
	json_t *j = summary_json(r->s[0], r->set[0], horizon);
	if (j && r->n > 1) {
		json_t *others = json_array();
		for (int i = 1; i < r->n; i++) {
			long long up, down;
			json_t *o = summary_json(r->s[i], r->set[i], horizon);
			evaluate_compare_levels(r->e[0], r->e[i], &up, &down);
			json_object_set_new(o, "compare", json_string(r->name[i]));
			json_object_set_new(o, "players_level_up", json_integer(up));
			json_object_set_new(o, "players_level_down", json_integer(down));
			json_array_append_new(others, o);
		}
		json_object_set_new(j, "compare", others);
	}
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(j);
	if (!text)
		return cmd_fail("evaluate: cannot write the JSON");
	puts(text);
	free(text);
	return 0;
}

/* A ratio as "0.842", or "-" when undefined. */
static const char *fmt3(double v, char buf[32])
{
	if (isnan(v))
		return "-";
	snprintf(buf, 32, "%.3f", v);
	return buf;
}

static void print_text(const struct eval_summary *s)
{
	char a[32], b[32], c[32];
	printf("players      %lld, labelled %lld (%lld positive)\n", s->players, s->labelled, s->positives);
	printf("events       %lld read: %lld scored, %lld after the cut-off, %lld duplicates, %lld rejected\n",
	       s->events, s->scored, s->after_cutoff, s->duplicates, s->rejected);
	if (isnan(s->auroc.value))
		printf("AUROC        - (it needs labelled and unlabelled players)\n");
	else
		printf("AUROC        %s (95%% CI %s-%s) of the highest score\n", fmt3(s->auroc.value, a),
		       fmt3(s->auroc.lo, b), fmt3(s->auroc.hi, c));
	printf("\nflag at      flagged  caught  precision  recall     F1\n");
	for (int k = 0; k < EVAL_CUT_COUNT; k++) {
		const struct eval_prf *p = &s->flag[k];
		printf("  %-10s %7lld %7lld %10s %7s %6s\n", evaluate_cut_name(k), p->flagged, p->true_pos,
		       fmt3(p->precision, a), fmt3(p->recall, b), fmt3(p->f1, c));
	}
	if (s->lead_n)
		printf("\nlead time    p25 %.1f, median %.1f, p75 %.1f days from the first alert to the label "
		       "(%lld players)\n",
		       s->lead_p25, s->lead_median, s->lead_p75, s->lead_n);
	else
		printf("\nlead time    - (no labelled player was alerted before the cut-off)\n");
	printf("alerts       %lld harm (%lld escalations), %lld obligations: %s per 1,000 player-days, %s a day\n",
	       s->harm_alerts, s->escalations, s->obligations, fmt3(s->alerts_per_1000_player_days, a),
	       fmt3(s->alerts_per_day, b));
	printf("\nrule                                          players  labelled  precision  recall\n");
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct eval_rule_stats *rs = &s->rules[r];
		if (rs->players)
			printf("  %-42s %8lld %9lld %10s %7s\n", rule_defs[r]->id, rs->players, rs->labelled,
			       fmt3(rs->prf.precision, a), fmt3(rs->prf.recall, b));
	}
}

/* The headline numbers of the baseline and each --compare set side by side. */
static void print_compare(const struct runs *r)
{
	char a[32];
	printf("\n%-34s %12s", "compared on the same events", "baseline");
	for (int i = 1; i < r->n; i++)
		printf(" %20.20s", r->name[i]);
	printf("\n");
#define COMPARE_ROW(label, fmt_expr)                                                                               \
	do {                                                                                                       \
		printf("  %-32s", label);                                                                          \
		for (int i = 0; i < r->n; i++) {                                                                   \
			const struct eval_summary *s = r->s[i];                                                    \
			printf(i ? " %20s" : " %12s", fmt_expr);                                                   \
		}                                                                                                  \
		printf("\n");                                                                                      \
	} while (0)
	COMPARE_ROW("AUROC", fmt3(s->auroc.value, a));
	COMPARE_ROW("precision at amber", fmt3(s->flag[EVAL_CUT_AMBER].precision, a));
	COMPARE_ROW("recall at amber", fmt3(s->flag[EVAL_CUT_AMBER].recall, a));
	COMPARE_ROW("precision at red", fmt3(s->flag[EVAL_CUT_RED].precision, a));
	COMPARE_ROW("recall at red", fmt3(s->flag[EVAL_CUT_RED].recall, a));
	COMPARE_ROW("median lead time (days)", fmt3(s->lead_median, a));
	COMPARE_ROW("alerts per 1,000 player-days", fmt3(s->alerts_per_1000_player_days, a));
#undef COMPARE_ROW
	printf("  %-32s %12s", "players whose level rose/fell", "-");
	for (int i = 1; i < r->n; i++) {
		long long up, down;
		char both[48];
		evaluate_compare_levels(r->e[0], r->e[i], &up, &down);
		snprintf(both, sizeof(both), "%lld/%lld", up, down);
		printf(" %20s", both);
	}
	printf("\n");
}

/* ---- the command -------------------------------------------------------- */

/* Run i's packs: the baseline's --policy/--policies, or --compare's path. */
static int load_policies(const struct evaluate_args *a, int i, struct policy_set *set, char *err, size_t errlen)
{
	const char *paths[OPT_LIST_MAX + 1];
	int n = 0;
	if (i > 0) {
		paths[n++] = a->compare.v[i - 1];
	} else {
		for (int k = 0; k < a->policy.n; k++)
			paths[n++] = a->policy.v[k];
		if (a->policies)
			paths[n++] = a->policies;
	}
	return policy_set_load(set, paths, n, false, err, errlen);
}

/* About how many lines a regular file holds, to size the duplicate table
 * (each of its pages costs a fault and its zeroing when first touched, so
 * a table twice too large was ~10% of a run): the file's size over the
 * mean length of the whole lines in SAMPLE_SPOTS blocks spread over it.
 * Not its first block alone: a history starts with shorter lines (the
 * players' accounts). 0 for stdin, a pipe, or when no sampled line ends. */
static size_t guess_lines(const char *path)
{
	struct stat sb;
	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
		return 0;
	FILE *f = fopen(path, "rb");
	char *buf = malloc(SAMPLE_BYTES);
	size_t lines = 0, bytes = 0;
	for (int k = 0; f && buf && k < SAMPLE_SPOTS; k++) {
		if (fseeko(f, sb.st_size / SAMPLE_SPOTS * k, SEEK_SET) != 0)
			break;
		size_t got = fread(buf, 1, SAMPLE_BYTES, f);
		/* The whole lines: a block may start and end within one. */
		const char *first = memchr(buf, '\n', got), *last = first ? memrchr(buf, '\n', got) : NULL;
		for (const char *p = first; p && p < last; p++)
			lines += *p == '\n';
		bytes += first ? (size_t)(last - first) : 0;
	}
	if (f)
		fclose(f);
	free(buf);
	return lines ? (size_t)((double)sb.st_size * (double)lines / (double)bytes) : 0;
}

/* The shards (with their locks) and the duplicate check. */
static int shards_open(struct runs *r, int nshards, const char *path, char *err, size_t errlen)
{
	r->shards = calloc((size_t)nshards, sizeof(*r->shards));
	r->dedupe = eval_dedupe_new_sized(guess_lines(path));
	if (!r->shards || !r->dedupe)
		return seterr(err, errlen, "out of memory");
	r->nshards = nshards;
	pthread_mutex_init(&r->pipe.mu, NULL);
	pthread_cond_init(&r->pipe.cv, NULL);
	return 0;
}

static int runs_open(struct runs *r, const struct evaluate_args *a, char *err, size_t errlen)
{
	struct evaluate_config cfg = { .horizon_days = (int)a->horizon_days,
				       .label_self_exclusion = a->label_event != NULL,
				       .caller_dedupes = true };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int nshards = a->threads ? (int)a->threads : cores < 1 ? 1 : cores > THREADS_MAX ? THREADS_MAX : (int)cores;
	if (shards_open(r, nshards, a->file, err, errlen) < 0)
		return -1;
	int i = 0;
	do { /* the baseline, then each --compare */
		r->n = i + 1; /* runs_close frees what this run has */
		r->name[i] = i ? a->compare.v[i - 1] : NULL;
		r->set[i] = malloc(sizeof(*r->set[i]));
		r->s[i] = calloc(1, sizeof(*r->s[i]));
		if (r->set[i])
			policy_set_init(r->set[i]);
		if (!r->set[i] || !r->s[i])
			return seterr(err, errlen, "out of memory");
		cfg.policies = r->set[i];
		if (load_policies(a, i, r->set[i], err, errlen) < 0)
			return -1;
		for (int k = 0; k < r->nshards; k++) {
			r->shards[k].nruns = i + 1;
			if (!(r->shards[k].e[i] = evaluate_new(&cfg, err, errlen)))
				return -1;
		}
		r->e[i] = r->shards[0].e[i];
	} while (++i < 1 + a->compare.n);
	return 0;
}

static void runs_close(struct runs *r)
{
	for (int k = 0; k < r->nshards; k++) {
		struct shard *sh = &r->shards[k];
		for (int i = 0; i < sh->nruns; i++)
			evaluate_free(sh->e[i]);
	}
	for (int k = 0; k < CHUNK_RING; k++) {
		if (r->pipe.ring[k])
			free(r->pipe.ring[k]->text);
		free(r->pipe.ring[k]);
	}
	if (r->shards) {
		pthread_mutex_destroy(&r->pipe.mu);
		pthread_cond_destroy(&r->pipe.cv);
	}
	free(r->shards);
	eval_dedupe_free(r->dedupe);
	for (int i = 0; i < r->n; i++) {
		if (r->set[i])
			policy_set_release(r->set[i]);
		free(r->set[i]);
		free(r->s[i]);
	}
}

/* Labels, events, the label check; 0 or an exit status. labels_first:
 * with --label-event, a first pass over the file for the self-exclusions
 * (else each label is learned as its event comes; see cmd_evaluate). */
static int run(struct runs *r, const struct evaluate_args *a, bool labels_first)
{
	char err[512];
	int64_t lineno = 0;
	int rc;
	if (a->labels && (rc = read_labels(r, a->labels)) != 0)
		return rc;
	if (labels_first && read_exclusions(r, a->file, err, sizeof(err)) < 0)
		return cmd_fail("evaluate: %s", err);
	if (read_events(r, a->file, a->quiet, err, sizeof(err)) < 0 || shards_merge(r, err, sizeof(err)) < 0)
		return cmd_fail("evaluate: %s", err);
	if (evaluate_check_labels(r->e[0], &lineno, err, sizeof(err)) < 0) {
		fprintf(stderr, "rgmon: evaluate: %s:%lld: %s\n", a->labels, (long long)lineno, err);
		return EXIT_USAGE;
	}
	return 0;
}

/* The metrics of each run, after the events. */
static int summarize(struct runs *r)
{
	char err[512];
	for (int i = 0; i < r->n; i++)
		if (evaluate_summarize(r->e[i], r->s[i], err, sizeof(err)) < 0)
			return cmd_fail("evaluate: %s", err);
	return 0;
}

/* The per-player CSV, the report, the metrics; 0 or an exit status. */
static int output(const struct runs *r, const struct evaluate_args *a)
{
	char err[512];
	if (a->per_player && write_per_player(r->e[0], a->per_player, err, sizeof(err)) < 0)
		return cmd_fail("evaluate: %s", err);
	if (a->report && write_report(r->s[0], r->set[0], a, err, sizeof(err)) < 0)
		return cmd_fail("evaluate: %s", err);
	if (a->json)
		return print_json(r, a->horizon_days);
	print_text(r->s[0]);
	if (r->n > 1)
		print_compare(r);
	return 0;
}

static int cmd_evaluate(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct evaluate_args a = { 0 };
	struct runs r = { .n = 0 };
	char err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	if (!a.labels == !a.label_event)
		return cmd_usage_error(cmd, "give exactly one of --labels and --label-event");
	if (a.label_event && a.horizon_days && strcmp(a.file, "-") == 0)
		return cmd_usage_error(cmd, "--label-event with --horizon-days reads the events twice: give a file, not -");
	/* --label-event: the labels are the players' first self-exclusions,
	 * and no event at or after one is scored. A history in time order
	 * needs one pass, each label learned as its self-exclusion comes
	 * (the pass over a file for the labels alone was ~6% of a run). Two
	 * when --horizon-days cuts before the label, or when the one pass
	 * finds it scored an event at or after a label it learned later (a
	 * history out of order): then everything again, labels first. */
	bool labels_first = a.label_event && a.horizon_days;
	if (runs_open(&r, &a, err, sizeof(err)) < 0) {
		rc = cmd_fail("evaluate: %s", err);
	} else if ((rc = run(&r, &a, labels_first)) == 0 && a.label_event && !labels_first &&
		   strcmp(a.file, "-") != 0 && !evaluate_cutoffs_held(r.e[0])) {
		runs_close(&r);
		r = (struct runs){ .n = 0 };
		if (runs_open(&r, &a, err, sizeof(err)) < 0)
			rc = cmd_fail("evaluate: %s", err);
		else
			rc = run(&r, &a, true);
	}
	if (rc == 0 && (rc = summarize(&r)) == 0)
		rc = output(&r, &a);
	runs_close(&r);
	return rc;
}
