// SPDX-License-Identifier: GPL-2.0
/* wire_peer: one scripted connection for selftests/wire2_test.py, which
 * cannot open AF_XTCP sockets itself.  A tool, not a test.
 *
 *   wire_peer -f FAM (-l ADDR:PORT | -c ADDR:PORT) [-t SECS] ACTION...
 *
 * FAM is "xtcp" (the number in /sys/module/xtcp/parameters/family, else
 * AF_XTCP), "inet" or a number.  With -l it listens, prints "listening",
 * accepts one connection and prints "accepted"; with -c the first action
 * must be "connect" or "nbconnect".  Actions, each printing one line:
 *
 *   connect         blocking connect(): "connect ret=R errno=E"
 *   nbconnect       non-blocking connect(), then poll() for POLLOUT up
 *                   to -t seconds: "nbconnect revents=0xR so_error=E"
 *                   (the socket stays non-blocking)
 *   write:N         one write() of N bytes: "write N ret=R errno=E"
 *   readall         read to EOF or error: "readall bytes=N errno=E"
 *   sleep:MS        sleep MS milliseconds: "slept MS"
 *   close           close(): "closed"
 *
 * Every blocking call is bounded by -t seconds (default 10) with
 * SO_RCVTIMEO/SO_SNDTIMEO; alarm(4 * -t + actions' sleeps) ends a stuck
 * run.  Exit 0 unless setup failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/util.h"

/* On stdout, where wire2_test.py reads it. */
static void fail(const char *what)
{
	printf("error %s errno=%d %s\n", what, errno, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *listen_at = NULL, *connect_to = NULL;
	int fam = AF_INET, secs = 10, fd, opt, i, one = 1;
	struct sockaddr_in sin;
	unsigned int budget;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:t:")) != -1) {
		switch (opt) {
		case 'f':
			fam = family_by_name(optarg);
			break;
		case 'l':
			listen_at = optarg;
			break;
		case 'c':
			connect_to = optarg;
			break;
		case 't':
			secs = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!listen_at == !connect_to) {
		fprintf(stderr, "wire_peer: one of -l and -c\n");
		return 2;
	}
	budget = 4 * secs;
	for (i = optind; i < argc; i++)
		if (!strncmp(argv[i], "sleep:", 6))
			budget += atoi(argv[i] + 6) / 1000 + 1;
	alarm(budget);

	if (parse_addr(listen_at ? listen_at : connect_to, &sin))
		fail("address");
	fd = socket(fam, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	set_timeouts(fd, secs);
	if (listen_at) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int c;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 8))
			fail("listen");
		printf("listening\n");
		if (poll(&pfd, 1, secs * 1000) != 1)
			fail("accept timeout");
		c = accept(fd, NULL, NULL);
		if (c < 0)
			fail("accept");
		close(fd);
		fd = c;
		set_timeouts(fd, secs);
		printf("accepted\n");
	}

	for (i = optind; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "connect")) {
			int r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));

			printf("connect ret=%d errno=%d\n", r, r ? errno : 0);
		} else if (!strcmp(a, "nbconnect")) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			int err = 0;
			socklen_t len = sizeof(err);

			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
			    errno != EINPROGRESS)
				fail("connect");
			poll(&pfd, 1, secs * 1000);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			printf("nbconnect revents=0x%x so_error=%d\n",
			       pfd.revents, err);
		} else if (!strncmp(a, "write:", 6)) {
			size_t n = strtoul(a + 6, NULL, 0);
			char *buf = malloc(n ? n : 1);
			ssize_t r;

			if (!buf)
				fail("malloc");
			memset(buf, 'x', n);
			r = write(fd, buf, n);
			printf("write %zu ret=%zd errno=%d\n", n, r,
			       r < 0 ? errno : 0);
			free(buf);
		} else if (!strcmp(a, "readall")) {
			char buf[4096];
			size_t total = 0;
			ssize_t r;

			while ((r = read(fd, buf, sizeof(buf))) > 0)
				total += r;
			printf("readall bytes=%zu errno=%d\n", total,
			       r < 0 ? errno : 0);
		} else if (!strncmp(a, "sleep:", 6)) {
			int ms = atoi(a + 6);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			printf("slept %d\n", ms);
		} else if (!strcmp(a, "close")) {
			close(fd);
			fd = -1;
			printf("closed\n");
		} else {
			fprintf(stderr, "wire_peer: unknown action %s\n", a);
			return 2;
		}
	}
	return 0;
}
