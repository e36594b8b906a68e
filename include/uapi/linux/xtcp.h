/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xtcp: what user space sees of the alternate TCP module.
 *
 * Sockets are opened with socket(AF_XTCP, SOCK_STREAM, 0) and take and
 * return plain struct sockaddr_in addresses (sin_family AF_INET or AF_XTCP
 * on input, always AF_INET on output), so programs written for AF_INET work
 * unchanged once the family number is swapped.
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

/*
 * Default address family number.  12 was AF_DECnet, whose implementation
 * left the kernel in 6.1, so the slot below AF_MAX is free there.  The
 * module parameter "family" moves it; the number in force is readable
 * from XTCP_FAMILY_PARAM.
 */
#define XTCP_DEFAULT_FAMILY	12
#ifndef AF_XTCP
#define AF_XTCP			XTCP_DEFAULT_FAMILY
#endif
#ifndef PF_XTCP
#define PF_XTCP			AF_XTCP
#endif

#define XTCP_FAMILY_PARAM	"/sys/module/xtcp/parameters/family"

/*
 * Socket options of level IPPROTO_TCP (SOL_TCP) that only xtcp has,
 * numbered far above Linux's TCP_* options.
 *
 * XTCP_REUSEPORT (int, 0 or 1): what SO_REUSEPORT is for an AF_INET
 * socket.  Linux 6.1 grants SOL_SOCKET/SO_REUSEPORT to AF_INET and
 * AF_INET6 sockets only (EOPNOTSUPP for any other family) before a
 * protocol sees it, so xtcp takes it here; getsockopt(SOL_SOCKET,
 * SO_REUSEPORT) reads it back.  The LD_PRELOAD wrapper (scripts/xtcp-run)
 * turns a program's SO_REUSEPORT into this option.
 */
#define XTCP_REUSEPORT		0x5801

#endif /* _UAPI_LINUX_XTCP_H */
