/* policy_file.c -- where a policy's text comes from: a --policy FILE, or
 * the built-in policy compiled from policies/default.json. The reading is
 * here so that policy.c, which checks the text, stays pure. */
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* policies/default.json, turned into a C string by the Makefile. */
static const char default_policy_json[] =
#include "policy_default.inc"
	;

/* Reads a policy file whole; *text is malloc'd and NUL-terminated. */
static int read_policy_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return seterr(err, errlen, "cannot open policy \"%s\": %s", path, strerror(errno));
	char *buf = malloc(POLICY_TEXT_MAX + 1);
	size_t n = buf ? fread(buf, 1, POLICY_TEXT_MAX + 1, f) : 0;
	int rc = -1;
	if (!buf)
		seterr(err, errlen, "out of memory");
	else if (ferror(f))
		seterr(err, errlen, "cannot read policy \"%s\": %s", path, strerror(errno));
	else if (n > POLICY_TEXT_MAX)
		seterr(err, errlen, "policy \"%s\" is larger than %d bytes", path, POLICY_TEXT_MAX);
	else
		rc = 0;
	fclose(f);
	if (rc < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int policy_load(struct policy *pol, const char *path, char **text, char *err, size_t errlen)
{
	char inner[512];
	char *buf = NULL;
	size_t len = 0;
	if (!path) {
		len = sizeof(default_policy_json) - 1;
		buf = malloc(len + 1);
		if (!buf)
			return seterr(err, errlen, "out of memory");
		memcpy(buf, default_policy_json, len + 1);
	} else if (read_policy_file(path, &buf, &len, err, errlen) < 0) {
		return -1;
	}
	if (policy_load_json(pol, buf, len, inner, sizeof(inner)) < 0) {
		seterr(err, errlen, "%s%s%s: %s", path ? "policy \"" : "built-in policy", path ? path : "",
		       path ? "\"" : "", inner);
		free(buf);
		return -1;
	}
	if (text)
		*text = buf;
	else
		free(buf);
	return 0;
}

/* ---- a set of packs ------------------------------------------------------ */

static int set_add_file(struct policy_set *set, const char *path, bool keep_text, char *err, size_t errlen)
{
	struct policy *pol = malloc(sizeof(*pol));
	char *text = NULL;
	if (!pol)
		return seterr(err, errlen, "out of memory");
	if (policy_load(pol, path, &text, err, errlen) < 0) {
		free(pol);
		return -1;
	}
	if (!keep_text) {
		free(text);
		text = NULL;
	}
	return policy_set_add(set, pol, text, path ? path : POLICY_BUILTIN_ORIGIN, err, errlen);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every "*.json" in dir, in name order. */
static int set_add_dir(struct policy_set *set, const char *dir, bool keep_text, char *err, size_t errlen)
{
	char *names[POLICY_SET_MAX + 1];
	int n = 0, rc = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	if (!d)
		return seterr(err, errlen, "cannot open policy directory \"%s\": %s", dir, strerror(errno));
	while (rc == 0 && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n > POLICY_SET_MAX)
			rc = seterr(err, errlen, "policy directory \"%s\" has more than %d packs", dir, POLICY_SET_MAX);
		else if (!(names[n] = malloc(strlen(dir) + len + 2)))
			rc = seterr(err, errlen, "out of memory");
		else
			snprintf(names[n], strlen(dir) + len + 2, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
				 de->d_name), n++;
	}
	closedir(d);
	if (rc == 0 && n == 0)
		rc = seterr(err, errlen, "policy directory \"%s\" has no *.json pack", dir);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		if (rc == 0)
			rc = set_add_file(set, names[i], keep_text, err, errlen);
		free(names[i]);
	}
	return rc;
}

int policy_set_load(struct policy_set *set, const char *const *paths, int n, bool keep_text, char *err,
		    size_t errlen)
{
	struct stat sb;
	policy_set_init(set);
	for (int i = 0; i < n; i++) {
		int rc = stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode)
				 ? set_add_dir(set, paths[i], keep_text, err, errlen)
				 : set_add_file(set, paths[i], keep_text, err, errlen);
		if (rc < 0)
			goto fail;
	}
	if (policy_set_finish(set) < 0 && set_add_file(set, NULL, keep_text, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	policy_set_release(set);
	return -1;
}
