/* kafka.h -- librdkafka set-up shared by every Kafka client in rgmon (the
 * consumer and dead-letter producer in source_kafka.c, the outbox relay,
 * the simulator's producer, `audit verify --checkpoints`'s reader of
 * rg.audit-checkpoints): configuration with `-X name=value` properties as kcat takes
 * them, and librdkafka's log lines routed into our log module. */
#ifndef RGMON_KAFKA_H
#define RGMON_KAFKA_H

#include "rgmon/common.h"

#include <librdkafka/rdkafka.h>

/* A configuration with bootstrap.servers set and logs routed; NULL with a
 * reason on error. The caller owns it (rd_kafka_new takes it over). */
rd_kafka_conf_t *kafka_conf_new(const char *brokers, char *err, size_t errlen);


/* Sets name to value; -1 with librdkafka's reason. */
int kafka_conf_set2(rd_kafka_conf_t *conf, const char *name, const char *value, char *err, size_t errlen);

/* Sets each "name=value" of props; a producer (consumer = false) skips
 * consumer-only properties. */
int kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *props, int nprops, bool consumer, char *err,
		     size_t errlen);

/* Destroys rk (rd_kafka_destroy_flags) on a thread of its own and waits
 * for it at most wait_ms. A destroy waits for the requests in flight, and
 * on a dead or frozen broker one (an offset commit, a produce) is answered
 * only by socket.timeout.ms (60 s). Returns true when rk is gone; false,
 * with one log line naming what, when it was left running: then nothing
 * its callbacks use may be freed, and the process must end by
 * kafka_exit_if_abandoned() once its own work (the store) is closed. */
bool kafka_destroy_bounded(rd_kafka_t *rk, int flags, int wait_ms, const char *what);

/* When a destroy was left running: flushes stdio and ends the process at
 * once with status rc (_exit: no atexit handler may tear down what its
 * threads still use). Returns otherwise. */
void kafka_exit_if_abandoned(int rc);

#endif
