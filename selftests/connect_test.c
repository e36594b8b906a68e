// SPDX-License-Identifier: GPL-2.0
/* connect_test: the errno values and timings of connection set-up and of
 * calls on sockets in the wrong state.  Every case runs twice, as variant
 * "inet" (native TCP, the reference) and variant "xtcp", and asserts the
 * same result for both, so an xtcp difference fails by name.
 *
 * Each test runs in a network namespace of its own (unshare() in the
 * harness's per-test child; the namespace goes away with it) holding lo
 * and a dummy interface, 10.79.0.1/24.  Packets to 10.79.0.2 leave through
 * the dummy and are dropped there: a blackhole in which SYNs can still be
 * counted with a packet socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

#define BH_DEV		"xtcpbh0"
#define BH_LOCAL	"10.79.0.1"
#define BH_REMOTE	"10.79.0.2"

/* 0, or errno of connect(). */
static int connect_errno(int fd, const struct sockaddr_in *sin)
{
	return connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) ?
	       errno : 0;
}

static int so_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return err;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A listener of the variant's family on 127.0.0.1, ephemeral port. */
struct listener {
	int family;
	int lfd;
	struct sockaddr_in laddr;
};

FIXTURE(conn) {
	struct listener l;
};

FIXTURE_VARIANT(conn) {
	int xtcp;
};

FIXTURE_VARIANT_ADD(conn, inet) {
	.xtcp = 0,
};

FIXTURE_VARIANT_ADD(conn, xtcp) {
	.xtcp = 1,
};

FIXTURE_SETUP(conn)
{
	self->l.family = variant->xtcp ? xtcp_family() : AF_INET;
	self->l.lfd = -1;
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, if_up("lo"));
	ASSERT_EQ(0, system("ip link add " BH_DEV " type dummy"));
	ASSERT_EQ(0, system("ip addr add " BH_LOCAL "/24 dev " BH_DEV));
	ASSERT_EQ(0, if_up(BH_DEV));
}

FIXTURE_TEARDOWN(conn)
{
	if (self->l.lfd >= 0)
		close(self->l.lfd);
}

static int tcp_socket(struct listener *self)
{
	return socket(self->family, SOCK_STREAM, 0);
}

static int start_listener(struct listener *self)
{
	struct sockaddr_in sin = addr4("127.0.0.1", 0);

	self->lfd = tcp_socket(self);
	if (self->lfd < 0 ||
	    bind(self->lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(self->lfd, 16))
		return errno;
	self->laddr = addr4("127.0.0.1", local_port(self->lfd));
	return 0;
}

/* Connect a socket of the variant's family to the listener and accept
 * it; fds in *cfd and *afd.  0 or an errno.
 */
static int connected_pair(struct listener *self, int *cfd, int *afd)
{
	int err = start_listener(self);

	*cfd = *afd = -1;
	if (err)
		return err;
	*cfd = tcp_socket(self);
	if (*cfd < 0)
		return errno;
	if (set_timeouts(*cfd, 10 * (int)xtcp_slow()) ||
	    set_timeouts(self->lfd, 10 * (int)xtcp_slow()))
		return errno;
	err = connect_errno(*cfd, &self->laddr);
	if (err)
		return err;
	*afd = accept(self->lfd, NULL, NULL);
	return *afd < 0 ? errno : 0;
}

/* A port on 127.0.0.1 held by a bound, non-listening native socket:
 * nothing listens there, and nothing else can take it meanwhile.
 */
static int closed_port(int *holder)
{
	struct sockaddr_in sin = addr4("127.0.0.1", 0);

	*holder = socket(AF_INET, SOCK_STREAM, 0);
	if (*holder < 0 || bind(*holder, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	return local_port(*holder);
}

TEST_F(conn, refused_by_closed_port)
{
	int holder, port = closed_port(&holder), fd;
	struct sockaddr_in sin;

	ASSERT_LT(0, port);
	sin = addr4("127.0.0.1", port);
	fd = tcp_socket(&self->l);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_timeouts(fd, 10 * (int)xtcp_slow()));
	EXPECT_EQ(ECONNREFUSED, connect_errno(fd, &sin));
	close(fd);
	close(holder);
}

TEST_F(conn, nonblocking_refused_reports_so_error)
{
	int holder, port = closed_port(&holder), fd;
	struct pollfd pfd;
	struct sockaddr_in sin;

	ASSERT_LT(0, port);
	sin = addr4("127.0.0.1", port);
	fd = tcp_socket(&self->l);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_nonblock(fd));
	EXPECT_EQ(EINPROGRESS, connect_errno(fd, &sin));
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLERR);
	EXPECT_EQ(ECONNREFUSED, so_error(fd));
	/* Reading SO_ERROR clears it. */
	EXPECT_EQ(0, so_error(fd));
	close(fd);
	close(holder);
}

TEST_F(conn, nonblocking_connect_completes)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	struct pollfd pfd;
	int fd, afd;

	ASSERT_EQ(0, start_listener(&self->l));
	fd = tcp_socket(&self->l);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_nonblock(fd));
	EXPECT_EQ(EINPROGRESS, connect_errno(fd, &self->l.laddr));
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_EQ(POLLOUT, pfd.revents);
	EXPECT_EQ(0, so_error(fd));
	ASSERT_EQ(0, getpeername(fd, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(self->l.laddr.sin_port, peer.sin_port);
	/* The connection the client saw complete is there to accept. */
	ASSERT_EQ(0, set_timeouts(self->l.lfd, 10 * (int)xtcp_slow()));
	afd = accept(self->l.lfd, NULL, NULL);
	EXPECT_LE(0, afd);
	close(afd);
	close(fd);
}

TEST_F(conn, connect_twice_eisconn)
{
	int cfd, afd;

	ASSERT_EQ(0, connected_pair(&self->l, &cfd, &afd));
	EXPECT_EQ(EISCONN, connect_errno(cfd, &self->l.laddr));
	/* Connected sockets take neither bind() nor listen(). */
	EXPECT_EQ(-1, listen(cfd, 1));
	EXPECT_EQ(EINVAL, errno);
	close(afd);
	close(cfd);
}

TEST_F(conn, connect_on_listener_eisconn)
{
	ASSERT_EQ(0, start_listener(&self->l));
	EXPECT_EQ(EISCONN, connect_errno(self->l.lfd, &self->l.laddr));
}

TEST_F(conn, connect_bad_address)
{
	struct sockaddr_in sin = addr4("127.0.0.1", 9);
	int fd = tcp_socket(&self->l);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_timeouts(fd, 10 * (int)xtcp_slow()));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin) - 1));
	EXPECT_EQ(EINVAL, errno);
	sin.sin_family = AF_INET6;
	EXPECT_EQ(EAFNOSUPPORT, connect_errno(fd, &sin));
	/* No route: the namespace has lo and 10.79.0.0/24 only. */
	sin = addr4("192.0.2.1", 9);
	EXPECT_EQ(ENETUNREACH, connect_errno(fd, &sin));
	close(fd);
}

/* Realtime seconds of the kernel's timestamp on the next packet of @pfd
 * (SO_TIMESTAMPNS), or -1 if none is queued.
 */
static double tap_stamp(int pfd)
{
	char buf[256], cbuf[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	struct timespec *ts;

	if (recvmsg(pfd, &msg, 0) < 0)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_TIMESTAMPNS)
		return -1;
	ts = (struct timespec *)CMSG_DATA(cm);
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

/* The first SO_TIMESTAMPNS socket turns packet timestamps on through a
 * deferred work item (net_enable_timestamp()); until it has run, a tapped
 * packet carries no stamp and recvmsg() stamps it when it is read.  Wait
 * until a datagram sent out of the blackhole device is stamped when it
 * was sent, not 100 ms later when it is read.  At most 5 s; 0 once ready.
 */
static int wait_tap_stamps(int pfd)
{
	struct sockaddr_in to = addr4(BH_REMOTE, 9);
	int i, u = socket(AF_INET, SOCK_DGRAM, 0), ready = 0;
	struct timespec rt;
	double sent, got;

	for (i = 0; i < 50 && !ready; i++) {
		while (tap_stamp(pfd) >= 0)
			;
		clock_gettime(CLOCK_REALTIME, &rt);
		sent = rt.tv_sec + rt.tv_nsec / 1e9;
		sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
		usleep(100000);
		got = tap_stamp(pfd);
		ready = got >= 0 && got - sent < 0.05;
	}
	while (tap_stamp(pfd) >= 0)
		;
	close(u);
	return ready ? 0 : -1;
}

/* tcp_syn_retries=2: SYNs at 0, 1 and 3 s, ETIMEDOUT at 7 s (initial RTO
 * 1 s, doubled each time).  Tolerances: timers never fire early but under
 * TCG they fire late by up to a few hundred ms, and the blocking connect()
 * returns after the wake-up: total 6..11 s, gaps 0.9..1.6 s and 1.8..3 s.
 */
TEST_F_TIMEOUT(conn, blackhole_syn_retries_etimedout, 60)
{
	struct sockaddr_in sin = addr4(BH_REMOTE, 7070);
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	double syn_at[8], t0, t;
	int fd, pfd, nsyn = 0, err;

	ASSERT_EQ(0, write_file(self->l.family == AF_INET ?
				"/proc/sys/net/ipv4/tcp_syn_retries" :
				"/proc/sys/net/xtcp/tcp_syn_retries", "2"));
	sll.sll_ifindex = if_nametoindex(BH_DEV);
	ASSERT_LT(0, sll.sll_ifindex);
	/* ETH_P_ALL: only taps for every protocol see outgoing packets. */
	pfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_ALL));
	ASSERT_LE(0, pfd);
	ASSERT_EQ(0, bind(pfd, (struct sockaddr *)&sll, sizeof(sll)));
	ASSERT_EQ(0, setsockopt(pfd, SOL_SOCKET, SO_TIMESTAMPNS,
				&(int){ 1 }, sizeof(int)));
	ASSERT_EQ(0, wait_tap_stamps(pfd));

	fd = tcp_socket(&self->l);
	ASSERT_LE(0, fd);
	/* A bound on connect() so a missing timeout fails, not hangs. */
	ASSERT_EQ(0, set_timeouts(fd, 25 * (int)xtcp_slow()));
	t0 = now();
	err = connect_errno(fd, &sin);
	t = now() - t0;
	TH_LOG("connect: %s after %.2f s", strerror(err), t);
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(6.0, t);
	EXPECT_GE(11.0, t);

	for (;;) {
		char buf[256], cbuf[CMSG_SPACE(sizeof(struct timespec))];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct iphdr *ip = (struct iphdr *)buf;
		struct tcphdr *th;
		struct cmsghdr *cm;
		ssize_t n = recvmsg(pfd, &msg, 0);

		if (n < 0)
			break;
		if (n < (ssize_t)sizeof(*ip) || ip->version != 4 ||
		    ip->protocol != IPPROTO_TCP ||
		    ip->daddr != sin.sin_addr.s_addr ||
		    n < (ssize_t)(ip->ihl * 4 + sizeof(*th)))
			continue;
		th = (struct tcphdr *)(buf + ip->ihl * 4);
		if (th->dest != sin.sin_port || !th->syn || th->ack)
			continue;
		cm = CMSG_FIRSTHDR(&msg);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SCM_TIMESTAMPNS, cm->cmsg_type);
		if (nsyn < 8) {
			struct timespec *ts = (struct timespec *)CMSG_DATA(cm);

			syn_at[nsyn] = ts->tv_sec + ts->tv_nsec / 1e9;
		}
		nsyn++;
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(3, nsyn);
	if (nsyn == 3) {
		double g1 = syn_at[1] - syn_at[0], g2 = syn_at[2] - syn_at[1];

		TH_LOG("SYN spacing %.3f s, %.3f s", g1, g2);
		EXPECT_LE(0.9, g1);
		EXPECT_GE(1.6, g1);
		EXPECT_LE(1.8, g2);
		EXPECT_GE(3.0, g2);
	}
	close(fd);
	close(pfd);
}

TEST_F(conn, second_connect_while_pending_ealready)
{
	struct sockaddr_in sin = addr4(BH_REMOTE, 7071);
	int fd = tcp_socket(&self->l);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_nonblock(fd));
	EXPECT_EQ(EINPROGRESS, connect_errno(fd, &sin));
	EXPECT_EQ(EALREADY, connect_errno(fd, &sin));
	close(fd);
}

TEST_F(conn, accept_not_listening_einval)
{
	struct sockaddr_in sin = addr4("127.0.0.1", 0);
	int fd = tcp_socket(&self->l), cfd, afd;

	ASSERT_LE(0, fd);
	/* Fresh, then bound, then connected. */
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(0, connected_pair(&self->l, &cfd, &afd));
	EXPECT_EQ(-1, accept(cfd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(afd);
	close(cfd);
}

TEST_F(conn, unconnected_calls_enotconn)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char c = 'x';
	int fd = tcp_socket(&self->l);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, recv(fd, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(fd, &c, 1, 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, getpeername(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(ENOTCONN, errno);
	/* send() on a socket that never connected is EPIPE, as on Linux. */
	EXPECT_EQ(-1, send(fd, &c, 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(fd);

	/* A listener is not connected either. */
	ASSERT_EQ(0, start_listener(&self->l));
	EXPECT_EQ(-1, recv(self->l.lfd, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
}

static int sigpipes;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

/* The peer closes with SO_LINGER 0, which sends an RST.  The first call
 * after it reports ECONNRESET (the pending socket error), later sends are
 * EPIPE, with SIGPIPE unless MSG_NOSIGNAL.
 */
TEST_F(conn, send_after_peer_reset_epipe_sigpipe)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd pfd;
	char c = 'x';
	int cfd, afd;

	ASSERT_EQ(0, connected_pair(&self->l, &cfd, &afd));
	ASSERT_EQ(0, setsockopt(afd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, close(afd));
	pfd = (struct pollfd){ .fd = cfd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & (POLLERR | POLLHUP));

	ASSERT_NE(SIG_ERR, signal(SIGPIPE, on_sigpipe));
	EXPECT_EQ(-1, send(cfd, &c, 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, send(cfd, &c, 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
	EXPECT_EQ(-1, send(cfd, &c, 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	/* After the reset a read is at EOF. */
	EXPECT_EQ(0, recv(cfd, &c, 1, MSG_DONTWAIT));
	close(cfd);
}

TEST_F(conn, listen_unbound_autobinds)
{
	struct sockaddr_in sin = addr4("127.0.0.1", 0);
	int fd = tcp_socket(&self->l), cfd, afd, port, lo, hi;
	char buf[8] = "";
	FILE *f;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, listen(fd, 4));
	port = local_port(fd);
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%d %d", &lo, &hi));
	fclose(f);
	TH_LOG("autobound port %d", port);
	EXPECT_LE(lo, port);
	EXPECT_GE(hi, port);

	/* Reachable on that port, from native TCP. */
	sin.sin_port = htons(port);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, set_timeouts(cfd, 10 * (int)xtcp_slow()));
	ASSERT_EQ(0, set_timeouts(fd, 10 * (int)xtcp_slow()));
	ASSERT_EQ(0, connect_errno(cfd, &sin));
	afd = accept(fd, NULL, NULL);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, set_timeouts(afd, 10 * (int)xtcp_slow()));
	EXPECT_EQ(4, send(cfd, "ping", 4, MSG_NOSIGNAL));
	EXPECT_EQ(4, recv(afd, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	close(afd);
	close(cfd);
	close(fd);
}

/* connect(AF_UNSPEC) while data is in flight, then a new connection from
 * the same socket: what the old one had outstanding must not count
 * against the new one's congestion window (tcp_disconnect() clears
 * packets_out with the queues), and the ECONNRESET the disconnect left
 * in sk_err must not fail the new connection's writes (tcp_connect_init()
 * clears it).  netem drops everything on lo while the first connection
 * sends, so its data stays unacknowledged.
 */
TEST_F(conn, reconnect_after_disconnect_with_data_in_flight)
{
	static char out[256 * 1024], in[sizeof(out)];
	struct sockaddr_in unspec = { .sin_family = AF_UNSPEC };
	int cfd, afd, afd2;
	size_t i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 251);
	/* Small segments, so that the first flight fills the initial window. */
	ASSERT_EQ(0, start_listener(&self->l));
	cfd = tcp_socket(&self->l);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, setsockopt(cfd, IPPROTO_TCP, TCP_MAXSEG, &(int){ 536 },
				sizeof(int)));
	ASSERT_EQ(0, set_timeouts(cfd, 10 * (int)xtcp_slow()));
	ASSERT_EQ(0, set_timeouts(self->l.lfd, 10 * (int)xtcp_slow()));
	ASSERT_EQ(0, connect_errno(cfd, &self->l.laddr));
	afd = accept(self->l.lfd, NULL, NULL);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, system("tc qdisc add dev lo root netem loss 100%"));
	ASSERT_LT(10 * 536, send(cfd, out, 64 * 1024,
				 MSG_NOSIGNAL | MSG_DONTWAIT));
	usleep(200000);
	ASSERT_EQ(0, connect(cfd, (struct sockaddr *)&unspec, sizeof(unspec)));
	ASSERT_EQ(0, system("tc qdisc del dev lo root"));
	close(afd);

	ASSERT_EQ(0, connect_errno(cfd, &self->l.laddr));
	afd2 = accept(self->l.lfd, NULL, NULL);
	ASSERT_LE(0, afd2);
	ASSERT_EQ(0, set_timeouts(afd2, 10 * (int)xtcp_slow()));
	ASSERT_EQ((ssize_t)sizeof(out), send(cfd, out, sizeof(out), MSG_NOSIGNAL));
	EXPECT_EQ((ssize_t)sizeof(in), recv(afd2, in, sizeof(in), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	close(afd2);
	close(cfd);
}

XTCP_HARNESS_MAIN
