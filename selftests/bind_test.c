// SPDX-License-Identifier: GPL-2.0
/* bind_test: bind() on AF_XTCP follows Linux's rules, and xtcp and native
 * TCP share one port space: a port held by either is refused to the other.
 * Where it makes sense each case is run on AF_INET too and the results
 * compared.  Fixed ports are below ip_local_port_range so nothing else in
 * the VM takes them.
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
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

/* Open a TCP socket of @family, optionally with SO_REUSEADDR. */
static int tcp_socket(int family, int reuse)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd >= 0 && reuse &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* errno of bind(), 0 on success. */
static int bind_errno(int fd, const struct sockaddr_in *sin)
{
	return bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) ? errno : 0;
}

/* Bind a fresh socket of @family to ip:port; returns errno, fd in *fdp. */
static int bind_new(int family, int reuse, const char *ip, int port, int *fdp)
{
	struct sockaddr_in sin = addr4(ip, port);

	*fdp = tcp_socket(family, reuse);
	if (*fdp < 0)
		return -1;
	return bind_errno(*fdp, &sin);
}

TEST(bind_reports_af_inet_address)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	ASSERT_EQ(0, bind_new(AF_XTCP, 0, "127.0.0.1", 20001, &fd));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(htons(20001), sin.sin_port);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);
	close(fd);
}

TEST(bind_accepts_af_xtcp_family)
{
	struct sockaddr_in sin = addr4("127.0.0.1", 20002);
	int fd = tcp_socket(AF_XTCP, 0);

	ASSERT_LE(0, fd);
	sin.sin_family = AF_XTCP;
	EXPECT_EQ(0, bind_errno(fd, &sin));
	EXPECT_EQ(20002, local_port(fd));
	close(fd);
}

TEST(bind_errors_like_af_inet)
{
	static const int families[] = { AF_INET, AF_XTCP };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct sockaddr_in sin = addr4("127.0.0.1", 20003 + i);
		int fd = tcp_socket(families[i], 0);

		ASSERT_LE(0, fd);
		/* Too short an address. */
		EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin, sizeof(sin) - 1));
		EXPECT_EQ(EINVAL, errno);
		/* Wrong family; AF_UNSPEC is only tolerated with INADDR_ANY. */
		sin.sin_family = AF_INET6;
		EXPECT_EQ(EAFNOSUPPORT, bind_errno(fd, &sin));
		sin.sin_family = AF_UNSPEC;
		EXPECT_EQ(EAFNOSUPPORT, bind_errno(fd, &sin));
		/* An address that is not local. */
		sin = addr4("192.0.2.1", 20003 + i);
		EXPECT_EQ(EADDRNOTAVAIL, bind_errno(fd, &sin));
		/* Bound once; a second bind is EINVAL. */
		sin = addr4("127.0.0.1", 20003 + i);
		EXPECT_EQ(0, bind_errno(fd, &sin));
		sin.sin_port = htons(20010);
		EXPECT_EQ(EINVAL, bind_errno(fd, &sin));
		close(fd);
	}
}

TEST(bind_unspec_any_accepted)
{
	struct sockaddr_in sin = addr4("0.0.0.0", 20011);
	int fd = tcp_socket(AF_XTCP, 0);

	ASSERT_LE(0, fd);
	sin.sin_family = AF_UNSPEC;
	EXPECT_EQ(0, bind_errno(fd, &sin));
	EXPECT_EQ(20011, local_port(fd));
	close(fd);
}

TEST(freebind_allows_nonlocal_address)
{
	struct sockaddr_in sin = addr4("192.0.2.1", 20012);
	int fd = tcp_socket(AF_XTCP, 0), one = 1;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)));
	EXPECT_EQ(0, bind_errno(fd, &sin));
	close(fd);
}

/* The same port twice within xtcp, and across xtcp and native TCP, in
 * both orders and with a wildcard against a specific address.
 */
TEST(port_conflicts_within_and_across_stacks)
{
	static const struct {
		int first, second;
		const char *ip1, *ip2;
	} cases[] = {
		{ AF_XTCP, AF_XTCP, "127.0.0.1", "127.0.0.1" },
		{ AF_XTCP, AF_INET, "127.0.0.1", "127.0.0.1" },
		{ AF_INET, AF_XTCP, "127.0.0.1", "127.0.0.1" },
		{ AF_XTCP, AF_INET, "0.0.0.0", "127.0.0.1" },
		{ AF_INET, AF_XTCP, "127.0.0.1", "0.0.0.0" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int port = 20100 + i, a, b;

		TH_LOG("case %zu: %d %s then %d %s", i, cases[i].first,
		       cases[i].ip1, cases[i].second, cases[i].ip2);
		ASSERT_EQ(0, bind_new(cases[i].first, 0, cases[i].ip1, port, &a));
		EXPECT_EQ(EADDRINUSE,
			  bind_new(cases[i].second, 0, cases[i].ip2, port, &b));
		close(b);
		/* Closing the holder gives the port back to both stacks. */
		close(a);
		EXPECT_EQ(0, bind_new(cases[i].second, 0, cases[i].ip2, port, &b));
		close(b);
	}
}

/* Two bound, non-listening sockets may share a port when both set
 * SO_REUSEADDR, whichever stack each belongs to; one without it may not.
 */
TEST(reuseaddr_shares_a_port)
{
	int a, b, c;

	ASSERT_EQ(0, bind_new(AF_XTCP, 1, "127.0.0.1", 20200, &a));
	EXPECT_EQ(0, bind_new(AF_XTCP, 1, "127.0.0.1", 20200, &b));
	EXPECT_EQ(0, bind_new(AF_INET, 1, "127.0.0.1", 20200, &c));
	close(c);
	EXPECT_EQ(EADDRINUSE, bind_new(AF_INET, 0, "127.0.0.1", 20200, &c));
	close(c);
	EXPECT_EQ(EADDRINUSE, bind_new(AF_XTCP, 0, "127.0.0.1", 20200, &c));
	close(c);
	close(a);
	close(b);
}

/* Port 0 takes an ephemeral port from ip_local_port_range, and only from
 * it: with a range of two ports the third bind is EADDRINUSE, as native.
 * Runs in a namespace of its own so the range change stays private.
 */
TEST(ephemeral_ports_from_local_port_range)
{
	int fds[2], fd, i;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/ip_local_port_range",
				"40000 40001"));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, bind_new(AF_XTCP, 0, "0.0.0.0", 0, &fds[i]));
		EXPECT_LE(40000, local_port(fds[i]));
		EXPECT_GE(40001, local_port(fds[i]));
	}
	EXPECT_NE(local_port(fds[0]), local_port(fds[1]));
	EXPECT_EQ(EADDRINUSE, bind_new(AF_XTCP, 0, "0.0.0.0", 0, &fd));
	close(fd);
	EXPECT_EQ(EADDRINUSE, bind_new(AF_INET, 0, "0.0.0.0", 0, &fd));
	close(fd);
	close(fds[0]);
	EXPECT_EQ(0, bind_new(AF_INET, 0, "0.0.0.0", 0, &fd));
	close(fd);
	close(fds[1]);
}

/* Port spaces are per network namespace, like native TCP's. */
TEST(namespaces_have_separate_port_spaces)
{
	int a, b;

	ASSERT_EQ(0, bind_new(AF_XTCP, 0, "0.0.0.0", 20300, &a));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	EXPECT_EQ(0, bind_new(AF_XTCP, 0, "0.0.0.0", 20300, &b));
	close(b);
	close(a);
}

/* A socket of @family with SO_REUSEPORT (set_reuseport()), bound to
 * ip:port; returns bind()'s errno (-1 if the option failed), fd in *fdp.
 */
static int bind_reuseport(int family, const char *ip, int port, int *fdp)
{
	struct sockaddr_in sin = addr4(ip, port);

	*fdp = socket(family, SOCK_STREAM, 0);
	if (*fdp < 0 || set_reuseport(*fdp, family))
		return -1;
	return bind_errno(*fdp, &sin);
}

/* SO_REUSEPORT shares a port between sockets of one user only
 * (inet_bind_conflict() compares sock_i_uid(), the user of the socket's
 * inode, fixed when the socket is created).  Native TCP checks an xtcp
 * socket through its port reservation, which must answer with the user
 * of the xtcp socket.  Same verdicts, native pair as the oracle, for the
 * users (first, second): (root, root) and (nobody, nobody) share,
 * (root, nobody) does not.  The effective uid alone changes (seteuid()),
 * so the test can go back to root between the rounds.
 */
TEST(reuseport_across_stacks_checks_the_user)
{
	static const int pairs[][2] = {
		{ AF_INET, AF_INET }, { AF_XTCP, AF_INET }, { AF_INET, AF_XTCP },
		{ AF_XTCP, AF_XTCP },
	};
	static const struct { uid_t first, second; int want; } rounds[] = {
		{ 0, 0, 0 }, { 65534, 65534, 0 }, { 0, 65534, EADDRINUSE },
	};
	int r, i, a, b, got;

	for (r = 0; r < (int)ARRAY_SIZE(rounds); r++) {
		for (i = 0; i < (int)ARRAY_SIZE(pairs); i++) {
			int port = 20500 + 10 * r + i;

			ASSERT_EQ(0, seteuid(rounds[r].first));
			EXPECT_EQ(0, bind_reuseport(pairs[i][0], "127.0.0.1",
						    port, &a));
			ASSERT_EQ(0, seteuid(0));
			ASSERT_EQ(0, seteuid(rounds[r].second));
			got = bind_reuseport(pairs[i][1], "127.0.0.1", port, &b);
			ASSERT_EQ(0, seteuid(0));
			TH_LOG("uids %u then %u, family %d then %d: errno %d",
			       rounds[r].first, rounds[r].second, pairs[i][0],
			       pairs[i][1], got);
			EXPECT_EQ(rounds[r].want, got);
			close(b);
			close(a);
		}
	}
}

/* A socket of @family with SO_REUSEADDR (@opts bit 0) and SO_REUSEPORT
 * (bit 1), bound to 127.0.0.1:@port and listening if @listening; returns
 * the errno of the step that failed (-1 for an option), fd in *fdp.
 */
static int bind_opts(int family, int opts, int port, int listening, int *fdp)
{
	struct sockaddr_in sin = addr4("127.0.0.1", port);
	int err;

	*fdp = tcp_socket(family, opts & 1);
	if (*fdp < 0 || ((opts & 2) && set_reuseport(*fdp, family)))
		return -1;
	err = bind_errno(*fdp, &sin);
	if (!err && listening && listen(*fdp, 8))
		err = errno;
	return err;
}

/* bind() against a holder of the port with any mix of SO_REUSEADDR and
 * SO_REUSEPORT, bound or listening, whichever stack each socket is of:
 * the native pair is the oracle for every combination (both sockets of
 * one user, so SO_REUSEPORT alone decides with the listener state).
 */
TEST(bind_against_reuse_options_like_native)
{
	static const int pairs[][2] = {
		{ AF_INET, AF_INET }, { AF_XTCP, AF_INET }, { AF_INET, AF_XTCP },
		{ AF_XTCP, AF_XTCP },
	};
	/* Case c: holder listening (bit 4), its options (bits 2-3), the
	 * binder's options (bits 0-1).
	 */
	int want[32], i, c, a, b, got;

	for (i = 0; i < (int)ARRAY_SIZE(pairs); i++) {
		for (c = 0; c < 32; c++) {
			ASSERT_EQ(0, bind_opts(pairs[i][0], (c >> 2) & 3, 20800,
					       c >> 4, &a));
			got = bind_opts(pairs[i][1], c & 3, 20800, 0, &b);
			close(b);
			close(a);
			if (!i)
				want[c] = got;
			if (got != want[c])
				TH_LOG("families %d then %d, case %d: errno %d, native %d",
				       pairs[i][0], pairs[i][1], c, got, want[c]);
			EXPECT_EQ(want[c], got);
		}
	}
	/* The matrix means something: some binds share, some do not. */
	EXPECT_EQ(0, want[1 << 2 | 1]);
	EXPECT_EQ(EADDRINUSE, want[0]);
	EXPECT_EQ(EADDRINUSE, want[16 | 1 << 2 | 1]);
	EXPECT_EQ(0, want[16 | 2 << 2 | 2]);
}

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

/* IP_LOCAL_PORT_RANGE narrows the ephemeral ports of one socket
 * (inet_sk_get_local_port_range()): a bind to port 0 takes one in it, in
 * either family.  Native TCP's port is checked against the same range,
 * so the case fails loudly should the kernel not have the option.
 */
TEST(ip_local_port_range_narrows_ephemeral_ports)
{
	static const int families[] = { AF_INET, AF_XTCP };
	const unsigned int lo = 45100, hi = 45103;
	unsigned int range = hi << 16 | lo;
	int f, i, fd[4];

	for (f = 0; f < 2; f++) {
		for (i = 0; i < 4; i++) {
			struct sockaddr_in sin = addr4("127.0.0.1", 0);
			socklen_t len = sizeof(sin);

			fd[i] = socket(families[f], SOCK_STREAM, 0);
			ASSERT_LE(0, fd[i]);
			ASSERT_EQ(0, setsockopt(fd[i], IPPROTO_IP,
						IP_LOCAL_PORT_RANGE, &range,
						sizeof(range)));
			ASSERT_EQ(0, bind_errno(fd[i], &sin));
			ASSERT_EQ(0, getsockname(fd[i], (struct sockaddr *)&sin,
						 &len));
			TH_LOG("family %d: port %u", families[f],
			       ntohs(sin.sin_port));
			EXPECT_LE(lo, ntohs(sin.sin_port));
			EXPECT_GE(hi, ntohs(sin.sin_port));
		}
		for (i = 0; i < 4; i++)
			close(fd[i]);
	}
}

/* A field of the PORT line of /proc/net/xtcp_sockstat: "inuse", the
 * reservations of the caller's namespace, or "alloc", all namespaces'.
 */
static long port_count(const char *field)
{
	FILE *f = fopen("/proc/net/xtcp_sockstat", "r");
	long inuse, alloc, n = -1;
	char line[256];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PORT: inuse %ld alloc %ld", &inuse, &alloc) == 2) {
			n = strcmp(field, "inuse") ? alloc : inuse;
			break;
		}
	fclose(f);
	return n;
}

/* Each bound xtcp socket holds one reservation, given back at close(),
 * counted in its namespace.  A namespace of its own: other tests'
 * TIME_WAIT entries, which hold reservations, expire meanwhile.
 */
TEST(port_reservations_counted)
{
	int fd[3], i;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	EXPECT_EQ(0, port_count("inuse"));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, bind_new(AF_XTCP, 0, "0.0.0.0", 20600 + i, &fd[i]));
	EXPECT_EQ(3, port_count("inuse"));
	EXPECT_LE(3, port_count("alloc"));
	for (i = 0; i < 3; i++)
		close(fd[i]);
	EXPECT_EQ(0, port_count("inuse"));
}

/* Ports below ip_unprivileged_port_start need CAP_NET_BIND_SERVICE. */
TEST(privileged_port_needs_capability)
{
	int fd;

	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	EXPECT_EQ(EACCES, bind_new(AF_INET, 0, "127.0.0.1", 80, &fd));
	close(fd);
	EXPECT_EQ(EACCES, bind_new(AF_XTCP, 0, "127.0.0.1", 80, &fd));
	close(fd);
	EXPECT_EQ(0, bind_new(AF_XTCP, 0, "127.0.0.1", 20400, &fd));
	close(fd);
}

XTCP_HARNESS_MAIN
