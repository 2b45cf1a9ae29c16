/* portfolio.c -- the writer's daily snapshot for the portfolio view (see
 * portfolio.h); the counts come from the store, the jurisdictions from
 * the packs. */
#include "rgmon/portfolio.h"
#include "rgmon/store.h"

#include <string.h>

int32_t portfolio_day_of(int64_t ms)
{
	int64_t d = ms / PORTFOLIO_MS_PER_DAY;
	if (ms < 0 && ms % PORTFOLIO_MS_PER_DAY)
		d--;
	return (int32_t)d;
}

const char *portfolio_jurisdiction(const struct policy_set *policies, const struct policy *policy,
				   const char *country)
{
	const struct policy *pol = policies ? policy_set_for_country(policies, country) : NULL;
	if (!pol)
		pol = policy;
	return pol ? pol->jurisdiction : "";
}

/* The counts of one snapshot, per jurisdiction (at most one per pack). */
#define SNAPSHOT_JURISDICTIONS (POLICY_SET_MAX + 1)
struct snapshot {
	const struct policy_set *policies;
	const struct policy *policy;
	int n;
	char jurisdiction[SNAPSHOT_JURISDICTIONS][3];
	int64_t players[SNAPSHOT_JURISDICTIONS][LEVEL_COUNT];
};

static int add_count(void *ctx, const char *country, int level, int64_t players)
{
	struct snapshot *s = ctx;
	const char *j = portfolio_jurisdiction(s->policies, s->policy, country);
	int i = 0;
	while (i < s->n && strcmp(s->jurisdiction[i], j) != 0)
		i++;
	if (i == s->n) {
		if (s->n == SNAPSHOT_JURISDICTIONS)
			return 0; /* cannot happen: one jurisdiction per pack at most */
		rg_strlcpy(s->jurisdiction[s->n++], j, 3);
	}
	s->players[i][level] += players;
	return 0;
}

int portfolio_snapshot(struct store *st, const struct policy_set *policies, const struct policy *policy,
		       int32_t from_day, int32_t to_day, char *err, size_t errlen)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	int rc = -1;
	if (!s)
		return seterr(err, errlen, "out of memory");
	s->policies = policies;
	s->policy = policy;
	if (store_players_by_country_level(st, add_count, s, err, errlen) < 0)
		goto out;
	if (from_day < to_day - PORTFOLIO_DAYS + 1)
		from_day = to_day - PORTFOLIO_DAYS + 1;
	for (int32_t day = from_day; day <= to_day; day++) {
		if (store_portfolio_day_begin(st, day, day > to_day - STORE_PORTFOLIO_SCORE_DAYS, err, errlen) < 0)
			goto out;
		for (int i = 0; i < s->n; i++)
			for (int level = 0; level < LEVEL_COUNT; level++)
				if (store_portfolio_day_put(st, day, s->jurisdiction[i], level, s->players[i][level], err,
							    errlen) < 0)
					goto out;
	}
	rc = 0;
out:
	free(s);
	return rc;
}
