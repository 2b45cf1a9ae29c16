/* kafka_read.c -- the baseline for `make bench`: a bare librdkafka read of
 * a topic (all partitions assigned from the beginning, no group, no
 * processing). Prints the seconds from the first message to the COUNT-th. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char errstr[512];
	if (argc != 4) {
		fprintf(stderr, "usage: kafka_read BROKERS TOPIC COUNT\n");
		return 2;
	}
	long count = strtol(argv[3], NULL, 10);
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "group.id", "bench-raw", errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "queued.min.messages", "200000", errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "50", errstr, sizeof(errstr))) {
		fprintf(stderr, "kafka_read: %s\n", errstr);
		return 1;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk) {
		fprintf(stderr, "kafka_read: %s\n", errstr);
		return 1;
	}
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *t = rd_kafka_topic_new(rk, argv[2], NULL);
	if (rd_kafka_metadata(rk, 0, t, &md, 10000) || md->topic_cnt != 1) {
		fprintf(stderr, "kafka_read: no metadata for %s\n", argv[2]);
		return 1;
	}
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
	for (int i = 0; i < md->topics[0].partition_cnt; i++)
		rd_kafka_topic_partition_list_add(parts, argv[2], i)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(t);
	rd_kafka_poll_set_consumer(rk);
	rd_kafka_assign(rk, parts);
	rd_kafka_topic_partition_list_destroy(parts);

	long got = 0;
	size_t bytes = 0;
	double first = 0, deadline = now() + 120;
	while (got < count && now() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		if (!m)
			continue;
		if (!m->err) {
			if (!got)
				first = now();
			got++;
			bytes += m->len;
		}
		rd_kafka_message_destroy(m);
	}
	double secs = now() - first;
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	if (got < count) {
		fprintf(stderr, "kafka_read: only %ld of %ld messages\n", got, count);
		return 1;
	}
	printf("%.4f\n", secs);
	return 0;
}
