/* test_source_file.c -- the JSONL line reader: line numbers, CR and blank
 * lines, a last line without a newline, NUL bytes, and lines over
 * EVENT_RAW_MAX, which are counted whole but held only in part. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rgmon/event.h"
#include "rgmon/source_file.h"

#define BIG (2 * EVENT_RAW_MAX + 12345)

static void test_lines_long_and_short(void **state)
{
	(void)state;
	char path[] = "/tmp/rgmon-sf-XXXXXX", err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	char *big = malloc(BIG);
	assert_non_null(big);
	fputs("one\r\n\n \t \r\n", f);                 /* lines 1-3: one, two blank ones */
	memset(big, ' ', BIG);
	fwrite(big, 1, BIG, f);                          /* line 4: blank, and over-long */
	fputc('\n', f);
	memset(big, 'x', BIG);
	big[0] = '{';
	fwrite(big, 1, BIG, f);                          /* line 5: over-long */
	fputs("\r\n", f);
	fwrite("a\0b\n", 1, 4, f);                       /* line 6: a NUL inside */
	fputs("last", f);                                /* line 7: no newline */
	fclose(f);

	struct source_file *sf = source_file_open(path, err, sizeof(err));
	assert_non_null(sf);
	const char *line;
	size_t len;
	int64_t lineno;
	assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 1);
	assert_int_equal(lineno, 1);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "one", 3);

	assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 1);
	assert_int_equal(lineno, 5);
	assert_int_equal(len, BIG); /* its whole length, without the CR */
	assert_memory_equal(line, big, EVENT_RAW_MAX + 1);
	assert_int_equal(strlen(line), EVENT_RAW_MAX + 1); /* held in part */

	assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 1);
	assert_int_equal(lineno, 6);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "a\0b", 3);

	assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 1);
	assert_int_equal(lineno, 7);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "last", 4);

	assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 0);
	int64_t done, total;
	source_file_progress(sf, &done, &total);
	assert_int_equal(done, total);
	source_file_close(sf);
	free(big);
	unlink(path);
}

/* Short lines, some with CR, some blank, over several megabytes: lines
 * that straddle the reader's buffer come back whole and NUL-terminated,
 * with their numbers, as the ones inside it do. */
static void test_lines_across_reads(void **state)
{
	(void)state;
	char path[] = "/tmp/rgmon-sf-XXXXXX", err[256], want[64];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	const int lines = 200000;
	for (int i = 1; i <= lines; i++) {
		if (i % 7 == 0)
			fputs(i % 14 ? "\n" : " \r\n", f); /* blank */
		else
			fprintf(f, "line %d %.*s%s\n", i, i % 23, "xxxxxxxxxxxxxxxxxxxxxxx", i % 3 ? "" : "\r");
	}
	fclose(f);
	struct source_file *sf = source_file_open(path, err, sizeof(err));
	assert_non_null(sf);
	const char *line;
	size_t len;
	int64_t lineno;
	int seen = 0;
	for (int i = 1; i <= lines; i++) {
		if (i % 7 == 0)
			continue;
		snprintf(want, sizeof(want), "line %d %.*s", i, i % 23, "xxxxxxxxxxxxxxxxxxxxxxx");
		assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 1);
		assert_int_equal(lineno, i);
		assert_int_equal(len, strlen(want));
		assert_string_equal(line, want);
		seen++;
	}
	assert_int_equal(source_file_next(sf, &line, &len, &lineno, err, sizeof(err)), 0);
	assert_true(seen > 170000);
	source_file_close(sf);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_long_and_short),
		cmocka_unit_test(test_lines_across_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
