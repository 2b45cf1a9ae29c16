/* cmd_token.c -- `rgmon token new`: make an API token. The token is
 * printed once on stdout; the tokens file keeps only its SHA-256. */
#include "rgmon/cmd.h"
#include "rgmon/tokens.h"

#include <getopt.h>
#include <stdio.h>

int cmd_token_new(const struct cmd_entry *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *file = NULL;
	enum role role = ROLE_COUNT;
	char token[TOKEN_LEN + 1], err[512];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (role_parse(optarg, &role) < 0)
				return cmd_usage_error(cmd, "--role must be agent, compliance, regulator or admin");
			break;
		case 'n':
			if (!tokens_name_valid(optarg))
				return cmd_usage_error(cmd, "--name must be 1-%d of A-Z a-z 0-9 . _ -", TOKEN_NAME_MAX);
			name = optarg;
			break;
		case 'f': file = optarg; break;
		default: return cmd_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cmd_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (role == ROLE_COUNT || !name || !file)
		return cmd_usage_error(cmd, "--role, --name and --file are required");
	if (tokens_new(file, role, name, token, err, sizeof(err)) < 0)
		return cmd_fail("token new: %s", err);
	printf("%s\n", token);
	fprintf(stderr, "rgmon: token for %s (%s) added to %s; it is shown only now\n", name, role_name(role), file);
	return 0;
}
