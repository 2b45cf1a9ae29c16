/* source_file.h -- JSONL events from a file or stdin, one per line, with
 * the line number as the source position. Blank lines are skipped (they
 * carry no event); a trailing CR is dropped. */
#ifndef RGMON_SOURCE_FILE_H
#define RGMON_SOURCE_FILE_H

#include "rgmon/common.h"

struct source_file;

/* path "-" reads stdin. */
struct source_file *source_file_open(const char *path, char *err, size_t errlen);
void source_file_close(struct source_file *sf);

/* Next non-blank line: 1 with *line (valid until the next call), *len and
 * *lineno (1-based); 0 at end of input; -1 on a read error. A line longer
 * than EVENT_RAW_MAX bytes (which ingest rejects by its length) is not
 * held whole: *len is its full length, but *line holds only its first
 * EVENT_RAW_MAX + 1 bytes, NUL-terminated; the rest is read and dropped. */
int source_file_next(struct source_file *sf, const char **line, size_t *len, int64_t *lineno, char *err,
		     size_t errlen);

/* Bytes read so far, and the file's size (0 when unknown, e.g. a pipe). */
void source_file_progress(const struct source_file *sf, int64_t *done, int64_t *total);
const char *source_file_name(const struct source_file *sf);

#endif
