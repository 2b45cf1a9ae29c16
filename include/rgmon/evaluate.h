/* evaluate.h -- `rgmon evaluate`: a backtest of policies on labelled
 * history, in memory (issue 15).
 *
 * Each event goes through the same steps as in replay and serve --
 * duplicate check, the pack of the player's account country
 * (policy_set_for_event), engine_apply and, when the result matters,
 * alert_decide() with the player's open harm alert -- but nothing is
 * stored: per player only the engine state, a few numbers and, while the
 * player has one, a copy of their open harm alert. No per-event data is
 * kept but the 64-bit digests of the event ids of the duplicate window,
 * so memory is bounded by the players (and the window), not the events.
 *
 * A label is a player's outcome (an RG closure, a self-exclusion, ...) at a
 * time: events at or after it (or after it minus the horizon) are not
 * scored. Players without a label are negatives, scored on every event.
 *
 * The metric maths (AUROC with its confidence interval, percentiles,
 * precision and recall) are pure functions, unit-tested alone. Nothing
 * here does I/O or reads a clock: cmd_evaluate.c reads the files and
 * prints. */
#ifndef RGMON_EVALUATE_H
#define RGMON_EVALUATE_H

#include "rgmon/common.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/rules.h"

/* ---- the metric maths (pure) ------------------------------------------ */

/* The area under the ROC curve of score for telling positives from
 * negatives: the chance that a random positive scores above a random
 * negative, ties counting one half (Mann-Whitney). lo..hi is its 95%
 * confidence interval by Hanley & McNeil (1982), clipped to 0..1. All
 * NaN when there is no positive or no negative. */
struct eval_auroc {
	double value, lo, hi;
	long long positives, negatives;
};
void evaluate_auroc(const double *score, const bool *positive, size_t n, struct eval_auroc *out);

/* The p-th quantile (0 <= p <= 1) of n ascending values, interpolating
 * linearly between the closest ranks (R's type 7, numpy's default).
 * NaN when n is 0. */
double evaluate_percentile(const double *sorted, size_t n, double p);

/* Precision, recall and F1 of a flag that caught true_pos of positives
 * among flagged players; NaN where a denominator is 0. */
struct eval_prf {
	long long flagged, true_pos, positives;
	double precision, recall, f1;
};
void evaluate_prf(long long flagged, long long true_pos, long long positives, struct eval_prf *out);

/* ---- labels ------------------------------------------------------------- */

#define EVAL_LABEL_TEXT_MAX 64

/* One row of a labels CSV: player_id,label_ts[,label]. label is 1 or 0,
 * or a text (a positive, e.g. "self_exclusion"); 1 when left out. */
struct eval_label {
	char player_id[PLAYER_ID_MAX + 1];
	int64_t ts_ms;
	bool positive;
	char text[EVAL_LABEL_TEXT_MAX + 1]; /* "1", "0" or the text */
};

/* Parses one line (without its newline; a trailing CR is allowed).
 * Returns 1 with *out filled, 0 for a header line
 * ("player_id,label_ts[,label]"), or -1 with one line in err naming the
 * field ("label_ts: \"x\" is not an RFC 3339 time"). */
int evaluate_label_parse(const char *line, size_t len, struct eval_label *out, char *err, size_t errlen);

/* ---- the backtest ------------------------------------------------------- */

struct evaluate_config {
	const struct policy_set *policies; /* borrowed; every pack at once, as replay */
	int horizon_days;                  /* score only up to this many days before a label */
	bool label_self_exclusion;         /* each player's first self-exclusion is their label */
	bool caller_dedupes;               /* a shard: the caller skips duplicates (eval_dedupe) */
};

/* The duplicate check of evaluate_event, on its own for a reader that
 * hands events to shards: every shard must see the same verdicts, whatever
 * the number of shards, so one check runs before the events are split.
 * Replay's window: an event id seen within STORE_DEDUPE_WINDOW_DAYS behind
 * the newest accepted event is a duplicate. Keeps 48 bits of a 64-bit
 * digest and the UTC day per id in the window (8 bytes), in a table at
 * most half full and a quarter full after it grows (memory grows with the
 * events of 35 days, not with the length of the history;
 * eval_dedupe_new_sized may start it larger).
 * An id older than the window is forgotten when the table next fills, so
 * it may be found a little longer, never shorter, as in replay. */
struct eval_dedupe;
struct eval_dedupe *eval_dedupe_new(void); /* NULL when out of memory */
/* The same, sized up front for about expect_ids ids in the window (a guess
 * from the input's size; the table still grows as it needs). */
struct eval_dedupe *eval_dedupe_new_sized(size_t expect_ids);
void eval_dedupe_free(struct eval_dedupe *d);
/* 1 when ev's id was seen within the window, else 0 (and now it is);
 * -1 when out of memory. */
int eval_dedupe_seen(struct eval_dedupe *d, const struct event *ev);
/* A hint that the check of ev comes soon: the table is far larger than
 * the caches, and a reader that parses the next line meanwhile hides the
 * wait for ev's slot. Returns the digest of ev's id for
 * eval_dedupe_seen_digest. */
uint64_t eval_dedupe_prefetch(const struct eval_dedupe *d, const struct event *ev);
/* eval_dedupe_seen with the id's digest that eval_dedupe_prefetch
 * returned, so it is hashed once. */
int eval_dedupe_seen_digest(struct eval_dedupe *d, uint64_t digest, int64_t ts_ms);
/* The digest the duplicate window keeps of an event id (and the players'
 * table of a player id): XXH64, in memory only. */
uint64_t evaluate_id_digest(const char *id);
/* The prefetch for an id whose digest (evaluate_id_digest) is known already. */
void eval_dedupe_prefetch_digest(const struct eval_dedupe *d, uint64_t digest);

struct evaluate;

struct evaluate *evaluate_new(const struct evaluate_config *cfg, char *err, size_t errlen);
void evaluate_free(struct evaluate *e);

/* Adds a label read at line lineno of a labels file. -1 with err for a
 * second row of the same player (naming the first one's line). */
int evaluate_add_label(struct evaluate *e, const struct eval_label *l, int64_t lineno, char *err, size_t errlen);

/* With label_self_exclusion: makes a self-exclusion event the player's
 * label if it is their earliest yet (a first pass over a file gives every
 * label before any event is scored; without it a label found on the way
 * cuts off only the events after it). Other events are ignored. */
int evaluate_note_self_exclusion(struct evaluate *e, const struct event *ev, char *err, size_t errlen);

enum eval_outcome { EVAL_SCORED, EVAL_DUPLICATE, EVAL_AFTER_CUTOFF };

/* One parsed event. -1 only when out of memory or an alert id cannot be
 * hashed. */
int evaluate_event(struct evaluate *e, const struct event *ev, enum eval_outcome *outcome, char *err,
		   size_t errlen);

/* A hint that an event of player_id comes next: asks the caches for the
 * player's record and state (~3 KB; with thousands of players they are far
 * larger than the caches, and scoring an event reads most of its player's
 * state), so that a caller that still has work on the event before it
 * hides the wait. No effect on the results. */
void evaluate_prefetch_player(const struct evaluate *e, const char *player_id);
/* The same for a player id whose digest (evaluate_id_digest) is known
 * already: reads nothing of the event. */
void evaluate_prefetch_player_digest(const struct evaluate *e, uint64_t player_digest);

/* Counts lines that event_parse refused and duplicates the caller found
 * (with caller_dedupes), which are not scored. */
void evaluate_note_skipped(struct evaluate *e, long long duplicates, long long rejected);

/* After the last event: whether every event scored came before its
 * player's cut-off. Always so when the labels were all known before the
 * first event; with labels learned from the events on the way (a
 * self-exclusion noted as it comes), false when an event scored before the
 * label was known lies at or after the cut-off the label set (a history
 * out of time order, or one at the same millisecond): the results then
 * differ from a run that knew the labels first. */
bool evaluate_cutoffs_held(const struct evaluate *e);

/* --threads: players are split into shards by a hash of their id, each
 * shard an evaluate of its own (caller_dedupes) fed only its players'
 * events, in file order. The shard of a player, 0..nshards-1: */
int evaluate_shard_of(const char *player_id, int nshards);
/* The same from the id's digest (evaluate_id_digest). */
int evaluate_shard_of_digest(uint64_t player_digest, int nshards);

/* Moves every player and count of from into into (the shards hold
 * different players); from is left empty. The merged evaluate gives the
 * same results as one that saw every event. -1 when out of memory. */
int evaluate_merge(struct evaluate *into, struct evaluate *from, char *err, size_t errlen);

/* After the last event: -1 with err and *lineno when a label names a
 * player who has no event (the lowest such line). */
int evaluate_check_labels(const struct evaluate *e, int64_t *lineno, char *err, size_t errlen);

/* One player's result. Times are ENGINE_NO_TIME when not set. */
struct eval_player {
	const char *player_id;
	bool labelled;             /* a row in the labels (or a self-exclusion) */
	bool positive;
	const char *label_text;    /* "1", "0", the label's text; "" when not labelled */
	int64_t label_ts_ms;
	int max_score;             /* before the cut-off */
	enum risk_level max_level;
	int64_t first_alert_ms;    /* the first harm alert */
	enum risk_level first_alert_level;
	uint64_t rules_fired;      /* bit per enum rule_id whose marker held, or which fell due */
};

/* Calls fn for each player who has events, in player_id order. fn
 * returning non-zero stops and is returned. -1 when out of memory. */
typedef int (*evaluate_player_fn)(void *ctx, const struct eval_player *p);
int evaluate_each_player(const struct evaluate *e, evaluate_player_fn fn, void *ctx);

struct eval_rule_stats {
	long long players, labelled; /* players it fired for; the positives among them */
	struct eval_prf prf;
};

enum eval_cut { EVAL_CUT_ALERT, EVAL_CUT_AMBER, EVAL_CUT_RED, EVAL_CUT_COUNT };
const char *evaluate_cut_name(enum eval_cut c); /* "alert", "amber", "red" */

/* The ROC curve of max_score, a point per threshold 101 (nobody flagged)
 * down to 0 (everybody): the share of negatives and of positives scoring
 * at least the threshold. Scores are 0-100. */
#define EVAL_ROC_POINTS 102
struct eval_roc_point {
	int threshold;
	double fpr, tpr;
};

/* Lead times in whole days (the last bin: that many or more). */
#define EVAL_LEAD_BINS 61
/* Alerts a day, plotted in at most this many bars (a bar is several days
 * when the history is longer). */
#define EVAL_PLOT_BARS 200

struct eval_summary {
	long long players, labelled, positives;
	long long events, scored, after_cutoff, duplicates, rejected;
	struct eval_auroc auroc;          /* of max_score */
	struct eval_prf flag[EVAL_CUT_COUNT]; /* a harm alert; max level amber or more; red or more */
	long long lead_n;                 /* positives alerted before the cut-off */
	double lead_p25, lead_median, lead_p75; /* days from the first alert to the label */
	long long harm_alerts, escalations, obligations;
	long long player_days;            /* days on which a player had a scored event */
	long long days;                   /* UTC days from the first scored event to the last */
	double alerts_per_1000_player_days, alerts_per_day; /* harm alerts and obligations */
	struct eval_rule_stats rules[RULE_COUNT];
	struct eval_roc_point roc[EVAL_ROC_POINTS]; /* all NaN rates without both classes */
	long long lead_hist[EVAL_LEAD_BINS];
	/* Harm alerts and obligations opened per UTC day (by event time), from
	 * the first scored event's day: day_bars bars of day_bin days each. */
	int64_t day_first_ms;
	int day_bin, day_bars;
	long long day_alerts[EVAL_PLOT_BARS];
};

/* The ROC curve of integer scores 0-100 (above 100 counts as 100). */
void evaluate_roc(const double *score, const bool *positive, size_t n, struct eval_roc_point out[EVAL_ROC_POINTS]);

/* Of the players with events in a, how many reached a higher (*up) or a
 * lower (*down) highest level in b (the same events under other packs). */
void evaluate_compare_levels(const struct evaluate *a, const struct evaluate *b, long long *up, long long *down);

/* The metrics over every player with events. -1 when out of memory. */
int evaluate_summarize(const struct evaluate *e, struct eval_summary *out, char *err, size_t errlen);

#endif
