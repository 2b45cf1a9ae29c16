/* cmd_audit.c -- `rgmon keygen`, `rgmon audit export`, `rgmon audit
 * verify` and `rgmon audit explain`: the key pair that signs the audit
 * trail, the regulator export, its independent verification, and the
 * re-run of a recorded decision from the player's stored events. */
#include "rgmon/alert.h"
#include "rgmon/audit_export.h"
#include "rgmon/clock.h"
#include "rgmon/cmd.h"
#include "rgmon/engine.h"
#include "rgmon/event.h"
#include "rgmon/policy.h"
#include "rgmon/risk.h"
#include "rgmon/rules.h"
#include "rgmon/sign.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

int cmd_keygen(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	char err[512], path[4096], fp[SIGN_FINGERPRINT_LEN];
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o')
			dir = optarg;
		else
			return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
	}
	if (optind != argc)
		return cmd_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (!dir)
		return cmd_usage_error(cmd, "--out DIR is required");
	if (sign_keygen(dir, err, sizeof(err)) < 0)
		return cmd_fail("keygen: %s", err);
	uint8_t pub[SIGN_PUBLIC_LEN];
	snprintf(path, sizeof(path), "%s/%s", dir, SIGN_PUBLIC_FILE);
	if (sign_public_load(path, pub, err, sizeof(err)) < 0)
		return cmd_fail("keygen: %s", err);
	sign_fingerprint(pub, fp);
	printf("%s/%s\n%s/%s\n%s\n", dir, SIGN_PRIVATE_FILE, dir, SIGN_PUBLIC_FILE, fp);
	fprintf(stderr, "rgmon: private key %s/%s (keep it secret: serve and export sign with it); public key %s/%s "
			"(give it to regulators); fingerprint %s\n",
		dir, SIGN_PRIVATE_FILE, dir, SIGN_PUBLIC_FILE, fp);
	return 0;
}

/* Records that an export was made, in its own short transaction. */
static int record_export(struct store *st, const struct audit_export_options *o, const struct audit_export_result *r,
			 char *err, size_t errlen)
{
	if (store_begin(st, err, errlen) < 0)
		return -1;
	if (audit_export_record(st, o, r, "cli", err, errlen) < 0 || store_commit(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int cmd_audit_export(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },     { "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },     { "player", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' }, { "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },    { NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *key_path = NULL, *out_path = NULL;
	struct audit_export_options o = { .from_ms = INT64_MIN, .to_ms = INT64_MIN };
	char err[512];
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f':
			if (ts_parse_rfc3339(optarg, &o.from_ms) < 0)
				return cmd_usage_error(cmd, "--from must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
			break;
		case 't':
			if (ts_parse_rfc3339(optarg, &o.to_ms) < 0)
				return cmd_usage_error(cmd, "--to must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z");
			break;
		case 'p': o.player = optarg; break;
		case 'F':
			if (strcmp(optarg, "jsonl") && strcmp(optarg, "csv"))
				return cmd_usage_error(cmd, "--format must be jsonl or csv");
			o.csv = strcmp(optarg, "csv") == 0;
			break;
		case 'k': key_path = optarg; break;
		case 'o': out_path = optarg; break;
		default: return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cmd_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (!db || o.from_ms == INT64_MIN || o.to_ms == INT64_MIN)
		return cmd_usage_error(cmd, "--db, --from and --to are required");
	if (o.to_ms <= o.from_ms)
		return cmd_usage_error(cmd, "--to must be after --from");

	struct store *st = store_open(db, err, sizeof(err));
	if (!st)
		return cmd_fail("audit export: %s", err);
	/* Without --key: the key serve signs this database's checkpoints with. */
	char served_key[4096];
	int found = key_path ? 1 : store_meta_get(st, "audit_key_path", served_key, sizeof(served_key), err, sizeof(err));
	if (found <= 0) {
		store_close(st);
		return found < 0 ? cmd_fail("audit export: %s", err)
				 : cmd_fail("audit export: no signing key: pass --key KEY (from `rgmon keygen`); this "
					    "database was never served with --audit-key");
	}
	struct sign_key *key = sign_key_load(key_path ? key_path : served_key, err, sizeof(err));
	if (!key) {
		store_close(st);
		return cmd_fail("audit export: %s", err);
	}
	o.key = key;
	o.now_ms = clock_now_ms();
	FILE *out = out_path ? fopen(out_path, "w") : stdout;
	struct audit_export_result res;
	int rc = EXIT_RUNTIME;
	if (!out)
		cmd_fail("audit export: cannot write \"%s\": %s", out_path, strerror(errno));
	else if (audit_export(st, &o, out, &res, err, sizeof(err)) < 0 ||
		 record_export(st, &o, &res, err, sizeof(err)) < 0)
		cmd_fail("audit export: %s", err);
	else
		rc = 0;
	if (out && out != stdout && fclose(out) != 0 && rc == 0)
		rc = cmd_fail("audit export: cannot write \"%s\": %s", out_path, strerror(errno));
	if (rc == 0)
		fprintf(stderr, "rgmon: exported %lld records (seq %lld..%lld)\n", (long long)res.count,
			(long long)res.first_seq, (long long)res.last_seq);
	store_close(st);
	sign_key_free(key);
	return rc;
}

int cmd_audit_verify(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pubkey", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pub_path = NULL;
	uint8_t pub[SIGN_PUBLIC_LEN];
	char report[1024], err[512];
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'k')
			pub_path = optarg;
		else
			return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return cmd_usage_error(cmd, "give one export FILE");
	if (pub_path && sign_public_load(pub_path, pub, err, sizeof(err)) < 0)
		return cmd_fail("audit verify: %s", err);
	int rc = audit_verify_file(argv[optind], pub_path ? pub : NULL, report, sizeof(report));
	if (rc == 0) {
		printf("%s\n", report);
		return 0;
	}
	return cmd_fail("audit verify: %s: %s", argv[optind], report);
}

/* ---- audit explain: re-run a decision ------------------------------------- */

struct rerun {
	const struct policy *pol;
	const char *event_id;
	struct player_state state;
	struct engine_result res;
	int64_t events, first_ts;
	bool found, bad_event;
	char why[256];
};

static int rerun_event(void *ctx, const char *raw)
{
	struct rerun *r = ctx;
	struct event ev;
	struct engine_result res;
	if (event_parse(raw, strlen(raw), &ev, r->why, sizeof(r->why)) < 0) {
		r->bad_event = true;
		return 1;
	}
	if (r->events++ == 0)
		r->first_ts = ev.ts_ms;
	engine_apply(&r->state, &ev, r->pol, &res);
	if (strcmp(ev.event_id, r->event_id) != 0)
		return 0;
	r->res = res;
	r->found = true;
	return 1;
}

static int load_record(void *ctx, const struct store_audit_row *row)
{
	json_t **out = ctx;
	char at[TS_RFC3339_LEN];
	ts_format_rfc3339(row->at_ms, at, sizeof(at));
	*out = json_pack("{s:I, s:s, s:s, s:s?, s:o}", "seq", (json_int_t)row->seq, "at", at, "kind", row->kind,
			 "player_id", row->player_id, "payload", json_loads(row->payload, 0, NULL));
	return 1;
}

static int alert_level(int level) { return level >= LEVEL_RED ? LEVEL_RED : level < LEVEL_AMBER ? LEVEL_AMBER : level; }

/* Compares the re-run with the record; true when it is the same decision,
 * with what the re-run decided in got. */
static bool same_decision(const char *kind, json_t *payload, const char *player, const struct rerun *r, char *got,
			  size_t gotlen)
{
	const struct engine_result *res = &r->res;
	const char *before = risk_level_name((enum risk_level)res->level_before);
	const char *after = risk_level_name((enum risk_level)res->level);
	const char *raise_rule = res->raise ? rule_defs[res->raise_rule]->id : "-";
	const char *s;
	if (strcmp(kind, "level_change") == 0) {
		snprintf(got, gotlen, "level %s -> %s, score %d", before, after, res->score);
		return (s = json_string_value(json_object_get(payload, "from"))) && strcmp(s, before) == 0 &&
		       (s = json_string_value(json_object_get(payload, "to"))) && strcmp(s, after) == 0 &&
		       json_integer_value(json_object_get(payload, "score")) == res->score;
	}
	if (strcmp(kind, "alert_opened") == 0) {
		char id[ALERT_ID_LEN + 1] = "-";
		const char *level = risk_level_name((enum risk_level)alert_level(res->level));
		if (res->raise)
			alert_id_of(player, raise_rule, r->event_id, r->pol->id, id);
		snprintf(got, gotlen, "%s: open alert %s (%s), raised by %s; level %s -> %s, score %d",
			 res->raise ? "raise" : "no raise", id, level, raise_rule, before, after, res->score);
		return res->raise && (s = json_string_value(json_object_get(payload, "alert_id"))) && strcmp(s, id) == 0 &&
		       (s = json_string_value(json_object_get(payload, "level"))) && strcmp(s, level) == 0;
	}
	if (strcmp(kind, "alert_escalated") == 0) {
		snprintf(got, gotlen, "%s, %d new marker(s); level %s -> %s, score %d",
			 res->raise ? "a raise" : "no raise", res->nnew, before, after, res->score);
		return res->raise || res->nnew > 0;
	}
	/* player_flag */
	bool strong = res->raise && r->pol->rules[res->raise_rule].strong;
	bool rise = res->level > res->level_before && res->level >= LEVEL_RED;
	const char *rule = res->raise ? raise_rule : "level";
	snprintf(got, gotlen, "%s; rule %s, level %s -> %s", strong || rise ? "flag" : "no flag", rule, before, after);
	return (strong || rise) && (s = json_string_value(json_object_get(payload, "level"))) && strcmp(s, after) == 0 &&
	       (s = json_string_value(json_object_get(payload, "rule"))) && strcmp(s, rule) == 0;
}

int cmd_audit_explain(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "policy", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *policy_path = NULL;
	long long seq;
	char err[512];
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'p')
			policy_path = optarg;
		else
			return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
	}
	if (!db)
		return cmd_usage_error(cmd, "--db is required");
	if (optind != argc - 1 || cmd_parse_int(argv[optind], 1, INT64_MAX, &seq) < 0)
		return cmd_usage_error(cmd, "give one record SEQ (a number from 1)");

	struct store *st = store_open_readonly(db, err, sizeof(err));
	if (!st)
		return cmd_fail("audit explain: %s", err);
	json_t *rec = NULL;
	struct policy *pol = calloc(1, sizeof(*pol));
	struct rerun *r = calloc(1, sizeof(*r));
	char *text = NULL;
	int rc = EXIT_RUNTIME;
	if (!pol || !r) {
		cmd_fail("audit explain: out of memory");
		goto out;
	}
	if (store_audit_each(st, seq, seq, NULL, load_record, &rec, err, sizeof(err)) < 0) {
		cmd_fail("audit explain: %s", err);
		goto out;
	}
	if (!rec) {
		cmd_fail("audit explain: no audit record %lld in %s", seq, db);
		goto out;
	}
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *player = json_string_value(json_object_get(rec, "player_id"));
	json_t *payload = json_object_get(rec, "payload");
	const char *event_id = json_string_value(json_object_get(payload, "event_id"));
	const char *policy_id = json_string_value(json_object_get(payload, "policy"));
	if (!player || !event_id || !policy_id) {
		cmd_fail("audit explain: record %lld (%s) is not a decision of the engine; only level changes, alerts "
			 "opened or escalated and automated flags can be re-run", seq, kind);
		goto out;
	}
	if (policy_path) {
		if (policy_load(pol, policy_path, NULL, err, sizeof(err)) < 0) {
			cmd_fail("audit explain: %s", err);
			goto out;
		}
	} else {
		int found = store_policy_text(st, policy_id, &text, err, sizeof(err));
		if (found <= 0 || policy_load_json(pol, text, strlen(text), err, sizeof(err)) < 0) {
			cmd_fail("audit explain: policy %s: %s", policy_id, found == 0 ? "not in the database" : err);
			goto out;
		}
	}
	struct player_state now;
	if (store_player_load(st, player, &now, err, sizeof(err)) <= 0) {
		cmd_fail("audit explain: player %s: no state in the database", player);
		goto out;
	}
	r->pol = pol;
	r->event_id = event_id;
	state_init(&r->state);
	if (store_player_events_applied(st, player, rerun_event, r, err, sizeof(err)) < 0) {
		cmd_fail("audit explain: %s", err);
		goto out;
	}
	if (r->bad_event) {
		cmd_fail("audit explain: a stored event of %s does not parse: %s", player, r->why);
		goto out;
	}
	char first[TS_RFC3339_LEN], seen[TS_RFC3339_LEN];
	ts_format_rfc3339(r->first_ts, first, sizeof(first));
	ts_format_rfc3339(now.first_seen_ms, seen, sizeof(seen));
	if (!r->found || r->first_ts > now.first_seen_ms) {
		cmd_fail("audit explain: cannot re-run record %lld: %s", seq,
			 !r->found ? "the event behind it is no longer kept (events are kept for the 35-day dedupe window)"
				   : "the player's events before the oldest kept one are no longer kept");
		if (r->found)
			fprintf(stderr, "rgmon: the player was first seen %s; the oldest kept event is from %s\n", seen, first);
		goto out;
	}
	char got[512];
	bool same = same_decision(kind, payload, player, r, got, sizeof(got));
	char *recorded = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	printf("record %lld: %s for %s at %s, policy %s\n", seq, kind, player,
	       json_string_value(json_object_get(rec, "at")), policy_id);
	printf("re-ran %lld events of %s (from %s to event %s) with policy %s\n", (long long)r->events, player, first,
	       event_id, pol->id);
	printf("recorded: %s\n", recorded ? recorded : "?");
	printf("re-run:   %s\n", got);
	printf("%s\n", same ? "the same decision" : "A DIFFERENT DECISION");
	free(recorded);
	rc = same ? 0 : EXIT_RUNTIME;
out:
	json_decref(rec);
	free(text);
	free(pol);
	free(r);
	store_close(st);
	return rc;
}
