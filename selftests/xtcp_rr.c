// SPDX-License-Identifier: GPL-2.0
/* xtcp_rr: 1-byte request/response latency over xtcp or native TCP, for
 * scripts/bench.  A tool, not a test.
 *
 *   xtcp_rr server -f FAM -l ADDR:PORT [-t SECS] [-w SECS]
 *   xtcp_rr client -f FAM -c ADDR:PORT [-n ROUNDS] [-W WARMUP] [-t SECS]
 *                  [-w SECS]
 *
 * FAM is "inet", "xtcp" or a family number.  The server accepts one
 * connection and sends every byte it reads straight back until EOF, then
 * closes.  The client opens one connection (TCP_NODELAY on both ends),
 * makes -W rounds (default 100) that are not counted, then -n rounds
 * (default 10000): write one byte, read one byte, the byte checked (it
 * counts the rounds modulo 256).  Each round is timed on CLOCK_MONOTONIC.
 *
 * Every blocking call is bounded by -t seconds (default 60, SO_RCVTIMEO
 * and SO_SNDTIMEO; poll() before accept()); -w is a watchdog for the whole
 * run (exit 3 when it fires).  The server prints "listening ADDR:PORT"
 * once it listens.  The client ends with one line
 *   xtcp_rr: client family=F rounds=N elapsed=S mean_us=M p50_us=P
 *   p99_us=Q max_us=X
 * (round trips in microseconds) and exits 0 only if every round completed
 * with the right byte; the server ends with "xtcp_rr: server family=F
 * rounds=N" and exits 0 if it echoed until a clean EOF.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <netinet/tcp.h>
#include "lib/util.h"

static struct {
	const char *family_name;
	int family;
	struct sockaddr_in addr;
	unsigned int rounds;
	unsigned int warmup;
	int timeout;
	int watchdog;
} opt = {
	.rounds = 10000,
	.warmup = 100,
	.timeout = 60,
};

static void print_usage(void)
{
	fprintf(stderr,
		"usage: xtcp_rr server -f FAM -l ADDR:PORT [-t SECS] [-w SECS]\n"
		"       xtcp_rr client -f FAM -c ADDR:PORT [-n ROUNDS] [-W WARMUP] [-t SECS] [-w SECS]\n");
	exit(2);
}

static unsigned int parse_uint(const char *s, unsigned int min,
			       unsigned int max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		print_usage();
	return v;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("setsockopt(TCP_NODELAY)");
}

/* Write or read exactly one byte; 0, or -1 with errno (EIO at EOF). */
static int xfer1(int fd, unsigned char *b, int out)
{
	ssize_t n;

	do {
		n = out ? send(fd, b, 1, MSG_NOSIGNAL) : recv(fd, b, 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n == 1)
		return 0;
	if (!n)
		errno = EIO;
	return -1;
}

static int run_server(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	unsigned long rounds = 0;
	unsigned char buf[4096];
	struct pollfd pfd;
	int lfd, fd, r;
	ssize_t n;

	lfd = listen_or_die(opt.family, &opt.addr, 16);
	if (getsockname(lfd, (struct sockaddr *)&sin, &len))
		die("getsockname");
	printf("listening %s:%u\n", inet_ntoa(sin.sin_addr),
	       ntohs(sin.sin_port));
	fflush(stdout);
	pfd.fd = lfd;
	pfd.events = POLLIN;
	do {
		r = poll(&pfd, 1, opt.timeout * 1000);
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		if (!r)
			errno = ETIMEDOUT;
		die("poll(listener)");
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(lfd);
	if (set_timeouts(fd, opt.timeout))
		die("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)");
	nodelay(fd);
	/* Echo what came in: normally one byte per read. */
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recv");
		if (!n)
			break;
		rounds += n;
		if (send(fd, buf, n, MSG_NOSIGNAL) != n)
			die("send");
	}
	close(fd);
	printf("xtcp_rr: server family=%s rounds=%lu\n", opt.family_name,
	       rounds);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_client(void)
{
	unsigned int i, total = opt.warmup + opt.rounds;
	double *rtt, t0, t1, start, sum = 0;
	unsigned char b, want;
	int fd;

	rtt = calloc(opt.rounds, sizeof(*rtt));
	if (!rtt)
		die("calloc");
	fd = socket(opt.family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (set_timeouts(fd, opt.timeout))
		die("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)");
	nodelay(fd);
	if (connect(fd, (struct sockaddr *)&opt.addr, sizeof(opt.addr)))
		die("connect");
	start = now();
	for (i = 0; i < total; i++) {
		want = i & 0xff;
		b = want;
		t0 = now();
		if (xfer1(fd, &b, 1))
			die("send");
		if (xfer1(fd, &b, 0))
			die("recv");
		t1 = now();
		if (b != want) {
			fprintf(stderr, "xtcp_rr: round %u: byte %02x, expected %02x\n",
				i, b, want);
			return 1;
		}
		if (i >= opt.warmup)
			rtt[i - opt.warmup] = (t1 - t0) * 1e6;
		if (i + 1 == opt.warmup)
			start = now();
	}
	t1 = now();
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	/* The server closes after our EOF: wait for its. */
	if (!xfer1(fd, &b, 0)) {
		fprintf(stderr, "xtcp_rr: data after the last round\n");
		return 1;
	}
	if (errno != EIO)
		die("recv(EOF)");
	close(fd);
	for (i = 0; i < opt.rounds; i++)
		sum += rtt[i];
	qsort(rtt, opt.rounds, sizeof(*rtt), cmp_double);
	/* Nearest rank: the smallest value with at least p% at or below. */
	printf("xtcp_rr: client family=%s rounds=%u elapsed=%.3f",
	       opt.family_name, opt.rounds, t1 - start);
	printf(" mean_us=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
	       sum / opt.rounds, rtt[(opt.rounds * 50 + 99) / 100 - 1],
	       rtt[(opt.rounds * 99 + 99) / 100 - 1], rtt[opt.rounds - 1]);
	free(rtt);
	return 0;
}

static char watchdog_msg[128];

static void watchdog_fired(int sig)
{
	if (write(STDERR_FILENO, watchdog_msg, strlen(watchdog_msg)) < 0)
		_exit(4);
	_exit(3);
}

int main(int argc, char **argv)
{
	int c, client, have_addr = 0;

	if (argc < 2)
		print_usage();
	if (!strcmp(argv[1], "server"))
		client = 0;
	else if (!strcmp(argv[1], "client"))
		client = 1;
	else
		print_usage();
	argv++;
	argc--;
	while ((c = getopt(argc, argv, "f:l:c:n:W:t:w:")) != -1) {
		switch (c) {
		case 'f':
			opt.family_name = optarg;
			opt.family = family_by_name(optarg);
			if (opt.family <= 0)
				print_usage();
			break;
		case 'l':
		case 'c':
			if ((c == 'c') != client || parse_addr(optarg, &opt.addr))
				print_usage();
			have_addr = 1;
			break;
		case 'n':
			opt.rounds = parse_uint(optarg, 1, 100000000);
			break;
		case 'W':
			opt.warmup = parse_uint(optarg, 0, 100000000);
			break;
		case 't':
			opt.timeout = parse_uint(optarg, 1, 1000000);
			break;
		case 'w':
			opt.watchdog = parse_uint(optarg, 1, 1000000);
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc || !opt.family_name || !have_addr)
		print_usage();
	signal(SIGPIPE, SIG_IGN);
	if (opt.watchdog) {
		snprintf(watchdog_msg, sizeof(watchdog_msg),
			 "xtcp_rr: %s: watchdog: still running after %d s, giving up\n",
			 client ? "client" : "server", opt.watchdog);
		signal(SIGALRM, watchdog_fired);
		alarm(opt.watchdog);
	}
	return client ? run_client() : run_server();
}
