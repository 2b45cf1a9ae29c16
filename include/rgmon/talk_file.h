/* talk_file.h -- where talk files come from: the defaults built into the
 * binary from policies/talk/ (every .json), and files or directories named on the
 * command line (`rgmon policy check`). The reading is here so that talk.c
 * stays pure. */
#ifndef RGMON_TALK_FILE_H
#define RGMON_TALK_FILE_H

#include "rgmon/talk.h"

/* Loads the built-in talk files into set (initialised here). 0 or -1. */
int talk_set_load_builtin(struct talk_set *set, char *err, size_t errlen);

/* Whether path is a talk file, or a directory of them (its *.json are). */
bool talk_path_is_talk(const char *path);

/* Checks a talk file, or every *.json of a directory and the set they make
 * (one file per language, one help file), printing "ok name@sha256:..."
 * per file to stdout. 0, or -1 with err naming the file and key. */
int talk_check_path(const char *path, char *err, size_t errlen);

#endif
