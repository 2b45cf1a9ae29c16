/* web.h -- the compliance web UI's files (src/web/), built into the binary
 * so serve needs nothing beside it. Plain HTML, CSS and JavaScript; no CDN,
 * no framework. */
#ifndef RGMON_WEB_H
#define RGMON_WEB_H

#include "rgmon/common.h"

struct web_asset {
	const char *name; /* file name in src/web/, e.g. "app.js" */
	const char *data;
	size_t len;
};

/* The file called name (no directories), or NULL. The result is static. */
const struct web_asset *web_asset_find(const char *name);
/* The Content-Type for a file name, by its extension. */
const char *web_content_type(const char *name);

#endif
