// SPDX-License-Identifier: GPL-2.0
/* socket_test: the AF_XTCP family is registered under the number the uapi
 * header names, socket() accepts what AF_INET accepts for TCP and rejects
 * the rest with AF_INET's errno values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

/* errno of socket(family, type, proto), or 0 on success. */
static int socket_errno(int family, int type, int proto)
{
	int fd = socket(family, type, proto);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

TEST(family_matches_header)
{
	FILE *f = fopen(XTCP_FAMILY_PARAM, "r");
	int family = -1;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &family));
	fclose(f);
	EXPECT_EQ(AF_XTCP, family);
	EXPECT_EQ(12, AF_XTCP);
}

TEST(stream_socket_created)
{
	EXPECT_EQ(0, socket_errno(AF_XTCP, SOCK_STREAM, 0));
	EXPECT_EQ(0, socket_errno(AF_XTCP, SOCK_STREAM, IPPROTO_TCP));
}

TEST(socket_reports_type_domain_protocol)
{
	int fd = socket(AF_XTCP, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(SOCK_STREAM, getsockopt_int(fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(AF_XTCP, getsockopt_int(fd, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(IPPROTO_TCP, getsockopt_int(fd, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(0, getsockopt_int(fd, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, getsockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN));
	close(fd);
}

TEST(nonblock_and_cloexec_flags)
{
	int fd = socket(AF_XTCP, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* Types and protocols AF_INET refuses for TCP: same errno from AF_XTCP.
 * (No SCTP or DCCP here: AF_INET would autoload their modules.)
 */
TEST(bad_type_or_protocol_errno_like_af_inet)
{
	static const struct { int type, proto, err; } cases[] = {
		{ SOCK_STREAM, IPPROTO_UDP, EPROTONOSUPPORT },
		{ SOCK_STREAM, -1, EINVAL },
		{ SOCK_STREAM, 300, EINVAL },
		{ SOCK_SEQPACKET, 0, ESOCKTNOSUPPORT },
		{ SOCK_RDM, 0, ESOCKTNOSUPPORT },
		{ 99, 0, EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int inet = socket_errno(AF_INET, cases[i].type, cases[i].proto);
		int xtcp = socket_errno(AF_XTCP, cases[i].type, cases[i].proto);

		TH_LOG("type %d proto %d: inet %d xtcp %d", cases[i].type,
		       cases[i].proto, inet, xtcp);
		EXPECT_EQ(cases[i].err, inet);
		EXPECT_EQ(cases[i].err, xtcp);
	}
}

/* Datagram and raw are other protocols in AF_INET; xtcp is TCP only. */
TEST(non_stream_types_unsupported)
{
	EXPECT_EQ(ESOCKTNOSUPPORT, socket_errno(AF_XTCP, SOCK_DGRAM, 0));
	EXPECT_EQ(ESOCKTNOSUPPORT, socket_errno(AF_XTCP, SOCK_DGRAM, IPPROTO_UDP));
	EXPECT_EQ(ESOCKTNOSUPPORT, socket_errno(AF_XTCP, SOCK_RAW, IPPROTO_TCP));
}

TEST(unknown_tcp_option_is_enoprotoopt)
{
	int fd = socket(AF_XTCP, SOCK_STREAM, 0), val = 1;
	socklen_t len = sizeof(val);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, 9999, &val, sizeof(val)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(fd, IPPROTO_TCP, 9999, &val, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

/* SOL_IP options go to the IPv4 layer, as on a TCP socket. */
TEST(ip_level_options_work)
{
	int fd = socket(AF_XTCP, SOCK_STREAM, 0), tos = 0x10;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)));
	EXPECT_EQ(0x10, getsockopt_int(fd, IPPROTO_IP, IP_TOS));
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_IP, 9999, &tos, sizeof(tos)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

TEST(unconnected_getpeername_enotconn)
{
	int fd = socket(AF_XTCP, SOCK_STREAM, 0);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, getpeername(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(ENOTCONN, errno);
	/* An unbound socket reports 0.0.0.0:0, as an AF_INET one does. */
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(0, sin.sin_port);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	close(fd);
}

/* Many sockets opened and closed leave nothing behind (checked again by
 * rmmod at the end of the run).
 */
TEST(many_sockets_open_close)
{
	int fds[256], i;

	for (i = 0; i < 256; i++) {
		fds[i] = socket(AF_XTCP, SOCK_STREAM, 0);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 256; i++)
		close(fds[i]);
}

XTCP_HARNESS_MAIN
