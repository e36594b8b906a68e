// SPDX-License-Identifier: GPL-2.0
/* keepalive_peer: the two ends of one keepalive case for
 * selftests/keepalive_test.py (python cannot open AF_XTCP sockets).
 * A tool, not a test.
 *
 *   keepalive_peer -f FAM -l ADDR:PORT [-t SECS]
 *	listens, prints "listening", accepts one connection, prints
 *	"accepted" and echoes what it reads until EOF or an error:
 *	"server done errno=E".
 *   keepalive_peer -f FAM -c ADDR:PORT [-k IDLE,INTVL,CNT] [-t SECS]
 *		    (-d | -a SECS)
 *	connects, writes 5 bytes and reads their echo ("echoed"), then
 *	waits for a line on stdin (the test changes the network meanwhile),
 *	sets TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT if -k is given,
 *	then SO_KEEPALIVE, and prints "keepalive at=T" (CLOCK_REALTIME,
 *	seconds).  With -d it waits in poll() for the connection to die
 *	and reads: "read ret=R errno=E at=T".  With -a it stays idle SECS
 *	seconds, then writes 5 bytes and reads their echo:
 *	"alive write=R read=R errno=E".
 *
 * Every blocking call is bounded by -t seconds (default 30); alarm(2 * -t)
 * ends a stuck run.  Exit 0 unless setup failed.
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
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "lib/peer.h"

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int serve(int fam, struct sockaddr_in *sin, int secs)
{
	int fd = socket(fam, SOCK_STREAM, 0), c;
	char buf[256];
	ssize_t n;

	if (fd < 0)
		fail("socket");
	peer_listen(fd, sin, 1);
	c = peer_accept(fd, secs);
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, n) != n)
			break;
	printf("server done errno=%d\n", n < 0 ? errno : 0);
	return 0;
}

/* Write 5 bytes and read their echo; returns the read's result. */
static ssize_t echo(int fd, ssize_t *wr)
{
	char buf[8];
	size_t got = 0;
	ssize_t n = 0;

	*wr = write(fd, "hello", 5);
	if (*wr != 5)
		return -1;
	while (got < 5) {
		n = read(fd, buf + got, 5 - got);
		if (n <= 0)
			return n;
		got += n;
	}
	return got;
}

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 30 };
	int idle = 0, intvl = 0, cnt = 0, one = 1, err, idle_secs;
	int fd, opt, alive = -1, dead = 0;
	struct sockaddr_in sin;
	struct pollfd pfd;
	char line[16];
	ssize_t wr, rd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:k:t:da:")) != -1) {
		switch (opt) {
		case 'k':
			if (sscanf(optarg, "%d,%d,%d", &idle, &intvl, &cnt) != 3)
				return 2;
			break;
		case 'd':
			dead = 1;
			break;
		case 'a':
			alive = atoi(optarg);
			break;
		default:
			if (!peer_arg(&pa, opt, optarg))
				return 2;
		}
	}
	if (!pa.listen_at == !pa.connect_to ||
	    parse_addr(pa.listen_at ? : pa.connect_to, &sin)) {
		fprintf(stderr, "keepalive_peer: one of -l and -c ADDR:PORT\n");
		return 2;
	}
	alarm(2 * pa.secs + (alive > 0 ? alive : 0));
	if (pa.listen_at)
		return serve(pa.fam, &sin, pa.secs);
	idle_secs = alive >= 0;
	if (dead == idle_secs) {
		fprintf(stderr, "keepalive_peer: one of -d and -a\n");
		return 2;
	}

	fd = socket(pa.fam, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	if (set_timeouts(fd, pa.secs))
		fail("timeouts");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("connect");
	if (echo(fd, &wr) != 5)
		fail("echo");
	printf("echoed\n");
	if (!fgets(line, sizeof(line), stdin))
		fail("stdin");
	if (idle &&
	    (setsockopt(fd, SOL_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ||
	     setsockopt(fd, SOL_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) ||
	     setsockopt(fd, SOL_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt))))
		fail("TCP_KEEP*");
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)))
		fail("SO_KEEPALIVE");
	printf("keepalive at=%.6f\n", now_real());

	if (dead) {
		char c;

		pfd.fd = fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, pa.secs * 1000);
		rd = read(fd, &c, 1);
		err = rd < 0 ? errno : 0;
		printf("read ret=%zd errno=%d at=%.6f\n", rd, err, now_real());
		return 0;
	}
	sleep(alive);
	rd = echo(fd, &wr);
	printf("alive write=%zd read=%zd errno=%d\n", wr, rd,
	       rd < 0 ? errno : 0);
	return 0;
}
