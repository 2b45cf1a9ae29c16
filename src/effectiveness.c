/* effectiveness.c -- the effectiveness report's figures from the cases
 * (effectiveness.h). Pure: no I/O, no clock. */
#include "rgmon/effectiveness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum measure { M_DEPOSITS, M_NET_LOSS, M_PLAY, M_COUNT };
static const char *const measure_names[M_COUNT] = { "deposits", "net_loss", "play_minutes" };

enum dimension { D_TOTAL, D_OUTCOME, D_RULE, D_JURISDICTION, D_COUNT };
static const char *const dimension_names[D_COUNT] = { "total", "by_outcome", "by_rule", "by_jurisdiction" };

struct group {
	enum dimension dim;
	char name[64];
	int64_t cases, complete7, complete30, limit_or_exclusion, realerted;
	int64_t with_baseline[M_COUNT], fell[M_COUNT];
	double *changes[M_COUNT]; /* percent, one per case with a baseline */
	size_t nchanges[M_COUNT], cap[M_COUNT];
};

struct effectiveness {
	struct group *groups;
	size_t n, cap;
};

struct effectiveness *effectiveness_new(void)
{
	struct effectiveness *e = calloc(1, sizeof(*e));
	return e;
}

void effectiveness_free(struct effectiveness *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		for (int m = 0; m < M_COUNT; m++)
			free(e->groups[i].changes[m]);
	free(e->groups);
	free(e);
}

static struct group *group_of(struct effectiveness *e, enum dimension dim, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->groups[i].dim == dim && strcmp(e->groups[i].name, name) == 0)
			return &e->groups[i];
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct group *g = realloc(e->groups, cap * sizeof(*g));
		if (!g)
			return NULL;
		e->groups = g;
		e->cap = cap;
	}
	struct group *g = &e->groups[e->n++];
	memset(g, 0, sizeof(*g));
	g->dim = dim;
	rg_strlcpy(g->name, name, sizeof(g->name));
	return g;
}

static int64_t measure_of(const struct follow_up_measures *m, enum measure which)
{
	return which == M_DEPOSITS ? m->deposits : which == M_NET_LOSS ? m->net_loss : m->play_minutes;
}

static int add_change(struct group *g, enum measure m, double pct)
{
	if (g->nchanges[m] == g->cap[m]) {
		size_t cap = g->cap[m] ? g->cap[m] * 2 : 8;
		double *p = realloc(g->changes[m], cap * sizeof(*p));
		if (!p)
			return -1;
		g->changes[m] = p;
		g->cap[m] = cap;
	}
	g->changes[m][g->nchanges[m]++] = pct;
	return 0;
}

/* Both windows are 30 days and the money is per day, so the totals and
 * per-day values compare alike. A baseline of zero or less (no deposits,
 * a winning month) cannot fall by a quarter: it is left out. */
static int count_case(struct group *g, const struct effectiveness_case *c)
{
	g->cases++;
	g->complete7 += c->complete7;
	if (!c->complete30)
		return 0;
	g->complete30++;
	g->limit_or_exclusion += c->after30.limits_set > 0 || c->after30.excluded;
	g->realerted += c->realerted;
	for (int m = 0; m < M_COUNT; m++) {
		int64_t before = measure_of(&c->before, (enum measure)m), after = measure_of(&c->after30, (enum measure)m);
		if (before <= 0)
			continue;
		g->with_baseline[m]++;
		g->fell[m] += after * 4 <= before * 3;
		if (add_change(g, (enum measure)m, 100.0 * (double)(after - before) / (double)before) < 0)
			return -1;
	}
	return 0;
}

int effectiveness_add(struct effectiveness *e, const struct effectiveness_case *c)
{
	struct group *g = group_of(e, D_TOTAL, "all");
	if (!g || count_case(g, c) < 0)
		return -1;
	if (!(g = group_of(e, D_OUTCOME, c->outcome)) || count_case(g, c) < 0)
		return -1;
	if (!(g = group_of(e, D_JURISDICTION, c->jurisdiction[0] ? c->jurisdiction : "none")) || count_case(g, c) < 0)
		return -1;
	for (int i = 0; i < c->nrules; i++)
		if (!(g = group_of(e, D_RULE, c->rules[i])) || count_case(g, c) < 0)
			return -1;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A whole percent, rounded half away from zero; null when nothing counted. */
static json_t *pct_json(int64_t part, int64_t whole)
{
	return whole ? json_integer((json_int_t)llround(100.0 * (double)part / (double)whole)) : json_null();
}

static json_t *median_json(double *v, size_t n)
{
	if (!n)
		return json_null();
	qsort(v, n, sizeof(*v), cmp_double);
	double mid = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return json_integer((json_int_t)llround(mid));
}

static json_t *group_json(struct group *g)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:{s:I, s:o}, s:{s:I, s:o}}", "group", g->name, "cases",
			      (json_int_t)g->cases, "complete_7d", (json_int_t)g->complete7, "complete_30d",
			      (json_int_t)g->complete30, "limit_or_exclusion", "count",
			      (json_int_t)g->limit_or_exclusion, "pct", pct_json(g->limit_or_exclusion, g->complete30),
			      "realerted_30d", "count", (json_int_t)g->realerted, "pct",
			      pct_json(g->realerted, g->complete30));
	for (int m = 0; j && m < M_COUNT; m++)
		json_object_set_new(j, measure_names[m],
				    json_pack("{s:I, s:I, s:o, s:o}", "with_baseline", (json_int_t)g->with_baseline[m],
					      "fell_by_quarter", (json_int_t)g->fell[m], "fell_pct",
					      pct_json(g->fell[m], g->with_baseline[m]), "median_change_pct",
					      median_json(g->changes[m], g->nchanges[m])));
	return j;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	return x->dim != y->dim ? (int)x->dim - (int)y->dim : strcmp(x->name, y->name);
}

json_t *effectiveness_json(const struct effectiveness *e)
{
	json_t *j = json_pack("{s:s, s:s}", "window", "30d", "fell_by",
			      "a quarter or more: the 30 days after the resolution against the 30 days before, per day");
	if (!j)
		return NULL;
	for (int d = 1; d < D_COUNT; d++)
		json_object_set_new(j, dimension_names[d], json_array());
	if (e->n)
		qsort(e->groups, e->n, sizeof(*e->groups), cmp_group);
	struct group empty = { .dim = D_TOTAL, .name = "all" };
	if (e->n == 0 || e->groups[0].dim != D_TOTAL)
		json_object_set_new(j, "total", group_json(&empty));
	for (size_t i = 0; i < e->n; i++) {
		json_t *g = group_json(&e->groups[i]);
		if (e->groups[i].dim == D_TOTAL)
			json_object_set_new(j, "total", g);
		else
			json_array_append_new(json_object_get(j, dimension_names[e->groups[i].dim]), g);
	}
	return j;
}
