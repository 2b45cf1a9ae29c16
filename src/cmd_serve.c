/* cmd_serve.c -- `rgmon serve`: the Kafka consumer (this thread: the one
 * store writer) plus the HTTP server (its own threads, read-only). */
#include "rgmon/cmd.h"
#include "rgmon/audit.h"
#include "rgmon/clock.h"
#include "rgmon/digest.h"
#include "rgmon/http.h"
#include "rgmon/ingest.h"
#include "rgmon/log.h"
#include "rgmon/metrics.h"
#include "rgmon/outbox.h"
#include "rgmon/policy.h"
#include "rgmon/sign.h"
#include "rgmon/source_kafka.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"
#include "rgmon/tokens.h"
#include "rgmon/writer.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#define MAX_PROPS 64
#define RETRY_PAUSE_MS 1000
#define CHECKPOINT_LOOK_MS 1000        /* how often to see whether a checkpoint is due */
#define RETENTION_LOOK_MS (3600 * 1000) /* and whether records are past retention */

/* A service record (start, stop, a token) in its own transaction. */
static int record(struct store *st, const char *kind, json_t *payload, char *err, size_t errlen)
{
	if (store_begin(st, err, errlen) < 0) {
		json_decref(payload);
		return -1;
	}
	if (audit_append(st, clock_now_ms(), kind, NULL, payload, err, errlen) < 0 || store_commit(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* The start, and every token not seen before, go into the audit trail. */
static int record_start(struct store *st, const struct policy *pol, const struct token_table *tokens,
			const struct sign_key *key, char *err, size_t errlen)
{
	char fp[SIGN_FINGERPRINT_LEN] = "";
	if (key) {
		uint8_t pub[SIGN_PUBLIC_LEN];
		sign_key_public(key, pub);
		sign_fingerprint(pub, fp);
	}
	if (record(st, "service_start",
		   json_pack("{s:s, s:s, s:s, s:s?, s:i}", "command", "serve", "version", RGMON_VERSION, "policy", pol->id,
			     "audit_key", key ? fp : NULL, "tokens", (int)tokens->count),
		   err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < tokens->count; i++) {
		const struct token_entry *t = &tokens->entries[i];
		char hex[DIGEST_SHA256_HEX], tfp[DIGEST_SHA256_HEX + 8];
		/* A fingerprint of the stored hash: names the token, reveals nothing. */
		if (digest_sha256_hex(t->hash, sizeof(t->hash), hex) < 0)
			return seterr(err, errlen, "libcrypto cannot hash");
		hex[32] = '\0';
		snprintf(tfp, sizeof(tfp), "sha256:%s", hex);
		if (store_begin(st, err, errlen) < 0)
			return -1;
		int fresh = store_token_register(st, tfp, clock_now_ms(), err, errlen);
		if (fresh < 0 || (fresh && audit_append(st, clock_now_ms(), "token_registered", NULL,
							json_pack("{s:s, s:s, s:s}", "name", t->name, "role",
								  role_name(t->role), "fingerprint", tfp),
							err, errlen) < 0) ||
		    store_commit(st, err, errlen) < 0) {
			store_rollback(st);
			return -1;
		}
	}
	return 0;
}

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
		{ "audit-key", required_argument, NULL, 'A' },
		{ "audit-retention-days", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *props[MAX_PROPS];
	struct source_kafka_config kcfg = { "127.0.0.1:9092", "rg.events", "rgmon", props, 0, 50 };
	const char *db = "rgmon.db", *policy_path = NULL, *tokens_path = NULL, *audit_key_path = NULL;
	long long retention_days = AUDIT_RETENTION_DAYS_DEFAULT;
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
		case 'A': audit_key_path = optarg; break;
		case 'R':
			if (cmd_parse_int(optarg, 1, 36500, &retention_days) < 0)
				return cmd_usage_error(cmd, "--audit-retention-days must be 1..36500");
			break;
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
	struct store_checkpointer *checkpointer = NULL;
	struct token_table tokens = { NULL, 0 };
	struct sign_key *audit_key = NULL;
	struct store_counters totals;

	metrics_init(&metrics);
	cmd_handle_stop_signals();
	if (!(st = store_open(db, err, sizeof(err))) || store_counters_get(st, &totals, err, sizeof(err)) < 0 ||
	    !(checkpointer = store_checkpointer_start(st, db, err, sizeof(err))))
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
	if (audit_key_path && !(audit_key = sign_key_load(audit_key_path, err, sizeof(err))))
		goto fail;
	if (!audit_key)
		log_warn("no --audit-key: audit checkpoints are not signed and /v1/audit/export is refused");
	/* `audit export` without --key signs with the key serve last used. */
	if (audit_key_path) {
		char cwd[2048], abs[4096];
		if (audit_key_path[0] == '/')
			rg_strlcpy(abs, audit_key_path, sizeof(abs));
		else
			snprintf(abs, sizeof(abs), "%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : ".", audit_key_path);
		if (store_meta_set(st, "audit_key_path", abs, err, sizeof(err)) < 0)
			goto fail;
	}
	if (record_start(st, pol, &tokens, audit_key, err, sizeof(err)) < 0)
		goto fail;
	if (!(writer = writer_queue_new())) {
		seterr(err, sizeof(err), "out of memory");
		goto fail;
	}
	struct api_context actx = { &metrics, pol, writer, tokens_path != NULL, audit_key };
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
	int64_t checkpoint_looked = 0, retention_looked = 0;
	while (!cmd_stop_requested()) {
		if (source_kafka_run_batch(sk, err, sizeof(err)) < 0) {
			log_error("batch rolled back, re-reading from the stored offsets: %s", err);
			for (int i = 0; i < RETRY_PAUSE_MS / 50 && !cmd_stop_requested(); i++)
				cmd_sleep_ms(50);
		}
		writer_run_pending(writer, st);
		if (outbox_relay_mark_delivered(relay, st, err, sizeof(err)) < 0)
			log_warn("outbox: marking delivered messages failed, they will be sent again: %s", err);
		int64_t now = clock_now_ms();
		if (now - checkpoint_looked >= CHECKPOINT_LOOK_MS) {
			checkpoint_looked = now;
			if (audit_checkpoint_if_due(st, audit_key, now, AUDIT_CHECKPOINT_EVERY_RECORDS,
						    AUDIT_CHECKPOINT_EVERY_MS, err, sizeof(err)) < 0)
				log_warn("audit: checkpoint failed, trying again: %s", err);
		}
		if (now - retention_looked >= RETENTION_LOOK_MS) {
			retention_looked = now;
			int64_t gone = audit_prune(st, now, (int)retention_days, err, sizeof(err));
			if (gone < 0)
				log_warn("audit: retention failed, trying again later: %s", err);
			else if (gone > 0)
				log_info("audit: %lld records past %lld days of retention dropped", (long long)gone,
					 retention_days);
		}
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
	/* The stop goes into the trail, sealed by a last checkpoint. */
	if (st && ig && (record(st, "service_stop", json_pack("{s:s, s:s}", "command", "serve", "reason",
							       rc == 0 ? "signal" : "error"),
				err, sizeof(err)) < 0 ||
			 audit_checkpoint_if_due(st, audit_key, clock_now_ms(), 1, 0, err, sizeof(err)) < 0))
		log_warn("audit: %s", err);
	sign_key_free(audit_key);
	writer_queue_free(writer);
	tokens_release(&tokens);
	ingest_free(ig);
	store_checkpointer_stop(checkpointer);
	store_close(st);
	free(pol);
	return rc;
}
