/* policy_set.c -- the packs loaded together and which one governs a
 * country. Pure: policy_file.c reads the files. */
#include "rgmon/policy_set.h"
#include "rgmon/event.h"

#include <stdlib.h>
#include <string.h>

void policy_set_init(struct policy_set *set)
{
	memset(set, 0, sizeof(*set));
	set->fallback = -1;
}

void policy_set_release(struct policy_set *set)
{
	for (int i = 0; i < set->n; i++) {
		free(set->packs[i]);
		free(set->texts[i]);
	}
	policy_set_init(set);
}

static int governs(const struct policy *p, const char *country)
{
	for (int c = 0; c < p->ncountries; c++)
		if (strcmp(p->countries[c], country) == 0)
			return 1;
	return 0;
}

int policy_set_add(struct policy_set *set, struct policy *pol, char *text, const char *origin, char *err,
		   size_t errlen)
{
	int rc = -1;
	if (set->n >= POLICY_SET_MAX) {
		seterr(err, errlen, "%s: more than %d policy packs", origin, POLICY_SET_MAX);
		goto out;
	}
	if (pol->ncountries == 0 && set->fallback >= 0) {
		seterr(err, errlen, "%s and %s: both are fallback packs (no \"countries\"); a set has at most one",
		       set->origin[set->fallback], origin);
		goto out;
	}
	for (int i = 0; i < set->n; i++)
		for (int c = 0; c < pol->ncountries; c++)
			if (governs(set->packs[i], pol->countries[c])) {
				seterr(err, errlen, "%s and %s: both govern country \"%s\"", set->origin[i], origin,
				       pol->countries[c]);
				goto out;
			}
	if (pol->ncountries == 0)
		set->fallback = set->n;
	rg_strlcpy(set->origin[set->n], origin, sizeof(set->origin[set->n]));
	set->packs[set->n] = pol;
	set->texts[set->n] = text;
	set->n++;
	return 0;
out:
	free(pol);
	free(text);
	return rc;
}

int policy_set_finish(struct policy_set *set)
{
	if (set->fallback < 0 && set->n == 1)
		set->fallback = 0;
	return set->fallback >= 0 ? 0 : -1;
}

const struct policy *policy_set_fallback(const struct policy_set *set)
{
	return set->fallback >= 0 ? set->packs[set->fallback] : NULL;
}

const struct policy *policy_set_for_country(const struct policy_set *set, const char *country)
{
	if (country && country[0])
		for (int i = 0; i < set->n; i++)
			if (governs(set->packs[i], country))
				return set->packs[i];
	return policy_set_fallback(set);
}

const struct policy *policy_set_for_event(const struct policy_set *set, const char *player_country,
					  const struct event *ev)
{
	if (ev->type == EVENT_ACCOUNT && ev->has_country)
		return policy_set_for_country(set, ev->country);
	return policy_set_for_country(set, player_country);
}

const struct policy *policy_set_find(const struct policy_set *set, const char *policy_id)
{
	for (int i = 0; i < set->n; i++)
		if (strcmp(set->packs[i]->id, policy_id) == 0)
			return set->packs[i];
	return NULL;
}
