/* source_file.c -- line reader for JSONL event files. */
#include "rgmon/source_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct source_file {
	FILE *f;
	char *name;
	char *buf;
	size_t cap;
	int64_t lineno;
	int64_t done, total;
};

struct source_file *source_file_open(const char *path, char *err, size_t errlen)
{
	struct source_file *sf = calloc(1, sizeof(*sf));
	struct stat sb;
	if (!sf) {
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
	free(sf->buf);
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

int source_file_next(struct source_file *sf, const char **line, size_t *len, int64_t *lineno, char *err,
		     size_t errlen)
{
	for (;;) {
		ssize_t n = getline(&sf->buf, &sf->cap, sf->f);
		if (n < 0) {
			if (ferror(sf->f))
				return seterr(err, errlen, "reading \"%s\": %s", sf->name, strerror(errno));
			return 0;
		}
		sf->lineno++;
		sf->done += n;
		if (n > 0 && sf->buf[n - 1] == '\n')
			n--;
		if (n > 0 && sf->buf[n - 1] == '\r')
			n--;
		if (blank(sf->buf, (size_t)n))
			continue;
		*line = sf->buf;
		*len = (size_t)n;
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
