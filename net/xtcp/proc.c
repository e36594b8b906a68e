// SPDX-License-Identifier: GPL-2.0
/* xtcp: /proc/net/xtcp, one line per socket in the format of
 * /proc/net/tcp so that tools parsing that file read this one too.
 *
 * Unlike /proc/net/tcp it also lists sockets that are only bound (state
 * 07, CLOSE): every socket holding a port is visible.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/xtcp.h>

/* Width of every line including the newline, as /proc/net/tcp pads it. */
#define XTCP_PROC_LINE	150

static void *xtcp_seq_start(struct seq_file *seq, loff_t *pos)
{
	xtcp_bhash_walk_begin();
	if (!*pos)
		return SEQ_START_TOKEN;
	return xtcp_bhash_walk(seq_file_net(seq), *pos - 1);
}

static void *xtcp_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return xtcp_bhash_walk(seq_file_net(seq), *pos - 1);
}

static void xtcp_seq_stop(struct seq_file *seq, void *v)
{
	xtcp_bhash_walk_end();
}

static int xtcp_seq_show(struct seq_file *seq, void *v)
{
	struct sock *sk = v;
	struct inet_sock *inet;

	seq_setwidth(seq, XTCP_PROC_LINE - 1);
	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
		seq_pad(seq, '\n');
		return 0;
	}

	inet = inet_sk(sk);
	/* Columns as in /proc/net/tcp; the timer columns stay zero until
	 * xtcp has timers.  Addresses print as the raw __be32, host order.
	 */
	seq_printf(seq, "%4lld: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK",
		   seq->index - 1,
		   inet->inet_rcv_saddr, inet->inet_num,
		   inet->inet_daddr, ntohs(inet->inet_dport),
		   sk->sk_state,
		   sk_wmem_alloc_get(sk), sk_rmem_alloc_get(sk),
		   0, 0UL, 0,
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)),
		   0, sock_i_ino(sk), refcount_read(&sk->sk_refcnt), sk);
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
			     sizeof(struct seq_net_private)))
		return -ENOMEM;
	return 0;
}

void xtcp_proc_net_exit(struct net *net)
{
	remove_proc_entry("xtcp", net->proc_net);
}
