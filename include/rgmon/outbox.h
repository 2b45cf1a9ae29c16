/* outbox.h -- the relay from the transactional outbox to Kafka.
 *
 * Decisions write their messages (alerts for rg.alerts, player flags for
 * rg.player-flags) into the store's outbox table in the transaction that
 * makes them. The relay, a thread of its own with a read-only connection,
 * publishes unsent rows in order with librdkafka's idempotent producer
 * (key = player_id, header alert_id) and reports the rows Kafka
 * acknowledged; the store's writer marks them sent. A crash between
 * delivery and marking sends a row again -- never loses one -- so queue
 * consumers dedupe on alert_id.
 *
 * The relay never writes the store: the writer takes the delivered seqs
 * with outbox_relay_take_delivered() and marks them in a short transaction. */
#ifndef RGMON_OUTBOX_H
#define RGMON_OUTBOX_H

#include "rgmon/common.h"

struct outbox_relay_config {
	const char *brokers;
	const char *const *props; /* -X name=value, as for the consumer */
	int nprops;
	const char *db_path;
};

struct outbox_relay;

struct metrics;
struct store;

struct outbox_relay *outbox_relay_start(const struct outbox_relay_config *cfg, struct metrics *m, char *err,
					size_t errlen);


/* Writer thread: marks what Kafka acknowledged as sent, in short
 * transactions of its own. Rows it could not mark are sent again later.
 * Every ten minutes also deletes rows sent more than a week ago. */
int outbox_relay_mark_delivered(struct outbox_relay *r, struct store *st, char *err, size_t errlen);

/* Stops the thread after waiting up to flush_ms for outstanding deliveries;
 * the caller takes the last delivered seqs before outbox_relay_free. */
void outbox_relay_stop(struct outbox_relay *r, int flush_ms);
void outbox_relay_free(struct outbox_relay *r);

#endif
