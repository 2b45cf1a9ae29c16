/* state_codec.c -- struct player_state <-> bytes, for the store.
 *
 * One walk over the fields serves both directions, so the encoder and the
 * decoder cannot drift apart. Little-endian, fixed widths; slots that are
 * free (days, sessions, deposits, markers) are skipped with a count. A
 * leaf: uses state.h's layout and inline helpers, nothing else.
 *
 * The first byte is the format. The encoder always writes the newest;
 * the decoder also reads every older format still in databases, where the
 * fields a format lacks keep state_init's values. Formats:
 *   2  the state before 2026-12;
 *   3  adds the birth date and language after the fixed fields, and the
 *      slot and credit-card counts at the end of each day bucket; later
 *      (still format 3) the time of the latest slot round at the very
 *      end, which a state stored before it lacks.
 * Days are written by their day number, not their slot, so a state
 * written when the ring held 30 days reads into today's ENGINE_DAYS.
 *
 * Packed (the store's form since 2026-12, state_codec_encode_packed): the
 * format byte with its high bit set, then the bytes after it with every
 * run of zero bytes written as 0x00 and the run's length (1-255). The
 * fixed-width fields hold mostly zeros (unset limits, rules never held,
 * the high bytes of small amounts): a state packs to about a third. */
#include "rgmon/state_codec.h"

#include <string.h>

#define STATE_FORMAT 3        /* written */
#define STATE_FORMAT_OLDEST 2 /* still read */
#define STATE_FORMAT2_RULES 25 /* format 2 wrote rule_held_min for exactly these */
_Static_assert(RULE_COUNT <= UINT8_MAX, "the rule count fits the format's count byte");

struct codec {
	uint8_t *p, *end;       /* encoding */
	const uint8_t *rp;      /* decoding */
	bool decoding, bad;
	uint8_t format;         /* of the bytes being written or read */
};

static uint64_t codec_raw(struct codec *c, uint64_t v, int bytes)
{
	if (c->end - (c->decoding ? c->rp : c->p) < bytes) {
		c->bad = true;
		return 0;
	}
	if (!c->decoding) {
		for (int i = 0; i < bytes; i++)
			*c->p++ = (uint8_t)(v >> (8 * i));
		return v;
	}
	v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)*c->rp++ << (8 * i);
	return v;
}

static void c_i64(struct codec *c, int64_t *v) { *v = (int64_t)codec_raw(c, (uint64_t)*v, 8); }
static void c_i32(struct codec *c, int32_t *v) { *v = (int32_t)(uint32_t)codec_raw(c, (uint32_t)*v, 4); }
static void c_u32(struct codec *c, uint32_t *v) { *v = (uint32_t)codec_raw(c, *v, 4); }
static void c_u64(struct codec *c, uint64_t *v) { *v = codec_raw(c, *v, 8); }
static void c_u16(struct codec *c, uint16_t *v) { *v = (uint16_t)codec_raw(c, *v, 2); }
static void c_i16(struct codec *c, int16_t *v) { *v = (int16_t)(uint16_t)codec_raw(c, (uint16_t)*v, 2); }
static void c_u8(struct codec *c, uint8_t *v) { *v = (uint8_t)codec_raw(c, *v, 1); }
static void c_bool(struct codec *c, bool *v) { *v = codec_raw(c, *v, 1) != 0; }
static void c_chars(struct codec *c, char *s, int n)
{
	for (int i = 0; i < n; i++)
		s[i] = (char)codec_raw(c, (uint8_t)s[i], 1);
}

/* A count of used slots, then the used slots. On decode, slots fill from
 * the front (or by state_day_slot for days, whose slot follows from the
 * day). */
static int c_count(struct codec *c, int used, int max)
{
	uint8_t n = (uint8_t)used;
	c_u8(c, &n);
	if (n > max)
		c->bad = true;
	return c->bad ? 0 : n;
}

/* The format byte, then every field that is always there. False when the
 * format is not ours: nothing else can be read. */
static bool codec_fixed(struct codec *c, struct player_state *st)
{
	c_u8(c, &c->format);
	if (c->format < STATE_FORMAT_OLDEST || c->format > STATE_FORMAT) {
		c->bad = true;
		return false;
	}
	c_i64(c, &st->first_seen_ms);
	c_i64(c, &st->last_seen_ms);
	c_i64(c, &st->excluded_from_ms);
	c_i64(c, &st->excluded_until_ms);
	c_i64(c, &st->last_loss_ms);
	c_i64(c, &st->loss_since_deposit);
	c_i64(c, &st->balance);
	c_i64(c, &st->stake_avg);
	c_u16(c, &st->losing_streak);
	c_u8(c, &st->exclusion_source);
	c_u8(c, &st->level);
	c_u8(c, &st->score);
	c_bool(c, &st->has_birth_year);
	c_i16(c, &st->birth_year);
	c_chars(c, st->country, 2);
	c_chars(c, st->currency, 3);
	/* Format 3 counts the rules, so that adding one changes no layout. */
	int nrules = c->format >= 3 ? c_count(c, RULE_COUNT, UINT8_MAX) : STATE_FORMAT2_RULES;
	for (int r = 0; r < nrules; r++) {
		uint32_t held = r < RULE_COUNT ? st->rule_held_min[r] : 0;
		c_u32(c, &held);
		if (r < RULE_COUNT) /* a rule of a newer version is not kept */
			st->rule_held_min[r] = held;
	}
	for (int k = 0; k < LIMIT_KIND_COUNT; k++)
		for (int p = 0; p < PERIOD_COUNT; p++) {
			c_i64(c, &st->limits[k][p].value);
			c_i64(c, &st->limits[k][p].previous_value);
			c_u32(c, &st->limit_changed_min[k][p]);
		}
	for (int i = 0; i < ENGINE_INSTRUMENTS; i++) {
		c_u32(c, &st->instruments[i].hash);
		c_i32(c, &st->instruments[i].day);
	}
	for (int i = 0; i < ENGINE_DECLINES; i++)
		c_u32(c, &st->declined_min[i]);
	if (c->format >= 3) {
		c_bool(c, &st->has_birth_date);
		c_i32(c, &st->birth_date);
		c_chars(c, st->language, 2);
	}
	return true;
}

static void codec_sessions(struct codec *c, struct player_state *st)
{
	int used = 0;
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		used += st->sessions[i].id_hash != 0;
	used = c_count(c, used, ENGINE_OPEN_SESSIONS);
	for (int i = 0, k = 0; k < used && i < ENGINE_OPEN_SESSIONS; i++) {
		struct open_session *s = &st->sessions[c->decoding ? k : i];
		if (!c->decoding && !s->id_hash)
			continue;
		c_u64(c, &s->id_hash);
		c_i64(c, &s->start_ms);
		k++;
	}
}

static void codec_deposits(struct codec *c, struct player_state *st)
{
	int used = 0;
	for (int i = 0; i < ENGINE_RECENT_DEPOSITS; i++)
		used += st->deposits[i].ts_ms != 0;
	used = c_count(c, used, ENGINE_RECENT_DEPOSITS);
	for (int i = 0, k = 0; k < used && i < ENGINE_RECENT_DEPOSITS; i++) {
		struct recent_deposit *d = &st->deposits[c->decoding ? k : i];
		if (!c->decoding && !d->ts_ms)
			continue;
		c_i64(c, &d->ts_ms);
		c_i64(c, &d->amount);
		c_i32(c, &d->loss_before);
		c_u16(c, &d->minutes_after_loss);
		k++;
	}
}

/* The markers held, counted: written, or read (bounded). Both marker
 * sections (the markers, then their points in the format 3 tail) walk
 * the same held slots in the same order. */
static int c_marker_count(struct codec *c, const struct player_state *st)
{
	int used = 0;
	for (int i = 0; i < ENGINE_MARKERS; i++)
		used += st->markers[i].rule < RULE_COUNT;
	return c_count(c, used, ENGINE_MARKERS);
}

static void codec_markers(struct codec *c, struct player_state *st)
{
	int used = c_marker_count(c, st);
	for (int i = 0, k = 0; k < used && i < ENGINE_MARKERS; i++) {
		struct marker *m = &st->markers[c->decoding ? k : i];
		if (!c->decoding && m->rule >= RULE_COUNT)
			continue;
		c_u8(c, &m->rule);
		c_u32(c, &m->at_min);
		for (int v = 0; v < RULE_VALUES; v++)
			c_i32(c, &m->v[v]);
		if (m->rule >= RULE_COUNT)
			c->bad = true;
		k++;
	}
}

static void c_day(struct codec *c, struct day_totals *b)
{
	c_i32(c, &b->day);
	c_i32(c, &b->session_seconds);
	c_i32(c, &b->deposited);
	c_i32(c, &b->withdrawn);
	c_i32(c, &b->staked);
	c_i32(c, &b->net_loss);
	c_u16(c, &b->rounds);
	c_u16(c, &b->night_rounds);
	c_u16(c, &b->deposits);
	c_u16(c, &b->declined);
	c_u8(c, &b->withdrawals_cancelled);
	c_u8(c, &b->bonus_requests);
	c_u8(c, &b->complaints);
	if (c->format >= 3) {
		c_i32(c, &b->slot_staked);
		c_i32(c, &b->max_slot_stake);
		c_u16(c, &b->slot_rounds);
		c_u8(c, &b->credit_deposits);
	}
}

static void codec_days(struct codec *c, struct player_state *st)
{
	int used = 0;
	for (int i = 0; i < ENGINE_DAYS; i++)
		used += st->days[i].day != ENGINE_DAY_UNUSED;
	used = c_count(c, used, ENGINE_DAYS);
	for (int i = 0, k = 0; k < used && i < ENGINE_DAYS; i++) {
		if (!c->decoding) {
			if (st->days[i].day == ENGINE_DAY_UNUSED)
				continue;
			c_day(c, &st->days[i]);
		} else {
			struct day_totals b;
			memset(&b, 0, sizeof(b));
			c_day(c, &b);
			if (b.day == ENGINE_DAY_UNUSED) {
				c->bad = true;
				return;
			}
			/* A state written with a ring of another size (30 days
			 * before 2026-12) may hold two days that share a slot
			 * in this one: the newer keeps it, as in the engine. */
			struct day_totals *slot = &st->days[state_day_slot(b.day)];
			if (slot->day == ENGINE_DAY_UNUSED || slot->day < b.day)
				*slot = b;
		}
		k++;
	}
}

/* Format 3's tail: the hourly money buckets and each marker's points (in
 * the order of the markers section), counted. A format 2 state ends before
 * it: nothing of it held yet. */
static void codec_extension(struct codec *c, struct player_state *st)
{
	if (c->format < 3)
		return;
	int used = 0;
	for (int i = 0; i < ENGINE_HOURS; i++)
		used += st->hours[i].hour != 0;
	used = c_count(c, used, ENGINE_HOURS);
	for (int i = 0, k = 0; k < used && i < ENGINE_HOURS; i++) {
		struct hour_totals h = st->hours[i];
		if (!c->decoding && !h.hour)
			continue;
		c_u32(c, &h.hour);
		c_i32(c, &h.deposited);
		c_i32(c, &h.staked);
		c_i32(c, &h.net_loss);
		if (c->decoding) {
			if (!h.hour) {
				c->bad = true;
				return;
			}
			st->hours[h.hour % ENGINE_HOURS] = h;
		}
		k++;
	}

	used = c_marker_count(c, st);
	for (int i = 0, k = 0; k < used && i < ENGINE_MARKERS; i++) {
		struct marker *m = &st->markers[c->decoding ? k : i];
		if (!c->decoding && m->rule >= RULE_COUNT)
			continue;
		c_u8(c, &m->points);
		if (m->points > 100)
			c->bad = true;
		k++;
	}
}

/* The time of the latest slot round (the slot game-cycle rule), after
 * the format 3 tail. A format 3 state stored before this field ends just
 * before it: it decodes as "no slot round seen", as a format 2 state. */
static void codec_slot_round(struct codec *c, struct player_state *st)
{
	if (c->format < 3 || c->bad || (c->decoding && c->rp == c->end))
		return;
	c_i64(c, &st->last_slot_round_ms);
}

static void codec_state(struct codec *c, struct player_state *st)
{
	if (!codec_fixed(c, st))
		return;
	codec_sessions(c, st);
	codec_deposits(c, st);
	codec_markers(c, st);
	codec_days(c, st);
	codec_extension(c, st);
	codec_slot_round(c, st);
}

size_t state_codec_encode(const struct player_state *st, uint8_t *buf, size_t len)
{
	struct codec c = { .p = buf, .end = buf + len, .format = STATE_FORMAT };
	/* The walk only reads the state when encoding. */
	codec_state(&c, (struct player_state *)(uintptr_t)st);
	return c.bad ? 0 : (size_t)(c.p - buf);
}

#define PACKED 0x80 /* the format byte's flag: zero runs packed */

size_t state_codec_encode_packed(const struct player_state *st, uint8_t *buf, size_t len)
{
	uint8_t raw[STATE_CODEC_MAX], packed[2 * STATE_CODEC_MAX]; /* a lone zero takes two */
	size_t n = state_codec_encode(st, raw, sizeof(raw)), o = 1;
	if (n == 0)
		return 0;
	packed[0] = (uint8_t)(raw[0] | PACKED);
	for (size_t i = 1; i < n;) {
		if (raw[i] != 0) {
			packed[o++] = raw[i++];
			continue;
		}
		size_t run = 1;
		while (i + run < n && raw[i + run] == 0 && run < UINT8_MAX)
			run++;
		packed[o++] = 0;
		packed[o++] = (uint8_t)run;
		i += run;
	}
	/* Packing gains nothing: the plain form. */
	const uint8_t *out = o < n ? packed : raw;
	size_t outlen = o < n ? o : n;
	if (outlen > len)
		return 0;
	memcpy(buf, out, outlen);
	return outlen;
}

/* buf (packed, its first byte has PACKED) unpacked into raw; the length,
 * or 0 when it is not a packing of at most STATE_CODEC_MAX bytes. */
static size_t unpack(const uint8_t *buf, size_t len, uint8_t raw[STATE_CODEC_MAX])
{
	size_t o = 1;
	raw[0] = (uint8_t)(buf[0] & ~PACKED);
	for (size_t i = 1; i < len; i++) {
		size_t run = 1;
		uint8_t v = buf[i];
		if (v == 0) {
			if (++i == len || buf[i] == 0)
				return 0; /* a run cut short, or of no zeros */
			run = buf[i];
		}
		if (o + run > STATE_CODEC_MAX)
			return 0;
		memset(raw + o, v, run);
		o += run;
	}
	return o;
}

static int decode_plain(struct player_state *st, const uint8_t *buf, size_t len)
{
	struct codec c = { .rp = buf, .end = (uint8_t *)(uintptr_t)(buf + len), .decoding = true };
	state_init(st);
	codec_state(&c, st);
	return c.bad || c.rp != c.end ? -1 : 0;
}

int state_codec_decode(struct player_state *st, const uint8_t *buf, size_t len)
{
	if (len == 0 || !(buf[0] & PACKED))
		return decode_plain(st, buf, len);
	uint8_t raw[STATE_CODEC_MAX];
	size_t n = unpack(buf, len, raw);
	if (n == 0) {
		state_init(st);
		return -1;
	}
	return decode_plain(st, raw, n);
}
