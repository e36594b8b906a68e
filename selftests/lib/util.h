/* SPDX-License-Identifier: GPL-2.0 */
/* util.h: helpers shared by the C programs under selftests/ (tests and
 * the tools the VM tests drive).  Each program is compiled alone, so
 * everything here is static inline; include it as "lib/util.h".
 *
 * Addresses are IPv4 (struct sockaddr_in), which AF_XTCP sockets take as
 * AF_INET ones do.  die() reports errno under the program's name and
 * exits 1.  The including file defines _GNU_SOURCE before its first
 * #include (for program_invocation_short_name).
 */
#ifndef XTCP_SELFTESTS_UTIL_H
#define XTCP_SELFTESTS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/xtcp.h>

/* "PROGRAM: @what: strerror(errno)" on stderr, exit status 1. */
static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	exit(1);
}

/* The family number xtcp registered (its "family" module parameter),
 * AF_XTCP when that cannot be read.
 */
static inline int xtcp_family(void)
{
	FILE *f = fopen(XTCP_FAMILY_PARAM, "r");
	int fam = AF_XTCP;

	if (f) {
		if (fscanf(f, "%d", &fam) != 1)
			fam = AF_XTCP;
		fclose(f);
	}
	return fam;
}

/* "inet": AF_INET; "xtcp": xtcp_family(); else a number. */
static inline int family_by_name(const char *s)
{
	if (!strcmp(s, "inet"))
		return AF_INET;
	if (!strcmp(s, "xtcp"))
		return xtcp_family();
	return atoi(s);
}

static inline struct sockaddr_in addr4(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* "a.b.c.d:port" into @sin; 0, or -1 when it is not one. */
static inline int parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || colon - s >= (int)sizeof(host))
		return -1;
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

/* Local port of @fd, -1 on error. */
static inline int local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		return -1;
	return ntohs(sin.sin_port);
}

/* SO_SNDTIMEO and SO_RCVTIMEO of @secs; 0 or -1. */
static inline int set_timeouts(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	       setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ? -1 : 0;
}

/* A @family listener on 127.0.0.1 (any port) with @backlog; its
 * address in @sin.  -1 on a failure.
 */
static inline int lo_listener(int family, struct sockaddr_in *sin, int backlog)
{
	socklen_t alen = sizeof(*sin);
	int l;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(family, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)sin, sizeof(*sin)) ||
	    getsockname(l, (struct sockaddr *)sin, &alen) ||
	    listen(l, backlog))
		return -1;
	return l;
}

/* A new @family client of listener @l (at @sin), connected: the
 * accepted end, -1 on a failure; the client in @c.
 */
static inline int lo_connect_accept(int family, int l,
				    const struct sockaddr_in *sin, int *c)
{
	*c = socket(family, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (const struct sockaddr *)sin, sizeof(*sin)))
		return -1;
	return accept(l, NULL, NULL);
}

/* close() with SO_LINGER {1, 0}: a RST, no TIME_WAIT. */
static inline void abort_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* A listener of @family on @sin with SO_REUSEADDR, or die. */
static inline int listen_or_die(int family, const struct sockaddr_in *sin,
				int backlog)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket (listener)");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)))
		die("bind");
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

/* A non-blocking socket of @family, its connect() to @sin started, or
 * die.
 */
static inline int connect_nb_or_die(int family, const struct sockaddr_in *sin)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die("socket (client)");
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) &&
	    errno != EINPROGRESS)
		die("connect");
	return fd;
}

/* CLOCK_MONOTONIC in seconds. */
/* SO_REUSEPORT: Linux 6.1's sock_setsockopt() grants it to AF_INET and
 * AF_INET6 sockets only (EOPNOTSUPP otherwise, before any protocol sees
 * it), so an xtcp socket takes it as XTCP_REUSEPORT at SOL_TCP; either
 * way getsockopt(SOL_SOCKET, SO_REUSEPORT) must read 1 back.
 */
static inline int set_reuseport(int fd, int family)
{
	int one = 1, val = 0;
	socklen_t len = sizeof(val);

	if (family == AF_INET) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
			return errno;
	} else {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
			       sizeof(one)) == 0 || errno != EOPNOTSUPP)
			return -1;
		if (setsockopt(fd, IPPROTO_TCP, XTCP_REUSEPORT, &one,
			       sizeof(one)))
			return errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &val, &len) || val != 1)
		return -2;
	return 0;
}

/* An int socket option's value, or -errno. */
static inline int getsockopt_int(int fd, int level, int opt)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, level, opt, &val, &len) < 0)
		return -errno;
	return val;
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CLOCK_MONOTONIC in milliseconds. */
static inline double now_ms(void)
{
	return now() * 1e3;
}

/* Write @text to @path (a sysctl, say); 0 or -1. */
static inline int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(text, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

/* TcpExt counter @name of this namespace for @family, -1 if unreadable. */
static inline long tcpext(int family, const char *name)
{
	const char *path = family == AF_INET ? "/proc/net/netstat" :
						"/proc/net/xtcp_netstat";
	static const char sep[] = { ' ', '\n', 0 };
	char names[8192], values[8192], *n, *v, *sn, *sv;
	FILE *f = fopen(path, "r");
	long r = -1;

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) &&
	       fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, sep, &sn);
		v = strtok_r(values, sep, &sv);
		while (n && v) {
			if (!strcmp(n, name)) {
				r = atol(v);
				break;
			}
			n = strtok_r(NULL, sep, &sn);
			v = strtok_r(NULL, sep, &sv);
		}
		break;
	}
	fclose(f);
	return r;
}

/* Set interface @name up; 0 or -1. */
static inline int if_up(const char *name)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!err) {
		ifr.ifr_flags |= IFF_UP;
		err = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return err;
}

/* printf() to stdout, flushed at once (a line a driving script waits
 * for).
 */
static inline void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Into the network namespace at @path (/run/netns/NAME); none: stay. */
static inline void enter_netns(const char *path)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

/* RLIMIT_NOFILE raised to at least @want (both limits as needed). */
static inline void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit RLIMIT_NOFILE (raise fs.nr_open?)");
}

/* A non-blocking connect() on @fd that poll() reported done: its
 * SO_ERROR must be 0, or the program dies with it.
 */
static inline void connect_done_or_die(int fd)
{
	socklen_t len = sizeof(int);
	int err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		die("getsockopt SO_ERROR");
	if (err) {
		errno = err;
		die("connect (non-blocking)");
	}
}

/* The options the tools holding many connections share (clients_scale,
 * idle_conns): -f FAM, -n CONNS, -a NETNS (clients), -b NETNS (servers),
 * -B BATCH (connects started at once), -t SECS (any wait for the network).
 */
struct many_conns {
	int family;
	unsigned int conns;
	unsigned int batch;
	int timeout;
	const char *netns_client;
	const char *netns_server;
};

/* getopt()'s option @c with argument @arg into @m when it is one of
 * those: 1, else 0.
 */
static inline int many_conns_opt(struct many_conns *m, int c, const char *arg)
{
	switch (c) {
	case 'f':
		m->family = family_by_name(arg);
		return 1;
	case 'n':
		m->conns = strtoul(arg, NULL, 0);
		return 1;
	case 'a':
		m->netns_client = arg;
		return 1;
	case 'b':
		m->netns_server = arg;
		return 1;
	case 'B':
		m->batch = strtoul(arg, NULL, 0);
		return 1;
	case 't':
		m->timeout = atoi(arg);
		return 1;
	}
	return 0;
}

/* They are all there and make sense. */
static inline int many_conns_ok(const struct many_conns *m)
{
	return m->family && m->conns && m->batch && m->timeout > 0;
}

#endif /* XTCP_SELFTESTS_UTIL_H */
