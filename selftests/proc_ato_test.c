// SPDX-License-Identifier: GPL-2.0
/* proc_ato_test: the delayed-ACK columns of /proc/net/xtcp, "ato" (in
 * clock ticks) and quick/pingpong ((icsk_ack.quick << 1) | pingpong),
 * as get_tcp4_sock() prints them in /proc/net/tcp.  The same exchange
 * runs over loopback for native TCP (the oracle) and for xtcp: the client
 * sends one byte, the server reads it and answers one byte at once (which
 * makes the server interactive, tcp_event_data_sent()), the client reads
 * it.  Both ends' columns must be native's.  Timing: the answer leaves
 * within microseconds of the read, far below the 40 ms ato; the 200 ms
 * pauses only let the ACKs arrive, and stay below the RTO, so no
 * delayed-ACK or retransmission timer changes the state meanwhile.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/xtcp.h>

#include "kselftest_harness.h"

struct ack_cols {
	unsigned long ato;
	unsigned int quick_pp;
};

/* The columns of the line of @path whose inode is @ino; 1 if found. */
static int ack_cols_of(const char *path, unsigned long ino,
		       struct ack_cols *out)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int found = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long inode, ato;
		unsigned int qp;
		int n = sscanf(line,
			       " %*d: %*X:%*X %*X:%*X %*X %*X:%*X %*X:%*X %*X %*u %*d %lu %*d %*s %*u %lu %u",
			       &inode, &ato, &qp);

		if (n == 3 && inode == ino) {
			out->ato = ato;
			out->quick_pp = qp;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* The exchange for @family on @port; the columns of the server's and the
 * client's socket in @srv and @cli.  0 on success.
 */
static int exchange(int family, int port, struct ack_cols *srv,
		    struct ack_cols *cli)
{
	const char *path = family == AF_INET ? "/proc/net/tcp" :
					       "/proc/net/xtcp";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int l = socket(family, SOCK_STREAM, 0);
	int c = socket(family, SOCK_STREAM, 0);
	int s = -1, ret = -1;
	char b = 'x';

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || c < 0 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 4) ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		goto out;
	s = accept(l, NULL, NULL);
	if (s < 0 || write(c, &b, 1) != 1 || read(s, &b, 1) != 1 ||
	    write(s, &b, 1) != 1 || read(c, &b, 1) != 1)
		goto out;
	usleep(200000);
	if (ack_cols_of(path, inode_of(s), srv) == 1 &&
	    ack_cols_of(path, inode_of(c), cli) == 1)
		ret = 0;
out:
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return ret;
}

TEST(ato_and_quick_pingpong_as_tcp)
{
	struct ack_cols ns, nc, xs, xc;

	alarm(20);
	ASSERT_EQ(0, exchange(AF_INET, 20611, &ns, &nc));
	ASSERT_EQ(0, exchange(AF_XTCP, 20612, &xs, &xc));
	TH_LOG("native server ato %lu qp %u, client ato %lu qp %u",
	       ns.ato, ns.quick_pp, nc.ato, nc.quick_pp);
	TH_LOG("xtcp server ato %lu qp %u, client ato %lu qp %u",
	       xs.ato, xs.quick_pp, xc.ato, xc.quick_pp);
	/* Sanity: native shows data was received (ato set). */
	EXPECT_NE(0, ns.ato);
	EXPECT_EQ(ns.ato, xs.ato);
	EXPECT_EQ(ns.quick_pp, xs.quick_pp);
	EXPECT_EQ(nc.ato, xc.ato);
	EXPECT_EQ(nc.quick_pp, xc.quick_pp);
}

TEST_HARNESS_MAIN
