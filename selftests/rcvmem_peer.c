// SPDX-License-Identifier: GPL-2.0
/* rcvmem_peer: the receiving end for selftests/rcvmem.sh.  A tool, not a
 * test (the name does not end in _test).
 *
 *   rcvmem_peer -f FAM -l ADDR:PORT -d DIR -m MODE [-t SECS]
 *
 * FAM is "xtcp" (the number in /sys/module/xtcp/parameters/family, else
 * AF_XTCP) or "inet".  MODE "noaccept" listens and never accepts: what
 * arrives stays on a child nobody accepted.  MODE "noread" accepts one
 * connection at a time and reads nothing until told: it logs
 * "accept ID rcvbuf=N" (SO_RCVBUF right after accept()), then polls DIR
 * every 20 ms for two request files, deleting each once served:
 *   DIR/q-ID   logs "rcvbuf ID N" (SO_RCVBUF now);
 *   DIR/go-ID  reads to EOF into DIR/conn-ID, logs "eof ID bytes=N" or
 *              "error ID errno=E", closes, and accepts the next one.
 * Every line goes to stdout, flushed.  The whole run is bounded by -t
 * seconds (default 120; alarm()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/util.h"

static int rcvbuf(int fd)
{
	socklen_t len = sizeof(int);
	int v = -1;

	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len);
	return v;
}

/* Consume @path if it exists. */
static int take(const char *dir, const char *what, int id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s-%d", dir, what, id);
	return unlink(path) == 0;
}

static void drain(int fd, const char *dir, int id)
{
	char path[4096], buf[65536];
	long long total = 0;
	ssize_t n;
	int out;

	snprintf(path, sizeof(path), "%s/conn-%d", dir, id);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (out >= 0 && write(out, buf, n) != n)
			break;
		total += n;
	}
	if (n < 0)
		printf("error %d errno=%d bytes=%lld\n", id, errno, total);
	else
		printf("eof %d bytes=%lld\n", id, total);
	fflush(stdout);
	if (out >= 0)
		close(out);
}

int main(int argc, char **argv)
{
	const char *fam = NULL, *laddr = NULL, *dir = NULL, *mode = NULL;
	int opt, fd, secs = 120, one = 1, id = 0;
	struct sockaddr_in sin;

	while ((opt = getopt(argc, argv, "f:l:d:m:t:")) != -1) {
		switch (opt) {
		case 'f':
			fam = optarg;
			break;
		case 'l':
			laddr = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 't':
			secs = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!fam || !laddr || !dir || !mode) {
		fprintf(stderr, "usage: rcvmem_peer -f FAM -l ADDR:PORT -d DIR %s\n",
			"-m noaccept|noread [-t SECS]");
		return 2;
	}
	alarm(secs);
	if (parse_addr(laddr, &sin))
		return 2;

	fd = socket(family_by_name(fam), SOCK_STREAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 128)) {
		perror("rcvmem_peer: listen");
		return 1;
	}
	printf("listening %s\n", laddr);
	fflush(stdout);

	if (!strcmp(mode, "noaccept")) {
		for (;;)
			pause();
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			perror("rcvmem_peer: accept");
			return 1;
		}
		id++;
		printf("accept %d rcvbuf=%d\n", id, rcvbuf(c));
		fflush(stdout);
		for (;;) {
			if (take(dir, "q", id)) {
				printf("rcvbuf %d %d\n", id, rcvbuf(c));
				fflush(stdout);
			}
			if (take(dir, "go", id)) {
				drain(c, dir, id);
				break;
			}
			usleep(20000);
		}
		close(c);
	}
}
