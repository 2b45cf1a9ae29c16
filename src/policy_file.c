/* policy_file.c -- where a policy's text comes from: a --policy FILE, or
 * the built-in policy compiled from policies/default.json. The reading is
 * here so that policy.c, which checks the text, stays pure. */
#include "rgmon/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
