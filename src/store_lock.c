/* store_lock.c -- the database's writer lock: at most one serve or replay
 * writes a database at a time.
 *
 * Why: serve and replay keep player state in memory between batches; a
 * second one on the same database applies events onto its stale copy
 * and overwrites the first's work (issue 18 #3). SQLite's own locks only
 * serialise transactions, not that cache.
 *
 * How: a POSIX write lock (fcntl) on all of DB.lock, held open for the
 * process's life; the kernel drops it when the process ends, however it
 * ends, so a stale file never blocks. The file says who holds it ("PID
 * COMMAND"), for the refusal's message. It is never deleted: unlinking a
 * lock file races with the next taker. Not a lock on the database file
 * itself: SQLite's own POSIX locks there would be dropped the moment any
 * other descriptor of the file closes.
 *
 * Owns: DB.lock. Never: touches the database. */
#include "rgmon/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

struct store_lock {
	int fd;
};

/* "PID COMMAND" of the holder, or "" when it is not written yet. */
static void read_holder(int fd, char *out, size_t outlen)
{
	ssize_t n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

struct store_lock *store_lock_take(const char *db_path, const char *command, char *err, size_t errlen)
{
	char path[4096], holder[128], me[128];
	struct store_lock *l = NULL;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s.lock", db_path) >= sizeof(path)) {
		seterr(err, errlen, "database path \"%s\" is too long", db_path);
		return NULL;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		seterr(err, errlen, "cannot open the database's lock file \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	struct flock whole = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	if (fcntl(fd, F_SETLK, &whole) < 0) {
		int e = errno;
		if (e == EACCES || e == EAGAIN) {
			read_holder(fd, holder, sizeof(holder));
			int pid = (int)strtol(holder, NULL, 10);
			if (fcntl(fd, F_GETLK, &whole) == 0 && whole.l_type != F_UNLCK)
				pid = (int)whole.l_pid;
			const char *cmd = strchr(holder, ' ');
			char who[160];
			if (cmd)
				snprintf(who, sizeof(who), "rgmon %s", cmd + 1);
			else
				rg_strlcpy(who, "another rgmon", sizeof(who));
			if (pid > 0)
				snprintf(who + strlen(who), sizeof(who) - strlen(who), " (pid %d)", pid);
			seterr(err, errlen, "database \"%s\" is in use by %s: one serve or replay writes a database "
				      "at a time", db_path, who);
		} else {
			seterr(err, errlen, "cannot lock \"%s\": %s", path, strerror(e));
		}
		close(fd);
		return NULL;
	}
	int n = snprintf(me, sizeof(me), "%d %s\n", (int)getpid(), command);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, me, (size_t)n, 0) != n) {
		seterr(err, errlen, "cannot write the lock file \"%s\": %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!(l = malloc(sizeof(*l)))) {
		seterr(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	l->fd = fd;
	return l;
}

void store_lock_release(struct store_lock *l)
{
	if (!l)
		return;
	close(l->fd); /* drops the lock */
	free(l);
}
