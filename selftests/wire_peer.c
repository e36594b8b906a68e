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
 *   cork:V          setsockopt(TCP_CORK, V): "cork V ret=R errno=E"
 *   nodelay:V       setsockopt(TCP_NODELAY, V): "nodelay V ret=R errno=E"
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
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/util.h"
#include "lib/peer.h"

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 10 };
	struct sockaddr_in sin;
	int fd, opt, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:t:")) != -1)
		if (!peer_arg(&pa, opt, optarg))
			return 2;
	if (!pa.listen_at == !pa.connect_to) {
		fprintf(stderr, "wire_peer: one of -l and -c\n");
		return 2;
	}
	alarm(4 * pa.secs + peer_sleep_secs(argc - optind, argv + optind));

	fd = peer_socket(&pa, &sin);
	if (pa.listen_at) {
		peer_listen(fd, &sin, 8);
		fd = peer_accept(fd, pa.secs);
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
			poll(&pfd, 1, pa.secs * 1000);
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
		} else if (!strncmp(a, "cork:", 5) ||
			   !strncmp(a, "nodelay:", 8)) {
			int name = a[0] == 'c' ? TCP_CORK : TCP_NODELAY;
			int v = atoi(strchr(a, ':') + 1), r;

			r = setsockopt(fd, IPPROTO_TCP, name, &v, sizeof(v));
			printf("%.*s %d ret=%d errno=%d\n",
			       (int)(strchr(a, ':') - a), a, v, r,
			       r ? errno : 0);
		} else if (!peer_action(&fd, a)) {
			fprintf(stderr, "wire_peer: unknown action %s\n", a);
			return 2;
		}
	}
	return 0;
}
