// SPDX-License-Identifier: GPL-2.0
/* proc_scale_helper: many established connections to one listener, then
 * timed full reads of a /proc/net table, for selftests/proc_scale.sh.
 *
 *   proc_scale_helper -f FAMILY -a ADDR -p PORT -n CONNS -F FILE
 *                     [-r READS] [-w SECS]
 *
 * In the current network namespace: a listener on ADDR:PORT, then CONNS
 * connections to it (non-blocking connects in batches of 64, each batch
 * accepted and seen connected before the next), all held open.  Then
 * READS times (default 5): FILE is read from the start to EOF in 4 KiB
 * read() calls, as cat and dd bs=4k do, and one line is printed:
 *   read N ms=T lines=L established=E listen=S other=O
 * (T: wall time of the open-read-close in milliseconds; L: lines including
 * the header; E, S, O: entries in state 01, 0A and any other).  Last, every
 * socket is closed abortively (SO_LINGER {1, 0}), so no TIME_WAIT entry
 * is left, and "done" is printed.  FAMILY is a number (AF_INET is 2).
 * Raises RLIMIT_NOFILE itself.  Exit status 1 with a message on any
 * error; -w (default 120) is a watchdog for the whole run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "lib/util.h"

#define BATCH		64
#define STEP_MS		10000	/* per batch, connect to accepted */

/* Open @n connections to listener @l at @sin into @cfd (client ends) and
 * @afd (accepted ends).
 */
static void connect_all(int family, int l, const struct sockaddr_in *sin,
			int n, int *cfd, int *afd)
{
	int done = 0, i;

	while (done < n) {
		int b = n - done < BATCH ? n - done : BATCH, na = 0;
		double deadline = now_ms() + STEP_MS;

		for (i = done; i < done + b; i++)
			cfd[i] = connect_nb_or_die(family, sin);
		while (na < b) {
			struct pollfd p = { .fd = l, .events = POLLIN };
			int fd;

			if (now_ms() > deadline) {
				errno = ETIMEDOUT;
				die("accept");
			}
			if (poll(&p, 1, 100) <= 0)
				continue;
			fd = accept4(l, NULL, NULL, SOCK_NONBLOCK);
			if (fd >= 0)
				afd[done + na++] = fd;
			else if (errno != EAGAIN)
				die("accept");
		}
		for (i = done; i < done + b; i++) {
			struct pollfd p = { .fd = cfd[i], .events = POLLOUT };
			socklen_t len = sizeof(int);
			int err = 0;

			if (poll(&p, 1, STEP_MS) != 1) {
				errno = ETIMEDOUT;
				die("connect completion");
			}
			if (getsockopt(cfd[i], SOL_SOCKET, SO_ERROR, &err, &len))
				die("SO_ERROR");
			if (err) {
				errno = err;
				die("connect (async)");
			}
		}
		done += b;
	}
}

/* One timed full read of @path into @buf (@size bytes), then its counts. */
static void read_once(int r, const char *path, char *buf, size_t size)
{
	unsigned int lines = 0, est = 0, lis = 0, other = 0;
	size_t len = 0;
	double t0, t;
	char *p, *nl;
	ssize_t got;
	int fd;

	t0 = now_ms();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	do {
		if (size - len < 4096) {
			errno = EFBIG;
			die(path);
		}
		got = read(fd, buf + len, 4096);
		if (got < 0)
			die("read");
		len += got;
	} while (got > 0);
	close(fd);
	t = now_ms() - t0;

	for (p = buf; p < buf + len; p = nl + 1) {
		unsigned int st;

		nl = memchr(p, '\n', buf + len - p);
		if (!nl)
			break;
		*nl = '\0';
		if (lines++ == 0)
			continue;
		if (sscanf(p, " %*d: %*x:%*x %*x:%*x %x", &st) != 1)
			other++;
		else if (st == 0x01)
			est++;
		else if (st == 0x0A)
			lis++;
		else
			other++;
	}
	printf("read %d ms=%.3f lines=%u established=%u listen=%u other=%u\n",
	       r, t, lines, est, lis, other);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int family = -1, port = 0, n = 0, reads = 5, watchdog = 120;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *addr = NULL, *path = NULL;
	int opt, l, i;
	struct rlimit rl;
	int *cfd, *afd;
	size_t size;
	char *buf;

	while ((opt = getopt(argc, argv, "f:a:p:n:F:r:w:")) != -1) {
		switch (opt) {
		case 'f':
			family = atoi(optarg);
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'F':
			path = optarg;
			break;
		case 'r':
			reads = atoi(optarg);
			break;
		case 'w':
			watchdog = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (family < 0 || !addr || !port || n <= 0 || !path) {
		fprintf(stderr, "usage: proc_scale_helper -f FAMILY -a ADDR -p PORT -n CONNS\n"
			"       -F FILE [-r READS] [-w SECS]\n");
		return 2;
	}
	alarm(watchdog);
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		die("address");

	rl.rlim_cur = 2 * n + 64;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	cfd = calloc(n, sizeof(*cfd));
	afd = calloc(n, sizeof(*afd));
	/* Lines are 150 bytes; room for twice the entries expected. */
	size = (size_t)(2 * n + 2) * 150 * 2 + 65536;
	buf = malloc(size);
	if (!cfd || !afd || !buf)
		die("malloc");

	l = listen_or_die(family, &sin, BATCH * 2);

	connect_all(family, l, &sin, n, cfd, afd);
	printf("established %d\n", n);
	fflush(stdout);

	for (i = 1; i <= reads; i++)
		read_once(i, path, buf, size);

	for (i = 0; i < n; i++) {
		abort_close(cfd[i]);
		abort_close(afd[i]);
	}
	close(l);
	printf("done\n");
	return 0;
}
