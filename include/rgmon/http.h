/* http.h -- the HTTP server (libmicrohttpd, its own thread pool). The only
 * module that includes microhttpd.h. Routes are a table in http.c; handlers
 * read shared state through the context and never write the store. */
#ifndef RGMON_HTTP_H
#define RGMON_HTTP_H

#include "rgmon/common.h"
#include "rgmon/metrics.h"

struct http_context {
	struct metrics *metrics;
};

struct http_server;

/* Starts listening on "HOST:PORT" (port 0 = any free port). */
struct http_server *http_start(const char *hostport, const struct http_context *ctx, char *err, size_t errlen);
/* The port actually bound. */
int http_port(const struct http_server *srv);
void http_stop(struct http_server *srv);

#endif
