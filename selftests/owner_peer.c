// SPDX-License-Identifier: GPL-2.0
/* owner_peer: a reader that holds its socket (lock_sock()) for as long as
 * a test wants, for selftests/backlog_test.py.  A tool, not a test.
 *
 *   owner_peer -f FAM -l ADDR:PORT [-t SECS] [-w BYTES]
 *
 * Listens ("listening"), accepts one connection ("accepted"); with -w,
 * writes BYTES (at most 4096) bytes ("write N ret=R errno=E"), which stay
 * unacknowledged as long as the test wants (selftests/timers_test.py:
 * an RTO that fires while the socket is held); then waits until
 * data is readable, then recv()s into a buffer registered with
 * userfaultfd whose pages are missing: the kernel's copy to user space
 * faults and waits in the fault while recvmsg() holds the socket, so
 * every segment that arrives meanwhile goes to the socket's backlog.
 * "fault" is printed once the fault is seen (the socket is held from
 * then on).  A line "release" on stdin fills the buffer and lets the
 * copy go on; then "recv ret=R errno=E", then it reads to EOF or error:
 * "readall bytes=N errno=E" (N counts the first recv() too).
 *
 * alarm(4 * SECS) ends a stuck run.  Exit 0 unless setup failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "lib/util.h"
#include "lib/peer.h"

#define HELD_LEN	(1024 * 1024)

static int uffd;
static char *held;

/* Reports the fault, then resolves the whole buffer on "release". */
static void *releaser(void *arg)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (unsigned long)held, .len = HELD_LEN },
	};
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;
	char line[64];

	if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		fail("userfaultfd event");
	printf("fault\n");
	while (fgets(line, sizeof(line), stdin))
		if (!strncmp(line, "release", 7))
			break;
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zp))
		fail("UFFDIO_ZEROPAGE");
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct peer_args pa = { .fam = AF_INET, .secs = 10 };
	int wlen = 0, fd, c, opt;
	struct pollfd pfd;
	struct sockaddr_in sin;
	size_t total = 0;
	pthread_t thr;
	char buf[4096];
	ssize_t r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:l:t:w:")) != -1) {
		if (opt == 'w')
			wlen = atoi(optarg);
		else if (!peer_arg(&pa, opt, optarg))
			return 2;
	}
	if (!pa.listen_at || parse_addr(pa.listen_at, &sin) || wlen < 0 ||
	    wlen > (int)sizeof(buf))
		return 2;
	alarm(4 * pa.secs);

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		fail("userfaultfd");
	held = mmap(NULL, HELD_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (held == MAP_FAILED)
		fail("mmap");
	reg.range.start = (unsigned long)held;
	reg.range.len = HELD_LEN;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		fail("UFFDIO_REGISTER");

	fd = socket(pa.fam, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	peer_listen(fd, &sin, 4);
	c = peer_accept(fd, pa.secs);
	if (wlen) {
		memset(buf, 'w', wlen);
		r = write(c, buf, wlen);
		printf("write %d ret=%zd errno=%d\n", wlen, r, r < 0 ? errno : 0);
	}

	pfd = (struct pollfd){ .fd = c, .events = POLLIN };
	if (poll(&pfd, 1, pa.secs * 1000) != 1)
		fail("no data");
	if (pthread_create(&thr, NULL, releaser, NULL))
		fail("pthread_create");
	r = recv(c, held, HELD_LEN, 0);
	printf("recv ret=%zd errno=%d\n", r, r < 0 ? errno : 0);
	pthread_join(thr, NULL);
	if (r > 0)
		total = r;
	while ((r = read(c, buf, sizeof(buf))) > 0)
		total += r;
	printf("readall bytes=%zu errno=%d\n", total, r < 0 ? errno : 0);
	return 0;
}
