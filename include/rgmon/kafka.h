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

#endif
