/* policy_set.h -- every pack at once (DESIGN 2.1): the packs loaded
 * together, each governing the account countries it lists, and the
 * fallback pack (the one without "countries") that scores everyone else,
 * including a player whose account country is not known yet. One pack
 * alone scores everyone, whatever its countries, as a single --policy FILE
 * did before sets (DESIGN 1.2: the contract changes only by adding).
 *
 * The set owns its packs and their texts (policy_set_add steals them).
 * Pure (policy_set.c): reading files and the built-in pack is
 * policy_set_load's, in policy_file.c. */
#ifndef RGMON_POLICY_SET_H
#define RGMON_POLICY_SET_H

#include "rgmon/policy.h"

#define POLICY_SET_MAX 32
#define POLICY_ORIGIN_MAX 256
#define POLICY_BUILTIN_ORIGIN "the built-in policy" /* the origin of the built-in pack */

struct policy_set {
	int n;
	int fallback; /* index of the pack without countries, -1 until one is added */
	struct policy *packs[POLICY_SET_MAX];
	char *texts[POLICY_SET_MAX];  /* each pack's bytes as loaded (NUL-terminated), or NULL */
	char origin[POLICY_SET_MAX][POLICY_ORIGIN_MAX]; /* "policies/uk.json", for errors */
};

void policy_set_init(struct policy_set *set);
/* Frees every pack and text; the set is empty again. */
void policy_set_release(struct policy_set *set);

/* Adds pol (malloc'd) and text (malloc'd or NULL), both stolen even on
 * failure; origin names where the pack came from. Refuses, naming both
 * origins, a country another pack already governs and a second fallback.
 * Returns 0 or -1 with err. */
int policy_set_add(struct policy_set *set, struct policy *pol, char *text, const char *origin, char *err,
		   size_t errlen);

/* Completes a set after its last policy_set_add: a set of one pack makes
 * it the fallback too. Returns 0, or -1 when the set still has no
 * fallback (the caller adds one, e.g. the built-in pack). */
int policy_set_finish(struct policy_set *set);

/* The pack that governs country (an ISO code, or "" / NULL for none), or
 * the fallback when no pack lists it. NULL only for a set without a
 * fallback (policy_set_load always gives one). */
const struct policy *policy_set_for_country(const struct policy_set *set, const char *country);

struct event;
/* The pack that scores event ev of a player whose account country is
 * player_country ("" when unknown): that country's pack, and for an
 * account event that names a country, that country's (the event is the
 * first under its new pack). */
const struct policy *policy_set_for_event(const struct policy_set *set, const char *player_country,
					  const struct event *ev);

/* The fallback pack, or NULL. */
const struct policy *policy_set_fallback(const struct policy_set *set);

/* The pack with this identity (name@sha256:...), or NULL. */
const struct policy *policy_set_find(const struct policy_set *set, const char *policy_id);

/* Loads the packs: each of the n paths (a pack FILE, or a DIR whose
 * "*.json" files are read in name order), or the built-in pack alone when
 * n is 0. Adds the built-in pack as the fallback when no pack is one
 * (and more than one was given: policy_set_finish). With
 * keep_text each pack's bytes stay in set->texts (to store them). */
int policy_set_load(struct policy_set *set, const char *const *paths, int n, bool keep_text, char *err,
		    size_t errlen);

#endif
