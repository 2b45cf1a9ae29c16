/* talk_file.c -- the built-in talk files and talk files on disk
 * (talk_file.h). */
#include "rgmon/talk_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct talk_builtin {
	const char *name;
	const char *text;
	size_t len;
};

/* policies/talk/ (every .json), turned into C strings by the Makefile. */
#include "talk_default.inc"

int talk_set_load_builtin(struct talk_set *set, char *err, size_t errlen)
{
	char inner[512];
	talk_set_init(set);
	for (size_t i = 0; i < ARRAY_SIZE(talk_builtins); i++)
		if (talk_set_add_json(set, talk_builtins[i].text, talk_builtins[i].len, NULL, 0, inner, sizeof(inner)) < 0) {
			talk_set_release(set);
			return seterr(err, errlen, "built-in talk file %s: %s", talk_builtins[i].name, inner);
		}
	return 0;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		seterr(err, errlen, "cannot open talk file \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(TALK_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, TALK_FILE_MAX + 1, f) : 0;
	bool bad = !buf || ferror(f) || n > TALK_FILE_MAX;
	if (bad)
		seterr(err, errlen, "cannot read talk file \"%s\": %s", path,
		       !buf ? "out of memory" : n > TALK_FILE_MAX ? "too large" : strerror(errno));
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static bool is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.json paths of dir in name order (malloc'd, each and the array). */
static int list_json(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	int n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		char **more = realloc(names, sizeof(*names) * (size_t)(n + 1));
		size_t plen = strlen(dir) + len + 2;
		if (!more || !(more[n] = malloc(plen))) {
			names = more ? more : names;
			break;
		}
		names = more;
		snprintf(names[n++], plen, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, (size_t)n, sizeof(*names), by_name);
	*out = names;
	return n;
}

static void free_list(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool file_is_talk(const char *path)
{
	char err[256];
	size_t len;
	char *text = read_file(path, &len, err, sizeof(err));
	bool talk = text && talk_is_talk_json(text, len);
	free(text);
	return talk;
}

bool talk_path_is_talk(const char *path)
{
	if (!is_dir(path))
		return file_is_talk(path);
	char **names = NULL;
	int n = list_json(path, &names);
	bool talk = n > 0 && file_is_talk(names[0]);
	free_list(names, n > 0 ? n : 0);
	return talk;
}

static int add_file(struct talk_set *set, const char *path, char *err, size_t errlen)
{
	char inner[512], id[TALK_ID_MAX + 1];
	size_t len;
	char *text = read_file(path, &len, err, errlen);
	if (!text)
		return -1;
	int rc = talk_set_add_json(set, text, len, id, sizeof(id), inner, sizeof(inner));
	free(text);
	if (rc < 0)
		return seterr(err, errlen, "talk file \"%s\": %s", path, inner);
	printf("ok %s (%s)\n", id, path);
	return 0;
}

int talk_check_path(const char *path, char *err, size_t errlen)
{
	struct talk_set *set = malloc(sizeof(*set));
	char **names = NULL;
	int rc = 0, n = 1;
	if (!set)
		return seterr(err, errlen, "out of memory");
	talk_set_init(set);
	if (!is_dir(path)) {
		rc = add_file(set, path, err, errlen);
	} else if ((n = list_json(path, &names)) <= 0) {
		free_list(names, 0);
		rc = seterr(err, errlen, "talk directory \"%s\" has no *.json file", path);
	} else {
		for (int i = 0; i < n && rc == 0; i++)
			rc = add_file(set, names[i], err, errlen);
		if (rc == 0 && !set->help)
			rc = seterr(err, errlen, "talk directory \"%s\" has no help-lines file (\"kind\": \"talk-help\")", path);
		if (rc == 0)
			printf("talk: %d language%s, help lines %s\n", set->n, set->n == 1 ? "" : "s", set->help_id);
		free_list(names, n);
	}
	talk_set_release(set);
	free(set);
	return rc;
}
