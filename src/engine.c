/* engine.c -- applies validated events to fixed-size player state: the
 * aggregates of each event type, then the policy's rules, markers, score
 * and level. Pure: no I/O, no clock, no globals; time is the event's time. */
#include "rgmon/engine.h"
#include "rgmon/digest.h"
#include "rgmon/score.h"
#include "rgmon/timestamp.h"
#include "rules/rule_ctx.h"

#include <string.h>

/* The bucket for `day`, recycling the slot when `day` is newer than what it
 * holds; NULL when the day is older than the window kept. */
static struct day_totals *day_for_update(struct player_state *st, int32_t day)
{
	struct day_totals *b = &st->days[state_day_slot(day)];
	if (b->day == day)
		return b;
	if (b->day != ENGINE_DAY_UNUSED && b->day > day)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->day = day;
	return b;
}

/* The hourly bucket of ms, recycling its slot when that hour is newer
 * than what it holds; NULL when the hour is older than the ring. */
static struct hour_totals *hour_for_update(struct player_state *st, int64_t ms)
{
	if (ms < MS_PER_HOUR)
		return NULL;
	uint32_t hour = (uint32_t)(ms / MS_PER_HOUR);
	struct hour_totals *h = &st->hours[hour % ENGINE_HOURS];
	if (h->hour == hour)
		return h;
	if (h->hour > hour)
		return NULL;
	memset(h, 0, sizeof(*h));
	h->hour = hour;
	return h;
}

static uint16_t add_u16(uint16_t a) { return a == UINT16_MAX ? a : (uint16_t)(a + 1); }
static uint8_t add_u8(uint8_t a) { return a == UINT8_MAX ? a : (uint8_t)(a + 1); }
static void add32(int32_t *field, int64_t v) { *field = state_sat32((int64_t)*field + v); }

/* ---- aggregates --------------------------------------------------------- */

int64_t engine_session_spread_from(const struct tz_rule *tz, int64_t start_ms, int64_t end_ms)
{
	int64_t first_kept = tz_day_start_utc(tz, tz_local_day(tz, end_ms) - (ENGINE_DAYS - 1));
	return start_ms > first_kept ? start_ms : first_kept;
}

/* Splits a closed session's play time over the local days it spans, from
 * the first day the state can keep: a session open since year 1 costs no
 * more than one of a month. */
static void add_session_time(struct player_state *st, int64_t start_ms, int64_t end_ms,
			     const struct tz_rule *tz, struct engine_result *res)
{
	if (end_ms <= start_ms)
		return;
	int64_t t = engine_session_spread_from(tz, start_ms, end_ms);
	if (t > start_ms) /* its earlier days are older than the kept days */
		res->outside_window = true;
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
	uint64_t h = digest_fnv1a(ev->session_id);
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
			struct rule_step *step, struct engine_result *res)
{
	uint64_t h = digest_fnv1a(ev->session_id);
	for (int i = 0; i < ENGINE_OPEN_SESSIONS; i++)
		if (st->sessions[i].id_hash == h) {
			add_session_time(st, st->sessions[i].start_ms, ev->ts_ms, tz, res);
			step->session_minutes = (ev->ts_ms - st->sessions[i].start_ms) / MS_PER_MIN;
			st->sessions[i].id_hash = 0;
			st->sessions[i].start_ms = 0;
			return;
		}
	/* An end without a known start has no duration to add. */
}

static void balance_add(struct player_state *st, int64_t v)
{
	st->balance += v;
	if (st->balance < 0) /* play with money we never saw arrive */
		st->balance = 0;
}

static void deposit(struct player_state *st, const struct event *ev, struct day_totals *b,
		    struct rule_step *step)
{
	int32_t today = b->day;
	if (ev->instrument[0]) {
		uint32_t h = (uint32_t)digest_fnv1a(ev->instrument);
		int slot = 0;
		for (int i = 0; i < ENGINE_INSTRUMENTS; i++) {
			if (st->instruments[i].hash == h) {
				slot = i;
				break;
			}
			if (st->instruments[i].day < st->instruments[slot].day || st->instruments[i].hash == 0)
				slot = i;
		}
		st->instruments[slot].hash = h ? h : 1;
		st->instruments[slot].day = today;
	}
	if (ev->deposit_status == DEPOSIT_DECLINED) {
		b->declined = add_u16(b->declined);
		/* ring: overwrite the oldest */
		int oldest = 0;
		for (int i = 1; i < ENGINE_DECLINES; i++)
			if (st->declined_min[i] < st->declined_min[oldest])
				oldest = i;
		st->declined_min[oldest] = state_minutes_of(ev->ts_ms);
		return;
	}
	add32(&b->deposited, ev->amount);
	b->deposits = add_u16(b->deposits);
	if (ev->has_instrument_type && ev->instrument_type == INSTRUMENT_CREDIT_CARD)
		b->credit_deposits = add_u8(b->credit_deposits);
	struct hour_totals *h = hour_for_update(st, ev->ts_ms);
	if (h)
		add32(&h->deposited, ev->amount);

	step->loss_before = st->loss_since_deposit;
	step->balance_before = st->balance;
	step->minutes_after_loss =
		st->last_loss_ms == ENGINE_NO_TIME || ev->ts_ms < st->last_loss_ms
			? -1 : (ev->ts_ms - st->last_loss_ms) / MS_PER_MIN;

	int oldest = 0;
	for (int i = 1; i < ENGINE_RECENT_DEPOSITS; i++)
		if (st->deposits[i].ts_ms < st->deposits[oldest].ts_ms)
			oldest = i;
	struct recent_deposit *d = &st->deposits[oldest];
	d->ts_ms = ev->ts_ms;
	d->amount = ev->amount;
	d->loss_before = state_sat32(st->loss_since_deposit);
	d->minutes_after_loss = step->minutes_after_loss < 0 || step->minutes_after_loss >= UINT16_MAX
		? UINT16_MAX : (uint16_t)step->minutes_after_loss;

	st->loss_since_deposit = 0;
	balance_add(st, ev->amount);
}

static void game_round(struct player_state *st, const struct event *ev, struct day_totals *b,
		       int64_t local_ms, struct rule_step *step)
{
	int64_t loss = ev->stake - ev->payout;
	add32(&b->staked, ev->stake);
	add32(&b->net_loss, loss);
	b->rounds = add_u16(b->rounds);
	if (ev->has_game_category && ev->game_category == GAME_SLOTS) {
		add32(&b->slot_staked, ev->stake);
		b->slot_rounds = add_u16(b->slot_rounds);
		if (ev->stake > b->max_slot_stake)
			b->max_slot_stake = state_sat32(ev->stake);
		step->last_slot_before_ms = st->last_slot_round_ms;
		if (st->last_slot_round_ms == ENGINE_NO_TIME || ev->ts_ms > st->last_slot_round_ms)
			st->last_slot_round_ms = ev->ts_ms;
	}
	struct hour_totals *h = hour_for_update(st, ev->ts_ms);
	if (h) {
		add32(&h->staked, ev->stake);
		add32(&h->net_loss, loss);
	}
	int64_t ms_of_day = local_ms - ts_floor_div(local_ms, MS_PER_DAY) * MS_PER_DAY;
	if (ms_of_day < 6 * MS_PER_HOUR)
		b->night_rounds = add_u16(b->night_rounds);

	step->stake_avg_before = st->stake_avg;
	step->losing_streak_before = st->losing_streak;
	step->last_loss_before_ms = st->last_loss_ms;
	/* Average stake, a moving average with weight 1/8 (the first round sets it). */
	st->stake_avg = st->stake_avg == 0 ? ev->stake : st->stake_avg + (ev->stake - st->stake_avg) / 8;
	st->loss_since_deposit += loss;
	balance_add(st, -loss);
	if (loss > 0) {
		st->last_loss_ms = ev->ts_ms;
		if (st->losing_streak < UINT16_MAX)
			st->losing_streak++;
	} else {
		st->losing_streak = 0;
	}
}

static void withdrawal(struct player_state *st, const struct event *ev, struct day_totals *b)
{
	/* The money leaves the balance on request and comes back if cancelled. */
	switch (ev->withdrawal_status) {
	case WITHDRAWAL_REQUESTED:
		balance_add(st, -ev->amount);
		break;
	case WITHDRAWAL_CANCELLED:
		b->withdrawals_cancelled = add_u8(b->withdrawals_cancelled);
		balance_add(st, ev->amount);
		break;
	case WITHDRAWAL_COMPLETED:
		add32(&b->withdrawn, ev->amount);
		break;
	}
}

/* A birth date is preferred over a birth year and sets both. A later year
 * alone keeps the date when they agree, and replaces it when they do not
 * (the platform corrected the profile). */
static void account(struct player_state *st, const struct event *ev)
{
	if (ev->has_birth_date) {
		int64_t y;
		unsigned m, d;
		ts_civil_from_days(ev->birth_date, &y, &m, &d);
		st->has_birth_date = true;
		st->birth_date = ev->birth_date;
		st->has_birth_year = true;
		st->birth_year = (int16_t)y;
	} else if (ev->has_birth_year) {
		if (st->has_birth_date && st->birth_year != ev->birth_year) {
			st->has_birth_date = false;
			st->birth_date = 0;
		}
		st->has_birth_year = true;
		st->birth_year = (int16_t)ev->birth_year;
	}
	if (ev->has_country)
		memcpy(st->country, ev->country, sizeof(st->country));
	if (ev->has_language)
		memcpy(st->language, ev->language, sizeof(st->language));
}

/* Updates the aggregates; fills step with what the rules need of the moment.
 * local_ms is the event's local time in tz (UTC plus the offset in force). */
static void aggregate(struct player_state *st, const struct event *ev, const struct tz_rule *tz, int64_t local_ms,
		      struct rule_step *step, struct engine_result *res)
{
	struct day_totals *b = NULL;

	if (st->first_seen_ms == ENGINE_NO_TIME || ev->ts_ms < st->first_seen_ms)
		st->first_seen_ms = ev->ts_ms;
	if (st->last_seen_ms == ENGINE_NO_TIME || ev->ts_ms > st->last_seen_ms)
		st->last_seen_ms = ev->ts_ms;
	if (ev->currency[0] && !st->currency[0])
		memcpy(st->currency, ev->currency, sizeof(st->currency));
	step->excluded = state_excluded_at(st, ev->ts_ms);

	switch (ev->type) {
	case EVENT_DEPOSIT:
	case EVENT_WITHDRAWAL:
	case EVENT_GAME_ROUND:
	case EVENT_CONTACT:
		b = day_for_update(st, (int32_t)ts_floor_div(local_ms, MS_PER_DAY));
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
		deposit(st, ev, b, step);
		break;
	case EVENT_WITHDRAWAL:
		withdrawal(st, ev, b);
		break;
	case EVENT_GAME_ROUND:
		game_round(st, ev, b, local_ms, step);
		break;
	case EVENT_CONTACT:
		if (ev->topic == TOPIC_BONUS_REQUEST)
			b->bonus_requests = add_u8(b->bonus_requests);
		else if (ev->topic == TOPIC_WITHDRAWAL_DELAY || ev->topic == TOPIC_COMPLAINT)
			b->complaints = add_u8(b->complaints);
		break;
	case EVENT_SESSION_START:
		session_start(st, ev);
		/* Stake escalation is judged within a sitting: a new session may
		 * start at a different stake without chasing anything. */
		st->losing_streak = 0;
		st->stake_avg = 0;
		break;
	case EVENT_SESSION_END:
		session_end(st, ev, tz, step, res);
		break;
	case EVENT_LIMIT_SET: {
		struct player_limit *l = &st->limits[ev->limit][ev->period];
		step->limit_before = l->value;
		step->limit_changed_before_ms = l->value ? (int64_t)st->limit_changed_min[ev->limit][ev->period] * MS_PER_MIN
							 : ENGINE_NO_TIME;
		l->previous_value = l->value;
		l->value = ev->value;
		st->limit_changed_min[ev->limit][ev->period] = state_minutes_of(ev->ts_ms);
		break;
	}
	case EVENT_SELF_EXCLUSION:
		st->excluded_from_ms = ev->ts_ms;
		st->excluded_until_ms = ev->has_days ? ev->ts_ms + (int64_t)ev->days * MS_PER_DAY : ENGINE_FOREVER;
		st->exclusion_source = (uint8_t)ev->source;
		break;
	case EVENT_ACCOUNT:
		account(st, ev);
		break;
	case EVENT_TYPE_COUNT:
		break;
	}
}

/* ---- rules, markers, score and level ------------------------------------ */

/* The calendar month (year * 12 + month) of a local day. */
static int64_t month_of_day(int32_t day)
{
	int64_t y;
	unsigned m, d;
	ts_civil_from_days(day, &y, &m, &d);
	return y * 12 + (int64_t)m;
}

/* An obligation that holds is owed when it did not hold yet this calendar
 * month: the task comes again in a later month, not at every event. */
static void owe(struct player_state *st, const struct policy *pol, int rule, const int64_t v[RULE_VALUES],
		int64_t now_ms, int32_t today, struct engine_result *res)
{
	uint32_t last = st->rule_held_min[rule], now_min = state_minutes_of(now_ms);
	bool owed = last == 0 ||
		    month_of_day(tz_local_day(&pol->tz, (int64_t)last * MS_PER_MIN)) != month_of_day(today);
	if (now_min > last)
		st->rule_held_min[rule] = now_min;
	if (!owed || res->nowed >= ENGINE_OWED_MAX)
		return;
	struct engine_owed *o = &res->owed[res->nowed++];
	o->rule = (uint8_t)rule;
	for (int i = 0; i < RULE_VALUES; i++)
		o->v[i] = state_sat32(v[i]);
}

/* What a firing is worth at full strength: the rule's weight, or what its
 * points function says (a money tier, the days it held on); a pattern then
 * shrinks with the money at stake below the pack's material amount. */
static int firing_points(const struct rule_ctx *c, int r, const int64_t v[RULE_VALUES])
{
	const struct rule_def *d = rule_defs[r];
	int pts = d->points ? d->points(c, v) : c->rule->weight;
	if (pts >= RULE_POINTS_STRONG)
		return RULE_POINTS_STRONG;
	int64_t material = c->cur >= 0 ? c->pol->material[c->cur] : 0;
	if (d->stake && material > 0) {
		int64_t stake = d->stake(v);
		if (stake < material)
			pts = (int)((int64_t)pts * (stake > 0 ? stake : 0) / material);
	}
	return pts < 1 ? 1 : pts > 100 ? 100 : pts;
}

int engine_rule_counted(const struct player_state *st, const struct event *ev, const struct policy *pol, int rule,
			int64_t ts[RULE_COUNTED_MAX])
{
	if (rule < 0 || rule >= RULE_COUNT || !rule_defs[rule]->counted)
		return 0;
	struct rule_ctx c = {
		.st = st, .ev = ev, .pol = pol, .rule = &pol->rules[rule],
		.cur = policy_currency_index(pol, st->currency),
		.today = tz_local_day(&pol->tz, ev->ts_ms),
		.now_ms = ev->ts_ms,
	};
	return rule_defs[rule]->counted(&c, ts);
}

void engine_apply(struct player_state *st, const struct event *ev, const struct policy *pol,
		  struct engine_result *res)
{
	struct rule_step step;
	memset(res, 0, sizeof(*res));
	memset(&step, 0, sizeof(step));
	step.minutes_after_loss = -1;
	step.session_minutes = -1;
	step.limit_changed_before_ms = ENGINE_NO_TIME;
	step.last_loss_before_ms = ENGINE_NO_TIME;
	step.last_slot_before_ms = ENGINE_NO_TIME;
	res->level_before = st->level;

	/* The zone's offset is looked up once per event: the local day and
	 * the hour of night both come from it (tz_local_day does the same sum). */
	int64_t local_ms = ev->ts_ms + (int64_t)tz_offset_at(&pol->tz, ev->ts_ms) * 1000;
	int32_t today = (int32_t)ts_floor_div(local_ms, MS_PER_DAY);
	aggregate(st, ev, &pol->tz, local_ms, &step, res);

	/* The rules below write only markers and rule_held_min, never the
	 * day buckets, so one memo of the window sums serves the whole pass. */
	struct rule_memo memo;
	struct rule_ctx c = {
		.st = st, .ev = ev, .pol = pol, .step = &step,
		.cur = policy_currency_index(pol, st->currency),
		.today = today,
		.now_ms = ev->ts_ms,
		.memo = &memo,
	};
	state_windows_init(&memo.windows, st, c.today, c.now_ms);
	memo.first_day_known = false;
	memset(memo.period_days, 0, sizeof(memo.period_days));
	bool strong = false;
	/* The enabled rules this type of event triggers (policy.h). */
	int nrules = ev->type < EVENT_TYPE_COUNT ? pol->ntype_rules[ev->type] : 0;
	for (int k = 0; k < nrules; k++) {
		int r = pol->type_rules[ev->type][k];
		const struct policy_rule *pr = &pol->rules[r];
		int64_t v[RULE_VALUES] = { 0 };
		/* A rule that starts on a date does not hold for events before
		 * that local day ("effective_from"). */
		if (c.today < pr->effective_from)
			continue;
		c.rule = pr;
		if (!rule_defs[r]->eval(&c, v))
			continue;
		if (pr->kind == RULE_KIND_OBLIGATION) {
			owe(st, pol, r, v, ev->ts_ms, c.today, res);
			continue;
		}
		res->held_rules[res->nheld++] = (uint8_t)r;
		int pts = firing_points(&c, r, v);
		bool is_strong = pr->strong || pts == RULE_POINTS_STRONG;
		/* A rule the pack calls strong (a breach) raises every time it
		 * holds; a strong money tier, like any marker, when it is new
		 * evidence: first reached, risen, or held again after a day. */
		bool fresh = score_hold(st, pol, r, v, is_strong ? 100 : pts, ev->ts_ms) || pr->strong;
		if (fresh)
			res->new_rules[res->nnew++] = (uint8_t)r;
		if (is_strong && fresh && !strong) {
			strong = true;
			res->raise_rule = (uint8_t)r;
		}
	}
	int score = score_at(st, pol, ev->ts_ms);
	enum risk_level level = state_excluded_at(st, ev->ts_ms)
		? LEVEL_EXCLUDED
		: score_level(pol, score, st->level == LEVEL_EXCLUDED ? LEVEL_GREEN : (enum risk_level)st->level, strong);
	st->score = (uint8_t)score;
	st->level = (uint8_t)level;
	res->score = (uint8_t)score;
	res->level = (uint8_t)level;

	/* An alert when a strong marker fires, or when the level rises to amber
	 * or red (entering an exclusion is the player's own act, not an alert). */
	if (strong) {
		res->raise = true;
		res->raise_strong = true;
	} else if (level > res->level_before && level <= LEVEL_RED && level >= LEVEL_AMBER) {
		int top = score_top_rule(st, pol, ev->ts_ms);
		res->raise = top >= 0;
		res->raise_rule = (uint8_t)(top >= 0 ? top : 0);
	}
}
