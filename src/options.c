/* options.c -- the one command-line parser: every command's options come
 * from its table (options.h), and so do its usage line and --help. */
#include "rgmon/options.h"

#include <errno.h>

static void *dest_of(const struct opt *o, void *args) { return (char *)args + o->offset; }

/* "--db", or "-X" for an option with only a short name. */
static const char *display_name(const struct opt *o, char *buf, size_t len)
{
	if (o->kind == OPT_KIND_ARG || o->kind == OPT_KIND_ARGS)
		snprintf(buf, len, "%s", o->metavar);
	else if (o->long_name)
		snprintf(buf, len, "--%s", o->long_name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

static bool takes_value(const struct opt *o) { return o->kind != OPT_KIND_FLAG; }

/* "open, acknowledged or resolved" from "open|acknowledged|resolved". */
static void choice_words(const char *choices, char *out, size_t outlen)
{
	size_t n = 0, words = 1;
	for (const char *p = choices; *p; p++)
		words += *p == '|';
	out[0] = '\0';
	for (const char *p = choices; *p && n + 1 < outlen; p++) {
		if (*p != '|') {
			out[n++] = *p;
		} else {
			const char *sep = --words == 1 ? " or " : ", ";
			n += rg_strlcpy(out + n, sep, outlen - n);
			if (n >= outlen)
				n = outlen - 1;
		}
		out[n] = '\0';
	}
}

static bool is_choice(const char *choices, const char *value)
{
	size_t len = strlen(value);
	for (const char *p = choices; *p;) {
		size_t w = strcspn(p, "|");
		if (w == len && strncmp(p, value, len) == 0)
			return true;
		p += w + (p[w] == '|');
	}
	return false;
}

static int parse_int(const struct opt *o, const char *value, long long *out, char *err, size_t errlen)
{
	char name[64], *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (!errno && end != value && !*end && v >= o->min && v <= o->max) {
		*out = v;
		return 0;
	}
	display_name(o, name, sizeof(name));
	if (o->max != LLONG_MAX)
		return seterr(err, errlen, "%s must be %lld..%lld", name, o->min, o->max);
	if (o->min == 0 || o->min == 1)
		return seterr(err, errlen, "%s must be a %s integer", name, o->min ? "positive" : "non-negative");
	return seterr(err, errlen, "%s must be an integer from %lld", name, o->min);
}

/* Stores one value of option o (from argv, or its default). */
static int set_value(const struct opt *o, const char *value, void *args, char *err, size_t errlen)
{
	void *dest = dest_of(o, args);
	char name[64], words[256];
	display_name(o, name, sizeof(name));
	switch (o->kind) {
	case OPT_KIND_FLAG: *(bool *)dest = true; return 0;
	case OPT_KIND_STRING:
	case OPT_KIND_ARG: *(const char **)dest = value; return 0;
	case OPT_KIND_INT: return parse_int(o, value, (long long *)dest, err, errlen);
	case OPT_KIND_CHOICE:
		if (!is_choice(o->metavar, value)) {
			choice_words(o->metavar, words, sizeof(words));
			return seterr(err, errlen, "%s must be %s", name, words);
		}
		*(const char **)dest = value;
		return 0;
	case OPT_KIND_LIST:
	case OPT_KIND_ARGS: {
		struct opt_list *l = dest;
		long long most = o->max < OPT_LIST_MAX ? o->max : OPT_LIST_MAX;
		if (l->n >= most)
			return seterr(err, errlen, "at most %lld %s", most, name);
		l->v[l->n++] = value;
		return 0;
	}
	case OPT_KIND_PARSED:
		if (o->parse(value, dest) < 0)
			return seterr(err, errlen, "%s must be %s", name, o->must);
		return 0;
	case OPT_KIND_END: break;
	}
	return seterr(err, errlen, "%s: unknown kind of option", name);
}

static int set_defaults(const struct opt *opts, void *args, char *err, size_t errlen)
{
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		void *dest = dest_of(o, args);
		switch (o->kind) {
		case OPT_KIND_FLAG: *(bool *)dest = false; break;
		case OPT_KIND_INT: *(long long *)dest = 0; break;
		case OPT_KIND_LIST:
		case OPT_KIND_ARGS: ((struct opt_list *)dest)->n = 0; break;
		case OPT_KIND_PARSED: break; /* its type is parse()'s business */
		default: *(const char **)dest = NULL; break;
		}
		if (o->def && set_value(o, o->def, args, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The option --name (or a unique prefix of it) names; NULL with err set. */
static const struct opt *find_long(const struct opt *opts, const char *name, size_t len, char *err, size_t errlen)
{
	const struct opt *found = NULL;
	char also[256] = "";
	int matches = 0;
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		if (!o->long_name || strncmp(o->long_name, name, len) != 0)
			continue;
		if (o->long_name[len] == '\0')
			return o; /* exact: wins over prefixes */
		size_t at = strlen(also);
		snprintf(also + at, sizeof(also) - at, "%s--%s", matches ? ", " : "", o->long_name);
		found = o;
		matches++;
	}
	if (matches == 1 && len > 0)
		return found;
	if (matches > 1 && len > 0)
		seterr(err, errlen, "ambiguous option \"--%.*s\" (%s)", (int)len, name, also);
	else
		seterr(err, errlen, "unknown option \"--%.*s\"", (int)len, name);
	return NULL;
}

/* argv[*i] is "--name" or "--name=value"; may take argv[*i + 1]. */
static int parse_long(const struct opt *opts, int argc, char **argv, int *i, void *args, uint64_t *given,
		      char *err, size_t errlen)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o = find_long(opts, name, len, err, errlen);
	if (!o)
		return -1;
	*given |= UINT64_C(1) << (o - opts);
	if (!takes_value(o)) {
		if (eq)
			return seterr(err, errlen, "--%s takes no value", o->long_name);
		return set_value(o, NULL, args, err, errlen);
	}
	if (eq)
		return set_value(o, eq + 1, args, err, errlen);
	if (*i + 1 >= argc)
		return seterr(err, errlen, "--%s needs a value", o->long_name);
	return set_value(o, argv[++*i], args, err, errlen);
}

/* argv[*i] is "-X", "-Xvalue" or flags run together ("-ab"). */
static int parse_short(const struct opt *opts, int argc, char **argv, int *i, void *args, uint64_t *given,
		       char *err, size_t errlen)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct opt *o = opts;
		while (o->kind != OPT_KIND_END && o->short_name != *p)
			o++;
		if (o->kind == OPT_KIND_END)
			return seterr(err, errlen, "unknown option \"-%c\"", *p);
		*given |= UINT64_C(1) << (o - opts);
		if (!takes_value(o)) {
			if (set_value(o, NULL, args, err, errlen) < 0)
				return -1;
			continue;
		}
		if (p[1])
			return set_value(o, p + 1, args, err, errlen);
		if (*i + 1 >= argc)
			return seterr(err, errlen, "-%c needs a value", *p);
		return set_value(o, argv[++*i], args, err, errlen);
	}
	return 0;
}

/* The next positional slot after `after` (NULL: the first). */
static const struct opt *next_arg(const struct opt *opts, const struct opt *after)
{
	for (const struct opt *o = after ? after + 1 : opts; o->kind != OPT_KIND_END; o++)
		if (o->kind == OPT_KIND_ARG || o->kind == OPT_KIND_ARGS)
			return o;
	return NULL;
}

/* "--db is required", "--role, --name and --file are required". */
static int check_required(const struct opt *opts, uint64_t given, char *err, size_t errlen)
{
	char names[512] = "", name[64];
	int missing = 0, left = 0;
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++)
		left += (o->flags & OPT_REQUIRED) && !(given & (UINT64_C(1) << (o - opts)));
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		if (!(o->flags & OPT_REQUIRED) || (given & (UINT64_C(1) << (o - opts))))
			continue;
		size_t at = strlen(names);
		const char *sep = missing == 0 ? "" : missing == left - 1 ? " and " : ", ";
		snprintf(names + at, sizeof(names) - at, "%s%s", sep,
			 display_name(o, name, sizeof(name)));
		missing++;
	}
	if (missing)
		return seterr(err, errlen, "%s %s required", names, missing > 1 ? "are" : "is");
	return 0;
}

int options_parse(const struct opt *opts, int argc, char **argv, void *args, char *err, size_t errlen)
{
	const struct opt *pos = NULL;
	uint64_t given = 0;
	bool only_args = false;
	size_t rows = 0;
	while (opts[rows].kind != OPT_KIND_END)
		rows++;
	if (rows > OPT_TABLE_MAX)
		return seterr(err, errlen, "an option table has more than %d rows", OPT_TABLE_MAX);
	if (set_defaults(opts, args, err, errlen) < 0)
		return -1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int rc = 0;
		if (!only_args && strcmp(a, "--") == 0) {
			only_args = true;
		} else if (!only_args && a[0] == '-' && a[1] == '-') {
			rc = parse_long(opts, argc, argv, &i, args, &given, err, errlen);
		} else if (!only_args && a[0] == '-' && a[1]) {
			rc = parse_short(opts, argc, argv, &i, args, &given, err, errlen);
		} else {
			/* The rest of the positional arguments fill an ARGS slot. */
			if (!(pos && pos->kind == OPT_KIND_ARGS) && !(pos = next_arg(opts, pos)))
				return seterr(err, errlen, "unexpected argument \"%s\"", a);
			given |= UINT64_C(1) << (pos - opts);
			rc = set_value(pos, a, args, err, errlen);
		}
		if (rc < 0)
			return -1;
	}
	if (check_required(opts, given, err, errlen) < 0)
		return -1;
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		struct opt_list *l = dest_of(o, args);
		if (o->kind == OPT_KIND_LIST && l->n == 0 && o->def_list)
			for (size_t k = 0; o->def_list[k] && l->n < OPT_LIST_MAX; k++)
				l->v[l->n++] = o->def_list[k];
	}
	return 0;
}

/* ---- usage and help ------------------------------------------------------- */

/* "--db DB", "-X prop=value", "--quiet", "FILE". */
static void label(const struct opt *o, char *buf, size_t len)
{
	char name[64];
	if (o->kind == OPT_KIND_ARG || o->kind == OPT_KIND_ARGS)
		rg_strlcpy(buf, o->metavar, len);
	else if (o->short_name && o->long_name)
		snprintf(buf, len, "-%c, --%s%s%s", o->short_name, o->long_name, o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
	else
		snprintf(buf, len, "%s%s%s", display_name(o, name, sizeof(name)), o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
}

/* Appends word after a space, or on a new line at indent when the line
 * would pass OPTIONS_WIDTH; *col follows the cursor. */
static void put_word(struct sbuf *sb, const char *word, size_t len, size_t *col, size_t indent, bool first)
{
	if (!first && *col + 1 + len > OPTIONS_WIDTH && *col > indent) {
		sbuf_printf(sb, "\n%*s", (int)indent, "");
		*col = indent;
	} else if (!first) {
		sbuf_append(sb, " ", 1);
		(*col)++;
	}
	sbuf_append(sb, word, len);
	*col += len;
}

void options_usage(const struct opt *opts, struct sbuf *sb, size_t col, size_t indent)
{
	char lab[256], word[300];
	bool first = true;
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		label(o, lab, sizeof(lab));
		if (o->kind == OPT_KIND_LIST)
			snprintf(word, sizeof(word), "[%s]...", lab);
		else if (o->kind == OPT_KIND_ARGS)
			snprintf(word, sizeof(word), "%s...", lab);
		else if (o->flags & OPT_REQUIRED)
			snprintf(word, sizeof(word), "%s", lab);
		else
			snprintf(word, sizeof(word), "[%s]", lab);
		put_word(sb, word, strlen(word), &col, indent, first);
		first = false;
	}
}

/* Wraps text into lines of OPTIONS_WIDTH starting at col, continuing at indent. */
static void put_text(struct sbuf *sb, const char *text, size_t col, size_t indent)
{
	bool first = true;
	for (const char *p = text; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == 0)
			break;
		put_word(sb, p, len, &col, indent, first);
		first = false;
		p += len;
	}
}

/* " (default rg.events, rg.events.dlq)", or "" when the option has none. */
static void default_text(const struct opt *o, char *buf, size_t len)
{
	buf[0] = '\0';
	if (o->def) {
		snprintf(buf, len, " (default %s)", o->def);
	} else if (o->kind == OPT_KIND_LIST && o->def_list && o->def_list[0]) {
		size_t at = rg_strlcpy(buf, " (default ", len);
		for (size_t k = 0; o->def_list[k] && at < len; k++)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", k ? ", " : "", o->def_list[k]);
		if (at < len)
			snprintf(buf + at, len - at, ")");
	}
}

#define HELP_LABEL_MAX 26 /* a longer label puts its help on the next line */

void options_help(const struct opt *opts, struct sbuf *sb)
{
	char lab[256], text[1024], def[512];
	size_t width = 0;
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		label(o, lab, sizeof(lab));
		size_t n = strlen(lab);
		if (n <= HELP_LABEL_MAX && n > width)
			width = n;
	}
	size_t indent = 2 + width + 2;
	for (const struct opt *o = opts; o->kind != OPT_KIND_END; o++) {
		label(o, lab, sizeof(lab));
		default_text(o, def, sizeof(def));
		snprintf(text, sizeof(text), "%s%s", o->help ? o->help : "", def);
		size_t n = strlen(lab);
		if (n <= width)
			sbuf_printf(sb, "  %-*s  ", (int)width, lab);
		else
			sbuf_printf(sb, "  %s\n%*s", lab, (int)indent, "");
		put_text(sb, text, indent, indent);
		sbuf_append(sb, "\n", 1);
	}
}
