/* test_store_faults.c -- SQLite-style fault injection: the N-th write to
 * the database fails (an I/O error, as from a full disk), for N = 1, 2,
 * 3, ... until a whole run gets through. After each failure the batch is
 * rolled back (ingest_abort) and fed again, as serve re-reads from its
 * stored offsets. Every run must end with exactly the state, counters and
 * offsets of a run without faults: nothing lost, nothing applied twice.
 *
 * The fault comes from a VFS shim registered as SQLite's default VFS in
 * this test process only; rgmon's code is unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "rgmon/ingest.h"
#include "rgmon/simulate.h"
#include "rgmon/state_codec.h"
#include "rgmon/store.h"
#include "helpers.h"

/* ---- the shim: pass everything through, fail the N-th xWrite --------- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static long writes_until_fault = -1; /* -1 = never fail */
static long faults_injected;

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real; /* allocated right after this struct */
};

static int f_close(sqlite3_file *f) { return ((struct fault_file *)f)->real->pMethods->xClose(((struct fault_file *)f)->real); }
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	sqlite3_file *r = ((struct fault_file *)f)->real;
	return r->pMethods->xRead(r, b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	sqlite3_file *r = ((struct fault_file *)f)->real;
	if (writes_until_fault > 0 && --writes_until_fault == 0) {
		faults_injected++;
		return SQLITE_IOERR_WRITE;
	}
	return r->pMethods->xWrite(r, b, n, o);
}
#define PASS(name, sig, call)                                      \
	static int name sig                                        \
	{                                                          \
		sqlite3_file *r = ((struct fault_file *)f)->real; \
		return r->pMethods->call;                          \
	}
PASS(f_truncate, (sqlite3_file *f, sqlite3_int64 s), xTruncate(r, s))
PASS(f_sync, (sqlite3_file *f, int fl), xSync(r, fl))
PASS(f_size, (sqlite3_file *f, sqlite3_int64 *s), xFileSize(r, s))
PASS(f_lock, (sqlite3_file *f, int l), xLock(r, l))
PASS(f_unlock, (sqlite3_file *f, int l), xUnlock(r, l))
PASS(f_check, (sqlite3_file *f, int *o), xCheckReservedLock(r, o))
PASS(f_control, (sqlite3_file *f, int op, void *a), xFileControl(r, op, a))
PASS(f_sector, (sqlite3_file *f), xSectorSize(r))
PASS(f_devchar, (sqlite3_file *f), xDeviceCharacteristics(r))
PASS(f_shmmap, (sqlite3_file *f, int p, int sz, int e, void volatile **pp), xShmMap(r, p, sz, e, pp))
PASS(f_shmlock, (sqlite3_file *f, int o, int n, int fl), xShmLock(r, o, n, fl))
PASS(f_shmunmap, (sqlite3_file *f, int d), xShmUnmap(r, d))
static void f_shmbarrier(sqlite3_file *f)
{
	sqlite3_file *r = ((struct fault_file *)f)->real;
	r->pMethods->xShmBarrier(r);
}

static const sqlite3_io_methods fault_methods = {
	2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check, f_control,
	f_sector, f_devchar, f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, NULL, NULL,
};

static int fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
	struct fault_file *ff = (struct fault_file *)file;
	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	ff->base.pMethods = rc == SQLITE_OK ? &fault_methods : NULL;
	return rc;
}

static void install_fault_vfs(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	fault_vfs = *real_vfs;
	fault_vfs.zName = "rgmon-fault";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.xOpen = fault_open;
	sqlite3_vfs_register(&fault_vfs, 1);
}

/* ---- the workload: three batches of simulated events -------------------- */

#define BATCHES 3

struct message {
	char *json;
	size_t len;
};

static struct message *messages;
static int nmessages;

static int keep(void *ctx, const char *player_id, const char *json, size_t len)
{
	(void)ctx;
	(void)player_id;
	messages = realloc(messages, (size_t)(nmessages + 1) * sizeof(*messages));
	messages[nmessages].json = malloc(len);
	memcpy(messages[nmessages].json, json, len);
	messages[nmessages].len = len;
	nmessages++;
	return 0;
}

/* Feeds batch b (with its offsets) and commits; -1 when a write failed. */
static int run_batch(struct ingest *ig, int b)
{
	char reason[256], err[256];
	int per = nmessages / BATCHES, from = b * per, to = b == BATCHES - 1 ? nmessages : from + per;
	for (int i = from; i < to; i++) {
		struct store_source src = { "rg.events", 0, i, NULL };
		enum ingest_outcome out;
		if (ingest_message(ig, &src, messages[i].json, messages[i].len, &out, reason, sizeof(reason), err,
				   sizeof(err)) < 0 ||
		    ingest_note_offset(ig, "rg.events", 0, i + 1, err, sizeof(err)) < 0) {
			ingest_abort(ig);
			return -1;
		}
	}
	return ingest_commit(ig, err, sizeof(err)); /* aborts itself on failure */
}

/* What a database holds, as one comparable string. */
static char *snapshot(const char *path)
{
	char err[256];
	struct store *st = store_open_readonly(path, err, sizeof(err));
	assert_non_null(st);
	struct store_counters c;
	int64_t off = -1;
	assert_int_equal(store_counters_get(st, &c, err, sizeof(err)), 0);
	store_offset_get(st, "rg.events", 0, &off, err, sizeof(err));
	size_t cap = 1 << 22, used = 0;
	char *out = malloc(cap);
	used += (size_t)snprintf(out, cap, "%lld %lld %lld %lld @%lld\n", (long long)c.events, (long long)c.accepted,
				 (long long)c.duplicates, (long long)c.rejected, (long long)off);
	for (int i = 0; i < 400; i++) {
		char pid[16];
		struct player_state ps;
		uint8_t buf[STATE_CODEC_MAX];
		sim_player_id(i, pid, sizeof(pid));
		if (store_player_load(st, pid, &ps, err, sizeof(err)) != 1)
			continue;
		size_t n = state_codec_encode(&ps, buf, sizeof(buf));
		used += (size_t)snprintf(out + used, cap - used, "%s:", pid);
		for (size_t k = 0; k < n && used + 3 < cap; k++)
			used += (size_t)snprintf(out + used, cap - used, "%02x", buf[k]);
		used += (size_t)snprintf(out + used, cap - used, "\n");
	}
	store_close(st);
	return out;
}

/* One full run into `path`, failing the N-th write (0 = never). Returns
 * the number of failed batch attempts. */
static int full_run(const char *path, long fail_at)
{
	char err[256];
	int failures = 0;
	writes_until_fault = -1;
	struct store *st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	struct ingest_config cfg = { .cache_players = 0 };
	cfg.policy = test_policy("UTC0");
	struct ingest *ig = ingest_new(st, &cfg, err, sizeof(err));
	writes_until_fault = fail_at > 0 ? fail_at : -1;
	for (int b = 0; b < BATCHES; b++) {
		while (run_batch(ig, b) < 0) {
			/* The fault fired once; the retry must get through. */
			assert_true(++failures < 3);
			writes_until_fault = -1;
		}
	}
	writes_until_fault = -1;
	ingest_free(ig);
	store_close(st);
	return failures;
}

static void test_nth_write_fails(void **state)
{
	(void)state;
	char dir[] = "/tmp/rgmon-fault-XXXXXX", ref[96], path[96], cmd[400];
	assert_non_null(mkdtemp(dir));
	struct sim_config sc = { .seed = 21, .players = 300, .days = 2, .start_ms = t_ms("2026-11-01T00:00:00Z"),
				 .dirty_permille = 10 /* some dirt */ };
	assert_int_equal(sim_run(&sc, keep, NULL), 0);

	snprintf(ref, sizeof(ref), "%s/ref.db", dir);
	assert_int_equal(full_run(ref, 0), 0);
	char *want = snapshot(ref);

	long n;
	int runs_with_fault = 0;
	for (n = 1; n < 100000; n += n < 40 ? 1 : n / 8) {
		snprintf(path, sizeof(path), "%s/f%ld.db", dir, n);
		long before = faults_injected;
		int failures = full_run(path, n);
		if (faults_injected == before)
			break; /* the N-th write never came: the run had fewer writes */
		runs_with_fault++;
		assert_true(failures >= 0);
		char *got = snapshot(path);
		if (strcmp(want, got) != 0)
			fail_msg("after failing write %ld the stored result differs from a run without faults", n);
		free(got);
		snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", path, path, path);
		assert_int_equal(system(cmd), 0);
	}
	print_message("failed the N-th write at %d points, up to N = %ld\n", runs_with_fault, n);
	/* Failures were injected at many points, through to the end. */
	assert_true(runs_with_fault > 40);
	free(want);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	install_fault_vfs();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nth_write_fails),
	};
	return cmocka_run_group_tests_name("store_faults", tests, NULL, NULL);
}
