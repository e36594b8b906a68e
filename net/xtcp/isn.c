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

void xtcp_isn_init(void)
{
	get_random_bytes(&xtcp_isn_key, sizeof(xtcp_isn_key));
}

u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 f = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			     (__force u32)sport << 16 | (__force u32)dport,
			     &xtcp_isn_key);

	return f + (u32)(ktime_get_real_ns() >> 6);
}
