/* notes.c -- recording staff notes and interactions (notes.h): the note
 * row and its audit record, in the writer's transaction. */
#include "rgmon/notes.h"
#include "rgmon/alert_decide.h"
#include "rgmon/audit.h"
#include "rgmon/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[NOTE_KIND_COUNT] = { "interaction", "note" };
static const char *const channel_names[NOTE_CHANNEL_COUNT] = { "chat", "email", "phone", "internal" };

const char *note_kind_name(enum note_kind k) { return (unsigned)k < NOTE_KIND_COUNT ? kind_names[k] : "?"; }
const char *note_channel_name(enum note_channel c)
{
	return (unsigned)c < NOTE_CHANNEL_COUNT ? channel_names[c] : "?";
}

int note_channel_parse(const char *s)
{
	for (int i = 0; s && i < NOTE_CHANNEL_COUNT; i++)
		if (strcmp(s, channel_names[i]) == 0)
			return i;
	return -1;
}

/* A JSON array text, or null. New reference. */
static json_t *list_json(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

int notes_record(struct store *st, struct note *n, char *err, size_t errlen)
{
	/* About 20 KB: on the heap, not the writer's stack. */
	struct alert *a = malloc(sizeof(*a));
	int rc = -1, found;
	if (!a)
		return seterr(err, errlen, "out of memory");
	if (n->kind == NOTE_CASE_NOTE) {
		found = store_alert_get(st, n->alert_id, a, err, errlen);
		if (found <= 0) {
			rc = found < 0 ? -1 : NOTE_NO_ALERT;
			goto out;
		}
		rg_strlcpy(n->player_buf, a->player_id, sizeof(n->player_buf));
		n->player_id = n->player_buf;
	} else {
		found = store_alert_open_for_player(st, n->player_id, a, err, errlen);
		if (found < 0)
			goto out;
		if (found) {
			rg_strlcpy(n->alert_buf, a->alert_id, sizeof(n->alert_buf));
			n->alert_id = n->alert_buf;
		}
	}
	if (store_note_add(st, n, err, errlen) < 0)
		goto out;
	json_t *rec = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s, s:o, s:o}", "note_id", n->note_id, "kind",
				note_kind_name(n->kind), "alert_id", n->alert_id, "actor", n->actor, "role", n->role,
				"channel", note_channel_name(n->channel), "topic", n->topic, "summary", n->summary,
				"offered", list_json(n->offered), "accepted", list_json(n->accepted));
	if (audit_append(st, n->at_ms, n->kind == NOTE_CASE_NOTE ? AUDIT_CASE_NOTE : AUDIT_INTERACTION, n->player_id,
			 rec, err, errlen) < 0)
		goto out;
	rc = NOTE_RECORDED;
out:
	free(a);
	return rc;
}
