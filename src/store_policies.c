/* store_policies.c -- every policy ever used, by identity and with its
 * text, so a decision can be replayed with the policy that made it; and
 * the meta table of settings kept in the database (meta 'policy' names
 * the current policy).
 *
 * Owns: the policies and meta tables.
 * Never: parses or checks a policy (policy.c does), or forgets one: a
 * policy once used stays for as long as the decisions that cite it. */
#include "store_int.h"

static const struct store_sql policy_add = {
	"storing policy", "INSERT OR IGNORE INTO policies(policy_id, name, text) VALUES (?,?,?);", "sss", STMT_NONE,
};
static const struct store_sql policy_name_current = {
	"storing policy", "INSERT OR REPLACE INTO meta(key, value) VALUES ('policy', ?)", "s", STMT_NONE,
};

int store_policy_use(struct store *st, const char *policy_id, const char *name, const char *text, char *err,
		     size_t errlen)
{
	if (store_exec(st, &policy_add, NULL, NULL, err, errlen, policy_id, name, text) < 0 ||
	    store_exec(st, &policy_name_current, NULL, NULL, err, errlen, policy_id) < 0)
		return -1;
	return 0;
}

static const struct store_sql policy_current = {
	"reading policy",
	"SELECT text FROM policies WHERE policy_id = (SELECT value FROM meta WHERE key = 'policy')",
	"", STMT_NONE,
};

/* Unlike store_row_dup, a NULL text is an error (SQLite out of memory). */
static int strdup_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	char **text = ctx;
	const char *t = (const char *)sqlite3_column_text(s, 0);
	*text = t ? strdup(t) : NULL;
	return *text ? 1 : seterr(err, errlen, "out of memory");
}

int store_policy_current(struct store *st, char **text, char *err, size_t errlen)
{
	*text = NULL;
	return store_exec(st, &policy_current, strdup_row, text, err, errlen);
}

static const struct store_sql policy_text = {
	"reading policies", "SELECT text FROM policies WHERE policy_id = ?", "s", STMT_NONE,
};

int store_policy_text(struct store *st, const char *policy_id, char **text, char *err, size_t errlen)
{
	*text = NULL;
	return store_exec(st, &policy_text, store_row_dup, text, err, errlen, policy_id);
}

/* The count joins the alerts to the packs that raised them: a handful of
 * packs, so the jurisdiction is read from their text at query time rather
 * than kept in every alert row. Alerts are counted per pack first:
 * grouping the joined rows sorted each alert with its pack's text (~22 KB)
 * -- 8.7 MB of temporary file and 400 JSON parses per /metrics scrape at
 * 400 alerts. */
static const struct store_sql alerts_by_jurisdiction = {
	"counting alerts by jurisdiction",
	"SELECT coalesce(json_extract(p.text, '$.jurisdiction'), '?'), sum(a.n) FROM"
	" (SELECT policy, count(*) AS n FROM alerts GROUP BY policy) a"
	" LEFT JOIN policies p ON p.policy_id = a.policy GROUP BY 1 ORDER BY 1",
	"", STMT_NONE,
};

struct jurisdiction_walk {
	store_jurisdiction_count_fn fn;
	void *ctx;
};

static int jurisdiction_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct jurisdiction_walk *w = ctx;
	const char *j = (const char *)sqlite3_column_text(s, 0);
	if (!j)
		return seterr(err, errlen, "out of memory");
	return w->fn(w->ctx, j, sqlite3_column_int64(s, 1)) < 0 ? -1 : 0;
}

int store_alerts_by_jurisdiction(struct store *st, store_jurisdiction_count_fn fn, void *ctx, char *err,
				 size_t errlen)
{
	struct jurisdiction_walk w = { fn, ctx };
	return store_exec(st, &alerts_by_jurisdiction, jurisdiction_row, &w, err, errlen) < 0 ? -1 : 0;
}

/* ---- meta settings ------------------------------------------------------- */

static const struct store_sql meta_set = {
	"writing a setting", "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "ss", STMT_NONE,
};

int store_meta_set(struct store *st, const char *key, const char *value, char *err, size_t errlen)
{
	return store_exec(st, &meta_set, NULL, NULL, err, errlen, key, value);
}

static const struct store_sql meta_get = {
	"reading a setting", "SELECT value FROM meta WHERE key = ?", "s", STMT_NONE,
};

int store_meta_get(struct store *st, const char *key, char *out, size_t outlen, char *err, size_t errlen)
{
	struct store_text r = { out, outlen };
	return store_exec(st, &meta_get, store_row_text, &r, err, errlen, key);
}
