/* probe_produce.c -- the producer of tests/bench/alert_latency.py's probes:
 * one long-lived librdkafka producer fed through stdin, so a probe costs
 * the bench a message, not a process.
 *
 *   probe_produce BROKERS TOPIC
 *
 * Reads lines "KEY<TAB>VALUE"; an empty line ends a group: its messages
 * are produced (linger.ms=0), and once the broker acknowledged all of
 * them it prints "ok" (or "error: ...") and flushes stdout. Before this, a
 * kcat was started per probe: ~27 ms of CPU each, 20 probes a second took
 * half a core of this 2-core machine from the service it measured. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err && !failed) {
		failed = 1;
		printf("error: %s\n", rd_kafka_err2str(m->err));
	}
}

int main(int argc, char **argv)
{
	char errstr[512];
	if (argc != 3) {
		fprintf(stderr, "usage: probe_produce BROKERS TOPIC\n");
		return 2;
	}
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "linger.ms", "0", errstr, sizeof(errstr))) {
		fprintf(stderr, "probe_produce: %s\n", errstr);
		return 1;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk) {
		fprintf(stderr, "probe_produce: %s\n", errstr);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0) { /* end of a group: wait for its acknowledgements */
			rd_kafka_flush(rk, 10000);
			if (!failed)
				printf("ok\n");
			failed = 0;
			fflush(stdout);
			continue;
		}
		char *tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "probe_produce: a line without KEY<TAB>VALUE\n");
			return 1;
		}
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
							  RD_KAFKA_V_KEY(line, (size_t)(tab - line)),
							  RD_KAFKA_V_VALUE(tab + 1, strlen(tab + 1)), RD_KAFKA_V_END);
		if (e && !failed) {
			failed = 1;
			printf("error: %s\n", rd_kafka_err2str(e));
		}
		rd_kafka_poll(rk, 0);
	}
	free(line);
	rd_kafka_flush(rk, 10000);
	rd_kafka_destroy(rk);
	return 0;
}
