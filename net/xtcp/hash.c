// SPDX-License-Identifier: GPL-2.0
/* xtcp: lookup tables.
 *
 * - established hash: every connection by its 4-tuple: full sockets
 *   (SYN_SENT and later), SYN queue entries and TIME_WAIT entries;
 * - listener hash: listening sockets by local port;
 * - bind table: everything that holds a port, whatever its state, which
 *   is what /proc/net/xtcp lists.
 *
 * Lookups run under RCU alone (the input path) and return the entry with
 * a reference taken; entries are freed an RCU grace period after their
 * last reference (SOCK_RCU_FREE, kfree_rcu) so a reader never sees freed
 * memory.  Writers serialise on one spinlock per table, taken with BH off
 * because timers add and remove entries.  Port ownership itself is decided
 * by native TCP (port.c).
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/spinlock.h>
#include <net/sock.h>
#include <net/sock_reuseport.h>
#include <net/xtcp.h>

#define XTCP_EHASH_BITS	12
#define XTCP_LHASH_BITS	8
#define XTCP_BHASH_BITS	8

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

void xtcp_hn_init(struct xtcp_hnode *hn, struct net *net, u8 kind)
{
	memset(hn, 0, sizeof(*hn));
	write_pnet(&hn->net, net);
	hn->kind = kind;
	INIT_HLIST_NODE(&hn->node);
	INIT_HLIST_NODE(&hn->bind_node);
}

/* Take a reference on whatever @hn is part of; false if it is going away. */
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

/* Add a connection; -EADDRNOTAVAIL if its 4-tuple is taken (connect()). */
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
	spin_unlock_bh(&xtcp_ehash_lock);
	return 0;
}

/* Swap one entry for another with the same 4-tuple, atomically for
 * lookups: SYN queue entry to socket, socket to TIME_WAIT.
 */
void xtcp_ehash_replace(struct xtcp_hnode *old, struct xtcp_hnode *new)
{
	spin_lock_bh(&xtcp_ehash_lock);
	if (old->in_table) {
		hlist_replace_rcu(&old->node, &new->node);
		old->in_table = 0;
	} else {
		hlist_add_head_rcu(&new->node, xtcp_ehash_bucket(new));
	}
	new->in_table = 1;
	spin_unlock_bh(&xtcp_ehash_lock);
}

void xtcp_ehash_remove(struct xtcp_hnode *hn)
{
	spin_lock_bh(&xtcp_ehash_lock);
	if (hn->in_table) {
		hlist_del_init_rcu(&hn->node);
		hn->in_table = 0;
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
 * __inet_hash() does.  Process context, socket owned by the caller.
 *
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
 * Also leaves its reuseport group (inet_unhash()).  Any context.
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

/* The connection a segment from saddr:sport to daddr:dport belongs to,
 * with a reference held, or NULL.  Caller holds rcu_read_lock().
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
 * (reuseport_select_sock(), as inet_lhash2_lookup()).  Caller holds RCU.
 *
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

void xtcp_bhash_add(struct xtcp_hnode *hn)
{
	spin_lock_bh(&xtcp_bhash_lock);
	hlist_add_head(&hn->bind_node, xtcp_port_bucket(xtcp_bhash,
							XTCP_BHASH_BITS,
							hn->lport));
	hn->in_bind = 1;
	spin_unlock_bh(&xtcp_bhash_lock);
}

void xtcp_bhash_del(struct xtcp_hnode *hn)
{
	spin_lock_bh(&xtcp_bhash_lock);
	if (hn->in_bind) {
		hlist_del_init(&hn->bind_node);
		hn->in_bind = 0;
	}
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

/* The @pos-th entry of @net in table order, or NULL.  Linear in @pos;
 * the caller holds the table lock (xtcp_bhash_walk_begin()).
 */
struct xtcp_hnode *xtcp_bhash_walk(const struct net *net, loff_t pos)
{
	struct xtcp_hnode *hn;
	unsigned int i;

	lockdep_assert_held(&xtcp_bhash_lock);
	for (i = 0; i < ARRAY_SIZE(xtcp_bhash); i++) {
		hlist_for_each_entry(hn, &xtcp_bhash[i], bind_node) {
			if (!net_eq(xtcp_hn_net(hn), net))
				continue;
			if (pos-- == 0)
				return hn;
		}
	}
	return NULL;
}

/* Collect, with references, the SYN queue and TIME_WAIT entries of @net
 * (NULL: all namespaces), or only the SYN queue entries of @listener, so
 * they can be killed outside the table lock.
 */
static bool xtcp_is_req_of(const struct xtcp_hnode *hn,
			   const struct sock *listener)
{
	return hn->kind == XTCP_HK_REQ &&
	       container_of(hn, struct xtcp_request, hn)->listener == listener;
}

static int xtcp_collect_minisocks(struct net *net, const struct sock *listener,
				  struct xtcp_hnode **out, int max)
{
	struct xtcp_hnode *hn;
	unsigned int i;
	int n = 0;

	spin_lock_bh(&xtcp_bhash_lock);
	for (i = 0; i < ARRAY_SIZE(xtcp_bhash) && n < max; i++) {
		hlist_for_each_entry(hn, &xtcp_bhash[i], bind_node) {
			if (hn->kind == XTCP_HK_SOCK)
				continue;
			if (net && !net_eq(xtcp_hn_net(hn), net))
				continue;
			if (listener && !xtcp_is_req_of(hn, listener))
				continue;
			if (!xtcp_hn_hold(hn))
				continue;
			out[n++] = hn;
			if (n == max)
				break;
		}
	}
	spin_unlock_bh(&xtcp_bhash_lock);
	return n;
}

/* Kill the entries xtcp_collect_minisocks() selects; each kill takes the
 * entry off the bind table, so the loop ends.
 */
static void xtcp_purge(struct net *net, const struct sock *listener)
{
	struct xtcp_hnode *batch[32];
	int i, n;

	do {
		n = xtcp_collect_minisocks(net, listener, batch,
					   ARRAY_SIZE(batch));
		for (i = 0; i < n; i++) {
			struct timer_list *timer;

			if (batch[i]->kind == XTCP_HK_TW) {
				struct xtcp_tw *tw = container_of(batch[i], struct xtcp_tw, hn);

				xtcp_tw_kill(tw);
				timer = &tw->timer;
			} else {
				struct xtcp_request *req =
					container_of(batch[i], struct xtcp_request, hn);

				xtcp_req_drop(req);
				timer = &req->timer;
			}
			/* A timer running elsewhere must be done with it. */
			del_timer_sync(timer);
			xtcp_hn_put(batch[i]);
		}
	} while (n);
}

/* Every SYN queue and TIME_WAIT entry of @net (NULL: all), for namespace
 * exit and module unload: nothing else would end them.
 */
void xtcp_hash_purge(struct net *net)
{
	xtcp_purge(net, NULL);
}

/* A listener closes: its half-open connections go with it. */
void xtcp_listener_drop_reqs(struct sock *listener)
{
	xtcp_purge(NULL, listener);
}
