/* test_outbox_store.c -- the outbox table: messages come back unsent in
 * seq order after a cursor, marking sends them, pruning forgets only sent
 * messages older than its horizon, never an unsent one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rgmon/store.h"
#include "temp_store.h"

struct seen {
	int64_t seq[8];
	char key[8][16];
	int n;
};

static int collect(void *ctx, const struct store_outbox_msg *m)
{
	struct seen *s = ctx;
	s->seq[s->n] = m->seq;
	snprintf(s->key[s->n], sizeof(s->key[0]), "%s", m->key);
	s->n++;
	return 0;
}


static void test_unsent_mark_prune(void **state)
{
	(void)state;
	char path[64], err[256];
	struct store *st = open_temp(path, sizeof(path));
	const char *keys[] = { "p1", "p2", "p3", "p4" };
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_outbox_add(st, "rg.alerts", keys[i], NULL, "{}", 1000 + i, err, sizeof(err)), 0);
	assert_int_equal(store_outbox_backlog(st, err, sizeof(err)), 4);

	struct seen all = { .n = 0 };
	assert_true(store_outbox_unsent_each(st, 0, 10, collect, &all, err, sizeof(err)) >= 0);
	assert_int_equal(all.n, 4);
	for (int i = 1; i < 4; i++)
		assert_true(all.seq[i] > all.seq[i - 1]);
	assert_string_equal(all.key[0], "p1");

	/* After a cursor and with a limit. */
	struct seen after = { .n = 0 };
	assert_true(store_outbox_unsent_each(st, all.seq[1], 1, collect, &after, err, sizeof(err)) >= 0);
	assert_int_equal(after.n, 1);
	assert_int_equal(after.seq[0], all.seq[2]);

	/* p1 sent long ago, p2 recently, p3 and p4 not at all. */
	assert_int_equal(store_outbox_mark_sent(st, all.seq[0], 10000, err, sizeof(err)), 0);
	assert_int_equal(store_outbox_mark_sent(st, all.seq[1], 90000, err, sizeof(err)), 0);
	assert_int_equal(store_outbox_backlog(st, err, sizeof(err)), 2);

	assert_int_equal(store_outbox_prune(st, 50000, err, sizeof(err)), 1);
	/* A horizon past everything still keeps the unsent. */
	assert_int_equal(store_outbox_prune(st, INT64_MAX, err, sizeof(err)), 1);
	assert_int_equal(store_outbox_backlog(st, err, sizeof(err)), 2);
	struct seen left = { .n = 0 };
	assert_true(store_outbox_unsent_each(st, 0, 10, collect, &left, err, sizeof(err)) >= 0);
	assert_int_equal(left.n, 2);
	assert_string_equal(left.key[0], "p3");
	assert_string_equal(left.key[1], "p4");
	remove_temp(st, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsent_mark_prune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
