/* http.h -- the HTTP server (libmicrohttpd, its own thread pool). The only
 * module that includes microhttpd.h. The routes and their handlers are in
 * api.c; this module does the protocol: bodies, tokens and roles, TLS,
 * headers, and a read-only store connection per request. Nothing here
 * writes the store. */
#ifndef RGMON_HTTP_H
#define RGMON_HTTP_H

#include "rgmon/api.h"
#include "rgmon/common.h"
#include "rgmon/tokens.h"

struct http_config {
	const char *listen;              /* "HOST:PORT" (port 0 = any free port) */
	const char *db_path;             /* opened read-only, once per HTTP thread */
	const struct token_table *tokens; /* borrowed; may be empty */
	const char *tls_cert, *tls_key;  /* PEM files, or NULL for plain HTTP */
};

struct http_server;

struct http_server *http_start(const struct http_config *cfg, const struct api_context *api, char *err,
			       size_t errlen);
/* The port actually bound. */
int http_port(const struct http_server *srv);
void http_stop(struct http_server *srv);

#endif
