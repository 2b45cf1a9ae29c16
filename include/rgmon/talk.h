/* talk.h -- talking points: what a support agent can say to a flagged
 * player, in the player's language (DESIGN 1.3 additions, issue 17).
 *
 * The words are data: one file per language (policies/talk/<lang>.json,
 * "kind": "talk") with, for every rule, an observation filled with the
 * numbers of the rule's marker, and for every suggested action an opening
 * and open questions; what to offer (tools), what to avoid; and one file
 * of help lines and self-exclusion registers per jurisdiction
 * (policies/talk/help.json, "kind": "talk-help"). Each is identified like
 * a policy, name@sha256 of its canonical form. The defaults are built in
 * (talk_file.c).
 *
 * A template names numbers in braces: {deposits}, {net_loss}, {when}.
 * Square brackets hold a part that is left out when a number in it may
 * not be shown: money, to an agent (risk.h: agents read no amounts), or a
 * register a jurisdiction does not have. A number named outside brackets
 * must always be there; `rgmon policy check` refuses a file where it is
 * not, naming the key.
 *
 * Pure: parsing, checking and filling take text and structs; reading
 * files is talk_file.c's. A set is immutable once loaded and read by
 * every HTTP thread. */
#ifndef RGMON_TALK_H
#define RGMON_TALK_H

#include <jansson.h>

#include "rgmon/policy.h"
#include "rgmon/risk.h"
#include "rgmon/state.h"

#define TALK_LANGS_MAX 16
#define TALK_TEXT_MAX 1024     /* one filled sentence */
#define TALK_OBSERVATIONS_MAX 3 /* the strongest reasons only */
#define TALK_ID_MAX (POLICY_NAME_MAX + 8 + 64)
#define TALK_FILE_MAX (256 * 1024)

/* What an agent can offer; the set is closed (an interaction's offered
 * and accepted lists name these). */
enum talk_tool {
	TALK_TOOL_DEPOSIT_LIMIT,
	TALK_TOOL_LOSS_LIMIT,
	TALK_TOOL_TIME_OUT,
	TALK_TOOL_REALITY_CHECK,
	TALK_TOOL_SELF_EXCLUSION,
	TALK_TOOL_HELP_LINE,
	TALK_TOOL_COUNT
};
const char *talk_tool_name(enum talk_tool t);
/* The tool named s, or -1. */
int talk_tool_parse(const char *s);

struct talk_lang {
	char lang[3];             /* ISO 639-1 */
	char id[TALK_ID_MAX + 1]; /* name@sha256:hex */
	json_t *doc;              /* owned */
};

struct talk_set {
	int n;
	struct talk_lang langs[TALK_LANGS_MAX];
	json_t *help; /* owned, or NULL */
	char help_id[TALK_ID_MAX + 1];
};

void talk_set_init(struct talk_set *set);
void talk_set_release(struct talk_set *set);

/* Checks one talk file (either kind) and adds it; a second file for a
 * language replaces none: it is refused. *id receives its identity when
 * id is not NULL. Returns 0 or -1 with err naming the key. */
int talk_set_add_json(struct talk_set *set, const char *text, size_t len, char *id, size_t idlen, char *err,
		      size_t errlen);
/* Checks one talk file alone, as `rgmon policy check` does. */
int talk_check_json(const char *text, size_t len, char *id, size_t idlen, char *err, size_t errlen);
/* Whether text is a talk file (its "kind" says so), not a policy pack. */
bool talk_is_talk_json(const char *text, size_t len);

/* The language the player is spoken to in: want (a ?lang= override) when
 * the set has it, else the player's account language, else the pack's
 * ("language", else its jurisdiction's in the help file), else English. */
const char *talk_language(const struct talk_set *set, const struct player_state *st, const struct policy *pol,
			  const char *want);

/* The talking points for the player as `view` may read them (agents: no
 * money amounts), in language lang (talk_language). New reference, or NULL
 * when the set has no file for lang. */
json_t *talk_points_json(const struct talk_set *set, const struct player_state *st, const struct policy *pol,
			 const char *lang, enum risk_view view);

/* Fills template tpl with the numbers of marker m of a player with
 * currency cur, under pack pol, in language file lang: 0, or -1 with err
 * ("{x}: unknown", "{x}: may not be shown outside [ ]"). For tests and
 * the checks. */
int talk_fill_observation(const struct talk_lang *lang, const char *tpl, const struct marker *m,
			  const struct policy *pol, const char *cur, enum risk_view view, char *out, size_t outlen,
			  char *err, size_t errlen);

/* The tools offered for a suggested action, in order; returns how many. */
int talk_action_tools(enum risk_action a, enum talk_tool out[TALK_TOOL_COUNT]);

#endif
