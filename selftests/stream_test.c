// SPDX-License-Identifier: GPL-2.0
/* stream_test: the byte-stream socket API of a connected pair over
 * loopback, run for AF_INET and AF_XTCP alike (fixture variants): every
 * case asserts the same observable behaviour for both, so native TCP is
 * the reference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

FIXTURE(pair) {
	int lfd;	/* listener */
	int cfd;	/* client end */
	int sfd;	/* accepted end */
	struct sockaddr_in addr;
};

FIXTURE_VARIANT(pair) {
	int family;
};

FIXTURE_VARIANT_ADD(pair, inet) { .family = AF_INET };
FIXTURE_VARIANT_ADD(pair, xtcp) { .family = AF_XTCP };

FIXTURE_SETUP(pair)
{
	socklen_t len = sizeof(self->addr);

	self->lfd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_LE(0, self->lfd);
	memset(&self->addr, 0, sizeof(self->addr));
	self->addr.sin_family = AF_INET;
	self->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&self->addr,
			  sizeof(self->addr)));
	ASSERT_EQ(0, getsockname(self->lfd, (struct sockaddr *)&self->addr,
				 &len));
	ASSERT_EQ(0, listen(self->lfd, 8));
	self->cfd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_LE(0, self->cfd);
	ASSERT_EQ(0, connect(self->cfd, (struct sockaddr *)&self->addr,
			     sizeof(self->addr)));
	self->sfd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->sfd);
}

FIXTURE_TEARDOWN(pair)
{
	close(self->cfd);
	close(self->sfd);
	close(self->lfd);
}

static void set_timeout(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* poll() revents of @fd within @ms. */
static short poll_events(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

TEST_F(pair, addresses_are_af_inet)
{
	struct sockaddr_in a, b;
	socklen_t len = sizeof(a);

	ASSERT_EQ(0, getpeername(self->cfd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(AF_INET, a.sin_family);
	EXPECT_EQ(self->addr.sin_port, a.sin_port);
	len = sizeof(b);
	ASSERT_EQ(0, getsockname(self->cfd, (struct sockaddr *)&b, &len));
	len = sizeof(a);
	ASSERT_EQ(0, getpeername(self->sfd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(b.sin_port, a.sin_port);
	EXPECT_EQ(b.sin_addr.s_addr, a.sin_addr.s_addr);
}

TEST_F(pair, bytes_both_ways_with_readv_writev)
{
	char a[] = "hello ", b[] = "world", got[32] = "";
	struct iovec out[2] = { { a, 6 }, { b, 5 } };
	struct iovec in[2] = { { got, 4 }, { got + 4, 7 } };

	ASSERT_EQ(11, writev(self->cfd, out, 2));
	ASSERT_EQ(11, recv(self->sfd, got, 11, MSG_WAITALL));
	EXPECT_STREQ("hello world", got);
	memset(got, 0, sizeof(got));
	ASSERT_EQ(11, send(self->sfd, "hello world", 11, 0));
	ASSERT_EQ(11, readv(self->cfd, in, 2));
	EXPECT_STREQ("hello world", got);
}

TEST_F(pair, peek_then_read_and_fionread)
{
	char buf[16] = "";
	int n = -1;

	ASSERT_EQ(5, send(self->cfd, "abcde", 5, 0));
	ASSERT_EQ(3, recv(self->sfd, buf, 3, MSG_PEEK | MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(0, ioctl(self->sfd, FIONREAD, &n));
	EXPECT_EQ(5, n);
	ASSERT_EQ(5, recv(self->sfd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abcde", 5));
	ASSERT_EQ(0, ioctl(self->sfd, FIONREAD, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, ioctl(self->cfd, SIOCOUTQ, &n));
	EXPECT_LE(0, n);
}

TEST_F(pair, waitall_collects_several_writes)
{
	char buf[8] = "";

	ASSERT_EQ(3, send(self->cfd, "123", 3, 0));
	usleep(100000);
	ASSERT_EQ(3, send(self->cfd, "456", 3, 0));
	ASSERT_EQ(6, recv(self->sfd, buf, 6, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "123456", 6));
}

TEST_F(pair, dontwait_and_rcvtimeo_eagain)
{
	char buf[4];

	EXPECT_EQ(-1, recv(self->sfd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	set_timeout(self->sfd, SO_RCVTIMEO, 200);
	EXPECT_EQ(-1, recv(self->sfd, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
}

/* A full send buffer blocks; SO_SNDTIMEO ends the wait with EAGAIN
 * after part of the data, or all of it, was taken.
 */
TEST_F(pair, sndtimeo_on_full_buffers)
{
	static char chunk[65536];
	ssize_t n;
	int i;

	set_timeout(self->cfd, SO_SNDTIMEO, 300);
	for (i = 0; i < 1000; i++) {
		n = send(self->cfd, chunk, sizeof(chunk), 0);
		if (n < 0)
			break;
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GT(1000, i);
}

static void on_alarm(int sig)
{
}

/* A signal without SA_RESTART interrupts a blocked recv() with EINTR. */
TEST_F(pair, signal_interrupts_recv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char buf[4];

	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	EXPECT_EQ(-1, recv(self->sfd, buf, sizeof(buf), 0));
	EXPECT_EQ(EINTR, errno);
}

TEST_F(pair, poll_in_out_rdhup)
{
	EXPECT_EQ(POLLOUT, poll_events(self->cfd, POLLIN | POLLOUT, 1000));
	EXPECT_EQ(0, poll_events(self->sfd, POLLIN, 100));
	ASSERT_EQ(1, send(self->cfd, "x", 1, 0));
	EXPECT_EQ(POLLIN, poll_events(self->sfd, POLLIN, 1000));
	ASSERT_EQ(0, shutdown(self->cfd, SHUT_WR));
	EXPECT_EQ(POLLIN | POLLRDHUP,
		  poll_events(self->sfd, POLLIN | POLLRDHUP, 1000) &
		  (POLLIN | POLLRDHUP));
}

/* Half-close: after the client's SHUT_WR the server reads the data and
 * then EOF, and can still send back.
 */
TEST_F(pair, half_close)
{
	char buf[8] = "";

	ASSERT_EQ(4, send(self->cfd, "ping", 4, 0));
	ASSERT_EQ(0, shutdown(self->cfd, SHUT_WR));
	/* WAITALL stops at EOF with what there was. */
	ASSERT_EQ(4, recv(self->sfd, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, recv(self->sfd, buf, sizeof(buf), 0));
	ASSERT_EQ(4, send(self->sfd, "pong", 4, 0));
	ASSERT_EQ(4, recv(self->cfd, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	/* Writing after SHUT_WR: EPIPE (no SIGPIPE with MSG_NOSIGNAL). */
	EXPECT_EQ(-1, send(self->cfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

/* close() with unread data resets the connection (RFC 2525): the peer
 * sees ECONNRESET, then EOF, and poll reports HUP|ERR.
 */
TEST_F(pair, close_with_unread_data_resets)
{
	char buf[8];

	ASSERT_EQ(3, send(self->cfd, "abc", 3, 0));
	usleep(200000);
	close(self->sfd);
	self->sfd = -1;
	EXPECT_NE(0, poll_events(self->cfd, POLLIN, 2000) & POLLERR);
	EXPECT_EQ(-1, recv(self->cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
}

TEST_F(pair, linger_zero_resets)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[8];

	ASSERT_EQ(0, setsockopt(self->sfd, SOL_SOCKET, SO_LINGER, &lg,
				sizeof(lg)));
	close(self->sfd);
	self->sfd = -1;
	EXPECT_EQ(-1, recv(self->cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(POLLHUP, poll_events(self->cfd, POLLHUP, 1000) & POLLHUP);
}

/* The peer's orderly close: EOF to the reader, then EPIPE for a writer
 * once the peer's RST arrives.
 */
TEST_F(pair, write_after_peer_close)
{
	char buf[8];
	int i, err = 0;

	close(self->sfd);
	self->sfd = -1;
	EXPECT_EQ(0, recv(self->cfd, buf, sizeof(buf), 0));
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 20 && !err; i++) {
		if (send(self->cfd, "x", 1, 0) < 0)
			err = errno;
		usleep(50000);
	}
	EXPECT_TRUE(err == EPIPE || err == ECONNRESET);
}

TEST_F(pair, tcp_options)
{
	int one = 1, val = 0, bad = 10;
	socklen_t len = sizeof(val);

	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_NODELAY, &val, &len));
	EXPECT_EQ(1, val);
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_MAXSEG, &val, &len));
	EXPECT_LT(500, val);
	EXPECT_EQ(-1, setsockopt(self->cfd, IPPROTO_TCP, TCP_MAXSEG, &bad,
				 sizeof(bad)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(pair, accept4_flags)
{
	int fd = socket(variant->family, SOCK_STREAM, 0), nfd;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&self->addr,
			     sizeof(self->addr)));
	nfd = accept4(self->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, nfd);
	EXPECT_TRUE(fcntl(nfd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(nfd, F_GETFD) & FD_CLOEXEC);
	close(nfd);
	close(fd);
	/* Nothing pending on a non-blocking listener: EAGAIN. */
	fcntl(self->lfd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, accept(self->lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
}

/* Bytes arrive whole and in order across many sizes of write. */
TEST_F(pair, many_writes_in_order)
{
	static unsigned char out[1 << 20], in[1 << 20];
	size_t off = 0, i;
	ssize_t n;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	if (fork() == 0) {
		for (off = 0; off < sizeof(out); off += n) {
			size_t want = 1 + (off * 13) % 9000;

			if (want > sizeof(out) - off)
				want = sizeof(out) - off;
			n = send(self->cfd, out + off, want, 0);
			if (n <= 0)
				_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(sizeof(in), recv(self->sfd, in, sizeof(in), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

/* MSG_MORE corks a small write even with TCP_NODELAY and nothing in
 * flight (tcp_push(): TCP_NAGLE_CORK): it waits for the next write, or at
 * most for the probe timer (tcp_check_probe_timer(), max(RTO, 200 ms)),
 * which then sends it.  A write without MSG_MORE sends what was corked
 * with it at once.  Timing tolerance under TCG: the first 100 ms must stay
 * quiet (the earliest the timer can send is 200 ms); "at once" is within
 * 150 ms, loopback delivery under TCG taking a few ms.
 */
TEST_F(pair, msg_more_corks_a_small_write)
{
	char buf[256], more[100], rest[100];
	int one = 1;
	double t0, t;

	memset(more, 'm', sizeof(more));
	memset(rest, 'r', sizeof(rest));
	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	/* One round trip first: an RTT sample, nothing in flight after. */
	ASSERT_EQ(1, send(self->cfd, "a", 1, 0));
	ASSERT_EQ(1, recv(self->sfd, buf, 1, 0));
	ASSERT_EQ(1, send(self->sfd, "b", 1, 0));
	ASSERT_EQ(1, recv(self->cfd, buf, 1, 0));
	usleep(50000);

	t0 = now_ms();
	ASSERT_EQ(sizeof(more), send(self->cfd, more, sizeof(more), MSG_MORE));
	EXPECT_EQ(0, poll_events(self->sfd, POLLIN, 100));
	ASSERT_EQ(POLLIN, poll_events(self->sfd, POLLIN, 3000));
	t = now_ms() - t0;
	TH_LOG("corked write arrived after %.0f ms", t);
	EXPECT_LE(150, t);
	ASSERT_EQ(sizeof(more), recv(self->sfd, buf, sizeof(buf), MSG_DONTWAIT));

	ASSERT_EQ(sizeof(more), send(self->cfd, more, sizeof(more), MSG_MORE));
	t0 = now_ms();
	ASSERT_EQ(sizeof(rest), send(self->cfd, rest, sizeof(rest), 0));
	ASSERT_EQ(sizeof(more) + sizeof(rest),
		  recv(self->sfd, buf, sizeof(more) + sizeof(rest), MSG_WAITALL));
	t = now_ms() - t0;
	TH_LOG("uncorked by the next write after %.0f ms", t);
	EXPECT_GT(150, t);
	EXPECT_EQ(0, memcmp(buf, more, sizeof(more)));
	EXPECT_EQ(0, memcmp(buf + sizeof(more), rest, sizeof(rest)));
}

/* TCP_CORK (__tcp_sock_set_cork()): small writes wait while corked (at
 * most until the probe timer, max(RTO, 200 ms)) and taking the cork out
 * sends them at once.  TCP_NODELAY set on a corked socket sends what is
 * queued (its push overrides the cork, __tcp_sock_set_nodelay()), but the
 * cork holds the next write.  Tolerances as in
 * msg_more_corks_a_small_write: 100 ms quiet, "at once" within 150 ms.
 */
TEST_F(pair, tcp_cork)
{
	char buf[512], a[100];
	int one = 1, zero = 0;
	double t0, t;

	memset(a, 'c', sizeof(a));
	EXPECT_EQ(0, getsockopt_int(self->cfd, IPPROTO_TCP, TCP_CORK));
	/* One round trip first: an RTT sample, nothing in flight after. */
	ASSERT_EQ(1, send(self->cfd, "a", 1, 0));
	ASSERT_EQ(1, recv(self->sfd, buf, 1, 0));
	ASSERT_EQ(1, send(self->sfd, "b", 1, 0));
	ASSERT_EQ(1, recv(self->cfd, buf, 1, 0));
	usleep(50000);

	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_CORK, &one,
				sizeof(one)));
	EXPECT_EQ(1, getsockopt_int(self->cfd, IPPROTO_TCP, TCP_CORK));
	ASSERT_EQ(sizeof(a), send(self->cfd, a, sizeof(a), 0));
	ASSERT_EQ(sizeof(a), send(self->cfd, a, sizeof(a), 0));
	EXPECT_EQ(0, poll_events(self->sfd, POLLIN, 100));
	t0 = now_ms();
	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_CORK, &zero,
				sizeof(zero)));
	ASSERT_EQ(2 * sizeof(a),
		  recv(self->sfd, buf, 2 * sizeof(a), MSG_WAITALL));
	t = now_ms() - t0;
	TH_LOG("uncorked after %.0f ms", t);
	EXPECT_GT(150, t);

	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_CORK, &one,
				sizeof(one)));
	ASSERT_EQ(sizeof(a), send(self->cfd, a, sizeof(a), 0));
	EXPECT_EQ(0, poll_events(self->sfd, POLLIN, 100));
	t0 = now_ms();
	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	ASSERT_EQ(sizeof(a), recv(self->sfd, buf, sizeof(a), MSG_WAITALL));
	t = now_ms() - t0;
	TH_LOG("pushed by TCP_NODELAY after %.0f ms", t);
	EXPECT_GT(150, t);
	EXPECT_EQ(1, getsockopt_int(self->cfd, IPPROTO_TCP, TCP_CORK));

	ASSERT_EQ(sizeof(a), send(self->cfd, a, sizeof(a), 0));
	EXPECT_EQ(0, poll_events(self->sfd, POLLIN, 100));
	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_CORK, &zero,
				sizeof(zero)));
	ASSERT_EQ(sizeof(a), recv(self->sfd, buf, sizeof(a), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, a, sizeof(a)));
}

/* TCP_INFO's totals belong to one connection: an active open's SYN
 * counts as one byte acknowledged (tcp_ack()'s tcp_snd_una_update()),
 * and connect(AF_UNSPEC) zeroes them (tcp_disconnect(), after its RST).
 * Native TCP shows the same values.
 */
TEST_F(pair, tcp_info_totals)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct tcp_info ti;
	socklen_t len;
	char buf[1000];
	int i;

	len = sizeof(ti);
	memset(&ti, 0xff, sizeof(ti));
	ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(1, ti.tcpi_bytes_acked);
	EXPECT_EQ(0, ti.tcpi_bytes_sent);

	memset(buf, 't', sizeof(buf));
	ASSERT_EQ(sizeof(buf), send(self->cfd, buf, sizeof(buf), 0));
	ASSERT_EQ(sizeof(buf), recv(self->sfd, buf, sizeof(buf), MSG_WAITALL));
	for (i = 0; i < 100; i++) {	/* the ACK, within 1 s */
		len = sizeof(ti);
		ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_INFO, &ti,
					&len));
		if (ti.tcpi_bytes_acked == 1 + sizeof(buf))
			break;
		usleep(10000);
	}
	EXPECT_EQ(1 + sizeof(buf), ti.tcpi_bytes_acked);
	EXPECT_EQ(sizeof(buf), ti.tcpi_bytes_sent);
	EXPECT_EQ(1, ti.tcpi_data_segs_out);
	EXPECT_LE(3, ti.tcpi_segs_out);	/* SYN, ACK, data */

	ASSERT_EQ(0, connect(self->cfd, &unspec, sizeof(unspec)));
	len = sizeof(ti);
	memset(&ti, 0xff, sizeof(ti));
	ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(7, ti.tcpi_state);	/* TCP_CLOSE (net/tcp_states.h) */
	EXPECT_EQ(0, ti.tcpi_bytes_acked);
	EXPECT_EQ(0, ti.tcpi_bytes_sent);
	EXPECT_EQ(0, ti.tcpi_bytes_received);
	EXPECT_EQ(0, ti.tcpi_segs_out);
	EXPECT_EQ(0, ti.tcpi_segs_in);
	EXPECT_EQ(0, ti.tcpi_data_segs_out);
	EXPECT_EQ(0, ti.tcpi_total_retrans);
}

XTCP_HARNESS_MAIN
