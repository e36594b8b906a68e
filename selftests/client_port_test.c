// SPDX-License-Identifier: GPL-2.0
/* client_port_test: connect()'s local port is shared between
 * destinations as __inet_hash_connect() shares it, and stays in the one
 * port space with native TCP (issue 9).  Each case runs in a fresh
 * network namespace whose ip_local_port_range is the single port 40000,
 * so every connect() without bind() must use that port or fail.
 *
 * - two_destinations: two connections to different listeners share the
 *   port, a third to a listener already connected to fails with
 *   EADDRNOTAVAIL; after a close the tuple is free again.  Native TCP and
 *   xtcp must observe the same.
 * - timewait_holds_tuple: with tcp_tw_reuse 0 (xtcp has no TIME_WAIT
 *   reuse), a TIME_WAIT entry keeps its 4-tuple, not the port: the next
 *   connect() to the same listener fails, one to another listener shares
 *   the port.  Same for both.
 * - one_port_space: while a client of one stack holds the port, a bind()
 *   of it by either stack fails as it does between native sockets
 *   (EADDRINUSE), and a client of the other stack cannot share it
 *   (EADDRNOTAVAIL: native TCP's and xtcp's 4-tuple tables are apart, so
 *   the stacks never share a port by connect(), by design); once closed
 *   the port is free to both.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "lib/util.h"

#define PORT		40000
#define L1		7101
#define L2		7102

static int err_of(int ret)
{
	return ret ? errno : 0;
}

/* A fresh namespace, lo up, the range the single port PORT. */
static int fresh_netns(int tw_reuse)
{
	char buf[16];

	if (unshare(CLONE_NEWNET) || if_up("lo"))
		return -1;
	if (write_file("/proc/sys/net/ipv4/ip_local_port_range", "40000 40000"))
		return -1;
	snprintf(buf, sizeof(buf), "%d", tw_reuse);
	return write_file("/proc/sys/net/ipv4/tcp_tw_reuse", buf);
}

static int connect_to(int fd, int port)
{
	struct sockaddr_in sin = addr4("127.0.0.1", port);

	return err_of(connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
}

static int bind_to(int fd, const char *ip, int port)
{
	struct sockaddr_in sin = addr4(ip, port);

	return err_of(bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
}

static int lsn(int family, int port)
{
	struct sockaddr_in sin = addr4("127.0.0.1", port);

	return listen_or_die(family, &sin, 8);
}

#define MAX_OBS 16
struct obs {
	int n;
	long val[MAX_OBS];
};

static void rec(struct obs *o, long v)
{
	if (o->n < MAX_OBS)
		o->val[o->n++] = v;
}

static void case_two_destinations(int fam, struct obs *o)
{
	int l1 = lsn(fam, L1), l2 = lsn(fam, L2);
	int c1 = socket(fam, SOCK_STREAM, 0), c2 = socket(fam, SOCK_STREAM, 0);
	int c3 = socket(fam, SOCK_STREAM, 0), c4 = socket(fam, SOCK_STREAM, 0);

	rec(o, connect_to(c1, L1));
	rec(o, local_port(c1));
	rec(o, connect_to(c2, L2));
	rec(o, local_port(c2));
	rec(o, connect_to(c3, L1));
	abort_close(c1);
	/* The tuple is free again once the connection is gone. */
	rec(o, connect_to(c4, L1));
	rec(o, local_port(c4));
	abort_close(c2);
	abort_close(c4);
	close(c3);
	close(l1);
	close(l2);
}

static void case_timewait_holds_tuple(int fam, struct obs *o)
{
	int l1 = lsn(fam, L1), l2 = lsn(fam, L2), a;
	int c1 = socket(fam, SOCK_STREAM, 0), c2 = socket(fam, SOCK_STREAM, 0);
	int c3 = socket(fam, SOCK_STREAM, 0);
	char ch;

	rec(o, connect_to(c1, L1));
	a = accept(l1, NULL, NULL);
	/* The client closes first: its end goes to TIME_WAIT. */
	close(c1);
	rec(o, read(a, &ch, 1));
	close(a);
	usleep(300 * 1000);
	rec(o, connect_to(c2, L1));
	rec(o, connect_to(c3, L2));
	rec(o, local_port(c3));
	close(c2);
	abort_close(c3);
	close(l1);
	close(l2);
}

/* Holder family @h keeps a client on PORT; family @x tries the port. */
static void case_one_port_space(int h, int x, struct obs *o)
{
	int lh = lsn(h, L1), lx = lsn(x, L2);
	int c = socket(h, SOCK_STREAM, 0), b1 = socket(x, SOCK_STREAM, 0);
	int b2 = socket(x, SOCK_STREAM, 0), b3 = socket(x, SOCK_STREAM, 0);
	int cx = socket(x, SOCK_STREAM, 0);

	rec(o, connect_to(c, L1));
	rec(o, local_port(c));
	rec(o, bind_to(b1, "127.0.0.1", PORT));
	rec(o, bind_to(b2, "0.0.0.0", PORT));
	rec(o, connect_to(cx, L2));
	abort_close(c);
	abort_close(cx);
	usleep(100 * 1000);
	rec(o, bind_to(b3, "127.0.0.1", PORT));
	close(b1);
	close(b2);
	close(b3);
	close(lh);
	close(lx);
}

static void dump(const char *what, const struct obs *o)
{
	char line[256];
	int i, n = 0;

	for (i = 0; i < o->n; i++)
		n += snprintf(line + n, sizeof(line) - n, " %ld", o->val[i]);
	fprintf(stderr, "# %s:%s\n", what, line);
}

TEST(two_destinations)
{
	struct obs in = {}, xt = {};

	ASSERT_EQ(0, fresh_netns(0));
	case_two_destinations(AF_INET, &in);
	ASSERT_EQ(0, fresh_netns(0));
	case_two_destinations(xtcp_family(), &xt);
	dump("inet", &in);
	dump("xtcp", &xt);
	/* Native shares the port: the case means something. */
	ASSERT_EQ(0, in.val[2]);
	ASSERT_EQ(PORT, in.val[3]);
	ASSERT_EQ(in.n, xt.n);
	ASSERT_EQ(0, memcmp(in.val, xt.val, sizeof(in.val)));
}

TEST(timewait_holds_tuple)
{
	struct obs in = {}, xt = {};

	ASSERT_EQ(0, fresh_netns(0));
	case_timewait_holds_tuple(AF_INET, &in);
	ASSERT_EQ(0, fresh_netns(0));
	case_timewait_holds_tuple(xtcp_family(), &xt);
	dump("inet", &in);
	dump("xtcp", &xt);
	ASSERT_EQ(EADDRNOTAVAIL, in.val[2]);
	ASSERT_EQ(in.n, xt.n);
	ASSERT_EQ(0, memcmp(in.val, xt.val, sizeof(in.val)));
}

TEST(one_port_space)
{
	struct obs nn = {}, xn = {}, nx = {};
	int xf = xtcp_family();

	ASSERT_EQ(0, fresh_netns(0));
	case_one_port_space(AF_INET, AF_INET, &nn);
	ASSERT_EQ(0, fresh_netns(0));
	case_one_port_space(xf, AF_INET, &xn);
	ASSERT_EQ(0, fresh_netns(0));
	case_one_port_space(AF_INET, xf, &nx);
	dump("inet holds, inet tries", &nn);
	dump("xtcp holds, inet tries", &xn);
	dump("inet holds, xtcp tries", &nx);
	/* Binds: as between native sockets. */
	ASSERT_EQ(0, xn.val[0]);
	ASSERT_EQ(PORT, xn.val[1]);
	ASSERT_EQ(EADDRINUSE, nn.val[2]);
	ASSERT_EQ(nn.val[2], xn.val[2]);
	ASSERT_EQ(nn.val[3], xn.val[3]);
	ASSERT_EQ(nn.val[2], nx.val[2]);
	ASSERT_EQ(nn.val[3], nx.val[3]);
	/* connect(): native shares its own port, never across the stacks. */
	ASSERT_EQ(0, nn.val[4]);
	ASSERT_EQ(EADDRNOTAVAIL, xn.val[4]);
	ASSERT_EQ(EADDRNOTAVAIL, nx.val[4]);
	/* Free again once the holder is gone. */
	ASSERT_EQ(0, nn.val[5]);
	ASSERT_EQ(0, xn.val[5]);
	ASSERT_EQ(0, nx.val[5]);
}

TEST_HARNESS_MAIN
