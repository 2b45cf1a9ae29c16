/* options.h -- command-line options as a table (after git's
 * parse-options): a command declares a struct of its arguments and a
 * `const struct opt[]` with, for each option, its name, the kind of value,
 * where in the struct the value goes, its default and its help line.
 * options_parse() fills the struct from argv; the usage line and the
 * option list of --help are generated from the same table, so they cannot
 * drift from what is parsed.
 *
 * Owns no memory: values point into argv or into the table's literals.
 * Never prints: errors come back as one line in err, help in an sbuf. */
#ifndef RGMON_OPTIONS_H
#define RGMON_OPTIONS_H

#include "rgmon/common.h"
#include "rgmon/sbuf.h"

#include <limits.h>

enum opt_kind {
	OPT_KIND_END,
	OPT_KIND_FLAG,   /* bool: true when given; takes no value */
	OPT_KIND_STRING, /* const char *: the value as given */
	OPT_KIND_INT,    /* long long: a decimal integer in [min, max] */
	OPT_KIND_CHOICE, /* const char *: one of the '|'-separated words of metavar */
	OPT_KIND_LIST,   /* struct opt_list: every value given, at most max of them */
	OPT_KIND_PARSED, /* whatever parse() makes of the value (a time, a checked name) */
	OPT_KIND_ARG,    /* const char *: a positional argument (always required) */
	OPT_KIND_ARGS,   /* struct opt_list: the rest of the positional arguments (one at least) */
};

/* A required option is named in "--db is required" when it is missing. */
#define OPT_REQUIRED 1u

/* Values of a repeatable option (-X prop=value); the table's max is at
 * most OPT_LIST_MAX. */
#define OPT_LIST_MAX 64
struct opt_list {
	const char *v[OPT_LIST_MAX];
	int n;
};

struct opt {
	enum opt_kind kind;
	char short_name;       /* 'X' for -X, or 0 */
	const char *long_name; /* "db" for --db, or NULL */
	const char *metavar;   /* the value in usage and help ("DB"); CHOICE: "open|closed" */
	size_t offset;         /* of the destination in the command's argument struct */
	unsigned flags;        /* OPT_REQUIRED */
	long long min, max;    /* INT: the range; LIST: max is the most values */
	const char *def;       /* the default as it would be typed, or NULL for none */
	const char *const *def_list;                 /* LIST: the values when none is given */
	int (*parse)(const char *value, void *dest); /* PARSED: 0 when value is good */
	const char *must;      /* PARSED: what a good value is, for "--x must be <must>" */
	const char *help;      /* one sentence; --help wraps it and adds the default */
};

/* Table rows. T is the command's argument struct, m the member the value
 * goes to; a member of the wrong type does not compile. Defaults are
 * strings, applied as if typed, so they are checked like typed values. */
#define OPT__AT(T, m, type) _Generic(((T *)0)->m, type: offsetof(T, m))
#define OPT__STR(T, m) OPT__AT(T, m, const char *)

#define OPT_FLAG(l, T, m, h) { .kind = OPT_KIND_FLAG, .long_name = (l), .offset = OPT__AT(T, m, bool), .help = (h) }
#define OPT_STRING(l, mv, T, m, d, h)                                                                           \
	{ .kind = OPT_KIND_STRING, .long_name = (l), .metavar = (mv), .offset = OPT__STR(T, m), .def = (d),     \
	  .help = (h) }
#define OPT_REQUIRED_STRING(l, mv, T, m, h)                                                                     \
	{ .kind = OPT_KIND_STRING, .long_name = (l), .metavar = (mv), .offset = OPT__STR(T, m),                 \
	  .flags = OPT_REQUIRED, .help = (h) }
#define OPT_INT(l, mv, T, m, lo, hi, d, h)                                                                      \
	{ .kind = OPT_KIND_INT, .long_name = (l), .metavar = (mv), .offset = OPT__AT(T, m, long long),          \
	  .min = (lo), .max = (hi), .def = (d), .help = (h) }
#define OPT_CHOICE(l, choices, T, m, d, h)                                                                      \
	{ .kind = OPT_KIND_CHOICE, .long_name = (l), .metavar = (choices), .offset = OPT__STR(T, m),            \
	  .def = (d), .help = (h) }
#define OPT_REQUIRED_CHOICE(l, choices, T, m, h)                                                                \
	{ .kind = OPT_KIND_CHOICE, .long_name = (l), .metavar = (choices), .offset = OPT__STR(T, m),            \
	  .flags = OPT_REQUIRED, .help = (h) }
#define OPT_LIST(s, l, mv, T, m, most, dl, h)                                                                   \
	{ .kind = OPT_KIND_LIST, .short_name = (s), .long_name = (l), .metavar = (mv),                          \
	  .offset = OPT__AT(T, m, struct opt_list), .max = (most), .def_list = (dl), .help = (h) }
#define OPT_PARSED(l, mv, T, m, p, mu, d, h)                                                                    \
	{ .kind = OPT_KIND_PARSED, .long_name = (l), .metavar = (mv), .offset = offsetof(T, m), .parse = (p),   \
	  .must = (mu), .def = (d), .help = (h) }
#define OPT_REQUIRED_PARSED(l, mv, T, m, p, mu, h)                                                              \
	{ .kind = OPT_KIND_PARSED, .long_name = (l), .metavar = (mv), .offset = offsetof(T, m), .parse = (p),   \
	  .must = (mu), .flags = OPT_REQUIRED, .help = (h) }
#define OPT_ARG(mv, T, m, h)                                                                                    \
	{ .kind = OPT_KIND_ARG, .metavar = (mv), .offset = OPT__STR(T, m), .flags = OPT_REQUIRED, .help = (h) }
#define OPT_ARGS(mv, T, m, most, h)                                                                             \
	{ .kind = OPT_KIND_ARGS, .metavar = (mv), .offset = OPT__AT(T, m, struct opt_list), .flags = OPT_REQUIRED, \
	  .max = (most), .help = (h) }
#define OPT_END { .kind = OPT_KIND_END }

/* A number macro as a default string: OPT_STR(INGEST_CACHE_DEFAULT). */
#define OPT_STR(x) OPT_STR_(x)
#define OPT_STR_(x) #x

/* The most rows a table may have. */
#define OPT_TABLE_MAX 64

/* Sets every destination in args to its default (its zero when it has
 * none; a PARSED one is left alone then), then reads the argc
 * arguments in argv (after the command's name): --name VALUE,
 * --name=VALUE, a unique prefix of a name (--pol), -X VALUE, -XVALUE,
 * positional arguments anywhere, and "--" ending the options. Returns 0,
 * or -1 with one line in err ("unknown option \"--x\"", "--days must be
 * 1..3650", "--db is required", ...). */
int options_parse(const struct opt *opts, int argc, char **argv, void *args, char *err, size_t errlen);

/* Appends the usage after "rgmon NAME": "--db DB [--policy FILE] FILE",
 * starting at column col and wrapping lines of OPTIONS_WIDTH to indent. */
#define OPTIONS_WIDTH 80
void options_usage(const struct opt *opts, struct sbuf *sb, size_t col, size_t indent);

/* Appends the option list of --help: each option and positional argument
 * with its help wrapped beside it and its default, one per line. */
void options_help(const struct opt *opts, struct sbuf *sb);

#endif
