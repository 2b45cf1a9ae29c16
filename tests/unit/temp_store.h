/* temp_store.h -- a store in a fresh temporary file for a unit test, and
 * its removal with the WAL and shared-memory files beside it. Include
 * after cmocka.h. */
#ifndef RGMON_TEST_TEMP_STORE_H
#define RGMON_TEST_TEMP_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rgmon/store.h"

static inline struct store *open_temp(char *path, size_t len)
{
	char err[256];
	snprintf(path, len, "/tmp/rgmon-unit-test.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct store *st = store_open(path, err, sizeof(err));
	if (!st)
		fail_msg("store_open: %s", err);
	return st;
}

static inline void remove_temp(struct store *st, const char *path)
{
	char side[300];
	store_close(st);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

#endif
