/* web.c -- lookup of the embedded web UI files (the table is generated
 * from src/web/ by the Makefile). */
#include "rgmon/web.h"

#include "web_assets.inc"

const char *web_content_type(const char *name)
{
	static const char *const types[][2] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		size_t e = strlen(types[i][0]);
		if (n > e && strcmp(name + n - e, types[i][0]) == 0)
			return types[i][1];
	}
	return "application/octet-stream";
}

const struct web_asset *web_asset_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(web_assets); i++)
		if (strcmp(name, web_assets[i].name) == 0)
			return &web_assets[i];
	return NULL;
}
