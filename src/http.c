/* http.c -- libmicrohttpd server: route table, JSON errors, /healthz,
 * /readyz, /metrics. */
#include "rgmon/http.h"
#include "rgmon/log.h"
#include "rgmon/net.h"
#include "rgmon/sbuf.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>

#define HTTP_THREADS 4

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_context ctx;
	int port;
};

/* What a handler fills in. body is JSON unless content_type says other. */
struct http_reply {
	int status;
	const char *content_type;
	struct sbuf body;
};

typedef void (*http_handler)(const struct http_context *ctx, struct http_reply *r);

struct http_route {
	const char *method;
	const char *path;
	http_handler handler;
};

static void reply_error(struct http_reply *r, int status, const char *msg)
{
	r->status = status;
	r->content_type = "application/json";
	sbuf_printf(&r->body, "{\"error\":\"%s\"}\n", msg);
}

static void handle_healthz(const struct http_context *ctx, struct http_reply *r)
{
	(void)ctx;
	r->status = 200;
	sbuf_printf(&r->body, "{\"status\":\"ok\"}\n");
}

static void handle_readyz(const struct http_context *ctx, struct http_reply *r)
{
	enum readiness rd = metrics_readiness(ctx->metrics);
	r->status = rd == READY ? 200 : 503;
	sbuf_printf(&r->body, "{\"ready\":%s,\"reason\":\"%s\"}\n", rd == READY ? "true" : "false",
		    metrics_readiness_reason(rd));
}

static void handle_metrics(const struct http_context *ctx, struct http_reply *r)
{
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4";
	metrics_render(ctx->metrics, &r->body);
}

static const struct http_route routes[] = {
	{ "GET", "/healthz", handle_healthz },
	{ "GET", "/readyz", handle_readyz },
	{ "GET", "/metrics", handle_metrics },
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *srv = cls;
	struct http_reply r = { 0, "application/json", { NULL, 0, 0, false } };
	bool path_known = false;
	(void)version;
	(void)upload_data;
	(void)con_cls;

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (strcmp(url, routes[i].path) != 0)
			continue;
		path_known = true;
		if (strcmp(method, routes[i].method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			routes[i].handler(&srv->ctx, &r);
			break;
		}
	}
	if (r.status == 0)
		reply_error(&r, path_known ? 405 : 404, path_known ? "method not allowed" : "not found");
	if (r.body.oom) {
		sbuf_release(&r.body);
		reply_error(&r, 500, "out of memory");
	}
	*upload_data_size = 0;

	struct MHD_Response *resp =
		MHD_create_response_from_buffer(r.body.len, r.body.buf ? r.body.buf : (char *)"", MHD_RESPMEM_MUST_COPY);
	sbuf_release(&r.body);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r.content_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("http: %s", line);
}

struct http_server *http_start(const char *hostport, const struct http_context *ctx, char *err, size_t errlen)
{
	char host[256], portstr[8];
	int port;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai = NULL;
	struct http_server *srv = NULL;

	if (net_split_hostport(hostport, host, sizeof(host), &port) < 0) {
		seterr(err, errlen, "--http \"%s\" is not HOST:PORT", hostport);
		return NULL;
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(host, portstr, &hints, &ai) != 0 || !ai) {
		seterr(err, errlen, "--http \"%s\": cannot resolve host", hostport);
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		freeaddrinfo(ai);
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	srv->ctx = *ctx;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, srv,
				       MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				       MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				       /* restart at once after a crash, despite TIME_WAIT */
				       MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
				       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				       MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!srv->daemon) {
		seterr(err, errlen, "cannot listen on %s (in use, or not an address of this machine)", hostport);
		free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : port;
	return srv;
}

int http_port(const struct http_server *srv) { return srv->port; }

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
