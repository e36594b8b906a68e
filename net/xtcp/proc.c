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
 *
 * /proc/net/xtcp_timers shows the counters of the timer wheels
 * (wheel_cpu.c), the same in every namespace.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/xtcp.h>
#include <net/xtcp_timer.h>

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

/* The timer columns of a socket line, as get_tcp4_sock(): "tr" 1 while
 * the retransmission timer is armed to retransmit, 4 for a zero-window
 * probe, else 2 while the keepalive timer (keepalive or the orphaned
 * FIN_WAIT2 timeout) is pending, else 0; @expires is that deadline
 * (jiffies when none).
 *
 * Lockless, as Linux's: the socket may be changing these under its own
 * lock meanwhile.  A torn read mixes an old and a new value of the
 * deadline and its kind (a kind just cleared with the old deadline, a
 * deadline just moved with the kind that went with the old one), so a
 * line shows what was true a moment before or after; each field is read
 * once with READ_ONCE(), so no value is half written, and nothing here is
 * dereferenced or used but printed.
 */
static int xtcp_sock_timer(struct xtcp_sock *xsk, unsigned long *expires)
{
	switch (READ_ONCE(xsk->rtx_timer_kind)) {
	case XTCP_RTX_RETRANS:
	case XTCP_RTX_REO:
	case XTCP_RTX_TLP:
		*expires = READ_ONCE(xsk->rtx_timeout);
		return 1;
	case XTCP_RTX_PROBE:
		*expires = READ_ONCE(xsk->rtx_timeout);
		return 4;
	}
	if (xtcp_timer_pending_lockless(&xsk->keepalive_timer)) {
		*expires = xtcp_timer_expires(&xsk->keepalive_timer);
		return 2;
	}
	*expires = jiffies;
	return 0;
}

/* A socket's line after the pointer, as get_tcp4_sock() adds: RTO and
 * the delayed-ACK delay ato in clock ticks, the quick ACKs left shifted
 * left by one with the interactive (pingpong) bit below (delack.c),
 * cwnd in segments, and ssthresh (-1 in the
 * initial slow start; for a listener Linux's TCP Fast Open queue
 * length, 0 as xtcp has none).  Lockless; the RTO state is copied first
 * so it is computed from one value of each field.
 */
static void xtcp_show_sock_tail(struct seq_file *seq, struct xtcp_sock *xsk,
				int state)
{
	struct xtcp_rtt rtt = {};
	u32 ssthresh = READ_ONCE(xsk->cong.ssthresh);
	int ss = ssthresh >= XTCP_INFINITE_SSTHRESH ? -1 : (int)ssthresh;
	unsigned int quick_pp = READ_ONCE(xsk->ack_quick) << 1 |
		(READ_ONCE(xsk->ack_pingpong) >= TCP_PINGPONG_THRESH);

	rtt.rto_us = READ_ONCE(xsk->rtt.rto_us);
	rtt.backoff = READ_ONCE(xsk->rtt.backoff);
	seq_printf(seq, " %lu %lu %u %u %d",
		   jiffies_to_clock_t(usecs_to_jiffies(xtcp_rtt_rto(&rtt))),
		   jiffies_to_clock_t(READ_ONCE(xsk->ato)), quick_pp,
		   READ_ONCE(xsk->cong.cwnd),
		   state == TCP_LISTEN ? 0 : ss);
}

/* Columns as in /proc/net/tcp (get_tcp4_sock(), get_openreq4(),
 * get_timewait4_sock()).  tx_queue and rx_queue are bytes not yet
 * acknowledged and not yet read.  "tr" says which timer is pending (1
 * retransmit, 2 keepalive or FIN_WAIT2, 3 TIME_WAIT, 4 zero-window probe,
 * 0 none), tm->when is the time to its deadline in clock ticks, retrnsmt
 * the timeouts in a row (a SYN queue entry's SYN-ACK retries) and
 * "timeout" the unanswered zero-window probes.  Addresses print as the
 * raw __be32, as tcp does.  SYN queue (03) entries show their listener's
 * uid and, as TIME_WAIT (06) entries, no inode, as in Linux.
 */
static void xtcp_show_hnode(struct seq_file *seq, struct xtcp_hnode *hn)
{
	unsigned long ino = 0, expires = jiffies;
	u32 txq = 0, rxq = 0, retrnsmt = 0;
	int refs = 0, tr = 0, probes = 0;
	void *ptr = hn;
	kuid_t uid = GLOBAL_ROOT_UID;
	/* A socket's state changes under us (xtcp_set_state()). */
	int state = READ_ONCE(hn->state);
	struct xtcp_sock *xsk = NULL;

	if (hn->kind == XTCP_HK_SOCK) {
		struct sock *sk = xtcp_hn_sk(hn);

		xsk = xtcp_sk(sk);
		if (state == TCP_LISTEN) {
			rxq = READ_ONCE(sk->sk_ack_backlog);
		} else {
			txq = READ_ONCE(xsk->write_seq) - READ_ONCE(xsk->snd_una);
			rxq = max_t(int, READ_ONCE(xsk->rcv_nxt) -
					 READ_ONCE(xsk->copied_seq), 0);
		}
		tr = xtcp_sock_timer(xsk, &expires);
		retrnsmt = READ_ONCE(xsk->retransmits);
		probes = READ_ONCE(xsk->probes);
		uid = sock_i_uid(sk);
		ino = sock_i_ino(sk);
		refs = refcount_read(&sk->sk_refcnt);
		ptr = sk;
	} else if (hn->kind == XTCP_HK_REQ) {
		struct xtcp_request *req = container_of(hn, struct xtcp_request,
							hn);

		/* The entry holds its listener until it is freed, an RCU
		 * grace period after it left the table we walk; sockets are
		 * SOCK_RCU_FREE, so the listener outlives this read.
		 */
		tr = 1;
		expires = xtcp_timer_expires(&req->timer);
		retrnsmt = READ_ONCE(req->retries);
		uid = sock_i_uid(req->listener);
	} else {
		struct xtcp_tw *tw = container_of(hn, struct xtcp_tw, hn);

		tr = 3;
		expires = xtcp_timer_expires(&tw->timer);
		refs = refcount_read(&tw->ref);
	}
	seq_printf(seq, "%4lld: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK",
		   seq->index - 1, hn->laddr, ntohs(hn->lport),
		   hn->raddr, ntohs(hn->rport), state, txq, rxq,
		   tr, jiffies_delta_to_clock_t((long)(expires - jiffies)),
		   retrnsmt, from_kuid_munged(seq_user_ns(seq), uid),
		   probes, ino, refs, ptr);
	if (xsk)
		xtcp_show_sock_tail(seq, xsk, state);
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

/* /proc/net/xtcp_timers: the timer counters and wheel occupancy of the
 * whole module (the wheels are shared by every namespace, so each
 * namespace's file shows the same numbers).  Documentation/timers.rst,
 * "Counters", describes every column.
 */
static int xtcp_timers_seq_show(struct seq_file *seq, void *v)
{
	u32 occ[XTCP_WHEEL_LEVELS + 1];
	struct xtcp_timer_kind_stats *ks;
	struct xtcp_timer_stats *st;
	unsigned int k, b, cpu;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	xtcp_timer_stats_read(st);
	seq_printf(seq, "hz %u\n", HZ);
	seq_puts(seq, "kind armed rearmed cancelled fired late stale deferred\n");
	for (k = 0; k < XTCP_TIMER_NR; k++) {
		ks = &st->kind[k];
		seq_printf(seq, "%s %llu %llu %llu %llu %llu %llu %llu\n",
			   xtcp_timer_kind_name(k), ks->armed, ks->rearmed,
			   ks->cancelled, ks->fired, ks->late, ks->stale,
			   ks->deferred);
	}
	/* Bucket b > 0 holds lateness 2^(b-1) .. 2^b - 1 jiffies. */
	seq_puts(seq, "late_jiffies 0 1");
	for (b = 2; b < XTCP_TIMER_LATE_BUCKETS - 1; b++)
		seq_printf(seq, " %lu-%lu", BIT(b - 1), BIT(b) - 1);
	seq_printf(seq, " %lu+\n", BIT(XTCP_TIMER_LATE_BUCKETS - 2));
	for (k = 0; k < XTCP_TIMER_NR; k++) {
		seq_puts(seq, xtcp_timer_kind_name(k));
		for (b = 0; b < XTCP_TIMER_LATE_BUCKETS; b++)
			seq_printf(seq, " %llu", st->kind[k].late_hist[b]);
		seq_putc(seq, '\n');
	}
	kfree(st);
	seq_puts(seq, "wheel level0 level1 level2 level3 due\n");
	for_each_possible_cpu(cpu) {
		xtcp_timer_occupancy(cpu, occ);
		seq_printf(seq, "cpu%u", cpu);
		for (b = 0; b <= XTCP_WHEEL_LEVELS; b++)
			seq_printf(seq, " %u", occ[b]);
		seq_putc(seq, '\n');
	}
	return 0;
}

/**
 * xtcp_proc_net_init() - create a namespace's /proc/net files
 * @net: the namespace
 *
 * /proc/net/xtcp (one line per socket, SYN queue and TIME_WAIT entry, in
 * the format of /proc/net/tcp, as tcp4_proc_init_net()) and
 * /proc/net/xtcp_timers (the timer wheels' counters).
 *
 * Context: process context, the namespace's pernet init; may sleep.
 * Return: 0, or -ENOMEM when a file cannot be created (none is left).
 */
int xtcp_proc_net_init(struct net *net)
{
	if (!proc_create_net("xtcp", 0444, net->proc_net, &xtcp_seq_ops,
			     sizeof(struct xtcp_iter_state)))
		return -ENOMEM;
	if (!proc_create_net_single("xtcp_timers", 0444, net->proc_net,
				    xtcp_timers_seq_show, NULL)) {
		remove_proc_entry("xtcp", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_proc_net_exit() - remove a namespace's /proc/net files
 * @net: the namespace
 *
 * Undoes xtcp_proc_net_init().
 *
 * Context: process context, the namespace's pernet exit (or init's
 * error path); may sleep.
 */
void xtcp_proc_net_exit(struct net *net)
{
	remove_proc_entry("xtcp_timers", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
