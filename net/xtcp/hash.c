// SPDX-License-Identifier: GPL-2.0
/* xtcp: lookup tables.
 *
 * - established hash: every connection by its 4-tuple: full sockets
 *   (SYN_SENT and later), SYN queue entries and TIME_WAIT entries;
 * - listener hash: listening sockets by local port;
 * - bind table: everything that holds a port, whatever its state, hashed
 *   by namespace and 4-tuple; /proc/net/xtcp walks it (and skips sockets
 *   in CLOSE, as /proc/net/tcp lists none).
 *
 * Lookups run under RCU alone (the input path) and return the entry with
 * a reference taken; entries are freed an RCU grace period after their
 * last reference (SOCK_RCU_FREE, kfree_rcu) so a reader never sees freed
 * memory.  Writers serialise on one spinlock per table, taken with BH off
 * because timers add and remove entries; /proc/net/xtcp walks the bind
 * table under RCU alone.  Port ownership itself is decided
 * by native TCP (port.c).
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/spinlock.h>
#include <net/sock.h>
#include <net/sock_reuseport.h>
#include <net/xtcp.h>

/* 64K chains: a client namespace with 60,000 connections and its
 * server's (both ends on this one table) keep chains short for
 * connect()'s port search, which looks up one 4-tuple per port it tries.
 */
#define XTCP_EHASH_BITS	16
#define XTCP_LHASH_BITS	8
#define XTCP_BHASH_BITS	12

static struct hlist_head xtcp_ehash[BIT(XTCP_EHASH_BITS)];
static struct hlist_head xtcp_lhash[BIT(XTCP_LHASH_BITS)];
static struct hlist_head xtcp_bhash[BIT(XTCP_BHASH_BITS)];
static DEFINE_SPINLOCK(xtcp_ehash_lock);
static DEFINE_SPINLOCK(xtcp_lhash_lock);
static DEFINE_SPINLOCK(xtcp_bhash_lock);
static u32 xtcp_hash_seed __read_mostly;

static u32 xtcp_ehashfn(const struct net *net, __be32 laddr, __be16 lport,
			__be32 raddr, __be16 rport)
{
	net_get_random_once(&xtcp_hash_seed, sizeof(xtcp_hash_seed));
	return jhash_3words((__force u32)laddr, (__force u32)raddr,
			    ((__force u32)lport << 16) | (__force u32)rport,
			    xtcp_hash_seed + net_hash_mix(net));
}

static struct hlist_head *xtcp_ehash_bucket(const struct xtcp_hnode *hn)
{
	u32 h = xtcp_ehashfn(xtcp_hn_net(hn), hn->laddr, hn->lport,
			     hn->raddr, hn->rport);

	return &xtcp_ehash[hash_32(h, XTCP_EHASH_BITS)];
}

static struct hlist_head *xtcp_port_bucket(struct hlist_head *table,
					   unsigned int bits, __be16 port)
{
	return &table[hash_32((__force u32)port, bits)];
}

/**
 * xtcp_hn_init() - initialise a table node
 * @hn:   the node, embedded in a socket, SYN queue or TIME_WAIT entry
 * @net:  namespace the owner belongs to
 * @kind: XTCP_HK_SOCK, XTCP_HK_REQ or XTCP_HK_TW: what @hn is part of
 *
 * Zeroes the node (addresses, ports, state) and leaves it on no table.
 *
 * Context: any; @hn is not yet on a table, so nobody else sees it.
 */
void xtcp_hn_init(struct xtcp_hnode *hn, struct net *net, u8 kind)
{
	memset(hn, 0, sizeof(*hn));
	write_pnet(&hn->net, net);
	hn->kind = kind;
	INIT_HLIST_NODE(&hn->node);
	INIT_HLIST_NODE(&hn->bind_node);
}

/**
 * xtcp_hn_hold() - take a reference on what a table node is part of
 * @hn: a node found on a table
 *
 * The socket's sk_refcnt, or the SYN queue or TIME_WAIT entry's own
 * count, taken only if it is not already zero (an owner being freed
 * stays on the chain until its RCU grace period ends), as
 * __inet_lookup_established() does with refcount_inc_not_zero().
 *
 * Context: any; the caller holds rcu_read_lock() (or otherwise keeps
 * @hn's memory alive).
 * Return: true when the reference was taken, false if the owner is
 * going away.
 */
bool xtcp_hn_hold(struct xtcp_hnode *hn)
{
	switch (hn->kind) {
	case XTCP_HK_SOCK:
		return refcount_inc_not_zero(&xtcp_hn_sk(hn)->sk_refcnt);
	case XTCP_HK_REQ:
		return refcount_inc_not_zero(&container_of(hn, struct xtcp_request, hn)->ref);
	case XTCP_HK_TW:
		return refcount_inc_not_zero(&container_of(hn, struct xtcp_tw, hn)->ref);
	}
	return false;
}

/**
 * xtcp_hn_put() - drop a reference taken by xtcp_hn_hold()
 * @hn: the node
 *
 * sock_put(), xtcp_req_put() or xtcp_tw_put() by @hn's kind; the last
 * reference frees the owner.
 *
 * Context: any (the owners' put functions may run in softirq).
 */
void xtcp_hn_put(struct xtcp_hnode *hn)
{
	switch (hn->kind) {
	case XTCP_HK_SOCK:
		sock_put(xtcp_hn_sk(hn));
		break;
	case XTCP_HK_REQ:
		xtcp_req_put(container_of(hn, struct xtcp_request, hn));
		break;
	case XTCP_HK_TW:
		xtcp_tw_put(container_of(hn, struct xtcp_tw, hn));
		break;
	}
}

static bool xtcp_hn_same_tuple(const struct xtcp_hnode *a,
			       const struct xtcp_hnode *b)
{
	return net_eq(xtcp_hn_net(a), xtcp_hn_net(b)) &&
	       a->laddr == b->laddr && a->raddr == b->raddr &&
	       a->lport == b->lport && a->rport == b->rport;
}

/* xtcp_net's count of full sockets on the established hash, which early
 * demux reads (demux.c).  Caller holds xtcp_ehash_lock.
 */
static void xtcp_ehash_count(const struct xtcp_hnode *hn, int delta)
{
	struct xtcp_net *xn;

	if (hn->kind != XTCP_HK_SOCK)
		return;
	xn = xtcp_pernet(xtcp_hn_net(hn));
	WRITE_ONCE(xn->ehash_socks, xn->ehash_socks + delta);
}

/**
 * xtcp_ehash_insert() - add a connection to the established hash
 * @hn: node of a connecting socket or a SYN queue entry, 4-tuple set
 *
 * The 4-tuple is checked and the node added under xtcp_ehash_lock, so
 * two inserts of one tuple cannot both succeed (Linux's
 * __inet_hash_connect() check with inet_ehash_insert()).
 *
 * Context: process or softirq context; takes xtcp_ehash_lock with BHs
 * off.  Callers: connect() (socket owned) and xtcp_req_create().
 * Return: 0, or -EADDRNOTAVAIL when a connection, SYN queue or
 * TIME_WAIT entry already has the 4-tuple.
 */
int xtcp_ehash_insert(struct xtcp_hnode *hn)
{
	struct hlist_head *head = xtcp_ehash_bucket(hn);
	struct xtcp_hnode *other;

	spin_lock_bh(&xtcp_ehash_lock);
	hlist_for_each_entry(other, head, node) {
		if (xtcp_hn_same_tuple(hn, other)) {
			spin_unlock_bh(&xtcp_ehash_lock);
			return -EADDRNOTAVAIL;
		}
	}
	hlist_add_head_rcu(&hn->node, head);
	hn->in_table = 1;
	xtcp_ehash_count(hn, 1);
	spin_unlock_bh(&xtcp_ehash_lock);
	return 0;
}

/**
 * xtcp_ehash_used() - is a 4-tuple on the established hash
 * @net:   namespace
 * @laddr: local address and @lport local port
 * @lport: see @laddr
 * @raddr: remote address and @rport remote port
 * @rport: see @raddr
 *
 * A lockless hint for connect()'s port search (xtcp_port_connect()): a
 * tuple seen used is skipped without taking a lock; one seen free is
 * still checked and hashed under the lock by xtcp_ehash_insert().
 * Context: any; takes rcu_read_lock() itself.
 *
 * Return: true if a connection, SYN queue or TIME_WAIT entry has it.
 */
bool xtcp_ehash_used(const struct net *net, __be32 laddr, __be16 lport,
		     __be32 raddr, __be16 rport)
{
	u32 h = xtcp_ehashfn(net, laddr, lport, raddr, rport);
	struct hlist_head *head = &xtcp_ehash[hash_32(h, XTCP_EHASH_BITS)];
	struct xtcp_hnode *hn;
	bool used = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(hn, head, node) {
		if (hn->laddr == laddr && hn->raddr == raddr &&
		    hn->lport == lport && hn->rport == rport &&
		    net_eq(xtcp_hn_net(hn), net)) {
			used = true;
			break;
		}
	}
	rcu_read_unlock();
	return used;
}

/**
 * xtcp_ehash_replace() - swap one established hash entry for another
 * @old: the entry leaving; if it is no longer on the table, @new is
 *       simply added
 * @new: the entry taking its place, with the same 4-tuple
 *
 * Atomic for RCU lookups: a SYN queue entry becomes a socket, a socket
 * becomes a TIME_WAIT entry (Linux's inet_ehash_insert() with an
 * @osk, inet_twsk_hashdance()).
 *
 * Context: softirq or process context, the socket taking or leaving the
 * table locked (xtcp_req_rcv() holds the child's spinlock; xtcp_time_wait()
 * runs with the socket spinlock held or owned); takes xtcp_ehash_lock with
 * BHs off.
 */
void xtcp_ehash_replace(struct xtcp_hnode *old, struct xtcp_hnode *new)
{
	spin_lock_bh(&xtcp_ehash_lock);
	if (old->in_table) {
		hlist_replace_rcu(&old->node, &new->node);
		old->in_table = 0;
		xtcp_ehash_count(old, -1);
	} else {
		hlist_add_head_rcu(&new->node, xtcp_ehash_bucket(new));
	}
	new->in_table = 1;
	xtcp_ehash_count(new, 1);
	spin_unlock_bh(&xtcp_ehash_lock);
}

/**
 * xtcp_ehash_remove() - take an entry off the established hash
 * @hn: the node; nothing happens if it is not on the table
 *
 * Lookups under RCU may still see it until a grace period ends.
 * Linux's inet_unhash() for a socket that is not listening.
 *
 * Context: process or softirq context; takes xtcp_ehash_lock with BHs
 * off.
 */
void xtcp_ehash_remove(struct xtcp_hnode *hn)
{
	spin_lock_bh(&xtcp_ehash_lock);
	if (hn->in_table) {
		hlist_del_init_rcu(&hn->node);
		hn->in_table = 0;
		xtcp_ehash_count(hn, -1);
	}
	spin_unlock_bh(&xtcp_ehash_lock);
}

/* Linux's inet_reuseport_add_sock(): join the SO_REUSEPORT group of a
 * listener on the same port, address and device with the same owner, or
 * start one.  Caller holds xtcp_lhash_lock.
 */
static int xtcp_reuseport_add(struct sock *sk, struct hlist_head *head)
{
	const struct xtcp_hnode *hn = &xtcp_sk(sk)->hn;
	kuid_t uid = sock_i_uid(sk);
	struct xtcp_hnode *other;

	hlist_for_each_entry(other, head, node) {
		struct sock *sk2 = xtcp_hn_sk(other);

		if (sk2 != sk && sk2->sk_reuseport &&
		    net_eq(xtcp_hn_net(other), xtcp_hn_net(hn)) &&
		    other->lport == hn->lport && other->laddr == hn->laddr &&
		    sk2->sk_bound_dev_if == sk->sk_bound_dev_if &&
		    uid_eq(uid, sock_i_uid(sk2)))
			return reuseport_add_sock(sk, sk2, !hn->laddr);
	}
	return reuseport_alloc(sk, !hn->laddr);
}

/**
 * xtcp_lhash_insert() - make a listener visible to incoming SYNs
 * @hn: the listening socket's node (laddr, lport set)
 *
 * A socket with SO_REUSEPORT joins or starts a reuseport group, as
 * __inet_hash() does.
 *
 * Context: process context, socket owned by the caller (listen()); takes
 * xtcp_lhash_lock with BHs off.
 * Return: 0, or -ENOMEM when a reuseport group cannot be allocated.
 */
int xtcp_lhash_insert(struct xtcp_hnode *hn)
{
	struct hlist_head *head = xtcp_port_bucket(xtcp_lhash, XTCP_LHASH_BITS,
						   hn->lport);
	struct sock *sk = xtcp_hn_sk(hn);
	int err = 0;

	spin_lock_bh(&xtcp_lhash_lock);
	if (sk->sk_reuseport)
		err = xtcp_reuseport_add(sk, head);
	if (!err) {
		hlist_add_head_rcu(&hn->node, head);
		hn->in_table = 1;
	}
	spin_unlock_bh(&xtcp_lhash_lock);
	return err;
}

/**
 * xtcp_lhash_remove() - take a listener off the listener hash
 * @hn: the listening socket's node; nothing happens if it is not there
 *
 * Also leaves its reuseport group (inet_unhash()).
 *
 * Context: process or softirq context (xtcp_set_state() to CLOSE, with
 * the socket locked, and closing a listener); takes xtcp_lhash_lock with
 * BHs off.
 */
void xtcp_lhash_remove(struct xtcp_hnode *hn)
{
	struct sock *sk = xtcp_hn_sk(hn);

	spin_lock_bh(&xtcp_lhash_lock);
	if (hn->in_table) {
		hlist_del_init_rcu(&hn->node);
		hn->in_table = 0;
	}
	if (rcu_access_pointer(sk->sk_reuseport_cb))
		reuseport_detach_sock(sk);
	spin_unlock_bh(&xtcp_lhash_lock);
}

/**
 * xtcp_lookup_established() - the connection a segment belongs to
 * @net:   namespace of the arriving segment
 * @saddr: source address and @sport source port of the segment
 * @sport: see @saddr
 * @daddr: destination address and @dport destination port
 * @dport: see @daddr
 * @dif:   arriving interface; an entry bound to another device is skipped
 *
 * Looks up sockets, SYN queue and TIME_WAIT entries by the exact 4-tuple
 * (Linux's __inet_lookup_established()).
 *
 * Context: softirq or process; caller holds rcu_read_lock().
 * Return: the entry's node with a reference held (drop it with
 * xtcp_hn_put()), or NULL if none matches or the match is going away.
 */
struct xtcp_hnode *xtcp_lookup_established(struct net *net, __be32 saddr,
					   __be16 sport, __be32 daddr,
					   __be16 dport, int dif)
{
	u32 h = xtcp_ehashfn(net, daddr, dport, saddr, sport);
	struct hlist_head *head = &xtcp_ehash[hash_32(h, XTCP_EHASH_BITS)];
	struct xtcp_hnode *hn;

	hlist_for_each_entry_rcu(hn, head, node) {
		if (hn->laddr != daddr || hn->raddr != saddr ||
		    hn->lport != dport || hn->rport != sport ||
		    !net_eq(xtcp_hn_net(hn), net))
			continue;
		if (hn->bound_dev_if && hn->bound_dev_if != dif)
			continue;
		return xtcp_hn_hold(hn) ? hn : NULL;
	}
	return NULL;
}

/**
 * xtcp_lookup_listener() - the listener for a SYN
 * @net:   namespace of the arriving segment
 * @skb:   the segment, data at the TCP header, for a reuseport BPF
 *         program; may be NULL (then the 4-tuple hash alone decides)
 * @doff:  TCP header length in bytes
 * @saddr: source address and @sport source port of the segment
 * @sport: see @saddr
 * @daddr: destination address and @dport destination port
 * @dport: see @daddr
 * @dif:   arriving interface
 *
 * A listener bound to the address beats a wildcard one, and one bound to
 * the arriving device beats one that is not (compute_score()).  The
 * device is read from the socket, so SO_BINDTODEVICE counts whenever it
 * was set.  Among a reuseport group the 4-tuple hash picks one
 * (reuseport_select_sock(), as inet_lhash2_lookup()).
 *
 * Context: softirq (segment input), caller holds rcu_read_lock().
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_lookup_listener(struct net *net, struct sk_buff *skb,
				  int doff, __be32 saddr, __be16 sport,
				  __be32 daddr, __be16 dport, int dif)
{
	struct hlist_head *head = xtcp_port_bucket(xtcp_lhash, XTCP_LHASH_BITS,
						   dport);
	struct sock *sk, *best = NULL, *picked;
	int score, best_score = 0, bound_dev_if;
	struct xtcp_hnode *hn;

	hlist_for_each_entry_rcu(hn, head, node) {
		if (hn->lport != dport || !net_eq(xtcp_hn_net(hn), net))
			continue;
		if (hn->laddr && hn->laddr != daddr)
			continue;
		sk = xtcp_hn_sk(hn);
		bound_dev_if = READ_ONCE(sk->sk_bound_dev_if);
		if (bound_dev_if && bound_dev_if != dif)
			continue;
		score = 1 + !!hn->laddr * 2 + !!bound_dev_if;
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	if (best && rcu_access_pointer(best->sk_reuseport_cb)) {
		u32 hash = xtcp_ehashfn(net, daddr, dport, saddr, sport);

		picked = reuseport_select_sock(best, hash, skb, doff);
		if (picked)
			best = picked;
	}
	if (best && refcount_inc_not_zero(&best->sk_refcnt))
		return best;
	return NULL;
}

/**
 * xtcp_bhash_add() - put a port user on the bind table
 * @hn: node of a socket, SYN queue or TIME_WAIT entry holding a port
 *
 * The bind table is hashed by namespace and the whole 4-tuple, so the
 * many connections of one busy port spread over the buckets; a socket
 * that is only bound or listening hashes with a zero remote end.  The
 * bucket is remembered: the tuple of a socket may change while it holds
 * its port (connect() after bind()), the entry does not move.  Only
 * /proc/net/xtcp walks this table; who owns a port is native TCP's
 * decision (port.c), so this is no bind bucket in Linux's sense.
 *
 * Context: process or softirq context; takes xtcp_bhash_lock with BHs
 * off.
 */
void xtcp_bhash_add(struct xtcp_hnode *hn)
{
	u32 h = xtcp_ehashfn(xtcp_hn_net(hn), hn->laddr, hn->lport,
			     hn->raddr, hn->rport);

	spin_lock_bh(&xtcp_bhash_lock);
	hn->bind_bucket = hash_32(h, XTCP_BHASH_BITS);
	hlist_add_head_rcu(&hn->bind_node, &xtcp_bhash[hn->bind_bucket]);
	hn->in_bind = 1;
	spin_unlock_bh(&xtcp_bhash_lock);
}

/**
 * xtcp_bhash_del() - take a port user off the bind table
 * @hn: the node; nothing happens if it is not on the table
 *
 * Context: process or softirq context; takes xtcp_bhash_lock with BHs
 * off.
 */
void xtcp_bhash_del(struct xtcp_hnode *hn)
{
	spin_lock_bh(&xtcp_bhash_lock);
	if (hn->in_bind) {
		hlist_del_init_rcu(&hn->bind_node);
		hn->in_bind = 0;
	}
	spin_unlock_bh(&xtcp_bhash_lock);
}

/**
 * xtcp_bhash_size() - number of bind table buckets
 *
 * Context: any.
 * Return: the bucket count, for iterators of xtcp_bhash_walk().
 */
unsigned int xtcp_bhash_size(void)
{
	return ARRAY_SIZE(xtcp_bhash);
}

/**
 * xtcp_bhash_walk() - resume a walk of the bind table
 * @net: namespace whose entries are wanted
 * @bucket: in: bucket to look in; out: bucket of the entry returned
 * @offset: in: how many entries of @net to skip in *@bucket; out: the
 *	returned entry's index among @net's entries of its bucket
 *
 * The entry *@offset of @net in bucket *@bucket, or else the first one of
 * a later bucket.  Costs the length of the buckets looked at, so a walk
 * that saves its position (as Linux's established_get_next() and
 * tcp_seek_last_pos() do) is linear in the table size.  Entries added or
 * removed meanwhile may be missed or seen twice, as in /proc/net/tcp.
 *
 * Context: rcu_read_lock() held; the entry stays valid until it is
 * dropped (entries are freed an RCU grace period after their last
 * reference), but may be off the table already.
 * Return: the entry, or NULL after the last bucket.
 */
struct xtcp_hnode *xtcp_bhash_walk(const struct net *net,
				   unsigned int *bucket, unsigned int *offset)
{
	struct xtcp_hnode *hn;
	unsigned int skip;

	for (; *bucket < ARRAY_SIZE(xtcp_bhash); (*bucket)++, *offset = 0) {
		skip = *offset;
		hlist_for_each_entry_rcu(hn, &xtcp_bhash[*bucket], bind_node) {
			if (!net_eq(xtcp_hn_net(hn), net))
				continue;
			if (!skip)
				return hn;
			skip--;
		}
	}
	return NULL;
}

/* A SYN queue or TIME_WAIT entry that nobody is taking off the tables
 * yet.  Caller holds xtcp_bhash_lock.
 */
static bool xtcp_minisock_live(struct xtcp_hnode *hn)
{
	switch (hn->kind) {
	case XTCP_HK_REQ:
		return !READ_ONCE(container_of(hn, struct xtcp_request, hn)->dead);
	case XTCP_HK_TW:
		return !READ_ONCE(container_of(hn, struct xtcp_tw, hn)->dead);
	}
	return false;
}

/* Collect, with references, up to @max live SYN queue and TIME_WAIT
 * entries of @net (NULL: all namespaces) from one bucket, so they can be
 * killed outside the table lock.
 */
static int xtcp_collect_minisocks(struct net *net, unsigned int bucket,
				  struct xtcp_hnode **out, int max)
{
	struct xtcp_hnode *hn;
	int n = 0;

	spin_lock_bh(&xtcp_bhash_lock);
	hlist_for_each_entry(hn, &xtcp_bhash[bucket], bind_node) {
		if (!xtcp_minisock_live(hn))
			continue;
		if (net && !net_eq(xtcp_hn_net(hn), net))
			continue;
		if (!xtcp_hn_hold(hn))
			continue;
		out[n++] = hn;
		if (n == max)
			break;
	}
	spin_unlock_bh(&xtcp_bhash_lock);
	return n;
}

/**
 * xtcp_hash_purge() - end every SYN queue and TIME_WAIT entry
 * @net: namespace, or NULL for all
 *
 * For namespace exit and module unload: nothing else would end them
 * before their timers.  One pass over the buckets; a kill takes the entry
 * off the bind table (or another CPU that already claimed it does), and
 * entries being killed elsewhere are skipped, so each bucket is
 * revisited only while it yields entries.  Each kill cancels the entry's
 * timer and drops the timer's reference if the cancel succeeded (the
 * rule in include/net/xtcp_timer.h); a handler already running finds
 * the entry dead, or claimed it first and is waited for by an RCU grace
 * period (namespace exit calls this from pre_exit).
 *
 * Context: process context.
 */
void xtcp_hash_purge(struct net *net)
{
	struct xtcp_hnode *batch[32];
	unsigned int bucket;
	int i, n;

	for (bucket = 0; bucket < ARRAY_SIZE(xtcp_bhash); bucket++) {
		do {
			n = xtcp_collect_minisocks(net, bucket, batch,
						   ARRAY_SIZE(batch));
			for (i = 0; i < n; i++) {
				struct xtcp_hnode *hn = batch[i];

				if (hn->kind == XTCP_HK_TW)
					xtcp_tw_kill(container_of(hn, struct xtcp_tw, hn));
				else
					xtcp_req_drop(container_of(hn, struct xtcp_request, hn));
				xtcp_hn_put(hn);
			}
		} while (n);
	}
}
