/* cmd_stats.c -- `rgmon stats`, `rgmon rejected list` and `rgmon events
 * export`: what the store holds, read through a read-only connection (safe beside a running serve). */
#include "rgmon/cmd.h"
#include "rgmon/store.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int cmd_stats(const struct cmd_entry *cmd, int argc, char **argv);
static int cmd_rejected(const struct cmd_entry *cmd, int argc, char **argv);
static int cmd_events_export(const struct cmd_entry *cmd, int argc, char **argv);

#define MAX_OFFSETS 4096

struct db_args {
	const char *db;
	bool json, check;
	const char *player;
};

static const struct opt stats_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct db_args, db, "SQLite database (read only; serve may be running on it)"),
	OPT_FLAG("check", struct db_args, check,
		 "first check the database (SQLite's quick_check, and that the dedupe index holds every kept "
		 "event); a damaged one fails with what is wrong (about 10 s per GB)"),
	OPT_END,
};

const struct cmd_entry cmd_stats_entry = {
	"stats", stats_opts,
	"Print the totals kept in the store as JSON: events, accepted, duplicates,\n"
	"rejected, alerts, duplicate_conflicts (an event_id repeated with a different\n"
	"payload), alerts_by_jurisdiction (of the pack that raised each),\n"
	"the stored consumer offsets per topic and partition, and the messages\n"
	"skipped unread (gone from Kafka before serve read them): skipped, and\n"
	"skipped_by_partition per topic. With --check, \"check\":\"ok\" once the\n"
	"database passed the check.\n",
	NULL,
	cmd_stats,
};

static const struct opt rejected_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct db_args, db, "SQLite database (read only; serve may be running on it)"),
	OPT_FLAG("json", struct db_args, json, "one JSON object a line: source, event_id, reason"),
	OPT_END,
};

const struct cmd_entry cmd_rejected_entry = {
	"rejected list", rejected_opts,
	"List rejected events, oldest first: where each came from (FILE:LINE or\n"
	"TOPIC/PARTITION@OFFSET), its event_id if it had one, and the reason.\n",
	NULL,
	cmd_rejected,
};

static const struct opt events_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct db_args, db, "SQLite database (read only; serve may be running on it)"),
	OPT_STRING("player", "ID", struct db_args, player, NULL, "only this player's events"),
	OPT_END,
};

const struct cmd_entry cmd_events_export_entry = {
	"events export", events_opts,
	"Print the accepted events the store keeps (the dedupe window), as they\n"
	"arrived, one raw JSON event a line in the order they were applied: the\n"
	"input `rgmon replay` takes.\n",
	NULL,
	cmd_events_export,
};

static int add_jurisdiction(void *ctx, const char *jurisdiction, int64_t alerts)
{
	return json_object_set_new(ctx, jurisdiction, json_integer(alerts));
}

static int cmd_stats(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct db_args a = { 0 };
	char err[512];
	struct store_counters c;
	static struct store_offset offs[MAX_OFFSETS];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	struct store *st = store_open_readonly(a.db, err, sizeof(err));
	if (!st)
		return cmd_fail("stats: %s", err);
	if (a.check && store_check(st, true, err, sizeof(err)) < 0) {
		store_close(st);
		return cmd_fail("stats: %s", err);
	}
	int n = -1;
	json_t *by_jurisdiction = json_object();
	if (store_counters_get(st, &c, err, sizeof(err)) < 0 ||
	    store_alerts_by_jurisdiction(st, add_jurisdiction, by_jurisdiction, err, sizeof(err)) < 0 ||
	    (n = store_offsets_get(st, offs, MAX_OFFSETS, err, sizeof(err))) < 0) {
		store_close(st);
		json_decref(by_jurisdiction);
		return cmd_fail("stats: %s", err);
	}
	store_close(st);

	json_t *out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)c.events, "accepted",
				(json_int_t)c.accepted, "duplicates", (json_int_t)c.duplicates, "rejected",
				(json_int_t)c.rejected, "alerts", (json_int_t)c.alerts, "duplicate_conflicts",
				(json_int_t)c.duplicate_conflicts);
	json_object_set_new(out, "alerts_by_jurisdiction", by_jurisdiction);
	json_t *offsets = json_object(), *skipped = json_object();
	json_int_t skipped_total = 0;
	for (int i = 0; i < n; i++) {
		json_t *topic = json_object_get(offsets, offs[i].topic);
		char part[16];
		if (!topic) {
			topic = json_object();
			json_object_set_new(offsets, offs[i].topic, topic);
		}
		snprintf(part, sizeof(part), "%d", offs[i].partition);
		json_object_set_new(topic, part, json_integer(offs[i].next_offset));
		if (offs[i].skipped > 0) {
			json_t *t = json_object_get(skipped, offs[i].topic);
			if (!t)
				json_object_set_new(skipped, offs[i].topic, t = json_object());
			json_object_set_new(t, part, json_integer(offs[i].skipped));
			skipped_total += offs[i].skipped;
		}
	}
	json_object_set_new(out, "offsets", offsets);
	json_object_set_new(out, "skipped", json_integer(skipped_total));
	json_object_set_new(out, "skipped_by_partition", skipped);
	if (a.check)
		json_object_set_new(out, "check", json_string("ok"));
	char *text = json_dumps(out, JSON_COMPACT);
	puts(text);
	free(text);
	json_decref(out);
	return 0;
}

struct rejected_print {
	bool json;
	int64_t count;
};

static int print_rejected(void *ctx, const char *source, const char *event_id, const char *reason)
{
	struct rejected_print *p = ctx;
	p->count++;
	if (p->json) {
		json_t *o = json_pack("{s:s,s:s?,s:s}", "source", source ? source : "", "event_id", event_id,
				      "reason", reason);
		char *text = json_dumps(o, JSON_COMPACT);
		puts(text);
		free(text);
		json_decref(o);
	} else {
		printf("%s\t%s\t%s\n", source ? source : "", event_id ? event_id : "-", reason);
	}
	return 0;
}

static int cmd_rejected(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct db_args a = { 0 };
	char err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	struct rejected_print p = { a.json, 0 };
	struct store *st = store_open_readonly(a.db, err, sizeof(err));
	if (!st)
		return cmd_fail("rejected list: %s", err);
	rc = store_rejected_each(st, print_rejected, &p, err, sizeof(err));
	store_close(st);
	return rc < 0 ? cmd_fail("rejected list: %s", err) : 0;
}

static int print_raw(void *ctx, const char *raw)
{
	(void)ctx;
	return fputs(raw, stdout) < 0 || putchar('\n') == EOF;
}

static int cmd_events_export(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct db_args a = { 0 };
	char err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	struct store *st = store_open_readonly(a.db, err, sizeof(err));
	if (!st)
		return cmd_fail("events export: %s", err);
	rc = a.player ? store_player_events_applied(st, a.player, print_raw, NULL, err, sizeof(err))
		      : store_events_each(st, print_raw, NULL, err, sizeof(err));
	store_close(st);
	if (rc < 0)
		return cmd_fail("events export: %s", err);
	return fflush(stdout) == 0 ? 0 : cmd_fail("events export: writing the output failed");
}
