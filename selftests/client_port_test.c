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
 * - skips_ports_others_hold: in a range of six ports, four held by
 *   sockets of either stack (bound with SO_REUSEADDR, bound without it,
 *   listening with it, bound with SO_REUSEADDR and SO_REUSEPORT),
 *   connect() of either stack with or without those options takes only
 *   the two free ports, as native connect() does for native holders
 *   (__inet_hash_connect() never shares a bucket bind() or listen()
 *   made), then fails with EADDRNOTAVAIL; also with ip_autobind_reuse,
 *   which bind()'s port search obeys and connect()'s does not.
 * - bind_stops_sharing: a bind() with SO_REUSEADDR joining the port of
 *   a client with SO_REUSEADDR succeeds, and from then on connect() no
 *   longer shares that port, even once the bind()'s socket is closed
 *   (native: the bucket's fastreuseport is no longer -1).
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

#include "lib/harness.h"
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

/* Client options: SO_REUSEADDR, SO_REUSEPORT. */
#define O_ADDR	1
#define O_PORT	2

/* A socket of @fam with the options @opts; -1 if one failed. */
static int sock_opts(int fam, int opts)
{
	int fd = socket(fam, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (((opts & O_ADDR) &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
	    ((opts & O_PORT) && set_reuseport(fd, fam))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A socket of @fam with @opts bound to 127.0.0.1:@port, listening if
 * @listening; -1 on any failure.
 */
static int hold(int fam, int port, int opts, int listening)
{
	int fd = sock_opts(fam, opts);

	if (fd < 0)
		return -1;
	if (bind_to(fd, "127.0.0.1", port) || (listening && listen(fd, 8))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

#define RANGE_PORTS	6

/* Holders of family @h on the first four ports of the range
 * PORT..PORT+5; clients of family @x with @opts connect to one listener
 * until connect() fails.  Records whether each holder could be set up,
 * the failing errno, and the ports taken in order of port number.
 */
static void case_range_holders(int h, int x, int opts, struct obs *o)
{
	int held[4], c[RANGE_PORTS + 1], n, i, err = 0;
	long ports[RANGE_PORTS + 1];
	int l1 = lsn(x, L1);

	held[0] = hold(h, PORT, O_ADDR, 0);
	held[1] = hold(h, PORT + 1, 0, 0);
	held[2] = hold(h, PORT + 2, O_ADDR, 1);
	held[3] = hold(h, PORT + 3, O_ADDR | O_PORT, 0);
	for (i = 0; i < 4; i++)
		rec(o, held[i] >= 0);
	for (n = 0; n <= RANGE_PORTS; n++) {
		c[n] = sock_opts(x, opts);
		err = c[n] < 0 ? -1 : connect_to(c[n], L1);
		if (err) {
			close(c[n]);
			break;
		}
		ports[n] = local_port(c[n]);
	}
	rec(o, err);
	qsort(ports, n, sizeof(ports[0]), cmp_long);
	for (i = 0; i < n; i++) {
		rec(o, ports[i]);
		abort_close(c[i]);
	}
	for (i = 0; i < 4; i++)
		close(held[i]);
	close(l1);
}

/* A client of family @x with SO_REUSEADDR holds PORT (the whole range);
 * a socket of family @b binds it with SO_REUSEADDR; then connect()s to
 * another listener, before and after the bind()'s socket is closed.
 */
static void case_bind_stops_sharing(int x, int b, struct obs *o)
{
	int l1 = lsn(x, L1), l2 = lsn(x, L2);
	int c1 = sock_opts(x, O_ADDR), c2 = sock_opts(x, O_ADDR);
	int c3 = sock_opts(x, O_ADDR), c4 = sock_opts(x, O_ADDR);
	int bd = sock_opts(b, O_ADDR);

	rec(o, connect_to(c1, L1));
	rec(o, local_port(c1));
	rec(o, bind_to(bd, "127.0.0.1", PORT));
	rec(o, connect_to(c2, L2));
	close(bd);
	rec(o, connect_to(c3, L2));
	/* The port itself is free again once its last owner is gone. */
	abort_close(c1);
	rec(o, connect_to(c4, L2));
	rec(o, local_port(c4));
	close(c2);
	close(c3);
	abort_close(c4);
	close(l1);
	close(l2);
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

TEST(skips_ports_others_hold)
{
	/* Client options; ip_autobind_reuse (bind()'s port 0 search may
	 * then share, connect()'s never does).
	 */
	static const struct { int opts; const char *autobind; } sets[] = {
		{ 0, "0" }, { O_ADDR, "0" }, { O_ADDR | O_PORT, "0" },
		{ O_ADDR | O_PORT, "1" },
	};
	int fams[2] = { AF_INET, xtcp_family() };
	struct obs oracle, got;
	char what[96];
	int h, x, k;

	for (k = 0; k < (int)ARRAY_SIZE(sets); k++) {
		for (h = 0; h < 2; h++) {
			for (x = 0; x < 2; x++) {
				memset(&got, 0, sizeof(got));
				ASSERT_EQ(0, fresh_netns(0));
				ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/ip_local_port_range",
							"40000 40005"));
				ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/ip_autobind_reuse",
							sets[k].autobind));
				case_range_holders(fams[h], fams[x], sets[k].opts,
						   &got);
				snprintf(what, sizeof(what),
					 "opts %d autobind_reuse %s, holders %s, clients %s",
					 sets[k].opts, sets[k].autobind,
					 h ? "xtcp" : "inet", x ? "xtcp" : "inet");
				dump(what, &got);
				if (!h && !x) {
					oracle = got;
					/* The holders are there, and two ports free. */
					ASSERT_EQ(4, oracle.val[0] + oracle.val[1] +
						  oracle.val[2] + oracle.val[3]);
					ASSERT_EQ(EADDRNOTAVAIL, oracle.val[4]);
					ASSERT_EQ(7, oracle.n);
				}
				EXPECT_EQ(oracle.n, got.n);
				EXPECT_EQ(0, memcmp(oracle.val, got.val,
						    sizeof(got.val)));
			}
		}
	}
}

TEST(bind_stops_sharing)
{
	int fams[2] = { AF_INET, xtcp_family() };
	struct obs oracle, got;
	char what[64];
	int x, b;

	for (x = 0; x < 2; x++) {
		for (b = 0; b < 2; b++) {
			memset(&got, 0, sizeof(got));
			ASSERT_EQ(0, fresh_netns(0));
			case_bind_stops_sharing(fams[x], fams[b], &got);
			snprintf(what, sizeof(what), "clients %s, bind %s",
				 x ? "xtcp" : "inet", b ? "xtcp" : "inet");
			dump(what, &got);
			if (!x && !b) {
				oracle = got;
				/* The bind shares; connect() does not. */
				ASSERT_EQ(0, oracle.val[2]);
				ASSERT_EQ(EADDRNOTAVAIL, oracle.val[3]);
			}
			EXPECT_EQ(oracle.n, got.n);
			EXPECT_EQ(0, memcmp(oracle.val, got.val,
					    sizeof(got.val)));
		}
	}
}

/* A native SO_REUSEADDR client holds PORT towards L1; then (if @attempt)
 * an xtcp SO_REUSEADDR client tries to connect to L2; then another native
 * client connects to a third listener.  Native connect() shares a bucket
 * only while it is as connect() left it (fastreuse and fastreuseport
 * -1): an xtcp reservation that joined the bucket and left again had
 * changed that (inet_csk_update_fastreuse()), and the native client got
 * EADDRNOTAVAIL.  xtcp now takes no port that has a bucket, so its own
 * attempt fails instead (xtcp clients share no port with native ones).
 */
static void case_attempt_leaves_bucket(int attempt, struct obs *o)
{
	int l1 = lsn(AF_INET, L1), l2 = lsn(AF_INET, L2);
	int l3 = lsn(AF_INET, L2 + 1);
	int n1 = sock_opts(AF_INET, O_ADDR), n2 = sock_opts(AF_INET, O_ADDR);
	int x = sock_opts(xtcp_family(), O_ADDR);

	rec(o, connect_to(n1, L1));
	rec(o, local_port(n1));
	if (attempt)
		connect_to(x, L2);
	rec(o, connect_to(n2, L2 + 1));
	rec(o, local_port(n2));
	close(x);
	abort_close(n1);
	abort_close(n2);
	close(l1);
	close(l2);
	close(l3);
}

TEST(failed_attempt_leaves_native_sharing)
{
	struct obs oracle = {}, got = {};

	ASSERT_EQ(0, fresh_netns(0));
	case_attempt_leaves_bucket(0, &oracle);
	ASSERT_EQ(0, fresh_netns(0));
	case_attempt_leaves_bucket(1, &got);
	dump("native clients alone", &oracle);
	dump("an xtcp attempt between", &got);
	/* Native shares the port between its two clients. */
	ASSERT_EQ(0, oracle.val[2]);
	ASSERT_EQ(PORT, oracle.val[3]);
	EXPECT_EQ(oracle.n, got.n);
	EXPECT_EQ(0, memcmp(oracle.val, got.val, sizeof(got.val)));
}

XTCP_HARNESS_MAIN
