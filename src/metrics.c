/* metrics.c -- Prometheus text rendering of struct metrics. */
#include "rgmon/metrics.h"
#include "rgmon/clock.h"

/* Upper bounds of the commit-latency buckets, in microseconds. */
static const int64_t commit_bounds_us[METRICS_COMMIT_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
};

static const char *const readiness_reasons[READINESS_COUNT] = {
	[READY] = "ready",
	[NOT_READY_STARTING] = "joining the consumer group",
	[NOT_READY_NO_PARTITIONS] = "no partitions assigned",
	[NOT_READY_STORE_FAILING] = "database writes failing; retrying",
	[NOT_READY_BROKER_DOWN] = "Kafka brokers unreachable",
	[NOT_READY_STOPPING] = "shutting down",
	/* In parentheses: one string split over two lines (clang's
	 * -Wstring-concatenation would take it for a missing comma). */
	[NOT_READY_STORE_CHANGED] = ("the database files were deleted or replaced under serve; nothing more is "
				     "written: restart it"),
};

/* The statuses the HTTP API answers with; anything else counts as the last. */
static const int http_statuses[METRICS_HTTP_STATUSES] = {
	200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503, 0,
};

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < METRICS_PARTITIONS; i++)
		atomic_store(&m->lag[i], -1);
	atomic_store(&m->readiness, NOT_READY_STARTING);
	m->started_unix = clock_now_ms() / 1000;
}

void metrics_observe_commit(struct metrics *m, int64_t micros)
{
	for (int i = 0; i < METRICS_COMMIT_BUCKETS; i++)
		if (micros <= commit_bounds_us[i])
			atomic_fetch_add(&m->commit_bucket[i], 1);
	atomic_fetch_add(&m->commit_count, 1);
	atomic_fetch_add(&m->commit_sum_us, micros);
}

/* A store whose files changed stays not ready until restart, whatever
 * the consumer says later. */
void metrics_set_readiness(struct metrics *m, enum readiness r)
{
	int was = atomic_load(&m->readiness);
	while (was != NOT_READY_STORE_CHANGED && !atomic_compare_exchange_weak(&m->readiness, &was, (int)r))
		;
}
enum readiness metrics_readiness(const struct metrics *m) { return (enum readiness)atomic_load(&m->readiness); }
const char *metrics_readiness_reason(enum readiness r) { return r < READINESS_COUNT ? readiness_reasons[r] : "?"; }

void metrics_set_lag(struct metrics *m, int32_t partition, int64_t lag)
{
	if (partition >= 0 && partition < METRICS_PARTITIONS)
		atomic_store(&m->lag[partition], lag);
}

void metrics_add_skipped(struct metrics *m, int32_t partition, int64_t n)
{
	if (partition >= 0 && partition < METRICS_PARTITIONS)
		atomic_fetch_add(&m->skipped[partition], n);
	atomic_fetch_add(&m->skipped_total, n);
}

void metrics_count_http(struct metrics *m, size_t route, int status)
{
	int k = METRICS_HTTP_STATUSES - 1;
	for (int i = 0; i < METRICS_HTTP_STATUSES - 1; i++)
		if (http_statuses[i] == status)
			k = i;
	if (route < METRICS_HTTP_ROUTES)
		atomic_fetch_add(&m->http_requests[route][k], 1);
}

#define LOAD(f) (long long)atomic_load(&m->f)

void metrics_render(const struct metrics *m, const char *const *route_names, size_t nroutes, struct sbuf *o)
{
	sbuf_printf(o, "# HELP rgmon_events_total Events read, by outcome.\n# TYPE rgmon_events_total counter\n");
	sbuf_printf(o, "rgmon_events_total{outcome=\"accepted\"} %lld\n", LOAD(events_accepted));
	sbuf_printf(o, "rgmon_events_total{outcome=\"duplicate\"} %lld\n", LOAD(events_duplicate));
	sbuf_printf(o, "rgmon_events_total{outcome=\"rejected\"} %lld\n", LOAD(events_rejected));
	sbuf_printf(o, "rgmon_events_total{outcome=\"duplicate_conflict\"} %lld\n", LOAD(events_duplicate_conflict));
	sbuf_printf(o, "# HELP rgmon_batches_total Batches committed to the store.\n# TYPE rgmon_batches_total counter\n"
		       "rgmon_batches_total %lld\n", LOAD(batches));
	sbuf_printf(o, "# HELP rgmon_batch_failures_total Batches rolled back and re-read.\n"
		       "# TYPE rgmon_batch_failures_total counter\nrgmon_batch_failures_total %lld\n",
		    LOAD(batch_failures));
	sbuf_printf(o, "# HELP rgmon_dlq_messages_total Rejected events and duplicate conflicts published to the "
		       "dead-letter topic.\n"
		       "# TYPE rgmon_dlq_messages_total counter\n"
		       "rgmon_dlq_messages_total{result=\"delivered\"} %lld\n"
		       "rgmon_dlq_messages_total{result=\"failed\"} %lld\n",
		    LOAD(dlq_published), LOAD(dlq_failed));
	sbuf_printf(o, "# HELP rgmon_batch_commit_seconds Time to write and commit one batch.\n"
		       "# TYPE rgmon_batch_commit_seconds histogram\n");
	for (int i = 0; i < METRICS_COMMIT_BUCKETS; i++)
		sbuf_printf(o, "rgmon_batch_commit_seconds_bucket{le=\"%g\"} %lld\n", (double)commit_bounds_us[i] / 1e6,
			    LOAD(commit_bucket[i]));
	sbuf_printf(o, "rgmon_batch_commit_seconds_bucket{le=\"+Inf\"} %lld\n", LOAD(commit_count));
	sbuf_printf(o, "rgmon_batch_commit_seconds_sum %.6f\n", (double)atomic_load(&m->commit_sum_us) / 1e6);
	sbuf_printf(o, "rgmon_batch_commit_seconds_count %lld\n", LOAD(commit_count));
	sbuf_printf(o, "# HELP rgmon_assigned_partitions Kafka partitions this instance consumes.\n"
		       "# TYPE rgmon_assigned_partitions gauge\nrgmon_assigned_partitions %lld\n",
		    LOAD(assigned_partitions));
	sbuf_printf(o, "# HELP rgmon_batch_open_events Events consumed into the open batch, not yet committed.\n"
		       "# TYPE rgmon_batch_open_events gauge\nrgmon_batch_open_events %lld\n",
		    LOAD(batch_open_events));
	sbuf_printf(o, "# HELP rgmon_consumer_lag Messages in a partition not yet consumed and committed.\n"
		       "# TYPE rgmon_consumer_lag gauge\n");
	for (int p = 0; p < METRICS_PARTITIONS; p++)
		if (atomic_load(&m->lag[p]) >= 0)
			sbuf_printf(o, "rgmon_consumer_lag{partition=\"%d\"} %lld\n", p, LOAD(lag[p]));
	sbuf_printf(o, "# HELP rgmon_offsets_skipped_total Messages of a partition gone before they were read "
		       "(retention, an offset reset), skipped.\n# TYPE rgmon_offsets_skipped_total counter\n");
	for (int p = 0; p < METRICS_PARTITIONS; p++)
		if (atomic_load(&m->skipped[p]) > 0)
			sbuf_printf(o, "rgmon_offsets_skipped_total{partition=\"%d\"} %lld\n", p, LOAD(skipped[p]));
	sbuf_printf(o, "# HELP rgmon_outbox_messages_total Outbox messages Kafka acknowledged or failed.\n"
		       "# TYPE rgmon_outbox_messages_total counter\n"
		       "rgmon_outbox_messages_total{result=\"delivered\"} %lld\n"
		       "rgmon_outbox_messages_total{result=\"failed\"} %lld\n",
		    LOAD(outbox_delivered), LOAD(outbox_failed));
	sbuf_printf(o, "# HELP rgmon_http_requests_total HTTP requests by route and status.\n"
		       "# TYPE rgmon_http_requests_total counter\n");
	for (size_t r = 0; r < nroutes && r < METRICS_HTTP_ROUTES; r++)
		for (int k = 0; k < METRICS_HTTP_STATUSES; k++)
			if (atomic_load(&m->http_requests[r][k]) > 0) {
				if (http_statuses[k])
					sbuf_printf(o, "rgmon_http_requests_total{route=\"%s\",status=\"%d\"} %lld\n",
						    route_names[r], http_statuses[k], LOAD(http_requests[r][k]));
				else
					sbuf_printf(o, "rgmon_http_requests_total{route=\"%s\",status=\"other\"} %lld\n",
						    route_names[r], LOAD(http_requests[r][k]));
			}
	sbuf_printf(o, "# HELP rgmon_ready 1 when the service is ready.\n# TYPE rgmon_ready gauge\nrgmon_ready %d\n",
		    metrics_readiness(m) == READY);
	sbuf_printf(o, "# HELP rgmon_start_time_seconds Start time of the process.\n"
		       "# TYPE rgmon_start_time_seconds gauge\nrgmon_start_time_seconds %lld\n",
		    (long long)m->started_unix);
}
