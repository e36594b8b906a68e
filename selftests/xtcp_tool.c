// SPDX-License-Identifier: GPL-2.0
/* xtcp_tool: socket actions for the shell tests, which cannot open
 * AF_XTCP sockets themselves.
 *
 *   xtcp_tool [-f FAMILY] bind N      bind N sockets to ephemeral ports of
 *                                     0.0.0.0, then close them all
 *   xtcp_tool [-f FAMILY] hold SECS [PORT]
 *                                     keep one socket bound to 0.0.0.0:PORT
 *                                     (default ephemeral) open for SECS
 *
 * FAMILY defaults to AF_XTCP.  Exit status 1 with a message on any error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

static int bound_socket(int family, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0) {
		fprintf(stderr, "socket(%d): %s\n", family, strerror(errno));
		exit(1);
	}
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "bind: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	int family = AF_XTCP, n, i, *fds;

	if (argc > 2 && !strcmp(argv[1], "-f")) {
		family = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 && !(argc == 4 && !strcmp(argv[1], "hold"))) {
		fprintf(stderr, "usage: xtcp_tool [-f FAMILY] bind N | hold SECS [PORT]\n");
		return 2;
	}
	n = atoi(argv[2]);
	if (!strcmp(argv[1], "bind")) {
		fds = calloc(n, sizeof(*fds));
		if (!fds)
			return 1;
		for (i = 0; i < n; i++)
			fds[i] = bound_socket(family, 0);
		for (i = 0; i < n; i++)
			close(fds[i]);
		free(fds);
		return 0;
	}
	if (!strcmp(argv[1], "hold")) {
		bound_socket(family, argc == 4 ? atoi(argv[3]) : 0);
		printf("holding\n");
		fflush(stdout);
		sleep(n);
		return 0;
	}
	fprintf(stderr, "unknown action %s\n", argv[1]);
	return 2;
}
