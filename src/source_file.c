/* source_file.c -- line reader for JSONL event files, in bounded memory:
 * a line over EVENT_RAW_MAX is kept only in part (source_file.h). */
#include "rgmon/source_file.h"
#include "rgmon/event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Lines are handed out in place from this buffer when a whole one is in
 * it (nearly always): no copy. */
#define READ_CHUNK (1024 * 1024)

struct source_file {
	FILE *f;
	char *name;
	char *rbuf;         /* READ_CHUNK bytes read ahead, and room for a NUL */
	size_t rpos, rlen;
	char *line;         /* the current line, at most EVENT_RAW_MAX + 1 bytes of it */
	size_t line_len, line_cap;
	int64_t lineno;
	int64_t done, total;
};

struct source_file *source_file_open(const char *path, char *err, size_t errlen)
{
	struct source_file *sf = calloc(1, sizeof(*sf));
	struct stat sb;
	if (!sf || !(sf->rbuf = malloc(READ_CHUNK + 1))) {
		free(sf);
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	sf->name = strdup(path);
	sf->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!sf->name || !sf->f) {
		seterr(err, errlen, "cannot open \"%s\": %s", path, strerror(errno));
		source_file_close(sf);
		return NULL;
	}
	if (fstat(fileno(sf->f), &sb) == 0 && S_ISREG(sb.st_mode))
		sf->total = sb.st_size;
	return sf;
}

void source_file_close(struct source_file *sf)
{
	if (!sf)
		return;
	if (sf->f && sf->f != stdin)
		fclose(sf->f);
	free(sf->rbuf);
	free(sf->line);
	free(sf->name);
	free(sf);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Keeps n more bytes of the current line, up to EVENT_RAW_MAX + 1 in all:
 * enough to tell an over-long line, whose rest is only counted. */
static int keep(struct source_file *sf, const char *data, size_t n, char *err, size_t errlen)
{
	size_t room = EVENT_RAW_MAX + 1 - sf->line_len;
	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	if (sf->line_len + n + 1 > sf->line_cap) {
		size_t cap = sf->line_cap ? sf->line_cap : 4096;
		while (cap < sf->line_len + n + 1)
			cap *= 2;
		char *p = realloc(sf->line, cap);
		if (!p)
			return seterr(err, errlen, "out of memory");
		sf->line = p;
		sf->line_cap = cap;
	}
	memcpy(sf->line + sf->line_len, data, n);
	sf->line_len += n;
	sf->line[sf->line_len] = '\0';
	return 0;
}

/* Reads one line (without its '\n'): 1 with its full length in *full and
 * whether it is blank, 0 at the end of input, -1 on a read error. Memory
 * stays bounded whatever the line's length. */
static int read_line(struct source_file *sf, size_t *full, bool *is_blank, char *err, size_t errlen)
{
	size_t n = 0;
	bool any = false, blank_rest = true;
	char last = '\0';
	sf->line_len = 0;
	for (;;) {
		if (sf->rpos == sf->rlen) {
			sf->rpos = 0;
			sf->rlen = fread(sf->rbuf, 1, READ_CHUNK, sf->f);
			if (sf->rlen == 0) {
				if (ferror(sf->f))
					return seterr(err, errlen, "reading \"%s\": %s", sf->name, strerror(errno));
				if (!any)
					return 0;
				break; /* a last line without a newline */
			}
		}
		any = true;
		const char *start = sf->rbuf + sf->rpos;
		size_t avail = sf->rlen - sf->rpos;
		const char *nl = memchr(start, '\n', avail);
		size_t take = nl ? (size_t)(nl - start) : avail;
		size_t before = sf->line_len;
		if (keep(sf, start, take, err, errlen) < 0)
			return -1;
		size_t kept = sf->line_len - before;
		if (blank_rest && kept < take)
			blank_rest = blank(start + kept, take - kept);
		if (take > 0)
			last = start[take - 1];
		n += take;
		sf->rpos += take + (nl ? 1 : 0);
		sf->done += (int64_t)(take + (nl ? 1 : 0));
		if (nl)
			break;
	}
	if (n > 0 && last == '\r') {
		n--;
		if (sf->line_len > n) {
			sf->line_len = n;
			sf->line[n] = '\0';
		}
	}
	*full = n;
	*is_blank = blank_rest && blank(sf->line, sf->line_len);
	return 1;
}

/* The next line when all of it is in the read buffer (moving a partial
 * line to the front and reading more first): NUL-terminated in place,
 * without its newline and CR. NULL when the line is not whole in the
 * buffer (long, the last one, or a read error): read_line copes. */
static char *line_in_buffer(struct source_file *sf, size_t *n)
{
	char *start = sf->rbuf + sf->rpos;
	size_t avail = sf->rlen - sf->rpos;
	char *nl = memchr(start, '\n', avail);
	if (!nl && sf->rpos > 0 && !feof(sf->f) && !ferror(sf->f)) {
		memmove(sf->rbuf, start, avail);
		sf->rpos = 0;
		sf->rlen = avail + fread(sf->rbuf + avail, 1, READ_CHUNK - avail, sf->f);
		start = sf->rbuf;
		nl = memchr(start + avail, '\n', sf->rlen - avail);
	}
	if (!nl)
		return NULL;
	size_t take = (size_t)(nl - start);
	sf->rpos += take + 1;
	sf->done += (int64_t)(take + 1);
	if (take > 0 && start[take - 1] == '\r')
		take--;
	start[take] = '\0';
	*n = take;
	return start;
}

int source_file_next(struct source_file *sf, const char **line, size_t *len, int64_t *lineno, char *err,
		     size_t errlen)
{
	for (;;) {
		size_t n = 0;
		bool is_blank = false;
		char *in_place = line_in_buffer(sf, &n);
		if (in_place) {
			is_blank = blank(in_place, n);
		} else {
			int rc = read_line(sf, &n, &is_blank, err, errlen);
			if (rc <= 0)
				return rc;
		}
		sf->lineno++;
		if (is_blank)
			continue;
		*line = in_place ? in_place : sf->line;
		*len = n;
		*lineno = sf->lineno;
		return 1;
	}
}

void source_file_progress(const struct source_file *sf, int64_t *done, int64_t *total)
{
	*done = sf->done;
	*total = sf->total;
}

const char *source_file_name(const struct source_file *sf) { return sf->name; }
