/* api_badge.c -- the embeddable risk badge and its signed, expiring links.
 *
 * GET /v1/badge/ID.svg answers a Bearer token of a risk reader, or,
 * without a token, a link made by POST /v1/players/ID/badge-link:
 * ?exp=UNIX&sig=HEX, the HMAC-SHA256 of "rgmon-badge-v1\nID\nEXP" under
 * the server's badge secret (32 random bytes made once and kept in the
 * database's meta table, so links survive restarts). The badge is made for
 * an <img> in a chat or CRM tool: an unknown player, an expired or a
 * tampered link still answer with an image (grey, saying why), with the
 * status saying the same (404, 403). */
#include "rgmon/api.h"
#include "rgmon/audit.h"
#include "rgmon/digest.h"
#include "rgmon/event.h"
#include "rgmon/risk.h"
#include "rgmon/store.h"
#include "rgmon/writer.h"

#include <jansson.h>
#include <openssl/hmac.h>
#include <stdio.h>

#define BADGE_SECRET_META "badge_link_secret"
#define BADGE_LINK_TTL_DEFAULT 3600          /* one hour */
#define BADGE_LINK_TTL_MIN 60
#define BADGE_LINK_TTL_MAX (30 * 24 * 3600) /* 30 days */
#define BADGE_GREY "#9e9e9e"

int api_badge_secret_load(struct store *st, uint8_t secret[API_BADGE_SECRET_LEN], char *err, size_t errlen)
{
	char hex[2 * API_BADGE_SECRET_LEN + 1] = "";
	if (store_meta_get(st, BADGE_SECRET_META, hex, sizeof(hex), err, errlen) < 0)
		return -1;
	if (digest_hex_decode(hex, secret, API_BADGE_SECRET_LEN) == 0)
		return 0;
	if (hex[0])
		return seterr(err, errlen, "the database's meta \"%s\" is not %d hex bytes", BADGE_SECRET_META,
			      API_BADGE_SECRET_LEN);
	if (digest_random(secret, API_BADGE_SECRET_LEN) < 0)
		return seterr(err, errlen, "cannot make the badge link secret: no random bytes");
	digest_hex_encode(secret, API_BADGE_SECRET_LEN, hex);
	return store_meta_set(st, BADGE_SECRET_META, hex, err, errlen);
}

/* The signature of a link for player_id until exp (Unix seconds), as hex. */
static int badge_sig(const uint8_t *secret, const char *player_id, long long exp, char out[DIGEST_SHA256_HEX])
{
	char msg[API_PARAM_MAX + 64];
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	int n = snprintf(msg, sizeof(msg), "rgmon-badge-v1\n%s\n%lld", player_id, exp);
	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    !HMAC(EVP_sha256(), secret, API_BADGE_SECRET_LEN, (const uint8_t *)msg, (size_t)n, mac, &maclen) ||
	    maclen != DIGEST_SHA256_LEN)
		return -1;
	digest_hex_encode(mac, DIGEST_SHA256_LEN, out);
	return 0;
}

/* A two-part badge, "risk | value", in colour. */
static void badge_svg(struct api_reply *r, int status, const char *value, const char *colour)
{
	int vw = 8 + 7 * (int)strlen(value);
	r->status = status;
	r->content_type = "image/svg+xml";
	r->body.len = 0;
	sbuf_printf(&r->body,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"20\" role=\"img\" "
		    "aria-label=\"risk: %s\"><title>risk: %s</title>"
		    "<rect width=\"36\" height=\"20\" fill=\"#555\"/>"
		    "<rect x=\"36\" width=\"%d\" height=\"20\" fill=\"%s\"/>"
		    "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">"
		    "<text x=\"5\" y=\"14\">risk</text><text x=\"40\" y=\"14\">%s</text></g></svg>\n",
		    36 + vw, value, value, vw, colour, value);
}

/* Why a signed link does not open the badge, or NULL when it does. */
static const char *link_refusal(const struct api_context *ctx, const struct api_request *rq)
{
	const char *exp_s = rq->query(rq, "exp"), *sig = rq->query(rq, "sig");
	char want[DIGEST_SHA256_HEX];
	if (!ctx->badge_secret)
		return "links off";
	if (!exp_s || !sig || strlen(sig) != DIGEST_SHA256_HEX - 1 || !*exp_s || strlen(exp_s) > 12 ||
	    exp_s[strspn(exp_s, "0123456789")] != '\0')
		return "invalid link";
	long long exp = strtoll(exp_s, NULL, 10);
	/* The signature first: an expiry is only news on a genuine link. */
	if (badge_sig(ctx->badge_secret, rq->params[0], exp, want) < 0 || !digest_equal(want, sig, sizeof(want) - 1))
		return "invalid link";
	if (exp * 1000 <= rq->now_ms)
		return "link expired";
	return NULL;
}

void api_handle_badge(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	static const char *const colours[] = { "#2e7d32", "#b26a00", "#c62828", "#6a1b9a" };
	struct player_state ps;
	char err[512];
	const char *id = rq->params[0];
	if (!rq->caller) {
		const char *why = link_refusal(ctx, rq);
		if (why)
			return badge_svg(r, 403, why, BADGE_GREY);
	}
	if (!event_player_id_valid(id))
		return badge_svg(r, 400, "invalid player id", BADGE_GREY);
	int found = store_player_load(rq->db, id, &ps, err, sizeof(err));
	if (found < 0)
		return api_error(r, 500, "%s", err);
	if (found == 0)
		return badge_svg(r, 404, "unknown", BADGE_GREY);
	char value[32];
	snprintf(value, sizeof(value), "%s %u", risk_level_name((enum risk_level)ps.level), (unsigned)ps.score);
	badge_svg(r, 200, value, colours[ps.level < 4 ? ps.level : 0]);
}

/* The optional {"ttl_seconds":N}: 0 and *ttl set, or -1 having replied. */
static int parse_ttl(const struct api_request *rq, long long *ttl, struct api_reply *r)
{
	static const char *const fields[] = { "ttl_seconds" };
	*ttl = BADGE_LINK_TTL_DEFAULT;
	json_t *body = api_body_object(rq, fields, ARRAY_SIZE(fields), false, r);
	if (!body)
		return -1;
	const char *key;
	json_t *v;
	int rc = 0;
	json_object_foreach(body, key, v) {
		if (!json_is_integer(v) || json_integer_value(v) < BADGE_LINK_TTL_MIN ||
		    json_integer_value(v) > BADGE_LINK_TTL_MAX) {
			api_error(r, 400, "field \"ttl_seconds\" must be a whole number of seconds, %d..%d (30 days)",
				  BADGE_LINK_TTL_MIN, BADGE_LINK_TTL_MAX);
			rc = -1;
			break;
		}
		*ttl = (long long)json_integer_value(v);
	}
	json_decref(body);
	return rc;
}

struct link_record_job {
	const char *player_id, *actor, *role;
	int64_t at_ms;
	long long exp, ttl;
};

static int run_link_record(struct store *st, void *arg, char *err, size_t errlen)
{
	struct link_record_job *j = arg;
	json_t *p = json_pack("{s:s, s:s, s:o, s:I}", "actor", j->actor, "role", j->role, "expires_at",
			      risk_time_json(j->exp * 1000), "ttl_seconds", (json_int_t)j->ttl);
	return audit_append(st, j->at_ms, AUDIT_BADGE_LINK_MADE, j->player_id, p, err, errlen);
}

/* POST /v1/players/ID/badge-link: a link to the badge that opens without
 * a token until it expires. Who made it for whom, until when, goes into
 * the audit trail (not the signature: it is the credential). */
void api_handle_badge_link(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct player_state ps;
	char err[512], sig[DIGEST_SHA256_HEX];
	const char *id = rq->params[0];
	long long ttl;
	if (!ctx->badge_secret)
		return api_error(r, 503, "badge links are off: serve has no badge secret");
	if (!event_player_id_valid(id))
		return api_error(r, 400, "player id must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
				 PLAYER_ID_MAX);
	if (parse_ttl(rq, &ttl, r) < 0)
		return;
	int found = store_player_load(rq->db, id, &ps, err, sizeof(err));
	if (found < 0)
		return api_error(r, 500, "%s", err);
	if (found == 0)
		return api_error(r, 404, "unknown player \"%s\"", id);
	long long exp = rq->now_ms / 1000 + ttl;
	if (badge_sig(ctx->badge_secret, id, exp, sig) < 0)
		return api_error(r, 500, "cannot sign the link");
	struct link_record_job job = { id, rq->caller->name, role_name(rq->caller->role), rq->now_ms, exp, ttl };
	if (writer_submit(ctx->writer, run_link_record, &job, 5000, err, sizeof(err)) < 0)
		return api_error(r, 503, "%s", err);
	char url[API_PARAM_MAX + 128];
	snprintf(url, sizeof(url), "/v1/badge/%s.svg?exp=%lld&sig=%s", id, exp, sig);
	json_t *j = json_pack("{s:s, s:s, s:o, s:I}", "player_id", id, "url", url, "expires_at",
			      risk_time_json(exp * 1000), "ttl_seconds", (json_int_t)ttl);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return api_error(r, 500, "out of memory");
	r->status = 201;
	sbuf_printf(&r->body, "%s\n", text);
	free(text);
}
