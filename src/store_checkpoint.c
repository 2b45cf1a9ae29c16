/* store_checkpoint.c -- the WAL checkpointer: a thread with a connection
 * of its own that copies the WAL back into the database, so the writer's
 * commits never stall doing it (serve, replay).
 *
 * Owns: its thread, its connection, the writer's WAL hook while it runs.
 * Never: writes a row (the writer stays the one writer), uses the
 * writer's connection but to hook its commits (and, past the WAL's
 * bound, restart or empty the WAL from that hook) and, on stop, give it
 * its own automatic checkpoints back, or blocks the writer but once per
 * ~24-32 MB of WAL (CHECKPOINT_RESTART_PAGES), or readers at all. */
#include "store_int.h"
#include "rgmon/clock.h"
#include "rgmon/log.h"

#include <pthread.h>

/* Copying the WAL back into the database (a checkpoint) is the longest
 * stall a commit can hit: SQLite runs it inside the commit that crosses
 * wal_autocheckpoint, so a batch waits for ~40 MB to be copied and synced
 * and its events' alerts wait with it. serve and replay hand checkpoints
 * to this thread instead, on its own connection (it copies pages, it
 * writes no rows: the writer stays the one writer): the writer's commits only append
 * to the WAL, and PASSIVE checkpoints never block the writer or readers.
 * The writer's WAL hook says when the WAL has grown past the threshold. */
#define CHECKPOINT_WAL_PAGES 2000 /* ~8 MB of WAL */
/* This thread looks every CHECKPOINT_IDLE_MS; a writer that committed
 * nothing since the last look is idle, and the WAL is emptied (below):
 * 250-500 ms after the last commit. At 1000 a burst's WAL (8-12 MB after
 * 300k events of 20,000 players, a third of the store) stayed on disk for
 * up to 2 s, and an emptying needs the writer idle for a whole interval
 * anyway, so it never runs under steady load. */
#define CHECKPOINT_IDLE_MS 250

/* A PASSIVE checkpoint copies the WAL back but never shortens the file:
 * SQLite restarts the WAL from its start only when the writer begins a
 * batch with every frame copied, which a writer that is never idle never
 * does, so under steady load the WAL grew without bound (~1 KB per event,
 * 285 MB after 300k events). So past CHECKPOINT_RESTART_PAGES the writer,
 * right after a commit, restarts the WAL itself (a RESTART checkpoint:
 * copy what is left, wait briefly for readers to leave the WAL; the next
 * batch writes from its start) -- but only when that is cheap: no pass of
 * this thread in progress, and this thread's last pass left at most
 * CHECKPOINT_CATCHUP_PAGES to copy. Waiting for a pass in progress and
 * then copying the frames written meanwhile held the writer 75-180 ms
 * about once a second at 10k events/s on a loaded machine (the WAL takes
 * ~3.5 KB per event in small batches): events waited that long, and
 * longer while the backlog drained. Past CHECKPOINT_TRUNCATE_PAGES (this
 * thread fell behind) the writer waits for the pass in progress and
 * empties the WAL whatever it costs: the bound holds. (From this thread a RESTART
 * would wait for a gap between the writer's transactions, which a busy
 * writer hardly leaves.) When the writer was idle for a whole
 * CHECKPOINT_IDLE_MS, this thread empties the WAL, waiting at most
 * CHECKPOINT_READER_WAIT_MS for readers (the writer waits behind it). */
#define CHECKPOINT_RESTART_PAGES 6000  /* ~24 MB of WAL */
#define CHECKPOINT_CATCHUP_PAGES 1000  /* ~4 MB */
#define CHECKPOINT_TRUNCATE_PAGES 8000 /* ~32 MB of WAL */
#define CHECKPOINT_READER_WAIT_MS 10

struct store_checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Held by a checkpoint in progress, this thread's or the writer's:
	 * SQLite answers BUSY at once to a second one, and on a slow disk
	 * this thread's passes would hold it at nearly every commit. */
	pthread_mutex_t pass;
	bool stop, due;
	bool committed; /* the writer committed since the last pass */
	/* The WAL frames this thread's last pass found and copied back; 0
	 * after the WAL restarted (the writer saw it shrink). Under lock. */
	int pass_log_frames, pass_done_frames;
	int last_pages; /* the WAL's frames at the writer's last commit */
	sqlite3 *db;
	struct store *writer;
};

/* The writer restarts or empties the WAL (holding c->pass). */
static void writer_checkpoint(sqlite3 *db, int mode, const char *what)
{
	int log_frames = 0, done_frames = 0;
	int64_t t0 = clock_mono_us();
	sqlite3_busy_timeout(db, CHECKPOINT_READER_WAIT_MS);
	if (sqlite3_wal_checkpoint_v2(db, NULL, mode, &log_frames, &done_frames) == SQLITE_OK)
		log_debug("store: WAL %s by the writer (%d frames, %lld us)", what, log_frames,
			  (long long)(clock_mono_us() - t0));
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
}

/* Whether this thread's last pass left at most CHECKPOINT_CATCHUP_PAGES
 * of the WAL's pages frames uncopied (so a restart now copies little). */
static bool caught_up(struct store_checkpointer *c, int pages)
{
	pthread_mutex_lock(&c->lock);
	bool yes = c->pass_log_frames <= pages && pages - c->pass_done_frames <= CHECKPOINT_CATCHUP_PAGES;
	pthread_mutex_unlock(&c->lock);
	return yes;
}

static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
	(void)name;
	struct store_checkpointer *c = ctx;
	if (pages >= CHECKPOINT_TRUNCATE_PAGES) {
		/* This thread fell behind: after its pass in progress, if any. A
		 * long reader (an audit export) must not stall the writer: BUSY,
		 * and the next commit tries again. */
		int64_t t0 = clock_mono_us();
		pthread_mutex_lock(&c->pass);
		log_debug("store: the writer waited %lld us for the checkpointer", (long long)(clock_mono_us() - t0));
		writer_checkpoint(db, SQLITE_CHECKPOINT_TRUNCATE, "emptied");
		pthread_mutex_unlock(&c->pass);
	} else if (pages >= CHECKPOINT_RESTART_PAGES && caught_up(c, pages) && pthread_mutex_trylock(&c->pass) == 0) {
		writer_checkpoint(db, SQLITE_CHECKPOINT_RESTART, "restarted");
		pthread_mutex_unlock(&c->pass);
	}
	pthread_mutex_lock(&c->lock);
	if (pages < c->last_pages) /* the WAL restarted: the last pass's frames are not these */
		c->pass_log_frames = c->pass_done_frames = 0;
	c->last_pages = pages;
	c->committed = true;
	if (pages >= CHECKPOINT_WAL_PAGES) {
		c->due = true;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
	return SQLITE_OK;
}

/* One pass: PASSIVE, then TRUNCATE when the writer is idle (and there is
 * a WAL to empty). */
static void checkpoint_pass(struct store_checkpointer *c, bool writer_idle)
{
	int log_frames = 0, done_frames = 0;
	int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &done_frames);
	if (done_frames > 0)
		log_debug("store: checkpoint copied %d of %d WAL frames", done_frames, log_frames);
	pthread_mutex_lock(&c->lock);
	c->pass_log_frames = log_frames;
	c->pass_done_frames = done_frames;
	pthread_mutex_unlock(&c->lock);
	if (rc == SQLITE_OK && writer_idle && log_frames > 0) {
		/* Emptying waits for readers to leave the WAL and holds off the
		 * writer meanwhile: only briefly, since "idle" is one look
		 * without a commit and a batch may come at any moment; a reader
		 * that stays (an export) leaves it to the next look. */
		sqlite3_busy_timeout(c->db, CHECKPOINT_READER_WAIT_MS);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &done_frames);
		sqlite3_busy_timeout(c->db, STORE_BUSY_TIMEOUT_MS);
		if (rc == SQLITE_OK)
			log_debug("store: WAL emptied (%d frames copied back)", done_frames);
	}
	/* BUSY: a reader or the writer kept it from finishing; the next pass
	 * goes on from where this one stopped. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warn("store: WAL checkpoint failed, trying again: %s", sqlite3_errmsg(c->db));
}

static void *checkpointer_main(void *arg)
{
	struct store_checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (!c->due) {
			struct timespec until;
			clock_deadline(&until, CHECKPOINT_IDLE_MS);
			pthread_cond_timedwait(&c->wake, &c->lock, &until);
		}
		if (c->stop)
			break;
		/* Also when idle, so a quiet service's WAL drains too. */
		bool writer_idle = !c->due && !c->committed;
		c->due = c->committed = false;
		pthread_mutex_unlock(&c->lock);
		pthread_mutex_lock(&c->pass);
		checkpoint_pass(c, writer_idle);
		pthread_mutex_unlock(&c->pass);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct store_checkpointer *store_checkpointer_start(struct store *writer, const char *path, char *err,
						    size_t errlen)
{
	struct store_checkpointer *c = calloc(1, sizeof(*c));
	if (!c) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->pass, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->writer = writer;
	char why[512];
	if (store_connect(path, SQLITE_OPEN_READWRITE, &c->db, why, sizeof(why)) < 0) {
		seterr(err, errlen, "checkpointer: %s", why);
		goto fail;
	}
	/* A connection learns that the database is in WAL mode when it first
	 * reads it; until then a checkpoint does nothing (and says -1 frames). */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		seterr(err, errlen, "checkpointer: %s", sqlite3_errmsg(c->db));
		goto fail;
	}
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		seterr(err, errlen, "checkpointer: cannot start its thread");
		goto fail;
	}
	/* Replaces the writer's own automatic checkpoints. */
	sqlite3_wal_hook(writer->db, on_wal_commit, c);
	return c;
fail:
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->pass);
	pthread_cond_destroy(&c->wake);
	free(c);
	return NULL;
}

void store_checkpointer_stop(struct store_checkpointer *c)
{
	if (!c)
		return;
	/* The writer checkpoints for itself again from here on. */
	sqlite3_wal_autocheckpoint(c->writer->db, STORE_WAL_AUTOCHECKPOINT_PAGES);
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->pass);
	pthread_cond_destroy(&c->wake);
	free(c);
}
