/* cmd_broker.c -- `rgmon broker`: librdkafka's mock cluster in its own
 * process, for demos and tests. The mock brokers listen on random loopback
 * ports; --listen adds a fixed bootstrap address that forwards to them
 * (clients then talk to the advertised broker port directly). */
#include "rgmon/cmd.h"
#include "rgmon/log.h"
#include "rgmon/net.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

static int cmd_broker(const struct cmd_entry *cmd, int argc, char **argv);

struct broker_args {
	const char *listen;
	long long partitions;
	struct opt_list topics;
};

static const char *const default_topics[] = { "rg.events", "rg.events.dlq", "rg.alerts", NULL };

static const struct opt broker_opts[] = {
	OPT_STRING("listen", "HOST:PORT", struct broker_args, listen, NULL,
		   "also accept bootstrap connections here (forwarded to the mock broker, which listens on a random "
		   "port)"),
	OPT_INT("partitions", "N", struct broker_args, partitions, 1, 1000, "16", "partitions for each created topic"),
	OPT_LIST(0, "topic", "T", struct broker_args, topics, 16, default_topics, "topic to create; repeatable"),
	OPT_END,
};

const struct cmd_entry cmd_broker_entry = {
	"broker", broker_opts,
	"Run a development Kafka broker: librdkafka's mock cluster in this process.\n"
	"Prints its bootstrap address on the first line of stdout and runs until\n"
	"SIGINT/SIGTERM. For demos and tests only, never for production: it keeps\n"
	"messages in memory, at most about 5 MiB (or 100,000 message sets) per\n"
	"partition, silently dropping older ones; no SSL/SASL. For fault tests,\n"
	"SIGUSR1 takes the broker down (connections closed and refused) and\n"
	"SIGUSR2 brings it back, messages kept.\n",
	NULL,
	cmd_broker,
};

static int tcp_connect(const char *hostport)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int fd = -1, portnum;
	if (net_split_hostport(hostport, host, sizeof(host), &portnum) < 0)
		return -1;
	snprintf(port, sizeof(port), "%d", portnum);
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

static int tcp_listen(const char *hostport, char *err, size_t errlen)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res = NULL;
	int fd = -1, one = 1, portnum;
	if (net_split_hostport(hostport, host, sizeof(host), &portnum) < 0)
		return seterr(err, errlen, "--listen \"%s\" is not HOST:PORT", hostport);
	snprintf(port, sizeof(port), "%d", portnum);
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return seterr(err, errlen, "--listen \"%s\": cannot resolve", hostport);
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 64) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return seterr(err, errlen, "--listen \"%s\": %s", hostport, strerror(errno));
	return fd;
}

struct relay {
	int a, b;
};

/* Copies bytes both ways until either side closes. */
static void *relay_run(void *arg)
{
	struct relay *r = arg;
	char buf[65536];
	struct pollfd p[2] = { { r->a, POLLIN, 0 }, { r->b, POLLIN, 0 } };
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0)
				goto done;
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(p[1 - i].fd, buf + off, (size_t)(n - off));
				if (w <= 0)
					goto done;
				off += w;
			}
		}
	}
done:
	close(r->a);
	close(r->b);
	free(r);
	return NULL;
}

struct forwarder {
	int listen_fd;
	const char *target;
};

static void *forwarder_run(void *arg)
{
	struct forwarder *f = arg;
	for (;;) {
		int c = accept(f->listen_fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		int t = tcp_connect(f->target);
		struct relay *r = malloc(sizeof(*r));
		pthread_t th;
		if (t < 0 || !r) {
			close(c);
			if (t >= 0)
				close(t);
			free(r);
			continue;
		}
		r->a = c;
		r->b = t;
		if (pthread_create(&th, NULL, relay_run, r) != 0) {
			close(c);
			close(t);
			free(r);
			continue;
		}
		pthread_detach(th);
	}
	return NULL;
}

/* Fault injection for tests: SIGUSR1 takes the broker down (connections
 * closed and refused), SIGUSR2 brings it back. */
static volatile sig_atomic_t want_down = -1;
static void on_usr(int sig) { want_down = sig == SIGUSR1; }

/* The mock cluster (in the client instance it needs to live in) with the
 * topics created; NULL after printing why. */
static rd_kafka_mock_cluster_t *broker_start(const struct broker_args *a, rd_kafka_t **rk)
{
	char errstr[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
	if (!(*rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		cmd_fail("broker: %s", errstr);
		return NULL;
	}
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(*rk, 1);
	if (!mc) {
		rd_kafka_destroy(*rk);
		cmd_fail("broker: cannot start the mock cluster");
		return NULL;
	}
	for (int i = 0; i < a->topics.n; i++) {
		rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, a->topics.v[i], (int)a->partitions, 1);
		if (e) {
			rd_kafka_mock_cluster_destroy(mc);
			rd_kafka_destroy(*rk);
			cmd_fail("broker: creating topic \"%s\": %s", a->topics.v[i], rd_kafka_err2str(e));
			return NULL;
		}
	}
	return mc;
}

/* Until SIGINT/SIGTERM: SIGUSR1 takes the broker down, SIGUSR2 up again. */
static void broker_run(rd_kafka_mock_cluster_t *mc)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	while (!cmd_stop_requested()) {
		cmd_sleep_ms(100);
		if (want_down >= 0) {
			bool down = want_down == 1;
			want_down = -1;
			if (down)
				rd_kafka_mock_broker_set_down(mc, 1);
			else
				rd_kafka_mock_broker_set_up(mc, 1);
			log_info("broker: %s", down ? "down (SIGUSR1): connections refused" : "up again (SIGUSR2)");
		}
	}
}

static int cmd_broker(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct broker_args a = { 0 };
	rd_kafka_t *rk = NULL;
	char errstr[512];
	int listen_fd = -1, rc = cmd_parse(cmd, argc, argv, &a);
	if (rc)
		return rc;
	if (a.listen && (listen_fd = tcp_listen(a.listen, errstr, sizeof(errstr))) < 0)
		return cmd_fail("broker: %s", errstr);

	cmd_handle_stop_signals();
	rd_kafka_mock_cluster_t *mc = broker_start(&a, &rk);
	if (!mc)
		return EXIT_RUNTIME;
	const char *bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
	if (listen_fd >= 0) {
		static struct forwarder fw;
		pthread_t th;
		fw.listen_fd = listen_fd;
		fw.target = bootstrap;
		pthread_create(&th, NULL, forwarder_run, &fw);
		pthread_detach(th);
		printf("%s\n", a.listen);
	} else {
		printf("%s\n", bootstrap);
	}
	fflush(stdout);
	log_info("broker: mock cluster at %s, topics created with %lld partitions each; stop with Ctrl-C", bootstrap,
		 a.partitions);
	broker_run(mc);

	log_info("broker: stopping");
	if (listen_fd >= 0)
		close(listen_fd);
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
