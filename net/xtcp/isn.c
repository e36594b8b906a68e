// SPDX-License-Identifier: GPL-2.0
/* xtcp: initial sequence numbers, RFC 6528.
 *
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where
 * M is a clock and F a keyed hash (RFC 6528 s.3).  F is SipHash with a key
 * drawn at module load, so sequence numbers of different connections are
 * unrelated and unguessable from outside; M advances once every 64 ns, so
 * a new incarnation of the same 4-tuple starts ahead of the old one's
 * sequence space (RFC 9293 s.3.4.1).
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/ktime.h>
#include <net/xtcp.h>

static siphash_key_t xtcp_isn_key __read_mostly;

/**
 * xtcp_isn_init() - draw the secret key of the ISN hash
 *
 * Description: The secret of RFC 6528 s.3's keyed hash F; drawn once, so an ISN
 * is a function of the 4-tuple and the clock only for as long as the module is
 * loaded (Linux draws net_secret lazily, net_secret_init()).
 *
 * Context: process context, module init, before any connection exists.
 */
void xtcp_isn_init(void)
{
	get_random_bytes(&xtcp_isn_key, sizeof(xtcp_isn_key));
}

/**
 * xtcp_isn() - initial sequence number for a connection
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 *
 * RFC 6528 s.3: a keyed hash of the 4-tuple plus a clock ticking every
 * 64 ns; Linux's secure_tcp_seq().
 *
 * Context: any.
 * Return: the ISN.
 */
u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 f = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			     (__force u32)sport << 16 | (__force u32)dport,
			     &xtcp_isn_key);

	return f + (u32)(ktime_get_real_ns() >> 6);
}
