/* alert_decide.h -- the alert as a typed value, and the pure decision of
 * what an event does to the player's alert (DESIGN 2.1).
 *
 * alert_decide() takes the player's open alert, the engine's result, the
 * state and the policy, and returns a typed change: nothing, open a new
 * alert, or escalate the open one; and whether to flag the player for the
 * CRM. It does no I/O and reads no clock: serve, replay and `audit
 * explain` call the same function, so a recorded decision can be re-run.
 * alert.c applies the change to the store, the outbox and the audit trail.
 *
 * Obligations (regulator-mandated checks, contact, blocks) always open an
 * alert of kind obligation of their own, whatever the score.
 *
 * One open harm alert per player: a raise (a strong marker or a rise in level)
 * opens one when the player has none and escalates the open one otherwise
 * (higher level, more rules, reasons and evidence, an earlier due time).
 * A strong marker's alert is due within ALERT_STRONG_DUE_MAX_MINUTES at
 * most, at whatever level; a shorter due time of the pack stands.
 * New markers add their reasons and evidence to an open alert. A strong
 * marker, or a rise to red or excluded, flags the player at once.
 *
 * alert_id = the first 32 hex digits of SHA-256 over player, raising rule,
 * raising event_id and policy identity: replaying the same events with the
 * same policy gives the same ids. Times are event times. */
#ifndef RGMON_ALERT_DECIDE_H
#define RGMON_ALERT_DECIDE_H

#include "rgmon/engine.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/rules.h"

#define ALERT_ID_LEN 32        /* hex digits of an alert id */
#define ALERT_EVIDENCE_MAX 50  /* an alert keeps at most this many event ids */
#define ALERT_NOTE_MAX 2000    /* bytes of a staff note */
#define ALERT_ACTOR_MAX 64     /* bytes of a token name */
/* A strong indicator (a strong rule or money tier) is due within 24 h at
 * most, whatever the pack's due_hours: the regulators expect prompt action
 * on strong indicators of harm (UKGC SR 3.4.3 req. 11, policies/SOURCES.md). */
#define ALERT_STRONG_DUE_MAX_MINUTES (24 * 60)

/* pending_review: a resolution the pack's "review" setting holds for a
 * second person (four eyes), who approves it (resolved) or sends it back
 * (acknowledged, or open when nobody had it). Appended: statuses are
 * stored by name, and the queue's metrics list them in this order. */
enum alert_status { ALERT_OPEN, ALERT_ACKNOWLEDGED, ALERT_RESOLVED, ALERT_PENDING_REVIEW, ALERT_STATUS_COUNT };
const char *alert_status_name(enum alert_status s);
int alert_status_parse(const char *s, enum alert_status *out);

/* harm: the player's one open alert of harm, escalated as markers add up;
 * obligation: a task a regulator mandates, one alert per obligation owed. */
enum alert_kind { ALERT_KIND_HARM, ALERT_KIND_OBLIGATION, ALERT_KIND_COUNT };
const char *alert_kind_name(enum alert_kind k);
int alert_kind_parse(const char *s, enum alert_kind *out);

enum alert_outcome {
	OUTCOME_NONE = -1, /* not resolved */
	OUTCOME_LIMITS_SET,
	OUTCOME_PAUSE_APPLIED,
	OUTCOME_SELF_EXCLUSION,
	OUTCOME_CONTACTED_NO_ACTION,
	OUTCOME_FALSE_POSITIVE,
	OUTCOME_COUNT
};
const char *alert_outcome_name(enum alert_outcome o);
int alert_outcome_parse(const char *s, enum alert_outcome *out);

/* One reason of an alert: the rule and its explanation with its numbers. */
struct alert_reason {
	uint8_t rule; /* enum rule_id */
	char detail[RULE_DETAIL_MAX];
};

/* An alert, fully typed. Times are ms since the epoch, ENGINE_NO_TIME when
 * not set. Fixed size: it owns nothing and copies freely. */
struct alert {
	char alert_id[ALERT_ID_LEN + 1];
	char player_id[PLAYER_ID_MAX + 1];
	char policy[POLICY_ID_MAX + 1];
	char jurisdiction[3];    /* the pack's, "" when it names none */
	enum alert_kind kind;
	enum risk_level level;   /* amber or red */
	enum risk_action action; /* suggested_action */
	enum alert_status status;
	int nrules, nreasons, nevidence;
	uint8_t rules[RULE_COUNT]; /* enum rule_id, each once, in the order they joined */
	struct alert_reason reasons[RULE_COUNT]; /* one per rule: what holds now first */
	char evidence[ALERT_EVIDENCE_MAX][EVENT_ID_MAX + 1];
	int64_t created_ms, updated_ms, due_ms;
	int escalations;
	/* staff actions (wall time) */
	enum alert_outcome outcome;
	char actor[ALERT_ACTOR_MAX + 1];
	char acknowledged_by[ALERT_ACTOR_MAX + 1];
	bool has_note;
	char note[ALERT_NOTE_MAX + 1];
	int64_t acknowledged_ms, resolved_ms;
	/* four eyes: the resolution proposed (pending_review, or approved:
	 * then outcome too) and by whom; who reviewed it and their note. ""
	 * / OUTCOME_NONE when the alert never went through review. */
	enum alert_outcome proposed_outcome;
	char proposed_by[ALERT_ACTOR_MAX + 1];
	char reviewed_by[ALERT_ACTOR_MAX + 1];
	bool has_review_note;
	char review_note[ALERT_NOTE_MAX + 1];
};

/* For each rule, the event at which its marker last started to hold ("" when
 * unknown): the evidence the store keeps between events. */
struct alert_marker_events {
	char event_id[RULE_COUNT][EVENT_ID_MAX + 1];
};

/* An alert's id (see the header comment); -1 when it cannot be hashed. */
int alert_id_of(const char *player_id, const char *rule_id, const char *event_id, const char *policy_id,
		char out[ALERT_ID_LEN + 1]);

/* An engine level as an alert level: an alert is amber or red (a breach
 * during an exclusion is red). */
enum risk_level alert_level_of(int engine_level);

/* Whether an engine result can change alerts or flags at all; when false
 * alert_decide would decide nothing, and the caller may skip it. */
bool alert_event_matters(const struct engine_result *res);

enum alert_change_kind { ALERT_CHANGE_NONE, ALERT_CHANGE_OPEN, ALERT_CHANGE_ESCALATE };

#define ALERT_OBLIGATIONS_MAX ENGINE_OWED_MAX

struct alert_change {
	enum alert_change_kind kind;
	struct alert alert; /* OPEN, ESCALATE: the alert as it now stands */
	/* Obligation alerts the event opens, whatever happens to the harm
	 * alert: each owed obligation always reaches staff. */
	int nobligations;
	struct alert obligations[ALERT_OBLIGATIONS_MAX];
	/* The player flag for the CRM (suppress marketing and bonuses). */
	bool flag;
	enum risk_level flag_level;
	int flag_rule; /* enum rule_id, or -1 for a rise in level */
	char flag_detail[RULE_DETAIL_MAX];
	char flag_alert_id[ALERT_ID_LEN + 1]; /* "" when no alert goes with it */
};

/* What the event ev, whose application gave res and left the player in ps,
 * does to the player's alert. open is the player's unresolved alert, or
 * NULL; the caller needs to look it up only when res->raise or res->nnew.
 * marks gives the evidence of the markers that hold (after recording this
 * event's new markers); NULL when unknown. Pure. Returns 0, or -1 when
 * the alert id cannot be hashed (out->kind is then NONE). */
int alert_decide(const struct alert *open, const struct event *ev, const struct player_state *ps,
		 const struct engine_result *res, const struct policy *pol, const struct alert_marker_events *marks,
		 struct alert_change *out);

#endif
