/* api.h -- the HTTP API's resources (DESIGN 1.4): the route table and one
 * handler per route. http.c does the protocol (libmicrohttpd, tokens,
 * bodies and their limits, TLS) and calls these with a parsed request.
 *
 * Handlers read through the request's read-only store connection and write
 * only by handing a job to the store's writer (writer.h). Every reply is
 * JSON, errors {"error":"..."}, except /metrics, the badge, the web UI and
 * the audit export (streamed from a file). */
#ifndef RGMON_API_H
#define RGMON_API_H

#include <jansson.h>

#include "rgmon/common.h"
#include "rgmon/metrics.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/sbuf.h"
#include "rgmon/tokens.h"

#define API_BODY_MAX (64 * 1024) /* larger request bodies get 413 */
#define API_PARAMS_MAX 2
#define API_PARAM_MAX 160

struct store;
struct writer_queue;
struct sign_key;
struct talk_set;

struct api_context {
	struct metrics *metrics;
	const struct policy *policy; /* the fallback pack: /v1/policy, and players when policies is NULL */
	struct writer_queue *writer;
	bool tokens_configured;      /* serve has --tokens */
	const struct sign_key *audit_key; /* signs exports; NULL: exports refused */
	/* Every pack serve scores with (immutable, or NULL): a player is
	 * read with the pack of their account country. */
	const struct policy_set *policies;
	/* Signs badge links (api_badge.c); NULL: links refused. */
	const uint8_t *badge_secret;
	/* Talking points (talk.h), immutable, or NULL: risk replies go without. */
	const struct talk_set *talk;
};

struct api_request {
	const char *method;
	char params[API_PARAMS_MAX][API_PARAM_MAX]; /* the pattern's '*' parts, in order */
	const char *body;                           /* NUL-terminated */
	size_t body_len;
	const struct token_entry *caller; /* NULL on open routes */
	struct store *db;                 /* read-only, this request's */
	int64_t now_ms;                   /* wall clock */
	/* A query-string argument, or NULL. */
	const char *(*query)(const struct api_request *rq, const char *name);
	void *conn;
};

struct api_reply {
	int status;
	const char *content_type; /* default application/json */
	struct sbuf body;
	/* Instead of body: stream this file (its whole size) and close it;
	 * -1 when unused. For large replies such as audit exports. */
	int file_fd;
	const char *download_name; /* Content-Disposition attachment, or NULL */
	const char *csp;           /* Content-Security-Policy instead of the UI's, or NULL */
};

/* Roles as a bit mask; admin may use every route. */
#define API_OPEN 0u
#define API_ROLE(r) (1u << (r))
/* With the roles: a request carrying a "sig" query argument needs no
 * token; the handler checks the signature (rq->caller is then NULL). */
#define API_SIGNED_LINK (1u << 31)

struct api_route {
	const char *method;
	const char *pattern; /* '/'-separated; '*' matches within one segment */
	const char *name;    /* for metrics and logs */
	unsigned roles;      /* API_OPEN: no token needed */
	void (*handler)(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);
};

extern const struct api_route api_routes[];
extern const size_t api_route_count;

/* The route for method and path, with its parameters in rq->params; NULL
 * when none matches: *path_known then says whether the path exists with
 * other methods (405, their names in allow) or not at all (404). */
const struct api_route *api_match(const char *method, const char *path, struct api_request *rq, bool *path_known,
				  char *allow, size_t allowlen);

#define API_BADGE_SECRET_LEN 32

/* The badge link secret kept in the database's meta table, made (random)
 * and stored on first use; st must be the writer's connection. */
int api_badge_secret_load(struct store *st, uint8_t secret[API_BADGE_SECRET_LEN], char *err, size_t errlen);
/* GET /v1/badge/ID.svg and POST /v1/players/ID/badge-link (api_badge.c). */
void api_handle_badge(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);
void api_handle_badge_link(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);
/* GET /v1/reports/portfolio (api_portfolio.c). */
void api_portfolio(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);
/* ---- api_talk.c: talking points, the agent card, interactions, notes ---- */
struct player_state;
/* Adds "talking_points" to a player's risk j, in the ?lang= language if
 * asked and known, else the player's (talk.h). */
void api_talk_add_points(const struct api_context *ctx, const struct api_request *rq, const struct player_state *ps,
			 const struct policy *pol, bool agent, json_t *j);
/* Adds "notes" (the alert's thread, oldest first) to an alert's JSON j;
 * -1 with err on a store error. */
int api_talk_add_notes(const struct api_request *rq, const char *alert_id, json_t *j, char *err, size_t errlen);
/* Appends the interaction counters to /metrics. */
void api_talk_metrics(struct metrics *m, const struct api_request *rq, struct sbuf *out);
void api_handle_player_card(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);
void api_handle_interaction(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);
void api_handle_alert_note(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r);

/* A POST body: a JSON object (an empty body is {}) with only the allowed
 * members, each a string when strings_only; NULL having replied 400. */
json_t *api_body_object(const struct api_request *rq, const char *const *allowed, size_t nallowed, bool strings_only,
			struct api_reply *r);
/* A JSON error reply. */
void api_error(struct api_reply *r, int status, const char *fmt, ...) RG_PRINTF(3, 4);

#endif
