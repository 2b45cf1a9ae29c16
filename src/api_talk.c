/* api_talk.c -- the routes that help an agent in the conversation (issue
 * 17): talking points in a player's risk, the embeddable agent card, the
 * interactions staff record, and notes on an alert's thread. */
#include "rgmon/api.h"
#include "rgmon/notes.h"
#include "rgmon/risk.h"
#include "rgmon/store.h"
#include "rgmon/talk.h"
#include "rgmon/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_TIMEOUT_MS 5000
#define CARD_REASONS 3

/* ?lang=: two lowercase letters, or NULL (then the player's language). */
static const char *wanted_language(const struct api_request *rq)
{
	const char *lang = rq->query ? rq->query(rq, "lang") : NULL;
	return lang && event_language_valid(lang) ? lang : NULL;
}

void api_talk_add_points(const struct api_context *ctx, const struct api_request *rq, const struct player_state *ps,
			 const struct policy *pol, bool agent, json_t *j)
{
	if (!ctx->talk)
		return;
	const char *lang = talk_language(ctx->talk, ps, pol, wanted_language(rq));
	json_t *tp = talk_points_json(ctx->talk, ps, pol, lang, agent ? RISK_VIEW_AGENT : RISK_VIEW_STAFF);
	if (tp)
		json_object_set_new(j, "talking_points", tp);
}

/* ---- the agent card ------------------------------------------------------------ */

static void html_text(struct sbuf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sbuf_printf(out, "&lt;"); break;
		case '>': sbuf_printf(out, "&gt;"); break;
		case '&': sbuf_printf(out, "&amp;"); break;
		case '"': sbuf_printf(out, "&quot;"); break;
		case '\'': sbuf_printf(out, "&#39;"); break;
		default: sbuf_append(out, s, 1);
		}
	}
}

static const char *str(const json_t *obj, const char *key) { return json_string_value(json_object_get(obj, key)); }

/* A section: its label and a list of the strings (or objects' "text"). */
static void card_list(struct sbuf *out, const char *cls, const char *label, const json_t *items)
{
	size_t i;
	json_t *v;
	if (json_array_size(items) == 0)
		return;
	sbuf_printf(out, "<section class=\"%s\"><h3>", cls);
	html_text(out, label);
	sbuf_printf(out, "</h3><ul>");
	json_array_foreach(items, i, v) {
		sbuf_printf(out, "<li>");
		html_text(out, json_is_string(v) ? json_string_value(v) : str(v, "text"));
		sbuf_printf(out, "</li>");
	}
	sbuf_printf(out, "</ul></section>");
}

static const char card_style[] =
	"<style>"
	".rg-card{font:14px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#fff;border:1px solid #ccc;"
	"border-radius:8px;padding:12px 16px;max-width:560px}"
	".rg-card h2{font-size:16px;margin:0 0 8px}.rg-card h3{font-size:13px;margin:10px 0 4px;color:#444;"
	"text-transform:uppercase;letter-spacing:.03em}.rg-card ul{margin:0;padding-left:18px}"
	".rg-badge{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-weight:600}"
	".rg-green{background:#2e7d32}.rg-amber{background:#b26a00}.rg-red{background:#c62828}"
	".rg-excluded{background:#6a1b9a}.rg-flag{margin:8px 0;padding:6px 8px;border-radius:4px;"
	"background:#fdecea}.rg-flag.rg-off{background:#eef5ee}.rg-opening{font-style:italic}"
	".rg-help{margin-top:10px;padding-top:8px;border-top:1px solid #eee}"
	"</style>";

/* The card's labels come from the talk file's words ("card.*"). */
static const char *label(const struct talk_set *set, const char *lang, const char *key)
{
	for (int i = 0; i < set->n; i++)
		if (strcmp(set->langs[i].lang, lang) == 0) {
			const char *w = str(json_object_get(set->langs[i].doc, "words"), key);
			return w ? w : key;
		}
	return key;
}

static void card_html(struct sbuf *out, const struct talk_set *set, const char *player_id, const json_t *risk,
		      const json_t *tp, int flagged)
{
	const char *lang = str(tp, "language"), *level = str(risk, "level");
	sbuf_printf(out, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>", lang);
	html_text(out, player_id);
	sbuf_printf(out, "</title>%s</head><body><article class=\"rg-card\" data-player=\"", card_style);
	html_text(out, player_id);
	sbuf_printf(out, "\" data-language=\"%s\"><h2>", lang);
	html_text(out, player_id);
	sbuf_printf(out, " <span class=\"rg-badge rg-%s\">%s %lld</span></h2>", level, level,
		    (long long)json_integer_value(json_object_get(risk, "score")));
	sbuf_printf(out, "<p class=\"rg-flag%s\">", flagged == 1 ? "" : " rg-off");
	html_text(out, label(set, lang, flagged == 1 ? "card.suppressed" : "card.not_suppressed"));
	sbuf_printf(out, "</p>");
	json_t *reasons = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(risk, "reasons"), i, v) {
		if (i < CARD_REASONS)
			json_array_append_new(reasons, json_string(str(v, "detail")));
	}
	card_list(out, "rg-reasons", label(set, lang, "card.reasons"), reasons);
	json_decref(reasons);
	sbuf_printf(out, "<h3>");
	html_text(out, label(set, lang, "card.opening"));
	sbuf_printf(out, "</h3><p class=\"rg-opening\">");
	html_text(out, str(tp, "opening"));
	sbuf_printf(out, "</p>");
	card_list(out, "rg-observations", label(set, lang, "card.observations"), json_object_get(tp, "observations"));
	card_list(out, "rg-questions", label(set, lang, "card.questions"), json_object_get(tp, "questions"));
	card_list(out, "rg-offer", label(set, lang, "card.offer"), json_object_get(tp, "offer"));
	card_list(out, "rg-avoid", label(set, lang, "card.avoid"), json_object_get(tp, "avoid"));
	const json_t *help = json_object_get(tp, "help");
	if (json_is_object(help)) {
		sbuf_printf(out, "<p class=\"rg-help\"><strong>");
		html_text(out, label(set, lang, "card.help"));
		sbuf_printf(out, "</strong> ");
		html_text(out, str(help, "name"));
		sbuf_printf(out, ": ");
		html_text(out, str(help, "phone"));
		sbuf_printf(out, " (");
		html_text(out, str(help, "url"));
		sbuf_printf(out, ")</p>");
	}
	sbuf_printf(out, "<p hidden data-template=\"");
	html_text(out, str(tp, "template"));
	sbuf_printf(out, "\"></p></article></body></html>\n");
}

void api_handle_player_card(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	struct player_state ps;
	char err[512];
	const char *id = rq->params[0];
	if (!event_player_id_valid(id))
		return api_error(r, 400, "player id must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
				 PLAYER_ID_MAX);
	int found = store_player_load(rq->db, id, &ps, err, sizeof(err));
	if (found <= 0)
		return found < 0 ? api_error(r, 500, "%s", err) : api_error(r, 404, "unknown player \"%s\"", id);
	if (!ctx->talk)
		return api_error(r, 503, "no talking points loaded");
	const struct policy *pol = ctx->policies ? policy_set_for_country(ctx->policies, ps.country) : NULL;
	pol = pol ? pol : ctx->policy;
	bool agent = rq->caller && rq->caller->role == ROLE_AGENT;
	json_t *risk = risk_player_view_json(id, &ps, pol, agent ? RISK_VIEW_AGENT : RISK_VIEW_STAFF);
	const char *lang = talk_language(ctx->talk, &ps, pol, wanted_language(rq));
	json_t *tp = talk_points_json(ctx->talk, &ps, pol, lang, agent ? RISK_VIEW_AGENT : RISK_VIEW_STAFF);
	bool suppressed = false;
	int flagged = store_player_flag_latest(rq->db, id, &suppressed, err, sizeof(err));
	if (!risk || !tp || flagged < 0) {
		json_decref(risk);
		json_decref(tp);
		return api_error(r, 500, "%s", flagged < 0 ? err : "out of memory");
	}
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	/* self-contained: inline style only, nothing loaded from anywhere */
	r->csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
	card_html(&r->body, ctx->talk, id, risk, tp, flagged == 1 && suppressed ? 1 : 0);
	json_decref(risk);
	json_decref(tp);
}

/* ---- interactions and notes ---------------------------------------------------- */


/* A required text of at most NOTE_TEXT_MAX bytes, not blank. */
static const char *note_text(json_t *body, const char *field, struct api_reply *r)
{
	json_t *v = json_object_get(body, field);
	const char *s = json_string_value(v);
	if (!s || s[strspn(s, " \t\r\n")] == '\0') {
		api_error(r, 400, "field \"%s\" is required: a non-empty string", field);
		return NULL;
	}
	if (json_string_length(v) > NOTE_TEXT_MAX || strlen(s) != json_string_length(v)) {
		api_error(r, 400, "field \"%s\" is longer than %d bytes or holds a NUL", field, NOTE_TEXT_MAX);
		return NULL;
	}
	return s;
}

static int channel_of(json_t *body, bool internal_ok, struct api_reply *r)
{
	const char *s = json_string_value(json_object_get(body, "channel"));
	int ch = note_channel_parse(s);
	if (ch < 0 || (!internal_ok && ch == NOTE_INTERNAL)) {
		api_error(r, 400, "field \"channel\" must be chat, email, phone%s", internal_ok ? " or internal" : "");
		return -1;
	}
	return ch;
}

/* A list of tool names (talk.h), as compact JSON text (malloc'd), or NULL
 * after replying 400. An absent list is []. */
static char *tools_of(json_t *body, const char *field, struct api_reply *r)
{
	json_t *v = json_object_get(body, field);
	size_t i;
	json_t *t;
	if (v && !json_is_array(v))
		goto bad;
	json_array_foreach(v, i, t) {
		if (talk_tool_parse(json_string_value(t)) < 0)
			goto bad;
	}
	return v ? json_dumps(v, JSON_COMPACT) : strdup("[]");
bad:
	api_error(r, 400, "field \"%s\" must be a list of deposit_limit, loss_limit, time_out, reality_check, "
			  "self_exclusion, help_line", field);
	return NULL;
}

static int run_note_job(struct store *st, void *arg, char *err, size_t errlen)
{
	return notes_record(st, arg, err, errlen);
}

static void submit_note(const struct api_context *ctx, const struct api_request *rq, struct note *n,
			struct api_reply *r)
{
	char err[512];
	n->actor = rq->caller->name;
	n->role = role_name(rq->caller->role);
	n->at_ms = rq->now_ms;
	int rc = writer_submit(ctx->writer, run_note_job, n, NOTE_TIMEOUT_MS, err, sizeof(err));
	if (rc < 0)
		return api_error(r, 503, "%s", err);
	if (rc == NOTE_NO_ALERT)
		return api_error(r, 404, "unknown alert \"%s\"", n->alert_id);
	r->status = 201;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s?}", "id", n->note_id, "kind", note_kind_name(n->kind), "player_id",
			      n->player_id, "alert_id", n->alert_id);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	sbuf_printf(&r->body, "%s\n", text ? text : "{}");
	free(text);
	json_decref(j);
}

void api_handle_interaction(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	static const char *const fields[] = { "channel", "topic", "summary", "offered", "accepted" };
	const char *id = rq->params[0];
	struct player_state ps;
	char err[512];
	if (!event_player_id_valid(id))
		return api_error(r, 400, "player id must be 1-%d characters of [A-Za-z0-9._:-], not \".\" or \"..\"",
				 PLAYER_ID_MAX);
	json_t *body = api_body_object(rq, fields, ARRAY_SIZE(fields), false, r);
	if (!body)
		return;
	struct note n = { .player_id = id, .kind = NOTE_INTERACTION };
	const char *topic = json_string_value(json_object_get(body, "topic"));
	char *offered = NULL, *accepted = NULL;
	int ch = channel_of(body, false, r);
	if (ch < 0 || !(n.summary = note_text(body, "summary", r)))
		goto out;
	if (!topic || event_contact_topic_parse(topic) < 0) {
		api_error(r, 400, "field \"topic\" must be bonus_request, withdrawal_delay, complaint, rg_question or other");
		goto out;
	}
	if (!(offered = tools_of(body, "offered", r)) || !(accepted = tools_of(body, "accepted", r)))
		goto out;
	int found = store_player_load(rq->db, id, &ps, err, sizeof(err));
	if (found <= 0) {
		if (found < 0)
			api_error(r, 500, "%s", err);
		else
			api_error(r, 404, "unknown player \"%s\"", id);
		goto out;
	}
	n.channel = (enum note_channel)ch;
	n.topic = topic;
	n.offered = offered;
	n.accepted = accepted;
	submit_note(ctx, rq, &n, r);
out:
	free(offered);
	free(accepted);
	json_decref(body);
}

void api_handle_alert_note(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	static const char *const fields[] = { "channel", "text" };
	const char *id = rq->params[0];
	if (strlen(id) != ALERT_ID_LEN || strspn(id, "0123456789abcdef") != ALERT_ID_LEN)
		return api_error(r, 404, "unknown alert \"%s\"", id);
	json_t *body = api_body_object(rq, fields, ARRAY_SIZE(fields), false, r);
	if (!body)
		return;
	struct note n = { .alert_id = id, .kind = NOTE_CASE_NOTE };
	int ch = channel_of(body, true, r);
	if (ch >= 0 && (n.summary = note_text(body, "text", r))) {
		n.channel = (enum note_channel)ch;
		submit_note(ctx, rq, &n, r);
	}
	json_decref(body);
}

static json_t *tools_json(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_array();
}

static int add_note(void *ctx, const struct note *n)
{
	json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s?, s:s}", "id", n->note_id, "kind",
			      note_kind_name(n->kind), "at", risk_time_json(n->at_ms), "actor", n->actor, "role", n->role,
			      "channel", note_channel_name(n->channel), "topic", n->topic, "text", n->summary);
	if (n->kind == NOTE_INTERACTION) {
		json_object_set_new(j, "offered", tools_json(n->offered));
		json_object_set_new(j, "accepted", tools_json(n->accepted));
	}
	json_array_append_new(ctx, j);
	return 0;
}

int api_talk_add_notes(const struct api_request *rq, const char *alert_id, json_t *j, char *err, size_t errlen)
{
	json_t *notes = json_array();
	if (store_notes_for_alert(rq->db, alert_id, add_note, notes, err, errlen) < 0) {
		json_decref(notes);
		return -1;
	}
	json_object_set_new(j, "notes", notes);
	return 0;
}

/* The active players are an index probe each (~6 ms at 20,000 players,
 * ~0.3 s at a million) on a page Prometheus scrapes every few seconds
 * and `make bench` polls every 10 ms (there it took a tenth of the
 * machine from the serve it measured): counted again only when the last
 * count is ACTIVE_PLAYERS_RECOUNT_MS old. The gauge moves by the day. */
#define ACTIVE_PLAYERS_RECOUNT_MS 30000

static int active_players(struct metrics *m, const struct api_request *rq, int64_t *players, char *err,
			  size_t errlen)
{
	int64_t at = atomic_load(&m->active_players_at_ms), now = rq->now_ms > 0 ? rq->now_ms : 1;
	bool fresh = at > 0 && now >= at && now - at < ACTIVE_PLAYERS_RECOUNT_MS;
	/* One scrape counts; the others meanwhile answer with the last count
	 * (the first scrapes, with none yet, each count). */
	if (fresh || (at > 0 && !atomic_compare_exchange_strong(&m->active_players_at_ms, &at, now))) {
		*players = atomic_load(&m->active_players);
		return 0;
	}
	if (store_active_players(rq->db, players, err, errlen) < 0) {
		atomic_store(&m->active_players_at_ms, at); /* the next scrape tries again */
		return -1;
	}
	atomic_store(&m->active_players, *players);
	atomic_store(&m->active_players_at_ms, now);
	return 0;
}

void api_talk_metrics(struct metrics *m, const struct api_request *rq, struct sbuf *out)
{
	int64_t by[NOTE_CHANNEL_COUNT];
	char err[256];
	if (store_interaction_counts(rq->db, by, err, sizeof(err)) < 0)
		return;
	sbuf_printf(out, "# HELP rgmon_interactions_total Interactions staff recorded with players, by channel.\n"
			 "# TYPE rgmon_interactions_total counter\n");
	for (int c = 0; c < NOTE_INTERNAL; c++)
		sbuf_printf(out, "rgmon_interactions_total{channel=\"%s\"} %lld\n", note_channel_name((enum note_channel)c),
			    (long long)by[c]);
	int64_t recent, active;
	if (store_recent_interactions(rq->db, rq->now_ms - 30LL * 86400000, &recent, err, sizeof(err)) < 0 ||
	    active_players(m, rq, &active, err, sizeof(err)) < 0)
		return;
	sbuf_printf(out, "# HELP rgmon_active_players Players with an event other than a game round in the last 30 days "
			 "of event time (counted at most every 30 s).\n# TYPE rgmon_active_players gauge\nrgmon_active_players %lld\n",
		    (long long)active);
	if (active > 0)
		sbuf_printf(out, "# HELP rgmon_interactions_per_1000_active_players Interactions recorded in the last 30 "
				 "days per 1,000 active players.\n"
				 "# TYPE rgmon_interactions_per_1000_active_players gauge\n"
				 "rgmon_interactions_per_1000_active_players %.2f\n",
			    (double)recent * 1000.0 / (double)active);
}
