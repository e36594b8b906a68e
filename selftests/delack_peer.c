// SPDX-License-Identifier: GPL-2.0
/* delack_peer: the receiving end of one connection for
 * selftests/delack_test.py, which cannot open AF_XTCP sockets itself and
 * needs to say when the receiver reads.  A tool, not a test.
 *
 *   delack_peer -f FAM -l ADDR:PORT [-t SECS]
 *
 * Listens (prints "listening"), accepts one connection ("accepted"), then
 * runs one command per line of standard input, each printing one line:
 *
 *   readn N       read() until N bytes came, in the background, so that
 *                 the next command can run meanwhile: "readn N got=G"
 *                 when done
 *   readq N       as readn, with setsockopt(TCP_QUICKACK, 1) after every
 *                 read() (its usual use): "readq N got=G at=T", T the
 *                 CLOCK_REALTIME seconds just before the last setsockopt()
 *                 (the sniffer's clock: the test tells whether the ACK
 *                 came before it)
 *   quickack V    setsockopt(TCP_QUICKACK, V): "quickack V ret=R errno=E"
 *   getquickack   getsockopt(TCP_QUICKACK): "getquickack val=V errno=E"
 *   close         close() and exit: "closed"
 *
 * Every blocking call is bounded by -t seconds (default 10); alarm(4 * -t)
 * ends a stuck run.  Exit 0 unless setup failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "lib/peer.h"

static int fd = -1;

struct reader {
	pthread_t thread;
	size_t want;
	int quickack;
	int busy;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	size_t got = 0;
	struct timespec at = { 0 };
	char buf[4096];
	int one = 1;
	ssize_t n;

	while (got < r->want) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		got += n;
		if (r->quickack) {
			clock_gettime(CLOCK_REALTIME, &at);
			setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
				   sizeof(one));
		}
	}
	if (r->quickack)
		printf("readq %zu got=%zu at=%ld.%06ld\n", r->want, got,
		       (long)at.tv_sec, at.tv_nsec / 1000);
	else
		printf("readn %zu got=%zu\n", r->want, got);
	return NULL;
}

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 10 };
	struct reader rd = { 0 };
	struct sockaddr_in sin;
	char line[128];
	int opt, lfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:t:")) != -1)
		if (!peer_arg(&pa, opt, optarg))
			return 2;
	if (!pa.listen_at || parse_addr(pa.listen_at, &sin))
		fail("address");
	alarm(4 * pa.secs);

	lfd = socket(pa.fam, SOCK_STREAM, 0);
	if (lfd < 0)
		fail("socket");
	peer_listen(lfd, &sin, 8);
	fd = peer_accept(lfd, pa.secs);

	while (fgets(line, sizeof(line), stdin)) {
		int val;

		if (!strncmp(line, "readn ", 6) || !strncmp(line, "readq ", 6)) {
			if (rd.busy)
				pthread_join(rd.thread, NULL);
			rd.want = strtoul(line + 6, NULL, 0);
			rd.quickack = line[4] == 'q';
			rd.busy = !pthread_create(&rd.thread, NULL, reader_run,
						  &rd);
			if (!rd.busy)
				fail("pthread_create");
		} else if (sscanf(line, "quickack %d", &val) == 1) {
			int r = setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &val,
					   sizeof(val));

			printf("quickack %d ret=%d errno=%d\n", val, r,
			       r ? errno : 0);
		} else if (!strncmp(line, "getquickack", 11)) {
			socklen_t len = sizeof(val);
			int r = getsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &val,
					   &len);

			printf("getquickack val=%d errno=%d\n", r ? -1 : val,
			       r ? errno : 0);
		} else if (strncmp(line, "close", 5)) {
			printf("error unknown command %s", line);
		} else {
			break;
		}
	}
	if (rd.busy)
		pthread_join(rd.thread, NULL);
	close(fd);
	printf("closed\n");
	return 0;
}
