/* main.c -- `rgmon COMMAND ...`: finds the command in the table and runs
 * it. Each command lives in its own src/cmd_*.c. */
#include "rgmon/cmd.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_entry commands[] = {
	{ "serve",
	  "serve [--brokers B] [--topic T] [--group G] [--db DB] [--http HOST:PORT] [--policy FILE] [--tokens FILE] [--tls-cert PEM --tls-key PEM] [--audit-key KEY] [--audit-retention-days N] [--batch-ms MS] [-X prop=value]...",
	  "Consume events from Kafka, apply them to player state exactly once, score\n"
	  "players against the policy, raise alerts, publish them to the support\n"
	  "queue, and serve the HTTP API and the compliance web UI.\n\n"
	  "  --brokers B       Kafka bootstrap servers (default 127.0.0.1:9092)\n"
	  "  --topic T         events topic (default rg.events); rejects go to T.dlq\n"
	  "  --group G         consumer group (default rgmon)\n"
	  "  --db DB           SQLite database (default rgmon.db)\n"
	  "  --http HOST:PORT  HTTP listen address (default 127.0.0.1:8080)\n"
	  "  --policy FILE     risk policy (default: the built-in policies/default.json)\n"
	  "  --tokens FILE     API tokens (from `rgmon token new`); without it every\n"
	  "                    /v1 request gets 401. Read at start.\n"
	  "  --tls-cert PEM    serve HTTPS with this certificate (and --tls-key)\n"
	  "  --tls-key PEM     the certificate's private key\n"
	  "  --audit-key KEY   private key from `rgmon keygen`: signs audit checkpoints\n"
	  "                    (every 1000 records or 10 minutes, and at stop) and\n"
	  "                    /v1/audit/export manifests\n"
	  "  --audit-retention-days N  audit records kept (default 1825, five years);\n"
	  "                    older ones are dropped from a signed checkpoint on\n"
	  "  --cache-players N players kept in memory (default 50000)\n"
	  "  --batch-ms MS     a batch commits at most MS after its first event\n"
	  "                    (default 50; or at 5000 events, whichever is first)\n"
	  "  -X prop=value     librdkafka property for consumer and producers (as kcat -X)\n"
	  "  --log-level L     error, warn, info (default) or debug\n\n"
	  "A batch (up to 5000 events or --batch-ms) is committed to the database in one\n"
	  "transaction together with its consumed offsets, alerts and outbox messages;\n"
	  "on start and on every partition assignment the consumer seeks to the\n"
	  "offsets stored there. A relay publishes the outbox to rg.alerts (key\n"
	  "player_id, header alert_id) and rg.player-flags and marks messages sent on\n"
	  "delivery: a crash may resend, never lose. Staff actions (acknowledge,\n"
	  "resolve) are written between batches. HTTP: /healthz, /readyz, /metrics,\n"
	  "the web UI at /, and the /v1 API (schemas/openapi.yaml).\n"
	  "SIGINT/SIGTERM finish the batch, commit and exit 0.\n",
	  cmd_serve },
	{ "broker", "broker [--listen HOST:PORT] [--partitions N] [--topic T]...",
	  "Run a development Kafka broker: librdkafka's mock cluster in this process.\n"
	  "Prints its bootstrap address on the first line of stdout and runs until\n"
	  "SIGINT/SIGTERM. For demos and tests only, never for production: it keeps\n"
	  "messages in memory, at most about 5 MiB (or 100,000 message sets) per\n"
	  "partition, silently dropping older ones; no SSL/SASL. For fault tests,\n"
	  "SIGUSR1 takes the broker down (connections closed and refused) and\n"
	  "SIGUSR2 brings it back, messages kept.\n\n"
	  "  --listen HOST:PORT  also accept bootstrap connections here (forwarded to\n"
	  "                      the mock broker, which listens on a random port)\n"
	  "  --partitions N      partitions for each created topic (default 16)\n"
	  "  --topic T           topic to create; repeatable (default rg.events,\n"
	  "                      rg.events.dlq, rg.alerts)\n",
	  cmd_broker },
	{ "replay", "replay --db DB [--policy FILE] [--quiet] FILE.jsonl|-",
	  "Run a JSONL event file (or stdin for -) through the same engine and store\n"
	  "as serve, deterministically, and print one JSON summary line:\n"
	  "  {\"events\":N,\"accepted\":N,\"duplicates\":N,\"rejected\":N,\"alerts\":N}\n"
	  "Each rejected line is reported on stderr as FILE:LINE: reason, and kept in\n"
	  "the database. Blank lines are skipped. A progress bar is shown on a\n"
	  "terminal.\n\n"
	  "  --db DB        SQLite database (created if missing)\n"
	  "  --policy FILE  risk policy (default: the built-in policies/default.json)\n"
	  "  --quiet        do not list rejected lines on stderr\n",
	  cmd_replay },
	{ "simulate", "simulate [--players N] [--days D] [--seed S] [--start T] [--out FILE | --brokers B [--topic T] [--rate R] [--loop]] [--dirty PERMILLE] [--max-events N] [--archetypes FILE]",
	  "Generate realistic synthetic players as rg.events JSON: a recreational\n"
	  "majority, loss chasers, night marathons, declined-deposit bursts, limit\n"
	  "setters and self-excluders. The same seed gives the same events.\n\n"
	  "  --players N   players (default 1000)\n"
	  "  --days D      days of activity (default 30)\n"
	  "  --seed S      random seed (default 1)\n"
	  "  --start T     RFC 3339 start time (default 2026-11-01T00:00:00Z)\n"
	  "  --out FILE    write JSONL to FILE (- = stdout, the default)\n"
	  "  --brokers B   produce to Kafka instead\n"
	  "  --topic T     topic (default rg.events)\n"
	  "  --rate R      events per second when producing (default unlimited)\n"
	  "  --loop        with --brokers: continue the same players into the next\n"
	  "                period with new ids when done, until stopped\n"
	  "  --dirty N     also send N per mille of events again, or broken (to\n"
	  "                exercise duplicate and reject handling; default 0)\n"
	  "  --max-events N  stop after N events\n"
	  "  --archetypes FILE  write player_id,archetype CSV for every player\n",
	  cmd_simulate },
	{ "stats", "stats --db DB",
	  "Print the totals kept in the store as JSON: events, accepted, duplicates,\n"
	  "rejected, alerts, and the stored consumer offsets per topic and partition.\n",
	  cmd_stats },
	{ "rejected list", "rejected list --db DB [--json]",
	  "List rejected events, oldest first: where each came from (FILE:LINE or\n"
	  "TOPIC/PARTITION@OFFSET), its event_id if it had one, and the reason.\n",
	  cmd_rejected },
	{ "player show", "player show ID --db DB [--policy FILE] [--json]",
	  "Show a player's badge: level (green, amber, red, excluded), score 0-100,\n"
	  "the reasons with their numbers, the player's own limits and how much of\n"
	  "them is used, and any exclusion; as of the player's last event.\n\n"
	  "  --db DB        SQLite database\n"
	  "  --policy FILE  explain with this policy (default: the one the database\n"
	  "                 was last run with)\n"
	  "  --json         the JSON of DESIGN 1.3, as the HTTP API returns it\n",
	  cmd_player_show },
	{ "alerts list", "alerts list --db DB [--status open|acknowledged|resolved] [--json]",
	  "List alerts in queue order: red before amber, then by due time.\n\n"
	  "  --db DB      SQLite database\n"
	  "  --status S   only alerts with this status\n"
	  "  --json       {\"alerts\":[...]} with each alert as in DESIGN 1.3\n",
	  cmd_alerts_list },
	{ "policy check", "policy check FILE",
	  "Validate a policy file. On success prints its identity (name@sha256 of the\n"
	  "canonical form) and the rules it switches on; on failure names the field\n"
	  "that is wrong and exits 1. See policies/README.md for the format.\n",
	  cmd_policy_check },
	{ "token new", "token new --role agent|compliance|regulator|admin --name NAME --file FILE",
	  "Make an API token for `serve --tokens FILE`. The token is printed once on\n"
	  "stdout; FILE (created with mode 0600) keeps only its SHA-256, the role and\n"
	  "the name. The name is the actor recorded on every action taken with it.\n\n"
	  "  --role R     agent: risk badges and player risk; compliance: the alert\n"
	  "               queue and actions on it; regulator: audit exports;\n"
	  "               admin: everything\n"
	  "  --name NAME  1-64 of A-Z a-z 0-9 . _ - (a pseudonym), unique in FILE\n"
	  "  --file FILE  the tokens file to add to\n",
	  cmd_token_new },
	{ "keygen", "keygen --out DIR",
	  "Make the Ed25519 key pair that signs the audit trail: DIR/audit-signing.key\n"
	  "(private, mode 0600: `serve --audit-key` signs checkpoints with it and\n"
	  "`audit export --key` signs manifests) and DIR/audit-signing.pub (for\n"
	  "regulators: `audit verify --pubkey`). Prints both paths and the key's\n"
	  "fingerprint. Never overwrites an existing key.\n",
	  cmd_keygen },
	{ "audit export", "audit export --db DB --from T --to T [--player ID] [--format jsonl|csv] [--key KEY] [--out FILE]",
	  "Export the audit records of a time range for a regulator, with their\n"
	  "hashes, and a signed manifest: range, count, first and last hash,\n"
	  "a digest of all record hashes, the policies in force, and figures (alerts\n"
	  "by level, interactions by outcome, median time to first action, overdue\n"
	  "alerts). Streams in constant memory. Format: schemas/audit-export.md.\n\n"
	  "  --db DB        SQLite database (serve may be running on it)\n"
	  "  --from T       RFC 3339 time: records from the first at or after T ...\n"
	  "  --to T         ... to the last before T (the span between is exported\n"
	  "                 whole, so the chain verifies end to end)\n"
	  "  --key KEY      the private key from `rgmon keygen` (default: the key\n"
	  "                 `serve --audit-key` last used on this database)\n"
	  "  --player ID    only this player's records (the manifest lists their seqs)\n"
	  "  --format F     jsonl (default; for machines) or csv (for spreadsheets)\n"
	  "  --out FILE     write to FILE instead of stdout\n"
	  "The export itself is recorded in the audit trail.\n",
	  cmd_audit_export },
	{ "audit verify", "audit verify FILE [--pubkey KEY]",
	  "Verify an audit export (JSONL or CSV): every record's hash, the chain\n"
	  "between them, the checkpoint signatures and the signed manifest. Prints\n"
	  "\"ok: ...\" and exits 0 when everything holds; otherwise names the first\n"
	  "bad line and record and what is wrong -- edited, removed, inserted,\n"
	  "reordered, duplicated, truncated, or a bad signature -- and exits 1.\n\n"
	  "  --pubkey KEY   the operator's public key (audit-signing.pub, or its 64\n"
	  "                 hex digits). Without it the key the export names is used,\n"
	  "                 which proves integrity but not who signed.\n",
	  cmd_audit_verify },
	{ "audit explain", "audit explain --db DB SEQ [--policy FILE]",
	  "Re-run the decision audit record SEQ recorded (a level change, an alert\n"
	  "opened or escalated, an automated flag): the engine applies the player's\n"
	  "stored events, in the order they were applied, up to the event behind\n"
	  "the decision, with the policy the record names, and shows the recorded\n"
	  "and the re-run decision. Exits 0 when they are the same, 1 when not or\n"
	  "when the events are no longer kept (events are kept for 35 days).\n\n"
	  "  --db DB         SQLite database (read only)\n"
	  "  --policy FILE   re-run with this policy instead (what-if)\n",
	  cmd_audit_explain },
};

static void print_overview(FILE *f)
{
	fprintf(f, "rgmon %s -- responsible-gambling risk monitor\n\nusage:\n", RGMON_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  rgmon %s\n", commands[i].usage);
	fprintf(f, "\nEvery command takes --help. Exit status: 0 success, 1 runtime failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		print_overview(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("rgmon %s\n", RGMON_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct cmd_entry *c = &commands[i];
		const char *space = strchr(c->name, ' ');
		size_t words = space ? 2 : 1;
		if (space) {
			size_t n = (size_t)(space - c->name);
			if (strlen(argv[1]) != n || strncmp(argv[1], c->name, n) != 0)
				continue;
			if (argc < 3 || strcmp(argv[2], space + 1) != 0) {
				if (argc >= 3 && strcmp(argv[2], "--help") != 0)
					continue;
				return cmd_usage_error(c, "\"%s\" needs a subcommand", argv[1]);
			}
		} else if (strcmp(argv[1], c->name) != 0) {
			continue;
		}
		for (int a = (int)words + 1; a < argc; a++)
			if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0)
				return cmd_print_help(c);
			else if (strcmp(argv[a], "--") == 0)
				break;
		return c->run(c, argc - (int)words, argv + words);
	}
	fprintf(stderr, "rgmon: unknown command \"%s\" (see rgmon --help)\n", argv[1]);
	return EXIT_USAGE;
}
