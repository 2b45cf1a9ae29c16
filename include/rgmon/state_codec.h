/* state_codec.h -- the stored form of a player's state, for the store:
 * compact and portable (little-endian, fixed widths, only the slots in
 * use), with a format byte: states written by older versions still
 * decode (the fields they lack start as in state_init), and a format this
 * version does not know is refused rather than misread.
 *
 * A leaf: it knows the layout of struct player_state and nothing else --
 * no other module, no I/O, no clock, no globals. */
#ifndef RGMON_STATE_CODEC_H
#define RGMON_STATE_CODEC_H

#include "rgmon/common.h"
#include "rgmon/state.h"

/* Enough for any state. */
#define STATE_CODEC_MAX 4096

/* Writes st into buf; returns the bytes written, or 0 when len is too
 * small (STATE_CODEC_MAX always suffices). */
size_t state_codec_encode(const struct player_state *st, uint8_t *buf, size_t len);

/* The same, packed (runs of zero bytes shortened; see state_codec.c):
 * what the store keeps. Never longer than state_codec_encode's bytes,
 * which it writes instead when packing gains nothing. 0 when len is too
 * small. */
size_t state_codec_encode_packed(const struct player_state *st, uint8_t *buf, size_t len);

/* Reads a state written by state_codec_encode or state_codec_encode_packed
 * of this or an older version: 0, or -1 when buf is not exactly one state
 * of a known format (corrupt, cut short, or longer). */
int state_codec_decode(struct player_state *st, const uint8_t *buf, size_t len);

#endif
