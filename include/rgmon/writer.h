/* writer.h -- work other threads hand to the store's one writer.
 *
 * The consumer thread owns the read-write store connection. An HTTP thread
 * that must write (a staff action on an alert) submits a job and waits;
 * the consumer runs waiting jobs between batches, each in a short
 * transaction of its own, so staff actions never wait for more than one
 * batch (at most --batch-ms, 50 ms) and ingest never stops for them. */
#ifndef RGMON_WRITER_H
#define RGMON_WRITER_H

#include "rgmon/common.h"

struct store;

/* Runs on the writer thread inside a transaction: returns < 0 on a store
 * error (the transaction rolls back, err says why), otherwise a result of
 * the job's own that is handed back to the submitter (committed). */
typedef int (*writer_fn)(struct store *st, void *arg, char *err, size_t errlen);

struct writer_queue;

struct writer_queue *writer_queue_new(void);
void writer_queue_free(struct writer_queue *q);

/* Runs fn(arg) on the writer thread and returns its result, or -1 with err
 * when it failed, the queue is closed, or the writer did not start the job
 * within timeout_ms. */
int writer_submit(struct writer_queue *q, writer_fn fn, void *arg, int timeout_ms, char *err, size_t errlen);

/* Writer thread: runs every waiting job. */
void writer_run_pending(struct writer_queue *q, struct store *st);

/* Refuses new jobs and fails waiting ones (at shutdown). */
void writer_close(struct writer_queue *q);

#endif
