/* engine.c -- applies validated events to fixed-size player state. Pure:
 * no I/O, no clock, no globals; time is the event's time. */
#include "rgmon/engine.h"
#include "rgmon/timestamp.h"

#include <string.h>

uint64_t engine_hash(const char *s)
{
	/* FNV-1a, 64-bit; 0 is reserved for "free slot". */
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

void engine_state_init(struct player_state *st)
{
	memset(st, 0, sizeof(*st));
	st->first_seen_ms = ENGINE_NO_TIME;
	st->last_seen_ms = ENGINE_NO_TIME;
	st->excluded_from_ms = ENGINE_NO_TIME;
	for (int i = 0; i < ENGINE_DAYS; i++)
		st->days[i].day = ENGINE_DAY_UNUSED;
}

static int slot_of(int32_t day) { return (int)(((day % ENGINE_DAYS) + ENGINE_DAYS) % ENGINE_DAYS); }

const struct day_totals *engine_day(const struct player_state *st, int32_t day)
{
	const struct day_totals *b = &st->days[slot_of(day)];
	return b->day == day ? b : NULL;
}

/* The bucket for `day`, recycling the slot when `day` is newer than what it
 * holds; NULL when the day is older than the window kept. */
static struct day_totals *day_for_update(struct player_state *st, int32_t day)
{
	struct day_totals *b = &st->days[slot_of(day)];
	if (b->day == day)
		return b;
	if (b->day != ENGINE_DAY_UNUSED && b->day > day)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->day = day;
	return b;
}

static uint16_t add_u16(uint16_t a) { return a == UINT16_MAX ? a : (uint16_t)(a + 1); }
static uint8_t add_u8(uint8_t a) { return a == UINT8_MAX ? a : (uint8_t)(a + 1); }

/* Splits a closed session's play time over the local days it spans. */
static void add_session_time(struct player_state *st, int64_t start_ms, int64_t end_ms,
			     const struct tz_rule *tz, struct engine_result *res)
{
	if (end_ms <= start_ms)
		return;
	int64_t t = start_ms;
	while (t < end_ms) {
		int32_t day = tz_local_day(tz, t);
		int64_t next = tz_day_start_utc(tz, day + 1);
		int64_t until = next < end_ms ? next : end_ms;
		struct day_totals *b = day_for_update(st, day);
		if (b) {
			int64_t secs = (until - t) / 1000 + b->session_seconds;
			b->session_seconds = (int32_t)(secs > 86400 ? 86400 : secs);
		} else {
			res->outside_window = true;
		}
		if (next <= t) /* cannot happen for a valid rule; never loop forever */
			break;
		t = until;
	}
}

static void session_start(struct player_state *st, const struct event *ev)
{
	uint64_t h = engine_hash(ev->session_id);
	int free_slot = -1, oldest = 0;
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++) {
		if (st->sessions[i].id_hash == h)
			return; /* already open: keep the first start */
		if (st->sessions[i].id_hash == 0 && free_slot < 0)
			free_slot = i;
		if (st->sessions[i].start_ms < st->sessions[oldest].start_ms)
			oldest = i;
	}
	/* All slots busy: a session that never ended is forgotten first. */
	int i = free_slot >= 0 ? free_slot : oldest;
	st->sessions[i].id_hash = h;
	st->sessions[i].start_ms = ev->ts_ms;
}

static void session_end(struct player_state *st, const struct event *ev, const struct tz_rule *tz,
			struct engine_result *res)
{
	uint64_t h = engine_hash(ev->session_id);
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		if (st->sessions[i].id_hash == h) {
			add_session_time(st, st->sessions[i].start_ms, ev->ts_ms, tz, res);
			st->sessions[i].id_hash = 0;
			st->sessions[i].start_ms = 0;
			return;
		}
	/* An end without a known start has no duration to add. */
}

void engine_apply(struct player_state *st, const struct event *ev, const struct tz_rule *tz,
		  struct engine_result *res)
{
	struct day_totals *b = NULL;

	memset(res, 0, sizeof(*res));
	if (st->first_seen_ms == ENGINE_NO_TIME || ev->ts_ms < st->first_seen_ms)
		st->first_seen_ms = ev->ts_ms;
	if (st->last_seen_ms == ENGINE_NO_TIME || ev->ts_ms > st->last_seen_ms)
		st->last_seen_ms = ev->ts_ms;
	if (ev->currency[0] && !st->currency[0])
		memcpy(st->currency, ev->currency, sizeof(st->currency));

	switch (ev->type) {
	case EVENT_DEPOSIT:
	case EVENT_WITHDRAWAL:
	case EVENT_GAME_ROUND:
	case EVENT_CONTACT:
		b = day_for_update(st, tz_local_day(tz, ev->ts_ms));
		if (!b) {
			res->outside_window = true;
			return;
		}
		break;
	default:
		break;
	}

	switch (ev->type) {
	case EVENT_DEPOSIT:
		if (ev->deposit_status == DEPOSIT_APPROVED) {
			b->deposited += ev->amount;
			b->deposits = add_u16(b->deposits);
		} else {
			b->declined = add_u16(b->declined);
		}
		break;
	case EVENT_WITHDRAWAL:
		if (ev->withdrawal_status == WITHDRAWAL_COMPLETED)
			b->withdrawn += ev->amount;
		else if (ev->withdrawal_status == WITHDRAWAL_CANCELLED)
			b->withdrawals_cancelled = add_u16(b->withdrawals_cancelled);
		break;
	case EVENT_GAME_ROUND:
		b->staked += ev->stake;
		b->net_loss += ev->stake - ev->payout;
		if (b->rounds < UINT32_MAX)
			b->rounds++;
		break;
	case EVENT_CONTACT:
		if (ev->topic == TOPIC_BONUS_REQUEST)
			b->bonus_requests = add_u8(b->bonus_requests);
		else if (ev->topic == TOPIC_WITHDRAWAL_DELAY || ev->topic == TOPIC_COMPLAINT)
			b->complaints = add_u8(b->complaints);
		break;
	case EVENT_SESSION_START:
		session_start(st, ev);
		break;
	case EVENT_SESSION_END:
		session_end(st, ev, tz, res);
		break;
	case EVENT_LIMIT_SET: {
		struct player_limit *l = &st->limits[ev->limit][ev->period];
		l->previous_value = l->value;
		l->value = ev->value;
		l->changed_ms = ev->ts_ms;
		break;
	}
	case EVENT_SELF_EXCLUSION:
		st->excluded_from_ms = ev->ts_ms;
		st->excluded_until_ms = ev->has_days ? ev->ts_ms + (int64_t)ev->days * MS_PER_DAY : ENGINE_FOREVER;
		st->exclusion_source = (uint8_t)ev->source;
		break;
	case EVENT_ACCOUNT:
		if (ev->has_birth_year) {
			st->has_birth_year = true;
			st->birth_year = (int16_t)ev->birth_year;
		}
		if (ev->has_country)
			memcpy(st->country, ev->country, sizeof(st->country));
		break;
	case EVENT_TYPE_COUNT:
		break;
	}
}

/* ---- encoding: a tiny little-endian writer/reader ---------------------- */

#define STATE_FORMAT 1

struct wbuf { uint8_t *p, *end; bool overflow; };
struct rbuf { const uint8_t *p, *end; bool underflow; };

static void put(struct wbuf *w, uint64_t v, int bytes)
{
	if (w->end - w->p < bytes) {
		w->overflow = true;
		return;
	}
	for (int i = 0; i < bytes; i++)
		*w->p++ = (uint8_t)(v >> (8 * i));
}

static uint64_t get(struct rbuf *r, int bytes)
{
	uint64_t v = 0;
	if (r->end - r->p < bytes) {
		r->underflow = true;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)*r->p++ << (8 * i);
	return v;
}

size_t engine_state_encode(const struct player_state *st, uint8_t *buf, size_t len)
{
	struct wbuf w = { buf, buf + len, false };
	int ndays = 0, nsessions = 0;

	put(&w, STATE_FORMAT, 1);
	put(&w, (uint64_t)st->first_seen_ms, 8);
	put(&w, (uint64_t)st->last_seen_ms, 8);
	put(&w, (uint64_t)st->excluded_from_ms, 8);
	put(&w, (uint64_t)st->excluded_until_ms, 8);
	put(&w, st->exclusion_source, 1);
	put(&w, st->has_birth_year, 1);
	put(&w, (uint16_t)st->birth_year, 2);
	for (int i = 0; i < 2; i++)
		put(&w, (uint8_t)st->country[i], 1);
	for (int i = 0; i < 3; i++)
		put(&w, (uint8_t)st->currency[i], 1);
	for (int k = 0; k < LIMIT_KIND_COUNT; k++)
		for (int p = 0; p < PERIOD_COUNT; p++) {
			put(&w, (uint64_t)st->limits[k][p].value, 8);
			put(&w, (uint64_t)st->limits[k][p].previous_value, 8);
			put(&w, (uint64_t)st->limits[k][p].changed_ms, 8);
		}
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		nsessions += st->sessions[i].id_hash != 0;
	put(&w, (uint64_t)nsessions, 1);
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		if (st->sessions[i].id_hash) {
			put(&w, st->sessions[i].id_hash, 8);
			put(&w, (uint64_t)st->sessions[i].start_ms, 8);
		}
	for (int i = 0; i < ENGINE_DAYS; i++)
		ndays += st->days[i].day != ENGINE_DAY_UNUSED;
	put(&w, (uint64_t)ndays, 1);
	for (int i = 0; i < ENGINE_DAYS; i++) {
		const struct day_totals *b = &st->days[i];
		if (b->day == ENGINE_DAY_UNUSED)
			continue;
		put(&w, (uint32_t)b->day, 4);
		put(&w, (uint32_t)b->session_seconds, 4);
		put(&w, (uint64_t)b->deposited, 8);
		put(&w, (uint64_t)b->withdrawn, 8);
		put(&w, (uint64_t)b->staked, 8);
		put(&w, (uint64_t)b->net_loss, 8);
		put(&w, b->rounds, 4);
		put(&w, b->deposits, 2);
		put(&w, b->declined, 2);
		put(&w, b->withdrawals_cancelled, 2);
		put(&w, b->bonus_requests, 1);
		put(&w, b->complaints, 1);
	}
	return w.overflow ? 0 : (size_t)(w.p - buf);
}

int engine_state_decode(struct player_state *st, const uint8_t *buf, size_t len)
{
	struct rbuf r = { buf, buf + len, false };

	engine_state_init(st);
	if (get(&r, 1) != STATE_FORMAT)
		return -1;
	st->first_seen_ms = (int64_t)get(&r, 8);
	st->last_seen_ms = (int64_t)get(&r, 8);
	st->excluded_from_ms = (int64_t)get(&r, 8);
	st->excluded_until_ms = (int64_t)get(&r, 8);
	st->exclusion_source = (uint8_t)get(&r, 1);
	st->has_birth_year = get(&r, 1) != 0;
	st->birth_year = (int16_t)(uint16_t)get(&r, 2);
	for (int i = 0; i < 2; i++)
		st->country[i] = (char)get(&r, 1);
	for (int i = 0; i < 3; i++)
		st->currency[i] = (char)get(&r, 1);
	for (int k = 0; k < LIMIT_KIND_COUNT; k++)
		for (int p = 0; p < PERIOD_COUNT; p++) {
			st->limits[k][p].value = (int64_t)get(&r, 8);
			st->limits[k][p].previous_value = (int64_t)get(&r, 8);
			st->limits[k][p].changed_ms = (int64_t)get(&r, 8);
		}
	int nsessions = (int)get(&r, 1);
	if (nsessions > ENGINE_OPEN_SESSIONS)
		return -1;
	for (int i = 0; i < nsessions; i++) {
		st->sessions[i].id_hash = get(&r, 8);
		st->sessions[i].start_ms = (int64_t)get(&r, 8);
	}
	int ndays = (int)get(&r, 1);
	if (ndays > ENGINE_DAYS)
		return -1;
	for (int i = 0; i < ndays; i++) {
		struct day_totals b;
		memset(&b, 0, sizeof(b));
		b.day = (int32_t)(uint32_t)get(&r, 4);
		b.session_seconds = (int32_t)(uint32_t)get(&r, 4);
		b.deposited = (int64_t)get(&r, 8);
		b.withdrawn = (int64_t)get(&r, 8);
		b.staked = (int64_t)get(&r, 8);
		b.net_loss = (int64_t)get(&r, 8);
		b.rounds = (uint32_t)get(&r, 4);
		b.deposits = (uint16_t)get(&r, 2);
		b.declined = (uint16_t)get(&r, 2);
		b.withdrawals_cancelled = (uint16_t)get(&r, 2);
		b.bonus_requests = (uint8_t)get(&r, 1);
		b.complaints = (uint8_t)get(&r, 1);
		if (b.day == ENGINE_DAY_UNUSED)
			return -1;
		st->days[slot_of(b.day)] = b;
	}
	return r.underflow || r.p != r.end ? -1 : 0;
}
