/* talk_fmt.c -- numbers, money and times per language (talk_fmt.h). */
#include "rgmon/talk_fmt.h"
#include "rgmon/timestamp.h"

#include <stdio.h>
#include <string.h>

enum date_order { DATE_DMY_SLASH, DATE_ISO, DATE_DMY_DASH, DATE_DMY_DOT };

struct talk_locale {
	const char *lang;
	const char *decimal, *group;
	int group_from_digits;  /* group thousands only from this many digits */
	bool pct_space;         /* "85 %" */
	bool symbol_first;      /* "€ 1.234,50" / "£1,234.50" rather than "1.234,50 €" */
	bool symbol_space;      /* a space between a leading symbol and the amount */
	enum date_order date;
};

static const struct talk_locale locales[] = {
	{ "en", ".", ",", 4, false, true, false, DATE_DMY_SLASH },
	{ "sv", ",", " ", 4, true, false, false, DATE_ISO },
	{ "nl", ",", ".", 4, false, true, true, DATE_DMY_DASH },
	{ "de", ",", ".", 4, true, false, false, DATE_DMY_DOT },
	/* Spanish leaves four-digit numbers ungrouped (RAE: "1234", "12.345"). */
	{ "es", ",", ".", 5, true, false, false, DATE_DMY_SLASH },
	{ "fr", ",", " ", 4, true, false, false, DATE_DMY_SLASH },
};

static const struct talk_locale *locale_of(const char *lang)
{
	for (size_t i = 0; i < ARRAY_SIZE(locales); i++)
		if (lang && strcmp(locales[i].lang, lang) == 0)
			return &locales[i];
	return &locales[0];
}

bool talk_fmt_known(const char *lang)
{
	for (size_t i = 0; i < ARRAY_SIZE(locales); i++)
		if (lang && strcmp(locales[i].lang, lang) == 0)
			return true;
	return false;
}

/* The digits of |n| grouped by thousands, without a sign. */
static void fmt_digits(char *buf, size_t len, uint64_t n, const struct talk_locale *loc)
{
	char digits[24], out[40];
	int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	size_t o = 0, glen = strlen(loc->group);
	for (int i = 0; i < nd && o + glen + 2 < sizeof(out); i++) {
		if (i > 0 && nd >= loc->group_from_digits && (nd - i) % 3 == 0) {
			memcpy(out + o, loc->group, glen);
			o += glen;
		}
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}

static uint64_t magnitude(int64_t n) { return n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n; }

void talk_fmt_int(char *buf, size_t len, int64_t n, const char *lang)
{
	char d[40];
	fmt_digits(d, sizeof(d), magnitude(n), locale_of(lang));
	snprintf(buf, len, "%s%s", n < 0 ? "-" : "", d);
}

void talk_fmt_pct(char *buf, size_t len, int64_t pct, const char *lang)
{
	char d[64];
	talk_fmt_int(d, sizeof(d), pct, lang);
	snprintf(buf, len, "%s%s%%", d, locale_of(lang)->pct_space ? " " : "");
}

struct currency_sign {
	const char *code, *symbol;
	int decimals;
};

static const struct currency_sign currencies[] = {
	{ "EUR", "€", 2 }, { "GBP", "£", 2 }, { "USD", "$", 2 }, { "CAD", "$", 2 },
	{ "SEK", "kr", 2 }, { "NOK", "kr", 2 }, { "DKK", "kr", 2 },
	/* no minor unit in use (as rule_fmt_money) */
	{ "JPY", NULL, 0 }, { "KRW", NULL, 0 }, { "ISK", NULL, 0 }, { "CLP", NULL, 0 }, { "VND", NULL, 0 },
	{ "HUF", NULL, 0 },
};

void talk_fmt_money(char *buf, size_t len, int64_t minor, const char *currency, const char *lang)
{
	const struct talk_locale *loc = locale_of(lang);
	const char *symbol = NULL;
	int decimals = 2;
	for (size_t i = 0; i < ARRAY_SIZE(currencies); i++)
		if (currency && strcmp(currencies[i].code, currency) == 0) {
			symbol = currencies[i].symbol;
			decimals = currencies[i].decimals;
		}
	uint64_t m = magnitude(minor), unit = decimals ? 100 : 1;
	char whole[40], amount[64];
	fmt_digits(whole, sizeof(whole), m / unit, loc);
	if (decimals && m % unit)
		snprintf(amount, sizeof(amount), "%s%s%02llu", whole, loc->decimal, (unsigned long long)(m % unit));
	else
		snprintf(amount, sizeof(amount), "%s", whole);
	const char *sign = minor < 0 ? "-" : "";
	bool kr = symbol && strcmp(symbol, "kr") == 0;
	const char *code = currency && *currency ? currency : "";
	if ((!symbol || kr) && loc->symbol_first) /* "SEK 1,234.50": no "kr1,234.50" */
		snprintf(buf, len, "%s%s %s", sign, code, amount);
	else if (!symbol)
		snprintf(buf, len, "%s%s %s", sign, amount, code);
	else if (loc->symbol_first)
		snprintf(buf, len, "%s%s%s%s", sign, symbol, loc->symbol_space ? " " : "", amount);
	else
		snprintf(buf, len, "%s%s %s", sign, amount, symbol);
}

void talk_fmt_seconds(char *buf, size_t len, int64_t ms, const char *lang)
{
	uint64_t m = magnitude(ms);
	snprintf(buf, len, "%s%llu%s%llu s", ms < 0 ? "-" : "", (unsigned long long)(m / 1000), locale_of(lang)->decimal,
		 (unsigned long long)(m % 1000 / 100));
}

void talk_fmt_duration(char *buf, size_t len, int64_t minutes)
{
	if (minutes < 60)
		snprintf(buf, len, "%lld min", (long long)minutes);
	else
		snprintf(buf, len, "%lld h %02lld min", (long long)(minutes / 60), (long long)(minutes % 60));
}

void talk_fmt_when(char *buf, size_t len, int64_t utc_ms, int32_t offset_s, const char *lang)
{
	int64_t local_s = ts_floor_div(utc_ms, 1000) + offset_s;
	int64_t days = ts_floor_div(local_s, 86400), secs = local_s - days * 86400, y;
	unsigned m, d;
	ts_civil_from_days(days, &y, &m, &d);
	int hh = (int)(secs / 3600), mm = (int)(secs % 3600 / 60);
	switch (locale_of(lang)->date) {
	case DATE_ISO:
		snprintf(buf, len, "%04lld-%02u-%02u %02d:%02d", (long long)y, m, d, hh, mm);
		break;
	case DATE_DMY_DASH:
		snprintf(buf, len, "%02u-%02u-%04lld %02d:%02d", d, m, (long long)y, hh, mm);
		break;
	case DATE_DMY_DOT:
		snprintf(buf, len, "%02u.%02u.%04lld %02d:%02d", d, m, (long long)y, hh, mm);
		break;
	default:
		snprintf(buf, len, "%02u/%02u/%04lld %02d:%02d", d, m, (long long)y, hh, mm);
	}
}
