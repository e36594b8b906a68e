/* SPDX-License-Identifier: GPL-2.0 */
/* peer.h: what the scripted peers (the programs named *_peer.c in
 * selftests/) share.  A peer is one socket of a test that python cannot
 * open itself (AF_XTCP); it prints one line per step on stdout, where the
 * test reads it.
 *
 * The common command line: -f FAM ("xtcp", "inet" or a number: see
 * family_by_name() in util.h), -l ADDR:PORT (listen there), -c ADDR:PORT
 * (connect there), -t SECS (the bound on every blocking call).  The
 * Makefile links selftests/lib/peer.c into every *_peer program; include
 * "lib/util.h" first.
 */
#ifndef XTCP_SELFTESTS_PEER_H
#define XTCP_SELFTESTS_PEER_H

#include <stdbool.h>
#include <netinet/in.h>

/* The common options, as peer_arg() fills them in. */
struct peer_args {
	int fam;		/* -f, AF_INET by default */
	const char *listen_at;	/* -l ADDR:PORT, or NULL */
	const char *connect_to;	/* -c ADDR:PORT, or NULL */
	int secs;		/* -t SECS, the caller's default otherwise */
};

/* "error @what errno=E TEXT" on stdout, exit status 1. */
void fail(const char *what);

/* Take getopt()'s @opt (with @arg) if it is one of f, l, c and t into
 * @pa; false for any other option.
 */
bool peer_arg(struct peer_args *pa, int opt, const char *arg);

/* The address of -l, else -c, into @sin (fail("address")), and a stream
 * socket of family -f (fail("socket")) whose blocking calls -t bounds.
 * Returns the socket.
 */
int peer_socket(const struct peer_args *pa, struct sockaddr_in *sin);

/* SO_REUSEADDR, bind() to @sin and listen() with @backlog on socket @fd,
 * then "listening"; fail("listen") if bind() or listen() fails.
 */
void peer_listen(int fd, const struct sockaddr_in *sin, int backlog);

/* Wait up to @secs for a connection on listener @lfd (fail("accept
 * timeout")), accept it (fail("accept")), close @lfd, bound the new
 * socket's blocking calls by @secs and print "accepted".  Returns the
 * accepted socket.
 */
int peer_accept(int lfd, int secs);

/* Whole seconds the "sleep:MS" actions among @argv[0..@argc) add to a
 * run's alarm() (each rounded up by one).
 */
unsigned int peer_sleep_secs(int argc, char **argv);

/* The actions every command-line-scripted peer takes the same way, on
 * socket *@fd, each printing one line:
 *
 *   readall   read to EOF or error: "readall bytes=N errno=E"
 *   readsum   the same, with the 32-bit FNV-1a hash of the bytes read
 *             (offset basis 2166136261, prime 16777619), 8 hex digits:
 *             "readsum bytes=N errno=E fnv1a=HEX"
 *   sleep:MS  sleep MS milliseconds: "slept MS"
 *   close     close(), *@fd becomes -1: "closed"
 *
 * Returns false when @a is none of them.
 */
bool peer_action(int *fd, const char *a);

#endif /* XTCP_SELFTESTS_PEER_H */
