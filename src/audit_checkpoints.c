/* audit_checkpoints.c -- the signed checkpoints an auditor holds from
 * outside the database: read from serve's --audit-checkpoints-file, or
 * from the topic rg.audit-checkpoints (kafka:BROKERS/TOPIC, read from the
 * beginning to its end). audit_verify.c compares them with an export. */
#include "rgmon/audit_export.h"
#include "rgmon/digest.h"
#include "rgmon/kafka.h"

#include <errno.h>
#include <stdio.h>

#define KAFKA_PREFIX "kafka:"
#define KAFKA_READ_TIMEOUT_MS 30000 /* no message and no end of partition for this long: give up */

static bool copy_hash(json_t *o, const char *key, char out[AUDIT_HASH_HEX])
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s || strlen(s) != AUDIT_HASH_HEX - 1)
		return false;
	rg_strlcpy(out, s, AUDIT_HASH_HEX);
	return true;
}

int audit_held_add(struct audit_held *h, const char *line, char *why, size_t whylen)
{
	struct audit_held_checkpoint k = { 0 };
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	json_t *seq = json_object_get(o, "seq"), *signs_seq = json_object_get(o, "signs_seq");
	const char *pub = json_string_value(json_object_get(o, "public_key"));
	const char *format = json_string_value(json_object_get(o, "format"));
	const char *at = json_string_value(json_object_get(o, "at"));
	int rc = -1;
	if (!format || strcmp(format, AUDIT_CHECKPOINT_FORMAT) != 0 || !json_is_integer(seq) ||
	    !json_is_integer(signs_seq) || !copy_hash(o, "hash", k.hash) || !copy_hash(o, "signs_hash", k.signs_hash) ||
	    !pub || digest_hex_decode(pub, k.pub, sizeof(k.pub)) < 0) {
		seterr(why, whylen, "not a published audit checkpoint (\"format\":\"" AUDIT_CHECKPOINT_FORMAT "\", "
				    "seq, hash, signs_seq, signs_hash, public_key, signature)");
		goto out;
	}
	char sig_why[128];
	if (audit_payload_signature_check(AUDIT_CHECKPOINT, o, NULL, sig_why, sizeof(sig_why)) < 0) {
		seterr(why, whylen, "checkpoint of seq %lld: %s", (long long)json_integer_value(signs_seq), sig_why);
		goto out;
	}
	k.seq = json_integer_value(seq);
	k.signs_seq = json_integer_value(signs_seq);
	rg_strlcpy(k.at, at ? at : "?", sizeof(k.at));
	if (h->n == h->cap) {
		size_t ncap = h->cap ? 2 * h->cap : 256;
		struct audit_held_checkpoint *v = realloc(h->v, ncap * sizeof(*v));
		if (!v) {
			seterr(why, whylen, "out of memory");
			goto out;
		}
		h->v = v;
		h->cap = ncap;
	}
	h->v[h->n++] = k;
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static int load_file(struct audit_held *h, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return seterr(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
	char *line = NULL, why[256];
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (audit_held_add(h, line, why, sizeof(why)) < 0)
			rc = seterr(err, errlen, "%s line %lld: %s", path, (long long)lineno, why);
	}
	free(line);
	fclose(f);
	return rc;
}

/* Assigns every partition of topic from its beginning; returns their
 * number, or -1. */
static int assign_all(rd_kafka_t *rk, const char *topic, char *err, size_t errlen)
{
	rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t e = t ? rd_kafka_metadata(rk, 0, t, &md, 10000) : RD_KAFKA_RESP_ERR__FAIL;
	int n = -1;
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
		seterr(err, errlen, "cannot read the metadata of %s: %s", topic, rd_kafka_err2str(e));
	else if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0)
		seterr(err, errlen, "no topic %s on the brokers", topic);
	else
		n = md->topics[0].partition_cnt;
	if (n > 0) {
		rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);
		for (int i = 0; i < n; i++)
			rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)->offset =
				RD_KAFKA_OFFSET_BEGINNING;
		if ((e = rd_kafka_assign(rk, parts)) != RD_KAFKA_RESP_ERR_NO_ERROR)
			n = seterr(err, errlen, "cannot read %s: %s", topic, rd_kafka_err2str(e));
		rd_kafka_topic_partition_list_destroy(parts);
	}
	if (md)
		rd_kafka_metadata_destroy(md);
	if (t)
		rd_kafka_topic_destroy(t);
	return n;
}

/* Reads the topic from its beginning until every partition reports its end. */
static int consume_all(struct audit_held *h, rd_kafka_t *rk, const char *topic, int parts, char *err,
		       size_t errlen)
{
	char why[256], *text = NULL;
	int ended = 0;
	while (ended < parts) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, KAFKA_READ_TIMEOUT_MS);
		if (!m)
			return seterr(err, errlen, "reading %s: nothing for %d s before its end", topic,
				      KAFKA_READ_TIMEOUT_MS / 1000);
		int rc = 0;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			ended++;
		} else if (m->err) {
			rc = seterr(err, errlen, "reading %s: %s", topic, rd_kafka_message_errstr(m));
		} else if ((text = malloc(m->len + 1)) != NULL) {
			memcpy(text, m->payload, m->len);
			text[m->len] = '\0';
			if (audit_held_add(h, text, why, sizeof(why)) < 0)
				rc = seterr(err, errlen, "%s partition %d offset %lld: %s", topic, (int)m->partition,
					    (long long)m->offset, why);
			free(text);
		} else {
			rc = seterr(err, errlen, "out of memory");
		}
		rd_kafka_message_destroy(m);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* kafka:BROKERS/TOPIC */
static int load_kafka(struct audit_held *h, const char *spec, char *err, size_t errlen)
{
	char brokers[1024], errstr[512];
	const char *slash = strrchr(spec, '/');
	size_t n = slash ? (size_t)(slash - spec) : 0;
	if (n == 0 || n >= sizeof(brokers) || slash[1] == '\0')
		return seterr(err, errlen, "\"%s%s\" is not kafka:BROKERS/TOPIC", KAFKA_PREFIX, spec);
	memcpy(brokers, spec, n);
	brokers[n] = '\0';
	rd_kafka_conf_t *conf = kafka_conf_new(brokers, err, errlen);
	if (!conf || kafka_conf_set2(conf, "group.id", "rgmon-audit-verify", err, errlen) < 0 ||
	    kafka_conf_set2(conf, "enable.auto.commit", "false", err, errlen) < 0 ||
	    kafka_conf_set2(conf, "enable.partition.eof", "true", err, errlen) < 0) {
		if (conf)
			rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		return seterr(err, errlen, "kafka consumer: %s", errstr);
	}
	int parts = assign_all(rk, slash + 1, err, errlen);
	int rc = parts > 0 ? consume_all(h, rk, slash + 1, parts, err, errlen) : -1;
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return rc;
}

int audit_held_load(struct audit_held *h, const char *source, char *err, size_t errlen)
{
	if (strncmp(source, KAFKA_PREFIX, strlen(KAFKA_PREFIX)) == 0)
		return load_kafka(h, source + strlen(KAFKA_PREFIX), err, errlen);
	return load_file(h, source, err, errlen);
}

void audit_held_release(struct audit_held *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}
