/* cmd_token.c -- `rgmon token new`: make an API token. The token is
 * printed once on stdout; the tokens file keeps only its SHA-256. */
#include "rgmon/cmd.h"
#include "rgmon/tokens.h"

#include <stdio.h>

static int cmd_token_new(const struct cmd_entry *cmd, int argc, char **argv);

struct token_args {
	const char *role, *name, *file;
};

static int token_name(const char *value, void *dest)
{
	if (!tokens_name_valid(value))
		return -1;
	*(const char **)dest = value;
	return 0;
}

static const struct opt token_new_opts[] = {
	OPT_REQUIRED_CHOICE("role", "agent|compliance|regulator|admin", struct token_args, role,
			    "agent: risk badges and player risk; compliance: the alert queue and actions on it; "
			    "regulator: audit exports; admin: everything"),
	OPT_REQUIRED_PARSED("name", "NAME", struct token_args, name, token_name,
			    "1-" OPT_STR(TOKEN_NAME_MAX) " of A-Z a-z 0-9 . _ -",
			    "who uses the token: 1-" OPT_STR(TOKEN_NAME_MAX) " of A-Z a-z 0-9 . _ - (a pseudonym), "
			    "unique in FILE"),
	OPT_REQUIRED_STRING("file", "FILE", struct token_args, file, "the tokens file to add to"),
	OPT_END,
};

const struct cmd_entry cmd_token_new_entry = {
	"token new", token_new_opts,
	"Make an API token for `serve --tokens FILE`. The token is printed once on\n"
	"stdout; FILE (created with mode 0600) keeps only its SHA-256, the role and\n"
	"the name. The name is the actor recorded on every action taken with it.\n",
	NULL,
	cmd_token_new,
};

static int cmd_token_new(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct token_args a = { 0 };
	enum role role;
	char token[TOKEN_LEN + 1], err[512];
	int rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	if (role_parse(a.role, &role) < 0)
		return cmd_usage_error(cmd, "--role \"%s\" is not a role", a.role);
	if (tokens_new(a.file, role, a.name, token, err, sizeof(err)) < 0)
		return cmd_fail("token new: %s", err);
	printf("%s\n", token);
	fprintf(stderr, "rgmon: token for %s (%s) added to %s; it is shown only now\n", a.name, role_name(role),
		a.file);
	return 0;
}
