/* follow_ups.h -- the follow-up of every resolved alert, scheduled by the
 * writer (issue 16; the measures are follow_up.h's, pure).
 *
 * At resolution (follow_ups_start, in the staff action's transaction) the
 * baseline is measured from the player's state at their latest event
 * time, the anchor, and a pending row is stored per window (7 and 30
 * days) with the moment it closes. After each batch (follow_ups_complete_due,
 * in the batch's transaction) every pending window whose end the stream's
 * time has reached is measured from the player's state as it is then,
 * stored as complete and recorded in the audit trail (kind follow_up).
 * Both depend only on events and staff actions, never on the clock: a
 * replay of the same events and actions gives the same follow-ups.
 *
 * The store_follow_up_* functions are the store's (src/store_follow_up.c),
 * the table alert_follow_up. */
#ifndef RGMON_FOLLOW_UPS_H
#define RGMON_FOLLOW_UPS_H

#include "rgmon/common.h"
#include "rgmon/follow_up.h"
#include "rgmon/policy_set.h"
#include "rgmon/store.h"

/* ---- the store ---- */

struct store_follow_up {
	char alert_id[ALERT_ID_LEN + 1];
	char player_id[PLAYER_ID_MAX + 1];
	int window_days;
	int64_t anchor_ms, end_ms;
	bool complete;
	char *before, *after; /* JSON text, malloc'd; after NULL until complete */
	/* store_follow_up_open only (borrowed): the resolved alert's outcome,
	 * jurisdiction and rules (a JSON array of rule ids) */
	const char *outcome, *jurisdiction, *rules;
};
void store_follow_up_release(struct store_follow_up *f);

int store_follow_up_open(struct store *st, const struct store_follow_up *f, char *err, size_t errlen);
int store_follow_up_complete(struct store *st, const char *alert_id, int window_days, const char *after,
			     char *err, size_t errlen);
/* The pending windows with end_ms <= stream_ms, oldest end first, at most
 * max: *out (malloc'd, NULL when none is due; released by the caller with
 * _release on each, then free) and their number, or -1. */
int store_follow_up_due(struct store *st, int64_t stream_ms, size_t max, struct store_follow_up **out,
			char *err, size_t errlen);
/* The earliest end of a window not yet complete (*end_ms), INT64_MAX when
 * none is open. 0, or -1 with err. */
int store_follow_up_next_end(struct store *st, int64_t *end_ms, char *err, size_t errlen);
/* An alert's windows, by window length: calls fn for each (borrowed). */
typedef int (*store_follow_up_fn)(void *ctx, const struct store_follow_up *f, char *err, size_t errlen);
int store_follow_up_each(struct store *st, const char *alert_id, store_follow_up_fn fn, void *ctx, char *err,
			 size_t errlen);

/* One resolved alert as the effectiveness report reads it. */
struct store_follow_up_case {
	const char *alert_id, *player_id, *outcome, *rules, *jurisdiction; /* rules: JSON array text */
	int64_t anchor_ms;
	const char *before;           /* the 30-day window's row */
	const char *after7, *after30; /* NULL while incomplete */
	bool realerted;               /* another alert for the player within 30 days after the anchor */
};
typedef int (*store_follow_up_case_fn)(void *ctx, const struct store_follow_up_case *c, char *err, size_t errlen);
/* The resolved alerts whose anchor is in [from_ms, to_ms), of one
 * jurisdiction or all ("" or NULL). */
int store_follow_up_cases(struct store *st, int64_t from_ms, int64_t to_ms, const char *jurisdiction,
			  store_follow_up_case_fn fn, void *ctx, char *err, size_t errlen);

/* ---- the schedule ---- */

/* Where the packs come from: each player is measured in the time zone,
 * and scored with the cut-offs, of their account country's pack
 * (policies), or of the one pack. */
struct follow_up_packs {
	const struct policy_set *policies;
	const struct policy *policy;
};
const struct policy *follow_up_pack(const struct follow_up_packs *p, const struct player_state *ps);

/* At the resolution of alert_id (now resolved): the baseline and the
 * pending windows. Nothing when the alert is not resolved or the player
 * has no events. 0, or -1 on a store error. */
int follow_ups_start(struct store *st, const struct follow_up_packs *packs, const char *alert_id, char *err,
		     size_t errlen);

/* The player's current state: from the writer's cache when it has it,
 * else from the store. 0, or -1 with err. */
typedef int (*follow_up_state_fn)(void *ctx, const char *player_id, struct player_state *out, char *err,
				  size_t errlen);

/* Completes every window due at stream_ms. Returns how many, or -1. */
int follow_ups_complete_due(struct store *st, const struct follow_up_packs *packs, int64_t stream_ms,
			    follow_up_state_fn state_of, void *ctx, char *err, size_t errlen);

/* An alert's follow_up as GET /v1/alerts/{id} shows it:
 * {"7d":{"complete":..,"anchor":..,"end":..,"before":{..},"after":{..}|null},"30d":{..}},
 * or JSON null when the alert has none. NULL with err on a store error. */
json_t *follow_ups_json(struct store *st, const char *alert_id, char *err, size_t errlen);

/* The effectiveness report (effectiveness.h) of the resolved alerts whose
 * anchor is in [from_ms, to_ms), of one jurisdiction or all (NULL).
 * NULL with err on a store error. */
json_t *follow_ups_effectiveness(struct store *st, int64_t from_ms, int64_t to_ms, const char *jurisdiction,
				 char *err, size_t errlen);

#endif
