/* source_kafka.h -- events from Kafka (librdkafka high-level consumer).
 *
 * Exactly-once effect: offsets live in the store, committed in the same
 * transaction as the batch they produced. On every partition assignment the
 * consumer is positioned at the stored offsets (earliest when none); on
 * revocation the open batch is committed first. Kafka's own committed
 * offsets only mirror the store's, for lag tools. Rejected messages are
 * published to TOPIC.dlq (with the reason and source as headers) and
 * flushed before their batch commits, so a crash can repeat a DLQ message
 * but never lose one.
 *
 * One source belongs to the thread that owns the ingest and store; seek,
 * assign and consume all run on it, one after another (librdkafka 2.0.2's
 * batch API misbehaves when they overlap, so messages are polled one by
 * one). Only the Kafka modules (kafka.c, source_kafka.c, cmd_broker.c,
 * cmd_simulate.c) include librdkafka. */
#ifndef RGMON_SOURCE_KAFKA_H
#define RGMON_SOURCE_KAFKA_H

#include "rgmon/common.h"
#include "rgmon/ingest.h"
#include "rgmon/metrics.h"
#include "rgmon/store.h"

/* serve's --batch-ms: how long a batch may stay open while events wait (a
 * backlog). It binds only then -- an idle consumer commits at once -- and
 * there a longer batch writes less per event (ingest.h, group commit),
 * while a staff action waits for the batch in progress: up to about this
 * long plus the commit. */
#define SOURCE_KAFKA_BATCH_MS_DEFAULT 1000

struct source_kafka_config {
	const char *brokers;
	const char *topic;
	const char *group;
	const char *const *props; /* "name=value" librdkafka properties */
	int nprops;
	int batch_ms;             /* a batch closes this long after its first message; 0: the default */
	int batch_linger_ms;      /* and stays open at least this long (0: commits once nothing waits) */
	bool (*stop_requested)(void); /* when true, an open batch commits at once (NULL: never) */
};

struct source_kafka;

struct source_kafka *source_kafka_new(const struct source_kafka_config *cfg, struct ingest *ig, struct store *st,
				      struct metrics *m, char *err, size_t errlen);

/* Consumes and commits one batch: the messages waiting (and what arrives
 * within batch_linger_ms of the first), until ingest_batch_full() or
 * batch_ms after the first, or until stop_requested() says so. Returns the number of messages committed (0 when idle for
 * about 100 ms), or -1 when the batch failed: it was rolled back and the
 * consumer rewound to the stored offsets; call again after a pause. */
int source_kafka_run_batch(struct source_kafka *sk, char *err, size_t errlen);

/* Commits what is open to the store (no more Kafka offset mirrors), leaves
 * the group and frees everything, each wait bounded however the broker
 * behaves (about 3.3 s at most). Returns false when the broker did not
 * answer the group leave: the caller need not wait on it either. */
bool source_kafka_close(struct source_kafka *sk);

#endif
