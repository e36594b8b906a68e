// SPDX-License-Identifier: GPL-2.0
/* libxtcp-preload.so: run unmodified programs over xtcp.
 *
 *   LD_PRELOAD=build/libxtcp-preload.so CMD ...   (or scripts/xtcp-run CMD)
 *
 * socket(AF_INET, SOCK_STREAM [| SOCK_NONBLOCK | SOCK_CLOEXEC], 0 or
 * IPPROTO_TCP) becomes the same call with AF_XTCP; every other socket()
 * is passed through untouched.  xtcp takes and returns struct sockaddr_in,
 * so only one socket option needs wrapping (below).  The family number
 * is read once from /sys/module/xtcp/parameters/family (AF_XTCP if that
 * cannot be read).
 *
 * There is no fallback to native TCP: if the xtcp socket() fails (for
 * instance EAFNOSUPPORT because the module is not loaded) the caller gets
 * that error.  XTCP_DEBUG=1 in the environment logs every conversion, and
 * such a failure, as one line on stderr.
 *
 * setsockopt(SOL_SOCKET, SO_REUSEPORT), which Linux 6.1 refuses to
 * non-inet families, becomes XTCP_REUSEPORT on xtcp sockets.
 *
 * __socket is wrapped too, for binaries bound to glibc's private alias;
 * calls made inside glibc itself never reach a preloaded library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/xtcp.h>

static int xtcp_family = -1;	/* -1: not read yet */
static int debug = -1;		/* -1: XTCP_DEBUG not read yet */

static int real_socket(int domain, int type, int protocol)
{
	static int (*fn)(int domain, int type, int protocol);

	if (!fn)
		fn = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (fn)
		return fn(domain, type, protocol);
	return syscall(SYS_socket, domain, type, protocol);
}

static int read_family(void)
{
	char buf[32];
	ssize_t n;
	long v;
	int fd;

	fd = open(XTCP_FAMILY_PARAM, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return AF_XTCP;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return AF_XTCP;
	buf[n] = 0;
	v = strtol(buf, NULL, 10);
	return v > 0 && v < 256 ? v : AF_XTCP;
}

/* Racing first calls read the same values: no lock needed. */
static void init_once(void)
{
	const char *d;

	if (__atomic_load_n(&xtcp_family, __ATOMIC_ACQUIRE) >= 0)
		return;
	d = getenv("XTCP_DEBUG");
	__atomic_store_n(&debug, d && *d && strcmp(d, "0"), __ATOMIC_RELAXED);
	__atomic_store_n(&xtcp_family, read_family(), __ATOMIC_RELEASE);
}

static void type_name(int type, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM ?
		 "SOCK_STREAM" : "?",
		 type & SOCK_NONBLOCK ? "|SOCK_NONBLOCK" : "",
		 type & SOCK_CLOEXEC ? "|SOCK_CLOEXEC" : "");
}

/* One line on stderr, without stdio (no locks, no buffering). */
static void log_line(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n, saved = errno;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0) {
		if (n >= (int)sizeof(line))
			n = sizeof(line) - 1;
		if (write(STDERR_FILENO, line, n) < 0)
			n = 0;
	}
	errno = saved;
}

static int xtcp_socket(int domain, int type, int protocol)
{
	char tname[64];
	int fd, err;

	if (domain != AF_INET ||
	    (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP))
		return real_socket(domain, type, protocol);

	init_once();
	fd = real_socket(xtcp_family, type, protocol);
	if (!debug)
		return fd;
	err = errno;
	type_name(type, tname, sizeof(tname));
	if (fd >= 0)
		log_line("xtcp-preload: socket(AF_INET, %s, %d) -> socket(%d) = %d\n",
			 tname, protocol, xtcp_family, fd);
	else if (err == EAFNOSUPPORT)
		log_line("xtcp-preload: warning: socket(%d): %s (xtcp not loaded?), no fallback\n",
			 xtcp_family, strerror(err));
	else
		log_line("xtcp-preload: socket(AF_INET, %s, %d) -> socket(%d) failed: %s\n",
			 tname, protocol, xtcp_family, strerror(err));
	errno = err;
	return fd;
}

int socket(int domain, int type, int protocol)
{
	return xtcp_socket(domain, type, protocol);
}

int __socket(int domain, int type, int protocol)
{
	return xtcp_socket(domain, type, protocol);
}

static int real_setsockopt(int fd, int level, int optname, const void *optval,
			   socklen_t optlen)
{
	static int (*fn)(int, int, int, const void *, socklen_t);

	if (!fn)
		fn = (int (*)(int, int, int, const void *, socklen_t))
			dlsym(RTLD_NEXT, "setsockopt");
	if (fn)
		return fn(fd, level, optname, optval, optlen);
	return syscall(SYS_setsockopt, fd, level, optname, optval, optlen);
}

/* Linux 6.1 refuses SOL_SOCKET/SO_REUSEPORT to every family but AF_INET
 * and AF_INET6 (EOPNOTSUPP); on an xtcp socket the same request goes as
 * XTCP_REUSEPORT at SOL_TCP (uapi/linux/xtcp.h).
 */
int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	int ret = real_setsockopt(fd, level, optname, optval, optlen);
	int domain = -1, err = errno;
	socklen_t len = sizeof(domain);

	if (ret == 0 || err != EOPNOTSUPP || level != SOL_SOCKET ||
	    optname != SO_REUSEPORT)
		return ret;
	init_once();
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
	    domain != xtcp_family) {
		errno = err;
		return ret;
	}
	ret = real_setsockopt(fd, IPPROTO_TCP, XTCP_REUSEPORT, optval, optlen);
	if (debug)
		log_line("xtcp-preload: %s(%d, SO_REUSEPORT) -> XTCP_REUSEPORT = %d\n",
			 __func__, fd, ret);
	return ret;
}
