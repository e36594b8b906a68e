// SPDX-License-Identifier: GPL-2.0
/* peer.c: the code the scripted peers (the programs named *_peer.c in
 * selftests/) share; see peer.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util.h"
#include "peer.h"

void fail(const char *what)
{
	printf("error %s errno=%d %s\n", what, errno, strerror(errno));
	exit(1);
}

bool peer_arg(struct peer_args *pa, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		pa->fam = family_by_name(arg);
		return true;
	case 'l':
		pa->listen_at = arg;
		return true;
	case 'c':
		pa->connect_to = arg;
		return true;
	case 't':
		pa->secs = atoi(arg);
		return true;
	}
	return false;
}

int peer_socket(const struct peer_args *pa, struct sockaddr_in *sin)
{
	int fd;

	if (parse_addr(pa->listen_at ? pa->listen_at : pa->connect_to, sin))
		fail("address");
	fd = socket(pa->fam, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	set_timeouts(fd, pa->secs);
	return fd;
}

void peer_listen(int fd, const struct sockaddr_in *sin, int backlog)
{
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) ||
	    listen(fd, backlog))
		fail("listen");
	printf("listening\n");
}

int peer_accept(int lfd, int secs)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&pfd, 1, secs * 1000) != 1)
		fail("accept timeout");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		fail("accept");
	close(lfd);
	set_timeouts(fd, secs);
	printf("accepted\n");
	return fd;
}

unsigned int peer_sleep_secs(int argc, char **argv)
{
	unsigned int secs = 0;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "sleep:", 6))
			secs += atoi(argv[i] + 6) / 1000 + 1;
	return secs;
}

bool peer_action(int *fd, const char *a)
{
	if (!strcmp(a, "readall") || !strcmp(a, "readsum")) {
		static unsigned char buf[65536];
		unsigned int fnv = 2166136261u;	/* FNV-1a, 32 bits */
		size_t total = 0;
		ssize_t r, i;

		while ((r = read(*fd, buf, sizeof(buf))) > 0) {
			total += r;
			for (i = 0; i < r; i++)
				fnv = (fnv ^ buf[i]) * 16777619u;
		}
		if (a[4] == 's')
			printf("readsum bytes=%zu errno=%d fnv1a=%08x\n", total,
			       r < 0 ? errno : 0, fnv);
		else
			printf("readall bytes=%zu errno=%d\n", total,
			       r < 0 ? errno : 0);
	} else if (!strncmp(a, "sleep:", 6)) {
		int ms = atoi(a + 6);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		printf("slept %d\n", ms);
	} else if (!strcmp(a, "close")) {
		close(*fd);
		*fd = -1;
		printf("closed\n");
	} else {
		return false;
	}
	return true;
}
