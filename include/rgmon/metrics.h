/* metrics.h -- counters the consumer thread writes and HTTP threads read
 * (lock-free atomics), rendered as Prometheus text at /metrics. Also the
 * service's readiness, with its reason, for /readyz. */
#ifndef RGMON_METRICS_H
#define RGMON_METRICS_H

#include "rgmon/common.h"
#include "rgmon/sbuf.h"

#include <stdatomic.h>

enum readiness {
	READY,
	NOT_READY_STARTING,       /* consumer not yet in the group */
	NOT_READY_NO_PARTITIONS,  /* in the group, no partitions assigned */
	NOT_READY_STORE_FAILING,  /* the last batch could not be committed */
	NOT_READY_BROKER_DOWN,    /* all brokers unreachable */
	NOT_READY_STOPPING,
	NOT_READY_STORE_CHANGED,  /* the database files changed under serve: until restarted */
	READINESS_COUNT
};

#define METRICS_COMMIT_BUCKETS 10
#define METRICS_PARTITIONS 256   /* lag is reported for partitions below this */
#define METRICS_HTTP_ROUTES 64   /* route slots (api.c's route table, plus "unmatched") */
#define METRICS_HTTP_STATUSES 16 /* see http_statuses in metrics.c */

struct metrics {
	_Atomic int64_t events_accepted, events_duplicate, events_rejected, events_duplicate_conflict;
	_Atomic int64_t batches, batch_failures;
	_Atomic int64_t dlq_published, dlq_failed;
	_Atomic int64_t assigned_partitions;
	_Atomic int64_t batch_open_events; /* consumed, not yet committed */
	/* batch commit latency histogram, cumulative per Prometheus */
	_Atomic int64_t commit_bucket[METRICS_COMMIT_BUCKETS];
	_Atomic int64_t commit_count, commit_sum_us;
	_Atomic int readiness; /* enum readiness */
	/* consumer lag per partition of the consumed topic; -1 = not assigned */
	_Atomic int64_t lag[METRICS_PARTITIONS];
	/* messages found gone before they were read, per partition (from the
	 * store at start) and in all */
	_Atomic int64_t skipped[METRICS_PARTITIONS], skipped_total;
	/* outbox messages handed to Kafka, by topic kind and result */
	_Atomic int64_t outbox_delivered, outbox_failed;
	_Atomic int64_t http_requests[METRICS_HTTP_ROUTES][METRICS_HTTP_STATUSES];
	/* rgmon_active_players as last counted from the store (api_talk.c)
	 * and the wall time of that count, 0 before the first */
	_Atomic int64_t active_players, active_players_at_ms;
	int64_t started_unix;
};

void metrics_init(struct metrics *m);
void metrics_observe_commit(struct metrics *m, int64_t micros);
void metrics_set_readiness(struct metrics *m, enum readiness r);
enum readiness metrics_readiness(const struct metrics *m);
const char *metrics_readiness_reason(enum readiness r);
void metrics_set_lag(struct metrics *m, int32_t partition, int64_t lag);
/* Counts messages of a partition skipped unread (source_kafka.c). */
void metrics_add_skipped(struct metrics *m, int32_t partition, int64_t n);
/* Counts one HTTP request of route slot `route` answered with `status`. */
void metrics_count_http(struct metrics *m, size_t route, int status);

/* Appends the Prometheus text exposition: the counters above, with
 * route_names naming the HTTP route slots. */
void metrics_render(const struct metrics *m, const char *const *route_names, size_t nroutes, struct sbuf *out);

#endif
