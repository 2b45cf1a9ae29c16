/* api_effectiveness.c -- GET /v1/reports/effectiveness (api_effectiveness.h). */
#include "rgmon/api_effectiveness.h"
#include "rgmon/follow_ups.h"
#include "rgmon/risk.h"
#include "rgmon/timestamp.h"

#include <ctype.h>
#include <string.h>

static void csv_number(struct sbuf *out, const json_t *v)
{
	if (json_is_integer(v))
		sbuf_printf(out, ",%lld", (long long)json_integer_value(v));
	else
		sbuf_printf(out, ",");
}

static void csv_group(struct sbuf *out, const char *dimension, const json_t *g)
{
	static const char *const measures[] = { "deposits", "net_loss", "play_minutes" };
	static const char *const figures[] = { "with_baseline", "fell_by_quarter", "fell_pct", "median_change_pct" };
	/* Group names are rule ids, outcomes and jurisdiction codes: no comma or quote. */
	sbuf_printf(out, "%s,%s", dimension, json_string_value(json_object_get(g, "group")));
	csv_number(out, json_object_get(g, "cases"));
	csv_number(out, json_object_get(g, "complete_7d"));
	csv_number(out, json_object_get(g, "complete_30d"));
	for (size_t m = 0; m < ARRAY_SIZE(measures); m++)
		for (size_t f = 0; f < ARRAY_SIZE(figures); f++)
			csv_number(out, json_object_get(json_object_get(g, measures[m]), figures[f]));
	csv_number(out, json_object_get(json_object_get(g, "limit_or_exclusion"), "count"));
	csv_number(out, json_object_get(json_object_get(g, "limit_or_exclusion"), "pct"));
	csv_number(out, json_object_get(json_object_get(g, "realerted_30d"), "count"));
	csv_number(out, json_object_get(json_object_get(g, "realerted_30d"), "pct"));
	sbuf_printf(out, "\n");
}

void api_effectiveness_csv(const json_t *report, struct sbuf *out)
{
	static const char *const dimensions[] = { "by_outcome", "by_rule", "by_jurisdiction" };
	sbuf_printf(out, "dimension,group,cases,complete_7d,complete_30d,"
			 "deposits_with_baseline,deposits_fell_by_quarter,deposits_fell_pct,deposits_median_change_pct,"
			 "net_loss_with_baseline,net_loss_fell_by_quarter,net_loss_fell_pct,net_loss_median_change_pct,"
			 "play_minutes_with_baseline,play_minutes_fell_by_quarter,play_minutes_fell_pct,"
			 "play_minutes_median_change_pct,limit_or_exclusion,limit_or_exclusion_pct,realerted_30d,"
			 "realerted_30d_pct\n");
	csv_group(out, "total", json_object_get(report, "total"));
	for (size_t d = 0; d < ARRAY_SIZE(dimensions); d++) {
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(report, dimensions[d]), i, g)
			csv_group(out, dimensions[d] + 3, g);
	}
}

static bool jurisdiction_valid(const char *s)
{
	return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

void api_handle_effectiveness(const struct api_context *ctx, const struct api_request *rq, struct api_reply *r)
{
	(void)ctx;
	int64_t from = INT64_MIN, to = INT64_MAX;
	const char *v, *jurisdiction = NULL;
	bool csv = false;
	char err[512];
	if ((v = rq->query(rq, "from")) && ts_parse_rfc3339(v, &from) < 0)
		return api_error(r, 400, "from must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
	if ((v = rq->query(rq, "to")) && (ts_parse_rfc3339(v, &to) < 0 || to <= from))
		return api_error(r, 400, "to must be an RFC 3339 time after from");
	if ((v = rq->query(rq, "jurisdiction"))) {
		if (!jurisdiction_valid(v))
			return api_error(r, 400, "jurisdiction must be two capital letters, e.g. GB");
		jurisdiction = v;
	}
	if ((v = rq->query(rq, "format"))) {
		if (strcmp(v, "json") && strcmp(v, "csv"))
			return api_error(r, 400, "format must be json or csv");
		csv = strcmp(v, "csv") == 0;
	}
	json_t *report = follow_ups_effectiveness(rq->db, from, to, jurisdiction, err, sizeof(err));
	if (!report)
		return api_error(r, 500, "%s", err);
	json_object_set_new(report, "from", from == INT64_MIN ? json_null() : risk_time_json(from));
	json_object_set_new(report, "to", to == INT64_MAX ? json_null() : risk_time_json(to));
	json_object_set_new(report, "jurisdiction", jurisdiction ? json_string(jurisdiction) : json_null());
	r->status = 200;
	if (csv) {
		r->content_type = "text/csv; charset=utf-8";
		api_effectiveness_csv(report, &r->body);
		json_decref(report);
		return;
	}
	char *text = json_dumps(report, JSON_COMPACT);
	json_decref(report);
	if (!text)
		return api_error(r, 500, "out of memory");
	sbuf_printf(&r->body, "%s\n", text);
	free(text);
}
