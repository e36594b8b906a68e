// SPDX-License-Identifier: GPL-2.0
/* idle_conns: holds many established connections of one family, both ends
 * in this process, for the idle-connections case of scripts/bench.  A
 * tool, not a test.
 *
 *   idle_conns -f FAM -c ADDR:PORT -n CONNS [-k SECS | -K] [-a NETNS]
 *              [-b NETNS] [-B BATCH] [-P PORT] [-s SAMPLE] [-t SECS]
 *
 * FAM is "xtcp", "inet" or a number (as xtcp_xfer).  The listener on
 * ADDR:PORT is opened in network namespace -b (a path such as
 * /run/netns/NAME; default: the current one), the client sockets in -a.
 * Every socket of a connection, both ends, gets SO_KEEPALIVE with
 * TCP_KEEPIDLE = TCP_KEEPINTVL = -k seconds (default 2) and TCP_KEEPCNT 9;
 * -K sets no keepalive option at all.  With -P, client i binds local port
 * PORT + i before connecting (no ephemeral port search: with 20,000
 * connections to one destination that search made opening take minutes
 * under TCG).  A keepalive option that is refused
 * is fatal: "idle_conns: setsockopt OPTION (END): TEXT", exit 2.
 *
 * Steps, each reported on stdout by one line (flushed):
 *   "ready"        RLIMIT_NOFILE raised, the fd table and every array
 *                  already at full size, listener open; waits for SIGUSR1
 *                  (so a caller can take its "before" readings now)
 *   "established N secs=S"
 *                  N connections opened with non-blocking connects in
 *                  batches of -B (default 256), accepted, options set;
 *                  waits for a signal
 *   "check sample=S ok=K failed=F"
 *                  on each SIGUSR1: one byte client -> server and back on
 *                  -s (default 100) connections spread over all of them
 *   "closed secs=S"
 *                  on SIGTERM or SIGINT (at any of the waits): every
 *                  socket closed with SO_LINGER {1, 0} (an RST, no
 *                  TIME_WAIT), the clients first
 * On stderr, "opened N secs=S" every 2000 connections while opening.
 * Any failure: a message on stderr, exit 1 (2: a keepalive option refused).
 * Every wait for the network is bounded by -t seconds (default 60).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <netinet/tcp.h>
#include "lib/util.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static struct {
	struct many_conns m;
	struct sockaddr_in addr;
	unsigned int sample;
	unsigned int port_base;	/* -P; 0: ephemeral ports */
	int keepalive;		/* seconds; 0: -K */
} opt = {
	.m = { .conns = 1000, .batch = 256, .timeout = 60 },
	.sample = 100,
	.keepalive = 2,
};

static int *cli_fd, *srv_fd;
static int *accepted_fd;	/* one batch, in accept order */
static char *done;		/* one batch: connect finished */
static unsigned int port_slot[65536];	/* client port -> index */
static struct pollfd *pfd;
static sigset_t waitset;

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: idle_conns -f FAM -c ADDR:PORT -n CONNS [-k SECS | -K] [-a NETNS]\n"
		"                  [-b NETNS] [-B BATCH] [-P PORT] [-s SAMPLE] [-t SECS]\n");
	exit(1);
}

/* SO_KEEPALIVE and the three TCP_KEEP* options, exit 2 on refusal. */
static void set_keepalive(int fd, const char *end)
{
	static const struct {
		int level, name, val;
		const char *text;
	} o[] = {
		{ SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE" },
		{ SOL_TCP, TCP_KEEPIDLE, -1, "TCP_KEEPIDLE" },
		{ SOL_TCP, TCP_KEEPINTVL, -1, "TCP_KEEPINTVL" },
		{ SOL_TCP, TCP_KEEPCNT, 9, "TCP_KEEPCNT" },
	};
	unsigned int i;
	int val;

	if (!opt.keepalive)
		return;
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		val = o[i].val < 0 ? opt.keepalive : o[i].val;
		if (setsockopt(fd, o[i].level, o[i].name, &val, sizeof(val))) {
			fprintf(stderr, "idle_conns: setsockopt %s (%s): %s\n",
				o[i].text, end, strerror(errno));
			exit(2);
		}
	}
}

/* Wait for SIGUSR1 (0) or SIGTERM/SIGINT (1). */
static int wait_signal(void)
{
	int sig;

	if (sigwait(&waitset, &sig))
		die("sigwait");
	return sig != SIGUSR1;
}

/* RLIMIT_NOFILE to hold every socket, and the fd table grown to that size
 * now, so that its growth is not counted as memory of the connections.
 */
static void grow_fds(void)
{
	rlim_t want = 2 * (rlim_t)opt.m.conns + 64;
	int fd;

	raise_nofile(want);
	fd = dup2(0, want - 1);
	if (fd < 0)
		die("dup2 (growing the fd table)");
	close(fd);
}

/* Opens connections [@first, @first + @n): connects started, then the
 * listener drained and the connects' results collected until all @n are
 * established on both ends; srv_fd[i] is then the peer of cli_fd[i].
 */
static void open_batch(int lfd, unsigned int first, unsigned int n)
{
	unsigned int i, np, accepted = 0, connected = 0;
	double deadline = now() + opt.m.timeout;
	int fd, port, ms;
	socklen_t len;

	for (i = 0; i < n; i++) {
		fd = socket(opt.m.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			die("socket (client)");
		set_keepalive(fd, "client");
		if (opt.port_base) {
			struct sockaddr_in sin = addr4("0.0.0.0",
						       opt.port_base + first + i);

			if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
				die("bind (client, -P)");
		}
		if (connect(fd, (struct sockaddr *)&opt.addr,
			    sizeof(opt.addr)) && errno != EINPROGRESS)
			die("connect");
		cli_fd[first + i] = fd;
		done[i] = 0;
	}
	while (accepted < n || connected < n) {
		ms = (deadline - now()) * 1000;
		if (ms <= 0) {
			fprintf(stderr,
				"idle_conns: batch at %u: %u of %u connected, %u accepted after %d s\n",
				first, connected, n, accepted, opt.m.timeout);
			exit(1);
		}
		np = 0;
		pfd[np++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < n; i++)
			pfd[np++] = (struct pollfd){
				.fd = done[i] ? -1 : cli_fd[first + i],
				.events = POLLOUT };
		if (poll(pfd, np, ms) < 0)
			die("poll");
		while ((pfd[0].revents & POLLIN) && accepted < n) {
			fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0) {
				if (errno == EAGAIN)
					break;
				die("accept");
			}
			set_keepalive(fd, "server");
			accepted_fd[accepted++] = fd;
		}
		for (i = 0; i < n; i++) {
			if (!pfd[i + 1].revents)
				continue;
			connect_done_or_die(pfd[i + 1].fd);
			done[i] = 1;
			connected++;
		}
	}
	/* Pair each accepted socket with its client by the client's port. */
	for (i = 0; i < n; i++) {
		port = local_port(cli_fd[first + i]);
		if (port < 0)
			die("getsockname");
		port_slot[port] = first + i;
	}
	for (i = 0; i < n; i++) {
		struct sockaddr_in peer;

		len = sizeof(peer);
		if (getpeername(accepted_fd[i], (struct sockaddr *)&peer, &len))
			die("getpeername");
		srv_fd[port_slot[ntohs(peer.sin_port)]] = accepted_fd[i];
	}
	for (i = 0; i < n; i++) {
		if (srv_fd[first + i] < 0) {
			fprintf(stderr,
				"idle_conns: connection %u: no accepted peer\n",
				first + i);
			exit(1);
		}
	}
}

/* Waits up to -t seconds for @fd to become readable; 0 or -1. */
static int wait_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, opt.m.timeout * 1000) == 1 ? 0 : -1;
}

/* One byte client -> server -> client on connection @i; 0 or -1. */
static int echo_one(unsigned int i)
{
	char c = 'a' + i % 26, r = 0;

	if (send(cli_fd[i], &c, 1, 0) != 1 || wait_in(srv_fd[i]) ||
	    recv(srv_fd[i], &r, 1, 0) != 1 || r != c)
		return -1;
	if (send(srv_fd[i], &r, 1, 0) != 1 || wait_in(cli_fd[i]) ||
	    recv(cli_fd[i], &r, 1, 0) != 1 || r != c)
		return -1;
	return 0;
}

static void check_sample(void)
{
	unsigned int s = opt.sample < opt.m.conns ? opt.sample : opt.m.conns;
	unsigned int k, ok = 0;

	for (k = 0; k < s; k++) {
		unsigned int i = (unsigned long long)k * opt.m.conns / s;

		if (!echo_one(i))
			ok++;
		else
			fprintf(stderr, "idle_conns: echo on connection %u: %s\n",
				i, strerror(errno));
	}
	say("check sample=%u ok=%u failed=%u\n", s, ok, s - ok);
}

int main(int argc, char **argv)
{
	unsigned int i, n;
	double t0;
	int c, lfd;

	while ((c = getopt(argc, argv, "f:c:n:k:Ka:b:B:P:s:t:")) != -1) {
		if (many_conns_opt(&opt.m, c, optarg))
			continue;
		switch (c) {
		case 'c':
			if (parse_addr(optarg, &opt.addr))
				bad_usage();
			break;
		case 'k':
			opt.keepalive = atoi(optarg);
			if (opt.keepalive <= 0)
				bad_usage();
			break;
		case 'K':
			opt.keepalive = 0;
			break;
		case 'P':
			opt.port_base = strtoul(optarg, NULL, 0);
			break;
		case 's':
			opt.sample = strtoul(optarg, NULL, 0);
			break;
		default:
			bad_usage();
		}
	}
	if (!many_conns_ok(&opt.m) || !opt.addr.sin_port || optind != argc ||
	    (opt.port_base && opt.port_base + opt.m.conns > 65536))
		bad_usage();

	sigemptyset(&waitset);
	sigaddset(&waitset, SIGUSR1);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGINT);
	if (sigprocmask(SIG_BLOCK, &waitset, NULL))
		die("sigprocmask");

	grow_fds();
	cli_fd = calloc(opt.m.conns, sizeof(*cli_fd));
	srv_fd = calloc(opt.m.conns, sizeof(*srv_fd));
	pfd = calloc(opt.m.batch + 1, sizeof(*pfd));
	accepted_fd = calloc(opt.m.batch, sizeof(*accepted_fd));
	done = calloc(opt.m.batch, sizeof(*done));
	if (!cli_fd || !srv_fd || !pfd || !accepted_fd || !done)
		die("calloc");
	for (i = 0; i < opt.m.conns; i++) {
		cli_fd[i] = -1;
		srv_fd[i] = -1;
	}

	enter_netns(opt.m.netns_server);
	lfd = listen_or_die(opt.m.family, &opt.addr, opt.m.conns);
	enter_netns(opt.m.netns_client);

	say("ready\n");
	n = 0;
	if (!wait_signal()) {
		t0 = now();
		for (; n < opt.m.conns; n += i) {
			i = opt.m.conns - n < opt.m.batch ? opt.m.conns - n : opt.m.batch;
			open_batch(lfd, n, i);
			if ((n + i) / 2000 != n / 2000)
				fprintf(stderr, "opened %u secs=%.1f\n", n + i,
					now() - t0);
		}
		say("established %u secs=%.1f\n", n, now() - t0);
		while (!wait_signal())
			check_sample();
	}

	t0 = now();
	close(lfd);
	for (i = 0; i < n; i++)
		abort_close(cli_fd[i]);
	for (i = 0; i < n; i++)
		abort_close(srv_fd[i]);
	say("closed secs=%.1f\n", now() - t0);
	return 0;
}
