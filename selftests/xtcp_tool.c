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
 *   xtcp_tool [-f FAMILY] reset PORT    one connection over 127.0.0.1:PORT
 *                                     whose server closes with a byte
 *                                     unread (an active RST); the client's
 *                                     read must fail with ECONNRESET
 *   xtcp_tool [-f FAMILY] synsent ADDR PORT
 *                                     connect to ADDR:PORT, which never
 *                                     answers; the attempt must fail with
 *                                     ETIMEDOUT (tcp_syn_retries ends it)
 *   xtcp_tool [-f FAMILY] cong NAME   a listener on 127.0.0.1 with
 *                                     TCP_CONGESTION NAME, one connection
 *                                     to it; prints "child ALGO" (what the
 *                                     accepted socket reads back) and
 *                                     "held", then keeps all open until
 *                                     stdin ends; "error ERRNO" (the
 *                                     number) when the option fails
 *
 * FAMILY defaults to AF_XTCP.  Exit status 1 with a message on any error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

/* A listener on 127.0.0.1:@port, one connection to it, the server end. */
static void loop_conn(int family, int port, int *lfd, int *cfd, int *afd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	*lfd = socket(family, SOCK_STREAM, 0);
	if (*lfd < 0 || bind(*lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(*lfd, 1))
		fail("listener");
	*cfd = socket(family, SOCK_STREAM, 0);
	if (*cfd < 0 || connect(*cfd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("connect");
	*afd = accept(*lfd, NULL, NULL);
	if (*afd < 0)
		fail("accept");
}

/* The server closes with a byte it never read: RFC 2525 s.2.17, a RST
 * instead of a FIN (tcp_close()); the client's next read reports it.
 */
static int reset(int family, int port)
{
	struct pollfd pfd = { .events = POLLIN };
	int lfd, cfd, afd;
	char c = 'x';

	loop_conn(family, port, &lfd, &cfd, &afd);
	if (write(cfd, &c, 1) != 1)
		fail("write");
	pfd.fd = afd;
	if (poll(&pfd, 1, 10000) != 1)
		fail("poll for the byte");
	close(afd);
	pfd.fd = cfd;
	if (poll(&pfd, 1, 10000) != 1)
		fail("poll for the RST");
	errno = 0;
	if (read(cfd, &c, 1) != -1 || errno != ECONNRESET) {
		fprintf(stderr, "read: want ECONNRESET, got %s\n",
			errno ? strerror(errno) : "data or EOF");
		return 1;
	}
	close(cfd);
	close(lfd);
	return 0;
}

/* A connection attempt nobody answers: ETIMEDOUT once the SYN resends
 * allowed (tcp_syn_retries) are spent.
 */
static int synsent(int family, const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		fail("socket or address");
	sin.sin_port = htons(port);
	if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "connect: succeeded\n");
		return 1;
	}
	if (errno != ETIMEDOUT)
		fail("connect: want ETIMEDOUT");
	close(fd);
	return 0;
}

/* Sockets that hold algorithm NAME, for the module reference tests. */
static int cong(int family, const char *name)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd, cfd, afd;
	char algo[32] = "";
	char buf[64];

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0)
		fail("socket");
	if (setsockopt(lfd, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name))) {
		printf("error %d\n", errno);
		return 0;
	}
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len))
		fail("listener");
	cfd = socket(family, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("connect");
	afd = accept(lfd, NULL, NULL);
	len = sizeof(algo) - 1;
	if (afd < 0 || getsockopt(afd, IPPROTO_TCP, TCP_CONGESTION, algo, &len))
		fail("accept");
	printf("child %s\nheld\n", algo);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	close(cfd);
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
	if (argc == 4 && !strcmp(argv[1], "synsent"))
		return synsent(family, argv[2], atoi(argv[3]));
	if (argc != 3 && !(argc == 4 && !strcmp(argv[1], "hold"))) {
		fprintf(stderr, "usage: xtcp_tool [-f FAMILY] bind N | hold SECS [PORT]%s\n",
			" | timewait PORT | reset PORT | synsent ADDR PORT | cong NAME");
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
	if (!strcmp(argv[1], "reset"))
		return reset(family, n);
	if (!strcmp(argv[1], "cong"))
		return cong(family, argv[2]);
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
