/* kafka.c -- librdkafka configuration and log routing. */
#include "rgmon/kafka.h"
#include "rgmon/clock.h"
#include "rgmon/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static void on_kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	if (level <= 3)
		log_error("kafka: %s: %s", fac, buf);
	else if (level <= 4)
		log_warn("kafka: %s: %s", fac, buf);
	else if (level <= 6)
		log_info("kafka: %s: %s", fac, buf);
	else
		log_debug("kafka: %s: %s", fac, buf);
}

int kafka_conf_set2(rd_kafka_conf_t *conf, const char *name, const char *value, char *err, size_t errlen)
{
	char errstr[256];
	if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
		return seterr(err, errlen, "%s: %s", name, errstr);
	return 0;
}

/* Sets "name=value" (as kcat -X). */
static int kafka_conf_set(rd_kafka_conf_t *conf, const char *prop, char *err, size_t errlen)
{
	char name[256];
	const char *eq = strchr(prop, '=');
	if (!eq || eq == prop || (size_t)(eq - prop) >= sizeof(name))
		return seterr(err, errlen, "-X \"%s\" is not name=value", prop);
	memcpy(name, prop, (size_t)(eq - prop));
	name[eq - prop] = '\0';
	return kafka_conf_set2(conf, name, eq + 1, err, errlen);
}

rd_kafka_conf_t *kafka_conf_new(const char *brokers, char *err, size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (kafka_conf_set2(conf, "bootstrap.servers", brokers, err, errlen) < 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, on_kafka_log);
	return conf;
}

/* Properties only a consumer knows: a producer skips them (librdkafka
 * would warn), so one -X list serves every client of a command. */
static bool consumer_only(const char *name)
{
	static const char *const prefixes[] = { "group.", "fetch.", "auto.", "queued." };
	static const char *const names[] = { "enable.auto.commit", "session.timeout.ms", "heartbeat.interval.ms",
					     "isolation.level", "max.poll.interval.ms",
					     "partition.assignment.strategy" };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

int kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *props, int nprops, bool consumer, char *err,
		     size_t errlen)
{
	for (int i = 0; i < nprops; i++) {
		char name[256];
		const char *eq = strchr(props[i], '=');
		size_t n = eq ? (size_t)(eq - props[i]) : 0;
		if (n && n < sizeof(name)) {
			memcpy(name, props[i], n);
			name[n] = '\0';
			if (!consumer && consumer_only(name))
				continue;
		}
		if (kafka_conf_set(conf, props[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* ---- bounded destroy -------------------------------------------------- */

struct destroy_job {
	rd_kafka_t *rk;
	int flags;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done, abandoned; /* whichever side sees the other gone frees the job */
};

static atomic_bool destroy_abandoned;

static void destroy_job_free(struct destroy_job *j)
{
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->done_cond);
	free(j);
}

static void *destroy_thread(void *arg)
{
	struct destroy_job *j = arg;
	rd_kafka_destroy_flags(j->rk, j->flags);
	pthread_mutex_lock(&j->lock);
	j->done = true;
	bool orphaned = j->abandoned;
	pthread_cond_signal(&j->done_cond);
	pthread_mutex_unlock(&j->lock);
	if (orphaned)
		destroy_job_free(j);
	return NULL;
}

bool kafka_destroy_bounded(rd_kafka_t *rk, int flags, int wait_ms, const char *what)
{
	struct destroy_job *j = calloc(1, sizeof(*j));
	pthread_t t;
	pthread_attr_t attr;
	if (!j) {
		rd_kafka_destroy_flags(rk, flags);
		return true;
	}
	j->rk = rk;
	j->flags = flags;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->done_cond, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int started = pthread_create(&t, &attr, destroy_thread, j);
	pthread_attr_destroy(&attr);
	if (started != 0) {
		destroy_job_free(j);
		rd_kafka_destroy_flags(rk, flags);
		return true;
	}
	struct timespec until;
	clock_deadline(&until, wait_ms);
	pthread_mutex_lock(&j->lock);
	while (!j->done && pthread_cond_timedwait(&j->done_cond, &j->lock, &until) != ETIMEDOUT)
		;
	bool done = j->done;
	j->abandoned = !done;
	pthread_mutex_unlock(&j->lock);
	if (done) {
		destroy_job_free(j);
		return true;
	}
	atomic_store(&destroy_abandoned, true);
	log_warn("kafka: %s still waits on the broker after %d ms; leaving it (what is applied is committed)", what,
		 wait_ms);
	return false;
}

void kafka_exit_if_abandoned(int rc)
{
	if (!atomic_load(&destroy_abandoned))
		return;
	fflush(NULL);
	_exit(rc);
}
