// SPDX-License-Identifier: GPL-2.0
/* sockopt_test: TCP-level socket options (and SO_KEEPALIVE), each case
 * run on an AF_INET socket
 * (the reference, in the same kernel) and an AF_XTCP one with the same
 * expectations: set/get round trips over values around Linux's limits,
 * errno values, short optlen, short getsockopt() buffers, the defaults,
 * what an accepted socket inherits from its listener (TCP_KEEP* and
 * SO_KEEPALIVE as well), and the behaviour behind them (keepalive's is
 * keepalive.sh's):
 *
 * - What an accepted socket takes from its listener: the TCP options
 *   and SO_KEEPALIVE, and the socket-level SO_RCVTIMEO, SO_SNDTIMEO,
 *   SO_MAX_PACING_RATE, SO_BUSY_POLL, SO_PREFER_BUSY_POLL,
 *   SO_TXREHASH, SO_RXQ_OVFL, SO_SELECT_ERR_QUEUE,
 *   SO_WIFI_STATUS, SO_NOFCS, SO_BROADCAST and SO_RCVMARK
 *   (sk_clone_lock() copies them), but not SO_PRIORITY (it zeroes it).
 * - TCP_SYNCNT: a connect() whose SYNs a listener with a full accept
 *   queue drops gives up with ETIMEDOUT after 1 + 2 s with TCP_SYNCNT 1
 *   (the protocol's clock: each family's time is compared with native's
 *   within 0.6 s, which TCG's timer slack stays well inside).
 * - TCP_USER_TIMEOUT 2000: a writer facing a reader that never reads
 *   (zero window, probes answered) gets ETIMEDOUT about 2 s after the
 *   first probe; without it, it would probe on forever.  Each family's
 *   time from its first probe (tcpi_backoff turning 1) is compared with
 *   native's within 0.5 s (probe timers of a loaded TCG; native lands
 *   within 10 ms of 2.0 s on an idle one).
 * - TCP_LINGER2 -1: close() of a socket in FIN_WAIT2 resets the
 *   connection at once (the peer's next send() fails with EPIPE) and
 *   counts TcpExt TCPAbortOnLinger; with the default the orphan waits
 *   and the peer's send() succeeds.
 * - TCP_WINDOW_CLAMP: before connect() it bounds the shift and the
 *   handshake's window; on an established socket it lowers rcv_ssthresh
 *   and lets it back up when raised (values compared with native's).
 * - TCP_NOTSENT_LOWAT (and net.*.tcp_notsent_lowat in a namespace of the
 *   test's own): a writer facing a closed window stops (EAGAIN, no
 *   POLLOUT) once its unsent bytes reach the mark, long before the send
 *   buffer is full; unset, it goes on; and POLLOUT comes back when the
 *   reader drains the connection.
 * - TCP_SAVE_SYN 0, 1, 2 and TCP_SAVED_SYN: the headers of the SYN that
 *   made an accepted connection (IPv4 header on, or the MAC header on),
 *   EINVAL and the length needed for a short buffer, gone once read.
 *   TCP_DEFER_ACCEPT's seconds and TCP_THIN_LINEAR_TIMEOUTS are in the
 *   round trips; what they do is synq.sh's, delack.sh's and thin.sh's.
 * - TCP_TX_DELAY 50 ms, with the fq qdisc on loopback (in a namespace of
 *   the test's own; fq honours departure times): on a client, connect()
 *   and each 1-byte request/response round take 50 ms more (its SYN and
 *   requests leave late); on a listener, connect() does (its SYN-ACK)
 *   and so do the rounds (the accepted socket inherits it).  Each time
 *   is at least the delay and within 20 ms of native's (fq's timer
 *   fires on time; a loopback round is about 1 ms under TCG).  And 2 s
 *   of bulk transfer from the delayed client: at least half native's
 *   rate (TCP small queues must count the delayed bytes in).
 * - SO_RCVLOWAT: the values read back (capped at half of tcp_rmem[2], or
 *   of the SO_RCVBUF buffer), the buffer and window clamp it grows, what
 *   a listener's setting gives its children and a client's its
 *   handshake; and behind it, poll() readable only once the mark is in
 *   (or the window is full), an epoll waiter woken when the mark is
 *   lowered below what is queued, a poll() waiter not woken by every
 *   small segment below the mark (its voluntary context switches, about
 *   1 on native, are compared), and a blocked reader woken once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

/* <linux/tcp.h> has Linux 6.1's whole struct tcp_info (tcpi_snd_wnd);
 * what glibc's <netinet/tcp.h> would have given besides:
 */
#ifndef SOL_TCP
#define SOL_TCP IPPROTO_TCP
#endif
#define TCP_ESTABLISHED 1	/* include/net/tcp_states.h */
#define TCP_FIN_WAIT2 5

static const int opts[] = { TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
			    TCP_SYNCNT, TCP_LINGER2, TCP_USER_TIMEOUT,
			    TCP_WINDOW_CLAMP, TCP_NOTSENT_LOWAT, TCP_INQ,
			    TCP_DEFER_ACCEPT, TCP_THIN_LINEAR_TIMEOUTS,
			    TCP_THIN_DUPACK, TCP_SAVE_SYN, TCP_TX_DELAY };

/* Around Linux's limits: MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL 32767,
 * MAX_TCP_KEEPCNT and MAX_TCP_SYNCNT 127, TCP_FIN_TIMEOUT_MAX 120 s,
 * TCP_WINDOW_CLAMP's floor SOCK_MIN_RCVBUF / 2 (1140 on x86-64).
 */
static const int vals[] = { INT_MIN, -2, -1, 0, 1, 2, 5, 75, 119, 120, 121,
			    126, 127, 128, 255, 256, 1139, 1140, 1141, 7200,
			    32767, 32768, 65535, 65536, 1 << 30, INT_MAX };

struct result {
	int set_err;
	int got;
};

static int get_int(int fd, int level, int opt)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, level, opt, &val, &len) < 0)
		return -errno;
	return val;
}

static struct result set_then_get(int family, int opt, const void *val,
				  socklen_t len)
{
	int fd = socket(family, SOCK_STREAM, 0);
	struct result r = { -1, -1 };

	if (fd < 0)
		return r;
	r.set_err = setsockopt(fd, SOL_TCP, opt, val, len) ? errno : 0;
	r.got = get_int(fd, SOL_TCP, opt);
	close(fd);
	return r;
}

TEST(defaults_as_native)
{
	int in = socket(AF_INET, SOCK_STREAM, 0);
	int xt = socket(AF_XTCP, SOCK_STREAM, 0);
	unsigned int i;

	ASSERT_LE(0, in);
	ASSERT_LE(0, xt);
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		int want = get_int(in, SOL_TCP, opts[i]);

		/* 0 for TCP_USER_TIMEOUT, the sysctls' values otherwise. */
		EXPECT_LE(0, want);
		EXPECT_EQ(want, get_int(xt, SOL_TCP, opts[i]))
			TH_LOG("option %d", opts[i]);
	}
	EXPECT_EQ(get_int(in, SOL_SOCKET, SO_KEEPALIVE),
		  get_int(xt, SOL_SOCKET, SO_KEEPALIVE));
	close(in);
	close(xt);
}

TEST(values_and_errnos_as_native)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		for (j = 0; j < ARRAY_SIZE(vals); j++) {
			struct result n = set_then_get(AF_INET, opts[i], &vals[j],
						       sizeof(int));
			struct result x = set_then_get(AF_XTCP, opts[i], &vals[j],
						       sizeof(int));

			EXPECT_EQ(n.set_err, x.set_err)
				TH_LOG("option %d value %d", opts[i], vals[j]);
			EXPECT_EQ(n.got, x.got)
				TH_LOG("option %d value %d", opts[i], vals[j]);
		}
	}
}

TEST(short_optlen_as_native)
{
	unsigned int i;
	short s = 5;

	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		struct result n = set_then_get(AF_INET, opts[i], &s, sizeof(s));
		struct result x = set_then_get(AF_XTCP, opts[i], &s, sizeof(s));

		EXPECT_EQ(n.set_err, x.set_err) TH_LOG("option %d", opts[i]);
		EXPECT_EQ(n.got, x.got) TH_LOG("option %d", opts[i]);
	}
}

/* getsockopt() with room for fewer bytes than an int. */
TEST(short_getsockopt_as_native)
{
	int in = socket(AF_INET, SOCK_STREAM, 0);
	int xt = socket(AF_XTCP, SOCK_STREAM, 0);
	int v = 100;
	unsigned int i;

	ASSERT_LE(0, in);
	ASSERT_LE(0, xt);
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		unsigned char bn[4] = { 0 }, bx[4] = { 0 };
		socklen_t ln = 1, lx = 1;

		setsockopt(in, SOL_TCP, opts[i], &v, sizeof(v));
		setsockopt(xt, SOL_TCP, opts[i], &v, sizeof(v));
		EXPECT_EQ(getsockopt(in, SOL_TCP, opts[i], bn, &ln),
			  getsockopt(xt, SOL_TCP, opts[i], bx, &lx));
		EXPECT_EQ(ln, lx);
		EXPECT_EQ(0, memcmp(bn, bx, sizeof(bn)));
	}
	close(in);
	close(xt);
}

struct opt_val {
	int level, opt, val;
};

/* Set on the listener, then read on the accepted socket. */
static const struct opt_val inherited[] = {
	{ SOL_SOCKET, SO_KEEPALIVE, 1 }, { SOL_TCP, TCP_KEEPIDLE, 77 },
	{ SOL_TCP, TCP_KEEPINTVL, 11 }, { SOL_TCP, TCP_KEEPCNT, 5 },
	{ SOL_TCP, TCP_SYNCNT, 3 }, { SOL_TCP, TCP_LINGER2, 7 },
	{ SOL_TCP, TCP_USER_TIMEOUT, 4321 }, { SOL_TCP, TCP_WINDOW_CLAMP, 7000 },
	{ SOL_TCP, TCP_NOTSENT_LOWAT, 12345 }, { SOL_TCP, TCP_INQ, 1 },
	{ SOL_TCP, TCP_THIN_LINEAR_TIMEOUTS, 1 },
	{ SOL_TCP, TCP_SAVE_SYN, 2 }, { SOL_TCP, TCP_TX_DELAY, 2500 },
};

/* Then set on the accepted, established socket and read back (a new
 * keepalive idle time re-arms the timer).
 */
static const struct opt_val changed[] = {
	{ SOL_TCP, TCP_KEEPIDLE, 5 }, { SOL_TCP, TCP_LINGER2, -1 },
	{ SOL_TCP, TCP_SYNCNT, 9 },
	{ SOL_TCP, TCP_WINDOW_CLAMP, 0 },	/* EINVAL once connected */
};

#define N_CHILD (ARRAY_SIZE(inherited) + ARRAY_SIZE(changed))

/* What an accepted socket of @family reads for inherited[] and, after
 * setting them, for changed[] (-errno where a call failed).
 */
static int child_values(int family, int out[N_CHILD])
{
	struct sockaddr_in sin;
	unsigned int i, n = 0;
	int l, c, a;

	l = lo_listener(family, &sin, 1);
	if (l < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(inherited); i++)
		if (setsockopt(l, inherited[i].level, inherited[i].opt,
			       &inherited[i].val, sizeof(int)))
			return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(inherited); i++)
		out[n++] = get_int(a, inherited[i].level, inherited[i].opt);
	for (i = 0; i < ARRAY_SIZE(changed); i++)
		out[n++] = setsockopt(a, changed[i].level, changed[i].opt,
				      &changed[i].val, sizeof(int)) ? -errno :
			   get_int(a, changed[i].level, changed[i].opt);
	close(a);
	close(c);
	close(l);
	return 0;
}

/* TCP_DEFER_ACCEPT 5 s on a listener (read back 7: 3 SYN-ACK timeouts),
 * a client that sends a byte (so the connection is made at once): the
 * accepted socket reads 0 (Linux's child clears its accept queue), as
 * native's.  [0] listener, [1] child, -errno on a failure.
 */
static void defer_child(int family, int out[2])
{
	struct sockaddr_in sin;
	int l, c = -1, a, five = 5;

	out[0] = -1;
	out[1] = -1;
	l = lo_listener(family, &sin, 1);
	if (l < 0 ||
	    setsockopt(l, SOL_TCP, TCP_DEFER_ACCEPT, &five, sizeof(five)))
		goto out;
	out[0] = get_int(l, SOL_TCP, TCP_DEFER_ACCEPT);
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)) ||
	    write(c, "x", 1) != 1)
		goto out;
	a = accept(l, NULL, NULL);
	if (a < 0)
		goto out;
	out[1] = get_int(a, SOL_TCP, TCP_DEFER_ACCEPT);
	close(a);
out:
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
}

TEST(defer_accept_not_inherited_as_native)
{
	int n[2], x[2];

	defer_child(AF_INET, n);
	defer_child(AF_XTCP, x);
	TH_LOG("listener, child: native %d %d, xtcp %d %d", n[0], n[1], x[0],
	       x[1]);
	EXPECT_EQ(7, n[0]);
	EXPECT_EQ(0, n[1]);
	EXPECT_EQ(n[0], x[0]);
	EXPECT_EQ(n[1], x[1]);
}

TEST(accepted_socket_inherits_as_native)
{
	int n[N_CHILD], x[N_CHILD];
	unsigned int i;

	ASSERT_EQ(0, child_values(AF_INET, n));
	ASSERT_EQ(0, child_values(AF_XTCP, x));
	for (i = 0; i < N_CHILD; i++)
		EXPECT_EQ(n[i], x[i]) TH_LOG("value %u", i);
	for (i = 0; i < ARRAY_SIZE(inherited); i++)
		EXPECT_EQ(inherited[i].val, x[i]) TH_LOG("option %d",
							 inherited[i].opt);
}

/* Socket-level settings an accepted socket takes from its listener
 * (sk_clone_lock() copies the whole struct sock): set on the listener,
 * read on the child.  SO_ZEROCOPY is left out: the core refuses it to
 * any family but INET, INET6 and RDS; so is SO_BUSY_POLL_BUDGET, which
 * 6.1 sets but cannot read back (ENOPROTOOPT).
 */
static const struct opt_val sol_inherited[] = {
	{ SOL_SOCKET, SO_MAX_PACING_RATE, 1250000 },
	{ SOL_SOCKET, SO_BUSY_POLL, 50 },
	{ SOL_SOCKET, SO_RXQ_OVFL, 1 },
	{ SOL_SOCKET, SO_SELECT_ERR_QUEUE, 1 },
	{ SOL_SOCKET, SO_WIFI_STATUS, 1 },
	{ SOL_SOCKET, SO_NOFCS, 1 },
	{ SOL_SOCKET, SO_BROADCAST, 1 },
	{ SOL_SOCKET, SO_RCVMARK, 1 },
	{ SOL_SOCKET, SO_TXREHASH, 1 },
	{ SOL_SOCKET, SO_PREFER_BUSY_POLL, 1 },
};

#define N_SOL (ARRAY_SIZE(sol_inherited) + 5)

/* What an accepted socket of @family reads for sol_inherited[] (-errno
 * where setting it on the listener failed, else the child's value), then
 * SO_RCVTIMEO's and SO_SNDTIMEO's seconds and microseconds, then
 * SO_PRIORITY 5 on the listener as the child reads it (sk_clone_lock()
 * zeroes it).
 */
static int sol_child_values(int family, int out[N_SOL])
{
	struct timeval rcv = { 3, 250000 }, snd = { 7, 500000 }, tv;
	socklen_t tlen = sizeof(tv);
	int l, c, a, err[ARRAY_SIZE(sol_inherited)], prio = 5;
	struct sockaddr_in sin;
	unsigned int i, n = 0;

	l = lo_listener(family, &sin, 1);
	if (l < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv)) ||
	    setsockopt(l, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd)) ||
	    setsockopt(l, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)))
		return -1;
	for (i = 0; i < ARRAY_SIZE(sol_inherited); i++)
		err[i] = setsockopt(l, sol_inherited[i].level,
				    sol_inherited[i].opt,
				    &sol_inherited[i].val, sizeof(int)) ?
			 -errno : 0;
	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(sol_inherited); i++)
		out[n++] = err[i] ? err[i] :
			   get_int(a, sol_inherited[i].level,
				   sol_inherited[i].opt);
	if (getsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, &tlen))
		return -1;
	out[n++] = tv.tv_sec;
	out[n++] = tv.tv_usec;
	tlen = sizeof(tv);
	if (getsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &tv, &tlen))
		return -1;
	out[n++] = tv.tv_sec;
	out[n++] = tv.tv_usec;
	out[n++] = get_int(a, SOL_SOCKET, SO_PRIORITY);
	close(a);
	close(c);
	close(l);
	return 0;
}

TEST(accepted_socket_inherits_socket_level_as_native)
{
	int n[N_SOL], x[N_SOL];
	unsigned int i;

	ASSERT_EQ(0, sol_child_values(AF_INET, n));
	ASSERT_EQ(0, sol_child_values(AF_XTCP, x));
	for (i = 0; i < N_SOL; i++) {
		TH_LOG("value %u: native %d xtcp %d", i, n[i], x[i]);
		EXPECT_EQ(n[i], x[i]);
	}
	/* Sanity: native's child took them. */
	for (i = 0; i < ARRAY_SIZE(sol_inherited); i++)
		EXPECT_EQ(sol_inherited[i].val, n[i]);
	/* 3.25 s, in whole jiffies (3.252 s at HZ 250). */
	EXPECT_EQ(3, n[ARRAY_SIZE(sol_inherited)]);
	EXPECT_LE(250000, n[ARRAY_SIZE(sol_inherited) + 1]);
	EXPECT_GT(260000, n[ARRAY_SIZE(sol_inherited) + 1]);
	EXPECT_EQ(0, n[ARRAY_SIZE(sol_inherited) + 4]);
}

TEST(so_keepalive_round_trip_as_native)
{
	int fams[2] = { AF_INET, AF_XTCP }, got[2][3], f;
	int on = 1, off = 0;

	for (f = 0; f < 2; f++) {
		int fd = socket(fams[f], SOCK_STREAM, 0);

		ASSERT_LE(0, fd);
		got[f][0] = get_int(fd, SOL_SOCKET, SO_KEEPALIVE);
		ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on,
					sizeof(on)));
		got[f][1] = get_int(fd, SOL_SOCKET, SO_KEEPALIVE);
		ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &off,
					sizeof(off)));
		got[f][2] = get_int(fd, SOL_SOCKET, SO_KEEPALIVE);
		close(fd);
	}
	EXPECT_EQ(0, memcmp(got[0], got[1], sizeof(got[0])));
	EXPECT_EQ(1, got[1][1]);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Bytes per second moved from @c to @a (both made non-blocking) in
 * @secs seconds of sending as fast as they go; -1 on a failure.
 */
static double bulk_rate(int c, int a, double secs)
{
	static char buf[65536];
	struct pollfd p[2] = { { .fd = c, .events = POLLOUT },
			       { .fd = a, .events = POLLIN } };
	double t = now_s(), got = 0;
	ssize_t n;

	if (fcntl(c, F_SETFL, O_NONBLOCK) || fcntl(a, F_SETFL, O_NONBLOCK))
		return -1;
	while (now_s() - t < secs) {
		if (poll(p, 2, 100) < 0)
			return -1;
		if (p[0].revents & POLLOUT) {
			n = send(c, buf, sizeof(buf), 0);
			if (n < 0 && errno != EAGAIN)
				return -1;
		}
		if (p[1].revents & POLLIN) {
			n = recv(a, buf, sizeof(buf), 0);
			if (n <= 0 && !(n < 0 && errno == EAGAIN))
				return -1;
			if (n > 0)
				got += n;
		}
	}
	return got / (now_s() - t);
}

/* TCP_TX_DELAY of 50 ms on a @family client (@on_listener false) or
 * listener (true): connect()'s time in @out[0], the mean time of 4
 * rounds of 1-byte request and response in @out[1], seconds; for the
 * client, the bytes per second of 2 s of bulk transfer in @out[2]; -1
 * on a failure.
 */
static void tx_delay_obs(int family, bool on_listener, double out[3])
{
	int delay = 50000, one = 1, l, c = -1, a = -1, i;
	struct sockaddr_in sin;
	char b = 'x';
	double t;

	out[0] = -1;
	out[1] = -1;
	out[2] = -1;
	l = lo_listener(family, &sin, 1);
	if (l < 0 || (on_listener &&
		      setsockopt(l, SOL_TCP, TCP_TX_DELAY, &delay, sizeof(delay))))
		goto out;
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || set_timeouts(c, 10 * (int)xtcp_slow()) ||
	    setsockopt(c, SOL_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    (!on_listener &&
	     setsockopt(c, SOL_TCP, TCP_TX_DELAY, &delay, sizeof(delay))))
		goto out;
	t = now_s();
	if (connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		goto out;
	out[0] = now_s() - t;
	a = accept(l, NULL, NULL);
	if (a < 0 || set_timeouts(a, 10 * (int)xtcp_slow()) ||
	    setsockopt(a, SOL_TCP, TCP_NODELAY, &one, sizeof(one)))
		goto out;
	t = now_s();
	for (i = 0; i < 4; i++)
		if (send(c, &b, 1, 0) != 1 || recv(a, &b, 1, 0) != 1 ||
		    send(a, &b, 1, 0) != 1 || recv(c, &b, 1, 0) != 1)
			goto out;
	out[1] = (now_s() - t) / 4;
	if (!on_listener)
		out[2] = bulk_rate(c, a, 2);
out:
	close(a);
	close(c);
	close(l);
}

/* xtcp's time @x (s) of a timer-driven event as native's @n: at most
 * @tol after it and at most @tol times XTCP_SLOW before it (timers fire
 * late, never early; lib/slow.py's as_native_time() for the python
 * tests).
 */
static bool as_native_time(double x, double n, double tol)
{
	return x <= n + tol && x >= n - tol * xtcp_slow();
}

TEST(tx_delay_as_native)
{
	static const char * const what[] = { "connect", "round" };
	double n[3], x[3], nb = -1, xb = -1;
	int side, i;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, if_up("lo"));
	ASSERT_EQ(0, system("tc qdisc replace dev lo root fq"));
	for (side = 0; side < 2; side++) {
		tx_delay_obs(AF_INET, side, n);
		tx_delay_obs(AF_XTCP, side, x);
		if (!side) {
			nb = n[2];
			xb = x[2];
		}
		for (i = 0; i < 2; i++) {
			TH_LOG("TCP_TX_DELAY 50 ms on the %s, %s: native %.4f s, xtcp %.4f s",
			       side ? "listener" : "client", what[i], n[i],
			       x[i]);
			EXPECT_LE(0.05, n[i]);
			EXPECT_LE(0.05, x[i]);
			/* Native's connect took 0.102 s on the debug
			 * kernel, xtcp's 0.060 s.
			 */
			EXPECT_TRUE(as_native_time(x[i], n[i], 0.02));
		}
	}
	/* The client's bulk rate: TCP small queues must leave room for
	 * what waits out the delay below IP, or the rate collapses to
	 * about 1 ms of data per 50 ms.
	 */
	TH_LOG("TCP_TX_DELAY 50 ms, bulk: native %.0f B/s, xtcp %.0f B/s",
	       nb, xb);
	EXPECT_LT(0, nb);
	EXPECT_LE(nb / 2, xb);
}

/* connect() with TCP_SYNCNT 1 to a listener whose accept queue is full
 * (backlog 0 and one connection nobody accepted), so that it drops our
 * SYNs: @err gets connect()'s errno, the return is its time in seconds,
 * negative if the set-up failed.
 */
static double syncnt_connect(int family, int *err)
{
	struct sockaddr_in sin;
	int l, first, c, one = 1;
	double t0, t;

	l = lo_listener(family, &sin, 0);
	if (l < 0)
		return -1;
	first = socket(family, SOCK_STREAM, 0);
	if (first < 0 || connect(first, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	usleep(100000);		/* its ACK is in: the queue is full */
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || setsockopt(c, SOL_TCP, TCP_SYNCNT, &one, sizeof(one)))
		return -1;
	t0 = now_s();
	*err = connect(c, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
	t = now_s() - t0;
	close(c);
	close(first);
	close(l);
	return t;
}

/* Runs @run on native then on xtcp: native's error must be @err after
 * @lo to @hi s; xtcp's the same, also within @lo..@hi, no more than
 * @tol s after native's time and no more than @tol times XTCP_SLOW
 * before it: timers fire late, never early, and on a slower kernel
 * native's timer wheel fired its 2 s user timeout 0.61 s late where
 * xtcp's timer was on time (check-debug of 2026-12-05).  When a time is
 * missing or out of those bounds, @explain (if any) logs what the runs
 * saw.  Native's own time outside @lo..@hi, or none (a slow debug
 * kernel: a zero window that opened for a moment restarted its user
 * timeout, 4.22 s; or ended the probing before the error, so that no
 * time from the first probe was left, check-debug of 2026-12-05) leaves
 * nothing to compare with: a SKIP if xtcp's error is @err within
 * @lo..@hi, a failure otherwise.
 */
static void timed_as_native(struct __test_metadata *_metadata,
			    double (*run)(int family, int *err), int err,
			    double lo, double hi, double tol,
			    void (*explain)(struct __test_metadata *))
{
	int en = -1, ex = -1;
	double tn = run(AF_INET, &en);
	double tx = run(AF_XTCP, &ex);

	if (explain && (tn < 0 || tx < 0 || !as_native_time(tx, tn, tol)))
		explain(_metadata);
	ASSERT_LE(0, tx);
	TH_LOG("native %.2f s error %d, xtcp %.2f s error %d", tn, en, tx, ex);
	if ((tn < 0 || (en == err && (tn < lo || tn > hi))) && ex == err &&
	    tx >= lo && tx <= hi)
		SKIP(return, "native's own check failed: %.2f s, not %.1f..%.1f s",
		     tn, lo, hi);
	ASSERT_LE(0, tn);
	EXPECT_EQ(err, en);
	EXPECT_LE(lo, tn);
	EXPECT_GE(hi, tn);
	EXPECT_EQ(en, ex);
	EXPECT_LE(lo, tx);
	EXPECT_GE(hi, tx);
	EXPECT_TRUE(as_native_time(tx, tn, tol));
}

/* The reference: SYN, one resend after 1 s, given up 2 s later. */
TEST(syncnt_gives_up_as_native)
{
	timed_as_native(_metadata, syncnt_connect, ETIMEDOUT, 2.5, 4.5, 0.6,
			NULL);
}

/* What the readings of note_first_probe() saw change (back-off, state,
 * unacknowledged segments, peer window, probes), for a failure's log.
 */
static struct probe_trace {
	double start;
	unsigned int n;
	struct {
		double t;
		unsigned int backoff, state, unacked, snd_wnd, probes;
	} e[64];
} traces[2], *trace = &traces[0];

static void probe_trace(const struct tcp_info *ti)
{
	unsigned int ntrace = trace->n;
	const typeof(trace->e[0]) *last = ntrace ? &trace->e[ntrace - 1] : NULL;

	if (ntrace == ARRAY_SIZE(trace->e) ||
	    (last && last->backoff == ti->tcpi_backoff &&
	     last->state == ti->tcpi_state && last->unacked == ti->tcpi_unacked &&
	     last->snd_wnd == ti->tcpi_snd_wnd &&
	     last->probes == ti->tcpi_probes))
		return;
	trace->e[ntrace].t = now_s() - trace->start;
	trace->e[ntrace].backoff = ti->tcpi_backoff;
	trace->e[ntrace].state = ti->tcpi_state;
	trace->e[ntrace].unacked = ti->tcpi_unacked;
	trace->e[ntrace].snd_wnd = ti->tcpi_snd_wnd;
	trace->e[ntrace].probes = ti->tcpi_probes;
	trace->n++;
}

/* Both families' traces (timed_as_native()'s @explain). */
static void probe_traces_log(struct __test_metadata *_metadata)
{
	static const char * const who[] = { "native", "xtcp" };
	unsigned int f, i;

	for (f = 0; f < ARRAY_SIZE(traces); f++)
		for (i = 0; i < traces[f].n; i++)
			TH_LOG("%s %.3f s: backoff %u state %u unacked %u snd_wnd %u probes %u",
			       who[f], traces[f].e[i].t, traces[f].e[i].backoff,
			       traces[f].e[i].state, traces[f].e[i].unacked,
			       traces[f].e[i].snd_wnd, traces[f].e[i].probes);
}

/* Seconds since @fd's first zero-window probe, read from TCP_INFO: @t0
 * is set at the first reading of tcpi_backoff 1 or more (the probe
 * back-off, from the first probe on).  A retransmission timeout also
 * raises the back-off, and the next RTT sample clears it: a slow
 * kernel's RTO during the fill once started native's clock 2.4 s early
 * (check-debug of 2026-12-03), so a back-off back at 0 (also when the
 * window opened: the next probe starts the user timeout anew,
 * tcp_ack_probe()) sets @t0 back to -1.  Requiring nothing in flight
 * as well missed native's probes in one run of three: a probe that
 * carries data into a window too small for a segment is in flight.
 */
static void note_first_probe(int fd, double *t0)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	/* Once aborted the back-off reads 0 too (tcp_write_queue_purge()). */
	if (getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &len))
		return;
	probe_trace(&ti);
	if (ti.tcpi_state != TCP_ESTABLISHED)
		return;
	if (!ti.tcpi_backoff)
		*t0 = -1;
	else if (*t0 < 0)
		*t0 = now_s();
}

/* A connection on 127.0.0.1 whose server never reads (receive buffer at
 * its minimum) and whose client, with TCP_USER_TIMEOUT 2000, writes until
 * the window and its send buffer are full.  The user timeout counts from
 * the first zero-window probe (tcp_probe_timer(), icsk_probes_tstamp),
 * not from the last write: on a slow kernel the client may still be
 * filling its send buffer when the probe goes.  Returns the time (s) from
 * the first probe, seen as tcpi_backoff turning 1 (read every 10 ms),
 * until the client's error; negative on a set-up failure or no probe.
 * @err gets SO_ERROR.
 */
static double user_timeout_zero_window(int family, int *err)
{
	struct sockaddr_in sin;
	int l, c, a, small = 1, ut = 2000, flags, werr = 0;
	struct pollfd p;
	char buf[16384] = { 0 };
	socklen_t len = sizeof(*err);
	double t0, probe = -1, t;

	l = lo_listener(family, &sin, 1);
	if (l < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)))
		return -1;
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 ||
	    setsockopt(c, SOL_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut)) ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	flags = fcntl(c, F_GETFL);
	if (a < 0 || flags < 0 || fcntl(c, F_SETFL, flags | O_NONBLOCK))
		return -1;
	/* Fill: until writes have failed with EAGAIN for 0.5 s.  A slow
	 * kernel may still trickle data into the window when the user
	 * timeout ends the connection: the write's error is then @err.
	 */
	t0 = now_s();
	trace = &traces[family != AF_INET];
	trace->start = t0;
	trace->n = 0;
	while (now_s() - t0 < 0.5) {
		note_first_probe(c, &probe);
		if (write(c, buf, sizeof(buf)) > 0) {
			t0 = now_s();
			continue;
		}
		if (errno != EAGAIN) {
			werr = errno;
			break;
		}
		usleep(10000);
	}
	p.fd = c;
	p.events = 0;		/* POLLERR and POLLHUP come anyway */
	*err = 0;
	while (!werr && now_s() - t0 < 15) {
		note_first_probe(c, &probe);
		p.revents = 0;
		if (poll(&p, 1, 10) < 0)
			return -1;
		if (p.revents & (POLLERR | POLLHUP))
			break;
	}
	t = now_s() - probe;
	if (werr)
		*err = werr;
	else
		getsockopt(c, SOL_SOCKET, SO_ERROR, err, &len);
	close(c);
	close(a);
	close(l);
	return probe < 0 ? -1 : t;
}

/* The reference: an error 2 s after the first probe (1.5 s allows for
 * a first probe seen late).
 */
TEST(user_timeout_zero_window_as_native)
{
	timed_as_native(_metadata, user_timeout_zero_window, ETIMEDOUT, 1.5,
			3.0, 0.5, probe_traces_log);
}

/* Whether @fd reaches TCP state @state (TCP_INFO) within 10 s. */
static bool wait_state(int fd, int state)
{
	struct tcp_info ti;
	socklen_t len;
	double t0 = now_s();

	while (now_s() - t0 < 10) {
		len = sizeof(ti);
		if (getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &len) == 0 &&
		    ti.tcpi_state == state)
			return true;
		usleep(10000);
	}
	return false;
}

/* A connection on 127.0.0.1 whose client half-closes (FIN_WAIT2, our
 * FIN ACKed, the peer's end still open), sets TCP_LINGER2 to @linger2
 * unless it is INT_MIN, and closes.  Returns the server's send() result
 * 0.3 s later (bytes, or -errno); @aborts gets the growth of
 * TCPAbortOnLinger.
 */
static int linger2_close(int family, int linger2, long *aborts)
{
	struct sockaddr_in sin;
	int l, c, a, r;
	char b;
	long before;

	l = lo_listener(family, &sin, 1);
	if (l < 0)
		return -1000;
	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0)
		return -1000;
	if (linger2 != INT_MIN &&
	    setsockopt(c, SOL_TCP, TCP_LINGER2, &linger2, sizeof(linger2)))
		return -1000;
	if (shutdown(c, SHUT_WR) || read(a, &b, 1) != 0)
		return -1000;	/* the server saw our FIN */
	if (!wait_state(c, TCP_FIN_WAIT2))
		return -1001;	/* its ACK of it never reached us */
	before = tcpext(family, "TCPAbortOnLinger");
	close(c);
	usleep(300000);
	r = send(a, "x", 1, MSG_NOSIGNAL) < 0 ? -errno : 1;
	*aborts = tcpext(family, "TCPAbortOnLinger") - before;
	close(a);
	close(l);
	return r;
}

TEST(linger2_negative_resets_as_native)
{
	long an = -1, ax = -1;
	int n = linger2_close(AF_INET, -1, &an);
	int x = linger2_close(AF_XTCP, -1, &ax);

	TH_LOG("native send %d aborts %ld, xtcp send %d aborts %ld",
	       n, an, x, ax);
	EXPECT_EQ(-EPIPE, n);
	EXPECT_EQ(1, an);
	EXPECT_EQ(n, x);
	EXPECT_EQ(an, ax);
}

TEST(linger2_default_waits_as_native)
{
	long an = -1, ax = -1;
	int n = linger2_close(AF_INET, INT_MIN, &an);
	int x = linger2_close(AF_XTCP, INT_MIN, &ax);

	TH_LOG("native send %d aborts %ld, xtcp send %d aborts %ld",
	       n, an, x, ax);
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, an);
	EXPECT_EQ(n, x);
	EXPECT_EQ(an, ax);
}

static int info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len);
}

/* What TCP_WINDOW_CLAMP does, on a connection of @family on 127.0.0.1:
 * [0] the client's clamp (5000, set before connect()) read back once
 * connected, [1] the client's window shift, [2] the window the client's
 * handshake ACK offered (the server's tcpi_snd_wnd), [3] the accepted
 * end's clamp; then on the client [4] rcv_ssthresh after TCP_WINDOW_CLAMP
 * 3000, [5] the clamp read back, [6] rcv_ssthresh after raising it to
 * 1 MB (back up to the 5000 last offered); then on a second connection
 * with no clamp, after 100 KB read, [7] the client's rcv_ssthresh after
 * TCP_WINDOW_CLAMP 3000.  -1 where a call failed.  @raised gets that
 * connection's rcv_ssthresh after raising the clamp to 1 MB again: the
 * window last offered.
 */
static int window_clamp_obs(int family, int out[8], int *raised)
{
	struct sockaddr_in sin;
	struct tcp_info ti;
	int l, c, a, v, i, got;
	char buf[16384] = { 0 };

	for (i = 0; i < 8; i++)
		out[i] = -1;
	l = lo_listener(family, &sin, 2);
	c = socket(family, SOCK_STREAM, 0);
	v = 5000;
	if (l < 0 || c < 0 ||
	    setsockopt(c, SOL_TCP, TCP_WINDOW_CLAMP, &v, sizeof(v)) ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	if (a < 0)
		return -1;
	out[0] = get_int(c, SOL_TCP, TCP_WINDOW_CLAMP);
	if (!info(c, &ti))
		out[1] = ti.tcpi_rcv_wscale;
	if (!info(a, &ti))
		out[2] = ti.tcpi_snd_wnd;
	out[3] = get_int(a, SOL_TCP, TCP_WINDOW_CLAMP);
	v = 3000;
	if (setsockopt(c, SOL_TCP, TCP_WINDOW_CLAMP, &v, sizeof(v)))
		return -1;
	if (!info(c, &ti))
		out[4] = ti.tcpi_rcv_ssthresh;
	out[5] = get_int(c, SOL_TCP, TCP_WINDOW_CLAMP);
	v = 1 << 20;
	if (setsockopt(c, SOL_TCP, TCP_WINDOW_CLAMP, &v, sizeof(v)))
		return -1;
	if (!info(c, &ti))
		out[6] = ti.tcpi_rcv_ssthresh;
	close(a);
	close(c);

	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0)
		return -1;
	for (i = 0; i < 100 * 1024; i += got) {
		if (write(a, buf, sizeof(buf)) != sizeof(buf))
			return -1;
		got = 0;
		while (got < (int)sizeof(buf)) {
			int r = read(c, buf, sizeof(buf) - got);

			if (r <= 0)
				return -1;
			got += r;
		}
	}
	v = 3000;
	if (setsockopt(c, SOL_TCP, TCP_WINDOW_CLAMP, &v, sizeof(v)))
		return -1;
	if (!info(c, &ti))
		out[7] = ti.tcpi_rcv_ssthresh;
	v = 1 << 20;
	if (setsockopt(c, SOL_TCP, TCP_WINDOW_CLAMP, &v, sizeof(v)))
		return -1;
	*raised = info(c, &ti) ? -1 : (int)ti.tcpi_rcv_ssthresh;
	close(a);
	close(c);
	close(l);
	return 0;
}

/* TCP_WINDOW_CLAMP set before connect() bounds the shift and the first
 * window offered; set on an established socket it lowers rcv_ssthresh at
 * once, and raising it again lets rcv_ssthresh back up to the window last
 * offered (tcp_set_window_clamp()).  The raise after 100 KB shows the
 * window each stack last offered there.  Receive-buffer auto-tuning is
 * off for both (tcp_moderate_rcvbuf 0, in a namespace of the test's own):
 * whether it grows the buffer within 100 KB depends on how many bytes the
 * reader copies per receiver RTT, which is timing under TCG (a CI run of
 * 2026-12-02 saw native 65536, xtcp 327552, where other runs saw 65536
 * twice).  With the buffer fixed, only the receive window's own growth
 * (tcp_grow_window()) decides.
 */
TEST(window_clamp_as_native)
{
	static const char * const what[] = {
		"clamp after connect", "shift", "handshake window",
		"accepted clamp", "rcv_ssthresh, clamp 3000", "clamp 3000",
		"rcv_ssthresh, clamp 1 MB", "rcv_ssthresh, clamp 3000 after 100 KB",
	};
	int n[8], x[8], rn, rx, i;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, if_up("lo"));
	ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/tcp_moderate_rcvbuf", "0"));
	ASSERT_EQ(0, write_file("/proc/sys/net/xtcp/tcp_moderate_rcvbuf", "0"));
	ASSERT_EQ(0, window_clamp_obs(AF_INET, n, &rn));
	ASSERT_EQ(0, window_clamp_obs(AF_XTCP, x, &rx));
	for (i = 0; i < 8; i++) {
		TH_LOG("%s: native %d, xtcp %d", what[i], n[i], x[i]);
		EXPECT_EQ(n[i], x[i]);
	}
	TH_LOG("rcv_ssthresh, clamp 1 MB after 100 KB: native %d, xtcp %d",
	       rn, rx);
	EXPECT_EQ(rn, rx);
	/* Sanity: the clamp took effect on native. */
	EXPECT_EQ(5000, n[0]);
	EXPECT_GE(5000, n[2]);
	EXPECT_EQ(3000, n[4]);
	EXPECT_LT(n[4], n[6]);
	EXPECT_EQ(3000, n[7]);
}

/* What TCP_NOTSENT_LOWAT 16384 does (from the option, or from the
 * namespace's sysctl if @sysctl) to a nonblocking writer of @family
 * whose reader, with the smallest receive buffer, does not read yet.
 */
struct lowat_obs {
	int notsent;	/* unsent bytes at the first EAGAIN */
	int pollout;	/* POLLOUT then */
	int unset_pollout;	/* POLLOUT with the option 0 (none) */
	int more;	/* bytes written after that, up to 1 MB */
	int woken;	/* POLLOUT within 5 s of the reader draining */
};

static int notsent(int fd)
{
	struct tcp_info ti;

	return info(fd, &ti) ? -1 : (int)ti.tcpi_notsent_bytes;
}

static int pollout(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLOUT);
}

/* Nonblocking writes of 1000 bytes until EAGAIN or @max bytes. */
static int fill(int fd, int max)
{
	char buf[1000] = { 0 };
	int total = 0, r;

	while (total < max) {
		r = write(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		total += r;
	}
	return total;
}

static int lowat_run(int family, bool sysctl, struct lowat_obs *o)
{
	struct sockaddr_in sin;
	int l, c, a, v, small = 1, st;
	char buf[65536];
	pid_t pid;

	memset(o, 0xff, sizeof(*o));
	l = lo_listener(family, &sin, 1);
	if (l < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)))
		return -1;
	c = socket(family, SOCK_STREAM, 0);
	/* A send buffer (2 MB) that is not what stops the writer. */
	v = 1 << 20;
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)))
		return -1;
	v = 16384;
	if (!sysctl &&
	    setsockopt(c, SOL_TCP, TCP_NOTSENT_LOWAT, &v, sizeof(v)))
		return -1;
	if (connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	if (a < 0 || fcntl(c, F_SETFL, O_NONBLOCK))
		return -1;
	fill(c, 1 << 20);
	usleep(100000);		/* what the window took is sent */
	fill(c, 1 << 20);
	o->notsent = notsent(c);
	o->pollout = pollout(c, 0);
	/* With no mark (the sysctl's UINT_MAX) the send buffer decides. */
	v = sysctl ? -1 : 0;
	if (setsockopt(c, SOL_TCP, TCP_NOTSENT_LOWAT, &v, sizeof(v)))
		return -1;
	o->unset_pollout = pollout(c, 0);
	o->more = fill(c, 1 << 20);
	v = 16384;
	if (setsockopt(c, SOL_TCP, TCP_NOTSENT_LOWAT, &v, sizeof(v)))
		return -1;
	/* A reader drains for 5 s; the writer waits for POLLOUT. */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		double t0 = now_s();

		fcntl(a, F_SETFL, O_NONBLOCK);
		while (now_s() - t0 < 5) {
			if (read(a, buf, sizeof(buf)) <= 0)
				usleep(1000);
		}
		_exit(0);
	}
	o->woken = pollout(c, 5000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	abort_close(c);
	close(a);
	close(l);
	return 0;
}

static void lowat_as_native(struct __test_metadata *_metadata, bool sysctl)
{
	struct lowat_obs n, x;

	ASSERT_EQ(0, lowat_run(AF_INET, sysctl, &n));
	ASSERT_EQ(0, lowat_run(AF_XTCP, sysctl, &x));
	TH_LOG("native: unsent %d pollout %d unset %d more %d woken %d",
	       n.notsent, n.pollout, n.unset_pollout, n.more, n.woken);
	TH_LOG("xtcp:   unsent %d pollout %d unset %d more %d woken %d",
	       x.notsent, x.pollout, x.unset_pollout, x.more, x.woken);
	/* The mark stops a writer once an skb must be added: at least the
	 * mark is unsent, less than one more skb (64 KB) beyond it.
	 */
	EXPECT_LE(16384, n.notsent);
	EXPECT_GT(16384 + 65536, n.notsent);
	EXPECT_LE(16384, x.notsent);
	EXPECT_GT(16384 + 65536, x.notsent);
	EXPECT_EQ(0, n.pollout);
	EXPECT_EQ(n.pollout, x.pollout);
	EXPECT_EQ(1, n.unset_pollout);
	EXPECT_EQ(n.unset_pollout, x.unset_pollout);
	/* Without it the writer goes on (into the 2 MB send buffer). */
	EXPECT_LT(16384, n.more);
	EXPECT_LT(16384, x.more);
	EXPECT_EQ(1, n.woken);
	EXPECT_EQ(n.woken, x.woken);
}

TEST(notsent_lowat_as_native)
{
	lowat_as_native(_metadata, false);
}

/* The same mark from net.ipv4.tcp_notsent_lowat and its net.xtcp twin,
 * in a namespace of the test's own; the option at -1 (UINT_MAX) lifts it.
 */
TEST(notsent_lowat_sysctl_as_native)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, if_up("lo"));
	ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/tcp_notsent_lowat",
				"16384"));
	ASSERT_EQ(0, write_file("/proc/sys/net/xtcp/tcp_notsent_lowat",
				"16384"));
	lowat_as_native(_metadata, true);
}

/* SO_RCVLOWAT, SO_RCVBUF and TCP_WINDOW_CLAMP of @fd, in @out[0..2]. */
static void rcvlowat_bufs(int fd, int out[3])
{
	out[0] = get_int(fd, SOL_SOCKET, SO_RCVLOWAT);
	out[1] = get_int(fd, SOL_SOCKET, SO_RCVBUF);
	out[2] = get_int(fd, SOL_TCP, TCP_WINDOW_CLAMP);
}

/* tcp_rmem[2] of the namespace for @family, -1 if unreadable. */
static int rmem2(int family)
{
	FILE *f = fopen(family == AF_INET ? "/proc/sys/net/ipv4/tcp_rmem" :
					    "/proc/sys/net/xtcp/tcp_rmem", "r");
	int v[3] = { -1, -1, -1 };

	if (!f)
		return -1;
	if (fscanf(f, "%d %d %d", &v[0], &v[1], &v[2]) != 3)
		v[2] = -1;
	fclose(f);
	return v[2];
}

/* On a new socket of @family, after SO_RCVBUF @rcvbuf (unless 0), each of
 * @n values of SO_RCVLOWAT in turn: @out gets, per value, setsockopt()'s
 * errno (0 if it worked) and rcvlowat_bufs().
 */
static int rcvlowat_seq(int family, int rcvbuf, const int *vals, int n,
			int out[][4])
{
	int fd = socket(family, SOCK_STREAM, 0), i;

	if (fd < 0 || (rcvbuf &&
		       setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				  sizeof(rcvbuf))))
		return -1;
	for (i = 0; i < n; i++) {
		out[i][0] = setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &vals[i],
				       sizeof(int)) ? errno : 0;
		rcvlowat_bufs(fd, &out[i][1]);
	}
	close(fd);
	return 0;
}

/* Row by row, @x's rcvlowat_seq() results against native's @n. */
static void rcvlowat_rows_eq(struct __test_metadata *_metadata,
			     const char *what, const int *vals, int rows,
			     int n[][4], int x[][4])
{
	int i, j;

	for (i = 0; i < rows; i++)
		for (j = 0; j < 4; j++)
			EXPECT_EQ(n[i][j], x[i][j])
				TH_LOG("%s, value %d: item %d", what, vals[i],
				       j);
}

/* The mark is at most half of tcp_rmem[2] (with SO_RCVBUF set, half of
 * that buffer), 0 and negative values as the core turns them (1 and the
 * cap); the buffer grows to twice the mark and the clamp with it, unless
 * SO_RCVBUF fixed it, and neither shrinks (tcp_set_rcvlowat()).  Each
 * value on a new socket, then in sequence on one.
 */
TEST(rcvlowat_values_as_native)
{
	int cap = rmem2(AF_INET) / 2;
	const int vals[] = { INT_MIN, -1, 0, 1, 2, 1000, 65536, 1 << 20,
			     cap - 1, cap, cap + 1, 1 << 30, INT_MAX };
	const int seq[] = { 100000, 1000, 0, 300000, 50000, 7 };
	const int locked[] = { 5000, 9999, 10000, 10001, 20000, -1, 0 };
	int n[ARRAY_SIZE(vals)][4], x[ARRAY_SIZE(vals)][4];
	unsigned int i;

	ASSERT_LT(0, cap);
	ASSERT_EQ(rmem2(AF_INET), rmem2(AF_XTCP));
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		ASSERT_EQ(0, rcvlowat_seq(AF_INET, 0, &vals[i], 1, &n[i]));
		ASSERT_EQ(0, rcvlowat_seq(AF_XTCP, 0, &vals[i], 1, &x[i]));
	}
	rcvlowat_rows_eq(_metadata, "alone", vals, ARRAY_SIZE(vals), n, x);
	/* Sanity: native caps and grows as described. */
	EXPECT_EQ(1, n[2][1]);
	EXPECT_EQ(cap, n[0][1]);
	EXPECT_EQ(cap, n[ARRAY_SIZE(vals) - 1][1]);
	EXPECT_EQ(2 << 20, n[7][2]);

	ASSERT_EQ(0, rcvlowat_seq(AF_INET, 0, seq, ARRAY_SIZE(seq), n));
	ASSERT_EQ(0, rcvlowat_seq(AF_XTCP, 0, seq, ARRAY_SIZE(seq), x));
	rcvlowat_rows_eq(_metadata, "in sequence", seq, ARRAY_SIZE(seq), n, x);
	EXPECT_EQ(600000, n[ARRAY_SIZE(seq) - 1][2]);

	/* SO_RCVBUF 10000 (a 20000-byte buffer): capped at 10000. */
	ASSERT_EQ(0, rcvlowat_seq(AF_INET, 10000, locked, ARRAY_SIZE(locked),
				  n));
	ASSERT_EQ(0, rcvlowat_seq(AF_XTCP, 10000, locked, ARRAY_SIZE(locked),
				  x));
	rcvlowat_rows_eq(_metadata, "SO_RCVBUF 10000", locked,
			 ARRAY_SIZE(locked), n, x);
	EXPECT_EQ(10000, n[4][1]);
	EXPECT_EQ(20000, n[4][2]);
}

/* What SO_RCVLOWAT does around a connection of @family on 127.0.0.1:
 * [0..2] rcvlowat_bufs() of a child of a listener with SO_RCVLOWAT
 * 100000; [3..5] of a client with SO_RCVLOWAT 150000 set before
 * connect(), once connected, [6] its window shift, [7] the window its
 * handshake ACK offered (the server's tcpi_snd_wnd); [8..10] of the
 * established server end after SO_RCVLOWAT 200000.  -1 where a call
 * failed.
 */
static int rcvlowat_conn_obs(int family, int out[11])
{
	struct sockaddr_in sin;
	struct tcp_info ti;
	int l, c, a, v, i;

	for (i = 0; i < 11; i++)
		out[i] = -1;
	l = lo_listener(family, &sin, 2);
	v = 100000;
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)))
		return -1;
	c = socket(family, SOCK_STREAM, 0);
	v = 150000;
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)) ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	if (a < 0)
		return -1;
	rcvlowat_bufs(a, &out[0]);
	rcvlowat_bufs(c, &out[3]);
	if (!info(c, &ti))
		out[6] = ti.tcpi_rcv_wscale;
	if (!info(a, &ti))
		out[7] = ti.tcpi_snd_wnd;
	v = 200000;
	if (setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)))
		return -1;
	rcvlowat_bufs(a, &out[8]);
	close(a);
	close(c);
	close(l);
	return 0;
}

TEST(rcvlowat_connection_as_native)
{
	static const char * const what[] = {
		"child's mark", "child's buffer", "child's clamp",
		"client's mark", "client's buffer", "client's clamp",
		"client's shift", "handshake window",
		"server's mark", "server's buffer", "server's clamp",
	};
	int n[11], x[11], i;

	ASSERT_EQ(0, rcvlowat_conn_obs(AF_INET, n));
	ASSERT_EQ(0, rcvlowat_conn_obs(AF_XTCP, x));
	for (i = 0; i < 11; i++) {
		TH_LOG("%s: native %d, xtcp %d", what[i], n[i], x[i]);
		EXPECT_EQ(n[i], x[i]);
	}
	EXPECT_EQ(100000, n[0]);
	EXPECT_EQ(200000, n[1]);
	EXPECT_EQ(400000, n[9]);
}

static int pollin(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static int set_lowat(int fd, int v)
{
	return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v));
}

/* Writes @n zero bytes to @fd. */
static int put(int fd, int n)
{
	char buf[2048] = { 0 };

	return n <= (int)sizeof(buf) && write(fd, buf, n) == n ? 0 : -1;
}

/* Reads what @fd holds after 0.2 s (nonblocking): the byte count. */
static int drain(int fd)
{
	char buf[65536];
	int total = 0, r;

	usleep(200000);
	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += r;
	return total;
}

/* A child that waits on @a with epoll (EPOLLIN) for up to 3 s: exits 1 if
 * woken readable after 0.2 s or more, 2 if before, 3 if not at all.
 */
static pid_t epoll_waiter(int a)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN };
		int ep = epoll_create1(0);
		double t0 = now_s();
		int r;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev))
			_exit(4);
		r = epoll_wait(ep, &ev, 1, 3000);
		if (r != 1 || !(ev.events & EPOLLIN))
			_exit(3);
		_exit(now_s() - t0 < 0.2 ? 2 : 1);
	}
	return pid;
}

/* A child that poll()s @a for POLLIN for 1.5 s: exits with its voluntary
 * context switches meanwhile (each wakeup is one, up to 100) times 2,
 * plus 1 if poll() found @a readable.
 */
static pid_t poll_waiter(int a)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rusage r0, r1;
		long sw;
		int in;

		getrusage(RUSAGE_SELF, &r0);
		in = pollin(a, 1500);
		getrusage(RUSAGE_SELF, &r1);
		sw = r1.ru_nvcsw - r0.ru_nvcsw;
		_exit((sw > 100 ? 100 : sw) * 2 + in);
	}
	return pid;
}

/* A child that reads up to 4096 bytes from @a, blocking (SO_RCVTIMEO
 * 3 s): exits with the count / 100, 0 on an error.
 */
static pid_t read_waiter(int a)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timeval tv = { .tv_sec = 3 };
		char buf[4096];
		ssize_t r;

		setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		r = read(a, buf, sizeof(buf));
		_exit(r > 0 ? r / 100 : 0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define N_POLL 13

/* SO_RCVLOWAT 1000 on the accepted end of a connection of @family (the
 * client sends with TCP_NODELAY): [0] POLLIN with 500 bytes in, [1] after
 * 600 more, [2] bytes read; [3] POLLIN with 500 in, [4] just after
 * lowering the mark to 400; [5] bytes read; [6] epoll_waiter()'s status
 * with 500 in and the mark lowered to 400 after 0.3 s; [7] bytes read;
 * [8] poll_waiter()'s status while ten writes of 50 bytes come 50 ms
 * apart; [9] bytes read; [10] read_waiter()'s status (the mark back at
 * 1000) when 500 bytes come, then 600 0.3 s later.  Then on a child of a
 * listener with SO_RCVLOWAT 100000 and then SO_RCVBUF 4096 (the mark
 * above what the window lets in): [11] POLLIN once the client wrote
 * 20000 bytes, [12] the bytes it holds then (FIONREAD).
 */
static int rcvlowat_poll_obs(int family, int out[N_POLL])
{
	struct sockaddr_in sin;
	int l, c, a, i, one = 1, v;
	pid_t pid;

	for (i = 0; i < N_POLL; i++)
		out[i] = -1;
	l = lo_listener(family, &sin, 2);
	if (l < 0)
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0 || setsockopt(c, SOL_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    set_lowat(a, 1000))
		return -1;

	if (put(c, 500))
		return -1;
	usleep(200000);
	out[0] = pollin(a, 0);
	if (put(c, 600))
		return -1;
	out[1] = pollin(a, 1000);
	out[2] = drain(a);

	if (put(c, 500))
		return -1;
	usleep(200000);
	out[3] = pollin(a, 0);
	if (set_lowat(a, 400))
		return -1;
	out[4] = pollin(a, 0);
	out[5] = drain(a);

	if (set_lowat(a, 1000) || put(c, 500))
		return -1;
	usleep(200000);
	pid = epoll_waiter(a);
	usleep(300000);
	if (set_lowat(a, 400))
		return -1;
	out[6] = reap(pid);
	out[7] = drain(a);

	if (set_lowat(a, 1000))
		return -1;
	pid = poll_waiter(a);
	usleep(100000);
	for (i = 0; i < 10; i++) {
		if (put(c, 50))
			return -1;
		usleep(50000);
	}
	out[8] = reap(pid);
	out[9] = drain(a);

	pid = read_waiter(a);
	usleep(100000);
	if (put(c, 500))
		return -1;
	usleep(300000);
	if (put(c, 600))
		return -1;
	out[10] = reap(pid);
	close(a);
	close(c);
	close(l);

	l = lo_listener(family, &sin, 1);
	v = 4096;
	if (l < 0 || set_lowat(l, 100000) ||
	    setsockopt(l, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0 || fcntl(c, F_SETFL, O_NONBLOCK))
		return -1;
	for (i = 0; i < 10; i++)
		if (put(c, 2000))
			break;
	usleep(300000);
	out[11] = pollin(a, 0);
	if (ioctl(a, FIONREAD, &v) == 0)
		out[12] = v;
	abort_close(c);
	close(a);
	close(l);
	return 0;
}

/* poll(), epoll and reader wake-ups with SO_RCVLOWAT, compared with
 * native: readable only once the mark is in, or at once when the mark is
 * lowered below what is queued (an epoll waiter woken then), or when the
 * window offered is full below the mark; small segments below the mark
 * wake no poll() waiter (context switches within 2 of native's); a
 * blocked reader returns everything once the mark is reached.
 */
TEST(rcvlowat_poll_as_native)
{
	static const char * const what[N_POLL] = {
		"POLLIN, 500 of 1000", "POLLIN, 1100 of 1000", "read",
		"POLLIN, 500 of 1000 again", "POLLIN, mark lowered to 400",
		"read", "epoll waiter (1: woken by the lowered mark)", "read",
		"poll waiter (switches * 2 + readable)", "read",
		"blocked reader (bytes / 100)", "POLLIN, window full",
		"bytes in, window full",
	};
	int n[N_POLL], x[N_POLL], i;

	ASSERT_EQ(0, rcvlowat_poll_obs(AF_INET, n));
	ASSERT_EQ(0, rcvlowat_poll_obs(AF_XTCP, x));
	for (i = 0; i < N_POLL; i++)
		TH_LOG("%s: native %d, xtcp %d", what[i], n[i], x[i]);
	for (i = 0; i < N_POLL; i++) {
		if (i == 8 || i == 12)
			continue;
		EXPECT_EQ(n[i], x[i]) TH_LOG("%s", what[i]);
	}
	/* The poll waiter: not readable, and not woken much more often. */
	EXPECT_EQ(0, n[8] & 1);
	EXPECT_EQ(n[8] & 1, x[8] & 1);
	EXPECT_GE(n[8] / 2 + 2, x[8] / 2);
	/* Below the mark, whatever each window let in. */
	EXPECT_LT(0, x[12]);
	EXPECT_GT(100000, x[12]);
	/* Sanity: native behaves as described. */
	EXPECT_EQ(0, n[0]);
	EXPECT_EQ(1, n[1]);
	EXPECT_EQ(1100, n[2]);
	EXPECT_EQ(0, n[3]);
	EXPECT_EQ(1, n[4]);
	EXPECT_EQ(1, n[6]);
	EXPECT_EQ(500, n[9]);
	EXPECT_EQ(11, n[10]);
	EXPECT_EQ(1, n[11]);
}

/* A loopback pair of @family whose segments hold at most 1448 bytes
 * (TCP_MAXSEG on both ends), in the test's namespace: the client in
 * @c, the accepted end returned (-1 on a failure).
 */
static int mss_pair(int family, int *c)
{
	struct sockaddr_in sin;
	int l, a, m = 1448;

	*c = -1;
	l = lo_listener(family, &sin, 1);
	if (l < 0 || setsockopt(l, SOL_TCP, TCP_MAXSEG, &m, sizeof(m))) {
		if (l >= 0)
			close(l);
		return -1;
	}
	*c = socket(family, SOCK_STREAM, 0);
	if (*c < 0 || setsockopt(*c, SOL_TCP, TCP_MAXSEG, &m, sizeof(m)) ||
	    connect(*c, (struct sockaddr *)&sin, sizeof(sin))) {
		close(l);
		return -1;
	}
	a = accept(l, NULL, NULL);
	close(l);
	return a;
}

/* The client's SO_SNDBUF of a @family pair: [0] once connected, [1]
 * after 30 rounds of a 32 KB request the server reads whole and answers
 * with one byte (the writer never runs out of room: each request fits
 * in the buffer, and the answer acknowledges the one before), [2] after
 * 2 MB written nonblocking up to EAGAIN, the server draining between
 * (the writer runs out of room again and again).  The client's cwnd
 * after the rounds, for the log, in [3].  -1 where a call failed.
 */
static int sndbuf_obs(int family, int out[4])
{
	static char buf[32768];
	struct tcp_info ti;
	int a, c, i, got, sent, r;

	for (i = 0; i < 4; i++)
		out[i] = -1;
	a = mss_pair(family, &c);
	if (a < 0)
		goto fail;
	out[0] = get_int(c, SOL_SOCKET, SO_SNDBUF);
	for (i = 0; i < 30; i++) {
		if (write(c, buf, sizeof(buf)) != sizeof(buf))
			goto fail;
		for (got = 0; got < (int)sizeof(buf); got += r) {
			r = read(a, buf, sizeof(buf) - got);
			if (r <= 0)
				goto fail;
		}
		if (write(a, buf, 1) != 1 || read(c, buf, 1) != 1)
			goto fail;
	}
	out[1] = get_int(c, SOL_SOCKET, SO_SNDBUF);
	if (!info(c, &ti))
		out[3] = ti.tcpi_snd_cwnd;
	if (fcntl(c, F_SETFL, O_NONBLOCK) || fcntl(a, F_SETFL, O_NONBLOCK))
		goto fail;
	for (sent = 0, got = 0; got < 2 << 20;) {
		while (sent < 2 << 20 &&
		       (r = write(c, buf, sizeof(buf))) > 0)
			sent += r;
		if (sent < 2 << 20 && errno != EAGAIN)
			goto fail;
		if (!pollin(a, 5000))
			goto fail;
		while ((r = read(a, buf, sizeof(buf))) > 0)
			got += r;
		if (r == 0 || (r < 0 && errno != EAGAIN))
			goto fail;
	}
	out[2] = get_int(c, SOL_SOCKET, SO_SNDBUF);
	close(a);
	close(c);
	return 0;
fail:
	if (a >= 0)
		close(a);
	if (c >= 0)
		close(c);
	return -1;
}

/* The send buffer grows with cwnd only for a writer that ran out of
 * room, and only while cwnd is not full (tcp_check_space(),
 * tcp_new_space(), tcp_should_expand_sndbuf()).  xtcp grew it on every
 * ACK that advanced snd_una until 2026-12-03: after the rounds its
 * buffer had grown with cwnd where native's had not.  In a namespace of
 * the test's own (default tcp_wmem).
 */
TEST(sndbuf_growth_as_native)
{
	static const char * const what[] = {
		"SO_SNDBUF once connected", "SO_SNDBUF after the rounds",
		"SO_SNDBUF after 2 MB", "cwnd after the rounds (logged)",
	};
	int n[4], x[4], i;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, if_up("lo"));
	alarm(120);
	ASSERT_EQ(0, sndbuf_obs(AF_INET, n));
	ASSERT_EQ(0, sndbuf_obs(AF_XTCP, x));
	for (i = 0; i < 4; i++)
		TH_LOG("%s: native %d, xtcp %d", what[i], n[i], x[i]);
	EXPECT_EQ(n[0], x[0]);
	EXPECT_EQ(n[1], x[1]);
	/* How far it grew is timing (cwnd when the writer waited); that
	 * it grew is not.
	 */
	EXPECT_LT(x[1], x[2]);
	/* Sanity: native's rounds grew cwnd past the initial window's
	 * buffer, kept the buffer, and its bulk writer grew it.
	 */
	EXPECT_LT(10, n[3]);
	EXPECT_EQ(n[0], n[1]);
	EXPECT_LT(n[1], n[2]);
}

/* One recvmsg() of up to @len bytes from @fd: the bytes it returned in
 * out[0] (-errno on a failure), the TCP_CM_INQ value in out[1] (-1
 * without one), and 1 in out[2] if MSG_CTRUNC came back.  @room 0 gives
 * it no control buffer.
 */
static void recv_inq(int fd, size_t len, bool room, int out[3])
{
	char buf[2048], cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t r;

	if (room) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
	}
	r = recvmsg(fd, &m, 0);
	out[0] = r < 0 ? -errno : (int)r;
	out[1] = -1;
	out[2] = !!(m.msg_flags & MSG_CTRUNC);
	for (cm = room ? CMSG_FIRSTHDR(&m) : NULL; cm;
	     cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_TCP && cm->cmsg_type == TCP_CM_INQ)
			memcpy(&out[1], CMSG_DATA(cm), sizeof(int));
}

#define N_INQ 18

/* What an accepted reader of @family with TCP_INQ (set on the
 * listener, so inherited) sees: the client writes 1000 bytes and shuts
 * down its side; once the FIN is in, recvmsg() of 300 bytes, then of 699 (one
 * byte and the FIN left), of 2048 (the last byte), of 2048 (end of
 * stream), each with a control buffer, then one without (end of stream
 * again: MSG_CTRUNC).  Three values per call (recv_inq()), and then
 * TCP_INQ 0 and one more call without a message, in out[15..17].
 */
static int inq_obs(int family, int out[N_INQ])
{
	struct sockaddr_in sin;
	int l, c, a, one = 1, zero = 0, i;
	char buf[1000] = { 0 };
	struct pollfd p;

	for (i = 0; i < N_INQ; i++)
		out[i] = -2;
	l = lo_listener(family, &sin, 1);
	if (l < 0 || setsockopt(l, SOL_TCP, TCP_INQ, &one, sizeof(one)))
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	close(l);
	if (a < 0 || write(c, buf, sizeof(buf)) != sizeof(buf) ||
	    shutdown(c, SHUT_WR))
		return -1;
	p.fd = a;
	p.events = POLLRDHUP;
	if (poll(&p, 1, 5000) != 1)
		return -1;
	recv_inq(a, 300, true, &out[0]);
	recv_inq(a, 699, true, &out[3]);
	recv_inq(a, 2048, true, &out[6]);
	recv_inq(a, 2048, true, &out[9]);
	recv_inq(a, 2048, false, &out[12]);
	if (setsockopt(a, SOL_TCP, TCP_INQ, &zero, sizeof(zero)))
		return -1;
	recv_inq(a, 2048, true, &out[15]);
	close(a);
	close(c);
	return 0;
}

/* TCP_INQ's control message as native's: the bytes left after each
 * read, the FIN counted until reached, 1 at the end of the stream
 * (tcp_inq_hint()), MSG_CTRUNC without room, none once it is off.
 */
TEST(inq_cmsg_as_native)
{
	int n[N_INQ], x[N_INQ], i;

	ASSERT_EQ(0, inq_obs(AF_INET, n));
	ASSERT_EQ(0, inq_obs(AF_XTCP, x));
	for (i = 0; i < N_INQ; i += 3)
		TH_LOG("call %d: native %d bytes inq %d ctrunc %d, xtcp %d bytes inq %d ctrunc %d",
		       i / 3, n[i], n[i + 1], n[i + 2], x[i], x[i + 1],
		       x[i + 2]);
	for (i = 0; i < N_INQ; i++)
		EXPECT_EQ(n[i], x[i]) TH_LOG("value %d", i);
	/* Sanity: native counts the FIN, and says 1 at the end. */
	EXPECT_EQ(300, n[0]);
	EXPECT_EQ(701, n[1]);
	EXPECT_EQ(1, n[10]);
	EXPECT_EQ(-1, n[16]);
}

/* TCP_CONGESTION as a string option: what getsockopt() gives for @len
 * bytes (its bytes in @out, the length it says as the return), or
 * -errno.
 */
static int get_cc(int fd, socklen_t len, char out[16])
{
	memset(out, 'x', 16);
	if (getsockopt(fd, SOL_TCP, TCP_CONGESTION, out, &len))
		return -errno;
	return len;
}

static int set_cc(int fd, const char *name, socklen_t len)
{
	return setsockopt(fd, SOL_TCP, TCP_CONGESTION, name, len) ? errno : 0;
}

/* The allowed list of @family (net.ipv4 or net.xtcp) into @buf. */
static int allowed_read(int family, char *buf, size_t size)
{
	const char *p = family == AF_INET ?
		"/proc/sys/net/ipv4/tcp_allowed_congestion_control" :
		"/proc/sys/net/xtcp/tcp_allowed_congestion_control";
	FILE *f = fopen(p, "r");
	bool ok = f && fgets(buf, size, f);

	if (f)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok ? 0 : -1;
}

/* Write @list as @family's allowed list: 0 or errno. */
static int allowed_write(int family, const char *list)
{
	const char *p = family == AF_INET ?
		"/proc/sys/net/ipv4/tcp_allowed_congestion_control" :
		"/proc/sys/net/xtcp/tcp_allowed_congestion_control";
	int fd = open(p, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, list, strlen(list)) < 0)
		err = errno;
	close(fd);
	return err;
}

#define N_CC 17

/* What TCP_CONGESTION does on a @family socket: the name and length
 * read back (fresh socket, 16 and 3 bytes), set errors (a known name,
 * an unknown one, an empty and a 20-byte one, the one in use), the name
 * after each, a switch on an established connection both ways with
 * 256 KiB sent byte-exact after each, and, with the allowed list set to
 * "cubic", what a process without CAP_NET_ADMIN gets choosing reno and
 * cubic, what this one (with it) gets choosing reno, and writing an
 * unknown name to the list; the list is put back on every path.
 */
static int cc_obs(int family, int out[N_CC], char names[4][16])
{
	static char buf[256 << 10], back[256 << 10];
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct sockaddr_in sin;
	int fd, l, c, a, st, i, k = 0, err = 0;
	char saved[256], now[256];
	pid_t pid;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	out[k++] = get_cc(fd, 16, names[0]);
	out[k++] = get_cc(fd, 3, names[1]);
	out[k++] = set_cc(fd, "reno", 4);
	out[k++] = get_cc(fd, 16, names[2]);
	out[k++] = set_cc(fd, "nosuchcc", 8);
	out[k++] = set_cc(fd, "reno", 0);
	out[k++] = set_cc(fd, "renorenorenoreno1234", 20);
	out[k++] = set_cc(fd, "reno", 4);
	close(fd);

	/* On a live connection, both ways, data flowing after each. */
	l = lo_listener(family, &sin, 1);
	if (l < 0)
		return -1;
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	if (a < 0)
		return -1;
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(i * 7 + family);
	for (i = 0; i < 2; i++) {
		size_t got = 0;

		out[k++] = set_cc(c, i ? "cubic" : "reno", i ? 5 : 4);
		if (write(c, buf, sizeof(buf)) != sizeof(buf))
			return -1;
		while (got < sizeof(back)) {
			ssize_t n = read(a, back + got, sizeof(back) - got);

			if (n <= 0)
				return -1;
			got += n;
		}
		out[k++] = !memcmp(buf, back, sizeof(buf));
	}
	get_cc(c, 16, names[3]);
	close(a);
	close(c);
	close(l);

	/* Unprivileged, with only cubic allowed. */
	if (allowed_read(family, saved, sizeof(saved)) ||
	    allowed_write(family, "cubic"))
		return -1;
	pid = fork();
	if (pid == 0) {
		int r[2];

		if (syscall(SYS_capget, &h, d))
			_exit(100);
		d[0].effective &= ~(1U << CAP_NET_ADMIN);
		if (syscall(SYS_capset, &h, d))
			_exit(101);
		fd = socket(family, SOCK_STREAM, 0);
		r[0] = set_cc(fd, "reno", 4);
		r[1] = set_cc(fd, "cubic", 5);
		/* reno's errno, 128 more if cubic failed. */
		_exit(r[0] + (r[1] ? 128 : 0));
	}
	st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		err = -1;
	out[k++] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	fd = socket(family, SOCK_STREAM, 0);
	out[k++] = fd < 0 ? -1 : set_cc(fd, "reno", 4);
	if (fd >= 0)
		close(fd);
	out[k++] = allowed_write(family, "cubic nosuchcc");
	out[k++] = !allowed_read(family, now, sizeof(now)) &&
		   !strcmp(now, "cubic");
	out[k++] = allowed_write(family, saved);
	return err || k != N_CC ? -1 : 0;
}

/* TCP_CONGESTION (and net.*.tcp_allowed_congestion_control) as
 * native's: names read back whole and cut short, ENOENT for an unknown
 * or over-long name, EINVAL for an empty one, a live switch each way
 * with data intact, EPERM for a restricted algorithm without
 * CAP_NET_ADMIN, ENOENT for an unknown name in the allowed list (which
 * then stays as it was).
 */
TEST(congestion_as_native)
{
	char nn[4][16], xn[4][16], an[256], ax[256];
	int n[N_CC], x[N_CC], i;

	ASSERT_EQ(0, allowed_read(AF_INET, an, sizeof(an)));
	ASSERT_EQ(0, allowed_read(AF_XTCP, ax, sizeof(ax)));
	TH_LOG("allowed: native \"%s\", xtcp \"%s\"", an, ax);
	EXPECT_STREQ(an, ax);
	ASSERT_EQ(0, cc_obs(AF_INET, n, nn));
	ASSERT_EQ(0, cc_obs(AF_XTCP, x, xn));
	for (i = 0; i < N_CC; i++)
		TH_LOG("value %d: native %d, xtcp %d", i, n[i], x[i]);
	for (i = 0; i < N_CC; i++)
		EXPECT_EQ(n[i], x[i]) TH_LOG("value %d", i);
	for (i = 0; i < 4; i++) {
		TH_LOG("name %d: native \"%.16s\", xtcp \"%.16s\"", i, nn[i],
		       xn[i]);
		EXPECT_EQ(0, memcmp(nn[i], xn[i], 16));
	}
	/* Sanity: native's own answers. */
	EXPECT_EQ(0, strcmp(nn[0], "cubic"));
	EXPECT_EQ(ENOENT, n[4]);
	EXPECT_EQ(EPERM, n[12]);
	EXPECT_EQ(0, n[13]);
	EXPECT_EQ(ENOENT, n[14]);
}

#define N_SAVED 13

/* TCP_SAVED_SYN on a @family socket accepted by a listener with
 * TCP_SAVE_SYN @mode, its client of the same family: TCP_SAVE_SYN on the
 * child; errno and length of a read into 4 bytes; of a read into 256;
 * from that copy the IPv4 version/IHL byte, protocol, the TCP header's
 * length and flags (after the MAC header with @mode 2, whose EtherType
 * comes next), the MAC header's length; errno and length of a third
 * read (the headers go once read).  Returns how many it filled, -1 on a
 * failure.
 */
static int saved_syn_obs(int family, int mode, int out[N_SAVED])
{
	unsigned char buf[256];
	struct sockaddr_in sin;
	int l, c, a, k = 0, r, mac;
	socklen_t len;

	l = lo_listener(family, &sin, 1);
	if (l < 0 ||
	    setsockopt(l, SOL_TCP, TCP_SAVE_SYN, &mode, sizeof(mode)))
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	if (a < 0)
		return -1;
	out[k++] = get_int(a, SOL_TCP, TCP_SAVE_SYN);
	len = 4;
	r = getsockopt(a, SOL_TCP, TCP_SAVED_SYN, buf, &len);
	out[k++] = r ? errno : 0;
	out[k++] = len;
	len = sizeof(buf);
	memset(buf, 0, sizeof(buf));
	r = getsockopt(a, SOL_TCP, TCP_SAVED_SYN, buf, &len);
	out[k++] = r ? errno : 0;
	out[k++] = len;
	/* The MAC header is loopback's Ethernet one: 14 bytes. */
	mac = mode == 2 ? 14 : 0;
	out[k++] = buf[mac];
	out[k++] = buf[mac + 9];
	out[k++] = (buf[mac + 20 + 12] >> 4) * 4;
	out[k++] = buf[mac + 20 + 13];
	out[k++] = mode == 2 ? (int)len - 20 - (buf[mac + 32] >> 4) * 4 : 0;
	out[k++] = mode == 2 ? buf[12] << 8 | buf[13] : 0;
	len = sizeof(buf);
	r = getsockopt(a, SOL_TCP, TCP_SAVED_SYN, buf, &len);
	out[k++] = r ? errno : 0;
	out[k++] = len;
	close(a);
	close(c);
	close(l);
	return k;
}

/* TCP_SAVE_SYN 0, 1 and 2 and TCP_SAVED_SYN as native's: the SYN's
 * IPv4 and TCP headers (from the MAC header with 2), EINVAL with the
 * length needed for a short buffer, once only.
 */
TEST(saved_syn_as_native)
{
	int n[N_SAVED], x[N_SAVED], mode, i;

	for (mode = 0; mode <= 2; mode++) {
		ASSERT_EQ(N_SAVED, saved_syn_obs(AF_INET, mode, n));
		ASSERT_EQ(N_SAVED, saved_syn_obs(AF_XTCP, mode, x));
		for (i = 0; i < N_SAVED; i++) {
			TH_LOG("mode %d value %d: native %d, xtcp %d", mode, i,
			       n[i], x[i]);
			EXPECT_EQ(n[i], x[i]) TH_LOG("mode %d value %d", mode, i);
		}
	}
	/* Sanity, mode 2: native kept an IPv4 SYN after 14 bytes of
	 * Ethernet header, read once.
	 */
	EXPECT_EQ(EINVAL, n[1]);
	EXPECT_EQ(0x45, n[5]);
	EXPECT_EQ(IPPROTO_TCP, n[6]);
	EXPECT_EQ(0x02, n[8]);
	EXPECT_EQ(14, n[9]);
	EXPECT_EQ(0x0800, n[10]);
	EXPECT_EQ(0, n[12]);
}

XTCP_HARNESS_MAIN
