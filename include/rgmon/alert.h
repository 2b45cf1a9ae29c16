/* alert.h -- applies alert decisions (alert_decide.h) and staff actions to
 * the store, the outbox and the audit trail (DESIGN 1.3).
 *
 * All of it runs inside the caller's transaction, so alerts commit with the
 * state and the offsets that produced them. Every version of an alert
 * (opened, escalated, acknowledged, resolved) is also written to the
 * transactional outbox for the support queue topic rg.alerts; the latest
 * message for an alert_id is its current state. A player flag goes to
 * rg.player-flags so the CRM stops marketing and bonuses at once; only a
 * resolution as false_positive lifts it. */
#ifndef RGMON_ALERT_H
#define RGMON_ALERT_H

#include "rgmon/alert_decide.h"
#include "rgmon/alert_json.h"
#include "rgmon/engine.h"
#include "rgmon/policy.h"
#include "rgmon/policy_set.h"
#include "rgmon/store.h"

#define ALERT_TOPIC "rg.alerts"
#define ALERT_FLAG_TOPIC "rg.player-flags"

/* Records evidence for new markers, decides (alert_decide) and applies the
 * decision: opens the obligations owed, opens or escalates the player's
 * harm alert and flags the player. *opened counts the alerts created.
 * Returns 0, or -1 on a store error. */
int alert_on_event(struct store *st, const struct policy *pol, const struct event *ev,
		   const struct player_state *ps, const struct engine_result *res, int *opened, char *err,
		   size_t errlen);

/* For every rule that counts deposits and held with ev: keeps the
 * deposits it counted as the evidence of its marker (store_evidence.c),
 * which alert_on_event copies to the alert's reasons. Call after
 * engine_apply for every applied event, before alert_on_event. */
int alert_note_counted(struct store *st, const struct policy *pol, const struct event *ev,
		       const struct player_state *ps, const struct engine_result *res, char *err, size_t errlen);

/* ---- staff actions (wall time) ---- */

struct alert_staff_action {
	const char *alert_id;
	const char *actor, *role; /* the token's name and role */
	int64_t at_ms;            /* wall clock */
	enum alert_outcome outcome; /* resolve only */
	const char *note;         /* may be NULL for acknowledge */
	/* resolve: the packs whose "review" setting says which resolutions
	 * wait for a second person (the alert's own pack, found by its
	 * identity, else by its jurisdiction, else policy); both NULL: the
	 * default review rule (policy.h) */
	const struct policy_set *policies;
	const struct policy *policy;
	bool approve; /* review only: approve, or send back */
	const char *assignee; /* assign only: who takes it; NULL: back to the open queue */
};

enum alert_action_result { ALERT_ACTION_DONE, ALERT_ACTION_NOT_FOUND, ALERT_ACTION_CONFLICT };

/* open -> acknowledged (assigned to the actor); acknowledging again by the
 * same actor changes nothing. Returns an alert_action_result (why says
 * what conflicts), or -1 on a store error. Runs inside the caller's
 * transaction. */
int alert_acknowledge(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		      size_t errlen);
/* open or acknowledged -> resolved, with outcome and note; or, when the
 * pack's review setting holds that outcome at the alert's level for a
 * second person, -> pending_review with the outcome proposed (four eyes). */
int alert_resolve(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		  size_t errlen);
/* pending_review -> resolved with the proposed outcome (act->approve), or
 * back to acknowledged (open when nobody had acknowledged it), with the
 * reviewer's note. The proposer may not review their own resolution:
 * ALERT_ACTION_CONFLICT, as for an alert not pending review. Audited as
 * review_approved / review_rejected; the alert goes to rg.alerts. */
int alert_review(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		 size_t errlen);
/* open or acknowledged -> acknowledged by act->assignee (reassign), or,
 * assignee NULL, -> open with nobody on it (unassign). Anything else is
 * ALERT_ACTION_CONFLICT. Audited as a staff_action "assign"/"unassign"
 * with from and to; the alert goes to rg.alerts. */
int alert_assign(struct store *st, const struct alert_staff_action *act, char *why, size_t whylen, char *err,
		 size_t errlen);

#endif
