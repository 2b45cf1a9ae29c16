/* talk_fmt.h -- numbers, money and times written the way a language writes
 * them, for the talking points an agent reads to a player: "1 234,50 kr"
 * (sv), "€ 1.234,50" (nl), "1.234,50 €" (de), "£1,234.50" (en). Pure: a
 * small table per language, no C locale, no clock. An unknown language
 * writes English. */
#ifndef RGMON_TALK_FMT_H
#define RGMON_TALK_FMT_H

#include "rgmon/common.h"

/* Whether lang ("sv") has its own number format here. */
bool talk_fmt_known(const char *lang);

/* 12345 -> "12,345" (en), "12 345" (sv, fr), "12.345" (nl, de, es; es
 * groups only from five digits: "1234"). */
void talk_fmt_int(char *buf, size_t len, int64_t n, const char *lang);
/* 85 -> "85%" (en, nl), "85 %" (sv, de, es, fr). */
void talk_fmt_pct(char *buf, size_t len, int64_t pct, const char *lang);
/* Minor units in currency: "£1,234.50", "1 234,50 kr", "€ 1.234,50";
 * a whole amount drops its zero decimals ("4 500 kr"); a currency without
 * a symbol here is written by its code ("SEK 1,234.50" in English). */
void talk_fmt_money(char *buf, size_t len, int64_t minor, const char *currency, const char *lang);
/* Milliseconds as seconds with one decimal: "1.5 s", "1,5 s". */
void talk_fmt_seconds(char *buf, size_t len, int64_t ms, const char *lang);
/* Minutes as "2 h 05 min", or "45 min" under an hour. */
void talk_fmt_duration(char *buf, size_t len, int64_t minutes);
/* A local time (the UTC instant plus offset_s) as a date and time:
 * "22/11/2026 20:51" (en, es, fr), "2026-11-22 20:51" (sv),
 * "22-11-2026 20:51" (nl), "22.11.2026 20:51" (de). */
void talk_fmt_when(char *buf, size_t len, int64_t utc_ms, int32_t offset_s, const char *lang);

#endif
