/* test_policy_set.c -- packs and their countries (policy.c) and the set
 * they make (policy_set.c): lookup by country, the fallback, and the two
 * mistakes a set refuses, naming both files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rgmon/policy_set.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char err[512];

/* The built-in policy's text named `name` with `countries` (a JSON array,
 * or NULL for none); malloc'd. */
static char *pack_text(const char *name, const char *countries)
{
	struct policy pol;
	char *text;
	assert_int_equal(policy_load(&pol, NULL, &text, err, sizeof(err)), 0);
	json_t *root = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(root);
	json_object_set_new(root, "name", json_string(name));
	if (countries)
		json_object_set_new(root, "countries", json_loads(countries, JSON_DECODE_ANY, NULL));
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

/* A pack as policy_set_add takes it (malloc'd), or NULL with err. */
static struct policy *pack(const char *name, const char *countries)
{
	struct policy *pol = malloc(sizeof(*pol));
	char *text = pack_text(name, countries);
	assert_non_null(pol);
	int rc = policy_load_json(pol, text, strlen(text), err, sizeof(err));
	free(text);
	if (rc < 0) {
		free(pol);
		return NULL;
	}
	return pol;
}

static void test_countries_are_checked(void **state)
{
	(void)state;
	struct policy *p = pack("uk", "[\"GB\"]");
	assert_non_null(p);
	assert_int_equal(p->ncountries, 1);
	assert_string_equal(p->countries[0], "GB");
	free(p);
	p = pack("fallback", NULL);
	assert_non_null(p);
	assert_int_equal(p->ncountries, 0);
	free(p);

	assert_null(pack("x", "[\"gb\"]"));
	assert_non_null(strstr(err, "countries[0]:"));
	assert_null(pack("x", "[\"SE\", \"GBR\"]"));
	assert_non_null(strstr(err, "countries[1]:"));
	assert_null(pack("x", "[\"SE\", \"SE\"]"));
	assert_non_null(strstr(err, "countries[1]:"));
	assert_null(pack("x", "[]"));
	assert_non_null(strstr(err, "countries:"));
	assert_null(pack("x", "\"GB\""));
	assert_non_null(strstr(err, "countries:"));
}

static void test_lookup_and_fallback(void **state)
{
	(void)state;
	struct policy_set set;
	policy_set_init(&set);
	assert_null(policy_set_for_country(&set, "GB"));
	assert_int_equal(policy_set_add(&set, pack("uk", "[\"GB\"]"), NULL, "uk.json", err, sizeof(err)), 0);
	assert_int_equal(policy_set_add(&set, pack("nordic", "[\"SE\", \"NO\"]"), NULL, "se.json", err, sizeof(err)), 0);
	/* No fallback yet: a player of no listed country has no pack. */
	assert_null(policy_set_for_country(&set, "FR"));
	assert_null(policy_set_fallback(&set));
	assert_int_equal(policy_set_add(&set, pack("rest", NULL), strdup("{}"), "default.json", err, sizeof(err)), 0);

	assert_string_equal(policy_set_for_country(&set, "GB")->name, "uk");
	assert_string_equal(policy_set_for_country(&set, "NO")->name, "nordic");
	assert_string_equal(policy_set_for_country(&set, "SE")->name, "nordic");
	assert_string_equal(policy_set_for_country(&set, "FR")->name, "rest");
	assert_string_equal(policy_set_for_country(&set, "")->name, "rest");
	assert_string_equal(policy_set_for_country(&set, NULL)->name, "rest");
	assert_string_equal(policy_set_fallback(&set)->name, "rest");
	const struct policy *uk = policy_set_for_country(&set, "GB");
	assert_ptr_equal(policy_set_find(&set, uk->id), uk);
	assert_null(policy_set_find(&set, "uk@sha256:00"));
	policy_set_release(&set);
	assert_int_equal(set.n, 0);
}

static void test_a_country_in_two_packs(void **state)
{
	(void)state;
	struct policy_set set;
	policy_set_init(&set);
	assert_int_equal(policy_set_add(&set, pack("uk", "[\"GB\"]"), NULL, "packs/uk.json", err, sizeof(err)), 0);
	assert_int_equal(policy_set_add(&set, pack("uk2", "[\"IE\", \"GB\"]"), NULL, "packs/uk2.json", err, sizeof(err)),
			 -1);
	assert_string_equal(err, "packs/uk.json and packs/uk2.json: both govern country \"GB\"");
	assert_int_equal(set.n, 1);
	assert_string_equal(policy_set_for_country(&set, "GB")->name, "uk");
	assert_null(policy_set_for_country(&set, "IE"));
	policy_set_release(&set);
}

static void test_two_fallbacks(void **state)
{
	(void)state;
	struct policy_set set;
	policy_set_init(&set);
	assert_int_equal(policy_set_add(&set, pack("a", NULL), NULL, "a.json", err, sizeof(err)), 0);
	assert_int_equal(policy_set_add(&set, pack("b", NULL), NULL, "b.json", err, sizeof(err)), -1);
	assert_string_equal(err, "a.json and b.json: both are fallback packs (no \"countries\"); a set has at most one");
	assert_string_equal(policy_set_fallback(&set)->name, "a");
	policy_set_release(&set);
}

/* One pack alone scores everyone, as one --policy FILE did before sets;
 * two packs without a fallback still lack one. */
static void test_one_pack_alone(void **state)
{
	(void)state;
	struct policy_set set;
	policy_set_init(&set);
	assert_int_equal(policy_set_finish(&set), -1);
	assert_int_equal(policy_set_add(&set, pack("se", "[\"SE\"]"), NULL, "se.json", err, sizeof(err)), 0);
	assert_int_equal(policy_set_finish(&set), 0);
	assert_string_equal(policy_set_for_country(&set, "SE")->name, "se");
	assert_string_equal(policy_set_for_country(&set, "GB")->name, "se");
	assert_string_equal(policy_set_for_country(&set, NULL)->name, "se");
	policy_set_release(&set);
	assert_int_equal(policy_set_add(&set, pack("se", "[\"SE\"]"), NULL, "se.json", err, sizeof(err)), 0);
	assert_int_equal(policy_set_add(&set, pack("uk", "[\"GB\"]"), NULL, "uk.json", err, sizeof(err)), 0);
	assert_int_equal(policy_set_finish(&set), -1);
	assert_null(policy_set_for_country(&set, "FR"));
	policy_set_release(&set);
}

/* No packs given: the built-in pack alone, as the fallback. */
static void test_load_builtin_alone(void **state)
{
	(void)state;
	struct policy_set set;
	struct policy builtin;
	assert_int_equal(policy_load(&builtin, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(policy_set_load(&set, NULL, 0, true, err, sizeof(err)), 0);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.fallback, 0);
	assert_string_equal(set.packs[0]->id, builtin.id);
	assert_string_equal(set.origin[0], POLICY_BUILTIN_ORIGIN);
	assert_non_null(set.texts[0]);
	assert_ptr_equal(policy_set_for_country(&set, "GB"), set.packs[0]);
	policy_set_release(&set);
	const char *missing[] = { "/nonexistent/pack.json" };
	assert_int_equal(policy_set_load(&set, missing, 1, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/pack.json"));
	assert_int_equal(set.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_countries_are_checked), cmocka_unit_test(test_lookup_and_fallback),
		cmocka_unit_test(test_a_country_in_two_packs), cmocka_unit_test(test_two_fallbacks),
		cmocka_unit_test(test_one_pack_alone),     cmocka_unit_test(test_load_builtin_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
