// SPDX-License-Identifier: GPL-2.0
/* port_test: the life of a socket's local port (bind, connect, listen,
 * disconnect, TIME_WAIT, close, SO_REUSEPORT, SO_BINDTODEVICE) follows
 * Linux.  Every case is a scenario run twice, on AF_INET (native TCP, the
 * oracle) and on AF_XTCP, each time in a fresh network namespace; the
 * scenario records what it observes as named values and the test asserts
 * that both runs recorded the same values.  Fixed ports are below
 * ip_local_port_range so nothing else takes them.
 *
 * Scenarios that used to crash or spin the kernel run under alarm(): a
 * read of /proc/net/xtcp that never ends kills the test instead of
 * hanging the run.
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
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define BH_DEV		"xtcpbh0"
#define BH_LOCAL	"10.79.0.1"
#define BH_REMOTE	"10.79.0.2"

/* What a scenario observed: named integers, compared across families. */
#define MAX_OBS 32
struct obs {
	int n;
	const char *name[MAX_OBS];
	long val[MAX_OBS];
};

static void rec(struct obs *o, const char *name, long val)
{
	if (o->n < MAX_OBS) {
		o->name[o->n] = name;
		o->val[o->n] = val;
		o->n++;
	}
}

/* A fresh namespace with lo up and a dummy device, 10.79.0.1/24, where
 * packets to 10.79.0.2 vanish (a blackhole for SYN timeouts).
 */
static int fresh_netns(void)
{
	if (unshare(CLONE_NEWNET) || if_up("lo"))
		return -1;
	if (system("ip link add " BH_DEV " type dummy") ||
	    system("ip addr add " BH_LOCAL "/24 dev " BH_DEV))
		return -1;
	return if_up(BH_DEV);
}

static int err_of(int ret)
{
	return ret ? errno : 0;
}

static int bind_to(int fd, const char *ip, int port)
{
	struct sockaddr_in sin = addr4(ip, port);

	return err_of(bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
}

static int connect_to(int fd, const char *ip, int port)
{
	struct sockaddr_in sin = addr4(ip, port);

	return err_of(connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
}

static int peer_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getpeername(fd, (struct sockaddr *)&sin, &len))
		return -1;
	return ntohs(sin.sin_port);
}

static int tcp_socket(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd >= 0)
		set_timeouts(fd, 10 * (int)xtcp_slow());
	return fd;
}

/* A listener of @family on ip:port (port 0: ephemeral); fd or -1. */
static int listener(int family, const char *ip, int port)
{
	int fd = tcp_socket(family);

	if (fd < 0 || bind_to(fd, ip, port) || listen(fd, 128)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* errno of binding a fresh native socket to 127.0.0.1:@port: whether
 * anyone (either stack) holds the port.
 */
static int native_bind_errno(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), err;

	if (fd < 0)
		return -1;
	err = bind_to(fd, "127.0.0.1", port);
	close(fd);
	return err;
}

typedef void (*scenario_fn)(int family, struct obs *o);

/* Run @scenario for AF_INET and for AF_XTCP, each in a new namespace,
 * and expect the same observations from both.
 */
static void compare(struct __test_metadata *_metadata, scenario_fn scenario)
{
	struct obs in = {}, xt = {};
	int i;

	ASSERT_EQ(0, fresh_netns());
	scenario(AF_INET, &in);
	ASSERT_EQ(0, fresh_netns());
	scenario(xtcp_family(), &xt);
	ASSERT_EQ(in.n, xt.n);
	for (i = 0; i < in.n; i++) {
		TH_LOG("%-36s inet %ld xtcp %ld", in.name[i], in.val[i],
		       xt.val[i]);
		EXPECT_EQ(in.val[i], xt.val[i]);
	}
}

#define COMPARE(scenario) compare(_metadata, scenario)

FIXTURE(port) {
	int unused;
};

FIXTURE_SETUP(port)
{
}

FIXTURE_TEARDOWN(port)
{
}

/* Lines of /proc/net/tcp or /proc/net/xtcp; the caller's alarm() ends
 * a read that never ends.
 */
static long proc_lines(int family)
{
	FILE *f = fopen(family == AF_INET ? "/proc/net/tcp" : "/proc/net/xtcp",
			"r");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Item 1: IP_BIND_ADDRESS_NO_PORT, bind(port 0), connect(): the address
 * is bound at bind(), the port only at connect().
 */
static void no_port_bind_connect(int family, struct obs *o)
{
	int l = listener(family, "127.0.0.1", 7001), c, a, one = 1;

	rec(o, "listener", l >= 0);
	c = tcp_socket(family);
	rec(o, "setsockopt(IP_BIND_ADDRESS_NO_PORT)",
	    err_of(setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			      sizeof(one))));
	rec(o, "bind(127.0.0.1:0)", bind_to(c, "127.0.0.1", 0));
	rec(o, "port after bind", local_port(c));
	rec(o, "second bind(127.0.0.1:0)", bind_to(c, "127.0.0.1", 0) == 0);
	rec(o, "connect", connect_to(c, "127.0.0.1", 7001));
	a = accept(l, NULL, NULL);
	rec(o, "accept", a >= 0);
	rec(o, "port chosen", local_port(c) > 0);
	rec(o, "peer sees that port", peer_port(a) == local_port(c));
	rec(o, "port held (native bind errno)",
	    native_bind_errno(local_port(c)));
	alarm(20);
	rec(o, "proc listing ends, bounded", proc_lines(family) < 100);
	rec(o, "send", send(c, "x", 1, MSG_NOSIGNAL));
	close(a);
	close(c);
	close(l);
	/* A second listener and connection after that close. */
	l = listener(family, "127.0.0.1", 7001);
	c = tcp_socket(family);
	rec(o, "relisten", l >= 0);
	rec(o, "reconnect", connect_to(c, "127.0.0.1", 7001));
	close(c);
	close(l);
	rec(o, "proc listing ends after close", proc_lines(family) < 100);
	alarm(0);
}

TEST_F_TIMEOUT(port, bind_address_no_port_connect, 60)
{
	COMPARE(no_port_bind_connect);
}

/* Item 2: the port went to a TIME_WAIT entry; connect(AF_UNSPEC); then
 * listen() (@relisten) or connect().
 */
static void timewait_then(int family, struct obs *o, int relisten)
{
	int l = listener(family, "127.0.0.1", 7002), c, a, c2, old;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	char buf[8];

	c = tcp_socket(family);
	rec(o, "connect", connect_to(c, "127.0.0.1", 7002));
	a = accept(l, NULL, NULL);
	old = local_port(c);
	rec(o, "shutdown(SHUT_WR)", err_of(shutdown(c, SHUT_WR)));
	rec(o, "peer reads EOF", read(a, buf, sizeof(buf)));
	close(a);
	rec(o, "read EOF", read(c, buf, sizeof(buf)));
	/* The FIN is in: @c is done, its port is TIME_WAIT's now. */
	rec(o, "connect(AF_UNSPEC)",
	    err_of(connect(c, &unspec, sizeof(unspec))));
	if (relisten) {
		rec(o, "listen", err_of(listen(c, 8)));
		rec(o, "listens on a port", local_port(c) > 0);
		rec(o, "a new port", local_port(c) != old);
		rec(o, "port held (native bind errno)",
		    native_bind_errno(local_port(c)));
		c2 = tcp_socket(family);
		rec(o, "connect to it", connect_to(c2, "127.0.0.1",
						   local_port(c)));
		close(c2);
	} else {
		rec(o, "connect again", connect_to(c, "127.0.0.1", 7002));
		a = accept(l, NULL, NULL);
		rec(o, "accept", a >= 0);
		rec(o, "a new port", local_port(c) != old);
		rec(o, "peer sees that port", peer_port(a) == local_port(c));
		rec(o, "port held (native bind errno)",
		    native_bind_errno(local_port(c)));
		rec(o, "data", send(c, "y", 1, MSG_NOSIGNAL) == 1 &&
		    read(a, buf, 1) == 1 && buf[0] == 'y');
		close(a);
	}
	close(c);
	close(l);
}

static void timewait_listen(int family, struct obs *o)
{
	timewait_then(family, o, 1);
}

static void timewait_connect(int family, struct obs *o)
{
	timewait_then(family, o, 0);
}

TEST_F_TIMEOUT(port, timewait_disconnect_listen, 60)
{
	COMPARE(timewait_listen);
}

TEST_F_TIMEOUT(port, timewait_disconnect_connect, 60)
{
	COMPARE(timewait_connect);
}

/* Item 11: a port the user bound survives the connection's end (a
 * refused connect, connect(AF_UNSPEC)); an automatic one does not.
 */
static void bound_port_kept(int family, struct obs *o)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int hold, l, c, a, p;

	/* 127.0.0.1:7009 held by a native socket that does not listen. */
	hold = socket(AF_INET, SOCK_STREAM, 0);
	rec(o, "hold 7009", bind_to(hold, "127.0.0.1", 7009));
	l = listener(family, "127.0.0.1", 7004);

	c = tcp_socket(family);
	rec(o, "bind 7003", bind_to(c, "127.0.0.1", 7003));
	rec(o, "refused connect", connect_to(c, "127.0.0.1", 7009));
	rec(o, "getsockname port", local_port(c));
	rec(o, "7003 still held (native bind errno)", native_bind_errno(7003));
	rec(o, "connect again", connect_to(c, "127.0.0.1", 7004));
	a = accept(l, NULL, NULL);
	rec(o, "peer sees port", peer_port(a));
	close(a);
	close(c);

	/* bind(port 0): chosen by the kernel, given up with the connection. */
	c = tcp_socket(family);
	rec(o, "bind 127.0.0.1:0", bind_to(c, "127.0.0.1", 0));
	p = local_port(c);
	rec(o, "refused connect (auto port)", connect_to(c, "127.0.0.1", 7009));
	rec(o, "auto port free (native bind errno)", native_bind_errno(p));
	close(c);

	/* ... but not by connect(AF_UNSPEC) on a merely bound socket. */
	c = tcp_socket(family);
	rec(o, "bind 127.0.0.1:0 again", bind_to(c, "127.0.0.1", 0));
	p = local_port(c);
	rec(o, "connect(AF_UNSPEC) on bound",
	    err_of(connect(c, &unspec, sizeof(unspec))));
	rec(o, "port kept", local_port(c) == p);
	rec(o, "port held (native bind errno)", native_bind_errno(p));
	close(c);
	close(l);
	close(hold);
}

TEST_F_TIMEOUT(port, bound_port_survives_close_state, 60)
{
	COMPARE(bound_port_kept);
}

/* Item 11: shutdown(SHUT_RD) stops a listener; listen() again listens on
 * the same port when it was bound explicitly.
 */
static void relisten(int family, struct obs *o)
{
	int l = listener(family, "127.0.0.1", 7005), c;

	rec(o, "listener", l >= 0);
	rec(o, "shutdown(SHUT_RD)", err_of(shutdown(l, SHUT_RD)));
	c = tcp_socket(family);
	rec(o, "connect while stopped", connect_to(c, "127.0.0.1", 7005));
	close(c);
	rec(o, "7005 still held (native bind errno)", native_bind_errno(7005));
	rec(o, "listen again", err_of(listen(l, 8)));
	rec(o, "port", local_port(l));
	c = tcp_socket(family);
	rec(o, "connect", connect_to(c, "127.0.0.1", 7005));
	close(c);
	close(l);

	/* An automatic port is given up: the next listen() picks one. */
	l = tcp_socket(family);
	rec(o, "listen unbound", err_of(listen(l, 8)));
	rec(o, "shutdown(SHUT_RD) unbound", err_of(shutdown(l, SHUT_RD)));
	rec(o, "listen unbound again", err_of(listen(l, 8)));
	rec(o, "has a port", local_port(l) > 0);
	c = tcp_socket(family);
	rec(o, "connect unbound", connect_to(c, "127.0.0.1", local_port(l)));
	close(c);
	close(l);
}

TEST_F_TIMEOUT(port, relisten_after_shutdown_rd, 60)
{
	COMPARE(relisten);
}

/* Accept everything pending on @fd (non-blocking); how many. */
static int drain(int fd)
{
	int n = 0, a;

	while ((a = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		close(a);
		n++;
	}
	return n;
}

#define NCONN 64

/* Item 12: two SO_REUSEPORT listeners on one port share the connections
 * by a hash of the 4-tuple, as Linux does.  Bound: each of the two gets
 * at least a quarter of 64 (binomial: a fair split falls outside 16..48
 * with probability about 1e-4).
 */
static void reuseport(int family, struct obs *o)
{
	int l[2], c[NCONN + 8], i, n0 = 0, n1 = 0, other, ok = 0;

	for (i = 0; i < 2; i++) {
		l[i] = tcp_socket(family);
		rec(o, "SO_REUSEPORT", set_reuseport(l[i], family));
		rec(o, "bind 7006", bind_to(l[i], "127.0.0.1", 7006));
		rec(o, "listen", err_of(listen(l[i], 128)));
		fcntl(l[i], F_SETFL, O_NONBLOCK);
	}
	other = tcp_socket(family);
	rec(o, "bind without SO_REUSEPORT", bind_to(other, "127.0.0.1", 7006));
	close(other);

	for (i = 0; i < NCONN; i++) {
		c[i] = tcp_socket(family);
		ok += connect_to(c[i], "127.0.0.1", 7006) == 0;
		/* Keep the accept queues short. */
		n0 += drain(l[0]);
		n1 += drain(l[1]);
	}
	usleep(100000);
	n0 += drain(l[0]);
	n1 += drain(l[1]);
	fprintf(stderr, "# family %d: %d and %d of %d\n", family, n0, n1, NCONN);
	rec(o, "connected", ok);
	rec(o, "accepted", n0 + n1);
	rec(o, "first gets >= 16", n0 >= NCONN / 4);
	rec(o, "second gets >= 16", n1 >= NCONN / 4);

	/* The group survives one member: the other takes everything. */
	close(l[0]);
	ok = 0;
	for (i = NCONN; i < NCONN + 8; i++) {
		c[i] = tcp_socket(family);
		ok += connect_to(c[i], "127.0.0.1", 7006) == 0;
	}
	usleep(100000);
	rec(o, "connected after one closed", ok);
	rec(o, "accepted by the other", drain(l[1]));
	for (i = 0; i < NCONN + 8; i++)
		close(c[i]);
	close(l[1]);
	rec(o, "7006 free (native bind errno)", native_bind_errno(7006));
}

TEST_F_TIMEOUT(port, reuseport_group_spreads, 120)
{
	COMPARE(reuseport);
}

/* Item 14: SO_BINDTODEVICE set between bind() and listen() counts. */
static void bindtodevice_listen(int family, struct obs *o)
{
	int l = tcp_socket(family), l2 = tcp_socket(family), c;

	rec(o, "bind 7007", bind_to(l, "0.0.0.0", 7007));
	rec(o, "SO_BINDTODEVICE " BH_DEV,
	    err_of(setsockopt(l, SOL_SOCKET, SO_BINDTODEVICE, BH_DEV,
			      strlen(BH_DEV))));
	rec(o, "listen", err_of(listen(l, 8)));
	c = tcp_socket(family);
	rec(o, "connect over lo", connect_to(c, "127.0.0.1", 7007));
	close(c);

	rec(o, "bind 7008", bind_to(l2, "0.0.0.0", 7008));
	rec(o, "SO_BINDTODEVICE lo",
	    err_of(setsockopt(l2, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2)));
	rec(o, "listen 7008", err_of(listen(l2, 8)));
	c = tcp_socket(family);
	rec(o, "connect over lo to 7008", connect_to(c, "127.0.0.1", 7008));
	close(c);
	close(l);
	close(l2);
}

TEST_F_TIMEOUT(port, bindtodevice_before_listen, 60)
{
	COMPARE(bindtodevice_listen);
}

/* Item 14: a failed connect is followed by a disconnect that resets the
 * connection's state, as tcp_disconnect() does: the retransmission
 * backoff of a timed-out connect does not carry over to the next one.
 * tcp_syn_retries=1 first (SYNs at 0 and 1 s, ETIMEDOUT at 3 s), then 2
 * (SYNs at 0, 1, 3 s, ETIMEDOUT at 7 s).  A stale backoff stretches the
 * second to 13 s or more.  Tolerance: timers fire late under TCG by up to
 * a few hundred ms; 9.5 s splits the two cases.
 */
static void reconnect_clean(int family, struct obs *o)
{
	const char *knob = family == AF_INET ?
		"/proc/sys/net/ipv4/tcp_syn_retries" :
		"/proc/sys/net/xtcp/tcp_syn_retries";
	int c = tcp_socket(family), hold, l;
	double t;

	set_timeouts(c, 30 * (int)xtcp_slow());
	rec(o, "syn_retries=1", write_file(knob, "1"));
	rec(o, "connect times out", connect_to(c, BH_REMOTE, 7070));
	rec(o, "syn_retries=2", write_file(knob, "2"));
	t = now();
	rec(o, "connect times out again", connect_to(c, BH_REMOTE, 7070));
	t = now() - t;
	fprintf(stderr, "# family %d: second connect took %.2f s\n", family, t);
	rec(o, "second timeout < 9.5 s", t < 9.5);
	rec(o, "second timeout > 6 s", t > 6.0);

	/* A refused connect, then one that works. */
	hold = socket(AF_INET, SOCK_STREAM, 0);
	bind_to(hold, "127.0.0.1", 7009);
	l = listener(family, "127.0.0.1", 7010);
	rec(o, "refused", connect_to(c, "127.0.0.1", 7009));
	rec(o, "SO_ERROR after", ({ int e = -1; socklen_t len = sizeof(e);
		getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &len); e; }));
	rec(o, "connect works", connect_to(c, "127.0.0.1", 7010));
	close(c);
	close(l);
	close(hold);
}

TEST_F_TIMEOUT(port, failed_connect_resets_state, 90)
{
	COMPARE(reconnect_clean);
}

/* A socket of @family bound by the user to 127.0.0.1:@port (with
 * SO_REUSEADDR when @reuse) whose connection to a listener on @lport
 * (returned in *@l) went to TIME_WAIT while the socket stays open: it
 * sent its FIN first (shutdown(SHUT_WR)), then read the peer's.  Returns
 * the socket, or -1 if a step failed.
 */
static int bound_in_timewait(int family, int port, int lport, int reuse,
			     int *l)
{
	int c = tcp_socket(family), a, one = 1;
	char buf[8];

	*l = listener(family, "127.0.0.1", lport);
	if (c < 0 || *l < 0)
		return -1;
	if (reuse)
		setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind_to(c, "127.0.0.1", port) ||
	    connect_to(c, "127.0.0.1", lport))
		return -1;
	a = accept(*l, NULL, NULL);
	if (a < 0 || shutdown(c, SHUT_WR) || read(a, buf, sizeof(buf)) != 0)
		return -1;
	close(a);
	if (read(c, buf, sizeof(buf)) != 0)
		return -1;
	return c;
}

/* Lines of /proc/net/tcp (AF_INET) or /proc/net/xtcp per state (the st
 * column), after the accepted end's LAST_ACK is over (waits up to 2 s
 * for that: it ends when our ACK of its FIN arrives).
 */
static void proc_states(int family, long count[16])
{
	const char *path = family == AF_INET ? "/proc/net/tcp" :
					       "/proc/net/xtcp";
	unsigned int st;
	char line[512];
	int tries;
	FILE *f;

	for (tries = 0; tries < 20; tries++) {
		memset(count, 0, 16 * sizeof(*count));
		f = fopen(path, "r");
		if (!f)
			return;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " %*d: %*X:%*X %*X:%*X %X", &st) == 1)
				count[st & 15]++;
		fclose(f);
		if (!count[TCP_LAST_ACK])
			return;
		usleep(100 * 1000);
	}
}

/* A socket the user bound, whose connection is in TIME_WAIT: native
 * lists the listener and the TIME_WAIT entry, never a CLOSE socket.
 */
static void timewait_proc(int family, struct obs *o)
{
	int l, c = bound_in_timewait(family, 7021, 7022, 0, &l);
	long n[16];

	rec(o, "set up", c >= 0);
	proc_states(family, n);
	rec(o, "LISTEN lines", n[TCP_LISTEN]);
	rec(o, "TIME_WAIT lines", n[TCP_TIME_WAIT]);
	rec(o, "CLOSE lines", n[TCP_CLOSE]);
	rec(o, "ESTABLISHED lines", n[TCP_ESTABLISHED]);
	close(c);
	proc_states(family, n);
	rec(o, "after close: LISTEN lines", n[TCP_LISTEN]);
	rec(o, "after close: TIME_WAIT lines", n[TCP_TIME_WAIT]);
	rec(o, "after close: CLOSE lines", n[TCP_CLOSE]);
	close(l);
	/* A socket that is only bound. */
	c = tcp_socket(family);
	rec(o, "bind only", bind_to(c, "127.0.0.1", 7023));
	proc_states(family, n);
	rec(o, "bound only: CLOSE lines", n[TCP_CLOSE]);
	rec(o, "bound only: LISTEN lines", n[TCP_LISTEN]);
	close(c);
}

TEST_F_TIMEOUT(port, timewait_proc_lines, 60)
{
	COMPARE(timewait_proc);
}

/* The TIME_WAIT entry of a socket the user bound owns the port as the
 * socket does (inet_csk_bind_conflict() sees the TIME_WAIT socket on the
 * bind bucket): listen() on the socket itself (after connect(AF_UNSPEC)),
 * binds of other sockets while the socket is open and after it closed,
 * with and without SO_REUSEADDR (@reuse: on the first socket).
 */
static void timewait_owner(int family, struct obs *o, int port, int reuse)
{
	int l, c = bound_in_timewait(family, port, port + 1, reuse, &l);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int d, one = 1;

	rec(o, "set up", c >= 0);
	d = tcp_socket(family);
	rec(o, "bind a second socket", bind_to(d, "127.0.0.1", port));
	close(d);
	d = tcp_socket(family);
	setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rec(o, "bind a second socket, SO_REUSEADDR",
	    bind_to(d, "127.0.0.1", port));
	close(d);
	/* listen() wants an unconnected socket (inet_listen()). */
	rec(o, "connect(AF_UNSPEC)",
	    err_of(connect(c, &unspec, sizeof(unspec))));
	rec(o, "listen() on the bound socket", err_of(listen(c, 8)));
	rec(o, "its port", local_port(c));
	close(c);

	d = tcp_socket(family);
	rec(o, "after close: bind", bind_to(d, "127.0.0.1", port));
	close(d);
	d = tcp_socket(family);
	setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rec(o, "after close: bind, SO_REUSEADDR",
	    bind_to(d, "127.0.0.1", port));
	rec(o, "after close: listen() of that", err_of(listen(d, 8)));
	close(d);
	close(l);
}

static void timewait_owner_plain(int family, struct obs *o)
{
	timewait_owner(family, o, 7024, 0);
}

static void timewait_owner_reuseaddr(int family, struct obs *o)
{
	timewait_owner(family, o, 7026, 1);
}

TEST_F_TIMEOUT(port, timewait_owns_port, 60)
{
	COMPARE(timewait_owner_plain);
}

TEST_F_TIMEOUT(port, timewait_owns_port_reuseaddr, 60)
{
	COMPARE(timewait_owner_reuseaddr);
}

/* The same for a listener's own connections: shutdown(SHUT_RD) stops it,
 * and listen() again meets the connection it accepted (an owner of the
 * port in Linux, __inet_inherit_port()), then that connection's
 * TIME_WAIT entry.  @opt says which option the listener has and when:
 * none; SO_REUSEADDR before bind().  MUST-2, each owner of a port keeps
 * its own SO_REUSEADDR and SO_REUSEPORT, as Linux's child takes them when
 * cloned (sk_clone_lock()) and its TIME_WAIT socket from it
 * (inet_twsk_alloc()): SO_REUSEADDR or SO_REUSEPORT set only after the
 * listener accepted and stopped, so listen() again must meet the
 * connection and then its TIME_WAIT entry with the options they had
 * (none); SO_REUSEPORT before bind(), so the connection and its TIME_WAIT
 * entry inherit it and listen() again shares the port with them.
 */
enum relisten_opt {
	RELISTEN_PLAIN,
	RELISTEN_REUSEADDR_BEFORE,
	RELISTEN_REUSEADDR_AFTER,
	RELISTEN_REUSEPORT_AFTER,
	RELISTEN_REUSEPORT_BEFORE,
};

static void relisten_owners(int family, struct obs *o, int port,
			    enum relisten_opt opt)
{
	int l = tcp_socket(family), c, a, one = 1;
	char buf[8];

	if (opt == RELISTEN_REUSEADDR_BEFORE)
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else if (opt == RELISTEN_REUSEPORT_BEFORE)
		rec(o, "SO_REUSEPORT before bind", set_reuseport(l, family));
	rec(o, "listener", !bind_to(l, "127.0.0.1", port) && !listen(l, 8));
	c = tcp_socket(family);
	rec(o, "connect", connect_to(c, "127.0.0.1", port));
	a = accept(l, NULL, NULL);
	rec(o, "accept", a >= 0);
	rec(o, "shutdown(SHUT_RD)", err_of(shutdown(l, SHUT_RD)));
	if (opt == RELISTEN_REUSEADDR_AFTER)
		rec(o, "SO_REUSEADDR after accept",
		    err_of(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one,
				      sizeof(one))));
	else if (opt == RELISTEN_REUSEPORT_AFTER)
		rec(o, "SO_REUSEPORT after accept", set_reuseport(l, family));
	rec(o, "listen() with a connection", err_of(listen(l, 8)));
	rec(o, "shutdown(SHUT_RD) again", err_of(shutdown(l, SHUT_RD)));
	/* The accepted end closes first: its TIME_WAIT holds the port. */
	close(a);
	rec(o, "read EOF", read(c, buf, sizeof(buf)));
	close(c);
	usleep(100 * 1000);
	rec(o, "listen() with a TIME_WAIT", err_of(listen(l, 8)));
	close(l);
}

static void relisten_owners_plain(int family, struct obs *o)
{
	relisten_owners(family, o, 7028, RELISTEN_PLAIN);
}

static void relisten_owners_reuseaddr(int family, struct obs *o)
{
	relisten_owners(family, o, 7029, RELISTEN_REUSEADDR_BEFORE);
}

TEST_F_TIMEOUT(port, relisten_meets_own_connections, 60)
{
	COMPARE(relisten_owners_plain);
}

TEST_F_TIMEOUT(port, relisten_meets_own_connections_reuseaddr, 60)
{
	COMPARE(relisten_owners_reuseaddr);
}

static void relisten_late_reuseaddr(int family, struct obs *o)
{
	relisten_owners(family, o, 7030, RELISTEN_REUSEADDR_AFTER);
}

static void relisten_late_reuseport(int family, struct obs *o)
{
	relisten_owners(family, o, 7031, RELISTEN_REUSEPORT_AFTER);
}

static void relisten_inherited_reuseport(int family, struct obs *o)
{
	relisten_owners(family, o, 7032, RELISTEN_REUSEPORT_BEFORE);
}

TEST_F_TIMEOUT(port, relisten_children_keep_reuseaddr, 60)
{
	COMPARE(relisten_late_reuseaddr);
}

TEST_F_TIMEOUT(port, relisten_children_keep_reuseport, 60)
{
	COMPARE(relisten_late_reuseport);
}

TEST_F_TIMEOUT(port, relisten_children_inherit_reuseport, 60)
{
	COMPARE(relisten_inherited_reuseport);
}

XTCP_HARNESS_MAIN
