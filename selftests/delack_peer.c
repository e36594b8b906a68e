// SPDX-License-Identifier: GPL-2.0
/* delack_peer: X's end of one connection for selftests/delack_test.py,
 * which cannot open AF_XTCP sockets itself and needs to say when the
 * receiver reads, or when the connecting end writes.  A tool, not a
 * test.
 *
 *   delack_peer -f FAM -l ADDR:PORT [-t SECS]
 *   delack_peer -f FAM -c ADDR:PORT [-t SECS]
 *
 * With -l it listens (prints "listening"), accepts one connection
 * ("accepted"), then runs one command per line of standard input.  With
 * -c it makes the socket ("socket") and runs the commands at once, so
 * that options set before "connect" or "nbconnect" apply to the
 * handshake.  Each command prints one line ("write" two):
 *
 *   connect       (-c only) blocking connect(): "connect ret=R errno=E"
 *   nbconnect     (-c only) O_NONBLOCK, which stays, and connect():
 *                 "nbconnect ret=R errno=E"
 *   blocking      O_NONBLOCK off again: "blocking"
 *   write N       "writing N", then one write() of N bytes: "write N
 *                 ret=R errno=E"
 *   sleep MS      sleep MS milliseconds: "slept MS"
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
 *   defer S       setsockopt(TCP_DEFER_ACCEPT, S): "defer S ret=R errno=E"
 *   close         close() and exit: "closed"
 *
 * Every blocking call is bounded by -t seconds (default 10); alarm(4 * -t)
 * ends a stuck run.  Exit 0 unless setup failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
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

/* The commands only a connecting socket (-c) takes; false for any other
 * line.
 */
static bool connect_cmd(const char *line, const struct sockaddr_in *sin)
{
	int r;

	if (!strncmp(line, "connect", 7)) {
		r = connect(fd, (const struct sockaddr *)sin, sizeof(*sin));
		printf("connect ret=%d errno=%d\n", r, r ? errno : 0);
	} else if (!strncmp(line, "nbconnect", 9)) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		r = connect(fd, (const struct sockaddr *)sin, sizeof(*sin));
		printf("nbconnect ret=%d errno=%d\n", r, r ? errno : 0);
	} else {
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 10 };
	struct reader rd = { 0 };
	struct sockaddr_in sin;
	char line[128];
	int opt, lfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:t:")) != -1)
		if (!peer_arg(&pa, opt, optarg))
			return 2;
	if (!pa.listen_at == !pa.connect_to)
		fail("address: one of -l and -c");
	alarm(4 * pa.secs);

	if (pa.connect_to) {
		fd = peer_socket(&pa, &sin);
		printf("socket\n");
	} else {
		lfd = peer_socket(&pa, &sin);
		peer_listen(lfd, &sin, 8);
		fd = peer_accept(lfd, pa.secs);
	}

	while (fgets(line, sizeof(line), stdin)) {
		size_t n;
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
		} else if (pa.connect_to && connect_cmd(line, &sin)) {
			continue;
		} else if (!strncmp(line, "blocking", 8)) {
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			printf("blocking\n");
		} else if (sscanf(line, "write %zu", &n) == 1) {
			char *buf = calloc(1, n ? n : 1);
			ssize_t r;

			if (!buf)
				fail("calloc");
			printf("writing %zu\n", n);
			r = write(fd, buf, n);
			printf("write %zu ret=%zd errno=%d\n", n, r,
			       r < 0 ? errno : 0);
			free(buf);
		} else if (sscanf(line, "sleep %d", &val) == 1) {
			struct timespec ts = { val / 1000,
					       (val % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			printf("slept %d\n", val);
		} else if (sscanf(line, "quickack %d", &val) == 1) {
			int r = setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &val,
					   sizeof(val));

			printf("quickack %d ret=%d errno=%d\n", val, r,
			       r ? errno : 0);
		} else if (sscanf(line, "defer %d", &val) == 1) {
			int r = setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT,
					   &val, sizeof(val));

			printf("defer %d ret=%d errno=%d\n", val, r,
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
