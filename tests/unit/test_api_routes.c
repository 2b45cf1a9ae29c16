/* test_api_routes.c -- api_match, the HTTP route matcher, and the route
 * table it walks: every route by method and path with its path parameter,
 * a known path with another method (405 and its Allow list), unknown paths
 * (404), hostile paths and the roles each route admits.
 *
 * libmicrohttpd hands the matcher the path already percent-decoded and
 * without the query string ("bad%20id" arrives as "bad id"), so the hostile
 * paths below are written as the matcher sees them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "rgmon/api.h"
#include "rgmon/web.h"

struct outcome {
	const struct api_route *route;
	bool known;
	char allow[64];
	struct api_request rq;
};

static struct outcome match(const char *method, const char *path)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	/* http.c starts from a zeroed request, but a parameter must be
	 * written by the match, not found lying around. */
	memset(o.rq.params, 'X', sizeof(o.rq.params));
	memset(o.allow, 'X', sizeof(o.allow));
	o.route = api_match(method, path, &o.rq, &o.known, o.allow, sizeof(o.allow));
	return o;
}

/* The path is served by `name` with parameter `param` (NULL: none). */
static void expect_route(const char *method, const char *path, const char *name, const char *param)
{
	struct outcome o = match(method, path);
	if (!o.route)
		fail_msg("%s %s: no route (known %d, allow \"%s\")", method, path, o.known, o.allow);
	if (strcmp(o.route->name, name) != 0)
		fail_msg("%s %s: route %s, want %s", method, path, o.route->name, name);
	assert_true(o.known);
	if (param)
		assert_string_equal(o.rq.params[0], param);
}

/* The path exists, but not for this method: 405 with these methods. */
static void expect_405(const char *method, const char *path, const char *allow)
{
	struct outcome o = match(method, path);
	if (o.route)
		fail_msg("%s %s: matched %s, want 405", method, path, o.route->name);
	if (!o.known)
		fail_msg("%s %s: unknown path, want 405 (Allow: %s)", method, path, allow);
	assert_string_equal(o.allow, allow);
}

static void expect_404(const char *method, const char *path)
{
	struct outcome o = match(method, path);
	if (o.route)
		fail_msg("%s \"%s\": matched %s (param \"%.40s\"), want 404", method, path, o.route->name,
			 o.rq.params[0]);
	if (o.known)
		fail_msg("%s \"%s\": known path (Allow: %s), want 404", method, path, o.allow);
	assert_string_equal(o.allow, "");
}

static const struct api_route *route_named(const char *method, const char *name)
{
	for (size_t i = 0; i < api_route_count; i++)
		if (strcmp(api_routes[i].method, method) == 0 && strcmp(api_routes[i].name, name) == 0)
			return &api_routes[i];
	fail_msg("no route %s %s in the table", method, name);
	return NULL;
}

/* ---- every route ----------------------------------------------------------- */

static const struct {
	const char *method, *path, *name, *param;
} served[] = {
	{ "GET", "/healthz", "healthz", NULL },
	{ "GET", "/readyz", "readyz", NULL },
	{ "GET", "/metrics", "metrics", NULL },
	{ "GET", "/", "ui", NULL },
	{ "GET", "/ui/app.js", "ui", "app.js" },
	{ "GET", "/ui/index.html", "ui", "index.html" },
	{ "GET", "/v1/me", "me", NULL },
	{ "GET", "/v1/players/p42/risk", "player_risk", "p42" },
	{ "GET", "/v1/players/p42", "player", "p42" },
	{ "GET", "/v1/badge/p42.svg", "badge", "p42" },
	{ "POST", "/v1/players/p42/badge-link", "badge_link", "p42" },
	{ "GET", "/v1/players/p42/card", "player_card", "p42" },
	{ "POST", "/v1/players/p42/interactions", "player_interaction", "p42" },
	{ "GET", "/v1/alerts", "alerts", NULL },
	{ "GET", "/v1/alerts/9f86d081884c7d659a2feaa0c55ad015", "alert", "9f86d081884c7d659a2feaa0c55ad015" },
	{ "POST", "/v1/alerts/9f86d081884c7d659a2feaa0c55ad015/acknowledge", "alert_acknowledge",
	  "9f86d081884c7d659a2feaa0c55ad015" },
	{ "POST", "/v1/alerts/9f86d081884c7d659a2feaa0c55ad015/resolve", "alert_resolve",
	  "9f86d081884c7d659a2feaa0c55ad015" },
	{ "POST", "/v1/alerts/9f86d081884c7d659a2feaa0c55ad015/review", "alert_review",
	  "9f86d081884c7d659a2feaa0c55ad015" },
	{ "POST", "/v1/alerts/9f86d081884c7d659a2feaa0c55ad015/assign", "alert_assign",
	  "9f86d081884c7d659a2feaa0c55ad015" },
	{ "GET", "/v1/reports/portfolio", "portfolio", NULL },
	{ "POST", "/v1/alerts/9f86d081884c7d659a2feaa0c55ad015/notes", "alert_note",
	  "9f86d081884c7d659a2feaa0c55ad015" },
	{ "GET", "/v1/policy", "policy", NULL },
	{ "GET", "/v1/rules", "rules", NULL },
	{ "GET", "/v1/audit/export", "audit_export", NULL },
	{ "GET", "/v1/reports/effectiveness", "effectiveness", NULL },
};

static void test_every_route_is_reachable(void **state)
{
	(void)state;
	bool hit[64] = { false };
	assert_true(api_route_count <= 64);
	for (size_t i = 0; i < ARRAY_SIZE(served); i++) {
		expect_route(served[i].method, served[i].path, served[i].name, served[i].param);
		struct outcome o = match(served[i].method, served[i].path);
		hit[o.route - api_routes] = true;
	}
	/* A route added to the table without a case here fails, so this list
	 * stays the whole API. */
	for (size_t i = 0; i < api_route_count; i++)
		if (!hit[i])
			fail_msg("route %s %s (%s) has no case in this test", api_routes[i].method, api_routes[i].pattern,
				 api_routes[i].name);
}

static void test_design_core_routes_exist(void **state)
{
	(void)state;
	/* DESIGN 1.4, the core routes other systems rely on. */
	expect_route("GET", "/v1/players/p1/risk", "player_risk", "p1");
	expect_route("GET", "/v1/alerts", "alerts", NULL);
	expect_route("GET", "/v1/alerts/a1", "alert", "a1");
	expect_route("POST", "/v1/alerts/a1/acknowledge", "alert_acknowledge", "a1");
	expect_route("POST", "/v1/alerts/a1/resolve", "alert_resolve", "a1");
	expect_route("POST", "/v1/alerts/a1/assign", "alert_assign", "a1");
	expect_route("GET", "/v1/audit/export", "audit_export", NULL);
	expect_route("GET", "/metrics", "metrics", NULL);
	expect_route("GET", "/healthz", "healthz", NULL);
	expect_route("GET", "/readyz", "readyz", NULL);
	expect_route("GET", "/", "ui", NULL);
}

static void test_ids_may_look_like_route_words(void **state)
{
	(void)state;
	/* a word of a route in the place of an id is an id: a player may be
	 * called "risk", an alert "acknowledge" */
	expect_route("GET", "/v1/players/risk", "player", "risk");
	expect_route("GET", "/v1/players/risk/risk", "player_risk", "risk");
	expect_route("GET", "/v1/alerts/acknowledge", "alert", "acknowledge");
	expect_route("POST", "/v1/alerts/resolve/acknowledge", "alert_acknowledge", "resolve");
}

static void test_head_is_served_as_get(void **state)
{
	(void)state;
	expect_route("HEAD", "/healthz", "healthz", NULL);
	expect_route("HEAD", "/v1/players/p1/risk", "player_risk", "p1");
	/* HEAD stands for GET only */
	expect_405("HEAD", "/v1/alerts/a1/resolve", "POST");
}

/* ---- wrong method: 405 ---------------------------------------------------- */

static void test_known_path_wrong_method_is_405(void **state)
{
	(void)state;
	expect_405("POST", "/v1/alerts", "GET");
	expect_405("DELETE", "/v1/alerts/a1", "GET");
	expect_405("PUT", "/v1/players/p1/risk", "GET");
	expect_405("POST", "/healthz", "GET");
	expect_405("POST", "/", "GET");
	expect_405("POST", "/ui/app.js", "GET");
	expect_405("POST", "/v1/audit/export", "GET");
	/* the staff actions are POST only: a link or a prefetch cannot act */
	expect_405("GET", "/v1/alerts/a1/acknowledge", "POST");
	expect_405("GET", "/v1/alerts/a1/resolve", "POST");
	/* methods are case-sensitive (RFC 9110) */
	expect_405("get", "/healthz", "GET");
	expect_405("", "/healthz", "GET");
}

static void test_allow_list_is_cut_safely(void **state)
{
	(void)state;
	struct api_request rq = { 0 };
	bool known;
	char allow[3] = { 'X', 'X', 'X' };
	/* a buffer too small for the list: cut and terminated, never overrun */
	assert_null(api_match("DELETE", "/v1/alerts/a1/resolve", &rq, &known, allow, 3));
	assert_true(known);
	assert_string_equal(allow, "PO");
	char one[1] = { 'X' };
	assert_null(api_match("DELETE", "/v1/alerts", &rq, &known, one, 1));
	assert_true(known);
	assert_int_equal(one[0], '\0');
}

/* ---- unknown paths: 404 -------------------------------------------------- */

static void test_unknown_paths_are_404(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"/v2/alerts", "/v1", "/v1/players", "/v1/players/p1/risk/extra", "/v1/players/p1/timeline",
		"/v1/alerts/a1/delete", "/v1/alerts/a1/acknowledge/now", "/v1/audit", "/v1/audit/export/csv",
		"/HEALTHZ", "/Healthz", "/health", "/healthzz", "/metrics.txt", "/ui", "/v1/badge/p1.png",
		"/v1/badge/p1", "/v1/badge/p1.SVG", "/v1/tokens", "/index.html",
		/* DESIGN 1.4 additions (2026-12) this build does not serve yet */
		"/v1/reports", "/v1/reports/effectiveness/csv", "/v1/players/p1/card/x",
		"/v1/players/p1/interactions/x", "/v1/alerts/a1/notes/n1",
		/* paths that are not absolute */
		"", "healthz", "v1/alerts",
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		expect_404("GET", paths[i]);
	/* an unknown method on an unknown path is still 404 */
	expect_404("BREW", "/coffee");
}

static void test_query_string_is_not_part_of_the_path(void **state)
{
	(void)state;
	/* http.c passes libmicrohttpd's path, which never holds the query; the
	 * matcher itself does not strip one, so a path with '?' is unknown. */
	expect_404("GET", "/v1/alerts?status=open");
	expect_404("GET", "/healthz?x=1");
}

/* ---- hostile paths ------------------------------------------------------- */

static void test_empty_segments_match_nothing(void **state)
{
	(void)state;
	/* a parameter is one or more characters: an empty id is not a route
	 * with id "" */
	expect_404("GET", "/v1/players//risk");
	expect_404("GET", "/v1/players/");
	expect_404("GET", "/v1/alerts/");
	expect_404("POST", "/v1/alerts//acknowledge");
	expect_404("POST", "/v1/alerts//resolve");
	expect_404("GET", "/v1/badge/.svg");
	expect_404("GET", "/ui/");
	/* doubled slashes are not folded */
	expect_404("GET", "//");
	expect_404("GET", "//healthz");
	expect_404("GET", "/v1//alerts");
	expect_404("GET", "/v1/alerts//a1");
}

static void test_trailing_slash_is_another_path(void **state)
{
	(void)state;
	expect_404("GET", "/healthz/");
	expect_404("GET", "/metrics/");
	expect_404("GET", "/v1/alerts/a1/");
	expect_404("GET", "/v1/players/p1/risk/");
	expect_404("POST", "/v1/alerts/a1/resolve/");
	expect_404("GET", "/v1/audit/export/");
	expect_404("GET", "/ui/app.js/");
}

static void test_dot_segments_are_not_resolved(void **state)
{
	(void)state;
	/* "/ui/../x" is not "/x", and "/ui/a/../b" is not "/ui/b": the matcher
	 * never walks up, so no path leaves the route it names */
	expect_404("GET", "/ui/../etc/passwd");
	expect_404("GET", "/ui/../../../../etc/passwd");
	expect_404("GET", "/../../etc/passwd");
	expect_404("GET", "/ui/app.js/../../../etc/passwd");
	expect_404("GET", "/v1/players/../../etc/passwd/risk");
	expect_404("GET", "/v1/alerts/../players/p1/risk");
	expect_404("GET", "/v1/audit/../alerts");
	/* a lone ".." is just a parameter: the UI asset table has no such file
	 * (404 from the handler), and the risk handler checks the id */
	expect_route("GET", "/ui/..", "ui", "..");
	assert_null(web_asset_find(".."));
	expect_route("GET", "/ui/.", "ui", ".");
	assert_null(web_asset_find("."));
	expect_route("GET", "/v1/players/../risk", "player_risk", "..");
}

static void test_decoded_bytes_stay_in_their_segment(void **state)
{
	(void)state;
	/* %2F decoded is a real '/': an id cannot carry one, it makes the path
	 * longer and unknown */
	expect_404("GET", "/v1/players/a/b/risk");
	expect_404("GET", "/ui/../../etc/passwd"); /* /ui/..%2f..%2fetc%2fpasswd */
	/* %252F (double-encoded) arrives as the text "%2F" and stays in the id,
	 * which the handler then refuses (400), not a path separator */
	expect_route("GET", "/v1/players/a%2Fb/risk", "player_risk", "a%2Fb");
	/* %20, UTF-8 and control bytes are passed through byte for byte */
	expect_route("GET", "/v1/players/bad id/risk", "player_risk", "bad id");
	expect_route("GET", "/v1/players/\xc3\xa9t\xc3\xa9/risk", "player_risk", "\xc3\xa9t\xc3\xa9");
	expect_route("GET", "/v1/alerts/a\tb", "alert", "a\tb");
	expect_route("GET", "/v1/badge/a\x01.svg", "badge", "a\x01");
	/* %00 ends the C string: what follows it is never seen */
	expect_route("GET", "/v1/players/p1\0/risk", "player", "p1");
}

static void test_long_ids_are_never_cut(void **state)
{
	(void)state;
	char id[API_PARAM_MAX + 2], path[API_PARAM_MAX + 64];
	/* the longest parameter that fits is taken whole */
	memset(id, 'a', API_PARAM_MAX - 1);
	id[API_PARAM_MAX - 1] = '\0';
	snprintf(path, sizeof(path), "/v1/players/%s/risk", id);
	expect_route("GET", path, "player_risk", id);
	snprintf(path, sizeof(path), "/v1/badge/%s.svg", id);
	expect_route("GET", path, "badge", id);
	snprintf(path, sizeof(path), "/v1/alerts/%s/resolve", id);
	expect_route("POST", path, "alert_resolve", id);
	/* one more byte: no route, rather than a cut id that could name
	 * another player or alert */
	memset(id, 'a', API_PARAM_MAX);
	id[API_PARAM_MAX] = '\0';
	snprintf(path, sizeof(path), "/v1/players/%s/risk", id);
	expect_404("GET", path);
	snprintf(path, sizeof(path), "/v1/players/%s", id);
	expect_404("GET", path);
	snprintf(path, sizeof(path), "/v1/badge/%s.svg", id);
	expect_404("GET", path);
	snprintf(path, sizeof(path), "/v1/alerts/%s/acknowledge", id);
	expect_404("POST", path);
	snprintf(path, sizeof(path), "/ui/%s", id);
	expect_404("GET", path);
}

static void test_huge_paths_are_404(void **state)
{
	(void)state;
	enum { N = 64 * 1024 };
	static char path[N + 32];
	/* one enormous segment */
	snprintf(path, sizeof(path), "/v1/players/");
	memset(path + strlen(path), 'p', N);
	path[N] = '\0';
	expect_404("GET", path);
	/* thousands of segments */
	for (size_t i = 0; i + 2 < N; i += 2) {
		path[i] = '/';
		path[i + 1] = 'a';
	}
	path[N - 2] = '\0';
	expect_404("GET", path);
	/* thousands of empty segments */
	memset(path, '/', N);
	path[N] = '\0';
	expect_404("GET", path);
}

/* ---- roles ----------------------------------------------------------------- */

#define R(role) API_ROLE(ROLE_##role)

static void test_roles_per_route(void **state)
{
	(void)state;
	/* DESIGN 1.4: agent sees risk badges, compliance works alerts,
	 * regulator takes audit exports, admin may do everything. */
	static const struct {
		const char *method, *name;
		unsigned roles;
	} want[] = {
		{ "GET", "healthz", API_OPEN },
		{ "GET", "readyz", API_OPEN },
		{ "GET", "metrics", API_OPEN },
		{ "GET", "ui", API_OPEN },
		{ "GET", "me", R(AGENT) | R(COMPLIANCE) | R(REGULATOR) | R(ADMIN) },
		{ "GET", "player_risk", R(AGENT) | R(COMPLIANCE) | R(ADMIN) },
		/* a signed link (badge-link) opens the badge without a token */
		{ "GET", "badge", R(AGENT) | R(COMPLIANCE) | R(ADMIN) | API_SIGNED_LINK },
		{ "POST", "badge_link", R(AGENT) | R(COMPLIANCE) | R(ADMIN) },
		{ "GET", "player", R(COMPLIANCE) | R(ADMIN) },
		{ "GET", "alerts", R(COMPLIANCE) | R(ADMIN) },
		{ "GET", "alert", R(COMPLIANCE) | R(ADMIN) },
		{ "POST", "alert_acknowledge", R(COMPLIANCE) | R(ADMIN) },
		{ "POST", "alert_resolve", R(COMPLIANCE) | R(ADMIN) },
		{ "POST", "alert_review", R(COMPLIANCE) | R(ADMIN) },
		{ "POST", "alert_assign", R(COMPLIANCE) | R(ADMIN) },
		{ "GET", "portfolio", R(COMPLIANCE) | R(ADMIN) },
		{ "GET", "policy", R(COMPLIANCE) | R(ADMIN) },
		{ "GET", "audit_export", R(REGULATOR) | R(ADMIN) },
		{ "GET", "effectiveness", R(COMPLIANCE) | R(REGULATOR) | R(ADMIN) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct api_route *r = route_named(want[i].method, want[i].name);
		if (r->roles != want[i].roles)
			fail_msg("%s %s admits roles 0x%x, want 0x%x", r->method, r->pattern, r->roles, want[i].roles);
	}
	/* both UI routes are open: the page asks for the token itself */
	for (size_t i = 0; i < api_route_count; i++)
		if (strcmp(api_routes[i].name, "ui") == 0)
			assert_int_equal(api_routes[i].roles, API_OPEN);
}

static void test_role_boundaries(void **state)
{
	(void)state;
	/* matched by path, as a request would be */
	const struct api_route *risk = match("GET", "/v1/players/p1/risk").route;
	const struct api_route *alerts = match("GET", "/v1/alerts").route;
	const struct api_route *resolve = match("POST", "/v1/alerts/a1/resolve").route;
	const struct api_route *export = match("GET", "/v1/audit/export").route;
	assert_non_null(risk);
	assert_non_null(alerts);
	assert_non_null(resolve);
	assert_non_null(export);
	/* a regulator sees no single player's risk and works no alerts */
	assert_false(risk->roles & R(REGULATOR));
	assert_false(alerts->roles & R(REGULATOR));
	assert_false(resolve->roles & R(REGULATOR));
	/* an agent reads risk but acts on no alert and exports nothing */
	assert_true(risk->roles & R(AGENT));
	assert_false(resolve->roles & R(AGENT));
	assert_false(export->roles & R(AGENT));
	/* compliance does not export the audit trail */
	assert_false(export->roles & R(COMPLIANCE));
	/* every route that needs a token names admin and no role beyond the
	 * known ones */
	for (size_t i = 0; i < api_route_count; i++) {
		unsigned m = api_routes[i].roles;
		if (m == API_OPEN)
			continue;
		if (!(m & R(ADMIN)))
			fail_msg("%s %s: admin missing", api_routes[i].method, api_routes[i].pattern);
		assert_int_equal(m & ~((1u << ROLE_COUNT) - 1) & ~API_SIGNED_LINK, 0);
	}
	/* what needs no token: health, metrics and the UI's files, nothing
	 * under /v1 */
	for (size_t i = 0; i < api_route_count; i++)
		if (strncmp(api_routes[i].pattern, "/v1/", 4) == 0 && api_routes[i].roles == API_OPEN)
			fail_msg("%s %s is open", api_routes[i].method, api_routes[i].pattern);
}

static void test_table_is_well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i < api_route_count; i++) {
		const struct api_route *r = &api_routes[i];
		assert_non_null(r->handler);
		assert_non_null(r->name);
		assert_true(strcmp(r->method, "GET") == 0 || strcmp(r->method, "POST") == 0);
		assert_int_equal(r->pattern[0], '/');
		/* no two routes share method and pattern: the second could
		 * never be reached */
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->method, api_routes[j].method) == 0 && strcmp(r->pattern, api_routes[j].pattern) == 0)
				fail_msg("%s %s appears twice", r->method, r->pattern);
	}
	assert_true(api_route_count < METRICS_HTTP_ROUTES); /* each route has a metrics slot, and "unmatched" */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_is_reachable),
		cmocka_unit_test(test_design_core_routes_exist),
		cmocka_unit_test(test_ids_may_look_like_route_words),
		cmocka_unit_test(test_head_is_served_as_get),
		cmocka_unit_test(test_known_path_wrong_method_is_405),
		cmocka_unit_test(test_allow_list_is_cut_safely),
		cmocka_unit_test(test_unknown_paths_are_404),
		cmocka_unit_test(test_query_string_is_not_part_of_the_path),
		cmocka_unit_test(test_empty_segments_match_nothing),
		cmocka_unit_test(test_trailing_slash_is_another_path),
		cmocka_unit_test(test_dot_segments_are_not_resolved),
		cmocka_unit_test(test_decoded_bytes_stay_in_their_segment),
		cmocka_unit_test(test_long_ids_are_never_cut),
		cmocka_unit_test(test_huge_paths_are_404),
		cmocka_unit_test(test_roles_per_route),
		cmocka_unit_test(test_role_boundaries),
		cmocka_unit_test(test_table_is_well_formed),
	};
	return cmocka_run_group_tests_name("api_routes", tests, NULL, NULL);
}
