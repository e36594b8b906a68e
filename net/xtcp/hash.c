// SPDX-License-Identifier: GPL-2.0
/* xtcp: the table of bound sockets, keyed by local port.
 *
 * Every xtcp socket that holds a port is here, whatever its state, so the
 * table is what /proc/net/xtcp lists.  Port ownership itself is decided by
 * native TCP (port.c); this table only records xtcp's own sockets.
 */
#include <linux/hash.h>
#include <linux/spinlock.h>
#include <net/sock.h>
#include <net/xtcp.h>

#define XTCP_BHASH_BITS	8
#define XTCP_BHASH_SIZE	BIT(XTCP_BHASH_BITS)

static struct hlist_head xtcp_bhash[XTCP_BHASH_SIZE];
/* Taken with BH off: timers will move sockets to and from TIME_WAIT. */
static DEFINE_SPINLOCK(xtcp_bhash_lock);

static struct hlist_head *xtcp_bhash_bucket(u16 port)
{
	return &xtcp_bhash[hash_32(port, XTCP_BHASH_BITS)];
}

void xtcp_bhash_add(struct sock *sk)
{
	spin_lock_bh(&xtcp_bhash_lock);
	sk_add_bind_node(sk, xtcp_bhash_bucket(inet_sk(sk)->inet_num));
	spin_unlock_bh(&xtcp_bhash_lock);
}

void xtcp_bhash_del(struct sock *sk)
{
	spin_lock_bh(&xtcp_bhash_lock);
	__sk_del_bind_node(sk);
	spin_unlock_bh(&xtcp_bhash_lock);
}

void xtcp_bhash_walk_begin(void)
	__acquires(&xtcp_bhash_lock)
{
	spin_lock_bh(&xtcp_bhash_lock);
}

void xtcp_bhash_walk_end(void)
	__releases(&xtcp_bhash_lock)
{
	spin_unlock_bh(&xtcp_bhash_lock);
}

/* The @pos-th socket of @net in table order, or NULL.  Linear in @pos;
 * the caller holds the table lock (xtcp_bhash_walk_begin()).
 */
struct sock *xtcp_bhash_walk(const struct net *net, loff_t pos)
{
	unsigned int i;
	struct sock *sk;

	lockdep_assert_held(&xtcp_bhash_lock);
	for (i = 0; i < XTCP_BHASH_SIZE; i++) {
		sk_for_each_bound(sk, &xtcp_bhash[i]) {
			if (!net_eq(sock_net(sk), net))
				continue;
			if (pos-- == 0)
				return sk;
		}
	}
	return NULL;
}
