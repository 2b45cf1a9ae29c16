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
	"loading player", "SELECT state FROM players WHERE player_id = ?", "s", STMT_PLAYER_LOAD,
};

struct player_read {
	const char *player_id;
	struct player_state *ps;
};

static int player_row(void *ctx, sqlite3_stmt *s, char *err, size_t errlen)
{
	struct player_read *r = ctx;
	const void *blob = sqlite3_column_blob(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (state_codec_decode(r->ps, blob, (size_t)n) < 0)
		return seterr(err, errlen, "player \"%s\": stored state is corrupt or of another version", r->player_id);
	return 1;
}

int store_player_load(struct store *st, const char *player_id, struct player_state *ps, char *err,
		      size_t errlen)
{
	struct player_read r = { player_id, ps };
	int found = store_exec(st, &player_load, player_row, &r, err, errlen, player_id);
	if (found == 0)
		state_init(ps);
	return found;
}

static const struct store_sql player_save = {
	"saving player",
	"INSERT INTO players(player_id, partition, state, level, score, country) VALUES (?,?,?,?,?,?) "
	"ON CONFLICT(player_id) DO UPDATE SET partition = excluded.partition, state = excluded.state,"
	" level = excluded.level, score = excluded.score, country = excluded.country",
	"siBiis?", STMT_PLAYER_SAVE,
};

int store_player_save(struct store *st, const char *player_id, int32_t partition,
		      const struct player_state *ps, char *err, size_t errlen)
{
	uint8_t buf[STATE_CODEC_MAX];
	size_t n = state_codec_encode_packed(ps, buf, sizeof(buf));
	if (n == 0)
		return seterr(err, errlen, "player \"%s\": state does not fit its encoding", player_id);
	/* level, score and country beside the blob: what the portfolio view
	 * counts in SQL without decoding every state. */
	return store_exec(st, &player_save, NULL, NULL, err, errlen, player_id, (int)partition, (const void *)buf, n,
			  (int)ps->level, (int)ps->score, ps->country);
}
