/* audit_stats.c -- the regulator figures of the audit export's manifest,
 * counted over the alerts the store lists (store_alerts_created_each).
 *
 * Owns: what each figure means (audit_stats.h).
 * Never: writes anything, or reads the clock (now comes from the caller,
 * so an export's figures are those of its exported_at). */
#include "rgmon/audit_stats.h"

struct tally {
	struct audit_stats *out;
	int64_t now_ms;
	int64_t *durations; /* created to first action, ms, of each alert acted on */
	size_t n, cap;
	bool oom;
};

static int tally_alert(void *ctx, const struct store_alert_facts *a)
{
	struct tally *t = ctx;
	struct audit_stats *out = t->out;

	if (a->level >= LEVEL_RED)
		out->alerts_red++;
	else
		out->alerts_amber++;
	enum alert_status status;
	enum alert_outcome outcome;
	if (a->outcome && a->status && alert_status_parse(a->status, &status) == 0 && status == ALERT_RESOLVED &&
	    alert_outcome_parse(a->outcome, &outcome) == 0)
		out->outcomes[outcome]++;
	/* Not resolved and past due, or resolved after it. */
	if (a->resolved_ms == INT64_MIN ? a->due_ms < t->now_ms : a->resolved_ms > a->due_ms)
		out->overdue++;

	int64_t first = a->acknowledged_ms;
	if (first == INT64_MIN || (a->resolved_ms != INT64_MIN && a->resolved_ms < first))
		first = a->resolved_ms;
	if (first == INT64_MIN)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		int64_t *p = realloc(t->durations, cap * sizeof(*p));
		if (!p) {
			t->oom = true;
			return 1;
		}
		t->durations = p;
		t->cap = cap;
	}
	t->durations[t->n++] = first - a->created_ms;
	return 0;
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int audit_stats_compute(struct store *st, int64_t from_ms, int64_t to_ms, const char *player, int64_t now_ms,
			struct audit_stats *out, char *err, size_t errlen)
{
	struct tally t = { .out = out, .now_ms = now_ms };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->median_first_action_s = -1;
	if (store_alerts_created_each(st, from_ms, to_ms, player, tally_alert, &t, err, errlen) < 0)
		goto out;
	if (t.oom) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	out->acted = (int64_t)t.n;
	if (t.n) {
		qsort(t.durations, t.n, sizeof(*t.durations), cmp_int64);
		out->median_first_action_s = t.durations[t.n / 2] / 1000;
	}
	rc = 0;
out:
	free(t.durations);
	return rc;
}
