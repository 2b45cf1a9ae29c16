/* simulate.h -- synthetic players and their events, for demos, tests and
 * benchmarks. Deterministic: the same config gives the same events, byte
 * for byte. Each player draws from its own random stream, so a player
 * behaves the same whatever the population size.
 *
 * Archetypes (share of the population):
 *   recreational   78%  a few evening sessions a week, small stakes
 *   high_roller     4%  large but steady stakes and deposits, no chasing
 *   loss_chaser     6%  re-deposits within minutes of going broke, growing
 *                       deposits and stakes, cancelled withdrawals, bonus
 *                       requests, more days and later nights over time
 *   night_owl       4%  sessions of 3-7 hours starting around midnight
 *   declined_burst  3%  bursts of declined deposits on several cards
 *   limit_setter    3%  sets deposit limits on day one, stays inside them,
 *                       a third raise them mid-month
 *   self_excluder   2%  plays, self-excludes; a quarter later deposit
 *                       during the exclusion (an operator failure)
 * Each player belongs to a market (SE, GB, NL, DE, ES, CA-ON) and its
 * events carry what real platforms send: an account event with the
 * country, a birth date (18-80 on the first day, mostly 25-44, loss
 * chasers younger) and the language (the market's; a few players
 * another); game_category on rounds (mostly slots, some live casino and
 * table, sports for high rollers and chasers); instrument_type on deposits
 * (mostly debit cards, e-wallets, bank transfers; rarely a credit card,
 * and only in markets that allow them). These facts come from a random
 * stream of their own, so they leave every other event as it was.
 * Events are emitted day by day in time order. */
#ifndef RGMON_SIMULATE_H
#define RGMON_SIMULATE_H

#include "rgmon/common.h"

enum sim_archetype {
	SIM_RECREATIONAL,
	SIM_HIGH_ROLLER,
	SIM_LOSS_CHASER,
	SIM_NIGHT_OWL,
	SIM_DECLINED_BURST,
	SIM_LIMIT_SETTER,
	SIM_SELF_EXCLUDER,
	SIM_ARCHETYPE_COUNT
};

/* Called before each event with its time (ms since the epoch, UTC), with
 * the emit callback's ctx; return nonzero to stop. A live producer holds
 * an event here until the wall clock reaches its time. Times rise within
 * a simulated day; a night session may run past the next day's first
 * events, which then go a few hours late (each player's stay in order). */
typedef int (*sim_pace_fn)(void *ctx, int64_t ts_ms);

struct sim_config {
	uint64_t seed;
	int players;
	int days;
	int64_t start_ms;     /* UTC; day 0 starts here */
	int iteration;        /* --loop round: shifts time by days, new event ids */
	int dirty_permille;   /* this share of events also sent duplicated or broken */
	sim_pace_fn pace;     /* NULL: events go as fast as emit takes them */
};

/* Called for each event in order; return nonzero to stop. json is not
 * NUL-terminated past len and is valid only during the call. */
typedef int (*sim_emit_fn)(void *ctx, const char *player_id, const char *json, size_t len);

/* Generates all events. Returns 0, the callback's nonzero value when it
 * stopped the run, or -1 when out of memory. */
int sim_run(const struct sim_config *cfg, sim_emit_fn emit, void *ctx);

enum sim_archetype sim_player_archetype(uint64_t seed, int index);
const char *sim_archetype_name(enum sim_archetype a);
/* The archetypes whose play is harmful (loss chasers, declined-deposit
 * bursts): the positives of `simulate --labels`. */
bool sim_archetype_harmful(enum sim_archetype a);
/* ISO 3166 country of the player's market (SE, GB, NL, DE, ES, CA). */
const char *sim_player_country(uint64_t seed, int index);
void sim_player_id(int index, char *buf, size_t len);

#endif
