// SPDX-License-Identifier: GPL-2.0
/* urgent_test: urgent data (send(MSG_OOB), recv(MSG_OOB), SO_OOBINLINE,
 * SIOCATMARK, POLLPRI, SIGURG) over loopback, for every pairing of
 * sender and receiver family: native to native (the reference, in the
 * same kernel), xtcp to native, native to xtcp and xtcp to xtcp, each
 * with the observations of native to native.
 *
 * The sender writes "ab", then "c" with MSG_OOB, then "de"; 200 ms later
 * (loopback delivers in well under that, even under TCG) the receiver
 * records: poll()'s revents for POLLIN|POLLPRI, SIOCATMARK, a read of up
 * to 16 bytes (it stops at the mark), SIOCATMARK again, recv(MSG_OOB)
 * twice (the byte, then EINVAL), the rest, SIOCATMARK at the end, and how
 * many SIGURGs its F_SETOWN process got.  With SO_OOBINLINE the urgent
 * byte is read in the stream and recv(MSG_OOB) is EINVAL.  Then the
 * simple errors: recv(MSG_OOB) with no urgent data, on a listener.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "lib/harness.h"
#include "lib/util.h"

#define N_OBS 16

static sig_atomic_t sigurgs;

static void on_sigurg(int sig)
{
	(void)sig;
	sigurgs++;
}

/* A connection over 127.0.0.1 from a @sfam socket to a @rfam listener:
 * the accepted end in *@r, the client in *@s; 0, or -1.
 */
static int pair(int sfam, int rfam, int *s, int *r)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t alen = sizeof(sin);
	int l;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(rfam, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(l, (struct sockaddr *)&sin, &alen) || listen(l, 1))
		return -1;
	*s = socket(sfam, SOCK_STREAM, 0);
	if (*s < 0 || connect(*s, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	*r = accept(l, NULL, NULL);
	close(l);
	return *r < 0 ? -1 : 0;
}

static int at_mark(int fd)
{
	int v = -1;

	return ioctl(fd, SIOCATMARK, &v) ? -errno : v;
}

/* recv() of up to 16 bytes with @flags, non-blocking: the bytes as a
 * number (up to four, one per byte), or -errno.
 */
static int rd(int fd, int flags)
{
	unsigned char b[16];
	int n, v = 0, i;

	n = recv(fd, b, sizeof(b), flags | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (i = 0; i < n && i < 4; i++)
		v = v << 8 | b[i];
	return n > 4 ? -1000 - n : v;
}

/* The observations described above, for @sfam to @rfam, the receiver
 * with SO_OOBINLINE @inline_; the count filled, -1 on a failure.
 */
static int obs(int sfam, int rfam, int inline_, int out[N_OBS])
{
	struct pollfd p = { .events = POLLIN | POLLPRI };
	int s, r, k = 0;

	if (pair(sfam, rfam, &s, &r))
		return -1;
	if (setsockopt(r, SOL_SOCKET, SO_OOBINLINE, &inline_,
		       sizeof(inline_)) ||
	    fcntl(r, F_SETOWN, getpid()))
		return -1;
	sigurgs = 0;
	if (send(s, "ab", 2, 0) != 2 || send(s, "c", 1, MSG_OOB) != 1 ||
	    send(s, "de", 2, 0) != 2)
		return -1;
	usleep(200 * 1000);
	p.fd = r;
	out[k++] = poll(&p, 1, 1000);
	out[k++] = p.revents;
	out[k++] = at_mark(r);
	out[k++] = rd(r, 0);
	out[k++] = at_mark(r);
	out[k++] = rd(r, MSG_OOB | MSG_PEEK);
	out[k++] = rd(r, MSG_OOB);
	out[k++] = rd(r, MSG_OOB);
	p.revents = 0;
	out[k++] = poll(&p, 1, 0) ? p.revents : 0;
	out[k++] = rd(r, 0);
	out[k++] = at_mark(r);
	out[k++] = sigurgs;
	/* A second urgent byte, after everything was read. */
	if (send(s, "f", 1, MSG_OOB) != 1)
		return -1;
	usleep(200 * 1000);
	out[k++] = at_mark(r);
	out[k++] = rd(r, MSG_OOB);
	out[k++] = rd(r, 0);
	out[k++] = sigurgs;
	close(s);
	close(r);
	return k;
}

static const char *fam_name(int fam)
{
	return fam == AF_INET ? "native" : "xtcp";
}

TEST(urgent_byte_as_native)
{
	int fams[2] = { AF_INET, xtcp_family() };
	int ref[N_OBS], got[N_OBS], i, j, inl, k;
	struct sigaction sa = { .sa_handler = on_sigurg };

	ASSERT_EQ(0, sigaction(SIGURG, &sa, NULL));
	for (inl = 0; inl <= 1; inl++) {
		ASSERT_EQ(N_OBS, obs(AF_INET, AF_INET, inl, ref));
		for (k = 0; k < N_OBS; k++)
			TH_LOG("inline %d: native to native %d: %d", inl, k,
			       ref[k]);
		/* Sanity: native's own answers. */
		EXPECT_NE(0, ref[1] & POLLPRI);
		EXPECT_EQ(0x6162, ref[3]);	/* "ab": stops at the mark */
		EXPECT_EQ(1, ref[4]);
		EXPECT_LE(1, ref[11]);		/* SIGURG */
		if (!inl)
			EXPECT_EQ('c', ref[6]);
		for (i = 0; i < 2; i++) {
			for (j = 0; j < 2; j++) {
				if (!i && !j)
					continue;
				ASSERT_EQ(N_OBS, obs(fams[i], fams[j], inl, got));
				for (k = 0; k < N_OBS; k++)
					EXPECT_EQ(ref[k], got[k])
						TH_LOG("inline %d, %s to %s, value %d",
						       inl, fam_name(fams[i]),
						       fam_name(fams[j]), k);
			}
		}
	}
}

#define N_OBS2 7

/* A second urgent pointer while the reader sits at an urgent byte it has
 * not taken: "ab", "c" urgent; the reader reads "ab"; then "d", "e"
 * urgent.  The reader's SIOCATMARK, read, recv(MSG_OOB), read and
 * SIOCATMARK (Linux steps over "c": tcp_check_urg()); and SO_OOBINLINE
 * read on a socket accepted from a listener that had it set.
 */
static int obs2(int sfam, int rfam, int out[N_OBS2])
{
	int s, r, k = 0, one = 1;

	if (pair(sfam, rfam, &s, &r))
		return -1;
	if (send(s, "ab", 2, 0) != 2 || send(s, "c", 1, MSG_OOB) != 1)
		return -1;
	usleep(200 * 1000);
	out[k++] = rd(r, 0);
	if (send(s, "d", 1, 0) != 1 || send(s, "e", 1, MSG_OOB) != 1)
		return -1;
	usleep(200 * 1000);
	out[k++] = at_mark(r);
	out[k++] = rd(r, 0);
	out[k++] = rd(r, MSG_OOB);
	out[k++] = rd(r, 0);
	out[k++] = at_mark(r);
	close(s);
	close(r);
	{
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t alen = sizeof(sin);
		int l = socket(rfam, SOCK_STREAM, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (l < 0 ||
		    setsockopt(l, SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one)) ||
		    bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
		    getsockname(l, (struct sockaddr *)&sin, &alen) ||
		    listen(l, 1))
			return -1;
		s = socket(sfam, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sin, sizeof(sin)))
			return -1;
		r = accept(l, NULL, NULL);
		if (r < 0)
			return -1;
		out[k++] = getsockopt_int(r, SOL_SOCKET, SO_OOBINLINE);
		close(r);
		close(s);
		close(l);
	}
	return k;
}

TEST(second_pointer_and_inline_inherited_as_native)
{
	int fams[2] = { AF_INET, xtcp_family() };
	int ref[N_OBS2], got[N_OBS2], i, j, k;

	ASSERT_EQ(N_OBS2, obs2(AF_INET, AF_INET, ref));
	for (k = 0; k < N_OBS2; k++)
		TH_LOG("native to native %d: %d", k, ref[k]);
	EXPECT_EQ(0x6162, ref[0]);
	EXPECT_EQ(1, ref[6]);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			if (!i && !j)
				continue;
			ASSERT_EQ(N_OBS2, obs2(fams[i], fams[j], got));
			for (k = 0; k < N_OBS2; k++)
				EXPECT_EQ(ref[k], got[k])
					TH_LOG("%s to %s, value %d",
					       fam_name(fams[i]),
					       fam_name(fams[j]), k);
		}
	}
}

/* recv(MSG_OOB) without urgent data (EINVAL), on a listener
 * (ENOTCONN), as native's.
 */
TEST(oob_errors_as_native)
{
	int fams[2] = { AF_INET, xtcp_family() };
	int v[2][2], i, s, r;
	char c;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pair(fams[i], fams[i], &s, &r));
		v[i][0] = recv(r, &c, 1, MSG_OOB | MSG_DONTWAIT) < 0 ? errno : 0;
		close(s);
		close(r);
		s = socket(fams[i], SOCK_STREAM, 0);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, listen(s, 1));
		v[i][1] = recv(s, &c, 1, MSG_OOB | MSG_DONTWAIT) < 0 ? errno : 0;
		close(s);
	}
	EXPECT_EQ(EINVAL, v[0][0]);
	EXPECT_EQ(ENOTCONN, v[0][1]);
	EXPECT_EQ(v[0][0], v[1][0]);
	EXPECT_EQ(v[0][1], v[1][1]);
}

XTCP_HARNESS_MAIN
