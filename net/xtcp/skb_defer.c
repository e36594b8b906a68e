// SPDX-License-Identifier: GPL-2.0
/* xtcp: read skbs freed on the CPU that allocated them.
 *
 * A reader frees what it has read.  The skb (and, through the last
 * reference, its head) was allocated by the CPU that built it: the
 * sender's, for a segment that crossed a veth pair or loopback.  Freed by
 * the reader's CPU, slab memory goes back to another CPU's slab through
 * the slow, atomic path (__slab_free()), and so does the sender's own
 * copy when the ACK frees the last reference on the reader's side.
 * Linux 6.1's tcp_eat_recv_skb() hands such an skb to
 * skb_attempt_defer_free(), which queues it on the allocating CPU's
 * softnet_data and frees it there at its next NET_RX softirq; neither is
 * exported to modules, so xtcp keeps the same per-CPU lists itself:
 *
 * - xtcp_eat_recv_skb() unlinks the skb, gives the socket its charge
 *   back (sock_rfree()) and queues it on the list of skb->alloc_cpu, or
 *   frees it at once when that is this CPU, offline, or its list is full
 *   (XTCP_SKB_DEFER_MAX, the default of net.core.skb_defer_max, which
 *   xtcp does not read).
 * - xtcp_skb_defer_flush() frees this CPU's list: called by the input
 *   hook for every IPv4 TCP segment this CPU receives (native TCP's too),
 *   where Linux's net_rx_action() calls skb_defer_free_flush() for any
 *   packet.
 * - A CPU that receives no TCP (with RPS, the CPU of a NIC's interrupt
 *   allocates and another runs TCP) is flushed by a delayed work item on
 *   that CPU: queued XTCP_SKB_DEFER_DELAY after its list stops being
 *   empty, at once when the list reaches half of XTCP_SKB_DEFER_MAX
 *   (where Linux sends an IPI to raise NET_RX there).  The skbs are
 *   charged to no socket any more, so they are not left for long; the
 *   work item of a CPU that goes offline runs on another CPU.
 * - Module exit flushes every list.
 */
#include <linux/cpumask.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/xtcp.h>

/* Linux's default net.core.skb_defer_max. */
#define XTCP_SKB_DEFER_MAX	64
/* How long a list may wait for its CPU's TCP input. */
#define XTCP_SKB_DEFER_DELAY	HZ

struct xtcp_skb_defer {
	struct llist_head list;
	atomic_t count;			/* skbs on list, about */
	struct delayed_work work;	/* flush from elsewhere (above) */
};

/* Written by other CPUs: a cache line of its own. */
static DEFINE_PER_CPU_ALIGNED(struct xtcp_skb_defer, xtcp_skb_defers);

/* The skbs have no destructor, socket or dst any more: freeing them is
 * safe in any context but hard IRQ, the work item's process context too.
 */
static void xtcp_skb_defer_free_list(struct xtcp_skb_defer *d)
{
	struct llist_node *n;
	struct sk_buff *skb, *next;
	int freed = 0;

	if (llist_empty(&d->list))
		return;
	n = llist_del_all(&d->list);
	llist_for_each_entry_safe(skb, next, n, ll_node) {
		__kfree_skb(skb);
		freed++;
	}
	atomic_sub(freed, &d->count);
}

static void xtcp_skb_defer_work(struct work_struct *work)
{
	xtcp_skb_defer_free_list(container_of(to_delayed_work(work),
					      struct xtcp_skb_defer, work));
}

/**
 * xtcp_skb_defer_flush() - free the read skbs other CPUs left to this one
 *
 * Description: skb_defer_free_flush() of net_rx_action(), for xtcp's
 * lists.  A delayed work item queued for the list stays queued and finds
 * it empty, or the skbs queued since.
 *
 * Context: softirq, or BHs off (the input hook); preemption off.
 */
void xtcp_skb_defer_flush(void)
{
	xtcp_skb_defer_free_list(this_cpu_ptr(&xtcp_skb_defers));
}

/**
 * xtcp_eat_recv_skb() - free an skb the reader has consumed
 * @sk:  the socket, owned by the reader (lock_sock())
 * @skb: the skb at the head of @sk's receive queue, all of it read
 *
 * Linux's tcp_eat_recv_skb(): @skb leaves the receive queue; if it is
 * charged to @sk it gives the charge back now (sock_rfree(), so
 * sk_rmem_alloc and the window see the room at once) and is freed on the
 * CPU that allocated it, later, as skb_attempt_defer_free() does; any
 * other skb is freed here.
 *
 * Context: process context, socket owned.
 */
void xtcp_eat_recv_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_defer *d;
	unsigned int cpu;
	int n;

	__skb_unlink(skb, &sk->sk_receive_queue);
	if (unlikely(skb->destructor != sock_rfree))
		goto now;
	sock_rfree(skb);
	skb->destructor = NULL;
	skb->sk = NULL;
	cpu = skb->alloc_cpu;
	if (cpu >= nr_cpu_ids || !cpu_online(cpu) ||
	    cpu == raw_smp_processor_id())
		goto now;
	d = per_cpu_ptr(&xtcp_skb_defers, cpu);
	n = atomic_inc_return(&d->count);
	if (n > XTCP_SKB_DEFER_MAX) {
		atomic_dec(&d->count);
		goto now;
	}
	if (llist_add(&skb->ll_node, &d->list) &&
	    !delayed_work_pending(&d->work))
		queue_delayed_work_on(cpu, system_wq, &d->work,
				      XTCP_SKB_DEFER_DELAY);
	if (n == XTCP_SKB_DEFER_MAX / 2)
		mod_delayed_work_on(cpu, system_wq, &d->work, 0);
	return;
now:
	__kfree_skb(skb);
}

/**
 * xtcp_skb_defer_init() - set up the per-CPU lists, at module load
 *
 * Context: process context, module init, before any socket exists.
 */
void xtcp_skb_defer_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xtcp_skb_defer *d = per_cpu_ptr(&xtcp_skb_defers, cpu);

		init_llist_head(&d->list);
		atomic_set(&d->count, 0);
		INIT_DELAYED_WORK(&d->work, xtcp_skb_defer_work);
	}
}

/**
 * xtcp_skb_defer_exit() - free what every list holds, at module unload
 *
 * Context: process context, module exit, after every socket is freed
 * and input unhooked: nothing adds to the lists any more.  May sleep
 * (cancel_delayed_work_sync()).
 */
void xtcp_skb_defer_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xtcp_skb_defer *d = per_cpu_ptr(&xtcp_skb_defers, cpu);

		cancel_delayed_work_sync(&d->work);
		xtcp_skb_defer_free_list(d);
		WARN_ON_ONCE(atomic_read(&d->count));
	}
}
