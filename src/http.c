/* http.c -- the HTTP protocol side of the API (libmicrohttpd): request
 * bodies and their limit, bearer tokens and roles, JSON errors, security
 * headers, optional TLS, per-route metrics, and a read-only store
 * connection for each request. The resources themselves are in api.c. */
#include "rgmon/http.h"
#include "rgmon/clock.h"
#include "rgmon/log.h"
#include "rgmon/net.h"
#include "rgmon/sbuf.h"
#include "rgmon/store.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define HTTP_THREADS 4

/* Read-only store connections, one per HTTP thread, lent per request. */
struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct store *conn[HTTP_THREADS];
	bool lent[HTTP_THREADS];
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_config cfg;
	struct api_context api;
	struct db_pool pool;
	char *tls_cert, *tls_key;
	int port;
};

/* What one request has sent so far (kept across libmicrohttpd's calls).
 * Made by on_uri, which sees the request target before libmicrohttpd
 * decodes it. */
struct request_state {
	struct sbuf body;
	bool headers_seen; /* the access handler ran once */
	bool too_large;
	bool encoded_nul;  /* the raw target holds %00 */
};

static struct store *pool_take(struct db_pool *p)
{
	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (int i = 0; i < HTTP_THREADS; i++)
			if (!p->lent[i]) {
				p->lent[i] = true;
				pthread_mutex_unlock(&p->lock);
				return p->conn[i];
			}
		pthread_cond_wait(&p->freed, &p->lock);
	}
}

static void pool_give(struct db_pool *p, struct store *st)
{
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < HTTP_THREADS; i++)
		if (p->conn[i] == st)
			p->lent[i] = false;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

static const char *query_arg(const struct api_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* The caller's token from "Authorization: Bearer TOKEN", or NULL. */
static const char *bearer_token(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct api_reply *r, const char *allow)
{
	if (r->body.oom) {
		sbuf_release(&r->body);
		api_error(r, 500, "out of memory");
	}
	struct MHD_Response *resp = NULL;
	if (r->file_fd >= 0) {
		struct stat sb;
		/* libmicrohttpd streams the file and closes it with the response. */
		if (fstat(r->file_fd, &sb) == 0)
			resp = MHD_create_response_from_fd((uint64_t)sb.st_size, r->file_fd);
		if (!resp)
			close(r->file_fd);
		r->file_fd = -1;
	} else {
		resp = MHD_create_response_from_buffer(r->body.len, r->body.buf ? r->body.buf : (char *)"",
						       MHD_RESPMEM_MUST_COPY);
	}
	if (!resp)
		return MHD_NO;
	if (r->download_name) {
		char disposition[256];
		snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", r->download_name);
		MHD_add_response_header(resp, "Content-Disposition", disposition);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	/* The UI loads only its own files; no inline script, no third party. */
	MHD_add_response_header(resp, "Content-Security-Policy",
				r->csp ? r->csp : "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
	if (r->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"rgmon\"");
	if (r->status == 405 && allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answers a request in full: route, token, role, handler. Returns the
 * route's metrics slot. */
static size_t dispatch(struct http_server *srv, struct MHD_Connection *conn, const char *url, const char *method,
		       struct request_state *rs, struct api_reply *r, char *allow, size_t allowlen)
{
	struct api_request rq = { 0 };
	bool path_known;
	const struct api_route *route = api_match(method, url, &rq, &path_known, allow, allowlen);
	size_t slot = route ? (size_t)(route - api_routes) : api_route_count;

	if (!route) {
		if (path_known)
			api_error(r, 405, "method %s not allowed here (allowed: %s)", method, allow);
		else
			api_error(r, 404, "not found");
		return slot;
	}
	if (rs->too_large) {
		api_error(r, 413, "request body over %d bytes", API_BODY_MAX);
		return slot;
	}
	/* A signed link stands in for a token; the handler checks it. */
	bool signed_link = (route->roles & API_SIGNED_LINK) &&
			   MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "sig") != NULL;
	if (route->roles != API_OPEN && !signed_link) {
		const char *token = bearer_token(conn);
		rq.caller = token ? tokens_find(srv->cfg.tokens, token) : NULL;
		if (!token) {
			api_error(r, 401, "%s", srv->api.tokens_configured ? "missing token: send Authorization: Bearer TOKEN"
									    : "no tokens configured: start serve with --tokens FILE");
			return slot;
		}
		if (!rq.caller) {
			api_error(r, 401, "unknown token");
			return slot;
		}
		if (rq.caller->role != ROLE_ADMIN && !(route->roles & API_ROLE(rq.caller->role))) {
			api_error(r, 403, "role %s may not use %s %s", role_name(rq.caller->role), route->method,
				  route->pattern);
			return slot;
		}
	}
	rq.method = method;
	rq.body = rs->body.buf ? rs->body.buf : "";
	rq.body_len = rs->body.len;
	rq.now_ms = clock_now_ms();
	rq.query = query_arg;
	rq.conn = conn;
	rq.db = pool_take(&srv->pool);
	route->handler(&srv->api, &rq, r);
	pool_give(&srv->pool, rq.db);
	return slot;
}

/* Called with the request target as sent, before libmicrohttpd decodes
 * it: a %00 there would reach the handler as a NUL that cuts the path
 * short ("/v1/players/p1%00x/risk" answering for p1), so it is noted here
 * and refused with 400 once the headers are in. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request_state *rs = calloc(1, sizeof(*rs));
	(void)cls;
	(void)conn;
	if (rs)
		rs->encoded_nul = strstr(uri, "%00") != NULL;
	return rs;
}

/* Why a request is refused before routing (400), or NULL. A body framed
 * both by Content-Length and by chunked Transfer-Encoding is ambiguous
 * (request smuggling through a proxy that reads the other one). */
static const char *malformed(struct MHD_Connection *conn, const struct request_state *rs)
{
	if (rs->encoded_nul)
		return "the request path or query holds an encoded NUL (%00)";
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) &&
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH))
		return "a request may not carry both Content-Length and Transfer-Encoding";
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *srv = cls;
	struct request_state *rs = *con_cls;
	(void)version;

	if (!rs && !(rs = *con_cls = calloc(1, sizeof(*rs))))
		return MHD_NO;
	if (!rs->headers_seen) {
		/* First call: headers only. Refuse a malformed request and an
		 * announced oversized body before reading it. */
		rs->headers_seen = true;
		const char *why = malformed(conn, rs);
		if (why) {
			struct api_reply bad = { .status = 0, .content_type = "application/json", .file_fd = -1 };
			api_error(&bad, 400, "%s", why);
			metrics_count_http(srv->api.metrics, api_route_count, bad.status);
			enum MHD_Result ret = send_reply(conn, &bad, NULL);
			sbuf_release(&bad.body);
			return ret;
		}
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > API_BODY_MAX)
			rs->too_large = true;
		else
			return MHD_YES;
	} else if (*upload_data_size > 0) {
		if (!rs->too_large && rs->body.len + *upload_data_size <= API_BODY_MAX)
			sbuf_append(&rs->body, upload_data, *upload_data_size);
		else
			rs->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}

	struct api_reply r = { .status = 0, .content_type = "application/json", .file_fd = -1 };
	char allow[64];
	size_t slot = dispatch(srv, conn, url, method, rs, &r, allow, sizeof(allow));
	metrics_count_http(srv->api.metrics, slot, r.status);
	enum MHD_Result ret = send_reply(conn, &r, allow);
	sbuf_release(&r.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct request_state *rs = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (rs) {
		sbuf_release(&rs->body);
		free(rs);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap) RG_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("http: %s", line);
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = { NULL, 0, 0, false };
	char buf[4096];
	size_t n;
	if (!f) {
		seterr(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_append(&sb, buf, n);
	fclose(f);
	if (sb.oom || !sb.buf) {
		sbuf_release(&sb);
		seterr(err, errlen, "\"%s\" is empty or unreadable", path);
		return NULL;
	}
	return sb.buf;
}

struct http_server *http_start(const struct http_config *cfg, const struct api_context *api, char *err,
			       size_t errlen)
{
	char host[256], portstr[8];
	int port;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai = NULL;
	struct http_server *srv = NULL;

	if (net_split_hostport(cfg->listen, host, sizeof(host), &port) < 0) {
		seterr(err, errlen, "--http \"%s\" is not HOST:PORT", cfg->listen);
		return NULL;
	}
	if (!(srv = calloc(1, sizeof(*srv)))) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = *cfg;
	srv->api = *api;
	pthread_mutex_init(&srv->pool.lock, NULL);
	pthread_cond_init(&srv->pool.freed, NULL);
	for (int i = 0; i < HTTP_THREADS; i++)
		if (!(srv->pool.conn[i] = store_open_readonly(cfg->db_path, err, errlen)))
			goto fail;

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
	if (cfg->tls_cert || cfg->tls_key) {
		if (!cfg->tls_cert || !cfg->tls_key) {
			seterr(err, errlen, "TLS needs both --tls-cert and --tls-key");
			goto fail;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			seterr(err, errlen, "this libmicrohttpd was built without TLS");
			goto fail;
		}
		if (!(srv->tls_cert = read_file(cfg->tls_cert, err, errlen)) ||
		    !(srv->tls_key = read_file(cfg->tls_key, err, errlen)))
			goto fail;
		flags |= MHD_USE_TLS;
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host, portstr, &hints, &ai) != 0 || !ai) {
		seterr(err, errlen, "--http \"%s\": cannot resolve host", cfg->listen);
		goto fail;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	struct MHD_OptionItem opts[8];
	int n = 0;
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr };
	/* restart at once after a crash, despite TIME_WAIT */
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, HTTP_THREADS, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL };
	if (srv->tls_cert) {
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key };
	}
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	srv->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
				       mhd_log, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				       MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				       MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!srv->daemon) {
		seterr(err, errlen, "cannot listen on %s (in use, not an address of this machine, or a bad TLS "
				    "certificate or key)",
		       cfg->listen);
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : port;
	return srv;
fail:
	http_stop(srv);
	return NULL;
}

int http_port(const struct http_server *srv) { return srv->port; }

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	for (int i = 0; i < HTTP_THREADS; i++)
		store_close(srv->pool.conn[i]);
	pthread_mutex_destroy(&srv->pool.lock);
	pthread_cond_destroy(&srv->pool.freed);
	free(srv->tls_cert);
	free(srv->tls_key);
	free(srv);
}
