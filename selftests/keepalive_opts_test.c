// SPDX-License-Identifier: GPL-2.0
/* keepalive_opts_test: TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT and
 * SO_KEEPALIVE through setsockopt()/getsockopt(): every value, errno and
 * read-back equal to native TCP's (AF_INET is the reference, run in the
 * same kernel), the namespace defaults included, and an accepted socket
 * inherits them from its listener as native TCP's does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/harness.h"

static const int opts[] = { TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT };

/* Values around Linux's limits: MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL
 * are 32767, MAX_TCP_KEEPCNT 127.
 */
static const int vals[] = { INT_MIN, -1, 0, 1, 2, 75, 126, 127, 128,
			    7200, 32767, 32768, INT_MAX };

/* setsockopt()'s errno (0 on success) then getsockopt()'s value, or
 * -errno of getsockopt().
 */
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

		EXPECT_LT(0, want);
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
	int v = 300;
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

/* SO_KEEPALIVE and TCP_KEEP* of an accepted socket, and of the same
 * options changed on the connected socket; listener on 127.0.0.1.
 */
static int child_values(int family, int out[5])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t alen = sizeof(sin);
	int l, c, a, on = 1, idle = 77, intvl = 11, cnt = 5;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(family, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(l, (struct sockaddr *)&sin, &alen) ||
	    setsockopt(l, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) ||
	    setsockopt(l, SOL_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ||
	    setsockopt(l, SOL_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) ||
	    setsockopt(l, SOL_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) ||
	    listen(l, 1))
		return -1;
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	if (a < 0)
		return -1;
	out[0] = get_int(a, SOL_SOCKET, SO_KEEPALIVE);
	out[1] = get_int(a, SOL_TCP, TCP_KEEPIDLE);
	out[2] = get_int(a, SOL_TCP, TCP_KEEPINTVL);
	out[3] = get_int(a, SOL_TCP, TCP_KEEPCNT);
	/* An established socket takes a new idle time (re-arming). */
	idle = 5;
	out[4] = setsockopt(a, SOL_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ?
		 -errno : get_int(a, SOL_TCP, TCP_KEEPIDLE);
	close(a);
	close(c);
	close(l);
	return 0;
}

TEST(accepted_socket_inherits_as_native)
{
	int n[5], x[5];

	ASSERT_EQ(0, child_values(AF_INET, n));
	ASSERT_EQ(0, child_values(AF_XTCP, x));
	EXPECT_EQ(0, memcmp(n, x, sizeof(n)))
		TH_LOG("native %d %d %d %d %d, xtcp %d %d %d %d %d",
		       n[0], n[1], n[2], n[3], n[4],
		       x[0], x[1], x[2], x[3], x[4]);
	EXPECT_EQ(1, x[0]);
	EXPECT_EQ(77, x[1]);
}

XTCP_HARNESS_MAIN
