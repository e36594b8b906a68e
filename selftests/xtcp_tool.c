// SPDX-License-Identifier: GPL-2.0
/* xtcp_tool: socket actions for the shell tests, which cannot open
 * AF_XTCP sockets themselves.
 *
 *   xtcp_tool [-f FAMILY] bind N      bind N sockets to ephemeral ports of
 *                                     0.0.0.0, then close them all
 *   xtcp_tool [-f FAMILY] hold SECS [PORT]
 *                                     keep one socket bound to 0.0.0.0:PORT
 *                                     (default ephemeral) open for SECS
 *   xtcp_tool [-f FAMILY] timewait PORT
 *                                     one connection over 127.0.0.1:PORT
 *                                     whose client closes first: its end
 *                                     is left in TIME_WAIT; then exit
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

static void fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

/* Connect to a listener on 127.0.0.1:@port, close the client first, wait
 * for the server to read the FIN, close it: the client is in TIME_WAIT.
 */
static int timewait(int family, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int lfd, cfd, afd;
	char c;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, 1))
		fail("listener");
	cfd = socket(family, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("connect");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		fail("accept");
	close(cfd);
	if (read(afd, &c, 1) != 0)
		fail("read EOF");
	close(afd);
	close(lfd);
	return 0;
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
		fprintf(stderr, "usage: xtcp_tool [-f FAMILY] bind N | hold SECS [PORT]%s\n",
			" | timewait PORT");
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
	if (!strcmp(argv[1], "timewait"))
		return timewait(family, n);
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
