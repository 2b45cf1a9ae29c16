/* cmd_simulate.c -- `rgmon simulate`: the generator in simulate.c, written
 * as JSONL or produced to Kafka (key = player_id). */
#include "rgmon/cmd.h"
#include "rgmon/clock.h"
#include "rgmon/log.h"
#include "rgmon/simulate.h"
#include "rgmon/kafka.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <getopt.h>
#include <librdkafka/rdkafka.h>

struct sim_out {
	FILE *file;
	rd_kafka_t *producer;
	const char *topic;
	long long rate;     /* events/s, 0 = unlimited */
	long long max;      /* stop after this many, 0 = no limit */
	int64_t sent;
	double started;     /* clock_mono_seconds() */
	int64_t failed;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct sim_out *o = opaque;
	(void)rk;
	if (msg->err && o->failed++ == 0)
		log_error("simulate: delivery failed: %s", rd_kafka_err2str(msg->err));
}

static int emit(void *ctx, const char *player_id, const char *json, size_t len)
{
	struct sim_out *o = ctx;
	if (cmd_stop_requested() || (o->max > 0 && o->sent >= o->max))
		return 1;
	if (o->file) {
		fwrite(json, 1, len, o->file);
		fputc('\n', o->file);
		if (ferror(o->file))
			return 2;
	} else {
		for (;;) {
			rd_kafka_resp_err_t e = rd_kafka_producev(
				o->producer, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_KEY(player_id, strlen(player_id)), RD_KAFKA_V_VALUE((void *)json, len),
				RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
				break;
			if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				log_error("simulate: produce: %s", rd_kafka_err2str(e));
				return 2;
			}
			rd_kafka_poll(o->producer, 100);
			if (cmd_stop_requested())
				return 1;
		}
		rd_kafka_poll(o->producer, 0);
	}
	o->sent++;
	if (o->rate > 0) {
		double ahead = (double)o->sent / (double)o->rate - (clock_mono_seconds() - o->started);
		if (ahead > 0.01)
			cmd_sleep_ms((int)(ahead * 1000));
	}
	return 0;
}

static int write_archetypes(const char *path, const struct sim_config *cfg)
{
	FILE *f = fopen(path, "w");
	char pid[16];
	if (!f)
		return cmd_fail("simulate: cannot write \"%s\": %s", path, strerror(errno));
	fprintf(f, "player_id,archetype,country\n");
	for (int i = 0; i < cfg->players; i++) {
		sim_player_id(i, pid, sizeof(pid));
		fprintf(f, "%s,%s,%s\n", pid, sim_archetype_name(sim_player_archetype(cfg->seed, i)),
			sim_player_country(cfg->seed, i));
	}
	return fclose(f) == 0 ? 0 : cmd_fail("simulate: writing \"%s\" failed", path);
}

int cmd_simulate(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "players", required_argument, NULL, 'p' }, { "days", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },    { "start", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },     { "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },   { "rate", required_argument, NULL, 'r' },
		{ "loop", no_argument, NULL, 'l' },          { "dirty", required_argument, NULL, 'D' },
		{ "archetypes", required_argument, NULL, 'a' }, { "max-events", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_config cfg = { 1, 1000, 30, 0, 0, 0 };
	struct sim_out out = { NULL, NULL, "rg.events", 0, 0, 0, 0, 0 };
	const char *path = "-", *brokers = NULL, *archetypes = NULL;
	const char *start = "2026-11-01T00:00:00Z";
	bool loop = false;
	long long v;
	int c, rc = 0;
	char errstr[512];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "X:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cmd_parse_int(optarg, 1, 10000000, &v) < 0)
				return cmd_usage_error(cmd, "--players must be 1..10000000");
			cfg.players = (int)v;
			break;
		case 'd':
			if (cmd_parse_int(optarg, 1, 3650, &v) < 0)
				return cmd_usage_error(cmd, "--days must be 1..3650");
			cfg.days = (int)v;
			break;
		case 's':
			if (cmd_parse_int(optarg, 0, INT64_MAX, &v) < 0)
				return cmd_usage_error(cmd, "--seed must be a non-negative integer");
			cfg.seed = (uint64_t)v;
			break;
		case 'S': start = optarg; break;
		case 'o': path = optarg; break;
		case 'b': brokers = optarg; break;
		case 't': out.topic = optarg; break;
		case 'r':
			if (cmd_parse_int(optarg, 1, 100000000, &out.rate) < 0)
				return cmd_usage_error(cmd, "--rate must be 1..100000000 events per second");
			break;
		case 'l': loop = true; break;
		case 'D':
			if (cmd_parse_int(optarg, 0, 1000, &v) < 0)
				return cmd_usage_error(cmd, "--dirty must be 0..1000 (per mille)");
			cfg.dirty_permille = (int)v;
			break;
		case 'a': archetypes = optarg; break;
		case 'm':
			if (cmd_parse_int(optarg, 1, INT64_MAX, &out.max) < 0)
				return cmd_usage_error(cmd, "--max-events must be a positive integer");
			break;
		default: return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cmd_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (ts_parse_rfc3339(start, &cfg.start_ms) < 0)
		return cmd_usage_error(cmd, "--start \"%s\" is not an RFC 3339 time", start);
	if (brokers && strcmp(path, "-") != 0)
		return cmd_usage_error(cmd, "give --out or --brokers, not both");
	if (loop && !brokers)
		return cmd_usage_error(cmd, "--loop goes with --brokers");
	if (archetypes && (rc = write_archetypes(archetypes, &cfg)) != 0)
		return rc;

	cmd_handle_stop_signals();
	if (brokers) {
		rd_kafka_conf_t *conf = kafka_conf_new(brokers, errstr, sizeof(errstr));
		if (!conf)
			return cmd_fail("simulate: %s", errstr);
		if (kafka_conf_set2(conf, "linger.ms", "20", errstr, sizeof(errstr)) < 0 ||
		    kafka_conf_set2(conf, "enable.idempotence", "true", errstr, sizeof(errstr)) < 0) {
			rd_kafka_conf_destroy(conf);
			return cmd_fail("simulate: %s", errstr);
		}
		rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
		rd_kafka_conf_set_opaque(conf, &out);
		if (!(out.producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr))))
			return cmd_fail("simulate: %s", errstr);
	} else {
		/* path is "-" or --out's argument, never NULL (getopt: required_argument) */
		out.file = strcmp(path, "-") == 0 ? stdout : fopen(path, "w"); // NOLINT(clang-analyzer-core.NonNullParamChecker)
		if (!out.file)
			return cmd_fail("simulate: cannot write \"%s\": %s", path, strerror(errno));
	}
	out.started = clock_mono_seconds();
	do {
		rc = sim_run(&cfg, emit, &out);
		cfg.iteration++;
	} while (loop && rc == 0 && !cmd_stop_requested());
	if (rc == 1) /* stopped by --max-events or a signal */
		rc = 0;

	if (out.producer) {
		/* Deliver everything produced; after a stop signal wait only a
		 * little, since the broker may be stopping too. */
		rd_kafka_flush(out.producer, cmd_stop_requested() ? 5000 : 30000);
		int undelivered = rd_kafka_outq_len(out.producer);
		if (undelivered > 0) {
			log_warn("simulate: %d event(s) not delivered", undelivered);
			if (rc == 0)
				rc = -2;
		}
		rd_kafka_destroy(out.producer);
	}
	if (out.file && out.file != stdout && fclose(out.file) != 0 && rc == 0)
		rc = 2;
	if (out.file == stdout)
		fflush(stdout);
	if (rc == -1)
		return cmd_fail("simulate: out of memory");
	if (rc == -2 || out.failed)
		return cmd_fail("simulate: %lld event(s) not delivered to %s", (long long)(out.failed ? out.failed : 1), brokers);
	if (rc == 2)
		return cmd_fail("simulate: writing events failed");
	log_info("simulate: %lld events", (long long)out.sent);
	return 0;
}
