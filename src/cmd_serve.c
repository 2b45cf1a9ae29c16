/* cmd_serve.c -- `rgmon serve`: the Kafka consumer (this thread: the one
 * store writer) plus the HTTP server (its own threads, read-only). */
#include "rgmon/clock.h"
#include "rgmon/cmd.h"
#include "rgmon/audit.h"
#include "rgmon/digest.h"
#include "rgmon/http.h"
#include "rgmon/ingest.h"
#include "rgmon/kafka.h"
#include "rgmon/log.h"
#include "rgmon/metrics.h"
#include "rgmon/outbox.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/talk_file.h"
#include "rgmon/sign.h"
#include "rgmon/source_kafka.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"
#include "rgmon/tokens.h"
#include "rgmon/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int cmd_serve(const struct cmd_entry *cmd, int argc, char **argv);

#define RETRY_PAUSE_MS 1000
#define CHECKPOINT_LOOK_MS 1000        /* how often to see whether a checkpoint is due */
#define RETENTION_LOOK_MS (3600 * 1000) /* and whether records are past retention */
#define FILES_LOOK_MS 1000              /* and whether the database files are still ours */

struct serve_args {
	const char *brokers, *topic, *group, *db, *http, *policies, *tokens, *tls_cert, *tls_key, *audit_key;
	const char *checkpoints_file;
	struct opt_list policy;
	long long retention_days, cache_players, batch_ms, batch_linger_ms, max_ahead_hours;
	struct opt_list props;
	const char *log_level;
};

static const struct opt serve_opts[] = {
	OPT_STRING("brokers", "B", struct serve_args, brokers, "127.0.0.1:9092", "Kafka bootstrap servers"),
	OPT_STRING("topic", "T", struct serve_args, topic, "rg.events", "events topic; rejected events go to T.dlq"),
	OPT_STRING("group", "G", struct serve_args, group, "rgmon", "consumer group"),
	OPT_STRING("db", "DB", struct serve_args, db, "rgmon.db", "SQLite database"),
	OPT_STRING("http", "HOST:PORT", struct serve_args, http, "127.0.0.1:8080", "HTTP listen address"),
	CMD_OPT_POLICIES(struct serve_args, policy, policies, "risk policy"),
	OPT_STRING("tokens", "FILE", struct serve_args, tokens, NULL,
		   "API tokens (from `rgmon token new`), read at start; without it every /v1 request gets 401"),
	OPT_STRING("tls-cert", "PEM", struct serve_args, tls_cert, NULL,
		   "serve HTTPS with this certificate (and --tls-key)"),
	OPT_STRING("tls-key", "PEM", struct serve_args, tls_key, NULL, "the certificate's private key"),
	OPT_STRING("audit-key", "KEY", struct serve_args, audit_key, NULL,
		   "private key from `rgmon keygen`: signs audit checkpoints (every 1000 records or 10 minutes, and "
		   "at stop) and /v1/audit/export manifests"),
	OPT_STRING("audit-checkpoints-file", "FILE", struct serve_args, checkpoints_file, NULL,
		   "also append each signed checkpoint to FILE as it is made (one JSON line, fsync'd; as published "
		   "on " AUDIT_CHECKPOINT_TOPIC "), for `audit verify --checkpoints FILE`"),
	OPT_INT("audit-retention-days", "N", struct serve_args, retention_days, 1, 36500,
		OPT_STR(AUDIT_RETENTION_DAYS_DEFAULT),
		"days audit records are kept; older ones are dropped from a signed checkpoint on, recorded by a "
		"signed retention record (only with --audit-key)"),
	OPT_INT("cache-players", "N", struct serve_args, cache_players, INGEST_CACHE_MIN, 100000000,
		OPT_STR(INGEST_CACHE_DEFAULT), "players kept in memory"),
	OPT_INT("batch-ms", "MS", struct serve_args, batch_ms, 1, 60000, OPT_STR(SOURCE_KAFKA_BATCH_MS_DEFAULT),
		"a batch commits as soon as no more events are waiting, at most MS after its first event, "
		"or at " OPT_STR(INGEST_BATCH_MAX) " events or half of --cache-players changed, whichever is "
		"first; MS binds only while events wait (a backlog): larger batches write less per event"),
	OPT_INT("batch-linger-ms", "MS", struct serve_args, batch_linger_ms, 0, 60000, "0",
		"keep a batch open at least MS after its first event (at most --batch-ms), taking what arrives: "
		"fewer, larger commits for later alerts"),
	OPT_INT("max-ahead-hours", "H", struct serve_args, max_ahead_hours, 1, 8760,
		OPT_STR(INGEST_MAX_AHEAD_HOURS_DEFAULT),
		"reject (to T.dlq) an event dated more than H hours after both the newest accepted one and "
		"the clock"),
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
	"queue, and serve the HTTP API and the compliance web UI. With several\n"
	"packs (--policy more than once, --policies DIR) each player is scored by\n"
	"the pack that lists their account country, else by the fallback pack (the\n"
	"one without \"countries\"; the built-in policy if none was given). One\n"
	"pack given alone scores every player.\n",
	"A batch (the events waiting, up to " OPT_STR(INGEST_BATCH_MAX) " of them, half of --cache-players or\n"
	"--batch-ms) is committed to the database in one transaction together with\n"
	"its consumed offsets, alerts and outbox messages; on start and on every\n"
	"partition assignment the consumer seeks to the offsets stored there. A\n"
	"relay publishes the outbox to rg.alerts (key player_id, header alert_id),\n"
	"rg.player-flags and rg.audit-checkpoints (each signed audit checkpoint, key\n"
	"the signing key's fingerprint) and\n"
	"marks messages sent on delivery: a crash may resend, never lose. Staff\n"
	"actions (acknowledge, resolve) are written between batches. HTTP:\n"
	"/healthz, /readyz, /metrics, the web UI at /, and the /v1 API\n"
	"(schemas/openapi.yaml).\n"
	"SIGINT/SIGTERM commit the open batch at once and exit 0 within 5 s,\n"
	"even with the broker gone or frozen: no wait on it is longer than 2 s, and a Kafka\n"
	"client still waiting on it after the store is closed is left behind\n"
	"(Kafka's offsets are only a mirror of the store's). A second signal exits\n"
	"at once (128 + signal), which loses nothing: every batch commits\n"
	"atomically with its offsets.\n"
	"One serve or replay writes a database at a time (a lock on DB.lock);\n"
	"a damaged dedupe index is refused at start. If the database or its -wal\n"
	"is deleted or replaced while serving, serve commits nothing more and\n"
	"/readyz answers 503 until restarted. Messages gone from Kafka before\n"
	"they were read are counted (rgmon stats, /metrics, /readyz).\n",
	cmd_serve,
};

/* A service record (start, stop, a token) in its own transaction. */
static int record(struct store *st, enum audit_kind kind, json_t *payload, char *err, size_t errlen)
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

/* The start, and every token not seen before, go into the audit trail.
 * The tokens in one transaction: one each cost a commit per token (most
 * of a minute for 100,000) and a failed start left some registered. */
static int record_start(struct store *st, const struct policy_set *set, const struct token_table *tokens,
			const struct sign_key *key, char *err, size_t errlen)
{
	char fp[SIGN_FINGERPRINT_LEN] = "";
	if (key) {
		uint8_t pub[SIGN_PUBLIC_LEN];
		sign_key_public(key, pub);
		sign_fingerprint(pub, fp);
	}
	json_t *ids = json_array();
	for (int i = 0; i < set->n; i++)
		json_array_append_new(ids, json_string(set->packs[i]->id));
	if (record(st, AUDIT_SERVICE_START,
		   json_pack("{s:s, s:s, s:s, s:o, s:s?, s:i}", "command", "serve", "version", RGMON_VERSION, "policy",
			     policy_set_fallback(set)->id, "policies", ids, "audit_key", key ? fp : NULL, "tokens",
			     (int)tokens->count),
		   err, errlen) < 0)
		return -1;
	if (tokens->count == 0)
		return 0;
	if (store_begin(st, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < tokens->count; i++) {
		const struct token_entry *t = &tokens->entries[i];
		char hex[DIGEST_SHA256_HEX], tfp[DIGEST_SHA256_HEX + 8];
		/* A fingerprint of the stored hash: names the token, reveals nothing. */
		if (digest_sha256_hex(t->hash, sizeof(t->hash), hex) < 0) {
			seterr(err, errlen, "libcrypto cannot hash");
			goto fail;
		}
		hex[32] = '\0';
		snprintf(tfp, sizeof(tfp), "sha256:%s", hex);
		int fresh = store_token_register(st, tfp, clock_now_ms(), err, errlen);
		if (fresh < 0 || (fresh && audit_append(st, clock_now_ms(), AUDIT_TOKEN_REGISTERED, NULL,
							json_pack("{s:s, s:s, s:s}", "name", t->name, "role",
								  role_name(t->role), "fingerprint", tfp),
							err, errlen) < 0))
			goto fail;
	}
	if (store_commit(st, err, errlen) == 0)
		return 0;
fail:
	store_rollback(st);
	return -1;
}

/* The store's writer side: everything serve runs, released by serve_stop()
 * in the order that loses nothing. */
struct serve {
	struct metrics metrics;
	struct policy_set *set;
	struct store_lock *lock;
	struct store *st;
	struct store_checkpointer *checkpointer;
	struct ingest *ig;
	struct token_table tokens;
	struct sign_key *audit_key;
	uint8_t badge_secret[API_BADGE_SECRET_LEN];
	struct writer_queue *writer;
	struct talk_set *talk; /* the built-in talking points */
	struct api_context actx;
	struct http_server *http;
	struct outbox_relay *relay;
	struct source_kafka *sk;
	int checkpoints_fd; /* --audit-checkpoints-file, or -1 */
};

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

/* `audit export` without --key signs with the key serve last used. */
static int remember_audit_key(struct store *st, const char *path, char *err, size_t errlen)
{
	char cwd[2048], abs[4096];
	if (path[0] == '/')
		rg_strlcpy(abs, path, sizeof(abs));
	else
		snprintf(abs, sizeof(abs), "%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : ".", path);
	return store_meta_set(st, "audit_key_path", abs, err, errlen);
}

/* /metrics and /readyz count skipped messages from the store's totals. */
static int load_skipped(struct serve *s, const char *topic, char *err, size_t errlen)
{
	enum { MAX_OFFSETS = 1024 };
	struct store_offset *offs = malloc(MAX_OFFSETS * sizeof(*offs));
	if (!offs)
		return seterr(err, errlen, "out of memory");
	int n = store_offsets_get(s->st, offs, MAX_OFFSETS, err, errlen);
	for (int i = 0; i < n; i++)
		if (offs[i].skipped > 0 && strcmp(offs[i].topic, topic) == 0)
			metrics_add_skipped(&s->metrics, offs[i].partition, offs[i].skipped);
	free(offs);
	return n < 0 ? -1 : 0;
}

/* Tokens, the audit key, the store, the policy and the ingest pipeline;
 * the start goes into the audit trail. */
static int serve_open(struct serve *s, const struct serve_args *a, char *err, size_t errlen)
{
	struct store_counters totals;
	/* The files that may be refused come first, so a mistake in one
	 * leaves no database behind and says only what is wrong. */
	if (a->tokens && tokens_load(&s->tokens, a->tokens, err, errlen) < 0)
		return -1;
	if (a->audit_key && !(s->audit_key = sign_key_load(a->audit_key, err, errlen)))
		return -1;
	if (a->checkpoints_file && !a->audit_key)
		return seterr(err, errlen, "--audit-checkpoints-file needs --audit-key: without it no checkpoint is "
					   "signed");
	if (a->checkpoints_file &&
	    (s->checkpoints_fd = open(a->checkpoints_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return seterr(err, errlen, "cannot append to \"%s\": %s", a->checkpoints_file, strerror(errno));
	/* One writer per database; a corrupt store is not consumed into. */
	if (!(s->lock = store_lock_take(a->db, "serve", err, errlen)) || !(s->st = store_open(a->db, err, errlen)) ||
	    store_check(s->st, false, err, errlen) < 0 || store_counters_get(s->st, &totals, err, errlen) < 0 ||
	    !(s->checkpointer = store_checkpointer_start(s->st, a->db, err, errlen)))
		return -1;
	/* /metrics counts from the store's totals, so it agrees with `rgmon stats`. */
	atomic_store(&s->metrics.events_accepted, totals.accepted);
	atomic_store(&s->metrics.events_duplicate, totals.duplicates);
	atomic_store(&s->metrics.events_rejected, totals.rejected);
	atomic_store(&s->metrics.events_duplicate_conflict, totals.duplicate_conflicts);
	if (load_skipped(s, a->topic, err, errlen) < 0)
		return -1;

	if (!(s->set = malloc(sizeof(*s->set))))
		return seterr(err, errlen, "out of memory");
	policy_set_init(s->set);
	if (cmd_use_policies(&a->policy, a->policies, s->st, s->set, err, errlen) < 0)
		return -1;
	for (int i = 0; i < s->set->n; i++)
		log_info("policy %s%s", s->set->packs[i]->id, i == s->set->fallback ? " (fallback)" : "");
	struct ingest_config icfg = { .cache_players = (size_t)a->cache_players, .cap_prune_at_wall_clock = true,
				      .ahead_of_wall_clock = true,
				      .policies = s->set, .max_ahead_hours = a->max_ahead_hours };
	if (!(s->ig = ingest_new(s->st, &icfg, err, errlen)))
		return -1;
	if (!a->tokens)
		log_warn("no --tokens: the /v1 API answers 401 to everyone");
	if (!s->audit_key)
		log_warn("no --audit-key: audit checkpoints are not signed and /v1/audit/export is refused");
	if (a->audit_key && remember_audit_key(s->st, a->audit_key, err, errlen) < 0)
		return -1;
	/* Badge links stay valid across restarts: the secret is the database's. */
	if (api_badge_secret_load(s->st, s->badge_secret, err, errlen) < 0)
		return -1;
	return record_start(s->st, s->set, &s->tokens, s->audit_key, err, errlen);
}

/* The threads: HTTP (read-only), the outbox relay, the Kafka consumer. */
static int serve_start(struct serve *s, const struct serve_args *a, char *err, size_t errlen)
{
	if (!(s->writer = writer_queue_new()) || !(s->talk = malloc(sizeof(*s->talk))))
		return seterr(err, errlen, "out of memory");
	if (talk_set_load_builtin(s->talk, err, errlen) < 0) {
		free(s->talk);
		s->talk = NULL;
		return -1;
	}
	s->actx = (struct api_context){ &s->metrics, policy_set_fallback(s->set), s->writer, a->tokens != NULL,
					s->audit_key, s->set, s->badge_secret, s->talk };
	struct http_config hcfg = { a->http, a->db, &s->tokens, a->tls_cert, a->tls_key };
	if (!(s->http = http_start(&hcfg, &s->actx, err, errlen)))
		return -1;
	struct outbox_relay_config rcfg = { a->brokers, a->props.v, a->props.n, a->db };
	if (!(s->relay = outbox_relay_start(&rcfg, &s->metrics, err, errlen)))
		return -1;
	struct source_kafka_config kcfg = { a->brokers, a->topic, a->group, a->props.v, a->props.n, (int)a->batch_ms,
					    (int)a->batch_linger_ms, cmd_stop_requested };
	if (!(s->sk = source_kafka_new(&kcfg, s->ig, s->st, &s->metrics, err, errlen)))
		return -1;
	log_info("serving %s://%s (port %d), consuming %s from %s as group %s into %s",
		 a->tls_cert ? "https" : "http", a->http, http_port(s->http), a->topic, a->brokers, a->group, a->db);
	return 0;
}

/* A checkpoint, once committed, also goes to --audit-checkpoints-file:
 * whoever holds that file can tell a later rewrite of what it signed. */
static int checkpoint_if_due(struct serve *s, int64_t now, int64_t every_records, int64_t every_ms, char *err,
			     size_t errlen)
{
	char *line = NULL;
	int rc = audit_checkpoint_if_due(s->st, s->audit_key, now, every_records, every_ms, &line, err, errlen);
	if (rc > 0 && s->checkpoints_fd >= 0) {
		int want = (int)strlen(line) + 1;
		if (dprintf(s->checkpoints_fd, "%s\n", line) != want || fsync(s->checkpoints_fd) != 0)
			log_error("audit: cannot append the checkpoint to --audit-checkpoints-file: %s (it is on %s "
				  "still)",
				  strerror(errno), AUDIT_CHECKPOINT_TOPIC);
	}
	free(line);
	return rc;
}

/* Once the database files changed under serve (store_files_check) it
 * consumes and commits nothing more and is not ready, until restarted;
 * HTTP keeps answering reads, and staff actions are refused. The store
 * has logged why. */
static bool store_lost(struct serve *s, int64_t now, int64_t *looked)
{
	if (!store_files_changed(s->st) && now - *looked >= FILES_LOOK_MS) {
		*looked = now;
		store_files_check(s->st, NULL, 0);
	}
	if (!store_files_changed(s->st))
		return false;
	metrics_set_readiness(&s->metrics, NOT_READY_STORE_CHANGED);
	writer_run_pending(s->writer, s->st);
	cmd_sleep_ms(50);
	return true;
}

/* This thread is the store's one writer: batches, then the staff actions
 * HTTP threads handed over, then what the relay delivered; now and then
 * an audit checkpoint and retention. Returns at SIGINT/SIGTERM. */
static void serve_run(struct serve *s, long long retention_days)
{
	int64_t checkpoint_looked = 0, retention_looked = 0, files_looked = 0;
	char err[512];
	while (!cmd_stop_requested()) {
		if (store_lost(s, clock_now_ms(), &files_looked))
			continue;
		if (source_kafka_run_batch(s->sk, err, sizeof(err)) < 0 && !store_files_changed(s->st)) {
			log_error("batch rolled back, re-reading from the stored offsets: %s", err);
			for (int i = 0; i < RETRY_PAUSE_MS / 50 && !cmd_stop_requested(); i++)
				cmd_sleep_ms(50);
		}
		writer_run_pending(s->writer, s->st);
		if (outbox_relay_mark_delivered(s->relay, s->st, err, sizeof(err)) < 0)
			log_warn("outbox: marking delivered messages failed, they will be sent again: %s", err);
		int64_t now = clock_now_ms();
		if (now - checkpoint_looked >= CHECKPOINT_LOOK_MS) {
			checkpoint_looked = now;
			if (checkpoint_if_due(s, now, AUDIT_CHECKPOINT_EVERY_RECORDS, AUDIT_CHECKPOINT_EVERY_MS, err,
					      sizeof(err)) < 0)
				log_warn("audit: checkpoint failed, trying again: %s", err);
		}
		if (now - retention_looked >= RETENTION_LOOK_MS) {
			retention_looked = now;
			int64_t gone = audit_prune(s->st, s->audit_key, now, (int)retention_days, err, sizeof(err));
			if (gone < 0)
				log_warn("audit: retention failed, trying again later: %s", err);
			else if (gone > 0)
				log_info("audit: %lld records past %lld days of retention dropped", (long long)gone,
					 retention_days);
		}
	}
	log_info("stopping: committing the open batch");
	metrics_set_readiness(&s->metrics, NOT_READY_STOPPING);
}

/* Order matters: fail waiting staff actions, stop HTTP, commit the open
 * batch, record the stop and its checkpoint, then let the relay deliver
 * what it can and mark it. */
static void serve_stop(struct serve *s, bool failed)
{
	char err[512];
	if (s->writer)
		writer_close(s->writer);
	http_stop(s->http);
	bool broker_answered = source_kafka_close(s->sk);
	/* The stop goes into the trail, sealed by a last checkpoint, which the
	 * relay's last round publishes (not into files that are no longer the
	 * database's). */
	if (s->st && s->ig && !store_files_changed(s->st) &&
	    (record(s->st, AUDIT_SERVICE_STOP,
		    json_pack("{s:s, s:s}", "command", "serve", "reason", failed ? "error" : "signal"), err,
		    sizeof(err)) < 0 ||
	     checkpoint_if_due(s, clock_now_ms(), 1, 0, err, sizeof(err)) < 0))
		log_warn("audit: %s", err);
	if (s->checkpoints_fd >= 0)
		close(s->checkpoints_fd);
	if (s->relay) {
		/* Rows the broker has not taken stay in the outbox and go at
		 * the next start: waiting longer on a dead broker saves none. */
		outbox_relay_stop(s->relay, broker_answered ? 1000 : 200);
		if (outbox_relay_mark_delivered(s->relay, s->st, err, sizeof(err)) < 0)
			log_warn("outbox: %s", err);
	}
	outbox_relay_free(s->relay);
	sign_key_free(s->audit_key);
	writer_queue_free(s->writer);
	tokens_release(&s->tokens);
	ingest_free(s->ig);
	store_checkpointer_stop(s->checkpointer);
	store_close(s->st);
	store_lock_release(s->lock);
	if (s->set)
		policy_set_release(s->set);
	free(s->set);
	if (s->talk)
		talk_set_release(s->talk);
	free(s->talk);
}

static int cmd_serve(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct serve_args a = { 0 };
	struct serve s = { .checkpoints_fd = -1 };
	char err[512];
	int rc = serve_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	metrics_init(&s.metrics);
	cmd_handle_stop_signals();
	if (serve_open(&s, &a, err, sizeof(err)) < 0 || serve_start(&s, &a, err, sizeof(err)) < 0)
		rc = cmd_fail("serve: %s", err);
	else
		serve_run(&s, a.retention_days);
	serve_stop(&s, rc != 0);
	/* The store is closed; a Kafka client that still waits on a dead
	 * broker is not waited for. */
	kafka_exit_if_abandoned(rc);
	return rc;
}
