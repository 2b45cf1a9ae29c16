/* cmd_serve.c -- `rgmon serve`: the Kafka consumer (this thread: the one
 * store writer) plus the HTTP server (its own threads, read-only). */
#include "rgmon/cmd.h"
#include "rgmon/http.h"
#include "rgmon/ingest.h"
#include "rgmon/log.h"
#include "rgmon/metrics.h"
#include "rgmon/outbox.h"
#include "rgmon/policy.h"
#include "rgmon/source_kafka.h"
#include "rgmon/store.h"
#include "rgmon/tokens.h"
#include "rgmon/writer.h"

#include <getopt.h>
#include <unistd.h>

#define MAX_PROPS 64
#define RETRY_PAUSE_MS 1000

int cmd_serve(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "db", required_argument, NULL, 'd' },
		{ "http", required_argument, NULL, 'H' },
		{ "cache-players", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "batch-ms", required_argument, NULL, 'B' },
		{ "policy", required_argument, NULL, 'p' },
		{ "tokens", required_argument, NULL, 'T' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	const char *props[MAX_PROPS];
	struct source_kafka_config kcfg = { "127.0.0.1:9092", "rg.events", "rgmon", props, 0, 50 };
	const char *db = "rgmon.db", *policy_path = NULL, *tokens_path = NULL;
	struct http_config hcfg = { "127.0.0.1:8080", NULL, NULL, NULL, NULL };
	long long cache = INGEST_CACHE_DEFAULT, batch_ms = 50;
	enum log_level level;
	char err[512];
	int c, rc = EXIT_RUNTIME;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "X:", opts, NULL)) != -1) {
		switch (c) {
		case 'b': kcfg.brokers = optarg; break;
		case 't': kcfg.topic = optarg; break;
		case 'g': kcfg.group = optarg; break;
		case 'd': db = optarg; break;
		case 'H': hcfg.listen = optarg; break;
		case 'T': tokens_path = optarg; break;
		case 'C': hcfg.tls_cert = optarg; break;
		case 'K': hcfg.tls_key = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'c':
			if (cmd_parse_int(optarg, 2 * INGEST_BATCH_MAX, 100000000, &cache) < 0)
				return cmd_usage_error(cmd, "--cache-players must be %d..100000000", 2 * INGEST_BATCH_MAX);
			break;
		case 'B':
			if (cmd_parse_int(optarg, 1, 60000, &batch_ms) < 0)
				return cmd_usage_error(cmd, "--batch-ms must be 1..60000");
			kcfg.batch_ms = (int)batch_ms;
			break;
		case 'L':
			if (log_level_parse(optarg, &level) < 0)
				return cmd_usage_error(cmd, "--log-level must be error, warn, info or debug");
			log_set_level(level);
			break;
		case 'X':
			if (kcfg.nprops == MAX_PROPS)
				return cmd_usage_error(cmd, "at most %d -X properties", MAX_PROPS);
			if (!strchr(optarg, '='))
				return cmd_usage_error(cmd, "-X \"%s\" is not name=value", optarg);
			props[kcfg.nprops++] = optarg;
			break;
		default: return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cmd_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);

	struct metrics metrics;
	struct policy *pol = NULL;
	struct store *st = NULL;
	struct ingest *ig = NULL;
	struct source_kafka *sk = NULL;
	struct http_server *http = NULL;
	struct writer_queue *writer = NULL;
	struct outbox_relay *relay = NULL;
	struct token_table tokens = { NULL, 0 };
	struct store_counters totals;

	metrics_init(&metrics);
	cmd_handle_stop_signals();
	if (!(st = store_open(db, err, sizeof(err))) || store_counters_get(st, &totals, err, sizeof(err)) < 0)
		goto fail;
	/* /metrics counts from the store's totals, so it agrees with `rgmon stats`. */
	atomic_store(&metrics.events_accepted, totals.accepted);
	atomic_store(&metrics.events_duplicate, totals.duplicates);
	atomic_store(&metrics.events_rejected, totals.rejected);

	if (!(pol = malloc(sizeof(*pol)))) {
		seterr(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (cmd_use_policy(policy_path, st, pol, err, sizeof(err)) < 0)
		goto fail;
	log_info("policy %s", pol->id);
	struct ingest_config icfg = { .cache_players = (size_t)cache, .cap_prune_at_wall_clock = true, .policy = pol };
	if (!(ig = ingest_new(st, &icfg, err, sizeof(err))))
		goto fail;
	if (tokens_path && tokens_load(&tokens, tokens_path, err, sizeof(err)) < 0)
		goto fail;
	if (!tokens_path)
		log_warn("no --tokens: the /v1 API answers 401 to everyone");
	if (!(writer = writer_queue_new())) {
		seterr(err, sizeof(err), "out of memory");
		goto fail;
	}
	struct api_context actx = { &metrics, pol, writer, tokens_path != NULL };
	hcfg.db_path = db;
	hcfg.tokens = &tokens;
	if (!(http = http_start(&hcfg, &actx, err, sizeof(err))))
		goto fail;
	struct outbox_relay_config rcfg = { kcfg.brokers, props, kcfg.nprops, db };
	if (!(relay = outbox_relay_start(&rcfg, &metrics, err, sizeof(err))))
		goto fail;
	if (!(sk = source_kafka_new(&kcfg, ig, st, &metrics, err, sizeof(err))))
		goto fail;
	log_info("serving %s://%s (port %d), consuming %s from %s as group %s into %s",
		 hcfg.tls_cert ? "https" : "http", hcfg.listen, http_port(http), kcfg.topic, kcfg.brokers, kcfg.group,
		 db);

	/* This thread is the store's one writer: batches, then the staff
	 * actions HTTP threads handed over, then what the relay delivered. */
	while (!cmd_stop_requested()) {
		if (source_kafka_run_batch(sk, err, sizeof(err)) < 0) {
			log_error("batch rolled back, re-reading from the stored offsets: %s", err);
			for (int i = 0; i < RETRY_PAUSE_MS / 50 && !cmd_stop_requested(); i++)
				cmd_sleep_ms(50);
		}
		writer_run_pending(writer, st);
		if (outbox_relay_mark_delivered(relay, st, err, sizeof(err)) < 0)
			log_warn("outbox: marking delivered messages failed, they will be sent again: %s", err);
	}
	log_info("stopping: committing the open batch");
	metrics_set_readiness(&metrics, NOT_READY_STOPPING);
	rc = 0;
	goto out;
fail:
	rc = cmd_fail("serve: %s", err);
out:
	/* Order matters: fail waiting staff actions, stop HTTP, commit the
	 * open batch, then let the relay deliver what it can and mark it. */
	if (writer)
		writer_close(writer);
	http_stop(http);
	source_kafka_close(sk);
	if (relay) {
		outbox_relay_stop(relay, 5000);
		if (outbox_relay_mark_delivered(relay, st, err, sizeof(err)) < 0)
			log_warn("outbox: %s", err);
	}
	outbox_relay_free(relay);
	writer_queue_free(writer);
	tokens_release(&tokens);
	ingest_free(ig);
	store_close(st);
	free(pol);
	return rc;
}
