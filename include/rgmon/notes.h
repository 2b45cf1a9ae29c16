/* notes.h -- staff notes on a player (issue 17 interactions, issue 16
 * case notes): one kind of record in one table. An interaction is a talk
 * with the player (chat, e-mail, phone) with its topic, a summary and the
 * tools offered and accepted; it joins the thread of the player's open
 * alert when there is one. A case note is a note on an alert's thread
 * (chat, e-mail, phone or internal). Each is written by the store's one
 * writer with an audit record naming the actor (the token's name) and
 * holding the text.
 *
 * An accepted pause or limit is only recorded: the operator's platform
 * applies it and sends the events (DESIGN 1.1). */
#ifndef RGMON_NOTES_H
#define RGMON_NOTES_H

#include "rgmon/alert_decide.h"
#include "rgmon/common.h"
#include "rgmon/event.h"

#define NOTE_TEXT_MAX 2000 /* bytes of a summary or note */
#define NOTE_ID_MAX 24

enum note_kind { NOTE_INTERACTION, NOTE_CASE_NOTE, NOTE_KIND_COUNT };
const char *note_kind_name(enum note_kind k);

enum note_channel { NOTE_CHAT, NOTE_EMAIL, NOTE_PHONE, NOTE_INTERNAL, NOTE_CHANNEL_COUNT };
const char *note_channel_name(enum note_channel c);
/* The channel named s, or -1. */
int note_channel_parse(const char *s);

/* A note as stored. Strings are borrowed. */
struct note {
	char note_id[NOTE_ID_MAX + 1]; /* "n<seq>", set when recorded */
	const char *player_id;
	const char *alert_id; /* NULL: not on an alert's thread */
	int64_t at_ms;        /* wall time */
	const char *actor, *role;
	enum note_kind kind;
	enum note_channel channel;
	const char *topic;    /* interactions: a contact event's topic; else NULL */
	const char *summary;
	const char *offered;  /* interactions: JSON array text of tool names; else NULL */
	const char *accepted;
	/* where notes_record keeps the player and alert it found */
	char player_buf[PLAYER_ID_MAX + 1];
	char alert_buf[ALERT_ID_LEN + 1];
};

struct store;

/* Inserts n (note_id filled in). */
int store_note_add(struct store *st, struct note *n, char *err, size_t errlen);
/* The notes of an alert's thread, oldest first. fn returns nonzero to stop. */
typedef int (*store_note_fn)(void *ctx, const struct note *n);
int store_notes_for_alert(struct store *st, const char *alert_id, store_note_fn fn, void *ctx, char *err,
			  size_t errlen);
/* Interactions recorded, per channel (out[NOTE_CHANNEL_COUNT]). */
int store_interaction_counts(struct store *st, int64_t out[NOTE_CHANNEL_COUNT], char *err, size_t errlen);
/* Interactions recorded since since_ms (wall time), and the players active
 * in the last 30 days of event time (an event other than a game round), for
 * interactions per 1,000 active players (UKGC SR 3.4.3 Req 14). */
int store_interactions_per_active(struct store *st, int64_t since_ms, int64_t *interactions, int64_t *players,
				  char *err, size_t errlen);
/* The two halves of it, each on its own: interactions recorded since
 * since_ms, and the active players (an index probe per player). */
int store_recent_interactions(struct store *st, int64_t since_ms, int64_t *interactions, char *err, size_t errlen);
int store_active_players(struct store *st, int64_t *players, char *err, size_t errlen);
/* Whether marketing and bonuses are suppressed for the player: the latest
 * player flag in the audit trail says. 1 found (*suppressed set), 0 never
 * flagged, -1 error. */
int store_player_flag_latest(struct store *st, const char *player_id, bool *suppressed, char *err,
			     size_t errlen);

/* The writer's job (writer.h): records n and its audit record. An
 * interaction joins the player's open alert, if any (n->alert_id set); a
 * case note takes its player from its alert. Returns NOTE_RECORDED,
 * NOTE_NO_ALERT (a case note for an unknown alert), or -1 on a store error. */
enum { NOTE_RECORDED = 0, NOTE_NO_ALERT = 1 };
int notes_record(struct store *st, struct note *n, char *err, size_t errlen);

#endif
