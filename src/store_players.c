/* store_players.c -- each player's state, as the engine's fixed-size
 * encoding, keyed for scale-out by the partition that owns the player.
 *
 * Owns: the players table (the state, and its level, score and account
 * country as plain columns for the portfolio view).
 * Never: interprets the state -- state_codec_encode/state_codec_decode
 * define the bytes; a blob they refuse is reported, not repaired. */
#include "store_int.h"
#include "rgmon/state_codec.h"

static const struct store_sql player_load = {
	"loading player", "SELECT state, partition, level, score, country FROM players WHERE player_id = ?", "s",
	STMT_PLAYER_LOAD,
};

struct player_read {
	const char *player_id;
	struct player_state *ps;
	struct store_player_row *row; /* NULL: not wanted */
};

static int player_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct player_read *r = ctx;
	const void *blob = sqlite3_column_blob(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (state_codec_decode(r->ps, blob, (size_t)n) < 0)
		return seterr(err, errlen, "player \"%s\": stored state is corrupt or of another version", r->player_id);
	if (r->row) {
		/* A row from before the columns (schema 10) has NULL level and
		 * score: unknown, so its next save writes them. A NULL country
		 * is the state's empty one (bound as optional). */
		const unsigned char *country = sqlite3_column_text(s, 4);
		r->row->known = sqlite3_column_type(s, 2) != SQLITE_NULL && sqlite3_column_type(s, 3) != SQLITE_NULL;
		r->row->partition = sqlite3_column_int(s, 1);
		r->row->level = (uint8_t)sqlite3_column_int(s, 2);
		r->row->score = (uint8_t)sqlite3_column_int(s, 3);
		rg_strlcpy(r->row->country, country ? (const char *)country : "", sizeof(r->row->country));
	}
	return 1;
}

int store_player_load_row(struct store *st, const char *player_id, struct player_state *ps,
			  struct store_player_row *row, char *err, size_t errlen)
{
	struct player_read r = { player_id, ps, row };
	if (row)
		row->known = false;
	int found = store_exec(st, &player_load, player_row, &r, err, errlen, player_id);
	if (found == 0)
		state_init(ps);
	return found;
}

int store_player_load(struct store *st, const char *player_id, struct player_state *ps, char *err,
		      size_t errlen)
{
	return store_player_load_row(st, player_id, ps, NULL, err, errlen);
}

static const struct store_sql player_save = {
	"saving player",
	"INSERT INTO players(player_id, partition, state, level, score, country) VALUES (?,?,?,?,?,?) "
	"ON CONFLICT(player_id) DO UPDATE SET partition = excluded.partition, state = excluded.state,"
	" level = excluded.level, score = excluded.score, country = excluded.country",
	"siBiis?", STMT_PLAYER_SAVE,
};

/* SQLite rewrites an index entry whenever its column is SET, changed or
 * not: the full upsert also rewrote the player's entries in
 * players_portfolio and players_by_partition, 210 pages written per 100
 * players against 92 for the blob alone (20,000 players). A player's
 * level, score and country seldom change with an event; their state does
 * with each. */
static const struct store_sql player_save_state = {
	"saving player", "UPDATE players SET state = ?2 WHERE player_id = ?1", "sB", STMT_PLAYER_SAVE_STATE,
};

static bool row_holds(const struct store_player_row *row, int32_t partition, const struct player_state *ps)
{
	return row && row->known && row->partition == partition && row->level == ps->level &&
	       row->score == ps->score && strcmp(row->country, ps->country) == 0;
}

int store_player_save(struct store *st, const char *player_id, int32_t partition,
		      const struct player_state *ps, struct store_player_row *row, char *err, size_t errlen)
{
	uint8_t buf[STATE_CODEC_MAX];
	size_t n = state_codec_encode_packed(ps, buf, sizeof(buf));
	if (n == 0)
		return seterr(err, errlen, "player \"%s\": state does not fit its encoding", player_id);
	if (row_holds(row, partition, ps))
		return store_exec(st, &player_save_state, NULL, NULL, err, errlen, player_id, (const void *)buf, n);
	/* level, score and country beside the blob: what the portfolio view
	 * counts in SQL without decoding every state. */
	if (store_exec(st, &player_save, NULL, NULL, err, errlen, player_id, (int)partition, (const void *)buf, n,
		       (int)ps->level, (int)ps->score, ps->country) < 0)
		return -1;
	if (row) {
		row->known = true;
		row->partition = partition;
		row->level = ps->level;
		row->score = ps->score;
		rg_strlcpy(row->country, ps->country, sizeof(row->country));
	}
	return 0;
}
