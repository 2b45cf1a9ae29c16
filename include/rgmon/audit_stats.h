/* audit_stats.h -- the figures regulators ask for about the alerts of a
 * period: how many at each level, how the resolved ones ended, how soon
 * staff first acted, how many ran late. The audit export's manifest
 * carries them as its "summary" (schemas/audit-export.md). */
#ifndef RGMON_AUDIT_STATS_H
#define RGMON_AUDIT_STATS_H

#include "rgmon/alert.h"
#include "rgmon/store.h"

struct audit_stats {
	int64_t alerts_amber, alerts_red;  /* red counts excluded too */
	int64_t outcomes[OUTCOME_COUNT];   /* resolved alerts, by enum alert_outcome */
	int64_t acted;                     /* alerts acknowledged or resolved */
	int64_t median_first_action_s;     /* created to first acknowledged or resolved; -1 when none */
	int64_t overdue;                   /* resolved after due, or unresolved and due before now */
};

/* Over the alerts created in [from_ms, to_ms) (of one player when player
 * is not NULL), as of now_ms, read in the caller's transaction. */
int audit_stats_compute(struct store *st, int64_t from_ms, int64_t to_ms, const char *player, int64_t now_ms,
			struct audit_stats *out, char *err, size_t errlen);

#endif
