/* outbox.c -- the outbox relay thread: unsent outbox rows -> Kafka. See
 * outbox.h for the guarantees. */
#include "rgmon/outbox.h"
#include "rgmon/clock.h"
#include "rgmon/kafka.h"
#include "rgmon/log.h"
#include "rgmon/metrics.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#define RELAY_POLL_MS 50   /* how often the relay looks for new rows */
#define RELAY_READ_MAX 500 /* rows read per look */
/* Sent rows stay a week (to look into what went out, or replay it by hand),
 * then go; checked every ten minutes. */
#define OUTBOX_KEEP_SENT_MS (7LL * 24 * 3600 * 1000)
#define OUTBOX_PRUNE_EVERY_MS (10LL * 60 * 1000)

struct outbox_relay {
	rd_kafka_t *producer;
	struct metrics *metrics;
	struct store *db; /* read-only */
	pthread_t thread;
	bool started;

	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	int flush_ms;
	/* Kafka acknowledged these; the writer takes them (guarded by lock). */
	int64_t *delivered;
	size_t ndelivered, cap;
	/* The first seq whose delivery failed (guarded by lock): the relay
	 * reads again from there; INT64_MAX when none. */
	int64_t retry_from;

	/* Relay thread only: the highest seq handed to librdkafka. A cursor is
	 * enough because the one writer commits rows in seq order. */
	int64_t cursor;
	_Atomic int64_t in_flight;

	/* Writer thread only: when sent rows were last pruned. */
	int64_t pruned_ms;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct outbox_relay *r = opaque;
	int64_t seq = (int64_t)(intptr_t)msg->_private;
	(void)rk;
	atomic_fetch_sub(&r->in_flight, 1);
	pthread_mutex_lock(&r->lock);
	atomic_fetch_add(msg->err ? &r->metrics->outbox_failed : &r->metrics->outbox_delivered, 1);
	if (msg->err) {
		log_warn("outbox: delivery of message %lld to %s failed, will resend: %s", (long long)seq,
			 rd_kafka_topic_name(msg->rkt), rd_kafka_err2str(msg->err));
		if (seq - 1 < r->retry_from)
			r->retry_from = seq - 1;
	} else {
		if (r->ndelivered == r->cap) {
			size_t ncap = r->cap ? 2 * r->cap : 1024;
			int64_t *v = realloc(r->delivered, ncap * sizeof(*v));
			if (v) {
				r->delivered = v;
				r->cap = ncap;
			}
		}
		/* Without room the row is not marked sent: it goes out again. */
		if (r->ndelivered < r->cap)
			r->delivered[r->ndelivered++] = seq;
		else
			log_error("outbox: out of memory recording a delivery");
	}
	pthread_mutex_unlock(&r->lock);
}

static int produce_one(void *ctx, const struct store_outbox_msg *m)
{
	struct outbox_relay *r = ctx;
	/* Player flags carry the alert_id header only when an alert raised them. */
	rd_kafka_resp_err_t e =
		m->alert_id ? rd_kafka_producev(r->producer, RD_KAFKA_V_TOPIC(m->topic),
						RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
						RD_KAFKA_V_KEY(m->key, strlen(m->key)),
						RD_KAFKA_V_VALUE((void *)m->value, m->value_len),
						RD_KAFKA_V_HEADER("alert_id", m->alert_id, -1),
						RD_KAFKA_V_OPAQUE((void *)(intptr_t)m->seq), RD_KAFKA_V_END)
			    : rd_kafka_producev(r->producer, RD_KAFKA_V_TOPIC(m->topic),
						RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
						RD_KAFKA_V_KEY(m->key, strlen(m->key)),
						RD_KAFKA_V_VALUE((void *)m->value, m->value_len),
						RD_KAFKA_V_OPAQUE((void *)(intptr_t)m->seq), RD_KAFKA_V_END);
	if (e) {
		/* Queue full (or worse): stop here, try this row next round. */
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			log_warn("outbox: cannot publish message %lld: %s", (long long)m->seq, rd_kafka_err2str(e));
		return 1;
	}
	atomic_fetch_add(&r->in_flight, 1);
	r->cursor = m->seq;
	return 0;
}

static void *relay_main(void *arg)
{
	struct outbox_relay *r = arg;
	char err[512];
	bool warned = false;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		if (!r->stopping) {
			struct timespec until;
			clock_deadline(&until, RELAY_POLL_MS);
			pthread_cond_timedwait(&r->wake, &r->lock, &until);
		}
		bool stopping = r->stopping;
		if (r->retry_from < r->cursor)
			r->cursor = r->retry_from;
		r->retry_from = INT64_MAX;
		pthread_mutex_unlock(&r->lock);
		/* Also once more when stopping: what the writer committed last
		 * (the audit checkpoint made at stop) goes out with the flush. */
		if (store_outbox_unsent_each(r->db, r->cursor, RELAY_READ_MAX, produce_one, r, err, sizeof(err)) < 0) {
			if (!warned)
				log_warn("outbox: reading unsent messages: %s", err);
			warned = true;
		} else {
			warned = false;
		}
		rd_kafka_poll(r->producer, 0);
		if (stopping)
			break;
	}
	if (rd_kafka_flush(r->producer, r->flush_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
		log_warn("outbox: %lld message(s) not acknowledged at stop; they are sent again on the next start",
			 (long long)atomic_load(&r->in_flight));
	return NULL;
}

struct outbox_relay *outbox_relay_start(const struct outbox_relay_config *cfg, struct metrics *m, char *err,
					size_t errlen)
{
	struct outbox_relay *r = calloc(1, sizeof(*r));
	rd_kafka_conf_t *conf = NULL;
	char errstr[512];
	if (!r) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->retry_from = INT64_MAX;
	r->metrics = m;
	if (!(r->db = store_open_readonly(cfg->db_path, err, errlen)))
		goto fail;
	if (!(conf = kafka_conf_new(cfg->brokers, err, errlen)))
		goto fail;
	/* Idempotent: librdkafka's own retries never duplicate or reorder. */
	if (kafka_conf_set2(conf, "enable.idempotence", "true", err, errlen) < 0 ||
	    kafka_conf_set2(conf, "linger.ms", "5", err, errlen) < 0 ||
	    kafka_conf_apply(conf, cfg->props, cfg->nprops, false, err, errlen) < 0)
		goto fail;
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, r);
	if (!(r->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		seterr(err, errlen, "outbox producer: %s", errstr);
		goto fail;
	}
	conf = NULL;
	if (pthread_create(&r->thread, NULL, relay_main, r) != 0) {
		seterr(err, errlen, "cannot start the outbox relay thread");
		goto fail;
	}
	r->started = true;
	return r;
fail:
	if (conf)
		rd_kafka_conf_destroy(conf);
	outbox_relay_free(r);
	return NULL;
}

/* Moves up to max seqs that Kafka acknowledged into out; returns how many. */
static size_t outbox_relay_take_delivered(struct outbox_relay *r, int64_t *out, size_t max)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->ndelivered < max ? r->ndelivered : max;
	if (n == 0) { /* delivered is NULL until the first delivery */
		pthread_mutex_unlock(&r->lock);
		return 0;
	}
	memcpy(out, r->delivered, n * sizeof(*out));
	memmove(r->delivered, r->delivered + n, (r->ndelivered - n) * sizeof(*out));
	r->ndelivered -= n;
	pthread_mutex_unlock(&r->lock);
	return n;
}


static int mark_sent(struct store *st, const int64_t *seqs, size_t n, int64_t now, char *err, size_t errlen)
{
	if (store_begin(st, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (store_outbox_mark_sent(st, seqs[i], now, err, errlen) < 0) {
			store_rollback(st);
			return -1;
		}
	if (store_commit(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int outbox_relay_mark_delivered(struct outbox_relay *r, struct store *st, char *err, size_t errlen)
{
	int64_t seqs[1024];
	size_t n;
	/* Rows left unmarked by a failure are sent again later: never lost. */
	while ((n = outbox_relay_take_delivered(r, seqs, ARRAY_SIZE(seqs))) > 0)
		if (mark_sent(st, seqs, n, clock_now_ms(), err, errlen) < 0)
			return -1;
	int64_t now = clock_now_ms();
	if (now - r->pruned_ms >= OUTBOX_PRUNE_EVERY_MS) {
		r->pruned_ms = now;
		if (store_outbox_prune(st, now - OUTBOX_KEEP_SENT_MS, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void outbox_relay_stop(struct outbox_relay *r, int flush_ms)
{
	if (!r || !r->started)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	r->flush_ms = flush_ms;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	r->started = false;
}

void outbox_relay_free(struct outbox_relay *r)
{
	if (!r)
		return;
	outbox_relay_stop(r, 0);
	/* Left running on a dead broker, the producer's delivery callback
	 * still uses r: it stays (the process ends, kafka.h). */
	if (r->producer && !kafka_destroy_bounded(r->producer, 0, 300, "the outbox relay's producer"))
		return;
	store_close(r->db);
	free(r->delivered);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	free(r);
}
