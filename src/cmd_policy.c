/* cmd_policy.c -- `rgmon policy check FILE`: validate a policy file and
 * print its identity and what it switches on. */
#include "rgmon/cmd.h"
#include "rgmon/policy.h"

#include <stdio.h>
#include <string.h>

struct policy_args {
	const char *file;
};

static const struct opt policy_check_opts[] = {
	OPT_ARG("FILE", struct policy_args, file, "the policy, a JSON file"),
	OPT_END,
};

const struct cmd_entry cmd_policy_check_entry = {
	"policy check", policy_check_opts,
	"Validate a policy file. On success prints its identity (name@sha256 of the\n"
	"canonical form) and the rules it switches on; on failure names the field\n"
	"that is wrong and exits 1. See policies/README.md for the format.\n",
	NULL,
	cmd_policy_check,
};

int cmd_policy_check(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct policy_args a = { 0 };
	char err[512];
	struct policy *pol;
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	if (!(pol = malloc(sizeof(*pol))))
		return cmd_fail("policy check: out of memory");
	if (policy_load(pol, a.file, NULL, err, sizeof(err)) < 0) {
		free(pol);
		return cmd_fail("%s", err);
	}
	int on = 0, strong = 0;
	for (int r = 0; r < RULE_COUNT; r++) {
		on += pol->rules[r].enabled;
		strong += pol->rules[r].enabled && pol->rules[r].strong;
	}
	printf("ok %s\n", pol->id);
	printf("jurisdiction %s, time zone %s, currencies", pol->jurisdiction, pol->tz_name);
	for (int i = 0; i < pol->ncurrencies; i++)
		printf(" %s", pol->currencies[i]);
	printf("\nlevels: amber from %d, red from %d (hysteresis %d), half-life %d days\n", pol->cutoff[LEVEL_AMBER],
	       pol->cutoff[LEVEL_RED], pol->hysteresis, pol->half_life_minutes / 1440);
	printf("rules: %d of %d on, %d strong\n", on, RULE_COUNT, strong);
	for (int r = 0; r < RULE_COUNT; r++)
		if (pol->rules[r].enabled)
			printf("  %-40s weight %3d%s\n", rule_defs[r]->id, pol->rules[r].weight,
			       pol->rules[r].strong ? "  strong" : "");
	free(pol);
	return 0;
}
