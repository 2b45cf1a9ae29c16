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
	READINESS_COUNT
};

#define METRICS_COMMIT_BUCKETS 10

struct metrics {
	_Atomic int64_t events_accepted, events_duplicate, events_rejected;
	_Atomic int64_t batches, batch_failures;
	_Atomic int64_t dlq_published, dlq_failed;
	_Atomic int64_t assigned_partitions;
	_Atomic int64_t batch_open_events; /* consumed, not yet committed */
	/* batch commit latency histogram, cumulative per Prometheus */
	_Atomic int64_t commit_bucket[METRICS_COMMIT_BUCKETS];
	_Atomic int64_t commit_count, commit_sum_us;
	_Atomic int readiness; /* enum readiness */
	int64_t started_unix;
};

void metrics_init(struct metrics *m);
void metrics_observe_commit(struct metrics *m, int64_t micros);
void metrics_set_readiness(struct metrics *m, enum readiness r);
enum readiness metrics_readiness(const struct metrics *m);
const char *metrics_readiness_reason(enum readiness r);
/* Appends the Prometheus text exposition. */
void metrics_render(const struct metrics *m, struct sbuf *out);

#endif
