// SPDX-License-Identifier: GPL-2.0
/* wire_peer: one scripted connection for selftests/wire2_test.py, which
 * cannot open AF_XTCP sockets itself.  A tool, not a test.
 *
 *   wire_peer -f FAM (-l ADDR:PORT | -c ADDR:PORT) [-t SECS] [-i]
 *             [-D SECS] [-b BACKLOG] [-w MS] ACTION...
 *
 * FAM is "xtcp" (the number in /sys/module/xtcp/parameters/family, else
 * AF_XTCP), "inet" or a number.  With -l it listens, prints "listening",
 * accepts one connection and prints "accepted"; with -c the first action
 * must be "connect" or "nbconnect".  Actions, each printing one line:
 *
 *   connect         blocking connect(): "connect ret=R errno=E"
 *   nbconnect       non-blocking connect(), then poll() for POLLOUT up
 *                   to -t seconds: "nbconnect revents=0xR so_error=E"
 *                   (the socket stays non-blocking)
 *   write:N         one write() of N bytes: "write N ret=R errno=E"
 *   send:N          one send() of N bytes (at most 4096, 0 allowed):
 *                   "send N ret=R errno=E"
 *   more:N          the same with MSG_MORE: "more N ret=R errno=E"
 *   cork:V          setsockopt(TCP_CORK, V): "cork V ret=R errno=E"
 *   nodelay:V       setsockopt(TCP_NODELAY, V): "nodelay V ret=R errno=E"
 *   thinlto:V       setsockopt(TCP_THIN_LINEAR_TIMEOUTS, V): "thinlto V
 *                   ret=R errno=E"
 *   readall         read to EOF or error: "readall bytes=N errno=E"
 *   readsum         the same, with the FNV-1a hash of what was read:
 *                   "readsum bytes=N errno=E fnv1a=HEX" (lib/peer.h)
 *   sleep:MS        sleep MS milliseconds: "slept MS"
 *   close           close(): "closed"
 *   info            getsockopt(TCP_INFO), the whole struct: "info ret=R
 *                   errno=E len=L" and NAME=VALUE for its fields
 *                   (tcpinfo_test.py)
 *   infolen:N       getsockopt(TCP_INFO) with optlen N (may be negative)
 *                   into a buffer of 0xaa bytes: "infolen N ret=R errno=E
 *                   len=L head=HEX untouched=U", HEX the first
 *                   min(L, 4) bytes, U 1 if every byte from L on is
 *                   still 0xaa
 *   freshinfo       "info ..." of a new socket of FAM, never connected
 *   stdin           the actions on the lines of standard input, one a
 *                   line, until its end: "stdin done"
 *
 * With -l and -i, once a connection waits to be accepted the listener's
 * "info ..." line is printed first.  -D sets TCP_DEFER_ACCEPT to SECS on
 * the socket before listen() or the first action ("defer SECS ret=R
 * errno=E got=G", G read back); with -l, -b is listen()'s backlog
 * (default 8) and -w waits MS milliseconds after "listening" before
 * waiting for a connection to accept.
 *
 * Every blocking call is bounded by -t seconds (default 10) with
 * SO_RCVTIMEO/SO_SNDTIMEO; alarm(4 * -t + actions' sleeps) ends a stuck
 * run.  Exit 0 unless setup failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#include "lib/util.h"
#include "lib/peer.h"

static void print_info(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int r;

	memset(&ti, 0, sizeof(ti));
	r = getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	printf("info ret=%d errno=%d len=%u", r, r ? errno : 0, len);
	printf(" state=%u ca_state=%u retransmits=%u probes=%u backoff=%u",
	       ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_retransmits,
	       ti.tcpi_probes, ti.tcpi_backoff);
	printf(" options=%u snd_wscale=%u rcv_wscale=%u rto=%u ato=%u",
	       ti.tcpi_options, ti.tcpi_snd_wscale, ti.tcpi_rcv_wscale,
	       ti.tcpi_rto, ti.tcpi_ato);
	printf(" snd_mss=%u rcv_mss=%u unacked=%u sacked=%u lost=%u",
	       ti.tcpi_snd_mss, ti.tcpi_rcv_mss, ti.tcpi_unacked,
	       ti.tcpi_sacked, ti.tcpi_lost);
	printf(" retrans=%u last_data_sent=%u last_data_recv=%u",
	       ti.tcpi_retrans, ti.tcpi_last_data_sent,
	       ti.tcpi_last_data_recv);
	printf(" last_ack_recv=%u pmtu=%u rcv_ssthresh=%u rtt=%u rttvar=%u",
	       ti.tcpi_last_ack_recv, ti.tcpi_pmtu, ti.tcpi_rcv_ssthresh,
	       ti.tcpi_rtt, ti.tcpi_rttvar);
	printf(" snd_ssthresh=%u snd_cwnd=%u advmss=%u reordering=%u",
	       ti.tcpi_snd_ssthresh, ti.tcpi_snd_cwnd, ti.tcpi_advmss,
	       ti.tcpi_reordering);
	printf(" rcv_rtt=%u rcv_space=%u total_retrans=%u pacing_rate=%llu",
	       ti.tcpi_rcv_rtt, ti.tcpi_rcv_space, ti.tcpi_total_retrans,
	       (unsigned long long)ti.tcpi_pacing_rate);
	printf(" bytes_acked=%llu bytes_received=%llu segs_out=%u segs_in=%u",
	       (unsigned long long)ti.tcpi_bytes_acked,
	       (unsigned long long)ti.tcpi_bytes_received,
	       ti.tcpi_segs_out, ti.tcpi_segs_in);
	printf(" notsent_bytes=%u min_rtt=%u data_segs_in=%u data_segs_out=%u",
	       ti.tcpi_notsent_bytes, ti.tcpi_min_rtt, ti.tcpi_data_segs_in,
	       ti.tcpi_data_segs_out);
	printf(" delivered=%u bytes_sent=%llu bytes_retrans=%llu",
	       ti.tcpi_delivered, (unsigned long long)ti.tcpi_bytes_sent,
	       (unsigned long long)ti.tcpi_bytes_retrans);
	printf(" dsack_dups=%u reord_seen=%u rcv_ooopack=%u snd_wnd=%u",
	       ti.tcpi_dsack_dups, ti.tcpi_reord_seen, ti.tcpi_rcv_ooopack,
	       ti.tcpi_snd_wnd);
	printf(" delivery_rate=%llu delivery_rate_app_limited=%u\n",
	       (unsigned long long)ti.tcpi_delivery_rate,
	       ti.tcpi_delivery_rate_app_limited);
}

/* getsockopt(TCP_INFO) with an optlen of @n, into 0xaa bytes. */
static void print_infolen(int fd, int n)
{
	unsigned char buf[sizeof(struct tcp_info) + 64];
	socklen_t len = n;
	int r, untouched = 1;
	size_t i;

	memset(buf, 0xaa, sizeof(buf));
	r = getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf, &len);
	for (i = (int)len > 0 ? len : 0; i < sizeof(buf); i++)
		if (buf[i] != 0xaa)
			untouched = 0;
	printf("infolen %d ret=%d errno=%d len=%d head=", n, r,
	       r ? errno : 0, (int)len);
	for (i = 0; i < 4 && (int)i < (int)len; i++)
		printf("%02x", buf[i]);
	printf(" untouched=%d\n", untouched);
}

static bool action(int *fd, const struct peer_args *pa,
		   const struct sockaddr_in *sin,
		   const char *a);

/* The actions on standard input's lines, until its end. */
static void stdin_actions(int *fd, const struct peer_args *pa,
			  const struct sockaddr_in *sin)
{
	char line[256];

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		if (!action(fd, pa, sin, line))
			printf("unknown %s\n", line);
	}
	printf("stdin done\n");
}

static bool action(int *fd, const struct peer_args *pa,
		   const struct sockaddr_in *sin,
		   const char *a)
{
	if (!strcmp(a, "connect")) {
		int r = connect(*fd, (const struct sockaddr *)sin, sizeof(*sin));

		printf("connect ret=%d errno=%d\n", r, r ? errno : 0);
	} else if (!strcmp(a, "nbconnect")) {
		struct pollfd pfd = { .fd = *fd, .events = POLLOUT };
		int err = 0;
		socklen_t len = sizeof(err);

		fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK);
		if (connect(*fd, (const struct sockaddr *)sin, sizeof(*sin)) &&
		    errno != EINPROGRESS)
			fail("connect");
		poll(&pfd, 1, pa->secs * 1000);
		getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &len);
		printf("nbconnect revents=0x%x so_error=%d\n",
		       pfd.revents, err);
	} else if (!strncmp(a, "write:", 6)) {
		size_t n = strtoul(a + 6, NULL, 0);
		char *buf = malloc(n ? n : 1);
		ssize_t r;

		if (!buf)
			fail("malloc");
		memset(buf, 'x', n);
		r = write(*fd, buf, n);
		printf("write %zu ret=%zd errno=%d\n", n, r,
		       r < 0 ? errno : 0);
		free(buf);
	} else if (!strncmp(a, "send:", 5) || !strncmp(a, "more:", 5)) {
		size_t n = strtoul(a + 5, NULL, 0);
		int fl = a[0] == 'm' ? MSG_MORE : 0;
		char buf[4096];
		ssize_t r;

		/* send(), not write(): a zero-length write() stops in
		 * sock_write_iter(); send() reaches the protocol.
		 */
		memset(buf, 'x', sizeof(buf));
		r = send(*fd, buf, n < sizeof(buf) ? n : sizeof(buf), fl);
		printf("%.4s %zu ret=%zd errno=%d\n", a, n, r,
		       r < 0 ? errno : 0);
	} else if (!strncmp(a, "cork:", 5) || !strncmp(a, "nodelay:", 8) ||
		   !strncmp(a, "thinlto:", 8)) {
		int name = a[0] == 'c' ? TCP_CORK :
			   a[0] == 'n' ? TCP_NODELAY : TCP_THIN_LINEAR_TIMEOUTS;
		int v = atoi(strchr(a, ':') + 1), r;

		r = setsockopt(*fd, IPPROTO_TCP, name, &v, sizeof(v));
		printf("%.*s %d ret=%d errno=%d\n", (int)(strchr(a, ':') - a),
		       a, v, r, r ? errno : 0);
	} else if (!strcmp(a, "info")) {
		print_info(*fd);
	} else if (!strncmp(a, "infolen:", 8)) {
		print_infolen(*fd, atoi(a + 8));
	} else if (!strcmp(a, "freshinfo")) {
		int nfd = socket(pa->fam, SOCK_STREAM, 0);

		if (nfd < 0)
			fail("socket");
		print_info(nfd);
		close(nfd);
	} else if (!strcmp(a, "stdin")) {
		stdin_actions(fd, pa, sin);
	} else {
		return peer_action(fd, a);
	}
	return true;
}

int main(int argc, char **argv)
{
	struct peer_args pa = { .fam = AF_INET, .secs = 10 };
	struct sockaddr_in sin;
	int defer = -1, backlog = 8, wait_ms = 0;
	bool linfo = false;
	int fd, opt, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:c:t:iD:b:w:")) != -1) {
		if (opt == 'i')
			linfo = true;
		else if (opt == 'D')
			defer = atoi(optarg);
		else if (opt == 'b')
			backlog = atoi(optarg);
		else if (opt == 'w')
			wait_ms = atoi(optarg);
		else if (!peer_arg(&pa, opt, optarg))
			return 2;
	}
	if (!pa.listen_at == !pa.connect_to) {
		fprintf(stderr, "wire_peer: one of -l and -c\n");
		return 2;
	}
	alarm(4 * pa.secs + wait_ms / 1000 + 1 +
	      peer_sleep_secs(argc - optind, argv + optind));

	fd = peer_socket(&pa, &sin);
	if (defer >= 0) {
		socklen_t len = sizeof(int);
		int r, got = -1;

		r = setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
			       sizeof(defer));
		printf("defer %d ret=%d errno=%d", defer, r, r ? errno : 0);
		r = getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &got, &len);
		printf(" got=%d\n", r ? -errno : got);
	}
	if (pa.listen_at) {
		peer_listen(fd, &sin, backlog);
		if (wait_ms)
			usleep(wait_ms * 1000);
		if (linfo) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, pa.secs * 1000) == 1)
				print_info(fd);
		}
		fd = peer_accept(fd, pa.secs);
	}

	for (i = optind; i < argc; i++) {
		if (!action(&fd, &pa, &sin, argv[i])) {
			fprintf(stderr, "wire_peer: unknown action %s\n",
				argv[i]);
			return 2;
		}
	}
	return 0;
}
