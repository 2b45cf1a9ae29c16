/* store_portfolio.c -- the portfolio view's data: players by level now
 * (the players table's level and country columns), the daily snapshot
 * the writer keeps (portfolio_daily, portfolio_scores), and the alert
 * figures (inflow and outflow per day, resolved before due, overdue,
 * false positives per rule).
 *
 * Owns: the portfolio_daily and portfolio_scores tables.
 * Never: maps a country to its pack, nor shapes JSON -- portfolio.c and
 * api_portfolio.c do. */
#include "store_int.h"

/* ---- players now, and the daily snapshot ----------------------------------- */

static const struct store_sql players_by_country_level = {
	"counting players",
	"SELECT COALESCE(country, ''), level, count(*) FROM players WHERE level IS NOT NULL GROUP BY 1, 2", "",
	STMT_NONE,
};

struct count_walk {
	store_portfolio_count_fn fn;
	void *ctx;
};

static int count_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct count_walk *w = ctx;
	(void)err;
	(void)errlen;
	int level = sqlite3_column_int(s, 1);
	if (level < 0 || level >= LEVEL_COUNT)
		return 0; /* a damaged row counts nowhere */
	return w->fn(w->ctx, (const char *)sqlite3_column_text(s, 0), level, sqlite3_column_int64(s, 2)) ? 1 : 0;
}

int store_players_by_country_level(struct store *st, store_portfolio_count_fn fn, void *ctx, char *err,
				   size_t errlen)
{
	struct count_walk w = { fn, ctx };
	return store_exec(st, &players_by_country_level, count_row, &w, err, errlen) < 0 ? -1 : 0;
}

static const struct store_sql day_put = {
	"storing the daily portfolio",
	"INSERT INTO portfolio_daily(day, jurisdiction, level, players) VALUES (?,?,?,?)"
	" ON CONFLICT(day, jurisdiction, level) DO UPDATE SET players = excluded.players",
	"isiI", STMT_NONE,
};

int store_portfolio_day_put(struct store *st, int32_t day, const char *jurisdiction, int level, int64_t players,
			    char *err, size_t errlen)
{
	return store_exec(st, &day_put, NULL, NULL, err, errlen, (int)day, jurisdiction, level, players);
}

/* A day's snapshot replaces any earlier one of that day (a replay over
 * the same store). */
static const struct store_sql day_clear = {
	"storing the daily portfolio", "DELETE FROM portfolio_daily WHERE day = ?", "i", STMT_NONE,
};

static const struct store_sql scores_put = {
	"storing the daily scores",
	"INSERT OR REPLACE INTO portfolio_scores(day, player_id, score)"
	" SELECT ?1, player_id, score FROM players WHERE score > 0",
	"i", STMT_NONE,
};

static const struct store_sql scores_prune = {
	"pruning the daily scores", "DELETE FROM portfolio_scores WHERE day < ?", "i", STMT_NONE,
};

static const struct store_sql days_prune = {
	"pruning the daily portfolio", "DELETE FROM portfolio_daily WHERE day < ?", "i", STMT_NONE,
};

int store_portfolio_day_begin(struct store *st, int32_t day, bool scores, char *err, size_t errlen)
{
	if (store_exec(st, &day_clear, NULL, NULL, err, errlen, (int)day) < 0 ||
	    store_exec(st, &days_prune, NULL, NULL, err, errlen, (int)(day - STORE_PORTFOLIO_KEEP_DAYS)) < 0)
		return -1;
	if (!scores)
		return 0;
	return store_exec(st, &scores_put, NULL, NULL, err, errlen, (int)day) < 0 ||
			       store_exec(st, &scores_prune, NULL, NULL, err, errlen,
					  (int)(day - STORE_PORTFOLIO_SCORE_DAYS)) < 0
		       ? -1
		       : 0;
}

static const struct store_sql days_list = {
	"reading the daily portfolio",
	"SELECT day, jurisdiction, level, players FROM portfolio_daily WHERE day >= ? AND day <= ?"
	" ORDER BY day, jurisdiction, level",
	"ii", STMT_NONE,
};

struct day_walk {
	store_portfolio_day_fn fn;
	void *ctx;
};

static int day_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct day_walk *w = ctx;
	(void)err;
	(void)errlen;
	int level = sqlite3_column_int(s, 2);
	if (level < 0 || level >= LEVEL_COUNT)
		return 0;
	return w->fn(w->ctx, sqlite3_column_int(s, 0), (const char *)sqlite3_column_text(s, 1), level,
		     sqlite3_column_int64(s, 3))
		       ? 1
		       : 0;
}

int store_portfolio_days_each(struct store *st, int32_t from_day, int32_t to_day, store_portfolio_day_fn fn,
			      void *ctx, char *err, size_t errlen)
{
	struct day_walk w = { fn, ctx };
	return store_exec(st, &days_list, day_row, &w, err, errlen, (int)from_day, (int)to_day) < 0 ? -1 : 0;
}

/* ---- movers --------------------------------------------------------------- */

static const struct store_sql has_scores = {
	"reading the daily scores", "SELECT count(*) FROM portfolio_daily WHERE day = ?", "i", STMT_NONE,
};

/* Up: every player's score now against their score then (0 when they
 * had none); down: every player scored then against now. Both scan the
 * players' covering index (country, level, score, player_id), never the
 * state blobs, and look the day's score up by its key. */
static const struct store_sql movers_up = {
	"reading movers",
	"SELECT p.player_id, COALESCE(b.score, 0), p.score, p.level FROM players p"
	" LEFT JOIN portfolio_scores b ON b.day = ?1 AND b.player_id = p.player_id"
	" WHERE p.score > COALESCE(b.score, 0) ORDER BY p.score - COALESCE(b.score, 0) DESC, p.player_id LIMIT ?2",
	"ii", STMT_NONE,
};

/* CROSS JOIN keeps players the outer loop, read from the covering index
 * players_portfolio: looking each scored player up by id instead reads
 * their state blobs' pages (measured 3-7x slower at 5,000 players). */
static const struct store_sql movers_down = {
	"reading movers",
	"SELECT p.player_id, b.score, p.score, p.level FROM players p"
	" CROSS JOIN portfolio_scores b ON b.day = ?1 AND b.player_id = p.player_id"
	" WHERE p.score < b.score ORDER BY b.score - p.score DESC, p.player_id LIMIT ?2",
	"ii", STMT_NONE,
};

struct mover_walk {
	store_portfolio_mover_fn fn;
	void *ctx;
};

static int mover_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct mover_walk *w = ctx;
	(void)err;
	(void)errlen;
	return w->fn(w->ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1), sqlite3_column_int(s, 2),
		     sqlite3_column_int(s, 3))
		       ? 1
		       : 0;
}

int store_portfolio_movers(struct store *st, int32_t day, bool up, int limit, store_portfolio_mover_fn fn,
			   void *ctx, char *err, size_t errlen)
{
	int64_t n = 0;
	if (store_exec(st, &has_scores, store_row_ints, &n, err, errlen, (int)day) < 0)
		return -1;
	if (n == 0)
		return 0; /* no snapshot of that day: nothing to compare with */
	struct mover_walk w = { fn, ctx };
	return store_exec(st, up ? &movers_up : &movers_down, mover_row, &w, err, errlen, (int)day, limit) < 0 ? -1 : 1;
}

/* ---- alerts ---------------------------------------------------------------- */

static const struct store_sql inflow = {
	"counting alerts per day",
	"SELECT created_ms / 86400000, count(*) FROM alerts WHERE created_ms >= ?1 AND created_ms < ?2 GROUP BY 1",
	"II", STMT_NONE,
};

static const struct store_sql outflow = {
	"counting resolutions per day",
	"SELECT resolved_ms / 86400000, count(*) FROM alerts WHERE resolved_ms >= ?1 AND resolved_ms < ?2"
	" AND status = 'resolved' GROUP BY 1",
	"II", STMT_NONE,
};

struct flow_walk {
	store_portfolio_flow_fn fn;
	void *ctx;
	bool resolved;
};

static int flow_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct flow_walk *w = ctx;
	(void)err;
	(void)errlen;
	return w->fn(w->ctx, (int32_t)sqlite3_column_int64(s, 0), w->resolved, sqlite3_column_int64(s, 1)) ? 1 : 0;
}

int store_portfolio_flow_each(struct store *st, int64_t from_ms, int64_t to_ms, store_portfolio_flow_fn fn,
			      void *ctx, char *err, size_t errlen)
{
	struct flow_walk in = { fn, ctx, false }, out = { fn, ctx, true };
	return store_exec(st, &inflow, flow_row, &in, err, errlen, from_ms, to_ms) < 0 ||
			       store_exec(st, &outflow, flow_row, &out, err, errlen, from_ms, to_ms) < 0
		       ? -1
		       : 0;
}

static const struct store_sql resolution_facts = {
	"counting resolutions",
	"SELECT (SELECT count(*) FROM alerts WHERE status = 'resolved' AND resolved_ms >= ?1),"
	" (SELECT count(*) FROM alerts WHERE status = 'resolved' AND resolved_ms >= ?1 AND resolved_ms <= due_ms),"
	" (SELECT count(*) FROM alerts WHERE status <> 'resolved' AND due_ms < ?2)",
	"II", STMT_NONE,
};

int store_portfolio_resolutions(struct store *st, int64_t from_ms, int64_t now_ms, int64_t out[3], char *err,
				size_t errlen)
{
	out[0] = out[1] = out[2] = 0;
	return store_exec(st, &resolution_facts, store_row_ints, out, err, errlen, from_ms, now_ms) < 0 ? -1 : 0;
}

static const struct store_sql false_positives = {
	"counting false positives per rule",
	"SELECT r.value, count(*), sum(a.outcome = 'false_positive') FROM alerts a, json_each(a.rules) r"
	" WHERE a.status = 'resolved' AND a.resolved_ms >= ? GROUP BY r.value ORDER BY r.value",
	"I", STMT_NONE,
};

struct fp_walk {
	store_portfolio_fp_fn fn;
	void *ctx;
};

static int fp_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct fp_walk *w = ctx;
	(void)err;
	(void)errlen;
	return w->fn(w->ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
		     sqlite3_column_int64(s, 2))
		       ? 1
		       : 0;
}

int store_portfolio_false_positives_each(struct store *st, int64_t from_ms, store_portfolio_fp_fn fn, void *ctx,
					 char *err, size_t errlen)
{
	struct fp_walk w = { fn, ctx };
	return store_exec(st, &false_positives, fp_row, &w, err, errlen, from_ms) < 0 ? -1 : 0;
}
