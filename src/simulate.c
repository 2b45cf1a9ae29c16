/* simulate.c -- synthetic players (see simulate.h for the archetypes).
 * Pure: no I/O, no clock; all randomness from seeded xoshiro256** streams. */
#include "rgmon/simulate.h"
#include "rgmon/event.h"
#include "rgmon/timestamp.h"

#include <math.h>

/* ---- random numbers ---------------------------------------------------- */

struct rng { uint64_t s[4]; };

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

static double uniform(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static bool chance(struct rng *r, double p) { return uniform(r) < p; }
static int between(struct rng *r, int lo, int hi) { return lo + (int)(uniform(r) * (hi - lo + 1)); }
static double expo(struct rng *r, double mean) { return -mean * log(1.0 - uniform(r)); }

/* The index drawn from a cumulative per-mille table of n entries. */
static int draw(struct rng *r, const int *cum, size_t n)
{
	int x = (int)(uniform(r) * 1000);
	for (size_t i = 0; i < n; i++)
		if (x < cum[i])
			return (int)i;
	return (int)n - 1;
}

/* ---- players ------------------------------------------------------------ */

static const char *const archetype_names[SIM_ARCHETYPE_COUNT] = {
	"recreational", "high_roller", "loss_chaser", "night_owl", "declined_burst", "limit_setter", "self_excluder",
};
/* Cumulative shares in per mille, in enum order. */
static const int archetype_cum[SIM_ARCHETYPE_COUNT] = { 780, 820, 880, 920, 950, 980, 1000 };

struct market {
	const char *country, *currency;
	int offset_min;  /* standard-time offset written into ts */
	int64_t unit;    /* minor units of one "small bet" (1 EUR-ish) */
	const char *language, *other_language; /* ISO 639-1: most players', and a minority's */
	bool credit_cards; /* credit-card deposits allowed (not GB; not SE from 1 Apr 2026; not ES) */
	/* A compliant operator's slot stake cap per game cycle, in minor
	 * units, under 25 and from 25 (GB SI 2025/215; DE GlüStV § 22a);
	 * 0 = none. */
	int64_t slot_cap_under_25, slot_cap;
	bool withdrawal_reversal; /* offered (not in GB: RTS 14B) */
};
static const struct market markets[] = {
	{ "SE", "SEK", 60, 1000, "sv", "en", false, 0, 0, true },
	{ "GB", "GBP", 0, 100, "en", "pl", false, 200, 500, false },
	{ "NL", "EUR", 60, 100, "nl", "en", true, 0, 0, true },
	{ "DE", "EUR", 60, 100, "de", "tr", true, 100, 100, true },
	{ "ES", "EUR", 60, 100, "es", "ca", false, 0, 0, true },
	{ "CA", "CAD", -300, 150, "en", "fr", true, 0, 0, true },
};

/* Share of players whose language is the market's other one. */
#define SIM_OTHER_LANGUAGE 0.07
/* Share of instruments that are credit cards where they are allowed. */
#define SIM_CREDIT_CARD 0.03

/* Ages at the start, in per mille per band, cumulative: online casino
 * players are mostly 25-44; loss chasers are younger. */
struct age_band { int lo, hi; };
static const struct age_band age_bands[] = { { 18, 24 }, { 25, 34 }, { 35, 44 }, { 45, 54 }, { 55, 64 }, { 65, 80 } };
static const int age_cum[] = { 140, 420, 660, 830, 940, 1000 };
static const int age_cum_chaser[] = { 300, 650, 830, 930, 980, 1000 };

/* Game categories of a session, per mille, cumulative in enum game_category
 * order (slots, table, live_casino, sports): mostly slots; sports only for
 * the archetypes that bet on it too. */
static const int category_cum[] = { 800, 880, 1000, 1000 };
static const int category_cum_bettor[] = { 660, 730, 850, 1000 };

/* Deposit instruments, per mille, cumulative in enum instrument_type order
 * (debit_card, credit_card, bank_transfer, e_wallet, prepaid); credit cards
 * are drawn apart. */
static const int instrument_cum[] = { 680, 680, 800, 980, 1000 };

const char *sim_archetype_name(enum sim_archetype a) { return a < SIM_ARCHETYPE_COUNT ? archetype_names[a] : "?"; }

bool sim_archetype_harmful(enum sim_archetype a) { return a == SIM_LOSS_CHASER || a == SIM_DECLINED_BURST; }

void sim_player_id(int index, char *buf, size_t len) { snprintf(buf, len, "p%06d", index); }

enum sim_archetype sim_player_archetype(uint64_t seed, int index)
{
	struct rng r;
	rng_seed(&r, seed, (uint64_t)index + 1);
	int x = (int)(uniform(&r) * 1000);
	for (int a = 0; a < SIM_ARCHETYPE_COUNT; a++)
		if (x < archetype_cum[a])
			return (enum sim_archetype)a;
	return SIM_RECREATIONAL;
}

const char *sim_player_country(uint64_t seed, int index)
{
	/* The first draw of the player's own stream, as player_init makes it. */
	struct rng r;
	rng_seed(&r, seed, 0x100000000ULL + (uint64_t)index);
	return markets[between(&r, 0, (int)ARRAY_SIZE(markets) - 1)].country;
}

struct player {
	enum sim_archetype kind;
	struct rng rng;
	const struct market *mk;
	struct rng facts;       /* birth date, language, categories, instruments: a
				 * stream of their own, so the rest of the player's
				 * events are what they were before these facts */
	int32_t birth_date;     /* days since the epoch */
	const char *language;
	uint8_t card_type[8];   /* enum instrument_type of cards 1..cards */
	uint8_t category;       /* enum game_category of the current session */
	int64_t balance;
	int64_t busy_until;     /* no new session before this instant */
	int64_t chase_deposit;  /* the chaser's next re-deposit: grows within a day */
	int64_t chase_cap;      /* the most the chaser can put in at once: their means */
	double stake_factor;    /* the chaser's stake escalation, within a day */
	int sessions;
	int exclude_day;        /* self_excluder: day of the exclusion, or -1 */
	int relapse_day;        /* self_excluder: deposit during exclusion, or -1 */
	bool raises_limit;
	int64_t day_limit;      /* limit_setter: own daily deposit limit */
	int64_t deposited_today;
	int cards;
};

/* One generated event, formatted when emitted. */
enum sim_kind { K_ACCOUNT, K_DEPOSIT, K_WITHDRAWAL, K_ROUND, K_SESSION_START, K_SESSION_END, K_LIMIT, K_EXCLUSION, K_CONTACT };

struct sim_event {
	int64_t ts_ms;
	int32_t player;
	uint32_t seq;    /* per player, for the event id and a stable sort */
	uint8_t kind;
	uint8_t status;  /* deposit: 0 approved 1 declined; withdrawal: 0 req 1 cancel 2 done */
	uint8_t sub;     /* limit kind / period packed, contact topic, exclusion source */
	uint8_t card;
	uint8_t category; /* round: enum game_category */
	int32_t session;
	int32_t days;    /* exclusion days, 0 indefinite */
	int64_t a, b;    /* amount or stake, payout */
};

struct day_buffer {
	struct sim_event *ev;
	size_t n, cap;
	bool oom;
};

static struct sim_event *push(struct day_buffer *d, struct player *p, int idx, uint32_t *seq, int64_t ts, enum sim_kind k)
{
	(void)p;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4096;
		struct sim_event *e = realloc(d->ev, cap * sizeof(*e));
		if (!e) {
			d->oom = true;
			return NULL;
		}
		d->ev = e;
		d->cap = cap;
	}
	struct sim_event *e = &d->ev[d->n++];
	memset(e, 0, sizeof(*e));
	e->ts_ms = ts;
	e->player = idx;
	e->seq = (*seq)++;
	e->kind = (uint8_t)k;
	return e;
}

struct gen {
	const struct sim_config *cfg;
	struct player *players;
	uint32_t *seqs;
	struct day_buffer buf;
};

#define PUSH(ts, k) push(&g->buf, p, idx, &g->seqs[idx], (ts), (k))

static void deposit(struct gen *g, struct player *p, int idx, int64_t ts, int64_t amount, bool declined)
{
	struct sim_event *e = PUSH(ts, K_DEPOSIT);
	if (!e)
		return;
	e->a = amount;
	e->status = declined;
	e->card = (uint8_t)(declined ? between(&p->rng, 1, p->cards) : 1);
	if (!declined) {
		p->balance += amount;
		p->deposited_today += amount;
	}
}

/* The most a slot round may stake at ts_ms where the market caps it,
 * else `stake` itself: the operator enforces the cap. */
static int64_t slot_stake_capped(const struct player *p, int64_t ts_ms, int64_t stake)
{
	if (p->category != GAME_SLOTS || !p->mk->slot_cap)
		return stake;
	int64_t by, y;
	unsigned bm, bd, m, d;
	ts_civil_from_days(p->birth_date, &by, &bm, &bd);
	ts_civil_from_days(ts_floor_div(ts_ms, MS_PER_DAY), &y, &m, &d);
	int64_t age = y - by - (m < bm || (m == bm && d < bd));
	int64_t cap = age < 25 ? p->mk->slot_cap_under_25 : p->mk->slot_cap;
	return stake > cap ? cap : stake;
}

/* One play session: deposit if low, rounds until the time is up or the
 * money is gone; what happens when it is gone depends on the archetype. */
/* The stake a session starts with, in the market's money units. */
static double session_stake_units(struct player *p)
{
	switch (p->kind) {
	case SIM_HIGH_ROLLER: return between(&p->rng, 20, 60);
	case SIM_LOSS_CHASER: return 2.0 * p->stake_factor;
	case SIM_NIGHT_OWL: return between(&p->rng, 1, 3);
	default: return 0.2 + uniform(&p->rng) * 1.3;
	}
}

/* Cash out a good win: the chaser often reverses it to keep playing. */
static void cash_out(struct gen *g, struct player *p, int idx, int64_t end, int64_t session_start_balance)
{
	int64_t unit = p->mk->unit;
	struct sim_event *e;
	if (p->balance > 3 * session_start_balance && p->balance > 20 * unit) {
		int64_t amount = p->balance / 2;
		e = PUSH(end + 60 * 1000, K_WITHDRAWAL);
		if (!e)
			return;
		e->a = amount;
		if (p->kind == SIM_LOSS_CHASER && p->mk->withdrawal_reversal && chance(&p->rng, 0.6)) {
			e = PUSH(end + between(&p->rng, 10, 50) * MS_PER_MIN, K_WITHDRAWAL);
			if (!e)
				return;
			e->a = amount;
			e->status = 1;
		} else {
			e = PUSH(end + 6 * MS_PER_HOUR, K_WITHDRAWAL);
			if (!e)
				return;
			e->a = amount;
			e->status = 2;
			p->balance -= amount;
		}
	}
}

static void session(struct gen *g, struct player *p, int idx, int64_t start, int minutes)
{
	int64_t unit = p->mk->unit, t = start, end = start + (int64_t)minutes * MS_PER_MIN;
	int sid = ++p->sessions, redeposits = 0;
	double stake_units;
	struct sim_event *e = PUSH(t, K_SESSION_START);
	if (!e)
		return;
	e->session = sid;

	stake_units = session_stake_units(p);
	bool bettor = p->kind == SIM_HIGH_ROLLER || p->kind == SIM_LOSS_CHASER;
	p->category = (uint8_t)draw(&p->facts, bettor ? category_cum_bettor : category_cum, ARRAY_SIZE(category_cum));
	int64_t first_deposit = p->kind == SIM_HIGH_ROLLER ? unit * between(&p->rng, 500, 1500)
			       : p->kind == SIM_LOSS_CHASER ? unit * 30
			       : unit * between(&p->rng, 10, 40);
	int64_t stake = (int64_t)(stake_units * (double)unit);
	if (stake < 1)
		stake = 1;

	if (p->balance < 10 * stake) {
		bool allowed = !(p->kind == SIM_LIMIT_SETTER && p->day_limit &&
				 p->deposited_today + first_deposit > p->day_limit);
		if (allowed)
			deposit(g, p, idx, t + between(&p->rng, 5, 60) * 1000, first_deposit, false);
		t += 90 * 1000;
	}
	int64_t session_start_balance = p->balance;
	while (t < end) {
		t += between(&p->rng, 20, 150) * 1000;
		if (p->balance < stake) {
			/* Broke. Most stop; the chaser goes and gets more money. */
			if (p->kind == SIM_LOSS_CHASER && redeposits < 5) {
				int declines = chance(&p->rng, 0.3) ? between(&p->rng, 1, 3) : 0;
				for (int i = 0; i < declines; i++)
					deposit(g, p, idx, t + i * 40 * 1000, p->chase_deposit, true);
				t += (declines * 40 + between(&p->rng, 60, 600)) * 1000;
				deposit(g, p, idx, t, p->chase_deposit, false);
				p->chase_deposit = p->chase_deposit * 3 / 2 > p->chase_cap ? p->chase_cap
											     : p->chase_deposit * 3 / 2;
				if (p->stake_factor < 10.0)
					p->stake_factor *= 1.25;
				stake = (int64_t)(2.0 * p->stake_factor * (double)unit);
				redeposits++;
				continue;
			}
			if (p->kind == SIM_RECREATIONAL && redeposits == 0 && chance(&p->rng, 0.15)) {
				deposit(g, p, idx, t, unit * between(&p->rng, 10, 30), false);
				redeposits++;
				continue;
			}
			break;
		}
		int64_t payout = 0, bet = slot_stake_capped(p, t, stake);
		double u = uniform(&p->rng);
		if (u < 0.002)
			payout = bet * 50;
		else if (u < 0.28)
			payout = (int64_t)((double)bet * (1.0 + expo(&p->rng, 2.08)));
		e = PUSH(t, K_ROUND);
		if (!e)
			return;
		e->a = bet;
		e->b = payout;
		e->session = sid;
		e->category = p->category;
		p->balance += payout - bet;
		/* The chaser raises the stake after a loss. */
		if (p->kind == SIM_LOSS_CHASER && payout == 0 && chance(&p->rng, 0.2))
			stake = stake * 5 / 4;
	}
	if (t > end)
		end = t;
	e = PUSH(end, K_SESSION_END);
	if (!e)
		return;
	e->session = sid;

	cash_out(g, p, idx, end, session_start_balance);
	p->busy_until = end + 5 * MS_PER_MIN;
}

static void contact(struct gen *g, struct player *p, int idx, int64_t ts, int topic)
{
	struct sim_event *e = PUSH(ts, K_CONTACT);
	if (e) {
		e->sub = (uint8_t)topic;
		e->card = (uint8_t)between(&p->rng, 0, 2); /* channel */
	}
}

/* The facts a platform's account and payment records carry: birth date
 * (an adult of 18-80 on the start date y-m-d), language, and the type of
 * each card (instrument) the player uses. */
static void player_facts(struct player *p, const struct sim_config *cfg, int idx, int64_t y, unsigned m, unsigned d)
{
	rng_seed(&p->facts, cfg->seed, 0x200000000ULL + (uint64_t)idx);
	const struct age_band *band =
		&age_bands[draw(&p->facts, p->kind == SIM_LOSS_CHASER ? age_cum_chaser : age_cum, ARRAY_SIZE(age_cum))];
	int age = between(&p->facts, band->lo, band->hi);
	/* Born between a day after the (age+1)th birthday before the start
	 * and the age-th one: exactly `age` on the start date. */
	int64_t latest = ts_days_from_civil(y - age, m, d);
	int64_t earliest = ts_days_from_civil(y - age - 1, m, d) + 1;
	p->birth_date = (int32_t)(earliest + (int64_t)(uniform(&p->facts) * (double)(latest - earliest + 1)));
	p->language = chance(&p->facts, SIM_OTHER_LANGUAGE) ? p->mk->other_language : p->mk->language;
	for (size_t i = 0; i < ARRAY_SIZE(p->card_type); i++) {
		int t = draw(&p->facts, instrument_cum, ARRAY_SIZE(instrument_cum));
		if (p->mk->credit_cards && chance(&p->facts, SIM_CREDIT_CARD))
			t = INSTRUMENT_CREDIT_CARD;
		p->card_type[i] = (uint8_t)t;
	}
}

static void player_init(struct player *p, const struct sim_config *cfg, int idx)
{
	memset(p, 0, sizeof(*p));
	p->kind = sim_player_archetype(cfg->seed, idx);
	rng_seed(&p->rng, cfg->seed, 0x100000000ULL + (uint64_t)idx);
	p->mk = &markets[between(&p->rng, 0, (int)ARRAY_SIZE(markets) - 1)];
	int64_t y;
	unsigned m, d;
	ts_civil_from_days(ts_floor_div(cfg->start_ms, MS_PER_DAY), &y, &m, &d);
	/* The birth year this draw used to give is no longer sent, but the
	 * draw stays so the rest of the stream is unchanged. */
	(void)(p->kind == SIM_LOSS_CHASER ? between(&p->rng, 19, 35) : between(&p->rng, 18, 75));
	player_facts(p, cfg, idx, y, m, d);
	p->chase_deposit = p->mk->unit * 30;
	p->stake_factor = 1.0;
	/* A chaser's means bound what they can deposit at once: most can find
	 * 100-600 units at a time, one in ten 1,000-3,000 (the public cases'
	 * players). Drawn from the facts stream, so the rest is unchanged. */
	if (p->kind == SIM_LOSS_CHASER)
		p->chase_cap = p->mk->unit * (chance(&p->facts, 0.1) ? between(&p->facts, 1000, 3000)
								  : between(&p->facts, 100, 600));
	p->exclude_day = p->kind == SIM_SELF_EXCLUDER ? between(&p->rng, 3, cfg->days > 4 ? cfg->days - 2 : 3) : -1;
	p->relapse_day = p->exclude_day >= 0 && chance(&p->rng, 0.25) ? p->exclude_day + between(&p->rng, 1, 6) : -1;
	p->raises_limit = chance(&p->rng, 0.33);
	p->cards = p->kind == SIM_DECLINED_BURST || p->kind == SIM_LOSS_CHASER ? between(&p->rng, 2, 5) : 1;
}

/* Local hour -> UTC instant on day `day` for this player. */
static int64_t at_local(const struct gen *g, const struct player *p, int day, double hour)
{
	return g->cfg->start_ms + (int64_t)day * MS_PER_DAY + (int64_t)(hour * MS_PER_HOUR) -
	       (int64_t)p->mk->offset_min * MS_PER_MIN;
}

static void player_day(struct gen *g, int idx, int day)
{
	struct player *p = &g->players[idx];
	int64_t unit = p->mk->unit;
	bool excluded = p->exclude_day >= 0 && day > p->exclude_day;
	p->deposited_today = 0;
	/* A new day starts the chase again from a little more than the last
	 * month's first deposit: chasing deepens over the month, within the
	 * player's means, instead of compounding without end. */
	if (p->kind == SIM_LOSS_CHASER) {
		int64_t base = unit * (30 + 30 * day / (g->cfg->days > 1 ? g->cfg->days : 1));
		p->chase_deposit = base < p->chase_cap ? base : p->chase_cap;
		p->stake_factor = 1.0 + 0.05 * day;
	}

	if (day == 0 && g->cfg->iteration == 0) {
		struct sim_event *e = PUSH(at_local(g, p, 0, 8.0 + uniform(&p->rng)), K_ACCOUNT);
		if (!e)
			return;
		if (p->kind == SIM_LIMIT_SETTER) {
			p->day_limit = unit * 60;
			for (int period = 0; period < 3; period++) {
				e = PUSH(at_local(g, p, 0, 9.0 + period * 0.01), K_LIMIT);
				if (!e)
					return;
				e->sub = (uint8_t)period; /* deposit limit, period */
				e->a = unit * (period == 0 ? 60 : period == 1 ? 250 : 800);
			}
		}
	}
	if (p->kind == SIM_LIMIT_SETTER && p->raises_limit && day == 14) {
		struct sim_event *e = PUSH(at_local(g, p, day, 10.0), K_LIMIT);
		if (!e)
			return;
		p->day_limit = unit * 150;
		e->sub = 0;
		e->a = p->day_limit;
	}
	if (day == p->exclude_day) {
		struct sim_event *e = PUSH(at_local(g, p, day, 23.5), K_EXCLUSION);
		if (!e)
			return;
		e->days = chance(&p->rng, 0.5) ? 30 * between(&p->rng, 1, 6) : 0;
		e->sub = 0; /* player */
		p->busy_until = at_local(g, p, day + 1, 0.0);
		return;
	}
	if (excluded) {
		if (day == p->relapse_day)
			deposit(g, p, idx, at_local(g, p, day, 21.0 + uniform(&p->rng)), unit * 50, false);
		return;
	}

	double play, hour;
	int minutes, nsessions = 1;
	switch (p->kind) {
	case SIM_HIGH_ROLLER: play = 0.55; hour = 19 + uniform(&p->rng) * 3; minutes = between(&p->rng, 60, 120); break;
	case SIM_LOSS_CHASER:
		/* Chasing deepens: more days, later nights. */
		play = 0.5 + 0.4 * day / (g->cfg->days > 1 ? g->cfg->days : 1);
		hour = 18 + uniform(&p->rng) * 8;
		minutes = between(&p->rng, 90, 240);
		nsessions = between(&p->rng, 1, 3);
		break;
	case SIM_NIGHT_OWL: play = 0.5; hour = 23 + uniform(&p->rng) * 2.5; minutes = between(&p->rng, 180, 420); break;
	case SIM_SELF_EXCLUDER: play = 0.6; hour = 19 + uniform(&p->rng) * 5; minutes = between(&p->rng, 60, 180); break;
	default:
		play = 0.3;
		hour = chance(&p->rng, 0.2) ? 12 + uniform(&p->rng) : 18 + uniform(&p->rng) * 5;
		minutes = between(&p->rng, 10, 60);
		nsessions = chance(&p->rng, 0.2) ? 2 : 1;
		break;
	}
	if (p->kind == SIM_DECLINED_BURST && chance(&p->rng, 0.3)) {
		int64_t t = at_local(g, p, day, 20 + uniform(&p->rng) * 3);
		if (t < p->busy_until)
			t = p->busy_until;
		int n = between(&p->rng, 3, 8);
		for (int i = 0; i < n; i++)
			deposit(g, p, idx, t + i * between(&p->rng, 30, 120) * 1000, unit * between(&p->rng, 20, 100), true);
		p->busy_until = t + (int64_t)n * 2 * MS_PER_MIN;
	}
	if (!chance(&p->rng, play))
		return;
	for (int s = 0; s < nsessions; s++) {
		int64_t t = at_local(g, p, day, hour + s * (minutes / 60.0 + 1.0));
		if (t < p->busy_until)
			t = p->busy_until;
		session(g, p, idx, t, minutes);
	}
	if (p->kind == SIM_LOSS_CHASER && chance(&p->rng, 0.25))
		contact(g, p, idx, p->busy_until + between(&p->rng, 1, 30) * MS_PER_MIN, 0); /* bonus_request */
	if (p->kind == SIM_LOSS_CHASER && chance(&p->rng, 0.05))
		contact(g, p, idx, p->busy_until + between(&p->rng, 31, 60) * MS_PER_MIN, 1); /* withdrawal_delay */
	if (p->kind == SIM_RECREATIONAL && chance(&p->rng, 0.01))
		contact(g, p, idx, p->busy_until + 30 * MS_PER_MIN, 3); /* rg_question */
}

static int cmp_event(const void *a, const void *b)
{
	const struct sim_event *x = a, *y = b;
	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	if (x->player != y->player)
		return x->player < y->player ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- formatting ---------------------------------------------------------- */

static const char *const limit_periods[] = { "day", "week", "month" };
static const char *const topics[] = { "bonus_request", "withdrawal_delay", "complaint", "rg_question", "other" };
static const char *const channels[] = { "chat", "email", "phone" };
static const char *const withdrawal_status[] = { "requested", "cancelled", "completed" };
/* What the platform's cashier calls each instrument type (the free-text method). */
static const char *const instrument_methods[INSTRUMENT_TYPE_COUNT] = {
	"card", "card", "bank transfer", "e-wallet", "voucher", "crypto", "other",
};
/* A game of each category, by the round's sequence number. */
static const char *const category_games[GAME_CATEGORY_COUNT] = {
	"slot", "blackjack", "live-roulette", "football", "poker", "bingo", "lottery", "game",
};

static size_t format_event(const struct gen *g, const struct sim_event *e, char *buf, size_t len)
{
	const struct player *p = &g->players[e->player];
	char pid[16], ts[48], head[256];
	sim_player_id(e->player, pid, sizeof(pid));
	ts_format_rfc3339_offset(e->ts_ms, p->mk->offset_min, ts, sizeof(ts));
	snprintf(head, sizeof(head), "{\"event_id\":\"e%llu-%d-%s-%u\",\"player_id\":\"%s\",\"ts\":\"%s\"",
		 (unsigned long long)g->cfg->seed, g->cfg->iteration, pid, e->seq, pid, ts);
	int n = 0;
	switch ((enum sim_kind)e->kind) {
	case K_ACCOUNT: {
		int64_t y;
		unsigned m, d;
		ts_civil_from_days(p->birth_date, &y, &m, &d);
		n = snprintf(buf, len,
			     "%s,\"type\":\"account\",\"country\":\"%s\",\"birth_date\":\"%04d-%02u-%02u\","
			     "\"language\":\"%s\"}",
			     head, p->mk->country, (int)y, m, d, p->language);
		break;
	}
	case K_DEPOSIT: {
		/* The instrument id stays "card-..." whatever its type: an opaque id. */
		enum instrument_type t = (enum instrument_type)p->card_type[(e->card - 1u) % ARRAY_SIZE(p->card_type)];
		n = snprintf(buf, len,
			     "%s,\"type\":\"deposit\",\"amount\":%lld,\"currency\":\"%s\",\"status\":\"%s\","
			     "\"method\":\"%s\",\"instrument\":\"card-%s-%d\",\"instrument_type\":\"%s\"}",
			     head, (long long)e->a, p->mk->currency, e->status ? "declined" : "approved",
			     instrument_methods[t], pid, e->card, instrument_type_name(t));
		break;
	}
	case K_WITHDRAWAL:
		n = snprintf(buf, len, "%s,\"type\":\"withdrawal\",\"amount\":%lld,\"currency\":\"%s\",\"status\":\"%s\"}",
			     head, (long long)e->a, p->mk->currency, withdrawal_status[e->status]);
		break;
	case K_ROUND:
		n = snprintf(buf, len,
			     "%s,\"type\":\"game_round\",\"stake\":%lld,\"payout\":%lld,\"currency\":\"%s\","
			     "\"game\":\"%s-%d\",\"game_category\":\"%s\",\"session_id\":\"s-%s-%d\"}",
			     head, (long long)e->a, (long long)e->b, p->mk->currency, category_games[e->category % GAME_CATEGORY_COUNT],
			     (int)(e->seq % 7), game_category_name((enum game_category)e->category), pid, e->session);
		break;
	case K_SESSION_START:
	case K_SESSION_END:
		n = snprintf(buf, len, "%s,\"type\":\"%s\",\"session_id\":\"s-%s-%d\"}", head,
			     e->kind == K_SESSION_START ? "session_start" : "session_end", pid, e->session);
		break;
	case K_LIMIT:
		n = snprintf(buf, len, "%s,\"type\":\"limit_set\",\"limit\":\"deposit\",\"period\":\"%s\",\"value\":%lld}",
			     head, limit_periods[e->sub % 3], (long long)e->a);
		break;
	case K_EXCLUSION:
		if (e->days)
			n = snprintf(buf, len, "%s,\"type\":\"self_exclusion\",\"days\":%d,\"source\":\"player\"}", head,
				     e->days);
		else
			n = snprintf(buf, len, "%s,\"type\":\"self_exclusion\",\"source\":\"player\"}", head);
		break;
	case K_CONTACT:
		n = snprintf(buf, len, "%s,\"type\":\"contact\",\"channel\":\"%s\",\"topic\":\"%s\"}", head,
			     channels[e->card % 3], topics[e->sub % 5]);
		break;
	}
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* Dirty input, for exercising rejects and duplicates: a repeat of the same
 * message, or a copy with one thing wrong. */
static int emit_dirty(struct rng *dirt, const char *pid, const char *json, size_t n, sim_emit_fn emit, void *ctx)
{
	char bad[1200];
	int kind = between(dirt, 0, 3);
	size_t m;
	switch (kind) {
	case 0: return emit(ctx, pid, json, n);                      /* duplicate */
	case 1: m = n / 2; memcpy(bad, json, m); break;              /* truncated */
	case 2:                                                       /* wrong type */
		m = (size_t)snprintf(bad, sizeof(bad), "{\"event_id\":\"bad-%llu\",\"type\":\"bet\",\"player_id\":\"%s\"}",
				     (unsigned long long)(rng_next(dirt) % 1000000000), pid);
		break;
	default:                                                      /* not JSON */
		m = (size_t)snprintf(bad, sizeof(bad), "%s", "<html>502 Bad Gateway</html>");
		break;
	}
	return emit(ctx, pid, bad, m);
}

int sim_run(const struct sim_config *cfg, sim_emit_fn emit, void *ctx)
{
	struct gen g = { cfg, NULL, NULL, { NULL, 0, 0, false } };
	struct rng dirt;
	int rc = 0;
	char json[1024], pid[16];

	rng_seed(&dirt, cfg->seed, 0xD1127ULL + (uint64_t)cfg->iteration);
	g.players = calloc((size_t)cfg->players, sizeof(*g.players));
	g.seqs = calloc((size_t)cfg->players, sizeof(*g.seqs));
	if (!g.players || !g.seqs) {
		rc = -1;
		goto out;
	}
	for (int i = 0; i < cfg->players; i++) {
		player_init(&g.players[i], cfg, i);
		/* A later --loop round continues the same players, later in time. */
		for (int it = 0; it < cfg->iteration; it++) {
			rng_next(&g.players[i].rng);
			rng_next(&g.players[i].facts);
		}
	}
	struct sim_config shifted = *cfg;
	shifted.start_ms = cfg->start_ms + (int64_t)cfg->iteration * cfg->days * MS_PER_DAY;
	g.cfg = &shifted;
	for (int day = 0; day < cfg->days && rc == 0; day++) {
		g.buf.n = 0;
		for (int i = 0; i < cfg->players; i++)
			player_day(&g, i, day);
		if (g.buf.oom) {
			rc = -1;
			break;
		}
		if (g.buf.n) /* qsort's base must not be NULL, even for no elements */
			qsort(g.buf.ev, g.buf.n, sizeof(*g.buf.ev), cmp_event);
		for (size_t k = 0; k < g.buf.n && rc == 0; k++) {
			if (cfg->pace && (rc = cfg->pace(ctx, g.buf.ev[k].ts_ms)) != 0)
				break;
			size_t n = format_event(&g, &g.buf.ev[k], json, sizeof(json));
			sim_player_id(g.buf.ev[k].player, pid, sizeof(pid));
			rc = emit(ctx, pid, json, n);
			if (rc == 0 && cfg->dirty_permille > 0 && (int)(rng_next(&dirt) % 1000) < cfg->dirty_permille)
				rc = emit_dirty(&dirt, pid, json, n, emit, ctx);
		}
	}
out:
	free(g.buf.ev);
	free(g.players);
	free(g.seqs);
	return rc;
}
