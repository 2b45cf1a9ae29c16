/* cmd_audit.c -- `rgmon keygen`, `rgmon audit export` and `rgmon audit
 * verify`: the key pair that signs the audit trail, the regulator export,
 * and its independent verification. */
#include "rgmon/audit_export.h"
#include "rgmon/cmd.h"
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
	if (!db || o.from_ms == INT64_MIN || o.to_ms == INT64_MIN || !key_path)
		return cmd_usage_error(cmd, "--db, --from, --to and --key are required");
	if (o.to_ms <= o.from_ms)
		return cmd_usage_error(cmd, "--to must be after --from");

	struct sign_key *key = sign_key_load(key_path, err, sizeof(err));
	if (!key)
		return cmd_fail("audit export: %s", err);
	o.key = key;
	o.now_ms = ts_now_ms();
	struct store *st = store_open(db, err, sizeof(err));
	FILE *out = !st ? NULL : out_path ? fopen(out_path, "w") : stdout;
	struct audit_export_result res;
	int rc = EXIT_RUNTIME;
	if (!st)
		cmd_fail("audit export: %s", err);
	else if (!out)
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
