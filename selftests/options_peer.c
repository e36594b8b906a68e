// SPDX-License-Identifier: GPL-2.0
/* options_peer: one socket for selftests/options_test.py (python cannot
 * open AF_XTCP sockets), with its receive buffer set before it connects
 * or listens.  A tool, not a test.
 *
 *   options_peer -f FAM (-l ADDR:PORT | -c ADDR:PORT) [-r BYTES] [-t SECS]
 *                ACTION...
 *
 * FAM is "xtcp", "inet" or a number.  -r sets SO_RCVBUF to BYTES before
 * bind()/connect() (the kernel doubles it, within rmem_max).  With -l it
 * listens (backlog 16) and prints "listening"; with no action it then
 * only waits -t seconds, answering SYNs without accepting; else it
 * accepts one connection ("accepted") and runs the actions on it.  With
 * -c the socket connects without blocking ("connecting"), then runs the
 * actions; "wait" polls up to -t seconds for the handshake
 * ("connected so_error=E").  Actions, one line each:
 *
 *   wait            see above
 *   write:N         write N bytes in full: "wrote N errno=E"
 *   readall         read to EOF or error: "readall bytes=N errno=E"
 *   rcvbuf:N        SO_RCVBUF N now: "rcvbuf N ret=R"
 *   sleep:MS        "slept MS"
 *   close           "closed"
 *
 * Every blocking call is bounded by -t seconds (SO_RCVTIMEO/SO_SNDTIMEO);
 * alarm() ends a stuck run.  Exit 0 unless setup failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "lib/peer.h"

static void do_write(int fd, size_t n)
{
	static char buf[65536];
	size_t done = 0;
	ssize_t r = 0;

	memset(buf, 'o', sizeof(buf));
	while (done < n) {
		size_t chunk = n - done < sizeof(buf) ? n - done : sizeof(buf);

		r = write(fd, buf, chunk);
		if (r <= 0)
			break;
		done += r;
	}
	printf("wrote %zu errno=%d\n", done, r < 0 ? errno : 0);
}

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 10 };
	int rcvbuf = 0, fd, opt, i;
	struct sockaddr_in sin;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:r:t:")) != -1) {
		if (opt == 'r')
			rcvbuf = atoi(optarg);
		else if (!peer_arg(&pa, opt, optarg))
			return 2;
	}
	if (!pa.listen_at == !pa.connect_to) {
		fprintf(stderr, "options_peer: one of -l and -c\n");
		return 2;
	}
	alarm(4 * pa.secs + 2 + peer_sleep_secs(argc - optind, argv + optind));

	fd = peer_socket(&pa, &sin);
	if (rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		fail("SO_RCVBUF");
	if (pa.listen_at) {
		peer_listen(fd, &sin, 16);
		if (optind == argc) {
			sleep(pa.secs);
			return 0;
		}
		fd = peer_accept(fd, pa.secs);
	} else {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
		    errno != EINPROGRESS)
			fail("connect");
		printf("connecting\n");
	}

	for (i = optind; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "wait")) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			socklen_t len = sizeof(int);
			int err = 0;

			poll(&pfd, 1, pa.secs * 1000);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			printf("connected so_error=%d\n", err);
		} else if (!strncmp(a, "rcvbuf:", 7)) {
			int v = atoi(a + 7);

			printf("rcvbuf %d ret=%d\n", v,
			       setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v,
					  sizeof(v)));
		} else if (!strncmp(a, "write:", 6)) {
			do_write(fd, strtoul(a + 6, NULL, 0));
		} else if (!peer_action(&fd, a)) {
			fprintf(stderr, "options_peer: unknown action %s\n", a);
			return 2;
		}
	}
	return 0;
}
