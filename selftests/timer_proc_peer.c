// SPDX-License-Identifier: GPL-2.0
/* timer_proc_peer: the socket ends of selftests/timer_proc.sh, which puts
 * connections of either family into a timer state and compares their
 * /proc/net/tcp and /proc/net/xtcp lines.  A tool, not a test.
 *
 *   timer_proc_peer serve FAM ADDR:PORT hold|drain|none SECS [RCVBUF]
 *       listen (printing "listening"), then: hold: accept one connection
 *       and never read it (RCVBUF, when given, is set on the listener so
 *       the peer sees a zero window soon); drain: accept one, read to
 *       EOF, close; none: never accept.  Exits after SECS.
 *   timer_proc_peer client FAM ADDR:PORT ACTION SECS [GO]
 *       connect, print "connected LPORT" (the local port), wait until
 *       the file GO exists (when given), do ACTION and print "acted":
 *         idle             nothing
 *         synsent          (for an address that never answers: the
 *                          socket is bound first, "connected" printed
 *                          with its port, and GO starts a non-blocking
 *                          connect() left in progress)
 *         send             write 1000 bytes
 *         fill             write without blocking whenever there is room
 *         close            close() at once (the socket lives on in the
 *                          kernel: FIN_WAIT, TIME_WAIT), exit
 *         keepalive:IDLE   TCP_KEEPIDLE IDLE seconds, then SO_KEEPALIVE;
 *                          exits 4 with "keepalive unsupported" when
 *                          TCP_KEEPIDLE fails with ENOPROTOOPT
 *       and exits after SECS with an abortive close (a RST: nothing is
 *       left retransmitting after the case).
 *   serve and client end their SECS early on SIGTERM, the same way
 *   (timer_proc.sh ends a case's peers once its samples are taken).
 *   timer_proc_peer syn SRC DST:PORT...
 *       send one SYN from SRC (any address, raw socket) to each DST:PORT,
 *       one right after the other, and exit.
 *
 * FAM as in xtcp_xfer ("inet", "xtcp" or a number).  Exit status 1 with
 * a message on any error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include "lib/util.h"

/* SIGTERM: end the SECS wait now.  The loops that read it call usleep()
 * or the clock each round, so it is read again every time.
 */
static sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static int serve(int fam, struct sockaddr_in *sin, const char *mode,
		 int secs, int rcvbuf)
{
	int lfd, fd = -1, n;
	double end = now() + secs;
	char buf[4096];

	lfd = socket(fam, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	n = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &n, sizeof(n));
	if (rcvbuf &&
	    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUF");
	if (bind(lfd, (struct sockaddr *)sin, sizeof(*sin)))
		die("bind");
	if (listen(lfd, 8))
		die("listen");
	printf("listening\n");
	fflush(stdout);
	if (strcmp(mode, "none")) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (poll(&p, 1, secs * 1000) <= 0)
			return 1;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		printf("accepted\n");
		fflush(stdout);
	}
	if (!strcmp(mode, "drain")) {
		set_timeouts(fd, secs);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		close(fd);
		fd = -1;
	}
	while (now() < end && !stop)
		usleep(50000);
	if (fd >= 0)
		abort_close(fd);
	return 0;
}

static int client(int fam, struct sockaddr_in *sin, const char *action,
		  int secs, const char *go)
{
	static char buf[65536];
	double end = now() + secs;
	int fd, v;

	if (!strcmp(action, "synsent")) {
		struct sockaddr_in any = { .sin_family = AF_INET };

		fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof(any)))
			die("socket/bind");
	} else {
		fd = socket(fam, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		set_timeouts(fd, 10);
		if (connect(fd, (struct sockaddr *)sin, sizeof(*sin)))
			die("connect");
	}
	printf("connected %d\n", local_port(fd));
	fflush(stdout);
	while (go && access(go, F_OK) && now() < end && !stop)
		usleep(10000);
	if (stop) {
		abort_close(fd);
		return 0;
	}
	if (!strcmp(action, "synsent")) {
		if (!connect(fd, (struct sockaddr *)sin, sizeof(*sin)) ||
		    errno != EINPROGRESS)
			die("connect");
		action = "idle";
	}
	if (!strcmp(action, "close")) {
		close(fd);
		printf("acted\n");
		return 0;
	}
	if (!strncmp(action, "keepalive:", 10)) {
		v = atoi(action + 10);
		if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v))) {
			if (errno == ENOPROTOOPT) {
				printf("keepalive unsupported\n");
				return 4;
			}
			die("TCP_KEEPIDLE");
		}
		v = 1;
		if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)))
			die("SO_KEEPALIVE");
	} else if (!strcmp(action, "send")) {
		memset(buf, 'x', 1000);
		if (write(fd, buf, 1000) != 1000)
			die("write");
	} else if (!strcmp(action, "fill")) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
	} else if (strcmp(action, "idle")) {
		fprintf(stderr, "unknown action %s\n", action);
		return 2;
	}
	printf("acted\n");
	fflush(stdout);
	while (!strcmp(action, "fill") && now() < end && !stop) {
		if (write(fd, buf, sizeof(buf)) < 0 && errno != EAGAIN)
			die("write");
		usleep(20000);
	}
	while (now() < end && !stop)
		usleep(50000);
	abort_close(fd);
	return 0;
}

/* RFC 9293 s.3.1 checksum over the pseudo-header and @len bytes. */
static unsigned short tcp_csum(struct in_addr s, struct in_addr d,
			       const void *seg, int len)
{
	const unsigned short *p = seg;
	unsigned long sum = 0;
	int i;

	sum += (s.s_addr >> 16) + (s.s_addr & 0xffff);
	sum += (d.s_addr >> 16) + (d.s_addr & 0xffff);
	sum += htons(IPPROTO_TCP) + htons(len);
	for (i = 0; i < len / 2; i++)
		sum += p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static int syn(const char *src, struct sockaddr_in *dst)
{
	struct {
		struct iphdr ip;
		struct tcphdr th;
		unsigned char mss[4];
	} pkt = {};
	struct in_addr s;
	int fd, one = 1;

	if (inet_pton(AF_INET, src, &s) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("socket (raw)");
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		die("IP_HDRINCL");
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_TCP;
	pkt.ip.tot_len = htons(sizeof(pkt));
	pkt.ip.saddr = s.s_addr;
	pkt.ip.daddr = dst->sin_addr.s_addr;
	pkt.th.source = htons(40000 + getpid() % 20000);
	pkt.th.dest = dst->sin_port;
	pkt.th.seq = htonl(0x1000);
	pkt.th.doff = (sizeof(pkt.th) + sizeof(pkt.mss)) / 4;
	pkt.th.syn = 1;
	pkt.th.window = htons(65535);
	pkt.mss[0] = 2;		/* MSS option, 1460 */
	pkt.mss[1] = 4;
	pkt.mss[2] = 1460 >> 8;
	pkt.mss[3] = 1460 & 0xff;
	pkt.th.check = tcp_csum(s, dst->sin_addr, &pkt.th,
				sizeof(pkt.th) + sizeof(pkt.mss));
	if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)dst,
		   sizeof(*dst)) != sizeof(pkt))
		die("sendto");
	printf("sent port %d\n", ntohs(pkt.th.source));
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct sockaddr_in sin;

	/* No SA_RESTART: a blocking read() or poll() ends at once too. */
	sigaction(SIGTERM, &sa, NULL);

	if (argc >= 4 && !strcmp(argv[1], "syn")) {
		int i;

		for (i = 3; i < argc; i++)
			if (parse_addr(argv[i], &sin) || syn(argv[2], &sin))
				return 2;
		return 0;
	}
	if (argc < 6 || parse_addr(argv[3], &sin)) {
		fprintf(stderr, "usage: see the comment in timer_proc_peer.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "serve"))
		return serve(family_by_name(argv[2]), &sin, argv[4],
			     atoi(argv[5]), argc > 6 ? atoi(argv[6]) : 0);
	if (!strcmp(argv[1], "client"))
		return client(family_by_name(argv[2]), &sin, argv[4],
			      atoi(argv[5]), argc > 6 ? argv[6] : NULL);
	return 2;
}
