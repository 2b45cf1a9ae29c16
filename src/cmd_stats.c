/* cmd_stats.c -- `rgmon stats` and `rgmon rejected list`: what the store
 * holds, read through a read-only connection (safe beside a running serve). */
#include "rgmon/cmd.h"
#include "rgmon/store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MAX_OFFSETS 4096

/* Both commands take only --db (and rejected list --json). */
static int parse_db_args(const struct cmd_entry *cmd, int argc, char **argv, const char **db, bool *json)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	opterr = 0;
	optind = 1;
	*db = NULL;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			*db = optarg;
		else if (c == 'j' && json)
			*json = true;
		else
			return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
	}
	if (!*db)
		return cmd_usage_error(cmd, "--db is required");
	if (optind != argc)
		return cmd_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	return 0;
}

int cmd_stats(const struct cmd_entry *cmd, int argc, char **argv)
{
	const char *db;
	char err[512];
	struct store_counters c;
	static struct store_offset offs[MAX_OFFSETS];
	int rc = parse_db_args(cmd, argc, argv, &db, NULL);
	if (rc)
		return rc;
	struct store *st = store_open_readonly(db, err, sizeof(err));
	if (!st)
		return cmd_fail("stats: %s", err);
	int n = -1;
	if (store_counters_get(st, &c, err, sizeof(err)) < 0 || (n = store_offsets_get(st, offs, MAX_OFFSETS, err, sizeof(err))) < 0) {
		store_close(st);
		return cmd_fail("stats: %s", err);
	}
	store_close(st);

	json_t *out = json_pack("{s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)c.events, "accepted",
				(json_int_t)c.accepted, "duplicates", (json_int_t)c.duplicates, "rejected",
				(json_int_t)c.rejected, "alerts", (json_int_t)c.alerts);
	json_t *offsets = json_object();
	for (int i = 0; i < n; i++) {
		json_t *topic = json_object_get(offsets, offs[i].topic);
		char part[16];
		if (!topic) {
			topic = json_object();
			json_object_set_new(offsets, offs[i].topic, topic);
		}
		snprintf(part, sizeof(part), "%d", offs[i].partition);
		json_object_set_new(topic, part, json_integer(offs[i].next_offset));
	}
	json_object_set_new(out, "offsets", offsets);
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

int cmd_rejected(const struct cmd_entry *cmd, int argc, char **argv)
{
	const char *db;
	char err[512];
	struct rejected_print p = { false, 0 };
	int rc = parse_db_args(cmd, argc, argv, &db, &p.json);
	if (rc)
		return rc;
	struct store *st = store_open_readonly(db, err, sizeof(err));
	if (!st)
		return cmd_fail("rejected list: %s", err);
	rc = store_rejected_each(st, print_rejected, &p, err, sizeof(err));
	store_close(st);
	return rc < 0 ? cmd_fail("rejected list: %s", err) : 0;
}
