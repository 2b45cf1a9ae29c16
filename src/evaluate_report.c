/* evaluate_report.c -- the HTML report of `rgmon evaluate` (see
 * evaluate_report.h): text, tables and inline SVG, nothing fetched. */
#include "rgmon/evaluate_report.h"
#include "rgmon/timestamp.h"

#include <math.h>
#include <string.h>

/* Text with & < > " escaped. */
static void put_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A ratio as "0.842", "-" when undefined. */
static void put_ratio(FILE *f, double v)
{
	if (isnan(v))
		fputs("-", f);
	else
		fprintf(f, "%.3f", v);
}

static const char style[] =
	"body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .8em;border-bottom:1px solid #eee;"
	"text-align:right}td:first-child,th:first-child{text-align:left}"
	"p.note{color:#555;font-size:.9em}svg text{font:12px system-ui,sans-serif;fill:#333}";

static void put_head(FILE *f, const struct eval_summary *s, const struct eval_report_info *in)
{
	fprintf(f, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>rgmon evaluate report</title><style>%s</style></head><body>\n",
		style);
	fputs("<h1>How well the policies find players at risk</h1>\n<p>Events: <code>", f);
	put_esc(f, in->events);
	fputs("</code>. Labels: ", f);
	put_esc(f, in->labels);
	fprintf(f, ". Horizon: %d days before each label. Policies:", in->horizon_days);
	for (int i = 0; i < in->policies->n; i++) {
		fputs(i ? ", <code>" : " <code>", f);
		put_esc(f, in->policies->packs[i]->id);
		fputs("</code>", f);
	}
	fprintf(f, ".</p>\n<table><tr><td>players</td><td>%lld</td></tr><tr><td>labelled (positive)</td>"
		   "<td>%lld (%lld)</td></tr><tr><td>events read / scored</td><td>%lld / %lld</td></tr>"
		   "<tr><td>not scored: at or after the cut-off / duplicates / rejected</td>"
		   "<td>%lld / %lld / %lld</td></tr></table>\n",
		s->players, s->labelled, s->positives, s->events, s->scored, s->after_cutoff, s->duplicates,
		s->rejected);
}

#define PLOT 260 /* side of a plot's area, px */
#define MARGIN 40

static void put_roc(FILE *f, const struct eval_summary *s)
{
	fputs("<h2>Separation: the ROC curve of each player's highest score</h2>\n<p>AUROC ", f);
	put_ratio(f, s->auroc.value);
	fputs(" (95% confidence interval ", f);
	put_ratio(f, s->auroc.lo);
	fputs("&ndash;", f);
	put_ratio(f, s->auroc.hi);
	fputs(", Hanley-McNeil): the chance that a labelled player scored above an unlabelled one. "
	      "0.5 is chance, 1 is perfect.</p>\n",
	      f);
	if (isnan(s->auroc.value)) {
		fputs("<p class=\"note\">No curve: it needs labelled and unlabelled players.</p>\n", f);
		return;
	}
	int w = PLOT + 2 * MARGIN;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"ROC curve\">\n", w,
		w, w, w);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", MARGIN,
		MARGIN, PLOT, PLOT);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n",
		MARGIN, MARGIN + PLOT, MARGIN + PLOT, MARGIN);
	fputs("<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"", f);
	for (int i = 0; i < EVAL_ROC_POINTS; i++)
		fprintf(f, "%.1f,%.1f ", MARGIN + s->roc[i].fpr * PLOT, MARGIN + PLOT - s->roc[i].tpr * PLOT);
	fputs("\"/>\n", f);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">unlabelled players flagged (false positive rate)</text>\n",
		MARGIN + PLOT / 2, MARGIN + PLOT + 28);
	fprintf(f, "<text transform=\"translate(14 %d) rotate(-90)\" text-anchor=\"middle\">labelled players "
		   "flagged</text>\n",
		MARGIN + PLOT / 2);
	fprintf(f, "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\">1</text><text x=\"%d\" y=\"%d\">1</text>\n",
		MARGIN - 12, MARGIN + PLOT + 14, MARGIN + PLOT - 4, MARGIN + PLOT + 14, MARGIN - 12, MARGIN + 4);
	fputs("</svg>\n", f);
}

static void put_flags(FILE *f, const struct eval_summary *s)
{
	fputs("<h2>Flagging: precision and recall at each cut-off</h2>\n<table><tr><th>flag when the player "
	      "reached</th><th>flagged</th><th>of them labelled</th><th>precision</th><th>recall</th><th>F1</th></tr>\n",
	      f);
	for (int c = 0; c < EVAL_CUT_COUNT; c++) {
		const struct eval_prf *p = &s->flag[c];
		fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>", c == EVAL_CUT_ALERT ? "a harm alert"
									      : evaluate_cut_name(c),
			p->flagged, p->true_pos);
		put_ratio(f, p->precision);
		fputs("</td><td>", f);
		put_ratio(f, p->recall);
		fputs("</td><td>", f);
		put_ratio(f, p->f1);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	/* Bars: precision and recall side by side per cut-off. */
	int h = 160, bar = 28;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"precision and recall\">\n",
		MARGIN + EVAL_CUT_COUNT * 3 * bar + 160, h + 40);
	for (int c = 0; c < EVAL_CUT_COUNT; c++) {
		double v[2] = { s->flag[c].precision, s->flag[c].recall };
		int x = MARGIN + c * 3 * bar;
		for (int k = 0; k < 2; k++) {
			double y = isnan(v[k]) ? 0 : v[k] * h;
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", x + k * bar,
				10 + h - y, bar - 4, y, k ? "#2c7fb8" : "#7fcdbb");
		}
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", x, h + 28, evaluate_cut_name(c));
	}
	int lx = MARGIN + EVAL_CUT_COUNT * 3 * bar + 10;
	fprintf(f, "<rect x=\"%d\" y=\"20\" width=\"12\" height=\"12\" fill=\"#7fcdbb\"/><text x=\"%d\" y=\"31\">"
		   "precision</text><rect x=\"%d\" y=\"40\" width=\"12\" height=\"12\" fill=\"#2c7fb8\"/>"
		   "<text x=\"%d\" y=\"51\">recall</text>\n</svg>\n",
		lx, lx + 18, lx, lx + 18);
}

static void put_lead(FILE *f, const struct eval_summary *s)
{
	fputs("<h2>How early: days from the first harm alert to the label</h2>\n", f);
	if (!s->lead_n) {
		fputs("<p>No labelled player had an alert before the cut-off.</p>\n", f);
		return;
	}
	fprintf(f, "<p>%lld labelled players were alerted before the cut-off, a median %.1f days ahead of their "
		   "label (quartiles %.1f and %.1f days).</p>\n",
		s->lead_n, s->lead_median, s->lead_p25, s->lead_p75);
	long long most = 1;
	for (int i = 0; i < EVAL_LEAD_BINS; i++)
		if (s->lead_hist[i] > most)
			most = s->lead_hist[i];
	int h = 140, bar = 8;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"lead time histogram\">\n",
		MARGIN + EVAL_LEAD_BINS * bar + 20, h + 44);
	for (int i = 0; i < EVAL_LEAD_BINS; i++) {
		double y = (double)s->lead_hist[i] * h / (double)most;
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#8856a7\"><title>%d%s days: "
			   "%lld</title></rect>\n",
			MARGIN + i * bar, 10 + h - y, bar - 1, y, i, i == EVAL_LEAD_BINS - 1 ? " or more" : "",
			s->lead_hist[i]);
	}
	for (int d = 0; d < EVAL_LEAD_BINS; d += 10)
		fprintf(f, "<text x=\"%d\" y=\"%d\">%d</text>\n", MARGIN + d * bar, h + 26, d);
	fprintf(f, "<text x=\"%d\" y=\"%d\">days ahead of the label</text><text x=\"4\" y=\"18\">%lld</text>\n</svg>\n",
		MARGIN + 200, h + 40, most);
}

static void put_date(FILE *f, int64_t day)
{
	int64_t y;
	unsigned m, d;
	ts_civil_from_days(day, &y, &m, &d);
	fprintf(f, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* Bars of the harm alerts and obligations opened each day: the workload
 * the policies would have given the team. */
static void put_alert_days(FILE *f, const struct eval_summary *s)
{
	if (!s->day_bars)
		return;
	long long most = 1;
	for (int i = 0; i < s->day_bars; i++)
		if (s->day_alerts[i] > most)
			most = s->day_alerts[i];
	int h = 140, w = 600, bar = w / s->day_bars > 1 ? w / s->day_bars : 1;
	int64_t first = s->day_first_ms / MS_PER_DAY, last = first + (int64_t)s->day_bars * s->day_bin - 1;
	fprintf(f, "<p>Harm alerts and obligations opened on each %s (UTC, by event time).</p>\n",
		s->day_bin == 1 ? "day" : "bar's days");
	fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"alerts per day\">\n",
		MARGIN + s->day_bars * bar + 20, h + 44);
	for (int i = 0; i < s->day_bars; i++) {
		double y = (double)s->day_alerts[i] * h / (double)most;
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#e6550d\"><title>", MARGIN + i * bar,
			10 + h - y, bar > 2 ? bar - 1 : bar, y);
		put_date(f, first + (int64_t)i * s->day_bin);
		fprintf(f, "%s: %lld</title></rect>\n", s->day_bin > 1 ? " and after" : "", s->day_alerts[i]);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">", MARGIN, h + 26);
	put_date(f, first);
	fprintf(f, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", MARGIN + s->day_bars * bar, h + 26);
	put_date(f, last);
	fprintf(f, "</text><text x=\"4\" y=\"18\">%lld</text>\n</svg>\n", most);
}

static void put_alerts_and_rules(FILE *f, const struct eval_summary *s)
{
	fprintf(f, "<h2>Workload</h2>\n<p>%lld harm alerts (escalated %lld times) and %lld obligations over %lld "
		   "days: ",
		s->harm_alerts, s->escalations, s->obligations, s->days);
	put_ratio(f, s->alerts_per_1000_player_days);
	fputs(" per 1,000 player-days (days a player was active), ", f);
	put_ratio(f, s->alerts_per_day);
	fputs(" a day.</p>\n", f);
	put_alert_days(f, s);
	fputs("<h2>Rules</h2>\n<p>A rule fired for a player when its marker held, or its obligation fell "
	      "due, before the cut-off.</p>\n<table><tr><th>rule</th><th>players</th><th>of them labelled</th>"
	      "<th>precision</th><th>recall</th></tr>\n",
	      f);
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct eval_rule_stats *rs = &s->rules[r];
		if (!rs->players)
			continue;
		fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>", rule_defs[r]->id, rs->players, rs->labelled);
		put_ratio(f, rs->prf.precision);
		fputs("</td><td>", f);
		put_ratio(f, rs->prf.recall);
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "</table>\n<p class=\"note\">Made by rgmon %s evaluate: the same engine and alert decisions as "
		   "replay and serve, in memory.</p>\n</body></html>\n",
		RGMON_VERSION);
}

int evaluate_report_write(FILE *f, const struct eval_summary *s, const struct eval_report_info *info)
{
	put_head(f, s, info);
	put_roc(f, s);
	put_flags(f, s);
	put_lead(f, s);
	put_alerts_and_rules(f, s);
	return ferror(f) ? -1 : 0;
}
