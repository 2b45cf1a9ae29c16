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
#include "rgmon/policy_set.h"
#include "rgmon/risk.h"
#include "rgmon/rules.h"
#include "rgmon/sign.h"
#include "rgmon/store.h"
#include "rgmon/timestamp.h"

#include <errno.h>
#include <stdio.h>

static int cmd_keygen(const struct cmd_entry *cmd, int argc, char **argv);
static int cmd_audit_export(const struct cmd_entry *cmd, int argc, char **argv);
static int cmd_audit_verify(const struct cmd_entry *cmd, int argc, char **argv);
static int cmd_audit_explain(const struct cmd_entry *cmd, int argc, char **argv);

struct audit_args {
	const char *db, *key, *out, *pubkey, *policy, *file, *seq, *checkpoints;
	const char *format;
	int64_t from_ms, to_ms;
	const char *player;
};

static const struct opt keygen_opts[] = {
	OPT_REQUIRED_STRING("out", "DIR", struct audit_args, out, "the directory to write the two files to"),
	OPT_END,
};

const struct cmd_entry cmd_keygen_entry = {
	"keygen", keygen_opts,
	"Make the Ed25519 key pair that signs the audit trail: DIR/audit-signing.key\n"
	"(private, mode 0600: `serve --audit-key` signs checkpoints with it and\n"
	"`audit export --key` signs manifests) and DIR/audit-signing.pub (for\n"
	"regulators: `audit verify --pubkey`). Prints both paths and the key's\n"
	"fingerprint. Never overwrites an existing key.\n",
	NULL,
	cmd_keygen,
};

static const struct opt audit_export_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct audit_args, db, "SQLite database (serve may be running on it)"),
	CMD_OPT_REQUIRED_TIME("from", struct audit_args, from_ms, "records from the first recorded at or after T ..."),
	CMD_OPT_REQUIRED_TIME("to", struct audit_args, to_ms,
			      "... to the last recorded before T (by recorded_at, the wall time a record was written; "
			      "records from before 2026-12 by at)"),
	OPT_STRING("player", "ID", struct audit_args, player, NULL,
		   "only this player's records (the manifest lists their seqs)"),
	OPT_CHOICE("format", "jsonl|csv", struct audit_args, format, "jsonl",
		   "jsonl for machines, csv for spreadsheets"),
	OPT_STRING("key", "KEY", struct audit_args, key, NULL,
		   "the private key from `rgmon keygen` (default: the key `serve --audit-key` last used on this "
		   "database)"),
	OPT_STRING("out", "FILE", struct audit_args, out, NULL, "write to FILE instead of stdout"),
	OPT_END,
};

const struct cmd_entry cmd_audit_export_entry = {
	"audit export", audit_export_opts,
	"Export the audit records of a time range for a regulator, with their\n"
	"hashes, and a signed manifest: range, count, first and last hash,\n"
	"a digest of all record hashes, the policies in force, and figures (alerts\n"
	"by level, interactions by outcome, median time to first action, overdue\n"
	"alerts). Streams in constant memory. Format: schemas/audit-export.md.\n"
	"A range that has ended (--to at or before now) is closed: exported again,\n"
	"while serve keeps running, it holds the same records byte for byte.\n",
	"Before anything is signed, the stored chain is checked whole: every\n"
	"record's hash and link, no gap in the seqs, every checkpoint and\n"
	"retention signature, and a signed retention record for records dropped\n"
	"at the start. A chain that does not hold is refused in one line naming\n"
	"the first bad seq (exit 1): the key never signs a rewrite.\n"
	"The export itself is recorded in the audit trail.\n",
	cmd_audit_export,
};

static const struct opt audit_verify_opts[] = {
	OPT_ARG("FILE", struct audit_args, file, "the export, JSONL or CSV"),
	OPT_STRING("pubkey", "KEY", struct audit_args, pubkey, NULL,
		   "the operator's public key (audit-signing.pub, or its 64 hex digits). Without it the key the "
		   "export names is used, which proves integrity but not who signed."),
	OPT_STRING("checkpoints", "FILE|kafka:BROKERS/TOPIC", struct audit_args, checkpoints, NULL,
		   "signed checkpoints held from outside the database (`serve --audit-checkpoints-file`, or the "
		   "topic " AUDIT_CHECKPOINT_TOPIC " read from the beginning): each one by the export's key must "
		   "find the record it signed unchanged in the export, or the history was rewritten"),
	OPT_END,
};

const struct cmd_entry cmd_audit_verify_entry = {
	"audit verify", audit_verify_opts,
	"Verify an audit export (JSONL or CSV): every record's hash, the chain\n"
	"between them, the checkpoint signatures and the signed manifest. Prints\n"
	"\"ok: ...\" and exits 0 when everything holds; otherwise names the first\n"
	"bad line and record and what is wrong -- edited, removed, inserted,\n"
	"reordered, duplicated, truncated, or a bad signature -- and exits 1.\n",
	"With --checkpoints, the checkpoints published as they were made (which\n"
	"whoever holds the database cannot take back) are compared with the\n"
	"export: a record that is not the one a held checkpoint signed is reported\n"
	"as \"rewritten\" (exit 1), even when the export is otherwise consistent and\n"
	"signed with the operator's key.\n",
	cmd_audit_verify,
};

static const struct opt audit_explain_opts[] = {
	OPT_REQUIRED_STRING("db", "DB", struct audit_args, db, "SQLite database (read only)"),
	OPT_ARG("SEQ", struct audit_args, seq, "the audit record's seq"),
	OPT_STRING("policy", "FILE", struct audit_args, policy, NULL, "re-run with this policy instead (what-if)"),
	OPT_END,
};

const struct cmd_entry cmd_audit_explain_entry = {
	"audit explain", audit_explain_opts,
	"Re-run the decision audit record SEQ recorded (a level change, an alert\n"
	"opened or escalated, an automated flag): the engine applies the player's\n"
	"stored events, in the order they were applied, up to the event behind\n"
	"the decision, with the policy the record names, and shows the recorded\n"
	"and the re-run decision, and the source the pack gives for each rule it\n"
	"names (a regulation and article, or \"rgmon house rule\": a regulatory.*\n"
	"id is not a regulator's number). Exits 0 when they are the same, 1 when not or\n"
	"when the events are no longer kept (events are kept for 35 days).\n",
	NULL,
	cmd_audit_explain,
};

static int cmd_keygen(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct audit_args a = { 0 };
	char err[512], path[4096], fp[SIGN_FINGERPRINT_LEN];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	const char *dir = a.out;
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

#define WRITER_WAIT_TRIES 6 /* of the store's 5 s busy timeout */

/* Records that an export was made, in its own short transaction. serve,
 * busy, may keep the write lock past the busy timeout: tried again. */
static int record_export(struct store *st, const struct audit_export_options *o, const struct audit_export_result *r,
			 char *err, size_t errlen)
{
	int rc = -1;
	for (int i = 0; i < WRITER_WAIT_TRIES && rc < 0; i++)
		rc = store_begin(st, err, errlen);
	if (rc < 0)
		return -1;
	if (audit_export_record(st, o, r, "cli", err, errlen) < 0 || store_commit(st, err, errlen) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* serve may be writing. Waits until every audit record recorded before
 * until_ms is committed, so a closed range (--to at or before now) exports
 * the same records every time: serve committed after until_ms (it is busy,
 * committing batch after batch), or its open transaction has ended (it is
 * idle, or paused for the write lock). */
static int wait_for_writer(struct store *st, int64_t until_ms, char *err, size_t errlen)
{
	for (int i = 0; i < WRITER_WAIT_TRIES; i++) {
		int64_t committed;
		if (store_committed_at(st, &committed, err, errlen) < 0)
			return -1;
		if (committed >= until_ms)
			return 0;
		int rc = store_write_barrier(st, err, errlen);
		if (rc <= 0)
			return rc;
	}
	return seterr(err, errlen, "the database's writer held its lock for %d s without committing; try again",
		      WRITER_WAIT_TRIES * 5);
}

static int cmd_audit_export(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct audit_args a = { 0 };
	char err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	const char *db = a.db, *key_path = a.key, *out_path = a.out;
	struct audit_export_options o = { .from_ms = a.from_ms, .to_ms = a.to_ms, .player = a.player,
					  .csv = strcmp(a.format, "csv") == 0 };
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
	rc = EXIT_RUNTIME;
	if (!out)
		cmd_fail("audit export: cannot write \"%s\": %s", out_path, strerror(errno));
	/* serve may be writing: wait for its open transaction, so every record
	 * recorded before exported_at is in the snapshot and a closed range
	 * (--to at or before now) exports the same records every time. */
	else if (wait_for_writer(st, o.to_ms < o.now_ms ? o.to_ms : o.now_ms, err, sizeof(err)) < 0 || audit_export(st, &o, out, &res, err, sizeof(err)) < 0 ||
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

static int cmd_audit_verify(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct audit_args a = { 0 };
	uint8_t pub[SIGN_PUBLIC_LEN];
	char report[1024], err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	if (a.pubkey && sign_public_load(a.pubkey, pub, err, sizeof(err)) < 0)
		return cmd_fail("audit verify: %s", err);
	struct audit_held held = { 0 };
	if (a.checkpoints && audit_held_load(&held, a.checkpoints, err, sizeof(err)) < 0) {
		audit_held_release(&held);
		return cmd_fail("audit verify: checkpoints: %s", err);
	}
	rc = audit_verify_file(a.file, a.pubkey ? pub : NULL, report, sizeof(report));
	if (rc == 0 && a.checkpoints) {
		char held_report[512];
		rc = audit_verify_checkpoints(a.file, &held, a.pubkey ? pub : NULL, held_report, sizeof(held_report));
		if (rc == 0)
			printf("%s; %s\n", report, held_report);
		else
			rg_strlcpy(report, held_report, sizeof(report));
	} else if (rc == 0) {
		printf("%s\n", report);
	}
	audit_held_release(&held);
	return rc == 0 ? 0 : cmd_fail("audit verify: %s: %s", a.file, report);
}

/* ---- audit explain: re-run a decision ------------------------------------- */

struct rerun {
	const struct policy *pol;
	/* The set the database was run with, when it holds the record's pack:
	 * each event is re-run under the pack that scored it (the fallback
	 * before the player's account event named a country). */
	const struct policy_set *set;
	const char *event_id;
	struct player_state state;
	struct engine_result res;
	struct event ev; /* the event behind the record */
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
	engine_apply(&r->state, &ev, r->set ? policy_set_for_event(r->set, r->state.country, &ev) : r->pol, &res);
	if (strcmp(ev.event_id, r->event_id) != 0)
		return 0;
	r->res = res;
	r->ev = ev;
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

/* The player's unresolved alert as the audit trail knew it before the
 * record: the latest version an opened or escalated record carries, unless
 * a staff action resolved it since. */
struct open_before {
	json_t *alert; /* the latest version, or NULL */
	bool resolved;
};

static bool same_string(json_t *payload, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(payload, key));
	return s && strcmp(s, want) == 0;
}

static int track_open_alert(void *ctx, const struct store_audit_row *row)
{
	struct open_before *o = ctx;
	int kind = audit_kind_parse(row->kind);
	bool version = kind == AUDIT_ALERT_OPENED || kind == AUDIT_ALERT_ESCALATED;
	if (!version && kind != AUDIT_STAFF_ACTION && kind != AUDIT_REVIEW_APPROVED)
		return 0;
	json_t *payload = json_loads(row->payload, 0, NULL);
	const char *id = json_string_value(json_object_get(payload, "alert_id"));
	const char *status = json_string_value(json_object_get(payload, "status"));
	if (version && same_string(payload, "kind", "obligation")) {
		json_decref(payload); /* tasks of their own, never the harm alert */
		return 0;
	}
	if (version) {
		json_decref(o->alert);
		o->alert = payload;
		o->resolved = false;
		return 0;
	}
	enum alert_status s;
	if (o->alert && id && status && alert_status_parse(status, &s) == 0 && s == ALERT_RESOLVED &&
	    strcmp(id, json_string_value(json_object_get(o->alert, "alert_id"))) == 0)
		o->resolved = true;
	json_decref(payload);
	return 0;
}


/* The fields of an alert that the decision sets, compared with a recorded
 * version (evidence aside: the store keeps only each marker's latest). */
static bool same_alert(json_t *payload, const struct alert *a)
{
	json_t *mine = alert_json(a, ENGINE_NO_TIME);
	static const char *const keys[] = { "alert_id", "kind", "level", "suggested_action", "rules", "reasons",
					    "due_at", "escalations" };
	bool same = true;
	for (size_t i = 0; i < ARRAY_SIZE(keys) && same; i++)
		same = json_equal(json_object_get(payload, keys[i]), json_object_get(mine, keys[i]));
	json_decref(mine);
	return same;
}

/* Re-runs the alert decision for the record's event and compares it with
 * the record; true when it is the same decision, with what the re-run
 * decided in got. */
static bool same_decision(const char *kind, json_t *payload, const struct alert *open, const struct rerun *r,
			  struct alert_change *ch, char *got, size_t gotlen)
{
	const struct engine_result *res = &r->res;
	const char *before = risk_level_name((enum risk_level)res->level_before);
	const char *after = risk_level_name((enum risk_level)res->level);
	int k = audit_kind_parse(kind);
	if (k == AUDIT_LEVEL_CHANGE) {
		snprintf(got, gotlen, "level %s -> %s, score %d", before, after, res->score);
		return same_string(payload, "from", before) && same_string(payload, "to", after) &&
		       json_integer_value(json_object_get(payload, "score")) == res->score;
	}
	if (alert_decide(open, &r->ev, &r->state, res, r->pol, NULL, ch) < 0)
		ch->kind = ALERT_CHANGE_NONE;
	const struct alert *a = &ch->alert;
	static const char *const change_names[] = { "no alert change", "open alert", "escalate alert" };
	if (k == AUDIT_ALERT_OPENED && same_string(payload, "kind", "obligation")) {
		for (int i = 0; i < ch->nobligations; i++) {
			a = &ch->obligations[i];
			snprintf(got, gotlen, "obligation %s owed (%s, %s, due %lld)", rule_defs[a->rules[0]]->id,
				 risk_level_name(a->level), risk_action_name(a->action), (long long)a->due_ms);
			if (same_string(payload, "alert_id", a->alert_id))
				return same_alert(payload, a);
		}
		snprintf(got, gotlen, "%d obligation(s) owed, none with this alert id", ch->nobligations);
		return false;
	}
	if (k == AUDIT_ALERT_OPENED || k == AUDIT_ALERT_ESCALATED) {
		enum alert_change_kind want = k == AUDIT_ALERT_OPENED ? ALERT_CHANGE_OPEN : ALERT_CHANGE_ESCALATE;
		if (ch->kind == ALERT_CHANGE_NONE)
			snprintf(got, gotlen, "%s; level %s -> %s, score %d", change_names[ch->kind], before, after,
				 res->score);
		else
			snprintf(got, gotlen, "%s %s (%s, %s, due %lld, %d rules, %d escalations); level %s -> %s, score %d",
				 change_names[ch->kind], a->alert_id, risk_level_name(a->level),
				 risk_action_name(a->action), (long long)a->due_ms, a->nrules, a->escalations, before, after,
				 res->score);
		return ch->kind == want && same_alert(payload, a);
	}
	/* player_flag */
	const char *rule = ch->flag_rule >= 0 ? rule_defs[ch->flag_rule]->id : "level";
	snprintf(got, gotlen, "%s; rule %s, level %s -> %s", ch->flag ? "flag" : "no flag", rule, before, after);
	return ch->flag && same_string(payload, "level", risk_level_name(ch->flag_level)) &&
	       same_string(payload, "rule", rule);
}

/* What `audit explain` works on: the record, its policy, the re-run and
 * the player's open alert before it. */
struct explain {
	json_t *rec;
	const char *kind, *player, *event_id, *policy_id;
	json_t *payload; /* borrowed from rec */
	struct policy pol;
	bool what_if; /* --policy: that pack alone */
	struct policy_set set;
	struct rerun r;
	struct open_before before;
	struct alert open;
	struct alert_change change;
};

/* The record and the policy that made it (or --policy's). */
static int explain_load(struct store *st, const char *db, long long seq, const char *policy_path, struct explain *x)
{
	char err[512], *text = NULL;
	if (store_audit_each(st, seq, seq, NULL, load_record, &x->rec, err, sizeof(err)) < 0)
		return cmd_fail("audit explain: %s", err);
	if (!x->rec)
		return cmd_fail("audit explain: no audit record %lld in %s", seq, db);
	x->kind = json_string_value(json_object_get(x->rec, "kind"));
	x->player = json_string_value(json_object_get(x->rec, "player_id"));
	x->payload = json_object_get(x->rec, "payload");
	x->event_id = json_string_value(json_object_get(x->payload, "event_id"));
	x->policy_id = json_string_value(json_object_get(x->payload, "policy"));
	if (!x->player || !x->event_id || !x->policy_id)
		return cmd_fail("audit explain: record %lld (%s) is not a decision of the engine; only level changes, "
				"alerts opened or escalated and automated flags can be re-run", seq, x->kind);
	x->what_if = policy_path != NULL;
	if (policy_path)
		return policy_load(&x->pol, policy_path, NULL, err, sizeof(err)) < 0 ? cmd_fail("audit explain: %s", err)
										     : 0;
	int found = store_policy_text(st, x->policy_id, &text, err, sizeof(err));
	int rc = found <= 0 || policy_load_json(&x->pol, text, strlen(text), err, sizeof(err)) < 0 ? -1 : 0;
	free(text);
	if (rc < 0)
		return cmd_fail("audit explain: policy %s: %s", x->policy_id, found == 0 ? "not in the database" : err);
	return 0;
}

/* Re-runs the player's stored events up to the record's event, and finds
 * the player's open alert before the record. */
static int explain_rerun(struct store *st, long long seq, struct explain *x)
{
	char err[512];
	struct player_state now;
	struct rerun *r = &x->r;
	if (store_player_load(st, x->player, &now, err, sizeof(err)) <= 0)
		return cmd_fail("audit explain: player %s: no state in the database", x->player);
	r->pol = &x->pol;
	r->event_id = x->event_id;
	/* Without --policy, route as ingest did, if the stored set holds the
	 * record's pack; else the record's pack alone, as for one pack. */
	if (!x->what_if && cmd_read_policies(NULL, NULL, st, &x->set, err, sizeof(err)) == 0) {
		if (policy_set_find(&x->set, x->pol.id))
			r->set = &x->set;
	}
	state_init(&r->state);
	if (store_player_events_applied(st, x->player, rerun_event, r, err, sizeof(err)) < 0)
		return cmd_fail("audit explain: %s", err);
	if (r->bad_event)
		return cmd_fail("audit explain: a stored event of %s does not parse: %s", x->player, r->why);
	if (!r->found || r->first_ts > now.first_seen_ms) {
		char first[TS_RFC3339_LEN], seen[TS_RFC3339_LEN];
		ts_format_rfc3339(r->first_ts, first, sizeof(first));
		ts_format_rfc3339(now.first_seen_ms, seen, sizeof(seen));
		cmd_fail("audit explain: cannot re-run record %lld: %s", seq,
			 !r->found ? "the event behind it is no longer kept (events are kept for the 35-day dedupe window)"
				   : "the player's events before the oldest kept one are no longer kept");
		if (r->found)
			fprintf(stderr, "rgmon: the player was first seen %s; the oldest kept event is from %s\n", seen, first);
		return -1;
	}
	if (store_audit_each(st, 1, seq - 1, x->player, track_open_alert, &x->before, err, sizeof(err)) < 0)
		return cmd_fail("audit explain: %s", err);
	if (x->before.alert && !x->before.resolved &&
	    alert_from_json(x->before.alert, &x->open, err, sizeof(err)) < 0)
		return cmd_fail("audit explain: the open alert before record %lld: %s", seq, err);
	return 0;
}

/* Where each rule the re-run decision names comes from, as its pack says
 * (a regulation and article, or "rgmon house rule"): a rule's id is not
 * its authority. */
static void explain_sources(const struct explain *x)
{
	const struct alert_change *ch = &x->change;
	bool named[RULE_COUNT] = { false };
	if (ch->kind != ALERT_CHANGE_NONE)
		for (int i = 0; i < ch->alert.nrules; i++)
			named[ch->alert.rules[i]] = true;
	for (int i = 0; i < ch->nobligations; i++)
		named[ch->obligations[i].rules[0]] = true;
	if (ch->flag && ch->flag_rule >= 0)
		named[ch->flag_rule] = true;
	for (int r = 0; r < RULE_COUNT; r++)
		if (named[r])
			printf("source of %s: %s\n", rule_defs[r]->id,
			       x->r.pol->rules[r].source[0] ? x->r.pol->rules[r].source : "(none given in the pack)");
}

/* Prints the recorded decision beside the re-run, and the sources of the
 * rules it names; exit 0 when they agree. */
static int explain_report(long long seq, struct explain *x)
{
	char got[512], first[TS_RFC3339_LEN];
	const struct alert *open = x->before.alert && !x->before.resolved ? &x->open : NULL;
	bool same = same_decision(x->kind, x->payload, open, &x->r, &x->change, got, sizeof(got));
	char *recorded = json_dumps(x->payload, JSON_COMPACT | JSON_SORT_KEYS);
	ts_format_rfc3339(x->r.first_ts, first, sizeof(first));
	printf("record %lld: %s for %s at %s, policy %s\n", seq, x->kind, x->player,
	       json_string_value(json_object_get(x->rec, "at")), x->policy_id);
	printf("re-ran %lld events of %s (from %s to event %s) with policy %s\n", (long long)x->r.events, x->player,
	       first, x->event_id, x->pol.id);
	printf("recorded: %s\n", recorded ? recorded : "?");
	printf("re-run:   %s\n", got);
	explain_sources(x);
	printf("%s\n", same ? "the same decision" : "A DIFFERENT DECISION");
	free(recorded);
	return same ? 0 : EXIT_RUNTIME;
}

static int cmd_audit_explain(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct audit_args a = { 0 };
	long long seq;
	char err[512];
	if (cmd_parse(cmd, argc, argv, &a))
		return EXIT_USAGE;
	const char *db = a.db, *policy_path = a.policy;
	if (cmd_parse_int(a.seq, 1, INT64_MAX, &seq) < 0)
		return cmd_usage_error(cmd, "give one record SEQ (a number from 1)");

	struct store *st = store_open_readonly(db, err, sizeof(err));
	if (!st)
		return cmd_fail("audit explain: %s", err);
	struct explain *x = calloc(1, sizeof(*x));
	int rc = EXIT_RUNTIME;
	if (!x)
		cmd_fail("audit explain: out of memory");
	else if (explain_load(st, db, seq, policy_path, x) == 0 && explain_rerun(st, seq, x) == 0)
		rc = explain_report(seq, x);
	if (x) {
		json_decref(x->rec);
		json_decref(x->before.alert);
		policy_set_release(&x->set);
	}
	free(x);
	store_close(st);
	return rc;
}
