// SPDX-License-Identifier: GPL-2.0
/* sockfilter_test: a socket filter (SO_ATTACH_FILTER) on an xtcp socket
 * drops the segments it rejects before TCP sees them, as it does on a
 * native one (tcp_filter() in tcp_v4_rcv()), each case run on AF_INET
 * and AF_XTCP with the same expectations:
 *
 * - on an established socket, a filter that rejects everything: data
 *   sent to it is not readable 400 ms later and counts in the socket's
 *   drops (SO_MEMINFO); once the filter is detached, the sender's
 *   retransmission brings it (within 5 s times XTCP_SLOW: the RTO is
 *   200 ms or more).
 * - on a listener, the same filter: a client's connect() has not
 *   completed 400 ms later (its SYN was dropped; the retransmission is
 *   due at 1 s); detached, it completes within 5 s.
 * - the same on a listener whose earlier connection left TIME_WAIT on
 *   the server's side: a new client from the same port sends the SYN
 *   that TIME_WAIT passes to the listener, and the filter drops it.
 * - on a listener, a filter that passes SYNs only: the handshake's last
 *   ACK is dropped (it is filtered on the listener, the SYN queue entry
 *   has no filter of its own), so accept() has nothing 400 ms later;
 *   detached, the retransmitted SYN-ACK is answered and accept() gets
 *   the connection within 5 s.
 *
 * - an accepted socket shares its listener's filter, locked
 *   (SO_LOCK_FILTER) as the listener's was: SO_GET_FILTER gives its
 *   length, it drops the data it rejects, SO_DETACH_FILTER is EPERM.
 * - a filter that trims every segment to 60 bytes: the receiver reads
 *   less than all at first, then all 100 bytes, intact (the sender
 *   retransmits what was cut; the segment's end is taken after the cut).
 *
 * The filter sees the segment from its TCP header on, as Linux's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/harness.h"
#include "lib/util.h"

/* Every segment rejected. */
static struct sock_filter drop_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 0),
};

/* Segments with SYN set pass, others are rejected: byte 13 of the TCP
 * header holds the flags.
 */
static struct sock_filter syn_only[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x02, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static int attach(int fd, struct sock_filter *f, unsigned short len)
{
	struct sock_fprog prog = { .len = len, .filter = f };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static int detach(int fd)
{
	int zero = 0;

	return setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero));
}

/* A non-blocking connect() to @sin: the socket, -1 on a failure. */
static int connect_nb(int family, const struct sockaddr_in *sin)
{
	int c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (c < 0)
		return -1;
	if (connect(c, (const struct sockaddr *)sin, sizeof(*sin)) &&
	    errno != EINPROGRESS) {
		close(c);
		return -1;
	}
	return c;
}

/* poll() of one descriptor: 1 when @events came within @ms, else 0. */
static int ready(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1 && (p.revents & events);
}

enum { E_ERRNO, E_DROPS, E_BYTES, N_EST };

/* The established case: out[E_ERRNO] the errno of a read 400 ms after the
 * send (0 if it read something), out[E_DROPS] whether SO_MEMINFO counted
 * drops, out[E_BYTES] what a read gets after the filter is gone.
 */
static int established_obs(int family, int out[N_EST])
{
	__u32 mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t mlen = sizeof(mem);
	struct sockaddr_in sin;
	char buf[100] = { 0 };
	int l, c, a;
	ssize_t n;

	l = lo_listener(family, &sin, 8);
	if (l < 0)
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	close(l);
	if (a < 0 || attach(a, drop_all, ARRAY_SIZE(drop_all)) ||
	    send(c, buf, sizeof(buf), 0) != sizeof(buf))
		return -1;
	usleep(400 * 1000);
	n = recv(a, buf, sizeof(buf), MSG_DONTWAIT);
	out[E_ERRNO] = n < 0 ? errno : 0;
	if (getsockopt(a, SOL_SOCKET, SO_MEMINFO, mem, &mlen))
		return -1;
	out[E_DROPS] = mem[SK_MEMINFO_DROPS] > 0;
	if (detach(a))
		return -1;
	out[E_BYTES] = ready(a, POLLIN, 5000 * (int)xtcp_slow()) ?
		(int)recv(a, buf, sizeof(buf), MSG_DONTWAIT) : -1;
	close(a);
	close(c);
	return 0;
}

TEST(established_filter_drops_as_native)
{
	int n[N_EST], x[N_EST], i;

	ASSERT_EQ(0, established_obs(AF_INET, n));
	ASSERT_EQ(0, established_obs(AF_XTCP, x));
	TH_LOG("native: errno %d drops %d bytes %d; xtcp: errno %d drops %d bytes %d",
	       n[0], n[1], n[2], x[0], x[1], x[2]);
	for (i = 0; i < N_EST; i++)
		EXPECT_EQ(n[i], x[i]) TH_LOG("value %d", i);
	/* Sanity: native dropped, then delivered everything. */
	EXPECT_EQ(EAGAIN, n[E_ERRNO]);
	EXPECT_EQ(1, n[E_DROPS]);
	EXPECT_EQ(100, n[E_BYTES]);
}

/* Once client @c has sent its SYN to listener @l (non-blocking, its
 * filter attached): out[0] whether connect() completed within 400 ms,
 * out[1] whether accept() had a connection then; with the filter
 * detached, out[2] whether both completed within 5 s (scaled).  Closes
 * @c and @l; -1 on a failure.
 */
static int after_connect(int l, int c, int out[3])
{
	int a;

	usleep(400 * 1000);
	out[0] = ready(c, POLLOUT, 0);
	a = accept(l, NULL, NULL);
	out[1] = a >= 0;
	if ((a < 0 && errno != EAGAIN) || detach(l))
		return -1;
	if (a < 0 && ready(l, POLLIN, 5000 * (int)xtcp_slow()))
		a = accept(l, NULL, NULL);
	out[2] = ready(c, POLLOUT, 5000 * (int)xtcp_slow()) && a >= 0;
	if (a >= 0)
		close(a);
	close(c);
	close(l);
	return 0;
}

/* The listener cases' verdict: xtcp's three values are native's, and
 * native's are what the case says (@connected: whether the client's
 * connect() completes while the filter is on).
 */
static void expect_listener_obs(struct __test_metadata *_metadata,
				const int n[3], const int x[3], int connected)
{
	int i;

	TH_LOG("native: connected %d accepted %d later %d; xtcp: %d %d %d",
	       n[0], n[1], n[2], x[0], x[1], x[2]);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(n[i], x[i]) TH_LOG("value %d", i);
	EXPECT_EQ(connected, n[0]);
	EXPECT_EQ(0, n[1]);
	EXPECT_EQ(1, n[2]);
}

/* The listener cases with filter @f: out[0] whether the client's connect()
 * completed (POLLOUT) within 400 ms, out[1] whether accept() had a
 * connection then; after the filter is gone, out[2] whether both have
 * completed within 5 s.
 */
static int listener_obs(int family, struct sock_filter *f, unsigned short len,
			int out[3])
{
	struct sockaddr_in sin;
	int l, c;

	l = lo_listener(family, &sin, 8);
	if (l < 0 || attach(l, f, len) ||
	    fcntl(l, F_SETFL, O_NONBLOCK))
		return -1;
	c = connect_nb(family, &sin);
	if (c < 0)
		return -1;
	return after_connect(l, c, out);
}

TEST(listener_filter_drops_syn_as_native)
{
	int n[3], x[3];

	ASSERT_EQ(0, listener_obs(AF_INET, drop_all, ARRAY_SIZE(drop_all), n));
	ASSERT_EQ(0, listener_obs(AF_XTCP, drop_all, ARRAY_SIZE(drop_all), x));
	expect_listener_obs(_metadata, n, x, 0);
}

TEST(listener_filter_drops_final_ack_as_native)
{
	int n[3], x[3];

	ASSERT_EQ(0, listener_obs(AF_INET, syn_only, ARRAY_SIZE(syn_only), n));
	ASSERT_EQ(0, listener_obs(AF_XTCP, syn_only, ARRAY_SIZE(syn_only), x));
	/* The client is established (its SYN-ACK passed), the server not. */
	expect_listener_obs(_metadata, n, x, 1);
}

/* A SYN that ends a TIME_WAIT goes to the listener through its filter:
 * a connection closed by the server first leaves TIME_WAIT on the
 * server's side; the listener then gets a drop-all filter, and a new
 * client from the same port sends a SYN that the TIME_WAIT entry passes
 * on (tcp_timewait_state_process()'s TCP_TW_SYN).  out[] as
 * listener_obs().
 */
static int timewait_obs(int family, int out[3])
{
	struct sockaddr_in sin, cin;
	socklen_t alen = sizeof(cin);
	int l, c, a, one = 1;
	char b;

	l = lo_listener(family, &sin, 8);
	if (l < 0)
		return -1;
	memset(&cin, 0, sizeof(cin));
	cin.sin_family = AF_INET;
	cin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(c, (struct sockaddr *)&cin, sizeof(cin)) ||
	    getsockname(c, (struct sockaddr *)&cin, &alen) ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	a = accept(l, NULL, NULL);
	if (a < 0)
		return -1;
	/* The server closes first; the client reads its FIN, then closes. */
	close(a);
	if (recv(c, &b, 1, 0) != 0)
		return -1;
	close(c);
	usleep(100 * 1000);
	if (attach(l, drop_all, ARRAY_SIZE(drop_all)) ||
	    fcntl(l, F_SETFL, O_NONBLOCK))
		return -1;
	c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(c, (struct sockaddr *)&cin, sizeof(cin)) ||
	    (connect(c, (struct sockaddr *)&sin, sizeof(sin)) &&
	     errno != EINPROGRESS))
		return -1;
	return after_connect(l, c, out);
}

TEST(timewait_syn_filtered_by_listener_as_native)
{
	int n[3], x[3];

	ASSERT_EQ(0, timewait_obs(AF_INET, n));
	ASSERT_EQ(0, timewait_obs(AF_XTCP, x));
	expect_listener_obs(_metadata, n, x, 0);
}

/* Segments of at most 60 bytes from the TCP header on pass (the
 * handshake's), longer ones are rejected (data).
 */
static struct sock_filter small_only[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 60, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

enum { I_LEN, I_LOCKED, I_ERRNO, I_DROPS, I_DETACH, N_INH };

/* What an accepted socket takes from a listener with small_only attached
 * and SO_LOCK_FILTER set: out[I_LEN] its filter's length (SO_GET_FILTER
 * with no room: the instructions), out[I_LOCKED] SO_LOCK_FILTER; the
 * filter at work: out[I_ERRNO] the errno of a read 400 ms after 100
 * bytes were sent (0 if it read something), out[I_DROPS] whether drops
 * were counted; out[I_DETACH] the errno of SO_DETACH_FILTER on it (0 if
 * it succeeded).
 */
static int inherit_obs(int family, int out[N_INH])
{
	__u32 mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = 0, vlen = sizeof(int), mlen = sizeof(mem);
	struct sockaddr_in sin;
	char buf[100] = { 0 };
	int l, c, a, one = 1;
	ssize_t n;

	l = lo_listener(family, &sin, 8);
	if (l < 0 || attach(l, small_only, ARRAY_SIZE(small_only)) ||
	    setsockopt(l, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)))
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	close(l);
	if (a < 0 || getsockopt(a, SOL_SOCKET, SO_GET_FILTER, NULL, &len) ||
	    getsockopt(a, SOL_SOCKET, SO_LOCK_FILTER, &out[I_LOCKED], &vlen) ||
	    send(c, buf, sizeof(buf), 0) != sizeof(buf))
		return -1;
	out[I_LEN] = len;
	usleep(400 * 1000);
	n = recv(a, buf, sizeof(buf), MSG_DONTWAIT);
	out[I_ERRNO] = n < 0 ? errno : 0;
	if (getsockopt(a, SOL_SOCKET, SO_MEMINFO, mem, &mlen))
		return -1;
	out[I_DROPS] = mem[SK_MEMINFO_DROPS] > 0;
	out[I_DETACH] = detach(a) ? errno : 0;
	close(a);
	close(c);
	return 0;
}

/* An accepted socket shares its listener's filter, locked as the
 * listener's was (sk_clone_lock() copies the pointer and the flags), and
 * the filter works there.
 */
TEST(accepted_socket_inherits_filter_as_native)
{
	int n[N_INH], x[N_INH], i;

	ASSERT_EQ(0, inherit_obs(AF_INET, n));
	ASSERT_EQ(0, inherit_obs(AF_XTCP, x));
	TH_LOG("native: len %d locked %d errno %d drops %d detach %d; xtcp: %d %d %d %d %d",
	       n[0], n[1], n[2], n[3], n[4], x[0], x[1], x[2], x[3], x[4]);
	for (i = 0; i < N_INH; i++)
		EXPECT_EQ(n[i], x[i]) TH_LOG("value %d", i);
	EXPECT_EQ(4, n[I_LEN]);
	EXPECT_EQ(1, n[I_LOCKED]);
	EXPECT_EQ(EAGAIN, n[I_ERRNO]);
	EXPECT_EQ(1, n[I_DROPS]);
	EXPECT_EQ(EPERM, n[I_DETACH]);
}

/* Every segment cut to its first 60 bytes (a filter returns how much to
 * keep; the kernel never cuts into the TCP header).
 */
static struct sock_filter first_60[] = {
	BPF_STMT(BPF_RET | BPF_K, 60),
};

/* A trimming filter on an established socket: 100 bytes of a pattern
 * sent at once come in pieces (each first transmission and
 * retransmission keeps only 60 bytes from its TCP header on), all of
 * them, in order.  out[0] the length of the first read, as soon as the
 * socket is readable; out[1] the bytes read until 100 or 5 s (scaled);
 * out[2] whether they are the pattern.
 */
static int trim_obs(int family, int out[3])
{
	unsigned char buf[100], got[100];
	struct sockaddr_in sin;
	int l, c, a, i, total = 0;
	ssize_t n;

	for (i = 0; i < 100; i++)
		buf[i] = i + 1;
	l = lo_listener(family, &sin, 8);
	if (l < 0)
		return -1;
	a = lo_connect_accept(family, l, &sin, &c);
	close(l);
	if (a < 0 || attach(a, first_60, ARRAY_SIZE(first_60)) ||
	    send(c, buf, sizeof(buf), 0) != sizeof(buf))
		return -1;
	out[0] = -1;
	while (total < 100 && ready(a, POLLIN, 5000 * (int)xtcp_slow())) {
		n = recv(a, got + total, sizeof(got) - total, MSG_DONTWAIT);
		if (n <= 0)
			break;
		if (out[0] < 0)
			out[0] = n;
		total += n;
	}
	out[1] = total;
	out[2] = total == 100 && !memcmp(buf, got, sizeof(got));
	close(a);
	close(c);
	return 0;
}

/* What a filter trims is lost to the receiver only until the sender
 * sends it again: the stream stays whole, as native's (a cut segment
 * with a FIN would end the stream at the cut, in both; none here).
 */
TEST(trimming_filter_keeps_stream_as_native)
{
	int n[3], x[3];

	ASSERT_EQ(0, trim_obs(AF_INET, n));
	ASSERT_EQ(0, trim_obs(AF_XTCP, x));
	TH_LOG("native: first read %d total %d intact %d; xtcp: %d %d %d",
	       n[0], n[1], n[2], x[0], x[1], x[2]);
	/* Cut: the first read has less than all (how much depends on
	 * when the reader runs against the retransmission timer).
	 */
	EXPECT_LT(0, n[0]);
	EXPECT_GT(100, n[0]);
	EXPECT_LT(0, x[0]);
	EXPECT_GT(100, x[0]);
	EXPECT_EQ(100, n[1]);
	EXPECT_EQ(1, n[2]);
	EXPECT_EQ(100, x[1]);
	EXPECT_EQ(1, x[2]);
}

XTCP_HARNESS_MAIN
