// SPDX-License-Identifier: GPL-2.0
/* sendpath_peer: a receiver with a small receive buffer for
 * selftests/sendpath.sh, which sends to it with xtcp_xfer's client.
 * A tool, not a test.
 *
 *   sendpath_peer -f FAM -l ADDR:PORT [-t SECS] [-r RCVBUF]
 *
 * Sets SO_RCVBUF to RCVBUF (when given) on the listening socket before
 * listen(), so the accepted socket inherits it before its first window is
 * offered, prints "listening", accepts one connection and prints
 * "accepted rcvbuf=N" (SO_RCVBUF as the kernel set it).  Then it reads
 * xtcp_xfer's client stream to EOF (the 16-byte header: magic "XTX1",
 * seed, length; then that many bytes of the seed's stream), checks every
 * byte, answers with a header of seed + 1 and length 0 (what
 * "xtcp_xfer client -r 0" expects), closes and prints
 *   "received bytes=N ok=1" or "received bytes=N ok=0 why=TEXT".
 * Reads are in small pieces (4 KiB), so the application drains the
 * socket as a slow reader would, never faster than the window opens.
 * Every blocking call is bounded by -t seconds (default 30); alarm()
 * ends a stuck run.  Exit 0 only when every byte was as expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/types.h>

#include "lib/util.h"
#include "lib/peer.h"
#include "lib/stream.h"

#define CHUNK		4096

/* Everything of @len bytes at @buf, or -1. */
static int read_full(int fd, unsigned char *buf, size_t len)
{
	size_t have = 0;
	ssize_t n;

	while (have < len) {
		n = read(fd, buf + have, len - have);
		if (n <= 0)
			return -1;
		have += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 30 };
	unsigned char hdr[HDR_LEN], buf[CHUNK], exp[CHUNK];
	__u64 len, off = 0;
	struct sockaddr_in sin;
	int fd, opt, rcvbuf = 0, v, i;
	socklen_t vlen = sizeof(v);
	__u32 seed;
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:t:r:")) != -1) {
		if (opt == 'r')
			rcvbuf = atoi(optarg);
		else if (!peer_arg(&pa, opt, optarg))
			return 2;
	}
	if (!pa.listen_at) {
		fprintf(stderr, "sendpath_peer: -l is needed\n");
		return 2;
	}
	/* The whole transfer may take many -t periods; a stall of one
	 * read() is caught by SO_RCVTIMEO.
	 */
	alarm(20 * pa.secs);

	fd = peer_socket(&pa, &sin);
	if (rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		fail("setsockopt(SO_RCVBUF)");
	peer_listen(fd, &sin, 1);
	fd = peer_accept(fd, pa.secs);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &vlen);
	printf("accepted rcvbuf=%d\n", v);

	if (read_full(fd, hdr, HDR_LEN) || get_be(hdr, 4) != HDR_MAGIC) {
		printf("received bytes=0 ok=0 why=header errno=%d\n", errno);
		return 1;
	}
	seed = get_be(hdr + 4, 4);
	len = get_be(hdr + 8, 8);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			printf("received bytes=%llu ok=0 why=read errno=%d\n",
			       off, errno);
			return 1;
		}
		if (n == 0)
			break;
		/* Bytes past the announced length are wrong too. */
		stream_fill(seed, off, exp, n);
		for (i = 0; i < n && off + i < len && buf[i] == exp[i]; i++)
			;
		off += i;
		if (i < n) {
			printf("received bytes=%llu ok=0 why=byte %llu of %llu wrong\n",
			       off, off, len);
			return 1;
		}
	}
	if (off != len) {
		printf("received bytes=%llu ok=0 why=EOF before %llu\n", off,
		       len);
		return 1;
	}
	stream_hdr(hdr, seed + 1, 0);
	if (write(fd, hdr, HDR_LEN) != HDR_LEN) {
		printf("received bytes=%llu ok=0 why=reply errno=%d\n", off,
		       errno);
		return 1;
	}
	close(fd);
	printf("received bytes=%llu ok=1\n", off);
	return 0;
}
