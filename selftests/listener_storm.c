// SPDX-License-Identifier: GPL-2.0
/* listener_storm: close listeners in the middle of handshake storms, for
 * selftests/listener_stress.sh.
 *
 *   listener_storm -f FAMILY -A NETNS_A -B NETNS_B -s ADDR -p PORT
 *                  [-r ROUNDS] [-n CONNS] [-a ACCEPTS]
 *                  [-c CLOSE_MS]
 *
 * Each round: a listener in NETNS_B on ADDR:PORT+round (backlog 256); a
 * second thread makes CONNS non-blocking connects to it from NETNS_A
 * while the main thread makes ACCEPTS accepts (at most 3 s), then, if
 * CLOSE_MS is given, a wait until CLOSE_MS milliseconds after the first
 * connect (so SYN-ACK retransmission timers fire around it when the
 * client side drops packets), then close() of
 * the listener while handshakes are still completing, then an abortive
 * close (SO_LINGER {1, 0}) of every accepted and client socket, so no
 * TIME_WAIT entry is left.  Prints "rounds=N accepted=N" at the end.
 * Exit status 1 with a message on any unexpected error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lib/util.h"

static void enter(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET))
		die("setns");
}

struct clients {
	int nsfd, family, n;
	int *fd;
	struct sockaddr_in sin;
};

/* Connect as fast as we can, while the listener accepts and closes. */
static void *connector(void *arg)
{
	struct clients *c = arg;
	int i;

	enter(c->nsfd);
	for (i = 0; i < c->n; i++)
		c->fd[i] = connect_nb_or_die(c->family, &c->sin);
	return NULL;
}

static int open_ns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	return fd;
}

int main(int argc, char **argv)
{
	int family = -1, rounds = 50, conns = 200, accepts = 50, close_ms = 0;
	const char *nsa = NULL, *nsb = NULL, *addr = NULL;
	int port = 0, opt, r, i, nsfa, nsfb;
	long total = 0;
	int *cfd, *afd;

	while ((opt = getopt(argc, argv, "f:A:B:s:p:r:n:a:c:")) != -1) {
		switch (opt) {
		case 'f':
			family = atoi(optarg);
			break;
		case 'A':
			nsa = optarg;
			break;
		case 'B':
			nsb = optarg;
			break;
		case 's':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			conns = atoi(optarg);
			break;
		case 'a':
			accepts = atoi(optarg);
			break;
		case 'c':
			close_ms = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (family < 0 || !nsa || !nsb || !addr || !port) {
		fprintf(stderr, "usage: listener_storm -f FAMILY -A NS -B NS -s ADDR -p PORT\n"
			"       [-r R] [-n N] [-a A] [-c MS]\n");
		return 2;
	}
	nsfa = open_ns(nsa);
	nsfb = open_ns(nsb);
	cfd = calloc(conns, sizeof(*cfd));
	afd = calloc(accepts, sizeof(*afd));
	if (!cfd || !afd)
		die("calloc");

	for (r = 0; r < rounds; r++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		int l, na = 0;
		double t0, deadline;
		struct clients cl;
		pthread_t thr;

		sin.sin_port = htons(port + r);
		if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
			die("address");

		enter(nsfb);
		l = listen_or_die(family, &sin, 256);

		cl.nsfd = nsfa;
		cl.family = family;
		cl.n = conns;
		cl.fd = cfd;
		cl.sin = sin;
		t0 = now_ms();
		if (pthread_create(&thr, NULL, connector, &cl))
			die("pthread_create");

		deadline = now_ms() + 3000;
		while (na < accepts && now_ms() < deadline) {
			struct pollfd p = { .fd = l, .events = POLLIN };
			int fd;

			if (poll(&p, 1, 100) <= 0)
				continue;
			fd = accept4(l, NULL, NULL, SOCK_NONBLOCK);
			if (fd >= 0)
				afd[na++] = fd;
			else if (errno != EAGAIN)
				die("accept");
		}
		total += na;
		if (close_ms) {
			long left = t0 + close_ms - now_ms();

			if (left > 0)
				usleep(left * 1000);
		}
		/* The point of it all: handshakes are still completing. */
		close(l);
		pthread_join(thr, NULL);
		for (i = 0; i < na; i++)
			abort_close(afd[i]);
		for (i = 0; i < conns; i++)
			abort_close(cfd[i]);
	}
	printf("rounds=%d accepted=%ld\n", rounds, total);
	return 0;
}
