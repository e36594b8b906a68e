// SPDX-License-Identifier: GPL-2.0
/* xtcp: /proc/net/xtcp, one line per socket in the format of
 * /proc/net/tcp so that tools parsing that file read this one too.
 *
 * As /proc/net/tcp it lists listeners, connections (SYN queue entries
 * included) and TIME_WAIT entries, never a socket in CLOSE: not one that
 * is only bound, nor one whose connection ended (in TIME_WAIT or not) but
 * that keeps a port the user bound.  The file walks the bind table (where
 * all of these are) under RCU alone, one bucket after the other, skipping
 * CLOSE sockets, so readers never hold a lock that keeps BHs off.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/xtcp.h>

/* Width of every line including the newline, as /proc/net/tcp pads it. */
#define XTCP_PROC_LINE	150

/* Where a reader is: the entry at position last_pos (1 is the first
 * entry, 0 the header) is the offset-th entry of the namespace in bind
 * table bucket "bucket".  A read() that continues where the previous one
 * stopped resumes there, as Linux's tcp_seek_last_pos() does, so reading
 * the whole file is linear in the table size.
 */
struct xtcp_iter_state {
	struct seq_net_private p;
	unsigned int bucket;
	unsigned int offset;
	loff_t last_pos;
};

/* Linux lists what its listening and established hashes hold, and
 * TIME_WAIT entries: a socket in CLOSE is in neither.
 */
static bool xtcp_seq_listed(const struct xtcp_hnode *hn)
{
	return hn->kind != XTCP_HK_SOCK || READ_ONCE(hn->state) != TCP_CLOSE;
}

/* The bind table entry after @hn (NULL: the first one), listed or not,
 * position saved.
 */
static struct xtcp_hnode *xtcp_seq_step(struct seq_file *seq,
					struct xtcp_hnode *hn)
{
	struct xtcp_iter_state *st = seq->private;
	struct net *net = seq_file_net(seq);

	if (!hn) {
		st->bucket = 0;
		st->offset = 0;
		return xtcp_bhash_walk(net, &st->bucket, &st->offset);
	}
	/* The rest of @hn's chain, then the next buckets.  An entry taken
	 * off the table keeps its link onward, so this stays a walk of
	 * valid entries (RCU); a moved one may make entries show twice or
	 * not at all, as in /proc/net/tcp.
	 */
	hlist_for_each_entry_continue_rcu(hn, bind_node) {
		if (net_eq(xtcp_hn_net(hn), net)) {
			st->offset++;
			return hn;
		}
	}
	st->bucket++;
	st->offset = 0;
	return xtcp_bhash_walk(net, &st->bucket, &st->offset);
}

/* @hn if it is listed, else the next listed entry, position saved. */
static struct xtcp_hnode *xtcp_seq_skip(struct seq_file *seq,
					struct xtcp_hnode *hn)
{
	while (hn && !xtcp_seq_listed(hn))
		hn = xtcp_seq_step(seq, hn);
	return hn;
}

/* The listed entry after @hn (NULL: the first one), position saved. */
static struct xtcp_hnode *xtcp_seq_advance(struct seq_file *seq,
					   struct xtcp_hnode *hn)
{
	return xtcp_seq_skip(seq, xtcp_seq_step(seq, hn));
}

static void *xtcp_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct xtcp_iter_state *st = seq->private;
	struct xtcp_hnode *hn;
	loff_t i;

	rcu_read_lock();
	if (!*pos) {
		st->last_pos = 0;
		return SEQ_START_TOKEN;
	}
	if (*pos == st->last_pos) {
		/* Where the last read() stopped (or the end). */
		hn = NULL;
		if (st->bucket < xtcp_bhash_size())
			hn = xtcp_seq_skip(seq,
					   xtcp_bhash_walk(seq_file_net(seq),
							   &st->bucket,
							   &st->offset));
	} else {
		/* A seek elsewhere: count from the start. */
		hn = xtcp_seq_advance(seq, NULL);
		for (i = 1; hn && i < *pos; i++)
			hn = xtcp_seq_advance(seq, hn);
	}
	st->last_pos = *pos;
	return hn;
}

static void *xtcp_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xtcp_iter_state *st = seq->private;
	struct xtcp_hnode *hn;

	hn = xtcp_seq_advance(seq, v == SEQ_START_TOKEN ? NULL : v);
	++*pos;
	st->last_pos = *pos;
	return hn;
}

static void xtcp_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* Columns as in /proc/net/tcp.  tx_queue and rx_queue are bytes not yet
 * acknowledged and not yet read; the timer columns stay zero for now.
 * Addresses print as the raw __be32, as tcp does.  SYN queue (03) and
 * TIME_WAIT (06) entries have no inode, as in Linux.
 */
static void xtcp_show_hnode(struct seq_file *seq, struct xtcp_hnode *hn)
{
	unsigned long ino = 0;
	u32 txq = 0, rxq = 0;
	void *ptr = hn;
	int refs = 0;
	kuid_t uid = GLOBAL_ROOT_UID;
	/* A socket's state changes under us (xtcp_set_state()). */
	int state = READ_ONCE(hn->state);

	if (hn->kind == XTCP_HK_SOCK) {
		struct sock *sk = xtcp_hn_sk(hn);
		struct xtcp_sock *xsk = xtcp_sk(sk);

		if (state == TCP_LISTEN) {
			rxq = READ_ONCE(sk->sk_ack_backlog);
		} else {
			txq = READ_ONCE(xsk->write_seq) - READ_ONCE(xsk->snd_una);
			rxq = max_t(int, READ_ONCE(xsk->rcv_nxt) -
					 READ_ONCE(xsk->copied_seq), 0);
		}
		uid = sock_i_uid(sk);
		ino = sock_i_ino(sk);
		refs = refcount_read(&sk->sk_refcnt);
		ptr = sk;
	}
	seq_printf(seq, "%4lld: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK",
		   seq->index - 1, hn->laddr, ntohs(hn->lport),
		   hn->raddr, ntohs(hn->rport), state, txq, rxq,
		   0, 0UL, 0, from_kuid_munged(seq_user_ns(seq), uid),
		   0, ino, refs, ptr);
}

static int xtcp_seq_show(struct seq_file *seq, void *v)
{
	seq_setwidth(seq, XTCP_PROC_LINE - 1);
	if (v == SEQ_START_TOKEN)
		seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	else
		xtcp_show_hnode(seq, v);
	seq_pad(seq, '\n');
	return 0;
}

static const struct seq_operations xtcp_seq_ops = {
	.start	= xtcp_seq_start,
	.next	= xtcp_seq_next,
	.stop	= xtcp_seq_stop,
	.show	= xtcp_seq_show,
};

int xtcp_proc_net_init(struct net *net)
{
	if (!proc_create_net("xtcp", 0444, net->proc_net, &xtcp_seq_ops,
			     sizeof(struct xtcp_iter_state)))
		return -ENOMEM;
	return 0;
}

void xtcp_proc_net_exit(struct net *net)
{
	remove_proc_entry("xtcp", net->proc_net);
}
