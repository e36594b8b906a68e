// SPDX-License-Identifier: GPL-2.0
/* proc_test: /proc/net/xtcp has the header and line format of
 * /proc/net/tcp and lists, as that file does, listeners, connections and
 * TIME_WAIT entries of its own namespace only, never a socket that is
 * only bound (CLOSE); its delayed-ACK columns read as native's.
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
#include <poll.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

struct proc_line {
	unsigned int laddr, lport, raddr, rport, state;
	unsigned int txq, rxq;	/* tx_queue and rx_queue */
	unsigned long inode;
	unsigned long ato;	/* clock ticks; 0 on lines without it */
	unsigned int quick_pp;	/* (quick << 1) | pingpong */
};

/* Find the line of @path whose inode is @ino; 1 if found. */
static int find_socket(const char *path, unsigned long ino,
		       struct proc_line *out)
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
		struct proc_line l = {};
		int n = sscanf(line,
			       " %*d: %X:%X %X:%X %X %X:%X %*X:%*X %*X %*u %*d %lu %*d %*s %*u %lu %u",
			       &l.laddr, &l.lport, &l.raddr, &l.rport, &l.state,
			       &l.txq, &l.rxq, &l.inode, &l.ato, &l.quick_pp);

		if (n >= 8 && l.inode == ino) {
			*out = l;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* One read of @path: how many lines carry each of the @n inodes @ino
 * (counts in @count); 0, or -1 if unreadable.
 */
static int count_sockets(const char *path, const unsigned long *ino,
			 int n, int *count)
{
	FILE *f = fopen(path, "r");
	unsigned long inode;
	char line[512];
	int i;

	if (!f)
		return -1;
	memset(count, 0, n * sizeof(*count));
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*d: %*X:%*X %*X:%*X %*X %*X:%*X %*X:%*X %*X %*u %*d %lu",
			   &inode) != 1)
			continue;
		for (i = 0; i < n; i++)
			count[i] += ino[i] == inode;
	}
	fclose(f);
	return 0;
}

static unsigned long socket_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static int bound_sock(int family, const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(family, SOCK_STREAM, 0);

	sin.sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int bound_xtcp(const char *ip, int port)
{
	return bound_sock(AF_XTCP, ip, port);
}

static int listening_xtcp(const char *ip, int port)
{
	int fd = bound_xtcp(ip, port);

	if (fd >= 0 && listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The header is byte for byte that of /proc/net/tcp. */
TEST(header_matches_proc_net_tcp)
{
	char a[256] = "", b[256] = "";
	FILE *fa = fopen("/proc/net/xtcp", "r");
	FILE *fb = fopen("/proc/net/tcp", "r");

	ASSERT_NE(NULL, fa);
	ASSERT_NE(NULL, fb);
	ASSERT_NE(NULL, fgets(a, sizeof(a), fa));
	ASSERT_NE(NULL, fgets(b, sizeof(b), fb));
	EXPECT_STREQ(b, a);
	fclose(fa);
	fclose(fb);
}

TEST(listener_listed_then_gone)
{
	struct proc_line l;
	unsigned long ino;
	int fd = listening_xtcp("127.0.0.1", 20501);

	ASSERT_LE(0, fd);
	ino = socket_inode(fd);
	ASSERT_NE(0, ino);
	ASSERT_EQ(1, find_socket("/proc/net/xtcp", ino, &l));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), l.laddr);	/* raw __be32, as tcp */
	EXPECT_EQ(20501, l.lport);
	EXPECT_EQ(0, l.raddr);
	EXPECT_EQ(0, l.rport);
	EXPECT_EQ(0x0A, l.state);	/* TCP_LISTEN */
	/* Not a native socket, so native TCP does not list it. */
	EXPECT_EQ(0, find_socket("/proc/net/tcp", ino, &l));
	close(fd);
	EXPECT_EQ(0, find_socket("/proc/net/xtcp", ino, &l));
}

/* A socket that is only bound is in neither file (Linux lists what is
 * in its listening and established tables, and TIME_WAIT entries).
 */
TEST(bound_socket_not_listed)
{
	int x = bound_xtcp("127.0.0.1", 20503);
	int n = bound_sock(AF_INET, "127.0.0.1", 20504);
	struct proc_line l;

	ASSERT_LE(0, x);
	ASSERT_LE(0, n);
	EXPECT_EQ(0, find_socket("/proc/net/tcp", socket_inode(n), &l));
	EXPECT_EQ(0, find_socket("/proc/net/xtcp", socket_inode(x), &l));
	close(x);
	close(n);
}

TEST(unbound_socket_not_listed)
{
	struct proc_line l;
	int fd = socket(AF_XTCP, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, find_socket("/proc/net/xtcp", socket_inode(fd), &l));
	close(fd);
}

/* Many sockets: every one is listed exactly once by one read (the
 * reader crosses pages).  One read, not one per socket: 300 reads of 300
 * lines outlasted the harness's 30 s on the debug kernel.
 */
TEST(many_sockets_all_listed)
{
	enum { N = 300 };
	int fds[N], count[N], i, once = 0;
	unsigned long ino[N];

	for (i = 0; i < N; i++) {
		fds[i] = listening_xtcp("127.0.0.1", 21000 + i);
		ASSERT_LE(0, fds[i]);
		ino[i] = socket_inode(fds[i]);
	}
	ASSERT_EQ(0, count_sockets("/proc/net/xtcp", ino, N, count));
	for (i = 0; i < N; i++)
		once += count[i] == 1;
	EXPECT_EQ(N, once);
	for (i = 0; i < N; i++)
		close(fds[i]);
}

/* Another namespace's /proc/net/xtcp does not show this one's sockets. */
TEST(listing_is_per_namespace)
{
	struct proc_line l;
	unsigned long ino;
	int fd = listening_xtcp("0.0.0.0", 20502);

	ASSERT_LE(0, fd);
	ino = socket_inode(fd);
	ASSERT_EQ(1, find_socket("/proc/self/net/xtcp", ino, &l));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	EXPECT_EQ(0, find_socket("/proc/self/net/xtcp", ino, &l));
	close(fd);
}

/* The delayed-ACK columns, "ato" (clock ticks) and quick/pingpong
 * ((icsk_ack.quick << 1) | pingpong), as get_tcp4_sock() prints them.  The
 * same exchange runs over loopback for native TCP (the oracle) and for
 * xtcp: the client sends one byte, the server reads it and answers one
 * byte at once (which makes the server interactive,
 * tcp_event_data_sent()), the client reads it.  Both ends' columns must be
 * native's.  Timing: the answer leaves within microseconds of the read,
 * far below the 40 ms ato; the 200 ms pause only lets the ACKs arrive and
 * stays below the RTO, so no timer changes the state meanwhile.
 */
/* A client connected to a listener over loopback on @port, both of
 * @family, and the accepted socket: the three descriptors (-1 where not
 * made) in @k.  0 when all three are there.
 */
struct lo_conn {
	int l, c, s;
};

static int lo_conn_open(int family, int port, struct lo_conn *k)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	k->l = socket(family, SOCK_STREAM, 0);
	k->c = socket(family, SOCK_STREAM, 0);
	k->s = -1;
	if (k->l < 0 || k->c < 0 ||
	    bind(k->l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(k->l, 4) ||
	    connect(k->c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	k->s = accept(k->l, NULL, NULL);
	return k->s < 0 ? -1 : 0;
}

static void lo_conn_close(struct lo_conn *k)
{
	if (k->s >= 0)
		close(k->s);
	if (k->c >= 0)
		close(k->c);
	if (k->l >= 0)
		close(k->l);
}

/* The exchange for @family on @port; the columns of the server's and the
 * client's socket in @srv and @cli, and in @ms the time from before the
 * client's write to after the server's reply (an upper bound of the time
 * the server's stack saw between the byte's arrival and the reply).  0 on
 * success.
 */
static int exchange(int family, int port, struct proc_line *srv,
		    struct proc_line *cli, double *ms)
{
	const char *path = family == AF_INET ? "/proc/net/tcp" :
					       "/proc/net/xtcp";
	struct lo_conn k;
	int ret = -1;
	char b = 'x';

	if (lo_conn_open(family, port, &k))
		goto out;
	*ms = now_ms();
	if (write(k.c, &b, 1) != 1 || read(k.s, &b, 1) != 1 ||
	    write(k.s, &b, 1) != 1)
		goto out;
	*ms = now_ms() - *ms;
	if (read(k.c, &b, 1) != 1)
		goto out;
	usleep(200000);
	if (find_socket(path, socket_inode(k.s), srv) == 1 &&
	    find_socket(path, socket_inode(k.c), cli) == 1)
		ret = 0;
out:
	lo_conn_close(&k);
	return ret;
}

/* The server answers the byte at once: within ato (40 ms) of its arrival
 * a reply puts the server in pingpong (interactive) mode
 * (tcp_event_data_sent()).  Whether it was within ato is timing: when
 * either stack's exchange took 36 ms or more (ato less a 4 ms jiffy, the
 * debug kernel under TCG with the host busy takes that long), the pair
 * does not decide the server's pingpong bit: up to five pairs are made,
 * and when none is quick the bit is a SKIP that says so.  Quick-ACK
 * counts, ato and the client's bit (never interactive: it got no data
 * before it sent) are always compared.
 */
TEST(ato_and_quick_pingpong_as_tcp)
{
	struct proc_line ns, nc, xs, xc;
	double nms, xms;
	bool quick = false;
	int i;

	alarm(60);
	/* Up to five exchanges each until one of each stack is quick
	 * enough to decide the pingpong bit; the last pair is compared.
	 */
	for (i = 0; i < 5 && !quick; i++) {
		ASSERT_EQ(0, exchange(AF_INET, 20621 + 2 * i, &ns, &nc, &nms));
		ASSERT_EQ(0, exchange(AF_XTCP, 20622 + 2 * i, &xs, &xc, &xms));
		quick = nms < 36 && xms < 36;
	}
	TH_LOG("native server ato %lu qp %u, client ato %lu qp %u (%.1f ms)",
	       ns.ato, ns.quick_pp, nc.ato, nc.quick_pp, nms);
	TH_LOG("xtcp server ato %lu qp %u, client ato %lu qp %u (%.1f ms)",
	       xs.ato, xs.quick_pp, xc.ato, xc.quick_pp, xms);
	/* Sanity: native shows data was received (ato set). */
	EXPECT_NE(0, ns.ato);
	EXPECT_EQ(ns.ato, xs.ato);
	EXPECT_EQ(nc.ato, xc.ato);
	EXPECT_EQ(ns.quick_pp >> 1, xs.quick_pp >> 1);
	EXPECT_EQ(nc.quick_pp, xc.quick_pp);
	if (quick) {
		/* Sanity: a reply that quick is interactive on native. */
		EXPECT_EQ(1, ns.quick_pp & 1);
		EXPECT_EQ(ns.quick_pp & 1, xs.quick_pp & 1);
	} else if (_metadata->passed) {
		/* SKIP counts as a pass: only when nothing above failed. */
		SKIP(return, "%s: %.1f ms native, %.1f ms xtcp",
		     "no quick pair in five: pingpong not compared",
		     nms, xms);
	}
}

/* What the client's queues read around the peer's FIN, for @family on
 * @port: the server writes 1000 bytes and shuts down its side; once the
 * FIN is in, [0] rx_queue and [1] SIOCINQ, [2] and [3] after a
 * MSG_PEEK of all of it (bytes peeked in [4]), [8] and [9] after the
 * client read 999 bytes (one data byte and the FIN still ahead), then
 * [5] and [6] after it read up to EOF (recv() 0; bytes read in [7]).
 * -1 where a call failed.
 */
#define N_EOF 10

static int eof_queues(int family, int port, int out[N_EOF])
{
	const char *path = family == AF_INET ? "/proc/net/tcp" :
					       "/proc/net/xtcp";
	int ret = -1, i, n, got = 0;
	char buf[4096] = { 0 };
	struct proc_line pl;
	struct pollfd pfd;
	struct lo_conn k;

	for (i = 0; i < N_EOF; i++)
		out[i] = -1;
	if (lo_conn_open(family, port, &k) ||
	    write(k.s, buf, 1000) != 1000 || shutdown(k.s, SHUT_WR))
		goto out;
	pfd.fd = k.c;
	pfd.events = POLLRDHUP;
	if (poll(&pfd, 1, 5000) != 1)
		goto out;
	if (find_socket(path, socket_inode(k.c), &pl) == 1)
		out[0] = pl.rxq;
	if (ioctl(k.c, SIOCINQ, &n) == 0)
		out[1] = n;
	out[4] = recv(k.c, buf, sizeof(buf), MSG_PEEK);
	if (find_socket(path, socket_inode(k.c), &pl) == 1)
		out[2] = pl.rxq;
	if (ioctl(k.c, SIOCINQ, &n) == 0)
		out[3] = n;
	got = recv(k.c, buf, 999, MSG_WAITALL);
	if (find_socket(path, socket_inode(k.c), &pl) == 1)
		out[8] = pl.rxq;
	if (ioctl(k.c, SIOCINQ, &n) == 0)
		out[9] = n;
	if (got != 999)
		goto out;
	while ((n = read(k.c, buf, sizeof(buf))) > 0)
		got += n;
	if (n == 0)
		out[7] = got;
	if (find_socket(path, socket_inode(k.c), &pl) == 1)
		out[5] = pl.rxq;
	if (ioctl(k.c, SIOCINQ, &n) == 0)
		out[6] = n;
	ret = 0;
out:
	lo_conn_close(&k);
	return ret;
}

/* rx_queue counts the peer's FIN (rcv_nxt - copied_seq) until the reader
 * reaches it: a reader that got EOF has stepped over it
 * (tcp_recvmsg_locked()), a MSG_PEEK has not; SIOCINQ never counts it.
 * xtcp read 1 after EOF before 2026-12-03.
 */
TEST(queues_around_fin_as_tcp)
{
	static const char * const what[] = {
		"rx_queue with the FIN in", "SIOCINQ with the FIN in",
		"rx_queue after MSG_PEEK", "SIOCINQ after MSG_PEEK",
		"bytes peeked", "rx_queue after EOF", "SIOCINQ after EOF",
		"bytes read", "rx_queue after 999 bytes",
		"SIOCINQ after 999 bytes",
	};
	int n[N_EOF], x[N_EOF], i;

	alarm(20);
	ASSERT_EQ(0, eof_queues(AF_INET, 20613, n));
	ASSERT_EQ(0, eof_queues(AF_XTCP, 20614, x));
	for (i = 0; i < N_EOF; i++) {
		TH_LOG("%s: native %d, xtcp %d", what[i], n[i], x[i]);
		EXPECT_EQ(n[i], x[i]);
	}
	/* Sanity: the FIN counts in native's rx_queue until EOF is read,
	 * and the byte before it is still there after 999.
	 */
	EXPECT_EQ(1001, n[0]);
	EXPECT_EQ(1000, n[1]);
	EXPECT_EQ(2, n[8]);
	EXPECT_EQ(1, n[9]);
	EXPECT_EQ(0, n[5]);
	EXPECT_EQ(1000, n[7]);
}

XTCP_HARNESS_MAIN
