/* http_load.c -- an open-loop HTTP load generator for `make bench`.
 *
 *   http_load HOST PORT TOKEN RATE SECONDS CONNECTIONS PATHS_FILE
 *
 * CONNECTIONS threads each keep one HTTP/1.1 connection alive and send GETs
 * on a fixed schedule (together RATE per second), cycling through the
 * paths in PATHS_FILE. A request's latency runs from its *scheduled* send
 * time to the end of its response, so a stalled server is charged for the
 * requests it delayed (no coordinated omission). Prints one line:
 *   requests N ok N rate R p50_ms X p99_ms Y max_ms Z
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct worker {
	int index;
	long sent, ok;
	int64_t *lat_ns;
	long nlat;
};

static const char *host, *token;
static int port, nconn;
static double rate, seconds;
static char **paths;
static long npaths;
static int64_t start_ns;

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_until(int64_t t)
{
	int64_t d = t - now_ns();
	if (d <= 0)
		return;
	struct timespec ts = { (time_t)(d / 1000000000), (long)(d % 1000000000) };
	nanosleep(&ts, NULL);
}

static int connect_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Sends one GET and reads the whole response; returns the status, or -1
 * when the connection failed (the caller reconnects). */
static int get(int fd, const char *path)
{
	char req[1024], buf[16384];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path,
			 host, token);
	if (n <= 0 || (size_t)n >= sizeof(req) || write(fd, req, (size_t)n) != n)
		return -1;
	size_t have = 0;
	char *end = NULL;
	while (!end) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end && have == sizeof(buf) - 1)
			return -1;
	}
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	const char *cl = strcasestr(buf, "\r\ncontent-length:");
	long body = cl ? strtol(cl + 17, NULL, 10) : 0;
	long left = body - (long)(have - (size_t)(end + 4 - buf));
	while (left > 0) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return -1;
		left -= r;
	}
	return status;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	double interval_ns = 1e9 * nconn / rate;
	long total = (long)(seconds * rate / nconn);
	int fd = connect_server();
	w->lat_ns = calloc((size_t)total + 1, sizeof(int64_t));
	for (long i = 0; i < total && w->lat_ns; i++) {
		/* Threads are offset within one interval so the load is even. */
		int64_t due = start_ns + (int64_t)(interval_ns * ((double)i + (double)w->index / nconn));
		sleep_until(due);
		const char *path = paths[(i * nconn + w->index) % npaths];
		int status = fd >= 0 ? get(fd, path) : -1;
		if (status < 0) { /* reconnect once and retry */
			if (fd >= 0)
				close(fd);
			fd = connect_server();
			status = fd >= 0 ? get(fd, path) : -1;
		}
		w->sent++;
		w->ok += status == 200;
		w->lat_ns[w->nlat++] = now_ns() - due;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: http_load HOST PORT TOKEN RATE SECONDS CONNECTIONS PATHS_FILE\n");
		return 2;
	}
	host = argv[1];
	port = (int)strtol(argv[2], NULL, 10);
	token = argv[3];
	rate = strtod(argv[4], NULL);
	seconds = strtod(argv[5], NULL);
	nconn = (int)strtol(argv[6], NULL, 10);
	FILE *f = fopen(argv[7], "r");
	if (!f || rate <= 0 || seconds <= 0 || nconn <= 0) {
		fprintf(stderr, "http_load: bad arguments or unreadable %s\n", argv[7]);
		return 2;
	}
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		paths = realloc(paths, sizeof(*paths) * (size_t)(npaths + 1));
		paths[npaths++] = strdup(line);
	}
	fclose(f);
	if (npaths == 0) {
		fprintf(stderr, "http_load: no paths in %s\n", argv[7]);
		return 2;
	}
	struct worker *w = calloc((size_t)nconn, sizeof(*w));
	pthread_t *t = calloc((size_t)nconn, sizeof(*t));
	start_ns = now_ns() + 100000000; /* 100 ms for the threads to connect */
	for (int i = 0; i < nconn; i++) {
		w[i].index = i;
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	long sent = 0, ok = 0, n = 0;
	for (int i = 0; i < nconn; i++) {
		pthread_join(t[i], NULL);
		sent += w[i].sent;
		ok += w[i].ok;
		n += w[i].nlat;
	}
	double elapsed = (double)(now_ns() - start_ns) / 1e9;
	int64_t *all = calloc((size_t)n + 1, sizeof(int64_t));
	long k = 0;
	for (int i = 0; i < nconn; i++)
		for (long j = 0; j < w[i].nlat; j++)
			all[k++] = w[i].lat_ns[j];
	qsort(all, (size_t)n, sizeof(*all), cmp);
	printf("requests %ld ok %ld rate %.0f p50_ms %.3f p99_ms %.3f max_ms %.3f\n", sent, ok, (double)sent / elapsed,
	       n ? (double)all[n / 2] / 1e6 : 0.0, n ? (double)all[(n * 99) / 100] / 1e6 : 0.0,
	       n ? (double)all[n - 1] / 1e6 : 0.0);
	return 0;
}
