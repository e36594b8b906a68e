// SPDX-License-Identifier: GPL-2.0
/* clients_scale: many concurrent client connections of one family from one
 * namespace to a few servers, for selftests/clients_scale.sh (issue 9:
 * more connections than ip_local_port_range has ports, local ports shared
 * between destinations as inet_hash_connect() shares them).
 *
 *   clients_scale -f FAM -c ADDR:PORT [-c ADDR:PORT ...] -n CONNS
 *                 [-a NETNS] [-b NETNS] [-B BATCH] [-t SECS] [-x]
 *
 * FAM is "xtcp", "inet" or a number.  One listener per -c (at most 8) is
 * opened in namespace -b (a path such as /run/netns/NAME; default: the
 * current one), the clients in -a; client i connects to server i mod the
 * number of servers, without bind(): connect() picks the local port.
 * Connections are opened with non-blocking connects in batches of -B
 * (default 256), each batch accepted and established on both ends before
 * the next.
 *
 * Without -x, a connect() that fails is fatal.  With -x, opening stops at
 * the first connect() that fails at once (a port search that finds
 * nothing fails there, before any segment): the count of connections
 * open before it and its errno are reported.
 *
 * Lines on stdout (flushed):
 *   "established N ports=P secs=S"   N connections open on both ends,
 *                  using P distinct local ports; then waits for SIGTERM
 *   "exhausted N errno=NAME secs=S"  (-x) connect() number N + 1 failed
 *                  with NAME; then waits for SIGTERM
 *   "closed"       on SIGTERM/SIGINT: every socket closed with SO_LINGER
 *                  {1, 0} (an RST, no TIME_WAIT), the clients first
 * Progress on stderr every 10,000 connections.  Any other failure: a
 * message on stderr, exit 1.  Every wait for the network is bounded by -t
 * seconds (default 60).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include "lib/util.h"

#define MAX_SERVERS	8

static struct {
	struct many_conns m;
	struct sockaddr_in srv[MAX_SERVERS];
	unsigned int nsrv;
	int exhaust;
} opt = {
	.m = { .batch = 256, .timeout = 60 },
};

static int *cli_fd, *srv_fd;
static unsigned int nsrv_fd;
static struct pollfd *pfd;
static unsigned char port_used[65536];

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: clients_scale -f FAM -c ADDR:PORT [-c ADDR:PORT ...] -n CONNS\n"
		"                     [-a NETNS] [-b NETNS] [-B BATCH] [-t SECS] [-x]\n");
	exit(1);
}

/* Accept whatever is queued on every listener; returns how many. */
static unsigned int accept_all(const int *lfd)
{
	unsigned int s, n = 0;
	int fd;

	for (s = 0; s < opt.nsrv; s++) {
		for (;;) {
			fd = accept4(lfd[s], NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0) {
				if (errno == EAGAIN)
					break;
				die("accept");
			}
			srv_fd[nsrv_fd++] = fd;
			n++;
		}
	}
	return n;
}

/* Opens connections [@first, @first + @n).  Returns how many connect()
 * calls were made: @n, or fewer with -x when one failed at once (its
 * errno in *@err).
 */
static unsigned int open_batch(const int *lfd, unsigned int first,
			       unsigned int n, int *err)
{
	unsigned int i, np, started, accepted = 0, connected = 0;
	double deadline = now() + opt.m.timeout;
	int fd, ms;

	for (i = 0; i < n; i++) {
		const struct sockaddr_in *sin = &opt.srv[(first + i) % opt.nsrv];

		fd = socket(opt.m.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			die("socket (client)");
		if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) &&
		    errno != EINPROGRESS) {
			if (!opt.exhaust)
				die("connect");
			*err = errno;
			close(fd);
			break;
		}
		cli_fd[first + i] = fd;
	}
	started = i;
	while (accepted < started || connected < started) {
		ms = (deadline - now()) * 1000;
		if (ms <= 0) {
			fprintf(stderr,
				"clients_scale: batch at %u: %u of %u connected, %u accepted after %d s\n",
				first, connected, started, accepted, opt.m.timeout);
			exit(1);
		}
		np = 0;
		for (i = 0; i < opt.nsrv; i++)
			pfd[np++] = (struct pollfd){ .fd = lfd[i], .events = POLLIN };
		for (i = 0; i < started; i++)
			pfd[np++] = (struct pollfd){ .fd = cli_fd[first + i],
						     .events = POLLOUT };
		if (poll(pfd, np, ms) < 0)
			die("poll");
		accepted += accept_all(lfd);
		for (i = 0; i < started; i++) {
			struct pollfd *p = &pfd[opt.nsrv + i];

			if (p->fd < 0 || !p->revents)
				continue;
			connect_done_or_die(p->fd);
			/* Done: poll it no more. */
			cli_fd[first + i] = ~cli_fd[first + i];
			connected++;
		}
	}
	for (i = 0; i < started; i++)
		cli_fd[first + i] = ~cli_fd[first + i];
	return started;
}

int main(int argc, char **argv)
{
	unsigned int i, n, done, ports = 0;
	int lfd[MAX_SERVERS], c, err = 0, sig;
	sigset_t waitset;
	double t0;

	while ((c = getopt(argc, argv, "f:c:n:a:b:B:t:x")) != -1) {
		if (many_conns_opt(&opt.m, c, optarg))
			continue;
		switch (c) {
		case 'c':
			if (opt.nsrv == MAX_SERVERS ||
			    parse_addr(optarg, &opt.srv[opt.nsrv]))
				bad_usage();
			opt.nsrv++;
			break;
		case 'x':
			opt.exhaust = 1;
			break;
		default:
			bad_usage();
		}
	}
	if (!many_conns_ok(&opt.m) || !opt.nsrv || optind != argc)
		bad_usage();

	sigemptyset(&waitset);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGINT);
	if (sigprocmask(SIG_BLOCK, &waitset, NULL))
		die("sigprocmask");

	/* Both ends of every connection and the listeners. */
	raise_nofile(2 * (rlim_t)opt.m.conns + 64);
	cli_fd = calloc(opt.m.conns, sizeof(*cli_fd));
	srv_fd = calloc(opt.m.conns, sizeof(*srv_fd));
	pfd = calloc(opt.m.batch + opt.nsrv, sizeof(*pfd));
	if (!cli_fd || !srv_fd || !pfd)
		die("calloc");

	enter_netns(opt.m.netns_server);
	for (i = 0; i < opt.nsrv; i++)
		lfd[i] = listen_or_die(opt.m.family, &opt.srv[i], opt.m.batch);
	for (i = 0; i < opt.nsrv; i++)
		if (fcntl(lfd[i], F_SETFL, O_NONBLOCK))
			die("fcntl O_NONBLOCK");
	enter_netns(opt.m.netns_client);

	t0 = now();
	for (n = 0; n < opt.m.conns; n += done) {
		i = opt.m.conns - n < opt.m.batch ? opt.m.conns - n : opt.m.batch;
		done = open_batch(lfd, n, i, &err);
		if ((n + done) / 10000 != n / 10000)
			fprintf(stderr, "opened %u secs=%.1f\n", n + done,
				now() - t0);
		if (done < i) {
			n += done;
			break;
		}
	}
	if (err) {
		say("exhausted %u errno=%s secs=%.1f\n", n, strerrorname_np(err),
		    now() - t0);
	} else {
		for (i = 0; i < n; i++) {
			int port = local_port(cli_fd[i]);

			if (port < 0)
				die("getsockname");
			ports += !port_used[port];
			port_used[port] = 1;
		}
		say("established %u ports=%u secs=%.1f\n", n, ports, now() - t0);
	}

	if (sigwait(&waitset, &sig))
		die("sigwait");
	for (i = 0; i < opt.nsrv; i++)
		close(lfd[i]);
	for (i = 0; i < n; i++)
		abort_close(cli_fd[i]);
	for (i = 0; i < nsrv_fd; i++)
		abort_close(srv_fd[i]);
	say("closed\n");
	return 0;
}
