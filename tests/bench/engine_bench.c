/* engine_bench.c -- engine-only throughput on one core, and memory per
 * player kept in the cache (part of `make bench`).
 *
 * Simulated events are parsed in chunks of 1,000 outside the timed region;
 * only engine_apply (aggregates, every rule of the built-in policy, score,
 * level) is timed. Prints "engine_events_per_s N" and
 * "bytes_per_cached_player N". */
#include "rgmon/engine.h"
#include "rgmon/ingest.h"
#include "rgmon/simulate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CHUNK 1000
#define PLAYERS 5000

struct bench {
	struct policy pol;
	struct player_state states[PLAYERS];
	struct event chunk[CHUNK];
	int n;
	long long events, target;
	double seconds;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_chunk(struct bench *b)
{
	struct engine_result r;
	double t = now();
	for (int i = 0; i < b->n; i++) {
		/* Simulated ids are "p%06d": the index is the player. */
		int p = (int)strtol(b->chunk[i].player_id + 1, NULL, 10) % PLAYERS;
		engine_apply(&b->states[p], &b->chunk[i], &b->pol, &r);
	}
	b->seconds += now() - t;
	b->events += b->n;
	b->n = 0;
}

static int on_event(void *ctx, const char *player_id, const char *json, size_t len)
{
	struct bench *b = ctx;
	char err[256];
	(void)player_id;
	if (event_parse(json, len, &b->chunk[b->n], err, sizeof(err)) == 0 && ++b->n == CHUNK)
		run_chunk(b);
	return b->events + b->n >= b->target;
}

int main(int argc, char **argv)
{
	static struct bench b;
	char err[512];
	b.target = argc > 1 ? strtoll(argv[1], NULL, 10) : 1000000;
	if (policy_load(&b.pol, NULL, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (int i = 0; i < PLAYERS; i++)
		state_init(&b.states[i]);
	struct sim_config cfg = { .seed = 7, .players = PLAYERS, .days = 30, .start_ms = 1793491200000LL };
	if (sim_run(&cfg, on_event, &b) < 0)
		return 1;
	run_chunk(&b);
	printf("engine_events_per_s %.0f\n", (double)b.events / b.seconds);
	printf("bytes_per_cached_player %zu\n", ingest_bytes_per_cached_player());
	printf("state_bytes %zu\n", sizeof(struct player_state));
	return 0;
}
