/* cmd_serve.c -- `rgmon serve`: the Kafka consumer (this thread: the one
 * store writer) plus the HTTP server (its own threads, read-only). */
#include "rgmon/cmd.h"
#include "rgmon/audit.h"
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

#include <stdio.h>
#include <unistd.h>

#define RETRY_PAUSE_MS 1000
#define CHECKPOINT_LOOK_MS 1000        /* how often to see whether a checkpoint is due */
#define RETENTION_LOOK_MS (3600 * 1000) /* and whether records are past retention */

struct serve_args {
	const char *brokers, *topic, *group, *db, *http, *policy, *tokens, *tls_cert, *tls_key, *audit_key;
	long long retention_days, cache_players, batch_ms;
	struct opt_list props;
	const char *log_level;
};

static const struct opt serve_opts[] = {
	OPT_STRING("brokers", "B", struct serve_args, brokers, "127.0.0.1:9092", "Kafka bootstrap servers"),
	OPT_STRING("topic", "T", struct serve_args, topic, "rg.events", "events topic; rejected events go to T.dlq"),
	OPT_STRING("group", "G", struct serve_args, group, "rgmon", "consumer group"),
	OPT_STRING("db", "DB", struct serve_args, db, "rgmon.db", "SQLite database"),
	OPT_STRING("http", "HOST:PORT", struct serve_args, http, "127.0.0.1:8080", "HTTP listen address"),
	OPT_STRING("policy", "FILE", struct serve_args, policy, NULL,
		   "risk policy (default: the built-in policies/default.json)"),
	OPT_STRING("tokens", "FILE", struct serve_args, tokens, NULL,
		   "API tokens (from `rgmon token new`), read at start; without it every /v1 request gets 401"),
	OPT_STRING("tls-cert", "PEM", struct serve_args, tls_cert, NULL,
		   "serve HTTPS with this certificate (and --tls-key)"),
	OPT_STRING("tls-key", "PEM", struct serve_args, tls_key, NULL, "the certificate's private key"),
	OPT_STRING("audit-key", "KEY", struct serve_args, audit_key, NULL,
		   "private key from `rgmon keygen`: signs audit checkpoints (every 1000 records or 10 minutes, and "
		   "at stop) and /v1/audit/export manifests"),
	OPT_INT("audit-retention-days", "N", struct serve_args, retention_days, 1, 36500,
		OPT_STR(AUDIT_RETENTION_DAYS_DEFAULT),
		"days audit records are kept; older ones are dropped from a signed checkpoint on"),
	OPT_INT("cache-players", "N", struct serve_args, cache_players, 2 * INGEST_BATCH_MAX, 100000000,
		OPT_STR(INGEST_CACHE_DEFAULT), "players kept in memory"),
	OPT_INT("batch-ms", "MS", struct serve_args, batch_ms, 1, 60000, "50",
		"a batch commits at most MS after its first event, or at " OPT_STR(INGEST_BATCH_MAX)
		" events, whichever is first"),
	OPT_LIST('X', NULL, "prop=value", struct serve_args, props, 64, NULL,
		 "librdkafka property for the consumer and producers (as kcat -X); repeatable"),
	OPT_CHOICE("log-level", "error|warn|info|debug", struct serve_args, log_level, "info",
		   "what to log on stderr"),
	OPT_END,
};

const struct cmd_entry cmd_serve_entry = {
	"serve", serve_opts,
	"Consume events from Kafka, apply them to player state exactly once, score\n"
	"players against the policy, raise alerts, publish them to the support\n"
	"queue, and serve the HTTP API and the compliance web UI.\n",
	"A batch (up to 5000 events or --batch-ms) is committed to the database in one\n"
	"transaction together with its consumed offsets, alerts and outbox messages;\n"
	"on start and on every partition assignment the consumer seeks to the\n"
	"offsets stored there. A relay publishes the outbox to rg.alerts (key\n"
	"player_id, header alert_id) and rg.player-flags and marks messages sent on\n"
	"delivery: a crash may resend, never lose. Staff actions (acknowledge,\n"
	"resolve) are written between batches. HTTP: /healthz, /readyz, /metrics,\n"
	"the web UI at /, and the /v1 API (schemas/openapi.yaml).\n"
	"SIGINT/SIGTERM finish the batch, commit and exit 0.\n",
	cmd_serve,
};

/* A service record (start, stop, a token) in its own transaction. */
static int record(struct store *st, const char *kind, json_t *payload, char *err, size_t errlen)
{
	if (store_begin(st, err, errlen) < 0) {
		json_decref(payload);
		return -1;
	}
	if (audit_append(st, ts_now_ms(), kind, NULL, payload, err, errlen) < 0 || store_commit(st, err, errlen) < 0) {
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
		int fresh = store_token_register(st, tfp, ts_now_ms(), err, errlen);
		if (fresh < 0 || (fresh && audit_append(st, ts_now_ms(), "token_registered", NULL,
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

static int serve_parse(const struct cmd_entry *cmd, int argc, char **argv, struct serve_args *a)
{
	enum log_level level;
	int rc = cmd_parse(cmd, argc, argv, a);
	if (rc)
		return rc;
	for (int i = 0; i < a->props.n; i++)
		if (!strchr(a->props.v[i], '='))
			return cmd_usage_error(cmd, "-X \"%s\" is not name=value", a->props.v[i]);
	if (log_level_parse(a->log_level, &level) < 0)
		return cmd_usage_error(cmd, "--log-level \"%s\" is not a level", a->log_level);
	log_set_level(level);
	return 0;
}

int cmd_serve(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct serve_args a = { 0 };
	char err[512];
	int rc = serve_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	rc = EXIT_RUNTIME;
	struct source_kafka_config kcfg = { a.brokers, a.topic, a.group, a.props.v, a.props.n, (int)a.batch_ms };
	const char *db = a.db, *policy_path = a.policy, *tokens_path = a.tokens, *audit_key_path = a.audit_key;
	struct http_config hcfg = { a.http, NULL, NULL, a.tls_cert, a.tls_key };

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
	struct ingest_config icfg = { .cache_players = (size_t)a.cache_players, .cap_prune_at_wall_clock = true, .policy = pol };
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
	struct outbox_relay_config rcfg = { kcfg.brokers, a.props.v, a.props.n, db };
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
		int64_t now = ts_now_ms();
		if (now - checkpoint_looked >= CHECKPOINT_LOOK_MS) {
			checkpoint_looked = now;
			if (audit_checkpoint_if_due(st, audit_key, now, AUDIT_CHECKPOINT_EVERY_RECORDS,
						    AUDIT_CHECKPOINT_EVERY_MS, err, sizeof(err)) < 0)
				log_warn("audit: checkpoint failed, trying again: %s", err);
		}
		if (now - retention_looked >= RETENTION_LOOK_MS) {
			retention_looked = now;
			int64_t gone = audit_prune(st, now, (int)a.retention_days, err, sizeof(err));
			if (gone < 0)
				log_warn("audit: retention failed, trying again later: %s", err);
			else if (gone > 0)
				log_info("audit: %lld records past %lld days of retention dropped", (long long)gone,
					 a.retention_days);
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
			 audit_checkpoint_if_due(st, audit_key, ts_now_ms(), 1, 0, err, sizeof(err)) < 0))
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
