/* audit_bench.c -- the audit export's speed and memory for `make bench`.
 *
 *   audit_bench fill DB N KEY      appends N records (checkpoints every 1000)
 *   audit_bench export DB KEY OUT FROM_MS
 *        exports the records recorded at or after FROM_MS (0 = all; fill
 *        prints where its last tenth starts: exports select by the wall
 *        time a record was written, not its event time) to OUT and
 *        prints: records N seconds S rate R maxrss_kb K
 *
 * Each export runs in its own process, so its peak RSS is its own: an
 * export of all records against one of a tenth shows whether memory stays
 * flat as the export grows. */
#include "rgmon/audit.h"
#include "rgmon/audit_export.h"
#include "rgmon/clock.h"
#include "rgmon/sign.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define T0_MS 1793491200000LL /* 2026-11-01T00:00:00Z */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fill(const char *db, long n, struct sign_key *key)
{
	char err[512];
	struct store *st = store_open(db, err, sizeof(err));
	if (!st)
		return fprintf(stderr, "audit_bench: %s\n", err), 1;
	int64_t tenth_from_ms = 0;
	for (long i = 0; i < n;) {
		if (!tenth_from_ms && i >= n - n / 10)
			tenth_from_ms = clock_now_ms();
		if (store_begin(st, err, sizeof(err)) < 0)
			return fprintf(stderr, "audit_bench: %s\n", err), 1;
		/* Transactions end at the last tenth's first record, so the
		 * records recorded from tenth_from_ms are exactly that tenth. */
		for (long j = 0; j < 10000 && i < n && (i != n - n / 10 || j == 0); j++, i++) {
			char player[16], event[32];
			snprintf(player, sizeof(player), "p%06ld", i % 50000);
			snprintf(event, sizeof(event), "e-%ld", i);
			json_t *p = json_pack("{s:s, s:s, s:s, s:i, s:[s,s], s:s}", "event_id", event, "from", "green", "to",
					      "amber", "score", (int)(i % 100), "markers", "money.net_loss",
					      "intensity.night_play", "policy", "default-2026.1@sha256:0123456789abcdef");
			if (audit_append(st, T0_MS + i * 1000, AUDIT_LEVEL_CHANGE, player, p, err, sizeof(err)) < 0)
				return fprintf(stderr, "audit_bench: %s\n", err), 1;
		}
		if (store_commit(st, err, sizeof(err)) < 0 ||
		    audit_checkpoint_if_due(st, key, T0_MS + i * 1000, 1000, INT64_MAX / 2, NULL, err, sizeof(err)) < 0)
			return fprintf(stderr, "audit_bench: %s\n", err), 1;
	}
	store_close(st);
	printf("tenth_from_ms %lld\n", (long long)tenth_from_ms);
	return 0;
}

static int export(const char *db, struct sign_key *key, const char *out_path, int64_t from_ms)
{
	char err[512];
	struct store *st = store_open_readonly(db, err, sizeof(err));
	int64_t first, count;
	if (!st || store_audit_extent(st, &first, &count, err, sizeof(err)) < 0)
		return fprintf(stderr, "audit_bench: %s\n", err), 1;
	struct audit_export_options o = { .from_ms = from_ms, .to_ms = INT64_MAX / 2, .key = key, .now_ms = T0_MS };
	struct audit_export_result res;
	FILE *out = fopen(out_path, "w");
	if (!out)
		return fprintf(stderr, "audit_bench: cannot write %s\n", out_path), 1;
	double t = now_s();
	if (audit_export(st, &o, out, &res, err, sizeof(err)) < 0)
		return fprintf(stderr, "audit_bench: %s\n", err), 1;
	fclose(out);
	double s = now_s() - t;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("records %lld seconds %.3f rate %.0f maxrss_kb %ld\n", (long long)res.count, s, (double)res.count / s,
	       ru.ru_maxrss);
	store_close(st);
	return 0;
}

int main(int argc, char **argv)
{
	char err[512];
	if (argc >= 5 && strcmp(argv[1], "fill") == 0) {
		struct sign_key *key = sign_key_load(argv[4], err, sizeof(err));
		return key ? fill(argv[2], strtol(argv[3], NULL, 10), key) : (fprintf(stderr, "%s\n", err), 1);
	}
	if (argc >= 6 && strcmp(argv[1], "export") == 0) {
		struct sign_key *key = sign_key_load(argv[3], err, sizeof(err));
		return key ? export(argv[2], key, argv[4], strtoll(argv[5], NULL, 10)) : (fprintf(stderr, "%s\n", err), 1);
	}
	fprintf(stderr, "usage: audit_bench fill DB N KEY | export DB KEY OUT FROM_MS\n");
	return 2;
}
