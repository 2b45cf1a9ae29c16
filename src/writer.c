/* writer.c -- the hand-off queue to the store's writer thread. Jobs live on
 * their submitters' stacks; a submitter leaves only once its job is done
 * or was never started. */
#include "rgmon/writer.h"
#include "rgmon/clock.h"
#include "rgmon/store.h"

#include <pthread.h>

struct writer_job {
	writer_fn fn;
	void *arg;
	int result;
	char err[512];
	bool started, done;
	struct writer_job *next;
};

struct writer_queue {
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct writer_job *head, *tail;
	bool closed;
};

struct writer_queue *writer_queue_new(void)
{
	struct writer_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->done, NULL);
	return q;
}

void writer_queue_free(struct writer_queue *q)
{
	if (!q)
		return;
	writer_close(q);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->done);
	free(q);
}

static void unlink_job(struct writer_queue *q, struct writer_job *job)
{
	struct writer_job **p = &q->head, *prev = NULL;
	while (*p && *p != job) {
		prev = *p;
		p = &(*p)->next;
	}
	if (!*p)
		return;
	*p = job->next;
	if (q->tail == job)
		q->tail = prev;
}

int writer_submit(struct writer_queue *q, writer_fn fn, void *arg, int timeout_ms, char *err, size_t errlen)
{
	struct writer_job job = { .fn = fn, .arg = arg };
	struct timespec until;
	clock_deadline(&until, timeout_ms);

	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		return seterr(err, errlen, "the service is stopping");
	}
	/* The job stays on this stack: we leave only when it is done, or after
	 * unlinking it unstarted (below). */
	if (q->tail)
		q->tail->next = &job;
	else
		q->head = &job; /* cppcheck-suppress autoVariables */
	q->tail = &job; /* cppcheck-suppress autoVariables */
	while (!job.done) {
		if (!job.started && pthread_cond_timedwait(&q->done, &q->lock, &until) != 0 && !job.started &&
		    !job.done) {
			/* Timed out before the writer took it: withdraw it. */
			unlink_job(q, &job);
			pthread_mutex_unlock(&q->lock);
			return seterr(err, errlen, "the store's writer is busy; try again");
		}
		if (job.started && !job.done)
			pthread_cond_wait(&q->done, &q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	if (job.result < 0)
		seterr(err, errlen, "%s", job.err);
	return job.result;
}

void writer_run_pending(struct writer_queue *q, struct store *st)
{
	for (;;) {
		pthread_mutex_lock(&q->lock);
		struct writer_job *job = q->head;
		if (job) {
			q->head = job->next;
			if (!q->head)
				q->tail = NULL;
			job->started = true;
		}
		pthread_mutex_unlock(&q->lock);
		if (!job)
			return;

		int result = store_begin(st, job->err, sizeof(job->err));
		if (result == 0) {
			result = job->fn(st, job->arg, job->err, sizeof(job->err));
			if (result < 0)
				store_rollback(st);
			else if (store_commit(st, job->err, sizeof(job->err)) < 0) {
				store_rollback(st);
				result = -1;
			}
		}
		pthread_mutex_lock(&q->lock);
		job->result = result;
		job->done = true;
		pthread_cond_broadcast(&q->done);
		pthread_mutex_unlock(&q->lock);
	}
}

void writer_close(struct writer_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	for (struct writer_job *job = q->head; job; job = job->next) {
		job->result = -1;
		rg_strlcpy(job->err, "the service is stopping", sizeof(job->err));
		job->done = true;
	}
	q->head = q->tail = NULL;
	pthread_cond_broadcast(&q->done);
	pthread_mutex_unlock(&q->lock);
}
