// SPDX-License-Identifier: GPL-2.0
/* xtcp_xfer: byte-exact transfers over xtcp or native TCP for the VM tests
 * and scripts/bench.  A tool, not a test: the shell tests run it.
 *
 *   xtcp_xfer server -f FAM -l ADDR:PORT [-n CONNS] [-b BYTES] [-B BACKLOG]
 *                    [COMMON]
 *   xtcp_xfer client -f FAM -c ADDR:PORT [-s BYTES] [-r BYTES] [-n SEQ]
 *                    [-p PAR] [-S SEED] [-d SECS] [-I MS] [COMMON]
 *   xtcp_xfer sink   -f FAM -l ADDR:PORT -o DIR [-n CONNS] [COMMON]
 *   COMMON: [-t SECS] [-w SECS] [-N] [-v] [-i]
 *
 * FAM is "xtcp" (the number in /sys/module/xtcp/parameters/family, else
 * AF_XTCP), "inet" or a number.  BYTES take a K, M or G (binary) suffix.
 *
 * One connection: the client sends a 16-byte header (magic "XTX1", a
 * 32-bit seed, a 64-bit length, big endian) and that many bytes of a
 * pseudo-random stream derived from the seed, then shuts down writing.
 * The server reads to EOF and checks the header, the length and every
 * byte, then answers the same way (seed + 1, -b bytes) and closes; the
 * client checks that too (and its length against -r when given).  With
 * -N the payload is a fixed pattern and only lengths are checked (for
 * benchmarks: no generator in the way).
 *
 * client: -p threads each make -n connections one after another; in every
 * round all -p connections are established before any data moves, so -p
 * is a real count of concurrent connections.  Seeds are -S + the global
 * connection number.
 * client -d SECS (needs -N): for a sink peer.  After the header (which
 * announces -s bytes, never checked by a sink) each connection sends the
 * pattern in chunks of 128 KiB for SECS seconds of wall clock (checked
 * between chunks) instead of -s bytes, shuts down writing and reads to
 * the peer's EOF without expecting a reply (-r does not apply; bytes that
 * come are counted as received).  sent= is the payload bytes sent (a
 * sink's count has the 16 header bytes besides).
 * server: accepts -n connections (0: until killed), one thread each, then
 * exits.  It prints "listening ADDR:PORT" once listen() succeeded;
 * -B is listen()'s backlog (default 4096).
 * sink: writes what each connection sends to DIR/conn-ID and logs
 * "accept ID peer=ADDR:PORT", then "eof ID bytes=N" or
 * "error ID bytes=N errno=E TEXT" (ID counts from 1).
 *
 * Every blocking call is bounded by -t seconds (default 60): SO_RCVTIMEO
 * and SO_SNDTIMEO on every socket (connect() included), poll() before
 * accept().  -w is a watchdog for the whole run (default none): when it
 * fires the program says so on stderr and exits 3, even if a socket
 * ignored its timeouts.  Both ends finish with one line
 *   xtcp_xfer: ROLE family=F conns=N ok=N failed=N sent=B received=B
 *   elapsed=S MB/s=R conn/s=C
 * (payload bytes; MB/s is 10^6 bytes of sent + received per second) and
 * exit 0 only if every connection succeeded with every byte as expected.
 *
 * -i: once a connection's sending side is done (client: after the reply's
 * EOF, with -d the sink's EOF; server: after its reply, which it then
 * ends with shutdown(SHUT_WR) instead of close()), wait until TCP_INFO
 * says nothing is unacked (tcpi_unacked 0, FIN included; at most -t
 * seconds) and print, before close(),
 *   tcp_info role=ROLE conn=ID acked=0|1 state=S bytes_sent=B
 *   bytes_retrans=B total_retrans=N data_segs_out=N snd_mss=M
 *   options=O snd_wscale=W delivery_rate=R app_limited=A rtt=U
 *   min_rtt=U snd_cwnd=C
 * (the sender's counters: tcpi_bytes_sent, tcpi_bytes_retrans,
 * tcpi_total_retrans, tcpi_data_segs_out; tcpi_options and
 * tcpi_snd_wscale, what the handshake agreed; tcpi_delivery_rate
 * (bytes/s) and tcpi_delivery_rate_app_limited, tcpi_rtt and
 * tcpi_min_rtt (us), tcpi_snd_cwnd), or
 *   tcp_info role=ROLE conn=ID error=ERRNO TEXT
 * when getsockopt(IPPROTO_TCP, TCP_INFO) fails.  acked=0: the wait timed
 * out.  The connection's result does not depend on it: the tests judge.
 *
 * client -I MS: while a connection sends, every MS milliseconds, one line
 *   tcp_sample conn=ID t=SECS delivery_rate=R app_limited=A snd_cwnd=C
 *   rtt=U unacked=N
 * (SECS since the connection was made; TCP_INFO's fields as in -i), for
 * tests that judge a sender in its steady state rather than by the last
 * sample of a connection.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/tcp.h>
#include <linux/types.h>
#include <linux/xtcp.h>

#include "lib/stream.h"

#define BUF_LEN		(128 * 1024)

enum role { ROLE_SERVER, ROLE_CLIENT, ROLE_SINK };

static struct {
	enum role role;
	const char *family_name;
	int family;
	struct sockaddr_in addr;
	__u64 send_bytes;	/* client -s, server -b */
	__s64 expect_reply;	/* client -r, -1: any */
	unsigned int conns;	/* -n */
	unsigned int parallel;	/* -p */
	unsigned int backlog;	/* -B */
	unsigned int seed;
	int timeout;
	int watchdog;
	int duration;		/* client -d, 0: send -s bytes */
	unsigned int sample_ms;	/* client -I, 0: none */
	int no_verify;
	int verbose;
	int tcp_info;
	const char *dir;
} opt = {
	.send_bytes = 65536,
	.expect_reply = -1,
	.conns = 1,
	.parallel = 1,
	.backlog = 4096,
	.seed = 1,
	.timeout = 60,
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int ok, failed, running;
	__u64 sent, received;
} stats = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char pattern[BUF_LEN];

/* One line to @f, not interleaved with other threads' lines. */
static void say(FILE *f, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fflush(f);
	pthread_mutex_unlock(&out_lock);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Per-connection state, for messages. */
struct conn {
	unsigned int id;
	int fd;
	char what[64];		/* which call failed */
	int err;		/* its errno, 0 for a data error */
	char detail[160];
	unsigned char *buf, *exp;
};

static int conn_fail(struct conn *c, const char *what, int err,
		     const char *fmt, ...)
{
	va_list ap;

	snprintf(c->what, sizeof(c->what), "%s", what);
	c->err = err;
	c->detail[0] = 0;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void conn_report(struct conn *c)
{
	const char *why = c->err == EAGAIN ? "timed out" :
			  c->err ? strerror(c->err) : "";

	say(stderr, "xtcp_xfer: %s conn %u: %s: %s%s%s\n",
	    opt.role == ROLE_CLIENT ? "client" : "server", c->id, c->what,
	    why, c->err && c->detail[0] ? ": " : "", c->detail);
}

static int send_all(struct conn *c, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return conn_fail(c, "send", n ? errno : EIO, NULL);
		p += n;
		len -= n;
	}
	return 0;
}

/* Read up to @len bytes; 0 at EOF. */
static ssize_t recv_some(struct conn *c, unsigned char *p, size_t len)
{
	ssize_t n;

	do {
		n = recv(c->fd, p, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return conn_fail(c, "recv", errno, NULL);
	return n;
}

/* Send header and @len bytes of stream @seed. */
static int send_stream(struct conn *c, __u32 seed, __u64 len)
{
	unsigned char hdr[HDR_LEN];
	__u64 off = 0;
	size_t n;

	stream_hdr(hdr, seed, len);
	if (send_all(c, hdr, HDR_LEN))
		return -1;
	while (off < len) {
		n = len - off < BUF_LEN ? len - off : BUF_LEN;
		if (opt.no_verify) {
			if (send_all(c, pattern, n))
				return -1;
		} else {
			stream_fill(seed, off, c->buf, n);
			if (send_all(c, c->buf, n))
				return -1;
		}
		off += n;
	}
	return 0;
}

/* -d: the header (announcing -s bytes), then the pattern for opt.duration
 * seconds instead of a length; the payload bytes sent in *@sent.
 */
static int send_timed(struct conn *c, __u32 seed, __u64 *sent)
{
	double end = now() + opt.duration;
	unsigned char hdr[HDR_LEN];

	*sent = 0;
	stream_hdr(hdr, seed, opt.send_bytes);
	if (send_all(c, hdr, HDR_LEN))
		return -1;
	while (now() < end) {
		if (send_all(c, pattern, BUF_LEN))
			return -1;
		*sent += BUF_LEN;
	}
	return 0;
}

/* -d: read to the peer's EOF, no header expected (a sink sends nothing
 * and closes after ours); bytes that come anyway in *@got.
 */
static int recv_eof(struct conn *c, __u64 *got)
{
	ssize_t n;

	*got = 0;
	for (;;) {
		n = recv_some(c, c->buf, BUF_LEN);
		if (n < 0)
			return -1;
		if (!n)
			return 0;
		*got += n;
	}
}

/* Receive header and stream to EOF; check the magic, the seed (against
 * *@seedp unless @any_seed, which stores the header's there instead), the
 * length (against @want unless it is -1) and every byte.  Bytes in *@got.
 */
static int recv_stream(struct conn *c, __u32 *seedp, int any_seed,
		       __s64 want, __u64 *got)
{
	unsigned char hdr[HDR_LEN];
	__u64 len, off = 0;
	size_t have = 0, i;
	__u32 seed;
	ssize_t n;

	*got = 0;
	while (have < HDR_LEN) {
		n = recv_some(c, hdr + have, HDR_LEN - have);
		if (n < 0)
			return -1;
		if (n == 0)
			return conn_fail(c, "header", 0,
					 "EOF after %zu of %d header bytes",
					 have, HDR_LEN);
		have += n;
	}
	if (get_be(hdr, 4) != HDR_MAGIC)
		return conn_fail(c, "header", 0, "bad magic %08llx",
				 get_be(hdr, 4));
	seed = get_be(hdr + 4, 4);
	if (any_seed)
		*seedp = seed;
	else if (seed != *seedp)
		return conn_fail(c, "header", 0, "seed %u, expected %u",
				 seed, *seedp);
	len = get_be(hdr + 8, 8);
	if (want >= 0 && len != (__u64)want)
		return conn_fail(c, "header", 0, "length %llu, expected %lld",
				 len, want);
	for (;;) {
		n = recv_some(c, c->buf, BUF_LEN);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (off + n > len)
			return conn_fail(c, "data", 0,
					 "%llu bytes beyond the %llu announced",
					 (off + n - len),
					 len);
		if (!opt.no_verify) {
			stream_fill(seed, off, c->exp, n);
			if (memcmp(c->buf, c->exp, n)) {
				for (i = 0; c->buf[i] == c->exp[i]; i++)
					;
				return conn_fail(c, "data", 0,
						 "byte %llu is %02x, expected %02x",
						 (off + i),
						 c->buf[i], c->exp[i]);
			}
		}
		off += n;
		*got = off;
	}
	if (off != len)
		return conn_fail(c, "data", 0, "EOF after %llu of %llu bytes",
				 off,
				 len);
	return 0;
}

static int set_timeouts(struct conn *c)
{
	struct timeval tv = { .tv_sec = opt.timeout };

	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return conn_fail(c, "setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)",
				 errno, NULL);
	return 0;
}

static int conn_init(struct conn *c, unsigned int id, int fd)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->fd = fd;
	c->buf = malloc(BUF_LEN);
	c->exp = malloc(BUF_LEN);
	if (!c->buf || !c->exp) {
		free(c->buf);
		free(c->exp);
		c->buf = NULL;
		c->exp = NULL;
		return conn_fail(c, "malloc", ENOMEM, NULL);
	}
	return 0;
}

static void conn_done(struct conn *c, int ok, __u64 sent, __u64 got)
{
	if (!ok)
		conn_report(c);
	else if (opt.verbose)
		say(stderr, "xtcp_xfer: conn %u ok sent=%llu received=%llu\n",
		    c->id, sent, got);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->exp);
	pthread_mutex_lock(&stats.lock);
	if (ok)
		stats.ok++;
	else
		stats.failed++;
	stats.sent += sent;
	stats.received += got;
	pthread_mutex_unlock(&stats.lock);
}

/* -i: wait until everything sent (FIN included) is acked, at most -t
 * seconds, then print the sender's TCP_INFO counters.
 */
static void print_tcp_info(struct conn *c)
{
	double end = now() + opt.timeout;
	struct tcp_info ti;
	socklen_t len;
	int acked = 0;

	for (;;) {
		memset(&ti, 0, sizeof(ti));
		len = sizeof(ti);
		if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			say(stdout, "tcp_info role=%s conn=%u error=%d %s\n",
			    opt.role == ROLE_CLIENT ? "client" : "server",
			    c->id, errno, strerror(errno));
			return;
		}
		acked = !ti.tcpi_unacked;
		if (acked || now() > end)
			break;
		usleep(10000);
	}
	say(stdout,
	    "tcp_info role=%s conn=%u acked=%d state=%u bytes_sent=%llu bytes_retrans=%llu total_retrans=%u data_segs_out=%u snd_mss=%u options=%u snd_wscale=%u delivery_rate=%llu app_limited=%u rtt=%u min_rtt=%u snd_cwnd=%u\n",
	    opt.role == ROLE_CLIENT ? "client" : "server", c->id, acked,
	    ti.tcpi_state, (unsigned long long)ti.tcpi_bytes_sent,
	    (unsigned long long)ti.tcpi_bytes_retrans, ti.tcpi_total_retrans,
	    ti.tcpi_data_segs_out, ti.tcpi_snd_mss, ti.tcpi_options,
	    ti.tcpi_snd_wscale, (unsigned long long)ti.tcpi_delivery_rate,
	    ti.tcpi_delivery_rate_app_limited, ti.tcpi_rtt, ti.tcpi_min_rtt,
	    ti.tcpi_snd_cwnd);
}

/* ---- client ---- */

/* A barrier that gives up after the timeout, so one stuck thread cannot
 * hang the others.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int waiting, generation;
} barrier = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static int barrier_wait(void)
{
	struct timespec ts;
	unsigned int gen;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += opt.timeout;
	pthread_mutex_lock(&barrier.lock);
	gen = barrier.generation;
	if (++barrier.waiting == opt.parallel) {
		barrier.waiting = 0;
		barrier.generation++;
		pthread_cond_broadcast(&barrier.cond);
	}
	while (gen == barrier.generation && !err)
		err = pthread_cond_timedwait(&barrier.cond, &barrier.lock, &ts);
	pthread_mutex_unlock(&barrier.lock);
	return gen == barrier.generation ? -1 : 0;
}

/* -I: TCP_INFO of one connection every opt.sample_ms while it sends. */
struct sampler {
	pthread_t thread;
	int fd;
	unsigned int id;
	int stop;		/* __atomic */
	double t0;
};

static void *sampler_thread(void *arg)
{
	struct sampler *sm = arg;
	struct tcp_info ti;
	socklen_t len;

	while (!__atomic_load_n(&sm->stop, __ATOMIC_ACQUIRE)) {
		usleep(opt.sample_ms * 1000);
		memset(&ti, 0, sizeof(ti));
		len = sizeof(ti);
		if (getsockopt(sm->fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			break;
		say(stdout,
		    "tcp_sample conn=%u t=%.3f delivery_rate=%llu app_limited=%u snd_cwnd=%u rtt=%u unacked=%u\n",
		    sm->id, now() - sm->t0,
		    (unsigned long long)ti.tcpi_delivery_rate,
		    ti.tcpi_delivery_rate_app_limited, ti.tcpi_snd_cwnd,
		    ti.tcpi_rtt, ti.tcpi_unacked);
	}
	return NULL;
}

static void client_conn(unsigned int id)
{
	__u32 seed = opt.seed + id, reply_seed = seed + 1;
	__u64 got = 0, sent = 0;
	struct conn c;
	int ok = 0, connected, sent_ok = 0, sampling = 0;
	struct sampler sm = { .id = id };

	if (conn_init(&c, id, -1)) {
		conn_done(&c, 0, 0, 0);
		if (opt.parallel > 1)
			barrier_wait();
		return;
	}
	c.fd = socket(opt.family, SOCK_STREAM, 0);
	if (c.fd < 0) {
		conn_fail(&c, "socket", errno, "family %d", opt.family);
		connected = 0;
	} else {
		connected = !set_timeouts(&c) &&
			    !connect(c.fd, (struct sockaddr *)&opt.addr,
				     sizeof(opt.addr));
		if (!connected && !c.what[0])
			conn_fail(&c, "connect", errno == EINPROGRESS ?
				  EAGAIN : errno, NULL);
	}
	if (opt.parallel > 1 && barrier_wait() && connected) {
		conn_fail(&c, "barrier", 0,
			  "not all %u connections established within %d s",
			  opt.parallel, opt.timeout);
		connected = 0;
	}
	if (connected && opt.sample_ms) {
		sm.fd = c.fd;
		sm.t0 = now();
		sampling = !pthread_create(&sm.thread, NULL, sampler_thread,
					   &sm);
	}
	if (connected && opt.duration) {
		sent_ok = !send_timed(&c, seed, &sent);
	} else if (connected) {
		sent_ok = !send_stream(&c, seed, opt.send_bytes);
		if (sent_ok)
			sent = opt.send_bytes;
	}
	if (sampling) {
		__atomic_store_n(&sm.stop, 1, __ATOMIC_RELEASE);
		pthread_join(sm.thread, NULL);
	}
	if (sent_ok) {
		if (shutdown(c.fd, SHUT_WR))
			conn_fail(&c, "shutdown", errno, NULL);
		else if (opt.duration ? !recv_eof(&c, &got) :
			 !recv_stream(&c, &reply_seed, 0, opt.expect_reply,
				      &got))
			ok = 1;
		if (ok && opt.tcp_info)
			print_tcp_info(&c);
	}
	conn_done(&c, ok, sent, got);
}

static void *client_thread(void *arg)
{
	unsigned int t = (unsigned long)arg, i;

	for (i = 0; i < opt.conns; i++)
		client_conn(1 + i * opt.parallel + t);
	return NULL;
}

/* ---- server and sink ---- */

struct accepted {
	unsigned int id;
	int fd;
	struct sockaddr_in peer;
};

static void server_conn(struct accepted *a)
{
	__u64 got = 0, sent = 0;
	__u32 seed = 0;
	struct conn c;
	int ok = 0;

	if (conn_init(&c, a->id, a->fd)) {
		conn_done(&c, 0, 0, 0);
		return;
	}
	/* The seed is the client's choice, taken from its header. */
	if (set_timeouts(&c) || recv_stream(&c, &seed, 1, -1, &got))
		goto out;
	if (send_stream(&c, seed + 1, opt.send_bytes))
		goto out;
	sent = opt.send_bytes;
	if (opt.tcp_info) {
		if (shutdown(c.fd, SHUT_WR)) {
			conn_fail(&c, "shutdown", errno, NULL);
			goto out;
		}
		print_tcp_info(&c);
	}
	ok = 1;
out:
	conn_done(&c, ok, sent, got);
}

static void sink_conn(struct accepted *a)
{
	unsigned char *buf = malloc(BUF_LEN);
	char path[4096];
	__u64 total = 0;
	struct conn c = { .id = a->id, .fd = a->fd };
	int out, err = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/conn-%u", opt.dir, a->id);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	say(stdout, "accept %u peer=%s:%u\n", a->id,
	    inet_ntoa(a->peer.sin_addr), ntohs(a->peer.sin_port));
	if (out < 0 || !buf)
		err = out < 0 ? errno : ENOMEM;
	else if (set_timeouts(&c))
		err = c.err;
	while (!err) {
		n = recv(a->fd, buf, BUF_LEN, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		if (write(out, buf, n) != n)
			err = EIO;
		total += n;
	}
	if (err)
		say(stdout, "error %u bytes=%llu errno=%d %s\n", a->id,
		    total, err, strerror(err));
	else
		say(stdout, "eof %u bytes=%llu\n", a->id,
		    total);
	if (out >= 0)
		close(out);
	close(a->fd);
	free(buf);
	pthread_mutex_lock(&stats.lock);
	if (err)
		stats.failed++;
	else
		stats.ok++;
	stats.received += total;
	pthread_mutex_unlock(&stats.lock);
}

static void *accepted_thread(void *arg)
{
	struct accepted *a = arg;

	if (opt.role == ROLE_SINK)
		sink_conn(a);
	else
		server_conn(a);
	free(a);
	pthread_mutex_lock(&stats.lock);
	stats.running--;
	pthread_cond_broadcast(&stats.cond);
	pthread_mutex_unlock(&stats.lock);
	return NULL;
}

static pthread_attr_t thread_attr;

static int run_server(double *t0)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	unsigned int accepted = 0;
	struct pollfd pfd;
	int lfd, one = 1, r;
	pthread_t th;

	lfd = socket(opt.family, SOCK_STREAM, 0);
	if (lfd < 0) {
		fprintf(stderr, "xtcp_xfer: socket(%d): %s\n", opt.family,
			strerror(errno));
		return -1;
	}
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&opt.addr, sizeof(opt.addr)) ||
	    listen(lfd, opt.backlog) ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len)) {
		fprintf(stderr, "xtcp_xfer: setsockopt/bind/listen: %s\n",
			strerror(errno));
		close(lfd);
		return -1;
	}
	say(stdout, "listening %s:%u\n", inet_ntoa(sin.sin_addr),
	    ntohs(sin.sin_port));
	pfd.fd = lfd;
	pfd.events = POLLIN;
	while (!opt.conns || accepted < opt.conns) {
		struct accepted *a;
		int fd;

		r = poll(&pfd, 1, opt.conns ? opt.timeout * 1000 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "xtcp_xfer: %s after %u of %u connections\n",
				r ? strerror(errno) : "accept timed out",
				accepted, opt.conns);
			break;
		}
		a = calloc(1, sizeof(*a));
		len = sizeof(a->peer);
		fd = a ? accept(lfd, (struct sockaddr *)&a->peer, &len) : -1;
		if (fd < 0) {
			fprintf(stderr, "xtcp_xfer: accept: %s\n",
				strerror(errno));
			free(a);
			if (errno == EINTR || errno == EAGAIN ||
			    errno == ECONNABORTED)
				continue;
			break;
		}
		if (!accepted)
			*t0 = now();
		a->id = ++accepted;
		a->fd = fd;
		pthread_mutex_lock(&stats.lock);
		stats.running++;
		pthread_mutex_unlock(&stats.lock);
		if (pthread_create(&th, &thread_attr, accepted_thread, a)) {
			/* Handle it here instead. */
			accepted_thread(a);
		}
	}
	close(lfd);
	pthread_mutex_lock(&stats.lock);
	while (stats.running)
		pthread_cond_wait(&stats.cond, &stats.lock);
	pthread_mutex_unlock(&stats.lock);
	return opt.conns && accepted < opt.conns ? -1 : 0;
}

static int run_client(void)
{
	pthread_t *th = calloc(opt.parallel, sizeof(*th));
	unsigned int i, started = 0;

	if (!th)
		return -1;
	for (i = 0; i < opt.parallel; i++) {
		if (pthread_create(&th[i], &thread_attr, client_thread,
				   (void *)(unsigned long)i)) {
			fprintf(stderr, "xtcp_xfer: pthread_create failed\n");
			break;
		}
		started++;
	}
	if (started < opt.parallel) {
		/* The barrier would wait for threads that do not exist. */
		for (; i < opt.parallel; i++)
			barrier_wait();
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	return started == opt.parallel ? 0 : -1;
}

static char watchdog_msg[128];

static void watchdog_fired(int sig)
{
	if (write(STDERR_FILENO, watchdog_msg, strlen(watchdog_msg)) < 0)
		_exit(4);
	_exit(3);
}

/* ---- options ---- */

static void print_usage(void)
{
	fprintf(stderr,
		"usage: xtcp_xfer server -f FAM -l ADDR:PORT [-n CONNS] [-b BYTES] [-B BACKLOG] [COMMON]\n"
		"       xtcp_xfer client -f FAM -c ADDR:PORT [-s BYTES] [-r BYTES] [-n SEQ] [-p PAR]\n"
		"                        [-S SEED] [-d SECS (with -N, to a sink)] [-I SAMPLE_MS] [COMMON]\n"
		"       xtcp_xfer sink -f FAM -l ADDR:PORT -o DIR [-n CONNS] [COMMON]\n"
		"COMMON: [-t CALL_TIMEOUT_SECS] [-w WATCHDOG_SECS] [-N] [-v] [-i]\n"
		"FAM: xtcp, inet or a number; BYTES may end in K, M or G\n");
	exit(2);
}

static int parse_family(const char *s)
{
	char *end;
	FILE *f;
	long v;
	int fam = AF_XTCP;

	if (!strcmp(s, "inet"))
		return AF_INET;
	if (!strcmp(s, "xtcp")) {
		f = fopen(XTCP_FAMILY_PARAM, "r");
		if (f) {
			if (fscanf(f, "%d", &fam) != 1)
				fam = AF_XTCP;
			fclose(f);
		}
		return fam;
	}
	v = strtol(s, &end, 10);
	if (*end || v <= 0 || v > 255)
		print_usage();
	return v;
}

static __u64 parse_bytes(const char *s)
{
	static const char units[] = "KMG";
	unsigned long long v;
	const char *u;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		print_usage();
	u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (u) {
		v <<= 10 * (u - units + 1);
		end++;
	}
	if (*end)
		print_usage();
	return v;
}

static unsigned int parse_uint(const char *s, unsigned int min)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > 1000000)
		print_usage();
	return v;
}

static void parse_addr(const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || colon - s >= (long)sizeof(host))
		print_usage();
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	opt.addr.sin_family = AF_INET;
	opt.addr.sin_port = htons(parse_uint(colon + 1, 0));
	if (inet_pton(AF_INET, host, &opt.addr.sin_addr) != 1)
		print_usage();
}

int main(int argc, char **argv)
{
	int c, have_addr = 0, err;
	double t0, t1, el;

	if (argc < 2)
		print_usage();
	if (!strcmp(argv[1], "server"))
		opt.role = ROLE_SERVER;
	else if (!strcmp(argv[1], "client"))
		opt.role = ROLE_CLIENT;
	else if (!strcmp(argv[1], "sink"))
		opt.role = ROLE_SINK;
	else
		print_usage();
	argv++;
	argc--;
	while ((c = getopt(argc, argv, "f:l:c:n:p:b:B:s:r:S:t:w:o:d:I:Nvi")) != -1) {
		switch (c) {
		case 'f':
			opt.family_name = optarg;
			opt.family = parse_family(optarg);
			break;
		case 'l':
		case 'c':
			if (c == 'c' ? opt.role != ROLE_CLIENT :
			    opt.role == ROLE_CLIENT)
				print_usage();
			parse_addr(optarg);
			have_addr = 1;
			break;
		case 'n':
			opt.conns = parse_uint(optarg, opt.role == ROLE_CLIENT);
			break;
		case 'B':
			if (opt.role != ROLE_SERVER)
				print_usage();
			opt.backlog = parse_uint(optarg, 0);
			break;
		case 'p':
			opt.parallel = parse_uint(optarg, 1);
			break;
		case 'b':
		case 's':
			opt.send_bytes = parse_bytes(optarg);
			break;
		case 'r':
			opt.expect_reply = parse_bytes(optarg);
			break;
		case 'S':
			opt.seed = parse_uint(optarg, 0);
			break;
		case 't':
			opt.timeout = parse_uint(optarg, 1);
			break;
		case 'w':
			opt.watchdog = parse_uint(optarg, 1);
			break;
		case 'o':
			opt.dir = optarg;
			break;
		case 'd':
			if (opt.role != ROLE_CLIENT)
				print_usage();
			opt.duration = parse_uint(optarg, 1);
			break;
		case 'I':
			if (opt.role != ROLE_CLIENT)
				print_usage();
			opt.sample_ms = parse_uint(optarg, 1);
			break;
		case 'N':
			opt.no_verify = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'i':
			opt.tcp_info = 1;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc || !opt.family_name || !have_addr ||
	    (opt.role == ROLE_SINK ? !opt.dir : !!opt.dir))
		print_usage();
	if (opt.duration && !opt.no_verify) {
		fprintf(stderr, "xtcp_xfer: -d needs -N\n");
		print_usage();
	}

	signal(SIGPIPE, SIG_IGN);
	if (opt.watchdog) {
		snprintf(watchdog_msg, sizeof(watchdog_msg),
			 "xtcp_xfer: %s: watchdog: still running after %d s, giving up\n",
			 argv[0], opt.watchdog);
		signal(SIGALRM, watchdog_fired);
		alarm(opt.watchdog);
	}
	memset(pattern, 0x5a, sizeof(pattern));
	pthread_attr_init(&thread_attr);
	pthread_attr_setstacksize(&thread_attr, 256 * 1024);
	if (opt.role != ROLE_CLIENT)
		pthread_attr_setdetachstate(&thread_attr,
					    PTHREAD_CREATE_DETACHED);

	t0 = now();
	err = opt.role == ROLE_CLIENT ? run_client() : run_server(&t0);
	t1 = now();
	el = t1 > t0 ? t1 - t0 : 0.000001;
	say(stdout,
	    "xtcp_xfer: %s family=%s conns=%u ok=%u failed=%u sent=%llu received=%llu elapsed=%.3f MB/s=%.2f conn/s=%.1f\n",
	    argv[0], opt.family_name, stats.ok + stats.failed, stats.ok,
	    stats.failed, stats.sent,
	    stats.received, el,
	    (stats.sent + stats.received) / el / 1e6,
	    (stats.ok + stats.failed) / el);
	return err || stats.failed || !stats.ok ? 1 : 0;
}
