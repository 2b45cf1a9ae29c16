/* cmd_policy.c -- `rgmon policy check FILE|DIR...`: validate policy packs
 * as the set serve would load, and print each one's identity and what it
 * switches on. */
#include "rgmon/cmd.h"
#include "rgmon/log.h"
#include "rgmon/alert_decide.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/talk_file.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

static int cmd_policy_check(const struct cmd_entry *cmd, int argc, char **argv);

struct policy_args {
	struct opt_list files;
};

static const struct opt policy_check_opts[] = {
	OPT_ARGS("FILE|DIR", struct policy_args, files, POLICY_SET_MAX,
		 "a policy pack (a JSON file), or a directory: every *.json in it; or a talk file or\n"
		 "directory (policies/talk/: talking points and help lines)"),
	OPT_END,
};

const struct cmd_entry cmd_policy_check_entry = {
	"policy check", policy_check_opts,
	"Validate policy packs, and the set they make together. On success prints\n"
	"each pack's identity (name@sha256 of the canonical form), the countries it\n"
	"governs and the rules it switches on, each with its kind and source (the\n"
	"regulation and article, or \"rgmon house rule\"), and warns on stderr of\n"
	"rules without a source; on failure names the field that is wrong, or the\n"
	"two files that claim one country or are both the fallback (the pack\n"
	"without \"countries\"), and exits 1. See policies/README.md.\n"
	"Talk files (\"kind\": \"talk\" or \"talk-help\", policies/talk/) are checked\n"
	"as talk: every rule and suggested action has its words, every {number}\n"
	"fills, and a directory has one file per language and one of help lines.\n",
	NULL,
	cmd_policy_check,
};

/* Four eyes: which resolutions wait for a second person, and why. */
static void print_review(const struct policy *pol)
{
	int n = 0;
	printf("review (four eyes):");
	for (int o = 0; o < OUTCOME_COUNT; o++) {
		uint8_t bits = pol->review.levels[o];
		if (!bits)
			continue;
		printf("%s %s at %s%s%s", n++ ? "," : "", alert_outcome_name((enum alert_outcome)o),
		       bits & (1u << LEVEL_AMBER) ? "amber" : "", (bits & (1u << LEVEL_AMBER)) && (bits & (1u << LEVEL_RED)) ? " and " : "",
		       bits & (1u << LEVEL_RED) ? "red" : "");
	}
	printf("%s  source: %s\n", n ? "" : " none", pol->review.source);
}

static void print_pack(const struct policy *pol)
{
	int on = 0, strong = 0;
	for (int r = 0; r < RULE_COUNT; r++) {
		on += pol->rules[r].enabled;
		strong += pol->rules[r].enabled && pol->rules[r].strong;
	}
	printf("ok %s\n", pol->id);
	printf("jurisdiction %s, time zone %s, currencies", pol->jurisdiction, pol->tz_name);
	for (int i = 0; i < pol->ncurrencies; i++)
		printf(" %s", pol->currencies[i]);
	if (pol->ncountries) {
		printf("\ngoverns");
		for (int i = 0; i < pol->ncountries; i++)
			printf(" %s", pol->countries[i]);
	}
	printf("\nlevels: amber from %d, red from %d (hysteresis %d), half-life %d days\n", pol->cutoff[LEVEL_AMBER],
	       pol->cutoff[LEVEL_RED], pol->hysteresis, pol->half_life_minutes / 1440);
	printf("limit raises apply after %d h%s\n", pol->limit_raise_delay_minutes / 60,
	       pol->limit_raise_after_period ? " and not before the period running at the raise has ended" : "");
	printf("periods: weeks %s, months %s\n",
	       pol->periods[PERIOD_WEEK] == PERIOD_CALENDAR ? "calendar (from Monday)" : "rolling 7 days",
	       pol->periods[PERIOD_MONTH] == PERIOD_CALENDAR ? "calendar (from the 1st)" : "rolling 30 days");
	print_review(pol);
	printf("rules: %d of %d on, %d strong\n", on, RULE_COUNT, strong);
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct policy_rule *pr = &pol->rules[r];
		if (!pr->enabled)
			continue;
		printf("  %-40s weight %3d%s  %s", rule_defs[r]->id, pr->weight, pr->strong ? "  strong" : "",
		       rule_kind_name(pr->kind));
		if (pr->kind == RULE_KIND_OBLIGATION)
			printf(": %s", risk_action_name((enum risk_action)pr->action));
		if (pr->effective_from != POLICY_NO_DATE) {
			int64_t y;
			unsigned m, d;
			ts_civil_from_days(pr->effective_from, &y, &m, &d);
			printf("  from %04lld-%02u-%02u", (long long)y, m, d);
		}
		printf("  source: %s\n", pr->source[0] ? pr->source : "(none)");
	}
}

/* Every rule should say where it comes from, so that no house number
 * passes for a regulator's: one warning line per pack names the rules
 * switched on that do not. */
static void warn_sourceless(const struct policy *pol, const char *origin)
{
	char names[1024] = "";
	size_t used = 0;
	int n = 0;
	for (int r = 0; r < RULE_COUNT; r++) {
		if (!pol->rules[r].enabled || pol->rules[r].source[0])
			continue;
		int w = snprintf(names + used, sizeof(names) - used, "%s%s", n ? ", " : "", rule_defs[r]->id);
		if (w > 0 && (size_t)w < sizeof(names) - used)
			used += (size_t)w;
		n++;
	}
	if (n)
		log_warn("%s: %d rule%s without a source (a regulation and article, or \"rgmon house rule\"): %s",
			 origin, n, n == 1 ? "" : "s", names);
}

static int cmd_policy_check(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct policy_args a;
	char err[512];
	struct policy_set *set;
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	/* Talk files are checked as talk; the rest as the pack set. */
	int packs = 0;
	for (int i = 0; i < a.files.n; i++) {
		if (!talk_path_is_talk(a.files.v[i]))
			a.files.v[packs++] = a.files.v[i];
		else if (talk_check_path(a.files.v[i], err, sizeof(err)) < 0)
			return cmd_fail("%s", err);
	}
	if (packs == 0 && a.files.n > 0)
		return 0;
	a.files.n = packs;
	if (!(set = malloc(sizeof(*set))))
		return cmd_fail("policy check: out of memory");
	if (policy_set_load(set, a.files.v, a.files.n, false, err, sizeof(err)) < 0) {
		free(set);
		return cmd_fail("%s", err);
	}
	/* policy_set_load adds the built-in pack when none given is a
	 * fallback: it is not one of the files checked. */
	int given = set->n - (strcmp(set->origin[set->n - 1], POLICY_BUILTIN_ORIGIN) == 0);
	for (int i = 0; i < given; i++) {
		if (given > 1)
			printf("%s%s:\n", i ? "\n" : "", set->origin[i]);
		print_pack(set->packs[i]);
		warn_sourceless(set->packs[i], set->origin[i]);
	}
	if (given > 1 || set->n > given)
		printf("\nset: %d pack%s, fallback %s (%s)\n", set->n, set->n == 1 ? "" : "s",
		       policy_set_fallback(set)->id, set->origin[set->fallback]);
	policy_set_release(set);
	free(set);
	return 0;
}
