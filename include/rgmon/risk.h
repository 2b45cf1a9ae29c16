/* risk.h -- a player's risk as people read it (DESIGN 1.3): level, score,
 * the reasons with their numbers, limits and how much of them is used.
 * Built from the state and the policy alone; pure. The same JSON serves
 * `rgmon player show --json` and the HTTP API. */
#ifndef RGMON_RISK_H
#define RGMON_RISK_H

#include <jansson.h>

#include "rgmon/state.h"
#include "rgmon/policy.h"

struct risk_reason {
	int rule;       /* enum rule_id */
	int64_t points; /* thousandths, at the time asked */
	char detail[RULE_DETAIL_MAX];
};

/* The markers behind the score at now_ms, strongest first; returns how many. */
int risk_reasons(const struct player_state *st, const struct policy *pol, int64_t now_ms,
		 struct risk_reason out[ENGINE_MARKERS]);

/* The explanation of one marker with its numbers. */
void risk_reason_detail(const struct marker *m, const struct policy *pol, const char *currency, char *buf,
			size_t len);
/* The same for a support agent: without money amounts or the player's age
 * (the rule's agent_detail, else its summary). */
void risk_reason_agent_detail(const struct marker *m, const struct policy *pol, char *buf, size_t len);

/* An event time as RFC 3339 JSON, or null for ENGINE_NO_TIME (INT64_MIN):
 * how every risk output (player risk, alerts) writes times. New reference. */
json_t *risk_time_json(int64_t ms);

/* Who reads a player's risk: staff see every number; agents see the badge,
 * the reasons in words and which limits are set, but no money amounts and
 * no age (DESIGN 1.3 additions). */
enum risk_view { RISK_VIEW_STAFF, RISK_VIEW_AGENT };

/* DESIGN 1.3 player risk, as of the player's last event. New reference. */
json_t *risk_player_json(const char *player_id, const struct player_state *st, const struct policy *pol);
/* The same as `view` may read it. New reference. */
json_t *risk_player_view_json(const char *player_id, const struct player_state *st, const struct policy *pol,
			      enum risk_view view);

#endif
