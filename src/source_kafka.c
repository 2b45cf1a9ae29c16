/* source_kafka.c -- the Kafka consumer behind `rgmon serve`, and its
 * dead-letter producer. See source_kafka.h for the guarantees. */
#include "rgmon/source_kafka.h"
#include "rgmon/clock.h"
#include "rgmon/kafka.h"
#include "rgmon/log.h"

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>

struct source_kafka {
	rd_kafka_t *consumer;
	rd_kafka_t *dlq;
	char topic[256];
	char dlq_topic[260];
	int batch_ms, batch_linger_ms;
	bool (*stop_requested)(void);
	struct ingest *ingest;
	struct store *store;
	struct metrics *metrics;
	/* the open batch, for metrics after it commits */
	int64_t batch_accepted, batch_duplicates, batch_rejected, batch_duplicate_conflicts;
	int64_t batch_skipped[METRICS_PARTITIONS];
	/* The offset each partition's next message should have: what the
	 * store holds, then one past the last message read; -1 unknown (no
	 * stored offset: the log is read from its start, nothing skipped). */
	int64_t expect[METRICS_PARTITIONS];
	int64_t lag_updated_us;
	int64_t broker_checked_us; /* recheck_brokers: the last metadata request */
	bool closing;    /* leaving the group: no more Kafka offset mirrors */
	bool abandoned;  /* a client's destroy was left running: sk stays */
	/* librdkafka said all brokers are down, and no message came since:
	 * a stop does not wait for the group's goodbye. */
	atomic_bool brokers_down;
	bool failed;     /* a store error inside a callback */
	char failure[512];
};

static void on_consumer_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct source_kafka *sk = opaque;
	(void)rk;
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
		metrics_set_readiness(sk->metrics, NOT_READY_BROKER_DOWN);
		atomic_store(&sk->brokers_down, true);
	}
	log_warn("kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void on_dlq_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct source_kafka *sk = opaque;
	(void)rk;
	if (msg->err) {
		atomic_fetch_add(&sk->metrics->dlq_failed, 1);
		log_warn("dead-letter publish failed: %s", rd_kafka_err2str(msg->err));
	} else {
		atomic_fetch_add(&sk->metrics->dlq_published, 1);
	}
}

/* Positions each partition at the offset stored with the state it built. */
static void position_from_store(struct source_kafka *sk, rd_kafka_topic_partition_list_t *parts)
{
	char err[512];
	for (int i = 0; i < parts->cnt; i++) {
		rd_kafka_topic_partition_t *p = &parts->elems[i];
		int64_t next;
		int found = store_offset_get(sk->store, p->topic, p->partition, &next, err, sizeof(err));
		if (found < 0) {
			sk->failed = true;
			rg_strlcpy(sk->failure, err, sizeof(sk->failure));
		}
		p->offset = found == 1 ? next : RD_KAFKA_OFFSET_BEGINNING;
		if (p->partition >= 0 && p->partition < METRICS_PARTITIONS)
			sk->expect[p->partition] = found == 1 ? next : -1;
	}
}

static int commit_batch(struct source_kafka *sk, char *err, size_t errlen);

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
			 void *opaque)
{
	struct source_kafka *sk = opaque;
	char cerr[512];
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		position_from_store(sk, parts);
		rd_kafka_assign(rk, parts);
		atomic_store(&sk->metrics->assigned_partitions, parts->cnt);
		metrics_set_readiness(sk->metrics, parts->cnt > 0 ? READY : NOT_READY_NO_PARTITIONS);
		log_info("assigned %d partition(s) of %s", parts->cnt, sk->topic);
	} else {
		/* Commit what was consumed from these partitions before another
		 * instance takes them over. If that fails, the new owner simply
		 * re-reads from the stored offsets. */
		if (commit_batch(sk, cerr, sizeof(cerr)) < 0)
			log_warn("commit on revoke failed, the new owner re-reads: %s", cerr);
		rd_kafka_assign(rk, NULL);
		atomic_store(&sk->metrics->assigned_partitions, 0);
		metrics_set_readiness(sk->metrics, NOT_READY_NO_PARTITIONS);
		log_info("revoked %d partition(s)", parts->cnt);
	}
}

struct source_kafka *source_kafka_new(const struct source_kafka_config *cfg, struct ingest *ig, struct store *st,
				      struct metrics *m, char *err, size_t errlen)
{
	struct source_kafka *sk = calloc(1, sizeof(*sk));
	rd_kafka_conf_t *cconf = NULL, *pconf = NULL;
	char errstr[512];
	if (!sk) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	rg_strlcpy(sk->topic, cfg->topic, sizeof(sk->topic));
	snprintf(sk->dlq_topic, sizeof(sk->dlq_topic), "%s.dlq", cfg->topic);
	sk->batch_ms = cfg->batch_ms > 0 ? cfg->batch_ms : SOURCE_KAFKA_BATCH_MS_DEFAULT;
	sk->batch_linger_ms = cfg->batch_linger_ms < sk->batch_ms ? cfg->batch_linger_ms : sk->batch_ms;
	sk->stop_requested = cfg->stop_requested;
	sk->ingest = ig;
	sk->store = st;
	sk->metrics = m;
	for (int p = 0; p < METRICS_PARTITIONS; p++)
		sk->expect[p] = -1;

	/* Consumer: offsets are ours (in the store); Kafka's are a mirror. */
	if (!(cconf = kafka_conf_new(cfg->brokers, err, errlen)))
		goto fail;
	static const char *const consumer_defaults[][2] = {
		{ "group.id", NULL },
		{ "enable.auto.commit", "false" },
		{ "enable.auto.offset.store", "false" },
		{ "auto.offset.reset", "earliest" },
		{ "enable.partition.eof", "false" },
		/* After a crash the restarted instance waits for its dead
		 * predecessor's session to expire before it gets partitions: 10 s
		 * instead of librdkafka's 45 s (override with -X). */
		{ "session.timeout.ms", "10000" },
		{ "heartbeat.interval.ms", "1000" },
		/* Larger local queues keep the consumer fed between polls. */
		{ "queued.min.messages", "200000" },
		/* How long a broker may hold a fetch that finds no new message.
		 * A Kafka broker answers it as soon as one arrives; the dev broker
		 * (librdkafka's mock cluster) waits this long regardless, so an
		 * idle consumer's next event waited up to 50 ms (alert latency p50
		 * 31 ms at idle; 3 ms at 5 ms). 10 ms: at most ~100 empty fetches
		 * a second when idle. */
		{ "fetch.wait.max.ms", "10" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(consumer_defaults); i++) {
		const char *v = consumer_defaults[i][1] ? consumer_defaults[i][1] : cfg->group;
		if (kafka_conf_set2(cconf, consumer_defaults[i][0], v, err, errlen) < 0)
			goto fail;
	}
	if (kafka_conf_apply(cconf, cfg->props, cfg->nprops, true, err, errlen) < 0)
		goto fail;
	rd_kafka_conf_set_rebalance_cb(cconf, on_rebalance);
	rd_kafka_conf_set_error_cb(cconf, on_consumer_error);
	rd_kafka_conf_set_opaque(cconf, sk);
	sk->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, errstr, sizeof(errstr));
	if (!sk->consumer) {
		seterr(err, errlen, "kafka consumer: %s", errstr);
		goto fail;
	}
	cconf = NULL; /* owned by the consumer now */
	rd_kafka_poll_set_consumer(sk->consumer);

	/* Dead-letter producer. */
	if (!(pconf = kafka_conf_new(cfg->brokers, err, errlen)))
		goto fail;
	if (kafka_conf_set2(pconf, "enable.idempotence", "true", err, errlen) < 0 ||
	    kafka_conf_set2(pconf, "linger.ms", "5", err, errlen) < 0)
		goto fail;
	if (kafka_conf_apply(pconf, cfg->props, cfg->nprops, false, err, errlen) < 0)
		goto fail;
	rd_kafka_conf_set_dr_msg_cb(pconf, on_dlq_delivery);
	rd_kafka_conf_set_opaque(pconf, sk);
	sk->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof(errstr));
	if (!sk->dlq) {
		seterr(err, errlen, "dead-letter producer: %s", errstr);
		goto fail;
	}
	pconf = NULL;

	rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(sub, cfg->topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t e = rd_kafka_subscribe(sk->consumer, sub);
	rd_kafka_topic_partition_list_destroy(sub);
	if (e) {
		seterr(err, errlen, "subscribing to %s: %s", cfg->topic, rd_kafka_err2str(e));
		goto fail;
	}
	return sk;
fail:
	if (cconf)
		rd_kafka_conf_destroy(cconf);
	if (pconf)
		rd_kafka_conf_destroy(pconf);
	source_kafka_close(sk);
	return NULL;
}

static void publish_dead_letter(struct source_kafka *sk, const rd_kafka_message_t *msg, const char *reason)
{
	char source[300];
	snprintf(source, sizeof(source), "%s/%d@%lld", rd_kafka_topic_name(msg->rkt), msg->partition,
		 (long long)msg->offset);
	rd_kafka_resp_err_t e = rd_kafka_producev(
		sk->dlq, RD_KAFKA_V_TOPIC(sk->dlq_topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		RD_KAFKA_V_KEY(msg->key, msg->key_len), RD_KAFKA_V_VALUE(msg->payload, msg->len),
		RD_KAFKA_V_HEADER("rgmon.reason", reason, -1), RD_KAFKA_V_HEADER("rgmon.source", source, -1),
		RD_KAFKA_V_END);
	if (e) {
		atomic_fetch_add(&sk->metrics->dlq_failed, 1);
		log_warn("dead-letter publish of %s failed: %s", source, rd_kafka_err2str(e));
	}
	rd_kafka_poll(sk->dlq, 0);
}

static void batch_reset(struct source_kafka *sk)
{
	atomic_store(&sk->metrics->batch_open_events, 0);
	sk->batch_accepted = sk->batch_duplicates = sk->batch_rejected = sk->batch_duplicate_conflicts = 0;
	memset(sk->batch_skipped, 0, sizeof(sk->batch_skipped));
}

/* Messages the partition no longer has between the last one read (or
 * the stored offset) and this one: deleted by retention before they were
 * read, then skipped by librdkafka's offset reset. Counted in the batch
 * (store and metrics), and logged, so a gap is never silent. Offsets a
 * topic never had (transaction markers, compaction) count too. */
static int note_gap(struct source_kafka *sk, const char *topic, int32_t partition, int64_t offset, char *err,
		    size_t errlen)
{
	if (partition < 0 || partition >= METRICS_PARTITIONS)
		return 0;
	int64_t expected = sk->expect[partition], gap = offset - expected;
	sk->expect[partition] = offset + 1;
	if (expected < 0 || gap <= 0)
		return 0;
	log_warn("kafka: %s/%d: offsets %lld..%lld are gone (retention or an offset reset): %lld message(s) "
		 "skipped, never read", topic, partition, (long long)expected, (long long)offset - 1, (long long)gap);
	sk->batch_skipped[partition] += gap;
	return store_offset_skipped_add(sk->store, topic, partition, gap, err, errlen);
}

static void add_offset(void *ctx, const char *topic, int32_t partition, int64_t next_offset)
{
	rd_kafka_topic_partition_list_add(ctx, topic, partition)->offset = next_offset;
}

static int commit_batch(struct source_kafka *sk, char *err, size_t errlen)
{
	if (ingest_pending(sk->ingest) == 0)
		return 0;
	/* The batch's offsets, read before the commit clears them, for the
	 * Kafka mirror once the store has them. */
	rd_kafka_topic_partition_list_t *mirror = rd_kafka_topic_partition_list_new(64);
	ingest_offsets_each(sk->ingest, add_offset, mirror);
	/* Dead letters of this batch must be out before its offsets commit. */
	if (sk->batch_rejected > 0 || sk->batch_duplicate_conflicts > 0)
		rd_kafka_flush(sk->dlq, 10000);
	int64_t t0 = clock_mono_us();
	if (ingest_commit(sk->ingest, err, errlen) < 0) {
		atomic_fetch_add(&sk->metrics->batch_failures, 1);
		rd_kafka_topic_partition_list_destroy(mirror);
		batch_reset(sk);
		return -1;
	}
	metrics_observe_commit(sk->metrics, clock_mono_us() - t0);
	atomic_fetch_add(&sk->metrics->batches, 1);
	atomic_fetch_add(&sk->metrics->events_accepted, sk->batch_accepted);
	atomic_fetch_add(&sk->metrics->events_duplicate, sk->batch_duplicates);
	atomic_fetch_add(&sk->metrics->events_rejected, sk->batch_rejected);
	atomic_fetch_add(&sk->metrics->events_duplicate_conflict, sk->batch_duplicate_conflicts);
	for (int p = 0; p < METRICS_PARTITIONS; p++)
		if (sk->batch_skipped[p])
			metrics_add_skipped(sk->metrics, p, sk->batch_skipped[p]);
	/* Mirror to Kafka for lag tools; asynchronous, and never relied on.
	 * Not while closing: a commit still pending on a dead coordinator
	 * holds up the consumer's destroy for seconds. */
	if (mirror->cnt > 0 && !sk->closing)
		rd_kafka_commit(sk->consumer, mirror, 1);
	rd_kafka_topic_partition_list_destroy(mirror);
	batch_reset(sk);
	return 0;
}

/* After a failed batch: re-position every assigned partition at the stored
 * offsets (the batch's effects were rolled back, so it is read again). */
static void rewind_to_store(struct source_kafka *sk)
{
	rd_kafka_topic_partition_list_t *parts = NULL;
	if (rd_kafka_assignment(sk->consumer, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts)
		return;
	position_from_store(sk, parts);
	rd_kafka_assign(sk->consumer, parts);
	rd_kafka_topic_partition_list_destroy(parts);
}

/* The caller has the reason in its err buffer already. */
static int fail_batch(struct source_kafka *sk)
{
	ingest_abort(sk->ingest);
	batch_reset(sk);
	rewind_to_store(sk);
	metrics_set_readiness(sk->metrics, NOT_READY_STORE_FAILING);
	return -1;
}

/* Consumer lag per assigned partition, at most once a second: the log end
 * librdkafka last saw (no broker round trip) minus the committed position. */
static void update_lag(struct source_kafka *sk)
{
	rd_kafka_topic_partition_list_t *parts = NULL;
	int64_t now = clock_mono_us(), lag[METRICS_PARTITIONS];
	if (now - sk->lag_updated_us < 1000000)
		return;
	sk->lag_updated_us = now;
	for (int p = 0; p < METRICS_PARTITIONS; p++)
		lag[p] = -1;
	if (rd_kafka_assignment(sk->consumer, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts)
		parts = rd_kafka_topic_partition_list_new(0);
	rd_kafka_position(sk->consumer, parts);
	for (int i = 0; i < parts->cnt; i++) {
		rd_kafka_topic_partition_t *tp = &parts->elems[i];
		int64_t lo = 0, hi = 0, pos = tp->offset;
		if (rd_kafka_get_watermark_offsets(sk->consumer, tp->topic, tp->partition, &lo, &hi) !=
			    RD_KAFKA_RESP_ERR_NO_ERROR ||
		    hi < 0)
			continue;
		if (pos < 0 && store_offset_get(sk->store, tp->topic, tp->partition, &pos, NULL, 0) != 1)
			pos = lo;
		if (tp->partition >= 0 && tp->partition < METRICS_PARTITIONS)
			lag[tp->partition] = hi > pos ? hi - pos : 0;
	}
	rd_kafka_topic_partition_list_destroy(parts);
	for (int p = 0; p < METRICS_PARTITIONS; p++)
		metrics_set_lag(sk->metrics, p, lag[p]);
}

/* After "all brokers down", librdkafka reports no recovery by itself: while
 * idle, ask for metadata (once a second) and be ready again when it comes. */
static void recheck_brokers(struct source_kafka *sk)
{
	const struct rd_kafka_metadata *md = NULL;
	if (metrics_readiness(sk->metrics) != NOT_READY_BROKER_DOWN || clock_mono_us() - sk->broker_checked_us < 1000000)
		return;
	sk->broker_checked_us = clock_mono_us();
	if (rd_kafka_metadata(sk->consumer, 0, NULL, &md, 500) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	rd_kafka_metadata_destroy(md);
	atomic_store(&sk->brokers_down, false);
	metrics_set_readiness(sk->metrics, atomic_load(&sk->metrics->assigned_partitions) > 0 ? READY
											       : NOT_READY_NO_PARTITIONS);
	log_info("kafka: brokers reachable again");
}

int source_kafka_run_batch(struct source_kafka *sk, char *err, size_t errlen)
{
	char reason[512];
	int64_t first_us = 0, oldest_ms = INT64_MAX, apply_us = 0;
	int n = 0;

	while (!ingest_batch_full(sk->ingest)) {
		/* Idle: wait up to 100 ms for a first message. Once a batch is
		 * open, take only what is waiting already (or arrives within
		 * batch_linger_ms of the first): the batch commits as soon as
		 * nothing more is (an alert then reaches the API within
		 * milliseconds of its event); under load messages keep waiting
		 * while a batch commits, so the next one grows by itself (group
		 * commit), until ingest_batch_full() or batch_ms after its first. */
		int timeout_ms = 100;
		int64_t open_us = first_us ? clock_mono_us() - first_us : 0;
		if (first_us) {
			/* A stop commits what is open now: with --batch-ms or
			 * --batch-linger-ms up to a minute, waiting for the batch
			 * to close would break the 5 s a stop may take. */
			if (open_us >= (int64_t)sk->batch_ms * 1000 || (sk->stop_requested && sk->stop_requested()))
				break;
			int64_t linger_us = (int64_t)sk->batch_linger_ms * 1000 - open_us;
			timeout_ms = linger_us > 0 ? (int)((linger_us + 999) / 1000) : 0;
			if (timeout_ms > 100)
				timeout_ms = 100; /* to see a stop while lingering */
		}
		rd_kafka_message_t *msg = rd_kafka_consumer_poll(sk->consumer, timeout_ms);
		if (sk->failed) {
			sk->failed = false;
			seterr(err, errlen, "%s", sk->failure);
			if (msg)
				rd_kafka_message_destroy(msg);
			return fail_batch(sk);
		}
		if (!msg) {
			if (!first_us) {
				update_lag(sk);
				recheck_brokers(sk);
				return 0; /* idle: let the caller check for stop */
			}
			if (clock_mono_us() - first_us < (int64_t)sk->batch_linger_ms * 1000)
				continue;
			break; /* nothing more waiting: commit what is open */
		}
		if (msg->err) {
			if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				log_warn("kafka: %s", rd_kafka_message_errstr(msg));
			rd_kafka_message_destroy(msg);
			continue;
		}
		if (!first_us)
			first_us = clock_mono_us();
		int64_t produced_ms = rd_kafka_message_timestamp(msg, NULL);
		if (produced_ms >= 0 && produced_ms < oldest_ms)
			oldest_ms = produced_ms;
		atomic_store(&sk->brokers_down, false);
		const char *topic = rd_kafka_topic_name(msg->rkt);
		struct store_source src = { .topic = topic, .partition = msg->partition, .offset = msg->offset,
					    .file = NULL };
		enum ingest_outcome outcome;
		int64_t apply_start_us = clock_mono_us();
		int rc = ingest_keyed_message(sk->ingest, &src, msg->key, msg->key ? msg->key_len : 0,
					      msg->payload ? msg->payload : "", msg->len, &outcome, reason, sizeof(reason),
					      err, errlen);
		apply_us += clock_mono_us() - apply_start_us;
		if (rc < 0 ||
		    note_gap(sk, topic, msg->partition, msg->offset, err, errlen) < 0 ||
		    ingest_note_offset(sk->ingest, topic, msg->partition, msg->offset + 1, err, errlen) < 0) {
			rd_kafka_message_destroy(msg);
			return fail_batch(sk);
		}
		switch (outcome) {
		case INGEST_ACCEPTED: sk->batch_accepted++; break;
		case INGEST_DUPLICATE: sk->batch_duplicates++; break;
		case INGEST_REJECTED:
			sk->batch_rejected++;
			log_debug("rejected %s/%d@%lld: %s", topic, msg->partition, (long long)msg->offset, reason);
			publish_dead_letter(sk, msg, reason);
			break;
		case INGEST_DUPLICATE_CONFLICT:
			sk->batch_duplicate_conflicts++;
			log_debug("duplicate conflict %s/%d@%lld: %s", topic, msg->partition, (long long)msg->offset, reason);
			publish_dead_letter(sk, msg, reason);
			break;
		}
		rd_kafka_message_destroy(msg);
		n++;
		atomic_store(&sk->metrics->batch_open_events, (int64_t)ingest_pending(sk->ingest));
	}
	int64_t read_us = clock_mono_us();
	if (commit_batch(sk, err, errlen) < 0)
		return fail_batch(sk);
	/* Where an alert's latency goes, batch by batch (--log-level debug). */
	if (n > 0)
		log_debug("batch: %d message(s) read in %lld us (%lld us of it applying them), committed in %lld us; the "
			  "oldest was produced %lld ms before",
			  n, (long long)(read_us - first_us), (long long)apply_us, (long long)(clock_mono_us() - read_us),
			  oldest_ms == INT64_MAX ? -1LL : (long long)(clock_now_ms() - oldest_ms));
	if (metrics_readiness(sk->metrics) != READY && atomic_load(&sk->metrics->assigned_partitions) > 0)
		metrics_set_readiness(sk->metrics, READY);
	update_lag(sk);
	return n;
}

/* How long a stop waits for the consumer group to say goodbye, then for
 * each client's destroy: 2 + 1 + 0.3 s, and the relay's 0.2 + 0.3 s after
 * (cmd_serve.c), stay inside the 5 s a stop may take. */
#define CLOSE_WAIT_MS 2000
#define DESTROY_WAIT_MS 1000
#define DLQ_DESTROY_WAIT_MS 300

/* Leaves the consumer group, waiting at most CLOSE_WAIT_MS. A group leave
 * waits on the broker, and at a stop the broker may be gone already (make
 * demo's Ctrl-C reaches both at once): rd_kafka_consumer_close() then
 * blocks for minutes. Nothing is lost by leaving without the goodbye: the
 * offsets live in the store, committed with the state they built, and the
 * group only takes session.timeout.ms longer to hand the partitions on. */
static bool consumer_close_bounded(struct source_kafka *sk)
{
	if (atomic_load(&sk->brokers_down)) {
		log_info("kafka: the brokers are down: leaving the group without its goodbye");
		if (!kafka_destroy_bounded(sk->consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, DESTROY_WAIT_MS,
					   "the consumer"))
			sk->abandoned = true;
		return false;
	}
	rd_kafka_queue_t *q = rd_kafka_queue_new(sk->consumer);
	rd_kafka_error_t *e = rd_kafka_consumer_close_queue(sk->consumer, q);
	bool closed = false;
	if (e) {
		log_warn("kafka: leaving the group: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	} else {
		int64_t deadline_us = clock_mono_us() + (int64_t)CLOSE_WAIT_MS * 1000;
		/* The final revoke comes as an event on the queue: it is handed
		 * to on_rebalance like any other. (Serving this queue with
		 * rd_kafka_queue_poll_callback trips an assertion in librdkafka
		 * 2.0.2 on ops that are events only.) */
		while (!(closed = rd_kafka_consumer_closed(sk->consumer)) && clock_mono_us() < deadline_us) {
			rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
			if (ev && rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
				on_rebalance(sk->consumer, rd_kafka_event_error(ev), rd_kafka_event_topic_partition_list(ev),
					     sk);
			rd_kafka_event_destroy(ev);
		}
		if (!closed)
			log_warn("kafka: the group did not answer within %d ms; leaving without it", CLOSE_WAIT_MS);
	}
	rd_kafka_queue_destroy(q);
	/* An offset mirror committed before the stop may still be in flight:
	 * the destroy waits for it, on a dead broker for socket.timeout.ms. */
	if (!kafka_destroy_bounded(sk->consumer, closed ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, DESTROY_WAIT_MS,
				   "the consumer"))
		sk->abandoned = true;
	return closed;
}

bool source_kafka_close(struct source_kafka *sk)
{
	char err[512];
	bool answered = true;
	if (!sk)
		return true;
	/* No more Kafka offset mirrors from here: the store holds the truth,
	 * and a mirror in flight on a dead broker holds up the destroy. */
	sk->closing = true;
	if (sk->consumer) {
		if (commit_batch(sk, err, sizeof(err)) < 0)
			log_warn("final commit failed, those events are re-read on start: %s", err);
		/* The revoke callback commits anything left. */
		answered = consumer_close_bounded(sk);
	}
	if (sk->dlq) {
		/* A dead letter the broker does not take now is still in the
		 * store's rejected table, with its reason; a broker that did not
		 * answer the group leave is given no time. */
		rd_kafka_flush(sk->dlq, answered ? 1000 : 0);
		if (!kafka_destroy_bounded(sk->dlq, 0, DLQ_DESTROY_WAIT_MS, "the dead-letter producer"))
			sk->abandoned = true;
	}
	/* Left running, a client's callbacks still use sk: it stays, and the
	 * process ends (kafka_exit_if_abandoned). */
	if (!sk->abandoned)
		free(sk);
	return answered;
}
