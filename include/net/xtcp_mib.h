/* SPDX-License-Identifier: GPL-2.0 */
/* xtcp: per-namespace MIB counters, Linux's TCP_MIB_* and LINUX_MIB_TCP*
 * under the same names (net/xtcp/mib.c prints them as
 * /proc/net/xtcp_snmp and /proc/net/xtcp_netstat).  Each counter is
 * incremented where Linux increments its twin; Documentation/counters.rst
 * lists them and the Linux counters xtcp does not keep.
 */
#ifndef _NET_XTCP_MIB_H
#define _NET_XTCP_MIB_H

#include <net/snmp.h>

enum xtcp_mib_field {
	/* "Tcp:" of /proc/net/snmp (TCP_MIB_*) */
	XTCP_MIB_ACTIVEOPENS,
	XTCP_MIB_PASSIVEOPENS,
	XTCP_MIB_ATTEMPTFAILS,
	XTCP_MIB_ESTABRESETS,
	XTCP_MIB_CURRESTAB,
	XTCP_MIB_INSEGS,
	XTCP_MIB_OUTSEGS,
	XTCP_MIB_RETRANSSEGS,
	XTCP_MIB_INERRS,
	XTCP_MIB_OUTRSTS,
	XTCP_MIB_CSUMERRORS,
	XTCP_MIB_TCP_MAX,
	/* "TcpExt:" of /proc/net/netstat (LINUX_MIB_*), in its order */
	XTCP_MIB_DELAYEDACKS = XTCP_MIB_TCP_MAX,
	XTCP_MIB_TCPRENORECOVERY,
	XTCP_MIB_TCPSACKRECOVERY,
	XTCP_MIB_TCPSACKREORDER,
	XTCP_MIB_TCPRENOREORDER,
	XTCP_MIB_TCPTSREORDER,
	XTCP_MIB_TCPFULLUNDO,
	XTCP_MIB_TCPPARTIALUNDO,
	XTCP_MIB_TCPDSACKUNDO,
	XTCP_MIB_TCPLOSSUNDO,
	XTCP_MIB_TCPLOSTRETRANSMIT,
	XTCP_MIB_TCPRENOFAILURES,
	XTCP_MIB_TCPSACKFAILURES,
	XTCP_MIB_TCPLOSSFAILURES,
	XTCP_MIB_TCPFASTRETRANS,
	XTCP_MIB_TCPSLOWSTARTRETRANS,
	XTCP_MIB_TCPTIMEOUTS,
	XTCP_MIB_TCPLOSSPROBES,
	XTCP_MIB_TCPLOSSPROBERECOVERY,
	XTCP_MIB_TCPRENORECOVERYFAIL,
	XTCP_MIB_TCPSACKRECOVERYFAIL,
	XTCP_MIB_TCPDSACKOLDSENT,
	XTCP_MIB_TCPDSACKOFOSENT,
	XTCP_MIB_TCPDSACKRECV,
	XTCP_MIB_TCPDSACKOFORECV,
	XTCP_MIB_TCPABORTONDATA,
	XTCP_MIB_TCPABORTONCLOSE,
	XTCP_MIB_TCPABORTONTIMEOUT,
	XTCP_MIB_TCPABORTONLINGER,
	XTCP_MIB_TCPSACKDISCARD,
	XTCP_MIB_TCPDSACKIGNOREDOLD,
	XTCP_MIB_TCPDSACKIGNOREDNOUNDO,
	XTCP_MIB_TCPSPURIOUSRTOS,
	XTCP_MIB_TCPRETRANSFAIL,
	XTCP_MIB_TCPOFOQUEUE,
	XTCP_MIB_TCPOFODROP,
	XTCP_MIB_TCPSYNRETRANS,
	XTCP_MIB_TCPACKCOMPRESSED,
	XTCP_MIB_TCPRCVQDROP,
	XTCP_MIB_TCPDSACKRECVSEGS,
	XTCP_MIB_TCPDSACKIGNOREDDUBIOUS,
	XTCP_MIB_PAWSESTABREJECTED,
	XTCP_MIB_TCPBACKLOGDROP,
	XTCP_MIB_TCPBACKLOGCOALESCE,
	XTCP_MIB_PRUNECALLED,
	XTCP_MIB_RCVPRUNED,
	XTCP_MIB_OFOPRUNED,
	XTCP_MIB_TCPRCVCOLLAPSED,
	/* SYN cookies and listen queue overflows (minisocks.c). */
	XTCP_MIB_SYNCOOKIESSENT,
	XTCP_MIB_SYNCOOKIESRECV,
	XTCP_MIB_SYNCOOKIESFAILED,
	XTCP_MIB_LISTENOVERFLOWS,
	XTCP_MIB_LISTENDROPS,
	XTCP_MIB_TCPREQQFULLDOCOOKIES,
	XTCP_MIB_TCPREQQFULLDROP,
	XTCP_MIB_EMBRYONICRSTS,
	XTCP_MIB_TCPDEFERACCEPTDROP,
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

/* Any context: this_cpu operations, as Linux's NET_INC_STATS(). */
#define XTCP_INC_STATS(net, field) \
	SNMP_INC_STATS(xtcp_pernet(net)->mib, field)
#define XTCP_DEC_STATS(net, field) \
	SNMP_DEC_STATS(xtcp_pernet(net)->mib, field)
#define XTCP_ADD_STATS(net, field, val) \
	SNMP_ADD_STATS(xtcp_pernet(net)->mib, field, val)
/* The same for a full xtcp socket's namespace (xtcp_sk_pernet()). */
#define XTCP_SK_INC_STATS(sk, field) \
	SNMP_INC_STATS(xtcp_sk_pernet(sk)->mib, field)
#define XTCP_SK_DEC_STATS(sk, field) \
	SNMP_DEC_STATS(xtcp_sk_pernet(sk)->mib, field)
#define XTCP_SK_ADD_STATS(sk, field, val) \
	SNMP_ADD_STATS(xtcp_sk_pernet(sk)->mib, field, val)

struct sock;
struct net;
struct xtcp_net;
struct xtcp_sack_rcv;

int xtcp_mib_net_init(struct net *net);
void xtcp_mib_net_exit(struct net *net);
void xtcp_mib_set_state(struct sock *sk, int oldstate, int state);
void xtcp_mib_timeout(struct sock *sk, bool syn);
void xtcp_mib_rto_failure(struct sock *sk);
void xtcp_mib_dsack(struct sock *sk, u32 start_seq, u32 ack_seq, u32 dups);
void xtcp_mib_sack_verdict(struct sock *sk, int verdict);
void xtcp_mib_out(struct xtcp_net *xn, u8 flags, u32 segs);
void xtcp_mib_syn_retrans(struct net *net);
void xtcp_mib_csum_error(struct net *net);
bool xtcp_sack_rcv_dup_mib(struct sock *sk, struct xtcp_sack_rcv *sr,
			   u32 rcv_nxt, u32 seq, u32 end_seq);
void xtcp_sack_rcv_data_mib(struct sock *sk, struct xtcp_sack_rcv *sr,
			    u32 rcv_nxt, u32 seq, u32 end_seq);

#endif /* _NET_XTCP_MIB_H */
