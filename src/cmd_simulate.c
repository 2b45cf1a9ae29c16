/* cmd_simulate.c -- `rgmon simulate`: the generator in simulate.c, written
 * as JSONL or produced to Kafka (key = player_id). */
#include "rgmon/clock.h"
#include "rgmon/cmd.h"
#include "rgmon/log.h"
#include "rgmon/simulate.h"
#include "rgmon/kafka.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>

static int cmd_simulate(const struct cmd_entry *cmd, int argc, char **argv);

struct simulate_args {
	long long players, days, seed, rate, dirty, max_events;
	int64_t start_ms;
	const char *out, *brokers, *topic, *archetypes, *labels;
	bool loop, live;
};

static const struct opt simulate_opts[] = {
	OPT_INT("players", "N", struct simulate_args, players, 1, 10000000, "1000", "players"),
	OPT_INT("days", "D", struct simulate_args, days, 1, 3650, "30", "days of activity"),
	OPT_INT("seed", "S", struct simulate_args, seed, 0, LLONG_MAX, "1", "random seed"),
	CMD_OPT_TIME("start", struct simulate_args, start_ms, "2026-11-01T00:00:00Z", "when day 0 starts"),
	OPT_STRING("out", "FILE", struct simulate_args, out, "-", "write JSONL to FILE; - is stdout"),
	OPT_STRING("brokers", "B", struct simulate_args, brokers, NULL, "produce to Kafka instead (key player_id)"),
	OPT_STRING("topic", "T", struct simulate_args, topic, "rg.events", "topic to produce to"),
	OPT_INT("rate", "R", struct simulate_args, rate, 1, 100000000, NULL,
		"events per second when producing; unlimited when not given"),
	OPT_FLAG("loop", struct simulate_args, loop,
		 "with --brokers: continue the same players into the next period with new ids when done, until "
		 "stopped"),
	OPT_FLAG("live", struct simulate_args, live,
		 "with --brokers: send each event when the wall clock reaches its time, so a --start in the past "
		 "sends that history at once and the rest arrives live, as in production"),
	OPT_INT("dirty", "PERMILLE", struct simulate_args, dirty, 0, 1000, "0",
		"also send this many per mille of events again, or broken, to exercise duplicate and reject "
		"handling"),
	OPT_INT("max-events", "N", struct simulate_args, max_events, 1, LLONG_MAX, NULL, "stop after N events"),
	OPT_STRING("archetypes", "FILE", struct simulate_args, archetypes, NULL,
		   "write a player_id,archetype,country CSV of every player to FILE"),
	OPT_STRING("labels", "FILE", struct simulate_args, labels, NULL,
		   "write a labels CSV for `rgmon evaluate --labels` to FILE: player_id,label_ts,label for each "
		   "player of a harmful archetype (below)"),
	OPT_END,
};

const struct cmd_entry cmd_simulate_entry = {
	"simulate", simulate_opts,
	"Generate realistic synthetic players as rg.events JSON: a recreational\n"
	"majority, loss chasers, night marathons, declined-deposit bursts, limit\n"
	"setters and self-excluders. The same seed gives the same events.\n",
	"--labels names the harmful archetypes, the players an RG team should find:\n"
	"loss chasers and declined-deposit bursts (label: the archetype's name). They\n"
	"behave so from their first day, so the label's time is the end of the\n"
	"stream (--start plus --days), as an RG closure at the end of the period would\n"
	"be; evaluate's lead time is then how long before that end the first alert\n"
	"came. Every other player (recreational, high rollers, night owls, limit\n"
	"setters, self-excluders) is a negative by being left out.\n",
	cmd_simulate,
};

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

/* --live: holds an event until the wall clock reaches its time, serving
 * delivery reports meanwhile. */
static int pace_live(void *ctx, int64_t ts_ms)
{
	struct sim_out *o = ctx;
	for (;;) {
		if (cmd_stop_requested())
			return 1;
		int64_t wait_ms = ts_ms - clock_now_ms();
		if (wait_ms <= 0)
			return 0;
		rd_kafka_poll(o->producer, (int)(wait_ms < 200 ? wait_ms : 200));
	}
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

/* The labels of --labels: the harmful archetypes (sim_archetype_harmful)
 * at the end of the stream. */
static int write_labels(const char *path, const struct sim_config *cfg)
{
	FILE *f = fopen(path, "w");
	char pid[16], end[64];
	if (!f)
		return cmd_fail("simulate: cannot write \"%s\": %s", path, strerror(errno));
	ts_format_rfc3339(cfg->start_ms + (int64_t)cfg->days * MS_PER_DAY, end, sizeof(end));
	fprintf(f, "player_id,label_ts,label\n");
	for (int i = 0; i < cfg->players; i++) {
		enum sim_archetype a = sim_player_archetype(cfg->seed, i);
		if (!sim_archetype_harmful(a))
			continue;
		sim_player_id(i, pid, sizeof(pid));
		fprintf(f, "%s,%s,%s\n", pid, end, sim_archetype_name(a));
	}
	return fclose(f) == 0 ? 0 : cmd_fail("simulate: writing \"%s\" failed", path);
}

/* Options that only make sense together, after the table's own checks. */
static int simulate_parse(const struct cmd_entry *cmd, int argc, char **argv, struct simulate_args *a)
{
	int rc = cmd_parse(cmd, argc, argv, a);
	if (rc)
		return rc;
	if (a->brokers && strcmp(a->out, "-") != 0)
		return cmd_usage_error(cmd, "give --out or --brokers, not both");
	if (a->loop && !a->brokers)
		return cmd_usage_error(cmd, "--loop goes with --brokers");
	if (a->live && !a->brokers)
		return cmd_usage_error(cmd, "--live goes with --brokers");
	return 0;
}

/* An idempotent producer to brokers, or the file (stdout for "-"). */
static int sim_open(struct sim_out *out, const char *brokers, const char *path)
{
	char errstr[512];
	if (!brokers) {
		out->file = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
		return out->file ? 0 : cmd_fail("simulate: cannot write \"%s\": %s", path, strerror(errno));
	}
	rd_kafka_conf_t *conf = kafka_conf_new(brokers, errstr, sizeof(errstr));
	if (!conf)
		return cmd_fail("simulate: %s", errstr);
	if (kafka_conf_set2(conf, "linger.ms", "20", errstr, sizeof(errstr)) < 0 ||
	    kafka_conf_set2(conf, "enable.idempotence", "true", errstr, sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		return cmd_fail("simulate: %s", errstr);
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, out);
	if (!(out->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr))))
		return cmd_fail("simulate: %s", errstr);
	return 0;
}

/* Delivers or closes what sim_run wrote; rc is sim_run's. Returns the exit status. */
static int sim_close(struct sim_out *out, int rc, const char *brokers)
{
	if (rc == 1) /* stopped by --max-events or a signal */
		rc = 0;
	if (out->producer) {
		/* Deliver everything produced; after a stop signal wait only a
		 * little, since the broker may be stopping too. */
		rd_kafka_flush(out->producer, cmd_stop_requested() ? 5000 : 30000);
		int undelivered = rd_kafka_outq_len(out->producer);
		if (undelivered > 0) {
			log_warn("simulate: %d event(s) not delivered", undelivered);
			if (rc == 0)
				rc = -2;
		}
		rd_kafka_destroy(out->producer);
	}
	if (out->file && out->file != stdout && fclose(out->file) != 0 && rc == 0)
		rc = 2;
	if (out->file == stdout)
		fflush(stdout);
	if (rc == -1)
		return cmd_fail("simulate: out of memory");
	if (rc == -2 || out->failed)
		return cmd_fail("simulate: %lld event(s) not delivered to %s",
				(long long)(out->failed ? out->failed : 1), brokers);
	if (rc == 2)
		return cmd_fail("simulate: writing events failed");
	log_info("simulate: %lld events", (long long)out->sent);
	return 0;
}

static int cmd_simulate(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct simulate_args a = { 0 };
	int rc = simulate_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	struct sim_config cfg = { .seed = (uint64_t)a.seed, .players = (int)a.players, .days = (int)a.days,
				  .start_ms = a.start_ms, .dirty_permille = (int)a.dirty,
				  .pace = a.live ? pace_live : NULL };
	struct sim_out out = { .topic = a.topic, .rate = a.rate, .max = a.max_events };
	if (a.archetypes && (rc = write_archetypes(a.archetypes, &cfg)) != 0)
		return rc;
	if (a.labels && (rc = write_labels(a.labels, &cfg)) != 0)
		return rc;

	cmd_handle_stop_signals();
	if ((rc = sim_open(&out, a.brokers, a.out)) != 0)
		return rc;
	out.started = clock_mono_seconds();
	do {
		rc = sim_run(&cfg, emit, &out);
		cfg.iteration++;
	} while (a.loop && rc == 0 && !cmd_stop_requested());
	return sim_close(&out, rc, a.brokers);
}
