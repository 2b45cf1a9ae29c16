/* evaluate.c -- the backtest of `rgmon evaluate` and its metric maths
 * (evaluate.h). In memory, no I/O, no clock: the same engine_apply and
 * alert_decide() as replay and serve, per player, up to the label. */
#include "rgmon/evaluate.h"
#include "rgmon/alert_decide.h"
#include "rgmon/digest.h"
#include "rgmon/engine.h"
#include "rgmon/huge_alloc.h"
#include "rgmon/state.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the metric maths --------------------------------------------------- */

struct scored {
	double score;
	bool positive;
};

static int by_score(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;
	return (x > y) - (x < y);
}

/* Hanley & McNeil (1982): the standard error of an AUC a from np
 * positives and nn negatives. */
static double hanley_mcneil_se(double a, double np, double nn)
{
	double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
	double var = (a * (1 - a) + (np - 1) * (q1 - a * a) + (nn - 1) * (q2 - a * a)) / (np * nn);
	return var > 0 ? sqrt(var) : 0;
}

void evaluate_auroc(const double *score, const bool *positive, size_t n, struct eval_auroc *out)
{
	out->value = out->lo = out->hi = NAN;
	out->positives = out->negatives = 0;
	for (size_t i = 0; i < n; i++)
		positive[i] ? out->positives++ : out->negatives++;
	if (!out->positives || !out->negatives)
		return;
	struct scored *s = malloc(n * sizeof(*s));
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct scored){ score[i], positive[i] };
	qsort(s, n, sizeof(*s), by_score);
	/* Mann-Whitney: the sum of the positives' ranks, ties at their mid-rank. */
	double rank_sum = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		long long pos = 0;
		while (j < n && s[j].score == s[i].score)
			pos += s[j++].positive;
		double mid_rank = (double)(i + 1 + j) / 2; /* ranks i+1 .. j */
		rank_sum += mid_rank * (double)pos;
		i = j;
	}
	free(s);
	double np = (double)out->positives, nn = (double)out->negatives;
	double a = (rank_sum - np * (np + 1) / 2) / (np * nn);
	double se = hanley_mcneil_se(a, np, nn);
	out->value = a;
	out->lo = fmax(0, a - 1.959964 * se);
	out->hi = fmin(1, a + 1.959964 * se);
}

void evaluate_roc(const double *score, const bool *positive, size_t n, struct eval_roc_point out[EVAL_ROC_POINTS])
{
	long long pos[EVAL_ROC_POINTS] = { 0 }, neg[EVAL_ROC_POINTS] = { 0 }, np = 0, nn = 0;
	for (size_t i = 0; i < n; i++) {
		int s = score[i] <= 0 ? 0 : score[i] >= 100 ? 100 : (int)score[i];
		positive[i] ? (pos[s]++, np++) : (neg[s]++, nn++);
	}
	long long tp = 0, fp = 0;
	for (int t = EVAL_ROC_POINTS - 1; t >= 0; t--) {
		if (t <= 100)
			tp += pos[t], fp += neg[t];
		struct eval_roc_point *p = &out[EVAL_ROC_POINTS - 1 - t];
		p->threshold = t;
		p->fpr = nn ? (double)fp / (double)nn : NAN;
		p->tpr = np ? (double)tp / (double)np : NAN;
	}
}

double evaluate_percentile(const double *sorted, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double at = p * (double)(n - 1);
	size_t lo = (size_t)floor(at);
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (at - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void evaluate_prf(long long flagged, long long true_pos, long long positives, struct eval_prf *out)
{
	out->flagged = flagged;
	out->true_pos = true_pos;
	out->positives = positives;
	out->precision = flagged ? (double)true_pos / (double)flagged : NAN;
	out->recall = positives ? (double)true_pos / (double)positives : NAN;
	double sum = out->precision + out->recall;
	out->f1 = isnan(sum) ? NAN : sum > 0 ? 2 * out->precision * out->recall / sum : 0;
}

const char *evaluate_cut_name(enum eval_cut c)
{
	static const char *const names[EVAL_CUT_COUNT] = { "alert", "amber", "red" };
	return (unsigned)c < EVAL_CUT_COUNT ? names[c] : "?";
}

/* ---- labels ------------------------------------------------------------- */

/* The next comma-separated field of line[*at..len) into out (NUL-ended). */
static size_t next_field(const char *line, size_t len, size_t *at, char *out, size_t outlen)
{
	size_t start = *at, end = start;
	while (end < len && line[end] != ',')
		end++;
	size_t n = end - start;
	size_t kept = n < outlen - 1 ? n : outlen - 1;
	memcpy(out, line + start, kept);
	out[kept] = '\0';
	*at = end + 1; /* past the comma, or past len at the end */
	return n;
}

static bool label_text_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == ',')
			return false;
	return true;
}

int evaluate_label_parse(const char *line, size_t len, struct eval_label *out, char *err, size_t errlen)
{
	char field[3][256];
	size_t flen[3] = { 0 };
	int nfields = 0;
	size_t at = 0;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	while (at <= len && nfields < 4) {
		if (nfields == 3)
			return seterr(err, errlen, "more than 3 fields (player_id,label_ts[,label])");
		flen[nfields] = next_field(line, len, &at, field[nfields], sizeof(field[nfields]));
		nfields++;
	}
	if (strcmp(field[0], "player_id") == 0 && nfields >= 2 && strcmp(field[1], "label_ts") == 0)
		return 0;
	if (nfields < 2)
		return seterr(err, errlen, "label_ts: missing (player_id,label_ts[,label])");
	if (flen[0] > PLAYER_ID_MAX || !event_player_id_valid(field[0]))
		return seterr(err, errlen, "player_id: \"%.64s\" is not a player id (1-64 of A-Z a-z 0-9 . _ : -)",
			      field[0]);
	rg_strlcpy(out->player_id, field[0], sizeof(out->player_id));
	if (flen[1] >= sizeof(field[1]) || ts_parse_rfc3339(field[1], &out->ts_ms) < 0)
		return seterr(err, errlen, "label_ts: \"%.64s\" is not an RFC 3339 time", field[1]);
	if (nfields == 2) {
		out->positive = true;
		rg_strlcpy(out->text, "1", sizeof(out->text));
		return 1;
	}
	if (flen[2] == 0 || flen[2] > EVAL_LABEL_TEXT_MAX || !label_text_ok(field[2]))
		return seterr(err, errlen, "label: \"%.64s\" is not 1, 0 or a text of 1-%d printable characters",
			      field[2], EVAL_LABEL_TEXT_MAX);
	rg_strlcpy(out->text, field[2], sizeof(out->text));
	out->positive = strcmp(field[2], "0") != 0;
	return 1;
}

/* ---- players ------------------------------------------------------------ */

struct player {
	char id[PLAYER_ID_MAX + 1];
	uint64_t hash;
	bool seen;          /* has events */
	bool labelled, positive;
	char label_text[EVAL_LABEL_TEXT_MAX + 1];
	int64_t label_ts_ms, label_line;
	int max_score;
	uint8_t max_level;
	uint8_t first_alert_level;
	int64_t first_alert_ms;
	int64_t last_day;   /* UTC day of the last scored event, for player-days */
	int64_t latest_scored_ms; /* the latest event time scored, for evaluate_cutoffs_held */
	long long active_days;
	uint64_t rules_fired;
	struct alert *open; /* the open harm alert, while the player has one */
	struct player_state state;
};

uint64_t evaluate_id_digest(const char *id) { return digest_xxh64(id, strlen(id)); }

/* An event id seen within the duplicate window (replay's: the store keeps
 * event ids STORE_DEDUPE_WINDOW_DAYS behind the newest event), in 8 bytes:
 * the high 48 bits of its digest (its key, never 0) and, in the low 16, its
 * UTC day modulo 2^16. 0 is a free slot. Half the 16 bytes of a digest and
 * a time: the table is what evaluate keeps most of (a 35-day window of a
 * large operator is tens of millions of ids) and every event reads a slot
 * of it at random. Two ids are taken for one only when their keys agree
 * and one's probe run reaches the other: about 2 in 2^48 (~7e-15) an
 * event, against 2 in 2^64 with the whole digest. */
struct seen_id {
	uint64_t slot;
};

static uint64_t id_key(uint64_t digest) { return digest >> 16 ? digest >> 16 : 1; }
static uint64_t slot_key(struct seen_id id) { return id.slot >> 16; }
static struct seen_id id_slot(uint64_t key, int64_t day)
{
	return (struct seen_id){ key << 16 | (uint64_t)(day & 0xffff) };
}
/* Older than the window: its day more than the window's days before
 * newest_day (modulo 2^16: an id ~180 years older may stay, never one
 * within the window leave). */
static bool slot_old(struct seen_id id, int64_t newest_day)
{
	return (uint16_t)((uint64_t)newest_day - (id.slot & 0xffff)) > STORE_DEDUPE_WINDOW_DAYS;
}

#define IDS_CAP_MIN (1u << 16)
#define IDS_CAP_GUESS_MAX (1u << 23) /* 64 MB: the most a guess of the ids sizes up front */

/* The event ids of the duplicate window: open addressing by key,
 * linear probing. The table has any number of slots, not a power of two:
 * sized from a guess of the ids, a power of two could double it, and each
 * page of it costs a fault and its zeroing when first touched. */
struct eval_dedupe {
	struct seen_id *ids;
	size_t nids, ids_cap;
	int64_t newest_day; /* UTC day of the newest accepted event, for the duplicate window */
};

/* The slot a key starts from in a table of cap slots, and the slot after
 * j. */
static size_t ids_home(uint64_t key, size_t cap) { return (size_t)(key % cap); }
static size_t ids_next(size_t j, size_t cap) { return j + 1 == cap ? 0 : j + 1; }

/* Players and their open alerts are carved from slabs of SLAB_BYTES
 * (mmap, huge pages asked for) rather than allocated one by one: a player
 * is ~3 KB and an alert ~18 KB written at once, and a fault per 4 KB page
 * (~4 us in this VM) was most of the cost of a new one. Nothing carved is
 * freed before the evaluate is: a player and its alert last to the end. */
#define SLAB_BYTES (8u << 20)
#define SLAB_HEADER 64 /* what is carved starts on a cache line */
struct slab {
	struct slab *next;
	size_t used; /* bytes carved after the header */
};

struct evaluate {
	struct evaluate_config cfg;
	struct player **players; /* open addressing by hash; NULL = free */
	size_t nplayers, players_cap;
	struct slab *slabs; /* newest first; shards' slabs move here on merge */
	struct eval_dedupe *dedupe; /* NULL when the caller dedupes (cfg.caller_dedupes) */
	int64_t first_scored_ms, last_scored_ms;
	long long events, scored, after_cutoff, duplicates, rejected;
	long long harm_alerts, escalations, obligations;
	long long *day_alerts;   /* harm alerts and obligations per UTC day, from day0 */
	int64_t day0;
	size_t ndays;
	struct alert_change *change; /* ~74 KB: one, reused */
};

struct evaluate *evaluate_new(const struct evaluate_config *cfg, char *err, size_t errlen)
{
	struct evaluate *e = calloc(1, sizeof(*e));
	if (!e)
		goto oom;
	e->cfg = *cfg;
	e->players_cap = 1024;
	e->players = calloc(e->players_cap, sizeof(*e->players));
	e->change = malloc(sizeof(*e->change));
	if (!cfg->caller_dedupes && !(e->dedupe = eval_dedupe_new()))
		goto oom;
	if (!e->players || !e->change)
		goto oom;
	e->first_scored_ms = e->last_scored_ms = ENGINE_NO_TIME;
	return e;
oom:
	evaluate_free(e);
	seterr(err, errlen, "out of memory");
	return NULL;
}

void evaluate_free(struct evaluate *e)
{
	if (!e)
		return;
	while (e->slabs) {
		struct slab *next = e->slabs->next;
		huge_free(e->slabs, SLAB_BYTES);
		e->slabs = next;
	}
	free(e->players);
	free(e->day_alerts);
	eval_dedupe_free(e->dedupe);
	free(e->change);
	free(e);
}

static int players_grow(struct evaluate *e)
{
	size_t cap = e->players_cap * 2;
	struct player **t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < e->players_cap; i++) {
		struct player *p = e->players[i];
		if (!p)
			continue;
		size_t j = p->hash & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = p;
	}
	free(e->players);
	e->players = t;
	e->players_cap = cap;
	return 0;
}

/* size zeroed bytes on a cache line, from the newest slab or a new one;
 * NULL when out of memory. */
static void *slab_carve(struct evaluate *e, size_t size)
{
	size = (size + 63) / 64 * 64;
	if (size > SLAB_BYTES - SLAB_HEADER)
		return NULL;
	if (!e->slabs || e->slabs->used + size > SLAB_BYTES - SLAB_HEADER) {
		struct slab *slab = huge_alloc(SLAB_BYTES);
		if (!slab)
			return NULL;
		slab->next = e->slabs;
		slab->used = 0;
		e->slabs = slab;
	}
	void *p = (char *)e->slabs + SLAB_HEADER + e->slabs->used;
	e->slabs->used += size;
	return p; /* zero: fresh anonymous memory */
}

static struct player *player_get(struct evaluate *e, const char *id, bool create)
{
	uint64_t h = evaluate_id_digest(id);
	size_t j = h & (e->players_cap - 1);
	for (; e->players[j]; j = (j + 1) & (e->players_cap - 1))
		if (e->players[j]->hash == h && strcmp(e->players[j]->id, id) == 0)
			return e->players[j];
	if (!create)
		return NULL;
	if (2 * (e->nplayers + 1) > e->players_cap) {
		if (players_grow(e) < 0)
			return NULL;
		return player_get(e, id, true);
	}
	struct player *p = slab_carve(e, sizeof(*p));
	if (!p)
		return NULL;
	rg_strlcpy(p->id, id, sizeof(p->id));
	p->hash = h;
	p->label_ts_ms = p->first_alert_ms = ENGINE_NO_TIME;
	p->latest_scored_ms = ENGINE_NO_TIME;
	p->last_day = INT64_MIN;
	state_init(&p->state);
	e->players[j] = p;
	e->nplayers++;
	return p;
}

void evaluate_prefetch_player(const struct evaluate *e, const char *player_id)
{
	evaluate_prefetch_player_digest(e, evaluate_id_digest(player_id));
}

void evaluate_prefetch_player_digest(const struct evaluate *e, uint64_t player_digest)
{
	/* The player in the id's first slot: nearly always the one (the table
	 * is at most half full); another is only a wasted hint. Every other
	 * cache line: the core's prefetcher brings the pair of a line it
	 * fetches, and a hint for each of the ~46 lines took more than it
	 * gave (bench's 300k events, pinned to one core, five runs each,
	 * median: every line 822k events/s, none 864k, every other 881k; on
	 * 500k events of 20,000 players 765k, 808k and 854k). */
	const struct player *p = e->players[player_digest & (e->players_cap - 1)];
	if (!p)
		return;
	for (size_t off = 0; off < sizeof(*p); off += 128)
		__builtin_prefetch((const char *)p + off);
}

int evaluate_add_label(struct evaluate *e, const struct eval_label *l, int64_t lineno, char *err, size_t errlen)
{
	struct player *p = player_get(e, l->player_id, true);
	if (!p)
		return seterr(err, errlen, "out of memory");
	if (p->labelled)
		return seterr(err, errlen, "player \"%s\" has a label already, on line %lld", l->player_id,
			      (long long)p->label_line);
	p->labelled = true;
	p->positive = l->positive;
	rg_strlcpy(p->label_text, l->text, sizeof(p->label_text));
	p->label_ts_ms = l->ts_ms;
	p->label_line = lineno;
	return 0;
}

int evaluate_note_self_exclusion(struct evaluate *e, const struct event *ev, char *err, size_t errlen)
{
	if (!e->cfg.label_self_exclusion || ev->type != EVENT_SELF_EXCLUSION)
		return 0;
	struct player *p = player_get(e, ev->player_id, true);
	if (!p)
		return seterr(err, errlen, "out of memory");
	if (p->labelled && p->label_ts_ms <= ev->ts_ms)
		return 0;
	p->labelled = p->positive = true;
	rg_strlcpy(p->label_text, "1", sizeof(p->label_text));
	p->label_ts_ms = ev->ts_ms;
	return 0;
}

/* ---- the duplicate window ---------------------------------------------- */

/* A table of cap ids (512 KB at least), from huge_alloc: it is read at
 * random, one id per event, and with 4 KB pages nearly every look-up
 * would also miss the TLB and the first touch of each page would fault. */
static struct seen_id *ids_alloc(size_t cap) { return huge_alloc(cap * sizeof(struct seen_id)); }

static void ids_free(struct seen_id *ids, size_t cap) { huge_free(ids, cap * sizeof(struct seen_id)); }

struct eval_dedupe *eval_dedupe_new_sized(size_t expect_ids)
{
	struct eval_dedupe *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	/* A little over twice the ids: under half full when the guess holds,
	 * so the table neither fills (and is rebuilt) nor is far too large. */
	size_t cap = 2 * expect_ids + expect_ids / 4;
	d->ids_cap = cap < IDS_CAP_MIN ? IDS_CAP_MIN : cap > IDS_CAP_GUESS_MAX ? IDS_CAP_GUESS_MAX : cap;
	d->newest_day = INT64_MIN;
	if (!(d->ids = ids_alloc(d->ids_cap))) {
		free(d);
		return NULL;
	}
	return d;
}

struct eval_dedupe *eval_dedupe_new(void) { return eval_dedupe_new_sized(0); }

void eval_dedupe_free(struct eval_dedupe *d)
{
	if (!d)
		return;
	ids_free(d->ids, d->ids_cap);
	free(d);
}

/* Forgets the ids older than oldest in place: the table's pages are
 * touched already, where a new one would fault every page in again (a
 * table of the 35-day window is hundreds of MB). Empties the old slots,
 * then puts each id left back where a lookup looks for it, cluster by
 * cluster from an empty slot on, so each lands at or before its slot. */
static void ids_prune(struct eval_dedupe *d)
{
	size_t start = 0;
	for (size_t i = 0; i < d->ids_cap; i++)
		if (d->ids[i].slot && slot_old(d->ids[i], d->newest_day))
			d->ids[i].slot = 0;
	while (d->ids[start].slot) /* the table is at most half full: there is one */
		start++;
	d->nids = 0;
	for (size_t n = 0; n < d->ids_cap; n++) {
		size_t i = (start + n) % d->ids_cap;
		if (!d->ids[i].slot)
			continue;
		struct seen_id id = d->ids[i];
		d->ids[i].slot = 0;
		size_t j = ids_home(slot_key(id), d->ids_cap);
		while (d->ids[j].slot)
			j = ids_next(j, d->ids_cap);
		d->ids[j] = id;
		d->nids++;
	}
}

/* Half full: forgets the ids older than the window, and moves those left
 * to a larger table when they would fill a quarter of this one. */
static int ids_rebuild(struct eval_dedupe *d)
{
	size_t kept = 0, cap = d->ids_cap;
	for (size_t i = 0; i < d->ids_cap; i++)
		kept += d->ids[i].slot && !slot_old(d->ids[i], d->newest_day);
	while (4 * kept > cap)
		cap *= 2;
	if (cap == d->ids_cap) {
		ids_prune(d);
		return 0;
	}
	struct seen_id *t = ids_alloc(cap);
	if (!t)
		return -1;
	for (size_t i = 0; i < d->ids_cap; i++) {
		if (!d->ids[i].slot || slot_old(d->ids[i], d->newest_day))
			continue;
		size_t j = ids_home(slot_key(d->ids[i]), cap);
		while (t[j].slot)
			j = ids_next(j, cap);
		t[j] = d->ids[i];
	}
	ids_free(d->ids, d->ids_cap);
	d->ids = t;
	d->ids_cap = cap;
	d->nids = kept;
	return 0;
}

uint64_t eval_dedupe_prefetch(const struct eval_dedupe *d, const struct event *ev)
{
	uint64_t h = evaluate_id_digest(ev->event_id);
	__builtin_prefetch(&d->ids[ids_home(id_key(h), d->ids_cap)]);
	return h;
}

void eval_dedupe_prefetch_digest(const struct eval_dedupe *d, uint64_t digest)
{
	__builtin_prefetch(&d->ids[ids_home(id_key(digest), d->ids_cap)]);
}

int eval_dedupe_seen_digest(struct eval_dedupe *d, uint64_t h, int64_t ts_ms)
{
	uint64_t key = id_key(h);
	size_t j = ids_home(key, d->ids_cap);
	for (; d->ids[j].slot; j = ids_next(j, d->ids_cap))
		if (slot_key(d->ids[j]) == key)
			return 1;
	int64_t day = ts_floor_div(ts_ms, MS_PER_DAY);
	d->ids[j] = id_slot(key, day);
	if (day > d->newest_day)
		d->newest_day = day;
	/* Half full: forget the ids older than the window, grow if need be. */
	if (2 * ++d->nids > d->ids_cap && ids_rebuild(d) < 0)
		return -1;
	return 0;
}

int eval_dedupe_seen(struct eval_dedupe *d, const struct event *ev)
{
	return eval_dedupe_seen_digest(d, evaluate_id_digest(ev->event_id), ev->ts_ms);
}

/* ---- scoring ------------------------------------------------------------ */

static int64_t utc_day(int64_t ms) { return ts_floor_div(ms, MS_PER_DAY); }

/* Adds n alerts on the UTC day of ms, growing the days on either side. */
static int count_day_alerts(struct evaluate *e, int64_t ms, long long n)
{
	int64_t day = utc_day(ms);
	if (!e->ndays || day < e->day0 || day >= e->day0 + (int64_t)e->ndays) {
		int64_t lo = e->ndays && e->day0 < day ? e->day0 : day;
		int64_t hi = e->ndays && e->day0 + (int64_t)e->ndays - 1 > day ? e->day0 + (int64_t)e->ndays - 1 : day;
		if (hi - lo >= EVENT_DAYS_MAX * 4LL) /* four centuries: a broken clock, not history */
			return 0;
		long long *t = calloc((size_t)(hi - lo + 1), sizeof(*t));
		if (!t)
			return -1;
		if (e->ndays)
			memcpy(t + (e->day0 - lo), e->day_alerts, e->ndays * sizeof(*t));
		free(e->day_alerts);
		e->day_alerts = t;
		e->day0 = lo;
		e->ndays = (size_t)(hi - lo + 1);
	}
	e->day_alerts[day - e->day0] += n;
	return 0;
}

static int64_t cutoff_of(const struct evaluate *e, const struct player *p)
{
	if (!p->labelled)
		return INT64_MAX;
	return p->label_ts_ms - (int64_t)e->cfg.horizon_days * MS_PER_DAY;
}

/* What alert_decide() makes of the event, applied to the player's copy of
 * their open harm alert (serve applies it to the store). */
static int apply_alerts(struct evaluate *e, struct player *p, const struct event *ev,
			const struct engine_result *res, const struct policy *pol, char *err, size_t errlen)
{
	struct alert_change *ch = e->change;
	/* The markers' evidence changes only the alert's evidence list, which
	 * evaluate does not report: NULL, as alert_decide allows. */
	if (alert_decide(p->open, ev, &p->state, res, pol, NULL, ch) < 0)
		return seterr(err, errlen, "cannot hash the alert id");
	e->obligations += ch->nobligations;
	long long opened = ch->nobligations + (ch->kind == ALERT_CHANGE_OPEN);
	if (opened && count_day_alerts(e, ev->ts_ms, opened) < 0)
		return seterr(err, errlen, "out of memory");
	for (int i = 0; i < ch->nobligations; i++)
		p->rules_fired |= 1ull << ch->obligations[i].rules[0];
	if (ch->kind == ALERT_CHANGE_OPEN) {
		if (!p->open && !(p->open = slab_carve(e, sizeof(*p->open))))
			return seterr(err, errlen, "out of memory");
		*p->open = ch->alert;
		e->harm_alerts++;
		if (p->first_alert_ms == ENGINE_NO_TIME) {
			p->first_alert_ms = ch->alert.created_ms;
			p->first_alert_level = (uint8_t)ch->alert.level;
		}
	} else if (ch->kind == ALERT_CHANGE_ESCALATE) {
		/* Counted as the alert counts them: raises, not rules joining. */
		e->escalations += ch->alert.escalations - p->open->escalations;
		*p->open = ch->alert;
	}
	return 0;
}

static void note_scored(struct evaluate *e, struct player *p, const struct event *ev,
			const struct engine_result *res)
{
	e->scored++;
	if (e->first_scored_ms == ENGINE_NO_TIME || ev->ts_ms < e->first_scored_ms)
		e->first_scored_ms = ev->ts_ms;
	if (e->last_scored_ms == ENGINE_NO_TIME || ev->ts_ms > e->last_scored_ms)
		e->last_scored_ms = ev->ts_ms;
	if (ev->ts_ms > p->latest_scored_ms)
		p->latest_scored_ms = ev->ts_ms;
	int64_t day = utc_day(ev->ts_ms);
	if (day > p->last_day) {
		p->last_day = day;
		p->active_days++;
	}
	if (res->score > p->max_score)
		p->max_score = res->score;
	if (res->level > p->max_level)
		p->max_level = res->level;
	for (int i = 0; i < res->nnew; i++)
		p->rules_fired |= 1ull << res->new_rules[i];
}

int evaluate_event(struct evaluate *e, const struct event *ev, enum eval_outcome *outcome, char *err,
		   size_t errlen)
{
	int dup = e->dedupe ? eval_dedupe_seen(e->dedupe, ev) : 0;
	if (dup < 0)
		return seterr(err, errlen, "out of memory");
	if (dup) {
		evaluate_note_skipped(e, 1, 0);
		*outcome = EVAL_DUPLICATE;
		return 0;
	}
	e->events++;
	if (evaluate_note_self_exclusion(e, ev, err, errlen) < 0)
		return -1;
	struct player *p = player_get(e, ev->player_id, true);
	if (!p)
		return seterr(err, errlen, "out of memory");
	p->seen = true;
	if (ev->ts_ms >= cutoff_of(e, p)) {
		e->after_cutoff++;
		*outcome = EVAL_AFTER_CUTOFF;
		return 0;
	}
	const struct policy *pol = policy_set_for_event(e->cfg.policies, p->state.country, ev);
	struct engine_result res;
	engine_apply(&p->state, ev, pol, &res);
	note_scored(e, p, ev, &res);
	if (alert_event_matters(&res) && apply_alerts(e, p, ev, &res, pol, err, errlen) < 0)
		return -1;
	*outcome = EVAL_SCORED;
	return 0;
}

void evaluate_note_skipped(struct evaluate *e, long long duplicates, long long rejected)
{
	e->events += duplicates + rejected;
	e->duplicates += duplicates;
	e->rejected += rejected;
}

bool evaluate_cutoffs_held(const struct evaluate *e)
{
	for (size_t i = 0; i < e->players_cap; i++) {
		const struct player *p = e->players[i];
		if (p && p->latest_scored_ms != ENGINE_NO_TIME && p->latest_scored_ms >= cutoff_of(e, p))
			return false;
	}
	return true;
}

int evaluate_check_labels(const struct evaluate *e, int64_t *lineno, char *err, size_t errlen)
{
	/* The lowest line first, so the error does not depend on hashing. */
	const struct player *worst = NULL;
	for (size_t i = 0; i < e->players_cap; i++) {
		const struct player *p = e->players[i];
		if (p && !p->seen && p->label_line && (!worst || p->label_line < worst->label_line))
			worst = p;
	}
	if (!worst)
		return 0;
	*lineno = worst->label_line;
	return seterr(err, errlen, "player \"%s\" has no events", worst->id);
}

/* ---- shards -------------------------------------------------------------- */

int evaluate_shard_of(const char *player_id, int nshards)
{
	return evaluate_shard_of_digest(evaluate_id_digest(player_id), nshards);
}

int evaluate_shard_of_digest(uint64_t player_digest, int nshards)
{
	/* The high half of the hash: the low bits place players in a shard's
	 * table, and a shard holding only one residue of them would crowd. */
	return (int)((player_digest >> 32) % (uint64_t)nshards);
}

static void put_player(struct evaluate *e, struct player *p)
{
	size_t j = p->hash & (e->players_cap - 1);
	while (e->players[j])
		j = (j + 1) & (e->players_cap - 1);
	e->players[j] = p;
	e->nplayers++;
}

int evaluate_merge(struct evaluate *into, struct evaluate *from, char *err, size_t errlen)
{
	for (size_t i = 0; i < from->players_cap; i++) {
		struct player *p = from->players[i];
		if (!p)
			continue;
		if (2 * (into->nplayers + 1) > into->players_cap && players_grow(into) < 0)
			return seterr(err, errlen, "out of memory");
		put_player(into, p);
		from->players[i] = NULL;
		from->nplayers--;
	}
	while (from->slabs) { /* into now frees the players it holds */
		struct slab *slab = from->slabs;
		from->slabs = slab->next;
		slab->next = into->slabs;
		into->slabs = slab;
	}
	if (from->first_scored_ms != ENGINE_NO_TIME) {
		if (into->first_scored_ms == ENGINE_NO_TIME || from->first_scored_ms < into->first_scored_ms)
			into->first_scored_ms = from->first_scored_ms;
		if (into->last_scored_ms == ENGINE_NO_TIME || from->last_scored_ms > into->last_scored_ms)
			into->last_scored_ms = from->last_scored_ms;
	}
	for (size_t d = 0; d < from->ndays; d++)
		if (from->day_alerts[d] &&
		    count_day_alerts(into, (from->day0 + (int64_t)d) * MS_PER_DAY, from->day_alerts[d]) < 0)
			return seterr(err, errlen, "out of memory");
	free(from->day_alerts);
	from->day_alerts = NULL;
	from->ndays = 0;
	into->events += from->events, into->scored += from->scored, into->after_cutoff += from->after_cutoff;
	into->duplicates += from->duplicates, into->rejected += from->rejected;
	into->harm_alerts += from->harm_alerts, into->escalations += from->escalations;
	into->obligations += from->obligations;
	from->events = from->scored = from->after_cutoff = from->duplicates = from->rejected = 0;
	from->harm_alerts = from->escalations = from->obligations = 0;
	return 0;
}

/* ---- results ------------------------------------------------------------ */

static int by_id(const void *a, const void *b)
{
	return strcmp((*(const struct player *const *)a)->id, (*(const struct player *const *)b)->id);
}

static void player_row(const struct player *p, struct eval_player *out)
{
	out->player_id = p->id;
	out->labelled = p->labelled;
	out->positive = p->positive;
	out->label_text = p->labelled ? p->label_text : "";
	out->label_ts_ms = p->labelled ? p->label_ts_ms : ENGINE_NO_TIME;
	out->max_score = p->max_score;
	out->max_level = (enum risk_level)p->max_level;
	out->first_alert_ms = p->first_alert_ms;
	out->first_alert_level = (enum risk_level)p->first_alert_level;
	out->rules_fired = p->rules_fired;
}

int evaluate_each_player(const struct evaluate *e, evaluate_player_fn fn, void *ctx)
{
	const struct player **all = malloc((e->nplayers ? e->nplayers : 1) * sizeof(*all));
	size_t n = 0;
	if (!all)
		return -1;
	for (size_t i = 0; i < e->players_cap; i++)
		if (e->players[i] && e->players[i]->seen)
			all[n++] = e->players[i];
	qsort(all, n, sizeof(*all), by_id);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct eval_player row;
		player_row(all[i], &row);
		rc = fn(ctx, &row);
	}
	free(all);
	return rc;
}

void evaluate_compare_levels(const struct evaluate *a, const struct evaluate *b, long long *up, long long *down)
{
	*up = *down = 0;
	for (size_t i = 0; i < a->players_cap; i++) {
		const struct player *p = a->players[i];
		if (!p || !p->seen)
			continue;
		const struct player *q = player_get((struct evaluate *)b, p->id, false);
		int other = q ? q->max_level : LEVEL_GREEN;
		*up += other > p->max_level;
		*down += other < p->max_level;
	}
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Counts for the flags and rules of one player. */
static void count_player(const struct player *p, struct eval_summary *out, long long flagged[EVAL_CUT_COUNT],
			 long long caught[EVAL_CUT_COUNT])
{
	bool at[EVAL_CUT_COUNT] = { p->first_alert_ms != ENGINE_NO_TIME, p->max_level >= LEVEL_AMBER,
				    p->max_level >= LEVEL_RED };
	for (int c = 0; c < EVAL_CUT_COUNT; c++) {
		flagged[c] += at[c];
		caught[c] += at[c] && p->positive;
	}
	for (int r = 0; r < RULE_COUNT; r++)
		if (p->rules_fired & (1ull << r)) {
			out->rules[r].players++;
			out->rules[r].labelled += p->positive;
		}
	out->labelled += p->labelled;
	out->positives += p->positive;
	out->player_days += p->active_days;
}

/* The alerts of each day from the first scored event's to the last's, in
 * at most EVAL_PLOT_BARS bars of day_bin days. */
static void summarize_days(const struct evaluate *e, struct eval_summary *out)
{
	if (e->first_scored_ms == ENGINE_NO_TIME)
		return;
	int64_t first = utc_day(e->first_scored_ms), last = utc_day(e->last_scored_ms);
	int64_t span = last - first + 1;
	out->day_first_ms = first * MS_PER_DAY;
	out->day_bin = (int)((span + EVAL_PLOT_BARS - 1) / EVAL_PLOT_BARS);
	out->day_bars = (int)((span + out->day_bin - 1) / out->day_bin);
	for (size_t d = 0; d < e->ndays; d++) {
		int64_t day = e->day0 + (int64_t)d;
		if (day >= first && day <= last)
			out->day_alerts[(day - first) / out->day_bin] += e->day_alerts[d];
	}
}

int evaluate_summarize(const struct evaluate *e, struct eval_summary *out, char *err, size_t errlen)
{
	size_t cap = e->nplayers ? e->nplayers : 1;
	double *score = malloc(cap * sizeof(*score)), *lead = malloc(cap * sizeof(*lead));
	bool *positive = malloc(cap * sizeof(*positive));
	long long flagged[EVAL_CUT_COUNT] = { 0 }, caught[EVAL_CUT_COUNT] = { 0 };
	size_t n = 0, nlead = 0;
	memset(out, 0, sizeof(*out));
	if (!score || !lead || !positive) {
		free(score), free(lead), free(positive);
		return seterr(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < e->players_cap; i++) {
		const struct player *p = e->players[i];
		if (!p || !p->seen)
			continue;
		score[n] = p->max_score;
		positive[n++] = p->positive;
		count_player(p, out, flagged, caught);
		if (p->positive && p->first_alert_ms != ENGINE_NO_TIME) {
			double days = (double)(p->label_ts_ms - p->first_alert_ms) / (double)MS_PER_DAY;
			lead[nlead++] = days;
			out->lead_hist[days >= EVAL_LEAD_BINS - 1 ? EVAL_LEAD_BINS - 1 : days < 0 ? 0 : (int)days]++;
		}
	}
	out->players = (long long)n;
	evaluate_auroc(score, positive, n, &out->auroc);
	evaluate_roc(score, positive, n, out->roc);
	for (int c = 0; c < EVAL_CUT_COUNT; c++)
		evaluate_prf(flagged[c], caught[c], out->positives, &out->flag[c]);
	for (int r = 0; r < RULE_COUNT; r++)
		evaluate_prf(out->rules[r].players, out->rules[r].labelled, out->positives, &out->rules[r].prf);
	qsort(lead, nlead, sizeof(*lead), by_value);
	out->lead_n = (long long)nlead;
	out->lead_p25 = evaluate_percentile(lead, nlead, 0.25);
	out->lead_median = evaluate_percentile(lead, nlead, 0.5);
	out->lead_p75 = evaluate_percentile(lead, nlead, 0.75);
	out->events = e->events, out->scored = e->scored, out->after_cutoff = e->after_cutoff;
	out->duplicates = e->duplicates, out->rejected = e->rejected;
	out->harm_alerts = e->harm_alerts, out->escalations = e->escalations, out->obligations = e->obligations;
	if (e->first_scored_ms != ENGINE_NO_TIME)
		out->days = e->last_scored_ms / MS_PER_DAY - e->first_scored_ms / MS_PER_DAY + 1;
	summarize_days(e, out);
	double alerts = (double)(e->harm_alerts + e->obligations);
	out->alerts_per_1000_player_days = out->player_days ? 1000 * alerts / (double)out->player_days : NAN;
	out->alerts_per_day = out->days ? alerts / (double)out->days : NAN;
	free(score), free(lead), free(positive);
	return 0;
}
